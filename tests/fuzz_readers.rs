//! Seeded mutation testing of every reader: the sample maps' files (shapefile .shp/.shx/.dbf,
//! GeoJSON, POI CSV and XLSX, GeoPackage with features or raster coverages, OSM PBF) and the
//! shipped standards profiles are damaged (bit flips, truncation, splices, huge counts written
//! into headers, zeroed runs) and read again through `io::load` (reader + CRS + validation +
//! reprojection) or `Profile::from_toml`.
//!
//! Every damaged input must give layers or an error: no panic, no hang (each case runs on its own
//! thread and must finish within a time limit), and no allocation sized from a header beyond
//! [`ALLOCATION_LIMIT_BYTES`] (a counting allocator refuses it and the case is reported).
//!
//! `cargo test` runs a short campaign; `scripts/fuzz.sh` runs a long one
//! (`TOWNCIRCLE_FUZZ_CASES` cases per input, `TOWNCIRCLE_FUZZ_SEED` to vary or replay one).

use std::alloc::{GlobalAlloc, Layout, System};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Mutex, mpsc};
use std::time::{Duration, Instant};

use towncircle::io::synth::SplitMix64;
use towncircle::io::{LoadOptions, load};
use towncircle::standards::profile::Profile;

/// The largest single allocation a reader may ask for while reading a damaged file of at most a
/// few hundred kilobytes. A size read from a header and trusted ends above it.
const ALLOCATION_LIMIT_BYTES: usize = 1 << 30;

/// Set when an allocation above the limit was asked for (and refused).
static OVERSIZED: AtomicBool = AtomicBool::new(false);
static OVERSIZED_BYTES: AtomicUsize = AtomicUsize::new(0);

struct Guarded;

// SAFETY: forwards to the system allocator; only refuses (returns null for) oversized requests,
// which the allocator contract allows.
unsafe impl GlobalAlloc for Guarded {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        if layout.size() > ALLOCATION_LIMIT_BYTES {
            OVERSIZED.store(true, Ordering::SeqCst);
            OVERSIZED_BYTES.store(layout.size(), Ordering::SeqCst);
            return std::ptr::null_mut();
        }
        // SAFETY: same layout, forwarded.
        unsafe { System.alloc(layout) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: ptr came from System.alloc with this layout.
        unsafe { System.dealloc(ptr, layout) }
    }
    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        if layout.size() > ALLOCATION_LIMIT_BYTES {
            OVERSIZED.store(true, Ordering::SeqCst);
            OVERSIZED_BYTES.store(layout.size(), Ordering::SeqCst);
            return std::ptr::null_mut();
        }
        // SAFETY: forwarded.
        unsafe { System.alloc_zeroed(layout) }
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        if new_size > ALLOCATION_LIMIT_BYTES {
            OVERSIZED.store(true, Ordering::SeqCst);
            OVERSIZED_BYTES.store(new_size, Ordering::SeqCst);
            return std::ptr::null_mut();
        }
        // SAFETY: forwarded.
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

#[global_allocator]
static GLOBAL: Guarded = Guarded;

/// How long one damaged input may take to read in a debug build.
const CASE_TIME_LIMIT: Duration = Duration::from_secs(20);

fn cases_per_input(default: usize) -> usize {
    std::env::var("TOWNCIRCLE_FUZZ_CASES")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(default)
}

fn base_seed() -> u64 {
    std::env::var("TOWNCIRCLE_FUZZ_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(20_261_205)
}

fn dxf_fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/dxf")
        .join(name)
}

/// A population raster fixture (GeoPackage 2D gridded coverages made by GDAL).
fn raster_fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/rasters")
        .join(name)
}

fn sample(rel: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("sample-maps")
        .join(rel)
}

/// One way of damaging a byte string, described for the failure message.
fn mutate(data: &[u8], rng: &mut SplitMix64) -> (Vec<u8>, String) {
    let mut out = data.to_vec();
    let len = out.len().max(1);
    let pick = |rng: &mut SplitMix64, n: usize| (rng.next_u64() % n.max(1) as u64) as usize;
    // Headers hold the counts and sizes: aim a third of the damage at the first 128 bytes.
    let at = |rng: &mut SplitMix64| {
        if rng.next_u64().is_multiple_of(3) {
            pick(rng, len.min(128))
        } else {
            pick(rng, len)
        }
    };
    match rng.next_u64() % 7 {
        0 => {
            let n = 1 + pick(rng, 8);
            let mut where_ = Vec::new();
            for _ in 0..n {
                let i = at(rng).min(out.len().saturating_sub(1));
                if let Some(b) = out.get_mut(i) {
                    *b ^= 1 << (rng.next_u64() % 8);
                }
                where_.push(i);
            }
            (out, format!("bit flips at {where_:?}"))
        }
        1 => {
            let cut = pick(rng, len);
            out.truncate(cut);
            (out, format!("truncated to {cut} bytes"))
        }
        2 => {
            // A huge count or size (little- or big-endian) over 4 bytes.
            let i = at(rng).min(out.len().saturating_sub(4));
            let value: [u8; 4] = match rng.next_u64() % 3 {
                0 => [0xff, 0xff, 0xff, 0x7f],
                1 => [0x7f, 0xff, 0xff, 0xff],
                _ => [0xff; 4],
            };
            for (k, v) in value.iter().enumerate() {
                if let Some(b) = out.get_mut(i + k) {
                    *b = *v;
                }
            }
            (out, format!("huge value {value:02x?} at {i}"))
        }
        3 => {
            // Splice: a run copied over another place.
            let from = pick(rng, len);
            let to = pick(rng, len);
            let n = 1 + pick(rng, 256);
            let chunk: Vec<u8> = out.iter().skip(from).take(n).copied().collect();
            for (k, v) in chunk.iter().enumerate() {
                if let Some(b) = out.get_mut(to + k) {
                    *b = *v;
                }
            }
            (out, format!("{n} bytes from {from} copied to {to}"))
        }
        4 => {
            let i = at(rng);
            let n = 1 + pick(rng, 64);
            for b in out.iter_mut().skip(i).take(n) {
                *b = 0;
            }
            (out, format!("{n} bytes zeroed at {i}"))
        }
        5 => {
            // A run repeated (grows the file: a second copy of records).
            let from = pick(rng, len);
            let n = 1 + pick(rng, 512);
            let chunk: Vec<u8> = out.iter().skip(from).take(n).copied().collect();
            let to = pick(rng, len).min(out.len());
            out.splice(to..to, chunk);
            (out, format!("{n} bytes from {from} inserted at {to}"))
        }
        _ => {
            // Random bytes over a run.
            let i = at(rng);
            let n = 1 + pick(rng, 32);
            for b in out.iter_mut().skip(i).take(n) {
                *b = (rng.next_u64() & 0xff) as u8;
            }
            (out, format!("{n} random bytes at {i}"))
        }
    }
}

/// Runs `work` on its own thread; Err with the reason on a panic, a time-out or an oversized
/// allocation.
fn guarded(work: impl FnOnce() + Send + 'static) -> Result<(), String> {
    // One case at a time across the test threads: the oversized flag is global.
    static ONE_AT_A_TIME: Mutex<()> = Mutex::new(());
    let _turn = ONE_AT_A_TIME.lock().unwrap_or_else(|e| e.into_inner());
    OVERSIZED.store(false, Ordering::SeqCst);
    let (tx, rx) = mpsc::channel();
    let started = Instant::now();
    let handle = std::thread::spawn(move || {
        let outcome = std::panic::catch_unwind(std::panic::AssertUnwindSafe(work));
        let _ = tx.send(outcome.is_ok());
    });
    match rx.recv_timeout(CASE_TIME_LIMIT) {
        Ok(true) => {
            let _ = handle.join();
            if OVERSIZED.load(Ordering::SeqCst) {
                // The reader survived a refused allocation (try_reserve) — still a size trusted
                // from the file.
                return Err(format!(
                    "asked for {} bytes in one allocation",
                    OVERSIZED_BYTES.load(Ordering::SeqCst)
                ));
            }
            Ok(())
        }
        Ok(false) => Err("panicked".into()),
        Err(_) => Err(format!(
            "did not finish within {:?} (hang?)",
            started.elapsed()
        )),
    }
}

/// A set of files read together (a shapefile's siblings); one of them is damaged per case.
struct Input {
    name: &'static str,
    /// (file name, bytes) of every file of the set.
    files: Vec<(String, Vec<u8>)>,
    /// Indexes into `files` that may be damaged.
    targets: Vec<usize>,
    /// The file that is read.
    main: usize,
}

fn shapefile_input(name: &'static str, stem: &str) -> Input {
    let dir = sample("qingxi-demo-town");
    let files: Vec<(String, Vec<u8>)> = ["shp", "shx", "dbf", "prj", "cpg"]
        .iter()
        .map(|ext| {
            let file = format!("{stem}.{ext}");
            let bytes = std::fs::read(dir.join(&file)).expect("sample shapefile part");
            (file, bytes)
        })
        .collect();
    Input {
        name,
        files,
        targets: vec![0, 1, 2, 3],
        main: 0,
    }
}

fn single_input(name: &'static str, path: &Path) -> Input {
    let file = path
        .file_name()
        .expect("file name")
        .to_string_lossy()
        .into_owned();
    Input {
        name,
        files: vec![(file, std::fs::read(path).expect("sample file"))],
        targets: vec![0],
        main: 0,
    }
}

/// A GeoPackage and an XLSX POI table made from the sample (there is none in the sample folder).
fn made_inputs(dir: &Path) -> Vec<Input> {
    let opts = LoadOptions::default();
    let ds = load(&[sample("qingxi-demo-town/行政村.shp")], &opts);
    let layer = ds.layers.first().expect("sample villages");
    let gpkg = dir.join("made.gpkg");
    towncircle::io::gpkg::write(&gpkg, &[layer]).expect("write a gpkg");

    let xlsx = dir.join("made.xlsx");
    let mut book = rust_xlsxwriter::Workbook::new();
    let sheet = book.add_worksheet();
    for (c, h) in ["名称", "类型", "经度", "纬度"].iter().enumerate() {
        sheet.write_string(0, c as u16, *h).expect("header");
    }
    for r in 1..40u32 {
        sheet
            .write_string(r, 0, format!("清溪镇卫生院{r}"))
            .expect("cell");
        sheet
            .write_string(r, 1, "医疗保健服务;医院;卫生院")
            .expect("cell");
        sheet
            .write_number(r, 2, 119.95 + f64::from(r) * 1e-3)
            .expect("cell");
        sheet
            .write_number(r, 3, 30.05 + f64::from(r) * 1e-3)
            .expect("cell");
    }
    book.save(&xlsx).expect("write an xlsx");
    vec![single_input("gpkg", &gpkg), single_input("xlsx", &xlsx)]
}

fn inputs(dir: &Path) -> Vec<Input> {
    let mut v = vec![
        shapefile_input("shapefile villages (polygons)", "行政村"),
        shapefile_input("shapefile roads (lines)", "道路"),
        single_input(
            "geojson waste points",
            &sample("qingxi-demo-town/垃圾分类收集点.geojson"),
        ),
        single_input("geojson greenway", &sample("qingxi-demo-town/绿道.geojson")),
        single_input(
            "poi csv (GCJ-02)",
            &sample("qingxi-demo-town/POI_高德导出.csv"),
        ),
        single_input(
            "osm pbf",
            &sample("helsinki-centre/helsinki-centre.osm.pbf"),
        ),
        single_input("dxf binary", &dxf_fixture("town_r2018_bin.dxf")),
        single_input("dxf r12 gbk", &dxf_fixture("town_r12_gbk.dxf")),
        single_input(
            "gpkg raster float tiles",
            &raster_fixture("dxf-town-pop-4549.gpkg"),
        ),
        single_input(
            "gpkg raster png tiles",
            &raster_fixture("pop-4549-uint16.gpkg"),
        ),
    ];
    v.extend(made_inputs(dir));
    v
}

fn campaign(default_cases: usize, only: Option<&str>) -> Vec<String> {
    let tmp = tempfile::tempdir().expect("temp dir");
    let cases = cases_per_input(default_cases);
    let seed = base_seed();
    let mut failures = Vec::new();
    let mut done = 0usize;
    for (n, input) in inputs(tmp.path()).into_iter().enumerate() {
        if only.is_some_and(|o| !input.name.contains(o)) {
            continue;
        }
        let mut rng = SplitMix64(seed ^ (n as u64).wrapping_mul(0x9E37_79B9));
        for case in 0..cases {
            let target = input.targets[case % input.targets.len()];
            let (damaged, how) = mutate(&input.files[target].1, &mut rng);
            let case_dir = tmp.path().join(format!("case-{n}-{case}"));
            std::fs::create_dir_all(&case_dir).expect("case dir");
            for (k, (file, bytes)) in input.files.iter().enumerate() {
                let body = if k == target { &damaged } else { bytes };
                std::fs::write(case_dir.join(file), body).expect("write case");
            }
            let path = case_dir.join(&input.files[input.main].0);
            if std::env::var_os("TOWNCIRCLE_FUZZ_VERBOSE").is_some() {
                // A refused oversized allocation that is not handled aborts the process: this
                // line then names the case.
                eprintln!(
                    "{} case {case}: {} {how}",
                    input.name, input.files[target].0
                );
            }
            let outcome = guarded(move || {
                let ds = load(&[path], &LoadOptions::default());
                // Touch the result so nothing is optimised away.
                let n: usize = ds.layers.iter().map(|l| l.features.len()).sum();
                std::hint::black_box(n);
            });
            if let Err(why) = outcome {
                failures.push(format!(
                    "{} case {case} (seed {seed}): {} {how}: {why}",
                    input.name, input.files[target].0
                ));
            }
            let _ = std::fs::remove_dir_all(&case_dir);
            done += 1;
        }
    }
    eprintln!(
        "fuzz_readers: {done} damaged inputs read, {} failures",
        failures.len()
    );
    failures
}

#[test]
fn damaged_files_give_layers_or_errors_never_panics() {
    let failures = campaign(100, None);
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn damaged_profiles_give_errors_never_panics() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("assets/standards");
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .expect("assets/standards")
        .map(|e| e.expect("entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "toml"))
        .collect();
    files.sort();
    assert!(!files.is_empty());
    let cases = cases_per_input(60);
    let mut rng = SplitMix64(base_seed());
    let mut failures = Vec::new();
    for path in files {
        let text = std::fs::read(&path).expect("profile");
        for case in 0..cases {
            let (damaged, how) = mutate(&text, &mut rng);
            let damaged = String::from_utf8_lossy(&damaged).into_owned();
            let p = path.clone();
            let outcome = guarded(move || {
                let _ = std::hint::black_box(Profile::from_toml(&damaged, &p));
            });
            if let Err(why) = outcome {
                failures.push(format!("{} case {case}: {how}: {why}", path.display()));
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// The harness itself notices what it is meant to notice.
#[test]
fn the_guard_reports_panics_hangs_and_oversized_allocations() {
    assert!(guarded(|| {}).is_ok());
    assert_eq!(guarded(|| panic!("boom")), Err("panicked".into()));
    let huge = guarded(|| {
        let mut v: Vec<u8> = Vec::new();
        // try_reserve sees the refusal as an error instead of aborting.
        let _ = v.try_reserve_exact(ALLOCATION_LIMIT_BYTES + 1);
    });
    assert!(huge.is_err_and(|e| e.contains("bytes in one allocation")));
    let mut rng = SplitMix64(1);
    let data = vec![7u8; 1000];
    let kinds: std::collections::BTreeSet<String> = (0..200)
        .map(|_| {
            mutate(&data, &mut rng)
                .1
                .split(' ')
                .next()
                .unwrap_or("")
                .to_string()
        })
        .collect();
    assert!(kinds.len() >= 5, "mutations are varied: {kinds:?}");
}

/// Counts in headers that claim far more than the file holds: a polygon record of 行政村.shp
/// claiming 10^8 points (1.6 GB of coordinates) and a .dbf header claiming 2^31 records. Read
/// under the guard: no allocation over the limit, an issue naming the damage, the rest kept.
#[test]
fn header_counts_claiming_gigabytes_are_refused_within_bounded_memory() {
    let tmp = tempfile::tempdir().expect("tmp");
    let demo = sample("qingxi-demo-town");
    for ext in ["shp", "shx", "dbf", "prj", "cpg"] {
        std::fs::copy(
            demo.join(format!("行政村.{ext}")),
            tmp.path().join(format!("a.{ext}")),
        )
        .expect("copy");
        std::fs::copy(
            demo.join(format!("行政村.{ext}")),
            tmp.path().join(format!("b.{ext}")),
        )
        .expect("copy");
    }
    // a.shp: the first record (content at byte 108) is a polygon: type, bbox (32 bytes),
    // numParts, numPoints at 108 + 4 + 32 + 4 = 148.
    let shp = tmp.path().join("a.shp");
    let mut bytes = std::fs::read(&shp).expect("read");
    bytes[148..152].copy_from_slice(&100_000_000u32.to_le_bytes());
    std::fs::write(&shp, bytes).expect("write");
    // b.dbf: the record count at byte 4.
    let dbf = tmp.path().join("b.dbf");
    let mut bytes = std::fs::read(&dbf).expect("read");
    bytes[4..8].copy_from_slice(&0x7fff_ffffu32.to_le_bytes());
    std::fs::write(&dbf, bytes).expect("write");
    for (file, lost) in [("a.shp", 1), ("b.shp", 0)] {
        let path = tmp.path().join(file);
        let (tx, rx) = mpsc::channel();
        let outcome = guarded(move || {
            let ds = load(&[path], &LoadOptions::default());
            let _ = tx.send(ds);
        });
        assert_eq!(outcome, Ok(()), "{file}");
        let ds = rx.recv().expect("dataset");
        let layer = ds.layers.first().expect("the layer is kept");
        assert_eq!(layer.features.len(), 14 - lost, "{file}");
        assert!(!layer.issues.is_empty(), "{file}: the damage is said");
    }
}
