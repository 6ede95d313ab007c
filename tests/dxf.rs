//! The DXF reader on drawings written by ezdxf (tests/fixtures/dxf/make_fixtures.py): an R2018
//! town block in CGCS2000 Gauss-Kruger zone 40, the same as binary DXF, as R12 with GBK texts,
//! and a cut and a foreign file.

use std::path::{Path, PathBuf};

use geo::{Area, BoundingRect, CoordsIter};
use geo_types::{Coord, Geometry};
use towncircle::crs::{Crs, CrsOrigin};
use towncircle::io::dxf::read_dxf;
use towncircle::io::{LoadOptions, ReadOptions, format_of, load, read};
use towncircle::model::landuse::{LandUseClass, ParcelCode, ParcelSummary, parcel_code};
use towncircle::model::{AttrValue, Format, Layer, Role, Severity};

const X0: f64 = 40_500_000.0;
const Y0: f64 = 3_300_000.0;

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/dxf")
        .join(name)
}

fn read_fixture(name: &str) -> Vec<Layer> {
    read_dxf(&fixture(name), &ReadOptions::default()).expect("read")
}

fn layer<'a>(layers: &'a [Layer], name: &str) -> &'a Layer {
    layers.iter().find(|l| l.name == name).unwrap_or_else(|| {
        panic!(
            "no layer {name}; layers: {:?}",
            layers.iter().map(|l| &l.name).collect::<Vec<_>>()
        )
    })
}

fn texts(l: &Layer, field: &str) -> Vec<String> {
    l.features
        .iter()
        .filter_map(|f| l.attr(f, field).and_then(AttrValue::as_text))
        .map(|t| t.into_owned())
        .collect()
}

fn of_entity<'a>(l: &'a Layer, entity: &str) -> Vec<&'a Geometry<f64>> {
    l.features
        .iter()
        .filter(|f| l.attr(f, "entity") == Some(&AttrValue::Text(entity.into())))
        .map(|f| &f.geometry)
        .collect()
}

fn dist(a: Coord<f64>, x: f64, y: f64) -> f64 {
    (a.x - x).hypot(a.y - y)
}

/// What the R2018 drawing and its R12 twin share.
fn check_town(layers: &[Layer], r12: bool) {
    let names: Vec<&str> = layers.iter().map(|l| l.name.as_str()).collect();
    assert_eq!(
        names,
        [
            "道路中心线",
            "用地红线",
            "地块编号",
            "道路名称",
            "建筑",
            "公共服务设施-幼儿园",
            "公共服务设施",
            "水系"
        ]
    );
    for l in layers {
        assert_eq!(l.source.format, Format::Dxf);
        assert_eq!(l.source.table.as_deref(), Some(l.name.as_str()));
        assert!(l.crs.crs.is_none(), "a DXF declares no CRS");
    }

    // Roads: 3 LINEs and 3 polylines of the grid, the bulged half circle, the ARC, one more LINE.
    let roads = layer(layers, "道路中心线");
    assert_eq!(roads.role, Some(Role::Roads));
    assert_eq!(roads.features.len(), 9);
    assert!(
        roads
            .features
            .iter()
            .all(|f| matches!(f.geometry, Geometry::LineString(_)))
    );
    assert_eq!(of_entity(roads, "LINE").len(), 4);
    let polyline = if r12 { "POLYLINE" } else { "LWPOLYLINE" };
    assert_eq!(of_entity(roads, polyline).len(), 4);
    // The ARC: every vertex 150 m from its centre, from (600, −150) to (750, 0).
    let arc = of_entity(roads, "ARC");
    assert_eq!(arc.len(), 1);
    let pts: Vec<Coord<f64>> = arc[0].coords_iter().collect();
    assert!(pts.len() >= 10, "{} vertices", pts.len());
    for p in &pts {
        assert!((dist(*p, X0 + 600.0, Y0) - 150.0).abs() < 1e-6, "{p:?}");
    }
    assert!(dist(pts[0], X0 + 600.0, Y0 - 150.0) < 1e-6);
    assert!(dist(*pts.last().unwrap(), X0 + 750.0, Y0) < 1e-6);
    // The bulge (1: a half circle, counter-clockwise) from (600, 400) to (800, 400): 100 m from
    // (700, 400), dipping to y = 300.
    let bulged = of_entity(roads, polyline)
        .into_iter()
        .find(|g| g.coords_iter().count() > 3)
        .expect("the bulged polyline is segmented");
    for p in bulged.coords_iter() {
        assert!(
            (dist(p, X0 + 700.0, Y0 + 400.0) - 100.0).abs() < 1e-6,
            "{p:?}"
        );
    }
    let lowest = bulged.bounding_rect().unwrap().min().y;
    assert!((lowest - (Y0 + 300.0)).abs() < 0.2, "{lowest}");
    // The grid is connected: the vertical streets pass through the crossings at y = 200.
    let mid_crossing = Coord {
        x: X0 + 300.0,
        y: Y0 + 200.0,
    };
    assert!(
        roads
            .features
            .iter()
            .any(|f| f.geometry.coords_iter().any(|c| c == mid_crossing))
    );

    // Parcels: closed polylines (and one that only ends where it starts) are polygons, named
    // by the labels on 地块编号; the mapping makes them parcels (用地地块).
    let parcels = layer(layers, "用地红线");
    assert_eq!(parcels.role, Some(Role::Parcels));
    assert_eq!(parcels.features.len(), 5);
    assert!(
        parcels
            .features
            .iter()
            .all(|f| matches!(f.geometry, Geometry::Polygon(_)))
    );
    let area: f64 = parcels
        .features
        .iter()
        .map(|f| f.geometry.unsigned_area())
        .sum();
    assert!(
        (area - (4.0 * 270.0 * 170.0 + 170.0 * 170.0)).abs() < 1e-3,
        "{area}"
    );
    // (R2018 labels C-01 with an MTEXT of two formatted lines, R12 with a TEXT.)
    assert_eq!(
        texts(parcels, "name"),
        [
            "A-01 0701 居住用地",
            "A-02 0701",
            "B-01 080404 幼儿园用地",
            "B-02 1401",
            "C-01 0901 商业"
        ]
    );
    // Their land-use codes come from those labels (用地用海分类: two dwellings, a kindergarten
    // site, a park, a shop).
    let codes: Vec<(String, LandUseClass, bool)> = parcels
        .features
        .iter()
        .map(|f| match parcel_code(parcels, f) {
            ParcelCode::Known(u) => (u.code, u.class, u.housing),
            other => panic!("{other:?}"),
        })
        .collect();
    assert_eq!(
        codes,
        [
            ("0701".into(), LandUseClass::Residential, true),
            ("0701".into(), LandUseClass::Residential, true),
            ("080404".into(), LandUseClass::PublicService, false),
            ("1401".into(), LandUseClass::Green, false),
            ("0901".into(), LandUseClass::Commercial, false),
        ]
    );
    let summary = ParcelSummary::of_layer(parcels);
    assert_eq!(
        (
            summary.parcels,
            summary.with_code,
            summary.unknown,
            summary.missing
        ),
        (5, 5, 0, 0)
    );
    let labels = layer(layers, "地块编号");
    assert_eq!(labels.role, None, "texts are annotation, not facilities");
    assert_eq!(labels.features.len(), 5);
    let label_entities = texts(labels, "entity");
    assert_eq!(
        label_entities.iter().filter(|e| *e == "MTEXT").count(),
        usize::from(!r12)
    );
    // The TEXT's point is the middle of its text: the parcel's centre here.
    let a01 = &labels.features[0];
    assert!(matches!(a01.geometry, Geometry::Point(p) if dist(p.0, X0 + 150.0, Y0 + 100.0) < 1e-6));
    // A street name on a street names no parcel and is read as a text point.
    assert_eq!(texts(layer(layers, "道路名称"), "text"), ["清溪路"]);

    // Buildings: closed LWPOLYLINEs and a 2D POLYLINE, no label inside them.
    let buildings = layer(layers, "建筑");
    assert_eq!(buildings.role, Some(Role::Buildings));
    assert_eq!(buildings.features.len(), 6);
    assert_eq!(
        of_entity(buildings, "POLYLINE").len(),
        if r12 { 6 } else { 1 }
    );
    assert!(
        buildings
            .features
            .iter()
            .all(|f| matches!(f.geometry, Geometry::Polygon(_)))
    );
    assert!(texts(buildings, "name").is_empty());

    // Kindergartens: INSERTs as points with the block's name, the NAME attribute, the category.
    let kg = layer(layers, "公共服务设施-幼儿园");
    assert_eq!(kg.role, Some(Role::Facilities));
    assert_eq!(kg.role_hint, Some(Role::Facilities));
    assert_eq!(texts(kg, "block"), ["幼儿园", "幼儿园"]);
    assert_eq!(texts(kg, "NAME"), ["清溪镇中心幼儿园", "溪口幼儿园"]);
    assert_eq!(texts(kg, "category"), ["kindergarten", "kindergarten"]);
    let t = towncircle::model::Taxonomy::default();
    assert!(
        kg.features
            .iter()
            .all(|f| f.category == t.by_id("kindergarten"))
    );
    assert!(
        matches!(kg.features[0].geometry, Geometry::Point(p) if dist(p.0, X0 + 150.0, Y0 + 300.0) < 1e-9)
    );
    // The generic facility layer: an INSERT and a POINT, both points, no category yet.
    let fac = layer(layers, "公共服务设施");
    assert_eq!(fac.role, Some(Role::Facilities));
    assert_eq!(texts(fac, "entity"), ["INSERT", "POINT"]);
    assert_eq!(texts(fac, "block"), ["卫生院"]);
    assert!(fac.features.iter().all(|f| f.category.is_none()));

    // The pond: a CIRCLE is a polygon of radius 30.
    let water = layer(layers, "水系");
    assert_eq!(water.role, Some(Role::Water));
    let Geometry::Polygon(pond) = &water.features[0].geometry else {
        panic!("{:?}", water.features[0].geometry)
    };
    for c in pond.exterior().coords() {
        assert!((dist(*c, X0 + 530.0, Y0 + 260.0) - 30.0).abs() < 1e-6);
    }
    let a = pond.unsigned_area();
    assert!((a - std::f64::consts::PI * 900.0).abs() < 0.01 * a, "{a}");

    // What is not read is said once per kind, with its layer.
    let warnings: Vec<&str> = layers[0]
        .issues
        .iter()
        .filter(|i| i.severity == Severity::Warning)
        .map(|i| i.message.as_str())
        .collect();
    let (kind, n) = if r12 { ("SOLID", 2) } else { ("HATCH", 2) };
    assert!(
        warnings
            .iter()
            .any(|w| w.starts_with(&format!("skipped {n} {kind} (layer 填充)"))),
        "{warnings:?}"
    );
    if !r12 {
        assert!(warnings.iter().any(|w| w.starts_with("skipped 1 SPLINE")));
    }
    assert!(layers.iter().all(|l| l.skipped_count() == 0));
}

#[test]
fn r2018_town_reads_with_layers_roles_and_geometry() {
    let layers = read_fixture("town_r2018.dxf");
    check_town(&layers, false);
    assert_eq!(
        layers[0].source.encoding.as_deref(),
        Some("UTF-8 (DXF R2007+, AC1032)")
    );
}

#[test]
fn r12_gbk_names_and_texts_are_decoded() {
    let raw = std::fs::read(fixture("town_r12_gbk.dxf")).unwrap();
    // The fixture really is GBK: the layer name's GBK bytes are there, its UTF-8 bytes are not.
    let (gbk, _, _) = encoding_rs::GBK.encode("道路中心线");
    assert!(raw.windows(gbk.len()).any(|w| w == &*gbk));
    assert!(!raw.windows(15).any(|w| w == "道路中心线".as_bytes()));

    let layers = read_fixture("town_r12_gbk.dxf");
    check_town(&layers, true);
    let enc = layers[0].source.encoding.as_deref().unwrap();
    assert!(enc.contains("GBK") && enc.contains("ANSI_936"), "{enc}");

    // Forcing UTF-8 misreads it, and says so.
    let forced = read_dxf(
        &fixture("town_r12_gbk.dxf"),
        &ReadOptions {
            encoding: Some(encoding_rs::UTF_8),
            ..Default::default()
        },
    )
    .unwrap();
    assert!(forced.iter().all(|l| l.name != "道路中心线"));
    assert!(
        forced[0]
            .issues
            .iter()
            .any(|i| i.message.contains("not valid UTF-8")),
        "{:?}",
        forced[0].issues
    );
}

#[test]
fn binary_dxf_reads_as_the_ascii_one() {
    let raw = std::fs::read(fixture("town_r2018_bin.dxf")).unwrap();
    assert!(raw.starts_with(b"AutoCAD Binary DXF"));
    let bin = read_fixture("town_r2018_bin.dxf");
    let asc = read_fixture("town_r2018.dxf");
    assert_eq!(bin.len(), asc.len());
    for (b, a) in bin.iter().zip(&asc) {
        assert_eq!(b.name, a.name);
        assert_eq!(b.role, a.role);
        assert_eq!(b.fields, a.fields);
        assert_eq!(b.features, a.features, "layer {}", a.name);
        assert_eq!(b.issues, a.issues, "layer {}", a.name);
        assert_eq!(b.source.encoding, a.source.encoding);
    }
}

#[test]
fn cut_and_foreign_files_are_errors_naming_the_file() {
    let e = read_dxf(&fixture("town_truncated.dxf"), &ReadOptions::default())
        .unwrap_err()
        .to_string();
    assert!(
        e.contains("town_truncated.dxf") && e.contains("cut short"),
        "{e}"
    );
    assert!(e.contains("line "), "{e}");
    let e = read(&fixture("garbage.dxf"), &ReadOptions::default())
        .unwrap_err()
        .to_string();
    assert!(
        e.contains("garbage.dxf") && e.contains("not a DXF file"),
        "{e}"
    );
    // A file cut anywhere, binary or ASCII: an error naming it, never a panic (or, cut just
    // between two sections, read with a warning that its end is missing).
    let map = towncircle::io::dxf::CadLayerMap::default();
    for name in ["town_r2018_bin.dxf", "town_r12_gbk.dxf"] {
        let bytes = std::fs::read(fixture(name)).unwrap();
        for cut in (0..bytes.len()).step_by(89) {
            let r = towncircle::io::dxf::read_bytes(
                Path::new("cut.dxf"),
                &bytes[..cut],
                &ReadOptions::default(),
                &map,
            );
            match r {
                Err(e) => assert!(e.to_string().contains("cut.dxf"), "{e}"),
                Ok(layers) => assert!(
                    layers[0]
                        .issues
                        .iter()
                        .any(|i| i.message.contains("no 0/EOF")),
                    "{name} cut at {cut} read without a warning"
                ),
            }
        }
    }
}

#[test]
fn load_guesses_cgcs2000_gauss_kruger_and_classifies_facilities() {
    assert_eq!(format_of(Path::new("plan.DXF")), Some(Format::Dxf));
    let ds = load(&[fixture("town_r2018.dxf")], &LoadOptions::default());
    assert!(ds.failures.is_empty(), "{:?}", ds.failures);
    // Zone 40 with its prefix (EPSG:4528), worked in CM 120E without it (EPSG:4549).
    assert_eq!(ds.working_crs, Crs::Epsg(4549));
    let roads = ds.layers.iter().find(|l| l.name == "道路中心线").unwrap();
    assert_eq!(roads.role, Some(Role::Roads));
    assert_eq!(roads.source_crs.crs, Some(Crs::Epsg(4528)));
    assert!(matches!(roads.source_crs.origin, CrsOrigin::Guessed(_)));
    assert!(
        roads.issues.iter().any(|i| i.message.contains("guessed")),
        "{:?}",
        roads.issues
    );
    // Reprojected: the zone prefix is gone, the town lies near 120°E, 29.8°N.
    let ext = roads.extent_lonlat.unwrap();
    assert!(
        (ext.min().x - 120.0).abs() < 0.02 && (ext.min().y - 29.8).abs() < 0.1,
        "{ext:?}"
    );
    let first = roads.features[0].geometry.coords_iter().next().unwrap();
    assert!((first.x - 500_000.0).abs() < 1.0, "{first:?}");
    // Roles survive the guesser: texts get none, parcels stay parcels.
    let role = |n: &str| ds.layers.iter().find(|l| l.name == n).unwrap().role;
    assert_eq!(role("地块编号"), None);
    assert_eq!(role("用地红线"), Some(Role::Parcels));
    assert_eq!(role("建筑"), Some(Role::Buildings));
    // Facilities are classified: by the mapping's category, and by the block's name.
    let t = &LoadOptions::default().taxonomy;
    let kg = ds
        .layers
        .iter()
        .find(|l| l.name == "公共服务设施-幼儿园")
        .unwrap();
    assert!(
        kg.features
            .iter()
            .all(|f| f.category == t.by_id("kindergarten"))
    );
    let fac = ds.layers.iter().find(|l| l.name == "公共服务设施").unwrap();
    assert_eq!(fac.features[0].category, t.by_id("health_center"));
    assert_eq!(fac.features[1].category, None);
}

#[test]
fn damaged_drawings_give_layers_or_errors_never_panics() {
    use towncircle::io::synth::SplitMix64;
    let map = towncircle::io::dxf::CadLayerMap::default();
    let mut rng = SplitMix64(20_261_206);
    let mut pick = |n: usize| (rng.next_u64() % n.max(1) as u64) as usize;
    // Values that break numbers and structure.
    let junk: [&[u8]; 8] = [
        b"nan",
        b"-inf",
        b"1e308",
        b"",
        b"0",
        b"SECTION",
        b"EOF",
        b"\xff\xfe",
    ];
    let mut cases = 0;
    for name in ["town_r2018.dxf", "town_r2018_bin.dxf", "town_r12_gbk.dxf"] {
        let original = std::fs::read(fixture(name)).unwrap();
        for _ in 0..400 {
            let mut b = original.clone();
            match pick(4) {
                // Flip bytes.
                0 => {
                    for _ in 0..1 + pick(8) {
                        let i = pick(b.len());
                        b[i] ^= 1 << pick(8);
                    }
                }
                // Replace a line (ASCII) or a run (binary) by a junk value.
                1 => {
                    let i = pick(b.len());
                    let end = b[i..]
                        .iter()
                        .position(|&c| c == b'\n')
                        .map_or(b.len(), |e| i + e);
                    let start = b[..i]
                        .iter()
                        .rposition(|&c| c == b'\n')
                        .map_or(0, |s| s + 1);
                    b.splice(start..end, junk[pick(junk.len())].iter().copied());
                }
                // Drop a run of lines or bytes.
                2 => {
                    let i = pick(b.len());
                    let n = pick(200).min(b.len() - i);
                    b.drain(i..i + n);
                }
                // Duplicate a run somewhere else.
                _ => {
                    let i = pick(b.len());
                    let n = pick(400).min(b.len() - i);
                    let run: Vec<u8> = b[i..i + n].to_vec();
                    let at = pick(b.len());
                    b.splice(at..at, run);
                }
            }
            let outcome = std::panic::catch_unwind(|| {
                towncircle::io::dxf::read_bytes(
                    Path::new("damaged.dxf"),
                    &b,
                    &ReadOptions::default(),
                    &map,
                )
            });
            match outcome {
                Err(_) => panic!("{name}: a damaged copy panicked the reader"),
                Ok(Err(e)) => assert!(e.to_string().contains("damaged.dxf"), "{e}"),
                Ok(Ok(layers)) => {
                    // Whatever was read has finite coordinates.
                    for l in &layers {
                        for f in &l.features {
                            assert!(
                                f.geometry
                                    .coords_iter()
                                    .all(|c| c.x.is_finite() && c.y.is_finite()),
                                "{name}: {} has a coordinate that is not finite",
                                l.name
                            );
                        }
                    }
                }
            }
            cases += 1;
        }
    }
    assert_eq!(cases, 1200);
}

/// `--cad-layers FILE`: a planner's rules come before the built-in ones (用地红线, parcels by
/// default, becomes the built-up area); a rules file that cannot be read stops the command with
/// a message naming it.
#[test]
fn a_planners_cad_layer_rules_on_the_command_line() {
    let dir = tempfile::tempdir().expect("tmp");
    let rules = dir.path().join("我的图层.toml");
    std::fs::write(
        &rules,
        "version = 1\n[[layer]]\npattern = \"用地红线\"\nrole = \"built_up_area\"\n",
    )
    .expect("write");
    let run = |extra: &[&std::ffi::OsStr]| {
        std::process::Command::new(env!("CARGO_BIN_EXE_towncircle"))
            .arg("info")
            .arg(fixture("town_r2018.dxf"))
            .args(extra)
            .arg("--json")
            .output()
            .expect("run")
    };
    let role_of_parcels = |o: &std::process::Output| -> serde_json::Value {
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
        let j: serde_json::Value = serde_json::from_slice(&o.stdout).expect("json");
        j.to_string()
            .contains("用地红线")
            .then_some(())
            .expect("the parcels layer");
        j["layers"]
            .as_array()
            .expect("layers")
            .iter()
            .find(|l| l.to_string().contains("用地红线"))
            .map(|l| l["role"].clone())
            .expect("parcels")
    };
    assert_eq!(role_of_parcels(&run(&[])), "parcels");
    let o = run(&["--cad-layers".as_ref(), rules.as_os_str()]);
    assert_eq!(role_of_parcels(&o), "built_up_area");
    std::fs::write(&rules, "version = 1\n[[layer]]\npattern = \n").expect("write");
    let o = run(&["--cad-layers".as_ref(), rules.as_os_str()]);
    assert!(!o.status.success());
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("我的图层.toml"), "{err}");
}

/// The largest distance from a vertex of `a` to the outline (lines, rings, points) of `b`.
fn outline_gap(a: &Geometry<f64>, b: &Geometry<f64>) -> f64 {
    use geo::{Distance, Euclidean};
    use geo_types::{LineString, Point};
    let mut lines: Vec<LineString<f64>> = Vec::new();
    let mut points: Vec<Point<f64>> = Vec::new();
    match b {
        Geometry::Point(p) => points.push(*p),
        Geometry::MultiPoint(mp) => points.extend(mp.iter().copied()),
        Geometry::LineString(l) => lines.push(l.clone()),
        Geometry::MultiLineString(ml) => lines.extend(ml.iter().cloned()),
        Geometry::Polygon(p) => {
            lines.push(p.exterior().clone());
            lines.extend(p.interiors().iter().cloned());
        }
        Geometry::MultiPolygon(mp) => {
            for p in mp {
                lines.push(p.exterior().clone());
                lines.extend(p.interiors().iter().cloned());
            }
        }
        other => panic!("unexpected geometry {other:?}"),
    }
    a.coords_iter()
        .map(|c| {
            let p = Point(c);
            let to_lines = lines.iter().map(|l| Euclidean.distance(&p, l));
            let to_points = points.iter().map(|q| Euclidean.distance(&p, q));
            to_lines.chain(to_points).fold(f64::INFINITY, f64::min)
        })
        .fold(0.0, f64::max)
}

/// A plan drawn on a site grid (独立坐标系: tests/fixtures/dxf/make_local.py moved the R2018
/// town by a known transform) brought back by five control points lies where the town is: every
/// coordinate of every layer within 5 mm of the drawing made in CGCS2000, and the load says
/// how it was moved.
#[test]
fn a_local_drawing_moved_by_control_points_lies_on_the_real_one() {
    use towncircle::crs::ControlTransform;
    let ct = ControlTransform::from_file(&fixture("control_points.csv")).expect("fit");
    assert_eq!(ct.points.len(), 5);
    assert!(ct.fit.rms < 0.001, "{}", ct.fit.rms);
    assert!((ct.fit.transform.scale() - 1.0003).abs() < 1e-7);
    let options = LoadOptions {
        control_for: vec![("town_local.dxf".into(), ct)],
        ..LoadOptions::default()
    };
    let local = load(&[fixture("town_local.dxf")], &options);
    let real = load(&[fixture("town_r2018.dxf")], &LoadOptions::default());
    assert!(local.failures.is_empty(), "{:?}", local.failures);
    assert_eq!(local.working_crs, real.working_crs);
    assert_eq!(local.layers.len(), real.layers.len());
    let mut compared = 0;
    for (a, b) in local.layers.iter().zip(&real.layers) {
        assert_eq!(a.name, b.name);
        assert_eq!(a.role, b.role, "{}", a.name);
        assert_eq!(a.source_crs.crs, b.source_crs.crs, "{}", a.name);
        assert_eq!(a.features.len(), b.features.len(), "{}", a.name);
        for (fa, fb) in a.features.iter().zip(&b.features) {
            // Arcs and circles are segmented in the drawing's own frame (the rotated one starts
            // its vertices elsewhere on the circle): the same shape within the 0.1 m chord
            // tolerance. Straight geometry: the same vertices.
            let h = outline_gap(&fa.geometry, &fb.geometry)
                .max(outline_gap(&fb.geometry, &fa.geometry));
            assert!(h < 0.12, "{}: {h} m", a.name);
            let same_vertices = fa
                .geometry
                .coords_iter()
                .zip(fb.geometry.coords_iter())
                .all(|(p, q)| (p.x - q.x).hypot(p.y - q.y) < 0.005);
            if ["道路中心线", "建筑", "用地红线"].contains(&a.name.as_str()) {
                assert!(same_vertices, "{}", a.name);
            }
            compared += usize::from(same_vertices);
        }
        let said = a
            .issues
            .iter()
            .find(|i| i.message.contains("control points"))
            .unwrap_or_else(|| panic!("{}: {:?}", a.name, a.issues));
        assert!(
            said.message.contains("5 control points")
                && said.message.contains("control_points.csv")
                && said.message.contains("RMS"),
            "{}",
            said.message
        );
        assert!(
            !said.message.contains("check that point"),
            "{}",
            said.message
        );
    }
    assert!(compared > 20, "{compared}");
}

/// On the command line: `--control-points FILE=POINTS` moves the drawing and `info` says so;
/// a typo in one point is flagged with the point's number; a bad file stops before reading.
#[test]
fn control_points_on_the_command_line() {
    let dir = tempfile::tempdir().expect("tmp");
    let run = |points: &Path| {
        std::process::Command::new(env!("CARGO_BIN_EXE_towncircle"))
            .arg("info")
            .arg(fixture("town_local.dxf"))
            .arg("--control-points")
            .arg(format!("town_local.dxf={}", points.display()))
            .arg("--json")
            .output()
            .expect("run")
    };
    let o = run(&fixture("control_points.csv"));
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let text = String::from_utf8_lossy(&o.stdout);
    assert!(text.contains("5 control points"), "{text}");
    assert!(text.contains("EPSG:4528"), "{text}");
    // One target coordinate off by 40 m.
    let good = std::fs::read_to_string(fixture("control_points.csv")).expect("read");
    let typo = good.replace("3300638.8128", "3300678.8128");
    assert_ne!(typo, good);
    let bad = dir.path().join("控制点.csv");
    std::fs::write(&bad, typo).expect("write");
    let o = run(&bad);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let text = String::from_utf8_lossy(&o.stdout);
    assert!(
        text.contains("at point 3") && text.contains("check that point"),
        "{text}"
    );
    std::fs::write(&bad, "本地X,本地Y,目标X,目标Y\n0,0,1,oops\n").expect("write");
    let o = run(&bad);
    assert!(!o.status.success());
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains("控制点.csv") && err.contains("line 2"),
        "{err}"
    );
}

/// A planner's role for one CAD layer (a project's `layer_roles`) beats the CAD layer rules:
/// the parcels become the built-up area, the water is left unused, the rest keep the rules'.
#[test]
fn layer_roles_of_a_drawing_beat_the_cad_rules() {
    let options = LoadOptions {
        layer_role_for: vec![
            (
                "town_r2018.dxf".into(),
                "用地红线".into(),
                Some(Role::BuiltUpArea),
            ),
            ("town_r2018.dxf".into(), "水系".into(), None),
            ("other.dxf".into(), "道路中心线".into(), None),
        ],
        ..LoadOptions::default()
    };
    let ds = load(&[fixture("town_r2018.dxf")], &options);
    let role = |n: &str| ds.layers.iter().find(|l| l.name == n).unwrap().role;
    assert_eq!(role("用地红线"), Some(Role::BuiltUpArea));
    assert_eq!(role("水系"), None);
    assert_eq!(role("道路中心线"), Some(Role::Roads));
    assert_eq!(role("建筑"), Some(Role::Buildings));
}
