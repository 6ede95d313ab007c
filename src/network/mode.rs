//! Travel modes (walk, bicycle, e-bike, car) from the standards profile, and the per-mode
//! adjacency of a graph: forward and reverse CSR arcs with travel times in seconds.

use serde::Serialize;

use crate::error::{Error, Result};
use crate::standards::profile::{Profile, Provenance, RoadClassId};

use super::graph::{Csr, Edge, Graph};

/// A travel mode, resolved from a profile: speed per road class (None = not allowed).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TravelMode {
    pub id: String,
    pub zh: String,
    pub en: String,
    /// Speed on each road class, indexed by [`RoadClassId`]; None where the mode may not go.
    pub class_speed_m_per_s: Vec<Option<f64>>,
    /// The base speed (classes without their own speed), and its provenance.
    pub speed_m_per_s: f64,
    pub speed_source: Provenance,
    pub speed_cite: String,
    /// Whether one-way streets restrict this mode.
    pub oneway: bool,
    /// Speed of the straight leg between a point and the road it snaps to.
    pub access_speed_m_per_s: f64,
    /// Points farther than this from a usable road are not reachable.
    pub max_snap_m: f64,
}

impl TravelMode {
    /// The mode `id` of `profile` (walk, bike, ebike, car in the shipped profile).
    pub fn from_profile(profile: &Profile, id: &str) -> Result<TravelMode> {
        let Some(m) = profile.mode(id) else {
            return Err(Error::Config(format!(
                "unknown travel mode \"{id}\" (the profile defines: {}): {}",
                profile
                    .modes
                    .iter()
                    .map(|m| m.id.as_str())
                    .collect::<Vec<_>>()
                    .join(", "),
                profile.path.display()
            )));
        };
        let class_speed_m_per_s = (0..profile.road_classes.len())
            .map(|i| {
                let c = RoadClassId(i as u8);
                if m.forbidden_classes.contains(&c) {
                    None
                } else {
                    Some(
                        m.class_speed_km_h
                            .iter()
                            .find(|(k, _)| *k == c)
                            .map(|(_, v)| v.value / 3.6)
                            .unwrap_or(m.speed_m_per_s.value),
                    )
                }
            })
            .collect();
        Ok(TravelMode {
            id: m.id.clone(),
            zh: m.zh.clone(),
            en: m.en.clone(),
            class_speed_m_per_s,
            speed_m_per_s: m.speed_m_per_s.value,
            speed_source: m.speed_m_per_s.source,
            speed_cite: m.speed_m_per_s.cite.clone(),
            oneway: m.oneway,
            access_speed_m_per_s: m.access_speed_m_per_s.value,
            max_snap_m: profile.network.max_snap_m.value,
        })
    }

    /// A mode with one speed on every class (tests, synthetic data).
    pub fn uniform(id: &str, speed_m_per_s: f64, class_count: usize, oneway: bool) -> TravelMode {
        TravelMode {
            id: id.into(),
            zh: String::new(),
            en: String::new(),
            class_speed_m_per_s: vec![Some(speed_m_per_s); class_count.max(1)],
            speed_m_per_s,
            speed_source: Provenance::Proposed,
            speed_cite: String::new(),
            oneway,
            access_speed_m_per_s: speed_m_per_s,
            max_snap_m: 500.0,
        }
    }

    /// The speed on a road class, None where the mode may not go.
    pub fn speed_on(&self, class: RoadClassId) -> Option<f64> {
        self.class_speed_m_per_s
            .get(usize::from(class.0))
            .copied()
            .flatten()
            .filter(|s| *s > 0.0)
    }

    /// Whether the mode may travel along `edge` from `from` to `to`, and from `to` to `from`.
    pub fn passes(&self, edge: &Edge) -> (bool, bool) {
        if self.speed_on(edge.class).is_none() {
            return (false, false);
        }
        if self.oneway {
            (
                edge.direction.allows_forward(),
                edge.direction.allows_backward(),
            )
        } else {
            (true, true)
        }
    }
}

/// Bit flags of [`ModeGraph::edge_pass`].
pub const PASS_FORWARD: u8 = 1;
pub const PASS_BACKWARD: u8 = 2;

/// A graph as one mode sees it: forward arcs (`fwd`: u -> v) and reverse arcs (`rev`: for each
/// node, the arcs that end there), travel seconds per metre and passable directions per edge.
#[derive(Debug, Clone, PartialEq)]
pub struct ModeGraph {
    pub fwd: Csr,
    pub rev: Csr,
    /// Seconds per metre on each edge; infinite where the mode may not go.
    pub edge_s_per_m: Vec<f64>,
    /// [`PASS_FORWARD`] | [`PASS_BACKWARD`] per edge.
    pub edge_pass: Vec<u8>,
    pub access_speed_m_per_s: f64,
}

impl ModeGraph {
    /// Derive the adjacency of `graph` for `mode`.
    pub fn new(graph: &Graph, mode: &TravelMode) -> ModeGraph {
        let n = graph.node_count();
        let mut fwd_arcs = Vec::with_capacity(graph.edge_count() * 2);
        let mut edge_s_per_m = Vec::with_capacity(graph.edge_count());
        let mut edge_pass = Vec::with_capacity(graph.edge_count());
        for (i, e) in graph.edges.iter().enumerate() {
            let (f, b) = mode.passes(e);
            let s_per_m = mode.speed_on(e.class).map_or(f64::INFINITY, |v| 1.0 / v);
            edge_s_per_m.push(s_per_m);
            edge_pass.push((u8::from(f) * PASS_FORWARD) | (u8::from(b) * PASS_BACKWARD));
            let cost_s = e.length_m * s_per_m;
            if f {
                fwd_arcs.push((e.from, e.to, cost_s, i as u32));
            }
            if b {
                fwd_arcs.push((e.to, e.from, cost_s, i as u32));
            }
        }
        let fwd = Csr::from_arcs(n, &fwd_arcs);
        let rev_arcs: Vec<_> = fwd_arcs.iter().map(|a| (a.1, a.0, a.2, a.3)).collect();
        let rev = Csr::from_arcs(n, &rev_arcs);
        ModeGraph {
            fwd,
            rev,
            edge_s_per_m,
            edge_pass,
            access_speed_m_per_s: mode.access_speed_m_per_s,
        }
    }

    /// Whether the mode can use edge `e` at all.
    #[inline]
    pub fn usable(&self, e: u32) -> bool {
        self.edge_pass.get(e as usize).is_some_and(|p| *p != 0)
    }

    pub fn node_count(&self) -> usize {
        self.fwd.offsets.len().saturating_sub(1)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::network::graph::Direction;

    #[test]
    fn modes_follow_the_profile() {
        let p = Profile::default();
        let walk = TravelMode::from_profile(&p, "walk").expect("walk");
        let car = TravelMode::from_profile(&p, "car").expect("car");
        let expressway = p.class_id("expressway").expect("c");
        let footway = p.class_id("footway").expect("c");
        let county = p.class_id("county").expect("c");
        assert_eq!(walk.speed_on(expressway), None);
        assert_eq!(walk.speed_on(footway), Some(1.0));
        assert_eq!(car.speed_on(footway), None);
        assert!((car.speed_on(county).expect("speed") - 40.0 / 3.6).abs() < 1e-12);
        assert!(car.oneway && !walk.oneway);
        let e = TravelMode::from_profile(&p, "plane").expect_err("unknown");
        assert!(e.to_string().contains("walk"), "{e}");
    }

    #[test]
    fn oneway_gives_one_arc_for_cars_two_for_walkers() {
        let p = Profile::default();
        let local = p.class_id("local").expect("c");
        let mut g = Graph::new();
        let a = g.add_node([0.0, 0.0]);
        let b = g.add_node([100.0, 0.0]);
        g.add_straight_edge(a, b, local, Direction::Forward);
        let car = ModeGraph::new(&g, &TravelMode::from_profile(&p, "car").expect("car"));
        assert_eq!(car.fwd.arc_count(), 1);
        assert_eq!(car.fwd.targets[car.fwd.range(a)], [b]);
        assert_eq!(car.rev.targets[car.rev.range(b)], [a]);
        assert!((car.fwd.cost_s[0] - 12.0).abs() < 1e-9); // 100 m at 30 km/h
        let walk = ModeGraph::new(&g, &TravelMode::from_profile(&p, "walk").expect("walk"));
        assert_eq!(walk.fwd.arc_count(), 2);
        assert_eq!(walk.fwd.cost_s[0], 100.0);
    }
}
