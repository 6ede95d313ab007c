//! Encoding geometries as GeoPackage blobs (GP header with envelope, then little-endian WKB).

use super::wkb_read::normalise;
use super::*;

pub(super) fn put_coord(out: &mut Vec<u8>, c: Coord<f64>) {
    out.extend_from_slice(&c.x.to_le_bytes());
    out.extend_from_slice(&c.y.to_le_bytes());
}

pub(super) fn put_u32(out: &mut Vec<u8>, n: usize) {
    out.extend_from_slice(&(n as u32).to_le_bytes());
}

pub(super) fn put_line(out: &mut Vec<u8>, l: &LineString<f64>) {
    put_u32(out, l.0.len());
    for c in &l.0 {
        put_coord(out, *c);
    }
}

pub(super) fn put_polygon(out: &mut Vec<u8>, p: &Polygon<f64>) {
    if p.exterior().0.is_empty() {
        put_u32(out, 0);
        return;
    }
    put_u32(out, 1 + p.interiors().len());
    put_line(out, p.exterior());
    for r in p.interiors() {
        put_line(out, r);
    }
}

/// Little-endian 2D ISO WKB of a geometry.
pub fn encode_wkb(g: &Geometry<f64>, out: &mut Vec<u8>) {
    out.push(1);
    match g {
        Geometry::Point(p) => {
            put_u32(out, 1);
            put_coord(out, p.0);
        }
        Geometry::Line(_) | Geometry::Rect(_) | Geometry::Triangle(_) => {
            out.pop();
            encode_wkb(&normalise(g), out);
        }
        Geometry::LineString(l) => {
            put_u32(out, 2);
            put_line(out, l);
        }
        Geometry::Polygon(p) => {
            put_u32(out, 3);
            put_polygon(out, p);
        }
        Geometry::MultiPoint(mp) => {
            put_u32(out, 4);
            put_u32(out, mp.0.len());
            for p in &mp.0 {
                encode_wkb(&Geometry::Point(*p), out);
            }
        }
        Geometry::MultiLineString(ml) => {
            put_u32(out, 5);
            put_u32(out, ml.0.len());
            for l in &ml.0 {
                out.push(1);
                put_u32(out, 2);
                put_line(out, l);
            }
        }
        Geometry::MultiPolygon(mp) => {
            put_u32(out, 6);
            put_u32(out, mp.0.len());
            for p in &mp.0 {
                out.push(1);
                put_u32(out, 3);
                put_polygon(out, p);
            }
        }
        Geometry::GeometryCollection(gc) => {
            put_u32(out, 7);
            put_u32(out, gc.0.len());
            for part in &gc.0 {
                encode_wkb(part, out);
            }
        }
    }
}

pub(super) fn bounding_rect(g: &Geometry<f64>) -> Option<Rect<f64>> {
    use geo::BoundingRect;
    g.bounding_rect()
        .filter(|r| r.min().x.is_finite() && r.min().y.is_finite())
        .filter(|r| r.max().x.is_finite() && r.max().y.is_finite())
}

/// A GeoPackage geometry blob: header (little-endian, with an XY envelope except for points),
/// then little-endian WKB.
pub fn encode_blob(g: &Geometry<f64>, srs_id: i32) -> Vec<u8> {
    let rect = bounding_rect(g);
    let empty = rect.is_none();
    let with_envelope = !empty && !matches!(g, Geometry::Point(_));
    let mut flags = 0x01u8;
    if with_envelope {
        flags |= 1 << 1;
    }
    if empty {
        flags |= 0x10;
    }
    let mut out = Vec::with_capacity(64);
    out.extend_from_slice(b"GP");
    out.push(0);
    out.push(flags);
    out.extend_from_slice(&srs_id.to_le_bytes());
    if let (true, Some(r)) = (with_envelope, rect) {
        for v in [r.min().x, r.max().x, r.min().y, r.max().y] {
            out.extend_from_slice(&v.to_le_bytes());
        }
    }
    encode_wkb(g, &mut out);
    out
}
