//! Applying the commands the panels return (after drawing): layers, selection, view, analysis, exports, language.

use super::*;

impl TownApp {
    /// Apply one command.
    pub fn apply(&mut self, ctx: &egui::Context, cmd: Command) {
        match cmd {
            Command::OpenFiles(paths) => match paths.as_slice() {
                [p] if crate::project::Project::is_project_path(p) => {
                    self.open_project(ctx, p.clone());
                }
                _ => self.open(ctx, paths),
            },
            Command::OpenDialog => self.spawn_dialog(DialogKind::Open),
            Command::OpenBatch => self.batch.open = true,
            Command::BatchPickCity => self.spawn_dialog(DialogKind::BatchCity),
            Command::BatchPickOut => self.spawn_dialog(DialogKind::BatchOut),
            Command::BatchStart => self.start_batch(ctx),
            Command::BatchCancel => {
                if let Some(j) = &self.batch.job {
                    j.cancel();
                }
            }
            Command::OpenPath(path) => {
                let opener = if cfg!(target_os = "windows") {
                    std::process::Command::new("cmd")
                        .args(["/C", "start", ""])
                        .arg(&path)
                        .spawn()
                } else if cfg!(target_os = "macos") {
                    std::process::Command::new("open").arg(&path).spawn()
                } else {
                    std::process::Command::new("xdg-open").arg(&path).spawn()
                };
                if let Err(e) = opener {
                    self.log(ctx, Level::Warning, format!("{}: {e}", path.display()));
                }
            }
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
            Command::RebuildOverlays if self.scenarios.active.is_some() => {
                self.refresh_scenario(ctx);
            }
            Command::RebuildOverlays => self.rebuild_overlays(ctx),
            Command::NewScenario
            | Command::SelectScenario(_)
            | Command::ScenarioTool(_)
            | Command::ScenarioAdd(_)
            | Command::ScenarioMove(..)
            | Command::ScenarioRemove(_)
            | Command::ScenarioRecategorize(_)
            | Command::Undo
            | Command::Redo
            | Command::Suggest
            | Command::AcceptSite(_) => self.scenario_command(ctx, cmd),
            Command::SaveProject
            | Command::SaveProjectAsDialog
            | Command::SaveProjectTo(_)
            | Command::OpenProjectDialog
            | Command::OpenProject(_)
            | Command::LocateInputDialog(_)
            | Command::LocateInput(..)
            | Command::OpenWithoutMissing
            | Command::CancelOpenProject
            | Command::RestoreRecovery
            | Command::DiscardRecovery => self.project_command(ctx, cmd),
            Command::CadDialog(_)
            | Command::CadApply
            | Command::CadCancel
            | Command::CadCsvDialog
            | Command::CadLoadCsv(_) => self.cad_command(ctx, cmd),
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
    pub(super) fn zoom_to_selection_keeping_scale(&mut self) {
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
}
