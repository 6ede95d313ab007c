//! GeoPackage (OGC 12-128r18, versions 1.0–1.3) reader and writer.
//!
//! The reader opens the file read-only and turns every `features` table of `gpkg_contents` into a
//! layer: geometry blobs (GeoPackage header, then WKB in either byte order; 2D, Z, M and ZM in ISO
//! and EWKB flavours; Z and M are dropped) and attribute columns by their declared SQLite type.
//! A blob that cannot be decoded skips its feature with an issue naming the fid.
//!
//! The writer makes a GeoPackage 1.2.1 file (application_id `GPKG`, user_version 10201) with one
//! feature table per layer, its CRS in `gpkg_spatial_ref_sys` (EPSG codes with their WKT; GCJ-02
//! and BD-09 as custom ids 990001/990002), and writes through a temporary file renamed over the
//! target, so a failed export never destroys an existing file.

use std::path::{Path, PathBuf};

use geo_types::{
    Coord, Geometry, GeometryCollection, LineString, MultiLineString, MultiPoint, MultiPolygon,
    Point, Polygon, Rect,
};
use rusqlite::types::{Value, ValueRef};
use rusqlite::{Connection, OpenFlags};

use crate::crs::{Crs, CrsInfo};
use crate::error::{IoError, Location, Result};
use crate::model::layer::SourceId;
use crate::model::{AttrValue, Feature, Field, FieldKind, Format, Issue, Layer, SourceInfo};

use super::ReadOptions;

/// `GPKG` as the SQLite application_id.
const APPLICATION_ID: i32 = 0x4750_4B47;
/// GeoPackage 1.2.1.
const USER_VERSION: i32 = 10201;
/// The srs_id written for GCJ-02 coordinates.
pub const SRS_ID_GCJ02: i32 = 990_001;
/// The srs_id written for BD-09 coordinates.
pub const SRS_ID_BD09: i32 = 990_002;
/// The first srs_id for custom (PROJ-string) systems.
const SRS_ID_CUSTOM_BASE: i32 = 990_100;
/// The organization written for towncircle's custom systems.
const ORGANIZATION: &str = "TOWNCIRCLE";

const WGS84_WKT: &str = r#"GEOGCS["WGS 84",DATUM["WGS_1984",SPHEROID["WGS 84",6378137,298.257223563,AUTHORITY["EPSG","7030"]],AUTHORITY["EPSG","6326"]],PRIMEM["Greenwich",0,AUTHORITY["EPSG","8901"]],UNIT["degree",0.0174532925199433,AUTHORITY["EPSG","9122"]],AXIS["Latitude",NORTH],AXIS["Longitude",EAST],AUTHORITY["EPSG","4326"]]"#;

fn sql_err(path: &Path, what: &str, e: rusqlite::Error) -> crate::Error {
    IoError::invalid(path, Location::File, format!("{what} ({e})")).into()
}

/// A double-quoted SQL identifier.
fn quote(name: &str) -> String {
    format!("\"{}\"", name.replace('"', "\"\""))
}

// ---------------------------------------------------------------------------------------------
// Geometry blobs
// ---------------------------------------------------------------------------------------------

/// A cursor over WKB bytes.
struct Wkb<'a> {
    b: &'a [u8],
    i: usize,
}

/// Most nesting a geometry collection may have.
const MAX_DEPTH: usize = 16;

impl Wkb<'_> {
    fn take(&mut self, n: usize) -> std::result::Result<&[u8], String> {
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
    fn u8(&mut self) -> std::result::Result<u8, String> {
        Ok(self.take(1)?[0])
    }
    fn u32(&mut self, le: bool) -> std::result::Result<u32, String> {
        let mut a = [0u8; 4];
        a.copy_from_slice(self.take(4)?);
        Ok(if le {
            u32::from_le_bytes(a)
        } else {
            u32::from_be_bytes(a)
        })
    }
    fn f64(&mut self, le: bool) -> std::result::Result<f64, String> {
        let mut a = [0u8; 8];
        a.copy_from_slice(self.take(8)?);
        Ok(if le {
            f64::from_le_bytes(a)
        } else {
            f64::from_be_bytes(a)
        })
    }
    fn remaining(&self) -> usize {
        self.b.len() - self.i
    }
    /// A count of items of at least `min_bytes` each, checked against what is left.
    fn count(&mut self, le: bool, min_bytes: usize) -> std::result::Result<usize, String> {
        let n = self.u32(le)? as usize;
        if n.saturating_mul(min_bytes) > self.remaining() {
            return Err(format!(
                "the WKB announces {n} items but only {} bytes are left",
                self.remaining()
            ));
        }
        Ok(n)
    }
    fn coord(&mut self, le: bool, dims: usize) -> std::result::Result<Coord<f64>, String> {
        let x = self.f64(le)?;
        let y = self.f64(le)?;
        for _ in 2..dims {
            self.f64(le)?;
        }
        Ok(Coord { x, y })
    }
    fn line(&mut self, le: bool, dims: usize) -> std::result::Result<LineString<f64>, String> {
        let n = self.count(le, 8 * dims)?;
        let mut pts = Vec::with_capacity(n);
        for _ in 0..n {
            let c = self.coord(le, dims)?;
            if !(c.x.is_finite() && c.y.is_finite()) {
                return Err(format!("a coordinate ({}, {}) is not a number", c.x, c.y));
            }
            pts.push(c);
        }
        Ok(LineString::new(pts))
    }
    fn polygon(&mut self, le: bool, dims: usize) -> std::result::Result<Polygon<f64>, String> {
        let n = self.count(le, 4)?;
        let mut rings = Vec::with_capacity(n);
        for _ in 0..n {
            rings.push(self.line(le, dims)?);
        }
        let mut rings = rings.into_iter();
        let exterior = rings.next().unwrap_or_else(|| LineString::new(Vec::new()));
        Ok(Polygon::new(exterior, rings.collect()))
    }

    /// One WKB geometry (with its own byte order and type).
    fn geometry(&mut self, depth: usize) -> std::result::Result<Geometry<f64>, String> {
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
        let min_part = 9;
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
            4 => {
                let n = self.count(le, min_part)?;
                let mut pts = Vec::with_capacity(n);
                for _ in 0..n {
                    match self.geometry(depth + 1)? {
                        Geometry::Point(p) => pts.push(p),
                        Geometry::MultiPoint(mp) if mp.0.is_empty() => {}
                        other => return Err(part_error("MultiPoint", &other)),
                    }
                }
                Geometry::MultiPoint(MultiPoint(pts))
            }
            5 => {
                let n = self.count(le, min_part)?;
                let mut lines = Vec::with_capacity(n);
                for _ in 0..n {
                    match self.geometry(depth + 1)? {
                        Geometry::LineString(l) => lines.push(l),
                        other => return Err(part_error("MultiLineString", &other)),
                    }
                }
                Geometry::MultiLineString(MultiLineString(lines))
            }
            6 => {
                let n = self.count(le, min_part)?;
                let mut polys = Vec::with_capacity(n);
                for _ in 0..n {
                    match self.geometry(depth + 1)? {
                        Geometry::Polygon(p) => polys.push(p),
                        other => return Err(part_error("MultiPolygon", &other)),
                    }
                }
                Geometry::MultiPolygon(MultiPolygon(polys))
            }
            7 => {
                let n = self.count(le, min_part)?;
                let mut parts = Vec::with_capacity(n);
                for _ in 0..n {
                    parts.push(self.geometry(depth + 1)?);
                }
                Geometry::GeometryCollection(GeometryCollection(parts))
            }
            8..=17 => {
                return Err(format!(
                    "curved or surface geometry type {raw} is not supported; convert it to lines/polygons (e.g. ogr2ogr -nlt CONVERT_TO_LINEAR)"
                ));
            }
            _ => return Err(format!("unknown WKB geometry type {raw}")),
        })
    }
}

fn part_error(container: &str, part: &Geometry<f64>) -> String {
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

fn non_empty(g: Geometry<f64>) -> Option<Geometry<f64>> {
    use geo::CoordsIter;
    (g.coords_count() > 0).then_some(g)
}

/// Geometry in the forms a GeoPackage holds: no Line, Rect or Triangle.
fn normalise(g: &Geometry<f64>) -> Geometry<f64> {
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

fn put_coord(out: &mut Vec<u8>, c: Coord<f64>) {
    out.extend_from_slice(&c.x.to_le_bytes());
    out.extend_from_slice(&c.y.to_le_bytes());
}

fn put_u32(out: &mut Vec<u8>, n: usize) {
    out.extend_from_slice(&(n as u32).to_le_bytes());
}

fn put_line(out: &mut Vec<u8>, l: &LineString<f64>) {
    put_u32(out, l.0.len());
    for c in &l.0 {
        put_coord(out, *c);
    }
}

fn put_polygon(out: &mut Vec<u8>, p: &Polygon<f64>) {
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

fn bounding_rect(g: &Geometry<f64>) -> Option<Rect<f64>> {
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

// ---------------------------------------------------------------------------------------------
// Reading
// ---------------------------------------------------------------------------------------------

/// The kind of a column from its declared SQLite/GeoPackage type.
fn declared_kind(decl: &str) -> Option<FieldKind> {
    let d = decl.trim().to_ascii_uppercase();
    let base = d.split('(').next().unwrap_or("").trim();
    Some(match base {
        "BOOLEAN" | "BOOL" => FieldKind::Bool,
        "TINYINT" | "SMALLINT" | "MEDIUMINT" | "INT" | "INTEGER" | "BIGINT" => FieldKind::Int,
        "FLOAT" | "DOUBLE" | "REAL" | "NUMERIC" | "DECIMAL" => FieldKind::Float,
        "DATE" | "DATETIME" | "TIMESTAMP" => FieldKind::Date,
        "BLOB" => return None,
        _ if base.contains("INT") => FieldKind::Int,
        _ if base.contains("CHAR") || base.contains("CLOB") || base.contains("TEXT") => {
            FieldKind::Text
        }
        _ if base.contains("REAL") || base.contains("FLOA") || base.contains("DOUB") => {
            FieldKind::Float
        }
        _ => FieldKind::Text,
    })
}

fn value_of(v: ValueRef<'_>, kind: FieldKind) -> AttrValue {
    match (v, kind) {
        (ValueRef::Null, _) => AttrValue::Null,
        (ValueRef::Integer(i), FieldKind::Bool) => AttrValue::Bool(i != 0),
        (ValueRef::Integer(i), FieldKind::Int | FieldKind::Float) => AttrValue::Int(i),
        (ValueRef::Integer(i), _) => AttrValue::Text(i.to_string()),
        (ValueRef::Real(f), FieldKind::Text | FieldKind::Date) => AttrValue::Text(f.to_string()),
        (ValueRef::Real(f), _) if f.is_finite() => AttrValue::Float(f),
        (ValueRef::Real(_), _) => AttrValue::Null,
        (ValueRef::Text(t), _) => AttrValue::Text(String::from_utf8_lossy(t).into_owned()),
        (ValueRef::Blob(b), _) => AttrValue::Text(format!("<{} bytes>", b.len())),
    }
}

/// Make every value of each field fit the field's kind (SQLite does not enforce declared types).
fn unify_kinds(fields: &mut [Field], features: &mut [Feature]) {
    for (i, field) in fields.iter_mut().enumerate() {
        let mut has_float = false;
        let mut has_text = false;
        for f in features.iter() {
            match f.attrs.get(i) {
                Some(AttrValue::Float(_)) => has_float = true,
                Some(AttrValue::Text(_)) => has_text = true,
                _ => {}
            }
        }
        let target = match field.kind {
            FieldKind::Int | FieldKind::Float | FieldKind::Bool if has_text => FieldKind::Text,
            FieldKind::Int if has_float => FieldKind::Float,
            FieldKind::Bool if has_float => FieldKind::Float,
            k => k,
        };
        field.kind = target;
        for f in features.iter_mut() {
            let Some(v) = f.attrs.get_mut(i) else {
                continue;
            };
            *v = match (std::mem::take(v), target) {
                (AttrValue::Int(n), FieldKind::Float) => AttrValue::Float(n as f64),
                (AttrValue::Bool(b), FieldKind::Float) => AttrValue::Float(f64::from(u8::from(b))),
                (AttrValue::Int(n), FieldKind::Text) => AttrValue::Text(n.to_string()),
                (AttrValue::Float(x), FieldKind::Text) => AttrValue::Text(x.to_string()),
                (AttrValue::Bool(b), FieldKind::Text) => AttrValue::Text(b.to_string()),
                (other, _) => other,
            };
        }
    }
}

/// A row of gpkg_spatial_ref_sys.
struct SrsRow {
    name: String,
    organization: String,
    code: i64,
    definition: String,
    description: String,
}

/// The CRS of srs `srs_id`, or why it is unknown.
fn crs_of(conn: &Connection, srs_id: i64) -> std::result::Result<CrsInfo, String> {
    if srs_id == -1 || srs_id == 0 {
        return Ok(CrsInfo::unknown());
    }
    let row = conn
        .query_row(
            "SELECT srs_name, organization, organization_coordsys_id, definition, description \
             FROM gpkg_spatial_ref_sys WHERE srs_id = ?1",
            [srs_id],
            |r| {
                let text = |i: usize| -> rusqlite::Result<String> {
                    Ok(match r.get_ref(i)? {
                        ValueRef::Text(t) => String::from_utf8_lossy(t).into_owned(),
                        _ => String::new(),
                    })
                };
                Ok(SrsRow {
                    name: text(0)?,
                    organization: text(1)?,
                    code: r.get::<_, Option<i64>>(2)?.unwrap_or(0),
                    definition: text(3)?,
                    description: text(4)?,
                })
            },
        )
        .ok();
    let Some(row) = row else {
        if srs_id == 4326 {
            return Ok(CrsInfo::declared(Crs::WGS84, "GeoPackage srs_id 4326"));
        }
        return Err(format!(
            "srs_id {srs_id} is not in gpkg_spatial_ref_sys; the CRS will be guessed"
        ));
    };
    let org = row.organization.trim().to_ascii_uppercase();
    if org == "EPSG"
        && row.code > 0
        && let Ok(crs) = Crs::parse(&format!("EPSG:{}", row.code))
    {
        return Ok(CrsInfo::declared(
            crs,
            format!("GeoPackage srs {srs_id} (EPSG:{})", row.code),
        ));
    }
    let label = format!("{} {}", row.name, row.description).to_ascii_uppercase();
    if (org == ORGANIZATION && row.code == i64::from(SRS_ID_GCJ02)) || label.contains("GCJ") {
        return Ok(CrsInfo::declared(
            Crs::Gcj02,
            format!("GeoPackage srs {srs_id} \"{}\"", row.name),
        ));
    }
    if (org == ORGANIZATION && row.code == i64::from(SRS_ID_BD09))
        || label.contains("BD-09")
        || label.contains("BD09")
    {
        return Ok(CrsInfo::declared(
            Crs::Bd09,
            format!("GeoPackage srs {srs_id} \"{}\"", row.name),
        ));
    }
    let def = row.definition.trim();
    if !def.is_empty() && !def.eq_ignore_ascii_case("undefined") {
        return crate::crs::wkt::parse_wkt(def)
            .map(|crs| CrsInfo::declared(crs, format!("GeoPackage srs {srs_id} WKT")))
            .map_err(|e| {
                format!(
                    "the definition of srs {srs_id} \"{}\" is not understood ({e}); the CRS will be guessed",
                    row.name
                )
            });
    }
    let desc = row.description.trim();
    if desc.starts_with("+proj") {
        return Crs::parse(desc)
            .map(|crs| CrsInfo::declared(crs, format!("GeoPackage srs {srs_id} PROJ string")))
            .map_err(|e| format!("srs {srs_id}: {e}"));
    }
    if org == "EPSG" {
        return Err(format!(
            "srs {srs_id} is EPSG:{}, which towncircle cannot transform; give --crs",
            row.code
        ));
    }
    Err(format!(
        "srs {srs_id} \"{}\" has no definition; the CRS will be guessed",
        row.name
    ))
}

/// One feature table to read.
struct TableSpec {
    name: String,
    geom_column: String,
    srs_id: i64,
}

fn read_table(
    conn: &Connection,
    path: &Path,
    spec: &TableSpec,
    options: &ReadOptions,
) -> std::result::Result<Layer, String> {
    let mut columns: Vec<(String, String, bool)> = Vec::new();
    {
        let mut st = conn
            .prepare(&format!("PRAGMA table_info({})", quote(&spec.name)))
            .map_err(|e| e.to_string())?;
        let rows = st
            .query_map([], |r| {
                Ok((
                    r.get::<_, String>(1)?,
                    r.get::<_, Option<String>>(2)?.unwrap_or_default(),
                    r.get::<_, i64>(5)? > 0,
                ))
            })
            .map_err(|e| e.to_string())?;
        for row in rows {
            columns.push(row.map_err(|e| e.to_string())?);
        }
    }
    if columns.is_empty() {
        return Err(format!(
            "table \"{}\" is listed in gpkg_contents but does not exist",
            spec.name
        ));
    }
    if !columns
        .iter()
        .any(|(n, _, _)| n.eq_ignore_ascii_case(&spec.geom_column))
    {
        return Err(format!(
            "table \"{}\" has no geometry column \"{}\"",
            spec.name, spec.geom_column
        ));
    }
    let pk_columns: Vec<&(String, String, bool)> = columns.iter().filter(|c| c.2).collect();
    let pk = match pk_columns.as_slice() {
        [one] if declared_kind(&one.1) == Some(FieldKind::Int) => Some(one.0.clone()),
        _ => None,
    };
    let mut issues = Vec::new();
    let mut fields = Vec::new();
    let mut select = vec![
        pk.as_deref().map(quote).unwrap_or_else(|| "rowid".into()),
        quote(&spec.geom_column),
    ];
    for (name, decl, _) in &columns {
        if name.eq_ignore_ascii_case(&spec.geom_column) || Some(name) == pk.as_ref() {
            continue;
        }
        match declared_kind(decl) {
            Some(kind) => {
                fields.push(Field::new(name.clone(), kind));
                select.push(quote(name));
            }
            None => issues.push(Issue::warning(
                None,
                format!("column \"{name}\" holds binary data (BLOB) and was not read"),
            )),
        }
    }
    let sql = format!(
        "SELECT {} FROM {} ORDER BY 1",
        select.join(", "),
        quote(&spec.name)
    );
    let mut st = conn.prepare(&sql).map_err(|e| e.to_string())?;
    let mut rows = st.query([]).map_err(|e| e.to_string())?;
    let mut features = Vec::new();
    loop {
        let row = match rows.next() {
            Ok(Some(r)) => r,
            Ok(None) => break,
            Err(e) => {
                return Err(format!(
                    "table \"{}\" cannot be read after {} features ({e})",
                    spec.name,
                    features.len()
                ));
            }
        };
        let fid = match row.get_ref(0) {
            Ok(ValueRef::Integer(i)) => i,
            _ => features.len() as i64 + 1,
        };
        let id = SourceId::Feature(u64::try_from(fid).unwrap_or(0));
        let geometry = match row.get_ref(1) {
            Ok(ValueRef::Blob(b)) => decode_blob(b),
            Ok(ValueRef::Null) => Ok(None),
            Ok(_) => Err("the geometry is not a blob".into()),
            Err(e) => Err(e.to_string()),
        };
        let geometry = match geometry {
            Ok(Some(g)) => g,
            Ok(None) => {
                issues.push(Issue::skipped(Some(id), "the feature has no geometry"));
                continue;
            }
            Err(e) => {
                issues.push(Issue::skipped(Some(id), format!("bad geometry: {e}")));
                continue;
            }
        };
        let attrs = fields
            .iter()
            .enumerate()
            .map(|(i, f)| {
                row.get_ref(i + 2)
                    .map(|v| value_of(v, f.kind))
                    .unwrap_or(AttrValue::Null)
            })
            .collect();
        features.push(Feature {
            geometry,
            attrs,
            source_id: id,
            category: None,
        });
    }
    unify_kinds(&mut fields, &mut features);
    let crs = match &options.crs {
        Some(c) => CrsInfo::user(c.clone()),
        None => match crs_of(conn, spec.srs_id) {
            Ok(c) => c,
            Err(why) => {
                issues.push(Issue::warning(None, why));
                CrsInfo::unknown()
            }
        },
    };
    let mut layer = Layer::new(
        spec.name.clone(),
        SourceInfo {
            path: path.to_path_buf(),
            format: Format::GeoPackage,
            table: Some(spec.name.clone()),
            encoding: Some("UTF-8".into()),
        },
        crs,
    );
    layer.fields = fields;
    layer.features = features;
    layer.issues = issues;
    Ok(layer)
}

/// Read every feature table of a GeoPackage into a layer each, in their own CRS.
pub fn read(path: &Path, options: &ReadOptions) -> Result<Vec<Layer>> {
    let mut head = [0u8; 16];
    {
        use std::io::Read;
        let mut f = std::fs::File::open(path).map_err(|e| IoError::open(path, e))?;
        let n = f.read(&mut head).map_err(|e| IoError::open(path, e))?;
        if n < 16 || &head != b"SQLite format 3\0" {
            return Err(IoError::invalid(
                path,
                Location::File,
                "not a GeoPackage: the file is not an SQLite database (empty, damaged or another format)",
            )
            .into());
        }
    }
    let conn = Connection::open_with_flags(
        path,
        OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )
    .map_err(|e| sql_err(path, "cannot open the GeoPackage", e))?;
    // A file another program is writing may be locked for a moment.
    let _ = conn.busy_timeout(std::time::Duration::from_secs(2));
    let specs = feature_tables(&conn).map_err(|e| {
        IoError::invalid(
            path,
            Location::File,
            format!("not a GeoPackage or damaged: {e}"),
        )
    })?;
    if specs.is_empty() {
        return Err(IoError::invalid(
            path,
            Location::File,
            "the GeoPackage has no feature tables (gpkg_contents lists no data_type 'features')",
        )
        .into());
    }
    let mut layers = Vec::new();
    let mut failures = Vec::new();
    for spec in &specs {
        match read_table(&conn, path, spec, options) {
            Ok(l) => layers.push(l),
            Err(e) => failures.push(e),
        }
    }
    if layers.is_empty() {
        return Err(IoError::invalid(
            path,
            Location::File,
            format!("no feature table could be read: {}", failures.join("; ")),
        )
        .into());
    }
    for f in failures {
        layers[0].issues.push(Issue::warning(
            None,
            format!("another table was not read: {f}"),
        ));
    }
    Ok(layers)
}

fn feature_tables(conn: &Connection) -> std::result::Result<Vec<TableSpec>, String> {
    let has_contents: i64 = conn
        .query_row(
            "SELECT count(*) FROM sqlite_master WHERE type IN ('table','view') AND name = 'gpkg_contents'",
            [],
            |r| r.get(0),
        )
        .map_err(|e| e.to_string())?;
    if has_contents == 0 {
        return Err("there is no gpkg_contents table".into());
    }
    let mut st = conn
        .prepare(
            "SELECT c.table_name, g.column_name, COALESCE(g.srs_id, c.srs_id, -1) \
             FROM gpkg_contents c LEFT JOIN gpkg_geometry_columns g ON g.table_name = c.table_name \
             WHERE lower(c.data_type) = 'features' ORDER BY c.table_name",
        )
        .map_err(|e| e.to_string())?;
    let rows = st
        .query_map([], |r| {
            Ok(TableSpec {
                name: r.get(0)?,
                geom_column: r
                    .get::<_, Option<String>>(1)?
                    .unwrap_or_else(|| "geom".into()),
                srs_id: r.get::<_, Option<i64>>(2)?.unwrap_or(-1),
            })
        })
        .map_err(|e| e.to_string())?;
    rows.collect::<rusqlite::Result<Vec<_>>>()
        .map_err(|e| e.to_string())
}

// ---------------------------------------------------------------------------------------------
// Writing
// ---------------------------------------------------------------------------------------------

/// A CRS as a gpkg_spatial_ref_sys row.
struct SrsDef {
    id: i32,
    name: String,
    organization: String,
    code: i32,
    definition: String,
    description: String,
}

fn looks_like_degrees(layer: &Layer) -> bool {
    layer
        .features
        .iter()
        .filter_map(|f| bounding_rect(&f.geometry))
        .all(|r| {
            r.min().x >= -180.0 && r.max().x <= 180.0 && r.min().y >= -90.0 && r.max().y <= 90.0
        })
}

fn srs_for(crs: Option<&Crs>, degrees: bool, customs: &mut Vec<String>) -> SrsDef {
    let geographic_wkt = |name: &str| {
        format!(
            r#"GEOGCS["{name}",DATUM["WGS_1984",SPHEROID["WGS 84",6378137,298.257223563]],PRIMEM["Greenwich",0],UNIT["degree",0.0174532925199433]]"#
        )
    };
    match crs {
        Some(Crs::Epsg(4326)) => SrsDef {
            id: 4326,
            name: "WGS 84 geodetic".into(),
            organization: "EPSG".into(),
            code: 4326,
            definition: WGS84_WKT.into(),
            description: "longitude/latitude coordinates in decimal degrees on the WGS 84 spheroid"
                .into(),
        },
        Some(Crs::Epsg(code)) => {
            let wkt = u16::try_from(*code)
                .ok()
                .and_then(crs_definitions::from_code)
                .map(|d| d.wkt.to_string())
                .unwrap_or_else(|| "undefined".into());
            SrsDef {
                id: i32::try_from(*code).unwrap_or(i32::MAX),
                name: Crs::Epsg(*code).description(),
                organization: "EPSG".into(),
                code: i32::try_from(*code).unwrap_or(i32::MAX),
                definition: wkt,
                description: Crs::Epsg(*code).description(),
            }
        }
        Some(Crs::Gcj02) => SrsDef {
            id: SRS_ID_GCJ02,
            name: "GCJ-02".into(),
            organization: ORGANIZATION.into(),
            code: SRS_ID_GCJ02,
            definition: geographic_wkt("GCJ-02"),
            description: "GCJ-02 (Amap/Tencent obfuscated longitude/latitude, offset from WGS 84 by up to several hundred metres)".into(),
        },
        Some(Crs::Bd09) => SrsDef {
            id: SRS_ID_BD09,
            name: "BD-09".into(),
            organization: ORGANIZATION.into(),
            code: SRS_ID_BD09,
            definition: geographic_wkt("BD-09"),
            description: "BD-09 (Baidu obfuscated longitude/latitude, offset from GCJ-02 and WGS 84)"
                .into(),
        },
        Some(Crs::Custom { name, proj4 }) => {
            let i = customs.iter().position(|p| p == proj4).unwrap_or_else(|| {
                customs.push(proj4.clone());
                customs.len() - 1
            });
            let id = SRS_ID_CUSTOM_BASE + i32::try_from(i).unwrap_or(0);
            SrsDef {
                id,
                name: name.clone(),
                organization: "NONE".into(),
                code: id,
                definition: "undefined".into(),
                description: proj4.clone(),
            }
        }
        None if degrees => SrsDef {
            id: 0,
            name: "Undefined geographic SRS".into(),
            organization: "NONE".into(),
            code: 0,
            definition: "undefined".into(),
            description: "undefined geographic coordinate reference system".into(),
        },
        None => SrsDef {
            id: -1,
            name: "Undefined Cartesian SRS".into(),
            organization: "NONE".into(),
            code: -1,
            definition: "undefined".into(),
            description: "undefined Cartesian coordinate reference system".into(),
        },
    }
}

/// The GeoPackage geometry type name of a layer, and whether single parts are to be promoted
/// to multi.
fn geometry_type_name(layer: &Layer) -> (&'static str, bool) {
    let mut names: Vec<&'static str> = Vec::new();
    for f in &layer.features {
        let n = match &f.geometry {
            Geometry::Point(_) => "POINT",
            Geometry::Line(_) | Geometry::LineString(_) => "LINESTRING",
            Geometry::Polygon(_) | Geometry::Rect(_) | Geometry::Triangle(_) => "POLYGON",
            Geometry::MultiPoint(_) => "MULTIPOINT",
            Geometry::MultiLineString(_) => "MULTILINESTRING",
            Geometry::MultiPolygon(_) => "MULTIPOLYGON",
            Geometry::GeometryCollection(_) => "GEOMETRYCOLLECTION",
        };
        if !names.contains(&n) {
            names.push(n);
        }
    }
    names.sort_unstable();
    match names.as_slice() {
        [] => ("GEOMETRY", false),
        [one] => (one, false),
        ["MULTIPOINT", "POINT"] => ("MULTIPOINT", true),
        ["LINESTRING", "MULTILINESTRING"] => ("MULTILINESTRING", true),
        ["MULTIPOLYGON", "POLYGON"] => ("MULTIPOLYGON", true),
        _ => ("GEOMETRY", false),
    }
}

fn promote(g: &Geometry<f64>) -> Geometry<f64> {
    match normalise(g) {
        Geometry::Point(p) => Geometry::MultiPoint(MultiPoint(vec![p])),
        Geometry::LineString(l) => Geometry::MultiLineString(MultiLineString(vec![l])),
        Geometry::Polygon(p) => Geometry::MultiPolygon(MultiPolygon(vec![p])),
        other => other,
    }
}

/// A name made of letters, digits and `_`, not starting with a digit.
fn sanitise(name: &str, fallback: &str) -> String {
    let mut s: String = name
        .trim()
        .chars()
        .map(|c| {
            if c.is_alphanumeric() || c == '_' {
                c
            } else {
                '_'
            }
        })
        .collect();
    while s.contains("__") {
        s = s.replace("__", "_");
    }
    let s = s.trim_matches('_').to_string();
    if s.is_empty() {
        fallback.to_string()
    } else if s.starts_with(|c: char| c.is_ascii_digit()) {
        format!("{fallback}_{s}")
    } else {
        s
    }
}

/// `base`, or `base_2`, `base_3`... whichever is not yet in `taken` (case-insensitively).
fn unique(base: String, taken: &mut Vec<String>) -> String {
    let mut name = base.clone();
    let mut k = 2;
    while taken.iter().any(|t| t.eq_ignore_ascii_case(&name)) {
        name = format!("{base}_{k}");
        k += 1;
    }
    taken.push(name.clone());
    name
}

fn sql_type(kind: FieldKind) -> &'static str {
    match kind {
        FieldKind::Text => "TEXT",
        FieldKind::Int => "INTEGER",
        FieldKind::Float => "DOUBLE",
        FieldKind::Bool => "BOOLEAN",
        FieldKind::Date => "DATE",
    }
}

fn sql_value(v: &AttrValue, kind: FieldKind) -> Value {
    match (v, kind) {
        (AttrValue::Null, _) => Value::Null,
        (AttrValue::Bool(b), FieldKind::Text | FieldKind::Date) => Value::Text(b.to_string()),
        (AttrValue::Bool(b), _) => Value::Integer(i64::from(*b)),
        (AttrValue::Int(i), FieldKind::Text | FieldKind::Date) => Value::Text(i.to_string()),
        (AttrValue::Int(i), _) => Value::Integer(*i),
        (AttrValue::Float(f), _) if !f.is_finite() => Value::Null,
        (AttrValue::Float(f), FieldKind::Text | FieldKind::Date) => Value::Text(f.to_string()),
        (AttrValue::Float(f), FieldKind::Int) if f.fract() == 0.0 => Value::Integer(*f as i64),
        (AttrValue::Float(f), _) => Value::Real(*f),
        (AttrValue::Text(s), _) => Value::Text(s.clone()),
    }
}

const CREATE_METADATA: &str = r#"
CREATE TABLE gpkg_spatial_ref_sys (
  srs_name TEXT NOT NULL,
  srs_id INTEGER NOT NULL PRIMARY KEY,
  organization TEXT NOT NULL,
  organization_coordsys_id INTEGER NOT NULL,
  definition TEXT NOT NULL,
  description TEXT
);
CREATE TABLE gpkg_contents (
  table_name TEXT NOT NULL PRIMARY KEY,
  data_type TEXT NOT NULL,
  identifier TEXT UNIQUE,
  description TEXT DEFAULT '',
  last_change DATETIME NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now')),
  min_x DOUBLE,
  min_y DOUBLE,
  max_x DOUBLE,
  max_y DOUBLE,
  srs_id INTEGER,
  CONSTRAINT fk_gc_r_srs_id FOREIGN KEY (srs_id) REFERENCES gpkg_spatial_ref_sys(srs_id)
);
CREATE TABLE gpkg_geometry_columns (
  table_name TEXT NOT NULL,
  column_name TEXT NOT NULL,
  geometry_type_name TEXT NOT NULL,
  srs_id INTEGER NOT NULL,
  z TINYINT NOT NULL,
  m TINYINT NOT NULL,
  CONSTRAINT pk_geom_cols PRIMARY KEY (table_name, column_name),
  CONSTRAINT uk_gc_table_name UNIQUE (table_name),
  CONSTRAINT fk_gc_tn FOREIGN KEY (table_name) REFERENCES gpkg_contents(table_name),
  CONSTRAINT fk_gc_srs FOREIGN KEY (srs_id) REFERENCES gpkg_spatial_ref_sys (srs_id)
);
"#;

/// A temporary file name next to `path`, so the final rename stays on one file system.
fn temp_path(path: &Path) -> PathBuf {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "out.gpkg".into());
    path.with_file_name(format!(".{name}.{}.tmp", std::process::id()))
}

/// Write layers as one GeoPackage, one feature table per layer, coordinates as held.
pub fn write(path: &Path, layers: &[&Layer]) -> Result<()> {
    let tmp = temp_path(path);
    let _ = std::fs::remove_file(&tmp);
    let result = write_new(&tmp, path, layers);
    if let Err(e) = result {
        let _ = std::fs::remove_file(&tmp);
        return Err(e);
    }
    std::fs::rename(&tmp, path).map_err(|e| {
        let _ = std::fs::remove_file(&tmp);
        IoError::open(path, e)
    })?;
    Ok(())
}

fn write_new(tmp: &Path, path: &Path, layers: &[&Layer]) -> Result<()> {
    let fail = |what: &str, e: rusqlite::Error| -> crate::Error {
        IoError::invalid(
            path,
            Location::File,
            format!("cannot write the GeoPackage: {what} ({e})"),
        )
        .into()
    };
    let mut conn = Connection::open(tmp).map_err(|e| fail("creating the file", e))?;
    conn.execute_batch(&format!(
        "PRAGMA application_id = {APPLICATION_ID}; PRAGMA user_version = {USER_VERSION}; PRAGMA journal_mode = DELETE;"
    ))
    .map_err(|e| fail("setting the GeoPackage header", e))?;
    let tx = conn
        .transaction()
        .map_err(|e| fail("starting a transaction", e))?;
    tx.execute_batch(CREATE_METADATA)
        .map_err(|e| fail("creating the metadata tables", e))?;
    let mut srs_rows: Vec<SrsDef> = vec![
        srs_for(Some(&Crs::WGS84), true, &mut Vec::new()),
        SrsDef {
            id: -1,
            name: "Undefined Cartesian SRS".into(),
            organization: "NONE".into(),
            code: -1,
            definition: "undefined".into(),
            description: "undefined Cartesian coordinate reference system".into(),
        },
        SrsDef {
            id: 0,
            name: "Undefined geographic SRS".into(),
            organization: "NONE".into(),
            code: 0,
            definition: "undefined".into(),
            description: "undefined geographic coordinate reference system".into(),
        },
    ];
    let mut customs = Vec::new();
    let mut srs_ids = Vec::with_capacity(layers.len());
    for layer in layers {
        let srs = srs_for(
            layer.crs.crs.as_ref(),
            looks_like_degrees(layer),
            &mut customs,
        );
        srs_ids.push(srs.id);
        if !srs_rows.iter().any(|r| r.id == srs.id) {
            srs_rows.push(srs);
        }
    }
    // Foreign keys: the srs rows go in before the tables that refer to them.
    for r in &srs_rows {
        tx.execute(
            "INSERT INTO gpkg_spatial_ref_sys VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            rusqlite::params![
                r.name,
                r.id,
                r.organization,
                r.code,
                r.definition,
                r.description
            ],
        )
        .map_err(|e| fail("writing gpkg_spatial_ref_sys", e))?;
    }
    let mut table_names: Vec<String> = Vec::new();
    for ((n, layer), &srs_id) in layers.iter().enumerate().zip(&srs_ids) {
        let mut table = sanitise(&layer.name, &format!("layer{}", n + 1));
        let lower = table.to_ascii_lowercase();
        if lower.starts_with("gpkg_") || lower.starts_with("sqlite_") || lower.starts_with("rtree_")
        {
            table = format!("t_{table}");
        }
        let table = unique(table, &mut table_names);
        let (type_name, promote_parts) = geometry_type_name(layer);
        let mut taken = vec!["fid".to_string(), "geom".to_string()];
        let columns: Vec<String> = layer
            .fields
            .iter()
            .enumerate()
            .map(|(i, f)| {
                let base = if f.name.trim().is_empty() {
                    format!("field{}", i + 1)
                } else {
                    f.name.trim().to_string()
                };
                unique(base, &mut taken)
            })
            .collect();
        let mut ddl = format!(
            "CREATE TABLE {} (fid INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL, geom {type_name}",
            quote(&table)
        );
        for (c, f) in columns.iter().zip(&layer.fields) {
            ddl.push_str(&format!(", {} {}", quote(c), sql_type(f.kind)));
        }
        ddl.push(')');
        tx.execute_batch(&ddl)
            .map_err(|e| fail(&format!("creating table \"{table}\""), e))?;
        let mut extent: Option<Rect<f64>> = None;
        {
            let placeholders: Vec<String> =
                (1..=columns.len() + 1).map(|i| format!("?{i}")).collect();
            let mut cols = vec!["geom".to_string()];
            cols.extend(columns.iter().map(|c| quote(c)));
            let mut insert = tx
                .prepare(&format!(
                    "INSERT INTO {} ({}) VALUES ({})",
                    quote(&table),
                    cols.join(", "),
                    placeholders.join(", ")
                ))
                .map_err(|e| fail(&format!("preparing table \"{table}\""), e))?;
            for feature in &layer.features {
                let g = if promote_parts {
                    promote(&feature.geometry)
                } else {
                    normalise(&feature.geometry)
                };
                if let Some(r) = bounding_rect(&g) {
                    extent = Some(match extent {
                        None => r,
                        Some(e) => Rect::new(
                            Coord {
                                x: e.min().x.min(r.min().x),
                                y: e.min().y.min(r.min().y),
                            },
                            Coord {
                                x: e.max().x.max(r.max().x),
                                y: e.max().y.max(r.max().y),
                            },
                        ),
                    });
                }
                let mut values = Vec::with_capacity(columns.len() + 1);
                values.push(Value::Blob(encode_blob(&g, srs_id)));
                for (i, f) in layer.fields.iter().enumerate() {
                    values.push(sql_value(
                        feature.attrs.get(i).unwrap_or(&AttrValue::Null),
                        f.kind,
                    ));
                }
                insert
                    .execute(rusqlite::params_from_iter(values))
                    .map_err(|e| {
                        fail(
                            &format!("writing {} of table \"{table}\"", feature.source_id),
                            e,
                        )
                    })?;
            }
        }
        let (min, max) = match extent {
            Some(r) => (
                (Some(r.min().x), Some(r.min().y)),
                (Some(r.max().x), Some(r.max().y)),
            ),
            None => ((None, None), (None, None)),
        };
        tx.execute(
            "INSERT INTO gpkg_contents (table_name, data_type, identifier, description, min_x, min_y, max_x, max_y, srs_id) \
             VALUES (?1, 'features', ?2, '', ?3, ?4, ?5, ?6, ?7)",
            rusqlite::params![table, unique_identifier(&layer.name, &table, layers, n), min.0, min.1, max.0, max.1, srs_id],
        )
        .map_err(|e| fail("registering the table in gpkg_contents", e))?;
        tx.execute(
            "INSERT INTO gpkg_geometry_columns VALUES (?1, 'geom', ?2, ?3, 0, 0)",
            rusqlite::params![table, type_name, srs_id],
        )
        .map_err(|e| fail("registering the geometry column", e))?;
    }
    tx.commit().map_err(|e| fail("committing", e))?;
    conn.close().map_err(|(_, e)| fail("closing", e))?;
    Ok(())
}

/// The layer's own name as identifier unless another layer has the same one.
fn unique_identifier(name: &str, table: &str, layers: &[&Layer], n: usize) -> String {
    let clash = layers
        .iter()
        .enumerate()
        .any(|(i, l)| i < n && l.name == name);
    if name.trim().is_empty() || clash {
        table.to_string()
    } else {
        name.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Severity;

    fn source(path: &Path) -> SourceInfo {
        SourceInfo {
            path: path.to_path_buf(),
            format: Format::GeoJson,
            table: None,
            encoding: None,
        }
    }

    fn square(x: f64, y: f64, s: f64) -> LineString<f64> {
        LineString::from(vec![(x, y), (x + s, y), (x + s, y + s), (x, y + s), (x, y)])
    }

    fn sample_layers() -> (Layer, Layer) {
        let p = Path::new("in.geojson");
        let mut pois = Layer::new("设施 POI", source(p), CrsInfo::declared(Crs::Gcj02, "test"));
        pois.fields = vec![
            Field::new("名称", FieldKind::Text),
            Field::new("人数", FieldKind::Int),
            Field::new("面积", FieldKind::Float),
            Field::new("open", FieldKind::Bool),
            Field::new("fid", FieldKind::Int),
        ];
        pois.features = vec![
            Feature {
                geometry: Geometry::Point(Point::new(120.1, 30.2)),
                attrs: vec![
                    AttrValue::Text("双浦镇卫生院".into()),
                    AttrValue::Int(12),
                    AttrValue::Float(1.5),
                    AttrValue::Bool(true),
                    AttrValue::Int(7),
                ],
                source_id: SourceId::Feature(1),
                category: None,
            },
            Feature {
                geometry: Geometry::Point(Point::new(120.2, 30.3)),
                attrs: vec![
                    AttrValue::Null,
                    AttrValue::Null,
                    AttrValue::Null,
                    AttrValue::Bool(false),
                    AttrValue::Null,
                ],
                source_id: SourceId::Feature(2),
                category: None,
            },
        ];
        let mut areas = Layer::new(
            "建成区",
            source(p),
            CrsInfo::declared(Crs::Epsg(4549), "test"),
        );
        areas.fields = vec![Field::new("name", FieldKind::Text)];
        let poly = Polygon::new(
            square(500_000.0, 3_300_000.0, 100.0),
            vec![square(500_010.0, 3_300_010.0, 10.0)],
        );
        areas.features = vec![
            Feature {
                geometry: Geometry::MultiPolygon(MultiPolygon(vec![
                    poly,
                    Polygon::new(square(500_200.0, 3_300_000.0, 50.0), vec![]),
                ])),
                attrs: vec![AttrValue::Text("镇区".into())],
                source_id: SourceId::Feature(1),
                category: None,
            },
            Feature {
                geometry: Geometry::Polygon(Polygon::new(
                    square(501_000.0, 3_300_000.0, 20.0),
                    vec![],
                )),
                attrs: vec![AttrValue::Text("工业区".into())],
                source_id: SourceId::Feature(2),
                category: None,
            },
            Feature {
                geometry: Geometry::LineString(LineString::from(vec![
                    (500_000.0, 3_300_000.0),
                    (500_100.0, 3_300_050.0),
                ])),
                attrs: vec![AttrValue::Null],
                source_id: SourceId::Feature(3),
                category: None,
            },
        ];
        (pois, areas)
    }

    #[test]
    fn write_then_read_round_trips() {
        let dir = tempfile::tempdir().expect("tmp");
        let path = dir.path().join("town.gpkg");
        let (pois, areas) = sample_layers();
        write(&path, &[&pois, &areas]).expect("write");
        // Metadata a GeoPackage reader checks.
        let conn = Connection::open(&path).expect("open");
        let app: i32 = conn
            .query_row("PRAGMA application_id", [], |r| r.get(0))
            .expect("app");
        let ver: i32 = conn
            .query_row("PRAGMA user_version", [], |r| r.get(0))
            .expect("ver");
        assert_eq!((app, ver), (0x4750_4B47, 10201));
        let srs: Vec<i64> = conn
            .prepare("SELECT srs_id FROM gpkg_spatial_ref_sys ORDER BY srs_id")
            .expect("p")
            .query_map([], |r| r.get(0))
            .expect("q")
            .collect::<rusqlite::Result<_>>()
            .expect("c");
        assert_eq!(srs, vec![-1, 0, 4326, 4549, 990_001]);
        let (minx, maxy): (f64, f64) = conn
            .query_row(
                "SELECT min_x, max_y FROM gpkg_contents WHERE srs_id = 4549",
                [],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .expect("extent");
        assert_eq!((minx, maxy), (500_000.0, 3_300_100.0));
        let fk: i64 = conn
            .query_row("SELECT count(*) FROM pragma_foreign_key_check", [], |r| {
                r.get(0)
            })
            .expect("fk");
        assert_eq!(fk, 0);
        drop(conn);

        let layers = read(&path, &ReadOptions::default()).expect("read");
        assert_eq!(layers.len(), 2);
        let back_pois = layers
            .iter()
            .find(|l| l.source.table.as_deref() == Some("设施_POI"))
            .expect("pois table");
        assert_eq!(back_pois.crs.crs, Some(Crs::Gcj02));
        let names: Vec<&str> = back_pois.fields.iter().map(|f| f.name.as_str()).collect();
        assert_eq!(names, ["名称", "人数", "面积", "open", "fid_2"]);
        let kinds: Vec<FieldKind> = back_pois.fields.iter().map(|f| f.kind).collect();
        assert_eq!(
            kinds,
            [
                FieldKind::Text,
                FieldKind::Int,
                FieldKind::Float,
                FieldKind::Bool,
                FieldKind::Int
            ]
        );
        for (a, b) in back_pois.features.iter().zip(&pois.features) {
            assert_eq!(a.geometry, b.geometry);
            assert_eq!(a.attrs, b.attrs);
        }
        assert_eq!(back_pois.features[1].source_id, SourceId::Feature(2));

        let back_areas = layers
            .iter()
            .find(|l| l.source.table.as_deref() == Some("建成区"))
            .expect("areas");
        assert_eq!(back_areas.crs.crs, Some(Crs::Epsg(4549)));
        assert_eq!(back_areas.features.len(), 3);
        // Mixed types are written as GEOMETRY, parts kept as they were.
        assert_eq!(back_areas.features[0].geometry, areas.features[0].geometry);
        assert_eq!(back_areas.features[2].geometry, areas.features[2].geometry);
        match &back_areas.features[0].geometry {
            Geometry::MultiPolygon(mp) => assert_eq!(mp.0[0].interiors().len(), 1),
            g => panic!("{g:?}"),
        }
        assert!(back_areas.issues.is_empty(), "{:?}", back_areas.issues);
    }

    #[test]
    fn polygons_are_promoted_and_file_is_replaced() {
        let dir = tempfile::tempdir().expect("tmp");
        let path = dir.path().join("out.gpkg");
        std::fs::write(&path, b"old contents").expect("old");
        let (_, mut areas) = sample_layers();
        areas.features.truncate(2);
        write(&path, &[&areas, &areas]).expect("write");
        // Through the format dispatch too.
        let layers = crate::io::read(&path, &ReadOptions::default()).expect("read");
        let tables: Vec<_> = layers
            .iter()
            .map(|l| l.source.table.clone().unwrap_or_default())
            .collect();
        assert_eq!(tables, ["建成区", "建成区_2"]);
        assert!(matches!(
            layers[0].features[1].geometry,
            Geometry::MultiPolygon(_)
        ));
        let conn = Connection::open(&path).expect("open");
        let t: String = conn
            .query_row(
                "SELECT geometry_type_name FROM gpkg_geometry_columns LIMIT 1",
                [],
                |r| r.get(0),
            )
            .expect("type");
        assert_eq!(t, "MULTIPOLYGON");
        // No temporary file left behind.
        let left: Vec<_> = std::fs::read_dir(dir.path())
            .expect("dir")
            .map(|e| e.expect("e").file_name())
            .collect();
        assert_eq!(left.len(), 1, "{left:?}");
    }

    /// Big-endian WKB of a polygon with one ring, built by hand.
    fn be_polygon() -> Vec<u8> {
        let mut b = vec![0u8];
        b.extend_from_slice(&3u32.to_be_bytes());
        b.extend_from_slice(&1u32.to_be_bytes());
        b.extend_from_slice(&4u32.to_be_bytes());
        for (x, y) in [(0.0f64, 0.0f64), (1.0, 0.0), (1.0, 1.0), (0.0, 0.0)] {
            b.extend_from_slice(&x.to_be_bytes());
            b.extend_from_slice(&y.to_be_bytes());
        }
        b
    }

    #[test]
    fn decodes_big_endian_z_m_and_ewkb() {
        let g = decode_wkb(&be_polygon()).expect("be");
        assert_eq!(
            g,
            Geometry::Polygon(Polygon::new(
                LineString::from(vec![(0.0, 0.0), (1.0, 0.0), (1.0, 1.0), (0.0, 0.0)]),
                vec![]
            ))
        );
        // ISO PointZ (1001), little-endian.
        let mut pz = vec![1u8];
        pz.extend_from_slice(&1001u32.to_le_bytes());
        for v in [120.5f64, 30.5, 12.0] {
            pz.extend_from_slice(&v.to_le_bytes());
        }
        assert_eq!(
            decode_wkb(&pz).expect("z"),
            Geometry::Point(Point::new(120.5, 30.5))
        );
        // ISO LineString ZM (3002), big-endian.
        let mut lzm = vec![0u8];
        lzm.extend_from_slice(&3002u32.to_be_bytes());
        lzm.extend_from_slice(&2u32.to_be_bytes());
        for v in [1.0f64, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0] {
            lzm.extend_from_slice(&v.to_be_bytes());
        }
        assert_eq!(
            decode_wkb(&lzm).expect("zm"),
            Geometry::LineString(LineString::from(vec![(1.0, 2.0), (5.0, 6.0)]))
        );
        // EWKB MultiPoint Z with SRID, parts Z too.
        let mut e = vec![1u8];
        e.extend_from_slice(&(0xA000_0004u32).to_le_bytes());
        e.extend_from_slice(&4326u32.to_le_bytes());
        e.extend_from_slice(&1u32.to_le_bytes());
        e.push(1);
        e.extend_from_slice(&(0x8000_0001u32).to_le_bytes());
        for v in [1.0f64, 2.0, 3.0] {
            e.extend_from_slice(&v.to_le_bytes());
        }
        assert_eq!(
            decode_wkb(&e).expect("ewkb"),
            Geometry::MultiPoint(MultiPoint(vec![Point::new(1.0, 2.0)]))
        );
        // A header with a 3D envelope (kind 2), big-endian header.
        let mut blob = b"GP\0".to_vec();
        blob.push(2 << 1);
        blob.extend_from_slice(&4326i32.to_be_bytes());
        blob.extend_from_slice(&[0u8; 48]);
        blob.extend_from_slice(&be_polygon());
        assert!(matches!(
            decode_blob(&blob).expect("blob"),
            Some(Geometry::Polygon(_))
        ));
        // Garbage is an error, never a panic.
        let mut huge = vec![1u8];
        huge.extend_from_slice(&2u32.to_le_bytes());
        huge.extend_from_slice(&u32::MAX.to_le_bytes());
        assert!(decode_wkb(&huge).is_err());
        assert!(decode_wkb(&[1, 99, 0, 0, 0]).is_err());
        assert!(decode_blob(b"GP").is_err());
        assert!(decode_blob(&[0x47, 0x50, 0, 0x0E, 0, 0, 0, 0]).is_err());
        for n in 0..be_polygon().len() {
            assert!(decode_wkb(&be_polygon()[..n]).is_err());
        }
    }

    #[test]
    fn bad_blob_row_is_skipped_and_z_geometry_reads() {
        let dir = tempfile::tempdir().expect("tmp");
        let path = dir.path().join("t.gpkg");
        let (pois, _) = sample_layers();
        write(&path, &[&pois]).expect("write");
        let conn = Connection::open(&path).expect("open");
        conn.execute(
            "UPDATE \"设施_POI\" SET geom = ?1 WHERE fid = 1",
            [b"GP\0\x01garbage!".to_vec()],
        )
        .expect("corrupt");
        // A third feature with an ISO PointZ, big-endian.
        let mut blob = b"GP\0\x00".to_vec();
        blob.extend_from_slice(&990_001i32.to_be_bytes());
        blob.push(0);
        blob.extend_from_slice(&1001u32.to_be_bytes());
        for v in [121.0f64, 31.0, 5.0] {
            blob.extend_from_slice(&v.to_be_bytes());
        }
        conn.execute(
            "INSERT INTO \"设施_POI\" (geom, \"名称\") VALUES (?1, 'Z')",
            [blob],
        )
        .expect("z");
        conn.execute(
            "INSERT INTO \"设施_POI\" (geom, \"名称\") VALUES (NULL, 'none')",
            [],
        )
        .expect("null");
        drop(conn);
        let layers = read(&path, &ReadOptions::default()).expect("read");
        let l = &layers[0];
        assert_eq!(l.features.len(), 2);
        assert_eq!(l.features[0].source_id, SourceId::Feature(2));
        assert_eq!(
            l.features[1].geometry,
            Geometry::Point(Point::new(121.0, 31.0))
        );
        let skipped: Vec<&Issue> = l
            .issues
            .iter()
            .filter(|i| i.severity == Severity::Skipped)
            .collect();
        assert_eq!(skipped.len(), 2);
        assert_eq!(skipped[0].feature, Some(SourceId::Feature(1)));
        assert!(
            skipped[0].message.contains("bad geometry"),
            "{}",
            skipped[0].message
        );
        assert_eq!(skipped[1].feature, Some(SourceId::Feature(4)));
    }

    #[test]
    fn corrupt_truncated_and_plain_sqlite_files_are_errors() {
        let dir = tempfile::tempdir().expect("tmp");
        let random = dir.path().join("random.gpkg");
        let bytes: Vec<u8> = (0..4096u32)
            .map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8)
            .collect();
        std::fs::write(&random, &bytes).expect("w");
        let err = read(&random, &ReadOptions::default()).expect_err("random");
        assert!(err.to_string().contains("random.gpkg"), "{err}");
        assert!(err.to_string().contains("SQLite"), "{err}");

        let good = dir.path().join("good.gpkg");
        let (pois, areas) = sample_layers();
        write(&good, &[&pois, &areas]).expect("write");
        let full = std::fs::read(&good).expect("read");
        for cut in [10, 100, 1024, full.len() / 2, full.len() - 1024] {
            let p = dir.path().join("cut.gpkg");
            std::fs::write(&p, &full[..cut]).expect("w");
            match read(&p, &ReadOptions::default()) {
                Err(e) => assert!(e.to_string().contains("cut.gpkg"), "{e}"),
                // SQLite may still read the pages that are left; then nothing may be invented.
                Ok(layers) => assert!(layers.iter().all(|l| l.features.len() <= 3)),
            }
        }

        let plain = dir.path().join("plain.gpkg");
        let conn = Connection::open(&plain).expect("open");
        conn.execute_batch("CREATE TABLE t (a INTEGER)").expect("t");
        drop(conn);
        let err = read(&plain, &ReadOptions::default()).expect_err("plain");
        assert!(err.to_string().contains("gpkg_contents"), "{err}");
        assert!(err.to_string().contains("plain.gpkg"), "{err}");
    }

    #[test]
    fn crs_from_wkt_and_undefined() {
        let dir = tempfile::tempdir().expect("tmp");
        let path = dir.path().join("w.gpkg");
        let (pois, _) = sample_layers();
        let mut undefined = pois.clone();
        undefined.name = "u".into();
        undefined.crs = CrsInfo::unknown();
        write(&path, &[&pois, &undefined]).expect("write");
        let conn = Connection::open(&path).expect("open");
        conn.execute_batch(
            "INSERT INTO gpkg_spatial_ref_sys VALUES ('my gk', 777, 'NONE', 777, \
             'PROJCS[\"CGCS2000 / 3-degree Gauss-Kruger CM 120E\",GEOGCS[\"China Geodetic Coordinate System 2000\",DATUM[\"China_2000\",SPHEROID[\"CGCS2000\",6378137,298.257222101]],PRIMEM[\"Greenwich\",0],UNIT[\"degree\",0.0174532925199433]],PROJECTION[\"Transverse_Mercator\"],PARAMETER[\"latitude_of_origin\",0],PARAMETER[\"central_meridian\",120],PARAMETER[\"scale_factor\",1],PARAMETER[\"false_easting\",500000],PARAMETER[\"false_northing\",0],UNIT[\"metre\",1]]', NULL);
             UPDATE gpkg_geometry_columns SET srs_id = 777 WHERE table_name = '设施_POI';",
        )
        .expect("srs");
        drop(conn);
        let layers = read(&path, &ReadOptions::default()).expect("read");
        let gk = layers.iter().find(|l| l.name == "设施_POI").expect("gk");
        assert_eq!(gk.crs.crs, Some(Crs::Epsg(4549)), "{:?}", gk.crs);
        let u = layers.iter().find(|l| l.name == "u").expect("u");
        assert_eq!(u.crs, CrsInfo::unknown());
        let user = read(
            &path,
            &ReadOptions {
                crs: Some(Crs::Bd09),
                ..Default::default()
            },
        )
        .expect("read");
        assert!(user.iter().all(|l| l.crs == CrsInfo::user(Crs::Bd09)));
    }
}
