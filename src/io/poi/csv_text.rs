//! CSV text: the encoding (strict UTF-8, else GB18030, or the user's), the delimiter, and rows with their line numbers.

use super::table::{Cell, Table};
use super::*;

/// Decode CSV bytes: the user's encoding, else a UTF-16 BOM, else strict UTF-8, else GBK.
/// Returns the text, a description of the encoding and how it was chosen, and a warning if any.
pub(super) fn decode(
    bytes: &[u8],
    user: Option<&'static Encoding>,
) -> (String, (String, Option<String>)) {
    if let Some(enc) = user {
        let body = if enc == UTF_8 {
            bytes.strip_prefix(b"\xef\xbb\xbf").unwrap_or(bytes)
        } else {
            bytes
        };
        return match crate::io::encoding::decode_strict(body, enc) {
            Some(text) => (
                text.into_owned(),
                (format!("{} (given by the user)", enc.name()), None),
            ),
            None => {
                let (text, _, _) = enc.decode(body);
                (
                    text.into_owned(),
                    (
                        format!("{} (given by the user)", enc.name()),
                        Some(format!(
                            "some bytes are not valid {}; they were replaced with \u{fffd} — check the encoding you gave",
                            enc.name()
                        )),
                    ),
                )
            }
        };
    }
    for (bom, enc) in [(&b"\xff\xfe"[..], UTF_16LE), (&b"\xfe\xff"[..], UTF_16BE)] {
        if let Some(body) = bytes.strip_prefix(bom) {
            let (text, _) = enc.decode_without_bom_handling(body);
            return (
                text.into_owned(),
                (format!("{} (byte order mark)", enc.name()), None),
            );
        }
    }
    let bom = bytes.starts_with(b"\xef\xbb\xbf");
    let (text, enc) = crate::io::encoding::decode_auto(bytes);
    let how = if enc == UTF_8 {
        if bom {
            "UTF-8 (byte order mark)".to_string()
        } else {
            "UTF-8 (detected: the bytes are valid UTF-8)".to_string()
        }
    } else {
        format!(
            "{} (detected: the bytes are not valid UTF-8; give --encoding if the text looks garbled)",
            enc.name()
        )
    };
    (text.into_owned(), (how, None))
}

/// How often `delim` occurs outside double quotes in `line`.
pub(super) fn count_outside_quotes(line: &str, delim: char) -> usize {
    let mut quoted = false;
    let mut n = 0;
    for c in line.chars() {
        if c == '"' {
            quoted = !quoted;
        } else if c == delim && !quoted {
            n += 1;
        }
    }
    n
}

/// The delimiter among `,` `;` tab `|` that splits the first lines most consistently.
pub(super) fn detect_delimiter(text: &str) -> u8 {
    let lines: Vec<&str> = text
        .lines()
        .filter(|l| !l.trim().is_empty())
        .take(20)
        .collect();
    let mut best = (b',', 0usize, 0usize);
    for d in [',', '\t', ';', '|'] {
        let counts: Vec<usize> = lines.iter().map(|l| count_outside_quotes(l, d)).collect();
        // The most frequent non-zero count, and how many lines have it.
        let mut mode = (0usize, 0usize);
        for &c in counts.iter().filter(|&&c| c > 0) {
            let freq = counts.iter().filter(|&&x| x == c).count();
            if (freq, c) > (mode.1, mode.0) {
                mode = (c, freq);
            }
        }
        if (mode.1, mode.0) > (best.1, best.2) {
            best = (d as u8, mode.1, mode.0);
        }
    }
    best.0
}

/// The 1-based line of the first character at or after byte `at` that is not a line break.
pub(super) fn line_at(text: &str, newlines: &[usize], at: usize) -> u64 {
    let skip = text
        .get(at..)
        .map(|rest| rest.len() - rest.trim_start_matches(['\r', '\n']).len())
        .unwrap_or(0);
    let pos = at + skip;
    newlines.partition_point(|&n| n < pos) as u64 + 1
}

/// Parse decoded CSV text. The header is the first record with at least two non-empty fields
/// (or the first record, in a one-column file); records are numbered by their line in the file.
pub(super) fn read_csv_text(text: &str) -> Table {
    let delimiter = detect_delimiter(text);
    let mut reader = csv::ReaderBuilder::new()
        .delimiter(delimiter)
        .has_headers(false)
        .flexible(true)
        .from_reader(text.as_bytes());
    let mut headers: Option<Vec<String>> = None;
    let mut rows = Vec::new();
    let mut issues = Vec::new();
    let mut record = csv::StringRecord::new();
    let newlines: Vec<usize> = text.match_indices('\n').map(|(i, _)| i).collect();
    loop {
        let line = reader.position().line();
        match reader.read_record(&mut record) {
            Ok(false) => break,
            Ok(true) => {}
            Err(e) => {
                let at = e.position().map(|p| p.line()).unwrap_or(line);
                issues.push(Issue::skipped(
                    Some(SourceId::Line(at)),
                    format!("the line cannot be read as CSV ({e})"),
                ));
                continue;
            }
        }
        // The reader counts a skipped blank line into the next record: find its first character.
        let line = record
            .position()
            .map(|p| line_at(text, &newlines, p.byte() as usize))
            .unwrap_or(line);
        let Some(h) = &headers else {
            let filled = record.iter().filter(|f| !f.trim().is_empty()).count();
            if filled >= 2 || (filled == 1 && record.len() == 1) {
                headers = Some(record.iter().map(|f| f.trim().to_string()).collect());
            }
            continue;
        };
        if record.iter().all(|f| f.trim().is_empty()) {
            continue;
        }
        let width = h.len();
        let extra_filled = record.iter().skip(width).any(|f| !f.trim().is_empty());
        if record.len() < width || extra_filled {
            issues.push(Issue::skipped(
                Some(SourceId::Line(line)),
                format!(
                    "the line has {} fields but the header has {width} (a delimiter or quote inside a value?)",
                    record.len()
                ),
            ));
            continue;
        }
        rows.push((
            SourceId::Line(line),
            record.iter().take(width).map(Cell::text).collect(),
        ));
    }
    Table {
        headers: headers.unwrap_or_default(),
        rows,
        issues,
    }
}
