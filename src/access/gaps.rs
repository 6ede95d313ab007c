//! Gap areas: where residents are not covered, merged into areas with their population.
//!
//! Uncovered demand points are binned into square cells (`shapes.gap_cell_m`, 50 m [P]); cells
//! touching each other (8-neighbourhood) form one gap area, whose polygon is the union of its
//! cells and whose population is the sum of its points' weights. Areas are returned largest
//! population first.

use std::sync::Arc;

use super::memo::{KeyHasher, Outline, Shape, ShapeMemo};

use geo::unary_union;
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
    /// The polygon's bounding box.
    #[serde(skip)]
    pub bbox: Option<Rect<f64>>,
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
    let mut areas = gap_shapes(points, cell_m, memo)
        .into_iter()
        .map(|(mut area, outline)| {
            if let Some(o) = outline {
                let o = Arc::unwrap_or_clone(o);
                area.polygon = o.polygon;
                area.bbox = Some(o.bbox);
            }
            area
        })
        .collect::<Vec<_>>();
    areas.sort_by(|a, b| b.population.total_cmp(&a.population));
    areas
}

/// [`gap_areas_memo`] with each area's outline as the memo shares it (None: no cells), its
/// `polygon` left empty: copied only where needed (a map's overlay copies only the areas it
/// does not show already); in the order of their first cell, not sorted by population.
pub fn gap_shapes(
    points: &[([f64; 2], f64)],
    cell_m: f64,
    memo: Option<&ShapeMemo>,
) -> Vec<(GapArea, Shape)> {
    if cell_m.is_nan() || cell_m <= 0.0 {
        return Vec::new();
    }
    // The cells with points, sorted, each with (weight, count, sum x·w, sum y·w).
    let keyed = sorted_cells(points, cell_m);
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
    let components = touching_cells(&keys);
    // Each area's sums and key, in parallel; outlines from the memo where held (one lock for
    // all), else traced, in parallel, and kept.
    use rayon::prelude::*;
    let areas: Vec<(u64, (f64, usize, f64, f64))> = (0..components.len())
        .into_par_iter()
        .map(|g| {
            let members = components.get(g);
            let (mut w, mut count, mut sx, mut sy) = (0.0, 0, 0.0, 0.0);
            let mut h = KeyHasher::default();
            h.f64(cell_m);
            for c in members {
                let s = sums[*c as usize];
                w += s.0;
                count += s.1;
                sx += s.2;
                sy += s.3;
                h.word(keys[*c as usize].0 as u64);
                h.word(keys[*c as usize].1 as u64);
            }
            (std::hash::Hasher::finish(&h), (w, count, sx, sy))
        })
        .collect();
    let area_keys: Vec<u64> = areas.iter().map(|(k, _)| *k).collect();
    let held = match memo {
        Some(m) => m.get_many(&area_keys),
        None => vec![None; areas.len()],
    };
    let outlines: Vec<(Shape, bool)> = (0..components.len())
        .into_par_iter()
        .zip(held)
        .map(|(g, held)| match held {
            Some(shape) => (shape, false),
            None => {
                let squares: Vec<_> = (components.get(g).iter())
                    .map(|c| {
                        let k = keys[*c as usize];
                        Rect::new(
                            coord! {x: k.0 as f64 * cell_m, y: k.1 as f64 * cell_m},
                            coord! {x: (k.0 + 1) as f64 * cell_m, y: (k.1 + 1) as f64 * cell_m},
                        )
                        .to_polygon()
                    })
                    .collect();
                (Outline::new(unary_union(&squares)).map(Arc::new), true)
            }
        })
        .collect();
    if let Some(m) = memo {
        m.put_many(
            area_keys
                .iter()
                .zip(&outlines)
                .filter(|(_, (_, made))| *made)
                .map(|(k, (s, _))| (*k, s.clone()))
                .collect(),
        );
    }
    areas
        .into_par_iter()
        .zip(outlines)
        .enumerate()
        .map(|(g, ((key, (w, count, sx, sy)), (shape, _)))| {
            let members = components.get(g);
            let wsum = if w > 0.0 { w } else { count as f64 * 1e-12 };
            let area = GapArea {
                // The union of whole cells: their count times a cell's area.
                area_m2: members.len() as f64 * cell_m * cell_m,
                polygon: MultiPolygon(vec![]),
                population: w,
                points: count,
                centre: [sx / wsum.max(1e-12), sy / wsum.max(1e-12)],
                key,
                bbox: shape.as_ref().map(|o| o.bbox),
            };
            (area, shape)
        })
        .collect()
}

/// Each finite point's cell (`cell_m` grid) and number, sorted by cell then number. Packed
/// into one integer each where the cells' span allows (always in a town): sorting 45,000
/// of them takes a third of the time the pairs took.
fn sorted_cells(points: &[([f64; 2], f64)], cell_m: f64) -> Vec<((i64, i64), u32)> {
    let mut keyed: Vec<((i64, i64), u32)> = points
        .iter()
        .enumerate()
        .filter(|(_, (p, _))| p[0].is_finite() && p[1].is_finite())
        .map(|(i, (p, _))| {
            let cell = |v: f64| (v / cell_m).floor() as i64;
            ((cell(p[0]), cell(p[1])), i as u32)
        })
        .collect();
    let (mut lo, mut hi) = ((i64::MAX, i64::MAX), (i64::MIN, i64::MIN));
    for ((x, y), _) in &keyed {
        lo = (lo.0.min(*x), lo.1.min(*y));
        hi = (hi.0.max(*x), hi.1.max(*y));
    }
    let span = |a: i64, b: i64| u64::try_from(b.checked_sub(a)?).ok()?.checked_add(1);
    let packable = match (span(lo.0, hi.0), span(lo.1, hi.1)) {
        (Some(w), Some(h)) => w.checked_mul(h).is_some_and(|n| n <= 1 << 32),
        _ => false,
    };
    if keyed.is_empty() || !packable || points.len() > u32::MAX as usize {
        keyed.sort_unstable();
        return keyed;
    }
    let h = (hi.1 - lo.1 + 1) as u64;
    // Column-major cell number (x, then y: the pairs' order) above the point's number.
    let mut packed: Vec<u64> = (keyed.iter())
        .map(|((x, y), i)| (((x - lo.0) as u64 * h + (y - lo.1) as u64) << 32) | u64::from(*i))
        .collect();
    packed.sort_unstable();
    for (k, p) in keyed.iter_mut().zip(packed) {
        let (cell, i) = (p >> 32, p as u32);
        *k = ((lo.0 + (cell / h) as i64, lo.1 + (cell % h) as i64), i);
    }
    keyed
}

/// The groups of `cells` (sorted, distinct) touching each other (8-neighbourhood), each a
/// sorted list of indices into `cells`, in the order of their first cell. One sweep with a
/// union-find: a cell's neighbours after it are the next cell (same column, one up) and three
/// cells of the next column, found by a cursor that only moves forward.
fn touching_cells(cells: &[(i64, i64)]) -> Groups {
    let n = cells.len();
    let mut parent: Vec<u32> = (0..n as u32).collect();
    fn root(parent: &mut [u32], mut i: u32) -> u32 {
        while parent[i as usize] != i {
            let up = parent[parent[i as usize] as usize];
            parent[i as usize] = up;
            i = up;
        }
        i
    }
    let join = |parent: &mut [u32], a: usize, b: usize| {
        let (ra, rb) = (root(parent, a as u32), root(parent, b as u32));
        if ra != rb {
            // The smaller index roots the group (groups come out in order of first cell).
            let (lo, hi) = (ra.min(rb), ra.max(rb));
            parent[hi as usize] = lo;
        }
    };
    let mut cursor = 0;
    for i in 0..n {
        let (x, y) = cells[i];
        if i + 1 < n && cells[i + 1] == (x, y + 1) {
            join(&mut parent, i, i + 1);
        }
        let lowest = (x + 1, y - 1);
        while cursor < n && cells[cursor] < lowest {
            cursor += 1;
        }
        let mut j = cursor;
        while j < n && cells[j] <= (x + 1, y + 1) {
            join(&mut parent, i, j);
            j += 1;
        }
    }
    // The groups in the order of their first cell, each's cells in order, in one list.
    let mut group_of: Vec<u32> = vec![u32::MAX; n];
    let mut starts: Vec<u32> = vec![0];
    let mut member_group: Vec<u32> = Vec::with_capacity(n);
    for i in 0..n {
        let r = root(&mut parent, i as u32) as usize;
        if group_of[r] == u32::MAX {
            group_of[r] = starts.len() as u32 - 1;
            starts.push(0);
        }
        let g = group_of[r];
        member_group.push(g);
        starts[g as usize + 1] += 1;
    }
    for g in 1..starts.len() {
        starts[g] += starts[g - 1];
    }
    let mut next = starts.clone();
    let mut cells = vec![0u32; n];
    for (i, g) in member_group.into_iter().enumerate() {
        cells[next[g as usize] as usize] = i as u32;
        next[g as usize] += 1;
    }
    Groups { cells, starts }
}

/// Groups of cells in one list: group `g` is `cells[starts[g]..starts[g + 1]]`.
struct Groups {
    cells: Vec<u32>,
    starts: Vec<u32>,
}

impl Groups {
    fn len(&self) -> usize {
        self.starts.len() - 1
    }

    fn get(&self, g: usize) -> &[u32] {
        &self.cells[self.starts[g] as usize..self.starts[g + 1] as usize]
    }
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

    /// Packed or not, the cells come sorted as the pairs sort: by cell (x, then y), then
    /// by number; points not finite are left out.
    #[test]
    fn cells_sorted_packed_as_the_pairs_sort() {
        let mut seed = 11u64;
        let mut rnd = || {
            seed = seed
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            ((seed >> 33) % 4000) as f64 - 2000.0
        };
        let mut pts: Vec<([f64; 2], f64)> = (0..500).map(|_| ([rnd(), rnd()], 1.0)).collect();
        pts.push(([f64::NAN, 0.0], 1.0));
        // Far apart (a span beyond 2³² cells): sorted as pairs.
        let far = [
            ([-1.0e13, 0.0], 1.0),
            ([1.0e13, 5.0], 1.0),
            ([0.0, 0.0], 1.0),
        ];
        for (pts, cell) in [(&pts[..], 50.0), (&pts[..], 7.0), (&far[..], 50.0)] {
            let mut expected: Vec<((i64, i64), u32)> = (pts.iter().enumerate())
                .filter(|(_, (p, _))| p[0].is_finite())
                .map(|(i, (p, _))| {
                    let c = |v: f64| (v / cell).floor() as i64;
                    ((c(p[0]), c(p[1])), i as u32)
                })
                .collect();
            expected.sort_unstable();
            assert_eq!(sorted_cells(pts, cell), expected);
        }
    }

    /// The sweep groups cells as a flood fill over the 8-neighbourhood does.
    #[test]
    fn touching_cells_match_a_flood_fill() {
        let mut seed = 7u64;
        for _ in 0..20 {
            let mut cells: Vec<(i64, i64)> = (0..300)
                .map(|_| {
                    seed = seed
                        .wrapping_mul(6364136223846793005)
                        .wrapping_add(1442695040888963407);
                    (
                        ((seed >> 33) % 40) as i64 - 20,
                        ((seed >> 45) % 40) as i64 - 20,
                    )
                })
                .collect();
            cells.sort_unstable();
            cells.dedup();
            // Flood fill, groups in order of their first cell.
            let mut seen = vec![false; cells.len()];
            let mut expected: Vec<Vec<u32>> = Vec::new();
            for s in 0..cells.len() {
                if seen[s] {
                    continue;
                }
                seen[s] = true;
                let (mut group, mut stack) = (vec![], vec![s]);
                while let Some(c) = stack.pop() {
                    group.push(c as u32);
                    for (j, o) in cells.iter().enumerate() {
                        if !seen[j]
                            && (o.0 - cells[c].0).abs() <= 1
                            && (o.1 - cells[c].1).abs() <= 1
                        {
                            seen[j] = true;
                            stack.push(j);
                        }
                    }
                }
                group.sort_unstable();
                expected.push(group);
            }
            let groups = touching_cells(&cells);
            let got: Vec<Vec<u32>> = (0..groups.len()).map(|g| groups.get(g).to_vec()).collect();
            assert_eq!(got, expected);
        }
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
