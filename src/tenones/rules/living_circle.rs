//! 9 高品质的镇村生活圈体系: for each living-circle tier of the profile, the share of residents
//! covered for every required facility type (the coverage report the caller computed), banded;
//! villages below the pass share are reported.

use super::{Item, band_share, check, finish, measure, no_data, threshold};
use crate::access::Coverage;
use crate::standards::Scope;
use crate::tenones::context::Context;
use crate::tenones::result::{Place, RuleResult, Verdict};

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
    let mut checks = Vec::new();
    for a in &ctx.coverage.all_required {
        let key = format!("tier_{}min", a.minutes);
        let zh = format!("{}分钟生活圈全部必备设施覆盖", a.minutes);
        let en = format!("{}-minute circle: every required facility", a.minutes);
        let cov: Option<&Coverage> = match a.scope {
            Scope::BuiltUp => a.coverage.built_up.as_ref(),
            Scope::Town | Scope::Villages => Some(&a.coverage.town),
        };
        let Some(percent) = cov.and_then(|c| c.percent) else {
            checks.push(no_data(
                &key,
                &zh,
                &en,
                "没有人口或该范围的数据",
                "no residents in the tier's scope",
            ));
            continue;
        };
        let mut c = check(&key, &zh, &en);
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
                "缺失的设施类型",
                "required types with no facility",
                a.missing.len() as f64,
                "个",
            ));
        }
        if a.scope != Scope::BuiltUp {
            for v in &a.coverage.villages {
                let Some(p) = v.coverage.percent else {
                    continue;
                };
                if p + 1e-9 < r.pass_percent.value {
                    let vr = ctx.villages().iter().find(|x| x.name == v.village);
                    c.failing.push(Place {
                        zh: format!("{}：{}分钟生活圈覆盖{:.0}%", v.village, a.minutes, p),
                        en: format!(
                            "{}: {:.0}% covered by the {}-minute circle",
                            v.village, p, a.minutes
                        ),
                        layer: vr.map(|x| x.layer.clone()),
                        source: vr.map(|x| x.source),
                        xy: vr.map(|x| x.centre),
                        geometry: None,
                        value: Some(p),
                        unit: "%".into(),
                        population: Some(v.coverage.demand_total),
                    });
                }
            }
        }
        checks.push(c);
    }
    if checks.is_empty() {
        checks.push(no_data(
            "tiers",
            "生活圈覆盖",
            "living-circle coverage",
            "没有生活圈层级或覆盖结果",
            "no living-circle tiers or coverage results",
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
