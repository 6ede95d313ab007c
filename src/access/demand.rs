//! Demand: where people live, as weighted points.
//!
//! In order of preference:
//! 1. residential buildings: weight = the population attribute when present, else floor area
//!    (footprint × storeys) × persons per m² from the profile, else 1 (a point without area);
//!    buildings inside a village polygon with a population are rescaled to that population
//!    (unless they carry their own population);
//! 2. villages with a population: polygons without buildings are spread over a grid inside
//!    them, points become one demand point each;
//! 3. nothing else: a regular grid over the built-up area (else the boundary, else the road
//!    network's extent), each cell weighing 1 (coverage is then a share of area, not people).
//!
//! [`DemandSummary`] states which was used.
//!
//! A population raster (人口栅格) replaces the buildings' estimates, spread over the buildings
//! and housing parcels in its cells by [`super::dasymetric`].
//!
//! Age bands (年龄段): population rasters of one band each (60+, 3-5, 6-14: a layer's
//! [`Layer::age_band`]) are spread over the same buildings the same way, each band's total kept
//! exactly, into [`Demand::bands`]: one weight per demand point, beside the total's. The points
//! are shared, so one travel time per point and category serves the total and every band (the
//! live scenario engine needs nothing more). A point only a band gives people (a band cell
//! without buildings, a building in a cell the total raster leaves empty) is added with total
//! weight 0 ([`WeightMethod::AgeBandOnly`]): the total's figures do not change.

use std::collections::BTreeMap;

use geo::{Area, BoundingRect, Centroid, Contains, InteriorPoint};
use geo_types::{Geometry, MultiPolygon, Point, Polygon, Rect};
use serde::Serialize;

use super::dasymetric::{CellPeople, HousingParcels, spread_cells};
use crate::model::AgeBand;
use crate::model::layer::{AttrValue, Feature, Layer, SourceId};
use crate::standards::profile::DemandParams;

/// How the demand was made.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum DemandSource {
    /// Residential buildings.
    Buildings,
    /// Village populations (points, or grids inside village polygons).
    Villages,
    /// A population raster's cells, spread to the buildings in them.
    Raster,
    /// A grid over the built-up area (no population data).
    BuiltUpGrid,
    /// A grid over the town boundary (no population data).
    BoundaryGrid,
    /// A grid over the road network's extent (no population data).
    NetworkGrid,
    /// Nothing to make demand from.
    None,
}

impl DemandSource {
    pub fn describe(self) -> &'static str {
        match self {
            DemandSource::Buildings => {
                "residential buildings (人口 or floor area × persons per m²)"
            }
            DemandSource::Villages => "village populations (行政村人口)",
            DemandSource::Raster => {
                "a population raster (人口栅格): each cell's count spread to the residential buildings in it by floor area, a cell without buildings to the housing parcels (用地地块) in it by area, else at its centre"
            }
            DemandSource::BuiltUpGrid => {
                "a grid over the built-up area (建成区); weights are cells, not people"
            }
            DemandSource::BoundaryGrid => {
                "a grid over the town boundary (镇域); weights are cells, not people"
            }
            DemandSource::NetworkGrid => {
                "a grid over the road network's extent; weights are cells, not people"
            }
            DemandSource::None => "no demand data",
        }
    }
}

/// How one point's weight was found.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum WeightMethod {
    /// The building's population attribute.
    Population,
    /// Floor area × persons per m² (storeys from the attribute).
    FloorArea,
    /// Floor area × persons per m² with the profile's default storeys.
    FloorAreaDefaultLevels,
    /// No area, no population: 1.
    One,
    /// A building's share of its village's population.
    VillageShare,
    /// A grid cell's share of its village's population.
    VillageGrid,
    /// A village point with its population.
    VillagePoint,
    /// A cell of a grid without population (weight 1).
    Cell,
    /// A building's share (by floor area) of its population-raster cell's count.
    RasterShare,
    /// A population-raster cell without buildings: its count at its centre.
    RasterCell,
    /// A population-raster cell without buildings: a housing parcel's share of its count (by the
    /// area of the parcel inside the cell), at a point of that part of the parcel.
    RasterParcel,
    /// A point only an age band's raster gives people (weight 0 in the total).
    AgeBandOnly,
}

/// A demand point.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DemandPoint {
    pub xy: [f64; 2],
    pub weight: f64,
    pub method: WeightMethod,
    /// Index into [`Demand::villages`].
    pub village: Option<u32>,
    /// Inside the built-up area (建成区).
    pub built_up: bool,
    /// The feature it came from: (input layer index, feature), None for grid cells.
    pub origin: Option<(u32, SourceId)>,
}

/// An administrative village (行政村).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Village {
    pub name: String,
    pub population: Option<f64>,
    #[serde(skip)]
    pub polygon: Option<MultiPolygon<f64>>,
    /// The point, or a point inside the polygon.
    pub xy: [f64; 2],
    pub source: SourceId,
}

/// What was used, for the report.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DemandSummary {
    pub source: DemandSource,
    pub description: String,
    pub points: usize,
    pub total_weight: f64,
    /// "persons" or "cells".
    pub weight_unit: &'static str,
    /// Points per weight method.
    pub by_method: BTreeMap<WeightMethod, usize>,
    pub non_residential_skipped: usize,
    pub villages: usize,
    pub villages_rescaled: usize,
    pub has_built_up_area: bool,
    /// The population rasters used (file names) and their total count over the cells read:
    /// the demand's total equals it (every cell's count goes to its buildings or its centre).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub rasters: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub raster_total: Option<f64>,
    /// People of the rasters' cells outside the town boundary (left out).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub raster_outside_boundary: Option<f64>,
    /// Residential buildings in raster cells without people (they carry no demand).
    #[serde(skip_serializing_if = "is_zero")]
    pub buildings_without_raster_people: usize,
    /// Raster cells without buildings whose people went to housing parcels (用地地块).
    #[serde(skip_serializing_if = "is_zero")]
    pub raster_cells_on_parcels: usize,
    /// The age-band rasters used, one entry per band (see [`Demand::bands`]).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub age_bands: Vec<AgeBandSummary>,
    /// Demand points only an age band gives people (total weight 0), counted in `points`.
    #[serde(skip_serializing_if = "is_zero")]
    pub points_only_in_age_bands: usize,
}

/// One age band's demand, as reported.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AgeBandSummary {
    /// `60+`, `3-5`, `6-14`.
    pub band: AgeBand,
    /// Its rasters' file names.
    pub rasters: Vec<String>,
    /// People of the band in its cells inside the town boundary: the sum of its weights.
    pub total: f64,
    /// People of the band in cells outside the town boundary (left out).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub outside_boundary: Option<f64>,
    /// Demand points with people of the band.
    pub points: usize,
    /// Residential buildings in the band's cells without people.
    #[serde(skip_serializing_if = "is_zero")]
    pub buildings_without_people: usize,
}

fn is_zero(n: &usize) -> bool {
    *n == 0
}

/// The people of one age band at each demand point.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct BandDemand {
    pub band: AgeBand,
    /// Aligned with [`Demand::points`].
    #[serde(skip)]
    pub weights: Vec<f64>,
}

/// Demand points and villages.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Demand {
    pub points: Vec<DemandPoint>,
    pub villages: Vec<Village>,
    /// Per age band with a raster, its people per point (sorted by band).
    pub bands: Vec<BandDemand>,
    pub summary: DemandSummary,
    pub warnings: Vec<String>,
}

impl Demand {
    /// The weights of `band` per point, when a raster of that band was loaded.
    pub fn band_weights(&self, band: AgeBand) -> Option<&[f64]> {
        self.bands
            .iter()
            .find(|b| b.band == band)
            .map(|b| b.weights.as_slice())
    }

    /// The people a coverage of `band` counts (None: the total population): that band's when
    /// its raster was loaded, else the points' own weights.
    pub fn counted(&self, band: Option<AgeBand>) -> Counted<'_> {
        let weights = band.and_then(|b| self.band_weights(b));
        Counted {
            demand: self,
            band: band.filter(|_| weights.is_some()),
            weights,
        }
    }
}

/// The people per demand point one coverage counts ([`Demand::counted`]): what its gaps, its
/// people newly covered or no longer covered, and its uncovered buildings are made of.
#[derive(Debug, Clone, Copy)]
pub struct Counted<'a> {
    demand: &'a Demand,
    band: Option<AgeBand>,
    weights: Option<&'a [f64]>,
}

impl<'a> Counted<'a> {
    /// True when an age band's people are counted (its raster loaded), not the total.
    pub fn is_band(&self) -> bool {
        self.weights.is_some()
    }

    /// Whose people: the band (`60+`, `3-5`) or `total`, as coverage's `demand` says it.
    pub fn label(&self) -> String {
        self.band.map_or_else(|| "total".into(), |b| b.to_string())
    }

    /// The band's weights per point; None: the points' own (for
    /// [`super::coverage::scoped_weighted`]).
    pub fn weights(&self) -> Option<&'a [f64]> {
        self.weights
    }

    /// The demand whose points these are.
    pub fn demand(&self) -> &'a Demand {
        self.demand
    }

    /// Point `i`'s people, or None for a point with none of them where age-band rasters are
    /// loaded (a point of another band only, or outside this band's raster): such a point is
    /// no gap of this coverage.
    pub fn weight(&self, i: usize) -> Option<f64> {
        let w = match self.weights {
            Some(b) => b.get(i).copied().unwrap_or(0.0),
            None => self.demand.points.get(i)?.weight,
        };
        (w > 0.0 || self.demand.bands.is_empty()).then_some(w)
    }
}

/// The layers demand is made from (already in the metric working CRS).
#[derive(Debug, Clone, Default)]
pub struct DemandLayers<'a> {
    pub buildings: Vec<&'a Layer>,
    pub villages: Vec<&'a Layer>,
    pub built_up: Vec<&'a Layer>,
    pub boundary: Vec<&'a Layer>,
    /// Population rasters' cells (points with a count: `io::geotiff::read_layer`).
    pub population: Vec<&'a Layer>,
    /// Land parcels (用地地块); their housing parcels take a raster cell's people when the cell
    /// has no buildings.
    pub parcels: Vec<&'a Layer>,
}

/// Polygons with their bounding boxes, for point-in-area tests.
#[derive(Debug, Clone, Default)]
pub struct Region {
    polys: Vec<(Rect<f64>, Polygon<f64>)>,
}

impl Region {
    /// The polygons of `layers`.
    pub fn from_layers(layers: &[&Layer]) -> Region {
        let mut r = Region::default();
        for l in layers {
            for f in &l.features {
                r.add(&f.geometry);
            }
        }
        r
    }

    pub fn add(&mut self, g: &Geometry<f64>) {
        let polys: Vec<Polygon<f64>> = match g {
            Geometry::Polygon(p) => vec![p.clone()],
            Geometry::MultiPolygon(mp) => mp.0.clone(),
            Geometry::Rect(r) => vec![r.to_polygon()],
            _ => vec![],
        };
        for p in polys {
            if let Some(b) = p.bounding_rect() {
                self.polys.push((b, p));
            }
        }
    }

    pub fn is_empty(&self) -> bool {
        self.polys.is_empty()
    }

    pub fn contains(&self, xy: [f64; 2]) -> bool {
        let pt = Point::new(xy[0], xy[1]);
        self.polys.iter().any(|(b, p)| {
            xy[0] >= b.min().x
                && xy[0] <= b.max().x
                && xy[1] >= b.min().y
                && xy[1] <= b.max().y
                && p.contains(&pt)
        })
    }

    /// The bounding box of all polygons.
    pub fn bbox(&self) -> Option<([f64; 2], [f64; 2])> {
        let mut it = self.polys.iter().map(|(b, _)| b);
        let first = it.next()?;
        let mut lo = [first.min().x, first.min().y];
        let mut hi = [first.max().x, first.max().y];
        for b in it {
            lo = [lo[0].min(b.min().x), lo[1].min(b.min().y)];
            hi = [hi[0].max(b.max().x), hi[1].max(b.max().y)];
        }
        Some((lo, hi))
    }

    /// The polygons as one multipolygon.
    pub fn multi_polygon(&self) -> MultiPolygon<f64> {
        MultiPolygon(self.polys.iter().map(|(_, p)| p.clone()).collect())
    }
}

fn text(layer: &Layer, f: &Feature, fields: &[String]) -> Option<String> {
    fields.iter().find_map(|n| {
        layer
            .attr(f, n)
            .and_then(AttrValue::as_text)
            .map(|s| s.trim().to_string())
            .filter(|s| !s.is_empty())
    })
}

fn number(layer: &Layer, f: &Feature, fields: &[String]) -> Option<f64> {
    fields.iter().find_map(|n| {
        layer
            .attr(f, n)
            .and_then(AttrValue::as_f64)
            .filter(|v| *v > 0.0)
    })
}

fn is_residential(value: Option<&str>, uses: &[String]) -> bool {
    let Some(v) = value else {
        return true;
    };
    let v = v.trim().to_lowercase();
    if v.is_empty() || v == "yes" {
        return true;
    }
    uses.iter().any(|u| {
        let u = u.to_lowercase();
        if u.is_ascii() { v == u } else { v.contains(&u) }
    })
}

fn representative_point(g: &Geometry<f64>) -> Option<[f64; 2]> {
    let p = match g {
        Geometry::Point(p) => Some(*p),
        Geometry::Polygon(_) | Geometry::MultiPolygon(_) | Geometry::Rect(_) => {
            g.interior_point().or_else(|| g.centroid())
        }
        other => other.centroid(),
    }?;
    (p.x().is_finite() && p.y().is_finite()).then_some([p.x(), p.y()])
}

/// Centres of the cells of a `cell_m` grid over `bbox` for which `inside` holds (empty for a
/// grid of more than 4 million cells).
pub fn grid_cells(
    bbox: ([f64; 2], [f64; 2]),
    cell_m: f64,
    inside: impl Fn([f64; 2]) -> bool,
) -> Vec<[f64; 2]> {
    let (lo, hi) = bbox;
    if cell_m.is_nan() || cell_m <= 0.0 {
        return Vec::new();
    }
    let nx = (((hi[0] - lo[0]) / cell_m).ceil() as usize).max(1);
    let ny = (((hi[1] - lo[1]) / cell_m).ceil() as usize).max(1);
    // Guard against absurd grids from a wrong CRS: at most ~4 million cells.
    if nx.saturating_mul(ny) > 4_000_000 {
        return Vec::new();
    }
    let mut out = Vec::new();
    for j in 0..ny {
        for i in 0..nx {
            let c = [
                lo[0] + (i as f64 + 0.5) * cell_m,
                lo[1] + (j as f64 + 0.5) * cell_m,
            ];
            if inside(c) {
                out.push(c);
            }
        }
    }
    out
}

/// The populated cells of the raster layers of `band` (None: the whole population): (centre,
/// count).
fn raster_cells(layers: &[&Layer], band: Option<AgeBand>) -> Vec<([f64; 2], f64)> {
    let field = crate::io::geotiff::POPULATION_FIELD;
    layers
        .iter()
        .filter(|l| l.age_band == band)
        .flat_map(|l| {
            l.features.iter().filter_map(move |f| {
                let Geometry::Point(p) = &f.geometry else {
                    return None;
                };
                let v = l.attr(f, field).and_then(AttrValue::as_f64)?;
                (v > 0.0 && p.x().is_finite() && p.y().is_finite()).then_some(([p.x(), p.y()], v))
            })
        })
        .collect()
}

/// Building points as (where, weight) for [`spread_cells`].
fn weighted(buildings: &[DemandPoint]) -> Vec<([f64; 2], f64)> {
    buildings.iter().map(|b| (b.xy, b.weight)).collect()
}

/// Cells of one population raster (or band) inside the town boundary; those outside are left
/// out and their people returned (None when none were), with a warning naming `what`.
fn inside_boundary(
    cells: Vec<([f64; 2], f64)>,
    boundary: &Region,
    what: &str,
    warnings: &mut Vec<String>,
) -> (Vec<([f64; 2], f64)>, Option<f64>) {
    if boundary.is_empty() || cells.is_empty() {
        return (cells, None);
    }
    let (inside, outside): (Vec<_>, Vec<_>) =
        cells.into_iter().partition(|c| boundary.contains(c.0));
    let mut people_outside = None;
    if !outside.is_empty() {
        let people: f64 = outside.iter().map(|c| c.1).sum();
        warnings.push(format!(
            "{} {what} cells ({people:.0} people) lie outside the town boundary (镇域) and are left out",
            outside.len()
        ));
        people_outside = Some(people);
    }
    if inside.is_empty() {
        warnings.push(format!(
            "no {what} cell lies inside the town boundary: the raster is not used (wrong CRS?)"
        ));
    }
    (inside, people_outside)
}

/// File names of layers, with the table inside the file where there is one
/// (`pop.gpkg [pop_60plus]`).
fn file_names(layers: &[&Layer]) -> Vec<String> {
    layers
        .iter()
        .filter(|l| !l.features.is_empty())
        .map(|l| {
            let file = l
                .source
                .path
                .file_name()
                .map_or_else(|| l.name.clone(), |n| n.to_string_lossy().into_owned());
            match &l.source.table {
                Some(t) => format!("{file} [{t}]"),
                None => file,
            }
        })
        .collect()
}

/// What [`add_bands`] works from: the residential buildings before any raster or village
/// rescaling, and where each of them and each total-raster cell ended up among the points.
struct BandBase<'a> {
    buildings: &'a [DemandPoint],
    /// Per building, its point (None: the total left it out).
    point_of_building: Vec<Option<usize>>,
    layers: &'a [&'a Layer],
    boundary: &'a Region,
    parcels: &'a HousingParcels,
}

/// A cell centre as a key (centimetres), to find a band's cell among the total's.
fn cell_key(xy: [f64; 2]) -> (i64, i64) {
    (
        (xy[0] * 100.0).round() as i64,
        (xy[1] * 100.0).round() as i64,
    )
}

/// Spread every age band's rasters over the buildings as the total was, into one weight per
/// point; points only a band gives people are added to `points` with total weight 0.
/// `place(xy)` gives a new cell point its village and built-up flag.
fn add_bands(
    base: BandBase<'_>,
    points: &mut Vec<DemandPoint>,
    place: impl Fn([f64; 2]) -> (Option<u32>, bool),
    warnings: &mut Vec<String>,
) -> (Vec<BandDemand>, Vec<AgeBandSummary>, usize) {
    let mut bands: Vec<AgeBand> = base.layers.iter().filter_map(|l| l.age_band).collect();
    bands.sort();
    bands.dedup();
    let mut point_of_building = base.point_of_building;
    let mut point_of_cell: std::collections::HashMap<(i64, i64), usize> = points
        .iter()
        .enumerate()
        .filter(|(_, p)| {
            matches!(
                p.method,
                WeightMethod::RasterCell | WeightMethod::RasterParcel
            )
        })
        .map(|(i, p)| (cell_key(p.xy), i))
        .collect();
    let first_added = points.len();
    let mut out = Vec::new();
    let mut summaries = Vec::new();
    for band in bands {
        let layers: Vec<&Layer> = base
            .layers
            .iter()
            .copied()
            .filter(|l| l.age_band == Some(band))
            .collect();
        let what = format!("age-band {band} population-raster");
        let (cells, outside) = inside_boundary(
            raster_cells(&layers, Some(band)),
            base.boundary,
            &what,
            warnings,
        );
        let mut weights = vec![0.0; points.len()];
        let spread = spread_cells(&cells, &weighted(base.buildings), base.parcels);
        for (bi, w) in spread.shares {
            let pi = *point_of_building[bi].get_or_insert_with(|| {
                points.push(DemandPoint {
                    weight: 0.0,
                    method: WeightMethod::AgeBandOnly,
                    ..base.buildings[bi].clone()
                });
                points.len() - 1
            });
            weights.resize(points.len(), 0.0);
            weights[pi] += w;
        }
        for CellPeople { xy, people: w, .. } in spread.cells {
            let pi = *point_of_cell.entry(cell_key(xy)).or_insert_with(|| {
                let (village, built_up) = place(xy);
                points.push(DemandPoint {
                    xy,
                    weight: 0.0,
                    method: WeightMethod::AgeBandOnly,
                    village,
                    built_up,
                    origin: None,
                });
                points.len() - 1
            });
            weights.resize(points.len(), 0.0);
            weights[pi] += w;
        }
        let dropped = if cells.is_empty() { 0 } else { spread.dropped };
        if dropped > 0 {
            warnings.push(format!(
                "{dropped} residential buildings lie in age-band {band} raster cells without people: they carry none of the band's demand"
            ));
        }
        summaries.push(AgeBandSummary {
            band,
            rasters: file_names(&layers),
            total: weights.iter().sum(),
            outside_boundary: outside,
            points: weights.iter().filter(|w| **w > 0.0).count(),
            buildings_without_people: dropped,
        });
        out.push(BandDemand { band, weights });
    }
    for b in &mut out {
        b.weights.resize(points.len(), 0.0);
    }
    (out, summaries, points.len() - first_added)
}

/// Make the demand points of a town. `network_extent` is used for the last-resort grid.
pub fn build_demand(
    layers: &DemandLayers<'_>,
    params: &DemandParams,
    network_extent: Option<([f64; 2], [f64; 2])>,
) -> Demand {
    let built_up = Region::from_layers(&layers.built_up);
    let boundary = Region::from_layers(&layers.boundary);
    let mut warnings = Vec::new();
    let mut by_method: BTreeMap<WeightMethod, usize> = BTreeMap::new();

    // Villages.
    let mut villages: Vec<Village> = Vec::new();
    for l in &layers.villages {
        for f in &l.features {
            let Some(xy) = representative_point(&f.geometry) else {
                continue;
            };
            let polygon = match &f.geometry {
                Geometry::Polygon(p) => Some(MultiPolygon(vec![p.clone()])),
                Geometry::MultiPolygon(mp) => Some(mp.clone()),
                _ => None,
            };
            villages.push(Village {
                name: text(l, f, &params.name_fields)
                    .unwrap_or_else(|| format!("village {}", villages.len() + 1)),
                population: number(l, f, &params.population_fields),
                polygon,
                xy,
                source: f.source_id,
            });
        }
    }
    let village_regions: Vec<Option<Region>> = villages
        .iter()
        .map(|v| {
            v.polygon.as_ref().map(|mp| {
                let mut r = Region::default();
                r.add(&Geometry::MultiPolygon(mp.clone()));
                r
            })
        })
        .collect();
    let point_villages: Vec<u32> = (0..villages.len() as u32)
        .filter(|i| villages[*i as usize].polygon.is_none())
        .collect();
    let village_of = |xy: [f64; 2], in_built_up: bool| -> Option<u32> {
        if let Some(i) = village_regions
            .iter()
            .position(|r| r.as_ref().is_some_and(|r| r.contains(xy)))
        {
            return Some(i as u32);
        }
        if in_built_up && !built_up.is_empty() {
            return None;
        }
        // Points only: the nearest village point.
        point_villages.iter().copied().min_by(|a, b| {
            let da = crate::network::graph::dist_m(villages[*a as usize].xy, xy);
            let db = crate::network::graph::dist_m(villages[*b as usize].xy, xy);
            da.total_cmp(&db)
        })
    };

    // Buildings.
    let mut points: Vec<DemandPoint> = Vec::new();
    let mut non_residential_skipped = 0;
    for (li, l) in layers.buildings.iter().enumerate() {
        for f in &l.features {
            let use_value = text(l, f, &params.use_fields);
            if !is_residential(use_value.as_deref(), &params.residential_uses) {
                non_residential_skipped += 1;
                continue;
            }
            let Some(xy) = representative_point(&f.geometry) else {
                continue;
            };
            let (weight, method) = if let Some(pop) = number(l, f, &params.population_fields) {
                (pop, WeightMethod::Population)
            } else {
                let area = f.geometry.unsigned_area();
                if area > 0.0 {
                    match number(l, f, &params.levels_fields) {
                        Some(levels) => (
                            area * levels * params.persons_per_m2.value,
                            WeightMethod::FloorArea,
                        ),
                        None => (
                            area * params.default_levels.value * params.persons_per_m2.value,
                            WeightMethod::FloorAreaDefaultLevels,
                        ),
                    }
                } else {
                    (1.0, WeightMethod::One)
                }
            };
            let in_bu = built_up.contains(xy);
            points.push(DemandPoint {
                xy,
                weight,
                method,
                village: village_of(xy, in_bu),
                built_up: in_bu,
                origin: Some((li as u32, f.source_id)),
            });
        }
    }
    // Age bands spread over these buildings as they are now (before any raster or village).
    let has_bands = layers.population.iter().any(|l| l.age_band.is_some());
    let band_buildings: Vec<DemandPoint> = if has_bands {
        points.clone()
    } else {
        Vec::new()
    };
    let mut point_of_building: Vec<Option<usize>> = (0..band_buildings.len()).map(Some).collect();
    // A population raster: its cells' counts replace the buildings' estimates. Rasters cover
    // more than the town (WorldPop is national): cells outside the boundary are left out, and
    // said.
    let (cells, raster_outside) = inside_boundary(
        raster_cells(&layers.population, None),
        &boundary,
        "population-raster",
        &mut warnings,
    );
    let raster_total: Option<f64> = (!cells.is_empty()).then(|| cells.iter().map(|c| c.1).sum());
    let mut buildings_without_raster_people = 0;
    let mut raster_cells_on_parcels = 0;
    let parcels = if layers.population.is_empty() {
        HousingParcels::default()
    } else {
        HousingParcels::from_layers(&layers.parcels)
    };
    if !cells.is_empty() {
        let buildings = std::mem::take(&mut points);
        let spread = spread_cells(&cells, &weighted(&buildings), &parcels);
        raster_cells_on_parcels = spread.cells_on_parcels;
        let dropped = spread.dropped;
        buildings_without_raster_people = dropped;
        if dropped > 0 {
            warnings.push(format!(
                "{dropped} residential buildings lie in population-raster cells without people (nodata, 0, or outside the raster): they carry no demand"
            ));
        }
        // Buildings keep the village and built-up flag found above; only cells need theirs.
        point_of_building.fill(None);
        for (bi, weight) in spread.shares {
            if let Some(p) = point_of_building.get_mut(bi) {
                *p = Some(points.len());
            }
            points.push(DemandPoint {
                weight,
                method: WeightMethod::RasterShare,
                ..buildings[bi].clone()
            });
        }
        for c in spread.cells {
            let (xy, weight) = (c.xy, c.people);
            let in_bu = built_up.contains(xy);
            points.push(DemandPoint {
                xy,
                weight,
                method: if c.on_parcel {
                    WeightMethod::RasterParcel
                } else {
                    WeightMethod::RasterCell
                },
                village: village_of(xy, in_bu),
                built_up: in_bu,
                origin: None,
            });
        }
        if villages.iter().any(|v| v.population.is_some()) {
            warnings.push(
                "village populations (人口) are not used for demand: the population raster is; villages group residents only".into(),
            );
        }
    }
    let had_buildings = !points.is_empty() && cells.is_empty();
    if !layers.buildings.is_empty() && points.is_empty() && cells.is_empty() {
        warnings.push(format!(
            "the building layer has no residential buildings ({non_residential_skipped} non-residential skipped); demand falls back to villages or a grid"
        ));
    }

    // Villages' populations: rescale their buildings, or spread over a grid / put at the point.
    let mut villages_rescaled = 0;
    for (vi, v) in villages.iter().enumerate() {
        let Some(pop) = v.population.filter(|_| cells.is_empty()) else {
            continue;
        };
        let members: Vec<usize> = points
            .iter()
            .enumerate()
            .filter(|(_, p)| p.village == Some(vi as u32))
            .map(|(i, _)| i)
            .collect();
        if let Some(region) = &village_regions[vi] {
            if !members.is_empty() {
                if members
                    .iter()
                    .all(|i| points[*i].method != WeightMethod::Population)
                {
                    let sum: f64 = members.iter().map(|i| points[*i].weight).sum();
                    if sum > 0.0 {
                        for i in &members {
                            points[*i].weight *= pop / sum;
                            points[*i].method = WeightMethod::VillageShare;
                        }
                        villages_rescaled += 1;
                    }
                }
                continue;
            }
            let Some(bbox) = region.bbox() else { continue };
            let mut cells = grid_cells(bbox, params.grid_cell_m.value, |c| region.contains(c));
            if cells.is_empty() {
                cells.push(v.xy);
            }
            let share = pop / cells.len() as f64;
            for c in cells {
                let in_bu = built_up.contains(c);
                points.push(DemandPoint {
                    xy: c,
                    weight: share,
                    method: WeightMethod::VillageGrid,
                    village: Some(vi as u32),
                    built_up: in_bu,
                    origin: None,
                });
            }
        } else if !had_buildings {
            points.push(DemandPoint {
                xy: v.xy,
                weight: pop,
                method: WeightMethod::VillagePoint,
                village: Some(vi as u32),
                built_up: built_up.contains(v.xy),
                origin: None,
            });
        }
    }
    if !villages.is_empty() && villages.iter().all(|v| v.population.is_none()) {
        warnings.push(
            "the village layer has no population field (人口/population): villages are used only to group residents".into(),
        );
    }

    let source = if !cells.is_empty() {
        DemandSource::Raster
    } else if had_buildings {
        DemandSource::Buildings
    } else if !points.is_empty() {
        DemandSource::Villages
    } else {
        // No population data at all: a grid.
        let cell = params.grid_cell_m.value;
        let (src, cells) = if let Some(b) = built_up.bbox() {
            (
                DemandSource::BuiltUpGrid,
                grid_cells(b, cell, |c| built_up.contains(c)),
            )
        } else if let Some(b) = boundary.bbox() {
            (
                DemandSource::BoundaryGrid,
                grid_cells(b, cell, |c| boundary.contains(c)),
            )
        } else if let Some(b) = network_extent {
            (DemandSource::NetworkGrid, grid_cells(b, cell, |_| true))
        } else {
            (DemandSource::None, Vec::new())
        };
        for c in cells {
            let in_bu = built_up.contains(c);
            points.push(DemandPoint {
                xy: c,
                weight: 1.0,
                method: WeightMethod::Cell,
                village: village_of(c, in_bu),
                built_up: in_bu,
                origin: None,
            });
        }
        if src != DemandSource::None {
            warnings.push(format!(
                "no buildings or village populations: demand is {}",
                src.describe()
            ));
        }
        src
    };
    let (bands, age_bands, points_only_in_age_bands) = if has_bands {
        add_bands(
            BandBase {
                buildings: &band_buildings,
                point_of_building,
                layers: &layers.population,
                boundary: &boundary,
                parcels: &parcels,
            },
            &mut points,
            |xy| {
                let in_bu = built_up.contains(xy);
                (village_of(xy, in_bu), in_bu)
            },
            &mut warnings,
        )
    } else {
        (Vec::new(), Vec::new(), 0)
    };
    for p in &points {
        *by_method.entry(p.method).or_insert(0) += 1;
    }
    let total_weight = points.iter().map(|p| p.weight).sum();
    let weight_unit = match source {
        DemandSource::BuiltUpGrid | DemandSource::BoundaryGrid | DemandSource::NetworkGrid => {
            "cells"
        }
        _ => "persons",
    };
    let total_layers: Vec<&Layer> = layers
        .population
        .iter()
        .copied()
        .filter(|l| l.age_band.is_none())
        .collect();
    let rasters = file_names(&total_layers);
    let description = if rasters.is_empty() {
        source.describe().into()
    } else {
        format!("{} — {}", source.describe(), rasters.join(", "))
    };
    let summary = DemandSummary {
        source,
        description,
        points: points.len(),
        total_weight,
        weight_unit,
        by_method,
        non_residential_skipped,
        villages: villages.len(),
        villages_rescaled,
        has_built_up_area: !built_up.is_empty(),
        rasters,
        raster_total,
        raster_outside_boundary: raster_outside,
        buildings_without_raster_people,
        raster_cells_on_parcels,
        age_bands,
        points_only_in_age_bands,
    };
    Demand {
        points,
        villages,
        bands,
        summary,
        warnings,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::crs::{Crs, CrsInfo};
    use crate::model::layer::{Field, FieldKind, Format, SourceInfo};
    use crate::standards::profile::Profile;
    use geo_types::{LineString, polygon};

    fn layer(fields: &[&str], feats: Vec<(Geometry<f64>, Vec<AttrValue>)>) -> Layer {
        let mut l = Layer::new(
            "t",
            SourceInfo {
                path: "t.geojson".into(),
                format: Format::GeoJson,
                table: None,
                encoding: None,
            },
            CrsInfo::declared(Crs::Epsg(4549), "t"),
        );
        l.fields = fields
            .iter()
            .map(|n| Field::new(*n, FieldKind::Text))
            .collect();
        l.features = feats
            .into_iter()
            .enumerate()
            .map(|(i, (geometry, attrs))| Feature {
                geometry,
                attrs,
                source_id: SourceId::Feature(i as u64 + 1),
                category: None,
            })
            .collect();
        l
    }

    fn square(x: f64, y: f64, s: f64) -> Geometry<f64> {
        Geometry::Polygon(Polygon::new(
            LineString::from(vec![(x, y), (x + s, y), (x + s, y + s), (x, y + s), (x, y)]),
            vec![],
        ))
    }

    /// A population raster's cells (100 m) spread over buildings: each cell's count shared by
    /// floor area among the buildings in it, cells without buildings at their centre, buildings
    /// in no populated cell dropped (and counted), cells outside the boundary left out (and
    /// said); the total is the cells' inside the boundary, exactly.
    #[test]
    fn raster_cells_spread_to_buildings_by_floor_area() {
        let p = Profile::default().demand;
        // Cells centred at (50 + 100i, 50 + 100j), i, j in 0..3, count 10·(i + 3j + 1); the
        // cell (2, 2) is empty (not in the layer), and one cell at (1050, 50) is outside the
        // boundary.
        let mut cells = Vec::new();
        for j in 0..3 {
            for i in 0..3 {
                if (i, j) != (2, 2) {
                    cells.push((
                        Geometry::Point(Point::new(
                            50.0 + 100.0 * i as f64,
                            50.0 + 100.0 * j as f64,
                        )),
                        vec![
                            AttrValue::Float(10.0 * (i + 3 * j + 1) as f64),
                            AttrValue::Float(100.0),
                        ],
                    ));
                }
            }
        }
        cells.push((
            Geometry::Point(Point::new(1050.0, 50.0)),
            vec![AttrValue::Float(77.0), AttrValue::Float(100.0)],
        ));
        let raster = layer(&["population", "cell_size"], cells);
        // Two buildings in cell (0, 0), 10 × 10 and 10 × 30 m (1 : 3); one in the empty cell
        // (2, 2).
        let b = layer(
            &["用途"],
            vec![
                (
                    square(10.0, 10.0, 10.0),
                    vec![AttrValue::Text("住宅".into())],
                ),
                (
                    Geometry::Polygon(Polygon::new(
                        LineString::from(vec![
                            (40.0, 40.0),
                            (50.0, 40.0),
                            (50.0, 70.0),
                            (40.0, 70.0),
                            (40.0, 40.0),
                        ]),
                        vec![],
                    )),
                    vec![AttrValue::Text("住宅".into())],
                ),
                (
                    square(240.0, 240.0, 10.0),
                    vec![AttrValue::Text("住宅".into())],
                ),
            ],
        );
        let boundary = layer(&[], vec![(square(0.0, 0.0, 300.0), vec![])]);
        let d = build_demand(
            &DemandLayers {
                buildings: vec![&b],
                population: vec![&raster],
                boundary: vec![&boundary],
                ..Default::default()
            },
            &p,
            None,
        );
        assert_eq!(d.summary.source, DemandSource::Raster);
        let inside: f64 = (1..=8).map(|k| 10.0 * k as f64).sum();
        assert_eq!(d.summary.total_weight, inside);
        assert_eq!(d.summary.raster_total, Some(inside));
        assert_eq!(d.summary.raster_outside_boundary, Some(77.0));
        assert_eq!(d.summary.buildings_without_raster_people, 1);
        let shares: Vec<&DemandPoint> = d
            .points
            .iter()
            .filter(|p| p.method == WeightMethod::RasterShare)
            .collect();
        assert_eq!(shares.len(), 2);
        assert!(
            (shares[0].weight - 2.5).abs() < 1e-9,
            "{}",
            shares[0].weight
        );
        assert!(
            (shares[1].weight - 7.5).abs() < 1e-9,
            "{}",
            shares[1].weight
        );
        assert_eq!(shares[0].origin, Some((0, SourceId::Feature(1))));
        // The other seven populated cells are points at their centres.
        let centres: Vec<[f64; 2]> = d
            .points
            .iter()
            .filter(|p| p.method == WeightMethod::RasterCell)
            .map(|p| p.xy)
            .collect();
        assert_eq!(centres.len(), 7);
        assert!(centres.contains(&[150.0, 50.0]) && !centres.contains(&[50.0, 50.0]));
        assert!(
            d.warnings
                .iter()
                .any(|w| w.contains("outside the town boundary"))
        );
        assert!(d.warnings.iter().any(|w| w.contains("carry no demand")));
    }

    /// A raster cell without buildings gives its people to the housing parcels (用地地块 with a
    /// dwelling code) overlapping it, by the area of each overlap; a school's parcel and a parcel
    /// with an unknown code take none; a cell with a building keeps it; the total stays the
    /// raster's.
    #[test]
    fn raster_cells_without_buildings_spread_to_housing_parcels_by_area() {
        let p = Profile::default().demand;
        // 100 m cells centred at (50 + 100i, 50 + 100j), i, j in 0..3, count 10·(i + 3j + 1).
        let mut cells = Vec::new();
        for j in 0..3 {
            for i in 0..3 {
                cells.push((
                    Geometry::Point(Point::new(50.0 + 100.0 * i as f64, 50.0 + 100.0 * j as f64)),
                    vec![
                        AttrValue::Float(10.0 * (i + 3 * j + 1) as f64),
                        AttrValue::Float(100.0),
                    ],
                ));
            }
        }
        let raster = layer(&["population", "cell_size"], cells);
        let b = layer(
            &["用途"],
            vec![(
                square(10.0, 10.0, 10.0),
                vec![AttrValue::Text("住宅".into())],
            )],
        );
        let rect = |x0: f64, y0: f64, x1: f64, y1: f64| {
            Geometry::Polygon(Polygon::new(
                LineString::from(vec![(x0, y0), (x1, y0), (x1, y1), (x0, y1), (x0, y0)]),
                vec![],
            ))
        };
        let code = |c: &str| vec![AttrValue::Text(c.into())];
        let parcels = layer(
            &["用地性质"],
            vec![
                // Across cells (1, 0) and (2, 0).
                (rect(120.0, 20.0, 280.0, 80.0), code("0701")),
                // Two in cell (1, 1), 1 600 and 3 200 m².
                (rect(110.0, 110.0, 130.0, 190.0), code("R2")),
                (rect(150.0, 110.0, 190.0, 190.0), code("070102")),
                // A school over cell (0, 1), an unknown code in cell (2, 1).
                (rect(0.0, 100.0, 100.0, 200.0), code("0804")),
                (rect(210.0, 110.0, 290.0, 190.0), code("0799")),
                // Housing over the building's cell (0, 0): the building takes its people.
                (rect(0.0, 0.0, 100.0, 100.0), code("0703")),
            ],
        );
        let d = build_demand(
            &DemandLayers {
                buildings: vec![&b],
                population: vec![&raster],
                parcels: vec![&parcels],
                ..Default::default()
            },
            &p,
            None,
        );
        assert_eq!(d.summary.source, DemandSource::Raster);
        assert!((d.summary.total_weight - 450.0).abs() < 1e-9);
        assert_eq!(d.summary.raster_cells_on_parcels, 3);
        let of = |m: WeightMethod| -> Vec<&DemandPoint> {
            d.points.iter().filter(|p| p.method == m).collect()
        };
        assert_eq!(of(WeightMethod::RasterShare).len(), 1);
        assert_eq!(of(WeightMethod::RasterShare)[0].weight, 10.0);
        let on_parcels = of(WeightMethod::RasterParcel);
        assert_eq!(on_parcels.len(), 4);
        let near = |x: f64, y: f64| {
            on_parcels
                .iter()
                .find(|p| (p.xy[0] - x).abs() < 40.0 && (p.xy[1] - y).abs() < 40.0)
                .unwrap_or_else(|| panic!("no parcel point near ({x}, {y}): {on_parcels:?}"))
                .weight
        };
        // Each part of the first parcel has its cell's people, inside its cell.
        assert!((near(160.0, 50.0) - 20.0).abs() < 1e-9);
        assert!((near(240.0, 50.0) - 30.0).abs() < 1e-9);
        for p in &on_parcels {
            assert!(p.origin.is_none());
        }
        // Cell (1, 1): 50 people, 1 : 2 by area.
        assert!((near(120.0, 150.0) - 50.0 / 3.0).abs() < 1e-9);
        assert!((near(170.0, 150.0) - 100.0 / 3.0).abs() < 1e-9);
        // The school's and the unknown code's cells, and the top row, stay at their centres.
        let centres: Vec<[f64; 2]> = of(WeightMethod::RasterCell).iter().map(|p| p.xy).collect();
        assert_eq!(centres.len(), 5);
        assert!(centres.contains(&[50.0, 150.0]) && centres.contains(&[250.0, 150.0]));
    }

    /// An age band's raster is spread over the same buildings the same way (by floor area, its
    /// own cells), its total kept exactly; the total's points and weights are those without the
    /// band; a building the total leaves out and a band cell where the total has none become
    /// points of total weight 0; a band cell where the total has a cell point shares it.
    #[test]
    fn an_age_band_raster_gets_its_own_weights_on_the_same_points() {
        let p = Profile::default().demand;
        let cell = |x: f64, y: f64, n: f64| {
            (
                Geometry::Point(Point::new(x, y)),
                vec![AttrValue::Float(n), AttrValue::Float(100.0)],
            )
        };
        // The total: cells (i, j) in 0..3 but (2, 2), 10 people each.
        let mut total_cells = Vec::new();
        for j in 0..3 {
            for i in 0..3 {
                if (i, j) != (2, 2) {
                    total_cells.push(cell(50.0 + 100.0 * i as f64, 50.0 + 100.0 * j as f64, 10.0));
                }
            }
        }
        let total = layer(&["population", "cell_size"], total_cells);
        // The 60+ band: 4 in cell (0, 0), 6 in (2, 2), 2 in (1, 0), 5 in (3, 0) where the
        // total has no cell, 9 outside the boundary.
        let mut elderly = layer(
            &["population", "cell_size"],
            vec![
                cell(50.0, 50.0, 4.0),
                cell(250.0, 250.0, 6.0),
                cell(150.0, 50.0, 2.0),
                cell(350.0, 50.0, 5.0),
                cell(1050.0, 50.0, 9.0),
            ],
        );
        elderly.age_band = Some(AgeBand::ELDERLY);
        let b = layer(
            &["用途"],
            vec![
                (
                    square(10.0, 10.0, 10.0),
                    vec![AttrValue::Text("住宅".into())],
                ),
                (
                    Geometry::Polygon(Polygon::new(
                        LineString::from(vec![
                            (40.0, 40.0),
                            (50.0, 40.0),
                            (50.0, 70.0),
                            (40.0, 70.0),
                            (40.0, 40.0),
                        ]),
                        vec![],
                    )),
                    vec![AttrValue::Text("住宅".into())],
                ),
                (
                    square(240.0, 240.0, 10.0),
                    vec![AttrValue::Text("住宅".into())],
                ),
            ],
        );
        let boundary = layer(&[], vec![(square(0.0, 0.0, 400.0), vec![])]);
        let run = |population: Vec<&Layer>| {
            build_demand(
                &DemandLayers {
                    buildings: vec![&b],
                    population,
                    boundary: vec![&boundary],
                    ..Default::default()
                },
                &p,
                None,
            )
        };
        let without = run(vec![&total]);
        let with = run(vec![&total, &elderly]);
        assert!(without.bands.is_empty() && without.summary.age_bands.is_empty());
        // The total is untouched: its points first, in the same order, same weights.
        assert_eq!(with.summary.total_weight, without.summary.total_weight);
        assert_eq!(with.summary.rasters, without.summary.rasters);
        assert_eq!(&with.points[..without.points.len()], &without.points[..]);
        // Two points added: the building in (2, 2) and the cell (3, 0), total weight 0.
        let added = &with.points[without.points.len()..];
        assert_eq!(added.len(), 2);
        assert_eq!(with.summary.points_only_in_age_bands, 2);
        assert!(
            added
                .iter()
                .all(|p| p.weight == 0.0 && p.method == WeightMethod::AgeBandOnly)
        );
        assert_eq!(added[0].origin, Some((0, SourceId::Feature(3))));
        assert_eq!(added[1].xy, [350.0, 50.0]);
        // The band's weights: its total exactly, shared 1 : 3 by floor area in cell (0, 0).
        let w = with.band_weights(AgeBand::ELDERLY).expect("60+ weights");
        assert_eq!(w.len(), with.points.len());
        // What a coverage counts: the band's people where its raster is loaded, nobody at a
        // point without them; everyone's (but not the band-only points) otherwise; without
        // bands, every point, empty ones too.
        let old = with.counted(Some(AgeBand::ELDERLY));
        let everyone = with.counted(None);
        let children = with.counted(Some(AgeBand {
            from_years: 3,
            to_years: Some(5),
        }));
        assert!(old.is_band() && !everyone.is_band() && !children.is_band());
        assert_eq!(
            (old.label(), everyone.label()),
            ("60+".into(), "total".into())
        );
        for (i, (band, p)) in w.iter().zip(&with.points).enumerate() {
            assert_eq!(old.weight(i), (*band > 0.0).then_some(*band), "point {i}");
            let own = p.weight;
            assert_eq!(everyone.weight(i), (own > 0.0).then_some(own), "point {i}");
            assert_eq!(children.weight(i), everyone.weight(i), "point {i}");
        }
        let plain = without.counted(Some(AgeBand::ELDERLY));
        assert!(!plain.is_band());
        for (i, p) in without.points.iter().enumerate() {
            assert_eq!(plain.weight(i), Some(p.weight));
        }
        let s = &with.summary.age_bands[0];
        assert_eq!((s.band, s.total), (AgeBand::ELDERLY, 17.0));
        assert_eq!(w.iter().sum::<f64>(), 17.0);
        assert_eq!(s.outside_boundary, Some(9.0));
        assert_eq!(s.rasters, vec!["t.geojson".to_string()]);
        let of = |pred: &dyn Fn(&DemandPoint) -> bool| -> f64 {
            with.points
                .iter()
                .zip(w)
                .filter(|(p, _)| pred(p))
                .map(|(_, w)| *w)
                .sum()
        };
        assert!((of(&|p| p.origin == Some((0, SourceId::Feature(1)))) - 1.0).abs() < 1e-12);
        assert!((of(&|p| p.origin == Some((0, SourceId::Feature(2)))) - 3.0).abs() < 1e-12);
        assert_eq!(of(&|p| p.origin == Some((0, SourceId::Feature(3)))), 6.0);
        // The band's cell (1, 0) is the total's cell point there, not a second point.
        let at = |xy: [f64; 2]| with.points.iter().filter(|p| p.xy == xy).count();
        assert_eq!(at([150.0, 50.0]), 1);
        assert_eq!(of(&|p| p.xy == [150.0, 50.0]), 2.0);
        assert_eq!(of(&|p| p.xy == [350.0, 50.0]), 5.0);
        assert!(with.warnings.iter().any(|w| w.contains("age-band 60+")));
        // Without a total raster, the band spreads over the buildings' own estimates.
        let only_band = run(vec![&elderly]);
        assert_eq!(only_band.summary.source, DemandSource::Buildings);
        assert_eq!(only_band.summary.age_bands[0].total, 17.0);
        assert_eq!(only_band.points[0].weight, without_band_weight(&b, &p));
    }

    /// The first building's weight without any raster.
    fn without_band_weight(b: &Layer, p: &DemandParams) -> f64 {
        build_demand(
            &DemandLayers {
                buildings: vec![b],
                ..Default::default()
            },
            p,
            None,
        )
        .points[0]
            .weight
    }

    #[test]
    fn building_weights_population_then_floor_area_then_one() {
        let p = Profile::default().demand;
        let b = layer(
            &["用途", "层数", "人口"],
            vec![
                (
                    square(0.0, 0.0, 10.0),
                    vec![
                        AttrValue::Text("住宅".into()),
                        AttrValue::Int(3),
                        AttrValue::Int(12),
                    ],
                ),
                (
                    square(100.0, 0.0, 10.0),
                    vec![
                        AttrValue::Text("住宅".into()),
                        AttrValue::Int(3),
                        AttrValue::Null,
                    ],
                ),
                (
                    square(200.0, 0.0, 10.0),
                    vec![AttrValue::Null, AttrValue::Null, AttrValue::Null],
                ),
                (
                    square(300.0, 0.0, 10.0),
                    vec![
                        AttrValue::Text("学校".into()),
                        AttrValue::Int(3),
                        AttrValue::Null,
                    ],
                ),
                (
                    Geometry::Point(Point::new(400.0, 0.0)),
                    vec![AttrValue::Null, AttrValue::Null, AttrValue::Null],
                ),
            ],
        );
        let d = build_demand(
            &DemandLayers {
                buildings: vec![&b],
                ..Default::default()
            },
            &p,
            None,
        );
        assert_eq!(d.summary.source, DemandSource::Buildings);
        assert_eq!(d.points.len(), 4);
        assert_eq!(d.summary.non_residential_skipped, 1);
        assert_eq!(d.points[0].weight, 12.0);
        assert!((d.points[1].weight - 300.0 * p.persons_per_m2.value).abs() < 1e-9);
        assert_eq!(d.points[2].method, WeightMethod::FloorAreaDefaultLevels);
        assert_eq!(d.points[3].weight, 1.0);
        assert_eq!(d.points[3].method, WeightMethod::One);
    }

    #[test]
    fn village_population_rescales_buildings_or_fills_a_grid() {
        let p = Profile::default().demand;
        let villages = layer(
            &["村名", "人口"],
            vec![
                (
                    Geometry::Polygon(
                        polygon![(x: 0., y: 0.), (x: 1000., y: 0.), (x: 1000., y: 1000.), (x: 0., y: 1000.)],
                    ),
                    vec![AttrValue::Text("清溪村".into()), AttrValue::Int(900)],
                ),
                (
                    Geometry::Polygon(
                        polygon![(x: 2000., y: 0.), (x: 2300., y: 0.), (x: 2300., y: 200.), (x: 2000., y: 200.)],
                    ),
                    vec![AttrValue::Text("溪口村".into()), AttrValue::Int(600)],
                ),
            ],
        );
        let b = layer(
            &["层数"],
            vec![
                (square(100.0, 100.0, 10.0), vec![AttrValue::Int(1)]),
                (square(500.0, 500.0, 10.0), vec![AttrValue::Int(2)]),
            ],
        );
        let d = build_demand(
            &DemandLayers {
                buildings: vec![&b],
                villages: vec![&villages],
                ..Default::default()
            },
            &p,
            None,
        );
        assert_eq!(d.summary.villages_rescaled, 1);
        assert!((d.points[0].weight - 300.0).abs() < 1e-9);
        assert!((d.points[1].weight - 600.0).abs() < 1e-9);
        // The second village has no buildings: 3 × 2 cells of 100 m, 100 people each.
        let grid: Vec<_> = d.points.iter().filter(|p| p.village == Some(1)).collect();
        assert_eq!(grid.len(), 6);
        assert!(grid.iter().all(|p| (p.weight - 100.0).abs() < 1e-9));
        assert!((d.summary.total_weight - 1500.0).abs() < 1e-9);
        assert_eq!(d.villages[0].name, "清溪村");
    }

    #[test]
    fn grid_over_built_up_area_when_nothing_else() {
        let p = Profile::default().demand;
        let bu = layer(&[], vec![(square(0.0, 0.0, 500.0), vec![])]);
        let d = build_demand(
            &DemandLayers {
                built_up: vec![&bu],
                ..Default::default()
            },
            &p,
            None,
        );
        assert_eq!(d.summary.source, DemandSource::BuiltUpGrid);
        assert_eq!(d.summary.weight_unit, "cells");
        assert_eq!(d.points.len(), 25);
        assert!(d.points.iter().all(|p| p.built_up));
        assert!(!d.warnings.is_empty());
        let none = build_demand(&DemandLayers::default(), &p, None);
        assert_eq!(none.summary.source, DemandSource::None);
        assert!(none.points.is_empty());
    }
}
