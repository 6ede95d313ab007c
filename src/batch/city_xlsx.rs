//! city.xlsx: one sheet, one row per town (sortable and filterable in Excel/WPS), numbers stored
//! as numbers, each town's name a link to its report.

use std::path::Path;

use rust_xlsxwriter::{Format, Url, Workbook, XlsxError};

use crate::error::{IoError, Location, Result};
use crate::report::Lang;
use crate::tenones::Verdict;

use super::run::Row;
use super::table::CityTable;

/// The sheet's name.
pub const SHEET_ZH: &str = "城市汇总";
pub const SHEET_EN: &str = "City";

/// The column headers, in order (the city.html table has the same columns).
pub fn headers(table: &CityTable) -> Vec<String> {
    let l = table.lang;
    let mut h: Vec<String> = [
        l.t("镇", "Town"),
        l.t("名称", "Name"),
        l.t("状态", "Status"),
        l.t("原因", "Reason"),
    ]
    .iter()
    .map(|s| (*s).to_string())
    .collect();
    h.extend(Verdict::ALL.iter().map(|v| v.label(l.code()).to_string()));
    for (n, zh, en) in &table.items {
        h.push(format!("{n} {}", l.t(zh, en)));
    }
    for m in &table.tiers {
        h.push(match l {
            Lang::Zh => format!("全部必需设施 {m}分钟覆盖率(%)"),
            Lang::En => format!("All required {m} min (%)"),
        });
    }
    h.extend(
        [
            l.t("人口", "Population"),
            l.t("数据质量问题", "Data-quality findings"),
            l.t("其中要素未读入", "…losing features"),
            l.t("用时(秒)", "Seconds"),
            l.t("报告", "Report"),
        ]
        .iter()
        .map(|s| (*s).to_string()),
    );
    h
}

/// One cell of the table, for both writers.
#[derive(Debug, Clone, PartialEq)]
pub enum Cell {
    Text(String),
    Number(f64),
    Verdict(Verdict),
    Empty,
    /// A link to the town's report.
    Link(String),
}

/// The cells of one row, in [`headers`] order.
pub fn cells(table: &CityTable, row: &Row) -> Vec<Cell> {
    let l = table.lang;
    let facts = row.outcome.facts();
    let mut c = vec![
        Cell::Text(row.name.clone()),
        facts.map_or(Cell::Empty, |f| Cell::Text(f.display_name.clone())),
        Cell::Text(
            if row.failed() {
                l.t("失败", "failed")
            } else {
                l.t("完成", "done")
            }
            .into(),
        ),
        row.outcome
            .failure()
            .map_or(Cell::Empty, |f| Cell::Text(f.reason())),
    ];
    let tally = facts.and_then(|f| f.tally);
    for i in 0..Verdict::ALL.len() {
        c.push(tally.map_or(Cell::Empty, |t| Cell::Number(t[i] as f64)));
    }
    for (n, _, _) in &table.items {
        c.push(
            facts
                .and_then(|f| f.verdict(*n))
                .map_or(Cell::Empty, Cell::Verdict),
        );
    }
    for m in &table.tiers {
        c.push(
            facts
                .and_then(|f| f.share(*m))
                .and_then(|s| s.percent)
                .map_or(Cell::Empty, |p| Cell::Number((p * 10.0).round() / 10.0)),
        );
    }
    c.push(facts.map_or(Cell::Empty, |f| Cell::Number(f.population.round())));
    c.push(facts.map_or(Cell::Empty, |f| Cell::Number(f.data_quality as f64)));
    c.push(facts.map_or(Cell::Empty, |f| Cell::Number(f.data_quality_lost as f64)));
    c.push(Cell::Number(row.seconds));
    c.push(if facts.is_some() {
        Cell::Link(CityTable::report_link(&row.name))
    } else {
        Cell::Empty
    });
    c
}

fn build(table: &CityTable, path: &Path) -> std::result::Result<(), XlsxError> {
    let mut wb = Workbook::new();
    let bold = Format::new().set_bold();
    let ws = wb
        .add_worksheet()
        .set_name(table.lang.t(SHEET_ZH, SHEET_EN))?;
    let headers = headers(table);
    for (i, h) in headers.iter().enumerate() {
        ws.write_string_with_format(0, i as u16, h, &bold)?;
        ws.set_column_width(i as u16, (h.chars().count() as f64 * 1.8).clamp(8.0, 30.0))?;
    }
    ws.set_freeze_panes(1, 1)?;
    for (r, row) in table.rows.iter().enumerate() {
        let r = r as u32 + 1;
        for (i, cell) in cells(table, row).into_iter().enumerate() {
            let col = i as u16;
            match cell {
                Cell::Text(t) => {
                    ws.write_string(r, col, t)?;
                }
                Cell::Number(v) if v.is_finite() => {
                    ws.write_number(r, col, v)?;
                }
                Cell::Verdict(v) => {
                    let [red, green, blue] = v.rgb();
                    let fill = Format::new().set_background_color(rust_xlsxwriter::Color::RGB(
                        (u32::from(red) << 16) | (u32::from(green) << 8) | u32::from(blue),
                    ));
                    ws.write_string_with_format(r, col, v.label(table.lang.code()), &fill)?;
                }
                Cell::Link(href) => {
                    ws.write_url_with_text(
                        r,
                        col,
                        Url::new(format!("file:///{href}")),
                        "report.html",
                    )?;
                }
                Cell::Number(_) | Cell::Empty => {}
            }
        }
    }
    let last = table.rows.len() as u32;
    if last > 0 {
        ws.autofilter(0, 0, last, headers.len() as u16 - 1)?;
    }
    wb.save(path)
}

/// Write the workbook to `temp`; errors name `target`.
pub(super) fn write_xlsx(table: &CityTable, temp: &Path, target: &Path) -> Result<()> {
    build(table, temp).map_err(|e| {
        IoError::invalid(
            target,
            Location::File,
            format!("cannot write the workbook: {e}"),
        )
        .into()
    })
}
