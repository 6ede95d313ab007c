//! From table rows to a layer: coordinates (lon/lat columns or a joined location), field names and kinds, attribute values.

use super::columns::{LAT_NAMES, LOCATION_NAMES, LON_NAMES, file_name_hint};
use super::table::{Cell, Table};
use super::*;

/// A number written in a cell: `120.15`, `120,15` (decimal comma), `120.15°`.
pub(super) fn parse_number(text: &str) -> Option<f64> {
    let t = text.trim().trim_end_matches('°').trim();
    let v = t.parse::<f64>().ok().or_else(|| {
        (t.matches(',').count() == 1 && !t.contains('.'))
            .then(|| t.replace(',', ".").parse::<f64>().ok())
            .flatten()
    })?;
    v.is_finite().then_some(v)
}

pub(super) fn cell_number(c: &Cell) -> Option<f64> {
    match c {
        Cell::Num(v) if v.is_finite() => Some(*v),
        Cell::Text(s) => parse_number(s),
        _ => None,
    }
}

/// The raw (x, y) of a row, or why it has none.
pub(super) fn row_coords(
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

pub(super) fn in_lonlat_range(c: Coord<f64>) -> bool {
    c.x.abs() <= 180.0 && c.y.abs() <= 90.0
}

/// Headers made unique and non-empty, for field names.
pub(super) fn field_names(headers: &[String]) -> Vec<String> {
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
pub(super) fn plain_int(text: &str) -> Option<i64> {
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
pub(super) fn plain_float(text: &str) -> Option<f64> {
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
pub(super) fn column_kind<'a>(cells: impl Iterator<Item = &'a Cell>) -> FieldKind {
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

pub(super) fn attr(cell: &Cell, kind: FieldKind, typecode: bool) -> AttrValue {
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
pub(super) enum CoordMode {
    /// Longitude/latitude degrees: rows out of range are skipped.
    LonLat,
    /// Mostly (latitude, longitude): kept as written for the loader to swap.
    Swapped,
    /// Not degrees (projected metres): kept as written for the loader to guess.
    Projected,
}

pub(super) fn build_layer(
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
