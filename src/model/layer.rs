//! A layer: features (geometry + attributes) read from one file or one table of a file.

use std::path::PathBuf;

use geo_types::Geometry;
use serde::{Deserialize, Serialize};

use crate::crs::CrsInfo;

use super::category::CategoryId;
use super::quality::IssueKind;
use super::role::Role;
pub use super::source::SourceId;

/// An attribute value, as read from the source.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
#[serde(untagged)]
pub enum AttrValue {
    #[default]
    Null,
    Bool(bool),
    Int(i64),
    Float(f64),
    Text(String),
}

impl AttrValue {
    /// The value as text, or None for Null.
    pub fn as_text(&self) -> Option<std::borrow::Cow<'_, str>> {
        match self {
            AttrValue::Null => None,
            AttrValue::Bool(b) => Some(b.to_string().into()),
            AttrValue::Int(i) => Some(i.to_string().into()),
            AttrValue::Float(f) => Some(f.to_string().into()),
            AttrValue::Text(s) => Some(s.as_str().into()),
        }
    }

    /// The value as a number when it is one or is text that parses as one.
    pub fn as_f64(&self) -> Option<f64> {
        match self {
            AttrValue::Int(i) => Some(*i as f64),
            AttrValue::Float(f) if f.is_finite() => Some(*f),
            AttrValue::Text(s) => s.trim().parse::<f64>().ok().filter(|v| v.is_finite()),
            _ => None,
        }
    }
}

/// The kind of an attribute field.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum FieldKind {
    Text,
    Int,
    Float,
    Bool,
    Date,
}

/// An attribute field of a layer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Field {
    pub name: String,
    pub kind: FieldKind,
}

impl Field {
    pub fn new(name: impl Into<String>, kind: FieldKind) -> Self {
        Field {
            name: name.into(),
            kind,
        }
    }
}

/// One feature: a geometry, its attributes (aligned with [`Layer::fields`]) and where it came from.
#[derive(Debug, Clone, PartialEq)]
pub struct Feature {
    pub geometry: Geometry<f64>,
    pub attrs: Vec<AttrValue>,
    /// Where the feature stands in its source (feature number, CSV line, OSM element).
    pub source_id: SourceId,
    /// The facility category, once classified.
    pub category: Option<CategoryId>,
}

/// The file format a layer was read from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Format {
    GeoJson,
    Shapefile,
    GeoPackage,
    OsmPbf,
    Csv,
    Xlsx,
    GeoTiff,
    Dxf,
}

impl Format {
    pub fn label(self) -> &'static str {
        match self {
            Format::GeoJson => "GeoJSON",
            Format::Shapefile => "Shapefile",
            Format::GeoPackage => "GeoPackage",
            Format::OsmPbf => "OSM PBF",
            Format::Csv => "CSV",
            Format::Xlsx => "XLSX",
            Format::GeoTiff => "GeoTIFF",
            Format::Dxf => "DXF",
        }
    }
}

/// The geometry type of a layer, summarised over its features.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum GeometryKind {
    Point,
    Line,
    Polygon,
    Mixed,
    Empty,
}

impl GeometryKind {
    /// The kind of one geometry.
    pub fn of(g: &Geometry<f64>) -> GeometryKind {
        match g {
            Geometry::Point(_) | Geometry::MultiPoint(_) => GeometryKind::Point,
            Geometry::Line(_) | Geometry::LineString(_) | Geometry::MultiLineString(_) => {
                GeometryKind::Line
            }
            Geometry::Polygon(_)
            | Geometry::MultiPolygon(_)
            | Geometry::Rect(_)
            | Geometry::Triangle(_) => GeometryKind::Polygon,
            Geometry::GeometryCollection(_) => GeometryKind::Mixed,
        }
    }

    /// The common kind of many geometries.
    pub fn summarise<'a>(geoms: impl IntoIterator<Item = &'a Geometry<f64>>) -> GeometryKind {
        let mut kind = GeometryKind::Empty;
        for g in geoms {
            let k = GeometryKind::of(g);
            kind = match kind {
                GeometryKind::Empty => k,
                same if same == k => same,
                _ => return GeometryKind::Mixed,
            };
        }
        kind
    }
}

/// How serious an [`Issue`] is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// Something assumed or repaired; the data is used.
    Warning,
    /// A feature that could not be used and was skipped.
    Skipped,
}

/// A problem found while reading a layer that did not stop the layer from loading.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Issue {
    pub severity: Severity,
    /// The feature concerned, if any.
    pub feature: Option<SourceId>,
    pub message: String,
    /// What kind of problem, for the data-quality summary ([`super::quality`]).
    #[serde(default)]
    pub kind: IssueKind,
    /// How many features the issue stands for: 1 for one skipped feature, N for "N more records
    /// past the end of the file", the number of values for a field's unreadable values; 0 when
    /// it concerns no feature in particular.
    #[serde(default)]
    pub features: usize,
}

impl Issue {
    /// Something assumed or repaired (kind [`IssueKind::Other`]; one feature when `feature` is
    /// given).
    pub fn warning(feature: Option<SourceId>, message: impl Into<String>) -> Self {
        Issue {
            severity: Severity::Warning,
            features: usize::from(feature.is_some()),
            feature,
            message: message.into(),
            kind: IssueKind::Other,
        }
    }

    /// One feature that could not be used (kind [`IssueKind::Skipped`], one feature).
    pub fn skipped(feature: Option<SourceId>, message: impl Into<String>) -> Self {
        Issue {
            severity: Severity::Skipped,
            feature,
            message: message.into(),
            kind: IssueKind::Skipped,
            features: 1,
        }
    }

    /// The same issue, of another kind.
    #[must_use]
    pub fn of_kind(mut self, kind: IssueKind) -> Self {
        self.kind = kind;
        self
    }

    /// The same issue, standing for `n` features.
    #[must_use]
    pub fn for_features(mut self, n: usize) -> Self {
        self.features = n;
        self
    }
}

impl std::fmt::Display for Issue {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let what = match self.severity {
            Severity::Warning => "warning",
            Severity::Skipped => "skipped",
        };
        match &self.feature {
            Some(id) => write!(f, "{what}: {id}: {}", self.message),
            None => write!(f, "{what}: {}", self.message),
        }
    }
}

/// Where a layer came from.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SourceInfo {
    pub path: PathBuf,
    pub format: Format,
    /// The table or sub-layer inside the file (GeoPackage table, OSM theme, XLSX sheet).
    pub table: Option<String>,
    /// The text encoding the attributes were decoded with, and how it was decided.
    pub encoding: Option<String>,
}

/// A layer of features. Coordinates are in [`Layer::crs`]: the source CRS right after reading,
/// the metric working CRS after [`crate::io::load`].
#[derive(Debug, Clone)]
pub struct Layer {
    pub name: String,
    pub source: SourceInfo,
    pub fields: Vec<Field>,
    pub features: Vec<Feature>,
    /// The CRS of the coordinates held now.
    pub crs: CrsInfo,
    /// The CRS the file was in, as found or guessed.
    pub source_crs: CrsInfo,
    /// The role the reader knows for sure (an OSM theme), before any guessing.
    pub role_hint: Option<Role>,
    /// The role in the analysis: guessed on load, editable by the user.
    pub role: Option<Role>,
    pub issues: Vec<Issue>,
    /// Facility categories found, for layers that were classified.
    pub classification: Option<super::category::ClassifyReport>,
    /// The extent in WGS84 lon/lat degrees, once the CRS is known.
    pub extent_lonlat: Option<geo_types::Rect<f64>>,
    /// For a population raster ([`Role::Population`]): the age band (年龄段) its cells count,
    /// from `--age-band` or the project, else its GDAL band description, else its file name;
    /// None for the whole population.
    pub age_band: Option<super::AgeBand>,
}

impl Layer {
    /// An empty layer read from `source`, in `crs`.
    pub fn new(name: impl Into<String>, source: SourceInfo, crs: CrsInfo) -> Self {
        Layer {
            name: name.into(),
            source,
            fields: Vec::new(),
            features: Vec::new(),
            source_crs: crs.clone(),
            crs,
            role_hint: None,
            role: None,
            issues: Vec::new(),
            classification: None,
            extent_lonlat: None,
            age_band: None,
        }
    }

    /// The index of the field called `name` (exact match first, then case-insensitive).
    pub fn field_index(&self, name: &str) -> Option<usize> {
        self.fields.iter().position(|f| f.name == name).or_else(|| {
            self.fields
                .iter()
                .position(|f| f.name.eq_ignore_ascii_case(name))
        })
    }

    /// The value of field `name` on `feature`, Null when the layer has no such field.
    pub fn attr<'a>(&self, feature: &'a Feature, name: &str) -> Option<&'a AttrValue> {
        self.field_index(name).and_then(|i| feature.attrs.get(i))
    }

    /// The layer's geometry type.
    pub fn geometry_kind(&self) -> GeometryKind {
        GeometryKind::summarise(self.features.iter().map(|f| &f.geometry))
    }

    /// Number of features skipped while reading (an issue may stand for several: "6 more
    /// records past the end of the file").
    pub fn skipped_count(&self) -> usize {
        self.issues
            .iter()
            .filter(|i| i.severity == Severity::Skipped)
            .map(|i| i.features)
            .sum()
    }
}
