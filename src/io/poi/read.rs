//! Reading a POI table (CSV or XLSX) into one point layer.

use super::csv_text::{decode, read_csv_text};
use super::layer::build_layer;
use super::xlsx::read_workbook;
use super::*;

/// Read a POI table (CSV, XLSX or XLS) into one point layer in the file's own CRS.
pub fn read(path: &Path, options: &ReadOptions) -> Result<Layer> {
    let bytes = std::fs::read(path).map_err(|e| IoError::open(path, e))?;
    match crate::io::format_of(path) {
        Some(Format::Xlsx) => {
            let (sheet, table) = read_workbook(path, bytes)?;
            build_layer(path, Format::Xlsx, Some(sheet), None, table, options)
        }
        _ => {
            let (text, encoding) = decode(&bytes, options.encoding);
            let mut table = read_csv_text(&text);
            if let Some(w) = &encoding.1 {
                table.issues.push(Issue::warning(None, w.clone()));
            }
            build_layer(path, Format::Csv, None, Some(encoding.0), table, options)
        }
    }
}
