//! The analysis overlays as map layers: isochrones per tier, the travel-time grid, gaps with their population, uncovered buildings; their colours and styles.

use super::*;

/// Sequential ramp for the tiers, darkest for the shortest (YlGnBu), semi-transparent.
pub fn tier_colour(rank: usize, n: usize) -> Color32 {
    const RAMP: [[u8; 3]; 3] = [[0x25, 0x34, 0x94], [0x2c, 0x7f, 0xb8], [0x41, 0xb6, 0xc4]];
    let i = if n <= 1 {
        0
    } else {
        (rank * (RAMP.len() - 1) / (n - 1)).min(RAMP.len() - 1)
    };
    let [r, g, b] = RAMP[i];
    Color32::from_rgba_unmultiplied(r, g, b, 100)
}

/// Travel-time band colours (viridis reversed: short is yellow, long is purple), semi-transparent.
pub fn band_colour(band: usize, n_bands: usize) -> Color32 {
    const RAMP: [[u8; 3]; 5] = [
        [0xfd, 0xe7, 0x25],
        [0x5e, 0xc9, 0x62],
        [0x21, 0x91, 0x8c],
        [0x3b, 0x52, 0x8b],
        [0x44, 0x01, 0x54],
    ];
    let i = if n_bands <= 1 {
        0
    } else {
        (band * (RAMP.len() - 1) / (n_bands - 1)).min(RAMP.len() - 1)
    };
    let [r, g, b] = RAMP[i];
    Color32::from_rgba_unmultiplied(r, g, b, 110)
}

pub(crate) fn overlay_style(fill: Color32, stroke: Color32, width: f32) -> FeatureStyle {
    FeatureStyle {
        fill,
        stroke,
        stroke_width_pt: width,
        symbol: crate::app::map::style::Symbol::Square,
        symbol_size_pt: 5.0,
    }
}

pub(crate) fn overlay_layer(name: String, fields: &[(&str, FieldKind)]) -> Layer {
    let mut l = Layer::new(
        name.clone(),
        SourceInfo {
            path: PathBuf::from(format!("analysis://{name}")),
            format: Format::GeoJson,
            table: None,
            encoding: None,
        },
        CrsInfo::declared(Crs::WGS84, "analysis"),
    );
    l.fields = fields.iter().map(|(n, k)| Field::new(*n, *k)).collect();
    l
}

pub(crate) fn push(layer: &mut Layer, geometry: Geometry<f64>, attrs: Vec<AttrValue>) {
    let n = layer.features.len();
    layer.features.push(crate::model::layer::Feature {
        geometry,
        attrs,
        source_id: SourceId::Feature(n as u64),
        category: None,
    });
}

/// Field samples per side of an isochrone piece on the map (128 × a quarter of the half-width:
/// about 1 km).
const ISOCHRONE_TILE_SAMPLES: usize = 128;

/// Which of a category's overlays a build makes: after a scenario edit, the map's first (what
/// shows the edit: traced only where it changed things), the rest after them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OverlayStage {
    /// Isochrones, gaps and uncovered buildings.
    Map,
    /// The travel-time grid and the capacity accessibility (2SFCA).
    Rest,
    All,
}

impl OverlayStage {
    /// The kinds of overlay the stage makes.
    pub fn kinds(self) -> &'static [OverlayKind] {
        match self {
            OverlayStage::Map => &[
                OverlayKind::Isochrone,
                OverlayKind::Gaps,
                OverlayKind::UncoveredBuildings,
            ],
            OverlayStage::Rest => &[OverlayKind::TimeGrid, OverlayKind::Accessibility],
            OverlayStage::All => &[
                OverlayKind::Isochrone,
                OverlayKind::Gaps,
                OverlayKind::UncoveredBuildings,
                OverlayKind::TimeGrid,
                OverlayKind::Accessibility,
            ],
        }
    }

    fn map(self) -> bool {
        self != OverlayStage::Rest
    }

    fn rest(self) -> bool {
        self != OverlayStage::Map
    }
}

/// Side of the squares that chunk an overlay's features by place (buildings, grid cells).
const BLOCK_M: f64 = 1_000.0;

/// Chunks of the features at `xy` by squares of [`BLOCK_M`] from `origin`, each keyed by the
/// `ids` of its features (in order): a square keeps its key while the same features are in it.
fn keyed_by_block(origin: [f64; 2], xy: &[[f64; 2]], ids: &[u64]) -> KeyedChunks {
    let block = |p: &[f64; 2]| {
        (
            ((p[0] - origin[0]) / BLOCK_M).floor() as i64,
            ((p[1] - origin[1]) / BLOCK_M).floor() as i64,
        )
    };
    let blocks: Vec<(i64, i64)> = xy.iter().map(block).collect();
    // Each square's features in order, squares row by row: a counting sort over the squares
    // the features span (a town: a few hundred), without hashing or comparing 300,000 cells.
    let (mut lo, mut hi) = ((i64::MAX, i64::MAX), (i64::MIN, i64::MIN));
    for (bx, by) in &blocks {
        lo = (lo.0.min(*bx), lo.1.min(*by));
        hi = (hi.0.max(*bx), hi.1.max(*by));
    }
    let order: Vec<u32> = if blocks.is_empty() {
        Vec::new()
    } else {
        let w = (hi.0 - lo.0 + 1) as u128;
        let cells = w * (hi.1 - lo.1 + 1) as u128;
        if cells <= 4 * blocks.len() as u128 + 4096 {
            let slot =
                |(bx, by): (i64, i64)| ((by - lo.1) as u128 * w + (bx - lo.0) as u128) as usize;
            let mut start = vec![0u32; cells as usize + 1];
            for b in &blocks {
                start[slot(*b) + 1] += 1;
            }
            for i in 1..start.len() {
                start[i] += start[i - 1];
            }
            let mut order = vec![0u32; blocks.len()];
            for (i, b) in blocks.iter().enumerate() {
                let s = &mut start[slot(*b)];
                order[*s as usize] = i as u32;
                *s += 1;
            }
            order
        } else {
            // Far-flung features (few, over a huge extent): sort them.
            let mut order: Vec<u32> = (0..blocks.len() as u32).collect();
            order.sort_unstable_by_key(|i| {
                let (bx, by) = blocks[*i as usize];
                (by, bx, *i)
            });
            order
        }
    };
    let chunks = order
        .chunk_by(|a, b| blocks[*a as usize] == blocks[*b as usize])
        .map(|features| {
            let (bx, by) = blocks[features[0] as usize];
            let mut h = KeyHasher::default();
            h.word(bx as u64);
            h.word(by as u64);
            for f in features {
                h.word(ids[*f as usize]);
            }
            (std::hash::Hasher::finish(&h), features.to_vec())
        })
        .collect();
    KeyedChunks {
        origin,
        chunks,
        bboxes: Vec::new(),
    }
}

/// A feature made for an overlay: its geometry, attributes and bounding box.
type Made = (Geometry<f64>, Vec<AttrValue>, Option<GeoRect<f64>>);

/// Fill `layer` chunk by chunk from `chunks`, whose members number the things `make` makes
/// a feature of: a chunk the map shows already (its key among `shown`) is not made, only
/// named among the kept ([`OverlayLayer::kept`]: the map takes its features over); the
/// others' features are made, numbered in the layer, with their boxes.
fn fill_chunks(
    layer: &mut Layer,
    chunks: KeyedChunks,
    shown: Option<&std::collections::HashSet<u64>>,
    mut make: impl FnMut(u32) -> Option<Made>,
) -> (KeyedChunks, Vec<u64>) {
    let mut kept = Vec::new();
    let mut bboxes = Vec::new();
    let mut made = Vec::with_capacity(chunks.chunks.len());
    for (key, members) in chunks.chunks {
        if shown.is_some_and(|s| s.contains(&key)) {
            kept.push(key);
            continue;
        }
        let mut features = Vec::with_capacity(members.len());
        for m in members {
            if let Some((geometry, attrs, bbox)) = make(m) {
                features.push(layer.features.len() as u32);
                push(layer, geometry, attrs);
                bboxes.push(bbox);
            }
        }
        made.push((key, features));
    }
    let chunks = KeyedChunks {
        origin: chunks.origin,
        chunks: made,
        bboxes,
    };
    (chunks, kept)
}

/// What [`build_overlay_stage`] makes: which stage, for which category and tier, and what the
/// map shows already.
#[derive(Clone, Copy)]
pub struct OverlayRequest<'a> {
    pub stage: OverlayStage,
    pub category: &'a str,
    /// The tier of the gaps and uncovered buildings.
    pub minutes: u32,
    /// The chunks of the overlays the map shows now: not made again (after a scenario edit,
    /// everything away from it), see [`OverlayLayer::kept`].
    pub shown: Option<&'a ShownChunks>,
}

/// Features of the building layers by (layer, source id), for [`feature_of`].
type FeatureIndex = HashMap<(u32, SourceId), usize>;

/// The feature of building layer `l` (number `li` among them) with source id `sid`. Readers number
/// features 1, 2, 3… (or 0, 1, 2…) in file order, so the feature is almost always found where
/// its number says, without hashing 50,000 ids after every scenario edit; otherwise `index` (all
/// building layers) is made, once.
fn feature_of(
    l: &Layer,
    li: u32,
    sid: SourceId,
    index: &std::sync::OnceLock<FeatureIndex>,
    layers: &[&Layer],
) -> Option<usize> {
    let at = |fi: usize| l.features.get(fi).is_some_and(|f| f.source_id == sid);
    if let SourceId::Feature(n) = sid
        && let Ok(n) = usize::try_from(n)
    {
        if n >= 1 && at(n - 1) {
            return Some(n - 1);
        }
        if at(n) {
            return Some(n);
        }
    }
    let index = index.get_or_init(|| {
        let mut index = HashMap::new();
        for (li, l) in layers.iter().enumerate() {
            for (fi, f) in l.features.iter().enumerate() {
                index.insert((li as u32, f.source_id), fi);
            }
        }
        index
    });
    index.get(&(li, sid)).copied()
}

/// The overlays for one category: an isochrone per tier, the travel-time grid in bands, the gaps
/// of the `minutes` tier with their population, and the buildings not covered at that tier.
pub fn build_overlays(
    runs: &[Arc<Run>],
    layers: &[Arc<Layer>],
    category: &str,
    minutes: u32,
    town: Option<GeoRect<f64>>,
    progress: &dyn Progress,
) -> Result<Vec<OverlayLayer>, Cancelled> {
    let request = OverlayRequest {
        stage: OverlayStage::All,
        category,
        minutes,
        shown: None,
    };
    build_overlay_stage(&request, runs, layers, town, progress)
}

/// The overlays of one stage of [`build_overlays`]. Isochrones, gaps, uncovered buildings and
/// the time grid are keyed by what they draw ([`KeyedChunks`]; isochrone pieces and gap outlines
/// come from the analysis's memo where traced before): after a scenario edit the map keeps the
/// drawings of the parts the edit did not change, and the chunks it shows already are not made
/// again ([`OverlayRequest::shown`]).
pub fn build_overlay_stage(
    request: &OverlayRequest,
    runs: &[Arc<Run>],
    layers: &[Arc<Layer>],
    town: Option<GeoRect<f64>>,
    progress: &dyn Progress,
) -> Result<Vec<OverlayLayer>, Cancelled> {
    let &OverlayRequest {
        stage,
        category,
        minutes,
        shown,
    } = request;
    let shown_in = |kind: OverlayKind, name: &str| shown.and_then(|s| s.of(kind, name));
    let mut out = Vec::new();
    let Some(first) = runs.first() else {
        return Ok(out);
    };
    let taxonomy = &first.analysis.taxonomy;
    let Some(cat) = taxonomy.by_id(category) else {
        return Ok(out);
    };
    let cat_zh = taxonomy.get(cat).map(|c| c.zh.clone()).unwrap_or_default();
    let mut all_minutes: Vec<u32> = runs
        .iter()
        .flat_map(|r| r.analysis.tiers.iter().map(|t| t.minutes))
        .collect();
    all_minutes.sort_unstable();
    let run_of = |m: u32| {
        runs.iter()
            .find(|r| r.analysis.tiers.iter().any(|t| t.minutes == m))
    };
    let times_of = |r: &Run, c: CategoryId| {
        r.result
            .categories
            .iter()
            .find(|ct| ct.category == c)
            .cloned()
    };
    // The meshes' origin: fixed for the town (its field's grid, else its first demand point).
    let a0 = &first.analysis;
    let origin = a0
        .band_grid()
        .map(|g| g.origin)
        .or_else(|| a0.demand.points.first().map(|p| p.xy))
        .unwrap_or([0.0, 0.0]);

    // Isochrones, the longest first (drawn below the shorter ones), traced in parallel. In
    // pieces (one feature each): a town-wide isochrone has tens of thousands of holes, one
    // polygon of them would take the map a minute to fill.
    // Gaps and uncovered buildings at the chosen tier (and the 2SFCA), made while the
    // isochrones are traced.
    let tail = || -> Vec<OverlayLayer> {
        let mut out = Vec::new();
        let tier = if all_minutes.contains(&minutes) {
            Some(minutes)
        } else {
            all_minutes.first().copied()
        };
        if let Some(m) = tier
            && let Some(r) = run_of(m)
            && let Some(ct) = times_of(r, cat)
        {
            let budget = f64::from(m) * 60.0;
            let a = &r.analysis;
            let index = std::sync::OnceLock::new();
            // Buildings: demand points keep their building (input building layer, feature).
            let input = access_input(layers);
            let building_ref = |i: usize| {
                let (li, sid) = a.demand.points.get(i)?.origin?;
                let l = input.buildings.get(li as usize)?;
                let f = &l.features[feature_of(l, li, sid, &index, &input.buildings)?];
                Some(&f.geometry)
            };
            let building = |i: usize| building_ref(i).cloned();
            let accessibility = if stage.rest() {
                accessibility_overlays(a, &ct, &cat_zh, m, &building)
            } else {
                Vec::new()
            };
            if !stage.map() {
                return accessibility;
            }
            // The uncovered people its coverage counts (with the age band's raster loaded,
            // that band's), and their weights.
            let counted = a.counted(cat);
            let (uncovered, weights): (Vec<usize>, Vec<f64>) = (0..a.demand.points.len())
                .filter(|i| !ct.demand_time_s.get(*i).is_some_and(|t| *t <= budget))
                .filter_map(|i| Some((i, counted.weight(i)?)))
                .unzip();
            let pts: Vec<([f64; 2], f64)> = uncovered
                .iter()
                .zip(&weights)
                .map(|(i, w)| (a.demand.points[*i].xy, *w))
                .collect();
            // Gaps and uncovered buildings side by side.
            let gaps = || {
                let name = format!("服务缺口 {m} 分钟 · {cat_zh}");
                let mut gl = overlay_layer(
                    name.clone(),
                    &[
                        ("population", FieldKind::Float),
                        ("points", FieldKind::Int),
                        ("area_m2", FieldKind::Float),
                    ],
                );
                let shapes = gap_shapes(&pts, a.shapes.gap_cell_m.value, Some(&a.shape_memo));
                // Each area keyed by its cells and the figures it shows.
                let (mut ids, mut centres, mut labels) = (Vec::new(), Vec::new(), Vec::new());
                for (g, _) in &shapes {
                    let mut h = KeyHasher::default();
                    h.word(g.key);
                    h.f64(g.population.round());
                    h.word(g.points as u64);
                    ids.push(std::hash::Hasher::finish(&h));
                    centres.push(g.centre);
                    labels.push((g.centre, crate::app::doc::MapLabel::People(g.population)));
                }
                let mut shapes: Vec<_> = shapes.into_iter().map(Some).collect();
                let chunks = keyed_by_block(origin, &centres, &ids);
                let (chunks, kept) =
                    fill_chunks(&mut gl, chunks, shown_in(OverlayKind::Gaps, &name), |i| {
                        let (g, outline) = shapes.get_mut(i as usize)?.take()?;
                        let polygon = outline
                            .map_or(MultiPolygon(vec![]), |o| Arc::unwrap_or_clone(o).polygon);
                        let attrs = vec![
                            AttrValue::Float(g.population.round()),
                            AttrValue::Int(g.points as i64),
                            AttrValue::Float(g.area_m2.round()),
                        ];
                        Some((polygon.into(), attrs, g.bbox))
                    });
                OverlayLayer {
                    chunks: Some(chunks),
                    kept,
                    kind: OverlayKind::Gaps,
                    layer: gl,
                    style: overlay_style(
                        Color32::from_rgba_unmultiplied(213, 94, 0, 70),
                        Color32::from_rgb(213, 94, 0),
                        1.8,
                    ),
                    labels,
                }
            };
            let buildings = || {
                let name = format!("未覆盖建筑 {m} 分钟 · {cat_zh}");
                let mut bl = overlay_layer(
                    name.clone(),
                    &[
                        ("population", FieldKind::Float),
                        ("minutes", FieldKind::Float),
                    ],
                );
                // The buildings found, where they are, what they show, keyed by all three.
                let (mut found, mut xy, mut ids) = (Vec::new(), Vec::new(), Vec::new());
                for (i, w) in uncovered.iter().zip(&weights) {
                    let Some(geometry) = building_ref(*i) else {
                        continue;
                    };
                    let t = ct.demand_time_s.get(*i).copied().unwrap_or(f64::INFINITY);
                    let people = (w * 10.0).round() / 10.0;
                    let minutes = t.is_finite().then(|| (t / 6.0).round() / 10.0);
                    let mut h = KeyHasher::default();
                    h.word(*i as u64);
                    h.f64(people);
                    h.f64(minutes.unwrap_or(f64::NAN));
                    xy.push(a.demand.points[*i].xy);
                    ids.push(std::hash::Hasher::finish(&h));
                    found.push((geometry, people, minutes));
                }
                let chunks = keyed_by_block(origin, &xy, &ids);
                let shown = shown_in(OverlayKind::UncoveredBuildings, &name);
                let (chunks, kept) = fill_chunks(&mut bl, chunks, shown, |k| {
                    let (geometry, people, minutes) = found.get(k as usize)?;
                    let attrs = vec![
                        AttrValue::Float(*people),
                        minutes.map_or(AttrValue::Null, AttrValue::Float),
                    ];
                    let bbox = geo::BoundingRect::bounding_rect(*geometry);
                    Some(((*geometry).clone(), attrs, bbox))
                });
                OverlayLayer {
                    chunks: Some(chunks),
                    kept,
                    kind: OverlayKind::UncoveredBuildings,
                    layer: bl,
                    style: overlay_style(
                        Color32::from_rgb(0xcc, 0x1f, 0x6a),
                        Color32::from_rgb(0x7a, 0x0f, 0x3e),
                        0.8,
                    ),
                    labels: Vec::new(),
                }
            };
            let (g, b) = rayon::join(gaps, buildings);
            out.push(g);
            out.push(b);
            out.extend(accessibility);
        }
        out
    };
    Cancelled::check(progress)?;
    progress.set_message("isochrones, gaps");
    let (traced, tail): (Vec<Option<Vec<BandTile>>>, _) = rayon::join(
        || {
            use rayon::prelude::*;
            let tiers: &[u32] = if stage.map() { &all_minutes } else { &[] };
            tiers
                .par_iter()
                .map(|m| {
                    let r = run_of(*m)?;
                    let ct = times_of(r, cat)?;
                    Some(
                        r.analysis
                            .category_isochrone_tiles(&ct, *m, ISOCHRONE_TILE_SAMPLES),
                    )
                })
                .collect()
        },
        tail,
    );
    for ((rank, m), pieces) in all_minutes.iter().enumerate().zip(traced).rev() {
        let (Some(r), Some(pieces)) = (run_of(*m), pieces) else {
            continue;
        };
        let name = format!("等时圈 {m} 分钟 · {cat_zh}");
        let mut l = overlay_layer(
            name.clone(),
            &[("minutes", FieldKind::Int), ("mode", FieldKind::Text)],
        );
        let chunks = KeyedChunks {
            origin,
            chunks: (pieces.iter().enumerate())
                .map(|(i, t)| (t.key, vec![i as u32]))
                .collect(),
            bboxes: Vec::new(),
        };
        let mut pieces: Vec<_> = pieces.into_iter().map(Some).collect();
        let shown = shown_in(OverlayKind::Isochrone, &name);
        let (chunks, kept) = fill_chunks(&mut l, chunks, shown, |i| {
            let t = pieces.get_mut(i as usize)?.take()?;
            let bbox = Some(t.outline.bbox);
            let attrs = vec![
                AttrValue::Int(i64::from(*m)),
                AttrValue::Text(r.analysis.mode.id.clone()),
            ];
            Some((t.into_polygon().into(), attrs, bbox))
        });
        let fill = tier_colour(rank, all_minutes.len());
        out.push(OverlayLayer {
            chunks: Some(chunks),
            kept,
            kind: OverlayKind::Isochrone,
            layer: l,
            style: overlay_style(fill, fill.to_opaque(), 1.2),
            labels: Vec::new(),
        });
    }
    // The travel-time grid, from the run with the longest tier (its budget covers all bands).
    Cancelled::check(progress)?;
    progress.set_message("grid");
    if let (true, Some(m_max), Some(ext)) = (stage.rest(), all_minutes.last(), town)
        && let Some(r) = run_of(*m_max)
        && let Some(ct) = times_of(r, cat)
    {
        let cell = r.analysis.shapes.time_grid_cell_m.value;
        let extent = ([ext.min().x, ext.min().y], [ext.max().x, ext.max().y]);
        if let Some(grid) = r.analysis.time_grid(&ct, extent, cell) {
            let edges: Vec<u32> = all_minutes.clone();
            let n_bands = edges.len() + 1;
            let mut bands: Vec<Layer> = (0..n_bands)
                .map(|b| {
                    let name = if b < edges.len() {
                        let lo = if b == 0 { 0 } else { edges[b - 1] };
                        format!("出行时间 {lo}–{} 分钟 · {cat_zh}", edges[b])
                    } else {
                        format!("出行时间 >{} 分钟或不可达 · {cat_zh}", edges[b - 1])
                    };
                    overlay_layer(name, &[("minutes", FieldKind::Float)])
                })
                .collect();
            let half = grid.cell_m / 2.0;
            let mut placed: Vec<(Vec<[f64; 2]>, Vec<u64>)> = vec![Default::default(); n_bands];
            for j in 0..grid.ny {
                for i in 0..grid.nx {
                    let t = grid.get(i, j).unwrap_or(f32::NAN);
                    let min = f64::from(t) / 60.0;
                    let b = if t.is_nan() {
                        n_bands - 1
                    } else {
                        edges
                            .iter()
                            .position(|e| min <= f64::from(*e))
                            .unwrap_or(n_bands - 1)
                    };
                    let c = grid.centre(i, j);
                    let rect = GeoRect::new(
                        coord! { x: c[0] - half, y: c[1] - half },
                        coord! { x: c[0] + half, y: c[1] + half },
                    );
                    let v = if t.is_nan() {
                        AttrValue::Null
                    } else {
                        AttrValue::Float((min * 10.0).round() / 10.0)
                    };
                    push(&mut bands[b], rect.to_polygon().into(), vec![v]);
                    placed[b].0.push(c);
                    placed[b].1.push((j * grid.nx + i) as u64);
                }
            }
            for ((b, l), (xy, ids)) in bands.into_iter().enumerate().zip(placed) {
                // Beyond the longest tier: a light grey veil, not a colour of the ramp.
                let fill = if b + 1 == n_bands {
                    Color32::from_rgba_unmultiplied(90, 90, 90, 60)
                } else {
                    band_colour(b, n_bands - 1)
                };
                out.push(OverlayLayer {
                    chunks: Some(keyed_by_block(origin, &xy, &ids)),
                    kept: Vec::new(),
                    kind: OverlayKind::TimeGrid,
                    layer: l,
                    style: overlay_style(fill, Color32::TRANSPARENT, 0.0),
                    labels: Vec::new(),
                });
            }
        }
    }

    out.extend(tail);
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn numbered(ids: &[SourceId]) -> Layer {
        let mut l = crate::io::synth::points(ids.len(), 1);
        for (f, id) in l.features.iter_mut().zip(ids) {
            f.source_id = *id;
        }
        l
    }

    #[test]
    fn a_building_is_found_by_its_number_or_else_by_the_index() {
        let one_based = numbered(&[SourceId::Feature(1), SourceId::Feature(2)]);
        let zero_based = numbered(&[SourceId::Feature(0), SourceId::Feature(1)]);
        // OSM ways, and a file whose numbers do not follow the order (a filtered layer).
        let osm = numbered(&[SourceId::OsmWay(77), SourceId::OsmWay(5)]);
        let gaps = numbered(&[SourceId::Feature(9), SourceId::Feature(3)]);
        let layers = [&one_based, &zero_based, &osm, &gaps];
        let index = std::sync::OnceLock::new();
        let find = |li: usize, sid| feature_of(layers[li], li as u32, sid, &index, &layers);
        assert_eq!(find(0, SourceId::Feature(2)), Some(1));
        assert_eq!(find(1, SourceId::Feature(0)), Some(0));
        assert_eq!(find(1, SourceId::Feature(1)), Some(1));
        assert!(index.get().is_none(), "numbers found without the index");
        assert_eq!(find(2, SourceId::OsmWay(5)), Some(1));
        assert_eq!(find(3, SourceId::Feature(3)), Some(1));
        assert_eq!(find(3, SourceId::Feature(9)), Some(0));
        assert_eq!(find(2, SourceId::OsmWay(6)), None);
        // Another layer's feature of the same number is not this one's.
        assert_eq!(find(0, SourceId::OsmWay(5)), None);
    }

    #[test]
    fn squares_keep_their_features_in_order_and_their_keys_follow_the_features() {
        let xy = [[10.0, 10.0], [1500.0, 10.0], [20.0, 900.0], [-5.0, 0.0]];
        let k = keyed_by_block([0.0, 0.0], &xy, &[1, 2, 3, 4]);
        let features: Vec<Vec<u32>> = k.chunks.iter().map(|c| c.1.clone()).collect();
        assert_eq!(features, vec![vec![3], vec![0, 2], vec![1]]);
        let again = keyed_by_block([0.0, 0.0], &xy, &[1, 2, 3, 4]);
        assert_eq!(k, again);
        // Another feature in a square changes that square's key only.
        let other = keyed_by_block([0.0, 0.0], &xy, &[1, 2, 30, 4]);
        let changed: Vec<bool> = k
            .chunks
            .iter()
            .zip(&other.chunks)
            .map(|(a, b)| a.0 != b.0)
            .collect();
        assert_eq!(changed, vec![false, true, false]);
        // Squares row by row (south first), also when a feature lies far away (sorted, not
        // counted: the squares between are too many to count).
        let far = [[10.0, 2500.0], [10.0, 10.0], [9.0e9, 10.0], [30.0, 20.0]];
        for xy in [&far[..], &far[..2]] {
            let k = keyed_by_block([0.0, 0.0], xy, &[1, 2, 3, 4]);
            let features: Vec<Vec<u32>> = k.chunks.iter().map(|c| c.1.clone()).collect();
            let want: Vec<Vec<u32>> = if xy.len() == 4 {
                vec![vec![1, 3], vec![2], vec![0]]
            } else {
                vec![vec![1], vec![0]]
            };
            assert_eq!(features, want);
        }
    }
}
