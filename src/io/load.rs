//! Load a town: read every file, settle each layer's CRS (declared, user-given or guessed),
//! validate geometry, and reproject everything once into one metric working CRS.

use std::path::{Path, PathBuf};

use geo::BoundingRect;
use geo_types::{Coord, Geometry, Rect};
use rayon::prelude::*;

use crate::crs::{
    Crs, CrsInfo, CrsOrigin, DatumShift, Transformer, guess_from_extent, working_crs_for,
};
use crate::error::{Error, IoError, Location};
use crate::model::validate::validate_layer;
use crate::model::{AgeBand, Issue, IssueKind, Layer, Role, Taxonomy, guess_role};

use super::{ReadOptions, read};

/// How to load a set of files.
#[derive(Debug, Clone, Default)]
pub struct LoadOptions {
    pub read: ReadOptions,
    /// The metric CRS to work in; chosen from the town's position when None.
    pub working_crs: Option<Crs>,
    /// Facility categories and their rules.
    pub taxonomy: Taxonomy,
    /// The CRS of files that declare none (instead of guessing from magnitudes).
    pub default_crs: Option<Crs>,
    /// Per-file CRS overrides: (file name or path, CRS); beats what the file declares.
    pub crs_for: Vec<(String, Crs)>,
    /// Per-file text encodings (DBF, CSV): (file name or path, encoding); beats
    /// `read.encoding` and what the file says.
    pub encoding_for: Vec<(String, &'static encoding_rs::Encoding)>,
    /// Per-file age bands of population rasters (`--age-band 60+=FILE`, a project input's
    /// `age_band`): (file name or path, band); beats the raster's description and file name.
    pub age_band_for: Vec<(String, AgeBand)>,
    /// Per-file control-point transforms (`--control-points FILE=POINTS`, a project input's
    /// `control_points`): a drawing in a local system (独立坐标系) moved into the CRS its
    /// control points' targets are in, before that CRS is settled.
    pub control_for: Vec<(String, crate::crs::ControlTransform)>,
    /// Per-file seven-parameter datum shifts (`--datum-shift FILE=dx,dy,dz,rx,ry,rz,ppm`, a
    /// project input's `datum_shift`): a drawing in Xi'an 1980 or Beijing 1954 moved to
    /// CGCS2000, combined with the CRS the file declares or the user gives.
    pub datum_shift_for: Vec<(String, DatumShift)>,
    /// Per-layer roles of multi-layer files (a project input's `layer_roles`): (file name or
    /// path, layer name, role; None: unused); beats the reader's and the guessed role.
    pub layer_role_for: Vec<(String, String, Option<Role>)>,
}

/// The entry of `list` given for `path`: by its path as given or by its file name.
fn given_for<'a, T>(list: &'a [(String, T)], path: &Path) -> Option<&'a T> {
    let name = path.file_name().map(|n| n.to_string_lossy().into_owned());
    list.iter()
        .find(|(p, _)| Path::new(p) == path || Some(p.as_str()) == name.as_deref())
        .map(|(_, v)| v)
}

impl LoadOptions {
    /// The forced CRS for `path`, if the user gave one for it.
    fn crs_override(&self, path: &Path) -> Option<&Crs> {
        given_for(&self.crs_for, path).or(self.read.crs.as_ref())
    }

    /// The age band the user gave for `path`, if any.
    pub fn age_band_override(&self, path: &Path) -> Option<AgeBand> {
        given_for(&self.age_band_for, path).copied()
    }

    /// The role the user gave for the layer `layer` of `path`, if any (Some(None): unused).
    pub fn layer_role_override(&self, path: &Path, layer: &str) -> Option<Option<Role>> {
        let name = path.file_name().map(|n| n.to_string_lossy().into_owned());
        self.layer_role_for
            .iter()
            .find(|(p, l, _)| {
                l == layer && (Path::new(p) == path || Some(p.as_str()) == name.as_deref())
            })
            .map(|(_, _, r)| *r)
    }

    /// The control-point transform the user gave for `path`, if any.
    pub fn control_override(&self, path: &Path) -> Option<&crate::crs::ControlTransform> {
        given_for(&self.control_for, path)
    }

    /// The seven-parameter datum shift the user gave for `path`, if any.
    pub fn datum_shift_override(&self, path: &Path) -> Option<&DatumShift> {
        given_for(&self.datum_shift_for, path)
    }

    /// The forced text encoding for `path`, if the user gave one for it.
    fn encoding_override(&self, path: &Path) -> Option<&'static encoding_rs::Encoding> {
        given_for(&self.encoding_for, path).copied()
    }
}

/// A file that could not be loaded, and why.
#[derive(Debug)]
pub struct FileFailure {
    pub path: PathBuf,
    pub error: Error,
}

/// Every layer of a town, in one metric working CRS.
#[derive(Debug)]
pub struct Dataset {
    pub working_crs: Crs,
    pub layers: Vec<Layer>,
    /// Files (or layers) that could not be used at all; the rest loaded.
    pub failures: Vec<FileFailure>,
}

/// The smallest box holding both boxes.
pub fn union_rect(a: Rect<f64>, b: Rect<f64>) -> Rect<f64> {
    Rect::new(
        Coord {
            x: a.min().x.min(b.min().x),
            y: a.min().y.min(b.min().y),
        },
        Coord {
            x: a.max().x.max(b.max().x),
            y: a.max().y.max(b.max().y),
        },
    )
}

/// The bounding box of all features' coordinates, None for an empty layer.
pub fn extent(layer: &Layer) -> Option<Rect<f64>> {
    let mut it = layer
        .features
        .iter()
        .filter_map(|f| f.geometry.bounding_rect());
    let first = it.next()?;
    Some(it.fold(first, union_rect))
}

fn swap_xy(g: &mut Geometry<f64>) {
    let _ = crate::crs::transform::try_for_each_coord::<()>(g, &mut |c| {
        *c = Coord { x: c.y, y: c.x };
        Ok(())
    });
}

fn path_of(layer: &Layer) -> &Path {
    &layer.source.path
}

/// Settle the CRS of a freshly read layer: the user's choice, else the file's, else a guess from
/// coordinate magnitudes. Swapped axes are put right. Fails only when nothing fits.
pub fn resolve_crs(layer: &mut Layer, user: Option<&Crs>) -> Result<(), Error> {
    if let Some(c) = user {
        layer.crs = CrsInfo::user(c.clone());
    }
    let Some(ext) = extent(layer) else {
        return Ok(());
    };
    let mut guess = guess_from_extent(ext);
    if guess.crs.is_none()
        && layer.crs.crs.is_none()
        && let Some(g) = skip_outliers_and_guess(layer)
    {
        guess = g;
    }
    match layer.crs.crs.clone() {
        Some(declared) => {
            let declared_geo = declared.is_geographic();
            let looks_geo = guess.crs.as_ref().is_some_and(Crs::is_geographic);
            if guess.swapped && declared_geo == looks_geo && guess.crs.is_some() {
                for f in &mut layer.features {
                    swap_xy(&mut f.geometry);
                }
                layer.issues.push(
                    Issue::warning(
                        None,
                        format!("axes swapped: {}; x and y were exchanged", guess.reason),
                    )
                    .of_kind(IssueKind::Crs),
                );
            } else if guess.crs.is_some()
                && declared_geo != looks_geo
                && layer.crs.origin != CrsOrigin::User
            {
                let g = guess.crs.clone().unwrap_or(Crs::WGS84);
                layer.issues.push(Issue::warning(
                    None,
                    format!(
                        "the file says {} but the coordinates do not fit it ({}); using {} instead — check the .prj or give --crs",
                        declared.label(),
                        guess.reason,
                        g.label()
                    ),
                ).of_kind(IssueKind::Crs));
                if guess.swapped {
                    for f in &mut layer.features {
                        swap_xy(&mut f.geometry);
                    }
                }
                layer.crs = CrsInfo {
                    crs: Some(g),
                    origin: CrsOrigin::Guessed(guess.reason),
                };
            }
        }
        None => match guess.crs {
            Some(g)
                if layer.source.format == crate::model::Format::GeoJson
                    && g.is_geographic()
                    && !guess.swapped =>
            {
                layer.crs = CrsInfo::format_default(g, "RFC 7946: GeoJSON is WGS84 lon/lat");
            }
            Some(g) => {
                if guess.swapped {
                    for f in &mut layer.features {
                        swap_xy(&mut f.geometry);
                    }
                }
                layer.issues.push(
                    Issue::warning(
                        None,
                        format!(
                            "no CRS in the file; guessed {}: {}",
                            g.label(),
                            guess.reason
                        ),
                    )
                    .of_kind(IssueKind::Crs),
                );
                layer.crs = CrsInfo {
                    crs: Some(g),
                    origin: CrsOrigin::Guessed(guess.reason),
                };
            }
            None => {
                return Err(IoError::invalid(
                    path_of(layer),
                    Location::File,
                    format!(
                        "unknown coordinate system: the file declares none and {}; give it with --crs EPSG:NNNN",
                        guess.reason
                    ),
                )
                .into());
            }
        },
    }
    layer.source_crs = layer.crs.clone();
    Ok(())
}

/// When the whole extent fits no CRS, a few stray features (a typo'd coordinate, a point at 999°)
/// may be to blame: if more than half of the features agree on a CRS on their own, skip the features
/// that do not (reporting each) and return the guess for the rest.
fn skip_outliers_and_guess(layer: &mut Layer) -> Option<crate::crs::Guess> {
    let own: Vec<Option<(Crs, bool)>> = layer
        .features
        .iter()
        .map(|f| {
            let g = guess_from_extent(f.geometry.bounding_rect()?);
            g.crs.map(|c| (c, g.swapped))
        })
        .collect();
    let mut tally: Vec<((Crs, bool), usize)> = Vec::new();
    for (c, swapped) in own.iter().flatten() {
        match tally.iter_mut().find(|(k, _)| k.0 == *c && k.1 == *swapped) {
            Some((_, n)) => *n += 1,
            None => tally.push(((c.clone(), *swapped), 1)),
        }
    }
    let (majority, votes) = tally.into_iter().max_by_key(|(_, n)| *n)?;
    if votes * 2 <= own.len() {
        return None;
    }
    let mut issues = Vec::new();
    let mut keep = own.iter().map(|g| g.as_ref() == Some(&majority));
    layer.features.retain(|f| {
        let kept = keep.next().unwrap_or(false);
        if !kept {
            let at = f
                .geometry
                .bounding_rect()
                .map(|r| format!(" ({:.6}, {:.6})", r.min().x, r.min().y))
                .unwrap_or_default();
            issues.push(Issue::skipped(
                Some(f.source_id),
                format!(
                    "the coordinates{at} do not fit the coordinate system of the other features ({}): a typing error or a point off the Earth",
                    majority.0.label()
                ),
            ));
        }
        kept
    });
    layer.issues.extend(issues);
    let guess = guess_from_extent(extent(layer)?);
    guess.crs.is_some().then_some(guess)
}

/// The lon/lat extent of a layer whose CRS is settled, from its corners and edge midpoints;
/// also reports coordinates that do not land on the Earth.
fn lonlat_extent(layer: &Layer) -> Option<Rect<f64>> {
    let ext = extent(layer)?;
    let crs = layer.crs.crs.as_ref()?;
    let t = Transformer::new(crs, &Crs::WGS84).ok()?;
    let (a, b) = (ext.min(), ext.max());
    let mid = ext.center();
    let samples = [
        a,
        b,
        Coord { x: a.x, y: b.y },
        Coord { x: b.x, y: a.y },
        mid,
        Coord { x: mid.x, y: a.y },
        Coord { x: mid.x, y: b.y },
        Coord { x: a.x, y: mid.y },
        Coord { x: b.x, y: mid.y },
    ];
    let pts: Vec<Coord<f64>> = samples.iter().filter_map(|c| t.coord(*c).ok()).collect();
    let first = *pts.first()?;
    let (mut lo, mut hi) = (first, first);
    for p in &pts {
        lo.x = lo.x.min(p.x);
        lo.y = lo.y.min(p.y);
        hi.x = hi.x.max(p.x);
        hi.y = hi.y.max(p.y);
    }
    Some(Rect::new(lo, hi))
}

/// Drop features whose lon/lat falls off the Earth (|lat| > 90, |lon| > 180) in a geographic layer.
fn drop_off_earth(layer: &mut Layer) {
    if !layer.crs.crs.as_ref().is_some_and(Crs::is_geographic) {
        return;
    }
    use geo::CoordsIter;
    let mut issues = Vec::new();
    layer.features.retain(|f| {
        let bad = f
            .geometry
            .coords_iter()
            .find(|c| c.x.abs() > 180.0 || c.y.abs() > 90.0);
        match bad {
            Some(c) => {
                issues.push(Issue::skipped(
                    Some(f.source_id),
                    format!(
                        "({}, {}) is not a longitude/latitude on the Earth",
                        c.x, c.y
                    ),
                ));
                false
            }
            None => true,
        }
    });
    layer.issues.extend(issues);
}

/// Reproject a layer into `target`, feature by feature in parallel; features that fail are
/// skipped and reported.
pub fn reproject(layer: &mut Layer, target: &Crs) -> Result<(), Error> {
    let Some(src) = layer.crs.crs.clone() else {
        return Err(
            IoError::invalid(path_of(layer), Location::File, "the CRS is not known").into(),
        );
    };
    // Fail early, once, when the CRS pair is not supported.
    Transformer::new(&src, target).map_err(|e| {
        Error::from(e).context(format!("reprojecting {}", path_of(layer).display()))
    })?;
    let features = std::mem::take(&mut layer.features);
    // One transformer per worker: the PROJ backend's handles are not shareable between threads.
    let results: Vec<_> = features
        .into_par_iter()
        .map_init(
            || Transformer::new(&src, target),
            |t, mut f| match t {
                Ok(t) => match t.geometry(&mut f.geometry) {
                    Ok(()) => Ok(f),
                    Err(e) => Err(Issue::skipped(
                        Some(f.source_id),
                        format!("cannot reproject: {e}"),
                    )),
                },
                Err(e) => Err(Issue::skipped(
                    Some(f.source_id),
                    format!("cannot reproject: {e}"),
                )),
            },
        )
        .collect();
    for r in results {
        match r {
            Ok(f) => layer.features.push(f),
            Err(issue) => layer.issues.push(issue),
        }
    }
    layer.crs = CrsInfo {
        crs: Some(target.clone()),
        origin: CrsOrigin::Working,
    };
    Ok(())
}

/// Move a layer read in a local system by its control-point transform, and say so (with the
/// fit's residuals; a suspect fit is said as such). A CRS the file declares is forgotten: its
/// coordinates were local, the target's CRS comes from the user or the magnitudes.
fn apply_control(layer: &mut Layer, ct: &crate::crs::ControlTransform) {
    let t = ct.fit.transform;
    for f in &mut layer.features {
        t.apply_geometry(&mut f.geometry);
    }
    if layer.crs.origin != CrsOrigin::User {
        layer.crs = CrsInfo::unknown();
    }
    let mut text = ct.describe();
    if ct.suspect() {
        text.push_str(&format!(
            "; a residual over {} m: check that point's coordinates (a typo or a swapped pair moves the whole drawing)",
            crate::crs::ControlTransform::SUSPECT_RESIDUAL_M
        ));
    }
    // Not a CRS kind: those are reported as "coordinate system guessed", and the user gave this
    // transform; it is reported with the layer's other warnings.
    layer.issues.push(Issue::warning(None, text));
}

/// Give a layer whose CRS is settled the seven-parameter datum shift to CGCS2000 the user gave
/// for its file, and say so. The shift needs the drawing's own CRS (its projection and
/// ellipsoid): a CRS guessed from magnitudes is a CGCS2000 one, so the file is refused with
/// what to give instead.
fn apply_datum_shift(layer: &mut Layer, shift: &DatumShift) -> Result<(), Error> {
    let Some(source) = layer.crs.crs.clone() else {
        // An empty layer: nothing to move.
        return Ok(());
    };
    if layer.crs.is_guessed() {
        let file = path_of(layer)
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_else(|| "FILE".into());
        return Err(IoError::invalid(
            path_of(layer),
            Location::File,
            format!(
                "a seven-parameter datum shift was given for this file, but its coordinate system was only guessed from the coordinates' magnitudes ({}), and the shift needs the drawing's own: give it, e.g. --crs-for {file}=EPSG:2385 (Xi'an 1980 3-degree Gauss-Kruger CM 120E; EPSG:2364 with zone prefix 40) or --crs-for {file}=EPSG:2437 (Beijing 1954 CM 120E; EPSG:2416 with zone prefix 40)",
                source.label()
            ),
        )
        .into());
    }
    let shifted = shift.apply_to(&source).map_err(|e| {
        Error::from(e).context(format!("the datum shift of {}", path_of(layer).display()))
    })?;
    layer
        .issues
        .push(Issue::warning(None, shift.describe(&source)));
    layer.crs.crs = Some(shifted);
    Ok(())
}

/// Read, check and reproject all `paths` (files, or folders: their data files) into one working CRS. A file that fails is reported in
/// [`Dataset::failures`] and the others still load.
pub fn load(paths: &[PathBuf], options: &LoadOptions) -> Dataset {
    let mut failures = Vec::new();
    let mut layers = Vec::new();
    for path in &super::expand_paths(paths) {
        let mut read_options = options.read.clone();
        read_options.crs = options.crs_override(path).cloned();
        if let Some(e) = options.encoding_override(path) {
            read_options.encoding = Some(e);
        }
        match read(path, &read_options) {
            Ok(ls) => layers.extend(ls),
            Err(error) => failures.push(FileFailure {
                path: path.clone(),
                error,
            }),
        }
    }
    prepare(layers, options, failures)
}

/// Settle CRSs, validate and reproject layers already read.
pub fn prepare(
    layers: Vec<Layer>,
    options: &LoadOptions,
    mut failures: Vec<FileFailure>,
) -> Dataset {
    let mut ready = Vec::new();
    // A file's population tables (a GeoPackage may hold the total and its bands): a band given
    // for the file is one table's, and cannot say which of several.
    let population_tables = |path: &Path| -> Vec<String> {
        layers
            .iter()
            .filter(|l| l.source.path == path && l.role_hint == Some(Role::Population))
            .map(|l| l.source.table.clone().unwrap_or_else(|| l.name.clone()))
            .collect()
    };
    let tables_of: Vec<(PathBuf, Vec<String>)> = layers
        .iter()
        .filter(|l| options.age_band_override(&l.source.path).is_some())
        .map(|l| (l.source.path.clone(), population_tables(&l.source.path)))
        .collect();
    for mut layer in layers {
        validate_layer(&mut layer);
        if let Some(band) = options.age_band_override(&layer.source.path) {
            let tables = tables_of
                .iter()
                .find(|(p, _)| *p == layer.source.path)
                .map_or(&[][..], |(_, t)| t.as_slice());
            if layer.role_hint == Some(Role::Population) && tables.len() > 1 {
                layer.issues.push(Issue::warning(
                    None,
                    format!(
                        "an age band ({band}) was given for this file, but it holds {} population tables ({}): not applied to any; each table's band is read from its description or its name (e.g. pop_60plus)",
                        tables.len(),
                        tables.join(", ")
                    ),
                ));
            } else if layer.role_hint == Some(Role::Population) {
                layer.age_band = Some(band);
            } else {
                layer.issues.push(Issue::warning(
                    None,
                    format!(
                        "an age band ({band}) was given for this file, but age bands are for population rasters (GeoTIFF, GeoPackage coverage): ignored"
                    ),
                ));
            }
        }
        if let Some(ct) = options.control_override(&layer.source.path) {
            apply_control(&mut layer, ct);
        }
        if layer.crs.crs.is_none()
            && let Some(c) = &options.default_crs
        {
            layer.crs = CrsInfo::user(c.clone());
        }
        let forced = options.crs_override(&layer.source.path).cloned();
        let settled = resolve_crs(&mut layer, forced.as_ref()).and_then(|()| {
            match options.datum_shift_override(&layer.source.path) {
                Some(shift) => apply_datum_shift(&mut layer, shift),
                None => Ok(()),
            }
        });
        if let Err(error) = settled {
            failures.push(FileFailure {
                path: layer.source.path.clone(),
                error,
            });
            continue;
        }
        drop_off_earth(&mut layer);
        layer.extent_lonlat = lonlat_extent(&layer);
        match options.layer_role_override(&layer.source.path, &layer.name) {
            Some(role) => layer.role = role,
            None if layer.role.is_none() => layer.role = guess_role(&layer),
            None => {}
        }
        if layer.role == Some(Role::Facilities) {
            layer.classification = Some(options.taxonomy.classify_layer(&mut layer));
        }
        ready.push(layer);
    }
    let working = options.working_crs.clone().unwrap_or_else(|| {
        let centre = town_centre(&ready);
        working_crs_for(centre.x, centre.y)
    });
    let mut layers = Vec::new();
    for mut layer in ready {
        if layer.features.is_empty() {
            let skipped = layer.skipped_count();
            layer.issues.push(Issue::warning(
                None,
                if skipped > 0 {
                    format!(
                        "the layer is empty: all {skipped} features were skipped (see the warnings above); fix them or re-export the file"
                    )
                } else {
                    "the layer is empty: it has no features, check that this is the right file or table".to_string()
                },
            ));
            layer.crs = CrsInfo {
                crs: Some(working.clone()),
                origin: CrsOrigin::Working,
            };
            layers.push(layer);
            continue;
        }
        match reproject(&mut layer, &working) {
            Ok(()) => layers.push(layer),
            Err(error) => failures.push(FileFailure {
                path: layer.source.path.clone(),
                error,
            }),
        }
    }
    Dataset {
        working_crs: working,
        layers,
        failures,
    }
}

/// The centre of the town in lon/lat: the centre of the boundary (镇域) layers' extent when there
/// is one, else of all extents.
fn town_centre(layers: &[Layer]) -> Coord<f64> {
    let boundary: Vec<Rect<f64>> = layers
        .iter()
        .filter(|l| l.role == Some(Role::Boundary))
        .filter_map(|l| l.extent_lonlat)
        .collect();
    let extents: Vec<Rect<f64>> = if boundary.is_empty() {
        layers.iter().filter_map(|l| l.extent_lonlat).collect()
    } else {
        boundary
    };
    let Some(first) = extents.first() else {
        return Coord { x: 120.0, y: 30.0 };
    };
    let all = extents.iter().copied().fold(*first, union_rect);
    all.center()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::io::geojson;
    use crate::model::AttrValue;

    fn layer(json: &str) -> Layer {
        geojson::read_bytes(
            Path::new("t.geojson"),
            json.as_bytes(),
            &ReadOptions::default(),
        )
        .expect("read")
    }

    #[test]
    fn guesses_gk_and_reprojects_to_working() {
        let l = layer(
            r#"{"type":"FeatureCollection","features":[
            {"type":"Feature","properties":{},"geometry":{"type":"Point","coordinates":[500000,3320113.398]}},
            {"type":"Feature","properties":{},"geometry":{"type":"Point","coordinates":[510000,3330000]}}]}"#,
        );
        let ds = prepare(vec![l], &LoadOptions::default(), vec![]);
        assert_eq!(ds.working_crs, Crs::Epsg(4549));
        let l = &ds.layers[0];
        assert!(l.source_crs.is_guessed());
        let ext = l.extent_lonlat.expect("extent");
        assert!(
            (ext.min().x - 120.0).abs() < 1e-6 && (ext.min().y - 30.0).abs() < 1e-3,
            "{ext:?}"
        );
        // Already in the working CRS: coordinates unchanged.
        match l.features[0].geometry {
            Geometry::Point(p) => assert!((p.x() - 500_000.0).abs() < 1e-6),
            _ => panic!(),
        }
    }

    #[test]
    fn swapped_lat_lon_is_fixed() {
        let l = layer(
            r#"{"type":"FeatureCollection","features":[
            {"type":"Feature","properties":{},"geometry":{"type":"Point","coordinates":[30.2,120.1]}}]}"#,
        );
        let ds = prepare(vec![l], &LoadOptions::default(), vec![]);
        let l = &ds.layers[0];
        let ext = l.extent_lonlat.expect("extent");
        assert!((ext.min().x - 120.1).abs() < 1e-9, "{ext:?}");
        assert!(
            l.issues
                .iter()
                .any(|i| i.message.contains("latitude first"))
        );
    }

    #[test]
    fn unknown_crs_is_a_failure_naming_the_file() {
        let l = layer(
            r#"{"type":"FeatureCollection","features":[
            {"type":"Feature","properties":{},"geometry":{"type":"Point","coordinates":[1e12,1e12]}}]}"#,
        );
        let ds = prepare(vec![l], &LoadOptions::default(), vec![]);
        assert!(ds.layers.is_empty());
        let msg = ds.failures[0].error.to_string();
        assert!(msg.contains("t.geojson") && msg.contains("--crs"), "{msg}");
    }

    #[test]
    fn wrong_declared_crs_is_overridden_with_a_warning() {
        let l = layer(
            r#"{"type":"FeatureCollection","crs":{"type":"name","properties":{"name":"EPSG:4326"}},"features":[
            {"type":"Feature","properties":{},"geometry":{"type":"Point","coordinates":[500000,3320113]}}]}"#,
        );
        let ds = prepare(vec![l], &LoadOptions::default(), vec![]);
        let l = &ds.layers[0];
        assert_eq!(l.source_crs.crs, Some(Crs::Epsg(4549)));
        assert!(l.issues.iter().any(|i| i.message.contains("do not fit")));
    }

    #[test]
    fn off_earth_feature_is_skipped_not_the_layer() {
        let l = layer(
            r#"{"type":"FeatureCollection","crs":{"type":"name","properties":{"name":"EPSG:4326"}},"features":[
            {"type":"Feature","properties":{},"geometry":{"type":"Point","coordinates":[120.1,30.2]}},
            {"type":"Feature","properties":{},"geometry":{"type":"Point","coordinates":[120.1,95.0]}}]}"#,
        );
        let ds = prepare(vec![l], &LoadOptions::default(), vec![]);
        let l = &ds.layers[0];
        assert_eq!(l.features.len(), 1);
        assert_eq!(l.skipped_count(), 1);
    }

    #[test]
    fn an_encoding_given_for_one_file_is_used_for_it_only() {
        let tmp = tempfile::tempdir().unwrap();
        let text = "name,lon,lat\n清溪镇卫生院,120.0,30.0\n";
        let (a, b) = (tmp.path().join("a.csv"), tmp.path().join("b.csv"));
        std::fs::write(&a, text).unwrap();
        std::fs::write(&b, text).unwrap();
        let options = LoadOptions {
            encoding_for: vec![(a.display().to_string(), encoding_rs::GBK)],
            ..LoadOptions::default()
        };
        let ds = load(&[a.clone(), b.clone()], &options);
        let name = |p: &Path| {
            let l = ds.layers.iter().find(|l| l.source.path == p).unwrap();
            let f = &l.features[0];
            l.attr(f, "name")
                .and_then(AttrValue::as_text)
                .map(|t| t.into_owned())
        };
        // UTF-8 bytes read as GBK: not the name; the other file is read right.
        assert_eq!(name(&b).as_deref(), Some("清溪镇卫生院"));
        assert_ne!(name(&a).as_deref(), Some("清溪镇卫生院"));
        let l = ds.layers.iter().find(|l| l.source.path == a).unwrap();
        assert!(
            l.source.encoding.as_deref().unwrap_or("").contains("GBK"),
            "{:?}",
            l.source.encoding
        );
    }
}
