//! The towncircle binary: the desktop app when run bare, CLI subcommands otherwise.
#![deny(clippy::unwrap_used)]

mod cli;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

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
    Info(Box<cli::info::InfoArgs>),
    /// Travel times to the nearest facility of each category and the population covered at each
    /// tier (5/15/30 min), on the road network (JSON documented in README.md).
    Coverage(Box<cli::coverage::CoverageArgs>),
    /// The whole analysis of a town (coverage per tier, the ten ones, gaps) written as
    /// report.html, results.xlsx, results.gpkg and summary.json into --out DIR.
    Analyze(Box<cli::analyze::AnalyzeArgs>),
    /// The whole city: every town of CITY_DIR (a folder or .towncircle project file each)
    /// analysed as `analyze` does into --out DIR/towns/<name>/, and the city table city.xlsx,
    /// city.html (sortable, with a city map) and city.json; `batch merge` joins shard outputs.
    Batch(Box<cli::batch::BatchArgs>),
    /// Suggested sites for new facilities of one category at one tier (maximal covering or
    /// p-median, existing facilities kept): the people each adds, the optimality gap, a 2SFCA
    /// capacity check (JSON documented in README.md).
    Suggest(Box<cli::suggest::SuggestArgs>),
    /// Write the synthetic demo town 清溪镇 (GBK shapefiles in EPSG:4549, an Amap-style POI CSV in
    /// GCJ-02, GeoJSON) into a folder; the same generator and seed made sample-maps/qingxi-demo-town.
    DemoTown(cli::demo_town::DemoTownArgs),
    /// Write features with their attributes in another coordinate system and format (坐标纠偏),
    /// e.g. an Amap POI table (GCJ-02) to CGCS2000 shapefiles for CAD/GIS.
    ///
    /// towncircle convert POI_高德导出.csv --to poi.shp --crs EPSG:4549 writes poi.shp/.shx/.dbf
    /// with .prj and .cpg. --crs is the OUTPUT coordinate system; the input side has --from-crs,
    /// --crs-for and --input-encoding. GCJ-02 and BD-09 are inverted to WGS84 within a
    /// millimetre of the published formulas. Every reader warning is printed on stderr with its
    /// file; an input that cannot be read stops the run with nothing written (exit code 2).
    Convert(Box<cli::convert::ConvertArgs>),
    /// Project files (.towncircle: inputs, roles, overrides, profile, settings, scenarios; see
    /// docs/project-file.md). `analyze` and `coverage` take one in place of FILES.
    Project(cli::project::ProjectArgs),
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
                recovery_dir: None,
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
        Some(Command::Convert(args)) => cli::convert::run(*args),
        Some(Command::Coverage(args)) => cli::coverage::run(*args),
        Some(Command::Analyze(args)) => cli::analyze::run(*args),
        Some(Command::Batch(args)) => cli::batch::run(*args),
        Some(Command::Suggest(args)) => cli::suggest::run(*args),
        Some(Command::DemoTown(args)) => cli::demo_town::run(args),
        Some(Command::Info(args)) => cli::info::run(*args),
        Some(Command::Project(args)) => cli::project::run(args),
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
