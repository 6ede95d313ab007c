//! The CAD import dialog (CAD 图层与坐标): a DXF drawing's layers with their entity counts,
//! geometry and role (editable, "unused" too; a facility layer's category when the CAD layer
//! rules give one), and its coordinates: the CRS it is in and control points moving a drawing
//! on a local grid (独立坐标系) into it, with the four-parameter fit shown as the rows change.
//! It opens when a DXF is opened, and from the layers panel for a drawing already loaded.
//!
//! OK applies the roles as the layers panel does (so the project keeps them as `layer_roles`);
//! changed coordinates reload the file with the transform, and the old layers stay until the
//! new ones loaded. A bad cell, a CSV that does not parse, a fit that cannot be made or a file
//! that does not load is said in the dialog, naming the row or the file.

use std::path::{Path, PathBuf};

use egui::{Color32, RichText};
use geo_types::{Coord, Rect};

use super::i18n::{Lang, tx};
use super::jobs::{Job, JobEnd, load_files};
use super::{Command, DialogKind, TownApp};
use crate::crs::{ControlPoint, ControlTransform, Crs, guess_from_extent};
use crate::error::CrsError;
use crate::io::{LoadOptions, ReadOptions};
use crate::model::{GeometryKind, Layer, Role, Taxonomy, guess_role};
use crate::project::{ControlPoints, Input};

/// Where points typed in the dialog are said to come from (a transform's `points_file`).
const TYPED_POINTS: &str = "entered in the app";

/// The CRS codes offered beside the text field: CGCS2000 3-degree Gauss-Kruger, central
/// meridians 120°E–135°E (Zhejiang is at 120°E and 123°E), as the magnitudes guess them.
const CRS_PRESETS: [u32; 6] = [4549, 4550, 4551, 4552, 4553, 4554];

/// One layer of the drawing as the reader gives it.
#[derive(Debug, Clone, PartialEq)]
pub struct CadLayerRow {
    /// The layer's name in the app (the CAD layer, with " (points)" … when it holds several
    /// kinds): the key of the project's `layer_roles`.
    pub layer: String,
    pub cad_layer: String,
    pub features: usize,
    pub kind: GeometryKind,
    /// The role the CAD layer rules or the guess give.
    pub guessed: Option<Role>,
    /// The role chosen (None: unused).
    pub role: Option<Role>,
    /// The facility category the CAD layer rules give (an id of the taxonomy, or their text).
    pub category: Option<String>,
}

/// The rows of a drawing's layers, and the extent of its coordinates as drawn.
fn rows_of(layers: &[Layer]) -> (Vec<CadLayerRow>, Option<Rect<f64>>) {
    let rows = layers
        .iter()
        .map(|l| {
            let guessed = l.role.or_else(|| guess_role(l));
            CadLayerRow {
                layer: l.name.clone(),
                cad_layer: l.source.table.clone().unwrap_or_else(|| l.name.clone()),
                features: l.features.len(),
                kind: l.geometry_kind(),
                guessed,
                role: guessed,
                category: l.features.first().and_then(|f| {
                    l.attr(f, "category")
                        .and_then(|v| v.as_text())
                        .map(|t| t.into_owned())
                }),
            }
        })
        .collect();
    let extent = layers
        .iter()
        .filter_map(crate::io::load::extent)
        .reduce(crate::io::load::union_rect);
    (rows, extent)
}

/// A cell of the control-point table that is not a number.
#[derive(Debug, Clone, PartialEq)]
pub struct CellError {
    /// 1-based row of the table.
    pub row: usize,
    /// 0: local x, 1: local y, 2: target x, 3: target y.
    pub column: usize,
    pub text: String,
}

/// The control points of the table's rows; a row of four empty cells is left out (a row just
/// added). The first cell that is empty or not a finite number is the error.
pub fn parse_point_rows(rows: &[[String; 4]]) -> Result<Vec<ControlPoint>, CellError> {
    let mut points = Vec::new();
    for (i, cells) in rows.iter().enumerate() {
        if cells.iter().all(|c| c.trim().is_empty()) {
            continue;
        }
        let mut v = [0.0; 4];
        for (column, (cell, out)) in cells.iter().zip(&mut v).enumerate() {
            *out = cell
                .trim()
                .parse::<f64>()
                .ok()
                .filter(|x| x.is_finite())
                .ok_or_else(|| CellError {
                    row: i + 1,
                    column,
                    text: cell.trim().to_string(),
                })?;
        }
        points.push(ControlPoint {
            local: Coord { x: v[0], y: v[1] },
            target: Coord { x: v[2], y: v[3] },
        });
    }
    Ok(points)
}

/// Table rows showing control points (numbers as Rust writes them: shortest exact form).
pub fn point_rows(points: &[ControlPoint]) -> Vec<[String; 4]> {
    points
        .iter()
        .map(|p| [p.local.x, p.local.y, p.target.x, p.target.y].map(|v| format!("{v}")))
        .collect()
}

/// What the table's rows give.
#[derive(Debug, Clone, PartialEq)]
pub enum FitState {
    /// No points: the drawing's coordinates are used as drawn.
    NoPoints,
    /// A cell that is not a number.
    BadCell(CellError),
    /// Points that fix no transform (fewer than two, all at one place): the reason.
    NoFit(String),
    Fit(Box<ControlTransform>),
}

/// The fit of the table's rows (`source` names where the points come from).
pub fn fit_rows(rows: &[[String; 4]], source: &Path) -> FitState {
    let points = match parse_point_rows(rows) {
        Ok(p) if p.is_empty() => return FitState::NoPoints,
        Ok(p) => p,
        Err(e) => return FitState::BadCell(e),
    };
    match ControlTransform::from_points(points, source) {
        Ok(ct) => FitState::Fit(Box::new(ct)),
        Err(CrsError::BadDefinition(m)) => FitState::NoFit(m),
        Err(e) => FitState::NoFit(e.to_string()),
    }
}

/// The coordinates of a drawing as the project keeps them: the CRS (text) and the control
/// points.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Coordinates {
    pub crs: Option<String>,
    pub control_points: Option<ControlPoints>,
}

/// A drawing's layers and the extent of its coordinates, or why it could not be read.
type ReadLayers = Result<(Vec<CadLayerRow>, Option<Rect<f64>>), String>;

/// The dialog's state.
pub struct CadDialog {
    pub path: PathBuf,
    reading: Option<Job<ReadLayers>>,
    pub rows: Vec<CadLayerRow>,
    /// The drawing could not be read: why.
    pub read_error: Option<String>,
    /// The extent of the drawing's coordinates as drawn.
    local_extent: Option<Rect<f64>>,
    /// The CRS as typed (empty: guessed from the magnitudes).
    pub crs_text: String,
    /// The control points: local x, local y, target x, target y, as typed.
    pub points: Vec<[String; 4]>,
    /// Where the points were loaded from, while they are as loaded.
    pub points_from: Option<PathBuf>,
    /// The coordinates the file was loaded with (or the project says).
    pub original: Coordinates,
    /// The control points the file was loaded with, as table rows.
    original_rows: Vec<[String; 4]>,
    /// What went wrong last (a CSV, a CRS, a reload), shown in the dialog.
    pub message: Option<String>,
    /// The coordinates being applied while the file reloads; kept when it loaded.
    applying: Option<Coordinates>,
}

impl CadDialog {
    /// Still reading the drawing's layers.
    pub fn is_reading(&self) -> bool {
        self.reading.is_some()
    }

    /// The CRS or the control points differ from the ones the file was loaded with (the
    /// numbers, not how they are written).
    pub fn coords_changed(&self) -> bool {
        let was = self.original.crs.as_deref().unwrap_or("").trim();
        self.crs_text.trim() != was
            || parse_point_rows(&self.points).ok() != parse_point_rows(&self.original_rows).ok()
    }

    /// Waiting for the file to load again with new coordinates.
    pub fn is_applying(&self) -> bool {
        self.applying.is_some()
    }

    /// The fit of the table as it is now.
    pub fn fit(&self) -> FitState {
        let source = self
            .points_from
            .clone()
            .unwrap_or_else(|| PathBuf::from(TYPED_POINTS));
        fit_rows(&self.points, &source)
    }

    /// The coordinates the dialog says: the CRS parsed, the points fitted; an error in words.
    fn coordinates(
        &self,
        lang: Lang,
    ) -> Result<(Coordinates, Option<Crs>, Option<ControlTransform>), String> {
        let text = self.crs_text.trim();
        let crs = if text.is_empty() {
            None
        } else {
            Some(Crs::parse(text).map_err(|e| lang.bad_crs(text, &e.to_string()))?)
        };
        let control = match self.fit() {
            FitState::NoPoints => None,
            FitState::BadCell(e) => return Err(lang.bad_cell(e.row, e.column, &e.text)),
            FitState::NoFit(m) => return Err(format!("{}: {m}", lang.t(tx::CAD_NO_FIT))),
            FitState::Fit(ct) => Some(*ct),
        };
        let coords = Coordinates {
            crs: crs.as_ref().map(|_| text.to_string()),
            control_points: control.as_ref().map(|ct| ControlPoints::inline(&ct.points)),
        };
        Ok((coords, crs, control))
    }

    /// Put the points of a control-point CSV in the table (the CLI's parser); an error names
    /// the file and the line, and the table stays.
    pub fn load_csv(&mut self, path: &Path, lang: Lang) {
        match csv_rows(path, lang) {
            Ok(rows) => {
                self.points = rows;
                self.points_from = Some(path.to_path_buf());
                self.message = None;
            }
            Err(m) => self.message = Some(m),
        }
    }
}

/// The points of a control-point CSV as table rows; an error names the file (and the line).
fn csv_rows(path: &Path, lang: Lang) -> Result<Vec<[String; 4]>, String> {
    std::fs::read(path)
        .map_err(|e| e.to_string())
        .and_then(|bytes| crate::crs::parse_control_points(&String::from_utf8_lossy(&bytes)))
        .map(|points| point_rows(&points))
        .map_err(|e| format!("{}: {e}: {}", lang.t(tx::CAD_CSV_FAILED), path.display()))
}

/// The control points of a project input (a file's path absolute), as table rows and the file
/// they are in.
fn rows_of_control(
    c: &ControlPoints,
    lang: Lang,
) -> Result<(Vec<[String; 4]>, Option<PathBuf>), String> {
    match c {
        ControlPoints::Inline(points) => Ok((
            points.iter().map(|p| p.map(|v| format!("{v}"))).collect(),
            None,
        )),
        ControlPoints::File(f) => {
            let path = PathBuf::from(f);
            csv_rows(&path, lang).map(|rows| (rows, Some(path)))
        }
    }
}

impl CadDialog {
    fn new(path: PathBuf, original: Coordinates) -> CadDialog {
        CadDialog {
            path,
            reading: None,
            rows: Vec::new(),
            read_error: None,
            local_extent: None,
            crs_text: original.crs.clone().unwrap_or_default(),
            points: Vec::new(),
            points_from: None,
            original,
            original_rows: Vec::new(),
            message: None,
            applying: None,
        }
    }
}

impl TownApp {
    /// Open the dialog for the drawing `path`: its layers are read in the background; the
    /// coordinates are the ones it was loaded with (or its project's).
    pub(super) fn open_cad_dialog(&mut self, ctx: &egui::Context, path: PathBuf) {
        let lang = self.lang();
        let original = self
            .project
            .opened_inputs
            .iter()
            .find(|(p, _)| *p == path)
            .map(|(_, i)| Coordinates {
                crs: i.crs.clone(),
                control_points: i.control_points.clone(),
            })
            .unwrap_or_default();
        let mut d = CadDialog::new(path.clone(), original);
        if let Some(c) = &d.original.control_points {
            match rows_of_control(c, lang) {
                Ok((rows, from)) => {
                    d.original_rows.clone_from(&rows);
                    d.points = rows;
                    d.points_from = from;
                }
                Err(m) => d.message = Some(m),
            }
        }
        let label = format!(
            "{}: {}",
            lang.t(tx::CAD_DIALOG),
            path.file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default()
        );
        d.reading = Some(Job::spawn(label, ctx, move |_| {
            Ok(crate::io::read(&path, &ReadOptions::default())
                .map(|layers| rows_of(&layers))
                .map_err(|e| e.to_string()))
        }));
        self.cad = Some(d);
    }

    /// Each frame: take in the drawing's layers once read (roles as the map has them now).
    pub(super) fn poll_cad(&mut self) {
        let Some(d) = &mut self.cad else {
            return;
        };
        let Some(end) = d.reading.as_ref().and_then(|j| j.poll()) else {
            return;
        };
        d.reading = None;
        match end {
            JobEnd::Done(Ok((mut rows, extent))) => {
                for r in &mut rows {
                    if let Some(ml) = self.doc.layers.iter().find(|l| {
                        l.overlay.is_none()
                            && l.layer.source.path == d.path
                            && l.layer.name == r.layer
                    }) {
                        r.role = ml.role();
                    }
                }
                d.rows = rows;
                d.local_extent = extent;
            }
            JobEnd::Done(Err(e)) => d.read_error = Some(e),
            JobEnd::Cancelled | JobEnd::Crashed => {
                d.read_error = Some(self.persisted.lang.t(tx::JOB_CRASHED).to_string());
            }
        }
    }

    pub(super) fn cad_command(&mut self, ctx: &egui::Context, cmd: Command) {
        match cmd {
            Command::CadDialog(path) => self.open_cad_dialog(ctx, path),
            Command::CadCancel => self.cad = None,
            Command::CadCsvDialog => self.spawn_dialog(DialogKind::CadCsv),
            Command::CadLoadCsv(path) => {
                let lang = self.lang();
                if let Some(d) = &mut self.cad {
                    d.load_csv(&path, lang);
                }
            }
            Command::CadApply => self.cad_apply(ctx),
            _ => {}
        }
    }

    /// OK: the roles as the layers panel sets them; new coordinates reload the file (the
    /// dialog stays open until it loaded, or says why not).
    fn cad_apply(&mut self, ctx: &egui::Context) {
        let lang = self.lang();
        let Some(d) = &mut self.cad else {
            return;
        };
        let (coords, crs, control) = match d.coordinates(lang) {
            Ok(c) => c,
            Err(m) => {
                d.message = Some(m);
                return;
            }
        };
        let path = d.path.clone();
        let loaded: Vec<super::doc::LayerId> = self
            .doc
            .layers
            .iter()
            .filter(|l| l.overlay.is_none() && l.layer.source.path == path)
            .map(|l| l.id)
            .collect();
        let changed = d.coords_changed();
        if !changed && !loaded.is_empty() {
            let roles: Vec<(String, Option<Role>)> =
                d.rows.iter().map(|r| (r.layer.clone(), r.role)).collect();
            self.cad = None;
            for id in loaded {
                let role = self
                    .doc
                    .get(id)
                    .and_then(|l| roles.iter().find(|(n, _)| *n == l.layer.name))
                    .map(|(_, r)| *r);
                if let Some(role) = role {
                    self.apply(ctx, Command::SetRole(id, role));
                }
            }
            return;
        }
        let coords = if changed { coords } else { d.original.clone() };
        let key = path.display().to_string();
        // A drawing that is all the map has: the working CRS is chosen afresh from where it
        // lands now.
        let only_this = self
            .doc
            .layers
            .iter()
            .all(|l| l.overlay.is_some() || l.layer.source.path == path);
        let control = match (&coords.control_points, changed) {
            (_, true) => control,
            (Some(c), false) => {
                let dir = self
                    .project
                    .file
                    .as_deref()
                    .map(crate::project::inputs::project_dir)
                    .unwrap_or_default();
                let file = self.project.file.clone().unwrap_or_default();
                match c.transform(&dir, &file) {
                    Ok(ct) => Some(ct),
                    Err(m) => {
                        d.message = Some(m);
                        return;
                    }
                }
            }
            (None, false) => None,
        };
        let crs = if changed {
            crs
        } else {
            coords.crs.as_deref().and_then(|c| Crs::parse(c).ok())
        };
        // The text encoding and the seven-parameter datum shift the opened project gives this
        // file, kept on reloading.
        let opened = self
            .project
            .opened_inputs
            .iter()
            .find(|(p, _)| *p == path)
            .map(|(_, i)| i);
        let encoding = opened
            .and_then(|i| i.encoding.as_deref())
            .and_then(crate::io::encoding::encoding_from_label);
        let datum_shift = match opened.and_then(|i| i.datum_shift.as_deref()) {
            Some(text) => match crate::crs::DatumShift::parse(text) {
                Ok(shift) => Some(shift),
                Err(e) => {
                    d.message = Some(format!("datum_shift: {e}"));
                    return;
                }
            },
            None => None,
        };
        let options = LoadOptions {
            working_crs: if only_this {
                None
            } else {
                self.doc.working_crs.clone()
            },
            taxonomy: self.doc.taxonomy.clone(),
            crs_for: crs.map(|c| vec![(key.clone(), c)]).unwrap_or_default(),
            control_for: control.map(|c| vec![(key.clone(), c)]).unwrap_or_default(),
            datum_shift_for: datum_shift
                .map(|s| vec![(key.clone(), s)])
                .unwrap_or_default(),
            // One file: its encoding for the reader too (`load_files` reads with `read`).
            read: ReadOptions {
                encoding,
                ..ReadOptions::default()
            },
            encoding_for: encoding.map(|e| vec![(key.clone(), e)]).unwrap_or_default(),
            layer_role_for: d
                .rows
                .iter()
                .map(|r| (key.clone(), r.layer.clone(), r.role))
                .collect(),
            ..LoadOptions::default()
        };
        d.message = None;
        d.applying = Some(coords);
        let files = vec![path.clone()];
        let label = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        self.jobs.push(Job::spawn(label, ctx, move |progress| {
            load_files(&files, &options, progress).map(|mut l| {
                l.replaces = true;
                l
            })
        }));
    }

    /// A reload of the dialog's file ended: loaded, its coordinates are kept (for the project)
    /// and the dialog closes; failed, the dialog says why and the old layers stay.
    pub(super) fn cad_reloaded(&mut self, path: &Path, failure: Option<String>) {
        let Some(d) = &mut self.cad else {
            return;
        };
        if d.path != path {
            return;
        }
        let Some(coords) = d.applying.take() else {
            return;
        };
        if let Some(f) = failure {
            d.message = Some(f);
            return;
        }
        self.cad = None;
        let input = match self
            .project
            .opened_inputs
            .iter_mut()
            .find(|(p, _)| p == path)
        {
            Some((_, i)) => i,
            None => {
                let i = Input::new(path.display().to_string());
                self.project.opened_inputs.push((path.to_path_buf(), i));
                match self.project.opened_inputs.last_mut() {
                    Some((_, i)) => i,
                    None => return,
                }
            }
        };
        input.crs = coords.crs;
        input.control_points = coords.control_points;
    }

    /// The dialog's window; its commands are applied after drawing.
    pub(super) fn cad_window(&mut self, ctx: &egui::Context) -> Vec<Command> {
        let lang = self.lang();
        let busy = !self.jobs.is_empty();
        let taxonomy = &self.doc.taxonomy;
        let mut commands = Vec::new();
        let Some(d) = &mut self.cad else {
            return commands;
        };
        let mut open = true;
        egui::Window::new(lang.t(tx::CAD_DIALOG))
            .open(&mut open)
            .collapsible(false)
            .resizable(true)
            .default_width(680.0)
            .anchor(egui::Align2::CENTER_CENTER, [0.0, 0.0])
            .show(ctx, |ui| {
                commands.extend(cad_dialog_ui(ui, d, lang, taxonomy, busy));
            });
        if !open {
            commands.push(Command::CadCancel);
        }
        commands
    }
}

/// A geometry kind's name.
fn kind_text(kind: GeometryKind) -> super::i18n::Text {
    match kind {
        GeometryKind::Point => tx::KIND_POINT,
        GeometryKind::Line => tx::KIND_LINE,
        GeometryKind::Polygon => tx::KIND_POLYGON,
        GeometryKind::Mixed => tx::KIND_MIXED,
        GeometryKind::Empty => tx::KIND_EMPTY,
    }
}

/// The dialog's content. `busy`: files are loading (OK waits for them).
fn cad_dialog_ui(
    ui: &mut egui::Ui,
    d: &mut CadDialog,
    lang: Lang,
    taxonomy: &Taxonomy,
    busy: bool,
) -> Vec<Command> {
    let mut commands = Vec::new();
    ui.label(RichText::new(d.path.display().to_string()).strong());
    ui.label(RichText::new(lang.t(tx::CAD_LAYERS_HINT)).weak().small());
    if d.is_reading() {
        ui.horizontal(|ui| {
            ui.spinner();
            ui.label(lang.t(tx::CAD_READING));
        });
    }
    if let Some(e) = &d.read_error {
        ui.colored_label(Color32::from_rgb(0xc0, 0x10, 0x30), e);
    }
    if !d.rows.is_empty() {
        layers_grid_ui(ui, d, lang, taxonomy);
    }
    ui.separator();
    ui.strong(lang.t(tx::CAD_COORDINATES));
    coordinates_ui(ui, d, lang, &mut commands);
    if let Some(m) = &d.message {
        ui.colored_label(Color32::from_rgb(0xc0, 0x10, 0x30), m);
    }
    ui.separator();
    ui.horizontal(|ui| {
        let ready = !d.is_reading() && !d.is_applying() && !busy;
        if ui
            .add_enabled(ready, egui::Button::new(lang.t(tx::OK)))
            .clicked()
        {
            commands.push(Command::CadApply);
        }
        if ui.button(lang.t(tx::CANCEL)).clicked() {
            commands.push(Command::CadCancel);
        }
        if d.is_applying() || busy {
            ui.spinner();
            ui.label(lang.t(tx::LOADING));
        }
    });
    commands
}

/// The layers: CAD layer, entities, geometry, role (editable), category.
fn layers_grid_ui(ui: &mut egui::Ui, d: &mut CadDialog, lang: Lang, taxonomy: &Taxonomy) {
    egui::ScrollArea::vertical()
        .id_salt("cad-layers")
        .max_height(260.0)
        .show(ui, |ui| {
            egui::Grid::new("cad-layers-grid")
                .striped(true)
                .num_columns(5)
                .show(ui, |ui| {
                    for h in [
                        tx::CAD_LAYER,
                        tx::CAD_ENTITIES,
                        tx::CAD_GEOMETRY,
                        tx::ROLE,
                        tx::CAD_CATEGORY,
                    ] {
                        ui.strong(lang.t(h));
                    }
                    ui.end_row();
                    for (i, r) in d.rows.iter_mut().enumerate() {
                        let name = ui.label(&r.layer);
                        ui.label(r.features.to_string());
                        ui.label(lang.t(kind_text(r.kind)));
                        let shown = |role: Option<Role>| {
                            role.map_or(lang.t(tx::CAD_UNUSED), |x| lang.role(x))
                        };
                        let mut chosen = r.role;
                        egui::ComboBox::from_id_salt(("cad-role", i))
                            .selected_text(shown(r.role))
                            .show_ui(ui, |ui| {
                                ui.selectable_value(&mut chosen, None, lang.t(tx::CAD_UNUSED));
                                for role in Role::ALL {
                                    ui.selectable_value(&mut chosen, Some(role), lang.role(role));
                                }
                            })
                            .response
                            .labelled_by(name.id)
                            .on_hover_text(format!(
                                "{}: {}",
                                lang.t(tx::CAD_GUESSED),
                                shown(r.guessed)
                            ));
                        r.role = chosen;
                        let category = r
                            .category
                            .as_deref()
                            .filter(|_| r.role == Some(Role::Facilities))
                            .map(|c| {
                                taxonomy
                                    .by_id(c)
                                    .and_then(|id| taxonomy.get(id))
                                    .map_or_else(
                                        || c.to_string(),
                                        |cat| match lang {
                                            Lang::Zh => cat.zh.clone(),
                                            Lang::En => cat.en.clone(),
                                        },
                                    )
                            })
                            .unwrap_or_default();
                        ui.label(category);
                        ui.end_row();
                    }
                });
        });
}

/// The CRS and the control points with their fit.
fn coordinates_ui(ui: &mut egui::Ui, d: &mut CadDialog, lang: Lang, commands: &mut Vec<Command>) {
    ui.horizontal(|ui| {
        let label = ui.label(lang.t(tx::CAD_CRS));
        ui.add(
            egui::TextEdit::singleline(&mut d.crs_text)
                .hint_text(lang.t(tx::CAD_CRS_AUTO))
                .desired_width(160.0),
        )
        .labelled_by(label.id);
        egui::ComboBox::from_id_salt("cad-crs-presets")
            .selected_text(lang.t(tx::CAD_CRS_PRESETS))
            .show_ui(ui, |ui| {
                for code in CRS_PRESETS {
                    let crs = Crs::Epsg(code);
                    if ui.selectable_label(false, crs.label()).clicked() {
                        d.crs_text = format!("EPSG:{code}");
                    }
                }
            });
    });
    let fit = d.fit();
    // What the magnitudes say when no CRS is given: of the targets, or of the drawing.
    if d.crs_text.trim().is_empty() {
        let extent = match &fit {
            FitState::Fit(ct) => {
                let t: Vec<Coord<f64>> = ct.points.iter().map(|p| p.target).collect();
                geo::BoundingRect::bounding_rect(&geo_types::MultiPoint::from(t))
            }
            _ => d.local_extent,
        };
        if let Some(ext) = extent {
            let g = guess_from_extent(ext);
            match g.crs {
                Some(c) => ui.label(RichText::new(lang.crs_guess(&c.label())).small()),
                None if matches!(fit, FitState::NoPoints) => ui.colored_label(
                    Color32::from_rgb(0xb0, 0x70, 0x00),
                    lang.t(tx::CAD_NEEDS_POINTS),
                ),
                None => ui.label(RichText::new(g.reason).small()),
            };
        }
    }
    ui.label(RichText::new(lang.t(tx::CAD_POINTS_HINT)).weak().small());
    let residuals: Vec<f64> = match &fit {
        FitState::Fit(ct) => ct.residual_lengths().collect(),
        _ => Vec::new(),
    };
    let mut remove = None;
    let mut edited = false;
    egui::Grid::new("cad-points-grid")
        .striped(true)
        .num_columns(7)
        .show(ui, |ui| {
            ui.strong("#");
            for c in 0..4 {
                ui.strong(lang.point_column(c));
            }
            ui.strong(lang.t(tx::CAD_RESIDUAL));
            ui.label("");
            ui.end_row();
            // Residuals follow the points, which skip blank rows.
            let mut point = 0;
            for (i, row) in d.points.iter_mut().enumerate() {
                ui.label((i + 1).to_string());
                for (c, cell) in row.iter_mut().enumerate() {
                    let r = ui.add(
                        egui::TextEdit::singleline(cell)
                            .desired_width(110.0)
                            .hint_text(lang.point_column(c)),
                    );
                    edited |= r.changed();
                }
                let blank = row.iter().all(|c| c.trim().is_empty());
                match residuals.get(point).filter(|_| !blank) {
                    Some(&m) if m > ControlTransform::SUSPECT_RESIDUAL_M => {
                        ui.colored_label(Color32::from_rgb(0xc0, 0x10, 0x30), format!("⚠ {m:.3}"))
                            .on_hover_text(lang.t(tx::CAD_SUSPECT_HINT));
                    }
                    Some(&m) => {
                        ui.label(format!("{m:.3}"));
                    }
                    None => {
                        ui.label("");
                    }
                }
                if !blank {
                    point += 1;
                }
                if ui
                    .small_button("✖")
                    .on_hover_text(lang.t(tx::CAD_REMOVE_POINT))
                    .clicked()
                {
                    remove = Some(i);
                }
                ui.end_row();
            }
        });
    if let Some(i) = remove {
        d.points.remove(i);
        edited = true;
    }
    ui.horizontal(|ui| {
        if ui.button(lang.t(tx::CAD_ADD_POINT)).clicked() {
            d.points.push(Default::default());
            edited = true;
        }
        if ui.button(lang.t(tx::CAD_LOAD_CSV)).clicked() {
            commands.push(Command::CadCsvDialog);
        }
        if let Some(f) = &d.points_from {
            ui.label(RichText::new(f.display().to_string()).weak().small());
        }
    });
    if edited {
        d.points_from = None;
    }
    match &fit {
        FitState::NoPoints => {}
        FitState::BadCell(e) => {
            ui.colored_label(
                Color32::from_rgb(0xc0, 0x10, 0x30),
                lang.bad_cell(e.row, e.column, &e.text),
            );
        }
        FitState::NoFit(m) => {
            ui.colored_label(
                Color32::from_rgb(0xc0, 0x10, 0x30),
                format!("{}: {m}", lang.t(tx::CAD_NO_FIT)),
            );
        }
        FitState::Fit(ct) => {
            ui.label(lang.fit_summary(ct));
            if ct.suspect() {
                // The table's row of that point (blank rows are no points).
                let (m, i) = ct.fit.max_residual;
                let row = d
                    .points
                    .iter()
                    .enumerate()
                    .filter(|(_, r)| r.iter().any(|c| !c.trim().is_empty()))
                    .nth(i)
                    .map_or(i + 1, |(k, _)| k + 1);
                ui.colored_label(
                    Color32::from_rgb(0xc0, 0x10, 0x30),
                    lang.suspect_point(row, m),
                );
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rows(cells: &[[&str; 4]]) -> Vec<[String; 4]> {
        cells.iter().map(|r| r.map(str::to_string)).collect()
    }

    #[test]
    fn rows_parse_blank_rows_skipped_and_a_bad_cell_is_named() {
        let r = rows(&[
            ["0", "0", "100", "200"],
            ["", " ", "", ""],
            [" 10 ", "0", "110.5", "2e2"],
        ]);
        let p = parse_point_rows(&r).expect("numbers");
        assert_eq!(p.len(), 2);
        assert_eq!(p[1].local, Coord { x: 10.0, y: 0.0 });
        assert_eq!(p[1].target, Coord { x: 110.5, y: 200.0 });
        let bad = rows(&[["0", "0", "100", "200"], ["1", "2", "3x", "4"]]);
        assert_eq!(
            parse_point_rows(&bad),
            Err(CellError {
                row: 2,
                column: 2,
                text: "3x".into()
            })
        );
        let empty = rows(&[["1", "", "3", "4"]]);
        assert_eq!(parse_point_rows(&empty).map_err(|e| e.column), Err(1));
        let inf = rows(&[["1", "2", "inf", "4"]]);
        assert!(parse_point_rows(&inf).is_err());
    }

    #[test]
    fn coordinates_changed_by_their_numbers_not_their_writing() {
        let mut d = CadDialog::new(
            PathBuf::from("plan.dxf"),
            Coordinates {
                crs: Some("EPSG:4549".into()),
                control_points: None,
            },
        );
        d.original_rows = rows(&[["0", "0", "40499800", "3299900"]]);
        d.points = rows(&[["0.0", " 0", "40499800.0", "3.2998e6"], ["", "", "", ""]]);
        assert!(d.coords_changed(), "3.2998e6 is another number");
        d.points[0][3] = "3.2999e6".into();
        assert!(!d.coords_changed(), "the same numbers written otherwise");
        d.crs_text = " EPSG:4549 ".into();
        assert!(!d.coords_changed());
        d.crs_text.clear();
        assert!(d.coords_changed(), "the CRS left to the guess");
        d.crs_text = "EPSG:4549".into();
        d.points[0][0] = "x".into();
        assert!(d.coords_changed());
    }

    #[test]
    fn point_rows_give_back_the_same_numbers() {
        let points = vec![ControlPoint {
            local: Coord { x: 900.0, y: 0.25 },
            target: Coord {
                x: 40_500_699.413_1,
                y: 3_299_939.269_2,
            },
        }];
        let r = point_rows(&points);
        assert_eq!(r[0][2], "40500699.4131");
        assert_eq!(parse_point_rows(&r).expect("parse"), points);
    }

    #[test]
    fn the_fit_of_the_rows_or_why_there_is_none() {
        let src = Path::new(TYPED_POINTS);
        assert_eq!(
            fit_rows(&rows(&[["", "", "", ""]]), src),
            FitState::NoPoints
        );
        assert!(matches!(
            fit_rows(&rows(&[["0", "0", "100", "200"]]), src),
            FitState::NoFit(m) if m.contains("at least 2")
        ));
        assert!(matches!(
            fit_rows(&rows(&[["5", "5", "100", "200"], ["5", "5", "110", "200"]]), src),
            FitState::NoFit(m) if m.contains("one local place")
        ));
        assert!(matches!(
            fit_rows(&rows(&[["0", "0", "1", "x"]]), src),
            FitState::BadCell(CellError {
                row: 1,
                column: 3,
                ..
            })
        ));
        // Rotated by 90° and shifted, exactly; then a fourth point 30 m off is the suspect.
        let mut r = rows(&[
            ["0", "0", "1000", "2000"],
            ["100", "0", "1000", "2100"],
            ["0", "100", "900", "2000"],
        ]);
        let FitState::Fit(ct) = fit_rows(&r, src) else {
            panic!("a fit");
        };
        assert!((ct.fit.transform.rotation().to_degrees() - 90.0).abs() < 1e-9);
        assert!(!ct.suspect() && ct.fit.rms < 1e-9);
        assert_eq!(ct.points_file, Path::new(TYPED_POINTS));
        r.push(["100", "100", "900", "2130"].map(str::to_string));
        let FitState::Fit(ct) = fit_rows(&r, src) else {
            panic!("a fit");
        };
        assert!(ct.suspect());
        let lengths: Vec<f64> = ct.residual_lengths().collect();
        assert_eq!(lengths.len(), 4);
        assert_eq!(ct.fit.max_residual.1, 3, "{lengths:?}");
    }
}
