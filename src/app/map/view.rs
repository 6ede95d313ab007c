//! The map's view: which point of the working CRS is at the centre, and how many metres a screen
//! point covers. Converts between world metres (y up) and screen points (y down).

use egui::{Pos2, Rect, Vec2, pos2};
use geo_types::{Coord, Rect as GeoRect};

/// Coarsest and finest zoom allowed, metres per screen point.
pub const MAX_M_PER_PT: f64 = 50_000.0;
pub const MIN_M_PER_PT: f64 = 0.01;

/// Where the map looks.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct MapView {
    /// World coordinates (working CRS, metres) at the centre of the map area.
    pub center: Coord<f64>,
    /// Metres per screen point.
    pub m_per_pt: f64,
}

impl Default for MapView {
    fn default() -> Self {
        MapView {
            center: Coord { x: 0.0, y: 0.0 },
            m_per_pt: 10.0,
        }
    }
}

impl MapView {
    /// The screen position of a world coordinate, for a map drawn in `screen`.
    pub fn to_screen(&self, screen: Rect, world: Coord<f64>) -> Pos2 {
        let c = screen.center();
        pos2(
            c.x + ((world.x - self.center.x) / self.m_per_pt) as f32,
            c.y - ((world.y - self.center.y) / self.m_per_pt) as f32,
        )
    }

    /// The world coordinate under a screen position.
    pub fn to_world(&self, screen: Rect, pos: Pos2) -> Coord<f64> {
        let c = screen.center();
        Coord {
            x: self.center.x + f64::from(pos.x - c.x) * self.m_per_pt,
            y: self.center.y - f64::from(pos.y - c.y) * self.m_per_pt,
        }
    }

    /// The world rectangle visible in `screen`.
    pub fn visible(&self, screen: Rect) -> GeoRect<f64> {
        GeoRect::new(
            self.to_world(screen, screen.left_bottom()),
            self.to_world(screen, screen.right_top()),
        )
    }

    /// Move the map with the pointer: `delta_pt` is how far the content moved on screen.
    pub fn pan(&mut self, delta_pt: Vec2) {
        self.center.x -= f64::from(delta_pt.x) * self.m_per_pt;
        self.center.y += f64::from(delta_pt.y) * self.m_per_pt;
    }

    /// Zoom by `factor` (>1 zooms in) keeping the world point under `anchor` where it is.
    pub fn zoom_about(&mut self, screen: Rect, anchor: Pos2, factor: f64) {
        if !(factor.is_finite() && factor > 0.0) {
            return;
        }
        let before = self.to_world(screen, anchor);
        self.m_per_pt = (self.m_per_pt / factor).clamp(MIN_M_PER_PT, MAX_M_PER_PT);
        let after = self.to_world(screen, anchor);
        self.center.x += before.x - after.x;
        self.center.y += before.y - after.y;
    }

    /// Show all of `extent` in `screen`, with a margin of 5 % on each side.
    pub fn fit(&mut self, screen: Rect, extent: GeoRect<f64>) {
        let w = extent.width().max(1.0);
        let h = extent.height().max(1.0);
        let sw = f64::from(screen.width().max(1.0));
        let sh = f64::from(screen.height().max(1.0));
        self.center = extent.center();
        self.m_per_pt = (w / sw).max(h / sh) * 1.1;
        self.m_per_pt = self.m_per_pt.clamp(MIN_M_PER_PT, MAX_M_PER_PT);
        if extent.width() < 1.0 && extent.height() < 1.0 {
            // A point: a street-level view around it.
            self.m_per_pt = 0.5;
        }
    }

    /// Zoom to the world rectangle spanned by two screen corners (box zoom).
    pub fn zoom_to_box(&mut self, screen: Rect, a: Pos2, b: Pos2) {
        let box_pt = Rect::from_two_pos(a, b);
        if box_pt.width() < 4.0 || box_pt.height() < 4.0 {
            return;
        }
        let wa = self.to_world(screen, a);
        let wb = self.to_world(screen, b);
        let extent = GeoRect::new(wa, wb);
        self.center = extent.center();
        let sw = f64::from(screen.width().max(1.0));
        let sh = f64::from(screen.height().max(1.0));
        self.m_per_pt = (extent.width() / sw)
            .max(extent.height() / sh)
            .clamp(MIN_M_PER_PT, MAX_M_PER_PT);
    }
}

/// A round length for a scale bar at most `max_m` long: 1, 2 or 5 × 10ⁿ metres.
pub fn nice_length_m(max_m: f64) -> f64 {
    if !(max_m.is_finite() && max_m > 0.0) {
        return 1.0;
    }
    let p = 10f64.powf(max_m.log10().floor());
    for m in [5.0, 2.0, 1.0] {
        if m * p <= max_m {
            return m * p;
        }
    }
    p
}

/// A length for a person: "500 m", "2 km".
pub fn format_length(m: f64) -> String {
    if m >= 1000.0 {
        let km = m / 1000.0;
        if km.fract() == 0.0 {
            format!("{km:.0} km")
        } else {
            format!("{km} km")
        }
    } else if m >= 1.0 {
        format!("{m:.0} m")
    } else {
        format!("{:.0} cm", m * 100.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn screen() -> Rect {
        Rect::from_min_size(pos2(100.0, 50.0), egui::vec2(800.0, 600.0))
    }

    #[test]
    fn screen_and_world_round_trip_with_y_up() {
        let v = MapView {
            center: Coord {
                x: 500_000.0,
                y: 3_300_000.0,
            },
            m_per_pt: 2.0,
        };
        let s = screen();
        assert_eq!(v.to_screen(s, v.center), s.center());
        let up = v.to_screen(
            s,
            Coord {
                x: 500_000.0,
                y: 3_300_100.0,
            },
        );
        assert!((up.y - (s.center().y - 50.0)).abs() < 1e-3, "north is up");
        let p = pos2(123.0, 456.0);
        let back = v.to_screen(s, v.to_world(s, p));
        assert!((back - p).length() < 1e-3);
    }

    #[test]
    fn zoom_keeps_the_anchor_fixed_and_fit_shows_the_extent() {
        let s = screen();
        let mut v = MapView::default();
        let anchor = pos2(200.0, 100.0);
        let w = v.to_world(s, anchor);
        v.zoom_about(s, anchor, 4.0);
        assert!((v.m_per_pt - 2.5).abs() < 1e-12);
        let w2 = v.to_world(s, anchor);
        assert!((w.x - w2.x).abs() < 1e-6 && (w.y - w2.y).abs() < 1e-6);

        let ext = GeoRect::new(
            Coord { x: 0.0, y: 0.0 },
            Coord {
                x: 8000.0,
                y: 3000.0,
            },
        );
        v.fit(s, ext);
        let vis = v.visible(s);
        assert!(vis.min().x <= 0.0 && vis.max().x >= 8000.0);
        assert!(vis.min().y <= 0.0 && vis.max().y >= 3000.0);
        assert!(vis.width() < 8000.0 * 1.2, "not zoomed out needlessly");

        let before = v;
        v.zoom_to_box(s, pos2(300.0, 200.0), pos2(302.0, 201.0));
        assert_eq!(v, before, "a tiny box is a click, not a zoom");
        v.zoom_to_box(s, pos2(300.0, 200.0), pos2(500.0, 350.0));
        assert!(v.m_per_pt < before.m_per_pt);
    }

    #[test]
    fn scale_bar_lengths_are_round() {
        assert_eq!(nice_length_m(740.0), 500.0);
        assert_eq!(nice_length_m(2500.0), 2000.0);
        assert_eq!(nice_length_m(1.0), 1.0);
        assert_eq!(nice_length_m(0.0), 1.0);
        assert_eq!(format_length(2000.0), "2 km");
        assert_eq!(format_length(1500.0), "1.5 km");
        assert_eq!(format_length(200.0), "200 m");
    }
}
