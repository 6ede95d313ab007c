//! A POI table as read: header and rows of cells (text or number) with their line or row numbers.

use super::*;

/// A cell as read: spreadsheets give numbers, CSV gives text.
#[derive(Debug, Clone, PartialEq)]
pub(super) enum Cell {
    Empty,
    Num(f64),
    Text(String),
}

impl Cell {
    pub(super) fn text(s: &str) -> Cell {
        let t = s.trim();
        if t.is_empty() {
            Cell::Empty
        } else {
            Cell::Text(t.to_string())
        }
    }
    pub(super) fn is_empty(&self) -> bool {
        matches!(self, Cell::Empty)
    }
    pub(super) fn display(&self) -> String {
        match self {
            Cell::Empty => String::new(),
            Cell::Num(v) => v.to_string(),
            Cell::Text(s) => s.clone(),
        }
    }
}

/// A table read from a file: headers and data rows with their source ids.
pub(super) struct Table {
    pub(super) headers: Vec<String>,
    pub(super) rows: Vec<(SourceId, Vec<Cell>)>,
    pub(super) issues: Vec<Issue>,
}
