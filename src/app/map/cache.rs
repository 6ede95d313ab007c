//! Geometry prepared for drawing: split into spatial chunks once per layer, then simplified and
//! tessellated once per chunk × zoom bucket into an [`egui::Mesh`] in local world metres
//! (relative to the layer's origin, y flipped). A frame only moves those vertices with one
//! affine transform (see [`super::draw`]); it never tessellates.
//!
//! Zoom buckets are half-octaves of metres per point: inside one bucket line widths and symbol
//! sizes stay within ±19 % of their nominal size, and simplification stays under half a point.

use std::sync::Arc;

use egui::epaint::{PathShape, TessellationOptions, Tessellator};
use egui::{Color32, Mesh, Pos2, Stroke, pos2};
use geo::BoundingRect;
use geo_types::{Coord, Geometry, LineString, Polygon, Rect as GeoRect};

use super::style::{FeatureStyle, Symbol};
use crate::model::{Feature, Layer};
use crate::render::symbols;

/// Features per chunk aimed at: small enough to cull and to build within a frame's budget.
const FEATURES_PER_CHUNK: usize = 1000;

/// A layer cut into spatial chunks, computed once when the layer is added.
#[derive(Debug, Clone)]
pub struct Prepared {
    /// The local origin of the meshes: the centre of the layer's extent (working CRS).
    pub origin: Coord<f64>,
    pub extent: Option<GeoRect<f64>>,
    pub chunks: Vec<Chunk>,
    /// Each feature's bounding box, None for an empty geometry.
    pub bboxes: Vec<Option<GeoRect<f64>>>,
    /// Per chunk, the key its maker gave it ([`Prepared::keyed`]); empty otherwise.
    pub keys: Vec<u64>,
}

/// A group of nearby features and the box around all of them.
#[derive(Debug, Clone)]
pub struct Chunk {
    pub bbox: GeoRect<f64>,
    pub features: Vec<u32>,
}

use crate::io::load::union_rect as union;

/// Do two boxes overlap (touching counts)?
pub fn intersects(a: &GeoRect<f64>, b: &GeoRect<f64>) -> bool {
    a.min().x <= b.max().x
        && b.min().x <= a.max().x
        && a.min().y <= b.max().y
        && b.min().y <= a.max().y
}

/// Each feature's bounding box, None for an empty geometry.
fn feature_bboxes(layer: &Layer) -> Vec<Option<GeoRect<f64>>> {
    layer
        .features
        .iter()
        .map(|f| f.geometry.bounding_rect().filter(|r| r.min().x.is_finite()))
        .collect()
}

impl Prepared {
    /// Cut `layer` into chunks on a grid over its extent, by each feature's box centre.
    pub fn new(layer: &Layer) -> Prepared {
        let bboxes = feature_bboxes(layer);
        let extent = bboxes.iter().flatten().copied().reduce(union);
        let Some(ext) = extent else {
            return Prepared {
                origin: Coord { x: 0.0, y: 0.0 },
                extent: None,
                chunks: Vec::new(),
                bboxes,
                keys: Vec::new(),
            };
        };
        let n = bboxes.iter().flatten().count();
        let side = ((n as f64 / FEATURES_PER_CHUNK as f64).sqrt().ceil() as usize).clamp(1, 32);
        let w = ext.width().max(1e-9);
        let h = ext.height().max(1e-9);
        let mut cells: Vec<Option<Chunk>> = vec![None; side * side];
        for (i, b) in bboxes.iter().enumerate() {
            let Some(b) = b else { continue };
            let c = b.center();
            let cx = (((c.x - ext.min().x) / w * side as f64) as usize).min(side - 1);
            let cy = (((c.y - ext.min().y) / h * side as f64) as usize).min(side - 1);
            let cell = &mut cells[cy * side + cx];
            match cell {
                Some(chunk) => {
                    chunk.bbox = union(chunk.bbox, *b);
                    chunk.features.push(i as u32);
                }
                None => {
                    *cell = Some(Chunk {
                        bbox: *b,
                        features: vec![i as u32],
                    });
                }
            }
        }
        Prepared {
            origin: ext.center(),
            extent,
            chunks: cells.into_iter().flatten().collect(),
            bboxes,
            keys: Vec::new(),
        }
    }

    /// The chunks its maker chose, keyed, meshes around the origin given (chunks whose
    /// features are all empty are left out).
    pub fn keyed(layer: &Layer, keyed: crate::app::doc::KeyedChunks) -> Prepared {
        let bboxes = if keyed.bboxes.len() == layer.features.len() {
            keyed.bboxes
        } else {
            feature_bboxes(layer)
        };
        let extent = bboxes.iter().flatten().copied().reduce(union);
        let mut chunks = Vec::with_capacity(keyed.chunks.len());
        let mut keys = Vec::with_capacity(keyed.chunks.len());
        for (key, features) in keyed.chunks {
            let bbox = features
                .iter()
                .filter_map(|i| bboxes.get(*i as usize).copied().flatten())
                .reduce(union);
            if let Some(bbox) = bbox {
                chunks.push(Chunk { bbox, features });
                keys.push(key);
            }
        }
        Prepared {
            origin: Coord {
                x: keyed.origin[0],
                y: keyed.origin[1],
            },
            extent,
            chunks,
            bboxes,
            keys,
        }
    }
}

/// The zoom bucket of a scale (metres per point): half-octaves.
pub fn bucket_of(m_per_pt: f64) -> i32 {
    (m_per_pt.max(1e-6).log2() * 2.0).floor() as i32
}

/// The nominal scale of a bucket: its geometric middle, metres per point.
pub fn bucket_m_per_pt(bucket: i32) -> f64 {
    2f64.powf((f64::from(bucket) + 0.5) / 2.0)
}

/// The finest scale of a bucket, metres per point.
fn bucket_min_m_per_pt(bucket: i32) -> f64 {
    2f64.powf(f64::from(bucket) / 2.0)
}

/// Builds one chunk's mesh at one zoom bucket.
pub struct ChunkTessellator<'a> {
    origin: Coord<f64>,
    /// Metres per point at the bucket's middle: sizes in points are multiplied by this.
    m_per_pt: f64,
    /// Simplification tolerance, metres.
    tolerance_m: f64,
    tess: Tessellator,
    earcut: earcut::Earcut<f64>,
    style: &'a (dyn Fn(&Feature) -> FeatureStyle + Sync),
    /// The chunk being built has crowded points: plain squares, no outlines.
    crowded: bool,
    // Scratch buffers.
    ring: Vec<Pos2>,
    flat: Vec<[f64; 2]>,
    holes: Vec<u32>,
    tris: Vec<u32>,
}

impl<'a> ChunkTessellator<'a> {
    /// A tessellator for `bucket`, anti-aliased for a display of `pixels_per_point`.
    pub fn new(
        origin: Coord<f64>,
        bucket: i32,
        pixels_per_point: f32,
        style: &'a (dyn Fn(&Feature) -> FeatureStyle + Sync),
    ) -> Self {
        let m_per_pt = bucket_m_per_pt(bucket);
        let options = TessellationOptions {
            feathering: true,
            feathering_size_in_pixels: 1.0,
            coarse_tessellation_culling: false,
            prerasterized_discs: false,
            round_text_to_pixels: false,
            round_line_segments_to_pixels: false,
            round_rects_to_pixels: false,
            ..Default::default()
        };
        // Mesh units are metres: one physical pixel is m_per_pt / pixels_per_point metres.
        let pixels_per_metre = (f64::from(pixels_per_point) / m_per_pt) as f32;
        ChunkTessellator {
            origin,
            m_per_pt,
            tolerance_m: 0.5 * bucket_min_m_per_pt(bucket),
            tess: Tessellator::new(pixels_per_metre, options, [1, 1], Vec::new()),
            earcut: earcut::Earcut::new(),
            style,
            crowded: false,
            ring: Vec::new(),
            flat: Vec::new(),
            holes: Vec::new(),
            tris: Vec::new(),
        }
    }

    fn local(&self, c: Coord<f64>) -> Pos2 {
        pos2((c.x - self.origin.x) as f32, (self.origin.y - c.y) as f32)
    }

    /// The mesh of `chunk`'s features.
    pub fn chunk(&mut self, layer: &Layer, prepared: &Prepared, chunk: &Chunk) -> Mesh {
        let mut mesh = Mesh::default();
        // Crowded points (more than one per 8×8 points of screen) are drawn as plain squares:
        // outlines would not be seen and cost ten times the vertices.
        let area_pt2 = (chunk.bbox.width() / self.m_per_pt).max(1.0)
            * (chunk.bbox.height() / self.m_per_pt).max(1.0);
        self.crowded = chunk.features.len() as f64 / area_pt2 > 1.0 / 64.0;
        for &i in &chunk.features {
            let i = i as usize;
            let (Some(f), Some(Some(bbox))) = (layer.features.get(i), prepared.bboxes.get(i))
            else {
                continue;
            };
            self.feature(f, *bbox, &mut mesh);
        }
        mesh
    }

    /// Append one feature to `mesh`.
    pub fn feature(&mut self, f: &Feature, bbox: GeoRect<f64>, mesh: &mut Mesh) {
        let style = (self.style)(f);
        let size_m = bbox.width().max(bbox.height());
        let is_point = matches!(f.geometry, Geometry::Point(_) | Geometry::MultiPoint(_));
        if !is_point && size_m < self.m_per_pt {
            // Smaller than a point on screen: a dot keeps dense areas visible at a tiny cost.
            let colour = if style.fill.a() > 0 {
                style.fill
            } else {
                style.stroke
            };
            let half = (0.5 * self.m_per_pt).max(0.5 * size_m);
            self.quad(bbox.center(), half, colour, mesh);
            return;
        }
        if !is_point && size_m < 4.0 * self.m_per_pt {
            // A few points across: the outline would cover the fill; fill only.
            let plain = FeatureStyle {
                fill: if style.fill.a() > 0 {
                    style.fill
                } else {
                    Color32::TRANSPARENT
                },
                stroke_width_pt: if style.fill.a() > 0 {
                    0.0
                } else {
                    style.stroke_width_pt
                },
                ..style
            };
            self.geometry(&f.geometry, &plain, mesh);
            return;
        }
        self.geometry(&f.geometry, &style, mesh);
    }

    fn geometry(&mut self, g: &Geometry<f64>, style: &FeatureStyle, mesh: &mut Mesh) {
        match g {
            Geometry::Point(p) => self.symbol(p.0, style, mesh),
            Geometry::MultiPoint(mp) => {
                for p in mp {
                    self.symbol(p.0, style, mesh);
                }
            }
            Geometry::Line(l) => {
                let ls = LineString::from(vec![l.start, l.end]);
                self.line(&ls, style, mesh);
            }
            Geometry::LineString(ls) => self.line(ls, style, mesh),
            Geometry::MultiLineString(mls) => {
                for ls in mls {
                    self.line(ls, style, mesh);
                }
            }
            Geometry::Polygon(p) => self.polygon(p, style, mesh),
            Geometry::MultiPolygon(mp) => {
                for p in mp {
                    self.polygon(p, style, mesh);
                }
            }
            Geometry::Rect(r) => self.polygon(&r.to_polygon(), style, mesh),
            Geometry::Triangle(t) => self.polygon(&t.to_polygon(), style, mesh),
            Geometry::GeometryCollection(gc) => {
                for g in gc {
                    self.geometry(g, style, mesh);
                }
            }
        }
    }

    /// Simplify a ring or line into `self.ring` (local coordinates): keep a vertex only when it is
    /// at least the tolerance away from the last kept one; the last vertex is always kept.
    fn simplify_into_ring(&mut self, ls: &LineString<f64>, closed: bool) {
        self.ring.clear();
        let coords = &ls.0;
        let n = if closed && coords.len() > 1 && coords.first() == coords.last() {
            coords.len() - 1
        } else {
            coords.len()
        };
        let tol2 = self.tolerance_m * self.tolerance_m;
        let mut last: Option<Coord<f64>> = None;
        for (k, c) in coords[..n].iter().enumerate() {
            if !(c.x.is_finite() && c.y.is_finite()) {
                continue;
            }
            let keep = match last {
                None => true,
                Some(l) => {
                    let (dx, dy) = (c.x - l.x, c.y - l.y);
                    dx * dx + dy * dy >= tol2 || k + 1 == n
                }
            };
            if keep {
                self.ring.push(self.local(*c));
                last = Some(*c);
            }
        }
    }

    fn line(&mut self, ls: &LineString<f64>, style: &FeatureStyle, mesh: &mut Mesh) {
        self.simplify_into_ring(ls, false);
        if self.ring.len() < 2 || style.stroke.a() == 0 {
            return;
        }
        let width = (f64::from(style.stroke_width_pt) * self.m_per_pt) as f32;
        let shape = PathShape::line(self.ring.clone(), Stroke::new(width, style.stroke));
        self.tess.tessellate_path(&shape, mesh);
    }

    fn polygon(&mut self, p: &Polygon<f64>, style: &FeatureStyle, mesh: &mut Mesh) {
        // Fill: earcut over the exterior and the holes.
        if style.fill.a() > 0 {
            self.flat.clear();
            self.holes.clear();
            for (k, ring) in std::iter::once(p.exterior())
                .chain(p.interiors().iter())
                .enumerate()
            {
                self.simplify_into_ring(ring, true);
                if self.ring.len() < 3 {
                    if k == 0 {
                        break;
                    }
                    continue;
                }
                if k > 0 {
                    self.holes.push(self.flat.len() as u32);
                }
                self.flat
                    .extend(self.ring.iter().map(|q| [f64::from(q.x), f64::from(q.y)]));
            }
            if self.flat.len() >= 3 {
                self.earcut
                    .earcut(self.flat.iter().copied(), &self.holes, &mut self.tris);
                let base = mesh.vertices.len() as u32;
                mesh.reserve_vertices(self.flat.len());
                for q in &self.flat {
                    mesh.colored_vertex(pos2(q[0] as f32, q[1] as f32), style.fill);
                }
                mesh.reserve_triangles(self.tris.len() / 3);
                for t in self.tris.chunks_exact(3) {
                    mesh.add_triangle(base + t[0], base + t[1], base + t[2]);
                }
            }
        }
        // Outline, anti-aliased.
        if style.stroke.a() > 0 && style.stroke_width_pt > 0.0 {
            let width = (f64::from(style.stroke_width_pt) * self.m_per_pt) as f32;
            for ring in std::iter::once(p.exterior()).chain(p.interiors().iter()) {
                self.simplify_into_ring(ring, true);
                if self.ring.len() >= 2 {
                    let shape =
                        PathShape::closed_line(self.ring.clone(), Stroke::new(width, style.stroke));
                    self.tess.tessellate_path(&shape, mesh);
                }
            }
        }
    }

    fn quad(&self, c: Coord<f64>, half_m: f64, colour: Color32, mesh: &mut Mesh) {
        let p = self.local(c);
        let h = half_m as f32;
        let base = mesh.vertices.len() as u32;
        for (dx, dy) in [(-h, -h), (h, -h), (h, h), (-h, h)] {
            mesh.colored_vertex(pos2(p.x + dx, p.y + dy), colour);
        }
        mesh.add_triangle(base, base + 1, base + 2);
        mesh.add_triangle(base, base + 2, base + 3);
    }

    fn symbol(&mut self, c: Coord<f64>, style: &FeatureStyle, mesh: &mut Mesh) {
        if !(c.x.is_finite() && c.y.is_finite()) {
            return;
        }
        let centre = self.local(c);
        let r = (0.5 * f64::from(style.symbol_size_pt) * self.m_per_pt) as f32;
        if self.crowded {
            let h = (0.35 * f64::from(style.symbol_size_pt) * self.m_per_pt).max(self.m_per_pt);
            self.quad(c, h, style.fill, mesh);
            return;
        }
        let outline = symbol_outline(style.symbol, centre, r);
        // Fill: a fan for convex symbols, two bars for the cross.
        if style.symbol == Symbol::Cross {
            for (hw, hh) in symbols::cross_bars(r) {
                let base = mesh.vertices.len() as u32;
                for (dx, dy) in [(-hw, -hh), (hw, -hh), (hw, hh), (-hw, hh)] {
                    mesh.colored_vertex(pos2(centre.x + dx, centre.y + dy), style.fill);
                }
                mesh.add_triangle(base, base + 1, base + 2);
                mesh.add_triangle(base, base + 2, base + 3);
            }
        } else {
            let base = mesh.vertices.len() as u32;
            mesh.colored_vertex(centre, style.fill);
            for q in &outline {
                mesh.colored_vertex(*q, style.fill);
            }
            let n = outline.len() as u32;
            for k in 0..n {
                mesh.add_triangle(base, base + 1 + k, base + 1 + (k + 1) % n);
            }
        }
        if style.stroke.a() > 0 && style.stroke_width_pt > 0.0 {
            let width = (f64::from(style.stroke_width_pt) * self.m_per_pt) as f32;
            let shape = PathShape::closed_line(outline, Stroke::new(width, style.stroke));
            self.tess.tessellate_path(&shape, mesh);
        }
    }
}

/// The outline of a point symbol of radius `r` around `c` (local coordinates, y down), from the
/// table shared with the PNG renderer ([`crate::render::symbols`]).
pub fn symbol_outline(symbol: Symbol, c: Pos2, r: f32) -> Vec<Pos2> {
    let at = |pts: &[(f32, f32)]| -> Vec<Pos2> {
        pts.iter()
            .map(|&(dx, dy)| pos2(c.x + dx, c.y + dy))
            .collect()
    };
    match symbol {
        Symbol::Circle => at(&symbols::regular(12, 0.0, r)),
        Symbol::Square => at(&symbols::regular(4, 45.0, r * 1.25)),
        Symbol::Diamond => at(&symbols::regular(4, 0.0, r * 1.25)),
        Symbol::Triangle => at(&symbols::regular(3, -90.0, r * 1.3)),
        Symbol::TriangleDown => at(&symbols::regular(3, 90.0, r * 1.3)),
        Symbol::Hexagon => at(&symbols::regular(6, 0.0, r * 1.1)),
        Symbol::Cross => at(&symbols::cross(r)),
    }
}

/// One chunk ready to draw at one zoom bucket.
#[derive(Clone)]
pub enum ChunkDrawing {
    /// Its mesh (local metres), moved on screen each frame.
    Mesh(Arc<Mesh>),
    /// Its mesh was denser than the pixels it covers: rasterized once into a texture that
    /// covers `rect_local` (local metres). A frame draws one textured quad.
    Image {
        texture: egui::TextureHandle,
        rect_local: egui::Rect,
    },
}

impl ChunkDrawing {
    /// Vertices drawn per frame for this chunk.
    pub fn vertex_count(&self) -> usize {
        match self {
            ChunkDrawing::Mesh(m) => m.vertices.len(),
            ChunkDrawing::Image { .. } => 4,
        }
    }
}

/// A chunk built off the UI thread: a mesh, or its pixels (made a texture on the UI thread).
pub enum BuiltChunk {
    Mesh(Mesh),
    Pixels(egui::ColorImage, egui::Rect),
}

/// A mesh is rasterized when it has more than one vertex per this many pixels it covers: then a
/// textured quad is far cheaper per frame than the mesh, and the texture costs at most this
/// many pixels (4 bytes each) per vertex it replaces.
pub const PIXELS_PER_VERTEX_TO_RASTERIZE: f32 = 32.0;

/// Mesh or pixels for a freshly built chunk mesh: pixels when the mesh is dense
/// (see [`PIXELS_PER_VERTEX_TO_RASTERIZE`]) and the image fits in `max_side` pixels.
pub fn finish_chunk(mesh: Mesh, px_per_m: f32, max_side: usize) -> BuiltChunk {
    if mesh.vertices.len() < 64 {
        return BuiltChunk::Mesh(mesh);
    }
    let b = mesh.calc_bounds();
    let area_px = (b.width() * px_per_m + 2.0) * (b.height() * px_per_m + 2.0);
    if area_px > PIXELS_PER_VERTEX_TO_RASTERIZE * mesh.vertices.len() as f32 {
        return BuiltChunk::Mesh(mesh);
    }
    match rasterize(&mesh, px_per_m, max_side) {
        Some((image, rect)) => BuiltChunk::Pixels(image, rect),
        None => BuiltChunk::Mesh(mesh),
    }
}

/// Rasterize a coloured mesh (local metres, y down) at `px_per_m` pixels per metre into an image
/// over its bounds plus one pixel, sampling at pixel centres and blending premultiplied colours
/// source-over (as egui's renderer does). Returns the image and the local rectangle it covers;
/// None for an empty mesh or an image wider or taller than `max_side`.
pub fn rasterize(
    mesh: &Mesh,
    px_per_m: f32,
    max_side: usize,
) -> Option<(egui::ColorImage, egui::Rect)> {
    let b = mesh.calc_bounds();
    if mesh.indices.is_empty()
        || !(b.width().is_finite() && b.height().is_finite())
        || px_per_m <= 0.0
    {
        return None;
    }
    let w = (b.width() * px_per_m).ceil() as usize + 2;
    let h = (b.height() * px_per_m).ceil() as usize + 2;
    if w > max_side || h > max_side {
        return None;
    }
    let origin = b.min - egui::vec2(1.0 / px_per_m, 1.0 / px_per_m);
    let mut acc = vec![[0f32; 4]; w * h];
    let to_px = |p: Pos2| ((p.x - origin.x) * px_per_m, (p.y - origin.y) * px_per_m);
    let rgba = |c: Color32| {
        let [r, g, b, a] = c.to_array();
        [f32::from(r), f32::from(g), f32::from(b), f32::from(a)]
    };
    for t in mesh.indices.chunks_exact(3) {
        let (Some(va), Some(vb), Some(vc)) = (
            mesh.vertices.get(t[0] as usize),
            mesh.vertices.get(t[1] as usize),
            mesh.vertices.get(t[2] as usize),
        ) else {
            continue;
        };
        let (a, mut bb, mut c) = (to_px(va.pos), to_px(vb.pos), to_px(vc.pos));
        let (ca, mut cb, mut cc) = (rgba(va.color), rgba(vb.color), rgba(vc.color));
        let edge = |p: (f32, f32), q: (f32, f32), r: (f32, f32)| {
            (q.0 - p.0) * (r.1 - p.1) - (q.1 - p.1) * (r.0 - p.0)
        };
        let mut area = edge(a, bb, c);
        if area.abs() < 1e-9 || !area.is_finite() {
            continue;
        }
        if area < 0.0 {
            std::mem::swap(&mut bb, &mut c);
            std::mem::swap(&mut cb, &mut cc);
            area = -area;
        }
        if ca[3] + cb[3] + cc[3] == 0.0 {
            continue;
        }
        let x0 = (a.0.min(bb.0).min(c.0) - 0.5).ceil().max(0.0) as usize;
        let y0 = (a.1.min(bb.1).min(c.1) - 0.5).ceil().max(0.0) as usize;
        let x1 = ((a.0.max(bb.0).max(c.0) - 0.5).floor() as isize).min(w as isize - 1);
        let y1 = ((a.1.max(bb.1).max(c.1) - 0.5).floor() as isize).min(h as isize - 1);
        if x1 < 0 || y1 < 0 {
            continue;
        }
        let inv = 1.0 / area;
        // With a clockwise (on a y-down screen) triangle: a top edge runs right, a left one up.
        let top_left = |p: (f32, f32), q: (f32, f32)| (q.1 == p.1 && q.0 > p.0) || q.1 < p.1;
        let (tl0, tl1, tl2) = (top_left(bb, c), top_left(c, a), top_left(a, bb));
        let inside = |w: f32, tl: bool| w > 0.0 || (w == 0.0 && tl);
        for y in y0..=y1 as usize {
            let py = y as f32 + 0.5;
            for x in x0..=x1 as usize {
                let p = (x as f32 + 0.5, py);
                let w0 = edge(bb, c, p);
                let w1 = edge(c, a, p);
                let w2 = edge(a, bb, p);
                // Points on an edge belong to one triangle only (top-left rule), so a shared
                // edge inside a polygon is not blended twice.
                if !(inside(w0, tl0) && inside(w1, tl1) && inside(w2, tl2)) {
                    continue;
                }
                let (l0, l1, l2) = (w0 * inv, w1 * inv, w2 * inv);
                let src: [f32; 4] = std::array::from_fn(|k| ca[k] * l0 + cb[k] * l1 + cc[k] * l2);
                let keep = 1.0 - src[3] / 255.0;
                let d = &mut acc[y * w + x];
                for k in 0..4 {
                    d[k] = src[k] + d[k] * keep;
                }
            }
        }
    }
    let pixels = acc
        .iter()
        .map(|d| {
            let q = |v: f32| v.round().clamp(0.0, 255.0) as u8;
            Color32::from_rgba_premultiplied(q(d[0]), q(d[1]), q(d[2]), q(d[3]))
        })
        .collect();
    let image = egui::ColorImage::new([w, h], pixels);
    let rect = egui::Rect::from_min_size(origin, egui::vec2(w as f32, h as f32) / px_per_m);
    Some((image, rect))
}

/// The drawings of one layer at the zoom buckets seen recently.
#[derive(Default)]
pub struct LayerMeshes {
    /// Most recently used first; a few buckets are kept so zooming back is instant.
    buckets: Vec<BucketMeshes>,
}

struct BucketMeshes {
    bucket: i32,
    pixels_per_point: f32,
    chunks: Vec<Option<ChunkDrawing>>,
}

/// How many zoom buckets a layer keeps.
const KEPT_BUCKETS: usize = 4;

impl LayerMeshes {
    /// Forget all meshes (the style changed).
    pub fn clear(&mut self) {
        self.buckets.clear();
    }

    /// Total vertices held (4 per rasterized chunk), for statistics.
    pub fn vertex_count(&self) -> usize {
        self.buckets
            .iter()
            .flat_map(|b| b.chunks.iter().flatten())
            .map(ChunkDrawing::vertex_count)
            .sum()
    }

    /// The drawing of chunk `k` at `bucket`, if built.
    pub fn get(&self, bucket: i32, pixels_per_point: f32, k: usize) -> Option<&ChunkDrawing> {
        self.buckets
            .iter()
            .find(|b| b.bucket == bucket && b.pixels_per_point == pixels_per_point)
            .and_then(|b| b.chunks.get(k))
            .and_then(Option::as_ref)
    }

    /// Any drawing of chunk `k`, from the bucket nearest to `bucket` (shown while the right one
    /// is being built).
    pub fn nearest(&self, bucket: i32, k: usize) -> Option<&ChunkDrawing> {
        self.buckets
            .iter()
            .filter_map(|b| {
                b.chunks
                    .get(k)
                    .and_then(Option::as_ref)
                    .map(|m| (b.bucket, m))
            })
            .min_by_key(|(b, _)| (b - bucket).abs())
            .map(|(_, m)| m)
    }

    /// Store a built drawing, making `bucket` the most recently used.
    pub fn insert(
        &mut self,
        bucket: i32,
        pixels_per_point: f32,
        n_chunks: usize,
        k: usize,
        drawing: ChunkDrawing,
    ) {
        self.touch(bucket, pixels_per_point, n_chunks);
        if let Some(slot) = self.buckets.first_mut().and_then(|b| b.chunks.get_mut(k)) {
            *slot = Some(drawing);
        }
    }

    /// The drawings of `old` (chunks keyed `old_keys`) that a layer whose chunks are keyed
    /// `new_keys` can use: those of equal keys, moved over.
    pub fn adopt(old: &mut LayerMeshes, old_keys: &[u64], new_keys: &[u64]) -> LayerMeshes {
        let at: std::collections::HashMap<u64, usize> =
            old_keys.iter().enumerate().map(|(i, k)| (*k, i)).collect();
        let buckets = old
            .buckets
            .iter_mut()
            .map(|b| BucketMeshes {
                bucket: b.bucket,
                pixels_per_point: b.pixels_per_point,
                chunks: new_keys
                    .iter()
                    .map(|k| at.get(k).and_then(|i| b.chunks.get_mut(*i)?.take()))
                    .collect(),
            })
            .collect();
        LayerMeshes { buckets }
    }

    /// Make `bucket` the most recently used, creating it, and drop the oldest beyond the limit.
    pub fn touch(&mut self, bucket: i32, pixels_per_point: f32, n_chunks: usize) {
        match self
            .buckets
            .iter()
            .position(|b| b.bucket == bucket && b.pixels_per_point == pixels_per_point)
        {
            Some(0) => {}
            Some(i) => {
                let b = self.buckets.remove(i);
                self.buckets.insert(0, b);
            }
            None => {
                self.buckets.insert(
                    0,
                    BucketMeshes {
                        bucket,
                        pixels_per_point,
                        chunks: vec![None; n_chunks],
                    },
                );
                self.buckets.truncate(KEPT_BUCKETS);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::io::synth;

    #[test]
    fn chunks_cover_every_feature_once_and_bound_them() {
        let layer = synth::buildings(20_000, 7);
        let p = Prepared::new(&layer);
        assert!(p.chunks.len() >= 4, "{} chunks", p.chunks.len());
        let mut seen = vec![0u8; layer.features.len()];
        for c in &p.chunks {
            for &i in &c.features {
                seen[i as usize] += 1;
                let b = p.bboxes[i as usize].expect("bbox");
                assert!(intersects(&c.bbox, &b) && c.bbox.min().x <= b.min().x);
            }
        }
        assert!(seen.iter().all(|&n| n == 1));
    }

    #[test]
    fn buckets_are_half_octaves() {
        assert_eq!(bucket_of(1.0), 0);
        assert_eq!(bucket_of(1.5), 1);
        assert_eq!(bucket_of(2.0), 2);
        assert_eq!(bucket_of(0.5), -2);
        let m = bucket_m_per_pt(bucket_of(3.0));
        assert!(m > 2.0 && m < 4.0);
    }

    #[test]
    fn tiny_polygons_become_dots_and_big_ones_are_triangulated() {
        let layer = synth::buildings(200, 3);
        let p = Prepared::new(&layer);
        let style = |_: &Feature| {
            super::super::style::role_style(None, crate::model::GeometryKind::Polygon)
        };
        let far = {
            let mut t = ChunkTessellator::new(p.origin, bucket_of(1000.0), 1.0, &style);
            p.chunks
                .iter()
                .map(|c| t.chunk(&layer, &p, c))
                .fold(0, |n, m| n + m.vertices.len())
        };
        assert_eq!(far, 4 * 200, "one quad per building when far out");
        let near = {
            let mut t = ChunkTessellator::new(p.origin, bucket_of(0.2), 1.0, &style);
            p.chunks
                .iter()
                .map(|c| t.chunk(&layer, &p, c))
                .fold(0, |n, m| n + m.vertices.len())
        };
        assert!(near > 10 * 200, "outlines and fills when near: {near}");
    }

    #[test]
    fn concave_polygon_fill_covers_its_area_exactly() {
        use geo_types::polygon;
        // An L shape of area 3 (three unit squares), scaled to metres.
        let l = polygon![(x: 0., y: 0.), (x: 20., y: 0.), (x: 20., y: 10.), (x: 10., y: 10.), (x: 10., y: 20.), (x: 0., y: 20.)];
        let style = FeatureStyle {
            fill: Color32::RED,
            stroke: Color32::TRANSPARENT,
            stroke_width_pt: 0.0,
            symbol: Symbol::Circle,
            symbol_size_pt: 5.0,
        };
        let sf = move |_: &Feature| style;
        let mut t = ChunkTessellator::new(Coord { x: 0.0, y: 0.0 }, bucket_of(0.1), 1.0, &sf);
        let mut mesh = Mesh::default();
        t.polygon(&l, &style, &mut mesh);
        let area: f32 = mesh
            .indices
            .chunks_exact(3)
            .map(|t| {
                let [a, b, c] = [0, 1, 2].map(|k| mesh.vertices[t[k] as usize].pos);
                ((b - a).x * (c - a).y - (b - a).y * (c - a).x).abs() / 2.0
            })
            .sum();
        assert!((area - 300.0).abs() < 1e-3, "area {area}");
    }

    #[test]
    fn rasterizing_a_square_mesh_fills_exactly_its_pixels() {
        // A 10 m × 10 m half-transparent red square at 1 px per metre (premultiplied colour).
        let fill = Color32::from_rgba_unmultiplied(255, 0, 0, 128);
        let mut mesh = Mesh::default();
        mesh.add_colored_rect(
            egui::Rect::from_min_size(pos2(0.0, 0.0), egui::vec2(10.0, 10.0)),
            fill,
        );
        let (image, rect) = rasterize(&mesh, 1.0, 64).expect("raster");
        assert_eq!(image.size, [12, 12], "10 px plus a pixel each side");
        assert_eq!(rect.min, pos2(-1.0, -1.0));
        let px = |x: usize, y: usize| image.pixels[y * 12 + x];
        assert_eq!(px(0, 0), Color32::TRANSPARENT);
        assert_eq!(px(11, 5), Color32::TRANSPARENT);
        // Inside, each pixel is covered by exactly one of the two triangles (no double blend).
        for y in 1..=10 {
            for x in 1..=10 {
                assert_eq!(px(x, y), fill, "pixel ({x}, {y})");
            }
        }
        let covered = image.pixels.iter().filter(|c| c.a() > 0).count();
        assert_eq!(covered, 100);
        assert!(
            rasterize(&mesh, 1.0, 11).is_none(),
            "too large for the limit"
        );
    }

    #[test]
    fn dense_chunks_are_rasterized_and_sparse_ones_kept_as_meshes() {
        let layer = synth::buildings(20_000, 9);
        let p = Prepared::new(&layer);
        let style = |_: &Feature| {
            super::super::style::role_style(
                Some(crate::model::Role::Buildings),
                crate::model::GeometryKind::Polygon,
            )
        };
        let build = |m_per_pt: f64| {
            let b = bucket_of(m_per_pt);
            let mut t = ChunkTessellator::new(p.origin, b, 1.0, &style);
            let mesh = t.chunk(&layer, &p, &p.chunks[0]);
            finish_chunk(mesh, (1.0 / bucket_m_per_pt(b)) as f32, 4096)
        };
        // Whole town (20 km over ~800 points): thousands of buildings per few hundred pixels.
        assert!(matches!(build(25.0), BuiltChunk::Pixels(..)));
        // Close in: a few vertices per thousands of pixels, or too big to rasterize.
        assert!(matches!(build(0.5), BuiltChunk::Mesh(_)));
    }
}
