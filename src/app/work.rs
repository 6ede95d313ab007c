//! Background work of the app: opening files, loading, the analysis and its overlays, file dialogs on their own threads, and the report and PNG exports.

use super::*;

impl TownApp {
    pub(super) fn open_demo(&mut self, ctx: &egui::Context) {
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
        let drawing = files.iter().find(|f| {
            f.extension()
                .is_some_and(|e| e.to_string_lossy().eq_ignore_ascii_case("dxf"))
        });
        // A drawing opened by the user: its layers and coordinates to check (not when
        // exporting a PNG without a person).
        if let Some(d) = drawing
            && self.export_on_load.is_none()
            && self.cad.is_none()
        {
            self.open_cad_dialog(ctx, d.clone());
        }
        self.jobs.push(Job::spawn(label, ctx, move |progress| {
            load_files(&files, &options, progress)
        }));
    }

    /// Any job still running?
    pub fn is_busy(&self) -> bool {
        !self.jobs.is_empty()
            || self.analysis.is_busy()
            || self.cad.as_ref().is_some_and(|d| d.is_reading())
    }

    /// The town's layers (not the overlays), shared with a job.
    pub(super) fn base_layers(&self) -> Vec<std::sync::Arc<crate::model::Layer>> {
        self.doc
            .layers
            .iter()
            .filter(|l| l.overlay.is_none())
            .map(|l| std::sync::Arc::clone(&l.layer))
            .collect()
    }

    /// Start the analysis on the open layers in the background.
    pub(super) fn run_analysis(&mut self, ctx: &egui::Context) {
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
    pub(super) fn rebuild_overlays(&mut self, ctx: &egui::Context) {
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
            analysis::build_overlays(&runs, &layers, &category, minutes, town, progress).map(
                |overlays| analysis::OverlayOutput {
                    overlays: super::doc::prepare_overlays(overlays),
                },
            )
        }));
    }

    /// Replace the overlays on the map, keeping which kinds were hidden.
    pub(super) fn put_overlays(&mut self, overlays: Vec<super::doc::ReadyOverlay>) {
        self.doc.replace_overlays(&OverlayKind::ALL, overlays);
        self.show_sites();
    }

    /// The suggested sites not yet accepted on the map (replacing the ones shown).
    pub(super) fn show_sites(&mut self) {
        let ids: Vec<LayerId> = self
            .doc
            .layers
            .iter()
            .filter(|l| {
                l.overlay
                    .as_ref()
                    .is_some_and(|o| o.kind == OverlayKind::Suggested)
            })
            .map(|l| l.id)
            .collect();
        for id in ids {
            self.doc.remove(id);
        }
        if let Some(s) = &self.scenarios.suggest.result {
            let o = scenario::suggest::site_overlay(s, &self.scenarios.suggest.accepted);
            self.doc.add_overlay(o);
        }
    }

    pub(super) fn poll_analysis(&mut self, ctx: &egui::Context) {
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
                    // A new base: scenarios are kept and shown again on top of it when chosen.
                    self.scenarios.stop();
                    self.scenarios.base = None;
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
    pub(super) fn poll_jobs(&mut self, ctx: &egui::Context) {
        self.poll_scenario(ctx);
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

    pub(super) fn take_loaded(&mut self, ctx: &egui::Context, loaded: Loaded) {
        let lang = self.lang();
        if loaded.replaces {
            self.replace_reloaded(&loaded);
        }
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

    /// Files loaded again with new coordinates: when they loaded, their old layers go (the
    /// table and the selection with them); when not, the old layers stay and the CAD dialog
    /// says why.
    fn replace_reloaded(&mut self, loaded: &Loaded) {
        let lang = self.lang();
        for path in &loaded.paths {
            // One failure a layer, mostly for the same reason: the first, and how many more.
            let errors: Vec<String> = loaded
                .failures
                .iter()
                .filter(|f| &f.path == path)
                .map(|f| f.error.to_string())
                .collect();
            let failure = errors.first().map(|e| {
                format!(
                    "{}: {e}{}",
                    lang.t(tx::CAD_RELOAD_FAILED),
                    lang.more_layers(errors.len() - 1)
                )
            });
            if failure.is_none() {
                let old: Vec<LayerId> = self
                    .doc
                    .layers
                    .iter()
                    .filter(|l| l.overlay.is_none() && &l.layer.source.path == path)
                    .map(|l| l.id)
                    .collect();
                for id in old {
                    if self.table.layer == Some(id) {
                        self.table = TableState::default();
                    }
                    self.doc.remove(id);
                }
            }
            self.cad_reloaded(path, failure);
        }
    }

    /// Run a file dialog on its own thread so the frame loop never waits for it.
    pub(super) fn spawn_dialog(&self, kind: DialogKind) {
        let tx = self.dialog_tx.clone();
        let title = self.lang().t(match kind {
            DialogKind::Open => tx::OPEN_FILES,
            DialogKind::ExportPng => tx::EXPORT_PNG,
            DialogKind::ReportFolder => tx::EXPORT_REPORT,
            DialogKind::SaveProject => tx::SAVE_PROJECT,
            DialogKind::OpenProject => tx::OPEN_PROJECT,
            DialogKind::LocateInput(_) => tx::LOCATE,
            DialogKind::BatchCity => tx::BATCH_CITY,
            DialogKind::BatchOut => tx::BATCH_OUT,
            DialogKind::CadCsv => tx::CAD_LOAD_CSV,
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
                DialogKind::BatchCity => dialog.pick_folder().map(DialogResult::BatchCity),
                DialogKind::BatchOut => dialog.pick_folder().map(DialogResult::BatchOut),
                DialogKind::CadCsv => dialog
                    .add_filter("CSV", &["csv", "txt"])
                    .pick_file()
                    .map(DialogResult::CadCsv),
                DialogKind::SaveProject => dialog
                    .add_filter("towncircle", &["towncircle"])
                    .set_file_name("项目.towncircle")
                    .save_file()
                    .map(DialogResult::SaveProject),
                DialogKind::OpenProject => dialog
                    .add_filter("towncircle", &["towncircle"])
                    .pick_file()
                    .map(DialogResult::OpenProject),
                DialogKind::LocateInput(i) => {
                    dialog.pick_file().map(|f| DialogResult::Located(i, f))
                }
                DialogKind::Open => dialog
                    .add_filter(
                        "GIS",
                        &[
                            "shp", "geojson", "json", "gpkg", "pbf", "csv", "xlsx", "xls", "tif",
                            "tiff", "dxf",
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
    pub(super) fn export_report(&mut self, ctx: &egui::Context, dir: PathBuf) {
        let lang = self.lang();
        if self.scenarios.active.is_some() && self.scenarios.job.is_some() {
            // The scenario's ten ones are still being computed: its verdicts would be the last
            // edit's.
            let text = lang.t(tx::REPORT_WAIT_SCENARIO);
            self.log(ctx, Level::Warning, text);
            return;
        }
        let (layers, scenario) = match self.report_scenario() {
            Ok(s) => s,
            Err(e) => {
                self.log(ctx, Level::Error, e);
                return;
            }
        };
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
            layers,
            scenario,
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
    pub(super) fn export_png(&mut self, ctx: &egui::Context, path: PathBuf) {
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
