//! The ten ones (十个一) of Zhejiang's Beautiful Towns programme, each as a rule over the town's
//! layers and access results, giving a verdict (达标/基本达标/未达标/缺数据) with its evidence.
//!
//! [`result`] holds the output types shared by the rules, the report writers and the app;
//! [`context`] what the rules share; [`rules`] one file per item. Every threshold comes from the
//! profile's `[ten_ones]` section (`standards::tenones`).

pub mod context;
pub mod result;
pub mod rules;
#[cfg(test)]
pub(crate) mod test_town;

pub use result::{
    Check, Measure, Place, ProfileRef, RuleResult, TenOnesReport, ThresholdUsed, Verdict,
};

use crate::access::{AccessReport, PreparedTown};
use crate::error::{Error, Result};
use crate::model::layer::Layer;
use crate::model::{QualityKind, QualityRecord, Role, Taxonomy};
use crate::standards::Profile;
use crate::standards::profile::ten_ones_of;

/// Evaluate the ten ones of a town. `layers` are loaded and in the metric working CRS (io::load);
/// `coverage` is the living-circle coverage the caller computed (used by item 9). Errors only
/// for a profile that names a category or mode the taxonomy/profile lacks; missing data gives
/// [`Verdict::NoData`] items.
pub fn evaluate(
    layers: &[Layer],
    profile: &Profile,
    taxonomy: &Taxonomy,
    coverage: &AccessReport,
) -> Result<TenOnesReport> {
    evaluate_with(layers, profile, taxonomy, coverage, None)
}

/// [`evaluate`] on the road graph and demand the caller already built from the same roads,
/// buildings, villages, built-up area and boundary (`prepared`; facilities may differ: a
/// scenario's edited town). None: built here, once for every mode the rules use.
pub fn evaluate_with(
    layers: &[Layer],
    profile: &Profile,
    taxonomy: &Taxonomy,
    coverage: &AccessReport,
    prepared: Option<&PreparedTown>,
) -> Result<TenOnesReport> {
    let (cfg, defaulted) = ten_ones_of(profile);
    let where_ = if defaulted {
        crate::standards::profile::DEFAULT_PROFILE_PATH.to_string()
    } else {
        profile.path.display().to_string()
    };
    for (key, id) in cfg.category_ids() {
        if taxonomy.by_id(id).is_none() {
            return Err(Error::Config(format!(
                "[ten_ones] {key}: unknown facility category \"{id}\" (categories are the ids of the taxonomy, assets/categories.toml): {where_}"
            )));
        }
    }
    for mode in [&cfg.walk_mode, &cfg.drive_mode] {
        if profile.mode(mode).is_none() {
            return Err(Error::Config(format!(
                "[ten_ones] uses mode \"{mode}\", which the profile does not define: {}",
                profile.path.display()
            )));
        }
    }
    let mut ctx = context::Context::new(layers, profile, cfg, taxonomy, coverage);
    if let Some(p) = prepared {
        ctx = ctx.sharing(p);
    }
    let rules = vec![
        rules::transport::evaluate(&ctx),
        rules::greenway::evaluate(&ctx),
        rules::sewer::evaluate(&ctx),
        rules::waste::evaluate(&ctx),
        rules::commerce::evaluate(&ctx),
        rules::culture_sport::evaluate(&ctx),
        rules::education::evaluate(&ctx),
        rules::health_care::evaluate(&ctx),
        rules::living_circle::evaluate(&ctx),
        rules::governance::evaluate(&ctx),
    ];
    let mut flags = Vec::new();
    if defaulted {
        flags.push(format!(
            "profile \"{}\" has no [ten_ones] section: the ten-ones thresholds are those of the default profile ({})",
            profile.id,
            crate::standards::profile::DEFAULT_PROFILE_PATH
        ));
    }
    if ctx.euclidean() {
        flags.push(
            "EUCLIDEAN FALLBACK: no usable road network; walking and driving times are straight-line estimates".into(),
        );
    }
    for f in &coverage.flags {
        if !flags.contains(f) {
            flags.push(f.clone());
        }
    }
    Ok(TenOnesReport {
        profile: ProfileRef {
            id: profile.id.clone(),
            name: profile.name.clone(),
            version: profile.version.clone(),
            path: profile.path.display().to_string(),
        },
        rules,
        flags,
    })
}

/// The layer roles item `number` (1–10) reads, directly or through the access run (demand comes
/// from buildings, or from villages' population where there are none).
pub fn roles_used(number: u8) -> &'static [Role] {
    use Role::*;
    match number {
        1 => &[Roads, BuiltUpArea, Facilities, Villages, Buildings],
        2 => &[Greenway, BuiltUpArea, Villages],
        3 => &[Sewers, Buildings, BuiltUpArea],
        4 => &[Facilities, Buildings, Villages],
        5 | 6 => &[
            Facilities,
            Roads,
            Buildings,
            Villages,
            BuiltUpArea,
            Boundary,
        ],
        7..=9 => &[
            Facilities,
            Roads,
            Buildings,
            Villages,
            BuiltUpArea,
            Boundary,
        ],
        10 => &[Grid, Facilities, Villages, Boundary],
        _ => &[],
    }
}

/// The data-quality records that lose features of a layer item `rule` reads (a file that could
/// not be read at all, of unknown role, may have been any of them). A verdict with any is shown
/// with them: it may change once the data is whole.
pub fn quality_affecting<'a>(
    rule: &RuleResult,
    records: &'a [QualityRecord],
) -> Vec<&'a QualityRecord> {
    let used = roles_used(rule.number);
    records
        .iter()
        .filter(|r| r.loses_features)
        .filter(|r| match r.role {
            Some(role) => used.contains(&role),
            None => r.kind == QualityKind::UnreadableFile,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::access::{AccessInput, AccessOptions, Analysis};
    use crate::standards::profile::DEFAULT_PROFILE_TOML;
    use test_town::Town;

    fn coverage(t: &Town) -> AccessReport {
        let input = AccessInput::from_layers(&t.layers);
        Analysis::new(&input, &t.profile, &t.taxonomy, &AccessOptions::default())
            .expect("analysis")
            .run()
            .report
    }

    #[test]
    fn evaluates_ten_items_in_order_with_the_profile() {
        let t = Town::new(None);
        let r = evaluate(&t.layers, &t.profile, &t.taxonomy, &coverage(&t)).expect("report");
        let numbers: Vec<u8> = r.rules.iter().map(|x| x.number).collect();
        assert_eq!(numbers, (1..=10).collect::<Vec<u8>>());
        assert_eq!(r.profile.id, "zhejiang-beautiful-towns");
        assert!(r.flags.is_empty(), "{:?}", r.flags);
        // No facilities, greenway, sewer or grid: those items are no data, never pass or fail.
        for id in ["greenway", "sewer", "commerce", "education", "health_care"] {
            let rule = r.rules.iter().find(|x| x.id == id).expect(id);
            assert_eq!(rule.verdict, Verdict::NoData, "{id}");
        }
    }

    #[test]
    fn a_verdict_is_tied_to_lost_features_of_the_layers_it_reads() {
        let t = Town::new(None);
        let r = evaluate(&t.layers, &t.profile, &t.taxonomy, &coverage(&t)).expect("report");
        let mut cut = QualityRecord::new("t/行政村.shp", "行政村", QualityKind::Truncated);
        cut.role = Some(Role::Villages);
        let mut guess = QualityRecord::new("t/道路.shp", "道路", QualityKind::GuessedCrs);
        guess.role = Some(Role::Roads);
        let mut sewer = QualityRecord::new("t/管网.shp", "管网", QualityKind::SkippedFeatures);
        sewer.role = Some(Role::Sewers);
        let records = vec![cut, guess, sewer];
        let by = |id: &str| {
            let rule = r.rules.iter().find(|x| x.id == id).expect(id);
            quality_affecting(rule, &records)
                .iter()
                .map(|q| q.layer.clone())
                .collect::<Vec<_>>()
        };
        // Villages feed the living circle; a guessed CRS loses nothing; sewers feed item 3 only.
        assert_eq!(by("living_circle"), vec!["行政村"]);
        assert_eq!(by("sewer"), vec!["管网"]);
        assert!(by("greenway").contains(&"行政村".to_string()));
        let unread = vec![QualityRecord::new(
            "t/x.gpkg",
            "x",
            QualityKind::UnreadableFile,
        )];
        for rule in &r.rules {
            assert_eq!(quality_affecting(rule, &unread).len(), 1, "{}", rule.id);
        }
    }

    #[test]
    fn a_profile_without_the_section_uses_the_default_and_says_so() {
        let mut t = Town::new(None);
        let start = DEFAULT_PROFILE_TOML.find("[ten_ones]").expect("section");
        t.profile = Profile::from_toml(
            &DEFAULT_PROFILE_TOML[..start]
                .replace("id = \"zhejiang-beautiful-towns\"", "id = \"tiers-only\""),
            std::path::Path::new("tiers-only.toml"),
        )
        .expect("profile");
        let cov = coverage(&t);
        let r = evaluate(&t.layers, &t.profile, &t.taxonomy, &cov).expect("report");
        assert_eq!(r.profile.id, "tiers-only");
        assert!(
            r.flags
                .iter()
                .any(|f| f.contains("tiers-only") && f.contains("no [ten_ones]"))
        );
        assert_eq!(r.rules.len(), 10);
    }

    #[test]
    fn an_unknown_category_is_a_config_error_naming_the_key() {
        let mut t = Town::new(None);
        t.cfg().transport.bus_stop_categories = vec!["bus_stopp".into()];
        let cov = coverage(&t);
        let e = evaluate(&t.layers, &t.profile, &t.taxonomy, &cov)
            .expect_err("unknown category")
            .to_string();
        assert!(
            e.contains("transport.bus_stop_categories") && e.contains("bus_stopp"),
            "{e}"
        );
    }
}
