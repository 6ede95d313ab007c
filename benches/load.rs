//! Criterion benchmarks of reading and loading: a 1,000,000-point GeoJSON and a 100,000-polygon GBK
//! shapefile (generated once into a temp folder), and loading (CRS + validation + reprojection).
//!
//! `cargo bench --bench load` — figures in README.md.

use std::path::PathBuf;

use criterion::{Criterion, criterion_group, criterion_main};
use towncircle::io::{LoadOptions, ReadOptions, geojson, load, read, shapefile, synth};

fn data_dir() -> PathBuf {
    let dir = std::env::temp_dir().join("towncircle-bench-load");
    let points = dir.join("points-1m.geojson");
    let shp = dir.join("buildings-100k.shp");
    if !points.exists() || !shp.exists() {
        std::fs::create_dir_all(&dir).expect("temp dir");
        geojson::write(&points, &synth::points(1_000_000, 1)).expect("write geojson");
        shapefile::write(&shp, &synth::buildings(100_000, 2), encoding_rs::GBK)
            .expect("write shapefile");
    }
    dir
}

fn bench(c: &mut Criterion) {
    let dir = data_dir();
    let points = dir.join("points-1m.geojson");
    let shp = dir.join("buildings-100k.shp");
    let mut g = c.benchmark_group("read");
    g.sample_size(10);
    g.bench_function("geojson 1M points", |b| {
        b.iter(|| read(&points, &ReadOptions::default()).expect("read"))
    });
    g.bench_function("shapefile 100k polygons (GBK)", |b| {
        b.iter(|| read(&shp, &ReadOptions::default()).expect("read"))
    });
    g.bench_function("load shapefile 100k: read + validate + reproject", |b| {
        b.iter(|| {
            let ds = load(std::slice::from_ref(&shp), &LoadOptions::default());
            assert!(ds.failures.is_empty());
            ds
        })
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
