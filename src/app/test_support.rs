//! Made-up data for the app's UI tests (unit tests and tests/gui.rs): not part of the app.

use crate::standards::profile::Provenance;
use crate::tenones::result::{
    Check, Measure, Place, ProfileRef, RuleResult, TenOnesReport, ThresholdUsed, Verdict,
};

/// Where the failing places of [`sample_tenones`] are.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SamplePlaces {
    /// A point each, 1 km apart along x (item n at x = n km, y = 500 m).
    Points,
    /// A 200 m square each, at the origin.
    Areas,
}

/// A ten-ones report as the rules give it, for the checklist: ten items (verdicts cycling
/// through [`Verdict::ALL`]), each with one failing check holding a measure, one failing place
/// and a threshold with its provenance.
pub fn sample_tenones(places: SamplePlaces) -> TenOnesReport {
    let rules = (1..=10u8)
        .map(|n| RuleResult {
            number: n,
            id: format!("rule{n}"),
            zh: format!("第{n}项"),
            en: format!("Item {n}"),
            verdict: Verdict::ALL[usize::from(n) % 4],
            score: Some(f64::from(n) * 10.0),
            checks: vec![Check {
                key: format!("c{n}"),
                zh: format!("检查{n}"),
                en: format!("Check {n}"),
                verdict: Verdict::Fail,
                measures: vec![Measure {
                    key: "m".into(),
                    zh: "最远步行距离".into(),
                    en: "Farthest walk".into(),
                    value: 462.0,
                    unit: "m".into(),
                }],
                failing: vec![Place {
                    zh: format!("茶山村{n}"),
                    en: format!("Chashan {n}"),
                    layer: None,
                    source: None,
                    xy: match places {
                        SamplePlaces::Points => Some([1000.0 * f64::from(n), 500.0]),
                        SamplePlaces::Areas => None,
                    },
                    geometry: match places {
                        SamplePlaces::Points => None,
                        SamplePlaces::Areas => Some(
                            geo_types::Rect::new(
                                geo_types::coord! { x: 0.0, y: 0.0 },
                                geo_types::coord! { x: 200.0, y: 200.0 },
                            )
                            .to_polygon()
                            .into(),
                        ),
                    },
                    value: Some(34.5),
                    unit: "min".into(),
                    population: Some(120.0),
                }],
                missing_zh: vec![],
                missing_en: vec![],
            }],
            thresholds: vec![ThresholdUsed {
                key: "education.kindergarten_walk_m".into(),
                zh: "幼儿园服务半径".into(),
                en: "Kindergarten radius".into(),
                value: 300.0,
                unit: "m".into(),
                source: Provenance::Proposed,
                cite: "proposed".into(),
            }],
            recommendation_zh: "增设幼儿园".into(),
            recommendation_en: "Add a kindergarten".into(),
        })
        .collect();
    TenOnesReport {
        profile: ProfileRef {
            id: "p".into(),
            name: "p".into(),
            version: "1".into(),
            path: String::new(),
        },
        rules,
        flags: vec!["synthetic data".into()],
    }
}
