//! report.html's scenario section (方案比较 / Scenario comparison), after the town summary when
//! the report is of a scenario: the edits, all-required coverage per tier, the facility types
//! whose coverage changed, and the ten-ones verdicts before and after.

use std::fmt::Write as _;

use super::compare::{CoverageChange, ScenarioComparison};
use super::html_kit::{Html, esc, num, pct, td, verdict_badge};
use super::town::{Lang, ReportData};

fn tdn(s: String) -> String {
    format!("<td class=\"num\">{s}</td>")
}

/// "+3.2" percentage points, or "—".
fn pp(a: Option<f64>, b: Option<f64>) -> String {
    match (a, b) {
        (Some(a), Some(b)) => format!("{:+.1}", b - a),
        _ => "—".into(),
    }
}

fn signed(v: f64) -> String {
    if v.abs() < 1e-9 {
        "0".into()
    } else if v > 0.0 {
        format!("+{}", num(v))
    } else {
        format!("−{}", num(-v))
    }
}

fn opt_num(v: Option<f64>) -> String {
    v.map_or("—".into(), num)
}

/// The section, when `data.scenario` is set.
pub(crate) fn scenario_html(h: &mut Html, data: &ReportData<'_>) {
    let Some(c) = &data.scenario else {
        return;
    };
    let lang = h.lang;
    h.push("<section class=\"flow\" id=\"scenario\">\n");
    h.heading("方案比较", "Scenario comparison");
    let _ = writeln!(
        h.s,
        "<p>{} <strong>{}</strong>{}</p>",
        h.t(
            "本报告的覆盖率与“十个一”结论均按方案计算：",
            "Every figure and verdict of this report is the scenario's:"
        ),
        esc(&c.name),
        c.note
            .as_ref()
            .map(|n| format!(" — {}", esc(n)))
            .unwrap_or_default()
    );
    edits_html(h, c);
    h.push(&format!(
        "<h3>{}</h3>\n",
        esc(h.t(
            "全部必需设施覆盖率（现状 → 方案）",
            "All required types (base → scenario)"
        ))
    ));
    h.note_table(
        "镇域覆盖率；净增人口为方案覆盖人口减现状覆盖人口。",
        "Town coverage; the change in people is those covered in the scenario minus in the base.",
    );
    h.head(&[
        h.t("时间圈", "Tier"),
        h.t("出行方式", "Mode"),
        h.t("现状", "Base"),
        h.t("方案", "Scenario"),
        h.t("变化（百分点）", "Change (points)"),
        h.t("建成区 现状 → 方案", "Built-up base → scenario"),
        h.t("覆盖人口净增", "People, net change"),
    ]);
    for r in &c.all_required {
        h.row(&[
            td(&format!("{} {}", r.minutes, h.t("分钟", "min"))),
            td(&r.mode),
            tdn(pct(r.base.town_percent)),
            tdn(pct(r.scenario.town_percent)),
            tdn(pp(r.base.town_percent, r.scenario.town_percent)),
            tdn(format!(
                "{} → {}",
                pct(r.base.built_up_percent),
                pct(r.scenario.built_up_percent)
            )),
            tdn(signed(r.net_change)),
        ]);
    }
    h.push("</table>\n");
    categories_html(h, c);
    verdicts_html(h, c, lang);
    h.push("</section>\n");
}

fn edits_html(h: &mut Html, c: &ScenarioComparison) {
    let lang = h.lang;
    let _ = writeln!(
        h.s,
        "<h3>{} ({})</h3>",
        esc(h.t("方案修改", "Edits")),
        c.edits.len()
    );
    if c.edits.is_empty() {
        let _ = writeln!(
            h.s,
            "<p class=\"note\">{}</p>",
            esc(h.t(
                "方案没有修改：与现状相同。",
                "The scenario has no edits: it equals the base."
            ))
        );
    } else {
        h.push("<ol>");
        for e in &c.edits {
            let _ = write!(h.s, "<li>{}</li>", esc(lang.t(&e.zh, &e.en)));
        }
        h.push("</ol>\n");
    }
    if !c.not_applied.is_empty() {
        let _ = write!(
            h.s,
            "<div class=\"flags\"><strong>{}</strong><ul>",
            esc(h.t(
                "以下修改未能执行（对应设施已不在数据中）：",
                "These edits could not be made (their facility is no longer in the data):"
            ))
        );
        for w in &c.not_applied {
            let _ = write!(h.s, "<li>{}</li>", esc(w));
        }
        h.push("</ul></div>\n");
    }
}

fn category_row(h: &mut Html, r: &CoverageChange, lang: Lang) {
    h.row(&[
        td(&format!("{} {}", lang.t(&r.zh, &r.en), r.id)),
        td(&format!("{} {}", r.minutes, lang.t("分钟", "min"))),
        tdn(format!(
            "{} → {}",
            r.facilities_base.unwrap_or(0),
            r.facilities_scenario.unwrap_or(0)
        )),
        tdn(pct(r.base.town_percent)),
        tdn(pct(r.scenario.town_percent)),
        tdn(pp(r.base.town_percent, r.scenario.town_percent)),
        tdn(opt_num(r.newly_covered)),
        tdn(opt_num(r.no_longer_covered)),
    ]);
}

fn categories_html(h: &mut Html, c: &ScenarioComparison) {
    let lang = h.lang;
    let changed: Vec<&CoverageChange> = c.changed_categories().collect();
    h.push(&format!(
        "<h3>{}</h3>\n",
        esc(h.t(
            "覆盖率有变化的设施类型（现状 → 方案）",
            "Facility types whose coverage changed (base → scenario)"
        ))
    ));
    if changed.is_empty() {
        let _ = writeln!(
            h.s,
            "<p class=\"note\">{}</p>",
            esc(h.t(
                "各类设施的覆盖率均无变化。",
                "No facility type's coverage changed."
            ))
        );
        return;
    }
    h.note_table(
        "镇域覆盖率；新增覆盖人口：方案中覆盖而现状未覆盖的居民；失去覆盖人口：反之。其余类型与时间圈不变。",
        "Town coverage; newly covered: residents covered in the scenario and not in the base; no longer covered: the reverse. Every other type and tier is unchanged.",
    );
    h.head(&[
        h.t("设施类型", "Facility type"),
        h.t("时间圈", "Tier"),
        h.t("设施数", "Facilities"),
        h.t("现状", "Base"),
        h.t("方案", "Scenario"),
        h.t("变化（百分点）", "Change (points)"),
        h.t("新增覆盖人口", "Newly covered"),
        h.t("失去覆盖人口", "No longer covered"),
    ]);
    for r in changed {
        category_row(h, r, lang);
    }
    h.push("</table>\n");
}

fn verdicts_html(h: &mut Html, c: &ScenarioComparison, lang: Lang) {
    if c.tenones.is_empty() {
        return;
    }
    let n = c.changed_verdicts().count();
    let _ = writeln!(
        h.s,
        "<h3>{} ({} {})</h3>",
        esc(h.t(
            "“十个一”结论（现状 → 方案）",
            "The ten ones (base → scenario)"
        )),
        n,
        esc(h.t("项变化", "changed"))
    );
    h.push("<table>\n");
    h.head(&[
        h.t("序号", "No."),
        h.t("项目", "Item"),
        h.t("现状", "Base"),
        h.t("方案", "Scenario"),
        h.t("得分", "Score"),
        h.t("变化", "Changed"),
    ]);
    let score = |s: Option<f64>| s.map_or("—".into(), |s| format!("{s:.0}"));
    for v in &c.tenones {
        h.row(&[
            tdn(v.number.to_string()),
            td(lang.t(&v.zh, &v.en)),
            format!("<td>{}</td>", verdict_badge(v.base, lang)),
            format!("<td>{}</td>", verdict_badge(v.scenario, lang)),
            tdn(format!(
                "{} → {}",
                score(v.base_score),
                score(v.scenario_score)
            )),
            if v.changed {
                format!(
                    "<td><strong>{}</strong></td>",
                    esc(lang.t("★ 变化", "★ changed"))
                )
            } else {
                td("")
            },
        ]);
    }
    h.push("</table>\n");
}
