//! The world→pixel mapping of a map frame and the "nice" lengths of a scale bar.

use geo_types::{Coord, Rect};

/// A degenerate extent (a single point, or a line along an axis) is widened to at least this
/// many metres so that something sensible is drawn around it.
pub const MIN_EXTENT_M: f64 = 100.0;

/// `extent` grown (never shrunk) about its centre so that its width/height equals
/// `width_px / height_px`. Degenerate extents are first widened to [`MIN_EXTENT_M`].
pub fn pad_to_aspect(extent: Rect<f64>, width_px: f64, height_px: f64) -> Rect<f64> {
    let c = extent.center();
    let mut w = extent.width().max(0.0);
    let mut h = extent.height().max(0.0);
    if w < MIN_EXTENT_M && h < MIN_EXTENT_M {
        w = w.max(MIN_EXTENT_M);
        h = h.max(MIN_EXTENT_M);
    }
    let aspect = width_px / height_px;
    if !(aspect.is_finite() && aspect > 0.0) {
        return extent;
    }
    if w / aspect > h {
        h = w / aspect;
    } else {
        w = h * aspect;
    }
    Rect::new(
        Coord {
            x: c.x - w / 2.0,
            y: c.y - h / 2.0,
        },
        Coord {
            x: c.x + w / 2.0,
            y: c.y + h / 2.0,
        },
    )
}

/// Maps metric world coordinates (y up) to pixels (y down) of a frame whose top-left pixel
/// corner is at (`origin_x_px`, `origin_y_px`). All arithmetic is in f64: working-CRS
/// coordinates (≈ 500 000, 3 300 000 m) do not fit f32 with sub-pixel precision.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct View {
    /// The padded extent shown, in metres.
    pub extent_m: Rect<f64>,
    pub px_per_m: f64,
    pub origin_x_px: f64,
    pub origin_y_px: f64,
    pub width_px: f64,
    pub height_px: f64,
}

impl View {
    /// A view of `extent_m` (padded to the frame's aspect) into a frame of the given size.
    pub fn new(extent_m: Rect<f64>, width_px: f64, height_px: f64) -> Self {
        let extent_m = pad_to_aspect(extent_m, width_px, height_px);
        let px_per_m = if extent_m.width() > 0.0 {
            width_px / extent_m.width()
        } else {
            1.0
        };
        View {
            extent_m,
            px_per_m,
            origin_x_px: 0.0,
            origin_y_px: 0.0,
            width_px,
            height_px,
        }
    }

    /// The same mapping with the frame's top-left corner at (x, y) pixels.
    pub fn at(self, origin_x_px: f64, origin_y_px: f64) -> Self {
        View {
            origin_x_px,
            origin_y_px,
            ..self
        }
    }

    /// Pixel position of a world coordinate (y flipped: north is up).
    pub fn to_px(&self, c: Coord<f64>) -> (f64, f64) {
        (
            self.origin_x_px + (c.x - self.extent_m.min().x) * self.px_per_m,
            self.origin_y_px + (self.extent_m.max().y - c.y) * self.px_per_m,
        )
    }

    /// Whether a world rectangle, grown by `margin_px` pixels on each side, meets the frame.
    pub fn meets(&self, r: &Rect<f64>, margin_px: f64) -> bool {
        let m = margin_px / self.px_per_m;
        let e = &self.extent_m;
        r.max().x + m >= e.min().x
            && r.min().x - m <= e.max().x
            && r.max().y + m >= e.min().y
            && r.min().y - m <= e.max().y
    }
}

/// The largest "nice" length (1, 2 or 5 × 10ⁿ metres) not longer than `max_m`; None when `max_m`
/// is not a positive finite number.
pub fn nice_length_m(max_m: f64) -> Option<f64> {
    if !(max_m.is_finite() && max_m > 0.0) {
        return None;
    }
    let p = 10f64.powf(max_m.log10().floor());
    // Guard against log10 rounding (e.g. 1000 → 999.999…).
    let p = if p * 10.0 <= max_m { p * 10.0 } else { p };
    let nice = [5.0, 2.0, 1.0]
        .into_iter()
        .map(|k| k * p)
        .find(|&v| v <= max_m * (1.0 + 1e-9))
        .unwrap_or(p / 2.0);
    Some(nice)
}

/// A distance for a scale bar: "500 m", "1 km", "2.5 km", "0.5 m".
pub fn format_distance_m(d_m: f64) -> String {
    let trim = |v: f64| {
        let s = format!("{v:.3}");
        let s = s.trim_end_matches('0').trim_end_matches('.');
        s.to_string()
    };
    if d_m >= 1000.0 {
        format!("{} km", trim(d_m / 1000.0))
    } else {
        format!("{} m", trim(d_m))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rect(x0: f64, y0: f64, x1: f64, y1: f64) -> Rect<f64> {
        Rect::new(Coord { x: x0, y: y0 }, Coord { x: x1, y: y1 })
    }

    #[test]
    fn nice_lengths() {
        let cases = [
            (120.0, 100.0),
            (250.0, 200.0),
            (499.0, 200.0),
            (500.0, 500.0),
            (999.0, 500.0),
            (1000.0, 1000.0),
            (1999.0, 1000.0),
            (2000.0, 2000.0),
            (4321.0, 2000.0),
            (7000.0, 5000.0),
            (0.7, 0.5),
            (10.0, 10.0),
        ];
        for (max, want) in cases {
            let got = nice_length_m(max).unwrap();
            assert!((got - want).abs() < 1e-9, "{max}: {got} != {want}");
        }
        assert_eq!(nice_length_m(0.0), None);
        assert_eq!(nice_length_m(-5.0), None);
        assert_eq!(nice_length_m(f64::NAN), None);
        assert_eq!(format_distance_m(500.0), "500 m");
        assert_eq!(format_distance_m(100.0), "100 m");
        assert_eq!(format_distance_m(1000.0), "1 km");
        assert_eq!(format_distance_m(5000.0), "5 km");
        assert_eq!(format_distance_m(0.5), "0.5 m");
    }

    #[test]
    fn padding_keeps_aspect_and_contains_the_extent() {
        let e = rect(500_000.0, 3_300_000.0, 502_000.0, 3_301_000.0);
        for (w, h) in [
            (1600.0, 1200.0),
            (800.0, 800.0),
            (300.0, 900.0),
            (1000.0, 100.0),
        ] {
            let p = pad_to_aspect(e, w, h);
            assert!((p.width() / p.height() - w / h).abs() < 1e-9, "{w}x{h}");
            assert!(p.min().x <= e.min().x && p.max().x >= e.max().x);
            assert!(p.min().y <= e.min().y && p.max().y >= e.max().y);
            // Grown on one axis only, about the same centre.
            assert!((p.center().x - e.center().x).abs() < 1e-6);
            assert!((p.center().y - e.center().y).abs() < 1e-6);
            assert!((p.width() - e.width()).abs() < 1e-6 || (p.height() - e.height()).abs() < 1e-6);
        }
        // A point extent is widened.
        let p = pad_to_aspect(rect(5.0, 5.0, 5.0, 5.0), 200.0, 100.0);
        assert!((p.height() - MIN_EXTENT_M).abs() < 1e-9 && (p.width() - 200.0).abs() < 1e-9);
    }

    #[test]
    fn y_is_flipped_and_corners_map_to_the_frame() {
        let v = View::new(rect(0.0, 0.0, 400.0, 300.0), 800.0, 600.0).at(10.0, 20.0);
        assert_eq!(v.to_px(Coord { x: 0.0, y: 300.0 }), (10.0, 20.0));
        assert_eq!(v.to_px(Coord { x: 400.0, y: 0.0 }), (810.0, 620.0));
        let (_, y_north) = v.to_px(Coord { x: 0.0, y: 250.0 });
        let (_, y_south) = v.to_px(Coord { x: 0.0, y: 50.0 });
        assert!(y_north < y_south);
        assert!(v.meets(&rect(390.0, 290.0, 500.0, 500.0), 0.0));
        assert!(!v.meets(&rect(410.0, 0.0, 500.0, 10.0), 0.0));
        assert!(v.meets(&rect(410.0, 0.0, 500.0, 10.0), 40.0));
    }
}
