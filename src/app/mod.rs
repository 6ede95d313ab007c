//! The desktop app (feature `gui`): a map of the town's layers, a layers panel, an attribute
//! table, feature attributes and the analysis panel. A thin shell over the library: loading runs
//! as background jobs; UI functions return [`Command`]s that are applied after drawing.

pub mod analysis;
pub mod batch_work;
pub mod cad_dialog;
mod commands;
pub mod fonts;
mod frame;
pub mod i18n;
pub mod jobs;
pub mod layers_panel;
pub mod map;
mod project_work;
/// The open document (`map::doc`), re-exported where it always was.
pub use map::doc;
pub use project_work::ProjectState;
pub mod scenario;
mod scenario_work;
mod startup;
pub mod state;
pub mod table;
#[doc(hidden)]
pub mod test_support;
mod work;

pub use frame::job_ui;
pub use startup::{find_demo_town, run};
pub use work::write_png;

use std::path::{Path, PathBuf};
use std::sync::mpsc::{Receiver, Sender, channel};

use egui::{Color32, RichText};

use crate::crs::{Crs, Transformer};
use crate::io::LoadOptions;
use crate::io::load::reproject;
use crate::model::{AttrValue, Role};
use analysis::{AnalysisState, OverlayKind, ProfileChoice};
use doc::{Document, LayerId, PreparedLayer, Selection};
use i18n::{Lang, tx};
use jobs::{Job, JobEnd, Loaded, expand_paths, load_files};
use map::MapState;
use state::{Persisted, STORAGE_KEY};
use table::TableState;

/// What the user asked for, applied after the frame's UI was drawn.
#[derive(Debug, Clone, PartialEq)]
pub enum Command {
    OpenFiles(Vec<PathBuf>),
    OpenDialog,
    /// 文件 → 批量分析: show the batch window.
    OpenBatch,
    BatchPickCity,
    BatchPickOut,
    BatchStart,
    BatchCancel,
    /// Open a file with the system's program for it (city.html in a browser).
    OpenPath(PathBuf),
    OpenDemo,
    ExportPngDialog,
    ExportPng(PathBuf),
    /// Ask for a folder, then write the analysis report there.
    ExportReportDialog,
    /// Write report.html, results.xlsx, results.gpkg and summary.json into the folder.
    ExportReport(PathBuf),
    CloseAll,
    Quit,
    SetLang(Lang),
    SetVisible(LayerId, bool),
    SetOpacity(LayerId, f32),
    SetRole(LayerId, Option<Role>),
    RaiseLayer(LayerId),
    LowerLayer(LayerId),
    RemoveLayer(LayerId),
    ZoomLayer(LayerId),
    ZoomTown,
    ZoomSelection,
    ShowTable(LayerId),
    Select {
        selection: Option<Selection>,
        /// Also zoom the map to it (a click in the table).
        zoom: bool,
    },
    CancelJob(usize),
    ClearLog,
    ClearRecent,
    DismissToasts,
    SetOverlayVisible(OverlayKind, bool),
    SetProfile(ProfileChoice),
    ProfileDialog,
    RunAnalysis,
    CancelAnalysis,
    /// Draw the overlays again for another category or tier.
    RebuildOverlays,
    /// Show a ten-ones item's evidence and its failing places on the map.
    SelectRule(usize),
    /// Zoom to one failing place: (item, check, place).
    ZoomPlace(usize, usize, usize),
    /// A new scenario on top of the last analysis, shown at once.
    NewScenario,
    /// Show a scenario (None: the base).
    SelectScenario(Option<usize>),
    ScenarioTool(Option<scenario::Tool>),
    /// Add a facility of the panel's category here (working CRS).
    ScenarioAdd([f64; 2]),
    ScenarioMove(crate::access::live::FacilityKey, [f64; 2]),
    ScenarioRemove(crate::access::live::FacilityKey),
    ScenarioRecategorize(crate::access::live::FacilityKey),
    Undo,
    Redo,
    /// Suggest sites for the panel's category at the overlay tier.
    Suggest,
    /// Add suggested site number N to the scenario shown.
    AcceptSite(usize),
    /// Save to the session's project file (asks for one the first time).
    SaveProject,
    SaveProjectAsDialog,
    SaveProjectTo(PathBuf),
    OpenProjectDialog,
    OpenProject(PathBuf),
    /// Ask where a missing input of the project being opened is now (its index).
    LocateInputDialog(usize),
    LocateInput(usize, PathBuf),
    /// Open the project with the inputs found (the missing ones left out, said in the log).
    OpenWithoutMissing,
    CancelOpenProject,
    RestoreRecovery,
    DiscardRecovery,
    /// Show the CAD import dialog for this drawing (its layers, roles and coordinates).
    CadDialog(PathBuf),
    /// The dialog's OK: roles applied; new coordinates reload the drawing.
    CadApply,
    CadCancel,
    /// Ask for a control-point CSV for the dialog.
    CadCsvDialog,
    /// Put the points of this control-point CSV in the dialog's table.
    CadLoadCsv(PathBuf),
}

/// How serious a log entry is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Level {
    Info,
    Warning,
    Error,
}

/// A message for the user in the log panel.
#[derive(Debug, Clone, PartialEq)]
pub struct LogEntry {
    pub level: Level,
    pub text: String,
    /// egui time when it was logged, seconds.
    pub time_s: f64,
}

/// How the app starts.
#[derive(Debug, Clone, Default)]
pub struct StartOptions {
    /// Files or folders to open; none opens the demo town.
    pub files: Vec<PathBuf>,
    /// Export the map view to this PNG once loaded, then quit.
    pub export_png: Option<PathBuf>,
    /// Do not look for the demo town (tests).
    pub no_demo: bool,
    /// Where the recovery copy is autosaved (None: no autosave; the app's data folder when run).
    pub recovery_dir: Option<PathBuf>,
}

/// Results of file dialogs run on their own thread.
enum DialogResult {
    Open(Vec<PathBuf>),
    ExportTo(PathBuf),
    ReportTo(PathBuf),
    SaveProject(PathBuf),
    OpenProject(PathBuf),
    Located(usize, PathBuf),
    BatchCity(PathBuf),
    BatchOut(PathBuf),
    CadCsv(PathBuf),
}

/// Which file dialog.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum DialogKind {
    Open,
    ExportPng,
    ReportFolder,
    SaveProject,
    OpenProject,
    LocateInput(usize),
    BatchCity,
    BatchOut,
    CadCsv,
}

/// The app.
pub struct TownApp {
    pub persisted: Persisted,
    pub doc: Document,
    pub map: MapState,
    pub table: TableState,
    pub log: Vec<LogEntry>,
    pub jobs: Vec<Job<Loaded>>,
    pub analysis: AnalysisState,
    pub scenarios: scenario::ScenarioState,
    pub project: ProjectState,
    pub batch: batch_work::BatchState,
    /// The CAD import dialog, when shown.
    pub cad: Option<cad_dialog::CadDialog>,
    /// WGS84 lon/lat of the working CRS, for the cursor read-out.
    to_wgs84: Option<(Crs, Transformer)>,
    dialog_tx: Sender<DialogResult>,
    dialog_rx: Receiver<DialogResult>,
    export_tx: Sender<Result<PathBuf, String>>,
    export_rx: Receiver<Result<PathBuf, String>>,
    /// Export here once loading settled, then quit (--export-png).
    export_on_load: Option<PathBuf>,
    settled_frames: u32,
    toasts_dismissed_at_s: f64,
}

impl TownApp {
    pub fn lang(&self) -> Lang {
        self.persisted.lang
    }

    /// Add a message to the log.
    pub fn log(&mut self, ctx: &egui::Context, level: Level, text: impl Into<String>) {
        self.log.push(LogEntry {
            level,
            text: text.into(),
            time_s: ctx.input(|i| i.time),
        });
    }
}
