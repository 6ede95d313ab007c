//! Drawing the cached meshes: per frame, only cull chunks, move their vertices by one affine
//! (scale + translation) and hand them to egui. Missing meshes are built within a time budget,
//! the nearest other zoom level's mesh standing in meanwhile.

use std::sync::Arc;
use std::time::{Duration, Instant};

use egui::epaint::Vertex;
use egui::{Color32, Mesh, Pos2, Rect, Shape, Stroke, pos2, vec2};
use geo_types::{Coord, Geometry, LineString};
use rayon::prelude::*;

use super::cache::symbol_outline;
use super::cache::{
    BuiltChunk, ChunkDrawing, ChunkTessellator, LayerMeshes, Prepared, bucket_m_per_pt, bucket_of,
    finish_chunk, intersects,
};
use super::style::{FeatureStyle, Symbol, feature_style};
use super::view::MapView;
use crate::model::{Feature, GeometryKind, Layer, Role, Taxonomy};

/// What one layer needs to be drawn.
pub struct DrawLayer<'a> {
    pub layer: &'a Layer,
    pub role: Option<Role>,
    pub base_style: FeatureStyle,
    pub prepared: &'a Prepared,
    pub meshes: &'a mut LayerMeshes,
    pub opacity: f32,
}

/// Counts from drawing one frame.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct DrawStats {
    pub chunks_drawn: usize,
    pub chunks_built: usize,
    pub vertices: usize,
    /// Chunks not shown at the right detail yet: ask for another frame.
    pub pending: usize,
    /// Chunks drawn as one textured quad (their dense mesh rasterized once).
    pub images_drawn: usize,
}

/// A copy of `mesh` moved to the screen: `screen = offset + local × scale`, colours faded by
/// `opacity`.
pub fn transformed(mesh: &Mesh, offset: egui::Vec2, scale: f32, opacity: f32) -> Mesh {
    let fade = opacity < 0.999;
    let vertices = mesh
        .vertices
        .iter()
        .map(|v| Vertex {
            pos: pos2(offset.x + v.pos.x * scale, offset.y + v.pos.y * scale),
            uv: v.uv,
            color: if fade {
                v.color.gamma_multiply(opacity)
            } else {
                v.color
            },
        })
        .collect();
    Mesh {
        indices: mesh.indices.clone(),
        vertices,
        texture_id: mesh.texture_id,
    }
}

/// Largest side of a chunk's raster, pixels (also bounded by the renderer's limit).
const MAX_RASTER_SIDE_PX: usize = 4096;

/// Append the shapes of `layer` as seen through `view` in `screen` to `out`. Builds missing
/// meshes until `deadline` (all of them when None); a mesh denser than its pixels is
/// rasterized once into a texture made with `ctx`.
#[allow(clippy::too_many_arguments)]
pub fn layer_shapes(
    ctx: &egui::Context,
    l: DrawLayer<'_>,
    taxonomy: &Taxonomy,
    view: &MapView,
    screen: Rect,
    pixels_per_point: f32,
    deadline: Option<Instant>,
    out: &mut Vec<Shape>,
) -> DrawStats {
    let mut stats = DrawStats::default();
    let prepared = l.prepared;
    let visible = view.visible(screen);
    let bucket = bucket_of(view.m_per_pt);
    let n_chunks = prepared.chunks.len();
    let wanted: Vec<usize> = prepared
        .chunks
        .iter()
        .enumerate()
        .filter(|(_, c)| intersects(&c.bbox, &visible))
        .map(|(k, _)| k)
        .collect();
    if wanted.is_empty() {
        return stats;
    }
    l.meshes.touch(bucket, pixels_per_point, n_chunks);

    // Build what is missing, a batch at a time in parallel, while the budget lasts.
    let missing: Vec<usize> = wanted
        .iter()
        .copied()
        .filter(|&k| l.meshes.get(bucket, pixels_per_point, k).is_none())
        .collect();
    if !missing.is_empty() {
        let role = l.role;
        let base = l.base_style;
        let layer = l.layer;
        let style = move |f: &Feature| feature_style(base, role, taxonomy, layer, f);
        let batch = rayon::current_num_threads().max(1) * 2;
        for group in missing.chunks(batch) {
            if deadline.is_some_and(|d| Instant::now() >= d) {
                stats.pending += missing.len() - stats.chunks_built;
                break;
            }
            let px_per_m = (f64::from(pixels_per_point) / bucket_m_per_pt(bucket)) as f32;
            let max_side = ctx.input(|i| i.max_texture_side).min(MAX_RASTER_SIDE_PX);
            let built: Vec<(usize, BuiltChunk)> = group
                .par_iter()
                .map(|&k| {
                    let mut t =
                        ChunkTessellator::new(prepared.origin, bucket, pixels_per_point, &style);
                    let mesh = t.chunk(l.layer, prepared, &prepared.chunks[k]);
                    (k, finish_chunk(mesh, px_per_m, max_side))
                })
                .collect();
            for (k, chunk) in built {
                let drawing = match chunk {
                    BuiltChunk::Mesh(m) => ChunkDrawing::Mesh(Arc::new(m)),
                    BuiltChunk::Pixels(image, rect_local) => ChunkDrawing::Image {
                        texture: ctx.load_texture("map-chunk", image, egui::TextureOptions::LINEAR),
                        rect_local,
                    },
                };
                l.meshes
                    .insert(bucket, pixels_per_point, n_chunks, k, drawing);
                stats.chunks_built += 1;
            }
        }
    }

    // Move the meshes on screen.
    let offset = view.to_screen(screen, prepared.origin).to_vec2();
    let scale = (1.0 / view.m_per_pt) as f32;
    let drawings: Vec<ChunkDrawing> = wanted
        .iter()
        .filter_map(|&k| {
            l.meshes
                .get(bucket, pixels_per_point, k)
                .or_else(|| l.meshes.nearest(bucket, k))
                .cloned()
        })
        .collect();
    let tint = Color32::WHITE.gamma_multiply(l.opacity.clamp(0.0, 1.0));
    let uv = Rect::from_min_max(Pos2::ZERO, pos2(1.0, 1.0));
    let mut meshes: Vec<Arc<Mesh>> = Vec::with_capacity(drawings.len());
    for d in &drawings {
        match d {
            ChunkDrawing::Mesh(m) => meshes.push(Arc::clone(m)),
            ChunkDrawing::Image {
                texture,
                rect_local,
            } => {
                let r = Rect::from_min_max(
                    (offset + rect_local.min.to_vec2() * scale).to_pos2(),
                    (offset + rect_local.max.to_vec2() * scale).to_pos2(),
                );
                let mut quad = Mesh::with_texture(texture.id());
                quad.add_rect_with_uv(r, uv, tint);
                stats.chunks_drawn += 1;
                stats.images_drawn += 1;
                stats.vertices += quad.vertices.len();
                out.push(Shape::mesh(quad));
            }
        }
    }
    let moved: Vec<Mesh> = if meshes.iter().map(|m| m.vertices.len()).sum::<usize>() > 50_000 {
        meshes
            .par_iter()
            .map(|m| transformed(m, offset, scale, l.opacity))
            .collect()
    } else {
        meshes
            .iter()
            .map(|m| transformed(m, offset, scale, l.opacity))
            .collect()
    };
    for m in moved {
        if m.is_empty() {
            continue;
        }
        stats.chunks_drawn += 1;
        stats.vertices += m.vertices.len();
        out.push(Shape::mesh(m));
    }
    stats
}

/// Default time spent building meshes in one frame before showing what there is.
pub const BUILD_BUDGET: Duration = Duration::from_millis(30);

/// Shapes that outline one geometry on screen (selection and hover highlight), computed per
/// frame: one feature only. Lines are thinned to about a point.
pub fn highlight_shapes(
    geometry: &Geometry<f64>,
    view: &MapView,
    screen: Rect,
    colour: Color32,
    out: &mut Vec<Shape>,
) {
    let halo = Stroke::new(5.0, Color32::from_black_alpha(110));
    let stroke = Stroke::new(2.5, colour);
    let to_pts = |ls: &LineString<f64>| -> Vec<Pos2> {
        let mut pts: Vec<Pos2> = Vec::with_capacity(ls.0.len());
        for c in &ls.0 {
            let p = view.to_screen(screen, *c);
            if pts
                .last()
                .is_none_or(|q: &Pos2| (*q - p).length_sq() >= 0.25)
            {
                pts.push(p);
            }
        }
        pts
    };
    let line = |ls: &LineString<f64>, closed: bool, out: &mut Vec<Shape>| {
        let pts = to_pts(ls);
        if pts.len() < 2 {
            if let Some(p) = pts.first() {
                out.push(Shape::circle_stroke(*p, 6.0, halo));
                out.push(Shape::circle_stroke(*p, 6.0, stroke));
            }
            return;
        }
        if closed {
            out.push(Shape::closed_line(pts.clone(), halo));
            out.push(Shape::closed_line(pts, stroke));
        } else {
            out.push(Shape::line(pts.clone(), halo));
            out.push(Shape::line(pts, stroke));
        }
    };
    let point = |c: Coord<f64>, out: &mut Vec<Shape>| {
        let p = view.to_screen(screen, c);
        out.push(Shape::circle_stroke(p, 8.0, halo));
        out.push(Shape::circle_stroke(p, 8.0, stroke));
    };
    match geometry {
        Geometry::Point(p) => point(p.0, out),
        Geometry::MultiPoint(mp) => mp.iter().for_each(|p| point(p.0, out)),
        Geometry::Line(l) => line(&LineString::from(vec![l.start, l.end]), false, out),
        Geometry::LineString(ls) => line(ls, false, out),
        Geometry::MultiLineString(m) => m.iter().for_each(|ls| line(ls, false, out)),
        Geometry::Polygon(p) => {
            line(p.exterior(), true, out);
            p.interiors().iter().for_each(|r| line(r, true, out));
        }
        Geometry::MultiPolygon(mp) => {
            for p in mp {
                line(p.exterior(), true, out);
                p.interiors().iter().for_each(|r| line(r, true, out));
            }
        }
        Geometry::Rect(r) => line(r.to_polygon().exterior(), true, out),
        Geometry::Triangle(t) => line(t.to_polygon().exterior(), true, out),
        Geometry::GeometryCollection(gc) => {
            for g in gc {
                highlight_shapes(g, view, screen, colour, out);
            }
        }
    }
}

/// Paint a legend swatch for `style` drawn as `kind` into `rect`.
pub fn paint_swatch(painter: &egui::Painter, rect: Rect, style: &FeatureStyle, kind: GeometryKind) {
    match kind {
        GeometryKind::Point => {
            let pts = symbol_outline(style.symbol, rect.center(), 5.0);
            if style.symbol == Symbol::Cross {
                painter.add(Shape::closed_line(pts, Stroke::new(3.0, style.fill)));
            } else {
                painter.add(Shape::convex_polygon(
                    pts,
                    style.fill,
                    Stroke::new(1.0, style.stroke),
                ));
            }
        }
        GeometryKind::Line => {
            painter.line_segment(
                [rect.left_center(), rect.right_center()],
                Stroke::new(style.stroke_width_pt.max(1.5), style.stroke),
            );
        }
        _ => {
            painter.rect(
                rect.shrink(1.0),
                1.0,
                style.fill,
                Stroke::new(style.stroke_width_pt.clamp(1.0, 2.5), style.stroke),
                egui::StrokeKind::Inside,
            );
        }
    }
}

/// One row of the map's legend.
pub struct LegendRow {
    pub label: String,
    pub style: FeatureStyle,
    pub kind: GeometryKind,
}

/// Paint the legend box at the bottom left of `screen`, above the scale bar.
pub fn paint_legend(painter: &egui::Painter, title: &str, rows: &[LegendRow], screen: Rect) {
    if rows.is_empty() {
        return;
    }
    let font = egui::FontId::proportional(12.0);
    let ink = Color32::from_gray(30);
    let galleys: Vec<_> = rows
        .iter()
        .map(|r| painter.layout_no_wrap(r.label.clone(), font.clone(), ink))
        .collect();
    let title_g = painter.layout_no_wrap(title.to_string(), egui::FontId::proportional(13.0), ink);
    let row_h = 17.0;
    let width = galleys
        .iter()
        .map(|g| g.size().x)
        .fold(title_g.size().x, f32::max)
        + 36.0;
    let height = title_g.size().y + 6.0 + row_h * rows.len() as f32 + 8.0;
    let min = screen.left_bottom() + vec2(10.0, -46.0 - height);
    let frame = Rect::from_min_size(min, vec2(width, height));
    painter.rect(
        frame,
        4.0,
        Color32::from_white_alpha(225),
        Stroke::new(1.0, Color32::from_gray(190)),
        egui::StrokeKind::Inside,
    );
    let mut y = frame.top() + 4.0;
    painter.galley(pos2(frame.left() + 8.0, y), title_g.clone(), ink);
    y += title_g.size().y + 4.0;
    for (r, g) in rows.iter().zip(galleys) {
        let sw = Rect::from_min_size(pos2(frame.left() + 8.0, y + 1.5), vec2(18.0, 14.0));
        paint_swatch(painter, sw, &r.style, r.kind);
        painter.galley(
            pos2(sw.right() + 6.0, y + (row_h - g.size().y) / 2.0),
            g,
            ink,
        );
        y += row_h;
    }
}

/// Paint a scale bar of a round length at the bottom left of `screen`.
pub fn paint_scale_bar(painter: &egui::Painter, view: &MapView, screen: Rect) {
    let max_pt = 160.0_f64;
    let len_m = super::view::nice_length_m(max_pt * view.m_per_pt);
    let len_pt = (len_m / view.m_per_pt) as f32;
    let left = screen.left_bottom() + vec2(14.0, -16.0);
    let ink = Color32::from_gray(30);
    painter.rect_filled(
        Rect::from_min_max(left + vec2(-6.0, -24.0), left + vec2(len_pt + 6.0, 6.0)),
        3.0,
        Color32::from_white_alpha(200),
    );
    painter.add(Shape::line(
        vec![
            left + vec2(0.0, -6.0),
            left,
            left + vec2(len_pt, 0.0),
            left + vec2(len_pt, -6.0),
        ],
        Stroke::new(2.0, ink),
    ));
    painter.text(
        left + vec2(len_pt / 2.0, -8.0),
        egui::Align2::CENTER_BOTTOM,
        super::view::format_length(len_m),
        egui::FontId::proportional(12.0),
        ink,
    );
}

/// Paint a north arrow at the top right of `screen` (the working CRS is a Gauss–Krüger
/// projection, so grid north is within a degree or two of true north in a town).
pub fn paint_north_arrow(painter: &egui::Painter, label: &str, screen: Rect) {
    let c = screen.right_top() + vec2(-30.0, 42.0);
    let ink = Color32::from_gray(30);
    painter.circle_filled(c, 20.0, Color32::from_white_alpha(200));
    let tip = c + vec2(0.0, -12.0);
    let l = c + vec2(-7.0, 12.0);
    let r = c + vec2(7.0, 12.0);
    let mid = c + vec2(0.0, 6.0);
    painter.add(Shape::convex_polygon(vec![tip, mid, l], ink, Stroke::NONE));
    painter.add(Shape::convex_polygon(
        vec![tip, r, mid],
        Color32::from_gray(150),
        Stroke::NONE,
    ));
    painter.text(
        c + vec2(0.0, -13.0),
        egui::Align2::CENTER_BOTTOM,
        label,
        egui::FontId::proportional(12.0),
        ink,
    );
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::app::map::style::role_style;
    use crate::io::synth;
    use crate::model::GeometryKind;

    #[test]
    fn a_frame_reuses_meshes_and_moves_them_with_the_view() {
        let layer = synth::buildings(40_000, 5);
        let prepared = Prepared::new(&layer);
        let mut meshes = LayerMeshes::default();
        let taxonomy = Taxonomy::default();
        let screen = Rect::from_min_size(Pos2::ZERO, vec2(1000.0, 800.0));
        let mut view = MapView::default();
        view.fit(screen, prepared.extent.expect("extent"));
        let ctx = egui::Context::default();
        let draw = |meshes: &mut LayerMeshes, view: &MapView, out: &mut Vec<Shape>| {
            layer_shapes(
                &ctx,
                DrawLayer {
                    layer: &layer,
                    role: Some(Role::Buildings),
                    base_style: role_style(Some(Role::Buildings), GeometryKind::Polygon),
                    prepared: &prepared,
                    meshes,
                    opacity: 1.0,
                },
                &taxonomy,
                view,
                screen,
                1.0,
                None,
                out,
            )
        };
        let mut out = Vec::new();
        let first = draw(&mut meshes, &view, &mut out);
        assert!(first.chunks_built > 0 && first.pending == 0);
        assert_eq!(first.chunks_drawn, prepared.chunks.len());
        let built_vertices = meshes.vertex_count();

        // Panning by 100 points builds nothing and shifts every vertex by exactly that.
        let before: Vec<Pos2> = match &out[0] {
            Shape::Mesh(m) => m.vertices.iter().map(|v| v.pos).collect(),
            _ => panic!(),
        };
        view.pan(vec2(100.0, 0.0));
        let mut out2 = Vec::new();
        let second = draw(&mut meshes, &view, &mut out2);
        assert_eq!(second.chunks_built, 0);
        assert_eq!(meshes.vertex_count(), built_vertices);
        let after: Vec<Pos2> = match &out2[0] {
            Shape::Mesh(m) => m.vertices.iter().map(|v| v.pos).collect(),
            _ => panic!(),
        };
        for (a, b) in before.iter().zip(&after) {
            assert!((b.x - a.x - 100.0).abs() < 0.01 && (b.y - a.y).abs() < 0.01);
        }

        // Zoomed into one corner: only the chunks there are drawn.
        let ext = prepared.extent.expect("extent");
        view.m_per_pt = 0.5;
        view.center = ext.min();
        let mut out3 = Vec::new();
        let third = draw(&mut meshes, &view, &mut out3);
        assert!(third.chunks_drawn < prepared.chunks.len(), "{third:?}");
    }
}
