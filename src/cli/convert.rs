//! `towncircle convert`: write features with their attributes in another CRS and format
//! (坐标纠偏): an Amap POI table in GCJ-02 to CGCS2000 shapefiles for CAD/GIS, a town's
//! shapefiles into one GeoPackage, anything to WGS84 GeoJSON.
//!
//! `--crs` is the OUTPUT coordinate system here; the input side has its own flags
//! (`--from-crs`, `--crs-for`, `--input-encoding`), and the library's reader messages are shown
//! with those names.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{Context, bail};
use clap::Args;
use encoding_rs::{Encoding, GB18030, GBK, UTF_8};

use towncircle::crs::{Crs, CrsOrigin};
use towncircle::io::convert::{OutputFormat, write};
use towncircle::io::encoding::encoding_from_label;
use towncircle::io::{expand_paths, load};
use towncircle::model::Layer;

use super::InputArgs;

#[derive(Debug, Args)]
pub struct ConvertArgs {
    /// Input files or folders (.shp, .geojson, .gpkg, .osm.pbf, .csv, .xlsx); every layer of
    /// every file is written.
    #[arg(required = true, value_name = "IN")]
    inputs: Vec<PathBuf>,
    /// The output file; .gpkg, .geojson or .shp (the extension chooses the format).
    ///
    /// .gpkg: one GeoPackage holding every layer, one table each. .shp or .geojson hold one
    /// layer per file: a single input layer is written to OUT itself, several each to
    /// OUT's stem + "_" + the layer name beside it (--to out/镇.shp gives out/镇_道路.shp,
    /// out/镇_建筑.shp, ...). Existing files of those names are replaced (a .gpkg as a whole).
    /// Everything is written to temporary files first and moved into place only when every
    /// output succeeded; on an error nothing is changed.
    #[arg(long, value_name = "OUT")]
    to: PathBuf,
    /// The OUTPUT coordinate system, e.g. EPSG:4549, CGCS2000, WGS84, GCJ-02, BD-09.
    ///
    /// EPSG:4549 is CGCS2000 3-degree Gauss-Kruger CM 120E (Zhejiang's usual one), EPSG:4528 the
    /// same with zone prefix 40, CGCS2000 is EPSG:4490 lon/lat, GCJ-02 is Amap/Tencent's and
    /// BD-09 Baidu's lon/lat; also any EPSG code towncircle knows or a PROJ string. Default for
    /// .gpkg and .shp: the CGCS2000 3-degree Gauss-Kruger zone of the data's centre (UTM outside
    /// China), the CRS the analysis works in — EPSG:4549 for most of Zhejiang. Default for
    /// .geojson: WGS84, the only CRS RFC 7946 allows (another one is written with the legacy
    /// "crs" member, which GDAL and QGIS read and web maps ignore).
    #[arg(long, value_name = "CRS")]
    crs: Option<String>,
    /// Encoding of the .dbf for .shp output: GBK (default), GB18030 or UTF-8; a .cpg is always
    /// written.
    ///
    /// GBK is the default because ArcMap, AutoCAD Map 3D, CASS and MapGIS on Chinese Windows read
    /// a DBF in the system code page (936 = GBK) and several of them ignore the .cpg, while
    /// ArcGIS Pro and QGIS follow the .cpg and the DBF's language driver: GBK reads right in all
    /// of them. Choose UTF-8 only for tools known to want it. Characters GBK cannot hold are
    /// reported. GeoPackage and GeoJSON are always UTF-8 (the flag is refused for them).
    #[arg(long, value_name = "ENCODING")]
    encoding: Option<String>,
    /// INPUT coordinate system of files that declare none, e.g. GCJ-02 for an Amap export.
    ///
    /// Applies to files without a CRS of their own (a CSV without 高德/GCJ/百度/WGS84 in a column
    /// or file name, a shapefile without .prj), instead of guessing from coordinate magnitudes.
    /// Files that declare a CRS keep it; use --crs-for to override one.
    #[arg(long, value_name = "CRS")]
    from_crs: Option<String>,
    /// INPUT coordinate system of one file, overriding what it declares: FILE=CRS, e.g.
    /// --crs-for 设施点.csv=gcj02 (FILE is a file name or path). Repeatable.
    #[arg(long, value_name = "FILE=CRS")]
    crs_for: Vec<String>,
    /// INPUT datum of one file: the surveying bureau's seven parameters (七参数) from Xi'an 1980
    /// or Beijing 1954 to CGCS2000, FILE=dx,dy,dz,rx,ry,rz,ppm[,cf|pv].
    ///
    /// Shifts in metres, rotations in arc-seconds, the scale change in ppm; the rotations are
    /// taken in the coordinate-frame convention of the Chinese standard (CH/T 2014-2016,
    /// ArcGIS "Coordinate Frame") unless ,pv says position vector (PROJ's +towgs84, ArcGIS
    /// "Position Vector"). Combined with the file's own CRS: give it with --crs-for, e.g.
    /// --crs-for 规划.dxf=EPSG:2385 (Xi'an 1980 3-degree Gauss-Kruger CM 120E). Repeatable.
    #[arg(long, value_name = "FILE=PARAMETERS", allow_hyphen_values = true)]
    datum_shift: Vec<String>,
    /// INPUT text encoding of DBF/CSV attributes, overriding the .cpg and detection: UTF-8, GBK
    /// or GB18030.
    ///
    /// Without it: the .cpg, else the DBF language driver, else UTF-8 when the bytes are valid
    /// UTF-8, else GBK; a guess is reported.
    #[arg(long, value_name = "ENCODING")]
    input_encoding: Option<String>,
    /// Keep only OSM features in this lon/lat box: MIN_LON,MIN_LAT,MAX_LON,MAX_LAT.
    #[arg(long, value_name = "BBOX", allow_hyphen_values = true)]
    clip_bbox: Option<String>,
}

/// The validated flags.
struct Plan {
    format: OutputFormat,
    target: Option<Crs>,
    dbf_encoding: &'static Encoding,
}

fn plan(args: &ConvertArgs) -> anyhow::Result<Plan> {
    let out = &args.to;
    let Some(format) = OutputFormat::from_path(out) else {
        let ext = out
            .extension()
            .map(|e| format!("\".{}\"", e.to_string_lossy()))
            .unwrap_or_else(|| "(none)".into());
        bail!(
            "--to {}: unknown output format {ext}; use .gpkg (every layer in one file), .geojson or .shp",
            out.display()
        );
    };
    if out.is_dir() {
        bail!(
            "--to {}: this is a folder; give a file name such as {}",
            out.display(),
            out.join("town.gpkg").display()
        );
    }
    let target = match &args.crs {
        Some(text) => Some(Crs::parse(text).with_context(|| format!("--crs {text}"))?),
        None if format == OutputFormat::GeoJson => Some(Crs::WGS84),
        None => None,
    };
    let dbf_encoding = match (&args.encoding, format) {
        (None, _) => GBK,
        (Some(label), OutputFormat::Shapefile) => match encoding_from_label(label) {
            Some(e) if e == GBK || e == GB18030 || e == UTF_8 => e,
            _ => bail!("--encoding {label}: a .dbf is written in GBK, GB18030 or UTF-8"),
        },
        (Some(label), other) => bail!(
            "--encoding {label}: the output encoding applies to .shp only; {} is always UTF-8 (for the input files' encoding use --input-encoding)",
            other.label()
        ),
    };
    Ok(Plan {
        format,
        target,
        dbf_encoding,
    })
}

/// A reader's message with the input-side flag names of `convert` (the library says `--crs`
/// and `--encoding`, which are the output side here).
fn with_input_flags(message: &str, file_name: &str) -> String {
    let declared = message.contains("the file says") || message.contains("cannot transform");
    let crs_flag = if declared {
        format!("--crs-for {file_name}=CRS")
    } else {
        "--from-crs".to_string()
    };
    let mut out = String::with_capacity(message.len() + 16);
    let mut rest = message;
    while let Some(i) = rest.find("--") {
        out.push_str(&rest[..i]);
        let tail = &rest[i..];
        if let Some(after) = tail.strip_prefix("--crs")
            && !after.starts_with('-')
        {
            out.push_str(&crs_flag);
            rest = after;
        } else if let Some(after) = tail.strip_prefix("--encoding") {
            out.push_str("--input-encoding");
            rest = after;
        } else {
            out.push_str("--");
            rest = &tail[2..];
        }
    }
    out.push_str(rest);
    out
}

/// `EPSG:4549 (CGCS2000 / 3-degree Gauss-Kruger CM 120E)`, `GCJ-02 (Amap/Tencent ...)`.
fn crs_text(crs: &Crs) -> String {
    let (label, description) = (crs.label(), crs.description());
    if description.starts_with(&label) {
        description
    } else {
        format!("{label} ({description})")
    }
}

fn features(n: usize) -> String {
    if n == 1 {
        "1 feature".into()
    } else {
        format!("{n} features")
    }
}

fn file_label(layer: &Layer) -> String {
    let table = layer
        .source
        .table
        .as_deref()
        .map(|t| format!(" [{t}]"))
        .unwrap_or_default();
    format!("{}{table}", layer.source.path.display())
}

fn file_name(path: &Path) -> String {
    path.file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| path.display().to_string())
}

fn origin_text(origin: &CrsOrigin) -> String {
    match origin {
        CrsOrigin::Declared(how) => format!("declared: {how}"),
        CrsOrigin::FormatDefault(why) => why.clone(),
        CrsOrigin::Guessed(why) => format!("GUESSED: {why}"),
        CrsOrigin::User => "given with --from-crs/--crs-for".into(),
        CrsOrigin::Working => "reprojected".into(),
        CrsOrigin::Unknown => "unknown".into(),
    }
}

/// Every reader warning, the CRS and the encoding of each layer, on stderr with the file name.
fn report_layer(layer: &Layer) {
    let label = file_label(layer);
    let name = file_name(&layer.source.path);
    let crs = layer
        .source_crs
        .crs
        .as_ref()
        .map(Crs::label)
        .unwrap_or_else(|| "unknown".into());
    eprintln!(
        "{label}: {}, CRS {crs} ({}){}",
        features(layer.features.len()),
        origin_text(&layer.source_crs.origin),
        layer
            .source
            .encoding
            .as_deref()
            .map(|e| format!(", encoding {e}"))
            .unwrap_or_default()
    );
    if let Some(e) = layer.source.encoding.as_deref()
        && (e.contains("guessed") || e.contains("detected"))
    {
        eprintln!(
            "{label}: warning: the text encoding was guessed ({e}); give --input-encoding if names look garbled"
        );
    }
    for issue in &layer.issues {
        // The POI reader assumes WGS84 before --from-crs is applied (in `load`); once the user
        // gave the CRS that note is wrong, so it is not shown.
        if layer.source_crs.origin == CrsOrigin::User
            && issue.message.starts_with("coordinates assumed WGS84")
        {
            continue;
        }
        eprintln!("{label}: {}", with_input_flags(&issue.to_string(), &name));
    }
}

pub fn run(args: ConvertArgs) -> anyhow::Result<ExitCode> {
    let plan = plan(&args)?;
    let mut options = InputArgs {
        crs: None,
        crs_for: args.crs_for.clone(),
        encoding: None,
        categories: None,
        cad_layers: None,
        clip_bbox: args.clip_bbox.clone(),
        age_band: Vec::new(),
        control_points: Vec::new(),
        datum_shift: args.datum_shift.clone(),
    }
    .load_options()
    // Only --crs-for, --datum-shift and --clip-bbox can fail here: the CRS advice is about
    // --crs-for.
    .map_err(|e| {
        anyhow::anyhow!(format!("{e:#}").replace(
            "give it with --crs EPSG:NNNN",
            "give it as FILE=EPSG:NNNN, e.g. --crs-for pois.csv=EPSG:4549"
        ))
    })?;
    if let Some(text) = &args.from_crs {
        match Crs::parse(text) {
            Ok(c) => options.default_crs = Some(c),
            Err(e) => bail!(
                "--from-crs {text}: {}",
                with_input_flags(&e.to_string(), "FILE")
            ),
        }
    }
    if let Some(label) = &args.input_encoding {
        match encoding_from_label(label) {
            Some(e) => options.read.encoding = Some(e),
            None => {
                bail!("--input-encoding {label}: unknown encoding (use UTF-8, GBK or GB18030)")
            }
        }
    }
    options.working_crs = plan.target.clone();
    for p in &args.inputs {
        if !p.exists() {
            bail!(
                "{}: no such file or folder; nothing was written",
                p.display()
            );
        }
        if p.is_dir() && expand_paths(std::slice::from_ref(p)).is_empty() {
            bail!(
                "{}: the folder holds no data files (.shp, .geojson, .gpkg, .osm.pbf, .csv, .xlsx); nothing was written",
                p.display()
            );
        }
    }

    let ds = load(&args.inputs, &options);
    for layer in &ds.layers {
        report_layer(layer);
    }
    if !ds.failures.is_empty() {
        let list: Vec<String> = ds
            .failures
            .iter()
            .map(|f| {
                format!(
                    "  {}",
                    with_input_flags(&f.error.to_string(), &file_name(&f.path))
                )
            })
            .collect();
        bail!(
            "{} of the input files could not be read, so nothing was written:\n{}\nfix or remove them and run again",
            ds.failures.len(),
            list.join("\n")
        );
    }
    if ds.layers.is_empty() {
        bail!("the inputs hold no layers; nothing was written");
    }
    if args.crs.is_none() {
        let why = if plan.format == OutputFormat::GeoJson {
            "GeoJSON's own CRS (RFC 7946)"
        } else {
            "the metric zone of the data's centre (CGCS2000 Gauss-Kruger in China)"
        };
        eprintln!(
            "no --crs given: writing in {}, {why}",
            crs_text(&ds.working_crs)
        );
    }
    let layers: Vec<&Layer> = ds.layers.iter().collect();
    let outcome = write(&args.to, plan.format, &layers, plan.dbf_encoding)
        .with_context(|| format!("writing {}", args.to.display()))?;
    for s in &outcome.skipped {
        eprintln!("{}: warning: {s}", args.to.display());
    }
    for w in &outcome.written {
        for warning in &w.warnings {
            eprintln!("{}: warning: {warning}", w.path.display());
        }
    }
    let encoding_note = if plan.format == OutputFormat::Shapefile {
        format!(", attributes in {} (.cpg)", plan.dbf_encoding.name())
    } else {
        String::new()
    };
    let crs = crs_text(&ds.working_crs);
    for w in &outcome.written {
        println!(
            "wrote {} ({}, layer \"{}\", {}) in {crs}{encoding_note}",
            w.path.display(),
            plan.format.label(),
            w.layer,
            features(w.features),
        );
    }
    Ok(ExitCode::SUCCESS)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reader_messages_name_the_input_flags() {
        assert_eq!(
            with_input_flags(
                "coordinates assumed WGS84 ...: give --crs GCJ02 or BD09, else ...",
                "p.csv"
            ),
            "coordinates assumed WGS84 ...: give --from-crs GCJ02 or BD09, else ..."
        );
        assert_eq!(
            with_input_flags(
                "the file says EPSG:4326 but ...; check the .prj or give --crs",
                "道路.shp"
            ),
            "the file says EPSG:4326 but ...; check the .prj or give --crs-for 道路.shp=CRS"
        );
        assert_eq!(
            with_input_flags("give --encoding if garbled; --crs-for stays", "x"),
            "give --input-encoding if garbled; --crs-for stays"
        );
    }
}
