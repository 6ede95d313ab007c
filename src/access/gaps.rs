//! Gap areas: where residents are not covered, merged into areas with their population.
//!
//! Uncovered demand points are binned into square cells (`shapes.gap_cell_m`, 50 m [P]); cells
//! touching each other (8-neighbourhood) form one gap area, whose polygon is the union of its
//! cells and whose population is the sum of its points' weights. Areas are returned largest
//! population first.

use std::collections::VecDeque;
use std::sync::Arc;

use super::memo::{KeyHasher, ShapeMemo};

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
    /// Tells gap areas apart by their cells (equal keys, equal outlines).
    #[serde(skip)]
    pub key: u64,
}

/// Merge weighted points (`(position, weight)`) into gap areas on a `cell_m` grid.
pub fn gap_areas(points: &[([f64; 2], f64)], cell_m: f64) -> Vec<GapArea> {
    gap_areas_memo(points, cell_m, None)
}

/// [`gap_areas`], the outline of an area taken from `memo` when an area of the same cells was
/// outlined before (after a scenario edit, every area away from it).
pub fn gap_areas_memo(
    points: &[([f64; 2], f64)],
    cell_m: f64,
    memo: Option<&ShapeMemo>,
) -> Vec<GapArea> {
    if cell_m.is_nan() || cell_m <= 0.0 {
        return Vec::new();
    }
    // The cells with points, sorted, each with (weight, count, sum x·w, sum y·w): found by
    // binary search while the areas are grown (no hashing: a town's 35,000 uncovered homes
    // take a few milliseconds).
    let mut keyed: Vec<((i64, i64), u32)> = points
        .iter()
        .enumerate()
        .filter(|(_, (p, _))| p[0].is_finite() && p[1].is_finite())
        .map(|(i, (p, _))| {
            (
                (
                    (p[0] / cell_m).floor() as i64,
                    (p[1] / cell_m).floor() as i64,
                ),
                i as u32,
            )
        })
        .collect();
    keyed.sort_unstable();
    let mut keys: Vec<(i64, i64)> = Vec::new();
    let mut sums: Vec<(f64, usize, f64, f64)> = Vec::new();
    for (k, i) in keyed {
        let (p, w) = &points[i as usize];
        if keys.last() != Some(&k) {
            keys.push(k);
            sums.push((0.0, 0, 0.0, 0.0));
        }
        let e = sums.last_mut().expect("pushed");
        e.0 += w;
        e.1 += 1;
        e.2 += p[0] * w.max(1e-12);
        e.3 += p[1] * w.max(1e-12);
    }
    let at = |k: (i64, i64)| keys.binary_search(&k).ok();
    let mut seen = vec![false; keys.len()];
    let mut components: Vec<Vec<(i64, i64)>> = Vec::new();
    for start in 0..keys.len() {
        if seen[start] {
            continue;
        }
        let mut members = Vec::new();
        let mut queue = VecDeque::from([start]);
        seen[start] = true;
        while let Some(c) = queue.pop_front() {
            members.push(keys[c]);
            let k = keys[c];
            for dx in -1..=1 {
                for dy in -1..=1 {
                    if let Some(n) = at((k.0 + dx, k.1 + dy))
                        && !seen[n]
                    {
                        seen[n] = true;
                        queue.push_back(n);
                    }
                }
            }
        }
        components.push(members);
    }
    // Each area's sums, key and outline, in parallel.
    use rayon::prelude::*;
    let mut out: Vec<GapArea> = components
        .into_par_iter()
        .map(|mut members| {
            let (mut w, mut count, mut sx, mut sy) = (0.0, 0, 0.0, 0.0);
            for k in &members {
                let c = sums[at(*k).expect("a cell")];
                w += c.0;
                count += c.1;
                sx += c.2;
                sy += c.3;
            }
            members.sort_unstable();
            let mut h = KeyHasher::default();
            h.f64(cell_m);
            for k in &members {
                h.word(k.0 as u64);
                h.word(k.1 as u64);
            }
            let key = std::hash::Hasher::finish(&h);
            let outline = || {
                let squares: Vec<_> = members
                    .iter()
                    .map(|k| {
                        Rect::new(
                            coord! {x: k.0 as f64 * cell_m, y: k.1 as f64 * cell_m},
                            coord! {x: (k.0 + 1) as f64 * cell_m, y: (k.1 + 1) as f64 * cell_m},
                        )
                        .to_polygon()
                    })
                    .collect();
                Some(Arc::new(unary_union(&squares)))
            };
            let polygon: MultiPolygon<f64> = match memo {
                Some(m) => m.get_or(key, outline),
                None => outline(),
            }
            .map(Arc::unwrap_or_clone)
            .unwrap_or(MultiPolygon(vec![]));
            let wsum = if w > 0.0 { w } else { count as f64 * 1e-12 };
            GapArea {
                area_m2: polygon.unsigned_area(),
                polygon,
                population: w,
                points: count,
                centre: [sx / wsum.max(1e-12), sy / wsum.max(1e-12)],
                key,
            }
        })
        .collect();
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

    /// With a memo the areas are the same as without, and a second pass outlines nothing
    /// anew; an area that changed gets a new key.
    #[test]
    fn memo_gives_the_same_areas_and_keys_tell_changes() {
        let mut pts: Vec<([f64; 2], f64)> = (0..400)
            .map(|i| {
                let (x, y) = ((i * 37 % 1000) as f64, (i * 91 % 1000) as f64);
                ([x * 1.7, y * 1.3], 1.0 + (i % 3) as f64)
            })
            .collect();
        let plain = gap_areas(&pts, 50.0);
        let memo = ShapeMemo::default();
        assert_eq!(gap_areas_memo(&pts, 50.0, Some(&memo)), plain);
        let held = memo.len();
        assert!(held > 3, "{held}");
        assert_eq!(gap_areas_memo(&pts, 50.0, Some(&memo)), plain);
        assert_eq!(memo.len(), held, "nothing outlined anew");
        // One more point far from the rest: one new area, the others keep their keys.
        pts.push(([5000.0, 5000.0], 2.0));
        let more = gap_areas_memo(&pts, 50.0, Some(&memo));
        assert_eq!(more.len(), plain.len() + 1);
        assert_eq!(memo.len(), held + 1);
        let old: Vec<u64> = plain.iter().map(|g| g.key).collect();
        assert_eq!(more.iter().filter(|g| !old.contains(&g.key)).count(), 1);
    }
}
