//! `towncircle project new`, and what `analyze` and `coverage` share when their FILES is one
//! project file (`.towncircle`, docs/project-file.md): its inputs with their roles and
//! overrides, its profile and settings, and `--scenario NAME`.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{Context, bail};
use clap::{Args, Subcommand};

use towncircle::crs::Crs;
use towncircle::io::encoding::encoding_from_label;
use towncircle::io::expand_paths;
use towncircle::model::{Layer, Role, Taxonomy};
use towncircle::project::apply::{ApplyContext, ApplyWarning, apply};
use towncircle::project::inputs::{LoadPlan, project_dir, written_path};
use towncircle::project::{Project, Scenario};

use super::InputArgs;

#[derive(Debug, Args)]
pub struct ProjectArgs {
    #[command(subcommand)]
    pub command: ProjectCommand,
}

#[derive(Debug, Subcommand)]
pub enum ProjectCommand {
    /// Write a new project file from data files and flags (roles, CRS and encoding overrides,
    /// profile, mode, minutes), e.g. for batch runs: then `towncircle analyze OUT.towncircle`.
    New(Box<NewArgs>),
}

#[derive(Debug, Args)]
pub struct NewArgs {
    /// The project file to write (…/name.towncircle). Input paths under its folder are written
    /// relative to it, so the folder can be moved as a whole.
    #[arg(value_name = "OUT.towncircle")]
    out: PathBuf,
    /// Data files or folders (a folder's data files are recorded one by one); roles guessed.
    #[arg(value_name = "FILE or FOLDER")]
    files: Vec<PathBuf>,
    /// Road lines. Repeatable.
    #[arg(long, value_name = "FILE")]
    roads: Vec<PathBuf>,
    /// Facility points or polygons. Repeatable.
    #[arg(long, value_name = "FILE")]
    facilities: Vec<PathBuf>,
    /// Residential buildings or population points. Repeatable.
    #[arg(long, value_name = "FILE")]
    demand: Vec<PathBuf>,
    /// Administrative villages (行政村). Repeatable.
    #[arg(long, value_name = "FILE")]
    villages: Vec<PathBuf>,
    /// The built-up area (建成区).
    #[arg(long = "built-up", value_name = "FILE")]
    built_up: Vec<PathBuf>,
    /// The town boundary (镇域).
    #[arg(long, value_name = "FILE")]
    boundary: Vec<PathBuf>,
    /// A shipped standards profile by name or a profile file.
    #[arg(long, value_name = "NAME|FILE")]
    profile: Option<String>,
    /// One travel mode for every tier: walk, bike, ebike or car.
    #[arg(long, value_name = "MODE")]
    mode: Option<String>,
    /// Tier minutes, e.g. 5,15,30.
    #[arg(long, value_delimiter = ',', value_name = "MIN,...")]
    minutes: Option<Vec<u32>>,
    /// Replace an existing project file (its scenarios are lost).
    #[arg(long)]
    force: bool,
    #[command(flatten)]
    input: InputArgs,
}

pub fn run(args: ProjectArgs) -> anyhow::Result<ExitCode> {
    match args.command {
        ProjectCommand::New(a) => new(*a),
    }
}

fn new(args: NewArgs) -> anyhow::Result<ExitCode> {
    if !Project::is_project_path(&args.out) {
        bail!(
            "{}: a project file's name ends in .towncircle",
            args.out.display()
        );
    }
    if args.out.exists() && !args.force {
        bail!(
            "{}: the project file exists; give --force to replace it (its scenarios would be lost)",
            args.out.display()
        );
    }
    let flagged: Vec<(&PathBuf, Role)> = [
        (&args.roads, Role::Roads),
        (&args.facilities, Role::Facilities),
        (&args.demand, Role::Buildings),
        (&args.villages, Role::Villages),
        (&args.built_up, Role::BuiltUpArea),
        (&args.boundary, Role::Boundary),
    ]
    .into_iter()
    .flat_map(|(paths, role)| paths.iter().map(move |p| (p, role)))
    .collect();
    let mut given: Vec<(PathBuf, Option<Role>)> =
        args.files.iter().map(|p| (p.clone(), None)).collect();
    given.extend(flagged.iter().map(|(p, r)| ((*p).clone(), Some(*r))));
    if given.is_empty() {
        bail!("no data files: give FILE... or --roads/--facilities/--demand FILE");
    }
    let missing: Vec<String> = given
        .iter()
        .filter(|(p, _)| !p.exists())
        .map(|(p, _)| format!("  {}", p.display()))
        .collect();
    if !missing.is_empty() {
        bail!("no such file or folder:\n{}", missing.join("\n"));
    }
    let i = &args.input;
    // Check what will be written, so that the project opens.
    let mut crs_for: Vec<(String, String)> = Vec::new();
    for item in &i.crs_for {
        let Some((file, c)) = item.split_once('=') else {
            bail!("--crs-for {item}: expected FILE=CRS, e.g. pois.csv=gcj02");
        };
        Crs::parse(c).with_context(|| format!("--crs-for {item}"))?;
        crs_for.push((file.to_string(), c.to_string()));
    }
    if let Some(c) = &i.crs {
        Crs::parse(c).with_context(|| format!("--crs {c}"))?;
    }
    let mut age_bands: Vec<(String, String)> = Vec::new();
    for item in &i.age_band {
        let (file, band) = super::parse_age_band(item)?;
        let p = PathBuf::from(&file);
        if !p.is_file() && p.components().count() > 1 {
            bail!("--age-band {item}: no such file: {file}");
        }
        if p.is_file() && !given.iter().any(|(g, _)| super::same_file(g, &p)) {
            given.push((p, None));
        }
        age_bands.push((file, band.to_string()));
    }
    // Written as given (with its convention word), once it parses.
    super::parse_datum_shifts(&i.datum_shift)?;
    let datum_shifts: Vec<(&str, &str)> = i
        .datum_shift
        .iter()
        .filter_map(|item| item.split_once('='))
        .collect();
    if let Some(e) = &i.encoding
        && encoding_from_label(e).is_none()
    {
        bail!("--encoding {e}: unknown encoding (use UTF-8, GBK or GB18030)");
    }
    if let Some(c) = &i.categories {
        Taxonomy::from_file(c)?;
    }
    let dir = project_dir(&args.out);
    let mut project = Project::default();
    for (path, role) in &given {
        let files = if path.is_dir() {
            let f = expand_paths(std::slice::from_ref(path));
            if f.is_empty() {
                bail!(
                    "{}: the folder holds no data files (.shp, .geojson, .gpkg, .osm.pbf, .csv, .xlsx)",
                    path.display()
                );
            }
            f
        } else {
            vec![path.clone()]
        };
        for f in files {
            let written = written_path(&dir, &f);
            // A file given twice (positionally and with a role flag): the role wins.
            if let Some(existing) = project.inputs.iter_mut().find(|x| x.path == written) {
                if role.is_some() {
                    existing.role = *role;
                }
                continue;
            }
            let input = project.add_input(&args.out, &f);
            input.role = *role;
            let name = f.file_name().map(|n| n.to_string_lossy().into_owned());
            input.crs = crs_for
                .iter()
                .find(|(k, _)| Path::new(k) == f || Some(k) == name.as_ref())
                .map(|(_, c)| c.clone());
            input.age_band = age_bands
                .iter()
                .find(|(k, _)| super::same_file(Path::new(k), &f) || Some(k) == name.as_ref())
                .map(|(_, b)| b.clone());
            input.datum_shift = datum_shifts
                .iter()
                .find(|(k, _)| Path::new(k) == f || Some(*k) == name.as_deref())
                .map(|(_, d)| d.to_string());
        }
    }
    project.analysis.crs = i.crs.clone();
    project.analysis.encoding = i.encoding.clone();
    project.analysis.categories = i.categories.as_ref().map(|c| written_path(&dir, c));
    if let Some(text) = &i.clip_bbox {
        let v: Vec<f64> = text
            .split(',')
            .map(|s| s.trim().parse::<f64>())
            .collect::<Result<_, _>>()
            .with_context(|| format!("--clip-bbox {text}: expected four numbers"))?;
        let [a, b, c, d] = v[..] else {
            bail!("--clip-bbox {text}: expected MIN_LON,MIN_LAT,MAX_LON,MAX_LAT");
        };
        project.analysis.clip_bbox = Some([a, b, c, d]);
    }
    project.analysis.mode = args.mode.clone();
    project.analysis.minutes = args.minutes.clone();
    project.profile = args.profile.as_ref().map(|p| {
        let path = Path::new(p);
        if path.is_file() {
            written_path(&dir, path)
        } else {
            p.clone()
        }
    });
    // The same checks a reader makes (a bad clip box, say), before anything is written.
    project
        .load_plan(&args.out)
        .with_context(|| format!("the project for {}", args.out.display()))?;
    project.write(&args.out)?;
    println!(
        "wrote {} ({} input file(s))",
        args.out.display(),
        project.inputs.len()
    );
    Ok(ExitCode::SUCCESS)
}

/// A project file given as FILES: its content and what loading it needs.
pub(crate) struct Opened {
    pub file: PathBuf,
    pub project: Project,
    pub plan: LoadPlan,
}

/// The project when `files` is one `.towncircle` file; None for data files. Missing inputs, a
/// damaged or newer project file: an error naming the file(s).
pub(crate) fn open(files: &[PathBuf]) -> anyhow::Result<Option<Opened>> {
    let projects = files.iter().filter(|f| Project::is_project_path(f)).count();
    let [file] = files else {
        if projects > 0 {
            bail!("a project file (.towncircle) must be the only FILE: its inputs are in it");
        }
        return Ok(None);
    };
    if projects == 0 {
        return Ok(None);
    }
    let project = Project::read(file)?;
    let plan = project.load_plan(file)?;
    Ok(Some(Opened {
        file: file.clone(),
        project,
        plan,
    }))
}

/// The scenario `--scenario NAME` names, if given.
pub(crate) fn scenario<'a>(
    opened: Option<&'a Opened>,
    name: Option<&str>,
) -> anyhow::Result<Option<&'a Scenario>> {
    let Some(name) = name else {
        return Ok(None);
    };
    let Some(o) = opened else {
        bail!(
            "--scenario {name}: scenarios live in a project file; give one (.towncircle) as FILE"
        );
    };
    match o.project.scenario(name) {
        Some(s) => Ok(Some(s)),
        None => {
            let names = o.project.scenario_names();
            bail!(
                "--scenario {name}: the project has no such scenario; {}: {}",
                if names.is_empty() {
                    "it has none".to_string()
                } else {
                    format!(
                        "its scenarios are {}",
                        names
                            .iter()
                            .map(|n| format!("\"{n}\""))
                            .collect::<Vec<_>>()
                            .join(", ")
                    )
                },
                o.file.display()
            )
        }
    }
}

/// The base layers with the scenario's edits, and the edits that could not be made (printed on
/// stderr).
pub(crate) fn edited_layers(
    base: &[Layer],
    scenario: &Scenario,
    opened: &Opened,
    taxonomy: &Taxonomy,
    working: &Crs,
) -> anyhow::Result<(Vec<Layer>, Vec<ApplyWarning>)> {
    let mut layers = base.to_vec();
    let warnings = apply(
        &mut layers,
        scenario,
        &ApplyContext {
            taxonomy,
            working_crs: working,
            project_file: &opened.file,
        },
    )?;
    for w in &warnings {
        eprintln!("warning: {w}");
    }
    Ok((layers, warnings))
}

/// The town as `coverage` and `suggest` read it: data files with role flags, or one project file
/// (its inputs, overrides, profile and settings; flags on the command line still win), with
/// `--scenario NAME`'s edits applied.
pub(crate) struct TownFiles {
    pub opened: Option<Opened>,
    pub options: towncircle::io::LoadOptions,
    pub ds: towncircle::io::Dataset,
    /// The scenario's layers (base layers with its edits), when one is asked for.
    pub edited: Option<(Vec<Layer>, Vec<ApplyWarning>)>,
    /// The profile argument: the command line's, else the project's.
    pub profile_arg: Option<String>,
}

impl TownFiles {
    /// Read the files (errors printed on stderr as they are met).
    pub(crate) fn read(
        files: &[PathBuf],
        flags: &[(&[PathBuf], Role)],
        input: &InputArgs,
        scenario_name: Option<&str>,
        profile: Option<&String>,
    ) -> anyhow::Result<Self> {
        let opened = open(files)?;
        let mut options = match &opened {
            Some(o) => o.plan.options.clone(),
            None => towncircle::io::LoadOptions::default(),
        };
        input.overlay(&mut options)?;
        let mut flagged: Vec<(&PathBuf, Role)> = flags
            .iter()
            .flat_map(|(paths, role)| paths.iter().map(move |p| (p, *role)))
            .collect();
        let mut paths: Vec<PathBuf> = match &opened {
            Some(o) => o.plan.files.clone(),
            None => files.to_vec(),
        };
        paths.extend(flagged.iter().map(|(p, _)| (*p).clone()));
        // The project's roles after the command line's: the first match wins.
        if let Some(o) = &opened {
            flagged.extend(o.plan.roles.iter().map(|(p, r)| (p, *r)));
        }
        if paths.is_empty() {
            bail!(
                "no data files: give FILE... (roles guessed) or --roads/--facilities/--demand FILE"
            );
        }
        let profile_arg = profile
            .cloned()
            .or_else(|| opened.as_ref().and_then(|o| o.project.profile_arg(&o.file)));
        let ds = super::load_town(&paths, &flagged, &options);
        for f in &ds.failures {
            eprintln!("error: {}", f.error);
        }
        if ds.layers.is_empty() {
            bail!("none of the files could be read (see the errors above)");
        }
        let edited = match (scenario(opened.as_ref(), scenario_name)?, &opened) {
            (Some(s), Some(o)) => Some(edited_layers(
                &ds.layers,
                s,
                o,
                &options.taxonomy,
                &ds.working_crs,
            )?),
            _ => None,
        };
        Ok(TownFiles {
            opened,
            options,
            ds,
            edited,
            profile_arg,
        })
    }

    /// The scenario asked for by `--scenario`, if any.
    pub(crate) fn scenario(&self, name: Option<&str>) -> Option<&Scenario> {
        scenario(self.opened.as_ref(), name).ok().flatten()
    }

    /// The layers to analyse: the scenario's, else the base.
    pub(crate) fn layers(&self) -> &[Layer] {
        self.edited
            .as_ref()
            .map_or(self.ds.layers.as_slice(), |(l, _)| l.as_slice())
    }

    /// The failures' messages.
    pub(crate) fn failures(&self) -> Vec<String> {
        self.ds
            .failures
            .iter()
            .map(|f| f.error.to_string())
            .collect()
    }

    /// The project's analysis setting, when no flag gave one.
    pub(crate) fn mode(&self) -> Option<String> {
        self.opened
            .as_ref()
            .and_then(|o| o.project.analysis.mode.clone())
    }

    /// The project's tiers, when no flag gave them.
    pub(crate) fn minutes(&self) -> Option<Vec<u32>> {
        self.opened
            .as_ref()
            .and_then(|o| o.project.analysis.minutes.clone())
    }
}
