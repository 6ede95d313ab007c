//! results.gpkg: the analysis as GIS layers in the working CRS (with its srs): `isochrones`
//! (per category and tier), `gaps` (all required types and per category, with population),
//! `demand` (points with their minutes to each category), `facilities` (with categories),
//! `tenones_places` (places failing the ten ones), and when a facility has a capacity
//! `accessibility_2sfca` (demand points with their 2SFCA index per category and tier) and
//! `accessibility_2sfca_facilities` (each facility's supply and overload per tier).

use std::path::Path;

use geo_types::{Geometry, Point};

use crate::crs::CrsInfo;
use crate::error::Result;
use crate::model::Layer;
use crate::model::layer::{AttrValue, Feature, Field, FieldKind, Format, SourceId, SourceInfo};

use super::town::ReportData;

fn text(s: impl Into<String>) -> AttrValue {
    AttrValue::Text(s.into())
}

fn float(v: f64) -> AttrValue {
    if v.is_finite() {
        AttrValue::Float(v)
    } else {
        AttrValue::Null
    }
}

fn opt_float(v: Option<f64>) -> AttrValue {
    v.map_or(AttrValue::Null, float)
}

struct Builder<'p> {
    path: &'p Path,
    crs: CrsInfo,
}

impl Builder<'_> {
    fn layer(&self, name: &str, fields: &[(&str, FieldKind)]) -> Layer {
        let mut l = Layer::new(
            name,
            SourceInfo {
                path: self.path.to_path_buf(),
                format: Format::GeoPackage,
                table: Some(name.into()),
                encoding: None,
            },
            self.crs.clone(),
        );
        l.fields = fields.iter().map(|(n, k)| Field::new(*n, *k)).collect();
        l
    }
}

fn push(l: &mut Layer, geometry: Geometry<f64>, attrs: Vec<AttrValue>) {
    let n = l.features.len() as u64 + 1;
    l.features.push(Feature {
        geometry,
        attrs,
        source_id: SourceId::Feature(n),
        category: None,
    });
}

/// The layers written to results.gpkg (in the working CRS).
pub fn gpkg_layers(data: &ReportData<'_>, path: &Path) -> Vec<Layer> {
    use FieldKind::{Bool, Float, Int, Text};
    let b = Builder {
        path,
        crs: CrsInfo::declared(data.working_crs.clone(), "working CRS"),
    };
    let a = data.base();

    let mut iso = b.layer(
        "isochrones",
        &[
            ("category", Text),
            ("zh", Text),
            ("minutes", Int),
            ("mode", Text),
            ("area_m2", Float),
        ],
    );
    for i in &data.isochrones {
        push(
            &mut iso,
            Geometry::MultiPolygon(i.polygon.clone()),
            vec![
                text(&i.category.id),
                text(&i.category.zh),
                AttrValue::Int(i64::from(i.minutes)),
                text(&i.mode),
                float(i.area_m2),
            ],
        );
    }

    let mut gaps = b.layer(
        "gaps",
        &[
            ("kind", Text),
            ("category", Text),
            ("zh", Text),
            ("minutes", Int),
            ("mode", Text),
            ("population", Float),
            ("points", Int),
            ("area_m2", Float),
            ("village", Text),
        ],
    );
    for g in &data.gaps {
        push(
            &mut gaps,
            Geometry::MultiPolygon(g.area.polygon.clone()),
            vec![
                text(if g.category.is_some() {
                    "category"
                } else {
                    "all_required"
                }),
                g.category.as_ref().map_or(AttrValue::Null, |c| text(&c.id)),
                text(
                    g.category
                        .as_ref()
                        .map_or("全部必需设施".to_string(), |c| c.zh.clone()),
                ),
                AttrValue::Int(i64::from(g.minutes)),
                text(&g.mode),
                float(g.area.population),
                AttrValue::Int(g.area.points as i64),
                float(g.area.area_m2),
                g.village.clone().map_or(AttrValue::Null, AttrValue::Text),
            ],
        );
    }

    // Demand points with their minutes to each category (null: not reached within the largest
    // tier of the mode); with several modes one column per category and mode.
    let several = data.runs.len() > 1;
    let cat_ids: Vec<String> = data
        .runs
        .iter()
        .flat_map(|r| {
            r.result.categories.iter().map(move |ct| {
                let id = a
                    .taxonomy
                    .get(ct.category)
                    .map(|c| c.id.clone())
                    .unwrap_or_default();
                if several {
                    format!("{id}_{}", r.analysis.mode.id)
                } else {
                    id
                }
            })
        })
        .collect();
    let mut fields: Vec<(String, FieldKind)> = vec![
        ("weight".into(), Float),
        ("village".into(), Text),
        ("built_up".into(), Bool),
        ("snapped".into(), Bool),
    ];
    fields.extend(cat_ids.iter().map(|id| (format!("{id}_min"), Float)));
    let fields_ref: Vec<(&str, FieldKind)> = fields.iter().map(|(n, k)| (n.as_str(), *k)).collect();
    let mut demand = b.layer("demand", &fields_ref);
    for (i, p) in a.demand.points.iter().enumerate() {
        let mut attrs = vec![
            float(p.weight),
            p.village
                .and_then(|v| a.demand.villages.get(v as usize))
                .map_or(AttrValue::Null, |v| text(&v.name)),
            AttrValue::Bool(p.built_up),
            AttrValue::Bool(a.demand_snaps.get(i).is_some_and(|s| s.is_some())),
        ];
        for ct in data.runs.iter().flat_map(|r| r.result.categories.iter()) {
            attrs.push(float(
                ct.demand_time_s.get(i).copied().unwrap_or(f64::INFINITY) / 60.0,
            ));
        }
        push(
            &mut demand,
            Geometry::Point(Point::new(p.xy[0], p.xy[1])),
            attrs,
        );
    }

    let mut fac = b.layer(
        "facilities",
        &[
            ("name", Text),
            ("category", Text),
            ("zh", Text),
            ("group", Text),
            ("source", Text),
            ("snapped", Bool),
        ],
    );
    for (i, f) in a.facilities.iter().enumerate() {
        let c = a.taxonomy.get(f.category);
        push(
            &mut fac,
            Geometry::Point(Point::new(f.xy[0], f.xy[1])),
            vec![
                f.name.clone().map_or(AttrValue::Null, AttrValue::Text),
                c.map_or(AttrValue::Null, |c| text(&c.id)),
                c.map_or(AttrValue::Null, |c| text(&c.zh)),
                c.map_or(AttrValue::Null, |c| text(&c.group)),
                text(f.source.to_string()),
                AttrValue::Bool(a.facility_snaps.get(i).is_some_and(|s| s.is_some())),
            ],
        );
    }

    let mut places = b.layer(
        "tenones_places",
        &[
            ("item", Int),
            ("item_zh", Text),
            ("check_key", Text),
            ("check_zh", Text),
            ("verdict", Text),
            ("place", Text),
            ("value", Float),
            ("unit", Text),
            ("population", Float),
            ("layer", Text),
            ("source", Text),
        ],
    );
    if let Some(t) = data.tenones {
        for r in &t.rules {
            for c in &r.checks {
                for p in &c.failing {
                    let g = p
                        .geometry
                        .clone()
                        .or_else(|| p.xy.map(|xy| Geometry::Point(Point::new(xy[0], xy[1]))));
                    let Some(g) = g else { continue };
                    push(
                        &mut places,
                        g,
                        vec![
                            AttrValue::Int(i64::from(r.number)),
                            text(&r.zh),
                            text(&c.key),
                            text(&c.zh),
                            text(c.verdict.zh()),
                            text(&p.zh),
                            opt_float(p.value),
                            text(&p.unit),
                            opt_float(p.population),
                            p.layer.clone().map_or(AttrValue::Null, AttrValue::Text),
                            p.source.map_or(AttrValue::Null, |s| text(s.to_string())),
                        ],
                    );
                }
            }
        }
    }
    let mut out = vec![iso, gaps, demand, fac, places];
    out.extend(fca_layers(data, &b));
    out
}

/// The 2SFCA layers, none when no facility has a capacity: the demand points with one column
/// `<category>_<minutes>min` per category and tier (capacity per 1,000 people; 0 where no
/// facility with a capacity is in reach), and one point per facility and tier.
fn fca_layers(data: &ReportData<'_>, b: &Builder<'_>) -> Vec<Layer> {
    use FieldKind::{Bool, Float, Int, Text};
    let all = &data.accessibility;
    if all.is_empty() {
        return Vec::new();
    }
    let a = data.base();
    let mut fields: Vec<(String, FieldKind)> = vec![
        ("weight".into(), Float),
        ("village".into(), Text),
        ("built_up".into(), Bool),
    ];
    fields.extend(
        all.iter()
            .map(|c| (format!("{}_{}min", c.id, c.minutes), Float)),
    );
    let fields_ref: Vec<(&str, FieldKind)> = fields.iter().map(|(n, k)| (n.as_str(), *k)).collect();
    let mut points = b.layer("accessibility_2sfca", &fields_ref);
    for (i, p) in a.demand.points.iter().enumerate() {
        let mut attrs = vec![
            float(p.weight),
            p.village
                .and_then(|v| a.demand.villages.get(v as usize))
                .map_or(AttrValue::Null, |v| text(&v.name)),
            AttrValue::Bool(p.built_up),
        ];
        for c in all {
            attrs.push(opt_float(c.report.points_index_per_1000.get(i).copied()));
        }
        push(
            &mut points,
            Geometry::Point(Point::new(p.xy[0], p.xy[1])),
            attrs,
        );
    }
    let mut fac = b.layer(
        "accessibility_2sfca_facilities",
        &[
            ("category", Text),
            ("zh", Text),
            ("minutes", Int),
            ("mode", Text),
            ("name", Text),
            ("capacity", Float),
            ("demand_in_reach", Float),
            ("supply_per_1000", Float),
            ("overloaded", Bool),
        ],
    );
    for c in all {
        for f in &c.report.facilities {
            push(
                &mut fac,
                Geometry::Point(Point::new(f.xy[0], f.xy[1])),
                vec![
                    text(&c.id),
                    text(&c.zh),
                    AttrValue::Int(i64::from(c.minutes)),
                    text(&c.mode),
                    f.name.clone().map_or(AttrValue::Null, AttrValue::Text),
                    float(f.capacity),
                    float(f.demand_in_reach),
                    opt_float(f.supply_per_1000),
                    AttrValue::Bool(f.overloaded),
                ],
            );
        }
    }
    vec![points, fac]
}

/// Write results.gpkg.
pub fn write_gpkg(data: &ReportData<'_>, path: &Path) -> Result<()> {
    let layers = gpkg_layers(data, path);
    let refs: Vec<&Layer> = layers.iter().collect();
    crate::io::gpkg::write(path, &refs)
}
