//! Gap areas: where residents are not covered, merged into areas with their population.
//!
//! Uncovered demand points are binned into square cells (`shapes.gap_cell_m`, 50 m [P]); cells
//! touching each other (8-neighbourhood) form one gap area, whose polygon is the union of its
//! cells and whose population is the sum of its points' weights. Areas are returned largest
//! population first.

use std::collections::{HashMap, VecDeque};

use geo::{Area, unary_union};
use geo_types::{MultiPolygon, Rect, coord};
use serde::Serialize;

/// One gap area.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct GapArea {
    #[serde(skip)]
    pub polygon: MultiPolygon<f64>,
    /// Demand weight (people, or cells for a grid demand) inside.
    pub population: f64,
    /// Demand points inside.
    pub points: usize,
    pub area_m2: f64,
    /// Weighted centre of its demand points.
    pub centre: [f64; 2],
}

/// Merge weighted points (`(position, weight)`) into gap areas on a `cell_m` grid.
pub fn gap_areas(points: &[([f64; 2], f64)], cell_m: f64) -> Vec<GapArea> {
    if cell_m.is_nan() || cell_m <= 0.0 {
        return Vec::new();
    }
    // cell -> (weight, count, sum x·w, sum y·w)
    let mut cells: HashMap<(i64, i64), (f64, usize, f64, f64)> = HashMap::new();
    for (p, w) in points {
        if !(p[0].is_finite() && p[1].is_finite()) {
            continue;
        }
        let k = (
            (p[0] / cell_m).floor() as i64,
            (p[1] / cell_m).floor() as i64,
        );
        let e = cells.entry(k).or_insert((0.0, 0, 0.0, 0.0));
        e.0 += w;
        e.1 += 1;
        e.2 += p[0] * w.max(1e-12);
        e.3 += p[1] * w.max(1e-12);
    }
    let mut keys: Vec<(i64, i64)> = cells.keys().copied().collect();
    keys.sort_unstable();
    let mut seen: HashMap<(i64, i64), bool> = HashMap::with_capacity(keys.len());
    let mut out = Vec::new();
    for start in keys {
        if seen.contains_key(&start) {
            continue;
        }
        let mut members = Vec::new();
        let mut queue = VecDeque::from([start]);
        seen.insert(start, true);
        while let Some(k) = queue.pop_front() {
            members.push(k);
            for dx in -1..=1 {
                for dy in -1..=1 {
                    let n = (k.0 + dx, k.1 + dy);
                    if cells.contains_key(&n) && !seen.contains_key(&n) {
                        seen.insert(n, true);
                        queue.push_back(n);
                    }
                }
            }
        }
        let (mut w, mut count, mut sx, mut sy) = (0.0, 0, 0.0, 0.0);
        let mut squares = Vec::with_capacity(members.len());
        for k in &members {
            let c = cells[k];
            w += c.0;
            count += c.1;
            sx += c.2;
            sy += c.3;
            let sq = Rect::new(
                coord! {x: k.0 as f64 * cell_m, y: k.1 as f64 * cell_m},
                coord! {x: (k.0 + 1) as f64 * cell_m, y: (k.1 + 1) as f64 * cell_m},
            )
            .to_polygon();
            squares.push(sq);
        }
        let polygon: MultiPolygon<f64> = unary_union(&squares);
        let wsum = if w > 0.0 { w } else { count as f64 * 1e-12 };
        out.push(GapArea {
            area_m2: polygon.unsigned_area(),
            polygon,
            population: w,
            points: count,
            centre: [sx / wsum.max(1e-12), sy / wsum.max(1e-12)],
        });
    }
    out.sort_by(|a, b| b.population.total_cmp(&a.population));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn neighbouring_cells_merge_and_sum() {
        let pts = [
            ([10.0, 10.0], 5.0),
            ([60.0, 10.0], 7.0),     // next cell: same area
            ([110.0, 60.0], 1.0),    // diagonal neighbour: same area
            ([1000.0, 1000.0], 3.0), // far away: its own area
        ];
        let g = gap_areas(&pts, 50.0);
        assert_eq!(g.len(), 2);
        assert_eq!(g[0].population, 13.0);
        assert_eq!(g[0].points, 3);
        assert!((g[0].area_m2 - 3.0 * 2500.0).abs() < 1e-6);
        assert_eq!(g[1].population, 3.0);
        assert_eq!(g[1].centre, [1000.0, 1000.0]);
    }
}
