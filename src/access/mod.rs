//! Access: demand, snapping, travel times to the nearest facility of each category, coverage per
//! tier, isochrones, travel-time grids, gaps, and incremental scenario edits.
//!
//! Entry point: [`Analysis::new`] prepares a town (graph, mode, demand, snapped points) from
//! layers already in the metric working CRS; [`Analysis::run`] computes times and coverage.

pub mod coverage;
pub mod demand;
pub mod dijkstra;
pub mod euclid;
pub mod gaps;
pub mod grid;
pub mod isochrone;
pub mod quality;
pub mod scenario;
pub mod snap;
#[cfg(test)]
pub(crate) mod test_support;
pub mod town;

use std::collections::BTreeMap;
use std::sync::Arc;

use geo::{Centroid, InteriorPoint};
use geo_types::Geometry;
use rayon::prelude::*;
use serde::Serialize;

use crate::error::{Error, Result};
use crate::model::layer::{AttrValue, Layer, SourceId};
use crate::model::{CategoryId, Role, Taxonomy};
use crate::network::build::{BuildOptions, BuildReport, build_graph};
use crate::network::components::{Component, Components};
use crate::network::graph::Graph;
use crate::network::mode::{ModeGraph, TravelMode};
use crate::standards::profile::{Profile, Provenance, Scope, ShapeParams};

pub use coverage::{AllRequiredCoverage, CategoryCoverage, Coverage, ScopedCoverage, TierSpec};
pub use demand::{Demand, DemandLayers, DemandPoint, DemandSource, DemandSummary};
pub use dijkstra::{NO_SOURCE, NodeTimes, SourcePoint, SourceSet, Workspace};
pub use snap::{Snap, SnapIndex};
pub use town::{ModeRun, ModeRunInfo, TownAccess, TownOptions, run_town};

mod analysis;
mod input;
mod prepared;
mod result;

pub use input::{AccessInput, AccessOptions, Facility, Method};
pub use prepared::{Network, PreparedTown, Roads};
pub use result::{
    AccessReport, AccessResult, Analysis, CategoryTimes, ModeInfo, NetworkStats, SnapStats,
    TierInfo,
};

#[cfg(test)]
mod tests;
