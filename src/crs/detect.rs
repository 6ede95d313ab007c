//! Guess a CRS from coordinate magnitudes when a file declares none, spot swapped axes, and pick
//! the metric working CRS for a town.

use geo_types::Rect;

use super::Crs;

/// The outcome of guessing a CRS from a layer's extent.
#[derive(Debug, Clone, PartialEq)]
pub struct Guess {
    /// The CRS the coordinates most likely are in, None when nothing fits.
    pub crs: Option<Crs>,
    /// True when the coordinates look like (y, x): latitude first, or northing first.
    pub swapped: bool,
    /// Why, in words a user can check.
    pub reason: String,
}

fn within(r: &Rect, x: (f64, f64), y: (f64, f64)) -> bool {
    r.min().x >= x.0 && r.max().x <= x.1 && r.min().y >= y.0 && r.max().y <= y.1
}

/// Guess the CRS of coordinates spanning `extent` (in the file's own units).
///
/// Rules, from the planning practice in Zhejiang (../shared/domain.md §c):
/// - degrees: WGS84 (CGCS2000 and WGS84 agree to centimetres); lat/lon order is detected;
/// - 8-digit eastings whose first two digits are a 3-degree zone (25–45): CGCS2000 GK with zone prefix;
/// - 6-digit eastings with 7-digit northings in China's range: CGCS2000 GK CM 120E (Zhejiang's usual zone);
/// - eastings of 8.1e6–1.55e7 with northings 0–7.1e6: Web Mercator (EPSG:3857).
pub fn guess_from_extent(extent: Rect) -> Guess {
    let (min, max) = (extent.min(), extent.max());
    if !(min.x.is_finite() && min.y.is_finite() && max.x.is_finite() && max.y.is_finite()) {
        return Guess {
            crs: None,
            swapped: false,
            reason: "the coordinates are not finite numbers".into(),
        };
    }
    // Degrees.
    if within(&extent, (-180.0, 180.0), (-90.0, 90.0)) {
        // In China, a latitude of 18–54 and a longitude of 73–136 cannot be confused.
        if within(&extent, (3.0, 54.0), (73.0, 136.0)) {
            return Guess {
                crs: Some(Crs::WGS84),
                swapped: true,
                reason:
                    "values look like degrees with latitude first (lat, lon); read as lon/lat WGS84"
                        .into(),
            };
        }
        return Guess {
            crs: Some(Crs::WGS84),
            swapped: false,
            reason:
                "values look like degrees (lon/lat); assumed WGS84 (equal to CGCS2000 for planning)"
                    .into(),
        };
    }
    if within(&extent, (-90.0, 90.0), (-180.0, 180.0)) {
        return Guess {
            crs: Some(Crs::WGS84),
            swapped: true,
            reason: "values look like degrees with latitude first; read as lon/lat WGS84".into(),
        };
    }
    // Gauss-Kruger with zone prefix: easting = zone * 1e6 + 500 km +- 400 km.
    let zone_of = |x: f64| (x / 1e6).floor() as i64;
    let gk_prefixed = |x0: f64, x1: f64, y0: f64, y1: f64| {
        let z = zone_of(x0);
        (25..=45).contains(&z)
            && zone_of(x1) == z
            && (100_000.0..900_000.0).contains(&(x0 - z as f64 * 1e6))
            && (100_000.0..900_000.0).contains(&(x1 - z as f64 * 1e6))
            && y0 >= 300_000.0
            && y1 <= 6_200_000.0
    };
    if gk_prefixed(min.x, max.x, min.y, max.y) {
        let z = zone_of(min.x) as u32;
        return Guess {
            crs: Some(Crs::Epsg(4513 + z - 25)),
            swapped: false,
            reason: format!(
                "8-digit eastings beginning with {z}: CGCS2000 3-degree Gauss-Kruger zone {z} (with zone prefix)"
            ),
        };
    }
    if gk_prefixed(min.y, max.y, min.x, max.x) {
        let z = zone_of(min.y) as u32;
        return Guess {
            crs: Some(Crs::Epsg(4513 + z - 25)),
            swapped: true,
            reason: format!(
                "8-digit values beginning with {z} in the second column: northing first, CGCS2000 3-degree Gauss-Kruger zone {z}"
            ),
        };
    }
    // Gauss-Kruger / UTM without prefix: 6-digit eastings, 7-digit northings (China: 2.0e6–6.0e6).
    let gk = |x: &(f64, f64), y: &(f64, f64)| {
        x.0 >= 100_000.0 && x.1 <= 900_000.0 && y.0 >= 1_900_000.0 && y.1 <= 6_000_000.0
    };
    if gk(&(min.x, max.x), &(min.y, max.y)) {
        return Guess {
            crs: Some(Crs::Epsg(4549)),
            swapped: false,
            reason: "6-digit eastings with 7-digit northings: assumed CGCS2000 3-degree Gauss-Kruger CM 120E (EPSG:4549, Zhejiang's usual zone); give --crs if the town lies in another zone".into(),
        };
    }
    if gk(&(min.y, max.y), &(min.x, max.x)) {
        return Guess {
            crs: Some(Crs::Epsg(4549)),
            swapped: true,
            reason: "7-digit values first and 6-digit second: northing first; assumed CGCS2000 3-degree Gauss-Kruger CM 120E (EPSG:4549)".into(),
        };
    }
    if within(
        &extent,
        (-20_037_508.35, 20_037_508.35),
        (-20_048_966.2, 20_048_966.2),
    ) && min.x.abs().max(max.x.abs()) > 1_000_000.0
    {
        return Guess {
            crs: Some(Crs::Epsg(3857)),
            swapped: false,
            reason: "metre values of Web Mercator magnitude: assumed EPSG:3857".into(),
        };
    }
    Guess {
        crs: None,
        swapped: false,
        reason: format!(
            "the coordinates ({:.3}, {:.3}) – ({:.3}, {:.3}) fit no known coordinate system (degrees, Gauss-Kruger, UTM, Web Mercator); they may be a local grid or not on the Earth",
            min.x, min.y, max.x, max.y
        ),
    }
}

/// The metric working CRS for a town centred at `lon`, `lat` (WGS84 degrees): the CGCS2000
/// 3-degree Gauss-Kruger zone (without prefix) inside China, the WGS84 UTM zone elsewhere.
pub fn working_crs_for(lon: f64, lat: f64) -> Crs {
    let in_china = (73.0..=136.5).contains(&lon) && (3.0..=54.0).contains(&lat);
    if in_china {
        let zone = (lon / 3.0).round() as u32;
        Crs::Epsg(4534 + zone.clamp(25, 45) - 25)
    } else {
        let zone = (((lon + 180.0) / 6.0).floor() as i64).clamp(0, 59) as u32 + 1;
        if lat >= 0.0 {
            Crs::Epsg(32600 + zone)
        } else {
            Crs::Epsg(32700 + zone)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use geo_types::coord;

    fn rect(x0: f64, y0: f64, x1: f64, y1: f64) -> Rect {
        Rect::new(coord! {x: x0, y: y0}, coord! {x: x1, y: y1})
    }

    #[test]
    fn degrees_and_swapped_degrees() {
        let g = guess_from_extent(rect(120.1, 30.1, 120.3, 30.3));
        assert_eq!(g.crs, Some(Crs::WGS84));
        assert!(!g.swapped);
        let g = guess_from_extent(rect(30.1, 120.1, 30.3, 120.3));
        assert_eq!(g.crs, Some(Crs::WGS84));
        assert!(g.swapped);
        // Helsinki is not in China: (24.9, 60.1) stays lon/lat.
        let g = guess_from_extent(rect(24.93, 60.16, 24.95, 60.18));
        assert!(!g.swapped);
    }

    #[test]
    fn gauss_kruger_with_and_without_prefix() {
        let g = guess_from_extent(rect(40_480_000.0, 3_340_000.0, 40_520_000.0, 3_360_000.0));
        assert_eq!(g.crs, Some(Crs::Epsg(4528)));
        let g = guess_from_extent(rect(39_600_000.0, 3_300_000.0, 39_620_000.0, 3_320_000.0));
        assert_eq!(g.crs, Some(Crs::Epsg(4527)));
        let g = guess_from_extent(rect(480_000.0, 3_340_000.0, 520_000.0, 3_360_000.0));
        assert_eq!(g.crs, Some(Crs::Epsg(4549)));
        assert!(!g.swapped);
        let g = guess_from_extent(rect(3_340_000.0, 480_000.0, 3_360_000.0, 520_000.0));
        assert_eq!(g.crs, Some(Crs::Epsg(4549)));
        assert!(g.swapped);
    }

    #[test]
    fn web_mercator_and_nonsense() {
        let g = guess_from_extent(rect(13_370_000.0, 3_530_000.0, 13_380_000.0, 3_540_000.0));
        assert_eq!(g.crs, Some(Crs::Epsg(3857)));
        let g = guess_from_extent(rect(1.0e12, 1.0e12, 2.0e12, 2.0e12));
        assert_eq!(g.crs, None);
        let g = guess_from_extent(rect(f64::NAN, 0.0, 1.0, 1.0));
        assert_eq!(g.crs, None);
    }

    #[test]
    fn working_crs() {
        assert_eq!(working_crs_for(120.2, 30.2), Crs::Epsg(4549));
        assert_eq!(working_crs_for(118.3, 29.6), Crs::Epsg(4548));
        assert_eq!(working_crs_for(24.94, 60.17), Crs::Epsg(32635));
        assert_eq!(working_crs_for(-70.0, -33.0), Crs::Epsg(32719));
    }
}
