//! Reading the dBase table (.dbf) over its bytes: header, fields, rows, deleted marks, truncation.

use super::shp_read::{Bytes, open_bytes};
use super::*;

/// A DBF column.
#[derive(Debug, Clone)]
pub(super) struct DbfField {
    pub(super) name_bytes: Vec<u8>,
    pub(super) kind: u8,
    /// Offset in the record (after the deletion flag at 0).
    pub(super) offset: usize,
    pub(super) width: usize,
    pub(super) decimals: u8,
}

impl DbfField {
    pub(super) fn field_kind(&self) -> Option<FieldKind> {
        match self.kind {
            b'C' => Some(FieldKind::Text),
            b'N' | b'F' if self.decimals == 0 => Some(FieldKind::Int),
            b'N' | b'F' => Some(FieldKind::Float),
            b'L' => Some(FieldKind::Bool),
            b'D' => Some(FieldKind::Date),
            b'I' | b'+' if self.width == 4 => Some(FieldKind::Int),
            b'O' if self.width == 8 => Some(FieldKind::Float),
            b'Y' if self.width == 8 => Some(FieldKind::Float),
            _ => None,
        }
    }
}

/// A DBF table over its bytes.
pub(super) struct Dbf {
    pub(super) bytes: Bytes,
    /// Fields kept (those of a type we read).
    pub(super) fields: Vec<DbfField>,
    pub(super) header_len: usize,
    pub(super) record_len: usize,
    /// Records the header declares.
    pub(super) declared: usize,
    /// Complete records in the file (capped at `declared`).
    pub(super) available: usize,
    pub(super) ldid: u8,
}

impl Dbf {
    pub(super) fn open(path: &Path, notes: &mut Vec<String>) -> std::result::Result<Dbf, String> {
        let bytes = open_bytes(path).map_err(|e| e.to_string())?;
        if bytes.len() < 32 {
            return Err(format!(
                "the header is cut short ({} bytes; a DBF header has at least 32)",
                bytes.len()
            ));
        }
        let declared = u32::from_le_bytes([bytes[4], bytes[5], bytes[6], bytes[7]]) as usize;
        let header_len = u16::from_le_bytes([bytes[8], bytes[9]]) as usize;
        let record_len = u16::from_le_bytes([bytes[10], bytes[11]]) as usize;
        let ldid = bytes[29];
        if record_len == 0 || header_len < 33 {
            return Err(format!(
                "the header is damaged (header length {header_len}, record length {record_len})"
            ));
        }
        let mut fields = Vec::new();
        let mut offset = 1;
        let mut at = 32;
        let mut dropped = Vec::new();
        while at + 32 <= bytes.len().min(header_len) && bytes[at] != 0x0D {
            let d = &bytes[at..at + 32];
            let name_end = d[..11].iter().position(|&b| b == 0).unwrap_or(11);
            let mut f = DbfField {
                name_bytes: d[..name_end].to_vec(),
                kind: d[11].to_ascii_uppercase(),
                offset,
                width: d[16] as usize,
                decimals: d[17],
            };
            // Old character fields use the decimal byte as the high byte of the width.
            if f.kind == b'C' {
                f.width += (f.decimals as usize) << 8;
                f.decimals = 0;
            }
            offset += f.width;
            at += 32;
            if offset > record_len {
                return Err(format!(
                    "field {} runs past the record length {record_len} (the header is damaged)",
                    fields.len() + dropped.len() + 1
                ));
            }
            if f.field_kind().is_some() {
                fields.push(f);
            } else {
                dropped.push(format!(
                    "{} (type {})",
                    String::from_utf8_lossy(&f.name_bytes),
                    f.kind as char
                ));
            }
        }
        if !dropped.is_empty() {
            notes.push(format!(
                "DBF field(s) of types towncircle does not read were left out: {}",
                dropped.join(", ")
            ));
        }
        let body = bytes.len().saturating_sub(header_len);
        let available = (body / record_len).min(declared);
        Ok(Dbf {
            bytes,
            fields,
            header_len,
            record_len,
            declared,
            available,
            ldid,
        })
    }

    /// Row `i` (0-based) as bytes, deletion flag first; None beyond the end.
    pub(super) fn row(&self, i: usize) -> Option<&[u8]> {
        if i >= self.available {
            return None;
        }
        let start = self.header_len + i * self.record_len;
        self.bytes.get(start..start + self.record_len)
    }

    pub(super) fn cell<'a>(&self, row: &'a [u8], f: &DbfField) -> &'a [u8] {
        row.get(f.offset..f.offset + f.width).unwrap_or(&[])
    }

    /// True when every field name and every text cell is valid UTF-8; second value: any
    /// non-ASCII byte at all.
    pub(super) fn utf8_check(&self) -> (bool, bool) {
        let names_ascii = self.fields.iter().all(|f| f.name_bytes.is_ascii());
        let names_utf8 = self
            .fields
            .iter()
            .all(|f| std::str::from_utf8(&f.name_bytes).is_ok());
        let body_end = (self.header_len + self.available * self.record_len).min(self.bytes.len());
        let body = self.bytes.get(self.header_len..body_end).unwrap_or(&[]);
        if body.is_ascii() {
            return (names_utf8, !names_ascii);
        }
        let text: Vec<&DbfField> = self.fields.iter().filter(|f| f.kind == b'C').collect();
        for i in 0..self.available {
            let Some(row) = self.row(i) else { break };
            for f in &text {
                let c = self.cell(row, f);
                if !c.is_ascii() && std::str::from_utf8(trim_bytes(c)).is_err() {
                    return (false, true);
                }
            }
        }
        (names_utf8, true)
    }
}

pub(super) fn trim_bytes(b: &[u8]) -> &[u8] {
    let is_pad = |c: &u8| *c == b' ' || *c == 0;
    let start = b.iter().position(|c| !is_pad(c)).unwrap_or(b.len());
    let end = b.iter().rposition(|c| !is_pad(c)).map_or(start, |e| e + 1);
    &b[start..end]
}
