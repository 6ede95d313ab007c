//! Text with the embedded Noto Sans SC subset: layout and glyph coverage with ab_glyph, an
//! optional halo (a dilated copy of the coverage) so labels stay readable over map features, and
//! blending straight into the pixmap. Also a tiny label placer that refuses overlapping boxes.

use ab_glyph::{Font, FontRef, GlyphId, PxScale, ScaleFont, point};
use tiny_skia::Pixmap;

use super::Rgba;
use crate::error::Error;

/// Noto Sans SC (SIL Open Font License, see assets/fonts/OFL.txt), subset to the characters a
/// Chinese planning report needs.
pub static FONT_BYTES: &[u8] = include_bytes!("../../assets/fonts/NotoSansSC-subset.otf");

/// The embedded font, parsed (cheap: tables are read lazily).
pub fn font() -> crate::Result<FontRef<'static>> {
    FontRef::try_from_slice(FONT_BYTES)
        .map_err(|e| Error::Config(format!("the embedded map font cannot be read ({e})")))
}

/// Whether the embedded font has a glyph for every non-whitespace character of `text`.
pub fn has_glyphs(font: &FontRef<'_>, text: &str) -> bool {
    text.chars()
        .filter(|c| !c.is_whitespace())
        .all(|c| font.glyph_id(c) != GlyphId(0))
}

/// ASCII stand-ins for characters the font subset lacks (e.g. "©" → "(c)"); any other missing
/// character is drawn as "?" so that a gap in the font is visible rather than silent.
fn substitute(c: char) -> &'static str {
    match c {
        '©' => "(c)",
        '®' => "(R)",
        '–' | '—' | '−' => "-",
        '…' => "...",
        '‘' | '’' => "'",
        '“' | '”' => "\"",
        '×' => "x",
        _ => "?",
    }
}

/// The glyph ids for `text`, missing characters replaced by [`substitute`].
fn glyph_ids(font: &FontRef<'_>, text: &str) -> Vec<GlyphId> {
    let mut ids = Vec::with_capacity(text.len());
    for c in text.chars().filter(|c| !c.is_control()) {
        let id = font.glyph_id(c);
        if id == GlyphId(0) && !c.is_whitespace() {
            ids.extend(substitute(c).chars().map(|s| font.glyph_id(s)));
        } else {
            ids.push(id);
        }
    }
    ids
}

/// A text's size as laid out.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct TextSize {
    pub width_px: f32,
    /// From the top of the line (ascent) to the baseline.
    pub ascent_px: f32,
    /// Ascent plus descent.
    pub height_px: f32,
}

/// The ab_glyph scale for a font size given as the em size in pixels (as CSS does).
fn px_scale(font: &FontRef<'_>, em_px: f32) -> PxScale {
    let upem = font.units_per_em().unwrap_or(1000.0);
    PxScale::from(em_px * font.height_unscaled() / upem)
}

/// Glyph ids and pen x positions of one line of text, and its advance width.
fn layout(font: &FontRef<'_>, text: &str, em_px: f32) -> (Vec<(GlyphId, f32)>, TextSize) {
    let sf = font.as_scaled(px_scale(font, em_px));
    let mut x = 0.0f32;
    let mut prev: Option<GlyphId> = None;
    let mut glyphs = Vec::with_capacity(text.len());
    for id in glyph_ids(font, text) {
        if let Some(p) = prev {
            x += sf.kern(p, id);
        }
        glyphs.push((id, x));
        x += sf.h_advance(id);
        prev = Some(id);
    }
    let size = TextSize {
        width_px: x,
        ascent_px: sf.ascent(),
        height_px: sf.ascent() - sf.descent(),
    };
    (glyphs, size)
}

/// The laid-out size of one line of `text` at `em_px`.
pub fn measure(font: &FontRef<'_>, text: &str, em_px: f32) -> TextSize {
    layout(font, text, em_px).1
}

/// How to paint a text.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct TextPaint {
    pub em_px: f32,
    pub colour: Rgba,
    /// A halo of this colour and radius (px) behind the glyphs.
    pub halo: Option<(Rgba, f32)>,
}

/// Draw one line of `text` with the top-left corner of its line box at (`left_px`, `top_px`).
pub fn draw_text(
    pixmap: &mut Pixmap,
    font: &FontRef<'_>,
    text: &str,
    left_px: f32,
    top_px: f32,
    paint: &TextPaint,
) {
    let scale = px_scale(font, paint.em_px);
    let (glyphs, size) = layout(font, text, paint.em_px);
    let baseline = size.ascent_px;
    let halo_r = paint.halo.map_or(0.0, |(_, r)| r.max(0.0));
    let pad = halo_r.ceil() as i64 + 1;
    // Pixel origin of the coverage buffer (whole pixels, so glyph edges land as laid out).
    let x0 = left_px.floor() as i64 - pad;
    let y0 = top_px.floor() as i64 - pad;
    let (fx, fy) = (left_px - left_px.floor(), top_px - top_px.floor());
    let w = (size.width_px.ceil() as i64 + 2 * pad + 2).max(1) as usize;
    let h = (size.height_px.ceil() as i64 + 2 * pad + 2).max(1) as usize;
    if w.saturating_mul(h) > 64 << 20 {
        return; // absurd text size: nothing sensible to draw
    }
    let mut cov = vec![0f32; w * h];
    for (id, pen_x) in glyphs {
        let g = id.with_scale_and_position(
            scale,
            point(pad as f32 + fx + pen_x, pad as f32 + fy + baseline),
        );
        if let Some(og) = font.outline_glyph(g) {
            let b = og.px_bounds();
            let (bx, by) = (b.min.x as i64, b.min.y as i64);
            og.draw(|gx, gy, c| {
                let (x, y) = (bx + gx as i64, by + gy as i64);
                if x >= 0 && y >= 0 && (x as usize) < w && (y as usize) < h {
                    let i = y as usize * w + x as usize;
                    cov[i] = (cov[i] + c).min(1.0);
                }
            });
        }
    }
    if let Some((halo_colour, _)) = paint.halo
        && halo_r > 0.0
    {
        let halo = dilate(&cov, w, h, halo_r);
        blend(pixmap, &halo, w, h, x0, y0, halo_colour);
    }
    blend(pixmap, &cov, w, h, x0, y0, paint.colour);
}

/// Soft morphological dilation of a coverage buffer by a disc of radius `r` pixels.
fn dilate(cov: &[f32], w: usize, h: usize, r: f32) -> Vec<f32> {
    let ri = r.ceil() as i64;
    let mut offsets = Vec::new();
    for dy in -ri..=ri {
        for dx in -ri..=ri {
            let d = ((dx * dx + dy * dy) as f32).sqrt();
            let weight = (r + 0.5 - d).clamp(0.0, 1.0);
            if weight > 0.0 {
                offsets.push((dx, dy, weight));
            }
        }
    }
    let mut out = vec![0f32; w * h];
    for y in 0..h as i64 {
        for x in 0..w as i64 {
            let c = cov[y as usize * w + x as usize];
            if c <= 0.0 {
                continue;
            }
            for &(dx, dy, weight) in &offsets {
                let (nx, ny) = (x + dx, y + dy);
                if nx >= 0 && ny >= 0 && (nx as usize) < w && (ny as usize) < h {
                    let o = &mut out[ny as usize * w + nx as usize];
                    *o = o.max(c * weight);
                }
            }
        }
    }
    out
}

/// Source-over blend of `colour` with per-pixel coverage into the premultiplied pixmap.
fn blend(pixmap: &mut Pixmap, cov: &[f32], w: usize, h: usize, x0: i64, y0: i64, colour: Rgba) {
    let (pw, ph) = (pixmap.width() as i64, pixmap.height() as i64);
    let data = pixmap.data_mut();
    let ca = colour.a as f32 / 255.0;
    let (cr, cg, cb) = (colour.r as f32, colour.g as f32, colour.b as f32);
    for y in 0..h as i64 {
        let py = y0 + y;
        if py < 0 || py >= ph {
            continue;
        }
        for x in 0..w as i64 {
            let px = x0 + x;
            if px < 0 || px >= pw {
                continue;
            }
            let a = cov[y as usize * w + x as usize] * ca;
            if a <= 0.0 {
                continue;
            }
            let i = ((py * pw + px) * 4) as usize;
            let keep = 1.0 - a;
            let mix = |src: f32, dst: u8| (src * a + dst as f32 * keep).round().min(255.0) as u8;
            data[i] = mix(cr, data[i]);
            data[i + 1] = mix(cg, data[i + 1]);
            data[i + 2] = mix(cb, data[i + 2]);
            data[i + 3] = mix(255.0, data[i + 3]);
        }
    }
}

/// An axis-aligned box in pixels.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct BoxPx {
    pub x0: f32,
    pub y0: f32,
    pub x1: f32,
    pub y1: f32,
}

impl BoxPx {
    pub fn new(x: f32, y: f32, w: f32, h: f32) -> Self {
        BoxPx {
            x0: x,
            y0: y,
            x1: x + w,
            y1: y + h,
        }
    }

    pub fn overlaps(&self, o: &BoxPx) -> bool {
        self.x0 < o.x1 && o.x0 < self.x1 && self.y0 < o.y1 && o.y0 < self.y1
    }

    pub fn inside(&self, o: &BoxPx) -> bool {
        self.x0 >= o.x0 && self.y0 >= o.y0 && self.x1 <= o.x1 && self.y1 <= o.y1
    }
}

/// Places label boxes first come, first served: a box is refused when it leaves the bounds or
/// overlaps one already placed (or a reserved area such as the legend). A uniform grid keeps
/// the check cheap with thousands of candidates.
#[derive(Debug)]
pub struct LabelPlacer {
    bounds: BoxPx,
    cell_px: f32,
    cols: usize,
    rows: usize,
    cells: Vec<Vec<usize>>,
    boxes: Vec<BoxPx>,
}

impl LabelPlacer {
    pub fn new(bounds: BoxPx) -> Self {
        let cell_px = 64.0;
        let cols = (((bounds.x1 - bounds.x0) / cell_px).ceil().max(1.0) as usize).min(4096);
        let rows = (((bounds.y1 - bounds.y0) / cell_px).ceil().max(1.0) as usize).min(4096);
        LabelPlacer {
            bounds,
            cell_px,
            cols,
            rows,
            cells: vec![Vec::new(); cols * rows],
            boxes: Vec::new(),
        }
    }

    fn cell_range(&self, b: &BoxPx) -> (usize, usize, usize, usize) {
        let cx = |x: f32| {
            (((x - self.bounds.x0) / self.cell_px).floor().max(0.0) as usize).min(self.cols - 1)
        };
        let cy = |y: f32| {
            (((y - self.bounds.y0) / self.cell_px).floor().max(0.0) as usize).min(self.rows - 1)
        };
        (cx(b.x0), cx(b.x1), cy(b.y0), cy(b.y1))
    }

    /// Reserve an area (map furniture) without the bounds check.
    pub fn reserve(&mut self, b: BoxPx) {
        let (c0, c1, r0, r1) = self.cell_range(&b);
        let idx = self.boxes.len();
        self.boxes.push(b);
        for r in r0..=r1 {
            for c in c0..=c1 {
                self.cells[r * self.cols + c].push(idx);
            }
        }
    }

    /// Place `b` if it is inside the bounds and free; returns whether it was placed.
    pub fn try_place(&mut self, b: BoxPx) -> bool {
        if !b.inside(&self.bounds) {
            return false;
        }
        let (c0, c1, r0, r1) = self.cell_range(&b);
        for r in r0..=r1 {
            for c in c0..=c1 {
                if self.cells[r * self.cols + c]
                    .iter()
                    .any(|&i| self.boxes[i].overlaps(&b))
                {
                    return false;
                }
            }
        }
        self.reserve(b);
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_font_covers_the_chinese_the_maps_use() {
        let f = font().unwrap();
        for text in [
            "图例",
            "北",
            "缺口 G3 · 420人",
            "5分钟生活圈 15分钟 30分钟",
            "达标 基本达标 未达标 缺数据",
            "幼儿园 小学 卫生院 养老 菜市场 文化 体育 公交站",
            "OpenStreetMap contributors 0 500 m 1 km",
            "双浦镇 清溪村 建筑 道路 镇域",
        ] {
            assert!(has_glyphs(&f, text), "missing glyphs in {text}");
        }
        assert!(!has_glyphs(&f, "\u{10FFFD}"));
        // The subset has no "©": it is spelled "(c)", same width as the ASCII text.
        assert!(!has_glyphs(&f, "©"));
        let a = measure(&f, "© OSM", 20.0).width_px;
        let b = measure(&f, "(c) OSM", 20.0).width_px;
        assert!((a - b).abs() < 0.01, "{a} {b}");
        let unknown = measure(&f, "\u{10FFFD}", 20.0).width_px;
        assert!((unknown - measure(&f, "?", 20.0).width_px).abs() < 0.01);
    }

    #[test]
    fn measure_grows_with_text_and_size() {
        let f = font().unwrap();
        let a = measure(&f, "北", 20.0);
        let b = measure(&f, "北北", 20.0);
        let c = measure(&f, "北", 40.0);
        // A CJK ideograph advances one em.
        assert!((a.width_px - 20.0).abs() < 0.5, "{a:?}");
        assert!((b.width_px - 2.0 * a.width_px).abs() < 0.01);
        assert!((c.width_px - 2.0 * a.width_px).abs() < 0.01);
        assert!(a.height_px > 20.0 && a.ascent_px > 0.0 && a.ascent_px < a.height_px);
    }

    #[test]
    fn chinese_text_puts_ink_inside_its_box_and_the_halo_around_it() {
        let f = font().unwrap();
        let mut pm = Pixmap::new(120, 60).unwrap();
        pm.fill(tiny_skia::Color::from_rgba8(0, 0, 255, 255));
        let paint = TextPaint {
            em_px: 32.0,
            colour: Rgba::rgb(0, 0, 0),
            halo: Some((Rgba::rgb(255, 255, 255), 3.0)),
        };
        draw_text(&mut pm, &f, "北京", 10.0, 10.0, &paint);
        let size = measure(&f, "北京", 32.0);
        let (mut dark, mut white) = (0, 0);
        for y in 0..60 {
            for x in 0..120 {
                let p = pm.pixel(x, y).unwrap();
                let inside = (x as f32) >= 7.0
                    && (x as f32) < 13.0 + size.width_px
                    && (y as f32) >= 7.0
                    && (y as f32) < 13.0 + size.height_px;
                if p.red() < 40 && p.green() < 40 && p.blue() < 40 {
                    dark += 1;
                    assert!(inside, "ink outside the text box at {x},{y}");
                }
                if p.red() > 220 && p.blue() > 220 {
                    white += 1;
                }
            }
        }
        assert!(dark > 150, "too little ink: {dark}");
        assert!(white > 100, "no halo: {white}");
    }

    #[test]
    fn placer_refuses_overlaps_and_boxes_outside() {
        let mut p = LabelPlacer::new(BoxPx::new(0.0, 0.0, 500.0, 300.0));
        p.reserve(BoxPx::new(400.0, 200.0, 100.0, 100.0));
        assert!(p.try_place(BoxPx::new(10.0, 10.0, 80.0, 20.0)));
        assert!(!p.try_place(BoxPx::new(50.0, 20.0, 80.0, 20.0)));
        assert!(p.try_place(BoxPx::new(50.0, 31.0, 80.0, 20.0)));
        assert!(!p.try_place(BoxPx::new(450.0, 250.0, 20.0, 20.0)));
        assert!(!p.try_place(BoxPx::new(490.0, 10.0, 20.0, 20.0)));
        assert!(p.try_place(BoxPx::new(130.0, 100.0, 300.0, 20.0)));
        assert!(!p.try_place(BoxPx::new(300.0, 90.0, 10.0, 40.0)));
    }
}
