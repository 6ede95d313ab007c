//! The desktop app (feature `gui`): a map of the town's layers, a layers panel, an attribute
//! table, feature attributes and the analysis panel. A thin shell over the library: loading runs
//! as background jobs; UI functions return [`Command`]s that are applied after drawing.

pub mod analysis;
mod commands;
pub mod fonts;
mod frame;
pub mod i18n;
pub mod jobs;
pub mod layers_panel;
pub mod map;
/// The open document (`map::doc`), re-exported where it always was.
pub use map::doc;
pub mod state;
pub mod table;
mod work;

pub use frame::job_ui;
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
}

/// Results of file dialogs run on their own thread.
enum DialogResult {
    Open(Vec<PathBuf>),
    ExportTo(PathBuf),
    ReportTo(PathBuf),
}

/// Which file dialog.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum DialogKind {
    Open,
    ExportPng,
    ReportFolder,
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

/// Where the demo town may be: beside the executable, in the current folder, in the source tree.
pub fn find_demo_town() -> Option<PathBuf> {
    let rel = Path::new("sample-maps").join("qingxi-demo-town");
    let mut candidates = Vec::new();
    if let Ok(exe) = std::env::current_exe()
        && let Some(dir) = exe.parent()
    {
        candidates.push(dir.join(&rel));
        candidates.push(dir.join("..").join(&rel));
        candidates.push(dir.join("../..").join(&rel));
    }
    if let Ok(cwd) = std::env::current_dir() {
        candidates.push(cwd.join(&rel));
    }
    candidates.push(Path::new(env!("CARGO_MANIFEST_DIR")).join(&rel));
    candidates.into_iter().find(|p| p.is_dir())
}

impl TownApp {
    /// The app with its fonts installed in `ctx` and settings from `storage`; starts loading.
    pub fn new(
        ctx: &egui::Context,
        storage: Option<&dyn eframe::Storage>,
        start: StartOptions,
    ) -> Self {
        fonts::install(ctx);
        let persisted = storage
            .and_then(|s| eframe::get_value::<Persisted>(s, STORAGE_KEY))
            .unwrap_or_default();
        Self::with_settings(ctx, persisted, start)
    }

    /// The app with given settings (fonts are the caller's business).
    pub fn with_settings(ctx: &egui::Context, persisted: Persisted, start: StartOptions) -> Self {
        let (dialog_tx, dialog_rx) = channel();
        let (export_tx, export_rx) = channel();
        let mut app = TownApp {
            persisted,
            doc: Document::default(),
            map: MapState::default(),
            table: TableState::default(),
            log: Vec::new(),
            jobs: Vec::new(),
            analysis: AnalysisState::default(),
            to_wgs84: None,
            dialog_tx,
            dialog_rx,
            export_tx,
            export_rx,
            export_on_load: start.export_png.clone(),
            settled_frames: 0,
            toasts_dismissed_at_s: -1.0,
        };
        app.map.basemap.settings = app.persisted.basemap.clone();
        ctx.send_viewport_cmd(egui::ViewportCommand::Title(
            app.lang().t(tx::APP_TITLE).into(),
        ));
        if !start.files.is_empty() {
            app.open(ctx, start.files);
        } else if !start.no_demo {
            app.open_demo(ctx);
        }
        app
    }

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

impl eframe::App for TownApp {
    fn ui(&mut self, ui: &mut egui::Ui, _frame: &mut eframe::Frame) {
        self.ui_all(ui);
    }

    fn save(&mut self, storage: &mut dyn eframe::Storage) {
        self.persisted.basemap = self.map.basemap.settings.clone();
        eframe::set_value(storage, STORAGE_KEY, &self.persisted);
    }
}

/// The renderer named by TOWNCIRCLE_RENDERER (wgpu when unset).
fn renderer_from_env() -> Option<eframe::Renderer> {
    match std::env::var("TOWNCIRCLE_RENDERER")
        .ok()?
        .to_ascii_lowercase()
        .as_str()
    {
        "glow" | "gl" | "opengl" => Some(eframe::Renderer::Glow),
        "wgpu" => Some(eframe::Renderer::Wgpu),
        _ => None,
    }
}

/// Open the window and run until it closes. When the default wgpu renderer cannot start (old
/// drivers, no Vulkan), the program runs itself again with TOWNCIRCLE_RENDERER=glow.
pub fn run(start: StartOptions) -> Result<(), eframe::Error> {
    let chosen = renderer_from_env();
    let renderer = chosen.unwrap_or(eframe::Renderer::Wgpu);
    let options = eframe::NativeOptions {
        renderer,
        viewport: egui::ViewportBuilder::default()
            .with_title(tx::APP_TITLE.zh)
            .with_inner_size([1400.0, 900.0])
            .with_min_inner_size([800.0, 500.0])
            .with_drag_and_drop(true),
        ..Default::default()
    };
    let result = eframe::run_native(
        "towncircle",
        options,
        Box::new(move |cc| {
            let app = TownApp::new(&cc.egui_ctx, cc.storage, start);
            Ok(Box::new(app))
        }),
    );
    if let Err(e) = &result
        && chosen.is_none()
        && let Ok(exe) = std::env::current_exe()
    {
        eprintln!(
            "towncircle: the wgpu renderer failed ({e}); retrying with OpenGL (TOWNCIRCLE_RENDERER=glow)"
        );
        let status = std::process::Command::new(exe)
            .args(std::env::args_os().skip(1))
            .env("TOWNCIRCLE_RENDERER", "glow")
            .status();
        if let Ok(s) = status
            && s.success()
        {
            return Ok(());
        }
    }
    result
}
