//! Coverage bars per facility type and tier, and the all-required coverage per tier.

use super::*;

pub(super) fn fmt_num(v: f64) -> String {
    if (v - v.round()).abs() < 1e-9 {
        format!("{v:.0}")
    } else {
        format!("{v:.1}")
    }
}

/// Coverage bars of every facility type at one tier: town and built-up area (建成区), percent.
pub fn coverage_chart_ui(ui: &mut egui::Ui, report: &AccessReport, minutes: u32, lang: Lang) {
    use egui_plot::{Bar, BarChart, Legend, Plot};
    let rows: Vec<(String, Option<f64>, Option<f64>)> = report
        .categories
        .iter()
        .filter(|c| {
            c.facility_count > 0
                || report
                    .tiers
                    .iter()
                    .any(|t| t.required.iter().any(|r| r.split('|').any(|id| id == c.id)))
        })
        .filter_map(|c| {
            let t = c.tiers.iter().find(|t| t.minutes == minutes)?;
            let mut name = match lang {
                Lang::Zh => c.zh.clone(),
                Lang::En => c.en.clone(),
            };
            // The coverage of an age band's people (its raster loaded) says so.
            if let Some(b) = c.age_band.filter(|b| b.to_string() == c.demand) {
                name = match lang {
                    Lang::Zh => format!("{name}（{}）", b.zh()),
                    Lang::En => format!("{name} ({})", b.en()),
                };
            }
            Some((name, t.town.percent, t.built_up.and_then(|b| b.percent)))
        })
        .collect();
    if rows.is_empty() {
        ui.label(RichText::new(lang.t(tx::NO_RESULTS)).weak());
        return;
    }
    let n = rows.len();
    let town: Vec<Bar> = rows
        .iter()
        .enumerate()
        .map(|(i, (name, p, _))| {
            Bar::new((n - 1 - i) as f64 + 0.2, p.unwrap_or(0.0))
                .width(0.38)
                .name(name)
        })
        .collect();
    let built: Vec<Bar> = rows
        .iter()
        .enumerate()
        .map(|(i, (name, _, p))| {
            Bar::new((n - 1 - i) as f64 - 0.2, p.unwrap_or(0.0))
                .width(0.38)
                .name(name)
        })
        .collect();
    let names: Vec<String> = rows.iter().rev().map(|r| r.0.clone()).collect();
    let height = n as f32 * 22.0 + 60.0;
    Plot::new(("coverage", minutes))
        .height(height)
        .legend(Legend::default())
        .allow_zoom(false)
        .allow_drag(false)
        .allow_scroll(false)
        .include_x(0.0)
        .include_x(100.0)
        .y_grid_spacer(move |input| {
            let (lo, hi) = input.bounds;
            (lo.ceil().max(0.0) as i64..=hi.floor() as i64)
                .map(|v| egui_plot::GridMark {
                    value: v as f64,
                    step_size: 1.0,
                })
                .collect()
        })
        .custom_y_axes(vec![
            egui_plot::AxisHints::new_y()
                .formatter(move |mark, _| {
                    let i = mark.value.round();
                    if (mark.value - i).abs() < 1e-6 && i >= 0.0 {
                        names.get(i as usize).cloned().unwrap_or_default()
                    } else {
                        String::new()
                    }
                })
                .label_spacing(12.0..=14.0)
                .min_thickness(110.0),
        ])
        .x_axis_formatter(|mark, _| format!("{:.0}%", mark.value))
        .show(ui, |p| {
            p.bar_chart(
                BarChart::new(lang.t(tx::TOWN), town)
                    .horizontal()
                    .color(Color32::from_rgb(0x1f, 0x77, 0xb4)),
            );
            p.bar_chart(
                BarChart::new(lang.t(tx::BUILT_UP), built)
                    .horizontal()
                    .color(Color32::from_rgb(0xe6, 0x7e, 0x22)),
            );
        });
}

/// The "all required types" coverage per tier as a small table.
pub fn all_required_ui(ui: &mut egui::Ui, report: &AccessReport, lang: Lang) {
    let pct = |p: Option<f64>| p.map_or("—".to_string(), |p| format!("{p:.1}%"));
    egui::Grid::new("all-required")
        .striped(true)
        .show(ui, |ui| {
            ui.strong(lang.t(tx::TIERS));
            ui.strong(lang.t(tx::TOWN));
            ui.strong(lang.t(tx::BUILT_UP));
            ui.strong(lang.t(tx::MISSING));
            ui.end_row();
            for a in &report.all_required {
                ui.label(format!("{} {}", a.minutes, lang.t(tx::MINUTES)));
                ui.label(pct(a.coverage.town.percent));
                ui.label(pct(a.coverage.built_up.and_then(|b| b.percent)));
                ui.label(a.missing.join(", "));
                ui.end_row();
            }
        });
}
