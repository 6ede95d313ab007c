//! The city table: one row per town, sorted by name, with what its columns are.

use crate::report::Lang;

use super::Settings;
use super::TOWNS_DIR;
use super::discover::Shard;
use super::run::Row;

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
