//! A drawing in a local system (a CAD plan on a site grid, an old survey) brought into a known
//! CRS by control points: the 2D similarity (four-parameter, Helmert) transform — shift,
//! rotation, one scale — fitted by least squares to two or more point pairs, with the residuals
//! that tell whether the points agree.
//!
//! X = a·x − b·y + tx, Y = b·x + a·y + ty, with a = s·cos θ, b = s·sin θ. The least-squares
//! solution is closed-form (centred sums); two points fit exactly, more show their residuals.
//! Not here: the affine (six-parameter) transform; the 3D seven-parameter (Bursa-Wolf) datum
//! shift is entered, not fitted, in `datum.rs` (why: its module doc).

use geo_types::{Coord, Geometry};

use crate::error::CrsError;

/// A control point: where it is in the local system and where it is in the target CRS.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ControlPoint {
    pub local: Coord<f64>,
    pub target: Coord<f64>,
}

/// A 2D similarity transform: X = a·x − b·y + tx, Y = b·x + a·y + ty.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Similarity2D {
    pub a: f64,
    pub b: f64,
    pub tx: f64,
    pub ty: f64,
}

impl Similarity2D {
    /// From a scale, a rotation (radians, counter-clockwise) and a shift.
    pub fn from_parts(scale: f64, rotation: f64, tx: f64, ty: f64) -> Similarity2D {
        Similarity2D {
            a: scale * rotation.cos(),
            b: scale * rotation.sin(),
            tx,
            ty,
        }
    }

    /// The scale factor (1 + the scale change; 1.0002 is 200 ppm).
    pub fn scale(&self) -> f64 {
        self.a.hypot(self.b)
    }

    /// The rotation, radians counter-clockwise.
    pub fn rotation(&self) -> f64 {
        self.b.atan2(self.a)
    }

    /// A local point in the target CRS.
    pub fn apply(&self, c: Coord<f64>) -> Coord<f64> {
        Coord {
            x: self.a * c.x - self.b * c.y + self.tx,
            y: self.b * c.x + self.a * c.y + self.ty,
        }
    }

    /// Transform every coordinate of a geometry in place.
    pub fn apply_geometry(&self, g: &mut Geometry<f64>) {
        let _ = super::transform::try_for_each_coord::<()>(g, &mut |c| {
            *c = self.apply(*c);
            Ok(())
        });
    }

    /// The transform back from the target CRS to the local system (None for scale 0).
    pub fn inverse(&self) -> Option<Similarity2D> {
        let d = self.a * self.a + self.b * self.b;
        if !(d > 0.0 && d.is_finite()) {
            return None;
        }
        let (a, b) = (self.a / d, -self.b / d);
        Some(Similarity2D {
            a,
            b,
            tx: -(a * self.tx - b * self.ty),
            ty: -(b * self.tx + a * self.ty),
        })
    }
}

/// A fitted transform and how well the control points agree with it.
#[derive(Debug, Clone, PartialEq)]
pub struct SimilarityFit {
    pub transform: Similarity2D,
    /// Per control point, in their order: target − transformed local (target units).
    pub residuals: Vec<Coord<f64>>,
    /// Root mean square of the residuals' lengths.
    pub rms: f64,
    /// The largest residual's length and its control point (0-based).
    pub max_residual: (f64, usize),
    /// The standard error of unit weight, √(Σ r² / (2n − 4)); None for two points (an exact
    /// fit: nothing to check them against).
    pub sigma0: Option<f64>,
}

/// Fit the similarity transform to control points by least squares (at least two, not all at
/// one local place).
pub fn fit_similarity(points: &[ControlPoint]) -> Result<SimilarityFit, CrsError> {
    let n = points.len();
    if n < 2 {
        return Err(CrsError::BadDefinition(format!(
            "a four-parameter (similarity) transform needs at least 2 control points, got {n}"
        )));
    }
    if let Some(i) = points.iter().position(|p| {
        !(p.local.x.is_finite()
            && p.local.y.is_finite()
            && p.target.x.is_finite()
            && p.target.y.is_finite())
    }) {
        return Err(CrsError::BadDefinition(format!(
            "control point {} has a coordinate that is not a finite number",
            i + 1
        )));
    }
    let nf = n as f64;
    let mean = |f: &dyn Fn(&ControlPoint) -> f64| points.iter().map(f).sum::<f64>() / nf;
    let (mx, my) = (mean(&|p| p.local.x), mean(&|p| p.local.y));
    let (mtx, mty) = (mean(&|p| p.target.x), mean(&|p| p.target.y));
    let (mut sxx, mut sa, mut sb) = (0.0, 0.0, 0.0);
    for p in points {
        let (dx, dy) = (p.local.x - mx, p.local.y - my);
        let (dtx, dty) = (p.target.x - mtx, p.target.y - mty);
        sxx += dx * dx + dy * dy;
        sa += dx * dtx + dy * dty;
        sb += dx * dty - dy * dtx;
    }
    let spread = (mx.abs() + my.abs()).max(1.0);
    if sxx <= (spread * 1e-12).powi(2) * nf {
        return Err(CrsError::BadDefinition(
            "the control points all lie at one local place: they fix no rotation or scale".into(),
        ));
    }
    let (a, b) = (sa / sxx, sb / sxx);
    let transform = Similarity2D {
        a,
        b,
        tx: mtx - a * mx + b * my,
        ty: mty - b * mx - a * my,
    };
    let residuals: Vec<Coord<f64>> = points
        .iter()
        .map(|p| {
            let f = transform.apply(p.local);
            Coord {
                x: p.target.x - f.x,
                y: p.target.y - f.y,
            }
        })
        .collect();
    let sq: f64 = residuals.iter().map(|r| r.x * r.x + r.y * r.y).sum();
    let max_residual =
        residuals
            .iter()
            .map(|r| r.x.hypot(r.y))
            .enumerate()
            .fold(
                (0.0, 0),
                |best, (i, d)| if d > best.0 { (d, i) } else { best },
            );
    Ok(SimilarityFit {
        transform,
        rms: (sq / nf).sqrt(),
        max_residual,
        sigma0: (n > 2).then(|| (sq / (2.0 * nf - 4.0)).sqrt()),
        residuals,
    })
}

/// A drawing's control points read from a file, and the transform fitted to them: what
/// `--control-points FILE=POINTS` (and a project input's `control_points`) give the loader.
#[derive(Debug, Clone, PartialEq)]
pub struct ControlTransform {
    /// The control-point file, as given (for points given directly: where they are kept).
    pub points_file: std::path::PathBuf,
    pub points: Vec<ControlPoint>,
    pub fit: SimilarityFit,
}

impl ControlTransform {
    /// Read a control-point file and fit the transform; an error names the file and the line.
    pub fn from_file(path: &std::path::Path) -> Result<ControlTransform, crate::error::Error> {
        let text = std::fs::read(path).map_err(|e| {
            crate::error::Error::Config(format!(
                "control points {}: cannot read the file: {e}",
                path.display()
            ))
        })?;
        let text = String::from_utf8_lossy(&text);
        let points = parse_control_points(&text).map_err(|e| {
            crate::error::Error::Config(format!("control points {}: {e}", path.display()))
        })?;
        Self::from_points(points, path).map_err(|e| {
            crate::error::Error::Config(format!("control points {}: {e}", path.display()))
        })
    }

    /// Fit the transform to points given directly (typed in the app, kept in a project file);
    /// `source` names where they are, for [`ControlTransform::describe`].
    pub fn from_points(
        points: Vec<ControlPoint>,
        source: impl Into<std::path::PathBuf>,
    ) -> Result<ControlTransform, CrsError> {
        let fit = fit_similarity(&points)?;
        Ok(ControlTransform {
            points_file: source.into(),
            points,
            fit,
        })
    }

    /// The length of each control point's residual (target units), in the points' order.
    pub fn residual_lengths(&self) -> impl Iterator<Item = f64> + '_ {
        self.fit.residuals.iter().map(|r| r.x.hypot(r.y))
    }

    /// What the transform did, for the layer's warnings: the file, the points, scale, rotation
    /// and how well the points agree.
    pub fn describe(&self) -> String {
        let t = &self.fit.transform;
        let ppm = (t.scale() - 1.0) * 1e6;
        let mut s = format!(
            "local coordinates moved into the target CRS by a four-parameter transform fitted to {} control points ({}): scale {:.6} ({ppm:+.0} ppm), rotation {:.4}°, shift ({:.3}, {:.3})",
            self.points.len(),
            self.points_file.display(),
            t.scale(),
            t.rotation().to_degrees(),
            t.tx,
            t.ty,
        );
        match self.fit.sigma0 {
            None => s.push_str(
                "; two points fit exactly, so nothing checks them: add a third point to see residuals",
            ),
            Some(_) => s.push_str(&format!(
                "; residuals RMS {:.3} m, largest {:.3} m at point {}",
                self.fit.rms,
                self.fit.max_residual.0,
                self.fit.max_residual.1 + 1
            )),
        }
        s
    }

    /// Residuals this large (metres) say a control point is wrong (a typo, a swapped pair):
    /// beyond what a CAD plan's own accuracy explains.
    pub const SUSPECT_RESIDUAL_M: f64 = 1.0;

    /// Whether the largest residual is beyond [`ControlTransform::SUSPECT_RESIDUAL_M`].
    pub fn suspect(&self) -> bool {
        self.fit.max_residual.0 > Self::SUSPECT_RESIDUAL_M
    }
}

/// Control points from CSV text: a header naming the columns, then one point per line.
/// Columns (any order, case and spaces ignored): `local_x`, `local_y` (the drawing's
/// coordinates; also `本地X`/`本地Y`, `源X`/`源Y`, `cad_x`/`cad_y`) and `x`, `y` (the target
/// CRS's; also `target_x`/`target_y`, `目标X`/`目标Y`); others (a name) are kept out. Commas,
/// semicolons or tabs; `#` starts a comment line.
pub fn parse_control_points(text: &str) -> Result<Vec<ControlPoint>, String> {
    let mut lines = text
        .trim_start_matches('\u{feff}')
        .lines()
        .enumerate()
        .map(|(i, l)| (i + 1, l.trim()))
        .filter(|(_, l)| !l.is_empty() && !l.starts_with('#'));
    let (_, header) = lines
        .next()
        .ok_or("the file is empty: expected a header line local_x,local_y,x,y")?;
    let sep = [',', ';', '\t']
        .into_iter()
        .max_by_key(|c| header.matches(*c).count())
        .unwrap_or(',');
    let names: Vec<String> = header
        .split(sep)
        .map(|h| {
            h.trim()
                .trim_matches('"')
                .to_lowercase()
                .replace([' ', '-'], "_")
        })
        .collect();
    let col = |aliases: &[&str]| names.iter().position(|n| aliases.contains(&n.as_str()));
    let cols = [
        col(&["local_x", "本地x", "源x", "cad_x", "x_local"]),
        col(&["local_y", "本地y", "源y", "cad_y", "y_local"]),
        col(&["x", "target_x", "目标x", "x_target"]),
        col(&["y", "target_y", "目标y", "y_target"]),
    ];
    let [Some(lx), Some(ly), Some(tx), Some(ty)] = cols else {
        return Err(format!(
            "the header '{header}' must name the columns local_x, local_y, x, y (the drawing's coordinates, then the target CRS's)"
        ));
    };
    let mut points = Vec::new();
    for (n, line) in lines {
        let cells: Vec<&str> = line
            .split(sep)
            .map(|c| c.trim().trim_matches('"'))
            .collect();
        let num = |i: usize, what: &str| -> Result<f64, String> {
            let cell = cells.get(i).copied().unwrap_or("");
            cell.parse::<f64>()
                .ok()
                .filter(|v| v.is_finite())
                .ok_or_else(|| format!("line {n}: {what} '{cell}' is not a number"))
        };
        points.push(ControlPoint {
            local: Coord {
                x: num(lx, "local_x")?,
                y: num(ly, "local_y")?,
            },
            target: Coord {
                x: num(tx, "x")?,
                y: num(ty, "y")?,
            },
        });
    }
    Ok(points)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn c(x: f64, y: f64) -> Coord<f64> {
        Coord { x, y }
    }

    /// A site grid 0–3 km, put into CGCS2000 GK zone 40 (with prefix) by a known transform.
    fn known() -> Similarity2D {
        Similarity2D::from_parts(
            1.000_25,
            1.5_f64.to_radians(),
            40_512_345.678,
            3_298_765.432,
        )
    }

    const LOCAL: [(f64, f64); 5] = [
        (0.0, 0.0),
        (3000.0, 0.0),
        (3000.0, 2500.0),
        (0.0, 2500.0),
        (1200.0, 900.0),
    ];

    #[test]
    fn recovers_a_known_rotation_scale_and_shift() {
        let t = known();
        let pts: Vec<ControlPoint> = LOCAL
            .iter()
            .map(|&(x, y)| ControlPoint {
                local: c(x, y),
                target: t.apply(c(x, y)),
            })
            .collect();
        let fit = fit_similarity(&pts).unwrap();
        let f = fit.transform;
        assert!((f.scale() - 1.000_25).abs() < 1e-10, "{}", f.scale());
        assert!((f.rotation().to_degrees() - 1.5).abs() < 1e-9);
        assert!(
            (f.tx - t.tx).abs() < 1e-6 && (f.ty - t.ty).abs() < 1e-6,
            "{f:?}"
        );
        assert!(fit.rms < 1e-6 && fit.max_residual.0 < 1e-6, "{fit:?}");
        // Two points fit exactly, and the inverse goes back.
        let two = fit_similarity(&pts[..2]).unwrap();
        assert!(two.sigma0.is_none() && two.rms < 1e-6);
        assert!((two.transform.scale() - 1.000_25).abs() < 1e-10);
        let back = f.inverse().unwrap().apply(f.apply(c(1234.5, 678.9)));
        assert!(
            (back.x - 1234.5).abs() < 1e-6 && (back.y - 678.9).abs() < 1e-6,
            "{back:?}"
        );
        let mut g: Geometry<f64> = geo_types::Point::new(3000.0, 2500.0).into();
        f.apply_geometry(&mut g);
        let Geometry::Point(moved) = g else {
            panic!("{g:?}")
        };
        let want = pts[2].target;
        assert!((moved.x() - want.x).abs() < 1e-6 && (moved.y() - want.y).abs() < 1e-6);
    }

    #[test]
    fn residuals_of_noisy_points_show_the_bad_one() {
        let t = known();
        // ±3 cm of noise, and 2 m off at the fifth point.
        let noise = [
            (0.03, -0.02),
            (-0.01, 0.03),
            (0.02, 0.01),
            (-0.03, -0.02),
            (2.0, 0.0),
        ];
        let pts: Vec<ControlPoint> = LOCAL
            .iter()
            .zip(noise)
            .map(|(&(x, y), (nx, ny))| {
                let p = t.apply(c(x, y));
                ControlPoint {
                    local: c(x, y),
                    target: c(p.x + nx, p.y + ny),
                }
            })
            .collect();
        let fit = fit_similarity(&pts).unwrap();
        assert_eq!(fit.residuals.len(), 5);
        assert_eq!(fit.max_residual.1, 4, "{fit:?}");
        assert!(
            fit.max_residual.0 > 1.0 && fit.max_residual.0 < 2.0,
            "{fit:?}"
        );
        // Least squares with a shift: the residuals sum to zero.
        let (sx, sy) = fit
            .residuals
            .iter()
            .fold((0.0, 0.0), |(a, b), r| (a + r.x, b + r.y));
        assert!(sx.abs() < 1e-6 && sy.abs() < 1e-6, "{sx} {sy}");
        // Each residual is the target minus the fitted point.
        for (p, r) in pts.iter().zip(&fit.residuals) {
            let f = fit.transform.apply(p.local);
            assert!((p.target.x - f.x - r.x).abs() < 1e-9);
        }
        let rms = (fit
            .residuals
            .iter()
            .map(|r| r.x * r.x + r.y * r.y)
            .sum::<f64>()
            / 5.0)
            .sqrt();
        assert!((fit.rms - rms).abs() < 1e-12);
        let s0 = fit.sigma0.unwrap();
        assert!((s0 - rms * (5.0f64 / 6.0).sqrt()).abs() < 1e-9);
        // The parameters stay close to the truth all the same.
        assert!((fit.transform.scale() - 1.000_25).abs() < 1e-3);
        assert!((fit.transform.rotation().to_degrees() - 1.5).abs() < 0.05);
        // Without the bad point, centimetres.
        let good = fit_similarity(&pts[..4]).unwrap();
        assert!(good.rms < 0.05 && good.max_residual.0 < 0.05, "{good:?}");
    }

    #[test]
    fn too_few_or_coincident_points_are_refused() {
        let p = ControlPoint {
            local: c(10.0, 10.0),
            target: c(500_000.0, 3_300_000.0),
        };
        let e = fit_similarity(&[p]).unwrap_err().to_string();
        assert!(e.contains("at least 2"), "{e}");
        let e = fit_similarity(&[p, p, p]).unwrap_err().to_string();
        assert!(e.contains("one local place"), "{e}");
        let q = ControlPoint {
            local: c(f64::NAN, 0.0),
            ..p
        };
        let e = fit_similarity(&[p, q]).unwrap_err().to_string();
        assert!(e.contains("control point 2"), "{e}");
    }

    #[test]
    fn reads_control_points_with_chinese_or_english_headers() {
        let t = known();
        let mut csv =
            String::from("\u{feff}# site grid → CGCS2000 GK 40\n名称;本地X;本地Y;目标X;目标Y\n");
        for (i, (x, y)) in LOCAL.iter().enumerate() {
            let g = t.apply(c(*x, *y));
            csv.push_str(&format!("P{i};{x};{y};{:.4};{:.4}\n", g.x, g.y));
        }
        let pts = parse_control_points(&csv).expect("parsed");
        assert_eq!(pts.len(), 5);
        assert_eq!(pts[1].local, c(3000.0, 0.0));
        let fit = fit_similarity(&pts).expect("fit");
        assert!((fit.transform.scale() - 1.000_25).abs() < 1e-8);
        assert!(fit.rms < 1e-3, "{}", fit.rms);
        let en = "x,y,local_x,local_y\n10,20,0,0\n20,20,10,0\n";
        let pts = parse_control_points(en).expect("parsed");
        assert_eq!(pts[1].target, c(20.0, 20.0));
        assert_eq!(pts[1].local, c(10.0, 0.0));
    }

    #[test]
    fn a_bad_control_point_file_says_which_line_or_column() {
        let e = parse_control_points("local_x,local_y,x,y\n0,0,1,1\n5,abc,2,2\n").unwrap_err();
        assert!(e.contains("line 3") && e.contains("abc"), "{e}");
        let e = parse_control_points("a,b,x,y\n0,0,1,1\n").unwrap_err();
        assert!(e.contains("local_x"), "{e}");
        assert!(parse_control_points("# only a comment\n").is_err());
        let e = parse_control_points("local_x,local_y,x,y\n0,0,1\n").unwrap_err();
        assert!(e.contains("line 2"), "{e}");
    }

    #[test]
    fn a_transform_from_a_file_describes_its_residuals_and_flags_a_wrong_point() {
        let dir = tempfile::tempdir().expect("tmp");
        let t = known();
        let mut csv = String::from("local_x,local_y,x,y\n");
        for (i, (x, y)) in LOCAL.iter().enumerate() {
            let mut g = t.apply(c(*x, *y));
            if i == 2 {
                g.y += 30.0; // a typo in one target coordinate
            }
            csv.push_str(&format!("{x},{y},{},{}\n", g.x, g.y));
        }
        let path = dir.path().join("控制点.csv");
        std::fs::write(&path, csv).expect("write");
        let ct = ControlTransform::from_file(&path).expect("fit");
        assert!(ct.suspect());
        let d = ct.describe();
        assert!(
            d.contains("5 control points") && d.contains("控制点.csv"),
            "{d}"
        );
        assert!(d.contains("at point 3"), "{d}");
        let e = ControlTransform::from_file(&dir.path().join("missing.csv")).unwrap_err();
        assert!(e.to_string().contains("missing.csv"), "{e}");
        std::fs::write(&path, "local_x,local_y,x,y\n0,0,5,5\n").expect("write");
        let e = ControlTransform::from_file(&path).unwrap_err().to_string();
        assert!(e.contains("控制点.csv") && e.contains("at least 2"), "{e}");
    }
}
