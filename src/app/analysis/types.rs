//! What the analysis panel chooses and what its jobs hand back: profile and mode choices, settings, overlay kinds and layers, outputs, report input.

use super::*;

/// Which profile to use.
#[derive(Debug, Clone, PartialEq)]
pub enum ProfileChoice {
    /// The default profile shipped with towncircle.
    Shipped,
    /// Another shipped profile, by name (`standards::profile::SHIPPED_PROFILES`).
    Named(String),
    /// A profile TOML file chosen by the user.
    File(PathBuf),
}

/// Which travel mode(s).
#[derive(Debug, Clone, PartialEq)]
pub enum ModeChoice {
    /// Each tier with the mode the profile defines for it (5/15 min walk, 30 min e-bike).
    PerTier,
    /// Every tier with one mode (a profile mode id).
    One(String),
}

/// What the user set in the analysis panel.
#[derive(Debug, Clone, PartialEq)]
pub struct AnalysisSettings {
    pub profile_choice: ProfileChoice,
    pub mode: ModeChoice,
    /// The profile's tier minutes with whether each is on.
    pub tiers: Vec<(u32, bool)>,
    /// The facility category the overlays show (a taxonomy id).
    pub overlay_category: String,
    /// The tier whose gaps and uncovered buildings are shown.
    pub overlay_minutes: u32,
}

/// One run of the engine: one mode, the tiers using it.
pub struct Run {
    /// Shared with the scenario engines that edit this run.
    pub analysis: Arc<Analysis>,
    pub result: AccessResult,
}

/// What an analysis job hands back.
pub struct AnalysisOutput {
    pub runs: Vec<Arc<Run>>,
    /// The coverage of every tier (runs merged).
    pub report: AccessReport,
    pub tenones: Option<TenOnesReport>,
    pub overlays: Vec<super::super::doc::ReadyOverlay>,
    pub seconds: f64,
    /// What the run's inputs lost, guessed or left out, and what the access run could not reach.
    pub data_quality: Vec<crate::model::QualityRecord>,
    /// The facility layers the engine read, in its order (file, layer name): where each
    /// analysed facility came from, for the project file's edits.
    pub facility_layers: Vec<(PathBuf, String)>,
}

/// What an overlay-only job (another category or tier) hands back.
pub struct OverlayOutput {
    pub overlays: Vec<super::super::doc::ReadyOverlay>,
}

/// A report export's end: the folder and the files written, or the error.
pub type ReportWritten = Result<(PathBuf, Vec<PathBuf>), String>;

/// What the report export needs from the last analysis (owned: it runs on a worker thread).
pub struct ReportInput {
    pub layers: Vec<Arc<Layer>>,
    pub working_crs: Crs,
    pub runs: Vec<Arc<Run>>,
    pub report: AccessReport,
    pub tenones: Option<TenOnesReport>,
    pub profile: Arc<Profile>,
    pub lang: crate::report::Lang,
    pub dir: PathBuf,
    /// When a scenario is shown: the figures above are its, `layers` its edited town, and the
    /// report gets the comparison with the base.
    pub scenario: Option<ReportScenario>,
}

/// The scenario side of a report: its name and edits, and the base to compare with.
pub struct ReportScenario {
    pub name: String,
    pub edits: Vec<crate::report::compare::EditSummary>,
    pub base_runs: Vec<Arc<Run>>,
    pub base_report: AccessReport,
    pub base_tenones: Option<TenOnesReport>,
}
