//! The app's recovery copy: the session autosaved (every minute and on exit) as a project file
//! in the app's own folder (next to its settings), so that after a crash it can offer to
//! restore. The copy records which project file it stands for (None: one never saved).
//!
//! The copy is a normal project file with two more top-level keys, `recovery_of` (the project
//! file's path) and `recovery_saved_unix` (when it was written, seconds since 1970); reading it
//! back gives the project without them. Writes are atomic like every project write.

use std::path::{Path, PathBuf};

use super::{Project, ProjectError};

/// The recovery file's name inside the folder given.
pub const RECOVERY_FILE: &str = "recovery.towncircle";

/// A recovery copy read back.
#[derive(Debug, Clone, PartialEq)]
pub struct Recovered {
    pub project: Project,
    /// The project file the session had open (None: an unsaved session).
    pub project_file: Option<PathBuf>,
    /// When the copy was written, seconds since 1970 (None when the key is missing).
    pub saved_unix: Option<i64>,
}

/// The recovery file in `dir`.
pub fn recovery_path(dir: &Path) -> PathBuf {
    dir.join(RECOVERY_FILE)
}

/// Write the recovery copy of `project` into `dir` (created when missing). `project_file` is
/// the file the session belongs to: the paths of `project` are relative to its folder, so the
/// copy holds them absolute (a session never saved keeps its paths as they are). Before saving
/// a restored session to a project file, [`Project::rebase`] it onto that file.
pub fn write_recovery(
    dir: &Path,
    project: &Project,
    project_file: Option<&Path>,
) -> Result<PathBuf, ProjectError> {
    std::fs::create_dir_all(dir).map_err(|source| ProjectError::Open {
        path: dir.to_path_buf(),
        source,
    })?;
    let mut copy = project.clone();
    if let Some(f) = project_file {
        // The copy lives elsewhere: its paths must not depend on its own folder.
        copy.rebase(Some(f), None);
        copy.extra.insert(
            "recovery_of".into(),
            toml::Value::String(super::inputs::absolute(f).display().to_string()),
        );
    }
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX));
    copy.extra
        .insert("recovery_saved_unix".into(), toml::Value::Integer(now));
    let path = recovery_path(dir);
    copy.write(&path)?;
    Ok(path)
}

/// The recovery copy in `dir`, if there is one. A damaged copy is an error (naming it), so the
/// app can say so and offer to delete it.
pub fn read_recovery(dir: &Path) -> Result<Option<Recovered>, ProjectError> {
    let path = recovery_path(dir);
    if !path.exists() {
        return Ok(None);
    }
    let mut project = Project::read(&path)?;
    let project_file = match project.extra.remove("recovery_of") {
        Some(toml::Value::String(s)) => Some(PathBuf::from(s)),
        _ => None,
    };
    let saved_unix = match project.extra.remove("recovery_saved_unix") {
        Some(toml::Value::Integer(t)) => Some(t),
        _ => None,
    };
    Ok(Some(Recovered {
        project,
        project_file,
        saved_unix,
    }))
}

/// Delete the recovery copy in `dir` (after a clean exit, or when the user declines it). No
/// copy is not an error.
pub fn delete_recovery(dir: &Path) -> Result<(), ProjectError> {
    let path = recovery_path(dir);
    match std::fs::remove_file(&path) {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
        Err(source) => Err(ProjectError::Open { path, source }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::layer::SourceId;
    use crate::project::{Edit, FacilityRef, Input, Scenario};

    #[test]
    fn recovery_round_trip_with_absolute_paths_and_delete() {
        let tmp = tempfile::tempdir().unwrap();
        let config = tmp.path().join("config");
        assert_eq!(read_recovery(&config).unwrap(), None);
        let project_file = tmp.path().join("town").join("清溪.towncircle");
        let mut p = Project::new(vec![Input::new("道路.shp")]);
        let mut s = Scenario::new("方案一");
        s.edits.push(Edit::Remove {
            facility: FacilityRef::Existing {
                file: "POI.csv".into(),
                layer: "POI".into(),
                feature: SourceId::Line(3),
            },
        });
        p.scenarios.push(s);
        let written = write_recovery(&config, &p, Some(&project_file)).unwrap();
        assert_eq!(written, config.join(RECOVERY_FILE));
        let r = read_recovery(&config).unwrap().unwrap();
        assert_eq!(r.project_file.as_deref(), Some(project_file.as_path()));
        assert!(r.saved_unix.is_some_and(|t| t > 1_600_000_000));
        let town = tmp.path().join("town");
        assert_eq!(
            Path::new(&r.project.inputs[0].path),
            town.join("道路.shp").as_path()
        );
        let Some(FacilityRef::Existing { file, .. }) = r.project.scenarios[0].edits[0].facility()
        else {
            panic!("existing")
        };
        assert_eq!(Path::new(file), town.join("POI.csv").as_path());
        assert!(r.project.extra.is_empty());
        // An unsaved session keeps its paths as they are.
        write_recovery(&config, &p, None).unwrap();
        let r = read_recovery(&config).unwrap().unwrap();
        assert_eq!(r.project_file, None);
        assert_eq!(r.project.inputs, p.inputs);
        delete_recovery(&config).unwrap();
        assert_eq!(read_recovery(&config).unwrap(), None);
        delete_recovery(&config).unwrap();
    }
}
