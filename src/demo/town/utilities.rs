//! Waste-sorting points, sewers (with the planted combined segments) and the greenway (with its
//! planted break).

use std::collections::HashMap;

use geo::Contains;
use geo_types::{Coord, Point};

use crate::demo::data::*;
use crate::demo::geom::*;

use super::places::other_poi;
use super::plan::*;

/// Waste collection points: every residential building within 55 m of one, except the hamlet
/// of G6, which gets none.
pub(super) fn make_waste_points(t: &mut Town) {
    let mut pts: Vec<Coord> = Vec::new();
    let mut grid: HashMap<(i64, i64), Vec<usize>> = HashMap::new();
    let key = |p: Coord| ((p.x / 60.0).floor() as i64, (p.y / 60.0).floor() as i64);
    let mut counters: Vec<usize> = vec![0; VILLAGE_NAMES.len() + 1];
    for b in &t.buildings {
        if b.use_ != Use::Residential || b.area == Some(G6_AREA) {
            continue;
        }
        let cb = b.centre();
        let k = key(cb);
        let mut near = f64::INFINITY;
        for dx in -1..=1 {
            for dy in -1..=1 {
                if let Some(ids) = grid.get(&(k.0 + dx, k.1 + dy)) {
                    for &id in ids {
                        near = near.min(dist(cb, pts[id]));
                    }
                }
            }
        }
        if near <= 55.0 {
            continue;
        }
        grid.entry(key(b.front)).or_default().push(pts.len());
        pts.push(b.front);
        let (label, kind, slot) = match b.village {
            Some(v) => (
                VILLAGE_NAMES[v].to_string(),
                if matches!(v, V_GAOLING | V_TAOYUAN | V_HENGSHAN | V_LINGXIA) {
                    "二分类"
                } else {
                    "四分类"
                },
                v,
            ),
            None => ("清溪镇".to_string(), "四分类", VILLAGE_NAMES.len()),
        };
        counters[slot] += 1;
        t.waste_points.push(WastePoint {
            name: format!("{label}垃圾分类收集点{}号", counters[slot]),
            kind,
            p: b.front,
        });
    }
}

/// Sewers under the streets of the built-up area: separate foul and storm pipes, except five
/// old-quarter segments that are still combined (G8).
pub(super) fn make_sewers(t: &mut Town, g: &Grid) {
    let built = polygon(&t.built_up);
    let lao = |a: usize| c(g.xs[a], -85.0);
    let south = |a: usize| c(g.xs[a], -170.0);
    let combined: [(Coord, Coord); 5] = [
        (g.i(1, 0), lao(1)),
        (lao(1), south(1)),
        (g.i(2, 0), lao(2)),
        (lao(2), south(2)),
        (lao(1), lao(2)),
    ];
    for r in &t.roads {
        if r.bridge
            || matches!(
                r.class,
                RoadClass::Footway | RoadClass::Motorway | RoadClass::MotorwayLink
            )
        {
            continue;
        }
        let (foul, storm) = match r.class {
            RoadClass::TownMain | RoadClass::Provincial => (500, 800),
            RoadClass::TownSecondary => (400, 600),
            _ => (300, 400),
        };
        for w in r.pts.windows(2) {
            let (a, b) = (w[0], w[1]);
            if !built.contains(&Point(a)) || !built.contains(&Point(b)) || dist(a, b) < 5.0 {
                continue;
            }
            let is_combined = combined.iter().any(|(p, q)| {
                (dist(*p, a) < 0.01 && dist(*q, b) < 0.01)
                    || (dist(*p, b) < 0.01 && dist(*q, a) < 0.01)
            });
            if is_combined {
                t.sewers.push(Sewer {
                    kind: "合流",
                    diameter_mm: 600,
                    pts: vec![a, b],
                });
                continue;
            }
            let n = left(unit(sub(b, a)));
            let inside = |d: f64| {
                built.contains(&Point(add(a, scale(n, d))))
                    && built.contains(&Point(add(b, scale(n, d))))
            };
            if !inside(3.0) || !inside(-3.0) {
                continue;
            }
            t.sewers.push(Sewer {
                kind: "污水",
                diameter_mm: foul,
                pts: vec![add(a, scale(n, 3.0)), add(b, scale(n, 3.0))],
            });
            t.sewers.push(Sewer {
                kind: "雨水",
                diameter_mm: storm,
                pts: vec![add(a, scale(n, -3.0)), add(b, scale(n, -3.0))],
            });
        }
    }
}

/// The greenway 清溪绿道: from 清溪公园 along the north bank west to 溪口村 and east to the
/// scenic spot 清溪十八湾 and on to 石桥村, with one missing link (G7).
pub(super) fn make_greenway(t: &mut Town, g: &Grid, v: &[Coord], hw: &[f64]) {
    let bank = Polyline::new(offset(&t.river_centre, |i| hw[i] + 28.0));
    let s_at_x = |x: f64| {
        let (s, _) = bank.project(c(x, -300.0));
        s
    };
    let park = lerp(g.i(0, 0), g.i(1, 2), 0.5);
    let s_park = s_at_x(park.x);
    let p_park_bank = bank.at(s_park).0;
    let s_west = s_at_x(-2450.0);
    let s_e1 = s_at_x(1100.0);
    let s_gap = s_at_x(1650.0);
    let s_gap_end = s_gap + 115.0;
    let s_scenic = s_at_x(2250.0);
    let scenic = bank.at(s_scenic).0;

    let mut west = smooth(
        &[
            v[V_XIKOU],
            add(v[V_XIKOU], c(80.0, -250.0)),
            c(-2520.0, -150.0),
            bank.at(s_west).0,
        ],
        30.0,
    );
    let mut along = bank.slice(s_west, s_park);
    along.remove(0);
    west.extend(along);
    let town = vec![park, c(park.x, g.ys[0] - 40.0), p_park_bank];
    let e1 = bank.slice(s_park, s_e1);
    let e2a = bank.slice(s_e1, s_gap);
    let e2b = bank.slice(s_gap_end, s_scenic);
    let north = smooth(
        &[scenic, c(2250.0, 150.0), c(1950.0, 620.0), v[V_SHIQIAO]],
        30.0,
    );
    let gw = |name: &str, kind: &'static str, pts: Vec<Coord>| Greenway {
        name: name.to_string(),
        kind,
        pts,
    };
    t.greenway_break = (bank.at(s_gap).0, bank.at(s_gap_end).0);
    t.greenways = vec![
        gw("清溪绿道·城区段", "城镇型", town),
        gw("清溪绿道·溪口段", "郊野型", west),
        gw("清溪绿道·滨溪段", "滨水型", e1),
        gw("清溪绿道·十八湾段", "滨水型", e2a),
        gw("清溪绿道·十八湾段", "滨水型", e2b),
        gw("清溪绿道·石桥段", "乡村型", north),
    ];
    t.pois.push(other_poi(
        "清溪十八湾景区",
        "风景名胜;风景名胜;风景名胜",
        "110200",
        "清溪镇清溪十八湾",
        add(scenic, c(0.0, 25.0)),
    ));
}
