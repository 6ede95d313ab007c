//! `build`: lays the town out from a seed, step by step (land, roads, buildings, utilities).

use geo_types::Coord;

use crate::demo::data::*;
use crate::demo::geom::*;
use crate::io::synth::SplitMix64;

use super::land::{make_boundary, make_built_up, make_river, make_villages};
use super::plan::*;
use super::roads::{add_junction_vertices, make_roads, make_village_lanes, split_bridges};
use super::town_buildings::make_town_buildings;
use super::utilities::{make_greenway, make_sewers, make_waste_points};
use super::village_buildings::make_village_buildings;

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
