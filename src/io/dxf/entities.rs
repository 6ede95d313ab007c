//! The entities towncircle reads, from their raw groups to world coordinates: LINE, LWPOLYLINE,
//! POLYLINE (2D and 3D), ARC, CIRCLE, POINT, INSERT (with its ATTRIBs), TEXT and MTEXT.

use geo_types::Coord;

use super::geom::{self, Ocs};
use super::structure::RawEntity;
use super::text;

/// The entity types read; everything else is counted and skipped.
pub(super) const READ: &[&str] = &[
    "LINE",
    "LWPOLYLINE",
    "POLYLINE",
    "ARC",
    "CIRCLE",
    "POINT",
    "INSERT",
    "TEXT",
    "MTEXT",
];

/// What an entity becomes.
#[derive(Debug, Clone, PartialEq)]
pub(super) enum Shape {
    /// POINT, INSERT.
    Point(Coord<f64>),
    /// TEXT, MTEXT: the middle of the text (estimated from its height, length and alignment).
    Text(Coord<f64>, String),
    /// Lines and rings; `closed`: a polyline's closed flag, a CIRCLE, or a polyline that ends
    /// where it begins.
    Path {
        coords: Vec<Coord<f64>>,
        closed: bool,
    },
}

/// A read entity, its strings decoded.
#[derive(Debug, Clone, PartialEq)]
pub(super) struct Item {
    pub layer: String,
    pub entity: &'static str,
    pub number: u64,
    pub handle: Option<String>,
    pub shape: Shape,
    /// INSERT: the block's name and its ATTRIBs (tag, value).
    pub block: Option<String>,
    pub attribs: Vec<(String, String)>,
}

/// The decoder of the drawing's strings.
pub(super) type Decode<'d> = &'d dyn Fn(&[u8]) -> String;

fn xyz(e: &RawEntity<'_>, code: i32) -> Option<[f64; 3]> {
    let x = e.f64(code)?;
    let y = e.f64(code + 10)?;
    Some([x, y, e.f64(code + 20).unwrap_or(0.0)])
}

fn finite(c: &[f64]) -> bool {
    c.iter().all(|v| v.is_finite())
}

fn ocs_of(e: &RawEntity<'_>) -> Ocs {
    match xyz(e, 210) {
        Some(n) if finite(&n) => Ocs::new(n),
        _ => Ocs::WORLD,
    }
}

/// A point group (10/20/30, 11/21/31…) in world coordinates, or why not.
fn point(e: &RawEntity<'_>, code: i32, ocs: &Ocs) -> Result<Coord<f64>, String> {
    match xyz(e, code) {
        Some(p) if finite(&p) => Ok(ocs.to_world(p[0], p[1], p[2])),
        Some(_) => Err(format!("its point (group {code}) is not a finite number")),
        None => Err(format!("it has no point (groups {code}/{})", code + 10)),
    }
}

fn radius(e: &RawEntity<'_>) -> Result<f64, String> {
    match e.f64(40) {
        Some(r) if r.is_finite() && r > 0.0 => Ok(r),
        Some(r) => Err(format!("its radius {r} is not a positive number")),
        None => Err("it has no radius (group 40)".into()),
    }
}

/// Ends where it starts (closed without the flag), with at least three other vertices.
fn ends_at_start(coords: &[Coord<f64>]) -> bool {
    match (coords.first(), coords.last()) {
        (Some(a), Some(b)) => coords.len() >= 4 && (a.x - b.x).hypot(a.y - b.y) < 1e-9,
        _ => false,
    }
}

fn path(coords: Vec<Coord<f64>>, closed_flag: bool) -> Result<Shape, String> {
    if !coords.iter().all(|c| c.x.is_finite() && c.y.is_finite()) {
        return Err("a vertex is not a finite number".into());
    }
    let closed = closed_flag || ends_at_start(&coords);
    let distinct = {
        let mut d: Vec<Coord<f64>> = coords.clone();
        d.dedup();
        if closed && d.len() > 1 && d.first() == d.last() {
            d.pop();
        }
        d.len()
    };
    if distinct < 2 {
        return Err(format!("it has {distinct} distinct vertex(es)"));
    }
    Ok(Shape::Path { coords, closed })
}

/// LWPOLYLINE: vertices (10, 20) in order, each followed by its bulge (42).
fn lwpolyline(e: &RawEntity<'_>) -> Result<Shape, String> {
    let mut v: Vec<(f64, f64, f64)> = Vec::new();
    let mut x = None;
    for p in &e.pairs {
        match p.code {
            10 => x = p.value.f64(),
            20 => {
                if let (Some(x), Some(y)) = (x.take(), p.value.f64()) {
                    v.push((x, y, 0.0));
                }
            }
            42 => {
                if let (Some(last), Some(b)) = (v.last_mut(), p.value.f64()) {
                    last.2 = b;
                }
            }
            _ => {}
        }
    }
    let closed = e.int(70).unwrap_or(0) & 1 == 1;
    let ocs = ocs_of(e);
    let z = e.f64(38).unwrap_or(0.0);
    let coords = geom::polyline(&v, closed)
        .into_iter()
        .map(|c| ocs.to_world(c.x, c.y, z))
        .collect();
    path(coords, closed)
}

/// POLYLINE with its VERTEXes: 2D (OCS) or 3D (world); meshes are not read.
fn polyline(e: &RawEntity<'_>) -> Result<Shape, String> {
    let flags = e.int(70).unwrap_or(0);
    if flags & (16 | 64) != 0 {
        return Err("it is a polygon or polyface mesh (3D surface), not a line".into());
    }
    let is_3d = flags & 8 != 0;
    let v: Vec<(f64, f64, f64)> = e
        .children
        .iter()
        // Spline frame control points (flag 16) are not on the curve.
        .filter(|c| c.int(70).unwrap_or(0) & 16 == 0)
        .filter_map(|c| Some((c.f64(10)?, c.f64(20)?, c.f64(42).unwrap_or(0.0))))
        .collect();
    let closed = flags & 1 == 1;
    let ocs = if is_3d { Ocs::WORLD } else { ocs_of(e) };
    let z = e.f64(30).unwrap_or(0.0);
    let pts = if is_3d {
        let flat: Vec<(f64, f64, f64)> = v.iter().map(|&(x, y, _)| (x, y, 0.0)).collect();
        geom::polyline(&flat, closed)
    } else {
        geom::polyline(&v, closed)
    };
    let coords = pts.into_iter().map(|c| ocs.to_world(c.x, c.y, z)).collect();
    path(coords, closed)
}

/// Roughly how wide a line of text is: CJK characters square, others 0.6 of the height.
fn text_width(s: &str, height: f64) -> f64 {
    s.chars()
        .map(|c| if (c as u32) >= 0x2E80 { 1.0 } else { 0.6 })
        .sum::<f64>()
        * height
}

fn rotate(dx: f64, dy: f64, angle: f64) -> (f64, f64) {
    let (s, c) = angle.sin_cos();
    (dx * c - dy * s, dx * s + dy * c)
}

/// TEXT: the middle of the text from its alignment point, height, length and rotation.
fn text_entity(e: &RawEntity<'_>, decode: Decode<'_>) -> Result<Shape, String> {
    let value = text::plain_text(&decode(e.bytes(1)));
    let ocs = ocs_of(e);
    let h_just = e.int(72).unwrap_or(0);
    let v_just = e.int(73).unwrap_or(0);
    let first = xyz(e, 10).filter(|p| finite(p));
    let second = xyz(e, 11).filter(|p| finite(p));
    let Some(first) = first.or(second) else {
        return Err("it has no position (groups 10/20)".into());
    };
    let height = e
        .f64(40)
        .filter(|h| h.is_finite() && *h > 0.0)
        .unwrap_or(1.0);
    let width = text_width(&value, height) * e.f64(41).filter(|w| *w > 0.0).unwrap_or(1.0);
    let rotation = e.f64(50).unwrap_or(0.0).to_radians();
    let (anchor, dx) = match (h_just, second) {
        (0, _) if v_just == 0 => (first, width / 2.0),
        (3 | 5, Some(s)) => (
            [(first[0] + s[0]) / 2.0, (first[1] + s[1]) / 2.0, first[2]],
            0.0,
        ),
        (_, Some(s)) => (
            s,
            match h_just {
                0 => width / 2.0,
                2 => -width / 2.0,
                _ => 0.0,
            },
        ),
        (_, None) => (first, 0.0),
    };
    let dy = match (h_just, v_just) {
        (4, _) | (_, 2) => 0.0,
        (_, 3) => -height / 2.0,
        _ => height / 2.0,
    };
    let (dx, dy) = rotate(dx, dy, rotation);
    let at = ocs.to_world(anchor[0] + dx, anchor[1] + dy, anchor[2]);
    Ok(Shape::Text(at, value))
}

/// MTEXT: its text (groups 3 then 1) without formatting, at the middle of its box.
fn mtext_entity(e: &RawEntity<'_>, decode: Decode<'_>) -> Result<Shape, String> {
    let mut raw: Vec<u8> = Vec::new();
    for p in e.pairs.iter().filter(|p| p.code == 3) {
        raw.extend_from_slice(p.value.bytes());
    }
    raw.extend_from_slice(e.bytes(1));
    let source = decode(&raw);
    let lines = source.matches("\\P").count() + 1;
    let value = text::plain_mtext(&source);
    let at = point(e, 10, &Ocs::WORLD)?;
    let height = e
        .f64(40)
        .filter(|h| h.is_finite() && *h > 0.0)
        .unwrap_or(1.0);
    let width = match e.f64(41) {
        Some(w) if w > 0.0 && w.is_finite() => w.min(text_width(&value, height)),
        _ => text_width(&value, height) / lines as f64,
    };
    let total = height * (lines as f64 * 1.667 - 0.667);
    let attach = e.int(71).unwrap_or(1).clamp(1, 9) - 1;
    let dx = match attach % 3 {
        0 => width / 2.0,
        1 => 0.0,
        _ => -width / 2.0,
    };
    let dy = match attach / 3 {
        0 => -total / 2.0,
        1 => 0.0,
        _ => total / 2.0,
    };
    let angle = match (e.f64(11), e.f64(21)) {
        (Some(x), Some(y)) if x.is_finite() && y.is_finite() && (x != 0.0 || y != 0.0) => {
            y.atan2(x)
        }
        _ => e.f64(50).unwrap_or(0.0),
    };
    let (dx, dy) = rotate(dx, dy, angle);
    Ok(Shape::Text(
        Coord {
            x: at.x + dx,
            y: at.y + dy,
        },
        value,
    ))
}

/// Read one entity of a kind in [`READ`]; Err says why it cannot be used.
pub(super) fn convert(e: &RawEntity<'_>, decode: Decode<'_>) -> Result<Item, String> {
    let (entity, shape, block, attribs): (&'static str, Shape, _, _) = match e.kind {
        "LINE" => {
            let (a, b) = (point(e, 10, &Ocs::WORLD)?, point(e, 11, &Ocs::WORLD)?);
            ("LINE", path(vec![a, b], false)?, None, Vec::new())
        }
        "LWPOLYLINE" => ("LWPOLYLINE", lwpolyline(e)?, None, Vec::new()),
        "POLYLINE" => ("POLYLINE", polyline(e)?, None, Vec::new()),
        "ARC" => {
            let ocs = ocs_of(e);
            let c = xyz(e, 10).filter(|p| finite(p)).ok_or("it has no centre")?;
            let r = radius(e)?;
            let (start, end) = (e.f64(50).unwrap_or(0.0), e.f64(51).unwrap_or(360.0));
            if !(start.is_finite() && end.is_finite()) {
                return Err("its angles are not finite numbers".into());
            }
            let pts = geom::arc_degrees(Coord { x: c[0], y: c[1] }, r, start, end);
            let coords = pts.iter().map(|p| ocs.to_world(p.x, p.y, c[2])).collect();
            ("ARC", path(coords, false)?, None, Vec::new())
        }
        "CIRCLE" => {
            let ocs = ocs_of(e);
            let c = xyz(e, 10).filter(|p| finite(p)).ok_or("it has no centre")?;
            let pts = geom::circle(Coord { x: c[0], y: c[1] }, radius(e)?);
            let coords = pts.iter().map(|p| ocs.to_world(p.x, p.y, c[2])).collect();
            ("CIRCLE", path(coords, true)?, None, Vec::new())
        }
        "POINT" => (
            "POINT",
            Shape::Point(point(e, 10, &Ocs::WORLD)?),
            None,
            Vec::new(),
        ),
        "INSERT" => {
            let at = point(e, 10, &ocs_of(e))?;
            let attribs = e
                .children
                .iter()
                .filter(|a| a.kind == "ATTRIB")
                .map(|a| (decode(a.bytes(2)).trim().to_string(), decode(a.bytes(1))))
                .filter(|(tag, _)| !tag.is_empty())
                .collect();
            let name = decode(e.bytes(2)).trim().to_string();
            ("INSERT", Shape::Point(at), Some(name), attribs)
        }
        "TEXT" => ("TEXT", text_entity(e, decode)?, None, Vec::new()),
        "MTEXT" => ("MTEXT", mtext_entity(e, decode)?, None, Vec::new()),
        other => return Err(format!("{other} is not read")),
    };
    if let Shape::Point(c) | Shape::Text(c, _) = &shape
        && !(c.x.is_finite() && c.y.is_finite())
    {
        return Err("its position is not a finite number".into());
    }
    let handle = std::str::from_utf8(e.bytes(5))
        .ok()
        .map(|h| h.trim().to_string())
        .filter(|h| !h.is_empty());
    let layer = decode(e.bytes(8)).trim().to_string();
    Ok(Item {
        layer: if layer.is_empty() { "0".into() } else { layer },
        entity,
        number: e.number,
        handle,
        shape,
        block,
        attribs,
    })
}

/// Is the entity in paper space (a layout, not the model)?
pub(super) fn in_paper_space(e: &RawEntity<'_>) -> bool {
    e.int(67) == Some(1)
}
