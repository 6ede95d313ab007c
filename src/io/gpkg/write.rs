//! Writing layers into a new GeoPackage (temp file + rename): metadata tables, one srs per CRS, feature tables with their columns and an R-tree-free layout.

use super::wkb_read::normalise;
use super::wkb_write::bounding_rect;
use super::*;

/// A CRS as a gpkg_spatial_ref_sys row.
pub(super) struct SrsDef {
    pub(super) id: i32,
    pub(super) name: String,
    pub(super) organization: String,
    pub(super) code: i32,
    pub(super) definition: String,
    pub(super) description: String,
}

pub(super) fn looks_like_degrees(layer: &Layer) -> bool {
    layer
        .features
        .iter()
        .filter_map(|f| bounding_rect(&f.geometry))
        .all(|r| {
            r.min().x >= -180.0 && r.max().x <= 180.0 && r.min().y >= -90.0 && r.max().y <= 90.0
        })
}

pub(super) fn srs_for(crs: Option<&Crs>, degrees: bool, customs: &mut Vec<String>) -> SrsDef {
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
pub(super) fn geometry_type_name(layer: &Layer) -> (&'static str, bool) {
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

pub(super) fn promote(g: &Geometry<f64>) -> Geometry<f64> {
    match normalise(g) {
        Geometry::Point(p) => Geometry::MultiPoint(MultiPoint(vec![p])),
        Geometry::LineString(l) => Geometry::MultiLineString(MultiLineString(vec![l])),
        Geometry::Polygon(p) => Geometry::MultiPolygon(MultiPolygon(vec![p])),
        other => other,
    }
}

/// A name made of letters, digits and `_`, not starting with a digit.
pub(super) fn sanitise(name: &str, fallback: &str) -> String {
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
pub(super) fn unique(base: String, taken: &mut Vec<String>) -> String {
    let mut name = base.clone();
    let mut k = 2;
    while taken.iter().any(|t| t.eq_ignore_ascii_case(&name)) {
        name = format!("{base}_{k}");
        k += 1;
    }
    taken.push(name.clone());
    name
}

pub(super) fn sql_type(kind: FieldKind) -> &'static str {
    match kind {
        FieldKind::Text => "TEXT",
        FieldKind::Int => "INTEGER",
        FieldKind::Float => "DOUBLE",
        FieldKind::Bool => "BOOLEAN",
        FieldKind::Date => "DATE",
    }
}

pub(super) fn sql_value(v: &AttrValue, kind: FieldKind) -> Value {
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

pub(super) const CREATE_METADATA: &str = r#"
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
pub(super) fn temp_path(path: &Path) -> PathBuf {
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

pub(super) fn write_new(tmp: &Path, path: &Path, layers: &[&Layer]) -> Result<()> {
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
pub(super) fn unique_identifier(name: &str, table: &str, layers: &[&Layer], n: usize) -> String {
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
