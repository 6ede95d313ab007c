//! The city table's files: `city.xlsx`, `city.html` and `city.json`, written together into the
//! batch's output folder ([`write_city`]).

use std::path::{Path, PathBuf};

use serde::Serialize;

use crate::error::{Error, Result};
use crate::io::atomic::Staging;

use super::run::Row;
pub use super::table::{CityTable, url_path_segment};
use super::{CITY_HTML, CITY_JSON, CITY_XLSX, Settings, VERSION};

/// city.json's format; changes when a field changes meaning.
pub const FORMAT: &str = "towncircle-batch/1";

#[derive(Serialize)]
struct CityJson<'a> {
    format: &'static str,
    towncircle_version: &'static str,
    lang: &'static str,
    settings: Option<&'a Settings>,
    shard: Option<String>,
    towns: usize,
    failed: usize,
    rows: &'a [Row],
}

/// Write city.xlsx, city.html and city.json into `out` (all three or none). Returns the paths.
pub fn write_city(table: &CityTable, out: &Path) -> Result<Vec<PathBuf>> {
    std::fs::create_dir_all(out).map_err(|e| crate::error::IoError::open(out, e))?;
    let mut staging = Staging::new();
    let xlsx = staging.file(&out.join(CITY_XLSX));
    super::city_xlsx::write_xlsx(table, &xlsx, &out.join(CITY_XLSX))?;
    let html = staging.file(&out.join(CITY_HTML));
    write_plain(
        &html,
        &out.join(CITY_HTML),
        super::city_html::city_html(table).as_bytes(),
    )?;
    let json = serde_json::to_vec_pretty(&CityJson {
        format: FORMAT,
        towncircle_version: VERSION,
        lang: table.lang.code(),
        settings: table.settings.as_ref(),
        shard: table.shard.map(|s| s.to_string()),
        towns: table.rows.len(),
        failed: table.failed(),
        rows: &table.rows,
    })
    .map_err(|e| {
        Error::Config(format!(
            "city.json could not be encoded ({e}); please report this"
        ))
    })?;
    let json_tmp = staging.file(&out.join(CITY_JSON));
    write_plain(&json_tmp, &out.join(CITY_JSON), &json)?;
    staging.commit()
}

fn write_plain(temp: &Path, target: &Path, bytes: &[u8]) -> Result<()> {
    std::fs::write(temp, bytes).map_err(|e| crate::error::IoError::open(target, e).into())
}
