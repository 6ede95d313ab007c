//! Text encodings of attribute data: UTF-8, GBK and GB18030, as Chinese planning data comes.

use std::borrow::Cow;

use encoding_rs::{Encoding, GB18030, GBK, UTF_8};

/// The encoding named by a .cpg file, a code page number or a user's `--encoding` flag.
/// Knows `UTF-8`/`65001`, `GBK`/`936`/`CP936`, `GB18030`/`54936`, `GB2312` and any WHATWG label.
pub fn encoding_from_label(label: &str) -> Option<&'static Encoding> {
    let l = label
        .trim()
        .trim_start_matches('\u{feff}')
        .to_ascii_lowercase();
    let l = l.trim_start_matches("cp").trim_start_matches("ansi_");
    match l {
        "65001" | "utf8" | "utf-8" => Some(UTF_8),
        "936" | "gbk" | "gb2312" | "ms936" | "windows-936" => Some(GBK),
        "54936" | "gb18030" => Some(GB18030),
        other => Encoding::for_label(other.as_bytes()),
    }
}

/// Decode with `enc`; None when the bytes are not valid in it.
pub fn decode_strict<'a>(bytes: &'a [u8], enc: &'static Encoding) -> Option<Cow<'a, str>> {
    enc.decode_without_bom_handling_and_without_replacement(bytes)
}

/// Decode text whose encoding is not declared: strict UTF-8 if it is valid, else GBK (which
/// decodes as GB18030, its superset). Returns the text and the encoding used.
pub fn decode_auto(bytes: &[u8]) -> (Cow<'_, str>, &'static Encoding) {
    let bytes = bytes.strip_prefix(b"\xef\xbb\xbf").unwrap_or(bytes);
    match std::str::from_utf8(bytes) {
        Ok(s) => (Cow::Borrowed(s), UTF_8),
        Err(_) => {
            let (text, _, _) = GBK.decode(bytes);
            (text, GBK)
        }
    }
}

/// True when the bytes are valid in `enc` without any replacement character.
pub fn is_valid_in(bytes: &[u8], enc: &'static Encoding) -> bool {
    decode_strict(bytes, enc).is_some()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels() {
        assert_eq!(encoding_from_label("GBK"), Some(GBK));
        assert_eq!(encoding_from_label("936"), Some(GBK));
        assert_eq!(encoding_from_label("CP936"), Some(GBK));
        assert_eq!(encoding_from_label("UTF-8\r\n"), Some(UTF_8));
        assert_eq!(encoding_from_label("gb18030"), Some(GB18030));
        assert_eq!(encoding_from_label("klingon"), None);
    }

    #[test]
    fn auto_falls_back_to_gbk() {
        let (gbk_bytes, _, _) = GBK.encode("西湖区双浦镇");
        let (text, enc) = decode_auto(&gbk_bytes);
        assert_eq!(text, "西湖区双浦镇");
        assert_eq!(enc, GBK);
        let (text, enc) = decode_auto("双浦镇".as_bytes());
        assert_eq!(text, "双浦镇");
        assert_eq!(enc, UTF_8);
    }
}
