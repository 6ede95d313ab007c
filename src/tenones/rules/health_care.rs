//! 8 覆盖城乡的医疗卫生+养老: a public 卫生院 in the town, within a walk of the 建成区's homes;
//! every 行政村 has (or reaches on foot) a 卫生室 and a 照料中心, and reaches the 卫生院 by car.

use super::{
    Item, at_least, check, finish, homes_check, inside_village, measure, no_data, threshold,
    villages_check, walk_m,
};
use crate::tenones::context::Context;
use crate::tenones::result::{Check, RuleResult};

pub const ITEM: Item = Item {
    number: 8,
    id: "health_care",
    zh: "覆盖城乡的医疗卫生和养老服务",
    en: "Health and elderly care for town and villages",
};

pub fn evaluate(ctx: &Context<'_>) -> RuleResult {
    let r = &ctx.cfg.health_care;
    let thresholds = vec![
        threshold(
            "health_care.health_centre_min_count",
            "卫生院数量",
            "health centres",
            &r.health_centre_min_count,
            "个",
        ),
        threshold(
            "health_care.health_centre_walk_m",
            "建成区至卫生院步行距离",
            "walk to the health centre in the built-up area",
            &r.health_centre_walk_m,
            "m",
        ),
        threshold(
            "health_care.pass_percent",
            "达标人口比例",
            "share of residents to pass",
            &r.pass_percent,
            "%",
        ),
        threshold(
            "health_care.partly_percent",
            "基本达标人口比例",
            "share of residents for partly",
            &r.partly_percent,
            "%",
        ),
        threshold(
            "health_care.village_clinic_walk_min",
            "村至卫生室步行时间",
            "walk from a village to a clinic",
            &r.village_clinic_walk_min,
            "min",
        ),
        threshold(
            "health_care.village_care_walk_min",
            "村至照料中心步行时间",
            "walk from a village to a day-care centre",
            &r.village_care_walk_min,
            "min",
        ),
        threshold(
            "health_care.village_health_centre_drive_min",
            "村至卫生院驾车时间",
            "drive from a village to the health centre",
            &r.village_health_centre_drive_min,
            "min",
        ),
    ];
    let mut checks = Vec::new();
    if !ctx.has_facilities() {
        for (k, zh, en) in [
            (
                "health_centre_count",
                "乡镇卫生院",
                "township health centre",
            ),
            (
                "health_centre_walk",
                "建成区卫生院步行可达",
                "health centre within a walk in the built-up area",
            ),
            (
                "village_clinic",
                "每村有卫生室",
                "every village has a clinic",
            ),
            (
                "village_care",
                "每村有居家养老照料中心",
                "every village has a day-care centre",
            ),
            (
                "village_health_centre_drive",
                "各村驾车可达卫生院",
                "every village reaches the health centre by car",
            ),
        ] {
            checks.push(no_data(
                k,
                zh,
                en,
                "没有设施(POI)图层",
                "no facility (POI) layer",
            ));
        }
        return finish(
            &ITEM,
            checks,
            thresholds,
            "补齐医疗卫生和养老设施",
            "Add health and care facilities",
        );
    }
    let centres: Vec<[f64; 2]> = ctx
        .facilities(&r.health_centre_categories)
        .iter()
        .map(|f| f.xy)
        .collect();
    let in_town = centres.iter().filter(|p| ctx.in_town(**p)).count();
    let mut c = check(
        "health_centre_count",
        "乡镇卫生院",
        "township health centre",
    );
    c.verdict = at_least(in_town as f64, r.health_centre_min_count.value);
    c.measures.push(measure(
        "count",
        "镇域内卫生院",
        "health centres in the town",
        in_town as f64,
        "个",
    ));
    checks.push(c);
    checks.push(built_up_walk(ctx, &centres));
    checks.push(village_walk(
        ctx,
        "village_clinic",
        "每村有卫生室或步行可达",
        "every village has or walks to a clinic",
        &r.clinic_categories,
        r.village_clinic_walk_min.value,
        "无卫生室，步行可达范围内也无医疗点",
        "no clinic, and none within the walk",
    ));
    checks.push(village_walk(
        ctx,
        "village_care",
        "每村有照料中心或步行可达",
        "every village has or walks to a day-care centre",
        &r.care_categories,
        r.village_care_walk_min.value,
        "无居家养老照料中心，步行可达范围内也没有",
        "no day-care centre, and none within the walk",
    ));
    checks.push(village_drive(ctx, &centres));
    finish(
        &ITEM,
        checks,
        thresholds,
        "补齐医疗卫生和养老服务短板",
        "Close the health and care gaps",
    )
}

fn built_up_walk(ctx: &Context<'_>, centres: &[[f64; 2]]) -> Check {
    let r = &ctx.cfg.health_care;
    let (key, zh, en) = (
        "health_centre_walk",
        "建成区卫生院步行可达",
        "health centre within a walk in the built-up area",
    );
    if !ctx.has_built_up() {
        return no_data(key, zh, en, "没有建成区图层", "no built-up area layer");
    }
    let Some(walk) = ctx.walk() else {
        return no_data(key, zh, en, "步行网络无法建立", "no walking network");
    };
    let timer = ctx.timer(walk, centres);
    let homes: Vec<_> = ctx.homes().into_iter().filter(|h| h.built_up).collect();
    homes_check(
        ctx,
        check(key, zh, en),
        &homes,
        |h| walk_m(&timer, h),
        r.health_centre_walk_m.value,
        "m",
        r.pass_percent.value,
        r.partly_percent.value,
        "步行1000米内无卫生院",
        "beyond the walk to a health centre",
    )
}

#[allow(clippy::too_many_arguments)]
fn village_walk(
    ctx: &Context<'_>,
    key: &str,
    zh: &str,
    en: &str,
    categories: &[String],
    limit_min: f64,
    what_zh: &str,
    what_en: &str,
) -> Check {
    if ctx.villages().is_empty() {
        return no_data(key, zh, en, "没有行政村图层", "no village layer");
    }
    let Some(walk) = ctx.walk() else {
        return no_data(key, zh, en, "步行网络无法建立", "no walking network");
    };
    let pts: Vec<[f64; 2]> = ctx.facilities(categories).iter().map(|f| f.xy).collect();
    let timer = ctx.timer(walk, &pts);
    villages_check(
        ctx,
        check(key, zh, en),
        |v| inside_village(v, &pts),
        |v| timer.time_s(v.centre) / 60.0,
        limit_min,
        "min",
        what_zh,
        what_en,
    )
}

fn village_drive(ctx: &Context<'_>, centres: &[[f64; 2]]) -> Check {
    let r = &ctx.cfg.health_care;
    let (key, zh, en) = (
        "village_health_centre_drive",
        "各村驾车可达卫生院",
        "every village reaches the health centre by car",
    );
    if ctx.villages().is_empty() {
        return no_data(key, zh, en, "没有行政村图层", "no village layer");
    }
    let Some(drive) = ctx.drive() else {
        return no_data(key, zh, en, "驾车网络无法建立", "no drivable network");
    };
    let timer = ctx.timer(drive, centres);
    villages_check(
        ctx,
        check(key, zh, en),
        |_| false,
        |v| timer.time_s(v.centre) / 60.0,
        r.village_health_centre_drive_min.value,
        "min",
        "驾车至卫生院超过30分钟",
        "more than the drive limit to the health centre",
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tenones::result::Verdict;
    use crate::tenones::test_town::{CENTRE, Town, VILLAGE_CENTRE, check_verdict};

    fn town(far_pop: Option<f64>, clinic: bool) -> Town {
        let mut list = vec![
            (VILLAGE_CENTRE, "village_service_station", "甲村便民服务站"),
            ([2520.0, 0.0], "elderly_day_care", "甲村照料中心"),
            (CENTRE, "health_center", "镇卫生院"),
        ];
        if clinic {
            list.push(([2540.0, 0.0], "village_clinic", "甲村卫生室"));
        }
        let mut t = Town::new(far_pop).village().facilities(&list);
        t.cfg().health_care.health_centre_walk_m.value = 500.0;
        t
    }

    #[test]
    fn pass_with_a_health_centre_and_village_clinic_and_care() {
        let r = town(None, true).run(evaluate);
        assert_eq!(r.verdict, Verdict::Pass, "{:?}", r.checks);
    }

    #[test]
    fn partly_when_a_few_homes_are_beyond_the_health_centre_walk() {
        let r = town(Some(10.0), true).run(evaluate);
        assert_eq!(check_verdict(&r, "health_centre_walk"), Verdict::Partly);
        assert_eq!(r.verdict, Verdict::Partly);
    }

    #[test]
    fn fail_when_a_village_has_no_clinic_within_the_walk() {
        // The health centre is 2 km (33 min) away on foot: too far.
        let r = town(None, false).run(evaluate);
        assert_eq!(check_verdict(&r, "village_clinic"), Verdict::Fail);
        let p = &r.checks[2].failing[0];
        assert!(p.zh.starts_with("甲村"));
        assert!((p.value.expect("min") - 2000.0 / 60.0).abs() < 0.1);
        assert_eq!(r.verdict, Verdict::Fail);
    }

    #[test]
    fn no_data_without_facilities() {
        let r = Town::new(None).village().run(evaluate);
        assert_eq!(r.verdict, Verdict::NoData);
        assert_eq!(r.checks.len(), 5);
    }
}
