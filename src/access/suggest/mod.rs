//! Suggested sites for new facilities of one category at one tier, the existing facilities kept:
//! maximal covering (MCLP: the most people newly within the tier's minutes, or the fewest sites
//! reaching a target percent) or p-median (the least demand-weighted travel time).
//!
//! Demand points, weights, travel mode and network are those of coverage ([`run_town`]), and a
//! site covers exactly the demand points coverage would find within the tier's minutes of a
//! facility placed there, so "people covered" here equals what `towncircle coverage` reports
//! with the sites added as facilities.
//!
//! - [`request`]: what is asked; [`candidates`]: where sites may go;
//! - [`prepare`]: the instance (catchment of every candidate, by bounded searches in parallel);
//! - [`mclp`]: greedy + swaps with an upper bound (optimality gap); [`pmedian`]: Teitz–Bart;
//! - [`result`]: what is reported, with a 2SFCA capacity check ([`crate::access::fca`]).
//!
//! [`run_town`]: crate::access::run_town

pub mod candidates;
pub mod mclp;
pub mod pmedian;
pub mod prepare;
pub mod request;
pub mod result;

pub use candidates::{CandidateArea, CandidateStats};
pub use prepare::{CoverProblem, Prepared, given_candidates};
pub use request::{Candidate, CandidateInput, Goal, Model, SuggestRequest};
pub use result::{
    CapacityCheck, CategoryRef, InstanceSize, MedianFigures, Optimality, SuggestedSite, Suggestion,
};

use crate::access::catchment::Catchments;
use crate::access::coverage::scoped_weighted;
use crate::access::fca::{FcaSite, existing_sites, facility_catchments, two_step};
use crate::access::input::AccessInput;
use crate::access::town::TownAccess;
use crate::error::{Error, Result};

/// Check the goal before any work (the CLI calls it before loading anything).
pub fn check_goal(req: &SuggestRequest) -> Result<()> {
    match req.goal {
        Goal::Count(0) => Err(Error::Config(
            "--count 0: ask for at least one site (--count 1 or more)".into(),
        )),
        Goal::TargetPercent(p) if !(p > 0.0 && p <= 100.0) => Err(Error::Config(format!(
            "--target-percent {p}: give a percent above 0 and at most 100"
        ))),
        Goal::TargetPercent(_) if req.model == Model::PMedian => Err(Error::Config(
            "--target-percent works with the covering model (--model mclp); p-median needs --count"
                .into(),
        )),
        _ => Ok(()),
    }
}

/// What the chosen model picked: candidates in rank order with what each adds.
struct Picked {
    order: Vec<u32>,
    optimality: Option<Optimality>,
    median: Option<MedianFigures>,
    saved: Option<Vec<f64>>,
}

fn pick(p: &Prepared<'_>, problem: &CoverProblem, req: &SuggestRequest) -> Result<Picked> {
    match (req.model, req.goal) {
        (Model::Mclp, goal) => {
            let (s, proven) = match goal {
                Goal::Count(k) => (mclp::solve(&problem.instance, k), None),
                Goal::TargetPercent(pct) => {
                    let needed = pct / 100.0 * problem.total_weight - problem.existing_weight;
                    match mclp::fewest_for(&problem.instance, needed) {
                        Some((s, proven)) => (s, Some(proven)),
                        None => {
                            let reach =
                                problem.existing_weight + problem.instance.coverable_weight();
                            let pc =
                                |w: f64| 100.0 * w / problem.total_weight.max(f64::MIN_POSITIVE);
                            return Err(Error::Config(format!(
                                "--target-percent {pct}: cannot be reached: with all {} candidate sites the {}-minute coverage reaches at most {:.2}% ({:.2}% with the existing facilities alone); lower the target or give more candidates (--candidates FILE)",
                                p.stats.usable,
                                p.minutes,
                                pc(reach),
                                pc(problem.existing_weight)
                            )));
                        }
                    }
                }
            };
            Ok(Picked {
                order: s.chosen.clone(),
                optimality: Some(Optimality {
                    greedy_weight: s.greedy_value,
                    weight: s.value,
                    swaps: s.swaps,
                    upper_bound_weight: s.upper_bound,
                    gap_percent: s.gap_percent(),
                    fewest_proven: proven,
                }),
                median: None,
                saved: None,
            })
        }
        (Model::PMedian, Goal::Count(k)) => {
            let inst = p.median_problem();
            let s = pmedian::solve(&inst, k);
            let total = inst.total_weight().max(f64::MIN_POSITIVE);
            Ok(Picked {
                order: s.chosen.clone(),
                optimality: None,
                median: Some(MedianFigures {
                    cap_s: p.budget_s,
                    mean_time_before_s: s.cost_before / total,
                    mean_time_after_s: s.cost / total,
                    greedy_mean_time_s: s.greedy_cost / total,
                    swaps: s.swaps,
                }),
                saved: Some(s.saved),
            })
        }
        (Model::PMedian, Goal::TargetPercent(_)) => Err(Error::Config(
            "--target-percent works with --model mclp".into(),
        )),
    }
}

/// Suggest sites for `req.category` at the tier of `req.minutes` in a town analysed with
/// [`run_town`](crate::access::run_town) (the tier among its tiers). Errors (with what to do)
/// for a bad goal, a tier the run lacks, no network, no candidate on the network, or a target
/// that cannot be reached.
pub fn suggest(
    town: &TownAccess,
    input: &AccessInput<'_>,
    req: &SuggestRequest,
) -> Result<Suggestion> {
    check_goal(req)?;
    let p = Prepared::new(town, input, req.category, req.minutes, &req.candidates)?;
    let a = p.analysis;
    let problem = p.cover_problem();
    let picked = pick(&p, &problem, req)?;
    let points = &a.demand.points;
    let n = points.len();

    // Coverage before and after, and what each site adds in rank order.
    let mut covered: Vec<bool> = (0..n).map(|i| p.existing_covers(i)).collect();
    // The people the category's coverage counts (its age band's, where loaded).
    let counted = a.counted(req.category);
    let before = scoped_weighted(&a.demand, counted.weights(), req.minutes, |i| covered[i]);
    let total = problem.total_weight;
    let mut running = problem.existing_weight;
    let mut added = Vec::with_capacity(picked.order.len());
    let mut cumulative = Vec::with_capacity(picked.order.len());
    for j in &picked.order {
        let mut w = 0.0;
        for i in p.catchments.demand(*j as usize) {
            let c = &mut covered[*i as usize];
            if !*c {
                *c = true;
                w += counted.weight(*i as usize).unwrap_or(0.0);
            }
        }
        running += w;
        added.push(w);
        cumulative.push((total > 0.0).then(|| 100.0 * running / total));
    }
    let after = scoped_weighted(&a.demand, counted.weights(), req.minutes, |i| covered[i]);

    // The demand each site would serve: the points whose nearest facility it becomes.
    let mut best: Vec<(f64, usize)> = p.existing_s.iter().map(|t| (*t, usize::MAX)).collect();
    for (rank, j) in picked.order.iter().enumerate() {
        let c = *j as usize;
        for (i, t) in p.catchments.demand(c).iter().zip(p.catchments.times(c)) {
            let b = &mut best[*i as usize];
            if *t < b.0 {
                *b = (*t, rank);
            }
        }
    }
    let mut served = vec![0.0f64; picked.order.len()];
    for (i, (t, rank)) in best.iter().enumerate() {
        if t.is_finite() && *rank != usize::MAX {
            served[*rank] += counted.weight(i).unwrap_or(0.0);
        }
    }

    let capacity = capacity_check(&p, &picked.order, req);
    let cat = a.taxonomy.get(req.category);
    let category = CategoryRef {
        id: cat.map(|c| c.id.clone()).unwrap_or_default(),
        zh: cat.map(|c| c.zh.clone()).unwrap_or_default(),
        en: cat.map(|c| c.en.clone()).unwrap_or_default(),
    };
    let sites: Vec<SuggestedSite> = picked
        .order
        .iter()
        .enumerate()
        .map(|(rank, j)| {
            let c = &p.candidates[*j as usize];
            let cap = c.capacity.or(req.capacity);
            let overloaded = capacity.as_ref().and_then(|check| {
                check
                    .after
                    .facilities
                    .iter()
                    .filter(|f| f.suggested)
                    .nth(rank_among_capacitated(&p, &picked.order, req, rank)?)
                    .map(|f| f.overloaded)
            });
            SuggestedSite {
                rank: rank + 1,
                xy: c.xy,
                category: category.id.clone(),
                candidate: *j as usize,
                name: c.name.clone(),
                source: c.source,
                added_weight: added[rank],
                cumulative_percent: cumulative[rank],
                demand_in_reach: p
                    .catchments
                    .demand(*j as usize)
                    .iter()
                    .map(|i| counted.weight(*i as usize).unwrap_or(0.0))
                    .sum::<f64>()
                    + 0.0,
                demand_served: served[rank],
                weighted_time_saved_s: picked.saved.as_ref().and_then(|s| s.get(rank).copied()),
                capacity: cap,
                overloaded: cap.and(overloaded),
                access_m: p.sites[*j as usize]
                    .map(|s| s.access_s * a.mode.access_speed_m_per_s)
                    .unwrap_or_default(),
            }
        })
        .collect();

    let warnings = warnings(&p, &problem, req, sites.len());
    let existing_unreachable = p
        .existing
        .iter()
        .filter(|i| {
            a.facility_snaps
                .get(**i as usize)
                .is_some_and(|s| s.is_none())
        })
        .count();
    Ok(Suggestion {
        model: req.model,
        category,
        demand: counted.label(),
        minutes: req.minutes,
        mode: a.mode.id.clone(),
        budget_s: p.budget_s,
        count: match req.goal {
            Goal::Count(k) => Some(k),
            Goal::TargetPercent(_) => None,
        },
        target_percent: match req.goal {
            Goal::TargetPercent(t) => Some(t),
            Goal::Count(_) => None,
        },
        candidates: p.stats.clone(),
        instance: InstanceSize {
            candidates: p.stats.usable,
            demand_points: n,
            open_demand_points: problem.instance.elem_count(),
            pairs: p.catchments.pairs(),
        },
        existing_facilities: p.existing.len(),
        existing_unreachable,
        before,
        after,
        added_weight: added.iter().sum::<f64>() + 0.0,
        sites,
        optimality: picked.optimality,
        p_median: picked.median,
        capacity,
        warnings,
    })
}

/// Among the suggested sites with a capacity, the position of the one ranked `rank`.
fn rank_among_capacitated(
    p: &Prepared<'_>,
    order: &[u32],
    req: &SuggestRequest,
    rank: usize,
) -> Option<usize> {
    let has = |j: &u32| {
        p.candidates[*j as usize]
            .capacity
            .or(req.capacity)
            .is_some()
    };
    if !has(order.get(rank)?) {
        return None;
    }
    Some(order[..rank].iter().filter(|j| has(j)).count())
}

/// 2SFCA of the existing facilities with a capacity, then with the suggested ones that have one;
/// None when no facility of either kind has a capacity.
fn capacity_check(p: &Prepared<'_>, order: &[u32], req: &SuggestRequest) -> Option<CapacityCheck> {
    let a = p.analysis;
    a.network.as_ref()?;
    let with_cap: Vec<u32> = p
        .existing
        .iter()
        .copied()
        .filter(|i| a.facilities[*i as usize].capacity.is_some())
        .collect();
    let new_cap: Vec<(u32, f64)> = order
        .iter()
        .filter_map(|j| {
            p.candidates[*j as usize]
                .capacity
                .or(req.capacity)
                .map(|c| (*j, c))
        })
        .collect();
    if with_cap.is_empty() && new_cap.is_empty() {
        return None;
    }
    let existing_c = facility_catchments(a, &with_cap, p.budget_s);
    let mut sites: Vec<FcaSite> = existing_sites(a, &with_cap);
    let without = p.existing.len() - with_cap.len();
    let before = two_step(
        a.counted(p.category),
        p.minutes,
        &sites,
        &existing_c,
        req.persons_per_unit,
        without,
    );
    let mut lists: Vec<(Vec<u32>, Vec<f64>)> = (0..existing_c.len())
        .map(|k| (existing_c.demand(k).to_vec(), existing_c.times(k).to_vec()))
        .collect();
    for (j, cap) in &new_cap {
        let c = &p.candidates[*j as usize];
        sites.push(FcaSite {
            name: c.name.clone(),
            xy: c.xy,
            capacity: *cap,
            suggested: true,
        });
        lists.push((
            p.catchments.demand(*j as usize).to_vec(),
            p.catchments.times(*j as usize).to_vec(),
        ));
    }
    let after = two_step(
        a.counted(p.category),
        p.minutes,
        &sites,
        &Catchments::from_lists(lists),
        req.persons_per_unit,
        without,
    );
    Some(CapacityCheck { before, after })
}

fn warnings(
    p: &Prepared<'_>,
    problem: &CoverProblem,
    req: &SuggestRequest,
    sites: usize,
) -> Vec<String> {
    let a = p.analysis;
    let mut w = Vec::new();
    if p.stats.beyond_snap > 0 {
        w.push(format!(
            "{} of {} candidate sites{} are more than {} m from a road usable by {} and were skipped: {}",
            p.stats.beyond_snap,
            p.stats.kept,
            p.stats
                .file
                .as_ref()
                .map(|f| format!(" of {f}"))
                .unwrap_or_default(),
            a.mode.max_snap_m,
            a.mode.id,
            p.stats.beyond_snap_examples.join("; ")
        ));
    }
    if let Goal::Count(k) = req.goal
        && sites < k
    {
        w.push(format!(
            "only {sites} of the {k} sites asked for improve anything: every other candidate adds nobody{}",
            if req.model == Model::Mclp {
                " newly covered"
            } else {
                " a shorter trip"
            }
        ));
    }
    if let Goal::TargetPercent(t) = req.goal
        && sites == 0
    {
        w.push(format!(
            "the existing facilities already cover {t}% or more: no new site is needed"
        ));
    }
    let unsnapped: f64 = a
        .demand
        .points
        .iter()
        .zip(&a.demand_snaps)
        .filter(|(_, s)| s.is_none())
        .map(|(d, _)| d.weight)
        .sum();
    if unsnapped > 0.0 {
        w.push(format!(
            "{unsnapped:.0} people live more than {} m from a road usable by {}: no site can cover them",
            a.mode.max_snap_m, a.mode.id
        ));
    }
    let uncoverable = problem.total_weight
        - problem.existing_weight
        - problem.instance.coverable_weight()
        - unsnapped;
    if uncoverable > 1e-6 * problem.total_weight.max(1.0) {
        w.push(format!(
            "{uncoverable:.0} people are beyond {} minutes of every candidate site: candidates elsewhere (--candidates FILE) could reach them",
            p.minutes
        ));
    }
    w
}

#[cfg(test)]
mod tests;
