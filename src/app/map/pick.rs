//! Finding the feature under the pointer: the drawing chunks under it, their features' boxes,
//! then the exact distance to the few candidates.

use geo::{Distance, Euclidean};
use geo_types::{Coord, Geometry, Point, Rect as GeoRect};

use super::cache::{Prepared, intersects};
use crate::model::Layer;

/// The feature of `layer` nearest to `at` within `tolerance_m` metres, with its distance.
/// Inside a `filled` polygon counts as distance 0 (among polygons that contain the point the
/// smallest wins); an unfilled polygon (a boundary) is only hit near its outline.
///
/// The candidates are found through the layer's drawing chunks (their boxes, then their
/// features' boxes), so a layer needs no index of its own: an overlay replaced after a scenario
/// edit (45,000 buildings) is ready to pick the moment it is prepared, where bulk-loading an
/// R-tree of its boxes took longer than tracing it. A pick looks at the few chunks under the
/// pointer (at most 1,024 chunks of about 1,000 features each).
pub fn pick(
    prepared: &Prepared,
    layer: &Layer,
    at: Coord<f64>,
    tolerance_m: f64,
    filled: bool,
) -> Option<(usize, f64)> {
    let env = GeoRect::new(
        Coord {
            x: at.x - tolerance_m,
            y: at.y - tolerance_m,
        },
        Coord {
            x: at.x + tolerance_m,
            y: at.y + tolerance_m,
        },
    );
    let p = Point(at);
    let mut best: Option<(usize, f64, f64)> = None;
    let candidates = prepared
        .chunks
        .iter()
        .filter(|c| intersects(&c.bbox, &env))
        .flat_map(|c| c.features.iter())
        .filter_map(|i| {
            let i = *i as usize;
            let b = prepared.bboxes.get(i).copied().flatten()?;
            intersects(&b, &env).then_some((i, b))
        });
    for (i, b) in candidates {
        let Some(f) = layer.features.get(i) else {
            continue;
        };
        let d = feature_distance(&p, &f.geometry, filled);
        if d.is_nan() || d > tolerance_m {
            continue;
        }
        let size = pick_size(&f.geometry, &b);
        let better = match best {
            None => true,
            Some((bi, bd, bs)) => (size, d, i) < (bs, bd, bi),
        };
        if better {
            best = Some((i, d, size));
        }
    }
    best.map(|(i, d, _)| (i, d))
}

/// Distance from the pointer to a geometry: inside a `filled` polygon is 0, an unfilled one
/// counts only its outline.
fn feature_distance(p: &Point<f64>, g: &Geometry<f64>, filled: bool) -> f64 {
    if filled {
        Euclidean.distance(p, g)
    } else {
        outline_distance(p, g)
    }
}

/// What ranks candidates at the same distance: points and lines (0) before the polygon they sit
/// in, then smaller polygons (their box's area).
fn pick_size(g: &Geometry<f64>, bbox: &GeoRect<f64>) -> f64 {
    match g {
        Geometry::Polygon(_) | Geometry::MultiPolygon(_) | Geometry::Rect(_) => {
            bbox.width() * bbox.height()
        }
        _ => 0.0,
    }
}

/// Features a pick can find: those with a box in a drawing chunk.
pub fn pickable(prepared: &Prepared) -> usize {
    prepared
        .chunks
        .iter()
        .flat_map(|c| c.features.iter())
        .filter(|i| {
            prepared
                .bboxes
                .get(**i as usize)
                .copied()
                .flatten()
                .is_some()
        })
        .count()
}

/// Distance to a geometry with polygons taken as their rings (their inside does not count).
fn outline_distance(p: &Point<f64>, g: &Geometry<f64>) -> f64 {
    let rings = |poly: &geo_types::Polygon<f64>| -> f64 {
        std::iter::once(poly.exterior())
            .chain(poly.interiors())
            .map(|r| Euclidean.distance(p, r))
            .fold(f64::INFINITY, f64::min)
    };
    match g {
        Geometry::Polygon(poly) => rings(poly),
        Geometry::MultiPolygon(mp) => mp.iter().map(rings).fold(f64::INFINITY, f64::min),
        Geometry::Rect(r) => rings(&r.to_polygon()),
        Geometry::Triangle(t) => rings(&t.to_polygon()),
        Geometry::GeometryCollection(gc) => gc
            .iter()
            .map(|g| outline_distance(p, g))
            .fold(f64::INFINITY, f64::min),
        other => Euclidean.distance(p, other),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::io::synth;

    #[test]
    fn picks_the_building_under_the_pointer_and_nothing_in_empty_space() {
        let layer = synth::buildings(5000, 11);
        let prep = Prepared::new(&layer);
        assert_eq!(pickable(&prep), 5000);
        for i in [0usize, 17, 4999] {
            let b = prep.bboxes[i].expect("bbox");
            let (hit, d) = pick(&prep, &layer, b.center(), 1.0, true).expect("hit");
            assert_eq!(d, 0.0);
            // Buildings may overlap; the hit must at least contain the point.
            let hb = prep.bboxes[hit].expect("bbox");
            assert!(hb.min().x <= b.center().x && b.center().x <= hb.max().x);
        }
        let far = Coord {
            x: 400_000.0,
            y: 3_000_000.0,
        };
        assert_eq!(pick(&prep, &layer, far, 5.0, true), None);
    }

    /// What a pick must find: the best of ALL features by the same rule, no chunk involved.
    fn brute_force(
        layer: &Layer,
        at: Coord<f64>,
        tolerance_m: f64,
        filled: bool,
    ) -> Option<(usize, f64)> {
        use geo::BoundingRect;
        let p = Point(at);
        let mut best: Option<(usize, f64, f64)> = None;
        for (i, f) in layer.features.iter().enumerate() {
            let d = feature_distance(&p, &f.geometry, filled);
            let Some(b) = f.geometry.bounding_rect() else {
                continue;
            };
            if d.is_nan() || d > tolerance_m {
                continue;
            }
            let size = pick_size(&f.geometry, &b);
            if best.is_none_or(|(bi, bd, bs)| (size, d, i) < (bs, bd, bi)) {
                best = Some((i, d, size));
            }
        }
        best.map(|(i, d, _)| (i, d))
    }

    #[test]
    fn picks_through_chunks_what_a_search_of_every_feature_finds() {
        use crate::app::doc::KeyedChunks;
        let layer = synth::buildings(3000, 5);
        let plain = Prepared::new(&layer);
        assert!(plain.chunks.len() > 1, "several chunks");
        // A maker's chunks in an order of its own (every 7th feature together).
        let keyed = Prepared::keyed(
            &layer,
            KeyedChunks {
                origin: [0.0, 0.0],
                chunks: (0..7u32)
                    .map(|k| {
                        let f = (0..3000u32).filter(|i| i % 7 == k).collect();
                        (u64::from(k), f)
                    })
                    .collect(),
                bboxes: Vec::new(),
            },
        );
        let ext = plain.extent.expect("extent");
        // A fixed pseudo-random sequence (xorshift), in [0, 1).
        let mut state = 0x9e37_79b9_7f4a_7c15_u64;
        let mut unit = move || {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            (state >> 11) as f64 / (1u64 << 53) as f64
        };
        let mut hits = 0;
        for _ in 0..400 {
            // Anywhere in the layer, or near a building (where buildings may overlap).
            let at = if unit() < 0.3 {
                Coord {
                    x: ext.min().x + unit() * ext.width(),
                    y: ext.min().y + unit() * ext.height(),
                }
            } else {
                let i = (unit() * 3000.0) as usize;
                let c = plain.bboxes[i].expect("bbox").center();
                Coord {
                    x: c.x + (unit() - 0.5) * 60.0,
                    y: c.y + (unit() - 0.5) * 60.0,
                }
            };
            let tol = 0.5 + unit() * 40.0;
            let filled = unit() < 0.5;
            let want = brute_force(&layer, at, tol, filled);
            hits += usize::from(want.is_some());
            assert_eq!(pick(&plain, &layer, at, tol, filled), want, "{at:?} {tol}");
            assert_eq!(pick(&keyed, &layer, at, tol, filled), want, "{at:?} {tol}");
        }
        assert!(hits > 150, "the points hit buildings: {hits}");
    }

    #[test]
    fn point_within_tolerance_is_picked_over_the_polygon_around_it() {
        use crate::model::Feature;
        use geo_types::polygon;
        let mut layer = synth::points(1, 1);
        let f0 = layer.features[0].clone();
        layer.features = vec![
            Feature {
                geometry: Geometry::Polygon(
                    polygon![(x: 0., y: 0.), (x: 100., y: 0.), (x: 100., y: 100.), (x: 0., y: 100.)],
                ),
                ..f0.clone()
            },
            Feature {
                geometry: Geometry::Point(Point::new(50.0, 50.0)),
                ..f0
            },
        ];
        let prep = Prepared::new(&layer);
        let (i, d) = pick(&prep, &layer, Coord { x: 52.0, y: 50.0 }, 3.0, true).expect("hit");
        assert_eq!(i, 1);
        assert!((d - 2.0).abs() < 1e-9);
        let (i, _) = pick(&prep, &layer, Coord { x: 10.0, y: 10.0 }, 3.0, true).expect("hit");
        assert_eq!(i, 0);
        // Drawn as an outline only (a boundary), its inside is not a hit, its edge is.
        assert_eq!(
            pick(&prep, &layer, Coord { x: 10.0, y: 10.0 }, 3.0, false),
            None
        );
        let (i, d) = pick(&prep, &layer, Coord { x: 99.0, y: 10.0 }, 3.0, false).expect("hit");
        assert_eq!(i, 0);
        assert!((d - 1.0).abs() < 1e-9);
    }
}
