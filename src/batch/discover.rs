//! The towns of a city folder, and the share of them one machine takes.
//!
//! A town is a folder (its data files, as `towncircle analyze FOLDER` reads them) or a project
//! file `NAME.towncircle` directly in the city folder; its name is the folder's or the project
//! file's stem. When both `NAME/` and `NAME.towncircle` are there, the project file is the town
//! (the folder is taken as its data). Hidden entries (a leading `.`) and other files are left
//! out. Towns are sorted by name (byte order), so every machine sees the same list.

use std::path::{Path, PathBuf};

use crate::error::{Error, IoError, Result};
use crate::project::Project;

/// Whether a town is a folder of data files or a project file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SourceKind {
    Folder,
    Project,
}

/// One town of the city folder.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TownSource {
    /// The folder's name or the project file's stem: the name of its report folder and row.
    pub name: String,
    pub path: PathBuf,
    pub kind: SourceKind,
}

/// The towns of `city_dir`, sorted by name. Errors when the folder cannot be listed.
pub fn discover(city_dir: &Path) -> Result<Vec<TownSource>> {
    let entries = std::fs::read_dir(city_dir).map_err(|e| IoError::open(city_dir, e))?;
    let mut towns: Vec<TownSource> = Vec::new();
    for entry in entries {
        let entry = entry.map_err(|e| IoError::open(city_dir, e))?;
        let path = entry.path();
        let file_name = entry.file_name().to_string_lossy().into_owned();
        if file_name.starts_with('.') {
            continue;
        }
        let (name, kind) = if path.is_dir() {
            (file_name, SourceKind::Folder)
        } else if path.is_file() && Project::is_project_path(&path) {
            let stem = path
                .file_stem()
                .map(|s| s.to_string_lossy().into_owned())
                .unwrap_or_default();
            (stem, SourceKind::Project)
        } else {
            continue;
        };
        if name.is_empty() {
            continue;
        }
        match towns.iter_mut().find(|t| t.name == name) {
            // A project file and its data folder of the same name: the project is the town.
            Some(t) if kind == SourceKind::Project => {
                *t = TownSource { name, path, kind };
            }
            Some(_) => {}
            None => towns.push(TownSource { name, path, kind }),
        }
    }
    towns.sort_by(|a, b| a.name.cmp(&b.name));
    Ok(towns)
}

/// `--shard i/n`: machine `i` of `n` takes the towns whose position in the sorted list (from 0)
/// is `i - 1` modulo `n`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Shard {
    /// 1-based.
    pub index: usize,
    pub count: usize,
}

impl Shard {
    /// Parse "i/n" with 1 ≤ i ≤ n.
    pub fn parse(text: &str) -> Result<Shard> {
        let bad = || {
            Error::Config(format!(
                "--shard {text}: expected I/N with 1 ≤ I ≤ N, e.g. 2/4 for the second of four machines"
            ))
        };
        let (i, n) = text.split_once('/').ok_or_else(bad)?;
        let index: usize = i.trim().parse().map_err(|_| bad())?;
        let count: usize = n.trim().parse().map_err(|_| bad())?;
        if index == 0 || count == 0 || index > count {
            return Err(bad());
        }
        Ok(Shard { index, count })
    }

    /// Whether the town at `position` (from 0) of the sorted list is this shard's.
    pub fn takes(self, position: usize) -> bool {
        position % self.count == self.index - 1
    }

    /// This shard's towns of the sorted list, in order.
    pub fn select(self, towns: Vec<TownSource>) -> Vec<TownSource> {
        towns
            .into_iter()
            .enumerate()
            .filter(|(i, _)| self.takes(*i))
            .map(|(_, t)| t)
            .collect()
    }
}

impl std::fmt::Display for Shard {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}/{}", self.index, self.count)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn towns_are_folders_and_project_files_sorted_project_wins() {
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path();
        for f in ["乙镇", "甲镇", "c", ".hidden"] {
            std::fs::create_dir(d.join(f)).unwrap();
        }
        std::fs::write(d.join("c.towncircle"), "x").unwrap();
        std::fs::write(d.join("b.towncircle"), "x").unwrap();
        std::fs::write(d.join("notes.txt"), "x").unwrap();
        let towns = discover(d).unwrap();
        let names: Vec<&str> = towns.iter().map(|t| t.name.as_str()).collect();
        assert_eq!(names, ["b", "c", "乙镇", "甲镇"]);
        assert_eq!(towns[1].kind, SourceKind::Project);
        assert_eq!(towns[1].path, d.join("c.towncircle"));
        assert_eq!(towns[2].kind, SourceKind::Folder);
        assert!(discover(&d.join("missing")).is_err());
    }

    #[test]
    fn shards_partition_the_list() {
        assert!(Shard::parse("0/2").is_err());
        assert!(Shard::parse("3/2").is_err());
        assert!(Shard::parse("x").is_err());
        let towns: Vec<TownSource> = (0..7)
            .map(|i| TownSource {
                name: format!("t{i}"),
                path: PathBuf::from(format!("t{i}")),
                kind: SourceKind::Folder,
            })
            .collect();
        let a = Shard::parse("1/3").unwrap().select(towns.clone());
        let b = Shard::parse("2/3").unwrap().select(towns.clone());
        let c = Shard::parse(" 3 / 3 ").unwrap().select(towns.clone());
        let names = |v: &[TownSource]| v.iter().map(|t| t.name.clone()).collect::<Vec<_>>();
        assert_eq!(names(&a), ["t0", "t3", "t6"]);
        assert_eq!(names(&b), ["t1", "t4"]);
        assert_eq!(names(&c), ["t2", "t5"]);
        assert_eq!(Shard::parse("2/3").unwrap().to_string(), "2/3");
    }
}
