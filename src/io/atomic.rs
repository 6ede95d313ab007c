//! Write files so that a reader never sees half of one: the bytes go to a temporary file in the
//! target's folder, are flushed to disk (fsync), and only then renamed over the target. On any
//! error the temporary files are removed and the target keeps its old content.
//!
//! - [`write_file`]: one file from a byte writer (`geojson::write_to`).
//! - [`write_with`]: one file from a writer that takes a path (`gpkg::write`).
//! - [`write_siblings`]: a set of sibling files sharing a stem (a shapefile's .shp/.shx/.dbf/.prj/.cpg)
//!   from a writer that takes the first one's path and derives the others.
//! - [`Staging`]: any number of files and sets, renamed into place together by
//!   [`Staging::commit`] only once every one of them was written.
//!
//! A single file replaces its target with one `rename`, atomic on POSIX file systems. A set is
//! all or nothing as far as the file system allows: the old files are first moved aside, then the
//! new ones moved in, then the old ones deleted; when a rename fails (a file locked by another
//! program on Windows) the old files are put back. Only a crash during those few renames can leave
//! the set mixed; the moved-aside old files (`.NAME.PID-N.bak`) then still hold the old data.

use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

use crate::error::{IoError, Location, Result};

/// Makes temporary names unique within the process; the process id makes them unique between
/// processes.
static COUNTER: AtomicU64 = AtomicU64::new(0);

fn unique_token() -> String {
    format!(
        "{}-{}",
        std::process::id(),
        COUNTER.fetch_add(1, Ordering::Relaxed)
    )
}

/// The folder of `path` ("" for a bare file name means the current folder).
fn folder_of(path: &Path) -> PathBuf {
    match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    }
}

fn file_name_of(path: &Path) -> String {
    path.file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "out".into())
}

/// One file to move into place.
#[derive(Debug)]
struct Entry {
    temp: PathBuf,
    target: PathBuf,
    /// A required file must have been written; an optional one (a shapefile's .prj) that was not
    /// written removes an old target of that name, so that no stale file goes with the new set.
    required: bool,
}

/// Files being written, renamed into place together by [`Staging::commit`]. Dropping a staging
/// that was not committed removes every temporary file it handed out (and any file the writer
/// made beside them with the same temporary prefix, such as an SQLite journal).
#[derive(Debug, Default)]
pub struct Staging {
    entries: Vec<Entry>,
    /// (folder, temporary-name prefix) of every temporary name handed out, for cleaning up.
    prefixes: Vec<(PathBuf, String)>,
}

impl Staging {
    pub fn new() -> Staging {
        Staging::default()
    }

    /// Stage one file: returns the temporary path to write `target`'s content to.
    pub fn file(&mut self, target: &Path) -> PathBuf {
        let dir = folder_of(target);
        let prefix = format!(".{}.{}.", file_name_of(target), unique_token());
        let temp = dir.join(format!("{prefix}tmp"));
        self.prefixes.push((dir, prefix));
        self.entries.push(Entry {
            temp: temp.clone(),
            target: target.to_path_buf(),
            required: true,
        });
        temp
    }

    /// Stage a set of sibling files: `target` with each of `extensions` (the first is required,
    /// the others optional). Returns the temporary path with the first extension; the writer
    /// derives the others from it with [`Path::with_extension`].
    pub fn siblings(&mut self, target: &Path, extensions: &[&str]) -> PathBuf {
        let dir = folder_of(target);
        let stem = target
            .file_stem()
            .map(|s| s.to_string_lossy().into_owned())
            .unwrap_or_else(|| "out".into());
        let prefix = format!(".{stem}.{}.", unique_token());
        let temp_stem = dir.join(format!("{prefix}x"));
        for (i, ext) in extensions.iter().enumerate() {
            self.entries.push(Entry {
                temp: temp_stem.with_extension(ext),
                target: target.with_extension(ext),
                required: i == 0,
            });
        }
        self.prefixes.push((dir, prefix));
        temp_stem.with_extension(extensions.first().copied().unwrap_or("tmp"))
    }

    /// Flush every written file to disk, then move all of them into place (see the module doc).
    /// Returns the targets written. On error nothing was replaced and the temporary files are
    /// removed.
    pub fn commit(mut self) -> Result<Vec<PathBuf>> {
        let mut moves: Vec<(PathBuf, PathBuf)> = Vec::new();
        let mut stale: Vec<PathBuf> = Vec::new();
        for e in &self.entries {
            if e.temp.exists() {
                sync_file(&e.temp).map_err(|err| cannot_write(&e.target, &err))?;
                moves.push((e.temp.clone(), e.target.clone()));
            } else if e.required {
                return Err(IoError::invalid(
                    &e.target,
                    Location::File,
                    "the writer produced no file; nothing was changed",
                )
                .into());
            } else if e.target.symlink_metadata().is_ok() {
                stale.push(e.target.clone());
            }
        }
        let written: Vec<PathBuf> = moves.iter().map(|(_, t)| t.clone()).collect();
        if let ([(temp, target)], []) = (moves.as_slice(), stale.as_slice()) {
            // One file: a single rename replaces the target atomically.
            std::fs::rename(temp, target).map_err(|e| cannot_replace(target, &e))?;
        } else {
            replace_set(&moves, &stale)?;
        }
        self.entries.clear();
        let mut dirs: Vec<PathBuf> = written.iter().map(|t| folder_of(t)).collect();
        dirs.dedup();
        for d in dirs {
            sync_dir(&d);
        }
        Ok(written)
    }
}

impl Drop for Staging {
    fn drop(&mut self) {
        for e in &self.entries {
            let _ = std::fs::remove_file(&e.temp);
        }
        for (dir, prefix) in &self.prefixes {
            let Ok(entries) = std::fs::read_dir(dir) else {
                continue;
            };
            for entry in entries.flatten() {
                if entry
                    .file_name()
                    .to_string_lossy()
                    .starts_with(prefix.as_str())
                {
                    let _ = std::fs::remove_file(entry.path());
                }
            }
        }
    }
}

/// Move the old targets aside, the new files in, then delete the old ones; put everything back
/// when a rename fails.
fn replace_set(moves: &[(PathBuf, PathBuf)], stale: &[PathBuf]) -> Result<()> {
    let token = unique_token();
    let mut aside: Vec<(PathBuf, PathBuf)> = Vec::new();
    let existing = moves
        .iter()
        .map(|(_, t)| t)
        .filter(|t| t.symlink_metadata().is_ok())
        .chain(stale);
    for target in existing {
        let backup = folder_of(target).join(format!(".{}.{token}.bak", file_name_of(target)));
        if let Err(e) = std::fs::rename(target, &backup) {
            restore(&aside);
            return Err(cannot_replace(target, &e));
        }
        aside.push((target.clone(), backup));
    }
    let mut placed: Vec<&Path> = Vec::new();
    for (temp, target) in moves {
        if let Err(e) = std::fs::rename(temp, target) {
            for p in &placed {
                let _ = std::fs::remove_file(p);
            }
            restore(&aside);
            return Err(cannot_replace(target, &e));
        }
        placed.push(target);
    }
    for (_, backup) in &aside {
        let _ = std::fs::remove_file(backup);
    }
    Ok(())
}

fn restore(aside: &[(PathBuf, PathBuf)]) {
    for (target, backup) in aside {
        let _ = std::fs::rename(backup, target);
    }
}

fn sync_file(path: &Path) -> std::io::Result<()> {
    // Windows needs write access to flush a file; opening for writing does not truncate.
    std::fs::OpenOptions::new()
        .write(true)
        .open(path)?
        .sync_all()
}

/// Make the renames themselves durable (POSIX); best effort elsewhere.
fn sync_dir(dir: &Path) {
    #[cfg(unix)]
    if let Ok(d) = File::open(dir) {
        let _ = d.sync_all();
    }
    #[cfg(not(unix))]
    let _ = dir;
}

fn cannot_write(target: &Path, e: &std::io::Error) -> crate::Error {
    IoError::invalid(
        target,
        Location::File,
        format!("cannot write the file ({e}); the old file, if any, is unchanged"),
    )
    .into()
}

fn cannot_replace(target: &Path, e: &std::io::Error) -> crate::Error {
    IoError::invalid(
        target,
        Location::File,
        format!(
            "cannot replace the file ({e}); nothing was changed — is it open in another program?"
        ),
    )
    .into()
}

/// Write one file atomically from a byte writer.
pub fn write_file(
    target: &Path,
    write: impl FnOnce(&mut BufWriter<File>) -> std::io::Result<()>,
) -> Result<()> {
    let mut staging = Staging::new();
    let temp = staging.file(target);
    let file = File::create(&temp).map_err(|e| cannot_write(target, &e))?;
    let mut w = BufWriter::new(file);
    write(&mut w)
        .and_then(|()| w.flush())
        .map_err(|e| cannot_write(target, &e))?;
    drop(w);
    staging.commit().map(|_| ())
}

/// Write one file atomically from bytes in memory.
pub fn write_bytes(target: &Path, bytes: &[u8]) -> Result<()> {
    write_file(target, |w| w.write_all(bytes))
}

/// Write one file atomically with a writer that takes the path to write to.
pub fn write_with<T>(target: &Path, write: impl FnOnce(&Path) -> Result<T>) -> Result<T> {
    let mut staging = Staging::new();
    let temp = staging.file(target);
    let value = write(&temp)?;
    staging.commit()?;
    Ok(value)
}

/// Write a set of sibling files atomically (see [`Staging::siblings`]): `write` gets the
/// temporary path with `extensions[0]` and writes the set beside it; the files are renamed into
/// place only when it returned Ok. An optional sibling it did not write removes the old one.
pub fn write_siblings<T>(
    target: &Path,
    extensions: &[&str],
    write: impl FnOnce(&Path) -> Result<T>,
) -> Result<T> {
    let mut staging = Staging::new();
    let temp = staging.siblings(target, extensions);
    let value = write(&temp)?;
    staging.commit()?;
    Ok(value)
}

/// `text` with the temporary path (and its stem) replaced by the target's, for messages.
pub(crate) fn retarget_text(text: &str, temp: &Path, target: &Path) -> String {
    let stem_of = |p: &Path| p.with_extension("").display().to_string();
    text.replace(&temp.display().to_string(), &target.display().to_string())
        .replace(&stem_of(temp), &stem_of(target))
}

/// An error about a temporary file, told about its target.
pub(crate) fn retarget(e: crate::Error, temp: &Path, target: &Path) -> crate::Error {
    let text = retarget_text(&e.to_string(), temp, target);
    let suffix = format!(": {}", target.display());
    let message = text.strip_suffix(&suffix).unwrap_or(&text);
    IoError::invalid(target, Location::File, message).into()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(dir: &Path) -> Vec<String> {
        let mut v: Vec<String> = std::fs::read_dir(dir)
            .expect("read_dir")
            .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
            .collect();
        v.sort();
        v
    }

    fn read(p: &Path) -> String {
        std::fs::read_to_string(p).expect("read")
    }

    #[test]
    fn write_file_replaces_the_target() {
        let dir = tempfile::tempdir().expect("tempdir");
        let target = dir.path().join("道路.geojson");
        std::fs::write(&target, "old").expect("old");
        write_file(&target, |w| w.write_all(b"new")).expect("write");
        assert_eq!(read(&target), "new");
        assert_eq!(names(dir.path()), ["道路.geojson"]);
    }

    #[test]
    fn a_writer_failing_midway_leaves_the_old_file_and_no_temp() {
        let dir = tempfile::tempdir().expect("tempdir");
        let target = dir.path().join("out.geojson");
        std::fs::write(&target, "old content").expect("old");
        let err = write_file(&target, |w| {
            w.write_all(&[b'x'; 100_000])?;
            w.flush()?;
            Err(std::io::Error::other("disk full"))
        })
        .expect_err("fails");
        let msg = err.to_string();
        assert!(
            msg.contains("disk full") && msg.contains("out.geojson"),
            "{msg}"
        );
        assert_eq!(read(&target), "old content");
        assert_eq!(names(dir.path()), ["out.geojson"]);
        // No old file: none is created.
        let fresh = dir.path().join("fresh.geojson");
        write_file(&fresh, |_| Err(std::io::Error::other("boom"))).expect_err("fails");
        assert!(!fresh.exists());
        assert_eq!(names(dir.path()), ["out.geojson"]);
    }

    #[test]
    fn write_with_cleans_up_files_the_writer_made_beside_the_temp() {
        let dir = tempfile::tempdir().expect("tempdir");
        let target = dir.path().join("x.gpkg");
        std::fs::write(&target, "old").expect("old");
        let r: Result<()> = write_with(&target, |tmp| {
            std::fs::write(tmp, "half").expect("w");
            let journal = PathBuf::from(format!("{}-journal", tmp.display()));
            std::fs::write(journal, "j").expect("j");
            Err(crate::Error::Config("the writer failed".into()))
        });
        assert!(r.is_err());
        assert_eq!(read(&target), "old");
        assert_eq!(names(dir.path()), ["x.gpkg"]);
        let n = write_with(&target, |tmp| {
            std::fs::write(tmp, "new").expect("w");
            Ok(7)
        })
        .expect("ok");
        assert_eq!(n, 7);
        assert_eq!(read(&target), "new");
    }

    const SHP: &[&str] = &["shp", "shx", "dbf", "prj", "cpg"];

    fn old_set(dir: &Path) -> PathBuf {
        let target = dir.join("town.shp");
        for ext in SHP {
            std::fs::write(target.with_extension(ext), format!("old {ext}")).expect("old");
        }
        target
    }

    #[test]
    fn siblings_are_renamed_only_when_all_were_written() {
        let dir = tempfile::tempdir().expect("tempdir");
        let target = old_set(dir.path());
        let r: Result<()> = write_siblings(&target, SHP, |tmp| {
            std::fs::write(tmp, "new shp").expect("shp");
            std::fs::write(tmp.with_extension("shx"), "new shx").expect("shx");
            Err(crate::Error::Config("the .dbf could not be written".into()))
        });
        assert!(r.is_err());
        for ext in SHP {
            assert_eq!(read(&target.with_extension(ext)), format!("old {ext}"));
        }
        assert_eq!(
            names(dir.path()).len(),
            SHP.len(),
            "{:?}",
            names(dir.path())
        );
    }

    #[test]
    fn siblings_replace_the_set_and_drop_a_stale_optional_file() {
        let dir = tempfile::tempdir().expect("tempdir");
        let target = old_set(dir.path());
        write_siblings(&target, SHP, |tmp| {
            for ext in ["shp", "shx", "dbf", "cpg"] {
                std::fs::write(tmp.with_extension(ext), format!("new {ext}")).expect("w");
            }
            Ok(())
        })
        .expect("write");
        for ext in ["shp", "shx", "dbf", "cpg"] {
            assert_eq!(read(&target.with_extension(ext)), format!("new {ext}"));
        }
        // The old .prj would describe the new data wrongly: it is gone.
        assert!(!target.with_extension("prj").exists());
        assert_eq!(
            names(dir.path()),
            ["town.cpg", "town.dbf", "town.shp", "town.shx"]
        );
    }

    #[test]
    fn a_missing_required_file_is_an_error_and_changes_nothing() {
        let dir = tempfile::tempdir().expect("tempdir");
        let target = old_set(dir.path());
        let err = write_siblings(&target, SHP, |_| Ok(())).expect_err("no .shp");
        assert!(err.to_string().contains("town.shp"), "{err}");
        assert_eq!(read(&target), "old shp");
        assert_eq!(names(dir.path()).len(), SHP.len());
    }

    #[test]
    fn a_staging_of_several_targets_is_all_or_nothing() {
        let dir = tempfile::tempdir().expect("tempdir");
        let a = dir.path().join("a.geojson");
        let b = dir.path().join("b.shp");
        std::fs::write(&a, "old a").expect("a");
        {
            let mut s = Staging::new();
            let ta = s.file(&a);
            std::fs::write(ta, "new a").expect("a");
            let _tb = s.siblings(&b, SHP);
            // The second writer fails: the staging is dropped without commit.
        }
        assert_eq!(read(&a), "old a");
        assert_eq!(names(dir.path()), ["a.geojson"]);
        let mut s = Staging::new();
        std::fs::write(s.file(&a), "new a").expect("a");
        let tb = s.siblings(&b, SHP);
        std::fs::write(&tb, "new b").expect("b");
        let written = s.commit().expect("commit");
        assert_eq!(written, [a.clone(), b.clone()]);
        assert_eq!(read(&a), "new a");
        assert_eq!(read(&b), "new b");
        assert_eq!(names(dir.path()), ["a.geojson", "b.shp"]);
    }

    #[test]
    fn a_failed_rename_puts_the_old_set_back() {
        let dir = tempfile::tempdir().expect("tempdir");
        let target = old_set(dir.path());
        let temp = |ext: &str| dir.path().join(format!(".town.t.{ext}"));
        std::fs::write(temp("shp"), "new shp").expect("w");
        std::fs::write(temp("shx"), "new shx").expect("w");
        // The third rename fails (its temporary file is missing) after two were placed.
        let moves: Vec<(PathBuf, PathBuf)> = ["shp", "shx", "dbf"]
            .iter()
            .map(|ext| (temp(ext), target.with_extension(ext)))
            .collect();
        let err = replace_set(&moves, &[target.with_extension("prj")]).expect_err("fails");
        assert!(err.to_string().contains("town.dbf"), "{err}");
        for ext in SHP {
            assert_eq!(read(&target.with_extension(ext)), format!("old {ext}"));
        }
        assert_eq!(
            names(dir.path()).len(),
            SHP.len(),
            "{:?}",
            names(dir.path())
        );
    }
}
