//! The city table (one row per town) and its files: `city.xlsx`, `city.html` and `city.json`,
//! written together into the batch's output folder ([`write_city`]).

use std::path::{Path, PathBuf};

use serde::Serialize;

use crate::error::{Error, Result};
use crate::io::atomic::Staging;
use crate::report::Lang;

use super::discover::Shard;
use super::run::Row;
use super::{CITY_HTML, CITY_JSON, CITY_XLSX, Settings, TOWNS_DIR, VERSION};

/// city.json's format; changes when a field changes meaning.
pub const FORMAT: &str = "towncircle-batch/1";

/// The rows of a city, sorted by town name, with what the columns are.
#[derive(Debug, Clone)]
pub struct CityTable {
    pub rows: Vec<Row>,
    /// The tiers (minutes) of the all-required columns: every tier any town has.
    pub tiers: Vec<u32>,
    /// The items' (number, zh, en) for the verdict columns, 1–10.
    pub items: Vec<(u8, String, String)>,
    pub lang: Lang,
    /// The settings the towns were run with (None when the rows disagree, after a merge).
    pub settings: Option<Settings>,
    /// Set when this table is one shard's share of a city.
    pub shard: Option<Shard>,
}

impl CityTable {
    pub fn new(mut rows: Vec<Row>, lang: Lang, shard: Option<Shard>) -> CityTable {
        rows.sort_by(|a, b| a.name.cmp(&b.name));
        let mut tiers: Vec<u32> = rows
            .iter()
            .filter_map(|r| r.outcome.facts())
            .flat_map(|f| f.all_required.iter().map(|s| s.minutes))
            .collect();
        tiers.sort_unstable();
        tiers.dedup();
        let mut items: Vec<(u8, String, String)> = rows
            .iter()
            .filter_map(|r| r.outcome.facts())
            .flat_map(|f| f.items.iter())
            .map(|i| (i.number, i.zh.clone(), i.en.clone()))
            .collect();
        items.sort_by_key(|i| i.0);
        items.dedup_by_key(|i| i.0);
        CityTable {
            rows,
            tiers,
            items,
            lang,
            settings: None,
            shard,
        }
    }

    pub fn failed(&self) -> usize {
        self.rows.iter().filter(|r| r.failed()).count()
    }

    /// The link from the city's files to a town's report.
    pub fn report_link(name: &str) -> String {
        format!("{TOWNS_DIR}/{}/{}", url_path_segment(name), "report.html")
    }
}

/// A path segment for a relative URL: ASCII letters, digits and `-._~` and every non-ASCII
/// character kept, every other byte percent-encoded.
pub fn url_path_segment(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        if c.is_ascii_alphanumeric() || "-._~".contains(c) || !c.is_ascii() {
            out.push(c);
        } else {
            out.push_str(&format!("%{:02X}", c as u32));
        }
    }
    out
}

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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn links_keep_chinese_and_encode_the_rest() {
        assert_eq!(CityTable::report_link("清溪镇"), "towns/清溪镇/report.html");
        assert_eq!(
            CityTable::report_link("a b#?%"),
            "towns/a%20b%23%3F%25/report.html"
        );
    }
}
