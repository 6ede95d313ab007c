//! The data-quality records ([`QualityRecord`]) of loaded layers and of files that could not be
//! read: one record per layer and kind of problem, with the number of features concerned and the
//! reader's own messages as examples.

use crate::crs::CrsOrigin;
use crate::model::quality::MAX_DETAILS;
use crate::model::{IssueKind, Layer, QualityKind, QualityRecord, Severity};

use super::load::Dataset;

/// The records of a whole dataset: every layer's, then one per file that could not be read.
pub fn dataset_records(ds: &Dataset) -> Vec<QualityRecord> {
    let mut out: Vec<QualityRecord> = ds.layers.iter().flat_map(layer_records).collect();
    for f in &ds.failures {
        let file = f.path.display().to_string();
        let layer = f
            .path
            .file_stem()
            .map(|s| s.to_string_lossy().into_owned())
            .unwrap_or_default();
        let mut r = QualityRecord::new(file, layer, QualityKind::UnreadableFile);
        r.details.push(f.error.to_string());
        out.push(r);
    }
    out
}

/// A layer's records, most serious first.
pub fn layer_records(layer: &Layer) -> Vec<QualityRecord> {
    let file = layer.source.path.display().to_string();
    let name = layer
        .source
        .table
        .clone()
        .unwrap_or_else(|| layer.name.clone());
    let read = layer.features.len();
    let record = |kind: QualityKind| {
        let mut r = QualityRecord::new(file.clone(), name.clone(), kind);
        r.role = layer.role;
        r.features_read = Some(read);
        r
    };
    let mut out = Vec::new();

    // Issues by kind: (record kind, issues of that kind).
    // (features lost or left incomplete, the first messages, how many issues)
    let group = |pick: &dyn Fn(&crate::model::Issue) -> bool| -> (usize, Vec<String>, usize) {
        let mut lost = 0;
        let mut details = Vec::new();
        let mut n = 0;
        for i in layer.issues.iter().filter(|i| pick(i)) {
            n += 1;
            if i.severity == Severity::Skipped || i.kind == IssueKind::Truncated {
                lost += i.features;
            }
            if details.len() < MAX_DETAILS {
                details.push(i.to_string());
            }
        }
        (lost, details, n)
    };

    let (lost, details, n) = group(&|i| i.kind == IssueKind::Truncated);
    if n > 0 {
        let mut r = record(QualityKind::Truncated);
        r.features_affected = Some(lost);
        r.details = details;
        out.push(r);
    }
    let (lost, details, n) =
        group(&|i| i.kind != IssueKind::Truncated && i.severity == Severity::Skipped);
    if n > 0 {
        let mut r = record(QualityKind::SkippedFeatures);
        r.features_affected = Some(lost);
        r.details = details;
        out.push(r);
    }
    if layer.features.is_empty() {
        out.push(record(QualityKind::EmptyLayer));
    }

    let crs_guessed = matches!(layer.source_crs.origin, CrsOrigin::Guessed(_));
    let (_, details, n) = group(&|i| i.kind == IssueKind::Crs);
    if crs_guessed || n > 0 {
        let mut r = record(QualityKind::GuessedCrs);
        r.features_affected = Some(read);
        if let CrsOrigin::Guessed(why) = &layer.source_crs.origin
            && details.is_empty()
        {
            r.details.push(format!(
                "guessed {}: {why}",
                layer
                    .source_crs
                    .crs
                    .as_ref()
                    .map(|c| c.label())
                    .unwrap_or_else(|| "?".into())
            ));
        }
        r.details.extend(details);
        out.push(r);
    }

    let (_, details, n) = group(&|i| i.kind == IssueKind::Encoding);
    let encoding_guessed = layer.source.encoding.as_deref().is_some_and(|e| {
        (e.contains("guessed") || e.contains("detected")) && !e.contains("ASCII only")
    });
    if encoding_guessed || n > 0 {
        let mut r = record(QualityKind::GuessedEncoding);
        if let Some(e) = &layer.source.encoding {
            r.details.push(format!("encoding: {e}"));
        }
        r.details.extend(details);
        out.push(r);
    }

    if let Some(c) = &layer.classification
        && c.unmapped > 0
    {
        let mut r = record(QualityKind::UnmappedCategories);
        r.features_affected = Some(c.unmapped);
        r.details = c
            .unmapped_examples
            .iter()
            .take(MAX_DETAILS)
            .map(|(id, text)| format!("{id}: {text}"))
            .collect();
        out.push(r);
    }

    if layer.role == Some(crate::model::Role::Parcels) {
        let parcels = crate::model::landuse::ParcelSummary::of_layer(layer);
        let warnings = parcels.warnings();
        if !warnings.is_empty() {
            let mut r = record(QualityKind::ParcelCodes);
            r.features_affected = Some(parcels.unknown + parcels.missing);
            r.details = warnings;
            out.push(r);
        }
    }

    for (issue_kind, kind) in [
        (IssueKind::Attributes, QualityKind::BadAttributes),
        (IssueKind::Repaired, QualityKind::RepairedGeometry),
    ] {
        let (_, details, n) = group(&|i| i.kind == issue_kind && i.severity == Severity::Warning);
        if n > 0 {
            let mut r = record(kind);
            r.features_affected = Some(
                layer
                    .issues
                    .iter()
                    .filter(|i| i.kind == issue_kind && i.severity == Severity::Warning)
                    .map(|i| i.features.max(1))
                    .sum(),
            );
            r.details = details;
            out.push(r);
        }
    }
    let (_, details, n) = group(&|i| i.kind == IssueKind::Other && i.severity == Severity::Warning);
    if n > 0 {
        let mut r = record(QualityKind::Other);
        r.features_affected = None;
        r.details = details;
        if n > r.details.len() {
            r.details.push(format!(
                "… {} more (towncircle info FILE lists them all)",
                n - r.details.len()
            ));
        }
        out.push(r);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::crs::{Crs, CrsInfo};
    use crate::model::layer::SourceId;
    use crate::model::{Format, Issue, SourceInfo};

    fn layer() -> Layer {
        Layer::new(
            "行政村",
            SourceInfo {
                path: "town/行政村.shp".into(),
                format: Format::Shapefile,
                table: None,
                encoding: Some("GBK (from .cpg)".into()),
            },
            CrsInfo::declared(Crs::WGS84, ".prj"),
        )
    }

    #[test]
    fn truncation_counts_every_lost_feature() {
        let mut l = layer();
        l.issues.push(
            Issue::warning(None, "the .shp file is truncated at byte 3000")
                .of_kind(IssueKind::Truncated),
        );
        l.issues.push(
            Issue::skipped(Some(SourceId::Feature(8)), "cut off").of_kind(IssueKind::Truncated),
        );
        l.issues.push(
            Issue::skipped(None, "6 more records past the end")
                .of_kind(IssueKind::Truncated)
                .for_features(6),
        );
        let rs = layer_records(&l);
        let t = rs
            .iter()
            .find(|r| r.kind == QualityKind::Truncated)
            .expect("a truncation record");
        assert_eq!(t.features_affected, Some(7));
        assert!(t.loses_features);
        assert_eq!(t.details.len(), 3);
        assert_eq!(l.skipped_count(), 7);
        // Nothing else is said about these issues: they are not also "skipped features".
        assert!(rs.iter().all(|r| r.kind != QualityKind::SkippedFeatures));
    }

    #[test]
    fn a_clean_layer_has_no_records_a_guessed_one_does() {
        let mut l = layer();
        l.features.push(crate::model::Feature {
            geometry: geo_types::Point::new(120.0, 30.0).into(),
            attrs: vec![],
            source_id: SourceId::Feature(1),
            category: None,
        });
        assert!(layer_records(&l).is_empty());
        l.source_crs = CrsInfo {
            crs: Some(Crs::WGS84),
            origin: CrsOrigin::Guessed("values within ±180/±90".into()),
        };
        l.source.encoding = Some("GBK (guessed: not valid UTF-8)".into());
        let kinds: Vec<QualityKind> = layer_records(&l).iter().map(|r| r.kind).collect();
        assert_eq!(
            kinds,
            vec![QualityKind::GuessedCrs, QualityKind::GuessedEncoding]
        );
    }

    /// A parcel layer's record counts the parcels without a known code and names the unknown
    /// codes; a layer whose every parcel has a code has none.
    #[test]
    fn parcels_without_a_known_code_are_counted() {
        let mut l = layer();
        l.role = Some(crate::model::Role::Parcels);
        l.fields = vec![crate::model::Field::new(
            "YDXZ",
            crate::model::FieldKind::Text,
        )];
        for (i, code) in ["0701", "R2", "0799", "", "0701"].into_iter().enumerate() {
            l.features.push(crate::model::Feature {
                geometry: geo_types::Point::new(120.0, 30.0).into(),
                attrs: vec![crate::model::AttrValue::Text(code.into())],
                source_id: SourceId::Feature(i as u64 + 1),
                category: None,
            });
        }
        let rs = layer_records(&l);
        let r = rs
            .iter()
            .find(|r| r.kind == QualityKind::ParcelCodes)
            .expect("a parcel record");
        assert_eq!(r.features_affected, Some(2));
        assert_eq!(r.features_read, Some(5));
        assert!(
            r.details[0].contains("5 parcels: 3 with a land-use code")
                && r.details[0].contains("1 with an unknown code, 1 without a code")
                && r.details[0].contains("0799 ×1"),
            "{:?}",
            r.details
        );
        assert!(
            r.what(false).contains("2 of 5 parcels"),
            "{}",
            r.what(false)
        );
        l.features.truncate(2);
        assert!(
            layer_records(&l)
                .iter()
                .all(|r| r.kind != QualityKind::ParcelCodes)
        );
    }
}
