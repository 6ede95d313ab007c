//! towncircle (镇村生活圈规划助手): the analysis core of a desktop GIS for town living-circle
//! planning in Zhejiang. No UI, no printing, no process exit here.
#![deny(clippy::unwrap_used)]

pub mod access;
pub mod batch;
pub mod crs;
pub mod demo;
pub mod error;
pub mod io;
pub mod model;
pub mod network;
pub mod project;
pub mod render;
pub mod report;
pub mod standards;
pub mod tenones;

pub use error::{Error, Result};
pub mod job;

/// The desktop app (feature `gui`).
#[cfg(feature = "gui")]
pub mod app;
