//! DXF group-code pairs from ASCII or binary DXF bytes, without copying: strings stay bytes
//! until the drawing's text encoding is known.

/// The first bytes of a binary DXF file.
pub(super) const BINARY_SENTINEL: &[u8] = b"AutoCAD Binary DXF\r\n\x1a\0";

/// A group value: text (an ASCII file's line, a binary file's string), a number or binary data.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(super) enum Value<'a> {
    Text(&'a [u8]),
    Float(f64),
    Int(i64),
    Binary(&'a [u8]),
}

impl<'a> Value<'a> {
    /// The value as a number (an ASCII line parsed, trimmed).
    pub(super) fn f64(&self) -> Option<f64> {
        match *self {
            Value::Float(v) => Some(v),
            Value::Int(v) => Some(v as f64),
            Value::Text(t) => std::str::from_utf8(t).ok()?.trim().parse().ok(),
            Value::Binary(_) => None,
        }
    }

    /// The value as an integer (some writers put "2.0" where an integer belongs).
    pub(super) fn int(&self) -> Option<i64> {
        match *self {
            Value::Int(v) => Some(v),
            Value::Float(v) if v.fract() == 0.0 && v.abs() < 9.0e15 => Some(v as i64),
            Value::Text(_) => {
                let v = self.f64()?;
                (v.fract() == 0.0 && v.abs() < 9.0e15).then_some(v as i64)
            }
            _ => None,
        }
    }

    /// The raw bytes of a text value (empty for numbers).
    pub(super) fn bytes(&self) -> &'a [u8] {
        match *self {
            Value::Text(t) => t,
            _ => &[],
        }
    }

    /// A text value as ASCII-only text, trimmed (names of sections, entities, header variables).
    pub(super) fn keyword(&self) -> &'a str {
        std::str::from_utf8(self.bytes()).unwrap_or("").trim()
    }
}

/// One group: its code, its value and where it starts (line for ASCII, byte offset for binary).
#[derive(Debug, Clone, Copy, PartialEq)]
pub(super) struct Pair<'a> {
    pub code: i32,
    pub value: Value<'a>,
    pub at: u64,
}

/// Where a problem was found: an ASCII file's line or a binary file's byte offset.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum At {
    Line(u64),
    Byte(u64),
}

impl std::fmt::Display for At {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            At::Line(n) => write!(f, "line {n}"),
            At::Byte(n) => write!(f, "byte {n}"),
        }
    }
}

/// A group that cannot be read, with where.
#[derive(Debug, Clone, PartialEq)]
pub(super) struct PairError {
    pub at: At,
    pub message: String,
}

/// The value type of a group code (AutoCAD DXF reference, "Group code value types").
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Text,
    Float,
    I16,
    I32,
    I64,
    Bool,
    Binary,
}

fn kind_of(code: i32) -> Option<Kind> {
    Some(match code {
        0..=9 | 100 | 101 | 102 | 105 | 300..=309 | 320..=369 | 390..=399 | 410..=419 => Kind::Text,
        430..=439 | 470..=481 | 999 | 1000..=1003 | 1005..=1009 => Kind::Text,
        10..=59 | 110..=149 | 210..=239 | 460..=469 | 1010..=1059 => Kind::Float,
        60..=79 | 170..=179 | 270..=289 | 370..=389 | 400..=409 | 1060..=1070 => Kind::I16,
        90..=99 | 420..=429 | 440..=459 | 1071 => Kind::I32,
        160..=169 => Kind::I64,
        290..=299 => Kind::Bool,
        310..=319 | 1004 => Kind::Binary,
        _ => return None,
    })
}

/// Group-code pairs of a DXF file, ASCII or binary.
pub(super) enum Pairs<'a> {
    Ascii(AsciiPairs<'a>),
    Binary(BinaryPairs<'a>),
}

impl<'a> Pairs<'a> {
    /// Pairs of `bytes`, binary when they start with the binary sentinel.
    pub(super) fn new(bytes: &'a [u8]) -> Pairs<'a> {
        match bytes.strip_prefix(BINARY_SENTINEL) {
            Some(rest) => {
                // R13 and later write 2-byte codes: the first pair (0, "SECTION") then begins
                // with two zero bytes; R12 writes 1-byte codes, so "S" follows the first zero.
                let two_byte_codes = rest.len() >= 2 && rest[0] == 0 && rest[1] == 0;
                Pairs::Binary(BinaryPairs {
                    bytes,
                    pos: BINARY_SENTINEL.len(),
                    two_byte_codes,
                })
            }
            None => {
                let bytes = bytes.strip_prefix(b"\xef\xbb\xbf").unwrap_or(bytes);
                Pairs::Ascii(AsciiPairs {
                    bytes,
                    pos: 0,
                    line: 0,
                })
            }
        }
    }

    /// Where the next pair starts.
    pub(super) fn at(&self) -> At {
        match self {
            Pairs::Ascii(a) => At::Line(a.line + 1),
            Pairs::Binary(b) => At::Byte(b.pos as u64),
        }
    }
}

impl<'a> Iterator for Pairs<'a> {
    type Item = Result<Pair<'a>, PairError>;
    fn next(&mut self) -> Option<Self::Item> {
        match self {
            Pairs::Ascii(a) => a.next(),
            Pairs::Binary(b) => b.next(),
        }
    }
}

pub(super) struct AsciiPairs<'a> {
    bytes: &'a [u8],
    pos: usize,
    /// Lines read so far.
    line: u64,
}

impl<'a> AsciiPairs<'a> {
    fn line(&mut self) -> Option<&'a [u8]> {
        if self.pos >= self.bytes.len() {
            return None;
        }
        let rest = &self.bytes[self.pos..];
        let end = rest.iter().position(|&b| b == b'\n');
        let line = &rest[..end.unwrap_or(rest.len())];
        self.pos += end.map_or(rest.len(), |e| e + 1);
        self.line += 1;
        Some(line.strip_suffix(b"\r").unwrap_or(line))
    }

    fn next(&mut self) -> Option<Result<Pair<'a>, PairError>> {
        // Blank lines after the last pair end the file; elsewhere a code line is expected.
        let code_line = self.line()?;
        if code_line.iter().all(u8::is_ascii_whitespace) {
            if self.bytes[self.pos..].iter().all(u8::is_ascii_whitespace) {
                return None;
            }
            return Some(Err(PairError {
                at: At::Line(self.line),
                message: "an empty line where a group code was expected".into(),
            }));
        }
        let at = self.line;
        let code = std::str::from_utf8(code_line)
            .ok()
            .and_then(|s| s.trim().parse::<i32>().ok());
        let Some(code) = code else {
            let shown: String = String::from_utf8_lossy(code_line)
                .chars()
                .take(30)
                .collect();
            return Some(Err(PairError {
                at: At::Line(at),
                message: format!("\"{shown}\" is not a group code"),
            }));
        };
        let Some(value) = self.line() else {
            return Some(Err(PairError {
                at: At::Line(at),
                message: format!("the file ends after group code {code}, before its value"),
            }));
        };
        Some(Ok(Pair {
            code,
            value: Value::Text(value),
            at,
        }))
    }
}

pub(super) struct BinaryPairs<'a> {
    bytes: &'a [u8],
    pos: usize,
    two_byte_codes: bool,
}

impl<'a> BinaryPairs<'a> {
    fn take(&mut self, n: usize, what: &str, at: usize) -> Result<&'a [u8], PairError> {
        let end = self.pos.checked_add(n).filter(|&e| e <= self.bytes.len());
        let Some(end) = end else {
            return Err(PairError {
                at: At::Byte(at as u64),
                message: format!("the file ends inside {what}"),
            });
        };
        let s = &self.bytes[self.pos..end];
        self.pos = end;
        Ok(s)
    }

    fn array<const N: usize>(&mut self, what: &str, at: usize) -> Result<[u8; N], PairError> {
        let s = self.take(N, what, at)?;
        let mut a = [0u8; N];
        a.copy_from_slice(s);
        Ok(a)
    }

    fn next(&mut self) -> Option<Result<Pair<'a>, PairError>> {
        if self.pos >= self.bytes.len() {
            return None;
        }
        let at = self.pos;
        Some(self.pair(at))
    }

    fn pair(&mut self, at: usize) -> Result<Pair<'a>, PairError> {
        let code = if self.two_byte_codes {
            i32::from(i16::from_le_bytes(self.array::<2>("a group code", at)?))
        } else {
            match self.array::<1>("a group code", at)?[0] {
                255 => i32::from(i16::from_le_bytes(self.array::<2>("a group code", at)?)),
                c => i32::from(c),
            }
        };
        let Some(kind) = kind_of(code) else {
            return Err(PairError {
                at: At::Byte(at as u64),
                message: format!("{code} is not a DXF group code"),
            });
        };
        let what = format!("the value of group code {code}");
        let value = match kind {
            Kind::Text => {
                let rest = &self.bytes[self.pos..];
                let Some(end) = rest.iter().position(|&b| b == 0) else {
                    return Err(PairError {
                        at: At::Byte(at as u64),
                        message: format!("the file ends inside {what}"),
                    });
                };
                self.pos += end + 1;
                Value::Text(&rest[..end])
            }
            Kind::Float => Value::Float(f64::from_le_bytes(self.array::<8>(&what, at)?)),
            Kind::I16 => Value::Int(i64::from(i16::from_le_bytes(self.array::<2>(&what, at)?))),
            Kind::I32 => Value::Int(i64::from(i32::from_le_bytes(self.array::<4>(&what, at)?))),
            Kind::I64 => Value::Int(i64::from_le_bytes(self.array::<8>(&what, at)?)),
            Kind::Bool => {
                // One byte in R13+ files; two (a 16-bit integer) in R12's one-byte-code files.
                if self.two_byte_codes {
                    Value::Int(i64::from(self.array::<1>(&what, at)?[0]))
                } else {
                    Value::Int(i64::from(i16::from_le_bytes(self.array::<2>(&what, at)?)))
                }
            }
            Kind::Binary => {
                let n = usize::from(self.array::<1>(&what, at)?[0]);
                Value::Binary(self.take(n, &what, at)?)
            }
        };
        Ok(Pair {
            code,
            value,
            at: at as u64,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ascii_pairs_with_crlf_and_spaces() {
        let text = b"  0\r\nSECTION\r\n  2\r\nHEADER\r\n 10\r\n40500000.5\r\n";
        let pairs: Vec<Pair> = Pairs::new(text).map(|p| p.unwrap()).collect();
        assert_eq!(pairs.len(), 3);
        assert_eq!(pairs[0].code, 0);
        assert_eq!(pairs[0].value.keyword(), "SECTION");
        assert_eq!(pairs[1].at, 3);
        assert_eq!(pairs[2].value.f64(), Some(40_500_000.5));
    }

    #[test]
    fn ascii_errors_say_the_line() {
        let e = Pairs::new(b"  0\nSECTION\nhello\nworld\n")
            .find_map(Result::err)
            .unwrap();
        assert_eq!(e.at, At::Line(3));
        assert!(e.message.contains("hello"), "{}", e.message);
        let e = Pairs::new(b"  0\nSECTION\n  2\n")
            .find_map(Result::err)
            .unwrap();
        assert!(e.message.contains("before its value"), "{}", e.message);
    }

    #[test]
    fn binary_pairs_both_code_sizes() {
        // R13+: two-byte codes.
        let mut b = BINARY_SENTINEL.to_vec();
        b.extend_from_slice(&[0, 0]);
        b.extend_from_slice(b"SECTION\0");
        b.extend_from_slice(&[10, 0]);
        b.extend_from_slice(&1.5f64.to_le_bytes());
        b.extend_from_slice(&[70, 0]);
        b.extend_from_slice(&7i16.to_le_bytes());
        let p: Vec<Pair> = Pairs::new(&b).map(|p| p.unwrap()).collect();
        assert_eq!(p[0].value.keyword(), "SECTION");
        assert_eq!(p[1].value, Value::Float(1.5));
        assert_eq!(p[2].value.int(), Some(7));
        // R12: one-byte codes.
        let mut b = BINARY_SENTINEL.to_vec();
        b.push(0);
        b.extend_from_slice(b"SECTION\0");
        b.push(70);
        b.extend_from_slice(&3i16.to_le_bytes());
        let p: Vec<Pair> = Pairs::new(&b).map(|p| p.unwrap()).collect();
        assert_eq!(p[0].value.keyword(), "SECTION");
        assert_eq!(p[1].value.int(), Some(3));
        // Cut inside a double.
        b.extend_from_slice(&[10, 1, 2]);
        let e = Pairs::new(&b).find_map(Result::err).unwrap();
        assert!(e.message.contains("ends inside"), "{}", e.message);
    }
}
