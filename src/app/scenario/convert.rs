//! The app's scenario edits ([`Change`]) to and from the project file's ([`Edit`]): positions
//! between the working CRS and WGS84 lon/lat, categories between [`CategoryId`] and taxonomy
//! ids, and facilities between the engine's keys and (file, layer, feature) of the data.

use std::path::{Path, PathBuf};

use crate::access::live::FacilityKey;
use crate::crs::{Crs, Transformer};
use crate::model::source::SourceId;
use crate::model::{CategoryId, Taxonomy};
use crate::project::apply::lonlat_of;
use crate::project::{Edit, FacilityRef, Project, Scenario};

use super::{Change, ScenarioDoc};

/// Where the analysed facilities came from: for every facility of the analysis (the index of
/// [`FacilityKey::Existing`]) its layer's file and name and its feature id.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct FacilitySources {
    pub facilities: Vec<(PathBuf, String, SourceId)>,
}

impl FacilitySources {
    /// From an analysis and the facility layers it read (their order in the engine's input).
    pub fn new(analysis: &crate::access::Analysis, layers: &[(PathBuf, String)]) -> Self {
        FacilitySources {
            facilities: analysis
                .facilities
                .iter()
                .filter_map(|f| {
                    let (path, name) = layers.get(f.layer as usize)?;
                    Some((path.clone(), name.clone(), f.source))
                })
                .collect(),
        }
    }
}

/// What converting needs: the taxonomy, the working CRS, the project file (paths are written
/// relative to its folder) and the facilities' sources.
pub struct Context<'a> {
    pub taxonomy: &'a Taxonomy,
    pub working: &'a Crs,
    pub project_file: &'a Path,
    pub sources: &'a FacilitySources,
}

impl Context<'_> {
    fn category_id(&self, c: CategoryId) -> Result<String, String> {
        self.taxonomy
            .get(c)
            .map(|c| c.id.clone())
            .ok_or_else(|| format!("category {} is not in the taxonomy", c.0))
    }

    fn lonlat(&self, xy: [f64; 2]) -> Result<[f64; 2], String> {
        lonlat_of(self.working, xy).map_err(|e| e.to_string())
    }

    fn facility(&self, key: FacilityKey) -> Result<FacilityRef, String> {
        match key {
            FacilityKey::Added(key) => Ok(FacilityRef::Added { key }),
            FacilityKey::Existing(i) => {
                let (path, layer, feature) = self
                    .sources
                    .facilities
                    .get(i as usize)
                    .ok_or_else(|| format!("facility {i} is not in the analysis"))?;
                Ok(FacilityRef::Existing {
                    file: Project::file_key(self.project_file, path),
                    layer: layer.clone(),
                    feature: *feature,
                })
            }
        }
    }

    fn key(&self, facility: &FacilityRef) -> Result<FacilityKey, String> {
        match facility {
            FacilityRef::Added { key } => Ok(FacilityKey::Added(*key)),
            FacilityRef::Existing {
                file,
                layer,
                feature,
            } => self
                .sources
                .facilities
                .iter()
                .position(|(p, l, f)| {
                    l == layer && f == feature && Project::file_key(self.project_file, p) == *file
                })
                .and_then(|i| u32::try_from(i).ok())
                .map(FacilityKey::Existing)
                .ok_or_else(|| {
                    format!(
                        "{file} / {layer} / {}: no such facility in the analysis",
                        crate::project::edit::source_id_text(*feature)
                    )
                }),
        }
    }

    fn xy(&self, lonlat: [f64; 2]) -> Result<[f64; 2], String> {
        let c = Transformer::new(&Crs::WGS84, self.working)
            .and_then(|t| t.coord(geo_types::coord! {x: lonlat[0], y: lonlat[1]}))
            .map_err(|e| e.to_string())?;
        Ok([c.x, c.y])
    }

    fn category(&self, id: &str) -> Result<CategoryId, String> {
        self.taxonomy
            .by_id(id)
            .ok_or_else(|| format!("category \"{id}\" is not in the taxonomy"))
    }

    /// The project's form of one edit.
    pub fn edit(&self, change: &Change) -> Result<Edit, String> {
        Ok(match *change {
            Change::Add {
                key,
                category,
                xy,
                capacity,
            } => Edit::Add {
                key,
                category: self.category_id(category)?,
                lonlat: self.lonlat(xy)?,
                name: None,
                capacity,
            },
            Change::Move { key, to } => Edit::Move {
                facility: self.facility(key)?,
                lonlat: self.lonlat(to)?,
            },
            Change::Remove { key } => Edit::Remove {
                facility: self.facility(key)?,
            },
            Change::Recategorize { key, to } => Edit::Recategorize {
                facility: self.facility(key)?,
                category: self.category_id(to)?,
            },
        })
    }

    /// The app's form of one edit.
    pub fn change(&self, edit: &Edit) -> Result<Change, String> {
        Ok(match edit {
            Edit::Add {
                key,
                category,
                lonlat,
                capacity,
                ..
            } => Change::Add {
                key: *key,
                category: self.category(category)?,
                xy: self.xy(*lonlat)?,
                capacity: *capacity,
            },
            Edit::Move { facility, lonlat } => Change::Move {
                key: self.key(facility)?,
                to: self.xy(*lonlat)?,
            },
            Edit::Remove { facility } => Change::Remove {
                key: self.key(facility)?,
            },
            Edit::Recategorize { facility, category } => Change::Recategorize {
                key: self.key(facility)?,
                to: self.category(category)?,
            },
        })
    }

    /// A scenario as the project writes it.
    pub fn scenario(&self, doc: &ScenarioDoc) -> Result<Scenario, String> {
        let mut s = Scenario::new(doc.name.clone());
        for (i, c) in doc.changes.iter().enumerate() {
            s.edits.push(
                self.edit(c)
                    .map_err(|e| format!("{}, edit {}: {e}", doc.name, i + 1))?,
            );
        }
        Ok(s)
    }

    /// A scenario of the project for the app, and the edits that could not be restored (with
    /// why: the data changed).
    pub fn doc(&self, scenario: &Scenario) -> (ScenarioDoc, Vec<String>) {
        let mut doc = ScenarioDoc {
            name: scenario.name.clone(),
            next_key: scenario.next_key(),
            ..ScenarioDoc::default()
        };
        let mut lost = Vec::new();
        for (i, e) in scenario.edits.iter().enumerate() {
            match self.change(e) {
                Ok(c) => doc.changes.push(c),
                Err(why) => lost.push(format!("{}, edit {}: {why}", scenario.name, i + 1)),
            }
        }
        (doc, lost)
    }
}
