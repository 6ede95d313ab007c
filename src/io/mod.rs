//! Readers and writers. Every reader turns a file into [`Layer`]s in the file's own CRS;
//! [`load`] then resolves each layer's CRS, validates geometry and reprojects everything once into
//! the town's metric working CRS.

pub mod encoding;
pub mod geojson;
pub mod load;
pub mod osm;
pub mod synth;

use std::path::Path;

use encoding_rs::Encoding;
use geo_types::{MultiPolygon, Rect};

use crate::crs::Crs;
use crate::error::{IoError, Result};
use crate::model::Layer;

pub use load::{Dataset, LoadOptions, load};

/// A region to keep, in WGS84 lon/lat degrees (used to cut an OSM extract to one town).
#[derive(Debug, Clone, PartialEq)]
pub enum Clip {
    BBox(Rect<f64>),
    Polygon(MultiPolygon<f64>),
}

/// What the user told us about the files, overriding what the files say.
#[derive(Debug, Clone, Default)]
pub struct ReadOptions {
    /// Text encoding of attributes (DBF, CSV) when the file does not say, or says wrongly.
    pub encoding: Option<&'static Encoding>,
    /// The CRS of the coordinates, overriding the file (e.g. GCJ-02 for an Amap POI table).
    pub crs: Option<Crs>,
    /// Keep only features in this region (OSM extracts).
    pub clip: Option<Clip>,
}

/// The file formats, by file name.
pub fn format_of(path: &Path) -> Option<crate::model::Format> {
    use crate::model::Format;
    let name = path.file_name()?.to_string_lossy().to_ascii_lowercase();
    let ext = path
        .extension()
        .map(|e| e.to_string_lossy().to_ascii_lowercase())
        .unwrap_or_default();
    if name.ends_with(".osm.pbf") || ext == "pbf" {
        return Some(Format::OsmPbf);
    }
    match ext.as_str() {
        "geojson" | "json" => Some(Format::GeoJson),
        "shp" | "dbf" | "shx" => Some(Format::Shapefile),
        "gpkg" => Some(Format::GeoPackage),
        "csv" | "txt" => Some(Format::Csv),
        "xlsx" | "xls" | "xlsm" => Some(Format::Xlsx),
        _ => None,
    }
}

/// Read one file into layers in its own CRS (no reprojection).
pub fn read(path: &Path, options: &ReadOptions) -> Result<Vec<Layer>> {
    use crate::model::Format;
    let Some(format) = format_of(path) else {
        return Err(IoError::UnsupportedFormat {
            path: path.to_path_buf(),
            extension: path
                .extension()
                .map(|e| e.to_string_lossy().into_owned())
                .unwrap_or_default(),
        }
        .into());
    };
    if !path.exists() {
        return Err(IoError::open(
            path,
            std::io::Error::new(std::io::ErrorKind::NotFound, "no such file"),
        )
        .into());
    }
    match format {
        Format::GeoJson => Ok(vec![geojson::read(path, options)?]),
        Format::OsmPbf => osm::read(path, options),
        other => Err(IoError::UnsupportedFormat {
            path: path.to_path_buf(),
            extension: other.label().to_string(),
        }
        .into()),
    }
}
