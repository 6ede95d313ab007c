//! 清溪镇 (Qingxi), a deterministic **synthetic** demo town (虚构示例) in Zhejiang for trying
//! towncircle and for testing the analysis end to end.
//!
//! [`generate`] builds the layers in EPSG:4549 (CGCS2000 / 3-degree Gauss-Kruger CM 120E,
//! metres) around lon 119.95 E, lat 30.05 N, plus an answer key: the planted gaps (G1–G8) a
//! correct analysis must find, and every POI's intended facility category. [`write()`] writes the
//! files planners exchange (GBK shapefiles, an Amap-style CSV in GCJ-02, GeoJSON) with a README
//! and `demo-town.json`. The committed copy lives in `sample-maps/qingxi-demo-town/`.
//!
//! Nothing here is real: the town, its villages, roads and people are generated from a seed.

mod data;
mod gaps;
mod geom;
mod layers;
mod net;
mod output;
mod shift;
mod town;

#[cfg(test)]
mod tests;

use std::collections::BTreeMap;

use geo_types::Coord;
use serde::Serialize;
use serde_json::Value;

use crate::model::Layer;

pub use data::ASSUMED_CAR_SPEEDS_KMH;
pub use layers::generate;
pub use output::{residents, write};

/// The seed of the committed sample.
pub const DEFAULT_SEED: u64 = 20190901;
/// The folder name of the committed sample under `sample-maps/`.
pub const SAMPLE_DIR_NAME: &str = "qingxi-demo-town";
/// The (fictional) town.
pub const TOWN_NAME: &str = "清溪镇";
/// The CRS of every layer held and of every file written except the CSV (GCJ-02) and the
/// greenway GeoJSON (WGS84, RFC 7946).
pub const CRS_EPSG: u32 = 4549;
/// EPSG:4549 easting and northing of the local origin (the south-west corner of the town's
/// street grid), about lon 119.95 E, lat 30.05 N.
pub const ORIGIN_E_M: f64 = 495_200.0;
pub const ORIGIN_N_M: f64 = 3_325_650.0;

/// The file names written by [`write()`].
pub mod files {
    pub const BOUNDARY: &str = "镇域.shp";
    pub const BUILT_UP: &str = "建成区.shp";
    pub const VILLAGES: &str = "行政村.shp";
    pub const ROADS: &str = "道路.shp";
    pub const WATER: &str = "水系.shp";
    pub const BUILDINGS: &str = "建筑.shp";
    pub const SEWERS: &str = "污水管网.shp";
    pub const POI_CSV: &str = "POI_高德导出.csv";
    pub const WASTE_POINTS: &str = "垃圾分类收集点.geojson";
    pub const GREENWAYS: &str = "绿道.geojson";
    pub const README: &str = "README.md";
    pub const METADATA: &str = "demo-town.json";
}

/// A planted gap: what is missing, where, and how a check can tell.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PlantedGap {
    pub id: String,
    pub kind: String,
    pub place: String,
    pub zh: String,
    pub en: String,
    /// Machine-checkable expectations (objects with at least an `expect` member).
    pub expect: Vec<Value>,
    /// What the generator's own network measures (walking: metres along the roads from the
    /// building centroid's nearest road point; driving: minutes at the assumed speeds).
    pub measured: Value,
}

/// The demo town: layers in EPSG:4549 and the answer key.
#[derive(Debug, Clone)]
pub struct DemoTown {
    pub seed: u64,
    /// 镇域: the township boundary (名称, 面积_km2).
    pub boundary: Layer,
    /// 建成区: the built-up area (名称).
    pub built_up: Layer,
    /// 行政村: administrative villages (村名, 人口, 户数, 村代码).
    pub villages: Layer,
    /// 道路: classed roads (名称, 道路等级, highway, oneway, bridge, layer, 限速).
    pub roads: Layer,
    /// 水系: the river (名称).
    pub water: Layer,
    /// 建筑: buildings (用途, 层数, 人口).
    pub buildings: Layer,
    /// 污水管网: sewers in the built-up area (类型, 管径_mm).
    pub sewers: Layer,
    /// Facilities (名称, 类型, 类型编码, 地址) as points in EPSG:4549; written as an Amap CSV.
    pub pois: Layer,
    /// 垃圾分类收集点 (名称, 类型).
    pub waste_points: Layer,
    /// 绿道 (名称, 类型), held in EPSG:4549, written in WGS84.
    pub greenways: Layer,
    /// Village centres (the cluster each village's services sit at), EPSG:4549.
    pub village_centres: Vec<(String, Coord)>,
    /// Named residential areas used by the planted gaps: name → (min, max) corner, EPSG:4549.
    pub areas: BTreeMap<String, (Coord, Coord)>,
    pub gaps: Vec<PlantedGap>,
    /// POI name → intended category id of `assets/categories.toml` (None: not a facility).
    pub answer_key: Vec<(String, Option<String>)>,
}
