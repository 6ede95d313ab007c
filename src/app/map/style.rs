//! How layers look: a style per role, and for facilities a colour and symbol per category group
//! (the `group` of assets/categories.toml), chosen to stay apart for colour-blind readers too
//! (the shape differs as well as the colour).

use egui::Color32;

use crate::model::landuse::{LandUseClass, ParcelCode, parcel_code};
use crate::model::{Feature, GeometryKind, Layer, Role, Taxonomy};

/// The shape drawn for a point.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Symbol {
    Circle,
    Square,
    Diamond,
    Triangle,
    TriangleDown,
    Hexagon,
    Cross,
}

/// How one feature is drawn. Sizes are in screen points.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct FeatureStyle {
    pub fill: Color32,
    pub stroke: Color32,
    pub stroke_width_pt: f32,
    pub symbol: Symbol,
    pub symbol_size_pt: f32,
}

/// A facility group's look.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct GroupStyle {
    /// The group key in the taxonomy file ("" for unclassified features).
    pub group: &'static str,
    pub colour: Color32,
    pub symbol: Symbol,
}

/// The facility groups, in legend order. Colours: Tableau 10, distinct and readable on a light map.
pub const GROUPS: [GroupStyle; 9] = [
    GroupStyle {
        group: "education",
        colour: Color32::from_rgb(0x1f, 0x77, 0xb4),
        symbol: Symbol::Circle,
    },
    GroupStyle {
        group: "health",
        colour: Color32::from_rgb(0xd6, 0x27, 0x28),
        symbol: Symbol::Cross,
    },
    GroupStyle {
        group: "elderly",
        colour: Color32::from_rgb(0x94, 0x67, 0xbd),
        symbol: Symbol::Diamond,
    },
    GroupStyle {
        group: "commerce",
        colour: Color32::from_rgb(0xff, 0x7f, 0x0e),
        symbol: Symbol::Square,
    },
    GroupStyle {
        group: "culture_sport",
        colour: Color32::from_rgb(0x2c, 0xa0, 0x2c),
        symbol: Symbol::Triangle,
    },
    GroupStyle {
        group: "municipal",
        colour: Color32::from_rgb(0x8c, 0x56, 0x4b),
        symbol: Symbol::Square,
    },
    GroupStyle {
        group: "transport",
        colour: Color32::from_rgb(0x17, 0xbe, 0xcf),
        symbol: Symbol::TriangleDown,
    },
    GroupStyle {
        group: "governance",
        colour: Color32::from_rgb(0xe3, 0x77, 0xc2),
        symbol: Symbol::Hexagon,
    },
    GroupStyle {
        group: "",
        colour: Color32::from_rgb(0x7f, 0x7f, 0x7f),
        symbol: Symbol::Circle,
    },
];

/// The look of a facility group ("" or an unknown group: unclassified).
pub fn group_style(group: &str) -> GroupStyle {
    GROUPS
        .iter()
        .find(|g| g.group == group)
        .copied()
        .unwrap_or(GROUPS[GROUPS.len() - 1])
}

/// The group of a feature's category, "" when it has none.
pub fn feature_group<'t>(taxonomy: &'t Taxonomy, feature: &Feature) -> &'t str {
    feature
        .category
        .and_then(|c| taxonomy.get(c))
        .map(|c| c.group.as_str())
        .unwrap_or("")
}

const fn rgba(r: u8, g: u8, b: u8, a: u8) -> Color32 {
    Color32::from_rgba_premultiplied(
        (r as u16 * a as u16 / 255) as u8,
        (g as u16 * a as u16 / 255) as u8,
        (b as u16 * a as u16 / 255) as u8,
        a,
    )
}

/// The style of a layer of this role and geometry kind (facilities: before the group colour).
pub fn role_style(role: Option<Role>, kind: GeometryKind) -> FeatureStyle {
    let base = FeatureStyle {
        fill: rgba(0x60, 0x60, 0x60, 50),
        stroke: Color32::from_rgb(0x44, 0x44, 0x44),
        stroke_width_pt: 1.0,
        symbol: Symbol::Circle,
        symbol_size_pt: 6.0,
    };
    let s = match role {
        Some(Role::Boundary) => FeatureStyle {
            fill: Color32::TRANSPARENT,
            stroke: Color32::from_rgb(0xc0, 0x39, 0x2b),
            stroke_width_pt: 2.5,
            ..base
        },
        Some(Role::BuiltUpArea) => FeatureStyle {
            fill: rgba(0xf3, 0x9c, 0x12, 45),
            stroke: Color32::from_rgb(0xe6, 0x7e, 0x22),
            stroke_width_pt: 1.5,
            ..base
        },
        Some(Role::Villages) => FeatureStyle {
            fill: rgba(0x27, 0xae, 0x60, 18),
            stroke: Color32::from_rgb(0x27, 0xae, 0x60),
            stroke_width_pt: 1.0,
            symbol: Symbol::Square,
            ..base
        },
        Some(Role::Roads) => FeatureStyle {
            fill: Color32::TRANSPARENT,
            stroke: Color32::from_rgb(0x70, 0x70, 0x70),
            stroke_width_pt: 1.4,
            ..base
        },
        Some(Role::Facilities) => FeatureStyle {
            fill: group_style("").colour,
            stroke: Color32::WHITE,
            stroke_width_pt: 1.0,
            symbol_size_pt: 9.0,
            ..base
        },
        Some(Role::Buildings) => FeatureStyle {
            fill: Color32::from_rgb(0xc9, 0xbf, 0xb4),
            stroke: Color32::from_rgb(0xa8, 0x9c, 0x90),
            stroke_width_pt: 0.6,
            symbol_size_pt: 4.0,
            ..base
        },
        Some(Role::Greenway) => FeatureStyle {
            fill: Color32::TRANSPARENT,
            stroke: Color32::from_rgb(0x2e, 0x8b, 0x57),
            stroke_width_pt: 2.2,
            ..base
        },
        Some(Role::Sewers) => FeatureStyle {
            fill: Color32::TRANSPARENT,
            stroke: Color32::from_rgb(0x8d, 0x6e, 0x63),
            stroke_width_pt: 1.0,
            ..base
        },
        Some(Role::Water) => FeatureStyle {
            fill: Color32::from_rgb(0xa6, 0xce, 0xe3),
            stroke: Color32::from_rgb(0x1f, 0x78, 0xb4),
            stroke_width_pt: if kind == GeometryKind::Line { 1.6 } else { 0.8 },
            ..base
        },
        Some(Role::Grid) => FeatureStyle {
            fill: Color32::TRANSPARENT,
            stroke: Color32::from_rgb(0x8e, 0x44, 0xad),
            stroke_width_pt: 1.0,
            ..base
        },
        Some(Role::Population) => FeatureStyle {
            fill: POPULATION_RAMP[2].1,
            stroke: Color32::TRANSPARENT,
            stroke_width_pt: 0.0,
            symbol: Symbol::Square,
            symbol_size_pt: 5.0,
        },
        Some(Role::Parcels) => FeatureStyle {
            fill: PARCEL_NO_CODE,
            stroke: Color32::from_rgb(0x70, 0x70, 0x70),
            stroke_width_pt: 0.8,
            ..base
        },
        Some(Role::AdminBoundaries) => FeatureStyle {
            fill: Color32::TRANSPARENT,
            stroke: Color32::from_rgb(0x55, 0x55, 0x55),
            stroke_width_pt: 1.0,
            ..base
        },
        None => base,
    };
    if kind == GeometryKind::Point && s.fill == Color32::TRANSPARENT {
        // Points need a fill to be seen.
        FeatureStyle {
            fill: s.stroke,
            stroke: Color32::WHITE,
            stroke_width_pt: 1.0,
            ..s
        }
    } else {
        s
    }
}

/// The colour ramp of population-raster cells: (upper bound of the class in people per cell,
/// colour, legend label), light yellow to dark red (ColorBrewer YlOrRd). Fixed classes, not
/// quantiles of the town: the same colour means the same density in every town.
pub const POPULATION_RAMP: [(f64, Color32, &str); 6] = [
    (5.0, Color32::from_rgb(0xff, 0xff, 0xb2), "人口 ≤5 /格"),
    (20.0, Color32::from_rgb(0xfe, 0xd9, 0x76), "人口 5–20 /格"),
    (50.0, Color32::from_rgb(0xfe, 0xb2, 0x4c), "人口 20–50 /格"),
    (
        100.0,
        Color32::from_rgb(0xfd, 0x8d, 0x3c),
        "人口 50–100 /格",
    ),
    (
        200.0,
        Color32::from_rgb(0xf0, 0x3b, 0x20),
        "人口 100–200 /格",
    ),
    (
        f64::INFINITY,
        Color32::from_rgb(0xbd, 0x00, 0x26),
        "人口 >200 /格",
    ),
];

/// A parcel fill: the colour at 120 of 255 opacity, so the map below stays readable.
const fn parcel_fill_rgb(r: u8, g: u8, b: u8) -> Color32 {
    rgba(r, g, b, 120)
}

/// The fill of parcels without a known land-use code.
const PARCEL_NO_CODE: Color32 = rgba(0xc8, 0xc8, 0xc8, 90);

/// Parcel fills per land-use class: the colours planning maps use (用地用海分类 and GB 50137 map
/// colours: residential yellow, public service magenta, commercial red, industrial brown,
/// warehouse purple, transport grey, utilities teal, green space green, water blue …),
/// semi-transparent, with their legend labels (Chinese: the class names).
pub const LANDUSE_COLOURS: [(LandUseClass, Color32); 12] = [
    (LandUseClass::Residential, parcel_fill_rgb(0xff, 0xff, 0x2d)),
    (
        LandUseClass::PublicService,
        parcel_fill_rgb(0xff, 0x4d, 0xd2),
    ),
    (LandUseClass::Commercial, parcel_fill_rgb(0xff, 0x00, 0x00)),
    (LandUseClass::Industrial, parcel_fill_rgb(0xbb, 0x96, 0x74)),
    (LandUseClass::Warehouse, parcel_fill_rgb(0x87, 0x61, 0xd3)),
    (LandUseClass::Transport, parcel_fill_rgb(0xa0, 0xa0, 0xa0)),
    (LandUseClass::Utilities, parcel_fill_rgb(0x00, 0x80, 0x80)),
    (LandUseClass::Green, parcel_fill_rgb(0x2e, 0xb8, 0x2e)),
    (LandUseClass::Special, parcel_fill_rgb(0x6b, 0x6b, 0x2f)),
    (LandUseClass::Water, parcel_fill_rgb(0x4d, 0xa6, 0xff)),
    (LandUseClass::Agriculture, parcel_fill_rgb(0xc6, 0xe0, 0x8a)),
    (LandUseClass::Other, parcel_fill_rgb(0xe6, 0xd2, 0xb4)),
];

/// The legend label of parcels without a known code.
pub const PARCEL_NO_CODE_LABEL: &str = crate::model::landuse::NO_CODE_ZH;

/// A parcel's land-use class, None without a known code.
fn parcel_class(layer: &Layer, feature: &Feature) -> Option<LandUseClass> {
    match parcel_code(layer, feature) {
        ParcelCode::Known(u) => Some(u.class),
        ParcelCode::Unknown(_) | ParcelCode::Missing => None,
    }
}

/// The fill of a land-use class (None: no known code).
fn parcel_fill(class: Option<LandUseClass>) -> Color32 {
    class
        .and_then(|c| LANDUSE_COLOURS.iter().find(|(k, _)| *k == c))
        .map_or(PARCEL_NO_CODE, |(_, colour)| *colour)
}

/// The ramp class of a population-raster cell.
fn population_class(layer_population: Option<f64>) -> usize {
    let v = layer_population.unwrap_or(0.0);
    POPULATION_RAMP
        .iter()
        .position(|(upper, _, _)| v <= *upper)
        .unwrap_or(POPULATION_RAMP.len() - 1)
}

/// A population cell's count (its first attribute, as `io::geotiff::read_layer` makes it).
fn cell_count(feature: &Feature) -> Option<f64> {
    feature
        .attrs
        .first()
        .and_then(crate::model::layer::AttrValue::as_f64)
}

/// The style of one feature of `layer` drawn with `base`.
pub fn feature_style(
    base: FeatureStyle,
    role: Option<Role>,
    taxonomy: &Taxonomy,
    layer: &Layer,
    feature: &Feature,
) -> FeatureStyle {
    if role == Some(Role::Parcels) {
        return FeatureStyle {
            fill: parcel_fill(parcel_class(layer, feature)),
            ..base
        };
    }
    if role == Some(Role::Population) {
        return FeatureStyle {
            fill: POPULATION_RAMP[population_class(cell_count(feature))].1,
            ..base
        };
    }
    if role != Some(Role::Facilities) {
        return base;
    }
    let g = group_style(feature_group(taxonomy, feature));
    match GeometryKind::of(&feature.geometry) {
        GeometryKind::Polygon => FeatureStyle {
            fill: g.colour.gamma_multiply(0.35),
            stroke: g.colour,
            stroke_width_pt: 1.5,
            ..base
        },
        GeometryKind::Line => FeatureStyle {
            stroke: g.colour,
            stroke_width_pt: 2.0,
            ..base
        },
        _ => FeatureStyle {
            fill: g.colour,
            symbol: g.symbol,
            ..base
        },
    }
}

/// One legend row: a facility group (or the whole layer) with its look and feature count.
#[derive(Debug, Clone, PartialEq)]
pub struct LegendEntry {
    /// The facility group, None for a layer drawn in one style.
    pub group: Option<&'static str>,
    pub style: FeatureStyle,
    pub count: usize,
}

/// The legend of a layer: one row per facility group present, or one row for the layer.
pub fn legend(layer: &Layer, role: Option<Role>, taxonomy: &Taxonomy) -> Vec<LegendEntry> {
    let kind = layer.geometry_kind();
    let base = role_style(role, kind);
    if role == Some(Role::Population) {
        let mut counts = [0usize; POPULATION_RAMP.len()];
        for f in &layer.features {
            counts[population_class(cell_count(f))] += 1;
        }
        return POPULATION_RAMP
            .iter()
            .zip(counts)
            .filter(|(_, n)| *n > 0)
            .map(|((_, colour, label), n)| LegendEntry {
                group: Some(label),
                style: FeatureStyle {
                    fill: *colour,
                    ..base
                },
                count: n,
            })
            .collect();
    }
    if role == Some(Role::Parcels) {
        let mut counts: std::collections::BTreeMap<Option<LandUseClass>, usize> =
            std::collections::BTreeMap::new();
        for f in &layer.features {
            *counts.entry(parcel_class(layer, f)).or_default() += 1;
        }
        // Classes in the legend order of LANDUSE_COLOURS, parcels without a code last.
        return LANDUSE_COLOURS
            .iter()
            .map(|(c, _)| Some(*c))
            .chain([None])
            .filter_map(|c| {
                let n = *counts.get(&c)?;
                Some(LegendEntry {
                    group: Some(c.map_or(PARCEL_NO_CODE_LABEL, LandUseClass::zh)),
                    style: FeatureStyle {
                        fill: parcel_fill(c),
                        ..base
                    },
                    count: n,
                })
            })
            .collect();
    }
    if role != Some(Role::Facilities) {
        return vec![LegendEntry {
            group: None,
            style: base,
            count: layer.features.len(),
        }];
    }
    let mut counts = [0usize; GROUPS.len()];
    for f in &layer.features {
        let g = feature_group(taxonomy, f);
        let i = GROUPS
            .iter()
            .position(|s| s.group == g)
            .unwrap_or(GROUPS.len() - 1);
        counts[i] += 1;
    }
    GROUPS
        .iter()
        .zip(counts)
        .filter(|(_, n)| *n > 0)
        .map(|(g, n)| LegendEntry {
            group: Some(g.group),
            style: FeatureStyle {
                fill: g.colour,
                symbol: g.symbol,
                ..base
            },
            count: n,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn groups_of_the_taxonomy_have_distinct_looks() {
        let t = Taxonomy::default();
        for c in &t.categories {
            assert!(
                GROUPS.iter().any(|g| g.group == c.group),
                "group {} of {} has no style",
                c.group,
                c.id
            );
        }
        for (i, a) in GROUPS.iter().enumerate() {
            for b in &GROUPS[i + 1..] {
                assert!(
                    a.colour != b.colour,
                    "{} and {} share a colour",
                    a.group,
                    b.group
                );
            }
        }
        assert_eq!(group_style("no-such-group").group, "");
    }

    /// Parcels are filled by their land-use class (residential yellow, public service magenta,
    /// commercial red, green space green), semi-transparent; a parcel without a known code is
    /// grey; the legend has a row per class present.
    #[test]
    fn parcels_are_filled_by_land_use_class() {
        use crate::model::layer::{AttrValue, Field, FieldKind, SourceId};
        let mut l = crate::io::synth::buildings(5, 1);
        l.fields = vec![Field::new("用地性质", FieldKind::Text)];
        for (f, code) in l
            .features
            .iter_mut()
            .zip(["0701", "R2", "A33", "1401", "0799"])
        {
            f.attrs = vec![AttrValue::Text(code.into())];
            f.source_id = SourceId::Feature(1);
        }
        let t = Taxonomy::default();
        let base = role_style(Some(Role::Parcels), GeometryKind::Polygon);
        let fill = |i: usize| feature_style(base, Some(Role::Parcels), &t, &l, &l.features[i]).fill;
        let yellow = fill(0);
        assert_eq!(yellow, fill(1), "0701 and R2 are both residential");
        assert!(
            yellow.r() == yellow.g() && yellow.b() < yellow.r() / 4,
            "{yellow:?}"
        );
        let magenta = fill(2);
        assert!(
            magenta.r() > magenta.g() && magenta.b() > magenta.g(),
            "{magenta:?}"
        );
        let green = fill(3);
        assert!(green.g() > green.r() && green.g() > green.b(), "{green:?}");
        for i in 0..5 {
            assert!(fill(i).a() > 0 && fill(i).a() < 255, "semi-transparent");
        }
        assert_eq!(fill(4), PARCEL_NO_CODE);
        let rows = legend(&l, Some(Role::Parcels), &t);
        let labels: Vec<(&str, usize)> = rows
            .iter()
            .map(|r| (r.group.unwrap_or(""), r.count))
            .collect();
        assert_eq!(
            labels,
            [
                ("居住用地", 2),
                ("公共管理与公共服务用地", 1),
                ("绿地与开敞空间用地", 1),
                (PARCEL_NO_CODE_LABEL, 1)
            ]
        );
    }

    #[test]
    fn point_layers_always_have_a_visible_fill() {
        for role in Role::ALL.into_iter().map(Some).chain([None]) {
            let s = role_style(role, GeometryKind::Point);
            assert!(s.fill.a() > 0, "{role:?}");
        }
    }
}
