//! The ten rules, one file each, and what they share: building checks, verdict bands, thresholds
//! with provenance, and failing places merged from failing homes.

pub mod commerce;
pub mod culture_sport;
pub mod education;
pub mod governance;
pub mod greenway;
pub mod health_care;
pub mod living_circle;
pub mod sewer;
pub mod transport;
pub mod waste;

use geo::Contains;
use geo_types::{Geometry, MultiPolygon, Point};
use rstar::RTree;
use rstar::primitives::GeomWithData;

use super::context::{Context, Home, Timer};
use super::result::{Check, Measure, Place, RuleResult, ThresholdUsed, Verdict};
use crate::access::gaps::gap_areas;
use crate::standards::Cited;

/// A threshold as used, with its profile key (`rule.key`) and unit.
pub fn threshold(key: &str, zh: &str, en: &str, c: &Cited<f64>, unit: &str) -> ThresholdUsed {
    ThresholdUsed {
        key: key.into(),
        zh: zh.into(),
        en: en.into(),
        value: c.value,
        unit: unit.into(),
        source: c.source,
        cite: c.cite.clone(),
    }
}

pub fn measure(key: &str, zh: &str, en: &str, value: f64, unit: &str) -> Measure {
    Measure {
        key: key.into(),
        zh: zh.into(),
        en: en.into(),
        value,
        unit: unit.into(),
    }
}

/// A check, passing until told otherwise.
pub fn check(key: &str, zh: &str, en: &str) -> Check {
    Check {
        key: key.into(),
        zh: zh.into(),
        en: en.into(),
        verdict: Verdict::Pass,
        measures: vec![],
        failing: vec![],
        missing_zh: vec![],
        missing_en: vec![],
    }
}

/// A check that cannot be judged: what is missing.
pub fn no_data(key: &str, zh: &str, en: &str, missing_zh: &str, missing_en: &str) -> Check {
    Check {
        verdict: Verdict::NoData,
        missing_zh: vec![missing_zh.into()],
        missing_en: vec![missing_en.into()],
        ..check(key, zh, en)
    }
}

/// Pass at or above `pass`, partly at or above `partly`, else fail (shares in per cent).
pub fn band_share(percent: f64, pass: f64, partly: f64) -> Verdict {
    if percent >= pass - 1e-9 {
        Verdict::Pass
    } else if percent >= partly - 1e-9 {
        Verdict::Partly
    } else {
        Verdict::Fail
    }
}

/// Pass at or below `pass`, partly at or below `partly`, else fail (times, distances).
pub fn band_max(value: f64, pass: f64, partly: f64) -> Verdict {
    if value <= pass {
        Verdict::Pass
    } else if value <= partly {
        Verdict::Partly
    } else {
        Verdict::Fail
    }
}

/// Pass when `count` is at least `min`, else fail.
pub fn at_least(count: f64, min: f64) -> Verdict {
    if count >= min {
        Verdict::Pass
    } else {
        Verdict::Fail
    }
}

/// The item's verdict: the worst of the checks that have data; no data when none has.
pub fn combine(checks: &[Check]) -> Verdict {
    checks
        .iter()
        .map(|c| c.verdict)
        .filter(|v| *v != Verdict::NoData)
        .max()
        .unwrap_or(Verdict::NoData)
}

/// 0..=100: pass 100, partly 50, fail 0, averaged over the checks with data.
pub fn score(checks: &[Check]) -> Option<f64> {
    let s: Vec<f64> = checks
        .iter()
        .filter_map(|c| match c.verdict {
            Verdict::Pass => Some(100.0),
            Verdict::Partly => Some(50.0),
            Verdict::Fail => Some(0.0),
            Verdict::NoData => None,
        })
        .collect();
    (!s.is_empty()).then(|| s.iter().sum::<f64>() / s.len() as f64)
}

/// The header of a rule.
pub struct Item {
    pub number: u8,
    pub id: &'static str,
    pub zh: &'static str,
    pub en: &'static str,
}

/// Assemble a rule's result; the recommendation names the failing places.
pub fn finish(
    item: &Item,
    checks: Vec<Check>,
    thresholds: Vec<ThresholdUsed>,
    fix_zh: &str,
    fix_en: &str,
) -> RuleResult {
    let verdict = combine(&checks);
    let places: Vec<&str> = {
        let mut v: Vec<&str> = checks
            .iter()
            .filter(|c| matches!(c.verdict, Verdict::Fail | Verdict::Partly))
            .flat_map(|c| c.failing.iter().map(|p| p.zh.as_str()))
            .collect();
        v.dedup();
        v
    };
    let places_en: Vec<&str> = {
        let mut v: Vec<&str> = checks
            .iter()
            .filter(|c| matches!(c.verdict, Verdict::Fail | Verdict::Partly))
            .flat_map(|c| c.failing.iter().map(|p| p.en.as_str()))
            .collect();
        v.dedup();
        v
    };
    let (recommendation_zh, recommendation_en) = match verdict {
        Verdict::Pass => (
            "保持现状，定期复核。".to_string(),
            "Keep as is; review periodically.".to_string(),
        ),
        Verdict::NoData => {
            let zh: Vec<&str> = checks
                .iter()
                .flat_map(|c| c.missing_zh.iter().map(String::as_str))
                .collect();
            let en: Vec<&str> = checks
                .iter()
                .flat_map(|c| c.missing_en.iter().map(String::as_str))
                .collect();
            (
                format!("补充数据后再评价：{}。", zh.join("；")),
                format!("Add the data, then re-run: {}.", en.join("; ")),
            )
        }
        _ if places.is_empty() => (format!("{fix_zh}。"), format!("{fix_en}.")),
        _ => (
            format!(
                "{fix_zh}：{}。",
                places
                    .iter()
                    .take(6)
                    .cloned()
                    .collect::<Vec<_>>()
                    .join("、")
            ),
            format!(
                "{fix_en}: {}.",
                places_en
                    .iter()
                    .take(6)
                    .cloned()
                    .collect::<Vec<_>>()
                    .join("; ")
            ),
        ),
    };
    RuleResult {
        number: item.number,
        id: item.id.into(),
        zh: item.zh.into(),
        en: item.en.into(),
        verdict,
        score: score(&checks),
        checks,
        thresholds,
        recommendation_zh,
        recommendation_en,
    }
}

/// A failing home and its measured value.
#[derive(Debug, Clone, Copy)]
pub struct FailingHome {
    pub xy: [f64; 2],
    pub weight: f64,
    pub value: f64,
}

/// Merge neighbouring failing homes into places: homes within `place_merge_m` of each other
/// (chained) form one place, drawn as the gap cells (profile `shapes.gap_cell_m`) of its homes,
/// named by where it lies, with its residents and the smallest value inside (the best-off home).
pub fn home_places(
    ctx: &Context<'_>,
    failing: &[FailingHome],
    unit: &str,
    what_zh: &str,
    what_en: &str,
) -> Vec<Place> {
    let link_m = ctx.cfg.place_merge_m.value;
    merged_places(
        ctx,
        failing,
        link_m,
        unit,
        ("处住宅", "homes"),
        what_zh,
        what_en,
    )
}

/// [`home_places`] for any kind of point (`noun` = (zh, en), e.g. ("个采样点", "sample points")),
/// points within `link_m` of each other (chained) forming one place.
pub fn merged_places(
    ctx: &Context<'_>,
    failing: &[FailingHome],
    link_m: f64,
    unit: &str,
    noun: (&str, &str),
    what_zh: &str,
    what_en: &str,
) -> Vec<Place> {
    let cell_m = ctx.profile.shapes.gap_cell_m.value;
    let tree: RTree<GeomWithData<[f64; 2], usize>> = RTree::bulk_load(
        failing
            .iter()
            .enumerate()
            .filter(|(_, h)| h.xy[0].is_finite() && h.xy[1].is_finite())
            .map(|(i, h)| GeomWithData::new(h.xy, i))
            .collect(),
    );
    let mut group: Vec<usize> = (0..failing.len()).collect();
    for (i, h) in failing.iter().enumerate() {
        for n in tree.locate_within_distance(h.xy, link_m * link_m) {
            let (a, b) = (root(&mut group, i), root(&mut group, n.data));
            if a != b {
                group[a] = b;
            }
        }
    }
    let mut clusters: Vec<(usize, Vec<&FailingHome>)> = Vec::new();
    for (i, h) in failing.iter().enumerate() {
        let r = root(&mut group, i);
        match clusters.iter_mut().find(|(k, _)| *k == r) {
            Some((_, v)) => v.push(h),
            None => clusters.push((r, vec![h])),
        }
    }
    let mut places: Vec<Place> = clusters
        .into_iter()
        .map(|(_, homes)| {
            let pts: Vec<([f64; 2], f64)> = homes.iter().map(|h| (h.xy, h.weight)).collect();
            let polygon = MultiPolygon::new(
                gap_areas(&pts, cell_m)
                    .into_iter()
                    .flat_map(|a| a.polygon.0)
                    .collect(),
            );
            let weight: f64 = homes.iter().map(|h| h.weight).sum();
            let w = |h: &FailingHome| if weight > 0.0 { h.weight } else { 1.0 };
            let wsum: f64 = homes.iter().map(|h| w(h)).sum();
            let centre = [
                homes.iter().map(|h| h.xy[0] * w(h)).sum::<f64>() / wsum,
                homes.iter().map(|h| h.xy[1] * w(h)).sum::<f64>() / wsum,
            ];
            let value = homes.iter().map(|h| h.value).fold(f64::INFINITY, f64::min);
            // The home nearest the centre stands for the place (always inside it).
            let xy = homes
                .iter()
                .min_by(|p, q| dist_m_of(p.xy, centre).total_cmp(&dist_m_of(q.xy, centre)))
                .map_or(centre, |h| h.xy);
            let (zh, en) = ctx.place_name(xy);
            Place {
                zh: format!("{zh}：{}{}{what_zh}", homes.len(), noun.0),
                en: format!("{en}: {} {} {what_en}", homes.len(), noun.1),
                layer: None,
                source: None,
                xy: Some(xy),
                geometry: Some(Geometry::MultiPolygon(polygon)),
                value: value.is_finite().then_some(value),
                unit: unit.into(),
                population: Some(weight),
            }
        })
        .collect();
    places.sort_by(|a, b| {
        b.population
            .unwrap_or(0.0)
            .total_cmp(&a.population.unwrap_or(0.0))
    });
    places
}

/// The root of `i` in a union-find forest (with path halving).
pub fn root(g: &mut [usize], mut i: usize) -> usize {
    while g[i] != i {
        g[i] = g[g[i]];
        i = g[i];
    }
    i
}

/// A share check over homes: `value_of` gives each home's value, `limit` the largest that
/// passes; the share of residents within it is banded by pass/partly per cent.
#[allow(clippy::too_many_arguments)]
pub fn homes_check(
    ctx: &Context<'_>,
    mut c: Check,
    homes: &[Home],
    value_of: impl Fn(&Home) -> f64,
    limit: f64,
    unit: &str,
    pass_percent: f64,
    partly_percent: f64,
    what_zh: &str,
    what_en: &str,
) -> Check {
    let total: f64 = homes.iter().map(|h| h.weight).sum();
    let mut failing = Vec::new();
    let mut covered = 0.0;
    let mut worst = 0.0_f64;
    for h in homes {
        let v = value_of(h);
        if v <= limit {
            covered += h.weight;
        } else {
            failing.push(FailingHome {
                xy: h.xy,
                weight: h.weight,
                value: v,
            });
        }
        worst = worst.max(v);
    }
    if total <= 0.0 {
        c.verdict = Verdict::NoData;
        c.missing_zh.push("没有住宅或人口数据".into());
        c.missing_en
            .push("no residential buildings or population".into());
        return c;
    }
    let percent = covered / total * 100.0;
    c.verdict = band_share(percent, pass_percent, partly_percent);
    c.measures.push(measure(
        "covered_percent",
        "达标人口比例",
        "residents within the limit",
        percent,
        "%",
    ));
    c.measures.push(measure(
        "residents",
        "评价人口",
        "residents assessed",
        total,
        "人",
    ));
    c.measures.push(measure(
        "worst",
        "最不利值",
        "worst value",
        if worst.is_finite() {
            worst
        } else {
            f64::INFINITY
        },
        unit,
    ));
    c.failing = home_places(ctx, &failing, unit, what_zh, what_en);
    c
}

/// A built-up-area walking check: residents of the 建成区 within `limit` (metres walked, or
/// minutes) of any facility of `categories`, banded by pass/partly per cent.
pub struct BuiltUpWalk<'a> {
    pub key: &'a str,
    pub zh: String,
    pub en: String,
    pub categories: &'a [String],
    pub limit: f64,
    /// "m" (metres walked) or "min".
    pub unit: &'a str,
    pub pass_percent: f64,
    pub partly_percent: f64,
    /// The failing places' description ("步行500米内无菜市场", "with no fresh market within 500 m").
    pub what_zh: String,
    pub what_en: String,
}

/// Judge a [`BuiltUpWalk`]: no data without a 建成区, facilities or a walking network.
pub fn built_up_walk_check(ctx: &Context<'_>, w: &BuiltUpWalk<'_>) -> Check {
    let (key, zh, en) = (w.key, w.zh.as_str(), w.en.as_str());
    if !ctx.has_built_up() {
        return no_data(key, zh, en, "没有建成区图层", "no built-up area layer");
    }
    if !ctx.has_facilities() {
        return no_data(key, zh, en, "没有设施(POI)图层", "no facility (POI) layer");
    }
    let Some(walk) = ctx.walk() else {
        return no_data(key, zh, en, "步行网络无法建立", "no walking network");
    };
    let pts: Vec<[f64; 2]> = ctx.facilities(w.categories).iter().map(|f| f.xy).collect();
    let timer = ctx.timer(walk, &pts);
    let homes: Vec<_> = ctx.homes().into_iter().filter(|h| h.built_up).collect();
    let minutes = w.unit == "min";
    homes_check(
        ctx,
        check(key, zh, en),
        &homes,
        |h| {
            if minutes {
                timer.demand_time_s(h.index) / 60.0
            } else {
                walk_m(&timer, h)
            }
        },
        w.limit,
        w.unit,
        w.pass_percent,
        w.partly_percent,
        &w.what_zh,
        &w.what_en,
    )
}

/// Walking metres from demand point `h` with `timer`.
pub fn walk_m(timer: &Timer<'_>, h: &Home) -> f64 {
    timer.metres(timer.demand_time_s(h.index))
}

/// Judge every 行政村 by a value at its centre (or `has` inside it): those over `limit` fail.
/// Adds the counts as measures and the failing villages as places.
#[allow(clippy::too_many_arguments)]
pub fn villages_check(
    ctx: &Context<'_>,
    mut c: Check,
    has_inside: impl Fn(&super::context::VillageRef) -> bool,
    value_of: impl Fn(&super::context::VillageRef) -> f64,
    limit: f64,
    unit: &str,
    what_zh: &str,
    what_en: &str,
) -> Check {
    let villages = ctx.villages();
    let mut ok = 0;
    for v in villages {
        if has_inside(v) {
            ok += 1;
            continue;
        }
        let x = value_of(v);
        if x <= limit {
            ok += 1;
        } else {
            c.failing.push(Place {
                zh: format!("{}：{what_zh}", v.name),
                en: format!("{}: {what_en}", v.name),
                layer: Some(v.layer.clone()),
                source: Some(v.source),
                xy: Some(v.centre),
                geometry: None,
                value: x.is_finite().then_some(x),
                unit: unit.into(),
                population: v.population,
            });
        }
    }
    c.measures.push(measure(
        "villages_ok",
        "达标行政村",
        "villages meeting it",
        ok as f64,
        "个",
    ));
    c.measures.push(measure(
        "villages",
        "行政村",
        "villages",
        villages.len() as f64,
        "个",
    ));
    c.verdict = if c.failing.is_empty() {
        Verdict::Pass
    } else {
        Verdict::Fail
    };
    c
}

/// Whether any of `points` lies inside the village polygon.
pub fn inside_village(v: &super::context::VillageRef, points: &[[f64; 2]]) -> bool {
    v.polygon
        .as_ref()
        .is_some_and(|m| points.iter().any(|p| m.contains(&Point::new(p[0], p[1]))))
}

/// Straight-line metres.
pub fn dist_m_of(a: [f64; 2], b: [f64; 2]) -> f64 {
    super::context::dist_m(a, b)
}
