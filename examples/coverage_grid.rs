//! A full coverage run on the generated 100,000-node grid town (the town of benches/access.rs:
//! 317 × 317 jittered crossings 80 m apart, 10 categories × 40 facilities, 50,000 residential
//! buildings) through [`run_town`], as `towncircle coverage` runs it: every tier of the shipped
//! profile with its mode (5 and 15 min walking, 30 min by e-bike), one graph for both modes.
//! Prints the wall time of each step; run it under `/usr/bin/time -v` for the peak memory.
//!
//! ```sh
//! cargo build --release --example coverage_grid
//! /usr/bin/time -v target/release/examples/coverage_grid
//! ```

use std::time::Instant;

use towncircle::access::{AccessInput, TownOptions, run_town};
use towncircle::model::Taxonomy;
use towncircle::network::synth;
use towncircle::standards::profile::Profile;

fn main() -> anyhow::Result<()> {
    let profile = Profile::default();
    let taxonomy = Taxonomy::default();
    let t0 = Instant::now();
    let layers = synth::grid_town(&taxonomy).to_vec();
    let generated_s = t0.elapsed().as_secs_f64();
    let t1 = Instant::now();
    let town = run_town(
        &AccessInput::from_layers(&layers),
        &profile,
        &taxonomy,
        &TownOptions::default(),
    )?;
    let run_s = t1.elapsed().as_secs_f64();
    let r = &town.report;
    let net = r.network.as_ref();
    println!(
        "generated the town in {generated_s:.2} s; run_town (graph once, {} modes, {} categories × {} tiers, {} demand points) in {run_s:.2} s",
        r.modes.len(),
        r.categories.len(),
        r.tiers.len(),
        r.demand.points
    );
    println!(
        "graph: {} nodes, {} edges",
        net.map_or(0, |n| n.nodes),
        net.map_or(0, |n| n.edges)
    );
    for a in &r.all_required {
        let mode = r
            .tiers
            .iter()
            .find(|t| t.minutes == a.minutes)
            .map(|t| t.mode.as_str())
            .unwrap_or_default();
        println!(
            "all required at {} min {mode}: {:.1}% of {:.0} persons",
            a.minutes,
            a.coverage.town.percent.unwrap_or(0.0),
            a.coverage.town.demand_total
        );
    }
    Ok(())
}
