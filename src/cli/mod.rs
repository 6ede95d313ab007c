//! The command-line layer: one file per subcommand, and what they share (reading flags into
//! load options, loading a town's files with roles). `main.rs` holds the flags and the dispatch.

pub mod analyze;
pub mod batch;
pub mod convert;
pub mod coverage;
pub mod demo_town;
pub mod info;
pub mod project;
pub mod suggest;

use std::path::{Path, PathBuf};

use anyhow::{Context, bail};
use clap::Args;

use towncircle::crs::Crs;
use towncircle::io::{Clip, Dataset, LoadOptions, encoding::encoding_from_label, load};
use towncircle::model::{AgeBand, QualityRecord, Role, Taxonomy};

/// Options for reading files, shared by the subcommands.
#[derive(Debug, Args)]
pub struct InputArgs {
    /// Coordinate system of files that declare none (instead of guessing from magnitudes):
    /// EPSG:4549, 4528, WGS84, CGCS2000, GCJ-02 (Amap/Tencent), BD-09 (Baidu), or a PROJ string.
    #[arg(long, value_name = "CRS")]
    crs: Option<String>,
    /// Coordinate system of one file, overriding what it declares: FILE=CRS, e.g.
    /// --crs-for 设施点.csv=gcj02 (FILE is a file name or path). Repeatable.
    #[arg(long, value_name = "FILE=CRS")]
    crs_for: Vec<String>,
    /// Text encoding of DBF/CSV attributes when the files do not say: UTF-8, GBK, GB18030.
    #[arg(long, value_name = "ENCODING")]
    encoding: Option<String>,
    /// A facility taxonomy file replacing the built-in one (copy assets/categories.toml).
    #[arg(long, value_name = "FILE")]
    categories: Option<PathBuf>,
    /// CAD layer rules for DXF drawings (layer name patterns → roles and facility categories),
    /// tried before the built-in ones (copy assets/cad-layers.toml).
    #[arg(long, value_name = "FILE")]
    cad_layers: Option<PathBuf>,
    /// Keep only OSM features in this lon/lat box: MIN_LON,MIN_LAT,MAX_LON,MAX_LAT.
    #[arg(long, value_name = "BBOX", allow_hyphen_values = true)]
    clip_bbox: Option<String>,
    /// A population raster (GeoTIFF; a GeoPackage: all its coverages) of one age band:
    /// BAND=FILE, e.g. --age-band 60+=老年人口.tif (bands 60+, 3-5, 6-14, …; FILE is a path,
    /// added to the inputs, or the name of an input file). Beats the raster's description and
    /// file name. Repeatable.
    #[arg(long, value_name = "BAND=FILE")]
    age_band: Vec<String>,
    /// A drawing in a local (独立) coordinate system moved by control points: FILE=POINTS, e.g.
    /// --control-points 规划.dxf=控制点.csv. POINTS is a CSV with columns local_x, local_y, x, y
    /// (the drawing's coordinates, then the target CRS's; Chinese headers 本地X 本地Y 目标X 目标Y
    /// work too); a four-parameter transform is fitted to two or more points and its residuals
    /// are reported. Give the target CRS with --crs-for FILE=EPSG:4549 or let the magnitudes
    /// tell. Repeatable.
    #[arg(long, value_name = "FILE=POINTS")]
    control_points: Vec<String>,
    /// A drawing in Xi'an 1980 or Beijing 1954 moved to CGCS2000 by the surveying bureau's
    /// seven parameters (七参数): FILE=dx,dy,dz,rx,ry,rz,ppm[,cf|pv], e.g. --datum-shift
    /// 规划.dxf=-62.312,103.887,71.451,1.2431,-2.0476,3.1592,-2.817 (shifts in m, rotations
    /// in arc-seconds, scale change in ppm; rotations in the coordinate-frame convention of
    /// the Chinese standard unless ,pv says position vector as PROJ's +towgs84). Combined with
    /// the file's own CRS: give it with --crs-for FILE=EPSG:2385 (Xi'an 1980 CM 120E) when the
    /// file does not declare it. Repeatable.
    #[arg(long, value_name = "FILE=PARAMETERS", allow_hyphen_values = true)]
    datum_shift: Vec<String>,
}

/// `--age-band BAND=FILE` (FILE=BAND is taken too) as (file, band).
pub(crate) fn parse_age_band(item: &str) -> anyhow::Result<(String, AgeBand)> {
    let Some((a, b)) = item.split_once('=') else {
        bail!("--age-band {item}: expected BAND=FILE, e.g. 60+=pop_elderly.tif");
    };
    match (AgeBand::parse(a), AgeBand::parse(b)) {
        (Ok(band), _) => Ok((b.to_string(), band)),
        (Err(_), Ok(band)) if !Path::new(a).is_dir() => Ok((a.to_string(), band)),
        (Err(e), _) => bail!("--age-band {item}: {e}"),
    }
}

/// `--datum-shift FILE=dx,dy,dz,rx,ry,rz,ppm[,cf|pv]` items as (file, shift); a bad one names
/// itself and what is wrong.
pub(crate) fn parse_datum_shifts(
    items: &[String],
) -> anyhow::Result<Vec<(String, towncircle::crs::DatumShift)>> {
    items
        .iter()
        .map(|item| {
            let Some((file, params)) = item.split_once('=') else {
                bail!(
                    "--datum-shift {item}: expected FILE=dx,dy,dz,rx,ry,rz,ppm, e.g. plan.dxf=-62.3,103.9,71.5,1.24,-2.05,3.16,-2.8"
                );
            };
            let shift = towncircle::crs::DatumShift::parse(params)
                .with_context(|| format!("--datum-shift {item}"))?;
            Ok((file.to_string(), shift))
        })
        .collect()
}

impl InputArgs {
    /// Validate the raw flags once into load options.
    pub fn load_options(&self) -> anyhow::Result<LoadOptions> {
        let mut options = LoadOptions {
            taxonomy: Taxonomy::default(),
            ..LoadOptions::default()
        };
        self.overlay(&mut options)?;
        Ok(options)
    }

    /// Put the flags that were given over `options` (a project's): the command line wins.
    /// `--encoding` then applies to every file, `--crs-for` beats the project's CRS of a file.
    pub fn overlay(&self, options: &mut LoadOptions) -> anyhow::Result<()> {
        if let Some(text) = &self.crs {
            options.default_crs = Some(Crs::parse(text).with_context(|| format!("--crs {text}"))?);
        }
        let mut crs_for = Vec::new();
        for item in &self.crs_for {
            let Some((file, crs_text)) = item.split_once('=') else {
                bail!("--crs-for {item}: expected FILE=CRS, e.g. pois.csv=gcj02");
            };
            let c = Crs::parse(crs_text).with_context(|| format!("--crs-for {item}"))?;
            crs_for.push((file.to_string(), c));
        }
        // First match wins: the command line's before the project's.
        crs_for.append(&mut options.crs_for);
        options.crs_for = crs_for;
        if let Some(label) = &self.encoding {
            match encoding_from_label(label) {
                Some(e) => {
                    options.read.encoding = Some(e);
                    options.encoding_for.clear();
                }
                None => bail!("--encoding {label}: unknown encoding (use UTF-8, GBK or GB18030)"),
            }
        }
        if let Some(path) = &self.categories {
            options.taxonomy = Taxonomy::from_file(path)?;
        }
        if let Some(path) = &self.cad_layers {
            // Checked here, so that a bad rules file stops the run before any file is read.
            towncircle::io::dxf::CadLayerMap::with_user_file(path)
                .with_context(|| format!("--cad-layers {}", path.display()))?;
            options.read.cad_layers = Some(path.clone());
        }
        let mut age_band_for = Vec::new();
        for item in &self.age_band {
            let (file, band) = parse_age_band(item)?;
            let path = Path::new(&file);
            let bare_name = path.components().count() == 1;
            if !path.is_file() && !bare_name {
                bail!("--age-band {item}: no such file: {file}");
            }
            age_band_for.push((file, band));
        }
        age_band_for.append(&mut options.age_band_for);
        options.age_band_for = age_band_for;
        let mut control_for = Vec::new();
        for item in &self.control_points {
            let Some((file, points)) = item.split_once('=') else {
                bail!("--control-points {item}: expected FILE=POINTS, e.g. plan.dxf=control.csv");
            };
            // Fitted here, so that a bad control-point file stops the run before any file is read.
            let ct = towncircle::crs::ControlTransform::from_file(Path::new(points))
                .with_context(|| format!("--control-points {item}"))?;
            control_for.push((file.to_string(), ct));
        }
        control_for.append(&mut options.control_for);
        options.control_for = control_for;
        let mut datum_shift_for = parse_datum_shifts(&self.datum_shift)?;
        datum_shift_for.append(&mut options.datum_shift_for);
        options.datum_shift_for = datum_shift_for;
        if let Some(text) = &self.clip_bbox {
            let v: Vec<f64> = text
                .split(',')
                .map(|s| s.trim().parse::<f64>())
                .collect::<Result<_, _>>()
                .with_context(|| format!("--clip-bbox {text}: expected four numbers"))?;
            let [a, b, c, d] = v[..] else {
                bail!("--clip-bbox {text}: expected MIN_LON,MIN_LAT,MAX_LON,MAX_LAT");
            };
            if !(a < c && b < d) {
                bail!("--clip-bbox {text}: the minimum must be below the maximum");
            }
            options.read.clip = Some(Clip::BBox(geo_types::Rect::new(
                geo_types::coord! {x: a, y: b},
                geo_types::coord! {x: c, y: d},
            )));
        }
        Ok(())
    }
}

pub(crate) fn same_file(a: &Path, b: &Path) -> bool {
    a == b
        || match (a.canonicalize(), b.canonicalize()) {
            (Ok(x), Ok(y)) => x == y,
            _ => false,
        }
}

/// Load files (folders expand to their data files) and set roles: roles given on the command
/// line (`flagged`) win over the guess. A multi-layer file (an OSM extract) given for one role
/// contributes only its layers of that role. Shared by `coverage` and `analyze`.
pub(crate) fn load_town(
    paths: &[PathBuf],
    flagged: &[(&PathBuf, Role)],
    options: &LoadOptions,
) -> Dataset {
    // Files given only by `--age-band BAND=FILE` are inputs too.
    let mut paths = paths.to_vec();
    let expanded = towncircle::io::expand_paths(&paths);
    for (file, _) in &options.age_band_for {
        let p = PathBuf::from(file);
        if p.is_file() && !expanded.iter().any(|e| same_file(e, &p)) {
            paths.push(p);
        }
    }
    let mut ds = load(&paths, options);
    for (file, band) in &options.age_band_for {
        let named = |l: &towncircle::model::Layer| {
            same_file(Path::new(file), &l.source.path)
                || l.source
                    .path
                    .file_name()
                    .map(|n| n.to_string_lossy().into_owned())
                    == Some(file.clone())
        };
        if !ds.layers.iter().any(named)
            && !ds
                .failures
                .iter()
                .any(|f| same_file(Path::new(file), &f.path))
        {
            eprintln!("warning: --age-band {band}={file}: no input file of that name; ignored");
        }
    }
    for layer in &mut ds.layers {
        let Some((_, role)) = flagged
            .iter()
            .find(|(p, _)| same_file(p, &layer.source.path))
        else {
            continue;
        };
        let role = if *role == Role::Buildings && layer.role == Some(Role::Villages) {
            Role::Villages
        } else {
            *role
        };
        if layer.role_hint.is_some_and(|h| h != role) {
            layer.role = None;
            continue;
        }
        layer.role = Some(role);
        if role == Role::Facilities && layer.classification.is_none() {
            layer.classification = Some(options.taxonomy.classify_layer(layer));
        }
    }
    ds
}

/// The data-quality records on the console: the ones that lose features first, marked `!!`,
/// each with its file, what happened, the reader's first messages and what to do.
pub(crate) fn print_quality(records: &[QualityRecord], zh: bool) {
    if records.is_empty() {
        println!(
            "{}",
            if zh {
                "数据质量：所有输入完整读取，无推测"
            } else {
                "data quality: every input read whole, nothing guessed"
            }
        );
        return;
    }
    let mut sorted: Vec<&QualityRecord> = records.iter().collect();
    sorted.sort_by_key(|r| (!r.loses_features, r.kind));
    let lost = sorted.iter().filter(|r| r.loses_features).count();
    println!(
        "{} ({} {}, {} {})",
        if zh { "数据质量" } else { "data quality" },
        records.len(),
        if zh { "项" } else { "finding(s)" },
        lost,
        if zh {
            "项有要素未读入"
        } else {
            "with features not read"
        }
    );
    for r in sorted {
        let mark = if r.loses_features { "!!" } else { "  " };
        let place = r.place();
        let sep = if place.is_empty() { "" } else { ": " };
        println!("{mark} [{}] {place}{sep}{}", r.kind.label(zh), r.what(zh));
        for d in r.details.iter().take(3) {
            println!("       {d}");
        }
        println!("       → {}", r.action(zh));
    }
}
