//! Plain data: layers of features in one metric working CRS, facility categories, layer roles.

pub mod ageband;
pub mod category;
mod classify;
mod guess;
pub mod landuse;
pub mod layer;
pub mod quality;
pub mod role;
pub mod source;
pub mod validate;

pub use ageband::AgeBand;
pub use category::{Category, CategoryId, Taxonomy};
pub use guess::guess_role;
pub use layer::{
    AttrValue, Feature, Field, FieldKind, Format, GeometryKind, Issue, Layer, Severity, SourceInfo,
};
pub use quality::{IssueKind, QualityKind, QualityRecord};
pub use role::Role;
