//! Geometry to tiny-skia paths: polygons with holes (even-odd), lines clipped to the frame before
//! stroking (so dashes never run along kilometres of invisible line), point symbols.

use geo_types::{Coord, Geometry, LineString, Polygon};
use tiny_skia::{
    FillRule, LineCap, LineJoin, Paint, Path, PathBuilder, Pixmap, Stroke, StrokeDash, Transform,
};

use super::symbols;
use super::view::View;
use super::{PointSymbol, Rgba, Shape, Style};

/// A solid anti-aliased paint.
pub fn paint(c: Rgba) -> Paint<'static> {
    let mut p = Paint::default();
    p.set_color_rgba8(c.r, c.g, c.b, c.a);
    p.anti_alias = true;
    p
}

/// A tiny-skia stroke for a style's width and dash (an odd dash list is repeated, as SVG does;
/// an unusable one draws solid).
pub fn stroke_for(width_px: f32, dash: Option<&[f32]>) -> Stroke {
    let mut s = Stroke {
        width: if width_px.is_finite() {
            width_px.max(0.0)
        } else {
            1.0
        },
        line_cap: LineCap::Round,
        line_join: LineJoin::Round,
        ..Stroke::default()
    };
    if let Some(d) = dash
        && !d.is_empty()
        && d.iter().all(|v| v.is_finite() && *v >= 0.0)
        && d.iter().sum::<f32>() > 0.0
    {
        let mut v = d.to_vec();
        if v.len() % 2 == 1 {
            v.extend_from_slice(d);
        }
        s.dash = StrokeDash::new(v, 0.0);
        // Round caps would close short gaps; dashed lines get butt caps.
        s.line_cap = LineCap::Butt;
    }
    s
}

/// The clip rectangle for strokes in frame pixels: the frame grown by `margin_px`.
#[derive(Debug, Clone, Copy)]
pub struct ClipPx {
    pub x0: f64,
    pub y0: f64,
    pub x1: f64,
    pub y1: f64,
}

/// Liang–Barsky: the part of segment a→b inside `r`, as parameters (t0, t1) along it.
fn clip_segment(a: (f64, f64), b: (f64, f64), r: &ClipPx) -> Option<(f64, f64)> {
    let (dx, dy) = (b.0 - a.0, b.1 - a.1);
    let mut t0 = 0.0f64;
    let mut t1 = 1.0f64;
    for (p, q) in [
        (-dx, a.0 - r.x0),
        (dx, r.x1 - a.0),
        (-dy, a.1 - r.y0),
        (dy, r.y1 - a.1),
    ] {
        if p == 0.0 {
            if q < 0.0 {
                return None;
            }
        } else {
            let t = q / p;
            if p < 0.0 {
                t0 = t0.max(t);
            } else {
                t1 = t1.min(t);
            }
            if t0 > t1 {
                return None;
            }
        }
    }
    Some((t0, t1))
}

/// Append a polyline (pixel coordinates) to `pb`, clipped to `clip`, as one or more subpaths.
fn push_clipped_polyline(pb: &mut PathBuilder, pts: &[(f64, f64)], clip: &ClipPx) {
    let mut open = false;
    for w in pts.windows(2) {
        let (a, b) = (w[0], w[1]);
        match clip_segment(a, b, clip) {
            None => open = false,
            Some((t0, t1)) => {
                let at = |t: f64| (a.0 + (b.0 - a.0) * t, a.1 + (b.1 - a.1) * t);
                if !open || t0 > 0.0 {
                    let s = at(t0);
                    pb.move_to(s.0 as f32, s.1 as f32);
                }
                let e = at(t1);
                pb.line_to(e.0 as f32, e.1 as f32);
                open = t1 >= 1.0;
            }
        }
    }
}

fn ring_px(ring: &LineString<f64>, view: &View) -> Vec<(f64, f64)> {
    ring.0.iter().map(|c| view.to_px(*c)).collect()
}

fn fully_inside(pts: &[(f64, f64)], clip: &ClipPx) -> bool {
    pts.iter()
        .all(|p| p.0 >= clip.x0 && p.0 <= clip.x1 && p.1 >= clip.y0 && p.1 <= clip.y1)
}

fn polygon_paths(poly: &Polygon<f64>, view: &View, clip: &ClipPx) -> (Option<Path>, Option<Path>) {
    let rings: Vec<Vec<(f64, f64)>> = std::iter::once(poly.exterior())
        .chain(poly.interiors())
        .filter(|r| r.0.len() >= 3)
        .map(|r| ring_px(r, view))
        .collect();
    if rings.is_empty() {
        return (None, None);
    }
    let mut fill = PathBuilder::new();
    for r in &rings {
        fill.move_to(r[0].0 as f32, r[0].1 as f32);
        for p in &r[1..] {
            fill.line_to(p.0 as f32, p.1 as f32);
        }
        fill.close();
    }
    let fill = fill.finish();
    let outline = if rings.iter().all(|r| fully_inside(r, clip)) {
        fill.clone()
    } else {
        let mut pb = PathBuilder::new();
        for r in &rings {
            let mut closed = r.clone();
            if closed.first() != closed.last() {
                closed.push(r[0]);
            }
            push_clipped_polyline(&mut pb, &closed, clip);
        }
        pb.finish()
    };
    (fill, outline)
}

fn line_path(line: &LineString<f64>, view: &View, clip: &ClipPx) -> Option<Path> {
    if line.0.len() < 2 {
        return None;
    }
    let pts = ring_px(line, view);
    let mut pb = PathBuilder::new();
    if fully_inside(&pts, clip) {
        pb.move_to(pts[0].0 as f32, pts[0].1 as f32);
        for p in &pts[1..] {
            pb.line_to(p.0 as f32, p.1 as f32);
        }
    } else {
        push_clipped_polyline(&mut pb, &pts, clip);
    }
    pb.finish()
}

/// The symbol drawn for points of a style: its own, or a small circle in the style's colours.
pub fn symbol_of(style: &Style) -> PointSymbol {
    style.point.clone().unwrap_or(PointSymbol {
        shape: Shape::Circle,
        size_px: 6.0,
        fill: style.fill.or(style.stroke).or(Some(Rgba::rgb(0, 0, 0))),
        stroke: if style.fill.is_some() {
            style.stroke
        } else {
            None
        },
    })
}

/// The outline path of a symbol centred at (cx, cy).
pub fn symbol_path(shape: Shape, size_px: f32, cx: f32, cy: f32) -> Option<Path> {
    let r = (size_px / 2.0).max(0.5);
    let poly = |pts: &[(f32, f32)]| {
        let mut pb = PathBuilder::new();
        let (x, y) = pts[0];
        pb.move_to(cx + x, cy + y);
        for &(x, y) in &pts[1..] {
            pb.line_to(cx + x, cy + y);
        }
        pb.close();
        pb.finish()
    };
    match shape {
        Shape::Circle => PathBuilder::from_circle(cx, cy, r),
        Shape::Square => {
            let h = r * 0.9;
            poly(&[(-h, -h), (h, -h), (h, h), (-h, h)])
        }
        Shape::Diamond => poly(&symbols::regular(4, -90.0, r)),
        // Equilateral, centred on its centroid, point up.
        Shape::Triangle => poly(&symbols::regular(3, -90.0, r * 1.15)),
        Shape::Star => poly(&symbols::star(r * 1.1)),
        Shape::Cross => poly(&symbols::cross(r)),
    }
}

/// Draw a point symbol centred at (cx, cy).
pub fn draw_symbol(pm: &mut Pixmap, sym: &PointSymbol, cx: f32, cy: f32) {
    let Some(path) = symbol_path(sym.shape, sym.size_px, cx, cy) else {
        return;
    };
    if let Some(f) = sym.fill {
        pm.fill_path(
            &path,
            &paint(f),
            FillRule::Winding,
            Transform::identity(),
            None,
        );
    }
    if let Some(s) = sym.stroke {
        let w = (sym.size_px / 8.0).clamp(1.0, 3.0);
        pm.stroke_path(
            &path,
            &paint(s),
            &stroke_for(w, None),
            Transform::identity(),
            None,
        );
    }
}

/// Point symbols drawn once per symbol and quarter-pixel position into a small image, then
/// blended where each point is: a town's report maps draw thousands of points, and stroking
/// and filling a path for every one of them was a tenth of a town's analysis. A point moves by
/// at most an eighth of a pixel.
#[derive(Default)]
pub struct Stamps {
    cache: std::cell::RefCell<std::collections::HashMap<StampKey, Option<Stamp>>>,
}

/// A symbol (shape, size bits, fill, stroke) and its quarter-pixel offset (0–3 each way).
type StampKey = (Shape, u32, Option<Rgba>, Option<Rgba>, u8, u8);

struct Stamp {
    pm: Pixmap,
    /// The pixel of the stamp's (0, 0), relative to the point's whole pixel.
    offset: i64,
}

impl Stamps {
    /// Draw `sym` centred at (cx, cy), as [`draw_symbol`] does.
    pub fn draw(&self, pm: &mut Pixmap, sym: &PointSymbol, cx: f32, cy: f32) {
        let quarter = |v: f32| {
            let q = (v * 4.0).round();
            ((q / 4.0).floor() as i64, (q.rem_euclid(4.0)) as u8)
        };
        let ((ix, qx), (iy, qy)) = (quarter(cx), quarter(cy));
        let key = (
            sym.shape,
            sym.size_px.to_bits(),
            sym.fill,
            sym.stroke,
            qx,
            qy,
        );
        let mut cache = self.cache.borrow_mut();
        let stamp = cache.entry(key).or_insert_with(|| {
            let r = (sym.size_px / 2.0 + 4.0).ceil().max(2.0);
            let side = (2.0 * r) as u32 + 2;
            let mut st = Pixmap::new(side, side)?;
            draw_symbol(
                &mut st,
                sym,
                r + f32::from(qx) / 4.0,
                r + f32::from(qy) / 4.0,
            );
            Some(Stamp {
                pm: st,
                offset: -(r as i64),
            })
        });
        if let Some(stamp) = stamp {
            blend_over(pm, ix + stamp.offset, iy + stamp.offset, &stamp.pm);
        }
    }
}

/// Premultiplied source-over of `src` onto `dst` with its (0, 0) at (x0, y0), clipped.
fn blend_over(dst: &mut Pixmap, x0: i64, y0: i64, src: &Pixmap) {
    let (dw, dh) = (i64::from(dst.width()), i64::from(dst.height()));
    let (sw, sh) = (i64::from(src.width()), i64::from(src.height()));
    let s = src.data();
    let d = dst.data_mut();
    for y in y0.max(0)..(y0 + sh).min(dh) {
        for x in x0.max(0)..(x0 + sw).min(dw) {
            let si = (((y - y0) * sw + (x - x0)) * 4) as usize;
            let sa = u32::from(s[si + 3]);
            if sa == 0 {
                continue;
            }
            let di = ((y * dw + x) * 4) as usize;
            let inv = 255 - sa;
            for k in 0..4 {
                let v = u32::from(s[si + k]) + (u32::from(d[di + k]) * inv + 127) / 255;
                d[di + k] = v.min(255) as u8;
            }
        }
    }
}

/// Everything needed to draw one geometry.
pub struct Painter<'a> {
    pub view: &'a View,
    pub clip: ClipPx,
    pub stamps: Stamps,
}

impl Painter<'_> {
    /// Draw a geometry in a style (fill then outline; lines stroked; points as symbols).
    pub fn draw(&self, pm: &mut Pixmap, g: &Geometry<f64>, style: &Style) {
        match g {
            Geometry::Point(p) => self.draw_point(pm, p.0, style),
            Geometry::MultiPoint(mp) => {
                for p in &mp.0 {
                    self.draw_point(pm, p.0, style);
                }
            }
            Geometry::Line(l) => {
                self.draw_line(pm, &LineString(vec![l.start, l.end]), style);
            }
            Geometry::LineString(l) => self.draw_line(pm, l, style),
            Geometry::MultiLineString(ml) => {
                for l in &ml.0 {
                    self.draw_line(pm, l, style);
                }
            }
            Geometry::Polygon(p) => self.draw_polygon(pm, p, style),
            Geometry::MultiPolygon(mp) => {
                for p in &mp.0 {
                    self.draw_polygon(pm, p, style);
                }
            }
            Geometry::Rect(r) => self.draw_polygon(pm, &r.to_polygon(), style),
            Geometry::Triangle(t) => self.draw_polygon(pm, &t.to_polygon(), style),
            Geometry::GeometryCollection(gc) => {
                for g in &gc.0 {
                    self.draw(pm, g, style);
                }
            }
        }
    }

    fn draw_point(&self, pm: &mut Pixmap, c: Coord<f64>, style: &Style) {
        let (x, y) = self.view.to_px(c);
        let sym = symbol_of(style);
        let m = sym.size_px as f64;
        if x.is_finite()
            && y.is_finite()
            && x >= self.clip.x0 - m
            && x <= self.clip.x1 + m
            && y >= self.clip.y0 - m
            && y <= self.clip.y1 + m
        {
            self.stamps.draw(pm, &sym, x as f32, y as f32);
        }
    }

    fn draw_line(&self, pm: &mut Pixmap, l: &LineString<f64>, style: &Style) {
        let Some(colour) = style.stroke.or(style.fill) else {
            return;
        };
        if let Some(path) = line_path(l, self.view, &self.clip) {
            pm.stroke_path(
                &path,
                &paint(colour),
                &stroke_for(style.stroke_width_px, style.dash.as_deref()),
                Transform::identity(),
                None,
            );
        }
    }

    fn draw_polygon(&self, pm: &mut Pixmap, p: &Polygon<f64>, style: &Style) {
        if style.fill.is_none() && style.stroke.is_none() {
            return;
        }
        let (fill, outline) = polygon_paths(p, self.view, &self.clip);
        if let (Some(f), Some(path)) = (style.fill, &fill) {
            pm.fill_path(
                path,
                &paint(f),
                FillRule::EvenOdd,
                Transform::identity(),
                None,
            );
        }
        if let (Some(s), Some(path)) = (style.stroke, &outline) {
            pm.stroke_path(
                path,
                &paint(s),
                &stroke_for(style.stroke_width_px, style.dash.as_deref()),
                Transform::identity(),
                None,
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A stamped symbol is the symbol drawn in place: at quarter-pixel positions within
    /// rounding (≤ 3 of 255 per channel); a symbol cut by the image's edge within 32 (tiny-skia
    /// anti-aliases a clipped path's outline a little differently), for every shape,
    /// with and without an outline, over a coloured background.
    #[test]
    fn stamped_symbols_equal_symbols_drawn_in_place() {
        let syms = [
            PointSymbol::filled(Shape::Circle, 9.0, Rgba::rgb(200, 30, 30)),
            PointSymbol {
                shape: Shape::Star,
                size_px: 14.0,
                fill: Some(Rgba::rgb(20, 90, 200)),
                stroke: None,
            },
            PointSymbol {
                shape: Shape::Square,
                size_px: 6.0,
                fill: None,
                stroke: Some(Rgba::rgb(0, 0, 0)),
            },
            PointSymbol::filled(Shape::Triangle, 11.0, Rgba::rgb(30, 160, 60)),
        ];
        let stamps = Stamps::default();
        for sym in &syms {
            for (cx, cy) in [
                (20.0, 20.0),
                (20.25, 31.5),
                (33.75, 12.0),
                (1.5, 2.25),
                (47.0, 39.75),
            ] {
                let mut a = Pixmap::new(48, 40).unwrap();
                a.fill(tiny_skia::Color::from_rgba8(240, 230, 200, 255));
                let mut b = a.clone();
                draw_symbol(&mut a, sym, cx, cy);
                stamps.draw(&mut b, sym, cx, cy);
                for (i, (p, q)) in a.data().iter().zip(b.data()).enumerate() {
                    let (x, y) = ((i / 4) % 48, (i / 4) / 48);
                    let edge = x == 0 || y == 0 || x == 47 || y == 39;
                    let cut = cx < 10.0 || cy < 10.0 || cx > 38.0 || cy > 30.0;
                    let allowed = if edge || cut { 32 } else { 3 };
                    assert!(
                        p.abs_diff(*q) <= allowed,
                        "{sym:?} at ({cx}, {cy}): pixel ({x}, {y}) {p} vs {q}"
                    );
                }
                assert!(a.data() != Pixmap::new(48, 40).unwrap().data());
            }
        }
        // One image per symbol and quarter position, made once.
        assert!(stamps.cache.borrow().len() <= syms.len() * 5);
    }

    #[test]
    fn clipping_keeps_the_inside_part() {
        let r = ClipPx {
            x0: 0.0,
            y0: 0.0,
            x1: 10.0,
            y1: 10.0,
        };
        assert_eq!(
            clip_segment((-5.0, 5.0), (15.0, 5.0), &r),
            Some((0.25, 0.75))
        );
        assert_eq!(clip_segment((1.0, 1.0), (2.0, 2.0), &r), Some((0.0, 1.0)));
        assert_eq!(clip_segment((-5.0, -5.0), (-1.0, 20.0), &r), None);
        assert_eq!(clip_segment((20.0, 5.0), (20.0, 6.0), &r), None);
        // A polyline leaving and re-entering becomes two subpaths.
        let mut pb = PathBuilder::new();
        push_clipped_polyline(
            &mut pb,
            &[(1.0, 1.0), (50.0, 1.0), (50.0, 9.0), (1.0, 9.0)],
            &r,
        );
        let path = pb.finish().unwrap();
        let moves = path
            .segments()
            .filter(|s| matches!(s, tiny_skia::PathSegment::MoveTo(_)))
            .count();
        assert_eq!(moves, 2);
        let b = path.bounds();
        assert!(b.left() >= 0.0 && b.right() <= 10.0);
    }

    #[test]
    fn every_symbol_has_a_path_centred_on_the_point() {
        for shape in [
            Shape::Circle,
            Shape::Square,
            Shape::Triangle,
            Shape::Diamond,
            Shape::Star,
            Shape::Cross,
        ] {
            let p = symbol_path(shape, 20.0, 50.0, 40.0).unwrap();
            let b = p.bounds();
            assert!(b.left() < 50.0 && b.right() > 50.0, "{shape:?}");
            assert!(b.top() < 40.0 && b.bottom() > 40.0, "{shape:?}");
            assert!(b.width() >= 14.0 && b.width() <= 24.0, "{shape:?} {b:?}");
        }
    }

    #[test]
    fn odd_dashes_repeat_and_bad_dashes_draw_solid() {
        assert!(stroke_for(2.0, Some(&[4.0, 2.0])).dash.is_some());
        assert!(stroke_for(2.0, Some(&[4.0])).dash.is_some());
        assert!(stroke_for(2.0, Some(&[f32::NAN, 2.0])).dash.is_none());
        assert!(stroke_for(2.0, Some(&[0.0, 0.0])).dash.is_none());
        assert!(stroke_for(2.0, Some(&[])).dash.is_none());
        assert_eq!(stroke_for(f32::INFINITY, None).width, 1.0);
    }
}
