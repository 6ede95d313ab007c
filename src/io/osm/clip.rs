//! Clipping to a lon/lat region: points dropped, lines cut at the edge, polygons kept whole when they touch it.

use super::*;

/// The clip region, with its bounding box for quick rejection.
pub(super) struct Region<'a> {
    pub(super) clip: &'a Clip,
    pub(super) bbox: Option<Rect<f64>>,
}

impl Region<'_> {
    pub(super) fn new(clip: &Clip) -> Region<'_> {
        let bbox = match clip {
            Clip::BBox(r) => Some(*r),
            Clip::Polygon(mp) => mp.bounding_rect(),
        };
        Region { clip, bbox }
    }

    pub(super) fn may_touch(&self, g: &Geometry<f64>) -> bool {
        match (self.bbox, g.bounding_rect()) {
            (Some(a), Some(b)) => a.intersects(&b),
            _ => false,
        }
    }

    pub(super) fn intersects(&self, g: &Geometry<f64>) -> bool {
        if !self.may_touch(g) {
            return false;
        }
        match self.clip {
            Clip::BBox(r) => r.intersects(g),
            Clip::Polygon(mp) => mp.intersects(g),
        }
    }

    /// The parts of a line inside the region; None when nothing is left.
    pub(super) fn cut_line(&self, g: &Geometry<f64>) -> Option<Geometry<f64>> {
        if !self.may_touch(g) {
            return None;
        }
        let lines: Vec<LineString<f64>> = match g {
            Geometry::LineString(l) => vec![l.clone()],
            Geometry::MultiLineString(m) => m.0.clone(),
            other => return self.intersects(other).then(|| other.clone()),
        };
        let mut out: Vec<LineString<f64>> = match self.clip {
            Clip::BBox(r) => {
                if let Some(b) = g.bounding_rect()
                    && b.min().x >= r.min().x
                    && b.min().y >= r.min().y
                    && b.max().x <= r.max().x
                    && b.max().y <= r.max().y
                {
                    return Some(g.clone());
                }
                lines.iter().flat_map(|l| clip_line_to_rect(l, r)).collect()
            }
            Clip::Polygon(mp) => mp.clip(&MultiLineString::new(lines), false).0,
        };
        out.retain(|l| l.0.len() >= 2);
        match out.len() {
            0 => None,
            1 => Some(Geometry::LineString(out.remove(0))),
            _ => Some(Geometry::MultiLineString(MultiLineString::new(out))),
        }
    }
}

/// Liang–Barsky: the part of segment a→b inside `r`, as parameters t0 ≤ t1 in 0..=1.
pub(super) fn clip_segment(a: Coord<f64>, b: Coord<f64>, r: &Rect<f64>) -> Option<(f64, f64)> {
    let (dx, dy) = (b.x - a.x, b.y - a.y);
    let mut t0 = 0.0f64;
    let mut t1 = 1.0f64;
    for (p, q) in [
        (-dx, a.x - r.min().x),
        (dx, r.max().x - a.x),
        (-dy, a.y - r.min().y),
        (dy, r.max().y - a.y),
    ] {
        if p == 0.0 {
            if q < 0.0 {
                return None;
            }
        } else {
            let t = q / p;
            if p < 0.0 {
                t0 = t0.max(t);
            } else {
                t1 = t1.min(t);
            }
        }
    }
    (t0 <= t1).then_some((t0, t1))
}

/// The pieces of a line inside a rectangle.
pub(super) fn clip_line_to_rect(l: &LineString<f64>, r: &Rect<f64>) -> Vec<LineString<f64>> {
    let mut out = Vec::new();
    let mut cur: Vec<Coord<f64>> = Vec::new();
    let flush = |cur: &mut Vec<Coord<f64>>, out: &mut Vec<LineString<f64>>| {
        if cur.len() >= 2 && cur.iter().any(|c| *c != cur[0]) {
            out.push(LineString::new(std::mem::take(cur)));
        }
        cur.clear();
    };
    let at = |a: Coord<f64>, b: Coord<f64>, t: f64| -> Coord<f64> {
        if t == 0.0 {
            a
        } else if t == 1.0 {
            b
        } else {
            Coord {
                x: a.x + (b.x - a.x) * t,
                y: a.y + (b.y - a.y) * t,
            }
        }
    };
    for seg in l.lines() {
        match clip_segment(seg.start, seg.end, r) {
            None => flush(&mut cur, &mut out),
            Some((t0, t1)) => {
                if cur.is_empty() || t0 > 0.0 {
                    flush(&mut cur, &mut out);
                    cur.push(at(seg.start, seg.end, t0));
                }
                cur.push(at(seg.start, seg.end, t1));
                if t1 < 1.0 {
                    flush(&mut cur, &mut out);
                }
            }
        }
    }
    flush(&mut cur, &mut out);
    out
}

/// Keep only what lies in the clip region, with a warning per layer saying what was removed.
pub(super) fn apply_clip(layers: &mut [Layer], clip: &Clip) {
    let region = Region::new(clip);
    for layer in layers {
        let before = layer.features.len();
        let mut cut = 0usize;
        let is_roads = layer.role_hint == Some(Role::Roads);
        let features = std::mem::take(&mut layer.features);
        for mut f in features {
            let keep = if is_roads {
                match region.cut_line(&f.geometry) {
                    Some(g) => {
                        if g != f.geometry {
                            cut += 1;
                            f.geometry = g;
                        }
                        true
                    }
                    None => false,
                }
            } else {
                region.intersects(&f.geometry)
            };
            if keep {
                layer.features.push(f);
            }
        }
        let removed = before - layer.features.len();
        let mut msg = format!(
            "the clip region removed {removed} of {before} features (kept {})",
            layer.features.len()
        );
        if cut > 0 {
            msg.push_str(&format!("; {cut} roads were cut at its edge"));
        }
        layer.issues.push(Issue::warning(None, msg));
    }
}
