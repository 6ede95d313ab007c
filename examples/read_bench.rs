//! Reading benchmark driver, used by `benches/compare_pyogrio.py` to compare towncircle with
//! pyogrio side by side on the same files, one process per measurement so peak memory is clean.
//!
//! ```sh
//! cargo run --release --example read_bench -- --make-data /tmp/tc-bench   # writes the two files
//! cargo run --release --example read_bench -- /tmp/tc-bench/points-1m.geojson
//! ```
//! Prints one tab-separated line per file: `file  features  seconds  peak_rss_mb`, where seconds is
//! the best of `--repeat` reads (default 3) and peak RSS is the process high-water mark.

use std::path::{Path, PathBuf};
use std::time::Instant;

use towncircle::io::{ReadOptions, geojson, read, shapefile, synth};

fn peak_rss_mb() -> f64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmHWM:"))
                .and_then(|l| l.split_whitespace().nth(1)?.parse::<f64>().ok())
        })
        .map(|kb| kb / 1024.0)
        .unwrap_or(f64::NAN)
}

fn make_data(dir: &Path) -> anyhow::Result<()> {
    std::fs::create_dir_all(dir)?;
    let points = synth::points(1_000_000, 1);
    geojson::write(&dir.join("points-1m.geojson"), &points)?;
    let buildings = synth::buildings(100_000, 2);
    shapefile::write(
        &dir.join("buildings-100k.shp"),
        &buildings,
        encoding_rs::GBK,
    )?;
    println!("wrote {}", dir.display());
    Ok(())
}

fn main() -> anyhow::Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let mut repeat = 3usize;
    let mut files = Vec::new();
    let mut i = 0;
    while i < args.len() {
        match args[i].as_str() {
            "--make-data" => {
                let dir = args
                    .get(i + 1)
                    .ok_or_else(|| anyhow::anyhow!("--make-data DIR"))?;
                return make_data(Path::new(dir));
            }
            "--repeat" => {
                repeat = args
                    .get(i + 1)
                    .ok_or_else(|| anyhow::anyhow!("--repeat N"))?
                    .parse()?;
                i += 1;
            }
            f => files.push(PathBuf::from(f)),
        }
        i += 1;
    }
    for file in files {
        let mut best = f64::INFINITY;
        let mut count = 0;
        for _ in 0..repeat.max(1) {
            let t = Instant::now();
            let layers = read(&file, &ReadOptions::default())?;
            best = best.min(t.elapsed().as_secs_f64());
            count = layers.iter().map(|l| l.features.len()).sum();
            drop(layers);
        }
        println!(
            "{}\t{count}\t{best:.3}\t{:.0}",
            file.display(),
            peak_rss_mb()
        );
    }
    Ok(())
}
