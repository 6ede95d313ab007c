//! Our shapefile and GeoJSON readers side by side with the crates `shapefile` 0.9 (+ `dbase` 0.8
//! with GBK) and `geojson` 1.0, on the same files: time (best of 5), and what each keeps of damaged
//! files. Results and the decision: docs/io-crates.md.
//!
//! ```sh
//! cargo run --release --no-default-features --example io_crates            # timings + damaged files
//! /usr/bin/time -f "%M KB" target/release/examples/io_crates --only ours FILE   # peak memory, one reader
//! /usr/bin/time -f "%M KB" target/release/examples/io_crates --only crate FILE
//! ```
//!
//! Ours: `towncircle::io::read` (geometry to geo-types, attributes decoded, the encoding decided,
//! issues recorded). The shapefile crate: every shape converted to `geo_types::Geometry` and
//! every record decoded as GBK (we tell it the encoding: it does not decide one). The geojson
//! crate: parsed into its own types (no geo-types conversion, so it does less than ours).

use std::fs::File;
use std::io::BufReader;
use std::path::{Path, PathBuf};
use std::time::Instant;

use towncircle::io::{ReadOptions, read};

fn ours(path: &Path) -> Result<usize, String> {
    let layers = read(path, &ReadOptions::default()).map_err(|e| e.to_string())?;
    Ok(layers.iter().map(|l| l.features.len()).sum())
}

fn crate_shp(path: &Path) -> Result<usize, String> {
    let shp = shapefile::ShapeReader::from_path(path).map_err(|e| e.to_string())?;
    let dbf_file = File::open(path.with_extension("dbf")).map_err(|e| e.to_string())?;
    let dbf = dbase::ReaderBuilder::new()
        .with_encoding(dbase::encoding::EncodingRs::from(encoding_rs::GBK))
        .build(BufReader::new(dbf_file))
        .map_err(|e| e.to_string())?;
    let mut reader = shapefile::Reader::new(shp, dbf);
    let mut n = 0;
    for item in reader.iter_shapes_and_records() {
        let (shape, record) = item.map_err(|e| e.to_string())?;
        let g: geo_types::Geometry<f64> = shape.try_into().map_err(|e| format!("{e:?}"))?;
        std::hint::black_box((g, record));
        n += 1;
    }
    Ok(n)
}

fn crate_geojson(path: &Path) -> Result<usize, String> {
    let text = std::fs::read_to_string(path).map_err(|e| e.to_string())?;
    let gj: geojson::GeoJson = text.parse().map_err(|e: geojson::Error| e.to_string())?;
    Ok(match gj {
        geojson::GeoJson::FeatureCollection(fc) => fc.features.len(),
        geojson::GeoJson::Feature(_) => 1,
        geojson::GeoJson::Geometry(_) => 1,
    })
}

fn by_crate(path: &Path) -> Result<usize, String> {
    if path.extension().is_some_and(|e| e == "shp") {
        crate_shp(path)
    } else {
        crate_geojson(path)
    }
}

/// Features kept, or the error, or "panic".
fn outcome(f: impl FnOnce() -> Result<usize, String>) -> String {
    match std::panic::catch_unwind(std::panic::AssertUnwindSafe(f)) {
        Ok(Ok(n)) => format!("{n} kept"),
        Ok(Err(e)) => format!("error: {}", e.chars().take(70).collect::<String>()),
        Err(_) => "PANIC".into(),
    }
}

fn best_of_5_ms(f: impl Fn() -> Result<usize, String>) -> (f64, String) {
    let mut best = f64::INFINITY;
    let mut last = String::new();
    for _ in 0..5 {
        let t = Instant::now();
        last = match f() {
            Ok(n) => n.to_string(),
            Err(e) => format!("error: {e}"),
        };
        best = best.min(t.elapsed().as_secs_f64() * 1e3);
    }
    (best, last)
}

fn copy_set(from: &Path, stem: &str, dir: &Path, new_stem: &str) -> PathBuf {
    for ext in ["shp", "shx", "dbf", "prj", "cpg"] {
        let src = from.join(format!("{stem}.{ext}"));
        if src.exists() {
            let _ = std::fs::copy(&src, dir.join(format!("{new_stem}.{ext}")));
        }
    }
    dir.join(format!("{new_stem}.shp"))
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args.first().map(String::as_str) == Some("--only") {
        let (which, file) = (&args[1], Path::new(&args[2]));
        let n = if which == "ours" {
            ours(file)?
        } else {
            by_crate(file)?
        };
        println!("{n} features");
        return Ok(());
    }
    let demo = Path::new(env!("CARGO_MANIFEST_DIR")).join("sample-maps/qingxi-demo-town");
    let dir = std::env::temp_dir().join("towncircle-io-crates");
    std::fs::create_dir_all(&dir)?;
    let big = towncircle::io::synth::buildings(100_000, 1);
    let big_shp = dir.join("buildings-100k.shp");
    let big_json = dir.join("buildings-100k.geojson");
    towncircle::io::shapefile::write(&big_shp, &big, encoding_rs::GBK)?;
    towncircle::io::geojson::write(&big_json, &big)?;

    println!("| file | features | ours (ms) | crate (ms) |");
    println!("|---|---|---|---|");
    for path in [
        demo.join("建筑.shp"),
        demo.join("道路.shp"),
        big_shp.clone(),
        demo.join("垃圾分类收集点.geojson"),
        big_json.clone(),
    ] {
        let (o, n) = best_of_5_ms(|| ours(&path));
        let (c, m) = best_of_5_ms(|| by_crate(&path));
        println!(
            "| {} | {n} / {m} | {o:.1} | {c:.1} |",
            path.file_name()
                .map(|f| f.to_string_lossy())
                .unwrap_or_default()
        );
    }

    // Damaged files.
    println!();
    println!("| damage | ours | crate |");
    println!("|---|---|---|");
    let cut = copy_set(&demo, "行政村", &dir, "cut-shp");
    let bytes = std::fs::read(&cut)?;
    std::fs::write(&cut, &bytes[..3000])?;
    let cut_dbf = copy_set(&demo, "行政村", &dir, "cut-dbf");
    let dbf = cut_dbf.with_extension("dbf");
    let bytes = std::fs::read(&dbf)?;
    std::fs::write(&dbf, &bytes[..bytes.len() / 2])?;
    // Code page 0, GBK text, no .cpg: ours decides GBK; the crate is told GBK here, so we also
    // check the crate's default (no encoding given) reads the names.
    let cp0 = copy_set(&demo, "行政村", &dir, "cp0");
    let _ = std::fs::remove_file(cp0.with_extension("cpg"));
    let dbf = cp0.with_extension("dbf");
    let mut bytes = std::fs::read(&dbf)?;
    bytes[29] = 0;
    std::fs::write(&dbf, &bytes)?;
    let json_text = std::fs::read_to_string(demo.join("垃圾分类收集点.geojson"))?;
    let cut_json = dir.join("cut.geojson");
    std::fs::write(&cut_json, &json_text[..json_text.len() / 2])?;
    let legacy = dir.join("legacy-crs.geojson");
    std::fs::write(
        &legacy,
        r#"{"type":"FeatureCollection","crs":{"type":"name","properties":{"name":"urn:ogc:def:crs:EPSG::4549"}},"features":[{"type":"Feature","properties":{"名称":"垃圾点"},"geometry":{"type":"Point","coordinates":[500000.0,3320000.0]}}]}"#,
    )?;
    for (what, path) in [
        (".shp cut to 3,000 bytes mid-record (14 records)", cut),
        (".dbf cut in half (14 records)", cut_dbf),
        (".dbf code page 0 with GBK text, no .cpg", cp0.clone()),
        ("GeoJSON cut in half mid-feature (348 features)", cut_json),
        (
            "GeoJSON with the legacy `crs` member (EPSG:4549)",
            legacy.clone(),
        ),
    ] {
        println!(
            "| {what} | {} | {} |",
            outcome(|| ours(&path)),
            outcome(|| by_crate(&path))
        );
    }
    // What each makes of the names and the CRS.
    let names = read(&cp0, &ReadOptions::default())?;
    let first = names[0].features[0]
        .attrs
        .iter()
        .find_map(|a| {
            a.as_text()
                .map(|t| t.into_owned())
                .filter(|t| !t.is_ascii())
        })
        .unwrap_or_default();
    println!(
        "\nours, code page 0: encoding {:?}, first name {first}",
        names[0].source.encoding
    );
    let plain = shapefile::Reader::from_path(&cp0)
        .ok()
        .and_then(|mut r| r.read().ok())
        .and_then(|v| {
            v.first().map(|(_, rec)| {
                rec.clone()
                    .into_iter()
                    .find_map(|(_, v)| match v {
                        dbase::FieldValue::Character(Some(s)) if !s.is_ascii() => Some(s),
                        _ => None,
                    })
                    .unwrap_or_default()
            })
        });
    println!("crate, code page 0, no encoding given: first name {plain:?}");
    let l = read(&legacy, &ReadOptions::default())?;
    println!(
        "ours, legacy crs member: {:?}",
        l[0].crs.crs.as_ref().map(|c| c.label())
    );
    println!(
        "crate, legacy crs member: parsed; the crs member is not interpreted (RFC 7946 dropped it)"
    );
    Ok(())
}
