//! The town prepared once and shared by every mode: the road graph, its snapping index and the
//! demand.

use std::sync::Arc;

use crate::network::build::{BuildOptions, BuildReport, build_graph};
use crate::network::components::Components;
use crate::network::graph::Graph;
use crate::network::mode::ModeGraph;
use crate::standards::profile::Profile;

use super::demand::{self, Demand, DemandLayers};
use super::input::AccessInput;
use super::snap::SnapIndex;

/// The network, as the analysis uses it. The graph and its snapping index are shared (built once
/// per town, see [`PreparedTown`]); the mode graph and the components belong to the mode.
#[derive(Debug, Clone)]
pub struct Network {
    pub graph: Arc<Graph>,
    pub build: BuildReport,
    pub mode_graph: ModeGraph,
    /// Components over the edges the mode can use.
    pub components: Components,
    pub index: Arc<SnapIndex>,
}

/// A road graph built once from the road layers, shared by the analyses of every mode.
#[derive(Debug, Clone)]
pub struct Roads {
    pub graph: Arc<Graph>,
    pub build: BuildReport,
    pub index: Arc<SnapIndex>,
}

/// What every mode of a town shares: the road graph (None without a road layer) and the demand.
#[derive(Debug, Clone)]
pub struct PreparedTown {
    pub roads: Option<Roads>,
    pub demand: Demand,
}

impl PreparedTown {
    /// Build the road graph (once) and the demand points of a town.
    pub fn new(input: &AccessInput<'_>, profile: &Profile) -> PreparedTown {
        let roads = (!input.roads.is_empty()).then(|| {
            let built = build_graph(&input.roads, profile, BuildOptions::from_profile(profile));
            let index = SnapIndex::new(&built.graph);
            Roads {
                graph: Arc::new(built.graph),
                build: built.report,
                index: Arc::new(index),
            }
        });
        let extent = roads
            .as_ref()
            .filter(|r| r.graph.edge_count() > 0)
            .and_then(|r| r.graph.bbox());
        let demand = demand::build_demand(
            &DemandLayers {
                buildings: input.buildings.clone(),
                villages: input.villages.clone(),
                built_up: input.built_up.clone(),
                boundary: input.boundary.clone(),
                population: input.population.clone(),
                parcels: input.parcels.clone(),
            },
            &profile.demand,
            extent,
        );
        PreparedTown { roads, demand }
    }

    /// The road graph and demand an analysis was built on, shared (no copy of the graph), when
    /// it has a network. Without one (no road layer, or none usable in its mode) None: which of
    /// the two it was is not kept, so the caller builds its own.
    pub fn of_analysis(a: &super::Analysis) -> Option<PreparedTown> {
        let n = a.network.as_ref()?;
        Some(PreparedTown {
            roads: Some(Roads {
                graph: Arc::clone(&n.graph),
                build: n.build.clone(),
                index: Arc::clone(&n.index),
            }),
            demand: a.demand.clone(),
        })
    }
}
