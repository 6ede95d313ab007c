//! OpenStreetMap PBF reader: one extract becomes four layers (roads, facilities, buildings,
//! administrative boundaries) in WGS84 lon/lat.
//!
//! # What goes where
//! - **roads** (`<stem>: roads`): every way tagged `highway=*` as a line, except
//!   `highway=proposed|construction|abandoned|platform|raceway` (not usable roads; counted in one
//!   issue). Highway areas (`area=yes` pedestrian squares) stay lines along their outline. Nodes
//!   missing from the extract cut a way into pieces (a MultiLineString); a way with fewer than two
//!   nodes in the extract is skipped with an issue.
//! - **facilities** (`<stem>: facilities`): a point per node, way or multipolygon relation that
//!   is a facility; ways and relations get a representative point inside their polygon
//!   ([`geo::InteriorPoint`], centroid as fallback). An element is a facility when
//!   - it has `amenity=*`, except street furniture (`bench`, `waste_basket`, `bicycle_parking`,
//!     `vending_machine`, `post_box`, ... see [`STREET_FURNITURE`]);
//!   - or `shop=*` (not `shop=vacant`), `leisure=*` (not picnic tables, outdoor seating,
//!     bleachers or fire pits), `healthcare=*`, `social_facility=*`, `office=government`;
//!   - or it is a bus stop: `highway=bus_stop`, or `public_transport=platform|stop_position` with
//!     `bus=yes`;
//!   - or any OSM rule of the facility taxonomy (`assets/categories.toml`) holds (this brings in
//!     e.g. `man_made=wastewater_plant`, and street furniture the taxonomy asks for, such as
//!     `amenity=waste_basket&waste=*`).
//!
//!   `tourism=*`, `railway=*` and `emergency=*` alone do not make a facility. The layer has a
//!   column for every OSM key the taxonomy's rules mention, so the classifier can apply them.
//! - **buildings** (`<stem>: buildings`): closed ways and multipolygon relations with
//!   `building=*` (not `building=no`) as polygons; `building:levels` as an integer.
//! - **admin_boundaries** (`<stem>: admin_boundaries`): relations `boundary=administrative`,
//!   assembled from their member ways into a MultiPolygon. A relation cut by the edge of the
//!   extract (member ways or nodes missing) is skipped with one issue naming it.
//!
//! # How the file is read
//! Three passes, each decoding blocks in parallel (rayon): (1) every block once: relations, ways
//! that are roads/buildings/facilities and facility nodes, noting which blocks hold ways and
//! which hold nodes; (2) only when relations need ways not kept yet: the way blocks again for those
//! member ways; (3) the node blocks for the coordinates of the nodes the kept ways use. Only those
//! coordinates are held (8 bytes each), so a province extract does not need every node in memory.
//! Only the tags that become columns are kept.
//!
//! A corrupt, truncated or empty file is an error naming the file; osmpbf may panic on some bad
//! blocks, and that panic is caught and reported the same way.
//!
//! # Clip
//! With [`ReadOptions::clip`] (lon/lat): points outside are dropped, lines are cut to the region,
//! polygons are kept whole when they touch it. Each layer gets a warning saying how many features
//! the clip removed.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::Path;

use geo::{Area, BooleanOps, BoundingRect, Centroid, InteriorPoint, Intersects};
use geo_types::{Coord, Geometry, LineString, MultiLineString, MultiPolygon, Point, Polygon, Rect};
use osmpbf::{BlobDecode, BlobReader, BlobType, ByteOffset, PrimitiveBlock, RelMemberType};
use rayon::iter::{ParallelBridge, ParallelIterator};

use crate::crs::{Crs, CrsInfo};
use crate::error::{IoError, Location, Result};
use crate::model::layer::SourceId;
use crate::model::{
    AttrValue, Feature, Field, FieldKind, Format, Issue, Layer, Role, SourceInfo, Taxonomy,
    category::DEFAULT_TAXONOMY_TOML,
};

use super::{Clip, ReadOptions};

/// `highway=*` values that are not usable roads.
pub const SKIPPED_HIGHWAYS: &[&str] = &[
    "proposed",
    "construction",
    "abandoned",
    "platform",
    "raceway",
];

/// `amenity=*` values that alone do not make a facility (street furniture).
pub const STREET_FURNITURE: &[&str] = &[
    "bench",
    "waste_basket",
    "bicycle_parking",
    "motorcycle_parking",
    "parking_space",
    "parking_entrance",
    "vending_machine",
    "post_box",
    "letter_box",
    "telephone",
    "clock",
    "drinking_water",
    "bbq",
    "grit_bin",
    "loading_dock",
    "lounger",
    "hunting_stand",
    "fountain",
];

/// `leisure=*` values that alone do not make a facility.
const MINOR_LEISURE: &[&str] = &["picnic_table", "outdoor_seating", "bleachers", "firepit"];

const ROAD_TAGS: &[&str] = &[
    "highway",
    "name",
    "name:zh",
    "ref",
    "foot",
    "bicycle",
    "access",
    "motor_vehicle",
    "motorcar",
    "oneway",
    "junction",
    "layer",
    "bridge",
    "tunnel",
    "maxspeed",
    "service",
    "surface",
    "sidewalk",
    "area",
];

/// Facility columns before the keys the taxonomy adds.
const FACILITY_TAGS: &[&str] = &[
    "name",
    "name:zh",
    "amenity",
    "shop",
    "leisure",
    "healthcare",
    "social_facility",
    "social_facility:for",
    "office",
    "public_transport",
    "bus",
    "highway",
    "railway",
    "tourism",
    "sport",
    "building",
    "operator",
];

const BUILDING_TAGS: &[&str] = &[
    "building",
    "building:levels",
    "name",
    "height",
    "addr:street",
    "addr:housenumber",
];

const ADMIN_TAGS: &[&str] = &["name", "name:zh", "admin_level"];

/// Tags needed to decide what an element is, beyond the columns.
const CONTROL_TAGS: &[&str] = &["type", "boundary"];

/// Coordinates of a node that is not in the extract.
const MISSING: [i32; 2] = [i32::MIN, i32::MIN];
/// Coordinates of a node whose coordinates are out of range.
const INVALID: [i32; 2] = [i32::MAX, i32::MAX];

/// One condition of a taxonomy OSM rule, with the classifier's semantics.
#[derive(Debug, Clone)]
enum Cond {
    Eq(String, String),
    Any(String),
    Ne(String, String),
}

/// The keys to keep and the taxonomy rules, compiled once per read.
struct Schema {
    /// Facility columns after osm_id and osm_type.
    facility_keys: Vec<String>,
    /// Every key any layer or decision needs.
    wanted: HashSet<String>,
    /// Taxonomy OSM rules (each with at least one positive condition).
    rules: Vec<Vec<Cond>>,
}

impl Schema {
    fn new() -> Schema {
        let mut rules = Vec::new();
        let mut facility_keys: Vec<String> = FACILITY_TAGS.iter().map(|s| s.to_string()).collect();
        // The embedded taxonomy is checked by its own tests; should it fail to parse, only the
        // extra columns are lost, never the read.
        let categories = Taxonomy::from_toml(DEFAULT_TAXONOMY_TOML, Path::new("categories.toml"))
            .map(|t| t.categories)
            .unwrap_or_default();
        for rule in categories.iter().flat_map(|c| c.osm.iter()) {
            let conds: Vec<Cond> = rule
                .split('&')
                .filter_map(|part| {
                    if let Some((k, v)) = part.split_once("!=") {
                        Some(Cond::Ne(k.trim().into(), v.trim().into()))
                    } else if let Some((k, v)) = part.split_once('=') {
                        if v.trim() == "*" {
                            Some(Cond::Any(k.trim().into()))
                        } else {
                            Some(Cond::Eq(k.trim().into(), v.trim().into()))
                        }
                    } else {
                        None
                    }
                })
                .collect();
            for c in &conds {
                let (Cond::Eq(k, _) | Cond::Any(k) | Cond::Ne(k, _)) = c;
                if !facility_keys.contains(k) {
                    facility_keys.push(k.clone());
                }
            }
            if conds.iter().any(|c| !matches!(c, Cond::Ne(..))) {
                rules.push(conds);
            }
        }
        let mut wanted: HashSet<String> = facility_keys.iter().cloned().collect();
        for k in ROAD_TAGS
            .iter()
            .chain(BUILDING_TAGS)
            .chain(ADMIN_TAGS)
            .chain(CONTROL_TAGS)
        {
            wanted.insert(k.to_string());
        }
        Schema {
            facility_keys,
            wanted,
            rules,
        }
    }

    /// Keep the tags that matter, dropping the rest.
    fn filter<'a>(&self, tags: impl Iterator<Item = (&'a str, &'a str)>) -> Tags {
        Tags(
            tags.filter(|(k, _)| self.wanted.contains(*k))
                .map(|(k, v)| (k.into(), v.into()))
                .collect(),
        )
    }

    fn is_facility(&self, t: &Tags) -> bool {
        if let Some(a) = t.present("amenity")
            && !STREET_FURNITURE.contains(&a)
        {
            return true;
        }
        if t.present("shop").is_some_and(|s| s != "vacant")
            || t.present("leisure")
                .is_some_and(|l| !MINOR_LEISURE.contains(&l))
            || t.present("healthcare").is_some()
            || t.present("social_facility").is_some()
            || t.get("office") == Some("government")
            || t.get("highway") == Some("bus_stop")
            || (matches!(
                t.get("public_transport"),
                Some("platform" | "stop_position")
            ) && t.get("bus") == Some("yes"))
        {
            return true;
        }
        self.rules.iter().any(|conds| {
            conds.iter().all(|c| match c {
                Cond::Eq(k, v) => t.get(k) == Some(v.as_str()),
                Cond::Any(k) => t.present(k).is_some(),
                Cond::Ne(k, v) => t.get(k) != Some(v.as_str()),
            })
        })
    }
}

/// The tags of an element that matter here.
#[derive(Debug, Clone, Default)]
struct Tags(Vec<(Box<str>, Box<str>)>);

impl Tags {
    fn get(&self, key: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|(k, _)| k.as_ref() == key)
            .map(|(_, v)| v.as_ref())
    }

    /// The value, unless empty or "no".
    fn present(&self, key: &str) -> Option<&str> {
        self.get(key).filter(|v| !v.is_empty() && *v != "no")
    }

    fn text(&self, key: &str) -> AttrValue {
        self.get(key)
            .map(|v| AttrValue::Text(v.to_string()))
            .unwrap_or(AttrValue::Null)
    }
}

#[derive(Debug)]
struct WayRec {
    id: i64,
    refs: Vec<i64>,
    tags: Tags,
}

#[derive(Debug)]
struct RelRec {
    id: i64,
    tags: Tags,
    /// Way members: id and whether the role is "inner".
    ways: Vec<(i64, bool)>,
}

#[derive(Debug)]
struct NodeRec {
    id: i64,
    /// None when the coordinates are out of range.
    lonlat: Option<Coord<f64>>,
    tags: Tags,
}

/// What the first pass found in one block.
#[derive(Default)]
struct Pass1 {
    way_blobs: Vec<u64>,
    node_blobs: Vec<u64>,
    relations: Vec<RelRec>,
    ways: Vec<WayRec>,
    nodes: Vec<NodeRec>,
}

impl Pass1 {
    fn merge(mut self, mut other: Pass1) -> Pass1 {
        self.way_blobs.append(&mut other.way_blobs);
        self.node_blobs.append(&mut other.node_blobs);
        self.relations.append(&mut other.relations);
        self.ways.append(&mut other.ways);
        self.nodes.append(&mut other.nodes);
        self
    }
}

/// A failure while decoding, before it is tied to the file.
#[derive(Debug)]
struct Bad(String);

impl From<osmpbf::Error> for Bad {
    fn from(e: osmpbf::Error) -> Self {
        match e.kind() {
            osmpbf::ErrorKind::Io(io) if io.kind() == std::io::ErrorKind::UnexpectedEof => {
                Bad(format!("the file ends early, truncated? ({e})"))
            }
            _ if e.to_string().contains("end of file") => {
                Bad(format!("the file ends early, truncated? ({e})"))
            }
            _ => Bad(e.to_string()),
        }
    }
}

/// Everything read from the file, before geometry is built.
struct Raw {
    relations: Vec<RelRec>,
    ways: Vec<WayRec>,
    /// Member ways of relations that are not roads, buildings or facilities themselves.
    member_ways: Vec<WayRec>,
    nodes: Vec<NodeRec>,
    /// Sorted node ids whose coordinates are needed, and their coordinates (decimicrodegrees).
    node_ids: Vec<i64>,
    node_coords: Vec<[i32; 2]>,
}

impl Raw {
    fn coord(&self, id: i64) -> Option<Coord<f64>> {
        let i = self.node_ids.binary_search(&id).ok()?;
        let c = self.node_coords.get(i)?;
        if *c == MISSING || *c == INVALID {
            return None;
        }
        Some(Coord {
            x: f64::from(c[0]) / 1e7,
            y: f64::from(c[1]) / 1e7,
        })
    }

    fn is_invalid(&self, id: i64) -> bool {
        self.node_ids
            .binary_search(&id)
            .ok()
            .and_then(|i| self.node_coords.get(i))
            .is_some_and(|c| *c == INVALID)
    }
}

/// Nanodegrees to decimicrodegrees, None when out of range.
fn decimicro(nano_lon: i64, nano_lat: i64) -> Option<[i32; 2]> {
    if !(-180_000_000_000..=180_000_000_000).contains(&nano_lon)
        || !(-90_000_000_000..=90_000_000_000).contains(&nano_lat)
    {
        return None;
    }
    Some([
        i32::try_from(nano_lon / 100).ok()?,
        i32::try_from(nano_lat / 100).ok()?,
    ])
}

fn lonlat(nano_lon: i64, nano_lat: i64) -> Option<Coord<f64>> {
    decimicro(nano_lon, nano_lat).map(|_| Coord {
        x: nano_lon as f64 / 1e9,
        y: nano_lat as f64 / 1e9,
    })
}

/// Decode the blobs (all, or those at `offsets`) in parallel and map each data block.
fn map_blocks<T: Send>(
    path: &Path,
    offsets: Option<&[u64]>,
    f: impl Fn(u64, &PrimitiveBlock) -> T + Sync + Send,
) -> std::result::Result<Vec<T>, Bad> {
    let mut reader = BlobReader::seekable_from_path(path)?;
    let blobs: Box<dyn Iterator<Item = osmpbf::Result<osmpbf::Blob>> + Send> = match offsets {
        None => Box::new(reader),
        Some(offsets) => {
            let offsets = offsets.to_vec();
            Box::new(
                offsets
                    .into_iter()
                    .map(move |o| reader.blob_from_offset(ByteOffset(o))),
            )
        }
    };
    blobs
        .par_bridge()
        .map(|blob| -> std::result::Result<Option<T>, Bad> {
            let blob = blob?;
            let offset = blob.offset().map(|o| o.0).unwrap_or(0);
            match blob.decode()? {
                BlobDecode::OsmData(block) => Ok(Some(f(offset, &block))),
                BlobDecode::OsmHeader(_) | BlobDecode::Unknown(_) => Ok(None),
            }
        })
        .filter_map(|r| r.transpose())
        .collect()
}

/// The file must start with an OSMHeader block.
fn check_header(path: &Path) -> std::result::Result<(), Bad> {
    let mut reader = BlobReader::from_path(path)?;
    match reader.next() {
        None => Err(Bad("the file holds no OSM blocks".into())),
        Some(Err(e)) => Err(e.into()),
        Some(Ok(blob)) => match blob.get_type() {
            BlobType::OsmHeader => {
                blob.to_headerblock()?;
                Ok(())
            }
            other => Err(Bad(format!(
                "the first block is \"{}\", not an OSMHeader",
                other.as_str()
            ))),
        },
    }
}

fn scan_block(schema: &Schema, offset: u64, block: &PrimitiveBlock) -> Pass1 {
    let mut out = Pass1::default();
    let (mut has_nodes, mut has_ways) = (false, false);
    let node = |id: i64, nano_lon: i64, nano_lat: i64, tags: Tags, out: &mut Pass1| {
        if !tags.0.is_empty() && schema.is_facility(&tags) {
            out.nodes.push(NodeRec {
                id,
                lonlat: lonlat(nano_lon, nano_lat),
                tags,
            });
        }
    };
    for group in block.groups() {
        for n in group.nodes() {
            has_nodes = true;
            let tags = schema.filter(n.tags());
            node(n.id(), n.nano_lon(), n.nano_lat(), tags, &mut out);
        }
        for n in group.dense_nodes() {
            has_nodes = true;
            let tags = schema.filter(n.tags());
            node(n.id(), n.nano_lon(), n.nano_lat(), tags, &mut out);
        }
        for w in group.ways() {
            has_ways = true;
            let tags = schema.filter(w.tags());
            let building = tags.present("building").is_some();
            if tags.get("highway").is_some() || building || schema.is_facility(&tags) {
                out.ways.push(WayRec {
                    id: w.id(),
                    refs: w.refs().collect(),
                    tags,
                });
            }
        }
        for r in group.relations() {
            let tags = schema.filter(r.tags());
            let kind = tags.get("type");
            let admin = tags.get("boundary") == Some("administrative")
                && matches!(kind, Some("boundary" | "multipolygon"));
            let area = kind == Some("multipolygon")
                && (tags.present("building").is_some() || schema.is_facility(&tags));
            if admin || area {
                let mut ways: Vec<(i64, bool)> = Vec::new();
                for m in r.members() {
                    if m.member_type == RelMemberType::Way
                        && !ways.iter().any(|(id, _)| *id == m.member_id)
                    {
                        ways.push((m.member_id, m.role().is_ok_and(|r| r == "inner")));
                    }
                }
                out.relations.push(RelRec {
                    id: r.id(),
                    tags,
                    ways,
                });
            }
        }
    }
    if has_nodes {
        out.node_blobs.push(offset);
    }
    if has_ways {
        out.way_blobs.push(offset);
    }
    out
}

/// Read the file in three passes (see the module doc).
fn scan(path: &Path, schema: &Schema) -> std::result::Result<Raw, Bad> {
    check_header(path)?;
    let pass1 = map_blocks(path, None, |offset, block| {
        scan_block(schema, offset, block)
    })?
    .into_iter()
    .fold(Pass1::default(), Pass1::merge);
    let Pass1 {
        mut way_blobs,
        mut node_blobs,
        mut relations,
        mut ways,
        mut nodes,
    } = pass1;
    way_blobs.sort_unstable();
    node_blobs.sort_unstable();

    // Pass 2: member ways of relations that pass 1 did not keep.
    let kept: HashSet<i64> = ways.iter().map(|w| w.id).collect();
    let missing: HashSet<i64> = relations
        .iter()
        .flat_map(|r| r.ways.iter().map(|(id, _)| *id))
        .filter(|id| !kept.contains(id))
        .collect();
    let mut member_ways: Vec<WayRec> = if missing.is_empty() {
        Vec::new()
    } else {
        map_blocks(path, Some(&way_blobs), |_, block| {
            let mut found = Vec::new();
            for group in block.groups() {
                for w in group.ways() {
                    if missing.contains(&w.id()) {
                        found.push(WayRec {
                            id: w.id(),
                            refs: w.refs().collect(),
                            tags: Tags::default(),
                        });
                    }
                }
            }
            found
        })?
        .into_iter()
        .flatten()
        .collect()
    };

    // Pass 3: coordinates of the nodes the kept ways use.
    let mut node_ids: Vec<i64> = ways
        .iter()
        .chain(&member_ways)
        .flat_map(|w| w.refs.iter().copied())
        .collect();
    node_ids.sort_unstable();
    node_ids.dedup();
    let mut node_coords = vec![MISSING; node_ids.len()];
    if !node_ids.is_empty() {
        let found = map_blocks(path, Some(&node_blobs), |_, block| {
            let mut found: Vec<(usize, [i32; 2])> = Vec::new();
            let mut look = |id: i64, nano_lon: i64, nano_lat: i64| {
                if let Ok(i) = node_ids.binary_search(&id) {
                    found.push((i, decimicro(nano_lon, nano_lat).unwrap_or(INVALID)));
                }
            };
            for group in block.groups() {
                for n in group.nodes() {
                    look(n.id(), n.nano_lon(), n.nano_lat());
                }
                for n in group.dense_nodes() {
                    look(n.id(), n.nano_lon(), n.nano_lat());
                }
            }
            found
        })?;
        for (i, c) in found.into_iter().flatten() {
            if let Some(slot) = node_coords.get_mut(i) {
                *slot = c;
            }
        }
    }

    relations.sort_unstable_by_key(|r| r.id);
    ways.sort_unstable_by_key(|w| w.id);
    member_ways.sort_unstable_by_key(|w| w.id);
    nodes.sort_unstable_by_key(|n| n.id);
    Ok(Raw {
        relations,
        ways,
        member_ways,
        nodes,
        node_ids,
        node_coords,
    })
}

fn panic_message(payload: &(dyn std::any::Any + Send)) -> String {
    if let Some(s) = payload.downcast_ref::<&str>() {
        (*s).to_string()
    } else if let Some(s) = payload.downcast_ref::<String>() {
        s.clone()
    } else {
        "the decoder failed".to_string()
    }
}

fn not_pbf(path: &Path, why: &str) -> crate::Error {
    IoError::invalid(
        path,
        Location::File,
        format!("not a valid OSM PBF file ({why}); re-export it"),
    )
    .into()
}

/// Read an OSM PBF extract into four layers: roads, facilities, buildings, admin boundaries
/// (always all four, each possibly empty), in WGS84 lon/lat.
pub fn read(path: &Path, options: &ReadOptions) -> Result<Vec<Layer>> {
    let meta = std::fs::metadata(path).map_err(|e| IoError::open(path, e))?;
    if meta.len() == 0 {
        return Err(not_pbf(path, "the file is empty"));
    }
    // Open it once here so permission problems read as such, not as a bad file.
    std::fs::File::open(path).map_err(|e| IoError::open(path, e))?;
    let schema = Schema::new();
    let raw = match catch_unwind(AssertUnwindSafe(|| scan(path, &schema))) {
        Ok(Ok(raw)) => raw,
        Ok(Err(Bad(why))) => return Err(not_pbf(path, &why)),
        Err(payload) => {
            return Err(not_pbf(
                path,
                &format!("the decoder failed: {}", panic_message(payload.as_ref())),
            ));
        }
    };
    let mut layers = build_layers(path, &raw, &schema);
    if let Some(clip) = &options.clip {
        apply_clip(&mut layers, clip);
    }
    Ok(layers)
}

/// The layer name prefix: the file name without `.osm.pbf` / `.pbf`.
fn stem(path: &Path) -> String {
    let name = path
        .file_name()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_else(|| "osm".into());
    let lower = name.to_ascii_lowercase();
    for ext in [".osm.pbf", ".pbf"] {
        if lower.ends_with(ext) && name.len() > ext.len() {
            return name[..name.len() - ext.len()].to_string();
        }
    }
    name
}

fn new_layer(path: &Path, table: &str, role: Role, fields: Vec<Field>) -> Layer {
    let mut layer = Layer::new(
        format!("{}: {table}", stem(path)),
        SourceInfo {
            path: path.to_path_buf(),
            format: Format::OsmPbf,
            table: Some(table.to_string()),
            encoding: Some("UTF-8".into()),
        },
        CrsInfo::format_default(Crs::Epsg(4326), "OpenStreetMap is WGS84"),
    );
    layer.fields = fields;
    layer.role_hint = Some(role);
    layer
}

fn text_fields(keys: &[&str]) -> Vec<Field> {
    keys.iter()
        .map(|k| Field::new(*k, FieldKind::Text))
        .collect()
}

/// An integer tag value ("3", " 4 ", "2.0"), None when it is not one.
fn parse_int(v: &str) -> Option<i64> {
    let v = v.trim();
    v.parse::<i64>().ok().or_else(|| {
        v.parse::<f64>()
            .ok()
            .filter(|f| f.is_finite() && f.fract() == 0.0 && f.abs() < 1e15)
            .map(|f| f as i64)
    })
}

/// Build the four layers from what was read.
fn build_layers(path: &Path, raw: &Raw, schema: &Schema) -> Vec<Layer> {
    let way_index: HashMap<i64, &WayRec> = raw
        .ways
        .iter()
        .chain(&raw.member_ways)
        .map(|w| (w.id, w))
        .collect();
    vec![
        build_roads(path, raw),
        build_facilities(path, raw, schema, &way_index),
        build_buildings(path, raw, &way_index),
        build_admin(path, raw, &way_index),
    ]
}

fn build_roads(path: &Path, raw: &Raw) -> Layer {
    let mut fields = vec![Field::new("osm_id", FieldKind::Int)];
    fields.extend(text_fields(ROAD_TAGS));
    let mut layer = new_layer(path, "roads", Role::Roads, fields);
    let mut not_roads: BTreeMap<&str, usize> = BTreeMap::new();
    let mut partial = 0usize;
    for w in &raw.ways {
        let Some(highway) = w.tags.get("highway") else {
            continue;
        };
        if let Some(skip) = SKIPPED_HIGHWAYS.iter().find(|s| **s == highway) {
            *not_roads.entry(skip).or_default() += 1;
            continue;
        }
        let id = SourceId::OsmWay(w.id);
        // Runs of consecutive nodes that are in the extract.
        let mut runs: Vec<LineString<f64>> = Vec::new();
        let mut run: Vec<Coord<f64>> = Vec::new();
        let mut found = 0usize;
        for r in &w.refs {
            match raw.coord(*r) {
                Some(c) => {
                    found += 1;
                    run.push(c);
                }
                None => {
                    if run.len() >= 2 {
                        runs.push(LineString::new(std::mem::take(&mut run)));
                    }
                    run.clear();
                }
            }
        }
        if run.len() >= 2 {
            runs.push(LineString::new(run));
        }
        let geometry = match runs.len() {
            0 => {
                let invalid = w.refs.iter().filter(|r| raw.is_invalid(**r)).count();
                let why = if invalid > 0 {
                    format!(
                        "{invalid} of its {} nodes have coordinates outside lon -180..180 / \
                         lat -90..90, leaving fewer than 2 in a row",
                        w.refs.len()
                    )
                } else {
                    format!(
                        "the road has {found} of its {} nodes in the extract, fewer than 2 \
                         (it lies outside the extract)",
                        w.refs.len()
                    )
                };
                layer.issues.push(Issue::skipped(Some(id), why));
                continue;
            }
            1 => Geometry::LineString(runs.remove(0)),
            _ => Geometry::MultiLineString(MultiLineString::new(runs)),
        };
        if found < w.refs.len() {
            partial += 1;
        }
        let mut attrs = vec![AttrValue::Int(w.id)];
        attrs.extend(ROAD_TAGS.iter().map(|k| w.tags.text(k)));
        layer.features.push(Feature {
            geometry,
            attrs,
            source_id: id,
            category: None,
        });
    }
    if !not_roads.is_empty() {
        let total: usize = not_roads.values().sum();
        let list = not_roads
            .iter()
            .map(|(k, n)| format!("highway={k}: {n}"))
            .collect::<Vec<_>>()
            .join(", ");
        layer.issues.push(Issue::skipped(
            None,
            format!("{total} ways are not usable roads and were left out ({list})"),
        ));
    }
    if partial > 0 {
        layer.issues.push(Issue::warning(
            None,
            format!(
                "{partial} roads have nodes outside the extract; only their parts inside were kept"
            ),
        ));
    }
    layer
}

/// A point inside a geometry (a point on it for lines), the centroid when there is none.
fn representative_point(g: &Geometry<f64>) -> Option<Point<f64>> {
    g.interior_point().or_else(|| g.centroid())
}

/// The geometry of a way: a polygon when closed and complete, else the line of its nodes in the
/// extract. None when no node is in the extract.
fn way_shape(raw: &Raw, w: &WayRec) -> Option<Geometry<f64>> {
    let coords: Vec<Coord<f64>> = w.refs.iter().filter_map(|r| raw.coord(*r)).collect();
    let closed = w.refs.len() >= 4 && w.refs.first() == w.refs.last();
    match coords.len() {
        0 => None,
        1 => Some(Geometry::Point(Point(coords[0]))),
        n if closed && n == w.refs.len() => Some(Geometry::Polygon(Polygon::new(
            LineString::new(coords),
            Vec::new(),
        ))),
        _ => Some(Geometry::LineString(LineString::new(coords))),
    }
}

fn build_facilities(
    path: &Path,
    raw: &Raw,
    schema: &Schema,
    ways: &HashMap<i64, &WayRec>,
) -> Layer {
    let mut fields = vec![
        Field::new("osm_id", FieldKind::Int),
        Field::new("osm_type", FieldKind::Text),
    ];
    fields.extend(
        schema
            .facility_keys
            .iter()
            .map(|k| Field::new(k.clone(), FieldKind::Text)),
    );
    let mut layer = new_layer(path, "facilities", Role::Facilities, fields);
    let attrs = |id: i64, kind: &str, tags: &Tags| {
        let mut a = vec![AttrValue::Int(id), AttrValue::Text(kind.into())];
        a.extend(schema.facility_keys.iter().map(|k| tags.text(k)));
        a
    };
    for n in &raw.nodes {
        let id = SourceId::OsmNode(n.id);
        match n.lonlat {
            Some(c) => layer.features.push(Feature {
                geometry: Geometry::Point(Point(c)),
                attrs: attrs(n.id, "node", &n.tags),
                source_id: id,
                category: None,
            }),
            None => layer.issues.push(Issue::skipped(
                Some(id),
                "the node's coordinates are outside lon -180..180 / lat -90..90",
            )),
        }
    }
    for w in raw.ways.iter().filter(|w| schema.is_facility(&w.tags)) {
        let id = SourceId::OsmWay(w.id);
        match way_shape(raw, w).as_ref().and_then(representative_point) {
            Some(p) => layer.features.push(Feature {
                geometry: Geometry::Point(p),
                attrs: attrs(w.id, "way", &w.tags),
                source_id: id,
                category: None,
            }),
            None => layer.issues.push(Issue::skipped(
                Some(id),
                "none of the facility's nodes is in the extract",
            )),
        }
    }
    for r in raw
        .relations
        .iter()
        .filter(|r| r.tags.get("type") == Some("multipolygon") && schema.is_facility(&r.tags))
    {
        let id = SourceId::OsmRelation(r.id);
        let point = match assemble(raw, r, ways) {
            Ok(mp) => representative_point(&Geometry::MultiPolygon(mp)),
            // Cut by the extract: the centre of the member nodes that are in it.
            Err(_) => {
                let coords: Vec<Point<f64>> = r
                    .ways
                    .iter()
                    .filter_map(|(wid, _)| ways.get(wid))
                    .flat_map(|w| w.refs.iter().filter_map(|n| raw.coord(*n)))
                    .map(Point)
                    .collect();
                geo_types::MultiPoint::new(coords).centroid()
            }
        };
        match point {
            Some(p) => layer.features.push(Feature {
                geometry: Geometry::Point(p),
                attrs: attrs(r.id, "relation", &r.tags),
                source_id: id,
                category: None,
            }),
            None => layer.issues.push(Issue::skipped(
                Some(id),
                "none of the facility's member ways is in the extract",
            )),
        }
    }
    layer
}

fn build_buildings(path: &Path, raw: &Raw, ways: &HashMap<i64, &WayRec>) -> Layer {
    let fields = vec![
        Field::new("osm_id", FieldKind::Int),
        Field::new("osm_type", FieldKind::Text),
        Field::new("building", FieldKind::Text),
        Field::new("building:levels", FieldKind::Int),
        Field::new("name", FieldKind::Text),
        Field::new("height", FieldKind::Text),
        Field::new("addr:street", FieldKind::Text),
        Field::new("addr:housenumber", FieldKind::Text),
    ];
    let mut layer = new_layer(path, "buildings", Role::Buildings, fields);
    let mut bad_levels: Vec<String> = Vec::new();
    let mut attrs = |id: i64, kind: &str, t: &Tags| {
        let levels = match t.get("building:levels") {
            None => AttrValue::Null,
            Some(v) => match parse_int(v) {
                Some(n) => AttrValue::Int(n),
                None => {
                    bad_levels.push(format!("{kind} {id}: \"{v}\""));
                    AttrValue::Null
                }
            },
        };
        vec![
            AttrValue::Int(id),
            AttrValue::Text(kind.into()),
            t.text("building"),
            levels,
            t.text("name"),
            t.text("height"),
            t.text("addr:street"),
            t.text("addr:housenumber"),
        ]
    };
    for w in raw
        .ways
        .iter()
        .filter(|w| w.tags.present("building").is_some())
    {
        let id = SourceId::OsmWay(w.id);
        if w.refs.len() < 4 || w.refs.first() != w.refs.last() {
            layer.issues.push(Issue::skipped(
                Some(id),
                "the building outline is not closed (its first and last node differ)",
            ));
            continue;
        }
        let coords: Vec<Coord<f64>> = w.refs.iter().filter_map(|r| raw.coord(*r)).collect();
        if coords.len() < w.refs.len() {
            layer.issues.push(Issue::skipped(
                Some(id),
                missing_nodes_message(raw, &w.refs, coords.len()),
            ));
            continue;
        }
        layer.features.push(Feature {
            geometry: Geometry::Polygon(Polygon::new(LineString::new(coords), Vec::new())),
            attrs: attrs(w.id, "way", &w.tags),
            source_id: id,
            category: None,
        });
    }
    for r in raw.relations.iter().filter(|r| {
        r.tags.get("type") == Some("multipolygon") && r.tags.present("building").is_some()
    }) {
        let id = SourceId::OsmRelation(r.id);
        match assemble(raw, r, ways) {
            Ok(mp) => layer.features.push(Feature {
                geometry: polygonal(mp),
                attrs: attrs(r.id, "relation", &r.tags),
                source_id: id,
                category: None,
            }),
            Err(why) => layer.issues.push(Issue::skipped(Some(id), why)),
        }
    }
    if !bad_levels.is_empty() {
        let n = bad_levels.len();
        bad_levels.truncate(5);
        layer.issues.push(Issue::warning(
            None,
            format!(
                "{n} buildings have a building:levels that is not a whole number, left empty \
                 (e.g. {})",
                bad_levels.join(", ")
            ),
        ));
    }
    layer
}

fn missing_nodes_message(raw: &Raw, refs: &[i64], found: usize) -> String {
    let invalid = refs.iter().filter(|r| raw.is_invalid(**r)).count();
    if invalid > 0 {
        format!(
            "{invalid} of its {} nodes have coordinates outside lon -180..180 / lat -90..90",
            refs.len()
        )
    } else {
        format!(
            "{} of its {} nodes are not in the extract (it crosses the extract's edge)",
            refs.len() - found,
            refs.len()
        )
    }
}

/// A Polygon when there is one, else the MultiPolygon.
fn polygonal(mut mp: MultiPolygon<f64>) -> Geometry<f64> {
    if mp.0.len() == 1 {
        Geometry::Polygon(mp.0.remove(0))
    } else {
        Geometry::MultiPolygon(mp)
    }
}

fn build_admin(path: &Path, raw: &Raw, ways: &HashMap<i64, &WayRec>) -> Layer {
    let fields = vec![
        Field::new("osm_id", FieldKind::Int),
        Field::new("name", FieldKind::Text),
        Field::new("name:zh", FieldKind::Text),
        Field::new("admin_level", FieldKind::Int),
    ];
    let mut layer = new_layer(path, "admin_boundaries", Role::AdminBoundaries, fields);
    for r in raw
        .relations
        .iter()
        .filter(|r| r.tags.get("boundary") == Some("administrative"))
    {
        let id = SourceId::OsmRelation(r.id);
        let name = r.tags.get("name").unwrap_or("(no name)");
        match assemble(raw, r, ways) {
            Ok(mp) => layer.features.push(Feature {
                geometry: Geometry::MultiPolygon(mp),
                attrs: vec![
                    AttrValue::Int(r.id),
                    r.tags.text("name"),
                    r.tags.text("name:zh"),
                    r.tags
                        .get("admin_level")
                        .and_then(parse_int)
                        .map(AttrValue::Int)
                        .unwrap_or(AttrValue::Null),
                ],
                source_id: id,
                category: None,
            }),
            Err(why) => layer.issues.push(Issue::skipped(
                Some(id),
                format!("administrative boundary \"{name}\": {why}"),
            )),
        }
    }
    layer
}

/// Join node-id sequences end to end (reversing as needed) into closed rings.
fn join_rings(mut parts: Vec<Vec<i64>>) -> std::result::Result<Vec<Vec<i64>>, String> {
    let mut rings = Vec::new();
    parts.retain(|p| p.len() >= 2);
    // Closed ways are rings already.
    let (closed, mut open): (Vec<_>, Vec<_>) =
        parts.into_iter().partition(|p| p.first() == p.last());
    rings.extend(closed);
    while let Some(mut ring) = open.pop() {
        while let (Some(&first), Some(&last)) = (ring.first(), ring.last()) {
            if first == last {
                break;
            }
            let next = open
                .iter()
                .position(|p| p.first() == Some(&last) || p.last() == Some(&last));
            let Some(i) = next else {
                return Err(format!(
                    "its outline is not closed (it stops at node {last})"
                ));
            };
            let mut part = open.swap_remove(i);
            if part.first() != Some(&last) {
                part.reverse();
            }
            ring.extend_from_slice(&part[1..]);
        }
        rings.push(ring);
    }
    Ok(rings)
}

/// Assemble a multipolygon relation from its member ways: rings joined from outer and inner ways
/// separately, then nested by containment (a ring inside an odd number of rings is a hole).
fn assemble(
    raw: &Raw,
    r: &RelRec,
    ways: &HashMap<i64, &WayRec>,
) -> std::result::Result<MultiPolygon<f64>, String> {
    if r.ways.is_empty() {
        return Err("the relation has no member ways".into());
    }
    let absent = r
        .ways
        .iter()
        .filter(|(id, _)| !ways.contains_key(id))
        .count();
    if absent > 0 {
        return Err(format!(
            "{absent} of its {} member ways are not in the extract (it crosses the extract's edge)",
            r.ways.len()
        ));
    }
    let group = |inner: bool| -> Vec<Vec<i64>> {
        r.ways
            .iter()
            .filter(|(_, i)| *i == inner)
            .filter_map(|(id, _)| ways.get(id))
            .map(|w| w.refs.clone())
            .collect()
    };
    let mut rings = join_rings(group(false))?;
    rings.extend(join_rings(group(true))?);
    let mut polys: Vec<(f64, Polygon<f64>)> = Vec::new();
    for ring in &rings {
        let coords: Vec<Coord<f64>> = ring.iter().filter_map(|n| raw.coord(*n)).collect();
        if coords.len() < ring.len() {
            return Err(missing_nodes_message(raw, ring, coords.len()));
        }
        if coords.len() < 4 {
            continue;
        }
        let p = Polygon::new(LineString::new(coords), Vec::new());
        polys.push((p.unsigned_area(), p));
    }
    if polys.is_empty() {
        return Err("no ring with at least 3 distinct nodes".into());
    }
    polys.sort_by(|a, b| b.0.total_cmp(&a.0));
    // For each ring, the smallest larger ring containing it, and its depth.
    let mut parent: Vec<Option<usize>> = vec![None; polys.len()];
    let mut depth = vec![0usize; polys.len()];
    for i in 0..polys.len() {
        let Some(probe) = polys[i].1.interior_point() else {
            continue;
        };
        for j in (0..i).rev() {
            if polys[j].1.intersects(&probe) {
                parent[i] = Some(j);
                depth[i] = depth[j] + 1;
                break;
            }
        }
    }
    let mut out: Vec<Option<Polygon<f64>>> = Vec::with_capacity(polys.len());
    let mut holes: Vec<(usize, LineString<f64>)> = Vec::new();
    for (i, (_, p)) in polys.into_iter().enumerate() {
        match parent[i] {
            Some(j) if depth[i] % 2 == 1 => {
                holes.push((j, p.into_inner().0));
                out.push(None);
            }
            _ => out.push(Some(p)),
        }
    }
    for (j, hole) in holes {
        if let Some(Some(p)) = out.get_mut(j) {
            p.interiors_push(hole);
        }
    }
    Ok(MultiPolygon::new(out.into_iter().flatten().collect()))
}

/// The clip region, with its bounding box for quick rejection.
struct Region<'a> {
    clip: &'a Clip,
    bbox: Option<Rect<f64>>,
}

impl Region<'_> {
    fn new(clip: &Clip) -> Region<'_> {
        let bbox = match clip {
            Clip::BBox(r) => Some(*r),
            Clip::Polygon(mp) => mp.bounding_rect(),
        };
        Region { clip, bbox }
    }

    fn may_touch(&self, g: &Geometry<f64>) -> bool {
        match (self.bbox, g.bounding_rect()) {
            (Some(a), Some(b)) => a.intersects(&b),
            _ => false,
        }
    }

    fn intersects(&self, g: &Geometry<f64>) -> bool {
        if !self.may_touch(g) {
            return false;
        }
        match self.clip {
            Clip::BBox(r) => r.intersects(g),
            Clip::Polygon(mp) => mp.intersects(g),
        }
    }

    /// The parts of a line inside the region; None when nothing is left.
    fn cut_line(&self, g: &Geometry<f64>) -> Option<Geometry<f64>> {
        if !self.may_touch(g) {
            return None;
        }
        let lines: Vec<LineString<f64>> = match g {
            Geometry::LineString(l) => vec![l.clone()],
            Geometry::MultiLineString(m) => m.0.clone(),
            other => return self.intersects(other).then(|| other.clone()),
        };
        let mut out: Vec<LineString<f64>> = match self.clip {
            Clip::BBox(r) => {
                if let Some(b) = g.bounding_rect()
                    && b.min().x >= r.min().x
                    && b.min().y >= r.min().y
                    && b.max().x <= r.max().x
                    && b.max().y <= r.max().y
                {
                    return Some(g.clone());
                }
                lines.iter().flat_map(|l| clip_line_to_rect(l, r)).collect()
            }
            Clip::Polygon(mp) => mp.clip(&MultiLineString::new(lines), false).0,
        };
        out.retain(|l| l.0.len() >= 2);
        match out.len() {
            0 => None,
            1 => Some(Geometry::LineString(out.remove(0))),
            _ => Some(Geometry::MultiLineString(MultiLineString::new(out))),
        }
    }
}

/// Liang–Barsky: the part of segment a→b inside `r`, as parameters t0 ≤ t1 in 0..=1.
fn clip_segment(a: Coord<f64>, b: Coord<f64>, r: &Rect<f64>) -> Option<(f64, f64)> {
    let (dx, dy) = (b.x - a.x, b.y - a.y);
    let mut t0 = 0.0f64;
    let mut t1 = 1.0f64;
    for (p, q) in [
        (-dx, a.x - r.min().x),
        (dx, r.max().x - a.x),
        (-dy, a.y - r.min().y),
        (dy, r.max().y - a.y),
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
        }
    }
    (t0 <= t1).then_some((t0, t1))
}

/// The pieces of a line inside a rectangle.
fn clip_line_to_rect(l: &LineString<f64>, r: &Rect<f64>) -> Vec<LineString<f64>> {
    let mut out = Vec::new();
    let mut cur: Vec<Coord<f64>> = Vec::new();
    let flush = |cur: &mut Vec<Coord<f64>>, out: &mut Vec<LineString<f64>>| {
        if cur.len() >= 2 && cur.iter().any(|c| *c != cur[0]) {
            out.push(LineString::new(std::mem::take(cur)));
        }
        cur.clear();
    };
    let at = |a: Coord<f64>, b: Coord<f64>, t: f64| -> Coord<f64> {
        if t == 0.0 {
            a
        } else if t == 1.0 {
            b
        } else {
            Coord {
                x: a.x + (b.x - a.x) * t,
                y: a.y + (b.y - a.y) * t,
            }
        }
    };
    for seg in l.lines() {
        match clip_segment(seg.start, seg.end, r) {
            None => flush(&mut cur, &mut out),
            Some((t0, t1)) => {
                if cur.is_empty() || t0 > 0.0 {
                    flush(&mut cur, &mut out);
                    cur.push(at(seg.start, seg.end, t0));
                }
                cur.push(at(seg.start, seg.end, t1));
                if t1 < 1.0 {
                    flush(&mut cur, &mut out);
                }
            }
        }
    }
    flush(&mut cur, &mut out);
    out
}

/// Keep only what lies in the clip region, with a warning per layer saying what was removed.
fn apply_clip(layers: &mut [Layer], clip: &Clip) {
    let region = Region::new(clip);
    for layer in layers {
        let before = layer.features.len();
        let mut cut = 0usize;
        let is_roads = layer.role_hint == Some(Role::Roads);
        let features = std::mem::take(&mut layer.features);
        for mut f in features {
            let keep = if is_roads {
                match region.cut_line(&f.geometry) {
                    Some(g) => {
                        if g != f.geometry {
                            cut += 1;
                            f.geometry = g;
                        }
                        true
                    }
                    None => false,
                }
            } else {
                region.intersects(&f.geometry)
            };
            if keep {
                layer.features.push(f);
            }
        }
        let removed = before - layer.features.len();
        let mut msg = format!(
            "the clip region removed {removed} of {before} features (kept {})",
            layer.features.len()
        );
        if cut > 0 {
            msg.push_str(&format!("; {cut} roads were cut at its edge"));
        }
        layer.issues.push(Issue::warning(None, msg));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Severity;
    use geo::{Contains, Distance};
    use geo_types::{coord, polygon};

    fn sample() -> std::path::PathBuf {
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("sample-maps/helsinki-centre/helsinki-centre.osm.pbf")
    }

    fn read_sample(clip: Option<Clip>) -> Vec<Layer> {
        read(
            &sample(),
            &ReadOptions {
                clip,
                ..Default::default()
            },
        )
        .unwrap()
    }

    fn find(layer: &Layer, id: SourceId) -> &Feature {
        layer
            .features
            .iter()
            .find(|f| f.source_id == id)
            .unwrap_or_else(|| panic!("{id} not in {}", layer.name))
    }

    fn attr<'a>(layer: &Layer, f: &'a Feature, name: &str) -> &'a AttrValue {
        &f.attrs[layer.field_index(name).unwrap()]
    }

    fn skipped(layer: &Layer) -> usize {
        layer
            .issues
            .iter()
            .filter(|i| i.severity == Severity::Skipped && i.feature.is_some())
            .count()
    }

    #[test]
    fn helsinki_counts_match_libosmium() {
        let layers = read_sample(None);
        let counts: Vec<usize> = layers.iter().map(|l| l.features.len()).collect();
        // Expected numbers from libosmium (pyosmium 4.3.2) applying the same rules:
        // `/work/venv/bin/python scripts/osm_expected_counts.py sample-maps/helsinki-centre/helsinki-centre.osm.pbf`
        // prints roads 2521 (71 with <2 nodes in the extract, 58 not roads), facilities 1368
        // (1265 nodes, 100 ways, 3 relations), buildings 446 (385 ways + 61 relations assembled
        // by libosmium, 48 ways skipped), admin_boundaries 0 (every one crosses the edge).
        assert_eq!(counts, vec![2521, 1368, 446, 0]);
        assert_eq!(skipped(&layers[0]), 71);
        let not_roads = layers[0]
            .issues
            .iter()
            .find(|i| i.feature.is_none() && i.severity == Severity::Skipped)
            .unwrap();
        assert!(not_roads.message.starts_with("58 ways"), "{not_roads}");
        let skipped_building_ways = layers[2]
            .issues
            .iter()
            .filter(|i| matches!(i.feature, Some(SourceId::OsmWay(_))))
            .count();
        assert_eq!(skipped_building_ways, 48);
        // The 14 administrative relations of the file all cross the extract's edge: one issue each.
        assert_eq!(skipped(&layers[3]), 14);
        assert!(layers[3].issues.iter().any(|i| {
            i.feature == Some(SourceId::OsmRelation(34914))
                && i.message.contains("\"Helsinki\"")
                && i.message.contains("not in the extract")
        }));
        let facility_kinds: Vec<usize> = ["node", "way", "relation"]
            .iter()
            .map(|k| {
                let col = layers[1].field_index("osm_type").unwrap();
                layers[1]
                    .features
                    .iter()
                    .filter(|f| f.attrs[col] == AttrValue::Text(k.to_string()))
                    .count()
            })
            .collect();
        assert_eq!(facility_kinds, vec![1265, 100, 3]);
    }

    #[test]
    fn layers_are_named_typed_and_wgs84() {
        let layers = read_sample(None);
        let expected = [
            ("roads", Role::Roads),
            ("facilities", Role::Facilities),
            ("buildings", Role::Buildings),
            ("admin_boundaries", Role::AdminBoundaries),
        ];
        for (layer, (table, role)) in layers.iter().zip(expected) {
            assert_eq!(layer.name, format!("helsinki-centre: {table}"));
            assert_eq!(layer.source.table.as_deref(), Some(table));
            assert_eq!(layer.source.format, Format::OsmPbf);
            assert_eq!(layer.source.encoding.as_deref(), Some("UTF-8"));
            assert_eq!(layer.role_hint, Some(role));
            assert_eq!(layer.crs.crs, Some(Crs::Epsg(4326)));
            for f in &layer.features {
                assert_eq!(f.attrs.len(), layer.fields.len());
            }
        }
        // Every key of a taxonomy rule is a facility column.
        for key in [
            "amenity",
            "isced:level",
            "school",
            "social_facility:for",
            "access",
            "bus",
        ] {
            assert!(layers[1].field_index(key).is_some(), "{key}");
        }
        // All geometry lies around central Helsinki.
        let area = Rect::new(coord! {x: 24.90, y: 60.15}, coord! {x: 24.99, y: 60.20});
        for layer in &layers {
            for f in &layer.features {
                let b = f.geometry.bounding_rect().unwrap();
                assert!(area.contains(&b), "{} {}", layer.name, f.source_id);
            }
        }
    }

    #[test]
    fn known_features() {
        let layers = read_sample(None);
        let (roads, facilities, buildings) = (&layers[0], &layers[1], &layers[2]);

        // Kaisaniemen ala-aste, a primary school mapped as a way: a point inside its grounds.
        let school = find(facilities, SourceId::OsmWay(596507272));
        assert_eq!(
            attr(facilities, school, "amenity"),
            &AttrValue::Text("school".into())
        );
        assert_eq!(
            attr(facilities, school, "name"),
            &AttrValue::Text("Kaisaniemen ala-aste".into())
        );
        assert_eq!(
            attr(facilities, school, "osm_type"),
            &AttrValue::Text("way".into())
        );
        assert!(matches!(school.geometry, Geometry::Point(_)));

        // Ateneuminkuja, a footway of 9 nodes.
        let footway = find(roads, SourceId::OsmWay(8035183));
        assert_eq!(
            attr(roads, footway, "highway"),
            &AttrValue::Text("footway".into())
        );
        assert_eq!(
            attr(roads, footway, "name"),
            &AttrValue::Text("Ateneuminkuja".into())
        );
        assert_eq!(attr(roads, footway, "osm_id"), &AttrValue::Int(8035183));
        match &footway.geometry {
            Geometry::LineString(l) => assert_eq!(l.0.len(), 9),
            other => panic!("{other:?}"),
        }

        // Kiasma has 4 levels; Hotelli Torni 13; Ateneum's "3.5" is not a whole number.
        let kiasma = find(buildings, SourceId::OsmWay(8042215));
        assert_eq!(
            attr(buildings, kiasma, "building:levels"),
            &AttrValue::Int(4)
        );
        assert_eq!(
            attr(buildings, kiasma, "name"),
            &AttrValue::Text("Kiasma".into())
        );
        assert!(matches!(kiasma.geometry, Geometry::Polygon(_)));
        let torni = find(buildings, SourceId::OsmWay(123525580));
        assert_eq!(
            attr(buildings, torni, "building:levels"),
            &AttrValue::Int(13)
        );
        let ateneum = find(buildings, SourceId::OsmWay(8033120));
        assert_eq!(
            attr(buildings, ateneum, "building:levels"),
            &AttrValue::Null
        );
        assert!(
            buildings
                .issues
                .iter()
                .any(|i| i.message.contains("way 8033120: \"3.5\""))
        );

        // The school way is also a facility point inside the school's polygon.
        let school_way = raw_way_polygon(596507272);
        assert!(school_way.contains(&school.geometry));
    }

    /// The polygon of a closed way of the sample, read independently of the layers.
    fn raw_way_polygon(way: i64) -> Polygon<f64> {
        let mut refs = Vec::new();
        osmpbf::ElementReader::from_path(sample())
            .unwrap()
            .for_each(|e| {
                if let osmpbf::Element::Way(w) = e
                    && w.id() == way
                {
                    refs = w.refs().collect();
                }
            })
            .unwrap();
        let mut coords: HashMap<i64, Coord<f64>> = HashMap::new();
        osmpbf::ElementReader::from_path(sample())
            .unwrap()
            .for_each(|e| {
                if let osmpbf::Element::DenseNode(n) = e
                    && refs.contains(&n.id())
                {
                    coords.insert(n.id(), coord! {x: n.lon(), y: n.lat()});
                }
            })
            .unwrap();
        Polygon::new(refs.iter().map(|r| coords[r]).collect(), vec![])
    }

    #[test]
    fn bbox_clip_keeps_what_is_inside() {
        let all = read_sample(None);
        let rect = Rect::new(coord! {x: 24.940, y: 60.166}, coord! {x: 24.948, y: 60.172});
        let clipped = read_sample(Some(Clip::BBox(rect)));
        for (a, c) in all.iter().zip(&clipped) {
            assert!(c.features.len() <= a.features.len());
            assert!(
                c.issues
                    .iter()
                    .any(|i| i.message.starts_with("the clip region removed")),
                "{}",
                c.name
            );
        }
        for i in 0..3 {
            assert!(clipped[i].features.len() < all[i].features.len());
            assert!(!clipped[i].features.is_empty());
        }
        let eps = 1e-12;
        let grown = Rect::new(
            coord! {x: rect.min().x - eps, y: rect.min().y - eps},
            coord! {x: rect.max().x + eps, y: rect.max().y + eps},
        );
        // Points and lines inside; buildings touch the box.
        for f in clipped[1].features.iter().chain(&clipped[0].features) {
            assert!(grown.contains(&f.geometry.bounding_rect().unwrap()));
        }
        for f in &clipped[2].features {
            assert!(rect.intersects(&f.geometry));
        }
        // Every facility inside the box is kept.
        let inside = all[1]
            .features
            .iter()
            .filter(|f| rect.intersects(&f.geometry))
            .count();
        assert_eq!(clipped[1].features.len(), inside);
        // A road crossing the edge is cut, not dropped.
        assert!(clipped[0].issues.iter().any(|i| i.message.contains("cut")));
    }

    #[test]
    fn polygon_clip() {
        let all = read_sample(None);
        let tri: Polygon<f64> = polygon![
            (x: 24.938, y: 60.165),
            (x: 24.952, y: 60.165),
            (x: 24.945, y: 60.176),
            (x: 24.938, y: 60.165),
        ];
        let region = MultiPolygon::new(vec![tri.clone()]);
        let clipped = read_sample(Some(Clip::Polygon(region.clone())));
        for i in 0..3 {
            assert!(clipped[i].features.len() < all[i].features.len());
            assert!(!clipped[i].features.is_empty());
        }
        for f in &clipped[1].features {
            assert!(region.intersects(&f.geometry));
        }
        let expected = all[1]
            .features
            .iter()
            .filter(|f| region.intersects(&f.geometry))
            .count();
        assert_eq!(clipped[1].features.len(), expected);
        // Clipped roads stay inside the triangle (up to rounding at its edge).
        let grown = tri.bounding_rect().unwrap();
        for f in &clipped[0].features {
            let b = f.geometry.bounding_rect().unwrap();
            assert!(b.min().x >= grown.min().x - 1e-9 && b.max().y <= grown.max().y + 1e-9);
            let centre = f.geometry.interior_point().unwrap();
            assert!(
                geo::Euclidean.distance(&tri, &centre) < 1e-9,
                "{}",
                f.source_id
            );
        }
        for f in &clipped[2].features {
            assert!(region.intersects(&f.geometry));
        }
    }

    fn assert_not_pbf(path: &Path) {
        let err = read(path, &ReadOptions::default()).unwrap_err().to_string();
        assert!(err.contains("not a valid OSM PBF file"), "{err}");
        assert!(err.contains("re-export it"), "{err}");
        assert!(err.contains(&path.display().to_string()), "{err}");
    }

    #[test]
    fn truncated_empty_and_random_files_are_errors() {
        let dir = tempfile::tempdir().unwrap();
        let bytes = std::fs::read(sample()).unwrap();
        for n in [bytes.len() / 2, bytes.len() - 10, 40, 3] {
            let path = dir.path().join(format!("cut-{n}.osm.pbf"));
            std::fs::write(&path, &bytes[..n]).unwrap();
            assert_not_pbf(&path);
        }
        let empty = dir.path().join("empty.osm.pbf");
        std::fs::write(&empty, b"").unwrap();
        assert_not_pbf(&empty);
        let err = read(&empty, &ReadOptions::default())
            .unwrap_err()
            .to_string();
        assert!(err.contains("empty"), "{err}");
        let half = dir.path().join(format!("cut-{}.osm.pbf", bytes.len() / 2));
        let err = read(&half, &ReadOptions::default())
            .unwrap_err()
            .to_string();
        assert!(err.contains("truncated"), "{err}");
        // Random bytes from a fixed-seed generator (xorshift).
        let mut x = 0x9E37_79B9_7F4A_7C15u64;
        let noise: Vec<u8> = (0..5000)
            .map(|_| {
                x ^= x << 13;
                x ^= x >> 7;
                x ^= x << 17;
                x as u8
            })
            .collect();
        let random = dir.path().join("random.pbf");
        std::fs::write(&random, &noise).unwrap();
        assert_not_pbf(&random);
        // A plausible header length followed by garbage.
        let mut fake = vec![0, 0, 0, 13];
        fake.extend_from_slice(&noise[..200]);
        let fake_path = dir.path().join("fake.osm.pbf");
        std::fs::write(&fake_path, &fake).unwrap();
        assert_not_pbf(&fake_path);
    }

    // ----- A minimal PBF writer, to test what the sample does not have. -----

    fn varint(out: &mut Vec<u8>, mut v: u64) {
        while v >= 0x80 {
            out.push((v as u8) | 0x80);
            v >>= 7;
        }
        out.push(v as u8);
    }
    fn zigzag(v: i64) -> u64 {
        ((v << 1) ^ (v >> 63)) as u64
    }
    fn field_varint(out: &mut Vec<u8>, field: u32, v: u64) {
        varint(out, u64::from(field) << 3);
        varint(out, v);
    }
    fn field_bytes(out: &mut Vec<u8>, field: u32, bytes: &[u8]) {
        varint(out, (u64::from(field) << 3) | 2);
        varint(out, bytes.len() as u64);
        out.extend_from_slice(bytes);
    }
    fn packed(values: impl IntoIterator<Item = u64>) -> Vec<u8> {
        let mut out = Vec::new();
        for v in values {
            varint(&mut out, v);
        }
        out
    }

    #[derive(Default)]
    struct Pbf {
        strings: Vec<String>,
        nodes: Vec<u8>,
        ways: Vec<u8>,
        relations: Vec<u8>,
    }

    impl Pbf {
        fn s(&mut self, text: &str) -> u64 {
            if self.strings.is_empty() {
                self.strings.push(String::new());
            }
            match self.strings.iter().position(|s| s == text) {
                Some(i) => i as u64,
                None => {
                    self.strings.push(text.into());
                    (self.strings.len() - 1) as u64
                }
            }
        }
        fn tags(&mut self, out: &mut Vec<u8>, tags: &[(&str, &str)]) {
            let keys: Vec<u64> = tags.iter().map(|(k, _)| self.s(k)).collect();
            let vals: Vec<u64> = tags.iter().map(|(_, v)| self.s(v)).collect();
            field_bytes(out, 2, &packed(keys));
            field_bytes(out, 3, &packed(vals));
        }
        fn node(&mut self, id: i64, lon: f64, lat: f64, tags: &[(&str, &str)]) {
            let mut n = Vec::new();
            field_varint(&mut n, 1, zigzag(id));
            self.tags(&mut n, tags);
            field_varint(&mut n, 8, zigzag((lat * 1e7).round() as i64));
            field_varint(&mut n, 9, zigzag((lon * 1e7).round() as i64));
            field_bytes(&mut self.nodes, 1, &n);
        }
        fn way(&mut self, id: i64, refs: &[i64], tags: &[(&str, &str)]) {
            let mut w = Vec::new();
            field_varint(&mut w, 1, id as u64);
            self.tags(&mut w, tags);
            let mut last = 0;
            let deltas = refs.iter().map(|r| {
                let d = zigzag(r - last);
                last = *r;
                d
            });
            field_bytes(&mut w, 8, &packed(deltas.collect::<Vec<_>>()));
            field_bytes(&mut self.ways, 3, &w);
        }
        /// Members: (type 0 node / 1 way / 2 relation, anything else is invalid; id; role).
        fn relation(&mut self, id: i64, tags: &[(&str, &str)], members: &[(u64, i64, &str)]) {
            let mut r = Vec::new();
            field_varint(&mut r, 1, id as u64);
            self.tags(&mut r, tags);
            let roles: Vec<u64> = members.iter().map(|m| self.s(m.2)).collect();
            field_bytes(&mut r, 8, &packed(roles));
            let mut last = 0;
            let ids: Vec<u64> = members
                .iter()
                .map(|m| {
                    let d = zigzag(m.1 - last);
                    last = m.1;
                    d
                })
                .collect();
            field_bytes(&mut r, 9, &packed(ids));
            field_bytes(&mut r, 10, &packed(members.iter().map(|m| m.0)));
            field_bytes(&mut self.relations, 4, &r);
        }
        fn blob(out: &mut Vec<u8>, kind: &str, data: &[u8]) {
            let mut blob = Vec::new();
            field_bytes(&mut blob, 1, data);
            field_varint(&mut blob, 2, data.len() as u64);
            let mut header = Vec::new();
            field_bytes(&mut header, 1, kind.as_bytes());
            field_varint(&mut header, 3, blob.len() as u64);
            out.extend_from_slice(&(header.len() as u32).to_be_bytes());
            out.extend_from_slice(&header);
            out.extend_from_slice(&blob);
        }
        fn write(mut self, path: &Path) {
            self.s("");
            let mut header = Vec::new();
            field_bytes(&mut header, 4, b"OsmSchema-V0.6");
            let mut table = Vec::new();
            for s in &self.strings {
                field_bytes(&mut table, 1, s.as_bytes());
            }
            let mut out = Vec::new();
            Pbf::blob(&mut out, "OSMHeader", &header);
            // One block per element type, as real files have.
            for group in [&self.nodes, &self.ways, &self.relations] {
                let mut block = Vec::new();
                field_bytes(&mut block, 1, &table);
                field_bytes(&mut block, 2, group);
                Pbf::blob(&mut out, "OSMData", &block);
            }
            std::fs::write(path, out).unwrap();
        }
    }

    /// A town of 10x10 "degrees/1000" with a hole, a district crossing the edge, a facility
    /// with bad coordinates, an unclosed building and a road under construction.
    fn synthetic(path: &Path) {
        let mut p = Pbf::default();
        let corners = [
            (1, 0.0, 0.0),
            (2, 0.01, 0.0),
            (3, 0.01, 0.01),
            (4, 0.0, 0.01),
        ];
        for (id, x, y) in corners {
            p.node(id, 120.0 + x, 30.0 + y, &[]);
        }
        for (id, x, y) in [(5, 0.004, 0.004), (6, 0.006, 0.004), (7, 0.005, 0.006)] {
            p.node(id, 120.0 + x, 30.0 + y, &[]);
        }
        p.node(8, 120.02, 30.02, &[]);
        p.node(20, 120.005, 95.0, &[("amenity", "school"), ("name", "Bad")]);
        p.node(
            21,
            120.002,
            30.002,
            &[("amenity", "pharmacy"), ("name", "药店")],
        );
        p.node(22, 120.003, 30.003, &[("amenity", "bench")]);
        // Outer ring in two halves, the second drawn the other way round; a closed inner ring.
        p.way(10, &[1, 2, 3], &[]);
        p.way(11, &[1, 4, 3], &[]);
        p.way(12, &[5, 6, 7, 5], &[]);
        p.way(
            13,
            &[3, 8],
            &[("highway", "residential"), ("name", "中山路")],
        );
        p.way(14, &[1, 8], &[("highway", "construction")]);
        p.way(15, &[5, 6, 7], &[("building", "yes")]);
        p.way(
            16,
            &[5, 6, 7, 5],
            &[("building", "house"), ("building:levels", "2")],
        );
        let town = [("type", "boundary"), ("boundary", "administrative")];
        p.relation(
            100,
            &[town[0], town[1], ("name", "某镇"), ("admin_level", "8")],
            &[
                (1, 10, "outer"),
                (1, 11, "outer"),
                (1, 12, "inner"),
                (0, 21, "label"),
            ],
        );
        p.relation(
            101,
            &[town[0], town[1], ("name", "Edge"), ("admin_level", "9")],
            &[(1, 10, "outer"), (1, 99, "outer")],
        );
        p.write(path);
    }

    #[test]
    fn synthetic_admin_boundary_with_hole_and_edge_cases() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("town.osm.pbf");
        synthetic(&path);
        let layers = read(&path, &ReadOptions::default()).unwrap();
        let [roads, facilities, buildings, admin] = &layers[..] else {
            panic!()
        };
        assert_eq!(admin.name, "town: admin_boundaries");
        assert_eq!(admin.features.len(), 1);
        let town = &admin.features[0];
        assert_eq!(attr(admin, town, "name"), &AttrValue::Text("某镇".into()));
        assert_eq!(attr(admin, town, "admin_level"), &AttrValue::Int(8));
        let Geometry::MultiPolygon(mp) = &town.geometry else {
            panic!("{:?}", town.geometry)
        };
        assert_eq!(mp.0.len(), 1);
        assert_eq!(mp.0[0].exterior().0.len(), 5);
        assert_eq!(mp.0[0].interiors().len(), 1);
        let area = mp.unsigned_area();
        let hole = 0.002 * 0.002 / 2.0;
        assert!((area - (1e-4 - hole)).abs() < 1e-10, "{area}");
        // The district whose way 99 is missing: one issue naming it.
        let edge: Vec<&Issue> = admin.issues.iter().collect();
        assert_eq!(edge.len(), 1);
        assert_eq!(edge[0].feature, Some(SourceId::OsmRelation(101)));
        assert!(edge[0].message.contains("\"Edge\""), "{}", edge[0]);
        assert!(edge[0].message.contains("1 of its 2 member ways"));

        // Facilities: the pharmacy; the bad-coordinates school skipped; the bench is not one.
        assert_eq!(facilities.features.len(), 1);
        assert_eq!(facilities.features[0].source_id, SourceId::OsmNode(21));
        assert_eq!(
            facilities.features[0].geometry,
            Geometry::Point(Point::new(120.002, 30.002))
        );
        assert!(facilities.issues.iter().any(|i| {
            i.feature == Some(SourceId::OsmNode(20)) && i.severity == Severity::Skipped
        }));

        // Roads: the residential road; the construction site counted in one issue.
        assert_eq!(roads.features.len(), 1);
        assert_eq!(
            attr(roads, &roads.features[0], "name"),
            &AttrValue::Text("中山路".into())
        );
        assert!(
            roads
                .issues
                .iter()
                .any(|i| i.message.contains("highway=construction: 1"))
        );

        // Buildings: the unclosed one skipped with a reason; the house kept.
        assert_eq!(buildings.features.len(), 1);
        assert_eq!(
            attr(buildings, &buildings.features[0], "building:levels"),
            &AttrValue::Int(2)
        );
        assert!(buildings.issues.iter().any(|i| {
            i.feature == Some(SourceId::OsmWay(15)) && i.message.contains("not closed")
        }));
    }

    #[test]
    fn a_panicking_decoder_becomes_an_error() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("bad-member.osm.pbf");
        let mut p = Pbf::default();
        p.node(1, 120.0, 30.0, &[]);
        // Member type 7 does not exist: osmpbf panics decoding it.
        p.relation(
            1,
            &[("type", "multipolygon"), ("building", "yes")],
            &[(7, 1, "outer")],
        );
        p.write(&path);
        assert_not_pbf(&path);
    }

    #[test]
    fn rings_join_reversed_ways_and_report_open_ones() {
        let rings = join_rings(vec![vec![1, 2, 3], vec![5, 4, 3], vec![1, 5]]).unwrap();
        assert_eq!(rings.len(), 1);
        assert_eq!(rings[0].len(), 6);
        assert_eq!(rings[0].first(), rings[0].last());
        let err = join_rings(vec![vec![1, 2, 3], vec![3, 4]]).unwrap_err();
        assert!(err.contains("not closed"), "{err}");
    }

    #[test]
    fn segment_clipping_to_a_rect() {
        let r = Rect::new(coord! {x: 0.0, y: 0.0}, coord! {x: 10.0, y: 10.0});
        // In, out, back in: two pieces.
        let l = LineString::from(vec![(5.0, 5.0), (15.0, 5.0), (15.0, 8.0), (5.0, 8.0)]);
        let pieces = clip_line_to_rect(&l, &r);
        assert_eq!(pieces.len(), 2);
        assert_eq!(pieces[0], LineString::from(vec![(5.0, 5.0), (10.0, 5.0)]));
        assert_eq!(pieces[1], LineString::from(vec![(10.0, 8.0), (5.0, 8.0)]));
        // Touching a corner only is nothing.
        let touch = LineString::from(vec![(10.0, 12.0), (12.0, 10.0), (11.0, 11.0)]);
        assert!(clip_line_to_rect(&touch, &r).is_empty());
        assert_eq!(decimicro(0, 91_000_000_000), None);
        assert_eq!(decimicro(-181_000_000_000, 0), None);
        assert_eq!(decimicro(120_123_456_789, 305), Some([1_201_234_567, 3]));
    }
}
