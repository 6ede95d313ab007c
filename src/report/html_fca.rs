//! report.html's capacity section (容量可达性 / Capacity accessibility, 2SFCA): per category
//! with a capacity and tier the town's index and the lowest village, each facility's supply and
//! overload, and the index of every village; one line when no facility has a capacity.

use std::fmt::Write as _;

use super::html_kit::{Html, esc, num, td};
use super::town::ReportData;

fn tdn(s: String) -> String {
    format!("<td class=\"num\">{s}</td>")
}

fn opt(v: Option<f64>) -> String {
    v.map_or("—".into(), num)
}

/// The section (after the villages).
pub(crate) fn fca_html(h: &mut Html, data: &ReportData<'_>) {
    let lang = h.lang;
    h.push("<section class=\"flow\" id=\"accessibility\">\n");
    h.heading("容量可达性（2SFCA）", "Capacity accessibility (2SFCA)");
    let all = &data.accessibility;
    if all.is_empty() {
        let line = if data.facilities_with_capacity == 0 {
            h.t(
                "数据中没有设施带容量（床位、学位、座位等字段），未计算两步移动搜索法（2SFCA）可达性。",
                "No facility in the data has a capacity (a 床位, 学位, 座位, capacity … field): no 2SFCA accessibility was computed.",
            )
        } else {
            h.t(
                "本次运行没有圈层，未计算两步移动搜索法（2SFCA）可达性。",
                "This run has no tier: no 2SFCA accessibility was computed.",
            )
        };
        let _ = writeln!(h.s, "<p>{}</p>\n</section>", esc(line));
        return;
    }
    h.note_table(
        "两步移动搜索法（2SFCA）：每处设施的供给比 = 容量 ÷ 本圈层时间内可达它的需求人口；居民点的指数 = 它可达的各设施供给比之和，以“每千人容量”计；村与镇域为人口加权平均。可达人口多于容量（每单位容量服务 1 人）的设施为超载。没有容量的同类设施不参与计算。",
        "Two-step floating catchment (2SFCA): a facility's supply ratio = its capacity ÷ the people within the tier's minutes of it; a demand point's index = the sum of the ratios of the facilities it reaches, as capacity per 1,000 people; villages and the town are population-weighted means. A facility is overloaded when more people are in its reach than its capacity (one person per unit). Facilities of the type without a capacity are left out.",
    );
    h.head(&[
        h.t("设施类型", "Facility type"),
        h.t("圈层", "Tier"),
        h.t("带容量设施", "With capacity"),
        h.t("无容量设施", "Without capacity"),
        h.t("超载", "Overloaded"),
        h.t("镇域指数（每千人）", "Town index (per 1,000)"),
        h.t("最低的村", "Lowest village"),
    ]);
    for c in all {
        let r = &c.report;
        let low = r
            .villages
            .iter()
            .filter_map(|v| v.index_per_1000.map(|x| (v, x)))
            .min_by(|a, b| a.1.total_cmp(&b.1));
        h.row(&[
            td(&format!("{} ({})", lang.t(&c.zh, &c.en), c.id)),
            tdn(format!("{} min", c.minutes)),
            tdn(r.facilities.len().to_string()),
            tdn(r.facilities_without_capacity.to_string()),
            tdn(r.overloaded.to_string()),
            tdn(opt(r.town_index_per_1000)),
            td(&low.map_or("—".into(), |(v, x)| format!("{} {}", v.village, num(x)))),
        ]);
    }
    h.push("</table>\n");

    let _ = writeln!(
        h.s,
        "<h3>{}</h3>\n<table>",
        h.t("设施供给", "Supply per facility")
    );
    h.head(&[
        h.t("设施类型", "Facility type"),
        h.t("圈层", "Tier"),
        h.t("名称", "Name"),
        h.t("容量", "Capacity"),
        h.t("可达人口", "People in reach"),
        h.t("每千人容量", "Per 1,000 in reach"),
        h.t("超载", "Overloaded"),
    ]);
    for c in all {
        for f in &c.report.facilities {
            h.row(&[
                td(lang.t(&c.zh, &c.en)),
                tdn(format!("{} min", c.minutes)),
                td(f.name.as_deref().unwrap_or("—")),
                tdn(num(f.capacity)),
                tdn(num(f.demand_in_reach)),
                tdn(opt(f.supply_per_1000)),
                td(if f.overloaded {
                    h.t("是", "yes")
                } else {
                    h.t("否", "no")
                }),
            ]);
        }
    }
    h.push("</table>\n");

    let villages = &data.base().demand.villages;
    if !villages.is_empty() {
        let _ = writeln!(
            h.s,
            "<h3>{}</h3>\n<table>",
            h.t("各村指数（每千人容量）", "Index per village (per 1,000)")
        );
        let mut head: Vec<String> = vec![h.t("村名", "Village").into()];
        for c in all {
            head.push(format!("{} {} min", lang.t(&c.zh, &c.en), c.minutes));
        }
        h.head(&head.iter().map(String::as_str).collect::<Vec<_>>());
        for (vi, v) in villages.iter().enumerate() {
            let mut cells = vec![td(&v.name)];
            for c in all {
                cells.push(tdn(opt(c
                    .report
                    .villages
                    .get(vi)
                    .and_then(|x| x.index_per_1000))));
            }
            h.row(&cells);
        }
        h.push("</table>\n");
    }
    h.push("</section>\n");
}
