//! Finding the feature under the pointer: an R-tree of feature boxes per layer, then the exact
//! distance to the few candidates.

use geo::{Distance, Euclidean};
use geo_types::{Coord, Geometry, Point, Rect as GeoRect};
use rstar::primitives::{GeomWithData, Rectangle};
use rstar::{AABB, RTree};

use crate::model::Layer;

type Entry = GeomWithData<Rectangle<[f64; 2]>, u32>;

/// An index of one layer's feature boxes.
#[derive(Debug, Default)]
pub struct PickIndex {
    tree: RTree<Entry>,
}

impl PickIndex {
    /// Index the features that have a box (`bboxes[i]` is feature i's).
    pub fn new(bboxes: &[Option<GeoRect<f64>>]) -> PickIndex {
        let entries: Vec<Entry> = bboxes
            .iter()
            .enumerate()
            .filter_map(|(i, b)| {
                let b = b.as_ref()?;
                Some(GeomWithData::new(
                    Rectangle::from_corners([b.min().x, b.min().y], [b.max().x, b.max().y]),
                    i as u32,
                ))
            })
            .collect();
        PickIndex {
            tree: RTree::bulk_load(entries),
        }
    }

    /// The feature of `layer` nearest to `at` within `tolerance_m` metres, with its distance.
    /// Inside a `filled` polygon counts as distance 0 (among polygons that contain the point the
    /// smallest wins); an unfilled polygon (a boundary) is only hit near its outline.
    pub fn pick(
        &self,
        layer: &Layer,
        at: Coord<f64>,
        tolerance_m: f64,
        filled: bool,
    ) -> Option<(usize, f64)> {
        let env = AABB::from_corners(
            [at.x - tolerance_m, at.y - tolerance_m],
            [at.x + tolerance_m, at.y + tolerance_m],
        );
        let p = Point(at);
        let mut best: Option<(usize, f64, f64)> = None;
        for e in self.tree.locate_in_envelope_intersecting(&env) {
            let i = e.data as usize;
            let Some(f) = layer.features.get(i) else {
                continue;
            };
            let d = if filled {
                Euclidean.distance(&p, &f.geometry)
            } else {
                outline_distance(&p, &f.geometry)
            };
            if d.is_nan() || d > tolerance_m {
                continue;
            }
            // Prefer points and lines over the polygon they sit in, then smaller polygons.
            let r = e.geom();
            let (lo, hi) = (r.lower(), r.upper());
            let size = match f.geometry {
                Geometry::Polygon(_) | Geometry::MultiPolygon(_) | Geometry::Rect(_) => {
                    (hi[0] - lo[0]) * (hi[1] - lo[1])
                }
                _ => 0.0,
            };
            let better = match best {
                None => true,
                Some((_, bd, bs)) => (size, d) < (bs, bd),
            };
            if better {
                best = Some((i, d, size));
            }
        }
        best.map(|(i, d, _)| (i, d))
    }

    /// Features indexed.
    pub fn len(&self) -> usize {
        self.tree.size()
    }

    pub fn is_empty(&self) -> bool {
        self.tree.size() == 0
    }
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
    use crate::app::map::cache::Prepared;
    use crate::io::synth;

    #[test]
    fn picks_the_building_under_the_pointer_and_nothing_in_empty_space() {
        let layer = synth::buildings(5000, 11);
        let prep = Prepared::new(&layer);
        let index = PickIndex::new(&prep.bboxes);
        assert_eq!(index.len(), 5000);
        for i in [0usize, 17, 4999] {
            let b = prep.bboxes[i].expect("bbox");
            let (hit, d) = index.pick(&layer, b.center(), 1.0, true).expect("hit");
            assert_eq!(d, 0.0);
            // Buildings may overlap; the hit must at least contain the point.
            let hb = prep.bboxes[hit].expect("bbox");
            assert!(hb.min().x <= b.center().x && b.center().x <= hb.max().x);
        }
        let far = Coord {
            x: 400_000.0,
            y: 3_000_000.0,
        };
        assert_eq!(index.pick(&layer, far, 5.0, true), None);
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
        let index = PickIndex::new(&prep.bboxes);
        let (i, d) = index
            .pick(&layer, Coord { x: 52.0, y: 50.0 }, 3.0, true)
            .expect("hit");
        assert_eq!(i, 1);
        assert!((d - 2.0).abs() < 1e-9);
        let (i, _) = index
            .pick(&layer, Coord { x: 10.0, y: 10.0 }, 3.0, true)
            .expect("hit");
        assert_eq!(i, 0);
        // Drawn as an outline only (a boundary), its inside is not a hit, its edge is.
        assert_eq!(
            index.pick(&layer, Coord { x: 10.0, y: 10.0 }, 3.0, false),
            None
        );
        let (i, d) = index
            .pick(&layer, Coord { x: 99.0, y: 10.0 }, 3.0, false)
            .expect("hit");
        assert_eq!(i, 0);
        assert!((d - 1.0).abs() < 1e-9);
    }
}
