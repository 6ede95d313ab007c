//! A scenario (方案) against the base: its edits in words, coverage per facility type and tier
//! before and after with the people newly covered, all-required coverage per tier, and each
//! ten-ones item's verdict before and after. Pure data from two analysis outputs (no I/O), for
//! the report (report.html's 方案比较 section, the 方案比较 sheet, summary.json's `scenario`) and
//! the app's side-by-side table.

use std::path::Path;

use serde::Serialize;

use crate::access::{AccessReport, AccessResult, Analysis};
use crate::model::layer::AttrValue;
use crate::model::{Layer, Taxonomy};
use crate::project::apply::find_feature;
use crate::project::{Edit, FacilityRef, Scenario};
use crate::tenones::{TenOnesReport, Verdict};

/// One side of the comparison: the access report, the runs behind it (one per mode; for the
/// people newly covered, which need each resident's times) and the ten ones when evaluated.
#[derive(Debug, Clone, Copy)]
pub struct Side<'a> {
    pub report: &'a AccessReport,
    /// (analysis, result) per mode run; may be empty (then only net changes are given).
    pub runs: &'a [(&'a Analysis, &'a AccessResult)],
    pub tenones: Option<&'a TenOnesReport>,
}

/// An edit in words.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct EditSummary {
    /// 1-based, in the scenario's order.
    pub number: usize,
    /// `add`, `move`, `remove`, `recategorize`.
    pub op: &'static str,
    pub zh: String,
    pub en: String,
}

/// Coverage of one scope, as a percentage and people.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Figures {
    /// Town (镇域) coverage, percent of the demand.
    pub town_percent: Option<f64>,
    /// People (demand weight) covered in the town.
    pub town_covered: f64,
    /// Built-up area (建成区) coverage, percent (None without a built-up area).
    pub built_up_percent: Option<f64>,
}

/// One facility type (or all required types together) at one tier, base against scenario.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CoverageChange {
    /// The category id, or `all_required`.
    pub id: String,
    pub zh: String,
    pub en: String,
    pub minutes: u32,
    /// The travel mode of the tier.
    pub mode: String,
    /// Facilities of the type (None for all required types).
    pub facilities_base: Option<usize>,
    pub facilities_scenario: Option<usize>,
    pub base: Figures,
    pub scenario: Figures,
    /// Scenario minus base, people covered in the town (negative: fewer covered).
    pub net_change: f64,
    /// People covered in the scenario and not in the base (None when not computable: all
    /// required types, or no runs given).
    pub newly_covered: Option<f64>,
    /// People covered in the base and no longer in the scenario.
    pub no_longer_covered: Option<f64>,
    /// Any figure differs.
    pub changed: bool,
}

/// One ten-ones item, base against scenario.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct VerdictChange {
    pub number: u8,
    pub id: String,
    pub zh: String,
    pub en: String,
    pub base: Verdict,
    pub scenario: Verdict,
    pub base_score: Option<f64>,
    pub scenario_score: Option<f64>,
    /// The verdict differs.
    pub changed: bool,
}

/// A scenario against the base (see the module doc).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ScenarioComparison {
    pub name: String,
    pub note: Option<String>,
    pub edits: Vec<EditSummary>,
    /// Edits that could not be made (their facility is no longer in the data), in words.
    pub not_applied: Vec<String>,
    /// All required types per tier (always listed).
    pub all_required: Vec<CoverageChange>,
    /// Every facility type × tier (`changed` marks the ones that differ).
    pub categories: Vec<CoverageChange>,
    /// Every item (empty when the ten ones were not evaluated on both sides).
    pub tenones: Vec<VerdictChange>,
}

fn figures(c: &crate::access::ScopedCoverage) -> Figures {
    Figures {
        town_percent: c.town.percent,
        town_covered: c.town.covered_weight,
        built_up_percent: c.built_up.and_then(|b| b.percent),
    }
}

fn differs(a: &Figures, b: &Figures) -> bool {
    let close = |x: Option<f64>, y: Option<f64>| match (x, y) {
        (Some(x), Some(y)) => (x - y).abs() < 1e-9,
        (None, None) => true,
        _ => false,
    };
    (a.town_covered - b.town_covered).abs() > 1e-9
        || !close(a.town_percent, b.town_percent)
        || !close(a.built_up_percent, b.built_up_percent)
}

/// Each resident's time to the category `id` in the run computing the tier of `minutes`, and
/// that tier's budget (seconds). None when no run computes it; an empty slice when the run
/// has no facility of the category (nobody reaches it).
fn times<'a>(side: &Side<'a>, id: &str, minutes: u32) -> Option<(&'a [f64], f64, usize)> {
    let (a, r) = side
        .runs
        .iter()
        .find(|(a, _)| a.tiers.iter().any(|t| t.minutes == minutes))?;
    let budget = a.tiers.iter().find(|t| t.minutes == minutes)?.budget_s();
    let t = r
        .categories
        .iter()
        .find(|c| a.taxonomy.get(c.category).is_some_and(|c| c.id == id))
        .map_or(&[][..], |c| c.demand_time_s.as_slice());
    Some((t, budget, a.demand.points.len()))
}

/// People newly covered and no longer covered (town scope), from each resident's times.
fn gross(base: &Side<'_>, scen: &Side<'_>, id: &str, minutes: u32) -> Option<(f64, f64)> {
    let (bt, budget, n) = times(base, id, minutes)?;
    let (st, budget_s, ns) = times(scen, id, minutes)?;
    // The same residents on both sides (the demand does not depend on the facilities).
    if n != ns || (budget - budget_s).abs() > 1e-9 {
        return None;
    }
    let (a, _) = base
        .runs
        .iter()
        .find(|(a, _)| a.tiers.iter().any(|t| t.minutes == minutes))?;
    let covered = |t: &[f64], i: usize| t.get(i).is_some_and(|x| *x <= budget);
    // People of the category's age band when coverage counts them (its raster loaded).
    let band = a
        .taxonomy
        .by_id(id)
        .and_then(|c| a.taxonomy.get(c))
        .and_then(|c| c.age_band);
    let counted = a.demand.counted(band);
    let (mut gained, mut lost) = (0.0, 0.0);
    for i in 0..n {
        let w = counted.weight(i).unwrap_or(0.0);
        match (covered(bt, i), covered(st, i)) {
            (false, true) => gained += w,
            (true, false) => lost += w,
            _ => {}
        }
    }
    Some((gained, lost))
}

/// The report's flag when its figures are a scenario's: said at the top, never left out.
pub fn scenario_flag(name: &str, edits: usize, lang: super::Lang) -> String {
    match lang {
        super::Lang::Zh => format!(
            "方案（SCENARIO）：本报告按方案“{name}”计算（{edits} 项修改），不是现状；与现状的比较见“方案比较”一节。"
        ),
        super::Lang::En => format!(
            "SCENARIO: this report is of the scenario \"{name}\" ({edits} edit(s)), not of the town as it is; the comparison with the base is in the section \"Scenario comparison\"."
        ),
    }
}

impl ScenarioComparison {
    /// Compare `scenario` against `base` (the same town, profile and tiers).
    pub fn new(
        name: impl Into<String>,
        note: Option<String>,
        edits: Vec<EditSummary>,
        not_applied: Vec<String>,
        base: Side<'_>,
        scenario: Side<'_>,
    ) -> ScenarioComparison {
        let mode_of = |minutes: u32| {
            scenario
                .report
                .tiers
                .iter()
                .find(|t| t.minutes == minutes)
                .map(|t| t.mode.clone())
                .unwrap_or_default()
        };
        let all_required = base
            .report
            .all_required
            .iter()
            .filter_map(|b| {
                let s = scenario
                    .report
                    .all_required
                    .iter()
                    .find(|s| s.minutes == b.minutes)?;
                let (fb, fs) = (figures(&b.coverage), figures(&s.coverage));
                Some(CoverageChange {
                    id: "all_required".into(),
                    zh: "全部必需设施".into(),
                    en: "All required types".into(),
                    minutes: b.minutes,
                    mode: mode_of(b.minutes),
                    facilities_base: None,
                    facilities_scenario: None,
                    net_change: fs.town_covered - fb.town_covered,
                    newly_covered: None,
                    no_longer_covered: None,
                    changed: differs(&fb, &fs),
                    base: fb,
                    scenario: fs,
                })
            })
            .collect();
        // Every type of either side (a scenario may add the first facility of a type).
        let mut ids: Vec<&crate::access::CategoryCoverage> =
            base.report.categories.iter().collect();
        for s in &scenario.report.categories {
            if !ids.iter().any(|c| c.id == s.id) {
                ids.push(s);
            }
        }
        let mut categories = Vec::new();
        for c in ids {
            let b = base.report.categories.iter().find(|x| x.id == c.id);
            let s = scenario.report.categories.iter().find(|x| x.id == c.id);
            let minutes: Vec<u32> = c.tiers.iter().map(|t| t.minutes).collect();
            for m in minutes {
                let tier = |cc: Option<&crate::access::CategoryCoverage>| {
                    cc.and_then(|cc| cc.tiers.iter().find(|t| t.minutes == m))
                        .map(figures)
                        .unwrap_or(Figures {
                            town_percent: Some(0.0),
                            town_covered: 0.0,
                            built_up_percent: None,
                        })
                };
                let (fb, fs) = (tier(b), tier(s));
                let (nb, ns) = (b.map(|x| x.facility_count), s.map(|x| x.facility_count));
                let g = gross(&base, &scenario, &c.id, m);
                categories.push(CoverageChange {
                    id: c.id.clone(),
                    zh: c.zh.clone(),
                    en: c.en.clone(),
                    minutes: m,
                    mode: mode_of(m),
                    facilities_base: Some(nb.unwrap_or(0)),
                    facilities_scenario: Some(ns.unwrap_or(0)),
                    net_change: fs.town_covered - fb.town_covered,
                    newly_covered: g.map(|g| g.0),
                    no_longer_covered: g.map(|g| g.1),
                    changed: differs(&fb, &fs) || nb != ns,
                    base: fb,
                    scenario: fs,
                });
            }
        }
        let tenones = match (base.tenones, scenario.tenones) {
            (Some(b), Some(s)) => b
                .rules
                .iter()
                .filter_map(|rb| {
                    let rs = s.rules.iter().find(|r| r.number == rb.number)?;
                    Some(VerdictChange {
                        number: rb.number,
                        id: rb.id.clone(),
                        zh: rb.zh.clone(),
                        en: rb.en.clone(),
                        base: rb.verdict,
                        scenario: rs.verdict,
                        base_score: rb.score,
                        scenario_score: rs.score,
                        changed: rb.verdict != rs.verdict,
                    })
                })
                .collect(),
            _ => Vec::new(),
        };
        ScenarioComparison {
            name: name.into(),
            note,
            edits,
            not_applied,
            all_required,
            categories,
            tenones,
        }
    }

    /// The type × tier rows that differ.
    pub fn changed_categories(&self) -> impl Iterator<Item = &CoverageChange> {
        self.categories.iter().filter(|c| c.changed)
    }

    /// The items whose verdict differs.
    pub fn changed_verdicts(&self) -> impl Iterator<Item = &VerdictChange> {
        self.tenones.iter().filter(|v| v.changed)
    }
}

const NAME_FIELDS: &[&str] = &["名称", "设施名称", "name", "名字"];

fn lonlat_text(ll: [f64; 2]) -> String {
    format!("{:.6}°E, {:.6}°N", ll[0], ll[1])
}

/// The scenario's edits in words, naming facilities as the base data has them (`layers`: the
/// base as loaded, `project_file`: for the files of [`FacilityRef::Existing`]).
pub fn describe_edits(
    scenario: &Scenario,
    layers: &[Layer],
    taxonomy: &Taxonomy,
    project_file: &Path,
) -> Vec<EditSummary> {
    let cat = |id: &str| -> (String, String) {
        taxonomy
            .by_id(id)
            .and_then(|c| taxonomy.get(c))
            .map_or((id.to_string(), id.to_string()), |c| {
                (c.zh.clone(), c.en.clone())
            })
    };
    // Added facilities so far: key → (zh, en) label.
    let mut added: Vec<(u32, (String, String))> = Vec::new();
    let mut out = Vec::new();
    for (i, e) in scenario.edits.iter().enumerate() {
        let facility = |r: &FacilityRef| -> (String, String) {
            match r {
                FacilityRef::Added { key } => added
                    .iter()
                    .find(|(k, _)| k == key)
                    .map(|(_, l)| (format!("方案新增的{}", l.0), format!("the added {}", l.1)))
                    .unwrap_or_else(|| {
                        (format!("新增设施 {key}"), format!("added facility {key}"))
                    }),
                FacilityRef::Existing {
                    file,
                    layer,
                    feature,
                } => {
                    let file_name = Path::new(file)
                        .file_name()
                        .map_or(file.clone(), |n| n.to_string_lossy().into_owned());
                    let found = find_feature(layers, project_file, file, layer, *feature).ok();
                    let (kind, name) = found.map_or((None, None), |(l, f)| {
                        let layer = &layers[l];
                        let feat = &layer.features[f];
                        let kind = feat.category.and_then(|c| taxonomy.get(c));
                        let name = NAME_FIELDS.iter().find_map(|n| {
                            layer
                                .attr(feat, n)
                                .and_then(AttrValue::as_text)
                                .map(|s| s.trim().to_string())
                                .filter(|s| !s.is_empty())
                        });
                        (kind, name)
                    });
                    let zh_kind = kind.map(|k| k.zh.clone()).unwrap_or_else(|| "设施".into());
                    let en_kind = kind
                        .map(|k| k.en.clone())
                        .unwrap_or_else(|| "facility".into());
                    let (zh_name, en_name) =
                        name.as_ref().map_or((String::new(), String::new()), |n| {
                            (format!("“{n}”"), format!(" \"{n}\""))
                        });
                    (
                        format!("{zh_kind}{zh_name}（{file_name} {feature}）"),
                        format!("{en_kind}{en_name} ({file_name} {feature})"),
                    )
                }
            }
        };
        let (zh, en) = match e {
            Edit::Add {
                key,
                category,
                lonlat,
                name,
                capacity,
            } => {
                let (czh, cen) = cat(category);
                let named = name.as_ref().map(|n| format!("“{n}”")).unwrap_or_default();
                let cap = capacity.map(|c| format!("，容量 {c}")).unwrap_or_default();
                let cap_en = capacity
                    .map(|c| format!(", capacity {c}"))
                    .unwrap_or_default();
                let r = (
                    format!("新增{czh}{named}，位于 {}{cap}", lonlat_text(*lonlat)),
                    format!(
                        "added {cen}{} at {}{cap_en}",
                        name.as_ref()
                            .map(|n| format!(" \"{n}\""))
                            .unwrap_or_default(),
                        lonlat_text(*lonlat)
                    ),
                );
                added.push((*key, (czh, cen)));
                r
            }
            Edit::Move {
                facility: f,
                lonlat,
            } => {
                let (z, n) = facility(f);
                (
                    format!("将{z}移至 {}", lonlat_text(*lonlat)),
                    format!("moved {n} to {}", lonlat_text(*lonlat)),
                )
            }
            Edit::Remove { facility: f } => {
                let (z, n) = facility(f);
                (format!("移除{z}"), format!("removed {n}"))
            }
            Edit::Recategorize {
                facility: f,
                category,
            } => {
                let (z, n) = facility(f);
                let (czh, cen) = cat(category);
                if let FacilityRef::Added { key } = f
                    && let Some(slot) = added.iter_mut().find(|(k, _)| k == key)
                {
                    slot.1 = (czh.clone(), cen.clone());
                }
                (format!("将{z}改为{czh}"), format!("changed {n} to {cen}"))
            }
        };
        out.push(EditSummary {
            number: i + 1,
            op: e.op(),
            zh,
            en,
        });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::access::{AccessInput, AccessOptions};
    use crate::model::Taxonomy;
    use crate::report::town::tests::town;

    #[test]
    fn an_added_kindergarten_covers_the_far_home() {
        let (layers, profile) = town();
        let t = Taxonomy::default();
        let analyse = |layers: &[Layer]| {
            let input = AccessInput::from_layers(layers);
            let a = Analysis::new(&input, &profile, &t, &AccessOptions::default()).unwrap();
            let r = a.run();
            (a, r)
        };
        let (ba, br) = analyse(&layers);
        // The scenario: a second kindergarten beside the home 5 km away.
        let mut edited = layers.clone();
        let k = t.by_id("kindergarten").unwrap();
        let far =
            crate::access::test_support::facilities(&[([500_000.0 + 5000.0, 3_320_000.0], k)]);
        edited.push(far);
        let (sa, sr) = analyse(&edited);
        let (base_runs, scen_runs) = ([(&ba, &br)], [(&sa, &sr)]);
        let c = ScenarioComparison::new(
            "方案一",
            None,
            vec![],
            vec![],
            Side {
                report: &br.report,
                runs: &base_runs,
                tenones: None,
            },
            Side {
                report: &sr.report,
                runs: &scen_runs,
                tenones: None,
            },
        );
        let changed: Vec<&CoverageChange> = c.changed_categories().collect();
        assert!(!changed.is_empty());
        assert!(
            changed.iter().all(|r| r.id == "kindergarten"),
            "{changed:#?}"
        );
        for r in &changed {
            assert_eq!(r.facilities_base, Some(1));
            assert_eq!(r.facilities_scenario, Some(2));
            // The far home (50 people) is newly covered, nobody lost.
            assert_eq!(r.newly_covered, Some(50.0));
            assert_eq!(r.no_longer_covered, Some(0.0));
            assert_eq!(r.net_change, 50.0);
            assert_eq!(r.base.town_covered, 100.0);
            assert_eq!(r.scenario.town_percent, Some(100.0));
        }
        assert_eq!(c.all_required.len(), br.report.all_required.len());
        assert!(c.tenones.is_empty());
    }

    #[test]
    fn edits_in_words_name_the_facility_and_category() {
        let (layers, _) = town();
        let t = Taxonomy::default();
        let file = layers[0].source.path.display().to_string();
        let s = Scenario {
            name: "方案一".into(),
            note: None,
            edits: vec![
                Edit::Add {
                    key: 0,
                    category: "kindergarten".into(),
                    lonlat: [119.95, 30.05],
                    name: Some("溪西幼儿园".into()),
                    capacity: Some(180.0),
                },
                Edit::Recategorize {
                    facility: FacilityRef::Added { key: 0 },
                    category: "primary_school".into(),
                },
                Edit::Remove {
                    facility: FacilityRef::Added { key: 0 },
                },
                Edit::Remove {
                    facility: FacilityRef::Existing {
                        file,
                        layer: layers[0].name.clone(),
                        feature: layers[0].features[0].source_id,
                    },
                },
            ],
        };
        let d = describe_edits(&s, &layers, &t, Path::new("/nowhere/p.towncircle"));
        assert_eq!(d.len(), 4);
        assert_eq!(
            d[0].zh,
            "新增幼儿园“溪西幼儿园”，位于 119.950000°E, 30.050000°N，容量 180"
        );
        assert!(
            d[0].en.starts_with("added Kindergarten \"溪西幼儿园\""),
            "{}",
            d[0].en
        );
        assert_eq!(d[1].zh, "将方案新增的幼儿园改为小学");
        assert_eq!(d[2].zh, "移除方案新增的小学");
        assert!(d[3].zh.starts_with("移除幼儿园"), "{}", d[3].zh);
        assert_eq!(d[3].op, "remove");
    }
}
