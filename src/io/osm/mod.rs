//! OpenStreetMap PBF reader: one extract becomes four layers (roads, facilities, buildings,
//! administrative boundaries) in WGS84 lon/lat.
//!
//! # What goes where
//! - **roads** (`<stem>: roads`): every way tagged `highway=*` as a line, except
//!   `highway=proposed|construction|abandoned|platform|raceway` (not usable roads; counted in one
//!   issue). Highway areas (`area=yes` pedestrian squares) stay lines along their outline. Nodes
//!   missing from the extract cut a way into pieces (a MultiLineString); a way with fewer than two
//!   nodes in the extract is skipped with an issue.
//! - **facilities** (`<stem>: facilities`): a point per node, way or multipolygon relation that
//!   is a facility; ways and relations get a representative point inside their polygon
//!   ([`geo::InteriorPoint`], centroid as fallback). An element is a facility when
//!   - it has `amenity=*`, except street furniture (`bench`, `waste_basket`, `bicycle_parking`,
//!     `vending_machine`, `post_box`, ... see [`STREET_FURNITURE`]);
//!   - or `shop=*` (not `shop=vacant`), `leisure=*` (not picnic tables, outdoor seating,
//!     bleachers or fire pits), `healthcare=*`, `social_facility=*`, `office=government`;
//!   - or it is a bus stop: `highway=bus_stop`, or `public_transport=platform|stop_position` with
//!     `bus=yes`;
//!   - or any OSM rule of the facility taxonomy (`assets/categories.toml`) holds (this brings in
//!     e.g. `man_made=wastewater_plant`, and street furniture the taxonomy asks for, such as
//!     `amenity=waste_basket&waste=*`).
//!
//!   `tourism=*`, `railway=*` and `emergency=*` alone do not make a facility. The layer has a
//!   column for every OSM key the taxonomy's rules mention, so the classifier can apply them.
//! - **buildings** (`<stem>: buildings`): closed ways and multipolygon relations with
//!   `building=*` (not `building=no`) as polygons; `building:levels` as an integer.
//! - **admin_boundaries** (`<stem>: admin_boundaries`): relations `boundary=administrative`,
//!   assembled from their member ways into a MultiPolygon. A relation cut by the edge of the
//!   extract (member ways or nodes missing) is skipped with one issue naming it.
//!
//! # How the file is read
//! Three passes, each decoding blocks in parallel (rayon): (1) every block once: relations, ways
//! that are roads/buildings/facilities and facility nodes, noting which blocks hold ways and
//! which hold nodes; (2) only when relations need ways not kept yet: the way blocks again for those
//! member ways; (3) the node blocks for the coordinates of the nodes the kept ways use. Only those
//! coordinates are held (8 bytes each), so a province extract does not need every node in memory.
//! Only the tags that become columns are kept.
//!
//! A corrupt, truncated or empty file is an error naming the file; osmpbf may panic on some bad
//! blocks, and that panic is caught and reported the same way.
//!
//! # Clip
//! With [`ReadOptions::clip`] (lon/lat): points outside are dropped, lines are cut to the region,
//! polygons are kept whole when they touch it. Each layer gets a warning saying how many features
//! the clip removed.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::Path;

use geo::{Area, BooleanOps, BoundingRect, Centroid, InteriorPoint, Intersects};
use geo_types::{Coord, Geometry, LineString, MultiLineString, MultiPolygon, Point, Polygon, Rect};
use osmpbf::{BlobDecode, BlobReader, BlobType, ByteOffset, PrimitiveBlock, RelMemberType};
use rayon::iter::{ParallelBridge, ParallelIterator};

use crate::crs::{Crs, CrsInfo};
use crate::error::{IoError, Location, Result};
use crate::model::layer::SourceId;
use crate::model::{
    AttrValue, Feature, Field, FieldKind, Format, Issue, Layer, Role, SourceInfo, Taxonomy,
    category::DEFAULT_TAXONOMY_TOML,
};

use super::{Clip, ReadOptions};

mod build;
mod clip;
mod pbf;
mod read;
mod rings;
mod schema;

pub use read::read;
pub use schema::{SKIPPED_HIGHWAYS, STREET_FURNITURE};

#[cfg(test)]
mod tests;
