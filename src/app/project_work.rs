//! The project file in the app (文件 → 保存项目 / 打开项目, docs/project-file.md): the session
//! written as a `.towncircle` (inputs with their roles, profile, settings, view, scenarios with
//! their edits), opened again in stages (inputs found or asked for → loaded → analysed →
//! scenarios replayed), and the recovery copy autosaved every minute and on exit.

use super::*;
use crate::project::inputs::written_path;
use crate::project::recovery::{delete_recovery, read_recovery, recovery_path, write_recovery};
use crate::project::{MissingInput, Project, Scenario};
use scenario::convert::{Context, FacilitySources};

/// Seconds between autosaves of the recovery copy.
pub const AUTOSAVE_S: f64 = 60.0;

/// A project being opened: its inputs are loading, then the analysis runs, then its scenarios
/// are replayed.
pub struct PendingProject {
    /// The file its paths are relative to (the recovery copy for a restored unsaved session).
    pub file: PathBuf,
    pub project: Project,
    pub roles: Vec<(PathBuf, Role)>,
    /// Loading done, the analysis started.
    pub analysing: bool,
}

/// A project whose inputs are not all where it says: the dialog asking for them.
pub struct MissingInputs {
    pub file: PathBuf,
    pub project: Project,
    pub missing: Vec<MissingInput>,
}

/// The app's project state.
#[derive(Default)]
pub struct ProjectState {
    /// The project file of the session (None: never saved).
    pub file: Option<PathBuf>,
    pub pending: Option<PendingProject>,
    pub missing: Option<MissingInputs>,
    /// A recovery copy found at start, offered for restoring.
    pub offer: Option<crate::project::recovery::Recovered>,
    /// Where the recovery copy goes (None: no autosave, as in tests).
    pub recovery_dir: Option<PathBuf>,
    /// egui time of the last autosave.
    pub last_autosave_s: f64,
    /// The session as last saved or opened (TOML), to tell whether it changed since.
    pub saved: Option<String>,
    /// The opened project's inputs by absolute path (their `control_points` absolute too): a
    /// save writes back what the app does not edit (a file's CRS, encoding, control points,
    /// datum shift, keys of a newer version) instead of dropping it.
    pub opened_inputs: Vec<(PathBuf, crate::project::Input)>,
}

impl TownApp {
    /// The scenarios of the session as the project writes them, relative to `file`. Scenarios
    /// of a project still opening are kept as read.
    fn project_scenarios(&self, file: &Path) -> Result<Vec<Scenario>, String> {
        if let Some(p) = &self.project.pending {
            return Ok(p.project.scenarios.clone());
        }
        let Some(base) = self
            .scenarios
            .base
            .as_ref()
            .or(self.analysis.results.as_ref())
        else {
            return Ok(Vec::new());
        };
        let Some(first) = base.runs.first() else {
            return Ok(Vec::new());
        };
        let Some(working) = &self.doc.working_crs else {
            return Ok(Vec::new());
        };
        let sources = FacilitySources::new(&first.analysis, &base.facility_layers);
        let cx = Context {
            taxonomy: &self.doc.taxonomy,
            working,
            project_file: file,
            sources: &sources,
        };
        self.scenarios
            .scenarios
            .iter()
            .map(|d| cx.scenario(d))
            .collect()
    }

    /// The session as a project whose paths are relative to `file`.
    pub fn session_project(&self, file: &Path) -> Result<Project, String> {
        let dir = crate::project::inputs::project_dir(file);
        let mut project = Project::new(Vec::new());
        let layers = self.base_layers();
        let mut seen: Vec<&Path> = Vec::new();
        for l in &layers {
            let path = l.source.path.as_path();
            if seen.contains(&path) || path.to_string_lossy().contains("://") {
                continue;
            }
            seen.push(path);
            let same: Vec<_> = layers.iter().filter(|m| m.source.path == path).collect();
            let input = project.add_input(file, path);
            // One role per input file: only when all its layers share it.
            if same.iter().all(|m| m.role == l.role) {
                input.role = l.role;
            } else {
                // A drawing's CAD layers (or a GeoPackage's tables) in several roles: each
                // layer's, so that reopening gives the roles the planner set, not the guess.
                input.layer_roles = same
                    .iter()
                    .map(|m| {
                        let role = m.role.map_or("none", |r| r.en());
                        (m.name.clone(), role.to_string())
                    })
                    .collect();
            }
            // A population raster's age band, however it was found, so the project says it.
            input.age_band = l.age_band.map(|b| b.to_string());
            // What the opened project said of this file (or of the folder it is in).
            if let Some((_, was)) = self
                .project
                .opened_inputs
                .iter()
                .find(|(p, _)| path == p || path.starts_with(p))
            {
                input.crs.clone_from(&was.crs);
                input.encoding.clone_from(&was.encoding);
                input.control_points = was
                    .control_points
                    .as_ref()
                    .map(|c| c.map_path(|f| written_path(&dir, Path::new(f))));
                input.datum_shift.clone_from(&was.datum_shift);
                input.extra.clone_from(&was.extra);
            }
        }
        let settings = &self.analysis.settings;
        project.profile = match &settings.profile_choice {
            analysis::ProfileChoice::Shipped => None,
            analysis::ProfileChoice::Named(n) => Some(n.clone()),
            analysis::ProfileChoice::File(p) => Some(written_path(&dir, p)),
        };
        project.analysis.mode = match &settings.mode {
            analysis::ModeChoice::PerTier => None,
            analysis::ModeChoice::One(m) => Some(m.clone()),
        };
        let on: Vec<u32> = settings
            .tiers
            .iter()
            .filter(|(_, on)| *on)
            .map(|(m, _)| *m)
            .collect();
        if on.len() < settings.tiers.len() {
            project.analysis.minutes = Some(on);
        }
        if let Some((_, t)) = &self.to_wgs84
            && let Ok(c) = t.coord(self.map.view.center)
        {
            project.view = Some(crate::project::View {
                centre: crate::project::round_lonlat([c.x, c.y]),
                m_per_pt: self.map.view.m_per_pt,
                extra: Default::default(),
            });
        }
        project.scenarios = self.project_scenarios(file)?;
        project.active_scenario = match &self.project.pending {
            Some(p) => p.project.active_scenario.clone(),
            None => self.scenarios.current().map(|d| d.name.clone()),
        };
        Ok(project)
    }

    pub(super) fn project_command(&mut self, ctx: &egui::Context, cmd: Command) {
        match cmd {
            Command::SaveProject => match self.project.file.clone() {
                Some(f) => self.save_project(ctx, f),
                None => self.spawn_dialog(DialogKind::SaveProject),
            },
            Command::SaveProjectAsDialog => self.spawn_dialog(DialogKind::SaveProject),
            Command::SaveProjectTo(f) => self.save_project(ctx, f),
            Command::OpenProjectDialog => self.spawn_dialog(DialogKind::OpenProject),
            Command::OpenProject(f) => self.open_project(ctx, f),
            Command::LocateInputDialog(i) => self.spawn_dialog(DialogKind::LocateInput(i)),
            Command::LocateInput(i, path) => {
                if let Some(m) = &mut self.project.missing {
                    m.project.relocate_input(&m.file, i, &path);
                    m.missing = m.project.resolve_inputs(&m.file).missing;
                }
            }
            Command::OpenWithoutMissing => {
                if let Some(mut m) = self.project.missing.take() {
                    let gone: Vec<usize> = m.missing.iter().map(|x| x.index).collect();
                    let text = format!(
                        "{}: {}",
                        self.lang().t(tx::PROJECT_INPUTS_LEFT_OUT),
                        m.missing
                            .iter()
                            .map(ToString::to_string)
                            .collect::<Vec<_>>()
                            .join(", ")
                    );
                    self.log(ctx, Level::Warning, text);
                    let mut i = 0;
                    m.project.inputs.retain(|_| {
                        i += 1;
                        !gone.contains(&(i - 1))
                    });
                    self.start_project(ctx, m.file, m.project, None);
                }
            }
            Command::CancelOpenProject => self.project.missing = None,
            Command::RestoreRecovery => {
                if let Some(r) = self.project.offer.take()
                    && let Some(dir) = self.project.recovery_dir.clone()
                {
                    let file = recovery_path(&dir);
                    self.start_project(ctx, file, r.project, Some(r.project_file));
                    // Restored work is not saved work.
                    self.project.saved = None;
                }
            }
            Command::DiscardRecovery => {
                self.project.offer = None;
                if let Some(dir) = &self.project.recovery_dir
                    && let Err(e) = delete_recovery(dir)
                {
                    self.log(ctx, Level::Error, e.to_string());
                }
            }
            _ => {}
        }
    }

    /// Write the session to `file` (atomic). An error leaves the file as it was.
    fn save_project(&mut self, ctx: &egui::Context, file: PathBuf) {
        let file = if Project::is_project_path(&file) {
            file
        } else {
            file.with_extension("towncircle")
        };
        let lang = self.lang();
        let result = self
            .session_project(&file)
            .and_then(|p| p.write(&file).map(|()| p).map_err(|e| e.to_string()));
        match result {
            Ok(p) => {
                self.project.file = Some(file.clone());
                self.project.saved = p.to_toml().ok();
                self.persisted.remember(&file);
                self.log(
                    ctx,
                    Level::Info,
                    format!("{}: {}", lang.t(tx::PROJECT_SAVED), file.display()),
                );
            }
            Err(e) => self.log(
                ctx,
                Level::Error,
                format!(
                    "{}: {}: {e}",
                    lang.t(tx::PROJECT_SAVE_FAILED),
                    file.display()
                ),
            ),
        }
    }

    /// Open a project file: a damaged or newer file is an error and the session stays; missing
    /// inputs are asked for.
    pub fn open_project(&mut self, ctx: &egui::Context, file: PathBuf) {
        let project = match Project::read(&file) {
            Ok(p) => p,
            Err(e) => {
                let text = format!("{}: {e}", self.lang().t(tx::PROJECT_OPEN_FAILED));
                self.log(ctx, Level::Error, text);
                return;
            }
        };
        self.persisted.remember(&file);
        let missing = project.resolve_inputs(&file).missing;
        if missing.is_empty() {
            self.start_project(ctx, file.clone(), project, Some(Some(file)));
        } else {
            self.project.missing = Some(MissingInputs {
                file,
                project,
                missing,
            });
        }
    }

    /// Replace the session by `project` (paths relative to `file`) and start loading it.
    /// `session_file`: the project file the session then belongs to (Some(None): none; None:
    /// `file`).
    fn start_project(
        &mut self,
        ctx: &egui::Context,
        file: PathBuf,
        project: Project,
        session_file: Option<Option<PathBuf>>,
    ) {
        let plan = match project.load_plan(&file) {
            Ok(p) => p,
            Err(e) => {
                let text = format!("{}: {e}", self.lang().t(tx::PROJECT_OPEN_FAILED));
                self.log(ctx, Level::Error, text);
                return;
            }
        };
        // The session is replaced: a new document, analysis and scenarios.
        self.doc.clear();
        self.doc.taxonomy = plan.options.taxonomy.clone();
        self.table = TableState::default();
        if let Some(j) = self.scenarios.job.take() {
            j.cancel();
        }
        self.scenarios = scenario::ScenarioState::default();
        let choice = match project.profile_arg(&file) {
            None => analysis::ProfileChoice::Shipped,
            Some(p) if Path::new(&p).is_file() => analysis::ProfileChoice::File(PathBuf::from(p)),
            Some(p) => analysis::ProfileChoice::Named(p),
        };
        self.analysis = AnalysisState::default();
        self.analysis.set_profile(choice);
        if let Err(e) = &self.analysis.profile {
            let text = format!("{}: {e}", self.lang().t(tx::ANALYSIS_FAILED));
            self.log(ctx, Level::Error, text);
        }
        if let Some(m) = &project.analysis.mode {
            self.analysis.settings.mode = analysis::ModeChoice::One(m.clone());
        }
        if let Some(minutes) = &project.analysis.minutes {
            for (m, on) in &mut self.analysis.settings.tiers {
                *on = minutes.contains(m);
            }
        }
        let dir = crate::project::inputs::project_dir(&file);
        self.project.opened_inputs = project
            .inputs
            .iter()
            .map(|i| {
                let mut i = i.clone();
                i.control_points = i.control_points.map(|c| {
                    c.map_path(|f| {
                        crate::project::inputs::resolve(&dir, f)
                            .display()
                            .to_string()
                    })
                });
                (crate::project::inputs::resolve(&dir, &i.path), i)
            })
            .collect();
        self.project.file = session_file.unwrap_or(Some(file.clone()));
        self.project.saved = if self.project.file.is_some() {
            project.to_toml().ok()
        } else {
            None
        };
        let options = LoadOptions {
            working_crs: None,
            ..plan.options
        };
        let files = plan.files;
        let label = file
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        self.jobs.push(Job::spawn(label, ctx, move |progress| {
            load_files(&files, &options, progress)
        }));
        self.project.pending = Some(PendingProject {
            file,
            project,
            roles: plan.roles,
            analysing: false,
        });
    }

    /// Move a project being opened on: loaded → roles and view set, analysis started;
    /// analysed → scenarios replayed.
    pub(super) fn advance_project(&mut self, ctx: &egui::Context) {
        let Some(p) = &self.project.pending else {
            return;
        };
        if !p.analysing {
            if !self.jobs.is_empty() {
                return;
            }
            let roles = p.roles.clone();
            let view = p.project.view.clone();
            let taxonomy = self.doc.taxonomy.clone();
            for ml in &mut self.doc.layers {
                if let Some((_, role)) = roles
                    .iter()
                    .find(|(f, _)| same_file(f, &ml.layer.source.path))
                {
                    ml.set_role(Some(*role), &taxonomy);
                }
            }
            if let (Some(v), Some(working)) = (view, &self.doc.working_crs)
                && let Ok(t) = Transformer::new(&Crs::WGS84, working)
                && let Ok(c) = t.coord(geo_types::coord! {x: v.centre[0], y: v.centre[1]})
            {
                self.map.fit_town_pending = false;
                self.map.view.center = c;
                self.map.view.m_per_pt = v.m_per_pt;
            }
            if let Some(p) = &mut self.project.pending {
                p.analysing = true;
            }
            self.run_analysis(ctx);
            return;
        }
        if self.analysis.job.is_some() || self.analysis.results.is_none() {
            return;
        }
        let Some(p) = self.project.pending.take() else {
            return;
        };
        let (Some(base), Some(working)) = (&self.analysis.results, self.doc.working_crs.clone())
        else {
            return;
        };
        let Some(first) = base.runs.first() else {
            return;
        };
        let sources = FacilitySources::new(&first.analysis, &base.facility_layers);
        let cx = Context {
            taxonomy: &self.doc.taxonomy,
            working: &working,
            project_file: &p.file,
            sources: &sources,
        };
        let mut lost = Vec::new();
        let docs: Vec<scenario::ScenarioDoc> = p
            .project
            .scenarios
            .iter()
            .map(|s| {
                let (doc, l) = cx.doc(s);
                lost.extend(l);
                doc
            })
            .collect();
        for l in lost {
            let text = format!("{}: {l}", self.lang().t(tx::PROJECT_EDIT_LOST));
            self.log(ctx, Level::Warning, text);
        }
        self.scenarios.scenarios = docs;
        let active = p
            .project
            .active_scenario
            .as_ref()
            .and_then(|n| self.scenarios.scenarios.iter().position(|d| &d.name == n));
        if active.is_some() {
            self.scenario_command(ctx, Command::SelectScenario(active));
        }
        let text = format!(
            "{}: {} ({} {})",
            self.lang().t(tx::PROJECT_OPENED),
            p.file.display(),
            self.scenarios.scenarios.len(),
            self.lang().t(tx::SCENARIO)
        );
        self.log(ctx, Level::Info, text);
    }

    /// Whether the session differs from the project file as saved or opened.
    pub fn project_changed(&self) -> bool {
        if self.doc.layers.is_empty() {
            return false;
        }
        let file = self.recovery_file_for_session();
        let now = self
            .session_project(&file)
            .ok()
            .and_then(|p| p.to_toml().ok());
        now != self.project.saved
    }

    fn recovery_file_for_session(&self) -> PathBuf {
        match (&self.project.file, &self.project.recovery_dir) {
            (Some(f), _) => f.clone(),
            (None, Some(d)) => recovery_path(d),
            (None, None) => PathBuf::from("recovery.towncircle"),
        }
    }

    /// Write the recovery copy now when the session has changes not saved; else remove it.
    pub fn autosave(&mut self, ctx: &egui::Context) {
        let Some(dir) = self.project.recovery_dir.clone() else {
            return;
        };
        self.project.last_autosave_s = ctx.input(|i| i.time);
        if !self.project_changed() {
            if self.project.offer.is_none()
                && let Err(e) = delete_recovery(&dir)
            {
                self.log(ctx, Level::Error, e.to_string());
            }
            return;
        }
        let file = self.recovery_file_for_session();
        let result = self.session_project(&file).and_then(|p| {
            write_recovery(&dir, &p, self.project.file.as_deref()).map_err(|e| e.to_string())
        });
        if let Err(e) = result {
            let text = format!("{}: {e}", self.lang().t(tx::AUTOSAVE_FAILED));
            self.log(ctx, Level::Error, text);
        }
    }

    /// Each frame: the project being opened moves on; the recovery copy every minute.
    pub(super) fn project_tick(&mut self, ctx: &egui::Context) {
        self.advance_project(ctx);
        let now = ctx.input(|i| i.time);
        if self.project.recovery_dir.is_some()
            && self.project.offer.is_none()
            && now - self.project.last_autosave_s >= AUTOSAVE_S
        {
            self.autosave(ctx);
        }
        if self.project.recovery_dir.is_some() {
            ctx.request_repaint_after(std::time::Duration::from_secs_f64(AUTOSAVE_S));
        }
    }

    /// Look for a recovery copy in `dir` at start: offered when found, named when damaged.
    pub(super) fn find_recovery(&mut self, ctx: &egui::Context, dir: PathBuf) {
        match read_recovery(&dir) {
            Ok(r) => self.project.offer = r,
            Err(e) => {
                let text = format!("{}: {e}", self.lang().t(tx::RECOVERY_DAMAGED));
                self.log(ctx, Level::Error, text);
            }
        }
        self.project.recovery_dir = Some(dir);
    }

    /// The dialogs: missing inputs of a project being opened; a recovery copy to restore.
    pub(super) fn project_windows(&mut self, ctx: &egui::Context, commands: &mut Vec<Command>) {
        let lang = self.lang();
        if let Some(m) = &self.project.missing {
            egui::Window::new(lang.t(tx::PROJECT_MISSING_TITLE))
                .collapsible(false)
                .resizable(false)
                .anchor(egui::Align2::CENTER_CENTER, [0.0, 0.0])
                .show(ctx, |ui| {
                    ui.label(format!("{}", m.file.display()));
                    ui.label(lang.t(tx::PROJECT_MISSING_TEXT));
                    for x in &m.missing {
                        ui.horizontal(|ui| {
                            ui.label(x.to_string());
                            if ui.button(lang.t(tx::LOCATE)).clicked() {
                                commands.push(Command::LocateInputDialog(x.index));
                            }
                        });
                    }
                    ui.horizontal(|ui| {
                        if m.missing.is_empty() {
                            if ui.button(lang.t(tx::OPEN_PROJECT)).clicked() {
                                commands.push(Command::OpenWithoutMissing);
                            }
                        } else if ui.button(lang.t(tx::OPEN_WITHOUT_MISSING)).clicked() {
                            commands.push(Command::OpenWithoutMissing);
                        }
                        if ui.button(lang.t(tx::CANCEL)).clicked() {
                            commands.push(Command::CancelOpenProject);
                        }
                    });
                });
        }
        if let Some(r) = &self.project.offer {
            egui::Window::new(lang.t(tx::RECOVERY_TITLE))
                .collapsible(false)
                .resizable(false)
                .anchor(egui::Align2::CENTER_CENTER, [0.0, 0.0])
                .show(ctx, |ui| {
                    ui.label(lang.t(tx::RECOVERY_TEXT));
                    if let Some(f) = &r.project_file {
                        ui.label(f.display().to_string());
                    }
                    ui.label(format!(
                        "{} {}, {} {}",
                        r.project.inputs.len(),
                        lang.t(tx::INPUT_FILES),
                        r.project.scenarios.len(),
                        lang.t(tx::SCENARIO)
                    ));
                    ui.horizontal(|ui| {
                        if ui.button(lang.t(tx::RESTORE)).clicked() {
                            commands.push(Command::RestoreRecovery);
                        }
                        if ui.button(lang.t(tx::DISCARD)).clicked() {
                            commands.push(Command::DiscardRecovery);
                        }
                    });
                });
        }
    }
}

/// The same file, also through different spellings of its path.
fn same_file(a: &Path, b: &Path) -> bool {
    a == b
        || match (a.canonicalize(), b.canonicalize()) {
            (Ok(x), Ok(y)) => x == y,
            _ => false,
        }
}
