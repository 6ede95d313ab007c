//! Age bands (年龄段) of a population: which people a population raster counts (`60+` for
//! 60 and over, `3-5` for 3 to 5 years old inclusive) and which people a facility category serves
//! (the taxonomy's `age_band`). Written as `60+` / `3-5`; read from those and from the forms
//! planners and statistics bureaus use (`60岁以上`, `60plus`, `3~5岁`, `6至14岁`).
//!
//! [`AgeBand::from_file_name`] finds a band in a file name (`pop_60plus.tif`,
//! `人口_60岁以上.tif`, `age_3-5.tif`, `age_6_14.tif`): a range needs an age word beside it
//! (`age`, `岁`, `年龄`) so that a year or an EPSG code in a name is not taken for ages.

use std::fmt;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// The oldest age a band may name.
const MAX_AGE_YEARS: u32 = 120;

/// A band of ages in whole years: `from_years` up to `to_years` inclusive, or open-ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct AgeBand {
    pub from_years: u32,
    /// None: `from_years` and over.
    pub to_years: Option<u32>,
}

impl fmt::Display for AgeBand {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.to_years {
            Some(to) => write!(f, "{}-{to}", self.from_years),
            None => write!(f, "{}+", self.from_years),
        }
    }
}

impl Serialize for AgeBand {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for AgeBand {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let text = String::deserialize(d)?;
        AgeBand::parse(&text).map_err(serde::de::Error::custom)
    }
}

/// A run of ASCII digits in a text: its value (None when too long) and the char range.
struct Digits {
    value: Option<u32>,
    start: usize,
    end: usize,
}

fn digit_runs(chars: &[char]) -> Vec<Digits> {
    let mut out = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        if chars[i].is_ascii_digit() {
            let start = i;
            while i < chars.len() && chars[i].is_ascii_digit() {
                i += 1;
            }
            let text: String = chars[start..i].iter().collect();
            out.push(Digits {
                value: text.parse().ok(),
                start,
                end: i,
            });
        } else {
            i += 1;
        }
    }
    out
}

/// Does `chars` at `at` begin with `word` (ASCII case-insensitive)?
fn starts_with_at(chars: &[char], at: usize, word: &str) -> bool {
    let w: Vec<char> = word.chars().collect();
    chars.len() >= at + w.len()
        && chars[at..at + w.len()]
            .iter()
            .zip(&w)
            .all(|(a, b)| a.eq_ignore_ascii_case(b))
}

/// Skip separators (`_`, `-`, space, `.`) from `at`.
fn skip_separators(chars: &[char], mut at: usize) -> usize {
    while at < chars.len() && matches!(chars[at], '_' | '-' | ' ' | '.') {
        at += 1;
    }
    at
}

/// After a number at `at`: an open-ended marker (`+`, `plus`, `岁以上`, `岁及以上`, `以上`,
/// `岁+`, `and_over`).
fn plus_marker(chars: &[char], at: usize) -> bool {
    let i = skip_separators(chars, at);
    let i = if chars.get(i) == Some(&'岁') {
        i + 1
    } else {
        i
    };
    ["+", "＋", "plus", "以上", "及以上", "and_over", "andover"]
        .iter()
        .any(|m| starts_with_at(chars, i, m))
}

/// After a number at `at`: a range separator and the second number's index in `runs`.
fn range_end(chars: &[char], at: usize, runs: &[Digits], next: usize) -> Option<u32> {
    let second = runs.get(next)?;
    let between: String = chars[at..second.start].iter().collect();
    let between = between.trim();
    let ok = matches!(
        between,
        "-" | "_" | "~" | "～" | "–" | "—" | "至" | "到" | "to" | "_to_" | "-to-" | "岁至" | "岁-"
    );
    ok.then_some(second.value).flatten()
}

/// An age word in the text (so that `3-5` is ages): `age` not inside another word, `岁`, `年龄`.
fn has_age_word(chars: &[char]) -> bool {
    if chars.iter().any(|c| *c == '岁' || *c == '龄') {
        return true;
    }
    (0..chars.len())
        .any(|i| starts_with_at(chars, i, "age") && (i == 0 || !chars[i - 1].is_ascii_alphabetic()))
}

impl AgeBand {
    /// 60 and over.
    pub const ELDERLY: AgeBand = AgeBand {
        from_years: 60,
        to_years: None,
    };

    fn checked(from: u32, to: Option<u32>) -> Option<AgeBand> {
        let ok = from <= MAX_AGE_YEARS && to.is_none_or(|t| from <= t && t <= MAX_AGE_YEARS);
        ok.then_some(AgeBand {
            from_years: from,
            to_years: to,
        })
    }

    /// The first band in `text`; a range only when `ranges_need_age_word` is false or the text
    /// has an age word.
    fn find(text: &str, ranges_need_age_word: bool) -> Option<AgeBand> {
        let chars: Vec<char> = text.chars().collect();
        let runs = digit_runs(&chars);
        let ranges = !ranges_need_age_word || has_age_word(&chars);
        for (k, d) in runs.iter().enumerate() {
            let Some(v) = d.value else { continue };
            if plus_marker(&chars, d.end)
                && let Some(b) = AgeBand::checked(v, None)
            {
                return Some(b);
            }
            if ranges
                && let Some(to) = range_end(&chars, d.end, &runs, k + 1)
                && let Some(b) = AgeBand::checked(v, Some(to))
            {
                return Some(b);
            }
        }
        None
    }

    /// A band written by a person (`60+`, `60岁以上`, `3-5`, `3~5岁`, `6至14岁`, `age 6-14`).
    pub fn parse(text: &str) -> Result<AgeBand, String> {
        AgeBand::find(text.trim(), false).ok_or_else(|| {
            format!(
                "\"{text}\" is not an age band: write FROM-TO or FROM+ in years, e.g. 3-5, 6-14, 60+ (60岁以上)"
            )
        })
    }

    /// The band a population raster's file name gives, if any: `pop_60plus.tif`,
    /// `人口_60岁以上.tif`, `age_3-5.tif`, `age_6_14.tif`, `3至5岁人口.tif`. A range (`3-5`)
    /// counts only beside an age word (`age`, `岁`, `年龄`); an open band needs `+`, `plus`,
    /// `以上` or `over` after its number.
    pub fn from_file_name(path: &std::path::Path) -> Option<AgeBand> {
        AgeBand::from_name(&path.file_stem()?.to_string_lossy())
    }

    /// The band a name without extension gives, by the rules of [`AgeBand::from_file_name`]:
    /// a GeoPackage raster table's name (`pop_60plus`, `age_3_5`).
    pub fn from_name(name: &str) -> Option<AgeBand> {
        AgeBand::find(name, true)
    }

    /// The band a GeoTIFF band description or metadata value gives (`60+`, `age 3-5`,
    /// `60岁以上人口`): a bare range is taken when it is the whole text.
    pub fn from_description(text: &str) -> Option<AgeBand> {
        let t = text.trim();
        AgeBand::find(t, true).or_else(|| {
            let whole = t.trim_end_matches('岁');
            AgeBand::parse(whole).ok().filter(|_| {
                whole
                    .chars()
                    .all(|c| !c.is_alphabetic() || c == '至' || c == '到')
            })
        })
    }

    /// `60岁以上` / `3-5岁`, for Chinese text.
    pub fn zh(&self) -> String {
        match self.to_years {
            Some(to) => format!("{}-{to}岁", self.from_years),
            None => format!("{}岁以上", self.from_years),
        }
    }

    /// `aged 60+` / `aged 3-5`, for English text.
    pub fn en(&self) -> String {
        format!("aged {self}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::Path;

    fn band(from: u32, to: Option<u32>) -> Option<AgeBand> {
        Some(AgeBand {
            from_years: from,
            to_years: to,
        })
    }

    #[test]
    fn bands_from_file_names() {
        let f = |n: &str| AgeBand::from_file_name(Path::new(n));
        assert_eq!(f("pop_60plus.tif"), band(60, None));
        assert_eq!(f("人口_60岁以上.tif"), band(60, None));
        assert_eq!(f("60岁及以上人口.tif"), band(60, None));
        assert_eq!(f("pop_65+.tif"), band(65, None));
        assert_eq!(f("age_3-5.tif"), band(3, Some(5)));
        assert_eq!(f("age_6_14.tif"), band(6, Some(14)));
        assert_eq!(f("pop2020_age6-14.tif"), band(6, Some(14)));
        assert_eq!(f("3至5岁人口.tif"), band(3, Some(5)));
        assert_eq!(f("人口_6-14岁.tiff"), band(6, Some(14)));
        assert_eq!(f("age_2020_3-5.tif"), band(3, Some(5)), "a year is no age");
        // Not bands: years, EPSG codes, ranges without an age word, `age` inside a word.
        for n in [
            "pop-4549-deflate-tiled.tif",
            "pop-32651-lzw-striped-uint16.tif",
            "demo-town-pop-4326.tif",
            "chn_ppp_2020_UNadj.tif",
            "pop_3-5.tif",
            "village_3-5.tif",
            "人口.tif",
            "age_5-3.tif",
            "pop_200plus.tif",
        ] {
            assert_eq!(f(n), None, "{n}");
        }
    }

    #[test]
    fn bands_written_by_people_and_in_descriptions() {
        for (text, want) in [
            ("60+", band(60, None)),
            ("60岁以上", band(60, None)),
            ("3-5", band(3, Some(5))),
            (" 3~5岁 ", band(3, Some(5))),
            ("6至14岁", band(6, Some(14))),
            ("age 6-14", band(6, Some(14))),
        ] {
            assert_eq!(AgeBand::parse(text).ok(), want, "{text}");
            assert_eq!(AgeBand::from_description(text), want, "{text}");
        }
        let e = AgeBand::parse("elderly").unwrap_err();
        assert!(e.contains("elderly") && e.contains("60+"), "{e}");
        assert!(AgeBand::parse("14-6").is_err());
        // A description that is not about ages.
        assert_eq!(AgeBand::from_description("population 2020"), None);
        assert_eq!(AgeBand::from_description("band 1-2 of WorldPop"), None);
        assert_eq!(AgeBand::from_description("60岁以上人口"), band(60, None));
    }

    #[test]
    fn display_round_trips_and_serde_uses_the_text() {
        for b in [AgeBand::ELDERLY, AgeBand::parse("3-5").expect("band")] {
            assert_eq!(AgeBand::parse(&b.to_string()), Ok(b));
        }
        assert_eq!(AgeBand::ELDERLY.zh(), "60岁以上");
        assert_eq!(AgeBand::parse("6-14").expect("band").zh(), "6-14岁");
        #[derive(Deserialize, Serialize)]
        struct T {
            b: AgeBand,
        }
        let t: T = toml::from_str("b = \"60岁以上\"").expect("toml");
        assert_eq!(t.b, AgeBand::ELDERLY);
        assert_eq!(toml::to_string(&t).expect("toml").trim(), "b = \"60+\"");
        assert!(toml::from_str::<T>("b = \"old\"").is_err());
    }
}
