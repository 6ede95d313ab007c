//! The ten ones (十个一) of Zhejiang's Beautiful Towns programme, each as a rule over the town's
//! layers and access results, giving a verdict (达标/基本达标/未达标/缺数据) with its evidence.
//!
//! [`result`] holds the output types shared by the rules, the report writers and the app.

pub mod result;

pub use result::{
    Check, Measure, Place, ProfileRef, RuleResult, TenOnesReport, ThresholdUsed, Verdict,
};
