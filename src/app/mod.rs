//! The desktop app (feature `gui`): a map of the town's layers, a layers panel, an attribute
//! table, feature attributes and the analysis panel. A thin shell over the library: loading runs
//! as background jobs; UI functions return [`Command`]s that are applied after drawing.

pub mod analysis;
pub mod doc;
pub mod fonts;
pub mod i18n;
pub mod jobs;
pub mod layers_panel;
pub mod map;
pub mod state;
pub mod table;

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

    fn open_demo(&mut self, ctx: &egui::Context) {
        match find_demo_town() {
            Some(dir) => self.open(ctx, vec![dir]),
            None => {
                let text = self.lang().t(tx::NO_DEMO);
                self.log(ctx, Level::Info, text);
            }
        }
    }

    /// Start loading files (folders: their data files) in the background.
    pub fn open(&mut self, ctx: &egui::Context, paths: Vec<PathBuf>) {
        for p in &paths {
            self.persisted.remember(p);
        }
        let files = expand_paths(&paths);
        if files.is_empty() {
            let shown: Vec<String> = paths.iter().map(|p| p.display().to_string()).collect();
            let text = self
                .lang()
                .load_failed(&format!("no data files: {}", shown.join(", ")));
            self.log(ctx, Level::Error, text);
            return;
        }
        let options = LoadOptions {
            working_crs: self.doc.working_crs.clone(),
            taxonomy: self.doc.taxonomy.clone(),
            ..LoadOptions::default()
        };
        let label = files
            .iter()
            .filter_map(|p| p.file_name())
            .map(|n| n.to_string_lossy().into_owned())
            .collect::<Vec<_>>()
            .join(", ");
        self.jobs.push(Job::spawn(label, ctx, move |progress| {
            load_files(&files, &options, progress)
        }));
    }

    /// Any job still running?
    pub fn is_busy(&self) -> bool {
        !self.jobs.is_empty() || self.analysis.is_busy()
    }

    /// The town's layers (not the overlays), shared with a job.
    fn base_layers(&self) -> Vec<std::sync::Arc<crate::model::Layer>> {
        self.doc
            .layers
            .iter()
            .filter(|l| l.overlay.is_none())
            .map(|l| std::sync::Arc::clone(&l.layer))
            .collect()
    }

    /// Start the analysis on the open layers in the background.
    fn run_analysis(&mut self, ctx: &egui::Context) {
        let Ok(profile) = self.analysis.profile.clone() else {
            return;
        };
        if self.analysis.job.is_some() {
            return;
        }
        let layers = self.base_layers();
        let taxonomy = self.doc.taxonomy.clone();
        let settings = self.analysis.settings.clone();
        let town = self.doc.town_extent();
        let label = self.lang().t(tx::ANALYSIS).to_string();
        self.analysis.job = Some(Job::spawn(label, ctx, move |progress| {
            analysis::run_analysis(&layers, &profile, &taxonomy, &settings, town, progress)
        }));
    }

    /// Build the overlays again (another category or tier) from the last run.
    fn rebuild_overlays(&mut self, ctx: &egui::Context) {
        let Some(r) = &self.analysis.results else {
            return;
        };
        if self.analysis.overlay_job.is_some() {
            return;
        }
        let runs = r.runs.clone();
        let layers = self.base_layers();
        let category = self.analysis.settings.overlay_category.clone();
        let minutes = self.analysis.settings.overlay_minutes;
        let town = self.doc.town_extent();
        let label = self.lang().t(tx::OVERLAYS).to_string();
        self.analysis.overlay_job = Some(Job::spawn(label, ctx, move |progress| {
            analysis::build_overlays(&runs, &layers, &category, minutes, town, progress)
                .map(|overlays| analysis::OverlayOutput { overlays })
        }));
    }

    /// Replace the overlays on the map, keeping which kinds were hidden.
    fn put_overlays(&mut self, overlays: Vec<analysis::OverlayLayer>) {
        let hidden: Vec<OverlayKind> = OverlayKind::ALL
            .into_iter()
            .filter(|k| !self.doc.overlay_state(*k).unwrap_or(k.shown_at_first()))
            .collect();
        self.doc.remove_overlays();
        for o in overlays {
            self.doc.add_overlay(o);
        }
        for k in hidden {
            self.doc.set_overlay_visible(k, false);
        }
    }

    fn poll_analysis(&mut self, ctx: &egui::Context) {
        let lang = self.lang();
        if let Some(end) = self.analysis.job.as_ref().and_then(|j| j.poll()) {
            self.analysis.job = None;
            match end {
                JobEnd::Done(Ok(mut out)) => {
                    let overlays = std::mem::take(&mut out.overlays);
                    self.put_overlays(overlays);
                    let text = format!(
                        "{}: {} ({:.1} s)",
                        lang.t(tx::ANALYSIS),
                        out.report
                            .tiers
                            .iter()
                            .map(|t| format!("{} {}", t.minutes, lang.t(tx::MINUTES)))
                            .collect::<Vec<_>>()
                            .join(", "),
                        out.seconds
                    );
                    self.log(ctx, Level::Info, text);
                    for w in &out.report.flags {
                        self.log(ctx, Level::Warning, w.clone());
                    }
                    if !out
                        .report
                        .tiers
                        .iter()
                        .any(|t| t.minutes == self.analysis.chart_minutes)
                        && let Some(t) = out.report.tiers.first()
                    {
                        self.analysis.chart_minutes = t.minutes;
                    }
                    self.analysis.selected_rule = None;
                    self.map.highlights.clear();
                    self.analysis.results = Some(out);
                }
                JobEnd::Done(Err(e)) => {
                    let text = format!("{}: {e}", lang.t(tx::ANALYSIS_FAILED));
                    self.log(ctx, Level::Error, text);
                }
                JobEnd::Cancelled => {
                    let text = format!("{}: {}", lang.t(tx::CANCELLED), lang.t(tx::ANALYSIS));
                    self.log(ctx, Level::Info, text);
                }
                JobEnd::Crashed => {
                    let text = format!("{}: {}", lang.t(tx::JOB_CRASHED), lang.t(tx::ANALYSIS));
                    self.log(ctx, Level::Error, text);
                }
            }
        }
        if let Some(end) = self.analysis.overlay_job.as_ref().and_then(|j| j.poll()) {
            self.analysis.overlay_job = None;
            match end {
                JobEnd::Done(o) => self.put_overlays(o.overlays),
                JobEnd::Cancelled => {}
                JobEnd::Crashed => {
                    let text = format!("{}: {}", lang.t(tx::JOB_CRASHED), lang.t(tx::OVERLAYS));
                    self.log(ctx, Level::Error, text);
                }
            }
        }
        if let Some(end) = self.analysis.report_job.as_ref().and_then(|j| j.poll()) {
            self.analysis.report_job = None;
            match end {
                JobEnd::Done(Ok((dir, files))) => {
                    let text = lang.report_written(&dir.display().to_string(), files.len());
                    self.log(ctx, Level::Info, text);
                }
                JobEnd::Done(Err(e)) => {
                    let text = format!("{}: {e}", lang.t(tx::EXPORT_FAILED));
                    self.log(ctx, Level::Error, text);
                }
                JobEnd::Cancelled => {}
                JobEnd::Crashed => {
                    let text = format!("{}: {}", lang.t(tx::JOB_CRASHED), lang.t(tx::REPORT_JOB));
                    self.log(ctx, Level::Error, text);
                }
            }
        }
        if let Some(p) = self.analysis.take_picked_profile() {
            self.apply(ctx, Command::SetProfile(ProfileChoice::File(p)));
        }
    }

    /// Poll each job once; take in what finished.
    fn poll_jobs(&mut self, ctx: &egui::Context) {
        let mut i = 0;
        while i < self.jobs.len() {
            match self.jobs[i].poll() {
                None => i += 1,
                Some(end) => {
                    let job = self.jobs.remove(i);
                    match end {
                        JobEnd::Done(loaded) => self.take_loaded(ctx, loaded),
                        JobEnd::Cancelled => {
                            let text = format!("{}: {}", self.lang().t(tx::CANCELLED), job.label);
                            self.log(ctx, Level::Info, text);
                        }
                        JobEnd::Crashed => {
                            let text = format!("{}: {}", self.lang().t(tx::JOB_CRASHED), job.label);
                            self.log(ctx, Level::Error, text);
                        }
                    }
                }
            }
        }
    }

    fn take_loaded(&mut self, ctx: &egui::Context, loaded: Loaded) {
        let lang = self.lang();
        let was_empty = self.doc.layers.is_empty();
        for f in &loaded.failures {
            self.log(ctx, Level::Error, lang.load_failed(&f.error.to_string()));
        }
        let working = match &self.doc.working_crs {
            Some(c) => c.clone(),
            None => {
                self.doc.working_crs = Some(loaded.working_crs.clone());
                loaded.working_crs.clone()
            }
        };
        let n_layers = loaded.layers.len();
        let n_features: usize = loaded.layers.iter().map(|l| l.layer.features.len()).sum();
        for p in loaded.layers {
            // Two loads started before either finished may have chosen different working CRSs.
            let p = if loaded.working_crs != working {
                let mut layer = p.layer;
                if let Err(e) = reproject(&mut layer, &working) {
                    self.log(ctx, Level::Error, lang.load_failed(&e.to_string()));
                    continue;
                }
                PreparedLayer::new(layer)
            } else {
                p
            };
            let id = self.doc.add(p);
            // Every data-quality finding of the layer, in words: lost features as errors.
            let lines: Vec<(Level, String)> = self
                .doc
                .get(id)
                .map(|ml| {
                    ml.quality
                        .iter()
                        .map(|q| {
                            let level = if q.loses_features {
                                Level::Error
                            } else {
                                Level::Warning
                            };
                            (level, lang.quality_line(q))
                        })
                        .collect()
                })
                .unwrap_or_default();
            for (level, text) in lines {
                self.log(ctx, level, text);
            }
            if self.table.layer.is_none() {
                self.table.show_layer(id);
            }
        }
        if n_layers > 0 {
            self.log(
                ctx,
                Level::Info,
                lang.loaded(n_layers, n_features, loaded.seconds),
            );
        }
        if self.to_wgs84.as_ref().map(|(c, _)| c) != self.doc.working_crs.as_ref()
            && let Some(c) = self.doc.working_crs.clone()
        {
            self.to_wgs84 = Transformer::new(&c, &Crs::WGS84).ok().map(|t| (c, t));
        }
        if was_empty {
            self.map.fit_town_pending = true;
        }
        ctx.request_repaint();
    }

    /// Run a file dialog on its own thread so the frame loop never waits for it.
    fn spawn_dialog(&self, kind: DialogKind) {
        let tx = self.dialog_tx.clone();
        let title = self.lang().t(match kind {
            DialogKind::Open => tx::OPEN_FILES,
            DialogKind::ExportPng => tx::EXPORT_PNG,
            DialogKind::ReportFolder => tx::EXPORT_REPORT,
        });
        let run = move || {
            let dialog = rfd::FileDialog::new().set_title(title);
            let result = match kind {
                DialogKind::ExportPng => dialog
                    .add_filter("PNG", &["png"])
                    .set_file_name("map.png")
                    .save_file()
                    .map(DialogResult::ExportTo),
                DialogKind::ReportFolder => dialog.pick_folder().map(DialogResult::ReportTo),
                DialogKind::Open => dialog
                    .add_filter(
                        "GIS",
                        &[
                            "shp", "geojson", "json", "gpkg", "pbf", "csv", "xlsx", "xls",
                        ],
                    )
                    .pick_files()
                    .map(DialogResult::Open),
            };
            if let Some(r) = result {
                let _ = tx.send(r);
            }
        };
        // macOS wants dialogs on the main thread; elsewhere keep the frame loop free.
        if cfg!(target_os = "macos") {
            run();
        } else {
            let _ = std::thread::Builder::new()
                .name("file dialog".into())
                .spawn(run);
        }
    }

    /// Write the analysis report (the four files of `towncircle analyze`) into `dir`, in the
    /// background, in the app's language.
    fn export_report(&mut self, ctx: &egui::Context, dir: PathBuf) {
        let lang = self.lang();
        let (Some(results), Ok(profile)) = (&self.analysis.results, &self.analysis.profile) else {
            let text = lang.t(tx::REPORT_NEEDS_ANALYSIS);
            self.log(ctx, Level::Warning, text);
            return;
        };
        if self.analysis.report_job.is_some() {
            return;
        }
        let Some(crs) = self.doc.working_crs.clone() else {
            let text = lang.t(tx::REPORT_NEEDS_ANALYSIS);
            self.log(ctx, Level::Warning, text);
            return;
        };
        let input = analysis::ReportInput {
            layers: self.base_layers(),
            working_crs: crs,
            runs: results.runs.clone(),
            report: results.report.clone(),
            tenones: results.tenones.clone(),
            profile: std::sync::Arc::clone(profile),
            lang: match lang {
                Lang::Zh => crate::report::Lang::Zh,
                Lang::En => crate::report::Lang::En,
            },
            dir,
        };
        let label = lang.t(tx::REPORT_JOB).to_string();
        self.analysis.report_job = Some(Job::spawn(label, ctx, move |progress| {
            analysis::write_report(&input, progress)
        }));
    }

    /// Ask for a screenshot of the next frame; the map's part is written to `path` as PNG.
    fn export_png(&mut self, ctx: &egui::Context, path: PathBuf) {
        let Some(rect) = self.map.rect else {
            let text = self.lang().t(tx::EXPORT_NEEDS_WINDOW);
            self.log(ctx, Level::Error, text);
            return;
        };
        self.map.clean = true;
        let tx = self.export_tx.clone();
        let ctx2 = ctx.clone();
        let ppp = ctx.pixels_per_point();
        ctx.request_screenshot(move |image| {
            let result = write_png_crop(&image, rect, ppp, &path).map(|()| path);
            let _ = tx.send(result);
            ctx2.request_repaint();
        });
    }

    /// Apply one command.
    pub fn apply(&mut self, ctx: &egui::Context, cmd: Command) {
        match cmd {
            Command::OpenFiles(paths) => self.open(ctx, paths),
            Command::OpenDialog => self.spawn_dialog(DialogKind::Open),
            Command::OpenDemo => self.open_demo(ctx),
            Command::ExportPngDialog => self.spawn_dialog(DialogKind::ExportPng),
            Command::ExportReportDialog => {
                if self.analysis.results.is_some() {
                    self.spawn_dialog(DialogKind::ReportFolder);
                } else {
                    let text = self.lang().t(tx::REPORT_NEEDS_ANALYSIS);
                    self.log(ctx, Level::Warning, text);
                }
            }
            Command::ExportReport(dir) => self.export_report(ctx, dir),
            Command::ExportPng(path) => self.export_png(ctx, path),
            Command::CloseAll => {
                self.doc.clear();
                self.table = TableState::default();
            }
            Command::Quit => ctx.send_viewport_cmd(egui::ViewportCommand::Close),
            Command::SetLang(lang) => {
                self.persisted.lang = lang;
                ctx.send_viewport_cmd(egui::ViewportCommand::Title(lang.t(tx::APP_TITLE).into()));
            }
            Command::SetVisible(id, v) => {
                if let Some(l) = self.doc.get_mut(id) {
                    l.visible = v;
                }
            }
            Command::SetOpacity(id, o) => {
                if let Some(l) = self.doc.get_mut(id) {
                    l.opacity = o.clamp(0.0, 1.0);
                }
            }
            Command::SetRole(id, role) => {
                let taxonomy = self.doc.taxonomy.clone();
                if let Some(l) = self.doc.get_mut(id) {
                    l.set_role(role, &taxonomy);
                }
            }
            Command::RaiseLayer(id) => self.doc.raise(id),
            Command::LowerLayer(id) => self.doc.lower(id),
            Command::RemoveLayer(id) => self.doc.remove(id),
            Command::ZoomLayer(id) => {
                let ext = self.doc.get(id).and_then(|l| l.prepared.extent);
                self.map.fit(ext);
            }
            Command::ZoomTown => self.map.fit(self.doc.town_extent()),
            Command::ZoomSelection => self.map.fit(self.doc.selection_extent()),
            Command::ShowTable(id) => {
                self.table.show_layer(id);
                self.persisted.show_table = true;
            }
            Command::Select { selection, zoom } => {
                self.doc.selection = selection;
                if let Some(s) = selection {
                    if self.table.layer != Some(s.layer) {
                        self.table.show_layer(s.layer);
                    }
                    self.table.scroll_to_selection = true;
                    if zoom {
                        self.zoom_to_selection_keeping_scale();
                    }
                }
            }
            Command::CancelJob(i) => {
                if let Some(j) = self.jobs.get(i) {
                    j.cancel();
                }
            }
            Command::ClearLog => self.log.clear(),
            Command::ClearRecent => self.persisted.recent_files.clear(),
            Command::DismissToasts => self.toasts_dismissed_at_s = ctx.input(|i| i.time),
            Command::SetOverlayVisible(kind, v) => self.doc.set_overlay_visible(kind, v),
            Command::SetProfile(choice) => {
                self.analysis.set_profile(choice);
                if let Err(e) = &self.analysis.profile {
                    let text = format!("{}: {e}", self.lang().t(tx::ANALYSIS_FAILED));
                    self.log(ctx, Level::Error, text);
                }
            }
            Command::ProfileDialog => self
                .analysis
                .spawn_profile_dialog(self.lang().t(tx::PROFILE_FROM_FILE)),
            Command::RunAnalysis => self.run_analysis(ctx),
            Command::CancelAnalysis => {
                if let Some(j) = &self.analysis.job {
                    j.cancel();
                }
                if let Some(j) = &self.analysis.overlay_job {
                    j.cancel();
                }
            }
            Command::RebuildOverlays => self.rebuild_overlays(ctx),
            Command::SelectRule(i) => {
                self.analysis.selected_rule = Some(i);
                let places: Vec<crate::tenones::result::Place> = self
                    .analysis
                    .results
                    .as_ref()
                    .and_then(|r| r.tenones.as_ref())
                    .and_then(|t| t.rules.get(i))
                    .map(|r| analysis::failing_places(r).into_iter().cloned().collect())
                    .unwrap_or_default();
                self.map.highlights = places.iter().filter_map(analysis::place_geometry).collect();
                let ext = places
                    .iter()
                    .filter_map(analysis::place_extent)
                    .reduce(crate::io::load::union_rect);
                self.map.fit(ext);
            }
            Command::ZoomPlace(r, c, p) => {
                let place = self
                    .analysis
                    .results
                    .as_ref()
                    .and_then(|x| x.tenones.as_ref())
                    .and_then(|t| t.rules.get(r))
                    .and_then(|r| r.checks.get(c))
                    .and_then(|c| c.failing.get(p))
                    .cloned();
                if let Some(place) = place {
                    self.map.highlights = analysis::place_geometry(&place).into_iter().collect();
                    self.map.fit(analysis::place_extent(&place));
                }
            }
        }
    }

    /// Centre on the selection; zoom in only when it would not fit or is far too small to see.
    fn zoom_to_selection_keeping_scale(&mut self) {
        let (Some(ext), Some(rect)) = (self.doc.selection_extent(), self.map.rect) else {
            return;
        };
        let size_pt = ext.width().max(ext.height()) / self.map.view.m_per_pt;
        if size_pt > f64::from(rect.width().min(rect.height())) * 0.8 || size_pt < 8.0 {
            self.map.view.fit(rect, ext);
            if ext.width().max(ext.height()) < 50.0 {
                self.map.view.m_per_pt = self.map.view.m_per_pt.max(0.5);
            }
        } else {
            self.map.view.center = ext.center();
        }
    }

    /// The whole UI, inside `ui` (the window).
    pub fn ui_all(&mut self, ui: &mut egui::Ui) {
        let ctx = ui.ctx().clone();
        self.poll_jobs(&ctx);
        self.poll_analysis(&ctx);
        while let Ok(r) = self.dialog_rx.try_recv() {
            match r {
                DialogResult::Open(paths) => self.open(&ctx, paths),
                DialogResult::ExportTo(path) => self.export_png(&ctx, path),
                DialogResult::ReportTo(dir) => self.export_report(&ctx, dir),
            }
        }
        while let Ok(r) = self.export_rx.try_recv() {
            self.map.clean = false;
            match r {
                Ok(path) => {
                    let text = self.lang().exported(&path.display().to_string());
                    self.log(&ctx, Level::Info, text);
                }
                Err(e) => {
                    let text = format!("{}: {e}", self.lang().t(tx::EXPORT_FAILED));
                    self.log(&ctx, Level::Error, text);
                }
            }
            if self.export_on_load.is_some() {
                self.export_on_load = None;
                ctx.send_viewport_cmd(egui::ViewportCommand::Close);
            }
        }
        let dropped: Vec<PathBuf> = ctx.input(|i| {
            i.raw
                .dropped_files
                .iter()
                .map(|f| f.path().to_path_buf())
                .collect()
        });
        let mut commands = Vec::new();
        if ctx.input(|i| i.key_pressed(egui::Key::F5)) && !self.analysis.is_busy() {
            commands.push(Command::RunAnalysis);
        }
        if !dropped.is_empty() {
            commands.push(Command::OpenFiles(dropped));
        }
        let lang = self.lang();

        egui::Panel::top("menu").show(ui, |ui| {
            commands.extend(self.menu_ui(ui));
        });
        if self.is_busy() {
            egui::Panel::top("jobs").show(ui, |ui| {
                commands.extend(self.jobs_ui(ui));
            });
        }
        if self.persisted.show_log {
            egui::Panel::bottom("log")
                .resizable(true)
                .default_size(110.0)
                .show(ui, |ui| {
                    // Fill the panel, so its size stays what the user dragged it to.
                    ui.set_min_height(ui.available_height());
                    commands.extend(self.log_ui(ui));
                });
        }
        if self.persisted.show_table {
            egui::Panel::bottom("table")
                .resizable(true)
                .default_size(230.0)
                .show(ui, |ui| {
                    ui.set_min_height(ui.available_height());
                    commands.extend(self.table.ui(ui, &self.doc, lang));
                });
        }
        egui::Panel::left("layers")
            .resizable(true)
            .default_size(290.0)
            .show(ui, |ui| {
                commands.extend(layers_panel::layers_ui(
                    ui,
                    &self.doc,
                    lang,
                    self.table.layer,
                ));
            });
        egui::Panel::right("info")
            .resizable(true)
            .default_size(380.0)
            .show(ui, |ui| {
                egui::ScrollArea::vertical()
                    .id_salt("right-panel")
                    .auto_shrink([false, false])
                    .show(ui, |ui| {
                        commands.extend(self.info_ui(ui));
                        ui.separator();
                        let has_layers = self.doc.layers.iter().any(|l| l.overlay.is_none());
                        commands.extend(self.analysis.ui(ui, lang, has_layers));
                    });
            });
        egui::CentralPanel::no_frame().show(ui, |ui| {
            commands.extend(self.toolbar_ui(ui));
            let to_wgs84 = self.to_wgs84.as_ref().map(|(_, t)| t);
            commands.extend(self.map.ui(ui, &mut self.doc, lang, to_wgs84));
        });
        self.toasts_ui(&ctx);

        for c in commands {
            self.apply(&ctx, c);
        }

        // --export-png: once loading is done and the map complete for a few frames.
        if self.export_on_load.is_some() && self.jobs.is_empty() {
            if self.map.last_stats.pending == 0 && !self.doc.layers.is_empty() {
                self.settled_frames += 1;
            }
            if self.settled_frames == 3 {
                if let Some(path) = self.export_on_load.clone() {
                    self.export_png(&ctx, path);
                }
            } else if self.doc.layers.is_empty() && self.settled_frames == 0 {
                // Nothing loaded: nothing to export.
                self.export_on_load = None;
                ctx.send_viewport_cmd(egui::ViewportCommand::Close);
            }
            ctx.request_repaint();
        }
    }

    fn menu_ui(&mut self, ui: &mut egui::Ui) -> Vec<Command> {
        let lang = self.lang();
        let mut commands = Vec::new();
        egui::MenuBar::new().ui(ui, |ui| {
            ui.menu_button(lang.t(tx::FILE), |ui| {
                if ui.button(lang.t(tx::OPEN_FILES)).clicked() {
                    commands.push(Command::OpenDialog);
                }
                if ui.button(lang.t(tx::OPEN_DEMO)).clicked() {
                    commands.push(Command::OpenDemo);
                }
                ui.menu_button(lang.t(tx::RECENT), |ui| {
                    if self.persisted.recent_files.is_empty() {
                        ui.label(lang.t(tx::NO_RECENT));
                    }
                    for p in &self.persisted.recent_files {
                        if ui.button(p.display().to_string()).clicked() {
                            commands.push(Command::OpenFiles(vec![p.clone()]));
                        }
                    }
                    if !self.persisted.recent_files.is_empty() {
                        ui.separator();
                        if ui.button(lang.t(tx::CLEAR_RECENT)).clicked() {
                            commands.push(Command::ClearRecent);
                        }
                    }
                });
                ui.separator();
                if ui.button(lang.t(tx::EXPORT_PNG)).clicked() {
                    commands.push(Command::ExportPngDialog);
                }
                if ui
                    .add_enabled(
                        self.analysis.results.is_some(),
                        egui::Button::new(lang.t(tx::EXPORT_REPORT)),
                    )
                    .on_disabled_hover_text(lang.t(tx::REPORT_NEEDS_ANALYSIS))
                    .clicked()
                {
                    commands.push(Command::ExportReportDialog);
                }
                ui.separator();
                if ui.button(lang.t(tx::CLOSE_ALL)).clicked() {
                    commands.push(Command::CloseAll);
                }
                if ui.button(lang.t(tx::QUIT)).clicked() {
                    commands.push(Command::Quit);
                }
            });
            ui.menu_button(lang.t(tx::VIEW), |ui| {
                ui.checkbox(&mut self.persisted.show_table, lang.t(tx::SHOW_TABLE));
                ui.checkbox(&mut self.persisted.show_log, lang.t(tx::SHOW_LOG));
            });
            ui.with_layout(egui::Layout::right_to_left(egui::Align::Center), |ui| {
                let mut chosen = lang;
                ui.selectable_value(&mut chosen, Lang::En, "English");
                ui.selectable_value(&mut chosen, Lang::Zh, "中文");
                if chosen != lang {
                    commands.push(Command::SetLang(chosen));
                }
                ui.label(RichText::new(lang.t(tx::APP_TITLE)).strong());
            });
        });
        commands
    }

    fn toolbar_ui(&mut self, ui: &mut egui::Ui) -> Vec<Command> {
        let lang = self.lang();
        let mut commands = Vec::new();
        egui::Frame::new()
            .inner_margin(egui::Margin::symmetric(6, 4))
            .fill(ui.visuals().panel_fill)
            .show(ui, |ui| {
                ui.horizontal(|ui| {
                    if ui.button(lang.t(tx::ZOOM_TOWN)).clicked() {
                        commands.push(Command::ZoomTown);
                    }
                    if ui
                        .add_enabled(
                            self.doc.selection.is_some(),
                            egui::Button::new(lang.t(tx::ZOOM_SELECTION)),
                        )
                        .clicked()
                    {
                        commands.push(Command::ZoomSelection);
                    }
                    ui.toggle_value(&mut self.map.box_zoom_tool, lang.t(tx::BOX_ZOOM))
                        .on_hover_text(lang.t(tx::BOX_ZOOM_HINT));
                    if ui.button("＋").on_hover_text(lang.t(tx::ZOOM_IN)).clicked()
                        && let Some(r) = self.map.rect
                    {
                        self.map.view.zoom_about(r, r.center(), 1.5);
                    }
                    if ui
                        .button("－")
                        .on_hover_text(lang.t(tx::ZOOM_OUT))
                        .clicked()
                        && let Some(r) = self.map.rect
                    {
                        self.map.view.zoom_about(r, r.center(), 1.0 / 1.5);
                    }
                    let mut legend = !self.map.hide_legend;
                    if ui.toggle_value(&mut legend, lang.t(tx::LEGEND)).changed() {
                        self.map.hide_legend = !legend;
                    }
                    ui.separator();
                    if ui.button(lang.t(tx::EXPORT_PNG)).clicked() {
                        commands.push(Command::ExportPngDialog);
                    }
                    if let Some(c) = &self.doc.working_crs {
                        ui.separator();
                        ui.label(
                            RichText::new(format!("{}: {}", lang.t(tx::WORKING_CRS), c.label()))
                                .weak(),
                        );
                    }
                });
            });
        commands
    }

    fn jobs_ui(&mut self, ui: &mut egui::Ui) -> Vec<Command> {
        let lang = self.lang();
        let mut commands = Vec::new();
        for (i, job) in self.jobs.iter().enumerate() {
            let title = format!("{} {}", lang.t(tx::LOADING), job.label);
            if job_ui(ui, lang, &title, lang.t(tx::READING), &job.progress) {
                commands.push(Command::CancelJob(i));
            }
        }
        let analysis_jobs = [
            self.analysis.job.as_ref().map(|j| &j.progress),
            self.analysis.overlay_job.as_ref().map(|j| &j.progress),
        ];
        for progress in analysis_jobs.into_iter().flatten() {
            if job_ui(
                ui,
                lang,
                lang.t(tx::ANALYSING),
                lang.t(tx::ANALYSIS_STEP),
                progress,
            ) {
                commands.push(Command::CancelAnalysis);
            }
        }
        commands
    }

    fn log_ui(&mut self, ui: &mut egui::Ui) -> Vec<Command> {
        let lang = self.lang();
        let mut commands = Vec::new();
        let errors = self.log.iter().filter(|e| e.level == Level::Error).count();
        ui.horizontal(|ui| {
            ui.strong(lang.t(tx::SHOW_LOG));
            if errors > 0 {
                ui.label(
                    RichText::new(format!("{errors} {}", lang.t(tx::ERRORS)))
                        .color(ui.visuals().error_fg_color),
                );
            }
            if !self.log.is_empty() && ui.small_button(lang.t(tx::CLEAR)).clicked() {
                commands.push(Command::ClearLog);
            }
        });
        egui::ScrollArea::vertical()
            .id_salt("log-scroll")
            .auto_shrink([false, false])
            .stick_to_bottom(true)
            .show(ui, |ui| {
                if self.log.is_empty() {
                    ui.label(RichText::new(lang.t(tx::NO_MESSAGES)).weak());
                }
                for e in &self.log {
                    let colour = match e.level {
                        Level::Info => ui.visuals().text_color(),
                        Level::Warning => ui.visuals().warn_fg_color,
                        Level::Error => ui.visuals().error_fg_color,
                    };
                    ui.label(RichText::new(&e.text).color(colour));
                }
            });
        commands
    }

    /// Recent errors float over the map for a few seconds (non-modal).
    fn toasts_ui(&mut self, ctx: &egui::Context) {
        let now = ctx.input(|i| i.time);
        let recent: Vec<&LogEntry> = self
            .log
            .iter()
            .filter(|e| {
                e.level == Level::Error
                    && now - e.time_s < 10.0
                    && e.time_s > self.toasts_dismissed_at_s
            })
            .collect();
        if recent.is_empty() {
            return;
        }
        let mut dismiss = false;
        egui::Area::new(egui::Id::unique("towncircle-toasts"))
            .anchor(egui::Align2::CENTER_TOP, egui::vec2(0.0, 70.0))
            .order(egui::Order::Foreground)
            .show(ctx, |ui| {
                egui::Frame::popup(ui.style())
                    .fill(Color32::from_rgb(0xfd, 0xec, 0xea))
                    .show(ui, |ui| {
                        ui.set_max_width(560.0);
                        for e in recent.iter().rev().take(3) {
                            ui.label(
                                RichText::new(&e.text).color(Color32::from_rgb(0xa0, 0x1c, 0x1c)),
                            );
                        }
                        if ui.small_button(self.lang().t(tx::DISMISS)).clicked() {
                            dismiss = true;
                        }
                    });
            });
        if dismiss {
            self.toasts_dismissed_at_s = now;
        }
        ctx.request_repaint_after(std::time::Duration::from_secs(1));
    }

    fn info_ui(&mut self, ui: &mut egui::Ui) -> Vec<Command> {
        let lang = self.lang();
        let mut commands = Vec::new();
        ui.heading(lang.t(tx::FEATURE_INFO));
        let Some(sel) = self.doc.selection else {
            ui.label(RichText::new(lang.t(tx::NOTHING_SELECTED)).weak());
            return commands;
        };
        let Some(ml) = self.doc.get(sel.layer) else {
            return commands;
        };
        let Some(f) = ml.layer.features.get(sel.feature) else {
            return commands;
        };
        egui::ScrollArea::vertical()
            .id_salt("info-scroll")
            .max_height(ui.available_height() * 0.55)
            .show(ui, |ui| {
                egui::Grid::new("feature-attrs")
                    .num_columns(2)
                    .striped(true)
                    .show(ui, |ui| {
                        ui.label(lang.t(tx::LAYER));
                        ui.label(ml.title());
                        ui.end_row();
                        ui.label(lang.t(tx::FEATURE));
                        ui.label(f.source_id.to_string());
                        ui.end_row();
                        if let Some(c) = f.category.and_then(|c| self.doc.taxonomy.get(c)) {
                            ui.label(lang.t(tx::CATEGORY));
                            ui.label(match lang {
                                Lang::Zh => c.zh.as_str(),
                                Lang::En => c.en.as_str(),
                            });
                            ui.end_row();
                        }
                        for (field, value) in ml.layer.fields.iter().zip(&f.attrs) {
                            ui.label(RichText::new(&field.name).strong());
                            ui.label(value.as_text().map(|t| t.into_owned()).unwrap_or_else(
                                || match value {
                                    AttrValue::Null => "—".into(),
                                    _ => String::new(),
                                },
                            ));
                            ui.end_row();
                        }
                    });
            });
        ui.horizontal(|ui| {
            if ui.button(lang.t(tx::ZOOM_SELECTION)).clicked() {
                commands.push(Command::ZoomSelection);
            }
            if ui.button(lang.t(tx::CLEAR_SELECTION)).clicked() {
                commands.push(Command::Select {
                    selection: None,
                    zoom: false,
                });
            }
        });
        commands
    }
}

/// One running job: spinner, title, progress bar with the stage and percent, Cancel. Returns
/// true when Cancel was clicked. Any job (loading, analysis, export) shows this way; the job's
/// message follows `message_prefix` (e.g. 读取 + a file name).
pub fn job_ui(
    ui: &mut egui::Ui,
    lang: Lang,
    title: &str,
    message_prefix: &str,
    progress: &crate::job::SharedProgress,
) -> bool {
    ui.horizontal(|ui| {
        ui.spinner();
        ui.label(title);
        let msg = progress.message();
        let fraction = progress.fraction();
        let text = if msg.is_empty() {
            lang.t(tx::PREPARING).to_string()
        } else {
            format!("{message_prefix} {msg}")
        };
        ui.add(
            egui::ProgressBar::new(fraction)
                .desired_width(260.0)
                .text(format!("{text}  {:.0}%", fraction * 100.0)),
        );
        ui.button(lang.t(tx::CANCEL)).clicked()
    })
    .inner
}

/// Crop the map's rectangle (points) out of a screenshot and write it as PNG.
fn write_png_crop(
    image: &egui::ColorImage,
    rect_pt: egui::Rect,
    pixels_per_point: f32,
    path: &Path,
) -> Result<(), String> {
    let [w, h] = image.size;
    let x0 = ((rect_pt.min.x * pixels_per_point).round().max(0.0) as usize).min(w);
    let y0 = ((rect_pt.min.y * pixels_per_point).round().max(0.0) as usize).min(h);
    let x1 = ((rect_pt.max.x * pixels_per_point).round().max(0.0) as usize).min(w);
    let y1 = ((rect_pt.max.y * pixels_per_point).round().max(0.0) as usize).min(h);
    if x1 <= x0 || y1 <= y0 {
        return Err(format!("the map area is empty: {}", path.display()));
    }
    let mut rgba = Vec::with_capacity((x1 - x0) * (y1 - y0) * 4);
    for y in y0..y1 {
        for x in x0..x1 {
            let c = image.pixels[y * w + x];
            let [r, g, b, a] = c.to_srgba_unmultiplied();
            rgba.extend_from_slice(&[r, g, b, a]);
        }
    }
    write_png(path, (x1 - x0) as u32, (y1 - y0) as u32, &rgba)
}

/// Write RGBA pixels as a PNG file (atomically: a temporary file renamed into place).
pub fn write_png(path: &Path, width: u32, height: u32, rgba: &[u8]) -> Result<(), String> {
    let tmp = path.with_extension("png.partial");
    let err = |e: &dyn std::fmt::Display| format!("{e}: {}", path.display());
    {
        let file = std::fs::File::create(&tmp).map_err(|e| err(&e))?;
        let mut enc = png::Encoder::new(std::io::BufWriter::new(file), width, height);
        enc.set_color(png::ColorType::Rgba);
        enc.set_depth(png::BitDepth::Eight);
        let mut writer = enc.write_header().map_err(|e| err(&e))?;
        writer.write_image_data(rgba).map_err(|e| err(&e))?;
        writer.finish().map_err(|e| err(&e))?;
    }
    std::fs::rename(&tmp, path).map_err(|e| err(&e))
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
