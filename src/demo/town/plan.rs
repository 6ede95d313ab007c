//! The fixed plan of 清溪镇: the street grid, village names and centres, the planted-gap areas, and
//! the jitter and smoothing every layout step uses.

use geo_types::Coord;

use crate::demo::geom::*;
use crate::io::synth::SplitMix64;

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
pub(super) const VILLAGE_CENTRES: [(f64, f64); 14] = [
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
pub(super) const G3_LANE_X: f64 = -420.0;
pub(super) const G4_LANE_X: f64 = 530.0;
/// North-south streets of the industrial park.
pub(super) const IND_STREETS: usize = 10;
/// The treatment plant at the east end of the riverside road.
pub(super) const WWTP_X: f64 = 1720.0;

pub(super) fn jit(rng: &mut SplitMix64, a: f64) -> f64 {
    rng.range(-a, a)
}

/// Catmull-Rom through control points that keeps every control point exact.
pub(super) fn smooth(ctrl: &[Coord], step_m: f64) -> Vec<Coord> {
    catmull_rom(ctrl, step_m)
}

pub(super) struct Grid {
    pub(super) xs: [f64; GRID_N + 1],
    pub(super) ys: [f64; GRID_N + 1],
}

impl Grid {
    pub(super) fn i(&self, a: usize, b: usize) -> Coord {
        c(self.xs[a], self.ys[b])
    }
}
