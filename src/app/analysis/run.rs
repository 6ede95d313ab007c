//! The analysis jobs (worker threads): loading the profile, running the access engine and the ten ones, writing the report.

use super::*;

/// Write the four report files of `towncircle analyze` for the last analysis. A scenario's
/// report is computed afresh on its edited layers (the base's graph and demand reused), as
/// `analyze --scenario` computes it: its facility list, maps, capacities (2SFCA) and coverage
/// are then all the scenario's — the live engine's figures equal it (property-tested).
pub fn write_report(
    input: &ReportInput,
    progress: &dyn Progress,
) -> Result<ReportWritten, Cancelled> {
    Cancelled::check(progress)?;
    let layers: Vec<Layer> = input.layers.iter().map(|l| Layer::clone(l)).collect();
    let sources: Vec<PathBuf> = layers.iter().map(|l| l.source.path.clone()).collect();
    let town = crate::report::town_name(&layers, &sources);
    let scenario_runs;
    let (run_list, report) = match &input.scenario {
        None => (&input.runs, &input.report),
        Some(_) => {
            let base: Vec<&crate::access::Analysis> =
                input.runs.iter().map(|r| r.analysis.as_ref()).collect();
            let Some(first) = input.runs.first() else {
                return Ok(Err("no analysis to report".into()));
            };
            let taxonomy = &first.analysis.taxonomy;
            let access = match crate::access::rerun_town(
                &base,
                &access_input(&input.layers),
                &input.profile,
                taxonomy,
            ) {
                Ok(t) => t,
                Err(e) => return Ok(Err(e.to_string())),
            };
            scenario_runs = (shared_runs(access.runs), access.report);
            (&scenario_runs.0, &scenario_runs.1)
        }
    };
    Cancelled::check(progress)?;
    let runs = run_list
        .iter()
        .map(|r| crate::report::Run {
            analysis: &r.analysis,
            result: &r.result,
        })
        .collect();
    let data = crate::report::ReportData::new(
        town,
        &layers,
        input.working_crs.clone(),
        runs,
        report,
        input.tenones.as_ref(),
        &input.profile,
    );
    let mut data = match data {
        Ok(d) => d,
        Err(e) => return Ok(Err(e.to_string())),
    };
    if let Some(flag) = crate::report::synthetic_flag(&sources, input.lang) {
        data.flags.push(flag);
    }
    if let Some(s) = &input.scenario {
        use crate::report::compare::{ScenarioComparison, Side, scenario_flag};
        let (base_runs, scen_runs) = (run_pairs(&s.base_runs), run_pairs(run_list));
        data.flags
            .push(scenario_flag(&s.name, s.edits.len(), input.lang));
        data.scenario = Some(ScenarioComparison::new(
            s.name.clone(),
            None,
            s.edits.clone(),
            Vec::new(),
            Side {
                report: &s.base_report,
                runs: &base_runs,
                tenones: s.base_tenones.as_ref(),
            },
            Side {
                report,
                runs: &scen_runs,
                tenones: input.tenones.as_ref(),
            },
        ));
    }
    Cancelled::check(progress)?;
    Ok(crate::report::write_all(&data, input.lang, &input.dir)
        .map(|files| (input.dir.clone(), files))
        .map_err(|e| e.to_string()))
}

/// A town's runs as the app keeps them (shared between the panel, jobs and scenarios).
fn shared_runs(runs: Vec<crate::access::ModeRun>) -> Vec<Arc<Run>> {
    runs.into_iter()
        .map(|r| {
            Arc::new(Run {
                analysis: Arc::new(r.analysis),
                result: r.result,
            })
        })
        .collect()
}

/// The runs as (analysis, result) pairs, as the report's comparison reads them.
fn run_pairs(runs: &[Arc<Run>]) -> Vec<(&crate::access::Analysis, &AccessResult)> {
    runs.iter()
        .map(|r| (r.analysis.as_ref(), &r.result))
        .collect()
}

/// Load the chosen profile.
pub fn load_profile(choice: &ProfileChoice) -> Result<Profile, String> {
    match choice {
        ProfileChoice::Shipped => Ok(Profile::default()),
        ProfileChoice::Named(n) => {
            crate::standards::profile::resolve_profile(n).map_err(|e| e.to_string())
        }
        ProfileChoice::File(p) => Profile::from_file(p).map_err(|e| e.to_string()),
    }
}

/// The town's layers sorted by role, for the engine.
pub fn access_input(layers: &[Arc<Layer>]) -> AccessInput<'_> {
    let mut input = AccessInput::default();
    for l in layers {
        let l = l.as_ref();
        match l.role {
            Some(Role::Roads) => input.roads.push(l),
            Some(Role::Facilities) => input.facilities.push(l),
            Some(Role::Buildings) => input.buildings.push(l),
            Some(Role::Villages) => input.villages.push(l),
            Some(Role::BuiltUpArea) => input.built_up.push(l),
            Some(Role::Boundary) => input.boundary.push(l),
            Some(Role::Population) => input.population.push(l),
            _ => {}
        }
    }
    input
}

/// Run the access engine on `layers` (working CRS) with `settings` (each tier in its mode, or one
/// mode for all: [`run_town`]), then the ten ones and the overlays. Stops between steps when
/// cancelled; a bad profile or mode is an error message.
pub fn run_analysis(
    layers: &[Arc<Layer>],
    profile: &Profile,
    taxonomy: &Taxonomy,
    settings: &AnalysisSettings,
    town: Option<GeoRect<f64>>,
    progress: &dyn Progress,
) -> Result<Result<AnalysisOutput, String>, Cancelled> {
    let started = std::time::Instant::now();
    let minutes: Vec<u32> = settings
        .tiers
        .iter()
        .filter(|(_, on)| *on)
        .map(|(m, _)| *m)
        .collect();
    if minutes.is_empty() {
        return Ok(Err(Lang::En.t(tx::NO_TIERS).into()));
    }
    let options = TownOptions {
        mode: match &settings.mode {
            ModeChoice::PerTier => None,
            ModeChoice::One(m) => Some(m.clone()),
        },
        minutes: Some(minutes),
    };
    progress.set_message("access");
    progress.set_fraction(0.05);
    let input = access_input(layers);
    let facility_layers: Vec<(PathBuf, String)> = input
        .facilities
        .iter()
        .map(|l| (l.source.path.clone(), l.name.clone()))
        .collect();
    let town_access = match run_town(&input, profile, taxonomy, &options) {
        Ok(t) => t,
        Err(e) => return Ok(Err(e.to_string())),
    };
    Cancelled::check(progress)?;
    progress.set_message("十个一");
    progress.set_fraction(0.6);
    // The rules read plain layers: a copy for this thread.
    let owned: Vec<Layer> = layers.iter().map(|l| Layer::clone(l)).collect();
    // The rules' analyses share the graph and demand the access run built.
    let prepared = town_access
        .runs
        .iter()
        .find_map(|r| PreparedTown::of_analysis(&r.analysis));
    let tenones = match evaluate_with(
        &owned,
        profile,
        taxonomy,
        &town_access.report,
        prepared.as_ref(),
    ) {
        Ok(t) => Some(t),
        Err(e) => return Ok(Err(e.to_string())),
    };
    let mut data_quality: Vec<crate::model::QualityRecord> = owned
        .iter()
        .flat_map(crate::io::quality::layer_records)
        .collect();
    data_quality.extend(crate::access::quality::records(&town_access.report));
    drop(owned);
    Cancelled::check(progress)?;
    progress.set_message("overlays");
    progress.set_fraction(0.8);
    let report = town_access.report;
    let runs = shared_runs(town_access.runs);
    let overlays = build_overlays(
        &runs,
        layers,
        &settings.overlay_category,
        settings.overlay_minutes,
        town,
        progress,
    )?;
    let overlays = crate::app::doc::prepare_overlays(overlays);
    progress.set_fraction(1.0);
    Ok(Ok(AnalysisOutput {
        runs,
        report,
        tenones,
        overlays,
        seconds: started.elapsed().as_secs_f64(),
        data_quality,
        facility_layers,
    }))
}
