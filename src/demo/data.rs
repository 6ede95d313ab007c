//! The demo town as plain data: road classes, roads, buildings and their use, POIs, waste points,
//! sewers, the greenway, villages, the town with its answer key, and the car speeds the answer key
//! assumes.

use geo_types::{Coord, MultiPolygon};

use super::geom::*;

// ---------------------------------------------------------------------------------------------
// Plain data of the town
// ---------------------------------------------------------------------------------------------

/// Road classes of the demo (道路等级) with their OSM equivalent.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RoadClass {
    Motorway,
    MotorwayLink,
    Provincial,
    County,
    TownMain,
    TownSecondary,
    TownBranch,
    Village,
    Footway,
}

impl RoadClass {
    pub fn zh(self) -> &'static str {
        match self {
            RoadClass::Motorway | RoadClass::MotorwayLink => "高速公路",
            RoadClass::Provincial => "省道",
            RoadClass::County => "县道",
            RoadClass::TownMain => "城镇主干路",
            RoadClass::TownSecondary => "城镇次干路",
            RoadClass::TownBranch => "支路",
            RoadClass::Village => "村道",
            RoadClass::Footway => "步行道",
        }
    }

    pub fn highway(self) -> &'static str {
        match self {
            RoadClass::Motorway => "motorway",
            RoadClass::MotorwayLink => "motorway_link",
            RoadClass::Provincial => "primary",
            RoadClass::County | RoadClass::TownMain => "secondary",
            RoadClass::TownSecondary => "tertiary",
            RoadClass::TownBranch => "residential",
            RoadClass::Village => "unclassified",
            RoadClass::Footway => "footway",
        }
    }

    /// Posted speed limit (限速), km/h; 0 for footpaths.
    pub fn limit_kmh(self) -> i64 {
        match self {
            RoadClass::Motorway => 100,
            RoadClass::MotorwayLink => 40,
            RoadClass::Provincial => 60,
            RoadClass::County | RoadClass::TownMain => 40,
            RoadClass::TownSecondary | RoadClass::Village => 30,
            RoadClass::TownBranch => 20,
            RoadClass::Footway => 0,
        }
    }
}

#[derive(Debug, Clone)]
pub struct Road {
    pub name: String,
    pub class: RoadClass,
    pub pts: Vec<Coord>,
    pub oneway: bool,
    pub bridge: bool,
    pub layer: i64,
    pub limit_kmh: i64,
}

impl Road {
    pub(super) fn new(name: impl Into<String>, class: RoadClass, pts: Vec<Coord>) -> Road {
        Road {
            name: name.into(),
            class,
            pts,
            oneway: false,
            bridge: false,
            layer: 0,
            limit_kmh: class.limit_kmh(),
        }
    }
}

/// Building use (用途).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Use {
    Residential,
    Commercial,
    Public,
    Industrial,
}

impl Use {
    pub fn zh(self) -> &'static str {
        match self {
            Use::Residential => "住宅",
            Use::Commercial => "商业",
            Use::Public => "公共",
            Use::Industrial => "工业",
        }
    }
}

#[derive(Debug, Clone)]
pub struct Building {
    pub ring: Vec<Coord>,
    pub use_: Use,
    pub floors: i64,
    pub residents: i64,
    /// Where its bins would stand (street side), for the waste collection points.
    pub front: Coord,
    /// The named residential area it belongs to (a planted-gap area, a hamlet), if any.
    pub area: Option<&'static str>,
    /// Index of its village, None in the built-up area.
    pub village: Option<usize>,
}

impl Building {
    pub fn centre(&self) -> Coord {
        vertex_mean(&self.ring)
    }
}

/// A facility as it will appear in the Amap export.
#[derive(Debug, Clone)]
pub struct Poi {
    pub name: String,
    /// Intended category id of assets/categories.toml (None: not a facility of the taxonomy).
    pub category: Option<&'static str>,
    pub amap_type: &'static str,
    pub typecode: &'static str,
    pub address: String,
    pub p: Coord,
}

#[derive(Debug, Clone)]
pub struct WastePoint {
    pub name: String,
    pub kind: &'static str,
    pub p: Coord,
}

#[derive(Debug, Clone)]
pub struct Sewer {
    pub kind: &'static str,
    pub diameter_mm: i64,
    pub pts: Vec<Coord>,
}

#[derive(Debug, Clone)]
pub struct Greenway {
    pub name: String,
    pub kind: &'static str,
    pub pts: Vec<Coord>,
}

#[derive(Debug, Clone)]
pub struct Village {
    pub name: &'static str,
    pub centre: Coord,
    pub polygon: MultiPolygon,
    pub population: i64,
    pub households: i64,
    pub code: String,
}

/// The generated town in local metres.
#[derive(Debug, Clone)]
pub struct Town {
    pub boundary: Vec<Coord>,
    pub built_up: Vec<Coord>,
    pub river_centre: Vec<Coord>,
    pub river: Vec<Coord>,
    pub roads: Vec<Road>,
    pub villages: Vec<Village>,
    pub buildings: Vec<Building>,
    pub pois: Vec<Poi>,
    pub waste_points: Vec<WastePoint>,
    pub sewers: Vec<Sewer>,
    pub greenways: Vec<Greenway>,
    /// Named places of the planted gaps: (area tag, bounding box min, max) in local metres.
    pub areas: Vec<(&'static str, Coord, Coord)>,
    /// The greenway break (the two loose ends).
    pub greenway_break: (Coord, Coord),
}

/// Car speeds (km/h) by `highway` that the G2 expectations assume.
pub const ASSUMED_CAR_SPEEDS_KMH: [(&str, f64); 8] = [
    ("motorway", 100.0),
    ("motorway_link", 40.0),
    ("primary", 60.0),
    ("secondary", 40.0),
    ("tertiary", 30.0),
    ("residential", 20.0),
    ("unclassified", 30.0),
    ("footway", 0.0),
];
