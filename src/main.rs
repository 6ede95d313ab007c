//! The towncircle binary: the desktop app when run bare, CLI subcommands otherwise.
#![deny(clippy::unwrap_used)]

mod cli_analyze;
mod cli_coverage;

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{Context, bail};
use clap::{Args, Parser, Subcommand};

use towncircle::crs::Crs;
use towncircle::io::{Clip, LoadOptions, ReadOptions, encoding::encoding_from_label, load};
use towncircle::model::Taxonomy;
use towncircle::report::info::{InfoSummary, summarise};

/// 镇村生活圈规划助手 — town living-circle planning for Zhejiang's Beautiful Towns.
#[derive(Debug, Parser)]
#[command(
    name = "towncircle",
    version,
    about,
    long_about = None,
    args_conflicts_with_subcommands = true
)]
struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
    /// Data files or folders to open in the desktop app (bare `towncircle` opens the demo town).
    #[arg(value_name = "FILE")]
    files: Vec<PathBuf>,
    /// Desktop app: export the map view of FILE... as a PNG once loaded, then quit.
    #[arg(long, value_name = "PNG")]
    export_png: Option<PathBuf>,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Describe data files: format, geometry, features, CRS, encoding, extent, role, categories.
    Info(InfoArgs),
    /// Travel times to the nearest facility of each category and the population covered at each
    /// tier (5/15/30 min), on the road network (JSON documented in README.md).
    Coverage(Box<cli_coverage::CoverageArgs>),
    /// The whole analysis of a town (coverage per tier, the ten ones, gaps) written as
    /// report.html, results.xlsx, results.gpkg and summary.json into --out DIR.
    Analyze(Box<cli_analyze::AnalyzeArgs>),
    /// Write the synthetic demo town 清溪镇 (GBK shapefiles in EPSG:4549, an Amap-style POI CSV in
    /// GCJ-02, GeoJSON) into a folder; the same generator and seed made sample-maps/qingxi-demo-town.
    DemoTown(DemoTownArgs),
}

#[derive(Debug, Args)]
struct DemoTownArgs {
    /// The folder to write into (created when missing).
    #[arg(value_name = "DIR")]
    out: PathBuf,
    /// Random seed; the bundled sample uses the default.
    #[arg(long, default_value_t = towncircle::demo::DEFAULT_SEED)]
    seed: u64,
}

/// Options for reading files, shared by the subcommands.
#[derive(Debug, Args)]
struct InputArgs {
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
    /// Keep only OSM features in this lon/lat box: MIN_LON,MIN_LAT,MAX_LON,MAX_LAT.
    #[arg(long, value_name = "BBOX", allow_hyphen_values = true)]
    clip_bbox: Option<String>,
}

#[derive(Debug, Args)]
struct InfoArgs {
    /// Files to describe (.shp, .geojson, .gpkg, .osm.pbf, .csv, .xlsx).
    #[arg(required = true)]
    files: Vec<PathBuf>,
    #[command(flatten)]
    input: InputArgs,
    /// Print JSON (documented in README.md) instead of text.
    #[arg(long)]
    json: bool,
    /// How many warnings to print per layer in text output.
    #[arg(long, default_value_t = 8)]
    max_warnings: usize,
}

impl InputArgs {
    /// Validate the raw flags once into load options.
    fn load_options(&self) -> anyhow::Result<LoadOptions> {
        let crs = match &self.crs {
            Some(text) => Some(Crs::parse(text).with_context(|| format!("--crs {text}"))?),
            None => None,
        };
        let mut crs_for = Vec::new();
        for item in &self.crs_for {
            let Some((file, crs_text)) = item.split_once('=') else {
                bail!("--crs-for {item}: expected FILE=CRS, e.g. pois.csv=gcj02");
            };
            let c = Crs::parse(crs_text).with_context(|| format!("--crs-for {item}"))?;
            crs_for.push((file.to_string(), c));
        }
        let encoding = match &self.encoding {
            Some(label) => match encoding_from_label(label) {
                Some(e) => Some(e),
                None => bail!("--encoding {label}: unknown encoding (use UTF-8, GBK or GB18030)"),
            },
            None => None,
        };
        let taxonomy = match &self.categories {
            Some(path) => Taxonomy::from_file(path)?,
            None => Taxonomy::default(),
        };
        let clip = match &self.clip_bbox {
            Some(text) => {
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
                Some(Clip::BBox(geo_types::Rect::new(
                    geo_types::coord! {x: a, y: b},
                    geo_types::coord! {x: c, y: d},
                )))
            }
            None => None,
        };
        Ok(LoadOptions {
            read: ReadOptions {
                encoding,
                crs: None,
                clip,
            },
            working_crs: None,
            taxonomy,
            default_crs: crs,
            crs_for,
        })
    }
}

fn print_info(info: &InfoSummary, max_warnings: usize) {
    for l in &info.layers {
        let table = l
            .table
            .as_deref()
            .map(|t| format!(" [{t}]"))
            .unwrap_or_default();
        println!("{}{table}", l.file);
        println!(
            "  format: {}   role: {}",
            l.format,
            match (l.role, l.role_zh) {
                (Some(en), Some(zh)) => format!("{zh} ({en})"),
                _ => "unknown (set it when analysing)".into(),
            }
        );
        println!(
            "  geometry: {:?}   features: {}{}",
            l.geometry_type,
            l.feature_count,
            if l.skipped_count > 0 {
                format!("   skipped: {}", l.skipped_count)
            } else {
                String::new()
            }
        );
        let crs = match (&l.crs.code, &l.crs.name) {
            (Some(code), Some(name)) if code != name => format!("{code} {name}"),
            (Some(code), _) => code.clone(),
            _ => "unknown".into(),
        };
        println!(
            "  CRS: {crs} ({}{})",
            l.crs.origin,
            l.crs
                .detail
                .as_deref()
                .map(|d| format!(": {d}"))
                .unwrap_or_default()
        );
        if let Some(e) = &l.encoding {
            println!("  encoding: {e}");
        }
        if let Some([a, b, c, d]) = l.extent_lonlat {
            println!("  extent (lon/lat): {a:.6}, {b:.6} – {c:.6}, {d:.6}");
        }
        if !l.categories.is_empty() || l.unmapped_count > 0 {
            let cats: Vec<String> = l
                .categories
                .iter()
                .map(|(k, v)| format!("{k} {v}"))
                .collect();
            println!("  categories: {}", cats.join(", "));
            println!("  unmapped: {}", l.unmapped_count);
            for e in l.unmapped_examples.iter().take(max_warnings) {
                println!("    {e}");
            }
        }
        if !l.warnings.is_empty() {
            println!("  warnings: {}", l.warnings.len());
            for w in l.warnings.iter().take(max_warnings) {
                println!("    {w}");
            }
            if l.warnings.len() > max_warnings {
                println!(
                    "    ... {} more (see --json)",
                    l.warnings.len() - max_warnings
                );
            }
        }
        println!();
    }
    println!(
        "working CRS: {} {}",
        info.working_crs, info.working_crs_name
    );
    for f in &info.failures {
        eprintln!("error: {}", f.error);
    }
}

fn run() -> anyhow::Result<ExitCode> {
    let cli = Cli::parse();
    match cli.command {
        #[cfg(feature = "gui")]
        None => {
            towncircle::app::run(towncircle::app::StartOptions {
                files: cli.files,
                export_png: cli.export_png,
                no_demo: false,
            })
            .map_err(|e| anyhow::anyhow!("the desktop app could not start: {e}"))?;
            Ok(ExitCode::SUCCESS)
        }
        #[cfg(not(feature = "gui"))]
        None => {
            use clap::CommandFactory;
            Cli::command().print_help()?;
            println!(
                "\n\nThis towncircle was built without the desktop app (feature `gui`); use the subcommands above (towncircle info FILE...)."
            );
            Ok(if cli.files.is_empty() && cli.export_png.is_none() {
                ExitCode::SUCCESS
            } else {
                ExitCode::from(2)
            })
        }
        Some(Command::Coverage(args)) => cli_coverage::run(*args),
        Some(Command::Analyze(args)) => cli_analyze::run(*args),
        Some(Command::DemoTown(args)) => {
            let town = towncircle::demo::generate(args.seed);
            towncircle::demo::write(&town, &args.out)?;
            println!(
                "wrote the synthetic demo town {} (seed {}) to {}",
                towncircle::demo::TOWN_NAME,
                args.seed,
                args.out.display()
            );
            Ok(ExitCode::SUCCESS)
        }
        Some(Command::Info(args)) => {
            let options = args.input.load_options()?;
            let ds = load(&args.files, &options);
            let info = summarise(&ds);
            if args.json {
                println!("{}", serde_json::to_string_pretty(&info)?);
            } else {
                print_info(&info, args.max_warnings);
            }
            Ok(if info.failures.is_empty() {
                ExitCode::SUCCESS
            } else {
                ExitCode::from(1)
            })
        }
    }
}

fn main() -> ExitCode {
    match run() {
        Ok(code) => code,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::from(2)
        }
    }
}
