//! `--datum-shift FILE=dx,dy,dz,rx,ry,rz,ppm[,cf|pv]` as a planner uses it: points of a Xi'an
//! 1980 Gauss-Kruger drawing moved to CGCS2000 by the bureau's seven parameters land within
//! 1 mm of PROJ's answer (tests/fixtures/datum_shift/reference.csv, made by make_reference.py
//! with pyproj), in lon/lat and in EPSG:4549; `info` says which shift and convention were
//! applied; a guessed source CRS and bad parameters stop the run naming the input.

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

fn s(p: &Path) -> &str {
    p.to_str().expect("utf-8 path")
}

/// A reference row: source x, y and PROJ's lon/lat and EPSG:4549 easting/northing.
struct Row {
    x: f64,
    y: f64,
    lonlat: (f64, f64),
    gk: (f64, f64),
}

/// The reference rows of one case ("xian80_cm120") and convention, and their parameters.
fn reference(case: &str, convention: &str) -> (String, Vec<Row>) {
    let text = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/datum_shift/reference.csv"),
    )
    .expect("reference.csv");
    let mut lines = text.lines().filter(|l| !l.starts_with('#'));
    let header: Vec<&str> = lines.next().expect("header").split(',').collect();
    let col = |n: &str| header.iter().position(|h| *h == n).expect(n);
    let mut params = String::new();
    let mut rows = Vec::new();
    for line in lines {
        let c: Vec<&str> = line.split(',').collect();
        if c[col("case")] != case || c[col("convention")] != convention {
            continue;
        }
        params = ["dx", "dy", "dz", "rx", "ry", "rz", "ppm"]
            .map(|n| c[col(n)])
            .join(",");
        let num = |n: &str| c[col(n)].parse::<f64>().expect(n);
        rows.push(Row {
            x: num("x"),
            y: num("y"),
            lonlat: (num("lon"), num("lat")),
            gk: (num("e4549"), num("n4549")),
        });
    }
    assert!(!rows.is_empty(), "{case} {convention}");
    (params, rows)
}

/// The rows' source coordinates as a GeoJSON of points (no `crs` member: a CAD export's).
fn write_points(path: &Path, rows: &[Row]) {
    let features: Vec<String> = rows
        .iter()
        .enumerate()
        .map(|(i, r)| {
            format!(
                r#"{{"type":"Feature","properties":{{"点号":"P{i}"}},"geometry":{{"type":"Point","coordinates":[{},{}]}}}}"#,
                r.x, r.y
            )
        })
        .collect();
    std::fs::write(
        path,
        format!(
            r#"{{"type":"FeatureCollection","features":[{}]}}"#,
            features.join(",")
        ),
    )
    .expect("write points");
}

/// Each output point by its 点号, as (x, y).
fn read_points(path: &Path) -> Vec<(String, f64, f64)> {
    let v: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(path).expect("read output")).expect("json");
    v["features"]
        .as_array()
        .expect("features")
        .iter()
        .map(|f| {
            let c = &f["geometry"]["coordinates"];
            (
                f["properties"]["点号"].as_str().expect("点号").to_string(),
                c[0].as_f64().expect("x"),
                c[1].as_f64().expect("y"),
            )
        })
        .collect()
}

/// Metres between two lon/lat points near each other (local flat approximation).
fn metres_apart(a: (f64, f64), b: (f64, f64)) -> f64 {
    let lat = a.1.to_radians();
    let m_lat = 111_132.95 - 559.85 * (2.0 * lat).cos();
    let m_lon = 111_412.88 * lat.cos();
    ((a.0 - b.0) * m_lon).hypot((a.1 - b.1) * m_lat)
}

#[test]
fn a_xian80_drawing_moved_by_seven_parameters_lands_where_proj_puts_it() {
    let dir = tempfile::tempdir().expect("tmp");
    for convention in ["coordinate_frame", "position_vector"] {
        let (params, rows) = reference("xian80_cm120", convention);
        let input = dir.path().join("西安80点.geojson");
        write_points(&input, &rows);
        // The default convention is coordinate frame: say nothing for it.
        let shift = if convention == "coordinate_frame" {
            format!("西安80点.geojson={params}")
        } else {
            format!("西安80点.geojson={params},pv")
        };
        let lonlat = dir.path().join(format!("{convention}_cgcs2000.geojson"));
        let gk = dir.path().join(format!("{convention}_4549.geojson"));
        for (out, crs) in [(&lonlat, "CGCS2000"), (&gk, "EPSG:4549")] {
            let o = towncircle(&[
                "convert",
                s(&input),
                "--to",
                s(out),
                "--crs",
                crs,
                "--crs-for",
                "西安80点.geojson=EPSG:2385",
                "--datum-shift",
                &shift,
            ]);
            assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
            let err = stderr(&o);
            assert!(err.contains("七参数") && err.contains("EPSG:2385"), "{err}");
        }
        let got = read_points(&lonlat);
        assert_eq!(got.len(), rows.len());
        for (name, x, y) in &got {
            let i: usize = name[1..].parse().expect("index");
            let d = metres_apart((*x, *y), rows[i].lonlat);
            assert!(d < 0.001, "{convention} {name}: {d} m");
        }
        for (name, x, y) in read_points(&gk) {
            let i: usize = name[1..].parse().expect("index");
            let d = (x - rows[i].gk.0).hypot(y - rows[i].gk.1);
            assert!(d < 0.001, "{convention} {name}: {d} m");
        }
    }
    // `info` says which shift, which convention, and how to tell a wrong one.
    let (params, rows) = reference("xian80_cm120", "coordinate_frame");
    let input = dir.path().join("控规.geojson");
    write_points(&input, &rows);
    let o = towncircle(&[
        "info",
        s(&input),
        "--crs-for",
        "控规.geojson=EPSG:2385",
        "--datum-shift",
        &format!("控规.geojson={params}"),
        "--json",
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let text = String::from_utf8_lossy(&o.stdout);
    assert!(
        text.contains("seven-parameter")
            && text.contains("Xian 1980 / 3-degree Gauss-Kruger CM 120E")
            && text.contains("dx -62.312 m")
            && text.contains("coordinate frame")
            && text.contains("add ,pv"),
        "{text}"
    );
}

#[test]
fn a_guessed_crs_or_bad_parameters_stop_the_run_naming_the_input() {
    let dir = tempfile::tempdir().expect("tmp");
    let (params, rows) = reference("xian80_cm120", "coordinate_frame");
    let input = dir.path().join("图.geojson");
    write_points(&input, &rows);
    let out = dir.path().join("out.geojson");
    // Without the drawing's own CRS the magnitudes say CGCS2000: refused, with what to give.
    let o = towncircle(&[
        "convert",
        s(&input),
        "--to",
        s(&out),
        "--datum-shift",
        &format!("图.geojson={params}"),
    ]);
    let err = stderr(&o);
    assert_eq!(o.status.code(), Some(2), "{err}");
    assert!(
        err.contains("--crs-for 图.geojson=EPSG:2385") && err.contains("guessed"),
        "{err}"
    );
    assert!(!out.exists());
    for (bad, says) in [
        ("图.geojson=-62.312,103.887,71.451", "got 3"),
        ("图.geojson=-62.312,103.887,71.451,1,2,x,3", "rz \"x\""),
        ("图.geojson=2500,0,0,0,0,0,0", "dx = 2500"),
        ("图.geojson=1,2,3,0,0,0,0,clockwise", "\"clockwise\""),
        ("-62.312,103.887", "expected FILE="),
    ] {
        let o = towncircle(&[
            "coverage",
            s(&input),
            "--crs-for",
            "图.geojson=EPSG:2385",
            "--datum-shift",
            bad,
        ]);
        let err = stderr(&o);
        assert_eq!(o.status.code(), Some(2), "{bad}: {err}");
        assert!(
            err.contains("--datum-shift") && err.contains(says) && !err.contains("panicked"),
            "{bad}: {err}"
        );
    }
}
