//! Access engine benchmarks on a generated near-regular street grid of ~100,000 nodes
//! (317 × 317 crossings, 80 m apart, jittered by up to 10 m; every row and column one long line
//! that the builder must split): graph build, one multi-source Dijkstra (30 min walk, 40
//! facilities), and a full coverage run for 10 categories × 3 tiers over 50,000 buildings.
//!
//! Run: `cargo bench --bench access`. Compare with networkx/pandana via
//! `cargo run --release --example export_graph` (see that file for the export format).

use criterion::{Criterion, criterion_group, criterion_main};
use std::hint::black_box;

use towncircle::access::dijkstra::{NodeTimes, Workspace, multi_source};
use towncircle::access::{AccessInput, AccessOptions, Analysis};
use towncircle::model::Taxonomy;
use towncircle::network::{BuildOptions, ModeGraph, TravelMode, build_graph, synth};
use towncircle::standards::profile::Profile;

fn bench(c: &mut Criterion) {
    let profile = Profile::default();
    let taxonomy = Taxonomy::default();
    let [roads, facilities, buildings] = synth::grid_town(&taxonomy);
    let Some(kindergarten) = taxonomy.by_id(synth::GRID_TOWN_CATEGORIES[0]) else {
        panic!("the taxonomy has no {}", synth::GRID_TOWN_CATEGORIES[0]);
    };

    let mut g = c.benchmark_group("access_100k_nodes");
    g.sample_size(10);
    g.bench_function("graph_build", |b| {
        b.iter(|| {
            build_graph(
                &[black_box(&roads)],
                &profile,
                BuildOptions::from_profile(&profile),
            )
        })
    });

    let built = build_graph(&[&roads], &profile, BuildOptions::from_profile(&profile));
    eprintln!(
        "graph: {} nodes, {} edges",
        built.graph.node_count(),
        built.graph.edge_count()
    );
    let layers = vec![roads.clone(), facilities.clone(), buildings.clone()];
    let input = AccessInput::from_layers(&layers);
    let analysis = Analysis::new(
        &input,
        &profile,
        &taxonomy,
        &AccessOptions {
            mode: "walk".into(),
            minutes: Some(vec![5, 15, 30]),
        },
    )
    .expect("analysis");
    let Some(net) = analysis.network.as_ref() else {
        panic!("no network");
    };
    let sources = analysis.source_set(&analysis.facilities_of(kindergarten));
    let seeds = sources.seeds(&net.graph, &net.mode_graph);
    let mut times = NodeTimes::new(net.graph.node_count());
    let mut ws = Workspace::default();
    g.bench_function("dijkstra_multi_source_30min_walk", |b| {
        b.iter(|| {
            multi_source(
                &net.mode_graph,
                black_box(&seeds),
                1800.0,
                &mut times,
                &mut ws,
            )
        })
    });
    let reached = times.time_s.iter().filter(|t| t.is_finite()).count();
    eprintln!(
        "dijkstra: {reached} of {} nodes within 30 min",
        times.time_s.len()
    );

    g.bench_function("mode_graph", |b| {
        let mode = TravelMode::from_profile(&profile, "walk").expect("walk");
        b.iter(|| ModeGraph::new(black_box(&net.graph), &mode))
    });
    g.bench_function("coverage_10_categories_3_tiers", |b| {
        b.iter(|| black_box(analysis.run()))
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
