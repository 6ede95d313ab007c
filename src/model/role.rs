//! The role a layer plays in a town's analysis.

use serde::{Deserialize, Serialize};

/// What a layer is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// 镇域: the township boundary.
    Boundary,
    /// 建成区: the built-up area.
    BuiltUpArea,
    /// 行政村: administrative villages (polygons or points, with population).
    Villages,
    Roads,
    Facilities,
    /// Residential buildings or other demand points.
    Buildings,
    /// 绿道
    Greenway,
    /// 雨污管网: sewers and storm drains.
    Sewers,
    /// Administrative boundaries other than the town's (OSM admin levels).
    AdminBoundaries,
}
