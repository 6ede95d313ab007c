//! Small planar geometry helpers for the demo-town generator (local metres, y up).

use geo_types::{Coord, LineString, Polygon};

pub fn c(x: f64, y: f64) -> Coord {
    Coord { x, y }
}

pub fn sub(a: Coord, b: Coord) -> Coord {
    c(a.x - b.x, a.y - b.y)
}

pub fn add(a: Coord, b: Coord) -> Coord {
    c(a.x + b.x, a.y + b.y)
}

pub fn scale(a: Coord, k: f64) -> Coord {
    c(a.x * k, a.y * k)
}

pub fn norm(a: Coord) -> f64 {
    a.x.hypot(a.y)
}

pub fn dist(a: Coord, b: Coord) -> f64 {
    norm(sub(a, b))
}

pub fn unit(a: Coord) -> Coord {
    let n = norm(a);
    if n > 0.0 {
        scale(a, 1.0 / n)
    } else {
        c(1.0, 0.0)
    }
}

/// The left normal of a direction.
pub fn left(a: Coord) -> Coord {
    c(-a.y, a.x)
}

pub fn lerp(a: Coord, b: Coord, t: f64) -> Coord {
    c(a.x + (b.x - a.x) * t, a.y + (b.y - a.y) * t)
}

/// A unit vector at `angle_rad` from east, counter-clockwise.
pub fn dir(angle_rad: f64) -> Coord {
    let (s, co) = angle_rad.sin_cos();
    c(co, s)
}

/// Round to centimetres (what the files hold).
pub fn round_cm(a: Coord) -> Coord {
    c((a.x * 100.0).round() / 100.0, (a.y * 100.0).round() / 100.0)
}

/// A centripetal-free (uniform) Catmull-Rom spline through `ctrl`, sampled so that pieces are
/// about `step_m` long. The curve passes through every control point.
pub fn catmull_rom(ctrl: &[Coord], step_m: f64) -> Vec<Coord> {
    if ctrl.len() < 3 {
        return ctrl.to_vec();
    }
    let mut out = vec![ctrl[0]];
    for i in 0..ctrl.len() - 1 {
        let p0 = if i == 0 { ctrl[0] } else { ctrl[i - 1] };
        let p1 = ctrl[i];
        let p2 = ctrl[i + 1];
        let p3 = if i + 2 < ctrl.len() {
            ctrl[i + 2]
        } else {
            ctrl[i + 1]
        };
        let n = ((dist(p1, p2) / step_m).ceil() as usize).max(1);
        for k in 1..=n {
            let t = k as f64 / n as f64;
            let t2 = t * t;
            let t3 = t2 * t;
            let f = |a: f64, b: f64, cc: f64, d: f64| {
                0.5 * ((2.0 * b)
                    + (-a + cc) * t
                    + (2.0 * a - 5.0 * b + 4.0 * cc - d) * t2
                    + (-a + 3.0 * b - 3.0 * cc + d) * t3)
            };
            if k == n {
                // Exactly the control point, so junctions placed there stay shared vertices.
                out.push(p2);
            } else {
                out.push(c(f(p0.x, p1.x, p2.x, p3.x), f(p0.y, p1.y, p2.y, p3.y)));
            }
        }
    }
    out
}

/// Chaikin corner cutting of a closed ring (first point not repeated).
pub fn chaikin_closed(ring: &[Coord], iterations: usize) -> Vec<Coord> {
    let mut r = ring.to_vec();
    for _ in 0..iterations {
        let n = r.len();
        let mut next = Vec::with_capacity(2 * n);
        for i in 0..n {
            let a = r[i];
            let b = r[(i + 1) % n];
            next.push(lerp(a, b, 0.25));
            next.push(lerp(a, b, 0.75));
        }
        r = next;
    }
    r
}

/// A polyline with cumulative arc lengths.
#[derive(Debug, Clone)]
pub struct Polyline {
    pub pts: Vec<Coord>,
    cum: Vec<f64>,
}

impl Polyline {
    pub fn new(pts: Vec<Coord>) -> Polyline {
        let mut cum = Vec::with_capacity(pts.len());
        let mut s = 0.0;
        for (i, p) in pts.iter().enumerate() {
            if i > 0 {
                s += dist(pts[i - 1], *p);
            }
            cum.push(s);
        }
        Polyline { pts, cum }
    }

    pub fn len_m(&self) -> f64 {
        self.cum.last().copied().unwrap_or(0.0)
    }

    /// The point and unit tangent at arc length `s` (clamped).
    pub fn at(&self, s: f64) -> (Coord, Coord) {
        let n = self.pts.len();
        if n < 2 {
            return (
                self.pts.first().copied().unwrap_or(c(0.0, 0.0)),
                c(1.0, 0.0),
            );
        }
        let s = s.clamp(0.0, self.len_m());
        let i = match self.cum.binary_search_by(|v| v.total_cmp(&s)) {
            Ok(i) => i.min(n - 2),
            Err(i) => i.saturating_sub(1).min(n - 2),
        };
        let seg = self.cum[i + 1] - self.cum[i];
        let t = if seg > 0.0 {
            (s - self.cum[i]) / seg
        } else {
            0.0
        };
        (
            lerp(self.pts[i], self.pts[i + 1], t),
            unit(sub(self.pts[i + 1], self.pts[i])),
        )
    }

    /// The part between arc lengths `s0 < s1`, with interpolated ends.
    pub fn slice(&self, s0: f64, s1: f64) -> Vec<Coord> {
        let mut out = vec![self.at(s0).0];
        for (p, s) in self.pts.iter().zip(&self.cum) {
            if *s > s0 + 1e-6 && *s < s1 - 1e-6 {
                out.push(*p);
            }
        }
        out.push(self.at(s1).0);
        out
    }

    /// Arc length of the point of the polyline nearest to `p`, and the distance.
    pub fn project(&self, p: Coord) -> (f64, f64) {
        let mut best = (0.0, f64::INFINITY);
        for i in 0..self.pts.len().saturating_sub(1) {
            let (a, b) = (self.pts[i], self.pts[i + 1]);
            let ab = sub(b, a);
            let l2 = ab.x * ab.x + ab.y * ab.y;
            let t = if l2 > 0.0 {
                (((p.x - a.x) * ab.x + (p.y - a.y) * ab.y) / l2).clamp(0.0, 1.0)
            } else {
                0.0
            };
            let d = dist(p, lerp(a, b, t));
            if d < best.1 {
                best = (self.cum[i] + t * l2.sqrt(), d);
            }
        }
        best
    }
}

/// The polyline offset by `d` metres to its left (negative: right), with averaged vertex normals.
pub fn offset(pts: &[Coord], d: impl Fn(usize) -> f64) -> Vec<Coord> {
    let n = pts.len();
    (0..n)
        .map(|i| {
            let a = pts[i.saturating_sub(1)];
            let b = pts[(i + 1).min(n - 1)];
            let nrm = left(unit(sub(b, a)));
            add(pts[i], scale(nrm, d(i)))
        })
        .collect()
}

/// Where segments p1-p2 and q1-q2 cross: parameters (t on p, u on q), both in [0, 1].
pub fn seg_intersect(p1: Coord, p2: Coord, q1: Coord, q2: Coord) -> Option<(f64, f64)> {
    let r = sub(p2, p1);
    let s = sub(q2, q1);
    let den = r.x * s.y - r.y * s.x;
    if den.abs() < 1e-12 {
        return None;
    }
    let qp = sub(q1, p1);
    let t = (qp.x * s.y - qp.y * s.x) / den;
    let u = (qp.x * r.y - qp.y * r.x) / den;
    if (0.0..=1.0).contains(&t) && (0.0..=1.0).contains(&u) {
        Some((t, u))
    } else {
        None
    }
}

/// Distance from `p` to segment a-b.
pub fn seg_dist(p: Coord, a: Coord, b: Coord) -> f64 {
    let ab = sub(b, a);
    let l2 = ab.x * ab.x + ab.y * ab.y;
    let t = if l2 > 0.0 {
        (((p.x - a.x) * ab.x + (p.y - a.y) * ab.y) / l2).clamp(0.0, 1.0)
    } else {
        0.0
    };
    dist(p, lerp(a, b, t))
}

/// Distance from `p` to a polyline.
pub fn polyline_dist(p: Coord, pts: &[Coord]) -> f64 {
    pts.windows(2)
        .map(|w| seg_dist(p, w[0], w[1]))
        .fold(f64::INFINITY, f64::min)
}

/// Closed polygon from an open ring.
pub fn polygon(ring: &[Coord]) -> Polygon {
    let mut r = ring.to_vec();
    if let (Some(f), Some(l)) = (r.first().copied(), r.last().copied())
        && f != l
    {
        r.push(f);
    }
    Polygon::new(LineString(r), vec![])
}

/// The corners of a rectangle centred at `center`, `w` along `angle_rad` and `h` across.
pub fn rect_ring(center: Coord, w: f64, h: f64, angle_rad: f64) -> Vec<Coord> {
    let u = dir(angle_rad);
    let v = left(u);
    [(-1.0, -1.0), (1.0, -1.0), (1.0, 1.0), (-1.0, 1.0)]
        .iter()
        .map(|(a, b)| add(center, add(scale(u, a * w / 2.0), scale(v, b * h / 2.0))))
        .collect()
}

/// Shoelace area of an open ring (absolute).
pub fn ring_area(ring: &[Coord]) -> f64 {
    let n = ring.len();
    let mut s = 0.0;
    for i in 0..n {
        let (a, b) = (ring[i], ring[(i + 1) % n]);
        s += a.x * b.y - b.x * a.y;
    }
    (s / 2.0).abs()
}

/// Centroid of an open ring's vertices (good enough for convex footprints).
pub fn vertex_mean(ring: &[Coord]) -> Coord {
    let n = ring.len().max(1) as f64;
    let (x, y) = ring.iter().fold((0.0, 0.0), |(x, y), p| (x + p.x, y + p.y));
    c(x / n, y / n)
}

/// Clip a convex polygon (open ring) by the half-plane of points nearer to `a` than to `b`.
pub fn clip_nearer(ring: &[Coord], a: Coord, b: Coord) -> Vec<Coord> {
    let m = lerp(a, b, 0.5);
    let nrm = sub(b, a);
    let side = |p: Coord| (p.x - m.x) * nrm.x + (p.y - m.y) * nrm.y; // <= 0 keeps
    let n = ring.len();
    let mut out = Vec::with_capacity(n + 1);
    for i in 0..n {
        let p = ring[i];
        let q = ring[(i + 1) % n];
        let (sp, sq) = (side(p), side(q));
        if sp <= 0.0 {
            out.push(p);
        }
        if (sp <= 0.0) != (sq <= 0.0) {
            let t = sp / (sp - sq);
            out.push(lerp(p, q, t));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn polyline_measures_and_slices() {
        let pl = Polyline::new(vec![c(0.0, 0.0), c(100.0, 0.0), c(100.0, 50.0)]);
        assert_eq!(pl.len_m(), 150.0);
        assert_eq!(pl.at(120.0).0, c(100.0, 20.0));
        assert_eq!(
            pl.slice(50.0, 125.0),
            vec![c(50.0, 0.0), c(100.0, 0.0), c(100.0, 25.0)]
        );
        let (s, d) = pl.project(c(60.0, 10.0));
        assert!((s - 60.0).abs() < 1e-9 && (d - 10.0).abs() < 1e-9);
    }

    #[test]
    fn clipping_and_rings() {
        let sq = vec![c(0.0, 0.0), c(10.0, 0.0), c(10.0, 10.0), c(0.0, 10.0)];
        let half = clip_nearer(&sq, c(0.0, 5.0), c(10.0, 5.0));
        assert!((ring_area(&half) - 50.0).abs() < 1e-9);
        assert_eq!(
            seg_intersect(c(0.0, 0.0), c(2.0, 2.0), c(0.0, 2.0), c(2.0, 0.0)),
            Some((0.5, 0.5))
        );
        let cr = catmull_rom(&[c(0.0, 0.0), c(100.0, 0.0), c(200.0, 100.0)], 10.0);
        assert!(cr.contains(&c(100.0, 0.0)) && cr.last() == Some(&c(200.0, 100.0)));
    }
}
