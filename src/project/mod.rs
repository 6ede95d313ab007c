//! The project file (`.towncircle`): one TOML file that records a session — the input files
//! (relative to the project file's folder where possible) with their role, CRS and encoding
//! overrides, the standards profile, the analysis settings, the scenarios (方案) with their
//! edits, the scenario shown and the map view. Documented in docs/project-file.md.
//!
//! - [`Project::read`] / [`Project::write`] (atomic: temporary file + rename, [`crate::io::atomic`]).
//!   A corrupt file is an error naming the file, the line and what is wrong; a file made by a
//!   newer towncircle (a larger `version`) is refused, never half-read. Keys this version does not
//!   know are kept and written back unchanged.
//! - [`inputs`]: input paths relative to the project, the inputs that are missing (listed, never
//!   dropped), the load options the overrides make.
//! - [`edit`]: scenarios and their edits (shared with the app); [`apply()`] applies one to loaded
//!   layers.
//! - [`recovery`]: the app's autosave copy.

pub mod apply;
pub mod edit;
pub mod inputs;
pub mod recovery;

pub use apply::{ApplyWarning, apply};
pub use edit::{Edit, FacilityRef, Scenario, round_lonlat};
pub use inputs::{MissingInput, ResolvedInput, ResolvedInputs};

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::model::Role;

/// The `format` every project file starts with.
pub const FORMAT: &str = "towncircle-project";
/// The version this towncircle writes and reads (a larger one is refused).
pub const VERSION: u32 = 1;
/// The file extension of project files.
pub const EXTENSION: &str = "towncircle";

/// A project file's content.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Project {
    /// Always [`FORMAT`].
    pub format: String,
    /// [`VERSION`] when written by this towncircle.
    pub version: u32,
    /// A shipped profile's name (`zhejiang-beautiful-towns`) or a profile file (relative to the
    /// project file's folder when under it). None: the default profile.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub profile: Option<String>,
    /// The scenario shown when the project was saved (None: the base).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub active_scenario: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub inputs: Vec<Input>,
    #[serde(default, skip_serializing_if = "Settings::is_empty")]
    pub analysis: Settings,
    // Written as [[scenarios]] tables (never `scenarios = []`), so that one can be appended
    // by hand.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub scenarios: Vec<Scenario>,
    /// Where the app's map looked.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub view: Option<View>,
    /// Keys this version does not know (written by a later one of the same `version`): kept
    /// and written back as they were. Filled by [`Project::from_toml`].
    #[serde(skip)]
    pub extra: toml::Table,
}

impl Default for Project {
    fn default() -> Self {
        Project {
            format: FORMAT.into(),
            version: VERSION,
            profile: None,
            active_scenario: None,
            inputs: Vec::new(),
            analysis: Settings::default(),
            scenarios: Vec::new(),
            view: None,
            extra: toml::Table::new(),
        }
    }
}

/// One input: a data file or a folder of them.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Input {
    /// Relative to the project file's folder when under it (with `/`), else absolute.
    pub path: String,
    /// The role, instead of the guess.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub role: Option<Role>,
    /// The CRS, instead of what the file declares (as `--crs-for`): `EPSG:4549`, `gcj02`, …
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub crs: Option<String>,
    /// The text encoding of its attributes, instead of what the file says: `GBK`, `UTF-8`, …
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub encoding: Option<String>,
    /// For a population raster: the age band (年龄段) its cells count (as `--age-band`): `60+`,
    /// `3-5`, `6-14`; beats the raster's description and file name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub age_band: Option<String>,
    /// For a drawing in a local (独立) coordinate system: its control points, a CSV file
    /// (local_x, local_y, x, y; as `--control-points`; relative to the project file's folder
    /// when under it) or the points themselves. The drawing is moved by the four-parameter
    /// transform fitted to the points.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub control_points: Option<ControlPoints>,
    /// For a drawing in Xi'an 1980 or Beijing 1954: the seven parameters (七参数) to CGCS2000,
    /// `"dx,dy,dz,rx,ry,rz,ppm"` with an optional `,cf`/`,pv` rotation convention (as
    /// `--datum-shift`; shifts in m, rotations in arc-seconds, scale in ppm). Combined with the
    /// file's CRS (its `crs`, or what it declares).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub datum_shift: Option<String>,
    /// For a file of several layers (a DXF drawing's CAD layers, a GeoPackage's tables, an OSM
    /// extract's kinds): each layer's role by its name, `none` for a layer left unused; beats
    /// the input's `role`, the CAD layer rules and the guess. The app writes them for such a
    /// file whenever its layers' roles differ.
    #[serde(default, skip_serializing_if = "std::collections::BTreeMap::is_empty")]
    pub layer_roles: std::collections::BTreeMap<String, String>,
    /// Keys this version does not know, kept and written back.
    #[serde(skip)]
    pub extra: toml::Table,
}

impl Input {
    /// An input with no overrides.
    pub fn new(path: impl Into<String>) -> Input {
        Input {
            path: path.into(),
            role: None,
            crs: None,
            encoding: None,
            age_band: None,
            control_points: None,
            datum_shift: None,
            layer_roles: std::collections::BTreeMap::new(),
            extra: toml::Table::new(),
        }
    }
}

/// An input's control points: a file, or the points written in the project (as the app keeps
/// points typed in its CAD import dialog, so the project needs no file beside it).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum ControlPoints {
    /// A CSV file (local_x, local_y, x, y), as the project writes paths.
    File(String),
    /// The points, each `[local_x, local_y, x, y]` (x, y in the input's `crs`).
    Inline(Vec<[f64; 4]>),
}

impl ControlPoints {
    /// The same points with the file's path changed by `f` (inline points as they are).
    pub fn map_path(&self, f: impl FnOnce(&str) -> String) -> ControlPoints {
        match self {
            ControlPoints::File(p) => ControlPoints::File(f(p)),
            ControlPoints::Inline(points) => ControlPoints::Inline(points.clone()),
        }
    }

    /// Inline points from control points.
    pub fn inline(points: &[crate::crs::ControlPoint]) -> ControlPoints {
        ControlPoints::Inline(
            points
                .iter()
                .map(|p| [p.local.x, p.local.y, p.target.x, p.target.y])
                .collect(),
        )
    }

    /// The fitted transform: a file read (relative paths against `dir`), inline points fitted;
    /// `project_file` names inline points in messages.
    pub fn transform(
        &self,
        dir: &Path,
        project_file: &Path,
    ) -> Result<crate::crs::ControlTransform, String> {
        match self {
            ControlPoints::File(f) => {
                crate::crs::ControlTransform::from_file(&inputs::resolve(dir, f))
                    .map_err(|e| e.to_string())
            }
            ControlPoints::Inline(points) => {
                let points = points
                    .iter()
                    .map(|[lx, ly, x, y]| crate::crs::ControlPoint {
                        local: geo_types::coord! {x: *lx, y: *ly},
                        target: geo_types::coord! {x: *x, y: *y},
                    })
                    .collect();
                crate::crs::ControlTransform::from_points(points, project_file)
                    .map_err(|e| e.to_string())
            }
        }
    }
}

/// The analysis settings (the `[analysis]` table); every one optional.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Settings {
    /// One travel mode for every tier (`walk`, `bike`, `ebike`, `car`); None: each tier's own.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mode: Option<String>,
    /// Tier minutes; None: the profile's tiers.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub minutes: Option<Vec<u32>>,
    /// A facility taxonomy file replacing the built-in one (relative to the project's folder
    /// when under it).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub categories: Option<String>,
    /// Keep only OSM features in this lon/lat box: [min_lon, min_lat, max_lon, max_lat].
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub clip_bbox: Option<[f64; 4]>,
    /// The CRS of files that declare none (as `--crs`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub crs: Option<String>,
    /// The text encoding of files that do not say (as `--encoding`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub encoding: Option<String>,
    /// Keys this version does not know, kept and written back.
    #[serde(skip)]
    pub extra: toml::Table,
}

impl Settings {
    /// No setting given.
    pub fn is_empty(&self) -> bool {
        self == &Settings::default()
    }
}

/// Where the map looked: the centre in WGS84 lon/lat and the scale (metres per screen point),
/// plus anything else the app keeps.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct View {
    pub centre: [f64; 2],
    pub m_per_pt: f64,
    /// Keys this version does not know, kept and written back.
    #[serde(skip)]
    pub extra: toml::Table,
}

/// Why a project file could not be read or written. Every message names the file.
#[derive(Debug, thiserror::Error)]
pub enum ProjectError {
    #[error("cannot read the project file ({source}): {}", path.display())]
    Open {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    /// Not TOML, or a value of the wrong kind: the line and column (1-based) and the reason.
    #[error("the project file is damaged at line {line}, column {column}: {message} — fix that line in a text editor, or open a backup: {}", path.display())]
    Corrupt {
        path: PathBuf,
        line: usize,
        column: usize,
        message: String,
    },
    #[error("not a towncircle project file ({what}): {}", path.display())]
    NotAProject { path: PathBuf, what: String },
    /// Written by a newer towncircle: refused rather than half-read.
    #[error("the project file was made by a newer towncircle (project format version {version}; this towncircle {} reads up to version {VERSION}); update towncircle to open it — the file was not changed: {}", env!("CARGO_PKG_VERSION"), path.display())]
    Newer { path: PathBuf, version: i64 },
    /// Something in the project that cannot be used (a bad CRS, an unknown category, a
    /// duplicate key): what and where.
    #[error("{message}: {}", path.display())]
    Invalid { path: PathBuf, message: String },
    #[error(transparent)]
    Write(#[from] crate::Error),
}

impl From<ProjectError> for crate::Error {
    fn from(e: ProjectError) -> crate::Error {
        match e {
            ProjectError::Write(e) => e,
            other => crate::Error::Config(other.to_string()),
        }
    }
}

const TOP_KEYS: &[&str] = &[
    "format",
    "version",
    "profile",
    "active_scenario",
    "inputs",
    "analysis",
    "scenarios",
    "view",
];
const INPUT_KEYS: &[&str] = &[
    "path",
    "role",
    "crs",
    "encoding",
    "age_band",
    "control_points",
    "datum_shift",
    "layer_roles",
];
const SETTINGS_KEYS: &[&str] = &[
    "mode",
    "minutes",
    "categories",
    "clip_bbox",
    "crs",
    "encoding",
];
const VIEW_KEYS: &[&str] = &["centre", "m_per_pt"];

/// The entries of `table` whose keys are not in `known`.
fn unknown(table: &toml::Table, known: &[&str]) -> toml::Table {
    table
        .iter()
        .filter(|(k, _)| !known.contains(&k.as_str()))
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect()
}

/// Add the entries of `extra` whose keys `table` does not have.
fn merge(table: &mut toml::Table, extra: &toml::Table) {
    for (k, v) in extra {
        if !table.contains_key(k) {
            table.insert(k.clone(), v.clone());
        }
    }
}

/// 1-based line and column of a byte offset.
fn line_col(text: &str, offset: usize) -> (usize, usize) {
    let offset = offset.min(text.len());
    let before = text.get(..offset).unwrap_or(text);
    let line = before.matches('\n').count() + 1;
    let column = before
        .rsplit('\n')
        .next()
        .map_or(1, |l| l.chars().count() + 1);
    (line, column)
}

fn corrupt(path: &Path, text: &str, e: &toml::de::Error) -> ProjectError {
    let (line, column) = e.span().map_or((1, 1), |s| line_col(text, s.start));
    ProjectError::Corrupt {
        path: path.to_path_buf(),
        line,
        column,
        message: e.message().trim().to_string(),
    }
}

impl Project {
    /// A new project with these inputs.
    pub fn new(inputs: Vec<Input>) -> Project {
        Project {
            inputs,
            ..Project::default()
        }
    }

    /// Parse a project file's text; `path` is for messages.
    pub fn from_toml(text: &str, path: &Path) -> Result<Project, ProjectError> {
        // First as plain TOML: syntax errors, the format and the version, before the fields are
        // judged (a newer version may have changed them).
        let table: toml::Table = toml::from_str(text).map_err(|e| corrupt(path, text, &e))?;
        match table.get("format") {
            Some(toml::Value::String(f)) if f == FORMAT => {}
            Some(other) => {
                return Err(ProjectError::NotAProject {
                    path: path.to_path_buf(),
                    what: format!("format = {other}, expected \"{FORMAT}\""),
                });
            }
            None => {
                return Err(ProjectError::NotAProject {
                    path: path.to_path_buf(),
                    what: format!("no format = \"{FORMAT}\" line"),
                });
            }
        }
        match table.get("version") {
            Some(toml::Value::Integer(v)) if *v > i64::from(VERSION) => {
                return Err(ProjectError::Newer {
                    path: path.to_path_buf(),
                    version: *v,
                });
            }
            Some(toml::Value::Integer(v)) if *v >= 1 => {}
            Some(other) => {
                return Err(ProjectError::NotAProject {
                    path: path.to_path_buf(),
                    what: format!("version = {other} is not a project format version"),
                });
            }
            None => {
                return Err(ProjectError::NotAProject {
                    path: path.to_path_buf(),
                    what: "no version line".into(),
                });
            }
        }
        let mut project: Project = toml::from_str(text).map_err(|e| corrupt(path, text, &e))?;
        project.keep_unknown(&table);
        project.check(path)?;
        Ok(project)
    }

    /// What the types cannot say: unique scenario names, unique added keys per scenario, an
    /// active scenario that exists.
    fn check(&self, path: &Path) -> Result<(), ProjectError> {
        let invalid = |message: String| ProjectError::Invalid {
            path: path.to_path_buf(),
            message,
        };
        for (i, s) in self.scenarios.iter().enumerate() {
            if s.name.trim().is_empty() {
                return Err(invalid(format!("scenario {} has no name", i + 1)));
            }
            if self.scenarios[..i].iter().any(|o| o.name == s.name) {
                return Err(invalid(format!(
                    "two scenarios are called \"{}\"; rename one",
                    s.name
                )));
            }
            let mut keys = std::collections::BTreeSet::new();
            for (n, e) in s.edits.iter().enumerate() {
                if let Edit::Add { key, .. } = e
                    && !keys.insert(*key)
                {
                    return Err(invalid(format!(
                        "scenario \"{}\", edit {}: key {key} is used by an earlier added facility; give each added facility its own key",
                        s.name,
                        n + 1
                    )));
                }
            }
        }
        if let Some(a) = &self.active_scenario
            && !self.scenarios.iter().any(|s| &s.name == a)
        {
            return Err(invalid(format!(
                "active_scenario = \"{a}\" names no scenario of the file"
            )));
        }
        Ok(())
    }

    /// Keep the keys of `table` (the file as plain TOML) that the types do not know.
    fn keep_unknown(&mut self, table: &toml::Table) {
        self.extra = unknown(table, TOP_KEYS);
        if let Some(toml::Value::Table(t)) = table.get("analysis") {
            self.analysis.extra = unknown(t, SETTINGS_KEYS);
        }
        if let (Some(toml::Value::Table(t)), Some(v)) = (table.get("view"), self.view.as_mut()) {
            v.extra = unknown(t, VIEW_KEYS);
        }
        if let Some(toml::Value::Array(items)) = table.get("inputs") {
            for (input, item) in self.inputs.iter_mut().zip(items) {
                if let toml::Value::Table(t) = item {
                    input.extra = unknown(t, INPUT_KEYS);
                }
            }
        }
    }

    fn has_unknown(&self) -> bool {
        !self.extra.is_empty()
            || !self.analysis.extra.is_empty()
            || self.view.as_ref().is_some_and(|v| !v.extra.is_empty())
            || self.inputs.iter().any(|i| !i.extra.is_empty())
    }

    /// The project as TOML text (positions rounded to 9 decimals), with the unknown keys it was
    /// read with.
    pub fn to_toml(&self) -> Result<String, ProjectError> {
        let fail = |e: &dyn std::fmt::Display| {
            ProjectError::Write(crate::Error::Config(format!(
                "the project could not be written as TOML ({e}); please report this"
            )))
        };
        if !self.has_unknown() {
            return toml::to_string_pretty(self).map_err(|e| fail(&e));
        }
        let mut table = toml::Table::try_from(self).map_err(|e| fail(&e))?;
        merge(&mut table, &self.extra);
        if let Some(toml::Value::Table(t)) = table.get_mut("analysis") {
            merge(t, &self.analysis.extra);
        }
        if let (Some(toml::Value::Table(t)), Some(v)) = (table.get_mut("view"), &self.view) {
            merge(t, &v.extra);
        }
        if let Some(toml::Value::Array(items)) = table.get_mut("inputs") {
            for (item, input) in items.iter_mut().zip(&self.inputs) {
                if let toml::Value::Table(t) = item {
                    merge(t, &input.extra);
                }
            }
        }
        toml::to_string_pretty(&table).map_err(|e| fail(&e))
    }

    /// Read a project file.
    pub fn read(path: &Path) -> Result<Project, ProjectError> {
        let bytes = std::fs::read(path).map_err(|source| ProjectError::Open {
            path: path.to_path_buf(),
            source,
        })?;
        let text = String::from_utf8(bytes).map_err(|e| {
            let (line, column) = line_col(
                &String::from_utf8_lossy(e.as_bytes()),
                e.utf8_error().valid_up_to(),
            );
            ProjectError::Corrupt {
                path: path.to_path_buf(),
                line,
                column,
                message: "the file is not UTF-8 text".into(),
            }
        })?;
        Project::from_toml(text.trim_start_matches('\u{feff}'), path)
    }

    /// Write the project file atomically: an old file stays whole until the new one is.
    pub fn write(&self, path: &Path) -> Result<(), ProjectError> {
        let text = self.to_toml()?;
        crate::io::atomic::write_bytes(path, text.as_bytes())?;
        Ok(())
    }

    /// The scenario called `name`.
    pub fn scenario(&self, name: &str) -> Option<&Scenario> {
        self.scenarios.iter().find(|s| s.name == name)
    }

    /// The scenario names, for messages ("方案一", "方案二").
    pub fn scenario_names(&self) -> Vec<&str> {
        self.scenarios.iter().map(|s| s.name.as_str()).collect()
    }

    /// Whether `path` names a project file (by its extension).
    pub fn is_project_path(path: &Path) -> bool {
        path.extension()
            .is_some_and(|e| e.eq_ignore_ascii_case(EXTENSION))
    }
}

#[cfg(test)]
mod tests;
