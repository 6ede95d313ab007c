//! Facility categories (the taxonomy) and the rules that assign features to them.

use serde::{Deserialize, Serialize};

/// Index of a category in its [`Taxonomy`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct CategoryId(pub u16);

/// A facility category.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Category {
    pub id: String,
    pub name_zh: String,
    pub name_en: String,
}

/// All categories and the rules that map features to them.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct Taxonomy {
    pub categories: Vec<Category>,
}
