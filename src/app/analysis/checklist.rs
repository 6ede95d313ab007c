//! The ten-ones checklist: verdict colours and badges, the selected item's checks, measures, failing places and thresholds, and the data-quality marks.

use super::*;

/// The box around a place: its geometry's, or 150 m around its point.
pub fn place_extent(p: &Place) -> Option<GeoRect<f64>> {
    use geo::BoundingRect;
    if let Some(r) = p.geometry.as_ref().and_then(|g| g.bounding_rect()) {
        return Some(r);
    }
    p.xy.map(|[x, y]| {
        GeoRect::new(
            coord! { x: x - 150.0, y: y - 150.0 },
            coord! { x: x + 150.0, y: y + 150.0 },
        )
    })
}

/// The geometry to highlight for a place: its shape or its point.
pub fn place_geometry(p: &Place) -> Option<Geometry<f64>> {
    p.geometry
        .clone()
        .or_else(|| p.xy.map(|[x, y]| geo_types::Point::new(x, y).into()))
}

/// The failing places of an item, over all its checks.
pub fn failing_places(rule: &RuleResult) -> Vec<&Place> {
    rule.checks.iter().flat_map(|c| c.failing.iter()).collect()
}

pub fn verdict_colour(v: Verdict) -> Color32 {
    let [r, g, b] = v.rgb();
    Color32::from_rgb(r, g, b)
}

pub(super) fn verdict_label(v: Verdict, lang: Lang) -> &'static str {
    match lang {
        Lang::Zh => v.zh(),
        Lang::En => v.en(),
    }
}

/// A coloured verdict badge.
pub fn verdict_badge(ui: &mut egui::Ui, v: Verdict, lang: Lang) {
    ui.label(
        RichText::new(format!(" {} ", verdict_label(v, lang)))
            .color(Color32::WHITE)
            .background_color(verdict_colour(v))
            .strong(),
    );
}

/// What the checklist asks the app to do.
#[derive(Debug, Clone, PartialEq)]
pub enum ChecklistAction {
    /// Show this item's evidence (index into the rules) and highlight its failing places.
    SelectRule(usize),
    /// Zoom to one failing place (rule, check, place).
    ZoomPlace(usize, usize, usize),
}

pub(super) fn provenance_text(p: Provenance, lang: Lang) -> String {
    let tag = String::from(p);
    match lang {
        Lang::Zh => format!("[{tag}]"),
        Lang::En => format!("[{tag}: {}]", p.meaning()),
    }
}

/// The ten-ones checklist: one row per item with its coloured verdict; the selected item's checks,
/// measures, failing places and thresholds (with provenance) below.
pub fn checklist_ui(
    ui: &mut egui::Ui,
    report: &TenOnesReport,
    quality: &[crate::model::QualityRecord],
    selected: Option<usize>,
    lang: Lang,
) -> Vec<ChecklistAction> {
    let mut actions = Vec::new();
    let tally = report.tally();
    ui.horizontal_wrapped(|ui| {
        for (v, n) in Verdict::ALL.iter().zip(tally) {
            ui.label(
                RichText::new(format!("{} {n}", verdict_label(*v, lang))).color(verdict_colour(*v)),
            );
        }
    });
    for f in &report.flags {
        ui.label(RichText::new(format!("⚠ {f}")).color(ui.visuals().warn_fg_color));
    }
    for (i, r) in report.rules.iter().enumerate() {
        ui.horizontal(|ui| {
            verdict_badge(ui, r.verdict, lang);
            let name = match lang {
                Lang::Zh => &r.zh,
                Lang::En => &r.en,
            };
            let score = r.score.map(|s| format!("  {s:.0}")).unwrap_or_default();
            let text = format!("{}. {name}{score}", r.number);
            if ui.selectable_label(selected == Some(i), text).clicked() {
                actions.push(ChecklistAction::SelectRule(i));
            }
            // The verdict rests on a layer with lost features: say so beside it.
            let affecting = crate::tenones::quality_affecting(r, quality);
            if !affecting.is_empty() {
                let lines: Vec<String> = affecting.iter().map(|q| lang.quality_line(q)).collect();
                ui.label(
                    RichText::new(format!("⚠ {}", lang.t(tx::DATA_INCOMPLETE)))
                        .color(Color32::from_rgb(0xc0, 0x10, 0x30))
                        .small(),
                )
                .on_hover_text(lines.join("\n\n"));
            }
        });
    }
    let Some(r) = selected.and_then(|i| report.rules.get(i).map(|r| (i, r))) else {
        return actions;
    };
    let (ri, r) = r;
    ui.separator();
    ui.strong(match lang {
        Lang::Zh => format!("{}. {}", r.number, r.zh),
        Lang::En => format!("{}. {}", r.number, r.en),
    });
    for (ci, c) in r.checks.iter().enumerate() {
        ui.horizontal_wrapped(|ui| {
            verdict_badge(ui, c.verdict, lang);
            ui.label(match lang {
                Lang::Zh => &c.zh,
                Lang::En => &c.en,
            });
        });
        ui.indent(("check", ri, ci), |ui| {
            for m in &c.measures {
                let name = match lang {
                    Lang::Zh => &m.zh,
                    Lang::En => &m.en,
                };
                ui.label(format!("{name}: {} {}", fmt_num(m.value), m.unit));
            }
            let missing = match lang {
                Lang::Zh => &c.missing_zh,
                Lang::En => &c.missing_en,
            };
            for s in missing {
                ui.label(RichText::new(format!("{}: {s}", lang.t(tx::MISSING))).weak());
            }
            if !c.failing.is_empty() {
                ui.label(RichText::new(lang.t(tx::FAILING_PLACES)).strong());
            }
            for (pi, p) in c.failing.iter().enumerate() {
                let name = match lang {
                    Lang::Zh => &p.zh,
                    Lang::En => &p.en,
                };
                let mut text = name.clone();
                if let Some(v) = p.value {
                    text.push_str(&format!(" — {} {}", fmt_num(v), p.unit));
                }
                if let Some(pop) = p.population {
                    text.push_str(&format!(" ({:.0} {})", pop, lang.t(tx::PEOPLE)));
                }
                let zoomable = place_extent(p).is_some();
                if ui
                    .add_enabled(zoomable, egui::Button::new(text).small())
                    .on_hover_text(lang.t(tx::ZOOM_SELECTION))
                    .clicked()
                {
                    actions.push(ChecklistAction::ZoomPlace(ri, ci, pi));
                }
            }
        });
    }
    if !r.thresholds.is_empty() {
        ui.label(RichText::new(lang.t(tx::THRESHOLDS)).strong());
        for t in &r.thresholds {
            let name = match lang {
                Lang::Zh => &t.zh,
                Lang::En => &t.en,
            };
            ui.label(format!(
                "{name}: {} {} {}",
                fmt_num(t.value),
                t.unit,
                provenance_text(t.source, lang)
            ))
            .on_hover_text(format!("{}\n{}", t.key, t.cite));
        }
    }
    let rec = match lang {
        Lang::Zh => &r.recommendation_zh,
        Lang::En => &r.recommendation_en,
    };
    if !rec.is_empty() {
        ui.label(RichText::new(format!("{}: {rec}", lang.t(tx::RECOMMENDATION))).italics());
    }
    actions
}
