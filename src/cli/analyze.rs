//! `towncircle analyze`: the whole analysis of a town (living-circle coverage and the ten
//! ones) written as report.html, results.xlsx, results.gpkg and summary.json into a folder.
//! summary.json is documented in README.md.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{Context, bail};
use clap::Args;

use towncircle::access::{AccessInput, AccessResult, Analysis, TownAccess, TownOptions, run_town};
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

pub fn run(args: AnalyzeArgs) -> anyhow::Result<ExitCode> {
    let Some(lang) = Lang::parse(&args.lang) else {
        bail!("--lang {}: use zh or en", args.lang);
    };
    let opened = super::project::open(&args.files)?;
    let scenario = super::project::scenario(opened.as_ref(), args.scenario.as_deref())?;
    let (paths, roles, mut options) = match &opened {
        Some(o) => (
            o.plan.files.clone(),
            o.plan.roles.clone(),
            o.plan.options.clone(),
        ),
        None => (args.files.clone(), Vec::new(), LoadOptions::default()),
    };
    args.input.overlay(&mut options)?;
    if opened.is_none() {
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
    }
    let project = opened.as_ref().map(|o| (&o.project, o.file.as_path()));
    let profile = match args
        .profile
        .clone()
        .or_else(|| project.and_then(|(p, f)| p.profile_arg(f)))
    {
        Some(p) => resolve_profile(&p)?,
        None => Profile::default(),
    };
    let town_options = TownOptions {
        mode: args
            .mode
            .clone()
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
        None => args.files.clone(),
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
