//! DXF geometry in plain coordinates: object coordinate systems (the arbitrary axis algorithm),
//! arcs and circles as vertices, polyline bulges as arcs.

use geo_types::Coord;

/// The largest angle one segment of an arc may span, and the smallest (degrees); in between,
/// the step that keeps the chord within [`CHORD_TOLERANCE`] of the arc.
const MAX_STEP_DEG: f64 = 10.0;
const MIN_STEP_DEG: f64 = 1.0;
/// How far a segment may stray from its arc, in drawing units (metres in Gauss-Kruger).
const CHORD_TOLERANCE: f64 = 0.1;

/// An entity's object coordinate system (OCS), from its extrusion direction (groups 210/220/230).
#[derive(Debug, Clone, Copy, PartialEq)]
pub(super) struct Ocs {
    ax: [f64; 3],
    ay: [f64; 3],
    az: [f64; 3],
}

fn cross(a: [f64; 3], b: [f64; 3]) -> [f64; 3] {
    [
        a[1] * b[2] - a[2] * b[1],
        a[2] * b[0] - a[0] * b[2],
        a[0] * b[1] - a[1] * b[0],
    ]
}

fn unit(a: [f64; 3]) -> Option<[f64; 3]> {
    let n = (a[0] * a[0] + a[1] * a[1] + a[2] * a[2]).sqrt();
    (n > 1e-12 && n.is_finite()).then(|| [a[0] / n, a[1] / n, a[2] / n])
}

impl Ocs {
    /// The world system (extrusion 0, 0, 1).
    pub(super) const WORLD: Ocs = Ocs {
        ax: [1.0, 0.0, 0.0],
        ay: [0.0, 1.0, 0.0],
        az: [0.0, 0.0, 1.0],
    };

    /// The OCS of extrusion direction `n` (AutoCAD's arbitrary axis algorithm); the world
    /// system for a zero or unreadable direction.
    pub(super) fn new(n: [f64; 3]) -> Ocs {
        let Some(az) = unit(n) else {
            return Ocs::WORLD;
        };
        let ax = if az[0].abs() < 1.0 / 64.0 && az[1].abs() < 1.0 / 64.0 {
            cross([0.0, 1.0, 0.0], az)
        } else {
            cross([0.0, 0.0, 1.0], az)
        };
        let Some(ax) = unit(ax) else {
            return Ocs::WORLD;
        };
        let Some(ay) = unit(cross(az, ax)) else {
            return Ocs::WORLD;
        };
        Ocs { ax, ay, az }
    }

    /// A point of the OCS (x, y at elevation z) in world x, y.
    pub(super) fn to_world(self, x: f64, y: f64, z: f64) -> Coord<f64> {
        if self == Ocs::WORLD {
            return Coord { x, y };
        }
        Coord {
            x: x * self.ax[0] + y * self.ay[0] + z * self.az[0],
            y: x * self.ax[1] + y * self.ay[1] + z * self.az[1],
        }
    }
}

/// The angle one segment of an arc of radius `r` spans (radians).
fn step(r: f64) -> f64 {
    let deg = if r > CHORD_TOLERANCE {
        (2.0 * (1.0 - CHORD_TOLERANCE / r).acos()).to_degrees()
    } else {
        MAX_STEP_DEG
    };
    deg.clamp(MIN_STEP_DEG, MAX_STEP_DEG).to_radians()
}

/// Points of an arc around `c` of radius `r` from angle `a0` sweeping `sweep` (radians,
/// positive counter-clockwise), both ends included.
pub(super) fn arc(c: Coord<f64>, r: f64, a0: f64, sweep: f64) -> Vec<Coord<f64>> {
    let n = ((sweep.abs() / step(r)).ceil() as usize).clamp(1, 3600);
    (0..=n)
        .map(|i| {
            let a = a0 + sweep * i as f64 / n as f64;
            Coord {
                x: c.x + r * a.cos(),
                y: c.y + r * a.sin(),
            }
        })
        .collect()
}

/// An ARC entity's points: counter-clockwise from `start` to `end` (degrees, as DXF writes them).
pub(super) fn arc_degrees(c: Coord<f64>, r: f64, start: f64, end: f64) -> Vec<Coord<f64>> {
    let mut sweep = (end - start).rem_euclid(360.0);
    if sweep == 0.0 {
        sweep = 360.0;
    }
    arc(c, r, start.to_radians(), sweep.to_radians())
}

/// A circle's points, the first repeated at the end.
pub(super) fn circle(c: Coord<f64>, r: f64) -> Vec<Coord<f64>> {
    let mut pts = arc(c, r, 0.0, std::f64::consts::TAU);
    if let (Some(first), Some(last)) = (pts.first().copied(), pts.last_mut()) {
        *last = first;
    }
    pts
}

/// The points of a polyline segment from `a` to `b` with `bulge` (tan of a quarter of the
/// included angle, positive counter-clockwise), without `a`, with `b`.
fn bulge_segment(a: Coord<f64>, b: Coord<f64>, bulge: f64, out: &mut Vec<Coord<f64>>) {
    let (dx, dy) = (b.x - a.x, b.y - a.y);
    let chord = dx.hypot(dy);
    if bulge.abs() < 1e-9 || !bulge.is_finite() || chord < 1e-12 {
        out.push(b);
        return;
    }
    let theta = 4.0 * bulge.atan();
    // The centre lies on the chord's perpendicular, to the left for a counter-clockwise arc.
    let k = (1.0 - bulge * bulge) / (4.0 * bulge);
    let c = Coord {
        x: (a.x + b.x) / 2.0 - k * dy,
        y: (a.y + b.y) / 2.0 + k * dx,
    };
    let r = (a.x - c.x).hypot(a.y - c.y);
    let a0 = (a.y - c.y).atan2(a.x - c.x);
    let pts = arc(c, r, a0, theta);
    out.extend_from_slice(&pts[1..pts.len() - 1]);
    out.push(b);
}

/// A polyline's points from its vertices (x, y, bulge of the segment that starts there);
/// closed: the last vertex joins the first and the ring ends where it starts.
pub(super) fn polyline(vertices: &[(f64, f64, f64)], closed: bool) -> Vec<Coord<f64>> {
    let mut out = Vec::with_capacity(vertices.len());
    let Some(&(x, y, _)) = vertices.first() else {
        return out;
    };
    out.push(Coord { x, y });
    for w in vertices.windows(2) {
        let (a, b) = (w[0], w[1]);
        bulge_segment(
            Coord { x: a.0, y: a.1 },
            Coord { x: b.0, y: b.1 },
            a.2,
            &mut out,
        );
    }
    if closed
        && vertices.len() > 1
        && let (Some(&last), Some(&first)) = (vertices.last(), vertices.first())
    {
        bulge_segment(
            Coord {
                x: last.0,
                y: last.1,
            },
            Coord {
                x: first.0,
                y: first.1,
            },
            last.2,
            &mut out,
        );
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dist(a: Coord<f64>, b: Coord<f64>) -> f64 {
        (a.x - b.x).hypot(a.y - b.y)
    }

    #[test]
    fn ocs_of_a_downward_extrusion_mirrors_x() {
        let o = Ocs::new([0.0, 0.0, -1.0]);
        let p = o.to_world(10.0, 5.0, 0.0);
        assert!(
            (p.x + 10.0).abs() < 1e-12 && (p.y - 5.0).abs() < 1e-12,
            "{p:?}"
        );
        assert_eq!(Ocs::new([0.0, 0.0, 1.0]), Ocs::WORLD);
        assert_eq!(Ocs::new([0.0, 0.0, 0.0]), Ocs::WORLD);
    }

    #[test]
    fn arcs_and_circles_keep_their_radius() {
        let c = Coord { x: 5.0, y: -3.0 };
        let pts = arc_degrees(c, 150.0, 270.0, 360.0);
        assert!(pts.len() > 5);
        assert!(pts.iter().all(|p| (dist(*p, c) - 150.0).abs() < 1e-9));
        assert!(dist(pts[0], Coord { x: 5.0, y: -153.0 }) < 1e-9);
        assert!(dist(*pts.last().unwrap(), Coord { x: 155.0, y: -3.0 }) < 1e-9);
        // From 350° to 10°: across 0°, a 20° arc.
        let pts = arc_degrees(c, 1.0, 350.0, 10.0);
        assert!(pts.len() <= 4, "{}", pts.len());
        let ring = circle(c, 30.0);
        assert_eq!(ring.first(), ring.last());
        // Chords stay within the tolerance of the arc.
        let sag = 30.0
            - dist(
                Coord {
                    x: (ring[0].x + ring[1].x) / 2.0,
                    y: (ring[0].y + ring[1].y) / 2.0,
                },
                c,
            );
        assert!(sag <= CHORD_TOLERANCE + 1e-9, "{sag}");
    }

    #[test]
    fn bulge_one_is_a_half_circle() {
        // From (0,0) to (200,0) with bulge 1: counter-clockwise, so below the chord.
        let pts = polyline(&[(0.0, 0.0, 1.0), (200.0, 0.0, 0.0)], false);
        let c = Coord { x: 100.0, y: 0.0 };
        assert!(pts.len() > 10);
        assert!(pts.iter().all(|p| (dist(*p, c) - 100.0).abs() < 1e-9));
        assert!(pts.iter().all(|p| p.y <= 1e-9));
        assert_eq!(pts.last(), Some(&Coord { x: 200.0, y: 0.0 }));
        // A closed square without bulges ends where it starts.
        let sq = polyline(
            &[
                (0.0, 0.0, 0.0),
                (1.0, 0.0, 0.0),
                (1.0, 1.0, 0.0),
                (0.0, 1.0, 0.0),
            ],
            true,
        );
        assert_eq!(sq.len(), 5);
        assert_eq!(sq.first(), sq.last());
    }
}
