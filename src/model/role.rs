//! The role a layer plays in a town's analysis, and a guess of it from names, fields and geometry.

use serde::{Deserialize, Serialize};

/// What a layer is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// 镇域: the township boundary.
    Boundary,
    /// 建成区: the built-up area.
    BuiltUpArea,
    /// 行政村: administrative villages (polygons or points, with population).
    Villages,
    Roads,
    Facilities,
    /// Residential buildings or other demand points.
    Buildings,
    /// 绿道
    Greenway,
    /// 雨污管网: sewers and storm drains.
    Sewers,
    /// 水系: rivers and lakes (barriers).
    Water,
    /// 网格: governance grid cells.
    Grid,
    /// Administrative boundaries other than the town's (OSM admin levels).
    AdminBoundaries,
    /// 人口栅格: a population raster's cells (GeoTIFF), points at the cell centres with their
    /// count; spread to the buildings in each cell when there are buildings.
    Population,
    /// 用地地块: land parcels with a land-use code (用地性质: an attribute, or a CAD label inside
    /// the polygon; see [`crate::model::landuse`]). Residential parcels take a population
    /// raster's people in cells without buildings.
    Parcels,
}

impl Role {
    pub const ALL: [Role; 13] = [
        Role::Boundary,
        Role::BuiltUpArea,
        Role::Villages,
        Role::Roads,
        Role::Facilities,
        Role::Buildings,
        Role::Greenway,
        Role::Sewers,
        Role::Water,
        Role::Grid,
        Role::AdminBoundaries,
        Role::Population,
        Role::Parcels,
    ];

    /// Chinese label.
    pub fn zh(self) -> &'static str {
        match self {
            Role::Boundary => "镇域",
            Role::BuiltUpArea => "建成区",
            Role::Villages => "行政村",
            Role::Roads => "道路",
            Role::Facilities => "设施",
            Role::Buildings => "建筑/人口",
            Role::Greenway => "绿道",
            Role::Sewers => "雨污管网",
            Role::Water => "水系",
            Role::Grid => "治理网格",
            Role::AdminBoundaries => "行政边界",
            Role::Population => "人口栅格",
            Role::Parcels => "用地地块",
        }
    }

    /// English label (snake case, as in JSON).
    pub fn en(self) -> &'static str {
        match self {
            Role::Boundary => "boundary",
            Role::BuiltUpArea => "built_up_area",
            Role::Villages => "villages",
            Role::Roads => "roads",
            Role::Facilities => "facilities",
            Role::Buildings => "buildings",
            Role::Greenway => "greenway",
            Role::Sewers => "sewers",
            Role::Water => "water",
            Role::Grid => "grid",
            Role::AdminBoundaries => "admin_boundaries",
            Role::Population => "population",
            Role::Parcels => "parcels",
        }
    }

    /// Parse an English or Chinese label.
    pub fn parse(text: &str) -> Option<Role> {
        let t = text.trim().to_ascii_lowercase();
        Role::ALL
            .into_iter()
            .find(|r| r.en() == t || r.zh() == text.trim() || r.en().replace('_', "-") == t)
    }

    /// Words in file, layer or table names that point to each role, most specific first.
    pub(super) fn name_keywords() -> &'static [(Role, &'static [&'static str])] {
        &[
            (Role::Greenway, &["绿道", "greenway", "lvdao"]),
            (
                Role::Sewers,
                &[
                    "管网", "污水", "雨水", "排水", "管线", "sewer", "drain", "pipe",
                ],
            ),
            (
                Role::BuiltUpArea,
                &[
                    "建成区",
                    "镇区范围",
                    "built_up",
                    "builtup",
                    "built-up",
                    "urban_area",
                    "jcq",
                ],
            ),
            (
                Role::Parcels,
                &[
                    "用地红线",
                    "地块",
                    "用地",
                    "控规",
                    "土地利用",
                    "地类图斑",
                    "dltb",
                    "parcel",
                    "landuse",
                    "land_use",
                    "zoning",
                ],
            ),
            (
                Role::Villages,
                &["行政村", "村界", "村域", "村庄", "village", "xzc", "cun"],
            ),
            (
                Role::Boundary,
                &[
                    "镇域",
                    "镇界",
                    "乡镇界",
                    "行政区",
                    "边界",
                    "boundary",
                    "township",
                    "xzq",
                    "zy",
                ],
            ),
            (Role::Grid, &["网格", "grid"]),
            (
                Role::Water,
                &["水系", "河流", "河道", "水域", "water", "river"],
            ),
            (
                Role::Roads,
                &["道路", "路网", "road", "street", "highway", "dl"],
            ),
            (
                Role::Buildings,
                &[
                    "建筑", "房屋", "住宅", "building", "house", "jz", "demand", "人口",
                ],
            ),
            (
                Role::Facilities,
                &["设施", "poi", "facilit", "服务", "amenity", "ss"],
            ),
        ]
    }
}
