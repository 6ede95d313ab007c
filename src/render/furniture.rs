//! Map furniture: title, legend, scale bar, north arrow and attribution. Each piece is first
//! laid out (so labels can avoid it) and then drawn.

use ab_glyph::FontRef;
use geo_types::Geometry;
use tiny_skia::{FillRule, PathBuilder, Pixmap, Transform};

use super::geom::{draw_symbol, paint, stroke_for, symbol_of};
use super::text::{BoxPx, TextPaint, draw_text, measure};
use super::view::{View, format_distance_m, nice_length_m};
use super::{DrawLayer, PointSymbol, Rgba, Style};

pub const INK: Rgba = Rgba::rgb(0x1a, 0x1a, 0x1a);
pub const MUTED: Rgba = Rgba::rgb(0x44, 0x44, 0x44);
pub const WHITE: Rgba = Rgba::rgb(0xff, 0xff, 0xff);

/// The scale factor of furniture and label sizes: 1 at 1000 px wide (4:3), so text keeps its
/// size relative to the image when a report embeds it at a fixed width.
pub fn ui_scale(width_px: u32, height_px: u32) -> f32 {
    let w = width_px as f32;
    let h = height_px as f32 * 4.0 / 3.0;
    (w.min(h) / 1000.0).clamp(0.8, 4.0)
}

fn text_paint(em_px: f32, colour: Rgba, s: f32) -> TextPaint {
    TextPaint {
        em_px,
        colour,
        halo: Some((WHITE, 1.6 * s)),
    }
}

fn fill_box(pm: &mut Pixmap, b: &BoxPx, fill: Option<Rgba>, stroke: Option<(Rgba, f32)>) {
    let Some(rect) = tiny_skia::Rect::from_ltrb(b.x0, b.y0, b.x1, b.y1) else {
        return;
    };
    let path = PathBuilder::from_rect(rect);
    if let Some(fill) = fill {
        pm.fill_path(
            &path,
            &paint(fill),
            FillRule::Winding,
            Transform::identity(),
            None,
        );
    }
    if let Some((c, w)) = stroke {
        pm.stroke_path(
            &path,
            &paint(c),
            &stroke_for(w, None),
            Transform::identity(),
            None,
        );
    }
}

/// The title block at the top of an image `width_px` wide, drawn when `pm` is given; returns
/// its bottom edge in pixels (the same with or without drawing).
pub fn title_block(
    mut pm: Option<&mut Pixmap>,
    font: &FontRef<'_>,
    width_px: f32,
    title: &str,
    subtitle: Option<&str>,
    top_px: f32,
    s: f32,
) -> f32 {
    let margin = 10.0 * s;
    let mut y = top_px;
    let centred = |text_w: f32| ((width_px - text_w) / 2.0).max(margin);
    if !title.trim().is_empty() {
        let em = 22.0 * s;
        let m = measure(font, title, em);
        if let Some(pm) = pm.as_deref_mut() {
            let p = TextPaint {
                em_px: em,
                colour: INK,
                halo: None,
            };
            draw_text(pm, font, title, centred(m.width_px), y, &p);
        }
        y += m.height_px;
    }
    if let Some(sub) = subtitle.filter(|t| !t.trim().is_empty()) {
        let em = 14.0 * s;
        let m = measure(font, sub, em);
        if let Some(pm) = pm {
            let p = TextPaint {
                em_px: em,
                colour: MUTED,
                halo: None,
            };
            draw_text(pm, font, sub, centred(m.width_px), y + 2.0 * s, &p);
        }
        y += m.height_px + 2.0 * s;
    }
    y
}

/// What a legend row shows as its symbol.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SwatchKind {
    Point,
    Line,
    Area,
}

fn kind_of_geometry(g: &Geometry<f64>) -> Option<SwatchKind> {
    match g {
        Geometry::Point(_) | Geometry::MultiPoint(_) => Some(SwatchKind::Point),
        Geometry::Line(_) | Geometry::LineString(_) | Geometry::MultiLineString(_) => {
            Some(SwatchKind::Line)
        }
        Geometry::Polygon(_)
        | Geometry::MultiPolygon(_)
        | Geometry::Rect(_)
        | Geometry::Triangle(_) => Some(SwatchKind::Area),
        Geometry::GeometryCollection(gc) => gc.0.iter().find_map(kind_of_geometry),
    }
}

/// The legend symbol of a layer: from its first item's geometry, else from its style.
pub fn swatch_kind(layer: &DrawLayer) -> SwatchKind {
    layer
        .items
        .iter()
        .find_map(|i| kind_of_geometry(&i.geometry))
        .unwrap_or(if layer.style.point.is_some() {
            SwatchKind::Point
        } else if layer.style.fill.is_some() {
            SwatchKind::Area
        } else {
            SwatchKind::Line
        })
}

/// A laid-out legend: its box and rows (label, style, kind).
pub struct Legend<'a> {
    pub frame: BoxPx,
    /// 图例 or Legend: the map's language.
    title: String,
    rows: Vec<(String, &'a Style, SwatchKind)>,
    title_em: f32,
    row_em: f32,
    pad: f32,
    row_h: f32,
    swatch_w: f32,
    swatch_h: f32,
}

impl Legend<'_> {
    /// The legend's title as drawn.
    pub fn title(&self) -> &str {
        &self.title
    }
}

/// Lay out the legend in the bottom-right corner of `map`; None when no layer is in the legend
/// or it does not fit.
pub fn layout_legend<'a>(
    font: &FontRef<'_>,
    title_text: &str,
    layers: &'a [super::DrawLayer],
    map: &BoxPx,
    s: f32,
) -> Option<Legend<'a>> {
    let mut rows: Vec<(String, &Style, SwatchKind)> = layers
        .iter()
        .filter(|l| l.in_legend)
        .map(|l| (l.label.clone(), &l.style, swatch_kind(l)))
        .collect();
    if rows.is_empty() {
        return None;
    }
    let (title_em, row_em) = (13.0 * s, 12.0 * s);
    let pad = 8.0 * s;
    let (swatch_w, swatch_h) = (26.0 * s, 13.0 * s);
    let title = measure(font, title_text, title_em);
    let row_text_h = measure(font, "图", row_em).height_px;
    let row_h = row_text_h.max(swatch_h) + 3.0 * s;
    let inset = 10.0 * s;
    let max_h = (map.y1 - map.y0) - 2.0 * inset - 60.0 * s;
    let fixed_h = 2.0 * pad + title.height_px + 3.0 * s;
    let fit = ((max_h - fixed_h) / row_h).floor().max(0.0) as usize;
    if fit == 0 {
        return None;
    }
    if rows.len() > fit {
        let hidden = rows.len() + 1 - fit;
        rows.truncate(fit - 1);
        // The last visible row says how many layers were left out.
        static NONE: Style = Style {
            fill: None,
            stroke: None,
            stroke_width_px: 0.0,
            dash: None,
            point: None,
        };
        rows.push((format!("…另 {hidden} 项"), &NONE, SwatchKind::Line));
    }
    let text_w = rows
        .iter()
        .map(|(t, _, _)| measure(font, t, row_em).width_px)
        .fold(0.0f32, f32::max);
    let w = (2.0 * pad + swatch_w + 8.0 * s + text_w).max(2.0 * pad + title.width_px);
    let h = fixed_h + rows.len() as f32 * row_h;
    if w > (map.x1 - map.x0) * 0.7 {
        return None;
    }
    let frame = BoxPx::new(map.x1 - inset - w, map.y1 - inset - h, w, h);
    Some(Legend {
        frame,
        title: title_text.to_string(),
        rows,
        title_em,
        row_em,
        pad,
        row_h,
        swatch_w,
        swatch_h,
    })
}

/// Draw a laid-out legend.
pub fn draw_legend(pm: &mut Pixmap, font: &FontRef<'_>, lg: &Legend<'_>, s: f32) {
    let b = &lg.frame;
    fill_box(
        pm,
        b,
        Some(WHITE.with_alpha(235)),
        Some((Rgba::rgb(0x88, 0x88, 0x88), 1.0)),
    );
    let title_p = TextPaint {
        em_px: lg.title_em,
        colour: INK,
        halo: None,
    };
    let tm = measure(font, &lg.title, lg.title_em);
    draw_text(pm, font, &lg.title, b.x0 + lg.pad, b.y0 + lg.pad, &title_p);
    let row_p = TextPaint {
        em_px: lg.row_em,
        colour: INK,
        halo: None,
    };
    let row_text_h = measure(font, "图", lg.row_em).height_px;
    let mut y = b.y0 + lg.pad + tm.height_px + 3.0 * s;
    for (label, style, kind) in &lg.rows {
        let cy = y + lg.row_h / 2.0;
        let sx = b.x0 + lg.pad;
        draw_swatch(pm, style, *kind, sx, cy, lg.swatch_w, lg.swatch_h);
        draw_text(
            pm,
            font,
            label,
            sx + lg.swatch_w + 8.0 * s,
            cy - row_text_h / 2.0,
            &row_p,
        );
        y += lg.row_h;
    }
}

fn draw_swatch(pm: &mut Pixmap, style: &Style, kind: SwatchKind, x: f32, cy: f32, w: f32, h: f32) {
    match kind {
        SwatchKind::Area => {
            let b = BoxPx::new(x, cy - h / 2.0, w, h);
            if let Some(f) = style.fill {
                fill_box(pm, &b, Some(f), None);
            }
            if let Some(st) = style.stroke {
                let Some(rect) = tiny_skia::Rect::from_ltrb(b.x0, b.y0, b.x1, b.y1) else {
                    return;
                };
                pm.stroke_path(
                    &PathBuilder::from_rect(rect),
                    &paint(st),
                    &stroke_for(style.stroke_width_px.clamp(1.0, 3.0), style.dash.as_deref()),
                    Transform::identity(),
                    None,
                );
            }
        }
        SwatchKind::Line => {
            let Some(c) = style.stroke.or(style.fill) else {
                return;
            };
            let mut pb = PathBuilder::new();
            pb.move_to(x + 1.0, cy);
            pb.line_to(x + w - 1.0, cy);
            if let Some(path) = pb.finish() {
                pm.stroke_path(
                    &path,
                    &paint(c),
                    &stroke_for(style.stroke_width_px.min(h), style.dash.as_deref()),
                    Transform::identity(),
                    None,
                );
            }
        }
        SwatchKind::Point => {
            let sym = symbol_of(style);
            let sym = PointSymbol {
                size_px: sym.size_px.min(h * 1.3),
                ..sym
            };
            draw_symbol(pm, &sym, x + w / 2.0, cy);
        }
    }
}

/// A laid-out scale bar.
pub struct ScaleBar {
    pub frame: BoxPx,
    /// The length the bar shows, a "nice" number of metres.
    pub length_m: f64,
    bar: BoxPx,
    label_em: f32,
}

/// Lay out a scale bar at the bottom-left of `map`, at most a quarter of the map wide, above
/// `bottom_px` (the attribution line's top).
pub fn layout_scale_bar(
    font: &FontRef<'_>,
    view: &View,
    map: &BoxPx,
    bottom_px: f32,
    s: f32,
) -> Option<ScaleBar> {
    let max_px = (map.x1 - map.x0) as f64 * 0.25;
    let length_m = nice_length_m(max_px / view.px_per_m)?;
    let len_px = (length_m * view.px_per_m) as f32;
    if len_px < 10.0 {
        return None;
    }
    let label_em = 12.0 * s;
    let end = measure(font, &format_distance_m(length_m), label_em);
    let bar_h = 6.0 * s;
    let x = map.x0 + 12.0 * s;
    let bar = BoxPx::new(x, bottom_px - 6.0 * s - bar_h, len_px, bar_h);
    let frame = BoxPx {
        x0: x - 6.0 * s,
        y0: bar.y0 - end.height_px - 2.0 * s,
        x1: bar.x1 + end.width_px / 2.0 + 2.0 * s,
        y1: bar.y1 + 2.0 * s,
    };
    Some(ScaleBar {
        frame,
        length_m,
        bar,
        label_em,
    })
}

/// Draw a laid-out scale bar: two halves, black and white, "0" and the length above its ends.
pub fn draw_scale_bar(pm: &mut Pixmap, font: &FontRef<'_>, sb: &ScaleBar, s: f32) {
    let b = &sb.bar;
    let mid = (b.x0 + b.x1) / 2.0;
    fill_box(pm, &BoxPx { x1: mid, ..*b }, Some(INK), None);
    fill_box(pm, &BoxPx { x0: mid, ..*b }, Some(WHITE), None);
    fill_box(pm, b, None, Some((INK, (1.0 * s).max(1.0))));
    let p = text_paint(sb.label_em, INK, s);
    let end_label = format_distance_m(sb.length_m);
    let zero = measure(font, "0", sb.label_em);
    let end = measure(font, &end_label, sb.label_em);
    let y = b.y0 - end.height_px - 1.0 * s;
    draw_text(pm, font, "0", b.x0 - zero.width_px / 2.0, y, &p);
    draw_text(pm, font, &end_label, b.x1 - end.width_px / 2.0, y, &p);
}

/// The box of the north arrow at the top-right of `map`.
pub fn layout_north_arrow(font: &FontRef<'_>, map: &BoxPx, s: f32) -> BoxPx {
    let n = measure(font, "N", 14.0 * s);
    let w = 18.0 * s;
    let h = n.height_px + 32.0 * s;
    BoxPx::new(map.x1 - 14.0 * s - w, map.y0 + 10.0 * s, w, h)
}

/// Draw a north arrow in its box: "N" over a split arrowhead (grid north: up is north in the
/// working CRS).
pub fn draw_north_arrow(pm: &mut Pixmap, font: &FontRef<'_>, b: &BoxPx, s: f32) {
    let em = 14.0 * s;
    let n = measure(font, "N", em);
    let cx = (b.x0 + b.x1) / 2.0;
    draw_text(
        pm,
        font,
        "N",
        cx - n.width_px / 2.0,
        b.y0,
        &text_paint(em, INK, s),
    );
    let top = b.y0 + n.height_px + 1.0 * s;
    let bottom = b.y1;
    let half_w = (b.x1 - b.x0) / 2.0;
    let notch = bottom - (bottom - top) * 0.28;
    let tri = |pts: [(f32, f32); 3]| {
        let mut pb = PathBuilder::new();
        pb.move_to(pts[0].0, pts[0].1);
        pb.line_to(pts[1].0, pts[1].1);
        pb.line_to(pts[2].0, pts[2].1);
        pb.close();
        pb.finish()
    };
    let id = Transform::identity();
    if let Some(left) = tri([(cx, top), (cx - half_w, bottom), (cx, notch)]) {
        pm.fill_path(&left, &paint(INK), FillRule::Winding, id, None);
    }
    if let Some(right) = tri([(cx, top), (cx, notch), (cx + half_w, bottom)]) {
        pm.fill_path(&right, &paint(WHITE), FillRule::Winding, id, None);
    }
    let mut pb = PathBuilder::new();
    pb.move_to(cx, top);
    pb.line_to(cx + half_w, bottom);
    pb.line_to(cx, notch);
    pb.line_to(cx - half_w, bottom);
    pb.close();
    if let Some(outline) = pb.finish() {
        pm.stroke_path(
            &outline,
            &paint(INK),
            &stroke_for((1.2 * s).max(1.0), None),
            id,
            None,
        );
    }
}

/// The box of the attribution line at the bottom-left of `map`.
pub fn layout_attribution(font: &FontRef<'_>, text: &str, map: &BoxPx, s: f32) -> BoxPx {
    let m = measure(font, text, 10.0 * s);
    BoxPx::new(
        map.x0 + 6.0 * s,
        map.y1 - 4.0 * s - m.height_px,
        m.width_px,
        m.height_px,
    )
}

/// Draw the attribution line in its box.
pub fn draw_attribution(pm: &mut Pixmap, font: &FontRef<'_>, text: &str, b: &BoxPx, s: f32) {
    draw_text(pm, font, text, b.x0, b.y0, &text_paint(10.0 * s, MUTED, s));
}

/// A thin border around the map frame.
pub fn draw_frame_border(pm: &mut Pixmap, map: &BoxPx) {
    let b = BoxPx {
        x0: map.x0 - 0.5,
        y0: map.y0 - 0.5,
        x1: map.x1 + 0.5,
        y1: map.y1 + 0.5,
    };
    fill_box(pm, &b, None, Some((Rgba::rgb(0x66, 0x66, 0x66), 1.0)));
}
