//! Decoding GeoPackage geometry blobs: the GP header and envelope, then ISO/extended WKB (Z/M dropped), bounds-checked, with a nesting limit.

use super::*;

/// A cursor over WKB bytes.
pub(super) struct Wkb<'a> {
    pub(super) b: &'a [u8],
    pub(super) i: usize,
}

/// Most nesting a geometry collection may have.
pub(super) const MAX_DEPTH: usize = 16;
/// The fewest bytes a part of a multi-geometry or collection takes: byte order, type and one
/// count (or coordinate).
const MIN_PART: usize = 9;

impl Wkb<'_> {
    pub(super) fn take(&mut self, n: usize) -> std::result::Result<&[u8], String> {
        let end = self
            .i
            .checked_add(n)
            .filter(|&e| e <= self.b.len())
            .ok_or_else(|| {
                format!(
                    "the WKB ends early (needs {n} more bytes at byte {} of {})",
                    self.i,
                    self.b.len()
                )
            })?;
        let s = &self.b[self.i..end];
        self.i = end;
        Ok(s)
    }
    pub(super) fn u8(&mut self) -> std::result::Result<u8, String> {
        Ok(self.take(1)?[0])
    }
    pub(super) fn u32(&mut self, le: bool) -> std::result::Result<u32, String> {
        let mut a = [0u8; 4];
        a.copy_from_slice(self.take(4)?);
        Ok(if le {
            u32::from_le_bytes(a)
        } else {
            u32::from_be_bytes(a)
        })
    }
    pub(super) fn f64(&mut self, le: bool) -> std::result::Result<f64, String> {
        let mut a = [0u8; 8];
        a.copy_from_slice(self.take(8)?);
        Ok(if le {
            f64::from_le_bytes(a)
        } else {
            f64::from_be_bytes(a)
        })
    }
    pub(super) fn remaining(&self) -> usize {
        self.b.len() - self.i
    }
    /// A count of items of at least `min_bytes` each, checked against what is left.
    pub(super) fn count(
        &mut self,
        le: bool,
        min_bytes: usize,
    ) -> std::result::Result<usize, String> {
        let n = self.u32(le)? as usize;
        if n.saturating_mul(min_bytes) > self.remaining() {
            return Err(format!(
                "the WKB announces {n} items but only {} bytes are left",
                self.remaining()
            ));
        }
        Ok(n)
    }
    pub(super) fn coord(
        &mut self,
        le: bool,
        dims: usize,
    ) -> std::result::Result<Coord<f64>, String> {
        let x = self.f64(le)?;
        let y = self.f64(le)?;
        for _ in 2..dims {
            self.f64(le)?;
        }
        Ok(Coord { x, y })
    }
    /// A count, then that many items of at least `min_bytes` each, read by `item` (which may
    /// leave one out by giving None). The count is checked against the bytes left, and the
    /// capacity reserved is capped by them too, so a damaged count cannot allocate more than the
    /// blob could hold.
    fn items<T>(
        &mut self,
        le: bool,
        min_bytes: usize,
        mut item: impl FnMut(&mut Self) -> std::result::Result<Option<T>, String>,
    ) -> std::result::Result<Vec<T>, String> {
        let n = self.count(le, min_bytes)?;
        let mut out = Vec::with_capacity(n.min(self.remaining() / min_bytes.max(1)));
        for _ in 0..n {
            if let Some(x) = item(self)? {
                out.push(x);
            }
        }
        Ok(out)
    }
    /// The parts of a multi-geometry or collection, each a WKB geometry of its own that `part`
    /// takes (Ok(None) leaves it out) or gives back as not belonging in a `container`.
    fn parts<T>(
        &mut self,
        le: bool,
        depth: usize,
        container: &str,
        part: impl Fn(Geometry<f64>) -> std::result::Result<Option<T>, Geometry<f64>>,
    ) -> std::result::Result<Vec<T>, String> {
        self.items(le, MIN_PART, |r| {
            part(r.geometry(depth + 1)?).map_err(|other| part_error(container, &other))
        })
    }
    pub(super) fn line(
        &mut self,
        le: bool,
        dims: usize,
    ) -> std::result::Result<LineString<f64>, String> {
        let pts = self.items(le, 8 * dims, |r| {
            let c = r.coord(le, dims)?;
            if !(c.x.is_finite() && c.y.is_finite()) {
                return Err(format!("a coordinate ({}, {}) is not a number", c.x, c.y));
            }
            Ok(Some(c))
        })?;
        Ok(LineString::new(pts))
    }
    pub(super) fn polygon(
        &mut self,
        le: bool,
        dims: usize,
    ) -> std::result::Result<Polygon<f64>, String> {
        let rings = self.items(le, 4, |r| r.line(le, dims).map(Some))?;
        let mut rings = rings.into_iter();
        let exterior = rings.next().unwrap_or_else(|| LineString::new(Vec::new()));
        Ok(Polygon::new(exterior, rings.collect()))
    }

    /// One WKB geometry (with its own byte order and type).
    pub(super) fn geometry(&mut self, depth: usize) -> std::result::Result<Geometry<f64>, String> {
        if depth > MAX_DEPTH {
            return Err("geometry collections nested too deeply".into());
        }
        let le = match self.u8()? {
            0 => false,
            1 => true,
            b => return Err(format!("bad WKB byte order {b} (expected 0 or 1)")),
        };
        let raw = self.u32(le)?;
        // EWKB flags in the high bits, ISO dimensions in the thousands.
        let mut z = raw & 0x8000_0000 != 0;
        let mut m = raw & 0x4000_0000 != 0;
        let srid = raw & 0x2000_0000 != 0;
        let code = raw & 0x0FFF_FFFF;
        match code / 1000 {
            0 => {}
            1 => z = true,
            2 => m = true,
            3 => (z, m) = (true, true),
            _ => return Err(format!("unknown WKB geometry type {raw}")),
        }
        if srid {
            self.u32(le)?;
        }
        let dims = 2 + usize::from(z) + usize::from(m);
        Ok(match code % 1000 {
            1 => {
                let c = self.coord(le, dims)?;
                if c.x.is_nan() && c.y.is_nan() {
                    // WKB writes an empty point as NaN, NaN.
                    Geometry::MultiPoint(MultiPoint(Vec::new()))
                } else if c.x.is_finite() && c.y.is_finite() {
                    Geometry::Point(Point(c))
                } else {
                    return Err(format!("the point ({}, {}) is not a number", c.x, c.y));
                }
            }
            2 => Geometry::LineString(self.line(le, dims)?),
            3 => Geometry::Polygon(self.polygon(le, dims)?),
            4 => Geometry::MultiPoint(MultiPoint(self.parts(le, depth, "MultiPoint", |g| {
                match g {
                    Geometry::Point(p) => Ok(Some(p)),
                    // An empty point (NaN, NaN) is left out.
                    Geometry::MultiPoint(mp) if mp.0.is_empty() => Ok(None),
                    other => Err(other),
                }
            })?)),
            5 => Geometry::MultiLineString(MultiLineString(self.parts(
                le,
                depth,
                "MultiLineString",
                |g| match g {
                    Geometry::LineString(l) => Ok(Some(l)),
                    other => Err(other),
                },
            )?)),
            6 => Geometry::MultiPolygon(MultiPolygon(self.parts(
                le,
                depth,
                "MultiPolygon",
                |g| match g {
                    Geometry::Polygon(p) => Ok(Some(p)),
                    other => Err(other),
                },
            )?)),
            7 => Geometry::GeometryCollection(GeometryCollection(self.parts(
                le,
                depth,
                "GeometryCollection",
                |g| Ok(Some(g)),
            )?)),
            8..=17 => {
                return Err(format!(
                    "curved or surface geometry type {raw} is not supported; convert it to lines/polygons (e.g. ogr2ogr -nlt CONVERT_TO_LINEAR)"
                ));
            }
            _ => return Err(format!("unknown WKB geometry type {raw}")),
        })
    }
}

pub(super) fn part_error(container: &str, part: &Geometry<f64>) -> String {
    let kind = match part {
        Geometry::Point(_) => "Point",
        Geometry::LineString(_) | Geometry::Line(_) => "LineString",
        Geometry::Polygon(_) | Geometry::Rect(_) | Geometry::Triangle(_) => "Polygon",
        Geometry::MultiPoint(_) => "MultiPoint",
        Geometry::MultiLineString(_) => "MultiLineString",
        Geometry::MultiPolygon(_) => "MultiPolygon",
        Geometry::GeometryCollection(_) => "GeometryCollection",
    };
    format!("a {container} holds a {kind}")
}

/// Decode WKB bytes (either byte order, ISO or EWKB dimension flags) into a 2D geometry.
pub fn decode_wkb(bytes: &[u8]) -> std::result::Result<Geometry<f64>, String> {
    let mut r = Wkb { b: bytes, i: 0 };
    r.geometry(0)
}

/// Decode a GeoPackage geometry blob; Ok(None) for an empty geometry.
pub fn decode_blob(blob: &[u8]) -> std::result::Result<Option<Geometry<f64>>, String> {
    if !blob.starts_with(b"GP") {
        // Some writers store bare WKB.
        if matches!(blob.first(), Some(0 | 1)) {
            return decode_wkb(blob).map(non_empty);
        }
        return Err("not a GeoPackage geometry (the blob does not start with \"GP\")".into());
    }
    if blob.len() < 8 {
        return Err(format!(
            "the geometry header is truncated ({} bytes)",
            blob.len()
        ));
    }
    let flags = blob[3];
    if flags & 0x20 != 0 {
        return Err("extended (non-standard) GeoPackage geometry types are not supported".into());
    }
    let envelope = match (flags >> 1) & 0x07 {
        0 => 0,
        1 => 32,
        2 | 3 => 48,
        4 => 64,
        e => return Err(format!("bad envelope indicator {e} in the geometry header")),
    };
    let start = 8 + envelope;
    if blob.len() < start {
        return Err("the geometry header is truncated (envelope cut short)".into());
    }
    if flags & 0x10 != 0 {
        return Ok(None);
    }
    decode_wkb(&blob[start..]).map(non_empty)
}

pub(super) fn non_empty(g: Geometry<f64>) -> Option<Geometry<f64>> {
    use geo::CoordsIter;
    (g.coords_count() > 0).then_some(g)
}

/// Geometry in the forms a GeoPackage holds: no Line, Rect or Triangle.
pub(super) fn normalise(g: &Geometry<f64>) -> Geometry<f64> {
    match g {
        Geometry::Line(l) => Geometry::LineString(LineString::new(vec![l.start, l.end])),
        Geometry::Rect(r) => Geometry::Polygon(r.to_polygon()),
        Geometry::Triangle(t) => Geometry::Polygon(t.to_polygon()),
        Geometry::GeometryCollection(gc) => {
            Geometry::GeometryCollection(GeometryCollection(gc.0.iter().map(normalise).collect()))
        }
        other => other.clone(),
    }
}
