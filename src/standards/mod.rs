//! Standards profiles (assets/standards/*.toml): every threshold, speed and assumption the
//! analysis uses, with its provenance.

pub mod cited;
pub mod profile;

pub use profile::{Cited, Profile, Provenance, RoadClassId, Scope, Tier};
pub mod tenones;
