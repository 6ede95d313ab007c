//! GeoJSON (RFC 7946) reader and writer.
//!
//! The reader streams the `features` array with serde (no intermediate JSON tree): each feature's
//! geometry and properties go straight into the layer. A feature whose geometry is missing or
//! malformed is skipped and reported; a syntax error (a truncated file) stops the file with its
//! line and column. The legacy `crs` member (`{"type":"name","properties":{"name":"EPSG:4549"}}`)
//! still written by some Chinese tools is honoured.

use std::collections::HashMap;
use std::fmt;
use std::io::Write;
use std::path::Path;

use geo_types::{
    Coord, Geometry, GeometryCollection, LineString, MultiLineString, MultiPoint, MultiPolygon,
    Point, Polygon,
};
use serde::de::{self, DeserializeSeed, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};

use crate::crs::{Crs, CrsInfo};
use crate::error::{IoError, Location, Result};
use crate::model::layer::SourceId;
use crate::model::{AttrValue, Feature, Field, FieldKind, Format, Issue, Layer, SourceInfo};

use super::ReadOptions;

/// Nested coordinate arrays of any depth, before the geometry type gives them meaning.
#[derive(Debug)]
enum Coords {
    Position(Coord<f64>),
    Nested(Vec<Coords>),
}

struct CoordsVisitor;

impl<'de> Visitor<'de> for CoordsVisitor {
    type Value = Coords;
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a coordinate array")
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Coords, A::Error> {
        // Peek at the first element: a number starts a position, an array a nesting.
        let first: Option<Elem> = seq.next_element()?;
        match first {
            None => Ok(Coords::Nested(Vec::new())),
            Some(Elem::Number(x)) => {
                let y = match seq.next_element::<Elem>()? {
                    Some(Elem::Number(y)) => y,
                    _ => f64::NAN,
                };
                // Z, M and anything else are ignored.
                while seq.next_element::<IgnoredAny>()?.is_some() {}
                Ok(Coords::Position(Coord { x, y }))
            }
            Some(Elem::Array(c)) => {
                let mut v = Vec::with_capacity(seq.size_hint().unwrap_or(4) + 1);
                v.push(c);
                while let Some(e) = seq.next_element::<Elem>()? {
                    match e {
                        Elem::Array(c) => v.push(c),
                        Elem::Number(_) => v.push(Coords::Position(Coord {
                            x: f64::NAN,
                            y: f64::NAN,
                        })),
                    }
                }
                Ok(Coords::Nested(v))
            }
        }
    }
}

/// One element of a coordinate array: a number (null reads as NaN) or a nested array.
enum Elem {
    Number(f64),
    Array(Coords),
}

impl<'de> de::Deserialize<'de> for Elem {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Elem;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a number or an array")
            }
            fn visit_f64<E>(self, v: f64) -> Result<Elem, E> {
                Ok(Elem::Number(v))
            }
            fn visit_i64<E>(self, v: i64) -> Result<Elem, E> {
                Ok(Elem::Number(v as f64))
            }
            fn visit_u64<E>(self, v: u64) -> Result<Elem, E> {
                Ok(Elem::Number(v as f64))
            }
            fn visit_unit<E>(self) -> Result<Elem, E> {
                Ok(Elem::Number(f64::NAN))
            }
            fn visit_str<E>(self, v: &str) -> Result<Elem, E> {
                Ok(Elem::Number(v.trim().parse().unwrap_or(f64::NAN)))
            }
            fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<Elem, A::Error> {
                CoordsVisitor.visit_seq(seq).map(Elem::Array)
            }
        }
        d.deserialize_any(V)
    }
}

impl<'de> de::Deserialize<'de> for Coords {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_seq(CoordsVisitor)
    }
}

/// A geometry object as written, before validation.
#[derive(Debug, Default)]
struct RawGeometry {
    kind: Option<String>,
    coordinates: Option<Coords>,
    geometries: Option<Vec<RawGeometry>>,
}

impl<'de> de::Deserialize<'de> for RawGeometry {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = RawGeometry;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a GeoJSON geometry object")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<RawGeometry, A::Error> {
                let mut g = RawGeometry::default();
                while let Some(key) = map.next_key::<std::borrow::Cow<'de, str>>()? {
                    match key.as_ref() {
                        "type" => g.kind = Some(map.next_value()?),
                        "coordinates" => g.coordinates = map.next_value()?,
                        "geometries" => g.geometries = map.next_value()?,
                        _ => {
                            map.next_value::<IgnoredAny>()?;
                        }
                    }
                }
                Ok(g)
            }
        }
        d.deserialize_map(V)
    }
}

fn position(c: &Coords) -> std::result::Result<Coord<f64>, String> {
    match c {
        Coords::Position(p) if p.x.is_finite() && p.y.is_finite() => Ok(*p),
        Coords::Position(p) => Err(format!("coordinate ({}, {}) is not a number", p.x, p.y)),
        Coords::Nested(_) => Err("expected a position [x, y], found a nested array".into()),
    }
}

fn list(c: &Coords) -> std::result::Result<&[Coords], String> {
    match c {
        Coords::Nested(v) => Ok(v),
        Coords::Position(_) => {
            Err("expected an array of positions, found a single position".into())
        }
    }
}

fn line(c: &Coords) -> std::result::Result<LineString<f64>, String> {
    let pts = list(c)?
        .iter()
        .map(position)
        .collect::<std::result::Result<Vec<_>, _>>()?;
    Ok(LineString::new(pts))
}

fn polygon(c: &Coords, notes: &mut Vec<String>) -> std::result::Result<Polygon<f64>, String> {
    let mut rings = list(c)?.iter().map(|r| {
        let l = line(r)?;
        if l.0.len() > 1 && l.0.first() != l.0.last() {
            notes.push(
                "a polygon ring was not closed (first and last positions differ); closed it".into(),
            );
        }
        Ok::<_, String>(l)
    });
    let exterior = rings.next().ok_or("polygon without rings")??;
    let interiors = rings.collect::<std::result::Result<Vec<_>, _>>()?;
    Ok(Polygon::new(exterior, interiors))
}

fn to_geometry(
    raw: &RawGeometry,
    depth: usize,
    notes: &mut Vec<String>,
) -> std::result::Result<Geometry<f64>, String> {
    let kind = raw.kind.as_deref().ok_or("geometry without \"type\"")?;
    if kind == "GeometryCollection" {
        if depth > 8 {
            return Err("geometry collections nested too deeply".into());
        }
        let parts = raw
            .geometries
            .as_deref()
            .ok_or("GeometryCollection without \"geometries\"")?
            .iter()
            .map(|g| to_geometry(g, depth + 1, notes))
            .collect::<std::result::Result<Vec<_>, _>>()?;
        return Ok(Geometry::GeometryCollection(GeometryCollection(parts)));
    }
    let c = raw
        .coordinates
        .as_ref()
        .ok_or_else(|| format!("{kind} without \"coordinates\""))?;
    Ok(match kind {
        "Point" => Geometry::Point(Point(position(c)?)),
        "MultiPoint" => Geometry::MultiPoint(MultiPoint(
            list(c)?
                .iter()
                .map(|p| position(p).map(Point))
                .collect::<std::result::Result<_, _>>()?,
        )),
        "LineString" => Geometry::LineString(line(c)?),
        "MultiLineString" => Geometry::MultiLineString(MultiLineString(
            list(c)?
                .iter()
                .map(line)
                .collect::<std::result::Result<_, _>>()?,
        )),
        "Polygon" => Geometry::Polygon(polygon(c, notes)?),
        "MultiPolygon" => Geometry::MultiPolygon(MultiPolygon(
            list(c)?
                .iter()
                .map(|p| polygon(p, notes))
                .collect::<std::result::Result<_, _>>()?,
        )),
        other => return Err(format!("unknown geometry type \"{other}\"")),
    })
}

/// Builds a layer's schema and features as features stream in.
struct Builder {
    fields: Vec<Field>,
    index: HashMap<String, usize>,
    features: Vec<Feature>,
    issues: Vec<Issue>,
    count: u64,
}

impl Builder {
    fn field(&mut self, name: &str, value: &AttrValue) -> usize {
        let kind = match value {
            AttrValue::Bool(_) => Some(FieldKind::Bool),
            AttrValue::Int(_) => Some(FieldKind::Int),
            AttrValue::Float(_) => Some(FieldKind::Float),
            AttrValue::Text(_) => Some(FieldKind::Text),
            AttrValue::Null => None,
        };
        if let Some(&i) = self.index.get(name) {
            let f = &mut self.fields[i];
            if let Some(k) = kind {
                f.kind = match (f.kind, k) {
                    (a, b) if a == b => a,
                    (FieldKind::Int, FieldKind::Float) | (FieldKind::Float, FieldKind::Int) => {
                        FieldKind::Float
                    }
                    _ => FieldKind::Text,
                };
            }
            return i;
        }
        let i = self.fields.len();
        self.fields
            .push(Field::new(name, kind.unwrap_or(FieldKind::Text)));
        self.index.insert(name.to_string(), i);
        i
    }
}

/// Properties of one feature, as (name, value) pairs.
struct Props(Vec<(String, AttrValue)>);

impl<'de> de::Deserialize<'de> for Props {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Props;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a properties object or null")
            }
            fn visit_unit<E>(self) -> Result<Props, E> {
                Ok(Props(Vec::new()))
            }
            fn visit_none<E>(self) -> Result<Props, E> {
                Ok(Props(Vec::new()))
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Props, A::Error> {
                let mut v = Vec::new();
                while let Some(k) = map.next_key::<String>()? {
                    let value: serde_json::Value = map.next_value()?;
                    let a = match value {
                        serde_json::Value::Null => AttrValue::Null,
                        serde_json::Value::Bool(b) => AttrValue::Bool(b),
                        serde_json::Value::Number(n) => match n.as_i64() {
                            Some(i) => AttrValue::Int(i),
                            None => AttrValue::Float(n.as_f64().unwrap_or(f64::NAN)),
                        },
                        serde_json::Value::String(s) => AttrValue::Text(s),
                        other => AttrValue::Text(other.to_string()),
                    };
                    v.push((k, a));
                }
                Ok(Props(v))
            }
        }
        d.deserialize_any(V)
    }
}

/// One feature object.
struct FeatureSeed<'b>(&'b mut Builder);

impl<'de> DeserializeSeed<'de> for FeatureSeed<'_> {
    type Value = ();
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        struct V<'b>(&'b mut Builder);
        impl<'de> Visitor<'de> for V<'_> {
            type Value = ();
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a GeoJSON Feature object")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
                let b = self.0;
                b.count += 1;
                let id = SourceId::Feature(b.count);
                let mut geometry: Option<Option<RawGeometry>> = None;
                let mut props = Props(Vec::new());
                while let Some(key) = map.next_key::<std::borrow::Cow<'de, str>>()? {
                    match key.as_ref() {
                        "geometry" => geometry = Some(map.next_value()?),
                        "properties" => props = map.next_value()?,
                        _ => {
                            map.next_value::<IgnoredAny>()?;
                        }
                    }
                }
                b.push(id, geometry.flatten(), props);
                Ok(())
            }
        }
        d.deserialize_map(V(self.0))
    }
}

impl Builder {
    fn push(&mut self, id: SourceId, geometry: Option<RawGeometry>, props: Props) {
        let Some(raw) = geometry else {
            self.issues
                .push(Issue::skipped(Some(id), "the feature has no geometry"));
            return;
        };
        let mut notes = Vec::new();
        let geometry = match to_geometry(&raw, 0, &mut notes) {
            Ok(g) => {
                notes.dedup();
                for n in notes {
                    self.issues.push(Issue::warning(Some(id), n));
                }
                g
            }
            Err(e) => {
                self.issues.push(Issue::skipped(Some(id), e));
                return;
            }
        };
        let mut attrs = vec![AttrValue::Null; self.fields.len()];
        for (k, v) in props.0 {
            let i = self.field(&k, &v);
            if i >= attrs.len() {
                attrs.resize(i + 1, AttrValue::Null);
            }
            attrs[i] = v;
        }
        self.features.push(Feature {
            geometry,
            attrs,
            source_id: id,
            category: None,
        });
    }
}

struct FeaturesSeed<'b>(&'b mut Builder);

impl<'de> DeserializeSeed<'de> for FeaturesSeed<'_> {
    type Value = ();
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        struct V<'b>(&'b mut Builder);
        impl<'de> Visitor<'de> for V<'_> {
            type Value = ();
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("an array of features")
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
                while seq.next_element_seed(FeatureSeed(self.0))?.is_some() {}
                Ok(())
            }
        }
        d.deserialize_seq(V(self.0))
    }
}

/// The crs member (legacy GeoJSON 2008).
fn crs_member(value: &serde_json::Value) -> Option<String> {
    let props = value.get("properties")?;
    props
        .get("name")
        .and_then(|n| n.as_str())
        .map(str::to_string)
        .or_else(|| {
            props
                .get("code")
                .map(|c| format!("EPSG:{}", c.as_u64().unwrap_or(0)))
        })
}

/// The top-level object: a FeatureCollection, a single Feature or a bare geometry.
struct TopSeed<'b> {
    builder: &'b mut Builder,
    crs: &'b mut Option<String>,
    kind: &'b mut Option<String>,
}

impl<'de> DeserializeSeed<'de> for TopSeed<'_> {
    type Value = ();
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_map(self)
    }
}

impl<'de> Visitor<'de> for TopSeed<'_> {
    type Value = ();
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a GeoJSON object")
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        let mut geometry: Option<Option<RawGeometry>> = None;
        let mut props = Props(Vec::new());
        let mut coordinates = None;
        let mut geometries = None;
        while let Some(key) = map.next_key::<std::borrow::Cow<'de, str>>()? {
            match key.as_ref() {
                "type" => *self.kind = Some(map.next_value()?),
                "crs" => *self.crs = crs_member(&map.next_value()?),
                "features" => map.next_value_seed(FeaturesSeed(self.builder))?,
                "geometry" => geometry = Some(map.next_value()?),
                "properties" => props = map.next_value()?,
                "coordinates" => coordinates = map.next_value()?,
                "geometries" => geometries = map.next_value()?,
                _ => {
                    map.next_value::<IgnoredAny>()?;
                }
            }
        }
        match self.kind.as_deref() {
            Some("Feature") => {
                self.builder.count += 1;
                let id = SourceId::Feature(self.builder.count);
                self.builder.push(id, geometry.flatten(), props);
            }
            Some("FeatureCollection") | None => {}
            Some(kind) => {
                self.builder.count += 1;
                let id = SourceId::Feature(self.builder.count);
                let raw = RawGeometry {
                    kind: Some(kind.to_string()),
                    coordinates,
                    geometries,
                };
                self.builder.push(id, Some(raw), props);
            }
        }
        Ok(())
    }
}

/// Read a GeoJSON file into one layer in its own CRS.
pub fn read(path: &Path, options: &ReadOptions) -> Result<Layer> {
    let bytes = std::fs::read(path).map_err(|e| IoError::open(path, e))?;
    read_bytes(path, &bytes, options)
}

/// Read GeoJSON text already in memory; `path` names it in messages.
pub fn read_bytes(path: &Path, bytes: &[u8], options: &ReadOptions) -> Result<Layer> {
    let bytes = bytes.strip_prefix(b"\xef\xbb\xbf").unwrap_or(bytes);
    let mut builder = Builder {
        fields: Vec::new(),
        index: HashMap::new(),
        features: Vec::new(),
        issues: Vec::new(),
        count: 0,
    };
    let mut crs_text = None;
    let mut kind = None;
    let mut de = serde_json::Deserializer::from_slice(bytes);
    let parsed = TopSeed {
        builder: &mut builder,
        crs: &mut crs_text,
        kind: &mut kind,
    }
    .deserialize(&mut de)
    .and_then(|_| de.end());
    if let Err(e) = parsed {
        let what = if e.is_eof() {
            "the file ends early (truncated?)".to_string()
        } else if std::str::from_utf8(bytes).is_err() {
            "the file is not UTF-8 text as GeoJSON must be (re-save it as UTF-8)".to_string()
        } else {
            "not valid GeoJSON".to_string()
        };
        return Err(IoError::invalid(
            path,
            Location::Feature(builder.count.max(1)),
            format!("{what}: {e} (at line {}, column {})", e.line(), e.column()),
        )
        .into());
    }
    if kind.is_none() {
        return Err(IoError::invalid(
            path,
            Location::File,
            "not a GeoJSON object (no \"type\" member)",
        )
        .into());
    }
    let crs = if let Some(c) = &options.crs {
        CrsInfo::user(c.clone())
    } else if let Some(text) = crs_text {
        match Crs::parse(&text) {
            Ok(c) => CrsInfo::declared(c, format!("GeoJSON crs member \"{text}\"")),
            Err(e) => {
                builder.issues.push(Issue::warning(
                    None,
                    format!(
                        "the crs member \"{text}\" is not understood ({e}); the CRS will be guessed"
                    ),
                ));
                CrsInfo::unknown()
            }
        }
    } else {
        // RFC 7946 says WGS84, but planners' files often carry projected metres without saying so:
        // leave it open, and let the loader guess from magnitudes (degrees => WGS84).
        CrsInfo::unknown()
    };
    let n = builder.fields.len();
    for f in &mut builder.features {
        f.attrs.resize(n, AttrValue::Null);
    }
    let name = path
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_else(|| "geojson".into());
    let mut layer = Layer::new(
        name,
        SourceInfo {
            path: path.to_path_buf(),
            format: Format::GeoJson,
            table: None,
            encoding: Some("UTF-8".into()),
        },
        crs,
    );
    layer.fields = builder.fields;
    layer.features = builder.features;
    layer.issues = builder.issues;
    Ok(layer)
}

fn write_coord(w: &mut impl Write, c: Coord<f64>) -> std::io::Result<()> {
    write!(w, "[{},{}]", c.x, c.y)
}

fn write_line(w: &mut impl Write, l: &LineString<f64>) -> std::io::Result<()> {
    w.write_all(b"[")?;
    for (i, c) in l.0.iter().enumerate() {
        if i > 0 {
            w.write_all(b",")?;
        }
        write_coord(w, *c)?;
    }
    w.write_all(b"]")
}

fn write_polygon(w: &mut impl Write, p: &Polygon<f64>) -> std::io::Result<()> {
    w.write_all(b"[")?;
    write_line(w, p.exterior())?;
    for r in p.interiors() {
        w.write_all(b",")?;
        write_line(w, r)?;
    }
    w.write_all(b"]")
}

/// Write a geometry as a GeoJSON geometry object.
pub fn write_geometry(w: &mut impl Write, g: &Geometry<f64>) -> std::io::Result<()> {
    match g {
        Geometry::Point(p) => {
            w.write_all(br#"{"type":"Point","coordinates":"#)?;
            write_coord(w, p.0)?;
        }
        Geometry::MultiPoint(mp) => {
            w.write_all(br#"{"type":"MultiPoint","coordinates":"#)?;
            write_line(w, &LineString(mp.0.iter().map(|p| p.0).collect()))?;
        }
        Geometry::Line(l) => {
            w.write_all(br#"{"type":"LineString","coordinates":"#)?;
            write_line(w, &LineString(vec![l.start, l.end]))?;
        }
        Geometry::LineString(l) => {
            w.write_all(br#"{"type":"LineString","coordinates":"#)?;
            write_line(w, l)?;
        }
        Geometry::MultiLineString(ml) => {
            w.write_all(br#"{"type":"MultiLineString","coordinates":["#)?;
            for (i, l) in ml.0.iter().enumerate() {
                if i > 0 {
                    w.write_all(b",")?;
                }
                write_line(w, l)?;
            }
            w.write_all(b"]")?;
        }
        Geometry::Polygon(p) => {
            w.write_all(br#"{"type":"Polygon","coordinates":"#)?;
            write_polygon(w, p)?;
        }
        Geometry::MultiPolygon(mp) => {
            w.write_all(br#"{"type":"MultiPolygon","coordinates":["#)?;
            for (i, p) in mp.0.iter().enumerate() {
                if i > 0 {
                    w.write_all(b",")?;
                }
                write_polygon(w, p)?;
            }
            w.write_all(b"]")?;
        }
        Geometry::Rect(r) => return write_geometry(w, &Geometry::Polygon(r.to_polygon())),
        Geometry::Triangle(t) => return write_geometry(w, &Geometry::Polygon(t.to_polygon())),
        Geometry::GeometryCollection(gc) => {
            w.write_all(br#"{"type":"GeometryCollection","geometries":["#)?;
            for (i, g) in gc.0.iter().enumerate() {
                if i > 0 {
                    w.write_all(b",")?;
                }
                write_geometry(w, g)?;
            }
            w.write_all(b"]}")?;
            return Ok(());
        }
    }
    w.write_all(b"}")
}

fn attr_json(v: &AttrValue) -> serde_json::Value {
    match v {
        AttrValue::Null => serde_json::Value::Null,
        AttrValue::Bool(b) => (*b).into(),
        AttrValue::Int(i) => (*i).into(),
        AttrValue::Float(f) => serde_json::Number::from_f64(*f)
            .map(serde_json::Value::Number)
            .unwrap_or(serde_json::Value::Null),
        AttrValue::Text(s) => s.clone().into(),
    }
}

/// Write a layer as a GeoJSON FeatureCollection. Coordinates are written as held; `crs` (when
/// the layer is not lon/lat) is written as the legacy `crs` member so that the file reads back.
///
/// Atomic: the file is written beside the target and renamed over it only when complete.
pub fn write(path: &Path, layer: &Layer) -> Result<()> {
    crate::io::atomic::write_file(path, |w| write_to(w, layer))
}

/// As [`write()`], straight into `path` (for callers that stage the file themselves).
pub(crate) fn write_unstaged(path: &Path, layer: &Layer) -> Result<()> {
    let file = std::fs::File::create(path).map_err(|e| IoError::open(path, e))?;
    let mut w = std::io::BufWriter::new(file);
    write_to(&mut w, layer).map_err(|e| IoError::open(path, e))?;
    Ok(())
}

/// Write a layer as GeoJSON to any writer.
pub fn write_to(w: &mut impl Write, layer: &Layer) -> std::io::Result<()> {
    w.write_all(br#"{"type":"FeatureCollection","#)?;
    if let Some(crs) = &layer.crs.crs
        && !matches!(crs, Crs::Epsg(4326))
    {
        let name = match crs {
            Crs::Epsg(code) => format!("urn:ogc:def:crs:EPSG::{code}"),
            other => other.label(),
        };
        write!(
            w,
            r#""crs":{{"type":"name","properties":{{"name":{}}}}},"#,
            serde_json::Value::String(name)
        )?;
    }
    w.write_all(b"\"features\":[\n")?;
    for (i, f) in layer.features.iter().enumerate() {
        if i > 0 {
            w.write_all(b",\n")?;
        }
        w.write_all(br#"{"type":"Feature","properties":{"#)?;
        let mut first = true;
        for (field, v) in layer.fields.iter().zip(&f.attrs) {
            if !first {
                w.write_all(b",")?;
            }
            first = false;
            serde_json::to_writer(&mut *w, &field.name)?;
            w.write_all(b":")?;
            serde_json::to_writer(&mut *w, &attr_json(v))?;
        }
        w.write_all(br#"},"geometry":"#)?;
        write_geometry(w, &f.geometry)?;
        w.write_all(b"}")?;
    }
    w.write_all(b"\n]}\n")?;
    w.flush()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::PathBuf;

    fn read_str(s: &str) -> Result<Layer> {
        read_bytes(
            &PathBuf::from("test.geojson"),
            s.as_bytes(),
            &ReadOptions::default(),
        )
    }

    #[test]
    fn reads_features_properties_and_types() {
        let layer = read_str(
            r#"{"type":"FeatureCollection","features":[
            {"type":"Feature","properties":{"名称":"双浦镇中心幼儿园","n":1},"geometry":{"type":"Point","coordinates":[120.1,30.2,5]}},
            {"type":"Feature","geometry":{"coordinates":[[[0,0],[1,0],[1,1],[0,0]]],"type":"Polygon"},"properties":{"n":2.5,"extra":true}},
            {"type":"Feature","properties":null,"geometry":{"type":"MultiLineString","coordinates":[[[0,0],[1,1]],[[2,2],[3,3]]]}}
            ]}"#,
        )
        .expect("read");
        assert_eq!(layer.features.len(), 3);
        assert_eq!(layer.fields.len(), 3);
        let n = layer.field_index("n").expect("n");
        assert_eq!(layer.fields[n].kind, FieldKind::Float);
        assert_eq!(
            layer.attr(&layer.features[0], "名称"),
            Some(&AttrValue::Text("双浦镇中心幼儿园".into()))
        );
        assert_eq!(layer.features[0].attrs.len(), 3);
        assert!(matches!(layer.features[1].geometry, Geometry::Polygon(_)));
        assert!(layer.issues.is_empty());
    }

    #[test]
    fn bad_features_are_skipped_not_fatal() {
        let layer = read_str(
            r#"{"type":"FeatureCollection","features":[
            {"type":"Feature","properties":{},"geometry":null},
            {"type":"Feature","properties":{},"geometry":{"type":"Blob","coordinates":[1,2]}},
            {"type":"Feature","properties":{},"geometry":{"type":"Point","coordinates":[null,2]}},
            {"type":"Feature","properties":{},"geometry":{"type":"Point","coordinates":[1,2]}}
            ]}"#,
        )
        .expect("read");
        assert_eq!(layer.features.len(), 1);
        assert_eq!(layer.features[0].source_id, SourceId::Feature(4));
        assert_eq!(layer.skipped_count(), 3);
        assert_eq!(layer.issues[1].feature, Some(SourceId::Feature(2)));
        assert!(layer.issues[1].message.contains("Blob"));
        let unclosed = read_str(
            r#"{"type":"Feature","properties":{},"geometry":{"type":"Polygon","coordinates":[[[0,0],[1,0],[1,1]]]}}"#,
        )
        .expect("read");
        assert_eq!(unclosed.features.len(), 1);
        assert!(unclosed.issues[0].message.contains("not closed"));
    }

    #[test]
    fn truncated_file_names_file_and_position() {
        let err = read_str(
            r#"{"type":"FeatureCollection","features":[{"type":"Feature","properties":{},"geometry":{"type":"Point","coordinates":[1,2]}},{"type":"Feat"#,
        )
        .expect_err("truncated");
        let msg = err.to_string();
        assert!(msg.contains("truncated"), "{msg}");
        assert!(msg.contains("test.geojson"), "{msg}");
        assert!(msg.contains("feature 2"), "{msg}");
    }

    #[test]
    fn legacy_crs_member_and_gbk_bytes() {
        let layer = read_str(
            r#"{"type":"FeatureCollection","crs":{"type":"name","properties":{"name":"urn:ogc:def:crs:EPSG::4549"}},"features":[]}"#,
        )
        .expect("read");
        assert_eq!(layer.crs.crs, Some(Crs::Epsg(4549)));
        let (gbk, _, _) = encoding_rs::GBK
            .encode(r#"{"type":"Feature","properties":{"名":"镇"},"geometry":null}"#);
        let err = read_bytes(&PathBuf::from("gbk.geojson"), &gbk, &ReadOptions::default())
            .expect_err("gbk");
        assert!(err.to_string().contains("UTF-8"), "{err}");
    }

    #[test]
    fn write_then_read_round_trips() {
        let layer = read_str(
            r#"{"type":"FeatureCollection","features":[
            {"type":"Feature","properties":{"名称":"卫生院","pop":12},"geometry":{"type":"Point","coordinates":[120.1,30.2]}},
            {"type":"Feature","properties":{"名称":null,"pop":3},"geometry":{"type":"MultiPolygon","coordinates":[[[[0,0],[1,0],[1,1],[0,0]],[[0.2,0.2],[0.5,0.2],[0.5,0.5],[0.2,0.2]]]]}}
            ]}"#,
        )
        .expect("read");
        let mut buf = Vec::new();
        write_to(&mut buf, &layer).expect("write");
        let back =
            read_bytes(&PathBuf::from("b.geojson"), &buf, &ReadOptions::default()).expect("back");
        assert_eq!(back.features, layer.features);
        assert_eq!(back.fields, layer.fields);
    }

    #[test]
    fn not_geojson() {
        assert!(read_str("[1,2,3]").is_err());
        assert!(read_str("{}").is_err());
        assert!(read_str("").is_err());
    }
}
