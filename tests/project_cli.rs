//! Project files in the CLI on the demo town: `project new`, a scenario written by hand (a
//! kindergarten (幼儿园) added in the 溪西 resettlement compound, planted gap G3: no kindergarten
//! within 300 m), `analyze` with and without `--scenario` (the kindergarten's coverage rises,
//! every other type stays the same, the comparison is in all three outputs), `coverage
//! --scenario`, and the errors: an unknown scenario, a missing input, a damaged project.

use std::path::{Path, PathBuf};
use std::process::Command;

use calamine::{DataType, Reader, Xlsx, open_workbook};
use serde_json::Value;

use towncircle::crs::{Crs, Transformer};

fn demo_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("sample-maps/qingxi-demo-town")
}

fn towncircle(args: &[&std::ffi::OsStr]) -> (i32, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_towncircle"))
        .args(args)
        .output()
        .expect("run towncircle");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// A copy of the demo town in `dir` (so that the project holds relative paths and a file can
/// go missing).
fn copy_demo(dir: &Path) -> PathBuf {
    let town = dir.join("qingxi");
    std::fs::create_dir_all(&town).unwrap();
    for e in std::fs::read_dir(demo_dir()).unwrap() {
        let e = e.unwrap();
        std::fs::copy(e.path(), town.join(e.file_name())).unwrap();
    }
    town
}

/// The centre of planted gap G3 (溪西安置小区, EPSG:4549 bbox in demo-town.json) in lon/lat.
fn g3_lonlat() -> [f64; 2] {
    let meta: Value =
        serde_json::from_str(&std::fs::read_to_string(demo_dir().join("demo-town.json")).unwrap())
            .unwrap();
    let g3 = meta["planted_gaps"]
        .as_array()
        .unwrap()
        .iter()
        .find(|g| g["id"] == "G3")
        .unwrap();
    let b: Vec<f64> = g3["expect"][0]["bbox"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_f64().unwrap())
        .collect();
    let t = Transformer::new(&Crs::Epsg(4549), &Crs::WGS84).unwrap();
    let c = t
        .coord(geo_types::coord! {x: (b[0] + b[2]) / 2.0, y: (b[1] + b[3]) / 2.0})
        .unwrap();
    [c.x, c.y]
}

fn summary(dir: &Path) -> Value {
    serde_json::from_str(&std::fs::read_to_string(dir.join("summary.json")).unwrap()).unwrap()
}

/// (minutes, town covered people, town percent) per tier of category `id`.
fn tiers(access: &Value, id: &str) -> Vec<(u64, f64, f64)> {
    access["categories"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["id"] == id)
        .unwrap()["tiers"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| {
            (
                t["minutes"].as_u64().unwrap(),
                t["town"]["covered_weight"].as_f64().unwrap(),
                t["town"]["percent"].as_f64().unwrap(),
            )
        })
        .collect()
}

#[test]
fn a_scenario_adds_a_kindergarten_and_the_report_compares() {
    let tmp = tempfile::tempdir().unwrap();
    let town = copy_demo(tmp.path());
    let project = town.join("清溪.towncircle");
    let (code, out, err) = towncircle(&[
        "project".as_ref(),
        "new".as_ref(),
        project.as_os_str(),
        town.as_os_str(),
        "--crs-for".as_ref(),
        "POI_高德导出.csv=gcj02".as_ref(),
    ]);
    assert_eq!(code, 0, "{out}{err}");
    let text = std::fs::read_to_string(&project).unwrap();
    // Every data file, relative to the project's folder; the POI table's CRS recorded.
    assert!(text.contains("path = \"道路.shp\""), "{text}");
    assert!(
        text.contains("path = \"POI_高德导出.csv\"\ncrs = \"gcj02\""),
        "{text}"
    );
    assert!(!text.contains(&tmp.path().display().to_string()), "{text}");
    // Refuses to overwrite without --force.
    let (code, _, err) = towncircle(&[
        "project".as_ref(),
        "new".as_ref(),
        project.as_os_str(),
        town.as_os_str(),
    ]);
    assert_eq!(code, 2);
    assert!(err.contains("--force"), "{err}");
    // A drawing's seven parameters are recorded as given, after they are checked.
    let shifted = tmp.path().join("七参数.towncircle");
    let params = "-62.312,103.887,71.451,1.2431,-2.0476,3.1592,-2.817,pv";
    let new_with_shift = |shift: &str| {
        towncircle(&[
            "project".as_ref(),
            "new".as_ref(),
            shifted.as_os_str(),
            town.as_os_str(),
            "--crs-for".as_ref(),
            "道路.shp=EPSG:2385".as_ref(),
            "--datum-shift".as_ref(),
            shift.as_ref(),
        ])
    };
    let (code, out, err) = new_with_shift(&format!("道路.shp={params}"));
    assert_eq!(code, 0, "{out}{err}");
    let written = std::fs::read_to_string(&shifted).unwrap();
    assert!(
        written.contains(&format!(
            "道路.shp\"\ncrs = \"EPSG:2385\"\ndatum_shift = \"{params}\""
        )),
        "{written}"
    );
    std::fs::remove_file(&shifted).unwrap();
    let (code, _, err) = new_with_shift("道路.shp=1,2,3");
    assert_eq!(code, 2);
    assert!(
        err.contains("--datum-shift") && err.contains("got 3"),
        "{err}"
    );
    assert!(!shifted.exists());

    // A scenario, written by hand: one kindergarten at the centre of G3.
    let [lon, lat] = g3_lonlat();
    let scenario = format!(
        "\n[[scenarios]]\nname = \"补幼儿园\"\nnote = \"溪西安置小区\"\n\n[[scenarios.edits]]\nop = \"add\"\nkey = 0\ncategory = \"kindergarten\"\nlonlat = [{lon:.9}, {lat:.9}]\nname = \"溪西幼儿园\"\n"
    );
    std::fs::write(&project, format!("{text}{scenario}")).unwrap();

    let base_out = tmp.path().join("base");
    let (code, out, err) = towncircle(&[
        "analyze".as_ref(),
        project.as_os_str(),
        "--out".as_ref(),
        base_out.as_os_str(),
    ]);
    assert_eq!(code, 0, "{out}{err}");
    let scen_out = tmp.path().join("scenario");
    let (code, out, err) = towncircle(&[
        "analyze".as_ref(),
        project.as_os_str(),
        "--scenario".as_ref(),
        "补幼儿园".as_ref(),
        "--out".as_ref(),
        scen_out.as_os_str(),
    ]);
    assert_eq!(code, 0, "{out}{err}");
    assert!(
        out.contains("补幼儿园") && out.contains("新增幼儿园“溪西幼儿园”"),
        "{out}"
    );

    let base = summary(&base_out);
    let scen = summary(&scen_out);
    assert!(base.get("scenario").is_none());
    assert_eq!(base["town"], "清溪镇");
    assert_eq!(base["population"], scen["population"]);
    // The kindergarten's 5-minute coverage rises by the compound's residents; 15 and 30
    // minutes already reached it (462 m, planted gap G3).
    let (kb, ks) = (
        tiers(&base["access"], "kindergarten"),
        tiers(&scen["access"], "kindergarten"),
    );
    let population = base["population"].as_f64().unwrap();
    let five = |t: &[(u64, f64, f64)]| *t.iter().find(|x| x.0 == 5).unwrap();
    let (b5, s5) = (five(&kb), five(&ks));
    let gained = s5.1 - b5.1;
    assert!(
        gained > 100.0 && gained < 0.05 * population,
        "5-min kindergarten coverage {:.1}% → {:.1}%, {gained} people",
        b5.2,
        s5.2
    );
    for (b, s) in kb.iter().zip(&ks) {
        assert!(s.1 >= b.1, "{b:?} → {s:?}");
    }
    // Every other category is identical, tier by tier, scope by scope.
    let cats = |v: &Value| v["access"]["categories"].as_array().unwrap().clone();
    let (cb, cs) = (cats(&base), cats(&scen));
    assert_eq!(cb.len(), cs.len());
    for (b, s) in cb.iter().zip(&cs) {
        assert_eq!(b["id"], s["id"]);
        if b["id"] != "kindergarten" {
            assert_eq!(b, s, "{}", b["id"]);
        }
    }
    assert_eq!(
        cb.iter().find(|c| c["id"] == "kindergarten").unwrap()["facility_count"]
            .as_u64()
            .unwrap()
            + 1,
        cs.iter().find(|c| c["id"] == "kindergarten").unwrap()["facility_count"]
            .as_u64()
            .unwrap()
    );

    // summary.json's scenario object agrees with the two runs.
    let c = &scen["scenario"];
    assert_eq!(c["name"], "补幼儿园");
    assert_eq!(c["note"], "溪西安置小区");
    assert_eq!(c["edits"][0]["op"], "add");
    assert!(c["not_applied"].as_array().unwrap().is_empty());
    let rows = c["categories"].as_array().unwrap();
    let changed: Vec<&Value> = rows.iter().filter(|r| r["changed"] == true).collect();
    assert!(
        changed.iter().all(|r| r["id"] == "kindergarten"),
        "{changed:#?}"
    );
    let k5 = changed.iter().find(|r| r["minutes"] == 5).unwrap();
    assert!(
        (k5["newly_covered"].as_f64().unwrap() - gained).abs() < 1e-6,
        "{k5}"
    );
    assert_eq!(k5["no_longer_covered"], 0.0);
    assert!((k5["net_change"].as_f64().unwrap() - gained).abs() < 1e-6);
    assert!((k5["base"]["town_percent"].as_f64().unwrap() - b5.2).abs() < 1e-9);
    assert!((k5["scenario"]["town_percent"].as_f64().unwrap() - s5.2).abs() < 1e-9);
    assert_eq!(
        k5["facilities_scenario"].as_u64().unwrap(),
        k5["facilities_base"].as_u64().unwrap() + 1
    );
    // Every verdict before and after, as the two runs gave them.
    let verdicts = c["tenones"].as_array().unwrap();
    assert_eq!(verdicts.len(), 10);
    for (v, (rb, rs)) in verdicts.iter().zip(
        base["tenones"]["rules"]
            .as_array()
            .unwrap()
            .iter()
            .zip(scen["tenones"]["rules"].as_array().unwrap()),
    ) {
        assert_eq!(v["base"], rb["verdict"]);
        assert_eq!(v["scenario"], rs["verdict"]);
        assert_eq!(v["changed"], Value::Bool(rb["verdict"] != rs["verdict"]));
    }
    // The all-required rows match the two runs' figures.
    for (r, (b, s)) in c["all_required"].as_array().unwrap().iter().zip(
        base["access"]["all_required"]
            .as_array()
            .unwrap()
            .iter()
            .zip(scen["access"]["all_required"].as_array().unwrap()),
    ) {
        assert_eq!(r["base"]["town_covered"], b["town"]["covered_weight"]);
        assert_eq!(r["scenario"]["town_covered"], s["town"]["covered_weight"]);
    }
    // The added facility is an input of the scenario's run, said to be one.
    assert!(scen["inputs"].as_array().unwrap().iter().any(|i| {
        i["file"]
            .as_str()
            .unwrap_or("")
            .starts_with("scenario://补幼儿园")
    }));
    assert!(
        scen["flags"]
            .as_array()
            .unwrap()
            .iter()
            .any(|f| f.as_str().unwrap().contains("方案（SCENARIO）"))
    );

    // report.html: the section after the summary, the edit in words.
    let html = std::fs::read_to_string(scen_out.join("report.html")).unwrap();
    let section = html.find("id=\"scenario\"").expect("scenario section");
    assert!(html.find("id=\"summary\"").unwrap() < section);
    assert!(section < html.find("id=\"tenones\"").unwrap());
    assert!(html[section..].contains("新增幼儿园“溪西幼儿园”"));
    assert!(
        !std::fs::read_to_string(base_out.join("report.html"))
            .unwrap()
            .contains("id=\"scenario\"")
    );
    // results.xlsx: the 方案比较 sheet with the kindergarten's row.
    let mut wb: Xlsx<_> = open_workbook(scen_out.join("results.xlsx")).unwrap();
    assert!(wb.sheet_names().contains(&"方案比较".to_string()));
    let range = wb.worksheet_range("方案比较").unwrap();
    let found = range.rows().any(|r| {
        r.get(2).map(|c| c.to_string()) == Some("kindergarten".into())
            && r.get(4).and_then(|c| c.get_float()) == Some(5.0)
            && r.get(11)
                .and_then(|c| c.get_float())
                .is_some_and(|v| (v - gained).abs() < 1e-6)
    });
    assert!(found, "no kindergarten 5-min row in 方案比较");
    let mut wb: Xlsx<_> = open_workbook(base_out.join("results.xlsx")).unwrap();
    assert!(!wb.sheet_names().contains(&"方案比较".to_string()));
    assert!(wb.worksheet_range("十个一").is_ok());

    // coverage --scenario gives the scenario's figures, the same as analyze's.
    let (code, out, err) = towncircle(&[
        "coverage".as_ref(),
        project.as_os_str(),
        "--scenario".as_ref(),
        "补幼儿园".as_ref(),
        "--json".as_ref(),
    ]);
    assert_eq!(code, 0, "{err}");
    let j: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(j["scenario"]["name"], "补幼儿园");
    assert_eq!(tiers(&j, "kindergarten"), ks);

    // Errors: an unknown scenario lists the project's; a flag still wins over the project.
    let (code, _, err) = towncircle(&[
        "analyze".as_ref(),
        project.as_os_str(),
        "--scenario".as_ref(),
        "方案九".as_ref(),
        "--out".as_ref(),
        tmp.path().join("x").as_os_str(),
    ]);
    assert_eq!(code, 2);
    assert!(
        err.contains("方案九") && err.contains("\"补幼儿园\""),
        "{err}"
    );
    assert!(!tmp.path().join("x").exists());
    let (code, _, err) = towncircle(&[
        "analyze".as_ref(),
        town.as_os_str(),
        "--scenario".as_ref(),
        "补幼儿园".as_ref(),
        "--out".as_ref(),
        tmp.path().join("x").as_os_str(),
    ]);
    assert_eq!(code, 2);
    assert!(err.contains("project file"), "{err}");
}

#[test]
fn missing_inputs_and_damaged_projects_are_named() {
    let tmp = tempfile::tempdir().unwrap();
    let town = copy_demo(tmp.path());
    let project = town.join("t.towncircle");
    let (code, out, err) = towncircle(&[
        "project".as_ref(),
        "new".as_ref(),
        project.as_os_str(),
        town.as_os_str(),
    ]);
    assert_eq!(code, 0, "{out}{err}");
    std::fs::remove_file(town.join("行政村.shp")).unwrap();
    std::fs::remove_file(town.join("绿道.geojson")).unwrap();
    let o = tmp.path().join("o");
    for cmd in ["analyze", "coverage"] {
        let mut args: Vec<&std::ffi::OsStr> = vec![cmd.as_ref(), project.as_os_str()];
        if cmd == "analyze" {
            args.extend(["--out".as_ref(), o.as_os_str()]);
        }
        let (code, _, err) = towncircle(&args);
        assert_eq!(code, 2, "{cmd}: {err}");
        assert!(
            err.contains("行政村.shp") && err.contains("绿道.geojson") && err.contains("missing"),
            "{cmd}: {err}"
        );
    }
    assert!(!tmp.path().join("o").exists());
    let bad = town.join("bad.towncircle");
    std::fs::write(
        &bad,
        "format = \"towncircle-project\"\nversion = 1\n[[inputs]]\npath = 3\n",
    )
    .unwrap();
    let (code, _, err) = towncircle(&["coverage".as_ref(), bad.as_os_str()]);
    assert_eq!(code, 2);
    assert!(
        err.contains("bad.towncircle") && err.contains("line 4"),
        "{err}"
    );
    let newer = town.join("newer.towncircle");
    std::fs::write(&newer, "format = \"towncircle-project\"\nversion = 7\n").unwrap();
    let (code, _, err) = towncircle(&["coverage".as_ref(), newer.as_os_str()]);
    assert_eq!(code, 2);
    assert!(err.contains("newer towncircle"), "{err}");
}

/// `suggest` on a project with `--scenario`: the scenario's kindergarten counts as existing, so
/// `before` is the scenario's coverage (the figure `coverage --scenario` prints), and what the
/// sites add is measured from there.
#[test]
fn suggest_takes_a_project_and_its_scenario() {
    let tmp = tempfile::tempdir().unwrap();
    let town = copy_demo(tmp.path());
    let project = town.join("清溪.towncircle");
    let (code, out, err) = towncircle(&[
        "project".as_ref(),
        "new".as_ref(),
        project.as_os_str(),
        town.as_os_str(),
        "--crs-for".as_ref(),
        "POI_高德导出.csv=gcj02".as_ref(),
    ]);
    assert_eq!(code, 0, "{out}{err}");
    let [lon, lat] = g3_lonlat();
    let mut text = std::fs::read_to_string(&project).unwrap();
    text.push_str(&format!(
        "\n[[scenarios]]\nname = \"补幼儿园\"\n\n[[scenarios.edits]]\nop = \"add\"\nkey = 0\ncategory = \"kindergarten\"\nlonlat = [{lon:.9}, {lat:.9}]\n"
    ));
    std::fs::write(&project, text).unwrap();

    let run = |cmd: &str, scenario: Option<&str>| -> Value {
        let mut args: Vec<std::ffi::OsString> = vec![cmd.into(), project.clone().into()];
        if cmd == "suggest" {
            args.extend(
                ["--category", "kindergarten", "--tier", "5", "--count", "2"].map(Into::into),
            );
        }
        if let Some(s) = scenario {
            args.extend(["--scenario".into(), s.into()]);
        }
        args.push("--json".into());
        let args: Vec<&std::ffi::OsStr> = args.iter().map(|a| a.as_os_str()).collect();
        let (code, out, err) = towncircle(&args);
        assert_eq!(code, 0, "{cmd} {scenario:?}: {err}");
        serde_json::from_str(&out).unwrap()
    };
    let covered_5 = |c: &Value| tiers(c, "kindergarten")[0].1;
    let (base_cov, scen_cov) = (run("coverage", None), run("coverage", Some("补幼儿园")));
    let (base, scen) = (run("suggest", None), run("suggest", Some("补幼儿园")));
    assert!(covered_5(&scen_cov) > covered_5(&base_cov));
    assert_eq!(
        base["before"]["town"]["covered_weight"].as_f64().unwrap(),
        covered_5(&base_cov)
    );
    assert_eq!(
        scen["before"]["town"]["covered_weight"].as_f64().unwrap(),
        covered_5(&scen_cov)
    );
    assert_eq!(
        scen["existing_facilities"].as_u64().unwrap(),
        base["existing_facilities"].as_u64().unwrap() + 1
    );
    // What the sites add is counted from the scenario's coverage, not the base's.
    let added = |s: &Value| s["added_weight"].as_f64().unwrap();
    assert!(
        added(&scen) < added(&base),
        "{} vs {}",
        added(&scen),
        added(&base)
    );

    // An unknown scenario names the ones there are.
    let (code, _, err) = towncircle(&[
        "suggest".as_ref(),
        project.as_os_str(),
        "--category".as_ref(),
        "kindergarten".as_ref(),
        "--tier".as_ref(),
        "5".as_ref(),
        "--scenario".as_ref(),
        "没有".as_ref(),
    ]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("\"补幼儿园\""), "{err}");
}
