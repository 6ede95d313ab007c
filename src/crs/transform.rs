//! Coordinate transforms between any two supported CRSs, pivoting through WGS84 lon/lat.
//!
//! The default backend is proj4rs (pure Rust); with the cargo feature `proj` the PROJ C library
//! does the projected <-> geographic step instead. CGCS2000 (EPSG:4490) is treated as equal to
//! WGS84, as planning practice does (they differ by centimetres).

use geo_types::{Coord, Geometry};

use crate::error::CrsError;

use super::Crs;
use super::gcj02;

/// One side of a transform: how to get from this CRS to WGS84 lon/lat degrees and back.
enum Stage {
    /// WGS84 or CGCS2000 lon/lat: nothing to do.
    LonLat,
    Gcj02,
    Bd09,
    /// A projected CRS (or a geographic one on another datum) through proj4rs.
    Proj4(Box<proj4rs::Proj>),
    #[cfg(feature = "proj")]
    Proj(Box<ProjStage>),
}

#[cfg(feature = "proj")]
struct ProjStage {
    to_wgs84: proj::Proj,
    from_wgs84: proj::Proj,
}

pub(crate) fn proj4_definition(crs: &Crs) -> Result<String, CrsError> {
    match crs {
        Crs::Epsg(code) => {
            let code16 =
                u16::try_from(*code).map_err(|_| CrsError::Unknown(format!("EPSG:{code}")))?;
            crs_definitions::from_code(code16)
                .map(|def| def.proj4.to_string())
                .ok_or_else(|| CrsError::Unknown(format!("EPSG:{code}")))
        }
        Crs::Custom { proj4, .. } => Ok(proj4.clone()),
        Crs::Gcj02 | Crs::Bd09 => Ok("+proj=longlat +datum=WGS84 +no_defs".into()),
    }
}

/// True when the EPSG code is a geographic (lon/lat) CRS.
pub(crate) fn epsg_is_geographic(code: u32) -> bool {
    matches!(code, 4326 | 4490 | 4214 | 4610 | 4555)
        || u16::try_from(code)
            .ok()
            .and_then(crs_definitions::from_code)
            .is_some_and(|d| d.proj4.contains("+proj=longlat"))
}

/// Ok when towncircle can transform this CRS.
pub(crate) fn check_supported(crs: &Crs) -> Result<(), CrsError> {
    Stage::new(crs).map(|_| ())
}

/// Ok when the PROJ string parses.
pub(crate) fn check_proj4(text: &str) -> Result<(), CrsError> {
    proj4rs::Proj::from_proj_string(text)
        .map(|_| ())
        .map_err(|e| CrsError::BadDefinition(format!("{e} in \"{text}\"")))
}

fn wgs84_proj() -> Result<proj4rs::Proj, CrsError> {
    proj4rs::Proj::from_proj_string("+proj=longlat +datum=WGS84 +no_defs")
        .map_err(|e| CrsError::BadDefinition(e.to_string()))
}

impl Stage {
    fn new(crs: &Crs) -> Result<Stage, CrsError> {
        match crs {
            Crs::Epsg(4326) | Crs::Epsg(4490) => Ok(Stage::LonLat),
            Crs::Gcj02 => Ok(Stage::Gcj02),
            Crs::Bd09 => Ok(Stage::Bd09),
            #[cfg(feature = "proj")]
            Crs::Epsg(code) => {
                let def = format!("EPSG:{code}");
                let to = proj::Proj::new_known_crs(&def, "EPSG:4326", None)
                    .map_err(|e| CrsError::Unknown(format!("{def} ({e})")))?;
                let from = proj::Proj::new_known_crs("EPSG:4326", &def, None)
                    .map_err(|e| CrsError::Unknown(format!("{def} ({e})")))?;
                Ok(Stage::Proj(Box::new(ProjStage {
                    to_wgs84: to,
                    from_wgs84: from,
                })))
            }
            other => {
                let def = proj4_definition(other)?;
                let proj = proj4rs::Proj::from_proj_string(&def)
                    .map_err(|e| CrsError::BadDefinition(format!("{e} in \"{def}\"")))?;
                Ok(Stage::Proj4(Box::new(proj)))
            }
        }
    }

    fn to_wgs84(&self, wgs: &proj4rs::Proj, c: Coord) -> Result<Coord, CrsError> {
        match self {
            Stage::LonLat => Ok(c),
            Stage::Gcj02 => {
                let (x, y) = gcj02::gcj02_to_wgs84(c.x, c.y);
                Ok(Coord { x, y })
            }
            Stage::Bd09 => {
                let (x, y) = gcj02::bd09_to_wgs84(c.x, c.y);
                Ok(Coord { x, y })
            }
            Stage::Proj4(p) => {
                let mut pt = if p.is_latlong() {
                    (c.x.to_radians(), c.y.to_radians(), 0.0)
                } else {
                    (c.x, c.y, 0.0)
                };
                proj4rs::transform::transform(p, wgs, &mut pt)
                    .map_err(|e| CrsError::Transform(e.to_string()))?;
                Ok(Coord {
                    x: pt.0.to_degrees(),
                    y: pt.1.to_degrees(),
                })
            }
            #[cfg(feature = "proj")]
            Stage::Proj(p) => {
                // new_known_crs normalises axis order to lon/lat and easting/northing.
                let (x, y) = p
                    .to_wgs84
                    .convert((c.x, c.y))
                    .map_err(|e| CrsError::Transform(e.to_string()))?;
                Ok(Coord { x, y })
            }
        }
    }

    fn apply_from_wgs84(&self, wgs: &proj4rs::Proj, c: Coord) -> Result<Coord, CrsError> {
        match self {
            Stage::LonLat => Ok(c),
            Stage::Gcj02 => {
                let (x, y) = gcj02::wgs84_to_gcj02(c.x, c.y);
                Ok(Coord { x, y })
            }
            Stage::Bd09 => {
                let (x, y) = gcj02::wgs84_to_bd09(c.x, c.y);
                Ok(Coord { x, y })
            }
            Stage::Proj4(p) => {
                let mut pt = (c.x.to_radians(), c.y.to_radians(), 0.0);
                proj4rs::transform::transform(wgs, p, &mut pt)
                    .map_err(|e| CrsError::Transform(e.to_string()))?;
                if p.is_latlong() {
                    Ok(Coord {
                        x: pt.0.to_degrees(),
                        y: pt.1.to_degrees(),
                    })
                } else {
                    Ok(Coord { x: pt.0, y: pt.1 })
                }
            }
            #[cfg(feature = "proj")]
            Stage::Proj(p) => {
                let (x, y) = p
                    .from_wgs84
                    .convert((c.x, c.y))
                    .map_err(|e| CrsError::Transform(e.to_string()))?;
                Ok(Coord { x, y })
            }
        }
    }
}

/// Transforms coordinates from one CRS to another. Build once per layer, reuse for every point.
pub struct Transformer {
    src: Stage,
    dst: Stage,
    wgs84: proj4rs::Proj,
    identity: bool,
}

impl Transformer {
    /// A transform from `src` to `dst`.
    pub fn new(src: &Crs, dst: &Crs) -> Result<Transformer, CrsError> {
        let same =
            src == dst || matches!((src, dst), (Crs::Epsg(4326 | 4490), Crs::Epsg(4326 | 4490)));
        Ok(Transformer {
            src: Stage::new(src)?,
            dst: Stage::new(dst)?,
            wgs84: wgs84_proj()?,
            identity: same,
        })
    }

    /// Transform one coordinate. Fails when the point cannot be projected or the result is not finite.
    pub fn coord(&self, c: Coord) -> Result<Coord, CrsError> {
        if !c.x.is_finite() || !c.y.is_finite() {
            return Err(CrsError::Transform(format!(
                "coordinate ({}, {}) is not a number",
                c.x, c.y
            )));
        }
        if self.identity {
            return Ok(c);
        }
        let ll = self.src.to_wgs84(&self.wgs84, c)?;
        if !ll.x.is_finite() || !ll.y.is_finite() || ll.y.abs() > 90.0 || ll.x.abs() > 540.0 {
            return Err(CrsError::Transform(format!(
                "({}, {}) is not on the Earth in the source coordinate system",
                c.x, c.y
            )));
        }
        let out = self.dst.apply_from_wgs84(&self.wgs84, ll)?;
        if out.x.is_finite() && out.y.is_finite() {
            Ok(out)
        } else {
            Err(CrsError::Transform(format!(
                "({}, {}) cannot be projected into the target coordinate system",
                c.x, c.y
            )))
        }
    }

    /// Transform every coordinate of a geometry in place; on failure the geometry is left partly
    /// transformed and the error says which coordinate failed.
    pub fn geometry(&self, g: &mut Geometry<f64>) -> Result<(), CrsError> {
        if self.identity {
            return Ok(());
        }
        try_for_each_coord(g, &mut |c: &mut Coord| {
            *c = self.coord(*c)?;
            Ok(())
        })
    }
}

/// Visit every coordinate of a geometry mutably, stopping at the first error.
pub fn try_for_each_coord<E>(
    g: &mut Geometry<f64>,
    f: &mut dyn FnMut(&mut Coord) -> Result<(), E>,
) -> Result<(), E> {
    fn line<E>(
        l: &mut geo_types::LineString<f64>,
        f: &mut dyn FnMut(&mut Coord) -> Result<(), E>,
    ) -> Result<(), E> {
        l.0.iter_mut().try_for_each(&mut *f)
    }
    fn poly<E>(
        p: &mut geo_types::Polygon<f64>,
        f: &mut dyn FnMut(&mut Coord) -> Result<(), E>,
    ) -> Result<(), E> {
        let mut r = Ok(());
        p.exterior_mut(|e| r = line(e, f));
        r?;
        let mut r = Ok(());
        p.interiors_mut(|rings| {
            r = rings.iter_mut().try_for_each(|ring| line(ring, f));
        });
        r
    }
    match g {
        Geometry::Point(p) => f(&mut p.0),
        Geometry::Line(l) => {
            f(&mut l.start)?;
            f(&mut l.end)
        }
        Geometry::LineString(l) => line(l, f),
        Geometry::Polygon(p) => poly(p, f),
        Geometry::MultiPoint(mp) => mp.0.iter_mut().try_for_each(|p| f(&mut p.0)),
        Geometry::MultiLineString(ml) => ml.0.iter_mut().try_for_each(|l| line(l, f)),
        Geometry::MultiPolygon(mp) => mp.0.iter_mut().try_for_each(|p| poly(p, f)),
        Geometry::GeometryCollection(gc) => {
            gc.0.iter_mut().try_for_each(|g| try_for_each_coord(g, f))
        }
        Geometry::Rect(r) => {
            let (mut a, mut b) = (r.min(), r.max());
            f(&mut a)?;
            f(&mut b)?;
            *r = geo_types::Rect::new(a, b);
            Ok(())
        }
        Geometry::Triangle(t) => {
            let mut v = t.to_array();
            v.iter_mut().try_for_each(&mut *f)?;
            *t = geo_types::Triangle::from(v);
            Ok(())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gk_cm120_matches_reference_values() {
        // Central meridian: easting is the false easting exactly.
        let t = Transformer::new(&Crs::WGS84, &Crs::Epsg(4549)).expect("transform");
        let c = t.coord(Coord { x: 120.0, y: 30.0 }).expect("coord");
        assert!((c.x - 500_000.0).abs() < 1e-6, "{c:?}");
        // Meridian arc length to 30N on GRS80 is 3,320,113.398 m.
        assert!((c.y - 3_320_113.398).abs() < 0.01, "{c:?}");
        // The zone-prefixed system differs only by 40,000,000 m of false easting.
        let t2 = Transformer::new(&Crs::WGS84, &Crs::Epsg(4528)).expect("transform");
        let c2 = t2.coord(Coord { x: 120.3, y: 29.9 }).expect("coord");
        let c1 = t.coord(Coord { x: 120.3, y: 29.9 }).expect("coord");
        assert!((c2.x - c1.x - 40_000_000.0).abs() < 1e-6);
        assert!((c2.y - c1.y).abs() < 1e-6);
    }

    #[test]
    fn projected_round_trip() {
        for code in [4549, 4528, 32651, 3857, 4527, 4548, 32650] {
            let fwd = Transformer::new(&Crs::WGS84, &Crs::Epsg(code)).expect("fwd");
            let inv = Transformer::new(&Crs::Epsg(code), &Crs::WGS84).expect("inv");
            let p = Coord { x: 119.7, y: 29.3 };
            let back = inv.coord(fwd.coord(p).expect("f")).expect("i");
            assert!(
                (back.x - p.x).abs() < 1e-9 && (back.y - p.y).abs() < 1e-9,
                "EPSG:{code}"
            );
        }
    }

    #[test]
    fn utm51_reference() {
        // 123E is UTM 51's central meridian; at the equator northing is 0 and easting 500 km.
        let t = Transformer::new(&Crs::WGS84, &Crs::Epsg(32651)).expect("t");
        let c = t.coord(Coord { x: 123.0, y: 0.0 }).expect("c");
        assert!((c.x - 500_000.0).abs() < 1e-6 && c.y.abs() < 1e-6);
    }

    #[test]
    fn gcj02_through_transformer() {
        let t = Transformer::new(&Crs::Gcj02, &Crs::Epsg(4549)).expect("t");
        let direct = Transformer::new(&Crs::WGS84, &Crs::Epsg(4549)).expect("t");
        let (gx, gy) = gcj02::wgs84_to_gcj02(120.2, 30.2);
        let a = t.coord(Coord { x: gx, y: gy }).expect("a");
        let b = direct.coord(Coord { x: 120.2, y: 30.2 }).expect("b");
        assert!((a.x - b.x).abs() < 0.01 && (a.y - b.y).abs() < 0.01);
    }

    #[test]
    fn nan_and_off_earth_fail() {
        let t = Transformer::new(&Crs::WGS84, &Crs::Epsg(4549)).expect("t");
        assert!(
            t.coord(Coord {
                x: f64::NAN,
                y: 1.0
            })
            .is_err()
        );
        let inv = Transformer::new(&Crs::WGS84, &Crs::Epsg(4549)).expect("t");
        assert!(inv.coord(Coord { x: 120.0, y: 95.0 }).is_err());
    }
}
