//! Starting the app: where the demo town is, the app built from saved settings and start
//! options, eframe's hooks (the frame, saving settings) and the window with its renderer
//! ([`run`], with the OpenGL fallback).

use super::*;

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
            scenarios: scenario::ScenarioState::default(),
            project: ProjectState::default(),
            batch: Default::default(),
            cad: None,
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
        if let Some(dir) = start.recovery_dir.clone() {
            app.find_recovery(ctx, dir);
        }
        if !start.files.is_empty() {
            app.open(ctx, start.files);
        } else if !start.no_demo {
            app.open_demo(ctx);
        }
        app
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

    /// On exit the recovery copy is written when the session has unsaved changes (removed
    /// otherwise), so quitting without saving loses nothing.
    fn on_exit(&mut self, _gl: Option<&eframe::glow::Context>) {
        let ctx = egui::Context::default();
        if self.project.offer.is_none() {
            self.autosave(&ctx);
        }
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
pub fn run(mut start: StartOptions) -> Result<(), eframe::Error> {
    // A window for work (not an --export-png run) autosaves into the app's data folder.
    if start.recovery_dir.is_none() && start.export_png.is_none() {
        start.recovery_dir = eframe::storage_dir("towncircle");
    }
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
