//! Helpers for the access tests: small layers built in code.

use geo_types::{Geometry, LineString, Point, Polygon};

use crate::crs::{Crs, CrsInfo};
use crate::model::layer::{
    AttrValue, Feature, Field, FieldKind, Format, Layer, SourceId, SourceInfo,
};
use crate::model::{CategoryId, Role};

pub fn layer(name: &str, role: Role, fields: &[&str]) -> Layer {
    let mut l = Layer::new(
        name,
        SourceInfo {
            path: format!("{name}.geojson").into(),
            format: Format::GeoJson,
            table: None,
            encoding: None,
        },
        CrsInfo::declared(Crs::Epsg(4549), "test"),
    );
    l.fields = fields
        .iter()
        .map(|n| Field::new(*n, FieldKind::Text))
        .collect();
    l.role = Some(role);
    l
}

pub fn push(
    l: &mut Layer,
    geometry: Geometry<f64>,
    attrs: Vec<AttrValue>,
    cat: Option<CategoryId>,
) {
    let n = l.features.len() as u64 + 1;
    l.features.push(Feature {
        geometry,
        attrs,
        source_id: SourceId::Feature(n),
        category: cat,
    });
}

/// Roads: (coordinates, highway, bridge).
pub fn roads(lines: &[(&[[f64; 2]], &str, &str)]) -> Layer {
    let mut l = layer("roads", Role::Roads, &["highway", "bridge"]);
    for (c, hw, bridge) in lines {
        push(
            &mut l,
            Geometry::LineString(LineString::from(
                c.iter().map(|p| (p[0], p[1])).collect::<Vec<_>>(),
            )),
            vec![
                AttrValue::Text(hw.to_string()),
                AttrValue::Text(bridge.to_string()),
            ],
            None,
        );
    }
    l
}

/// Facilities of one category at points.
pub fn facilities(pts: &[([f64; 2], CategoryId)]) -> Layer {
    let mut l = layer("facilities", Role::Facilities, &["name"]);
    for (i, (p, c)) in pts.iter().enumerate() {
        push(
            &mut l,
            Geometry::Point(Point::new(p[0], p[1])),
            vec![AttrValue::Text(format!("facility {i}"))],
            Some(*c),
        );
    }
    l
}

/// Buildings as point features with a population.
pub fn homes(pts: &[([f64; 2], f64)]) -> Layer {
    let mut l = layer("buildings", Role::Buildings, &["人口"]);
    for (p, pop) in pts {
        push(
            &mut l,
            Geometry::Point(Point::new(p[0], p[1])),
            vec![AttrValue::Float(*pop)],
            None,
        );
    }
    l
}

/// A polygon layer of one rectangle.
#[allow(dead_code)]
pub fn area(role: Role, lo: [f64; 2], hi: [f64; 2]) -> Layer {
    let mut l = layer("area", role, &[]);
    push(
        &mut l,
        Geometry::Polygon(Polygon::new(
            LineString::from(vec![
                (lo[0], lo[1]),
                (hi[0], lo[1]),
                (hi[0], hi[1]),
                (lo[0], hi[1]),
                (lo[0], lo[1]),
            ]),
            vec![],
        )),
        vec![],
        None,
    );
    l
}
