//! 10 现代化的基层社会治理: a 便民服务中心 in the town, a service station in every 行政村, and
//! governance grid cells (网格) that tile the town without gaps or overlaps.

use geo::{Area, BooleanOps, unary_union};
use geo_types::{Geometry, MultiPolygon, Polygon};

use super::{
    Item, at_least, band_share, check, finish, inside_village, measure, no_data, threshold,
};
use crate::tenones::context::{Context, polygons_of};
use crate::tenones::result::{Check, Place, RuleResult, Verdict};

pub const ITEM: Item = Item {
    number: 10,
    id: "governance",
    zh: "现代化的基层社会治理",
    en: "Modern grassroots governance",
};

pub fn evaluate(ctx: &Context<'_>) -> RuleResult {
    let r = &ctx.cfg.governance;
    let thresholds = vec![
        threshold(
            "governance.service_centre_min_count",
            "便民服务中心",
            "town service centres",
            &r.service_centre_min_count,
            "个",
        ),
        threshold(
            "governance.station_percent",
            "有便民服务站的村",
            "villages with a service station",
            &r.station_percent,
            "%",
        ),
        threshold(
            "governance.grid_gap_max_percent",
            "网格未覆盖比例",
            "town not covered by grid cells",
            &r.grid_gap_max_percent,
            "%",
        ),
        threshold(
            "governance.grid_overlap_max_percent",
            "网格重叠比例",
            "grid cells overlapping",
            &r.grid_overlap_max_percent,
            "%",
        ),
    ];
    let checks = vec![centre(ctx), stations(ctx), grid(ctx)];
    finish(
        &ITEM,
        checks,
        thresholds,
        "完善便民服务和网格治理",
        "Complete the service stations and the governance grid",
    )
}

fn centre(ctx: &Context<'_>) -> Check {
    let r = &ctx.cfg.governance;
    let (key, zh, en) = ("service_centre", "镇便民服务中心", "town service centre");
    if !ctx.has_facilities() {
        return no_data(key, zh, en, "没有设施(POI)图层", "no facility (POI) layer");
    }
    let n = ctx
        .facilities(&r.service_centre_categories)
        .iter()
        .filter(|f| ctx.in_town(f.xy))
        .count();
    let mut c = check(key, zh, en);
    c.verdict = at_least(n as f64, r.service_centre_min_count.value);
    c.measures.push(measure(
        "count",
        "便民服务中心",
        "service centres",
        n as f64,
        "个",
    ));
    c
}

fn stations(ctx: &Context<'_>) -> Check {
    let r = &ctx.cfg.governance;
    let (key, zh, en) = (
        "village_stations",
        "每村有便民服务站",
        "every village has a service station",
    );
    let villages = ctx.villages();
    if villages.is_empty() {
        return no_data(key, zh, en, "没有行政村图层", "no village layer");
    }
    if villages.iter().all(|v| v.polygon.is_none()) {
        return no_data(
            key,
            zh,
            en,
            "行政村没有边界面",
            "the villages have no polygons",
        );
    }
    if !ctx.has_facilities() {
        return no_data(key, zh, en, "没有设施(POI)图层", "no facility (POI) layer");
    }
    let pts: Vec<[f64; 2]> = ctx
        .facilities(&r.station_categories)
        .iter()
        .map(|f| f.xy)
        .collect();
    let mut c = check(key, zh, en);
    let mut ok = 0;
    for v in villages.iter().filter(|v| v.polygon.is_some()) {
        if inside_village(v, &pts) {
            ok += 1;
        } else {
            c.failing.push(Place {
                zh: format!("{}：无便民服务站", v.name),
                en: format!("{}: no service station", v.name),
                layer: Some(v.layer.clone()),
                source: Some(v.source),
                xy: Some(v.centre),
                geometry: None,
                value: None,
                unit: String::new(),
                population: v.population,
            });
        }
    }
    let n = villages.iter().filter(|v| v.polygon.is_some()).count();
    let percent = ok as f64 / n as f64 * 100.0;
    c.verdict = band_share(
        percent,
        r.station_percent.value,
        r.station_partly_percent.value,
    );
    c.measures.push(measure(
        "percent",
        "有服务站的村",
        "villages with a station",
        percent,
        "%",
    ));
    c
}

fn grid(ctx: &Context<'_>) -> Check {
    let r = &ctx.cfg.governance;
    let (key, zh, en) = (
        "grid_tiling",
        "网格全覆盖、无重叠",
        "grid cells tile the town",
    );
    if ctx.grids.is_empty() {
        return no_data(key, zh, en, "没有网格图层", "no governance grid layer");
    }
    let town: Vec<Polygon<f64>> = ctx
        .boundary_polygons()
        .iter()
        .flat_map(|m| m.0.iter().cloned())
        .collect();
    if town.is_empty() {
        return no_data(key, zh, en, "没有镇域边界图层", "no town boundary layer");
    }
    let cells: Vec<Polygon<f64>> = ctx
        .grids
        .iter()
        .flat_map(|l| l.features.iter().filter_map(|f| polygons_of(&f.geometry)))
        .flat_map(|m| m.0)
        .collect();
    if cells.is_empty() {
        return no_data(
            key,
            zh,
            en,
            "网格图层没有面要素",
            "the grid layer has no polygons",
        );
    }
    let town = unary_union(town.iter());
    let union = unary_union(cells.iter());
    let town_m2 = town.unsigned_area();
    let sum_m2: f64 = cells.iter().map(|p| p.unsigned_area()).sum();
    let gap: MultiPolygon<f64> = town.difference(&union);
    let gap_percent = gap.unsigned_area() / town_m2 * 100.0;
    let overlap_percent = (sum_m2 - union.unsigned_area()).max(0.0) / town_m2 * 100.0;
    let mut c = check(key, zh, en);
    c.measures.push(measure(
        "gap_percent",
        "未覆盖比例",
        "town not covered",
        gap_percent,
        "%",
    ));
    c.measures.push(measure(
        "overlap_percent",
        "重叠比例",
        "overlap",
        overlap_percent,
        "%",
    ));
    c.measures.push(measure(
        "cells",
        "网格数",
        "grid cells",
        cells.len() as f64,
        "个",
    ));
    if gap_percent > r.grid_gap_max_percent.value
        || overlap_percent > r.grid_overlap_max_percent.value
    {
        c.verdict = Verdict::Fail;
        if gap_percent > r.grid_gap_max_percent.value {
            let xy = crate::tenones::context::point_of(&Geometry::MultiPolygon(gap.clone()));
            c.failing.push(Place {
                zh: "镇域：网格未覆盖区域".into(),
                en: "the town: area not covered by grid cells".into(),
                layer: None,
                source: None,
                xy,
                geometry: Some(Geometry::MultiPolygon(gap)),
                value: Some(gap_percent),
                unit: "%".into(),
                population: None,
            });
        }
    }
    c
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Role;
    use crate::tenones::test_town::{CENTRE, Town, check_verdict};

    /// Ten villages in a row; stations in the first `stations` of them.
    fn town(stations: usize, grid: &[([f64; 2], [f64; 2])]) -> Town {
        let names: Vec<String> = (0..10).map(|i| format!("村{i}")).collect();
        let villages: Vec<(&str, [f64; 2], [f64; 2], f64)> = names
            .iter()
            .enumerate()
            .map(|(i, n)| {
                (
                    n.as_str(),
                    [1000.0 * i as f64, 1000.0],
                    [1000.0 * i as f64 + 900.0, 1900.0],
                    100.0,
                )
            })
            .collect();
        let mut list = vec![(CENTRE, "town_service_center", "便民服务中心")];
        let pts: Vec<[f64; 2]> = (0..stations)
            .map(|i| [1000.0 * i as f64 + 450.0, 1450.0])
            .collect();
        for p in &pts {
            list.push((*p, "village_service_station", "便民服务站"));
        }
        Town::new(None)
            .villages(&villages)
            .facilities(&list)
            .boxes(Role::Grid, grid)
    }

    const TILES: &[([f64; 2], [f64; 2])] = &[
        ([-5000.0, -5000.0], [5000.0, 5000.0]),
        ([5000.0, -5000.0], [15000.0, 5000.0]),
    ];

    #[test]
    fn pass_with_a_centre_stations_everywhere_and_a_tiling_grid() {
        let r = town(10, TILES).run(evaluate);
        assert_eq!(r.verdict, Verdict::Pass, "{:?}", r.checks);
    }

    #[test]
    fn partly_when_one_village_in_ten_lacks_a_station() {
        let r = town(9, TILES).run(evaluate);
        assert_eq!(check_verdict(&r, "village_stations"), Verdict::Partly);
        assert_eq!(r.checks[1].failing.len(), 1);
        assert!(r.checks[1].failing[0].zh.starts_with("村9"));
        assert_eq!(r.verdict, Verdict::Partly);
    }

    #[test]
    fn fail_when_the_grid_leaves_a_gap_or_overlaps() {
        let r = town(10, &[TILES[0]]).run(evaluate);
        assert_eq!(check_verdict(&r, "grid_tiling"), Verdict::Fail);
        let gap = r.checks[2]
            .measures
            .iter()
            .find(|m| m.key == "gap_percent")
            .expect("gap")
            .value;
        assert!((gap - 50.0).abs() < 0.01, "{gap}");
        let r = town(10, &[TILES[0], TILES[1], ([0.0, 0.0], [5000.0, 5000.0])]).run(evaluate);
        let overlap = r.checks[2]
            .measures
            .iter()
            .find(|m| m.key == "overlap_percent")
            .expect("o")
            .value;
        assert!((overlap - 12.5).abs() < 0.01, "{overlap}");
        assert_eq!(r.verdict, Verdict::Fail);
    }

    #[test]
    fn no_data_without_facilities_villages_or_grid() {
        let r = Town::new(None).run(evaluate);
        assert_eq!(r.verdict, Verdict::NoData);
        assert!(
            r.checks
                .iter()
                .all(|c| c.verdict == Verdict::NoData && !c.missing_zh.is_empty())
        );
    }
}
