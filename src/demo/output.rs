//! [`write()`]: the files on disk (GBK shapefiles, the Amap CSV in GCJ-02, GeoJSON, demo-town.json,
//! README.md) and the resident counts they report.

use std::path::Path;

use geo_types::{Coord, Geometry, Point};
use serde_json::{Value, json};

use crate::crs::{Crs, CrsInfo, Transformer};
use crate::error::{IoError, Location, Result};
use crate::model::{AttrValue, Layer};

use super::town;
use super::{CRS_EPSG, DemoTown, TOWN_NAME, files, geom};

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
    crate::io::atomic::write_bytes(&csv_path, &bytes)?;

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
    crate::io::atomic::write_bytes(&meta_path, text.as_bytes())?;
    let readme_path = dir.join(files::README);
    crate::io::atomic::write_bytes(&readme_path, readme(town).as_bytes())?;
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
