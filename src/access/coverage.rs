//! Coverage: for every category and tier, the demand weight (people) within the tier's time, for
//! the whole town, the built-up area and each village; and the "all required types" coverage per
//! tier (a resident counts only when EVERY required type of the tier is within reach).

use serde::Serialize;

use crate::model::{AgeBand, CategoryId};
use crate::standards::profile::Scope;

use super::demand::Demand;

/// Covered weight out of a total.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Default)]
pub struct Coverage {
    pub demand_total: f64,
    pub covered_weight: f64,
    /// Percentage covered; None when there is no demand in the scope.
    pub percent: Option<f64>,
}

impl Coverage {
    fn finish(total: f64, covered: f64) -> Coverage {
        Coverage {
            demand_total: total,
            covered_weight: covered,
            percent: (total > 0.0).then(|| 100.0 * covered / total),
        }
    }
}

/// Coverage of one village.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct VillageCoverage {
    pub village: String,
    #[serde(flatten)]
    pub coverage: Coverage,
}

/// Coverage at one tier for the town, the built-up area and each village.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ScopedCoverage {
    pub minutes: u32,
    pub town: Coverage,
    /// None when there is no built-up area layer.
    pub built_up: Option<Coverage>,
    pub villages: Vec<VillageCoverage>,
}

/// A tier as coverage needs it.
#[derive(Debug, Clone, PartialEq)]
pub struct TierSpec {
    pub minutes: u32,
    pub scope: Scope,
    /// Required facilities: each entry is satisfied by any of its categories.
    pub required: Vec<(String, Vec<CategoryId>)>,
    /// Per requirement (aligned with `required`), its own budget in seconds; None or a missing
    /// entry = the tier's budget.
    pub required_budget_s: Vec<Option<f64>>,
}

impl TierSpec {
    pub fn budget_s(&self) -> f64 {
        f64::from(self.minutes) * 60.0
    }

    /// The budget of requirement `k`: its own limit, else the tier's.
    pub fn requirement_budget_s(&self, k: usize) -> f64 {
        self.required_budget_s
            .get(k)
            .copied()
            .flatten()
            .unwrap_or_else(|| self.budget_s())
    }

    /// The largest budget any requirement of the tier needs.
    pub fn search_budget_s(&self) -> f64 {
        (0..self.required.len())
            .map(|k| self.requirement_budget_s(k))
            .fold(self.budget_s(), f64::max)
    }
}

/// Coverage of one category.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CategoryCoverage {
    pub id: String,
    pub zh: String,
    pub en: String,
    /// The age band the category serves (the taxonomy's), if any.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub age_band: Option<AgeBand>,
    /// Whose coverage the figures are: `total` (every resident) or the age band whose raster
    /// was counted (`60+`).
    pub demand: String,
    pub facility_count: usize,
    /// Facilities that could not be placed on the network (beyond the maximum snap distance).
    pub facilities_unreachable: usize,
    pub tiers: Vec<ScopedCoverage>,
}

/// "All required types" coverage of one tier.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AllRequiredCoverage {
    pub minutes: u32,
    pub scope: Scope,
    pub required: Vec<String>,
    /// Required entries with no facility at all in the data: coverage counts them as not
    /// reached; check whether the data is missing (缺数据) or the facility really is absent.
    pub missing: Vec<String>,
    #[serde(flatten)]
    pub coverage: ScopedCoverage,
}

/// Sum covered weights for one "is covered" predicate over every scope.
pub fn scoped(demand: &Demand, minutes: u32, covered: impl Fn(usize) -> bool) -> ScopedCoverage {
    scoped_weighted(demand, None, minutes, covered)
}

/// [`scoped`] with other weights per point than the points' own (an age band's: see
/// [`Demand::band_weights`]); None: the points' own.
pub fn scoped_weighted(
    demand: &Demand,
    weights: Option<&[f64]>,
    minutes: u32,
    covered: impl Fn(usize) -> bool,
) -> ScopedCoverage {
    let nv = demand.villages.len();
    let (mut t_tot, mut t_cov) = (0.0, 0.0);
    let (mut b_tot, mut b_cov) = (0.0, 0.0);
    let mut v_tot = vec![0.0; nv];
    let mut v_cov = vec![0.0; nv];
    for (i, p) in demand.points.iter().enumerate() {
        let c = covered(i);
        let w = match weights {
            Some(ws) => ws.get(i).copied().unwrap_or(0.0),
            None => p.weight,
        };
        t_tot += w;
        if p.built_up {
            b_tot += w;
        }
        if let Some(v) = p.village.map(|v| v as usize).filter(|v| *v < nv) {
            v_tot[v] += w;
            if c {
                v_cov[v] += w;
            }
        }
        if c {
            t_cov += w;
            if p.built_up {
                b_cov += w;
            }
        }
    }
    ScopedCoverage {
        minutes,
        town: Coverage::finish(t_tot, t_cov),
        built_up: demand
            .summary
            .has_built_up_area
            .then(|| Coverage::finish(b_tot, b_cov)),
        villages: demand
            .villages
            .iter()
            .enumerate()
            .map(|(i, v)| VillageCoverage {
                village: v.name.clone(),
                coverage: Coverage::finish(v_tot[i], v_cov[i]),
            })
            .collect(),
    }
}

/// Coverage of one category at each tier, from each demand point's time to it.
pub fn category_coverage(
    demand: &Demand,
    demand_time_s: &[f64],
    tiers: &[TierSpec],
) -> Vec<ScopedCoverage> {
    category_coverage_weighted(demand, None, demand_time_s, tiers)
}

/// [`category_coverage`] counting `weights` (an age band's people per point) instead of the
/// points' own weights when given.
pub fn category_coverage_weighted(
    demand: &Demand,
    weights: Option<&[f64]>,
    demand_time_s: &[f64],
    tiers: &[TierSpec],
) -> Vec<ScopedCoverage> {
    tiers
        .iter()
        .map(|t| {
            let b = t.budget_s();
            scoped_weighted(demand, weights, t.minutes, |i| {
                demand_time_s.get(i).is_some_and(|x| *x <= b)
            })
        })
        .collect()
}

/// "All required" coverage of each tier. `time_of(category)` gives each demand point's time to
/// that category (None when the category has no facility at all).
///
/// Always on the total demand, also when some required categories serve an age band with a
/// raster of its own: "a resident reaches every required type" is a statement about everyone
/// (a kindergarten and a home-care centre together serve no single age band).
pub fn all_required<'a>(
    demand: &Demand,
    tiers: &[TierSpec],
    time_of: impl Fn(CategoryId) -> Option<&'a [f64]>,
) -> Vec<AllRequiredCoverage> {
    tiers
        .iter()
        .map(|t| {
            let mut missing = Vec::new();
            // Per requirement, its budget and the slices of its categories that exist.
            let reqs: Vec<(f64, Vec<&[f64]>)> = t
                .required
                .iter()
                .enumerate()
                .map(|(k, (label, cats))| {
                    let s: Vec<&[f64]> = cats.iter().filter_map(|c| time_of(*c)).collect();
                    if s.is_empty() {
                        missing.push(label.clone());
                    }
                    (t.requirement_budget_s(k), s)
                })
                .collect();
            let coverage = scoped(demand, t.minutes, |i| {
                !reqs.is_empty()
                    && reqs.iter().all(|(b, opts)| {
                        opts.iter()
                            .any(|times| times.get(i).is_some_and(|x| *x <= *b))
                    })
            });
            AllRequiredCoverage {
                minutes: t.minutes,
                scope: t.scope,
                required: t.required.iter().map(|(l, _)| l.clone()).collect(),
                missing,
                coverage,
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::access::demand::{DemandPoint, DemandSource, DemandSummary, Village, WeightMethod};
    use crate::model::layer::SourceId;

    fn demand() -> Demand {
        let p = |w: f64, v: Option<u32>, bu: bool| DemandPoint {
            xy: [0.0, 0.0],
            weight: w,
            method: WeightMethod::Population,
            village: v,
            built_up: bu,
            origin: None,
        };
        Demand {
            points: vec![
                p(10.0, None, true),
                p(20.0, Some(0), false),
                p(30.0, Some(0), false),
            ],
            villages: vec![Village {
                name: "清溪村".into(),
                population: None,
                polygon: None,
                xy: [0.0, 0.0],
                source: SourceId::Feature(1),
            }],
            bands: vec![],
            summary: DemandSummary {
                source: DemandSource::Buildings,
                description: String::new(),
                points: 3,
                total_weight: 60.0,
                weight_unit: "persons",
                by_method: Default::default(),
                non_residential_skipped: 0,
                villages: 1,
                villages_rescaled: 0,
                has_built_up_area: true,
                rasters: vec![],
                raster_total: None,
                raster_outside_boundary: None,
                buildings_without_raster_people: 0,
                raster_cells_on_parcels: 0,
                age_bands: vec![],
                points_only_in_age_bands: 0,
            },
            warnings: vec![],
        }
    }

    #[test]
    fn per_scope_sums() {
        let d = demand();
        let tiers = [5, 15].map(|m| TierSpec {
            minutes: m,
            scope: Scope::Town,
            required: vec![],
            required_budget_s: vec![],
        });
        let c = category_coverage(&d, &[100.0, 600.0, f64::INFINITY], &tiers);
        assert_eq!(c[0].town.covered_weight, 10.0);
        assert_eq!(c[0].town.percent, Some(100.0 * 10.0 / 60.0));
        assert_eq!(c[0].built_up.expect("bu").percent, Some(100.0));
        assert_eq!(c[0].villages[0].coverage.covered_weight, 0.0);
        assert_eq!(c[1].town.covered_weight, 30.0);
        assert_eq!(c[1].villages[0].coverage.percent, Some(40.0));
    }

    /// With an age band's weights, the same times give the band's coverage: the covered share
    /// of the band's people, per scope; the total's figures are untouched.
    #[test]
    fn a_band_counts_its_own_people() {
        let d = demand();
        let tiers = [TierSpec {
            minutes: 5,
            scope: Scope::Town,
            required: vec![],
            required_budget_s: vec![],
        }];
        let times = [100.0, 600.0, 100.0];
        // The band lives mostly at the covered third point.
        let band = [1.0, 1.0, 8.0];
        let total = category_coverage(&d, &times, &tiers);
        let b = category_coverage_weighted(&d, Some(&band), &times, &tiers);
        assert_eq!(total[0].town.covered_weight, 40.0);
        assert_eq!(b[0].town.demand_total, 10.0);
        assert_eq!(b[0].town.covered_weight, 9.0);
        assert!(b[0].town.percent > total[0].town.percent);
        assert_eq!(b[0].built_up.expect("bu").demand_total, 1.0);
        assert_eq!(b[0].villages[0].coverage.demand_total, 9.0);
        assert_eq!(b[0].villages[0].coverage.covered_weight, 8.0);
        // A band with no people in a scope: no percentage, not 0 %.
        let none = category_coverage_weighted(&d, Some(&[0.0, 0.0, 0.0]), &times, &tiers);
        assert_eq!(none[0].town.percent, None);
    }

    #[test]
    fn all_required_needs_every_type_and_reports_missing() {
        let d = demand();
        let a = [100.0, 100.0, f64::INFINITY];
        let b = [100.0, f64::INFINITY, 100.0];
        let tiers = [TierSpec {
            minutes: 5,
            scope: Scope::Town,
            required: vec![
                ("a".into(), vec![CategoryId(0)]),
                ("b|c".into(), vec![CategoryId(1), CategoryId(2)]),
            ],
            required_budget_s: vec![],
        }];
        let r = all_required(&d, &tiers, |c| match c.0 {
            0 => Some(&a[..]),
            1 => Some(&b[..]),
            _ => None,
        });
        assert_eq!(r[0].coverage.town.covered_weight, 10.0);
        assert!(r[0].missing.is_empty());
        let r = all_required(&d, &tiers, |c| (c.0 == 0).then_some(&a[..]));
        assert_eq!(r[0].missing, vec!["b|c".to_string()]);
        assert_eq!(r[0].coverage.town.covered_weight, 0.0);
    }

    #[test]
    fn a_requirement_with_its_own_limit_is_judged_by_it() {
        let d = demand();
        // Demand point 0 reaches the bus stop in 450 s: beyond the 5-min tier, within 500 s.
        let stop = [450.0, 550.0, 100.0];
        let mut tiers = [TierSpec {
            minutes: 5,
            scope: Scope::Town,
            required: vec![("bus_stop".into(), vec![CategoryId(0)])],
            required_budget_s: vec![],
        }];
        let tier_only = all_required(&d, &tiers, |_| Some(&stop[..]));
        tiers[0].required_budget_s = vec![Some(500.0)];
        assert_eq!(tiers[0].search_budget_s(), 500.0);
        let limited = all_required(&d, &tiers, |_| Some(&stop[..]));
        let w = |r: &[AllRequiredCoverage]| r[0].coverage.town.covered_weight;
        // Point 0 (weight 10) joins the covered; point 1 (550 s) stays out.
        assert_eq!(w(&limited) - w(&tier_only), d.points[0].weight);
        assert!(w(&limited) < d.summary.total_weight);
    }
}
