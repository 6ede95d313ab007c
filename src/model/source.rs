//! A feature's identity in its source file (feature number, CSV line, sheet row, OSM element).

use serde::{Deserialize, Serialize};

use crate::error::Location;

/// A feature's identity in its source file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum SourceId {
    /// 1-based feature number (shapefile record, GeoJSON feature, GeoPackage fid).
    Feature(u64),
    /// 1-based line of a CSV file (the header is line 1).
    Line(u64),
    /// 1-based spreadsheet row (the header is row 1).
    Row(u64),
    OsmNode(i64),
    OsmWay(i64),
    OsmRelation(i64),
}

impl SourceId {
    /// The same place as an error [`Location`].
    pub fn location(&self) -> Location {
        match *self {
            SourceId::Feature(n) => Location::Feature(n),
            SourceId::Line(n) => Location::Line(n),
            SourceId::Row(n) => Location::Row(n),
            SourceId::OsmNode(id) => Location::Osm(format!("node {id}")),
            SourceId::OsmWay(id) => Location::Osm(format!("way {id}")),
            SourceId::OsmRelation(id) => Location::Osm(format!("relation {id}")),
        }
    }
}

impl std::fmt::Display for SourceId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            SourceId::Feature(n) => write!(f, "feature {n}"),
            SourceId::Line(n) => write!(f, "line {n}"),
            SourceId::Row(n) => write!(f, "row {n}"),
            SourceId::OsmNode(id) => write!(f, "OSM node {id}"),
            SourceId::OsmWay(id) => write!(f, "OSM way {id}"),
            SourceId::OsmRelation(id) => write!(f, "OSM relation {id}"),
        }
    }
}
