//! What the building generators share: footprints and a road index, Amap-style POI types and
//! records, the walking rules the planted gaps are checked against, block uses.

use std::collections::HashMap;

use geo::Intersects;
use geo_types::{Coord, Polygon};

use crate::demo::data::*;
use crate::demo::geom::*;

use super::plan::*;

// ---------------------------------------------------------------------------------------------
// Buildings and facilities
// ---------------------------------------------------------------------------------------------

/// A spatial hash of building footprints for overlap tests.
#[derive(Default)]
pub(super) struct Footprints {
    pub(super) cells: HashMap<(i64, i64), Vec<usize>>,
    pub(super) polys: Vec<Polygon>,
}

impl Footprints {
    pub(super) const CELL: f64 = 50.0;

    pub(super) fn key(p: Coord) -> (i64, i64) {
        (
            (p.x / Self::CELL).floor() as i64,
            (p.y / Self::CELL).floor() as i64,
        )
    }

    pub(super) fn free(&self, ring: &[Coord]) -> bool {
        let poly = polygon(ring);
        let k = Self::key(vertex_mean(ring));
        for dx in -1..=1 {
            for dy in -1..=1 {
                if let Some(ids) = self.cells.get(&(k.0 + dx, k.1 + dy))
                    && ids.iter().any(|&i| self.polys[i].intersects(&poly))
                {
                    return false;
                }
            }
        }
        true
    }

    pub(super) fn add(&mut self, ring: &[Coord]) {
        let k = Self::key(vertex_mean(ring));
        self.cells.entry(k).or_default().push(self.polys.len());
        self.polys.push(polygon(ring));
    }
}

/// A spatial hash of road segments for distance tests.
pub(super) struct RoadIndex {
    pub(super) cells: HashMap<(i64, i64), Vec<(Coord, Coord)>>,
}

impl RoadIndex {
    pub(super) const CELL: f64 = 60.0;

    pub(super) fn new(roads: &[Road]) -> RoadIndex {
        let mut cells: HashMap<(i64, i64), Vec<(Coord, Coord)>> = HashMap::new();
        for r in roads {
            for w in r.pts.windows(2) {
                let (a, b) = (w[0], w[1]);
                let n = (dist(a, b) / 20.0).ceil().max(1.0) as usize;
                let mut keys: Vec<(i64, i64)> = (0..=n)
                    .map(|k| {
                        let p = lerp(a, b, k as f64 / n as f64);
                        (
                            (p.x / Self::CELL).floor() as i64,
                            (p.y / Self::CELL).floor() as i64,
                        )
                    })
                    .collect();
                keys.dedup();
                for k in keys {
                    cells.entry(k).or_default().push((a, b));
                }
            }
        }
        RoadIndex { cells }
    }

    /// Distance to the nearest road (at most ~60 m looked at; farther is reported as 1e9).
    pub(super) fn dist(&self, p: Coord) -> f64 {
        let k = (
            (p.x / Self::CELL).floor() as i64,
            (p.y / Self::CELL).floor() as i64,
        );
        let mut best = 1e9_f64;
        for dx in -1..=1 {
            for dy in -1..=1 {
                if let Some(segs) = self.cells.get(&(k.0 + dx, k.1 + dy)) {
                    for (a, b) in segs {
                        best = best.min(seg_dist(p, *a, *b));
                    }
                }
            }
        }
        best
    }
}

/// Amap type text and typecode for a facility category (realistic codes; see the README).
pub fn amap_type(category: &str) -> (&'static str, &'static str) {
    match category {
        "kindergarten" => ("科教文化服务;学校;幼儿园", "141204"),
        "primary_school" => ("科教文化服务;学校;小学", "141203"),
        "middle_school" => ("科教文化服务;学校;中学", "141202"),
        "health_center" => ("医疗保健服务;综合医院;卫生院", "090102"),
        "community_health_station" => ("医疗保健服务;医疗保健服务场所;医疗保健服务场所", "090000"),
        "village_clinic" => ("医疗保健服务;诊所;诊所", "090300"),
        "pharmacy" => ("医疗保健服务;医药保健销售店;药房", "090601"),
        "elderly_service_center"
        | "elderly_day_care"
        | "nursing_home"
        | "recycling_point"
        | "town_service_center"
        | "village_service_station" => ("生活服务;生活服务场所;生活服务场所", "070000"),
        "fresh_market" => ("购物服务;综合市场;农副产品市场", "060703"),
        "supermarket" => ("购物服务;超级市场;超市", "060400"),
        "convenience_store" => ("购物服务;便民商店/便利店;便民商店/便利店", "060200"),
        "commercial_complex" => ("购物服务;商场;购物中心", "060101"),
        "culture_station" => ("科教文化服务;文化宫;文化宫", "140800"),
        "library" => ("科教文化服务;图书馆;图书馆", "140500"),
        "culture_hall" => ("科教文化服务;科教文化场所;科教文化场所", "140000"),
        "sports_venue" => ("体育休闲服务;运动场馆;综合体育馆", "080101"),
        "fitness_spot" => ("体育休闲服务;体育休闲服务场所;体育休闲服务场所", "080000"),
        "park" => ("风景名胜;公园广场;公园", "110101"),
        "waste_transfer_station" => ("公共设施;公共设施;公共设施", "200000"),
        "wwtp" => ("公司企业;工厂;工厂", "170300"),
        "public_toilet" => ("公共设施;公共厕所;公共厕所", "200300"),
        "bus_stop" => ("交通设施服务;公交车站;公交车站相关", "150700"),
        "expressway_interchange" => ("道路附属设施;收费站;高速收费站", "180300"),
        "town_government" => ("政府机构及社会团体;政府机关;乡镇级政府及事业单位", "130105"),
        "police_station" => ("政府机构及社会团体;公检法机构;公安警察", "130501"),
        _ => ("", ""),
    }
}

pub(super) fn poi(
    name: impl Into<String>,
    category: &'static str,
    address: impl Into<String>,
    p: Coord,
) -> Poi {
    let (amap_type, typecode) = amap_type(category);
    Poi {
        name: name.into(),
        category: Some(category),
        amap_type,
        typecode,
        address: address.into(),
        p,
    }
}

pub(super) fn other_poi(
    name: impl Into<String>,
    amap_type: &'static str,
    typecode: &'static str,
    address: impl Into<String>,
    p: Coord,
) -> Poi {
    Poi {
        name: name.into(),
        category: None,
        amap_type,
        typecode,
        address: address.into(),
        p,
    }
}

/// Walking distances (m) every home of the built-up area must be within, per group of
/// categories (any category of the group counts). A margin below the usual radii (300 m, 500 m,
/// 1,000 m) leaves room for how an analysis snaps buildings to the network. The planted gaps
/// are exempt from exactly one rule each: G3 from the kindergarten rule, G4 from the market rule.
pub const TOWN_WALK_RULES_M: [(&[&str], f64); 13] = [
    (&["kindergarten"], 260.0),
    (&["elderly_day_care"], 260.0),
    (&["community_health_station", "village_clinic"], 260.0),
    (&["convenience_store", "supermarket"], 260.0),
    (&["fitness_spot", "sports_venue"], 260.0),
    (&["bus_stop"], 460.0),
    (&["fresh_market"], 460.0),
    (&["primary_school"], 460.0),
    (&["park"], 460.0),
    (&["middle_school"], 920.0),
    (&["health_center"], 920.0),
    (&["culture_station", "sports_venue", "library"], 920.0),
    (&["elderly_service_center"], 920.0),
];

/// Of the rules above, the one each gap area is exempt from.
pub fn exempt_rule(area: Option<&str>) -> Option<&'static str> {
    match area {
        Some(G3_AREA) => Some("kindergarten"),
        Some(G4_AREA) => Some("fresh_market"),
        _ => None,
    }
}

/// What a block (or a triangle of a diagonal block) of the grid is used for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum BlockUse {
    /// Apartment slabs, where the services are close enough.
    Flats,
    /// Reserved for the facilities placed on it.
    Facility,
    Park,
    /// Shops, offices and warehouses.
    Commerce,
}

/// The use of block (a, b); for diagonal blocks `upper` is the triangle north-west of the
/// provincial road.
pub(super) fn block_use(a: usize, b: usize, upper: bool) -> BlockUse {
    use BlockUse::*;
    match (a, b, upper) {
        // South-west: the park 清溪公园 and the central primary school.
        (0, 0, _) | (0, 1, _) | (1, 1, true) => Park,
        (1, 0, _) | (1, 1, false) => Facility,
        // West and centre: civic buildings, the health centre, the middle school.
        (0, 2, _) | (1, 2, _) | (0, 3, _) | (1, 3, _) | (2, 2, true) | (2, 3, _) | (3, 2, _) => {
            Facility
        }
        // North-west: the north campus of the primary school.
        (1, 4, _) => Facility,
        // North-east: commerce, sport, a garden, the east campus of the primary school.
        (4, 5, _) | (5, 5, _) | (4, 4, true) | (5, 4, _) => Facility,
        // South-east, by the industrial park: shops, offices and warehouses.
        (4, 0, _) | (5, 0, _) | (4, 1, _) | (5, 1, _) => Commerce,
        _ => Flats,
    }
}

/// A POI that is not a facility of the taxonomy's core: name, intended category, Amap type,
/// typecode, address, position.
pub(super) type OtherPoi = (
    &'static str,
    Option<&'static str>,
    &'static str,
    &'static str,
    &'static str,
    Coord,
);

pub(super) struct Fac {
    pub(super) name: String,
    pub(super) cat: &'static str,
    pub(super) addr: String,
    pub(super) p: Coord,
    pub(super) size: Option<(f64, f64, i64, Use)>,
}
