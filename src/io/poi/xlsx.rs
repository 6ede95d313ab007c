//! XLSX/XLS workbooks: the first sheet with data, read as cells, within bounds.

use super::table::{Cell, Table};
use super::*;

/// A spreadsheet cell as a [`Cell`]; dates become ISO text.
pub(super) fn sheet_cell(d: &calamine::Data) -> Cell {
    use calamine::Data;
    match d {
        Data::Empty => Cell::Empty,
        Data::Int(i) => Cell::Num(*i as f64),
        Data::Float(f) => Cell::Num(*f),
        Data::String(s) => Cell::text(s),
        Data::Bool(b) => Cell::Text(b.to_string()),
        Data::DateTime(dt) if dt.is_datetime() => {
            let (y, mo, day, h, mi, s, _) = dt.to_ymd_hms_milli();
            if (h, mi, s) == (0, 0, 0) {
                Cell::Text(format!("{y:04}-{mo:02}-{day:02}"))
            } else {
                Cell::Text(format!("{y:04}-{mo:02}-{day:02} {h:02}:{mi:02}:{s:02}"))
            }
        }
        Data::DateTime(dt) => Cell::Num(dt.as_f64()),
        Data::DateTimeIso(s) | Data::DurationIso(s) => Cell::text(s),
        Data::Error(_) => Cell::Empty,
    }
}

/// Open a workbook from its bytes, by the extension first and then by content.
pub(super) fn open_workbook(
    path: &Path,
    bytes: Vec<u8>,
) -> Result<calamine::Sheets<Cursor<Vec<u8>>>> {
    use calamine::{Sheets, Xls, Xlsx, open_workbook_from_rs};
    if let Some(unpacked) = zip_unpacked_bytes(&bytes)
        && unpacked > MAX_UNPACKED_BYTES
    {
        return Err(IoError::invalid(
            path,
            Location::File,
            format!(
                "the workbook would unpack to {} MB, far more than any POI table ({} MB at most): refusing a possible zip bomb; export the table as .csv",
                unpacked / 1_000_000,
                MAX_UNPACKED_BYTES / 1_000_000
            ),
        )
        .into());
    }
    let looks_like_text =
        bytes.iter().take(512).all(|b| *b != 0) && !bytes.starts_with(b"PK") && !bytes.is_empty();
    let ext = path
        .extension()
        .map(|e| e.to_string_lossy().to_ascii_lowercase())
        .unwrap_or_default();
    let first = if ext == "xls" {
        open_workbook_from_rs::<Xls<_>, _>(Cursor::new(bytes.clone()))
            .map(Sheets::Xls)
            .map_err(|e| e.to_string())
    } else {
        open_workbook_from_rs::<Xlsx<_>, _>(Cursor::new(bytes.clone()))
            .map(Sheets::Xlsx)
            .map_err(|e| e.to_string())
    };
    match first {
        Ok(wb) => Ok(wb),
        Err(first_err) => calamine::open_workbook_auto_from_rs(Cursor::new(bytes)).map_err(|_| {
            let hint = if looks_like_text {
                "the file is text or HTML, not an Excel workbook; save it as .csv or .xlsx"
            } else {
                "the workbook is damaged or truncated; open it in Excel or WPS and save it again"
            };
            IoError::invalid(
                path,
                Location::File,
                format!("cannot read the spreadsheet ({first_err}): {hint}"),
            )
            .into()
        }),
    }
}

/// Read the first sheet of a workbook that has a header with coordinate columns.
pub(super) fn read_workbook(path: &Path, bytes: Vec<u8>) -> Result<(String, Table)> {
    // calamine is defensive, but a panic on a hostile file must not take the app down.
    let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        read_workbook_inner(path, bytes)
    }));
    match result {
        Ok(r) => r,
        Err(_) => Err(IoError::invalid(
            path,
            Location::File,
            "the spreadsheet is damaged (the reader failed on it); open it in Excel or WPS and save it again",
        )
        .into()),
    }
}

pub(super) fn read_workbook_inner(path: &Path, bytes: Vec<u8>) -> Result<(String, Table)> {
    use calamine::Reader;
    let mut wb = open_workbook(path, bytes)?;
    let mut first_table: Option<(String, Table)> = None;
    let mut sheet_errors = Vec::new();
    for name in wb.sheet_names() {
        let range = match wb.worksheet_range(&name) {
            Ok(r) => r,
            Err(e) => {
                sheet_errors.push(format!("sheet \"{name}\": {e}"));
                continue;
            }
        };
        let start_row = u64::from(range.start().map(|(r, _)| r).unwrap_or(0));
        let mut headers: Option<Vec<String>> = None;
        let mut rows = Vec::new();
        let mut issues = Vec::new();
        for (i, row) in range.rows().enumerate() {
            let row_no = start_row + i as u64 + 1;
            let cells: Vec<Cell> = row.iter().map(sheet_cell).collect();
            let Some(h) = &headers else {
                if cells.iter().filter(|c| !c.is_empty()).count() >= 2 {
                    let last = cells.iter().rposition(|c| !c.is_empty()).unwrap_or(0);
                    headers = Some(cells[..=last].iter().map(Cell::display).collect());
                }
                continue;
            };
            if cells.iter().all(Cell::is_empty) {
                continue;
            }
            let width = h.len();
            if cells.iter().skip(width).any(|c| !c.is_empty()) && issues.is_empty() {
                issues.push(Issue::warning(
                    Some(SourceId::Row(row_no)),
                    "cells to the right of the last header were ignored (they have no column name)",
                ));
            }
            let mut cells = cells;
            cells.resize(width.max(cells.len()), Cell::Empty);
            cells.truncate(width);
            rows.push((SourceId::Row(row_no), cells));
        }
        let Some(headers) = headers else { continue };
        let table = Table {
            headers,
            rows,
            issues,
        };
        if detect_columns(&table.headers).has_coordinates() {
            return Ok((name, table));
        }
        if first_table.is_none() {
            first_table = Some((name, table));
        }
    }
    match first_table {
        // No sheet has coordinates: build_layer reports the first sheet's headers.
        Some(t) => Ok(t),
        None if !sheet_errors.is_empty() => Err(IoError::invalid(
            path,
            Location::File,
            format!(
                "cannot read the spreadsheet ({}); open it in Excel or WPS and save it again",
                sheet_errors.join("; ")
            ),
        )
        .into()),
        None => Err(IoError::invalid(
            path,
            Location::File,
            "no sheet has a header row (a row with at least two filled cells)",
        )
        .into()),
    }
}

/// The most an .xlsx may unpack to: a POI table of a million rows fits in far less.
pub(super) const MAX_UNPACKED_BYTES: u64 = 512_000_000;

/// The total uncompressed size a zip archive (.xlsx) declares in its central directory, or
/// None when it is not a zip or the directory cannot be found. The zip reader under calamine
/// reads an entry no further than its declared size, so this bounds what opening it can cost.
pub(super) fn zip_unpacked_bytes(bytes: &[u8]) -> Option<u64> {
    const EOCD: [u8; 4] = [0x50, 0x4b, 0x05, 0x06];
    const CDH: [u8; 4] = [0x50, 0x4b, 0x01, 0x02];
    if !bytes.starts_with(b"PK") || bytes.len() < 22 {
        return None;
    }
    // The end-of-central-directory record is within the last 64 KiB + 22 bytes.
    let from = bytes.len().saturating_sub(22 + 65_535);
    let eocd = (from..=bytes.len() - 22)
        .rev()
        .find(|&i| bytes[i..i + 4] == EOCD)?;
    let u16_at = |i: usize| -> Option<u64> {
        Some(u64::from(u16::from_le_bytes(
            bytes.get(i..i + 2)?.try_into().ok()?,
        )))
    };
    let u32_at = |i: usize| -> Option<u64> {
        Some(u64::from(u32::from_le_bytes(
            bytes.get(i..i + 4)?.try_into().ok()?,
        )))
    };
    let entries = u16_at(eocd + 10)?;
    let mut at = usize::try_from(u32_at(eocd + 16)?).ok()?;
    let mut total: u64 = 0;
    for _ in 0..entries {
        if bytes.get(at..at + 4)? != CDH {
            return None;
        }
        total = total.saturating_add(u32_at(at + 24)?);
        let name = usize::try_from(u16_at(at + 28)?).ok()?;
        let extra = usize::try_from(u16_at(at + 30)?).ok()?;
        let comment = usize::try_from(u16_at(at + 32)?).ok()?;
        at = at.checked_add(46 + name + extra + comment)?;
    }
    Some(total)
}
