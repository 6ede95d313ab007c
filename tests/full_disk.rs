//! Writes on a full disk: a tmpfs of 160 KiB is mounted in a private mount namespace
//! (`unshare --user --map-root-user --mount`, no privileges needed where user namespaces are
//! allowed), the CLI writes into it until the disk is full, and the test checks that the old files
//! are untouched, that no temporary file is left behind and that the message names the file.
//!
//! Where the machine allows no namespace or no tmpfs (some containers), the test says so on
//! stderr and checks nothing; the failing-writer tests in `src/io/atomic.rs` cover the same code
//! paths everywhere.

use std::path::{Path, PathBuf};
use std::process::Command;

fn demo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("sample-maps/qingxi-demo-town")
}

const SCRIPT: &str = r#"
set -u
D="$HOST/disk"
mkdir -p "$D"
if ! mount -t tmpfs -o size=160k tmpfs "$D" 2>"$HOST/mount.err"; then
  echo nomount > "$HOST/status"; exit 0
fi
# The old outputs: a small, complete shapefile and GeoJSON.
"$BIN" convert "$DEMO/镇域.shp" --to "$D/out.shp" >/dev/null 2>"$HOST/setup.err" || { echo setup > "$HOST/status"; exit 0; }
"$BIN" convert "$DEMO/镇域.shp" --to "$D/out.geojson" >/dev/null 2>>"$HOST/setup.err" || { echo setup > "$HOST/status"; exit 0; }
(cd "$D" && sha256sum out.*) > "$HOST/old.sum"
# Too big for what is left: 364 KB of buildings.
"$BIN" convert "$DEMO/建筑.shp" --to "$D/out.shp" >/dev/null 2>"$HOST/convert_shp.err"; echo $? > "$HOST/convert_shp.rc"
"$BIN" convert "$DEMO/建筑.shp" --to "$D/out.geojson" >/dev/null 2>"$HOST/convert_geojson.err"; echo $? > "$HOST/convert_geojson.rc"
"$BIN" analyze "$DEMO" --out "$D/report" --lang en >/dev/null 2>"$HOST/analyze.err"; echo $? > "$HOST/analyze.rc"
(cd "$D" && sha256sum out.*) > "$HOST/new.sum"
ls -A "$D" > "$HOST/ls"
echo ran > "$HOST/status"
"#;

fn read(host: &Path, name: &str) -> String {
    std::fs::read_to_string(host.join(name)).unwrap_or_default()
}

#[test]
fn a_full_disk_leaves_the_old_files_whole_and_no_temporary_files() {
    let host = tempfile::tempdir().expect("tempdir");
    let run = Command::new("unshare")
        .args(["--user", "--map-root-user", "--mount", "sh", "-c", SCRIPT])
        .env("HOST", host.path())
        .env("BIN", env!("CARGO_BIN_EXE_towncircle"))
        .env("DEMO", demo())
        .output();
    let status = read(host.path(), "status");
    match (&run, status.trim()) {
        (Ok(_), "ran") => {}
        (Ok(_), "setup") => panic!(
            "writing the small files failed: {}",
            read(host.path(), "setup.err")
        ),
        (Ok(out), other) => {
            eprintln!(
                "full-disk test not run: no private tmpfs here ({other}; {}{})",
                read(host.path(), "mount.err").trim(),
                String::from_utf8_lossy(&out.stderr).trim()
            );
            return;
        }
        (Err(e), _) => {
            eprintln!("full-disk test not run: `unshare` is not available ({e})");
            return;
        }
    }
    for step in ["convert_shp", "convert_geojson", "analyze"] {
        let rc = read(host.path(), &format!("{step}.rc"));
        let err = read(host.path(), &format!("{step}.err"));
        assert_ne!(rc.trim(), "0", "{step} succeeded on a full disk: {err}");
        assert!(
            err.contains("No space left") || err.contains("os error 28"),
            "{step}: the message should say the disk is full: {err}"
        );
    }
    assert!(
        read(host.path(), "convert_shp.err").contains("out.shp"),
        "the message names the output file: {}",
        read(host.path(), "convert_shp.err")
    );
    assert!(
        read(host.path(), "analyze.err").contains("report"),
        "the message names the report folder: {}",
        read(host.path(), "analyze.err")
    );
    // The old shapefile set and GeoJSON are byte for byte what they were.
    let old = read(host.path(), "old.sum");
    assert!(old.lines().count() >= 5, "old files: {old}");
    assert_eq!(old, read(host.path(), "new.sum"));
    // Nothing else on the disk: no temporary file, no half report folder.
    let mut names: Vec<String> = read(host.path(), "ls").lines().map(String::from).collect();
    names.sort();
    assert_eq!(
        names,
        [
            "out.cpg",
            "out.dbf",
            "out.geojson",
            "out.prj",
            "out.shp",
            "out.shx"
        ],
        "left on the full disk"
    );
}
