//! Scenarios (方案): named sets of edits to the facilities on top of the last analysis. An edit
//! (add by a click, move by a drag, remove, change category) updates the coverage of every tier
//! at once with the incremental engine ([`crate::access::live`]); the ten ones and the overlays
//! of the edited town follow from a background job, so the map never waits.
//!
//! Undo rebuilds the engine from the base and replays the remaining edits: exact, and cheap (each
//! edit is one bounded search).

pub mod convert;
mod layers;
mod panel;
pub mod suggest;
#[cfg(test)]
mod tests;

pub use layers::{difference_overlays, marker_overlays, scenario_layers};
pub use panel::{CompareRow, compare_rows, verdict_changes};

use std::sync::Arc;

use geo_types::Rect as GeoRect;

use crate::access::live::{EditError, FacilityKey, TownScenario, merged_report};
use crate::access::{AccessReport, PreparedTown};
use crate::job::{Cancelled, Progress};
use crate::model::{CategoryId, Layer, Taxonomy};
use crate::standards::profile::Profile;
use crate::tenones::result::TenOnesReport;

use super::analysis::{
    AnalysisOutput, OverlayKind, OverlayLayer, OverlayRequest, OverlayStage, Run, ShownChunks,
    build_overlay_stage,
};
use super::jobs::Job;

/// What a click or drag on the map does while a scenario is shown (the map owns the type).
pub use super::map::EditTool as Tool;

/// One edit as the user made it.
#[derive(Debug, Clone, PartialEq)]
pub enum Change {
    Add {
        key: u32,
        category: CategoryId,
        xy: [f64; 2],
        /// Beds, places or seats, when the planner gave them (the 2SFCA counts them).
        capacity: Option<f64>,
    },
    Move {
        key: FacilityKey,
        to: [f64; 2],
    },
    Remove {
        key: FacilityKey,
    },
    Recategorize {
        key: FacilityKey,
        to: CategoryId,
    },
}

impl Change {
    fn apply(&self, live: &mut TownScenario) -> Result<(), EditError> {
        match *self {
            Change::Add {
                key, category, xy, ..
            } => live.add(key, category, xy),
            Change::Move { key, to } => live.move_to(key, to),
            Change::Remove { key } => live.remove(key).map(|_| ()),
            Change::Recategorize { key, to } => live.recategorize(key, to),
        }
    }
}

/// The Add tool's capacity as typed: empty is none; otherwise a positive number (Err: the text,
/// trimmed, that is not one).
pub fn parse_capacity(text: &str) -> Result<Option<f64>, String> {
    let t = text.trim();
    if t.is_empty() {
        return Ok(None);
    }
    match t.parse::<f64>() {
        Ok(v) if v.is_finite() && v > 0.0 => Ok(Some(v)),
        _ => Err(t.to_string()),
    }
}

/// A named scenario: its edits in order, and the ones undone (for redo).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct ScenarioDoc {
    pub name: String,
    pub changes: Vec<Change>,
    pub redo: Vec<Change>,
    /// The key the next added facility gets.
    pub next_key: u32,
}

/// What the scenario job hands back: the ten ones and overlays of the edited town.
pub struct ScenarioOutput {
    pub overlays: Vec<super::doc::ReadyOverlay>,
    /// The kinds of overlay they replace.
    pub kinds: Vec<OverlayKind>,
    /// Which edit count it was computed for (a newer edit makes it stale).
    pub generation: u64,
    /// After the map's overlays ([`EditUpdate::redraw_map`]): the update, for the job that
    /// makes the rest.
    pub rest: Option<EditUpdate>,
    /// After the rest ([`EditUpdate::redraw_rest`]): the ten ones of the edited town.
    pub tenones: Option<Option<crate::tenones::result::TenOnesReport>>,
}

/// The scenarios of the session and the one shown.
#[derive(Default)]
pub struct ScenarioState {
    pub scenarios: Vec<ScenarioDoc>,
    /// The scenario shown; None = the base (as loaded).
    pub active: Option<usize>,
    pub tool: Option<Tool>,
    /// The category the Add and Recategorize tools use (a taxonomy id).
    pub category: String,
    /// The capacity the Add tool gives (beds, places, seats) as typed; empty: none.
    pub capacity: String,
    /// The base analysis while a scenario is shown (the analysis panel shows the scenario's).
    pub base: Option<AnalysisOutput>,
    live: Option<TownScenario>,
    pub job: Option<Job<ScenarioOutput>>,
    /// Bumped by every edit; a job's output for an older one is dropped.
    pub generation: u64,
    /// The facility being dragged with the Move tool.
    pub dragging: Option<FacilityKey>,
    /// How long the last edit's coverage update took, milliseconds (shown in the panel).
    pub last_update_ms: f64,
    /// The last edit that could not be made, for the panel.
    pub error: Option<String>,
    /// Suggested sites.
    pub suggest: suggest::SuggestState,
}

impl ScenarioState {
    /// The scenario shown, if any.
    pub fn current(&self) -> Option<&ScenarioDoc> {
        self.active.and_then(|i| self.scenarios.get(i))
    }

    fn current_mut(&mut self) -> Option<&mut ScenarioDoc> {
        self.active.and_then(|i| self.scenarios.get_mut(i))
    }

    /// The live engine of the scenario shown.
    pub fn live(&self) -> Option<&TownScenario> {
        self.live.as_ref()
    }

    /// Facility positions for picking with the Move/Remove/Recategorize tools (working CRS).
    pub fn pickable(&self) -> Vec<(FacilityKey, [f64; 2])> {
        self.live
            .as_ref()
            .map(|l| l.facilities().iter().map(|f| (f.key, f.xy)).collect())
            .unwrap_or_default()
    }

    /// A new scenario named after its number; returns its index.
    pub fn create(&mut self, name: String) -> usize {
        self.scenarios.push(ScenarioDoc {
            name,
            ..ScenarioDoc::default()
        });
        self.scenarios.len() - 1
    }

    /// Start the engine for the scenario `index` from the base runs and replay its edits.
    /// Edits that no longer apply (the data changed) are dropped and counted.
    pub fn start(&mut self, index: usize, base_runs: &[Arc<Run>]) -> usize {
        self.active = Some(index);
        self.dragging = None;
        self.last_update_ms = 0.0;
        let mut live = engine(base_runs);
        let mut dropped = 0;
        if let Some(doc) = self.scenarios.get_mut(index) {
            doc.changes.retain(|c| {
                let ok = c.apply(&mut live).is_ok();
                dropped += usize::from(!ok);
                ok
            });
        }
        self.live = Some(live);
        self.generation += 1;
        dropped
    }

    /// Back to the base: the engine is dropped, the scenarios kept.
    pub fn stop(&mut self) {
        self.active = None;
        self.live = None;
        self.tool = None;
        self.dragging = None;
        self.generation += 1;
    }

    /// Make one edit on the scenario shown. The redo list is cleared.
    pub fn edit(&mut self, change: Change) -> Result<(), String> {
        let Some(live) = self.live.as_mut() else {
            return Err("no scenario is shown".into());
        };
        let started = std::time::Instant::now();
        change.apply(live).map_err(|e| e.to_string())?;
        self.last_update_ms = started.elapsed().as_secs_f64() * 1000.0;
        if let Some(doc) = self.current_mut() {
            if let Change::Add { key, .. } = change {
                doc.next_key = doc.next_key.max(key + 1);
            }
            doc.changes.push(change);
            doc.redo.clear();
        }
        self.generation += 1;
        Ok(())
    }

    /// The capacities the planner gave to added facilities, by key.
    pub fn added_capacities(&self) -> Vec<(u32, f64)> {
        self.current()
            .map(|d| {
                d.changes
                    .iter()
                    .filter_map(|c| match c {
                        Change::Add {
                            key,
                            capacity: Some(cap),
                            ..
                        } => Some((*key, *cap)),
                        _ => None,
                    })
                    .collect()
            })
            .unwrap_or_default()
    }

    /// The key for the next added facility.
    pub fn next_key(&self) -> u32 {
        self.current().map_or(0, |d| d.next_key)
    }

    /// Undo the last edit: the engine restarts from the base and replays the others.
    pub fn undo(&mut self, base_runs: &[Arc<Run>]) -> bool {
        let Some(i) = self.active else { return false };
        let Some(doc) = self.scenarios.get_mut(i) else {
            return false;
        };
        let Some(last) = doc.changes.pop() else {
            return false;
        };
        doc.redo.push(last);
        let redo = std::mem::take(&mut doc.redo);
        self.start(i, base_runs);
        if let Some(doc) = self.scenarios.get_mut(i) {
            doc.redo = redo;
        }
        true
    }

    /// Redo the last undone edit.
    pub fn redo(&mut self) -> bool {
        let Some(change) = self.current_mut().and_then(|d| d.redo.pop()) else {
            return false;
        };
        let redo = self.current().map(|d| d.redo.clone()).unwrap_or_default();
        if self.edit(change).is_err() {
            return false;
        }
        if let Some(doc) = self.current_mut() {
            doc.redo = redo;
        }
        true
    }

    /// The scenario's runs (the base analyses with the edited results) and their merged report,
    /// computed once for both. None when no scenario is shown.
    pub fn figures(&self, base_runs: &[Arc<Run>]) -> Option<(Vec<Arc<Run>>, AccessReport)> {
        let results = self.live.as_ref()?.results();
        let report = merged_report(&results)?;
        let runs = base_runs
            .iter()
            .zip(results)
            .map(|(r, result)| {
                Arc::new(Run {
                    analysis: Arc::clone(&r.analysis),
                    result,
                })
            })
            .collect();
        Some((runs, report))
    }

    /// What the app computes on the UI thread after an edit: the figures the panel shows at
    /// once, and what the background job needs ([`EditUpdate::redraw`]). `category` and
    /// `minutes` choose the overlays.
    pub fn update(
        &self,
        base_runs: &[Arc<Run>],
        base_layers: &[Arc<Layer>],
        category: &str,
        minutes: u32,
    ) -> Option<EditUpdate> {
        let live = self.live.as_ref()?;
        let first = base_runs.first()?;
        let (runs, report) = self.figures(base_runs)?;
        let name = self.current().map(|d| d.name.as_str()).unwrap_or_default();
        let layers = scenario_layers(
            base_layers,
            &first.analysis,
            live,
            name,
            &self.added_capacities(),
        );
        let mut markers = marker_overlays(&first.analysis, live);
        markers.extend(difference_overlays(base_runs, &runs, category, minutes));
        Some(EditUpdate {
            runs,
            report,
            layers,
            markers,
            category: category.to_string(),
            minutes,
        })
    }
}

/// An edit's figures ([`ScenarioState::update`]) and what the job after it needs.
pub struct EditUpdate {
    /// The base analyses with the edited results.
    pub runs: Vec<Arc<Run>>,
    /// Their merged report: the coverage the analysis panel shows.
    pub report: AccessReport,
    /// The edited town as layers (for the ten ones).
    pub layers: Vec<Arc<Layer>>,
    /// The scenario's markers and difference areas, shown with the job's overlays.
    pub markers: Vec<OverlayLayer>,
    /// The category and tier the overlays show.
    pub category: String,
    pub minutes: u32,
}

impl EditUpdate {
    /// The overlay kinds [`EditUpdate::redraw_map`] makes.
    pub const MAP_KINDS: [OverlayKind; 5] = [
        OverlayKind::Isochrone,
        OverlayKind::Gaps,
        OverlayKind::UncoveredBuildings,
        OverlayKind::Scenario,
        OverlayKind::Difference,
    ];

    fn overlays(
        &self,
        stage: OverlayStage,
        town: Option<GeoRect<f64>>,
        shown: Option<&ShownChunks>,
        progress: &dyn Progress,
    ) -> Result<Vec<OverlayLayer>, Cancelled> {
        let request = OverlayRequest {
            stage,
            category: &self.category,
            minutes: self.minutes,
            shown,
        };
        build_overlay_stage(&request, &self.runs, &self.layers, town, progress)
    }

    /// The first background job after an edit: what shows it on the map: the edited
    /// category's isochrones, gaps and uncovered buildings (traced only where the edit changed
    /// them: the rest comes from the analysis's memo, and the map keeps its drawings), then the
    /// scenario's markers and difference areas. The chunks the map `shown` already are not
    /// made again: the map takes them over ([`OverlayLayer::kept`]).
    pub fn redraw_map(
        &mut self,
        town: Option<GeoRect<f64>>,
        shown: Option<&ShownChunks>,
        progress: &dyn Progress,
    ) -> Result<Vec<OverlayLayer>, Cancelled> {
        let mut overlays = self.overlays(OverlayStage::Map, town, shown, progress)?;
        // Copied, not taken: a job run again (the map changed meanwhile) shows them too.
        overlays.extend(self.markers.iter().cloned());
        Ok(overlays)
    }

    /// The second: the travel-time grid and the capacity accessibility of the edited town
    /// (kinds [`OverlayStage::Rest`]), and its ten ones, whose analyses share the base run's
    /// road graph and demand (an edit changes facilities only).
    pub fn redraw_rest(
        &self,
        profile: &Profile,
        taxonomy: &Taxonomy,
        town: Option<GeoRect<f64>>,
        progress: &dyn Progress,
    ) -> Result<(Vec<OverlayLayer>, Option<TenOnesReport>), Cancelled> {
        let overlays = self.overlays(OverlayStage::Rest, town, None, progress)?;
        Cancelled::check(progress)?;
        let owned: Vec<Layer> = self.layers.iter().map(|l| Layer::clone(l)).collect();
        let prepared = self
            .runs
            .iter()
            .find_map(|r| PreparedTown::of_analysis(&r.analysis));
        let tenones = crate::tenones::evaluate_with(
            &owned,
            profile,
            taxonomy,
            &self.report,
            prepared.as_ref(),
        )
        .ok();
        Ok((overlays, tenones))
    }
}

/// The engine for the base runs.
fn engine(base_runs: &[Arc<Run>]) -> TownScenario {
    TownScenario::new(
        base_runs
            .iter()
            .map(|r| (Arc::clone(&r.analysis), Arc::new(r.result.clone())))
            .collect(),
    )
}
