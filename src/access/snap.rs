//! Snapping points onto the road network: the nearest point on the nearest edge a mode can use
//! (not the nearest node), via an R-tree of edge segments.

use rstar::RTree;
use rstar::primitives::{GeomWithData, Line};
use serde::Serialize;

use crate::network::graph::{Graph, dist_m};

/// Where a point joins the network.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Snap {
    pub edge: u32,
    /// Distance along the edge from its `from` node to the snapped point.
    pub offset_m: f64,
    /// Length of the straight leg from the point to the network.
    pub access_m: f64,
    /// The snapped point on the edge.
    pub point: [f64; 2],
    /// The point that was snapped.
    pub from: [f64; 2],
}

type Segment = GeomWithData<Line<[f64; 2]>, (u32, f64)>;

/// An R-tree of every edge segment, with its edge and the offset of the segment's start.
#[derive(Debug, Clone)]
pub struct SnapIndex {
    tree: RTree<Segment>,
}

impl SnapIndex {
    /// Index the segments of every edge of `graph`.
    pub fn new(graph: &Graph) -> SnapIndex {
        let mut segs = Vec::new();
        for e in 0..graph.edge_count() as u32 {
            let mut at = 0.0;
            for w in graph.edge_coords(e).windows(2) {
                segs.push(GeomWithData::new(Line::new(w[0], w[1]), (e, at)));
                at += dist_m(w[0], w[1]);
            }
        }
        SnapIndex {
            tree: RTree::bulk_load(segs),
        }
    }

    /// Snap `p` onto the nearest segment of an edge for which `usable(edge)` holds, no farther
    /// than `max_m`. None when there is no such edge within reach.
    pub fn snap(&self, p: [f64; 2], max_m: f64, usable: impl Fn(u32) -> bool) -> Option<Snap> {
        if !(p[0].is_finite() && p[1].is_finite()) {
            return None;
        }
        let max2 = max_m * max_m;
        for (seg, d2) in self.tree.nearest_neighbor_iter_with_distance_2(&p) {
            if d2 > max2 {
                return None;
            }
            let (edge, start_m) = seg.data;
            if !usable(edge) {
                continue;
            }
            let (a, b) = (seg.geom().from, seg.geom().to);
            let (dx, dy) = (b[0] - a[0], b[1] - a[1]);
            let len2 = dx * dx + dy * dy;
            let t = if len2 > 0.0 {
                (((p[0] - a[0]) * dx + (p[1] - a[1]) * dy) / len2).clamp(0.0, 1.0)
            } else {
                0.0
            };
            let point = [a[0] + dx * t, a[1] + dy * t];
            return Some(Snap {
                edge,
                offset_m: start_m + t * len2.sqrt(),
                access_m: d2.sqrt(),
                point,
                from: p,
            });
        }
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::network::graph::Direction;
    use crate::standards::profile::RoadClassId;

    #[test]
    fn snaps_to_the_middle_of_an_edge_not_a_node() {
        let mut g = Graph::new();
        let a = g.add_node([0.0, 0.0]);
        let b = g.add_node([200.0, 0.0]);
        let c = g.add_node([200.0, 200.0]);
        g.add_straight_edge(a, b, RoadClassId(0), Direction::Both);
        g.add_straight_edge(b, c, RoadClassId(1), Direction::Both);
        let idx = SnapIndex::new(&g);
        let s = idx.snap([80.0, 30.0], 500.0, |_| true).expect("snap");
        assert_eq!(s.edge, 0);
        assert!((s.offset_m - 80.0).abs() < 1e-9);
        assert!((s.access_m - 30.0).abs() < 1e-9);
        assert_eq!(s.point, [80.0, 0.0]);
        // Edge 0 unusable: the nearest usable is edge 1 (at its start, 120 m along x, 30 up).
        let s = idx.snap([80.0, 30.0], 500.0, |e| e == 1).expect("snap");
        assert_eq!(s.edge, 1);
        assert!((s.offset_m - 30.0).abs() < 1e-9);
        assert!((s.access_m - 120.0).abs() < 1e-9);
    }

    #[test]
    fn beyond_max_snap_is_not_reachable() {
        let mut g = Graph::new();
        let a = g.add_node([0.0, 0.0]);
        let b = g.add_node([100.0, 0.0]);
        g.add_straight_edge(a, b, RoadClassId(0), Direction::Both);
        let idx = SnapIndex::new(&g);
        assert!(idx.snap([50.0, 499.0], 500.0, |_| true).is_some());
        assert!(idx.snap([50.0, 501.0], 500.0, |_| true).is_none());
        assert!(idx.snap([f64::NAN, 0.0], 500.0, |_| true).is_none());
    }
}
