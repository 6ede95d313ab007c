//! The frame layout: menu bar, toolbar, side panels (layers, analysis, feature info), the map, the job rows, the message panel and toasts.

use super::*;

impl TownApp {
    /// The whole UI, inside `ui` (the window).
    pub fn ui_all(&mut self, ui: &mut egui::Ui) {
        let ctx = ui.ctx().clone();
        self.poll_jobs(&ctx);
        self.poll_analysis(&ctx);
        self.poll_batch(&ctx);
        self.poll_cad();
        self.project_tick(&ctx);
        while let Ok(r) = self.dialog_rx.try_recv() {
            match r {
                DialogResult::Open(paths) => self.open(&ctx, paths),
                DialogResult::ExportTo(path) => self.export_png(&ctx, path),
                DialogResult::ReportTo(dir) => self.export_report(&ctx, dir),
                DialogResult::SaveProject(f) => self.apply(&ctx, Command::SaveProjectTo(f)),
                DialogResult::OpenProject(f) => self.open_project(&ctx, f),
                DialogResult::Located(i, f) => self.apply(&ctx, Command::LocateInput(i, f)),
                DialogResult::BatchCity(f) => {
                    self.batch.city = f.display().to_string();
                    self.batch.out.clear();
                }
                DialogResult::BatchOut(f) => self.batch.out = f.display().to_string(),
                DialogResult::CadCsv(f) => self.apply(&ctx, Command::CadLoadCsv(f)),
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
        if self.scenarios.active.is_some() && !ctx.egui_wants_keyboard_input() {
            let (undo, redo) = ctx.input_mut(|i| {
                use egui::{Key, KeyboardShortcut, Modifiers};
                // Redo first: Ctrl+Shift+Z would also match Ctrl+Z.
                let redo = i.consume_shortcut(&KeyboardShortcut::new(Modifiers::COMMAND, Key::Y))
                    || i.consume_shortcut(&KeyboardShortcut::new(
                        Modifiers::COMMAND | Modifiers::SHIFT,
                        Key::Z,
                    ));
                let undo = i.consume_shortcut(&KeyboardShortcut::new(Modifiers::COMMAND, Key::Z));
                (undo, redo)
            });
            if undo {
                commands.push(Command::Undo);
            }
            if redo {
                commands.push(Command::Redo);
            }
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
                        // Scenarios above the analysis: in a review meeting they are the work.
                        commands.extend(self.scenario_ui(ui));
                        ui.separator();
                        let has_layers = self.doc.layers.iter().any(|l| l.overlay.is_none());
                        commands.extend(self.analysis.ui(ui, lang, has_layers));
                    });
            });
        egui::CentralPanel::no_frame().show(ui, |ui| {
            commands.extend(self.toolbar_ui(ui));
            let to_wgs84 = self.to_wgs84.as_ref().map(|(_, t)| t);
            self.map.edit_tool = self.scenarios.active.and(self.scenarios.tool);
            self.map.edit_targets = if self.map.edit_tool.is_some() {
                self.scenarios.pickable()
            } else {
                Vec::new()
            };
            commands.extend(self.map.ui(ui, &mut self.doc, lang, to_wgs84));
        });
        self.toasts_ui(&ctx);
        self.project_windows(&ctx, &mut commands);
        commands.extend(self.batch_ui(&ctx));
        commands.extend(self.cad_window(&ctx));

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

    pub(super) fn menu_ui(&mut self, ui: &mut egui::Ui) -> Vec<Command> {
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
                ui.separator();
                if ui.button(lang.t(tx::OPEN_PROJECT)).clicked() {
                    commands.push(Command::OpenProjectDialog);
                }
                if ui
                    .add_enabled(
                        !self.doc.layers.is_empty(),
                        egui::Button::new(lang.t(tx::SAVE_PROJECT)),
                    )
                    .clicked()
                {
                    commands.push(Command::SaveProject);
                }
                if ui
                    .add_enabled(
                        !self.doc.layers.is_empty(),
                        egui::Button::new(lang.t(tx::SAVE_PROJECT_AS)),
                    )
                    .clicked()
                {
                    commands.push(Command::SaveProjectAsDialog);
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
                if ui.button(lang.t(tx::BATCH_MENU)).clicked() {
                    commands.push(Command::OpenBatch);
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

    pub(super) fn toolbar_ui(&mut self, ui: &mut egui::Ui) -> Vec<Command> {
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

    pub(super) fn jobs_ui(&mut self, ui: &mut egui::Ui) -> Vec<Command> {
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

    pub(super) fn log_ui(&mut self, ui: &mut egui::Ui) -> Vec<Command> {
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
    pub(super) fn toasts_ui(&mut self, ctx: &egui::Context) {
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

    pub(super) fn info_ui(&mut self, ui: &mut egui::Ui) -> Vec<Command> {
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
