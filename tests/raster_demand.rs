//! A population GeoTIFF as demand: the demo town with a WorldPop-like raster (EPSG:4326, 3″
//! cells, written by GDAL: tests/fixtures/rasters/make_demo_town_pop.py). `towncircle analyze`
//! must use the raster (stated in summary.json and report.html), give out every person of the
//! cells inside the town boundary (the demand's total + the people left outside = GDAL's sum of
//! the raster), keep the buildings as demand points where they are, and report per village.

use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::Value;

fn demo_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("sample-maps/qingxi-demo-town")
}

fn raster() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/rasters/demo-town-pop-4326.tif")
}

/// GDAL's masked sum of the raster (make_demo_town_pop.py prints it).
const GDAL_TOTAL: f64 = 46_534.149_998_664_856;

fn analyze(files: &[PathBuf], out: &Path) -> Value {
    analyze_with_console(files, out).0
}

fn analyze_with_console(files: &[PathBuf], out: &Path) -> (Value, String) {
    let o = Command::new(env!("CARGO_BIN_EXE_towncircle"))
        .arg("analyze")
        .args(files)
        .arg("--out")
        .arg(out)
        .output()
        .expect("run");
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let console = format!(
        "{}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    );
    let summary =
        serde_json::from_str(&std::fs::read_to_string(out.join("summary.json")).expect("json"))
            .expect("summary.json");
    (summary, console)
}

/// The population-raster record of summary.json's data quality.
fn raster_record(summary: &Value) -> Option<&Value> {
    summary["data_quality"]
        .as_array()
        .expect("data_quality")
        .iter()
        .find(|r| r["kind"] == "population_raster")
}

fn f(v: &Value) -> f64 {
    v.as_f64().unwrap_or_else(|| panic!("not a number: {v}"))
}

#[test]
fn analyze_spreads_a_population_raster_over_the_buildings() {
    let tmp = tempfile::tempdir().expect("tmp");
    let base = analyze(&[demo_dir()], &tmp.path().join("base"));
    let (with, console) = analyze_with_console(&[demo_dir(), raster()], &tmp.path().join("raster"));

    let d0 = &base["access"]["demand"];
    let d = &with["access"]["demand"];
    assert_eq!(d0["source"], "buildings");
    assert_eq!(d["source"], "raster", "{d}");
    assert!(
        d["description"]
            .as_str()
            .unwrap_or_default()
            .contains("demo-town-pop-4326.tif"),
        "{d}"
    );
    // Every person of the raster is either demand or said to be outside the boundary.
    let total = f(&d["total_weight"]);
    let outside = f(&d["raster_outside_boundary"]);
    assert!(outside > 0.0, "the raster is wider than the town");
    assert!(
        (total + outside - GDAL_TOTAL).abs() < 0.05,
        "{total} + {outside} != {GDAL_TOTAL}"
    );
    assert!((f(&d["raster_total"]) - total).abs() < 1e-6 * total);
    // Buildings keep their places: as many building shares as residential buildings in
    // populated cells, and the cells without buildings as points of their own.
    let methods = &d["by_method"];
    let shares = methods["raster_share"].as_u64().expect("shares");
    let cells = methods["raster_cell"].as_u64().expect("cells");
    let buildings = d0["points"].as_u64().expect("points");
    let dropped = d["buildings_without_raster_people"].as_u64().unwrap_or(0);
    assert_eq!(shares + dropped, buildings, "{d}");
    assert!(cells > 0);
    assert_eq!(d["points"].as_u64(), Some(shares + cells));
    // What was left out is said on the console, in summary.json's data quality and warnings.
    let record = raster_record(&with).expect("a population-raster record");
    let details = record["details"].to_string();
    assert!(
        details.contains(&format!("{outside:.0} people")),
        "{details}"
    );
    assert!(
        details.contains(&format!("{dropped} residential buildings")),
        "{details}"
    );
    assert!(console.contains("人口栅格"), "{console}");
    assert!(
        console.contains(&format!("{outside:.0} people")),
        "{console}"
    );
    assert!(
        with["access"]["warnings"]
            .to_string()
            .contains("outside the town boundary")
    );
    // The report states the population source.
    let html = std::fs::read_to_string(tmp.path().join("raster/report.html")).expect("html");
    assert!(html.contains("人口栅格"), "report names the source");
    assert!(html.contains("demo-town-pop-4326.tif"));
}

#[test]
fn a_raster_elsewhere_is_not_used_and_says_so() {
    // The 4549 fixture lies west of the demo town: no cell inside the boundary.
    let tmp = tempfile::tempdir().expect("tmp");
    let other = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/rasters/pop-32651-lzw-striped-uint16.tif");
    let s = analyze(&[demo_dir(), other], tmp.path());
    let d = &s["access"]["demand"];
    assert_eq!(d["source"], "buildings", "{d}");
    assert!(
        s.to_string()
            .contains("no population-raster cell lies inside")
    );
}

/// A CAD drawing with a population raster (issue 14's "done when"): `analyze` reads the DXF's
/// roads, buildings, facilities and parcels in their roles (by assets/cad-layers.toml) and
/// spreads the raster (EPSG:4549, 50 m cells, GDAL-written: make_dxf_town_pop.py) over its
/// buildings, and a cell without buildings over the housing parcels in it; the drawing has no
/// boundary, so the town total is the raster's total, 5220 people (to rounding: parcels share a
/// cell by area).
#[test]
fn analyze_runs_on_a_cad_drawing_with_a_population_raster() {
    let tmp = tempfile::tempdir().expect("tmp");
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let s = analyze(
        &[
            root.join("tests/fixtures/dxf/town_r2018.dxf"),
            root.join("tests/fixtures/rasters/dxf-town-pop-4549.tif"),
        ],
        tmp.path(),
    );
    let role_of = |name: &str| {
        s["inputs"]
            .as_array()
            .expect("inputs")
            .iter()
            .find(|i| i["table"] == name || i["file"].as_str().is_some_and(|f| f.ends_with(name)))
            .map(|i| i["role"].clone())
    };
    assert_eq!(role_of("道路中心线"), Some(Value::from("roads")));
    assert_eq!(role_of("建筑"), Some(Value::from("buildings")));
    assert_eq!(
        role_of("公共服务设施-幼儿园"),
        Some(Value::from("facilities"))
    );
    assert_eq!(
        role_of("dxf-town-pop-4549.tif"),
        Some(Value::from("population"))
    );
    assert_eq!(role_of("用地红线"), Some(Value::from("parcels")));
    let d = &s["access"]["demand"];
    assert_eq!(d["source"], "raster", "{d}");
    let total = f(&d["total_weight"]);
    assert!(
        (total - 5220.0).abs() < 1e-6,
        "GDAL's sum of the raster: {total}"
    );
    assert_eq!(
        d["by_method"]["raster_share"].as_u64(),
        Some(6),
        "the six buildings"
    );
    // Cells without buildings over the two housing parcels (A-01, A-02: 0701 in their labels)
    // give their people to those parcels; the kindergarten, park and shop parcels take none.
    let on_parcels = d["raster_cells_on_parcels"].as_u64().unwrap_or(0);
    let parcel_points = d["by_method"]["raster_parcel"].as_u64().unwrap_or(0);
    assert!(on_parcels >= 10, "{d}");
    assert!(parcel_points >= on_parcels, "{d}");
    // The kindergartens of the drawing are facilities with their coverage.
    assert!(
        s["access"]["categories"]
            .to_string()
            .contains("kindergarten"),
        "kindergartens classified"
    );
}

/// The same rasters in a GeoPackage (2D gridded coverages GDAL made from the GeoTIFFs:
/// tests/fixtures/rasters/make_gpkg_rasters.py) give the same demand as the GeoTIFFs: the total
/// (`dxf_town_pop`) and the age band 3-5 (`age_3_5`, from dxf-town-band-4549.tif); the file's
/// imagery table (`basemap`) is skipped and said so.
#[test]
fn a_geopackage_raster_gives_the_same_demand_as_its_geotiff() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let dxf = root.join("tests/fixtures/dxf/town_r2018.dxf");
    let rasters = root.join("tests/fixtures/rasters");
    let (tmp_tif, tmp_gpkg) = (
        tempfile::tempdir().expect("tmp"),
        tempfile::tempdir().expect("tmp"),
    );
    let tif = analyze(
        &[
            dxf.clone(),
            rasters.join("dxf-town-pop-4549.tif"),
            rasters.join("dxf-town-band-4549.tif"),
        ],
        tmp_tif.path(),
    );
    let (gpkg, console) = analyze_with_console(
        &[dxf, rasters.join("dxf-town-pop-4549.gpkg")],
        tmp_gpkg.path(),
    );
    let (a, b) = (&tif["access"]["demand"], &gpkg["access"]["demand"]);
    assert_eq!(b["source"], "raster", "{b}");
    let total = f(&b["total_weight"]);
    assert!((total - f(&a["total_weight"])).abs() < 1e-6, "{a}\n{b}");
    assert!((total - 5220.0).abs() < 1e-6, "{total}");
    assert_eq!(a["by_method"], b["by_method"]);
    assert!(b["by_method"]["age_band_only"].as_u64() > Some(0), "{b}");
    let (band_a, band_b) = (&a["age_bands"][0], &b["age_bands"][0]);
    assert_eq!(band_b["band"], "3-5", "from the table name: {b}");
    assert_eq!(band_a["band"], band_b["band"]);
    assert_eq!(f(&band_b["total"]), 786.0);
    assert_eq!(f(&band_a["total"]), f(&band_b["total"]));
    // The rasters are named by file and table.
    assert_eq!(
        b["rasters"][0], "dxf-town-pop-4549.gpkg [dxf_town_pop]",
        "{b}"
    );
    assert_eq!(
        band_b["rasters"][0], "dxf-town-pop-4549.gpkg [age_3_5]",
        "{b}"
    );
    assert_eq!(a["raster_cells_on_parcels"], b["raster_cells_on_parcels"]);
    let role = |table: &str| {
        gpkg["inputs"]
            .as_array()
            .expect("inputs")
            .iter()
            .find(|i| i["table"] == table)
            .map(|i| i["role"].clone())
    };
    assert_eq!(role("dxf_town_pop"), Some(Value::from("population")));
    assert_eq!(role("age_3_5"), Some(Value::from("population")));
    assert_eq!(role("basemap"), None, "imagery is not a layer");
    assert!(
        console.contains("basemap") && console.contains("not a population raster"),
        "{console}"
    );
    let json = gpkg.to_string();
    assert!(json.contains("\\\"basemap\\\" holds image tiles"), "{json}");

    // `--age-band` for a file of several population tables cannot say which one: it is applied
    // to none (the total stays the total, 3-5 stays from its table name) and said.
    let tmp_flag = tempfile::tempdir().expect("tmp");
    let o = Command::new(env!("CARGO_BIN_EXE_towncircle"))
        .arg("analyze")
        .arg(root.join("tests/fixtures/dxf/town_r2018.dxf"))
        .arg(rasters.join("dxf-town-pop-4549.gpkg"))
        .args(["--age-band", "60+=dxf-town-pop-4549.gpkg", "--out"])
        .arg(tmp_flag.path())
        .output()
        .expect("run");
    let console =
        String::from_utf8_lossy(&o.stdout).to_string() + &String::from_utf8_lossy(&o.stderr);
    assert!(o.status.success(), "{console}");
    let flagged: Value = serde_json::from_str(
        &std::fs::read_to_string(tmp_flag.path().join("summary.json")).expect("json"),
    )
    .expect("summary.json");
    let d = &flagged["access"]["demand"];
    assert!((f(&d["total_weight"]) - 5220.0).abs() < 1e-6, "{d}");
    let bands: Vec<&Value> = d["age_bands"].as_array().expect("bands").iter().collect();
    assert_eq!(bands.len(), 1, "{d}");
    assert_eq!(bands[0]["band"], "3-5", "{d}");
    assert!(
        console.contains("holds 2 population tables (")
            && console.contains("age_3_5")
            && console.contains("not applied to any"),
        "{console}"
    );
}

/// A GeoPackage whose coverage tiles are all cut short (a broken copy) is an error of `analyze`
/// naming the file, the tables and a tile by zoom, row and column; no report is written.
#[test]
fn a_geopackage_of_broken_raster_tiles_is_a_named_error() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let tmp = tempfile::tempdir().expect("tmp");
    let gpkg = tmp.path().join("broken-pop.gpkg");
    std::fs::copy(
        root.join("tests/fixtures/rasters/dxf-town-pop-4549.gpkg"),
        &gpkg,
    )
    .expect("copy");
    {
        let conn = rusqlite::Connection::open(&gpkg).expect("open");
        conn.execute_batch(
            "UPDATE dxf_town_pop SET tile_data = substr(tile_data, 1, 60); \
             UPDATE age_3_5 SET tile_data = substr(tile_data, 1, 10);",
        )
        .expect("cut the tiles");
    }
    let out = tmp.path().join("out");
    let o = Command::new(env!("CARGO_BIN_EXE_towncircle"))
        .arg("analyze")
        .arg(root.join("tests/fixtures/dxf/town_r2018.dxf"))
        .arg(&gpkg)
        .arg("--out")
        .arg(&out)
        .output()
        .expect("run");
    let stderr = String::from_utf8_lossy(&o.stderr);
    assert!(!o.status.success(), "{stderr}");
    assert!(stderr.contains("broken-pop.gpkg"), "{stderr}");
    for table in ["dxf_town_pop", "age_3_5"] {
        assert!(
            stderr.contains(&format!("raster table \"{table}\": no tile of zoom level")),
            "{stderr}"
        );
    }
    assert!(stderr.contains("tile zoom 2 row "), "{stderr}");
    assert!(
        !out.join("summary.json").exists(),
        "no report from a file not read"
    );
}
