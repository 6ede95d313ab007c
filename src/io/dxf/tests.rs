//! The DXF reader on small handwritten drawings: what ezdxf's fixtures (tests/dxf.rs) do not
//! show — mirrored entities, broken entities, code pages that lie.

use super::*;
use crate::model::Severity;

/// An ASCII DXF of R2000 with `$DWGCODEPAGE` `codepage` and these entity groups
/// ("code\nvalue\n" lines, codes right-aligned as AutoCAD writes them).
fn dxf(codepage: &str, entities: &[(i32, &[u8])]) -> Vec<u8> {
    let mut out = Vec::new();
    let mut put = |code: i32, value: &[u8]| {
        out.extend_from_slice(format!("{code:>3}\r\n").as_bytes());
        out.extend_from_slice(value);
        out.extend_from_slice(b"\r\n");
    };
    put(999, b"handwritten");
    put(0, b"SECTION");
    put(2, b"HEADER");
    put(9, b"$ACADVER");
    put(1, b"AC1015");
    put(9, b"$DWGCODEPAGE");
    put(3, codepage.as_bytes());
    put(0, b"ENDSEC");
    put(0, b"SECTION");
    put(2, b"ENTITIES");
    for (c, v) in entities {
        put(*c, v);
    }
    put(0, b"ENDSEC");
    put(0, b"EOF");
    out
}

fn read(bytes: &[u8]) -> Result<Vec<Layer>> {
    read_bytes(
        Path::new("hand.dxf"),
        bytes,
        &ReadOptions::default(),
        &CadLayerMap::default(),
    )
}

#[test]
fn a_mirrored_polyline_and_circle_are_put_right() {
    // Extrusion (0, 0, −1): OCS x runs west. A square at OCS x 10…20 lies at world x −20…−10.
    let bytes = dxf(
        "ANSI_1252",
        &[
            (0, b"LWPOLYLINE"),
            (8, b"BUILDING"),
            (90, b"4"),
            (70, b"1"),
            (10, b"10"),
            (20, b"0"),
            (10, b"20"),
            (20, b"0"),
            (10, b"20"),
            (20, b"10"),
            (10, b"10"),
            (20, b"10"),
            (210, b"0"),
            (220, b"0"),
            (230, b"-1"),
            (0, b"CIRCLE"),
            (8, b"BUILDING"),
            (10, b"100"),
            (20, b"50"),
            (40, b"5"),
            (210, b"0"),
            (220, b"0"),
            (230, b"-1"),
        ],
    );
    let layers = read(&bytes).unwrap();
    assert_eq!(layers.len(), 1);
    let l = &layers[0];
    assert_eq!(l.role, Some(Role::Buildings));
    let r = geo::BoundingRect::bounding_rect(&l.features[0].geometry).unwrap();
    assert_eq!(
        (r.min().x, r.max().x, r.min().y, r.max().y),
        (-20.0, -10.0, 0.0, 10.0)
    );
    let c = geo::BoundingRect::bounding_rect(&l.features[1].geometry)
        .unwrap()
        .center();
    assert!(
        (c.x + 100.0).abs() < 1e-9 && (c.y - 50.0).abs() < 1e-9,
        "{c:?}"
    );
}

#[test]
fn broken_entities_are_skipped_and_named() {
    let bytes = dxf(
        "ANSI_1252",
        &[
            (0, b"LINE"),
            (5, b"2A"),
            (8, b"ROAD"),
            (10, b"0"),
            (20, b"0"),
            (11, b"100"),
            (21, b"0"),
            // No end point.
            (0, b"LINE"),
            (5, b"2B"),
            (8, b"ROAD"),
            (10, b"0"),
            (20, b"0"),
            // A circle without a radius: its layer has nothing else.
            (0, b"CIRCLE"),
            (5, b"2C"),
            (8, b"POND"),
            (10, b"1"),
            (20, b"1"),
            (0, b"LWPOLYLINE"),
            (8, b"ROAD"),
            (10, b"5"),
            (20, b"5"),
            (10, b"nan"),
            (20, b"5"),
        ],
    );
    let layers = read(&bytes).unwrap();
    let road = &layers[0];
    assert_eq!(road.name, "ROAD");
    assert_eq!(road.role, Some(Role::Roads));
    assert_eq!(road.features.len(), 1);
    assert_eq!(road.skipped_count(), 2);
    let msgs: Vec<String> = road
        .issues
        .iter()
        .filter(|i| i.severity == Severity::Skipped)
        .map(|i| i.to_string())
        .collect();
    assert!(
        msgs.iter().any(|m| m.contains("feature 2")
            && m.contains("LINE (handle 2B)")
            && m.contains("11/21")),
        "{msgs:?}"
    );
    let pond = &layers[1];
    assert_eq!(pond.name, "POND");
    assert!(pond.features.is_empty());
    assert!(
        pond.issues[0].message.contains("radius"),
        "{:?}",
        pond.issues
    );
}

#[test]
fn ansi_1252_with_gbk_bytes_is_read_as_gbk_with_a_warning() {
    let (layer, _, _) = encoding_rs::GBK.encode("道路中心线");
    let (label, _, _) = encoding_rs::GBK.encode("幼儿园");
    let bytes = dxf(
        "ANSI_1252",
        &[
            (0, b"LINE"),
            (8, &layer),
            (10, b"0"),
            (20, b"0"),
            (11, b"1"),
            (21, b"1"),
            (0, b"TEXT"),
            (8, &layer),
            (10, b"0"),
            (20, b"0"),
            (40, b"2"),
            (1, &label),
        ],
    );
    let layers = read(&bytes).unwrap();
    assert_eq!(layers[0].name, "道路中心线 (texts)");
    assert_eq!(layers[0].role, None);
    assert_eq!(layers[1].name, "道路中心线 (lines)");
    assert_eq!(layers[1].role, Some(Role::Roads));
    let enc = layers[0].source.encoding.as_deref().unwrap();
    assert!(enc.starts_with("GBK (guessed"), "{enc}");
    assert!(
        layers[0]
            .issues
            .iter()
            .any(|i| i.kind == IssueKind::Encoding && i.message.contains("ANSI_1252"))
    );
    assert_eq!(
        layers[0].features[0].attrs[2],
        AttrValue::Text("幼儿园".into())
    );
}

#[test]
fn a_closed_polyline_on_a_road_layer_stays_a_line() {
    let bytes = dxf(
        "ANSI_936",
        &[
            (0, b"LWPOLYLINE"),
            (8, b"ROAD"),
            (70, b"1"),
            (10, b"0"),
            (20, b"0"),
            (10, b"100"),
            (20, b"0"),
            (10, b"100"),
            (20, b"100"),
            (0, b"LWPOLYLINE"),
            (8, b"PARCEL"),
            (70, b"1"),
            (10, b"0"),
            (20, b"0"),
            (10, b"100"),
            (20, b"0"),
            (10, b"100"),
            (20, b"100"),
        ],
    );
    let layers = read(&bytes).unwrap();
    let Geometry::LineString(ring) = &layers[0].features[0].geometry else {
        panic!("{:?}", layers[0].features[0].geometry)
    };
    assert_eq!(ring.0.len(), 4);
    assert_eq!(ring.0.first(), ring.0.last());
    assert!(matches!(
        layers[1].features[0].geometry,
        Geometry::Polygon(_)
    ));
    // A closed polyline on a parcel layer is a parcel (用地地块).
    assert_eq!(layers[1].role, Some(Role::Parcels));
}

#[test]
fn a_mapping_that_does_not_fit_the_geometry_is_not_applied() {
    // Open lines on a building layer: not buildings.
    let bytes = dxf(
        "ANSI_1252",
        &[
            (0, b"LINE"),
            (8, b"BUILDING"),
            (10, b"0"),
            (20, b"0"),
            (11, b"1"),
            (21, b"1"),
        ],
    );
    let layers = read(&bytes).unwrap();
    assert_eq!(layers[0].role, None);
    assert!(
        layers[0]
            .issues
            .iter()
            .any(|i| i.message.contains("cannot be"))
    );
}

#[test]
fn a_drawing_with_nothing_readable_is_an_error() {
    let bytes = dxf(
        "ANSI_1252",
        &[(0, b"HATCH"), (8, b"FILL"), (0, b"HATCH"), (8, b"FILL")],
    );
    let e = read(&bytes).unwrap_err().to_string();
    assert!(e.contains("hand.dxf") && e.contains("2 HATCH"), "{e}");
}
