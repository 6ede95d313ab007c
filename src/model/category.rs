//! Facility categories (the taxonomy) and the rules that assign features to them.
//!
//! The rules live in a data file (`assets/categories.toml`, embedded as the default) so a planner
//! can extend them without touching code: OSM tags, Amap typecodes and name keywords.

use std::collections::BTreeMap;
use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};

use super::source::SourceId;

/// The taxonomy shipped with towncircle.
pub const DEFAULT_TAXONOMY_TOML: &str = include_str!("../../assets/categories.toml");

/// Index of a category in its [`Taxonomy`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct CategoryId(pub u16);

/// A facility category, as written in the taxonomy file.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Category {
    pub id: String,
    pub zh: String,
    pub en: String,
    #[serde(default)]
    pub group: String,
    /// Ten-ones items (1–10) this category is evidence for.
    #[serde(default)]
    pub ten_ones: Vec<u8>,
    /// Living-circle tiers (minutes) where it is usually required.
    #[serde(default)]
    pub tiers: Vec<u32>,
    #[serde(default)]
    pub osm: Vec<String>,
    #[serde(default)]
    pub amap: Vec<String>,
    #[serde(default)]
    pub keywords: Vec<String>,
    #[serde(default)]
    pub exclude: Vec<String>,
    /// A catch-all (e.g. a school of unknown level): a keyword match to a specific category wins.
    #[serde(default)]
    pub generic: bool,
    /// The age band (年龄段) the category serves (`60+` for elderly care, `3-5` for
    /// kindergartens, `6-14` for primary and middle schools): when a population raster of that
    /// band is loaded, its coverage counts those people instead of everyone.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub age_band: Option<super::AgeBand>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct TaxonomyFile {
    version: u32,
    category: Vec<Category>,
}

#[derive(Debug, Clone)]
pub(super) enum Cond {
    Eq(String, String),
    Any(String),
    Ne(String, String),
}

/// All categories and their compiled matching rules.
#[derive(Debug, Clone)]
pub struct Taxonomy {
    pub categories: Vec<Category>,
    pub(super) osm: Vec<(CategoryId, Vec<Cond>)>,
    pub(super) amap: Vec<(String, CategoryId)>,
    pub(super) keywords: Vec<(String, CategoryId)>,
}

impl Default for Taxonomy {
    fn default() -> Self {
        // The embedded file is tested below; an error here is a build defect, not user input.
        #[allow(clippy::expect_used)]
        Taxonomy::from_toml(DEFAULT_TAXONOMY_TOML, Path::new("assets/categories.toml"))
            .expect("the embedded taxonomy is valid")
    }
}

/// Column names that hold an explicit category, a name, a type text or an Amap typecode.
pub(super) const CATEGORY_FIELDS: &[&str] = &[
    "类别",
    "设施类别",
    "设施类型",
    "category",
    "facility",
    "fclass",
];
pub(super) const NAME_FIELDS: &[&str] = &["名称", "设施名称", "name", "名字", "mc", "poi_name"];
pub(super) const TYPE_FIELDS: &[&str] = &[
    "类型",
    "type",
    "类型名称",
    "大类",
    "中类",
    "小类",
    "kind",
    "用途",
    "block",
];
pub(super) const TYPECODE_FIELDS: &[&str] =
    &["类型编码", "typecode", "type_code", "编码", "poi_type_code"];

/// The outcome of classifying a layer.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct ClassifyReport {
    /// Features per category id.
    pub counts: BTreeMap<String, usize>,
    pub unmapped: usize,
    /// Up to 20 unmapped features with the text they had, for the user to write rules for.
    pub unmapped_examples: Vec<(SourceId, String)>,
}

/// An OSM rule condition compiled to (column, value or any, must equal).
pub(super) type CompiledCond<'a> = (usize, Option<&'a str>, bool);

impl Taxonomy {
    /// Parse and check a taxonomy file; errors give the line and the reason.
    pub fn from_toml(text: &str, path: &Path) -> Result<Taxonomy> {
        let file: TaxonomyFile = toml::from_str(text).map_err(|e| {
            let line = e
                .span()
                .map(|s| text[..s.start.min(text.len())].lines().count().max(1))
                .unwrap_or(0);
            Error::Config(format!("line {line}: {}: {}", e.message(), path.display()))
        })?;
        if file.version != 1 {
            return Err(Error::Config(format!(
                "taxonomy version {} is not supported (expected 1): {}",
                file.version,
                path.display()
            )));
        }
        let mut t = Taxonomy {
            categories: Vec::new(),
            osm: Vec::new(),
            amap: Vec::new(),
            keywords: Vec::new(),
        };
        for (i, c) in file.category.into_iter().enumerate() {
            if t.categories.iter().any(|o| o.id == c.id) {
                return Err(Error::Config(format!(
                    "category \"{}\" is defined twice: {}",
                    c.id,
                    path.display()
                )));
            }
            let id = CategoryId(
                u16::try_from(i).map_err(|_| Error::Config("too many categories".into()))?,
            );
            for rule in &c.osm {
                let conds = rule
                    .split('&')
                    .map(|part| {
                        if let Some((k, v)) = part.split_once("!=") {
                            Ok(Cond::Ne(k.trim().into(), v.trim().into()))
                        } else if let Some((k, v)) = part.split_once('=') {
                            if v.trim() == "*" {
                                Ok(Cond::Any(k.trim().into()))
                            } else {
                                Ok(Cond::Eq(k.trim().into(), v.trim().into()))
                            }
                        } else {
                            Err(Error::Config(format!(
                                "category \"{}\": OSM rule \"{rule}\" is not key=value: {}",
                                c.id,
                                path.display()
                            )))
                        }
                    })
                    .collect::<Result<Vec<_>>>()?;
                t.osm.push((id, conds));
            }
            for code in &c.amap {
                t.amap.push((code.trim().to_string(), id));
            }
            for kw in &c.keywords {
                t.keywords.push((kw.to_lowercase(), id));
            }
            t.categories.push(c);
        }
        // Longest keyword first, so the first match is the longest.
        t.keywords
            .sort_by_key(|k| std::cmp::Reverse(k.0.chars().count()));
        t.amap.sort_by_key(|k| std::cmp::Reverse(k.0.len()));
        Ok(t)
    }

    /// Read a taxonomy file.
    pub fn from_file(path: &Path) -> Result<Taxonomy> {
        let text =
            std::fs::read_to_string(path).map_err(|e| crate::error::IoError::open(path, e))?;
        Taxonomy::from_toml(&text, path)
    }

    pub fn get(&self, id: CategoryId) -> Option<&Category> {
        self.categories.get(id.0 as usize)
    }

    /// The category with this string id.
    pub fn by_id(&self, id: &str) -> Option<CategoryId> {
        self.categories
            .iter()
            .position(|c| c.id == id)
            .and_then(|i| u16::try_from(i).ok())
            .map(CategoryId)
    }

    pub(super) fn by_name(&self, text: &str) -> Option<CategoryId> {
        let t = text.trim();
        self.categories
            .iter()
            .position(|c| c.id == t || c.zh == t || c.en.eq_ignore_ascii_case(t))
            .and_then(|i| u16::try_from(i).ok())
            .map(CategoryId)
    }

    pub(super) fn by_keyword(&self, text: &str) -> Option<CategoryId> {
        let lower = text.to_lowercase();
        self.keywords
            .iter()
            .filter(|(kw, _)| lower.contains(kw.as_str()))
            .find(|(_, id)| {
                self.get(*id)
                    .is_some_and(|c| !c.exclude.iter().any(|x| lower.contains(&x.to_lowercase())))
            })
            .map(|(_, id)| *id)
    }

    pub(super) fn by_typecode(&self, code: &str) -> Option<CategoryId> {
        // Amap writes several codes joined by '|': the first that matches wins.
        code.split(['|', ';', ','])
            .map(str::trim)
            .filter(|c| !c.is_empty())
            .find_map(|c| {
                self.amap
                    .iter()
                    .find(|(prefix, _)| c.starts_with(prefix.as_str()))
                    .map(|(_, id)| *id)
            })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::crs::CrsInfo;
    use crate::model::Layer;
    use crate::model::{AttrValue, Feature, Field, FieldKind, Format, SourceInfo};
    use geo_types::{Geometry, Point};

    fn layer(fields: &[&str], rows: &[&[&str]]) -> Layer {
        let mut l = Layer::new(
            "t",
            SourceInfo {
                path: "t.csv".into(),
                format: Format::Csv,
                table: None,
                encoding: None,
            },
            CrsInfo::unknown(),
        );
        l.fields = fields
            .iter()
            .map(|f| Field::new(*f, FieldKind::Text))
            .collect();
        l.features = rows
            .iter()
            .enumerate()
            .map(|(i, r)| Feature {
                geometry: Geometry::Point(Point::new(0.0, 0.0)),
                attrs: r
                    .iter()
                    .map(|s| {
                        if s.is_empty() {
                            AttrValue::Null
                        } else {
                            AttrValue::Text(s.to_string())
                        }
                    })
                    .collect(),
                source_id: SourceId::Line(i as u64 + 2),
                category: None,
            })
            .collect();
        l
    }

    fn ids(t: &Taxonomy, l: &Layer) -> Vec<String> {
        l.features
            .iter()
            .map(|f| {
                f.category
                    .and_then(|c| t.get(c))
                    .map(|c| c.id.clone())
                    .unwrap_or_default()
            })
            .collect()
    }

    #[test]
    fn chinese_names_longest_keyword_wins() {
        let t = Taxonomy::default();
        let mut l = layer(
            &["名称", "类型"],
            &[
                &["清溪镇中心幼儿园", ""],
                &["溪口村卫生室", ""],
                &["清溪镇卫生院", ""],
                &["清溪镇居家养老服务中心", ""],
                &["溪口村居家养老服务照料中心", ""],
                &["清溪镇便民服务中心", ""],
                &["溪口村便民服务站", ""],
                &["清溪镇初级中学", ""],
                &["清溪镇中心小学", ""],
                &["清溪农贸市场", ""],
                &["宠物医院", ""],
                &["某某公司", "公司企业"],
                &["幼儿园用品店", ""],
            ],
        );
        let report = t.classify_layer(&mut l);
        assert_eq!(
            ids(&t, &l),
            [
                "kindergarten",
                "village_clinic",
                "health_center",
                "elderly_service_center",
                "elderly_day_care",
                "town_service_center",
                "village_service_station",
                "middle_school",
                "primary_school",
                "fresh_market",
                "",
                "",
                ""
            ]
        );
        assert_eq!(report.unmapped, 3);
        assert_eq!(report.unmapped_examples[1].0, SourceId::Line(13));
        assert!(report.unmapped_examples[1].1.contains("公司企业"));
    }

    #[test]
    fn osm_tags_and_generic_refinement() {
        let t = Taxonomy::default();
        let mut l = layer(
            &["amenity", "isced:level", "name", "shop"],
            &[
                &["school", "1", "Kalevan koulu", ""],
                &["school", "", "Kruununhaan yläaste", ""],
                &["school", "", "Some school", ""],
                &["kindergarten", "", "Päiväkoti", ""],
                &["", "", "Alepa", "supermarket"],
                &["bench", "", "", ""],
            ],
        );
        t.classify_layer(&mut l);
        assert_eq!(
            ids(&t, &l),
            [
                "primary_school",
                "middle_school",
                "school",
                "kindergarten",
                "supermarket",
                ""
            ]
        );
    }

    #[test]
    fn amap_typecodes_and_explicit_column() {
        let t = Taxonomy::default();
        let mut l = layer(
            &["名称", "类型编码", "类别"],
            &[
                &["阳光宝宝", "141204", ""],
                &["某站", "150702|150700", ""],
                &["随便", "", "农贸市场"],
                &["随便", "", "park"],
            ],
        );
        t.classify_layer(&mut l);
        assert_eq!(
            ids(&t, &l),
            ["kindergarten", "bus_stop", "fresh_market", "park"]
        );
    }

    #[test]
    fn bad_taxonomy_files_name_the_line() {
        let err = Taxonomy::from_toml("version = 1\n[[category]]\nid = 3\n", Path::new("x.toml"))
            .expect_err("bad");
        let msg = err.to_string();
        assert!(msg.contains("line 3") && msg.contains("x.toml"), "{msg}");
        let dup = "version = 1\n[[category]]\nid='a'\nzh='a'\nen='a'\n[[category]]\nid='a'\nzh='b'\nen='b'\n";
        assert!(Taxonomy::from_toml(dup, Path::new("d.toml")).is_err());
        assert!(Taxonomy::from_toml("version = 2\ncategory = []\n", Path::new("v.toml")).is_err());
    }

    #[test]
    fn every_default_category_has_a_rule() {
        let t = Taxonomy::default();
        assert!(t.categories.len() >= 30);
        for c in &t.categories {
            assert!(!c.keywords.is_empty() || !c.osm.is_empty(), "{}", c.id);
            assert!(c.ten_ones.iter().all(|i| (1..=10).contains(i)), "{}", c.id);
        }
        // The age bands categories serve: elderly care 60+, kindergartens 3-5, schools 6-14.
        let band = |id: &str| {
            t.by_id(id)
                .and_then(|c| t.get(c))
                .and_then(|c| c.age_band)
                .map(|b| b.to_string())
        };
        for id in ["elderly_service_center", "elderly_day_care", "nursing_home"] {
            assert_eq!(band(id).as_deref(), Some("60+"), "{id}");
        }
        assert_eq!(band("kindergarten").as_deref(), Some("3-5"));
        for id in ["primary_school", "middle_school"] {
            assert_eq!(band(id).as_deref(), Some("6-14"), "{id}");
        }
        assert_eq!(band("health_center"), None);
        let bad = DEFAULT_TAXONOMY_TOML.replace("age_band = \"3-5\"", "age_band = \"toddlers\"");
        let e = Taxonomy::from_toml(&bad, Path::new("mine.toml"))
            .unwrap_err()
            .to_string();
        assert!(e.contains("toddlers") && e.contains("mine.toml"), "{e}");
    }
}
