//! Export a road graph, the sources of one facility category and the demand points, with
//! towncircle's own travel times, so an independent implementation (networkx, pandana) can
//! check them.
//!
//! ```sh
//! cargo run --release --example export_graph -- OUT_DIR                 # the 100k-node synthetic grid
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
//! - `targets.csv`: `demand,x,y,weight,edge,from,to,to_from_s,to_to_s,access_s,expected_time_s`
//!   — a demand point's time is `access_s + min(to_from_s + t(from), to_to_s + t(to))` (empty
//!   `to_*_s` where the mode may not go that way along its edge), or less when a facility is on
//!   the same edge (towncircle then goes straight along the edge; rare, and `expected_time_s`
//!   is then smaller); times above `budget_s` are "not reached".
//! - `meta.json`: mode, speed, budget, category, counts, and towncircle's own timings
//!   (`towncircle_build_s`: graph build from the road lines + the mode's adjacency;
//!   `towncircle_csr_s`: the mode's adjacency alone from the built graph; `towncircle_query_s`: one
//!   multi-source Dijkstra from the seeds; medians of 5 runs).

use std::io::Write;
use std::path::PathBuf;

use anyhow::{Context, bail};
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
        let cats: Vec<_> = ["kindergarten", "park"]
            .iter()
            .filter_map(|c| taxonomy.by_id(c))
            .collect();
        vec![
            synth::street_grid(317, 317, 80.0, 10.0, 42),
            synth::facilities(317, 317, 80.0, &cats, 40, 7),
            synth::buildings(317, 317, 80.0, 50_000, 9),
        ]
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
            std::hint::black_box(ModeGraph::new(&built.graph, &m));
        }
    });
    let analysis = Analysis::new(
        &input,
        &profile,
        &taxonomy,
        &AccessOptions {
            mode: mode.clone(),
            minutes: Some(vec![30]),
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
        std::hint::black_box(ModeGraph::new(&net.graph, &analysis.mode));
    });
    let seeds = sources.seeds(&net.graph, &net.mode_graph);
    let mut scratch = NodeTimes::new(net.graph.node_count());
    let query_s = median_s(5, || {
        multi_source(&net.mode_graph, &seeds, budget_s, &mut scratch, &mut ws);
    });
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
        "demand,x,y,weight,edge,from,to,to_from_s,to_to_s,access_s,expected_time_s"
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
        writeln!(
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
