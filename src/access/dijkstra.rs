//! Bounded multi-source Dijkstra: for every node, the travel time TO the nearest source
//! (facility) and which source that is. Sources sit on edges (snapped facilities), so each seeds
//! the one or two end nodes of its edge from which it can be reached.
//!
//! Times run from the node to the facility (a resident's trip), so the search walks the REVERSE
//! arcs of the mode graph; for modes without one-way streets this is the same as forward.
//!
//! A point's time ([`point_time`]) is the best of: leaving its edge by either end (where the mode
//! may travel that way) plus that node's time, or reaching a facility on the SAME edge directly;
//! plus the straight access leg at the mode's access speed. Times above the budget are reported
//! as unreached (infinite), which keeps every finite time exact.

use std::cmp::Ordering;
use std::collections::BinaryHeap;

use crate::network::graph::Graph;
use crate::network::mode::{ModeGraph, PASS_BACKWARD, PASS_FORWARD};

use super::snap::Snap;

/// The source id of a node no source reaches within the budget.
pub const NO_SOURCE: u32 = u32::MAX;

/// Per-node time to the nearest source and the source's id.
#[derive(Debug, Clone, PartialEq)]
pub struct NodeTimes {
    pub time_s: Vec<f64>,
    pub source: Vec<u32>,
}

impl NodeTimes {
    /// All nodes unreached.
    pub fn new(node_count: usize) -> NodeTimes {
        NodeTimes {
            time_s: vec![f64::INFINITY; node_count],
            source: vec![NO_SOURCE; node_count],
        }
    }

    /// Mark every node unreached, keeping the allocation.
    pub fn reset(&mut self) {
        self.time_s.fill(f64::INFINITY);
        self.source.fill(NO_SOURCE);
    }
}

/// A starting node of the search: the node, its time to the source, and the source id.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Seed {
    pub node: u32,
    pub time_s: f64,
    pub source: u32,
}

/// A source on the network: a facility snapped onto an edge.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct SourcePoint {
    pub id: u32,
    pub edge: u32,
    pub offset_m: f64,
    /// Time of the access leg between the road and the facility.
    pub access_s: f64,
    /// The facility's own position.
    pub xy: [f64; 2],
}

impl SourcePoint {
    /// A source from a snap, with the leg walked at `mode.access_speed_m_per_s`.
    pub fn from_snap(id: u32, snap: &Snap, mode: &ModeGraph) -> SourcePoint {
        SourcePoint {
            id,
            edge: snap.edge,
            offset_m: snap.offset_m,
            access_s: snap.access_m / mode.access_speed_m_per_s,
            xy: snap.from,
        }
    }

    /// The end nodes of the edge from which this source can be reached, with their times.
    pub fn seeds(&self, graph: &Graph, mode: &ModeGraph) -> [Option<Seed>; 2] {
        let e = self.edge as usize;
        let (Some(edge), Some(&s_per_m), Some(&pass)) = (
            graph.edges.get(e),
            mode.edge_s_per_m.get(e),
            mode.edge_pass.get(e),
        ) else {
            return [None, None];
        };
        let from = (pass & PASS_FORWARD != 0).then_some(Seed {
            node: edge.from,
            time_s: self.access_s + self.offset_m * s_per_m,
            source: self.id,
        });
        let to = (pass & PASS_BACKWARD != 0).then_some(Seed {
            node: edge.to,
            time_s: self.access_s + (edge.length_m - self.offset_m).max(0.0) * s_per_m,
            source: self.id,
        });
        [from, to]
    }
}

/// Sources sorted by edge, for finding the ones on a point's own edge.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct SourceSet {
    pub points: Vec<SourcePoint>,
}

impl SourceSet {
    pub fn new(mut points: Vec<SourcePoint>) -> SourceSet {
        points.sort_by_key(|p| (p.edge, p.id));
        SourceSet { points }
    }

    /// The sources on edge `e`.
    pub fn on_edge(&self, e: u32) -> &[SourcePoint] {
        let lo = self.points.partition_point(|p| p.edge < e);
        // An edge has few sources (mostly none): step over them, no second search.
        let n = self.points[lo..].iter().take_while(|p| p.edge == e).count();
        &self.points[lo..lo + n]
    }

    /// All seeds of all sources.
    pub fn seeds(&self, graph: &Graph, mode: &ModeGraph) -> Vec<Seed> {
        self.points
            .iter()
            .flat_map(|p| p.seeds(graph, mode))
            .flatten()
            .collect()
    }
}

#[derive(Debug, Clone, Copy, PartialEq)]
struct Item {
    time_s: f64,
    node: u32,
}

impl Eq for Item {}

impl Ord for Item {
    fn cmp(&self, other: &Self) -> Ordering {
        // Min-heap on time; ties by node for determinism.
        other
            .time_s
            .total_cmp(&self.time_s)
            .then_with(|| other.node.cmp(&self.node))
    }
}

impl PartialOrd for Item {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

/// A reusable heap for searches.
#[derive(Debug, Default)]
pub struct Workspace {
    heap: BinaryHeap<Item>,
}

/// Full search: reset `out`, then run from `seeds` up to `budget_s`.
pub fn multi_source(
    mode: &ModeGraph,
    seeds: &[Seed],
    budget_s: f64,
    out: &mut NodeTimes,
    ws: &mut Workspace,
) {
    if out.time_s.len() != mode.node_count() {
        *out = NodeTimes::new(mode.node_count());
    } else {
        out.reset();
    }
    improve(mode, seeds, budget_s, out, ws);
}

/// Lower node times from `seeds` where they improve on `out`, and propagate only those
/// improvements (used for a full search and for adding a facility). Returns how many node
/// updates were made.
pub fn improve(
    mode: &ModeGraph,
    seeds: &[Seed],
    budget_s: f64,
    out: &mut NodeTimes,
    ws: &mut Workspace,
) -> usize {
    ws.heap.clear();
    let mut updates = 0;
    for s in seeds {
        let v = s.node as usize;
        if v < out.time_s.len() && s.time_s <= budget_s && s.time_s < out.time_s[v] {
            out.time_s[v] = s.time_s;
            out.source[v] = s.source;
            ws.heap.push(Item {
                time_s: s.time_s,
                node: s.node,
            });
            updates += 1;
        }
    }
    updates + run(mode, budget_s, out, ws, None)
}

/// [`improve`], also recording every node it lowers in `touched` (a node may appear more than
/// once). Resetting only those nodes afterwards makes many small searches on one [`NodeTimes`]
/// cost their reach, not the graph's size (catchments of candidate sites).
pub fn improve_tracked(
    mode: &ModeGraph,
    seeds: &[Seed],
    budget_s: f64,
    out: &mut NodeTimes,
    ws: &mut Workspace,
    touched: &mut Vec<u32>,
) -> usize {
    ws.heap.clear();
    let mut updates = 0;
    for s in seeds {
        let v = s.node as usize;
        if v < out.time_s.len() && s.time_s <= budget_s && s.time_s < out.time_s[v] {
            out.time_s[v] = s.time_s;
            out.source[v] = s.source;
            touched.push(s.node);
            ws.heap.push(Item {
                time_s: s.time_s,
                node: s.node,
            });
            updates += 1;
        }
    }
    updates + run(mode, budget_s, out, ws, Some(touched))
}

/// The main loop: settle nodes in time order over the reverse arcs.
fn run(
    mode: &ModeGraph,
    budget_s: f64,
    out: &mut NodeTimes,
    ws: &mut Workspace,
    mut touched: Option<&mut Vec<u32>>,
) -> usize {
    let rev = &mode.rev;
    let mut updates = 0;
    while let Some(Item { time_s, node }) = ws.heap.pop() {
        let u = node as usize;
        if time_s > out.time_s[u] {
            continue; // stale entry
        }
        let src = out.source[u];
        for a in rev.range(node) {
            let v = rev.targets[a] as usize;
            let t = time_s + rev.cost_s[a];
            if t <= budget_s && t < out.time_s[v] {
                out.time_s[v] = t;
                out.source[v] = src;
                if let Some(list) = touched.as_deref_mut() {
                    list.push(v as u32);
                }
                ws.heap.push(Item {
                    time_s: t,
                    node: v as u32,
                });
                updates += 1;
            }
        }
    }
    updates
}

/// The time from a point snapped at `snap` to the nearest source, and which source; infinite
/// and [`NO_SOURCE`] when none is within `budget_s`.
pub fn point_time(
    graph: &Graph,
    mode: &ModeGraph,
    times: &NodeTimes,
    sources: &SourceSet,
    snap: &Snap,
    budget_s: f64,
) -> (f64, u32) {
    let e = snap.edge as usize;
    let (Some(edge), Some(&s_per_m), Some(&pass)) = (
        graph.edges.get(e),
        mode.edge_s_per_m.get(e),
        mode.edge_pass.get(e),
    ) else {
        return (f64::INFINITY, NO_SOURCE);
    };
    let access_s = snap.access_m / mode.access_speed_m_per_s;
    let mut best = (f64::INFINITY, NO_SOURCE);
    let mut consider = |t: f64, s: u32| {
        if s != NO_SOURCE && (t < best.0 || (t == best.0 && s < best.1)) {
            best = (t, s);
        }
    };
    if pass & PASS_FORWARD != 0 {
        let to = edge.to as usize;
        consider(
            (edge.length_m - snap.offset_m).max(0.0) * s_per_m + times.time_s[to],
            times.source[to],
        );
    }
    if pass & PASS_BACKWARD != 0 {
        let from = edge.from as usize;
        consider(
            snap.offset_m * s_per_m + times.time_s[from],
            times.source[from],
        );
    }
    let mut best_direct = (f64::INFINITY, NO_SOURCE);
    for f in sources.on_edge(snap.edge) {
        let d = f.offset_m - snap.offset_m;
        if (d >= 0.0 && pass & PASS_FORWARD != 0) || (d <= 0.0 && pass & PASS_BACKWARD != 0) {
            consider(d.abs() * s_per_m + f.access_s, f.id);
        }
        // A point next to a facility (the straight line between them no longer than their two
        // legs to the road, e.g. across the street or at the same place) walks straight there.
        let direct_m = crate::network::graph::dist_m(snap.from, f.xy);
        let legs_m = snap.access_m + f.access_s * mode.access_speed_m_per_s;
        if direct_m <= legs_m + 1e-9 {
            let direct_s = direct_m / mode.access_speed_m_per_s;
            if direct_s < best_direct.0 {
                best_direct = (direct_s, f.id);
            }
        }
    }
    let t = (best.0 + access_s).min(best_direct.0);
    let best = if best_direct.0 < best.0 + access_s {
        best_direct
    } else {
        best
    };
    if t <= budget_s && best.1 != NO_SOURCE {
        (t, best.1)
    } else {
        (f64::INFINITY, NO_SOURCE)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::network::graph::Direction;
    use crate::network::mode::TravelMode;
    use crate::standards::profile::RoadClassId;

    fn snap_at(g: &Graph, edge: u32, offset_m: f64) -> Snap {
        let p = g.point_at(edge, offset_m);
        Snap {
            edge,
            offset_m,
            access_m: 0.0,
            point: p,
            from: p,
        }
    }

    /// A river along y = 0..200 between two banks; one bridge at x = 500. A school at (0, 200)
    /// on the north bank; a home at (0, 0) on the south bank: 200 m apart, 1.2 km by the bridge.
    #[test]
    fn river_with_one_bridge() {
        let mut g = Graph::new();
        let s0 = g.add_node([0.0, 0.0]);
        let s1 = g.add_node([500.0, 0.0]);
        let n0 = g.add_node([0.0, 200.0]);
        let n1 = g.add_node([500.0, 200.0]);
        let c = RoadClassId(0);
        g.add_straight_edge(s0, s1, c, Direction::Both); // south bank
        g.add_straight_edge(n0, n1, c, Direction::Both); // north bank
        g.add_straight_edge(s1, n1, c, Direction::Both); // the bridge
        let m = ModeGraph::new(&g, &TravelMode::uniform("walk", 1.0, 1, false));
        let school = SourceSet::new(vec![SourcePoint::from_snap(0, &snap_at(&g, 1, 0.0), &m)]);
        let mut t = NodeTimes::new(4);
        multi_source(
            &m,
            &school.seeds(&g, &m),
            1800.0,
            &mut t,
            &mut Workspace::default(),
        );
        assert_eq!(t.time_s[n1 as usize], 500.0);
        assert_eq!(t.time_s[s1 as usize], 700.0);
        assert_eq!(t.time_s[s0 as usize], 1200.0);
        let home = snap_at(&g, 0, 0.0);
        assert_eq!(point_time(&g, &m, &t, &school, &home, 1800.0), (1200.0, 0));
        // Within 15 minutes (900 m) the school is out of reach: not a 200 m buffer.
        assert_eq!(
            point_time(&g, &m, &t, &school, &home, 900.0),
            (f64::INFINITY, NO_SOURCE)
        );
    }

    /// A one-way loop: a-b-c-a, 100 m sides, cars only clockwise.
    #[test]
    fn oneway_loop_for_cars() {
        let mut g = Graph::new();
        let a = g.add_node([0.0, 0.0]);
        let b = g.add_node([100.0, 0.0]);
        let c = g.add_node([100.0, 100.0]);
        let d = g.add_node([0.0, 100.0]);
        let cl = RoadClassId(0);
        for (x, y) in [(a, b), (b, c), (c, d), (d, a)] {
            g.add_straight_edge(x, y, cl, Direction::Forward);
        }
        let car = ModeGraph::new(&g, &TravelMode::uniform("car", 10.0, 1, true));
        // Facility at node b (start of edge 1).
        let f = SourceSet::new(vec![SourcePoint::from_snap(7, &snap_at(&g, 1, 0.0), &car)]);
        let mut t = NodeTimes::new(4);
        multi_source(
            &car,
            &f.seeds(&g, &car),
            1e9,
            &mut t,
            &mut Workspace::default(),
        );
        // From a: 100 m forward (10 s). From c: around the loop c->d->a->b, 300 m (30 s).
        assert_eq!(t.time_s[a as usize], 10.0);
        assert_eq!(t.time_s[c as usize], 30.0);
        assert_eq!(t.time_s[d as usize], 20.0);
        // A point in the middle of edge a->b, 50 m before the facility: 5 s, not backwards.
        assert_eq!(
            point_time(&g, &car, &t, &f, &snap_at(&g, 0, 50.0), 1e9),
            (5.0, 7)
        );
        // A point on edge b->c just after b: must go round (50 + 100 + 100 + 100 = 350 m).
        assert_eq!(
            point_time(&g, &car, &t, &f, &snap_at(&g, 1, 50.0), 1e9),
            (35.0, 7)
        );
        // A walker goes straight back.
        let walk = ModeGraph::new(&g, &TravelMode::uniform("walk", 1.0, 1, false));
        let fw = SourceSet::new(vec![SourcePoint::from_snap(7, &snap_at(&g, 1, 0.0), &walk)]);
        let mut tw = NodeTimes::new(4);
        multi_source(
            &walk,
            &fw.seeds(&g, &walk),
            1e9,
            &mut tw,
            &mut Workspace::default(),
        );
        assert_eq!(
            point_time(&g, &walk, &tw, &fw, &snap_at(&g, 1, 50.0), 1e9),
            (50.0, 7)
        );
    }

    #[test]
    fn facility_and_demand_on_the_same_edge() {
        let mut g = Graph::new();
        let a = g.add_node([0.0, 0.0]);
        let b = g.add_node([1000.0, 0.0]);
        g.add_straight_edge(a, b, RoadClassId(0), Direction::Both);
        let m = ModeGraph::new(&g, &TravelMode::uniform("walk", 1.0, 1, false));
        let mut fs = snap_at(&g, 0, 400.0);
        fs.access_m = 20.0;
        fs.from = [400.0, 20.0];
        let f = SourceSet::new(vec![SourcePoint::from_snap(0, &fs, &m)]);
        let mut t = NodeTimes::new(2);
        multi_source(
            &m,
            &f.seeds(&g, &m),
            300.0,
            &mut t,
            &mut Workspace::default(),
        );
        // Both end nodes are beyond 300 s; a point 100 m from the facility is not.
        assert!(t.time_s.iter().all(|x| x.is_infinite()));
        let mut p = snap_at(&g, 0, 500.0);
        p.access_m = 30.0;
        p.from = [500.0, -30.0];
        assert_eq!(point_time(&g, &m, &t, &f, &p, 300.0), (150.0, 0));
        // At the facility's own place: there already.
        assert_eq!(point_time(&g, &m, &t, &f, &fs, 300.0), (0.0, 0));
        // Across the street: 20 + 30 m straight over.
        let mut q = snap_at(&g, 0, 400.0);
        q.access_m = 30.0;
        q.from = [400.0, -30.0];
        assert_eq!(point_time(&g, &m, &t, &f, &q, 300.0), (50.0, 0));
    }

    #[test]
    fn improve_only_touches_better_nodes() {
        let mut g = Graph::new();
        let n: Vec<u32> = (0..5)
            .map(|i| g.add_node([i as f64 * 100.0, 0.0]))
            .collect();
        for w in n.windows(2) {
            g.add_straight_edge(w[0], w[1], RoadClassId(0), Direction::Both);
        }
        let m = ModeGraph::new(&g, &TravelMode::uniform("walk", 1.0, 1, false));
        let mut t = NodeTimes::new(5);
        let mut ws = Workspace::default();
        multi_source(
            &m,
            &[Seed {
                node: 0,
                time_s: 0.0,
                source: 0,
            }],
            1e9,
            &mut t,
            &mut ws,
        );
        assert_eq!(t.time_s, vec![0.0, 100.0, 200.0, 300.0, 400.0]);
        let changed = improve(
            &m,
            &[Seed {
                node: 4,
                time_s: 0.0,
                source: 1,
            }],
            1e9,
            &mut t,
            &mut ws,
        );
        assert_eq!(changed, 2); // nodes 4 and 3 (node 2 ties and keeps source 0)
        assert_eq!(t.time_s, vec![0.0, 100.0, 200.0, 100.0, 0.0]);
        assert_eq!(t.source, vec![0, 0, 0, 1, 1]);
    }
}
