//! Standards profiles: every number the analysis uses (speeds, road classes, tiers, required
//! facilities, demand assumptions), read from a versioned, user-editable TOML file with the
//! provenance of each value. The shipped profile is `assets/standards/zhejiang-beautiful-towns.toml`,
//! embedded as the default.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use toml::Spanned;

use crate::error::{Error, Result};
use crate::model::{CategoryId, Taxonomy};

pub use super::cited::{Cited, Provenance};
pub(crate) use super::cited::{config_error, line_of};
use super::tenones::{TenOnesProfile, empty_fallback};

/// The profile shipped with towncircle.
pub const DEFAULT_PROFILE_TOML: &str =
    include_str!("../../assets/standards/zhejiang-beautiful-towns.toml");
/// Where the default profile lives in the source tree (for messages).
pub const DEFAULT_PROFILE_PATH: &str = "assets/standards/zhejiang-beautiful-towns.toml";

/// The profiles shipped with towncircle, embedded (the binary works from any folder):
/// (name, TOML text). The name is the file name in assets/standards/ without `.toml`.
pub const SHIPPED_PROFILES: &[(&str, &str)] = &[
    ("zhejiang-beautiful-towns", DEFAULT_PROFILE_TOML),
    (
        "gb50180-2018",
        include_str!("../../assets/standards/gb50180-2018.toml"),
    ),
    (
        "tdt1062-2021",
        include_str!("../../assets/standards/tdt1062-2021.toml"),
    ),
];

/// The embedded text of a shipped profile (`name` with or without `.toml`).
pub fn shipped_profile_text(name: &str) -> Option<&'static str> {
    let name = name.strip_suffix(".toml").unwrap_or(name);
    SHIPPED_PROFILES
        .iter()
        .find(|(n, _)| *n == name)
        .map(|(_, t)| *t)
}

/// A shipped profile by name (see [`SHIPPED_PROFILES`]), else a profile file.
pub fn resolve_profile(name_or_path: &str) -> Result<Profile> {
    if let Some(text) = shipped_profile_text(name_or_path) {
        let name = name_or_path.strip_suffix(".toml").unwrap_or(name_or_path);
        return Profile::from_toml(text, Path::new(&format!("assets/standards/{name}.toml")));
    }
    let path = Path::new(name_or_path);
    if path.exists() {
        return Profile::from_file(path);
    }
    Err(Error::Config(format!(
        "no standards profile \"{name_or_path}\": give a profile file or one of the shipped names: {}",
        SHIPPED_PROFILES
            .iter()
            .map(|(n, _)| *n)
            .collect::<Vec<_>>()
            .join(", ")
    )))
}

/// The profile file format this code reads.
pub const FORMAT_VERSION: u32 = 1;

impl TryFrom<String> for Provenance {
    type Error = String;
    fn try_from(s: String) -> std::result::Result<Self, String> {
        let t = s.trim();
        match t {
            "K" => Ok(Provenance::Known),
            "P" => Ok(Provenance::Proposed),
            "S" => Ok(Provenance::Source(None)),
            _ => t
                .strip_prefix('S')
                .and_then(|n| n.parse::<u16>().ok())
                .map(|n| Provenance::Source(Some(n)))
                .ok_or_else(|| {
                    format!(
                        "source \"{s}\" is not a provenance tag: use \"S<n>\" (found in source n), \"K\" (known standard, to verify) or \"P\" (proposed)"
                    )
                }),
        }
    }
}

impl From<Provenance> for String {
    fn from(p: Provenance) -> String {
        match p {
            Provenance::Source(Some(n)) => format!("S{n}"),
            Provenance::Source(None) => "S".into(),
            Provenance::Known => "K".into(),
            Provenance::Proposed => "P".into(),
        }
    }
}

/// Index of a road class in [`Profile::road_classes`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct RoadClassId(pub u8);

/// A road class as written in the profile.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RoadClassDef {
    pub id: String,
    #[serde(default)]
    pub zh: String,
    #[serde(default)]
    pub en: String,
}

/// A travel mode, resolved against the road classes.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ModeProfile {
    pub id: String,
    pub zh: String,
    pub en: String,
    /// Speed on every allowed class not listed in `class_speed_km_h`.
    pub speed_m_per_s: Cited<f64>,
    /// Speed per class, where it differs from the base speed (cars).
    pub class_speed_km_h: Vec<(RoadClassId, Cited<f64>)>,
    /// Classes this mode may not use.
    pub forbidden_classes: Vec<RoadClassId>,
    /// Whether one-way streets restrict this mode.
    pub oneway: bool,
    /// Speed of the straight leg between a point and the road it snaps to.
    pub access_speed_m_per_s: Cited<f64>,
}

/// Where a tier is required.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Scope {
    /// Every resident of the town.
    Town,
    /// Residents of the built-up area (建成区).
    BuiltUp,
    /// Residents of each administrative village (行政村).
    Villages,
}

/// One required facility of a tier: any of the listed categories satisfies it, within the
/// tier's minutes unless the requirement sets its own limit (`max_m` at the tier's mode, or
/// `max_min`), e.g. a bus stop within 500 m in the 5-minute (300 m) tier.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Requirement {
    /// The category ids as written, e.g. "community_health_station|village_clinic".
    pub label: String,
    pub any_of: Vec<String>,
    /// Its own distance limit in metres, travelled at the tier mode's base speed.
    pub max_m: Option<Cited<f64>>,
    /// Its own time limit in minutes.
    pub max_min: Option<Cited<f64>>,
    /// Line in the profile file, for messages.
    #[serde(skip)]
    pub line: usize,
}

/// A living-circle tier.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Tier {
    pub minutes: u32,
    pub id: String,
    pub zh: String,
    pub en: String,
    pub scope: Scope,
    /// The mode the tier is defined for (an id of [`Profile::modes`]).
    pub mode: String,
    pub required: Vec<Requirement>,
    pub source: Provenance,
    pub cite: String,
}

impl Tier {
    /// The tier's budget in seconds.
    pub fn budget_s(&self) -> f64 {
        f64::from(self.minutes) * 60.0
    }

    /// The time budget of one requirement at a mode's base speed: its own limit, else the
    /// tier's.
    pub fn requirement_budget_s(&self, r: &Requirement, speed_m_per_s: f64) -> f64 {
        match (&r.max_min, &r.max_m) {
            (Some(m), _) => m.value * 60.0,
            (None, Some(d)) if speed_m_per_s > 0.0 => d.value / speed_m_per_s,
            _ => self.budget_s(),
        }
    }
}

impl Requirement {
    /// The limit as shown next to the requirement ("≤500 m", "≤10 min"), when it has its own.
    pub fn limit_text(&self) -> Option<String> {
        match (&self.max_min, &self.max_m) {
            (Some(m), _) => Some(format!("≤{} min", m.value)),
            (None, Some(d)) => Some(format!("≤{} m", d.value)),
            _ => None,
        }
    }
}

/// Network building and snapping parameters.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NetworkParams {
    pub snap_tolerance_m: Cited<f64>,
    pub max_snap_m: Cited<f64>,
    pub detour_factor: Cited<f64>,
}

/// Demand (where people live) assumptions and the fields they are read from.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DemandParams {
    pub persons_per_m2: Cited<f64>,
    pub default_levels: Cited<f64>,
    pub grid_cell_m: Cited<f64>,
    pub population_fields: Vec<String>,
    pub levels_fields: Vec<String>,
    pub use_fields: Vec<String>,
    pub name_fields: Vec<String>,
    pub residential_uses: Vec<String>,
}

/// Parameters of the output shapes.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ShapeParams {
    pub isochrone_half_width_m: Cited<f64>,
    pub gap_cell_m: Cited<f64>,
    pub time_grid_cell_m: Cited<f64>,
}

/// A standards profile, checked and resolved.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Profile {
    pub format_version: u32,
    pub id: String,
    pub name: String,
    pub version: String,
    pub description: String,
    /// The file it was read from.
    pub path: PathBuf,
    pub road_classes: Vec<RoadClassDef>,
    pub default_class: RoadClassId,
    /// Fields holding OSM `highway` values, and fields holding 道路等级 values.
    pub osm_class_fields: Vec<String>,
    pub zh_class_fields: Vec<String>,
    /// Field values that are not roads.
    pub ignore_values: Vec<String>,
    pub osm_classes: BTreeMap<String, RoadClassId>,
    pub zh_classes: BTreeMap<String, RoadClassId>,
    pub modes: Vec<ModeProfile>,
    pub network: NetworkParams,
    pub demand: DemandParams,
    pub shapes: ShapeParams,
    pub tiers: Vec<Tier>,
    /// The ten-ones rules (`[ten_ones]`); None = use the default profile's (see
    /// [`ten_ones_of`]).
    pub ten_ones: Option<super::tenones::TenOnesProfile>,
}

impl Default for Profile {
    fn default() -> Self {
        // The embedded profile is tested below; an error here is a build defect, not user input.
        #[allow(clippy::expect_used)]
        Profile::from_toml(DEFAULT_PROFILE_TOML, Path::new(DEFAULT_PROFILE_PATH))
            .expect("the embedded profile is valid")
    }
}

// ----- the file as written --------------------------------------------------------------------

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawClasses {
    default: Spanned<String>,
    #[serde(default)]
    osm_fields: Vec<String>,
    #[serde(default)]
    zh_fields: Vec<String>,
    #[serde(default)]
    ignore: Vec<String>,
    #[serde(default)]
    osm: BTreeMap<String, Spanned<String>>,
    #[serde(default)]
    zh: BTreeMap<String, Spanned<String>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawMode {
    #[serde(default)]
    zh: String,
    #[serde(default)]
    en: String,
    speed_m_per_s: Cited<f64>,
    #[serde(default)]
    class_speed_km_h: BTreeMap<Spanned<String>, Cited<f64>>,
    #[serde(default)]
    forbidden_classes: Vec<Spanned<String>>,
    #[serde(default)]
    oneway: bool,
    access_speed_m_per_s: Cited<f64>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawTier {
    minutes: Spanned<u32>,
    id: String,
    #[serde(default)]
    zh: String,
    #[serde(default)]
    en: String,
    scope: Scope,
    mode: Spanned<String>,
    #[serde(default)]
    required: Vec<Spanned<RawRequirement>>,
    source: Provenance,
    #[serde(default)]
    cite: String,
}

/// A requirement: `"a|b"`, or `{ any_of = "a|b", max_m = { value = 500.0, source = "K", cite = ".." } }`.
#[derive(Debug, Deserialize)]
#[serde(untagged)]
enum RawRequirement {
    Ids(String),
    Limited(RawLimited),
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawLimited {
    any_of: String,
    #[serde(default)]
    max_m: Option<Cited<f64>>,
    #[serde(default)]
    max_min: Option<Cited<f64>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawProfile {
    format_version: Spanned<u32>,
    id: String,
    name: String,
    #[serde(default)]
    version: String,
    #[serde(default)]
    description: String,
    road_class: Vec<RoadClassDef>,
    road_classes: RawClasses,
    modes: BTreeMap<String, RawMode>,
    network: NetworkParams,
    demand: DemandParams,
    shapes: ShapeParams,
    #[serde(default)]
    tier: Vec<RawTier>,
    #[serde(default)]
    ten_ones: Option<super::tenones::TenOnesProfile>,
}

impl Profile {
    /// Parse and check a profile; errors give the file, the line and what to fix.
    pub fn from_toml(text: &str, path: &Path) -> Result<Profile> {
        let raw: RawProfile = toml::from_str(text).map_err(|e| {
            let line = e.span().map(|s| line_of(text, s.start)).unwrap_or(0);
            config_error(path, line, e.message().trim())
        })?;
        let at = |span: std::ops::Range<usize>| line_of(text, span.start);
        if *raw.format_version.get_ref() != FORMAT_VERSION {
            return Err(config_error(
                path,
                at(raw.format_version.span()),
                format!(
                    "profile format_version {} is not supported (this towncircle reads {FORMAT_VERSION})",
                    raw.format_version.get_ref()
                ),
            ));
        }
        if raw.road_class.is_empty() || raw.road_class.len() > usize::from(u8::MAX) {
            return Err(config_error(
                path,
                0,
                "the profile needs between 1 and 255 [[road_class]] entries",
            ));
        }
        for (i, c) in raw.road_class.iter().enumerate() {
            if raw.road_class[..i].iter().any(|o| o.id == c.id) {
                return Err(config_error(
                    path,
                    0,
                    format!("road class \"{}\" is defined twice", c.id),
                ));
            }
        }
        let classes = &raw.road_class;
        let class_of = |s: &Spanned<String>| -> Result<RoadClassId> {
            classes
                .iter()
                .position(|c| c.id == *s.get_ref())
                .and_then(|i| u8::try_from(i).ok())
                .map(RoadClassId)
                .ok_or_else(|| {
                    config_error(
                        path,
                        at(s.span()),
                        format!(
                            "unknown road class \"{}\" (defined classes: {})",
                            s.get_ref(),
                            classes
                                .iter()
                                .map(|c| c.id.as_str())
                                .collect::<Vec<_>>()
                                .join(", ")
                        ),
                    )
                })
        };
        let default_class = class_of(&raw.road_classes.default)?;
        let mut osm_classes = BTreeMap::new();
        for (k, v) in &raw.road_classes.osm {
            osm_classes.insert(k.trim().to_ascii_lowercase(), class_of(v)?);
        }
        let mut zh_classes = BTreeMap::new();
        for (k, v) in &raw.road_classes.zh {
            zh_classes.insert(k.trim().to_string(), class_of(v)?);
        }
        let positive = |c: &Cited<f64>, what: &str| -> Result<()> {
            if c.value.is_finite() && c.value > 0.0 {
                Ok(())
            } else {
                Err(config_error(
                    path,
                    0,
                    format!("{what} must be a positive number, not {}", c.value),
                ))
            }
        };
        let mut modes = Vec::new();
        for (id, m) in &raw.modes {
            positive(&m.speed_m_per_s, &format!("modes.{id}.speed_m_per_s"))?;
            positive(
                &m.access_speed_m_per_s,
                &format!("modes.{id}.access_speed_m_per_s"),
            )?;
            let mut class_speed_km_h = Vec::new();
            for (k, v) in &m.class_speed_km_h {
                positive(v, &format!("modes.{id}.class_speed_km_h.{}", k.get_ref()))?;
                class_speed_km_h.push((class_of(k)?, v.clone()));
            }
            let forbidden_classes = m
                .forbidden_classes
                .iter()
                .map(class_of)
                .collect::<Result<Vec<_>>>()?;
            modes.push(ModeProfile {
                id: id.clone(),
                zh: m.zh.clone(),
                en: m.en.clone(),
                speed_m_per_s: m.speed_m_per_s.clone(),
                class_speed_km_h,
                forbidden_classes,
                oneway: m.oneway,
                access_speed_m_per_s: m.access_speed_m_per_s.clone(),
            });
        }
        positive(&raw.network.max_snap_m, "network.max_snap_m")?;
        positive(&raw.network.detour_factor, "network.detour_factor")?;
        if !(raw.network.snap_tolerance_m.value >= 0.0
            && raw.network.snap_tolerance_m.value.is_finite())
        {
            return Err(config_error(
                path,
                0,
                "network.snap_tolerance_m must be zero or positive",
            ));
        }
        positive(&raw.demand.persons_per_m2, "demand.persons_per_m2")?;
        positive(&raw.demand.default_levels, "demand.default_levels")?;
        positive(&raw.demand.grid_cell_m, "demand.grid_cell_m")?;
        positive(
            &raw.shapes.isochrone_half_width_m,
            "shapes.isochrone_half_width_m",
        )?;
        positive(&raw.shapes.gap_cell_m, "shapes.gap_cell_m")?;
        positive(&raw.shapes.time_grid_cell_m, "shapes.time_grid_cell_m")?;
        let mut tiers: Vec<Tier> = Vec::new();
        for t in &raw.tier {
            let minutes = *t.minutes.get_ref();
            if minutes == 0 || tiers.iter().any(|o| o.minutes == minutes) {
                return Err(config_error(
                    path,
                    at(t.minutes.span()),
                    format!("tier minutes {minutes} must be positive and appear once"),
                ));
            }
            if !raw.modes.contains_key(t.mode.get_ref()) {
                return Err(config_error(
                    path,
                    at(t.mode.span()),
                    format!(
                        "tier {minutes}: unknown mode \"{}\" (modes: {})",
                        t.mode.get_ref(),
                        raw.modes.keys().cloned().collect::<Vec<_>>().join(", ")
                    ),
                ));
            }
            let mut required = Vec::new();
            for r in &t.required {
                let line = at(r.span());
                let (label, max_m, max_min) = match r.get_ref() {
                    RawRequirement::Ids(ids) => (ids.clone(), None, None),
                    RawRequirement::Limited(l) => {
                        if l.max_m.is_some() && l.max_min.is_some() {
                            return Err(config_error(
                                path,
                                line,
                                format!(
                                    "tier {minutes}: \"{}\" has both max_m and max_min; give one",
                                    l.any_of
                                ),
                            ));
                        }
                        for c in [&l.max_m, &l.max_min].into_iter().flatten() {
                            if !(c.value.is_finite() && c.value > 0.0) {
                                return Err(config_error(
                                    path,
                                    line,
                                    format!(
                                        "tier {minutes}: the limit of \"{}\" must be a positive number, not {}",
                                        l.any_of, c.value
                                    ),
                                ));
                            }
                        }
                        (l.any_of.clone(), l.max_m.clone(), l.max_min.clone())
                    }
                };
                required.push(Requirement {
                    any_of: label
                        .split('|')
                        .map(|s| s.trim().to_string())
                        .filter(|s| !s.is_empty())
                        .collect(),
                    label,
                    max_m,
                    max_min,
                    line,
                });
            }
            tiers.push(Tier {
                minutes,
                id: t.id.clone(),
                zh: t.zh.clone(),
                en: t.en.clone(),
                scope: t.scope,
                mode: t.mode.get_ref().clone(),
                required,
                source: t.source,
                cite: t.cite.clone(),
            });
        }
        tiers.sort_by_key(|t| t.minutes);
        if let Some(t) = &raw.ten_ones {
            let modes: Vec<&str> = raw.modes.keys().map(String::as_str).collect();
            let classes: Vec<&str> = raw.road_class.iter().map(|c| c.id.as_str()).collect();
            super::tenones::validate(text, path, t, &modes, &classes)?;
        }
        Ok(Profile {
            format_version: *raw.format_version.get_ref(),
            id: raw.id,
            name: raw.name,
            version: raw.version,
            description: raw.description,
            path: path.to_path_buf(),
            road_classes: raw.road_class,
            default_class,
            osm_class_fields: raw.road_classes.osm_fields,
            zh_class_fields: raw.road_classes.zh_fields,
            ignore_values: raw.road_classes.ignore,
            osm_classes,
            zh_classes,
            modes,
            network: raw.network,
            demand: raw.demand,
            shapes: raw.shapes,
            tiers,
            ten_ones: raw.ten_ones,
        })
    }

    /// Read a profile file.
    pub fn from_file(path: &Path) -> Result<Profile> {
        let text =
            std::fs::read_to_string(path).map_err(|e| crate::error::IoError::open(path, e))?;
        Profile::from_toml(&text, path)
    }

    /// The mode with this id (walk, bike, ebike, car in the shipped profile).
    pub fn mode(&self, id: &str) -> Option<&ModeProfile> {
        self.modes.iter().find(|m| m.id == id)
    }

    /// The road class with this id.
    pub fn class_id(&self, id: &str) -> Option<RoadClassId> {
        self.road_classes
            .iter()
            .position(|c| c.id == id)
            .and_then(|i| u8::try_from(i).ok())
            .map(RoadClassId)
    }

    /// The definition of a class.
    pub fn class(&self, id: RoadClassId) -> Option<&RoadClassDef> {
        self.road_classes.get(usize::from(id.0))
    }

    /// The tier of `minutes`, if the profile defines one.
    pub fn tier(&self, minutes: u32) -> Option<&Tier> {
        self.tiers.iter().find(|t| t.minutes == minutes)
    }

    /// Resolve every required category of every tier against a taxonomy; an unknown id is an
    /// error naming the profile line.
    pub fn resolve_requirements(&self, taxonomy: &Taxonomy) -> Result<Vec<Vec<Vec<CategoryId>>>> {
        self.tiers
            .iter()
            .map(|t| {
                t.required
                    .iter()
                    .map(|r| {
                        if r.any_of.is_empty() {
                            return Err(config_error(
                                &self.path,
                                r.line,
                                format!("tier {}: an empty requirement", t.minutes),
                            ));
                        }
                        r.any_of
                            .iter()
                            .map(|id| {
                                taxonomy.by_id(id).ok_or_else(|| {
                                    config_error(
                                        &self.path,
                                        r.line,
                                        format!(
                                            "tier {}: unknown facility category \"{id}\" (see the ids in assets/categories.toml)",
                                            t.minutes
                                        ),
                                    )
                                })
                            })
                            .collect::<Result<Vec<_>>>()
                    })
                    .collect::<Result<Vec<_>>>()
            })
            .collect()
    }
}

/// The ten-ones section a profile uses: its own, else the default profile's (`true` = defaulted).
pub fn ten_ones_of(profile: &Profile) -> (TenOnesProfile, bool) {
    match &profile.ten_ones {
        Some(t) => (t.clone(), false),
        None => match Profile::default().ten_ones {
            Some(t) => (t, true),
            // The embedded profile has the section (tested below).
            None => (empty_fallback(), true),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_profile_loads_with_provenance() {
        let p = Profile::default();
        assert_eq!(p.format_version, 1);
        let walk = p.mode("walk").expect("walk");
        assert_eq!(walk.speed_m_per_s.value, 1.0);
        assert_eq!(walk.speed_m_per_s.source, Provenance::Known);
        assert!(walk.speed_m_per_s.cite.contains("GB 50180"));
        // 5 minutes at the walking speed is 300 m (GB 50180).
        assert_eq!(
            p.tier(5).expect("5").budget_s() * walk.speed_m_per_s.value,
            300.0
        );
        let car = p.mode("car").expect("car");
        assert!(car.oneway);
        let exp = p.class_id("expressway").expect("class");
        let speed = car
            .class_speed_km_h
            .iter()
            .find(|(c, _)| *c == exp)
            .expect("expressway speed");
        assert_eq!(speed.1.value, 100.0);
        assert_eq!(speed.1.source, Provenance::Proposed);
        assert!(walk.forbidden_classes.contains(&exp));
        assert_eq!(p.osm_classes.get("motorway"), Some(&exp));
        assert_eq!(p.zh_classes.get("高速公路"), Some(&exp));
        assert_eq!(
            p.tiers.iter().map(|t| t.minutes).collect::<Vec<_>>(),
            vec![5, 15, 30]
        );
        assert_eq!(p.network.detour_factor.value, 1.3);
        assert_eq!(p.network.max_snap_m.value, 500.0);
    }

    #[test]
    fn requirements_resolve_against_the_taxonomy() {
        let p = Profile::default();
        let t = Taxonomy::default();
        let req = p.resolve_requirements(&t).expect("resolves");
        assert_eq!(req.len(), 3);
        assert!(req.iter().all(|tier| !tier.is_empty()));
        // "a|b|c" is one requirement with three options.
        assert!(req[0].iter().any(|r| r.len() == 3));
    }

    #[test]
    fn unknown_category_names_the_line() {
        let text = DEFAULT_PROFILE_TOML.replace("\"fresh_market\",", "\"fresh_markt\",");
        let p = Profile::from_toml(&text, Path::new("my.toml")).expect("parses");
        let e = p
            .resolve_requirements(&Taxonomy::default())
            .expect_err("unknown id")
            .to_string();
        assert!(e.contains("fresh_markt") && e.contains("my.toml"), "{e}");
        let line = text
            .lines()
            .position(|l| l.contains("fresh_markt"))
            .expect("line")
            + 1;
        assert!(e.contains(&format!("line {line}:")), "{e}");
    }

    #[test]
    fn bad_values_are_errors_with_lines() {
        let text = DEFAULT_PROFILE_TOML.replace(
            "forbidden_classes = [\"footway\", \"steps\", \"cycleway\"]",
            "forbidden_classes = [\"footway\", \"stairs\"]",
        );
        let e = Profile::from_toml(&text, Path::new("p.toml"))
            .expect_err("unknown class")
            .to_string();
        let line = text
            .lines()
            .position(|l| l.contains("\"stairs\""))
            .expect("line")
            + 1;
        assert!(
            e.contains("stairs") && e.contains(&format!("line {line}:")),
            "{e}"
        );
        let text = DEFAULT_PROFILE_TOML.replacen(
            "value = 1.0, source = \"K\"",
            "value = 1.0, source = \"maybe\"",
            1,
        );
        let e = Profile::from_toml(&text, Path::new("p.toml"))
            .expect_err("bad tag")
            .to_string();
        assert!(e.contains("provenance") && e.contains("line "), "{e}");
        let text = DEFAULT_PROFILE_TOML.replace("format_version = 1", "format_version = 9");
        let e = Profile::from_toml(&text, Path::new("p.toml"))
            .expect_err("version")
            .to_string();
        assert!(e.contains("format_version 9"), "{e}");
    }

    #[test]
    fn provenance_round_trips() {
        for s in ["S7", "S", "K", "P"] {
            let p = Provenance::try_from(s.to_string()).expect("tag");
            assert_eq!(String::from(p), s);
        }
        assert!(Provenance::try_from("X".to_string()).is_err());
    }

    #[test]
    fn a_requirement_can_carry_its_own_limit() {
        let p = Profile::default();
        let t5 = p.tier(5).expect("5-min tier");
        let stop = t5
            .required
            .iter()
            .find(|r| r.label == "bus_stop")
            .expect("bus stop");
        assert_eq!(stop.max_m.as_ref().map(|c| c.value), Some(500.0));
        assert_eq!(
            stop.max_m.as_ref().map(|c| c.source),
            Some(Provenance::Known)
        );
        assert_eq!(t5.requirement_budget_s(stop, 1.0), 500.0);
        assert_eq!(stop.limit_text().as_deref(), Some("≤500 m"));
        let kg = &t5.required[0];
        assert_eq!(t5.requirement_budget_s(kg, 1.0), 300.0);
        assert_eq!(kg.limit_text(), None);
        // Both limits, or a non-positive one, are rejected with the line.
        let both = DEFAULT_PROFILE_TOML.replace(
            "{ any_of = \"bus_stop\", max_m =",
            "{ any_of = \"bus_stop\", max_min = { value = 5.0, source = \"P\" }, max_m =",
        );
        let e = Profile::from_toml(&both, Path::new("p.toml"))
            .expect_err("both")
            .to_string();
        assert!(
            e.contains("both max_m and max_min") && e.contains("line "),
            "{e}"
        );
        let neg = DEFAULT_PROFILE_TOML.replace("max_m = { value = 500.0", "max_m = { value = -5.0");
        let e = Profile::from_toml(&neg, Path::new("p.toml"))
            .expect_err("negative")
            .to_string();
        assert!(e.contains("positive") && e.contains("line "), "{e}");
    }
}
