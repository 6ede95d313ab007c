//! POI tables (points of interest, 兴趣点): CSV (UTF-8, GBK, UTF-16) and XLSX/XLS, as exported
//! from Amap (高德), Baidu, Tencent or typed by a planner.
//!
//! The coordinates come from a longitude and a latitude column (English or Chinese names,
//! optionally tagged with their CRS: `gcj_lng`, `经度(百度)`) or from one combined column holding
//! `"lng,lat"` (Amap's `location`). Every column becomes a field, so the facility classifier sees
//! 名称/类型/类型编码. A row without usable coordinates is skipped with its line (CSV) or row
//! (spreadsheet) number as the user sees it, header included.

use std::io::Cursor;
use std::path::Path;

use encoding_rs::{Encoding, UTF_8, UTF_16BE, UTF_16LE};
use geo_types::{Coord, Geometry, Point};

use crate::crs::{Crs, CrsInfo};
use crate::error::{IoError, Location, Result};
use crate::model::layer::SourceId;
use crate::model::{AttrValue, Feature, Field, FieldKind, Format, Issue, Layer, Role, SourceInfo};

use super::ReadOptions;

/// The CRS a column name or file name hints at.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CrsTag {
    Wgs84,
    Gcj02,
    Bd09,
}

impl CrsTag {
    fn crs(self) -> Crs {
        match self {
            CrsTag::Wgs84 => Crs::WGS84,
            CrsTag::Gcj02 => Crs::Gcj02,
            CrsTag::Bd09 => Crs::Bd09,
        }
    }
}

/// The columns of a POI table that towncircle understands (indices into the headers).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Columns {
    pub lon: Option<usize>,
    pub lat: Option<usize>,
    /// One column holding `"lng,lat"` (used when there is no lon/lat pair).
    pub location: Option<usize>,
    pub name: Option<usize>,
    /// 类型 / type / 大类 / 中类 / 小类.
    pub kind: Option<usize>,
    pub typecode: Option<usize>,
    pub address: Option<usize>,
    /// The CRS the chosen coordinate column names hint at, with that column's name.
    pub crs_hint: Option<(CrsTag, String)>,
}

impl Columns {
    /// True when the table has coordinates: a lon/lat pair or a combined column.
    pub fn has_coordinates(&self) -> bool {
        (self.lon.is_some() && self.lat.is_some()) || self.location.is_some()
    }
}

const LON_NAMES: &[&str] = &[
    "lng",
    "lon",
    "long",
    "longitude",
    "x",
    "pointx",
    "xcoord",
    "经度",
    "东经",
    "x坐标",
    "经度坐标",
    "经度值",
];
const LAT_NAMES: &[&str] = &[
    "lat",
    "latitude",
    "y",
    "pointy",
    "ycoord",
    "纬度",
    "北纬",
    "y坐标",
    "纬度坐标",
    "纬度值",
];
const LOCATION_NAMES: &[&str] = &[
    "location",
    "坐标",
    "经纬度",
    "经纬度坐标",
    "lnglat",
    "lonlat",
    "coordinates",
    "coordinate",
    "坐标点",
];
const NAME_NAMES: &[&str] = &[
    "名称",
    "name",
    "poi名称",
    "poiname",
    "设施名称",
    "名字",
    "title",
];
const TYPE_NAMES: &[&str] = &[
    "类型",
    "type",
    "poi类型",
    "poitype",
    "类别",
    "分类",
    "小类",
    "中类",
    "大类",
];
const TYPECODE_NAMES: &[&str] = &[
    "类型编码",
    "typecode",
    "poi类型编码",
    "poitypecode",
    "分类编码",
    "编码",
];
const ADDRESS_NAMES: &[&str] = &["地址", "address", "addr", "详细地址", "poi地址"];

/// CRS tags as whole tokens of a column name (`gcj_lng`, `lng_bd`).
const TAG_TOKENS: &[(&str, CrsTag)] = &[
    ("wgs84", CrsTag::Wgs84),
    ("wgs", CrsTag::Wgs84),
    ("84", CrsTag::Wgs84),
    ("gcj02", CrsTag::Gcj02),
    ("gcj", CrsTag::Gcj02),
    ("高德", CrsTag::Gcj02),
    ("火星", CrsTag::Gcj02),
    ("gd", CrsTag::Gcj02),
    ("bd09", CrsTag::Bd09),
    ("bd09ll", CrsTag::Bd09),
    ("bd", CrsTag::Bd09),
    ("百度", CrsTag::Bd09),
];
/// CRS tags glued to a name (`wgs84经度`, `lnggcj02`, `高德经度`): only unambiguous ones.
const TAG_GLUED: &[(&str, CrsTag)] = &[
    ("wgs84", CrsTag::Wgs84),
    ("gcj02", CrsTag::Gcj02),
    ("bd09ll", CrsTag::Bd09),
    ("bd09", CrsTag::Bd09),
    ("高德", CrsTag::Gcj02),
    ("火星", CrsTag::Gcj02),
    ("百度", CrsTag::Bd09),
];

/// A header lower-cased, with full-width brackets and separators turned into `_`.
fn tokens(header: &str) -> Vec<String> {
    let lower = header.trim().trim_start_matches('\u{feff}').to_lowercase();
    lower
        .split(|c: char| {
            c.is_whitespace()
                || matches!(
                    c,
                    '_' | '-'
                        | '.'
                        | '('
                        | ')'
                        | '（'
                        | '）'
                        | '['
                        | ']'
                        | '【'
                        | '】'
                        | '/'
                        | ':'
                        | '：'
                )
        })
        .filter(|t| !t.is_empty())
        .map(str::to_string)
        .collect()
}

/// The header with separators removed: `Type_Code` -> `typecode`.
fn compact(header: &str) -> String {
    tokens(header).concat()
}

/// The header without any CRS tag, and the tag.
fn strip_crs_tag(header: &str) -> (String, Option<CrsTag>) {
    let mut tag = None;
    let mut rest = String::new();
    for t in tokens(header) {
        if let Some((_, g)) = TAG_TOKENS.iter().find(|(name, _)| *name == t) {
            tag = Some(*g);
            continue;
        }
        let mut t = t;
        for (glued, g) in TAG_GLUED {
            if t.len() > glued.len() && t.contains(glued) {
                t = t.replacen(glued, "", 1);
                tag = Some(*g);
            }
        }
        rest.push_str(&t);
    }
    (rest, tag)
}

fn find_named(compacts: &[String], names: &[&str]) -> Option<usize> {
    // The order of `names` is a priority: 类型 before 大类.
    names
        .iter()
        .find_map(|n| compacts.iter().position(|c| c == n))
}

/// Find the coordinate, name, type, type code and address columns, case-insensitively, by English
/// or Chinese names. Where both WGS84 and GCJ-02/BD-09 pairs are present, WGS84 (or an untagged
/// pair) is preferred.
pub fn detect_columns(headers: &[String]) -> Columns {
    let compacts: Vec<String> = headers.iter().map(|h| compact(h)).collect();
    let stripped: Vec<(String, Option<CrsTag>)> =
        headers.iter().map(|h| strip_crs_tag(h)).collect();
    let candidates = |names: &[&str]| -> Vec<(usize, Option<CrsTag>)> {
        let mut found: Vec<(usize, usize, Option<CrsTag>)> = stripped
            .iter()
            .enumerate()
            .filter_map(|(i, (base, tag))| {
                names
                    .iter()
                    .position(|n| n == base)
                    .map(|rank| (rank, i, *tag))
            })
            .collect();
        found.sort_by_key(|&(rank, i, _)| (rank, i));
        found.into_iter().map(|(_, i, t)| (i, t)).collect()
    };
    let lons = candidates(LON_NAMES);
    let lats = candidates(LAT_NAMES);
    let mut cols = Columns::default();
    let preference = [
        Some(CrsTag::Wgs84),
        None,
        Some(CrsTag::Gcj02),
        Some(CrsTag::Bd09),
    ];
    for want in preference {
        let lon = lons.iter().find(|(_, t)| *t == want);
        let lat = lats.iter().find(|(_, t)| *t == want);
        if let (Some(&(lon, tag)), Some(&(lat, _))) = (lon, lat) {
            cols.lon = Some(lon);
            cols.lat = Some(lat);
            cols.crs_hint = tag.map(|t| (t, headers[lon].trim().to_string()));
            break;
        }
    }
    if cols.lon.is_none()
        && let (Some(&(lon, tag)), Some(&(lat, lat_tag))) = (lons.first(), lats.first())
        && lon != lat
    {
        cols.lon = Some(lon);
        cols.lat = Some(lat);
        cols.crs_hint = tag
            .map(|t| (t, headers[lon].trim().to_string()))
            .or_else(|| lat_tag.map(|t| (t, headers[lat].trim().to_string())));
    }
    if let Some(&(loc, tag)) = candidates(LOCATION_NAMES).first() {
        cols.location = Some(loc);
        if cols.lon.is_none() {
            cols.crs_hint = tag.map(|t| (t, headers[loc].trim().to_string()));
        }
    }
    cols.name = find_named(&compacts, NAME_NAMES);
    cols.kind = find_named(&compacts, TYPE_NAMES);
    cols.typecode = find_named(&compacts, TYPECODE_NAMES);
    cols.address = find_named(&compacts, ADDRESS_NAMES);
    cols
}

/// The CRS a file name hints at (`高德POI.csv`, `baidu_poi.xlsx`).
fn file_name_hint(path: &Path) -> Option<CrsTag> {
    let name = path.file_name()?.to_string_lossy().to_lowercase();
    if ["高德", "amap", "gaode", "gcj", "火星"]
        .iter()
        .any(|k| name.contains(k))
    {
        Some(CrsTag::Gcj02)
    } else if ["百度", "baidu", "bd09"].iter().any(|k| name.contains(k)) {
        Some(CrsTag::Bd09)
    } else {
        None
    }
}

/// A cell as read: spreadsheets give numbers, CSV gives text.
#[derive(Debug, Clone, PartialEq)]
enum Cell {
    Empty,
    Num(f64),
    Text(String),
}

impl Cell {
    fn text(s: &str) -> Cell {
        let t = s.trim();
        if t.is_empty() {
            Cell::Empty
        } else {
            Cell::Text(t.to_string())
        }
    }
    fn is_empty(&self) -> bool {
        matches!(self, Cell::Empty)
    }
    fn display(&self) -> String {
        match self {
            Cell::Empty => String::new(),
            Cell::Num(v) => v.to_string(),
            Cell::Text(s) => s.clone(),
        }
    }
}

/// A table read from a file: headers and data rows with their source ids.
struct Table {
    headers: Vec<String>,
    rows: Vec<(SourceId, Vec<Cell>)>,
    issues: Vec<Issue>,
}

/// Read a POI table (CSV, XLSX or XLS) into one point layer in the file's own CRS.
pub fn read(path: &Path, options: &ReadOptions) -> Result<Layer> {
    let bytes = std::fs::read(path).map_err(|e| IoError::open(path, e))?;
    match super::format_of(path) {
        Some(Format::Xlsx) => {
            let (sheet, table) = read_workbook(path, bytes)?;
            build_layer(path, Format::Xlsx, Some(sheet), None, table, options)
        }
        _ => {
            let (text, encoding) = decode(&bytes, options.encoding);
            let mut table = read_csv_text(&text);
            if let Some(w) = &encoding.1 {
                table.issues.push(Issue::warning(None, w.clone()));
            }
            build_layer(path, Format::Csv, None, Some(encoding.0), table, options)
        }
    }
}

/// Decode CSV bytes: the user's encoding, else a UTF-16 BOM, else strict UTF-8, else GBK.
/// Returns the text, a description of the encoding and how it was chosen, and a warning if any.
fn decode(bytes: &[u8], user: Option<&'static Encoding>) -> (String, (String, Option<String>)) {
    if let Some(enc) = user {
        let body = if enc == UTF_8 {
            bytes.strip_prefix(b"\xef\xbb\xbf").unwrap_or(bytes)
        } else {
            bytes
        };
        return match super::encoding::decode_strict(body, enc) {
            Some(text) => (
                text.into_owned(),
                (format!("{} (given by the user)", enc.name()), None),
            ),
            None => {
                let (text, _, _) = enc.decode(body);
                (
                    text.into_owned(),
                    (
                        format!("{} (given by the user)", enc.name()),
                        Some(format!(
                            "some bytes are not valid {}; they were replaced with \u{fffd} — check the encoding you gave",
                            enc.name()
                        )),
                    ),
                )
            }
        };
    }
    for (bom, enc) in [(&b"\xff\xfe"[..], UTF_16LE), (&b"\xfe\xff"[..], UTF_16BE)] {
        if let Some(body) = bytes.strip_prefix(bom) {
            let (text, _) = enc.decode_without_bom_handling(body);
            return (
                text.into_owned(),
                (format!("{} (byte order mark)", enc.name()), None),
            );
        }
    }
    let bom = bytes.starts_with(b"\xef\xbb\xbf");
    let (text, enc) = super::encoding::decode_auto(bytes);
    let how = if enc == UTF_8 {
        if bom {
            "UTF-8 (byte order mark)".to_string()
        } else {
            "UTF-8 (detected: the bytes are valid UTF-8)".to_string()
        }
    } else {
        format!(
            "{} (detected: the bytes are not valid UTF-8; give --encoding if the text looks garbled)",
            enc.name()
        )
    };
    (text.into_owned(), (how, None))
}

/// How often `delim` occurs outside double quotes in `line`.
fn count_outside_quotes(line: &str, delim: char) -> usize {
    let mut quoted = false;
    let mut n = 0;
    for c in line.chars() {
        if c == '"' {
            quoted = !quoted;
        } else if c == delim && !quoted {
            n += 1;
        }
    }
    n
}

/// The delimiter among `,` `;` tab `|` that splits the first lines most consistently.
fn detect_delimiter(text: &str) -> u8 {
    let lines: Vec<&str> = text
        .lines()
        .filter(|l| !l.trim().is_empty())
        .take(20)
        .collect();
    let mut best = (b',', 0usize, 0usize);
    for d in [',', '\t', ';', '|'] {
        let counts: Vec<usize> = lines.iter().map(|l| count_outside_quotes(l, d)).collect();
        // The most frequent non-zero count, and how many lines have it.
        let mut mode = (0usize, 0usize);
        for &c in counts.iter().filter(|&&c| c > 0) {
            let freq = counts.iter().filter(|&&x| x == c).count();
            if (freq, c) > (mode.1, mode.0) {
                mode = (c, freq);
            }
        }
        if (mode.1, mode.0) > (best.1, best.2) {
            best = (d as u8, mode.1, mode.0);
        }
    }
    best.0
}

/// The 1-based line of the first character at or after byte `at` that is not a line break.
fn line_at(text: &str, newlines: &[usize], at: usize) -> u64 {
    let skip = text
        .get(at..)
        .map(|rest| rest.len() - rest.trim_start_matches(['\r', '\n']).len())
        .unwrap_or(0);
    let pos = at + skip;
    newlines.partition_point(|&n| n < pos) as u64 + 1
}

/// Parse decoded CSV text. The header is the first record with at least two non-empty fields
/// (or the first record, in a one-column file); records are numbered by their line in the file.
fn read_csv_text(text: &str) -> Table {
    let delimiter = detect_delimiter(text);
    let mut reader = csv::ReaderBuilder::new()
        .delimiter(delimiter)
        .has_headers(false)
        .flexible(true)
        .from_reader(text.as_bytes());
    let mut headers: Option<Vec<String>> = None;
    let mut rows = Vec::new();
    let mut issues = Vec::new();
    let mut record = csv::StringRecord::new();
    let newlines: Vec<usize> = text.match_indices('\n').map(|(i, _)| i).collect();
    loop {
        let line = reader.position().line();
        match reader.read_record(&mut record) {
            Ok(false) => break,
            Ok(true) => {}
            Err(e) => {
                let at = e.position().map(|p| p.line()).unwrap_or(line);
                issues.push(Issue::skipped(
                    Some(SourceId::Line(at)),
                    format!("the line cannot be read as CSV ({e})"),
                ));
                continue;
            }
        }
        // The reader counts a skipped blank line into the next record: find its first character.
        let line = record
            .position()
            .map(|p| line_at(text, &newlines, p.byte() as usize))
            .unwrap_or(line);
        let Some(h) = &headers else {
            let filled = record.iter().filter(|f| !f.trim().is_empty()).count();
            if filled >= 2 || (filled == 1 && record.len() == 1) {
                headers = Some(record.iter().map(|f| f.trim().to_string()).collect());
            }
            continue;
        };
        if record.iter().all(|f| f.trim().is_empty()) {
            continue;
        }
        let width = h.len();
        let extra_filled = record.iter().skip(width).any(|f| !f.trim().is_empty());
        if record.len() < width || extra_filled {
            issues.push(Issue::skipped(
                Some(SourceId::Line(line)),
                format!(
                    "the line has {} fields but the header has {width} (a delimiter or quote inside a value?)",
                    record.len()
                ),
            ));
            continue;
        }
        rows.push((
            SourceId::Line(line),
            record.iter().take(width).map(Cell::text).collect(),
        ));
    }
    Table {
        headers: headers.unwrap_or_default(),
        rows,
        issues,
    }
}

/// A spreadsheet cell as a [`Cell`]; dates become ISO text.
fn sheet_cell(d: &calamine::Data) -> Cell {
    use calamine::Data;
    match d {
        Data::Empty => Cell::Empty,
        Data::Int(i) => Cell::Num(*i as f64),
        Data::Float(f) => Cell::Num(*f),
        Data::String(s) => Cell::text(s),
        Data::Bool(b) => Cell::Text(b.to_string()),
        Data::DateTime(dt) if dt.is_datetime() => {
            let (y, mo, day, h, mi, s, _) = dt.to_ymd_hms_milli();
            if (h, mi, s) == (0, 0, 0) {
                Cell::Text(format!("{y:04}-{mo:02}-{day:02}"))
            } else {
                Cell::Text(format!("{y:04}-{mo:02}-{day:02} {h:02}:{mi:02}:{s:02}"))
            }
        }
        Data::DateTime(dt) => Cell::Num(dt.as_f64()),
        Data::DateTimeIso(s) | Data::DurationIso(s) => Cell::text(s),
        Data::Error(_) => Cell::Empty,
    }
}

/// Open a workbook from its bytes, by the extension first and then by content.
fn open_workbook(path: &Path, bytes: Vec<u8>) -> Result<calamine::Sheets<Cursor<Vec<u8>>>> {
    use calamine::{Sheets, Xls, Xlsx, open_workbook_from_rs};
    let looks_like_text =
        bytes.iter().take(512).all(|b| *b != 0) && !bytes.starts_with(b"PK") && !bytes.is_empty();
    let ext = path
        .extension()
        .map(|e| e.to_string_lossy().to_ascii_lowercase())
        .unwrap_or_default();
    let first = if ext == "xls" {
        open_workbook_from_rs::<Xls<_>, _>(Cursor::new(bytes.clone()))
            .map(Sheets::Xls)
            .map_err(|e| e.to_string())
    } else {
        open_workbook_from_rs::<Xlsx<_>, _>(Cursor::new(bytes.clone()))
            .map(Sheets::Xlsx)
            .map_err(|e| e.to_string())
    };
    match first {
        Ok(wb) => Ok(wb),
        Err(first_err) => calamine::open_workbook_auto_from_rs(Cursor::new(bytes)).map_err(|_| {
            let hint = if looks_like_text {
                "the file is text or HTML, not an Excel workbook; save it as .csv or .xlsx"
            } else {
                "the workbook is damaged or truncated; open it in Excel or WPS and save it again"
            };
            IoError::invalid(
                path,
                Location::File,
                format!("cannot read the spreadsheet ({first_err}): {hint}"),
            )
            .into()
        }),
    }
}

/// Read the first sheet of a workbook that has a header with coordinate columns.
fn read_workbook(path: &Path, bytes: Vec<u8>) -> Result<(String, Table)> {
    // calamine is defensive, but a panic on a hostile file must not take the app down.
    let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        read_workbook_inner(path, bytes)
    }));
    match result {
        Ok(r) => r,
        Err(_) => Err(IoError::invalid(
            path,
            Location::File,
            "the spreadsheet is damaged (the reader failed on it); open it in Excel or WPS and save it again",
        )
        .into()),
    }
}

fn read_workbook_inner(path: &Path, bytes: Vec<u8>) -> Result<(String, Table)> {
    use calamine::Reader;
    let mut wb = open_workbook(path, bytes)?;
    let mut first_table: Option<(String, Table)> = None;
    let mut sheet_errors = Vec::new();
    for name in wb.sheet_names() {
        let range = match wb.worksheet_range(&name) {
            Ok(r) => r,
            Err(e) => {
                sheet_errors.push(format!("sheet \"{name}\": {e}"));
                continue;
            }
        };
        let start_row = u64::from(range.start().map(|(r, _)| r).unwrap_or(0));
        let mut headers: Option<Vec<String>> = None;
        let mut rows = Vec::new();
        let mut issues = Vec::new();
        for (i, row) in range.rows().enumerate() {
            let row_no = start_row + i as u64 + 1;
            let cells: Vec<Cell> = row.iter().map(sheet_cell).collect();
            let Some(h) = &headers else {
                if cells.iter().filter(|c| !c.is_empty()).count() >= 2 {
                    let last = cells.iter().rposition(|c| !c.is_empty()).unwrap_or(0);
                    headers = Some(cells[..=last].iter().map(Cell::display).collect());
                }
                continue;
            };
            if cells.iter().all(Cell::is_empty) {
                continue;
            }
            let width = h.len();
            if cells.iter().skip(width).any(|c| !c.is_empty()) && issues.is_empty() {
                issues.push(Issue::warning(
                    Some(SourceId::Row(row_no)),
                    "cells to the right of the last header were ignored (they have no column name)",
                ));
            }
            let mut cells = cells;
            cells.resize(width.max(cells.len()), Cell::Empty);
            cells.truncate(width);
            rows.push((SourceId::Row(row_no), cells));
        }
        let Some(headers) = headers else { continue };
        let table = Table {
            headers,
            rows,
            issues,
        };
        if detect_columns(&table.headers).has_coordinates() {
            return Ok((name, table));
        }
        if first_table.is_none() {
            first_table = Some((name, table));
        }
    }
    match first_table {
        // No sheet has coordinates: build_layer reports the first sheet's headers.
        Some(t) => Ok(t),
        None if !sheet_errors.is_empty() => Err(IoError::invalid(
            path,
            Location::File,
            format!(
                "cannot read the spreadsheet ({}); open it in Excel or WPS and save it again",
                sheet_errors.join("; ")
            ),
        )
        .into()),
        None => Err(IoError::invalid(
            path,
            Location::File,
            "no sheet has a header row (a row with at least two filled cells)",
        )
        .into()),
    }
}

/// A number written in a cell: `120.15`, `120,15` (decimal comma), `120.15°`.
fn parse_number(text: &str) -> Option<f64> {
    let t = text.trim().trim_end_matches('°').trim();
    let v = t.parse::<f64>().ok().or_else(|| {
        (t.matches(',').count() == 1 && !t.contains('.'))
            .then(|| t.replace(',', ".").parse::<f64>().ok())
            .flatten()
    })?;
    v.is_finite().then_some(v)
}

fn cell_number(c: &Cell) -> Option<f64> {
    match c {
        Cell::Num(v) if v.is_finite() => Some(*v),
        Cell::Text(s) => parse_number(s),
        _ => None,
    }
}

/// The raw (x, y) of a row, or why it has none.
fn row_coords(
    cells: &[Cell],
    cols: &Columns,
    headers: &[String],
) -> std::result::Result<Coord<f64>, String> {
    let get = |i: usize| cells.get(i).unwrap_or(&Cell::Empty);
    if let (Some(lon), Some(lat)) = (cols.lon, cols.lat) {
        let one = |i: usize, what: &str| match get(i) {
            Cell::Empty => Err(format!("no {what} (column \"{}\" is empty)", headers[i])),
            c => cell_number(c).ok_or_else(|| {
                format!(
                    "the {what} \"{}\" in column \"{}\" is not a number",
                    c.display(),
                    headers[i]
                )
            }),
        };
        return Ok(Coord {
            x: one(lon, "longitude")?,
            y: one(lat, "latitude")?,
        });
    }
    let Some(loc) = cols.location else {
        return Err("no coordinate column".into());
    };
    let text = match get(loc) {
        Cell::Empty => {
            return Err(format!(
                "no coordinates (column \"{}\" is empty)",
                headers[loc]
            ));
        }
        c => c.display(),
    };
    let parts: Vec<&str> = text
        .split([',', '，', ';', ' ', '\t'])
        .filter(|p| !p.trim().is_empty())
        .collect();
    match parts.as_slice() {
        [x, y] => match (parse_number(x), parse_number(y)) {
            (Some(x), Some(y)) => Ok(Coord { x, y }),
            _ => Err(format!(
                "\"{text}\" in column \"{}\" is not \"longitude,latitude\" numbers",
                headers[loc]
            )),
        },
        _ => Err(format!(
            "\"{text}\" in column \"{}\" is not \"longitude,latitude\"",
            headers[loc]
        )),
    }
}

fn in_lonlat_range(c: Coord<f64>) -> bool {
    c.x.abs() <= 180.0 && c.y.abs() <= 90.0
}

/// Headers made unique and non-empty, for field names.
fn field_names(headers: &[String]) -> Vec<String> {
    let mut out: Vec<String> = Vec::with_capacity(headers.len());
    for (i, h) in headers.iter().enumerate() {
        let h = h.trim().trim_start_matches('\u{feff}');
        let base = if h.is_empty() {
            format!("column_{}", i + 1)
        } else {
            h.to_string()
        };
        let mut name = base.clone();
        let mut k = 2;
        while out.contains(&name) {
            name = format!("{base}_{k}");
            k += 1;
        }
        out.push(name);
    }
    out
}

/// An integer as written, without a leading zero or plus sign that a number would lose.
fn plain_int(text: &str) -> Option<i64> {
    let digits = text.strip_prefix('-').unwrap_or(text);
    if digits.is_empty()
        || !digits.bytes().all(|b| b.is_ascii_digit())
        || (digits.len() > 1 && digits.starts_with('0'))
    {
        return None;
    }
    text.parse().ok()
}

/// A plain decimal number (not `nan`, `inf`, nor a code with a leading zero like `0571`).
fn plain_float(text: &str) -> Option<f64> {
    let digits = text.strip_prefix('-').unwrap_or(text);
    if !digits.bytes().any(|b| b.is_ascii_digit())
        || !digits
            .bytes()
            .all(|b| b.is_ascii_digit() || matches!(b, b'.' | b'e' | b'E' | b'-' | b'+'))
        || (digits.len() > 1 && digits.starts_with('0') && !digits.starts_with("0."))
    {
        return None;
    }
    text.parse::<f64>().ok().filter(|v| v.is_finite())
}

/// The kind of a column from its non-empty values: Int, Float when all are numbers, else Text.
fn column_kind<'a>(cells: impl Iterator<Item = &'a Cell>) -> FieldKind {
    let mut kind = FieldKind::Int;
    for c in cells {
        let k = match c {
            Cell::Empty => continue,
            Cell::Num(v) if v.fract() == 0.0 && v.abs() < 9.0e15 => FieldKind::Int,
            Cell::Num(_) => FieldKind::Float,
            Cell::Text(s) if plain_int(s).is_some() => FieldKind::Int,
            Cell::Text(s) if plain_float(s).is_some() => FieldKind::Float,
            Cell::Text(_) => return FieldKind::Text,
        };
        if k == FieldKind::Float {
            kind = FieldKind::Float;
        }
    }
    kind
}

fn attr(cell: &Cell, kind: FieldKind, typecode: bool) -> AttrValue {
    match (cell, kind) {
        (Cell::Empty, _) => AttrValue::Null,
        (Cell::Num(v), FieldKind::Int) => AttrValue::Int(*v as i64),
        (Cell::Num(v), FieldKind::Float) => AttrValue::Float(*v),
        (Cell::Text(s), FieldKind::Int) => plain_int(s).map_or(AttrValue::Null, AttrValue::Int),
        (Cell::Text(s), FieldKind::Float) => {
            plain_float(s).map_or(AttrValue::Null, AttrValue::Float)
        }
        // A spreadsheet drops the leading zero of Amap's six-digit type codes (050301 -> 50301).
        (Cell::Num(v), _) if typecode && v.fract() == 0.0 && (0.0..1.0e6).contains(v) => {
            AttrValue::Text(format!("{:06}", *v as i64))
        }
        (c, _) => AttrValue::Text(c.display()),
    }
}

/// How the coordinates of the table read, decided over all rows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum CoordMode {
    /// Longitude/latitude degrees: rows out of range are skipped.
    LonLat,
    /// Mostly (latitude, longitude): kept as written for the loader to swap.
    Swapped,
    /// Not degrees (projected metres): kept as written for the loader to guess.
    Projected,
}

fn build_layer(
    path: &Path,
    format: Format,
    table_name: Option<String>,
    encoding: Option<String>,
    table: Table,
    options: &ReadOptions,
) -> Result<Layer> {
    let Table {
        headers,
        rows,
        mut issues,
    } = table;
    let where_ = table_name
        .as_ref()
        .map(|s| format!(" in sheet \"{s}\""))
        .unwrap_or_default();
    if headers.is_empty() {
        return Err(IoError::invalid(
            path,
            Location::File,
            format!("no header row{where_}: the first line must name the columns (经度, 纬度, 名称, ...)"),
        )
        .into());
    }
    let cols = detect_columns(&headers);
    if !cols.has_coordinates() {
        let found = headers
            .iter()
            .map(|h| format!("\"{h}\""))
            .collect::<Vec<_>>()
            .join(", ");
        return Err(IoError::invalid(
            path,
            Location::File,
            format!(
                "no coordinate columns{where_}: found columns {found}; expected a longitude column ({}) and a latitude column ({}), optionally tagged like wgs84_lng, gcj_lng, bd_lng, 经度(高德), or one column ({}) holding \"lng,lat\"; rename the columns",
                LON_NAMES.join(", "),
                LAT_NAMES.join(", "),
                LOCATION_NAMES.join(", ")
            ),
        )
        .into());
    }

    // Coordinates of every row, then the mode of the table.
    let coords: Vec<std::result::Result<Coord<f64>, String>> = rows
        .iter()
        .map(|(_, cells)| row_coords(cells, &cols, &headers))
        .collect();
    let numeric: Vec<Coord<f64>> = coords.iter().filter_map(|c| c.clone().ok()).collect();
    let normal = numeric.iter().filter(|c| in_lonlat_range(**c)).count();
    let swapped = numeric
        .iter()
        .filter(|c| in_lonlat_range(Coord { x: c.y, y: c.x }))
        .count();
    let user_projected = options.crs.as_ref().is_some_and(|c| !c.is_geographic());
    let mode = if user_projected {
        CoordMode::Projected
    } else if numeric.is_empty() || normal * 2 >= numeric.len() {
        CoordMode::LonLat
    } else if swapped * 2 >= numeric.len() {
        CoordMode::Swapped
    } else {
        CoordMode::Projected
    };
    match mode {
        CoordMode::Swapped => issues.push(Issue::warning(
            None,
            "most coordinates are out of longitude/latitude range as (x, y) but fit as (latitude, longitude): the columns look swapped",
        )),
        CoordMode::Projected if !user_projected => issues.push(Issue::warning(
            None,
            "the coordinates are not longitude/latitude degrees (projected metres?); their CRS will be guessed — give --crs EPSG:NNNN if it is wrong",
        )),
        _ => {}
    }

    let mut kept: Vec<(SourceId, &Vec<Cell>, Coord<f64>)> = Vec::with_capacity(rows.len());
    for ((id, cells), c) in rows.iter().zip(coords) {
        let ok = match c {
            Err(why) => Err(why),
            Ok(c) => {
                let fits = match mode {
                    CoordMode::LonLat => in_lonlat_range(c),
                    CoordMode::Swapped => in_lonlat_range(Coord { x: c.y, y: c.x }),
                    CoordMode::Projected => true,
                };
                if fits {
                    Ok(c)
                } else {
                    Err(format!(
                        "coordinates ({}, {}) are out of range (|longitude| ≤ 180, |latitude| ≤ 90)",
                        c.x, c.y
                    ))
                }
            }
        };
        match ok {
            Ok(c) => kept.push((*id, cells, c)),
            Err(why) => issues.push(Issue::skipped(Some(*id), why)),
        }
    }
    issues.sort_by_key(|i| match i.feature {
        Some(SourceId::Line(n) | SourceId::Row(n)) => n,
        _ => 0,
    });

    let names = field_names(&headers);
    let fields: Vec<Field> = names
        .iter()
        .enumerate()
        .map(|(i, name)| {
            let kind = if Some(i) == cols.typecode || Some(i) == cols.location {
                FieldKind::Text
            } else {
                column_kind(kept.iter().filter_map(|(_, cells, _)| cells.get(i)))
            };
            Field::new(name.clone(), kind)
        })
        .collect();
    let features: Vec<Feature> = kept
        .iter()
        .map(|(id, cells, c)| Feature {
            geometry: Geometry::Point(Point(*c)),
            attrs: fields
                .iter()
                .enumerate()
                .map(|(i, f)| {
                    attr(
                        cells.get(i).unwrap_or(&Cell::Empty),
                        f.kind,
                        Some(i) == cols.typecode,
                    )
                })
                .collect(),
            source_id: *id,
            category: None,
        })
        .collect();

    let crs = if let Some(c) = &options.crs {
        CrsInfo::user(c.clone())
    } else if let Some((tag, column)) = &cols.crs_hint {
        CrsInfo::declared(tag.crs(), format!("column name \"{column}\""))
    } else if let Some(tag) = file_name_hint(path) {
        CrsInfo::declared(tag.crs(), "file name")
    } else {
        if mode != CoordMode::Projected && !features.is_empty() {
            issues.push(Issue::warning(
                None,
                "coordinates assumed WGS84; POIs exported from Amap/Tencent are GCJ-02 and Baidu BD-09: give --crs GCJ02 or BD09, else they are off by several hundred metres",
            ));
        }
        CrsInfo::unknown()
    };

    let stem = path
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_else(|| "poi".into());
    let mut layer = Layer::new(
        stem,
        SourceInfo {
            path: path.to_path_buf(),
            format,
            table: table_name,
            encoding,
        },
        crs,
    );
    layer.fields = fields;
    layer.features = features;
    layer.issues = issues;
    layer.role_hint = Some(Role::Facilities);
    Ok(layer)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Severity;

    fn h(names: &[&str]) -> Vec<String> {
        names.iter().map(|s| s.to_string()).collect()
    }

    fn write(dir: &tempfile::TempDir, name: &str, bytes: &[u8]) -> std::path::PathBuf {
        let p = dir.path().join(name);
        std::fs::write(&p, bytes).expect("write");
        p
    }

    fn point(layer: &Layer, i: usize) -> (f64, f64) {
        match &layer.features[i].geometry {
            Geometry::Point(p) => (p.x(), p.y()),
            g => panic!("not a point: {g:?}"),
        }
    }

    #[test]
    fn detects_english_chinese_and_tagged_columns() {
        let c = detect_columns(&h(&["名称", "类型", "类型编码", "地址", "经度", "纬度"]));
        assert_eq!(
            (c.name, c.kind, c.typecode, c.address, c.lon, c.lat),
            (Some(0), Some(1), Some(2), Some(3), Some(4), Some(5))
        );
        assert_eq!(c.crs_hint, None);
        let c = detect_columns(&h(&["ID", "Name", "LNG", "Lat"]));
        assert_eq!((c.lon, c.lat, c.name), (Some(2), Some(3), Some(1)));
        let c = detect_columns(&h(&[
            "name",
            "gcj_lng",
            "gcj_lat",
            "wgs84_lng",
            "wgs84_lat",
        ]));
        assert_eq!((c.lon, c.lat), (Some(3), Some(4)));
        assert_eq!(c.crs_hint, Some((CrsTag::Wgs84, "wgs84_lng".into())));
        let c = detect_columns(&h(&["经度(GCJ02)", "纬度（GCJ02）", "大类", "Type_Code"]));
        assert_eq!(
            (c.lon, c.lat, c.kind, c.typecode),
            (Some(0), Some(1), Some(2), Some(3))
        );
        assert_eq!(c.crs_hint, Some((CrsTag::Gcj02, "经度(GCJ02)".into())));
        let c = detect_columns(&h(&["百度经度", "百度纬度"]));
        assert_eq!(c.crs_hint.map(|t| t.0), Some(CrsTag::Bd09));
        let c = detect_columns(&h(&["name", "location", "typecode"]));
        assert_eq!((c.lon, c.location), (None, Some(1)));
        assert!(c.has_coordinates());
        assert!(!detect_columns(&h(&["名称", "地址", "电话"])).has_coordinates());
        assert!(!detect_columns(&h(&["lng", "名称"])).has_coordinates());
    }

    #[test]
    fn utf8_with_bom() {
        let dir = tempfile::tempdir().expect("tmp");
        let p = write(
            &dir,
            "poi.csv",
            "\u{feff}name,lng,lat,pop\n卫生院,120.1,30.2,12\n小学,120.2,30.3,\n".as_bytes(),
        );
        let layer = read(&p, &ReadOptions::default()).expect("read");
        assert_eq!(layer.features.len(), 2);
        assert_eq!(layer.fields[0].name, "name");
        assert_eq!(layer.fields[1].kind, FieldKind::Float);
        assert_eq!(layer.fields[3].kind, FieldKind::Int);
        assert_eq!(layer.features[1].attrs[3], AttrValue::Null);
        assert_eq!(point(&layer, 0), (120.1, 30.2));
        assert_eq!(layer.role_hint, Some(Role::Facilities));
        assert_eq!(layer.features[0].source_id, SourceId::Line(2));
        assert_eq!(
            layer.attr(&layer.features[0], "name"),
            Some(&AttrValue::Text("卫生院".into()))
        );
        assert!(
            layer
                .source
                .encoding
                .as_deref()
                .is_some_and(|e| e.contains("UTF-8")),
            "{:?}",
            layer.source.encoding
        );
        assert_eq!(layer.crs, CrsInfo::unknown());
        assert!(
            layer
                .issues
                .iter()
                .any(|i| i.message.contains("--crs GCJ02"))
        );
    }

    #[test]
    fn gbk_with_chinese_headers() {
        let text = "名称,类型,类型编码,地址,经度,纬度\r\n\
                    双浦镇卫生院,医疗保健服务;综合医院;卫生院,090102,双浦镇东路1号,120.0512,30.1423\r\n\
                    双浦小学,科教文化服务;学校;小学,141203,双浦镇西路2号,120.0601,30.1502\r\n";
        let (gbk, _, bad) = encoding_rs::GBK.encode(text);
        assert!(!bad);
        let dir = tempfile::tempdir().expect("tmp");
        let p = write(&dir, "pois.csv", &gbk);
        let layer = read(&p, &ReadOptions::default()).expect("read");
        assert_eq!(layer.features.len(), 2);
        assert!(
            layer
                .source
                .encoding
                .as_deref()
                .is_some_and(|e| e.starts_with("GBK"))
        );
        assert_eq!(
            layer.attr(&layer.features[0], "名称"),
            Some(&AttrValue::Text("双浦镇卫生院".into()))
        );
        // A type code keeps its leading zero.
        assert_eq!(
            layer.attr(&layer.features[0], "类型编码"),
            Some(&AttrValue::Text("090102".into()))
        );
        assert_eq!(point(&layer, 1), (120.0601, 30.1502));
        assert!(layer.issues.iter().all(|i| i.severity == Severity::Warning));
        // The user's encoding wins, and says so.
        let opts = ReadOptions {
            encoding: Some(encoding_rs::GB18030),
            ..Default::default()
        };
        let layer = read(&p, &opts).expect("read");
        assert!(
            layer
                .source
                .encoding
                .as_deref()
                .is_some_and(|e| e.contains("user"))
        );
        assert_eq!(layer.features.len(), 2);
    }

    #[test]
    fn loads_and_classifies_an_amap_table() {
        let text = "名称,类型编码,经度,纬度\n双浦镇卫生院,090102,120.0512,30.1423\n双浦小学,141203,120.0601,30.1502\n";
        let (gbk, _, _) = encoding_rs::GBK.encode(text);
        let dir = tempfile::tempdir().expect("tmp");
        let p = write(&dir, "高德POI.csv", &gbk);
        let ds = crate::io::load(&[p], &crate::io::LoadOptions::default());
        assert!(ds.failures.is_empty(), "{:?}", ds.failures);
        let layer = &ds.layers[0];
        assert_eq!(layer.role, Some(Role::Facilities));
        assert_eq!(layer.source_crs.crs, Some(Crs::Gcj02));
        let counts = &layer.classification.as_ref().expect("classified").counts;
        assert_eq!(counts.values().sum::<usize>(), 2, "{counts:?}");
    }

    #[test]
    fn semicolon_delimiter_with_decimal_commas() {
        let dir = tempfile::tempdir().expect("tmp");
        let p = write(
            &dir,
            "poi.csv",
            b"name;lon;lat\nA;120,5;30,25\nB;\"121.0\";31.0\n",
        );
        let layer = read(&p, &ReadOptions::default()).expect("read");
        assert_eq!(layer.fields.len(), 3);
        assert_eq!(layer.features.len(), 2);
        assert_eq!(point(&layer, 0), (120.5, 30.25));
        assert_eq!(point(&layer, 1), (121.0, 31.0));
        assert_eq!(detect_delimiter("a\tb\tc\n1\t2,5\t3\n"), b'\t');
        assert_eq!(detect_delimiter("a|b\n1|2\n"), b'|');
    }

    #[test]
    fn combined_location_column() {
        let dir = tempfile::tempdir().expect("tmp");
        let p = write(
            &dir,
            "amap_poi.csv",
            "id,name,location,typecode\nB0001,文化礼堂,\"120.11,30.21\",080000\nB0002,坏,\"120.11\",080000\n"
                .as_bytes(),
        );
        let layer = read(&p, &ReadOptions::default()).expect("read");
        assert_eq!(layer.features.len(), 1);
        assert_eq!(point(&layer, 0), (120.11, 30.21));
        assert_eq!(layer.issues.len(), 1);
        assert_eq!(layer.issues[0].feature, Some(SourceId::Line(3)));
        assert_eq!(layer.issues[0].severity, Severity::Skipped);
        // The file name says Amap.
        assert_eq!(layer.crs.crs, Some(Crs::Gcj02));
        assert_eq!(
            layer.crs.origin,
            crate::crs::CrsOrigin::Declared("file name".into())
        );
    }

    #[test]
    fn bad_rows_are_skipped_with_their_line_numbers() {
        let dir = tempfile::tempdir().expect("tmp");
        let p = write(
            &dir,
            "poi.csv",
            b"name,lng,lat\n\
              ok1,120.1,30.1\n\
              \n\
              \"multi\nline\",120.2,30.2\n\
              nonnum,abc,30.3\n\
              empty,,30.3\n\
              nan,NaN,30.3\n\
              far,200,30.3\n\
              ragged,120.4\n\
              ok2,120.5,30.5\n",
        );
        let layer = read(&p, &ReadOptions::default()).expect("read");
        let ids: Vec<SourceId> = layer.features.iter().map(|f| f.source_id).collect();
        assert_eq!(
            ids,
            vec![SourceId::Line(2), SourceId::Line(4), SourceId::Line(11)]
        );
        let skipped: Vec<(Option<SourceId>, &str)> = layer
            .issues
            .iter()
            .filter(|i| i.severity == Severity::Skipped)
            .map(|i| (i.feature, i.message.as_str()))
            .collect();
        let lines: Vec<Option<SourceId>> = skipped.iter().map(|s| s.0).collect();
        assert_eq!(
            lines,
            [6, 7, 8, 9, 10].map(|n| Some(SourceId::Line(n))).to_vec()
        );
        assert!(skipped[0].1.contains("\"abc\""), "{}", skipped[0].1);
        assert!(skipped[1].1.contains("empty"), "{}", skipped[1].1);
        assert!(skipped[3].1.contains("out of range"), "{}", skipped[3].1);
        assert!(skipped[4].1.contains("fields"), "{}", skipped[4].1);
    }

    #[test]
    fn zero_valid_rows_is_an_empty_layer_with_issues() {
        let dir = tempfile::tempdir().expect("tmp");
        let p = write(&dir, "poi.csv", b"name,lng,lat\na,x,y\n");
        let layer = read(&p, &ReadOptions::default()).expect("read");
        assert!(layer.features.is_empty());
        assert_eq!(layer.skipped_count(), 1);
    }

    #[test]
    fn no_coordinate_columns_is_an_error_naming_file_and_headers() {
        let dir = tempfile::tempdir().expect("tmp");
        let p = write(&dir, "设施.csv", "名称,地址\n卫生院,某路\n".as_bytes());
        let err = read(&p, &ReadOptions::default()).expect_err("no coords");
        let msg = err.to_string();
        assert!(msg.contains("设施.csv"), "{msg}");
        assert!(msg.contains("\"名称\", \"地址\""), "{msg}");
        assert!(msg.contains("经度") && msg.contains("location"), "{msg}");
    }

    #[test]
    fn crs_hints_from_columns_file_name_and_user() {
        let dir = tempfile::tempdir().expect("tmp");
        let p = write(&dir, "poi.csv", b"name,gcj_lng,gcj_lat\na,120.1,30.1\n");
        let layer = read(&p, &ReadOptions::default()).expect("read");
        assert_eq!(
            layer.crs,
            CrsInfo::declared(Crs::Gcj02, "column name \"gcj_lng\"")
        );
        assert!(
            !layer
                .issues
                .iter()
                .any(|i| i.message.contains("assumed WGS84"))
        );
        let p = write(&dir, "百度POI.csv", b"name,lng,lat\na,120.1,30.1\n");
        let layer = read(&p, &ReadOptions::default()).expect("read");
        assert_eq!(layer.crs, CrsInfo::declared(Crs::Bd09, "file name"));
        let opts = ReadOptions {
            crs: Some(Crs::WGS84),
            ..Default::default()
        };
        let layer = read(&p, &opts).expect("read");
        assert_eq!(layer.crs, CrsInfo::user(Crs::WGS84));
    }

    #[test]
    fn projected_and_swapped_tables_are_kept_for_the_loader() {
        let dir = tempfile::tempdir().expect("tmp");
        let p = write(
            &dir,
            "poi.csv",
            b"name,x,y\na,40500123.5,3340123.1\nb,40500200,3340200\n",
        );
        let layer = read(&p, &ReadOptions::default()).expect("read");
        assert_eq!(layer.features.len(), 2);
        assert!(layer.issues.iter().any(|i| i.message.contains("projected")));
        let p = write(
            &dir,
            "poi2.csv",
            b"name,lng,lat\na,30.1,120.1\nb,30.2,120.2\n",
        );
        let layer = read(&p, &ReadOptions::default()).expect("read");
        assert_eq!(layer.features.len(), 2);
        assert!(layer.issues.iter().any(|i| i.message.contains("swapped")));
    }

    fn write_xlsx(path: &Path) {
        use rust_xlsxwriter::Workbook;
        let mut wb = Workbook::new();
        let notes = wb.add_worksheet();
        notes.set_name("说明").expect("name");
        notes.write_string(0, 0, "导出说明").expect("w");
        notes.write_string(0, 1, "高德").expect("w");
        let ws = wb.add_worksheet();
        ws.set_name("POI").expect("name");
        ws.write_string(0, 0, "双浦镇设施清单").expect("w");
        for (c, name) in ["名称", "类型编码", "经度", "纬度", "人数"]
            .iter()
            .enumerate()
        {
            ws.write_string(2, c as u16, *name).expect("w");
        }
        ws.write_string(3, 0, "卫生院").expect("w");
        ws.write_number(3, 1, 90102.0).expect("w");
        ws.write_number(3, 2, 120.05).expect("w");
        ws.write_number(3, 3, 30.14).expect("w");
        ws.write_number(3, 4, 12.0).expect("w");
        ws.write_string(4, 0, "坏行").expect("w");
        ws.write_string(4, 2, "东经").expect("w");
        ws.write_number(4, 3, 30.2).expect("w");
        ws.write_string(5, 0, "小学").expect("w");
        ws.write_string(5, 1, "141203").expect("w");
        ws.write_string(5, 2, "120.06").expect("w");
        ws.write_number(5, 3, 30.15).expect("w");
        wb.save(path).expect("save");
    }

    #[test]
    fn xlsx_first_sheet_with_coordinates() {
        let dir = tempfile::tempdir().expect("tmp");
        let p = dir.path().join("facilities.xlsx");
        write_xlsx(&p);
        let layer = read(&p, &ReadOptions::default()).expect("read");
        assert_eq!(layer.source.table.as_deref(), Some("POI"));
        assert_eq!(layer.source.format, Format::Xlsx);
        assert_eq!(layer.features.len(), 2);
        assert_eq!(layer.features[0].source_id, SourceId::Row(4));
        assert_eq!(layer.features[1].source_id, SourceId::Row(6));
        assert_eq!(point(&layer, 0), (120.05, 30.14));
        assert_eq!(point(&layer, 1), (120.06, 30.15));
        assert_eq!(
            layer.attr(&layer.features[0], "类型编码"),
            Some(&AttrValue::Text("090102".into()))
        );
        assert_eq!(
            layer.attr(&layer.features[0], "人数"),
            Some(&AttrValue::Int(12))
        );
        let skipped: Vec<&Issue> = layer
            .issues
            .iter()
            .filter(|i| i.severity == Severity::Skipped)
            .collect();
        assert_eq!(skipped.len(), 1);
        assert_eq!(skipped[0].feature, Some(SourceId::Row(5)));
    }

    #[test]
    fn truncated_or_fake_xlsx_is_an_error_not_a_panic() {
        let dir = tempfile::tempdir().expect("tmp");
        let good = dir.path().join("good.xlsx");
        write_xlsx(&good);
        let bytes = std::fs::read(&good).expect("read");
        for cut in [bytes.len() / 2, bytes.len() - 30, 10, 0] {
            let p = write(&dir, "cut.xlsx", &bytes[..cut]);
            let err = read(&p, &ReadOptions::default()).expect_err("truncated");
            assert!(err.to_string().contains("cut.xlsx"), "{err}");
        }
        let p = write(
            &dir,
            "fake.xls",
            b"<html><table><tr><td>1</td></tr></table></html>",
        );
        let err = read(&p, &ReadOptions::default()).expect_err("html");
        assert!(err.to_string().contains("not an Excel workbook"), "{err}");
    }
}
