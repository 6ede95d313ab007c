//! The generator proper: builds 清溪镇 in local metres (origin at the south-west corner of the
//! town's street grid, x east, y north). `super` shifts it into EPSG:4549 and makes layers.
//!
//! The plan is fixed (it is what makes the planted gaps true); the seed moves vertices, sizes,
//! populations and small offsets within margins the tests check.

mod build;
mod land;
mod places;
mod plan;
mod roads;
mod town_buildings;
mod utilities;
mod village_buildings;

pub use super::data::*;
pub use build::build;
pub use places::TOWN_WALK_RULES_M;
#[cfg(test)]
pub use places::exempt_rule;
pub use plan::*;
