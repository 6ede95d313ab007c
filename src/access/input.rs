//! What an analysis reads and how: the layers by role, the options, a facility as snapped, and the
//! method (network or the straight-line fallback).

use serde::Serialize;

use crate::model::layer::{Layer, SourceId};
use crate::model::{CategoryId, Role};

/// The layers of a town by role (all in the metric working CRS).
#[derive(Debug, Clone, Default)]
pub struct AccessInput<'a> {
    pub roads: Vec<&'a Layer>,
    /// Facility layers; features need `category` set (by the classifier).
    pub facilities: Vec<&'a Layer>,
    pub buildings: Vec<&'a Layer>,
    pub villages: Vec<&'a Layer>,
    pub built_up: Vec<&'a Layer>,
    pub boundary: Vec<&'a Layer>,
    /// Population rasters' cells ([`Role::Population`]).
    pub population: Vec<&'a Layer>,
    /// Land parcels (用地地块, [`Role::Parcels`]).
    pub parcels: Vec<&'a Layer>,
}

impl<'a> AccessInput<'a> {
    /// Sort layers by their role.
    pub fn from_layers(layers: &'a [Layer]) -> AccessInput<'a> {
        let mut input = AccessInput::default();
        for l in layers {
            match l.role {
                Some(Role::Roads) => input.roads.push(l),
                Some(Role::Facilities) => input.facilities.push(l),
                Some(Role::Buildings) => input.buildings.push(l),
                Some(Role::Villages) => input.villages.push(l),
                Some(Role::BuiltUpArea) => input.built_up.push(l),
                Some(Role::Boundary) => input.boundary.push(l),
                Some(Role::Population) => input.population.push(l),
                Some(Role::Parcels) => input.parcels.push(l),
                _ => {}
            }
        }
        input
    }
}

/// What to compute.
#[derive(Debug, Clone, PartialEq)]
pub struct AccessOptions {
    /// A mode id of the profile: walk, bike, ebike, car.
    pub mode: String,
    /// Tier minutes; None = the profile's tiers.
    pub minutes: Option<Vec<u32>>,
}

impl Default for AccessOptions {
    fn default() -> Self {
        AccessOptions {
            mode: "walk".into(),
            minutes: None,
        }
    }
}

/// A facility point.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Facility {
    pub xy: [f64; 2],
    pub category: CategoryId,
    pub name: Option<String>,
    /// Index of its layer in [`AccessInput::facilities`], and the feature.
    pub layer: u32,
    pub source: SourceId,
    /// Capacity from the first of [`CAPACITY_FIELDS`] holding a positive number (beds, school
    /// places, seats …); None when the feature has none.
    pub capacity: Option<f64>,
}

/// Attribute names read as a facility's capacity, in this order (exact name first, then ASCII
/// case-insensitive): 床位/床位数 (beds: 卫生院, 养老院), 学位/学位数 (school places), 座位/座位数
/// (seats: 文化站, 图书馆), 容量, 规模, and capacity/beds/seats (OSM tags). A value counts
/// when it is a positive number, optionally followed by a unit ("120", "120床", "45 个").
pub const CAPACITY_FIELDS: &[&str] = &[
    "床位",
    "床位数",
    "学位",
    "学位数",
    "座位",
    "座位数",
    "容量",
    "规模",
    "capacity",
    "beds",
    "seats",
];

/// The capacity of `feature` of `layer` (see [`CAPACITY_FIELDS`]).
pub fn capacity_of(layer: &Layer, feature: &crate::model::layer::Feature) -> Option<f64> {
    CAPACITY_FIELDS
        .iter()
        .find_map(|name| layer.attr(feature, name).and_then(capacity_value))
}

/// A positive number, or text starting with one ("120床").
pub fn capacity_value(v: &crate::model::layer::AttrValue) -> Option<f64> {
    let n = v.as_f64().or_else(|| {
        let t = v.as_text()?;
        let t = t.trim();
        let end = t
            .char_indices()
            .find(|(_, c)| !(c.is_ascii_digit() || *c == '.'))
            .map_or(t.len(), |(i, _)| i);
        t[..end].parse::<f64>().ok()
    })?;
    (n.is_finite() && n > 0.0).then_some(n)
}

/// How travel times were found.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Method {
    /// Shortest paths on the road network.
    Network,
    /// Straight-line distance × detour factor (no usable road layer): a fallback.
    Euclidean,
}
