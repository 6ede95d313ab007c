//! The layers panel: one block per layer, top of the map first — visibility, role, order,
//! opacity, legend, remove.

use egui::{Color32, RichText, Sense, vec2};

use super::Command;
use super::analysis::OverlayKind;
use super::doc::Document;
use super::i18n::{Lang, tx};
use super::map::draw::paint_swatch;
use super::map::style::FeatureStyle;
use crate::model::{Format, GeometryKind, Role};

/// A small legend swatch for `style` drawn as `kind`.
fn swatch_ui(ui: &mut egui::Ui, style: &FeatureStyle, kind: GeometryKind) {
    let (rect, _) = ui.allocate_exact_size(vec2(18.0, 14.0), Sense::hover());
    paint_swatch(ui.painter(), rect, style, kind);
}

/// A small icon button whose accessible name (screen readers, tests) and tooltip is `label`.
fn icon_button(ui: &mut egui::Ui, enabled: bool, icon: &str, label: &str) -> egui::Response {
    let r = ui
        .add_enabled(enabled, egui::Button::new(icon).small())
        .on_hover_text(label);
    r.widget_info(|| egui::WidgetInfo::labeled(egui::Role::Button, enabled, label));
    r
}

/// The layers panel. `table_layer` is the layer shown in the attribute table.
pub fn layers_ui(
    ui: &mut egui::Ui,
    doc: &Document,
    lang: Lang,
    table_layer: Option<super::doc::LayerId>,
) -> Vec<Command> {
    let mut commands = Vec::new();
    ui.heading(lang.t(tx::LAYERS));
    if doc.layers.is_empty() {
        ui.label(RichText::new(lang.t(tx::NO_LAYERS)).weak());
        return commands;
    }
    // The analysis overlays, one switch per kind (each kind may be several layers).
    let kinds: Vec<(OverlayKind, bool)> = OverlayKind::ALL
        .iter()
        .filter_map(|k| doc.overlay_state(*k).map(|v| (*k, v)))
        .collect();
    if !kinds.is_empty() {
        egui::Frame::group(ui.style()).show(ui, |ui| {
            ui.set_width(ui.available_width());
            ui.strong(lang.t(tx::OVERLAYS));
            ui.horizontal_wrapped(|ui| {
                for (k, on) in kinds {
                    let mut v = on;
                    if ui.checkbox(&mut v, k.label(lang)).changed() {
                        commands.push(Command::SetOverlayVisible(k, v));
                    }
                }
            });
        });
    }
    let n = doc.layers.len();
    egui::ScrollArea::vertical()
        .auto_shrink([false, false])
        .show(ui, |ui| {
            for (pos, ml) in doc.layers.iter().enumerate().rev() {
                let id = ml.id;
                ui.push_id(id.0, |ui| {
                    egui::Frame::group(ui.style())
                        .fill(if table_layer == Some(id) {
                            ui.visuals().selection.bg_fill.gamma_multiply(0.25)
                        } else {
                            Color32::TRANSPARENT
                        })
                        .show(ui, |ui| {
                            ui.set_width(ui.available_width());
                            ui.horizontal(|ui| {
                                let mut visible = ml.visible;
                                if ui
                                    .checkbox(&mut visible, ml.title())
                                    .on_hover_text(ml.layer.source.path.display().to_string())
                                    .changed()
                                {
                                    commands.push(Command::SetVisible(id, visible));
                                }
                            });
                            ui.horizontal(|ui| {
                                ui.label(
                                    RichText::new(lang.feature_count(ml.layer.features.len()))
                                        .weak()
                                        .small(),
                                );
                                quality_marker_ui(ui, ml, lang);
                                ui.with_layout(
                                    egui::Layout::right_to_left(egui::Align::Center),
                                    |ui| {
                                        if icon_button(ui, true, "✖", lang.t(tx::REMOVE)).clicked()
                                        {
                                            commands.push(Command::RemoveLayer(id));
                                        }
                                        if icon_button(ui, pos > 0, "⏷", lang.t(tx::MOVE_DOWN))
                                            .clicked()
                                        {
                                            commands.push(Command::LowerLayer(id));
                                        }
                                        if icon_button(ui, pos + 1 < n, "⏶", lang.t(tx::MOVE_UP))
                                            .clicked()
                                        {
                                            commands.push(Command::RaiseLayer(id));
                                        }
                                        if icon_button(ui, true, "🔍", lang.t(tx::ZOOM_LAYER))
                                            .clicked()
                                        {
                                            commands.push(Command::ZoomLayer(id));
                                        }
                                        if icon_button(ui, true, "☰", lang.t(tx::OPEN_TABLE))
                                            .clicked()
                                        {
                                            commands.push(Command::ShowTable(id));
                                        }
                                        // A drawing's layers and coordinates (one dialog per
                                        // file).
                                        if ml.layer.source.format == Format::Dxf
                                            && ml.overlay.is_none()
                                            && icon_button(ui, true, "CAD", lang.t(tx::CAD_OPEN))
                                                .clicked()
                                        {
                                            commands.push(Command::CadDialog(
                                                ml.layer.source.path.clone(),
                                            ));
                                        }
                                    },
                                );
                            });
                            if ml.overlay.is_none() {
                                ui.horizontal(|ui| {
                                    let role_label = ui.label(lang.t(tx::ROLE));
                                    let current = ml
                                        .role()
                                        .map_or(lang.t(tx::ROLE_UNKNOWN), |r| lang.role(r));
                                    let mut chosen = ml.role();
                                    egui::ComboBox::from_id_salt(("role", id.0))
                                        .selected_text(current)
                                        .show_ui(ui, |ui| {
                                            ui.selectable_value(
                                                &mut chosen,
                                                None,
                                                lang.t(tx::ROLE_UNKNOWN),
                                            );
                                            for r in Role::ALL {
                                                ui.selectable_value(
                                                    &mut chosen,
                                                    Some(r),
                                                    lang.role(r),
                                                );
                                            }
                                        })
                                        .response
                                        .labelled_by(role_label.id);
                                    if chosen != ml.role() {
                                        commands.push(Command::SetRole(id, chosen));
                                    }
                                    // A population raster of one age group (60+, 3-5, 6-14).
                                    if let Some(b) = ml.layer.age_band {
                                        let band = match lang {
                                            Lang::Zh => b.zh(),
                                            Lang::En => b.to_string(),
                                        };
                                        ui.label(
                                            RichText::new(format!(
                                                "{} {band}",
                                                lang.t(tx::AGE_BAND)
                                            ))
                                            .small(),
                                        );
                                    }
                                });
                            }
                            ui.horizontal(|ui| {
                                let mut opacity = ml.opacity;
                                if ui
                                    .add(
                                        egui::Slider::new(&mut opacity, 0.0..=1.0)
                                            .text(lang.t(tx::OPACITY))
                                            .fixed_decimals(2),
                                    )
                                    .changed()
                                {
                                    commands.push(Command::SetOpacity(id, opacity));
                                }
                            });
                            let entries = ml.legend(&doc.taxonomy);
                            if entries.len() > 1 || entries.iter().any(|e| e.group.is_some()) {
                                for e in entries {
                                    ui.horizontal(|ui| {
                                        ui.add_space(8.0);
                                        swatch_ui(ui, &e.style, ml.kind);
                                        let name = e
                                            .group
                                            .map(|g| lang.group(g))
                                            .unwrap_or_else(|| ml.title());
                                        ui.label(
                                            RichText::new(format!("{name}  {}", e.count)).small(),
                                        );
                                    });
                                }
                            } else {
                                ui.horizontal(|ui| {
                                    ui.add_space(8.0);
                                    swatch_ui(ui, &ml.base_style, ml.kind);
                                    ui.label(
                                        RichText::new(
                                            ml.role()
                                                .map_or(lang.t(tx::ROLE_UNKNOWN), |r| lang.role(r)),
                                        )
                                        .small(),
                                    );
                                });
                            }
                        });
                });
            }
        });
    commands
}

/// A marker beside a layer's feature count when its data was read only partly (red) or with
/// guesses (amber); hovering lists every finding.
fn quality_marker_ui(ui: &mut egui::Ui, ml: &super::doc::MapLayer, lang: Lang) {
    if ml.quality.is_empty() {
        return;
    }
    let (colour, text) = if ml.lost_features() {
        (
            Color32::from_rgb(0xc0, 0x10, 0x30),
            lang.t(tx::DATA_INCOMPLETE),
        )
    } else {
        (
            Color32::from_rgb(0xb0, 0x70, 0x00),
            lang.t(tx::DATA_GUESSED),
        )
    };
    let hover: Vec<String> = ml.quality.iter().map(|q| lang.quality_line(q)).collect();
    ui.label(RichText::new(format!("⚠ {text}")).color(colour).small())
        .on_hover_text(hover.join("\n\n"));
}
