//! The PBF pass: blocks decoded in parallel into compact node, way and relation records (decimicrodegrees), with the header check and panics inside osmpbf caught as errors.

use super::schema::{INVALID, MISSING, Schema, Tags};
use super::*;

#[derive(Debug)]
pub(super) struct WayRec {
    pub(super) id: i64,
    pub(super) refs: Vec<i64>,
    pub(super) tags: Tags,
}

#[derive(Debug)]
pub(super) struct RelRec {
    pub(super) id: i64,
    pub(super) tags: Tags,
    /// Way members: id and whether the role is "inner".
    pub(super) ways: Vec<(i64, bool)>,
}

#[derive(Debug)]
pub(super) struct NodeRec {
    pub(super) id: i64,
    /// None when the coordinates are out of range.
    pub(super) lonlat: Option<Coord<f64>>,
    pub(super) tags: Tags,
}

/// What the first pass found in one block.
#[derive(Default)]
pub(super) struct Pass1 {
    pub(super) way_blobs: Vec<u64>,
    pub(super) node_blobs: Vec<u64>,
    pub(super) relations: Vec<RelRec>,
    pub(super) ways: Vec<WayRec>,
    pub(super) nodes: Vec<NodeRec>,
}

impl Pass1 {
    pub(super) fn merge(mut self, mut other: Pass1) -> Pass1 {
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
pub(super) struct Bad(pub(super) String);

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
pub(super) struct Raw {
    pub(super) relations: Vec<RelRec>,
    pub(super) ways: Vec<WayRec>,
    /// Member ways of relations that are not roads, buildings or facilities themselves.
    pub(super) member_ways: Vec<WayRec>,
    pub(super) nodes: Vec<NodeRec>,
    /// Sorted node ids whose coordinates are needed, and their coordinates (decimicrodegrees).
    pub(super) node_ids: Vec<i64>,
    pub(super) node_coords: Vec<[i32; 2]>,
}

impl Raw {
    pub(super) fn coord(&self, id: i64) -> Option<Coord<f64>> {
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

    pub(super) fn is_invalid(&self, id: i64) -> bool {
        self.node_ids
            .binary_search(&id)
            .ok()
            .and_then(|i| self.node_coords.get(i))
            .is_some_and(|c| *c == INVALID)
    }
}

/// Nanodegrees to decimicrodegrees, None when out of range.
pub(super) fn decimicro(nano_lon: i64, nano_lat: i64) -> Option<[i32; 2]> {
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

pub(super) fn lonlat(nano_lon: i64, nano_lat: i64) -> Option<Coord<f64>> {
    decimicro(nano_lon, nano_lat).map(|_| Coord {
        x: nano_lon as f64 / 1e9,
        y: nano_lat as f64 / 1e9,
    })
}

/// Decode the blobs (all, or those at `offsets`) in parallel and map each data block.
pub(super) fn map_blocks<T: Send>(
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
pub(super) fn check_header(path: &Path) -> std::result::Result<(), Bad> {
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

pub(super) fn scan_block(schema: &Schema, offset: u64, block: &PrimitiveBlock) -> Pass1 {
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
pub(super) fn scan(path: &Path, schema: &Schema) -> std::result::Result<Raw, Bad> {
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

pub(super) fn panic_message(payload: &(dyn std::any::Any + Send)) -> String {
    if let Some(s) = payload.downcast_ref::<&str>() {
        (*s).to_string()
    } else if let Some(s) = payload.downcast_ref::<String>() {
        s.clone()
    } else {
        "the decoder failed".to_string()
    }
}

pub(super) fn not_pbf(path: &Path, why: &str) -> crate::Error {
    IoError::invalid(
        path,
        Location::File,
        format!("not a valid OSM PBF file ({why}); re-export it"),
    )
    .into()
}
