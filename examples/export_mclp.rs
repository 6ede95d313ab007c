//! Export a maximal covering (MCLP) instance of `towncircle suggest` — demand weights, which
//! demand points the existing facilities cover, each candidate's coverage set — with
//! towncircle's own solutions and timings, so benches/compare_spopt.py can build the same MCLP
//! in spopt (PySAL) and compare objective and time.
//!
//! ```sh
//! cargo build --release --example export_mclp
//! # the demo town, 15-minute walk, kindergartens, K = 2..5:
//! target/release/examples/export_mclp /tmp/mclp-demo sample-maps/qingxi-demo-town --category kindergarten --tier 15 --k 2,3,4,5
//! # a generated grid town of 120 × 120 crossings 80 m apart (buildings and facilities scaled
//! # from the 317 × 317 benchmark town), every node a candidate:
//! target/release/examples/export_mclp /tmp/mclp-g120 --grid 120 --category kindergarten --tier 15 --k 5,10
//! ```
//!
//! `OUT_DIR/instance.json`: `name`, `category`, `minutes`, `mode`, `total_weight` (all demand,
//! as coverage counts it), `weights` (per exported demand point: those covered by the existing
//! facilities or reached by some candidate; the others cannot count), `existing` (0/1 per
//! exported point: covered by the existing facilities), `sets` (per candidate, indices of the
//! exported points within the tier's minutes), `k`, and `towncircle`: per K the chosen
//! candidates (indices into `sets`), the objective (people covered, existing included), the
//! newly covered, the upper bound, the gap, and the seconds to solve (greedy + swaps + bound;
//! median of 3), beside `prepare_s` (candidates, snapping and every candidate's bounded search,
//! once).

use std::path::PathBuf;
use std::time::Instant;

use anyhow::{Context, bail};
use clap::Parser;
use serde_json::json;

use towncircle::access::suggest::mclp;
use towncircle::access::suggest::{Model, Prepared, SuggestRequest};
use towncircle::access::{AccessInput, TownOptions, run_town};
use towncircle::io::{LoadOptions, load};
use towncircle::model::{Layer, Taxonomy};
use towncircle::network::synth;
use towncircle::standards::profile::Profile;

#[derive(Debug, Parser)]
struct Args {
    /// Output folder.
    out: PathBuf,
    /// Town files or folders (else --grid).
    files: Vec<PathBuf>,
    /// A generated grid town of SIDE × SIDE crossings instead of files.
    #[arg(long)]
    grid: Option<usize>,
    #[arg(long, default_value = "kindergarten")]
    category: String,
    #[arg(long, default_value_t = 15)]
    tier: u32,
    #[arg(long, value_delimiter = ',', default_value = "2,3,4,5")]
    k: Vec<usize>,
    /// Candidates from the whole town (镇域) instead of the built-up area (建成区).
    #[arg(long)]
    whole_town: bool,
    /// Default candidates: one network node per square of this size.
    #[arg(long, default_value_t = 50.0)]
    cell_m: f64,
}

fn grid_town(side: usize, taxonomy: &Taxonomy) -> Vec<Layer> {
    let s = synth::GRID_TOWN_SPACING_M;
    let full = (synth::GRID_TOWN_SIDE * synth::GRID_TOWN_SIDE) as f64;
    let scale = (side * side) as f64 / full;
    let cats: Vec<_> = synth::GRID_TOWN_CATEGORIES
        .iter()
        .filter_map(|id| taxonomy.by_id(id))
        .collect();
    vec![
        synth::street_grid(side, side, s, 10.0, 42),
        synth::facilities(
            side,
            side,
            s,
            &cats,
            ((40.0 * scale).round() as usize).max(1),
            7,
        ),
        synth::buildings(
            side,
            side,
            s,
            ((50_000.0 * scale).round() as usize).max(10),
            9,
        ),
    ]
}

fn main() -> anyhow::Result<()> {
    let args = Args::parse();
    let profile = Profile::default();
    let taxonomy = Taxonomy::default();
    let Some(category) = taxonomy.by_id(&args.category) else {
        bail!("--category {}: not a category id", args.category);
    };
    let (layers, name) = match args.grid {
        Some(side) => (grid_town(side, &taxonomy), format!("grid {side}x{side}")),
        None => {
            if args.files.is_empty() {
                bail!("give town FILES or --grid SIDE");
            }
            let ds = load(&args.files, &LoadOptions::default());
            if let Some(f) = ds.failures.first() {
                bail!("{}", f.error);
            }
            let name = args
                .files
                .first()
                .and_then(|p| p.file_name())
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default();
            (ds.layers, name)
        }
    };
    let input = AccessInput::from_layers(&layers);
    let town = run_town(
        &input,
        &profile,
        &taxonomy,
        &TownOptions {
            mode: None,
            minutes: Some(vec![args.tier]),
        },
    )?;
    let mut req = SuggestRequest::new(category, args.tier, Model::Mclp, mclp_goal());
    if let towncircle::access::suggest::CandidateInput::Network { cell_m, .. } = &mut req.candidates
    {
        *cell_m = args.cell_m;
    }
    let t0 = Instant::now();
    let candidate_input = AccessInput {
        built_up: if args.whole_town {
            Vec::new()
        } else {
            input.built_up.clone()
        },
        ..input.clone()
    };
    let p = Prepared::new(
        &town,
        &candidate_input,
        category,
        args.tier,
        &req.candidates,
    )?;
    let problem = p.cover_problem();
    let prepare_s = t0.elapsed().as_secs_f64();

    // The exported points: covered by the existing facilities, or reached by a candidate.
    let points = &p.analysis.demand.points;
    let mut export_of = vec![u32::MAX; points.len()];
    let (mut weights, mut existing) = (Vec::new(), Vec::new());
    let mut add = |i: usize, export_of: &mut Vec<u32>| {
        if export_of[i] == u32::MAX {
            export_of[i] = weights.len() as u32;
            weights.push(points[i].weight);
            existing.push(u8::from(p.existing_covers(i)));
        }
    };
    for i in 0..points.len() {
        if p.existing_covers(i) {
            add(i, &mut export_of);
        }
    }
    for j in 0..p.catchments.len() {
        for i in p.catchments.demand(j) {
            add(*i as usize, &mut export_of);
        }
    }
    // Candidates on the network, in export order; `exported_of[j]`: candidate j's index there.
    let mut exported_of = vec![u32::MAX; p.catchments.len()];
    let sets: Vec<Vec<u32>> = (0..p.catchments.len())
        .filter(|j| p.sites[*j].is_some())
        .enumerate()
        .map(|(x, j)| {
            exported_of[j] = x as u32;
            p.catchments
                .demand(j)
                .iter()
                .map(|i| export_of[*i as usize])
                .collect()
        })
        .collect();

    let mut ours = Vec::new();
    for k in &args.k {
        let mut times = Vec::new();
        let mut sol = None;
        for _ in 0..3 {
            let t = Instant::now();
            let s = mclp::solve(&problem.instance, *k);
            times.push(t.elapsed().as_secs_f64());
            sol = Some(s);
        }
        times.sort_by(f64::total_cmp);
        let Some(s) = sol else { continue };
        let objective = problem.existing_weight + s.value;
        println!(
            "{name}: K={k}: covered {objective:.3} (new {:.3}, greedy {:.3}, {} swaps), bound {:.3}, gap {:.4}%, solve {:.4} s",
            s.value,
            s.greedy_value,
            s.swaps,
            problem.existing_weight + s.upper_bound,
            s.gap_percent(),
            times[1]
        );
        let chosen: Vec<u32> = s.chosen.iter().map(|j| exported_of[*j as usize]).collect();
        ours.push(json!({
            "k": k,
            "chosen": chosen,
            "objective": objective,
            "new": s.value,
            "greedy_new": s.greedy_value,
            "upper_bound": problem.existing_weight + s.upper_bound,
            "gap_percent": s.gap_percent(),
            "solve_s": times[1],
        }));
    }
    let out = json!({
        "name": name,
        "category": args.category,
        "minutes": args.tier,
        "mode": p.analysis.mode.id,
        "candidate_area": p.stats.area,
        "candidates": sets.len(),
        "demand_points": points.len(),
        "exported_points": weights.len(),
        "pairs": p.catchments.pairs(),
        "total_weight": problem.total_weight,
        "existing_weight": problem.existing_weight,
        "weights": weights,
        "existing": existing,
        "sets": sets,
        "k": args.k,
        "towncircle": {"prepare_s": prepare_s, "solutions": ours},
    });
    std::fs::create_dir_all(&args.out)
        .with_context(|| format!("creating {}", args.out.display()))?;
    let path = args.out.join("instance.json");
    std::fs::write(&path, serde_json::to_vec(&out)?)
        .with_context(|| format!("writing {}", path.display()))?;
    println!(
        "{name}: {} candidates, {} demand points ({} exported), {} pairs, prepared in {prepare_s:.3} s → {}",
        sets.len(),
        points.len(),
        weights.len(),
        p.catchments.pairs(),
        path.display()
    );
    Ok(())
}

fn mclp_goal() -> towncircle::access::suggest::Goal {
    towncircle::access::suggest::Goal::Count(1)
}
