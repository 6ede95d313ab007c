//! `towncircle analyze` and the report writers on the demo town: all four files, the workbook
//! read back with calamine against summary.json, the GeoPackage read back, HTML escaping and
//! languages, and bad input that writes nothing.

use std::path::{Path, PathBuf};
use std::process::Command;

use calamine::{Data, Reader, Xlsx, open_workbook};
use geo_types::{Geometry, Point};
use serde_json::Value;

use towncircle::access::{AccessInput, AccessOptions, Analysis};
use towncircle::crs::Crs;
use towncircle::io::{LoadOptions, ReadOptions, load};
use towncircle::report::xlsx::SHEETS;
use towncircle::report::{Lang, OUTPUT_FILES, ReportData, Run, write_all};
use towncircle::standards::profile::{Profile, Provenance};
use towncircle::tenones::{
    Check, Measure, Place, ProfileRef, RuleResult, TenOnesReport, ThresholdUsed, Verdict,
};

fn demo_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("sample-maps/qingxi-demo-town")
}

const EVIL: &str = "<script>alert(1)</script>茶山村&\"";

/// A ten-ones report as the rules would give one: every verdict, a failing place with markup
/// in its name, thresholds of each provenance.
fn fake_tenones() -> TenOnesReport {
    let verdicts = [
        Verdict::Pass,
        Verdict::Partly,
        Verdict::Fail,
        Verdict::NoData,
    ];
    let rules = (1..=10u8)
        .map(|n| {
            let v = verdicts[(n as usize) % 4];
            let failing = if v == Verdict::Fail {
                vec![Place {
                    zh: format!("{EVIL}{n}"),
                    en: format!("place {n}"),
                    layer: Some("行政村".into()),
                    source: None,
                    xy: Some([496_000.0 + f64::from(n) * 10.0, 3_324_000.0]),
                    geometry: (n == 2).then(|| Geometry::Point(Point::new(496_500.0, 3_324_500.0))),
                    value: Some(34.5),
                    unit: "min".into(),
                    population: Some(812.0),
                }]
            } else {
                vec![]
            };
            RuleResult {
                number: n,
                id: format!("rule{n}"),
                zh: format!("第{n}项测试"),
                en: format!("Test item {n}"),
                verdict: v,
                score: (v != Verdict::NoData).then_some(f64::from(n) * 10.0),
                checks: vec![Check {
                    key: format!("rule{n}.check"),
                    zh: format!("检查{n}"),
                    en: format!("check {n}"),
                    verdict: v,
                    measures: vec![Measure {
                        key: "m".into(),
                        zh: "实测距离".into(),
                        en: "distance".into(),
                        value: 462.8,
                        unit: "m".into(),
                    }],
                    failing,
                    missing_zh: if v == Verdict::NoData {
                        vec!["污水管网图层".into()]
                    } else {
                        vec![]
                    },
                    missing_en: if v == Verdict::NoData {
                        vec!["a sewer layer".into()]
                    } else {
                        vec![]
                    },
                }],
                thresholds: vec![ThresholdUsed {
                    key: format!("tenones.rule{n}.limit_m"),
                    zh: format!("阈值{n}号"),
                    en: format!("limit {n}"),
                    value: 300.0,
                    unit: "m".into(),
                    source: if n % 2 == 0 {
                        Provenance::Proposed
                    } else {
                        Provenance::Known
                    },
                    cite: "GB 50180-2018".into(),
                }],
                recommendation_zh: format!("建议{n}"),
                recommendation_en: format!("do {n}"),
            }
        })
        .collect();
    TenOnesReport {
        profile: ProfileRef {
            id: "zhejiang-beautiful-towns".into(),
            name: "浙江美丽城镇".into(),
            version: "test".into(),
            path: String::new(),
        },
        rules,
        flags: vec!["测试标记 <flag>".into()],
    }
}

fn cell_f64(d: &Data) -> f64 {
    match d {
        Data::Float(v) => *v,
        Data::Int(v) => *v as f64,
        other => panic!("expected a number, got {other:?}"),
    }
}

fn cell_str(d: &Data) -> String {
    match d {
        Data::String(s) => s.clone(),
        Data::Empty => String::new(),
        other => panic!("expected text, got {other:?}"),
    }
}

#[test]
fn writers_on_the_demo_town_with_a_ten_ones_report() {
    let options = LoadOptions::default();
    let ds = load(&[demo_dir()], &options);
    assert!(ds.failures.is_empty(), "{:?}", ds.failures);
    let profile = Profile::default();
    let input = AccessInput::from_layers(&ds.layers);
    let analysis = Analysis::new(
        &input,
        &profile,
        &options.taxonomy,
        &AccessOptions::default(),
    )
    .unwrap();
    let result = analysis.run();
    let tenones = fake_tenones();
    let data = ReportData::new(
        "清溪镇",
        &ds.layers,
        ds.working_crs.clone(),
        vec![Run {
            analysis: &analysis,
            result: &result,
        }],
        &result.report,
        Some(&tenones),
        &profile,
    )
    .unwrap();
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("zh");
    let written = write_all(&data, Lang::Zh, &out).unwrap();
    assert_eq!(written.len(), 4);
    for f in OUTPUT_FILES {
        assert!(out.join(f).is_file(), "{f}");
    }
    // No temporary folder is left beside the output.
    let left: Vec<_> = std::fs::read_dir(tmp.path())
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(left, vec![std::ffi::OsString::from("zh")]);

    // summary.json
    let summary: Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("summary.json")).unwrap()).unwrap();
    assert_eq!(summary["town"], "清溪镇");
    assert_eq!(summary["working_crs"], "EPSG:4549");
    assert_eq!(summary["tenones"]["rules"].as_array().unwrap().len(), 10);
    // Verdicts cycle pass/partly/fail/no data from item 1 (n % 4 = 1: partly).
    assert_eq!(summary["tenones_tally"]["partly"], 3);
    assert_eq!(summary["tenones_tally"]["fail"], 3);
    assert_eq!(summary["tenones_tally"]["no_data"], 2);
    assert_eq!(summary["tenones_tally"]["pass"], 2);
    assert_eq!(summary["tenones"]["rules"][1]["verdict"], "fail");
    assert!(
        summary["flags"]
            .as_array()
            .unwrap()
            .iter()
            .any(|f| f == "测试标记 <flag>")
    );
    let facilities = summary["access"]["snapping"]["facilities"]
        .as_u64()
        .unwrap();
    let five_min_town = summary["access"]["all_required"][0]["town"]["percent"]
        .as_f64()
        .unwrap();
    assert!(!summary["gaps"].as_array().unwrap().is_empty());

    // report.html
    let html = std::fs::read_to_string(out.join("report.html")).unwrap();
    for r in &tenones.rules {
        assert!(html.contains(&r.zh), "item {} missing", r.number);
        assert!(html.contains(&format!("id=\"item-{}\"", r.number)));
    }
    let maps = html.matches("<img src=\"data:image/png;base64,").count();
    // Overview, one per tier with requirements (5, 15, 30), gaps.
    assert_eq!(maps, 5);
    assert_eq!(html.matches("<img").count(), maps);
    assert!(
        !html.contains("<script"),
        "data text reached the HTML unescaped"
    );
    assert!(!html.contains("<flag>"));
    assert!(html.contains("&lt;script&gt;alert(1)&lt;/script&gt;茶山村&amp;&quot;"));
    assert!(
        !html.contains("src=\"http") && !html.contains("href=\"http") && !html.contains("url("),
        "no network references"
    );
    for (label, n) in [("建议值", 5), ("待核实", 5)] {
        assert!(html.matches(label).count() >= n, "{label}");
    }
    for r in &tenones.rules {
        assert!(
            html.contains(&r.thresholds[0].zh),
            "threshold of item {}",
            r.number
        );
    }
    assert!(
        html.contains("rgb(213,94,0)"),
        "fail colour from Verdict::rgb"
    );
    assert!(html.contains("1. 概况") && html.contains("“十个一”评价"));

    // results.xlsx read back.
    let mut wb: Xlsx<_> = open_workbook(out.join("results.xlsx")).unwrap();
    assert_eq!(wb.sheet_names(), SHEETS.map(String::from).to_vec());
    let ten = wb.worksheet_range("十个一").unwrap();
    let rows: Vec<&[Data]> = ten.rows().collect();
    assert_eq!(cell_str(&rows[0][0]), "序号");
    assert_eq!(cell_str(&rows[0][2]), "结论");
    assert_eq!(rows.len(), 1 + 10);
    for (i, r) in rows[1..].iter().enumerate() {
        assert_eq!(
            cell_f64(&r[0]),
            summary["tenones"]["rules"][i]["number"].as_f64().unwrap()
        );
        let v = summary["tenones"]["rules"][i]["verdict"].as_str().unwrap();
        let zh = Verdict::ALL
            .iter()
            .find(|x| serde_json::to_value(x).unwrap() == v)
            .unwrap()
            .zh();
        assert_eq!(cell_str(&r[2]), zh);
    }
    let cov = wb.worksheet_range("覆盖率").unwrap();
    let rows: Vec<&[Data]> = cov.rows().collect();
    assert_eq!(cell_str(&rows[0][7]), "覆盖率(%)");
    let first = rows[1];
    assert_eq!(cell_str(&first[0]), "all_required");
    assert_eq!(cell_f64(&first[3]), 5.0);
    assert_eq!(cell_str(&first[4]), "镇域");
    assert!((cell_f64(&first[7]) - five_min_town).abs() < 1e-9);
    let villages = wb.worksheet_range("行政村").unwrap();
    assert_eq!(villages.rows().count(), 1 + 14);
    let fac = wb.worksheet_range("设施").unwrap();
    assert_eq!(fac.rows().count() as u64, 1 + facilities);
    let gaps = wb.worksheet_range("缺口").unwrap();
    let ten_ones_gap_rows = gaps.rows().filter(|r| cell_str(&r[0]) == "十个一").count();
    assert_eq!(ten_ones_gap_rows, 3);

    // results.gpkg read back.
    let layers =
        towncircle::io::gpkg::read(&out.join("results.gpkg"), &ReadOptions::default()).unwrap();
    let mut names: Vec<&str> = layers.iter().map(|l| l.name.as_str()).collect();
    names.sort_unstable();
    assert_eq!(
        names,
        [
            "demand",
            "facilities",
            "gaps",
            "isochrones",
            "tenones_places"
        ]
    );
    for l in &layers {
        assert_eq!(l.crs.crs, Some(Crs::Epsg(4549)), "{}", l.name);
    }
    let count = |n: &str| layers.iter().find(|l| l.name == n).unwrap().features.len();
    assert_eq!(count("tenones_places"), 3);
    assert_eq!(count("facilities") as u64, facilities);
    assert_eq!(
        count("demand") as u64,
        summary["access"]["demand"]["points"].as_u64().unwrap()
    );
    assert!(count("isochrones") > 0 && count("gaps") > 0);

    // English.
    let en = tmp.path().join("en");
    write_all(&data, Lang::En, &en).unwrap();
    // To look at the outputs: TOWNCIRCLE_KEEP_REPORT=DIR keeps a copy.
    if let Some(keep) = std::env::var_os("TOWNCIRCLE_KEEP_REPORT") {
        for (lang, dir) in [("zh", &out), ("en", &en)] {
            let to = Path::new(&keep).join(lang);
            std::fs::create_dir_all(&to).unwrap();
            for f in OUTPUT_FILES {
                std::fs::copy(dir.join(f), to.join(f)).unwrap();
            }
        }
    }
    let html = std::fs::read_to_string(en.join("report.html")).unwrap();
    for h in [
        "Town summary",
        "The ten ones",
        "Living-circle coverage",
        "Profile and thresholds",
        "Data sources, CRS and assumptions",
        "Test item 7",
        "proposed",
        "to verify",
    ] {
        assert!(html.contains(h), "{h}");
    }
    assert!(!html.contains("概况") && !html.contains("生活圈覆盖率"));
    let summary: Value =
        serde_json::from_str(&std::fs::read_to_string(en.join("summary.json")).unwrap()).unwrap();
    assert_eq!(summary["lang"], "en");
}

fn analyze(args: &[&std::ffi::OsStr]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_towncircle"))
        .arg("analyze")
        .args(args)
        .output()
        .unwrap()
}

#[test]
fn cli_writes_all_four_files_for_the_demo_town() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("report");
    let o = analyze(&[
        demo_dir().as_os_str(),
        "--out".as_ref(),
        out.as_os_str(),
        "--lang".as_ref(),
        "en".as_ref(),
    ]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    for f in OUTPUT_FILES {
        let len = std::fs::metadata(out.join(f)).unwrap().len();
        assert!(len > 1000, "{f}: {len} bytes");
    }
    let summary: Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("summary.json")).unwrap()).unwrap();
    assert_eq!(summary["town"], "清溪镇");
    assert_eq!(summary["inputs"].as_array().unwrap().len(), 10);
    // The ten ones were evaluated: ten items, tallied.
    assert_eq!(summary["tenones"]["rules"].as_array().unwrap().len(), 10);
    let t = &summary["tenones_tally"];
    let total: u64 = ["pass", "partly", "fail", "no_data"]
        .iter()
        .map(|k| t[k].as_u64().unwrap())
        .sum();
    assert_eq!(total, 10);
    assert!(
        summary["flags"]
            .as_array()
            .unwrap()
            .iter()
            .any(|f| f.as_str().unwrap().contains("SYNTHETIC"))
    );
    let html = std::fs::read_to_string(out.join("report.html")).unwrap();
    assert!(html.contains("<html lang=\"en\">") && html.contains("Coverage per facility type"));
}

#[test]
fn bad_input_writes_nothing() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("out");
    // An empty folder.
    let empty = tmp.path().join("empty");
    std::fs::create_dir(&empty).unwrap();
    let o = analyze(&[empty.as_os_str(), "--out".as_ref(), out.as_os_str()]);
    assert!(!o.status.success());
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("holds no data files"), "{err}");
    assert!(!out.exists());
    // A folder with a good file and an unreadable one.
    let mixed = tmp.path().join("mixed");
    std::fs::create_dir(&mixed).unwrap();
    std::fs::copy(demo_dir().join("绿道.geojson"), mixed.join("绿道.geojson")).unwrap();
    std::fs::write(
        mixed.join("坏文件.geojson"),
        "{\"type\": \"FeatureCollection\", ",
    )
    .unwrap();
    let o = analyze(&[mixed.as_os_str(), "--out".as_ref(), out.as_os_str()]);
    assert!(!o.status.success());
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains("坏文件.geojson") && err.contains("no report was written"),
        "{err}"
    );
    assert!(!out.exists());
    // A missing file, a bad language and an unknown profile.
    for (args, msg) in [
        (vec!["no-such.shp"], "no such file"),
        (vec!["--lang", "fr"], "use zh or en"),
        (vec!["--profile", "no-such-profile"], "no standards profile"),
    ] {
        let mut a: Vec<&std::ffi::OsStr> = vec![
            if args[0].starts_with("--") {
                mixed.as_os_str()
            } else {
                args[0].as_ref()
            },
            "--out".as_ref(),
            out.as_os_str(),
        ];
        if args[0].starts_with("--") {
            a.extend(args.iter().map(|s| std::ffi::OsStr::new(*s)));
        }
        let o = analyze(&a);
        assert!(!o.status.success());
        let err = String::from_utf8_lossy(&o.stderr);
        assert!(err.contains(msg), "{msg}: {err}");
        assert!(!out.exists());
    }
}
