//! POI tables (points of interest, 兴趣点): CSV (UTF-8, GBK, UTF-16) and XLSX/XLS, as exported
//! from Amap (高德), Baidu, Tencent or typed by a planner.
//!
//! The coordinates come from a longitude and a latitude column (English or Chinese names,
//! optionally tagged with their CRS: `gcj_lng`, `经度(百度)`) or from one combined column holding
//! `"lng,lat"` (Amap's `location`). Every column becomes a field, so the facility classifier sees
//! 名称/类型/类型编码. A row without usable coordinates is skipped with its line (CSV) or row
//! (spreadsheet) number as the user sees it, header included.

use std::io::Cursor;
use std::path::Path;

use encoding_rs::{Encoding, UTF_8, UTF_16BE, UTF_16LE};
use geo_types::{Coord, Geometry, Point};

use crate::crs::{Crs, CrsInfo};
use crate::error::{IoError, Location, Result};
use crate::model::layer::SourceId;
use crate::model::{AttrValue, Feature, Field, FieldKind, Format, Issue, Layer, Role, SourceInfo};

use super::ReadOptions;

mod columns;
mod csv_text;
mod layer;
mod read;
mod table;
mod xlsx;

pub use columns::{Columns, CrsTag, detect_columns};
pub use read::read;

#[cfg(test)]
mod tests;
