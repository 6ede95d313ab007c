//! GeoPackage (OGC 12-128r18, versions 1.0–1.3) reader and writer.
//!
//! The reader opens the file read-only and turns every `features` table of `gpkg_contents` into a
//! layer: geometry blobs (GeoPackage header, then WKB in either byte order; 2D, Z, M and ZM in ISO
//! and EWKB flavours; Z and M are dropped) and attribute columns by their declared SQLite type.
//! A blob that cannot be decoded skips its feature with an issue naming the fid. Raster tables of
//! the 2D Gridded Coverage Extension become population layers like a GeoTIFF (see `raster`);
//! image `tiles` tables are skipped with a warning.
//!
//! The writer makes a GeoPackage 1.2.1 file (application_id `GPKG`, user_version 10201) with one
//! feature table per layer, its CRS in `gpkg_spatial_ref_sys` (EPSG codes with their WKT; GCJ-02
//! and BD-09 as custom ids 990001/990002), and writes through a temporary file renamed over the
//! target, so a failed export never destroys an existing file.

use std::path::{Path, PathBuf};

use geo_types::{
    Coord, Geometry, GeometryCollection, LineString, MultiLineString, MultiPoint, MultiPolygon,
    Point, Polygon, Rect,
};
use rusqlite::types::{Value, ValueRef};
use rusqlite::{Connection, OpenFlags};

use crate::crs::{Crs, CrsInfo};
use crate::error::{IoError, Location, Result};
use crate::model::layer::SourceId;
use crate::model::{AttrValue, Feature, Field, FieldKind, Format, Issue, Layer, SourceInfo};

use super::ReadOptions;

/// `GPKG` as the SQLite application_id.
const APPLICATION_ID: i32 = 0x4750_4B47;
/// GeoPackage 1.2.1.
const USER_VERSION: i32 = 10201;
/// The srs_id written for GCJ-02 coordinates.
pub const SRS_ID_GCJ02: i32 = 990_001;
/// The srs_id written for BD-09 coordinates.
pub const SRS_ID_BD09: i32 = 990_002;
/// The first srs_id for custom (PROJ-string) systems.
const SRS_ID_CUSTOM_BASE: i32 = 990_100;
/// The organization written for towncircle's custom systems.
const ORGANIZATION: &str = "TOWNCIRCLE";

const WGS84_WKT: &str = r#"GEOGCS["WGS 84",DATUM["WGS_1984",SPHEROID["WGS 84",6378137,298.257223563,AUTHORITY["EPSG","7030"]],AUTHORITY["EPSG","6326"]],PRIMEM["Greenwich",0,AUTHORITY["EPSG","8901"]],UNIT["degree",0.0174532925199433,AUTHORITY["EPSG","9122"]],AXIS["Latitude",NORTH],AXIS["Longitude",EAST],AUTHORITY["EPSG","4326"]]"#;

fn sql_err(path: &Path, what: &str, e: rusqlite::Error) -> crate::Error {
    IoError::invalid(path, Location::File, format!("{what} ({e})")).into()
}

/// A double-quoted SQL identifier.
fn quote(name: &str) -> String {
    format!("\"{}\"", name.replace('"', "\"\""))
}

// ---------------------------------------------------------------------------------------------
// Geometry blobs
// ---------------------------------------------------------------------------------------------

mod raster;
mod read;
mod srs;
mod wkb_read;
mod wkb_write;
mod write;

pub use read::read;
pub use wkb_read::{decode_blob, decode_wkb};
pub use wkb_write::{encode_blob, encode_wkb};
pub use write::write;

// ---------------------------------------------------------------------------------------------
// Reading
// ---------------------------------------------------------------------------------------------

// ---------------------------------------------------------------------------------------------
// Writing
// ---------------------------------------------------------------------------------------------

#[cfg(test)]
mod raster_tests;
#[cfg(test)]
mod tests;
