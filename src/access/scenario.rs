//! Scenario edits: add, move or remove one facility of a category and update the travel times
//! without recomputing everything.
//!
//! The state is, per node, the best time to a facility and which facility gives it.
//! - Adding a facility runs one bounded search from the new facility that relaxes only the
//!   nodes it improves (strictly).
//! - Removing a facility resets only the nodes whose source was that facility, seeds them from
//!   their still-valid neighbours and from other facilities on their edges, and re-runs the
//!   search over them. Nodes whose source was another facility keep their (still optimal) time:
//!   removing a source never shortens a path.
//! - Moving = removing and adding under the same id.
//!
//! Both equal a full recompute (tested: times are identical; ties may pick another facility).
//! The demand points' times are kept current the same way: an edit recomputes only the points
//! on edges with an end node it changed, or on the edge of the facility it placed or removed.

use std::borrow::Borrow;

use super::dijkstra::{self, NO_SOURCE, NodeTimes, Seed, SourcePoint, SourceSet, Workspace};
use super::{Analysis, CategoryTimes, Method};
use crate::model::CategoryId;

/// A facility of a scenario.
#[derive(Debug, Clone, PartialEq)]
pub struct ScenarioFacility {
    pub xy: [f64; 2],
    /// Where it joins the network; None when beyond the maximum snap distance.
    pub source: Option<SourcePoint>,
}

/// One category's times under edits. Ids: the existing facilities keep their indices in
/// [`Analysis::facilities`]; added ones get new ids after those.
///
/// `A` is how the analysis is held: `&Analysis` for a scenario on the stack, `Arc<Analysis>` for
/// one kept in the app's state beside the analysis it edits.
#[derive(Debug)]
pub struct Scenario<A: Borrow<Analysis>> {
    analysis: A,
    pub category: CategoryId,
    pub budget_s: f64,
    facilities: Vec<Option<ScenarioFacility>>,
    times: NodeTimes,
    /// Per demand point: seconds to the nearest live facility and its id (network method; the
    /// Euclidean fallback computes them when asked).
    demand_time_s: Vec<f64>,
    demand_facility: Vec<u32>,
    /// What the edit in progress changed: nodes whose time or source it set, edges whose
    /// facilities it placed or removed (the demand points next to them are recomputed).
    changed_nodes: Vec<u32>,
    changed_edges: Vec<u32>,
    ws: Workspace,
    /// Nodes touched by the last edit (for statistics and tests).
    pub last_updates: usize,
}

impl<A: Borrow<Analysis>> Scenario<A> {
    /// Start from the analysis' facilities of `category`, with a full search.
    pub fn new(analysis_ref: A, category: CategoryId, budget_s: f64) -> Scenario<A> {
        let mut s = Scenario::empty(analysis_ref, category, budget_s);
        s.times = s.full_recompute();
        (s.demand_time_s, s.demand_facility) = s.demand_from_scratch();
        s
    }

    /// The facilities of `category`, with no times yet.
    fn empty(analysis_ref: A, category: CategoryId, budget_s: f64) -> Scenario<A> {
        let analysis: &Analysis = analysis_ref.borrow();
        let mut facilities: Vec<Option<ScenarioFacility>> = vec![None; analysis.facilities.len()];
        for i in analysis.facilities_of(category) {
            let f = &analysis.facilities[i as usize];
            let source = match &analysis.network {
                Some(n) => analysis.facility_snaps[i as usize]
                    .as_ref()
                    .map(|s| SourcePoint::from_snap(i, s, &n.mode_graph)),
                None => None,
            };
            facilities[i as usize] = Some(ScenarioFacility { xy: f.xy, source });
        }
        let n = analysis
            .network
            .as_ref()
            .map_or(0, |n| n.graph.node_count());
        Scenario {
            analysis: analysis_ref,
            category,
            budget_s,
            facilities,
            times: NodeTimes::new(n),
            demand_time_s: Vec::new(),
            demand_facility: Vec::new(),
            changed_nodes: Vec::new(),
            changed_edges: Vec::new(),
            ws: Workspace::default(),
            last_updates: 0,
        }
    }

    fn sources(&self) -> SourceSet {
        SourceSet::new(
            self.facilities
                .iter()
                .flatten()
                .filter_map(|f| f.source)
                .collect(),
        )
    }

    /// Start from the times already computed for the analysis' facilities of a category (the
    /// base run's [`CategoryTimes`] of `times.category`, budget `times.budget_s`): no search. Without
    /// node times (no network) it starts as [`Scenario::new`].
    pub fn with_times(analysis_ref: A, times: &CategoryTimes) -> Scenario<A> {
        let Some(node_times) = &times.node_times else {
            return Scenario::new(analysis_ref, times.category, times.budget_s);
        };
        let mut s = Scenario::empty(analysis_ref, times.category, times.budget_s);
        s.times = node_times.clone();
        s.demand_time_s = times.demand_time_s.clone();
        s.demand_facility = times.demand_facility.clone();
        s
    }

    /// Whether facility `id` joins the network (false beyond the maximum snap distance, or for
    /// no such facility).
    pub fn is_reached(&self, id: u32) -> bool {
        self.facilities
            .get(id as usize)
            .and_then(|f| f.as_ref())
            .is_some_and(|f| f.source.is_some())
    }

    /// Node times from scratch, for checking the incremental updates.
    pub fn full_recompute(&self) -> NodeTimes {
        let Some(n) = &self.analysis().network else {
            return NodeTimes::new(0);
        };
        let mut t = NodeTimes::new(n.graph.node_count());
        dijkstra::multi_source(
            &n.mode_graph,
            &self.sources().seeds(&n.graph, &n.mode_graph),
            self.budget_s,
            &mut t,
            &mut Workspace::default(),
        );
        t
    }

    /// The analysis this scenario edits.
    pub fn analysis(&self) -> &Analysis {
        self.analysis.borrow()
    }

    /// The current node times.
    pub fn node_times(&self) -> &NodeTimes {
        &self.times
    }

    /// Live facility ids.
    pub fn facility_ids(&self) -> Vec<u32> {
        self.facilities
            .iter()
            .enumerate()
            .filter(|(_, f)| f.is_some())
            .map(|(i, _)| i as u32)
            .collect()
    }

    fn make_source(&self, id: u32, xy: [f64; 2]) -> Option<SourcePoint> {
        let a = self.analysis();
        let n = a.network.as_ref()?;
        n.index
            .snap(xy, a.mode.max_snap_m, |e| n.mode_graph.usable(e))
            .map(|s| SourcePoint::from_snap(id, &s, &n.mode_graph))
    }

    /// Add a facility at `xy`; returns its id.
    pub fn add_facility(&mut self, xy: [f64; 2]) -> u32 {
        let id = self.facilities.len() as u32;
        self.facilities.push(None);
        self.place(id, xy);
        self.update_demand();
        id
    }

    /// Place facility `id` at `xy` and lower the times it improves (demand points not yet).
    fn place(&mut self, id: u32, xy: [f64; 2]) {
        let source = self.make_source(id, xy);
        self.facilities[id as usize] = Some(ScenarioFacility { xy, source });
        self.last_updates = 0;
        if let (Some(n), Some(src)) = (&self.analysis.borrow().network, source) {
            let seeds: Vec<Seed> = src
                .seeds(&n.graph, &n.mode_graph)
                .into_iter()
                .flatten()
                .collect();
            self.changed_edges.push(src.edge);
            self.last_updates = dijkstra::improve_tracked(
                &n.mode_graph,
                &seeds,
                self.budget_s,
                &mut self.times,
                &mut self.ws,
                &mut self.changed_nodes,
            );
        }
    }

    /// Remove facility `id`; false when there is no such live facility.
    pub fn remove_facility(&mut self, id: u32) -> bool {
        let removed = self.unplace(id);
        if removed {
            self.update_demand();
        }
        removed
    }

    /// Take facility `id` away and repair the times it gave (demand points not yet).
    fn unplace(&mut self, id: u32) -> bool {
        let Some(slot) = self.facilities.get_mut(id as usize) else {
            return false;
        };
        let Some(gone) = slot.take() else {
            return false;
        };
        if let Some(src) = gone.source {
            self.changed_edges.push(src.edge);
        }
        self.last_updates = 0;
        let Some(n) = &self.analysis.borrow().network else {
            return true;
        };
        let (graph, mode) = (&n.graph, &n.mode_graph);
        // Reset the nodes this facility served.
        let mut invalid = vec![false; graph.node_count()];
        let mut reset: Vec<u32> = Vec::new();
        for (v, s) in self.times.source.iter_mut().enumerate() {
            if *s == id {
                *s = NO_SOURCE;
                self.times.time_s[v] = f64::INFINITY;
                invalid[v] = true;
                reset.push(v as u32);
            }
        }
        if reset.is_empty() {
            return true;
        }
        self.changed_nodes.extend_from_slice(&reset);
        // Seeds: from valid neighbours (v -> u, u still valid) ...
        let mut seeds: Vec<Seed> = Vec::new();
        for &v in &reset {
            for a in mode.fwd.range(v) {
                let u = mode.fwd.targets[a] as usize;
                if !invalid[u] && self.times.time_s[u].is_finite() {
                    seeds.push(Seed {
                        node: v,
                        time_s: self.times.time_s[u] + mode.fwd.cost_s[a],
                        source: self.times.source[u],
                    });
                }
            }
        }
        // ... and from the other facilities whose edges end at reset nodes.
        for f in self.facilities.iter().flatten() {
            if let Some(src) = f.source {
                for s in src.seeds(graph, mode).into_iter().flatten() {
                    if invalid[s.node as usize] {
                        seeds.push(s);
                    }
                }
            }
        }
        self.last_updates = reset.len()
            + dijkstra::improve_tracked(
                mode,
                &seeds,
                self.budget_s,
                &mut self.times,
                &mut self.ws,
                &mut self.changed_nodes,
            );
        true
    }

    /// Move facility `id` to `xy` (remove, then add under the same id).
    pub fn move_facility(&mut self, id: u32, xy: [f64; 2]) -> bool {
        if !self.unplace(id) {
            return false;
        }
        let removed = self.last_updates;
        self.place(id, xy);
        self.last_updates += removed;
        self.update_demand();
        true
    }

    /// Recompute the demand points next to what the edit changed: those whose edge has an end
    /// node it changed (their time comes through it) or carries a facility it placed or removed.
    /// Every other point's time is a function of unchanged values.
    fn update_demand(&mut self) {
        let mut nodes = std::mem::take(&mut self.changed_nodes);
        let mut edges = std::mem::take(&mut self.changed_edges);
        let a: &Analysis = self.analysis.borrow();
        if let (Some(n), Method::Network) = (&a.network, a.method)
            && (!nodes.is_empty() || !edges.is_empty())
        {
            let mut changed = vec![false; n.graph.node_count()];
            for v in &nodes {
                changed[*v as usize] = true;
            }
            edges.sort_unstable();
            edges.dedup();
            let sources = self.sources();
            for (i, snap) in a.demand_snaps.iter().enumerate() {
                let Some(snap) = snap else { continue };
                let Some(e) = n.graph.edges.get(snap.edge as usize) else {
                    continue;
                };
                if changed[e.from as usize]
                    || changed[e.to as usize]
                    || edges.binary_search(&snap.edge).is_ok()
                {
                    let (t, f) = dijkstra::point_time(
                        &n.graph,
                        &n.mode_graph,
                        &self.times,
                        &sources,
                        snap,
                        self.budget_s,
                    );
                    self.demand_time_s[i] = t;
                    self.demand_facility[i] = f;
                }
            }
        }
        // Keep the buffers for the next edit.
        nodes.clear();
        edges.clear();
        self.changed_nodes = nodes;
        self.changed_edges = edges;
    }

    /// Every demand point's time to the nearest live facility (cheap: kept current by the edits).
    pub fn demand_times(&self) -> CategoryTimes {
        let a = self.analysis();
        let (demand_time_s, demand_facility) = match (&a.network, a.method) {
            (Some(_), Method::Network) => {
                (self.demand_time_s.clone(), self.demand_facility.clone())
            }
            _ => self.demand_from_scratch(),
        };
        CategoryTimes {
            category: self.category,
            facilities: self.facility_ids(),
            node_times: a.network.as_ref().map(|_| self.times.clone()),
            demand_time_s,
            demand_facility,
            budget_s: self.budget_s,
        }
    }

    /// Every demand point's time to the nearest live facility, and which, computed for all
    /// points (at the start, the Euclidean fallback, and tests of the incremental updates).
    pub fn demand_from_scratch(&self) -> (Vec<f64>, Vec<u32>) {
        let a = self.analysis();
        match (&a.network, a.method) {
            (Some(n), Method::Network) => {
                let sources = self.sources();
                a.demand_snaps
                    .iter()
                    .map(|s| match s {
                        Some(s) => dijkstra::point_time(
                            &n.graph,
                            &n.mode_graph,
                            &self.times,
                            &sources,
                            s,
                            self.budget_s,
                        ),
                        None => (f64::INFINITY, NO_SOURCE),
                    })
                    .unzip()
            }
            _ => {
                let pts: Vec<([f64; 2], u32)> = self
                    .facilities
                    .iter()
                    .enumerate()
                    .filter_map(|(i, f)| f.as_ref().map(|f| (f.xy, i as u32)))
                    .collect();
                let idx = super::euclid::EuclidIndex::new(&pts);
                a.demand
                    .points
                    .iter()
                    .map(|p| idx.time(p.xy, a.mode.speed_m_per_s, a.detour_factor, self.budget_s))
                    .unzip()
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::access::coverage::category_coverage;
    use crate::access::test_support::homes;
    use crate::access::{AccessInput, AccessOptions};
    use crate::io::synth::SplitMix64;
    use crate::model::{Layer, Taxonomy};
    use crate::network::synth;
    use crate::standards::profile::Profile;
    use proptest::prelude::*;

    const SPACING: f64 = 100.0;

    /// A jittered street grid with `nf` facilities of 2 categories and `nh` homes.
    fn town(nx: usize, ny: usize, nf: usize, nh: usize, seed: u64) -> Vec<Layer> {
        let t = Taxonomy::default();
        let cats = [
            t.by_id("kindergarten").expect("c"),
            t.by_id("park").expect("c"),
        ];
        let mut rng = SplitMix64(seed);
        let roads = synth::street_grid(nx, ny, SPACING, 15.0, seed);
        let fac = synth::facilities(nx, ny, SPACING, &cats, nf, seed ^ 7);
        let pts: Vec<([f64; 2], f64)> = (0..nh)
            .map(|_| {
                (
                    [
                        480_000.0 + rng.range(0.0, (nx - 1) as f64 * SPACING),
                        3_300_000.0 + rng.range(0.0, (ny - 1) as f64 * SPACING),
                    ],
                    rng.range(1.0, 20.0).round(),
                )
            })
            .collect();
        vec![roads, fac, homes(&pts)]
    }

    fn analysis(layers: &[Layer], mode: &str, minutes: &[u32]) -> Analysis {
        Analysis::new(
            &AccessInput::from_layers(layers),
            &Profile::default(),
            &Taxonomy::default(),
            &AccessOptions {
                mode: mode.into(),
                minutes: Some(minutes.to_vec()),
            },
        )
        .expect("analysis")
    }

    fn check_against_full(s: &Scenario<&Analysis>) {
        let full = s.full_recompute();
        assert_eq!(s.node_times().time_s, full.time_s);
        // The demand points kept current edit by edit equal their times computed afresh.
        let (time_s, facility) = s.demand_from_scratch();
        let kept = s.demand_times();
        assert_eq!(kept.demand_time_s, time_s);
        assert_eq!(kept.demand_facility, facility);
        let live = s.facility_ids();
        for (t, src) in s.node_times().time_s.iter().zip(&s.node_times().source) {
            assert_eq!(t.is_finite(), *src != NO_SOURCE);
            if t.is_finite() {
                assert!(live.contains(src), "node served by a removed facility");
            }
        }
    }

    #[test]
    fn add_move_remove_match_a_full_recompute() {
        let layers = town(8, 6, 3, 30, 11);
        let a = analysis(&layers, "walk", &[5, 10]);
        let cat = a.facilities[0].category;
        let mut s = Scenario::new(&a, cat, 600.0);
        check_against_full(&s);
        let id = s.add_facility([480_250.0, 3_300_210.0]);
        assert!(s.last_updates > 0);
        check_against_full(&s);
        assert!(s.move_facility(id, [480_600.0, 3_300_400.0]));
        check_against_full(&s);
        let first = s.facility_ids()[0];
        assert!(s.remove_facility(first));
        check_against_full(&s);
        assert!(!s.remove_facility(first));
        assert!(!s.remove_facility(9999));
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(24))]

        /// Incremental add/remove/move == full recompute, on walking and one-way car networks.
        #[test]
        fn incremental_equals_full(
            seed in 0u64..10_000,
            nx in 3usize..9,
            ny in 3usize..9,
            car in any::<bool>(),
            ops in proptest::collection::vec((0u8..3, 0.0f64..1.0, 0.0f64..1.0, 0usize..8), 1..10),
        ) {
            let layers = town(nx, ny, 2, 10, seed);
            let a = analysis(&layers, if car { "car" } else { "walk" }, &[5]);
            let cat = a.facilities[0].category;
            let budget = if car { 60.0 } else { 400.0 };
            let mut s = Scenario::new(&a, cat, budget);
            for (op, fx, fy, pick) in ops {
                let xy = [
                    480_000.0 + fx * (nx - 1) as f64 * SPACING,
                    3_300_000.0 + fy * (ny - 1) as f64 * SPACING,
                ];
                let ids = s.facility_ids();
                match op {
                    0 => { s.add_facility(xy); }
                    1 if !ids.is_empty() => { s.remove_facility(ids[pick % ids.len()]); }
                    _ if !ids.is_empty() => { s.move_facility(ids[pick % ids.len()], xy); }
                    _ => { s.add_facility(xy); }
                }
                check_against_full(&s);
            }
        }

        /// Adding a facility never lowers coverage, at any tier or scope.
        #[test]
        fn adding_a_facility_never_lowers_coverage(
            seed in 0u64..10_000,
            fx in 0.0f64..1.0,
            fy in 0.0f64..1.0,
        ) {
            let layers = town(6, 6, 1, 40, seed);
            let a = analysis(&layers, "walk", &[5, 10]);
            let cat = a.facilities[0].category;
            let mut s = Scenario::new(&a, cat, 600.0);
            let before = category_coverage(&a.demand, &s.demand_times().demand_time_s, &a.tiers);
            s.add_facility([480_000.0 + fx * 500.0, 3_300_000.0 + fy * 500.0]);
            let after = category_coverage(&a.demand, &s.demand_times().demand_time_s, &a.tiers);
            for (b, c) in before.iter().zip(&after) {
                prop_assert!(c.town.covered_weight >= b.town.covered_weight);
            }
        }

        /// Coverage never shrinks as the budget grows; a small budget computed alone equals the
        /// same tier computed inside a larger search (the bound keeps times exact).
        #[test]
        fn coverage_grows_with_the_budget(seed in 0u64..10_000, car in any::<bool>()) {
            let layers = town(7, 5, 2, 40, seed);
            let mode = if car { "car" } else { "walk" };
            let a = analysis(&layers, mode, &[1, 3, 5, 10, 15]);
            let r = a.run();
            for c in &r.report.categories {
                for w in c.tiers.windows(2) {
                    prop_assert!(w[1].town.covered_weight >= w[0].town.covered_weight);
                }
            }
            let small = analysis(&layers, mode, &[3]).run();
            prop_assert!(!small.report.categories.is_empty());
            for s in &small.report.categories {
                let c = r.report.categories.iter().find(|c| c.id == s.id).expect("same category");
                prop_assert_eq!(c.tiers[1].town.covered_weight, s.tiers[0].town.covered_weight);
            }
        }

        /// A demand point at a facility's location is covered at every tier.
        #[test]
        fn a_home_at_a_facility_is_covered(seed in 0u64..10_000, car in any::<bool>()) {
            let mut layers = town(6, 5, 2, 0, seed);
            let at: Vec<([f64; 2], f64)> = layers[1]
                .features
                .iter()
                .filter_map(|f| match f.geometry {
                    geo_types::Geometry::Point(p) => Some(([p.x(), p.y()], 1.0)),
                    _ => None,
                })
                .collect();
            layers[2] = homes(&at);
            let a = analysis(&layers, if car { "car" } else { "walk" }, &[1, 5, 15, 30]);
            let r = a.run();
            for ct in &r.categories {
                for (i, f) in a.facilities.iter().enumerate() {
                    if f.category == ct.category {
                        prop_assert_eq!(ct.demand_time_s[i], 0.0);
                    }
                }
            }
        }
    }
}
