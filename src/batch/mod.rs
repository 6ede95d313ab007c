//! The whole-city batch (全市批量分析, `towncircle batch`): every town of a city folder analysed
//! with the same settings into its own report folder, and one city table over them.
//!
//! - [`discover`]: the towns of a city folder (one folder or `.towncircle` project file each) and
//!   the share of them one machine takes ([`Shard`]).
//! - [`manifest`]: each town's `batch.json` — its input files with their SHA-256, the profile's
//!   hash, the towncircle version, the settings and the outcome — and whether it is up to date.
//! - [`facts`]: what the city table keeps of a town's analysis (the ten-ones tally and verdicts,
//!   all-required coverage per tier, population, data-quality count, outline for the city map).
//! - [`run`]: at most `jobs` towns in flight, failures and panics caught per town.
//! - [`table`]: the city table, one row per town; [`city`]: its files `city.xlsx`, `city.html`
//!   (sortable table, inline SVG map) and `city.json`.
//! - [`merge`]: the city outputs rebuilt from the manifests of several shard outputs.
//!
//! The analysis of one town is the caller's (`towncircle analyze`'s code path): [`run::run_towns`]
//! takes it as a [`run::TownRunner`].

pub mod city;
mod city_html;
mod city_map;
mod city_xlsx;
pub mod discover;
pub mod facts;
pub mod manifest;
pub mod merge;
pub mod run;
pub mod table;

use serde::{Deserialize, Serialize};

pub use discover::{Shard, SourceKind, TownSource, discover};
pub use facts::TownFacts;
pub use run::{BatchOptions, BatchProgress, Row, TownRunner, run_towns};

/// The folder under the batch's output holding one folder per town.
pub const TOWNS_DIR: &str = "towns";
/// Each town's manifest, beside its report.
pub const MANIFEST_FILE: &str = "batch.json";
/// The city outputs written into the batch's output folder.
pub const CITY_XLSX: &str = "city.xlsx";
pub const CITY_HTML: &str = "city.html";
pub const CITY_JSON: &str = "city.json";

/// The settings every town of a batch is analysed with (recorded in each manifest; a town whose
/// manifest has other settings is rerun by `--resume`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Settings {
    /// `--profile` as given (None: the default profile, or a project file's own).
    pub profile: Option<String>,
    /// `--mode` (None: each tier's mode from the profile).
    pub mode: Option<String>,
    /// The report language: "zh" or "en".
    pub lang: String,
}

/// Why a town failed, as a class a reader can scan a column for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FailureKind {
    /// The folder holds no data file towncircle reads.
    NoData,
    /// An input file could not be read (missing, truncated beyond use, garbage).
    Unreadable,
    /// No road layer among the inputs: travel times would be straight lines.
    NoRoads,
    /// The project file is damaged, newer, or names inputs that are missing.
    Project,
    /// The analysis stopped with an error.
    Analysis,
    /// The outputs could not be written.
    Write,
    /// A defect in towncircle (a panic); please report it with the message.
    Internal,
}

impl FailureKind {
    pub fn zh(self) -> &'static str {
        match self {
            FailureKind::NoData => "无数据文件",
            FailureKind::Unreadable => "数据无法读取",
            FailureKind::NoRoads => "无道路数据",
            FailureKind::Project => "项目文件有误",
            FailureKind::Analysis => "分析失败",
            FailureKind::Write => "无法写出结果",
            FailureKind::Internal => "内部错误",
        }
    }

    pub fn en(self) -> &'static str {
        match self {
            FailureKind::NoData => "no data files",
            FailureKind::Unreadable => "data could not be read",
            FailureKind::NoRoads => "no roads",
            FailureKind::Project => "project file problem",
            FailureKind::Analysis => "analysis failed",
            FailureKind::Write => "outputs could not be written",
            FailureKind::Internal => "internal error",
        }
    }
}

/// A town that could not be analysed: the class of reason and the message (English, naming the
/// file).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, thiserror::Error)]
#[error("{} ({}): {detail}", kind.en(), kind.zh())]
pub struct Failure {
    pub kind: FailureKind,
    pub detail: String,
}

impl Failure {
    pub fn new(kind: FailureKind, detail: impl Into<String>) -> Failure {
        Failure {
            kind,
            detail: detail.into(),
        }
    }

    /// "无道路数据 / no roads: …" — the reason as the city table shows it.
    pub fn reason(&self) -> String {
        format!("{} / {}: {}", self.kind.zh(), self.kind.en(), self.detail)
    }
}

/// What became of a town.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "status", rename_all = "snake_case")]
pub enum Outcome {
    /// Analysed; its report is in `towns/<name>/`.
    Done { facts: TownFacts },
    /// Not analysed; no report.
    Failed { failure: Failure },
}

impl Outcome {
    pub fn facts(&self) -> Option<&TownFacts> {
        match self {
            Outcome::Done { facts } => Some(facts),
            Outcome::Failed { .. } => None,
        }
    }

    pub fn failure(&self) -> Option<&Failure> {
        match self {
            Outcome::Done { .. } => None,
            Outcome::Failed { failure } => Some(failure),
        }
    }
}

/// The towncircle version written into manifests and city.json.
pub const VERSION: &str = env!("CARGO_PKG_VERSION");
