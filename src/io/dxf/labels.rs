//! Text labels naming the polygons they fall in: the parcel number written inside a parcel.

use geo::{BoundingRect, Contains};
use geo_types::{Coord, Point, Polygon};
use rstar::primitives::{GeomWithData, Rectangle};
use rstar::{AABB, RTree};

/// For each polygon (by its index in `polygons`) that has one, the text inside it nearest its
/// middle. Empty texts name nothing.
pub(super) fn polygon_names(
    polygons: &[&Polygon<f64>],
    texts: &[(Coord<f64>, &str)],
) -> Vec<Option<String>> {
    let boxes: Vec<GeomWithData<Rectangle<[f64; 2]>, usize>> = polygons
        .iter()
        .enumerate()
        .filter_map(|(i, p)| {
            let r = p.bounding_rect()?;
            Some(GeomWithData::new(
                Rectangle::from_corners([r.min().x, r.min().y], [r.max().x, r.max().y]),
                i,
            ))
        })
        .collect();
    let tree = RTree::bulk_load(boxes);
    // Per polygon: the best text so far and its distance to the polygon's middle.
    let mut best: Vec<Option<(f64, &str)>> = vec![None; polygons.len()];
    for (at, text) in texts {
        if text.trim().is_empty() || !(at.x.is_finite() && at.y.is_finite()) {
            continue;
        }
        let q = AABB::from_point([at.x, at.y]);
        for hit in tree.locate_in_envelope_intersecting(&q) {
            let i = hit.data;
            if !polygons[i].contains(&Point::from(*at)) {
                continue;
            }
            let Some(r) = polygons[i].bounding_rect() else {
                continue;
            };
            let c = r.center();
            let d = (c.x - at.x).hypot(c.y - at.y);
            if best[i].is_none_or(|(bd, _)| d < bd) {
                best[i] = Some((d, text));
            }
        }
    }
    best.into_iter()
        .map(|b| b.map(|(_, t)| t.trim().to_string()))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use geo_types::polygon;

    #[test]
    fn the_text_inside_nearest_the_middle_names_a_polygon() {
        let a =
            polygon![(x: 0.0, y: 0.0), (x: 10.0, y: 0.0), (x: 10.0, y: 10.0), (x: 0.0, y: 10.0)];
        let b =
            polygon![(x: 20.0, y: 0.0), (x: 30.0, y: 0.0), (x: 30.0, y: 10.0), (x: 20.0, y: 10.0)];
        let c =
            polygon![(x: 40.0, y: 0.0), (x: 50.0, y: 0.0), (x: 50.0, y: 10.0), (x: 40.0, y: 10.0)];
        let texts = [
            (Coord { x: 5.0, y: 5.0 }, "A-01"),
            (Coord { x: 1.0, y: 1.0 }, "1.2ha"),
            (Coord { x: 15.0, y: 5.0 }, "between"),
            (Coord { x: 25.0, y: 5.0 }, "  "),
            (Coord { x: 45.0, y: 9.0 }, "C"),
        ];
        let names = polygon_names(&[&a, &b, &c], &texts);
        assert_eq!(names, [Some("A-01".into()), None, Some("C".into())]);
    }
}
