//! Background jobs: a worker thread reports through [`crate::job::Progress`] and sends its one
//! result over a channel; the frame loop polls it with one `try_recv` per frame and never blocks.

use std::path::PathBuf;
use std::sync::Arc;
use std::sync::mpsc::{Receiver, TryRecvError, channel};
use std::time::Instant;

use rayon::prelude::*;

use super::doc::PreparedLayer;
use crate::crs::Crs;
#[cfg(test)]
use crate::io::data_files_in;
pub use crate::io::expand_paths;
use crate::io::load::{FileFailure, prepare};
use crate::io::{LoadOptions, read};
use crate::job::{Cancelled, Progress, SharedProgress};

/// Progress shared with the UI: every update asks egui for a new frame.
struct RepaintingProgress {
    shared: Arc<SharedProgress>,
    ctx: egui::Context,
}

impl Progress for RepaintingProgress {
    fn set_fraction(&self, fraction: f32) {
        self.shared.set_fraction(fraction);
        self.ctx.request_repaint();
    }
    fn set_message(&self, message: &str) {
        self.shared.set_message(message);
        self.ctx.request_repaint();
    }
    fn is_cancelled(&self) -> bool {
        self.shared.is_cancelled()
    }
}

/// How a job ended, seen from the UI.
#[derive(Debug)]
pub enum JobEnd<T> {
    Done(T),
    Cancelled,
    /// The worker died (a panic): the app goes on.
    Crashed,
}

/// A job running on a worker thread.
pub struct Job<T> {
    /// What the job is, for the progress line.
    pub label: String,
    pub progress: Arc<SharedProgress>,
    rx: Receiver<Result<T, Cancelled>>,
    pub started: Instant,
}

impl<T: Send + 'static> Job<T> {
    /// Run `work` on a new thread.
    pub fn spawn(
        label: impl Into<String>,
        ctx: &egui::Context,
        work: impl FnOnce(&dyn Progress) -> Result<T, Cancelled> + Send + 'static,
    ) -> Job<T> {
        let (tx, rx) = channel();
        let shared = Arc::new(SharedProgress::new());
        let progress = RepaintingProgress {
            shared: Arc::clone(&shared),
            ctx: ctx.clone(),
        };
        let label = label.into();
        // When no thread can be made, the closure and its sender are dropped, so poll() reports
        // Crashed; the join handle is not needed (the result comes over the channel).
        let _ = std::thread::Builder::new()
            .name(format!("job: {label}"))
            .spawn(move || {
                let result = work(&progress);
                // The receiver may be gone when the app closed; nothing to do then.
                let _ = tx.send(result);
                progress.ctx.request_repaint();
            });
        Job {
            label,
            progress: shared,
            rx,
            started: Instant::now(),
        }
    }

    /// The result once the job ended: one `try_recv`, never blocks.
    pub fn poll(&self) -> Option<JobEnd<T>> {
        match self.rx.try_recv() {
            Ok(Ok(v)) => Some(JobEnd::Done(v)),
            Ok(Err(Cancelled)) => Some(JobEnd::Cancelled),
            Err(TryRecvError::Empty) => None,
            Err(TryRecvError::Disconnected) => Some(JobEnd::Crashed),
        }
    }

    pub fn cancel(&self) {
        self.progress.cancel();
    }
}

/// What a load job hands back.
pub struct Loaded {
    pub working_crs: Crs,
    pub layers: Vec<PreparedLayer>,
    pub failures: Vec<FileFailure>,
    pub seconds: f64,
    pub paths: Vec<PathBuf>,
    /// The files are loaded again (new coordinates): their layers replace the ones on the map.
    pub replaces: bool,
}

/// Read, check and reproject `paths` into `options.working_crs` (or one chosen from the data),
/// then cut and index each layer for drawing. Reports a step per file; stops between files when
/// cancelled. A file that fails is a [`FileFailure`]; the others load.
pub fn load_files(
    paths: &[PathBuf],
    options: &LoadOptions,
    progress: &dyn Progress,
) -> Result<Loaded, Cancelled> {
    let started = Instant::now();
    let n = paths.len().max(1) as f32;
    let mut layers = Vec::new();
    let mut failures = Vec::new();
    for (i, path) in paths.iter().enumerate() {
        Cancelled::check(progress)?;
        let name = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_else(|| path.display().to_string());
        progress.set_message(&name);
        progress.set_fraction(0.7 * i as f32 / n);
        match read(path, &options.read) {
            Ok(ls) => layers.extend(ls),
            Err(error) => failures.push(FileFailure {
                path: path.clone(),
                error,
            }),
        }
    }
    Cancelled::check(progress)?;
    // The reprojection and checks: no file name any more.
    progress.set_message("");
    progress.set_fraction(0.7);
    let ds = prepare(layers, options, failures);
    Cancelled::check(progress)?;
    progress.set_fraction(0.9);
    let layers: Vec<PreparedLayer> = ds.layers.into_par_iter().map(PreparedLayer::new).collect();
    progress.set_fraction(1.0);
    Ok(Loaded {
        working_crs: ds.working_crs,
        layers,
        failures: ds.failures,
        seconds: started.elapsed().as_secs_f64(),
        paths: paths.to_vec(),
        replaces: false,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::job::NoProgress;

    const POINTS: &str = r#"{"type":"FeatureCollection","features":[
        {"type":"Feature","properties":{"名称":"清溪小学"},"geometry":{"type":"Point","coordinates":[120.1,30.2]}},
        {"type":"Feature","properties":{"名称":"卫生院"},"geometry":{"type":"Point","coordinates":[120.11,30.21]}}]}"#;

    #[test]
    fn a_broken_file_fails_alone_and_names_itself() {
        let dir = tempfile::tempdir().expect("tempdir");
        let good = dir.path().join("设施.geojson");
        let bad = dir.path().join("坏文件.geojson");
        std::fs::write(&good, POINTS).expect("write");
        std::fs::write(&bad, "{ not json").expect("write");
        std::fs::write(dir.path().join("readme.md"), "x").expect("write");
        std::fs::write(dir.path().join("metadata.json"), r#"{"counts":{"a":1}}"#).expect("write");
        let files = data_files_in(dir.path());
        assert_eq!(files.len(), 2, "{files:?}");
        let loaded =
            load_files(&files, &LoadOptions::default(), &NoProgress).expect("not cancelled");
        assert_eq!(loaded.layers.len(), 1);
        assert_eq!(
            crate::app::map::pick::pickable(&loaded.layers[0].prepared),
            2
        );
        assert_eq!(loaded.failures.len(), 1);
        assert!(
            loaded.failures[0]
                .error
                .to_string()
                .contains("坏文件.geojson")
        );
        assert_eq!(loaded.working_crs, Crs::Epsg(4549));
    }

    #[test]
    fn a_cancelled_load_stops_and_the_job_reports_it() {
        let p = SharedProgress::new();
        p.cancel();
        assert!(matches!(
            load_files(&[PathBuf::from("x.geojson")], &LoadOptions::default(), &p),
            Err(Cancelled)
        ));

        let ctx = egui::Context::default();
        let job: Job<u32> = Job::spawn("test", &ctx, |progress| {
            while !progress.is_cancelled() {
                std::thread::sleep(std::time::Duration::from_millis(1));
            }
            Err(Cancelled)
        });
        assert!(job.poll().is_none());
        job.cancel();
        let end = loop {
            if let Some(e) = job.poll() {
                break e;
            }
            std::thread::sleep(std::time::Duration::from_millis(1));
        };
        assert!(matches!(end, JobEnd::Cancelled));

        let crashing: Job<u32> = Job::spawn("crash", &ctx, |_| panic!("boom"));
        let end = loop {
            if let Some(e) = crashing.poll() {
                break e;
            }
            std::thread::sleep(std::time::Duration::from_millis(1));
        };
        assert!(matches!(end, JobEnd::Crashed));
    }
}
