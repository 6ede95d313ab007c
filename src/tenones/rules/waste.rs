//! 4 完善的垃圾分类收集处置网: every residential building within a straight-line distance of a
//! collection point, the collection points sort (their type field), and a transfer station.

use rstar::RTree;

use super::{Item, at_least, check, finish, homes_check, measure, no_data, threshold};
use crate::tenones::context::{Context, text_of};
use crate::tenones::result::{Check, RuleResult};

pub const ITEM: Item = Item {
    number: 4,
    id: "waste",
    zh: "完善的垃圾分类收集处置网",
    en: "Complete sorted-waste collection",
};

pub fn evaluate(ctx: &Context<'_>) -> RuleResult {
    let r = &ctx.cfg.waste;
    let thresholds = vec![
        threshold(
            "waste.collection_m",
            "住宅至收集点直线距离",
            "straight line from a home to a collection point",
            &r.collection_m,
            "m",
        ),
        threshold(
            "waste.collection_pass_percent",
            "达标人口比例",
            "share of residents to pass",
            &r.collection_pass_percent,
            "%",
        ),
        threshold(
            "waste.collection_partly_percent",
            "基本达标人口比例",
            "share of residents for partly",
            &r.collection_partly_percent,
            "%",
        ),
        threshold(
            "waste.sorting_percent",
            "分类收集点比例",
            "share of sorting collection points",
            &r.sorting_percent,
            "%",
        ),
        threshold(
            "waste.transfer_min_count",
            "垃圾中转站",
            "transfer stations",
            &r.transfer_min_count,
            "个",
        ),
    ];
    let checks = vec![collection(ctx), sorting(ctx), transfer(ctx)];
    finish(
        &ITEM,
        checks,
        thresholds,
        "增设垃圾分类收集点",
        "Add sorted-waste collection points",
    )
}

fn collection(ctx: &Context<'_>) -> Check {
    let r = &ctx.cfg.waste;
    let key = "collection_distance";
    let zh = format!("住宅{}米内有垃圾分类收集点", r.collection_m.value);
    let en = format!(
        "a collection point within {} m of every home",
        r.collection_m.value
    );
    if !ctx.has_buildings() {
        return no_data(key, &zh, &en, "没有建筑(住宅)图层", "no building layer");
    }
    let pts: Vec<[f64; 2]> = ctx
        .facilities(&r.collection_categories)
        .iter()
        .map(|f| f.xy)
        .collect();
    if pts.is_empty() {
        return no_data(
            key,
            &zh,
            &en,
            "没有垃圾分类收集点图层",
            "no waste collection points",
        );
    }
    let tree = RTree::bulk_load(pts);
    let homes = ctx.homes();
    homes_check(
        ctx,
        check(key, &zh, &en),
        &homes,
        |h| {
            tree.nearest_neighbor(&h.xy)
                .map_or(f64::INFINITY, |p| super::dist_m_of(*p, h.xy))
        },
        r.collection_m.value,
        "m",
        r.collection_pass_percent.value,
        r.collection_partly_percent.value,
        &format!("{}米内无垃圾分类收集点", r.collection_m.value),
        &format!("with no collection point within {} m", r.collection_m.value),
    )
}

fn sorting(ctx: &Context<'_>) -> Check {
    let r = &ctx.cfg.waste;
    let (key, zh, en) = ("sorting", "收集点实行分类", "collection points sort waste");
    let ids: Vec<_> = r
        .collection_categories
        .iter()
        .filter_map(|c| ctx.taxonomy.by_id(c))
        .collect();
    let mut total = 0usize;
    let mut sorted = 0usize;
    let mut with_field = false;
    for l in &ctx.input.facilities {
        if !r.type_fields.iter().any(|f| l.field_index(f).is_some()) {
            continue;
        }
        for f in l
            .features
            .iter()
            .filter(|f| f.category.is_some_and(|c| ids.contains(&c)))
        {
            with_field = true;
            total += 1;
            if text_of(l, f, &r.type_fields)
                .is_some_and(|t| r.sorted_values.iter().any(|v| t.contains(v.as_str())))
            {
                sorted += 1;
            }
        }
    }
    if !with_field || total == 0 {
        return no_data(
            key,
            zh,
            en,
            "收集点没有分类类型字段",
            "collection points have no sorting type field",
        );
    }
    let percent = sorted as f64 / total as f64 * 100.0;
    let mut c = check(key, zh, en);
    c.verdict = super::band_share(percent, r.sorting_percent.value, r.sorting_percent.value);
    c.measures.push(measure(
        "sorting_percent",
        "分类收集点比例",
        "sorting points",
        percent,
        "%",
    ));
    c.measures.push(measure(
        "points",
        "收集点",
        "collection points",
        total as f64,
        "个",
    ));
    c
}

fn transfer(ctx: &Context<'_>) -> Check {
    let r = &ctx.cfg.waste;
    let (key, zh, en) = ("transfer_station", "垃圾中转站", "waste transfer station");
    if !ctx.has_facilities() {
        return no_data(key, zh, en, "没有设施(POI)图层", "no facility (POI) layer");
    }
    let n = ctx.facilities(&r.transfer_categories).len();
    let mut c = check(key, zh, en);
    c.verdict = at_least(n as f64, r.transfer_min_count.value);
    c.measures.push(measure(
        "count",
        "中转站",
        "transfer stations",
        n as f64,
        "个",
    ));
    c
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Role;
    use crate::tenones::result::Verdict;
    use crate::tenones::test_town::{FAR_HOME, Town, check_verdict};

    fn points() -> Vec<([f64; 2], &'static str)> {
        (3..=7)
            .map(|i| ([f64::from(i) * 100.0, 60.0], "四分类"))
            .collect()
    }

    fn town(far_pop: Option<f64>) -> Town {
        Town::new(far_pop).waste_points(&points()).facilities(&[(
            [1500.0, 0.0],
            "waste_transfer_station",
            "中转站",
        )])
    }

    #[test]
    fn pass_when_every_home_is_near_a_sorting_point_and_a_station_exists() {
        let r = town(None).run(evaluate);
        assert_eq!(check_verdict(&r, "collection_distance"), Verdict::Pass);
        assert_eq!(check_verdict(&r, "sorting"), Verdict::Pass);
        assert_eq!(check_verdict(&r, "transfer_station"), Verdict::Pass);
        assert_eq!(r.verdict, Verdict::Pass);
    }

    #[test]
    fn partly_when_a_small_hamlet_is_beyond_70_m() {
        // 5 of 255 residents: 98% ≥ 95%.
        let r = town(Some(5.0)).run(evaluate);
        assert_eq!(check_verdict(&r, "collection_distance"), Verdict::Partly);
        let p = &r.checks[0].failing[0];
        assert_eq!(p.xy, Some(FAR_HOME));
        assert!((p.value.expect("m") - 265.71).abs() < 0.1, "{:?}", p.value);
        assert_eq!(r.verdict, Verdict::Partly);
    }

    #[test]
    fn fail_without_a_transfer_station_or_with_unsorted_points() {
        let mut pts = points();
        pts[0].1 = "混合收集";
        let r = Town::new(None).waste_points(&pts).run(evaluate);
        assert_eq!(check_verdict(&r, "transfer_station"), Verdict::Fail);
        assert_eq!(check_verdict(&r, "sorting"), Verdict::Fail);
        assert_eq!(r.verdict, Verdict::Fail);
    }

    #[test]
    fn no_data_without_buildings_or_points() {
        let r = Town::new(None).without(Role::Buildings).run(evaluate);
        assert_eq!(r.verdict, Verdict::NoData);
        assert_eq!(r.checks.len(), 3);
        assert!(r.checks.iter().all(|c| !c.missing_en.is_empty()));
    }
}
