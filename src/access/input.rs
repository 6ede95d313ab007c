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
