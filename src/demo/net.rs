//! A small routable network over the generated roads (local metres): walking and driving
//! costs, nearest-segment snapping and multi-source Dijkstra. The generator uses it to keep
//! homes where the services are; the tests use it to check the planted gaps.

use std::collections::{BinaryHeap, HashMap};

use geo_types::Coord;

use super::data::{ASSUMED_CAR_SPEEDS_KMH, RoadClass};
use super::geom::*;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    Walk,
    Car,
}

pub fn car_speed_m_per_s(class: RoadClass) -> f64 {
    ASSUMED_CAR_SPEEDS_KMH
        .iter()
        .find(|(h, _)| *h == class.highway())
        .map(|(_, v)| v / 3.6)
        .unwrap_or(0.0)
}

pub struct Net {
    pub nodes: Vec<Coord>,
    adj: Vec<Vec<(usize, f64)>>,
    /// (from, to, cost) per segment, for snapping.
    segs: Vec<(usize, usize, f64)>,
    grid: HashMap<(i64, i64), Vec<usize>>,
    mode: Mode,
}

const SNAP_CELL: f64 = 100.0;
/// Longest edge of the network: segments are split into pieces of at most this length.
const PIECE_M: f64 = 15.0;

impl Net {
    pub fn new(roads: &[super::data::Road], mode: Mode) -> Net {
        let mut index: HashMap<(u64, u64), usize> = HashMap::new();
        let mut net = Net {
            nodes: Vec::new(),
            adj: Vec::new(),
            segs: Vec::new(),
            grid: HashMap::new(),
            mode,
        };
        for r in roads {
            let allowed = match mode {
                Mode::Walk => !matches!(r.class, RoadClass::Motorway | RoadClass::MotorwayLink),
                Mode::Car => r.class != RoadClass::Footway,
            };
            if !allowed {
                continue;
            }
            let mut ids = Vec::new();
            for p in &r.pts {
                let key = (p.x.to_bits(), p.y.to_bits());
                let id = *index.entry(key).or_insert_with(|| {
                    net.nodes.push(*p);
                    net.adj.push(Vec::new());
                    net.nodes.len() - 1
                });
                ids.push(id);
            }
            for w in ids.windows(2) {
                // Split long segments so that two points on one segment meet through it.
                let (a, b) = (net.nodes[w[0]], net.nodes[w[1]]);
                let pieces = (dist(a, b) / PIECE_M).ceil().max(1.0) as usize;
                let mut prev = w[0];
                for k in 1..=pieces {
                    let next = if k == pieces {
                        w[1]
                    } else {
                        net.nodes.push(lerp(a, b, k as f64 / pieces as f64));
                        net.adj.push(Vec::new());
                        net.nodes.len() - 1
                    };
                    net.add_edge(prev, next, r.class);
                    prev = next;
                }
            }
        }
        net
    }

    fn add_edge(&mut self, u: usize, v: usize, class: RoadClass) {
        let (a, b) = (self.nodes[u], self.nodes[v]);
        let len = dist(a, b);
        let cost = match self.mode {
            Mode::Walk => len,
            Mode::Car => len / car_speed_m_per_s(class),
        };
        self.adj[u].push((v, cost));
        self.adj[v].push((u, cost));
        let sid = self.segs.len();
        self.segs.push((u, v, cost));
        let n = (len / 50.0).ceil().max(1.0) as usize;
        let mut keys: Vec<(i64, i64)> = (0..=n)
            .map(|k| {
                let p = lerp(a, b, k as f64 / n as f64);
                (
                    (p.x / SNAP_CELL).floor() as i64,
                    (p.y / SNAP_CELL).floor() as i64,
                )
            })
            .collect();
        keys.sort();
        keys.dedup();
        for k in keys {
            self.grid.entry(k).or_default().push(sid);
        }
    }

    /// Nearest segment: (segment, position 0..1 along it, perpendicular distance m).
    pub fn snap(&self, p: Coord) -> (usize, f64, f64) {
        let k = (
            (p.x / SNAP_CELL).floor() as i64,
            (p.y / SNAP_CELL).floor() as i64,
        );
        let mut best = (usize::MAX, 0.0, f64::INFINITY);
        for r in 0..40_i64 {
            for dx in -r..=r {
                for dy in -r..=r {
                    if dx.abs() != r && dy.abs() != r {
                        continue;
                    }
                    if let Some(ids) = self.grid.get(&(k.0 + dx, k.1 + dy)) {
                        for &sid in ids {
                            let (u, v, _) = self.segs[sid];
                            let (a, b) = (self.nodes[u], self.nodes[v]);
                            let ab = sub(b, a);
                            let l2 = ab.x * ab.x + ab.y * ab.y;
                            let tt = if l2 > 0.0 {
                                (((p.x - a.x) * ab.x + (p.y - a.y) * ab.y) / l2).clamp(0.0, 1.0)
                            } else {
                                0.0
                            };
                            let d = dist(p, lerp(a, b, tt));
                            if d < best.2 {
                                best = (sid, tt, d);
                            }
                        }
                    }
                }
            }
            if best.0 != usize::MAX && best.2 < (r as f64) * SNAP_CELL {
                break;
            }
        }
        best
    }

    /// The cost of walking the perpendicular from a point to the network.
    pub fn access_cost(&self, d_m: f64) -> f64 {
        match self.mode {
            Mode::Walk => d_m,
            Mode::Car => 0.0,
        }
    }

    pub fn sources(&self, pts: &[Coord]) -> Vec<(usize, f64)> {
        let mut out = Vec::new();
        for p in pts {
            let (sid, tt, d) = self.snap(*p);
            let (u, v, cost) = self.segs[sid];
            let a = self.access_cost(d);
            out.push((u, a + tt * cost));
            out.push((v, a + (1.0 - tt) * cost));
        }
        out
    }

    pub fn dijkstra(&self, sources: &[(usize, f64)]) -> Vec<f64> {
        #[derive(PartialEq)]
        struct S(f64, usize);
        impl Eq for S {}
        impl PartialOrd for S {
            fn partial_cmp(&self, o: &Self) -> Option<std::cmp::Ordering> {
                Some(self.cmp(o))
            }
        }
        impl Ord for S {
            fn cmp(&self, o: &Self) -> std::cmp::Ordering {
                o.0.total_cmp(&self.0)
            }
        }
        let mut d = vec![f64::INFINITY; self.nodes.len()];
        let mut heap = BinaryHeap::new();
        for &(n, c0) in sources {
            if c0 < d[n] {
                d[n] = c0;
                heap.push(S(c0, n));
            }
        }
        while let Some(S(c0, n)) = heap.pop() {
            if c0 > d[n] {
                continue;
            }
            for &(m, w) in &self.adj[n] {
                if c0 + w < d[m] {
                    d[m] = c0 + w;
                    heap.push(S(c0 + w, m));
                }
            }
        }
        d
    }

    /// Cost from the sources of `d` to point `p`.
    pub fn cost_to(&self, d: &[f64], p: Coord) -> f64 {
        let (sid, tt, dp) = self.snap(p);
        let (u, v, cost) = self.segs[sid];
        self.access_cost(dp) + (d[u] + tt * cost).min(d[v] + (1.0 - tt) * cost)
    }

    /// Number of connected parts (1 for a connected network).
    #[cfg(test)]
    pub fn components(&self) -> usize {
        let mut seen = vec![false; self.nodes.len()];
        let mut count = 0;
        for s in 0..self.nodes.len() {
            if seen[s] {
                continue;
            }
            count += 1;
            let mut stack = vec![s];
            seen[s] = true;
            while let Some(n) = stack.pop() {
                for &(m, _) in &self.adj[n] {
                    if !seen[m] {
                        seen[m] = true;
                        stack.push(m);
                    }
                }
            }
        }
        count
    }
}
