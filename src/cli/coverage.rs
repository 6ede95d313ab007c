//! `towncircle coverage`: travel times to the nearest facility of each category, coverage per
//! tier, and optional CSV/GeoJSON outputs. The JSON is documented in README.md.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::Context;
use clap::Args;
use serde::Serialize;

use towncircle::access::{
    AccessInput, AccessReport, Coverage, Method, ModeRun, NO_SOURCE, TownAccess, TownOptions,
    run_town,
};
use towncircle::crs::{Crs, CrsInfo, Transformer};
use towncircle::model::layer::{
    AttrValue, Feature, Field, FieldKind, Format, SourceId, SourceInfo,
};
use towncircle::model::{Layer, QualityRecord, Role};
use towncircle::report::compare::{EditSummary, describe_edits};
use towncircle::report::derive;
use towncircle::standards::profile::{DEFAULT_PROFILE_PATH, Profile, resolve_profile};

use super::InputArgs;

#[derive(Debug, Args)]
#[command(
    after_help = "A project file (.towncircle, docs/project-file.md) given as the only FILE supplies the inputs with their roles and CRS/encoding overrides, the profile and the settings (mode, minutes); flags given on the command line still win over it. --scenario NAME computes the coverage of that scenario (方案) of the project."
)]
pub struct CoverageArgs {
    /// Data files whose roles are guessed from names, fields and geometry (one OSM extract can
    /// supply roads, facilities and buildings), or one project file (.towncircle).
    files: Vec<PathBuf>,
    /// Road lines (fields 道路等级 or highway; oneway, bridge, tunnel, layer). Repeatable.
    #[arg(long, value_name = "FILE")]
    roads: Vec<PathBuf>,
    /// Facility points or polygons (classified by assets/categories.toml). Repeatable.
    #[arg(long, value_name = "FILE")]
    facilities: Vec<PathBuf>,
    /// Residential buildings (用途, 层数, 人口) or population points. Repeatable.
    #[arg(long, value_name = "FILE")]
    demand: Vec<PathBuf>,
    /// Administrative villages (行政村) with 村名 and 人口. Repeatable.
    #[arg(long, value_name = "FILE")]
    villages: Vec<PathBuf>,
    /// The built-up area (建成区) polygon(s).
    #[arg(long = "built-up", value_name = "FILE")]
    built_up: Vec<PathBuf>,
    /// The town boundary (镇域) polygon.
    #[arg(long, value_name = "FILE")]
    boundary: Vec<PathBuf>,
    /// One travel mode for every tier: walk, bike, ebike or car (speeds from the standards
    /// profile). Default: each tier's own mode from the profile.
    #[arg(long, value_name = "MODE")]
    mode: Option<String>,
    /// Tier minutes, e.g. 5,15,30 (default: the profile's tiers).
    #[arg(long, value_delimiter = ',', value_name = "MIN,...")]
    minutes: Option<Vec<u32>>,
    /// A shipped standards profile by name (zhejiang-beautiful-towns [default], gb50180-2018,
    /// tdt1062-2021) or a profile file (copy assets/standards/*.toml and edit).
    #[arg(long, value_name = "NAME|FILE")]
    profile: Option<String>,
    /// Print JSON (documented in README.md) instead of text.
    #[arg(long)]
    json: bool,
    /// Write every demand point's time to each category to this CSV file.
    #[arg(long, value_name = "FILE.csv")]
    times_out: Option<PathBuf>,
    /// Write isochrones, gap areas and facilities to this GeoJSON file (WGS84).
    #[arg(long, value_name = "FILE")]
    geojson_out: Option<PathBuf>,
    /// With a project file: the coverage of its scenario (方案) NAME.
    #[arg(long, value_name = "NAME")]
    scenario: Option<String>,
    #[command(flatten)]
    input: InputArgs,
}

/// The scenario a run is of.
#[derive(Debug, Serialize)]
struct ScenarioInfo {
    name: String,
    edits: Vec<EditSummary>,
    /// Edits that could not be made (their facility is no longer in the data).
    not_applied: Vec<String>,
}

/// A layer as used in the run.
#[derive(Debug, Serialize)]
struct InputInfo {
    file: String,
    table: Option<String>,
    role: Option<&'static str>,
    features: usize,
}

#[derive(Debug, Serialize)]
struct Output<'a> {
    inputs: Vec<InputInfo>,
    working_crs: String,
    #[serde(flatten)]
    report: &'a AccessReport,
    failures: Vec<String>,
    /// What was read only partly, guessed or left out (the records of summary.json).
    data_quality: &'a [QualityRecord],
    /// Only with --scenario: the figures above are the scenario's.
    #[serde(skip_serializing_if = "Option::is_none")]
    scenario: Option<ScenarioInfo>,
}

pub fn run(args: CoverageArgs) -> anyhow::Result<ExitCode> {
    let town_files = super::project::TownFiles::read(
        &args.files,
        &[
            (&args.roads, Role::Roads),
            (&args.facilities, Role::Facilities),
            (&args.demand, Role::Buildings),
            (&args.villages, Role::Villages),
            (&args.built_up, Role::BuiltUpArea),
            (&args.boundary, Role::Boundary),
        ],
        &args.input,
        args.scenario.as_deref(),
        args.profile.as_ref(),
    )?;
    let profile_arg = town_files.profile_arg.clone();
    let profile = match &profile_arg {
        Some(p) => resolve_profile(p)?,
        None => Profile::default(),
    };
    let (ds, options) = (&town_files.ds, &town_files.options);
    let failures = town_files.failures();
    let layers = town_files.layers();
    let scenario = town_files.scenario(args.scenario.as_deref());
    let scenario_info = match (scenario, &town_files.opened, &town_files.edited) {
        (Some(s), Some(o), Some((_, warnings))) => Some(ScenarioInfo {
            name: s.name.clone(),
            edits: describe_edits(s, &ds.layers, &options.taxonomy, &o.file),
            not_applied: warnings.iter().map(ToString::to_string).collect(),
        }),
        _ => None,
    };
    let input = AccessInput::from_layers(layers);
    let town = run_town(
        &input,
        &profile,
        &options.taxonomy,
        &TownOptions {
            mode: args.mode.clone().or_else(|| town_files.mode()),
            minutes: args.minutes.clone().or_else(|| town_files.minutes()),
        },
    )
    .with_context(|| format!("profile {}", profile_label(profile_arg.as_deref())))?;
    let inputs: Vec<InputInfo> = layers
        .iter()
        .map(|l| InputInfo {
            file: l.source.path.display().to_string(),
            table: l.source.table.clone(),
            role: l.role.map(Role::en),
            features: l.features.len(),
        })
        .collect();
    let mut data_quality = towncircle::io::quality::dataset_records(ds);
    data_quality.extend(towncircle::access::quality::records(&town.report));
    if args.json {
        let out = Output {
            inputs,
            working_crs: ds.working_crs.label(),
            report: &town.report,
            failures: failures.clone(),
            data_quality: &data_quality,
            scenario: scenario_info,
        };
        println!("{}", serde_json::to_string_pretty(&out)?);
    } else {
        if let Some(s) = &scenario_info {
            println!("scenario \"{}\": {} edit(s)", s.name, s.edits.len());
            for e in &s.edits {
                println!("  {}. {}", e.number, e.en);
            }
        }
        print_text(&inputs, &ds.working_crs, &town.report);
        println!();
        super::print_quality(&data_quality, false);
    }
    if let Some(path) = &args.times_out {
        write_times(path, &town, &input).with_context(|| format!("writing {}", path.display()))?;
        if !args.json {
            println!("times written to {}", path.display());
        }
    }
    if let Some(path) = &args.geojson_out {
        write_geojson(path, &town, &ds.working_crs)
            .with_context(|| format!("writing {}", path.display()))?;
        if !args.json {
            println!("isochrones and gaps written to {}", path.display());
        }
    }
    Ok(if failures.is_empty() {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}

fn profile_label(arg: Option<&str>) -> String {
    match arg {
        Some(a) => a.to_string(),
        None => DEFAULT_PROFILE_PATH.to_string(),
    }
}

fn pct(c: &Coverage) -> String {
    match c.percent {
        Some(p) => format!("{p:5.1}%"),
        None => "    —".into(),
    }
}

fn print_text(inputs: &[InputInfo], working: &Crs, r: &AccessReport) {
    for i in inputs {
        println!(
            "  {}{}: {} ({} features)",
            i.file,
            i.table
                .as_deref()
                .map(|t| format!(" [{t}]"))
                .unwrap_or_default(),
            i.role.unwrap_or("unused"),
            i.features
        );
    }
    println!("working CRS: {}", working.label());
    for f in &r.flags {
        println!("!! {f}");
    }
    for run in &r.modes {
        let m = &run.mode;
        let tiers: Vec<String> = run.tiers.iter().map(|t| format!("{t} min")).collect();
        println!(
            "mode for {}: {} ({}) {} m/s [{}], access legs {} m/s, max snap {} m{}",
            tiers.join(", "),
            m.id,
            m.zh,
            m.speed_m_per_s,
            String::from(m.speed_source),
            m.access_speed_m_per_s,
            m.max_snap_m,
            if m.oneway {
                ", one-way streets respected"
            } else {
                ""
            }
        );
    }
    if let Some(n) = &r.network {
        println!(
            "network: {} nodes, {} edges, {:.1} km; {} component(s), {:.1}% of the length in the largest; {} junctions, {} dead ends, {} level crossings kept apart",
            n.nodes,
            n.edges,
            n.length_km,
            n.components,
            n.largest_component_percent,
            n.build.junction_nodes,
            n.build.dead_ends,
            n.build.level_crossings_kept_apart
        );
    }
    let d = &r.demand;
    println!(
        "demand: {} — {} points, {:.0} {}",
        d.description, d.points, d.total_weight, d.weight_unit
    );
    for b in &d.age_bands {
        let served: Vec<&str> = r
            .categories
            .iter()
            .filter(|c| c.demand == b.band.to_string())
            .map(|c| c.id.as_str())
            .collect();
        println!(
            "age band {} ({}): {:.0} people at {} points — coverage of {} counts them",
            b.band,
            b.rasters.join(", "),
            b.total,
            b.points,
            if served.is_empty() {
                "no facility type".to_string()
            } else {
                served.join(", ")
            }
        );
    }
    let s = &r.snapping;
    println!(
        "snapping: demand {} snapped, {} unreachable ({:.0} {}); facilities {} snapped, {} unreachable, {} on fragments",
        s.demand_snapped,
        s.demand_unreachable,
        s.demand_unreachable_weight,
        d.weight_unit,
        s.facilities_snapped,
        s.facilities_unreachable,
        s.facilities_off_main_network
    );
    println!();
    let header: Vec<String> = r
        .tiers
        .iter()
        .map(|t| format!("{:>9}", format!("{}' {}", t.minutes, t.mode)))
        .collect();
    println!(
        "{:<34} {:>6}  {}",
        "category (town coverage)",
        "n",
        header.join(" ")
    );
    for c in &r.categories {
        let cells: Vec<String> = c
            .tiers
            .iter()
            .map(|t| format!("{:>9}", pct(&t.town)))
            .collect();
        // A category counting an age band's people says whose coverage it is.
        let band = if c.demand == "total" {
            String::new()
        } else {
            format!(" [{}]", c.demand)
        };
        println!(
            "{:<34} {:>6}  {}",
            format!("{} {}{band}", c.id, c.zh),
            c.facility_count,
            cells.join(" ")
        );
    }
    if !d.age_bands.is_empty() {
        let bands: Vec<String> = d
            .age_bands
            .iter()
            .map(|b| format!("[{}]", b.band))
            .collect();
        println!(
            "{}: coverage of that age band's people (its raster); the other types and \"all required\" count everyone",
            bands.join(" ")
        );
    }
    println!();
    for a in &r.all_required {
        if a.required.is_empty() {
            continue;
        }
        let mode = r
            .tiers
            .iter()
            .find(|t| t.minutes == a.minutes)
            .map(|t| t.mode.as_str())
            .unwrap_or_default();
        print!(
            "all required at {} min {mode} (scope {:?}): town {}",
            a.minutes,
            a.scope,
            pct(&a.coverage.town).trim()
        );
        if let Some(b) = &a.coverage.built_up {
            print!(", built-up {}", pct(b).trim());
        }
        println!();
        if !a.missing.is_empty() {
            println!(
                "  no facility in the data for: {} (缺数据? check the facility layer)",
                a.missing.join(", ")
            );
        }
        if a.coverage.villages.len() <= 40 {
            for v in &a.coverage.villages {
                println!("  {}: {}", v.village, pct(&v.coverage).trim());
            }
        }
    }
    if !r.warnings.is_empty() {
        println!();
        println!("warnings:");
        for w in &r.warnings {
            println!("  {w}");
        }
    }
}

fn source_label(s: Option<(u32, SourceId)>) -> String {
    s.map(|(_, id)| id.to_string()).unwrap_or_default()
}

/// One row per demand point: position, weight, village, then per category (and per mode when
/// tiers use several) the time in seconds (empty when not reached within the mode's largest
/// tier) and the facility (name or feature).
fn write_times(path: &Path, town: &TownAccess, input: &AccessInput<'_>) -> anyhow::Result<()> {
    let Some(first) = town.runs.first() else {
        return Ok(());
    };
    let a = &first.analysis;
    let several = town.runs.len() > 1;
    let mut w = csv::Writer::from_writer(Vec::new());
    let mut header: Vec<String> = [
        "demand", "source", "x", "y", "weight", "method", "village", "built_up", "snapped",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    // Age bands' people per point (their rasters loaded), beside the total's weight.
    for b in &a.demand.bands {
        header.push(format!("weight_{}", b.band));
    }
    for run in &town.runs {
        for ct in &run.result.categories {
            let id = a
                .taxonomy
                .get(ct.category)
                .map(|c| c.id.clone())
                .unwrap_or_default();
            let id = if several {
                format!("{id}_{}", run.analysis.mode.id)
            } else {
                id
            };
            header.push(format!("{id}_time_s"));
            header.push(format!("{id}_facility"));
        }
    }
    w.write_record(&header)?;
    let fac_label = |i: u32| -> String {
        a.facilities
            .get(i as usize)
            .map(|f| {
                let file = input
                    .facilities
                    .get(f.layer as usize)
                    .and_then(|l| l.source.path.file_name())
                    .map(|n| n.to_string_lossy().into_owned())
                    .unwrap_or_default();
                match &f.name {
                    Some(n) => format!("{n} ({file} {})", f.source),
                    None => format!("{file} {}", f.source),
                }
            })
            .unwrap_or_default()
    };
    for (i, p) in a.demand.points.iter().enumerate() {
        let mut row = vec![
            (i + 1).to_string(),
            source_label(p.origin),
            format!("{:.2}", p.xy[0]),
            format!("{:.2}", p.xy[1]),
            format!("{:.3}", p.weight),
            serde_json::to_value(p.method)?
                .as_str()
                .unwrap_or_default()
                .to_string(),
            p.village
                .and_then(|v| a.demand.villages.get(v as usize))
                .map(|v| v.name.clone())
                .unwrap_or_default(),
            p.built_up.to_string(),
            match a.method {
                Method::Network => a.demand_snaps[i].is_some().to_string(),
                Method::Euclidean => "euclidean".into(),
            },
        ];
        for b in &a.demand.bands {
            row.push(format!("{:.3}", b.weights.get(i).copied().unwrap_or(0.0)));
        }
        for run in &town.runs {
            for ct in &run.result.categories {
                let t = ct.demand_time_s[i];
                row.push(if t.is_finite() {
                    format!("{t:.1}")
                } else {
                    String::new()
                });
                let f = ct.demand_facility[i];
                row.push(if f == NO_SOURCE {
                    String::new()
                } else {
                    fac_label(f)
                });
            }
        }
        w.write_record(&row)?;
    }
    // Written whole or not at all (temporary file + rename).
    let bytes = w.into_inner().map_err(|e| anyhow::anyhow!("{e}"))?;
    towncircle::io::atomic::write_bytes(path, &bytes)?;
    Ok(())
}

fn text(s: impl Into<String>) -> AttrValue {
    AttrValue::Text(s.into())
}

/// Isochrones per category and tier, gap areas per tier (all required types, and per category),
/// and the facilities, in WGS84.
fn write_geojson(path: &Path, town: &TownAccess, working: &Crs) -> anyhow::Result<()> {
    let fields = [
        "kind",
        "category",
        "zh",
        "minutes",
        "mode",
        "method",
        "population",
        "points",
        "area_m2",
        "name",
        "snapped",
    ];
    let mut layer = Layer::new(
        "coverage",
        SourceInfo {
            path: path.to_path_buf(),
            format: Format::GeoJson,
            table: None,
            encoding: None,
        },
        CrsInfo::declared(Crs::WGS84, "output"),
    );
    layer.fields = fields
        .iter()
        .map(|n| {
            Field::new(
                *n,
                match *n {
                    "minutes" | "points" => FieldKind::Int,
                    "population" | "area_m2" => FieldKind::Float,
                    "snapped" => FieldKind::Bool,
                    _ => FieldKind::Text,
                },
            )
        })
        .collect();
    let mut feats = Vec::new();
    for (k, run) in town.runs.iter().enumerate() {
        feats.extend(run_features(run, k == 0));
    }
    let t = Transformer::new(working, &Crs::WGS84)?;
    for (n, (mut g, attrs)) in feats.into_iter().enumerate() {
        t.geometry(&mut g)?;
        layer.features.push(Feature {
            geometry: g,
            attrs,
            source_id: SourceId::Feature(n as u64 + 1),
            category: None,
        });
    }
    // Atomic: a full disk never leaves a half-written file.
    towncircle::io::geojson::write(path, &layer)?;
    Ok(())
}

/// Isochrones and gaps of one mode's tiers (and the facilities when asked), in the working CRS.
fn run_features(
    run: &ModeRun,
    with_facilities: bool,
) -> Vec<(geo_types::Geometry<f64>, Vec<AttrValue>)> {
    let (a, r) = (&run.analysis, &run.result);
    let method = match a.method {
        Method::Network => "network",
        Method::Euclidean => "euclidean (fallback)",
    };
    let attrs = |kind: &str,
                 cat: Option<(&str, &str)>,
                 minutes: Option<u32>,
                 population: Option<f64>,
                 points: Option<usize>,
                 area: Option<f64>,
                 name: Option<String>,
                 snapped: Option<bool>| {
        vec![
            text(kind),
            cat.map_or(AttrValue::Null, |c| text(c.0)),
            cat.map_or(AttrValue::Null, |c| text(c.1)),
            minutes.map_or(AttrValue::Null, |m| AttrValue::Int(i64::from(m))),
            text(a.mode.id.clone()),
            text(method),
            population.map_or(AttrValue::Null, AttrValue::Float),
            points.map_or(AttrValue::Null, |p| AttrValue::Int(p as i64)),
            area.map_or(AttrValue::Null, AttrValue::Float),
            name.map_or(AttrValue::Null, AttrValue::Text),
            snapped.map_or(AttrValue::Null, AttrValue::Bool),
        ]
    };
    let mut feats: Vec<(geo_types::Geometry<f64>, Vec<AttrValue>)> = Vec::new();
    for iso in derive::isochrones(a, r) {
        let attrs = attrs(
            "isochrone",
            Some((&iso.category.id, &iso.category.zh)),
            Some(iso.minutes),
            None,
            None,
            Some(iso.area_m2),
            None,
            None,
        );
        feats.push((iso.polygon.into(), attrs));
    }
    // Gaps: all required types per tier, then each category per tier.
    for g in derive::gaps(a, r, true) {
        let attrs = attrs(
            if g.category.is_some() {
                "gap"
            } else {
                "gap_all_required"
            },
            g.category.as_ref().map(|c| (c.id.as_str(), c.zh.as_str())),
            Some(g.minutes),
            Some(g.area.population),
            Some(g.area.points),
            Some(g.area.area_m2),
            None,
            None,
        );
        feats.push((g.area.polygon.into(), attrs));
    }
    // Facilities (once, from the first run).
    for (i, f) in a.facilities.iter().enumerate().filter(|_| with_facilities) {
        let c = a.taxonomy.get(f.category);
        feats.push((
            geo_types::Geometry::Point(geo_types::Point::new(f.xy[0], f.xy[1])),
            attrs(
                "facility",
                c.map(|c| (c.id.as_str(), c.zh.as_str())),
                None,
                None,
                None,
                None,
                f.name.clone(),
                Some(a.method == Method::Network && a.facility_snaps[i].is_some()),
            ),
        ));
    }
    feats
}
