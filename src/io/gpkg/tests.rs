use super::*;
use crate::model::Severity;

fn source(path: &Path) -> SourceInfo {
    SourceInfo {
        path: path.to_path_buf(),
        format: Format::GeoJson,
        table: None,
        encoding: None,
    }
}

fn square(x: f64, y: f64, s: f64) -> LineString<f64> {
    LineString::from(vec![(x, y), (x + s, y), (x + s, y + s), (x, y + s), (x, y)])
}

fn sample_layers() -> (Layer, Layer) {
    let p = Path::new("in.geojson");
    let mut pois = Layer::new("设施 POI", source(p), CrsInfo::declared(Crs::Gcj02, "test"));
    pois.fields = vec![
        Field::new("名称", FieldKind::Text),
        Field::new("人数", FieldKind::Int),
        Field::new("面积", FieldKind::Float),
        Field::new("open", FieldKind::Bool),
        Field::new("fid", FieldKind::Int),
    ];
    pois.features = vec![
        Feature {
            geometry: Geometry::Point(Point::new(120.1, 30.2)),
            attrs: vec![
                AttrValue::Text("双浦镇卫生院".into()),
                AttrValue::Int(12),
                AttrValue::Float(1.5),
                AttrValue::Bool(true),
                AttrValue::Int(7),
            ],
            source_id: SourceId::Feature(1),
            category: None,
        },
        Feature {
            geometry: Geometry::Point(Point::new(120.2, 30.3)),
            attrs: vec![
                AttrValue::Null,
                AttrValue::Null,
                AttrValue::Null,
                AttrValue::Bool(false),
                AttrValue::Null,
            ],
            source_id: SourceId::Feature(2),
            category: None,
        },
    ];
    let mut areas = Layer::new(
        "建成区",
        source(p),
        CrsInfo::declared(Crs::Epsg(4549), "test"),
    );
    areas.fields = vec![Field::new("name", FieldKind::Text)];
    let poly = Polygon::new(
        square(500_000.0, 3_300_000.0, 100.0),
        vec![square(500_010.0, 3_300_010.0, 10.0)],
    );
    areas.features = vec![
        Feature {
            geometry: Geometry::MultiPolygon(MultiPolygon(vec![
                poly,
                Polygon::new(square(500_200.0, 3_300_000.0, 50.0), vec![]),
            ])),
            attrs: vec![AttrValue::Text("镇区".into())],
            source_id: SourceId::Feature(1),
            category: None,
        },
        Feature {
            geometry: Geometry::Polygon(Polygon::new(square(501_000.0, 3_300_000.0, 20.0), vec![])),
            attrs: vec![AttrValue::Text("工业区".into())],
            source_id: SourceId::Feature(2),
            category: None,
        },
        Feature {
            geometry: Geometry::LineString(LineString::from(vec![
                (500_000.0, 3_300_000.0),
                (500_100.0, 3_300_050.0),
            ])),
            attrs: vec![AttrValue::Null],
            source_id: SourceId::Feature(3),
            category: None,
        },
    ];
    (pois, areas)
}

#[test]
fn write_then_read_round_trips() {
    let dir = tempfile::tempdir().expect("tmp");
    let path = dir.path().join("town.gpkg");
    let (pois, areas) = sample_layers();
    write(&path, &[&pois, &areas]).expect("write");
    // Metadata a GeoPackage reader checks.
    let conn = Connection::open(&path).expect("open");
    let app: i32 = conn
        .query_row("PRAGMA application_id", [], |r| r.get(0))
        .expect("app");
    let ver: i32 = conn
        .query_row("PRAGMA user_version", [], |r| r.get(0))
        .expect("ver");
    assert_eq!((app, ver), (0x4750_4B47, 10201));
    let srs: Vec<i64> = conn
        .prepare("SELECT srs_id FROM gpkg_spatial_ref_sys ORDER BY srs_id")
        .expect("p")
        .query_map([], |r| r.get(0))
        .expect("q")
        .collect::<rusqlite::Result<_>>()
        .expect("c");
    assert_eq!(srs, vec![-1, 0, 4326, 4549, 990_001]);
    let (minx, maxy): (f64, f64) = conn
        .query_row(
            "SELECT min_x, max_y FROM gpkg_contents WHERE srs_id = 4549",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .expect("extent");
    assert_eq!((minx, maxy), (500_000.0, 3_300_100.0));
    let fk: i64 = conn
        .query_row("SELECT count(*) FROM pragma_foreign_key_check", [], |r| {
            r.get(0)
        })
        .expect("fk");
    assert_eq!(fk, 0);
    drop(conn);

    let layers = read(&path, &ReadOptions::default()).expect("read");
    assert_eq!(layers.len(), 2);
    let back_pois = layers
        .iter()
        .find(|l| l.source.table.as_deref() == Some("设施_POI"))
        .expect("pois table");
    assert_eq!(back_pois.crs.crs, Some(Crs::Gcj02));
    let names: Vec<&str> = back_pois.fields.iter().map(|f| f.name.as_str()).collect();
    assert_eq!(names, ["名称", "人数", "面积", "open", "fid_2"]);
    let kinds: Vec<FieldKind> = back_pois.fields.iter().map(|f| f.kind).collect();
    assert_eq!(
        kinds,
        [
            FieldKind::Text,
            FieldKind::Int,
            FieldKind::Float,
            FieldKind::Bool,
            FieldKind::Int
        ]
    );
    for (a, b) in back_pois.features.iter().zip(&pois.features) {
        assert_eq!(a.geometry, b.geometry);
        assert_eq!(a.attrs, b.attrs);
    }
    assert_eq!(back_pois.features[1].source_id, SourceId::Feature(2));

    let back_areas = layers
        .iter()
        .find(|l| l.source.table.as_deref() == Some("建成区"))
        .expect("areas");
    assert_eq!(back_areas.crs.crs, Some(Crs::Epsg(4549)));
    assert_eq!(back_areas.features.len(), 3);
    // Mixed types are written as GEOMETRY, parts kept as they were.
    assert_eq!(back_areas.features[0].geometry, areas.features[0].geometry);
    assert_eq!(back_areas.features[2].geometry, areas.features[2].geometry);
    match &back_areas.features[0].geometry {
        Geometry::MultiPolygon(mp) => assert_eq!(mp.0[0].interiors().len(), 1),
        g => panic!("{g:?}"),
    }
    assert!(back_areas.issues.is_empty(), "{:?}", back_areas.issues);
}

#[test]
fn polygons_are_promoted_and_file_is_replaced() {
    let dir = tempfile::tempdir().expect("tmp");
    let path = dir.path().join("out.gpkg");
    std::fs::write(&path, b"old contents").expect("old");
    let (_, mut areas) = sample_layers();
    areas.features.truncate(2);
    write(&path, &[&areas, &areas]).expect("write");
    // Through the format dispatch too.
    let layers = crate::io::read(&path, &ReadOptions::default()).expect("read");
    let tables: Vec<_> = layers
        .iter()
        .map(|l| l.source.table.clone().unwrap_or_default())
        .collect();
    assert_eq!(tables, ["建成区", "建成区_2"]);
    assert!(matches!(
        layers[0].features[1].geometry,
        Geometry::MultiPolygon(_)
    ));
    let conn = Connection::open(&path).expect("open");
    let t: String = conn
        .query_row(
            "SELECT geometry_type_name FROM gpkg_geometry_columns LIMIT 1",
            [],
            |r| r.get(0),
        )
        .expect("type");
    assert_eq!(t, "MULTIPOLYGON");
    // No temporary file left behind.
    let left: Vec<_> = std::fs::read_dir(dir.path())
        .expect("dir")
        .map(|e| e.expect("e").file_name())
        .collect();
    assert_eq!(left.len(), 1, "{left:?}");
}

/// Big-endian WKB of a polygon with one ring, built by hand.
fn be_polygon() -> Vec<u8> {
    let mut b = vec![0u8];
    b.extend_from_slice(&3u32.to_be_bytes());
    b.extend_from_slice(&1u32.to_be_bytes());
    b.extend_from_slice(&4u32.to_be_bytes());
    for (x, y) in [(0.0f64, 0.0f64), (1.0, 0.0), (1.0, 1.0), (0.0, 0.0)] {
        b.extend_from_slice(&x.to_be_bytes());
        b.extend_from_slice(&y.to_be_bytes());
    }
    b
}

#[test]
fn decodes_big_endian_z_m_and_ewkb() {
    let g = decode_wkb(&be_polygon()).expect("be");
    assert_eq!(
        g,
        Geometry::Polygon(Polygon::new(
            LineString::from(vec![(0.0, 0.0), (1.0, 0.0), (1.0, 1.0), (0.0, 0.0)]),
            vec![]
        ))
    );
    // ISO PointZ (1001), little-endian.
    let mut pz = vec![1u8];
    pz.extend_from_slice(&1001u32.to_le_bytes());
    for v in [120.5f64, 30.5, 12.0] {
        pz.extend_from_slice(&v.to_le_bytes());
    }
    assert_eq!(
        decode_wkb(&pz).expect("z"),
        Geometry::Point(Point::new(120.5, 30.5))
    );
    // ISO LineString ZM (3002), big-endian.
    let mut lzm = vec![0u8];
    lzm.extend_from_slice(&3002u32.to_be_bytes());
    lzm.extend_from_slice(&2u32.to_be_bytes());
    for v in [1.0f64, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0] {
        lzm.extend_from_slice(&v.to_be_bytes());
    }
    assert_eq!(
        decode_wkb(&lzm).expect("zm"),
        Geometry::LineString(LineString::from(vec![(1.0, 2.0), (5.0, 6.0)]))
    );
    // EWKB MultiPoint Z with SRID, parts Z too.
    let mut e = vec![1u8];
    e.extend_from_slice(&(0xA000_0004u32).to_le_bytes());
    e.extend_from_slice(&4326u32.to_le_bytes());
    e.extend_from_slice(&1u32.to_le_bytes());
    e.push(1);
    e.extend_from_slice(&(0x8000_0001u32).to_le_bytes());
    for v in [1.0f64, 2.0, 3.0] {
        e.extend_from_slice(&v.to_le_bytes());
    }
    assert_eq!(
        decode_wkb(&e).expect("ewkb"),
        Geometry::MultiPoint(MultiPoint(vec![Point::new(1.0, 2.0)]))
    );
    // A header with a 3D envelope (kind 2), big-endian header.
    let mut blob = b"GP\0".to_vec();
    blob.push(2 << 1);
    blob.extend_from_slice(&4326i32.to_be_bytes());
    blob.extend_from_slice(&[0u8; 48]);
    blob.extend_from_slice(&be_polygon());
    assert!(matches!(
        decode_blob(&blob).expect("blob"),
        Some(Geometry::Polygon(_))
    ));
    // Garbage is an error, never a panic.
    let mut huge = vec![1u8];
    huge.extend_from_slice(&2u32.to_le_bytes());
    huge.extend_from_slice(&u32::MAX.to_le_bytes());
    assert!(decode_wkb(&huge).is_err());
    assert!(decode_wkb(&[1, 99, 0, 0, 0]).is_err());
    assert!(decode_blob(b"GP").is_err());
    assert!(decode_blob(&[0x47, 0x50, 0, 0x0E, 0, 0, 0, 0]).is_err());
    for n in 0..be_polygon().len() {
        assert!(decode_wkb(&be_polygon()[..n]).is_err());
    }
}

#[test]
fn parts_are_checked_and_counts_bounded_by_the_bytes_left() {
    // A MultiPolygon holding a LineString names both.
    let mut mp = vec![1u8];
    mp.extend_from_slice(&6u32.to_le_bytes());
    mp.extend_from_slice(&1u32.to_le_bytes());
    let line = LineString::from(vec![(0.0, 0.0), (1.0, 1.0)]);
    encode_wkb(&Geometry::LineString(line.clone()), &mut mp);
    assert_eq!(
        decode_wkb(&mp).unwrap_err(),
        "a MultiPolygon holds a LineString"
    );
    // An empty point (NaN, NaN) in a MultiPoint is left out.
    let mut pts = vec![1u8];
    pts.extend_from_slice(&4u32.to_le_bytes());
    pts.extend_from_slice(&2u32.to_le_bytes());
    for (x, y) in [(1.0f64, 2.0f64), (f64::NAN, f64::NAN)] {
        pts.push(1);
        pts.extend_from_slice(&1u32.to_le_bytes());
        pts.extend_from_slice(&x.to_le_bytes());
        pts.extend_from_slice(&y.to_le_bytes());
    }
    assert_eq!(
        decode_wkb(&pts),
        Ok(Geometry::MultiPoint(MultiPoint(vec![Point::new(1.0, 2.0)])))
    );
    // A count larger than the bytes left is an error for every kind of list.
    for code in [2u32, 3, 4, 5, 6, 7] {
        let mut b = vec![1u8];
        b.extend_from_slice(&code.to_le_bytes());
        b.extend_from_slice(&u32::MAX.to_le_bytes());
        b.extend_from_slice(&[0u8; 64]);
        let e = decode_wkb(&b).unwrap_err();
        assert!(e.contains("announces 4294967295 items"), "{code}: {e}");
    }
    // Nested parts read back as written.
    let gc = Geometry::GeometryCollection(GeometryCollection(vec![
        Geometry::Point(Point::new(3.0, 4.0)),
        Geometry::MultiLineString(MultiLineString(vec![line.clone(), line])),
        Geometry::MultiPolygon(MultiPolygon(vec![Polygon::new(
            LineString::from(vec![(0.0, 0.0), (1.0, 0.0), (1.0, 1.0), (0.0, 0.0)]),
            vec![],
        )])),
    ]));
    let mut out = Vec::new();
    encode_wkb(&gc, &mut out);
    assert_eq!(decode_wkb(&out), Ok(gc));
}

#[test]
fn bad_blob_row_is_skipped_and_z_geometry_reads() {
    let dir = tempfile::tempdir().expect("tmp");
    let path = dir.path().join("t.gpkg");
    let (pois, _) = sample_layers();
    write(&path, &[&pois]).expect("write");
    let conn = Connection::open(&path).expect("open");
    conn.execute(
        "UPDATE \"设施_POI\" SET geom = ?1 WHERE fid = 1",
        [b"GP\0\x01garbage!".to_vec()],
    )
    .expect("corrupt");
    // A third feature with an ISO PointZ, big-endian.
    let mut blob = b"GP\0\x00".to_vec();
    blob.extend_from_slice(&990_001i32.to_be_bytes());
    blob.push(0);
    blob.extend_from_slice(&1001u32.to_be_bytes());
    for v in [121.0f64, 31.0, 5.0] {
        blob.extend_from_slice(&v.to_be_bytes());
    }
    conn.execute(
        "INSERT INTO \"设施_POI\" (geom, \"名称\") VALUES (?1, 'Z')",
        [blob],
    )
    .expect("z");
    conn.execute(
        "INSERT INTO \"设施_POI\" (geom, \"名称\") VALUES (NULL, 'none')",
        [],
    )
    .expect("null");
    drop(conn);
    let layers = read(&path, &ReadOptions::default()).expect("read");
    let l = &layers[0];
    assert_eq!(l.features.len(), 2);
    assert_eq!(l.features[0].source_id, SourceId::Feature(2));
    assert_eq!(
        l.features[1].geometry,
        Geometry::Point(Point::new(121.0, 31.0))
    );
    let skipped: Vec<&Issue> = l
        .issues
        .iter()
        .filter(|i| i.severity == Severity::Skipped)
        .collect();
    assert_eq!(skipped.len(), 2);
    assert_eq!(skipped[0].feature, Some(SourceId::Feature(1)));
    assert!(
        skipped[0].message.contains("bad geometry"),
        "{}",
        skipped[0].message
    );
    assert_eq!(skipped[1].feature, Some(SourceId::Feature(4)));
}

#[test]
fn corrupt_truncated_and_plain_sqlite_files_are_errors() {
    let dir = tempfile::tempdir().expect("tmp");
    let random = dir.path().join("random.gpkg");
    let bytes: Vec<u8> = (0..4096u32)
        .map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8)
        .collect();
    std::fs::write(&random, &bytes).expect("w");
    let err = read(&random, &ReadOptions::default()).expect_err("random");
    assert!(err.to_string().contains("random.gpkg"), "{err}");
    assert!(err.to_string().contains("SQLite"), "{err}");

    let good = dir.path().join("good.gpkg");
    let (pois, areas) = sample_layers();
    write(&good, &[&pois, &areas]).expect("write");
    let full = std::fs::read(&good).expect("read");
    for cut in [10, 100, 1024, full.len() / 2, full.len() - 1024] {
        let p = dir.path().join("cut.gpkg");
        std::fs::write(&p, &full[..cut]).expect("w");
        match read(&p, &ReadOptions::default()) {
            Err(e) => assert!(e.to_string().contains("cut.gpkg"), "{e}"),
            // SQLite may still read the pages that are left; then nothing may be invented.
            Ok(layers) => assert!(layers.iter().all(|l| l.features.len() <= 3)),
        }
    }

    let plain = dir.path().join("plain.gpkg");
    let conn = Connection::open(&plain).expect("open");
    conn.execute_batch("CREATE TABLE t (a INTEGER)").expect("t");
    drop(conn);
    let err = read(&plain, &ReadOptions::default()).expect_err("plain");
    assert!(err.to_string().contains("gpkg_contents"), "{err}");
    assert!(err.to_string().contains("plain.gpkg"), "{err}");
}

#[test]
fn crs_from_wkt_and_undefined() {
    let dir = tempfile::tempdir().expect("tmp");
    let path = dir.path().join("w.gpkg");
    let (pois, _) = sample_layers();
    let mut undefined = pois.clone();
    undefined.name = "u".into();
    undefined.crs = CrsInfo::unknown();
    write(&path, &[&pois, &undefined]).expect("write");
    let conn = Connection::open(&path).expect("open");
    conn.execute_batch(
        "INSERT INTO gpkg_spatial_ref_sys VALUES ('my gk', 777, 'NONE', 777, \
         'PROJCS[\"CGCS2000 / 3-degree Gauss-Kruger CM 120E\",GEOGCS[\"China Geodetic Coordinate System 2000\",DATUM[\"China_2000\",SPHEROID[\"CGCS2000\",6378137,298.257222101]],PRIMEM[\"Greenwich\",0],UNIT[\"degree\",0.0174532925199433]],PROJECTION[\"Transverse_Mercator\"],PARAMETER[\"latitude_of_origin\",0],PARAMETER[\"central_meridian\",120],PARAMETER[\"scale_factor\",1],PARAMETER[\"false_easting\",500000],PARAMETER[\"false_northing\",0],UNIT[\"metre\",1]]', NULL);
         UPDATE gpkg_geometry_columns SET srs_id = 777 WHERE table_name = '设施_POI';",
    )
    .expect("srs");
    drop(conn);
    let layers = read(&path, &ReadOptions::default()).expect("read");
    let gk = layers.iter().find(|l| l.name == "设施_POI").expect("gk");
    assert_eq!(gk.crs.crs, Some(Crs::Epsg(4549)), "{:?}", gk.crs);
    let u = layers.iter().find(|l| l.name == "u").expect("u");
    assert_eq!(u.crs, CrsInfo::unknown());
    let user = read(
        &path,
        &ReadOptions {
            crs: Some(Crs::Bd09),
            ..Default::default()
        },
    )
    .expect("read");
    assert!(user.iter().all(|l| l.crs == CrsInfo::user(Crs::Bd09)));
}
