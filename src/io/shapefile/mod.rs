//! ESRI Shapefile reader and writer (.shp/.shx/.dbf/.cpg/.prj), with the GBK, GB18030 and
//! UTF-8 attribute encodings Chinese planning data comes in.
//!
//! The reader memory-maps the .shp and parses records itself, in parallel, bounds-checking every
//! read: a damaged or truncated file keeps its good records and reports the rest as issues.
//! Polygon rings are told apart by orientation (clockwise = outer) and holes go to the outer
//! ring that contains them. The DBF reader is its own too; the attribute
//! encoding is decided as: the user's choice > the .cpg > the DBF language driver id > valid
//! UTF-8 > GBK (decoded as GB18030, its superset), and recorded in `SourceInfo::encoding`.
//!
//! The writer follows the ESRI specification (outer rings clockwise, holes counter-clockwise;
//! dBase III tables with the language driver id and a .cpg naming the encoding).
//!
//! Files: `read` (a shapefile into a layer) over `shp_read` (headers, record index,
//! geometry), `dbf` (the table), `text_encoding` (the encoding decision) and `cells`
//! (decoding values); `write` (the writer, DBF included). Tests in `tests.rs`.

use std::borrow::Cow;
use std::io::Write;
use std::path::{Path, PathBuf};

use encoding_rs::{Encoding, GB18030, GBK, UTF_8};
use geo_types::{Coord, Geometry, LineString, Polygon};

use crate::crs::CrsInfo;
use crate::crs::wkt::to_esri_wkt;
use crate::error::{IoError, Location, Result};
use crate::model::{AttrValue, FieldKind, GeometryKind, Layer};

use super::ReadOptions;

// ---------------------------------------------------------------------------------------------
// Shared constants
// ---------------------------------------------------------------------------------------------

const SHP_FILE_CODE: i32 = 9994;
const SHP_VERSION: i32 = 1000;
const SHP_HEADER_BYTES: usize = 100;

const SHAPE_NULL: i32 = 0;
const SHAPE_POINT: i32 = 1;
const SHAPE_POLYLINE: i32 = 3;
const SHAPE_POLYGON: i32 = 5;
const SHAPE_MULTIPOINT: i32 = 8;

/// dBase language driver id for GBK / code page 936 (ESRI writes 0x4D).
const LDID_GBK: u8 = 0x4D;

/// The sibling file of `path` with extension `ext` (same stem, for writing).
fn sibling_for_writing(path: &Path, ext: &str) -> PathBuf {
    path.with_extension(ext)
}

/// The files of a shapefile, in the order the atomic writer stages them (the .shp first).
pub const SHAPEFILE_PARTS: &[&str] = &["shp", "shx", "dbf", "prj", "cpg"];

mod cells;
mod dbf;
mod read;
mod shp_read;
mod text_encoding;
mod write;

pub use read::read;
pub(crate) use write::write_parts;
pub use write::{write, write_with_warnings};

/// The .cpg text for an encoding.
fn cpg_label(encoding: &'static Encoding) -> &'static str {
    if encoding == GBK {
        "GBK"
    } else if encoding == UTF_8 {
        "UTF-8"
    } else if encoding == GB18030 {
        "GB18030"
    } else {
        encoding.name()
    }
}

/// The encoding's short name, as written in .cpg files.
fn encoding_label(e: &'static Encoding) -> &'static str {
    cpg_label(e)
}

/// How a record cut off by the end of a truncated .shp is described.
const CUT_OFF: &str = "the record is cut off by the end of the .shp";

#[cfg(test)]
mod tests;
