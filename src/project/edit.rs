//! A scenario (方案) and its edits to the facilities, as the project file holds them and the app
//! makes them. Shared by the app (its scenario panel), [`super::apply`] (the CLI) and the report.
//!
//! Positions are WGS84 lon/lat, written with 9 decimals (about 0.1 mm): independent of the working
//! CRS, so a project survives a change of it. Categories are taxonomy ids (`kindergarten`), the
//! form the taxonomy file gives them; [`crate::model::CategoryId`] is only an index into one
//! loaded taxonomy and is not written.

use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::model::layer::SourceId;

/// A named scenario: its edits, applied in order to the base (the data as loaded).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Scenario {
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub edits: Vec<Edit>,
}

impl Scenario {
    /// An empty scenario.
    pub fn new(name: impl Into<String>) -> Scenario {
        Scenario {
            name: name.into(),
            note: None,
            edits: Vec::new(),
        }
    }

    /// The key the next added facility can take (one past the largest used).
    pub fn next_key(&self) -> u32 {
        self.edits
            .iter()
            .filter_map(|e| match e {
                Edit::Add { key, .. } => Some(key.saturating_add(1)),
                _ => None,
            })
            .max()
            .unwrap_or(0)
    }
}

/// One edit. In the file: a table with `op = "add" | "move" | "remove" | "recategorize"` and
/// the fields of that op (read through a plain table, so that an error points to its line).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(try_from = "EditRepr", into = "EditRepr")]
pub enum Edit {
    /// A new facility. `key` names it for later edits of the same scenario
    /// ([`FacilityRef::Added`]); unique within the scenario.
    Add {
        key: u32,
        /// A taxonomy category id, e.g. `kindergarten`.
        category: String,
        lonlat: [f64; 2],
        name: Option<String>,
        /// Places, beds, seats … when known.
        capacity: Option<f64>,
    },
    /// A facility put somewhere else (a polygon facility becomes a point there).
    Move {
        facility: FacilityRef,
        lonlat: [f64; 2],
    },
    /// A facility taken away.
    Remove { facility: FacilityRef },
    /// A facility given another category (a taxonomy id).
    Recategorize {
        facility: FacilityRef,
        category: String,
    },
}

/// The kinds of edit, as `op` writes them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
enum Op {
    Add,
    Move,
    Remove,
    Recategorize,
}

/// [`Edit`] as written: `op` and the fields of that op.
#[derive(Debug, Clone, Serialize, Deserialize)]
struct EditRepr {
    op: Op,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    key: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    category: Option<String>,
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        serialize_with = "lonlat_out",
        deserialize_with = "lonlat_in"
    )]
    lonlat: Option<[f64; 2]>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    capacity: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    facility: Option<FacilityRef>,
}

impl From<Edit> for EditRepr {
    fn from(e: Edit) -> EditRepr {
        let blank = |op| EditRepr {
            op,
            key: None,
            category: None,
            lonlat: None,
            name: None,
            capacity: None,
            facility: None,
        };
        match e {
            Edit::Add {
                key,
                category,
                lonlat,
                name,
                capacity,
            } => EditRepr {
                key: Some(key),
                category: Some(category),
                lonlat: Some(lonlat),
                name,
                capacity,
                ..blank(Op::Add)
            },
            Edit::Move { facility, lonlat } => EditRepr {
                facility: Some(facility),
                lonlat: Some(lonlat),
                ..blank(Op::Move)
            },
            Edit::Remove { facility } => EditRepr {
                facility: Some(facility),
                ..blank(Op::Remove)
            },
            Edit::Recategorize { facility, category } => EditRepr {
                facility: Some(facility),
                category: Some(category),
                ..blank(Op::Recategorize)
            },
        }
    }
}

impl TryFrom<EditRepr> for Edit {
    type Error = String;
    fn try_from(r: EditRepr) -> Result<Edit, String> {
        let op = match r.op {
            Op::Add => "add",
            Op::Move => "move",
            Op::Remove => "remove",
            Op::Recategorize => "recategorize",
        };
        let need = |field: &str| format!("an edit with op = \"{op}\" needs {field}");
        let refuse = |field: &str, has: bool| -> Result<(), String> {
            if has {
                Err(format!("an edit with op = \"{op}\" has no {field}"))
            } else {
                Ok(())
            }
        };
        Ok(match r.op {
            Op::Add => {
                refuse("facility (add makes a new one)", r.facility.is_some())?;
                Edit::Add {
                    key: r
                        .key
                        .ok_or_else(|| need("key = N (unique in the scenario)"))?,
                    category: r.category.ok_or_else(|| need("category = \"…\""))?,
                    lonlat: r.lonlat.ok_or_else(|| need("lonlat = [lon, lat]"))?,
                    name: r.name,
                    capacity: r.capacity,
                }
            }
            Op::Move => {
                refuse("category", r.category.is_some())?;
                Edit::Move {
                    facility: r.facility.ok_or_else(|| need("facility = { … }"))?,
                    lonlat: r.lonlat.ok_or_else(|| need("lonlat = [lon, lat]"))?,
                }
            }
            Op::Remove => {
                refuse("lonlat", r.lonlat.is_some())?;
                refuse("category", r.category.is_some())?;
                Edit::Remove {
                    facility: r.facility.ok_or_else(|| need("facility = { … }"))?,
                }
            }
            Op::Recategorize => {
                refuse("lonlat", r.lonlat.is_some())?;
                Edit::Recategorize {
                    facility: r.facility.ok_or_else(|| need("facility = { … }"))?,
                    category: r.category.ok_or_else(|| need("category = \"…\""))?,
                }
            }
        })
    }
}

impl Edit {
    /// "add", "move", "remove" or "recategorize", as in the file.
    pub fn op(&self) -> &'static str {
        match self {
            Edit::Add { .. } => "add",
            Edit::Move { .. } => "move",
            Edit::Remove { .. } => "remove",
            Edit::Recategorize { .. } => "recategorize",
        }
    }

    /// The facility the edit concerns (None for an add).
    pub fn facility(&self) -> Option<&FacilityRef> {
        match self {
            Edit::Add { .. } => None,
            Edit::Move { facility, .. }
            | Edit::Remove { facility }
            | Edit::Recategorize { facility, .. } => Some(facility),
        }
    }

    /// The same edit with its positions rounded as the file writes them (9 decimals).
    #[must_use]
    pub fn rounded(mut self) -> Edit {
        match &mut self {
            Edit::Add { lonlat, .. } | Edit::Move { lonlat, .. } => *lonlat = round_lonlat(*lonlat),
            _ => {}
        }
        self
    }
}

/// Which facility an edit concerns.
///
/// In the file: `{ file = "POI_高德导出.csv", layer = "POI_高德导出", feature = "line 12" }` for a
/// feature of the data, `{ key = 3 }` for a facility added earlier in the same scenario.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "RefRepr", into = "RefRepr")]
pub enum FacilityRef {
    /// A feature of an input: its file as written in the project's inputs (relative to the
    /// project file's folder when under it, else absolute; a file of an input folder is the
    /// folder's path + `/` + its name), the layer's name, and its id in the file.
    Existing {
        file: String,
        layer: String,
        feature: SourceId,
    },
    /// An [`Edit::Add`] earlier in the same scenario.
    Added { key: u32 },
}

/// [`FacilityRef`] as written: either `key`, or `file`, `layer` and `feature`.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
struct RefRepr {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    file: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    layer: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    feature: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    key: Option<u32>,
}

impl From<FacilityRef> for RefRepr {
    fn from(r: FacilityRef) -> RefRepr {
        match r {
            FacilityRef::Existing {
                file,
                layer,
                feature,
            } => RefRepr {
                file: Some(file),
                layer: Some(layer),
                feature: Some(source_id_text(feature)),
                key: None,
            },
            FacilityRef::Added { key } => RefRepr {
                key: Some(key),
                ..RefRepr::default()
            },
        }
    }
}

impl TryFrom<RefRepr> for FacilityRef {
    type Error = String;
    fn try_from(r: RefRepr) -> Result<FacilityRef, String> {
        match r {
            RefRepr {
                key: Some(key),
                file: None,
                layer: None,
                feature: None,
            } => Ok(FacilityRef::Added { key }),
            RefRepr {
                key: None,
                file: Some(file),
                layer: Some(layer),
                feature: Some(text),
            } => {
                let feature = parse_source_id(&text).ok_or_else(|| {
                    format!(
                        "feature \"{text}\" is not a feature id (write \"feature 12\", \"line 12\", \"row 5\", \"OSM node 123\", \"OSM way 4\" or \"OSM relation 9\")"
                    )
                })?;
                Ok(FacilityRef::Existing {
                    file,
                    layer,
                    feature,
                })
            }
            _ => Err("a facility is either { key = N } (one added in this scenario) or { file = \"…\", layer = \"…\", feature = \"line 12\" }".into()),
        }
    }
}

impl std::fmt::Display for FacilityRef {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            FacilityRef::Existing {
                file,
                layer,
                feature,
            } => write!(f, "{feature} of layer \"{layer}\" in {file}"),
            FacilityRef::Added { key } => write!(f, "added facility {key}"),
        }
    }
}

/// Round to 9 decimals (about 0.1 mm), as the file writes positions.
pub fn round_lonlat(ll: [f64; 2]) -> [f64; 2] {
    ll.map(|v| {
        if v.is_finite() {
            (v * 1e9).round() / 1e9
        } else {
            v
        }
    })
}

fn lonlat_out<S: Serializer>(ll: &Option<[f64; 2]>, s: S) -> Result<S::Ok, S::Error> {
    ll.map(round_lonlat).serialize(s)
}

fn lonlat_in<'de, D: Deserializer<'de>>(d: D) -> Result<Option<[f64; 2]>, D::Error> {
    let ll = <[f64; 2]>::deserialize(d)?;
    if !(ll[0].is_finite() && ll[1].is_finite() && ll[0].abs() <= 180.0 && ll[1].abs() <= 90.0) {
        return Err(serde::de::Error::custom(format!(
            "lonlat [{}, {}] is not a WGS84 longitude, latitude in degrees",
            ll[0], ll[1]
        )));
    }
    Ok(Some(ll))
}

/// A feature id as text: "feature 12", "line 12", "row 5", "OSM node 123", "OSM way 4",
/// "OSM relation 9" (the form [`SourceId`]'s `Display` gives).
pub fn source_id_text(id: SourceId) -> String {
    id.to_string()
}

/// Read a feature id written by [`source_id_text`].
pub fn parse_source_id(text: &str) -> Option<SourceId> {
    let t = text.trim();
    let (kind, n) = t.rsplit_once(' ')?;
    let kind = kind.trim().to_ascii_lowercase();
    let n = n.trim();
    Some(match kind.as_str() {
        "feature" => SourceId::Feature(n.parse().ok()?),
        "line" => SourceId::Line(n.parse().ok()?),
        "row" => SourceId::Row(n.parse().ok()?),
        "osm node" => SourceId::OsmNode(n.parse().ok()?),
        "osm way" => SourceId::OsmWay(n.parse().ok()?),
        "osm relation" => SourceId::OsmRelation(n.parse().ok()?),
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn source_ids_round_trip_as_text() {
        for id in [
            SourceId::Feature(12),
            SourceId::Line(2),
            SourceId::Row(5),
            SourceId::OsmNode(-3),
            SourceId::OsmWay(44),
            SourceId::OsmRelation(9),
        ] {
            assert_eq!(parse_source_id(&source_id_text(id)), Some(id));
        }
        assert_eq!(parse_source_id("Line 7"), Some(SourceId::Line(7)));
        assert_eq!(parse_source_id("record 7"), None);
        assert_eq!(parse_source_id("line x"), None);
    }

    #[test]
    fn edits_read_in_the_documented_form() {
        let text = r#"
name = "方案一"
[[edits]]
op = "add"
key = 0
category = "kindergarten"
lonlat = [119.9512345678, 30.05]
[[edits]]
op = "move"
facility = { key = 0 }
lonlat = [119.95, 30.06]
[[edits]]
op = "remove"
facility = { file = "POI_高德导出.csv", layer = "POI_高德导出", feature = "line 12" }
[[edits]]
op = "recategorize"
facility = { file = "a.shp", layer = "a", feature = "feature 3" }
category = "park"
"#;
        let s: Scenario = toml::from_str(text).unwrap();
        assert_eq!(s.edits.len(), 4);
        assert_eq!(s.edits[1].facility(), Some(&FacilityRef::Added { key: 0 }));
        assert_eq!(
            s.edits[2].facility(),
            Some(&FacilityRef::Existing {
                file: "POI_高德导出.csv".into(),
                layer: "POI_高德导出".into(),
                feature: SourceId::Line(12)
            })
        );
        assert_eq!(s.next_key(), 1);
        // Written with 9 decimals.
        let out = toml::to_string(&s).unwrap();
        assert!(out.contains("119.951234568"), "{out}");
        let bad = "name = \"x\"\n[[edits]]\nop = \"add\"\nkey = 0\ncategory = \"a\"\nlonlat = [500000.0, 3300000.0]\n";
        let e = toml::from_str::<Scenario>(bad).unwrap_err().to_string();
        assert!(e.contains("not a WGS84"), "{e}");
    }
}
