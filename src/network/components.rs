//! Connected components of a road graph (ignoring direction), so a disconnected fragment is
//! reported with its location instead of silently losing the people and facilities on it.

use serde::Serialize;

use super::graph::Graph;
use super::mode::ModeGraph;

/// One connected component.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Component {
    pub id: u32,
    pub node_count: usize,
    pub edge_count: usize,
    pub length_m: f64,
    /// A node position inside the component (its first node), in the working CRS.
    pub location: [f64; 2],
}

/// The components of a graph; component 0 is the largest by length.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Components {
    /// Component of each node (u32::MAX for a node without usable edges).
    pub node_component: Vec<u32>,
    /// Sorted by length, largest first.
    pub list: Vec<Component>,
}

fn find(parent: &mut [u32], mut x: u32) -> u32 {
    while parent[x as usize] != x {
        let p = parent[x as usize];
        parent[x as usize] = parent[p as usize];
        x = p;
    }
    x
}

impl Components {
    /// Components over all edges of `graph`.
    pub fn of_graph(graph: &Graph) -> Components {
        Self::compute(graph, |_| true)
    }

    /// Components over the edges a mode can use.
    pub fn of_mode(graph: &Graph, mode: &ModeGraph) -> Components {
        Self::compute(graph, |e| mode.usable(e))
    }

    fn compute(graph: &Graph, usable: impl Fn(u32) -> bool) -> Components {
        let n = graph.node_count();
        let mut parent: Vec<u32> = (0..n as u32).collect();
        let mut has_edge = vec![false; n];
        for (i, e) in graph.edges.iter().enumerate() {
            if !usable(i as u32) {
                continue;
            }
            has_edge[e.from as usize] = true;
            has_edge[e.to as usize] = true;
            let (a, b) = (find(&mut parent, e.from), find(&mut parent, e.to));
            if a != b {
                parent[a.max(b) as usize] = a.min(b);
            }
        }
        // Root -> provisional component.
        let mut root_comp = vec![u32::MAX; n];
        let mut list: Vec<Component> = Vec::new();
        let mut node_component = vec![u32::MAX; n];
        for v in 0..n {
            if !has_edge[v] {
                continue;
            }
            let r = find(&mut parent, v as u32) as usize;
            if root_comp[r] == u32::MAX {
                root_comp[r] = list.len() as u32;
                list.push(Component {
                    id: 0,
                    node_count: 0,
                    edge_count: 0,
                    length_m: 0.0,
                    location: graph.node_xy[v],
                });
            }
            let c = root_comp[r];
            node_component[v] = c;
            list[c as usize].node_count += 1;
        }
        for (i, e) in graph.edges.iter().enumerate() {
            if !usable(i as u32) {
                continue;
            }
            let c = node_component[e.from as usize] as usize;
            list[c].edge_count += 1;
            list[c].length_m += e.length_m;
        }
        // Largest first; renumber.
        let mut order: Vec<usize> = (0..list.len()).collect();
        order.sort_by(|a, b| list[*b].length_m.total_cmp(&list[*a].length_m));
        let mut new_id = vec![0u32; list.len()];
        for (rank, old) in order.iter().enumerate() {
            new_id[*old] = rank as u32;
        }
        for c in node_component.iter_mut() {
            if *c != u32::MAX {
                *c = new_id[*c as usize];
            }
        }
        let list = order
            .into_iter()
            .enumerate()
            .map(|(rank, old)| Component {
                id: rank as u32,
                ..list[old].clone()
            })
            .collect();
        Components {
            node_component,
            list,
        }
    }

    /// Number of components.
    pub fn count(&self) -> usize {
        self.list.len()
    }

    /// The component of an edge (by its `from` node).
    pub fn of_edge(&self, graph: &Graph, e: u32) -> Option<u32> {
        let c = *self
            .node_component
            .get(graph.edges.get(e as usize)?.from as usize)?;
        (c != u32::MAX).then_some(c)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::network::graph::Direction;
    use crate::standards::profile::RoadClassId;

    #[test]
    fn two_fragments_largest_first() {
        let mut g = Graph::new();
        let n: Vec<u32> = [
            [0.0, 0.0],
            [10.0, 0.0],
            [500.0, 0.0],
            [900.0, 0.0],
            [5.0, 5.0],
        ]
        .iter()
        .map(|p| g.add_node(*p))
        .collect();
        g.add_straight_edge(n[0], n[1], RoadClassId(0), Direction::Both);
        g.add_straight_edge(n[2], n[3], RoadClassId(0), Direction::Forward);
        let c = Components::of_graph(&g);
        assert_eq!(c.count(), 2);
        assert_eq!(c.list[0].length_m, 400.0);
        assert_eq!(c.list[0].location, [500.0, 0.0]);
        assert_eq!(c.node_component[n[2] as usize], 0);
        assert_eq!(c.node_component[n[0] as usize], 1);
        assert_eq!(c.node_component[n[4] as usize], u32::MAX);
        assert_eq!(c.of_edge(&g, 0), Some(1));
    }
}
