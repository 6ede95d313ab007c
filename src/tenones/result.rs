//! What a ten-ones evaluation gives: per item a verdict, a score, the checks behind it with their
//! numbers and failing places, the thresholds used (with provenance), and a recommendation.
//!
//! This is the contract between the rules (`tenones::rules`), the report writers (`report`) and
//! the desktop app. Everything here is plain data: serialisable, no references into layers.

use geo_types::Geometry;
use serde::Serialize;

use crate::model::layer::SourceId;
use crate::standards::profile::Provenance;

/// The verdict of one item or check.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, serde::Deserialize,
)]
#[serde(rename_all = "snake_case")]
pub enum Verdict {
    /// 达标: every check passes.
    Pass,
    /// 基本达标: meets the item in part (a check is partly met, or a minor check fails).
    Partly,
    /// 未达标: a main check fails.
    Fail,
    /// 缺数据: the data needed to judge is missing; never a silent pass or fail.
    NoData,
}

impl Verdict {
    pub const ALL: [Verdict; 4] = [
        Verdict::Pass,
        Verdict::Partly,
        Verdict::Fail,
        Verdict::NoData,
    ];

    pub fn zh(self) -> &'static str {
        match self {
            Verdict::Pass => "达标",
            Verdict::Partly => "基本达标",
            Verdict::Fail => "未达标",
            Verdict::NoData => "缺数据",
        }
    }

    pub fn en(self) -> &'static str {
        match self {
            Verdict::Pass => "Pass",
            Verdict::Partly => "Partly",
            Verdict::Fail => "Fail",
            Verdict::NoData => "No data",
        }
    }

    /// The label in a language ("zh" or anything else for English).
    pub fn label(self, lang: &str) -> &'static str {
        if lang == "zh" { self.zh() } else { self.en() }
    }

    /// A colour for maps, tables and the app (sRGB), readable for the colour-blind:
    /// blue-green pass, amber partly, vermilion fail, grey no data.
    pub fn rgb(self) -> [u8; 3] {
        match self {
            Verdict::Pass => [0, 158, 115],
            Verdict::Partly => [230, 159, 0],
            Verdict::Fail => [213, 94, 0],
            Verdict::NoData => [140, 140, 140],
        }
    }
}

/// A threshold a rule used, with where it comes from.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ThresholdUsed {
    /// The profile key, e.g. "education.kindergarten_walk_m".
    pub key: String,
    pub zh: String,
    pub en: String,
    pub value: f64,
    /// Unit as shown: "m", "min", "%", "km", "个".
    pub unit: String,
    pub source: Provenance,
    pub cite: String,
}

/// A measured number behind a verdict.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Measure {
    pub key: String,
    pub zh: String,
    pub en: String,
    pub value: f64,
    pub unit: String,
}

/// A place that fails a check (or a feature the evidence points to).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Place {
    /// What it is, e.g. "茶山村", "建成区西南 12 栋住宅", "绿道断点".
    pub zh: String,
    pub en: String,
    /// The layer it comes from (its display name) and the feature, when it is one feature.
    pub layer: Option<String>,
    pub source: Option<SourceId>,
    /// A representative point in the working CRS (for "zoom to" and labels).
    pub xy: Option<[f64; 2]>,
    /// The shape to highlight on a map, in the working CRS (not serialised; GeoPackage/GeoJSON
    /// outputs write it).
    #[serde(skip)]
    pub geometry: Option<Geometry<f64>>,
    /// The measured value that fails (e.g. 34.5 min, 462 m) and its unit.
    pub value: Option<f64>,
    pub unit: String,
    /// Residents affected, when known.
    pub population: Option<f64>,
}

/// One check of an item (an item has one or more).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Check {
    pub key: String,
    pub zh: String,
    pub en: String,
    pub verdict: Verdict,
    pub measures: Vec<Measure>,
    pub failing: Vec<Place>,
    /// What data is missing (for [`Verdict::NoData`]), one line each.
    pub missing_zh: Vec<String>,
    pub missing_en: Vec<String>,
}

/// The result of one of the ten ones.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RuleResult {
    /// 1..=10, in the order of the programme.
    pub number: u8,
    /// Stable id, e.g. "transport", "greenway", "sewer", "waste", "commerce", "culture_sport",
    /// "education", "health_care", "living_circle", "governance".
    pub id: String,
    pub zh: String,
    pub en: String,
    pub verdict: Verdict,
    /// 0..=100; None for no data.
    pub score: Option<f64>,
    pub checks: Vec<Check>,
    pub thresholds: Vec<ThresholdUsed>,
    pub recommendation_zh: String,
    pub recommendation_en: String,
}

/// The profile an evaluation used.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ProfileRef {
    pub id: String,
    pub name: String,
    pub version: String,
    pub path: String,
}

/// The ten ones of one town.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TenOnesReport {
    pub profile: ProfileRef,
    pub rules: Vec<RuleResult>,
    /// Conditions every reader must see (e.g. a Euclidean fallback, synthetic data).
    pub flags: Vec<String>,
}

impl TenOnesReport {
    /// How many items have each verdict, in [`Verdict::ALL`] order.
    pub fn tally(&self) -> [usize; 4] {
        let mut t = [0; 4];
        for r in &self.rules {
            if let Some(i) = Verdict::ALL.iter().position(|v| *v == r.verdict) {
                t[i] += 1;
            }
        }
        t
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rule(n: u8, v: Verdict) -> RuleResult {
        RuleResult {
            number: n,
            id: format!("r{n}"),
            zh: String::new(),
            en: String::new(),
            verdict: v,
            score: None,
            checks: vec![],
            thresholds: vec![],
            recommendation_zh: String::new(),
            recommendation_en: String::new(),
        }
    }

    #[test]
    fn tally_counts_each_verdict() {
        let r = TenOnesReport {
            profile: ProfileRef {
                id: "p".into(),
                name: "p".into(),
                version: "1".into(),
                path: String::new(),
            },
            rules: vec![
                rule(1, Verdict::Pass),
                rule(2, Verdict::Fail),
                rule(3, Verdict::Fail),
                rule(4, Verdict::NoData),
            ],
            flags: vec![],
        };
        assert_eq!(r.tally(), [1, 0, 2, 1]);
    }

    #[test]
    fn verdict_serialises_snake_case_and_labels_differ() {
        assert_eq!(
            serde_json::to_string(&Verdict::NoData).unwrap(),
            "\"no_data\""
        );
        let zh: std::collections::BTreeSet<_> = Verdict::ALL.iter().map(|v| v.zh()).collect();
        assert_eq!(zh.len(), 4);
        assert_eq!(Verdict::Partly.label("zh"), "基本达标");
        assert_eq!(Verdict::Partly.label("en"), "Partly");
    }
}
