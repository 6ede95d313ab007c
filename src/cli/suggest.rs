//! `towncircle suggest`: suggested sites for new facilities of one category at one tier
//! (maximal covering or p-median, existing facilities kept), with the coverage they add, the
//! optimality gap and a 2SFCA capacity check. The JSON is documented in README.md.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{Context, bail};
use clap::Args;
use serde::Serialize;

use towncircle::access::suggest::{
    CandidateArea, CandidateInput, Goal, Model, SuggestRequest, Suggestion, check_goal,
    given_candidates, suggest,
};
use towncircle::access::{AccessInput, Coverage, TownOptions, run_town};
use towncircle::io::LoadOptions;
use towncircle::model::{CategoryId, Layer, QualityRecord, Role, Taxonomy};
use towncircle::standards::profile::{Profile, resolve_profile};

use super::InputArgs;

#[derive(Debug, Args)]
pub struct SuggestArgs {
    /// Data files whose roles are guessed from names, fields and geometry, or one project file
    /// (.towncircle): its inputs, overrides, profile and mode.
    files: Vec<PathBuf>,
    /// With a project file: suggest for its scenario (方案) NAME, its edits in place.
    #[arg(long, value_name = "NAME")]
    scenario: Option<String>,
    /// The facility category to place: its id, Chinese or English name (assets/categories.toml),
    /// e.g. health_center, 卫生院, elderly_day_care.
    #[arg(long, value_name = "CAT")]
    category: String,
    /// The tier in minutes (one of the profile's tiers: 5, 15, 30 in the shipped profile); the
    /// tier's travel mode is used.
    #[arg(long, value_name = "MIN")]
    tier: u32,
    /// How many new sites (default 1).
    #[arg(long, value_name = "K", conflicts_with = "target_percent")]
    count: Option<usize>,
    /// The fewest sites bringing the tier's coverage (existing facilities included) to P% of
    /// all people (mclp only).
    #[arg(long = "target-percent", value_name = "P")]
    target_percent: Option<f64>,
    /// mclp (maximal covering: most people newly covered) or p-median (least people-weighted
    /// travel time, capped at the tier's minutes).
    #[arg(long, default_value = "mclp", value_name = "mclp|p-median")]
    model: String,
    /// Candidate sites (points, or parcels as polygons) instead of the built-up area's network
    /// nodes; any readable format and CRS (reprojected like the town's files).
    #[arg(long, value_name = "FILE")]
    candidates: Option<PathBuf>,
    /// Candidate sites: the public-service parcels (用地地块 coded 08…, A…, C1–C4) of the town's
    /// parcel layers, instead of the network nodes.
    #[arg(long, conflicts_with = "candidates")]
    parcel_candidates: bool,
    /// Default candidates from the network nodes of the whole town (镇域) instead of the
    /// built-up area (建成区): for village facilities.
    #[arg(long)]
    whole_town: bool,
    /// Default candidates: one network node per square of this size (metres).
    #[arg(long, default_value_t = 50.0, value_name = "M")]
    cell_m: f64,
    /// Capacity of each suggested site whose candidate has none (beds, places, seats), for the
    /// 2SFCA check.
    #[arg(long, value_name = "N")]
    capacity: Option<f64>,
    /// People one capacity unit serves, for the overload check (default 1).
    #[arg(long, default_value_t = 1.0, value_name = "N")]
    persons_per_unit: f64,
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
    /// The built-up area (建成区) polygon(s).
    #[arg(long = "built-up", value_name = "FILE")]
    built_up: Vec<PathBuf>,
    /// The town boundary (镇域) polygon.
    #[arg(long, value_name = "FILE")]
    boundary: Vec<PathBuf>,
    /// One travel mode instead of the tier's own: walk, bike, ebike or car.
    #[arg(long, value_name = "MODE")]
    mode: Option<String>,
    /// A shipped standards profile by name or a profile file.
    #[arg(long, value_name = "NAME|FILE")]
    profile: Option<String>,
    /// Print JSON instead of text.
    #[arg(long)]
    json: bool,
    #[command(flatten)]
    input: InputArgs,
}

#[derive(Debug, Serialize)]
struct Output<'a> {
    working_crs: String,
    #[serde(flatten)]
    suggestion: &'a Suggestion,
    failures: Vec<String>,
    data_quality: &'a [QualityRecord],
}

/// The category named by id, Chinese or English name; the error lists them all.
fn resolve_category(taxonomy: &Taxonomy, text: &str) -> anyhow::Result<CategoryId> {
    let t = text.trim();
    let found = taxonomy
        .categories
        .iter()
        .position(|c| c.id == t || c.zh == t || c.en.eq_ignore_ascii_case(t))
        .and_then(|i| u16::try_from(i).ok())
        .map(CategoryId);
    match found {
        Some(c) => Ok(c),
        None => {
            let list: Vec<String> = taxonomy
                .categories
                .iter()
                .map(|c| format!("{} ({})", c.id, c.zh))
                .collect();
            bail!(
                "--category {text}: not a facility category of the taxonomy; use an id or name: {}",
                list.join(", ")
            )
        }
    }
}

pub fn run(args: SuggestArgs) -> anyhow::Result<ExitCode> {
    let Some(model) = Model::parse(&args.model) else {
        bail!("--model {}: use mclp or p-median", args.model);
    };
    let goal = match args.target_percent {
        Some(p) => Goal::TargetPercent(p),
        None => Goal::Count(args.count.unwrap_or(1)),
    };
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
    let (ds, options) = (&town_files.ds, &town_files.options);
    let category = resolve_category(&options.taxonomy, &args.category)?;
    let profile = match &town_files.profile_arg {
        Some(p) => resolve_profile(p)?,
        None => Profile::default(),
    };
    if profile.tier(args.tier).is_none() {
        let tiers: Vec<String> = profile
            .tiers
            .iter()
            .map(|t| format!("{} ({} {})", t.minutes, t.zh, t.mode))
            .collect();
        bail!(
            "--tier {}: the profile {} has no {}-minute tier; its tiers: {}",
            args.tier,
            profile.id,
            args.tier,
            tiers.join(", ")
        );
    }
    if !(args.cell_m.is_finite() && args.cell_m > 0.0) {
        bail!("--cell-m {}: give a positive size in metres", args.cell_m);
    }
    if args.capacity.is_some_and(|c| !(c.is_finite() && c > 0.0)) {
        bail!("--capacity: give a positive number");
    }
    if !(args.persons_per_unit.is_finite() && args.persons_per_unit > 0.0) {
        bail!("--persons-per-unit: give a positive number");
    }
    let mut request = SuggestRequest::new(category, args.tier, model, goal);
    request.capacity = args.capacity;
    request.persons_per_unit = args.persons_per_unit;
    if let CandidateInput::Network { cell_m, .. } = &mut request.candidates {
        *cell_m = args.cell_m;
    }
    check_goal(&request)?;

    let failures = town_files.failures();
    let mut data_quality = towncircle::io::quality::dataset_records(ds);

    // The planner's candidates, read like the town's files into the same working CRS.
    let candidate_layers: Vec<Layer> = match &args.candidates {
        Some(path) => {
            let opts = LoadOptions {
                working_crs: Some(ds.working_crs.clone()),
                ..options.clone()
            };
            let cds = towncircle::io::load(std::slice::from_ref(path), &opts);
            if let Some(f) = cds.failures.first() {
                bail!("--candidates {}: {}", path.display(), f.error);
            }
            data_quality.extend(towncircle::io::quality::dataset_records(&cds));
            cds.layers
        }
        None => Vec::new(),
    };
    if let Some(path) = &args.candidates {
        let refs: Vec<&Layer> = candidate_layers.iter().collect();
        request.candidates = given_candidates(&path.display().to_string(), &refs);
    }

    let input = AccessInput::from_layers(town_files.layers());
    if args.parcel_candidates {
        let candidates = towncircle::access::suggest::candidates::public_service_parcel_candidates(
            &input.parcels,
        );
        if candidates.is_empty() {
            bail!(
                "--parcel-candidates: no public-service parcel (用地地块 coded 08…, A… or C1–C4) in the town's parcel layers ({} of them)",
                input.parcels.len()
            );
        }
        request.candidates = CandidateInput::Given {
            file: "public-service parcels (用地地块)".into(),
            candidates,
        };
    }
    let town = run_town(
        &input,
        &profile,
        &options.taxonomy,
        &TownOptions {
            mode: args.mode.clone().or_else(|| town_files.mode()),
            minutes: Some(vec![args.tier]),
        },
    )
    .with_context(|| format!("profile {}", profile.id))?;
    data_quality.extend(towncircle::access::quality::records(&town.report));
    // Candidates come from the built-up area unless the whole town is asked for.
    let candidate_input = AccessInput {
        built_up: if args.whole_town {
            Vec::new()
        } else {
            input.built_up.clone()
        },
        ..input.clone()
    };
    let s = suggest(&town, &candidate_input, &request)?;
    if args.json {
        let out = Output {
            working_crs: ds.working_crs.label(),
            suggestion: &s,
            failures: failures.clone(),
            data_quality: &data_quality,
        };
        println!("{}", serde_json::to_string_pretty(&out)?);
    } else {
        print_text(&s, &ds.working_crs.label(), args.whole_town);
        println!();
        super::print_quality(&data_quality, false);
    }
    Ok(if failures.is_empty() {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}

fn pct(c: &Coverage) -> String {
    match c.percent {
        Some(p) => format!("{p:.1}%"),
        None => "—".into(),
    }
}

fn print_text(s: &Suggestion, crs: &str, whole_town: bool) {
    let model = match s.model {
        Model::Mclp => "最大覆盖 / maximal covering (MCLP)",
        Model::PMedian => "p 中值 / p-median",
    };
    println!(
        "建议选址 / Suggested sites: {} {} ({}), {} 分钟 / min, {}",
        s.category.zh, s.category.en, s.category.id, s.minutes, s.mode
    );
    println!("模型 / model: {model}");
    if let Some(t) = s.target_percent {
        println!("目标 / target: {t}% 覆盖 / covered");
    }
    let c = &s.candidates;
    print!(
        "候选点 / candidates: {} / {}",
        c.area.describe(true),
        c.area.describe(false)
    );
    if let Some(f) = &c.file {
        print!(" {f}");
    }
    if c.area == CandidateArea::Boundary && !whole_town {
        print!(" (无建成区图层 / no built-up area layer)");
    }
    print!(": {} → {}", c.found, c.kept);
    if let Some(cell) = c.cell_m {
        print!(" (每 {cell:.0} m 方格一个 / one per {cell:.0} m square)");
    }
    println!(
        "; {} 在路网上 / on the network, {} 超出吸附距离已跳过 / beyond the snap distance, skipped",
        c.usable, c.beyond_snap
    );
    println!(
        "现状 / existing: {} 处设施 / facilities ({} 无法到达 / unreachable); 覆盖 / covered {:.0} / {:.0} 人 persons ({})",
        s.existing_facilities,
        s.existing_unreachable,
        s.before.town.covered_weight,
        s.before.town.demand_total,
        pct(&s.before.town)
    );
    println!();
    println!(
        "{:>3}  {:>24}  {:>12}  {:>9}  {:>14}  {:>10}  名称 / name",
        "#",
        format!("x, y ({crs})"),
        "新增 / added",
        "累计 / cum.",
        "服务 / serves",
        "容量 / cap."
    );
    for site in &s.sites {
        let cap = match (site.capacity, site.overloaded) {
            (Some(c), Some(true)) => format!("{c:.0} 超载!"),
            (Some(c), _) => format!("{c:.0}"),
            (None, _) => "—".into(),
        };
        println!(
            "{:>3}  {:>24}  {:>12}  {:>9}  {:>14}  {:>10}  {}",
            site.rank,
            format!("{:.1}, {:.1}", site.xy[0], site.xy[1]),
            format!("+{:.0}", site.added_weight),
            site.cumulative_percent
                .map(|p| format!("{p:.1}%"))
                .unwrap_or_default(),
            format!("{:.0}", site.demand_served),
            cap,
            site.name.as_deref().unwrap_or("")
        );
    }
    println!();
    print!(
        "建议后 / after: 覆盖 / covered {:.0} 人 persons ({}; +{:.0})",
        s.after.town.covered_weight,
        pct(&s.after.town),
        s.added_weight
    );
    if let (Some(b0), Some(b1)) = (&s.before.built_up, &s.after.built_up) {
        print!("; 建成区 / built-up {} → {}", pct(b0), pct(b1));
    }
    println!();
    if let Some(o) = &s.optimality {
        println!(
            "最优性 / optimality: 贪心 / greedy +{:.0} → 交换后 / after {} swaps +{:.0}; 上界 / upper bound +{:.0}: 距最优 ≤ {:.2}% / within {:.2}% of the optimum",
            o.greedy_weight, o.swaps, o.weight, o.upper_bound_weight, o.gap_percent, o.gap_percent
        );
        if let Some(p) = o.fewest_proven {
            println!(
                "{}",
                if p {
                    "站点数已证明最少 / the number of sites is proven minimal"
                } else {
                    "站点数未证明最少（少一处的上界仍达目标）/ not proven minimal (the bound for one site fewer still reaches the target)"
                }
            );
        }
    }
    if let Some(m) = &s.p_median {
        println!(
            "平均出行时间 / mean travel time (≤ {:.0} s): {:.0} s → {:.0} s ({} swaps)",
            m.cap_s, m.mean_time_before_s, m.mean_time_after_s, m.swaps
        );
    }
    if let Some(c) = &s.capacity {
        println!(
            "容量 / capacity (2SFCA, 每千人 / per 1,000): 镇域 / town {} → {}; 超载 / overloaded {} → {}",
            c.before
                .town_index_per_1000
                .map(|v| format!("{v:.2}"))
                .unwrap_or("—".into()),
            c.after
                .town_index_per_1000
                .map(|v| format!("{v:.2}"))
                .unwrap_or("—".into()),
            c.before.overloaded,
            c.after.overloaded
        );
    }
    if !s.warnings.is_empty() {
        println!();
        println!("警告 / warnings:");
        for w in &s.warnings {
            println!("  {w}");
        }
    }
}
