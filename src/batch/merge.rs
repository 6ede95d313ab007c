//! `towncircle batch merge`: the city outputs of several shard runs (`batch --shard i/n` on
//! different machines) rebuilt as one. Each source's `towns/<name>/` folders (report and
//! manifest) are brought into the target — hard-linked where the file system allows, else copied
//! — and the city table is made from every manifest, exactly as an unsharded run makes it.

use std::path::{Path, PathBuf};

use crate::error::{Error, IoError, Result};

use super::manifest::Manifest;
use super::run::Row;
use super::{Settings, TOWNS_DIR};

/// The towns of one batch output folder: (name, its folder), sorted by name.
pub fn town_dirs(out: &Path) -> Result<Vec<(String, PathBuf)>> {
    let towns = out.join(TOWNS_DIR);
    let entries = std::fs::read_dir(&towns).map_err(|e| IoError::open(&towns, e))?;
    let mut found: Vec<(String, PathBuf)> = entries
        .flatten()
        .filter(|e| e.path().is_dir())
        .map(|e| (e.file_name().to_string_lossy().into_owned(), e.path()))
        .filter(|(n, p)| !n.starts_with('.') && Manifest::path(p).is_file())
        .collect();
    found.sort();
    Ok(found)
}

/// The rows of every town under `out` from their manifests. A damaged manifest is an error
/// naming it.
pub fn rows_of(out: &Path) -> Result<Vec<Row>> {
    town_dirs(out)?
        .into_iter()
        .map(|(_, dir)| Manifest::read(&dir).map(Row::from_manifest))
        .collect()
}

fn same_dir(a: &Path, b: &Path) -> bool {
    match (a.canonicalize(), b.canonicalize()) {
        (Ok(x), Ok(y)) => x == y,
        _ => a == b,
    }
}

/// Copy a town's folder, replacing the target's folder of that name.
fn bring(from: &Path, to: &Path) -> Result<()> {
    if to.exists() {
        std::fs::remove_dir_all(to).map_err(|e| IoError::open(to, e))?;
    }
    std::fs::create_dir_all(to).map_err(|e| IoError::open(to, e))?;
    let entries = std::fs::read_dir(from).map_err(|e| IoError::open(from, e))?;
    for e in entries.flatten() {
        let src = e.path();
        let dst = to.join(e.file_name());
        if src.is_dir() {
            bring(&src, &dst)?;
        } else if std::fs::hard_link(&src, &dst).is_err() {
            std::fs::copy(&src, &dst).map_err(|e| IoError::open(&dst, e))?;
        }
    }
    Ok(())
}

/// Bring the towns of every `sources` folder into `target` and return all rows. The same town
/// in two sources is an error naming both (merge the shards of one batch only); a source that
/// is the target itself is read in place.
pub fn merge_into(sources: &[PathBuf], target: &Path) -> Result<Merged> {
    let mut seen: Vec<(String, PathBuf)> = Vec::new();
    let mut plan: Vec<(String, PathBuf, bool)> = Vec::new();
    for src in sources {
        let in_place = same_dir(src, target);
        for (name, dir) in town_dirs(src)? {
            if let Some((_, other)) = seen.iter().find(|(n, _)| *n == name) {
                return Err(Error::Config(format!(
                    "town {name} is in both {} and {}: merge the outputs of one batch's shards (--shard i/n) only",
                    other.display(),
                    src.display()
                )));
            }
            seen.push((name.clone(), src.clone()));
            plan.push((name, dir, in_place));
        }
    }
    let mut rows = Vec::with_capacity(plan.len());
    let mut settings: Vec<Settings> = Vec::new();
    for (name, dir, in_place) in plan {
        let here = super::run::town_dir(target, &name);
        if !in_place {
            bring(&dir, &here)?;
        }
        let m = Manifest::read(&here)?;
        if !settings.contains(&m.settings) {
            settings.push(m.settings.clone());
        }
        rows.push(Row::from_manifest(m));
    }
    Ok(Merged {
        rows,
        settings: match <[Settings; 1]>::try_from(settings) {
            Ok([one]) => Some(one),
            Err(_) => None,
        },
    })
}

/// The rows brought together, and the settings when every town had the same.
#[derive(Debug, Clone)]
pub struct Merged {
    pub rows: Vec<Row>,
    pub settings: Option<Settings>,
}
