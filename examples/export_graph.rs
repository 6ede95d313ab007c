//! Export a road graph, the sources of one facility category (and of every category) and the
//! demand points, with towncircle's own travel times and covered weights, so an independent
//! implementation (networkx, pandana, cityseer) can check them.
//!
//! ```sh
//! cargo run --release --example export_graph -- OUT_DIR                 # the 100k-node grid town
//! cargo run --release --example export_graph -- OUT_DIR FILE... [--mode walk|bike|ebike|car] [--category ID]
//! ```
//!
//! Files written to OUT_DIR (CSV with a header row; times in seconds; coordinates in the metric
//! working CRS; empty cells mean "none / not reached"):
//!
//! - `nodes.csv`: `node,x,y,expected_time_s,expected_source` — node ids 0..n-1; the expected
//!   columns are towncircle's time from the node TO the nearest source (bounded by `budget_s`),
//!   and that source's facility id.
//! - `edges.csv`: `edge,from,to,length_m,class,forward_s,backward_s` — `forward_s` is the travel
//!   time from `from` to `to` for the mode, `backward_s` from `to` to `from`; empty where the mode
//!   may not travel that way (one-way streets for cars, footways for cars, expressways for
//!   walkers). Build a directed graph with an arc for each non-empty time.
//! - `sources.csv`: `facility,node,time_s` — seeds: reaching `node` means being `time_s` from
//!   facility `facility` (the facility sits on an edge next to the node, plus its access leg).
//!   Check: add a virtual node S with an arc node→S of weight `time_s` for every row, then the
//!   time from each node to S (Dijkstra on the reversed graph from S, cutoff `budget_s`) must
//!   equal `expected_time_s`.
//! - `targets.csv`: `demand,x,y,weight,edge,from,to,to_from_s,to_to_s,access_s,expected_time_s,
//!   offset_m,s_per_m,access_m` — a demand point's time is
//!   `access_s + min(to_from_s + t(from), to_to_s + t(to))` (empty `to_*_s` where the mode may
//!   not go that way along its edge), or less when a facility is on the same edge (towncircle
//!   then goes straight along the edge, see `facilities.csv`; rare, and `expected_time_s` is then
//!   smaller); times above `budget_s` are "not reached". `offset_m` is the snapped position along
//!   the edge from `from`, `s_per_m` the edge's seconds per metre, `access_m` the straight leg.
//!   Demand points that reach no usable road are left out (never covered).
//! - `category_sources.csv`: `category,facility,node,time_s` — the seeds of EVERY category with
//!   facilities (as `sources.csv` for one): one multi-source search per category.
//! - `facilities.csv`: `facility,category,edge,offset_m,access_s,x,y` — every snapped facility,
//!   for the same-edge rule of towncircle's demand-point time: a point on the facility's edge
//!   also gets `access_s(point) + |offset_m(fac) - offset_m(point)| · s_per_m + access_s(fac)`
//!   when the mode may go that way along the edge (facility ahead: the point's `to_to_s` is not
//!   empty; behind: `to_from_s`), and `hypot(x - x_fac, y - y_fac) / access_speed` when that
//!   straight line is no longer than `access_m(point) + access_s(fac) · access_speed` (+1e-9).
//! - `coverage.csv`: `category,minutes,facilities,covered_weight,demand_total` — towncircle's
//!   covered demand weight (whole town) per category and tier, from `Analysis::run` with this
//!   mode for every tier (5, 15, 30 min): a point is covered when its time is ≤ the tier.
//! - `meta.json`: mode, speed, budget, category, counts, and towncircle's own timings
//!   (`towncircle_build_s`: graph build from the road lines + the mode's adjacency;
//!   `towncircle_csr_s`: the mode's adjacency alone from the built graph; `towncircle_query_s`: one
//!   multi-source Dijkstra from the seeds; `towncircle_all_s`: `Analysis::run`, every category ×
//!   every tier with the app's thread pool, `towncircle_all_1thread_s` the same on one thread;
//!   medians of 5 runs).

use std::io::Write;
use std::path::PathBuf;

use anyhow::{Context, bail};
use std::hint::black_box;
use towncircle::access::dijkstra::multi_source;
use towncircle::access::{AccessInput, AccessOptions, Analysis, NO_SOURCE, NodeTimes, Workspace};
use towncircle::io::{LoadOptions, load};
use towncircle::model::{Layer, Taxonomy};
use towncircle::network::mode::{PASS_BACKWARD, PASS_FORWARD};
use towncircle::network::synth;
use towncircle::network::{BuildOptions, ModeGraph, TravelMode, build_graph};
use towncircle::standards::profile::Profile;

/// The median wall time of `runs` calls, in seconds.
fn median_s(runs: usize, mut f: impl FnMut()) -> f64 {
    let mut t: Vec<f64> = (0..runs.max(1))
        .map(|_| {
            let t0 = std::time::Instant::now();
            f();
            t0.elapsed().as_secs_f64()
        })
        .collect();
    t.sort_by(f64::total_cmp);
    t[t.len() / 2]
}

fn main() -> anyhow::Result<()> {
    let mut args = std::env::args().skip(1);
    let Some(out) = args.next().map(PathBuf::from) else {
        bail!("usage: export_graph OUT_DIR [FILE...] [--mode MODE] [--category ID]");
    };
    let mut files = Vec::new();
    let mut mode = "walk".to_string();
    let mut category: Option<String> = None;
    while let Some(a) = args.next() {
        match a.as_str() {
            "--mode" => mode = args.next().context("--mode needs a value")?,
            "--category" => category = Some(args.next().context("--category needs a value")?),
            _ => files.push(PathBuf::from(a)),
        }
    }
    let profile = Profile::default();
    let taxonomy = Taxonomy::default();
    let layers: Vec<Layer> = if files.is_empty() {
        // The benchmark town of benches/access.rs: 10 categories × 40 facilities, the first
        // (kindergarten) being the single category of `sources.csv`.
        synth::grid_town(&taxonomy).to_vec()
    } else {
        let ds = load(&files, &LoadOptions::default());
        for f in &ds.failures {
            eprintln!("error: {}", f.error);
        }
        ds.layers
    };
    let input = AccessInput::from_layers(&layers);
    // towncircle's own timings of the steps the peers are timed on (median of 5 runs each):
    // the graph build from the road layers plus the mode's adjacency, and one multi-source query.
    let build_s = median_s(5, || {
        let built = build_graph(&input.roads, &profile, BuildOptions::from_profile(&profile));
        if let Ok(m) = TravelMode::from_profile(&profile, &mode) {
            black_box(ModeGraph::new(&built.graph, &m));
        }
    });
    let analysis = Analysis::new(
        &input,
        &profile,
        &taxonomy,
        &AccessOptions {
            mode: mode.clone(),
            minutes: Some(vec![5, 15, 30]),
        },
    )?;
    let Some(net) = &analysis.network else {
        bail!("no road network in the input");
    };
    let cat = match &category {
        Some(id) => taxonomy
            .by_id(id)
            .with_context(|| format!("unknown category {id}"))?,
        None => analysis
            .facilities
            .first()
            .map(|f| f.category)
            .context("no facilities in the input")?,
    };
    let budget_s = 1800.0;
    let mut ws = Workspace::default();
    let ct = analysis.category_times(cat, budget_s, &mut ws);
    let Some((times, sources)) = analysis.node_times(&ct.facilities, budget_s, &mut ws) else {
        bail!("no network times");
    };
    // The adjacency alone from the built graph: what the peers build from the same node/edge lists.
    let csr_s = median_s(5, || {
        black_box(ModeGraph::new(&net.graph, &analysis.mode));
    });
    let seeds = sources.seeds(&net.graph, &net.mode_graph);
    let mut scratch = NodeTimes::new(net.graph.node_count());
    let query_s = median_s(5, || {
        multi_source(&net.mode_graph, &seeds, budget_s, &mut scratch, &mut ws);
    });
    // Every category × every tier, as the app computes it (per-category searches in parallel on
    // rayon's pool, then coverage per scope and tier), and the same on one thread.
    let all_s = median_s(5, || {
        black_box(analysis.run());
    });
    let one = rayon::ThreadPoolBuilder::new().num_threads(1).build()?;
    let all_1thread_s = median_s(5, || {
        one.install(|| black_box(analysis.run()));
    });
    let all = analysis.run();
    std::fs::create_dir_all(&out)?;
    let opt = |t: f64| {
        if t.is_finite() {
            format!("{t}")
        } else {
            String::new()
        }
    };
    let (g, m) = (&net.graph, &net.mode_graph);
    let mut w = std::io::BufWriter::new(std::fs::File::create(out.join("nodes.csv"))?);
    writeln!(w, "node,x,y,expected_time_s,expected_source")?;
    for (i, p) in g.node_xy.iter().enumerate() {
        let s = times.source[i];
        writeln!(
            w,
            "{i},{},{},{},{}",
            p[0],
            p[1],
            opt(times.time_s[i]),
            if s == NO_SOURCE {
                String::new()
            } else {
                s.to_string()
            }
        )?;
    }
    w.flush()?;
    let mut w = std::io::BufWriter::new(std::fs::File::create(out.join("edges.csv"))?);
    writeln!(w, "edge,from,to,length_m,class,forward_s,backward_s")?;
    for (i, e) in g.edges.iter().enumerate() {
        let cost = e.length_m * m.edge_s_per_m[i];
        let pass = m.edge_pass[i];
        writeln!(
            w,
            "{i},{},{},{},{},{},{}",
            e.from,
            e.to,
            e.length_m,
            profile.class(e.class).map(|c| c.id.as_str()).unwrap_or(""),
            if pass & PASS_FORWARD != 0 {
                opt(cost)
            } else {
                String::new()
            },
            if pass & PASS_BACKWARD != 0 {
                opt(cost)
            } else {
                String::new()
            },
        )?;
    }
    w.flush()?;
    let mut w = std::io::BufWriter::new(std::fs::File::create(out.join("sources.csv"))?);
    writeln!(w, "facility,node,time_s")?;
    for s in sources.seeds(g, m) {
        writeln!(w, "{},{},{}", s.source, s.node, s.time_s)?;
    }
    w.flush()?;
    let mut w = std::io::BufWriter::new(std::fs::File::create(out.join("targets.csv"))?);
    writeln!(
        w,
        "demand,x,y,weight,edge,from,to,to_from_s,to_to_s,access_s,expected_time_s,offset_m,s_per_m,access_m"
    )?;
    for (i, (p, s)) in analysis
        .demand
        .points
        .iter()
        .zip(&analysis.demand_snaps)
        .enumerate()
    {
        let Some(s) = s else { continue };
        let e = &g.edges[s.edge as usize];
        let k = m.edge_s_per_m[s.edge as usize];
        let pass = m.edge_pass[s.edge as usize];
        write!(
            w,
            "{i},{},{},{},{},{},{},{},{},{},{}",
            p.xy[0],
            p.xy[1],
            p.weight,
            s.edge,
            e.from,
            e.to,
            if pass & PASS_BACKWARD != 0 {
                opt(s.offset_m * k)
            } else {
                String::new()
            },
            if pass & PASS_FORWARD != 0 {
                opt((e.length_m - s.offset_m).max(0.0) * k)
            } else {
                String::new()
            },
            s.access_m / m.access_speed_m_per_s,
            opt(ct.demand_time_s[i]),
        )?;
        writeln!(w, ",{},{k},{}", s.offset_m, s.access_m)?;
    }
    w.flush()?;
    let cat_id = |c| taxonomy.get(c).map(|c| c.id.clone()).unwrap_or_default();
    let mut w = std::io::BufWriter::new(std::fs::File::create(out.join("category_sources.csv"))?);
    let mut wf = std::io::BufWriter::new(std::fs::File::create(out.join("facilities.csv"))?);
    writeln!(w, "category,facility,node,time_s")?;
    writeln!(wf, "facility,category,edge,offset_m,access_s,x,y")?;
    let mut seeded = 0;
    for c in &analysis.categories {
        let set = analysis.source_set(&analysis.facilities_of(*c));
        if set.points.is_empty() {
            continue;
        }
        seeded += 1;
        let id = cat_id(*c);
        for s in set.seeds(g, m) {
            writeln!(w, "{id},{},{},{}", s.source, s.node, s.time_s)?;
        }
        for p in &set.points {
            writeln!(
                wf,
                "{},{id},{},{},{},{},{}",
                p.id, p.edge, p.offset_m, p.access_s, p.xy[0], p.xy[1]
            )?;
        }
    }
    w.flush()?;
    wf.flush()?;
    let mut w = std::io::BufWriter::new(std::fs::File::create(out.join("coverage.csv"))?);
    writeln!(w, "category,minutes,facilities,covered_weight,demand_total")?;
    for c in &all.report.categories {
        for t in &c.tiers {
            writeln!(
                w,
                "{},{},{},{},{}",
                c.id, t.minutes, c.facility_count, t.town.covered_weight, t.town.demand_total
            )?;
        }
    }
    w.flush()?;
    let meta = serde_json::json!({
        "mode": analysis.mode.id,
        "speed_m_per_s": analysis.mode.speed_m_per_s,
        "access_speed_m_per_s": analysis.mode.access_speed_m_per_s,
        "budget_s": budget_s,
        "category": taxonomy.get(cat).map(|c| c.id.clone()),
        "facilities": ct.facilities.len(),
        "nodes": g.node_count(),
        "edges": g.edge_count(),
        "demand_points": analysis.demand.points.len(),
        "towncircle_build_s": build_s,
        "towncircle_csr_s": csr_s,
        "towncircle_query_s": query_s,
        "towncircle_all_s": all_s,
        "towncircle_all_1thread_s": all_1thread_s,
        "towncircle_threads": rayon::current_num_threads(),
        "tiers_min": analysis.tiers.iter().map(|t| t.minutes).collect::<Vec<_>>(),
        "categories": analysis.categories.len(),
        "categories_with_facilities": seeded,
        "all_facilities": analysis.facilities.len(),
        "max_budget_s": analysis.max_budget_s(),
    });
    std::fs::write(out.join("meta.json"), serde_json::to_string_pretty(&meta)?)?;
    eprintln!(
        "wrote {} nodes, {} edges, {} facilities, {} targets to {}",
        g.node_count(),
        g.edge_count(),
        sources.points.len(),
        analysis.demand.points.len(),
        out.display()
    );
    Ok(())
}
