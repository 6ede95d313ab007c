//! A project's inputs on disk: paths relative to the project file's folder, the inputs that are
//! missing (listed, never dropped: the app asks for each, the CLI names them), moving an input,
//! and the load options its overrides make.

use std::path::{Component, Path, PathBuf};

use crate::crs::Crs;
use crate::io::encoding::encoding_from_label;
use crate::io::{Clip, LoadOptions, ReadOptions, expand_paths};
use crate::model::{AgeBand, Role, Taxonomy};

use super::{Edit, Input, Project, ProjectError};

/// The folder paths of a project are relative to: the project file's own folder.
pub fn project_dir(project_file: &Path) -> PathBuf {
    match project_file.parent() {
        Some(p) if !p.as_os_str().is_empty() => absolute(p),
        _ => absolute(Path::new(".")),
    }
}

/// `path` made absolute (against the current folder) with `.` and `..` taken out, without
/// touching the disk (the file may not exist).
pub fn absolute(path: &Path) -> PathBuf {
    let joined = if path.is_absolute() {
        path.to_path_buf()
    } else {
        std::env::current_dir()
            .map(|d| d.join(path))
            .unwrap_or_else(|_| path.to_path_buf())
    };
    let mut out = PathBuf::new();
    for c in joined.components() {
        match c {
            Component::CurDir => {}
            Component::ParentDir => {
                out.pop();
            }
            other => out.push(other.as_os_str()),
        }
    }
    out
}

/// How a path is written in the project: relative to `dir` (with `/`) when under it, else
/// absolute.
pub fn written_path(dir: &Path, path: &Path) -> String {
    let abs = absolute(path);
    let dir = absolute(dir);
    let rel = abs
        .strip_prefix(&dir)
        .ok()
        .map(Path::to_path_buf)
        .or_else(|| {
            // Through symbolic links (/tmp → /private/tmp) when both exist.
            let (a, d) = (abs.canonicalize().ok()?, dir.canonicalize().ok()?);
            a.strip_prefix(&d).ok().map(Path::to_path_buf)
        });
    match rel {
        Some(r) if !r.as_os_str().is_empty() => r
            .components()
            .map(|c| c.as_os_str().to_string_lossy().into_owned())
            .collect::<Vec<_>>()
            .join("/"),
        Some(_) => ".".into(),
        None => abs.display().to_string(),
    }
}

/// The file a written path names: absolute as is, else under `dir`.
pub fn resolve(dir: &Path, written: &str) -> PathBuf {
    let p = Path::new(written);
    if p.is_absolute() {
        p.to_path_buf()
    } else {
        absolute(&dir.join(p))
    }
}

/// An input found on disk.
#[derive(Debug, Clone, PartialEq)]
pub struct ResolvedInput {
    /// Index in [`Project::inputs`].
    pub index: usize,
    /// The file or folder, absolute.
    pub path: PathBuf,
}

/// An input that is not where the project says.
#[derive(Debug, Clone, PartialEq)]
pub struct MissingInput {
    /// Index in [`Project::inputs`].
    pub index: usize,
    /// The path as written in the project.
    pub written: String,
    /// Where it was looked for.
    pub looked_at: PathBuf,
}

impl std::fmt::Display for MissingInput {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if Path::new(&self.written).is_absolute() {
            write!(f, "{}", self.written)
        } else {
            write!(
                f,
                "{} (looked for {})",
                self.written,
                self.looked_at.display()
            )
        }
    }
}

/// The inputs of a project, found or missing.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ResolvedInputs {
    pub found: Vec<ResolvedInput>,
    pub missing: Vec<MissingInput>,
}

impl ResolvedInputs {
    /// The missing inputs in one message, or None when every input is there.
    pub fn missing_message(&self, project_file: &Path) -> Option<String> {
        if self.missing.is_empty() {
            return None;
        }
        let list: Vec<String> = self.missing.iter().map(|m| format!("  {m}")).collect();
        Some(format!(
            "{} input file(s) of the project {} are missing (moved, renamed or on another drive?):\n{}\nput them back, or open the project in the app to point to their new place",
            self.missing.len(),
            project_file.display(),
            list.join("\n")
        ))
    }
}

/// What loading a project's inputs needs: the files, the roles it forces, the options.
#[derive(Debug, Clone)]
pub struct LoadPlan {
    /// Every input file (folders expanded), absolute.
    pub files: Vec<PathBuf>,
    /// Files whose role the project sets.
    pub roles: Vec<(PathBuf, Role)>,
    pub options: LoadOptions,
}

impl Project {
    /// Find every input; a missing one is listed, not dropped.
    pub fn resolve_inputs(&self, project_file: &Path) -> ResolvedInputs {
        let dir = project_dir(project_file);
        let mut out = ResolvedInputs::default();
        for (index, input) in self.inputs.iter().enumerate() {
            let path = resolve(&dir, &input.path);
            if path.exists() {
                out.found.push(ResolvedInput { index, path });
            } else {
                out.missing.push(MissingInput {
                    index,
                    written: input.path.clone(),
                    looked_at: path,
                });
            }
        }
        out
    }

    /// Add an input as the project writes it (relative to its folder when under it).
    pub fn add_input(&mut self, project_file: &Path, path: &Path) -> &mut Input {
        let written = written_path(&project_dir(project_file), path);
        self.inputs.push(Input::new(written));
        let last = self.inputs.len() - 1;
        &mut self.inputs[last]
    }

    /// How the project writes the file a layer came from (the `file` of
    /// [`super::FacilityRef::Existing`]).
    pub fn file_key(project_file: &Path, path: &Path) -> String {
        written_path(&project_dir(project_file), path)
    }

    /// Point input `index` at a new place (the user found a moved file): the input and every
    /// edit naming a file of it follow. Returns how many edits changed.
    pub fn relocate_input(&mut self, project_file: &Path, index: usize, new_path: &Path) -> usize {
        let Some(input) = self.inputs.get_mut(index) else {
            return 0;
        };
        let old = input.path.clone();
        let new = written_path(&project_dir(project_file), new_path);
        input.path = new.clone();
        let mut changed = 0;
        for s in &mut self.scenarios {
            for e in &mut s.edits {
                let facility = match e {
                    Edit::Move { facility, .. }
                    | Edit::Remove { facility }
                    | Edit::Recategorize { facility, .. } => facility,
                    Edit::Add { .. } => continue,
                };
                if let super::FacilityRef::Existing { file, .. } = facility {
                    if *file == old {
                        *file = new.clone();
                        changed += 1;
                    } else if let Some(rest) = file.strip_prefix(&format!("{old}/")) {
                        *file = format!("{new}/{rest}");
                        changed += 1;
                    }
                }
            }
        }
        changed
    }

    /// Rewrite every path of the project (inputs, the taxonomy file, a profile file, the files
    /// of edits) from being relative to the folder of `from` (None: as they are, relative to
    /// the current folder) to being relative to the folder of `to` (None: absolute). For saving
    /// a project into another folder, and for the recovery copy.
    pub fn rebase(&mut self, from: Option<&Path>, to: Option<&Path>) {
        let from_dir = from.map_or_else(|| absolute(Path::new(".")), project_dir);
        let to_dir = to.map(project_dir);
        let move_path = |p: &mut String| {
            let abs = resolve(&from_dir, p);
            *p = match &to_dir {
                Some(d) => written_path(d, &abs),
                None => abs.display().to_string(),
            };
        };
        for input in &mut self.inputs {
            move_path(&mut input.path);
        }
        if let Some(c) = &mut self.analysis.categories {
            move_path(c);
        }
        if let Some(p) = &mut self.profile
            && resolve(&from_dir, p).is_file()
        {
            move_path(p);
        }
        for s in &mut self.scenarios {
            for e in &mut s.edits {
                if let Edit::Move { facility, .. }
                | Edit::Remove { facility }
                | Edit::Recategorize { facility, .. } = e
                    && let super::FacilityRef::Existing { file, .. } = facility
                {
                    move_path(file);
                }
            }
        }
    }

    /// A profile file given relative to the project resolved against its folder; a shipped
    /// profile's name as it is.
    pub fn profile_arg(&self, project_file: &Path) -> Option<String> {
        let p = self.profile.as_deref()?;
        let under = resolve(&project_dir(project_file), p);
        Some(if !Path::new(p).is_absolute() && under.is_file() {
            under.display().to_string()
        } else {
            p.to_string()
        })
    }

    /// The files to load, the roles the project sets, and the load options its overrides make
    /// (CRS and encoding per input and by default, the taxonomy file, the clip box). Missing
    /// inputs are an error naming each (see [`Project::resolve_inputs`] to handle them one by
    /// one); a bad CRS, encoding or box names the input.
    pub fn load_plan(&self, project_file: &Path) -> Result<LoadPlan, ProjectError> {
        let invalid = |message: String| ProjectError::Invalid {
            path: project_file.to_path_buf(),
            message,
        };
        let resolved = self.resolve_inputs(project_file);
        if let Some(m) = resolved.missing_message(project_file) {
            return Err(invalid(m));
        }
        let dir = project_dir(project_file);
        let a = &self.analysis;
        let parse_crs = |text: &str, what: &str| {
            Crs::parse(text).map_err(|e| invalid(format!("{what}: crs = \"{text}\": {e}")))
        };
        let parse_encoding = |text: &str, what: &str| {
            encoding_from_label(text).ok_or_else(|| {
                invalid(format!(
                    "{what}: encoding = \"{text}\" is unknown (use UTF-8, GBK or GB18030)"
                ))
            })
        };
        let mut options = LoadOptions {
            read: ReadOptions {
                encoding: a
                    .encoding
                    .as_deref()
                    .map(|e| parse_encoding(e, "[analysis]"))
                    .transpose()?,
                crs: None,
                clip: match a.clip_bbox {
                    Some([w, s, e, n]) if w < e && s < n => Some(Clip::BBox(geo_types::Rect::new(
                        geo_types::coord! {x: w, y: s},
                        geo_types::coord! {x: e, y: n},
                    ))),
                    Some(b) => {
                        return Err(invalid(format!(
                            "[analysis] clip_bbox = {b:?}: expected [min_lon, min_lat, max_lon, max_lat] with the minimum below the maximum"
                        )));
                    }
                    None => None,
                },
                cad_layers: None,
            },
            working_crs: None,
            taxonomy: match &a.categories {
                Some(c) => Taxonomy::from_file(&resolve(&dir, c))
                    .map_err(|e| invalid(format!("[analysis] categories = \"{c}\": {e}")))?,
                None => Taxonomy::default(),
            },
            default_crs: a
                .crs
                .as_deref()
                .map(|c| parse_crs(c, "[analysis]"))
                .transpose()?,
            crs_for: Vec::new(),
            encoding_for: Vec::new(),
            age_band_for: Vec::new(),
            control_for: Vec::new(),
            datum_shift_for: Vec::new(),
            layer_role_for: Vec::new(),
        };
        let mut files = Vec::new();
        let mut roles = Vec::new();
        for r in &resolved.found {
            let input = &self.inputs[r.index];
            let what = format!("input {} ({})", r.index + 1, input.path);
            let crs = input
                .crs
                .as_deref()
                .map(|c| parse_crs(c, &what))
                .transpose()?;
            let encoding = input
                .encoding
                .as_deref()
                .map(|e| parse_encoding(e, &what))
                .transpose()?;
            let age_band = input
                .age_band
                .as_deref()
                .map(|b| AgeBand::parse(b).map_err(|e| invalid(format!("{what}: age_band: {e}"))))
                .transpose()?;
            let control = input
                .control_points
                .as_ref()
                .map(|c| {
                    c.transform(&dir, project_file)
                        .map_err(|e| invalid(format!("{what}: control_points: {e}")))
                })
                .transpose()?;
            let datum_shift = input
                .datum_shift
                .as_deref()
                .map(|d| {
                    crate::crs::DatumShift::parse(d)
                        .map_err(|e| invalid(format!("{what}: datum_shift = \"{d}\": {e}")))
                })
                .transpose()?;
            let mut layer_roles = Vec::new();
            for (layer, role) in &input.layer_roles {
                let role = match role.trim() {
                    "none" | "" => None,
                    other => Some(Role::parse(other).ok_or_else(|| {
                        invalid(format!(
                            "{what}: layer_roles: \"{layer}\" = \"{other}\" is not a role (boundary, built_up_area, villages, roads, facilities, buildings, greenway, sewers, water, grid, admin_boundaries, population, or none)"
                        ))
                    })?),
                };
                layer_roles.push((layer.clone(), role));
            }
            for f in expand_paths(std::slice::from_ref(&r.path)) {
                let key = f.display().to_string();
                for (layer, role) in &layer_roles {
                    options
                        .layer_role_for
                        .push((key.clone(), layer.clone(), *role));
                }
                if let Some(c) = &control {
                    options.control_for.push((key.clone(), c.clone()));
                }
                if let Some(d) = datum_shift {
                    options.datum_shift_for.push((key.clone(), d));
                }
                if let Some(c) = &crs {
                    options.crs_for.push((key.clone(), c.clone()));
                }
                if let Some(b) = age_band {
                    options.age_band_for.push((key.clone(), b));
                }
                if let Some(e) = encoding {
                    options.encoding_for.push((key, e));
                }
                if let Some(role) = input.role {
                    roles.push((f.clone(), role));
                }
                files.push(f);
            }
        }
        Ok(LoadPlan {
            files,
            roles,
            options,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn written_paths_are_relative_under_the_project_folder() {
        let dir = Path::new("/data/town");
        assert_eq!(
            written_path(dir, Path::new("/data/town/道路.shp")),
            "道路.shp"
        );
        assert_eq!(
            written_path(dir, Path::new("/data/town/sub/../poi/a.csv")),
            "poi/a.csv"
        );
        assert_eq!(
            written_path(dir, Path::new("/elsewhere/b.gpkg")),
            "/elsewhere/b.gpkg"
        );
        assert_eq!(written_path(dir, Path::new("/data/town")), ".");
        assert_eq!(
            resolve(dir, "poi/a.csv"),
            PathBuf::from("/data/town/poi/a.csv")
        );
        assert_eq!(resolve(dir, "/x/y.shp"), PathBuf::from("/x/y.shp"));
        assert_eq!(
            resolve(dir, "../other/z.shp"),
            PathBuf::from("/data/other/z.shp")
        );
    }
}
