//! 清溪镇 (Qingxi), a deterministic **synthetic** demo town (虚构示例) in Zhejiang for trying
//! towncircle and for testing the analysis end to end.
//!
//! [`generate`] builds the layers in EPSG:4549 (CGCS2000 / 3-degree Gauss-Kruger CM 120E,
//! metres) around lon 119.95 E, lat 30.05 N, plus an answer key: the planted gaps (G1–G8) a
//! correct analysis must find, and every POI's intended facility category. [`write`] writes the
//! files planners exchange (GBK shapefiles, an Amap-style CSV in GCJ-02, GeoJSON) with a README
//! and `demo-town.json`. The committed copy lives in `sample-maps/qingxi-demo-town/`.
//!
//! Nothing here is real: the town, its villages, roads and people are generated from a seed.

mod data;
mod geom;
mod net;
mod town;

#[cfg(test)]
mod tests;

use std::collections::BTreeMap;
use std::path::Path;

use geo_types::{Coord, Geometry, LineString, MultiPolygon, Point, Polygon};
use serde::Serialize;
use serde_json::{Value, json};

use crate::crs::{Crs, CrsInfo, Transformer};
use crate::error::{IoError, Location, Result};
use crate::model::layer::SourceId;
use crate::model::{AttrValue, Feature, Field, FieldKind, Format, Layer, SourceInfo};

use town::{G3_AREA, G4_AREA, G6_AREA, OLD_QUARTER, Town};

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

/// The file names written by [`write`].
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

fn to_crs(p: Coord) -> Coord {
    geom::round_cm(geom::c(p.x + ORIGIN_E_M, p.y + ORIGIN_N_M))
}

fn ring_crs(pts: &[Coord]) -> LineString {
    let mut r: Vec<Coord> = pts.iter().map(|p| to_crs(*p)).collect();
    r.dedup();
    if r.first() != r.last()
        && let Some(f) = r.first().copied()
    {
        r.push(f);
    }
    LineString(r)
}

fn line_crs(pts: &[Coord]) -> Geometry {
    let mut r: Vec<Coord> = pts.iter().map(|p| to_crs(*p)).collect();
    r.dedup();
    Geometry::LineString(LineString(r))
}

fn polygon_crs(ring: &[Coord]) -> Geometry {
    Geometry::Polygon(Polygon::new(ring_crs(ring), vec![]))
}

fn multipolygon_crs(mp: &MultiPolygon) -> Geometry {
    let polys: Vec<Polygon> =
        mp.0.iter()
            .map(|p| {
                let ext = &p.exterior().0;
                let holes = p
                    .interiors()
                    .iter()
                    .map(|h| ring_crs(&h.0[..h.0.len().saturating_sub(1)]))
                    .collect();
                Polygon::new(ring_crs(&ext[..ext.len().saturating_sub(1)]), holes)
            })
            .collect();
    if polys.len() == 1 {
        Geometry::Polygon(polys[0].clone())
    } else {
        Geometry::MultiPolygon(MultiPolygon(polys))
    }
}

fn layer(name: &str, file: &str, format: Format, fields: &[(&str, FieldKind)]) -> Layer {
    let mut l = Layer::new(
        name,
        SourceInfo {
            path: Path::new(SAMPLE_DIR_NAME).join(file),
            format,
            table: None,
            encoding: None,
        },
        CrsInfo::declared(Crs::Epsg(CRS_EPSG), "generated by towncircle demo-town"),
    );
    l.fields = fields.iter().map(|(n, k)| Field::new(*n, *k)).collect();
    l
}

fn push(l: &mut Layer, geometry: Geometry, attrs: Vec<AttrValue>) {
    let n = l.features.len() as u64 + 1;
    l.features.push(Feature {
        geometry,
        attrs,
        source_id: SourceId::Feature(n),
        category: None,
    });
}

fn text(s: &str) -> AttrValue {
    AttrValue::Text(s.to_string())
}

/// Generate the demo town for `seed` (use [`DEFAULT_SEED`] for the committed sample).
pub fn generate(seed: u64) -> DemoTown {
    let t = town::build(seed);
    use FieldKind::{Float, Int, Text};

    let mut boundary = layer(
        "镇域",
        files::BOUNDARY,
        Format::Shapefile,
        &[("名称", Text), ("面积_km2", Float)],
    );
    let area_km2 = (geom::ring_area(&t.boundary) / 1e4).round() / 100.0;
    push(
        &mut boundary,
        polygon_crs(&t.boundary),
        vec![text(TOWN_NAME), AttrValue::Float(area_km2)],
    );

    let mut built_up = layer(
        "建成区",
        files::BUILT_UP,
        Format::Shapefile,
        &[("名称", Text)],
    );
    push(
        &mut built_up,
        polygon_crs(&t.built_up),
        vec![text("清溪镇建成区")],
    );

    let mut villages = layer(
        "行政村",
        files::VILLAGES,
        Format::Shapefile,
        &[
            ("村名", Text),
            ("人口", Int),
            ("户数", Int),
            ("村代码", Text),
        ],
    );
    for v in &t.villages {
        push(
            &mut villages,
            multipolygon_crs(&v.polygon),
            vec![
                text(v.name),
                AttrValue::Int(v.population),
                AttrValue::Int(v.households),
                text(&v.code),
            ],
        );
    }

    let mut roads = layer(
        "道路",
        files::ROADS,
        Format::Shapefile,
        &[
            ("名称", Text),
            ("道路等级", Text),
            ("highway", Text),
            ("oneway", Int),
            ("bridge", Int),
            ("layer", Int),
            ("限速", Int),
        ],
    );
    for r in &t.roads {
        push(
            &mut roads,
            line_crs(&r.pts),
            vec![
                text(&r.name),
                text(r.class.zh()),
                text(r.class.highway()),
                AttrValue::Int(i64::from(r.oneway)),
                AttrValue::Int(i64::from(r.bridge)),
                AttrValue::Int(r.layer),
                AttrValue::Int(r.limit_kmh),
            ],
        );
    }

    let mut water = layer("水系", files::WATER, Format::Shapefile, &[("名称", Text)]);
    push(&mut water, polygon_crs(&t.river), vec![text("清溪")]);

    let mut buildings = layer(
        "建筑",
        files::BUILDINGS,
        Format::Shapefile,
        &[("用途", Text), ("层数", Int), ("人口", Int)],
    );
    for b in &t.buildings {
        push(
            &mut buildings,
            polygon_crs(&b.ring),
            vec![
                text(b.use_.zh()),
                AttrValue::Int(b.floors),
                AttrValue::Int(b.residents),
            ],
        );
    }

    let mut sewers = layer(
        "污水管网",
        files::SEWERS,
        Format::Shapefile,
        &[("类型", Text), ("管径_mm", Int)],
    );
    for s in &t.sewers {
        push(
            &mut sewers,
            line_crs(&s.pts),
            vec![text(s.kind), AttrValue::Int(s.diameter_mm)],
        );
    }

    let mut pois = layer(
        "POI_高德导出",
        files::POI_CSV,
        Format::Csv,
        &[
            ("名称", Text),
            ("类型", Text),
            ("类型编码", Text),
            ("地址", Text),
        ],
    );
    let mut answer_key = Vec::new();
    for p in &t.pois {
        push(
            &mut pois,
            Geometry::Point(Point(to_crs(p.p))),
            vec![
                text(&p.name),
                text(p.amap_type),
                text(p.typecode),
                text(&p.address),
            ],
        );
        answer_key.push((p.name.clone(), p.category.map(str::to_string)));
    }

    let mut waste_points = layer(
        "垃圾分类收集点",
        files::WASTE_POINTS,
        Format::GeoJson,
        &[("名称", Text), ("类型", Text)],
    );
    for w in &t.waste_points {
        push(
            &mut waste_points,
            Geometry::Point(Point(to_crs(w.p))),
            vec![text(&w.name), text(w.kind)],
        );
    }

    let mut greenways = layer(
        "绿道",
        files::GREENWAYS,
        Format::GeoJson,
        &[("名称", Text), ("类型", Text)],
    );
    for g in &t.greenways {
        push(
            &mut greenways,
            line_crs(&g.pts),
            vec![text(&g.name), text(g.kind)],
        );
    }

    let village_centres = t
        .villages
        .iter()
        .map(|v| (v.name.to_string(), to_crs(v.centre)))
        .collect();
    let areas = t
        .areas
        .iter()
        .map(|(n, lo, hi)| (n.to_string(), (to_crs(*lo), to_crs(*hi))))
        .collect();
    let gaps = planted_gaps(&t);
    DemoTown {
        seed,
        boundary,
        built_up,
        villages,
        roads,
        water,
        buildings,
        sewers,
        pois,
        waste_points,
        greenways,
        village_centres,
        areas,
        gaps,
        answer_key,
    }
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

fn bbox_json(t: &Town, name: &str) -> Value {
    t.areas
        .iter()
        .find(|(n, _, _)| *n == name)
        .map(|(_, lo, hi)| {
            let (lo, hi) = (to_crs(*lo), to_crs(*hi));
            json!([lo.x, lo.y, hi.x, hi.y])
        })
        .unwrap_or(Value::Null)
}

fn planted_gaps(t: &Town) -> Vec<PlantedGap> {
    let speeds: serde_json::Map<String, Value> = ASSUMED_CAR_SPEEDS_KMH
        .iter()
        .filter(|(_, v)| *v > 0.0)
        .map(|(k, v)| (k.to_string(), json!(v)))
        .collect();
    let centre = |i: usize| {
        let p = to_crs(t.villages[i].centre);
        json!([p.x, p.y])
    };
    let mut measured = measure(t);
    let mut gap =
        |id: &str, kind: &str, place: &str, zh: &str, en: &str, expect: Vec<Value>| PlantedGap {
            id: id.into(),
            kind: kind.into(),
            place: place.into(),
            zh: zh.into(),
            en: en.into(),
            expect,
            measured: measured.remove(id).unwrap_or(Value::Null),
        };
    let gb = (to_crs(t.greenway_break.0), to_crs(t.greenway_break.1));
    vec![
        gap(
            "G1",
            "missing_facility",
            "茶山村",
            "茶山村没有村卫生室，步行15分钟内也没有任何医疗点（卫生院、卫生服务站、卫生室）。",
            "茶山村 (Chashan) has no village clinic, and no clinic of any kind within a 15-minute walk.",
            vec![
                json!({"village": "茶山村", "category": "village_clinic", "expect": "none_in_village"}),
                json!({"village": "茶山村", "from": centre(town::V_CHASHAN), "categories": ["village_clinic", "community_health_station", "health_center"], "mode": "walk", "expect": "none_within_m", "metres": 1250, "note": "15 min at 5 km/h"}),
            ],
        ),
        gap(
            "G2",
            "travel_time",
            "高岭村",
            "高岭村位于山区，只有一条盘山公路进出，驾车到镇卫生院超过30分钟；其他村均不超过20分钟。",
            "高岭村 (Gaoling) is a hill village reached by one winding road: more than 30 minutes by car to the township health centre; every other village is within 20 minutes.",
            vec![
                json!({"village": "高岭村", "from": centre(town::V_GAOLING), "category": "health_center", "mode": "car", "expect": "travel_time_min_gt", "minutes": 30, "assumed_speeds_kmh": speeds}),
                json!({"village": "*others*", "category": "health_center", "mode": "car", "expect": "travel_time_min_le", "minutes": 20, "assumed_speeds_kmh": speeds}),
            ],
        ),
        gap(
            "G3",
            "coverage",
            G3_AREA,
            "建成区西南的溪西安置小区，步行300米内没有幼儿园。",
            "The 溪西 resettlement compound in the south-west of the built-up area has no kindergarten within a 300 m walk.",
            vec![
                json!({"area": G3_AREA, "bbox": bbox_json(t, G3_AREA), "residential_buildings": "all in bbox", "category": "kindergarten", "mode": "walk", "expect": "none_within_m", "metres": 300}),
            ],
        ),
        gap(
            "G4",
            "coverage",
            G4_AREA,
            "建成区东北的东苑小区，步行500米内没有菜市场（农贸市场）。",
            "The 东苑 compound in the north-east of the built-up area is more than a 500 m walk from any fresh market.",
            vec![
                json!({"area": G4_AREA, "bbox": bbox_json(t, G4_AREA), "residential_buildings": "all in bbox", "category": "fresh_market", "mode": "walk", "expect": "none_within_m", "metres": 500}),
            ],
        ),
        gap(
            "G5",
            "barrier",
            "白沙村",
            "白沙村唯一的公交站在清溪对岸：直线约400米，但附近没有桥，沿道路超过2公里。",
            "白沙村 (Baisha)'s only bus stop is across the river: about 400 m in a straight line but more than 2 km along roads (no bridge nearby).",
            vec![
                json!({"village": "白沙村", "from": centre(town::V_BAISHA), "category": "bus_stop", "expect": "nearest_straight_m_lt", "metres": 500}),
                json!({"village": "白沙村", "from": centre(town::V_BAISHA), "category": "bus_stop", "mode": "walk", "expect": "none_within_m", "metres": 2000}),
            ],
        ),
        gap(
            "G6",
            "coverage",
            G6_AREA,
            "竹园村下坞自然村的住宅70米内没有垃圾分类收集点；其余住宅均在70米内。",
            "The 下坞 hamlet of 竹园村 (Zhuyuan) has no waste collection point within 70 m; every other residential building has one within 70 m.",
            vec![
                json!({"area": G6_AREA, "bbox": bbox_json(t, G6_AREA), "layer": files::WASTE_POINTS, "expect": "none_within_m", "metres": 70, "distance": "straight line from building centroid"}),
                json!({"area": "*all other residential buildings*", "layer": files::WASTE_POINTS, "expect": "within_m", "metres": 70}),
            ],
        ),
        gap(
            "G7",
            "continuity",
            "清溪绿道·十八湾段",
            "清溪绿道十八湾段有一处约115米的断点，其余各段首尾相接。",
            "The greenway has one break of about 115 m in its 十八湾 section; everywhere else the segments join.",
            vec![
                json!({"layer": files::GREENWAYS, "expect": "one_gap_m_between", "min_m": 50, "max_m": 200, "ends_epsg4549": [[gb.0.x, gb.0.y], [gb.1.x, gb.1.y]]}),
            ],
        ),
        gap(
            "G8",
            "attribute",
            OLD_QUARTER,
            "建成区老街片区有5段雨污合流管（类型=合流），其余管段均已雨污分流。",
            "Five sewer segments in the old quarter of the built-up area are combined (类型=合流); all other segments are separated.",
            vec![
                json!({"area": OLD_QUARTER, "bbox": bbox_json(t, OLD_QUARTER), "layer": files::SEWERS, "field": "类型", "value": "合流", "expect": "count_in_built_up", "count": 5}),
            ],
        ),
    ]
}

/// The planted gaps as the generator's own network sees them, rounded to metres / 0.1 min.
fn measure(t: &Town) -> BTreeMap<&'static str, Value> {
    use net::{Mode, Net};
    use town::Use;
    let walk = Net::new(&t.roads, Mode::Walk);
    let car = Net::new(&t.roads, Mode::Car);
    let pts = |cats: &[&str]| -> Vec<Coord> {
        t.pois
            .iter()
            .filter(|p| p.category.is_some_and(|c| cats.contains(&c)))
            .map(|p| p.p)
            .collect()
    };
    let m = |v: f64| (v * 10.0).round() / 10.0;
    let mut out = BTreeMap::new();

    let d = walk.dijkstra(&walk.sources(&pts(&[
        "village_clinic",
        "community_health_station",
        "health_center",
    ])));
    out.insert("G1", json!({"walk_m_to_nearest_clinic": m(walk.cost_to(&d, t.villages[town::V_CHASHAN].centre))}));

    let d = car.dijkstra(&car.sources(&pts(&["health_center"])));
    let mins: Vec<f64> = t
        .villages
        .iter()
        .map(|v| car.cost_to(&d, v.centre) / 60.0)
        .collect();
    let others = mins
        .iter()
        .enumerate()
        .filter(|(i, _)| *i != town::V_GAOLING)
        .map(|(_, v)| *v)
        .fold(0.0, f64::max);
    out.insert("G2", json!({"car_min_gaoling": m(mins[town::V_GAOLING]), "car_min_other_villages_max": m(others)}));

    let built = geom::polygon(&t.built_up);
    let homes: Vec<(Coord, Option<&str>)> = t
        .buildings
        .iter()
        .filter(|b| {
            b.use_ == Use::Residential && geo::Contains::contains(&built, &Point(b.centre()))
        })
        .map(|b| (b.centre(), b.area))
        .collect();
    for (id, area, cat) in [
        ("G3", G3_AREA, "kindergarten"),
        ("G4", G4_AREA, "fresh_market"),
    ] {
        let d = walk.dijkstra(&walk.sources(&pts(&[cat])));
        let (mut inside, mut outside) = (f64::INFINITY, 0.0_f64);
        for (p, a) in &homes {
            let v = walk.cost_to(&d, *p);
            if *a == Some(area) {
                inside = inside.min(v);
            } else {
                outside = outside.max(v);
            }
        }
        out.insert(id, json!({"walk_m_nearest_from_area_min": m(inside), "walk_m_nearest_elsewhere_in_built_up_max": m(outside)}));
    }

    let baisha = t.villages[town::V_BAISHA].centre;
    let straight = t
        .pois
        .iter()
        .filter(|p| p.category == Some("bus_stop"))
        .map(|p| geom::dist(p.p, baisha))
        .fold(f64::INFINITY, f64::min);
    let d = walk.dijkstra(&walk.sources(&pts(&["bus_stop"])));
    out.insert("G5", json!({"straight_m_to_nearest_stop": m(straight), "walk_m_to_nearest_stop": m(walk.cost_to(&d, baisha))}));

    let (mut hamlet, mut rest) = (f64::INFINITY, 0.0_f64);
    for b in t.buildings.iter().filter(|b| b.use_ == Use::Residential) {
        let near = t
            .waste_points
            .iter()
            .map(|w| geom::dist(w.p, b.centre()))
            .fold(f64::INFINITY, f64::min);
        if b.area == Some(G6_AREA) {
            hamlet = hamlet.min(near);
        } else {
            rest = rest.max(near);
        }
    }
    out.insert(
        "G6",
        json!({"straight_m_hamlet_min": m(hamlet), "straight_m_other_homes_max": m(rest)}),
    );
    let total_m: f64 = t
        .greenways
        .iter()
        .map(|g| geom::Polyline::new(g.pts.clone()).len_m())
        .sum();
    out.insert(
        "G7",
        json!({"gap_m": m(geom::dist(t.greenway_break.0, t.greenway_break.1)), "total_km": (total_m / 10.0).round() / 100.0}),
    );
    out.insert(
        "G8",
        json!({"combined_segments": t.sewers.iter().filter(|s| s.kind == "合流").count()}),
    );
    out
}

fn io_err(path: &Path) -> impl Fn(std::io::Error) -> crate::Error + '_ {
    move |e| IoError::open(path, e).into()
}

/// Write the demo town into `dir` (created if missing): the shapefiles (GBK, EPSG:4549), the
/// Amap CSV (UTF-8 with BOM, GCJ-02), the GeoJSON files, README.md and demo-town.json.
pub fn write(town: &DemoTown, dir: &Path) -> Result<()> {
    std::fs::create_dir_all(dir).map_err(io_err(dir))?;
    let gbk = encoding_rs::GBK;
    for (file, l) in [
        (files::BOUNDARY, &town.boundary),
        (files::BUILT_UP, &town.built_up),
        (files::VILLAGES, &town.villages),
        (files::ROADS, &town.roads),
        (files::WATER, &town.water),
        (files::BUILDINGS, &town.buildings),
        (files::SEWERS, &town.sewers),
    ] {
        crate::io::shapefile::write(&dir.join(file), l, gbk)?;
    }
    let to_wgs84 = Transformer::new(&Crs::Epsg(CRS_EPSG), &Crs::WGS84)?;

    // The Amap export: UTF-8 with BOM, GCJ-02 lon/lat with 6 decimals.
    let csv_path = dir.join(files::POI_CSV);
    let mut w = csv::WriterBuilder::new().from_writer(Vec::new());
    w.write_record(["名称", "类型", "类型编码", "地址", "经度", "纬度"])
        .map_err(|e| IoError::invalid(&csv_path, Location::File, e.to_string()))?;
    for f in &town.pois.features {
        let Geometry::Point(p) = &f.geometry else {
            continue;
        };
        let ll = to_wgs84.coord(p.0)?;
        let (lon, lat) = crate::crs::gcj02::wgs84_to_gcj02(ll.x, ll.y);
        let mut rec: Vec<String> = f
            .attrs
            .iter()
            .map(|a| a.as_text().map(|s| s.into_owned()).unwrap_or_default())
            .collect();
        rec.push(format!("{lon:.6}"));
        rec.push(format!("{lat:.6}"));
        w.write_record(&rec)
            .map_err(|e| IoError::invalid(&csv_path, Location::File, e.to_string()))?;
    }
    let body = w
        .into_inner()
        .map_err(|e| IoError::invalid(&csv_path, Location::File, e.to_string()))?;
    let mut bytes = b"\xEF\xBB\xBF".to_vec();
    bytes.extend(body);
    std::fs::write(&csv_path, bytes).map_err(io_err(&csv_path))?;

    // Waste points: EPSG:4549 with the legacy crs member.
    crate::io::geojson::write(&dir.join(files::WASTE_POINTS), &town.waste_points)?;

    // Greenways: WGS84 lon/lat (RFC 7946), 7 decimals.
    let mut gw = town.greenways.clone();
    for f in &mut gw.features {
        to_wgs84.geometry(&mut f.geometry)?;
        crate::crs::transform::try_for_each_coord(&mut f.geometry, &mut |c: &mut Coord| {
            c.x = (c.x * 1e7).round() / 1e7;
            c.y = (c.y * 1e7).round() / 1e7;
            Ok::<(), crate::error::CrsError>(())
        })?;
    }
    gw.crs = CrsInfo::format_default(Crs::WGS84, "RFC 7946");
    crate::io::geojson::write(&dir.join(files::GREENWAYS), &gw)?;

    let meta = metadata(town);
    let meta_path = dir.join(files::METADATA);
    let mut text = serde_json::to_string_pretty(&meta)
        .map_err(|e| IoError::invalid(&meta_path, Location::File, e.to_string()))?;
    text.push('\n');
    std::fs::write(&meta_path, text).map_err(io_err(&meta_path))?;
    let readme_path = dir.join(files::README);
    std::fs::write(&readme_path, readme(town)).map_err(io_err(&readme_path))?;
    Ok(())
}

/// Residents in the built-up area and in each village (from the buildings).
pub fn residents(town: &DemoTown) -> (i64, i64) {
    let built = &town.built_up.features[0].geometry;
    let pop = town.buildings.field_index("人口");
    let mut inside = 0;
    let mut total = 0;
    for f in &town.buildings.features {
        let r = pop
            .and_then(|i| f.attrs.get(i))
            .and_then(AttrValue::as_f64)
            .unwrap_or(0.0) as i64;
        total += r;
        let centre = match &f.geometry {
            Geometry::Polygon(p) => geom::vertex_mean(&p.exterior().0[..p.exterior().0.len() - 1]),
            _ => continue,
        };
        if geo::Contains::contains(built, &Point(centre)) {
            inside += r;
        }
    }
    (inside, total)
}

fn counts(town: &DemoTown) -> Value {
    json!({
        files::BOUNDARY: town.boundary.features.len(),
        files::BUILT_UP: town.built_up.features.len(),
        files::VILLAGES: town.villages.features.len(),
        files::ROADS: town.roads.features.len(),
        files::WATER: town.water.features.len(),
        files::BUILDINGS: town.buildings.features.len(),
        files::SEWERS: town.sewers.features.len(),
        files::POI_CSV: town.pois.features.len(),
        files::WASTE_POINTS: town.waste_points.features.len(),
        files::GREENWAYS: town.greenways.features.len(),
    })
}

fn metadata(town: &DemoTown) -> Value {
    let (built_pop, total_pop) = residents(town);
    let key: serde_json::Map<String, Value> = town
        .answer_key
        .iter()
        .map(|(n, c)| {
            (
                n.clone(),
                c.clone().map(Value::String).unwrap_or(Value::Null),
            )
        })
        .collect();
    let villages: Vec<Value> = town
        .villages
        .features
        .iter()
        .zip(&town.village_centres)
        .map(|(f, (name, c))| {
            json!({
                "村名": name,
                "人口": f.attrs.get(1).and_then(AttrValue::as_f64).map(|v| v as i64),
                "户数": f.attrs.get(2).and_then(AttrValue::as_f64).map(|v| v as i64),
                "centre_epsg4549": [c.x, c.y],
            })
        })
        .collect();
    let areas: serde_json::Map<String, Value> = town
        .areas
        .iter()
        .map(|(n, (lo, hi))| (n.clone(), json!([lo.x, lo.y, hi.x, hi.y])))
        .collect();
    json!({
        "synthetic": true,
        "note": "虚构示例 / SYNTHETIC: a fictional town generated by towncircle; no real place, road or person.",
        "generator": format!("towncircle {} src/demo (towncircle demo-town)", env!("CARGO_PKG_VERSION")),
        "seed": town.seed,
        "crs": format!("EPSG:{CRS_EPSG}"),
        "crs_exceptions": {files::POI_CSV: "GCJ-02 lon/lat (Amap)", files::GREENWAYS: "WGS84 lon/lat (RFC 7946)"},
        "town": TOWN_NAME,
        "licence": "CC0-1.0",
        "residents": {"built_up_area": built_pop, "villages": total_pop - built_pop, "total": total_pop},
        "counts": counts(town),
        "villages": villages,
        "areas_epsg4549_bbox": areas,
        "facility_notes": {
            "清溪镇中心幼儿园": "公办中心幼儿园 / the public central kindergarten of the township (Amap exports carry no ownership field)",
            "清溪镇卫生院": "乡镇卫生院 / the township health centre (public)",
        },
        "planted_gaps": town.gaps,
        "poi_answer_key": key,
    })
}

fn readme(town: &DemoTown) -> String {
    let (built_pop, total_pop) = residents(town);
    let c = |l: &Layer| l.features.len();
    let mut s = String::new();
    s.push_str(&format!(
        "# 清溪镇 — 虚构示例数据 / Qingxi — a SYNTHETIC demo town\n\n\
> **这是虚构的示例数据（SYNTHETIC）。** 清溪镇及其行政村、道路、建筑、设施和人口均由 towncircle 的\n\
> 生成器（`towncircle demo-town`，源代码 `src/demo/`，种子 seed = {seed}）随机生成，与任何真实地点无关。\n\
> 位置仅借用浙江杭州西南一带（约东经119.95°、北纬30.05°）的坐标范围。\n>\n\
> **This is SYNTHETIC data.** The town 清溪镇, its villages, roads, buildings, facilities and people\n\
> were generated by towncircle (`towncircle demo-town`, source `src/demo/`, seed {seed}); they depict\n\
> no real place. Only the coordinates borrow an area south-west of Hangzhou (about 119.95 E, 30.05 N).\n\n\
许可 / Licence: **CC0 1.0** (public domain dedication). 可自由使用 / use freely.\n\n",
        seed = town.seed
    ));
    s.push_str(&format!(
        "## 概况 / Overview\n\n\
- 镇域约 {area} km²，14 个行政村，建成区约 {bu:.2} km²；常住人口 {total} 人（建成区 {built}，各村 {vill}）。\n\
- Township about {area} km², 14 villages, built-up area about {bu:.2} km²; {total} residents ({built} in the built-up area, {vill} in the villages).\n\
- 一条高速公路以桥梁（bridge=1, layer=1）跨越镇域，唯一互通（清溪收费站）在镇域外西南，由连接线接省道溪富线；\n\
  省道穿过建成区；清溪河横贯全镇，道路只在3座桥上过河。\n\
- An expressway crosses the township on flyovers (bridge=1, layer=1, no junction with the roads below); its one\n\
  interchange is outside the boundary (south-west), linked to the provincial road 溪富线, which runs through the\n\
  built-up area. The river 清溪 crosses the town; roads cross it only on 3 bridges.\n\n",
        area = town.boundary.features[0].attrs.get(1).and_then(AttrValue::as_f64).unwrap_or(0.0),
        bu = geo::Area::unsigned_area(&town.built_up.features[0].geometry) / 1e6,
        total = total_pop,
        built = built_pop,
        vill = total_pop - built_pop,
    ));
    s.push_str("## 文件 / Files\n\n| 文件 File | 内容 Content | 要素数 Features | 坐标系 CRS | 编码 Encoding |\n|---|---|---|---|---|\n");
    let rows = [
        (
            files::BOUNDARY,
            "镇域 township boundary: 名称, 面积_km2",
            c(&town.boundary),
            "EPSG:4549",
            "GBK (.cpg)",
        ),
        (
            files::BUILT_UP,
            "建成区 built-up area: 名称",
            c(&town.built_up),
            "EPSG:4549",
            "GBK (.cpg)",
        ),
        (
            files::VILLAGES,
            "行政村 villages: 村名, 人口, 户数, 村代码",
            c(&town.villages),
            "EPSG:4549",
            "GBK (.cpg)",
        ),
        (
            files::ROADS,
            "道路 roads: 名称, 道路等级, highway, oneway, bridge, layer, 限速 (km/h, 0 = n/a)",
            c(&town.roads),
            "EPSG:4549",
            "GBK (.cpg)",
        ),
        (
            files::WATER,
            "水系 river polygon: 名称",
            c(&town.water),
            "EPSG:4549",
            "GBK (.cpg)",
        ),
        (
            files::BUILDINGS,
            "建筑 buildings: 用途 (住宅/商业/公共/工业), 层数, 人口",
            c(&town.buildings),
            "EPSG:4549",
            "GBK (.cpg)",
        ),
        (
            files::SEWERS,
            "污水管网 sewers: 类型 (污水/雨水/合流), 管径_mm",
            c(&town.sewers),
            "EPSG:4549",
            "GBK (.cpg)",
        ),
        (
            files::POI_CSV,
            "高德 POI export: 名称, 类型, 类型编码, 地址, 经度, 纬度",
            c(&town.pois),
            "GCJ-02 lon/lat",
            "UTF-8 with BOM",
        ),
        (
            files::WASTE_POINTS,
            "垃圾分类收集点 waste collection points: 名称, 类型 (四分类/二分类)",
            c(&town.waste_points),
            "EPSG:4549 (legacy `crs` member)",
            "UTF-8",
        ),
        (
            files::GREENWAYS,
            "绿道 greenways: 名称, 类型",
            c(&town.greenways),
            "WGS84 lon/lat (RFC 7946)",
            "UTF-8",
        ),
        (
            files::METADATA,
            "metadata, planted gaps (machine-checkable), POI answer key",
            0,
            "EPSG:4549 for coordinates",
            "UTF-8",
        ),
    ];
    for (f, what, n, crs, enc) in rows {
        let n = if f == files::METADATA {
            "—".to_string()
        } else {
            n.to_string()
        };
        s.push_str(&format!("| `{f}` | {what} | {n} | {crs} | {enc} |\n"));
    }
    s.push_str(
        "\nShapefiles come with .shx, .dbf, .prj (ESRI WKT of EPSG:4549) and .cpg (GBK).\n\n\
## 预设问题 / Planted gaps\n\n\
分析应当恰好发现下列问题，其余各项均按设计达标（例如除茶山村外每个村都有卫生室，每个村都有照料中心、\n\
便民服务站，除白沙村外每个村中心300米内都有公交站）。机器可检查的期望值见 `demo-town.json`。\n\n\
A correct analysis finds exactly these; everything else is built to comply (e.g. every village but 茶山村 has a\n\
clinic; every village has a day-care centre and a service station; every village but 白沙村 has a bus stop\n\
within 300 m of its centre). Machine-checkable expectations are in `demo-town.json`.\n\n\
| ID | 地点 Place | 中文 | English | 实测 Measured (by src/demo) |\n|---|---|---|---|---|\n",
    );
    for g in &town.gaps {
        let measured = match &g.measured {
            Value::Object(m) => m
                .iter()
                .map(|(k, v)| format!("{k} = {v}"))
                .collect::<Vec<_>>()
                .join("; "),
            other => other.to_string(),
        };
        s.push_str(&format!(
            "| {} | {} | {} | {} | {} |\n",
            g.id, g.place, g.zh, g.en, measured
        ));
    }
    s.push_str(
        "\n## 其余达标 / Built to comply\n\n\
建成区只在各项设施步行可达之处布置住宅（沿道路网计算，从建筑中心最近的道路点算起）；下表为生成器采用的上限，\n\
比通常的 300/500/1000 米留有余量。两个预设问题小区各自只豁免一项（G3 幼儿园、G4 菜市场）。\n\n\
Homes in the built-up area are placed only where every service is within walking reach along the roads\n\
(from the road point nearest the building centroid); the generator uses these limits, a margin inside the\n\
usual 300/500/1,000 m. The two gap compounds are exempt from one rule each (G3 kindergarten, G4 market).\n\n\
| 设施类别 Categories (any) | 步行上限 Walk limit (m) |\n|---|---|\n",
    );
    for (cats, max_m) in town::TOWN_WALK_RULES_M {
        s.push_str(&format!("| {} | {max_m} |\n", cats.join(", ")));
    }
    s.push_str(
        "\n每个行政村中心旁都有村卫生室（茶山村除外）、居家养老服务照料中心、便民服务站、文化礼堂、健身点和便利店，\n\
村中心300米内有公交站（白沙村除外）；除高岭村外各村驾车到卫生院不超过20分钟（按 demo-town.json 中的假定车速）；\n\
除下坞自然村外所有住宅60米内有垃圾分类收集点；除老街5段外污水管网均雨污分流。\n\n\
Every village centre has a clinic (but 茶山村), a day-care centre, a service station, a culture hall, a fitness\n\
spot and a shop; a bus stop within 300 m of the centre (but 白沙村); every village but 高岭村 is within 20 minutes\n\
by car of the health centre (speeds assumed in demo-town.json); every home but those of 下坞 has a waste point\n\
within 60 m; every sewer but the five in the old quarter is separated.\n\n\
## POI 类型编码 / Amap type codes\n\n\
`POI_高德导出.csv` uses realistic Amap type texts and codes; `demo-town.json` → `poi_answer_key` gives each POI's\n\
intended category of `assets/categories.toml` (null: not a facility, e.g. a bank or a scenic spot). Services\n\
Amap files under generic codes (070000 生活服务, 090000 医疗保健服务, 140000 科教文化, 080000 体育休闲, 200000\n\
公共设施) are classified by their names.\n",
    );
    s.push_str(&format!(
        "\n## 重新生成 / Regenerating\n\n\
The files are generated, not edited by hand. A test compares a fresh generation with this folder byte for\n\
byte (except the date in the .dbf headers). After changing `src/demo/`, rewrite the folder with\n\n\
```\ncargo test --lib demo::tests::regenerate_sample -- --ignored\n```\n\n\
or write a copy anywhere with `towncircle demo-town <DIR>` (seed {seed}).\n",
        seed = town.seed
    ));
    s
}
