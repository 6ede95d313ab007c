//! Roads: the town grid, the expressway and its interchange, county and village roads, mountain
//! roads, village lanes, junction vertices and bridges over the river.

use geo::Contains;
use geo_types::{Coord, Point};

use crate::demo::data::*;
use crate::demo::geom::*;
use crate::io::synth::SplitMix64;

use super::plan::*;

// ---------------------------------------------------------------------------------------------
// Roads
// ---------------------------------------------------------------------------------------------

pub(super) fn nearest_on(pts: &[Coord], p: Coord) -> Coord {
    let pl = Polyline::new(pts.to_vec());
    let (s, _) = pl.project(p);
    pl.at(s).0
}

/// The point on `pts` nearest to `p`, inserted as a vertex; returns it.
pub(super) fn attach(pts: &mut Vec<Coord>, p: Coord) -> Coord {
    let q = nearest_on(pts, p);
    insert_vertex(pts, q);
    q
}

pub(super) fn insert_vertex(pts: &mut Vec<Coord>, q: Coord) {
    if pts.contains(&q) {
        return;
    }
    let mut best = (0, f64::INFINITY);
    for i in 0..pts.len().saturating_sub(1) {
        let d = seg_dist(q, pts[i], pts[i + 1]);
        if d < best.1 {
            best = (i, d);
        }
    }
    pts.insert(best.0 + 1, q);
}

pub(super) fn make_roads(t: &mut Town, g: &Grid, v: &[Coord], rng: &mut SplitMix64) {
    use RoadClass::*;
    let mut roads: Vec<Road> = Vec::new();
    let n = GRID_N;

    // --- The town grid ---------------------------------------------------------------------
    let ns_names = [
        "西环路",
        "文化路",
        "学府路",
        "人民路",
        "新华路",
        "建设路",
        "东环路",
    ];
    let ew_names = [
        "南街",
        "和平路",
        "解放路",
        "中山路",
        "青年路",
        "振兴路",
        "北环路",
    ];
    for (a, name) in ns_names.iter().enumerate() {
        let class = match a {
            3 => TownMain,
            0 | 6 => TownSecondary,
            _ => TownBranch,
        };
        let pts: Vec<Coord> = (0..=n).map(|b| g.i(a, b)).collect();
        let mut r = Road::new(*name, class, pts);
        if a == 1 {
            // 文化路 is one-way northbound.
            r.oneway = true;
        }
        roads.push(r);
    }
    for (b, name) in ew_names.iter().enumerate() {
        let class = match b {
            3 => TownMain,
            0 | 6 => TownSecondary,
            _ => TownBranch,
        };
        let mut pts: Vec<Coord> = (0..=n).map(|a| g.i(a, b)).collect();
        if b <= 3 {
            // The southern streets run on through the industrial park.
            for k in 1..=IND_STREETS {
                pts.push(c(g.xs[6] + 125.0 * k as f64 + 20.0, g.ys[b]));
            }
        }
        let mut r = Road::new(*name, class, pts);
        if b == 5 {
            // 振兴路 is one-way eastbound.
            r.oneway = true;
        }
        roads.push(r);
    }
    // Industrial park streets (north-south), from the riverside road to 中山路.
    let ind_x: Vec<f64> = (1..=IND_STREETS)
        .map(|k| g.xs[6] + 125.0 * k as f64 + 20.0)
        .collect();
    let riverside_y = -170.0;
    for (k, &x) in ind_x.iter().enumerate() {
        let mut pts = vec![c(x, riverside_y)];
        pts.extend((0..=3).map(|b| c(x, g.ys[b])));
        roads.push(Road::new(
            format!(
                "工业{}路",
                ["一", "二", "三", "四", "五", "六", "七", "八", "九", "十"][k]
            ),
            TownBranch,
            pts,
        ));
    }
    // The old quarter: lanes continuing 文化路, 学府路 and 人民路 south to the riverside road,
    // 老街 across them; 东门路 continues 新华路 to the riverside road and 清南线.
    let lao_y = -85.0;
    for a in 1..=4 {
        let pts = if a == 4 {
            vec![g.i(a, 0), c(g.xs[a], riverside_y)]
        } else {
            vec![g.i(a, 0), c(g.xs[a], lao_y), c(g.xs[a], riverside_y)]
        };
        let mut r = Road::new(
            ["西门弄", "后街弄", "南门弄", "东门路"][a - 1],
            TownBranch,
            pts,
        );
        if a == 3 {
            // 南门弄 is one-way southbound.
            r.oneway = true;
        }
        roads.push(r);
    }
    roads.push(Road::new(
        "老街",
        TownBranch,
        (1..=3).map(|a| c(g.xs[a], lao_y)).collect(),
    ));
    // The riverside road 沿溪路, from the provincial road to the treatment plant in the east.
    let r0 = c(g.xs[0] - 170.0, riverside_y); // on the provincial road, see below
    let mut riverside = vec![r0];
    riverside.extend((1..=4).map(|a| c(g.xs[a], riverside_y)));
    riverside.extend(ind_x.iter().map(|&x| c(x, riverside_y)));
    riverside.push(c(WWTP_X + 60.0, riverside_y));
    roads.push(Road::new("沿溪路", TownSecondary, riverside));

    // The south-west compound (G3): 溪西路 continues 南街 west to its lane, which runs north
    // to 解放路 (extended west).
    let lane3 = c(G3_LANE_X, g.ys[0]);
    let lane3_n = c(G3_LANE_X, g.ys[2]);
    roads.push(Road::new("溪西路", TownBranch, vec![g.i(0, 0), lane3]));
    let lane3_m = c(G3_LANE_X, g.ys[1]);
    roads.push(Road::new(
        "溪西一弄",
        TownBranch,
        vec![lane3, lane3_m, lane3_n],
    ));
    roads.push(Road::new("和平路", TownBranch, vec![lane3_m, g.i(0, 1)]));
    roads.push(Road::new("解放路", TownBranch, vec![lane3_n, g.i(0, 2)]));
    t.areas.push((
        G3_AREA,
        c(G3_LANE_X - 80.0, 10.0),
        c(g.xs[0] - 15.0, g.ys[2] - 10.0),
    ));

    // The north-east compound (G4): 东苑路 continues 北环路 east; its lane runs south to
    // 振兴路 (extended east, two-way).
    let lane4 = c(G4_LANE_X, g.ys[6]);
    let lane4_s = c(G4_LANE_X, g.ys[5]);
    roads.push(Road::new(
        "东苑路",
        TownBranch,
        vec![g.i(6, 6), lane4, c(G4_LANE_X + 90.0, g.ys[6])],
    ));
    roads.push(Road::new("东苑一弄", TownBranch, vec![lane4, lane4_s]));

    roads.push(Road::new(
        "振兴路",
        TownBranch,
        vec![c(G4_LANE_X + 90.0, g.ys[5]), lane4_s, g.i(6, 5)],
    ));
    t.areas.push((
        G4_AREA,
        c(g.xs[6] + 95.0, g.ys[5] + 10.0),
        c(G4_LANE_X + 90.0, g.ys[6] - 10.0),
    ));

    // --- Provincial road 溪富线: south-west, through the grid diagonal, north-east ----------
    let diag: Vec<Coord> = (0..=n).map(|k| g.i(k, k)).collect();
    let ne_ctrl = [
        g.i(n, n),
        c(700.0, 1080.0),
        c(1150.0, 1500.0),
        c(1700.0, 2000.0),
        c(2400.0, 2550.0),
        c(3100.0, 3100.0),
        c(3700.0, 3650.0),
    ];
    let ne = smooth(&ne_ctrl, 50.0);
    let junction_sw = c(-3850.0, -3060.0);
    let sw_ctrl = [
        g.i(0, 0),
        r0,
        c(-1100.0, -700.0),
        c(-1700.0, -1200.0),
        c(-2300.0, -1700.0),
        c(-2900.0, -2200.0),
        c(-3300.0, -2650.0),
        c(-3700.0, -2950.0),
        junction_sw,
        c(-4050.0, -3250.0),
        c(-4250.0, -3480.0),
        c(-4500.0, -3800.0),
        c(-4800.0, -4200.0),
    ];
    let mut sw = vec![sw_ctrl[0], sw_ctrl[1]];
    sw.extend(smooth(&sw_ctrl[1..], 50.0).into_iter().skip(1));
    let mut prov_sw = sw;
    let mut prov_ne = ne;
    let mut prov_town = diag;
    for r in [&mut prov_sw, &mut prov_ne, &mut prov_town] {
        r.dedup();
    }

    // --- Expressway with its one interchange (outside the township, south-west) -------------
    let p1 = c(-3950.0, -3290.0);
    let p2 = c(-3250.0, -3040.0);
    let ex_ctrl = [
        c(-7000.0, -3700.0),
        c(-4800.0, -3520.0),
        p1,
        p2,
        c(-2000.0, -2600.0),
        c(0.0, -2300.0),
        c(2000.0, -1980.0),
        c(3600.0, -1650.0),
        c(5200.0, -1350.0),
        c(7000.0, -1100.0),
    ];
    let expressway = smooth(&ex_ctrl, 60.0);
    let tpt = c(-3600.0, -3110.0);
    let ramp_w = smooth(&[tpt, c(-3780.0, -3170.0), p1], 20.0);
    let ramp_e = smooth(&[tpt, c(-3420.0, -3060.0), p2], 20.0);

    // --- County and village roads -------------------------------------------------------------
    let xikou_line = smooth(
        &[
            r0,
            c(-800.0, -195.0),
            c(-1200.0, -250.0),
            c(-1700.0, -290.0),
            c(-2300.0, -300.0),
            c(-2650.0, -200.0),
            c(-2750.0, 150.0),
            v[V_XIKOU],
        ],
        40.0,
    );
    let xitao = smooth(
        &[
            v[V_XIKOU],
            c(-2900.0, 800.0),
            c(-3200.0, 1150.0),
            v[V_TAOYUAN],
        ],
        40.0,
    );
    let qingling = smooth(
        &[
            g.i(0, n),
            c(-430.0, 1100.0),
            c(-650.0, 1600.0),
            c(-850.0, 2000.0),
            v[V_FENGLIN],
            c(-1300.0, 2350.0),
            c(-1900.0, 2150.0),
            c(-2500.0, 1930.0),
            c(-3000.0, 1650.0),
            v[V_TAOYUAN],
        ],
        40.0,
    );
    let qingzhu = smooth(
        &[
            g.i(3, n),
            c(30.0, 1150.0),
            c(250.0, 1750.0),
            c(500.0, 2200.0),
            v[V_ZHUYUAN],
        ],
        40.0,
    );
    let qingcha = smooth(
        &[
            c(ind_x[IND_STREETS - 1], g.ys[2]),
            c(1700.0, 330.0),
            c(1900.0, 430.0),
            c(2400.0, 520.0),
            c(3000.0, 600.0),
            v[V_CHASHAN],
        ],
        40.0,
    );
    let dongwu_line = smooth(
        &[
            nearest_on(&qingcha, c(2400.0, 520.0)),
            c(2550.0, 150.0),
            c(2650.0, -250.0),
            c(2700.0, -700.0),
            v[V_DONGWU],
            c(2200.0, -1250.0),
            v[V_XINLIAN],
        ],
        40.0,
    );
    let qingnan = smooth(
        &[
            c(g.xs[4], riverside_y),
            c(g.xs[4] + 10.0, -450.0),
            c(60.0, -800.0),
            c(-250.0, -1150.0),
            v[V_XIAYANG],
            c(-520.0, -2000.0),
            c(-470.0, -2400.0),
            c(-420.0, -2930.0),
            c(-350.0, -3500.0),
            c(-300.0, -4100.0),
        ],
        40.0,
    );
    let mut qingcha = qingcha;
    let mut qingnan = qingnan;
    let mut dongwu_line = dongwu_line;
    let xinlian_link = {
        let a = attach(&mut qingnan, c(60.0, -800.0));
        smooth(&[a, c(700.0, -950.0), v[V_XINLIAN]], 40.0)
    };
    let shiqiao_link = {
        let a = attach(&mut qingcha, c(v[V_SHIQIAO].x, 400.0));
        smooth(&[a, c(v[V_SHIQIAO].x + 60.0, 700.0), v[V_SHIQIAO]], 40.0)
    };
    let shangtang_link = {
        let a = attach(&mut prov_ne, v[V_SHANGTANG]);
        let mid = lerp(a, v[V_SHANGTANG], 0.5);
        smooth(&[a, add(mid, c(0.0, 60.0)), v[V_SHANGTANG]], 40.0)
    };
    let hengshan_link = {
        let a = attach(&mut prov_sw, c(-2300.0, -1700.0));
        smooth(&[a, c(-2900.0, -1550.0), v[V_HENGSHAN]], 40.0)
    };
    let baisha_link = {
        let a = attach(&mut prov_sw, c(-1100.0, -700.0));
        smooth(&[a, c(-1700.0, -745.0), v[V_BAISHA]], 40.0)
    };
    let lingxia_link = {
        let a = attach(&mut qingnan, c(-420.0, -2900.0));
        smooth(&[a, c(-800.0, -3020.0), v[V_LINGXIA]], 40.0)
    };
    let _ = &mut dongwu_line;
    // The junction of 东坞线 on 清茶线 must be a vertex of 清茶线.
    insert_vertex(&mut qingcha, dongwu_line[0]);
    let gaoling = mountain_road(v[V_TAOYUAN], v[V_GAOLING], rng);

    let p = |name: &str, class: RoadClass, pts: Vec<Coord>| Road::new(name, class, pts);
    roads.push(p("溪富线", Provincial, prov_town));
    roads.push(p("溪富线", Provincial, prov_sw));
    roads.push(p("溪富线", Provincial, prov_ne));
    roads.push(p("清溪高速（虚构）", Motorway, expressway));
    roads.push(p("清溪互通匝道", MotorwayLink, ramp_w));
    roads.push(p("清溪互通匝道", MotorwayLink, ramp_e));
    roads.push(p("清溪互通连接线", Provincial, vec![junction_sw, tpt]));
    roads.push(p("溪口线", County, xikou_line));
    roads.push(p("溪桃线", County, xitao));
    roads.push(p("清岭线", County, qingling));
    roads.push(p("清竹线", County, qingzhu));
    roads.push(p("清茶线", County, qingcha));
    roads.push(p("东坞线", County, dongwu_line));
    roads.push(p("清南线", County, qingnan));
    roads.push(p("新联村村道", Village, xinlian_link));
    roads.push(p("石桥村村道", Village, shiqiao_link));
    roads.push(p("上塘村村道", Village, shangtang_link));
    roads.push(p("横山村村道", Village, hengshan_link));
    roads.push(p("白沙村村道", Village, baisha_link));
    roads.push(p("岭下村村道", Village, lingxia_link));
    let mut m = p("高岭盘山公路", Village, gaoling);
    m.limit_kmh = 20;
    roads.push(m);
    // Footpaths in the town: across 清溪公园 (block 0,1) and to the riverside.
    roads.push(p(
        "清溪公园步道",
        Footway,
        vec![g.i(0, 1), c(g.xs[0] + 50.0, g.ys[1] + 40.0), g.i(1, 2)],
    ));
    t.roads = roads;
}

/// The winding road up to 高岭村: a valley road, then switchbacks, then a ridge road.
pub(super) fn mountain_road(from: Coord, to: Coord, rng: &mut SplitMix64) -> Vec<Coord> {
    let mut ctrl = vec![from];
    // Valley: west-north-west with meanders.
    let valley = [
        c(-3650.0, 1700.0),
        c(-3900.0, 1760.0),
        c(-4150.0, 1950.0),
        c(-4400.0, 2000.0),
        c(-4600.0, 2200.0),
    ];
    ctrl.extend(
        valley
            .iter()
            .map(|p| add(*p, c(jit(rng, 25.0), jit(rng, 25.0)))),
    );
    let mut pts = smooth(&ctrl, 25.0);
    // Switchbacks climbing north between x_w and x_e, legs 80 m apart.
    let (x_w, x_e) = (-4780.0, -3940.0);
    let legs = 12;
    let mut y = 2300.0;
    let mut at_west = false;
    let mut last = *pts.last().unwrap_or(&from);
    // First run to the start of the switchbacks.
    let start = c(x_w, y);
    for k in 1..=4 {
        pts.push(lerp(last, start, k as f64 / 4.0));
    }
    last = start;
    for _ in 0..legs {
        let x_to = if at_west { x_w } else { x_e } + jit(rng, 70.0);
        // The leg, gently curving.
        let end = c(x_to, y);
        let m = 12;
        for k in 1..=m {
            let tt = k as f64 / m as f64;
            let mut q = lerp(last, end, tt);
            q.y += 22.0 * (tt * std::f64::consts::PI).sin();
            pts.push(q);
        }
        // Hairpin: a half circle of radius 40 m up to the next leg.
        let centre = c(x_to, y + 40.0);
        let sgn = if at_west { -1.0 } else { 1.0 };
        for k in 1..=8 {
            let a = -std::f64::consts::FRAC_PI_2 + std::f64::consts::PI * k as f64 / 8.0;
            pts.push(add(centre, c(sgn * 40.0 * a.cos(), 40.0 * a.sin())));
        }
        y += 80.0;
        last = *pts.last().unwrap_or(&end);
        at_west = !at_west;
    }
    // Ridge road to the village.
    let ridge = smooth(
        &[
            last,
            lerp(last, to, 0.35),
            add(lerp(last, to, 0.65), c(120.0, -60.0)),
            to,
        ],
        25.0,
    );
    pts.extend(ridge.into_iter().skip(1));
    pts.dedup();
    pts
}

/// Village lanes: for every village, lanes from the centre in the directions no road takes.
/// Returns, per village, the lane polylines (roads through the centre included) for houses.
pub(super) fn make_village_lanes(
    t: &mut Town,
    v: &[Coord],
    rng: &mut SplitMix64,
) -> Vec<Vec<Vec<Coord>>> {
    let mut out = Vec::new();
    for (i, &cv) in v.iter().enumerate() {
        // Directions of the roads at the centre (each road that has cv as a vertex).
        let mut lanes: Vec<Vec<Coord>> = Vec::new();
        for r in &t.roads {
            for (k, p) in r.pts.iter().enumerate() {
                if *p == cv {
                    if k + 1 < r.pts.len() {
                        lanes.push(r.pts[k..].to_vec());
                    }
                    if k > 0 {
                        let mut back = r.pts[..=k].to_vec();
                        back.reverse();
                        lanes.push(back);
                    }
                }
            }
        }
        let dirs: Vec<f64> = lanes
            .iter()
            .map(|l| {
                let pl = Polyline::new(l.clone());
                let (q, _) = pl.at(40.0);
                let d = sub(q, cv);
                d.y.atan2(d.x)
            })
            .collect();
        let base = dirs.first().copied().unwrap_or(0.0);
        let mut arms = 0;
        for k in 1..4 {
            let a = base + k as f64 * std::f64::consts::FRAC_PI_2 + jit(rng, 0.08);
            let free = dirs.iter().all(|d| {
                let diff = (a - d).rem_euclid(std::f64::consts::TAU);
                diff.min(std::f64::consts::TAU - diff) > 0.7
            });
            if !free {
                continue;
            }
            let len = 230.0;
            let pts: Vec<Coord> = (0..=4)
                .map(|s| add(cv, scale(dir(a), len * s as f64 / 4.0)))
                .collect();
            // Keep clear of the river and of other roads.
            let near_river = pts
                .iter()
                .any(|p| polyline_dist(*p, &t.river_centre) < 90.0);
            let crosses = t.roads.iter().any(|r| {
                r.pts.windows(2).any(|w| {
                    seg_intersect(add(cv, scale(dir(a), 5.0)), pts[4], w[0], w[1]).is_some()
                })
            });
            let outside = pts
                .iter()
                .any(|p| !t.villages[i].polygon.contains(&Point(*p)));
            if near_river || crosses || outside {
                continue;
            }
            arms += 1;
            lanes.push(pts.clone());
            let name = format!("{}{}", VILLAGE_NAMES[i], ["东弄", "北弄", "西弄"][k - 1]);
            t.roads.push(Road::new(name, RoadClass::Village, pts));
        }
        // A footpath joining the tips of two lanes in some villages.
        if arms >= 2 && i % 2 == 0 {
            let n = lanes.len();
            let (la, lb) = (&lanes[n - 2], &lanes[n - 1]);
            let (ta, tb) = (la[la.len() - 1], lb[lb.len() - 1]);
            let (aa, ab) = (sub(ta, cv), sub(tb, cv));
            let (a0, mut a1) = (aa.y.atan2(aa.x), ab.y.atan2(ab.x));
            // the shorter way round
            let mut d = a1 - a0;
            while d > std::f64::consts::PI {
                a1 -= std::f64::consts::TAU;
                d = a1 - a0;
            }
            while d < -std::f64::consts::PI {
                a1 += std::f64::consts::TAU;
                d = a1 - a0;
            }
            let r = norm(aa) + 30.0;
            let mut pts = vec![ta];
            for k in 0..=10 {
                let a = a0 + d * k as f64 / 10.0;
                pts.push(add(cv, scale(dir(a), r)));
            }
            pts.push(tb);
            // Only where it crosses no road (the lanes it joins are met at their tips).
            let n = pts.len();
            let mut inner = vec![lerp(ta, pts[1], 0.2)];
            inner.extend_from_slice(&pts[1..n - 1]);
            inner.push(lerp(tb, pts[n - 2], 0.2));
            let crosses = t.roads.iter().any(|r| {
                r.pts.windows(2).any(|w| {
                    inner
                        .windows(2)
                        .any(|v| seg_intersect(v[0], v[1], w[0], w[1]).is_some())
                })
            });
            let outside = pts
                .iter()
                .any(|p| !t.villages[i].polygon.contains(&Point(*p)));
            if !crosses && !outside {
                t.roads.push(Road::new(
                    format!("{}游步道", VILLAGE_NAMES[i]),
                    RoadClass::Footway,
                    pts,
                ));
            }
        }
        out.push(lanes);
    }
    out
}

/// Make every road endpoint that lies on another road a vertex of that road.
pub(super) fn add_junction_vertices(roads: &mut [Road]) {
    let ends: Vec<(usize, Coord)> = roads
        .iter()
        .enumerate()
        .flat_map(|(i, r)| {
            [r.pts.first().copied(), r.pts.last().copied()]
                .into_iter()
                .flatten()
                .map(move |p| (i, p))
        })
        .collect();
    for (i, p) in ends {
        for (j, r) in roads.iter_mut().enumerate() {
            if i == j || r.pts.contains(&p) {
                continue;
            }
            if polyline_dist(p, &r.pts) < 0.01 {
                insert_vertex(&mut r.pts, p);
            }
        }
    }
}

/// Split roads where they cross the river (bridges) and the expressway where it passes over
/// other roads (flyovers): the crossing part becomes its own feature with bridge=1, layer=1.
pub(super) fn split_bridges(roads: &mut Vec<Road>, river: &[Coord], hw: &[f64]) {
    let mut out: Vec<Road> = Vec::new();
    let others: Vec<Vec<Coord>> = roads
        .iter()
        .filter(|r| !matches!(r.class, RoadClass::Motorway | RoadClass::MotorwayLink))
        .map(|r| r.pts.clone())
        .collect();
    for r in roads.drain(..) {
        let pl = Polyline::new(r.pts.clone());
        let mut spans: Vec<(f64, f64)> = Vec::new();
        let mut cum = 0.0;
        for w in r.pts.windows(2) {
            let seg_len = dist(w[0], w[1]);
            for (k, rw) in river.windows(2).enumerate() {
                if let Some((tt, _)) = seg_intersect(w[0], w[1], rw[0], rw[1]) {
                    let s = cum + tt * seg_len;
                    let a = unit(sub(w[1], w[0]));
                    let b = unit(sub(rw[1], rw[0]));
                    let sin = (a.x * b.y - a.y * b.x).abs().max(0.3);
                    let d = hw[k] / sin + 18.0;
                    spans.push((s - d, s + d));
                }
            }
            if r.class == RoadClass::Motorway {
                for o in &others {
                    for ow in o.windows(2) {
                        if let Some((tt, _)) = seg_intersect(w[0], w[1], ow[0], ow[1]) {
                            let s = cum + tt * seg_len;
                            spans.push((s - 30.0, s + 30.0));
                        }
                    }
                }
            }
            cum += seg_len;
        }
        if spans.is_empty() {
            out.push(r);
            continue;
        }
        spans.sort_by(|a, b| a.0.total_cmp(&b.0));
        let mut merged: Vec<(f64, f64)> = Vec::new();
        for s in spans {
            match merged.last_mut() {
                Some(m) if s.0 <= m.1 + 10.0 => m.1 = m.1.max(s.1),
                _ => merged.push(s),
            }
        }
        let mut s_prev = 0.0;
        for (s0, s1) in merged {
            let (s0, s1) = (s0.max(0.0), s1.min(pl.len_m()));
            if s0 > s_prev + 1.0 {
                let mut piece = r.clone();
                piece.pts = pl.slice(s_prev, s0);
                out.push(piece);
            }
            let mut b = r.clone();
            b.pts = pl.slice(s0, s1);
            b.bridge = true;
            b.layer = 1;
            out.push(b);
            s_prev = s1;
        }
        if pl.len_m() > s_prev + 1.0 {
            let mut piece = r.clone();
            piece.pts = pl.slice(s_prev, pl.len_m());
            out.push(piece);
        }
    }
    *roads = out;
}
