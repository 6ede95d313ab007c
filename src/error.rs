//! Errors of the core library. Each names the file (last, as rerun's style asks) and, where
//! known, the feature or row, and says what the user can do about it.

use std::path::{Path, PathBuf};

/// Where in a file something went wrong.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Location {
    /// The whole file.
    File,
    /// A feature, 1-based in file order (shapefile record, GeoJSON feature, GeoPackage fid).
    Feature(u64),
    /// A line of a text file (CSV), 1-based, header included.
    Line(u64),
    /// A row of a spreadsheet, 1-based as the spreadsheet shows it.
    Row(u64),
    /// An OpenStreetMap element.
    Osm(String),
}

impl std::fmt::Display for Location {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Location::File => Ok(()),
            Location::Feature(n) => write!(f, "feature {n}: "),
            Location::Line(n) => write!(f, "line {n}: "),
            Location::Row(n) => write!(f, "row {n}: "),
            Location::Osm(id) => write!(f, "OSM {id}: "),
        }
    }
}

/// An error while reading or writing a data file.
#[derive(Debug, thiserror::Error)]
pub enum IoError {
    #[error("cannot open the file ({source}): {}", path.display())]
    Open {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("{}: {}", what, path.display())]
    Missing { path: PathBuf, what: String },
    #[error("{location}{message}: {}", path.display())]
    Invalid {
        path: PathBuf,
        location: Location,
        message: String,
    },
    #[error("unsupported file type \"{extension}\" (towncircle reads .geojson/.json, .shp, .gpkg, .osm.pbf/.pbf, .csv, .xlsx/.xls, .tif/.tiff, .dxf): {}", path.display())]
    UnsupportedFormat { path: PathBuf, extension: String },
    #[error("the layer has no usable features{}: {}", if detail.is_empty() { String::new() } else { format!(" ({detail})") }, path.display())]
    EmptyLayer { path: PathBuf, detail: String },
}

impl IoError {
    /// A problem at `location` in the file at `path`.
    pub fn invalid(path: &Path, location: Location, message: impl Into<String>) -> Self {
        IoError::Invalid {
            path: path.to_path_buf(),
            location,
            message: message.into(),
        }
    }

    /// The file could not be opened.
    pub fn open(path: &Path, source: std::io::Error) -> Self {
        IoError::Open {
            path: path.to_path_buf(),
            source,
        }
    }
}

/// An error of coordinate reference systems.
#[derive(Debug, thiserror::Error)]
pub enum CrsError {
    #[error("unknown or unsupported coordinate system {0}; give it with --crs EPSG:NNNN")]
    Unknown(String),
    #[error("cannot read the coordinate system definition ({0})")]
    BadDefinition(String),
    #[error("coordinate transform failed: {0}")]
    Transform(String),
    /// Seven datum-shift parameters that cannot be used: what is wrong with them.
    #[error("bad seven-parameter datum shift: {0}")]
    DatumShift(String),
}

/// Any error of the core library.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error(transparent)]
    Io(#[from] IoError),
    #[error(transparent)]
    Crs(#[from] CrsError),
    #[error("{context}: {source}")]
    Context {
        context: String,
        #[source]
        source: Box<Error>,
    },
    #[error("{0}")]
    Config(String),
}

impl Error {
    /// Wrap the error with what was being done, e.g. the file being reprojected.
    pub fn context(self, context: impl Into<String>) -> Self {
        Error::Context {
            context: context.into(),
            source: Box::new(self),
        }
    }
}

pub type Result<T, E = Error> = std::result::Result<T, E>;
