//! Access: demand, snapping, travel times to the nearest facility of each category, coverage per
//! tier, isochrones, travel-time grids, gaps, and incremental scenario edits (one category:
//! [`scenario`]; a whole town: [`live`]), catchments, 2SFCA for facilities with a capacity
//! ([`fca`]) and suggested sites ([`suggest`]).
//!
//! Entry point: [`Analysis::new`] prepares a town (graph, mode, demand, snapped points) from
//! layers already in the metric working CRS; [`Analysis::run`] computes times and coverage.

pub mod catchment;
pub mod coverage;
pub mod dasymetric;
pub mod demand;
pub mod dijkstra;
pub mod euclid;
pub mod fca;
pub mod gaps;
pub mod grid;
pub mod isochrone;
pub mod live;
pub mod memo;
pub mod quality;
pub mod scenario;
pub mod snap;
pub mod suggest;
#[cfg(test)]
pub(crate) mod test_support;
pub mod town;

pub use coverage::{AllRequiredCoverage, CategoryCoverage, Coverage, ScopedCoverage, TierSpec};
pub use demand::{Counted, Demand, DemandLayers, DemandPoint, DemandSource, DemandSummary};
pub use dijkstra::{NO_SOURCE, NodeTimes, SourcePoint, SourceSet, Workspace};
pub use snap::{Snap, SnapIndex};
pub use town::{ModeRun, TownAccess, TownOptions, rerun_town, run_town};

mod analysis;
mod input;
mod prepared;
mod result;

pub use input::{
    AccessInput, AccessOptions, CAPACITY_FIELDS, Facility, Method, capacity_of, capacity_value,
};
pub use prepared::{Network, PreparedTown, Roads};
pub use result::{
    AccessReport, AccessResult, Analysis, CategoryTimes, ModeInfo, ModeRunInfo, NetworkStats,
    SnapStats, TierInfo,
};

#[cfg(test)]
mod tests;
