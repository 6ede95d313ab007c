//! Two-step floating catchment (2SFCA) accessibility for facilities with a capacity (beds,
//! school places, seats), within a tier's minutes on the network.
//!
//! Step 1: each facility's supply ratio Rⱼ = capacityⱼ / (demand weight within its catchment).
//! Step 2: each demand point's index Aᵢ = Σ Rⱼ over the facilities it reaches. Reported per
//! 1,000 residents (capacity units per 1,000 people in reach), per demand point, per village
//! (population-weighted mean) and for the town. A facility is **overloaded** when the demand in
//! its catchment exceeds what its capacity serves (capacity × persons per unit).
//!
//! [`two_step`] takes the catchments as given (site suggestion adds candidate sites to them);
//! [`town_fca`] runs it for a whole analysed town, as `towncircle analyze` reports it: every
//! category with a facility that has a capacity, at the tiers that require the category
//! ([`fca_tiers`]), with the catchments coverage would find ([`facility_catchments`]).

use serde::Serialize;

use crate::model::CategoryId;

use super::catchment::{Catchments, DemandIndex, catchments};
use super::coverage::TierSpec;
use super::demand::Counted;
use super::dijkstra::SourcePoint;
use super::input::Method;
use super::result::Analysis;

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
    /// Whose people are in reach: `total`, or the category's age band (`3-5`, `60+`) when that
    /// raster is loaded (a kindergarten's seats per 1,000 children).
    pub demand: String,
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
    counted: Counted<'_>,
    minutes: u32,
    sites: &[FcaSite],
    catchments: &Catchments,
    persons_per_unit: f64,
    facilities_without_capacity: usize,
) -> FcaReport {
    let demand = counted.demand();
    let weight = |i: usize| counted.weight(i).unwrap_or(0.0);
    let n = demand.points.len();
    let mut index = vec![0.0f64; n];
    let mut facilities = Vec::with_capacity(sites.len());
    for (j, s) in sites.iter().enumerate() {
        let reach = catchments.demand(j);
        let total: f64 = reach.iter().map(|i| weight(*i as usize)).sum();
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
        for (i, x) in index.iter().enumerate() {
            if pick(i) {
                w += weight(i);
                s += weight(i) * x;
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
        demand: counted.label(),
        persons_per_unit,
        facilities,
        facilities_without_capacity,
        town_index_per_1000: weighted_mean(&|_| true),
        villages,
        points_index_per_1000: index,
        overloaded,
    }
}

/// People one capacity unit serves in `towncircle analyze`'s overload check: a facility is
/// overloaded when more people are within the tier's minutes of it than it has beds, places or
/// seats.
pub const PERSONS_PER_UNIT: f64 = 1.0;

/// The catchment (demand points within `budget_s`, with their times) of each of `facilities`
/// (indices into [`Analysis::facilities`]), the same order. On the network: one bounded search
/// per facility, a facility beyond the snap distance reaching nobody; with the Euclidean
/// fallback: straight-line distance × detour factor at the mode's speed. Either way a demand
/// point is in a facility's catchment exactly when coverage, with that facility alone, finds
/// it within the budget.
pub fn facility_catchments(a: &Analysis, facilities: &[u32], budget_s: f64) -> Catchments {
    match (a.method, &a.network) {
        (Method::Network, Some(network)) => {
            let index = DemandIndex::new(network, &a.demand_snaps);
            let sources: Vec<Option<SourcePoint>> = facilities
                .iter()
                .map(|i| {
                    a.facility_snaps
                        .get(*i as usize)
                        .and_then(Option::as_ref)
                        .map(|s| SourcePoint::from_snap(*i, s, &network.mode_graph))
                })
                .collect();
            catchments(network, &index, &a.demand_snaps, &sources, budget_s)
        }
        (Method::Euclidean, _) => Catchments::from_lists(
            facilities
                .iter()
                .map(|i| {
                    let Some(f) = a.facilities.get(*i as usize) else {
                        return (Vec::new(), Vec::new());
                    };
                    a.demand
                        .points
                        .iter()
                        .enumerate()
                        .filter_map(|(k, p)| {
                            let (dx, dy) = (p.xy[0] - f.xy[0], p.xy[1] - f.xy[1]);
                            // As euclid::EuclidIndex::time computes it.
                            let t =
                                (dx * dx + dy * dy).sqrt() * a.detour_factor / a.mode.speed_m_per_s;
                            (t <= budget_s).then_some((k as u32, t))
                        })
                        .unzip()
                })
                .collect(),
        ),
        (Method::Network, None) => Catchments::from_lists(
            facilities
                .iter()
                .map(|_| (Vec::new(), Vec::new()))
                .collect(),
        ),
    }
}

/// The analysis' facilities `which` (indices into [`Analysis::facilities`]) as 2SFCA sites (a
/// facility without a capacity counts 0).
pub fn existing_sites(a: &Analysis, which: &[u32]) -> Vec<FcaSite> {
    which
        .iter()
        .filter_map(|i| a.facilities.get(*i as usize))
        .map(|f| FcaSite {
            name: f.name.clone(),
            xy: f.xy,
            capacity: f.capacity.unwrap_or_default(),
            suggested: false,
        })
        .collect()
}

/// The 2SFCA of `category` at the tier of `minutes` (the tier's own minutes, as per-category
/// coverage counts them) over its facilities with a capacity; None when none has one.
pub fn category_fca(
    a: &Analysis,
    category: CategoryId,
    minutes: u32,
    persons_per_unit: f64,
) -> Option<FcaReport> {
    let all = a.facilities_of(category);
    let with: Vec<u32> = all
        .iter()
        .copied()
        .filter(|i| a.facilities[*i as usize].capacity.is_some())
        .collect();
    if with.is_empty() {
        return None;
    }
    let c = facility_catchments(a, &with, f64::from(minutes) * 60.0);
    let sites = existing_sites(a, &with);
    Some(two_step(
        a.counted(category),
        minutes,
        &sites,
        &c,
        persons_per_unit,
        all.len() - with.len(),
    ))
}

/// Why a category's 2SFCA is computed at a tier.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum TierBasis {
    /// The tier requires the category (alone or as one of a requirement's alternatives).
    Required,
    /// No analysed tier requires it; the tier is one the taxonomy gives the category
    /// (`tiers` in assets/categories.toml).
    CategoryTier,
    /// Neither: the largest analysed tier.
    LargestTier,
}

/// The tiers (minutes, ascending) at which `category`'s 2SFCA is computed among the analysed
/// `tiers`: those requiring it; else those among `category_tiers` (the taxonomy's); else the
/// largest. Empty only without tiers.
pub fn fca_tiers(
    tiers: &[&TierSpec],
    category: CategoryId,
    category_tiers: &[u32],
) -> (Vec<u32>, TierBasis) {
    let pick = |keep: &dyn Fn(&TierSpec) -> bool| -> Vec<u32> {
        let mut m: Vec<u32> = tiers
            .iter()
            .filter(|t| keep(t))
            .map(|t| t.minutes)
            .collect();
        m.sort_unstable();
        m.dedup();
        m
    };
    let required = pick(&|t| t.required.iter().any(|(_, cats)| cats.contains(&category)));
    if !required.is_empty() {
        return (required, TierBasis::Required);
    }
    let own = pick(&|t| category_tiers.contains(&t.minutes));
    if !own.is_empty() {
        return (own, TierBasis::CategoryTier);
    }
    (
        tiers.iter().map(|t| t.minutes).max().into_iter().collect(),
        TierBasis::LargestTier,
    )
}

/// The 2SFCA of one category at one tier of a town.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CategoryFca {
    pub category: CategoryId,
    /// The category's id, Chinese and English names.
    pub id: String,
    pub zh: String,
    pub en: String,
    pub minutes: u32,
    /// The travel mode the tier was computed with.
    pub mode: String,
    pub method: Method,
    pub basis: TierBasis,
    pub report: FcaReport,
}

/// The 2SFCA of a town analysed in one run per mode (`analyses`, as
/// [`crate::access::TownAccess::runs`]: demand and facilities the same in each): for every
/// category with at least one facility with a capacity, at each of its [`fca_tiers`], by the
/// run that computed the tier. Ordered by category (taxonomy order), then minutes; empty when
/// no facility has a capacity.
pub fn town_fca(analyses: &[&Analysis], persons_per_unit: f64) -> Vec<CategoryFca> {
    let Some(base) = analyses.first() else {
        return Vec::new();
    };
    let mut cats: Vec<CategoryId> = base
        .facilities
        .iter()
        .filter(|f| f.capacity.is_some())
        .map(|f| f.category)
        .collect();
    cats.sort_unstable();
    cats.dedup();
    let tiers: Vec<&TierSpec> = analyses.iter().flat_map(|a| a.tiers.iter()).collect();
    let mut out = Vec::new();
    for c in cats {
        let info = base.taxonomy.get(c);
        let (minutes, basis) = fca_tiers(&tiers, c, info.map_or(&[][..], |i| &i.tiers));
        for m in minutes {
            let Some(a) = analyses
                .iter()
                .find(|a| a.tiers.iter().any(|t| t.minutes == m))
            else {
                continue;
            };
            if let Some(report) = category_fca(a, c, m, persons_per_unit) {
                out.push(CategoryFca {
                    category: c,
                    id: info.map(|i| i.id.clone()).unwrap_or_default(),
                    zh: info.map(|i| i.zh.clone()).unwrap_or_default(),
                    en: info.map(|i| i.en.clone()).unwrap_or_default(),
                    minutes: m,
                    mode: a.mode.id.clone(),
                    method: a.method,
                    basis,
                    report,
                });
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::access::demand::{
        Demand, DemandPoint, DemandSource, DemandSummary, Village, WeightMethod,
    };
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
            bands: vec![],
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
        let r = two_step(d.counted(None), 15, &[site(50.0), site(30.0)], &c, 10.0, 1);
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

    use crate::access::test_support::{facilities, homes, roads};
    use crate::access::{AccessInput, AccessOptions};
    use crate::model::Taxonomy;
    use crate::model::layer::{AttrValue, Field, FieldKind, Layer};
    use crate::standards::profile::Profile;

    /// Facilities of one category with a 床位 value each (None: no value).
    fn with_beds(pts: &[([f64; 2], Option<&str>)], cat: CategoryId) -> Layer {
        let pos: Vec<([f64; 2], CategoryId)> = pts.iter().map(|(p, _)| (*p, cat)).collect();
        let mut l = facilities(&pos);
        l.fields.push(Field::new("床位", FieldKind::Text));
        for (f, (_, beds)) in l.features.iter_mut().zip(pts) {
            f.attrs
                .push(beds.map_or(AttrValue::Null, |b| AttrValue::Text(b.into())));
        }
        l
    }

    fn analysis(layers: &[Layer], minutes: &[u32]) -> Analysis {
        Analysis::new(
            &AccessInput::from_layers(layers),
            &Profile::default(),
            &Taxonomy::default(),
            &AccessOptions {
                mode: "walk".into(),
                minutes: Some(minutes.to_vec()),
            },
        )
        .expect("analysis")
    }

    /// No roads (Euclidean fallback): a kindergarten of 30 places, 100 people 10 m away and 50
    /// people 5 km away. By hand at 5 min: only the 100 are in reach; R = 30/100, so the near
    /// point's index is 300 per 1,000, the far one's 0, the town's (100·300 + 50·0)/150 = 200;
    /// 100 people > 30 places: overloaded. A second kindergarten without 床位 is counted apart.
    #[test]
    fn euclidean_town_by_hand() {
        let (x, y) = (500_000.0, 3_320_000.0);
        let k = Taxonomy::default().by_id("kindergarten").expect("k");
        let layers = vec![
            with_beds(&[([x, y], Some("30个")), ([x + 9000.0, y], None)], k),
            homes(&[([x + 10.0, y], 100.0), ([x + 5000.0, y], 50.0)]),
        ];
        let a = analysis(&layers, &[5, 30]);
        assert_eq!(a.method, Method::Euclidean);
        let r = category_fca(&a, k, 5, 1.0).expect("a capacity");
        assert_eq!(r.facilities.len(), 1);
        assert_eq!(r.facilities_without_capacity, 1);
        let f = &r.facilities[0];
        assert_eq!(f.capacity, 30.0);
        assert_eq!(f.demand_in_reach, 100.0);
        assert!((f.supply_per_1000.expect("s") - 300.0).abs() < 1e-9);
        assert!(f.overloaded);
        assert!((r.points_index_per_1000[0] - 300.0).abs() < 1e-9);
        assert_eq!(r.points_index_per_1000[1], 0.0);
        assert!((r.town_index_per_1000.expect("town") - 200.0).abs() < 1e-9);
        // The profile requires kindergartens at 5 and 30 minutes: both are computed.
        let all = town_fca(&[&a], PERSONS_PER_UNIT);
        let at: Vec<(u32, TierBasis)> = all.iter().map(|c| (c.minutes, c.basis)).collect();
        assert_eq!(at, [(5, TierBasis::Required), (30, TierBasis::Required)]);
        assert_eq!(all[0].id, "kindergarten");
        assert_eq!(all[0].report, r);
        // Without a capacity anywhere: nothing.
        let none = vec![facilities(&[([x, y], k)]), homes(&[([x + 10.0, y], 100.0)])];
        assert!(town_fca(&[&analysis(&none, &[5])], 1.0).is_empty());
    }

    /// On a network (the river and its one bridge): every demand point's time to the nearest
    /// facility, as coverage finds it, is the least of its times in the facilities' catchments,
    /// and the points in some catchment are exactly those coverage counts within the tier.
    #[test]
    fn network_catchments_agree_with_coverage() {
        let school = Taxonomy::default().by_id("primary_school").expect("s");
        let layers = vec![
            roads(&[
                (&[[0.0, 0.0], [1000.0, 0.0]], "residential", ""),
                (&[[0.0, 200.0], [1000.0, 200.0]], "residential", ""),
                (&[[500.0, 0.0], [500.0, 200.0]], "residential", "yes"),
            ]),
            with_beds(
                &[([0.0, 210.0], Some("300")), ([900.0, -10.0], Some("50"))],
                school,
            ),
            homes(&[
                ([0.0, -10.0], 50.0),
                ([600.0, 10.0], 80.0),
                ([100.0, 190.0], 20.0),
                ([950.0, 210.0], 40.0),
            ]),
        ];
        let a = analysis(&layers, &[5, 15]);
        assert_eq!(a.method, Method::Network);
        let result = a.run();
        let times = result
            .categories
            .iter()
            .find(|c| c.category == school)
            .expect("times");
        let fac = a.facilities_of(school);
        for minutes in [5u32, 15] {
            let budget = f64::from(minutes) * 60.0;
            let c = facility_catchments(&a, &fac, budget);
            for (i, t) in times.demand_time_s.iter().enumerate() {
                let best = (0..c.len())
                    .filter_map(|j| {
                        let k = c.demand(j).iter().position(|d| *d as usize == i)?;
                        Some(c.times(j)[k])
                    })
                    .fold(f64::INFINITY, f64::min);
                if *t <= budget {
                    assert!((best - t).abs() < 1e-6, "point {i} at {minutes} min");
                } else {
                    assert!(best.is_infinite(), "point {i} at {minutes} min");
                }
            }
            // 2SFCA conserves the supply of the facilities anyone reaches.
            let r = category_fca(&a, school, minutes, 1.0).expect("fca");
            let reached: f64 = r
                .facilities
                .iter()
                .filter(|f| f.demand_in_reach > 0.0)
                .map(|f| f.capacity)
                .sum();
            let s: f64 = a
                .demand
                .points
                .iter()
                .zip(&r.points_index_per_1000)
                .map(|(p, x)| p.weight * x)
                .sum();
            assert!((s - 1000.0 * reached).abs() < 1e-6, "{minutes} min");
        }
    }

    #[test]
    fn tiers_required_then_the_category_s_then_the_largest() {
        let (a, b) = (CategoryId(1), CategoryId(2));
        let tier = |m: u32, req: Vec<CategoryId>| TierSpec {
            minutes: m,
            scope: crate::standards::profile::Scope::Town,
            required: vec![("x".into(), req)],
            required_budget_s: vec![],
        };
        let (t5, t15, t30) = (tier(5, vec![a]), tier(15, vec![b, a]), tier(30, vec![]));
        let tiers = [&t5, &t15, &t30];
        assert_eq!(
            fca_tiers(&tiers, a, &[]),
            (vec![5, 15], TierBasis::Required)
        );
        let c = CategoryId(3);
        assert_eq!(
            fca_tiers(&tiers, c, &[15, 60]),
            (vec![15], TierBasis::CategoryTier)
        );
        assert_eq!(
            fca_tiers(&tiers, c, &[60]),
            (vec![30], TierBasis::LargestTier)
        );
        assert_eq!(fca_tiers(&[], c, &[60]).0, Vec::<u32>::new());
    }
}
