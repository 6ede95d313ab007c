//! Data honesty end to end: a town whose 行政村.shp was cut to 3,000 bytes (a copy or download
//! cut short). `analyze` must say so — on the console, in summary.json, in report.html, in
//! results.xlsx, beside the verdicts that use the villages — or, with `--strict`, refuse.

use std::path::{Path, PathBuf};
use std::process::Command;

fn demo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("sample-maps/qingxi-demo-town")
}

/// A copy of the demo town with 行政村.shp truncated to 3,000 bytes.
fn truncated_town(dir: &Path) -> PathBuf {
    let town = dir.join("town");
    std::fs::create_dir_all(&town).expect("mkdir");
    for e in std::fs::read_dir(demo()).expect("demo") {
        let p = e.expect("entry").path();
        std::fs::copy(&p, town.join(p.file_name().expect("name"))).expect("copy");
    }
    let shp = town.join("行政村.shp");
    let bytes = std::fs::read(&shp).expect("read");
    assert!(bytes.len() > 3000);
    std::fs::write(&shp, &bytes[..3000]).expect("truncate");
    town
}

fn analyze(args: &[&str]) -> (i32, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_towncircle"))
        .arg("analyze")
        .args(args)
        .output()
        .expect("run towncircle");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn a_truncated_village_file_is_said_everywhere_the_results_go() {
    let tmp = tempfile::tempdir().expect("tmp");
    let town = truncated_town(tmp.path());
    let out = tmp.path().join("report");
    let (code, stdout, stderr) = analyze(&[
        town.to_str().expect("utf-8"),
        "--out",
        out.to_str().expect("utf-8"),
        "--lang",
        "en",
    ]);
    assert_eq!(code, 0, "{stdout}\n{stderr}");

    // Console: the file, what happened, the counts, and the items resting on it.
    let line = stdout
        .lines()
        .find(|l| l.starts_with("!!") && l.contains("行政村.shp"))
        .unwrap_or_else(|| panic!("no data-quality line for 行政村.shp:\n{stdout}"));
    assert!(line.contains("7 features read, 7 lost"), "{line}");
    assert!(stdout.contains("truncated at byte 3000"), "{stdout}");
    assert!(
        stdout.contains("rest on files read only partly") && stdout.contains(" 9"),
        "{stdout}"
    );

    // summary.json: the record and the items it touches.
    let summary: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(out.join("summary.json")).expect("summary.json"),
    )
    .expect("json");
    let records = summary["data_quality"].as_array().expect("data_quality");
    let (index, rec) = records
        .iter()
        .enumerate()
        .find(|(_, r)| {
            r["file"]
                .as_str()
                .is_some_and(|f| f.ends_with("行政村.shp"))
        })
        .expect("a record for 行政村.shp");
    assert_eq!(rec["kind"], "truncated");
    assert_eq!(rec["loses_features"], true);
    assert_eq!(rec["features_affected"], 7);
    assert_eq!(rec["features_read"], 7);
    assert_eq!(rec["role"], "villages");
    let caveats = summary["tenones_caveats"].as_array().expect("caveats");
    let living = caveats
        .iter()
        .find(|c| c["id"] == "living_circle")
        .expect("item 9 rests on the villages");
    assert!(
        living["data_quality"]
            .as_array()
            .expect("indexes")
            .iter()
            .any(|i| i.as_u64() == Some(index as u64))
    );
    // The sewer item reads no village layer: no caveat there.
    assert!(caveats.iter().all(|c| c["id"] != "sewer"));

    // report.html: the section near the top, and the caveat beside the verdicts.
    let html = std::fs::read_to_string(out.join("report.html")).expect("report.html");
    let section = html
        .find("id=\"data-quality\"")
        .expect("data-quality section");
    let tenones = html.find("id=\"tenones\"").expect("ten-ones section");
    assert!(
        section < tenones,
        "the data-quality section comes before the verdicts"
    );
    assert!(html[section..tenones].contains("行政村.shp"));
    assert!(html[section..tenones].contains("7 features read, 7 lost"));
    assert!(html.contains("rests on incomplete data"));

    // results.xlsx: the 数据质量 sheet holds the record.
    use calamine::{Reader, Xlsx, open_workbook};
    let mut wb: Xlsx<_> = open_workbook(out.join("results.xlsx")).expect("xlsx");
    let sheet = wb.worksheet_range("数据质量").expect("sheet 数据质量");
    let rows: Vec<String> = sheet
        .rows()
        .map(|r| {
            r.iter()
                .map(|c| c.to_string())
                .collect::<Vec<_>>()
                .join("|")
        })
        .collect();
    assert!(
        rows.iter()
            .any(|r| r.contains("行政村.shp") && r.contains("文件不完整") && r.contains("|是|")),
        "{rows:?}"
    );
}

#[test]
fn strict_refuses_a_partly_read_town_and_writes_nothing() {
    let tmp = tempfile::tempdir().expect("tmp");
    let town = truncated_town(tmp.path());
    let out = tmp.path().join("report");
    let (code, stdout, stderr) = analyze(&[
        town.to_str().expect("utf-8"),
        "--out",
        out.to_str().expect("utf-8"),
        "--strict",
    ]);
    assert_eq!(code, 2, "{stdout}\n{stderr}");
    assert!(
        stderr.contains("--strict") && stderr.contains("行政村.shp"),
        "{stderr}"
    );
    assert!(!out.exists(), "nothing written");
}

#[test]
fn the_whole_demo_town_loses_nothing_and_strict_passes() {
    let tmp = tempfile::tempdir().expect("tmp");
    let out = tmp.path().join("report");
    let (code, stdout, stderr) = analyze(&[
        demo().to_str().expect("utf-8"),
        "--out",
        out.to_str().expect("utf-8"),
        "--strict",
    ]);
    assert_eq!(code, 0, "{stdout}\n{stderr}");
    let summary: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(out.join("summary.json")).expect("summary.json"),
    )
    .expect("json");
    let records = summary["data_quality"].as_array().expect("data_quality");
    assert!(
        records.iter().all(|r| r["loses_features"] == false),
        "{records:?}"
    );
    // The POI export holds a bank, a petrol station and a scenic spot: said, not hidden.
    assert!(records.iter().any(|r| r["kind"] == "unmapped_categories"));
    assert_eq!(summary["tenones_caveats"].as_array().map(Vec::len), Some(0));
}

/// Land parcels (用地地块) from a GeoJSON with a YDXZ (用地性质) field: the layer is taken as
/// parcels by its name; parcels without a code either system knows are kept, counted and said —
/// `info` names the unknown code, `analyze` puts a `parcel_codes` record on the console, in
/// summary.json and in report.html.
#[test]
fn parcels_with_unknown_or_missing_codes_are_counted_and_said() {
    let tmp = tempfile::tempdir().expect("tmp");
    let parcels = tmp.path().join("控规地块.geojson");
    let features: Vec<serde_json::Value> = [("0701", 119.95), ("R2", 119.952), ("0799", 119.954), ("", 119.956)]
        .iter()
        .map(|&(code, x)| {
            let (x1, y, y1) = (x + 0.001, 30.05, 30.051);
            serde_json::json!({
                "type": "Feature",
                "properties": {"地块编号": format!("A-{x}"), "YDXZ": code},
                "geometry": {"type": "Polygon", "coordinates": [[[x, y], [x1, y], [x1, y1], [x, y1], [x, y]]]}
            })
        })
        .collect();
    let collection = serde_json::json!({"type": "FeatureCollection", "features": features});
    std::fs::write(&parcels, collection.to_string()).expect("write");

    let info = Command::new(env!("CARGO_BIN_EXE_towncircle"))
        .arg("info")
        .arg(&parcels)
        .arg("--json")
        .output()
        .expect("run");
    assert!(info.status.success());
    let j: serde_json::Value = serde_json::from_slice(&info.stdout).expect("json");
    let layer = &j["layers"][0];
    assert_eq!(layer["role"], "parcels", "{layer}");
    let p = &layer["parcels"];
    assert_eq!(
        (&p["parcels"], &p["with_code"], &p["unknown"], &p["missing"]),
        (
            &serde_json::json!(4),
            &serde_json::json!(2),
            &serde_json::json!(1),
            &serde_json::json!(1)
        ),
        "{p}"
    );
    assert_eq!(p["unknown_codes"]["0799"], 1, "{p}");
    assert_eq!(p["by_class"]["residential"], 2, "{p}");
    assert_eq!(p["field"], "YDXZ");

    let out = tmp.path().join("report");
    let (code, stdout, stderr) = analyze(&[
        demo().to_str().expect("utf-8"),
        parcels.to_str().expect("utf-8"),
        "--out",
        out.to_str().expect("utf-8"),
        "--lang",
        "en",
    ]);
    assert_eq!(code, 0, "{stdout}\n{stderr}");
    assert!(
        stdout.contains("控规地块") && stdout.contains("2 of 4 parcels"),
        "{stdout}"
    );
    let summary: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(out.join("summary.json")).expect("summary.json"),
    )
    .expect("json");
    let rec = summary["data_quality"]
        .as_array()
        .expect("data_quality")
        .iter()
        .find(|r| r["kind"] == "parcel_codes")
        .expect("a parcel_codes record");
    assert_eq!(rec["role"], "parcels");
    assert_eq!(rec["features_affected"], 2);
    assert_eq!(rec["features_read"], 4);
    assert!(rec["details"].to_string().contains("0799 ×1"), "{rec}");
    let html = std::fs::read_to_string(out.join("report.html")).expect("report.html");
    assert!(html.contains("2 of 4 parcels"), "the report says it");
}
