//! The generator proper: builds 清溪镇 in local metres (origin at the south-west corner of the
//! town's street grid, x east, y north). `super` shifts it into EPSG:4549 and makes layers.
//!
//! The plan is fixed (it is what makes the planted gaps true); the seed moves vertices, sizes,
//! populations and small offsets within margins the tests check.

use std::collections::HashMap;

use geo::{BooleanOps, Contains, Intersects};
use geo_types::{Coord, MultiPolygon, Point, Polygon};

use super::geom::*;
use crate::io::synth::SplitMix64;

// ---------------------------------------------------------------------------------------------
// Plain data of the town
// ---------------------------------------------------------------------------------------------

/// Road classes of the demo (道路等级) with their OSM equivalent.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RoadClass {
    Motorway,
    MotorwayLink,
    Provincial,
    County,
    TownMain,
    TownSecondary,
    TownBranch,
    Village,
    Footway,
}

impl RoadClass {
    pub fn zh(self) -> &'static str {
        match self {
            RoadClass::Motorway | RoadClass::MotorwayLink => "高速公路",
            RoadClass::Provincial => "省道",
            RoadClass::County => "县道",
            RoadClass::TownMain => "城镇主干路",
            RoadClass::TownSecondary => "城镇次干路",
            RoadClass::TownBranch => "支路",
            RoadClass::Village => "村道",
            RoadClass::Footway => "步行道",
        }
    }

    pub fn highway(self) -> &'static str {
        match self {
            RoadClass::Motorway => "motorway",
            RoadClass::MotorwayLink => "motorway_link",
            RoadClass::Provincial => "primary",
            RoadClass::County | RoadClass::TownMain => "secondary",
            RoadClass::TownSecondary => "tertiary",
            RoadClass::TownBranch => "residential",
            RoadClass::Village => "unclassified",
            RoadClass::Footway => "footway",
        }
    }

    /// Posted speed limit (限速), km/h; 0 for footpaths.
    pub fn limit_kmh(self) -> i64 {
        match self {
            RoadClass::Motorway => 100,
            RoadClass::MotorwayLink => 40,
            RoadClass::Provincial => 60,
            RoadClass::County | RoadClass::TownMain => 40,
            RoadClass::TownSecondary | RoadClass::Village => 30,
            RoadClass::TownBranch => 20,
            RoadClass::Footway => 0,
        }
    }
}

#[derive(Debug, Clone)]
pub struct Road {
    pub name: String,
    pub class: RoadClass,
    pub pts: Vec<Coord>,
    pub oneway: bool,
    pub bridge: bool,
    pub layer: i64,
    pub limit_kmh: i64,
}

impl Road {
    fn new(name: impl Into<String>, class: RoadClass, pts: Vec<Coord>) -> Road {
        Road {
            name: name.into(),
            class,
            pts,
            oneway: false,
            bridge: false,
            layer: 0,
            limit_kmh: class.limit_kmh(),
        }
    }
}

/// Building use (用途).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Use {
    Residential,
    Commercial,
    Public,
    Industrial,
}

impl Use {
    pub fn zh(self) -> &'static str {
        match self {
            Use::Residential => "住宅",
            Use::Commercial => "商业",
            Use::Public => "公共",
            Use::Industrial => "工业",
        }
    }
}

#[derive(Debug, Clone)]
pub struct Building {
    pub ring: Vec<Coord>,
    pub use_: Use,
    pub floors: i64,
    pub residents: i64,
    /// Where its bins would stand (street side), for the waste collection points.
    pub front: Coord,
    /// The named residential area it belongs to (a planted-gap area, a hamlet), if any.
    pub area: Option<&'static str>,
    /// Index of its village, None in the built-up area.
    pub village: Option<usize>,
}

impl Building {
    pub fn centre(&self) -> Coord {
        vertex_mean(&self.ring)
    }
}

/// A facility as it will appear in the Amap export.
#[derive(Debug, Clone)]
pub struct Poi {
    pub name: String,
    /// Intended category id of assets/categories.toml (None: not a facility of the taxonomy).
    pub category: Option<&'static str>,
    pub amap_type: &'static str,
    pub typecode: &'static str,
    pub address: String,
    pub p: Coord,
}

#[derive(Debug, Clone)]
pub struct WastePoint {
    pub name: String,
    pub kind: &'static str,
    pub p: Coord,
}

#[derive(Debug, Clone)]
pub struct Sewer {
    pub kind: &'static str,
    pub diameter_mm: i64,
    pub pts: Vec<Coord>,
}

#[derive(Debug, Clone)]
pub struct Greenway {
    pub name: String,
    pub kind: &'static str,
    pub pts: Vec<Coord>,
}

#[derive(Debug, Clone)]
pub struct Village {
    pub name: &'static str,
    pub centre: Coord,
    pub polygon: MultiPolygon,
    pub population: i64,
    pub households: i64,
    pub code: String,
}

/// The generated town in local metres.
#[derive(Debug, Clone)]
pub struct Town {
    pub boundary: Vec<Coord>,
    pub built_up: Vec<Coord>,
    pub river_centre: Vec<Coord>,
    pub river: Vec<Coord>,
    pub roads: Vec<Road>,
    pub villages: Vec<Village>,
    pub buildings: Vec<Building>,
    pub pois: Vec<Poi>,
    pub waste_points: Vec<WastePoint>,
    pub sewers: Vec<Sewer>,
    pub greenways: Vec<Greenway>,
    /// Named places of the planted gaps: (area tag, bounding box min, max) in local metres.
    pub areas: Vec<(&'static str, Coord, Coord)>,
    /// The greenway break (the two loose ends).
    pub greenway_break: (Coord, Coord),
}

// ---------------------------------------------------------------------------------------------
// The plan
// ---------------------------------------------------------------------------------------------

/// Street spacing of the town grid, metres.
pub const GRID_M: f64 = 115.0;
/// Grid lines 0..=6 in both directions; the core spans 6 × 6 blocks.
pub const GRID_N: usize = 6;

pub const VILLAGE_NAMES: [&str; 14] = [
    "溪口村",
    "石桥村",
    "枫林村",
    "竹园村",
    "上塘村",
    "高岭村",
    "桃源村",
    "茶山村",
    "白沙村",
    "下洋村",
    "新联村",
    "横山村",
    "东坞村",
    "岭下村",
];
const VILLAGE_CENTRES: [(f64, f64); 14] = [
    (-2600.0, 450.0),
    (1750.0, 1000.0),
    (-900.0, 2300.0),
    (700.0, 2500.0),
    (2600.0, 2200.0),
    (-4300.0, 3500.0),
    (-3400.0, 1500.0),
    (3700.0, 700.0),
    (-2300.0, -680.0),
    (-500.0, -1500.0),
    (1400.0, -1150.0),
    (-3700.0, -1300.0),
    (2700.0, -1100.0),
    (-1300.0, -3000.0),
];
pub const V_XIKOU: usize = 0;
pub const V_SHIQIAO: usize = 1;
pub const V_FENGLIN: usize = 2;
pub const V_ZHUYUAN: usize = 3;
pub const V_SHANGTANG: usize = 4;
pub const V_GAOLING: usize = 5;
pub const V_TAOYUAN: usize = 6;
pub const V_CHASHAN: usize = 7;
pub const V_BAISHA: usize = 8;
pub const V_XIAYANG: usize = 9;
pub const V_XINLIAN: usize = 10;
pub const V_HENGSHAN: usize = 11;
pub const V_DONGWU: usize = 12;
pub const V_LINGXIA: usize = 13;

/// The hamlet of 竹园村 left without a waste collection point (G6).
pub const G6_AREA: &str = "竹园村下坞自然村";
/// The resettlement compound in the south-west of the built-up area (G3).
pub const G3_AREA: &str = "溪西安置小区";
/// The compound in the north-east of the built-up area (G4).
pub const G4_AREA: &str = "东苑小区";
/// The old quarter with the combined sewers (G8).
pub const OLD_QUARTER: &str = "老街片区";
/// The lanes of the two compounds (x, local metres).
const G3_LANE_X: f64 = -420.0;
const G4_LANE_X: f64 = 530.0;
/// North-south streets of the industrial park.
const IND_STREETS: usize = 10;
/// The treatment plant at the east end of the riverside road.
const WWTP_X: f64 = 1720.0;

fn jit(rng: &mut SplitMix64, a: f64) -> f64 {
    rng.range(-a, a)
}

/// Catmull-Rom through control points that keeps every control point exact.
fn smooth(ctrl: &[Coord], step_m: f64) -> Vec<Coord> {
    catmull_rom(ctrl, step_m)
}

struct Grid {
    xs: [f64; GRID_N + 1],
    ys: [f64; GRID_N + 1],
}

impl Grid {
    fn i(&self, a: usize, b: usize) -> Coord {
        c(self.xs[a], self.ys[b])
    }
}

/// Generate the town for `seed`.
pub fn build(seed: u64) -> Town {
    let mut rng = SplitMix64(seed ^ 0x005E_ED0F_C1A0_0000);
    let boundary = make_boundary(&mut rng);
    let (river_centre, river_hw, river) = make_river(&mut rng);
    let mut xs = [0.0; GRID_N + 1];
    let mut ys = [0.0; GRID_N + 1];
    for k in 0..=GRID_N {
        xs[k] = -345.0 + GRID_M * k as f64 + if k == 0 { 0.0 } else { jit(&mut rng, 4.0) };
        ys[k] = GRID_M * k as f64 + if k == 0 { 0.0 } else { jit(&mut rng, 4.0) };
    }
    let grid = Grid { xs, ys };
    let built_up = make_built_up(&grid);

    let mut t = Town {
        boundary,
        built_up,
        river_centre,
        river,
        roads: Vec::new(),
        villages: Vec::new(),
        buildings: Vec::new(),
        pois: Vec::new(),
        waste_points: Vec::new(),
        sewers: Vec::new(),
        greenways: Vec::new(),
        areas: Vec::new(),
        greenway_break: (c(0.0, 0.0), c(0.0, 0.0)),
    };
    let centres: Vec<Coord> = VILLAGE_CENTRES
        .iter()
        .map(|&(x, y)| c(x + jit(&mut rng, 40.0), y + jit(&mut rng, 40.0)))
        .collect();
    make_villages(&mut t, &centres, &mut rng);
    make_roads(&mut t, &grid, &centres, &mut rng);
    let arms = make_village_lanes(&mut t, &centres, &mut rng);
    add_junction_vertices(&mut t.roads);
    split_bridges(&mut t.roads, &t.river_centre, &river_hw);
    let mut fp = make_town_buildings(&mut t, &grid, &mut rng);
    make_village_buildings(&mut t, &centres, &arms, &mut fp, &mut rng);
    make_waste_points(&mut t);
    make_sewers(&mut t, &grid);
    make_greenway(&mut t, &grid, &centres, &river_hw);
    t
}

// ---------------------------------------------------------------------------------------------
// Boundary, river, built-up area, villages
// ---------------------------------------------------------------------------------------------

fn make_boundary(rng: &mut SplitMix64) -> Vec<Coord> {
    const CTRL: [(f64, f64); 24] = [
        (-5400.0, 700.0),
        (-5700.0, 2300.0),
        (-5350.0, 3800.0),
        (-4200.0, 4500.0),
        (-3000.0, 4100.0),
        (-1800.0, 3700.0),
        (-500.0, 3500.0),
        (900.0, 3500.0),
        (2200.0, 3200.0),
        (3300.0, 2700.0),
        (4200.0, 1930.0),
        (4700.0, 800.0),
        (4500.0, -300.0),
        (3800.0, -1100.0),
        (3200.0, -1930.0),
        (2400.0, -2700.0),
        (1000.0, -3300.0),
        (-500.0, -3700.0),
        (-1600.0, -3500.0),
        (-2700.0, -3300.0),
        (-3500.0, -2650.0),
        (-4300.0, -2000.0),
        (-4900.0, -1100.0),
        (-5300.0, -200.0),
    ];
    // Clockwise as listed; jitter each control point, then smooth.
    let ctrl: Vec<Coord> = CTRL
        .iter()
        .map(|&(x, y)| {
            // The outline as drawn, pulled in a little towards its middle.
            let p = add(
                c(-500.0, 300.0),
                scale(sub(c(x, y), c(-500.0, 300.0)), 0.94),
            );
            c(p.x + jit(rng, 90.0), p.y + jit(rng, 90.0))
        })
        .collect();
    let mut ring = chaikin_closed(&ctrl, 3);
    // A little irregularity on the smooth outline: a few low-frequency waves.
    let (p1, p2) = (
        rng.range(0.0, std::f64::consts::TAU),
        rng.range(0.0, std::f64::consts::TAU),
    );
    let n = ring.len() as f64;
    let centre = c(-500.0, 300.0);
    for (i, p) in ring.iter_mut().enumerate() {
        let t = i as f64 / n * std::f64::consts::TAU;
        let w = 60.0 * (7.0 * t + p1).sin() + 35.0 * (13.0 * t + p2).sin();
        let d = unit(sub(*p, centre));
        *p = add(*p, scale(d, w));
    }
    ring
}

/// The river 清溪: centreline, half width per centreline vertex, polygon ring.
fn make_river(rng: &mut SplitMix64) -> (Vec<Coord>, Vec<f64>, Vec<Coord>) {
    const CTRL: [(f64, f64); 13] = [
        (-6200.0, 500.0),
        (-4500.0, 250.0),
        (-3300.0, -300.0),
        (-2300.0, -470.0),
        (-1400.0, -420.0),
        (-700.0, -320.0),
        (0.0, -310.0),
        (700.0, -330.0),
        (1500.0, -420.0),
        (2400.0, -300.0),
        (3300.0, -550.0),
        (4300.0, -800.0),
        (5200.0, -1000.0),
    ];
    let ctrl: Vec<Coord> = CTRL
        .iter()
        .map(|&(x, y)| c(x, y + jit(rng, 25.0)))
        .collect();
    let centre = smooth(&ctrl, 40.0);
    let phase = rng.range(0.0, std::f64::consts::TAU);
    let hw: Vec<f64> = (0..centre.len())
        .map(|i| 20.0 + 3.5 * (i as f64 * 0.05 + phase).sin())
        .collect();
    let mut ring = offset(&centre, |i| hw[i]);
    let mut right = offset(&centre, |i| -hw[i]);
    right.reverse();
    ring.extend(right);
    (centre, hw, ring)
}

fn make_built_up(g: &Grid) -> Vec<Coord> {
    // Around: the grid core, the old quarter down to the riverside road, the south-west
    // compound, the industrial park in the east, the north-east compound and the school and
    // sports land in the north.
    let (x0, x6) = (g.xs[0], g.xs[6]);
    let y6 = g.ys[6];
    vec![
        c(-545.0, -60.0),
        c(-545.0, g.ys[2] + 30.0),
        c(x0 - 45.0, g.ys[2] + 30.0),
        c(x0 - 60.0, y6 + 330.0),
        c(x6 + 60.0, y6 + 330.0),
        c(x6 + 70.0, y6 + 50.0),
        c(G4_LANE_X + 160.0, y6 + 40.0),
        c(G4_LANE_X + 170.0, g.ys[4] - 60.0),
        c(1150.0, 420.0),
        c(WWTP_X + 100.0, 440.0),
        c(WWTP_X + 120.0, -225.0),
        c(1100.0, -215.0),
        c(400.0, -225.0),
        c(-300.0, -225.0),
        c(-520.0, -210.0),
    ]
}

fn make_villages(t: &mut Town, centres: &[Coord], rng: &mut SplitMix64) {
    let township = polygon(&t.boundary);
    let built = polygon(&t.built_up);
    let big = vec![
        c(-9000.0, -9000.0),
        c(9000.0, -9000.0),
        c(9000.0, 9000.0),
        c(-9000.0, 9000.0),
    ];
    for (i, &ci) in centres.iter().enumerate() {
        let mut cell = big.clone();
        for (j, &cj) in centres.iter().enumerate() {
            if i != j {
                cell = clip_nearer(&cell, ci, cj);
            }
        }
        let mp = polygon(&cell).intersection(&township).difference(&built);
        let mp = MultiPolygon(
            mp.0.into_iter()
                .filter(|p| geo::Area::unsigned_area(p) > 500.0)
                .collect(),
        );
        // Populations: remote villages small, the ones near the town larger.
        let population = match i {
            V_GAOLING => 620 + 10 * (rng.next_u64() % 8) as i64,
            V_XIAYANG => 1500 + 10 * (rng.next_u64() % 30) as i64,
            _ => 600 + 10 * (rng.next_u64() % 45) as i64,
        };
        let households = (population as f64 / 2.85).round() as i64;
        t.villages.push(Village {
            name: VILLAGE_NAMES[i],
            centre: ci,
            polygon: mp,
            population,
            households,
            code: format!("330199101{:03}", 201 + i),
        });
    }
}

// ---------------------------------------------------------------------------------------------
// Roads
// ---------------------------------------------------------------------------------------------

fn nearest_on(pts: &[Coord], p: Coord) -> Coord {
    let pl = Polyline::new(pts.to_vec());
    let (s, _) = pl.project(p);
    pl.at(s).0
}

/// The point on `pts` nearest to `p`, inserted as a vertex; returns it.
fn attach(pts: &mut Vec<Coord>, p: Coord) -> Coord {
    let q = nearest_on(pts, p);
    insert_vertex(pts, q);
    q
}

fn insert_vertex(pts: &mut Vec<Coord>, q: Coord) {
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

fn make_roads(t: &mut Town, g: &Grid, v: &[Coord], rng: &mut SplitMix64) {
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
fn mountain_road(from: Coord, to: Coord, rng: &mut SplitMix64) -> Vec<Coord> {
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
fn make_village_lanes(t: &mut Town, v: &[Coord], rng: &mut SplitMix64) -> Vec<Vec<Vec<Coord>>> {
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
fn add_junction_vertices(roads: &mut [Road]) {
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
fn split_bridges(roads: &mut Vec<Road>, river: &[Coord], hw: &[f64]) {
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

// ---------------------------------------------------------------------------------------------
// Buildings and facilities
// ---------------------------------------------------------------------------------------------

/// A spatial hash of building footprints for overlap tests.
#[derive(Default)]
struct Footprints {
    cells: HashMap<(i64, i64), Vec<usize>>,
    polys: Vec<Polygon>,
}

impl Footprints {
    const CELL: f64 = 50.0;

    fn key(p: Coord) -> (i64, i64) {
        (
            (p.x / Self::CELL).floor() as i64,
            (p.y / Self::CELL).floor() as i64,
        )
    }

    fn free(&self, ring: &[Coord]) -> bool {
        let poly = polygon(ring);
        let k = Self::key(vertex_mean(ring));
        for dx in -1..=1 {
            for dy in -1..=1 {
                if let Some(ids) = self.cells.get(&(k.0 + dx, k.1 + dy))
                    && ids.iter().any(|&i| self.polys[i].intersects(&poly))
                {
                    return false;
                }
            }
        }
        true
    }

    fn add(&mut self, ring: &[Coord]) {
        let k = Self::key(vertex_mean(ring));
        self.cells.entry(k).or_default().push(self.polys.len());
        self.polys.push(polygon(ring));
    }
}

/// A spatial hash of road segments for distance tests.
struct RoadIndex {
    cells: HashMap<(i64, i64), Vec<(Coord, Coord)>>,
}

impl RoadIndex {
    const CELL: f64 = 60.0;

    fn new(roads: &[Road]) -> RoadIndex {
        let mut cells: HashMap<(i64, i64), Vec<(Coord, Coord)>> = HashMap::new();
        for r in roads {
            for w in r.pts.windows(2) {
                let (a, b) = (w[0], w[1]);
                let n = (dist(a, b) / 20.0).ceil().max(1.0) as usize;
                let mut keys: Vec<(i64, i64)> = (0..=n)
                    .map(|k| {
                        let p = lerp(a, b, k as f64 / n as f64);
                        (
                            (p.x / Self::CELL).floor() as i64,
                            (p.y / Self::CELL).floor() as i64,
                        )
                    })
                    .collect();
                keys.dedup();
                for k in keys {
                    cells.entry(k).or_default().push((a, b));
                }
            }
        }
        RoadIndex { cells }
    }

    /// Distance to the nearest road (at most ~60 m looked at; farther is reported as 1e9).
    fn dist(&self, p: Coord) -> f64 {
        let k = (
            (p.x / Self::CELL).floor() as i64,
            (p.y / Self::CELL).floor() as i64,
        );
        let mut best = 1e9_f64;
        for dx in -1..=1 {
            for dy in -1..=1 {
                if let Some(segs) = self.cells.get(&(k.0 + dx, k.1 + dy)) {
                    for (a, b) in segs {
                        best = best.min(seg_dist(p, *a, *b));
                    }
                }
            }
        }
        best
    }
}

/// Amap type text and typecode for a facility category (realistic codes; see the README).
pub fn amap_type(category: &str) -> (&'static str, &'static str) {
    match category {
        "kindergarten" => ("科教文化服务;学校;幼儿园", "141204"),
        "primary_school" => ("科教文化服务;学校;小学", "141203"),
        "middle_school" => ("科教文化服务;学校;中学", "141202"),
        "health_center" => ("医疗保健服务;综合医院;卫生院", "090102"),
        "community_health_station" => ("医疗保健服务;医疗保健服务场所;医疗保健服务场所", "090000"),
        "village_clinic" => ("医疗保健服务;诊所;诊所", "090300"),
        "pharmacy" => ("医疗保健服务;医药保健销售店;药房", "090601"),
        "elderly_service_center"
        | "elderly_day_care"
        | "nursing_home"
        | "recycling_point"
        | "town_service_center"
        | "village_service_station" => ("生活服务;生活服务场所;生活服务场所", "070000"),
        "fresh_market" => ("购物服务;综合市场;农副产品市场", "060703"),
        "supermarket" => ("购物服务;超级市场;超市", "060400"),
        "convenience_store" => ("购物服务;便民商店/便利店;便民商店/便利店", "060200"),
        "commercial_complex" => ("购物服务;商场;购物中心", "060101"),
        "culture_station" => ("科教文化服务;文化宫;文化宫", "140800"),
        "library" => ("科教文化服务;图书馆;图书馆", "140500"),
        "culture_hall" => ("科教文化服务;科教文化场所;科教文化场所", "140000"),
        "sports_venue" => ("体育休闲服务;运动场馆;综合体育馆", "080101"),
        "fitness_spot" => ("体育休闲服务;体育休闲服务场所;体育休闲服务场所", "080000"),
        "park" => ("风景名胜;公园广场;公园", "110101"),
        "waste_transfer_station" => ("公共设施;公共设施;公共设施", "200000"),
        "wwtp" => ("公司企业;工厂;工厂", "170300"),
        "public_toilet" => ("公共设施;公共厕所;公共厕所", "200300"),
        "bus_stop" => ("交通设施服务;公交车站;公交车站相关", "150700"),
        "expressway_interchange" => ("道路附属设施;收费站;高速收费站", "180300"),
        "town_government" => ("政府机构及社会团体;政府机关;乡镇级政府及事业单位", "130105"),
        "police_station" => ("政府机构及社会团体;公检法机构;公安警察", "130501"),
        _ => ("", ""),
    }
}

fn poi(
    name: impl Into<String>,
    category: &'static str,
    address: impl Into<String>,
    p: Coord,
) -> Poi {
    let (amap_type, typecode) = amap_type(category);
    Poi {
        name: name.into(),
        category: Some(category),
        amap_type,
        typecode,
        address: address.into(),
        p,
    }
}

fn other_poi(
    name: impl Into<String>,
    amap_type: &'static str,
    typecode: &'static str,
    address: impl Into<String>,
    p: Coord,
) -> Poi {
    Poi {
        name: name.into(),
        category: None,
        amap_type,
        typecode,
        address: address.into(),
        p,
    }
}

/// Walking distances (m) every home of the built-up area must be within, per group of
/// categories (any category of the group counts). A margin below the usual radii (300 m, 500 m,
/// 1,000 m) leaves room for how an analysis snaps buildings to the network. The planted gaps
/// are exempt from exactly one rule each: G3 from the kindergarten rule, G4 from the market rule.
pub const TOWN_WALK_RULES_M: [(&[&str], f64); 13] = [
    (&["kindergarten"], 260.0),
    (&["elderly_day_care"], 260.0),
    (&["community_health_station", "village_clinic"], 260.0),
    (&["convenience_store", "supermarket"], 260.0),
    (&["fitness_spot", "sports_venue"], 260.0),
    (&["bus_stop"], 460.0),
    (&["fresh_market"], 460.0),
    (&["primary_school"], 460.0),
    (&["park"], 460.0),
    (&["middle_school"], 920.0),
    (&["health_center"], 920.0),
    (&["culture_station", "sports_venue", "library"], 920.0),
    (&["elderly_service_center"], 920.0),
];

/// Of the rules above, the one each gap area is exempt from.
pub fn exempt_rule(area: Option<&str>) -> Option<&'static str> {
    match area {
        Some(G3_AREA) => Some("kindergarten"),
        Some(G4_AREA) => Some("fresh_market"),
        _ => None,
    }
}

/// What a block (or a triangle of a diagonal block) of the grid is used for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum BlockUse {
    /// Apartment slabs, where the services are close enough.
    Flats,
    /// Reserved for the facilities placed on it.
    Facility,
    Park,
    /// Shops, offices and warehouses.
    Commerce,
}

/// The use of block (a, b); for diagonal blocks `upper` is the triangle north-west of the
/// provincial road.
fn block_use(a: usize, b: usize, upper: bool) -> BlockUse {
    use BlockUse::*;
    match (a, b, upper) {
        // South-west: the park 清溪公园 and the central primary school.
        (0, 0, _) | (0, 1, _) | (1, 1, true) => Park,
        (1, 0, _) | (1, 1, false) => Facility,
        // West and centre: civic buildings, the health centre, the middle school.
        (0, 2, _) | (1, 2, _) | (0, 3, _) | (1, 3, _) | (2, 2, true) | (2, 3, _) | (3, 2, _) => {
            Facility
        }
        // North-west: the north campus of the primary school.
        (1, 4, _) => Facility,
        // North-east: commerce, sport, a garden, the east campus of the primary school.
        (4, 5, _) | (5, 5, _) | (4, 4, true) | (5, 4, _) => Facility,
        // South-east, by the industrial park: shops, offices and warehouses.
        (4, 0, _) | (5, 0, _) | (4, 1, _) | (5, 1, _) => Commerce,
        _ => Flats,
    }
}

/// A POI that is not a facility of the taxonomy's core: name, intended category, Amap type,
/// typecode, address, position.
type OtherPoi = (
    &'static str,
    Option<&'static str>,
    &'static str,
    &'static str,
    &'static str,
    Coord,
);

struct Fac {
    name: String,
    cat: &'static str,
    addr: String,
    p: Coord,
    size: Option<(f64, f64, i64, Use)>,
}

fn make_town_buildings(t: &mut Town, g: &Grid, rng: &mut SplitMix64) -> Footprints {
    let roads = RoadIndex::new(&t.roads);
    let mut fp = Footprints::default();
    let n = GRID_N;
    let i = |a: usize, b: usize| g.i(a, b);
    let off = |p: Coord, dx: f64, dy: f64| add(p, c(dx, dy));
    let lao_y = -85.0;
    let b = |name: &str,
             cat: &'static str,
             street: &str,
             no: u32,
             p: Coord,
             w: f64,
             h: f64,
             floors: i64,
             use_: Use| Fac {
        name: name.to_string(),
        cat,
        addr: format!("清溪镇{street}{no}号"),
        p,
        size: Some((w, h, floors, use_)),
    };
    let pt = |name: &str, cat: &'static str, addr: &str, p: Coord| Fac {
        name: name.to_string(),
        cat,
        addr: format!("清溪镇{addr}"),
        p,
        size: None,
    };
    let mut facs = vec![
        // South-west and west: park, central primary school, civic buildings, a market.
        pt(
            "清溪公园",
            "park",
            "西环路南端",
            lerp(i(0, 0), i(1, 2), 0.5),
        ),
        b(
            "清溪镇中心小学",
            "primary_school",
            "和平路",
            18,
            off(i(1, 1), 65.0, -23.0),
            40.0,
            16.0,
            4,
            Use::Public,
        ),
        b(
            "西街菜市场",
            "fresh_market",
            "西环路",
            31,
            off(i(0, 2), 40.0, 30.0),
            30.0,
            22.0,
            1,
            Use::Commercial,
        ),
        b(
            "清溪镇敬老院",
            "nursing_home",
            "西环路",
            9,
            off(i(0, 3), 57.0, 70.0),
            36.0,
            14.0,
            3,
            Use::Public,
        ),
        b(
            "清溪镇综合文化站",
            "culture_station",
            "解放路",
            2,
            off(i(1, 2), 45.0, 35.0),
            30.0,
            16.0,
            3,
            Use::Public,
        ),
        b(
            "清溪镇图书馆",
            "library",
            "解放路",
            4,
            off(i(1, 2), 70.0, 80.0),
            24.0,
            14.0,
            2,
            Use::Public,
        ),
        b(
            "清溪派出所",
            "police_station",
            "中山路",
            3,
            off(i(1, 3), 40.0, 30.0),
            24.0,
            14.0,
            3,
            Use::Public,
        ),
        b(
            "清溪镇便民服务中心",
            "town_service_center",
            "中山路",
            5,
            off(i(1, 3), 70.0, 80.0),
            30.0,
            18.0,
            3,
            Use::Public,
        ),
        b(
            "清溪镇人民政府",
            "town_government",
            "解放路",
            8,
            off(i(2, 2), 22.0, 72.0),
            28.0,
            16.0,
            4,
            Use::Public,
        ),
        // Centre: the health centre, the town's home-care centre, the middle school.
        b(
            "清溪镇卫生院",
            "health_center",
            "人民路",
            56,
            off(i(2, 3), 57.0, 40.0),
            44.0,
            18.0,
            4,
            Use::Public,
        ),
        b(
            "清溪镇居家养老服务中心",
            "elderly_service_center",
            "人民路",
            60,
            off(i(2, 3), 57.0, 85.0),
            30.0,
            14.0,
            2,
            Use::Public,
        ),
        b(
            "清溪镇初级中学",
            "middle_school",
            "中山路",
            41,
            off(i(3, 2), 75.0, 90.0),
            50.0,
            16.0,
            4,
            Use::Public,
        ),
        // North-west: the north campus of the primary school and a market.
        b(
            "清溪镇中心小学北校区",
            "primary_school",
            "文化路",
            50,
            off(i(2, 5), -40.0, -25.0),
            40.0,
            16.0,
            4,
            Use::Public,
        ),
        b(
            "北街菜场",
            "fresh_market",
            "振兴路",
            8,
            off(i(2, 5), 20.0, 20.0),
            20.0,
            16.0,
            1,
            Use::Commercial,
        ),
        // North-east: commerce, sport, a garden, the east campus of the primary school.
        b(
            "清溪商贸中心",
            "commercial_complex",
            "青年路",
            50,
            off(i(4, 4), 27.0, 80.0),
            30.0,
            24.0,
            3,
            Use::Commercial,
        ),
        b(
            "清溪惠民超市",
            "supermarket",
            "振兴路",
            30,
            off(i(5, 5), 30.0, 70.0),
            24.0,
            16.0,
            2,
            Use::Commercial,
        ),
        b(
            "清溪镇全民健身中心",
            "sports_venue",
            "东环路",
            12,
            off(i(5, 4), 57.0, 57.0),
            40.0,
            24.0,
            2,
            Use::Public,
        ),
        b(
            "清溪镇中心小学东校区",
            "primary_school",
            "东环路",
            26,
            off(i(6, 5), -25.0, 35.0),
            16.0,
            40.0,
            4,
            Use::Public,
        ),
        pt("北苑游园", "park", "北环路", off(i(5, 5), 20.0, 100.0)),
        // The east market (none near the north-east compound: G4).
        b(
            "和平路菜场",
            "fresh_market",
            "建设路",
            22,
            off(i(5, 2), 20.0, 18.0),
            20.0,
            16.0,
            1,
            Use::Commercial,
        ),
        // Old quarter: the town market and services.
        b(
            "清溪农贸市场",
            "fresh_market",
            "老街",
            40,
            c(g.xs[3] + 40.0, lao_y + 10.0),
            44.0,
            30.0,
            1,
            Use::Commercial,
        ),
        b(
            "清溪镇中心幼儿园老街分园",
            "kindergarten",
            "老街",
            15,
            c(g.xs[2] - 22.0, lao_y + 18.0),
            18.0,
            14.0,
            2,
            Use::Public,
        ),
        b(
            "老街社区卫生服务站",
            "community_health_station",
            "老街",
            22,
            c(g.xs[2] + 22.0, lao_y - 18.0),
            16.0,
            12.0,
            2,
            Use::Public,
        ),
        b(
            "老街社区居家养老服务照料中心",
            "elderly_day_care",
            "老街",
            26,
            c(g.xs[2] + 22.0, lao_y + 18.0),
            18.0,
            12.0,
            2,
            Use::Public,
        ),
        pt(
            "老街便利店",
            "convenience_store",
            "老街28号",
            c(g.xs[2] - 12.0, lao_y - 6.0),
        ),
        pt(
            "老街健身点",
            "fitness_spot",
            "老街",
            c(g.xs[2] - 8.0, lao_y - 35.0),
        ),
        pt("老街游园", "park", "沿溪路", c(g.xs[2] + 40.0, -160.0)),
        pt(
            "老街公共厕所",
            "public_toilet",
            "老街",
            c(g.xs[3] - 10.0, lao_y + 8.0),
        ),
        // Municipal services in the industrial park.
        b(
            "清溪镇垃圾中转站",
            "waste_transfer_station",
            "工业四路",
            3,
            c(g.xs[6] + 20.0 + 125.0 * 3.5, -100.0),
            30.0,
            20.0,
            1,
            Use::Industrial,
        ),
        b(
            "清溪再生资源回收站",
            "recycling_point",
            "工业三路",
            5,
            c(g.xs[6] + 20.0 + 125.0 * 2.5, -100.0),
            20.0,
            16.0,
            1,
            Use::Industrial,
        ),
        b(
            "清溪镇污水处理厂",
            "wwtp",
            "沿溪路",
            99,
            c(WWTP_X, -100.0),
            60.0,
            40.0,
            1,
            Use::Industrial,
        ),
        b(
            "清溪大药房",
            "pharmacy",
            "人民路",
            31,
            off(i(3, 3), 20.0, 60.0),
            12.0,
            10.0,
            2,
            Use::Commercial,
        ),
        pt(
            "清溪公园公共厕所",
            "public_toilet",
            "清溪公园内",
            off(i(0, 1), 30.0, 15.0),
        ),
        // Bus stops.
        pt("清溪汽车站", "bus_stop", "南街2号", off(i(1, 0), 25.0, 8.0)),
        pt(
            "清溪镇政府(公交站)",
            "bus_stop",
            "解放路",
            off(i(1, 2), 60.0, 8.0),
        ),
        pt(
            "北环路(公交站)",
            "bus_stop",
            "北环路",
            off(i(2, 6), 40.0, -8.0),
        ),
        pt(
            "人民路(公交站)",
            "bus_stop",
            "人民路",
            off(i(3, 4), 8.0, 50.0),
        ),
        pt(
            "东环路(公交站)",
            "bus_stop",
            "东环路",
            off(i(6, 2), 8.0, 50.0),
        ),
        pt(
            "老街(公交站)",
            "bus_stop",
            "沿溪路",
            c(g.xs[2] + 30.0, -170.0 + 8.0),
        ),
        pt(
            "工业区(公交站)",
            "bus_stop",
            "中山路",
            c(g.xs[6] + 180.0, g.ys[3] - 8.0),
        ),
        pt(
            "东苑小区(公交站)",
            "bus_stop",
            "东苑路",
            c(G4_LANE_X - 50.0, g.ys[6] + 8.0),
        ),
        pt(
            "溪西新村(公交站)",
            "bus_stop",
            "溪西路",
            c(G3_LANE_X + 40.0, g.ys[0] - 8.0),
        ),
    ];
    // Neighbourhood centres: kindergarten, day care, health station, shop, fitness spot and a
    // pocket park at the crossing in the middle of each residential cluster.
    let hoods: [(&str, &str, Coord, &str); 4] = [
        ("文昌", "清溪镇中心幼儿园文昌分园", i(1, 5), "文化路"),
        ("溪北", "清溪镇小太阳幼儿园", i(3, 5), "人民路"),
        ("南街", "清溪镇中心幼儿园", i(3, 1), "和平路"),
        ("新华", "清溪镇阳光幼儿园", i(5, 3), "中山路"),
    ];
    for (k, (hood, kg, p, street)) in hoods.iter().enumerate() {
        let no = 10 + 2 * k as u32;
        facs.push(b(
            kg,
            "kindergarten",
            street,
            no,
            off(*p, 18.0, 18.0),
            20.0,
            16.0,
            2,
            Use::Public,
        ));
        facs.push(b(
            &format!("{hood}社区居家养老服务照料中心"),
            "elderly_day_care",
            street,
            no + 1,
            off(*p, -18.0, 18.0),
            18.0,
            12.0,
            2,
            Use::Public,
        ));
        facs.push(b(
            &format!("{hood}社区卫生服务站"),
            "community_health_station",
            street,
            no + 20,
            off(*p, 18.0, -18.0),
            16.0,
            12.0,
            2,
            Use::Public,
        ));
        facs.push(pt(
            &format!("{hood}便利店"),
            "convenience_store",
            &format!("{street}{}号", no + 21),
            off(*p, -14.0, -14.0),
        ));
        facs.push(pt(
            &format!("{hood}社区健身点"),
            "fitness_spot",
            street,
            off(*p, -30.0, 8.0),
        ));
        facs.push(pt(
            &format!("{hood}口袋公园"),
            "park",
            street,
            off(*p, -30.0, -30.0),
        ));
    }
    // The compounds: services except, in each, the one that is planted missing.
    let g3c = c(G3_LANE_X, g.ys[1]);
    facs.push(b(
        "溪西社区居家养老服务照料中心",
        "elderly_day_care",
        "溪西一弄",
        2,
        off(g3c, 22.0, 18.0),
        16.0,
        12.0,
        2,
        Use::Public,
    ));
    facs.push(b(
        "溪西社区卫生服务站",
        "community_health_station",
        "溪西一弄",
        4,
        off(g3c, -22.0, 18.0),
        16.0,
        12.0,
        1,
        Use::Public,
    ));
    facs.push(pt(
        "溪西便利店",
        "convenience_store",
        "溪西一弄5号",
        off(g3c, 10.0, -14.0),
    ));
    facs.push(pt(
        "溪西健身点",
        "fitness_spot",
        "溪西一弄",
        off(g3c, -9.0, -20.0),
    ));
    let g4c = c(G4_LANE_X, g.ys[5]);
    facs.push(b(
        "清溪镇东苑幼儿园",
        "kindergarten",
        "东苑一弄",
        1,
        c(G4_LANE_X + 18.0, (g.ys[5] + g.ys[6]) / 2.0),
        16.0,
        12.0,
        2,
        Use::Public,
    ));
    facs.push(b(
        "东苑社区居家养老服务照料中心",
        "elderly_day_care",
        "东苑一弄",
        3,
        c(G4_LANE_X - 18.0, (g.ys[5] + g.ys[6]) / 2.0),
        16.0,
        12.0,
        2,
        Use::Public,
    ));
    facs.push(b(
        "东苑社区卫生服务站",
        "community_health_station",
        "振兴路",
        65,
        off(g4c, -22.0, -25.0),
        16.0,
        12.0,
        1,
        Use::Public,
    ));
    facs.push(pt(
        "东苑便利店",
        "convenience_store",
        "东苑路8号",
        c(G4_LANE_X + 20.0, g.ys[6] - 10.0),
    ));
    facs.push(pt(
        "东苑健身点",
        "fitness_spot",
        "振兴路",
        off(g4c, 20.0, -20.0),
    ));
    facs.push(pt("东苑公园", "park", "振兴路东段", off(g4c, 60.0, -30.0)));

    for fc in facs {
        if let Some((w, h, floors, use_)) = fc.size {
            let ring = rect_ring(fc.p, w, h, 0.0);
            fp.add(&ring);
            t.buildings.push(Building {
                ring,
                use_,
                floors,
                residents: 0,
                front: fc.p,
                area: None,
                village: None,
            });
        }
        t.pois.push(poi(fc.name, fc.cat, fc.addr, fc.p));
    }
    // Other POIs of an Amap export. Catering and retail are categories of newer taxonomies
    // (assets/categories.toml: `catering`, `retail`); banks, petrol stations and scenic spots
    // are in none.
    let other: [OtherPoi; 4] = [
        (
            "清溪农商银行",
            None,
            "金融保险服务;银行;农村商业银行",
            "160138",
            "人民路18号",
            off(i(3, 2), -10.0, 30.0),
        ),
        (
            "老街面馆",
            Some("catering"),
            "餐饮服务;中餐厅;中餐厅",
            "050100",
            "老街9号",
            c(g.xs[3] - 30.0, lao_y - 8.0),
        ),
        (
            "老街南货商店",
            Some("retail"),
            "购物服务;购物相关场所;购物相关场所",
            "060000",
            "老街12号",
            c(g.xs[2] + 30.0, lao_y - 8.0),
        ),
        (
            "清溪加油站",
            None,
            "汽车服务;加油站;中国石化",
            "010101",
            "溪富线",
            lerp(i(5, 5), i(6, 6), 0.5),
        ),
    ];
    for (name, category, ty, code, a, p) in other {
        let mut o = other_poi(name, ty, code, format!("清溪镇{a}"), add(p, c(6.0, -6.0)));
        o.category = category;
        t.pois.push(o);
    }

    // --- Candidate homes: slabs in the blocks, houses in the old quarter, the compounds ---
    let mut cands: Vec<Building> = Vec::new();
    for a in 0..n {
        for bb in 0..n {
            let (x0, x1, y0, y1) = (g.xs[a], g.xs[a + 1], g.ys[bb], g.ys[bb + 1]);
            for part in 0..if a == bb { 2 } else { 1 } {
                let upper = part == 1;
                let use_ = block_use(a, bb, upper);
                if use_ == BlockUse::Commerce {
                    for (cx, cy) in [(0.3, 0.3), (0.7, 0.7)] {
                        let p = c(x0 + (x1 - x0) * cx, y0 + (y1 - y0) * cy);
                        let ring = rect_ring(p, rng.range(28.0, 36.0), rng.range(18.0, 24.0), 0.0);
                        if fp.free(&ring) {
                            fp.add(&ring);
                            t.buildings.push(Building {
                                ring,
                                use_: Use::Commercial,
                                floors: 2 + (rng.next_u64() % 2) as i64,
                                residents: 0,
                                front: p,
                                area: None,
                                village: None,
                            });
                        }
                    }
                }
                if use_ != BlockUse::Flats {
                    continue;
                }
                for (cx, cy) in [
                    (0.27, 0.2),
                    (0.73, 0.2),
                    (0.27, 0.5),
                    (0.73, 0.5),
                    (0.27, 0.8),
                    (0.73, 0.8),
                ] {
                    let p = c(
                        x0 + (x1 - x0) * cx + jit(rng, 1.5),
                        y0 + (y1 - y0) * cy + jit(rng, 1.5),
                    );
                    let ring = rect_ring(p, rng.range(30.0, 34.0), 11.0, 0.0);
                    if a == bb {
                        let side = |q: &Coord| (q.y - y0) / (y1 - y0) - (q.x - x0) / (x1 - x0);
                        if ring
                            .iter()
                            .any(|q| (side(q) > 0.0) != upper || side(q).abs() < 0.12)
                        {
                            continue;
                        }
                    }
                    let floors = 4 + (rng.next_u64() % 3) as i64;
                    cands.push(Building {
                        front: add(p, c(0.0, -9.0)),
                        ring,
                        use_: Use::Residential,
                        floors,
                        residents: floors * 8 + (rng.next_u64() % 8) as i64,
                        area: None,
                        village: None,
                    });
                }
            }
        }
    }
    t.areas.push((
        OLD_QUARTER,
        c(g.xs[1] - 10.0, -175.0),
        c(g.xs[3] + 10.0, 0.0),
    ));
    for a in 1..3 {
        for (y0, y1) in [(lao_y, 0.0), (-170.0, lao_y)] {
            let (x0, x1) = (g.xs[a], g.xs[a + 1]);
            let mut x = x0 + 15.0;
            while x < x1 - 12.0 {
                for (yy, front_y) in [(y0 + 13.0, y0 + 4.0), (y1 - 13.0, y1 - 4.0)] {
                    let p = c(x + jit(rng, 1.0), yy);
                    let ring = rect_ring(p, rng.range(8.5, 10.0), rng.range(9.0, 11.0), 0.0);
                    cands.push(Building {
                        ring,
                        use_: Use::Residential,
                        floors: 2 + (rng.next_u64() % 2) as i64,
                        residents: 3 + (rng.next_u64() % 4) as i64,
                        front: c(p.x, front_y),
                        area: Some(OLD_QUARTER),
                        village: None,
                    });
                }
                x += 11.5;
            }
        }
    }
    let slab = |p: Coord, area: &'static str, rng: &mut SplitMix64| {
        let floors = 5 + (rng.next_u64() % 2) as i64;
        Building {
            ring: rect_ring(p, 30.0, 11.0, 0.0),
            use_: Use::Residential,
            floors,
            residents: floors * 8 + (rng.next_u64() % 6) as i64,
            front: add(p, c(0.0, -9.0)),
            area: Some(area),
            village: None,
        }
    };
    for y in [
        g.ys[0] + 38.0,
        g.ys[1] - 38.0,
        g.ys[1] + 38.0,
        g.ys[2] - 38.0,
    ] {
        for x in [G3_LANE_X - 35.0, G3_LANE_X + 35.0] {
            cands.push(slab(c(x + jit(rng, 1.5), y + jit(rng, 1.5)), G3_AREA, rng));
        }
    }
    for y in [g.ys[6] - 35.0, g.ys[5] + 38.0] {
        for x in [G4_LANE_X - 35.0, G4_LANE_X + 35.0] {
            cands.push(slab(c(x + jit(rng, 1.5), y + jit(rng, 1.5)), G4_AREA, rng));
        }
    }

    // --- Keep the homes the services reach (the compounds are kept whatever, the tests check) ---
    let net = super::net::Net::new(&t.roads, super::net::Mode::Walk);
    let fields: Vec<(Vec<f64>, f64, &[&str])> = TOWN_WALK_RULES_M
        .iter()
        .map(|(cats, max_m)| {
            let pts: Vec<Coord> = t
                .pois
                .iter()
                .filter(|p| p.category.is_some_and(|c| cats.contains(&c)))
                .map(|p| p.p)
                .collect();
            (net.dijkstra(&net.sources(&pts)), *max_m, *cats)
        })
        .collect();
    for bld in cands {
        let ctr = bld.centre();
        if roads.dist(ctr) < 12.0 || !fp.free(&bld.ring) {
            continue;
        }
        let compound = matches!(bld.area, Some(G3_AREA) | Some(G4_AREA));
        let served = fields.iter().all(|(d, max_m, cats)| {
            exempt_rule(bld.area).is_some_and(|r| cats.contains(&r))
                || net.cost_to(d, ctr) <= *max_m
        });
        if served || compound {
            fp.add(&bld.ring);
            t.buildings.push(bld);
        } else if bld.area.is_none() && rng.next_u64().is_multiple_of(2) {
            // Where homes would be too far from the services: shops and offices instead.
            fp.add(&bld.ring);
            t.buildings.push(Building {
                use_: Use::Commercial,
                floors: 2 + (rng.next_u64() % 2) as i64,
                residents: 0,
                ..bld
            });
        }
    }

    // --- Industry: sheds in the industrial park ---
    for k in 0..IND_STREETS {
        let xa = g.xs[6] + 20.0 + 125.0 * k as f64;
        for bb in 0..3 {
            for (fx, fy) in [(0.3, 0.3), (0.7, 0.3), (0.3, 0.72), (0.7, 0.72)] {
                let p = c(xa + 125.0 * fx, g.ys[bb] + (g.ys[bb + 1] - g.ys[bb]) * fy);
                let ring = rect_ring(p, rng.range(30.0, 40.0), rng.range(24.0, 30.0), 0.0);
                if roads.dist(p) < 20.0 || !fp.free(&ring) {
                    continue;
                }
                fp.add(&ring);
                t.buildings.push(Building {
                    ring,
                    use_: Use::Industrial,
                    floors: 1 + (rng.next_u64() % 2) as i64,
                    residents: 0,
                    front: p,
                    area: None,
                    village: None,
                });
            }
        }
    }
    fp
}

/// Households per house: one to three (mean ≈ 1.85).
fn households_of_house(rng: &mut SplitMix64) -> i64 {
    match rng.next_u64() % 20 {
        0..=6 => 1,
        7..=15 => 2,
        _ => 3,
    }
}

fn make_village_buildings(
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

/// Waste collection points: every residential building within 55 m of one, except the hamlet
/// of G6, which gets none.
fn make_waste_points(t: &mut Town) {
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
fn make_sewers(t: &mut Town, g: &Grid) {
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
fn make_greenway(t: &mut Town, g: &Grid, v: &[Coord], hw: &[f64]) {
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
