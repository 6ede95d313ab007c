//! Village houses, households and the village facilities (the planted gaps G1, G5 included).

use geo::Contains;
use geo_types::{Coord, Point};

use crate::demo::data::*;
use crate::demo::geom::*;
use crate::io::synth::SplitMix64;

use super::places::{Footprints, RoadIndex, poi};
use super::plan::*;

/// Households per house: one to three (mean ≈ 1.85).
pub(super) fn households_of_house(rng: &mut SplitMix64) -> i64 {
    match rng.next_u64() % 20 {
        0..=6 => 1,
        7..=15 => 2,
        _ => 3,
    }
}

pub(super) fn make_village_buildings(
    t: &mut Town,
    v: &[Coord],
    lanes: &[Vec<Vec<Coord>>],
    fp: &mut Footprints,
    rng: &mut SplitMix64,
) {
    let roads = RoadIndex::new(&t.roads);
    let built = polygon(&t.built_up);
    let river = t.river_centre.clone();
    for (i, &cv) in v.iter().enumerate() {
        let name = VILLAGE_NAMES[i];
        let vpoly = t.villages[i].polygon.clone();
        let pls: Vec<Polyline> = lanes[i].iter().map(|l| Polyline::new(l.clone())).collect();
        let ok_site = |ring: &[Coord], p: Coord, min_road: f64, fp: &Footprints| {
            ring.iter()
                .all(|q| vpoly.contains(&Point(*q)) && !built.contains(&Point(*q)))
                && roads.dist(p) >= min_road
                && polyline_dist(p, &river) > 50.0
                && fp.free(ring)
        };

        // --- Public buildings in the corners between the lanes at the centre ---
        let mut angles: Vec<f64> = pls
            .iter()
            .map(|pl| {
                let d = sub(pl.at(40.0).0, cv);
                d.y.atan2(d.x)
            })
            .collect();
        angles.sort_by(f64::total_cmp);
        let mut corners = Vec::new();
        for k in 0..angles.len() {
            let a0 = angles[k];
            let mut a1 = if k + 1 < angles.len() {
                angles[k + 1]
            } else {
                angles[0] + std::f64::consts::TAU
            };
            if a1 <= a0 {
                a1 += std::f64::consts::TAU;
            }
            if a1 - a0 > 1.0 {
                corners.push((a0 + a1) / 2.0);
            }
        }
        let mut public_sites = Vec::new();
        for &bis in &corners {
            let p = add(cv, scale(dir(bis), 29.0));
            let ring = rect_ring(p, 13.0, 10.0, bis);
            if ok_site(&ring, p, 12.0, fp) {
                fp.add(&ring);
                t.buildings.push(Building {
                    ring,
                    use_: Use::Public,
                    floors: 2,
                    residents: 0,
                    front: p,
                    area: None,
                    village: Some(i),
                });
                public_sites.push(p);
            }
        }
        let mut services: Vec<(&'static str, String)> = Vec::new();
        if i != V_CHASHAN {
            services.push(("village_clinic", format!("{name}卫生室")));
        }
        services.push(("elderly_day_care", format!("{name}居家养老服务照料中心")));
        services.push(("village_service_station", format!("{name}便民服务站")));
        services.push(("culture_hall", format!("{name}文化礼堂")));
        for (k, (cat, n)) in services.into_iter().enumerate() {
            let p = match public_sites.get(k) {
                Some(p) => *p,
                // Fewer corners than services: share the last building, a few metres apart.
                None => add(
                    public_sites
                        .last()
                        .copied()
                        .unwrap_or(add(cv, c(20.0, 20.0))),
                    c(3.0 * k as f64, -3.0),
                ),
            };
            t.pois.push(poi(n, cat, format!("清溪镇{name}"), p));
        }
        if i % 3 == 0 {
            let p = add(public_sites.get(2).copied().unwrap_or(cv), c(4.0, 4.0));
            t.pois.push(poi(
                format!("{name}农家书屋"),
                "library",
                format!("清溪镇{name}"),
                p,
            ));
        }
        // Bus stop by the road into the village, fitness spot, shop, toilet.
        let side = |pl: &Polyline, s: f64, off: f64| {
            let (q, tg) = pl.at(s);
            add(q, scale(left(tg), off))
        };
        if i == V_BAISHA {
            // 白沙村's only stop is on 溪口线, across the river (G5).
            let xikou = t
                .roads
                .iter()
                .find(|r| r.name == "溪口线")
                .map(|r| Polyline::new(r.pts.clone()));
            if let Some(pl) = xikou {
                let (s, _) = pl.project(c(cv.x, cv.y + 400.0));
                t.pois.push(poi(
                    format!("{name}公交站"),
                    "bus_stop",
                    "溪口线白沙村对岸",
                    side(&pl, s, -7.0),
                ));
            }
        } else {
            t.pois.push(poi(
                format!("{name}公交站"),
                "bus_stop",
                format!("{name}村口"),
                side(&pls[0], 45.0, 7.0),
            ));
        }
        let pl1 = &pls[1 % pls.len()];
        t.pois.push(poi(
            format!("{name}健身点"),
            "fitness_spot",
            format!("清溪镇{name}"),
            side(pl1, 22.0, -8.0),
        ));
        let shop = if i % 2 == 0 { "小卖部" } else { "便利店" };
        let pl2 = &pls[2 % pls.len()];
        t.pois.push(poi(
            format!("{name}{shop}"),
            "convenience_store",
            format!("清溪镇{name}"),
            side(pl2, 60.0, 9.0),
        ));
        if i % 2 == 1 {
            t.pois.push(poi(
                format!("{name}公共厕所"),
                "public_toilet",
                format!("清溪镇{name}"),
                side(pl1, 75.0, -8.0),
            ));
        }

        // --- Houses ---
        let households = t.villages[i].households;
        let mut plan: Vec<i64> = Vec::new();
        let mut sum = 0;
        while sum < households {
            let h = households_of_house(rng).min(households - sum);
            plan.push(h);
            sum += h;
        }
        let n_houses = plan.len();
        let n_hamlet = if i == V_ZHUYUAN {
            14
        } else if rng.next_f64() < 0.6 {
            n_houses / 5
        } else {
            0
        };
        let n_centre = n_houses - n_hamlet;
        let mut placed: Vec<usize> = Vec::new(); // building indices
        let try_place = |t: &mut Town,
                         fp: &mut Footprints,
                         pl: &Polyline,
                         s: f64,
                         side: f64,
                         row: f64,
                         area: Option<&'static str>,
                         rng: &mut SplitMix64|
         -> bool {
            if s > pl.len_m() - 8.0 {
                return false;
            }
            let (q, tg) = pl.at(s);
            let p = add(q, scale(left(tg), side * row));
            let ang = tg.y.atan2(tg.x) + jit(rng, 0.06);
            let ring = rect_ring(p, rng.range(10.0, 13.0), rng.range(9.0, 12.0), ang);
            if !ok_site(&ring, p, 13.0, fp) {
                return false;
            }
            fp.add(&ring);
            t.buildings.push(Building {
                front: add(q, scale(left(tg), side * 7.0)),
                ring,
                use_: Use::Residential,
                floors: 2 + (rng.next_u64() % 3) as i64,
                residents: 0,
                area,
                village: Some(i),
            });
            true
        };
        'centre: for k in 0..40 {
            let s = 36.0 + 17.0 * k as f64;
            for pl in &pls {
                for row in [17.0, 39.0] {
                    for sd in [1.0, -1.0] {
                        if placed.len() >= n_centre {
                            break 'centre;
                        }
                        if try_place(t, fp, pl, s, sd, row, None, rng) {
                            placed.push(t.buildings.len() - 1);
                        }
                    }
                }
            }
        }
        if n_hamlet > 0 {
            let area = if i == V_ZHUYUAN { Some(G6_AREA) } else { None };
            let s0 = if i == V_ZHUYUAN {
                rng.range(560.0, 640.0)
            } else {
                rng.range(380.0, 480.0)
            };
            let mut got = 0;
            'hamlet: for k in 0..30 {
                let s = s0 + 17.0 * k as f64;
                for row in [17.0, 39.0] {
                    for sd in [1.0, -1.0] {
                        if got >= n_hamlet {
                            break 'hamlet;
                        }
                        if try_place(t, fp, &pls[0], s, sd, row, area, rng) {
                            placed.push(t.buildings.len() - 1);
                            got += 1;
                        }
                    }
                }
            }
            if i == V_ZHUYUAN {
                let pts: Vec<Coord> = placed[placed.len() - got..]
                    .iter()
                    .flat_map(|&b| t.buildings[b].ring.clone())
                    .collect();
                let (mut lo, mut hi) = (c(f64::MAX, f64::MAX), c(f64::MIN, f64::MIN));
                for p in pts {
                    lo = c(lo.x.min(p.x), lo.y.min(p.y));
                    hi = c(hi.x.max(p.x), hi.y.max(p.y));
                }
                t.areas
                    .push((G6_AREA, add(lo, c(-5.0, -5.0)), add(hi, c(5.0, 5.0))));
            }
        }
        // Residents: the village population shared by households over the houses placed.
        let hh: Vec<i64> = (0..placed.len())
            .map(|k| plan.get(k).copied().unwrap_or(1))
            .collect();
        let hh_sum: i64 = hh.iter().sum::<i64>().max(1);
        let pop = t.villages[i].population;
        let mut given = 0;
        for (k, &b) in placed.iter().enumerate() {
            let r = pop * hh[k] / hh_sum;
            t.buildings[b].residents = r;
            given += r;
        }
        let mut k = 0;
        while given < pop && !placed.is_empty() {
            t.buildings[placed[k % placed.len()]].residents += 1;
            given += 1;
            k += 1;
        }
    }
    // The interchange and a scenic spot, outside any village centre.
    let tpt = c(-3600.0, -3110.0);
    t.pois.push(poi(
        "清溪收费站",
        "expressway_interchange",
        "清溪高速（虚构）清溪互通",
        add(tpt, c(15.0, 12.0)),
    ));
}
