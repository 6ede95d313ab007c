//! The suggestion instance of a town: the tier's run, the existing facilities' times, the
//! candidates snapped onto the network and each candidate's catchment within the tier's
//! minutes. Both models and the spopt export (examples/export_mclp.rs) start here.

use crate::access::catchment::{Catchments, DemandIndex, catchments};
use crate::access::dijkstra::SourcePoint;
use crate::access::input::AccessInput;
use crate::access::result::Analysis;
use crate::access::town::TownAccess;
use crate::error::{Error, Result};
use crate::model::CategoryId;

use super::candidates::{
    CandidateArea, CandidateStats, layer_candidates, network_candidates, snap_candidates,
};
use super::mclp::CoverInstance;
use super::pmedian::MedianInstance;
use super::request::{Candidate, CandidateInput};

/// A town ready for site suggestion.
#[derive(Debug, Clone)]
pub struct Prepared<'a> {
    pub analysis: &'a Analysis,
    pub category: CategoryId,
    pub minutes: u32,
    pub budget_s: f64,
    pub candidates: Vec<Candidate>,
    pub stats: CandidateStats,
    /// Per candidate, where it joins the network (None: beyond the maximum snap distance).
    pub sites: Vec<Option<SourcePoint>>,
    /// Per candidate, the demand points within the tier's minutes and their times.
    pub catchments: Catchments,
    /// Per demand point, the time to the nearest existing facility of the category (infinite
    /// beyond the tier's minutes or when there is none).
    pub existing_s: Vec<f64>,
    /// The existing facilities of the category (indices into `analysis.facilities`).
    pub existing: Vec<u32>,
}

/// The elements of the covering problem: demand points not yet covered that some candidate
/// reaches (`demand[k]` is element k's demand point).
#[derive(Debug, Clone)]
pub struct CoverProblem {
    pub instance: CoverInstance,
    pub demand: Vec<u32>,
    /// Weight already covered by the existing facilities.
    pub existing_weight: f64,
    /// Weight of all demand (the town's total, as coverage reports it).
    pub total_weight: f64,
}

/// Candidate file layers for [`CandidateInput::Given`].
pub fn given_candidates(file: &str, layers: &[&crate::model::Layer]) -> CandidateInput {
    CandidateInput::Given {
        file: file.to_string(),
        candidates: layer_candidates(layers),
    }
}

impl<'a> Prepared<'a> {
    /// Prepare the tier of `minutes`: errors when the town has no such tier, no network, or no
    /// candidate on the network.
    pub fn new(
        town: &'a TownAccess,
        input: &AccessInput<'_>,
        category: CategoryId,
        minutes: u32,
        candidates: &CandidateInput,
    ) -> Result<Prepared<'a>> {
        let run = town.run_of(minutes).ok_or_else(|| {
            let have: Vec<String> = town
                .report
                .tiers
                .iter()
                .map(|t| t.minutes.to_string())
                .collect();
            Error::Config(format!(
                "no {minutes}-minute tier in this run (tiers: {})",
                have.join(", ")
            ))
        })?;
        let analysis = &run.analysis;
        let Some(network) = analysis.network.as_ref() else {
            return Err(Error::Config(format!(
                "no usable road network for mode \"{}\": site suggestion needs network travel times (give a road layer with --roads; see the warnings of `towncircle coverage`)",
                analysis.mode.id
            )));
        };
        let budget_s = f64::from(minutes) * 60.0;
        let existing: Vec<u32> = analysis.facilities_of(category);
        let existing_s: Vec<f64> = match town.times(minutes, category) {
            Some(t) => t
                .demand_time_s
                .iter()
                .map(|x| if *x <= budget_s { *x } else { f64::INFINITY })
                .collect(),
            None => vec![f64::INFINITY; analysis.demand.points.len()],
        };
        let (cands, mut stats) = match candidates {
            CandidateInput::Network {
                cell_m,
                max_candidates,
            } => network_candidates(network, input, *cell_m, *max_candidates),
            CandidateInput::Given { file, candidates } => (
                candidates.clone(),
                CandidateStats {
                    area: CandidateArea::File,
                    file: Some(file.clone()),
                    found: candidates.len(),
                    cell_m: None,
                    kept: candidates.len(),
                    beyond_snap: 0,
                    beyond_snap_examples: Vec::new(),
                    usable: 0,
                },
            ),
        };
        if cands.is_empty() {
            return Err(Error::Config(match &stats.file {
                Some(f) => format!("no candidate sites: {f} has no point or polygon feature"),
                None => format!(
                    "no candidate sites: no network node usable by {} in {}",
                    analysis.mode.id,
                    stats.area.describe(false)
                ),
            }));
        }
        let sites = snap_candidates(network, &cands, analysis.mode.max_snap_m, &mut stats);
        if stats.usable == 0 {
            return Err(Error::Config(format!(
                "no candidate sites: all {} candidates{} are more than {} m from a road usable by {} (e.g. {})",
                cands.len(),
                stats
                    .file
                    .as_ref()
                    .map(|f| format!(" of {f}"))
                    .unwrap_or_default(),
                analysis.mode.max_snap_m,
                analysis.mode.id,
                stats.beyond_snap_examples.join("; ")
            )));
        }
        let index = DemandIndex::new(network, &analysis.demand_snaps);
        let catchments = catchments(network, &index, &analysis.demand_snaps, &sites, budget_s);
        Ok(Prepared {
            analysis,
            category,
            minutes,
            budget_s,
            candidates: cands,
            stats,
            sites,
            catchments,
            existing_s,
            existing,
        })
    }

    /// Whether demand point `i` is covered by the existing facilities.
    pub fn existing_covers(&self, i: usize) -> bool {
        self.existing_s.get(i).is_some_and(|t| t.is_finite())
    }

    /// The MCLP over the demand not yet covered, weighted by the people the category's
    /// coverage counts (its age band's where that raster is loaded: a kindergarten's sites
    /// cover children).
    pub fn cover_problem(&self) -> CoverProblem {
        let points = &self.analysis.demand.points;
        let counted = self.analysis.counted(self.category);
        let weight = |i: usize| counted.weight(i).unwrap_or(0.0);
        let mut elem_of = vec![u32::MAX; points.len()];
        let mut demand = Vec::new();
        let mut weights = Vec::new();
        for j in 0..self.catchments.len() {
            for i in self.catchments.demand(j) {
                let i = *i as usize;
                if elem_of[i] == u32::MAX && !self.existing_covers(i) && weight(i) > 0.0 {
                    elem_of[i] = demand.len() as u32;
                    demand.push(i as u32);
                    weights.push(weight(i));
                }
            }
        }
        let sets: Vec<Vec<u32>> = (0..self.catchments.len())
            .map(|j| {
                self.catchments
                    .demand(j)
                    .iter()
                    .map(|i| elem_of[*i as usize])
                    .filter(|e| *e != u32::MAX)
                    .collect()
            })
            .collect();
        let existing_weight = (0..points.len())
            .filter(|i| self.existing_covers(*i))
            .map(weight)
            .sum::<f64>()
            + 0.0;
        CoverProblem {
            instance: CoverInstance::new(weights, &sets),
            demand,
            existing_weight,
            total_weight: (0..points.len()).map(weight).sum::<f64>() + 0.0,
        }
    }

    /// The p-median over all demand, times capped at the tier's minutes.
    pub fn median_problem(&self) -> MedianInstance {
        let counted = self.analysis.counted(self.category);
        let weights: Vec<f64> = (0..self.analysis.demand.points.len())
            .map(|i| counted.weight(i).unwrap_or(0.0))
            .collect();
        let reach: Vec<(Vec<u32>, Vec<f64>)> = (0..self.catchments.len())
            .map(|j| {
                (
                    self.catchments.demand(j).to_vec(),
                    self.catchments.times(j).to_vec(),
                )
            })
            .collect();
        MedianInstance::new(weights, &self.existing_s, self.budget_s, &reach)
    }
}
