//! 5 功能复合的商贸场所: a multi-function venue in the 建成区 (a commercial complex, or a fresh
//! market with enough other functions close by), and a fresh market within a walk of its homes.

use super::{
    BuiltUpWalk, Item, built_up_walk_check, check, dist_m_of, finish, measure, no_data, threshold,
};
use crate::tenones::context::Context;
use crate::tenones::result::{Check, RuleResult, Verdict};

pub const ITEM: Item = Item {
    number: 5,
    id: "commerce",
    zh: "功能复合的商贸场所",
    en: "Multi-function commercial venues",
};

pub fn evaluate(ctx: &Context<'_>) -> RuleResult {
    let r = &ctx.cfg.commerce;
    let thresholds = vec![
        threshold(
            "commerce.venue_functions_min_count",
            "综合商贸场所功能数",
            "functions of a venue",
            &r.venue_functions_min_count,
            "个",
        ),
        threshold(
            "commerce.venue_radius_m",
            "综合商贸场所范围",
            "extent of a venue",
            &r.venue_radius_m,
            "m",
        ),
        threshold(
            "commerce.market_walk_m",
            "菜市场步行距离",
            "walk to a fresh market",
            &r.market_walk_m,
            "m",
        ),
        threshold(
            "commerce.market_pass_percent",
            "达标人口比例",
            "share of residents to pass",
            &r.market_pass_percent,
            "%",
        ),
        threshold(
            "commerce.market_partly_percent",
            "基本达标人口比例",
            "share of residents for partly",
            &r.market_partly_percent,
            "%",
        ),
    ];
    let checks = vec![venue(ctx), market(ctx)];
    finish(
        &ITEM,
        checks,
        thresholds,
        "增设菜市场或综合商贸场所",
        "Add fresh markets or a multi-function venue",
    )
}

fn venue(ctx: &Context<'_>) -> Check {
    let r = &ctx.cfg.commerce;
    let (key, zh, en) = (
        "venue",
        "建成区有功能复合的商贸场所",
        "a multi-function venue in the built-up area",
    );
    if !ctx.has_facilities() {
        return no_data(key, zh, en, "没有设施(POI)图层", "no facility (POI) layer");
    }
    let inside = |xy: [f64; 2]| !ctx.has_built_up() || ctx.in_built_up(xy);
    let complexes = ctx
        .facilities(&r.venue_categories)
        .into_iter()
        .filter(|f| inside(f.xy))
        .count();
    // Clusters around each facility of the first function group (the fresh market).
    let groups: Vec<Vec<[f64; 2]>> = r
        .function_groups
        .iter()
        .map(|g| ctx.facilities(g).iter().map(|f| f.xy).collect())
        .collect();
    let mut best = 0usize;
    if let Some(anchors) = groups.first() {
        for a in anchors.iter().filter(|a| inside(**a)) {
            let n = groups
                .iter()
                .filter(|g| {
                    g.iter()
                        .any(|p| dist_m_of(*a, *p) <= r.venue_radius_m.value)
                })
                .count();
            best = best.max(n);
        }
    }
    let mut c = check(key, zh, en);
    c.measures.push(measure(
        "complexes",
        "商业综合体",
        "commercial complexes",
        complexes as f64,
        "个",
    ));
    c.measures.push(measure(
        "best_cluster_functions",
        "最多功能的集市",
        "functions at the best cluster",
        best as f64,
        "个",
    ));
    c.verdict = if complexes > 0 || best as f64 >= r.venue_functions_min_count.value {
        Verdict::Pass
    } else {
        Verdict::Fail
    };
    c
}

fn market(ctx: &Context<'_>) -> Check {
    let r = &ctx.cfg.commerce;
    let m = r.market_walk_m.value;
    built_up_walk_check(
        ctx,
        &BuiltUpWalk {
            key: "market_walk",
            zh: format!("建成区菜市场步行{m}米"),
            en: format!("fresh market within a {m} m walk in the built-up area"),
            categories: &r.market_categories,
            limit: m,
            unit: "m",
            pass_percent: r.market_pass_percent.value,
            partly_percent: r.market_partly_percent.value,
            what_zh: format!("步行{m}米内无菜市场"),
            what_en: format!("with no fresh market within {m} m"),
        },
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tenones::test_town::{CENTRE, FAR_HOME, Town, check_verdict};

    fn town(far_pop: Option<f64>) -> Town {
        Town::new(far_pop).facilities(&[
            (CENTRE, "fresh_market", "农贸市场"),
            ([520.0, 0.0], "supermarket", "超市"),
            ([540.0, 0.0], "catering", "饭店"),
        ])
    }

    #[test]
    fn pass_with_a_market_cluster_within_500_m_of_every_home() {
        let r = town(None).run(evaluate);
        assert_eq!(check_verdict(&r, "venue"), Verdict::Pass);
        assert_eq!(check_verdict(&r, "market_walk"), Verdict::Pass);
        assert_eq!(r.verdict, Verdict::Pass);
    }

    #[test]
    fn partly_when_a_few_residents_are_beyond_500_m() {
        let r = town(Some(10.0)).run(evaluate);
        assert_eq!(check_verdict(&r, "market_walk"), Verdict::Partly);
        let p = &r.checks[1].failing[0];
        assert_eq!(p.xy, Some(FAR_HOME));
        assert!((p.value.expect("m") - 600.0).abs() < 1.0);
        assert_eq!(r.verdict, Verdict::Partly);
    }

    #[test]
    fn fail_without_a_venue_and_with_many_far_residents() {
        let r = Town::new(Some(100.0))
            .facilities(&[(CENTRE, "fresh_market", "农贸市场")])
            .run(evaluate);
        assert_eq!(check_verdict(&r, "venue"), Verdict::Fail);
        assert_eq!(check_verdict(&r, "market_walk"), Verdict::Fail);
        assert_eq!(r.verdict, Verdict::Fail);
    }

    #[test]
    fn no_data_without_facilities() {
        let r = Town::new(None).run(evaluate);
        assert_eq!(r.verdict, Verdict::NoData);
    }
}
