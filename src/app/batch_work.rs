//! 文件 → 批量分析 (whole-city batch): `towncircle batch` over a city folder, run as a child
//! process of this same program in a background job, with progress (towns written out of the
//! towns found) and Cancel (the child is stopped; towns already written stay, and a later run
//! with 续跑 (resume) skips them). A child process, not a thread: a town that brings its
//! analysis down cannot bring the app down, and Cancel stops at once.

use std::path::{Path, PathBuf};
use std::process::{Command as Process, Stdio};
use std::time::{Duration, Instant, SystemTime};

use super::i18n::{Lang, tx};
use super::jobs::{Job, JobEnd};
use super::{Level, TownApp};
use crate::batch::{Outcome, TOWNS_DIR, discover, merge::rows_of};
use crate::job::{Cancelled, Progress};

/// The program that runs the batch: `TOWNCIRCLE_EXE` when set (tests), else this program.
pub const EXE_VAR: &str = "TOWNCIRCLE_EXE";

/// The batch window's settings and the run.
#[derive(Default)]
pub struct BatchState {
    pub open: bool,
    pub city: String,
    pub out: String,
    /// Towns at once (0: as many as cores).
    pub jobs: usize,
    pub resume: bool,
    pub job: Option<Job<Result<BatchDone, String>>>,
    /// The last run's end: what it did, or why it could not run.
    pub last: Option<Result<BatchDone, String>>,
}

/// A finished batch.
#[derive(Debug, Clone, PartialEq)]
pub struct BatchDone {
    pub out: PathBuf,
    pub towns: usize,
    /// Towns that failed, with their reason.
    pub failed: Vec<(String, String)>,
    pub seconds: f64,
    /// Where the console output went.
    pub log: PathBuf,
}

impl BatchDone {
    pub fn city_html(&self) -> PathBuf {
        self.out.join("city.html")
    }
}

/// The output folder suggested for a city folder: beside it, named after it.
pub fn default_out(city: &Path) -> PathBuf {
    let name = city
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "city".into());
    city.with_file_name(format!("{name}-批量分析"))
}

/// Towns whose manifest (towns/<name>/batch.json) was written since `since`.
fn towns_written(out: &Path, since: SystemTime) -> usize {
    let Ok(dir) = std::fs::read_dir(out.join(TOWNS_DIR)) else {
        return 0;
    };
    dir.flatten()
        .filter(|e| {
            std::fs::metadata(e.path().join("batch.json"))
                .and_then(|m| m.modified())
                .is_ok_and(|t| t >= since)
        })
        .count()
}

/// Run the batch: `exe batch CITY --out OUT [--jobs N] [--resume] --lang L`, its console output
/// into OUT/batch-log.txt. Err(Cancelled) when cancelled (the child is stopped); Ok(Err) when
/// it could not run (no towns, a bad folder: the reason from its output).
pub fn run_batch(
    exe: &Path,
    city: &Path,
    out: &Path,
    jobs: usize,
    resume: bool,
    lang: Lang,
    progress: &dyn Progress,
) -> Result<Result<BatchDone, String>, Cancelled> {
    let started = Instant::now();
    let since = SystemTime::now() - Duration::from_secs(1);
    let total = match discover(city) {
        Ok(t) if t.is_empty() => return Ok(Err(format!("{}: {}", city.display(), "no towns"))),
        Ok(t) => t.len(),
        Err(e) => return Ok(Err(format!("{e:#}"))),
    };
    if let Err(e) = std::fs::create_dir_all(out) {
        return Ok(Err(format!("{}: {e}", out.display())));
    }
    let log = out.join("batch-log.txt");
    let log_file = match std::fs::File::create(&log) {
        Ok(f) => f,
        Err(e) => return Ok(Err(format!("{}: {e}", log.display()))),
    };
    let mut cmd = Process::new(exe);
    cmd.arg("batch")
        .arg(city)
        .arg("--out")
        .arg(out)
        .arg("--lang")
        .arg(match lang {
            Lang::Zh => "zh",
            Lang::En => "en",
        })
        .stdin(Stdio::null())
        .stdout(Stdio::null());
    if jobs > 0 {
        cmd.arg("--jobs").arg(jobs.to_string());
    }
    if resume {
        cmd.arg("--resume");
    }
    cmd.stderr(log_file);
    let mut child = match cmd.spawn() {
        Ok(c) => c,
        Err(e) => return Ok(Err(format!("{}: {e}", exe.display()))),
    };
    let status = loop {
        if progress.is_cancelled() {
            let _ = child.kill();
            let _ = child.wait();
            return Err(Cancelled);
        }
        match child.try_wait() {
            Ok(Some(status)) => break status,
            Ok(None) => {}
            Err(e) => return Ok(Err(e.to_string())),
        }
        let done = towns_written(out, since).min(total);
        progress.set_fraction(done as f32 / total as f32);
        progress.set_message(&format!("{done}/{total}"));
        std::thread::sleep(Duration::from_millis(200));
    };
    // 0: every town analysed; 1: some failed (their rows say why); else it could not run.
    if !matches!(status.code(), Some(0 | 1)) {
        let text = std::fs::read_to_string(&log).unwrap_or_default();
        let tail: Vec<&str> = text.lines().rev().take(6).collect();
        let tail: Vec<&str> = tail.into_iter().rev().collect();
        return Ok(Err(format!("{status}: {}", tail.join(" / "))));
    }
    let rows = match rows_of(out) {
        Ok(r) => r,
        Err(e) => return Ok(Err(format!("{e:#}"))),
    };
    let failed = rows
        .iter()
        .filter_map(|r| match &r.outcome {
            Outcome::Failed { failure } => Some((r.name.clone(), failure.reason())),
            Outcome::Done { .. } => None,
        })
        .collect();
    Ok(Ok(BatchDone {
        out: out.to_path_buf(),
        towns: rows.len(),
        failed,
        seconds: started.elapsed().as_secs_f64(),
        log,
    }))
}

impl TownApp {
    /// Start the batch of the window's settings.
    pub(super) fn start_batch(&mut self, ctx: &egui::Context) {
        let lang = self.lang();
        let b = &mut self.batch;
        if b.job.is_some() {
            return;
        }
        let city = PathBuf::from(b.city.trim());
        if b.city.trim().is_empty() || !city.is_dir() {
            b.last = Some(Err(format!(
                "{} {}: {}",
                lang.t(tx::BATCH_CITY),
                lang.t(tx::BATCH_NOT_FOLDER),
                city.display()
            )));
            return;
        }
        // An empty output folder means the default beside this city folder (not written back:
        // a later city must not reuse an earlier city's output folder).
        let out = if b.out.trim().is_empty() {
            default_out(&city)
        } else {
            PathBuf::from(b.out.trim())
        };
        let exe = std::env::var_os(EXE_VAR)
            .map(PathBuf::from)
            .or_else(|| std::env::current_exe().ok());
        let Some(exe) = exe else {
            b.last = Some(Err("current_exe".into()));
            return;
        };
        let (jobs, resume) = (b.jobs, b.resume);
        b.last = None;
        b.job = Some(Job::spawn(lang.t(tx::BATCH), ctx, move |progress| {
            run_batch(&exe, &city, &out, jobs, resume, lang, progress)
        }));
    }

    pub(super) fn poll_batch(&mut self, ctx: &egui::Context) {
        let Some(end) = self.batch.job.as_ref().and_then(|j| j.poll()) else {
            return;
        };
        self.batch.job = None;
        let lang = self.lang();
        match end {
            JobEnd::Done(Ok(done)) => {
                let text = format!(
                    "{}: {} {}, {} {} ({:.0} s) → {}",
                    lang.t(tx::BATCH),
                    done.towns,
                    lang.t(tx::BATCH_TOWNS),
                    done.failed.len(),
                    lang.t(tx::BATCH_FAILED),
                    done.seconds,
                    done.city_html().display()
                );
                let level = if done.failed.is_empty() {
                    Level::Info
                } else {
                    Level::Warning
                };
                self.log(ctx, level, text);
                self.batch.last = Some(Ok(done));
            }
            JobEnd::Done(Err(e)) => {
                self.log(ctx, Level::Error, format!("{}: {e}", lang.t(tx::BATCH)));
                self.batch.last = Some(Err(e));
            }
            JobEnd::Cancelled => {
                let text = format!("{}: {}", lang.t(tx::BATCH), lang.t(tx::CANCELLED));
                self.log(ctx, Level::Info, text);
            }
            JobEnd::Crashed => {
                let text = format!("{}: {}", lang.t(tx::JOB_CRASHED), lang.t(tx::BATCH));
                self.log(ctx, Level::Error, text);
            }
        }
    }

    /// The batch window (when open).
    pub(super) fn batch_ui(&mut self, ctx: &egui::Context) -> Vec<super::Command> {
        use super::Command;
        let mut commands = Vec::new();
        if !self.batch.open {
            return commands;
        }
        let lang = self.lang();
        let mut open = true;
        egui::Window::new(lang.t(tx::BATCH))
            .open(&mut open)
            .resizable(false)
            .collapsible(false)
            .show(ctx, |ui| {
                let b = &mut self.batch;
                let running = b.job.is_some();
                ui.label(lang.t(tx::BATCH_HINT));
                egui::Grid::new("batch-settings")
                    .num_columns(3)
                    .show(ui, |ui| {
                        ui.label(lang.t(tx::BATCH_CITY));
                        ui.add_enabled(
                            !running,
                            egui::TextEdit::singleline(&mut b.city).desired_width(320.0),
                        );
                        if ui
                            .add_enabled(!running, egui::Button::new(lang.t(tx::BATCH_PICK)))
                            .clicked()
                        {
                            commands.push(Command::BatchPickCity);
                        }
                        ui.end_row();
                        ui.label(lang.t(tx::BATCH_OUT));
                        let hint = if b.city.trim().is_empty() {
                            String::new()
                        } else {
                            default_out(Path::new(b.city.trim())).display().to_string()
                        };
                        ui.add_enabled(
                            !running,
                            egui::TextEdit::singleline(&mut b.out)
                                .hint_text(hint)
                                .desired_width(320.0),
                        );
                        if ui
                            .add_enabled(!running, egui::Button::new(lang.t(tx::BATCH_PICK)))
                            .clicked()
                        {
                            commands.push(Command::BatchPickOut);
                        }
                        ui.end_row();
                        ui.label(lang.t(tx::BATCH_JOBS));
                        ui.add_enabled(
                            !running,
                            egui::DragValue::new(&mut b.jobs)
                                .range(0..=64)
                                .custom_formatter(|v, _| {
                                    if v == 0.0 {
                                        lang.t(tx::BATCH_JOBS_AUTO).to_string()
                                    } else {
                                        format!("{v:.0}")
                                    }
                                }),
                        );
                        ui.end_row();
                    });
                ui.add_enabled(
                    !running,
                    egui::Checkbox::new(&mut b.resume, lang.t(tx::BATCH_RESUME)),
                );
                ui.separator();
                if let Some(job) = &b.job {
                    let (fraction, message) = (job.progress.fraction(), job.progress.message());
                    ui.horizontal(|ui| {
                        ui.spinner();
                        ui.add(
                            egui::ProgressBar::new(fraction)
                                .text(format!("{message} {}", lang.t(tx::BATCH_TOWNS)))
                                .desired_width(300.0),
                        );
                        if ui.button(lang.t(tx::CANCEL)).clicked() {
                            commands.push(Command::BatchCancel);
                        }
                    });
                } else if ui.button(lang.t(tx::BATCH_START)).clicked() {
                    commands.push(Command::BatchStart);
                }
                match &b.last {
                    Some(Ok(done)) => {
                        ui.label(format!(
                            "{} {}, {} {} ({:.0} s)",
                            done.towns,
                            lang.t(tx::BATCH_TOWNS),
                            done.failed.len(),
                            lang.t(tx::BATCH_FAILED),
                            done.seconds
                        ));
                        for (name, why) in done.failed.iter().take(8) {
                            ui.colored_label(ui.visuals().warn_fg_color, format!("{name}: {why}"));
                        }
                        ui.label(done.city_html().display().to_string());
                        if ui.button(lang.t(tx::BATCH_OPEN_TABLE)).clicked() {
                            commands.push(Command::OpenPath(done.city_html()));
                        }
                    }
                    Some(Err(e)) => {
                        ui.colored_label(ui.visuals().error_fg_color, e);
                    }
                    None => {}
                }
            });
        if !open {
            self.batch.open = false;
        }
        commands
    }
}
