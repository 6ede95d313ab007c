//! What a suggestion reports (serialisable: `towncircle suggest --json`, and the app's numbered
//! candidate markers with "people added" and "accept").

use serde::Serialize;

use crate::access::coverage::ScopedCoverage;
use crate::access::fca::FcaReport;
use crate::model::layer::SourceId;

use super::candidates::CandidateStats;
use super::request::Model;

/// The category as reported.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CategoryRef {
    pub id: String,
    pub zh: String,
    pub en: String,
}

/// One suggested site, in the order of what it adds (rank 1 adds the most).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SuggestedSite {
    /// 1, 2, … (the marker's number).
    pub rank: usize,
    /// Position in the working CRS (metres): where "accept" puts the new facility.
    pub xy: [f64; 2],
    /// The category id the new facility gets.
    pub category: String,
    /// Index among the candidates.
    pub candidate: usize,
    pub name: Option<String>,
    /// The candidate file's feature, when the candidate came from a file.
    pub source: Option<SourceId>,
    /// People newly within the tier's minutes with this site added to those ranked before it
    /// (the existing facilities included): the people it adds.
    pub added_weight: f64,
    /// Town coverage with the sites up to this one, percent.
    pub cumulative_percent: Option<f64>,
    /// People within the tier's minutes of the site (whether or not already covered).
    pub demand_in_reach: f64,
    /// People for whom it would be the nearest facility (existing and suggested) within the
    /// tier's minutes: the demand it would serve.
    pub demand_served: f64,
    /// p-median: demand-weighted seconds it saves after those ranked before it.
    pub weighted_time_saved_s: Option<f64>,
    pub capacity: Option<f64>,
    /// With a capacity: demand in reach above capacity × persons per unit.
    pub overloaded: Option<bool>,
    /// Metres from the candidate to the road it joins.
    pub access_m: f64,
}

/// How good the covering solution is known to be.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Optimality {
    /// People newly covered by the greedy start and after the swaps.
    pub greedy_weight: f64,
    pub weight: f64,
    pub swaps: usize,
    /// No choice of as many sites newly covers more than this (Lagrangian/LP and submodular
    /// bounds).
    pub upper_bound_weight: f64,
    /// (bound − found) / bound, percent: the solution is at most this far from the optimum.
    pub gap_percent: f64,
    /// `--target-percent`: true when one site fewer provably cannot reach the target.
    pub fewest_proven: Option<bool>,
}

/// p-median figures: demand-weighted mean time to the nearest facility, capped at the tier's
/// minutes (a point beyond counts as the cap).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MedianFigures {
    pub cap_s: f64,
    pub mean_time_before_s: f64,
    pub mean_time_after_s: f64,
    pub greedy_mean_time_s: f64,
    pub swaps: usize,
}

/// 2SFCA before and after the suggested sites (when any facility has a capacity).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CapacityCheck {
    pub before: FcaReport,
    pub after: FcaReport,
}

/// The size of the solved instance.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct InstanceSize {
    pub candidates: usize,
    pub demand_points: usize,
    /// Demand points not yet covered that some candidate reaches (the MCLP's elements).
    pub open_demand_points: usize,
    /// (candidate, demand point) pairs within the tier's minutes.
    pub pairs: usize,
}

/// Suggested sites for one category and tier.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Suggestion {
    pub model: Model,
    pub category: CategoryRef,
    /// Whose people the coverage, the sites' added and served people and the 2SFCA count:
    /// `total`, or the category's age band (`3-5`, `60+`) when that raster is loaded.
    pub demand: String,
    pub minutes: u32,
    /// The tier's travel mode.
    pub mode: String,
    pub budget_s: f64,
    /// `--count` asked for, or None.
    pub count: Option<usize>,
    /// `--target-percent` asked for, or None.
    pub target_percent: Option<f64>,
    pub candidates: CandidateStats,
    pub instance: InstanceSize,
    pub existing_facilities: usize,
    /// Existing facilities of the category beyond the maximum snap distance (not reachable).
    pub existing_unreachable: usize,
    /// Coverage of the category at the tier before and after adding the sites (the figures
    /// `towncircle coverage` gives with the sites added as facilities).
    pub before: ScopedCoverage,
    pub after: ScopedCoverage,
    /// People newly covered by the sites.
    pub added_weight: f64,
    pub sites: Vec<SuggestedSite>,
    /// MCLP only.
    pub optimality: Option<Optimality>,
    /// p-median only.
    pub p_median: Option<MedianFigures>,
    pub capacity: Option<CapacityCheck>,
    pub warnings: Vec<String>,
}
