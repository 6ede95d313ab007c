//! DXF drawings (AutoCAD's exchange format, as towns' plans come from CAD): ASCII and binary,
//! R12 to R2018.
//!
//! One [`Layer`] per CAD layer (图层) and kind of geometry — points, texts, lines, polygons —
//! named after the CAD layer (with " (points)", " (texts)", " (lines)" or " (polygons)" when a
//! CAD layer holds several kinds). Read: LINE; LWPOLYLINE and POLYLINE (closed, or ending where
//! they begin → Polygon, else LineString; bulges become arcs); ARC (segmented; a CIRCLE is a
//! polygon); POINT; INSERT (a point with the block's name in `block` and its ATTRIBs as
//! attributes); TEXT and MTEXT (a point at the middle of the text, `text` without formatting; a
//! text inside a closed polygon gives it a `name`). Coordinates as drawn (x east, y north), z
//! dropped; object coordinate systems (a mirrored drawing's extrusion 0,0,−1) are resolved.
//! Not read: other entities (HATCH, SPLINE, ELLIPSE, DIMENSION, SOLID …: counted, one warning
//! per kind), block contents (an INSERT is its insertion point), paper space (layouts).
//!
//! Texts: `$ACADVER` R2007+ is UTF-8; before, `$DWGCODEPAGE` says the code page (ANSI_936 is
//! GBK), and a file saying ANSI_1252 whose texts are valid GBK is read as GBK with a warning;
//! `ReadOptions::encoding` overrides all of this.
//!
//! Roles come from the CAD layer's name by the rules of `assets/cad-layers.toml` (or a
//! planner's file, [`ReadOptions::cad_layers`]); facility layers may also get a category.
//! A DXF declares no CRS: [`crate::io::load`] guesses it from the magnitudes (CGCS2000
//! Gauss-Kruger) or takes the user's.

mod entities;
mod geom;
mod labels;
pub mod layermap;
mod pairs;
mod structure;
mod text;

use std::cell::Cell;
use std::collections::BTreeMap;
use std::path::Path;

use geo_types::{Coord, Geometry, LineString, Point, Polygon};

use crate::crs::CrsInfo;
use crate::error::{IoError, Location, Result};
use crate::model::layer::SourceId;
use crate::model::{
    AttrValue, Feature, Field, FieldKind, Format, Issue, IssueKind, Layer, Role, SourceInfo,
    Taxonomy,
};

use super::ReadOptions;
use entities::{Item, Shape};
pub use layermap::{CadLayerMap, CadLayerRule, DEFAULT_CAD_LAYERS_TOML};

/// The kind of geometry a CAD layer's features are split by.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Kind {
    Point,
    Text,
    Line,
    Polygon,
}

impl Kind {
    fn suffix(self) -> &'static str {
        match self {
            Kind::Point => "points",
            Kind::Text => "texts",
            Kind::Line => "lines",
            Kind::Polygon => "polygons",
        }
    }
}

/// Roles whose features are lines: a closed polyline on their layers stays a (closed) line.
fn is_line_role(role: Option<Role>) -> bool {
    matches!(role, Some(Role::Roads | Role::Greenway | Role::Sewers))
}

/// Can a layer of `kind` play `role`? (As the role guesser asks.)
fn fits(role: Role, kind: Kind) -> bool {
    match role {
        Role::Roads | Role::Greenway | Role::Sewers => kind == Kind::Line,
        Role::Boundary | Role::Parcels => kind == Kind::Polygon,
        Role::BuiltUpArea | Role::Villages | Role::Buildings | Role::Grid => {
            matches!(kind, Kind::Polygon | Kind::Point)
        }
        Role::Facilities => matches!(kind, Kind::Point | Kind::Polygon),
        Role::Water | Role::AdminBoundaries => kind != Kind::Text,
        // Population comes from rasters (a CAD drawing has no cell counts).
        Role::Population => false,
    }
}

/// An entity ready for its layer.
struct Ready {
    item: Item,
    kind: Kind,
    geometry: Geometry<f64>,
    name: Option<String>,
}

fn ready(item: Item, line_role: bool) -> Ready {
    let (kind, geometry) = match &item.shape {
        Shape::Point(c) => (Kind::Point, Point::from(*c).into()),
        Shape::Text(c, _) => (Kind::Text, Point::from(*c).into()),
        Shape::Path { coords, closed } => {
            let mut ring = coords.clone();
            if *closed
                && ring.first() != ring.last()
                && let Some(&f) = ring.first()
            {
                ring.push(f);
            }
            let mut distinct = ring.clone();
            distinct.dedup();
            if *closed && !line_role && distinct.len() >= 4 {
                (
                    Kind::Polygon,
                    Polygon::new(LineString::from(ring), vec![]).into(),
                )
            } else if *closed {
                (Kind::Line, LineString::from(ring).into())
            } else {
                (Kind::Line, LineString::from(coords.clone()).into())
            }
        }
    };
    Ready {
        item,
        kind,
        geometry,
        name: None,
    }
}

/// Read a DXF file into layers in the drawing's own coordinates (no CRS: the caller settles it).
pub fn read_dxf(path: &Path, options: &ReadOptions) -> Result<Vec<Layer>> {
    let bytes = std::fs::read(path).map_err(|e| IoError::open(path, e))?;
    let map = match &options.cad_layers {
        Some(p) => CadLayerMap::with_user_file(p)?,
        None => CadLayerMap::default(),
    };
    read_bytes(path, &bytes, options, &map)
}

/// Read DXF bytes (as [`read_dxf`]; `path` names them in messages) with a CAD layer mapping.
pub fn read_bytes(
    path: &Path,
    bytes: &[u8],
    options: &ReadOptions,
    map: &CadLayerMap,
) -> Result<Vec<Layer>> {
    let drawing = structure::read(bytes).map_err(|e| {
        let (location, message) = match e.at {
            Some(pairs::At::Line(n)) => (Location::Line(n), e.message),
            Some(at @ pairs::At::Byte(_)) => (Location::File, format!("{at}: {}", e.message)),
            None => (Location::File, e.message),
        };
        IoError::invalid(path, location, message)
    })?;
    let texts = drawing.entities.iter().flat_map(|e| {
        let own = e.pairs.iter();
        let kids = e.children.iter().flat_map(|c| c.pairs.iter());
        own.chain(kids)
            .filter(|p| matches!(p.code, 1..=3 | 8))
            .map(|p| p.value.bytes())
    });
    let enc = text::choose(
        drawing.version.as_deref(),
        drawing.codepage.as_deref(),
        options.encoding,
        texts,
    );
    let bad_texts = Cell::new(0usize);
    let decode = |b: &[u8]| {
        let (s, bad) = text::decode(b, enc.encoding);
        if bad {
            bad_texts.set(bad_texts.get() + 1);
        }
        s
    };

    // Entities → items; what is not read is counted per type (with its CAD layers).
    let mut items = Vec::new();
    let mut skipped: Vec<(String, Issue)> = Vec::new();
    let mut not_read: BTreeMap<&str, (usize, Vec<String>)> = BTreeMap::new();
    let mut paper = 0usize;
    for e in &drawing.entities {
        if entities::in_paper_space(e) {
            paper += 1;
            continue;
        }
        if !entities::READ.contains(&e.kind) {
            let (n, layers) = not_read.entry(e.kind).or_default();
            *n += 1;
            let layer = decode(e.bytes(8)).trim().to_string();
            if layers.len() < 5 && !layers.contains(&layer) {
                layers.push(layer);
            }
            continue;
        }
        match entities::convert(e, &decode) {
            Ok(item) => items.push(item),
            Err(why) => {
                let handle = std::str::from_utf8(e.bytes(5)).unwrap_or("").trim();
                let handle = if handle.is_empty() {
                    String::new()
                } else {
                    format!(" (handle {handle})")
                };
                skipped.push((
                    decode(e.bytes(8)).trim().to_string(),
                    Issue::skipped(
                        Some(SourceId::Feature(e.number)),
                        format!("{}{handle}: {why}", e.kind),
                    ),
                ));
            }
        }
    }

    let mut file_issues = file_warnings(&drawing, &enc, bad_texts.get(), paper, &not_read);
    let layers = build_layers(path, items, skipped, map, options, &enc.how)?;
    let Some(mut layers) = layers else {
        let what = not_read
            .iter()
            .map(|(k, (n, _))| format!("{n} {k}"))
            .collect::<Vec<_>>()
            .join(", ");
        return Err(IoError::EmptyLayer {
            path: path.to_path_buf(),
            detail: format!(
                "no {} in the model space of the drawing{}",
                entities::READ.join(", "),
                if what.is_empty() {
                    String::new()
                } else {
                    format!("; not read: {what}")
                }
            ),
        }
        .into());
    };
    if let Some(first) = layers.first_mut() {
        file_issues.append(&mut first.issues);
        first.issues = file_issues;
    }
    Ok(layers)
}

/// Warnings about the whole file, for its first layer.
fn file_warnings(
    drawing: &structure::RawDrawing<'_>,
    enc: &text::TextEncoding,
    bad_texts: usize,
    paper: usize,
    not_read: &BTreeMap<&str, (usize, Vec<String>)>,
) -> Vec<Issue> {
    let mut out = Vec::new();
    if let Some(w) = &enc.warning {
        out.push(Issue::warning(None, w.clone()).of_kind(IssueKind::Encoding));
    }
    if bad_texts > 0 {
        out.push(
            Issue::warning(
                None,
                format!(
                    "{bad_texts} texts or names have bytes that are not valid {}; they were replaced by \u{FFFD} — give --encoding if the file is in another encoding",
                    enc.encoding.name()
                ),
            )
            .of_kind(IssueKind::Encoding),
        );
    }
    for (kind, (n, layers)) in not_read {
        out.push(
            Issue::warning(
                None,
                format!(
                    "skipped {n} {kind} (layer {}): towncircle reads {} only",
                    layers.join(", "),
                    entities::READ.join(", ")
                ),
            )
            .for_features(*n),
        );
    }
    if paper > 0 {
        out.push(
            Issue::warning(
                None,
                format!("skipped {paper} entities in paper space (layouts): only the model space is read"),
            )
            .for_features(paper),
        );
    }
    if drawing.stray > 0 {
        out.push(Issue::warning(
            None,
            format!(
                "{} VERTEX or ATTRIB entities stand outside a POLYLINE or INSERT and were ignored",
                drawing.stray
            ),
        ));
    }
    if drawing.no_eof {
        out.push(Issue::warning(
            None,
            "the file has no 0/EOF group after its last section; every section was complete, so it was read",
        ));
    }
    let units = match drawing.insunits {
        Some(1) => Some("inches"),
        Some(2) => Some("feet"),
        Some(4) => Some("millimetres"),
        Some(5) => Some("centimetres"),
        _ => None,
    };
    if let Some(u) = units {
        out.push(Issue::warning(
            None,
            format!(
                "the drawing says its units are {u} ($INSUNITS); coordinates are read as they are (a Gauss-Kruger drawing is in metres) — check the scale"
            ),
        ));
    }
    out
}

/// Layers from the items, one per CAD layer and kind; None when there is nothing at all.
fn build_layers(
    path: &Path,
    items: Vec<Item>,
    skipped: Vec<(String, Issue)>,
    map: &CadLayerMap,
    options: &ReadOptions,
    encoding: &str,
) -> Result<Option<Vec<Layer>>> {
    // CAD layers in order of first appearance.
    let mut names: Vec<String> = Vec::new();
    let mut seen = std::collections::HashSet::new();
    for n in items
        .iter()
        .map(|i| &i.layer)
        .chain(skipped.iter().map(|s| &s.0))
    {
        if seen.insert(n.as_str()) {
            names.push(n.clone());
        }
    }
    if names.is_empty() {
        return Ok(None);
    }
    let rules: Vec<Option<&CadLayerRule>> = names.iter().map(|n| map.lookup(n)).collect();
    let index: std::collections::HashMap<&str, usize> = names
        .iter()
        .enumerate()
        .map(|(i, n)| (n.as_str(), i))
        .collect();
    let group_of = |layer: &str| index.get(layer).copied().unwrap_or(0);
    let mut readies: Vec<(usize, Ready)> = items
        .into_iter()
        .map(|item| {
            let g = group_of(&item.layer);
            let line_role = is_line_role(rules[g].and_then(|r| r.role));
            (g, ready(item, line_role))
        })
        .collect();

    // Texts name the polygons they fall in.
    let poly_idx: Vec<usize> = (0..readies.len())
        .filter(|&i| readies[i].1.kind == Kind::Polygon)
        .collect();
    let polys: Vec<&Polygon<f64>> = poly_idx
        .iter()
        .filter_map(|&i| match &readies[i].1.geometry {
            Geometry::Polygon(p) => Some(p),
            _ => None,
        })
        .collect();
    let texts: Vec<(Coord<f64>, &str)> = readies
        .iter()
        .filter_map(|(_, r)| match &r.item.shape {
            Shape::Text(c, t) => Some((*c, t.as_str())),
            _ => None,
        })
        .collect();
    let names_of_polys = labels::polygon_names(&polys, &texts);
    for (&i, name) in poly_idx.iter().zip(names_of_polys) {
        readies[i].1.name = name;
    }

    let crs = match &options.crs {
        Some(c) => CrsInfo::user(c.clone()),
        None => CrsInfo::unknown(),
    };
    let taxonomy = rules
        .iter()
        .any(|r| r.is_some_and(|r| r.category.is_some()))
        .then(Taxonomy::default);
    let mut skipped_by_group: Vec<Vec<Issue>> = vec![Vec::new(); names.len()];
    for (layer, issue) in skipped {
        skipped_by_group[group_of(&layer)].push(issue);
    }
    let mut by_group: Vec<BTreeMap<Kind, Vec<Ready>>> =
        (0..names.len()).map(|_| BTreeMap::new()).collect();
    for (g, r) in readies {
        by_group[g].entry(r.kind).or_default().push(r);
    }
    let mut layers = Vec::new();
    for (g, kinds) in by_group.into_iter().enumerate() {
        let cad = &names[g];
        let source = SourceInfo {
            path: path.to_path_buf(),
            format: Format::Dxf,
            table: Some(cad.clone()),
            encoding: Some(encoding.to_string()),
        };
        let several = kinds.len() > 1;
        let mut group_layers: Vec<Layer> = Vec::new();
        for (kind, readies) in kinds {
            let name = if several {
                format!("{cad} ({})", kind.suffix())
            } else {
                cad.clone()
            };
            let mut layer = Layer::new(name, source.clone(), crs.clone());
            let rule = rules[g];
            let role = match rule.and_then(|r| r.role) {
                Some(role) if kind != Kind::Text && fits(role, kind) => Some(role),
                Some(role) if kind != Kind::Text => {
                    layer.issues.push(Issue::warning(
                        None,
                        format!(
                            "the CAD layer mapping makes {cad} {} ({}), which its {} cannot be; no role given — set it by hand if it is one",
                            role.en(),
                            role.zh(),
                            kind.suffix()
                        ),
                    ));
                    None
                }
                _ => None,
            };
            layer.role = role;
            layer.role_hint = role;
            let category = match (role, rule.and_then(|r| r.category.as_deref())) {
                (Some(Role::Facilities), Some(c)) => Some(c),
                _ => None,
            };
            let category_id = category.and_then(|c| taxonomy.as_ref()?.by_id(c));
            if let (Some(c), None) = (category, category_id) {
                layer.issues.push(Issue::warning(
                    None,
                    format!("category \"{c}\" of the CAD layer mapping is not in the shipped taxonomy; kept as the category attribute"),
                ));
            }
            fill(&mut layer, readies, category, category_id);
            group_layers.push(layer);
        }
        let issues = std::mem::take(&mut skipped_by_group[g]);
        if group_layers.is_empty() {
            // Every entity of this CAD layer was skipped: an empty layer says so.
            group_layers.push(Layer::new(cad.clone(), source, crs.clone()));
        }
        if let Some(first) = group_layers.first_mut() {
            first.issues.extend(issues);
        }
        layers.extend(group_layers);
    }
    Ok(Some(layers))
}

/// Fields and features of one layer.
fn fill(
    layer: &mut Layer,
    readies: Vec<Ready>,
    category: Option<&str>,
    category_id: Option<crate::model::CategoryId>,
) {
    let mut fields = vec![
        Field::new("entity", FieldKind::Text),
        Field::new("handle", FieldKind::Text),
    ];
    let has = |f: &dyn Fn(&Ready) -> bool| readies.iter().any(f);
    if has(&|r| matches!(r.item.shape, Shape::Text(..))) {
        fields.push(Field::new("text", FieldKind::Text));
    }
    if has(&|r| r.item.block.is_some()) {
        fields.push(Field::new("block", FieldKind::Text));
    }
    if has(&|r| r.name.is_some()) {
        fields.push(Field::new("name", FieldKind::Text));
    }
    if category.is_some() {
        fields.push(Field::new("category", FieldKind::Text));
    }
    for r in &readies {
        for (tag, _) in &r.item.attribs {
            if !fields.iter().any(|f| f.name.eq_ignore_ascii_case(tag)) {
                fields.push(Field::new(tag.clone(), FieldKind::Text));
            }
        }
    }
    let index = |name: &str| fields.iter().position(|f| f.name == name);
    let (i_text, i_block, i_name, i_cat) = (
        index("text"),
        index("block"),
        index("name"),
        index("category"),
    );
    for r in readies {
        let mut attrs = vec![AttrValue::Null; fields.len()];
        attrs[0] = AttrValue::Text(r.item.entity.to_string());
        if let Some(h) = &r.item.handle {
            attrs[1] = AttrValue::Text(h.clone());
        }
        let set = |attrs: &mut Vec<AttrValue>, i: Option<usize>, v: &str| {
            if let Some(i) = i {
                attrs[i] = AttrValue::Text(v.to_string());
            }
        };
        if let Shape::Text(_, t) = &r.item.shape {
            set(&mut attrs, i_text, t);
        }
        if let Some(b) = &r.item.block {
            set(&mut attrs, i_block, b);
        }
        if let Some(n) = &r.name {
            set(&mut attrs, i_name, n);
        }
        if let Some(c) = category {
            set(&mut attrs, i_cat, c);
        }
        for (tag, value) in &r.item.attribs {
            let i = fields.iter().position(|f| f.name.eq_ignore_ascii_case(tag));
            set(&mut attrs, i, value);
        }
        layer.features.push(Feature {
            geometry: r.geometry,
            attrs,
            source_id: SourceId::Feature(r.item.number),
            category: category_id,
        });
    }
    layer.fields = fields;
}

#[cfg(test)]
mod tests;
