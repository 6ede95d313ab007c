//! Decoding DBF cells into attribute values in the decided encoding, counting values that are not valid for their type.

use super::dbf::{DbfField, trim_bytes};
use super::*;

/// Decodes DBF cells into attribute values.
pub(super) struct CellDecoder {
    pub(super) encoding: &'static Encoding,
    /// Values per field that could not be read (numbers that are not numbers).
    pub(super) bad: Vec<std::sync::atomic::AtomicUsize>,
}

impl CellDecoder {
    pub(super) fn text(&self, b: &[u8]) -> String {
        if self.encoding == UTF_8 {
            match std::str::from_utf8(b) {
                Ok(s) => s.to_string(),
                Err(_) => String::from_utf8_lossy(b).into_owned(),
            }
        } else if b.is_ascii() {
            // ASCII is the same in every encoding we read.
            String::from_utf8_lossy(b).into_owned()
        } else {
            // GBK text may hold GB18030 four-byte characters; the GB18030 decoder reads both.
            let enc = if self.encoding == GBK {
                GB18030
            } else {
                self.encoding
            };
            enc.decode_without_bom_handling(b).0.into_owned()
        }
    }

    pub(super) fn value(&self, fi: usize, f: &DbfField, raw: &[u8]) -> AttrValue {
        let bad = || {
            self.bad[fi].fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            AttrValue::Null
        };
        match f.kind {
            b'I' | b'+' if raw.len() == 4 => {
                AttrValue::Int(i32::from_le_bytes([raw[0], raw[1], raw[2], raw[3]]) as i64)
            }
            b'O' | b'Y' if raw.len() == 8 => {
                let mut a = [0u8; 8];
                a.copy_from_slice(raw);
                if f.kind == b'O' {
                    let v = f64::from_le_bytes(a);
                    if v.is_finite() {
                        AttrValue::Float(v)
                    } else {
                        AttrValue::Null
                    }
                } else {
                    AttrValue::Float(i64::from_le_bytes(a) as f64 / 10_000.0)
                }
            }
            _ => {
                let t = trim_bytes(raw);
                if t.is_empty() {
                    return AttrValue::Null;
                }
                match f.kind {
                    b'C' => AttrValue::Text(self.text(t)),
                    b'N' | b'F' => {
                        if t.iter().all(|&c| c == b'*') {
                            return AttrValue::Null; // dBase overflow marker
                        }
                        let s = String::from_utf8_lossy(t);
                        if f.decimals == 0
                            && let Ok(i) = s.parse::<i64>()
                        {
                            return AttrValue::Int(i);
                        }
                        let parsed = s
                            .parse::<f64>()
                            .or_else(|_| s.replace(',', ".").parse::<f64>());
                        match parsed {
                            Ok(v) if v.is_finite() => {
                                if f.decimals == 0 && v.fract() == 0.0 && v.abs() < 9.0e15 {
                                    AttrValue::Int(v as i64)
                                } else {
                                    AttrValue::Float(v)
                                }
                            }
                            _ => bad(),
                        }
                    }
                    b'L' => match t[0] {
                        b'T' | b't' | b'Y' | b'y' => AttrValue::Bool(true),
                        b'F' | b'f' | b'N' | b'n' => AttrValue::Bool(false),
                        b'?' => AttrValue::Null,
                        _ => bad(),
                    },
                    b'D' => {
                        if t.len() == 8 && t.iter().all(u8::is_ascii_digit) {
                            if t == b"00000000" {
                                return AttrValue::Null;
                            }
                            let s = String::from_utf8_lossy(t);
                            AttrValue::Text(format!("{}-{}-{}", &s[..4], &s[4..6], &s[6..]))
                        } else {
                            AttrValue::Text(self.text(t))
                        }
                    }
                    _ => AttrValue::Null,
                }
            }
        }
    }
}
