//! Outputs for people and programs: layer summaries ([`info`]) and the analysis report of a
//! town ([`write::write_all`]: report.html, results.xlsx, results.gpkg, summary.json).

pub mod compare;
pub mod derive;
pub mod geopackage;
pub mod html;
mod html_fca;
mod html_kit;
mod html_quality;
mod html_scenario;
pub mod info;
pub mod maps;
pub mod summary;
pub mod town;
pub mod write;
pub mod xlsx;

pub use compare::{ScenarioComparison, Side};
pub use html_kit::{esc, verdict_badge};
pub use town::{Lang, OUTPUT_FILES, ReportData, Run, synthetic_flag, town_name};
pub use write::write_all;
