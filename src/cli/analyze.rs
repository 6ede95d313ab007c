//! `towncircle analyze`: the whole analysis of a town (living-circle coverage and the ten
//! ones) written as report.html, results.xlsx, results.gpkg and summary.json into a folder.
//! summary.json is documented in README.md.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{Context, bail};
use clap::Args;

use towncircle::access::{AccessInput, AccessResult, Analysis, TownAccess, TownOptions, run_town};
use towncircle::batch::{Failure, FailureKind};
use towncircle::io::{LoadOptions, expand_paths};
use towncircle::model::{Layer, Role, Taxonomy};
use towncircle::project::inputs::project_dir;
use towncircle::report::compare::describe_edits;
use towncircle::report::{
    Lang, ReportData, Run, ScenarioComparison, Side, synthetic_flag, town_name, write_all,
};
use towncircle::standards::Scope;
use towncircle::standards::profile::{Profile, resolve_profile};
use towncircle::tenones::{TenOnesReport, Verdict, evaluate};

use super::{InputArgs, load_town};

#[derive(Debug, Args)]
#[command(
    after_help = "A project file (.towncircle, docs/project-file.md) given as the only FILE supplies the inputs with their roles and CRS/encoding overrides, the profile and the settings; flags given on the command line still win over it. --scenario NAME then analyses that scenario (方案) of the project: every figure of the report is the scenario's, and report.html, results.xlsx and summary.json get a comparison with the base (方案比较)."
)]
pub struct AnalyzeArgs {
    /// Data files or folders (roles guessed from names, fields and geometry), or one project
    /// file (.towncircle).
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
    /// With a project file: analyse its scenario (方案) NAME, compared with the base.
    #[arg(long, value_name = "NAME")]
    scenario: Option<String>,
    #[command(flatten)]
    input: InputArgs,
}

/// The access run and the ten ones of one set of layers.
fn analyse(
    layers: &[Layer],
    profile: &Profile,
    taxonomy: &Taxonomy,
    options: &TownOptions,
) -> anyhow::Result<(TownAccess, TenOnesReport)> {
    let input = AccessInput::from_layers(layers);
    let access = run_town(&input, profile, taxonomy, options)
        .with_context(|| format!("profile {}", profile.path.display()))?;
    let tenones = evaluate(layers, profile, taxonomy, &access.report)
        .with_context(|| format!("the ten ones, profile {}", profile.path.display()))?;
    Ok((access, tenones))
}

fn runs(access: &TownAccess) -> Vec<(&Analysis, &AccessResult)> {
    access
        .runs
        .iter()
        .map(|r| (&r.analysis, &r.result))
        .collect()
}

/// One analysis to run: `analyze`'s flags, or a batch's settings for one town.
pub(crate) struct Request<'a> {
    /// Data files or folders, or one project file.
    pub files: &'a [PathBuf],
    pub out: &'a Path,
    pub profile: Option<&'a str>,
    pub mode: Option<&'a str>,
    pub lang: Lang,
    pub strict: bool,
    pub scenario: Option<&'a str>,
    /// Flags over the load options (None: the defaults, or the project's).
    pub input: Option<&'a InputArgs>,
    /// Refuse inputs without a road layer (the batch: straight-line times are no ranking).
    pub require_roads: bool,
}

/// Load, analyse and write the report of one town into `req.out` (report.html, results.xlsx,
/// results.gpkg, summary.json), then hand the report's data and the files written to `done`.
/// Errors a user can act on (no data, unreadable files, no roads, a project problem) are a
/// [`Failure`] inside the error, with its kind.
pub(crate) fn analyze_into<T>(
    req: &Request<'_>,
    done: impl FnOnce(&ReportData<'_>, &[PathBuf]) -> T,
) -> anyhow::Result<T> {
    let lang = req.lang;
    let opened = super::project::open(req.files)
        .map_err(|e| Failure::new(FailureKind::Project, format!("{e:#}")))?;
    let scenario = super::project::scenario(opened.as_ref(), req.scenario)?;
    let (paths, roles, mut options) = match &opened {
        Some(o) => (
            o.plan.files.clone(),
            o.plan.roles.clone(),
            o.plan.options.clone(),
        ),
        None => (req.files.to_vec(), Vec::new(), LoadOptions::default()),
    };
    if let Some(input) = req.input {
        input.overlay(&mut options)?;
    }
    if opened.is_none() {
        for p in req.files {
            if !p.exists() {
                return Err(Failure::new(
                    FailureKind::NoData,
                    format!("{}: no such file or folder", p.display()),
                )
                .into());
            }
            if p.is_dir() && expand_paths(std::slice::from_ref(p)).is_empty() {
                return Err(Failure::new(
                    FailureKind::NoData,
                    format!(
                        "{}: the folder holds no data files (.shp, .geojson, .gpkg, .osm.pbf, .csv, .xlsx); nothing was written",
                        p.display()
                    ),
                )
                .into());
            }
        }
    }
    let project = opened.as_ref().map(|o| (&o.project, o.file.as_path()));
    let profile = match req
        .profile
        .map(str::to_string)
        .or_else(|| project.and_then(|(p, f)| p.profile_arg(f)))
    {
        Some(p) => resolve_profile(&p)?,
        None => Profile::default(),
    };
    let town_options = TownOptions {
        mode: req
            .mode
            .map(str::to_string)
            .or_else(|| project.and_then(|(p, _)| p.analysis.mode.clone())),
        minutes: project.and_then(|(p, _)| p.analysis.minutes.clone()),
    };
    let flagged: Vec<(&PathBuf, Role)> = roles.iter().map(|(p, r)| (p, *r)).collect();
    let ds = load_town(&paths, &flagged, &options);
    if !ds.failures.is_empty() {
        let list: Vec<String> = ds
            .failures
            .iter()
            .map(|f| format!("  {}", f.error))
            .collect();
        return Err(Failure::new(
            FailureKind::Unreadable,
            format!(
                "{} of the input files could not be read, so no report was written:\n{}\nfix or remove them and run again",
                ds.failures.len(),
                list.join("\n")
            ),
        )
        .into());
    }
    if ds.layers.is_empty() {
        return Err(Failure::new(
            FailureKind::NoData,
            "the inputs hold no layers; nothing was written",
        )
        .into());
    }
    if req.require_roads && !ds.layers.iter().any(|l| l.role == Some(Role::Roads)) {
        let files: Vec<String> = ds
            .layers
            .iter()
            .map(|l| l.source.path.display().to_string())
            .collect();
        return Err(Failure::new(
            FailureKind::NoRoads,
            format!(
                "none of the inputs is a road layer ({}); add the roads (道路) or set a file's role in a project file",
                files.join(", ")
            ),
        )
        .into());
    }
    if req.strict {
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
    let taxonomy = &options.taxonomy;
    let (base_access, base_tenones) = analyse(&ds.layers, &profile, taxonomy, &town_options)?;
    // A scenario: its edits on a copy of the layers, and a second full run.
    let edited = match (scenario, &opened) {
        (Some(s), Some(o)) => {
            let (layers, warnings) =
                super::project::edited_layers(&ds.layers, s, o, taxonomy, &ds.working_crs)?;
            let (access, tenones) = analyse(&layers, &profile, taxonomy, &town_options)?;
            Some((s, o, layers, warnings, access, tenones))
        }
        _ => None,
    };
    let (layers, access, tenones) = match &edited {
        Some((_, _, l, _, a, t)) => (l.as_slice(), a, t),
        None => (ds.layers.as_slice(), &base_access, &base_tenones),
    };
    let name_from: Vec<PathBuf> = match &opened {
        Some(o) => vec![project_dir(&o.file)],
        None => req.files.to_vec(),
    };
    let town = town_name(&ds.layers, &name_from);
    let mut data = ReportData::new(
        town,
        layers,
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
        Some(tenones),
        &profile,
    )?;
    if let Some(flag) = synthetic_flag(&paths, lang) {
        data.flags.push(flag);
    }
    if let Some((s, o, _, warnings, access, tenones)) = &edited {
        let (base_runs, scen_runs) = (runs(&base_access), runs(access));
        let comparison = ScenarioComparison::new(
            s.name.clone(),
            s.note.clone(),
            describe_edits(s, &ds.layers, taxonomy, &o.file),
            warnings.iter().map(ToString::to_string).collect(),
            Side {
                report: &base_access.report,
                runs: &base_runs,
                tenones: Some(&base_tenones),
            },
            Side {
                report: &access.report,
                runs: &scen_runs,
                tenones: Some(tenones),
            },
        );
        data.flags.push(towncircle::report::compare::scenario_flag(
            &s.name,
            s.edits.len(),
            lang,
        ));
        print_comparison(&comparison, lang);
        data.scenario = Some(comparison);
    }
    let written = write_all(&data, lang, req.out)
        .with_context(|| format!("writing the report into {}", req.out.display()))?;
    Ok(done(&data, &written))
}

pub fn run(args: AnalyzeArgs) -> anyhow::Result<ExitCode> {
    let Some(lang) = Lang::parse(&args.lang) else {
        bail!("--lang {}: use zh or en", args.lang);
    };
    let req = Request {
        files: &args.files,
        out: &args.out,
        profile: args.profile.as_deref(),
        mode: args.mode.as_deref(),
        lang,
        strict: args.strict,
        scenario: args.scenario.as_deref(),
        input: Some(&args.input),
        require_roads: false,
    };
    analyze_into(&req, |data, written| print_run(data, written, lang))?;
    Ok(ExitCode::SUCCESS)
}

/// The run on the console: town, flags, data quality, the ten-ones tally, all-required
/// coverage, files written.
fn print_run(data: &ReportData<'_>, written: &[PathBuf], lang: Lang) {
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
    // Facility types whose coverage counts an age band's people (age-band rasters loaded).
    for b in &data.report.demand.age_bands {
        let band = b.band.to_string();
        let cats: Vec<String> = data
            .report
            .categories
            .iter()
            .filter(|c| c.demand == band)
            .map(|c| {
                let town: Vec<String> = c
                    .tiers
                    .iter()
                    .filter_map(|t| t.town.percent.map(|p| format!("{} min {p:.1}%", t.minutes)))
                    .collect();
                format!("{} {} ({})", c.id, c.zh, town.join(", "))
            })
            .collect();
        println!(
            "age band {band} ({}, {:.0} people): coverage of {}",
            b.rasters.join(", "),
            b.total,
            if cats.is_empty() {
                "no facility type".to_string()
            } else {
                cats.join("; ")
            }
        );
    }
    for c in &data.report.all_required {
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
}

/// The scenario against the base on the console: the edits, the coverage that changed, the
/// verdicts that changed.
fn print_comparison(c: &ScenarioComparison, lang: Lang) {
    let zh = lang == Lang::Zh;
    println!(
        "{} \"{}\": {} {}",
        if zh { "方案" } else { "scenario" },
        c.name,
        c.edits.len(),
        if zh { "项修改" } else { "edit(s)" }
    );
    for e in &c.edits {
        println!("  {}. {}", e.number, if zh { &e.zh } else { &e.en });
    }
    for w in &c.not_applied {
        println!("!! {w}");
    }
    let pct = |p: Option<f64>| p.map_or("—".to_string(), |p| format!("{p:.1}%"));
    for r in c.all_required.iter().chain(c.changed_categories()) {
        if !r.changed {
            continue;
        }
        let newly = r.newly_covered.map(|n| {
            if zh {
                format!("新增覆盖 {n:.0} 人，")
            } else {
                format!("{n:.0} newly covered, ")
            }
        });
        println!(
            "  {} {} min: {} → {} ({}{} {:+.0}{})",
            if zh { &r.zh } else { &r.en },
            r.minutes,
            pct(r.base.town_percent),
            pct(r.scenario.town_percent),
            newly.unwrap_or_default(),
            if zh { "净变化" } else { "net" },
            r.net_change,
            if zh { " 人" } else { " people" }
        );
    }
    for v in c.changed_verdicts() {
        println!(
            "  {} {}: {} → {}",
            v.number,
            if zh { &v.zh } else { &v.en },
            v.base.label(lang.code()),
            v.scenario.label(lang.code())
        );
    }
}
