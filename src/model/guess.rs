//! Guessing a layer's role (镇域, 建成区, 道路 …) from the reader's hint, its name, its fields and
//! its geometry.

use super::layer::{GeometryKind, Layer};
use super::role::Role;

fn has_field(layer: &Layer, names: &[&str]) -> bool {
    names.iter().any(|n| layer.field_index(n).is_some())
}

/// Guess what a layer is: the reader's hint wins; then words in its name; then its fields and geometry.
pub fn guess_role(layer: &Layer) -> Option<Role> {
    if layer.role_hint.is_some() {
        return layer.role_hint;
    }
    // A CAD layer's role comes from the CAD layer mapping (io::dxf, the hint); its name and
    // geometry say too little (a point layer is mostly annotation).
    if layer.source.format == super::layer::Format::Dxf {
        return None;
    }
    let name = format!(
        "{} {}",
        layer.name.to_lowercase(),
        layer.source.table.as_deref().unwrap_or("").to_lowercase()
    );
    let kind = layer.geometry_kind();
    let fits = |role: Role| match role {
        Role::Boundary | Role::BuiltUpArea | Role::Villages | Role::Buildings | Role::Grid => {
            matches!(
                kind,
                GeometryKind::Polygon | GeometryKind::Point | GeometryKind::Empty
            ) && (role != Role::Boundary || kind != GeometryKind::Point)
        }
        Role::Roads | Role::Greenway | Role::Sewers => {
            matches!(
                kind,
                GeometryKind::Line | GeometryKind::Empty | GeometryKind::Mixed
            )
        }
        Role::Facilities => matches!(
            kind,
            GeometryKind::Point | GeometryKind::Polygon | GeometryKind::Empty
        ),
        Role::Parcels => matches!(kind, GeometryKind::Polygon | GeometryKind::Empty),
        Role::Water | Role::AdminBoundaries => true,
        // Only from a raster reader's hint.
        Role::Population => false,
    };
    // Short ASCII abbreviations (dl, jz, ss, zy) only count as whole words.
    let words: Vec<&str> = name
        .split(|c: char| !c.is_alphanumeric() || c == '_')
        .filter(|w| !w.is_empty())
        .collect();
    let matches_kw = |kw: &str| {
        if kw.chars().all(|c| c.is_ascii_alphabetic()) && kw.len() <= 3 {
            words.contains(&kw)
        } else {
            name.contains(kw)
        }
    };
    for (role, kws) in Role::name_keywords() {
        if kws.iter().any(|kw| matches_kw(kw)) && fits(*role) {
            return Some(*role);
        }
    }
    // Fields and geometry.
    match kind {
        GeometryKind::Line => {
            if has_field(
                layer,
                &[
                    "highway",
                    "等级",
                    "道路等级",
                    "road_class",
                    "fclass",
                    "class",
                ],
            ) {
                Some(Role::Roads)
            } else if has_field(layer, &["管径", "管材", "pipe", "diameter"]) {
                Some(Role::Sewers)
            } else {
                Some(Role::Roads)
            }
        }
        GeometryKind::Point => {
            if has_field(layer, &["人口", "population", "pop"]) {
                Some(Role::Villages)
            } else {
                Some(Role::Facilities)
            }
        }
        GeometryKind::Polygon => {
            let n = layer.features.len();
            let building_fields = has_field(
                layer,
                &["building", "层数", "floors", "building:levels", "levels"],
            );
            if !building_fields && has_field(layer, super::landuse::LANDUSE_FIELDS) {
                Some(Role::Parcels)
            } else if building_fields || n > 300 {
                Some(Role::Buildings)
            } else if has_field(layer, &["村名", "村", "village"])
                || (n > 1 && has_field(layer, &["人口", "population"]))
            {
                Some(Role::Villages)
            } else if n == 1 {
                Some(Role::Boundary)
            } else {
                None
            }
        }
        GeometryKind::Mixed | GeometryKind::Empty => None,
    }
}
