//! Building each theme's layer from the scanned records: roads, facilities (nodes, ways, relations), buildings, admin boundaries.

use super::pbf::{Raw, WayRec};
use super::rings::{assemble, missing_nodes_message};
use super::schema::{ROAD_TAGS, Schema, Tags};
use super::*;

pub(super) fn build_roads(path: &Path, raw: &Raw) -> Layer {
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
pub(super) fn representative_point(g: &Geometry<f64>) -> Option<Point<f64>> {
    g.interior_point().or_else(|| g.centroid())
}

/// The geometry of a way: a polygon when closed and complete, else the line of its nodes in the
/// extract. None when no node is in the extract.
pub(super) fn way_shape(raw: &Raw, w: &WayRec) -> Option<Geometry<f64>> {
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

pub(super) fn build_facilities(
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

pub(super) fn build_buildings(path: &Path, raw: &Raw, ways: &HashMap<i64, &WayRec>) -> Layer {
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

/// A Polygon when there is one, else the MultiPolygon.
pub(super) fn polygonal(mut mp: MultiPolygon<f64>) -> Geometry<f64> {
    if mp.0.len() == 1 {
        Geometry::Polygon(mp.0.remove(0))
    } else {
        Geometry::MultiPolygon(mp)
    }
}

pub(super) fn build_admin(path: &Path, raw: &Raw, ways: &HashMap<i64, &WayRec>) -> Layer {
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

pub(super) fn new_layer(path: &Path, table: &str, role: Role, fields: Vec<Field>) -> Layer {
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

/// An integer tag value ("3", " 4 ", "2.0"), None when it is not one.
pub(super) fn parse_int(v: &str) -> Option<i64> {
    let v = v.trim();
    v.parse::<i64>().ok().or_else(|| {
        v.parse::<f64>()
            .ok()
            .filter(|f| f.is_finite() && f.fract() == 0.0 && f.abs() < 1e15)
            .map(|f| f as i64)
    })
}

pub(super) fn text_fields(keys: &[&str]) -> Vec<Field> {
    keys.iter()
        .map(|k| Field::new(*k, FieldKind::Text))
        .collect()
}

/// The layer name prefix: the file name without `.osm.pbf` / `.pbf`.
pub(super) fn stem(path: &Path) -> String {
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
