//! 7 优质均衡的学前+义务教育: kindergarten, primary and middle school within a walk of the
//! 建成区's homes; every 行政村 reaches a primary and a middle school by bus (the drive mode stands
//! in); a public central kindergarten (中心幼儿园) in the town.

use super::{
    BuiltUpWalk, Item, at_least, built_up_walk_check, check, finish, measure, no_data, threshold,
    villages_check,
};
use crate::standards::Cited;
use crate::tenones::context::Context;
use crate::tenones::result::{Check, Place, RuleResult};

pub const ITEM: Item = Item {
    number: 7,
    id: "education",
    zh: "优质均衡的学前教育和义务教育",
    en: "Balanced preschool and compulsory education",
};

pub fn evaluate(ctx: &Context<'_>) -> RuleResult {
    let r = &ctx.cfg.education;
    let thresholds = vec![
        threshold(
            "education.kindergarten_walk_m",
            "幼儿园步行距离",
            "walk to a kindergarten",
            &r.kindergarten_walk_m,
            "m",
        ),
        threshold(
            "education.primary_walk_m",
            "小学步行距离",
            "walk to a primary school",
            &r.primary_walk_m,
            "m",
        ),
        threshold(
            "education.middle_walk_m",
            "初中步行距离",
            "walk to a middle school",
            &r.middle_walk_m,
            "m",
        ),
        threshold(
            "education.pass_percent",
            "达标人口比例",
            "share of residents to pass",
            &r.pass_percent,
            "%",
        ),
        threshold(
            "education.partly_percent",
            "基本达标人口比例",
            "share of residents for partly",
            &r.partly_percent,
            "%",
        ),
        threshold(
            "education.village_school_drive_min",
            "村至中小学车程",
            "bus/drive from a village to school",
            &r.village_school_drive_min,
            "min",
        ),
        threshold(
            "education.central_kindergarten_min_count",
            "公办中心幼儿园",
            "public central kindergartens",
            &r.central_kindergarten_min_count,
            "个",
        ),
    ];
    let mut checks = vec![
        walk_check(
            ctx,
            "kindergarten_walk",
            "幼儿园",
            "kindergarten",
            &r.kindergarten_categories,
            &r.kindergarten_walk_m,
        ),
        walk_check(
            ctx,
            "primary_walk",
            "小学",
            "primary school",
            &r.primary_categories,
            &r.primary_walk_m,
        ),
        walk_check(
            ctx,
            "middle_walk",
            "初中",
            "middle school",
            &r.middle_categories,
            &r.middle_walk_m,
        ),
    ];
    checks.push(village_schools(ctx));
    checks.push(central_kindergarten(ctx));
    finish(
        &ITEM,
        checks,
        thresholds,
        "增设或调整学校、幼儿园布点",
        "Add or relocate schools and kindergartens",
    )
}

fn walk_check(
    ctx: &Context<'_>,
    key: &str,
    what_zh: &str,
    what_en: &str,
    categories: &[String],
    limit: &Cited<f64>,
) -> Check {
    let r = &ctx.cfg.education;
    let m = limit.value;
    built_up_walk_check(
        ctx,
        &BuiltUpWalk {
            key,
            zh: format!("建成区{what_zh}步行{m}米"),
            en: format!("{what_en} within a {m} m walk in the built-up area"),
            categories,
            limit: m,
            unit: "m",
            pass_percent: r.pass_percent.value,
            partly_percent: r.partly_percent.value,
            what_zh: format!("步行{m}米内无{what_zh}"),
            what_en: format!("with no {what_en} within {m} m"),
        },
    )
}

fn village_schools(ctx: &Context<'_>) -> Check {
    let r = &ctx.cfg.education;
    let (key, zh, en) = (
        "village_schools_drive",
        "各村车程可达中小学",
        "every village reaches a primary and a middle school by bus",
    );
    if ctx.villages().is_empty() {
        return no_data(key, zh, en, "没有行政村图层", "no village layer");
    }
    if !ctx.has_facilities() {
        return no_data(key, zh, en, "没有设施(POI)图层", "no facility (POI) layer");
    }
    let Some(drive) = ctx.drive() else {
        return no_data(key, zh, en, "驾车网络无法建立", "no drivable network");
    };
    let primary: Vec<[f64; 2]> = ctx
        .facilities(&r.primary_categories)
        .iter()
        .map(|f| f.xy)
        .collect();
    let middle: Vec<[f64; 2]> = ctx
        .facilities(&r.middle_categories)
        .iter()
        .map(|f| f.xy)
        .collect();
    let tp = ctx.timer(drive, &primary);
    let tm = ctx.timer(drive, &middle);
    let limit = r.village_school_drive_min.value;
    villages_check(
        ctx,
        check(key, zh, en),
        |_| false,
        |v| tp.time_s(v.centre).max(tm.time_s(v.centre)) / 60.0,
        limit,
        "min",
        &format!("到小学或初中车程超过{limit}分钟"),
        &format!("more than {limit} min to a primary or middle school"),
    )
}

fn central_kindergarten(ctx: &Context<'_>) -> Check {
    let r = &ctx.cfg.education;
    let (key, zh, en) = (
        "central_kindergarten",
        "公办中心幼儿园",
        "public central kindergarten",
    );
    if !ctx.has_facilities() {
        return no_data(key, zh, en, "没有设施(POI)图层", "no facility (POI) layer");
    }
    let found: Vec<_> = ctx
        .facilities(&r.kindergarten_categories)
        .into_iter()
        .filter(|f| {
            f.name.as_deref().is_some_and(|n| {
                r.central_kindergarten_names
                    .iter()
                    .any(|p| n.contains(p.as_str()))
            })
        })
        .collect();
    let mut c = check(key, zh, en);
    c.verdict = at_least(found.len() as f64, r.central_kindergarten_min_count.value);
    c.measures.push(measure(
        "count",
        "中心幼儿园",
        "central kindergartens",
        found.len() as f64,
        "个",
    ));
    if found.is_empty() {
        c.failing.push(Place {
            zh: "镇域：未找到中心幼儿园".into(),
            en: "the town: no central kindergarten found".into(),
            layer: None,
            source: None,
            xy: None,
            geometry: None,
            value: Some(0.0),
            unit: "个".into(),
            population: None,
        });
    }
    c
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Role;
    use crate::tenones::result::Verdict;
    use crate::tenones::test_town::{CENTRE, Town, VILLAGE_CENTRE, check_verdict};

    fn town(far_pop: Option<f64>, kindergarten: &str) -> Town {
        Town::new(far_pop).village().facilities(&[
            (VILLAGE_CENTRE, "village_service_station", "甲村便民服务站"),
            (CENTRE, "kindergarten", kindergarten),
            (CENTRE, "primary_school", "镇小学"),
            (CENTRE, "middle_school", "镇初中"),
        ])
    }

    #[test]
    fn pass_with_schools_near_every_home_and_a_central_kindergarten() {
        let r = town(None, "清溪镇中心幼儿园").run(evaluate);
        for (k, _) in [
            ("kindergarten_walk", 0),
            ("primary_walk", 0),
            ("middle_walk", 0),
            ("village_schools_drive", 0),
            ("central_kindergarten", 0),
        ] {
            assert_eq!(check_verdict(&r, k), Verdict::Pass, "{k}");
        }
        assert_eq!(r.verdict, Verdict::Pass);
    }

    #[test]
    fn partly_when_a_few_homes_are_beyond_the_kindergarten_radius() {
        let r = town(Some(10.0), "清溪镇中心幼儿园").run(evaluate);
        assert_eq!(check_verdict(&r, "kindergarten_walk"), Verdict::Partly);
        assert_eq!(check_verdict(&r, "middle_walk"), Verdict::Pass);
        assert_eq!(r.verdict, Verdict::Partly);
    }

    #[test]
    fn fail_without_a_central_kindergarten_or_with_a_far_village() {
        let r = town(None, "阳光幼儿园").run(evaluate);
        assert_eq!(check_verdict(&r, "central_kindergarten"), Verdict::Fail);
        assert_eq!(r.verdict, Verdict::Fail);
        let mut t = town(None, "清溪镇中心幼儿园");
        t.cfg().education.village_school_drive_min.value = 1.0;
        let r = t.run(evaluate);
        assert_eq!(check_verdict(&r, "village_schools_drive"), Verdict::Fail);
        assert!(r.checks[3].failing[0].zh.starts_with("甲村"));
    }

    #[test]
    fn no_data_without_facilities_built_up_or_villages() {
        let r = Town::new(None).without(Role::BuiltUpArea).run(evaluate);
        assert_eq!(r.verdict, Verdict::NoData);
        assert!(r.checks.iter().all(|c| c.verdict == Verdict::NoData));
    }
}
