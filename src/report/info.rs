//! `towncircle info`: what each layer of a set of files is, as a serialisable summary.

use serde::Serialize;

use crate::crs::CrsOrigin;
use crate::io::Dataset;
use crate::model::{FieldKind, GeometryKind, Layer, Severity};

/// The CRS a layer was read in and how it was decided.
#[derive(Debug, Clone, Serialize)]
pub struct CrsSummary {
    /// `EPSG:4549`, `GCJ-02`, ... or null when unknown.
    pub code: Option<String>,
    pub name: Option<String>,
    /// `declared`, `format_default`, `guessed`, `user`.
    pub origin: &'static str,
    /// Where it was declared, or why it was guessed.
    pub detail: Option<String>,
    pub guessed: bool,
}

/// A field of a layer.
#[derive(Debug, Clone, Serialize)]
pub struct FieldSummary {
    pub name: String,
    pub kind: FieldKind,
}

/// One layer, as `towncircle info` reports it.
#[derive(Debug, Clone, Serialize)]
pub struct LayerSummary {
    pub file: String,
    pub table: Option<String>,
    pub name: String,
    pub format: &'static str,
    pub geometry_type: GeometryKind,
    pub feature_count: usize,
    pub skipped_count: usize,
    pub crs: CrsSummary,
    pub encoding: Option<String>,
    /// [min_lon, min_lat, max_lon, max_lat] in WGS84 degrees.
    pub extent_lonlat: Option<[f64; 4]>,
    pub role: Option<&'static str>,
    pub role_zh: Option<&'static str>,
    /// A population raster's age band (`60+`), when it counts one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub age_band: Option<crate::model::AgeBand>,
    /// Features per facility category id (facility layers only).
    pub categories: std::collections::BTreeMap<String, usize>,
    pub unmapped_count: usize,
    pub unmapped_examples: Vec<String>,
    /// Land-use codes of a parcel layer (用地地块): parcels read, with a code, unknown codes.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub parcels: Option<crate::model::landuse::ParcelSummary>,
    pub fields: Vec<FieldSummary>,
    pub warnings: Vec<String>,
}

/// A file that could not be loaded.
#[derive(Debug, Clone, Serialize)]
pub struct FailureSummary {
    pub file: String,
    pub error: String,
}

/// The whole `info` answer.
#[derive(Debug, Clone, Serialize)]
pub struct InfoSummary {
    pub working_crs: String,
    pub working_crs_name: String,
    pub layers: Vec<LayerSummary>,
    pub failures: Vec<FailureSummary>,
}

fn crs_summary(layer: &Layer) -> CrsSummary {
    let info = &layer.source_crs;
    let (origin, detail) = match &info.origin {
        CrsOrigin::Declared(d) => ("declared", Some(d.clone())),
        CrsOrigin::FormatDefault(d) => ("format_default", Some(d.clone())),
        CrsOrigin::Guessed(d) => ("guessed", Some(d.clone())),
        CrsOrigin::User => ("user", None),
        CrsOrigin::Working => ("working", None),
        CrsOrigin::Unknown => ("unknown", None),
    };
    CrsSummary {
        code: info.crs.as_ref().map(|c| c.label()),
        name: info.crs.as_ref().map(|c| c.description()),
        origin,
        detail,
        guessed: info.is_guessed(),
    }
}

/// Summarise one loaded layer.
pub fn layer_summary(layer: &Layer) -> LayerSummary {
    let class = layer.classification.clone().unwrap_or_default();
    LayerSummary {
        file: layer.source.path.display().to_string(),
        table: layer.source.table.clone(),
        name: layer.name.clone(),
        format: layer.source.format.label(),
        geometry_type: layer.geometry_kind(),
        feature_count: layer.features.len(),
        skipped_count: layer.skipped_count(),
        crs: crs_summary(layer),
        encoding: layer.source.encoding.clone(),
        extent_lonlat: layer
            .extent_lonlat
            .map(|r| [r.min().x, r.min().y, r.max().x, r.max().y]),
        role: layer.role.map(|r| r.en()),
        role_zh: layer.role.map(|r| r.zh()),
        age_band: layer.age_band,
        categories: class.counts,
        unmapped_count: class.unmapped,
        unmapped_examples: class
            .unmapped_examples
            .iter()
            .map(|(id, text)| format!("{id}: {text}"))
            .collect(),
        parcels: (layer.role == Some(crate::model::Role::Parcels))
            .then(|| crate::model::landuse::ParcelSummary::of_layer(layer)),
        fields: layer
            .fields
            .iter()
            .map(|f| FieldSummary {
                name: f.name.clone(),
                kind: f.kind,
            })
            .collect(),
        warnings: layer
            .issues
            .iter()
            .map(|i| match i.severity {
                Severity::Warning | Severity::Skipped => i.to_string(),
            })
            .collect(),
    }
}

/// Summarise a loaded dataset.
pub fn summarise(ds: &Dataset) -> InfoSummary {
    InfoSummary {
        working_crs: ds.working_crs.label(),
        working_crs_name: ds.working_crs.description(),
        layers: ds.layers.iter().map(layer_summary).collect(),
        failures: ds
            .failures
            .iter()
            .map(|f| FailureSummary {
                file: f.path.display().to_string(),
                error: f.error.to_string(),
            })
            .collect(),
    }
}
