//! A travel-time grid: the time from each cell centre to the nearest facility of a category,
//! with the centre snapped to the network like a demand point.

use rayon::prelude::*;
use serde::Serialize;

use std::sync::{Arc, Mutex};

use super::snap::Snap;
use super::{Analysis, CategoryTimes, Method};

/// Travel times on a regular grid; row-major from the lower-left cell.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TimeGrid {
    /// Lower-left corner of the lower-left cell.
    pub origin: [f64; 2],
    pub cell_m: f64,
    pub nx: usize,
    pub ny: usize,
    /// Seconds per cell; NaN where no facility is within the budget or the cell is beyond the
    /// maximum snap distance from a road.
    pub time_s: Vec<f32>,
}

impl TimeGrid {
    /// The centre of cell (i, j).
    pub fn centre(&self, i: usize, j: usize) -> [f64; 2] {
        [
            self.origin[0] + (i as f64 + 0.5) * self.cell_m,
            self.origin[1] + (j as f64 + 0.5) * self.cell_m,
        ]
    }

    /// The time of cell (i, j).
    pub fn get(&self, i: usize, j: usize) -> Option<f32> {
        (i < self.nx && j < self.ny).then(|| self.time_s[j * self.nx + i])
    }
}

/// At most this many cells (a wrong CRS or a tiny cell must not exhaust memory).
pub const MAX_CELLS: usize = 4_000_000;

/// The cell centres' snaps of the last grid an analysis drew, with the grid they belong to
/// (origin, upper corner, cell size): the network does not change between a town's grids —
/// another category, or a scenario's edit — so they are found once. Shared by clones.
#[derive(Debug, Clone, Default)]
pub struct GridSnaps(Arc<Mutex<Option<GridSnapsOf>>>);

type GridSnapsOf = ([u64; 5], Arc<Vec<Option<Snap>>>);

impl GridSnaps {
    fn get_or(
        &self,
        key: [u64; 5],
        make: impl FnOnce() -> Vec<Option<Snap>>,
    ) -> Arc<Vec<Option<Snap>>> {
        if let Ok(g) = self.0.lock()
            && let Some((k, s)) = g.as_ref()
            && *k == key
        {
            return Arc::clone(s);
        }
        let snaps = Arc::new(make());
        if let Ok(mut g) = self.0.lock() {
            *g = Some((key, Arc::clone(&snaps)));
        }
        snaps
    }
}

impl Analysis {
    /// The travel-time grid of a category over `extent` (lower-left, upper-right) with cells of
    /// `cell_m`; None when the grid would exceed [`MAX_CELLS`] or the extent is empty.
    pub fn time_grid(
        &self,
        times: &CategoryTimes,
        extent: ([f64; 2], [f64; 2]),
        cell_m: f64,
    ) -> Option<TimeGrid> {
        let (lo, hi) = extent;
        let ok = cell_m > 0.0 && hi[0] > lo[0] && hi[1] > lo[1];
        if !ok {
            return None;
        }
        let nx = ((hi[0] - lo[0]) / cell_m).ceil() as usize;
        let ny = ((hi[1] - lo[1]) / cell_m).ceil() as usize;
        if nx.checked_mul(ny)? > MAX_CELLS {
            return None;
        }
        let sources = match self.method {
            Method::Network => Some(self.source_set(&times.facilities)),
            Method::Euclidean => None,
        };
        let node_times = times.node_times.clone().zip(sources);
        let euclid =
            (self.method == Method::Euclidean).then(|| self.euclid_index(&times.facilities));
        let grid = TimeGrid {
            origin: lo,
            cell_m,
            nx,
            ny,
            time_s: Vec::new(),
        };
        let snaps = self.network.as_ref().map(|n| {
            let key = [
                lo[0].to_bits(),
                lo[1].to_bits(),
                hi[0].to_bits(),
                hi[1].to_bits(),
                cell_m.to_bits(),
            ];
            self.grid_snaps.get_or(key, || {
                (0..nx * ny)
                    .into_par_iter()
                    .map(|k| {
                        let c = grid.centre(k % nx, k / nx);
                        n.index
                            .snap(c, self.mode.max_snap_m, |e| n.mode_graph.usable(e))
                    })
                    .collect()
            })
        });
        let time_s: Vec<f32> = (0..nx * ny)
            .into_par_iter()
            .map(|k| {
                let c = grid.centre(k % nx, k / nx);
                let snap = snaps.as_ref().and_then(|s| s[k].as_ref());
                let (t, _) = self.point_time(
                    c,
                    snap,
                    node_times.as_ref(),
                    euclid.as_ref(),
                    times.budget_s,
                );
                if t.is_finite() { t as f32 } else { f32::NAN }
            })
            .collect();
        Some(TimeGrid { time_s, ..grid })
    }
}

#[cfg(test)]
mod tests {
    use crate::access::test_support::{facilities, homes, roads};
    use crate::access::{AccessInput, AccessOptions, Analysis, Workspace};
    use crate::model::Taxonomy;
    use crate::standards::profile::Profile;

    #[test]
    fn grid_cells_get_network_times() {
        let t = Taxonomy::default();
        let k = t.by_id("kindergarten").expect("c");
        let layers = vec![
            roads(&[(&[[0.0, 0.0], [1000.0, 0.0]], "residential", "")]),
            facilities(&[([0.0, 0.0], k)]),
            homes(&[([500.0, 0.0], 1.0)]),
        ];
        let a = Analysis::new(
            &AccessInput::from_layers(&layers),
            &Profile::default(),
            &t,
            &AccessOptions {
                mode: "walk".into(),
                minutes: Some(vec![10]),
            },
        )
        .expect("analysis");
        let ct = a.category_times(k, 600.0, &mut Workspace::default());
        let g = a
            .time_grid(&ct, ([0.0, -100.0], [1000.0, 100.0]), 100.0)
            .expect("grid");
        assert_eq!((g.nx, g.ny), (10, 2));
        // Cell (2, 1): centre (250, 50): 250 m along the road plus a 50 m leg.
        assert!((g.get(2, 1).expect("cell") - 300.0).abs() < 1e-3);
        // Beyond 600 s: not reached.
        assert!(g.get(9, 0).expect("cell").is_nan());
        assert!(a.time_grid(&ct, ([0.0, 0.0], [0.0, 0.0]), 100.0).is_none());
        assert!(a.time_grid(&ct, ([0.0, 0.0], [1e9, 1e9]), 1.0).is_none());
    }
}
