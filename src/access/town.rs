//! One call for a whole town: every tier with its own travel mode (the profile's `mode` of the
//! tier, unless one mode is forced for all), the road graph and the demand built once and shared
//! by the analyses of every mode. The CLI, the report writers and the GUI call [`run_town`].

use crate::error::{Error, Result};
use crate::model::{CategoryId, Taxonomy};
use crate::standards::profile::Profile;

use super::input::{AccessInput, AccessOptions, Method};
use super::prepared::PreparedTown;
use super::result::{AccessReport, AccessResult, Analysis, CategoryTimes};

/// What to compute for a town.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct TownOptions {
    /// One mode for every tier (`--mode`); None = each tier's mode from the profile.
    pub mode: Option<String>,
    /// Tier minutes; None = the profile's tiers. A tier the profile does not define uses
    /// [`default_mode`].
    pub minutes: Option<Vec<u32>>,
}

/// One mode's analysis (its tiers only) and its results.
#[derive(Debug, Clone)]
pub struct ModeRun {
    pub analysis: Analysis,
    pub result: AccessResult,
}

/// Every tier of a town with its mode: the per-mode runs and one merged report.
#[derive(Debug, Clone)]
pub struct TownAccess {
    /// One run per mode, in the order of their smallest tier.
    pub runs: Vec<ModeRun>,
    /// All tiers, each computed with its mode (`tiers[i].mode`).
    pub report: AccessReport,
}

impl TownAccess {
    /// The run that computed the tier of `minutes`.
    pub fn run_of(&self, minutes: u32) -> Option<&ModeRun> {
        self.runs
            .iter()
            .find(|r| r.analysis.tiers.iter().any(|t| t.minutes == minutes))
    }

    /// Times of every demand point to `category`, for the tier of `minutes` (its mode).
    pub fn times(&self, minutes: u32, category: CategoryId) -> Option<&CategoryTimes> {
        self.run_of(minutes)?
            .result
            .categories
            .iter()
            .find(|c| c.category == category)
            .map(|c| &**c)
    }
}

/// The mode of a tier the profile does not define: walk when the profile has it, else the
/// profile's first tier's mode, else its first mode.
pub fn default_mode(profile: &Profile) -> Option<String> {
    if profile.mode("walk").is_some() {
        return Some("walk".into());
    }
    profile
        .tiers
        .first()
        .map(|t| t.mode.clone())
        .or_else(|| profile.modes.first().map(|m| m.id.clone()))
}

/// Analyse a town: each tier with its mode, the graph built once. Errors for a bad profile,
/// mode or tier list; bad data gives warnings and flags as in [`Analysis::new`].
pub fn run_town(
    input: &AccessInput<'_>,
    profile: &Profile,
    taxonomy: &Taxonomy,
    options: &TownOptions,
) -> Result<TownAccess> {
    let minutes: Vec<u32> = match &options.minutes {
        Some(m) => {
            let mut m = m.clone();
            m.sort_unstable();
            m.dedup();
            if m.is_empty() || m.contains(&0) {
                return Err(Error::Config(
                    "tier minutes must be positive numbers, e.g. 5,15,30".into(),
                ));
            }
            m
        }
        None => profile.tiers.iter().map(|t| t.minutes).collect(),
    };
    let fallback = default_mode(profile);
    // Group the tiers by mode, in the order of their smallest tier.
    let mut groups: Vec<(String, Vec<u32>)> = Vec::new();
    for m in &minutes {
        let mode = match (&options.mode, profile.tier(*m)) {
            (Some(forced), _) => forced.clone(),
            (None, Some(t)) => t.mode.clone(),
            (None, None) => fallback.clone().ok_or_else(|| {
                Error::Config(format!(
                    "the profile defines no travel mode for a {m}-minute tier: {}",
                    profile.path.display()
                ))
            })?,
        };
        match groups.iter_mut().find(|(id, _)| *id == mode) {
            Some((_, tiers)) => tiers.push(*m),
            None => groups.push((mode, vec![*m])),
        }
    }
    if groups.is_empty() {
        // A profile without tiers: one run of the default mode, no tiers.
        groups.push((
            options
                .mode
                .clone()
                .or(fallback)
                .unwrap_or_else(|| "walk".into()),
            Vec::new(),
        ));
    }
    // Check every mode before building anything.
    for (mode, _) in &groups {
        crate::network::TravelMode::from_profile(profile, mode)?;
    }
    let prepared = PreparedTown::new(input, profile);
    run_groups(&prepared, input, profile, taxonomy, &groups)
}

/// The runs of `base` (the same modes, tiers and categories) again on `input`, other layers of
/// the same town whose roads and demand are unchanged — a scenario's edited facilities —, on
/// the road graph and demand of `base` (not built again when it has one). Every figure then
/// comes from `input`'s facilities: their list, positions, capacities and coverage, as
/// [`run_town`] on the edited layers gives them.
pub fn rerun_town(
    base: &[&Analysis],
    input: &AccessInput<'_>,
    profile: &Profile,
    taxonomy: &Taxonomy,
) -> Result<TownAccess> {
    let groups: Vec<(String, Vec<u32>)> = base
        .iter()
        .map(|a| {
            (
                a.mode.id.clone(),
                a.tiers.iter().map(|t| t.minutes).collect(),
            )
        })
        .collect();
    let prepared = base
        .iter()
        .find_map(|a| PreparedTown::of_analysis(a))
        .unwrap_or_else(|| PreparedTown::new(input, profile));
    let mut town = run_groups(&prepared, input, profile, taxonomy, &groups)?;
    // A category the base evaluated stays in (with no facility left, its coverage is 0).
    let missing: Vec<CategoryId> = base
        .iter()
        .flat_map(|a| a.categories.iter().copied())
        .filter(|c| !town.runs.iter().any(|r| r.analysis.categories.contains(c)))
        .collect();
    if !missing.is_empty() {
        for r in &mut town.runs {
            r.analysis.categories.extend(&missing);
            r.analysis.categories.sort_unstable();
            r.analysis.categories.dedup();
            r.result = r.analysis.run();
        }
        town.report = merge_reports(town.runs.iter().map(|r| &r.result.report))
            .ok_or_else(|| Error::Config("no travel mode to run".into()))?;
    }
    Ok(town)
}

/// One analysis per (mode, tiers) group on `prepared`, every category in each, run, merged.
fn run_groups(
    prepared: &PreparedTown,
    input: &AccessInput<'_>,
    profile: &Profile,
    taxonomy: &Taxonomy,
    groups: &[(String, Vec<u32>)],
) -> Result<TownAccess> {
    let mut analyses = groups
        .iter()
        .map(|(mode, tiers)| {
            Analysis::with_prepared(
                prepared,
                input,
                profile,
                taxonomy,
                &AccessOptions {
                    mode: mode.clone(),
                    minutes: (!tiers.is_empty()).then(|| tiers.clone()),
                },
            )
        })
        .collect::<Result<Vec<Analysis>>>()?;
    // Every run evaluates the same categories, so the merged report has each at every tier.
    let mut categories: Vec<CategoryId> = analyses
        .iter()
        .flat_map(|a| a.categories.iter().copied())
        .collect();
    categories.sort_unstable();
    categories.dedup();
    for a in &mut analyses {
        a.categories = categories.clone();
    }
    let runs: Vec<ModeRun> = analyses
        .into_iter()
        .map(|analysis| {
            let result = analysis.run();
            ModeRun { analysis, result }
        })
        .collect();
    let report = merge_reports(runs.iter().map(|r| &r.result.report))
        .ok_or_else(|| Error::Config("no travel mode to run (the profile has no modes)".into()))?;
    Ok(TownAccess { runs, report })
}

fn push_unique(into: &mut Vec<String>, from: &[String]) {
    for s in from {
        if !into.contains(s) {
            into.push(s.clone());
        }
    }
}

/// One report from the runs of several modes: tiers, category coverage and all-required
/// coverage in order of minutes; flags and warnings of every run (once each).
pub(crate) fn merge_reports<'r>(
    mut reports: impl Iterator<Item = &'r AccessReport>,
) -> Option<AccessReport> {
    let mut report = reports.next()?.clone();
    for other in reports {
        if other.method == Method::Euclidean {
            report.method = Method::Euclidean;
        }
        push_unique(&mut report.flags, &other.flags);
        push_unique(&mut report.warnings, &other.warnings);
        if report.network.is_none() {
            report.network.clone_from(&other.network);
        }
        report.tiers.extend(other.tiers.iter().cloned());
        report
            .all_required
            .extend(other.all_required.iter().cloned());
        report.modes.extend(other.modes.iter().cloned());
        for c in &mut report.categories {
            if let Some(o) = other.categories.iter().find(|o| o.id == c.id) {
                c.tiers.extend(o.tiers.iter().cloned());
                c.facilities_unreachable = c.facilities_unreachable.max(o.facilities_unreachable);
            }
        }
    }
    report.tiers.sort_by_key(|t| t.minutes);
    report.all_required.sort_by_key(|t| t.minutes);
    for c in &mut report.categories {
        c.tiers.sort_by_key(|t| t.minutes);
    }
    Some(report)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::access::test_support::*;
    use crate::model::Layer;

    fn cat(id: &str) -> CategoryId {
        Taxonomy::default().by_id(id).expect("category")
    }

    /// A town centre with a health centre and a village 3 km along the road: 50 minutes on
    /// foot, 10 minutes by e-bike (5 m/s). A home in the centre is 100 m from it.
    fn centre_and_village() -> Vec<Layer> {
        let h = cat("health_center");
        vec![
            roads(&[(&[[0.0, 0.0], [3000.0, 0.0]], "residential", "")]),
            facilities(&[([0.0, 5.0], h)]),
            homes(&[([100.0, 5.0], 20.0), ([3000.0, 5.0], 7.0)]),
        ]
    }

    /// Rerunning a town's runs on edited facilities (one more health centre by the village,
    /// the first one gone) gives what a fresh run of the edited layers gives: the same modes
    /// and tiers, facility lists and coverage — while the base's figures differ.
    #[test]
    fn a_rerun_on_edited_facilities_equals_a_fresh_run() {
        let h = cat("health_center");
        let base_layers = centre_and_village();
        let base = town(&base_layers, &TownOptions::default());
        let mut edited = base_layers.clone();
        edited[1] = facilities(&[([2990.0, 5.0], h)]);
        let analyses: Vec<&Analysis> = base.runs.iter().map(|r| &r.analysis).collect();
        let rerun = rerun_town(
            &analyses,
            &AccessInput::from_layers(&edited),
            &Profile::default(),
            &Taxonomy::default(),
        )
        .expect("rerun");
        let fresh = town(&edited, &TownOptions::default());
        assert_eq!(rerun.runs.len(), fresh.runs.len());
        for (r, f) in rerun.runs.iter().zip(&fresh.runs) {
            assert_eq!(r.analysis.mode.id, f.analysis.mode.id);
            let xy: Vec<[f64; 2]> = r.analysis.facilities.iter().map(|f| f.xy).collect();
            assert_eq!(xy, [[2990.0, 5.0]]);
            assert_eq!(
                r.result.report.categories, f.result.report.categories,
                "{}",
                r.analysis.mode.id
            );
        }
        assert_eq!(rerun.report.all_required, fresh.report.all_required);
        assert_ne!(
            rerun.report.categories, base.report.categories,
            "the edit changes coverage"
        );
    }

    fn town(layers: &[Layer], options: &TownOptions) -> TownAccess {
        run_town(
            &AccessInput::from_layers(layers),
            &Profile::default(),
            &Taxonomy::default(),
            options,
        )
        .expect("town")
    }

    fn covered(t: &TownAccess, id: &str, minutes: u32) -> f64 {
        let c = t
            .report
            .categories
            .iter()
            .find(|c| c.id == id)
            .expect("category");
        c.tiers
            .iter()
            .find(|s| s.minutes == minutes)
            .expect("tier")
            .town
            .covered_weight
    }

    #[test]
    fn each_tier_uses_its_profile_mode_on_one_graph() {
        let layers = centre_and_village();
        let t = town(&layers, &TownOptions::default());
        // The shipped profile: 5 and 15 minutes walking, 30 minutes by e-bike.
        let modes: Vec<(u32, &str)> = t
            .report
            .tiers
            .iter()
            .map(|x| (x.minutes, x.mode.as_str()))
            .collect();
        assert_eq!(modes, vec![(5, "walk"), (15, "walk"), (30, "ebike")]);
        assert_eq!(t.runs.len(), 2);
        assert_eq!(t.report.modes.len(), 2);
        assert_eq!(t.report.modes[1].tiers, vec![30]);
        // The village is covered at 30 minutes by e-bike (3 km at 5 m/s + two 5 m walked legs =
        // 610 s); walking it would be 50 minutes.
        assert_eq!(covered(&t, "health_center", 5), 20.0);
        assert_eq!(covered(&t, "health_center", 30), 27.0);
        let ebike = t.times(30, cat("health_center")).expect("times");
        assert!((ebike.demand_time_s[1] - 610.0).abs() < 1e-6, "{:?}", ebike);
        // One graph, shared: both runs point at the same allocation.
        let g: Vec<_> = t
            .runs
            .iter()
            .map(|r| r.analysis.network.as_ref().expect("network").graph.clone())
            .collect();
        assert!(std::sync::Arc::ptr_eq(&g[0], &g[1]));
        // No "this run uses another mode" warning when each tier has its own mode.
        assert!(
            !t.report
                .warnings
                .iter()
                .any(|w| w.contains("this run uses"))
        );
        // Every category is reported at every tier, in order.
        for c in &t.report.categories {
            let m: Vec<u32> = c.tiers.iter().map(|s| s.minutes).collect();
            assert_eq!(m, vec![5, 15, 30], "{}", c.id);
        }
        let m: Vec<u32> = t.report.all_required.iter().map(|s| s.minutes).collect();
        assert_eq!(m, vec![5, 15, 30]);
    }

    #[test]
    fn a_forced_mode_applies_to_every_tier() {
        let layers = centre_and_village();
        let t = town(
            &layers,
            &TownOptions {
                mode: Some("walk".into()),
                minutes: None,
            },
        );
        assert_eq!(t.runs.len(), 1);
        assert!(t.report.tiers.iter().all(|x| x.mode == "walk"));
        // Walking, the village is 50 minutes away: not covered at 30.
        assert_eq!(covered(&t, "health_center", 30), 20.0);
        assert!(
            t.report
                .warnings
                .iter()
                .any(|w| w.contains("30-minute tier for mode \"ebike\"")),
            "{:?}",
            t.report.warnings
        );
        // Minutes the profile does not define use the default mode (walk).
        let t = town(
            &layers,
            &TownOptions {
                mode: None,
                minutes: Some(vec![60, 10]),
            },
        );
        let modes: Vec<(u32, &str)> = t
            .report
            .tiers
            .iter()
            .map(|x| (x.minutes, x.mode.as_str()))
            .collect();
        assert_eq!(modes, vec![(10, "walk"), (60, "walk")]);
        assert_eq!(covered(&t, "health_center", 60), 27.0);
        // A bad mode or tier list is an error, not a panic.
        let input = AccessInput::from_layers(&layers);
        for o in [
            TownOptions {
                mode: Some("plane".into()),
                minutes: None,
            },
            TownOptions {
                mode: None,
                minutes: Some(vec![0]),
            },
        ] {
            assert!(run_town(&input, &Profile::default(), &Taxonomy::default(), &o).is_err());
        }
    }
}
