//! The attribute table's text encoding, decided as: the user's choice > the .cpg > the DBF language driver id > valid UTF-8 > GBK.

use super::dbf::Dbf;
use super::*;

/// The text encoding of the attribute table, decided as: the user's choice, the .cpg, the DBF
/// language driver id, valid UTF-8, else GBK. Returns it and how it was decided.
pub(super) fn decide_encoding(
    options: &ReadOptions,
    cpg: Option<&Path>,
    dbf: &Dbf,
    notes: &mut Vec<String>,
) -> (&'static Encoding, String) {
    if let Some(e) = options.encoding {
        return (e, format!("{} (user)", encoding_label(e)));
    }
    if let Some(cpg) = cpg {
        let text = std::fs::read(cpg)
            .map(|b| String::from_utf8_lossy(&b).trim().to_string())
            .unwrap_or_default();
        match crate::io::encoding::encoding_from_label(&text) {
            Some(e) => return (e, format!("{} (from .cpg)", encoding_label(e))),
            None => notes.push(format!(
                "the .cpg names an encoding towncircle does not know (\"{}\"); the encoding was guessed instead",
                text.chars().take(40).collect::<String>()
            )),
        }
    }
    let (utf8_ok, non_ascii) = dbf.utf8_check();
    let ldid = match dbf.ldid {
        0x4D | 0x7A => Some(GBK),
        0x4F | 0x78 => Some(encoding_rs::BIG5),
        _ => None,
    };
    if let Some(e) = ldid {
        if utf8_ok && non_ascii {
            notes.push(format!(
                "the DBF language driver says {} (0x{:02X}) but the text is valid UTF-8; read as UTF-8",
                encoding_label(e),
                dbf.ldid
            ));
            return (
                UTF_8,
                "UTF-8 (guessed: valid UTF-8 despite the DBF language driver)".into(),
            );
        }
        return (
            e,
            format!(
                "{} (from DBF language driver 0x{:02X})",
                encoding_label(e),
                dbf.ldid
            ),
        );
    }
    if utf8_ok {
        let why = if non_ascii {
            "valid UTF-8"
        } else {
            "ASCII only"
        };
        (UTF_8, format!("UTF-8 (guessed: {why})"))
    } else {
        (GBK, "GBK (guessed: not valid UTF-8)".into())
    }
}
