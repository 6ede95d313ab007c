//! `towncircle convert` as a planner uses it: an Amap POI export (GCJ-02, Chinese names) to a
//! CGCS2000 GeoPackage and shapefile, back to WGS84 GeoJSON, checked against the true positions;
//! and bad input: each an exit code 2 with a clear message and nothing written. A Xi'an 1980
//! drawing moved to CGCS2000 by seven parameters (`--datum-shift`), checked against PROJ.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use geo::{Distance, Haversine};
use geo_types::{Coord, Geometry, Point};

use towncircle::crs::gcj02::wgs84_to_gcj02;
use towncircle::crs::{Crs, Transformer};
use towncircle::io::ReadOptions;
use towncircle::model::{AttrValue, Layer};

/// True WGS84 positions of the test POIs (around 清溪镇 and elsewhere in Zhejiang).
const POIS: &[(&str, f64, f64)] = &[
    ("清溪镇中心小学", 119.953_106, 30.048_176),
    ("西街菜市场", 119.951_613, 30.049_695),
    ("清溪镇卫生院（东院区）", 119.962_47, 30.041_93),
    ("文化礼堂·上塘村", 120.155_1, 30.274_1),
    ("宁波老年活动中心", 121.550_3, 29.874_2),
    ("温州龙湾图书馆", 120.672_8, 28.000_5),
    ("衢州快递驿站", 118.872_4, 28.941_6),
];

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

fn ok(o: &Output) {
    assert_eq!(
        o.status.code(),
        Some(0),
        "stdout: {}\nstderr: {}",
        String::from_utf8_lossy(&o.stdout),
        stderr(o)
    );
}

fn failed_cleanly(o: &Output) -> String {
    let err = stderr(o);
    assert_eq!(o.status.code(), Some(2), "{err}");
    assert!(!err.contains("panicked"), "{err}");
    err
}

/// An Amap-style CSV: GCJ-02 coordinates with 6 decimals (as Amap exports), UTF-8 with a BOM,
/// under a file name that says nothing about its CRS (so --from-crs is needed).
fn poi_csv(dir: &Path) -> PathBuf {
    let mut text = String::from("\u{feff}名称,类型,地址,经度,纬度\n");
    for (name, lon, lat) in POIS {
        let (x, y) = wgs84_to_gcj02(*lon, *lat);
        text.push_str(&format!(
            "{name},生活服务;生活服务场所,浙江省某路1号,{x:.6},{y:.6}\n"
        ));
    }
    let path = dir.join("设施点.csv");
    std::fs::write(&path, text).expect("write csv");
    path
}

fn name_of(layer: &Layer, f: &towncircle::model::Feature) -> String {
    match layer.attr(f, "名称") {
        Some(AttrValue::Text(t)) => t.clone(),
        other => panic!("名称 is {other:?}"),
    }
}

fn point(g: &Geometry<f64>) -> Coord<f64> {
    match g {
        Geometry::Point(p) => p.0,
        other => panic!("not a point: {other:?}"),
    }
}

/// Every POI is there once, by name, within `tolerance_m` of its true position in `crs`.
fn check_positions(layer: &Layer, crs: &Crs, tolerance_m: f64) {
    assert_eq!(layer.features.len(), POIS.len());
    let to_wgs84 = Transformer::new(crs, &Crs::WGS84).expect("transformer");
    for (name, lon, lat) in POIS {
        let f = layer
            .features
            .iter()
            .find(|f| name_of(layer, f) == *name)
            .unwrap_or_else(|| panic!("{name} missing (names garbled?)"));
        let c = to_wgs84.coord(point(&f.geometry)).expect("to wgs84");
        let d = Haversine.distance(Point::new(*lon, *lat), Point::from(c));
        assert!(d < tolerance_m, "{name}: {d:.3} m from its true position");
    }
}

#[test]
fn gcj02_csv_to_cgcs2000_gpkg_and_back_to_wgs84_geojson() {
    let dir = tempfile::tempdir().expect("tempdir");
    let csv = poi_csv(dir.path());
    let gpkg = dir.path().join("x.gpkg");
    let o = towncircle(&[
        "convert",
        s(&csv),
        "--from-crs",
        "GCJ-02",
        "--to",
        s(&gpkg),
        "--crs",
        "EPSG:4549",
    ]);
    ok(&o);
    let err = stderr(&o);
    // The reader's report names the file and the CRS the user gave; no stale "assumed WGS84".
    assert!(
        err.contains("设施点.csv") && err.contains("GCJ-02"),
        "{err}"
    );
    assert!(!err.contains("assumed WGS84"), "{err}");

    let layers = towncircle::io::gpkg::read(&gpkg, &ReadOptions::default()).expect("read gpkg");
    assert_eq!(layers.len(), 1);
    let l = &layers[0];
    assert_eq!(l.crs.crs, Some(Crs::Epsg(4549)));
    for field in ["名称", "类型", "地址"] {
        assert!(l.field_index(field).is_some(), "field {field}");
    }
    check_positions(l, &Crs::Epsg(4549), 0.5);
    assert_eq!(
        l.attr(&l.features[0], "类型"),
        Some(&AttrValue::Text("生活服务;生活服务场所".into()))
    );

    let geojson = dir.path().join("y.geojson");
    let o = towncircle(&["convert", s(&gpkg), "--to", s(&geojson), "--crs", "WGS84"]);
    ok(&o);
    let back =
        towncircle::io::geojson::read(&geojson, &ReadOptions::default()).expect("read geojson");
    // RFC 7946: no crs member, so the reader takes it as WGS84.
    assert_eq!(back.crs.crs, None);
    check_positions(&back, &Crs::WGS84, 0.5);
    // Nothing but the outputs is left in the folder (no temporary files).
    let mut names: Vec<String> = std::fs::read_dir(dir.path())
        .expect("dir")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    assert_eq!(names, ["x.gpkg", "y.geojson", "设施点.csv"]);
}

#[test]
fn shapefile_output_has_prj_and_cpg_and_reads_back_in_gbk_and_utf8() {
    let dir = tempfile::tempdir().expect("tempdir");
    let csv = poi_csv(dir.path());
    for (encoding_flag, cpg, encoding) in [
        (None, "GBK", encoding_rs::GBK),
        (Some("UTF-8"), "UTF-8", encoding_rs::UTF_8),
    ] {
        let shp = dir.path().join(format!("z-{cpg}.shp"));
        let mut args = vec![
            "convert",
            s(&csv),
            "--crs-for",
            "设施点.csv=gcj02",
            "--to",
            s(&shp),
            "--crs",
            "EPSG:4549",
        ];
        if let Some(e) = encoding_flag {
            args.extend(["--encoding", e]);
        }
        let o = towncircle(&args);
        ok(&o);
        let out = String::from_utf8_lossy(&o.stdout);
        assert!(out.contains("EPSG:4549") && out.contains(cpg), "{out}");
        let prj = std::fs::read_to_string(shp.with_extension("prj")).expect(".prj");
        assert!(prj.contains("CGCS2000_3_Degree_GK_CM_120E"), "{prj}");
        let cpg_text = std::fs::read_to_string(shp.with_extension("cpg")).expect(".cpg");
        assert_eq!(cpg_text.trim(), cpg);
        // The DBF holds the names in that encoding, byte for byte.
        let dbf = std::fs::read(shp.with_extension("dbf")).expect(".dbf");
        let (bytes, _, lossy) = encoding.encode(POIS[2].0);
        assert!(!lossy);
        assert!(
            dbf.windows(bytes.len()).any(|w| w == &bytes[..]),
            "{cpg}: name bytes not in the .dbf"
        );
        let l = towncircle::io::shapefile::read(&shp, &ReadOptions::default()).expect("read shp");
        assert_eq!(l.source_crs.crs, Some(Crs::Epsg(4549)));
        assert!(
            l.source
                .encoding
                .as_deref()
                .is_some_and(|e| e.contains(".cpg")),
            "{:?}",
            l.source.encoding
        );
        check_positions(&l, &Crs::Epsg(4549), 0.5);
    }
}

#[test]
fn several_layers_to_shapefiles_one_file_each() {
    let dir = tempfile::tempdir().expect("tempdir");
    let csv = poi_csv(dir.path());
    let road = dir.path().join("道路.geojson");
    std::fs::write(
        &road,
        r#"{"type":"FeatureCollection","features":[{"type":"Feature","properties":{"名称":"和平路"},"geometry":{"type":"LineString","coordinates":[[119.95,30.04],[119.96,30.05]]}}]}"#,
    )
    .expect("road");
    let out = dir.path().join("out").join("镇.shp");
    let o = towncircle(&[
        "convert",
        s(&csv),
        s(&road),
        "--from-crs",
        "gcj02",
        "--to",
        s(&out),
        "--crs",
        "CGCS2000",
    ]);
    ok(&o);
    for stem in ["镇_设施点", "镇_道路"] {
        for ext in ["shp", "shx", "dbf", "prj", "cpg"] {
            let p = dir.path().join("out").join(format!("{stem}.{ext}"));
            assert!(p.exists(), "{} missing", p.display());
        }
    }
    assert!(!out.exists());
    let l = towncircle::io::shapefile::read(
        &dir.path().join("out").join("镇_道路.shp"),
        &ReadOptions::default(),
    )
    .expect("read");
    assert_eq!(l.source_crs.crs, Some(Crs::CGCS2000));
    assert_eq!(
        l.attr(&l.features[0], "名称"),
        Some(&AttrValue::Text("和平路".into()))
    );
}

#[test]
fn bad_input_exits_2_and_writes_nothing() {
    let dir = tempfile::tempdir().expect("tempdir");
    let csv = poi_csv(dir.path());
    let out = dir.path().join("out.gpkg");
    std::fs::write(&out, "old content").expect("old");
    let old_untouched = || {
        assert_eq!(
            std::fs::read_to_string(&out).expect("old output"),
            "old content"
        );
    };

    // A missing input file.
    let o = towncircle(&["convert", s(&csv), "/nonexistent/道路.shp", "--to", s(&out)]);
    let err = failed_cleanly(&o);
    assert!(
        err.contains("/nonexistent/道路.shp") && err.contains("nothing was written"),
        "{err}"
    );
    old_untouched();

    // An input that exists but cannot be read, next to a good one.
    let bad = dir.path().join("坏.geojson");
    std::fs::write(
        &bad,
        r#"{"type":"FeatureCollection","features":[{"type":"Feat"#,
    )
    .expect("bad");
    let o = towncircle(&["convert", s(&csv), s(&bad), "--to", s(&out)]);
    let err = failed_cleanly(&o);
    assert!(
        err.contains("坏.geojson") && err.contains("nothing was written"),
        "{err}"
    );
    old_untouched();

    // An unknown output CRS.
    let o = towncircle(&["convert", s(&csv), "--to", s(&out), "--crs", "EPSG:99999"]);
    let err = failed_cleanly(&o);
    assert!(err.contains("--crs EPSG:99999"), "{err}");
    old_untouched();
    let o = towncircle(&["convert", s(&csv), "--to", s(&out), "--crs", "Mars"]);
    let err = failed_cleanly(&o);
    assert!(err.contains("--crs Mars"), "{err}");

    // An unknown input CRS: the advice names the input flag, not the output --crs.
    let o = towncircle(&["convert", s(&csv), "--to", s(&out), "--from-crs", "Mars"]);
    let err = failed_cleanly(&o);
    assert!(
        err.contains("--from-crs Mars") && !err.contains("with --crs "),
        "{err}"
    );
    old_untouched();

    // An unknown output format.
    let dwg = dir.path().join("out.dwg");
    let o = towncircle(&["convert", s(&csv), "--to", s(&dwg)]);
    let err = failed_cleanly(&o);
    assert!(
        err.contains("out.dwg") && err.contains(".gpkg") && err.contains(".shp"),
        "{err}"
    );
    assert!(!dwg.exists());

    // An output encoding for a format that has none.
    let o = towncircle(&["convert", s(&csv), "--to", s(&out), "--encoding", "GBK"]);
    let err = failed_cleanly(&o);
    assert!(err.contains("--input-encoding"), "{err}");
    old_untouched();

    // Only the inputs and the untouched old output are in the folder: no temporary files.
    let mut names: Vec<String> = std::fs::read_dir(dir.path())
        .expect("dir")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    assert_eq!(names, ["out.gpkg", "坏.geojson", "设施点.csv"]);
}

// `--datum-shift FILE=dx,dy,dz,rx,ry,rz,ppm[,cf|pv]`: points of a Xi'an 1980 Gauss-Kruger
// drawing moved to CGCS2000 by the bureau's seven parameters land within 1 mm of PROJ's answer
// (tests/fixtures/datum_shift/reference.csv, made by make_reference.py with pyproj), in lon/lat
// and in EPSG:4549; `info` says which shift and convention were applied; a guessed source CRS
// and bad parameters stop the run naming the input.

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

/// Metres between two lon/lat points (on the sphere: for millimetres apart, within 0.5 % of
/// the ellipsoid's).
fn metres_apart(a: (f64, f64), b: (f64, f64)) -> f64 {
    Haversine.distance(Point::new(a.0, a.1), Point::new(b.0, b.1))
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
            ok(&o);
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
    let err = failed_cleanly(&o);
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
        let err = failed_cleanly(&o);
        assert!(
            err.contains("--datum-shift") && err.contains(says),
            "{bad}: {err}"
        );
    }
}
