//! Geometry checks on read: drop what cannot be used, repair what can be repaired safely,
//! and say which feature and why.

use geo::Validation;
use geo_types::{Coord, Geometry, LineString, Polygon};

use super::layer::{Issue, Layer};
use super::quality::IssueKind;

/// Why a geometry cannot be used at all.
fn unusable(g: &Geometry<f64>) -> Option<String> {
    use geo::CoordsIter;
    let mut n = 0usize;
    for c in g.coords_iter() {
        if !c.x.is_finite() || !c.y.is_finite() {
            return Some(format!("coordinate ({}, {}) is not a number", c.x, c.y));
        }
        n += 1;
    }
    if n == 0 {
        return Some("the geometry is empty".into());
    }
    None
}

fn close_ring(ring: &mut LineString<f64>) -> bool {
    match (ring.0.first().copied(), ring.0.last().copied()) {
        (Some(a), Some(b)) if a != b => {
            ring.0.push(a);
            true
        }
        _ => false,
    }
}

fn ring_ok(ring: &LineString<f64>) -> bool {
    // At least 3 distinct points (4 with the closing one).
    let mut distinct: Vec<Coord<f64>> = Vec::with_capacity(4);
    for c in &ring.0 {
        if !distinct.contains(c) {
            distinct.push(*c);
            if distinct.len() >= 3 {
                return true;
            }
        }
    }
    false
}

/// Close unclosed rings and drop degenerate ones; returns what was done, or why the polygon
/// cannot be used.
fn fix_polygon(p: &mut Polygon<f64>) -> Result<Vec<String>, String> {
    let mut notes = Vec::new();
    let (mut exterior, mut interiors) =
        std::mem::replace(p, Polygon::new(LineString::new(Vec::new()), Vec::new())).into_inner();
    if close_ring(&mut exterior) {
        notes.push("closed an unclosed outer ring".to_string());
    }
    if !ring_ok(&exterior) {
        return Err("the outer ring has fewer than 3 distinct points".into());
    }
    for r in interiors.iter_mut() {
        close_ring(r);
    }
    let before = interiors.len();
    interiors.retain(ring_ok);
    let dropped = before - interiors.len();
    if dropped > 0 {
        notes.push(format!("dropped {dropped} degenerate hole(s)"));
    }
    *p = Polygon::new(exterior, interiors);
    Ok(notes)
}

/// Check every feature of `layer`: features that cannot be used are removed and reported as
/// skipped; repairs and remaining invalidity (self-intersections) are reported as warnings.
pub fn validate_layer(layer: &mut Layer) {
    let mut issues = Vec::new();
    layer.features.retain_mut(|f| {
        if let Some(why) = unusable(&f.geometry) {
            issues.push(Issue::skipped(Some(f.source_id), why));
            return false;
        }
        let mut notes = Vec::new();
        let result: Result<(), String> = match &mut f.geometry {
            Geometry::Polygon(p) => fix_polygon(p).map(|n| notes.extend(n)),
            Geometry::MultiPolygon(mp) => {
                let mut err = None;
                mp.0.retain_mut(|p| match fix_polygon(p) {
                    Ok(n) => {
                        notes.extend(n);
                        true
                    }
                    Err(e) => {
                        err = Some(e);
                        false
                    }
                });
                match (mp.0.is_empty(), err) {
                    (true, Some(e)) => Err(e),
                    (false, Some(e)) => {
                        notes.push(format!("dropped a part: {e}"));
                        Ok(())
                    }
                    _ => Ok(()),
                }
            }
            Geometry::LineString(l) => {
                l.0.dedup();
                if l.0.len() < 2 {
                    Err("the line has fewer than 2 distinct points".into())
                } else {
                    Ok(())
                }
            }
            Geometry::MultiLineString(ml) => {
                for l in ml.0.iter_mut() {
                    l.0.dedup();
                }
                ml.0.retain(|l| l.0.len() >= 2);
                if ml.0.is_empty() {
                    Err("every part of the line has fewer than 2 distinct points".into())
                } else {
                    Ok(())
                }
            }
            _ => Ok(()),
        };
        if let Err(why) = result {
            issues.push(Issue::skipped(Some(f.source_id), why));
            return false;
        }
        for n in notes {
            issues.push(Issue::warning(Some(f.source_id), n).of_kind(IssueKind::Repaired));
        }
        let invalid = match &f.geometry {
            Geometry::Polygon(p) => p.check_validation().err().map(|e| e.to_string()),
            Geometry::MultiPolygon(mp) => mp.check_validation().err().map(|e| e.to_string()),
            _ => None,
        };
        if let Some(why) = invalid {
            issues.push(
                Issue::warning(
                    Some(f.source_id),
                    format!(
                        "invalid polygon ({why}); kept as drawn, areas and containment may be off"
                    ),
                )
                .of_kind(IssueKind::Repaired),
            );
        }
        true
    });
    layer.issues.extend(issues);
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::crs::CrsInfo;
    use crate::model::layer::SourceId;
    use crate::model::{Feature, Format, Severity, SourceInfo};
    use geo_types::{line_string, point, polygon};

    fn layer_of(geoms: Vec<Geometry<f64>>) -> Layer {
        let mut l = Layer::new(
            "t",
            SourceInfo {
                path: "t.geojson".into(),
                format: Format::GeoJson,
                table: None,
                encoding: None,
            },
            CrsInfo::unknown(),
        );
        l.features = geoms
            .into_iter()
            .enumerate()
            .map(|(i, g)| Feature {
                geometry: g,
                attrs: vec![],
                source_id: SourceId::Feature(i as u64 + 1),
                category: None,
            })
            .collect();
        l
    }

    #[test]
    fn repairs_drops_and_flags() {
        let unclosed = Polygon::new(
            LineString::from(vec![(0.0, 0.0), (1.0, 0.0), (1.0, 1.0)]),
            vec![],
        );
        let bowtie = polygon![(x: 0.0, y: 0.0), (x: 1.0, y: 1.0), (x: 1.0, y: 0.0), (x: 0.0, y: 1.0), (x: 0.0, y: 0.0)];
        let mut layer = layer_of(vec![
            Geometry::Polygon(unclosed),
            Geometry::Polygon(bowtie),
            Geometry::Point(point!(x: f64::NAN, y: 1.0)),
            Geometry::LineString(line_string![(x: 1.0, y: 1.0), (x: 1.0, y: 1.0)]),
            Geometry::Point(point!(x: 1.0, y: 2.0)),
        ]);
        validate_layer(&mut layer);
        assert_eq!(layer.features.len(), 3);
        match &layer.features[0].geometry {
            Geometry::Polygon(p) => assert_eq!(p.exterior().0.len(), 4),
            other => panic!("{other:?}"),
        }
        let by = |id: u64| {
            layer
                .issues
                .iter()
                .filter(|i| i.feature == Some(SourceId::Feature(id)))
                .collect::<Vec<_>>()
        };
        // geo closes rings on construction; readers report unclosed rings themselves.
        assert!(by(1).is_empty());
        assert!(
            by(2)[0].message.contains("self-intersection"),
            "{:?}",
            by(2)
        );
        assert_eq!(by(3)[0].severity, Severity::Skipped);
        assert_eq!(by(4)[0].severity, Severity::Skipped);
        assert!(by(5).is_empty());
    }
}
