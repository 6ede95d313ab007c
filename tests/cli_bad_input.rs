//! Bad input through the CLI, as a user meets it: every failure names the file, says what is wrong,
//! exits with a non-zero code, and never panics; good files given alongside still load.

use std::path::Path;
use std::process::{Command, Output};

fn towncircle(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_towncircle"))
        .args(args)
        .output()
        .expect("run towncircle")
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn no_panic(o: &Output) {
    let err = stderr(o);
    assert!(
        !err.contains("panicked") && !err.contains("RUST_BACKTRACE"),
        "panic: {err}"
    );
}

fn write(dir: &Path, name: &str, bytes: &[u8]) -> String {
    let p = dir.join(name);
    std::fs::write(&p, bytes).expect("write fixture");
    p.to_string_lossy().into_owned()
}

const GOOD: &str = r#"{"type":"FeatureCollection","features":[
 {"type":"Feature","properties":{"名称":"清溪镇中心幼儿园"},"geometry":{"type":"Point","coordinates":[119.95,30.05]}}]}"#;

#[test]
fn missing_file_is_named_and_others_still_load() {
    let dir = tempfile::tempdir().expect("tempdir");
    let good = write(dir.path(), "good.geojson", GOOD.as_bytes());
    let o = towncircle(&["info", "/nonexistent/道路.shp", &good, "--json"]);
    no_panic(&o);
    assert_eq!(o.status.code(), Some(1));
    let v: serde_json::Value = serde_json::from_str(&stdout(&o)).expect("json");
    assert_eq!(v["layers"].as_array().map(Vec::len), Some(1));
    assert_eq!(v["layers"][0]["feature_count"], 1);
    let err = v["failures"][0]["error"].as_str().expect("error text");
    assert!(err.contains("/nonexistent/道路.shp"), "{err}");
}

#[test]
fn unsupported_extension() {
    let dir = tempfile::tempdir().expect("tempdir");
    let f = write(dir.path(), "town.dwg", b"AC1032");
    let o = towncircle(&["info", &f]);
    no_panic(&o);
    assert_eq!(o.status.code(), Some(1));
    let err = stderr(&o);
    assert!(
        err.contains("town.dwg") && err.contains("unsupported"),
        "{err}"
    );
}

#[test]
fn truncated_geojson_names_file() {
    let dir = tempfile::tempdir().expect("tempdir");
    let f = write(
        dir.path(),
        "cut.geojson",
        &GOOD.as_bytes()[..GOOD.len() / 2],
    );
    let o = towncircle(&["info", &f]);
    no_panic(&o);
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).contains("cut.geojson"), "{}", stderr(&o));
}

#[test]
fn bad_features_are_skipped_and_reported() {
    let dir = tempfile::tempdir().expect("tempdir");
    let f = write(
        dir.path(),
        "mixed.geojson",
        br#"{"type":"FeatureCollection","features":[
 {"type":"Feature","properties":{"n":1},"geometry":{"type":"Point","coordinates":[119.95,30.05]}},
 {"type":"Feature","properties":{"n":2},"geometry":{"type":"Point","coordinates":[999.0,30.05]}},
 {"type":"Feature","properties":{"n":3},"geometry":{"type":"Polygon","coordinates":[[[119.9,30.0],[119.91,30.0],[119.9,30.0]]]}},
 {"type":"Feature","properties":{"n":4},"geometry":{"type":"Polygon","coordinates":[[[119.9,30.0],[119.91,30.0],[119.91,30.01]]]}},
 {"type":"Feature","properties":{"n":5},"geometry":{"type":"Point","coordinates":[119.96,30.06]}}]}"#,
    );
    let o = towncircle(&["info", &f, "--json"]);
    no_panic(&o);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let v: serde_json::Value = serde_json::from_str(&stdout(&o)).expect("json");
    let l = &v["layers"][0];
    assert_eq!(l["feature_count"], 3, "{l}");
    assert_eq!(l["skipped_count"], 2, "{l}");
    let warnings = l["warnings"].to_string();
    assert!(warnings.contains("feature 2"), "{warnings}");
    assert!(warnings.contains("feature 3"), "{warnings}");
    // An unclosed ring is repaired, not dropped, and said so.
    assert!(
        warnings.contains("feature 4") && warnings.contains("closed"),
        "{warnings}"
    );
}

#[test]
fn empty_layer_is_reported() {
    let dir = tempfile::tempdir().expect("tempdir");
    let f = write(
        dir.path(),
        "empty.geojson",
        br#"{"type":"FeatureCollection","features":[]}"#,
    );
    let o = towncircle(&["info", &f, "--json"]);
    no_panic(&o);
    let v: serde_json::Value = serde_json::from_str(&stdout(&o)).expect("json");
    assert_eq!(v["layers"][0]["feature_count"], 0);
    assert!(
        v["layers"][0]["warnings"].to_string().contains("empty"),
        "{v}"
    );
}

#[test]
fn unknown_crs_flag_is_a_usage_error() {
    let dir = tempfile::tempdir().expect("tempdir");
    let good = write(dir.path(), "good.geojson", GOOD.as_bytes());
    let o = towncircle(&["info", &good, "--crs", "EPSG:999999"]);
    no_panic(&o);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("999999"), "{}", stderr(&o));
}

#[test]
fn unknown_declared_crs_in_geojson_names_file() {
    let dir = tempfile::tempdir().expect("tempdir");
    let f = write(
        dir.path(),
        "local-grid.geojson",
        br#"{"type":"FeatureCollection","crs":{"type":"name","properties":{"name":"urn:ogc:def:crs:EPSG::999999"}},"features":[
 {"type":"Feature","properties":{},"geometry":{"type":"Point","coordinates":[500000,3300000]}}]}"#,
    );
    let o = towncircle(&["info", &f, "--json"]);
    no_panic(&o);
    let out = format!("{}{}", stdout(&o), stderr(&o));
    assert!(out.contains("999999"), "{out}");
}
