//! Outputs for people and programs: layer summaries ([`info`]) and the analysis report of a
//! town ([`town::write_all`]: report.html, results.xlsx, results.gpkg, summary.json).

pub mod derive;
pub mod geopackage;
pub mod html;
pub mod info;
pub mod maps;
pub mod summary;
pub mod town;
pub mod xlsx;

pub use town::{Lang, OUTPUT_FILES, ReportData, Run, synthetic_flag, town_name, write_all};
