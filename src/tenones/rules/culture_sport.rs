//! 6 开放多元的文体场所: a town-level culture-sport centre, and the 建成区's residents within a
//! 15-minute walk of a culture/sport venue (15分钟公共文化服务圈).

use super::{
    BuiltUpWalk, Item, at_least, built_up_walk_check, check, finish, measure, no_data, threshold,
};
use crate::tenones::context::Context;
use crate::tenones::result::{Check, RuleResult};

pub const ITEM: Item = Item {
    number: 6,
    id: "culture_sport",
    zh: "开放多元的文体场所",
    en: "Open and diverse culture and sports venues",
};

pub fn evaluate(ctx: &Context<'_>) -> RuleResult {
    let r = &ctx.cfg.culture_sport;
    let thresholds = vec![
        threshold(
            "culture_sport.centre_min_count",
            "镇级文体中心",
            "town-level culture-sport centres",
            &r.centre_min_count,
            "个",
        ),
        threshold(
            "culture_sport.walk_min",
            "文体设施步行时间",
            "walk to a culture/sport venue",
            &r.walk_min,
            "min",
        ),
        threshold(
            "culture_sport.pass_percent",
            "达标人口比例",
            "share of residents to pass",
            &r.pass_percent,
            "%",
        ),
        threshold(
            "culture_sport.partly_percent",
            "基本达标人口比例",
            "share of residents for partly",
            &r.partly_percent,
            "%",
        ),
    ];
    let checks = vec![centre(ctx), walk(ctx)];
    finish(
        &ITEM,
        checks,
        thresholds,
        "增设文体场所",
        "Add culture and sports venues",
    )
}

fn centre(ctx: &Context<'_>) -> Check {
    let r = &ctx.cfg.culture_sport;
    let (key, zh, en) = (
        "centre_count",
        "镇级综合文化站/文体中心",
        "town-level culture-sport centre",
    );
    if !ctx.has_facilities() {
        return no_data(key, zh, en, "没有设施(POI)图层", "no facility (POI) layer");
    }
    let n = ctx
        .facilities(&r.centre_categories)
        .iter()
        .filter(|f| ctx.in_town(f.xy))
        .count();
    let mut c = check(key, zh, en);
    c.verdict = at_least(n as f64, r.centre_min_count.value);
    c.measures
        .push(measure("count", "文体中心", "centres", n as f64, "个"));
    c
}

fn walk(ctx: &Context<'_>) -> Check {
    let r = &ctx.cfg.culture_sport;
    let m = r.walk_min.value;
    built_up_walk_check(
        ctx,
        &BuiltUpWalk {
            key: "walk_coverage",
            zh: format!("建成区{m}分钟步行文体圈"),
            en: format!("{m}-minute walk to culture/sport in the built-up area"),
            categories: &r.access_categories,
            limit: m,
            unit: "min",
            pass_percent: r.pass_percent.value,
            partly_percent: r.partly_percent.value,
            what_zh: format!("步行{m}分钟内无文体设施"),
            what_en: format!("with no culture/sport venue within {m} min"),
        },
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tenones::result::Verdict;
    use crate::tenones::test_town::{CENTRE, Town, check_verdict};

    /// A culture station at the centre; a 5-minute walk (300 m) so the far home (600 m) misses.
    fn town(far_pop: Option<f64>) -> Town {
        let mut t = Town::new(far_pop).facilities(&[(CENTRE, "culture_station", "综合文化站")]);
        t.cfg().culture_sport.walk_min.value = 5.0;
        t
    }

    #[test]
    fn pass_with_a_centre_within_the_walk_of_every_home() {
        let r = town(None).run(evaluate);
        assert_eq!(r.verdict, Verdict::Pass);
        assert!(
            r.thresholds
                .iter()
                .any(|t| t.key == "culture_sport.walk_min" && t.value == 5.0)
        );
    }

    #[test]
    fn partly_and_fail_by_the_share_beyond_the_walk() {
        let r = town(Some(10.0)).run(evaluate);
        assert_eq!(check_verdict(&r, "walk_coverage"), Verdict::Partly);
        assert!((r.checks[1].failing[0].value.expect("min") - 10.0).abs() < 0.1);
        let r = town(Some(100.0)).run(evaluate);
        assert_eq!(check_verdict(&r, "walk_coverage"), Verdict::Fail);
        assert_eq!(r.verdict, Verdict::Fail);
    }

    #[test]
    fn fail_without_a_town_centre() {
        let r = Town::new(None)
            .facilities(&[(CENTRE, "library", "图书馆分馆")])
            .run(evaluate);
        assert_eq!(check_verdict(&r, "centre_count"), Verdict::Fail);
        assert_eq!(check_verdict(&r, "walk_coverage"), Verdict::Pass);
        assert_eq!(r.verdict, Verdict::Fail);
    }

    #[test]
    fn no_data_without_facilities() {
        let r = Town::new(None).run(evaluate);
        assert_eq!(r.verdict, Verdict::NoData);
    }
}
