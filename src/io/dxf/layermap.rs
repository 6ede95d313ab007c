//! Which role a CAD layer plays, from its name: the rules of `assets/cad-layers.toml` (embedded
//! as the default) or of a planner's own file, whose rules are tried first.

use std::path::Path;

use serde::Deserialize;

use crate::error::{Error, IoError, Location, Result};
use crate::model::Role;

/// The mapping shipped with towncircle.
pub const DEFAULT_CAD_LAYERS_TOML: &str = include_str!("../../../assets/cad-layers.toml");

#[derive(Debug, Clone, Deserialize)]
#[serde(untagged)]
enum OneOrMany {
    One(String),
    Many(Vec<String>),
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct RuleFile {
    pattern: OneOrMany,
    role: String,
    #[serde(default)]
    category: Option<String>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct MapFile {
    version: u32,
    #[serde(default)]
    layer: Vec<RuleFile>,
}

/// One rule: CAD layer names matching any of `patterns` get `role` (None: no role, and no later
/// rule is tried) and, for facility layers, the taxonomy category `category`.
#[derive(Debug, Clone, PartialEq)]
pub struct CadLayerRule {
    pub patterns: Vec<String>,
    pub role: Option<Role>,
    pub category: Option<String>,
}

/// Rules from CAD layer names to roles, tried in order; the first match wins.
#[derive(Debug, Clone, PartialEq)]
pub struct CadLayerMap {
    pub rules: Vec<CadLayerRule>,
}

impl Default for CadLayerMap {
    fn default() -> Self {
        // The embedded file is tested below; an error here is a build defect, not user input.
        #[allow(clippy::expect_used)]
        CadLayerMap::from_toml(DEFAULT_CAD_LAYERS_TOML, Path::new("assets/cad-layers.toml"))
            .expect("the embedded CAD layer mapping is valid")
    }
}

impl CadLayerMap {
    /// Parse a mapping file; errors name the file and the rule.
    pub fn from_toml(text: &str, path: &Path) -> Result<CadLayerMap> {
        let bad = |message: String| -> Error {
            IoError::invalid(
                path,
                Location::File,
                format!("CAD layer mapping: {message}"),
            )
            .into()
        };
        let file: MapFile = toml::from_str(text).map_err(|e| bad(e.to_string()))?;
        if file.version != 1 {
            return Err(bad(format!(
                "version {} is not known (this towncircle reads version 1)",
                file.version
            )));
        }
        let mut rules = Vec::with_capacity(file.layer.len());
        for (i, r) in file.layer.into_iter().enumerate() {
            let n = i + 1;
            let patterns = match r.pattern {
                OneOrMany::One(p) => vec![p],
                OneOrMany::Many(ps) => ps,
            };
            if patterns.is_empty() || patterns.iter().any(|p| p.trim().is_empty()) {
                return Err(bad(format!("[[layer]] number {n}: an empty pattern")));
            }
            let role = match r.role.trim() {
                "none" | "" => None,
                label => Some(Role::parse(label).ok_or_else(|| {
                    bad(format!(
                        "[[layer]] number {n} ({}): role \"{label}\" is not one of none, {}",
                        patterns[0],
                        Role::ALL.map(Role::en).join(", ")
                    ))
                })?),
            };
            if r.category.is_some() && role != Some(Role::Facilities) {
                return Err(bad(format!(
                    "[[layer]] number {n} ({}): a category is only for role = \"facilities\"",
                    patterns[0]
                )));
            }
            rules.push(CadLayerRule {
                patterns,
                role,
                category: r.category.map(|c| c.trim().to_string()),
            });
        }
        Ok(CadLayerMap { rules })
    }

    /// The default mapping with the rules of a planner's file in front of it (a last rule
    /// `pattern = "*"`, `role = "none"` in that file turns the defaults off).
    pub fn with_user_file(path: &Path) -> Result<CadLayerMap> {
        let text = std::fs::read_to_string(path).map_err(|e| IoError::open(path, e))?;
        let mut map = CadLayerMap::from_toml(&text, path)?;
        map.rules.extend(CadLayerMap::default().rules);
        Ok(map)
    }

    /// The first rule matching the CAD layer `name`, None when no rule does.
    pub fn lookup(&self, name: &str) -> Option<&CadLayerRule> {
        let name = name.trim().to_lowercase();
        self.rules.iter().find(|r| {
            r.patterns
                .iter()
                .any(|p| glob_match(&p.trim().to_lowercase(), &name))
        })
    }
}

/// `*` any run of characters, `?` one character; the whole name must match.
pub fn glob_match(pattern: &str, name: &str) -> bool {
    let p: Vec<char> = pattern.chars().collect();
    let n: Vec<char> = name.chars().collect();
    let (mut pi, mut ni) = (0, 0);
    // Where the last `*` was, and the name position it stands for so far.
    let mut star: Option<(usize, usize)> = None;
    while ni < n.len() {
        if pi < p.len() && (p[pi] == '?' || p[pi] == n[ni]) {
            pi += 1;
            ni += 1;
        } else if pi < p.len() && p[pi] == '*' {
            star = Some((pi, ni));
            pi += 1;
        } else if let Some((sp, sn)) = star {
            pi = sp + 1;
            ni = sn + 1;
            star = Some((sp, sn + 1));
        } else {
            return false;
        }
    }
    p[pi..].iter().all(|&c| c == '*')
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Taxonomy;

    #[test]
    fn globs() {
        assert!(glob_match("道路*", "道路中心线"));
        assert!(glob_match("*路网*", "规划路网"));
        assert!(glob_match("road*", "road_centre"));
        assert!(glob_match("r?ad", "road"));
        assert!(!glob_match("道路*", "规划道路"));
        assert!(glob_match("*", ""));
        assert!(glob_match("a*b*c", "axxbyyc"));
        assert!(!glob_match("a*b*c", "axxbyy"));
    }

    #[test]
    fn the_default_mapping() {
        let m = CadLayerMap::default();
        let role = |n: &str| m.lookup(n).and_then(|r| r.role);
        let cat = |n: &str| m.lookup(n).and_then(|r| r.category.clone());
        assert_eq!(role("道路中心线"), Some(Role::Roads));
        assert_eq!(role("ROAD_CL"), Some(Role::Roads));
        assert_eq!(role("Road"), Some(Role::Roads));
        assert_eq!(role("规划路网"), Some(Role::Roads));
        // Road edges are not centre lines; parcels and river centre lines are no roads.
        assert_eq!(role("道路红线"), None);
        assert!(m.lookup("道路红线").is_some());
        assert_eq!(role("用地红线"), Some(Role::Parcels));
        assert_eq!(role("控规地块"), Some(Role::Parcels));
        assert_eq!(role("规划用地"), Some(Role::Parcels));
        assert_eq!(role("LANDUSE_2035"), Some(Role::Parcels));
        assert_eq!(role("道路用地"), Some(Role::Parcels));
        // A facility's own site stays the facility.
        assert_eq!(cat("幼儿园用地").as_deref(), Some("kindergarten"));
        assert_eq!(role("河道中心线"), Some(Role::Water));
        assert_eq!(role("建筑"), Some(Role::Buildings));
        assert_eq!(role("建筑退线"), None);
        assert_eq!(role("镇域范围"), Some(Role::Boundary));
        assert_eq!(role("行政村界"), Some(Role::Villages));
        assert_eq!(role("建成区"), Some(Role::BuiltUpArea));
        assert_eq!(role("水系"), Some(Role::Water));
        assert_eq!(role("公共服务设施-幼儿园"), Some(Role::Facilities));
        assert_eq!(cat("公共服务设施-幼儿园").as_deref(), Some("kindergarten"));
        assert_eq!(cat("卫生院").as_deref(), Some("health_center"));
        assert_eq!(cat("高级中学").as_deref(), Some("high_school"));
        assert_eq!(cat("初级中学").as_deref(), Some("middle_school"));
        assert_eq!(
            cat("居家养老服务照料中心").as_deref(),
            Some("elderly_day_care")
        );
        assert_eq!(role("公共服务设施"), Some(Role::Facilities));
        assert_eq!(cat("公共服务设施"), None);
        assert!(m.lookup("图层1").is_none());
        // Every category named is one of the shipped taxonomy's.
        let t = Taxonomy::default();
        for r in &m.rules {
            if let Some(c) = &r.category {
                assert!(t.by_id(c).is_some(), "unknown category {c}");
            }
        }
    }

    #[test]
    fn bad_files_say_what_and_where() {
        let p = Path::new("my-layers.toml");
        let e = CadLayerMap::from_toml(
            "version = 1\n[[layer]]\npattern = \"x\"\nrole = \"rivers\"\n",
            p,
        )
        .unwrap_err()
        .to_string();
        assert!(e.contains("my-layers.toml") && e.contains("rivers"), "{e}");
        let e = CadLayerMap::from_toml(
            "version = 1\n[[layer]]\npattern = \"x\"\nrole = \"roads\"\ncategory = \"park\"\n",
            p,
        )
        .unwrap_err()
        .to_string();
        assert!(e.contains("only for role"), "{e}");
        let e = CadLayerMap::from_toml("version = 2\n", p)
            .unwrap_err()
            .to_string();
        assert!(e.contains("version 2"), "{e}");
    }

    #[test]
    fn a_user_file_goes_first() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("cad.toml");
        std::fs::write(
            &p,
            "version = 1\n[[layer]]\npattern = [\"DL*\", \"道路红线\"]\nrole = \"roads\"\n",
        )
        .unwrap();
        let m = CadLayerMap::with_user_file(&p).unwrap();
        assert_eq!(m.lookup("dl-1").and_then(|r| r.role), Some(Role::Roads));
        assert_eq!(m.lookup("道路红线").and_then(|r| r.role), Some(Role::Roads));
        assert_eq!(m.lookup("建筑").and_then(|r| r.role), Some(Role::Buildings));
        let e = CadLayerMap::with_user_file(&dir.path().join("nope.toml")).unwrap_err();
        assert!(e.to_string().contains("nope.toml"));
    }
}
