//! The analysis panel: its state, the settings row, Run/Cancel and the coverage and ten-ones tabs.

use super::*;

/// The analysis panel's state: settings, the running job, the last results.
pub struct AnalysisState {
    pub settings: AnalysisSettings,
    pub profile: Result<Arc<Profile>, String>,
    pub results: Option<AnalysisOutput>,
    pub job: Option<Job<Result<AnalysisOutput, String>>>,
    pub overlay_job: Option<Job<OverlayOutput>>,
    /// Writing the report: the folder and the files written, or the error.
    pub report_job: Option<Job<ReportWritten>>,
    /// The ten-ones item whose evidence is shown.
    pub selected_rule: Option<usize>,
    /// The tier the coverage chart shows.
    pub chart_minutes: u32,
    /// Show the ten-ones checklist (else the coverage).
    pub show_tenones: bool,
    pub(super) profile_tx: Sender<PathBuf>,
    pub(super) profile_rx: Receiver<PathBuf>,
}

impl Default for AnalysisState {
    fn default() -> Self {
        let profile = Profile::default();
        let (profile_tx, profile_rx) = channel();
        AnalysisState {
            settings: AnalysisSettings::for_profile(&profile, ProfileChoice::Shipped),
            chart_minutes: profile.tiers.first().map_or(5, |t| t.minutes),
            profile: Ok(Arc::new(profile)),
            results: None,
            job: None,
            overlay_job: None,
            report_job: None,
            selected_rule: None,
            show_tenones: false,
            profile_tx,
            profile_rx,
        }
    }
}

impl AnalysisSettings {
    /// Every tier of the profile on, each with its own mode; overlays for the health centre.
    pub fn for_profile(profile: &Profile, choice: ProfileChoice) -> Self {
        AnalysisSettings {
            profile_choice: choice,
            mode: ModeChoice::PerTier,
            tiers: profile.tiers.iter().map(|t| (t.minutes, true)).collect(),
            overlay_category: "health_center".into(),
            overlay_minutes: profile
                .tiers
                .iter()
                .map(|t| t.minutes)
                .find(|m| *m == 15)
                .or_else(|| profile.tiers.first().map(|t| t.minutes))
                .unwrap_or(15),
        }
    }
}

impl AnalysisState {
    pub fn is_busy(&self) -> bool {
        self.job.is_some() || self.overlay_job.is_some() || self.report_job.is_some()
    }

    /// Use another profile: its tiers replace the settings' tiers.
    pub fn set_profile(&mut self, choice: ProfileChoice) {
        match load_profile(&choice) {
            Ok(p) => {
                let keep = (
                    self.settings.overlay_category.clone(),
                    self.settings.mode.clone(),
                );
                self.settings = AnalysisSettings::for_profile(&p, choice);
                self.settings.overlay_category = keep.0;
                if let ModeChoice::One(m) = &keep.1
                    && p.mode(m).is_some()
                {
                    self.settings.mode = keep.1;
                }
                self.profile = Ok(Arc::new(p));
            }
            Err(e) => {
                self.settings.profile_choice = choice;
                self.profile = Err(e);
            }
        }
    }

    /// A profile file picked in the dialog, if one arrived.
    pub fn take_picked_profile(&mut self) -> Option<PathBuf> {
        self.profile_rx.try_recv().ok()
    }

    /// Ask for a profile file on a dialog thread (the frame loop goes on).
    pub fn spawn_profile_dialog(&self, title: &str) {
        let tx = self.profile_tx.clone();
        let title = title.to_string();
        let run = move || {
            if let Some(p) = rfd::FileDialog::new()
                .set_title(title)
                .add_filter("TOML", &["toml"])
                .pick_file()
            {
                let _ = tx.send(p);
            }
        };
        if cfg!(target_os = "macos") {
            run();
        } else {
            let _ = std::thread::Builder::new()
                .name("profile dialog".into())
                .spawn(run);
        }
    }

    /// Category ids the overlays can show: those with facilities, else those required.
    pub fn overlay_categories(&self) -> Vec<(String, String, String)> {
        if let Some(r) = &self.results {
            return r
                .report
                .categories
                .iter()
                .filter(|c| c.facility_count > 0)
                .map(|c| (c.id.clone(), c.zh.clone(), c.en.clone()))
                .collect();
        }
        Vec::new()
    }

    /// The analysis panel. Returns what the app should do.
    pub fn ui(&mut self, ui: &mut egui::Ui, lang: Lang, has_layers: bool) -> Vec<Command> {
        let mut commands = Vec::new();
        ui.heading(lang.t(tx::ANALYSIS));
        let busy = self.is_busy();
        ui.add_enabled_ui(!busy, |ui| {
            egui::Grid::new("analysis-settings")
                .num_columns(2)
                .show(ui, |ui| {
                    let label = ui.label(lang.t(tx::PROFILE));
                    let current = match &self.settings.profile_choice {
                        ProfileChoice::Shipped => lang.t(tx::PROFILE_SHIPPED).to_string(),
                        ProfileChoice::Named(n) => n.clone(),
                        ProfileChoice::File(p) => p
                            .file_name()
                            .map(|n| n.to_string_lossy().into_owned())
                            .unwrap_or_default(),
                    };
                    egui::ComboBox::from_id_salt("profile")
                        .selected_text(current)
                        .show_ui(ui, |ui| {
                            if ui
                                .selectable_label(
                                    self.settings.profile_choice == ProfileChoice::Shipped,
                                    lang.t(tx::PROFILE_SHIPPED),
                                )
                                .clicked()
                            {
                                commands.push(Command::SetProfile(ProfileChoice::Shipped));
                            }
                            // The other shipped profiles (the first is the default above).
                            for (name, _) in
                                crate::standards::profile::SHIPPED_PROFILES.iter().skip(1)
                            {
                                let choice = ProfileChoice::Named((*name).to_string());
                                if ui
                                    .selectable_label(self.settings.profile_choice == choice, *name)
                                    .clicked()
                                {
                                    commands.push(Command::SetProfile(choice));
                                }
                            }
                            if ui
                                .selectable_label(false, lang.t(tx::PROFILE_FROM_FILE))
                                .clicked()
                            {
                                commands.push(Command::ProfileDialog);
                            }
                        })
                        .response
                        .labelled_by(label.id);
                    ui.end_row();

                    let label = ui.label(lang.t(tx::MODE));
                    let profile = self.profile.as_ref().ok().cloned();
                    let mode_name = |id: &str| -> String {
                        match (id, lang) {
                            ("walk", _) => lang.t(tx::MODE_WALK).into(),
                            ("bike", _) => lang.t(tx::MODE_BIKE).into(),
                            ("ebike", _) => lang.t(tx::MODE_EBIKE).into(),
                            ("car", _) => lang.t(tx::MODE_CAR).into(),
                            (other, Lang::Zh) => profile
                                .as_ref()
                                .and_then(|p| p.mode(other))
                                .map_or(other.to_string(), |m| m.zh.clone()),
                            (other, Lang::En) => profile
                                .as_ref()
                                .and_then(|p| p.mode(other))
                                .map_or(other.to_string(), |m| m.en.clone()),
                        }
                    };
                    let current = match &self.settings.mode {
                        ModeChoice::PerTier => lang.t(tx::MODE_PER_TIER).to_string(),
                        ModeChoice::One(id) => mode_name(id),
                    };
                    egui::ComboBox::from_id_salt("mode")
                        .selected_text(current)
                        .show_ui(ui, |ui| {
                            ui.selectable_value(
                                &mut self.settings.mode,
                                ModeChoice::PerTier,
                                lang.t(tx::MODE_PER_TIER),
                            );
                            if let Some(p) = &profile {
                                for m in &p.modes {
                                    ui.selectable_value(
                                        &mut self.settings.mode,
                                        ModeChoice::One(m.id.clone()),
                                        mode_name(&m.id),
                                    );
                                }
                            }
                        })
                        .response
                        .labelled_by(label.id);
                    ui.end_row();

                    ui.label(lang.t(tx::TIERS));
                    ui.horizontal(|ui| {
                        for (m, on) in &mut self.settings.tiers {
                            let per_tier_mode = match (&self.settings.mode, &profile) {
                                (ModeChoice::PerTier, Some(p)) => {
                                    p.tier(*m).map(|t| mode_name(&t.mode))
                                }
                                _ => None,
                            };
                            let r = ui.checkbox(on, format!("{m} {}", lang.t(tx::MINUTES)));
                            if let Some(mode) = per_tier_mode {
                                r.on_hover_text(mode);
                            }
                        }
                    });
                    ui.end_row();
                });
            if let Err(e) = &self.profile {
                ui.label(RichText::new(e).color(ui.visuals().error_fg_color));
            }
            let can_run = has_layers && self.profile.is_ok();
            let run = ui
                .add_enabled(can_run, egui::Button::new(lang.t(tx::RUN)))
                .on_hover_text("F5")
                .on_disabled_hover_text(lang.t(tx::NEEDS_LAYERS));
            if run.clicked() {
                commands.push(Command::RunAnalysis);
            }
        });
        let Some(results) = &self.results else {
            return commands;
        };

        // Overlays: category and tier.
        let cats = self.overlay_categories();
        ui.separator();
        ui.add_enabled_ui(!busy, |ui| {
            ui.horizontal(|ui| {
                let label = ui.label(lang.t(tx::OVERLAY_FOR));
                let name = |id: &str| {
                    cats.iter()
                        .find(|c| c.0 == id)
                        .map(|c| match lang {
                            Lang::Zh => c.1.clone(),
                            Lang::En => c.2.clone(),
                        })
                        .unwrap_or_else(|| id.to_string())
                };
                let mut chosen = self.settings.overlay_category.clone();
                egui::ComboBox::from_id_salt("overlay-category")
                    .selected_text(name(&chosen))
                    .show_ui(ui, |ui| {
                        for c in &cats {
                            ui.selectable_value(&mut chosen, c.0.clone(), name(&c.0));
                        }
                    })
                    .response
                    .labelled_by(label.id);
                if chosen != self.settings.overlay_category {
                    self.settings.overlay_category = chosen;
                    commands.push(Command::RebuildOverlays);
                }
            });
            ui.horizontal(|ui| {
                ui.label(lang.t(tx::OVERLAY_TIER));
                for t in &results.report.tiers {
                    if ui
                        .selectable_label(
                            self.settings.overlay_minutes == t.minutes,
                            format!("{} {}", t.minutes, lang.t(tx::MINUTES)),
                        )
                        .clicked()
                        && self.settings.overlay_minutes != t.minutes
                    {
                        self.settings.overlay_minutes = t.minutes;
                        commands.push(Command::RebuildOverlays);
                    }
                }
            });
        });

        // Coverage.
        let report = &results.report;
        let incomplete: std::collections::BTreeSet<&str> = results
            .data_quality
            .iter()
            .filter(|q| q.loses_features)
            .map(|q| q.file.as_str())
            .collect();
        if !incomplete.is_empty() {
            ui.label(
                RichText::new(lang.data_incomplete(incomplete.len()))
                    .color(Color32::from_rgb(0xc0, 0x10, 0x30))
                    .strong(),
            );
        }
        for f in &report.flags {
            ui.label(RichText::new(format!("⚠ {f}")).color(ui.visuals().warn_fg_color));
        }
        ui.separator();
        ui.horizontal(|ui| {
            ui.selectable_value(&mut self.show_tenones, false, lang.t(tx::COVERAGE));
            ui.selectable_value(&mut self.show_tenones, true, lang.t(tx::TEN_ONES));
        });
        if !self.show_tenones {
            ui.horizontal(|ui| {
                for t in &report.tiers {
                    let mode = t.profile_mode.clone().unwrap_or_default();
                    ui.selectable_value(
                        &mut self.chart_minutes,
                        t.minutes,
                        format!("{} {}", t.minutes, lang.t(tx::MINUTES)),
                    )
                    .on_hover_text(mode);
                }
            });
            coverage_chart_ui(ui, report, self.chart_minutes, lang);
            ui.label(RichText::new(lang.t(tx::ALL_REQUIRED)).strong());
            all_required_ui(ui, report, lang);
            if !report.warnings.is_empty() {
                egui::CollapsingHeader::new(format!(
                    "{} ({})",
                    lang.t(tx::WARNINGS),
                    report.warnings.len()
                ))
                .show(ui, |ui| {
                    for w in &report.warnings {
                        ui.label(RichText::new(w).small());
                    }
                });
            }
        } else {
            match &results.tenones {
                Some(t) => {
                    for a in checklist_ui(ui, t, &results.data_quality, self.selected_rule, lang) {
                        commands.push(match a {
                            ChecklistAction::SelectRule(i) => Command::SelectRule(i),
                            ChecklistAction::ZoomPlace(r, c, p) => Command::ZoomPlace(r, c, p),
                        });
                    }
                }
                None => {
                    ui.label(
                        RichText::new(lang.t(tx::TENONES_PENDING))
                            .color(ui.visuals().warn_fg_color),
                    );
                }
            }
        }
        commands
    }
}
