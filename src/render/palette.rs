//! Colours for maps and reports: a ramp for living-circle tiers (5/15/30 min), one colour per
//! facility-category group (the `group` values of `assets/categories.toml`) and the verdict
//! colours (达标 / 基本达标 / 未达标 / 缺数据).
//!
//! The tier ramp samples viridis (perceptually uniform, colour-blind safe, prints in grey as a
//! lightness ramp); the group colours are Paul Tol's "muted" scheme (nine colours designed to be
//! told apart with the common colour-vision deficiencies). Verdicts follow ColorBrewer RdYlGn,
//! whose three classes also differ in lightness; reports print the verdict text beside the colour.

use super::Rgba;

/// The 5-minute circle (5分钟生活圈): dark blue.
pub const TIER_5_MIN: Rgba = Rgba::rgb(0x3b, 0x52, 0x8b);
/// The 15-minute circle (15分钟生活圈): green.
pub const TIER_15_MIN: Rgba = Rgba::rgb(0x5e, 0xc9, 0x62);
/// The 30-minute circle (30分钟生活圈): yellow.
pub const TIER_30_MIN: Rgba = Rgba::rgb(0xfd, 0xe7, 0x25);

/// Viridis at eleven evenly spaced stops (0.0, 0.1, … 1.0).
const VIRIDIS: [Rgba; 11] = [
    Rgba::rgb(0x44, 0x01, 0x54),
    Rgba::rgb(0x48, 0x24, 0x75),
    Rgba::rgb(0x41, 0x44, 0x87),
    Rgba::rgb(0x35, 0x5f, 0x8d),
    Rgba::rgb(0x2a, 0x78, 0x8e),
    Rgba::rgb(0x21, 0x91, 0x8c),
    Rgba::rgb(0x22, 0xa8, 0x84),
    Rgba::rgb(0x44, 0xbf, 0x70),
    Rgba::rgb(0x7a, 0xd1, 0x51),
    Rgba::rgb(0xbd, 0xdf, 0x26),
    Rgba::rgb(0xfd, 0xe7, 0x25),
];

/// Viridis at `t` in [0, 1] (clamped), linearly interpolated between stops.
pub fn viridis(t: f64) -> Rgba {
    let t = if t.is_finite() {
        t.clamp(0.0, 1.0)
    } else {
        0.0
    };
    let x = t * 10.0;
    let i = (x.floor() as usize).min(9);
    let f = x - i as f64;
    let (a, b) = (VIRIDIS[i], VIRIDIS[i + 1]);
    let mix = |p: u8, q: u8| (p as f64 + (q as f64 - p as f64) * f).round() as u8;
    Rgba::rgb(mix(a.r, b.r), mix(a.g, b.g), mix(a.b, b.b))
}

/// The colour of a tier given its time budget in minutes: ≤5 min, ≤15 min, otherwise the
/// 30-minute colour.
pub fn tier_colour(minutes: f64) -> Rgba {
    if minutes <= 5.0 {
        TIER_5_MIN
    } else if minutes <= 15.0 {
        TIER_15_MIN
    } else {
        TIER_30_MIN
    }
}

/// `count` distinct tier colours, shortest budget first (dark) to longest (light). For three
/// tiers these are exactly [`TIER_5_MIN`], [`TIER_15_MIN`], [`TIER_30_MIN`].
pub fn tier_colours(count: usize) -> Vec<Rgba> {
    match count {
        0 => Vec::new(),
        1 => vec![TIER_5_MIN],
        3 => vec![TIER_5_MIN, TIER_15_MIN, TIER_30_MIN],
        n => (0..n)
            .map(|i| viridis(0.25 + 0.75 * i as f64 / (n - 1) as f64))
            .collect(),
    }
}

/// Education (教育): indigo.
pub const GROUP_EDUCATION: Rgba = Rgba::rgb(0x33, 0x22, 0x88);
/// Health (医疗卫生): rose.
pub const GROUP_HEALTH: Rgba = Rgba::rgb(0xcc, 0x66, 0x77);
/// Elderly care (养老): purple.
pub const GROUP_ELDERLY: Rgba = Rgba::rgb(0xaa, 0x44, 0x99);
/// Commerce (商业): sand.
pub const GROUP_COMMERCE: Rgba = Rgba::rgb(0xdd, 0xcc, 0x77);
/// Culture and sport (文体): green.
pub const GROUP_CULTURE_SPORT: Rgba = Rgba::rgb(0x11, 0x77, 0x33);
/// Municipal services and environment (市政环卫): cyan.
pub const GROUP_MUNICIPAL: Rgba = Rgba::rgb(0x88, 0xcc, 0xee);
/// Transport (交通): olive.
pub const GROUP_TRANSPORT: Rgba = Rgba::rgb(0x99, 0x99, 0x33);
/// Governance and public services (治理): wine.
pub const GROUP_GOVERNANCE: Rgba = Rgba::rgb(0x88, 0x22, 0x55);
/// Environment and parks (环境): teal.
pub const GROUP_ENVIRONMENT: Rgba = Rgba::rgb(0x44, 0xaa, 0x99);
/// A group this palette does not know: mid grey.
pub const GROUP_OTHER: Rgba = Rgba::rgb(0x88, 0x88, 0x88);

/// The colour of a facility-category group, by the `group` value of `assets/categories.toml`
/// (`education`, `health`, `elderly`, `commerce`, `culture_sport`, `municipal`, `transport`,
/// `governance`; also `culture`, `sport` and `environment`). Unknown groups are grey.
pub fn group_colour(group: &str) -> Rgba {
    match group.trim().to_ascii_lowercase().as_str() {
        "education" => GROUP_EDUCATION,
        "health" => GROUP_HEALTH,
        "elderly" => GROUP_ELDERLY,
        "commerce" => GROUP_COMMERCE,
        "culture_sport" | "culture" | "sport" => GROUP_CULTURE_SPORT,
        "municipal" => GROUP_MUNICIPAL,
        "transport" => GROUP_TRANSPORT,
        "governance" => GROUP_GOVERNANCE,
        "environment" => GROUP_ENVIRONMENT,
        _ => GROUP_OTHER,
    }
}

/// The Chinese legend name of a facility-category group, or None for an unknown group.
pub fn group_name_zh(group: &str) -> Option<&'static str> {
    Some(match group.trim().to_ascii_lowercase().as_str() {
        "education" => "教育",
        "health" => "医疗卫生",
        "elderly" => "养老",
        "commerce" => "商业",
        "culture_sport" => "文化体育",
        "culture" => "文化",
        "sport" => "体育",
        "municipal" => "市政",
        "transport" => "交通",
        "governance" => "行政管理",
        "environment" => "环境",
        _ => return None,
    })
}

/// 达标 (meets the standard): green.
pub const VERDICT_PASS: Rgba = Rgba::rgb(0x1a, 0x98, 0x50);
/// 基本达标 (nearly meets it): amber.
pub const VERDICT_PARTIAL: Rgba = Rgba::rgb(0xf4, 0xa5, 0x3a);
/// 未达标 (fails): red.
pub const VERDICT_FAIL: Rgba = Rgba::rgb(0xd7, 0x30, 0x27);
/// 缺数据 (no data): grey.
pub const VERDICT_NO_DATA: Rgba = Rgba::rgb(0x9e, 0x9e, 0x9e);

/// The colour of a verdict by its Chinese label (达标, 基本达标, 未达标, 缺数据) or English
/// word (pass, partial, fail, no_data). Anything else is treated as no data (grey).
pub fn verdict_colour(verdict: &str) -> Rgba {
    match verdict.trim().to_ascii_lowercase().as_str() {
        "达标" | "pass" => VERDICT_PASS,
        "基本达标" | "partial" => VERDICT_PARTIAL,
        "未达标" | "fail" => VERDICT_FAIL,
        _ => VERDICT_NO_DATA,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Relative luminance (WCAG), 0..1.
    fn luminance(c: Rgba) -> f64 {
        let lin = |v: u8| {
            let v = v as f64 / 255.0;
            if v <= 0.04045 {
                v / 12.92
            } else {
                ((v + 0.055) / 1.055).powf(2.4)
            }
        };
        0.2126 * lin(c.r) + 0.7152 * lin(c.g) + 0.0722 * lin(c.b)
    }

    #[test]
    fn tiers_are_distinct_and_ordered_by_lightness() {
        assert_eq!(tier_colour(5.0), TIER_5_MIN);
        assert_eq!(tier_colour(15.0), TIER_15_MIN);
        assert_eq!(tier_colour(30.0), TIER_30_MIN);
        assert_eq!(tier_colour(10.0), TIER_15_MIN);
        let three = tier_colours(3);
        assert_eq!(three, vec![TIER_5_MIN, TIER_15_MIN, TIER_30_MIN]);
        // Lightness alone tells the tiers apart (colour-blind and greyscale safe).
        for n in [2, 3, 4, 5] {
            let ramp = tier_colours(n);
            assert_eq!(ramp.len(), n);
            for w in ramp.windows(2) {
                assert!(luminance(w[1]) > luminance(w[0]) + 0.05, "{n}: {w:?}");
            }
        }
        assert_eq!(viridis(0.0), VIRIDIS[0]);
        assert_eq!(viridis(1.0), VIRIDIS[10]);
        assert_eq!(viridis(f64::NAN), VIRIDIS[0]);
    }

    #[test]
    fn every_group_of_the_shipped_categories_has_its_own_colour() {
        let text = include_str!("../../assets/categories.toml");
        let groups: std::collections::BTreeSet<&str> = text
            .lines()
            .filter_map(|l| l.trim().strip_prefix("group = \""))
            .filter_map(|l| l.strip_suffix('"'))
            .collect();
        assert!(groups.len() >= 6, "{groups:?}");
        let mut seen = std::collections::BTreeSet::new();
        for g in &groups {
            let c = group_colour(g);
            assert_ne!(c, GROUP_OTHER, "group {g} has no colour");
            assert!(group_name_zh(g).is_some(), "group {g} has no name");
            assert!(seen.insert((c.r, c.g, c.b)), "group {g} shares a colour");
        }
        assert_eq!(group_colour("something else"), GROUP_OTHER);
    }

    #[test]
    fn verdicts() {
        assert_eq!(verdict_colour("达标"), VERDICT_PASS);
        assert_eq!(verdict_colour("基本达标"), VERDICT_PARTIAL);
        assert_eq!(verdict_colour("未达标"), VERDICT_FAIL);
        assert_eq!(verdict_colour("缺数据"), VERDICT_NO_DATA);
        assert_eq!(verdict_colour("FAIL"), VERDICT_FAIL);
        assert_eq!(verdict_colour("?"), VERDICT_NO_DATA);
        const { assert!(VERDICT_PASS.g > VERDICT_PASS.r && VERDICT_FAIL.r > VERDICT_FAIL.g) };
    }
}
