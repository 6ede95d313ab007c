//! Build a road graph from line layers (in a metric CRS): road class, one-way and level from the
//! attributes; lines split where they cross at the same level; ends snapped within a tolerance;
//! duplicate vertices and zero-length edges removed.
//!
//! Rules where two lines meet (within the snap tolerance):
//! - if either line ENDS there, they connect (a street ending on another; a bridge's end ramps);
//! - if both pass through, they connect only when they are at the same level (OSM `layer`, or
//!   `bridge` = +1 / `tunnel` = -1 when no layer is given): a bridge over a road does not.

use std::collections::{BTreeMap, HashMap};

use geo::line_intersection::{LineIntersection, line_intersection};
use geo_types::{Coord, Geometry, Line};
use rstar::primitives::{GeomWithData, Rectangle};
use rstar::{AABB, RTree};
use serde::Serialize;

use crate::model::layer::{AttrValue, Feature, Issue, Layer};
use crate::standards::profile::{Profile, RoadClassId};

use super::graph::{Direction, Graph, LineSource, dist_m};

/// Options of [`build_graph`].
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct BuildOptions {
    /// Points closer than this are one node.
    pub snap_tolerance_m: f64,
}

impl BuildOptions {
    pub fn from_profile(profile: &Profile) -> Self {
        BuildOptions {
            snap_tolerance_m: profile.network.snap_tolerance_m.value,
        }
    }
}

/// What building the graph did, for the report.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct BuildReport {
    /// Line parts read (a multi-line counts each part).
    pub lines_read: usize,
    /// Lines left out because their class says they are not roads (construction, proposed...).
    pub lines_ignored: usize,
    /// Lines skipped as unusable (no length, not a line).
    pub lines_skipped: usize,
    /// Class field values not in the profile, with counts (given the default class).
    pub unknown_class_values: BTreeMap<String, usize>,
    /// Lines with no class field at all (given the default class).
    pub unclassified_lines: usize,
    pub duplicate_vertices_removed: usize,
    pub zero_length_edges_removed: usize,
    /// Nodes where three or more edges meet (crossings split, T-junctions, shared vertices).
    pub junction_nodes: usize,
    /// Nodes with a single edge (dead ends, and line ends left unjoined).
    pub dead_ends: usize,
    /// Crossings left unconnected because the lines are at different levels (bridges, tunnels).
    pub level_crossings_kept_apart: usize,
    /// Problems with single features (layer index, issue).
    pub issues: Vec<(u32, Issue)>,
}

/// The result of [`build_graph`].
#[derive(Debug, Clone)]
pub struct BuiltGraph {
    pub graph: Graph,
    pub report: BuildReport,
}

const ONEWAY_FIELDS: &[&str] = &["oneway", "单行", "单向", "单行道"];
const LAYER_FIELDS: &[&str] = &["layer"];
const BRIDGE_FIELDS: &[&str] = &["bridge", "桥梁", "是否桥梁"];
const TUNNEL_FIELDS: &[&str] = &["tunnel", "隧道", "是否隧道"];
const JUNCTION_FIELDS: &[&str] = &["junction"];

fn first_text(layer: &Layer, f: &Feature, fields: &[&str]) -> Option<String> {
    fields.iter().find_map(|name| {
        layer
            .attr(f, name)
            .and_then(AttrValue::as_text)
            .map(|s| s.trim().to_string())
            .filter(|s| !s.is_empty())
    })
}

fn is_yes(v: &str) -> bool {
    !matches!(
        v.to_ascii_lowercase().as_str(),
        "" | "no" | "0" | "false" | "否" | "无" | "n"
    )
}

enum LineClass {
    Road(RoadClassId),
    Ignored,
}

fn classify(layer: &Layer, f: &Feature, profile: &Profile, report: &mut BuildReport) -> LineClass {
    let mut unknown: Option<String> = None;
    for name in &profile.zh_class_fields {
        if let Some(v) = layer
            .attr(f, name)
            .and_then(AttrValue::as_text)
            .map(|s| s.trim().to_string())
            .filter(|s| !s.is_empty())
        {
            if profile.ignore_values.contains(&v) {
                return LineClass::Ignored;
            }
            if let Some(c) = profile.zh_classes.get(&v) {
                return LineClass::Road(*c);
            }
            // An OSM value in a Chinese-named field (or the other way round) is fine too.
            if let Some(c) = profile.osm_classes.get(&v.to_ascii_lowercase()) {
                return LineClass::Road(*c);
            }
            unknown.get_or_insert(v);
        }
    }
    for name in &profile.osm_class_fields {
        if let Some(v) = layer
            .attr(f, name)
            .and_then(AttrValue::as_text)
            .map(|s| s.trim().to_ascii_lowercase())
            .filter(|s| !s.is_empty())
        {
            if profile.ignore_values.contains(&v) {
                return LineClass::Ignored;
            }
            if let Some(c) = profile.osm_classes.get(&v) {
                return LineClass::Road(*c);
            }
            if let Some(c) = profile.zh_classes.get(&v) {
                return LineClass::Road(*c);
            }
            unknown.get_or_insert(v);
        }
    }
    match unknown {
        Some(v) => *report.unknown_class_values.entry(v).or_insert(0) += 1,
        None => report.unclassified_lines += 1,
    }
    LineClass::Road(profile.default_class)
}

fn direction_of(layer: &Layer, f: &Feature) -> Direction {
    match first_text(layer, f, ONEWAY_FIELDS) {
        Some(v) => match v.to_ascii_lowercase().as_str() {
            "yes" | "1" | "true" | "是" | "正向" | "forward" => Direction::Forward,
            "-1" | "reverse" | "反向" | "backward" => Direction::Backward,
            _ => Direction::Both,
        },
        None => {
            if first_text(layer, f, JUNCTION_FIELDS).as_deref() == Some("roundabout") {
                Direction::Forward
            } else {
                Direction::Both
            }
        }
    }
}

fn level_of(layer: &Layer, f: &Feature) -> i8 {
    if let Some(l) = LAYER_FIELDS
        .iter()
        .find_map(|n| layer.attr(f, n).and_then(AttrValue::as_f64))
    {
        return l.round().clamp(-100.0, 100.0) as i8;
    }
    if first_text(layer, f, BRIDGE_FIELDS).is_some_and(|v| is_yes(&v)) {
        1
    } else if first_text(layer, f, TUNNEL_FIELDS).is_some_and(|v| is_yes(&v)) {
        -1
    } else {
        0
    }
}

/// One source polyline with its attributes.
struct Polyline {
    coords: Vec<[f64; 2]>,
    class: RoadClassId,
    direction: Direction,
    level: i8,
    source: u32,
}

/// A cut on a polyline: segment index and position t in [0, 1] along it.
#[derive(Debug, Clone, Copy, PartialEq)]
struct Cut {
    seg: u32,
    t: f64,
}

type SegEntry = GeomWithData<Rectangle<[f64; 2]>, (u32, u32)>;

/// Snapping of points to nodes on a hash grid of the tolerance.
struct NodeSnapper {
    cell_m: f64,
    tol_m: f64,
    cells: HashMap<(i64, i64), Vec<u32>>,
}

impl NodeSnapper {
    fn new(tol_m: f64) -> Self {
        let tol_m = tol_m.max(1e-6);
        NodeSnapper {
            cell_m: tol_m,
            tol_m,
            cells: HashMap::new(),
        }
    }

    fn key(&self, p: [f64; 2]) -> (i64, i64) {
        (
            (p[0] / self.cell_m).floor() as i64,
            (p[1] / self.cell_m).floor() as i64,
        )
    }

    fn node_for(&mut self, p: [f64; 2], graph: &mut Graph) -> u32 {
        let (kx, ky) = self.key(p);
        let mut best: Option<(f64, u32)> = None;
        for dx in -1..=1 {
            for dy in -1..=1 {
                if let Some(ids) = self.cells.get(&(kx + dx, ky + dy)) {
                    for &id in ids {
                        let d = dist_m(graph.node_xy[id as usize], p);
                        if d <= self.tol_m && best.is_none_or(|b| d < b.0) {
                            best = Some((d, id));
                        }
                    }
                }
            }
        }
        if let Some((_, id)) = best {
            return id;
        }
        let id = graph.add_node(p);
        self.cells.entry((kx, ky)).or_default().push(id);
        id
    }
}

fn seg_param(a: [f64; 2], b: [f64; 2], p: [f64; 2]) -> f64 {
    let (dx, dy) = (b[0] - a[0], b[1] - a[1]);
    let len2 = dx * dx + dy * dy;
    if len2 <= 0.0 {
        return 0.0;
    }
    (((p[0] - a[0]) * dx + (p[1] - a[1]) * dy) / len2).clamp(0.0, 1.0)
}

fn lerp(a: [f64; 2], b: [f64; 2], t: f64) -> [f64; 2] {
    [a[0] + (b[0] - a[0]) * t, a[1] + (b[1] - a[1]) * t]
}

/// Build the road graph of `layers` (line layers in a metric CRS), using the road classes of
/// `profile`. Features that are not lines are skipped with an issue; nothing panics.
pub fn build_graph(layers: &[&Layer], profile: &Profile, options: BuildOptions) -> BuiltGraph {
    let tol = if options.snap_tolerance_m.is_finite() {
        options.snap_tolerance_m.max(0.0)
    } else {
        0.0
    };
    let mut report = BuildReport::default();
    let mut graph = Graph::new();
    let mut lines: Vec<Polyline> = Vec::new();

    // 1. Read the lines.
    for (li, layer) in layers.iter().enumerate() {
        for f in &layer.features {
            let parts: Vec<Vec<[f64; 2]>> = match &f.geometry {
                Geometry::LineString(ls) => vec![ls.0.iter().map(|c| [c.x, c.y]).collect()],
                Geometry::MultiLineString(ml) => {
                    ml.0.iter()
                        .map(|ls| ls.0.iter().map(|c| [c.x, c.y]).collect())
                        .collect()
                }
                Geometry::Line(l) => vec![vec![[l.start.x, l.start.y], [l.end.x, l.end.y]]],
                _ => {
                    report.lines_skipped += 1;
                    report.issues.push((
                        li as u32,
                        Issue::skipped(Some(f.source_id), "not a line; a road layer needs lines"),
                    ));
                    continue;
                }
            };
            let class = match classify(layer, f, profile, &mut report) {
                LineClass::Road(c) => c,
                LineClass::Ignored => {
                    report.lines_ignored += parts.len();
                    continue;
                }
            };
            let direction = direction_of(layer, f);
            let level = level_of(layer, f);
            let source = graph.line_sources.len() as u32;
            graph.line_sources.push(LineSource {
                layer: li as u32,
                feature: f.source_id,
            });
            for raw in parts {
                report.lines_read += 1;
                let mut coords: Vec<[f64; 2]> = Vec::with_capacity(raw.len());
                for p in raw {
                    if !(p[0].is_finite() && p[1].is_finite()) {
                        continue;
                    }
                    if coords.last().is_some_and(|q| dist_m(*q, p) <= 1e-9) {
                        report.duplicate_vertices_removed += 1;
                        continue;
                    }
                    coords.push(p);
                }
                if coords.len() < 2 {
                    report.lines_skipped += 1;
                    report.issues.push((
                        li as u32,
                        Issue::skipped(Some(f.source_id), "a road line of zero length"),
                    ));
                    continue;
                }
                lines.push(Polyline {
                    coords,
                    class,
                    direction,
                    level,
                    source,
                });
            }
        }
    }

    // 2. Find where lines meet: an R-tree of segment boxes.
    let entries: Vec<SegEntry> = lines
        .iter()
        .enumerate()
        .flat_map(|(i, l)| {
            l.coords.windows(2).enumerate().map(move |(j, w)| {
                GeomWithData::new(Rectangle::from_corners(w[0], w[1]), (i as u32, j as u32))
            })
        })
        .collect();
    let tree = RTree::bulk_load(entries);
    let mut cuts: Vec<Vec<Cut>> = lines
        .iter()
        .map(|l| {
            vec![
                Cut { seg: 0, t: 0.0 },
                Cut {
                    seg: (l.coords.len() - 2) as u32,
                    t: 1.0,
                },
            ]
        })
        .collect();
    let is_line_end = |i: usize, j: usize, p: [f64; 2]| -> bool {
        let c = &lines[i].coords;
        (j == 0 && dist_m(c[0], p) <= tol.max(1e-9))
            || (j == c.len() - 2 && dist_m(c[c.len() - 1], p) <= tol.max(1e-9))
    };
    for (i, l) in lines.iter().enumerate() {
        let closed = l.coords.len() > 3 && l.coords[0] == l.coords[l.coords.len() - 1];
        for (j, w) in l.coords.windows(2).enumerate() {
            let env = AABB::from_corners(
                [w[0][0].min(w[1][0]) - tol, w[0][1].min(w[1][1]) - tol],
                [w[0][0].max(w[1][0]) + tol, w[0][1].max(w[1][1]) + tol],
            );
            for other in tree.locate_in_envelope_intersecting(&env) {
                let (k, m) = (other.data.0 as usize, other.data.1 as usize);
                if (k, m) <= (i, j) {
                    continue;
                }
                if k == i {
                    let last = l.coords.len() - 2;
                    if m.abs_diff(j) <= 1 || (closed && j == 0 && m == last) {
                        continue;
                    }
                }
                let o = &lines[k];
                let (q0, q1) = (o.coords[m], o.coords[m + 1]);
                let a = Line::new(Coord::from(w[0]), Coord::from(w[1]));
                let b = Line::new(Coord::from(q0), Coord::from(q1));
                let points: Vec<[f64; 2]> = match line_intersection(a, b) {
                    Some(LineIntersection::SinglePoint { intersection, .. }) => {
                        vec![[intersection.x, intersection.y]]
                    }
                    Some(LineIntersection::Collinear { intersection }) => vec![
                        [intersection.start.x, intersection.start.y],
                        [intersection.end.x, intersection.end.y],
                    ],
                    None => continue,
                };
                for p in points {
                    let ends = is_line_end(i, j, p) || is_line_end(k, m, p);
                    if l.level == o.level || ends {
                        cuts[i].push(Cut {
                            seg: j as u32,
                            t: seg_param(w[0], w[1], p),
                        });
                        cuts[k].push(Cut {
                            seg: m as u32,
                            t: seg_param(q0, q1, p),
                        });
                    } else {
                        report.level_crossings_kept_apart += 1;
                    }
                }
            }
        }
    }
    // Line ends within the tolerance of another line (near-miss T-junctions), at any level.
    if tol > 0.0 {
        for i in 0..lines.len() {
            let c = &lines[i].coords;
            for (end, own_seg) in [(c[0], 0usize), (c[c.len() - 1], c.len() - 2)] {
                let env =
                    AABB::from_corners([end[0] - tol, end[1] - tol], [end[0] + tol, end[1] + tol]);
                let mut found: Vec<(usize, usize, f64)> = Vec::new();
                for other in tree.locate_in_envelope_intersecting(&env) {
                    let (k, m) = (other.data.0 as usize, other.data.1 as usize);
                    if k == i && m.abs_diff(own_seg) <= 1 {
                        continue;
                    }
                    let o = &lines[k].coords;
                    let t = seg_param(o[m], o[m + 1], end);
                    let d = dist_m(lerp(o[m], o[m + 1], t), end);
                    if d <= tol {
                        found.push((k, m, t));
                    }
                }
                for (k, m, t) in found {
                    cuts[k].push(Cut { seg: m as u32, t });
                }
            }
        }
    }

    // 3. Nodes at every cut (snapped), edges between consecutive cuts.
    let mut snapper = NodeSnapper::new(tol);
    for (i, l) in lines.iter().enumerate() {
        let cs = &mut cuts[i];
        cs.sort_by(|a, b| a.seg.cmp(&b.seg).then(a.t.total_cmp(&b.t)));
        let point = |c: &Cut| {
            let s = c.seg as usize;
            lerp(l.coords[s], l.coords[s + 1], c.t)
        };
        let mut prev: Option<(Cut, u32)> = None;
        for c in cs.iter() {
            let node = snapper.node_for(point(c), &mut graph);
            if let Some((pc, pn)) = prev {
                // The geometry between the two cuts: the cut points and the vertices between.
                let mut geom = vec![point(&pc)];
                for v in (pc.seg + 1)..=c.seg {
                    geom.push(l.coords[v as usize]);
                }
                geom.push(point(c));
                geom.dedup_by(|a, b| dist_m(*a, *b) <= 1e-9);
                let along = super::graph::polyline_length_m(&geom);
                if pn == node && along <= tol.max(1e-9) {
                    if along > 1e-9 {
                        report.zero_length_edges_removed += 1;
                    }
                    // The same node: keep the earlier cut as the start of the next edge.
                    continue;
                }
                if geom.len() < 2 {
                    geom.push(point(c));
                }
                graph.add_edge(pn, node, &geom, l.class, l.direction, l.level, l.source);
            }
            prev = Some((*c, node));
        }
    }
    // Zero-length edges after snapping both ends onto one node (shorter than the tolerance).
    let before = graph.edges.len();
    if graph
        .edges
        .iter()
        .any(|e| e.from == e.to && e.length_m <= tol.max(1e-9))
    {
        let mut kept = Graph::new();
        kept.node_xy = graph.node_xy.clone();
        kept.line_sources = graph.line_sources.clone();
        for (ei, e) in graph.edges.iter().enumerate() {
            if e.from == e.to && e.length_m <= tol.max(1e-9) {
                continue;
            }
            let geom = graph.edge_coords(ei as u32).to_vec();
            kept.add_edge(e.from, e.to, &geom, e.class, e.direction, e.level, e.line);
        }
        report.zero_length_edges_removed += before - kept.edges.len();
        graph = kept;
    }
    let mut degree = vec![0u32; graph.node_count()];
    for e in &graph.edges {
        degree[e.from as usize] += 1;
        degree[e.to as usize] += 1;
    }
    report.junction_nodes = degree.iter().filter(|d| **d >= 3).count();
    report.dead_ends = degree.iter().filter(|d| **d == 1).count();
    BuiltGraph { graph, report }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::crs::{Crs, CrsInfo};
    use crate::model::layer::{Field, FieldKind, Format, SourceId, SourceInfo};
    use geo_types::LineString;

    /// A layer of lines with fields highway, oneway, layer, bridge.
    pub(crate) fn road_layer(lines: &[(&[[f64; 2]], &str, &str, &str)]) -> Layer {
        let mut l = Layer::new(
            "roads",
            SourceInfo {
                path: "roads.geojson".into(),
                format: Format::GeoJson,
                table: None,
                encoding: None,
            },
            CrsInfo::declared(Crs::Epsg(4549), "test"),
        );
        l.fields = vec![
            Field::new("highway", FieldKind::Text),
            Field::new("oneway", FieldKind::Text),
            Field::new("bridge", FieldKind::Text),
        ];
        for (n, (coords, hw, oneway, bridge)) in lines.iter().enumerate() {
            l.features.push(Feature {
                geometry: Geometry::LineString(LineString::from(
                    coords.iter().map(|c| (c[0], c[1])).collect::<Vec<_>>(),
                )),
                attrs: vec![
                    AttrValue::Text(hw.to_string()),
                    AttrValue::Text(oneway.to_string()),
                    AttrValue::Text(bridge.to_string()),
                ],
                source_id: SourceId::Feature(n as u64 + 1),
                category: None,
            });
        }
        l
    }

    fn build(l: &Layer) -> BuiltGraph {
        let p = Profile::default();
        build_graph(&[l], &p, BuildOptions::from_profile(&p))
    }

    #[test]
    fn same_level_crossing_is_split_and_connected() {
        let l = road_layer(&[
            (&[[0.0, 50.0], [100.0, 50.0]], "residential", "", ""),
            (&[[50.0, 0.0], [50.0, 100.0]], "residential", "", ""),
        ]);
        let b = build(&l);
        assert_eq!(b.graph.node_count(), 5);
        assert_eq!(b.graph.edge_count(), 4);
        assert!(
            b.graph
                .edges
                .iter()
                .all(|e| (e.length_m - 50.0).abs() < 1e-9)
        );
        assert_eq!(b.report.junction_nodes, 1);
        assert_eq!(b.report.dead_ends, 4);
        assert_eq!(b.report.level_crossings_kept_apart, 0);
    }

    #[test]
    fn bridge_over_road_is_not_connected() {
        let l = road_layer(&[
            (&[[0.0, 50.0], [100.0, 50.0]], "primary", "", "yes"),
            (&[[50.0, 0.0], [50.0, 100.0]], "residential", "", ""),
        ]);
        let b = build(&l);
        assert_eq!(b.graph.node_count(), 4);
        assert_eq!(b.graph.edge_count(), 2);
        assert_eq!(b.report.level_crossings_kept_apart, 1);
        assert_eq!(b.graph.edges[0].level, 1);
    }

    #[test]
    fn near_miss_t_junction_and_duplicates_are_snapped() {
        let l = road_layer(&[
            (&[[0.0, 0.0], [100.0, 0.0]], "residential", "", ""),
            // ends 0.6 m above the first line; has a duplicate vertex
            (
                &[[40.0, 80.0], [40.0, 80.0], [40.0, 0.6]],
                "footway",
                "",
                "",
            ),
            // starts 0.4 m from the first line's end
            (&[[100.4, 0.0], [200.0, 0.0]], "residential", "", ""),
        ]);
        let b = build(&l);
        assert_eq!(b.report.duplicate_vertices_removed, 1);
        // nodes: 0, 40, 100, 200 on the line and the footway's top end
        assert_eq!(b.graph.node_count(), 5, "{:?}", b.graph.node_xy);
        assert_eq!(b.graph.edge_count(), 4);
        let comps = crate::network::components::Components::of_graph(&b.graph);
        assert_eq!(comps.count(), 1);
    }

    #[test]
    fn classes_oneway_and_ignored_values() {
        let l = road_layer(&[
            (&[[0.0, 0.0], [100.0, 0.0]], "motorway", "yes", ""),
            (&[[0.0, 10.0], [100.0, 10.0]], "construction", "", ""),
            (&[[0.0, 20.0], [100.0, 20.0]], "weird_value", "-1", ""),
        ]);
        let b = build(&l);
        let p = Profile::default();
        assert_eq!(b.graph.edge_count(), 2);
        assert_eq!(b.report.lines_ignored, 1);
        assert_eq!(b.graph.edges[0].class, p.class_id("expressway").expect("c"));
        assert_eq!(b.graph.edges[0].direction, Direction::Forward);
        assert_eq!(b.graph.edges[1].class, p.default_class);
        assert_eq!(b.graph.edges[1].direction, Direction::Backward);
        assert_eq!(b.report.unknown_class_values.get("weird_value"), Some(&1));
    }

    #[test]
    fn chinese_grade_field_maps_through_the_profile() {
        let mut l = road_layer(&[(&[[0.0, 0.0], [100.0, 0.0]], "", "", "")]);
        l.fields.push(Field::new("道路等级", FieldKind::Text));
        l.features[0].attrs.push(AttrValue::Text("县道".into()));
        let b = build(&l);
        let p = Profile::default();
        assert_eq!(b.graph.edges[0].class, p.class_id("county").expect("c"));
    }

    #[test]
    fn points_and_empty_lines_are_skipped_not_fatal() {
        let mut l = road_layer(&[
            (&[[0.0, 0.0], [0.0, 0.0]], "residential", "", ""),
            (&[[0.0, 0.0], [10.0, 0.0]], "residential", "", ""),
        ]);
        l.features.push(Feature {
            geometry: Geometry::Point(geo_types::Point::new(1.0, 1.0)),
            attrs: vec![AttrValue::Null; 3],
            source_id: SourceId::Feature(3),
            category: None,
        });
        let b = build(&l);
        assert_eq!(b.graph.edge_count(), 1);
        assert_eq!(b.report.lines_skipped, 2);
        assert_eq!(b.report.issues.len(), 2);
    }

    #[test]
    fn interior_shared_vertex_connects_at_same_level() {
        // Two lines crossing at a shared interior vertex (as OSM ways sharing a node).
        let l = road_layer(&[
            (
                &[[0.0, 0.0], [50.0, 0.0], [100.0, 0.0]],
                "residential",
                "",
                "",
            ),
            (
                &[[50.0, -50.0], [50.0, 0.0], [50.0, 50.0]],
                "residential",
                "",
                "",
            ),
        ]);
        let b = build(&l);
        assert_eq!(b.graph.node_count(), 5);
        assert_eq!(b.graph.edge_count(), 4);
    }
}
