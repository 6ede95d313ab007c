//! Euclidean fallback for a town without a usable road layer: the straight-line distance to the
//! nearest facility × the profile's detour factor, at the mode's speed. Every output made this
//! way is flagged (`method = "euclidean"`), as it ignores rivers, rail and missing bridges.

use rstar::RTree;
use rstar::primitives::GeomWithData;

use super::dijkstra::NO_SOURCE;

/// Facility points of one category, indexed for nearest-neighbour queries.
#[derive(Debug, Clone)]
pub struct EuclidIndex {
    tree: RTree<GeomWithData<[f64; 2], u32>>,
}

impl EuclidIndex {
    /// Index `(position, facility id)` pairs.
    pub fn new(facilities: &[([f64; 2], u32)]) -> EuclidIndex {
        EuclidIndex {
            tree: RTree::bulk_load(
                facilities
                    .iter()
                    .filter(|(p, _)| p[0].is_finite() && p[1].is_finite())
                    .map(|(p, id)| GeomWithData::new(*p, *id))
                    .collect(),
            ),
        }
    }

    /// Time from `p` to the nearest facility: distance × `detour_factor` / `speed_m_per_s`;
    /// infinite and [`NO_SOURCE`] beyond `budget_s` or with no facility.
    pub fn time(
        &self,
        p: [f64; 2],
        speed_m_per_s: f64,
        detour_factor: f64,
        budget_s: f64,
    ) -> (f64, u32) {
        match self.tree.nearest_neighbor_iter_with_distance_2(&p).next() {
            Some((f, d2)) => {
                let t = d2.sqrt() * detour_factor / speed_m_per_s;
                if t <= budget_s {
                    (t, f.data)
                } else {
                    (f64::INFINITY, NO_SOURCE)
                }
            }
            None => (f64::INFINITY, NO_SOURCE),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn straight_line_times_detour() {
        let idx = EuclidIndex::new(&[([0.0, 0.0], 3), ([1000.0, 0.0], 4)]);
        let (t, f) = idx.time([300.0, 400.0], 1.0, 1.3, 1800.0);
        assert_eq!(f, 3);
        assert!((t - 650.0).abs() < 1e-9);
        assert_eq!(
            idx.time([300.0, 400.0], 1.0, 1.3, 600.0),
            (f64::INFINITY, NO_SOURCE)
        );
        let empty = EuclidIndex::new(&[]);
        assert_eq!(empty.time([0.0, 0.0], 1.0, 1.3, 1e9).1, NO_SOURCE);
    }
}
