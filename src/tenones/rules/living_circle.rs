//! 9 高品质的镇村生活圈体系: for each living-circle tier of the profile, the share of residents
//! covered for every required facility type, banded; each tier is judged in the mode it is
//! defined for (the caller's coverage when it used that mode, else computed here). Villages below
//! the pass share are reported as places, with the required types they lack.

use super::{Item, band_share, check, finish, measure, no_data, threshold};
use crate::access::{AccessReport, AllRequiredCoverage, Coverage};
use crate::standards::Scope;
use crate::tenones::context::Context;
use crate::tenones::result::{Check, Place, RuleResult, Verdict};

pub const ITEM: Item = Item {
    number: 9,
    id: "living_circle",
    zh: "高品质的镇村生活圈体系",
    en: "High-quality town and village living circles",
};

pub fn evaluate(ctx: &Context<'_>) -> RuleResult {
    let r = &ctx.cfg.living_circle;
    let thresholds = vec![
        threshold(
            "living_circle.pass_percent",
            "全部必备设施覆盖人口比例(达标)",
            "share covered for every required type (pass)",
            &r.pass_percent,
            "%",
        ),
        threshold(
            "living_circle.partly_percent",
            "全部必备设施覆盖人口比例(基本达标)",
            "share covered for every required type (partly)",
            &r.partly_percent,
            "%",
        ),
    ];
    let mut modes: Vec<&str> = ctx.profile.tiers.iter().map(|t| t.mode.as_str()).collect();
    modes.sort_unstable();
    modes.dedup();
    let reports: Vec<(String, std::borrow::Cow<'_, AccessReport>)> = modes
        .into_iter()
        .filter_map(|m| ctx.tier_coverage(m).map(|r| (m.to_string(), r)))
        .collect();
    let mut checks = Vec::new();
    for t in &ctx.profile.tiers {
        let found = reports
            .iter()
            .filter(|(m, _)| *m == t.mode)
            .find_map(|(_, rep)| {
                rep.all_required
                    .iter()
                    .find(|a| a.minutes == t.minutes)
                    .map(|a| (a, rep.as_ref()))
            });
        let key = format!("tier_{}min", t.minutes);
        let zh = format!("{}（{}）全部必备设施覆盖", t.zh, t.mode);
        let en = format!("{} ({}): every required facility", t.en, t.mode);
        match found {
            Some((a, rep)) => checks.push(tier_check(ctx, check(&key, &zh, &en), a, rep)),
            None => checks.push(no_data(
                &key,
                &zh,
                &en,
                "该层级的覆盖结果无法计算",
                "no coverage could be computed for the tier",
            )),
        }
    }
    if checks.is_empty() {
        checks.push(no_data(
            "tiers",
            "生活圈覆盖",
            "living-circle coverage",
            "标准配置没有生活圈层级",
            "the profile defines no living-circle tiers",
        ));
    }
    finish(
        &ITEM,
        checks,
        thresholds,
        "补齐生活圈必备设施",
        "Add the missing living-circle facilities",
    )
}

fn tier_check(
    ctx: &Context<'_>,
    mut c: Check,
    a: &AllRequiredCoverage,
    rep: &AccessReport,
) -> Check {
    let r = &ctx.cfg.living_circle;
    let cov: Option<&Coverage> = match a.scope {
        Scope::BuiltUp => a.coverage.built_up.as_ref(),
        Scope::Town | Scope::Villages => Some(&a.coverage.town),
    };
    let Some(percent) = cov.and_then(|c| c.percent) else {
        c.verdict = Verdict::NoData;
        c.missing_zh.push("该层级范围内没有人口数据".into());
        c.missing_en.push("no residents in the tier's scope".into());
        return c;
    };
    c.verdict = band_share(percent, r.pass_percent.value, r.partly_percent.value);
    c.measures.push(measure(
        "covered_percent",
        "覆盖人口比例",
        "residents covered",
        percent,
        "%",
    ));
    if !a.missing.is_empty() {
        c.verdict = Verdict::Fail;
        c.measures.push(measure(
            "missing_types",
            "数据中完全缺少的必备设施类型",
            "required types with no facility at all",
            a.missing.len() as f64,
            "个",
        ));
    }
    if a.scope == Scope::BuiltUp {
        return c;
    }
    // Villages below the pass share, with the required entries they lack.
    for v in &a.coverage.villages {
        let Some(p) = v.coverage.percent else {
            continue;
        };
        if p + 1e-9 >= r.pass_percent.value {
            continue;
        }
        let lacking: Vec<String> = a
            .required
            .iter()
            .filter(|label| {
                let best = label
                    .split('|')
                    .filter_map(|id| {
                        rep.categories
                            .iter()
                            .find(|cc| cc.id == id.trim())?
                            .tiers
                            .iter()
                            .find(|s| s.minutes == a.minutes)?
                            .villages
                            .iter()
                            .find(|x| x.village == v.village)?
                            .coverage
                            .percent
                    })
                    .fold(0.0, f64::max);
                best + 1e-9 < r.pass_percent.value
            })
            .map(|label| {
                label
                    .split('|')
                    .map(|id| {
                        ctx.taxonomy
                            .by_id(id.trim())
                            .and_then(|c| ctx.taxonomy.get(c))
                            .map_or_else(|| id.trim().to_string(), |c| c.zh.clone())
                    })
                    .collect::<Vec<_>>()
                    .join("/")
            })
            .collect();
        let vr = ctx.villages().iter().find(|x| x.name == v.village);
        c.failing.push(Place {
            zh: format!(
                "{}：{}分钟生活圈覆盖{:.0}%（不足：{}）",
                v.village,
                a.minutes,
                p,
                lacking.join("、")
            ),
            en: format!(
                "{}: {:.0}% covered by the {}-minute circle (short of: {})",
                v.village,
                p,
                a.minutes,
                lacking.join(", ")
            ),
            layer: vr.map(|x| x.layer.clone()),
            source: vr.map(|x| x.source),
            xy: vr.map(|x| x.centre),
            geometry: vr
                .and_then(|x| x.polygon.clone())
                .map(geo_types::Geometry::MultiPolygon),
            value: Some(p),
            unit: "%".into(),
            population: Some(v.coverage.demand_total),
        });
        if c.verdict == Verdict::Pass {
            // The town passes on the whole, but a village is a desert: partly.
            c.verdict = Verdict::Partly;
        }
    }
    c
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tenones::test_town::{CENTRE, Town, check_verdict};

    /// Every facility the profile's tiers require, at the centre.
    fn town(far_pop: Option<f64>) -> Town {
        let mut ids: Vec<String> = Vec::new();
        let profile = crate::standards::Profile::default();
        for t in &profile.tiers {
            for r in &t.required {
                ids.extend(r.any_of.iter().take(1).cloned());
            }
        }
        ids.sort();
        ids.dedup();
        let list: Vec<([f64; 2], &str, &str)> =
            ids.iter().map(|c| (CENTRE, c.as_str(), "设施")).collect();
        Town::new(far_pop).facilities(&list)
    }

    #[test]
    fn pass_when_every_tier_covers_everyone() {
        let r = town(None).run(evaluate);
        assert_eq!(r.checks.len(), 3);
        assert_eq!(r.verdict, Verdict::Pass, "{:?}", r.checks);
    }

    #[test]
    fn partly_and_fail_by_the_5_minute_share() {
        // The far home is 600 m (10 min) from the centre on foot: outside the 5-minute tier.
        let r = town(Some(50.0)).run(evaluate);
        assert_eq!(check_verdict(&r, "tier_5min"), Verdict::Partly); // 250/300 = 83%
        assert_eq!(check_verdict(&r, "tier_15min"), Verdict::Pass);
        let r = town(Some(200.0)).run(evaluate);
        assert_eq!(check_verdict(&r, "tier_5min"), Verdict::Fail); // 250/450 = 56%
        assert_eq!(r.verdict, Verdict::Fail);
    }

    #[test]
    fn no_data_without_tiers() {
        let mut t = town(None);
        t.profile.tiers.clear();
        let r = t.run(evaluate);
        assert_eq!(r.verdict, Verdict::NoData);
        assert_eq!(
            r.checks[0].missing_en,
            vec!["the profile defines no living-circle tiers".to_string()]
        );
    }
}
