//! Applying a scenario's edits to loaded layers (in the working CRS), for a full run of the
//! edited town (the CLI; the app updates its coverage incrementally with
//! [`crate::access::live`] and uses this for nothing else).
//!
//! - Added facilities go into one more facility layer, `方案新增设施 (scenario name)`, whose
//!   source says it comes from the scenario (`scenario://NAME`).
//! - A moved facility takes the new position (a polygon facility becomes a point there).
//! - A removed facility is dropped from its layer.
//! - A recategorised facility changes its `category`.
//!
//! An edit whose facility is no longer in the data (the file changed) is a warning naming it,
//! never a silent drop; a category not in the taxonomy is an error naming it.

use std::path::Path;

use geo_types::{Geometry, Point};

use crate::crs::{Crs, CrsInfo, CrsOrigin, Transformer};
use crate::model::layer::{AttrValue, Feature, Field, FieldKind, Format, SourceId, SourceInfo};
use crate::model::{CategoryId, Layer, Role, Taxonomy};

use super::inputs::{absolute, project_dir, written_path};
use super::{Edit, FacilityRef, ProjectError, Scenario};

/// The name of the layer of added facilities.
pub fn added_layer_name(scenario: &str) -> String {
    format!("方案新增设施 ({scenario})")
}

/// The source path of the layer of added facilities.
pub fn added_layer_path(scenario: &str) -> String {
    format!("scenario://{scenario}")
}

/// How an edit names a feature of the data: its layer's file as the project at `project_file`
/// writes it, the layer's name, the feature's id (for the app, when the user picks one).
pub fn facility_ref(project_file: &Path, layer: &Layer, feature: SourceId) -> FacilityRef {
    FacilityRef::Existing {
        file: written_path(&project_dir(project_file), &layer.source.path),
        layer: layer.name.clone(),
        feature,
    }
}

/// A working-CRS position as the project writes it: WGS84 lon/lat, 9 decimals.
pub fn lonlat_of(working: &Crs, xy: [f64; 2]) -> Result<[f64; 2], crate::error::CrsError> {
    let c =
        Transformer::new(working, &Crs::WGS84)?.coord(geo_types::coord! {x: xy[0], y: xy[1]})?;
    Ok(super::round_lonlat([c.x, c.y]))
}

/// An edit that could not be made because the data changed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApplyWarning {
    pub scenario: String,
    /// 1-based number of the edit in the scenario.
    pub edit: usize,
    pub message: String,
}

impl std::fmt::Display for ApplyWarning {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "scenario \"{}\", edit {}: {}",
            self.scenario, self.edit, self.message
        )
    }
}

/// What [`apply`] needs besides the layers and the scenario.
pub struct ApplyContext<'a> {
    pub taxonomy: &'a Taxonomy,
    /// The working CRS the layers are in (positions go there from WGS84 lon/lat).
    pub working_crs: &'a Crs,
    /// The project file: facilities' files are written relative to its folder.
    pub project_file: &'a Path,
}

/// Apply `scenario` to `layers` (already loaded into the working CRS). Returns the edits that
/// could not be made (their facility is gone); errors on a category the taxonomy does not have,
/// a position that cannot be projected or a key used twice.
pub fn apply(
    layers: &mut Vec<Layer>,
    scenario: &Scenario,
    cx: &ApplyContext<'_>,
) -> Result<Vec<ApplyWarning>, ProjectError> {
    let invalid = |edit: usize, message: String| ProjectError::Invalid {
        path: cx.project_file.to_path_buf(),
        message: format!("scenario \"{}\", edit {edit}: {message}", scenario.name),
    };
    let category = |edit: usize, id: &str| -> Result<CategoryId, ProjectError> {
        cx.taxonomy.by_id(id).ok_or_else(|| {
            let mut known: Vec<&str> = cx.taxonomy.categories.iter().map(|c| c.id.as_str()).collect();
            known.truncate(12);
            invalid(
                edit,
                format!(
                    "category \"{id}\" is not in the facility taxonomy (e.g. {} …; see assets/categories.toml)",
                    known.join(", ")
                ),
            )
        })
    };
    let to_working = Transformer::new(&Crs::WGS84, cx.working_crs).map_err(|e| {
        invalid(
            1,
            format!(
                "positions cannot be put into {}: {e}",
                cx.working_crs.label()
            ),
        )
    })?;
    let to_xy = |edit: usize, ll: [f64; 2]| -> Result<[f64; 2], ProjectError> {
        let c = to_working
            .coord(geo_types::coord! {x: ll[0], y: ll[1]})
            .map_err(|e| invalid(edit, format!("lonlat [{}, {}]: {e}", ll[0], ll[1])))?;
        Ok([c.x, c.y])
    };
    let crs = CrsInfo {
        crs: Some(cx.working_crs.clone()),
        origin: CrsOrigin::Working,
    };
    // Added facilities: (key, feature), in the order added.
    let mut added: Vec<(u32, Feature)> = Vec::new();
    let mut warnings = Vec::new();
    let mut warn = |edit: usize, message: String| {
        warnings.push(ApplyWarning {
            scenario: scenario.name.clone(),
            edit,
            message,
        })
    };
    // Features removed so far: (layer, feature index) marked, dropped at the end so that indexes
    // stay valid.
    let mut removed: Vec<(usize, usize)> = Vec::new();
    for (i, edit) in scenario.edits.iter().enumerate() {
        let n = i + 1;
        if let Edit::Add {
            key,
            category: c,
            lonlat,
            name,
            capacity,
        } = edit
        {
            let cat = category(n, c)?;
            if scenario.edits[..i]
                .iter()
                .any(|e| matches!(e, Edit::Add { key: k, .. } if k == key))
            {
                return Err(invalid(
                    n,
                    format!("key {key} is used by an earlier added facility"),
                ));
            }
            let xy = to_xy(n, *lonlat)?;
            let label = name.clone().unwrap_or_else(|| {
                cx.taxonomy
                    .get(cat)
                    .map(|c| format!("新增{}", c.zh))
                    .unwrap_or_default()
            });
            added.push((
                *key,
                Feature {
                    geometry: Geometry::Point(Point::new(xy[0], xy[1])),
                    attrs: vec![
                        AttrValue::Text(label),
                        AttrValue::Text(c.clone()),
                        capacity.map_or(AttrValue::Null, AttrValue::Float),
                        AttrValue::Int(i64::from(*key)),
                    ],
                    source_id: SourceId::Feature(u64::from(*key) + 1),
                    category: Some(cat),
                },
            ));
            continue;
        }
        let Some(facility) = edit.facility() else {
            continue;
        };
        // Find the facility: an added one, or a feature of the data not removed yet.
        // Some((layer, feature)) for a feature of the data, None for an added facility.
        let target: Result<Option<(usize, usize)>, String> = match facility {
            FacilityRef::Added { key } => {
                if added.iter().any(|(k, _)| k == key) {
                    Ok(None)
                } else {
                    Err(format!(
                        "added facility {key} is not there (never added before this edit, or removed by an earlier one)"
                    ))
                }
            }
            FacilityRef::Existing {
                file,
                layer,
                feature,
            } => find_feature(layers, cx.project_file, file, layer, *feature).and_then(|(l, f)| {
                if removed.contains(&(l, f)) {
                    Err(format!("{facility} was removed by an earlier edit"))
                } else if layers[l].role != Some(Role::Facilities) {
                    Err(format!(
                        "{facility} is not a facility: its layer is used as {}",
                        layers[l].role.map_or("nothing", Role::en)
                    ))
                } else {
                    Ok(Some((l, f)))
                }
            }),
        };
        let target = match target {
            Ok(t) => t,
            Err(message) => {
                warn(
                    n,
                    format!("{message}; the edit ({}) was not applied", edit.op()),
                );
                continue;
            }
        };
        let key = match facility {
            FacilityRef::Added { key } => Some(*key),
            FacilityRef::Existing { .. } => None,
        };
        let feature: &mut Feature = match (target, key) {
            (Some((l, f)), _) => &mut layers[l].features[f],
            (None, Some(k)) => match added.iter_mut().find(|(kk, _)| *kk == k) {
                Some((_, f)) => f,
                None => continue,
            },
            (None, None) => continue,
        };
        match edit {
            Edit::Move { lonlat, .. } => {
                let xy = to_xy(n, *lonlat)?;
                feature.geometry = Geometry::Point(Point::new(xy[0], xy[1]));
            }
            Edit::Recategorize { category: c, .. } => {
                feature.category = Some(category(n, c)?);
            }
            Edit::Remove { .. } => match (target, key) {
                (Some((l, f)), _) => removed.push((l, f)),
                (None, Some(k)) => added.retain(|(kk, _)| *kk != k),
                (None, None) => {}
            },
            Edit::Add { .. } => {}
        }
    }
    removed.sort_unstable();
    for (l, f) in removed.into_iter().rev() {
        layers[l].features.remove(f);
    }
    for l in layers.iter_mut() {
        if l.role == Some(Role::Facilities) {
            l.classification = Some(recount(l, cx.taxonomy));
        }
    }
    if !added.is_empty() {
        layers.push(added_layer(scenario, added, crs, cx.taxonomy));
    }
    Ok(warnings)
}

/// The (layer index, feature index) of the feature a [`FacilityRef::Existing`] names: `file`
/// as the project at `project_file` writes it, the layer's name, the feature's id. Err says
/// what is missing.
pub fn find_feature(
    layers: &[Layer],
    project_file: &Path,
    file: &str,
    layer: &str,
    feature: SourceId,
) -> Result<(usize, usize), String> {
    let dir = project_dir(project_file);
    let dir = dir.as_path();
    let wanted = absolute(&super::inputs::resolve(dir, file));
    let same_file = |l: &Layer| {
        let p = &l.source.path;
        p.as_path() == Path::new(file)
            || written_path(dir, p) == file
            || absolute(p) == wanted
            || matches!((p.canonicalize(), wanted.canonicalize()), (Ok(a), Ok(b)) if a == b)
    };
    let in_file: Vec<usize> = (0..layers.len())
        .filter(|i| same_file(&layers[*i]))
        .collect();
    if in_file.is_empty() {
        return Err(format!("{file}: no such input file is loaded"));
    }
    let Some(li) = in_file.iter().copied().find(|i| layers[*i].name == layer) else {
        let names: Vec<&str> = in_file.iter().map(|i| layers[*i].name.as_str()).collect();
        return Err(format!(
            "{file} has no layer \"{layer}\" (it has: {})",
            names.join(", ")
        ));
    };
    layers[li]
        .features
        .iter()
        .position(|f| f.source_id == feature)
        .map(|fi| (li, fi))
        .ok_or_else(|| {
            format!("{feature} of layer \"{layer}\" in {file} is no longer in the data (the file changed?)")
        })
}

/// The category counts of a facility layer after edits (unmapped features stay as they were).
fn recount(l: &Layer, taxonomy: &Taxonomy) -> crate::model::category::ClassifyReport {
    let mut report = l.classification.clone().unwrap_or_default();
    report.counts.clear();
    for f in &l.features {
        if let Some(c) = f.category.and_then(|c| taxonomy.get(c)) {
            *report.counts.entry(c.id.clone()).or_insert(0) += 1;
        }
    }
    report
}

/// The layer of added facilities: 名称, 类别 (category id), 容量 (capacity), 编号 (key).
fn added_layer(
    scenario: &Scenario,
    added: Vec<(u32, Feature)>,
    crs: CrsInfo,
    taxonomy: &Taxonomy,
) -> Layer {
    let mut l = Layer::new(
        added_layer_name(&scenario.name),
        SourceInfo {
            path: added_layer_path(&scenario.name).into(),
            format: Format::GeoJson,
            table: Some(format!("方案“{}”新增设施 (scenario edits)", scenario.name)),
            encoding: None,
        },
        crs,
    );
    l.source_crs = CrsInfo::declared(crate::crs::Crs::WGS84, "scenario edits (WGS84 lon/lat)");
    l.fields = vec![
        Field::new("名称", FieldKind::Text),
        Field::new("类别", FieldKind::Text),
        Field::new("容量", FieldKind::Float),
        Field::new("编号", FieldKind::Int),
    ];
    l.role_hint = Some(Role::Facilities);
    l.role = Some(Role::Facilities);
    l.features = added.into_iter().map(|(_, f)| f).collect();
    l.classification = Some(recount(&l, taxonomy));
    l
}

#[cfg(test)]
mod tests {
    use super::*;
    use geo_types::polygon;

    const X: f64 = 494_770.0;
    const Y: f64 = 3_325_766.0;

    fn taxonomy() -> Taxonomy {
        Taxonomy::default()
    }

    /// A facility layer from "/town/poi.csv" in EPSG:4549: a kindergarten (line 2), a clinic
    /// (line 3) and a park drawn as a polygon (line 4); and a road layer.
    fn layers() -> Vec<Layer> {
        let t = taxonomy();
        let working = CrsInfo {
            crs: Some(Crs::Epsg(4549)),
            origin: CrsOrigin::Working,
        };
        let mut l = Layer::new(
            "poi",
            SourceInfo {
                path: "/town/poi.csv".into(),
                format: Format::Csv,
                table: None,
                encoding: None,
            },
            working.clone(),
        );
        l.role = Some(Role::Facilities);
        l.fields = vec![Field::new("名称", FieldKind::Text)];
        let cat = |id: &str| t.by_id(id);
        l.features = vec![
            Feature {
                geometry: Geometry::Point(Point::new(X, Y)),
                attrs: vec![AttrValue::Text("中心幼儿园".into())],
                source_id: SourceId::Line(2),
                category: cat("kindergarten"),
            },
            Feature {
                geometry: Geometry::Point(Point::new(X + 500.0, Y)),
                attrs: vec![AttrValue::Text("村卫生室".into())],
                source_id: SourceId::Line(3),
                category: cat("village_clinic"),
            },
            Feature {
                geometry: Geometry::Polygon(polygon![
                    (x: X, y: Y + 100.0),
                    (x: X + 50.0, y: Y + 100.0),
                    (x: X + 50.0, y: Y + 150.0),
                    (x: X, y: Y + 150.0),
                ]),
                attrs: vec![AttrValue::Text("公园".into())],
                source_id: SourceId::Line(4),
                category: cat("park"),
            },
        ];
        let mut roads = Layer::new(
            "道路",
            SourceInfo {
                path: "/town/道路.shp".into(),
                format: Format::Shapefile,
                table: None,
                encoding: None,
            },
            working,
        );
        roads.role = Some(Role::Roads);
        roads.features.push(Feature {
            geometry: Geometry::Point(Point::new(X, Y)),
            attrs: vec![],
            source_id: SourceId::Feature(1),
            category: None,
        });
        vec![l, roads]
    }

    fn lonlat_of(xy: [f64; 2]) -> [f64; 2] {
        let t = Transformer::new(&Crs::Epsg(4549), &Crs::WGS84).unwrap();
        let c = t.coord(geo_types::coord! {x: xy[0], y: xy[1]}).unwrap();
        [c.x, c.y]
    }

    fn existing(line: u64) -> FacilityRef {
        FacilityRef::Existing {
            file: "poi.csv".into(),
            layer: "poi".into(),
            feature: SourceId::Line(line),
        }
    }

    fn run(edits: Vec<Edit>) -> Result<(Vec<Layer>, Vec<ApplyWarning>), ProjectError> {
        let mut ls = layers();
        let t = taxonomy();
        let s = Scenario {
            name: "方案一".into(),
            note: None,
            edits,
        };
        let w = apply(
            &mut ls,
            &s,
            &ApplyContext {
                taxonomy: &t,
                working_crs: &Crs::Epsg(4549),
                project_file: Path::new("/town/t.towncircle"),
            },
        )?;
        Ok((ls, w))
    }

    fn xy(f: &Feature) -> [f64; 2] {
        match f.geometry {
            Geometry::Point(p) => [p.x(), p.y()],
            _ => panic!("not a point: {:?}", f.geometry),
        }
    }

    #[test]
    fn add_move_remove_recategorize() {
        let t = taxonomy();
        let target = [X + 200.0, Y - 300.0];
        let (ls, w) = run(vec![
            Edit::Add {
                key: 0,
                category: "kindergarten".into(),
                lonlat: lonlat_of([X - 400.0, Y]),
                name: None,
                capacity: Some(180.0),
            },
            Edit::Add {
                key: 1,
                category: "bus_stop".into(),
                lonlat: lonlat_of([X, Y]),
                name: Some("新站".into()),
                capacity: None,
            },
            Edit::Move {
                facility: FacilityRef::Added { key: 0 },
                lonlat: lonlat_of(target),
            },
            Edit::Remove {
                facility: FacilityRef::Added { key: 1 },
            },
            Edit::Move {
                facility: existing(4),
                lonlat: lonlat_of([X + 1000.0, Y + 1000.0]),
            },
            Edit::Remove {
                facility: existing(3),
            },
            Edit::Recategorize {
                facility: existing(2),
                category: "primary_school".into(),
            },
        ])
        .unwrap();
        assert!(w.is_empty(), "{w:?}");
        assert_eq!(ls.len(), 3);
        let poi = &ls[0];
        // The clinic is gone; the others keep their order and ids.
        let ids: Vec<SourceId> = poi.features.iter().map(|f| f.source_id).collect();
        assert_eq!(ids, [SourceId::Line(2), SourceId::Line(4)]);
        assert_eq!(poi.features[0].category, t.by_id("primary_school"));
        // The park polygon became a point at its new place.
        let p = xy(&poi.features[1]);
        assert!(
            (p[0] - (X + 1000.0)).abs() < 1e-3 && (p[1] - (Y + 1000.0)).abs() < 1e-3,
            "{p:?}"
        );
        let counts = &poi.classification.as_ref().unwrap().counts;
        assert_eq!(counts.get("primary_school"), Some(&1));
        assert_eq!(counts.get("village_clinic"), None);
        // One added facility left (the bus stop was removed again), where it was moved.
        let added = &ls[2];
        assert_eq!(added.name, "方案新增设施 (方案一)");
        assert_eq!(added.source.path, Path::new("scenario://方案一"));
        assert_eq!(added.role, Some(Role::Facilities));
        assert_eq!(added.crs.crs, Some(Crs::Epsg(4549)));
        assert_eq!(added.features.len(), 1);
        let f = &added.features[0];
        assert_eq!(f.category, t.by_id("kindergarten"));
        let p = xy(f);
        assert!(
            (p[0] - target[0]).abs() < 1e-3 && (p[1] - target[1]).abs() < 1e-3,
            "{p:?}"
        );
        assert_eq!(f.attrs[0], AttrValue::Text("新增幼儿园".into()));
        assert_eq!(f.attrs[2], AttrValue::Float(180.0));
        // The road layer is untouched.
        assert_eq!(ls[1].features.len(), 1);
    }

    #[test]
    fn an_edit_whose_facility_is_gone_is_a_warning_naming_it() {
        let (ls, w) = run(vec![
            Edit::Remove {
                facility: existing(99),
            },
            Edit::Remove {
                facility: existing(3),
            },
            Edit::Move {
                facility: existing(3),
                lonlat: [120.0, 30.0],
            },
            Edit::Recategorize {
                facility: FacilityRef::Existing {
                    file: "gone.shp".into(),
                    layer: "gone".into(),
                    feature: SourceId::Feature(1),
                },
                category: "park".into(),
            },
            Edit::Move {
                facility: FacilityRef::Added { key: 7 },
                lonlat: [120.0, 30.0],
            },
            Edit::Remove {
                facility: FacilityRef::Existing {
                    file: "poi.csv".into(),
                    layer: "other".into(),
                    feature: SourceId::Line(2),
                },
            },
            Edit::Remove {
                facility: FacilityRef::Existing {
                    file: "/town/道路.shp".into(),
                    layer: "道路".into(),
                    feature: SourceId::Feature(1),
                },
            },
        ])
        .unwrap();
        let msgs: Vec<String> = w.iter().map(ToString::to_string).collect();
        assert_eq!(
            w.iter().map(|w| w.edit).collect::<Vec<_>>(),
            [1, 3, 4, 5, 6, 7],
            "{msgs:#?}"
        );
        assert!(
            msgs[0].contains("line 99")
                && msgs[0].contains("poi.csv")
                && msgs[0].contains("no longer in the data"),
            "{}",
            msgs[0]
        );
        assert!(
            msgs[1].contains("removed by an earlier edit"),
            "{}",
            msgs[1]
        );
        assert!(msgs[2].contains("gone.shp"), "{}", msgs[2]);
        assert!(msgs[3].contains("added facility 7"), "{}", msgs[3]);
        assert!(msgs[4].contains("no layer \"other\""), "{}", msgs[4]);
        assert!(msgs[5].contains("not a facility"), "{}", msgs[5]);
        assert!(
            msgs.iter()
                .all(|m| m.contains("方案一") && m.contains("not applied"))
        );
        // Only the clinic went.
        assert_eq!(ls[0].features.len(), 2);
        assert_eq!(ls.len(), 2);
    }

    #[test]
    fn refs_and_positions_made_by_the_app_find_their_feature() {
        let ls = layers();
        let r = facility_ref(Path::new("/town/t.towncircle"), &ls[0], SourceId::Line(3));
        assert_eq!(r, existing(3));
        let FacilityRef::Existing {
            file,
            layer,
            feature,
        } = &r
        else {
            panic!()
        };
        let p = Path::new("/town/t.towncircle");
        assert_eq!(find_feature(&ls, p, file, layer, *feature), Ok((0, 1)));
        let ll = super::lonlat_of(&Crs::Epsg(4549), [X, Y]).unwrap();
        assert_eq!(ll, crate::project::round_lonlat(ll));
        let back = Transformer::new(&Crs::WGS84, &Crs::Epsg(4549))
            .unwrap()
            .coord(geo_types::coord! {x: ll[0], y: ll[1]})
            .unwrap();
        // 9 decimals: within a millimetre.
        assert!(
            (back.x - X).abs() < 1e-3 && (back.y - Y).abs() < 1e-3,
            "{back:?}"
        );
    }

    #[test]
    fn an_unknown_category_is_an_error_naming_it() {
        let err = run(vec![Edit::Add {
            key: 0,
            category: "spaceport".into(),
            lonlat: [119.95, 30.05],
            name: None,
            capacity: None,
        }])
        .unwrap_err()
        .to_string();
        assert!(
            err.contains("\"spaceport\"") && err.contains("edit 1") && err.contains("t.towncircle"),
            "{err}"
        );
        let err = run(vec![Edit::Recategorize {
            facility: existing(2),
            category: "moon_base".into(),
        }])
        .unwrap_err()
        .to_string();
        assert!(err.contains("moon_base"), "{err}");
    }
}
