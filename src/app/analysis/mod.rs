//! The analysis side of the app: settings (profile, mode, tiers), the background run of the access
//! engine on the open layers, the results (coverage charts, the ten-ones checklist with its
//! evidence) and the map overlays (isochrones, travel-time grid, gaps, uncovered buildings), which
//! are layers of the document drawn with an overlay style.

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::mpsc::{Receiver, Sender, channel};

use egui::{Color32, RichText};
use geo_types::{Geometry, MultiPolygon, Rect as GeoRect, coord};

use super::Command;
use super::i18n::{Lang, tx};
use super::jobs::Job;
use super::map::style::FeatureStyle;
use crate::access::gaps::gap_shapes;
use crate::access::isochrone::BandTile;
use crate::access::memo::KeyHasher;
use crate::access::{
    AccessInput, AccessReport, AccessResult, Analysis, PreparedTown, TownOptions, run_town,
};
use crate::crs::{Crs, CrsInfo};
use crate::job::{Cancelled, Progress};
use crate::model::layer::{AttrValue, Field, FieldKind, Format, SourceId, SourceInfo};
use crate::model::{CategoryId, Layer, Role, Taxonomy};
use crate::standards::profile::{Profile, Provenance};
use crate::tenones::evaluate_with;
use crate::tenones::result::{Place, RuleResult, TenOnesReport, Verdict};

mod charts;
mod checklist;
mod fca_overlay;
mod overlays;
mod panel;
mod run;
mod types;

pub use super::doc::{KeyedChunks, OverlayKind, OverlayLayer, ShownChunks};
pub use charts::*;
pub use checklist::*;
pub use fca_overlay::accessibility_overlays;
pub use overlays::*;
pub use panel::*;
pub use run::*;
pub use types::*;

#[cfg(test)]
mod tests;
