//! report.html's data-quality section (数据质量说明) and the caveat written beside a verdict
//! that rests on a layer with lost features.

use std::fmt::Write as _;

use crate::model::QualityRecord;
use crate::tenones::RuleResult;

use super::html_kit::{Html, esc, td};
use super::town::{Lang, ReportData};

/// The data-quality section (数据质量说明): every record, the ones that lose features first; or
/// one line saying that every file was read whole.
pub(crate) fn data_quality_html(h: &mut Html, data: &ReportData<'_>) {
    let zh = h.lang == Lang::Zh;
    let mut records: Vec<&QualityRecord> = data.data_quality.iter().collect();
    records.sort_by_key(|r| (!r.loses_features, r.kind));
    let losing = records.iter().filter(|r| r.loses_features).count();
    let _ = write!(
        h.s,
        "<div class=\"quality{}\" id=\"data-quality\"><strong>{}</strong>",
        if losing > 0 { " lost" } else { "" },
        h.t("数据质量说明", "Data quality")
    );
    if records.is_empty() {
        let _ = writeln!(
            h.s,
            " <span>{}</span></div>",
            h.t(
                "所有输入文件均完整读取；坐标系与编码均由文件声明，无推测。",
                "Every input file was read whole; coordinate systems and encodings were declared by the files, none guessed."
            )
        );
        return;
    }
    if losing > 0 {
        let _ = write!(
            h.s,
            "<p>{}</p>",
            esc(&if zh {
                format!(
                    "有 {losing} 项数据未能完整读取：依赖这些图层的结论在数据补全后可能改变（见“十个一”表中的标注）。"
                )
            } else {
                format!(
                    "{losing} finding(s) mean features were not read: verdicts that use these layers may change once the data is whole (marked in the ten-ones table)."
                )
            })
        );
    }
    h.push("<table>\n");
    h.head(&[
        h.t("文件 / 图层", "File / layer"),
        h.t("问题", "Finding"),
        h.t("说明", "What"),
        h.t("处理建议", "What to do"),
    ]);
    for r in records {
        let details = if r.details.is_empty() {
            String::new()
        } else {
            format!(
                "<div class=\"details\">{}</div>",
                r.details
                    .iter()
                    .map(|d| esc(d))
                    .collect::<Vec<_>>()
                    .join("<br>")
            )
        };
        h.row(&[
            td(&r.place()),
            format!(
                "<td class=\"{}\">{}</td>",
                if r.loses_features { "lost" } else { "" },
                esc(r.kind.label(zh))
            ),
            format!("<td>{}{details}</td>", esc(&r.what(zh))),
            td(r.action(zh)),
        ]);
    }
    h.push("</table></div>\n");
}

/// Beside a verdict: the files with lost features that the item reads.
pub(crate) fn caveat_html(r: &RuleResult, data: &ReportData<'_>, lang: Lang) -> String {
    let affecting = crate::tenones::quality_affecting(r, &data.data_quality);
    if affecting.is_empty() {
        return String::new();
    }
    let zh = lang == Lang::Zh;
    let files: Vec<String> = affecting
        .iter()
        .map(|q| format!("{}（{}）", q.place(), q.kind.label(zh)))
        .collect();
    format!(
        "<div class=\"caveat\">⚠ {}{}</div>",
        esc(lang.t(
            "依据数据不完整，结论可能改变：",
            "rests on incomplete data, may change: "
        )),
        esc(&files.join(if zh { "；" } else { "; " }))
    )
}
