//! Isochrones: the area from which a facility (or the nearest facility of a category) is within
//! a time budget, built from the network itself, not from a circle around the facility.
//!
//! Method: every edge contributes the parts of it from which a source is reachable in time —
//! whole edges, and partial ends cut at the exact offset where the budget runs out (from node
//! times and the edge's travel speed; sources on the edge itself included). These reachable
//! street pieces are buffered by a street half-width from the profile
//! (`shapes.isochrone_half_width_m`, 35 m [P]: the frontage one reaches from the street) with
//! round caps and joins (geo's `Buffer`, i_overlay), and unioned. The result follows the streets:
//! a river without a bridge stays outside, a dead end ends where the time runs out.
//!
//! With the Euclidean fallback the isochrone is the union of circles of radius
//! budget × speed / detour factor (flagged as such by the caller).

use geo::Buffer;
use geo_types::{Coord, LineString, MultiLineString, MultiPoint, MultiPolygon, Point};

use crate::network::graph::Graph;
use crate::network::mode::{ModeGraph, PASS_BACKWARD, PASS_FORWARD};

use std::sync::Arc;

use super::dijkstra::{NodeTimes, SourceSet, Workspace};
use super::memo::{KeyHasher, Outline, Pieces, ShapeMemo};
use super::{Analysis, CategoryTimes, Method};

/// A reachable piece of an edge: offsets (metres) from the edge's `from` node.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Piece {
    pub edge: u32,
    pub from_m: f64,
    pub to_m: f64,
}

/// The parts of every edge from which a source is reachable within `budget_s`.
pub fn reachable_pieces(
    graph: &Graph,
    mode: &ModeGraph,
    times: &NodeTimes,
    sources: &SourceSet,
    budget_s: f64,
) -> Vec<Piece> {
    use rayon::prelude::*;
    // In runs of edges, in parallel (a town's 200,000 edges: a few milliseconds).
    const RUN: usize = 8192;
    let n = graph.edges.len();
    let runs: Vec<Vec<Piece>> = (0..n.div_ceil(RUN))
        .into_par_iter()
        .map(|r| {
            let edges = r * RUN..((r + 1) * RUN).min(n);
            pieces_of_edges(graph, mode, times, sources, budget_s, edges)
        })
        .collect();
    runs.concat()
}

/// Whether every edge the mode may use is reached whole within `budget_s`, from an end it may be
/// left by (what [`reachable_pieces`] finds then: every such edge, whole, [`every_edge`]).
fn reaches_every_edge(graph: &Graph, mode: &ModeGraph, times: &NodeTimes, budget_s: f64) -> bool {
    graph.edges.iter().enumerate().all(|(ei, e)| {
        let (s_per_m, pass) = (mode.edge_s_per_m[ei], mode.edge_pass[ei]);
        if pass == 0 || !s_per_m.is_finite() {
            return true;
        }
        let whole_from = |t: f64| t <= budget_s && (budget_s - t) / s_per_m >= e.length_m;
        (pass & PASS_FORWARD != 0 && whole_from(times.time_s[e.to as usize]))
            || (pass & PASS_BACKWARD != 0 && whole_from(times.time_s[e.from as usize]))
    })
}

/// Every edge the mode may use, whole.
fn every_edge(graph: &Graph, mode: &ModeGraph) -> Vec<Piece> {
    (graph.edges.iter().enumerate())
        .filter(|(ei, _)| mode.edge_pass[*ei] != 0 && mode.edge_s_per_m[*ei].is_finite())
        .map(|(ei, e)| Piece {
            edge: ei as u32,
            from_m: 0.0,
            to_m: e.length_m,
        })
        .collect()
}

fn pieces_of_edges(
    graph: &Graph,
    mode: &ModeGraph,
    times: &NodeTimes,
    sources: &SourceSet,
    budget_s: f64,
    edges: std::ops::Range<usize>,
) -> Vec<Piece> {
    let mut out = Vec::new();
    let mut intervals: Vec<(f64, f64)> = Vec::new();
    // The sources of the edges in order: a cursor over them (sorted by edge), not two binary
    // searches for each of 200,000 edges (which were half of this function's time).
    let points = &sources.points;
    let mut next = points.partition_point(|p| (p.edge as usize) < edges.start);
    for ei in edges {
        let first = next;
        while next < points.len() && points[next].edge as usize == ei {
            next += 1;
        }
        let on_edge = &points[first..next];
        let e = &graph.edges[ei];
        let (s_per_m, pass) = (mode.edge_s_per_m[ei], mode.edge_pass[ei]);
        if pass == 0 || !s_per_m.is_finite() {
            continue;
        }
        let len = e.length_m;
        intervals.clear();
        // Leaving forward to `to`: (len - x) s + t_to <= B.
        let t_to = times.time_s[e.to as usize];
        if pass & PASS_FORWARD != 0 && t_to <= budget_s {
            let reach = (budget_s - t_to) / s_per_m;
            intervals.push(((len - reach).max(0.0), len));
        }
        // Leaving backward to `from`: x s + t_from <= B.
        let t_from = times.time_s[e.from as usize];
        if pass & PASS_BACKWARD != 0 && t_from <= budget_s {
            let reach = (budget_s - t_from) / s_per_m;
            intervals.push((0.0, reach.min(len)));
        }
        for f in on_edge {
            if f.access_s > budget_s {
                continue;
            }
            let reach = (budget_s - f.access_s) / s_per_m;
            if pass & PASS_FORWARD != 0 {
                intervals.push(((f.offset_m - reach).max(0.0), f.offset_m.min(len)));
            }
            if pass & PASS_BACKWARD != 0 {
                intervals.push((f.offset_m.max(0.0), (f.offset_m + reach).min(len)));
            }
        }
        if intervals.is_empty() {
            continue;
        }
        intervals.sort_by(|a, b| a.0.total_cmp(&b.0));
        let mut cur = intervals[0];
        for iv in intervals[1..].iter() {
            if iv.0 <= cur.1 {
                cur.1 = cur.1.max(iv.1);
            } else {
                out.push(Piece {
                    edge: ei as u32,
                    from_m: cur.0,
                    to_m: cur.1,
                });
                cur = *iv;
            }
        }
        out.push(Piece {
            edge: ei as u32,
            from_m: cur.0,
            to_m: cur.1,
        });
    }
    out
}

/// The pieces as lines.
pub fn pieces_lines(graph: &Graph, pieces: &[Piece]) -> MultiLineString<f64> {
    MultiLineString(
        pieces
            .iter()
            .map(|p| {
                LineString(
                    graph
                        .sub_line(p.edge, p.from_m, p.to_m)
                        .into_iter()
                        .map(|c| Coord { x: c[0], y: c[1] })
                        .collect(),
                )
            })
            .collect(),
    )
}

/// The area within `half_width_m` of the reachable pieces, traced on a field of half the
/// half-width ([`REPORT_STEP`]: reports, GeoPackages, the ten ones; the map's pieces use a
/// finer one).
pub fn pieces_polygon(graph: &Graph, pieces: &[Piece], half_width_m: f64) -> MultiPolygon<f64> {
    if pieces.is_empty() {
        return MultiPolygon(vec![]);
    }
    let segs = line_segments(&pieces_lines(graph, pieces));
    let step = half_width_m * REPORT_STEP;
    let Some(grid) =
        bounds(&segs).and_then(|(lo, hi)| BandGrid::over_at(lo, hi, half_width_m, step))
    else {
        return MultiPolygon(vec![]);
    };
    trace_tiles(&segs, half_width_m, &grid, usize::MAX, None)
        .pop()
        .map(BandTile::into_polygon)
        .unwrap_or(MultiPolygon(vec![]))
}

/// The field step of [`pieces_polygon`], in half-widths. The outline is interpolated along the
/// field's grid lines, exact where the band's edge is straight; at a round end of radius r
/// traced at step s it is off by about s² / 8r (1.1 m for the 35 m half-width), and a hole
/// (a block inside the band) narrower than a step may close. Four times fewer samples than
/// the map's quarter: a town's report traces every category at every tier.
pub const REPORT_STEP: f64 = 0.5;

/// Most grid samples a band polygon may use; the step grows beyond it.
const MAX_BAND_SAMPLES: usize = 6_000_000;

/// The area within `half_width_m` of `lines` (their round-capped buffer, unioned), traced as the
/// contour of the distance field on a grid of a quarter of the half-width.
pub fn band_polygon(lines: &MultiLineString<f64>, half_width_m: f64) -> MultiPolygon<f64> {
    band_polygon_tiles(lines, half_width_m, usize::MAX)
        .pop()
        .unwrap_or(MultiPolygon(vec![]))
}

/// [`band_polygon`] traced tile by tile: the field's samples cut into squares of `tile` × `tile`
/// cells (neighbours share their edge's samples, so every cell is in one square), each square's
/// contour clipped to the square: inside a cell the contour depends on its four corners only, so
/// the pieces abut exactly and together cover what [`band_polygon`] covers;
/// each piece has the holes of its square only, so a map can fill a town-wide isochrone with
/// tens of thousands of holes (a 30-minute circle over a street grid) piece by piece instead
/// of triangulating one polygon whose cost grows with holes × vertices. Empty squares are left
/// out; `usize::MAX`: one piece.
pub fn band_polygon_tiles(
    lines: &MultiLineString<f64>,
    half_width_m: f64,
    tile: usize,
) -> Vec<MultiPolygon<f64>> {
    let segs = line_segments(lines);
    let Some(grid) = bounds(&segs).and_then(|(lo, hi)| BandGrid::over(lo, hi, half_width_m)) else {
        return Vec::new();
    };
    trace_tiles(&segs, half_width_m, &grid, tile, None)
        .into_iter()
        .map(BandTile::into_polygon)
        .collect()
}

/// A segment of a line: its two ends.
pub type Segment = ([f64; 2], [f64; 2]);

fn line_segments(lines: &MultiLineString<f64>) -> Vec<Segment> {
    lines
        .0
        .iter()
        .flat_map(|l| l.0.windows(2).map(|w| ([w[0].x, w[0].y], [w[1].x, w[1].y])))
        .filter(|(a, b)| a.iter().chain(b.iter()).all(|v| v.is_finite()))
        .collect()
}

/// The segments of the pieces (as [`pieces_lines`] draws them).
pub fn pieces_segments(graph: &Graph, pieces: &[Piece]) -> Vec<Segment> {
    let finite = |(a, b): &Segment| a.iter().chain(b.iter()).all(|v| v.is_finite());
    let mut out = Vec::with_capacity(pieces.len() * 2);
    for p in pieces {
        let whole = graph
            .edges
            .get(p.edge as usize)
            .is_some_and(|e| p.from_m <= 0.0 && p.to_m >= e.length_m);
        if whole {
            // The whole edge: its own points (most pieces of a long isochrone).
            let c = graph.edge_coords(p.edge);
            out.extend(c.windows(2).map(|w| (w[0], w[1])).filter(finite));
        } else {
            let line = graph.sub_line(p.edge, p.from_m, p.to_m);
            out.extend(line.windows(2).map(|w| (w[0], w[1])).filter(finite));
        }
    }
    out
}

fn bounds(segs: &[Segment]) -> Option<([f64; 2], [f64; 2])> {
    let mut lo = [f64::INFINITY; 2];
    let mut hi = [f64::NEG_INFINITY; 2];
    for (a, b) in segs {
        for p in [a, b] {
            lo = [lo[0].min(p[0]), lo[1].min(p[1])];
            hi = [hi[0].max(p[0]), hi[1].max(p[1])];
        }
    }
    (lo[0] <= hi[0] && lo[1] <= hi[1]).then_some((lo, hi))
}

/// The samples of a band's distance field: `nx` × `ny` at `step` metres from `origin`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct BandGrid {
    pub origin: [f64; 2],
    pub step: f64,
    pub nx: usize,
    pub ny: usize,
}

impl BandGrid {
    /// The grid for bands of `half_width_m` around lines within `lo`..`hi`: a quarter of the
    /// half-width apart (coarser when that would exceed [`MAX_BAND_SAMPLES`]), with two
    /// samples of margin beyond the band on every side, which keeps every ring closed.
    pub fn over(lo: [f64; 2], hi: [f64; 2], half_width_m: f64) -> Option<BandGrid> {
        BandGrid::over_at(lo, hi, half_width_m, half_width_m / 4.0)
    }

    /// [`BandGrid::over`] with samples `step` metres apart (at least 0.5 m; coarser when there
    /// would be more than [`MAX_BAND_SAMPLES`]).
    pub fn over_at(lo: [f64; 2], hi: [f64; 2], half_width_m: f64, step: f64) -> Option<BandGrid> {
        let hw = half_width_m;
        let finite = lo.iter().chain(hi.iter()).all(|v| v.is_finite());
        if !finite || hw.is_nan() || hw <= 0.0 || step.is_nan() {
            return None;
        }
        let mut step = step.max(0.5);
        loop {
            let pad = hw + 2.0 * step;
            let nx = ((hi[0] - lo[0] + 2.0 * pad) / step).ceil() as usize + 1;
            let ny = ((hi[1] - lo[1] + 2.0 * pad) / step).ceil() as usize + 1;
            if nx.saturating_mul(ny) <= MAX_BAND_SAMPLES {
                return Some(BandGrid {
                    origin: [lo[0] - hw - 2.0 * step, lo[1] - hw - 2.0 * step],
                    step,
                    nx,
                    ny,
                });
            }
            step *= 1.5;
        }
    }
}

/// A piece of a band, traced in one square of its field; `key` tells apart what it was traced
/// from (the square and the segments within reach of it): equal keys, equal pieces.
#[derive(Debug, Clone, PartialEq)]
pub struct BandTile {
    pub key: u64,
    /// The piece and its bounding box (shared with the memo that keeps it).
    pub outline: Arc<Outline>,
}

impl BandTile {
    /// The piece's polygon (copied when the memo holds it too).
    pub fn into_polygon(self) -> MultiPolygon<f64> {
        Arc::try_unwrap(self.outline)
            .map(|o| o.polygon)
            .unwrap_or_else(|o| o.polygon.clone())
    }
}

/// The band of `half_width_m` around `segs` on `grid`, traced square by square of `tile` ×
/// `tile` cells ([`band_polygon_tiles`]). Each square's field is computed from the segments
/// within reach of its samples only (so it equals the whole field there); with a `memo`, a
/// square whose segments were traced before is taken from it, not traced again.
pub fn trace_tiles(
    segs: &[Segment],
    half_width_m: f64,
    grid: &BandGrid,
    tile: usize,
    memo: Option<&ShapeMemo>,
) -> Vec<BandTile> {
    let hw = half_width_m;
    let BandGrid {
        origin,
        step,
        nx,
        ny,
    } = *grid;
    if segs.is_empty() || hw.is_nan() || hw <= 0.0 || nx < 2 || ny < 2 {
        return Vec::new();
    }
    let tile = tile.max(2);
    let (cx, cy) = (nx - 1, ny - 1);
    let (tx, ty) = (cx.div_ceil(tile).max(1), cy.div_ceil(tile).max(1));
    let reach = hw + step;
    // Each segment's samples within reach (inclusive ranges), and the squares they fall in
    // (a square's last samples are the next one's first).
    let span = |v0: f64, v1: f64, o: f64, n: usize| -> (usize, usize) {
        let a = ((v0 - reach - o) / step).floor().max(0.0) as usize;
        let b = (((v1 + reach - o) / step).ceil().max(0.0) as usize).min(n - 1);
        (a.min(n - 1), b)
    };
    let ranges: Vec<[usize; 4]> = segs
        .iter()
        .map(|(a, b)| {
            let (i0, i1) = span(a[0].min(b[0]), a[0].max(b[0]), origin[0], nx);
            let (j0, j1) = span(a[1].min(b[1]), a[1].max(b[1]), origin[1], ny);
            [i0, i1, j0, j1]
        })
        .collect();
    let mut members: Vec<Vec<u32>> = vec![Vec::new(); tx * ty];
    for (k, [i0, i1, j0, j1]) in ranges.iter().enumerate() {
        for sj in (j0.saturating_sub(1) / tile)..=(j1 / tile).min(ty - 1) {
            for si in (i0.saturating_sub(1) / tile)..=(i1 / tile).min(tx - 1) {
                members[sj * tx + si].push(k as u32);
            }
        }
    }
    use rayon::prelude::*;
    members
        .par_iter()
        .enumerate()
        .filter(|(_, m)| !m.is_empty())
        .filter_map(|(sq, m)| {
            let (i0, j0) = ((sq % tx) * tile, (sq / tx) * tile);
            let mut h = KeyHasher::default();
            for v in [sq as u64, nx as u64, ny as u64, tile as u64] {
                h.word(v);
            }
            for v in [origin[0], origin[1], step, hw] {
                h.f64(v);
            }
            for k in m {
                let (a, b) = segs[*k as usize];
                for v in [a[0], a[1], b[0], b[1]] {
                    h.f64(v);
                }
            }
            let key = std::hash::Hasher::finish(&h);
            let trace = || {
                trace_square(segs, &ranges, m, hw, grid, (i0, j0), tile)
                    .and_then(Outline::new)
                    .map(Arc::new)
            };
            let outline = match memo {
                Some(memo) => memo.get_or(key, trace),
                None => trace(),
            }?;
            Some(BandTile { key, outline })
        })
        .collect()
}

/// One square of [`trace_tiles`]: samples `i0..=i0+tile`, `j0..=j0+tile` (clamped).
fn trace_square(
    segs: &[Segment],
    ranges: &[[usize; 4]],
    members: &[u32],
    hw: f64,
    grid: &BandGrid,
    (i0, j0): (usize, usize),
    tile: usize,
) -> Option<MultiPolygon<f64>> {
    let BandGrid {
        origin,
        step,
        nx,
        ny,
    } = *grid;
    let (w, h) = (
        tile.saturating_add(1).min(nx - i0),
        tile.saturating_add(1).min(ny - j0),
    );
    let whole = w == nx && h == ny;
    // Field: half-width minus the distance to the nearest segment (>= 0 inside the band),
    // computed exactly within one step beyond the band, -2 steps farther out.
    let far = -2.0 * step;
    let mut values = vec![far; w * h];
    let reach = hw + step;
    let reach2 = reach * reach;
    for k in members {
        let (a, b) = segs[*k as usize];
        let [si0, si1, sj0, sj1] = ranges[*k as usize];
        let (lo_i, hi_i) = (si0.max(i0), si1.min(i0 + w - 1));
        let (lo_j, hi_j) = (sj0.max(j0), sj1.min(j0 + h - 1));
        if lo_i > hi_i || lo_j > hi_j {
            continue;
        }
        let (dx, dy) = (b[0] - a[0], b[1] - a[1]);
        let len2 = dx * dx + dy * dy;
        for j in lo_j..=hi_j {
            let y = origin[1] + j as f64 * step;
            let row = (j - j0) * w;
            for i in lo_i..=hi_i {
                let x = origin[0] + i as f64 * step;
                let t = if len2 > 0.0 {
                    (((x - a[0]) * dx + (y - a[1]) * dy) / len2).clamp(0.0, 1.0)
                } else {
                    0.0
                };
                let (ex, ey) = (x - a[0] - t * dx, y - a[1] - t * dy);
                // Squared first: most samples of a segment's box are out of reach, and a
                // square root (not `hypot`, several times slower) only for the rest.
                let d2 = ex * ex + ey * ey;
                if d2 <= reach2 {
                    let v = &mut values[row + (i - i0)];
                    *v = v.max(hw - d2.sqrt());
                }
            }
        }
    }
    if values.iter().all(|v| *v < 0.0) {
        return None;
    }
    // contour-rs places sample i at grid coordinate i + 0.5.
    let builder = contour::ContourBuilder::new(w, h, true)
        .x_origin(origin[0] + (i0 as f64 - 0.5) * step)
        .y_origin(origin[1] + (j0 as f64 - 0.5) * step)
        .x_step(step)
        .y_step(step);
    let mut c = builder.contours(&values, &[0.0]).ok()?;
    if c.is_empty() {
        return None;
    }
    let mut mp = c.swap_remove(0).into_inner().0;
    if !whole {
        // The square between its first and last samples' lines.
        let x0 = origin[0] + i0 as f64 * step;
        let y0 = origin[1] + j0 as f64 * step;
        let sq = geo_types::Rect::new(
            Coord { x: x0, y: y0 },
            Coord {
                x: x0 + (w - 1) as f64 * step,
                y: y0 + (h - 1) as f64 * step,
            },
        );
        mp = geo::BooleanOps::intersection(&mp, &sq.to_polygon());
    }
    (!mp.0.is_empty()).then_some(mp)
}

/// Circles of `radius_m` around points, unioned (the Euclidean fallback).
pub fn circles_polygon(points: &[[f64; 2]], radius_m: f64) -> MultiPolygon<f64> {
    if points.is_empty() || radius_m.is_nan() || radius_m <= 0.0 {
        return MultiPolygon(vec![]);
    }
    MultiPoint(points.iter().map(|p| Point::new(p[0], p[1])).collect()).buffer(radius_m)
}

impl Analysis {
    /// The isochrone of a category at `minutes` (≤ the budget of `times`): where the nearest
    /// facility of the category is within reach.
    pub fn category_isochrone(&self, times: &CategoryTimes, minutes: u32) -> MultiPolygon<f64> {
        let budget_s = (f64::from(minutes) * 60.0).min(times.budget_s);
        match (&self.network, &times.node_times, self.method) {
            (Some(n), Some(t), Method::Network) => {
                let sources = self.source_set(&times.facilities);
                let pieces = reachable_pieces(&n.graph, &n.mode_graph, t, &sources, budget_s);
                pieces_polygon(&n.graph, &pieces, self.shapes.isochrone_half_width_m.value)
            }
            _ => self.euclid_isochrone(&times.facilities, budget_s),
        }
    }

    /// The grid of the isochrones' distance field over the whole network (fixed for the
    /// analysis, so that a square of it is the same square in every scenario).
    pub fn band_grid(&self) -> Option<BandGrid> {
        let (lo, hi) = self.network.as_ref()?.graph.bbox()?;
        BandGrid::over(lo, hi, self.shapes.isochrone_half_width_m.value)
    }

    /// [`Analysis::category_isochrone`] in pieces of at most `tile` × `tile` field samples
    /// ([`trace_tiles`] on [`Analysis::band_grid`]): for drawing a town-wide isochrone on a
    /// map. Pieces traced before for this analysis or a scenario of it (same square, same
    /// streets within reach) are taken from its memo: after an edit only the squares near it
    /// are traced. The Euclidean fallback's circles come in one piece.
    pub fn category_isochrone_tiles(
        &self,
        times: &CategoryTimes,
        minutes: u32,
        tile: usize,
    ) -> Vec<BandTile> {
        let budget_s = (f64::from(minutes) * 60.0).min(times.budget_s);
        match (
            &self.network,
            &times.node_times,
            self.method,
            self.band_grid(),
        ) {
            (Some(n), Some(t), Method::Network, Some(grid)) => {
                let sources = self.source_set(&times.facilities);
                let hw = self.shapes.isochrone_half_width_m.value;
                let mut h = KeyHasher::default();
                for v in [grid.origin[0], grid.origin[1], grid.step, hw] {
                    h.f64(v);
                }
                h.word(tile as u64);
                // What the reachable pieces are made of: the sources, the budget and the
                // nodes' times within it (beyond it all alike). A tier an edit left alone (the
                // 30 minutes that reach the whole town before and after) is found by these
                // without finding its pieces along 200,000 edges again.
                let mut made_of = KeyHasher(h.0 ^ 0x7469_6d65_735f_6f66);
                made_of.f64(budget_s);
                for p in &sources.points {
                    made_of.word(u64::from(p.edge));
                    made_of.f64(p.offset_m);
                    made_of.f64(p.access_s);
                }
                for s in &t.time_s {
                    made_of.f64(if *s <= budget_s { *s } else { f64::INFINITY });
                }
                let trace = || {
                    // A tier reaching every edge whole (30 minutes over a town) is the same
                    // whatever the times: keyed as such, its pieces not found one by one.
                    let whole = reaches_every_edge(&n.graph, &n.mode_graph, t, budget_s);
                    let pieces = if whole {
                        h.word(0x7768_6f6c_655f_7365);
                        Vec::new()
                    } else {
                        reachable_pieces(&n.graph, &n.mode_graph, t, &sources, budget_s)
                    };
                    for p in &pieces {
                        h.word(u64::from(p.edge));
                        h.f64(p.from_m);
                        h.f64(p.to_m);
                    }
                    let set = self.shape_memo.set_or(std::hash::Hasher::finish(&h), || {
                        let every;
                        let pieces = if whole {
                            every = every_edge(&n.graph, &n.mode_graph);
                            &every
                        } else {
                            &pieces
                        };
                        let segs = pieces_segments(&n.graph, pieces);
                        trace_tiles(&segs, hw, &grid, tile, Some(&self.shape_memo))
                            .into_iter()
                            .map(|t| (t.key, t.outline))
                            .collect()
                    });
                    Pieces::clone(&set)
                };
                let set = (self.shape_memo).set_or(std::hash::Hasher::finish(&made_of), trace);
                set.iter()
                    .map(|(key, outline)| BandTile {
                        key: *key,
                        outline: Arc::clone(outline),
                    })
                    .collect()
            }
            _ => {
                let mp = self.euclid_isochrone(&times.facilities, budget_s);
                let mut h = KeyHasher::default();
                h.f64(budget_s);
                for f in &times.facilities {
                    if let Some(f) = self.facilities.get(*f as usize) {
                        h.f64(f.xy[0]);
                        h.f64(f.xy[1]);
                    }
                }
                Outline::new(mp)
                    .map(|o| BandTile {
                        key: std::hash::Hasher::finish(&h),
                        outline: Arc::new(o),
                    })
                    .into_iter()
                    .collect()
            }
        }
    }

    /// The isochrones of several (category, minutes) at once, in parallel, in the order given:
    /// each as [`Analysis::category_isochrone`] makes it. The reachable pieces come first, then
    /// one band polygon per distinct set of pieces: where a tier's budget reaches the whole
    /// network from the facilities of several categories, their isochrones are the same polygon,
    /// traced once.
    pub fn category_isochrones(&self, jobs: &[(&CategoryTimes, u32)]) -> Vec<MultiPolygon<f64>> {
        use rayon::prelude::*;
        let Some(n) = self
            .network
            .as_ref()
            .filter(|_| self.method == Method::Network)
        else {
            return jobs
                .par_iter()
                .map(|(ct, m)| self.category_isochrone(ct, *m))
                .collect();
        };
        let pieces: Vec<Option<Vec<Piece>>> = jobs
            .par_iter()
            .map(|(times, minutes)| {
                let t = times.node_times.as_ref()?;
                let budget_s = (f64::from(*minutes) * 60.0).min(times.budget_s);
                let sources = self.source_set(&times.facilities);
                Some(reachable_pieces(
                    &n.graph,
                    &n.mode_graph,
                    t,
                    &sources,
                    budget_s,
                ))
            })
            .collect();
        let mut distinct: Vec<&Vec<Piece>> = Vec::new();
        let which: Vec<Option<usize>> = pieces
            .iter()
            .map(|p| {
                let p = p.as_ref()?;
                Some(match distinct.iter().position(|d| *d == p) {
                    Some(k) => k,
                    None => {
                        distinct.push(p);
                        distinct.len() - 1
                    }
                })
            })
            .collect();
        let hw = self.shapes.isochrone_half_width_m.value;
        let polygons: Vec<MultiPolygon<f64>> = distinct
            .par_iter()
            .map(|p| pieces_polygon(&n.graph, p, hw))
            .collect();
        jobs.par_iter()
            .zip(which)
            .map(|((ct, m), k)| match k {
                Some(k) => polygons[k].clone(),
                None => self.category_isochrone(ct, *m),
            })
            .collect()
    }

    /// The isochrone of one facility (its own search, bounded by `minutes`).
    pub fn facility_isochrone(
        &self,
        facility: u32,
        minutes: u32,
        ws: &mut Workspace,
    ) -> MultiPolygon<f64> {
        let budget_s = f64::from(minutes) * 60.0;
        match self.node_times(&[facility], budget_s, ws) {
            Some((t, sources)) if self.method == Method::Network => {
                let Some(n) = &self.network else {
                    return MultiPolygon(vec![]);
                };
                let pieces = reachable_pieces(&n.graph, &n.mode_graph, &t, &sources, budget_s);
                pieces_polygon(&n.graph, &pieces, self.shapes.isochrone_half_width_m.value)
            }
            _ => self.euclid_isochrone(&[facility], budget_s),
        }
    }

    fn euclid_isochrone(&self, facilities: &[u32], budget_s: f64) -> MultiPolygon<f64> {
        let pts: Vec<[f64; 2]> = facilities
            .iter()
            .filter_map(|i| self.facilities.get(*i as usize).map(|f| f.xy))
            .collect();
        circles_polygon(
            &pts,
            budget_s * self.mode.speed_m_per_s / self.detour_factor,
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::access::dijkstra::{SourcePoint, multi_source};
    use crate::access::snap::Snap;
    use crate::network::graph::Direction;
    use crate::network::mode::TravelMode;
    use crate::standards::profile::RoadClassId;
    use geo::{Area, Contains};

    /// The edges' sources are found by a cursor that starts where a run of edges starts: any
    /// split of the edges into runs gives the pieces of the whole, and every source's own
    /// pieces (several sources on one edge, sources on the first and last edges).
    #[test]
    fn pieces_of_any_run_of_edges_are_the_pieces_of_the_whole() {
        let mut g = Graph::new();
        let nodes: Vec<u32> = (0..8)
            .map(|i| g.add_node([i as f64 * 100.0, 0.0]))
            .collect();
        for w in nodes.windows(2) {
            g.add_straight_edge(w[0], w[1], RoadClassId(0), Direction::Both);
        }
        let m = ModeGraph::new(&g, &TravelMode::uniform("walk", 1.0, 1, false));
        let snap = |edge: u32, offset_m: f64| Snap {
            edge,
            offset_m,
            access_m: 0.0,
            point: [edge as f64 * 100.0 + offset_m, 0.0],
            from: [edge as f64 * 100.0 + offset_m, 0.0],
        };
        let s = SourceSet::new(vec![
            SourcePoint::from_snap(0, &snap(0, 10.0), &m),
            SourcePoint::from_snap(1, &snap(3, 20.0), &m),
            SourcePoint::from_snap(2, &snap(3, 90.0), &m),
            SourcePoint::from_snap(3, &snap(6, 50.0), &m),
        ]);
        let budget = 30.0;
        let mut t = NodeTimes::new(nodes.len());
        multi_source(
            &m,
            &s.seeds(&g, &m),
            budget,
            &mut t,
            &mut Workspace::default(),
        );
        let n = g.edges.len();
        let whole = pieces_of_edges(&g, &m, &t, &s, budget, 0..n);
        // Each source reaches 30 m on either side of it along its own edge.
        let on = |e: u32| -> Vec<(f64, f64)> {
            whole
                .iter()
                .filter(|p| p.edge == e)
                .map(|p| (p.from_m, p.to_m))
                .collect()
        };
        assert_eq!(on(0), vec![(0.0, 40.0)]);
        assert_eq!(on(3), vec![(0.0, 50.0), (60.0, 100.0)]);
        assert_eq!(on(6), vec![(20.0, 80.0)]);
        assert_eq!(on(1), vec![]);
        for a in 0..=n {
            for b in a..=n {
                let mut split = pieces_of_edges(&g, &m, &t, &s, budget, 0..a);
                split.extend(pieces_of_edges(&g, &m, &t, &s, budget, a..b));
                split.extend(pieces_of_edges(&g, &m, &t, &s, budget, b..n));
                assert_eq!(split, whole, "runs 0..{a}, {a}..{b}, {b}..{n}");
            }
        }
        assert_eq!(reachable_pieces(&g, &m, &t, &s, budget), whole);
    }

    #[test]
    fn pieces_stop_where_time_runs_out() {
        // a --1000 m-- b --1000 m-- c, facility at 300 m from a on edge 0; budget 500 s at 1 m/s.
        let mut g = Graph::new();
        let a = g.add_node([0.0, 0.0]);
        let b = g.add_node([1000.0, 0.0]);
        let c = g.add_node([2000.0, 0.0]);
        g.add_straight_edge(a, b, RoadClassId(0), Direction::Both);
        g.add_straight_edge(b, c, RoadClassId(0), Direction::Both);
        let m = ModeGraph::new(&g, &TravelMode::uniform("walk", 1.0, 1, false));
        let snap = Snap {
            edge: 0,
            offset_m: 300.0,
            access_m: 0.0,
            point: [300.0, 0.0],
            from: [300.0, 0.0],
        };
        let s = SourceSet::new(vec![SourcePoint::from_snap(0, &snap, &m)]);
        let mut t = NodeTimes::new(3);
        multi_source(
            &m,
            &s.seeds(&g, &m),
            500.0,
            &mut t,
            &mut Workspace::default(),
        );
        let p = reachable_pieces(&g, &m, &t, &s, 500.0);
        assert_eq!(
            p,
            vec![Piece {
                edge: 0,
                from_m: 0.0,
                to_m: 800.0
            }]
        );
        // b is 700 s away: nothing of edge 1.
        let poly = pieces_polygon(&g, &p, 35.0);
        assert!(poly.contains(&Point::new(790.0, 0.0)));
        assert!(!poly.contains(&Point::new(900.0, 0.0)));
        assert!(!poly.contains(&Point::new(400.0, 50.0)));
        // About 800 × 70 plus the round caps.
        let area = poly.unsigned_area();
        assert!(
            (area - (800.0 * 70.0 + std::f64::consts::PI * 35.0 * 35.0)).abs() < 500.0,
            "{area}"
        );
    }

    #[test]
    fn band_matches_the_exact_buffer() {
        // A 200 m block (a loop) with a spur: one polygon with one hole.
        let lines = MultiLineString(vec![
            LineString::from(vec![
                (0., 0.),
                (200., 0.),
                (200., 200.),
                (0., 200.),
                (0., 0.),
            ]),
            LineString::from(vec![(200., 100.), (400., 130.)]),
        ]);
        let band = band_polygon(&lines, 35.0);
        let exact = lines.buffer(35.0);
        let (a, b) = (band.unsigned_area(), exact.unsigned_area());
        assert!((a - b).abs() / b < 0.01, "{a} vs {b}");
        assert_eq!(band.0.len(), 1);
        assert_eq!(band.0[0].interiors().len(), 1);
        assert!(band.contains(&Point::new(100.0, 20.0)));
        assert!(band.contains(&Point::new(420.0, 130.0)));
        assert!(!band.contains(&Point::new(100.0, 100.0)));
        assert!(!band.contains(&Point::new(440.0, 130.0)));
        assert!(band_polygon(&MultiLineString(vec![]), 35.0).0.is_empty());
        assert!(band_polygon_tiles(&MultiLineString(vec![]), 35.0, 16).is_empty());
        // The reports' coarser field: the same shape within its stated error.
        let segs = line_segments(&lines);
        let (lo, hi) = bounds(&segs).expect("bounds");
        let grid = BandGrid::over_at(lo, hi, 35.0, 35.0 * REPORT_STEP).expect("grid");
        assert_eq!(grid.step, 17.5);
        let coarse = trace_tiles(&segs, 35.0, &grid, usize::MAX, None)
            .pop()
            .expect("traced")
            .into_polygon();
        let c = coarse.unsigned_area();
        assert!((c - b).abs() / b < 0.01, "{c} vs {b}");
        assert_eq!(coarse.0.len(), 1);
        assert_eq!(coarse.0[0].interiors().len(), 1);
        assert!(!coarse.contains(&Point::new(100.0, 100.0)));
        assert!(coarse.contains(&Point::new(420.0, 130.0)));
    }

    /// A street grid's band in tiles: the pieces cover the same area as the whole band (they
    /// abut, neither overlapping nor leaving gaps), each with fewer holes.
    #[test]
    fn tiles_cover_what_the_whole_band_covers() {
        use geo::Area;
        let mut lines = Vec::new();
        for k in 0..12 {
            let v = f64::from(k) * 120.0;
            lines.push(LineString::from(vec![(v, 0.0), (v, 1320.0)]));
            lines.push(LineString::from(vec![(0.0, v), (1320.0, v)]));
        }
        let lines = MultiLineString(lines);
        let whole = band_polygon(&lines, 35.0);
        let holes = |m: &MultiPolygon<f64>| m.0.iter().map(|p| p.interiors().len()).sum::<usize>();
        assert_eq!(holes(&whole), 121);
        let tiles = band_polygon_tiles(&lines, 35.0, 40);
        assert!(tiles.len() > 9, "{}", tiles.len());
        let area: f64 = tiles.iter().map(|t| t.unsigned_area()).sum();
        let want = whole.unsigned_area();
        assert!((area - want).abs() < 1e-6 * want, "{area} vs {want}");
        assert!(tiles.iter().all(|t| holes(t) < 121));
    }

    /// Traced with a memo after a change in one corner: the same pieces as traced afresh, and
    /// only the squares near the change traced again.
    #[test]
    fn memo_traces_again_only_where_the_lines_changed() {
        let grid_lines = |skip_corner: bool| {
            let mut segs = Vec::new();
            for k in 0..12 {
                let v = f64::from(k) * 120.0;
                for s in 0..11 {
                    let (a, b) = (f64::from(s) * 120.0, f64::from(s + 1) * 120.0);
                    if skip_corner && k >= 10 && s >= 9 {
                        continue;
                    }
                    segs.push(([v, a], [v, b]));
                    segs.push(([a, v], [b, v]));
                }
            }
            segs
        };
        let before = grid_lines(false);
        let after = grid_lines(true);
        let grid = BandGrid::over([0.0, 0.0], [1320.0, 1320.0], 35.0).expect("grid");
        let memo = ShapeMemo::default();
        let first = trace_tiles(&before, 35.0, &grid, 32, Some(&memo));
        let squares = first.len();
        assert!(squares > 20, "{squares}");
        // Every square with lines within reach is held (a few of them empty).
        let held = memo.len();
        assert!(held >= squares && held <= squares + 12, "{held}");
        let second = trace_tiles(&after, 35.0, &grid, 32, Some(&memo));
        let fresh = trace_tiles(&after, 35.0, &grid, 32, None);
        assert_eq!(second, fresh, "as traced afresh");
        let anew = memo.len() - held;
        // The corner (240 m, 2 × 2 samples' squares of 280 m) and the squares within reach.
        assert!((1..=9).contains(&anew), "{anew} squares traced again");
        assert!(anew * 3 < squares);
        let kept = second
            .iter()
            .filter(|t| first.iter().any(|f| f.key == t.key));
        assert!(kept.count() + anew >= second.len());
    }

    #[test]
    fn facility_isochrone_stays_on_its_side_of_the_river() {
        use crate::access::test_support::{facilities, homes, roads};
        use crate::access::{AccessInput, AccessOptions, Analysis};
        use crate::model::Taxonomy;
        use crate::standards::profile::Profile;
        let t = Taxonomy::default();
        let k = t.by_id("kindergarten").expect("c");
        // Two banks 200 m apart, a bridge 500 m east; the facility on the north bank at x = 0.
        let layers = vec![
            roads(&[
                (&[[0.0, 0.0], [1000.0, 0.0]], "residential", ""),
                (&[[0.0, 200.0], [1000.0, 200.0]], "residential", ""),
                (&[[500.0, 0.0], [500.0, 200.0]], "residential", "yes"),
            ]),
            facilities(&[([0.0, 200.0], k)]),
            homes(&[([0.0, 0.0], 1.0)]),
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
        let iso = a.facility_isochrone(0, 10, &mut Workspace::default());
        // 600 m: along the north bank to x = 600, and 100 m down the bridge.
        assert!(iso.contains(&Point::new(590.0, 200.0)));
        assert!(!iso.contains(&Point::new(660.0, 200.0)));
        assert!(iso.contains(&Point::new(500.0, 120.0)));
        assert!(!iso.contains(&Point::new(500.0, 40.0)));
        assert!(
            !iso.contains(&Point::new(0.0, 0.0)),
            "across the river, 1.2 km by the bridge"
        );
        let r = a.run();
        let cat = a.category_isochrone(&r.categories[0], 10);
        assert!((cat.unsigned_area() - iso.unsigned_area()).abs() < 1.0);
    }

    /// Walking to a kindergarten at the west end of a street, 300 m from a crossing; the street
    /// goes on east to x = `ends[0]`, the cross street south to `-ends[1]` and north to `ends[2]`.
    fn kindergarten_at_a_crossing(ends: [f64; 3], minutes: u32) -> Analysis {
        use crate::access::test_support::{facilities, homes, roads};
        use crate::access::{AccessInput, AccessOptions};
        let t = crate::model::Taxonomy::default();
        let k = t.by_id("kindergarten").expect("c");
        let [east, south, north] = ends;
        let layers = vec![
            roads(&[
                (&[[0.0, 0.0], [300.0, 0.0]], "residential", ""),
                (&[[300.0, 0.0], [east, 0.0]], "residential", ""),
                (&[[300.0, -south], [300.0, 0.0]], "residential", ""),
                (&[[300.0, 0.0], [300.0, north]], "residential", ""),
            ]),
            facilities(&[([0.0, 0.0], k)]),
            homes(&[([0.0, 10.0], 1.0)]),
        ];
        let options = AccessOptions {
            mode: "walk".into(),
            minutes: Some(vec![minutes]),
        };
        let profile = crate::standards::profile::Profile::default();
        Analysis::new(&AccessInput::from_layers(&layers), &profile, &t, &options).expect("analysis")
    }

    /// A tier whose times changed only beyond its budget is found by what its pieces are made
    /// of, without finding them again; one whose times changed within it is traced anew, as
    /// the whole isochrone is.
    #[test]
    fn a_tier_changed_beyond_its_budget_is_taken_whole() {
        let a = kindergarten_at_a_crossing([3000.0, 1500.0, 1500.0], 10);
        let r = a.run();
        let ct = &r.categories[0];
        let area = |tiles: &[BandTile]| -> f64 {
            tiles
                .iter()
                .map(|t| t.outline.polygon.unsigned_area())
                .sum()
        };
        let first = a.category_isochrone_tiles(ct, 10, 16);
        let sets = a.shape_memo.sets_len();
        let budget = 600.0;
        let with_times = |f: &dyn Fn(f64) -> f64| {
            let mut c = CategoryTimes::clone(ct);
            let nt = c.node_times.as_mut().expect("network times");
            for s in &mut nt.time_s {
                *s = f(*s);
            }
            c
        };
        // Beyond the budget only (a run with a longer budget reaches farther): the same set,
        // no new one.
        let beyond = with_times(&|s| if s > budget { budget + 100.0 } else { s });
        assert!(beyond.node_times != ct.node_times, "some nodes lie beyond");
        assert_eq!(a.category_isochrone_tiles(&beyond, 10, 16), first);
        assert_eq!(a.shape_memo.sets_len(), sets);
        // Within it: traced anew, smaller, as the whole isochrone of those times.
        let later = with_times(&|s| s + 60.0);
        let tiles = a.category_isochrone_tiles(&later, 10, 16);
        assert!(a.shape_memo.sets_len() > sets);
        let whole = a.category_isochrone(&later, 10).unsigned_area();
        assert!(
            (area(&tiles) - whole).abs() / whole < 0.02,
            "{} vs {whole}",
            area(&tiles)
        );
        assert!(area(&tiles) < 0.95 * area(&first));
    }

    /// A tier reaching every edge whole: its pieces are every edge, whole, and its set is the
    /// same whatever the times within the budget.
    #[test]
    fn a_tier_reaching_every_edge_is_the_same_whatever_the_times() {
        let a = kindergarten_at_a_crossing([900.0, 400.0, 500.0], 30);
        let r = a.run();
        let ct = &r.categories[0];
        let n = a.network.as_ref().expect("network");
        let nt = ct.node_times.as_ref().expect("times");
        let sources = a.source_set(&ct.facilities);
        assert!(reaches_every_edge(&n.graph, &n.mode_graph, nt, 1800.0));
        assert_eq!(
            reachable_pieces(&n.graph, &n.mode_graph, nt, &sources, 1800.0),
            every_edge(&n.graph, &n.mode_graph)
        );
        // Not within 5 minutes (400 m).
        assert!(!reaches_every_edge(&n.graph, &n.mode_graph, nt, 300.0));
        let first = a.category_isochrone_tiles(ct, 30, 16);
        let sets = a.shape_memo.sets_len();
        let mut later = CategoryTimes::clone(ct);
        for s in &mut later.node_times.as_mut().expect("times").time_s {
            *s += 30.0;
        }
        // Other times: one more set kept (under those times), the same pieces.
        assert_eq!(a.category_isochrone_tiles(&later, 30, 16), first);
        assert_eq!(a.shape_memo.sets_len(), sets + 1);
        let segs = pieces_segments(&n.graph, &every_edge(&n.graph, &n.mode_graph));
        let grid = a.band_grid().expect("grid");
        let hw = a.shapes.isochrone_half_width_m.value;
        assert_eq!(trace_tiles(&segs, hw, &grid, 16, None), first);
    }

    #[test]
    fn circles_for_the_fallback() {
        let p = circles_polygon(&[[0.0, 0.0], [10_000.0, 0.0]], 100.0);
        assert_eq!(p.0.len(), 2);
        assert!(p.contains(&Point::new(10_050.0, 0.0)));
    }

    #[test]
    fn isochrones_at_once_equal_one_by_one_and_share_whole_network_ones() {
        use crate::access::test_support::{facilities, homes, roads};
        use crate::access::{AccessInput, AccessOptions};
        use crate::model::Taxonomy;
        use crate::standards::Profile;
        let (x, y) = (500_000.0, 3_320_000.0);
        let tax = Taxonomy::default();
        let k = tax.by_id("kindergarten").unwrap();
        let c = tax.by_id("village_clinic").unwrap();
        let layers = vec![
            roads(&[
                (&[[x, y], [x + 1000.0, y]], "residential", "no"),
                (
                    &[[x + 500.0, y - 500.0], [x + 500.0, y + 500.0]],
                    "residential",
                    "no",
                ),
            ]),
            facilities(&[([x, y], k), ([x + 500.0, y + 400.0], c)]),
            homes(&[([x + 900.0, y], 10.0)]),
        ];
        let a = Analysis::new(
            &AccessInput::from_layers(&layers),
            &Profile::default(),
            &tax,
            &AccessOptions {
                mode: "walk".into(),
                minutes: Some(vec![5, 30]),
            },
        )
        .unwrap();
        let r = a.run();
        let jobs: Vec<(&CategoryTimes, u32)> = r
            .categories
            .iter()
            .filter(|ct| !ct.facilities.is_empty())
            .flat_map(|ct| [5, 30].map(|m| (&**ct, m)))
            .collect();
        assert_eq!(jobs.len(), 4);
        let together = a.category_isochrones(&jobs);
        for ((ct, m), p) in jobs.iter().zip(&together) {
            assert_eq!(*p, a.category_isochrone(ct, *m), "{m} min");
        }
        // 30 minutes' walk reaches both roads whole from either facility; 5 minutes does not.
        assert_eq!(together[1], together[3]);
        assert_ne!(together[0], together[2]);
        assert!(together[1].unsigned_area() > together[0].unsigned_area());
    }
}
