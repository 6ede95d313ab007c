//! Shapes derived from an access run for outputs: isochrones per category and tier, and gap
//! areas (all required types per tier, and per category), each with what it is about.
//! Shared by `towncircle coverage --geojson-out` and the `analyze` report writers.

use geo::{Area, Contains};
use geo_types::{MultiPolygon, Point};

use crate::access::gaps::{GapArea, gap_areas};
use crate::access::{AccessResult, Analysis, CategoryTimes};

/// The category an isochrone or gap is about.
#[derive(Debug, Clone, PartialEq)]
pub struct CategoryRef {
    pub id: String,
    pub zh: String,
    pub en: String,
    pub group: String,
}

impl CategoryRef {
    fn of(a: &Analysis, ct: &CategoryTimes) -> CategoryRef {
        match a.taxonomy.get(ct.category) {
            Some(c) => CategoryRef {
                id: c.id.clone(),
                zh: c.zh.clone(),
                en: c.en.clone(),
                group: c.group.clone(),
            },
            None => CategoryRef {
                id: String::new(),
                zh: String::new(),
                en: String::new(),
                group: String::new(),
            },
        }
    }
}

/// Where the nearest facility of a category is within `minutes`.
#[derive(Debug, Clone, PartialEq)]
pub struct Isochrone {
    pub category: CategoryRef,
    pub minutes: u32,
    /// The travel mode (its id).
    pub mode: String,
    pub polygon: MultiPolygon<f64>,
    pub area_m2: f64,
}

/// A gap area: residents not covered at a tier, for all required types (`category` None) or for
/// one category.
#[derive(Debug, Clone, PartialEq)]
pub struct Gap {
    pub minutes: u32,
    /// The travel mode (its id).
    pub mode: String,
    pub category: Option<CategoryRef>,
    pub area: GapArea,
    /// The village whose polygon holds the gap's centre, when villages have polygons.
    pub village: Option<String>,
}

/// Isochrones of every category with facilities at every tier (computed in parallel), empty
/// ones left out; in category then tier order.
pub fn isochrones(a: &Analysis, r: &AccessResult) -> Vec<Isochrone> {
    let jobs: Vec<(&CategoryTimes, u32)> = r
        .categories
        .iter()
        .filter(|ct| !ct.facilities.is_empty())
        .flat_map(|ct| a.tiers.iter().map(move |t| (&**ct, t.minutes)))
        .collect();
    let polygons = a.category_isochrones(&jobs);
    jobs.into_iter()
        .zip(polygons)
        .map(|((ct, m), p)| (ct, m, p))
        .filter(|(_, _, p)| !p.0.is_empty())
        .map(|(ct, minutes, polygon)| Isochrone {
            category: CategoryRef::of(a, ct),
            minutes,
            mode: a.mode.id.clone(),
            area_m2: polygon.unsigned_area(),
            polygon,
        })
        .collect()
}

/// Whether demand point `i` reaches every required type of tier `t` (index into `a.tiers`).
pub fn covers_all_required(a: &Analysis, r: &AccessResult, tier: usize, i: usize) -> bool {
    let Some(t) = a.tiers.get(tier) else {
        return false;
    };
    let b = t.budget_s();
    t.required.iter().all(|(_, cats)| {
        r.categories
            .iter()
            .filter(|ct| cats.contains(&ct.category))
            .any(|ct| ct.demand_time_s.get(i).is_some_and(|s| *s <= b))
    })
}

fn village_of(a: &Analysis, xy: [f64; 2]) -> Option<String> {
    let p = Point::new(xy[0], xy[1]);
    a.demand
        .villages
        .iter()
        .find(|v| v.polygon.as_ref().is_some_and(|poly| poly.contains(&p)))
        .map(|v| v.name.clone())
}

/// Gap areas: first for all required types at each tier that has requirements, then for each
/// category at each tier (largest population first within each group).
pub fn gaps(a: &Analysis, r: &AccessResult, per_category: bool) -> Vec<Gap> {
    let cell = a.shapes.gap_cell_m.value;
    let uncovered = |covered: &dyn Fn(usize) -> bool| -> Vec<([f64; 2], f64)> {
        a.demand
            .points
            .iter()
            .enumerate()
            .filter(|(i, _)| !covered(*i))
            .map(|(_, p)| (p.xy, p.weight))
            .collect()
    };
    let mut out = Vec::new();
    for (ti, t) in a.tiers.iter().enumerate() {
        if t.required.is_empty() {
            continue;
        }
        let pts = uncovered(&|i| covers_all_required(a, r, ti, i));
        for g in gap_areas(&pts, cell) {
            out.push(Gap {
                minutes: t.minutes,
                mode: a.mode.id.clone(),
                category: None,
                village: village_of(a, g.centre),
                area: g,
            });
        }
    }
    if per_category {
        for ct in &r.categories {
            // The people its coverage counts: a kindergarten's gaps are where uncovered
            // children live, when the 3-5 raster is loaded.
            let counted = a.counted(ct.category);
            for t in &a.tiers {
                let b = t.budget_s();
                let pts: Vec<([f64; 2], f64)> = a
                    .demand
                    .points
                    .iter()
                    .enumerate()
                    .filter(|(i, _)| ct.demand_time_s[*i] > b)
                    .filter_map(|(i, p)| Some((p.xy, counted.weight(i)?)))
                    .collect();
                for g in gap_areas(&pts, cell) {
                    out.push(Gap {
                        minutes: t.minutes,
                        mode: a.mode.id.clone(),
                        category: Some(CategoryRef::of(a, ct)),
                        village: village_of(a, g.centre),
                        area: g,
                    });
                }
            }
        }
    }
    out
}
