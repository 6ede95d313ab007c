//! `towncircle batch` end to end on a small generated city: three demo towns (seeds 1–3), one
//! with a garbage road shapefile and one without roads. The city table (city.xlsx, city.html)
//! has one row per town, matching each town's summary.json; the broken towns say why and the
//! rest complete; `--resume` reruns nothing, then exactly the town whose input changed;
//! shards 1/2 and 2/2 merged give the full run's table.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::SystemTime;

use calamine::{Data, DataType, Reader, Xlsx, open_workbook};
use serde_json::Value;

const GOOD: [(&str, u64); 3] = [("甲镇", 1), ("乙镇", 2), ("丙 镇", 3)];
const GARBAGE: &str = "坏镇";
const NO_ROADS: &str = "无路镇";

fn towncircle(args: &[&str]) -> (i32, String, String) {
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

fn s(p: &Path) -> &str {
    p.to_str().expect("utf-8 path")
}

fn make_city(root: &Path) -> PathBuf {
    let city = root.join("city");
    for (name, seed) in GOOD {
        let dir = city.join(name);
        let (code, out, err) = towncircle(&["demo-town", s(&dir), "--seed", &seed.to_string()]);
        assert_eq!(code, 0, "{out}{err}");
    }
    // Garbage where the roads should be.
    let bad = city.join(GARBAGE);
    std::fs::create_dir_all(&bad).unwrap();
    let junk: Vec<u8> = (0..4000u32).map(|i| (i * 7919 % 251) as u8).collect();
    std::fs::write(bad.join("道路.shp"), &junk).unwrap();
    // A boundary and nothing else: no roads.
    let nr = city.join(NO_ROADS);
    std::fs::create_dir_all(&nr).unwrap();
    for ext in ["shp", "shx", "dbf", "prj", "cpg"] {
        let f = format!("镇域.{ext}");
        std::fs::copy(city.join("甲镇").join(&f), nr.join(&f)).unwrap();
    }
    // Not a town: a loose file.
    std::fs::write(city.join("notes.txt"), "not a town").unwrap();
    city
}

/// The city sheet: header row, then name → row cells.
fn sheet(out: &Path) -> (Vec<String>, BTreeMap<String, Vec<Data>>) {
    let mut wb: Xlsx<_> = open_workbook(out.join("city.xlsx")).expect("city.xlsx");
    let range = wb.worksheet_range("城市汇总").expect("sheet 城市汇总");
    let mut rows = range.rows();
    let head: Vec<String> = rows
        .next()
        .expect("header")
        .iter()
        .map(|c| c.to_string())
        .collect();
    let body = rows
        .map(|r| (r[0].to_string(), r.to_vec()))
        .collect::<BTreeMap<_, _>>();
    (head, body)
}

fn col(head: &[String], name: &str) -> usize {
    head.iter()
        .position(|h| h == name)
        .unwrap_or_else(|| panic!("no column {name} in {head:?}"))
}

fn skipped_lines(stdout: &str) -> usize {
    stdout.lines().filter(|l| l.starts_with("skipped ")).count()
}

/// Every file under `dir` with its modification time and size.
fn stamps(dir: &Path) -> BTreeMap<PathBuf, (SystemTime, u64)> {
    let mut out = BTreeMap::new();
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        if p.is_dir() {
            out.extend(stamps(&p));
        } else {
            let m = std::fs::metadata(&p).unwrap();
            out.insert(p, (m.modified().unwrap(), m.len()));
        }
    }
    out
}

/// The table without the seconds column (timings differ between runs).
fn comparable(out: &Path) -> Vec<Vec<String>> {
    let (head, body) = sheet(out);
    let secs = col(&head, "用时(秒)");
    let mut rows = vec![head];
    rows.extend(body.into_values().map(|r| {
        r.iter()
            .enumerate()
            .map(|(i, c)| {
                if i == secs {
                    String::new()
                } else {
                    c.to_string()
                }
            })
            .collect()
    }));
    rows
}

#[test]
fn a_city_batch_with_broken_towns_resume_and_shards() {
    let tmp = tempfile::tempdir().unwrap();
    let city = make_city(tmp.path());
    let out = tmp.path().join("out");
    let (code, stdout, stderr) = towncircle(&["batch", s(&city), "--out", s(&out), "--jobs", "2"]);
    // Some towns failed: exit 1, everything written.
    assert_eq!(code, 1, "{stdout}\n{stderr}");
    assert!(
        stdout.contains("5 town(s): 3 analysed, 0 skipped (up to date), 2 failed"),
        "{stdout}"
    );

    let (head, body) = sheet(&out);
    assert_eq!(body.len(), 5, "{:?}", body.keys());
    let status = col(&head, "状态");
    let reason = col(&head, "原因");
    for (name, _) in GOOD {
        let row = &body[name];
        assert_eq!(row[status].to_string(), "完成", "{name}: {row:?}");
        let summary: Value = serde_json::from_slice(
            &std::fs::read(out.join("towns").join(name).join("summary.json")).unwrap(),
        )
        .unwrap();
        // Each item's verdict and the tally equal the town's own summary.json.
        let rules = summary["tenones"]["rules"].as_array().unwrap();
        assert_eq!(rules.len(), 10);
        for r in rules {
            let n = r["number"].as_u64().unwrap();
            let c = head
                .iter()
                .position(|h| h.starts_with(&format!("{n} ")))
                .unwrap();
            let want = match r["verdict"].as_str().unwrap() {
                "pass" => "达标",
                "partly" => "基本达标",
                "fail" => "未达标",
                _ => "缺数据",
            };
            assert_eq!(row[c].to_string(), want, "{name} item {n}");
        }
        for (key, label) in [
            ("pass", "达标"),
            ("partly", "基本达标"),
            ("fail", "未达标"),
            ("no_data", "缺数据"),
        ] {
            let c = col(&head, label);
            assert_eq!(
                row[c].as_f64(),
                summary["tenones_tally"][key].as_f64(),
                "{name} {key}"
            );
        }
        let pop = summary["population"].as_f64().unwrap();
        assert_eq!(row[col(&head, "人口")].as_f64(), Some(pop.round()));
        let dq = summary["data_quality"].as_array().unwrap().len() as f64;
        assert_eq!(row[col(&head, "数据质量问题")].as_f64(), Some(dq));
        // All-required coverage per tier, in the tier's scope, to 0.1 %.
        for a in summary["access"]["all_required"].as_array().unwrap() {
            let m = a["minutes"].as_u64().unwrap();
            let c = col(&head, &format!("全部必需设施 {m}分钟覆盖率(%)"));
            let pct = if a["scope"] == "built_up" {
                a["built_up"]["percent"].as_f64()
            } else {
                a["town"]["percent"].as_f64()
            };
            assert_eq!(
                row[c].as_f64(),
                pct.map(|p| (p * 10.0).round() / 10.0),
                "{name} {m} min"
            );
        }
        assert!(out.join("towns").join(name).join("report.html").is_file());
    }
    // The broken towns: their reason, no report.
    let garbage = body[GARBAGE][reason].to_string();
    assert!(
        garbage.contains("数据无法读取") && garbage.contains("道路.shp"),
        "{garbage}"
    );
    let no_roads = body[NO_ROADS][reason].to_string();
    assert!(no_roads.starts_with("无道路数据 / no roads"), "{no_roads}");
    assert!(
        !out.join("towns")
            .join(NO_ROADS)
            .join("report.html")
            .exists()
    );
    assert!(stdout.contains(&format!("FAILED {GARBAGE}")), "{stdout}");

    // city.html: one row per town, links to the reports, the reasons, a map of the three towns
    // at different places.
    let html = std::fs::read_to_string(out.join("city.html")).unwrap();
    assert_eq!(html.matches("<tr data-town=").count(), 5);
    assert!(html.contains("href=\"towns/甲镇/report.html\""));
    assert!(html.contains("href=\"towns/丙%20镇/report.html\""));
    assert!(html.contains("无道路数据 / no roads"));
    assert!(!html.contains("href=\"towns/坏镇/report.html\""));
    let paths: Vec<&str> = html
        .match_indices("<path d=\"")
        .map(|(i, _)| &html[i + 9..i + 30])
        .collect();
    assert_eq!(paths.len(), 3, "{paths:?}");
    assert!(paths[0] != paths[1] && paths[1] != paths[2], "{paths:?}");
    let city_json: Value =
        serde_json::from_slice(&std::fs::read(out.join("city.json")).unwrap()).unwrap();
    assert_eq!(city_json["towns"], 5);
    assert_eq!(city_json["failed"], 2);

    // --resume with nothing changed: nothing runs, no town file is touched.
    let towns_dir = out.join("towns");
    let before = stamps(&towns_dir);
    let (code, stdout, _) = towncircle(&["batch", s(&city), "--out", s(&out), "--resume"]);
    assert_eq!(code, 1);
    assert_eq!(skipped_lines(&stdout), 5, "{stdout}");
    assert!(
        !stdout.contains("done ") && !stdout.contains("FAILED"),
        "{stdout}"
    );
    assert_eq!(stamps(&towns_dir), before);
    assert_eq!(sheet(&out).1.len(), 5);

    // One input of 乙镇 changed: exactly that town runs again.
    let readme = city.join("乙镇").join("README.md");
    let mut text = std::fs::read_to_string(&readme).unwrap();
    text.push_str("\nedited\n");
    std::fs::write(&readme, text).unwrap();
    let (code, stdout, _) = towncircle(&["batch", s(&city), "--out", s(&out), "--resume"]);
    assert_eq!(code, 1);
    assert_eq!(skipped_lines(&stdout), 4, "{stdout}");
    assert!(
        stdout.contains("done 乙镇") && stdout.contains("README.md"),
        "{stdout}"
    );
    let after = stamps(&towns_dir);
    for (p, stamp) in &before {
        let in_yi = p.starts_with(towns_dir.join("乙镇"));
        assert_eq!(after[p] == *stamp, !in_yi, "{}", p.display());
    }

    // Two shards merged: the same table as the full run.
    let (o1, o2, merged) = (
        tmp.path().join("o1"),
        tmp.path().join("o2"),
        tmp.path().join("m"),
    );
    let (c1, out1, _) = towncircle(&["batch", s(&city), "--out", s(&o1), "--shard", "1/2"]);
    let (c2, out2, _) = towncircle(&["batch", s(&city), "--out", s(&o2), "--shard", "2/2"]);
    assert!(
        out1.contains("3 town(s) (shard 1/2 of the city's 5)"),
        "{out1}"
    );
    assert!(out2.contains("2 town(s) (shard 2/2"), "{out2}");
    assert!(c1 == 1 || c2 == 1);
    assert_eq!(sheet(&o1).1.len() + sheet(&o2).1.len(), 5);
    let (code, stdout, stderr) =
        towncircle(&["batch", "merge", s(&o1), s(&o2), "--out", s(&merged)]);
    assert_eq!(code, 1, "{stdout}\n{stderr}");
    assert_eq!(comparable(&merged), comparable(&out));
    assert!(merged.join("towns/甲镇/report.html").is_file());
    // Merging a shard with itself is refused, naming the town.
    let (code, _, stderr) = towncircle(&["batch", "merge", s(&o1), s(&o1), "--out", s(&merged)]);
    assert_eq!(code, 2);
    assert!(stderr.contains("is in both"), "{stderr}");
}

#[test]
fn bad_city_folders_and_flags_exit_2() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("out");
    let (code, _, err) = towncircle(&["batch", s(&tmp.path().join("none")), "--out", s(&out)]);
    assert_eq!(code, 2);
    assert!(err.contains("none"), "{err}");
    let empty = tmp.path().join("empty");
    std::fs::create_dir(&empty).unwrap();
    let (code, _, err) = towncircle(&["batch", s(&empty), "--out", s(&out)]);
    assert_eq!(code, 2);
    assert!(err.contains("no towns found"), "{err}");
    std::fs::create_dir(empty.join("t")).unwrap();
    let (code, _, err) = towncircle(&["batch", s(&empty), "--out", s(&out), "--shard", "3/2"]);
    assert_eq!(code, 2);
    assert!(err.contains("--shard 3/2"), "{err}");
    let (code, _, err) = towncircle(&["batch", s(&empty), "--out", s(&out), "--profile", "nope"]);
    assert_eq!(code, 2);
    assert!(err.contains("nope"), "{err}");
}
