//! Each town's manifest (`towns/<name>/batch.json`): the input files with their size and
//! SHA-256, the hash of the profile, the towncircle version, the settings, the outputs written
//! (with their sizes) and the outcome. `--resume` skips a town when all of it still holds
//! ([`Manifest::stale_reason`]); `batch merge` rebuilds the city table from manifests alone.

use std::io::Read;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::error::{Error, IoError, Result};
use crate::project::Project;
use crate::project::inputs::project_dir;

use super::discover::{SourceKind, TownSource};
use super::{Outcome, Settings, VERSION};

/// The manifest format; changes when a field changes meaning.
pub const FORMAT: &str = "towncircle-batch-town/1";

/// One input file as it was when the town was analysed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct InputHash {
    /// Relative to the town's folder (or its project file's folder) when under it.
    pub file: String,
    pub bytes: u64,
    pub sha256: String,
}

/// One output file as written.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OutputFile {
    pub file: String,
    pub bytes: u64,
}

/// What a batch recorded about one town.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Manifest {
    pub format: String,
    /// The town's name (its folder or project file stem).
    pub town: String,
    /// The town's folder or project file, as the batch was given it.
    pub source: String,
    pub towncircle_version: String,
    pub settings: Settings,
    /// SHA-256 of the standards profile the batch resolved (the shipped default when none).
    pub profile_sha256: String,
    pub inputs: Vec<InputHash>,
    /// The report files in the town's folder (empty when it failed).
    pub outputs: Vec<OutputFile>,
    /// Seconds the town's analysis took (wall clock, in a worker).
    pub seconds: f64,
    #[serde(flatten)]
    pub outcome: Outcome,
}

/// SHA-256 of a byte string, as 64 hex digits.
pub fn sha256_hex(bytes: &[u8]) -> String {
    hex(&Sha256::digest(bytes))
}

fn hex(digest: &[u8]) -> String {
    digest.iter().map(|b| format!("{b:02x}")).collect()
}

/// Size and SHA-256 of a file, read in chunks.
pub fn hash_file(path: &Path) -> Result<(u64, String)> {
    let mut f = std::fs::File::open(path).map_err(|e| IoError::open(path, e))?;
    let mut h = Sha256::new();
    let mut buf = vec![0u8; 1 << 20];
    let mut total = 0u64;
    loop {
        let n = f.read(&mut buf).map_err(|e| IoError::open(path, e))?;
        if n == 0 {
            break;
        }
        total += n as u64;
        h.update(&buf[..n]);
    }
    Ok((total, hex(&h.finalize())))
}

/// SHA-256 of the standards profile `--profile` names (a shipped profile's text, a file's bytes;
/// the default profile's text when None), after checking that it reads as a profile.
pub fn profile_sha256(profile: Option<&str>) -> Result<String> {
    use crate::standards::profile::{DEFAULT_PROFILE_TOML, resolve_profile, shipped_profile_text};
    let Some(name) = profile else {
        return Ok(sha256_hex(DEFAULT_PROFILE_TOML.as_bytes()));
    };
    resolve_profile(name)?;
    if let Some(text) = shipped_profile_text(name) {
        return Ok(sha256_hex(text.as_bytes()));
    }
    Ok(hash_file(Path::new(name))?.1)
}

/// The files a town's analysis reads. A folder: every regular, non-hidden file directly in it
/// (data files and their sidecars: .shx, .dbf, .prj, .cpg). A project file: itself, its input
/// files with the sidecars beside each (files of the same stem), and a profile file it names.
/// A project that cannot be read contributes only itself (its analysis then fails and says why).
pub fn town_inputs(town: &TownSource) -> Vec<PathBuf> {
    let mut files = match town.kind {
        SourceKind::Folder => files_in(&town.path),
        SourceKind::Project => project_inputs(&town.path),
    };
    files.sort();
    files.dedup();
    files
}

fn files_in(dir: &Path) -> Vec<PathBuf> {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    entries
        .flatten()
        .filter(|e| !e.file_name().to_string_lossy().starts_with('.'))
        .map(|e| e.path())
        .filter(|p| p.is_file())
        .collect()
}

fn project_inputs(file: &Path) -> Vec<PathBuf> {
    let mut out = vec![file.to_path_buf()];
    let Ok(project) = Project::read(file) else {
        return out;
    };
    if let Some(p) = project.profile_arg(file).map(PathBuf::from)
        && p.is_file()
    {
        out.push(p);
    }
    let Ok(plan) = project.load_plan(file) else {
        return out;
    };
    for input in &plan.files {
        let (Some(dir), Some(stem)) = (input.parent(), input.file_stem()) else {
            continue;
        };
        out.extend(
            files_in(dir)
                .into_iter()
                .filter(|p| p.file_stem() == Some(stem)),
        );
    }
    out
}

/// The folder input names are written relative to.
fn base_dir(town: &TownSource) -> PathBuf {
    match town.kind {
        SourceKind::Folder => town.path.clone(),
        SourceKind::Project => project_dir(&town.path),
    }
}

/// Hash every input of a town ([`town_inputs`]). A file that cannot be read is an error naming it.
pub fn hash_inputs(town: &TownSource) -> Result<Vec<InputHash>> {
    let base = base_dir(town);
    let base_abs = crate::project::inputs::absolute(&base);
    town_inputs(town)
        .iter()
        .map(|p| {
            let (bytes, sha256) = hash_file(p)?;
            let abs = crate::project::inputs::absolute(p);
            let file = abs
                .strip_prefix(&base_abs)
                .or_else(|_| p.strip_prefix(&base))
                .unwrap_or(p)
                .to_string_lossy()
                .into_owned();
            Ok(InputHash {
                file,
                bytes,
                sha256,
            })
        })
        .collect()
}

impl Manifest {
    pub fn path(town_dir: &Path) -> PathBuf {
        town_dir.join(super::MANIFEST_FILE)
    }

    /// Read a town folder's manifest. Errors name the file.
    pub fn read(town_dir: &Path) -> Result<Manifest> {
        let path = Manifest::path(town_dir);
        let text = std::fs::read_to_string(&path).map_err(|e| IoError::open(&path, e))?;
        let m: Manifest = serde_json::from_str(&text).map_err(|e| {
            Error::Config(format!(
                "{}: not a towncircle batch manifest ({e}); run the batch for this town again",
                path.display()
            ))
        })?;
        if m.format != FORMAT {
            return Err(Error::Config(format!(
                "{}: manifest format {} (this towncircle reads {FORMAT}); run the batch for this town again",
                path.display(),
                m.format
            )));
        }
        Ok(m)
    }

    /// Write it atomically into `town_dir`.
    pub fn write(&self, town_dir: &Path) -> Result<()> {
        let json = serde_json::to_vec_pretty(self).map_err(|e| {
            Error::Config(format!(
                "the manifest could not be encoded ({e}); please report this"
            ))
        })?;
        crate::io::atomic::write_bytes(&Manifest::path(town_dir), &json)
    }

    /// Why this manifest no longer describes what a run with `inputs`, `settings` and
    /// `profile_sha256` would write into `town_dir` (None: up to date, nothing to do). A failed
    /// town is up to date while nothing it was given changed: the same inputs fail the same way.
    pub fn stale_reason(
        &self,
        inputs: &[InputHash],
        settings: &Settings,
        profile_sha256: &str,
        town_dir: &Path,
    ) -> Option<String> {
        if self.towncircle_version != VERSION {
            return Some(format!(
                "made by towncircle {} (this is {VERSION})",
                self.towncircle_version
            ));
        }
        if &self.settings != settings {
            return Some("other settings".into());
        }
        if self.profile_sha256 != profile_sha256 {
            return Some("the profile changed".into());
        }
        if self.inputs != inputs {
            let changed = inputs
                .iter()
                .filter(|i| !self.inputs.contains(i))
                .map(|i| i.file.clone())
                .chain(
                    self.inputs
                        .iter()
                        .filter(|o| !inputs.iter().any(|i| i.file == o.file))
                        .map(|o| format!("{} (removed)", o.file)),
                )
                .collect::<Vec<_>>();
            return Some(format!("inputs changed: {}", changed.join(", ")));
        }
        for o in &self.outputs {
            let p = town_dir.join(&o.file);
            match std::fs::metadata(&p) {
                Ok(m) if m.len() == o.bytes => {}
                Ok(_) => return Some(format!("{} changed", o.file)),
                Err(_) => return Some(format!("{} is missing", o.file)),
            }
        }
        if matches!(self.outcome, Outcome::Done { .. }) && self.outputs.is_empty() {
            return Some("no outputs recorded".into());
        }
        None
    }
}

/// The sizes of the report files written into `town_dir`.
pub fn output_files(town_dir: &Path, names: &[&str]) -> Result<Vec<OutputFile>> {
    names
        .iter()
        .map(|n| {
            let p = town_dir.join(n);
            let m = std::fs::metadata(&p).map_err(|e| IoError::open(&p, e))?;
            Ok(OutputFile {
                file: (*n).to_string(),
                bytes: m.len(),
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::batch::{Failure, FailureKind};

    fn settings() -> Settings {
        Settings {
            profile: None,
            mode: None,
            lang: "zh".into(),
        }
    }

    #[test]
    fn sha256_of_known_strings() {
        assert_eq!(
            sha256_hex(b"abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("a.txt");
        std::fs::write(&p, b"abc").unwrap();
        assert_eq!(hash_file(&p).unwrap(), (3, sha256_hex(b"abc")));
        assert!(hash_file(&dir.path().join("none")).is_err());
    }

    #[test]
    fn manifest_round_trips_and_tells_what_is_stale() {
        let dir = tempfile::tempdir().unwrap();
        let town = dir.path().join("甲镇");
        std::fs::create_dir(&town).unwrap();
        std::fs::write(town.join("道路.shp"), b"roads").unwrap();
        std::fs::write(town.join(".hidden"), b"x").unwrap();
        let src = TownSource {
            name: "甲镇".into(),
            path: town.clone(),
            kind: SourceKind::Folder,
        };
        let inputs = hash_inputs(&src).unwrap();
        assert_eq!(inputs.len(), 1);
        assert_eq!(inputs[0].file, "道路.shp");
        let out = dir.path().join("out");
        std::fs::create_dir(&out).unwrap();
        let m = Manifest {
            format: FORMAT.into(),
            town: "甲镇".into(),
            source: town.display().to_string(),
            towncircle_version: VERSION.into(),
            settings: settings(),
            profile_sha256: "p".into(),
            inputs: inputs.clone(),
            outputs: vec![],
            seconds: 1.5,
            outcome: Outcome::Failed {
                failure: Failure::new(FailureKind::NoRoads, "no road layer"),
            },
        };
        m.write(&out).unwrap();
        let back = Manifest::read(&out).unwrap();
        assert_eq!(back, m);
        assert_eq!(back.stale_reason(&inputs, &settings(), "p", &out), None);
        assert_eq!(
            back.stale_reason(&inputs, &settings(), "q", &out)
                .as_deref(),
            Some("the profile changed")
        );
        let mut en = settings();
        en.lang = "en".into();
        assert!(back.stale_reason(&inputs, &en, "p", &out).is_some());
        std::fs::write(town.join("道路.shp"), b"roadz").unwrap();
        let changed = hash_inputs(&src).unwrap();
        let why = back.stale_reason(&changed, &settings(), "p", &out).unwrap();
        assert!(why.contains("道路.shp"), "{why}");
        // A done town whose recorded output went missing is stale.
        let mut done = back.clone();
        done.outputs = vec![OutputFile {
            file: "report.html".into(),
            bytes: 3,
        }];
        let why = done.stale_reason(&inputs, &settings(), "p", &out).unwrap();
        assert!(why.contains("report.html is missing"), "{why}");
        std::fs::write(out.join("report.html"), b"abc").unwrap();
        assert_eq!(done.stale_reason(&inputs, &settings(), "p", &out), None);
        std::fs::write(out.join("batch.json"), b"{").unwrap();
        assert!(
            Manifest::read(&out)
                .unwrap_err()
                .to_string()
                .contains("batch.json")
        );
    }
}
