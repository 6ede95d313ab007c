//! report.html: one self-contained page (CSS inline, maps as base64 PNG data URIs, no network)
//! that prints on A4, in Chinese or English. Every text that comes from data files (names,
//! paths, messages) goes through [`esc`].

use std::fmt::Write as _;

use crate::access::Coverage;
use crate::standards::profile::Scope;
use crate::tenones::{RuleResult, ThresholdUsed, Verdict};

use super::html_fca::fca_html;
use super::html_kit::{Html, num, pct, td, verdict_badge};
pub use super::html_kit::{base64, esc};
use super::html_quality::{caveat_html, data_quality_html};
use super::html_scenario::scenario_html;
use super::maps::ReportMap;
use super::town::{Lang, ReportData, provenance_label};

const CSS: &str = r#"
:root { --ink: #1a1a1a; --muted: #555; --rule: #c8c8c8; --head: #eef1f4; }
* { box-sizing: border-box; }
body { font-family: "Noto Sans CJK SC", "Noto Sans SC", "Source Han Sans SC", "Microsoft YaHei",
  "PingFang SC", "Droid Sans Fallback", sans-serif; color: var(--ink); font-size: 10.5pt;
  line-height: 1.45; margin: 0 auto; max-width: 190mm; padding: 8mm 0; }
h1 { font-size: 22pt; margin: 0 0 2mm; }
h2 { font-size: 15pt; border-bottom: 2px solid var(--ink); padding-bottom: 1mm; margin: 0 0 4mm; }
h3 { font-size: 12pt; margin: 6mm 0 2mm; }
.sub { color: var(--muted); font-size: 11pt; margin-bottom: 5mm; }
table { border-collapse: collapse; width: 100%; margin: 2mm 0 4mm; font-size: 9pt; }
th, td { border: 1px solid var(--rule); padding: 1.2mm 1.6mm; vertical-align: top; text-align: left; }
th { background: var(--head); font-weight: 600; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
tr { break-inside: avoid; page-break-inside: avoid; }
thead { display: table-header-group; }
.verdict { display: inline-block; padding: 0.3mm 2mm; border-radius: 1mm; font-weight: 600;
  white-space: nowrap; -webkit-print-color-adjust: exact; print-color-adjust: exact; }
.flags { border: 2px solid #d55e00; background: #fff3e8; padding: 2mm 4mm; margin: 4mm 0;
  -webkit-print-color-adjust: exact; print-color-adjust: exact; }
.flags strong { color: #a33c00; }
.flags ul { margin: 1mm 0; padding-left: 5mm; }
.quality { border: 1px solid #999; padding: 2mm 4mm; margin: 4mm 0; }
.quality.lost { border: 2px solid #b00020; background: #fdecee; }
.quality td.lost, .caveat { color: #b00020; font-weight: bold; }
.quality .details { color: #555; font-size: 8pt; margin-top: 1mm; }
.caveat { font-size: 8pt; margin-top: 1mm; }
.tally span { margin-right: 4mm; }
.kv td:first-child { width: 32%; color: var(--muted); }
.note { color: var(--muted); font-size: 9pt; }
.tag-P, .tag-K, .tag-S { white-space: nowrap; }
td.by { min-width: 18mm; }
table.tenones { table-layout: fixed; }
.tag-P { color: #8a5a00; font-weight: 600; }
.tag-K { color: #a33c00; font-weight: 600; }
figure { margin: 0 0 6mm; break-inside: avoid; page-break-inside: avoid; }
figure img { width: 100%; border: 1px solid var(--rule); }
figcaption { font-size: 9pt; color: var(--muted); }
.item { break-inside: avoid-page; }
section { margin-top: 8mm; }
@page { size: A4; margin: 14mm 12mm; }
@media print {
  body { max-width: none; padding: 0 1mm; }
  section { break-before: page; page-break-before: always; margin-top: 0; }
  section.flow { break-before: auto; page-break-before: auto; margin-top: 8mm; }
  figure { break-before: auto; }
}
"#;

fn prov_cell(t: &ThresholdUsed, lang: Lang) -> String {
    let tag = String::from(t.source);
    let class = match tag.as_str() {
        "P" => "tag-P",
        "K" => "tag-K",
        _ => "tag-S",
    };
    format!(
        "<span class=\"{class}\">{} [{}]</span>",
        esc(&provenance_label(t.source, lang)),
        esc(&tag)
    )
}

/// Up to two pieces of evidence: the measures of failing checks first.
fn key_evidence(r: &RuleResult, lang: Lang) -> String {
    let mut checks: Vec<_> = r.checks.iter().collect();
    checks.sort_by_key(|c| std::cmp::Reverse(c.verdict));
    let mut parts = Vec::new();
    for c in checks {
        if c.verdict == Verdict::NoData {
            let missing = match lang {
                Lang::Zh => &c.missing_zh,
                Lang::En => &c.missing_en,
            };
            if let Some(m) = missing.first() {
                parts.push(format!(
                    "{}: {}",
                    lang.t(&c.zh, &c.en),
                    lang.t("缺", "missing ").to_string() + m
                ));
            }
        } else if let Some(m) = c.measures.first() {
            parts.push(format!(
                "{}: {} {}",
                lang.t(&m.zh, &m.en),
                num(m.value),
                m.unit
            ));
        }
        if parts.len() == 2 {
            break;
        }
    }
    esc(&parts.join("；"))
}

/// The modes of the runs with their tiers, e.g. "步行 1.00 m/s (5, 15 min) · 电动自行车 ... (30 min)";
/// one mode alone without its tiers.
fn modes_label(data: &ReportData<'_>, lang: Lang) -> String {
    let parts: Vec<String> = data
        .runs
        .iter()
        .map(|r| {
            let m = &r.analysis.mode_info;
            let name = format!("{} {:.2} m/s", lang.t(&m.zh, &m.en), m.speed_m_per_s);
            if data.runs.len() == 1 {
                name
            } else {
                let tiers: Vec<String> = r
                    .analysis
                    .tiers
                    .iter()
                    .map(|t| t.minutes.to_string())
                    .collect();
                format!("{name} ({} min)", tiers.join(", "))
            }
        })
        .collect();
    parts.join(" · ")
}

fn scope_label(s: Scope, lang: Lang) -> &'static str {
    match s {
        Scope::Town => lang.t("全镇居民", "all residents"),
        Scope::BuiltUp => lang.t("建成区居民", "built-up area residents"),
        Scope::Villages => lang.t("各村居民", "village residents"),
    }
}

fn cov_cells(c: &Coverage) -> String {
    format!("<td class=\"num\">{}</td>", pct(c.percent))
}

fn tdn(s: String) -> String {
    format!("<td class=\"num\">{s}</td>")
}

/// The whole report as one HTML page.
pub fn report_html(data: &ReportData<'_>, maps: &[ReportMap], lang: Lang) -> String {
    let mut h = Html::new(lang);
    let a = data.base();
    let rep = data.report;
    let modes = modes_label(data, lang);
    let title = format!(
        "{} {}",
        data.town,
        h.t(
            "镇村生活圈与“十个一”评估报告",
            "living circles and ten-ones assessment"
        )
    );
    let _ = writeln!(
        h.s,
        "<!DOCTYPE html>\n<html lang=\"{}\">\n<head>\n<meta charset=\"utf-8\">\n<meta name=\"generator\" content=\"towncircle {}\">\n<title>{}</title>\n<style>{CSS}</style>\n</head>\n<body>",
        if lang == Lang::Zh { "zh-CN" } else { "en" },
        env!("CARGO_PKG_VERSION"),
        esc(&title)
    );

    // 1. Title and town summary.
    h.push("<section class=\"flow\" id=\"summary\">\n");
    let _ = writeln!(h.s, "<h1>{}</h1>", esc(&title));
    let _ = writeln!(
        h.s,
        "<div class=\"sub\">{} · {} {} ({}) · {} {}</div>",
        esc(&format!("towncircle {}", env!("CARGO_PKG_VERSION"))),
        h.t("标准配置", "profile"),
        esc(&a.profile_name),
        esc(&a.profile_version),
        h.t("出行方式", "mode"),
        esc(&modes),
    );
    // Tiers the profile defines for another mode than this run's.
    let mut flags: Vec<String> = data.flags.clone();
    for t in &rep.tiers {
        let Some(run) = data.run_of(t.minutes).map(|r| &r.analysis.mode_info) else {
            continue;
        };
        if let Some(m) = t.profile_mode.as_deref().filter(|m| *m != run.id) {
            flags.push(match lang {
                Lang::Zh => format!(
                    "标准配置按“{m}”定义{}分钟圈层，本次按“{}”计算：该圈层覆盖率与标准口径不同。",
                    t.minutes, run.zh
                ),
                Lang::En => format!(
                    "The profile defines the {}-minute tier for \"{m}\"; this run uses \"{}\": that tier's coverage is not on the standard's terms.",
                    t.minutes, run.id
                ),
            });
        }
    }
    if !flags.is_empty() {
        let _ = write!(
            h.s,
            "<div class=\"flags\"><strong>{}</strong><ul>",
            h.t(
                "重要提示（阅读结论前请先看）",
                "Important (read before the results)"
            )
        );
        for f in &flags {
            let _ = write!(h.s, "<li>{}</li>", esc(f));
        }
        h.push("</ul></div>\n");
    }
    data_quality_html(&mut h, data);
    h.heading("概况", "Town summary");
    h.push("<table class=\"kv\">\n");
    let facilities = a.facilities.len();
    let villages = a.demand.villages.len();
    let kv: Vec<(&str, String)> = vec![
        (
            h.t("数据文件", "Data files"),
            format!(
                "{} {} ({} {})",
                data.inputs.len(),
                h.t("个图层", "layers"),
                data.inputs
                    .iter()
                    .map(|i| i.file.as_str())
                    .collect::<std::collections::BTreeSet<_>>()
                    .len(),
                h.t("个文件", "files")
            ),
        ),
        (
            h.t("工作坐标系", "Working CRS"),
            format!(
                "{} {}",
                data.working_crs.label(),
                data.working_crs.description()
            ),
        ),
        (
            h.t("人口（需求）", "Population (demand)"),
            format!(
                "{} {} · {} {} · {}{}",
                num(rep.demand.total_weight),
                rep.demand.weight_unit,
                rep.demand.points,
                h.t("个居民点", "demand points"),
                rep.demand.description,
                rep.demand
                    .age_bands
                    .iter()
                    .map(|b| format!(
                        " · {} {} {} ({})",
                        lang.t(&b.band.zh(), &b.band.en()),
                        num(b.total),
                        h.t("人", "people"),
                        b.rasters.join(", ")
                    ))
                    .collect::<String>()
            ),
        ),
        (h.t("行政村", "Villages"), villages.to_string()),
        (
            h.t("设施", "Facilities"),
            format!(
                "{facilities} ({} {})",
                rep.categories
                    .iter()
                    .filter(|c| c.facility_count > 0)
                    .count(),
                h.t("类", "categories")
            ),
        ),
        (
            h.t("路网", "Road network"),
            match &rep.network {
                Some(n) => format!(
                    "{:.1} km · {} {} · {} {}",
                    n.length_km,
                    n.nodes,
                    h.t("节点", "nodes"),
                    n.components,
                    h.t("个连通分量", "component(s)")
                ),
                None => h
                    .t(
                        "无可用路网（直线距离兜底）",
                        "no usable network (straight-line fallback)",
                    )
                    .into(),
            },
        ),
    ];
    for (k, v) in kv {
        h.row(&[td(k), td(&v)]);
    }
    h.push("</table>\n");
    // Ten-ones tally on the first page.
    if let Some(t) = data.tenones {
        let tally = t.tally();
        h.push("<p class=\"tally\">");
        let _ = write!(h.s, "<strong>{}</strong> ", h.t("十个一：", "Ten ones:"));
        for (v, n) in Verdict::ALL.iter().zip(tally) {
            let _ = write!(h.s, "<span>{} × {n}</span>", verdict_badge(*v, lang));
        }
        h.push("</p>\n");
    }
    h.push("</section>\n");

    // The scenario against the base (方案比较), when the report is of a scenario.
    scenario_html(&mut h, data);

    // 2. The ten ones.
    // The verdict table follows the summary on the first page.
    h.push("<section class=\"flow\" id=\"tenones\">\n");
    h.heading("“十个一”评价", "The ten ones (十个一)");
    match data.tenones {
        None => {
            let _ = writeln!(
                h.s,
                "<p class=\"flags\">{}</p>",
                h.t(
                    "本次运行未进行“十个一”评价（规则模块不可用）；以下仅为生活圈覆盖分析。",
                    "The ten ones were not evaluated in this run (rules not available); what follows is the living-circle coverage only."
                )
            );
        }
        Some(t) => {
            h.push("<table class=\"tenones\">\n<colgroup><col style=\"width:5%\"><col style=\"width:19%\"><col style=\"width:11%\"><col style=\"width:6%\"><col style=\"width:30%\"><col style=\"width:29%\"></colgroup>\n");
            h.head(&[
                h.t("序号", "No."),
                h.t("项目", "Item"),
                h.t("结论", "Verdict"),
                h.t("得分", "Score"),
                h.t("主要证据", "Key evidence"),
                h.t("建议", "Recommendation"),
            ]);
            for r in &t.rules {
                h.row(&[
                    tdn(r.number.to_string()),
                    td(lang.t(&r.zh, &r.en)),
                    format!(
                        "<td>{}{}</td>",
                        verdict_badge(r.verdict, lang),
                        caveat_html(r, data, lang)
                    ),
                    tdn(r.score.map_or("—".into(), |s| format!("{s:.0}"))),
                    format!("<td>{}</td>", key_evidence(r, lang)),
                    td(lang.t(&r.recommendation_zh, &r.recommendation_en)),
                ]);
            }
            h.push("</table>\n");
            for r in &t.rules {
                rule_detail(&mut h, r);
            }
        }
    }
    h.push("</section>\n");

    // 3. Coverage.
    h.push("<section id=\"coverage\">\n");
    h.heading("生活圈覆盖率", "Living-circle coverage");
    let _ = writeln!(
        h.s,
        "<p class=\"note\">{}</p>",
        esc(&format!(
            "{} {} · {}",
            h.t("出行方式", "Mode"),
            modes,
            match rep.method {
                crate::access::Method::Network => h.t("沿路网计算", "along the road network"),
                crate::access::Method::Euclidean => h.t(
                    "直线距离×绕行系数（兜底）",
                    "straight line × detour factor (fallback)"
                ),
            }
        ))
    );
    let _ = writeln!(
        h.s,
        "<h3>{}</h3>\n<table>",
        h.t(
            "各圈层全部必需设施覆盖率",
            "Residents reaching every required type, per tier"
        )
    );
    h.head(&[
        h.t("圈层", "Tier"),
        h.t("范围", "Scope"),
        h.t("镇域", "Town"),
        h.t("建成区", "Built-up area"),
        h.t("最低的村", "Lowest village"),
        h.t(
            "数据中没有的必需设施",
            "Required types absent from the data",
        ),
    ]);
    for c in &rep.all_required {
        if c.required.is_empty() {
            continue;
        }
        let low = c.coverage.villages.iter().min_by(|x, y| {
            x.coverage
                .percent
                .unwrap_or(f64::INFINITY)
                .total_cmp(&y.coverage.percent.unwrap_or(f64::INFINITY))
        });
        h.row(&[
            tdn(format!("{} min", c.minutes)),
            td(scope_label(c.scope, lang)),
            cov_cells(&c.coverage.town),
            tdn(pct(c.coverage.built_up.and_then(|b| b.percent))),
            td(&low.map_or("—".into(), |v| {
                format!("{} {}", v.village, pct(v.coverage.percent))
            })),
            td(&c.missing.join(", ")),
        ]);
    }
    h.push("</table>\n");
    let _ = writeln!(
        h.s,
        "<h3>{}</h3>\n<table>",
        h.t("分设施类型覆盖率", "Coverage per facility type")
    );
    // With age-band rasters: whose coverage each row is (the band's people or everyone).
    let by_band = !rep.demand.age_bands.is_empty();
    let mut head: Vec<String> = vec![
        h.t("设施类型", "Facility type").into(),
        h.t("数量", "Count").into(),
    ];
    if by_band {
        head.push(h.t("人口口径", "Demand").into());
    }
    for t in &rep.tiers {
        head.push(format!("{} min {}", t.minutes, h.t("镇域", "town")));
        head.push(format!("{} min {}", t.minutes, h.t("建成区", "built-up")));
        head.push(format!(
            "{} min {}",
            t.minutes,
            h.t("最低村", "lowest village")
        ));
    }
    h.head(&head.iter().map(String::as_str).collect::<Vec<_>>());
    for c in &rep.categories {
        let mut cells = vec![
            td(&format!("{} ({})", lang.t(&c.zh, &c.en), c.id)),
            tdn(c.facility_count.to_string()),
        ];
        if by_band {
            let band = c.age_band.filter(|b| b.to_string() == c.demand);
            cells.push(td(&match (band, c.age_band) {
                (Some(b), _) => lang.t(&b.zh(), &b.en()).to_string(),
                (None, Some(b)) => format!(
                    "{} ({})",
                    h.t("总人口", "total"),
                    lang.t(&format!("无{}人口栅格", b.zh()), &format!("no {b} raster"))
                ),
                (None, None) => h.t("总人口", "total").to_string(),
            }));
        }
        for t in &c.tiers {
            cells.push(cov_cells(&t.town));
            cells.push(tdn(pct(t.built_up.and_then(|b| b.percent))));
            let low = t
                .villages
                .iter()
                .filter_map(|v| v.coverage.percent)
                .fold(None, |m: Option<f64>, p| Some(m.map_or(p, |m| m.min(p))));
            cells.push(tdn(pct(low)));
        }
        h.row(&cells);
    }
    h.push("</table>\n");
    if by_band {
        let note = h.t(
            "人口口径：服务某一年龄段的设施（养老 60岁以上、幼儿园 3-5岁、中小学 6-14岁）按该年龄段人口栅格计算覆盖率；其余设施及“全部必需设施”按总人口计算。",
            "Demand: a facility type serving an age band (elderly care 60+, kindergartens 3-5, schools 6-14) is covered as a share of that band's people, from its raster; the others and \"every required type\" count everyone.",
        );
        let _ = writeln!(h.s, "<p class=\"note\">{}</p>", esc(note));
    }
    h.push("</section>\n");

    // 4. Villages.
    h.push("<section id=\"villages\">\n");
    h.heading("行政村", "Villages");
    if a.demand.villages.is_empty() {
        let _ = writeln!(
            h.s,
            "<p>{}</p>",
            h.t("数据中没有行政村图层。", "No village layer in the data.")
        );
    } else {
        h.note_table("各村居民可达本圈层全部必需设施的比例（括号内为未覆盖人口）。", "Share of each village's residents reaching every required type of the tier (people not covered in brackets).");
        let tiers: Vec<_> = rep
            .all_required
            .iter()
            .filter(|c| !c.required.is_empty())
            .collect();
        let mut head: Vec<String> = vec![
            h.t("村名", "Village").into(),
            h.t("户籍/常住人口", "Population").into(),
            h.t("需求人口", "Demand").into(),
        ];
        for t in &tiers {
            head.push(format!("{} min", t.minutes));
        }
        h.head(&head.iter().map(String::as_str).collect::<Vec<_>>());
        for (vi, v) in a.demand.villages.iter().enumerate() {
            let mut cells = vec![
                td(&v.name),
                tdn(v.population.map_or("—".into(), num)),
                tdn(tiers
                    .first()
                    .and_then(|t| t.coverage.villages.get(vi))
                    .map_or("—".into(), |c| num(c.coverage.demand_total))),
            ];
            for t in &tiers {
                cells.push(tdn(t.coverage.villages.get(vi).map_or("—".into(), |c| {
                    format!(
                        "{} ({})",
                        pct(c.coverage.percent),
                        num(c.coverage.demand_total - c.coverage.covered_weight)
                    )
                })));
            }
            h.row(&cells);
        }
        h.push("</table>\n");
    }
    h.push("</section>\n");

    // 4b. Capacity accessibility (2SFCA).
    fca_html(&mut h, data);

    // 5. Maps.
    h.push("<section id=\"maps\">\n");
    h.heading("地图", "Maps");
    for m in maps {
        let _ = writeln!(
            h.s,
            "<figure id=\"map-{}\"><img src=\"data:image/png;base64,{}\" alt=\"{}\"><figcaption>{}</figcaption></figure>",
            esc(&m.id),
            base64(&m.png),
            esc(&m.title),
            esc(&m.caption)
        );
    }
    h.push("</section>\n");

    // 6. Gaps.
    h.push("<section id=\"gaps\">\n");
    h.heading("覆盖缺口", "Coverage gaps");
    h.note_table("未能到达本圈层全部必需设施的居民，按格网合并为片区，每圈层按人口列出前15处；全部缺口见 results.xlsx 与 results.gpkg。", "Residents not reaching every required type, merged on a grid; the 15 largest per tier by population. All gaps are in results.xlsx and results.gpkg.");
    h.head(&[
        h.t("圈层", "Tier"),
        h.t("所在村", "Village"),
        h.t("人口", "People"),
        h.t("居民点", "Points"),
        h.t("面积 (ha)", "Area (ha)"),
        h.t("中心坐标 (m)", "Centre (m)"),
    ]);
    for t in &a.tiers {
        for g in data
            .all_required_gaps()
            .filter(|g| g.minutes == t.minutes)
            .take(15)
        {
            h.row(&[
                tdn(format!("{} min", g.minutes)),
                td(g.village.as_deref().unwrap_or("—")),
                tdn(num(g.area.population)),
                tdn(g.area.points.to_string()),
                tdn(format!("{:.1}", g.area.area_m2 / 10_000.0)),
                tdn(format!("{:.0}, {:.0}", g.area.centre[0], g.area.centre[1])),
            ]);
        }
    }
    h.push("</table>\n</section>\n");

    // 7. Profile and thresholds.
    h.push("<section id=\"thresholds\">\n");
    h.heading("标准配置与阈值", "Profile and thresholds");
    let (pid, pname, pver, ppath) = match data.tenones {
        Some(t) => (
            t.profile.id.clone(),
            t.profile.name.clone(),
            t.profile.version.clone(),
            t.profile.path.clone(),
        ),
        None => (
            a.profile_id.clone(),
            a.profile_name.clone(),
            a.profile_version.clone(),
            data.profile_path.clone(),
        ),
    };
    let _ = writeln!(
        h.s,
        "<p>{}: <strong>{}</strong> ({}) {} {} · {}</p>",
        h.t("标准配置", "Profile"),
        esc(&pname),
        esc(&pid),
        h.t("版本", "version"),
        esc(&pver),
        esc(&ppath)
    );
    h.note_table("来源标记：S<n> = 见于所列文献；K（待核实）= 国家标准已知取值，尚待对照原文核实；P（建议值）= 未找到官方数值，为本工具建议的缺省值，可在标准配置文件中修改。", "Provenance: S<n> = found in the cited source; K (to verify) = a known national-standard value not re-read from the official text; P (proposed) = no official number found, a default you can change in the profile file.");
    h.head(&[
        h.t("用于", "Used by"),
        h.t("阈值", "Threshold"),
        h.t("取值", "Value"),
        h.t("来源标记", "Provenance"),
        h.t("依据", "Citation"),
        h.t("配置键", "Key"),
    ]);
    let mut all: Vec<(String, &ThresholdUsed)> = data
        .access_thresholds
        .iter()
        .map(|t| (h.t("生活圈覆盖", "coverage").to_string(), t))
        .collect();
    if let Some(t) = data.tenones {
        for r in &t.rules {
            for th in &r.thresholds {
                all.push((format!("{}. {}", r.number, lang.t(&r.zh, &r.en)), th));
            }
        }
    }
    for (by, t) in all {
        h.row(&[
            format!("<td class=\"by\">{}</td>", esc(&by)),
            td(lang.t(&t.zh, &t.en)),
            tdn(format!("{} {}", num(t.value), esc(&t.unit))),
            format!("<td>{}</td>", prov_cell(t, lang)),
            td(&t.cite),
            td(&t.key),
        ]);
    }
    h.push("</table>\n</section>\n");

    // 8. Data sources, CRS and assumptions.
    h.push("<section id=\"sources\">\n");
    h.heading(
        "数据来源、坐标系与假设",
        "Data sources, CRS and assumptions",
    );
    h.push("<table>\n");
    h.head(&[
        h.t("文件", "File"),
        h.t("图层用途", "Role"),
        h.t("格式", "Format"),
        h.t("要素", "Features"),
        h.t("原坐标系", "Source CRS"),
        h.t("编码", "Encoding"),
    ]);
    for i in &data.inputs {
        let file = match &i.table {
            Some(t) => format!("{} [{t}]", i.file),
            None => i.file.clone(),
        };
        h.row(&[
            td(&file),
            td(match lang {
                Lang::Zh => i.role_zh.unwrap_or("未使用"),
                Lang::En => i.role.unwrap_or("unused"),
            }),
            td(i.format),
            tdn(i.feature_count.to_string()),
            td(&format!(
                "{} ({}{})",
                i.crs.code.as_deref().unwrap_or("?"),
                i.crs.origin,
                if i.crs.guessed {
                    lang.t("，推测", ", guessed")
                } else {
                    ""
                }
            )),
            td(i.encoding.as_deref().unwrap_or("")),
        ]);
    }
    h.push("</table>\n<ul>\n");
    let assumptions = [
        format!(
            "{}: {} {}",
            h.t(
                "工作坐标系（所有距离与面积）",
                "Working CRS (all distances and areas)"
            ),
            data.working_crs.label(),
            data.working_crs.description()
        ),
        format!(
            "{}: {}",
            h.t("需求（居民）", "Demand (residents)"),
            rep.demand.description
        ),
        format!(
            "{}: {} / {}; {} {}",
            h.t("居民点接入路网", "Demand points snapped"),
            rep.snapping.demand_snapped,
            rep.snapping.demand_points,
            h.t("不可达", "unreachable"),
            rep.snapping.demand_unreachable
        ),
    ];
    let travel: Vec<String> = data
        .runs
        .iter()
        .map(|r| {
            let m = &r.analysis.mode_info;
            format!(
                "{}: {} {:.2} m/s [{}]; {} {:.2} m/s; {} {} m",
                h.t("出行", "Travel"),
                lang.t(&m.zh, &m.en),
                m.speed_m_per_s,
                String::from(m.speed_source),
                h.t("接驳段", "access legs"),
                m.access_speed_m_per_s,
                h.t("最大接入距离", "max distance to a road"),
                m.max_snap_m
            )
        })
        .collect();
    for s in assumptions.into_iter().chain(travel) {
        let _ = writeln!(h.s, "<li>{}</li>", esc(&s));
    }
    h.push("</ul>\n");
    if !rep.warnings.is_empty() {
        let _ = writeln!(h.s, "<h3>{}</h3>\n<ul>", h.t("警告", "Warnings"));
        for w in &rep.warnings {
            let _ = writeln!(h.s, "<li>{}</li>", esc(w));
        }
        h.push("</ul>\n");
    }
    h.push("</section>\n</body>\n</html>\n");
    h.s
}

fn rule_detail(h: &mut Html, r: &RuleResult) {
    let lang = h.lang;
    let _ = writeln!(
        h.s,
        "<div class=\"item\" id=\"item-{}\"><h3>{}. {} {}{}</h3>",
        r.number,
        r.number,
        esc(lang.t(&r.zh, &r.en)),
        verdict_badge(r.verdict, lang),
        r.score
            .map(|s| format!(
                " <span class=\"note\">{} {s:.0}</span>",
                h.t("得分", "score")
            ))
            .unwrap_or_default()
    );
    let rec = lang.t(&r.recommendation_zh, &r.recommendation_en);
    if !rec.is_empty() {
        let _ = writeln!(
            h.s,
            "<p>{}: {}</p>",
            h.t("建议", "Recommendation"),
            esc(rec)
        );
    }
    h.push("<table>\n");
    h.head(&[
        h.t("检查项", "Check"),
        h.t("结论", "Verdict"),
        h.t("实测", "Measured"),
        h.t("缺少的数据", "Missing data"),
    ]);
    for c in &r.checks {
        let measures: Vec<String> = c
            .measures
            .iter()
            .map(|m| format!("{}: {} {}", lang.t(&m.zh, &m.en), num(m.value), m.unit))
            .collect();
        let missing = match lang {
            Lang::Zh => &c.missing_zh,
            Lang::En => &c.missing_en,
        };
        h.row(&[
            td(lang.t(&c.zh, &c.en)),
            format!("<td>{}</td>", verdict_badge(c.verdict, lang)),
            td(&measures.join("；")),
            td(&missing.join("；")),
        ]);
    }
    h.push("</table>\n");
    let failing: Vec<_> = r
        .checks
        .iter()
        .flat_map(|c| c.failing.iter().map(move |p| (c, p)))
        .collect();
    if !failing.is_empty() {
        let _ = writeln!(h.s, "<table>");
        h.head(&[
            h.t("未达标地点", "Failing place"),
            h.t("检查项", "Check"),
            h.t("数值", "Value"),
            h.t("涉及人口", "People"),
            h.t("图层/要素", "Layer / feature"),
            h.t("坐标 (m)", "Position (m)"),
        ]);
        for (c, p) in failing {
            let src = match (&p.layer, &p.source) {
                (Some(l), Some(s)) => format!("{l} {s}"),
                (Some(l), None) => l.clone(),
                (None, Some(s)) => s.to_string(),
                (None, None) => String::new(),
            };
            h.row(&[
                td(lang.t(&p.zh, &p.en)),
                td(lang.t(&c.zh, &c.en)),
                tdn(p
                    .value
                    .map_or("—".into(), |v| format!("{} {}", num(v), esc(&p.unit)))),
                tdn(p.population.map_or("—".into(), num)),
                td(&src),
                tdn(p
                    .xy
                    .map_or("—".into(), |xy| format!("{:.0}, {:.0}", xy[0], xy[1]))),
            ]);
        }
        h.push("</table>\n");
    }
    if !r.thresholds.is_empty() {
        h.push("<table>\n");
        h.head(&[
            h.t("阈值", "Threshold"),
            h.t("取值", "Value"),
            h.t("来源标记", "Provenance"),
            h.t("依据", "Citation"),
        ]);
        for t in &r.thresholds {
            h.row(&[
                td(lang.t(&t.zh, &t.en)),
                tdn(format!("{} {}", num(t.value), esc(&t.unit))),
                format!("<td>{}</td>", prov_cell(t, lang)),
                td(&t.cite),
            ]);
        }
        h.push("</table>\n");
    }
    h.push("</div>\n");
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn esc_escapes_markup_and_quotes() {
        assert_eq!(
            esc("<script>alert('x')</script> & \"q\""),
            "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; &quot;q&quot;"
        );
        assert_eq!(esc("茶山村"), "茶山村");
    }

    #[test]
    fn base64_matches_rfc4648_vectors() {
        let cases = [
            ("", ""),
            ("f", "Zg=="),
            ("fo", "Zm8="),
            ("foo", "Zm9v"),
            ("foob", "Zm9vYg=="),
            ("fooba", "Zm9vYmE="),
            ("foobar", "Zm9vYmFy"),
        ];
        for (i, o) in cases {
            assert_eq!(base64(i.as_bytes()), o, "{i}");
        }
    }

    #[test]
    fn numbers_format_by_magnitude() {
        assert_eq!(num(462.8), "463");
        assert_eq!(num(34.5), "34.5");
        assert_eq!(num(0.5), "0.50");
        assert_eq!(num(5.0), "5");
        assert_eq!(num(f64::NAN), "—");
    }
}
