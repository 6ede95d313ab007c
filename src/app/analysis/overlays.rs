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

    // Isochrones, the longest first (drawn below the shorter ones), traced in parallel. In
    // pieces (one feature each): a town-wide isochrone has tens of thousands of holes, one
    // polygon of them would take the map a minute to fill.
    Cancelled::check(progress)?;
    let traced: Vec<Option<Vec<geo_types::MultiPolygon<f64>>>> = {
        use rayon::prelude::*;
        all_minutes
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
    };
    for ((rank, m), pieces) in all_minutes.iter().enumerate().zip(traced).rev() {
        let (Some(r), Some(pieces)) = (run_of(*m), pieces) else {
            continue;
        };
        let mut l = overlay_layer(
            format!("等时圈 {m} 分钟 · {cat_zh}"),
            &[("minutes", FieldKind::Int), ("mode", FieldKind::Text)],
        );
        for poly in pieces {
            push(
                &mut l,
                poly.into(),
                vec![
                    AttrValue::Int(i64::from(*m)),
                    AttrValue::Text(r.analysis.mode.id.clone()),
                ],
            );
        }
        let fill = tier_colour(rank, all_minutes.len());
        out.push(OverlayLayer {
            kind: OverlayKind::Isochrone,
            layer: l,
            style: overlay_style(fill, fill.to_opaque(), 1.2),
            labels: Vec::new(),
        });
    }

    // The travel-time grid, from the run with the longest tier (its budget covers all bands).
    Cancelled::check(progress)?;
    progress.set_message("grid");
    if let (Some(m_max), Some(ext)) = (all_minutes.last(), town)
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
                }
            }
            for (b, l) in bands.into_iter().enumerate() {
                // Beyond the longest tier: a light grey veil, not a colour of the ramp.
                let fill = if b + 1 == n_bands {
                    Color32::from_rgba_unmultiplied(90, 90, 90, 60)
                } else {
                    band_colour(b, n_bands - 1)
                };
                out.push(OverlayLayer {
                    kind: OverlayKind::TimeGrid,
                    layer: l,
                    style: overlay_style(fill, Color32::TRANSPARENT, 0.0),
                    labels: Vec::new(),
                });
            }
        }
    }

    // Gaps and uncovered buildings at the chosen tier.
    Cancelled::check(progress)?;
    progress.set_message("gaps");
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
        let uncovered: Vec<usize> = (0..a.demand.points.len())
            .filter(|i| !ct.demand_time_s.get(*i).is_some_and(|t| *t <= budget))
            .collect();
        let pts: Vec<([f64; 2], f64)> = uncovered
            .iter()
            .map(|i| (a.demand.points[*i].xy, a.demand.points[*i].weight))
            .collect();
        let mut gl = overlay_layer(
            format!("服务缺口 {m} 分钟 · {cat_zh}"),
            &[
                ("population", FieldKind::Float),
                ("points", FieldKind::Int),
                ("area_m2", FieldKind::Float),
            ],
        );
        let mut labels = Vec::new();
        for g in gap_areas(&pts, a.shapes.gap_cell_m.value) {
            labels.push((g.centre, crate::app::doc::MapLabel::People(g.population)));
            push(
                &mut gl,
                g.polygon.into(),
                vec![
                    AttrValue::Float(g.population.round()),
                    AttrValue::Int(g.points as i64),
                    AttrValue::Float(g.area_m2.round()),
                ],
            );
        }
        out.push(OverlayLayer {
            kind: OverlayKind::Gaps,
            layer: gl,
            style: overlay_style(
                Color32::from_rgba_unmultiplied(213, 94, 0, 70),
                Color32::from_rgb(213, 94, 0),
                1.8,
            ),
            labels,
        });

        // Buildings: demand points keep their building (input building layer, feature).
        let input = access_input(layers);
        let mut index: HashMap<(u32, SourceId), usize> = HashMap::new();
        for (li, l) in input.buildings.iter().enumerate() {
            for (fi, f) in l.features.iter().enumerate() {
                index.insert((li as u32, f.source_id), fi);
            }
        }
        let mut bl = overlay_layer(
            format!("未覆盖建筑 {m} 分钟 · {cat_zh}"),
            &[
                ("population", FieldKind::Float),
                ("minutes", FieldKind::Float),
            ],
        );
        for i in &uncovered {
            let p = &a.demand.points[*i];
            let Some((li, sid)) = p.origin else { continue };
            let Some(fi) = index.get(&(li, sid)) else {
                continue;
            };
            let Some(f) = input
                .buildings
                .get(li as usize)
                .and_then(|l| l.features.get(*fi))
            else {
                continue;
            };
            let t = ct.demand_time_s.get(*i).copied().unwrap_or(f64::INFINITY);
            push(
                &mut bl,
                f.geometry.clone(),
                vec![
                    AttrValue::Float((p.weight * 10.0).round() / 10.0),
                    if t.is_finite() {
                        AttrValue::Float((t / 6.0).round() / 10.0)
                    } else {
                        AttrValue::Null
                    },
                ],
            );
        }
        let building = |i: usize| {
            let (li, sid) = a.demand.points.get(i)?.origin?;
            let fi = index.get(&(li, sid))?;
            let f = input.buildings.get(li as usize)?.features.get(*fi)?;
            Some(f.geometry.clone())
        };
        let accessibility = accessibility_overlays(a, &ct, &cat_zh, m, &building);
        out.push(OverlayLayer {
            kind: OverlayKind::UncoveredBuildings,
            layer: bl,
            style: overlay_style(
                Color32::from_rgb(0xcc, 0x1f, 0x6a),
                Color32::from_rgb(0x7a, 0x0f, 0x3e),
                0.8,
            ),
            labels: Vec::new(),
        });
        out.extend(accessibility);
    }
    Ok(out)
}
