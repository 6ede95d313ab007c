//! city.html: one self-contained page (CSS, JS and the map inline, no network access): the
//! towns' summary, the city map and the city table, sortable by a click on a column's header,
//! each town linked to its report.

use std::fmt::Write as _;

use crate::report::{Lang, esc, verdict_badge};
use crate::tenones::Verdict;

use super::city_xlsx::{Cell, cells, headers};
use super::table::CityTable;

const STYLE: &str = "body{font-family:'Noto Sans CJK SC','Microsoft YaHei',sans-serif;margin:1.5em;color:#222}\
h1{font-size:1.5em}table.city{border-collapse:collapse;font-size:.85em}\
table.city th,table.city td{border:1px solid #ccc;padding:.25em .45em;text-align:left}\
table.city th{background:#f0f0f0;cursor:pointer;position:sticky;top:0;user-select:none}\
table.city th[data-dir=asc]::after{content:' ▲'}table.city th[data-dir=desc]::after{content:' ▼'}\
td.num{text-align:right}tr.failed td{background:#fdecea}td.reason{max-width:32em}\
.verdict{padding:0 .35em;border-radius:3px;white-space:nowrap}\
svg.citymap{width:100%;max-width:960px;height:auto;border:1px solid #ddd;background:#fafafa}\
.swatch{display:inline-block;width:1.2em;height:.8em;margin:0 .25em 0 .6em;vertical-align:middle}\
.legend{font-size:.85em}.failures li{margin:.2em 0}";

const SCRIPT: &str = "document.querySelectorAll('table.city th').forEach(function(th,i){th.addEventListener('click',function(){\
var tb=th.closest('table').tBodies[0],rows=Array.prototype.slice.call(tb.rows),asc=th.dataset.dir!=='asc';\
th.parentNode.querySelectorAll('th').forEach(function(h){delete h.dataset.dir});th.dataset.dir=asc?'asc':'desc';\
function key(r){var c=r.cells[i],v=c.getAttribute('data-v');if(v!==null)return v===''?null:parseFloat(v);var t=c.textContent.trim();return t===''?null:t;}\
rows.sort(function(a,b){var x=key(a),y=key(b);if(x===null&&y===null)return 0;if(x===null)return 1;if(y===null)return -1;\
var c=(typeof x==='number'&&typeof y==='number')?x-y:String(x).localeCompare(String(y),'zh');return asc?c:-c;});\
rows.forEach(function(r){tb.appendChild(r)});});});";

/// A sort key for a verdict: pass highest.
fn verdict_rank(v: Verdict) -> u8 {
    match v {
        Verdict::Pass => 3,
        Verdict::Partly => 2,
        Verdict::Fail => 1,
        Verdict::NoData => 0,
    }
}

fn cell_html(cell: &Cell, lang: Lang, reason_col: bool) -> String {
    match cell {
        Cell::Text(t) if reason_col => format!("<td class=\"reason\">{}</td>", esc(t)),
        Cell::Text(t) => format!("<td>{}</td>", esc(t)),
        Cell::Number(v) => {
            let shown = if v.fract() == 0.0 {
                format!("{v:.0}")
            } else {
                format!("{v:.1}")
            };
            format!("<td class=\"num\" data-v=\"{v}\">{shown}</td>")
        }
        Cell::Verdict(v) => format!(
            "<td data-v=\"{}\" data-verdict=\"{}\">{}</td>",
            verdict_rank(*v),
            serde_json::to_value(v)
                .ok()
                .and_then(|x| x.as_str().map(str::to_string))
                .unwrap_or_default(),
            verdict_badge(*v, lang)
        ),
        Cell::Link(href) => format!("<td><a href=\"{}\">report.html</a></td>", esc(href)),
        Cell::Empty => "<td data-v=\"\"></td>".into(),
    }
}

/// The page.
pub fn city_html(table: &CityTable) -> String {
    let l = table.lang;
    let mut h = String::with_capacity(64 * 1024 + table.rows.len() * 2048);
    let title = l.t(
        "全市镇村生活圈汇总",
        "City summary of the towns' living circles",
    );
    let _ = write!(
        h,
        "<!DOCTYPE html>\n<html lang=\"{}\"><head><meta charset=\"utf-8\"><title>{title}</title><style>{STYLE}</style></head><body>\n<h1>{title}</h1>\n",
        l.code()
    );
    let failed = table.failed();
    let _ = writeln!(
        h,
        "<p class=\"counts\">{} <b>{}</b> {}, {} <b>{}</b>, {} <b>{}</b>{}</p>",
        l.t("共", "Towns:"),
        table.rows.len(),
        l.t("个镇", ""),
        l.t("完成", "done"),
        table.rows.len() - failed,
        l.t("失败", "failed"),
        failed,
        table.shard.map_or(String::new(), |s| format!(
            " ({} {s})",
            l.t("分片", "shard")
        ))
    );
    if let Some(s) = &table.settings {
        let _ = writeln!(
            h,
            "<p class=\"settings\">{}: {} {}; {} {}; towncircle {}</p>",
            l.t("设置", "Settings"),
            l.t("标准", "profile"),
            esc(s.profile.as_deref().unwrap_or(l.t("默认", "default"))),
            l.t("出行方式", "mode"),
            esc(s.mode.as_deref().unwrap_or(l.t("按各圈层", "per tier"))),
            super::VERSION
        );
    }
    if failed > 0 {
        let _ = writeln!(
            h,
            "<h2>{}</h2><ul class=\"failures\">",
            l.t("未完成的镇", "Towns that failed")
        );
        for r in table.rows.iter().filter(|r| r.failed()) {
            if let Some(f) = r.outcome.failure() {
                let _ = writeln!(h, "<li><b>{}</b>: {}</li>", esc(&r.name), esc(&f.reason()));
            }
        }
        h.push_str("</ul>\n");
    }
    if let Some(svg) = super::city_map::city_svg(table) {
        let _ = writeln!(h, "<h2>{}</h2>", l.t("城市地图", "City map"));
        h.push_str(&svg);
        h.push_str(&super::city_map::legend(l));
    }
    let _ = writeln!(
        h,
        "<h2>{}</h2><p class=\"hint\">{}</p>",
        l.t("各镇一览", "Towns"),
        l.t(
            "点击列标题排序；再次点击反向。",
            "Click a column's header to sort by it; again to reverse."
        )
    );
    h.push_str("<table class=\"city\"><thead><tr>");
    let heads = headers(table);
    let reason_col = 3;
    for head in &heads {
        let _ = write!(h, "<th>{}</th>", esc(head));
    }
    h.push_str("</tr></thead><tbody>\n");
    for row in &table.rows {
        let _ = write!(
            h,
            "<tr data-town=\"{}\"{}>",
            esc(&row.name),
            if row.failed() {
                " class=\"failed\""
            } else {
                ""
            }
        );
        for (i, c) in cells(table, row).iter().enumerate() {
            h.push_str(&cell_html(c, l, i == reason_col));
        }
        h.push_str("</tr>\n");
    }
    let _ = write!(
        h,
        "</tbody></table>\n<script>{SCRIPT}</script>\n</body></html>\n"
    );
    h
}
