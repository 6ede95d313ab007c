//! The CRS of a GeoPackage srs_id (gpkg_spatial_ref_sys: EPSG codes, WKT, PROJ strings, GCJ-02/BD-09),
//! shared by the feature and raster readers.

use super::*;

/// A row of gpkg_spatial_ref_sys.
struct SrsRow {
    name: String,
    organization: String,
    code: i64,
    definition: String,
    description: String,
}

/// The CRS of srs `srs_id`, or why it is unknown.
pub(super) fn crs_of(conn: &Connection, srs_id: i64) -> std::result::Result<CrsInfo, String> {
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
