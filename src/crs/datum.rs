//! The seven-parameter (Bursa-Wolf, 七参数) datum shift: a drawing in Xi'an 1980 or Beijing 1954
//! Gauss-Kruger coordinates brought into CGCS2000 by the parameters a surveying bureau gives.
//!
//! The shift works on geocentric coordinates: inverse Gauss-Kruger on the source ellipsoid,
//! geodetic → X, Y, Z (height 0: a plan has none), then
//!
//! ```text
//! coordinate frame (默认, CH/T 2014-2016):      position vector (PROJ +towgs84):
//! X'   dX          |  1   rz  -ry | X          X'   dX          |  1  -rz   ry | X
//! Y' = dY + (1+m)  | -rz   1   rx | Y          Y' = dY + (1+m)  |  rz   1  -rx | Y
//! Z'   dZ          |  ry  -rx   1 | Z          Z'   dZ          | -ry   rx   1 | Z
//! ```
//!
//! with the rotations in radians (given in arc-seconds) and m the scale change (given in ppm),
//! then back to geodetic on CGCS2000's ellipsoid. The two conventions differ only in the
//! rotations' signs. The computation is proj4rs's `+towgs84` (position vector, as PROJ's): the
//! shift is folded into the source CRS's PROJ string, and CGCS2000 is the WGS84 hub the
//! transforms pivot through (they differ by centimetres; `transform.rs`).
//!
//! Entered, not fitted: from common points known only as plane coordinates (h = 0) over a
//! town's few kilometres the three shifts and three rotations are nearly interchangeable (a
//! rotation of 1″ about an equatorial axis moves a Zhejiang town by ~30 m, and across 10 km it
//! differs from one shift by 0.05 mm), so a fit is ill-conditioned. For a local grid the four-parameter fit of `control.rs` is the tool.

use crate::error::CrsError;

use super::Crs;

/// Which way the rotations of a seven-parameter shift turn: the two conventions of the
/// Bursa-Wolf transform differ only in the rotations' signs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RotationConvention {
    /// Coordinate frame rotation (EPSG method 9607; ArcGIS "Coordinate Frame"): the rotation
    /// of the axes. The Chinese standard's Bursa model (CH/T 2014-2016) and so most bureau
    /// parameters: the default.
    CoordinateFrame,
    /// Position vector rotation (EPSG method 9606; ArcGIS "Position Vector"; PROJ's
    /// `+towgs84`): the rotation of the point.
    PositionVector,
}

impl RotationConvention {
    /// The words a user may write for each convention.
    pub const WORDS: &'static str =
        "cf (coordinate_frame, 坐标框架) or pv (position_vector, 位置矢量)";

    /// `cf`, `coordinate_frame`, `坐标框架`, `pv`, `position_vector`, `位置矢量`, … (case,
    /// spaces, `-` and `_` ignored).
    pub fn parse(word: &str) -> Option<RotationConvention> {
        let w: String = word
            .trim()
            .to_lowercase()
            .chars()
            .filter(|c| !matches!(c, ' ' | '-' | '_'))
            .collect();
        match w.as_str() {
            "cf"
            | "cfr"
            | "coordinateframe"
            | "coordinateframerotation"
            | "坐标框架"
            | "坐标框架旋转" => Some(RotationConvention::CoordinateFrame),
            "pv"
            | "pvr"
            | "positionvector"
            | "positionvectorrotation"
            | "位置矢量"
            | "位置向量"
            | "towgs84" => Some(RotationConvention::PositionVector),
            _ => None,
        }
    }

    /// A label for messages.
    pub fn label(self) -> &'static str {
        match self {
            RotationConvention::CoordinateFrame => "coordinate frame (坐标框架)",
            RotationConvention::PositionVector => "position vector (位置矢量)",
        }
    }

    /// The short word that selects it.
    pub fn word(self) -> &'static str {
        match self {
            RotationConvention::CoordinateFrame => "cf",
            RotationConvention::PositionVector => "pv",
        }
    }
}

/// Seven parameters from a source datum (Xi'an 1980, Beijing 1954) to CGCS2000.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct DatumShift {
    /// Shifts of the geocentric axes, metres.
    pub dx_m: f64,
    pub dy_m: f64,
    pub dz_m: f64,
    /// Rotations about the geocentric axes, arc-seconds, in `convention`'s sign.
    pub rx_arcsec: f64,
    pub ry_arcsec: f64,
    pub rz_arcsec: f64,
    /// The scale change, parts per million (+2.5: 1.0000025).
    pub scale_ppm: f64,
    pub convention: RotationConvention,
}

impl DatumShift {
    /// Beyond this a shift (metres) is not a datum difference but a wrong number: the datums
    /// used in China are within a few hundred metres of the geocentre.
    pub const MAX_SHIFT_M: f64 = 2000.0;
    /// Beyond this a rotation (arc-seconds; 100″ moves the Earth's surface by 3 km) is a unit
    /// mistake (degrees or minutes given as seconds).
    pub const MAX_ROTATION_ARCSEC: f64 = 100.0;
    /// Beyond this a scale change (ppm) is a mistake (a factor given as ppm, a per-mille value).
    pub const MAX_SCALE_PPM: f64 = 1000.0;

    /// Parse `dx,dy,dz,rx,ry,rz,ppm[,convention]`: shifts in metres, rotations in arc-seconds,
    /// scale in ppm, convention `cf` (the default) or `pv`. Commas, semicolons, full-width
    /// commas or spaces separate the values. Absurd values are refused with the limit.
    pub fn parse(text: &str) -> Result<DatumShift, CrsError> {
        let bad = CrsError::DatumShift;
        let parts: Vec<&str> = text
            .split([',', ';', '，', '；', ' ', '\t'])
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .collect();
        let (numbers, convention) = match parts.split_last() {
            Some((last, rest)) if last.parse::<f64>().is_err() => {
                let c = RotationConvention::parse(last).ok_or_else(|| {
                    bad(format!(
                        "\"{last}\" is not a rotation convention: use {}",
                        RotationConvention::WORDS
                    ))
                })?;
                (rest, c)
            }
            _ => (&parts[..], RotationConvention::CoordinateFrame),
        };
        if numbers.len() != 7 {
            return Err(bad(format!(
                "expected seven numbers dx,dy,dz,rx,ry,rz,ppm (shifts in m, rotations in arc-seconds, scale in ppm) and optionally the rotation convention cf or pv, got {} in \"{}\"",
                numbers.len(),
                text.trim()
            )));
        }
        const NAMES: [&str; 7] = ["dx", "dy", "dz", "rx", "ry", "rz", "scale"];
        let mut v = [0.0; 7];
        for (i, s) in numbers.iter().enumerate() {
            v[i] = s
                .parse::<f64>()
                .ok()
                .filter(|x| x.is_finite())
                .ok_or_else(|| bad(format!("{} \"{s}\" is not a number", NAMES[i])))?;
        }
        let shift = DatumShift {
            dx_m: v[0],
            dy_m: v[1],
            dz_m: v[2],
            rx_arcsec: v[3],
            ry_arcsec: v[4],
            rz_arcsec: v[5],
            scale_ppm: v[6],
            convention,
        };
        shift.check()?;
        Ok(shift)
    }

    /// Refuse values no datum difference has (a unit or typing mistake).
    pub fn check(&self) -> Result<(), CrsError> {
        const SHIFT: &str = "not a datum shift (Beijing 1954 and Xi'an 1980 lie within a few hundred metres of CGCS2000's centre); check the number and its unit";
        const ROTATION: &str = "rotations are given in arc-seconds (秒); a value in degrees or minutes must be converted";
        const SCALE: &str =
            "the scale is the change in parts per million: a factor m = 1.0000025 is given as 2.5";
        let (m, s, ppm) = (
            Self::MAX_SHIFT_M,
            Self::MAX_ROTATION_ARCSEC,
            Self::MAX_SCALE_PPM,
        );
        let limits = [
            ("dx", self.dx_m, "m", m, SHIFT),
            ("dy", self.dy_m, "m", m, SHIFT),
            ("dz", self.dz_m, "m", m, SHIFT),
            ("rx", self.rx_arcsec, "″", s, ROTATION),
            ("ry", self.ry_arcsec, "″", s, ROTATION),
            ("rz", self.rz_arcsec, "″", s, ROTATION),
            ("scale", self.scale_ppm, "ppm", ppm, SCALE),
        ];
        for (what, value, unit, max, hint) in limits {
            if !value.is_finite() || value.abs() > max {
                return Err(CrsError::DatumShift(format!(
                    "{what} = {value} {unit} is beyond ±{max} {unit}: {hint}"
                )));
            }
        }
        Ok(())
    }

    /// The parameters as PROJ's `+towgs84` (position vector convention) takes them.
    pub fn towgs84(&self) -> [f64; 7] {
        let sign = match self.convention {
            RotationConvention::PositionVector => 1.0,
            RotationConvention::CoordinateFrame => -1.0,
        };
        [
            self.dx_m,
            self.dy_m,
            self.dz_m,
            sign * self.rx_arcsec,
            sign * self.ry_arcsec,
            sign * self.rz_arcsec,
            self.scale_ppm,
        ]
    }

    /// True when the shift has no rotation: a three-parameter shift (with its scale), the same
    /// in both conventions.
    pub fn is_without_rotation(&self) -> bool {
        self.rx_arcsec == 0.0 && self.ry_arcsec == 0.0 && self.rz_arcsec == 0.0
    }

    /// `source` with this shift to CGCS2000 as its datum: a PROJ string CRS, `source`'s
    /// projection and ellipsoid with `+towgs84=` these parameters (replacing a `+towgs84` or
    /// `+nadgrids` it had). GCJ-02 and BD-09 are refused: they are not a datum.
    pub fn apply_to(&self, source: &Crs) -> Result<Crs, CrsError> {
        if matches!(source, Crs::Gcj02 | Crs::Bd09) {
            return Err(CrsError::DatumShift(format!(
                "it does not apply to {}: it is an obfuscation of WGS84 lon/lat, not a datum",
                source.label()
            )));
        }
        let def = super::transform::proj4_definition(source)?;
        let mut tokens = Vec::new();
        for token in def.split_whitespace() {
            if token.starts_with("+towgs84=") || token.starts_with("+nadgrids=") {
                continue;
            }
            if let Some(datum) = token.strip_prefix("+datum=") {
                // A named datum stands for an ellipsoid and a shift: keep the ellipsoid.
                let ellps = match datum.to_ascii_uppercase().as_str() {
                    "WGS84" => "WGS84",
                    "NAD83" => "GRS80",
                    _ => {
                        return Err(CrsError::DatumShift(format!(
                            "{} names the datum {datum}: give the CRS as a PROJ string with its ellipsoid (+ellps=…) to apply a seven-parameter shift",
                            source.label()
                        )));
                    }
                };
                tokens.push(format!("+ellps={ellps}"));
                continue;
            }
            tokens.push(token.to_string());
        }
        let t = self.towgs84();
        tokens.push(format!(
            "+towgs84={},{},{},{},{},{},{}",
            t[0], t[1], t[2], t[3], t[4], t[5], t[6]
        ));
        let proj4 = tokens.join(" ");
        super::transform::check_proj4(&proj4)?;
        Ok(Crs::Custom {
            name: format!(
                "{} + 七参数 (seven-parameter shift to CGCS2000)",
                source.label()
            ),
            proj4,
        })
    }

    /// The `+towgs84` a CRS's own definition carries (EPSG's Beijing 1954 systems carry an
    /// approximate three-parameter shift), if any.
    pub fn replaced_towgs84(source: &Crs) -> Option<String> {
        let def = super::transform::proj4_definition(source).ok()?;
        def.split_whitespace()
            .find_map(|t| t.strip_prefix("+towgs84="))
            .map(str::to_string)
    }

    /// What the shift did, for the layer's warnings: the source, the parameters with their
    /// units, the convention and how to tell a wrong one.
    pub fn describe(&self, source: &Crs) -> String {
        let mut s = format!(
            "coordinates moved from {} ({}) to CGCS2000 by the seven-parameter (七参数, Bursa-Wolf) datum shift given for this file: dx {} m, dy {} m, dz {} m, rx {}″, ry {}″, rz {}″, scale {:+} ppm",
            source.description(),
            source.label(),
            self.dx_m,
            self.dy_m,
            self.dz_m,
            self.rx_arcsec,
            self.ry_arcsec,
            self.rz_arcsec,
            self.scale_ppm,
        );
        if self.is_without_rotation() {
            s.push_str(" (no rotation: the convention does not matter)");
        } else {
            let other = match self.convention {
                RotationConvention::CoordinateFrame => RotationConvention::PositionVector,
                RotationConvention::PositionVector => RotationConvention::CoordinateFrame,
            };
            s.push_str(&format!(
                "; rotations taken in the {} convention{} — if the drawing lands tens of metres off known CGCS2000 points, the parameters use the {} convention (opposite rotation signs): add ,{}",
                self.convention.label(),
                match self.convention {
                    RotationConvention::CoordinateFrame =>
                        " (the Chinese standard's Bursa model, CH/T 2014-2016; ArcGIS \"Coordinate Frame\")",
                    RotationConvention::PositionVector =>
                        " (PROJ's +towgs84; ArcGIS \"Position Vector\")",
                },
                other.label(),
                other.word(),
            ));
        }
        if let Some(old) = Self::replaced_towgs84(source) {
            s.push_str(&format!(
                "; replaces the CRS's own approximate shift +towgs84={old}"
            ));
        }
        let rotations = [self.rx_arcsec, self.ry_arcsec, self.rz_arcsec];
        if rotations.iter().any(|r| *r != 0.0) && rotations.iter().all(|r| r.abs() < 1e-3) {
            s.push_str("; the rotations are tiny for arc-seconds: if they were given in radians, multiply by 206264.806");
        }
        if self.scale_ppm != 1.0 && (self.scale_ppm - 1.0).abs() < 1e-3 {
            s.push_str(&format!(
                "; a scale of {} ppm looks like a factor: if the bureau gave m = {}, the change is {:+.4} ppm",
                self.scale_ppm,
                self.scale_ppm,
                (self.scale_ppm - 1.0) * 1e6
            ));
        }
        s
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::crs::Transformer;
    use geo_types::Coord;

    const XIAN80: &str = "-62.312,103.887,71.451,1.2431,-2.0476,3.1592,-2.817";

    /// One row of tests/fixtures/datum_shift/reference.csv (made by make_reference.py: PROJ's
    /// explicit helmert pipelines through pyproj).
    struct Reference {
        case: String,
        source: Crs,
        shift: DatumShift,
        xy: Coord,
        lonlat: Coord,
        gk4549: Coord,
    }

    fn references() -> Vec<Reference> {
        let text = include_str!("../../tests/fixtures/datum_shift/reference.csv");
        let mut rows = text.lines().filter(|l| !l.starts_with('#'));
        let header: Vec<&str> = rows.next().expect("header").split(',').collect();
        let col = |name: &str| header.iter().position(|h| *h == name).expect(name);
        rows.map(|line| {
            let cells: Vec<&str> = line.split(',').collect();
            let num = |name: &str| cells[col(name)].parse::<f64>().expect(name);
            let params = ["dx", "dy", "dz", "rx", "ry", "rz", "ppm"]
                .map(|n| cells[col(n)])
                .join(",");
            let convention = cells[col("convention")];
            Reference {
                case: format!("{} {convention}", cells[col("case")]),
                source: Crs::parse(&format!("EPSG:{}", cells[col("source_epsg")])).expect("crs"),
                shift: DatumShift::parse(&format!("{params},{convention}")).expect("shift"),
                xy: Coord {
                    x: num("x"),
                    y: num("y"),
                },
                lonlat: Coord {
                    x: num("lon"),
                    y: num("lat"),
                },
                gk4549: Coord {
                    x: num("e4549"),
                    y: num("n4549"),
                },
            }
        })
        .collect()
    }

    /// Metres between two lon/lat points (a local flat approximation, exact to far below a
    /// millimetre at these distances).
    fn metres_apart(a: Coord, b: Coord) -> f64 {
        let lat = a.y.to_radians();
        let m_per_deg_lat = 111_132.95 - 559.85 * (2.0 * lat).cos();
        let m_per_deg_lon = 111_412.88 * lat.cos();
        ((a.x - b.x) * m_per_deg_lon).hypot((a.y - b.y) * m_per_deg_lat)
    }

    /// Within 1 mm of PROJ for every reference point, both conventions, Xi'an 1980 and Beijing
    /// 1954, to EPSG:4490 lon/lat and EPSG:4549. The only modelled difference: our hub is
    /// WGS84 where PROJ's pipeline ends on GRS80 (0.1 mm apart in the semi-minor axis).
    #[test]
    fn matches_proj_within_a_millimetre() {
        let refs = references();
        assert_eq!(refs.len(), 30);
        let mut worst = 0.0f64;
        for r in &refs {
            let crs = r.shift.apply_to(&r.source).expect("shifted crs");
            let to_ll = Transformer::new(&crs, &Crs::CGCS2000).expect("t");
            let ll = to_ll.coord(r.xy).expect("lonlat");
            let d = metres_apart(ll, r.lonlat);
            assert!(d < 0.001, "{}: {ll:?} vs {:?}: {d} m", r.case, r.lonlat);
            let to_gk = Transformer::new(&crs, &Crs::Epsg(4549)).expect("t");
            let gk = to_gk.coord(r.xy).expect("gk");
            let d_gk = (gk.x - r.gk4549.x).hypot(gk.y - r.gk4549.y);
            assert!(
                d_gk < 0.001,
                "{}: {gk:?} vs {:?}: {d_gk} m",
                r.case,
                r.gk4549
            );
            worst = worst.max(d).max(d_gk);
        }
        eprintln!("worst difference from PROJ: {:.6} m", worst);
    }

    /// The shift moves the points (tens of metres here) and the convention matters: the two
    /// conventions' results differ by metres, so the test above tells them apart.
    #[test]
    fn the_shift_and_its_convention_move_points_by_metres() {
        let refs = references();
        let cf = refs
            .iter()
            .find(|r| r.case == "xian80_cm120 coordinate_frame")
            .expect("cf");
        let pv = refs
            .iter()
            .find(|r| r.case == "xian80_cm120 position_vector")
            .expect("pv");
        assert_eq!(cf.xy, pv.xy);
        let apart = metres_apart(cf.lonlat, pv.lonlat);
        assert!(apart > 10.0, "{apart} m");
        // Without the shift (the EPSG definition alone: the ellipsoid, no datum shift) the
        // point is elsewhere too.
        let plain = Transformer::new(&cf.source, &Crs::CGCS2000)
            .expect("t")
            .coord(cf.xy)
            .expect("c");
        assert!(metres_apart(plain, cf.lonlat) > 10.0);
        // Coordinate frame with rotations r is position vector with −r.
        let flipped = DatumShift {
            rx_arcsec: -cf.shift.rx_arcsec,
            ry_arcsec: -cf.shift.ry_arcsec,
            rz_arcsec: -cf.shift.rz_arcsec,
            convention: RotationConvention::PositionVector,
            ..cf.shift
        };
        assert_eq!(flipped.towgs84(), cf.shift.towgs84());
    }

    #[test]
    fn parses_the_forms_a_bureau_sheet_gives() {
        let s = DatumShift::parse(XIAN80).expect("parse");
        assert_eq!(s.convention, RotationConvention::CoordinateFrame);
        assert_eq!(s.dx_m, -62.312);
        assert_eq!(s.rz_arcsec, 3.1592);
        assert_eq!(s.scale_ppm, -2.817);
        let t = s.towgs84();
        assert_eq!(t[3], -1.2431);
        assert_eq!(t[6], -2.817);
        let pv = DatumShift::parse(&format!("{XIAN80},position_vector")).expect("pv");
        assert_eq!(pv.convention, RotationConvention::PositionVector);
        assert_eq!(pv.towgs84()[3], 1.2431);
        let spaced =
            DatumShift::parse("-62.312 103.887 71.451；1.2431 -2.0476 3.1592 -2.817 坐标框架")
                .expect("spaced");
        assert_eq!(spaced, s);
        use RotationConvention::{CoordinateFrame, PositionVector};
        for (word, convention) in [
            ("CF", CoordinateFrame),
            ("Coordinate-Frame", CoordinateFrame),
            ("坐标框架", CoordinateFrame),
            ("pv", PositionVector),
            ("Position Vector", PositionVector),
            ("位置矢量", PositionVector),
            ("towgs84", PositionVector),
        ] {
            assert_eq!(RotationConvention::parse(word), Some(convention), "{word}");
        }
        assert_eq!(RotationConvention::parse("clockwise"), None);
    }

    #[test]
    fn bad_parameters_say_what_is_wrong() {
        for (text, says) in [
            ("1,2,3", &["seven numbers", "got 3"][..]),
            ("1,2,3,4,5,6,7,8", &["got 8"]),
            ("1,2,abc,0,0,0,0", &["dz \"abc\""]),
            ("1,2,3,0,0,0,0,clockwise", &["clockwise", "cf"]),
            ("2500,0,0,0,0,0,0", &["dx = 2500", "2000"]),
            ("1,2,3,0,0,0.05,1000000.5", &["scale", "ppm"]),
            ("1,2,3,0,1800,0,0", &["ry", "arc-seconds"]),
            ("1,2,3,0,NaN,0,0", &["ry \"NaN\""]),
        ] {
            let e = DatumShift::parse(text).unwrap_err().to_string();
            assert!(says.iter().all(|w| e.contains(w)), "{text}: {e}");
        }
        assert!(DatumShift::parse("").is_err());
        let s = DatumShift::parse(XIAN80).expect("s");
        let e = s.apply_to(&Crs::Gcj02).unwrap_err().to_string();
        assert!(e.contains("GCJ-02"), "{e}");
    }

    #[test]
    fn the_description_names_the_source_parameters_and_convention() {
        let s = DatumShift::parse(XIAN80).expect("s");
        let d = s.describe(&Crs::Epsg(2385));
        assert!(d.contains("Xian 1980") && d.contains("EPSG:2385"), "{d}");
        assert!(
            d.contains("dx -62.312 m") && d.contains("rz 3.1592″"),
            "{d}"
        );
        assert!(
            d.contains("-2.817 ppm") && d.contains("coordinate frame"),
            "{d}"
        );
        assert!(d.contains("add ,pv"), "{d}");
        assert!(!d.contains("replaces"), "{d}");
        // Beijing 1954's EPSG definition carries EPSG's three-parameter shift: replaced, and said.
        for (code, name) in [
            (4528, "CGCS2000 / 3-degree Gauss-Kruger zone 40"),
            (4549, "CGCS2000 / 3-degree Gauss-Kruger CM 120E"),
            (2364, "Xian 1980 / 3-degree Gauss-Kruger zone 40"),
            (2442, "Beijing 1954 / 3-degree Gauss-Kruger CM 135E"),
            (2443, "EPSG:2443"),
        ] {
            assert_eq!(Crs::Epsg(code).description(), name);
        }
        let bj = s.describe(&Crs::Epsg(2437));
        assert!(
            bj.contains("Beijing 1954") && bj.contains("replaces"),
            "{bj}"
        );
        let crs = s.apply_to(&Crs::Epsg(2437)).expect("crs");
        let Crs::Custom { proj4, .. } = &crs else {
            panic!("{crs:?}")
        };
        assert_eq!(proj4.matches("+towgs84=").count(), 1, "{proj4}");
        assert!(proj4.contains("+towgs84=-62.312,103.887,71.451,-1.2431,2.0476,-3.1592,-2.817"));
        // No rotation: the convention is not an issue.
        let three = DatumShift::parse("15.8,-154.4,-82.3,0,0,0,0").expect("3");
        assert!(three.describe(&Crs::Epsg(2385)).contains("does not matter"));
        // Unit slips are pointed at.
        let rad = DatumShift::parse("1,2,3,0.00000603,0,0,1.0000025").expect("rad");
        let d = rad.describe(&Crs::Epsg(2385));
        assert!(
            d.contains("radians") && d.contains("looks like a factor"),
            "{d}"
        );
    }

    #[test]
    fn a_named_datum_keeps_its_ellipsoid() {
        let s = DatumShift::parse(XIAN80).expect("s");
        let crs = s.apply_to(&Crs::Epsg(32651)).expect("utm");
        let Crs::Custom { proj4, .. } = &crs else {
            panic!("{crs:?}")
        };
        assert!(
            proj4.contains("+ellps=WGS84") && !proj4.contains("+datum"),
            "{proj4}"
        );
        let other = Crs::parse("+proj=longlat +datum=potsdam +no_defs").expect("potsdam");
        let e = s.apply_to(&other).unwrap_err().to_string();
        assert!(e.contains("potsdam") && e.contains("+ellps"), "{e}");
    }
}
