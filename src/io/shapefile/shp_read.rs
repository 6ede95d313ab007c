//! Reading .shp/.shx: finding the sibling files, the 100-byte headers, the record index (from the .shx, or by walking the .shp), and each record's geometry, bounds-checked.

use super::write::{BBox, ring_signed_area2};
use super::*;

// ---------------------------------------------------------------------------------------------
// Reader
// ---------------------------------------------------------------------------------------------

/// The files that make up one shapefile, found beside the path the user gave.
#[derive(Debug, Default)]
pub(super) struct Siblings {
    pub(super) shp: Option<PathBuf>,
    pub(super) shx: Option<PathBuf>,
    pub(super) dbf: Option<PathBuf>,
    pub(super) cpg: Option<PathBuf>,
    pub(super) prj: Option<PathBuf>,
}

impl Siblings {
    /// Find the parts of the shapefile `path` belongs to. Extensions match without regard to
    /// case (ROADS.SHP + roads.dbf); a same-case stem is preferred.
    pub(super) fn find(path: &Path) -> Siblings {
        let dir = match path.parent() {
            Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
            _ => PathBuf::from("."),
        };
        let stem = path
            .file_stem()
            .map(|s| s.to_string_lossy().into_owned())
            .unwrap_or_default();
        // (path, stem matches exactly)
        let mut candidates: Vec<(PathBuf, bool)> = Vec::new();
        if let Ok(entries) = std::fs::read_dir(&dir) {
            for e in entries.flatten() {
                let p = e.path();
                let Some(s) = p.file_stem().map(|s| s.to_string_lossy().into_owned()) else {
                    continue;
                };
                if s == stem {
                    candidates.push((p, true));
                } else if s.to_lowercase() == stem.to_lowercase() {
                    candidates.push((p, false));
                }
            }
        }
        let given_ext = path
            .extension()
            .map(|e| e.to_string_lossy().to_ascii_lowercase());
        let pick = |ext: &str| -> Option<PathBuf> {
            if given_ext.as_deref() == Some(ext) && path.is_file() {
                return Some(path.to_path_buf());
            }
            let matching = |exact: bool| {
                candidates
                    .iter()
                    .filter(|(p, e)| {
                        *e == exact
                            && p.extension()
                                .is_some_and(|x| x.to_string_lossy().eq_ignore_ascii_case(ext))
                            && p.is_file()
                    })
                    .map(|(p, _)| p.clone())
                    .min()
            };
            matching(true).or_else(|| matching(false)).or_else(|| {
                // Directory not listable: try the obvious spellings.
                [ext.to_string(), ext.to_ascii_uppercase()]
                    .into_iter()
                    .map(|x| path.with_extension(x))
                    .find(|p| p.is_file())
            })
        };
        Siblings {
            shp: pick("shp"),
            shx: pick("shx"),
            dbf: pick("dbf"),
            cpg: pick("cpg"),
            prj: pick("prj"),
        }
    }
}

/// A file's bytes: memory-mapped when possible, else read.
pub(super) enum Bytes {
    Map(memmap2::Mmap),
    Owned(Vec<u8>),
}

impl std::ops::Deref for Bytes {
    type Target = [u8];
    fn deref(&self) -> &[u8] {
        match self {
            Bytes::Map(m) => m,
            Bytes::Owned(v) => v,
        }
    }
}

pub(super) fn open_bytes(path: &Path) -> Result<Bytes> {
    let file = std::fs::File::open(path).map_err(|e| IoError::open(path, e))?;
    let len = file.metadata().map(|m| m.len()).unwrap_or(0);
    if len >= 64 * 1024 {
        // SAFETY: the map is read-only and private to this reader; a file changed by another
        // program while it is read gives wrong values, which every read below bounds-checks.
        #[allow(unsafe_code)]
        if let Ok(map) = unsafe { memmap2::Mmap::map(&file) } {
            return Ok(Bytes::Map(map));
        }
    }
    std::fs::read(path)
        .map(Bytes::Owned)
        .map_err(|e| IoError::open(path, e).into())
}

pub(super) fn be_i32(b: &[u8], at: usize) -> Option<i32> {
    let s = b.get(at..at.checked_add(4)?)?;
    Some(i32::from_be_bytes([s[0], s[1], s[2], s[3]]))
}

pub(super) fn le_i32(b: &[u8], at: usize) -> Option<i32> {
    let s = b.get(at..at.checked_add(4)?)?;
    Some(i32::from_le_bytes([s[0], s[1], s[2], s[3]]))
}

pub(super) fn le_f64(b: &[u8], at: usize) -> Option<f64> {
    let s = b.get(at..at.checked_add(8)?)?;
    let mut a = [0u8; 8];
    a.copy_from_slice(s);
    Some(f64::from_le_bytes(a))
}

/// Where one record's content lies in the .shp.
#[derive(Debug, Clone, Copy)]
pub(super) struct RecordRef {
    /// Byte offset of the record header.
    pub(super) offset: usize,
    /// Content length in bytes (after the 8-byte record header).
    pub(super) len: usize,
}

impl RecordRef {
    pub(super) fn end(&self) -> usize {
        self.offset.saturating_add(8).saturating_add(self.len)
    }
}

/// The shape types a .shp header may declare.
pub(super) fn known_shape_type(t: i32) -> bool {
    matches!(
        t,
        0 | 1 | 3 | 5 | 8 | 11 | 13 | 15 | 18 | 21 | 23 | 25 | 28 | 31
    )
}

/// Check the 100-byte header of a .shp (or .shx); returns (declared length in bytes, shape type).
pub(super) fn read_header(bytes: &[u8], what: &str) -> std::result::Result<(usize, i32), String> {
    if bytes.len() < SHP_HEADER_BYTES {
        return Err(format!(
            "the {what} header is cut short ({} bytes; a shapefile header has 100): the file is damaged or not a shapefile",
            bytes.len()
        ));
    }
    let code = be_i32(bytes, 0).unwrap_or(0);
    if code != SHP_FILE_CODE {
        return Err(format!(
            "not a shapefile {what}: the header starts with file code {code}, not 9994 (the file is damaged or of another format)"
        ));
    }
    let declared = be_i32(bytes, 24).unwrap_or(0);
    let shape_type = le_i32(bytes, 32).unwrap_or(-1);
    if !known_shape_type(shape_type) {
        return Err(format!(
            "the {what} header names shape type {shape_type}, which no shapefile has (the file is damaged)"
        ));
    }
    Ok((declared.max(0) as usize * 2, shape_type))
}

/// The records listed by a .shx, or None (with the reason) when it cannot be used.
pub(super) fn records_from_shx(shx: &[u8]) -> std::result::Result<Vec<RecordRef>, String> {
    read_header(shx, ".shx")?;
    let n = (shx.len() - SHP_HEADER_BYTES) / 8;
    let mut out = Vec::with_capacity(n);
    for i in 0..n {
        let at = SHP_HEADER_BYTES + 8 * i;
        let (Some(off), Some(len)) = (be_i32(shx, at), be_i32(shx, at + 4)) else {
            break;
        };
        if off < 50 || len < 0 {
            return Err(format!(
                "entry {} of the .shx is invalid (offset {off}, length {len})",
                i + 1
            ));
        }
        out.push(RecordRef {
            offset: off as usize * 2,
            len: len as usize * 2,
        });
    }
    // A .shx that points records past the .shp end is fine (a truncated .shp); one that points
    // them before the header or out of order with overlaps is not to be trusted.
    if out.iter().any(|r| r.offset < SHP_HEADER_BYTES) {
        return Err("the .shx points records into the .shp header".into());
    }
    Ok(out)
}

/// The records found by walking the .shp from its header to its end. The second value is a
/// problem that stopped the walk early.
pub(super) fn records_sequential(shp: &[u8]) -> (Vec<RecordRef>, Option<String>) {
    let mut out = Vec::new();
    let mut off = SHP_HEADER_BYTES;
    while off + 8 <= shp.len() {
        let len = be_i32(shp, off + 4).unwrap_or(-1);
        if len < 2 {
            let why = format!(
                "record {} at byte {off} has an invalid length ({len} words); reading stopped there",
                out.len() + 1
            );
            return (out, Some(why));
        }
        let r = RecordRef {
            offset: off,
            len: len as usize * 2,
        };
        out.push(r);
        off = r.end();
    }
    (out, None)
}

/// Where the records of the .shp lie: from the .shx when it is there and agrees with the .shp,
/// else by walking the .shp. `notes` gets what the user should know.
pub(super) fn index_records(
    shp: &[u8],
    shp_path: &Path,
    shx: Option<&Path>,
    notes: &mut Vec<String>,
) -> Vec<RecordRef> {
    let walk = |notes: &mut Vec<String>| {
        let (r, stop) = records_sequential(shp);
        if let Some(s) = stop {
            notes.push(format!("the .shp is damaged: {s}"));
        }
        r
    };
    let Some(shx) = shx else {
        let name = shp_path
            .with_extension("shx")
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        notes.push(format!(
            "the .shx index is missing; records were read one after another (put {name} beside the .shp)"
        ));
        return walk(notes);
    };
    let from_shx = open_bytes(shx)
        .map_err(|e| e.to_string())
        .and_then(|b| records_from_shx(&b));
    match from_shx {
        Ok(r) => {
            // A .shx cut short lists fewer records than the .shp holds: walk the .shp instead.
            let indexed_end = r
                .iter()
                .map(RecordRef::end)
                .max()
                .unwrap_or(SHP_HEADER_BYTES);
            if indexed_end < shp.len() {
                let (walked, stop) = records_sequential(shp);
                if stop.is_none() && walked.len() > r.len() {
                    notes.push(format!(
                        "the .shx lists {} records but the .shp holds {}; records were read one after another",
                        r.len(),
                        walked.len()
                    ));
                    return walked;
                }
            }
            r
        }
        Err(e) => {
            notes.push(format!(
                "the .shx index cannot be used ({e}); records were read one after another"
            ));
            walk(notes)
        }
    }
}

pub(super) fn finite(c: Coord<f64>) -> bool {
    c.x.is_finite() && c.y.is_finite()
}

/// `n` XY points starting at `at` (bounds already checked by the caller).
pub(super) fn read_points(
    c: &[u8],
    at: usize,
    n: usize,
) -> std::result::Result<Vec<Coord<f64>>, String> {
    let bytes = at
        .checked_add(n.checked_mul(16).ok_or("point count overflows")?)
        .and_then(|end| c.get(at..end))
        .ok_or_else(|| format!("{n} points do not fit in the record"))?;
    let mut out = Vec::with_capacity(n);
    for (k, ch) in bytes.chunks_exact(16).enumerate() {
        let mut x = [0u8; 8];
        let mut y = [0u8; 8];
        x.copy_from_slice(&ch[..8]);
        y.copy_from_slice(&ch[8..]);
        let p = Coord {
            x: f64::from_le_bytes(x),
            y: f64::from_le_bytes(y),
        };
        if !finite(p) {
            return Err(format!(
                "point {} has a coordinate that is not a number ({}, {})",
                k + 1,
                p.x,
                p.y
            ));
        }
        out.push(p);
    }
    Ok(out)
}

/// Parts (ranges of points) of a PolyLine or Polygon record.
pub(super) fn read_parts(c: &[u8]) -> std::result::Result<Vec<Vec<Coord<f64>>>, String> {
    let n_parts = le_i32(c, 36).ok_or("the record is too short for its part count")?;
    let n_points = le_i32(c, 40).ok_or("the record is too short for its point count")?;
    if n_parts < 0 || n_points < 0 {
        return Err(format!(
            "negative part or point count ({n_parts} parts, {n_points} points)"
        ));
    }
    let (n_parts, n_points) = (n_parts as usize, n_points as usize);
    let points_at = 44 + 4 * n_parts;
    if points_at.saturating_add(n_points.saturating_mul(16)) > c.len() {
        return Err(format!(
            "{n_parts} parts and {n_points} points do not fit in the record's {} bytes",
            c.len()
        ));
    }
    let pts = read_points(c, points_at, n_points)?;
    let mut starts = Vec::with_capacity(n_parts);
    for k in 0..n_parts {
        let s = le_i32(c, 44 + 4 * k).ok_or("part index outside the record")?;
        if s < 0 || s as usize > n_points || starts.last().is_some_and(|&l| (s as usize) < l) {
            return Err(format!("part {} starts at invalid point {s}", k + 1));
        }
        starts.push(s as usize);
    }
    let mut parts = Vec::with_capacity(n_parts);
    let mut pts = pts;
    // Split from the end so that each part moves out of `pts` without copying twice.
    for &s in starts.iter().rev() {
        parts.push(pts.split_off(s));
    }
    parts.reverse();
    Ok(parts)
}

/// A polygon from shapefile rings: clockwise rings are outers, counter-clockwise ones holes,
/// each hole going to the smallest outer ring that contains it. A hole inside no outer ring
/// becomes an outer ring itself, taking as its holes the outer rings it contains (files written
/// with the orientation the wrong way round).
pub(super) fn assemble_polygon(
    parts: Vec<Vec<Coord<f64>>>,
    notes: &mut Vec<String>,
) -> std::result::Result<Geometry<f64>, String> {
    let mut unclosed = 0;
    let mut degenerate = 0;
    let mut outers: Vec<Ring> = Vec::new();
    let mut holes: Vec<Ring> = Vec::new();
    for mut pts in parts {
        if pts.is_empty() {
            continue;
        }
        if pts.first() != pts.last() {
            pts.push(pts[0]);
            unclosed += 1;
        }
        let area2 = ring_signed_area2(&pts);
        if pts.len() < 4 || area2 == 0.0 {
            degenerate += 1;
            continue;
        }
        let ring = Ring::new(pts, area2.abs());
        if area2 < 0.0 {
            outers.push(ring);
        } else {
            holes.push(ring);
        }
    }
    if unclosed > 0 {
        notes.push(format!(
            "{unclosed} polygon ring(s) were not closed (first and last points differ); closed them"
        ));
    }
    if degenerate > 0 {
        notes.push(format!(
            "{degenerate} ring(s) with no area (fewer than 3 distinct points, or collinear) were dropped"
        ));
    }
    if outers.is_empty() {
        if holes.is_empty() {
            return Err("the polygon has no ring with an area".into());
        }
        notes.push(
            "all rings run counter-clockwise (the shapefile spec wants outer rings clockwise); each was read as an outer ring".into(),
        );
        return Ok(polygons_to_geometry(
            holes.into_iter().map(|r| r.poly).collect(),
        ));
    }
    // The common case: one outer ring, its holes inside its bounding box.
    if outers.len() == 1 && holes.iter().all(|h| outers[0].bbox_holds(h)) {
        let outer = outers.remove(0);
        let interiors = holes.into_iter().map(Ring::line).collect();
        return Ok(Geometry::Polygon(Polygon::new(outer.line(), interiors)));
    }
    // Each polygon: its outer ring and the holes assigned to it (None once absorbed as a hole).
    let mut polys: Vec<Option<(Ring, Vec<Ring>)>> =
        outers.into_iter().map(|r| Some((r, Vec::new()))).collect();
    let mut orphans = Vec::new();
    for hole in holes {
        let best = polys
            .iter()
            .enumerate()
            .filter_map(|(k, p)| p.as_ref().map(|(o, _)| (k, o)))
            .filter(|(_, o)| o.contains(&hole))
            .min_by(|a, b| a.1.area.total_cmp(&b.1.area))
            .map(|(k, _)| k);
        match best.and_then(|k| polys[k].as_mut()) {
            Some((_, hs)) => hs.push(hole),
            None => orphans.push(hole),
        }
    }
    let mut reversed = 0;
    let mut lonely = 0;
    for orphan in orphans {
        let mut inner = Vec::new();
        for p in polys.iter_mut() {
            if p.as_ref()
                .is_some_and(|(o, hs)| hs.is_empty() && orphan.contains(o))
                && let Some((o, _)) = p.take()
            {
                inner.push(o);
            }
        }
        if inner.is_empty() {
            lonely += 1;
        } else {
            reversed += 1;
        }
        polys.push(Some((orphan, inner)));
    }
    if reversed > 0 {
        notes.push(format!(
            "{reversed} ring(s) run the wrong way round (outer counter-clockwise, holes clockwise); outer rings and holes were told apart by containment"
        ));
    }
    if lonely > 0 {
        notes.push(format!(
            "{lonely} hole(s) lie outside every outer ring; read as outer rings"
        ));
    }
    Ok(polygons_to_geometry(
        polys
            .into_iter()
            .flatten()
            .map(|(o, hs)| Polygon::new(o.line(), hs.into_iter().map(Ring::line).collect()))
            .collect(),
    ))
}

/// A closed polygon ring (held as a hole-less polygon, for containment tests) with its area
/// and bounding box.
pub(super) struct Ring {
    pub(super) poly: Polygon<f64>,
    pub(super) area: f64,
    pub(super) bbox: BBox,
}

impl Ring {
    pub(super) fn new(pts: Vec<Coord<f64>>, area: f64) -> Self {
        let mut bbox = BBox::empty();
        pts.iter().for_each(|c| bbox.add(*c));
        Ring {
            poly: Polygon::new(LineString(pts), vec![]),
            area,
            bbox,
        }
    }

    pub(super) fn line(self) -> LineString<f64> {
        self.poly.into_inner().0
    }

    pub(super) fn bbox_holds(&self, o: &Ring) -> bool {
        o.bbox.min_x >= self.bbox.min_x
            && o.bbox.min_y >= self.bbox.min_y
            && o.bbox.max_x <= self.bbox.max_x
            && o.bbox.max_y <= self.bbox.max_y
    }

    /// True when ring `o` lies inside this one: decided by the first of its vertices that is
    /// not on this ring (rings may touch at vertices).
    pub(super) fn contains(&self, o: &Ring) -> bool {
        use geo::coordinate_position::{CoordPos, CoordinatePosition};
        self.bbox_holds(o)
            && o.poly
                .exterior()
                .0
                .iter()
                .map(|c| self.poly.coordinate_position(c))
                .find(|pos| *pos != CoordPos::OnBoundary)
                .is_none_or(|pos| pos == CoordPos::Inside)
    }
}

pub(super) fn polygons_to_geometry(mut polys: Vec<Polygon<f64>>) -> Geometry<f64> {
    if polys.len() == 1 {
        Geometry::Polygon(polys.remove(0))
    } else {
        Geometry::MultiPolygon(geo_types::MultiPolygon(polys))
    }
}

/// What a record holds.
pub(super) enum Shape {
    Geometry(Geometry<f64>),
    /// Skipped, with the reason.
    Skip(String),
}

/// Parse one record's content (shape type onward). Z and M values are dropped.
pub(super) fn parse_shape(c: &[u8], notes: &mut Vec<String>) -> Shape {
    let Some(shape_type) = le_i32(c, 0) else {
        return Shape::Skip("the record is too short to hold a shape type".into());
    };
    let result = match shape_type {
        0 => return Shape::Skip("null (empty) geometry".into()),
        1 | 11 | 21 => match (le_f64(c, 4), le_f64(c, 12)) {
            (Some(x), Some(y)) if x.is_finite() && y.is_finite() => {
                Ok(Geometry::Point(geo_types::Point::new(x, y)))
            }
            (Some(x), Some(y)) => Err(format!("the point's coordinate is not a number ({x}, {y})")),
            _ => Err("the record is too short for a point".into()),
        },
        8 | 18 | 28 => (|| {
            let n = le_i32(c, 36).ok_or("the record is too short for a multipoint")?;
            if n <= 0 {
                return Err(format!("multipoint with {n} points"));
            }
            let pts = read_points(c, 40, n as usize)?;
            Ok(Geometry::MultiPoint(geo_types::MultiPoint(
                pts.into_iter().map(geo_types::Point).collect(),
            )))
        })(),
        3 | 13 | 23 => read_parts(c).and_then(|parts| {
            let total = parts.len();
            let mut lines: Vec<LineString<f64>> = parts
                .into_iter()
                .filter(|p| p.len() >= 2)
                .map(LineString)
                .collect();
            if lines.len() < total {
                notes.push(format!(
                    "{} line part(s) with fewer than 2 points dropped",
                    total - lines.len()
                ));
            }
            match lines.len() {
                0 => Err("the line has no part with 2 or more points".into()),
                1 => Ok(Geometry::LineString(lines.remove(0))),
                _ => Ok(Geometry::MultiLineString(geo_types::MultiLineString(lines))),
            }
        }),
        5 | 15 | 25 => read_parts(c).and_then(|parts| assemble_polygon(parts, notes)),
        31 => return Shape::Skip("MultiPatch (3-D surface) shapes are not supported".into()),
        other => Err(format!("unknown shape type {other}")),
    };
    match result {
        Ok(g) => Shape::Geometry(g),
        Err(e) => Shape::Skip(e),
    }
}
