//! `towncircle coverage` end to end on small GeoJSON files written by the tests (EPSG:4549).

use std::path::{Path, PathBuf};
use std::process::Command;

const X0: f64 = 500_000.0;
const Y0: f64 = 3_320_000.0;

fn fc(features: &[String]) -> String {
    format!(
        r#"{{"type":"FeatureCollection","crs":{{"type":"name","properties":{{"name":"urn:ogc:def:crs:EPSG::4549"}}}},"features":[{}]}}"#,
        features.join(",")
    )
}

fn line(coords: &[[f64; 2]], props: &str) -> String {
    let c: Vec<String> = coords
        .iter()
        .map(|p| format!("[{},{}]", X0 + p[0], Y0 + p[1]))
        .collect();
    format!(
        r#"{{"type":"Feature","properties":{{{props}}},"geometry":{{"type":"LineString","coordinates":[{}]}}}}"#,
        c.join(",")
    )
}

fn point(p: [f64; 2], props: &str) -> String {
    format!(
        r#"{{"type":"Feature","properties":{{{props}}},"geometry":{{"type":"Point","coordinates":[{},{}]}}}}"#,
        X0 + p[0],
        Y0 + p[1]
    )
}

fn square(p: [f64; 2], s: f64, props: &str) -> String {
    let (x, y) = (X0 + p[0], Y0 + p[1]);
    format!(
        r#"{{"type":"Feature","properties":{{{props}}},"geometry":{{"type":"Polygon","coordinates":[[[{x},{y}],[{},{y}],[{},{}],[{x},{}],[{x},{y}]]]}}}}"#,
        x + s,
        x + s,
        y + s,
        y + s
    )
}

fn write(dir: &Path, name: &str, text: &str) -> PathBuf {
    let p = dir.join(name);
    std::fs::write(&p, text).expect("write");
    p
}

/// A river town: two banks 200 m apart, one bridge 500 m east; a primary school on the north
/// bank, homes on the south bank.
fn river_town(dir: &Path) -> (PathBuf, PathBuf, PathBuf) {
    let roads = write(
        dir,
        "道路.geojson",
        &fc(&[
            line(&[[0.0, 0.0], [1000.0, 0.0]], r#""道路等级":"支路""#),
            line(&[[0.0, 200.0], [1000.0, 200.0]], r#""道路等级":"支路""#),
            line(
                &[[500.0, 0.0], [500.0, 200.0]],
                r#""道路等级":"支路","bridge":"yes""#,
            ),
            // A county road crossing the bridge's line of sight at another level: not joined.
            line(
                &[[400.0, 100.0], [600.0, 100.0]],
                r#""道路等级":"县道","layer":-1"#,
            ),
        ]),
    );
    let fac = write(
        dir,
        "设施.geojson",
        &fc(&[point([0.0, 215.0], r#""名称":"清溪小学""#)]),
    );
    let homes = write(
        dir,
        "建筑.geojson",
        &fc(&[
            square([-6.0, -25.0], 12.0, r#""用途":"住宅","层数":2,"人口":40"#),
            square([500.0, 180.0], 12.0, r#""用途":"住宅","层数":2,"人口":10"#),
        ]),
    );
    (roads, fac, homes)
}

fn run(args: &[&std::ffi::OsStr]) -> (i32, serde_json::Value, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_towncircle"))
        .arg("coverage")
        .args(args)
        .arg("--json")
        .output()
        .expect("run towncircle");
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    let json = serde_json::from_slice(&out.stdout).unwrap_or(serde_json::Value::Null);
    (out.status.code().unwrap_or(-1), json, stderr)
}

fn tier_percent(j: &serde_json::Value, cat: &str, minutes: u64) -> Option<f64> {
    j["categories"]
        .as_array()?
        .iter()
        .find(|c| c["id"] == cat)?["tiers"]
        .as_array()?
        .iter()
        .find(|t| t["minutes"] == minutes)?["town"]["percent"]
        .as_f64()
}

#[test]
fn river_town_by_network_and_roles_guessed() {
    let dir = tempfile::tempdir().expect("tmp");
    let (roads, fac, homes) = river_town(dir.path());
    let (code, j, err) = run(&[
        roads.as_os_str(),
        fac.as_os_str(),
        homes.as_os_str(),
        "--minutes".as_ref(),
        "15,30".as_ref(),
    ]);
    assert_eq!(code, 0, "{err}");
    assert_eq!(j["method"], "network");
    assert_eq!(j["mode"]["id"], "walk");
    assert_eq!(j["mode"]["speed_source"], "K");
    assert_eq!(j["network"]["build"]["level_crossings_kept_apart"], 1);
    assert_eq!(j["snapping"]["demand_snapped"], 2);
    assert_eq!(j["snapping"]["facilities_snapped"], 1);
    // The southern home (40 people) is 1.2 km from the school by the bridge: not within 15 min;
    // the northern one (10) is.
    assert_eq!(tier_percent(&j, "primary_school", 15), Some(20.0));
    assert_eq!(tier_percent(&j, "primary_school", 30), Some(100.0));
    let roles: Vec<&str> = j["inputs"]
        .as_array()
        .expect("inputs")
        .iter()
        .filter_map(|i| i["role"].as_str())
        .collect();
    assert_eq!(roles, vec!["roads", "facilities", "buildings"]);
}

#[test]
fn no_roads_is_a_flagged_euclidean_fallback() {
    let dir = tempfile::tempdir().expect("tmp");
    let (_, fac, homes) = river_town(dir.path());
    let (code, j, err) = run(&[
        "--facilities".as_ref(),
        fac.as_os_str(),
        "--demand".as_ref(),
        homes.as_os_str(),
    ]);
    assert_eq!(code, 0, "{err}");
    assert_eq!(j["method"], "euclidean");
    assert!(j["network"].is_null());
    assert!(
        j["flags"][0]
            .as_str()
            .expect("flag")
            .contains("EUCLIDEAN FALLBACK")
    );
    // Straight over the river (234 m × 1.3): everyone within 15 min, where the network gives 20%.
    assert_eq!(tier_percent(&j, "primary_school", 15), Some(100.0));
}

#[test]
fn bad_inputs_give_messages_not_panics() {
    let dir = tempfile::tempdir().expect("tmp");
    let (roads, _, homes) = river_town(dir.path());
    // Empty facility layer.
    let empty = write(dir.path(), "pois.geojson", &fc(&[]));
    let (code, j, err) = run(&[
        "--roads".as_ref(),
        roads.as_os_str(),
        "--facilities".as_ref(),
        empty.as_os_str(),
        "--demand".as_ref(),
        homes.as_os_str(),
    ]);
    assert_eq!(code, 0, "{err}");
    assert!(
        j["warnings"].as_array().expect("warnings").iter().any(|w| w
            .as_str()
            .is_some_and(|w| w.contains("the facility layer is empty"))),
        "{j}"
    );
    assert!(
        j["all_required"]
            .as_array()
            .expect("tiers")
            .iter()
            .all(|t| !t["missing"].as_array().expect("missing").is_empty())
    );
    // Facilities far outside the town.
    let far = write(
        dir.path(),
        "far.geojson",
        &fc(&[point([50_000.0, 50_000.0], r#""名称":"远方小学""#)]),
    );
    let (code, j, err) = run(&[
        "--roads".as_ref(),
        roads.as_os_str(),
        "--facilities".as_ref(),
        far.as_os_str(),
        "--demand".as_ref(),
        homes.as_os_str(),
    ]);
    assert_eq!(code, 0, "{err}");
    assert_eq!(j["snapping"]["facilities_unreachable"], 1);
    assert!(
        j["warnings"]
            .as_array()
            .expect("warnings")
            .iter()
            .any(|w| w.as_str().is_some_and(|w| w.contains("远方小学")))
    );
    // A graph of one node.
    let dot = write(
        dir.path(),
        "roads1.geojson",
        &fc(&[line(
            &[[0.0, 0.0], [0.0, 0.0]],
            r#""highway":"residential""#,
        )]),
    );
    let (code, j, err) = run(&[
        "--roads".as_ref(),
        dot.as_os_str(),
        "--demand".as_ref(),
        homes.as_os_str(),
    ]);
    assert_eq!(code, 0, "{err}");
    assert_eq!(j["method"], "euclidean");
    assert!(
        j["flags"]
            .as_array()
            .expect("flags")
            .iter()
            .all(|f| f.as_str().is_some_and(|f| f.contains("EUCLIDEAN FALLBACK")))
    );
    assert!(
        j["warnings"].as_array().expect("warnings").iter().any(|w| w
            .as_str()
            .is_some_and(|w| w.contains("the road layer has no line features"))),
        "{j}"
    );
    // No files at all.
    let out = Command::new(env!("CARGO_BIN_EXE_towncircle"))
        .arg("coverage")
        .output()
        .expect("run");
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("no data files"));
}

#[test]
fn times_csv_and_geojson_outputs() {
    let dir = tempfile::tempdir().expect("tmp");
    let (roads, fac, homes) = river_town(dir.path());
    let csv = dir.path().join("times.csv");
    let gj = dir.path().join("out.geojson");
    let (code, _, err) = run(&[
        roads.as_os_str(),
        fac.as_os_str(),
        homes.as_os_str(),
        "--minutes".as_ref(),
        "15,30".as_ref(),
        "--times-out".as_ref(),
        csv.as_os_str(),
        "--geojson-out".as_ref(),
        gj.as_os_str(),
    ]);
    assert_eq!(code, 0, "{err}");
    let text = std::fs::read_to_string(&csv).expect("csv");
    let mut lines = text.lines();
    let header: Vec<&str> = lines.next().expect("header").split(',').collect();
    // The 15-minute tier walks, the 30-minute tier goes by e-bike (the profile's modes): one
    // column per category and mode.
    let col = |name: &str| {
        header
            .iter()
            .position(|h| *h == name)
            .unwrap_or_else(|| panic!("column {name} in {header:?}"))
    };
    let (walk, ebike) = (
        col("primary_school_walk_time_s"),
        col("primary_school_ebike_time_s"),
    );
    let first: Vec<&str> = lines.next().expect("row").split(',').collect();
    // Walking: 19 m leg + 500 + 200 + 500 + 15 m leg ≈ 1,234 s, beyond the walk run's 15 minutes.
    assert_eq!(first[walk], "");
    // E-bike: the same 1,200 m at 5 m/s plus the two walked legs ≈ 274 s.
    let t: f64 = first[ebike].parse().expect("time");
    assert!((260.0..290.0).contains(&t), "{t}");
    let g: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&gj).expect("geojson")).expect("json");
    let kinds: Vec<&str> = g["features"]
        .as_array()
        .expect("features")
        .iter()
        .filter_map(|f| f["properties"]["kind"].as_str())
        .collect();
    assert_eq!(kinds.iter().filter(|k| **k == "isochrone").count(), 2);
    let iso_modes: Vec<(i64, &str)> = g["features"]
        .as_array()
        .expect("features")
        .iter()
        .filter(|f| f["properties"]["kind"] == "isochrone")
        .map(|f| {
            (
                f["properties"]["minutes"].as_i64().unwrap_or(0),
                f["properties"]["mode"].as_str().unwrap_or(""),
            )
        })
        .collect();
    assert_eq!(iso_modes, vec![(15, "walk"), (30, "ebike")]);
    assert!(kinds.contains(&"facility"));
    assert!(kinds.contains(&"gap"));
    // WGS84 output near 120°E, 30°N.
    let c = &g["features"][0]["geometry"]["coordinates"][0][0][0];
    assert!((c[0].as_f64().expect("lon") - 120.0).abs() < 0.1, "{c}");
}
