//! Which OSM tags make which layer: the tag lists per role and the compiled schema that classifies an element.

use super::*;

/// `highway=*` values that are not usable roads.
pub const SKIPPED_HIGHWAYS: &[&str] = &[
    "proposed",
    "construction",
    "abandoned",
    "platform",
    "raceway",
];

/// `amenity=*` values that alone do not make a facility (street furniture).
pub const STREET_FURNITURE: &[&str] = &[
    "bench",
    "waste_basket",
    "bicycle_parking",
    "motorcycle_parking",
    "parking_space",
    "parking_entrance",
    "vending_machine",
    "post_box",
    "letter_box",
    "telephone",
    "clock",
    "drinking_water",
    "bbq",
    "grit_bin",
    "loading_dock",
    "lounger",
    "hunting_stand",
    "fountain",
];

/// `leisure=*` values that alone do not make a facility.
pub(super) const MINOR_LEISURE: &[&str] =
    &["picnic_table", "outdoor_seating", "bleachers", "firepit"];

pub(super) const ROAD_TAGS: &[&str] = &[
    "highway",
    "name",
    "name:zh",
    "ref",
    "foot",
    "bicycle",
    "access",
    "motor_vehicle",
    "motorcar",
    "oneway",
    "junction",
    "layer",
    "bridge",
    "tunnel",
    "maxspeed",
    "service",
    "surface",
    "sidewalk",
    "area",
];

/// Facility columns before the keys the taxonomy adds.
pub(super) const FACILITY_TAGS: &[&str] = &[
    "name",
    "name:zh",
    "amenity",
    "shop",
    "leisure",
    "healthcare",
    "social_facility",
    "social_facility:for",
    "office",
    "public_transport",
    "bus",
    "highway",
    "railway",
    "tourism",
    "sport",
    "building",
    "operator",
];

pub(super) const BUILDING_TAGS: &[&str] = &[
    "building",
    "building:levels",
    "name",
    "height",
    "addr:street",
    "addr:housenumber",
];

pub(super) const ADMIN_TAGS: &[&str] = &["name", "name:zh", "admin_level"];

/// Tags needed to decide what an element is, beyond the columns.
pub(super) const CONTROL_TAGS: &[&str] = &["type", "boundary"];

/// Coordinates of a node that is not in the extract.
pub(super) const MISSING: [i32; 2] = [i32::MIN, i32::MIN];
/// Coordinates of a node whose coordinates are out of range.
pub(super) const INVALID: [i32; 2] = [i32::MAX, i32::MAX];

/// One condition of a taxonomy OSM rule, with the classifier's semantics.
#[derive(Debug, Clone)]
pub(super) enum Cond {
    Eq(String, String),
    Any(String),
    Ne(String, String),
}

/// The keys to keep and the taxonomy rules, compiled once per read.
pub(super) struct Schema {
    /// Facility columns after osm_id and osm_type.
    pub(super) facility_keys: Vec<String>,
    /// Every key any layer or decision needs.
    pub(super) wanted: HashSet<String>,
    /// Taxonomy OSM rules (each with at least one positive condition).
    pub(super) rules: Vec<Vec<Cond>>,
}

impl Schema {
    pub(super) fn new() -> Schema {
        let mut rules = Vec::new();
        let mut facility_keys: Vec<String> = FACILITY_TAGS.iter().map(|s| s.to_string()).collect();
        // The embedded taxonomy is checked by its own tests; should it fail to parse, only the
        // extra columns are lost, never the read.
        let categories = Taxonomy::from_toml(DEFAULT_TAXONOMY_TOML, Path::new("categories.toml"))
            .map(|t| t.categories)
            .unwrap_or_default();
        for rule in categories.iter().flat_map(|c| c.osm.iter()) {
            let conds: Vec<Cond> = rule
                .split('&')
                .filter_map(|part| {
                    if let Some((k, v)) = part.split_once("!=") {
                        Some(Cond::Ne(k.trim().into(), v.trim().into()))
                    } else if let Some((k, v)) = part.split_once('=') {
                        if v.trim() == "*" {
                            Some(Cond::Any(k.trim().into()))
                        } else {
                            Some(Cond::Eq(k.trim().into(), v.trim().into()))
                        }
                    } else {
                        None
                    }
                })
                .collect();
            for c in &conds {
                let (Cond::Eq(k, _) | Cond::Any(k) | Cond::Ne(k, _)) = c;
                if !facility_keys.contains(k) {
                    facility_keys.push(k.clone());
                }
            }
            if conds.iter().any(|c| !matches!(c, Cond::Ne(..))) {
                rules.push(conds);
            }
        }
        let mut wanted: HashSet<String> = facility_keys.iter().cloned().collect();
        for k in ROAD_TAGS
            .iter()
            .chain(BUILDING_TAGS)
            .chain(ADMIN_TAGS)
            .chain(CONTROL_TAGS)
        {
            wanted.insert(k.to_string());
        }
        Schema {
            facility_keys,
            wanted,
            rules,
        }
    }

    /// Keep the tags that matter, dropping the rest.
    pub(super) fn filter<'a>(&self, tags: impl Iterator<Item = (&'a str, &'a str)>) -> Tags {
        Tags(
            tags.filter(|(k, _)| self.wanted.contains(*k))
                .map(|(k, v)| (k.into(), v.into()))
                .collect(),
        )
    }

    pub(super) fn is_facility(&self, t: &Tags) -> bool {
        if let Some(a) = t.present("amenity")
            && !STREET_FURNITURE.contains(&a)
        {
            return true;
        }
        if t.present("shop").is_some_and(|s| s != "vacant")
            || t.present("leisure")
                .is_some_and(|l| !MINOR_LEISURE.contains(&l))
            || t.present("healthcare").is_some()
            || t.present("social_facility").is_some()
            || t.get("office") == Some("government")
            || t.get("highway") == Some("bus_stop")
            || (matches!(
                t.get("public_transport"),
                Some("platform" | "stop_position")
            ) && t.get("bus") == Some("yes"))
        {
            return true;
        }
        self.rules.iter().any(|conds| {
            conds.iter().all(|c| match c {
                Cond::Eq(k, v) => t.get(k) == Some(v.as_str()),
                Cond::Any(k) => t.present(k).is_some(),
                Cond::Ne(k, v) => t.get(k) != Some(v.as_str()),
            })
        })
    }
}

/// The tags of an element that matter here.
#[derive(Debug, Clone, Default)]
pub(super) struct Tags(pub(super) Vec<(Box<str>, Box<str>)>);

impl Tags {
    pub(super) fn get(&self, key: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|(k, _)| k.as_ref() == key)
            .map(|(_, v)| v.as_ref())
    }

    /// The value, unless empty or "no".
    pub(super) fn present(&self, key: &str) -> Option<&str> {
        self.get(key).filter(|v| !v.is_empty() && *v != "no")
    }

    pub(super) fn text(&self, key: &str) -> AttrValue {
        self.get(key)
            .map(|v| AttrValue::Text(v.to_string()))
            .unwrap_or(AttrValue::Null)
    }
}
