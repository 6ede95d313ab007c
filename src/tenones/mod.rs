//! The ten ones (十个一) of Zhejiang's Beautiful Towns programme, each as a rule over the town's
//! layers and access results, giving a verdict (达标/基本达标/未达标/缺数据) with its evidence.
//!
//! [`result`] holds the output types shared by the rules, the report writers and the app;
//! [`context`] what the rules share; [`rules`] one file per item. Every threshold comes from the
//! profile's `[ten_ones]` section (`standards::tenones`).

pub mod context;
pub mod result;
pub mod rules;

pub use result::{
    Check, Measure, Place, ProfileRef, RuleResult, TenOnesReport, ThresholdUsed, Verdict,
};

use crate::access::AccessReport;
use crate::error::{Error, Result};
use crate::model::Taxonomy;
use crate::model::layer::Layer;
use crate::standards::Profile;
use crate::standards::tenones::ten_ones_of;

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
    let ctx = context::Context::new(layers, profile, cfg, taxonomy, coverage);
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
