//! Running the towns: at most `jobs` towns in flight (one worker thread each, pulling the next
//! town from a shared counter), each town's failure or panic caught and kept in its row, each
//! town's data dropped as soon as its report and manifest are written. Only the small [`Row`]s
//! stay.

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Instant;

use serde::{Deserialize, Serialize};

use crate::report::OUTPUT_FILES;

use super::discover::TownSource;
use super::manifest::{FORMAT, Manifest, hash_inputs, output_files};
use super::{Failure, FailureKind, Outcome, Settings, TOWNS_DIR, TownFacts, VERSION};

/// The analysis of one town into a folder: `towncircle analyze`'s code path. It writes the
/// report's files into the folder it is given and returns the town's row, or why it failed.
pub type TownRunner<'a> = dyn Fn(&TownSource, &Path) -> Result<TownFacts, Failure> + Sync + 'a;

/// Told as towns start and finish (from worker threads).
pub trait BatchProgress: Sync {
    fn started(&self, town: &TownSource);
    fn finished(&self, row: &Row);
}

/// How the batch runs.
#[derive(Debug, Clone)]
pub struct BatchOptions {
    /// Towns in flight at once (at least 1).
    pub jobs: usize,
    /// Skip towns whose manifest is up to date.
    pub resume: bool,
    pub settings: Settings,
    /// SHA-256 of the profile the settings resolve to.
    pub profile_sha256: String,
}

/// One town of the city table.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Row {
    pub name: String,
    pub source: String,
    #[serde(flatten)]
    pub outcome: Outcome,
    pub seconds: f64,
    /// This run reused the outputs of an earlier one (`--resume`); not kept in city.json.
    #[serde(skip)]
    pub skipped: bool,
    /// Why the town was (re)run when resuming, e.g. "inputs changed: 道路.shp".
    #[serde(skip)]
    pub rerun_reason: Option<String>,
}

impl Row {
    pub fn from_manifest(m: Manifest) -> Row {
        Row {
            name: m.town,
            source: m.source,
            outcome: m.outcome,
            seconds: m.seconds,
            skipped: false,
            rerun_reason: None,
        }
    }

    pub fn failed(&self) -> bool {
        matches!(self.outcome, Outcome::Failed { .. })
    }
}

/// The folder of a town's report under the batch output.
pub fn town_dir(out: &Path, name: &str) -> PathBuf {
    out.join(TOWNS_DIR).join(name)
}

/// Analyse `towns` into `out/towns/<name>/`, `options.jobs` at a time. Returns one row per town,
/// in the order of `towns`. Never stops early: a town that fails has its reason in its row.
pub fn run_towns(
    towns: &[TownSource],
    out: &Path,
    options: &BatchOptions,
    runner: &TownRunner<'_>,
    progress: &dyn BatchProgress,
) -> Vec<Row> {
    let next = AtomicUsize::new(0);
    let rows: Mutex<Vec<Option<Row>>> = Mutex::new(vec![None; towns.len()]);
    let workers = options.jobs.clamp(1, towns.len().max(1));
    std::thread::scope(|s| {
        for _ in 0..workers {
            s.spawn(|| {
                loop {
                    let i = next.fetch_add(1, Ordering::Relaxed);
                    let Some(town) = towns.get(i) else { break };
                    progress.started(town);
                    let row = one_town(town, out, options, runner);
                    progress.finished(&row);
                    if let Ok(mut rows) = rows.lock() {
                        rows[i] = Some(row);
                    }
                }
            });
        }
    });
    let rows = rows.into_inner().unwrap_or_else(|e| e.into_inner());
    rows.into_iter()
        .zip(towns)
        .map(|(r, t)| {
            r.unwrap_or_else(|| Row {
                name: t.name.clone(),
                source: t.path.display().to_string(),
                outcome: Outcome::Failed {
                    failure: Failure::new(FailureKind::Internal, "the worker thread stopped"),
                },
                seconds: 0.0,
                skipped: false,
                rerun_reason: None,
            })
        })
        .collect()
}

/// The text of a panic's payload.
fn panic_message(payload: &(dyn std::any::Any + Send)) -> String {
    payload
        .downcast_ref::<&str>()
        .map(|s| (*s).to_string())
        .or_else(|| payload.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "a panic without a message".into())
}

fn one_town(town: &TownSource, out: &Path, options: &BatchOptions, runner: &TownRunner<'_>) -> Row {
    let start = Instant::now();
    let dir = town_dir(out, &town.name);
    let source = town.path.display().to_string();
    let inputs = hash_inputs(town);
    let mut rerun_reason = None;
    if options.resume
        && let Ok(inputs) = &inputs
    {
        match Manifest::read(&dir) {
            Ok(m) => match m.stale_reason(inputs, &options.settings, &options.profile_sha256, &dir)
            {
                None => {
                    let mut row = Row::from_manifest(m);
                    row.skipped = true;
                    return row;
                }
                Some(why) => rerun_reason = Some(why),
            },
            Err(_) => rerun_reason = Some("no manifest".into()),
        }
    }
    let ran = match &inputs {
        Err(e) => Err(Failure::new(FailureKind::Unreadable, e.to_string())),
        Ok(_) => match std::fs::create_dir_all(&dir) {
            Err(e) => Err(Failure::new(
                FailureKind::Write,
                format!("{}: {e}", dir.display()),
            )),
            Ok(()) => catch_unwind(AssertUnwindSafe(|| runner(town, &dir))).unwrap_or_else(|p| {
                Err(Failure::new(
                    FailureKind::Internal,
                    format!(
                        "towncircle panicked: {} (please report this with the town's data)",
                        panic_message(p.as_ref())
                    ),
                ))
            }),
        },
    };
    let ran = ran.and_then(|facts| {
        output_files(&dir, &OUTPUT_FILES)
            .map(|o| (facts, o))
            .map_err(|e| Failure::new(FailureKind::Write, e.to_string()))
    });
    let (outcome, outputs) = match ran {
        Ok((facts, outputs)) => (Outcome::Done { facts }, outputs),
        Err(failure) => {
            // No stale report beside a failed town's row.
            for f in OUTPUT_FILES {
                let _ = std::fs::remove_file(dir.join(f));
            }
            (Outcome::Failed { failure }, Vec::new())
        }
    };
    let manifest = Manifest {
        format: FORMAT.into(),
        town: town.name.clone(),
        source,
        towncircle_version: VERSION.into(),
        settings: options.settings.clone(),
        profile_sha256: options.profile_sha256.clone(),
        inputs: inputs.unwrap_or_default(),
        outputs,
        seconds: (start.elapsed().as_secs_f64() * 1000.0).round() / 1000.0,
        outcome,
    };
    let mut outcome_written = manifest.outcome.clone();
    if let Err(e) = std::fs::create_dir_all(&dir)
        .map_err(|e| e.to_string())
        .and_then(|()| manifest.write(&dir).map_err(|e| e.to_string()))
    {
        outcome_written = Outcome::Failed {
            failure: Failure::new(FailureKind::Write, e),
        };
    }
    Row {
        name: manifest.town,
        source: manifest.source,
        outcome: outcome_written,
        seconds: manifest.seconds,
        skipped: false,
        rerun_reason,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::batch::SourceKind;

    struct Quiet;
    impl BatchProgress for Quiet {
        fn started(&self, _: &TownSource) {}
        fn finished(&self, _: &Row) {}
    }

    fn facts() -> TownFacts {
        TownFacts {
            display_name: "x".into(),
            population: 1.0,
            tally: None,
            items: vec![],
            all_required: vec![],
            data_quality: 0,
            data_quality_lost: 0,
            flags: vec![],
            outline: None,
        }
    }

    #[test]
    fn failures_and_panics_stay_in_their_rows_and_the_rest_run() {
        let city = tempfile::tempdir().unwrap();
        let out = tempfile::tempdir().unwrap();
        let towns: Vec<TownSource> = ["a", "b", "c", "d"]
            .iter()
            .map(|n| {
                let p = city.path().join(n);
                std::fs::create_dir(&p).unwrap();
                std::fs::write(p.join("f.geojson"), n.as_bytes()).unwrap();
                TownSource {
                    name: (*n).into(),
                    path: p,
                    kind: SourceKind::Folder,
                }
            })
            .collect();
        let in_flight = AtomicUsize::new(0);
        let most = AtomicUsize::new(0);
        let runner = |t: &TownSource, dir: &Path| -> Result<TownFacts, Failure> {
            let now = in_flight.fetch_add(1, Ordering::SeqCst) + 1;
            most.fetch_max(now, Ordering::SeqCst);
            std::thread::sleep(std::time::Duration::from_millis(30));
            in_flight.fetch_sub(1, Ordering::SeqCst);
            match t.name.as_str() {
                "b" => Err(Failure::new(FailureKind::NoRoads, "no road layer")),
                "c" => panic!("boom in c"),
                _ => {
                    for f in OUTPUT_FILES {
                        std::fs::write(dir.join(f), b"x").unwrap();
                    }
                    Ok(facts())
                }
            }
        };
        let options = BatchOptions {
            jobs: 2,
            resume: false,
            settings: Settings {
                profile: None,
                mode: None,
                lang: "zh".into(),
            },
            profile_sha256: "p".into(),
        };
        let rows = run_towns(&towns, out.path(), &options, &runner, &Quiet);
        assert_eq!(rows.len(), 4);
        assert!(most.load(Ordering::SeqCst) <= 2);
        assert!(!rows[0].failed() && !rows[3].failed());
        assert_eq!(
            rows[1].outcome.failure().unwrap().kind,
            FailureKind::NoRoads
        );
        let c = rows[2].outcome.failure().unwrap();
        assert_eq!(c.kind, FailureKind::Internal);
        assert!(c.detail.contains("boom in c"), "{}", c.detail);
        // Every town has its manifest; the failed ones no report files.
        for t in &towns {
            assert!(town_dir(out.path(), &t.name).join("batch.json").is_file());
        }
        assert!(!town_dir(out.path(), "b").join("report.html").exists());
        // Resuming: nothing changed, nothing runs (the runner would fail everything).
        let resume = BatchOptions {
            resume: true,
            ..options
        };
        let refuse = |_: &TownSource, _: &Path| -> Result<TownFacts, Failure> {
            Err(Failure::new(FailureKind::Analysis, "ran again"))
        };
        let again = run_towns(&towns, out.path(), &resume, &refuse, &Quiet);
        assert!(again.iter().all(|r| r.skipped), "{again:?}");
        assert_eq!(
            again.iter().map(|r| &r.outcome).collect::<Vec<_>>(),
            rows.iter().map(|r| &r.outcome).collect::<Vec<_>>()
        );
        // A changed input reruns that town only.
        std::fs::write(towns[3].path.join("f.geojson"), b"changed").unwrap();
        let third = run_towns(&towns, out.path(), &resume, &refuse, &Quiet);
        let ran: Vec<&str> = third
            .iter()
            .filter(|r| !r.skipped)
            .map(|r| r.name.as_str())
            .collect();
        assert_eq!(ran, ["d"]);
        assert!(
            third[3]
                .rerun_reason
                .as_deref()
                .unwrap()
                .contains("f.geojson")
        );
        assert!(third[3].failed());
    }
}
