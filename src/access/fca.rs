//! Two-step floating catchment (2SFCA) accessibility for facilities with a capacity (beds,
//! school places, seats), within a tier's minutes on the network.
//!
//! Step 1: each facility's supply ratio Rⱼ = capacityⱼ / (demand weight within its catchment).
//! Step 2: each demand point's index Aᵢ = Σ Rⱼ over the facilities it reaches. Reported per
//! 1,000 residents (capacity units per 1,000 people in reach), per demand point, per village
//! (population-weighted mean) and for the town. A facility is **overloaded** when the demand in
//! its catchment exceeds what its capacity serves (capacity × persons per unit).

use serde::Serialize;

use super::catchment::Catchments;
use super::demand::Demand;

/// One facility in the 2SFCA.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FcaFacility {
    pub name: Option<String>,
    /// Position in the working CRS.
    pub xy: [f64; 2],
    /// True for a suggested (new) site.
    pub suggested: bool,
    pub capacity: f64,
    /// Demand weight (people) within the tier's minutes of it.
    pub demand_in_reach: f64,
    /// Capacity units per 1,000 people in reach (1000 · Rⱼ); None when nobody is in reach.
    pub supply_per_1000: Option<f64>,
    /// Demand in reach above capacity × persons per unit.
    pub overloaded: bool,
}

/// The index of one village.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FcaVillage {
    pub village: String,
    /// Population-weighted mean of its points' indices; None without demand.
    pub index_per_1000: Option<f64>,
}

/// 2SFCA results of one category at one tier.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FcaReport {
    pub minutes: u32,
    /// How many people one capacity unit serves (1 unless the user says otherwise).
    pub persons_per_unit: f64,
    pub facilities: Vec<FcaFacility>,
    /// Facilities of the category without a usable capacity value (left out of the 2SFCA).
    pub facilities_without_capacity: usize,
    /// Population-weighted mean index of the town.
    pub town_index_per_1000: Option<f64>,
    pub villages: Vec<FcaVillage>,
    /// Per demand point (aligned with the demand points): Σ Rⱼ × 1000.
    pub points_index_per_1000: Vec<f64>,
    pub overloaded: usize,
}

/// A facility as the 2SFCA takes it: its catchment in `catchments` (same index), capacity and
/// label.
#[derive(Debug, Clone, PartialEq)]
pub struct FcaSite {
    pub name: Option<String>,
    pub xy: [f64; 2],
    pub capacity: f64,
    pub suggested: bool,
}

/// The 2SFCA over `sites` whose catchments (same order) are given.
pub fn two_step(
    demand: &Demand,
    minutes: u32,
    sites: &[FcaSite],
    catchments: &Catchments,
    persons_per_unit: f64,
    facilities_without_capacity: usize,
) -> FcaReport {
    let n = demand.points.len();
    let mut index = vec![0.0f64; n];
    let mut facilities = Vec::with_capacity(sites.len());
    for (j, s) in sites.iter().enumerate() {
        let reach = catchments.demand(j);
        let total: f64 = reach
            .iter()
            .filter_map(|i| demand.points.get(*i as usize))
            .map(|p| p.weight)
            .sum();
        let ratio = (total > 0.0).then(|| s.capacity / total);
        if let Some(r) = ratio {
            for i in reach {
                if let Some(a) = index.get_mut(*i as usize) {
                    *a += r;
                }
            }
        }
        facilities.push(FcaFacility {
            name: s.name.clone(),
            xy: s.xy,
            suggested: s.suggested,
            capacity: s.capacity,
            demand_in_reach: total,
            supply_per_1000: ratio.map(|r| 1000.0 * r),
            overloaded: total > s.capacity * persons_per_unit,
        });
    }
    for a in &mut index {
        *a *= 1000.0;
    }
    let weighted_mean = |pick: &dyn Fn(usize) -> bool| -> Option<f64> {
        let (mut w, mut s) = (0.0, 0.0);
        for (i, p) in demand.points.iter().enumerate() {
            if pick(i) {
                w += p.weight;
                s += p.weight * index[i];
            }
        }
        (w > 0.0).then(|| s / w)
    };
    let villages = demand
        .villages
        .iter()
        .enumerate()
        .map(|(v, village)| FcaVillage {
            village: village.name.clone(),
            index_per_1000: weighted_mean(&|i| demand.points[i].village == Some(v as u32)),
        })
        .collect();
    let overloaded = facilities.iter().filter(|f| f.overloaded).count();
    FcaReport {
        minutes,
        persons_per_unit,
        facilities,
        facilities_without_capacity,
        town_index_per_1000: weighted_mean(&|_| true),
        villages,
        points_index_per_1000: index,
        overloaded,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::access::demand::{DemandPoint, DemandSource, DemandSummary, Village, WeightMethod};
    use crate::model::layer::SourceId;

    fn demand(weights: &[(f64, Option<u32>)]) -> Demand {
        Demand {
            points: weights
                .iter()
                .map(|(w, v)| DemandPoint {
                    xy: [0.0, 0.0],
                    weight: *w,
                    method: WeightMethod::Population,
                    village: *v,
                    built_up: false,
                    origin: None,
                })
                .collect(),
            villages: ["东村", "西村"]
                .iter()
                .map(|n| Village {
                    name: n.to_string(),
                    population: None,
                    polygon: None,
                    xy: [0.0, 0.0],
                    source: SourceId::Feature(1),
                })
                .collect(),
            summary: DemandSummary {
                source: DemandSource::Buildings,
                description: String::new(),
                points: weights.len(),
                total_weight: weights.iter().map(|w| w.0).sum(),
                weight_unit: "persons",
                by_method: Default::default(),
                non_residential_skipped: 0,
                villages: 2,
                villages_rescaled: 0,
                has_built_up_area: false,
            },
            warnings: vec![],
        }
    }

    #[test]
    fn ratios_indices_and_overload() {
        // Points: 100 (东村), 300 (东村), 600 (西村). Facility A (50 units) reaches points 0, 1;
        // B (30 units) reaches 1, 2.
        let d = demand(&[(100.0, Some(0)), (300.0, Some(0)), (600.0, Some(1))]);
        let c = Catchments::from_lists(vec![
            (vec![0, 1], vec![10.0, 20.0]),
            (vec![1, 2], vec![30.0, 40.0]),
        ]);
        let site = |c: f64| FcaSite {
            name: None,
            xy: [0.0, 0.0],
            capacity: c,
            suggested: false,
        };
        let r = two_step(&d, 15, &[site(50.0), site(30.0)], &c, 10.0, 1);
        // R_A = 50/400, R_B = 30/900.
        let (ra, rb) = (50.0 / 400.0, 30.0 / 900.0);
        let idx = &r.points_index_per_1000;
        assert!((idx[0] - 1000.0 * ra).abs() < 1e-9);
        assert!((idx[1] - 1000.0 * (ra + rb)).abs() < 1e-9);
        assert!((idx[2] - 1000.0 * rb).abs() < 1e-9);
        // 2SFCA conserves supply: Σ wᵢ Aᵢ = 1000 × total capacity.
        let s: f64 = d.points.iter().zip(idx).map(|(p, a)| p.weight * a).sum();
        assert!((s - 1000.0 * 80.0).abs() < 1e-6);
        // A: 400 in reach, serves 500: fine; B: 900 in reach, serves 300: overloaded.
        assert!(!r.facilities[0].overloaded);
        assert!(r.facilities[1].overloaded);
        assert_eq!(r.overloaded, 1);
        let east = r.villages[0].index_per_1000.expect("east");
        assert!((east - (100.0 * idx[0] + 300.0 * idx[1]) / 400.0).abs() < 1e-9);
        assert_eq!(r.facilities_without_capacity, 1);
    }
}
