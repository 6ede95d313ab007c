//! `towncircle analyze`: the whole analysis of a town (living-circle coverage and the ten
//! ones) written as report.html, results.xlsx, results.gpkg and summary.json into a folder.
//! summary.json is documented in README.md.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{Context, bail};
use clap::Args;

use towncircle::access::{AccessInput, TownOptions, run_town};
use towncircle::io::expand_paths;
use towncircle::report::{Lang, ReportData, Run, synthetic_flag, town_name, write_all};
use towncircle::standards::Scope;
use towncircle::standards::profile::{Profile, resolve_profile};
use towncircle::tenones::{Verdict, evaluate};

use super::{InputArgs, load_town};

#[derive(Debug, Args)]
pub struct AnalyzeArgs {
    /// Data files or folders; roles are guessed from names, fields and geometry.
    #[arg(required = true, value_name = "FILE or FOLDER")]
    files: Vec<PathBuf>,
    /// The folder to write report.html, results.xlsx, results.gpkg and summary.json into
    /// (created when missing; other files in it are left alone).
    #[arg(long, value_name = "DIR")]
    out: PathBuf,
    /// A shipped standards profile by name (zhejiang-beautiful-towns [default], gb50180-2018,
    /// tdt1062-2021) or a profile file.
    #[arg(long, value_name = "NAME|FILE")]
    profile: Option<String>,
    /// One travel mode for every tier: walk, bike, ebike or car (speeds from the profile).
    /// Default: each tier's own mode from the profile.
    #[arg(long, value_name = "MODE")]
    mode: Option<String>,
    /// Language of the report: zh (中文, default) or en.
    #[arg(long, default_value = "zh", value_name = "zh|en")]
    lang: String,
    /// Refuse (exit 2, writing nothing) when any input was read only partly: a truncated or
    /// incomplete file, or skipped features. Without it the report is written and says so in
    /// its data-quality section (数据质量说明) and beside every verdict that rests on such a layer.
    #[arg(long)]
    strict: bool,
    #[command(flatten)]
    input: InputArgs,
}

pub fn run(args: AnalyzeArgs) -> anyhow::Result<ExitCode> {
    let Some(lang) = Lang::parse(&args.lang) else {
        bail!("--lang {}: use zh or en", args.lang);
    };
    let options = args.input.load_options()?;
    for p in &args.files {
        if !p.exists() {
            bail!("{}: no such file or folder", p.display());
        }
        if p.is_dir() && expand_paths(std::slice::from_ref(p)).is_empty() {
            bail!(
                "{}: the folder holds no data files (.shp, .geojson, .gpkg, .osm.pbf, .csv, .xlsx); nothing was written",
                p.display()
            );
        }
    }
    let profile = match &args.profile {
        Some(p) => resolve_profile(p)?,
        None => Profile::default(),
    };
    let ds = load_town(&args.files, &[], &options);
    if !ds.failures.is_empty() {
        let list: Vec<String> = ds
            .failures
            .iter()
            .map(|f| format!("  {}", f.error))
            .collect();
        bail!(
            "{} of the input files could not be read, so no report was written:\n{}\nfix or remove them and run again",
            ds.failures.len(),
            list.join("\n")
        );
    }
    if ds.layers.is_empty() {
        bail!("the inputs hold no layers; nothing was written");
    }
    if args.strict {
        let records = towncircle::io::quality::dataset_records(&ds);
        let lost: Vec<String> = records
            .iter()
            .filter(|r| r.loses_features)
            .map(|r| format!("  {}: {}", r.place(), r.what(false)))
            .collect();
        if !lost.is_empty() {
            bail!(
                "--strict: {} input(s) were read only partly, so no report was written:\n{}\nget the complete files, or run without --strict to write a report that lists them",
                lost.len(),
                lost.join("\n")
            );
        }
    }
    let input = AccessInput::from_layers(&ds.layers);
    let access = run_town(
        &input,
        &profile,
        &options.taxonomy,
        &TownOptions {
            mode: args.mode.clone(),
            minutes: None,
        },
    )
    .with_context(|| format!("profile {}", profile.path.display()))?;
    let tenones = evaluate(&ds.layers, &profile, &options.taxonomy, &access.report)
        .with_context(|| format!("the ten ones, profile {}", profile.path.display()))?;
    let town = town_name(&ds.layers, &args.files);
    let mut data = ReportData::new(
        town,
        &ds.layers,
        ds.working_crs.clone(),
        access
            .runs
            .iter()
            .map(|r| Run {
                analysis: &r.analysis,
                result: &r.result,
            })
            .collect(),
        &access.report,
        Some(&tenones),
        &profile,
    )?;
    if let Some(flag) = synthetic_flag(&args.files, lang) {
        data.flags.push(flag);
    }
    let written = write_all(&data, lang, &args.out)
        .with_context(|| format!("writing the report into {}", args.out.display()))?;
    println!(
        "{}: {} ({} layers)",
        data.town,
        data.working_crs.label(),
        data.inputs.len()
    );
    for f in &data.flags {
        println!("!! {f}");
    }
    super::print_quality(&data.data_quality, lang == Lang::Zh);
    if let Some(t) = data.tenones {
        let tally = t.tally();
        let parts: Vec<String> = Verdict::ALL
            .iter()
            .zip(tally)
            .map(|(v, n)| format!("{} {n}", v.label(lang.code())))
            .collect();
        println!("ten ones: {}", parts.join(", "));
        let resting: Vec<String> = t
            .rules
            .iter()
            .filter(|r| !towncircle::tenones::quality_affecting(r, &data.data_quality).is_empty())
            .map(|r| r.number.to_string())
            .collect();
        if !resting.is_empty() {
            println!(
                "!! items {} rest on files read only partly (see data quality): their verdicts may change once the data is whole",
                resting.join(", ")
            );
        }
    }
    for c in &access.report.all_required {
        // The share of the tier's own scope: a built-up tier is judged in the 建成区.
        let (share, of) = match (c.scope, &c.coverage.built_up) {
            (Scope::BuiltUp, Some(b)) => (b.percent, "the built-up area"),
            _ => (c.coverage.town.percent, "the town"),
        };
        if let Some(p) = share {
            println!("all required at {} min: {p:.1}% of {of}", c.minutes);
        }
    }
    for p in written {
        println!("wrote {}", p.display());
    }
    Ok(ExitCode::SUCCESS)
}
