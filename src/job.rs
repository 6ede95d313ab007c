//! Progress reporting and cancellation for long work (loading, analysis, export), without UI types.
//!
//! The core calls [`Progress::set_fraction`] / [`Progress::set_message`] as it goes and checks
//! [`Progress::is_cancelled`] between steps; the desktop app implements the trait on a shared
//! state its frame loop reads, the CLI passes [`NoProgress`].

use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, AtomicU32, Ordering};

/// A sink for a job's progress, and its cancel flag. Implementations are shared between the
/// worker thread that reports and the thread that shows or cancels.
pub trait Progress: Send + Sync {
    /// How far the job is, from 0.0 to 1.0.
    fn set_fraction(&self, fraction: f32);
    /// What the job is doing now, for a person to read (e.g. "reading 道路.shp").
    fn set_message(&self, message: &str);
    /// True once the user asked to stop: the job should return soon with [`Cancelled`].
    fn is_cancelled(&self) -> bool;
}

/// The job was stopped because the user cancelled it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("cancelled")]
pub struct Cancelled;

impl Cancelled {
    /// `Err(Cancelled)` when `progress` was cancelled; for `?` between steps.
    pub fn check(progress: &dyn Progress) -> Result<(), Cancelled> {
        if progress.is_cancelled() {
            Err(Cancelled)
        } else {
            Ok(())
        }
    }
}

/// Progress that goes nowhere and is never cancelled.
#[derive(Debug, Clone, Copy, Default)]
pub struct NoProgress;

impl Progress for NoProgress {
    fn set_fraction(&self, _fraction: f32) {}
    fn set_message(&self, _message: &str) {}
    fn is_cancelled(&self) -> bool {
        false
    }
}

/// Progress kept in memory, to be read by another thread (the UI) and cancelled from it.
#[derive(Debug, Default)]
pub struct SharedProgress {
    fraction_bits: AtomicU32,
    message: Mutex<String>,
    cancelled: AtomicBool,
}

impl SharedProgress {
    pub fn new() -> Self {
        Self::default()
    }

    /// The last fraction reported, 0.0–1.0.
    pub fn fraction(&self) -> f32 {
        f32::from_bits(self.fraction_bits.load(Ordering::Relaxed))
    }

    /// The last message reported.
    pub fn message(&self) -> String {
        match self.message.lock() {
            Ok(m) => m.clone(),
            Err(poisoned) => poisoned.into_inner().clone(),
        }
    }

    /// Ask the job to stop.
    pub fn cancel(&self) {
        self.cancelled.store(true, Ordering::Relaxed);
    }
}

impl Progress for SharedProgress {
    fn set_fraction(&self, fraction: f32) {
        let f = if fraction.is_finite() {
            fraction.clamp(0.0, 1.0)
        } else {
            0.0
        };
        self.fraction_bits.store(f.to_bits(), Ordering::Relaxed);
    }

    fn set_message(&self, message: &str) {
        match self.message.lock() {
            Ok(mut m) => message.clone_into(&mut m),
            Err(poisoned) => message.clone_into(&mut poisoned.into_inner()),
        }
    }

    fn is_cancelled(&self) -> bool {
        self.cancelled.load(Ordering::Relaxed)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Arc;

    #[test]
    fn shared_progress_is_seen_across_threads_and_clamped() {
        let p = Arc::new(SharedProgress::new());
        let worker = {
            let p = Arc::clone(&p);
            std::thread::spawn(move || {
                p.set_message("reading 道路.shp");
                p.set_fraction(0.25);
                while !p.is_cancelled() {
                    std::thread::yield_now();
                }
                Cancelled::check(p.as_ref())
            })
        };
        while p.fraction() < 0.2 {
            std::thread::yield_now();
        }
        assert_eq!(p.message(), "reading 道路.shp");
        p.cancel();
        assert_eq!(worker.join().expect("join"), Err(Cancelled));
        p.set_fraction(7.0);
        assert_eq!(p.fraction(), 1.0);
        p.set_fraction(f32::NAN);
        assert_eq!(p.fraction(), 0.0);
        assert!(!NoProgress.is_cancelled());
    }
}
