//! 1 快速便捷的对外交通通道: the 建成区 reaches the outside network (an interchange or a
//! national/provincial road) by car within the bands, and every 行政村 has a bus stop within a
//! walk of its centre.

use geo::Contains;
use geo_types::Point;

use super::{
    FailingHome, Item, band_max, check, finish, measure, merged_places, no_data, threshold,
};
use crate::tenones::context::Context;
use crate::tenones::result::{Check, Place, RuleResult, Verdict};

pub const ITEM: Item = Item {
    number: 1,
    id: "transport",
    zh: "快速便捷的对外交通通道",
    en: "Fast external transport links",
};

pub fn evaluate(ctx: &Context<'_>) -> RuleResult {
    let r = &ctx.cfg.transport;
    let thresholds = vec![
        threshold(
            "transport.drive_pass_min",
            "驾车至对外通道(达标)",
            "drive to the outside network (pass)",
            &r.drive_pass_min,
            "min",
        ),
        threshold(
            "transport.drive_partly_min",
            "驾车至对外通道(基本达标)",
            "drive to the outside network (partly)",
            &r.drive_partly_min,
            "min",
        ),
        threshold(
            "transport.sample_cell_m",
            "建成区采样网格",
            "built-up sample grid",
            &r.sample_cell_m,
            "m",
        ),
        threshold(
            "transport.bus_stop_walk_m",
            "村中心至公交站步行距离",
            "walk from a village centre to a bus stop",
            &r.bus_stop_walk_m,
            "m",
        ),
    ];
    let checks = vec![gateway_check(ctx), bus_check(ctx)];
    finish(
        &ITEM,
        checks,
        thresholds,
        "打通对外通道、增设公交站点",
        "Improve the link to the outside network and add bus stops",
    )
}

fn gateway_check(ctx: &Context<'_>) -> Check {
    let r = &ctx.cfg.transport;
    let (key, zh, en) = (
        "drive_to_gateway",
        "建成区驾车至互通或国省道",
        "drive from the built-up area to an interchange or national/provincial road",
    );
    if ctx.input.roads.is_empty() {
        return no_data(key, zh, en, "没有道路图层", "no road layer");
    }
    let Some(drive) = ctx.drive() else {
        return no_data(key, zh, en, "驾车网络无法建立", "no drivable network");
    };
    let mut gateways: Vec<[f64; 2]> = ctx
        .facilities(&r.gateway_categories)
        .iter()
        .map(|f| f.xy)
        .collect();
    if let Some(n) = &drive.network {
        let classes: Vec<_> = r
            .gateway_road_classes
            .iter()
            .filter_map(|c| ctx.profile.class_id(c))
            .collect();
        for (i, e) in n.graph.edges.iter().enumerate() {
            if classes.contains(&e.class) && n.mode_graph.usable(i as u32) {
                for v in [e.from, e.to] {
                    if let Some(xy) = n.graph.node_xy.get(v as usize) {
                        gateways.push(*xy);
                    }
                }
            }
        }
    }
    if gateways.is_empty() {
        return no_data(
            key,
            zh,
            en,
            "数据中没有互通或国道/省道",
            "no interchange or national/provincial road in the data",
        );
    }
    // Samples: the seat and grid points over the built-up area.
    let mut samples: Vec<[f64; 2]> = ctx
        .facilities(&r.seat_categories)
        .iter()
        .filter(|f| !ctx.has_built_up() || ctx.in_built_up(f.xy))
        .map(|f| f.xy)
        .collect();
    let seat = samples.first().copied();
    let cell = r.sample_cell_m.value;
    for m in ctx.built_up_polygons() {
        if let Some(b) = geo::BoundingRect::bounding_rect(m) {
            let mut y = (b.min().y / cell).floor() * cell + cell / 2.0;
            while y < b.max().y {
                let mut x = (b.min().x / cell).floor() * cell + cell / 2.0;
                while x < b.max().x {
                    if m.contains(&Point::new(x, y)) {
                        samples.push([x, y]);
                    }
                    x += cell;
                }
                y += cell;
            }
        }
    }
    if samples.is_empty() {
        return no_data(
            key,
            zh,
            en,
            "没有建成区图层或镇政府驻地",
            "no built-up area or town seat",
        );
    }
    let timer = ctx.timer(drive, &gateways);
    let minutes: Vec<f64> = samples.iter().map(|s| timer.time_s(*s) / 60.0).collect();
    let worst = minutes.iter().cloned().fold(0.0, f64::max);
    let mut c = check(key, zh, en);
    c.verdict = band_max(worst, r.drive_pass_min.value, r.drive_partly_min.value);
    c.measures.push(measure(
        "worst_min",
        "建成区最远采样点",
        "farthest built-up sample",
        worst,
        "min",
    ));
    if let Some(s) = seat {
        c.measures.push(measure(
            "seat_min",
            "镇政府驻地",
            "town seat",
            timer.time_s(s) / 60.0,
            "min",
        ));
    }
    c.measures.push(measure(
        "samples",
        "采样点数",
        "samples",
        samples.len() as f64,
        "个",
    ));
    let failing: Vec<FailingHome> = samples
        .iter()
        .zip(&minutes)
        .filter(|(_, m)| **m > r.drive_pass_min.value)
        .map(|(s, m)| FailingHome {
            xy: *s,
            weight: 1.0,
            value: *m,
        })
        .collect();
    if c.verdict != Verdict::Pass {
        // Neighbouring grid samples, diagonals included (√2 × the cell), are one place.
        let link_m = (cell * 1.5).max(ctx.cfg.place_merge_m.value);
        c.failing = merged_places(
            ctx,
            &failing,
            link_m,
            "min",
            ("个采样点", "sample points"),
            "驾车至对外通道超时",
            "too far by car from the outside network",
        );
    }
    c
}

fn bus_check(ctx: &Context<'_>) -> Check {
    let r = &ctx.cfg.transport;
    let (key, zh, en) = (
        "village_bus_stop",
        "每个行政村有公交站",
        "every village has a bus stop",
    );
    let villages = ctx.villages();
    if villages.is_empty() {
        return no_data(key, zh, en, "没有行政村图层", "no village layer");
    }
    if !ctx.has_facilities() {
        return no_data(key, zh, en, "没有设施(POI)图层", "no facility (POI) layer");
    }
    let Some(walk) = ctx.walk() else {
        return no_data(key, zh, en, "步行网络无法建立", "no walking network");
    };
    let stops: Vec<[f64; 2]> = ctx
        .facilities(&r.bus_stop_categories)
        .iter()
        .map(|f| f.xy)
        .collect();
    let timer = ctx.timer(walk, &stops);
    let mut c = check(key, zh, en);
    let mut served = 0;
    for v in villages {
        let m = timer.metres(timer.time_s(v.centre));
        if m <= r.bus_stop_walk_m.value {
            served += 1;
        } else {
            c.failing.push(Place {
                zh: format!("{}：村中心{}米内无公交站", v.name, r.bus_stop_walk_m.value),
                en: format!(
                    "{}: no bus stop within {} m of the centre",
                    v.name, r.bus_stop_walk_m.value
                ),
                layer: Some(v.layer.clone()),
                source: Some(v.source),
                xy: Some(v.centre),
                geometry: None,
                value: m.is_finite().then_some(m),
                unit: "m".into(),
                population: v.population,
            });
        }
    }
    c.measures.push(measure(
        "villages_served",
        "有公交站的行政村",
        "villages with a bus stop",
        served as f64,
        "个",
    ));
    c.measures.push(measure(
        "villages",
        "行政村",
        "villages",
        villages.len() as f64,
        "个",
    ));
    if !c.failing.is_empty() {
        c.verdict = Verdict::Fail;
    }
    c
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Role;
    use crate::tenones::test_town::{Town, VILLAGE_CENTRE, check_verdict};

    fn town() -> Town {
        Town::new(None).village().facilities(&[
            (VILLAGE_CENTRE, "village_service_station", "甲村便民服务站"),
            ([2550.0, 0.0], "bus_stop", "甲村公交站"),
        ])
    }

    #[test]
    fn pass_with_a_provincial_road_through_the_built_up_area_and_a_village_bus_stop() {
        let r = town()
            .road(&[[500.0, -3000.0], [500.0, 0.0]], "primary")
            .run(evaluate);
        assert_eq!(check_verdict(&r, "drive_to_gateway"), Verdict::Pass);
        assert_eq!(check_verdict(&r, "village_bus_stop"), Verdict::Pass);
        assert_eq!(r.verdict, Verdict::Pass);
        assert_eq!(r.score, Some(100.0));
        assert!(
            r.thresholds
                .iter()
                .any(|t| t.key == "transport.drive_pass_min" && t.value == 10.0)
        );
    }

    #[test]
    fn partly_when_the_interchange_is_10_to_30_minutes_away() {
        // ~10 km of 30 km/h street plus the walked access leg: about 22 minutes.
        let r = town()
            .road(&[[3200.0, 0.0], [11000.0, 0.0]], "residential")
            .facilities(&[([11000.0, 0.0], "expressway_interchange", "互通")])
            .run(evaluate);
        assert_eq!(check_verdict(&r, "drive_to_gateway"), Verdict::Partly);
        assert_eq!(r.verdict, Verdict::Partly);
        let c = &r.checks[0];
        let worst = c
            .measures
            .iter()
            .find(|m| m.key == "worst_min")
            .expect("worst")
            .value;
        assert!(worst > 10.0 && worst <= 30.0, "{worst}");
        // The whole built-up area is one place of sample points.
        assert_eq!(c.failing.len(), 1);
        assert!(c.failing[0].zh.starts_with("建成区") && c.failing[0].zh.contains("采样点"));
    }

    #[test]
    fn fail_when_a_village_has_no_bus_stop_within_the_walk() {
        let r = Town::new(None)
            .village()
            .road(&[[500.0, -3000.0], [500.0, 0.0]], "primary")
            .facilities(&[
                (VILLAGE_CENTRE, "village_service_station", "甲村便民服务站"),
                ([500.0, 0.0], "bus_stop", "镇公交站"),
            ])
            .run(evaluate);
        assert_eq!(check_verdict(&r, "village_bus_stop"), Verdict::Fail);
        assert_eq!(r.verdict, Verdict::Fail);
        let p = &r.checks[1].failing[0];
        assert!(p.zh.starts_with("甲村"));
        assert_eq!(p.xy, Some(VILLAGE_CENTRE));
        assert!((p.value.expect("metres") - 2000.0).abs() < 1.0);
        assert_eq!(p.population, Some(200.0));
        assert!(r.recommendation_zh.contains("甲村"));
    }

    #[test]
    fn no_data_without_roads_or_villages() {
        let r = Town::new(None).without(Role::Roads).run(evaluate);
        assert_eq!(check_verdict(&r, "drive_to_gateway"), Verdict::NoData);
        assert_eq!(check_verdict(&r, "village_bus_stop"), Verdict::NoData);
        assert_eq!(r.verdict, Verdict::NoData);
        assert_eq!(r.score, None);
        assert!(r.recommendation_en.contains("no road layer"));
    }
}
