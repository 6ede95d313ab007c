//! The small pieces report.html is written with: escaping, base64, and a string builder with
//! table rows in the report's language.

use std::fmt::Write as _;

use crate::tenones::Verdict;

use super::town::Lang;

/// Escape text for HTML element content and quoted attribute values.
pub fn esc(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            _ => out.push(c),
        }
    }
    out
}

const B64: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/// Standard base64 with padding.
pub fn base64(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let b = [
            chunk[0],
            chunk.get(1).copied().unwrap_or(0),
            chunk.get(2).copied().unwrap_or(0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(char::from(B64[((n >> (18 - 6 * i)) & 63) as usize]));
            } else {
                out.push('=');
            }
        }
    }
    out
}

/// The page being written, in the report's language.
pub(crate) struct Html {
    pub(crate) s: String,
    pub(crate) lang: Lang,
    /// Sections titled so far, for their numbers.
    sections: u32,
}

impl Html {
    pub(crate) fn new(lang: Lang) -> Html {
        Html {
            s: String::with_capacity(1 << 20),
            lang,
            sections: 0,
        }
    }
    /// A numbered section title: `<h2>3. Coverage</h2>`; the numbers follow the order written.
    pub(crate) fn heading(&mut self, zh: &str, en: &str) {
        self.sections += 1;
        let _ = writeln!(
            self.s,
            "<h2>{}. {}</h2>",
            self.sections,
            esc(self.lang.t(zh, en))
        );
    }
    /// A note paragraph, then a table opens.
    pub(crate) fn note_table(&mut self, zh: &str, en: &str) {
        let _ = writeln!(
            self.s,
            "<p class=\"note\">{}</p>\n<table>",
            esc(self.lang.t(zh, en))
        );
    }
    pub(crate) fn t<'a>(&self, zh: &'a str, en: &'a str) -> &'a str {
        self.lang.t(zh, en)
    }
    pub(crate) fn push(&mut self, s: &str) {
        self.s.push_str(s);
    }
    pub(crate) fn row(&mut self, cells: &[String]) {
        self.s.push_str("<tr>");
        for c in cells {
            self.s.push_str(c);
        }
        self.s.push_str("</tr>\n");
    }
    pub(crate) fn head(&mut self, cells: &[&str]) {
        self.s.push_str("<thead><tr>");
        for c in cells {
            let _ = write!(self.s, "<th>{}</th>", esc(c));
        }
        self.s.push_str("</tr></thead>\n");
    }
}

pub(crate) fn pct(p: Option<f64>) -> String {
    match p {
        Some(p) => format!("{p:.1}%"),
        None => "—".into(),
    }
}

pub(crate) fn num(v: f64) -> String {
    if !v.is_finite() {
        return "—".into();
    }
    if ((v - v.round()).abs() < 1e-9 && v.abs() < 1e15) || v.abs() >= 100.0 {
        format!("{v:.0}")
    } else if v.abs() >= 10.0 {
        format!("{v:.1}")
    } else {
        format!("{v:.2}")
    }
}

/// A verdict as a coloured label.
pub fn verdict_badge(v: Verdict, lang: Lang) -> String {
    let [r, g, b] = v.rgb();
    let fg = if v == Verdict::Partly { "#000" } else { "#fff" };
    format!(
        "<span class=\"verdict\" style=\"background:rgb({r},{g},{b});color:{fg}\">{}</span>",
        v.label(lang.code())
    )
}

/// A table cell with escaped text.
pub(crate) fn td(s: &str) -> String {
    format!("<td>{}</td>", esc(s))
}
