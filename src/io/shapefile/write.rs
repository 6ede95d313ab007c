//! Writing a layer as a shapefile: .shp/.shx geometry (ESRI ring order), the dBase III table in the chosen encoding with its language driver id, .cpg and .prj.

use super::*;

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
///
/// The files are written atomically as a set (see [`crate::io::atomic`]): into temporary files
/// beside the target first, renamed into place only when every part was written, so a full disk
/// or a crash never leaves a half-written shapefile or a new .shp beside an old .dbf.
pub fn write_with_warnings(
    path: &Path,
    layer: &Layer,
    encoding: &'static Encoding,
) -> Result<Vec<String>> {
    use super::SHAPEFILE_PARTS;
    use crate::io::atomic::{retarget, retarget_text, write_siblings};
    write_siblings(path, SHAPEFILE_PARTS, |temp| {
        let warnings = write_parts(temp, layer, encoding).map_err(|e| retarget(e, temp, path))?;
        Ok(warnings
            .into_iter()
            .map(|w| retarget_text(&w, temp, path))
            .collect())
    })
}

/// The writer itself: writes the parts at `path` directly, not atomically. For callers that
/// stage several outputs together (`convert`).
pub(crate) fn write_parts(
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
pub(super) fn remove_stale(path: &Path) {
    let _ = std::fs::remove_file(path);
}

pub(super) fn write_file(path: &Path, bytes: &[u8]) -> Result<()> {
    let mut f = std::fs::File::create(path).map_err(|e| IoError::open(path, e))?;
    f.write_all(bytes).map_err(|e| IoError::open(path, e))?;
    Ok(())
}

/// The shapefile shape type for a layer, or an error for layers a shapefile cannot hold.
pub(super) fn layer_shape_type(path: &Path, layer: &Layer) -> Result<i32> {
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
pub(super) struct BBox {
    pub(super) min_x: f64,
    pub(super) min_y: f64,
    pub(super) max_x: f64,
    pub(super) max_y: f64,
}

impl BBox {
    pub(super) fn empty() -> Self {
        BBox {
            min_x: f64::INFINITY,
            min_y: f64::INFINITY,
            max_x: f64::NEG_INFINITY,
            max_y: f64::NEG_INFINITY,
        }
    }
    pub(super) fn add(&mut self, c: Coord<f64>) {
        self.min_x = self.min_x.min(c.x);
        self.min_y = self.min_y.min(c.y);
        self.max_x = self.max_x.max(c.x);
        self.max_y = self.max_y.max(c.y);
    }
    pub(super) fn merge(&mut self, o: &BBox) {
        self.min_x = self.min_x.min(o.min_x);
        self.min_y = self.min_y.min(o.min_y);
        self.max_x = self.max_x.max(o.max_x);
        self.max_y = self.max_y.max(o.max_y);
    }
    pub(super) fn or_zero(self) -> Self {
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
    pub(super) fn write(&self, buf: &mut Vec<u8>) {
        for v in [self.min_x, self.min_y, self.max_x, self.max_y] {
            buf.extend_from_slice(&v.to_le_bytes());
        }
    }
}

pub(super) fn write_shp_header(buf: &mut Vec<u8>, len_bytes: usize, shape_type: i32, bbox: &BBox) {
    buf.extend_from_slice(&SHP_FILE_CODE.to_be_bytes());
    buf.extend_from_slice(&[0u8; 20]);
    buf.extend_from_slice(&((len_bytes / 2) as i32).to_be_bytes());
    buf.extend_from_slice(&SHP_VERSION.to_le_bytes());
    buf.extend_from_slice(&shape_type.to_le_bytes());
    bbox.write(buf);
    buf.extend_from_slice(&[0u8; 32]); // Z and M ranges
}

/// Twice the signed area of a closed ring: negative when clockwise (y up).
pub(super) fn ring_signed_area2(pts: &[Coord<f64>]) -> f64 {
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
pub(super) fn oriented_ring(ring: &LineString<f64>, clockwise: bool) -> Vec<Coord<f64>> {
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

pub(super) fn polygon_parts(p: &Polygon<f64>, parts: &mut Vec<Vec<Coord<f64>>>) {
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
pub(super) fn encode_shape(
    buf: &mut Vec<u8>,
    g: &Geometry<f64>,
    shape_type: i32,
    file_bbox: &mut BBox,
) {
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
pub(super) struct DbfColumn {
    pub(super) name: Vec<u8>,
    pub(super) kind: u8,
    pub(super) width: usize,
    pub(super) decimals: u8,
    /// One cell per feature, not yet padded (None = blank).
    pub(super) cells: Vec<Option<Vec<u8>>>,
}

/// Encode `text`, noting characters the encoding cannot hold.
pub(super) fn encode_text<'a>(text: &'a str, encoding: &'static Encoding) -> (Cow<'a, [u8]>, bool) {
    let (bytes, _, lossy) = encoding.encode(text);
    (bytes, lossy)
}

/// The longest prefix of `text` whose encoding is at most `max_bytes`, cut between characters.
pub(super) fn encode_cut(text: &str, encoding: &'static Encoding, max_bytes: usize) -> Vec<u8> {
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
pub(super) fn dbf_field_names(
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
pub(super) fn float_text(v: f64, width: usize) -> Option<String> {
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

pub(super) fn build_dbf(
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
pub(super) fn today() -> (u32, u8, u8) {
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
