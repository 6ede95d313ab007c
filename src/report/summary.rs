//! summary.json: the verdicts and coverage for programs (documented in README.md,
//! "`towncircle analyze`").

use serde::Serialize;

use crate::access::AccessReport;
use crate::access::Method;
use crate::access::fca::{CategoryFca, FcaVillage, TierBasis};
use crate::model::{QualityKind, QualityRecord};
use crate::tenones::{TenOnesReport, ThresholdUsed, Verdict};

use super::compare::ScenarioComparison;
use super::info::LayerSummary;
use super::town::{Lang, ReportData};

/// A tally of item verdicts.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Tally {
    pub pass: usize,
    pub partly: usize,
    pub fail: usize,
    pub no_data: usize,
}

/// One input layer.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct InputRef {
    pub file: String,
    pub table: Option<String>,
    pub role: Option<&'static str>,
    pub features: usize,
    pub crs: Option<String>,
}

impl From<&LayerSummary> for InputRef {
    fn from(l: &LayerSummary) -> Self {
        InputRef {
            file: l.file.clone(),
            table: l.table.clone(),
            role: l.role,
            features: l.feature_count,
            crs: l.crs.code.clone(),
        }
    }
}

/// One all-required gap area.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct GapRef {
    pub minutes: u32,
    pub village: Option<String>,
    pub population: f64,
    pub points: usize,
    pub area_m2: f64,
    pub centre: [f64; 2],
}

/// One data-quality record (数据质量), with its sentences in the report's language.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct QualityRef<'a> {
    pub file: &'a str,
    pub layer: &'a str,
    pub role: Option<&'static str>,
    pub kind: QualityKind,
    /// True when features of the file were not read: `analyze --strict` refuses these.
    pub loses_features: bool,
    pub features_affected: Option<usize>,
    pub features_read: Option<usize>,
    pub what: String,
    pub action: &'static str,
    /// The reader's own messages (English), naming features.
    pub details: &'a [String],
}

impl<'a> QualityRef<'a> {
    pub fn new(r: &'a QualityRecord, lang: Lang) -> Self {
        let zh = lang == Lang::Zh;
        QualityRef {
            file: &r.file,
            layer: &r.layer,
            role: r.role.map(|x| x.en()),
            kind: r.kind,
            loses_features: r.loses_features,
            features_affected: r.features_affected,
            features_read: r.features_read,
            what: r.what(zh),
            action: r.action(zh),
            details: &r.details,
        }
    }
}

/// A ten-ones item whose verdict rests on a layer with lost features.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ItemCaveat {
    pub number: u8,
    pub id: String,
    /// Indexes into `data_quality`.
    pub data_quality: Vec<usize>,
}

/// One facility with a capacity in a 2SFCA.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FcaFacilityRef<'a> {
    pub name: Option<&'a str>,
    /// Position in the working CRS.
    pub xy: [f64; 2],
    pub capacity: f64,
    /// People (demand weight) within the tier's minutes of it.
    pub demand_in_reach: f64,
    /// Capacity per 1,000 people in reach; null when nobody is in reach.
    pub supply_per_1000: Option<f64>,
    /// Demand in reach above capacity × `persons_per_unit`.
    pub overloaded: bool,
}

/// The 2SFCA of one category at one tier.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FcaRef<'a> {
    pub category: &'a str,
    pub zh: &'a str,
    pub en: &'a str,
    pub minutes: u32,
    pub mode: &'a str,
    pub method: Method,
    /// Why this tier: `required` (the tier requires the category), `category_tier` (the
    /// taxonomy's tier for it), `largest_tier`.
    pub tier_basis: TierBasis,
    /// Whose people are in reach: `total`, or the category's age band when its raster is loaded.
    pub demand: &'a str,
    pub persons_per_unit: f64,
    pub facilities: Vec<FcaFacilityRef<'a>>,
    /// Facilities of the category without a capacity (left out of the 2SFCA).
    pub facilities_without_capacity: usize,
    pub overloaded: usize,
    /// Population-weighted mean index of the town (capacity per 1,000 people).
    pub town_index_per_1000: Option<f64>,
    /// `village`, `index_per_1000` (population-weighted mean of its points; null without demand).
    pub villages: &'a [FcaVillage],
}

impl<'a> From<&'a CategoryFca> for FcaRef<'a> {
    fn from(c: &'a CategoryFca) -> Self {
        let r = &c.report;
        FcaRef {
            category: &c.id,
            zh: &c.zh,
            en: &c.en,
            minutes: c.minutes,
            mode: &c.mode,
            method: c.method,
            tier_basis: c.basis,
            demand: &r.demand,
            persons_per_unit: r.persons_per_unit,
            facilities: r
                .facilities
                .iter()
                .map(|f| FcaFacilityRef {
                    name: f.name.as_deref(),
                    xy: f.xy,
                    capacity: f.capacity,
                    demand_in_reach: f.demand_in_reach,
                    supply_per_1000: f.supply_per_1000,
                    overloaded: f.overloaded,
                })
                .collect(),
            facilities_without_capacity: r.facilities_without_capacity,
            overloaded: r.overloaded,
            town_index_per_1000: r.town_index_per_1000,
            villages: &r.villages,
        }
    }
}

/// summary.json.
#[derive(Debug, Serialize)]
pub struct Summary<'a> {
    /// "towncircle-analyze/1": bumped when a field changes meaning.
    pub format: &'static str,
    pub towncircle_version: &'static str,
    pub town: &'a str,
    pub lang: &'static str,
    pub working_crs: String,
    pub inputs: Vec<InputRef>,
    /// Conditions every reader must see (Euclidean fallback, synthetic data, ...).
    pub flags: &'a [String],
    /// What was read only partly, guessed or left out, per file and kind (see README).
    pub data_quality: Vec<QualityRef<'a>>,
    /// Items whose verdict rests on a layer with lost features: it may change once the data is
    /// whole.
    pub tenones_caveats: Vec<ItemCaveat>,
    pub population: f64,
    /// None when the ten ones were not evaluated.
    pub tenones_tally: Option<Tally>,
    /// The ten-ones report (items, checks, measures, failing places, thresholds).
    pub tenones: Option<&'a TenOnesReport>,
    /// The access run, as `towncircle coverage --json` prints it (without `inputs`).
    pub access: &'a AccessReport,
    /// All-required gap areas per tier, largest population first within a tier.
    pub gaps: Vec<GapRef>,
    /// The profile values the access run used (ten-ones thresholds are in `tenones`).
    pub access_thresholds: &'a [ThresholdUsed],
    /// 2SFCA accessibility per category with a capacity and tier (empty when no facility has a
    /// capacity).
    pub accessibility_2sfca: Vec<FcaRef<'a>>,
    pub files: [&'static str; 4],
    /// Only when the report is of a scenario (`analyze --scenario`): the figures above are the
    /// scenario's; this compares them with the base.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub scenario: Option<&'a ScenarioComparison>,
}

/// Build summary.json's content.
pub fn summary<'a>(data: &'a ReportData<'_>, lang: Lang) -> Summary<'a> {
    Summary {
        format: "towncircle-analyze/1",
        towncircle_version: env!("CARGO_PKG_VERSION"),
        town: &data.town,
        lang: lang.code(),
        working_crs: data.working_crs.label(),
        inputs: data.inputs.iter().map(InputRef::from).collect(),
        flags: &data.flags,
        data_quality: data
            .data_quality
            .iter()
            .map(|r| QualityRef::new(r, lang))
            .collect(),
        tenones_caveats: data
            .tenones
            .map(|t| {
                t.rules
                    .iter()
                    .filter_map(|rule| {
                        let idx: Vec<usize> =
                            crate::tenones::quality_affecting(rule, &data.data_quality)
                                .iter()
                                .filter_map(|q| {
                                    data.data_quality.iter().position(|r| std::ptr::eq(r, *q))
                                })
                                .collect();
                        (!idx.is_empty()).then(|| ItemCaveat {
                            number: rule.number,
                            id: rule.id.clone(),
                            data_quality: idx,
                        })
                    })
                    .collect()
            })
            .unwrap_or_default(),
        population: data.population(),
        tenones_tally: data.tenones.map(|t| {
            let [pass, partly, fail, no_data] = t.tally();
            debug_assert_eq!(Verdict::ALL[3], Verdict::NoData);
            Tally {
                pass,
                partly,
                fail,
                no_data,
            }
        }),
        tenones: data.tenones,
        access: data.report,
        gaps: data
            .all_required_gaps()
            .map(|g| GapRef {
                minutes: g.minutes,
                village: g.village.clone(),
                population: g.area.population,
                points: g.area.points,
                area_m2: g.area.area_m2,
                centre: g.area.centre,
            })
            .collect(),
        access_thresholds: &data.access_thresholds,
        accessibility_2sfca: data.accessibility.iter().map(FcaRef::from).collect(),
        files: super::town::OUTPUT_FILES,
        scenario: data.scenario.as_ref(),
    }
}
