//! ESRI Shapefile reader and writer (.shp/.shx/.dbf/.cpg/.prj), with the GBK, GB18030 and
//! UTF-8 attribute encodings Chinese planning data comes in.
//!
//! The reader memory-maps the .shp and parses records itself, in parallel, bounds-checking every
//! read: a damaged or truncated file keeps its good records and reports the rest as issues.
//! Polygon rings are told apart by orientation (clockwise = outer) and holes go to the outer
//! ring that contains them. The DBF reader is its own too; the attribute
//! encoding is decided as: the user's choice > the .cpg > the DBF language driver id > valid
//! UTF-8 > GBK (decoded as GB18030, its superset), and recorded in `SourceInfo::encoding`.
//!
//! The writer follows the ESRI specification (outer rings clockwise, holes counter-clockwise;
//! dBase III tables with the language driver id and a .cpg naming the encoding).

use std::borrow::Cow;
use std::io::Write;
use std::path::{Path, PathBuf};

use encoding_rs::{Encoding, GB18030, GBK, UTF_8};
use geo_types::{Coord, Geometry, LineString, Polygon};

use crate::crs::CrsInfo;
use crate::crs::wkt::to_esri_wkt;
use crate::error::{IoError, Location, Result};
use crate::model::{AttrValue, FieldKind, GeometryKind, Layer};

use super::ReadOptions;

// ---------------------------------------------------------------------------------------------
// Shared constants
// ---------------------------------------------------------------------------------------------

const SHP_FILE_CODE: i32 = 9994;
const SHP_VERSION: i32 = 1000;
const SHP_HEADER_BYTES: usize = 100;

const SHAPE_NULL: i32 = 0;
const SHAPE_POINT: i32 = 1;
const SHAPE_POLYLINE: i32 = 3;
const SHAPE_POLYGON: i32 = 5;
const SHAPE_MULTIPOINT: i32 = 8;

/// dBase language driver id for GBK / code page 936 (ESRI writes 0x4D).
const LDID_GBK: u8 = 0x4D;

/// The sibling file of `path` with extension `ext` (same stem, for writing).
fn sibling_for_writing(path: &Path, ext: &str) -> PathBuf {
    path.with_extension(ext)
}

// ---------------------------------------------------------------------------------------------
// Writer
// ---------------------------------------------------------------------------------------------

/// Write `layer` as a shapefile: `path` names the .shp (the .shx, .dbf, .cpg and, for the
/// systems [`to_esri_wkt`] knows, .prj are written beside it). Attributes are encoded with
/// `encoding` (GBK, GB18030 or UTF-8). Coordinates are written as held, in `layer.crs`.
pub fn write(path: &Path, layer: &Layer, encoding: &'static Encoding) -> Result<()> {
    write_with_warnings(path, layer, encoding).map(|_| ())
}

/// As [`write()`], returning what had to be changed on the way (field names shortened or renamed,
/// text cut to 254 bytes, characters the encoding cannot hold, values that do not fit).
pub fn write_with_warnings(
    path: &Path,
    layer: &Layer,
    encoding: &'static Encoding,
) -> Result<Vec<String>> {
    let mut warnings = Vec::new();
    let shape_type = layer_shape_type(path, layer)?;
    let shp_path = sibling_for_writing(path, "shp");
    let shx_path = sibling_for_writing(path, "shx");
    let dbf_path = sibling_for_writing(path, "dbf");

    // Geometry: build every record's content first (to know the bounding box and lengths).
    let mut bbox = BBox::empty();
    let mut records: Vec<Vec<u8>> = Vec::with_capacity(layer.features.len());
    for f in &layer.features {
        let mut buf = Vec::new();
        encode_shape(&mut buf, &f.geometry, shape_type, &mut bbox);
        records.push(buf);
    }
    let shp_len_bytes: usize =
        SHP_HEADER_BYTES + records.iter().map(|r| 8 + r.len()).sum::<usize>();
    let shx_len_bytes = SHP_HEADER_BYTES + 8 * records.len();
    if shp_len_bytes / 2 > i32::MAX as usize {
        return Err(IoError::invalid(
            &shp_path,
            Location::File,
            "the geometry is larger than the 2 GB a shapefile can hold; split the layer or write GeoPackage",
        )
        .into());
    }
    let bbox = bbox.or_zero();

    let mut shp = Vec::with_capacity(shp_len_bytes);
    let mut shx = Vec::with_capacity(shx_len_bytes);
    write_shp_header(&mut shp, shp_len_bytes, shape_type, &bbox);
    write_shp_header(&mut shx, shx_len_bytes, shape_type, &bbox);
    for (i, content) in records.iter().enumerate() {
        let offset_words = (shp.len() / 2) as i32;
        let len_words = (content.len() / 2) as i32;
        shp.extend_from_slice(&(i as i32 + 1).to_be_bytes());
        shp.extend_from_slice(&len_words.to_be_bytes());
        shp.extend_from_slice(content);
        shx.extend_from_slice(&offset_words.to_be_bytes());
        shx.extend_from_slice(&len_words.to_be_bytes());
    }
    drop(records);

    let dbf = build_dbf(layer, encoding, &mut warnings)
        .map_err(|msg| IoError::invalid(&dbf_path, Location::File, msg))?;

    write_file(&shp_path, &shp)?;
    write_file(&shx_path, &shx)?;
    write_file(&dbf_path, &dbf)?;
    write_file(
        &sibling_for_writing(path, "cpg"),
        cpg_label(encoding).as_bytes(),
    )?;
    let prj_path = sibling_for_writing(path, "prj");
    match layer.crs.crs.as_ref().map(|c| (c, to_esri_wkt(c))) {
        Some((_, Some(wkt))) => write_file(&prj_path, wkt.as_bytes())?,
        Some((crs, None)) => {
            remove_stale(&prj_path);
            warnings.push(format!(
                "no .prj written: {} has no ESRI definition here; tell the reader the CRS ({})",
                crs.label(),
                prj_path.display()
            ));
        }
        None => remove_stale(&prj_path),
    }
    Ok(warnings)
}

/// Remove an old .prj so that a stale CRS is not read with the new file.
fn remove_stale(path: &Path) {
    let _ = std::fs::remove_file(path);
}

fn write_file(path: &Path, bytes: &[u8]) -> Result<()> {
    let mut f = std::fs::File::create(path).map_err(|e| IoError::open(path, e))?;
    f.write_all(bytes).map_err(|e| IoError::open(path, e))?;
    Ok(())
}

/// The .cpg text for an encoding.
fn cpg_label(encoding: &'static Encoding) -> &'static str {
    if encoding == GBK {
        "GBK"
    } else if encoding == UTF_8 {
        "UTF-8"
    } else if encoding == GB18030 {
        "GB18030"
    } else {
        encoding.name()
    }
}

/// The shapefile shape type for a layer, or an error for layers a shapefile cannot hold.
fn layer_shape_type(path: &Path, layer: &Layer) -> Result<i32> {
    match layer.geometry_kind() {
        GeometryKind::Point => {
            let multi = layer
                .features
                .iter()
                .any(|f| matches!(f.geometry, Geometry::MultiPoint(_)));
            Ok(if multi { SHAPE_MULTIPOINT } else { SHAPE_POINT })
        }
        GeometryKind::Line => Ok(SHAPE_POLYLINE),
        GeometryKind::Polygon => Ok(SHAPE_POLYGON),
        GeometryKind::Empty => Err(IoError::EmptyLayer {
            path: path.to_path_buf(),
            detail: format!(
                "layer \"{}\" has no features; a shapefile needs at least one to know its geometry type",
                layer.name
            ),
        }
        .into()),
        GeometryKind::Mixed => Err(IoError::invalid(
            path,
            Location::File,
            format!(
                "layer \"{}\" mixes points, lines and polygons (or holds geometry collections); a shapefile holds one geometry type: split the layer by type or write GeoPackage/GeoJSON",
                layer.name
            ),
        )
        .into()),
    }
}

#[derive(Debug, Clone, Copy)]
struct BBox {
    min_x: f64,
    min_y: f64,
    max_x: f64,
    max_y: f64,
}

impl BBox {
    fn empty() -> Self {
        BBox {
            min_x: f64::INFINITY,
            min_y: f64::INFINITY,
            max_x: f64::NEG_INFINITY,
            max_y: f64::NEG_INFINITY,
        }
    }
    fn add(&mut self, c: Coord<f64>) {
        self.min_x = self.min_x.min(c.x);
        self.min_y = self.min_y.min(c.y);
        self.max_x = self.max_x.max(c.x);
        self.max_y = self.max_y.max(c.y);
    }
    fn merge(&mut self, o: &BBox) {
        self.min_x = self.min_x.min(o.min_x);
        self.min_y = self.min_y.min(o.min_y);
        self.max_x = self.max_x.max(o.max_x);
        self.max_y = self.max_y.max(o.max_y);
    }
    fn or_zero(self) -> Self {
        if self.min_x <= self.max_x && self.min_y <= self.max_y {
            self
        } else {
            BBox {
                min_x: 0.0,
                min_y: 0.0,
                max_x: 0.0,
                max_y: 0.0,
            }
        }
    }
    fn write(&self, buf: &mut Vec<u8>) {
        for v in [self.min_x, self.min_y, self.max_x, self.max_y] {
            buf.extend_from_slice(&v.to_le_bytes());
        }
    }
}

fn write_shp_header(buf: &mut Vec<u8>, len_bytes: usize, shape_type: i32, bbox: &BBox) {
    buf.extend_from_slice(&SHP_FILE_CODE.to_be_bytes());
    buf.extend_from_slice(&[0u8; 20]);
    buf.extend_from_slice(&((len_bytes / 2) as i32).to_be_bytes());
    buf.extend_from_slice(&SHP_VERSION.to_le_bytes());
    buf.extend_from_slice(&shape_type.to_le_bytes());
    bbox.write(buf);
    buf.extend_from_slice(&[0u8; 32]); // Z and M ranges
}

/// Twice the signed area of a closed ring: negative when clockwise (y up).
fn ring_signed_area2(pts: &[Coord<f64>]) -> f64 {
    if pts.len() < 3 {
        return 0.0;
    }
    let o = pts[0];
    let mut s = 0.0;
    for w in pts.windows(2) {
        let (a, b) = (w[0], w[1]);
        s += (a.x - o.x) * (b.y - o.y) - (b.x - o.x) * (a.y - o.y);
    }
    s
}

/// A polygon ring as written: closed, and clockwise (outer) or counter-clockwise (hole).
fn oriented_ring(ring: &LineString<f64>, clockwise: bool) -> Vec<Coord<f64>> {
    let mut pts = ring.0.clone();
    if pts.len() > 1 && pts.first() != pts.last() {
        pts.push(pts[0]);
    }
    let area = ring_signed_area2(&pts);
    if (clockwise && area > 0.0) || (!clockwise && area < 0.0) {
        pts.reverse();
    }
    pts
}

fn polygon_parts(p: &Polygon<f64>, parts: &mut Vec<Vec<Coord<f64>>>) {
    if p.exterior().0.is_empty() {
        return;
    }
    parts.push(oriented_ring(p.exterior(), true));
    for hole in p.interiors() {
        if !hole.0.is_empty() {
            parts.push(oriented_ring(hole, false));
        }
    }
}

/// Append one record's content (shape type and geometry) for `g` in a file of `shape_type`.
fn encode_shape(buf: &mut Vec<u8>, g: &Geometry<f64>, shape_type: i32, file_bbox: &mut BBox) {
    let null = |buf: &mut Vec<u8>| buf.extend_from_slice(&SHAPE_NULL.to_le_bytes());
    match shape_type {
        SHAPE_POINT => match g {
            Geometry::Point(p) => {
                buf.extend_from_slice(&SHAPE_POINT.to_le_bytes());
                buf.extend_from_slice(&p.x().to_le_bytes());
                buf.extend_from_slice(&p.y().to_le_bytes());
                file_bbox.add(p.0);
            }
            _ => null(buf),
        },
        SHAPE_MULTIPOINT => {
            let pts: Vec<Coord<f64>> = match g {
                Geometry::Point(p) => vec![p.0],
                Geometry::MultiPoint(mp) => mp.0.iter().map(|p| p.0).collect(),
                _ => Vec::new(),
            };
            if pts.is_empty() {
                return null(buf);
            }
            let mut bb = BBox::empty();
            pts.iter().for_each(|c| bb.add(*c));
            file_bbox.merge(&bb);
            buf.extend_from_slice(&SHAPE_MULTIPOINT.to_le_bytes());
            bb.write(buf);
            buf.extend_from_slice(&(pts.len() as i32).to_le_bytes());
            for c in pts {
                buf.extend_from_slice(&c.x.to_le_bytes());
                buf.extend_from_slice(&c.y.to_le_bytes());
            }
        }
        _ => {
            let mut parts: Vec<Vec<Coord<f64>>> = Vec::new();
            match g {
                Geometry::Line(l) => parts.push(vec![l.start, l.end]),
                Geometry::LineString(l) => parts.push(l.0.clone()),
                Geometry::MultiLineString(ml) => parts.extend(ml.0.iter().map(|l| l.0.clone())),
                Geometry::Polygon(p) => polygon_parts(p, &mut parts),
                Geometry::MultiPolygon(mp) => {
                    mp.0.iter().for_each(|p| polygon_parts(p, &mut parts))
                }
                Geometry::Rect(r) => polygon_parts(&r.to_polygon(), &mut parts),
                Geometry::Triangle(t) => polygon_parts(&t.to_polygon(), &mut parts),
                _ => {}
            }
            parts.retain(|p| !p.is_empty());
            if parts.is_empty() {
                return null(buf);
            }
            let mut bb = BBox::empty();
            parts.iter().flatten().for_each(|c| bb.add(*c));
            file_bbox.merge(&bb);
            let n_points: usize = parts.iter().map(Vec::len).sum();
            buf.reserve(44 + 4 * parts.len() + 16 * n_points);
            buf.extend_from_slice(&shape_type.to_le_bytes());
            bb.write(buf);
            buf.extend_from_slice(&(parts.len() as i32).to_le_bytes());
            buf.extend_from_slice(&(n_points as i32).to_le_bytes());
            let mut start = 0i32;
            for p in &parts {
                buf.extend_from_slice(&start.to_le_bytes());
                start += p.len() as i32;
            }
            for c in parts.iter().flatten() {
                buf.extend_from_slice(&c.x.to_le_bytes());
                buf.extend_from_slice(&c.y.to_le_bytes());
            }
        }
    }
}

/// One DBF column as it will be written.
struct DbfColumn {
    name: Vec<u8>,
    kind: u8,
    width: usize,
    decimals: u8,
    /// One cell per feature, not yet padded (None = blank).
    cells: Vec<Option<Vec<u8>>>,
}

/// Encode `text`, noting characters the encoding cannot hold.
fn encode_text<'a>(text: &'a str, encoding: &'static Encoding) -> (Cow<'a, [u8]>, bool) {
    let (bytes, _, lossy) = encoding.encode(text);
    (bytes, lossy)
}

/// The longest prefix of `text` whose encoding is at most `max_bytes`, cut between characters.
fn encode_cut(text: &str, encoding: &'static Encoding, max_bytes: usize) -> Vec<u8> {
    let mut out = Vec::with_capacity(max_bytes);
    let mut tmp = [0u8; 4];
    for ch in text.chars() {
        let (b, _) = encode_text(ch.encode_utf8(&mut tmp), encoding);
        if out.len() + b.len() > max_bytes {
            break;
        }
        out.extend_from_slice(&b);
    }
    out
}

/// DBF field names: encoded, at most 10 bytes cut between characters, unique (ignoring case).
fn dbf_field_names(
    layer: &Layer,
    encoding: &'static Encoding,
    warnings: &mut Vec<String>,
) -> Vec<Vec<u8>> {
    let mut used: Vec<String> = Vec::new();
    let mut out = Vec::with_capacity(layer.fields.len());
    for (i, field) in layer.fields.iter().enumerate() {
        let wanted = if field.name.trim().is_empty() {
            format!("FIELD{}", i + 1)
        } else {
            field.name.trim().replace('\0', "")
        };
        let mut bytes = encode_cut(&wanted, encoding, 10);
        let key = |b: &[u8]| encoding.decode_without_bom_handling(b).0.to_lowercase();
        if used.contains(&key(&bytes)) {
            for n in 1.. {
                let suffix = format!("_{n}");
                let mut candidate = encode_cut(&wanted, encoding, 10 - suffix.len());
                candidate.extend_from_slice(suffix.as_bytes());
                if !used.contains(&key(&candidate)) {
                    bytes = candidate;
                    break;
                }
            }
        }
        let written = encoding.decode_without_bom_handling(&bytes).0.into_owned();
        if written != field.name {
            warnings.push(format!(
                "field \"{}\" written as \"{written}\" (DBF field names hold at most 10 bytes and must be unique)",
                field.name
            ));
        }
        used.push(written.to_lowercase());
        out.push(bytes);
    }
    out
}

/// Shortest text of a float that fits `width` characters, or None.
fn float_text(v: f64, width: usize) -> Option<String> {
    if !v.is_finite() {
        return None;
    }
    let plain = format!("{v}");
    if plain.len() <= width {
        return Some(plain);
    }
    let exp = format!("{v:e}");
    if exp.len() <= width {
        return Some(exp);
    }
    // Lose precision rather than the value.
    (1..17)
        .rev()
        .map(|p| format!("{v:.p$e}"))
        .find(|s| s.len() <= width)
}

fn build_dbf(
    layer: &Layer,
    encoding: &'static Encoding,
    warnings: &mut Vec<String>,
) -> std::result::Result<Vec<u8>, String> {
    const INT_WIDTH: usize = 18;
    const FLOAT_WIDTH: usize = 24;
    let names = dbf_field_names(layer, encoding, warnings);
    let n = layer.features.len();
    let mut columns = Vec::with_capacity(layer.fields.len());
    for (fi, (field, name)) in layer.fields.iter().zip(names).enumerate() {
        let values = layer
            .features
            .iter()
            .map(|f| f.attrs.get(fi).unwrap_or(&AttrValue::Null));
        let mut cells = Vec::with_capacity(n);
        let mut unmappable = 0usize;
        let mut cut = 0usize;
        let mut dropped = 0usize;
        let (kind, width, decimals) = match field.kind {
            FieldKind::Text => {
                let mut width = 1;
                for v in values {
                    let cell = v.as_text().map(|t| {
                        let (b, lossy) = encode_text(&t, encoding);
                        unmappable += lossy as usize;
                        if b.len() > 254 {
                            cut += 1;
                            encode_cut(&t, encoding, 254)
                        } else {
                            b.into_owned()
                        }
                    });
                    width = width.max(cell.as_ref().map_or(0, Vec::len));
                    cells.push(cell);
                }
                (b'C', width, 0)
            }
            FieldKind::Int => {
                let mut width = INT_WIDTH;
                for v in values {
                    let cell = match v {
                        AttrValue::Null => None,
                        AttrValue::Int(i) => Some(i.to_string()),
                        AttrValue::Bool(b) => Some(if *b { "1" } else { "0" }.to_string()),
                        other => match other.as_f64() {
                            Some(f) if f.fract() == 0.0 && f.abs() < 9.0e18 => {
                                Some((f as i64).to_string())
                            }
                            Some(f) => float_text(f, 20),
                            None => {
                                dropped += 1;
                                None
                            }
                        },
                    };
                    width = width.max(cell.as_ref().map_or(0, String::len));
                    cells.push(cell.map(String::into_bytes));
                }
                (b'N', width.min(20), 0)
            }
            FieldKind::Float => {
                for v in values {
                    let cell = match v {
                        AttrValue::Null => None,
                        other => match other.as_f64() {
                            Some(f) => float_text(f, FLOAT_WIDTH),
                            None => {
                                dropped += 1;
                                None
                            }
                        },
                    };
                    cells.push(cell.map(String::into_bytes));
                }
                (b'N', FLOAT_WIDTH, 15)
            }
            FieldKind::Bool => {
                for v in values {
                    let cell = match v {
                        AttrValue::Null => None,
                        AttrValue::Bool(b) => Some(if *b { b"T" } else { b"F" }),
                        AttrValue::Int(i) => Some(if *i != 0 { b"T" } else { b"F" }),
                        AttrValue::Text(t) => match t.trim().to_ascii_lowercase().as_str() {
                            "t" | "true" | "y" | "yes" | "1" | "是" => Some(b"T"),
                            "f" | "false" | "n" | "no" | "0" | "否" => Some(b"F"),
                            _ => {
                                dropped += 1;
                                None
                            }
                        },
                        AttrValue::Float(_) => {
                            dropped += 1;
                            None
                        }
                    };
                    cells.push(cell.map(|c| c.to_vec()));
                }
                (b'L', 1, 0)
            }
            FieldKind::Date => {
                for v in values {
                    let cell = v.as_text().and_then(|t| {
                        let digits: String = t.chars().filter(char::is_ascii_digit).collect();
                        if digits.len() == 8 {
                            Some(digits.into_bytes())
                        } else {
                            dropped += 1;
                            None
                        }
                    });
                    cells.push(cell);
                }
                (b'D', 8, 0)
            }
        };
        if unmappable > 0 {
            warnings.push(format!(
                "field \"{}\": {unmappable} value(s) hold characters {} cannot encode (written as &#NNNN; references); write UTF-8 or GB18030 to keep them",
                field.name,
                cpg_label(encoding)
            ));
        }
        if cut > 0 {
            warnings.push(format!(
                "field \"{}\": {cut} value(s) longer than 254 bytes were cut (a DBF text field holds at most 254 bytes)",
                field.name
            ));
        }
        if dropped > 0 {
            warnings.push(format!(
                "field \"{}\": {dropped} value(s) that are not a valid {:?} were written empty",
                field.name, field.kind
            ));
        }
        columns.push(DbfColumn {
            name,
            kind,
            width,
            decimals,
            cells,
        });
    }

    // Numeric cells longer than the column (huge integers) cannot be written.
    for (col, field) in columns.iter_mut().zip(&layer.fields) {
        let width = col.width;
        let mut too_long = 0usize;
        for c in col.cells.iter_mut() {
            if c.as_ref().is_some_and(|c| c.len() > width) {
                *c = None;
                too_long += 1;
            }
        }
        if too_long > 0 {
            warnings.push(format!(
                "field \"{}\": {too_long} value(s) too long for {width} characters were written empty",
                field.name
            ));
        }
    }

    if columns.len() > 2046 {
        return Err(format!(
            "{} fields are more than a DBF can hold (at most 2046; many programs read only 255)",
            columns.len()
        ));
    }
    let record_len = 1 + columns.iter().map(|c| c.width).sum::<usize>();
    if record_len > u16::MAX as usize {
        return Err(format!(
            "a record would be {record_len} bytes, more than the 65535 a DBF allows; drop some text fields"
        ));
    }
    let header_len = 32 + 32 * columns.len() + 1;
    let n_records = u32::try_from(n).map_err(|_| "too many records for a DBF".to_string())?;

    let mut out = Vec::with_capacity(header_len + record_len * n + 1);
    let (y, m, d) = today();
    out.push(0x03);
    out.push(y.saturating_sub(1900).min(255) as u8);
    out.push(m);
    out.push(d);
    out.extend_from_slice(&n_records.to_le_bytes());
    out.extend_from_slice(&(header_len as u16).to_le_bytes());
    out.extend_from_slice(&(record_len as u16).to_le_bytes());
    let mut reserved = [0u8; 20];
    reserved[17] = if encoding == GBK { LDID_GBK } else { 0 }; // byte 29 of the header
    out.extend_from_slice(&reserved);
    for c in &columns {
        let mut name = [0u8; 11];
        name[..c.name.len()].copy_from_slice(&c.name);
        out.extend_from_slice(&name);
        out.push(c.kind);
        out.extend_from_slice(&[0u8; 4]);
        out.push(c.width as u8);
        out.push(c.decimals);
        out.extend_from_slice(&[0u8; 14]);
    }
    out.push(0x0D);
    for i in 0..n {
        out.push(b' ');
        for c in &columns {
            let cell = c.cells[i].as_deref().unwrap_or(&[]);
            let pad = c.width - cell.len();
            if c.kind == b'N' {
                out.extend(std::iter::repeat_n(b' ', pad));
                out.extend_from_slice(cell);
            } else if c.kind == b'L' && cell.is_empty() {
                out.push(b'?');
            } else {
                out.extend_from_slice(cell);
                out.extend(std::iter::repeat_n(b' ', pad));
            }
        }
    }
    out.push(0x1A);
    Ok(out)
}

/// Today's date (UTC) as (year, month, day), for the DBF header.
fn today() -> (u32, u8, u8) {
    let days = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| (d.as_secs() / 86_400) as i64)
        .unwrap_or(0);
    // Howard Hinnant's civil_from_days.
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u8;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u8;
    let y = (yoe + era * 400 + i64::from(m <= 2)) as u32;
    (y, m, d)
}

// ---------------------------------------------------------------------------------------------
// Reader
// ---------------------------------------------------------------------------------------------

/// The files that make up one shapefile, found beside the path the user gave.
#[derive(Debug, Default)]
struct Siblings {
    shp: Option<PathBuf>,
    shx: Option<PathBuf>,
    dbf: Option<PathBuf>,
    cpg: Option<PathBuf>,
    prj: Option<PathBuf>,
}

impl Siblings {
    /// Find the parts of the shapefile `path` belongs to. Extensions match without regard to
    /// case (ROADS.SHP + roads.dbf); a same-case stem is preferred.
    fn find(path: &Path) -> Siblings {
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
enum Bytes {
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

fn open_bytes(path: &Path) -> Result<Bytes> {
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

fn be_i32(b: &[u8], at: usize) -> Option<i32> {
    let s = b.get(at..at.checked_add(4)?)?;
    Some(i32::from_be_bytes([s[0], s[1], s[2], s[3]]))
}

fn le_i32(b: &[u8], at: usize) -> Option<i32> {
    let s = b.get(at..at.checked_add(4)?)?;
    Some(i32::from_le_bytes([s[0], s[1], s[2], s[3]]))
}

fn le_f64(b: &[u8], at: usize) -> Option<f64> {
    let s = b.get(at..at.checked_add(8)?)?;
    let mut a = [0u8; 8];
    a.copy_from_slice(s);
    Some(f64::from_le_bytes(a))
}

/// Where one record's content lies in the .shp.
#[derive(Debug, Clone, Copy)]
struct RecordRef {
    /// Byte offset of the record header.
    offset: usize,
    /// Content length in bytes (after the 8-byte record header).
    len: usize,
}

impl RecordRef {
    fn end(&self) -> usize {
        self.offset.saturating_add(8).saturating_add(self.len)
    }
}

/// The shape types a .shp header may declare.
fn known_shape_type(t: i32) -> bool {
    matches!(
        t,
        0 | 1 | 3 | 5 | 8 | 11 | 13 | 15 | 18 | 21 | 23 | 25 | 28 | 31
    )
}

/// Check the 100-byte header of a .shp (or .shx); returns (declared length in bytes, shape type).
fn read_header(bytes: &[u8], what: &str) -> std::result::Result<(usize, i32), String> {
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
fn records_from_shx(shx: &[u8]) -> std::result::Result<Vec<RecordRef>, String> {
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
fn records_sequential(shp: &[u8]) -> (Vec<RecordRef>, Option<String>) {
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
fn index_records(
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

fn finite(c: Coord<f64>) -> bool {
    c.x.is_finite() && c.y.is_finite()
}

/// `n` XY points starting at `at` (bounds already checked by the caller).
fn read_points(c: &[u8], at: usize, n: usize) -> std::result::Result<Vec<Coord<f64>>, String> {
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
fn read_parts(c: &[u8]) -> std::result::Result<Vec<Vec<Coord<f64>>>, String> {
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
fn assemble_polygon(
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
struct Ring {
    poly: Polygon<f64>,
    area: f64,
    bbox: BBox,
}

impl Ring {
    fn new(pts: Vec<Coord<f64>>, area: f64) -> Self {
        let mut bbox = BBox::empty();
        pts.iter().for_each(|c| bbox.add(*c));
        Ring {
            poly: Polygon::new(LineString(pts), vec![]),
            area,
            bbox,
        }
    }

    fn line(self) -> LineString<f64> {
        self.poly.into_inner().0
    }

    fn bbox_holds(&self, o: &Ring) -> bool {
        o.bbox.min_x >= self.bbox.min_x
            && o.bbox.min_y >= self.bbox.min_y
            && o.bbox.max_x <= self.bbox.max_x
            && o.bbox.max_y <= self.bbox.max_y
    }

    /// True when ring `o` lies inside this one: decided by the first of its vertices that is
    /// not on this ring (rings may touch at vertices).
    fn contains(&self, o: &Ring) -> bool {
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

fn polygons_to_geometry(mut polys: Vec<Polygon<f64>>) -> Geometry<f64> {
    if polys.len() == 1 {
        Geometry::Polygon(polys.remove(0))
    } else {
        Geometry::MultiPolygon(geo_types::MultiPolygon(polys))
    }
}

/// What a record holds.
enum Shape {
    Geometry(Geometry<f64>),
    /// Skipped, with the reason.
    Skip(String),
}

/// Parse one record's content (shape type onward). Z and M values are dropped.
fn parse_shape(c: &[u8], notes: &mut Vec<String>) -> Shape {
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

/// A DBF column.
#[derive(Debug, Clone)]
struct DbfField {
    name_bytes: Vec<u8>,
    kind: u8,
    /// Offset in the record (after the deletion flag at 0).
    offset: usize,
    width: usize,
    decimals: u8,
}

impl DbfField {
    fn field_kind(&self) -> Option<FieldKind> {
        match self.kind {
            b'C' => Some(FieldKind::Text),
            b'N' | b'F' if self.decimals == 0 => Some(FieldKind::Int),
            b'N' | b'F' => Some(FieldKind::Float),
            b'L' => Some(FieldKind::Bool),
            b'D' => Some(FieldKind::Date),
            b'I' | b'+' if self.width == 4 => Some(FieldKind::Int),
            b'O' if self.width == 8 => Some(FieldKind::Float),
            b'Y' if self.width == 8 => Some(FieldKind::Float),
            _ => None,
        }
    }
}

/// A DBF table over its bytes.
struct Dbf {
    bytes: Bytes,
    /// Fields kept (those of a type we read).
    fields: Vec<DbfField>,
    header_len: usize,
    record_len: usize,
    /// Records the header declares.
    declared: usize,
    /// Complete records in the file (capped at `declared`).
    available: usize,
    ldid: u8,
}

impl Dbf {
    fn open(path: &Path, notes: &mut Vec<String>) -> std::result::Result<Dbf, String> {
        let bytes = open_bytes(path).map_err(|e| e.to_string())?;
        if bytes.len() < 32 {
            return Err(format!(
                "the header is cut short ({} bytes; a DBF header has at least 32)",
                bytes.len()
            ));
        }
        let declared = u32::from_le_bytes([bytes[4], bytes[5], bytes[6], bytes[7]]) as usize;
        let header_len = u16::from_le_bytes([bytes[8], bytes[9]]) as usize;
        let record_len = u16::from_le_bytes([bytes[10], bytes[11]]) as usize;
        let ldid = bytes[29];
        if record_len == 0 || header_len < 33 {
            return Err(format!(
                "the header is damaged (header length {header_len}, record length {record_len})"
            ));
        }
        let mut fields = Vec::new();
        let mut offset = 1;
        let mut at = 32;
        let mut dropped = Vec::new();
        while at + 32 <= bytes.len().min(header_len) && bytes[at] != 0x0D {
            let d = &bytes[at..at + 32];
            let name_end = d[..11].iter().position(|&b| b == 0).unwrap_or(11);
            let mut f = DbfField {
                name_bytes: d[..name_end].to_vec(),
                kind: d[11].to_ascii_uppercase(),
                offset,
                width: d[16] as usize,
                decimals: d[17],
            };
            // Old character fields use the decimal byte as the high byte of the width.
            if f.kind == b'C' {
                f.width += (f.decimals as usize) << 8;
                f.decimals = 0;
            }
            offset += f.width;
            at += 32;
            if offset > record_len {
                return Err(format!(
                    "field {} runs past the record length {record_len} (the header is damaged)",
                    fields.len() + dropped.len() + 1
                ));
            }
            if f.field_kind().is_some() {
                fields.push(f);
            } else {
                dropped.push(format!(
                    "{} (type {})",
                    String::from_utf8_lossy(&f.name_bytes),
                    f.kind as char
                ));
            }
        }
        if !dropped.is_empty() {
            notes.push(format!(
                "DBF field(s) of types towncircle does not read were left out: {}",
                dropped.join(", ")
            ));
        }
        let body = bytes.len().saturating_sub(header_len);
        let available = (body / record_len).min(declared);
        Ok(Dbf {
            bytes,
            fields,
            header_len,
            record_len,
            declared,
            available,
            ldid,
        })
    }

    /// Row `i` (0-based) as bytes, deletion flag first; None beyond the end.
    fn row(&self, i: usize) -> Option<&[u8]> {
        if i >= self.available {
            return None;
        }
        let start = self.header_len + i * self.record_len;
        self.bytes.get(start..start + self.record_len)
    }

    fn cell<'a>(&self, row: &'a [u8], f: &DbfField) -> &'a [u8] {
        row.get(f.offset..f.offset + f.width).unwrap_or(&[])
    }

    /// True when every field name and every text cell is valid UTF-8; second value: any
    /// non-ASCII byte at all.
    fn utf8_check(&self) -> (bool, bool) {
        let names_ascii = self.fields.iter().all(|f| f.name_bytes.is_ascii());
        let names_utf8 = self
            .fields
            .iter()
            .all(|f| std::str::from_utf8(&f.name_bytes).is_ok());
        let body_end = (self.header_len + self.available * self.record_len).min(self.bytes.len());
        let body = self.bytes.get(self.header_len..body_end).unwrap_or(&[]);
        if body.is_ascii() {
            return (names_utf8, !names_ascii);
        }
        let text: Vec<&DbfField> = self.fields.iter().filter(|f| f.kind == b'C').collect();
        for i in 0..self.available {
            let Some(row) = self.row(i) else { break };
            for f in &text {
                let c = self.cell(row, f);
                if !c.is_ascii() && std::str::from_utf8(trim_bytes(c)).is_err() {
                    return (false, true);
                }
            }
        }
        (names_utf8, true)
    }
}

fn trim_bytes(b: &[u8]) -> &[u8] {
    let is_pad = |c: &u8| *c == b' ' || *c == 0;
    let start = b.iter().position(|c| !is_pad(c)).unwrap_or(b.len());
    let end = b.iter().rposition(|c| !is_pad(c)).map_or(start, |e| e + 1);
    &b[start..end]
}

/// The encoding's short name, as written in .cpg files.
fn encoding_label(e: &'static Encoding) -> &'static str {
    cpg_label(e)
}

/// How a record cut off by the end of a truncated .shp is described.
const CUT_OFF: &str = "the record is cut off by the end of the .shp";

/// The text encoding of the attribute table, decided as: the user's choice, the .cpg, the DBF
/// language driver id, valid UTF-8, else GBK. Returns it and how it was decided.
fn decide_encoding(
    options: &ReadOptions,
    cpg: Option<&Path>,
    dbf: &Dbf,
    notes: &mut Vec<String>,
) -> (&'static Encoding, String) {
    if let Some(e) = options.encoding {
        return (e, format!("{} (user)", encoding_label(e)));
    }
    if let Some(cpg) = cpg {
        let text = std::fs::read(cpg)
            .map(|b| String::from_utf8_lossy(&b).trim().to_string())
            .unwrap_or_default();
        match super::encoding::encoding_from_label(&text) {
            Some(e) => return (e, format!("{} (from .cpg)", encoding_label(e))),
            None => notes.push(format!(
                "the .cpg names an encoding towncircle does not know (\"{}\"); the encoding was guessed instead",
                text.chars().take(40).collect::<String>()
            )),
        }
    }
    let (utf8_ok, non_ascii) = dbf.utf8_check();
    let ldid = match dbf.ldid {
        0x4D | 0x7A => Some(GBK),
        0x4F | 0x78 => Some(encoding_rs::BIG5),
        _ => None,
    };
    if let Some(e) = ldid {
        if utf8_ok && non_ascii {
            notes.push(format!(
                "the DBF language driver says {} (0x{:02X}) but the text is valid UTF-8; read as UTF-8",
                encoding_label(e),
                dbf.ldid
            ));
            return (
                UTF_8,
                "UTF-8 (guessed: valid UTF-8 despite the DBF language driver)".into(),
            );
        }
        return (
            e,
            format!(
                "{} (from DBF language driver 0x{:02X})",
                encoding_label(e),
                dbf.ldid
            ),
        );
    }
    if utf8_ok {
        let why = if non_ascii {
            "valid UTF-8"
        } else {
            "ASCII only"
        };
        (UTF_8, format!("UTF-8 (guessed: {why})"))
    } else {
        (GBK, "GBK (guessed: not valid UTF-8)".into())
    }
}

/// Decodes DBF cells into attribute values.
struct CellDecoder {
    encoding: &'static Encoding,
    /// Values per field that could not be read (numbers that are not numbers).
    bad: Vec<std::sync::atomic::AtomicUsize>,
}

impl CellDecoder {
    fn text(&self, b: &[u8]) -> String {
        if self.encoding == UTF_8 {
            match std::str::from_utf8(b) {
                Ok(s) => s.to_string(),
                Err(_) => String::from_utf8_lossy(b).into_owned(),
            }
        } else if b.is_ascii() {
            // ASCII is the same in every encoding we read.
            String::from_utf8_lossy(b).into_owned()
        } else {
            // GBK text may hold GB18030 four-byte characters; the GB18030 decoder reads both.
            let enc = if self.encoding == GBK {
                GB18030
            } else {
                self.encoding
            };
            enc.decode_without_bom_handling(b).0.into_owned()
        }
    }

    fn value(&self, fi: usize, f: &DbfField, raw: &[u8]) -> AttrValue {
        let bad = || {
            self.bad[fi].fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            AttrValue::Null
        };
        match f.kind {
            b'I' | b'+' if raw.len() == 4 => {
                AttrValue::Int(i32::from_le_bytes([raw[0], raw[1], raw[2], raw[3]]) as i64)
            }
            b'O' | b'Y' if raw.len() == 8 => {
                let mut a = [0u8; 8];
                a.copy_from_slice(raw);
                if f.kind == b'O' {
                    let v = f64::from_le_bytes(a);
                    if v.is_finite() {
                        AttrValue::Float(v)
                    } else {
                        AttrValue::Null
                    }
                } else {
                    AttrValue::Float(i64::from_le_bytes(a) as f64 / 10_000.0)
                }
            }
            _ => {
                let t = trim_bytes(raw);
                if t.is_empty() {
                    return AttrValue::Null;
                }
                match f.kind {
                    b'C' => AttrValue::Text(self.text(t)),
                    b'N' | b'F' => {
                        if t.iter().all(|&c| c == b'*') {
                            return AttrValue::Null; // dBase overflow marker
                        }
                        let s = String::from_utf8_lossy(t);
                        if f.decimals == 0
                            && let Ok(i) = s.parse::<i64>()
                        {
                            return AttrValue::Int(i);
                        }
                        let parsed = s
                            .parse::<f64>()
                            .or_else(|_| s.replace(',', ".").parse::<f64>());
                        match parsed {
                            Ok(v) if v.is_finite() => {
                                if f.decimals == 0 && v.fract() == 0.0 && v.abs() < 9.0e15 {
                                    AttrValue::Int(v as i64)
                                } else {
                                    AttrValue::Float(v)
                                }
                            }
                            _ => bad(),
                        }
                    }
                    b'L' => match t[0] {
                        b'T' | b't' | b'Y' | b'y' => AttrValue::Bool(true),
                        b'F' | b'f' | b'N' | b'n' => AttrValue::Bool(false),
                        b'?' => AttrValue::Null,
                        _ => bad(),
                    },
                    b'D' => {
                        if t.len() == 8 && t.iter().all(u8::is_ascii_digit) {
                            if t == b"00000000" {
                                return AttrValue::Null;
                            }
                            let s = String::from_utf8_lossy(t);
                            AttrValue::Text(format!("{}-{}-{}", &s[..4], &s[4..6], &s[6..]))
                        } else {
                            AttrValue::Text(self.text(t))
                        }
                    }
                    _ => AttrValue::Null,
                }
            }
        }
    }
}

/// The CRS: the user's, else the .prj's, else unknown (the loader then guesses).
fn read_crs(options: &ReadOptions, prj: Option<&Path>, notes: &mut Vec<String>) -> CrsInfo {
    if let Some(c) = &options.crs {
        return CrsInfo::user(c.clone());
    }
    let Some(prj) = prj else {
        return CrsInfo::unknown();
    };
    let text = std::fs::read(prj)
        .map(|b| String::from_utf8_lossy(&b).into_owned())
        .unwrap_or_default();
    match crate::crs::wkt::parse_wkt(&text) {
        Ok(c) => CrsInfo::declared(c, ".prj"),
        Err(e) => {
            notes.push(format!(
                "the .prj is not understood ({e}); the coordinate system will be guessed from the coordinates"
            ));
            CrsInfo::unknown()
        }
    }
}

/// One record as read: its geometry (or why it was skipped), attributes and notes.
struct RecordOut {
    shape: Shape,
    attrs: Vec<AttrValue>,
    notes: Vec<String>,
}

/// Read a shapefile into one layer in its own CRS. `path` may name the .shp, .shx or .dbf;
/// the other parts are found beside it whatever the case of their extensions.
pub fn read(path: &Path, options: &ReadOptions) -> Result<Layer> {
    use rayon::prelude::*;

    let files = Siblings::find(path);
    let Some(shp_path) = files.shp.clone() else {
        let stem = path
            .file_stem()
            .map(|s| s.to_string_lossy().into_owned())
            .unwrap_or_default();
        return Err(IoError::Missing {
            path: path.to_path_buf(),
            what: format!(
                "the .shp file (the geometry) is missing: put {stem}.shp beside this file, or open the shapefile's .shp"
            ),
        }
        .into());
    };
    let mut issues: Vec<crate::model::Issue> = Vec::new();
    let warn = |issues: &mut Vec<crate::model::Issue>, m: String| {
        issues.push(crate::model::Issue::warning(None, m));
    };
    // The file set is incomplete: `n` features lost or left without attributes.
    let incomplete = |issues: &mut Vec<crate::model::Issue>, m: String, n: usize| {
        issues.push(
            crate::model::Issue::warning(None, m)
                .of_kind(crate::model::IssueKind::Truncated)
                .for_features(n),
        );
    };

    // Geometry file and its index.
    let shp = open_bytes(&shp_path)?;
    let (declared_len, _shape_type) =
        read_header(&shp, ".shp").map_err(|m| IoError::invalid(&shp_path, Location::File, m))?;
    let mut index_notes = Vec::new();
    let records = index_records(&shp, &shp_path, files.shx.as_deref(), &mut index_notes);
    for n in index_notes {
        warn(&mut issues, n);
    }
    // Truncation: records that end past the end of the file.
    let complete = records.iter().filter(|r| r.end() <= shp.len()).count();
    let expected_len = records
        .iter()
        .map(RecordRef::end)
        .max()
        .unwrap_or(SHP_HEADER_BYTES)
        .max(declared_len);
    if expected_len > shp.len() {
        // The lost records are counted by the skipped issues below (when the .shx lists them).
        incomplete(
            &mut issues,
            format!(
                "the .shp file is truncated at byte {} (expected {expected_len}); {complete} complete record(s) kept",
                shp.len()
            ),
            0,
        );
    }

    // Attribute table.
    let mut dbf_notes = Vec::new();
    let dbf = match &files.dbf {
        Some(p) => match Dbf::open(p, &mut dbf_notes) {
            Ok(d) => Some(d),
            Err(e) => {
                incomplete(
                    &mut issues,
                    format!(
                        "the .dbf cannot be read ({e}); features have no attributes: {}",
                        p.display()
                    ),
                    records.len(),
                );
                None
            }
        },
        None => {
            let dbf_name = shp_path
                .with_extension("dbf")
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default();
            incomplete(
                &mut issues,
                format!(
                    "the .dbf (attribute table) is missing, so features have no attributes: put {dbf_name} beside the .shp"
                ),
                records.len(),
            );
            None
        }
    };
    let mut encoding_desc = None;
    let mut fields = Vec::new();
    let mut decoder = CellDecoder {
        encoding: UTF_8,
        bad: Vec::new(),
    };
    if let Some(dbf) = &dbf {
        let (enc, desc) = decide_encoding(options, files.cpg.as_deref(), dbf, &mut dbf_notes);
        decoder.encoding = enc;
        decoder.bad = dbf.fields.iter().map(|_| Default::default()).collect();
        encoding_desc = Some(desc);
        for (i, f) in dbf.fields.iter().enumerate() {
            let name = decoder.text(trim_bytes(&f.name_bytes));
            let name = if name.is_empty() {
                format!("FIELD{}", i + 1)
            } else {
                name
            };
            if let Some(kind) = f.field_kind() {
                fields.push(crate::model::Field::new(name, kind));
            }
        }
        if dbf.available < dbf.declared {
            incomplete(
                &mut issues,
                format!(
                    "the .dbf is truncated: it holds {} of its {} records; features after {} have no attributes",
                    dbf.available, dbf.declared, dbf.available
                ),
                dbf.declared - dbf.available,
            );
        }
        if dbf.declared != records.len() {
            warn(
                &mut issues,
                format!(
                    "the .shp has {} records but the .dbf {}; attributes were matched by position",
                    records.len(),
                    dbf.declared
                ),
            );
        }
    }
    for n in dbf_notes {
        warn(&mut issues, n);
    }

    // Records, in parallel; order is kept.
    let shp_bytes: &[u8] = &shp;
    let n_fields = fields.len();
    let outs: Vec<RecordOut> = records
        .par_iter()
        .enumerate()
        .map(|(i, r)| {
            let mut notes = Vec::new();
            let row = dbf.as_ref().and_then(|d| d.row(i).map(|row| (d, row)));
            if let Some((_, row)) = row
                && row.first() == Some(&b'*')
            {
                return RecordOut {
                    shape: Shape::Skip("the record is marked deleted in the .dbf".into()),
                    attrs: Vec::new(),
                    notes,
                };
            }
            let shape = if r.end() > shp_bytes.len() {
                if r.offset < shp_bytes.len() {
                    Shape::Skip(format!(
                        "{CUT_OFF} (it needs bytes {}..{}, the file has {})",
                        r.offset,
                        r.end(),
                        shp_bytes.len()
                    ))
                } else {
                    Shape::Skip(String::new()) // beyond the end: counted once below
                }
            } else {
                parse_shape(&shp_bytes[r.offset + 8..r.end()], &mut notes)
            };
            let attrs = match (&shape, row) {
                (Shape::Skip(_), _) => Vec::new(),
                (_, Some((d, row))) => d
                    .fields
                    .iter()
                    .enumerate()
                    .map(|(fi, f)| decoder.value(fi, f, d.cell(row, f)))
                    .collect(),
                (_, None) => vec![AttrValue::Null; n_fields],
            };
            RecordOut {
                shape,
                attrs,
                notes,
            }
        })
        .collect();

    let mut features = Vec::with_capacity(outs.len());
    let mut beyond_end = 0usize;
    for (i, out) in outs.into_iter().enumerate() {
        let id = crate::model::layer::SourceId::Feature(i as u64 + 1);
        for n in out.notes {
            issues.push(crate::model::Issue::warning(Some(id), n));
        }
        match out.shape {
            Shape::Geometry(geometry) => features.push(crate::model::Feature {
                geometry,
                attrs: out.attrs,
                source_id: id,
                category: None,
            }),
            Shape::Skip(why) if why.is_empty() => beyond_end += 1,
            Shape::Skip(why) if why.starts_with(CUT_OFF) => issues.push(
                crate::model::Issue::skipped(Some(id), why)
                    .of_kind(crate::model::IssueKind::Truncated),
            ),
            Shape::Skip(why) => issues.push(crate::model::Issue::skipped(Some(id), why)),
        }
    }
    if beyond_end > 0 {
        issues.push(
            crate::model::Issue::skipped(
                None,
                format!("{beyond_end} more record(s) listed in the .shx lie past the end of the truncated .shp"),
            )
            .of_kind(crate::model::IssueKind::Truncated)
            .for_features(beyond_end),
        );
    }
    if let Some(dbf) = &dbf {
        for (f, bad) in dbf.fields.iter().zip(&decoder.bad) {
            let n = bad.load(std::sync::atomic::Ordering::Relaxed);
            if n > 0 {
                issues.push(crate::model::Issue::warning(
                    None,
                    format!(
                        "field \"{}\": {n} value(s) that are not valid for its type (dBase '{}') were read as empty",
                        decoder.text(trim_bytes(&f.name_bytes)),
                        f.kind as char
                    ),
                ));
            }
        }
    }

    // Coordinate system.
    let mut crs_notes = Vec::new();
    let crs = read_crs(options, files.prj.as_deref(), &mut crs_notes);
    for n in crs_notes {
        warn(&mut issues, n);
    }

    let name = shp_path
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_else(|| "shapefile".into());
    let mut layer = Layer::new(
        name,
        crate::model::SourceInfo {
            path: path.to_path_buf(),
            format: crate::model::Format::Shapefile,
            table: None,
            encoding: encoding_desc,
        },
        crs,
    );
    layer.fields = fields;
    layer.features = features;
    layer.issues = issues;
    Ok(layer)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::crs::{Crs, CrsInfo};
    use crate::model::layer::SourceId;
    use crate::model::{Feature, Field, Format, SourceInfo};
    use geo_types::{MultiPolygon, Point, coord, line_string, polygon};

    pub(super) fn layer_with(
        fields: Vec<Field>,
        rows: Vec<(Geometry<f64>, Vec<AttrValue>)>,
    ) -> Layer {
        let mut layer = Layer::new(
            "test",
            SourceInfo {
                path: "test.shp".into(),
                format: Format::Shapefile,
                table: None,
                encoding: None,
            },
            CrsInfo::declared(Crs::Epsg(4549), "test"),
        );
        layer.fields = fields;
        layer.features = rows
            .into_iter()
            .enumerate()
            .map(|(i, (geometry, attrs))| Feature {
                geometry,
                attrs,
                source_id: SourceId::Feature(i as u64 + 1),
                category: None,
            })
            .collect();
        layer
    }

    pub(super) fn square(x0: f64, y0: f64, size: f64) -> LineString<f64> {
        line_string![
            (x: x0, y: y0),
            (x: x0 + size, y: y0),
            (x: x0 + size, y: y0 + size),
            (x: x0, y: y0 + size),
            (x: x0, y: y0),
        ]
    }

    fn gbk_town_layer() -> Layer {
        layer_with(
            vec![
                Field::new("名称", FieldKind::Text),
                Field::new("人口", FieldKind::Int),
                Field::new("面积", FieldKind::Float),
                Field::new("是否镇区", FieldKind::Bool),
                Field::new("建成日期", FieldKind::Date),
            ],
            vec![
                (
                    Geometry::Polygon(Polygon::new(
                        square(500_000.0, 3_300_000.0, 100.0),
                        vec![square(500_010.0, 3_300_010.0, 10.0)],
                    )),
                    vec![
                        AttrValue::Text("双浦镇".into()),
                        AttrValue::Int(52_000),
                        AttrValue::Float(86.25),
                        AttrValue::Bool(true),
                        AttrValue::Text("2019-07-01".into()),
                    ],
                ),
                (
                    Geometry::MultiPolygon(MultiPolygon(vec![
                        Polygon::new(square(600_000.0, 3_300_000.0, 50.0), vec![]),
                        Polygon::new(square(700_000.0, 3_300_000.0, 50.0), vec![]),
                    ])),
                    vec![
                        AttrValue::Text("转塘街道".into()),
                        AttrValue::Null,
                        AttrValue::Float(-0.125),
                        AttrValue::Bool(false),
                        AttrValue::Null,
                    ],
                ),
            ],
        )
    }

    #[test]
    fn writer_output_reads_in_the_shapefile_and_dbase_crates() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("towns.shp");
        let layer = gbk_town_layer();
        let warnings = write_with_warnings(&path, &layer, GBK).unwrap();
        assert!(warnings.is_empty(), "{warnings:?}");
        assert_eq!(
            std::fs::read_to_string(dir.path().join("towns.cpg")).unwrap(),
            "GBK"
        );
        let prj = std::fs::read_to_string(dir.path().join("towns.prj")).unwrap();
        assert_eq!(crate::crs::wkt::parse_wkt(&prj).unwrap(), Crs::Epsg(4549));

        let shapes = ::shapefile::read_shapes_as::<_, ::shapefile::Polygon>(&path).unwrap();
        assert_eq!(shapes.len(), 2);
        let rings = shapes[0].rings();
        assert_eq!(rings.len(), 2);
        assert!(matches!(rings[0], ::shapefile::PolygonRing::Outer(_)));
        assert!(matches!(rings[1], ::shapefile::PolygonRing::Inner(_)));
        assert_eq!(shapes[1].rings().len(), 2);
        // Outer ring clockwise, hole counter-clockwise, as the spec requires.
        let pts = |r: &::shapefile::PolygonRing<::shapefile::Point>| {
            r.points()
                .iter()
                .map(|p| coord! {x: p.x, y: p.y})
                .collect::<Vec<_>>()
        };
        assert!(ring_signed_area2(&pts(&rings[0])) < 0.0);
        assert!(ring_signed_area2(&pts(&rings[1])) > 0.0);
        assert_eq!(pts(&rings[0]).len(), 5);

        let mut dbf = dbase::ReaderBuilder::new()
            .with_encoding(dbase::encoding::EncodingRs::from(GBK))
            .open(dir.path().join("towns.dbf"))
            .unwrap();
        let names: Vec<String> = dbf.fields().iter().map(|f| f.name().to_string()).collect();
        assert_eq!(names, ["名称", "人口", "面积", "是否镇区", "建成日期"]);
        let records = dbf.read().unwrap();
        assert_eq!(records.len(), 2);
        assert_eq!(
            records[0].get("名称"),
            Some(&dbase::FieldValue::Character(Some("双浦镇".into())))
        );
        assert_eq!(
            records[1].get("名称"),
            Some(&dbase::FieldValue::Character(Some("转塘街道".into())))
        );
        assert_eq!(
            records[0].get("人口"),
            Some(&dbase::FieldValue::Numeric(Some(52_000.0)))
        );
        assert_eq!(
            records[1].get("人口"),
            Some(&dbase::FieldValue::Numeric(None))
        );
        assert_eq!(
            records[1].get("面积"),
            Some(&dbase::FieldValue::Numeric(Some(-0.125)))
        );
        assert_eq!(
            records[0].get("是否镇区"),
            Some(&dbase::FieldValue::Logical(Some(true)))
        );
        // Language driver id for GBK.
        let raw = std::fs::read(dir.path().join("towns.dbf")).unwrap();
        assert_eq!(raw[29], LDID_GBK);
    }

    #[test]
    fn field_names_are_cut_on_characters_and_made_unique() {
        let layer = layer_with(
            vec![
                Field::new("行政区划代码名称", FieldKind::Text), // 16 bytes in GBK
                Field::new("行政区划代码名称二", FieldKind::Text),
                Field::new("population_total", FieldKind::Int),
                Field::new("POPULATION_TOTAL_2", FieldKind::Int),
            ],
            vec![(
                Geometry::Point(Point::new(1.0, 2.0)),
                vec![AttrValue::Null; 4],
            )],
        );
        let mut warnings = Vec::new();
        let gbk = dbf_field_names(&layer, GBK, &mut warnings);
        let decoded: Vec<String> = gbk.iter().map(|b| GBK.decode(b).0.into_owned()).collect();
        assert_eq!(
            decoded,
            ["行政区划代", "行政区划_1", "population", "POPULATI_1"]
        );
        assert!(gbk.iter().all(|b| b.len() <= 10));
        assert_eq!(warnings.len(), 4);
        // UTF-8: three bytes a character, so three characters fit.
        let utf8 = dbf_field_names(&layer, UTF_8, &mut Vec::new());
        assert_eq!(std::str::from_utf8(&utf8[0]).unwrap(), "行政区");
        assert_eq!(std::str::from_utf8(&utf8[1]).unwrap(), "行政_1");
    }

    #[test]
    fn long_text_is_cut_with_a_warning_and_unmappable_characters_reported() {
        let long = "镇".repeat(200); // 400 bytes in GBK
        let layer = layer_with(
            vec![Field::new("note", FieldKind::Text)],
            vec![
                (
                    Geometry::Point(Point::new(1.0, 2.0)),
                    vec![AttrValue::Text(long)],
                ),
                (
                    Geometry::Point(Point::new(1.0, 2.0)),
                    vec![AttrValue::Text("𠀀".into())],
                ),
            ],
        );
        let mut warnings = Vec::new();
        let dbf = build_dbf(&layer, GBK, &mut warnings).unwrap();
        assert!(warnings.iter().any(|w| w.contains("cut")), "{warnings:?}");
        assert!(
            warnings.iter().any(|w| w.contains("cannot encode")),
            "{warnings:?}"
        );
        // Width 254, cut to 127 characters (254 bytes).
        assert_eq!(dbf[32 + 16], 254);
        let mut warnings = Vec::new();
        build_dbf(&layer, GB18030, &mut warnings).unwrap();
        assert!(
            !warnings.iter().any(|w| w.contains("cannot encode")),
            "{warnings:?}"
        );
    }

    #[test]
    fn mixed_and_empty_layers_are_refused() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("x.shp");
        let empty = layer_with(vec![], vec![]);
        let e = write(&path, &empty, UTF_8).unwrap_err().to_string();
        assert!(e.contains("no features"), "{e}");
        let mixed = layer_with(
            vec![],
            vec![
                (Geometry::Point(Point::new(1.0, 2.0)), vec![]),
                (
                    Geometry::Polygon(polygon![(x: 0., y: 0.), (x: 1., y: 0.), (x: 1., y: 1.)]),
                    vec![],
                ),
            ],
        );
        let e = write(&path, &mixed, UTF_8).unwrap_err().to_string();
        assert!(e.contains("one geometry type"), "{e}");
        assert!(!path.exists());
    }

    // ---- reader ----------------------------------------------------------------------------

    use crate::error::Error;
    use crate::model::Severity;

    /// The geometry as the writer puts it on disk: outer rings clockwise, holes counter-clockwise.
    fn as_written(g: &Geometry<f64>) -> Geometry<f64> {
        let orient = |p: &Polygon<f64>| {
            Polygon::new(
                LineString(oriented_ring(p.exterior(), true)),
                p.interiors()
                    .iter()
                    .map(|r| LineString(oriented_ring(r, false)))
                    .collect(),
            )
        };
        match g {
            Geometry::Polygon(p) => Geometry::Polygon(orient(p)),
            Geometry::MultiPolygon(mp) => {
                Geometry::MultiPolygon(MultiPolygon(mp.0.iter().map(orient).collect()))
            }
            other => other.clone(),
        }
    }

    fn read_default(path: &Path) -> Layer {
        read(path, &ReadOptions::default()).unwrap()
    }

    fn messages(layer: &Layer) -> String {
        layer
            .issues
            .iter()
            .map(|i| i.to_string())
            .collect::<Vec<_>>()
            .join("\n")
    }

    /// A .shp and .shx from hand-made record contents.
    fn shp_bytes(shape_type: i32, contents: &[Vec<u8>]) -> (Vec<u8>, Vec<u8>) {
        let shp_len = SHP_HEADER_BYTES + contents.iter().map(|c| 8 + c.len()).sum::<usize>();
        let shx_len = SHP_HEADER_BYTES + 8 * contents.len();
        let bb = BBox {
            min_x: 0.0,
            min_y: 0.0,
            max_x: 10.0,
            max_y: 10.0,
        };
        let (mut shp, mut shx) = (Vec::new(), Vec::new());
        write_shp_header(&mut shp, shp_len, shape_type, &bb);
        write_shp_header(&mut shx, shx_len, shape_type, &bb);
        for (i, c) in contents.iter().enumerate() {
            shx.extend_from_slice(&((shp.len() / 2) as i32).to_be_bytes());
            shx.extend_from_slice(&((c.len() / 2) as i32).to_be_bytes());
            shp.extend_from_slice(&(i as i32 + 1).to_be_bytes());
            shp.extend_from_slice(&((c.len() / 2) as i32).to_be_bytes());
            shp.extend_from_slice(c);
        }
        (shp, shx)
    }

    /// A PolyLine/Polygon-style record content, with `extra` bytes of Z/M data after the points.
    fn parts_content(shape_type: i32, parts: &[&[(f64, f64)]], extra: usize) -> Vec<u8> {
        let mut c = Vec::new();
        c.extend_from_slice(&shape_type.to_le_bytes());
        c.extend_from_slice(&[0u8; 32]);
        let n: usize = parts.iter().map(|p| p.len()).sum();
        c.extend_from_slice(&(parts.len() as i32).to_le_bytes());
        c.extend_from_slice(&(n as i32).to_le_bytes());
        let mut start = 0i32;
        for p in parts {
            c.extend_from_slice(&start.to_le_bytes());
            start += p.len() as i32;
        }
        for (x, y) in parts.iter().flat_map(|p| p.iter()) {
            c.extend_from_slice(&x.to_le_bytes());
            c.extend_from_slice(&y.to_le_bytes());
        }
        c.extend(std::iter::repeat_n(0u8, extra));
        c
    }

    fn write_raw(dir: &Path, name: &str, shape_type: i32, contents: &[Vec<u8>]) -> PathBuf {
        let (shp, shx) = shp_bytes(shape_type, contents);
        let path = dir.join(format!("{name}.shp"));
        std::fs::write(&path, shp).unwrap();
        std::fs::write(dir.join(format!("{name}.shx")), shx).unwrap();
        path
    }

    #[test]
    fn gbk_chinese_names_and_values_round_trip() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("镇区.shp");
        let layer = gbk_town_layer();
        write(&path, &layer, GBK).unwrap();
        let back = read_default(&path);
        assert_eq!(back.name, "镇区");
        assert_eq!(back.source.encoding.as_deref(), Some("GBK (from .cpg)"));
        assert_eq!(back.crs, CrsInfo::declared(Crs::Epsg(4549), ".prj"));
        assert_eq!(back.fields, layer.fields);
        assert_eq!(back.features.len(), 2);
        assert_eq!(back.features[0].attrs, layer.features[0].attrs);
        assert_eq!(back.features[1].attrs, layer.features[1].attrs);
        assert_eq!(back.features[0].source_id, SourceId::Feature(1));
        for (a, b) in back.features.iter().zip(&layer.features) {
            assert_eq!(a.geometry, as_written(&b.geometry));
        }
        assert!(back.issues.is_empty(), "{}", messages(&back));
        // Through the format dispatch, from the .dbf as well.
        let layers =
            crate::io::read(&dir.path().join("镇区.dbf"), &ReadOptions::default()).unwrap();
        assert_eq!(layers.len(), 1);
        assert_eq!(layers[0].features.len(), 2);
        assert_eq!(layers[0].source.format, Format::Shapefile);
    }

    #[test]
    fn utf8_with_cpg() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("u.shp");
        write(&path, &gbk_town_layer(), UTF_8).unwrap();
        let raw = std::fs::read(dir.path().join("u.dbf")).unwrap();
        assert_eq!(raw[29], 0);
        let back = read_default(&path);
        assert_eq!(back.source.encoding.as_deref(), Some("UTF-8 (from .cpg)"));
        assert_eq!(back.fields[0].name, "名称");
        assert_eq!(
            back.features[1].attrs[0],
            AttrValue::Text("转塘街道".into())
        );
    }

    #[test]
    fn gbk_without_cpg_is_told_by_the_language_driver_or_guessed() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("g.shp");
        write(&path, &gbk_town_layer(), GBK).unwrap();
        std::fs::remove_file(dir.path().join("g.cpg")).unwrap();
        let back = read_default(&path);
        assert_eq!(
            back.source.encoding.as_deref(),
            Some("GBK (from DBF language driver 0x4D)")
        );
        assert_eq!(back.fields[1].name, "人口");
        // Language driver 0: guessed from the bytes.
        let dbf_path = dir.path().join("g.dbf");
        let mut raw = std::fs::read(&dbf_path).unwrap();
        raw[29] = 0;
        std::fs::write(&dbf_path, raw).unwrap();
        let back = read_default(&path);
        assert_eq!(
            back.source.encoding.as_deref(),
            Some("GBK (guessed: not valid UTF-8)")
        );
        assert_eq!(back.fields[0].name, "名称");
        assert_eq!(back.features[0].attrs[0], AttrValue::Text("双浦镇".into()));
    }

    #[test]
    fn user_encoding_overrides_a_wrong_cpg() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("w.shp");
        write(&path, &gbk_town_layer(), GBK).unwrap();
        std::fs::write(dir.path().join("w.cpg"), "UTF-8").unwrap(); // wrong
        let wrong = read_default(&path);
        assert_eq!(wrong.source.encoding.as_deref(), Some("UTF-8 (from .cpg)"));
        assert_ne!(wrong.features[0].attrs[0], AttrValue::Text("双浦镇".into()));
        let options = ReadOptions {
            encoding: Some(GBK),
            ..Default::default()
        };
        let right = read(&path, &options).unwrap();
        assert_eq!(right.source.encoding.as_deref(), Some("GBK (user)"));
        assert_eq!(right.features[0].attrs[0], AttrValue::Text("双浦镇".into()));
        // A .cpg naming nonsense: warned, then guessed.
        std::fs::write(dir.path().join("w.cpg"), "klingon-8").unwrap();
        let guessed = read_default(&path);
        assert!(
            messages(&guessed).contains("klingon-8"),
            "{}",
            messages(&guessed)
        );
        assert!(
            guessed
                .source
                .encoding
                .as_deref()
                .unwrap()
                .starts_with("GBK")
        );
        assert_eq!(
            guessed.features[0].attrs[0],
            AttrValue::Text("双浦镇".into())
        );
    }

    #[test]
    fn gb18030_only_characters() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("rare.shp");
        let name = "𠀀䶮村€"; // four-byte GB18030 and characters outside GB2312
        let layer = layer_with(
            vec![Field::new("村名𠀀", FieldKind::Text)],
            vec![(
                Geometry::Point(Point::new(120.1, 30.2)),
                vec![AttrValue::Text(name.into())],
            )],
        );
        let warnings = write_with_warnings(&path, &layer, GB18030).unwrap();
        assert!(warnings.is_empty(), "{warnings:?}");
        let back = read_default(&path);
        assert_eq!(back.source.encoding.as_deref(), Some("GB18030 (from .cpg)"));
        assert_eq!(back.fields[0].name, "村名𠀀");
        assert_eq!(back.features[0].attrs[0], AttrValue::Text(name.into()));
        // Without the .cpg the guess (GBK, decoded as GB18030) still reads them.
        std::fs::remove_file(dir.path().join("rare.cpg")).unwrap();
        let back = read_default(&path);
        assert_eq!(
            back.source.encoding.as_deref(),
            Some("GBK (guessed: not valid UTF-8)")
        );
        assert_eq!(back.features[0].attrs[0], AttrValue::Text(name.into()));
    }

    #[test]
    fn z_and_m_types_are_read_in_2d() {
        let dir = tempfile::tempdir().unwrap();
        // PointZ: x, y, z, m.
        let mut pz = 11i32.to_le_bytes().to_vec();
        for v in [1.5f64, 2.5, 99.0, 0.0] {
            pz.extend_from_slice(&v.to_le_bytes());
        }
        // PointM: x, y, m.
        let mut pm = 21i32.to_le_bytes().to_vec();
        for v in [3.0f64, 4.0, -1e39] {
            pm.extend_from_slice(&v.to_le_bytes());
        }
        let p = write_raw(dir.path(), "pts", 11, &[pz, pm]);
        let layer = read_default(&p);
        let geoms: Vec<_> = layer.features.iter().map(|f| f.geometry.clone()).collect();
        assert_eq!(
            geoms,
            [
                Geometry::Point(Point::new(1.5, 2.5)),
                Geometry::Point(Point::new(3.0, 4.0))
            ]
        );
        // PolyLineZ (two parts → MultiLineString) and PolygonM; Z range+array and M range+array.
        let line: &[(f64, f64)] = &[(0.0, 0.0), (1.0, 1.0)];
        let line2: &[(f64, f64)] = &[(2.0, 2.0), (3.0, 2.0), (4.0, 3.0)];
        let lz = parts_content(13, &[line, line2], 16 + 8 * 5 + 16 + 8 * 5);
        let p = write_raw(dir.path(), "lines", 13, &[lz]);
        let layer = read_default(&p);
        assert_eq!(
            layer.features[0].geometry,
            Geometry::MultiLineString(geo_types::MultiLineString(vec![
                LineString::from(vec![(0.0, 0.0), (1.0, 1.0)]),
                LineString::from(vec![(2.0, 2.0), (3.0, 2.0), (4.0, 3.0)]),
            ]))
        );
        let cw: &[(f64, f64)] = &[(0.0, 0.0), (0.0, 1.0), (1.0, 1.0), (1.0, 0.0), (0.0, 0.0)];
        let pm = parts_content(25, &[cw], 16 + 8 * 5);
        let mut mpz = 18i32.to_le_bytes().to_vec(); // MultiPointZ
        mpz.extend_from_slice(&[0u8; 32]);
        mpz.extend_from_slice(&2i32.to_le_bytes());
        for v in [5.0f64, 6.0, 7.0, 8.0, 0.0, 0.0, 1.0, 2.0] {
            mpz.extend_from_slice(&v.to_le_bytes());
        }
        let p = write_raw(dir.path(), "mixed", 25, &[pm, mpz]);
        let layer = read_default(&p);
        assert_eq!(
            layer.features[0].geometry,
            Geometry::Polygon(Polygon::new(LineString::from(cw.to_vec()), vec![]))
        );
        assert_eq!(
            layer.features[1].geometry,
            Geometry::MultiPoint(vec![Point::new(5.0, 6.0), Point::new(7.0, 8.0)].into())
        );
    }

    #[test]
    fn multipart_polygon_holes_go_to_the_outer_ring_that_contains_them() {
        let dir = tempfile::tempdir().unwrap();
        // Rings in an awkward order: the hole (counter-clockwise) first, then two outers.
        let hole: &[(f64, f64)] = &[
            (21.0, 1.0),
            (22.0, 1.0),
            (22.0, 2.0),
            (21.0, 2.0),
            (21.0, 1.0),
        ];
        let outer_a: &[(f64, f64)] = &[(0.0, 0.0), (0.0, 5.0), (5.0, 5.0), (5.0, 0.0), (0.0, 0.0)];
        let outer_b: &[(f64, f64)] = &[
            (20.0, 0.0),
            (20.0, 5.0),
            (25.0, 5.0),
            (25.0, 0.0),
            (20.0, 0.0),
        ];
        let c = parts_content(5, &[hole, outer_a, outer_b], 0);
        let p = write_raw(dir.path(), "mp", 5, &[c]);
        let layer = read_default(&p);
        assert!(
            layer.issues.iter().all(|i| i.message.contains(".dbf")),
            "{}",
            messages(&layer)
        );
        let Geometry::MultiPolygon(mp) = &layer.features[0].geometry else {
            panic!("expected a multipolygon: {:?}", layer.features[0].geometry);
        };
        assert_eq!(mp.0.len(), 2);
        assert_eq!(mp.0[0].exterior(), &LineString::from(outer_a.to_vec()));
        assert!(mp.0[0].interiors().is_empty());
        assert_eq!(mp.0[1].exterior(), &LineString::from(outer_b.to_vec()));
        assert_eq!(mp.0[1].interiors(), &[LineString::from(hole.to_vec())]);

        // Only counter-clockwise rings: each is an outer ring, with a warning.
        let ccw: &[(f64, f64)] = &[(0.0, 0.0), (5.0, 0.0), (5.0, 5.0), (0.0, 5.0), (0.0, 0.0)];
        let ccw2: &[(f64, f64)] = &[(9.0, 0.0), (10.0, 0.0), (10.0, 1.0), (9.0, 0.0)];
        let p = write_raw(dir.path(), "ccw", 5, &[parts_content(5, &[ccw, ccw2], 0)]);
        let layer = read_default(&p);
        assert!(
            messages(&layer).contains("counter-clockwise"),
            "{}",
            messages(&layer)
        );
        assert!(
            matches!(&layer.features[0].geometry, Geometry::MultiPolygon(mp) if mp.0.len() == 2)
        );

        // Orientation the wrong way round: outer counter-clockwise, hole clockwise.
        let hole_cw: &[(f64, f64)] = &[(1.0, 1.0), (1.0, 2.0), (2.0, 2.0), (2.0, 1.0), (1.0, 1.0)];
        let p = write_raw(
            dir.path(),
            "rev",
            5,
            &[parts_content(5, &[ccw, hole_cw], 0)],
        );
        let layer = read_default(&p);
        assert!(
            messages(&layer).contains("wrong way round"),
            "{}",
            messages(&layer)
        );
        assert_eq!(
            layer.features[0].geometry,
            Geometry::Polygon(Polygon::new(
                LineString::from(ccw.to_vec()),
                vec![LineString::from(hole_cw.to_vec())]
            ))
        );
        // A counter-clockwise ring outside the only outer ring is not made its hole.
        let away: &[(f64, f64)] = &[(30.0, 0.0), (31.0, 0.0), (31.0, 1.0), (30.0, 0.0)];
        let p = write_raw(
            dir.path(),
            "away",
            5,
            &[parts_content(5, &[outer_a, away], 0)],
        );
        let layer = read_default(&p);
        assert!(
            messages(&layer).contains("outside every outer ring"),
            "{}",
            messages(&layer)
        );
        let Geometry::MultiPolygon(mp) = &layer.features[0].geometry else {
            panic!("multipolygon expected");
        };
        assert_eq!(mp.0.len(), 2);
        assert!(mp.0.iter().all(|p| p.interiors().is_empty()));
    }

    #[test]
    fn unclosed_ring_is_closed_with_a_warning() {
        let dir = tempfile::tempdir().unwrap();
        let open: &[(f64, f64)] = &[(0.0, 0.0), (0.0, 5.0), (5.0, 5.0), (5.0, 0.0)];
        let p = write_raw(dir.path(), "open", 5, &[parts_content(5, &[open], 0)]);
        let layer = read_default(&p);
        let Geometry::Polygon(poly) = &layer.features[0].geometry else {
            panic!("polygon expected");
        };
        assert_eq!(poly.exterior().0.len(), 5);
        assert_eq!(poly.exterior().0[0], poly.exterior().0[4]);
        let w = layer
            .issues
            .iter()
            .find(|i| i.message.contains("not closed"))
            .expect("warning");
        assert_eq!(w.severity, Severity::Warning);
        assert_eq!(w.feature, Some(SourceId::Feature(1)));
    }

    #[test]
    fn nan_coordinates_skip_the_feature_and_name_it() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("nan.shp");
        let layer = layer_with(
            vec![Field::new("id", FieldKind::Int)],
            vec![
                (
                    Geometry::Point(Point::new(1.0, 2.0)),
                    vec![AttrValue::Int(1)],
                ),
                (
                    Geometry::Point(Point::new(f64::NAN, 2.0)),
                    vec![AttrValue::Int(2)],
                ),
                (
                    Geometry::Point(Point::new(3.0, f64::INFINITY)),
                    vec![AttrValue::Int(3)],
                ),
                (
                    Geometry::Point(Point::new(4.0, 5.0)),
                    vec![AttrValue::Int(4)],
                ),
            ],
        );
        write(&path, &layer, UTF_8).unwrap();
        let back = read_default(&path);
        let ids: Vec<_> = back.features.iter().map(|f| f.attrs[0].clone()).collect();
        assert_eq!(ids, [AttrValue::Int(1), AttrValue::Int(4)]);
        assert_eq!(back.features[1].source_id, SourceId::Feature(4));
        let skipped: Vec<_> = back
            .issues
            .iter()
            .filter(|i| i.severity == Severity::Skipped)
            .collect();
        assert_eq!(skipped.len(), 2);
        assert_eq!(skipped[0].feature, Some(SourceId::Feature(2)));
        assert!(
            skipped[0].message.contains("not a number"),
            "{}",
            skipped[0]
        );
        assert_eq!(skipped[1].feature, Some(SourceId::Feature(3)));
    }

    fn numbered_squares(n: usize) -> Layer {
        layer_with(
            vec![
                Field::new("id", FieldKind::Int),
                Field::new("name", FieldKind::Text),
            ],
            (0..n)
                .map(|i| {
                    (
                        Geometry::Polygon(Polygon::new(square(i as f64 * 10.0, 0.0, 5.0), vec![])),
                        vec![AttrValue::Int(i as i64), AttrValue::Text(format!("村{i}"))],
                    )
                })
                .collect(),
        )
    }

    #[test]
    fn truncated_shp_keeps_complete_records() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("cut.shp");
        write(&path, &numbered_squares(5), GBK).unwrap();
        let full = std::fs::read(&path).unwrap();
        // Each record: 8 header + 44 + 4 + 5*16 = 136 bytes. Cut in the middle of record 4.
        let cut_at = 100 + 3 * 136 + 60;
        std::fs::write(&path, &full[..cut_at]).unwrap();
        let layer = read_default(&path);
        assert_eq!(layer.features.len(), 3);
        let m = messages(&layer);
        assert!(
            m.contains(&format!(
                "truncated at byte {cut_at} (expected {})",
                full.len()
            )),
            "{m}"
        );
        let skipped: Vec<_> = layer
            .issues
            .iter()
            .filter(|i| i.severity == Severity::Skipped)
            .collect();
        assert_eq!(skipped.len(), 2, "{m}");
        assert_eq!(skipped[0].feature, Some(SourceId::Feature(4)));
        assert!(skipped[1].message.contains("1 more record"), "{m}");
        // Same without the .shx: records read in sequence.
        std::fs::remove_file(dir.path().join("cut.shx")).unwrap();
        let layer = read_default(&path);
        assert_eq!(layer.features.len(), 3);
        assert_eq!(layer.features[2].attrs[1], AttrValue::Text("村2".into()));
        assert!(
            messages(&layer).contains("truncated at byte"),
            "{}",
            messages(&layer)
        );
    }

    #[test]
    fn truncated_dbf_gives_null_attributes() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("t.shp");
        write(&path, &numbered_squares(4), GBK).unwrap();
        let dbf_path = dir.path().join("t.dbf");
        let raw = std::fs::read(&dbf_path).unwrap();
        let header_len = u16::from_le_bytes([raw[8], raw[9]]) as usize;
        let record_len = u16::from_le_bytes([raw[10], raw[11]]) as usize;
        std::fs::write(&dbf_path, &raw[..header_len + 2 * record_len + 3]).unwrap();
        let layer = read_default(&path);
        assert_eq!(layer.features.len(), 4);
        assert_eq!(layer.features[1].attrs[1], AttrValue::Text("村1".into()));
        assert_eq!(layer.features[2].attrs, [AttrValue::Null, AttrValue::Null]);
        let m = messages(&layer);
        assert!(m.contains("holds 2 of its 4 records"), "{m}");
    }

    #[test]
    fn missing_shx_and_missing_dbf_are_warnings() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("m.shp");
        write(&path, &numbered_squares(3), UTF_8).unwrap();
        std::fs::remove_file(dir.path().join("m.shx")).unwrap();
        let layer = read_default(&path);
        assert_eq!(layer.features.len(), 3);
        assert_eq!(layer.features[2].attrs[0], AttrValue::Int(2));
        assert!(messages(&layer).contains(".shx index is missing"));
        std::fs::remove_file(dir.path().join("m.dbf")).unwrap();
        let layer = read_default(&path);
        assert_eq!(layer.features.len(), 3);
        assert!(layer.fields.is_empty());
        assert!(layer.features.iter().all(|f| f.attrs.is_empty()));
        assert!(
            messages(&layer).contains("put m.dbf beside the .shp"),
            "{}",
            messages(&layer)
        );
        assert_eq!(layer.source.encoding, None);
    }

    #[test]
    fn a_shx_cut_short_does_not_lose_records() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("s.shp");
        write(&path, &numbered_squares(4), UTF_8).unwrap();
        let shx_path = dir.path().join("s.shx");
        let shx = std::fs::read(&shx_path).unwrap();
        std::fs::write(&shx_path, &shx[..100 + 2 * 8]).unwrap();
        let layer = read_default(&path);
        assert_eq!(layer.features.len(), 4);
        assert_eq!(layer.features[3].attrs[0], AttrValue::Int(3));
        let m = messages(&layer);
        assert!(
            m.contains("the .shx lists 2 records but the .shp holds 4"),
            "{m}"
        );
        // A .shx that is not one at all.
        std::fs::write(&shx_path, b"garbage").unwrap();
        let layer = read_default(&path);
        assert_eq!(layer.features.len(), 4);
        assert!(messages(&layer).contains(".shx index cannot be used"));
    }

    #[test]
    fn null_and_multipatch_records_are_skipped_with_issues() {
        let dir = tempfile::tempdir().unwrap();
        let null = SHAPE_NULL.to_le_bytes().to_vec();
        let patch = parts_content(31, &[&[(0.0, 0.0), (1.0, 0.0), (0.0, 1.0)]], 16);
        let good = parts_content(3, &[&[(0.0, 0.0), (1.0, 1.0)]], 0);
        let p = write_raw(dir.path(), "np", 3, &[null, patch, good]);
        let layer = read_default(&p);
        assert_eq!(layer.features.len(), 1);
        assert_eq!(layer.features[0].source_id, SourceId::Feature(3));
        let skipped: Vec<_> = layer
            .issues
            .iter()
            .filter(|i| i.severity == Severity::Skipped)
            .map(|i| (i.feature, i.message.clone()))
            .collect();
        assert_eq!(skipped.len(), 2);
        assert_eq!(skipped[0].0, Some(SourceId::Feature(1)));
        assert!(skipped[0].1.contains("null"), "{}", skipped[0].1);
        assert_eq!(skipped[1].0, Some(SourceId::Feature(2)));
        assert!(skipped[1].1.contains("MultiPatch"), "{}", skipped[1].1);
    }

    #[test]
    fn dbf_cells_decode_by_type() {
        let d = CellDecoder {
            encoding: GBK,
            bad: (0..1).map(|_| Default::default()).collect(),
        };
        let field = |kind: u8, width: usize, decimals: u8| DbfField {
            name_bytes: b"X".to_vec(),
            kind,
            offset: 1,
            width,
            decimals,
        };
        let n0 = field(b'N', 10, 0);
        let n3 = field(b'N', 12, 3);
        assert_eq!(d.value(0, &n0, b"      1234"), AttrValue::Int(1234));
        assert_eq!(d.value(0, &n0, b"     -12.0"), AttrValue::Int(-12));
        assert_eq!(d.value(0, &n0, b"       1.5"), AttrValue::Float(1.5));
        assert_eq!(d.value(0, &n0, b"          "), AttrValue::Null);
        assert_eq!(d.value(0, &n0, b"**********"), AttrValue::Null);
        assert_eq!(d.value(0, &n3, b"    3,250"), AttrValue::Float(3.25));
        assert_eq!(d.value(0, &n3, b"      12.000"), AttrValue::Float(12.0));
        assert_eq!(d.bad[0].load(std::sync::atomic::Ordering::Relaxed), 0);
        assert_eq!(d.value(0, &n0, b"   abc"), AttrValue::Null);
        assert_eq!(d.bad[0].load(std::sync::atomic::Ordering::Relaxed), 1);
        let l = field(b'L', 1, 0);
        assert_eq!(d.value(0, &l, b"T"), AttrValue::Bool(true));
        assert_eq!(d.value(0, &l, b"n"), AttrValue::Bool(false));
        assert_eq!(d.value(0, &l, b"?"), AttrValue::Null);
        let date = field(b'D', 8, 0);
        assert_eq!(
            d.value(0, &date, b"20240131"),
            AttrValue::Text("2024-01-31".into())
        );
        assert_eq!(d.value(0, &date, b"        "), AttrValue::Null);
        let c = field(b'C', 10, 0);
        let (gbk, _, _) = GBK.encode("  镇政府  ");
        assert_eq!(d.value(0, &c, &gbk), AttrValue::Text("镇政府".into()));
        let i = field(b'I', 4, 0);
        assert_eq!(d.value(0, &i, &(-7i32).to_le_bytes()), AttrValue::Int(-7));
        let o = field(b'O', 8, 0);
        assert_eq!(d.value(0, &o, &2.5f64.to_le_bytes()), AttrValue::Float(2.5));
    }

    #[test]
    fn only_a_dbf_is_a_missing_shp_error() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("attrs.shp");
        write(&path, &numbered_squares(2), UTF_8).unwrap();
        std::fs::remove_file(&path).unwrap();
        let err = read(&dir.path().join("attrs.dbf"), &ReadOptions::default()).unwrap_err();
        match &err {
            Error::Io(IoError::Missing { what, .. }) => {
                assert!(what.contains("attrs.shp"), "{what}")
            }
            other => panic!("expected Missing, got {other:?}"),
        }
    }

    #[test]
    fn siblings_match_extensions_in_any_case() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("ROADS.shp");
        write(&path, &numbered_squares(2), GBK).unwrap();
        for (from, to) in [
            ("ROADS.shp", "ROADS.SHP"),
            ("ROADS.dbf", "roads.dbf"),
            ("ROADS.shx", "ROADS.Shx"),
            ("ROADS.cpg", "ROADS.CPG"),
        ] {
            std::fs::rename(dir.path().join(from), dir.path().join(to)).unwrap();
        }
        let layer = read_default(&dir.path().join("ROADS.SHP"));
        assert_eq!(layer.features.len(), 2);
        assert_eq!(layer.source.encoding.as_deref(), Some("GBK (from .cpg)"));
        assert_eq!(layer.features[1].attrs[1], AttrValue::Text("村1".into()));
        assert!(layer.issues.is_empty(), "{}", messages(&layer));
        // Opening the .dbf finds the rest too.
        let layer = read_default(&dir.path().join("roads.dbf"));
        assert_eq!(layer.features.len(), 2);
    }

    #[test]
    fn empty_shapefile_reads_as_an_empty_layer() {
        let dir = tempfile::tempdir().unwrap();
        let path = write_raw(dir.path(), "empty", 5, &[]);
        let mut dbf = vec![0x03, 126, 1, 1, 0, 0, 0, 0];
        dbf.extend_from_slice(&65u16.to_le_bytes());
        dbf.extend_from_slice(&11u16.to_le_bytes());
        dbf.extend_from_slice(&[0u8; 20]);
        let mut fd = [0u8; 32];
        fd[..4].copy_from_slice(b"NAME");
        fd[11] = b'C';
        fd[16] = 10;
        dbf.extend_from_slice(&fd);
        dbf.extend_from_slice(&[0x0D, 0x1A]);
        std::fs::write(dir.path().join("empty.dbf"), dbf).unwrap();
        let layer = read_default(&path);
        assert!(layer.features.is_empty());
        assert_eq!(layer.fields, [Field::new("NAME", FieldKind::Text)]);
        assert!(layer.issues.is_empty(), "{}", messages(&layer));
    }

    #[test]
    fn corrupt_header_is_a_file_error() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("bad.shp");
        for bytes in [b"hello".to_vec(), vec![0u8; 100], vec![0xFF; 300]] {
            std::fs::write(&path, &bytes).unwrap();
            match read(&path, &ReadOptions::default()).unwrap_err() {
                Error::Io(IoError::Invalid {
                    location, message, ..
                }) => {
                    assert_eq!(location, Location::File);
                    assert!(message.contains("shapefile"), "{message}");
                }
                other => panic!("expected Invalid, got {other:?}"),
            }
        }
    }

    #[test]
    fn deleted_dbf_records_are_skipped_with_their_geometry() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("del.shp");
        write(&path, &numbered_squares(3), UTF_8).unwrap();
        let dbf_path = dir.path().join("del.dbf");
        let mut raw = std::fs::read(&dbf_path).unwrap();
        let header_len = u16::from_le_bytes([raw[8], raw[9]]) as usize;
        let record_len = u16::from_le_bytes([raw[10], raw[11]]) as usize;
        raw[header_len + record_len] = b'*';
        std::fs::write(&dbf_path, raw).unwrap();
        let layer = read_default(&path);
        let ids: Vec<_> = layer.features.iter().map(|f| f.source_id).collect();
        assert_eq!(ids, [SourceId::Feature(1), SourceId::Feature(3)]);
        assert_eq!(layer.features[1].attrs[0], AttrValue::Int(2));
        assert_eq!(layer.skipped_count(), 1);
        assert!(messages(&layer).contains("deleted"));
    }

    #[test]
    fn unreadable_prj_is_a_warning_and_unknown_crs() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("p.shp");
        write(&path, &numbered_squares(1), UTF_8).unwrap();
        std::fs::write(dir.path().join("p.prj"), "PROJCS[\"broken").unwrap();
        let layer = read_default(&path);
        assert_eq!(layer.crs, CrsInfo::unknown());
        assert!(messages(&layer).contains(".prj is not understood"));
        std::fs::remove_file(dir.path().join("p.prj")).unwrap();
        let layer = read_default(&path);
        assert_eq!(layer.crs, CrsInfo::unknown());
        assert!(layer.issues.is_empty());
        let options = ReadOptions {
            crs: Some(Crs::Epsg(4528)),
            ..Default::default()
        };
        assert_eq!(
            read(&path, &options).unwrap().crs,
            CrsInfo::user(Crs::Epsg(4528))
        );
    }

    #[test]
    fn ten_thousand_polygons_round_trip() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("many.shp");
        let n = 10_000;
        let layer = layer_with(
            vec![
                Field::new("id", FieldKind::Int),
                Field::new("area_m2", FieldKind::Float),
                Field::new("名称", FieldKind::Text),
            ],
            (0..n)
                .map(|i| {
                    let x0 = 500_000.0 + (i % 100) as f64 * 123.456_789;
                    let y0 = 3_300_000.0 + (i / 100) as f64 * 98.765_432_1;
                    // Rings of 4..=35 vertices; every tenth polygon has a hole.
                    let k = 4 + i % 32;
                    let ring: Vec<Coord<f64>> = (0..k)
                        .map(|j| {
                            let a = j as f64 / k as f64 * std::f64::consts::TAU;
                            coord! { x: x0 + 40.0 * a.cos(), y: y0 + 40.0 * a.sin() }
                        })
                        .collect();
                    let holes = if i % 10 == 0 {
                        vec![square(x0 - 5.0, y0 - 5.0, 10.0)]
                    } else {
                        vec![]
                    };
                    (
                        Geometry::Polygon(Polygon::new(LineString(ring), holes)),
                        vec![
                            AttrValue::Int(i as i64 * 7 - 3),
                            AttrValue::Float(i as f64 / 3.0),
                            AttrValue::Text(format!("第{i}号地块")),
                        ],
                    )
                })
                .collect(),
        );
        write(&path, &layer, GBK).unwrap();
        let back = read_default(&path);
        assert_eq!(back.features.len(), n);
        assert!(back.issues.is_empty(), "{}", messages(&back));
        for (a, b) in back.features.iter().zip(&layer.features) {
            assert_eq!(a.geometry, as_written(&b.geometry), "{:?}", a.source_id);
            assert_eq!(a.attrs, b.attrs, "{:?}", a.source_id);
        }
    }

    #[test]
    fn damaged_bytes_never_panic() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("fuzz.shp");
        write(&path, &gbk_town_layer(), GBK).unwrap();
        let names = ["fuzz.shp", "fuzz.shx", "fuzz.dbf"];
        let originals: Vec<Vec<u8>> = names
            .iter()
            .map(|n| std::fs::read(dir.path().join(n)).unwrap())
            .collect();
        let mut state = 0x2545_F491_4F6C_DD1Du64;
        let mut next = || {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state
        };
        for round in 0..600 {
            let which = round % 3;
            let mut bytes = originals[which].clone();
            for _ in 0..1 + next() % 6 {
                let at = (next() as usize) % bytes.len();
                bytes[at] = next() as u8;
            }
            if next() % 5 == 0 {
                let keep = (next() as usize) % bytes.len();
                bytes.truncate(keep);
            }
            std::fs::write(dir.path().join(names[which]), &bytes).unwrap();
            let _ = read(&path, &ReadOptions::default());
            std::fs::write(dir.path().join(names[which]), &originals[which]).unwrap();
        }
        assert_eq!(read_default(&path).features.len(), 2);
    }

    #[test]
    fn reads_a_gbk_shapefile_written_by_gdal() {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/shp");
        let path = dir.join("towns_gbk.shp");
        let layer = read_default(&path);
        assert!(layer.issues.is_empty(), "{}", messages(&layer));
        assert_eq!(layer.source.encoding.as_deref(), Some("GBK (from .cpg)"));
        assert_eq!(layer.crs, CrsInfo::declared(Crs::Epsg(4549), ".prj"));
        // GDAL writes the same ESRI WKT as ours.
        let prj = std::fs::read_to_string(dir.join("towns_gbk.prj")).unwrap();
        assert_eq!(Some(prj.trim()), to_esri_wkt(&Crs::Epsg(4549)).as_deref());
        assert_eq!(
            layer.fields,
            [
                Field::new("名称", FieldKind::Text),
                Field::new("人口", FieldKind::Int),
                Field::new("面积公顷", FieldKind::Float),
                Field::new("设立日期", FieldKind::Date),
            ]
        );
        let attrs: Vec<_> = layer.features.iter().map(|f| f.attrs.clone()).collect();
        assert_eq!(
            attrs,
            [
                vec![
                    AttrValue::Text("双浦镇".into()),
                    AttrValue::Int(52_000),
                    AttrValue::Float(86.25),
                    AttrValue::Text("2019-07-01".into()),
                ],
                vec![
                    AttrValue::Text("转塘街道".into()),
                    AttrValue::Null,
                    AttrValue::Float(-0.5),
                    AttrValue::Null,
                ],
                vec![
                    AttrValue::Text("下沙村".into()),
                    AttrValue::Int(7),
                    AttrValue::Float(1.0),
                    AttrValue::Text("2001-12-31".into()),
                ],
            ]
        );
        let Geometry::Polygon(p) = &layer.features[0].geometry else {
            panic!("polygon expected");
        };
        assert_eq!(p.interiors().len(), 1);
        assert_eq!(p.exterior().0[0], coord! {x: 514_000.0, y: 3_345_000.0});
        assert!(
            matches!(&layer.features[1].geometry, Geometry::MultiPolygon(mp) if mp.0.len() == 2)
        );
        // The same file without its .cpg: GDAL left the language driver at 0, so it is guessed.
        let tmp = tempfile::tempdir().unwrap();
        for ext in ["shp", "shx", "dbf"] {
            std::fs::copy(
                dir.join(format!("towns_gbk.{ext}")),
                tmp.path().join(format!("towns_gbk.{ext}")),
            )
            .unwrap();
        }
        let guessed = read_default(&tmp.path().join("towns_gbk.dbf"));
        assert_eq!(
            guessed.source.encoding.as_deref(),
            Some("GBK (guessed: not valid UTF-8)")
        );
        assert_eq!(
            guessed.features[2].attrs[0],
            AttrValue::Text("下沙村".into())
        );
        assert_eq!(guessed.crs, CrsInfo::unknown());
    }
}
