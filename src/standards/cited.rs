//! Values with their provenance (the tags of the domain notes: [S<n>] source, [K] to verify,
//! [P] proposed), and the line-numbered errors every part of a profile reports.

use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::error::Error;

/// Where a value comes from (the tags of the domain notes).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub enum Provenance {
    /// Found in a cited source (`S` or `S<n>`).
    Source(Option<u16>),
    /// A national-standard value known but not re-read from the official text: to verify.
    Known,
    /// A proposed default; no official number found.
    Proposed,
}

impl Provenance {
    /// What a reader should make of the tag.
    pub fn meaning(self) -> &'static str {
        match self {
            Provenance::Source(_) => "from a cited source",
            Provenance::Known => "national standard, to verify",
            Provenance::Proposed => "proposed default, not an official number",
        }
    }
}

/// A value with its provenance: `{ value = 1.0, source = "K", cite = "GB 50180-2018 ..." }`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Cited<T> {
    pub value: T,
    pub source: Provenance,
    #[serde(default)]
    pub cite: String,
}

impl<T: Copy> Cited<T> {
    /// A proposed value (for tests and code-built profiles).
    pub fn proposed(value: T, cite: &str) -> Self {
        Cited {
            value,
            source: Provenance::Proposed,
            cite: cite.into(),
        }
    }
}

/// The 1-based line of a byte offset in a profile's text.
pub(crate) fn line_of(text: &str, offset: usize) -> usize {
    let end = offset.min(text.len());
    // Count the newlines before the offset (a safe char boundary is not needed for bytes).
    text.as_bytes()[..end]
        .iter()
        .filter(|b| **b == b'\n')
        .count()
        + 1
}

/// A profile error naming the line (when known) and the file.
pub(crate) fn config_error(path: &Path, line: usize, message: impl std::fmt::Display) -> Error {
    if line > 0 {
        Error::Config(format!("line {line}: {message}: {}", path.display()))
    } else {
        Error::Config(format!("{message}: {}", path.display()))
    }
}
