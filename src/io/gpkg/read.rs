//! Reading the feature tables of a GeoPackage: the table list, column kinds and every feature
//! (the srs of each table: `srs`), and the list of all tables, raster ones read by `raster`.

use super::srs::crs_of;
use super::*;

/// The kind of a column from its declared SQLite/GeoPackage type.
pub(super) fn declared_kind(decl: &str) -> Option<FieldKind> {
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

pub(super) fn value_of(v: ValueRef<'_>, kind: FieldKind) -> AttrValue {
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
pub(super) fn unify_kinds(fields: &mut [Field], features: &mut [Feature]) {
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

/// One feature table to read.
pub(super) struct TableSpec {
    pub(super) name: String,
    pub(super) geom_column: String,
    pub(super) srs_id: i64,
}

pub(super) fn read_table(
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
    let damaged = |e: String| {
        IoError::invalid(
            path,
            Location::File,
            format!("not a GeoPackage or damaged: {e}"),
        )
    };
    let specs = feature_tables(&conn).map_err(damaged)?;
    let rasters = super::raster::raster_tables(&conn).map_err(damaged)?;
    if specs.is_empty() && rasters.is_empty() {
        return Err(IoError::invalid(
            path,
            Location::File,
            "the GeoPackage has no feature tables and no raster tables (gpkg_contents lists no data_type 'features' or '2d-gridded-coverage')",
        )
        .into());
    }
    let mut layers = Vec::new();
    let mut failures = Vec::new();
    let mut skipped = Vec::new();
    for spec in &specs {
        match read_table(&conn, path, spec, options) {
            Ok(l) => layers.push(l),
            Err(e) => failures.push(e),
        }
    }
    for spec in &rasters {
        if spec.data_type == "tiles" {
            skipped.push(super::raster::tiles_skipped(spec));
            continue;
        }
        match super::raster::read_coverage(&conn, path, spec, options) {
            Ok(l) => layers.push(l),
            Err(e) => failures.push(e),
        }
    }
    if layers.is_empty() {
        let mut why = failures;
        why.extend(skipped);
        return Err(IoError::invalid(
            path,
            Location::File,
            format!("no table could be read: {}", why.join("; ")),
        )
        .into());
    }
    for f in failures {
        // A table of the file is missing from what was read: the file is only partly read.
        layers[0].issues.push(
            Issue::warning(None, format!("another table was not read: {f}"))
                .of_kind(crate::model::IssueKind::Truncated),
        );
    }
    for s in skipped {
        layers[0].issues.push(Issue::warning(None, s));
    }
    Ok(layers)
}

pub(super) fn feature_tables(conn: &Connection) -> std::result::Result<Vec<TableSpec>, String> {
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
