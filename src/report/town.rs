//! The analysis of one town as the report writers see it ([`ReportData`]), the report language,
//! the thresholds the access run used, and [`write_all`]: report.html, results.xlsx,
//! results.gpkg and summary.json written into a temporary folder and moved into place only
//! when all four succeeded.

use std::path::PathBuf;

use crate::access::fca::{CategoryFca, PERSONS_PER_UNIT, town_fca};
use crate::access::{AccessReport, AccessResult, Analysis};
use crate::crs::Crs;
use crate::error::{Error, Result};
use crate::model::layer::AttrValue;
use crate::model::{Layer, QualityRecord, Role};
use crate::standards::profile::{Cited, Profile, Provenance};
use crate::tenones::{TenOnesReport, ThresholdUsed};

use super::compare::ScenarioComparison;
use super::derive::{self, Gap, Isochrone};
use super::info::{LayerSummary, layer_summary};

/// The language of fixed text in the outputs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Lang {
    #[default]
    Zh,
    En,
}

impl Lang {
    /// "zh" or "en" (also "zh-CN", "中文", "english").
    pub fn parse(s: &str) -> Option<Lang> {
        match s.trim().to_ascii_lowercase().as_str() {
            "zh" | "zh-cn" | "cn" | "chinese" | "中文" => Some(Lang::Zh),
            "en" | "en-gb" | "en-us" | "english" => Some(Lang::En),
            _ => None,
        }
    }

    /// The code used by [`crate::tenones::Verdict::label`] and in HTML `lang`.
    pub fn code(self) -> &'static str {
        match self {
            Lang::Zh => "zh",
            Lang::En => "en",
        }
    }

    /// Pick the text in this language.
    pub fn t<'a>(self, zh: &'a str, en: &'a str) -> &'a str {
        match self {
            Lang::Zh => zh,
            Lang::En => en,
        }
    }
}

/// How a provenance tag reads in a report: "建议值" (proposed), "待核实" (known standard, to
/// verify) or "来源 S3" (found in source 3).
pub fn provenance_label(p: Provenance, lang: Lang) -> String {
    match p {
        Provenance::Proposed => lang.t("建议值", "proposed").into(),
        Provenance::Known => lang.t("待核实", "to verify").into(),
        Provenance::Source(Some(n)) => format!("{} S{n}", lang.t("来源", "source")),
        Provenance::Source(None) => lang.t("来源", "source").into(),
    }
}

/// One mode's analysis and results (a run computes the tiers of one travel mode).
#[derive(Debug, Clone, Copy)]
pub struct Run<'a> {
    pub analysis: &'a Analysis,
    pub result: &'a AccessResult,
}

/// One analysed town, ready for the writers. Everything is in the working CRS (metres).
#[derive(Debug)]
pub struct ReportData<'a> {
    /// The town's name (for titles).
    pub town: String,
    pub layers: &'a [Layer],
    pub inputs: Vec<LayerSummary>,
    pub working_crs: Crs,
    /// One run per travel mode (at least one); demand and facilities are the same in each.
    pub(crate) runs: Vec<Run<'a>>,
    /// The report over every tier.
    pub report: &'a AccessReport,
    /// None until the ten-ones rules have run (the report says so).
    pub tenones: Option<&'a TenOnesReport>,
    /// The profile values the access run used (tiers, speeds, network, demand, shapes).
    pub access_thresholds: Vec<ThresholdUsed>,
    pub profile_path: String,
    pub isochrones: Vec<Isochrone>,
    /// All-required gaps per tier first, then per category.
    pub gaps: Vec<Gap>,
    /// Conditions every reader must see: the access run's flags, the ten ones' flags, and
    /// synthetic data.
    pub flags: Vec<String>,
    /// What was read only partly, guessed or left out (数据质量): every layer's records and the
    /// access run's; callers add files that could not be read.
    pub data_quality: Vec<QualityRecord>,
    /// Set when the report is of a scenario (方案): the figures above are the scenario's, and
    /// this compares them with the base (report.html's 方案比较, the sheet, summary.json).
    pub scenario: Option<ScenarioComparison>,
    /// 2SFCA accessibility of every category with a facility that has a capacity (床位, 学位,
    /// 座位 …), at the tiers requiring it ([`crate::access::fca::town_fca`]); empty when no
    /// facility has a capacity.
    pub accessibility: Vec<CategoryFca>,
    /// Facilities with a capacity, of every category.
    pub facilities_with_capacity: usize,
}

fn cited(key: &str, zh: &str, en: &str, unit: &str, c: &Cited<f64>) -> ThresholdUsed {
    ThresholdUsed {
        key: key.into(),
        zh: zh.into(),
        en: en.into(),
        value: c.value,
        unit: unit.into(),
        source: c.source,
        cite: c.cite.clone(),
    }
}

/// The profile values the access runs used (tiers, the speeds of every mode used, network,
/// demand and shape parameters), each with its provenance.
pub fn access_thresholds(
    profile: &Profile,
    report: &AccessReport,
    modes: &[&str],
) -> Vec<ThresholdUsed> {
    let mut out = Vec::new();
    for t in &report.tiers {
        out.push(ThresholdUsed {
            key: format!("tiers.{}.minutes", t.id.as_deref().unwrap_or("custom")),
            zh: t
                .zh
                .clone()
                .unwrap_or_else(|| format!("{}分钟生活圈", t.minutes)),
            en: format!("{}-minute living circle", t.minutes),
            value: f64::from(t.minutes),
            unit: "min".into(),
            // A tier given on the command line only is the user's choice: not an official number.
            source: t.source.unwrap_or(Provenance::Proposed),
            cite: t.cite.clone().unwrap_or_default(),
        });
    }
    for m in modes.iter().filter_map(|id| profile.mode(id)) {
        let k = format!("modes.{}", m.id);
        out.push(cited(
            &format!("{k}.speed_m_per_s"),
            &format!("{}速度", m.zh),
            &format!("{} speed", m.en),
            "m/s",
            &m.speed_m_per_s,
        ));
        for (class, c) in &m.class_speed_km_h {
            let id = profile.class(*class).map(|c| c.id.as_str()).unwrap_or("?");
            out.push(cited(
                &format!("{k}.class_speed_km_h.{id}"),
                &format!("{}速度（{id}）", m.zh),
                &format!("{} speed on {id}", m.en),
                "km/h",
                c,
            ));
        }
        out.push(cited(
            &format!("{k}.access_speed_m_per_s"),
            &format!("{}接驳段速度", m.zh),
            &format!("{} access-leg speed", m.en),
            "m/s",
            &m.access_speed_m_per_s,
        ));
    }
    let n = &profile.network;
    out.push(cited(
        "network.snap_tolerance_m",
        "路网节点合并容差",
        "network snapping tolerance",
        "m",
        &n.snap_tolerance_m,
    ));
    out.push(cited(
        "network.max_snap_m",
        "最大接入距离",
        "maximum distance to a road",
        "m",
        &n.max_snap_m,
    ));
    out.push(cited(
        "network.detour_factor",
        "绕行系数（直线距离兜底）",
        "detour factor (straight-line fallback)",
        "×",
        &n.detour_factor,
    ));
    let d = &profile.demand;
    out.push(cited(
        "demand.persons_per_m2",
        "人均居住面积换算（人/m²）",
        "persons per m² of floor area",
        "人/m²",
        &d.persons_per_m2,
    ));
    out.push(cited(
        "demand.default_levels",
        "缺省层数",
        "default storeys",
        "层",
        &d.default_levels,
    ));
    out.push(cited(
        "demand.grid_cell_m",
        "人口格网边长",
        "demand grid cell",
        "m",
        &d.grid_cell_m,
    ));
    let s = &profile.shapes;
    out.push(cited(
        "shapes.isochrone_half_width_m",
        "等时圈道路缓冲半宽",
        "isochrone road buffer half-width",
        "m",
        &s.isochrone_half_width_m,
    ));
    out.push(cited(
        "shapes.gap_cell_m",
        "缺口格网边长",
        "gap cell size",
        "m",
        &s.gap_cell_m,
    ));
    out
}

impl<'a> ReportData<'a> {
    /// Prepare the writers' input: derive isochrones and gaps once per run, collect flags.
    /// `runs` must not be empty.
    #[allow(clippy::too_many_arguments)]
    pub fn new(
        town: impl Into<String>,
        layers: &'a [Layer],
        working_crs: Crs,
        runs: Vec<Run<'a>>,
        report: &'a AccessReport,
        tenones: Option<&'a TenOnesReport>,
        profile: &Profile,
    ) -> Result<ReportData<'a>> {
        if runs.is_empty() {
            return Err(Error::Config(
                "a report needs at least one access run".into(),
            ));
        }
        let mut flags = report.flags.clone();
        if let Some(t) = tenones {
            for f in &t.flags {
                if !flags.contains(f) {
                    flags.push(f.clone());
                }
            }
        }
        let modes: Vec<&str> = runs.iter().map(|r| r.analysis.mode.id.as_str()).collect();
        let mut isochrones = Vec::new();
        let mut all_required = Vec::new();
        let mut per_category = Vec::new();
        for r in &runs {
            isochrones.extend(derive::isochrones(r.analysis, r.result));
            for g in derive::gaps(r.analysis, r.result, true) {
                if g.category.is_none() {
                    all_required.push(g);
                } else {
                    per_category.push(g);
                }
            }
        }
        all_required.extend(per_category);
        let mut data_quality: Vec<QualityRecord> = layers
            .iter()
            .flat_map(crate::io::quality::layer_records)
            .collect();
        data_quality.extend(crate::access::quality::records(report));
        let analyses: Vec<&Analysis> = runs.iter().map(|r| r.analysis).collect();
        let accessibility = town_fca(&analyses, PERSONS_PER_UNIT);
        let facilities_with_capacity = runs[0]
            .analysis
            .facilities
            .iter()
            .filter(|f| f.capacity.is_some())
            .count();
        Ok(ReportData {
            town: town.into(),
            layers,
            inputs: layers.iter().map(layer_summary).collect(),
            working_crs,
            access_thresholds: access_thresholds(profile, report, &modes),
            runs,
            report,
            tenones,
            profile_path: profile.path.display().to_string(),
            isochrones,
            gaps: all_required,
            flags,
            data_quality,
            scenario: None,
            accessibility,
            facilities_with_capacity,
        })
    }

    /// The first run: demand, villages, facilities and the taxonomy (the same in every run).
    pub fn base(&self) -> &'a Analysis {
        self.runs[0].analysis
    }

    /// The run that computed the tier of `minutes`.
    pub fn run_of(&self, minutes: u32) -> Option<Run<'a>> {
        self.runs
            .iter()
            .find(|r| r.analysis.tiers.iter().any(|t| t.minutes == minutes))
            .copied()
    }

    /// Total demand (residents, or cells for a grid demand).
    pub fn population(&self) -> f64 {
        self.report.demand.total_weight
    }

    /// The records that lose features (`analyze --strict` refuses them).
    pub fn lost_features(&self) -> impl Iterator<Item = &QualityRecord> {
        self.data_quality.iter().filter(|r| r.loses_features)
    }

    /// The all-required gaps (no category).
    pub fn all_required_gaps(&self) -> impl Iterator<Item = &Gap> {
        self.gaps.iter().filter(|g| g.category.is_none())
    }
}

/// The town's name: the boundary's 名称/name, else the name of the first folder given.
pub fn town_name(layers: &[Layer], files: &[PathBuf]) -> String {
    for l in layers.iter().filter(|l| l.role == Some(Role::Boundary)) {
        for f in &l.features {
            for field in ["名称", "镇名", "name:zh", "name"] {
                if let Some(t) = l.attr(f, field).and_then(AttrValue::as_text) {
                    let t = t.trim();
                    if !t.is_empty() {
                        return t.to_string();
                    }
                }
            }
        }
    }
    files
        .iter()
        .find(|p| p.is_dir())
        .and_then(|p| p.canonicalize().ok())
        .and_then(|p| p.file_name().map(|n| n.to_string_lossy().into_owned()))
        .unwrap_or_else(|| "town".into())
}

/// The flag every output of the bundled demo town carries: given when one of `paths` is the
/// demo's folder or a file in it (the folder holds demo-town.json).
pub fn synthetic_flag(paths: &[PathBuf], lang: Lang) -> Option<String> {
    let demo = paths.iter().any(|p| {
        let dir = if p.is_dir() {
            Some(p.as_path())
        } else {
            p.parent()
        };
        dir.is_some_and(|d| d.join("demo-town.json").is_file())
    });
    demo.then(|| match lang {
        Lang::Zh => "虚构示例数据（SYNTHETIC）：本镇由 towncircle demo-town 生成，不代表任何真实地点。".into(),
        Lang::En => "SYNTHETIC demo data: this town was generated by towncircle demo-town and depicts no real place.".into(),
    })
}

/// The files [`write_all`] writes, in order.
pub const OUTPUT_FILES: [&str; 4] = [
    "report.html",
    "results.xlsx",
    "results.gpkg",
    "summary.json",
];

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::access::test_support::{facilities, homes};
    use crate::access::{AccessInput, AccessOptions};
    use crate::model::Taxonomy;

    const X: f64 = 500_000.0;
    const Y: f64 = 3_320_000.0;

    /// No roads (the Euclidean fallback), one kindergarten, a home beside it and one 5 km away
    /// whose village name carries markup.
    pub(crate) fn town() -> (Vec<Layer>, Profile) {
        let k = Taxonomy::default().by_id("kindergarten").unwrap();
        let mut h = homes(&[([X + 10.0, Y], 100.0), ([X + 5000.0, Y], 50.0)]);
        h.source.path = "<b>homes</b>.geojson".into();
        (vec![facilities(&[([X, Y], k)]), h], Profile::default())
    }

    #[test]
    fn lang_and_provenance_labels() {
        assert_eq!(Lang::parse("EN"), Some(Lang::En));
        assert_eq!(Lang::parse("中文"), Some(Lang::Zh));
        assert_eq!(Lang::parse("fr"), None);
        assert_eq!(provenance_label(Provenance::Proposed, Lang::Zh), "建议值");
        assert_eq!(provenance_label(Provenance::Known, Lang::En), "to verify");
        assert_eq!(
            provenance_label(Provenance::Source(Some(7)), Lang::Zh),
            "来源 S7"
        );
    }

    #[test]
    fn thresholds_cover_tiers_speed_and_network_with_provenance() {
        let (layers, profile) = town();
        let input = AccessInput::from_layers(&layers);
        let a = Analysis::new(
            &input,
            &profile,
            &Taxonomy::default(),
            &AccessOptions::default(),
        )
        .unwrap();
        let r = a.run();
        let t = access_thresholds(&profile, &r.report, &["walk"]);
        for tier in &profile.tiers {
            let found = t
                .iter()
                .find(|x| x.key == format!("tiers.{}.minutes", tier.id))
                .unwrap();
            assert_eq!(found.value, f64::from(tier.minutes));
            assert_eq!(found.source, tier.source);
        }
        let detour = t.iter().find(|x| x.key == "network.detour_factor").unwrap();
        assert_eq!(detour.value, profile.network.detour_factor.value);
        assert!(t.iter().any(|x| x.key == "modes.walk.speed_m_per_s"));
    }
}
