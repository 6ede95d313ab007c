//! The road network: graph build (snap, split at same-level crossings), travel modes and their
//! per-mode adjacency, connected components, synthetic grids.

pub mod build;
pub mod components;
pub mod graph;
pub mod mode;
pub mod synth;

pub use build::{BuildOptions, BuildReport, BuiltGraph, build_graph};
pub use components::{Component, Components};
pub use graph::{Csr, Direction, Edge, Graph, LineSource};
pub use mode::{ModeGraph, TravelMode};
