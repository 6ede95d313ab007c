//! From the generator's local metres to EPSG:4549: the origin shift (rounded to centimetres) for
//! points, lines, rings and polygons.

use geo_types::{Coord, Geometry, LineString, MultiPolygon, Polygon};

use super::{ORIGIN_E_M, ORIGIN_N_M, geom};

pub(super) fn to_crs(p: Coord) -> Coord {
    geom::round_cm(geom::c(p.x + ORIGIN_E_M, p.y + ORIGIN_N_M))
}

pub(super) fn ring_crs(pts: &[Coord]) -> LineString {
    let mut r: Vec<Coord> = pts.iter().map(|p| to_crs(*p)).collect();
    r.dedup();
    if r.first() != r.last()
        && let Some(f) = r.first().copied()
    {
        r.push(f);
    }
    LineString(r)
}

pub(super) fn line_crs(pts: &[Coord]) -> Geometry {
    let mut r: Vec<Coord> = pts.iter().map(|p| to_crs(*p)).collect();
    r.dedup();
    Geometry::LineString(LineString(r))
}

pub(super) fn polygon_crs(ring: &[Coord]) -> Geometry {
    Geometry::Polygon(Polygon::new(ring_crs(ring), vec![]))
}

pub(super) fn multipolygon_crs(mp: &MultiPolygon) -> Geometry {
    let polys: Vec<Polygon> =
        mp.0.iter()
            .map(|p| {
                let ext = &p.exterior().0;
                let holes = p
                    .interiors()
                    .iter()
                    .map(|h| ring_crs(&h.0[..h.0.len().saturating_sub(1)]))
                    .collect();
                Polygon::new(ring_crs(&ext[..ext.len().saturating_sub(1)]), holes)
            })
            .collect();
    if polys.len() == 1 {
        Geometry::Polygon(polys[0].clone())
    } else {
        Geometry::MultiPolygon(MultiPolygon(polys))
    }
}
