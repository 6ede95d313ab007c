use super::*;
use super::{cells::*, dbf::*, write::*};
use crate::crs::{Crs, CrsInfo};
use crate::model::layer::SourceId;
use crate::model::{Feature, Field, Format, SourceInfo};
use geo_types::{MultiPolygon, Point, coord, line_string, polygon};

pub(super) fn layer_with(fields: Vec<Field>, rows: Vec<(Geometry<f64>, Vec<AttrValue>)>) -> Layer {
    let mut layer = Layer::new(
        "test",
        SourceInfo {
            path: "test.shp".into(),
            format: Format::Shapefile,
            table: None,
            encoding: None,
        },
        CrsInfo::declared(Crs::Epsg(4549), "test"),
    );
    layer.fields = fields;
    layer.features = rows
        .into_iter()
        .enumerate()
        .map(|(i, (geometry, attrs))| Feature {
            geometry,
            attrs,
            source_id: SourceId::Feature(i as u64 + 1),
            category: None,
        })
        .collect();
    layer
}

pub(super) fn square(x0: f64, y0: f64, size: f64) -> LineString<f64> {
    line_string![
        (x: x0, y: y0),
        (x: x0 + size, y: y0),
        (x: x0 + size, y: y0 + size),
        (x: x0, y: y0 + size),
        (x: x0, y: y0),
    ]
}

fn gbk_town_layer() -> Layer {
    layer_with(
        vec![
            Field::new("名称", FieldKind::Text),
            Field::new("人口", FieldKind::Int),
            Field::new("面积", FieldKind::Float),
            Field::new("是否镇区", FieldKind::Bool),
            Field::new("建成日期", FieldKind::Date),
        ],
        vec![
            (
                Geometry::Polygon(Polygon::new(
                    square(500_000.0, 3_300_000.0, 100.0),
                    vec![square(500_010.0, 3_300_010.0, 10.0)],
                )),
                vec![
                    AttrValue::Text("双浦镇".into()),
                    AttrValue::Int(52_000),
                    AttrValue::Float(86.25),
                    AttrValue::Bool(true),
                    AttrValue::Text("2019-07-01".into()),
                ],
            ),
            (
                Geometry::MultiPolygon(MultiPolygon(vec![
                    Polygon::new(square(600_000.0, 3_300_000.0, 50.0), vec![]),
                    Polygon::new(square(700_000.0, 3_300_000.0, 50.0), vec![]),
                ])),
                vec![
                    AttrValue::Text("转塘街道".into()),
                    AttrValue::Null,
                    AttrValue::Float(-0.125),
                    AttrValue::Bool(false),
                    AttrValue::Null,
                ],
            ),
        ],
    )
}

#[test]
fn writer_output_reads_in_the_shapefile_and_dbase_crates() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("towns.shp");
    let layer = gbk_town_layer();
    let warnings = write_with_warnings(&path, &layer, GBK).unwrap();
    assert!(warnings.is_empty(), "{warnings:?}");
    assert_eq!(
        std::fs::read_to_string(dir.path().join("towns.cpg")).unwrap(),
        "GBK"
    );
    let prj = std::fs::read_to_string(dir.path().join("towns.prj")).unwrap();
    assert_eq!(crate::crs::wkt::parse_wkt(&prj).unwrap(), Crs::Epsg(4549));

    let shapes = ::shapefile::read_shapes_as::<_, ::shapefile::Polygon>(&path).unwrap();
    assert_eq!(shapes.len(), 2);
    let rings = shapes[0].rings();
    assert_eq!(rings.len(), 2);
    assert!(matches!(rings[0], ::shapefile::PolygonRing::Outer(_)));
    assert!(matches!(rings[1], ::shapefile::PolygonRing::Inner(_)));
    assert_eq!(shapes[1].rings().len(), 2);
    // Outer ring clockwise, hole counter-clockwise, as the spec requires.
    let pts = |r: &::shapefile::PolygonRing<::shapefile::Point>| {
        r.points()
            .iter()
            .map(|p| coord! {x: p.x, y: p.y})
            .collect::<Vec<_>>()
    };
    assert!(ring_signed_area2(&pts(&rings[0])) < 0.0);
    assert!(ring_signed_area2(&pts(&rings[1])) > 0.0);
    assert_eq!(pts(&rings[0]).len(), 5);

    let mut dbf = dbase::ReaderBuilder::new()
        .with_encoding(dbase::encoding::EncodingRs::from(GBK))
        .open(dir.path().join("towns.dbf"))
        .unwrap();
    let names: Vec<String> = dbf.fields().iter().map(|f| f.name().to_string()).collect();
    assert_eq!(names, ["名称", "人口", "面积", "是否镇区", "建成日期"]);
    let records = dbf.read().unwrap();
    assert_eq!(records.len(), 2);
    assert_eq!(
        records[0].get("名称"),
        Some(&dbase::FieldValue::Character(Some("双浦镇".into())))
    );
    assert_eq!(
        records[1].get("名称"),
        Some(&dbase::FieldValue::Character(Some("转塘街道".into())))
    );
    assert_eq!(
        records[0].get("人口"),
        Some(&dbase::FieldValue::Numeric(Some(52_000.0)))
    );
    assert_eq!(
        records[1].get("人口"),
        Some(&dbase::FieldValue::Numeric(None))
    );
    assert_eq!(
        records[1].get("面积"),
        Some(&dbase::FieldValue::Numeric(Some(-0.125)))
    );
    assert_eq!(
        records[0].get("是否镇区"),
        Some(&dbase::FieldValue::Logical(Some(true)))
    );
    // Language driver id for GBK.
    let raw = std::fs::read(dir.path().join("towns.dbf")).unwrap();
    assert_eq!(raw[29], LDID_GBK);
}

#[test]
fn field_names_are_cut_on_characters_and_made_unique() {
    let layer = layer_with(
        vec![
            Field::new("行政区划代码名称", FieldKind::Text), // 16 bytes in GBK
            Field::new("行政区划代码名称二", FieldKind::Text),
            Field::new("population_total", FieldKind::Int),
            Field::new("POPULATION_TOTAL_2", FieldKind::Int),
        ],
        vec![(
            Geometry::Point(Point::new(1.0, 2.0)),
            vec![AttrValue::Null; 4],
        )],
    );
    let mut warnings = Vec::new();
    let gbk = dbf_field_names(&layer, GBK, &mut warnings);
    let decoded: Vec<String> = gbk.iter().map(|b| GBK.decode(b).0.into_owned()).collect();
    assert_eq!(
        decoded,
        ["行政区划代", "行政区划_1", "population", "POPULATI_1"]
    );
    assert!(gbk.iter().all(|b| b.len() <= 10));
    assert_eq!(warnings.len(), 4);
    // UTF-8: three bytes a character, so three characters fit.
    let utf8 = dbf_field_names(&layer, UTF_8, &mut Vec::new());
    assert_eq!(std::str::from_utf8(&utf8[0]).unwrap(), "行政区");
    assert_eq!(std::str::from_utf8(&utf8[1]).unwrap(), "行政_1");
}

#[test]
fn long_text_is_cut_with_a_warning_and_unmappable_characters_reported() {
    let long = "镇".repeat(200); // 400 bytes in GBK
    let layer = layer_with(
        vec![Field::new("note", FieldKind::Text)],
        vec![
            (
                Geometry::Point(Point::new(1.0, 2.0)),
                vec![AttrValue::Text(long)],
            ),
            (
                Geometry::Point(Point::new(1.0, 2.0)),
                vec![AttrValue::Text("𠀀".into())],
            ),
        ],
    );
    let mut warnings = Vec::new();
    let dbf = build_dbf(&layer, GBK, &mut warnings).unwrap();
    assert!(warnings.iter().any(|w| w.contains("cut")), "{warnings:?}");
    assert!(
        warnings.iter().any(|w| w.contains("cannot encode")),
        "{warnings:?}"
    );
    // Width 254, cut to 127 characters (254 bytes).
    assert_eq!(dbf[32 + 16], 254);
    let mut warnings = Vec::new();
    build_dbf(&layer, GB18030, &mut warnings).unwrap();
    assert!(
        !warnings.iter().any(|w| w.contains("cannot encode")),
        "{warnings:?}"
    );
}

#[test]
fn mixed_and_empty_layers_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("x.shp");
    let empty = layer_with(vec![], vec![]);
    let e = write(&path, &empty, UTF_8).unwrap_err().to_string();
    assert!(e.contains("no features"), "{e}");
    let mixed = layer_with(
        vec![],
        vec![
            (Geometry::Point(Point::new(1.0, 2.0)), vec![]),
            (
                Geometry::Polygon(polygon![(x: 0., y: 0.), (x: 1., y: 0.), (x: 1., y: 1.)]),
                vec![],
            ),
        ],
    );
    let e = write(&path, &mixed, UTF_8).unwrap_err().to_string();
    assert!(e.contains("one geometry type"), "{e}");
    assert!(!path.exists());
}

// ---- reader ----------------------------------------------------------------------------

use crate::error::Error;
use crate::model::Severity;

/// The geometry as the writer puts it on disk: outer rings clockwise, holes counter-clockwise.
fn as_written(g: &Geometry<f64>) -> Geometry<f64> {
    let orient = |p: &Polygon<f64>| {
        Polygon::new(
            LineString(oriented_ring(p.exterior(), true)),
            p.interiors()
                .iter()
                .map(|r| LineString(oriented_ring(r, false)))
                .collect(),
        )
    };
    match g {
        Geometry::Polygon(p) => Geometry::Polygon(orient(p)),
        Geometry::MultiPolygon(mp) => {
            Geometry::MultiPolygon(MultiPolygon(mp.0.iter().map(orient).collect()))
        }
        other => other.clone(),
    }
}

fn read_default(path: &Path) -> Layer {
    read(path, &ReadOptions::default()).unwrap()
}

fn messages(layer: &Layer) -> String {
    layer
        .issues
        .iter()
        .map(|i| i.to_string())
        .collect::<Vec<_>>()
        .join("\n")
}

/// A .shp and .shx from hand-made record contents.
fn shp_bytes(shape_type: i32, contents: &[Vec<u8>]) -> (Vec<u8>, Vec<u8>) {
    let shp_len = SHP_HEADER_BYTES + contents.iter().map(|c| 8 + c.len()).sum::<usize>();
    let shx_len = SHP_HEADER_BYTES + 8 * contents.len();
    let bb = BBox {
        min_x: 0.0,
        min_y: 0.0,
        max_x: 10.0,
        max_y: 10.0,
    };
    let (mut shp, mut shx) = (Vec::new(), Vec::new());
    write_shp_header(&mut shp, shp_len, shape_type, &bb);
    write_shp_header(&mut shx, shx_len, shape_type, &bb);
    for (i, c) in contents.iter().enumerate() {
        shx.extend_from_slice(&((shp.len() / 2) as i32).to_be_bytes());
        shx.extend_from_slice(&((c.len() / 2) as i32).to_be_bytes());
        shp.extend_from_slice(&(i as i32 + 1).to_be_bytes());
        shp.extend_from_slice(&((c.len() / 2) as i32).to_be_bytes());
        shp.extend_from_slice(c);
    }
    (shp, shx)
}

/// A PolyLine/Polygon-style record content, with `extra` bytes of Z/M data after the points.
fn parts_content(shape_type: i32, parts: &[&[(f64, f64)]], extra: usize) -> Vec<u8> {
    let mut c = Vec::new();
    c.extend_from_slice(&shape_type.to_le_bytes());
    c.extend_from_slice(&[0u8; 32]);
    let n: usize = parts.iter().map(|p| p.len()).sum();
    c.extend_from_slice(&(parts.len() as i32).to_le_bytes());
    c.extend_from_slice(&(n as i32).to_le_bytes());
    let mut start = 0i32;
    for p in parts {
        c.extend_from_slice(&start.to_le_bytes());
        start += p.len() as i32;
    }
    for (x, y) in parts.iter().flat_map(|p| p.iter()) {
        c.extend_from_slice(&x.to_le_bytes());
        c.extend_from_slice(&y.to_le_bytes());
    }
    c.extend(std::iter::repeat_n(0u8, extra));
    c
}

fn write_raw(dir: &Path, name: &str, shape_type: i32, contents: &[Vec<u8>]) -> PathBuf {
    let (shp, shx) = shp_bytes(shape_type, contents);
    let path = dir.join(format!("{name}.shp"));
    std::fs::write(&path, shp).unwrap();
    std::fs::write(dir.join(format!("{name}.shx")), shx).unwrap();
    path
}

#[test]
fn gbk_chinese_names_and_values_round_trip() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("镇区.shp");
    let layer = gbk_town_layer();
    write(&path, &layer, GBK).unwrap();
    let back = read_default(&path);
    assert_eq!(back.name, "镇区");
    assert_eq!(back.source.encoding.as_deref(), Some("GBK (from .cpg)"));
    assert_eq!(back.crs, CrsInfo::declared(Crs::Epsg(4549), ".prj"));
    assert_eq!(back.fields, layer.fields);
    assert_eq!(back.features.len(), 2);
    assert_eq!(back.features[0].attrs, layer.features[0].attrs);
    assert_eq!(back.features[1].attrs, layer.features[1].attrs);
    assert_eq!(back.features[0].source_id, SourceId::Feature(1));
    for (a, b) in back.features.iter().zip(&layer.features) {
        assert_eq!(a.geometry, as_written(&b.geometry));
    }
    assert!(back.issues.is_empty(), "{}", messages(&back));
    // Through the format dispatch, from the .dbf as well.
    let layers = crate::io::read(&dir.path().join("镇区.dbf"), &ReadOptions::default()).unwrap();
    assert_eq!(layers.len(), 1);
    assert_eq!(layers[0].features.len(), 2);
    assert_eq!(layers[0].source.format, Format::Shapefile);
}

#[test]
fn utf8_with_cpg() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("u.shp");
    write(&path, &gbk_town_layer(), UTF_8).unwrap();
    let raw = std::fs::read(dir.path().join("u.dbf")).unwrap();
    assert_eq!(raw[29], 0);
    let back = read_default(&path);
    assert_eq!(back.source.encoding.as_deref(), Some("UTF-8 (from .cpg)"));
    assert_eq!(back.fields[0].name, "名称");
    assert_eq!(
        back.features[1].attrs[0],
        AttrValue::Text("转塘街道".into())
    );
}

#[test]
fn gbk_without_cpg_is_told_by_the_language_driver_or_guessed() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("g.shp");
    write(&path, &gbk_town_layer(), GBK).unwrap();
    std::fs::remove_file(dir.path().join("g.cpg")).unwrap();
    let back = read_default(&path);
    assert_eq!(
        back.source.encoding.as_deref(),
        Some("GBK (from DBF language driver 0x4D)")
    );
    assert_eq!(back.fields[1].name, "人口");
    // Language driver 0: guessed from the bytes.
    let dbf_path = dir.path().join("g.dbf");
    let mut raw = std::fs::read(&dbf_path).unwrap();
    raw[29] = 0;
    std::fs::write(&dbf_path, raw).unwrap();
    let back = read_default(&path);
    assert_eq!(
        back.source.encoding.as_deref(),
        Some("GBK (guessed: not valid UTF-8)")
    );
    assert_eq!(back.fields[0].name, "名称");
    assert_eq!(back.features[0].attrs[0], AttrValue::Text("双浦镇".into()));
}

#[test]
fn user_encoding_overrides_a_wrong_cpg() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("w.shp");
    write(&path, &gbk_town_layer(), GBK).unwrap();
    std::fs::write(dir.path().join("w.cpg"), "UTF-8").unwrap(); // wrong
    let wrong = read_default(&path);
    assert_eq!(wrong.source.encoding.as_deref(), Some("UTF-8 (from .cpg)"));
    assert_ne!(wrong.features[0].attrs[0], AttrValue::Text("双浦镇".into()));
    let options = ReadOptions {
        encoding: Some(GBK),
        ..Default::default()
    };
    let right = read(&path, &options).unwrap();
    assert_eq!(right.source.encoding.as_deref(), Some("GBK (user)"));
    assert_eq!(right.features[0].attrs[0], AttrValue::Text("双浦镇".into()));
    // A .cpg naming nonsense: warned, then guessed.
    std::fs::write(dir.path().join("w.cpg"), "klingon-8").unwrap();
    let guessed = read_default(&path);
    assert!(
        messages(&guessed).contains("klingon-8"),
        "{}",
        messages(&guessed)
    );
    assert!(
        guessed
            .source
            .encoding
            .as_deref()
            .unwrap()
            .starts_with("GBK")
    );
    assert_eq!(
        guessed.features[0].attrs[0],
        AttrValue::Text("双浦镇".into())
    );
}

#[test]
fn gb18030_only_characters() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("rare.shp");
    let name = "𠀀䶮村€"; // four-byte GB18030 and characters outside GB2312
    let layer = layer_with(
        vec![Field::new("村名𠀀", FieldKind::Text)],
        vec![(
            Geometry::Point(Point::new(120.1, 30.2)),
            vec![AttrValue::Text(name.into())],
        )],
    );
    let warnings = write_with_warnings(&path, &layer, GB18030).unwrap();
    assert!(warnings.is_empty(), "{warnings:?}");
    let back = read_default(&path);
    assert_eq!(back.source.encoding.as_deref(), Some("GB18030 (from .cpg)"));
    assert_eq!(back.fields[0].name, "村名𠀀");
    assert_eq!(back.features[0].attrs[0], AttrValue::Text(name.into()));
    // Without the .cpg the guess (GBK, decoded as GB18030) still reads them.
    std::fs::remove_file(dir.path().join("rare.cpg")).unwrap();
    let back = read_default(&path);
    assert_eq!(
        back.source.encoding.as_deref(),
        Some("GBK (guessed: not valid UTF-8)")
    );
    assert_eq!(back.features[0].attrs[0], AttrValue::Text(name.into()));
}

#[test]
fn z_and_m_types_are_read_in_2d() {
    let dir = tempfile::tempdir().unwrap();
    // PointZ: x, y, z, m.
    let mut pz = 11i32.to_le_bytes().to_vec();
    for v in [1.5f64, 2.5, 99.0, 0.0] {
        pz.extend_from_slice(&v.to_le_bytes());
    }
    // PointM: x, y, m.
    let mut pm = 21i32.to_le_bytes().to_vec();
    for v in [3.0f64, 4.0, -1e39] {
        pm.extend_from_slice(&v.to_le_bytes());
    }
    let p = write_raw(dir.path(), "pts", 11, &[pz, pm]);
    let layer = read_default(&p);
    let geoms: Vec<_> = layer.features.iter().map(|f| f.geometry.clone()).collect();
    assert_eq!(
        geoms,
        [
            Geometry::Point(Point::new(1.5, 2.5)),
            Geometry::Point(Point::new(3.0, 4.0))
        ]
    );
    // PolyLineZ (two parts → MultiLineString) and PolygonM; Z range+array and M range+array.
    let line: &[(f64, f64)] = &[(0.0, 0.0), (1.0, 1.0)];
    let line2: &[(f64, f64)] = &[(2.0, 2.0), (3.0, 2.0), (4.0, 3.0)];
    let lz = parts_content(13, &[line, line2], 16 + 8 * 5 + 16 + 8 * 5);
    let p = write_raw(dir.path(), "lines", 13, &[lz]);
    let layer = read_default(&p);
    assert_eq!(
        layer.features[0].geometry,
        Geometry::MultiLineString(geo_types::MultiLineString(vec![
            LineString::from(vec![(0.0, 0.0), (1.0, 1.0)]),
            LineString::from(vec![(2.0, 2.0), (3.0, 2.0), (4.0, 3.0)]),
        ]))
    );
    let cw: &[(f64, f64)] = &[(0.0, 0.0), (0.0, 1.0), (1.0, 1.0), (1.0, 0.0), (0.0, 0.0)];
    let pm = parts_content(25, &[cw], 16 + 8 * 5);
    let mut mpz = 18i32.to_le_bytes().to_vec(); // MultiPointZ
    mpz.extend_from_slice(&[0u8; 32]);
    mpz.extend_from_slice(&2i32.to_le_bytes());
    for v in [5.0f64, 6.0, 7.0, 8.0, 0.0, 0.0, 1.0, 2.0] {
        mpz.extend_from_slice(&v.to_le_bytes());
    }
    let p = write_raw(dir.path(), "mixed", 25, &[pm, mpz]);
    let layer = read_default(&p);
    assert_eq!(
        layer.features[0].geometry,
        Geometry::Polygon(Polygon::new(LineString::from(cw.to_vec()), vec![]))
    );
    assert_eq!(
        layer.features[1].geometry,
        Geometry::MultiPoint(vec![Point::new(5.0, 6.0), Point::new(7.0, 8.0)].into())
    );
}

#[test]
fn multipart_polygon_holes_go_to_the_outer_ring_that_contains_them() {
    let dir = tempfile::tempdir().unwrap();
    // Rings in an awkward order: the hole (counter-clockwise) first, then two outers.
    let hole: &[(f64, f64)] = &[
        (21.0, 1.0),
        (22.0, 1.0),
        (22.0, 2.0),
        (21.0, 2.0),
        (21.0, 1.0),
    ];
    let outer_a: &[(f64, f64)] = &[(0.0, 0.0), (0.0, 5.0), (5.0, 5.0), (5.0, 0.0), (0.0, 0.0)];
    let outer_b: &[(f64, f64)] = &[
        (20.0, 0.0),
        (20.0, 5.0),
        (25.0, 5.0),
        (25.0, 0.0),
        (20.0, 0.0),
    ];
    let c = parts_content(5, &[hole, outer_a, outer_b], 0);
    let p = write_raw(dir.path(), "mp", 5, &[c]);
    let layer = read_default(&p);
    assert!(
        layer.issues.iter().all(|i| i.message.contains(".dbf")),
        "{}",
        messages(&layer)
    );
    let Geometry::MultiPolygon(mp) = &layer.features[0].geometry else {
        panic!("expected a multipolygon: {:?}", layer.features[0].geometry);
    };
    assert_eq!(mp.0.len(), 2);
    assert_eq!(mp.0[0].exterior(), &LineString::from(outer_a.to_vec()));
    assert!(mp.0[0].interiors().is_empty());
    assert_eq!(mp.0[1].exterior(), &LineString::from(outer_b.to_vec()));
    assert_eq!(mp.0[1].interiors(), &[LineString::from(hole.to_vec())]);

    // Only counter-clockwise rings: each is an outer ring, with a warning.
    let ccw: &[(f64, f64)] = &[(0.0, 0.0), (5.0, 0.0), (5.0, 5.0), (0.0, 5.0), (0.0, 0.0)];
    let ccw2: &[(f64, f64)] = &[(9.0, 0.0), (10.0, 0.0), (10.0, 1.0), (9.0, 0.0)];
    let p = write_raw(dir.path(), "ccw", 5, &[parts_content(5, &[ccw, ccw2], 0)]);
    let layer = read_default(&p);
    assert!(
        messages(&layer).contains("counter-clockwise"),
        "{}",
        messages(&layer)
    );
    assert!(matches!(&layer.features[0].geometry, Geometry::MultiPolygon(mp) if mp.0.len() == 2));

    // Orientation the wrong way round: outer counter-clockwise, hole clockwise.
    let hole_cw: &[(f64, f64)] = &[(1.0, 1.0), (1.0, 2.0), (2.0, 2.0), (2.0, 1.0), (1.0, 1.0)];
    let p = write_raw(
        dir.path(),
        "rev",
        5,
        &[parts_content(5, &[ccw, hole_cw], 0)],
    );
    let layer = read_default(&p);
    assert!(
        messages(&layer).contains("wrong way round"),
        "{}",
        messages(&layer)
    );
    assert_eq!(
        layer.features[0].geometry,
        Geometry::Polygon(Polygon::new(
            LineString::from(ccw.to_vec()),
            vec![LineString::from(hole_cw.to_vec())]
        ))
    );
    // A counter-clockwise ring outside the only outer ring is not made its hole.
    let away: &[(f64, f64)] = &[(30.0, 0.0), (31.0, 0.0), (31.0, 1.0), (30.0, 0.0)];
    let p = write_raw(
        dir.path(),
        "away",
        5,
        &[parts_content(5, &[outer_a, away], 0)],
    );
    let layer = read_default(&p);
    assert!(
        messages(&layer).contains("outside every outer ring"),
        "{}",
        messages(&layer)
    );
    let Geometry::MultiPolygon(mp) = &layer.features[0].geometry else {
        panic!("multipolygon expected");
    };
    assert_eq!(mp.0.len(), 2);
    assert!(mp.0.iter().all(|p| p.interiors().is_empty()));
}

#[test]
fn unclosed_ring_is_closed_with_a_warning() {
    let dir = tempfile::tempdir().unwrap();
    let open: &[(f64, f64)] = &[(0.0, 0.0), (0.0, 5.0), (5.0, 5.0), (5.0, 0.0)];
    let p = write_raw(dir.path(), "open", 5, &[parts_content(5, &[open], 0)]);
    let layer = read_default(&p);
    let Geometry::Polygon(poly) = &layer.features[0].geometry else {
        panic!("polygon expected");
    };
    assert_eq!(poly.exterior().0.len(), 5);
    assert_eq!(poly.exterior().0[0], poly.exterior().0[4]);
    let w = layer
        .issues
        .iter()
        .find(|i| i.message.contains("not closed"))
        .expect("warning");
    assert_eq!(w.severity, Severity::Warning);
    assert_eq!(w.feature, Some(SourceId::Feature(1)));
}

#[test]
fn nan_coordinates_skip_the_feature_and_name_it() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("nan.shp");
    let layer = layer_with(
        vec![Field::new("id", FieldKind::Int)],
        vec![
            (
                Geometry::Point(Point::new(1.0, 2.0)),
                vec![AttrValue::Int(1)],
            ),
            (
                Geometry::Point(Point::new(f64::NAN, 2.0)),
                vec![AttrValue::Int(2)],
            ),
            (
                Geometry::Point(Point::new(3.0, f64::INFINITY)),
                vec![AttrValue::Int(3)],
            ),
            (
                Geometry::Point(Point::new(4.0, 5.0)),
                vec![AttrValue::Int(4)],
            ),
        ],
    );
    write(&path, &layer, UTF_8).unwrap();
    let back = read_default(&path);
    let ids: Vec<_> = back.features.iter().map(|f| f.attrs[0].clone()).collect();
    assert_eq!(ids, [AttrValue::Int(1), AttrValue::Int(4)]);
    assert_eq!(back.features[1].source_id, SourceId::Feature(4));
    let skipped: Vec<_> = back
        .issues
        .iter()
        .filter(|i| i.severity == Severity::Skipped)
        .collect();
    assert_eq!(skipped.len(), 2);
    assert_eq!(skipped[0].feature, Some(SourceId::Feature(2)));
    assert!(
        skipped[0].message.contains("not a number"),
        "{}",
        skipped[0]
    );
    assert_eq!(skipped[1].feature, Some(SourceId::Feature(3)));
}

fn numbered_squares(n: usize) -> Layer {
    layer_with(
        vec![
            Field::new("id", FieldKind::Int),
            Field::new("name", FieldKind::Text),
        ],
        (0..n)
            .map(|i| {
                (
                    Geometry::Polygon(Polygon::new(square(i as f64 * 10.0, 0.0, 5.0), vec![])),
                    vec![AttrValue::Int(i as i64), AttrValue::Text(format!("村{i}"))],
                )
            })
            .collect(),
    )
}

#[test]
fn truncated_shp_keeps_complete_records() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("cut.shp");
    write(&path, &numbered_squares(5), GBK).unwrap();
    let full = std::fs::read(&path).unwrap();
    // Each record: 8 header + 44 + 4 + 5*16 = 136 bytes. Cut in the middle of record 4.
    let cut_at = 100 + 3 * 136 + 60;
    std::fs::write(&path, &full[..cut_at]).unwrap();
    let layer = read_default(&path);
    assert_eq!(layer.features.len(), 3);
    let m = messages(&layer);
    assert!(
        m.contains(&format!(
            "truncated at byte {cut_at} (expected {})",
            full.len()
        )),
        "{m}"
    );
    let skipped: Vec<_> = layer
        .issues
        .iter()
        .filter(|i| i.severity == Severity::Skipped)
        .collect();
    assert_eq!(skipped.len(), 2, "{m}");
    assert_eq!(skipped[0].feature, Some(SourceId::Feature(4)));
    assert!(skipped[1].message.contains("1 more record"), "{m}");
    // Same without the .shx: records read in sequence.
    std::fs::remove_file(dir.path().join("cut.shx")).unwrap();
    let layer = read_default(&path);
    assert_eq!(layer.features.len(), 3);
    assert_eq!(layer.features[2].attrs[1], AttrValue::Text("村2".into()));
    assert!(
        messages(&layer).contains("truncated at byte"),
        "{}",
        messages(&layer)
    );
}

#[test]
fn truncated_dbf_gives_null_attributes() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("t.shp");
    write(&path, &numbered_squares(4), GBK).unwrap();
    let dbf_path = dir.path().join("t.dbf");
    let raw = std::fs::read(&dbf_path).unwrap();
    let header_len = u16::from_le_bytes([raw[8], raw[9]]) as usize;
    let record_len = u16::from_le_bytes([raw[10], raw[11]]) as usize;
    std::fs::write(&dbf_path, &raw[..header_len + 2 * record_len + 3]).unwrap();
    let layer = read_default(&path);
    assert_eq!(layer.features.len(), 4);
    assert_eq!(layer.features[1].attrs[1], AttrValue::Text("村1".into()));
    assert_eq!(layer.features[2].attrs, [AttrValue::Null, AttrValue::Null]);
    let m = messages(&layer);
    assert!(m.contains("holds 2 of its 4 records"), "{m}");
}

#[test]
fn missing_shx_and_missing_dbf_are_warnings() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("m.shp");
    write(&path, &numbered_squares(3), UTF_8).unwrap();
    std::fs::remove_file(dir.path().join("m.shx")).unwrap();
    let layer = read_default(&path);
    assert_eq!(layer.features.len(), 3);
    assert_eq!(layer.features[2].attrs[0], AttrValue::Int(2));
    assert!(messages(&layer).contains(".shx index is missing"));
    std::fs::remove_file(dir.path().join("m.dbf")).unwrap();
    let layer = read_default(&path);
    assert_eq!(layer.features.len(), 3);
    assert!(layer.fields.is_empty());
    assert!(layer.features.iter().all(|f| f.attrs.is_empty()));
    assert!(
        messages(&layer).contains("put m.dbf beside the .shp"),
        "{}",
        messages(&layer)
    );
    assert_eq!(layer.source.encoding, None);
}

#[test]
fn a_shx_cut_short_does_not_lose_records() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("s.shp");
    write(&path, &numbered_squares(4), UTF_8).unwrap();
    let shx_path = dir.path().join("s.shx");
    let shx = std::fs::read(&shx_path).unwrap();
    std::fs::write(&shx_path, &shx[..100 + 2 * 8]).unwrap();
    let layer = read_default(&path);
    assert_eq!(layer.features.len(), 4);
    assert_eq!(layer.features[3].attrs[0], AttrValue::Int(3));
    let m = messages(&layer);
    assert!(
        m.contains("the .shx lists 2 records but the .shp holds 4"),
        "{m}"
    );
    // A .shx that is not one at all.
    std::fs::write(&shx_path, b"garbage").unwrap();
    let layer = read_default(&path);
    assert_eq!(layer.features.len(), 4);
    assert!(messages(&layer).contains(".shx index cannot be used"));
}

#[test]
fn null_and_multipatch_records_are_skipped_with_issues() {
    let dir = tempfile::tempdir().unwrap();
    let null = SHAPE_NULL.to_le_bytes().to_vec();
    let patch = parts_content(31, &[&[(0.0, 0.0), (1.0, 0.0), (0.0, 1.0)]], 16);
    let good = parts_content(3, &[&[(0.0, 0.0), (1.0, 1.0)]], 0);
    let p = write_raw(dir.path(), "np", 3, &[null, patch, good]);
    let layer = read_default(&p);
    assert_eq!(layer.features.len(), 1);
    assert_eq!(layer.features[0].source_id, SourceId::Feature(3));
    let skipped: Vec<_> = layer
        .issues
        .iter()
        .filter(|i| i.severity == Severity::Skipped)
        .map(|i| (i.feature, i.message.clone()))
        .collect();
    assert_eq!(skipped.len(), 2);
    assert_eq!(skipped[0].0, Some(SourceId::Feature(1)));
    assert!(skipped[0].1.contains("null"), "{}", skipped[0].1);
    assert_eq!(skipped[1].0, Some(SourceId::Feature(2)));
    assert!(skipped[1].1.contains("MultiPatch"), "{}", skipped[1].1);
}

#[test]
fn dbf_cells_decode_by_type() {
    let d = CellDecoder {
        encoding: GBK,
        bad: (0..1).map(|_| Default::default()).collect(),
    };
    let field = |kind: u8, width: usize, decimals: u8| DbfField {
        name_bytes: b"X".to_vec(),
        kind,
        offset: 1,
        width,
        decimals,
    };
    let n0 = field(b'N', 10, 0);
    let n3 = field(b'N', 12, 3);
    assert_eq!(d.value(0, &n0, b"      1234"), AttrValue::Int(1234));
    assert_eq!(d.value(0, &n0, b"     -12.0"), AttrValue::Int(-12));
    assert_eq!(d.value(0, &n0, b"       1.5"), AttrValue::Float(1.5));
    assert_eq!(d.value(0, &n0, b"          "), AttrValue::Null);
    assert_eq!(d.value(0, &n0, b"**********"), AttrValue::Null);
    assert_eq!(d.value(0, &n3, b"    3,250"), AttrValue::Float(3.25));
    assert_eq!(d.value(0, &n3, b"      12.000"), AttrValue::Float(12.0));
    assert_eq!(d.bad[0].load(std::sync::atomic::Ordering::Relaxed), 0);
    assert_eq!(d.value(0, &n0, b"   abc"), AttrValue::Null);
    assert_eq!(d.bad[0].load(std::sync::atomic::Ordering::Relaxed), 1);
    let l = field(b'L', 1, 0);
    assert_eq!(d.value(0, &l, b"T"), AttrValue::Bool(true));
    assert_eq!(d.value(0, &l, b"n"), AttrValue::Bool(false));
    assert_eq!(d.value(0, &l, b"?"), AttrValue::Null);
    let date = field(b'D', 8, 0);
    assert_eq!(
        d.value(0, &date, b"20240131"),
        AttrValue::Text("2024-01-31".into())
    );
    assert_eq!(d.value(0, &date, b"        "), AttrValue::Null);
    let c = field(b'C', 10, 0);
    let (gbk, _, _) = GBK.encode("  镇政府  ");
    assert_eq!(d.value(0, &c, &gbk), AttrValue::Text("镇政府".into()));
    let i = field(b'I', 4, 0);
    assert_eq!(d.value(0, &i, &(-7i32).to_le_bytes()), AttrValue::Int(-7));
    let o = field(b'O', 8, 0);
    assert_eq!(d.value(0, &o, &2.5f64.to_le_bytes()), AttrValue::Float(2.5));
}

#[test]
fn only_a_dbf_is_a_missing_shp_error() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("attrs.shp");
    write(&path, &numbered_squares(2), UTF_8).unwrap();
    std::fs::remove_file(&path).unwrap();
    let err = read(&dir.path().join("attrs.dbf"), &ReadOptions::default()).unwrap_err();
    match &err {
        Error::Io(IoError::Missing { what, .. }) => {
            assert!(what.contains("attrs.shp"), "{what}")
        }
        other => panic!("expected Missing, got {other:?}"),
    }
}

#[test]
fn siblings_match_extensions_in_any_case() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("ROADS.shp");
    write(&path, &numbered_squares(2), GBK).unwrap();
    for (from, to) in [
        ("ROADS.shp", "ROADS.SHP"),
        ("ROADS.dbf", "roads.dbf"),
        ("ROADS.shx", "ROADS.Shx"),
        ("ROADS.cpg", "ROADS.CPG"),
    ] {
        std::fs::rename(dir.path().join(from), dir.path().join(to)).unwrap();
    }
    let layer = read_default(&dir.path().join("ROADS.SHP"));
    assert_eq!(layer.features.len(), 2);
    assert_eq!(layer.source.encoding.as_deref(), Some("GBK (from .cpg)"));
    assert_eq!(layer.features[1].attrs[1], AttrValue::Text("村1".into()));
    assert!(layer.issues.is_empty(), "{}", messages(&layer));
    // Opening the .dbf finds the rest too.
    let layer = read_default(&dir.path().join("roads.dbf"));
    assert_eq!(layer.features.len(), 2);
}

#[test]
fn empty_shapefile_reads_as_an_empty_layer() {
    let dir = tempfile::tempdir().unwrap();
    let path = write_raw(dir.path(), "empty", 5, &[]);
    let mut dbf = vec![0x03, 126, 1, 1, 0, 0, 0, 0];
    dbf.extend_from_slice(&65u16.to_le_bytes());
    dbf.extend_from_slice(&11u16.to_le_bytes());
    dbf.extend_from_slice(&[0u8; 20]);
    let mut fd = [0u8; 32];
    fd[..4].copy_from_slice(b"NAME");
    fd[11] = b'C';
    fd[16] = 10;
    dbf.extend_from_slice(&fd);
    dbf.extend_from_slice(&[0x0D, 0x1A]);
    std::fs::write(dir.path().join("empty.dbf"), dbf).unwrap();
    let layer = read_default(&path);
    assert!(layer.features.is_empty());
    assert_eq!(layer.fields, [Field::new("NAME", FieldKind::Text)]);
    assert!(layer.issues.is_empty(), "{}", messages(&layer));
}

#[test]
fn corrupt_header_is_a_file_error() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("bad.shp");
    for bytes in [b"hello".to_vec(), vec![0u8; 100], vec![0xFF; 300]] {
        std::fs::write(&path, &bytes).unwrap();
        match read(&path, &ReadOptions::default()).unwrap_err() {
            Error::Io(IoError::Invalid {
                location, message, ..
            }) => {
                assert_eq!(location, Location::File);
                assert!(message.contains("shapefile"), "{message}");
            }
            other => panic!("expected Invalid, got {other:?}"),
        }
    }
}

#[test]
fn deleted_dbf_records_are_skipped_with_their_geometry() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("del.shp");
    write(&path, &numbered_squares(3), UTF_8).unwrap();
    let dbf_path = dir.path().join("del.dbf");
    let mut raw = std::fs::read(&dbf_path).unwrap();
    let header_len = u16::from_le_bytes([raw[8], raw[9]]) as usize;
    let record_len = u16::from_le_bytes([raw[10], raw[11]]) as usize;
    raw[header_len + record_len] = b'*';
    std::fs::write(&dbf_path, raw).unwrap();
    let layer = read_default(&path);
    let ids: Vec<_> = layer.features.iter().map(|f| f.source_id).collect();
    assert_eq!(ids, [SourceId::Feature(1), SourceId::Feature(3)]);
    assert_eq!(layer.features[1].attrs[0], AttrValue::Int(2));
    assert_eq!(layer.skipped_count(), 1);
    assert!(messages(&layer).contains("deleted"));
}

#[test]
fn unreadable_prj_is_a_warning_and_unknown_crs() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("p.shp");
    write(&path, &numbered_squares(1), UTF_8).unwrap();
    std::fs::write(dir.path().join("p.prj"), "PROJCS[\"broken").unwrap();
    let layer = read_default(&path);
    assert_eq!(layer.crs, CrsInfo::unknown());
    assert!(messages(&layer).contains(".prj is not understood"));
    std::fs::remove_file(dir.path().join("p.prj")).unwrap();
    let layer = read_default(&path);
    assert_eq!(layer.crs, CrsInfo::unknown());
    assert!(layer.issues.is_empty());
    let options = ReadOptions {
        crs: Some(Crs::Epsg(4528)),
        ..Default::default()
    };
    assert_eq!(
        read(&path, &options).unwrap().crs,
        CrsInfo::user(Crs::Epsg(4528))
    );
}

#[test]
fn ten_thousand_polygons_round_trip() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("many.shp");
    let n = 10_000;
    let layer = layer_with(
        vec![
            Field::new("id", FieldKind::Int),
            Field::new("area_m2", FieldKind::Float),
            Field::new("名称", FieldKind::Text),
        ],
        (0..n)
            .map(|i| {
                let x0 = 500_000.0 + (i % 100) as f64 * 123.456_789;
                let y0 = 3_300_000.0 + (i / 100) as f64 * 98.765_432_1;
                // Rings of 4..=35 vertices; every tenth polygon has a hole.
                let k = 4 + i % 32;
                let ring: Vec<Coord<f64>> = (0..k)
                    .map(|j| {
                        let a = j as f64 / k as f64 * std::f64::consts::TAU;
                        coord! { x: x0 + 40.0 * a.cos(), y: y0 + 40.0 * a.sin() }
                    })
                    .collect();
                let holes = if i % 10 == 0 {
                    vec![square(x0 - 5.0, y0 - 5.0, 10.0)]
                } else {
                    vec![]
                };
                (
                    Geometry::Polygon(Polygon::new(LineString(ring), holes)),
                    vec![
                        AttrValue::Int(i as i64 * 7 - 3),
                        AttrValue::Float(i as f64 / 3.0),
                        AttrValue::Text(format!("第{i}号地块")),
                    ],
                )
            })
            .collect(),
    );
    write(&path, &layer, GBK).unwrap();
    let back = read_default(&path);
    assert_eq!(back.features.len(), n);
    assert!(back.issues.is_empty(), "{}", messages(&back));
    for (a, b) in back.features.iter().zip(&layer.features) {
        assert_eq!(a.geometry, as_written(&b.geometry), "{:?}", a.source_id);
        assert_eq!(a.attrs, b.attrs, "{:?}", a.source_id);
    }
}

#[test]
fn damaged_bytes_never_panic() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("fuzz.shp");
    write(&path, &gbk_town_layer(), GBK).unwrap();
    let names = ["fuzz.shp", "fuzz.shx", "fuzz.dbf"];
    let originals: Vec<Vec<u8>> = names
        .iter()
        .map(|n| std::fs::read(dir.path().join(n)).unwrap())
        .collect();
    let mut state = 0x2545_F491_4F6C_DD1Du64;
    let mut next = || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state
    };
    for round in 0..600 {
        let which = round % 3;
        let mut bytes = originals[which].clone();
        for _ in 0..1 + next() % 6 {
            let at = (next() as usize) % bytes.len();
            bytes[at] = next() as u8;
        }
        if next() % 5 == 0 {
            let keep = (next() as usize) % bytes.len();
            bytes.truncate(keep);
        }
        std::fs::write(dir.path().join(names[which]), &bytes).unwrap();
        let _ = read(&path, &ReadOptions::default());
        std::fs::write(dir.path().join(names[which]), &originals[which]).unwrap();
    }
    assert_eq!(read_default(&path).features.len(), 2);
}

#[test]
fn reads_a_gbk_shapefile_written_by_gdal() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/shp");
    let path = dir.join("towns_gbk.shp");
    let layer = read_default(&path);
    assert!(layer.issues.is_empty(), "{}", messages(&layer));
    assert_eq!(layer.source.encoding.as_deref(), Some("GBK (from .cpg)"));
    assert_eq!(layer.crs, CrsInfo::declared(Crs::Epsg(4549), ".prj"));
    // GDAL writes the same ESRI WKT as ours.
    let prj = std::fs::read_to_string(dir.join("towns_gbk.prj")).unwrap();
    assert_eq!(Some(prj.trim()), to_esri_wkt(&Crs::Epsg(4549)).as_deref());
    assert_eq!(
        layer.fields,
        [
            Field::new("名称", FieldKind::Text),
            Field::new("人口", FieldKind::Int),
            Field::new("面积公顷", FieldKind::Float),
            Field::new("设立日期", FieldKind::Date),
        ]
    );
    let attrs: Vec<_> = layer.features.iter().map(|f| f.attrs.clone()).collect();
    assert_eq!(
        attrs,
        [
            vec![
                AttrValue::Text("双浦镇".into()),
                AttrValue::Int(52_000),
                AttrValue::Float(86.25),
                AttrValue::Text("2019-07-01".into()),
            ],
            vec![
                AttrValue::Text("转塘街道".into()),
                AttrValue::Null,
                AttrValue::Float(-0.5),
                AttrValue::Null,
            ],
            vec![
                AttrValue::Text("下沙村".into()),
                AttrValue::Int(7),
                AttrValue::Float(1.0),
                AttrValue::Text("2001-12-31".into()),
            ],
        ]
    );
    let Geometry::Polygon(p) = &layer.features[0].geometry else {
        panic!("polygon expected");
    };
    assert_eq!(p.interiors().len(), 1);
    assert_eq!(p.exterior().0[0], coord! {x: 514_000.0, y: 3_345_000.0});
    assert!(matches!(&layer.features[1].geometry, Geometry::MultiPolygon(mp) if mp.0.len() == 2));
    // The same file without its .cpg: GDAL left the language driver at 0, so it is guessed.
    let tmp = tempfile::tempdir().unwrap();
    for ext in ["shp", "shx", "dbf"] {
        std::fs::copy(
            dir.join(format!("towns_gbk.{ext}")),
            tmp.path().join(format!("towns_gbk.{ext}")),
        )
        .unwrap();
    }
    let guessed = read_default(&tmp.path().join("towns_gbk.dbf"));
    assert_eq!(
        guessed.source.encoding.as_deref(),
        Some("GBK (guessed: not valid UTF-8)")
    );
    assert_eq!(
        guessed.features[2].attrs[0],
        AttrValue::Text("下沙村".into())
    );
    assert_eq!(guessed.crs, CrsInfo::unknown());
}
