//! The answer key's planted gaps (G1–G8): what each one is, where, the expectations a correct
//! analysis must meet, and what the generator's own network measures.

use std::collections::BTreeMap;

use geo_types::{Coord, Point};
use serde_json::{Value, json};

use super::data::ASSUMED_CAR_SPEEDS_KMH;
use super::shift::Origin;
use super::town::{self, G3_AREA, G4_AREA, G6_AREA, OLD_QUARTER, Town};
use super::{PlantedGap, files, geom, net};

fn bbox_json(t: &Town, o: Origin, name: &str) -> Value {
    t.areas
        .iter()
        .find(|(n, _, _)| *n == name)
        .map(|(_, lo, hi)| {
            let (lo, hi) = (o.to_crs(*lo), o.to_crs(*hi));
            json!([lo.x, lo.y, hi.x, hi.y])
        })
        .unwrap_or(Value::Null)
}

pub(super) fn planted_gaps(t: &Town, o: Origin) -> Vec<PlantedGap> {
    let speeds: serde_json::Map<String, Value> = ASSUMED_CAR_SPEEDS_KMH
        .iter()
        .filter(|(_, v)| *v > 0.0)
        .map(|(k, v)| (k.to_string(), json!(v)))
        .collect();
    let centre = |i: usize| {
        let p = o.to_crs(t.villages[i].centre);
        json!([p.x, p.y])
    };
    let mut measured = measure(t);
    let mut gap =
        |id: &str, kind: &str, place: &str, zh: &str, en: &str, expect: Vec<Value>| PlantedGap {
            id: id.into(),
            kind: kind.into(),
            place: place.into(),
            zh: zh.into(),
            en: en.into(),
            expect,
            measured: measured.remove(id).unwrap_or(Value::Null),
        };
    let gb = (o.to_crs(t.greenway_break.0), o.to_crs(t.greenway_break.1));
    vec![
        gap(
            "G1",
            "missing_facility",
            "茶山村",
            "茶山村没有村卫生室，步行15分钟内也没有任何医疗点（卫生院、卫生服务站、卫生室）。",
            "茶山村 (Chashan) has no village clinic, and no clinic of any kind within a 15-minute walk.",
            vec![
                json!({"village": "茶山村", "category": "village_clinic", "expect": "none_in_village"}),
                json!({"village": "茶山村", "from": centre(town::V_CHASHAN), "categories": ["village_clinic", "community_health_station", "health_center"], "mode": "walk", "expect": "none_within_m", "metres": 1250, "note": "15 min at 5 km/h"}),
            ],
        ),
        gap(
            "G2",
            "travel_time",
            "高岭村",
            "高岭村位于山区，只有一条盘山公路进出，驾车到镇卫生院超过30分钟；其他村均不超过20分钟。",
            "高岭村 (Gaoling) is a hill village reached by one winding road: more than 30 minutes by car to the township health centre; every other village is within 20 minutes.",
            vec![
                json!({"village": "高岭村", "from": centre(town::V_GAOLING), "category": "health_center", "mode": "car", "expect": "travel_time_min_gt", "minutes": 30, "assumed_speeds_kmh": speeds}),
                json!({"village": "*others*", "category": "health_center", "mode": "car", "expect": "travel_time_min_le", "minutes": 20, "assumed_speeds_kmh": speeds}),
            ],
        ),
        gap(
            "G3",
            "coverage",
            G3_AREA,
            "建成区西南的溪西安置小区，步行300米内没有幼儿园。",
            "The 溪西 resettlement compound in the south-west of the built-up area has no kindergarten within a 300 m walk.",
            vec![
                json!({"area": G3_AREA, "bbox": bbox_json(t, o, G3_AREA), "residential_buildings": "all in bbox", "category": "kindergarten", "mode": "walk", "expect": "none_within_m", "metres": 300}),
            ],
        ),
        gap(
            "G4",
            "coverage",
            G4_AREA,
            "建成区东北的东苑小区，步行500米内没有菜市场（农贸市场）。",
            "The 东苑 compound in the north-east of the built-up area is more than a 500 m walk from any fresh market.",
            vec![
                json!({"area": G4_AREA, "bbox": bbox_json(t, o, G4_AREA), "residential_buildings": "all in bbox", "category": "fresh_market", "mode": "walk", "expect": "none_within_m", "metres": 500}),
            ],
        ),
        gap(
            "G5",
            "barrier",
            "白沙村",
            "白沙村唯一的公交站在清溪对岸：直线约400米，但附近没有桥，沿道路超过2公里。",
            "白沙村 (Baisha)'s only bus stop is across the river: about 400 m in a straight line but more than 2 km along roads (no bridge nearby).",
            vec![
                json!({"village": "白沙村", "from": centre(town::V_BAISHA), "category": "bus_stop", "expect": "nearest_straight_m_lt", "metres": 500}),
                json!({"village": "白沙村", "from": centre(town::V_BAISHA), "category": "bus_stop", "mode": "walk", "expect": "none_within_m", "metres": 2000}),
            ],
        ),
        gap(
            "G6",
            "coverage",
            G6_AREA,
            "竹园村下坞自然村的住宅70米内没有垃圾分类收集点；其余住宅均在70米内。",
            "The 下坞 hamlet of 竹园村 (Zhuyuan) has no waste collection point within 70 m; every other residential building has one within 70 m.",
            vec![
                json!({"area": G6_AREA, "bbox": bbox_json(t, o, G6_AREA), "layer": files::WASTE_POINTS, "expect": "none_within_m", "metres": 70, "distance": "straight line from building centroid"}),
                json!({"area": "*all other residential buildings*", "layer": files::WASTE_POINTS, "expect": "within_m", "metres": 70}),
            ],
        ),
        gap(
            "G7",
            "continuity",
            "清溪绿道·十八湾段",
            "清溪绿道十八湾段有一处约115米的断点，其余各段首尾相接。",
            "The greenway has one break of about 115 m in its 十八湾 section; everywhere else the segments join.",
            vec![
                json!({"layer": files::GREENWAYS, "expect": "one_gap_m_between", "min_m": 50, "max_m": 200, "ends_epsg4549": [[gb.0.x, gb.0.y], [gb.1.x, gb.1.y]]}),
            ],
        ),
        gap(
            "G8",
            "attribute",
            OLD_QUARTER,
            "建成区老街片区有5段雨污合流管（类型=合流），其余管段均已雨污分流。",
            "Five sewer segments in the old quarter of the built-up area are combined (类型=合流); all other segments are separated.",
            vec![
                json!({"area": OLD_QUARTER, "bbox": bbox_json(t, o, OLD_QUARTER), "layer": files::SEWERS, "field": "类型", "value": "合流", "expect": "count_in_built_up", "count": 5}),
            ],
        ),
    ]
}

/// The planted gaps as the generator's own network sees them, rounded to metres / 0.1 min.
fn measure(t: &Town) -> BTreeMap<&'static str, Value> {
    use net::{Mode, Net};
    use town::Use;
    let walk = Net::new(&t.roads, Mode::Walk);
    let car = Net::new(&t.roads, Mode::Car);
    let pts = |cats: &[&str]| -> Vec<Coord> {
        t.pois
            .iter()
            .filter(|p| p.category.is_some_and(|c| cats.contains(&c)))
            .map(|p| p.p)
            .collect()
    };
    let m = |v: f64| (v * 10.0).round() / 10.0;
    let mut out = BTreeMap::new();

    let d = walk.dijkstra(&walk.sources(&pts(&[
        "village_clinic",
        "community_health_station",
        "health_center",
    ])));
    out.insert("G1", json!({"walk_m_to_nearest_clinic": m(walk.cost_to(&d, t.villages[town::V_CHASHAN].centre))}));

    let d = car.dijkstra(&car.sources(&pts(&["health_center"])));
    let mins: Vec<f64> = t
        .villages
        .iter()
        .map(|v| car.cost_to(&d, v.centre) / 60.0)
        .collect();
    let others = mins
        .iter()
        .enumerate()
        .filter(|(i, _)| *i != town::V_GAOLING)
        .map(|(_, v)| *v)
        .fold(0.0, f64::max);
    out.insert("G2", json!({"car_min_gaoling": m(mins[town::V_GAOLING]), "car_min_other_villages_max": m(others)}));

    let built = geom::polygon(&t.built_up);
    let homes: Vec<(Coord, Option<&str>)> = t
        .buildings
        .iter()
        .filter(|b| {
            b.use_ == Use::Residential && geo::Contains::contains(&built, &Point(b.centre()))
        })
        .map(|b| (b.centre(), b.area))
        .collect();
    for (id, area, cat) in [
        ("G3", G3_AREA, "kindergarten"),
        ("G4", G4_AREA, "fresh_market"),
    ] {
        let d = walk.dijkstra(&walk.sources(&pts(&[cat])));
        let (mut inside, mut outside) = (f64::INFINITY, 0.0_f64);
        for (p, a) in &homes {
            let v = walk.cost_to(&d, *p);
            if *a == Some(area) {
                inside = inside.min(v);
            } else {
                outside = outside.max(v);
            }
        }
        out.insert(id, json!({"walk_m_nearest_from_area_min": m(inside), "walk_m_nearest_elsewhere_in_built_up_max": m(outside)}));
    }

    let baisha = t.villages[town::V_BAISHA].centre;
    let straight = t
        .pois
        .iter()
        .filter(|p| p.category == Some("bus_stop"))
        .map(|p| geom::dist(p.p, baisha))
        .fold(f64::INFINITY, f64::min);
    let d = walk.dijkstra(&walk.sources(&pts(&["bus_stop"])));
    out.insert("G5", json!({"straight_m_to_nearest_stop": m(straight), "walk_m_to_nearest_stop": m(walk.cost_to(&d, baisha))}));

    let (mut hamlet, mut rest) = (f64::INFINITY, 0.0_f64);
    for b in t.buildings.iter().filter(|b| b.use_ == Use::Residential) {
        let near = t
            .waste_points
            .iter()
            .map(|w| geom::dist(w.p, b.centre()))
            .fold(f64::INFINITY, f64::min);
        if b.area == Some(G6_AREA) {
            hamlet = hamlet.min(near);
        } else {
            rest = rest.max(near);
        }
    }
    out.insert(
        "G6",
        json!({"straight_m_hamlet_min": m(hamlet), "straight_m_other_homes_max": m(rest)}),
    );
    let total_m: f64 = t
        .greenways
        .iter()
        .map(|g| geom::Polyline::new(g.pts.clone()).len_m())
        .sum();
    out.insert(
        "G7",
        json!({"gap_m": m(geom::dist(t.greenway_break.0, t.greenway_break.1)), "total_km": (total_m / 10.0).round() / 100.0}),
    );
    out.insert(
        "G8",
        json!({"combined_segments": t.sewers.iter().filter(|s| s.kind == "合流").count()}),
    );
    out
}
