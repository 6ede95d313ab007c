//! Scenario edits on the map: overlays made after an edit with the chunks the map shows left
//! out, then put on the map, are the overlays made whole.

use std::collections::BTreeMap;
use std::sync::Arc;

use super::{Change, EditUpdate, ScenarioState};
use crate::access::live::FacilityKey;
use crate::app::analysis::{AnalysisSettings, OverlayKind, ProfileChoice, run_analysis};
use crate::app::doc::{Document, PreparedLayer, prepare_overlays};
use crate::job::NoProgress;
use crate::model::{Layer, Taxonomy};
use crate::network::synth;
use crate::standards::profile::Profile;

/// Each overlay of `kinds` on the map by name: its features (geometry and attributes, as
/// text, sorted: the order of the features in a layer is not what it shows) with their boxes,
/// and its chunks' keys (sorted).
fn shown(doc: &Document, kinds: &[OverlayKind]) -> BTreeMap<String, (Vec<String>, Vec<u64>)> {
    doc.layers
        .iter()
        .filter(|l| l.overlay.as_ref().is_some_and(|o| kinds.contains(&o.kind)))
        .map(|l| {
            let mut features: Vec<String> = (l.layer.features.iter())
                .zip(&l.prepared.bboxes)
                .map(|(f, b)| format!("{:?} {:?} {b:?}", f.geometry, f.attrs))
                .collect();
            features.sort();
            let mut keys = l.prepared.keys.clone();
            keys.sort_unstable();
            (l.layer.name.clone(), (features, keys))
        })
        .collect()
}

#[test]
fn an_edits_overlays_made_around_what_the_map_shows_equal_them_made_whole() {
    let taxonomy = Taxonomy::default();
    let profile = Profile::default();
    let (n, s) = (80, synth::GRID_TOWN_SPACING_M);
    let health = taxonomy.by_id("health_center").expect("category");
    let park = taxonomy.by_id("park").expect("category");
    let mut doc = Document::default();
    for l in [
        synth::street_grid(n, n, s, 10.0, 42),
        synth::facilities(n, n, s, &[health, park], 4, 7),
        synth::buildings(n, n, s, 8_000, 9),
    ] {
        doc.add(PreparedLayer::new(l));
    }
    let layers: Vec<Arc<Layer>> = doc.layers.iter().map(|l| Arc::clone(&l.layer)).collect();
    let mut settings = AnalysisSettings::for_profile(&profile, ProfileChoice::Shipped);
    // Gaps at 5 minutes: the uncovered buildings show their times (within the walking run's
    // 15 minutes), which an edit changes where it does not change which are uncovered.
    settings.overlay_minutes = 5;
    let town = doc.town_extent();
    let mut base = run_analysis(&layers, &profile, &taxonomy, &settings, town, &NoProgress)
        .expect("not cancelled")
        .expect("analysis");
    let overlays = std::mem::take(&mut base.overlays);
    assert_eq!(doc.replace_overlays(&OverlayKind::ALL, overlays), 0);

    let a = &base.runs[0].analysis;
    let (i, f) = (a.facilities.iter().enumerate())
        .find(|(_, f)| f.category == health)
        .expect("a health centre");
    let mut state = ScenarioState::default();
    let s = state.create("方案 1".into());
    state.start(s, &base.runs);
    let update = |state: &mut ScenarioState| -> EditUpdate {
        let (c, m) = (&settings.overlay_category, settings.overlay_minutes);
        state.update(&base.runs, &layers, c, m).expect("update")
    };
    let kinds = EditUpdate::MAP_KINDS;
    // Moved 800 m, then 60 m more: the second changes the times of many buildings that stay
    // uncovered more than it changes which ones are.
    for to in [
        [f.xy[0] + 700.0, f.xy[1] + 400.0],
        [f.xy[0] + 760.0, f.xy[1] + 400.0],
    ] {
        let key = FacilityKey::Existing(i as u32);
        state.edit(Change::Move { key, to }).expect("edit");
        let (mut around, mut whole) = (update(&mut state), update(&mut state));
        same_as_made_whole(&mut doc, &mut around, &mut whole, town);
    }

    // Left out of a map that no longer shows them (another overlay put meanwhile): said, and
    // the overlay goes on the map without them.
    let around = doc.shown_chunks(&kinds);
    let made = update(&mut state).redraw_map(town, Some(&around), &NoProgress);
    let made = made.expect("not cancelled");
    let mut other = Document::default();
    let n = made.iter().filter(|o| !o.kept.is_empty()).count();
    assert!(n > 0);
    assert_eq!(other.replace_overlays(&kinds, prepare_overlays(made)), n);
}

/// `update`'s overlays made around what `doc` shows, put on it, equal `again`'s (the same
/// update) made whole.
fn same_as_made_whole(
    doc: &mut Document,
    update: &mut EditUpdate,
    again: &mut EditUpdate,
    town: Option<geo_types::Rect<f64>>,
) {
    let kinds = EditUpdate::MAP_KINDS;
    // Made whole, on a map of their own.
    let mut whole = Document::default();
    let made = again.redraw_map(town, None, &NoProgress);
    let made = made.expect("not cancelled");
    assert!(made.iter().all(|o| o.kept.is_empty()));
    whole.replace_overlays(&kinds, prepare_overlays(made));

    // Made around what the map shows: most chunks left out (the edit changed a part of the
    // town), some made again, and put on the map they are the same overlays.
    let before = shown(doc, &kinds);
    let around = doc.shown_chunks(&kinds);
    let made = update.redraw_map(town, Some(&around), &NoProgress);
    let made = made.expect("not cancelled");
    let kept: usize = made.iter().map(|o| o.kept.len()).sum();
    let remade: usize = made.iter().map(|o| o.layer.features.len()).sum();
    assert!(
        kept > 0 && remade > 0,
        "{kept} chunks kept, {remade} features made"
    );
    assert_eq!(doc.replace_overlays(&kinds, prepare_overlays(made)), 0);
    let after = shown(doc, &kinds);
    assert_ne!(before, after, "the edit changed the overlays");
    assert_eq!(after, shown(&whole, &kinds));
    for name in [
        "等时圈 15 分钟 · 卫生院",
        "服务缺口 5 分钟 · 卫生院",
        "未覆盖建筑 5 分钟 · 卫生院",
    ] {
        assert!(after.contains_key(name), "{name} in {:?}", after.keys());
    }
}
