//! Point-symbol outlines shared by the PNG renderer (tiny-skia, [`super::geom`]) and the app's
//! map (egui, `app::map::cache`): one table, so a symbol looks the same on screen and in an
//! exported map. Coordinates are relative to the symbol's centre, y down, in the caller's units.

/// Half the width of a cross's arm, as a fraction of the cross's radius.
pub const CROSS_ARM_HALF_WIDTH: f32 = 0.34;

/// Inner corners of a star, as a fraction of its outer radius.
pub const STAR_INNER_RATIO: f32 = 0.42;

/// The 12 corners of a plus-shaped cross of radius `r` (arm tip to centre).
pub fn cross(r: f32) -> [(f32, f32); 12] {
    let t = r * CROSS_ARM_HALF_WIDTH;
    [
        (-t, -r),
        (t, -r),
        (t, -t),
        (r, -t),
        (r, t),
        (t, t),
        (t, r),
        (-t, r),
        (-t, t),
        (-r, t),
        (-r, -t),
        (-t, -t),
    ]
}

/// The two bars (half width, half height) whose union is [`cross`]`(r)`: for filling it with
/// convex pieces.
pub fn cross_bars(r: f32) -> [(f32, f32); 2] {
    let t = r * CROSS_ARM_HALF_WIDTH;
    [(r, t), (t, r)]
}

/// The 10 corners of a five-pointed star of outer radius `r`, a point up.
pub fn star(r: f32) -> [(f32, f32); 10] {
    std::array::from_fn(|i| {
        let a = -std::f32::consts::FRAC_PI_2 + i as f32 * std::f32::consts::PI / 5.0;
        let rad = if i % 2 == 0 { r } else { r * STAR_INNER_RATIO };
        (rad * a.cos(), rad * a.sin())
    })
}

/// The `n` corners of a regular polygon of circumradius `r`, the first at `start_deg` (0 = east,
/// 90 = south since y is down), going clockwise on screen.
pub fn regular(n: usize, start_deg: f32, r: f32) -> Vec<(f32, f32)> {
    (0..n)
        .map(|k| {
            let a = (start_deg + 360.0 * k as f32 / n as f32).to_radians();
            (r * a.cos(), r * a.sin())
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Twice the signed area of a closed outline (shoelace).
    fn area2(pts: &[(f32, f32)]) -> f32 {
        (0..pts.len())
            .map(|i| {
                let (a, b) = (pts[i], pts[(i + 1) % pts.len()]);
                a.0 * b.1 - b.0 * a.1
            })
            .sum()
    }

    #[test]
    fn the_cross_outline_is_the_union_of_its_bars() {
        let r = 10.0;
        let [(w1, h1), (w2, h2)] = cross_bars(r);
        // Union area = bar + bar - the central square.
        let union = 4.0 * w1 * h1 + 4.0 * w2 * h2 - 4.0 * h1 * w2;
        assert!((area2(&cross(r)).abs() / 2.0 - union).abs() < 1e-3);
        assert!(cross(r).iter().all(|&(x, y)| x.abs() <= r && y.abs() <= r));
    }

    #[test]
    fn the_star_points_up_and_alternates_radii() {
        let s = star(10.0);
        assert!(s[0].0.abs() < 1e-5 && (s[0].1 + 10.0).abs() < 1e-5);
        for (i, (x, y)) in s.iter().enumerate() {
            let rad = (x * x + y * y).sqrt();
            let want = if i % 2 == 0 { 10.0 } else { 4.2 };
            assert!((rad - want).abs() < 1e-4, "corner {i}: {rad}");
        }
    }

    #[test]
    fn a_regular_triangle_starting_north_has_its_base_below() {
        let t = regular(3, -90.0, 2.0);
        assert!((t[0].1 + 2.0).abs() < 1e-5);
        assert!((t[1].1 - 1.0).abs() < 1e-5 && (t[2].1 - 1.0).abs() < 1e-5);
        assert!(area2(&t) > 0.0, "clockwise on a y-down screen");
    }
}
