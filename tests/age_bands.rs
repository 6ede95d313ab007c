//! Age bands (issue 14): population rasters of one age band feed the coverage of the facility
//! types serving it (the taxonomy's `age_band`: 60+ elderly care, 3-5 kindergartens, 6-14
//! schools). Fixtures written by GDAL: tests/fixtures/rasters/make_age_bands.py.
//!
//! - The demo town with its total raster and a 60+ raster (band from the file name) whose
//!   elderly live in the hill village 高岭村, far from the town's home-care service centre: the
//!   service centre's 15-minute coverage of the elderly is below its coverage of everyone; the
//!   total's figures are those of the run without the band; the band's total is GDAL's sum less
//!   the cells outside the town boundary; the outputs say which demand each type used.
//! - The DXF town with a children's raster named only by its GDAL band description: the
//!   kindergartens count 3-5; `--age-band 6-14=FILE` overrides it; bands without a raster are
//!   one data-quality record.

use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::Value;

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn raster(name: &str) -> PathBuf {
    root().join("tests/fixtures/rasters").join(name)
}

/// GDAL's masked sum of demo-town-pop60plus-4326.tif (make_age_bands.py prints it).
const GDAL_60PLUS_TOTAL: f64 = 9_929.940_070_450_306;
/// GDAL's sum of dxf-town-band-4549.tif.
const GDAL_DXF_BAND_TOTAL: f64 = 786.0;

fn analyze(args: &[&std::ffi::OsStr], out: &Path) -> (Value, String) {
    let o = Command::new(env!("CARGO_BIN_EXE_towncircle"))
        .arg("analyze")
        .args(args)
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

fn f(v: &Value) -> f64 {
    v.as_f64().unwrap_or_else(|| panic!("not a number: {v}"))
}

fn category<'a>(s: &'a Value, id: &str) -> &'a Value {
    s["access"]["categories"]
        .as_array()
        .expect("categories")
        .iter()
        .find(|c| c["id"] == id)
        .unwrap_or_else(|| panic!("no category {id}"))
}

fn tier(c: &Value, minutes: u64) -> &Value {
    c["tiers"]
        .as_array()
        .expect("tiers")
        .iter()
        .find(|t| t["minutes"].as_u64() == Some(minutes))
        .unwrap_or_else(|| panic!("no {minutes}-minute tier in {}", c["id"]))
}

fn records<'a>(s: &'a Value, kind: &str) -> Vec<&'a Value> {
    s["data_quality"]
        .as_array()
        .expect("data_quality")
        .iter()
        .filter(|r| r["kind"] == kind)
        .collect()
}

#[test]
fn elderly_care_coverage_counts_the_elderly_where_they_live() {
    let tmp = tempfile::tempdir().expect("tmp");
    let demo = root().join("sample-maps/qingxi-demo-town");
    let total = raster("demo-town-pop-4326.tif");
    let elderly = raster("demo-town-pop60plus-4326.tif");
    let (base, _) = analyze(
        &[demo.as_os_str(), total.as_os_str()],
        &tmp.path().join("base"),
    );
    let (with, console) = analyze(
        &[demo.as_os_str(), total.as_os_str(), elderly.as_os_str()],
        &tmp.path().join("bands"),
    );

    // The band: recognised by its file name, its people all given out (the cells inside the
    // boundary) and what lies outside said.
    let d = &with["access"]["demand"];
    let bands = d["age_bands"].as_array().expect("age_bands");
    assert_eq!(bands.len(), 1, "{d}");
    let b = &bands[0];
    assert_eq!(b["band"], "60+");
    assert_eq!(b["rasters"][0], "demo-town-pop60plus-4326.tif");
    let outside = b["outside_boundary"].as_f64().unwrap_or(0.0);
    assert!(
        (f(&b["total"]) + outside - GDAL_60PLUS_TOTAL).abs() < 0.01,
        "{} + {outside} != {GDAL_60PLUS_TOTAL}",
        b["total"]
    );
    // The total demand is the raster's as without the band: same people, same coverage.
    let d0 = &base["access"]["demand"];
    assert_eq!(
        d["rasters"], d0["rasters"],
        "the band is not a total raster"
    );
    assert!((f(&d["total_weight"]) - f(&d0["total_weight"])).abs() < 1e-6);
    let points_added = d["points_only_in_age_bands"].as_u64().unwrap_or(0);
    assert_eq!(
        d["points"].as_u64(),
        Some(d0["points"].as_u64().expect("points") + points_added)
    );
    for id in ["health_center", "kindergarten"] {
        let (c0, c) = (category(&base, id), category(&with, id));
        assert_eq!(c["demand"], "total", "{id}");
        assert_eq!(
            c0["tiers"], c["tiers"],
            "{id}: the total's coverage is unchanged"
        );
    }
    assert_eq!(
        base["access"]["all_required"],
        with["access"]["all_required"]
    );

    // Elderly care counts the 60+: their total is the band's, and the town's service centre
    // (in the built-up area) reaches the hill village's elderly less than it reaches everyone.
    let centre = category(&with, "elderly_service_center");
    assert_eq!(centre["demand"], "60+");
    assert_eq!(centre["age_band"], "60+");
    let t15 = tier(centre, 15);
    assert!((f(&t15["town"]["demand_total"]) - f(&b["total"])).abs() < 1e-6 * f(&b["total"]));
    let elderly_pct = f(&t15["town"]["percent"]);
    let everyone_pct = f(&tier(category(&base, "elderly_service_center"), 15)["town"]["percent"]);
    assert!(
        elderly_pct + 10.0 < everyone_pct,
        "60+ {elderly_pct}% vs everyone {everyone_pct}%"
    );
    // The village figures are the band's too, and add up to the town's where villages tile it.
    let village_total: f64 = t15["villages"]
        .as_array()
        .expect("villages")
        .iter()
        .map(|v| f(&v["demand_total"]))
        .sum();
    assert!(village_total <= f(&t15["town"]["demand_total"]) + 1e-6);
    assert!(village_total > 0.5 * f(&t15["town"]["demand_total"]));
    for id in ["elderly_day_care", "nursing_home"] {
        assert_eq!(category(&with, id)["demand"], "60+", "{id}");
    }

    // Bands loaded, but none for the kindergartens and schools: said once, with the types.
    let missing = records(&with, "age_band_missing");
    assert_eq!(missing.len(), 1, "{:?}", with["data_quality"]);
    let details = missing[0]["details"].to_string();
    assert!(
        details.contains("kindergarten") && details.contains("primary_school"),
        "{details}"
    );
    assert!(!details.contains("elderly_service_center"), "{details}");
    assert!(records(&base, "age_band_missing").is_empty());
    assert!(
        with["access"]["warnings"]
            .to_string()
            .contains("no population raster of the age band")
    );

    // Console, report and workbook say whose coverage it is.
    assert!(console.contains("age band 60+"), "{console}");
    assert!(console.contains("年龄段人口缺失"), "{console}");
    let html = std::fs::read_to_string(tmp.path().join("bands/report.html")).expect("html");
    assert!(
        html.contains("人口口径") && html.contains("60岁以上"),
        "report"
    );
    assert!(html.contains("demo-town-pop60plus-4326.tif"));
    let html0 = std::fs::read_to_string(tmp.path().join("base/report.html")).expect("html");
    assert!(!html0.contains("人口口径"), "no band, no demand column");
}

#[test]
fn a_band_description_names_the_children_and_the_command_line_wins() {
    let tmp = tempfile::tempdir().expect("tmp");
    let dxf = root().join("tests/fixtures/dxf/town_r2018.dxf");
    let total = raster("dxf-town-pop-4549.tif");
    let band = raster("dxf-town-band-4549.tif");
    let (s, console) = analyze(
        &[dxf.as_os_str(), total.as_os_str(), band.as_os_str()],
        &tmp.path().join("a"),
    );
    let d = &s["access"]["demand"];
    assert_eq!(d["source"], "raster");
    assert_eq!(f(&d["total_weight"]), 5220.0, "the total raster alone");
    let b = &d["age_bands"][0];
    assert_eq!(b["band"], "3-5", "from the GDAL band description");
    // The drawing has no boundary: every child of the raster is demand.
    assert_eq!(f(&b["total"]), GDAL_DXF_BAND_TOTAL);
    let k = category(&s, "kindergarten");
    assert_eq!(k["demand"], "3-5");
    for t in k["tiers"].as_array().expect("tiers") {
        assert_eq!(f(&t["town"]["demand_total"]), GDAL_DXF_BAND_TOTAL);
    }
    assert!(console.contains("kindergarten"), "{console}");
    // The kindergartens' gaps are where uncovered children live: at each tier their people add
    // up to the children the coverage leaves out (not everyone left out).
    let gpkg = towncircle::io::gpkg::read(
        &tmp.path().join("a/results.gpkg"),
        &towncircle::io::ReadOptions::default(),
    )
    .expect("results.gpkg");
    let gaps = gpkg.iter().find(|l| l.name == "gaps").expect("gaps layer");
    let field = |name: &str| gaps.field_index(name).expect(name);
    let (cat, minutes, people) = (field("category"), field("minutes"), field("population"));
    for t in k["tiers"].as_array().expect("tiers") {
        let m = t["minutes"].as_i64().expect("minutes");
        let uncovered = f(&t["town"]["demand_total"]) - f(&t["town"]["covered_weight"]);
        let in_gaps: f64 = gaps
            .features
            .iter()
            .filter(|g| {
                g.attrs[cat] == towncircle::model::layer::AttrValue::Text("kindergarten".into())
                    && g.attrs[minutes] == towncircle::model::layer::AttrValue::Int(m)
            })
            .map(|g| match g.attrs[people] {
                towncircle::model::layer::AttrValue::Float(v) => v,
                _ => 0.0,
            })
            .sum();
        assert!(
            (in_gaps - uncovered).abs() < 1e-6 * GDAL_DXF_BAND_TOTAL,
            "{m} min: gaps {in_gaps} vs uncovered children {uncovered}"
        );
    }
    // `coverage --times-out`: the band's people per point, summing to its total.
    let csv_path = tmp.path().join("times.csv");
    let o = Command::new(env!("CARGO_BIN_EXE_towncircle"))
        .arg("coverage")
        .args([&dxf, &total, &band])
        .arg("--times-out")
        .arg(&csv_path)
        .output()
        .expect("run");
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let text = String::from_utf8_lossy(&o.stdout);
    assert!(text.contains("kindergarten 幼儿园 [3-5]"), "{text}");
    let csv = std::fs::read_to_string(&csv_path).expect("csv");
    let head: Vec<&str> = csv.lines().next().expect("header").split(',').collect();
    let col = head
        .iter()
        .position(|h| *h == "weight_3-5")
        .expect("weight_3-5 column");
    let sum: f64 = csv
        .lines()
        .skip(1)
        .map(|l| {
            l.split(',')
                .nth(col)
                .expect("cell")
                .parse::<f64>()
                .expect("number")
        })
        .sum();
    assert!((sum - GDAL_DXF_BAND_TOTAL).abs() < 0.01 * 64.0, "{sum}");

    // --age-band 6-14=FILE (a copy without a telling name) beats the description: schools
    // count it, kindergartens count everyone and are said to.
    let copy = tmp.path().join("children.tif");
    std::fs::copy(&band, &copy).expect("copy");
    let flag = format!("6-14={}", copy.display());
    let (s2, _) = analyze(
        &[
            dxf.as_os_str(),
            total.as_os_str(),
            "--age-band".as_ref(),
            flag.as_ref(),
        ],
        &tmp.path().join("b"),
    );
    let d2 = &s2["access"]["demand"];
    assert_eq!(d2["age_bands"][0]["band"], "6-14", "{d2}");
    assert_eq!(f(&d2["age_bands"][0]["total"]), GDAL_DXF_BAND_TOTAL);
    assert_eq!(category(&s2, "kindergarten")["demand"], "total");
    assert_eq!(category(&s2, "primary_school")["demand"], "6-14");
    let missing = records(&s2, "age_band_missing");
    assert_eq!(missing.len(), 1);
    assert!(missing[0]["details"].to_string().contains("kindergarten"));
    // Said once, though the tiers run in two modes evaluating different required types.
    let said = s2["access"]["warnings"]
        .as_array()
        .expect("warnings")
        .iter()
        .filter(|w| {
            w.as_str()
                .is_some_and(|w| w.contains("no population raster of the age band"))
        })
        .count();
    assert_eq!(said, 1, "{}", s2["access"]["warnings"]);

    // A bad band or a missing file is a clear error naming it.
    for (arg, want) in [
        (format!("toddlers={}", copy.display()), "toddlers"),
        ("60+=/no/such/pop_old.tif".to_string(), "pop_old.tif"),
    ] {
        let o = Command::new(env!("CARGO_BIN_EXE_towncircle"))
            .arg("analyze")
            .arg(&dxf)
            .args(["--age-band", &arg, "--out"])
            .arg(tmp.path().join("c"))
            .output()
            .expect("run");
        assert!(!o.status.success());
        let err = String::from_utf8_lossy(&o.stderr);
        assert!(err.contains(want) && err.contains("--age-band"), "{err}");
    }
}
