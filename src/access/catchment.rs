//! Catchments: the demand points within a time budget of ONE site (a candidate site or a
//! facility), each with its time, from one bounded search per site on the network.
//!
//! A demand point's time to a site is exactly what coverage would find with that site as the
//! only facility ([`dijkstra::point_time`] on the site's own search). Times to the nearest of
//! several sites are the minimum of the single-site times (the multi-source search takes the
//! minimum at every node), so the demand a set of sites covers is the union of their
//! catchments: this is what makes site suggestion a covering problem.
//!
//! The searches run in parallel (rayon), each thread reusing one node array and resetting only
//! the nodes its last search touched, so a catchment costs its reach, not the graph's size.

use rayon::prelude::*;

use super::dijkstra::{self, NodeTimes, SourcePoint, SourceSet, Workspace};
use super::prepared::Network;
use super::snap::Snap;

/// The demand points whose snapped edge touches each node, and those snapped on each edge.
#[derive(Debug, Clone)]
pub struct DemandIndex {
    node_offsets: Vec<usize>,
    node_demand: Vec<u32>,
    edge_offsets: Vec<usize>,
    edge_demand: Vec<u32>,
}

/// A compressed list of lists.
fn csr(count: usize, pairs: &[(u32, u32)]) -> (Vec<usize>, Vec<u32>) {
    let mut offsets = vec![0usize; count + 1];
    for (k, _) in pairs {
        if let Some(o) = offsets.get_mut(*k as usize + 1) {
            *o += 1;
        }
    }
    for i in 0..count {
        offsets[i + 1] += offsets[i];
    }
    let mut fill = offsets.clone();
    let mut items = vec![0u32; offsets[count]];
    for (k, v) in pairs {
        let k = *k as usize;
        if k < count {
            items[fill[k]] = *v;
            fill[k] += 1;
        }
    }
    (offsets, items)
}

impl DemandIndex {
    /// Index the snapped demand points (`snaps[i]` of demand point `i`).
    pub fn new(network: &Network, snaps: &[Option<Snap>]) -> DemandIndex {
        let g = &network.graph;
        let mut by_node = Vec::new();
        let mut by_edge = Vec::new();
        for (i, s) in snaps.iter().enumerate() {
            let Some(s) = s else { continue };
            let Some(e) = g.edges.get(s.edge as usize) else {
                continue;
            };
            by_edge.push((s.edge, i as u32));
            by_node.push((e.from, i as u32));
            if e.to != e.from {
                by_node.push((e.to, i as u32));
            }
        }
        let (node_offsets, node_demand) = csr(g.node_count(), &by_node);
        let (edge_offsets, edge_demand) = csr(g.edge_count(), &by_edge);
        DemandIndex {
            node_offsets,
            node_demand,
            edge_offsets,
            edge_demand,
        }
    }

    fn at_node(&self, n: u32) -> &[u32] {
        let n = n as usize;
        match (self.node_offsets.get(n), self.node_offsets.get(n + 1)) {
            (Some(a), Some(b)) => &self.node_demand[*a..*b],
            _ => &[],
        }
    }

    fn on_edge(&self, e: u32) -> &[u32] {
        let e = e as usize;
        match (self.edge_offsets.get(e), self.edge_offsets.get(e + 1)) {
            (Some(a), Some(b)) => &self.edge_demand[*a..*b],
            _ => &[],
        }
    }
}

/// The catchment of every site: demand point indices (ascending) and their times in seconds.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Catchments {
    offsets: Vec<usize>,
    demand: Vec<u32>,
    time_s: Vec<f64>,
}

impl Catchments {
    /// Catchments from per-site lists (demand indices ascending within each).
    pub fn from_lists(lists: Vec<(Vec<u32>, Vec<f64>)>) -> Catchments {
        let mut c = Catchments {
            offsets: Vec::with_capacity(lists.len() + 1),
            demand: Vec::new(),
            time_s: Vec::new(),
        };
        c.offsets.push(0);
        for (d, t) in lists {
            c.demand.extend(d);
            c.time_s.extend(t);
            c.offsets.push(c.demand.len());
        }
        c
    }

    /// How many sites.
    pub fn len(&self) -> usize {
        self.offsets.len().saturating_sub(1)
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Total number of (site, demand point) pairs.
    pub fn pairs(&self) -> usize {
        self.demand.len()
    }

    /// The demand points site `j` reaches within the budget.
    pub fn demand(&self, j: usize) -> &[u32] {
        match (self.offsets.get(j), self.offsets.get(j + 1)) {
            (Some(a), Some(b)) => &self.demand[*a..*b],
            _ => &[],
        }
    }

    /// Their times, aligned with [`Catchments::demand`].
    pub fn times(&self, j: usize) -> &[f64] {
        match (self.offsets.get(j), self.offsets.get(j + 1)) {
            (Some(a), Some(b)) => &self.time_s[*a..*b],
            _ => &[],
        }
    }
}

struct Scratch {
    times: NodeTimes,
    ws: Workspace,
    touched: Vec<u32>,
    stamp: Vec<u32>,
    epoch: u32,
}

/// The catchment of each site (None = not on the network: an empty catchment) within
/// `budget_s`, over the demand points snapped at `snaps`.
pub fn catchments(
    network: &Network,
    index: &DemandIndex,
    snaps: &[Option<Snap>],
    sites: &[Option<SourcePoint>],
    budget_s: f64,
) -> Catchments {
    let (g, mg) = (&network.graph, &network.mode_graph);
    let lists: Vec<(Vec<u32>, Vec<f64>)> = sites
        .par_iter()
        .map_init(
            || Scratch {
                times: NodeTimes::new(g.node_count()),
                ws: Workspace::default(),
                touched: Vec::new(),
                stamp: vec![0; snaps.len()],
                epoch: 0,
            },
            |st, site| {
                let Some(site) = site else {
                    return (Vec::new(), Vec::new());
                };
                // The site alone, under id 0.
                let site = SourcePoint { id: 0, ..*site };
                let sources = SourceSet::new(vec![site]);
                st.touched.clear();
                let seeds: Vec<_> = site.seeds(g, mg).into_iter().flatten().collect();
                dijkstra::improve_tracked(
                    mg,
                    &seeds,
                    budget_s,
                    &mut st.times,
                    &mut st.ws,
                    &mut st.touched,
                );
                st.epoch = st.epoch.wrapping_add(1);
                if st.epoch == 0 {
                    st.stamp.fill(0);
                    st.epoch = 1;
                }
                let mut found: Vec<(u32, f64)> = Vec::new();
                let candidates = st
                    .touched
                    .iter()
                    .flat_map(|n| index.at_node(*n))
                    .chain(index.on_edge(site.edge));
                for &i in candidates {
                    let Some(slot) = st.stamp.get_mut(i as usize) else {
                        continue;
                    };
                    if *slot == st.epoch {
                        continue;
                    }
                    *slot = st.epoch;
                    let Some(Some(snap)) = snaps.get(i as usize) else {
                        continue;
                    };
                    let (t, _) = dijkstra::point_time(g, mg, &st.times, &sources, snap, budget_s);
                    if t.is_finite() {
                        found.push((i, t));
                    }
                }
                for n in &st.touched {
                    if let Some(t) = st.times.time_s.get_mut(*n as usize) {
                        *t = f64::INFINITY;
                    }
                    if let Some(s) = st.times.source.get_mut(*n as usize) {
                        *s = dijkstra::NO_SOURCE;
                    }
                }
                found.sort_unstable_by_key(|(i, _)| *i);
                found.into_iter().unzip()
            },
        )
        .collect();
    Catchments::from_lists(lists)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::access::test_support::*;
    use crate::access::{AccessInput, AccessOptions, Analysis, Workspace};
    use crate::model::Taxonomy;
    use crate::standards::profile::Profile;

    /// Catchments equal what a full multi-source run finds for each facility alone, and their
    /// union equals the run with all of them.
    #[test]
    fn a_catchment_is_the_coverage_of_its_site_alone() {
        let tax = Taxonomy::default();
        let h = tax.by_id("health_center").expect("category");
        let layers = vec![
            roads(&[
                (&[[0.0, 0.0], [2000.0, 0.0]], "residential", ""),
                (&[[1000.0, 0.0], [1000.0, 1500.0]], "residential", ""),
            ]),
            facilities(&[([100.0, 5.0], h), ([1000.0, 1200.0], h)]),
            homes(&[
                ([0.0, 8.0], 3.0),
                ([600.0, -8.0], 5.0),
                ([1500.0, 8.0], 7.0),
                ([1990.0, 8.0], 11.0),
                ([1008.0, 700.0], 13.0),
                ([1008.0, 1400.0], 17.0),
            ]),
        ];
        let a = Analysis::new(
            &AccessInput::from_layers(&layers),
            &Profile::default(),
            &tax,
            &AccessOptions::default(),
        )
        .expect("analysis");
        let n = a.network.as_ref().expect("network");
        let idx = DemandIndex::new(n, &a.demand_snaps);
        let budget = 600.0;
        let sites: Vec<Option<SourcePoint>> = (0..2)
            .map(|i| {
                a.facility_snaps[i]
                    .as_ref()
                    .map(|s| SourcePoint::from_snap(i as u32, s, &n.mode_graph))
            })
            .collect();
        let c = catchments(n, &idx, &a.demand_snaps, &sites, budget);
        assert_eq!(c.len(), 2);
        let mut ws = Workspace::default();
        let mut union = vec![false; a.demand.points.len()];
        for j in 0..2u32 {
            let alone = a.times_for(h, vec![j], budget, &mut ws);
            let expect: Vec<u32> = (0..a.demand.points.len() as u32)
                .filter(|i| alone.demand_time_s[*i as usize].is_finite())
                .collect();
            assert_eq!(c.demand(j as usize), &expect[..], "site {j}");
            for (i, t) in c.demand(j as usize).iter().zip(c.times(j as usize)) {
                assert!((alone.demand_time_s[*i as usize] - t).abs() < 1e-9);
                union[*i as usize] = true;
            }
        }
        let all = a.times_for(h, vec![0, 1], budget, &mut ws);
        for (i, u) in union.iter().enumerate() {
            assert_eq!(*u, all.demand_time_s[i].is_finite(), "demand {i}");
        }
        assert!(union.iter().any(|u| !u) && union.iter().any(|u| *u));
    }
}
