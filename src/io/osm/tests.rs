use super::*;
use super::{clip::*, pbf::*, rings::*};
use crate::model::Severity;
use geo::{Contains, Distance};
use geo_types::{coord, polygon};

fn sample() -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("sample-maps/helsinki-centre/helsinki-centre.osm.pbf")
}

fn read_sample(clip: Option<Clip>) -> Vec<Layer> {
    read(
        &sample(),
        &ReadOptions {
            clip,
            ..Default::default()
        },
    )
    .unwrap()
}

fn find(layer: &Layer, id: SourceId) -> &Feature {
    layer
        .features
        .iter()
        .find(|f| f.source_id == id)
        .unwrap_or_else(|| panic!("{id} not in {}", layer.name))
}

fn attr<'a>(layer: &Layer, f: &'a Feature, name: &str) -> &'a AttrValue {
    &f.attrs[layer.field_index(name).unwrap()]
}

fn skipped(layer: &Layer) -> usize {
    layer
        .issues
        .iter()
        .filter(|i| i.severity == Severity::Skipped && i.feature.is_some())
        .count()
}

#[test]
fn helsinki_counts_match_libosmium() {
    let layers = read_sample(None);
    let counts: Vec<usize> = layers.iter().map(|l| l.features.len()).collect();
    // Expected numbers from libosmium (pyosmium 4.3.2) applying the same rules:
    // `/work/venv/bin/python scripts/osm_expected_counts.py sample-maps/helsinki-centre/helsinki-centre.osm.pbf`
    // prints roads 2521 (71 with <2 nodes in the extract, 58 not roads), facilities 1368
    // (1265 nodes, 100 ways, 3 relations), buildings 446 (385 ways + 61 relations assembled
    // by libosmium, 48 ways skipped), admin_boundaries 0 (every one crosses the edge).
    assert_eq!(counts, vec![2521, 1368, 446, 0]);
    assert_eq!(skipped(&layers[0]), 71);
    let not_roads = layers[0]
        .issues
        .iter()
        .find(|i| i.feature.is_none() && i.severity == Severity::Skipped)
        .unwrap();
    assert!(not_roads.message.starts_with("58 ways"), "{not_roads}");
    let skipped_building_ways = layers[2]
        .issues
        .iter()
        .filter(|i| matches!(i.feature, Some(SourceId::OsmWay(_))))
        .count();
    assert_eq!(skipped_building_ways, 48);
    // The 14 administrative relations of the file all cross the extract's edge: one issue each.
    assert_eq!(skipped(&layers[3]), 14);
    assert!(layers[3].issues.iter().any(|i| {
        i.feature == Some(SourceId::OsmRelation(34914))
            && i.message.contains("\"Helsinki\"")
            && i.message.contains("not in the extract")
    }));
    let facility_kinds: Vec<usize> = ["node", "way", "relation"]
        .iter()
        .map(|k| {
            let col = layers[1].field_index("osm_type").unwrap();
            layers[1]
                .features
                .iter()
                .filter(|f| f.attrs[col] == AttrValue::Text(k.to_string()))
                .count()
        })
        .collect();
    assert_eq!(facility_kinds, vec![1265, 100, 3]);
}

#[test]
fn layers_are_named_typed_and_wgs84() {
    let layers = read_sample(None);
    let expected = [
        ("roads", Role::Roads),
        ("facilities", Role::Facilities),
        ("buildings", Role::Buildings),
        ("admin_boundaries", Role::AdminBoundaries),
    ];
    for (layer, (table, role)) in layers.iter().zip(expected) {
        assert_eq!(layer.name, format!("helsinki-centre: {table}"));
        assert_eq!(layer.source.table.as_deref(), Some(table));
        assert_eq!(layer.source.format, Format::OsmPbf);
        assert_eq!(layer.source.encoding.as_deref(), Some("UTF-8"));
        assert_eq!(layer.role_hint, Some(role));
        assert_eq!(layer.crs.crs, Some(Crs::Epsg(4326)));
        for f in &layer.features {
            assert_eq!(f.attrs.len(), layer.fields.len());
        }
    }
    // Every key of a taxonomy rule is a facility column.
    for key in [
        "amenity",
        "isced:level",
        "school",
        "social_facility:for",
        "access",
        "bus",
    ] {
        assert!(layers[1].field_index(key).is_some(), "{key}");
    }
    // All geometry lies around central Helsinki.
    let area = Rect::new(coord! {x: 24.90, y: 60.15}, coord! {x: 24.99, y: 60.20});
    for layer in &layers {
        for f in &layer.features {
            let b = f.geometry.bounding_rect().unwrap();
            assert!(area.contains(&b), "{} {}", layer.name, f.source_id);
        }
    }
}

#[test]
fn known_features() {
    let layers = read_sample(None);
    let (roads, facilities, buildings) = (&layers[0], &layers[1], &layers[2]);

    // Kaisaniemen ala-aste, a primary school mapped as a way: a point inside its grounds.
    let school = find(facilities, SourceId::OsmWay(596507272));
    assert_eq!(
        attr(facilities, school, "amenity"),
        &AttrValue::Text("school".into())
    );
    assert_eq!(
        attr(facilities, school, "name"),
        &AttrValue::Text("Kaisaniemen ala-aste".into())
    );
    assert_eq!(
        attr(facilities, school, "osm_type"),
        &AttrValue::Text("way".into())
    );
    assert!(matches!(school.geometry, Geometry::Point(_)));

    // Ateneuminkuja, a footway of 9 nodes.
    let footway = find(roads, SourceId::OsmWay(8035183));
    assert_eq!(
        attr(roads, footway, "highway"),
        &AttrValue::Text("footway".into())
    );
    assert_eq!(
        attr(roads, footway, "name"),
        &AttrValue::Text("Ateneuminkuja".into())
    );
    assert_eq!(attr(roads, footway, "osm_id"), &AttrValue::Int(8035183));
    match &footway.geometry {
        Geometry::LineString(l) => assert_eq!(l.0.len(), 9),
        other => panic!("{other:?}"),
    }

    // Kiasma has 4 levels; Hotelli Torni 13; Ateneum's "3.5" is not a whole number.
    let kiasma = find(buildings, SourceId::OsmWay(8042215));
    assert_eq!(
        attr(buildings, kiasma, "building:levels"),
        &AttrValue::Int(4)
    );
    assert_eq!(
        attr(buildings, kiasma, "name"),
        &AttrValue::Text("Kiasma".into())
    );
    assert!(matches!(kiasma.geometry, Geometry::Polygon(_)));
    let torni = find(buildings, SourceId::OsmWay(123525580));
    assert_eq!(
        attr(buildings, torni, "building:levels"),
        &AttrValue::Int(13)
    );
    let ateneum = find(buildings, SourceId::OsmWay(8033120));
    assert_eq!(
        attr(buildings, ateneum, "building:levels"),
        &AttrValue::Null
    );
    assert!(
        buildings
            .issues
            .iter()
            .any(|i| i.message.contains("way 8033120: \"3.5\""))
    );

    // The school way is also a facility point inside the school's polygon.
    let school_way = raw_way_polygon(596507272);
    assert!(school_way.contains(&school.geometry));
}

/// The polygon of a closed way of the sample, read independently of the layers.
fn raw_way_polygon(way: i64) -> Polygon<f64> {
    let mut refs = Vec::new();
    osmpbf::ElementReader::from_path(sample())
        .unwrap()
        .for_each(|e| {
            if let osmpbf::Element::Way(w) = e
                && w.id() == way
            {
                refs = w.refs().collect();
            }
        })
        .unwrap();
    let mut coords: HashMap<i64, Coord<f64>> = HashMap::new();
    osmpbf::ElementReader::from_path(sample())
        .unwrap()
        .for_each(|e| {
            if let osmpbf::Element::DenseNode(n) = e
                && refs.contains(&n.id())
            {
                coords.insert(n.id(), coord! {x: n.lon(), y: n.lat()});
            }
        })
        .unwrap();
    Polygon::new(refs.iter().map(|r| coords[r]).collect(), vec![])
}

#[test]
fn bbox_clip_keeps_what_is_inside() {
    let all = read_sample(None);
    let rect = Rect::new(coord! {x: 24.940, y: 60.166}, coord! {x: 24.948, y: 60.172});
    let clipped = read_sample(Some(Clip::BBox(rect)));
    for (a, c) in all.iter().zip(&clipped) {
        assert!(c.features.len() <= a.features.len());
        assert!(
            c.issues
                .iter()
                .any(|i| i.message.starts_with("the clip region removed")),
            "{}",
            c.name
        );
    }
    for i in 0..3 {
        assert!(clipped[i].features.len() < all[i].features.len());
        assert!(!clipped[i].features.is_empty());
    }
    let eps = 1e-12;
    let grown = Rect::new(
        coord! {x: rect.min().x - eps, y: rect.min().y - eps},
        coord! {x: rect.max().x + eps, y: rect.max().y + eps},
    );
    // Points and lines inside; buildings touch the box.
    for f in clipped[1].features.iter().chain(&clipped[0].features) {
        assert!(grown.contains(&f.geometry.bounding_rect().unwrap()));
    }
    for f in &clipped[2].features {
        assert!(rect.intersects(&f.geometry));
    }
    // Every facility inside the box is kept.
    let inside = all[1]
        .features
        .iter()
        .filter(|f| rect.intersects(&f.geometry))
        .count();
    assert_eq!(clipped[1].features.len(), inside);
    // A road crossing the edge is cut, not dropped.
    assert!(clipped[0].issues.iter().any(|i| i.message.contains("cut")));
}

#[test]
fn polygon_clip() {
    let all = read_sample(None);
    let tri: Polygon<f64> = polygon![
        (x: 24.938, y: 60.165),
        (x: 24.952, y: 60.165),
        (x: 24.945, y: 60.176),
        (x: 24.938, y: 60.165),
    ];
    let region = MultiPolygon::new(vec![tri.clone()]);
    let clipped = read_sample(Some(Clip::Polygon(region.clone())));
    for i in 0..3 {
        assert!(clipped[i].features.len() < all[i].features.len());
        assert!(!clipped[i].features.is_empty());
    }
    for f in &clipped[1].features {
        assert!(region.intersects(&f.geometry));
    }
    let expected = all[1]
        .features
        .iter()
        .filter(|f| region.intersects(&f.geometry))
        .count();
    assert_eq!(clipped[1].features.len(), expected);
    // Clipped roads stay inside the triangle (up to rounding at its edge).
    let grown = tri.bounding_rect().unwrap();
    for f in &clipped[0].features {
        let b = f.geometry.bounding_rect().unwrap();
        assert!(b.min().x >= grown.min().x - 1e-9 && b.max().y <= grown.max().y + 1e-9);
        let centre = f.geometry.interior_point().unwrap();
        assert!(
            geo::Euclidean.distance(&tri, &centre) < 1e-9,
            "{}",
            f.source_id
        );
    }
    for f in &clipped[2].features {
        assert!(region.intersects(&f.geometry));
    }
}

fn assert_not_pbf(path: &Path) {
    let err = read(path, &ReadOptions::default()).unwrap_err().to_string();
    assert!(err.contains("not a valid OSM PBF file"), "{err}");
    assert!(err.contains("re-export it"), "{err}");
    assert!(err.contains(&path.display().to_string()), "{err}");
}

#[test]
fn truncated_empty_and_random_files_are_errors() {
    let dir = tempfile::tempdir().unwrap();
    let bytes = std::fs::read(sample()).unwrap();
    for n in [bytes.len() / 2, bytes.len() - 10, 40, 3] {
        let path = dir.path().join(format!("cut-{n}.osm.pbf"));
        std::fs::write(&path, &bytes[..n]).unwrap();
        assert_not_pbf(&path);
    }
    let empty = dir.path().join("empty.osm.pbf");
    std::fs::write(&empty, b"").unwrap();
    assert_not_pbf(&empty);
    let err = read(&empty, &ReadOptions::default())
        .unwrap_err()
        .to_string();
    assert!(err.contains("empty"), "{err}");
    let half = dir.path().join(format!("cut-{}.osm.pbf", bytes.len() / 2));
    let err = read(&half, &ReadOptions::default())
        .unwrap_err()
        .to_string();
    assert!(err.contains("truncated"), "{err}");
    // Random bytes from a fixed-seed generator (xorshift).
    let mut x = 0x9E37_79B9_7F4A_7C15u64;
    let noise: Vec<u8> = (0..5000)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            x as u8
        })
        .collect();
    let random = dir.path().join("random.pbf");
    std::fs::write(&random, &noise).unwrap();
    assert_not_pbf(&random);
    // A plausible header length followed by garbage.
    let mut fake = vec![0, 0, 0, 13];
    fake.extend_from_slice(&noise[..200]);
    let fake_path = dir.path().join("fake.osm.pbf");
    std::fs::write(&fake_path, &fake).unwrap();
    assert_not_pbf(&fake_path);
}

// ----- A minimal PBF writer, to test what the sample does not have. -----

fn varint(out: &mut Vec<u8>, mut v: u64) {
    while v >= 0x80 {
        out.push((v as u8) | 0x80);
        v >>= 7;
    }
    out.push(v as u8);
}
fn zigzag(v: i64) -> u64 {
    ((v << 1) ^ (v >> 63)) as u64
}
fn field_varint(out: &mut Vec<u8>, field: u32, v: u64) {
    varint(out, u64::from(field) << 3);
    varint(out, v);
}
fn field_bytes(out: &mut Vec<u8>, field: u32, bytes: &[u8]) {
    varint(out, (u64::from(field) << 3) | 2);
    varint(out, bytes.len() as u64);
    out.extend_from_slice(bytes);
}
fn packed(values: impl IntoIterator<Item = u64>) -> Vec<u8> {
    let mut out = Vec::new();
    for v in values {
        varint(&mut out, v);
    }
    out
}

#[derive(Default)]
struct Pbf {
    strings: Vec<String>,
    nodes: Vec<u8>,
    ways: Vec<u8>,
    relations: Vec<u8>,
}

impl Pbf {
    fn s(&mut self, text: &str) -> u64 {
        if self.strings.is_empty() {
            self.strings.push(String::new());
        }
        match self.strings.iter().position(|s| s == text) {
            Some(i) => i as u64,
            None => {
                self.strings.push(text.into());
                (self.strings.len() - 1) as u64
            }
        }
    }
    fn tags(&mut self, out: &mut Vec<u8>, tags: &[(&str, &str)]) {
        let keys: Vec<u64> = tags.iter().map(|(k, _)| self.s(k)).collect();
        let vals: Vec<u64> = tags.iter().map(|(_, v)| self.s(v)).collect();
        field_bytes(out, 2, &packed(keys));
        field_bytes(out, 3, &packed(vals));
    }
    fn node(&mut self, id: i64, lon: f64, lat: f64, tags: &[(&str, &str)]) {
        let mut n = Vec::new();
        field_varint(&mut n, 1, zigzag(id));
        self.tags(&mut n, tags);
        field_varint(&mut n, 8, zigzag((lat * 1e7).round() as i64));
        field_varint(&mut n, 9, zigzag((lon * 1e7).round() as i64));
        field_bytes(&mut self.nodes, 1, &n);
    }
    fn way(&mut self, id: i64, refs: &[i64], tags: &[(&str, &str)]) {
        let mut w = Vec::new();
        field_varint(&mut w, 1, id as u64);
        self.tags(&mut w, tags);
        let mut last = 0;
        let deltas = refs.iter().map(|r| {
            let d = zigzag(r - last);
            last = *r;
            d
        });
        field_bytes(&mut w, 8, &packed(deltas.collect::<Vec<_>>()));
        field_bytes(&mut self.ways, 3, &w);
    }
    /// Members: (type 0 node / 1 way / 2 relation, anything else is invalid; id; role).
    fn relation(&mut self, id: i64, tags: &[(&str, &str)], members: &[(u64, i64, &str)]) {
        let mut r = Vec::new();
        field_varint(&mut r, 1, id as u64);
        self.tags(&mut r, tags);
        let roles: Vec<u64> = members.iter().map(|m| self.s(m.2)).collect();
        field_bytes(&mut r, 8, &packed(roles));
        let mut last = 0;
        let ids: Vec<u64> = members
            .iter()
            .map(|m| {
                let d = zigzag(m.1 - last);
                last = m.1;
                d
            })
            .collect();
        field_bytes(&mut r, 9, &packed(ids));
        field_bytes(&mut r, 10, &packed(members.iter().map(|m| m.0)));
        field_bytes(&mut self.relations, 4, &r);
    }
    fn blob(out: &mut Vec<u8>, kind: &str, data: &[u8]) {
        let mut blob = Vec::new();
        field_bytes(&mut blob, 1, data);
        field_varint(&mut blob, 2, data.len() as u64);
        let mut header = Vec::new();
        field_bytes(&mut header, 1, kind.as_bytes());
        field_varint(&mut header, 3, blob.len() as u64);
        out.extend_from_slice(&(header.len() as u32).to_be_bytes());
        out.extend_from_slice(&header);
        out.extend_from_slice(&blob);
    }
    fn write(mut self, path: &Path) {
        self.s("");
        let mut header = Vec::new();
        field_bytes(&mut header, 4, b"OsmSchema-V0.6");
        let mut table = Vec::new();
        for s in &self.strings {
            field_bytes(&mut table, 1, s.as_bytes());
        }
        let mut out = Vec::new();
        Pbf::blob(&mut out, "OSMHeader", &header);
        // One block per element type, as real files have.
        for group in [&self.nodes, &self.ways, &self.relations] {
            let mut block = Vec::new();
            field_bytes(&mut block, 1, &table);
            field_bytes(&mut block, 2, group);
            Pbf::blob(&mut out, "OSMData", &block);
        }
        std::fs::write(path, out).unwrap();
    }
}

/// A town of 10x10 "degrees/1000" with a hole, a district crossing the edge, a facility
/// with bad coordinates, an unclosed building and a road under construction.
fn synthetic(path: &Path) {
    let mut p = Pbf::default();
    let corners = [
        (1, 0.0, 0.0),
        (2, 0.01, 0.0),
        (3, 0.01, 0.01),
        (4, 0.0, 0.01),
    ];
    for (id, x, y) in corners {
        p.node(id, 120.0 + x, 30.0 + y, &[]);
    }
    for (id, x, y) in [(5, 0.004, 0.004), (6, 0.006, 0.004), (7, 0.005, 0.006)] {
        p.node(id, 120.0 + x, 30.0 + y, &[]);
    }
    p.node(8, 120.02, 30.02, &[]);
    p.node(20, 120.005, 95.0, &[("amenity", "school"), ("name", "Bad")]);
    p.node(
        21,
        120.002,
        30.002,
        &[("amenity", "pharmacy"), ("name", "药店")],
    );
    p.node(22, 120.003, 30.003, &[("amenity", "bench")]);
    // Outer ring in two halves, the second drawn the other way round; a closed inner ring.
    p.way(10, &[1, 2, 3], &[]);
    p.way(11, &[1, 4, 3], &[]);
    p.way(12, &[5, 6, 7, 5], &[]);
    p.way(
        13,
        &[3, 8],
        &[("highway", "residential"), ("name", "中山路")],
    );
    p.way(14, &[1, 8], &[("highway", "construction")]);
    p.way(15, &[5, 6, 7], &[("building", "yes")]);
    p.way(
        16,
        &[5, 6, 7, 5],
        &[("building", "house"), ("building:levels", "2")],
    );
    let town = [("type", "boundary"), ("boundary", "administrative")];
    p.relation(
        100,
        &[town[0], town[1], ("name", "某镇"), ("admin_level", "8")],
        &[
            (1, 10, "outer"),
            (1, 11, "outer"),
            (1, 12, "inner"),
            (0, 21, "label"),
        ],
    );
    p.relation(
        101,
        &[town[0], town[1], ("name", "Edge"), ("admin_level", "9")],
        &[(1, 10, "outer"), (1, 99, "outer")],
    );
    p.write(path);
}

#[test]
fn synthetic_admin_boundary_with_hole_and_edge_cases() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("town.osm.pbf");
    synthetic(&path);
    let layers = read(&path, &ReadOptions::default()).unwrap();
    let [roads, facilities, buildings, admin] = &layers[..] else {
        panic!()
    };
    assert_eq!(admin.name, "town: admin_boundaries");
    assert_eq!(admin.features.len(), 1);
    let town = &admin.features[0];
    assert_eq!(attr(admin, town, "name"), &AttrValue::Text("某镇".into()));
    assert_eq!(attr(admin, town, "admin_level"), &AttrValue::Int(8));
    let Geometry::MultiPolygon(mp) = &town.geometry else {
        panic!("{:?}", town.geometry)
    };
    assert_eq!(mp.0.len(), 1);
    assert_eq!(mp.0[0].exterior().0.len(), 5);
    assert_eq!(mp.0[0].interiors().len(), 1);
    let area = mp.unsigned_area();
    let hole = 0.002 * 0.002 / 2.0;
    assert!((area - (1e-4 - hole)).abs() < 1e-10, "{area}");
    // The district whose way 99 is missing: one issue naming it.
    let edge: Vec<&Issue> = admin.issues.iter().collect();
    assert_eq!(edge.len(), 1);
    assert_eq!(edge[0].feature, Some(SourceId::OsmRelation(101)));
    assert!(edge[0].message.contains("\"Edge\""), "{}", edge[0]);
    assert!(edge[0].message.contains("1 of its 2 member ways"));

    // Facilities: the pharmacy; the bad-coordinates school skipped; the bench is not one.
    assert_eq!(facilities.features.len(), 1);
    assert_eq!(facilities.features[0].source_id, SourceId::OsmNode(21));
    assert_eq!(
        facilities.features[0].geometry,
        Geometry::Point(Point::new(120.002, 30.002))
    );
    assert!(
        facilities.issues.iter().any(|i| {
            i.feature == Some(SourceId::OsmNode(20)) && i.severity == Severity::Skipped
        })
    );

    // Roads: the residential road; the construction site counted in one issue.
    assert_eq!(roads.features.len(), 1);
    assert_eq!(
        attr(roads, &roads.features[0], "name"),
        &AttrValue::Text("中山路".into())
    );
    assert!(
        roads
            .issues
            .iter()
            .any(|i| i.message.contains("highway=construction: 1"))
    );

    // Buildings: the unclosed one skipped with a reason; the house kept.
    assert_eq!(buildings.features.len(), 1);
    assert_eq!(
        attr(buildings, &buildings.features[0], "building:levels"),
        &AttrValue::Int(2)
    );
    assert!(
        buildings.issues.iter().any(|i| {
            i.feature == Some(SourceId::OsmWay(15)) && i.message.contains("not closed")
        })
    );
}

#[test]
fn a_panicking_decoder_becomes_an_error() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("bad-member.osm.pbf");
    let mut p = Pbf::default();
    p.node(1, 120.0, 30.0, &[]);
    // Member type 7 does not exist: osmpbf panics decoding it.
    p.relation(
        1,
        &[("type", "multipolygon"), ("building", "yes")],
        &[(7, 1, "outer")],
    );
    p.write(&path);
    assert_not_pbf(&path);
}

#[test]
fn rings_join_reversed_ways_and_report_open_ones() {
    let rings = join_rings(vec![vec![1, 2, 3], vec![5, 4, 3], vec![1, 5]]).unwrap();
    assert_eq!(rings.len(), 1);
    assert_eq!(rings[0].len(), 6);
    assert_eq!(rings[0].first(), rings[0].last());
    let err = join_rings(vec![vec![1, 2, 3], vec![3, 4]]).unwrap_err();
    assert!(err.contains("not closed"), "{err}");
}

#[test]
fn segment_clipping_to_a_rect() {
    let r = Rect::new(coord! {x: 0.0, y: 0.0}, coord! {x: 10.0, y: 10.0});
    // In, out, back in: two pieces.
    let l = LineString::from(vec![(5.0, 5.0), (15.0, 5.0), (15.0, 8.0), (5.0, 8.0)]);
    let pieces = clip_line_to_rect(&l, &r);
    assert_eq!(pieces.len(), 2);
    assert_eq!(pieces[0], LineString::from(vec![(5.0, 5.0), (10.0, 5.0)]));
    assert_eq!(pieces[1], LineString::from(vec![(10.0, 8.0), (5.0, 8.0)]));
    // Touching a corner only is nothing.
    let touch = LineString::from(vec![(10.0, 12.0), (12.0, 10.0), (11.0, 11.0)]);
    assert!(clip_line_to_rect(&touch, &r).is_empty());
    assert_eq!(decimicro(0, 91_000_000_000), None);
    assert_eq!(decimicro(-181_000_000_000, 0), None);
    assert_eq!(decimicro(120_123_456_789, 305), Some([1_201_234_567, 3]));
}
