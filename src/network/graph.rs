//! The road graph: nodes, edges with their geometry (compact arrays), and a CSR adjacency type.
//!
//! The graph is built once per load ([`super::build`]); each travel mode derives its own
//! adjacency with travel times from it ([`super::mode::ModeGraph`]).

use serde::Serialize;

use crate::model::layer::SourceId;
use crate::standards::profile::RoadClassId;

/// Which way traffic may run along an edge (for modes that respect one-way streets).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum Direction {
    Both,
    /// Only from `from` to `to`.
    Forward,
    /// Only from `to` to `from`.
    Backward,
}

impl Direction {
    pub fn allows_forward(self) -> bool {
        matches!(self, Direction::Both | Direction::Forward)
    }
    pub fn allows_backward(self) -> bool {
        matches!(self, Direction::Both | Direction::Backward)
    }
}

/// An edge between two nodes, along a piece of one source line.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Edge {
    pub from: u32,
    pub to: u32,
    pub length_m: f64,
    pub class: RoadClassId,
    pub direction: Direction,
    /// Vertical level (OSM `layer`, bridges +1, tunnels -1 when no layer is given).
    pub level: i8,
    /// Index into [`Graph::line_sources`].
    pub line: u32,
}

/// Where a source line came from: the layer (index in the input list) and the feature.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct LineSource {
    pub layer: u32,
    pub feature: SourceId,
}

/// A road graph in a metric CRS. Edge geometry is stored as one coordinate array with offsets;
/// each edge's geometry starts at its `from` node and ends at its `to` node.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Graph {
    pub node_xy: Vec<[f64; 2]>,
    pub edges: Vec<Edge>,
    geom_offsets: Vec<u32>,
    geom_xy: Vec<[f64; 2]>,
    pub line_sources: Vec<LineSource>,
}

/// The length of a polyline in metres.
pub fn polyline_length_m(coords: &[[f64; 2]]) -> f64 {
    coords.windows(2).map(|w| dist_m(w[0], w[1])).sum()
}

/// Euclidean distance between two points in metres.
#[inline]
pub fn dist_m(a: [f64; 2], b: [f64; 2]) -> f64 {
    (a[0] - b[0]).hypot(a[1] - b[1])
}

impl Graph {
    /// An empty graph.
    pub fn new() -> Self {
        Graph {
            geom_offsets: vec![0],
            ..Default::default()
        }
    }

    /// Add a node; returns its index.
    pub fn add_node(&mut self, xy: [f64; 2]) -> u32 {
        self.node_xy.push(xy);
        (self.node_xy.len() - 1) as u32
    }

    /// Add an edge along `geometry` (at least two points; the first and last are replaced by the
    /// node positions). The length is measured along the geometry.
    #[allow(clippy::too_many_arguments)]
    pub fn add_edge(
        &mut self,
        from: u32,
        to: u32,
        geometry: &[[f64; 2]],
        class: RoadClassId,
        direction: Direction,
        level: i8,
        line: u32,
    ) -> u32 {
        if self.geom_offsets.is_empty() {
            self.geom_offsets.push(0);
        }
        let start = self.geom_xy.len();
        self.geom_xy.push(self.node_xy[from as usize]);
        if geometry.len() > 2 {
            self.geom_xy
                .extend_from_slice(&geometry[1..geometry.len() - 1]);
        }
        self.geom_xy.push(self.node_xy[to as usize]);
        self.geom_offsets.push(self.geom_xy.len() as u32);
        let length_m = polyline_length_m(&self.geom_xy[start..]);
        self.edges.push(Edge {
            from,
            to,
            length_m,
            class,
            direction,
            level,
            line,
        });
        (self.edges.len() - 1) as u32
    }

    /// A straight edge between two nodes (tests and synthetic graphs).
    pub fn add_straight_edge(
        &mut self,
        from: u32,
        to: u32,
        class: RoadClassId,
        direction: Direction,
    ) -> u32 {
        let (a, b) = (self.node_xy[from as usize], self.node_xy[to as usize]);
        self.add_edge(from, to, &[a, b], class, direction, 0, 0)
    }

    pub fn node_count(&self) -> usize {
        self.node_xy.len()
    }

    pub fn edge_count(&self) -> usize {
        self.edges.len()
    }

    /// The geometry of edge `e`, from its `from` node to its `to` node.
    pub fn edge_coords(&self, e: u32) -> &[[f64; 2]] {
        let i = e as usize;
        match (self.geom_offsets.get(i), self.geom_offsets.get(i + 1)) {
            (Some(&a), Some(&b)) => &self.geom_xy[a as usize..b as usize],
            _ => &[],
        }
    }

    /// Total length of all edges in metres.
    pub fn total_length_m(&self) -> f64 {
        self.edges.iter().map(|e| e.length_m).sum()
    }

    /// The point at `offset_m` along edge `e` from its `from` node (clamped to the edge).
    pub fn point_at(&self, e: u32, offset_m: f64) -> [f64; 2] {
        let c = self.edge_coords(e);
        let Some(&first) = c.first() else {
            return [f64::NAN, f64::NAN];
        };
        if offset_m <= 0.0 {
            return first;
        }
        let mut left = offset_m;
        for w in c.windows(2) {
            let d = dist_m(w[0], w[1]);
            if left <= d && d > 0.0 {
                let t = left / d;
                return [
                    w[0][0] + (w[1][0] - w[0][0]) * t,
                    w[0][1] + (w[1][1] - w[0][1]) * t,
                ];
            }
            left -= d;
        }
        c[c.len() - 1]
    }

    /// The part of edge `e` between `a_m` and `b_m` from its `from` node (a_m <= b_m), as a
    /// polyline of at least two points.
    pub fn sub_line(&self, e: u32, a_m: f64, b_m: f64) -> Vec<[f64; 2]> {
        let c = self.edge_coords(e);
        let mut out = vec![self.point_at(e, a_m)];
        let mut at = 0.0;
        for w in c.windows(2) {
            at += dist_m(w[0], w[1]);
            if at > a_m && at < b_m {
                out.push(w[1]);
            }
        }
        out.push(self.point_at(e, b_m));
        out
    }

    /// The bounding box of the nodes: (min, max), None for an empty graph.
    pub fn bbox(&self) -> Option<([f64; 2], [f64; 2])> {
        let first = *self.geom_xy.first().or(self.node_xy.first())?;
        let (mut lo, mut hi) = (first, first);
        for p in self.geom_xy.iter().chain(self.node_xy.iter()) {
            lo = [lo[0].min(p[0]), lo[1].min(p[1])];
            hi = [hi[0].max(p[0]), hi[1].max(p[1])];
        }
        Some((lo, hi))
    }
}

/// Compressed sparse rows: for each node, a run of arcs (target node, cost in seconds, edge id).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Csr {
    pub offsets: Vec<u32>,
    pub targets: Vec<u32>,
    pub cost_s: Vec<f64>,
    pub edge: Vec<u32>,
}

impl Csr {
    /// Build from arcs `(from, to, cost_s, edge)` over `node_count` nodes (counting sort).
    pub fn from_arcs(node_count: usize, arcs: &[(u32, u32, f64, u32)]) -> Csr {
        let mut offsets = vec![0u32; node_count + 1];
        for a in arcs {
            offsets[a.0 as usize + 1] += 1;
        }
        for i in 0..node_count {
            offsets[i + 1] += offsets[i];
        }
        let mut fill = offsets.clone();
        let mut targets = vec![0u32; arcs.len()];
        let mut cost_s = vec![0f64; arcs.len()];
        let mut edge = vec![0u32; arcs.len()];
        for a in arcs {
            let slot = fill[a.0 as usize] as usize;
            fill[a.0 as usize] += 1;
            targets[slot] = a.1;
            cost_s[slot] = a.2;
            edge[slot] = a.3;
        }
        Csr {
            offsets,
            targets,
            cost_s,
            edge,
        }
    }

    /// The arc index range of node `u`.
    #[inline]
    pub fn range(&self, u: u32) -> std::ops::Range<usize> {
        let u = u as usize;
        self.offsets[u] as usize..self.offsets[u + 1] as usize
    }

    pub fn arc_count(&self) -> usize {
        self.targets.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn edge_geometry_and_points() {
        let mut g = Graph::new();
        let a = g.add_node([0.0, 0.0]);
        let b = g.add_node([100.0, 100.0]);
        let e = g.add_edge(
            a,
            b,
            &[[0.0, 0.0], [100.0, 0.0], [100.0, 100.0]],
            RoadClassId(0),
            Direction::Both,
            0,
            0,
        );
        assert_eq!(g.edges[e as usize].length_m, 200.0);
        assert_eq!(g.point_at(e, 150.0), [100.0, 50.0]);
        assert_eq!(g.point_at(e, 999.0), [100.0, 100.0]);
        assert_eq!(
            g.sub_line(e, 50.0, 150.0),
            vec![[50.0, 0.0], [100.0, 0.0], [100.0, 50.0]]
        );
        assert_eq!(g.bbox(), Some(([0.0, 0.0], [100.0, 100.0])));
    }

    #[test]
    fn csr_groups_arcs_by_source() {
        let csr = Csr::from_arcs(3, &[(2, 0, 1.0, 0), (0, 1, 2.0, 1), (2, 1, 3.0, 2)]);
        assert_eq!(csr.range(0), 0..1);
        assert_eq!(csr.range(1), 1..1);
        assert_eq!(csr.range(2), 1..3);
        assert_eq!(csr.targets[1..3], [0, 1]);
        assert_eq!(csr.cost_s[1..3], [1.0, 3.0]);
    }
}
