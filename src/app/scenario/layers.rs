//! The edited town as layers (for the ten ones), the scenario's markers on the map (added, moved,
//! removed facilities) and the difference overlay (people who gain or lose coverage).

use std::sync::Arc;

use egui::Color32;
use geo_types::{Geometry, LineString, Point};

use crate::access::Analysis;
use crate::access::gaps::gap_areas;
use crate::access::live::{FacilityKey, TownScenario};
use crate::model::layer::{AttrValue, Field, FieldKind, Format, SourceId, SourceInfo};
use crate::model::{Layer, Role};

use super::super::analysis::{OverlayKind, OverlayLayer, Run, overlay_layer, overlay_style, push};
use super::super::map::style::Symbol;

/// The town's layers with the scenario's facilities: existing facility features moved
/// (as points), re-categorised or dropped, and one more facility layer with the added ones
/// (名称, and 容量 from `capacities`: (added key, capacity)).
pub fn scenario_layers(
    layers: &[Arc<Layer>],
    analysis: &Analysis,
    live: &TownScenario,
    scenario_name: &str,
    capacities: &[(u32, f64)],
) -> Vec<Arc<Layer>> {
    let mut out: Vec<Arc<Layer>> = Vec::with_capacity(layers.len() + 1);
    let mut facility_layer = 0u32;
    for l in layers {
        if l.role != Some(Role::Facilities) {
            out.push(Arc::clone(l));
            continue;
        }
        let li = facility_layer;
        facility_layer += 1;
        // The analysis facilities of this layer, by source id.
        let mine: Vec<(usize, SourceId)> = analysis
            .facilities
            .iter()
            .enumerate()
            .filter(|(_, f)| f.layer == li)
            .map(|(i, f)| (i, f.source))
            .collect();
        let edited =
            mine.iter().any(
                |(i, _)| match live.facility(FacilityKey::Existing(*i as u32)) {
                    None => true,
                    Some(f) => {
                        f.xy != analysis.facilities[*i].xy
                            || f.category != analysis.facilities[*i].category
                    }
                },
            );
        if !edited {
            out.push(Arc::clone(l));
            continue;
        }
        let mut copy = Layer::clone(l);
        copy.features.retain_mut(|feat| {
            let Some((i, _)) = mine.iter().find(|(_, s)| *s == feat.source_id) else {
                return true;
            };
            let Some(f) = live.facility(FacilityKey::Existing(*i as u32)) else {
                return false;
            };
            if f.xy != analysis.facilities[*i].xy {
                feat.geometry = Geometry::Point(Point::new(f.xy[0], f.xy[1]));
            }
            feat.category = Some(f.category);
            true
        });
        out.push(Arc::new(copy));
    }
    let added: Vec<_> = live
        .facilities()
        .iter()
        .filter(|f| matches!(f.key, FacilityKey::Added(_)))
        .collect();
    if !added.is_empty() {
        let mut l = Layer::new(
            format!("方案新增设施 ({scenario_name})"),
            SourceInfo {
                path: format!("scenario://{scenario_name}").into(),
                format: Format::GeoJson,
                table: None,
                encoding: None,
            },
            layers.first().map(|l| l.crs.clone()).unwrap_or_else(|| {
                crate::crs::CrsInfo::declared(crate::crs::Crs::WGS84, "scenario")
            }),
        );
        l.fields = vec![
            Field::new("名称", FieldKind::Text),
            Field::new("容量", FieldKind::Float),
        ];
        l.role = Some(Role::Facilities);
        for (n, f) in added.iter().enumerate() {
            let name = analysis
                .taxonomy
                .get(f.category)
                .map(|c| format!("新增{}", c.zh))
                .unwrap_or_default();
            let capacity = match f.key {
                FacilityKey::Added(k) => capacities.iter().find(|(c, _)| *c == k).map(|c| c.1),
                FacilityKey::Existing(_) => None,
            };
            l.features.push(crate::model::layer::Feature {
                geometry: Geometry::Point(Point::new(f.xy[0], f.xy[1])),
                attrs: vec![
                    AttrValue::Text(name),
                    capacity.map_or(AttrValue::Null, AttrValue::Float),
                ],
                source_id: SourceId::Feature(n as u64 + 1),
                category: Some(f.category),
            });
        }
        out.push(Arc::new(l));
    }
    out
}

/// The scenario's edits on the map: added facilities (green), moved ones at their new place with
/// a line from the old one (blue), removed ones (red cross at the old place).
pub fn marker_overlays(analysis: &Analysis, live: &TownScenario) -> Vec<OverlayLayer> {
    let fields = [("facility", FieldKind::Text)];
    let mut added = overlay_layer("方案：新增设施".into(), &fields);
    let mut moved = overlay_layer("方案：移动设施".into(), &fields);
    let mut removed = overlay_layer("方案：移除设施".into(), &fields);
    let name = |c| {
        analysis
            .taxonomy
            .get(c)
            .map(|c| c.zh.clone())
            .unwrap_or_default()
    };
    for f in live.facilities() {
        let point = Geometry::Point(Point::new(f.xy[0], f.xy[1]));
        match f.key {
            FacilityKey::Added(_) => {
                push(&mut added, point, vec![AttrValue::Text(name(f.category))])
            }
            FacilityKey::Existing(i) => {
                let Some(base) = analysis.facilities.get(i as usize) else {
                    continue;
                };
                if base.xy != f.xy || base.category != f.category {
                    push(&mut moved, point, vec![AttrValue::Text(name(f.category))]);
                    if base.xy != f.xy {
                        push(
                            &mut moved,
                            Geometry::LineString(LineString::from(vec![
                                (base.xy[0], base.xy[1]),
                                (f.xy[0], f.xy[1]),
                            ])),
                            vec![AttrValue::Null],
                        );
                    }
                }
            }
        }
    }
    for (i, base) in analysis.facilities.iter().enumerate() {
        if live.facility(FacilityKey::Existing(i as u32)).is_none() {
            push(
                &mut removed,
                Geometry::Point(Point::new(base.xy[0], base.xy[1])),
                vec![AttrValue::Text(name(base.category))],
            );
        }
    }
    let style = |fill: Color32, symbol: Symbol| {
        let mut s = overlay_style(fill, Color32::WHITE, 1.5);
        s.symbol = symbol;
        s.symbol_size_pt = 13.0;
        s
    };
    vec![
        OverlayLayer {
            kept: Vec::new(),
            chunks: None,
            kind: OverlayKind::Scenario,
            layer: added,
            style: style(Color32::from_rgb(0x1b, 0x9e, 0x4b), Symbol::Circle),
            labels: Vec::new(),
        },
        OverlayLayer {
            kept: Vec::new(),
            chunks: None,
            kind: OverlayKind::Scenario,
            layer: moved,
            style: {
                let mut s = style(Color32::from_rgb(0x1f, 0x6f, 0xd1), Symbol::Diamond);
                s.stroke = Color32::from_rgb(0x1f, 0x6f, 0xd1);
                s
            },
            labels: Vec::new(),
        },
        OverlayLayer {
            kept: Vec::new(),
            chunks: None,
            kind: OverlayKind::Scenario,
            layer: removed,
            style: style(Color32::from_rgb(0xd6, 0x27, 0x28), Symbol::Cross),
            labels: Vec::new(),
        },
    ]
}

/// Areas whose residents gain (green) or lose (red) coverage of `category` at `minutes`, base
/// against scenario, merged on the gap grid, each with its people.
pub fn difference_overlays(
    base: &[Arc<Run>],
    scenario: &[Arc<Run>],
    category: &str,
    minutes: u32,
) -> Vec<OverlayLayer> {
    let find = |runs: &[Arc<Run>]| {
        let r = runs
            .iter()
            .find(|r| r.analysis.tiers.iter().any(|t| t.minutes == minutes))?;
        let cat = r.analysis.taxonomy.by_id(category)?;
        let times = r.result.categories.iter().find(|c| c.category == cat);
        Some((Arc::clone(r), times.map(|t| t.demand_time_s.clone())))
    };
    let (Some((run, before)), Some((_, after))) = (find(base), find(scenario)) else {
        return Vec::new();
    };
    let budget = f64::from(minutes) * 60.0;
    let covered = |t: &Option<Vec<f64>>, i: usize| {
        t.as_ref()
            .and_then(|t| t.get(i))
            .is_some_and(|t| *t <= budget)
    };
    let a = &run.analysis;
    // People of the category's age band when its coverage counts them (its raster loaded).
    let Some(cat) = a.taxonomy.by_id(category) else {
        return Vec::new();
    };
    let counted = a.counted(cat);
    let mut gained = Vec::new();
    let mut lost = Vec::new();
    for (i, p) in a.demand.points.iter().enumerate() {
        // Points with nobody of the counted demand (with age bands: the other demand's points).
        let Some(w) = counted.weight(i) else {
            continue;
        };
        match (covered(&before, i), covered(&after, i)) {
            (false, true) => gained.push((p.xy, w)),
            (true, false) => lost.push((p.xy, w)),
            _ => {}
        }
    }
    let cell = a.shapes.gap_cell_m.value;
    let fields = [("population", FieldKind::Float)];
    let mut out = Vec::new();
    for (pts, name, colour) in [
        (
            gained,
            format!("方案新增覆盖 {minutes} 分钟"),
            Color32::from_rgb(0x1b, 0x9e, 0x4b),
        ),
        (
            lost,
            format!("方案失去覆盖 {minutes} 分钟"),
            Color32::from_rgb(0xd6, 0x27, 0x28),
        ),
    ] {
        let mut l = overlay_layer(name, &fields);
        let mut labels = Vec::new();
        for g in gap_areas(&pts, cell) {
            labels.push((g.centre, crate::app::doc::MapLabel::People(g.population)));
            push(
                &mut l,
                g.polygon.into(),
                vec![AttrValue::Float(g.population.round())],
            );
        }
        let [r, g, b, _] = colour.to_array();
        out.push(OverlayLayer {
            kept: Vec::new(),
            chunks: None,
            kind: OverlayKind::Difference,
            layer: l,
            style: overlay_style(Color32::from_rgba_unmultiplied(r, g, b, 90), colour, 1.6),
            labels,
        });
    }
    out
}
