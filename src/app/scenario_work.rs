//! Scenario commands on the app: showing a scenario (the analysis panel then shows its figures),
//! edits with their instant coverage update, undo/redo, and the background job that brings the
//! ten ones and the overlays of the edited town.

use super::*;
use scenario::{Change, ScenarioOutput};

impl TownApp {
    /// The base analysis: kept aside while a scenario is shown.
    fn base_output(&self) -> Option<&analysis::AnalysisOutput> {
        self.scenarios
            .base
            .as_ref()
            .or(self.analysis.results.as_ref())
    }

    pub(super) fn scenario_command(&mut self, ctx: &egui::Context, cmd: Command) {
        let lang = self.lang();
        match cmd {
            Command::NewScenario => {
                if self.base_output().is_none() {
                    let text = lang.t(tx::SCENARIO_NEEDS_ANALYSIS);
                    self.log(ctx, Level::Warning, text);
                    return;
                }
                let name = format!(
                    "{} {}",
                    lang.t(tx::SCENARIO),
                    self.scenarios.scenarios.len() + 1
                );
                let i = self.scenarios.create(name);
                self.show_scenario(ctx, Some(i));
            }
            Command::SelectScenario(i) => self.show_scenario(ctx, i),
            Command::ScenarioTool(t) => {
                self.scenarios.tool = t;
                if self.scenarios.category.is_empty() {
                    self.scenarios.category = self.analysis.settings.overlay_category.clone();
                }
            }
            Command::ScenarioAdd(xy) => {
                let Some(category) = self.doc.taxonomy.by_id(&self.scenarios.category) else {
                    self.scenarios.error = Some(format!(
                        "{}: {}",
                        lang.t(tx::SCENARIO_CATEGORY),
                        self.scenarios.category
                    ));
                    return;
                };
                let capacity = match scenario::parse_capacity(&self.scenarios.capacity) {
                    Ok(c) => c,
                    Err(text) => {
                        self.scenarios.error =
                            Some(format!("{}: \"{text}\"", lang.t(tx::CAPACITY_INVALID)));
                        return;
                    }
                };
                let key = self.scenarios.next_key();
                self.scenario_edit(
                    ctx,
                    Change::Add {
                        key,
                        category,
                        xy,
                        capacity,
                    },
                );
            }
            Command::ScenarioMove(key, to) => self.scenario_edit(ctx, Change::Move { key, to }),
            Command::ScenarioRemove(key) => self.scenario_edit(ctx, Change::Remove { key }),
            Command::ScenarioRecategorize(key) => {
                if let Some(to) = self.doc.taxonomy.by_id(&self.scenarios.category) {
                    self.scenario_edit(ctx, Change::Recategorize { key, to });
                }
            }
            Command::Undo => {
                let runs = self
                    .base_output()
                    .map(|b| b.runs.clone())
                    .unwrap_or_default();
                if self.scenarios.undo(&runs) {
                    self.refresh_scenario(ctx);
                }
            }
            Command::Redo if self.scenarios.redo() => self.refresh_scenario(ctx),
            Command::Suggest => self.start_suggest(ctx),
            Command::AcceptSite(rank) => {
                let site = self
                    .scenarios
                    .suggest
                    .result
                    .as_ref()
                    .and_then(|s| s.sites.iter().find(|x| x.rank == rank))
                    .map(|x| (x.xy, x.category.clone()));
                let Some((xy, category)) = site else { return };
                let Some(category) = self.doc.taxonomy.by_id(&category) else {
                    return;
                };
                let key = self.scenarios.next_key();
                self.scenarios.suggest.accepted.push(rank);
                self.scenario_edit(
                    ctx,
                    Change::Add {
                        key,
                        category,
                        xy,
                        capacity: None,
                    },
                );
            }
            _ => {}
        }
    }

    /// Show scenario `i` (None: the base). The base output moves aside while a scenario is shown.
    fn show_scenario(&mut self, ctx: &egui::Context, i: Option<usize>) {
        if self.analysis.job.is_some() {
            return;
        }
        match i {
            None => {
                self.scenarios.stop();
                if let Some(base) = self.scenarios.base.take() {
                    self.analysis.results = Some(base);
                }
                if let Some(j) = self.scenarios.job.take() {
                    j.cancel();
                }
                self.rebuild_overlays(ctx);
            }
            Some(i) => {
                if self.scenarios.base.is_none() {
                    self.scenarios.base = self.analysis.results.take();
                }
                let Some(base) = &self.scenarios.base else {
                    return;
                };
                let runs = base.runs.clone();
                let dropped = self.scenarios.start(i, &runs);
                if dropped > 0 {
                    self.log(
                        ctx,
                        Level::Warning,
                        format!(
                            "{}: {dropped} edit(s) no longer apply and were dropped",
                            self.lang().t(tx::SCENARIO)
                        ),
                    );
                }
                if self.scenarios.category.is_empty() {
                    self.scenarios.category = self.analysis.settings.overlay_category.clone();
                }
                self.refresh_scenario(ctx);
            }
        }
    }

    fn scenario_edit(&mut self, ctx: &egui::Context, change: Change) {
        let placed = match change {
            Change::Add { key, .. } => Some(crate::access::live::FacilityKey::Added(key)),
            Change::Move { key, .. } => Some(key),
            _ => None,
        };
        match self.scenarios.edit(change) {
            Ok(()) => {
                self.scenarios.error = self.off_network(placed);
                if let Some(e) = self.scenarios.error.clone() {
                    self.log(ctx, Level::Warning, e);
                }
                self.refresh_scenario(ctx);
            }
            Err(e) => self.scenarios.error = Some(e),
        }
    }

    /// Said when a facility just placed is beyond the snap distance of every road of a mode: it
    /// reaches nobody by that mode (kept, so the planner can move it).
    fn off_network(&self, key: Option<crate::access::live::FacilityKey>) -> Option<String> {
        let live = self.scenarios.live()?;
        let f = live.facility(key?)?;
        let base = self.scenarios.base.as_ref()?;
        let far: Vec<String> = base
            .runs
            .iter()
            .zip(&f.reached)
            .filter(|(_, ok)| !**ok)
            .map(|(r, _)| {
                format!(
                    "{} ({:.0} m)",
                    r.analysis.mode.id, r.analysis.mode.max_snap_m
                )
            })
            .collect();
        if far.is_empty() {
            return None;
        }
        Some(self.lang().off_network(f.xy, &far.join(", ")))
    }

    /// The scenario's figures into the analysis panel now (coverage of every tier), and the ten
    /// ones and overlays of the edited town from a background job.
    pub(super) fn refresh_scenario(&mut self, ctx: &egui::Context) {
        let started = std::time::Instant::now();
        let base_layers = self.base_layers();
        let Some(base) = &self.scenarios.base else {
            return;
        };
        let Some(update) = self.scenarios.update(
            &base.runs,
            &base_layers,
            &self.analysis.settings.overlay_category,
            self.analysis.settings.overlay_minutes,
        ) else {
            return;
        };
        let tenones = self
            .analysis
            .results
            .as_ref()
            .and_then(|r| r.tenones.clone())
            .or_else(|| base.tenones.clone());
        let data_quality = base.data_quality.clone();
        self.analysis.results = Some(analysis::AnalysisOutput {
            runs: update.runs.clone(),
            report: update.report.clone(),
            tenones,
            overlays: Vec::new(),
            seconds: started.elapsed().as_secs_f64(),
            data_quality,
            facility_layers: base.facility_layers.clone(),
        });
        self.scenarios.last_update_ms += started.elapsed().as_secs_f64() * 1000.0;

        // The ten ones and overlays of the edited town, off the UI thread; what the map shows
        // already and the edit did not change is not made again.
        let shown = self.doc.shown_chunks(&scenario::EditUpdate::MAP_KINDS);
        self.start_scenario_map(ctx, update, Some(shown));
    }

    /// The overlays that show an edit on the map, in the background (then the rest, see
    /// [`Self::start_scenario_rest`]); with `shown`, the chunks the map shows already are
    /// left out and taken over when the job ends.
    fn start_scenario_map(
        &mut self,
        ctx: &egui::Context,
        mut update: scenario::EditUpdate,
        shown: Option<super::doc::ShownChunks>,
    ) {
        if let Some(j) = self.scenarios.job.take() {
            j.cancel();
        }
        let town = self.doc.town_extent();
        let generation = self.scenarios.generation;
        let label = self.lang().t(tx::SCENARIO).to_string();
        self.scenarios.job = Some(Job::spawn(label, ctx, move |progress| {
            let overlays = update.redraw_map(town, shown.as_ref(), progress)?;
            Ok(ScenarioOutput {
                overlays: super::doc::prepare_overlays(overlays),
                kinds: scenario::EditUpdate::MAP_KINDS.to_vec(),
                generation,
                rest: Some(update),
                tenones: None,
            })
        }));
    }

    /// After the map's overlays of an edit: the time grid, the 2SFCA and the ten ones of the
    /// edited town, in the background.
    fn start_scenario_rest(&mut self, ctx: &egui::Context, update: scenario::EditUpdate) {
        let Ok(profile) = self.analysis.profile.clone() else {
            return;
        };
        let taxonomy = self.doc.taxonomy.clone();
        let town = self.doc.town_extent();
        let generation = self.scenarios.generation;
        let label = self.lang().t(tx::SCENARIO).to_string();
        self.scenarios.job = Some(Job::spawn(label, ctx, move |progress| {
            let (overlays, tenones) = update.redraw_rest(&profile, &taxonomy, town, progress)?;
            Ok(ScenarioOutput {
                overlays: super::doc::prepare_overlays(overlays),
                kinds: analysis::OverlayStage::Rest.kinds().to_vec(),
                generation,
                rest: None,
                tenones: Some(tenones),
            })
        }));
    }

    /// Suggest sites for the panel's category at the overlay tier, on the town shown (the
    /// scenario's facilities when one is), in the background.
    fn start_suggest(&mut self, ctx: &egui::Context) {
        let lang = self.lang();
        let Some(shown) = &self.analysis.results else {
            return;
        };
        let s = &mut self.scenarios;
        let Some(category) = self.doc.taxonomy.by_id(&s.category) else {
            s.suggest.error = Some(format!("{}: {}", lang.t(tx::SCENARIO_CATEGORY), s.category));
            return;
        };
        s.suggest.error = None;
        let (runs, report) = (shown.runs.clone(), shown.report.clone());
        let layers = self.base_layers();
        let minutes = self.analysis.settings.overlay_minutes;
        let count = self.scenarios.suggest.count;
        self.scenarios.suggest.job = Some(Job::spawn(lang.t(tx::SUGGEST), ctx, move |_| {
            Ok(scenario::suggest::run_suggest(
                &runs, &report, &layers, category, minutes, count,
            ))
        }));
    }

    pub(super) fn poll_scenario(&mut self, ctx: &egui::Context) {
        if let Some(end) = self.scenarios.suggest.job.as_ref().and_then(|j| j.poll()) {
            self.scenarios.suggest.job = None;
            match end {
                JobEnd::Done(Ok(s)) => {
                    self.scenarios.suggest.accepted.clear();
                    self.scenarios.suggest.result = Some(s);
                    self.show_sites();
                }
                JobEnd::Done(Err(e)) => {
                    self.scenarios.suggest.error = Some(e.clone());
                    self.log(ctx, Level::Warning, e);
                }
                JobEnd::Cancelled | JobEnd::Crashed => {}
            }
        }
        let Some(end) = self.scenarios.job.as_ref().and_then(|j| j.poll()) else {
            return;
        };
        self.scenarios.job = None;
        match end {
            JobEnd::Done(out) if out.generation == self.scenarios.generation => {
                if let (Some(r), Some(t)) = (&mut self.analysis.results, out.tenones) {
                    r.tenones = t;
                }
                let incomplete = self.doc.replace_overlays(&out.kinds, out.overlays);
                if out.rest.is_some() {
                    // The sites not yet accepted (an accepted one is now a facility).
                    self.show_sites();
                }
                if let Some(update) = out.rest {
                    if incomplete > 0 {
                        // The map changed while the job ran: its overlays again, whole.
                        self.start_scenario_map(ctx, update, None);
                    } else {
                        self.start_scenario_rest(ctx, update);
                    }
                }
            }
            JobEnd::Done(_) | JobEnd::Cancelled => {}
            JobEnd::Crashed => {
                let text = format!(
                    "{}: {}",
                    self.lang().t(tx::JOB_CRASHED),
                    self.lang().t(tx::SCENARIO)
                );
                self.log(ctx, Level::Error, text);
            }
        }
    }

    /// The town's layers for a report and, when a scenario is shown, its side of the report
    /// (its edited layers, edits in words, the base to compare with).
    pub(super) fn report_scenario(
        &self,
    ) -> Result<
        (
            Vec<std::sync::Arc<crate::model::Layer>>,
            Option<analysis::ReportScenario>,
        ),
        String,
    > {
        let base_layers = self.base_layers();
        let (Some(doc), Some(base), Some(live)) = (
            self.scenarios.current(),
            &self.scenarios.base,
            self.scenarios.live(),
        ) else {
            return Ok((base_layers, None));
        };
        let (Some(first), Some(working)) = (base.runs.first(), &self.doc.working_crs) else {
            return Ok((base_layers, None));
        };
        let file = self
            .project
            .file
            .clone()
            .unwrap_or_else(|| PathBuf::from("towncircle.towncircle"));
        let sources =
            scenario::convert::FacilitySources::new(&first.analysis, &base.facility_layers);
        let cx = scenario::convert::Context {
            taxonomy: &self.doc.taxonomy,
            working,
            project_file: &file,
            sources: &sources,
        };
        let written = cx.scenario(doc)?;
        let owned: Vec<crate::model::Layer> = base_layers
            .iter()
            .map(|l| crate::model::Layer::clone(l))
            .collect();
        let edits =
            crate::report::compare::describe_edits(&written, &owned, &self.doc.taxonomy, &file);
        let layers = scenario::scenario_layers(
            &base_layers,
            &first.analysis,
            live,
            &doc.name,
            &self.scenarios.added_capacities(),
        );
        Ok((
            layers,
            Some(analysis::ReportScenario {
                name: doc.name.clone(),
                edits,
                base_runs: base.runs.clone(),
                base_report: base.report.clone(),
                base_tenones: base.tenones.clone(),
            }),
        ))
    }

    /// The scenario panel, under the analysis.
    pub(super) fn scenario_ui(&mut self, ui: &mut egui::Ui) -> Vec<Command> {
        let lang = self.lang();
        let categories: Vec<(String, String, String)> = self
            .doc
            .taxonomy
            .categories
            .iter()
            .map(|c| (c.id.clone(), c.zh.clone(), c.en.clone()))
            .collect();
        let shown = self.analysis.results.as_ref();
        let base = self.scenarios.base.as_ref();
        let reports = match (base, shown) {
            (Some(b), Some(s)) if self.scenarios.active.is_some() => Some((&b.report, &s.report)),
            _ => None,
        };
        let tenones = match (
            base.and_then(|b| b.tenones.as_ref()),
            shown.and_then(|s| s.tenones.as_ref()),
        ) {
            (Some(b), Some(s)) if reports.is_some() => Some((b, s)),
            _ => None,
        };
        let has_analysis = base.is_some() || shown.is_some();
        self.scenarios.suggest.minutes = self.analysis.settings.overlay_minutes;
        // The panel borrows the state mutably: hand it copies of the reports.
        let reports = reports.map(|(b, s)| (b.clone(), s.clone()));
        let tenones = tenones.map(|(b, s)| (b.clone(), s.clone()));
        self.scenarios.ui(
            ui,
            lang,
            &categories,
            reports.as_ref().map(|(b, s)| (b, s)),
            tenones.as_ref().map(|(b, s)| (b, s)),
            has_analysis,
        )
    }
}
