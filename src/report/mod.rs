//! Outputs for people and programs: layer summaries now; reports, tables and maps later.

pub mod derive;
pub mod info;
