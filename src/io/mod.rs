//! Readers and writers. Every reader turns a file into [`Layer`]s in the file's own CRS;
//! [`load`] then resolves each layer's CRS, validates geometry and reprojects everything once into
//! the town's metric working CRS.

pub mod atomic;
pub mod convert;
pub mod dxf;
pub mod encoding;
pub mod geojson;
pub mod geotiff;
pub mod gpkg;
pub mod load;
pub mod osm;
pub mod poi;
pub mod quality;
pub mod shapefile;
pub mod synth;

use std::path::{Path, PathBuf};

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
    /// A CAD layer mapping file whose rules go before `assets/cad-layers.toml` (DXF).
    pub cad_layers: Option<PathBuf>,
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
        "tif" | "tiff" => Some(Format::GeoTiff),
        "dxf" => Some(Format::Dxf),
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
        Format::GeoPackage => gpkg::read(path, options),
        Format::Csv | Format::Xlsx => Ok(vec![poi::read(path, options)?]),
        Format::Shapefile => Ok(vec![shapefile::read(path, options)?]),
        Format::GeoTiff => Ok(vec![geotiff::read_layer(path, options)?]),
        Format::Dxf => dxf::read_dxf(path, options),
    }
}

/// Does a .json file look like GeoJSON (and not, say, a metadata file beside the data)?
fn looks_like_geojson(path: &Path) -> bool {
    use std::io::Read;
    let mut head = Vec::new();
    let ok = std::fs::File::open(path)
        .and_then(|f| f.take(64 * 1024).read_to_end(&mut head))
        .is_ok();
    let text = String::from_utf8_lossy(&head);
    ok && (text.contains("\"FeatureCollection\"")
        || text.contains("\"Feature\"")
        || text.contains("\"coordinates\""))
}

/// The files of a folder that towncircle can read, in name order (shapefiles by their .shp;
/// .json files only when they look like GeoJSON; .tif files only when they are population
/// rasters, not images).
pub fn data_files_in(dir: &Path) -> Vec<PathBuf> {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    let mut files: Vec<PathBuf> = entries
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.is_file())
        .filter(|p| {
            let ext = p
                .extension()
                .map(|e| e.to_string_lossy().to_ascii_lowercase())
                .unwrap_or_default();
            format_of(p).is_some()
                && ext != "dbf"
                && ext != "shx"
                && ext != "txt"
                && (ext != "json" || looks_like_geojson(p))
                && (!matches!(ext.as_str(), "tif" | "tiff") || geotiff::is_population_raster(p))
        })
        .collect();
    files.sort();
    files
}

/// Expand folders into their data files.
pub fn expand_paths(paths: &[PathBuf]) -> Vec<PathBuf> {
    paths
        .iter()
        .flat_map(|p| {
            if p.is_dir() {
                data_files_in(p)
            } else {
                vec![p.clone()]
            }
        })
        .collect()
}
