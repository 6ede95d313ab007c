//! Synthetic street networks and towns for benchmarks and tests: a near-regular street grid
//! (jittered crossings, long lines that the builder must split), facilities of several
//! categories and residential buildings, in EPSG:4549 metres.

use geo_types::{Coord, Geometry, LineString, Point, Polygon};

use crate::crs::{Crs, CrsInfo};
use crate::io::synth::SplitMix64;
use crate::model::layer::{
    AttrValue, Feature, Field, FieldKind, Format, Layer, SourceId, SourceInfo,
};
use crate::model::{CategoryId, Role};

const ORIGIN: [f64; 2] = [480_000.0, 3_300_000.0];

fn layer(name: &str, fields: Vec<Field>, role: Role) -> Layer {
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
    l.role = Some(role);
    l
}

/// Crossings per side of the benchmark grid town (317² ≈ 100,000 nodes).
pub const GRID_TOWN_SIDE: usize = 317;
/// Spacing of the benchmark grid town's crossings.
pub const GRID_TOWN_SPACING_M: f64 = 80.0;
/// The categories of the benchmark grid town's facilities (40 of each).
pub const GRID_TOWN_CATEGORIES: [&str; 10] = [
    "kindergarten",
    "primary_school",
    "middle_school",
    "health_center",
    "elderly_day_care",
    "fresh_market",
    "convenience_store",
    "culture_station",
    "park",
    "bus_stop",
];

/// The benchmark town of README's access figures (benches/access.rs, examples/coverage_grid.rs):
/// a 317 × 317 street grid 80 m apart jittered by 10 m, 40 facilities of each of
/// [`GRID_TOWN_CATEGORIES`] and 50,000 residential buildings; roads, facilities, buildings.
pub fn grid_town(taxonomy: &crate::model::Taxonomy) -> [Layer; 3] {
    let (n, s) = (GRID_TOWN_SIDE, GRID_TOWN_SPACING_M);
    let cats: Vec<CategoryId> = GRID_TOWN_CATEGORIES
        .iter()
        .filter_map(|id| taxonomy.by_id(id))
        .collect();
    [
        street_grid(n, n, s, 10.0, 42),
        facilities(n, n, s, &cats, 40, 7),
        buildings(n, n, s, 50_000, 9),
    ]
}

/// A street grid of `nx` × `ny` crossings `spacing_m` apart, each crossing moved by up to
/// `jitter_m`. Every row and column is ONE line through its crossings (so building the graph
/// splits them: about nx·ny nodes). Every 8th row/column is a `secondary` road, the rest
/// `residential`; every 5th row is one-way.
pub fn street_grid(nx: usize, ny: usize, spacing_m: f64, jitter_m: f64, seed: u64) -> Layer {
    let mut rng = SplitMix64(seed);
    let pts: Vec<Vec<[f64; 2]>> = (0..ny)
        .map(|j| {
            (0..nx)
                .map(|i| {
                    [
                        ORIGIN[0] + i as f64 * spacing_m + rng.range(-jitter_m, jitter_m),
                        ORIGIN[1] + j as f64 * spacing_m + rng.range(-jitter_m, jitter_m),
                    ]
                })
                .collect()
        })
        .collect();
    let mut l = layer(
        "streets",
        vec![
            Field::new("highway", FieldKind::Text),
            Field::new("oneway", FieldKind::Text),
        ],
        Role::Roads,
    );
    let mut push = |coords: Vec<[f64; 2]>, major: bool, oneway: bool| {
        let n = l.features.len() as u64 + 1;
        l.features.push(Feature {
            geometry: Geometry::LineString(LineString::from(
                coords.into_iter().map(|c| (c[0], c[1])).collect::<Vec<_>>(),
            )),
            attrs: vec![
                AttrValue::Text(if major { "secondary" } else { "residential" }.into()),
                AttrValue::Text(if oneway { "yes" } else { "no" }.into()),
            ],
            source_id: SourceId::Feature(n),
            category: None,
        });
    };
    for (j, row) in pts.iter().enumerate() {
        push(row.clone(), j % 8 == 0, j % 5 == 2);
    }
    for i in 0..nx {
        push(pts.iter().map(|row| row[i]).collect(), i % 8 == 0, false);
    }
    l
}

/// `per_category` facilities of each of `categories`, at random places in the grid's extent.
pub fn facilities(
    nx: usize,
    ny: usize,
    spacing_m: f64,
    categories: &[CategoryId],
    per_category: usize,
    seed: u64,
) -> Layer {
    let mut rng = SplitMix64(seed);
    let mut l = layer(
        "facilities",
        vec![Field::new("name", FieldKind::Text)],
        Role::Facilities,
    );
    for c in categories {
        for k in 0..per_category {
            let n = l.features.len() as u64 + 1;
            l.features.push(Feature {
                geometry: Geometry::Point(Point::new(
                    ORIGIN[0] + rng.range(0.0, (nx - 1) as f64 * spacing_m),
                    ORIGIN[1] + rng.range(0.0, (ny - 1) as f64 * spacing_m),
                )),
                attrs: vec![AttrValue::Text(format!("facility {} #{k}", c.0))],
                source_id: SourceId::Feature(n),
                category: Some(*c),
            });
        }
    }
    l
}

/// `n` residential buildings (12 × 12 m squares with 1–6 storeys) in the grid's extent.
pub fn buildings(nx: usize, ny: usize, spacing_m: f64, n: usize, seed: u64) -> Layer {
    let mut rng = SplitMix64(seed);
    let mut l = layer(
        "buildings",
        vec![
            Field::new("用途", FieldKind::Text),
            Field::new("层数", FieldKind::Int),
        ],
        Role::Buildings,
    );
    for k in 0..n {
        let (x, y) = (
            ORIGIN[0] + rng.range(0.0, (nx - 1) as f64 * spacing_m),
            ORIGIN[1] + rng.range(0.0, (ny - 1) as f64 * spacing_m),
        );
        let c = |dx: f64, dy: f64| Coord {
            x: x + dx,
            y: y + dy,
        };
        l.features.push(Feature {
            geometry: Geometry::Polygon(Polygon::new(
                LineString(vec![
                    c(0., 0.),
                    c(0., 12.),
                    c(12., 12.),
                    c(12., 0.),
                    c(0., 0.),
                ]),
                vec![],
            )),
            attrs: vec![
                AttrValue::Text("住宅".into()),
                AttrValue::Int(1 + (rng.next_u64() % 6) as i64),
            ],
            source_id: SourceId::Feature(k as u64 + 1),
            category: None,
        });
    }
    l
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::network::build::{BuildOptions, build_graph};
    use crate::standards::profile::Profile;

    #[test]
    fn grid_builds_to_nx_times_ny_nodes() {
        let l = street_grid(12, 9, 100.0, 10.0, 3);
        let p = Profile::default();
        let b = build_graph(&[&l], &p, BuildOptions::from_profile(&p));
        assert_eq!(b.graph.node_count(), 12 * 9);
        assert_eq!(b.graph.edge_count(), 11 * 9 + 12 * 8);
        let c = crate::network::components::Components::of_graph(&b.graph);
        assert_eq!(c.count(), 1);
    }
}
