//! The boundary (镇域), the river, the built-up area (建成区) and the villages (行政村).

use geo::BooleanOps;
use geo_types::{Coord, MultiPolygon};

use crate::demo::data::*;
use crate::demo::geom::*;
use crate::io::synth::SplitMix64;

use super::plan::*;

// ---------------------------------------------------------------------------------------------
// Boundary, river, built-up area, villages
// ---------------------------------------------------------------------------------------------

pub(super) fn make_boundary(rng: &mut SplitMix64) -> Vec<Coord> {
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
pub(super) fn make_river(rng: &mut SplitMix64) -> (Vec<Coord>, Vec<f64>, Vec<Coord>) {
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

pub(super) fn make_built_up(g: &Grid) -> Vec<Coord> {
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

pub(super) fn make_villages(t: &mut Town, centres: &[Coord], rng: &mut SplitMix64) {
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
