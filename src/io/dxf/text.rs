//! Texts of a DXF file: which encoding (R2007+ UTF-8; before, `$DWGCODEPAGE`, ANSI_936 = GBK),
//! decoding with it, the `\U+XXXX` and `\M+NXXXX` escapes, TEXT's `%%` codes and MTEXT's
//! formatting codes.

use encoding_rs::{Encoding, GBK, UTF_8, WINDOWS_1252};

use crate::io::encoding::{encoding_from_label, is_valid_in};

/// The encoding the texts are decoded with, how it was decided, and a warning when it was
/// guessed against what the file says.
#[derive(Debug, Clone)]
pub(super) struct TextEncoding {
    pub encoding: &'static Encoding,
    pub how: String,
    pub warning: Option<String>,
}

/// Is `$ACADVER` R2007 (AC1021) or later: texts in UTF-8?
pub(super) fn is_utf8_version(version: Option<&str>) -> bool {
    version
        .and_then(|v| v.trim().strip_prefix("AC"))
        .and_then(|n| n.parse::<u32>().ok())
        .is_some_and(|n| n >= 1021)
}

/// The encoding of a `$DWGCODEPAGE` value: ANSI_936 → GBK, ANSI_1252 → windows-1252, …
pub(super) fn codepage_encoding(codepage: &str) -> Option<&'static Encoding> {
    let c = codepage.trim().to_ascii_lowercase();
    let n = c
        .strip_prefix("ansi_")
        .or_else(|| c.strip_prefix("dos"))
        .unwrap_or(&c);
    match n {
        "936" => Some(GBK),
        "932" => Encoding::for_label(b"shift_jis"),
        "949" => Encoding::for_label(b"euc-kr"),
        "950" => Encoding::for_label(b"big5"),
        "874" => Encoding::for_label(b"windows-874"),
        n if n.len() == 4 && n.starts_with("125") => {
            Encoding::for_label(format!("windows-{n}").as_bytes())
        }
        _ => encoding_from_label(&c),
    }
}

/// Decide the encoding of the file's texts. `texts` are the raw strings (layer names, texts,
/// block names); only their non-ASCII ones matter.
pub(super) fn choose<'a>(
    version: Option<&str>,
    codepage: Option<&str>,
    user: Option<&'static Encoding>,
    texts: impl Iterator<Item = &'a [u8]>,
) -> TextEncoding {
    if let Some(e) = user {
        return TextEncoding {
            encoding: e,
            how: format!("{} (user)", e.name()),
            warning: None,
        };
    }
    let non_ascii: Vec<&[u8]> = texts.filter(|t| !t.is_ascii()).collect();
    let all_valid = |e: &'static Encoding| non_ascii.iter().all(|t| is_valid_in(t, e));
    if is_utf8_version(version) {
        let v = version.unwrap_or("").trim();
        if !all_valid(UTF_8) && all_valid(GBK) {
            return TextEncoding {
                encoding: GBK,
                how: "GBK (guessed: a DXF R2007+ file whose texts are not UTF-8)".into(),
                warning: Some(format!(
                    "the file is DXF {v}, whose texts are UTF-8, but they are not; they were read as GBK (guessed) — give --encoding if the names look wrong"
                )),
            };
        }
        return TextEncoding {
            encoding: UTF_8,
            how: format!("UTF-8 (DXF R2007+, {v})"),
            warning: None,
        };
    }
    let declared = codepage.and_then(|c| codepage_encoding(c).map(|e| (c.trim(), e)));
    match declared {
        Some((c, e)) if e != WINDOWS_1252 || non_ascii.is_empty() => TextEncoding {
            encoding: e,
            how: format!("{} ($DWGCODEPAGE {c})", e.name()),
            warning: None,
        },
        // ANSI_1252 or nothing, yet non-ASCII texts: Chinese CAD files often say ANSI_1252
        // while writing GBK.
        _ if all_valid(GBK) && !non_ascii.is_empty() => TextEncoding {
            encoding: GBK,
            how: format!(
                "GBK (guessed: the file says {} but its texts are GBK)",
                codepage.map(str::trim).unwrap_or("no $DWGCODEPAGE")
            ),
            warning: Some(format!(
                "the file says its code page is {} but its texts are valid GBK; read as GBK (guessed) — give --encoding if the names look wrong",
                codepage.map(str::trim).unwrap_or("(none)")
            )),
        },
        _ => TextEncoding {
            encoding: WINDOWS_1252,
            how: match codepage {
                Some(c) => format!("windows-1252 ($DWGCODEPAGE {})", c.trim()),
                None => "windows-1252 (no $DWGCODEPAGE; the DXF default)".into(),
            },
            warning: None,
        },
    }
}

/// Decode one string, replacing bytes that are not valid (the bool says some were), and
/// resolve the `\U+XXXX` (Unicode) and `\M+NXXXX` (multibyte, N = 1…5) escapes.
pub(super) fn decode(bytes: &[u8], enc: &'static Encoding) -> (String, bool) {
    let bytes = bytes.strip_suffix(b"\r").unwrap_or(bytes);
    let (text, bad) = enc.decode_without_bom_handling(bytes);
    let text = if text.contains("\\U+") || text.contains("\\M+") {
        unescape(&text)
    } else {
        text.into_owned()
    };
    (text, bad)
}

fn hex(s: &str) -> Option<u32> {
    (s.len() == 4 && s.chars().all(|c| c.is_ascii_hexdigit()))
        .then(|| u32::from_str_radix(s, 16).ok())
        .flatten()
}

/// `\U+4E2D` → 中; `\M+5D6D0` → the GBK bytes D6 D0 → 中 (5 is GB 2312's MIF number).
fn unescape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(i) = rest.find('\\') {
        out.push_str(&rest[..i]);
        let tail = &rest[i..];
        if let Some(c) = tail
            .strip_prefix("\\U+")
            .and_then(|t| t.get(..4))
            .and_then(hex)
            .and_then(char::from_u32)
        {
            out.push(c);
            rest = &tail[7..];
            continue;
        }
        if let Some(t) = tail.strip_prefix("\\M+").filter(|t| t.len() >= 5) {
            let enc = match t.as_bytes()[0] {
                b'1' => Encoding::for_label(b"shift_jis"),
                b'2' => Encoding::for_label(b"big5"),
                b'3' | b'4' => Encoding::for_label(b"euc-kr"),
                b'5' => Some(GBK),
                _ => None,
            };
            if let (Some(enc), Some(code)) = (enc, t.get(1..5).and_then(hex)) {
                let b = [(code >> 8) as u8, (code & 0xff) as u8];
                if let Some(s) = enc.decode_without_bom_handling_and_without_replacement(&b) {
                    out.push_str(&s);
                    rest = &tail[8..];
                    continue;
                }
            }
        }
        out.push('\\');
        rest = &tail[1..];
    }
    out.push_str(rest);
    out
}

/// A TEXT's value with its `%%` control codes resolved (%%d °, %%p ±, %%c ⌀, %%u/%%o dropped).
pub(super) fn plain_text(value: &str) -> String {
    if !value.contains("%%") {
        return value.trim().to_string();
    }
    let mut out = String::with_capacity(value.len());
    let mut rest = value;
    while let Some(i) = rest.find("%%") {
        out.push_str(&rest[..i]);
        let code = rest[i + 2..].chars().next();
        let (s, len) = match code.map(|c| c.to_ascii_lowercase()) {
            Some('d') => ("°", 3),
            Some('p') => ("±", 3),
            Some('c') => ("⌀", 3),
            Some('u') | Some('o') | Some('k') => ("", 3),
            Some('%') => ("%", 3),
            _ => ("%%", 2),
        };
        out.push_str(s);
        rest = &rest[i + len..];
    }
    out.push_str(rest);
    out.trim().to_string()
}

/// An MTEXT's text without its formatting codes: `{\fSimSun|b1;C-01}\P商业` → `C-01 商业`
/// (paragraph and line breaks become spaces; stacked fractions `\S1^2;` become `1/2`).
pub(super) fn plain_mtext(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    let mut chars = value.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '{' | '}' => {}
            '\\' => match chars.next() {
                // Breaks.
                Some('P') | Some('X') | Some('~') => out.push(' '),
                Some('n') | Some('N') => out.push(' '),
                // Escaped characters.
                Some(e @ ('\\' | '{' | '}')) => out.push(e),
                // Codes with an argument up to ';'.
                Some('f' | 'F' | 'H' | 'W' | 'Q' | 'T' | 'A' | 'C' | 'c' | 'p') => {
                    for a in chars.by_ref() {
                        if a == ';' {
                            break;
                        }
                    }
                }
                Some('S') => {
                    for a in chars.by_ref() {
                        match a {
                            ';' => break,
                            '^' | '#' => out.push('/'),
                            a => out.push(a),
                        }
                    }
                }
                // On/off switches: underline, overline, strike-through.
                Some('L' | 'l' | 'O' | 'o' | 'K' | 'k') => {}
                Some(other) => {
                    out.push('\\');
                    out.push(other);
                }
                None => out.push('\\'),
            },
            c => out.push(c),
        }
    }
    let text = plain_text(&out);
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn versions_and_code_pages() {
        assert!(is_utf8_version(Some("AC1032")));
        assert!(is_utf8_version(Some("AC1021")));
        assert!(!is_utf8_version(Some("AC1018")));
        assert!(!is_utf8_version(Some("AC1009")));
        assert!(!is_utf8_version(None));
        assert_eq!(codepage_encoding("ANSI_936"), Some(GBK));
        assert_eq!(codepage_encoding("ansi_1252"), Some(WINDOWS_1252));
        assert_eq!(
            codepage_encoding("ANSI_950").map(|e| e.name()),
            Some("Big5")
        );
    }

    #[test]
    fn choosing() {
        let (g, _, _) = GBK.encode("道路中心线");
        let g: &[u8] = &g;
        let u = "道路中心线".as_bytes();
        // R12 with ANSI_936.
        let e = choose(Some("AC1009"), Some("ANSI_936"), None, [g].into_iter());
        assert_eq!(e.encoding, GBK);
        assert!(e.warning.is_none());
        assert!(e.how.contains("ANSI_936"), "{}", e.how);
        // R2018: UTF-8 whatever the code page says.
        let e = choose(Some("AC1032"), Some("ANSI_1252"), None, [u].into_iter());
        assert_eq!(e.encoding, UTF_8);
        // R2000 saying ANSI_1252 with GBK bytes: GBK, with a warning.
        let e = choose(Some("AC1015"), Some("ANSI_1252"), None, [g].into_iter());
        assert_eq!(e.encoding, GBK);
        assert!(e.how.contains("guessed"));
        assert!(e.warning.is_some());
        // ASCII only: the declared 1252, no warning.
        let e = choose(
            Some("AC1015"),
            Some("ANSI_1252"),
            None,
            [&b"ROAD"[..]].into_iter(),
        );
        assert_eq!(e.encoding, WINDOWS_1252);
        // The user wins.
        let e = choose(Some("AC1032"), None, Some(GBK), [u].into_iter());
        assert_eq!(e.encoding, GBK);
        assert_eq!(e.how, "GBK (user)");
    }

    #[test]
    fn decoding_and_escapes() {
        let (g, _, _) = GBK.encode("幼儿园");
        assert_eq!(decode(&g, GBK), ("幼儿园".to_string(), false));
        assert_eq!(
            decode(b"\\U+5E7C\\U+513F\\U+56ED", WINDOWS_1252).0,
            "幼儿园"
        );
        assert_eq!(decode(b"A\\M+5D6D0B", WINDOWS_1252).0, "A中B");
        assert_eq!(decode(b"C:\\path\\U+zz", WINDOWS_1252).0, "C:\\path\\U+zz");
        let (_, bad) = decode(b"\xff\xff", UTF_8);
        assert!(bad);
    }

    #[test]
    fn text_and_mtext_codes() {
        assert_eq!(plain_text("%%c600 %%p0.5 30%%d %%uA%%u"), "⌀600 ±0.5 30° A");
        assert_eq!(
            plain_mtext("{\\fSimSun|b1|i0|c134|p2;C-01}\\P商业"),
            "C-01 商业"
        );
        assert_eq!(plain_mtext("\\A1;\\H2.5x;容积率\\S1^2;"), "容积率1/2");
        assert_eq!(plain_mtext("a\\\\b \\{c\\}"), "a\\b {c}");
    }
}
