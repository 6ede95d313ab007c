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
#[derive(Debug)]
pub struct Scenario<'a> {
    analysis: &'a Analysis,
    pub category: CategoryId,
    pub budget_s: f64,
    facilities: Vec<Option<ScenarioFacility>>,
    times: NodeTimes,
    ws: Workspace,
    /// Nodes touched by the last edit (for statistics and tests).
    pub last_updates: usize,
}

impl<'a> Scenario<'a> {
    /// Start from the analysis' facilities of `category`, with a full search.
    pub fn new(analysis: &'a Analysis, category: CategoryId, budget_s: f64) -> Scenario<'a> {
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
        let mut s = Scenario {
            analysis,
            category,
            budget_s,
            facilities,
            times: NodeTimes::new(n),
            ws: Workspace::default(),
            last_updates: 0,
        };
        s.times = s.full_recompute();
        s
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

    /// Node times from scratch, for checking the incremental updates.
    pub fn full_recompute(&self) -> NodeTimes {
        let Some(n) = &self.analysis.network else {
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
        let n = self.analysis.network.as_ref()?;
        n.index
            .snap(xy, self.analysis.mode.max_snap_m, |e| n.mode_graph.usable(e))
            .map(|s| SourcePoint::from_snap(id, &s, &n.mode_graph))
    }

    /// Add a facility at `xy`; returns its id.
    pub fn add_facility(&mut self, xy: [f64; 2]) -> u32 {
        let id = self.facilities.len() as u32;
        self.facilities.push(None);
        self.place(id, xy);
        id
    }

    fn place(&mut self, id: u32, xy: [f64; 2]) {
        let source = self.make_source(id, xy);
        self.facilities[id as usize] = Some(ScenarioFacility { xy, source });
        self.last_updates = 0;
        if let (Some(n), Some(src)) = (&self.analysis.network, source) {
            let seeds: Vec<Seed> = src
                .seeds(&n.graph, &n.mode_graph)
                .into_iter()
                .flatten()
                .collect();
            self.last_updates = dijkstra::improve(
                &n.mode_graph,
                &seeds,
                self.budget_s,
                &mut self.times,
                &mut self.ws,
            );
        }
    }

    /// Remove facility `id`; false when there is no such live facility.
    pub fn remove_facility(&mut self, id: u32) -> bool {
        let Some(slot) = self.facilities.get_mut(id as usize) else {
            return false;
        };
        if slot.take().is_none() {
            return false;
        }
        self.last_updates = 0;
        let Some(n) = &self.analysis.network else {
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
            + dijkstra::improve(mode, &seeds, self.budget_s, &mut self.times, &mut self.ws);
        true
    }

    /// Move facility `id` to `xy` (remove, then add under the same id).
    pub fn move_facility(&mut self, id: u32, xy: [f64; 2]) -> bool {
        if !self.remove_facility(id) {
            return false;
        }
        let removed = self.last_updates;
        self.place(id, xy);
        self.last_updates += removed;
        true
    }

    /// Every demand point's time to the nearest live facility (cheap: no search).
    pub fn demand_times(&self) -> CategoryTimes {
        let a = self.analysis;
        let ids = self.facility_ids();
        let (demand_time_s, demand_facility): (Vec<f64>, Vec<u32>) = match (&a.network, a.method)
        {
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
        };
        CategoryTimes {
            category: self.category,
            facilities: ids,
            node_times: a.network.as_ref().map(|_| self.times.clone()),
            demand_time_s,
            demand_facility,
            budget_s: self.budget_s,
        }
    }
}
