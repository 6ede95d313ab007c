//! results.xlsx: one sheet per table, Chinese headers, numbers as numbers.
//!
//! Sheets: 十个一 (ten ones), 覆盖率 (coverage: type × tier × scope, long format, with the
//! demand counted: 总人口 or an age band), 行政村
//! (villages), 缺口 (coverage gaps and places failing the ten ones), 设施 (facilities), 数据质量
//! (what was read only partly, guessed or left out); 容量可达性 (2SFCA accessibility) when a
//! facility has a capacity; and 方案比较 (the scenario against the base) when the report is of a
//! scenario.

use std::path::Path;

use rust_xlsxwriter::{Format, Workbook, Worksheet, XlsxError};

use crate::access::Coverage;
use crate::error::{IoError, Location, Result};
use crate::tenones::Verdict;

use super::town::ReportData;

/// The sheet names, in order.
pub const SHEETS: [&str; 6] = ["十个一", "覆盖率", "行政村", "缺口", "设施", "数据质量"];

/// The sheet added after [`SHEETS`] when a facility has a capacity (2SFCA accessibility).
pub const FCA_SHEET: &str = "容量可达性";

/// The sheet added last when the report is of a scenario (`analyze --scenario`).
pub const SCENARIO_SHEET: &str = "方案比较";

/// One cell.
enum C {
    S(String),
    N(f64),
    E,
}

fn s(v: impl Into<String>) -> C {
    C::S(v.into())
}
fn n(v: f64) -> C {
    if v.is_finite() { C::N(v) } else { C::E }
}
fn on(v: Option<f64>) -> C {
    v.map_or(C::E, n)
}

struct Sheet<'a> {
    ws: &'a mut Worksheet,
    row: u32,
    cols: u16,
}

impl Drop for Sheet<'_> {
    /// A filter on the header row over the written rows.
    fn drop(&mut self) {
        if self.row > 1 && self.cols > 0 {
            let _ = self.ws.autofilter(0, 0, self.row - 1, self.cols - 1);
        }
    }
}

impl<'a> Sheet<'a> {
    /// A new sheet named `name` with its header row (bold, frozen, filtered).
    fn new(
        wb: &'a mut Workbook,
        name: &str,
        cols: &[&str],
        bold: &Format,
    ) -> std::result::Result<Sheet<'a>, XlsxError> {
        let mut sh = Sheet {
            ws: wb.add_worksheet().set_name(name)?,
            row: 0,
            cols: 0,
        };
        sh.header(cols, bold)?;
        Ok(sh)
    }

    fn header(&mut self, cols: &[&str], bold: &Format) -> std::result::Result<(), XlsxError> {
        for (i, c) in cols.iter().enumerate() {
            self.ws.write_string_with_format(0, i as u16, *c, bold)?;
            let w = (c.chars().count() as f64 * 2.2).clamp(8.0, 40.0);
            self.ws.set_column_width(i as u16, w)?;
        }
        self.ws.set_freeze_panes(1, 0)?;
        self.row = 1;
        self.cols = cols.len() as u16;
        Ok(())
    }

    fn push(&mut self, cells: Vec<C>) -> std::result::Result<(), XlsxError> {
        for (i, c) in cells.into_iter().enumerate() {
            let col = i as u16;
            match c {
                C::S(t) => {
                    self.ws.write_string(self.row, col, t)?;
                }
                C::N(v) => {
                    self.ws.write_number(self.row, col, v)?;
                }
                C::E => {}
            }
        }
        self.row += 1;
        Ok(())
    }
}

fn scope_rows(
    c: &Coverage,
    out: &mut Vec<(String, Coverage)>,
    built_up: Option<&Coverage>,
    villages: &[crate::access::coverage::VillageCoverage],
) {
    out.push(("镇域".into(), *c));
    if let Some(b) = built_up {
        out.push(("建成区".into(), *b));
    }
    for v in villages {
        out.push((v.village.clone(), v.coverage));
    }
}

fn verdict_zh(v: Verdict) -> String {
    v.zh().into()
}

fn build(data: &ReportData<'_>, path: &Path) -> std::result::Result<(), XlsxError> {
    let mut wb = Workbook::new();
    let bold = Format::new().set_bold();
    let a = data.base();
    let rep = data.report;

    // 十个一
    {
        let mut sh = Sheet::new(
            &mut wb,
            SHEETS[0],
            &[
                "序号",
                "项目",
                "结论",
                "得分",
                "检查项",
                "检查结论",
                "实测",
                "未达标地点数",
                "缺少的数据",
                "建议",
                "数据说明",
            ],
            &bold,
        )?;
        if let Some(t) = data.tenones {
            for r in &t.rules {
                let caveat: Vec<String> = crate::tenones::quality_affecting(r, &data.data_quality)
                    .iter()
                    .map(|q| format!("{}（{}）", q.place(), q.kind.label(true)))
                    .collect();
                let caveat = (!caveat.is_empty())
                    .then(|| format!("依据数据不完整，结论可能改变：{}", caveat.join("；")));
                let caveat_cell = || caveat.clone().map_or(C::E, s);
                if r.checks.is_empty() {
                    sh.push(vec![
                        n(f64::from(r.number)),
                        s(&r.zh),
                        s(verdict_zh(r.verdict)),
                        on(r.score),
                        C::E,
                        C::E,
                        C::E,
                        C::E,
                        C::E,
                        s(&r.recommendation_zh),
                        caveat_cell(),
                    ])?;
                }
                for c in &r.checks {
                    let measures: Vec<String> = c
                        .measures
                        .iter()
                        .map(|m| format!("{}: {} {}", m.zh, m.value, m.unit))
                        .collect();
                    sh.push(vec![
                        n(f64::from(r.number)),
                        s(&r.zh),
                        s(verdict_zh(r.verdict)),
                        on(r.score),
                        s(&c.zh),
                        s(verdict_zh(c.verdict)),
                        s(measures.join("；")),
                        n(c.failing.len() as f64),
                        s(c.missing_zh.join("；")),
                        s(&r.recommendation_zh),
                        caveat_cell(),
                    ])?;
                }
            }
        }
    }

    // 覆盖率
    {
        let mut sh = Sheet::new(
            &mut wb,
            SHEETS[1],
            &[
                "类型代码",
                "设施类型",
                "设施数",
                "时间圈(分钟)",
                "范围",
                "需求人口",
                "覆盖人口",
                "覆盖率(%)",
                "人口口径",
            ],
            &bold,
        )?;
        for c in &rep.all_required {
            if c.required.is_empty() {
                continue;
            }
            let mut rows = Vec::new();
            scope_rows(
                &c.coverage.town,
                &mut rows,
                c.coverage.built_up.as_ref(),
                &c.coverage.villages,
            );
            for (scope, cov) in rows {
                sh.push(vec![
                    s("all_required"),
                    s("全部必需设施"),
                    C::E,
                    n(f64::from(c.minutes)),
                    s(scope),
                    n(cov.demand_total),
                    n(cov.covered_weight),
                    on(cov.percent),
                    s("总人口"),
                ])?;
            }
        }
        for c in &rep.categories {
            // Whose coverage: everyone, or the age band whose raster was counted.
            let demand = match c.age_band.filter(|b| b.to_string() == c.demand) {
                Some(b) => b.zh(),
                None => "总人口".to_string(),
            };
            for t in &c.tiers {
                let mut rows = Vec::new();
                scope_rows(&t.town, &mut rows, t.built_up.as_ref(), &t.villages);
                for (scope, cov) in rows {
                    sh.push(vec![
                        s(&c.id),
                        s(&c.zh),
                        n(c.facility_count as f64),
                        n(f64::from(t.minutes)),
                        s(scope),
                        n(cov.demand_total),
                        n(cov.covered_weight),
                        on(cov.percent),
                        s(&demand),
                    ])?;
                }
            }
        }
    }

    // 行政村
    {
        let tiers: Vec<_> = rep
            .all_required
            .iter()
            .filter(|c| !c.required.is_empty())
            .collect();
        let mut head: Vec<String> = vec!["村名".into(), "人口".into(), "需求人口".into()];
        for t in &tiers {
            head.push(format!("{}分钟全部必需设施覆盖率(%)", t.minutes));
            head.push(format!("{}分钟未覆盖人口", t.minutes));
        }
        let head: Vec<&str> = head.iter().map(String::as_str).collect();
        let mut sh = Sheet::new(&mut wb, SHEETS[2], &head, &bold)?;
        for (vi, v) in a.demand.villages.iter().enumerate() {
            let mut cells = vec![
                s(&v.name),
                on(v.population),
                on(tiers
                    .first()
                    .and_then(|t| t.coverage.villages.get(vi))
                    .map(|c| c.coverage.demand_total)),
            ];
            for t in &tiers {
                let c = t.coverage.villages.get(vi).map(|c| c.coverage);
                cells.push(on(c.and_then(|c| c.percent)));
                cells.push(on(c.map(|c| c.demand_total - c.covered_weight)));
            }
            sh.push(cells)?;
        }
    }

    // 缺口
    {
        let mut sh = Sheet::new(
            &mut wb,
            SHEETS[3],
            &[
                "来源",
                "项目/设施类型",
                "时间圈(分钟)",
                "地点/所在村",
                "人口",
                "居民点数",
                "面积(m²)",
                "数值",
                "单位",
                "X",
                "Y",
            ],
            &bold,
        )?;
        if let Some(t) = data.tenones {
            for r in &t.rules {
                for c in &r.checks {
                    for p in &c.failing {
                        sh.push(vec![
                            s("十个一"),
                            s(format!("{}. {} · {}", r.number, r.zh, c.zh)),
                            C::E,
                            s(&p.zh),
                            on(p.population),
                            C::E,
                            C::E,
                            on(p.value),
                            s(&p.unit),
                            on(p.xy.map(|xy| xy[0])),
                            on(p.xy.map(|xy| xy[1])),
                        ])?;
                    }
                }
            }
        }
        for g in &data.gaps {
            sh.push(vec![
                s("生活圈覆盖"),
                s(g.category
                    .as_ref()
                    .map_or("全部必需设施".to_string(), |c| c.zh.clone())),
                n(f64::from(g.minutes)),
                s(g.village.clone().unwrap_or_default()),
                n(g.area.population),
                n(g.area.points as f64),
                n(g.area.area_m2),
                C::E,
                C::E,
                n(g.area.centre[0]),
                n(g.area.centre[1]),
            ])?;
        }
    }

    // 设施
    {
        let mut sh = Sheet::new(
            &mut wb,
            SHEETS[4],
            &[
                "序号",
                "名称",
                "类型代码",
                "设施类型",
                "分组",
                "图层",
                "要素",
                "X",
                "Y",
                "接入路网",
            ],
            &bold,
        )?;
        for (i, f) in a.facilities.iter().enumerate() {
            let c = a.taxonomy.get(f.category);
            let layer = facility_layer_name(data, f.layer).unwrap_or_default();
            sh.push(vec![
                n((i + 1) as f64),
                s(f.name.clone().unwrap_or_default()),
                s(c.map(|c| c.id.clone()).unwrap_or_default()),
                s(c.map(|c| c.zh.clone()).unwrap_or_default()),
                s(c.map(|c| c.group.clone()).unwrap_or_default()),
                s(layer),
                s(f.source.to_string()),
                n(f.xy[0]),
                n(f.xy[1]),
                s(if a.facility_snaps.get(i).is_some_and(|s| s.is_some()) {
                    "是"
                } else {
                    "否"
                }),
            ])?;
        }
    }
    // 数据质量
    {
        let mut sh = Sheet::new(
            &mut wb,
            SHEETS[5],
            &[
                "文件",
                "图层",
                "用途",
                "问题",
                "要素未读入",
                "涉及要素数",
                "读入要素数",
                "说明",
                "处理建议",
                "详情",
            ],
            &bold,
        )?;
        let mut records: Vec<_> = data.data_quality.iter().collect();
        records.sort_by_key(|r| (!r.loses_features, r.kind));
        for r in records {
            sh.push(vec![
                s(&r.file),
                s(&r.layer),
                s(r.role.map(|x| x.zh()).unwrap_or_default()),
                s(r.kind.label(true)),
                s(if r.loses_features { "是" } else { "否" }),
                on(r.features_affected.map(|n| n as f64)),
                on(r.features_read.map(|n| n as f64)),
                s(r.what(true)),
                s(r.action(true)),
                s(r.details.join("\n")),
            ])?;
        }
    }
    if !data.accessibility.is_empty() {
        fca_sheet(&mut wb, data, &bold)?;
    }
    if let Some(c) = &data.scenario {
        scenario_sheet(&mut wb, c, &bold)?;
    }
    wb.save(path)
}

/// 容量可达性: per category with a capacity and tier, a row for the town (范围 镇域: total
/// capacity, 指数(每千人), 无容量设施数), one per facility (容量, 可达人口, 每千人容量, 超载 是/否)
/// and one per village (指数(每千人)).
fn fca_sheet(
    wb: &mut Workbook,
    data: &ReportData<'_>,
    bold: &Format,
) -> std::result::Result<(), XlsxError> {
    let mut sh = Sheet::new(
        wb,
        FCA_SHEET,
        &[
            "类型代码",
            "设施类型",
            "时间圈(分钟)",
            "出行方式",
            "范围",
            "名称",
            "容量",
            "可达人口",
            "每千人容量",
            "超载",
            "指数(每千人)",
            "无容量设施数",
        ],
        bold,
    )?;
    for c in &data.accessibility {
        let r = &c.report;
        let head = || vec![s(&c.id), s(&c.zh), n(f64::from(c.minutes)), s(&c.mode)];
        let mut town = head();
        town.extend([
            s("镇域"),
            C::E,
            n(r.facilities.iter().map(|f| f.capacity).sum()),
            C::E,
            C::E,
            C::E,
            on(r.town_index_per_1000),
            n(r.facilities_without_capacity as f64),
        ]);
        sh.push(town)?;
        for f in &r.facilities {
            let mut row = head();
            row.extend([
                s("设施"),
                s(f.name.clone().unwrap_or_default()),
                n(f.capacity),
                n(f.demand_in_reach),
                on(f.supply_per_1000),
                s(if f.overloaded { "是" } else { "否" }),
            ]);
            sh.push(row)?;
        }
        for v in &r.villages {
            let mut row = head();
            row.extend([
                s("行政村"),
                s(&v.village),
                C::E,
                C::E,
                C::E,
                C::E,
                on(v.index_per_1000),
            ]);
            sh.push(row)?;
        }
    }
    Ok(())
}

/// 方案比较: one row per edit, per edit not made, per tier of all required types, per facility
/// type × tier, and per ten-ones item; 现状/方案 hold percentages (verdicts for the ten ones).
fn scenario_sheet(
    wb: &mut Workbook,
    c: &super::compare::ScenarioComparison,
    bold: &Format,
) -> std::result::Result<(), XlsxError> {
    let mut sh = Sheet::new(
        wb,
        SCENARIO_SHEET,
        &[
            "部分",
            "序号",
            "代码",
            "名称",
            "时间圈(分钟)",
            "出行方式",
            "现状设施数",
            "方案设施数",
            "现状",
            "方案",
            "变化",
            "新增覆盖人口",
            "失去覆盖人口",
            "覆盖人口净增",
            "有变化",
        ],
        bold,
    )?;
    let yes = |b: bool| s(if b { "是" } else { "否" });
    for e in &c.edits {
        sh.push(vec![s("修改"), n(e.number as f64), s(e.op), s(&e.zh)])?;
    }
    for w in &c.not_applied {
        sh.push(vec![s("未执行的修改"), C::E, C::E, s(w)])?;
    }
    let coverage = |part: &str, r: &super::compare::CoverageChange| {
        vec![
            s(part),
            C::E,
            s(&r.id),
            s(&r.zh),
            n(f64::from(r.minutes)),
            s(&r.mode),
            on(r.facilities_base.map(|v| v as f64)),
            on(r.facilities_scenario.map(|v| v as f64)),
            on(r.base.town_percent),
            on(r.scenario.town_percent),
            on(r.base
                .town_percent
                .zip(r.scenario.town_percent)
                .map(|(b, a)| a - b)),
            on(r.newly_covered),
            on(r.no_longer_covered),
            n(r.net_change),
            yes(r.changed),
        ]
    };
    for r in &c.all_required {
        sh.push(coverage("全部必需设施覆盖率(%)", r))?;
    }
    for r in &c.categories {
        sh.push(coverage("设施覆盖率(%)", r))?;
    }
    for v in &c.tenones {
        sh.push(vec![
            s("十个一"),
            n(f64::from(v.number)),
            s(&v.id),
            s(&v.zh),
            C::E,
            C::E,
            C::E,
            C::E,
            s(v.base.zh()),
            s(v.scenario.zh()),
            on(v.base_score.zip(v.scenario_score).map(|(b, a)| a - b)),
            C::E,
            C::E,
            C::E,
            yes(v.changed),
        ])?;
    }
    Ok(())
}

/// The file name of the `n`-th facility layer (as [`crate::access::AccessInput`] ordered them).
fn facility_layer_name(data: &ReportData<'_>, n: u32) -> Option<String> {
    data.layers
        .iter()
        .filter(|l| l.role == Some(crate::model::Role::Facilities))
        .nth(n as usize)
        .map(|l| {
            l.source
                .path
                .file_name()
                .map(|f| f.to_string_lossy().into_owned())
                .unwrap_or_else(|| l.name.clone())
        })
}

/// Write results.xlsx.
pub fn write_xlsx(data: &ReportData<'_>, path: &Path) -> Result<()> {
    build(data, path).map_err(|e| {
        IoError::invalid(
            path,
            Location::File,
            format!("cannot write the workbook: {e}"),
        )
        .into()
    })
}
