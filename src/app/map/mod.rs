//! The map canvas: pan (drag, arrow keys), zoom (wheel, +/-, box zoom), pick, hover, overlays.

pub mod basemap;
pub mod cache;
pub mod doc;
pub mod draw;
pub mod pick;
pub mod style;
pub mod view;

use std::time::Instant;

use egui::{Color32, Key, Pos2, Rect, Sense, Shape, Stroke, StrokeKind, vec2};
use geo_types::Coord;

use super::Command;
use super::doc::{Document, MapLabel, Selection};
use super::i18n::{Lang, tx};
use crate::crs::Transformer;
use crate::model::{AttrValue, GeometryKind};
use draw::{BUILD_BUDGET, DrawLayer, DrawStats, highlight_shapes, layer_shapes};
use view::MapView;

/// What a click or drag on the map does while a scenario is shown.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EditTool {
    /// A click adds a facility of the chosen category.
    Add,
    /// A drag moves a facility.
    Move,
    /// A click removes a facility.
    Remove,
    /// A click gives a facility the chosen category.
    Recategorize,
}

/// The map's interaction state (not persisted).
#[derive(Debug, Default)]
pub struct MapState {
    pub view: MapView,
    /// The box-zoom tool is on: a drag draws a box instead of panning.
    pub box_zoom_tool: bool,
    /// Where a box-zoom drag started.
    drag_box_start: Option<Pos2>,
    /// The rectangle the map was last drawn in.
    pub rect: Option<Rect>,
    /// Fit the town into the view at the next frame (after loading).
    pub fit_town_pending: bool,
    /// The world point under the pointer.
    pub cursor_world: Option<Coord<f64>>,
    pub hover: Option<Selection>,
    pub last_stats: DrawStats,
    /// Leave out the pointer's hover mark and coordinates (a frame being exported).
    pub clean: bool,
    /// Show the legend over the map (on by default).
    pub hide_legend: bool,
    /// The optional online basemap (off by default).
    pub basemap: basemap::Basemap,
    /// Shapes outlined on the map besides the selection (a ten-ones item's failing places).
    pub highlights: Vec<geo_types::Geometry<f64>>,
    /// A scenario edit tool: clicks and drags edit facilities instead of selecting and panning.
    pub edit_tool: Option<EditTool>,
    /// The facilities the edit tools can pick (working CRS).
    pub edit_targets: Vec<(crate::access::live::FacilityKey, [f64; 2])>,
    /// The facility being dragged by the Move tool.
    dragging: Option<crate::access::live::FacilityKey>,
}

impl MapState {
    /// The edit target nearest `at` within `tolerance_m`.
    fn edit_target(
        &self,
        at: Coord<f64>,
        tolerance_m: f64,
    ) -> Option<crate::access::live::FacilityKey> {
        self.edit_targets
            .iter()
            .map(|(k, xy)| (*k, (xy[0] - at.x).hypot(xy[1] - at.y)))
            .filter(|(_, d)| *d <= tolerance_m)
            .min_by(|a, b| a.1.total_cmp(&b.1))
            .map(|(k, _)| k)
    }

    /// Scenario editing: a click adds, removes or re-categorises; a drag moves a facility.
    /// Returns whether the input was taken (no panning or selecting then).
    fn edit_input(
        &mut self,
        response: &egui::Response,
        rect: Rect,
        commands: &mut Vec<Command>,
    ) -> bool {
        let Some(tool) = self.edit_tool else {
            self.dragging = None;
            return false;
        };
        let tolerance_m = 8.0 * self.view.m_per_pt;
        let world = |p: Option<Pos2>| p.map(|p| self.view.to_world(rect, p));
        match tool {
            EditTool::Add | EditTool::Remove | EditTool::Recategorize => {
                if response.clicked()
                    && let Some(w) = world(response.interact_pointer_pos())
                {
                    match tool {
                        EditTool::Add => commands.push(Command::ScenarioAdd([w.x, w.y])),
                        EditTool::Remove => {
                            if let Some(k) = self.edit_target(w, tolerance_m) {
                                commands.push(Command::ScenarioRemove(k));
                            }
                        }
                        _ => {
                            if let Some(k) = self.edit_target(w, tolerance_m) {
                                commands.push(Command::ScenarioRecategorize(k));
                            }
                        }
                    }
                }
                // Dragging still pans with these tools.
                response.clicked()
            }
            EditTool::Move => {
                // Where the button went down, not where the drag was recognised (a few points on).
                if response.drag_started()
                    && let Some(w) = world(response.ctx.input(|i| i.pointer.press_origin()))
                {
                    self.dragging = self.edit_target(w, tolerance_m);
                }
                if response.drag_stopped()
                    && let Some(k) = self.dragging.take()
                    && let Some(w) = world(response.interact_pointer_pos())
                {
                    commands.push(Command::ScenarioMove(k, [w.x, w.y]));
                    return true;
                }
                self.dragging.is_some()
            }
        }
    }
}

/// The legend rows of the visible layers: facility groups first (counts summed over the
/// facility layers), then the other layers, top layer first.
pub fn legend_rows(doc: &Document, lang: Lang) -> Vec<draw::LegendRow> {
    let mut groups: Vec<(&'static str, style::FeatureStyle, GeometryKind, usize)> = Vec::new();
    let mut others = Vec::new();
    for ml in doc
        .layers
        .iter()
        .rev()
        .filter(|l| l.visible && l.opacity > 0.0)
    {
        for e in ml.legend(&doc.taxonomy) {
            if e.count == 0 {
                continue;
            }
            match e.group {
                Some(g) => match groups.iter_mut().find(|(k, ..)| *k == g) {
                    Some(row) => row.3 += e.count,
                    None => groups.push((g, e.style, ml.kind, e.count)),
                },
                None => others.push(draw::LegendRow {
                    label: ml.title(),
                    style: e.style,
                    kind: ml.kind,
                }),
            }
        }
    }
    let order = |g: &str| style::GROUPS.iter().position(|s| s.group == g);
    groups.sort_by_key(|(g, ..)| order(g));
    let mut rows: Vec<draw::LegendRow> = groups
        .into_iter()
        .map(|(g, style, kind, n)| draw::LegendRow {
            label: format!("{} ({n})", lang.group(g)),
            style,
            kind,
        })
        .collect();
    rows.extend(others);
    rows.truncate(18);
    rows
}

/// Names that usually hold a feature's name, for tooltips.
const NAME_FIELDS: &[&str] = &["名称", "name", "NAME", "设施名称", "村名", "名字", "mc"];

/// A one-line description of a feature: its name (or source id) and category.
pub fn feature_label(doc: &Document, sel: Selection, lang: Lang) -> Option<String> {
    let ml = doc.get(sel.layer)?;
    let f = ml.layer.features.get(sel.feature)?;
    let name = NAME_FIELDS
        .iter()
        .find_map(|n| {
            ml.layer
                .attr(f, n)
                .and_then(AttrValue::as_text)
                .map(|s| s.into_owned())
        })
        .filter(|s| !s.trim().is_empty())
        .unwrap_or_else(|| f.source_id.to_string());
    let cat = f
        .category
        .and_then(|c| doc.taxonomy.get(c))
        .map(|c| match lang {
            Lang::Zh => c.zh.clone(),
            Lang::En => c.en.clone(),
        });
    Some(match cat {
        Some(c) => format!("{name} · {c}"),
        None => format!("{name} · {}", ml.title()),
    })
}

/// A gap's population as written on the map: 420 人 / 420 people.
pub fn gap_label(people: f64, lang: Lang) -> String {
    format!("{people:.0} {}", lang.t(tx::PEOPLE))
}

/// Labels of visible overlays (a gap's population) at their points, boxed for legibility.
fn paint_overlay_labels(
    painter: &egui::Painter,
    doc: &Document,
    view: &view::MapView,
    rect: Rect,
    lang: Lang,
) {
    for ml in doc.layers.iter().filter(|l| l.visible && l.opacity > 0.0) {
        let Some(o) = &ml.overlay else { continue };
        for ([x, y], label) in o.labels.iter().take(200) {
            let mut p = view.to_screen(rect, Coord { x: *x, y: *y });
            if !rect.contains(p) {
                continue;
            }
            let text = match label {
                MapLabel::People(people) => gap_label(*people, lang),
                MapLabel::Site { rank, people } => {
                    // Beside the marker, not over it.
                    p += vec2(0.0, -18.0);
                    format!("{rank}  +{}", gap_label(*people, lang))
                }
            };
            let galley = painter.layout_no_wrap(
                text,
                egui::FontId::proportional(12.0),
                Color32::from_rgb(0x6b, 0x1d, 0x00),
            );
            let min = p - galley.size() / 2.0;
            painter.rect_filled(
                Rect::from_min_size(min - vec2(3.0, 1.0), galley.size() + vec2(6.0, 2.0)),
                3.0,
                Color32::from_white_alpha(200),
            );
            painter.galley(min, galley, Color32::from_rgb(0x6b, 0x1d, 0x00));
        }
    }
}

impl MapState {
    /// Fit `extent` now if the map's size is known, else at the next frame.
    pub fn fit(&mut self, extent: Option<geo_types::Rect<f64>>) {
        if let (Some(rect), Some(ext)) = (self.rect, extent) {
            self.view.fit(rect, ext);
        }
    }

    /// Draw the map in the rest of `ui` and handle its input.
    pub fn ui(
        &mut self,
        ui: &mut egui::Ui,
        doc: &mut Document,
        lang: Lang,
        to_wgs84: Option<&Transformer>,
    ) -> Vec<Command> {
        let mut commands = Vec::new();
        let (rect, response) = ui.allocate_exact_size(ui.available_size(), Sense::click_and_drag());
        let first_frame = self.rect.is_none();
        self.rect = Some(rect);
        if (first_frame || self.fit_town_pending)
            && let Some(ext) = doc.town_extent()
        {
            self.view.fit(rect, ext);
            self.fit_town_pending = false;
        }

        // Input.
        let pointer = response.hover_pos();
        let shift = ui.input(|i| i.modifiers.shift);
        let boxing = self.box_zoom_tool || shift;
        let editing = self.edit_input(&response, rect, &mut commands);
        if response.drag_started() && boxing {
            self.drag_box_start = response.interact_pointer_pos();
        }
        if response.dragged() && self.drag_box_start.is_none() && self.dragging.is_none() {
            self.view.pan(response.drag_delta());
        }
        if response.drag_stopped()
            && let (Some(a), Some(b)) =
                (self.drag_box_start.take(), response.interact_pointer_pos())
        {
            self.view.zoom_to_box(rect, a, b);
            self.box_zoom_tool = false;
        }
        if let Some(p) = pointer {
            let (scroll, zoom) = ui.input(|i| (i.smooth_scroll_delta.y, i.zoom_delta()));
            let factor = f64::from(zoom) * (f64::from(scroll) * 0.003).exp();
            if (factor - 1.0).abs() > 1e-4 {
                self.view.zoom_about(rect, p, factor);
            }
        }
        if !ui.ctx().egui_wants_keyboard_input() {
            let step = 0.1 * rect.width().min(rect.height());
            ui.input(|i| {
                let mut d = egui::Vec2::ZERO;
                if i.key_pressed(Key::ArrowLeft) {
                    d.x += step;
                }
                if i.key_pressed(Key::ArrowRight) {
                    d.x -= step;
                }
                if i.key_pressed(Key::ArrowUp) {
                    d.y += step;
                }
                if i.key_pressed(Key::ArrowDown) {
                    d.y -= step;
                }
                if d != egui::Vec2::ZERO {
                    self.view.pan(d);
                }
                if i.key_pressed(Key::Plus) || i.key_pressed(Key::Equals) {
                    self.view.zoom_about(rect, rect.center(), 1.5);
                }
                if i.key_pressed(Key::Minus) {
                    self.view.zoom_about(rect, rect.center(), 1.0 / 1.5);
                }
            });
        }
        self.cursor_world = pointer.map(|p| self.view.to_world(rect, p));
        let pick_tolerance_m = 5.0 * self.view.m_per_pt;
        self.hover = if response.dragged() || self.clean {
            None
        } else {
            self.cursor_world
                .and_then(|w| doc.pick(w, pick_tolerance_m))
        };
        if response.clicked() && !boxing && !editing {
            commands.push(Command::Select {
                selection: self.hover,
                zoom: false,
            });
        }

        // Layers.
        let painter = ui.painter_at(rect);
        painter.rect_filled(rect, 0.0, Color32::from_rgb(0xf4, 0xf3, 0xef));
        let ppp = ui.ctx().pixels_per_point();
        let deadline = Some(Instant::now() + BUILD_BUDGET);
        let mut shapes: Vec<Shape> = Vec::new();
        self.basemap.shapes(
            ui.ctx(),
            doc.working_crs.as_ref(),
            &self.view,
            rect,
            &mut shapes,
        );
        let mut stats = DrawStats::default();
        let taxonomy = &doc.taxonomy;
        for ml in doc
            .layers
            .iter_mut()
            .filter(|l| l.visible && l.opacity > 0.0)
        {
            let s = layer_shapes(
                ui.ctx(),
                DrawLayer {
                    layer: &ml.layer,
                    role: ml.layer.role,
                    base_style: ml.base_style,
                    prepared: &ml.prepared,
                    meshes: &mut ml.meshes,
                    opacity: ml.opacity,
                },
                taxonomy,
                &self.view,
                rect,
                ppp,
                deadline,
                &mut shapes,
            );
            stats.chunks_drawn += s.chunks_drawn;
            stats.chunks_built += s.chunks_built;
            stats.vertices += s.vertices;
            stats.pending += s.pending;
            stats.images_drawn += s.images_drawn;
        }
        self.last_stats = stats;
        if stats.pending > 0 {
            ui.ctx().request_repaint();
        }
        painter.extend(shapes);

        // Selection and hover.
        let mut marks = Vec::new();
        if let Some(sel) = doc.selection
            && let Some(f) = doc
                .get(sel.layer)
                .and_then(|l| l.layer.features.get(sel.feature))
        {
            highlight_shapes(
                &f.geometry,
                &self.view,
                rect,
                Color32::from_rgb(0x00, 0xe5, 0xff),
                &mut marks,
            );
        }
        if let Some(h) = self.hover
            && Some(h) != doc.selection
            && let Some(f) = doc
                .get(h.layer)
                .and_then(|l| l.layer.features.get(h.feature))
        {
            highlight_shapes(
                &f.geometry,
                &self.view,
                rect,
                Color32::from_rgb(0xff, 0xd7, 0x00),
                &mut marks,
            );
        }
        for g in &self.highlights {
            highlight_shapes(
                g,
                &self.view,
                rect,
                Color32::from_rgb(0xff, 0x2d, 0x95),
                &mut marks,
            );
        }
        painter.extend(marks);
        paint_overlay_labels(&painter, doc, &self.view, rect, lang);

        // Box zoom.
        if let (Some(a), Some(b)) = (self.drag_box_start, response.interact_pointer_pos()) {
            let r = Rect::from_two_pos(a, b);
            painter.rect(
                r,
                0.0,
                Color32::from_rgba_unmultiplied(30, 120, 220, 40),
                Stroke::new(1.5, Color32::from_rgb(30, 120, 220)),
                StrokeKind::Middle,
            );
        }

        // Overlays.
        if !self.hide_legend {
            draw::paint_legend(&painter, lang.t(tx::LEGEND), &legend_rows(doc, lang), rect);
        }
        draw::paint_scale_bar(&painter, &self.view, rect);
        self.basemap.paint_attribution(&painter, rect);
        if !self.clean {
            let corner = Rect::from_min_size(rect.left_top() + vec2(8.0, 8.0), vec2(120.0, 24.0));
            ui.scope_builder(egui::UiBuilder::new().max_rect(corner), |ui| {
                let zh = lang == Lang::Zh;
                ui.menu_button(if zh { "底图" } else { "Basemap" }, |ui| {
                    self.basemap.settings_ui(ui, zh);
                });
            });
        }
        draw::paint_north_arrow(&painter, lang.t(tx::NORTH), rect);
        if let Some(w) = self.cursor_world.filter(|_| !self.clean) {
            let mut text = format!("x {:.1}  y {:.1} m", w.x, w.y);
            if let Some(t) = to_wgs84
                && let Ok(ll) = t.coord(w)
            {
                text = format!("{:.6}°E  {:.6}°N   |   {text}", ll.x, ll.y);
            }
            let galley =
                painter.layout_no_wrap(text, egui::FontId::monospace(12.0), Color32::from_gray(20));
            let pos = rect.right_bottom() - galley.size() - vec2(10.0, 8.0);
            painter.rect_filled(
                Rect::from_min_size(pos - vec2(5.0, 3.0), galley.size() + vec2(10.0, 6.0)),
                3.0,
                Color32::from_white_alpha(210),
            );
            painter.galley(pos, galley, Color32::from_gray(20));
        }
        let hovering_files = ui.ctx().input(|i| !i.raw.hovered_files.is_empty());
        if hovering_files {
            painter.rect_filled(rect, 0.0, Color32::from_black_alpha(120));
            painter.text(
                rect.center(),
                egui::Align2::CENTER_CENTER,
                lang.t(tx::DROP_HERE),
                egui::FontId::proportional(22.0),
                Color32::WHITE,
            );
        }
        if doc.layers.is_empty() {
            painter.text(
                rect.center(),
                egui::Align2::CENTER_CENTER,
                lang.t(tx::NO_LAYERS),
                egui::FontId::proportional(16.0),
                Color32::from_gray(90),
            );
        }

        // Scenario editing: the facility being dragged follows the pointer; the pointer shows
        // the tool.
        if self.edit_tool.is_some() && response.hovered() {
            ui.ctx().set_cursor_icon(match self.edit_tool {
                Some(EditTool::Move) => egui::CursorIcon::Grab,
                _ => egui::CursorIcon::Crosshair,
            });
        }
        if self.dragging.is_some()
            && let Some(p) = response.interact_pointer_pos()
        {
            painter.circle(
                p,
                7.0,
                Color32::from_rgba_unmultiplied(0x1f, 0x6f, 0xd1, 160),
                egui::Stroke::new(1.5, Color32::WHITE),
            );
        }

        // Tooltip.
        if let Some(h) = self.hover
            && self.drag_box_start.is_none()
            && let Some(label) = feature_label(doc, h, lang)
        {
            response.on_hover_ui_at_pointer(|ui| {
                ui.label(label);
            });
        }
        commands
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::app::doc::PreparedLayer;
    use crate::io::synth;
    use crate::model::Role;

    #[test]
    fn legend_sums_a_group_over_facility_layers_and_lists_other_layers() {
        let mut doc = Document::default();
        for (n, role) in [
            (30, Role::Facilities),
            (12, Role::Facilities),
            (5, Role::Roads),
        ] {
            let mut l = synth::points(n, n as u64);
            l.name = format!("layer{n}");
            l.role = Some(role);
            doc.add(PreparedLayer::new(l));
        }
        let rows = legend_rows(&doc, Lang::Zh);
        let labels: Vec<&str> = rows.iter().map(|r| r.label.as_str()).collect();
        assert_eq!(labels, vec!["未分类 (42)", "layer5"]);
        if let Some(l) = doc.layers.iter_mut().find(|l| l.layer.name == "layer30") {
            l.visible = false;
        }
        assert_eq!(legend_rows(&doc, Lang::En)[0].label, "Unclassified (12)");
    }
}
