//! `towncircle coverage` on the synthetic demo town (sample-maps/qingxi-demo-town): each tier with
//! its profile mode, the planted gaps G1, G2 and G5 visible in the per-village figures, and every
//! shipped standards profile loading and running.

use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::Value;
use towncircle::model::Taxonomy;
use towncircle::standards::profile::{SHIPPED_PROFILES, resolve_profile, shipped_profile_text};

fn demo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("sample-maps/qingxi-demo-town")
}

/// `towncircle coverage DEMO --json EXTRA...`, run from `cwd`.
fn coverage(extra: &[&str], cwd: &Path) -> Value {
    let out = Command::new(env!("CARGO_BIN_EXE_towncircle"))
        .current_dir(cwd)
        .arg("coverage")
        .arg(demo())
        .arg("--json")
        .args(extra)
        .output()
        .expect("run towncircle");
    assert!(
        out.status.success(),
        "exit {:?}: {}",
        out.status,
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).expect("coverage --json is JSON")
}

/// Percent of a village's residents reaching `category` within the tier of `minutes`.
fn village_percent(j: &Value, category: &str, minutes: u64, village: &str) -> f64 {
    let c = j["categories"]
        .as_array()
        .expect("categories")
        .iter()
        .find(|c| c["id"] == category)
        .unwrap_or_else(|| panic!("category {category}"));
    let t = c["tiers"]
        .as_array()
        .expect("tiers")
        .iter()
        .find(|t| t["minutes"] == minutes)
        .unwrap_or_else(|| panic!("{category}: tier {minutes}"));
    t["villages"]
        .as_array()
        .expect("villages")
        .iter()
        .find(|v| v["village"] == village)
        .unwrap_or_else(|| panic!("village {village}"))["percent"]
        .as_f64()
        .expect("percent")
}

fn villages(j: &Value) -> Vec<String> {
    j["all_required"][0]["villages"]
        .as_array()
        .expect("villages")
        .iter()
        .map(|v| v["village"].as_str().unwrap_or_default().to_string())
        .collect()
}

#[test]
fn demo_town_tiers_use_their_modes_and_show_the_planted_gaps() {
    let j = coverage(&[], Path::new(env!("CARGO_MANIFEST_DIR")));
    let modes: Vec<(u64, &str)> = j["tiers"]
        .as_array()
        .expect("tiers")
        .iter()
        .map(|t| {
            (
                t["minutes"].as_u64().unwrap_or(0),
                t["mode"].as_str().unwrap_or(""),
            )
        })
        .collect();
    assert_eq!(modes, vec![(5, "walk"), (15, "walk"), (30, "ebike")]);
    assert_eq!(j["modes"].as_array().map(Vec::len), Some(2));
    assert_eq!(j["method"], "network");
    assert_eq!(j["demand"]["points"], 2437);
    let vs = villages(&j);
    assert_eq!(vs.len(), 14);

    // G1: 茶山村 has no clinic of any kind within a 15-minute walk; every other village reaches
    // its own clinic.
    for c in [
        "village_clinic",
        "community_health_station",
        "health_center",
    ] {
        assert_eq!(village_percent(&j, c, 15, "茶山村"), 0.0, "{c}");
    }
    for v in vs.iter().filter(|v| *v != "茶山村") {
        assert_eq!(village_percent(&j, "village_clinic", 15, v), 100.0, "{v}");
    }

    // G2: 高岭村 is the only village beyond 30 minutes of the health centre (e-bike, the 30-min
    // tier's mode); the all-required figure of that tier fails there only.
    for v in &vs {
        let p = village_percent(&j, "health_center", 30, v);
        assert_eq!(p, if v == "高岭村" { 0.0 } else { 100.0 }, "{v}");
    }
    let t30 = &j["all_required"][2];
    assert_eq!(t30["minutes"], 30);
    let below: Vec<&str> = t30["villages"]
        .as_array()
        .expect("villages")
        .iter()
        .filter(|v| v["percent"].as_f64() != Some(100.0))
        .map(|v| v["village"].as_str().unwrap_or_default())
        .collect();
    assert_eq!(below, vec!["高岭村"]);

    // G5: 白沙村's bus stop is across the river (400 m straight, 2.3 km along roads): nobody
    // there reaches a stop within a 15-minute walk; everyone elsewhere does.
    for v in &vs {
        let p = village_percent(&j, "bus_stop", 15, v);
        assert_eq!(p, if v == "白沙村" { 0.0 } else { 100.0 }, "{v}");
    }
}

#[test]
fn demo_town_by_car_keeps_gaoling_beyond_30_minutes() {
    let j = coverage(&["--mode", "car"], Path::new(env!("CARGO_MANIFEST_DIR")));
    assert!(
        j["tiers"]
            .as_array()
            .expect("tiers")
            .iter()
            .all(|t| t["mode"] == "car")
    );
    // G2: more than 30 minutes by car to the 卫生院; every other village within 15.
    for v in villages(&j) {
        let (p15, p30) = (
            village_percent(&j, "health_center", 15, &v),
            village_percent(&j, "health_center", 30, &v),
        );
        if v == "高岭村" {
            assert_eq!((p15, p30), (0.0, 0.0));
        } else {
            assert_eq!((p15, p30), (100.0, 100.0), "{v}");
        }
    }
}

#[test]
fn every_shipped_profile_loads_and_runs_on_the_demo_town_from_any_folder() {
    let taxonomy = Taxonomy::default();
    let cwd = std::env::temp_dir();
    for (name, _) in SHIPPED_PROFILES {
        let p = resolve_profile(name).unwrap_or_else(|e| panic!("{name}: {e}"));
        assert_eq!(p.id, *name);
        p.resolve_requirements(&taxonomy)
            .unwrap_or_else(|e| panic!("{name}: {e}"));
        assert!(!p.tiers.is_empty(), "{name}");
        assert!(shipped_profile_text(&format!("{name}.toml")).is_some());
        // Run from a folder with no assets: the profile is embedded.
        let j = coverage(&["--profile", name], &cwd);
        assert_eq!(j["profile"]["id"], *name);
        let tiers = j["tiers"].as_array().expect("tiers");
        assert_eq!(tiers.len(), p.tiers.len(), "{name}");
        for (t, pt) in tiers.iter().zip(&p.tiers) {
            assert_eq!(t["minutes"], pt.minutes);
            assert_eq!(t["mode"], pt.mode.as_str());
        }
        let town = j["all_required"][0]["town"]["percent"]
            .as_f64()
            .expect("percent");
        assert!((0.0..=100.0).contains(&town), "{name}: {town}");
    }
    // GB 50180-2018: 5/10/15 minutes, all walking; 5 min at the walking speed is 300 m.
    let gb = resolve_profile("gb50180-2018").expect("gb");
    assert_eq!(
        gb.tiers.iter().map(|t| t.minutes).collect::<Vec<_>>(),
        vec![5, 10, 15]
    );
    assert!(gb.tiers.iter().all(|t| t.mode == "walk"));
    let walk = gb.mode("walk").expect("walk").speed_m_per_s.value;
    assert_eq!(gb.tiers[0].budget_s() * walk, 300.0);
    // TD/T 1062-2021: the rural tiers' minutes are not verified, so they are "proposed".
    let td = resolve_profile("tdt1062-2021").expect("td");
    for t in &td.tiers {
        let rural = t.scope == towncircle::standards::profile::Scope::Villages;
        assert_eq!(
            t.source == towncircle::standards::profile::Provenance::Proposed,
            rural,
            "{}",
            t.id
        );
        if rural {
            assert!(t.cite.contains("NOT verified"), "{}", t.cite);
        }
    }
    // A name that is neither shipped nor a file lists the shipped names.
    let e = resolve_profile("gb50180").expect_err("unknown").to_string();
    assert!(
        e.contains("gb50180-2018") && e.contains("tdt1062-2021"),
        "{e}"
    );
}
