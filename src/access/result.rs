//! The analysis of one mode and what it reports: tiers, times per category, mode, network and
//! snapping statistics, the access report.

use std::collections::BTreeMap;
use std::sync::Arc;

use serde::Serialize;

use crate::model::{CategoryId, Taxonomy};
use crate::network::build::BuildReport;
use crate::network::components::Component;
use crate::network::mode::TravelMode;
use crate::standards::profile::{Provenance, Scope, ShapeParams};

use super::coverage::{AllRequiredCoverage, CategoryCoverage, TierSpec};
use super::demand::{Demand, DemandSummary};
use super::dijkstra::NodeTimes;
use super::input::{Facility, Method};
use super::prepared::Network;
use super::snap::Snap;

/// A prepared town: network, mode, demand and facilities, snapped.
#[derive(Debug, Clone)]
pub struct Analysis {
    pub profile_id: String,
    pub profile_name: String,
    pub profile_version: String,
    pub mode: TravelMode,
    pub mode_info: ModeInfo,
    pub method: Method,
    pub network: Option<Network>,
    pub detour_factor: f64,
    pub detour_source: Provenance,
    pub demand: Demand,
    pub demand_snaps: Vec<Option<Snap>>,
    pub facilities: Vec<Facility>,
    pub facility_snaps: Vec<Option<Snap>>,
    pub tiers: Vec<TierSpec>,
    /// Tier details from the profile (None for a tier given only as minutes).
    pub tier_info: Vec<TierInfo>,
    /// Categories evaluated: every category with a facility, and every required one.
    pub categories: Vec<CategoryId>,
    pub taxonomy: Taxonomy,
    pub shapes: ShapeParams,
    pub warnings: Vec<String>,
    /// The travel-time grid's cell snaps, found once per grid (see [`super::grid::GridSnaps`]).
    pub grid_snaps: super::grid::GridSnaps,
    /// Isochrone pieces and gap outlines traced for this analysis and its scenarios (see
    /// [`super::memo`]).
    pub shape_memo: super::memo::ShapeMemo,
}

/// A tier as reported.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TierInfo {
    pub minutes: u32,
    pub budget_s: f64,
    pub id: Option<String>,
    pub zh: Option<String>,
    pub scope: Scope,
    /// The mode the profile defines the tier for (the run may use another: see `mode`).
    pub profile_mode: Option<String>,
    /// The mode this tier was computed with (the profile's, unless `--mode` overrides it).
    pub mode: String,
    pub required: Vec<String>,
    /// Per requirement (aligned with `required`), its own limit when it has one ("≤500 m").
    pub required_limits: Vec<Option<String>>,
    pub source: Option<Provenance>,
    pub cite: Option<String>,
}

/// Times of every demand point to the nearest facility of one category.
#[derive(Debug, Clone, PartialEq)]
pub struct CategoryTimes {
    pub category: CategoryId,
    /// Facility indices (into [`Analysis::facilities`]) of this category.
    pub facilities: Vec<u32>,
    /// Node times (network method only).
    pub node_times: Option<NodeTimes>,
    /// Per demand point: seconds to the nearest facility (infinite beyond the budget).
    pub demand_time_s: Vec<f64>,
    /// Per demand point: that facility's index, or [`NO_SOURCE`](super::NO_SOURCE).
    pub demand_facility: Vec<u32>,
    pub budget_s: f64,
}

/// The mode as reported.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ModeInfo {
    pub id: String,
    pub zh: String,
    pub en: String,
    pub speed_m_per_s: f64,
    pub speed_source: Provenance,
    pub speed_cite: String,
    /// Speeds that differ from the base speed, per road class (km/h).
    pub class_speed_km_h: BTreeMap<String, f64>,
    pub forbidden_classes: Vec<String>,
    pub oneway: bool,
    pub access_speed_m_per_s: f64,
    pub max_snap_m: f64,
}

/// Network statistics.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct NetworkStats {
    pub nodes: usize,
    pub edges: usize,
    pub length_km: f64,
    /// Components over the edges this mode can use.
    pub components: usize,
    /// Share of usable length in the largest component (percent).
    pub largest_component_percent: f64,
    /// Up to 10 fragments other than the largest, longest first, with a location.
    pub fragments: Vec<Component>,
    pub build: BuildReport,
}

/// Snapping statistics.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SnapStats {
    pub max_snap_m: f64,
    pub demand_points: usize,
    pub demand_snapped: usize,
    /// Farther than `max_snap_m` from a usable road: not reachable.
    pub demand_unreachable: usize,
    pub demand_unreachable_weight: f64,
    pub demand_mean_access_m: Option<f64>,
    pub facilities: usize,
    pub facilities_snapped: usize,
    pub facilities_unreachable: usize,
    /// Facilities on a fragment of the network other than the largest.
    pub facilities_off_main_network: usize,
}

/// A mode as used in a run: which tiers, how the network looked to it, its snapping.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ModeRunInfo {
    pub mode: ModeInfo,
    pub method: Method,
    /// Minutes of the tiers computed with this mode.
    pub tiers: Vec<u32>,
    /// Components of the network this mode can use (None: no network).
    pub components: Option<usize>,
    pub largest_component_percent: Option<f64>,
    pub snapping: SnapStats,
}

/// Everything a report needs (serialisable; documented in README.md, `towncircle coverage`).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AccessReport {
    pub method: Method,
    /// Conditions every reader must see (e.g. the Euclidean fallback).
    pub flags: Vec<String>,
    pub profile: BTreeMap<&'static str, String>,
    pub mode: ModeInfo,
    pub network: Option<NetworkStats>,
    pub snapping: SnapStats,
    pub demand: DemandSummary,
    pub tiers: Vec<TierInfo>,
    pub categories: Vec<CategoryCoverage>,
    pub all_required: Vec<AllRequiredCoverage>,
    pub warnings: Vec<String>,
    /// One entry per mode used (tiers may use different modes: see [`run_town`](super::run_town)).
    pub modes: Vec<ModeRunInfo>,
}

/// Times per category and the report.
#[derive(Debug, Clone)]
pub struct AccessResult {
    /// Shared: a scenario's result ([`super::live`]) shares the categories it did not edit with
    /// the base result instead of copying their times.
    pub categories: Vec<Arc<CategoryTimes>>,
    pub report: AccessReport,
}
