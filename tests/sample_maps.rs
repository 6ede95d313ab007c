//! `towncircle info` on every bundled sample map, as a user runs it: counts, CRS, encodings, roles and
//! facility categories, checked against the demo town's own metadata (demo-town.json, written by the
//! generator) and against independently counted OSM figures.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::Value;

fn sample(dir: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("sample-maps")
        .join(dir)
}

fn info_json(files: &[PathBuf], extra: &[&str]) -> Value {
    let out = Command::new(env!("CARGO_BIN_EXE_towncircle"))
        .arg("info")
        .args(files)
        .args(extra)
        .arg("--json")
        .output()
        .expect("run towncircle");
    assert!(
        out.status.success(),
        "exit {:?}: {}",
        out.status,
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).expect("info --json is JSON")
}

fn demo_files() -> Vec<PathBuf> {
    let dir = sample("qingxi-demo-town");
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .expect("demo town folder")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| {
            matches!(
                p.extension().and_then(|e| e.to_str()),
                Some("shp" | "csv" | "geojson")
            )
        })
        .collect();
    files.sort();
    files
}

fn layer<'a>(info: &'a Value, file_name: &str) -> &'a Value {
    info["layers"]
        .as_array()
        .expect("layers")
        .iter()
        .find(|l| l["file"].as_str().is_some_and(|f| f.ends_with(file_name)))
        .unwrap_or_else(|| panic!("no layer from {file_name}"))
}

#[test]
fn demo_town_counts_crs_and_encodings() {
    let meta: Value = serde_json::from_str(
        &std::fs::read_to_string(sample("qingxi-demo-town").join("demo-town.json"))
            .expect("demo-town.json"),
    )
    .expect("json");
    let info = info_json(&demo_files(), &[]);
    assert_eq!(info["working_crs"], "EPSG:4549");
    assert!(info["failures"].as_array().expect("failures").is_empty());
    let counts = meta["counts"].as_object().expect("counts");
    assert_eq!(counts.len(), 10);
    for (file, n) in counts {
        let l = layer(&info, file);
        assert_eq!(&l["feature_count"], n, "{file}");
        assert_eq!(l["skipped_count"], 0, "{file}: {}", l["warnings"]);
        if file.ends_with(".shp") {
            assert_eq!(l["crs"]["code"], "EPSG:4549", "{file}");
            assert_eq!(l["crs"]["origin"], "declared", "{file}");
            let enc = l["encoding"].as_str().unwrap_or_default();
            assert!(enc.starts_with("GBK"), "{file}: {enc}");
        }
    }
    // The POI table is Amap (GCJ-02), known from its file name; the greenway is RFC 7946 WGS84;
    // the waste points declare EPSG:4549 with the legacy GeoJSON crs member.
    assert_eq!(layer(&info, "POI_高德导出.csv")["crs"]["code"], "GCJ-02");
    assert_eq!(layer(&info, "绿道.geojson")["crs"]["code"], "EPSG:4326");
    assert_eq!(
        layer(&info, "垃圾分类收集点.geojson")["crs"]["code"],
        "EPSG:4549"
    );
    // Roles as a planner would set them.
    for (file, role) in [
        ("镇域.shp", "boundary"),
        ("建成区.shp", "built_up_area"),
        ("行政村.shp", "villages"),
        ("道路.shp", "roads"),
        ("建筑.shp", "buildings"),
        ("污水管网.shp", "sewers"),
        ("水系.shp", "water"),
        ("绿道.geojson", "greenway"),
        ("POI_高德导出.csv", "facilities"),
    ] {
        assert_eq!(layer(&info, file)["role"], role, "{file}");
    }
    // The GBK field names and values read back as Chinese.
    let villages = layer(&info, "行政村.shp");
    let names: Vec<&str> = villages["fields"]
        .as_array()
        .expect("fields")
        .iter()
        .filter_map(|f| f["name"].as_str())
        .collect();
    assert!(
        names.contains(&"村名") && names.contains(&"人口"),
        "{names:?}"
    );
    // Extent near 119.95 E, 30.05 N.
    let ext = layer(&info, "镇域.shp")["extent_lonlat"]
        .as_array()
        .expect("extent")
        .iter()
        .filter_map(Value::as_f64)
        .collect::<Vec<_>>();
    assert!(
        ext[0] > 119.85 && ext[2] < 120.05 && ext[1] > 29.95 && ext[3] < 30.15,
        "{ext:?}"
    );
}

#[test]
fn demo_town_facilities_classify_as_the_answer_key_says() {
    let meta: Value = serde_json::from_str(
        &std::fs::read_to_string(sample("qingxi-demo-town").join("demo-town.json"))
            .expect("demo-town.json"),
    )
    .expect("json");
    let mut expected: BTreeMap<String, u64> = BTreeMap::new();
    let mut expected_unmapped = 0;
    for cat in meta["poi_answer_key"]
        .as_object()
        .expect("answer key")
        .values()
    {
        match cat.as_str() {
            Some(c) => *expected.entry(c.to_string()).or_default() += 1,
            // A bank, a petrol station, a scenic spot: no category, so counted and listed as unmapped.
            None => expected_unmapped += 1,
        }
    }
    // The answer key maps distinct names; the table may repeat a name, so compare per category
    // counts with the names' own classification through info.
    let info = info_json(&[sample("qingxi-demo-town").join("POI_高德导出.csv")], &[]);
    let l = layer(&info, "POI_高德导出.csv");
    assert!(expected_unmapped > 0);
    assert_eq!(
        l["unmapped_count"], expected_unmapped,
        "{}",
        l["unmapped_examples"]
    );
    let got: BTreeMap<String, u64> = l["categories"]
        .as_object()
        .expect("categories")
        .iter()
        .map(|(k, v)| (k.clone(), v.as_u64().unwrap_or(0)))
        .collect();
    assert_eq!(
        got.keys().collect::<Vec<_>>(),
        expected.keys().collect::<Vec<_>>()
    );
    for (cat, n) in &expected {
        assert!(got[cat] >= *n, "{cat}: {} < {n}", got[cat]);
    }
    assert_eq!(l["feature_count"], 191);
}

#[test]
fn helsinki_osm_layers() {
    let info = info_json(
        &[sample("helsinki-centre").join("helsinki-centre.osm.pbf")],
        &[],
    );
    // Working CRS outside China: UTM zone 35N.
    assert_eq!(info["working_crs"], "EPSG:32635");
    let by_table = |t: &str| -> &Value {
        info["layers"]
            .as_array()
            .expect("layers")
            .iter()
            .find(|l| l["table"] == t)
            .unwrap_or_else(|| panic!("no {t}"))
    };
    // Counts cross-checked with libosmium (scripts/osm_expected_counts.py).
    assert_eq!(by_table("roads")["feature_count"], 2521);
    assert_eq!(by_table("facilities")["feature_count"], 1368);
    assert_eq!(by_table("buildings")["feature_count"], 446);
    assert_eq!(by_table("admin_boundaries")["feature_count"], 0);
    assert_eq!(by_table("roads")["crs"]["origin"], "format_default");
    assert_eq!(by_table("roads")["role"], "roads");
    let cats = by_table("facilities")["categories"].clone();
    assert!(cats["bus_stop"].as_u64().unwrap_or(0) > 50, "{cats}");
    assert!(cats["library"].as_u64().unwrap_or(0) >= 1, "{cats}");
}

#[test]
fn helsinki_clip_bbox_keeps_less() {
    let info = info_json(
        &[sample("helsinki-centre").join("helsinki-centre.osm.pbf")],
        &["--clip-bbox", "24.940,60.166,24.947,60.172"],
    );
    let roads = info["layers"]
        .as_array()
        .expect("layers")
        .iter()
        .find(|l| l["table"] == "roads")
        .expect("roads")["feature_count"]
        .as_u64()
        .expect("count");
    assert!(roads > 100 && roads < 2521, "{roads}");
}

#[test]
fn demo_town_cli_regenerates_the_sample() {
    let dir = tempfile::tempdir().expect("tempdir");
    let out = Command::new(env!("CARGO_BIN_EXE_towncircle"))
        .args(["demo-town"])
        .arg(dir.path())
        .output()
        .expect("run");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    for f in [
        "道路.shp",
        "道路.dbf",
        "POI_高德导出.csv",
        "绿道.geojson",
        "demo-town.json",
    ] {
        let a = std::fs::read(dir.path().join(f)).expect("written");
        let b = std::fs::read(sample("qingxi-demo-town").join(f)).expect("sample");
        if f.ends_with(".dbf") {
            // Bytes 1..4 of a DBF header hold the date it was written.
            assert_eq!(a[4..], b[4..], "{f}");
        } else {
            assert_eq!(a, b, "{f}");
        }
    }
}

#[test]
fn a_folder_is_read_as_its_data_files() {
    // README.md and the metadata file demo-town.json are not data: they are left out.
    let info = info_json(&[sample("qingxi-demo-town")], &[]);
    assert!(
        info["failures"].as_array().expect("failures").is_empty(),
        "{}",
        info["failures"]
    );
    assert_eq!(info["layers"].as_array().map(Vec::len), Some(10));
}
