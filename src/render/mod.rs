//! Static maps as PNG for reports (and later GUI export): layers of geometry in the metric
//! working CRS drawn with tiny-skia, labels and furniture (title, legend, scale bar, north arrow,
//! attribution) in the embedded Chinese font.
//!
//! Pixel sizes in [`Style`] and [`PointSymbol`] are literal pixels of the output image; the
//! furniture and labels scale with the image (see [`furniture::ui_scale`]) so that a map embedded
//! at a fixed width in a report keeps readable text at any resolution.
//!
//! ```
//! use geo_types::{Geometry, Rect, coord, polygon};
//! use towncircle::render::{DrawItem, DrawLayer, MapSpec, Rgba, Style, render};
//!
//! let mut spec = MapSpec::new("示例", Rect::new(coord! {x: 0.0, y: 0.0}, coord! {x: 400.0, y: 300.0}), 400, 300);
//! let square = polygon![(x: 100.0, y: 100.0), (x: 300.0, y: 100.0), (x: 300.0, y: 200.0), (x: 100.0, y: 200.0)];
//! spec.layers.push(DrawLayer::new("地块", Style::area(Rgba::rgb(255, 0, 0), None, 0.0))
//!     .with_items(vec![DrawItem::new(Geometry::Polygon(square))]));
//! let pixmap = render(&spec).unwrap();
//! let centre = pixmap.pixel(200, 165).unwrap();
//! assert_eq!((centre.red(), centre.green(), centre.blue()), (255, 0, 0));
//! ```

pub mod furniture;
pub mod geom;
pub mod palette;
pub mod symbols;
pub mod text;
pub mod view;

use std::path::Path;

use geo::{BoundingRect, InteriorPoint};
use geo_types::{Geometry, Rect};
use serde::{Deserialize, Serialize};
use tiny_skia::Pixmap;

use crate::error::{Error, IoError};
use furniture::{WHITE, ui_scale};
use geom::{ClipPx, Painter, symbol_of};
use text::{BoxPx, LabelPlacer, TextPaint, draw_text, measure};
use view::View;

/// The largest width or height of a rendered image, in pixels.
pub const MAX_SIZE_PX: u32 = 16384;

/// An sRGB colour with straight (not premultiplied) alpha.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Rgba {
    pub r: u8,
    pub g: u8,
    pub b: u8,
    pub a: u8,
}

impl Rgba {
    pub const fn new(r: u8, g: u8, b: u8, a: u8) -> Self {
        Rgba { r, g, b, a }
    }

    /// An opaque colour.
    pub const fn rgb(r: u8, g: u8, b: u8) -> Self {
        Rgba { r, g, b, a: 255 }
    }

    /// The same colour with alpha `a` (0 transparent … 255 opaque).
    pub const fn with_alpha(self, a: u8) -> Self {
        Rgba { a, ..self }
    }

    /// Parse "#rrggbb" or "#rrggbbaa" (the '#' optional).
    pub fn from_hex(s: &str) -> Option<Self> {
        let h = s.trim().trim_start_matches('#');
        let byte = |i: usize| h.get(i..i + 2).and_then(|b| u8::from_str_radix(b, 16).ok());
        match h.len() {
            6 => Some(Rgba::rgb(byte(0)?, byte(2)?, byte(4)?)),
            8 => Some(Rgba::new(byte(0)?, byte(2)?, byte(4)?, byte(6)?)),
            _ => None,
        }
    }

    /// "#rrggbb" (opaque) or "#rrggbbaa", e.g. for CSS in an HTML report's legend.
    pub fn to_hex(self) -> String {
        if self.a == 255 {
            format!("#{:02x}{:02x}{:02x}", self.r, self.g, self.b)
        } else {
            format!("#{:02x}{:02x}{:02x}{:02x}", self.r, self.g, self.b, self.a)
        }
    }
}

/// The shape of a point symbol.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Shape {
    Circle,
    Square,
    Triangle,
    Diamond,
    Star,
    Cross,
}

/// How points are drawn: a shape `size_px` across, filled and/or outlined.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PointSymbol {
    pub shape: Shape,
    pub size_px: f32,
    pub fill: Option<Rgba>,
    pub stroke: Option<Rgba>,
}

impl PointSymbol {
    /// A filled symbol with a white outline (stands out on any background).
    pub fn filled(shape: Shape, size_px: f32, fill: Rgba) -> Self {
        PointSymbol {
            shape,
            size_px,
            fill: Some(fill),
            stroke: Some(WHITE),
        }
    }
}

/// How a geometry is drawn. Polygons are filled with `fill` and outlined with `stroke`; lines
/// are stroked with `stroke` (or `fill` when there is no stroke); points use `point` (or a small
/// circle in the style's colours).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct Style {
    pub fill: Option<Rgba>,
    pub stroke: Option<Rgba>,
    pub stroke_width_px: f32,
    /// Dash and gap lengths in pixels, e.g. `[6.0, 4.0]`.
    pub dash: Option<Vec<f32>>,
    pub point: Option<PointSymbol>,
}

impl Style {
    /// An area: fill, and an optional outline of `stroke_width_px`.
    pub fn area(fill: Rgba, stroke: Option<Rgba>, stroke_width_px: f32) -> Self {
        Style {
            fill: Some(fill),
            stroke,
            stroke_width_px,
            ..Style::default()
        }
    }

    /// A line (or an unfilled outline).
    pub fn line(stroke: Rgba, stroke_width_px: f32) -> Self {
        Style {
            stroke: Some(stroke),
            stroke_width_px,
            ..Style::default()
        }
    }

    /// Points drawn with a symbol.
    pub fn points(symbol: PointSymbol) -> Self {
        Style {
            point: Some(symbol),
            ..Style::default()
        }
    }

    /// The same style with dashed strokes.
    pub fn dashed(mut self, dash_px: Vec<f32>) -> Self {
        self.dash = Some(dash_px);
        self
    }
}

/// One geometry to draw, with an optional style of its own and an optional label (drawn at
/// its interior point, or beside a point symbol).
#[derive(Debug, Clone, PartialEq)]
pub struct DrawItem {
    pub geometry: Geometry<f64>,
    pub style: Option<Style>,
    pub label: Option<String>,
}

impl DrawItem {
    pub fn new(geometry: Geometry<f64>) -> Self {
        DrawItem {
            geometry,
            style: None,
            label: None,
        }
    }

    /// The same item with a label.
    pub fn labelled(mut self, label: impl Into<String>) -> Self {
        self.label = Some(label.into());
        self
    }

    /// The same item with its own style.
    pub fn styled(mut self, style: Style) -> Self {
        self.style = Some(style);
        self
    }
}

/// A layer of the map: drawn in list order (first at the bottom), one legend row when
/// `in_legend`.
#[derive(Debug, Clone, PartialEq)]
pub struct DrawLayer {
    pub label: String,
    pub items: Vec<DrawItem>,
    pub style: Style,
    pub in_legend: bool,
}

impl DrawLayer {
    /// An empty layer shown in the legend.
    pub fn new(label: impl Into<String>, style: Style) -> Self {
        DrawLayer {
            label: label.into(),
            items: Vec::new(),
            style,
            in_legend: true,
        }
    }

    pub fn with_items(mut self, items: Vec<DrawItem>) -> Self {
        self.items = items;
        self
    }
}

/// A map to render. `extent_m` (working-CRS metres) is grown about its centre to the map
/// frame's aspect ratio, never cropped.
#[derive(Debug, Clone, PartialEq)]
pub struct MapSpec {
    pub title: String,
    pub subtitle: Option<String>,
    pub extent_m: Rect<f64>,
    pub width_px: u32,
    pub height_px: u32,
    pub layers: Vec<DrawLayer>,
    pub legend: bool,
    /// The legend's title: 图例 by default, "Legend" for an English map.
    pub legend_title: String,
    pub scale_bar: bool,
    pub north_arrow: bool,
    /// E.g. "© OpenStreetMap contributors" when OSM data is shown.
    pub attribution: Option<String>,
}

impl MapSpec {
    /// A map with no layers, legend, scale bar and north arrow on, no attribution.
    pub fn new(
        title: impl Into<String>,
        extent_m: Rect<f64>,
        width_px: u32,
        height_px: u32,
    ) -> Self {
        MapSpec {
            title: title.into(),
            subtitle: None,
            extent_m,
            width_px,
            height_px,
            layers: Vec::new(),
            legend: true,
            legend_title: "图例".into(),
            scale_bar: true,
            north_arrow: true,
            attribution: None,
        }
    }
}

/// The pixel box of the map frame and whether furniture is drawn, for a spec's image size.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Layout {
    /// Furniture/label scale (1 at 1000 px wide).
    pub scale: f32,
    /// Whole pixels: the map is drawn into a sub-image of exactly this size.
    pub map: BoxPx,
    /// False for thumbnails (< 200×150 px): the map fills the image, no title or furniture.
    pub furniture: bool,
}

fn validate(spec: &MapSpec) -> crate::Result<()> {
    let (w, h) = (spec.width_px, spec.height_px);
    if w == 0 || h == 0 || w > MAX_SIZE_PX || h > MAX_SIZE_PX {
        return Err(Error::Config(format!(
            "map \"{}\": image size {w}×{h} px is out of range; width and height must be \
             between 1 and {MAX_SIZE_PX} px",
            spec.title
        )));
    }
    let (a, b) = (spec.extent_m.min(), spec.extent_m.max());
    if ![a.x, a.y, b.x, b.y].iter().all(|v| v.is_finite()) {
        return Err(Error::Config(format!(
            "map \"{}\": the extent ({}, {}) – ({}, {}) has a coordinate that is not a finite \
             number; pass the bounding box of the layers in working-CRS metres",
            spec.title, a.x, a.y, b.x, b.y
        )));
    }
    Ok(())
}

const BACKGROUND: Rgba = WHITE;
/// Stroke clipping reaches this far beyond the frame so that wide strokes end off-image.
const CLIP_MARGIN_PX: f64 = 64.0;

/// Where the map frame lies in the image, and the world→pixel mapping of the frame in image
/// pixels (for hit-testing or overlays on a rendered map). Fails like [`render`] on bad sizes.
pub fn layout(spec: &MapSpec) -> crate::Result<(Layout, View)> {
    validate(spec)?;
    let font = text::font()?;
    Ok(layout_with(spec, &font))
}

fn has_title(spec: &MapSpec) -> bool {
    !spec.title.trim().is_empty()
        || spec
            .subtitle
            .as_deref()
            .is_some_and(|t| !t.trim().is_empty())
}

fn layout_with(spec: &MapSpec, font: &ab_glyph::FontRef<'_>) -> (Layout, View) {
    let (w, h) = (spec.width_px, spec.height_px);
    let s = ui_scale(w, h);
    let furniture = w >= 200 && h >= 150;
    let margin = if furniture { (10.0 * s).round() } else { 0.0 };
    let mut top = margin;
    if furniture && has_title(spec) {
        let bottom = furniture::title_block(
            None,
            font,
            w as f32,
            &spec.title,
            spec.subtitle.as_deref(),
            margin * 0.6,
            s,
        );
        top = (bottom + 6.0 * s).round();
    }
    let map_w = (w as f32 - 2.0 * margin).max(1.0);
    let map_h = (h as f32 - top - margin).max(1.0);
    let map = BoxPx::new(margin, top, map_w, map_h);
    let view = View::new(spec.extent_m, map_w as f64, map_h as f64).at(margin as f64, top as f64);
    (
        Layout {
            scale: s,
            map,
            furniture,
        },
        view,
    )
}

/// Draw the map: background, layers (clipped to the frame), labels, then furniture.
pub fn render(spec: &MapSpec) -> crate::Result<Pixmap> {
    validate(spec)?;
    let font = text::font()?;
    let (w, h) = (spec.width_px, spec.height_px);
    let mut pm = Pixmap::new(w, h).ok_or_else(|| {
        Error::Config(format!(
            "map \"{}\": cannot allocate a {w}×{h} px image",
            spec.title
        ))
    })?;
    let bg = BACKGROUND;
    pm.fill(tiny_skia::Color::from_rgba8(bg.r, bg.g, bg.b, bg.a));

    let (layout, view) = layout_with(spec, &font);
    let (s, map, furniture) = (layout.scale, layout.map, layout.furniture);
    if furniture && has_title(spec) {
        let margin = (10.0 * s).round();
        furniture::title_block(
            Some(&mut pm),
            &font,
            w as f32,
            &spec.title,
            spec.subtitle.as_deref(),
            margin * 0.6,
            s,
        );
    }
    draw_layers(&mut pm, spec, &view, &layout)?;
    if furniture {
        furniture::draw_frame_border(&mut pm, &map);
    }

    // Furniture boxes first, so labels keep clear of them.
    let legend = if furniture && spec.legend {
        furniture::layout_legend(&font, &spec.legend_title, &spec.layers, &map, s)
    } else {
        None
    };
    let attribution = spec
        .attribution
        .as_deref()
        .filter(|t| furniture && !t.trim().is_empty())
        .map(|t| (t, furniture::layout_attribution(&font, t, &map, s)));
    let scale_bar = if furniture && spec.scale_bar {
        let bottom = attribution.map_or(map.y1, |(_, b)| b.y0);
        furniture::layout_scale_bar(&font, &view, &map, bottom, s)
    } else {
        None
    };
    let north =
        (furniture && spec.north_arrow).then(|| furniture::layout_north_arrow(&font, &map, s));

    let mut placer = LabelPlacer::new(map);
    for b in legend
        .iter()
        .map(|l| l.frame)
        .chain(attribution.map(|(_, b)| b))
        .chain(scale_bar.iter().map(|sb| sb.frame))
        .chain(north)
    {
        placer.reserve(b);
    }
    draw_labels(&mut pm, &font, spec, &view, &mut placer, s);

    if let Some(lg) = &legend {
        furniture::draw_legend(&mut pm, &font, lg, s);
    }
    if let Some(sb) = &scale_bar {
        furniture::draw_scale_bar(&mut pm, &font, sb, s);
    }
    if let Some(b) = &north {
        furniture::draw_north_arrow(&mut pm, &font, b, s);
    }
    if let Some((t, b)) = attribution {
        furniture::draw_attribution(&mut pm, &font, t, &b, s);
    }
    Ok(pm)
}

/// Draw every layer into a sub-image of the frame (which clips it), then onto the image.
fn draw_layers(pm: &mut Pixmap, spec: &MapSpec, view: &View, layout: &Layout) -> crate::Result<()> {
    let (mw, mh) = (
        (layout.map.x1 - layout.map.x0) as u32,
        (layout.map.y1 - layout.map.y0) as u32,
    );
    let mut frame = Pixmap::new(mw.max(1), mh.max(1)).ok_or_else(|| {
        Error::Config(format!(
            "map \"{}\": cannot allocate the {mw}×{mh} px map frame",
            spec.title
        ))
    })?;
    let bg = BACKGROUND;
    frame.fill(tiny_skia::Color::from_rgba8(bg.r, bg.g, bg.b, bg.a));
    let local = view.at(0.0, 0.0);
    let painter = Painter {
        view: &local,
        clip: ClipPx {
            x0: -CLIP_MARGIN_PX,
            y0: -CLIP_MARGIN_PX,
            x1: mw as f64 + CLIP_MARGIN_PX,
            y1: mh as f64 + CLIP_MARGIN_PX,
        },
        stamps: geom::Stamps::default(),
    };
    for layer in &spec.layers {
        for item in &layer.items {
            let Some(bbox) = item.geometry.bounding_rect() else {
                continue;
            };
            if !view.meets(&bbox, CLIP_MARGIN_PX) {
                continue;
            }
            let style = item.style.as_ref().unwrap_or(&layer.style);
            painter.draw(&mut frame, &item.geometry, style);
        }
    }
    // The frame is opaque (filled with the background first): put it in place row by row, as
    // drawing it as a pixmap did (source over an opaque source is a copy) at a fraction of the
    // cost (tiny-skia blends every pixel; a town's report draws dozens of maps).
    debug_assert_eq!(BACKGROUND.a, 255);
    copy_opaque(pm, layout.map.x0 as i64, layout.map.y0 as i64, &frame);
    Ok(())
}

/// Copy `src` into `dst` with its top-left corner at (x0, y0) (parts outside `dst` left out).
fn copy_opaque(dst: &mut Pixmap, x0: i64, y0: i64, src: &Pixmap) {
    let (dw, dh) = (i64::from(dst.width()), i64::from(dst.height()));
    let (sw, sh) = (i64::from(src.width()), i64::from(src.height()));
    let (cx0, cx1) = (x0.max(0), (x0 + sw).min(dw));
    if cx0 >= cx1 {
        return;
    }
    let from = ((cx0 - x0) * 4) as usize;
    let len = ((cx1 - cx0) * 4) as usize;
    let s = src.data();
    let d = dst.data_mut();
    for y in y0.max(0)..(y0 + sh).min(dh) {
        let sy = (y - y0) as usize;
        let so = sy * sw as usize * 4 + from;
        let dof = (y as usize * dw as usize + cx0 as usize) * 4;
        d[dof..dof + len].copy_from_slice(&s[so..so + len]);
    }
}

/// Draw item labels, top layer first, each where it does not collide with one already placed
/// (or with furniture); labels that find no free place are left out.
fn draw_labels(
    pm: &mut Pixmap,
    font: &ab_glyph::FontRef<'_>,
    spec: &MapSpec,
    view: &View,
    placer: &mut LabelPlacer,
    s: f32,
) -> Vec<BoxPx> {
    let mut placed = Vec::new();
    let paint = TextPaint {
        em_px: 12.0 * s,
        colour: furniture::INK,
        halo: Some((WHITE, 1.8 * s)),
    };
    for layer in spec.layers.iter().rev() {
        for item in &layer.items {
            let Some(label) = item.label.as_deref().filter(|l| !l.trim().is_empty()) else {
                continue;
            };
            let Some(anchor) = item.geometry.interior_point() else {
                continue;
            };
            let (x, y) = view.to_px(anchor.0);
            if !(x.is_finite() && y.is_finite()) {
                continue;
            }
            let (x, y) = (x as f32, y as f32);
            let m = measure(font, label, paint.em_px);
            let (tw, th) = (m.width_px, m.height_px);
            let style = item.style.as_ref().unwrap_or(&layer.style);
            let candidates: Vec<(f32, f32)> = match &item.geometry {
                Geometry::Point(_) | Geometry::MultiPoint(_) => {
                    // Right, left, then above and below the symbol (stacked clear of the first
                    // two).
                    let off = symbol_of(style).size_px / 2.0 + 3.0 * s;
                    vec![
                        (x + off, y - th / 2.0),
                        (x - off - tw, y - th / 2.0),
                        (x - tw / 2.0, (y - off).min(y - th / 2.0) - th - 1.0),
                        (x - tw / 2.0, (y + off).max(y + th / 2.0) + 1.0),
                    ]
                }
                // Centred, then a line above, then a line below.
                _ => vec![
                    (x - tw / 2.0, y - th / 2.0),
                    (x - tw / 2.0, y - th * 1.5 - 1.0),
                    (x - tw / 2.0, y + th * 0.5 + 1.0),
                ],
            };
            for (lx, ly) in candidates {
                let b = BoxPx::new(lx, ly, tw, th);
                if placer.try_place(b) {
                    draw_text(pm, font, label, lx, ly, &paint);
                    placed.push(b);
                    break;
                }
            }
        }
    }
    placed
}

/// Render and encode as PNG, with the PNG encoder's fast compression: a town's report has a
/// dozen maps and a city batch a hundred towns. Measured on a demo town's analyze: 1.35 → 1.03 s
/// of CPU; its report.html (maps inline) 2.4 → 3.1 MB.
pub fn render_png(spec: &MapSpec) -> crate::Result<Vec<u8>> {
    let pm = render(spec)?;
    let err = |e: String| {
        Error::Config(format!(
            "map \"{}\": the image cannot be encoded as PNG ({e})",
            spec.title
        ))
    };
    // tiny-skia keeps premultiplied colours; PNG wants them straight.
    let mut rgba = Vec::with_capacity(pm.data().len());
    for p in pm.pixels() {
        let c = p.demultiply();
        rgba.extend_from_slice(&[c.red(), c.green(), c.blue(), c.alpha()]);
    }
    let mut bytes = Vec::new();
    let mut enc = png::Encoder::new(&mut bytes, pm.width(), pm.height());
    enc.set_color(png::ColorType::Rgba);
    enc.set_depth(png::BitDepth::Eight);
    enc.set_compression(png::Compression::Fast);
    let mut w = enc.write_header().map_err(|e| err(e.to_string()))?;
    w.write_image_data(&rgba).map_err(|e| err(e.to_string()))?;
    w.finish().map_err(|e| err(e.to_string()))?;
    Ok(bytes)
}

/// Render and write a PNG file, atomically: the bytes go to a hidden file beside `path`, which is
/// renamed over it only once complete (render sits below `io`, so it cannot use `io::atomic`).
pub fn save_png(spec: &MapSpec, path: &Path) -> crate::Result<()> {
    let bytes = render_png(spec)?;
    let name = path
        .file_name()
        .map_or_else(|| "map.png".into(), |n| n.to_string_lossy().into_owned());
    let temp = path.with_file_name(format!(".{name}.{}.tmp", std::process::id()));
    let written = std::fs::write(&temp, bytes).and_then(|()| std::fs::rename(&temp, path));
    if let Err(e) = written {
        let _ = std::fs::remove_file(&temp);
        return Err(IoError::open(path, e).into());
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The row copy puts an opaque frame exactly where drawing it as a pixmap did, clipped at
    /// every edge.
    #[test]
    fn an_opaque_frame_is_copied_as_tiny_skia_draws_it() {
        let mut src = Pixmap::new(37, 23).unwrap();
        for (i, px) in src.pixels_mut().iter_mut().enumerate() {
            let v = (i * 7 % 251) as u8;
            *px = tiny_skia::PremultipliedColorU8::from_rgba(v, 255 - v, v / 2, 255).unwrap();
        }
        for (x0, y0) in [(0, 0), (5, 9), (-10, -4), (30, 15), (-40, 0), (50, 2)] {
            let mut a = Pixmap::new(48, 32).unwrap();
            a.fill(tiny_skia::Color::from_rgba8(10, 20, 30, 255));
            let mut b = a.clone();
            a.draw_pixmap(
                x0,
                y0,
                src.as_ref(),
                &tiny_skia::PixmapPaint::default(),
                tiny_skia::Transform::identity(),
                None,
            );
            copy_opaque(&mut b, i64::from(x0), i64::from(y0), &src);
            assert!(a.data() == b.data(), "at ({x0}, {y0})");
        }
    }
    use geo_types::{Coord, LineString, Point, Polygon, coord};

    const RED: Rgba = Rgba::rgb(255, 0, 0);
    const BLUE: Rgba = Rgba::rgb(0, 0, 255);
    const GREEN: Rgba = Rgba::rgb(0, 200, 0);

    fn rect(x0: f64, y0: f64, x1: f64, y1: f64) -> Rect<f64> {
        Rect::new(coord! {x: x0, y: y0}, coord! {x: x1, y: y1})
    }

    fn square(x0: f64, y0: f64, x1: f64, y1: f64) -> Polygon<f64> {
        rect(x0, y0, x1, y1).to_polygon()
    }

    fn rgb_at(pm: &Pixmap, x: f64, y: f64) -> (u8, u8, u8) {
        let p = pm.pixel(x as u32, y as u32).unwrap();
        (p.red(), p.green(), p.blue())
    }

    fn px(view: &View, x: f64, y: f64) -> (f64, f64) {
        view.to_px(Coord { x, y })
    }

    /// A 400 m × 300 m scene in working-CRS-like coordinates (large offsets on purpose).
    const X0: f64 = 500_000.0;
    const Y0: f64 = 3_300_000.0;

    fn tiny_spec() -> MapSpec {
        let mut spec = MapSpec::new("", rect(X0, Y0, X0 + 400.0, Y0 + 300.0), 400, 300);
        spec.legend = false;
        spec.scale_bar = false;
        spec.north_arrow = false;
        // A red square in the north-west with a hole.
        let mut poly = square(X0 + 40.0, Y0 + 180.0, X0 + 200.0, Y0 + 280.0);
        poly.interiors_push(LineString::from(vec![
            (X0 + 150.0, Y0 + 200.0),
            (X0 + 190.0, Y0 + 200.0),
            (X0 + 190.0, Y0 + 240.0),
            (X0 + 150.0, Y0 + 240.0),
            (X0 + 150.0, Y0 + 200.0),
        ]));
        spec.layers.push(
            DrawLayer::new("红色地块", Style::area(RED, None, 0.0))
                .with_items(vec![DrawItem::new(Geometry::Polygon(poly))]),
        );
        spec.layers.push(
            DrawLayer::new("道路", Style::line(BLUE, 4.0)).with_items(vec![DrawItem::new(
                Geometry::LineString(LineString::from(vec![
                    (X0 + 20.0, Y0 + 60.0),
                    (X0 + 380.0, Y0 + 60.0),
                ])),
            )]),
        );
        spec.layers.push(
            DrawLayer::new(
                "设施",
                Style::points(PointSymbol {
                    shape: Shape::Square,
                    size_px: 14.0,
                    fill: Some(GREEN),
                    stroke: None,
                }),
            )
            .with_items(vec![DrawItem::new(Geometry::Point(Point::new(
                X0 + 320.0,
                Y0 + 150.0,
            )))]),
        );
        spec
    }

    #[test]
    fn polygons_lines_and_points_land_where_they_should() {
        let spec = tiny_spec();
        let pm = render(&spec).unwrap();
        let (_, v) = layout(&spec).unwrap();
        // Polygon interior is red, its hole and the outside are background.
        let (x, y) = px(&v, X0 + 80.0, Y0 + 230.0);
        assert_eq!(rgb_at(&pm, x, y), (255, 0, 0));
        let (x, y) = px(&v, X0 + 170.0, Y0 + 220.0);
        assert_eq!(rgb_at(&pm, x, y), (255, 255, 255), "hole filled");
        let (x, y) = px(&v, X0 + 300.0, Y0 + 250.0);
        assert_eq!(rgb_at(&pm, x, y), (255, 255, 255));
        // North is up: the polygon in the north of the extent is in the upper half of the image.
        let (mut top, mut bottom) = (0, 0);
        for yy in 0..300 {
            for xx in 0..400 {
                if rgb_at(&pm, xx as f64, yy as f64) == (255, 0, 0) {
                    if yy < 150 { top += 1 } else { bottom += 1 }
                }
            }
        }
        assert!(top > 5000 && bottom == 0, "red above {top}, below {bottom}");
        // The line: on it blue, 10 px off it background.
        let (x, y) = px(&v, X0 + 200.0, Y0 + 60.0);
        assert_eq!(rgb_at(&pm, x, y), (0, 0, 255));
        assert_eq!(rgb_at(&pm, x, y - 10.0), (255, 255, 255));
        // The point symbol's centre.
        let (x, y) = px(&v, X0 + 320.0, Y0 + 150.0);
        assert_eq!(rgb_at(&pm, x, y), (0, 200, 0));
        assert_eq!(rgb_at(&pm, x + 12.0, y), (255, 255, 255));
    }

    #[test]
    fn geometry_is_clipped_to_the_map_frame() {
        let mut spec = tiny_spec();
        spec.layers = vec![
            DrawLayer::new("巨大", Style::area(RED, Some(BLUE), 6.0)).with_items(vec![
                DrawItem::new(Geometry::Polygon(square(
                    X0 - 1e5,
                    Y0 - 1e5,
                    X0 + 1e5,
                    Y0 + 1e5,
                ))),
            ]),
        ];
        let pm = render(&spec).unwrap();
        let (lay, _) = layout(&spec).unwrap();
        assert!(lay.map.x0 >= 1.0 && lay.furniture);
        let cx = (lay.map.x0 + lay.map.x1) as f64 / 2.0;
        let cy = (lay.map.y0 + lay.map.y1) as f64 / 2.0;
        assert_eq!(rgb_at(&pm, cx, cy), (255, 0, 0));
        assert_eq!(rgb_at(&pm, lay.map.x0 as f64 + 2.0, cy), (255, 0, 0));
        // The margin outside the frame stays background.
        assert_eq!(rgb_at(&pm, 0.0, 0.0), (255, 255, 255));
        assert_eq!(rgb_at(&pm, 399.0, 299.0), (255, 255, 255));
    }

    fn ink_in(pm: &Pixmap, b: &BoxPx) -> usize {
        let mut n = 0;
        for y in b.y0.max(0.0) as u32..(b.y1 as u32).min(pm.height()) {
            for x in b.x0.max(0.0) as u32..(b.x1 as u32).min(pm.width()) {
                let p = pm.pixel(x, y).unwrap();
                if (p.red() as u32 + p.green() as u32 + p.blue() as u32) < 3 * 200 {
                    n += 1;
                }
            }
        }
        n
    }

    #[test]
    fn furniture_title_legend_scale_bar_and_north_arrow_are_drawn() {
        let mut spec = tiny_spec();
        spec.width_px = 800;
        spec.height_px = 600;
        spec.title = "生活圈覆盖 缺口".into();
        spec.legend = true;
        spec.scale_bar = true;
        spec.north_arrow = true;
        spec.attribution = Some("© OpenStreetMap contributors".into());
        let pm = render(&spec).unwrap();
        let (lay, v) = layout(&spec).unwrap();
        let font = text::font().unwrap();
        // Chinese title: ink in the band above the map, centred.
        let band = BoxPx::new(0.0, 0.0, 800.0, lay.map.y0 - 2.0);
        assert!(lay.map.y0 > 25.0, "no room for the title: {:?}", lay.map);
        let title_ink = ink_in(&pm, &band);
        assert!(title_ink > 300, "title ink {title_ink}");
        let left = ink_in(&pm, &BoxPx { x1: 300.0, ..band });
        let right = ink_in(&pm, &BoxPx { x0: 500.0, ..band });
        assert!(left + right < title_ink, "title not centred");
        // Legend: a box with the red swatch and text.
        let lg =
            furniture::layout_legend(&font, &spec.legend_title, &spec.layers, &lay.map, lay.scale)
                .unwrap();
        assert!(lg.frame.x1 <= lay.map.x1 && lg.frame.y1 <= lay.map.y1);
        assert!(ink_in(&pm, &lg.frame) > 400);
        let mut red = 0;
        for y in lg.frame.y0 as u32..lg.frame.y1 as u32 {
            for x in lg.frame.x0 as u32..lg.frame.x1 as u32 {
                if rgb_at(&pm, x as f64, y as f64) == (255, 0, 0) {
                    red += 1;
                }
            }
        }
        assert!(red > 50, "legend red swatch {red}");
        // Scale bar: 800 px frame of a 400 m extent → at most ~100 m → 100 m.
        let attr = furniture::layout_attribution(
            &font,
            "© OpenStreetMap contributors",
            &lay.map,
            lay.scale,
        );
        let sb = furniture::layout_scale_bar(&font, &v, &lay.map, attr.y0, lay.scale).unwrap();
        assert_eq!(sb.length_m, 100.0);
        assert!(ink_in(&pm, &sb.frame) > 100);
        assert!(ink_in(&pm, &attr) > 50);
        // North arrow in the top-right corner of the frame.
        let n = furniture::layout_north_arrow(&font, &lay.map, lay.scale);
        assert!(n.x1 > lay.map.x1 - 60.0 && n.y0 < lay.map.y0 + 30.0);
        assert!(ink_in(&pm, &n) > 60);
    }

    #[test]
    fn an_empty_spec_renders_background_and_furniture() {
        let spec = MapSpec::new("空白地图", rect(0.0, 0.0, 1000.0, 1000.0), 640, 480);
        let pm = render(&spec).unwrap();
        let (lay, v) = layout(&spec).unwrap();
        let (x, y) = px(&v, 500.0, 500.0);
        assert_eq!(rgb_at(&pm, x, y), (255, 255, 255));
        let font = text::font().unwrap();
        let n = furniture::layout_north_arrow(&font, &lay.map, lay.scale);
        assert!(ink_in(&pm, &n) > 40);
        assert!(
            furniture::layout_legend(&font, &spec.legend_title, &spec.layers, &lay.map, lay.scale)
                .is_none()
        );
        let sb = furniture::layout_scale_bar(&font, &v, &lay.map, lay.map.y1, lay.scale).unwrap();
        assert!(ink_in(&pm, &sb.frame) > 40);
        // The extent is padded to the frame's aspect, not stretched.
        let frame_aspect = ((lay.map.x1 - lay.map.x0) / (lay.map.y1 - lay.map.y0)) as f64;
        assert!((v.extent_m.width() / v.extent_m.height() - frame_aspect).abs() < 1e-6);
        assert!(v.extent_m.height() >= 1000.0 - 1e-9 && v.extent_m.width() > 1000.0);
    }

    #[test]
    fn bad_sizes_and_extents_are_clear_errors_and_tiny_images_work() {
        for (w, h) in [
            (0, 0),
            (0, 100),
            (100, 0),
            (MAX_SIZE_PX + 1, 10),
            (10, 40_000),
        ] {
            let spec = MapSpec::new("测试图", rect(0.0, 0.0, 1.0, 1.0), w, h);
            let e = render(&spec).unwrap_err().to_string();
            assert!(
                e.contains(&format!("{w}×{h}")) && e.contains("16384"),
                "{e}"
            );
            assert!(e.contains("测试图"), "{e}");
            assert!(render_png(&spec).is_err());
        }
        let spec = MapSpec::new("x", rect(0.0, 0.0, f64::NAN, 1.0), 100, 100);
        assert!(
            render(&spec)
                .unwrap_err()
                .to_string()
                .contains("not a finite")
        );
        for (w, h) in [(1, 1), (10, 10), (199, 500), (3, 900)] {
            let mut spec = tiny_spec();
            spec.width_px = w;
            spec.height_px = h;
            spec.legend = true;
            spec.scale_bar = true;
            spec.north_arrow = true;
            let pm = render(&spec).unwrap();
            assert_eq!((pm.width(), pm.height()), (w, h));
        }
    }

    #[test]
    fn bad_geometry_is_skipped_without_panic() {
        let mut spec = tiny_spec();
        spec.layers.push(
            DrawLayer::new(
                "坏数据",
                Style::area(RED, Some(BLUE), f32::NAN).dashed(vec![-1.0]),
            )
            .with_items(vec![
                DrawItem::new(Geometry::Polygon(Polygon::new(LineString(vec![]), vec![]))),
                DrawItem::new(Geometry::LineString(LineString::from(vec![(X0, Y0)]))),
                DrawItem::new(Geometry::Point(Point::new(f64::NAN, Y0))).labelled("无"),
                DrawItem::new(Geometry::LineString(LineString::from(vec![
                    (X0, Y0),
                    (f64::INFINITY, Y0),
                ])))
                .labelled("无穷"),
            ]),
        );
        spec.legend = true;
        render(&spec).unwrap();
    }

    #[test]
    fn labels_never_overlap_each_other_or_the_legend() {
        let mut spec = tiny_spec();
        spec.width_px = 800;
        spec.height_px = 600;
        spec.legend = true;
        let items = (0..30)
            .map(|i| {
                DrawItem::new(Geometry::Point(Point::new(
                    X0 + 200.0 + (i % 3) as f64,
                    Y0 + 150.0,
                )))
                .labelled(format!("缺口 G{i} · 420人"))
            })
            .chain((0..30).map(|i| {
                DrawItem::new(Geometry::Polygon(square(
                    X0 + 20.0 + i as f64,
                    Y0 + 100.0,
                    X0 + 150.0,
                    Y0 + 140.0,
                )))
                .labelled("角落标注")
            }))
            .collect();
        spec.layers
            .push(DrawLayer::new("标注", Style::line(BLUE, 1.0)).with_items(items));
        let font = text::font().unwrap();
        let (lay, v) = layout(&spec).unwrap();
        let lg =
            furniture::layout_legend(&font, &spec.legend_title, &spec.layers, &lay.map, lay.scale)
                .unwrap();
        let mut placer = LabelPlacer::new(lay.map);
        placer.reserve(lg.frame);
        let mut pm = Pixmap::new(800, 600).unwrap();
        let placed = draw_labels(&mut pm, &font, &spec, &v, &mut placer, lay.scale);
        // Four places around the shared point, three around the shared polygon centre.
        assert_eq!(placed.len(), 7, "{placed:?}");
        for (i, a) in placed.iter().enumerate() {
            assert!(!a.overlaps(&lg.frame), "label over the legend");
            assert!(a.inside(&lay.map));
            for b in &placed[i + 1..] {
                assert!(!a.overlaps(b), "{a:?} overlaps {b:?}");
            }
        }
    }

    #[test]
    fn per_item_style_overrides_the_layer() {
        let mut spec = tiny_spec();
        spec.layers[0].items[0].style = Some(Style::area(GREEN, None, 0.0));
        let pm = render(&spec).unwrap();
        let (_, v) = layout(&spec).unwrap();
        let (x, y) = px(&v, X0 + 80.0, Y0 + 230.0);
        assert_eq!(rgb_at(&pm, x, y), (0, 200, 0));
    }

    #[test]
    fn png_round_trips_and_save_reports_the_path() {
        let spec = tiny_spec();
        let bytes = render_png(&spec).unwrap();
        assert_eq!(&bytes[..8], b"\x89PNG\r\n\x1a\n");
        let back = Pixmap::decode_png(&bytes).unwrap();
        assert_eq!((back.width(), back.height()), (400, 300));
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("map.png");
        save_png(&spec, &path).unwrap();
        assert_eq!(std::fs::read(&path).unwrap(), bytes);
        let bad = dir.path().join("no-such-dir").join("map.png");
        let e = save_png(&spec, &bad).unwrap_err().to_string();
        assert!(e.contains("no-such-dir"), "{e}");
    }

    #[test]
    fn rgba_hex() {
        assert_eq!(Rgba::from_hex("#1a9850"), Some(Rgba::rgb(0x1a, 0x98, 0x50)));
        assert_eq!(Rgba::from_hex("ff000080"), Some(RED.with_alpha(0x80)));
        assert_eq!(Rgba::from_hex("#12345"), None);
        assert_eq!(Rgba::from_hex("#gg0000"), None);
        assert_eq!(RED.to_hex(), "#ff0000");
        assert_eq!(RED.with_alpha(0x80).to_hex(), "#ff000080");
    }

    #[test]
    fn the_legend_title_is_the_spec_s_language() {
        let font = text::font().expect("font");
        let spec = tiny_spec();
        let (lay, _) = layout_with(&spec, &font);
        let zh = furniture::layout_legend(&font, "图例", &spec.layers, &lay.map, lay.scale)
            .expect("legend");
        let long = "Legend of the whole town map";
        let en = furniture::layout_legend(&font, long, &spec.layers, &lay.map, lay.scale)
            .expect("legend");
        assert_eq!(zh.title(), "图例");
        assert_eq!(en.title(), long);
        assert!(
            en.frame.x1 - en.frame.x0 > zh.frame.x1 - zh.frame.x0,
            "sized to its title"
        );
        assert_eq!(MapSpec::new("", spec.extent_m, 10, 10).legend_title, "图例");
    }
}
