//! Synthetic layers of a given size for benchmarks and tests: points and building-like polygons
//! in EPSG:4549 around a Zhejiang town, deterministic (fixed seed, no `rand` dependency).

use geo_types::{Coord, Geometry, LineString, Point, Polygon};

use crate::crs::{Crs, CrsInfo};
use crate::model::layer::SourceId;
use crate::model::{AttrValue, Feature, Field, FieldKind, Format, Layer, SourceInfo};

/// splitmix64: a tiny, well-mixed deterministic generator.
#[derive(Debug, Clone)]
pub struct SplitMix64(pub u64);

impl SplitMix64 {
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in [0, 1).
    pub fn next_f64(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64
    }

    /// Uniform in [lo, hi).
    pub fn range(&mut self, lo: f64, hi: f64) -> f64 {
        lo + (hi - lo) * self.next_f64()
    }
}

fn empty_layer(name: &str, fields: Vec<Field>) -> Layer {
    let mut l = Layer::new(
        name,
        SourceInfo {
            path: format!("{name}.generated").into(),
            format: Format::GeoJson,
            table: None,
            encoding: None,
        },
        CrsInfo::declared(Crs::Epsg(4549), "generated"),
    );
    l.fields = fields;
    l
}

const NAMES: [&str; 6] = ["清溪村", "溪口村", "双浦镇", "灵桥村", "新沙村", "袁浦社区"];

/// `n` points spread over a 20 km square in EPSG:4549 with an id, a Chinese name and a value.
pub fn points(n: usize, seed: u64) -> Layer {
    let mut rng = SplitMix64(seed);
    let mut l = empty_layer(
        "points",
        vec![
            Field::new("id", FieldKind::Int),
            Field::new("name", FieldKind::Text),
            Field::new("value", FieldKind::Float),
        ],
    );
    l.features = (0..n)
        .map(|i| Feature {
            geometry: Geometry::Point(Point::new(
                (rng.range(490_000.0, 510_000.0) * 100.0).round() / 100.0,
                (rng.range(3_310_000.0, 3_330_000.0) * 100.0).round() / 100.0,
            )),
            attrs: vec![
                AttrValue::Int(i as i64),
                AttrValue::Text(format!("{}{}号", NAMES[i % NAMES.len()], i)),
                AttrValue::Float((rng.range(0.0, 1000.0) * 1000.0).round() / 1000.0),
            ],
            source_id: SourceId::Feature(i as u64 + 1),
            category: None,
        })
        .collect();
    l
}

/// `n` rotated rectangles (10–30 m sides) like building footprints, with a name, levels and area.
pub fn buildings(n: usize, seed: u64) -> Layer {
    let mut rng = SplitMix64(seed);
    let mut l = empty_layer(
        "buildings",
        vec![
            Field::new("名称", FieldKind::Text),
            Field::new("层数", FieldKind::Int),
            Field::new("面积", FieldKind::Float),
        ],
    );
    l.features = (0..n)
        .map(|i| {
            let (cx, cy) = (
                rng.range(490_000.0, 510_000.0),
                rng.range(3_310_000.0, 3_330_000.0),
            );
            let (w, h) = (rng.range(10.0, 30.0), rng.range(10.0, 30.0));
            let a = rng.range(0.0, std::f64::consts::FRAC_PI_2);
            let (s, c) = a.sin_cos();
            let corner = |dx: f64, dy: f64| Coord {
                x: ((cx + dx * c - dy * s) * 100.0).round() / 100.0,
                y: ((cy + dx * s + dy * c) * 100.0).round() / 100.0,
            };
            // Clockwise outer ring, as shapefiles want.
            let ring = vec![
                corner(-w / 2.0, -h / 2.0),
                corner(-w / 2.0, h / 2.0),
                corner(w / 2.0, h / 2.0),
                corner(w / 2.0, -h / 2.0),
                corner(-w / 2.0, -h / 2.0),
            ];
            Feature {
                geometry: Geometry::Polygon(Polygon::new(LineString(ring), vec![])),
                attrs: vec![
                    AttrValue::Text(format!("{}{}幢", NAMES[i % NAMES.len()], i)),
                    AttrValue::Int(1 + (rng.next_u64() % 6) as i64),
                    AttrValue::Float((w * h * 100.0).round() / 100.0),
                ],
                source_id: SourceId::Feature(i as u64 + 1),
                category: None,
            }
        })
        .collect();
    l
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn deterministic_and_sized() {
        let a = points(100, 7);
        let b = points(100, 7);
        assert_eq!(a.features, b.features);
        assert_eq!(a.features.len(), 100);
        assert_ne!(points(100, 8).features, a.features);
        let bl = buildings(50, 1);
        assert_eq!(bl.features.len(), 50);
        use geo::Area;
        for f in &bl.features {
            let area = f.geometry.unsigned_area();
            assert!((100.0..=900.0).contains(&area), "{area}");
        }
    }
}
