//! The desktop app driven like a person would, headless (egui_kittest, no display): load layers,
//! click checkboxes by their label, switch language, open a broken file, filter the table.
#![cfg(feature = "gui")]

use std::path::PathBuf;
use std::time::{Duration, Instant};

use egui::accesskit::Toggled;
use egui_kittest::Harness;
use egui_kittest::kittest::{NodeT, Queryable};
use towncircle::app::analysis::{OverlayKind, ProfileChoice};
use towncircle::app::i18n::{Lang, tx};
use towncircle::app::state::Persisted;
use towncircle::app::test_support::{SamplePlaces, sample_tenones};
use towncircle::app::{Level, StartOptions, TownApp, fonts};
use towncircle::model::Role;

const FACILITIES: &str = r#"{"type":"FeatureCollection","features":[
 {"type":"Feature","properties":{"名称":"清溪小学","类型":"小学"},"geometry":{"type":"Point","coordinates":[120.100,30.200]}},
 {"type":"Feature","properties":{"名称":"清溪镇卫生院","类型":"卫生院"},"geometry":{"type":"Point","coordinates":[120.110,30.210]}},
 {"type":"Feature","properties":{"名称":"溪口村幼儿园","类型":"幼儿园"},"geometry":{"type":"Point","coordinates":[120.105,30.195]}},
 {"type":"Feature","properties":{"名称":"居家养老服务中心","类型":"养老"},"geometry":{"type":"Point","coordinates":[120.095,30.205]}}]}"#;

const ROADS: &str = r#"{"type":"FeatureCollection","features":[
 {"type":"Feature","properties":{"名称":"溪口路","等级":"县道"},"geometry":{"type":"LineString","coordinates":[[120.09,30.19],[120.12,30.22]]}},
 {"type":"Feature","properties":{"名称":"清溪街","等级":"镇道"},"geometry":{"type":"LineString","coordinates":[[120.09,30.21],[120.12,30.20]]}}]}"#;

/// A folder with two good layers.
fn town() -> (tempfile::TempDir, PathBuf, PathBuf) {
    let dir = tempfile::tempdir().expect("tempdir");
    let f = dir.path().join("设施.geojson");
    let r = dir.path().join("道路.geojson");
    std::fs::write(&f, FACILITIES).expect("write");
    std::fs::write(&r, ROADS).expect("write");
    (dir, f, r)
}

fn harness(files: Vec<PathBuf>, lang: Lang) -> Harness<'static, TownApp> {
    let mut h = Harness::builder()
        .with_size([1400.0, 900.0])
        .build_eframe(move |cc| {
            fonts::install_bundled(&cc.egui_ctx);
            let settings = Persisted {
                lang,
                ..Persisted::default()
            };
            TownApp::with_settings(
                &cc.egui_ctx,
                settings,
                StartOptions {
                    files,
                    export_png: None,
                    no_demo: true,
                    recovery_dir: None,
                },
            )
        });
    wait_for_jobs(&mut h);
    h
}

/// Step frames until background loading (a CAD dialog's reading, a project being opened) is
/// done (the frame loop itself never waits). The first frames take the last input in (a click
/// starts its job at the end of the frame).
fn wait_for_jobs(h: &mut Harness<'static, TownApp>) {
    h.run_steps(2);
    let start = Instant::now();
    while h.state().is_busy() || h.state().project.pending.is_some() {
        assert!(
            start.elapsed() < Duration::from_secs(60),
            "loading took too long"
        );
        h.step();
        std::thread::sleep(Duration::from_millis(5));
    }
    h.run_steps(3);
}

fn is_checked(h: &Harness<'static, TownApp>, label: &str) -> bool {
    h.get_by_label(label).accesskit_node().toggled() == Some(Toggled::True)
}

#[test]
fn starts_with_layers_loaded_and_a_checkbox_hides_a_layer() {
    let (_dir, f, r) = town();
    let mut h = harness(vec![f, r], Lang::Zh);
    let app = h.state();
    assert_eq!(app.doc.layers.len(), 2);
    assert_eq!(app.doc.feature_count(), 6);
    let roles: Vec<Option<Role>> = app.doc.layers.iter().map(|l| l.role()).collect();
    assert!(roles.contains(&Some(Role::Facilities)) && roles.contains(&Some(Role::Roads)));
    // Facilities are drawn above roads, and classified for the legend.
    assert_eq!(app.doc.layers[1].role(), Some(Role::Facilities));
    assert!(app.doc.layers[1].layer.classification.is_some());
    assert!(
        app.map.last_stats.chunks_drawn >= 2,
        "{:?}",
        app.map.last_stats
    );
    // The view was fitted to the town.
    let rect = app.map.rect.expect("map drawn");
    let ext = app.doc.town_extent().expect("extent");
    let vis = app.map.view.visible(rect);
    assert!(vis.min().x <= ext.min().x && vis.max().x >= ext.max().x);

    assert!(is_checked(&h, "设施"));
    h.get_by_label("设施").click();
    h.run_steps(2);
    assert!(!is_checked(&h, "设施"));
    let facilities = h
        .state()
        .doc
        .layers
        .iter()
        .find(|l| l.layer.name == "设施")
        .expect("layer");
    assert!(!facilities.visible);
    assert!(h.state().doc.layers.iter().any(|l| l.visible), "roads stay");
}

#[test]
fn switching_to_english_changes_the_labels_and_is_remembered() {
    let (_dir, f, r) = town();
    let mut h = harness(vec![f, r], Lang::Zh);
    assert!(h.query_by_label(tx::FILE.zh).is_some());
    assert!(h.query_by_label(tx::FILE.en).is_none());
    h.get_by_label("English").click();
    h.run_steps(2);
    assert!(h.query_by_label(tx::FILE.en).is_some(), "menu in English");
    assert!(
        h.query_by_label(tx::ZOOM_TOWN.en).is_some(),
        "toolbar in English"
    );
    assert!(h.query_by_label(tx::FILE.zh).is_none());
    assert!(
        h.query_by_label_contains(tx::RUN.en).is_some(),
        "analysis panel in English"
    );
    assert_eq!(h.state().persisted.lang, Lang::En);
    // What eframe stores between runs.
    let saved = serde_json::to_string(&h.state().persisted).expect("json");
    assert!(saved.contains("\"En\""), "{saved}");
    h.get_by_label("中文").click();
    h.run_steps(2);
    assert!(h.query_by_label(tx::FILE.zh).is_some());
}

#[test]
fn a_broken_file_shows_an_error_naming_it_and_the_other_layers_stay() {
    let (dir, f, r) = town();
    let mut h = harness(vec![f, r], Lang::Zh);
    assert_eq!(h.state().doc.layers.len(), 2);
    let bad = dir.path().join("损坏的图层.geojson");
    std::fs::write(&bad, "{\"type\":\"FeatureCollection\",\"features\":[").expect("write");
    let missing = dir.path().join("不存在.shp");
    let ctx = h.ctx.clone();
    h.state_mut().open(&ctx, vec![bad, missing]);
    wait_for_jobs(&mut h);
    let app = h.state();
    assert_eq!(app.doc.layers.len(), 2, "the loaded layers are intact");
    let errors: Vec<&str> = app
        .log
        .iter()
        .filter(|e| e.level == Level::Error)
        .map(|e| e.text.as_str())
        .collect();
    assert_eq!(errors.len(), 2, "{errors:?}");
    assert!(errors.iter().any(|e| e.contains("损坏的图层.geojson")));
    assert!(errors.iter().any(|e| e.contains("不存在.shp")));
    // Shown in the log panel (and a notification over the map), not a modal dialog.
    assert!(h.query_all_by_label_contains("损坏的图层.geojson").count() >= 1);
    // Still alive: the UI answers.
    h.get_by_label("English").click();
    h.run_steps(2);
    assert!(h.query_by_label(tx::FILE.en).is_some());
}

#[test]
fn the_attribute_table_filters_and_selects_in_step_with_the_map() {
    let (_dir, f, r) = town();
    let mut h = harness(vec![f, r], Lang::Zh);
    // Show the facilities' table with the layer's table button.
    let fac = h
        .state()
        .doc
        .layers
        .iter()
        .find(|l| l.layer.name == "设施")
        .map(|l| l.id)
        .expect("layer");
    let ctx = h.ctx.clone();
    h.state_mut()
        .apply(&ctx, towncircle::app::Command::ShowTable(fac));
    h.run_steps(2);
    assert_eq!(h.state().table.rows().len(), 4);
    assert!(h.query_by_label("清溪小学").is_some());

    let filter = h.get_by_label(tx::FILTER.zh);
    filter.focus();
    filter.type_text("卫生院");
    h.run_steps(2);
    assert_eq!(h.state().table.rows().len(), 1);
    assert!(h.query_by_label("清溪小学").is_none());
    assert!(h.query_by_label("清溪镇卫生院").is_some());

    // A click on the row selects the feature (and shows its attributes).
    h.get_by_label("清溪镇卫生院").click();
    h.run_steps(2);
    let sel = h.state().doc.selection.expect("selected");
    assert_eq!(sel.layer, fac);
    assert_eq!(sel.feature, 1);
    assert!(h.query_by_label(tx::FEATURE_INFO.zh).is_some());
    assert!(
        h.query_all_by_label("清溪镇卫生院").count() >= 2,
        "table and info panel"
    );
}

#[test]
fn a_click_on_the_map_selects_the_feature_under_the_pointer() {
    let (_dir, f, r) = town();
    let mut h = harness(vec![f, r], Lang::Zh);
    let (pos, expected) = {
        let app = h.state();
        let l = app
            .doc
            .layers
            .iter()
            .find(|l| l.layer.name == "设施")
            .expect("layer");
        let at = l.prepared.bboxes[0].expect("bbox").center();
        (
            app.map.view.to_screen(app.map.rect.expect("rect"), at),
            l.id,
        )
    };
    h.hover_at(pos);
    h.run_steps(1);
    h.event(egui::Event::PointerButton {
        pos,
        button: egui::PointerButton::Primary,
        pressed: true,
        modifiers: egui::Modifiers::NONE,
    });
    h.step();
    h.event(egui::Event::PointerButton {
        pos,
        button: egui::PointerButton::Primary,
        pressed: false,
        modifiers: egui::Modifiers::NONE,
    });
    h.run_steps(2);
    let sel = h.state().doc.selection.expect("a feature was selected");
    assert_eq!(sel.layer, expected);
    assert_eq!(sel.feature, 0);
    // The table follows: it shows that layer with the row selected.
    assert_eq!(h.state().table.layer, Some(expected));
}

#[test]
fn the_layers_panel_changes_role_order_and_removes() {
    let (_dir, f, r) = town();
    let mut h = harness(vec![f, r], Lang::En);
    let ids: Vec<_> = h.state().doc.layers.iter().map(|l| l.id).collect();
    let roads = ids[0];
    h.get_all_by_label(tx::MOVE_UP.en)
        .find(|n| !n.accesskit_node().is_disabled())
        .expect("an enabled move-up button")
        .click();
    h.run_steps(2);
    assert_eq!(
        h.state().doc.layers[1].id,
        roads,
        "roads moved above facilities"
    );
    let ctx = h.ctx.clone();
    h.state_mut().apply(
        &ctx,
        towncircle::app::Command::SetRole(roads, Some(Role::Greenway)),
    );
    h.run_steps(2);
    assert!(h.query_by_label(Lang::En.role(Role::Greenway)).is_some());
    let n_before = h.state().doc.layers.len();
    h.get_all_by_label(tx::REMOVE.en)
        .next()
        .expect("remove button")
        .click();
    h.run_steps(2);
    assert_eq!(h.state().doc.layers.len(), n_before - 1);
}

/// A file dropped on the window, as the winit integration hands it over.
#[derive(Debug)]
struct Dropped(PathBuf);

impl egui::DroppedFile for Dropped {
    fn path(&self) -> &std::path::Path {
        &self.0
    }
    fn bytes(&self) -> Result<Vec<u8>, String> {
        std::fs::read(&self.0).map_err(|e| e.to_string())
    }
}

#[test]
fn dropping_a_file_on_the_window_adds_a_layer_and_keys_move_the_map() {
    let (_dir, f, r) = town();
    let mut h = harness(vec![f], Lang::Zh);
    assert_eq!(h.state().doc.layers.len(), 1);
    h.input_mut()
        .dropped_files
        .push(std::sync::Arc::new(Dropped(r.clone())));
    h.step();
    wait_for_jobs(&mut h);
    assert_eq!(h.state().doc.layers.len(), 2);
    assert!(
        h.query_by_role_and_label(egui::accesskit::Role::CheckBox, "道路")
            .is_some(),
        "the new layer's checkbox"
    );
    assert_eq!(
        h.state()
            .persisted
            .recent_files
            .first()
            .and_then(|p| p.file_name()),
        r.file_name(),
        "remembered as a recent file"
    );

    let before = h.state().map.view;
    h.key_press(egui::Key::Plus);
    h.run_steps(1);
    assert!(h.state().map.view.m_per_pt < before.m_per_pt, "+ zooms in");
    let zoomed = h.state().map.view;
    h.key_press(egui::Key::ArrowLeft);
    h.run_steps(1);
    assert!(
        h.state().map.view.center.x < zoomed.center.x,
        "← shows what lies west"
    );
    assert_eq!(h.state().map.view.m_per_pt, zoomed.m_per_pt);
}

fn pointer(h: &Harness<'static, TownApp>, pos: egui::Pos2, pressed: bool) {
    h.event(egui::Event::PointerButton {
        pos,
        button: egui::PointerButton::Primary,
        pressed,
        modifiers: egui::Modifiers::NONE,
    });
}

#[test]
fn box_zoom_zooms_into_the_dragged_box_and_a_plain_drag_pans() {
    let (_dir, f, r) = town();
    let mut h = harness(vec![f, r], Lang::Zh);
    let rect = h.state().map.rect.expect("map drawn");
    let before = h.state().map.view;

    // A plain drag pans: the world point under the pointer follows it.
    let (a, b) = (rect.center(), rect.center() + egui::vec2(80.0, 40.0));
    let world_a = before.to_world(rect, a);
    h.hover_at(a);
    pointer(&h, a, true);
    h.step();
    for k in 1..=4 {
        h.hover_at(a + (b - a) * (k as f32 / 4.0));
        h.step();
    }
    pointer(&h, b, false);
    h.run_steps(2);
    let panned = h.state().map.view;
    assert_eq!(panned.m_per_pt, before.m_per_pt);
    let moved = panned.to_screen(rect, world_a);
    assert!((moved - b).length() < 1.0, "{moved:?} vs {b:?}");

    // With the box-zoom tool the same gesture zooms into the box, then the tool turns off.
    h.get_by_label(tx::BOX_ZOOM.zh).click();
    h.run_steps(1);
    assert!(h.state().map.box_zoom_tool);
    let (a, b) = (rect.center(), rect.center() + egui::vec2(120.0, 90.0));
    h.hover_at(a);
    pointer(&h, a, true);
    h.step();
    for k in 1..=4 {
        h.hover_at(a + (b - a) * (k as f32 / 4.0));
        h.step();
    }
    pointer(&h, b, false);
    h.run_steps(2);
    let zoomed = h.state().map.view;
    assert!(
        zoomed.m_per_pt < panned.m_per_pt / 3.0,
        "{} → {}",
        panned.m_per_pt,
        zoomed.m_per_pt
    );
    assert!(!h.state().map.box_zoom_tool);
}

#[test]
fn bare_start_opens_the_demo_town_when_it_is_there() {
    let Some(demo) = towncircle::app::find_demo_town() else {
        eprintln!("sample-maps/qingxi-demo-town is not in this checkout; nothing to open");
        return;
    };
    let mut h = Harness::builder()
        .with_size([1400.0, 900.0])
        .build_eframe(|cc| {
            fonts::install_bundled(&cc.egui_ctx);
            TownApp::with_settings(&cc.egui_ctx, Persisted::default(), StartOptions::default())
        });
    wait_for_jobs(&mut h);
    let app = h.state();
    let expected = towncircle::io::data_files_in(&demo).len();
    assert!(expected > 0);
    assert!(
        app.doc.layers.len() >= expected.min(3),
        "{} layers from {expected} files",
        app.doc.layers.len()
    );
    assert!(
        app.log.iter().all(|e| e.level != Level::Error),
        "the demo loads cleanly: {:?}",
        app.log
    );
    assert!(app.doc.town_extent().is_some());
    assert!(app.map.last_stats.chunks_drawn > 0);
}

/// The demo town, loaded; None when the checkout has no sample maps.
fn demo_harness() -> Option<Harness<'static, TownApp>> {
    let demo = towncircle::app::find_demo_town()?;
    Some(harness(vec![demo], Lang::Zh))
}

#[test]
fn the_analysis_runs_in_the_background_and_shows_coverage_overlays_and_the_checklist() {
    let Some(mut h) = demo_harness() else {
        eprintln!("no demo town in this checkout");
        return;
    };
    let base_layers = h.state().doc.layers.len();
    h.get_by_label(tx::RUN.zh).click();
    h.step();
    assert!(
        h.state().analysis.job.is_some(),
        "the run is a background job"
    );
    h.step();
    if h.state().analysis.job.is_some() {
        assert!(
            h.query_by_label(tx::CANCEL.zh).is_some(),
            "a progress row with Cancel"
        );
    }
    wait_for_jobs(&mut h);
    let app = h.state();
    let errors: Vec<&str> = app
        .log
        .iter()
        .filter(|e| e.level == Level::Error)
        .map(|e| e.text.as_str())
        .collect();
    assert!(errors.is_empty(), "{errors:?}");
    let results = app.analysis.results.as_ref().expect("results");
    let minutes: Vec<u32> = results.report.tiers.iter().map(|t| t.minutes).collect();
    assert_eq!(minutes, vec![5, 15, 30]);
    // Per-tier modes: 5 and 15 minutes on foot, 30 by e-bike: two runs.
    assert_eq!(results.runs.len(), 2);
    let hc = results
        .report
        .categories
        .iter()
        .find(|c| c.id == "health_center")
        .expect("health centre");
    assert_eq!(hc.tiers.len(), 3);
    let town = |m: u32| {
        hc.tiers
            .iter()
            .find(|t| t.minutes == m)
            .and_then(|t| t.town.percent)
            .expect("percent")
    };
    assert!(
        town(5) <= town(15) && town(15) <= town(30),
        "coverage grows with time"
    );
    // Overlays joined the map: isochrones per tier, grid bands, gaps, uncovered buildings.
    let overlays: Vec<&towncircle::app::doc::MapLayer> = app
        .doc
        .layers
        .iter()
        .filter(|l| l.overlay.is_some())
        .collect();
    assert_eq!(app.doc.layers.len(), base_layers + overlays.len());
    let of = |k: OverlayKind| {
        overlays
            .iter()
            .filter(|l| l.overlay.as_ref().map(|o| o.kind) == Some(k))
            .count()
    };
    assert_eq!(of(OverlayKind::Isochrone), 3);
    assert_eq!(of(OverlayKind::TimeGrid), 4);
    assert_eq!(of(OverlayKind::Gaps), 1);
    assert_eq!(of(OverlayKind::UncoveredBuildings), 1);
    let gaps = overlays
        .iter()
        .find(|l| l.overlay.as_ref().map(|o| o.kind) == Some(OverlayKind::Gaps))
        .expect("gaps");
    let labels = &gaps.overlay.as_ref().expect("overlay").labels;
    assert_eq!(labels.len(), gaps.layer.features.len());
    assert!(
        labels
            .iter()
            .all(|(_, n)| matches!(n, towncircle::app::doc::MapLabel::People(p) if *p > 0.0)),
        "{labels:?}"
    );
    // Worded in the app's language when drawn (English no longer says 人).
    use towncircle::app::map::gap_label;
    assert_eq!(gap_label(420.4, Lang::Zh), "420 人");
    assert_eq!(gap_label(420.4, Lang::En), "420 people");
    // The chart and the all-required table are shown.
    assert!(h.query_by_label(tx::ALL_REQUIRED.zh).is_some());

    // The grid would hide the isochrones: off until asked for.
    assert!(!is_checked(&h, tx::OV_GRID.zh));
    // Toggling an overlay kind hides all its layers.
    assert!(is_checked(&h, tx::OV_ISOCHRONES.zh));
    h.get_by_label(tx::OV_ISOCHRONES.zh).click();
    h.run_steps(2);
    assert!(!is_checked(&h, tx::OV_ISOCHRONES.zh));
    let app = h.state();
    assert!(
        app.doc
            .layers
            .iter()
            .filter(|l| l.overlay.as_ref().map(|o| o.kind) == Some(OverlayKind::Isochrone))
            .all(|l| !l.visible)
    );
    assert!(
        app.doc
            .layers
            .iter()
            .filter(|l| l.overlay.is_none())
            .all(|l| l.visible)
    );

    // The ten ones, evaluated by the same job: ten items, each shown with its verdict.
    let real = h
        .state()
        .analysis
        .results
        .as_ref()
        .and_then(|r| r.tenones.clone())
        .expect("ten ones");
    assert_eq!(real.rules.len(), 10);
    h.get_by_label(tx::TEN_ONES.zh).click();
    h.run_steps(2);
    for r in &real.rules {
        let row = format!("{}. {}", r.number, r.zh);
        assert!(h.query_all_by_label_contains(&row).count() >= 1, "{row}");
    }
    let failing = real
        .rules
        .iter()
        .position(|r| r.checks.iter().any(|c| !c.failing.is_empty()))
        .expect("the demo town has failing places");
    let row = format!("{}. {}", real.rules[failing].number, real.rules[failing].zh);
    h.get_by_label_contains(&row).click();
    h.run_steps(2);
    assert_eq!(h.state().analysis.selected_rule, Some(failing));
    assert!(
        !h.state().map.highlights.is_empty(),
        "failing places outlined"
    );
    assert!(h.query_by_label(tx::FAILING_PLACES.zh).is_some());
    h.get_by_label(tx::COVERAGE.zh).click();
    h.run_steps(2);

    // The evidence of a hand-made report: measures, places, thresholds with provenance.
    let report = sample_tenones(SamplePlaces::Areas);
    h.state_mut()
        .analysis
        .results
        .as_mut()
        .expect("results")
        .tenones = Some(report);
    h.run_steps(2);
    assert!(
        h.query_by_label_contains("第4项").is_none(),
        "coverage shown first"
    );
    h.get_by_label(tx::TEN_ONES.zh).click();
    h.run_steps(2);
    for n in 1..=10 {
        assert!(
            h.query_all_by_label_contains(&format!("{n}. 第{n}项"))
                .count()
                >= 1,
            "item {n}"
        );
    }
    assert!(
        h.query_all_by_label_contains(towncircle::tenones::result::Verdict::Fail.zh())
            .count()
            >= 3
    );
    let before = h.state().map.view.center;
    h.get_by_label_contains("4. 第4项").click();
    h.run_steps(2);
    let app = h.state();
    assert_eq!(app.analysis.selected_rule, Some(3));
    assert_eq!(app.map.highlights.len(), 1, "its failing place is outlined");
    assert_ne!(app.map.view.center, before, "and the map went there");
    assert!(h.query_by_label("最远步行距离: 462 m").is_some());
    assert!(h.query_by_label("幼儿园服务半径: 300 m [P]").is_some());

    // Another language: the panel follows.
    h.get_by_label("English").click();
    h.run_steps(2);
    assert!(h.query_by_label(tx::COVERAGE.en).is_some());
    assert!(h.query_all_by_label_contains("4. Item 4").count() >= 1);
    assert!(h.query_by_label("Farthest walk: 462 m").is_some());
}

#[test]
fn the_analysis_report_exports_from_the_app_after_a_run() {
    let Some(mut h) = demo_harness() else {
        eprintln!("no demo town in this checkout");
        return;
    };
    let ctx = h.ctx.clone();
    // Before a run there is nothing to export: a warning, no dialog, no files.
    h.state_mut()
        .apply(&ctx, towncircle::app::Command::ExportReportDialog);
    h.run_steps(2);
    assert!(
        h.state()
            .log
            .iter()
            .any(|e| e.level == Level::Warning && e.text == tx::REPORT_NEEDS_ANALYSIS.zh)
    );
    h.get_by_label(tx::RUN.zh).click();
    h.step();
    wait_for_jobs(&mut h);
    assert!(h.state().analysis.results.is_some());
    let out = tempfile::tempdir().expect("tempdir");
    let dir = out.path().join("报告");
    h.state_mut()
        .apply(&ctx, towncircle::app::Command::ExportReport(dir.clone()));
    h.step();
    wait_for_jobs(&mut h);
    let app = h.state();
    let errors: Vec<&str> = app
        .log
        .iter()
        .filter(|e| e.level == Level::Error)
        .map(|e| e.text.as_str())
        .collect();
    assert!(errors.is_empty(), "{errors:?}");
    for f in towncircle::report::OUTPUT_FILES {
        assert!(dir.join(f).is_file(), "{f} written");
    }
    // The report carries the app's analysis: the same ten-ones tally, the town's name, and the
    // synthetic-data flag of the demo.
    let summary: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("summary.json")).expect("summary"))
            .expect("json");
    let tally = app
        .analysis
        .results
        .as_ref()
        .and_then(|r| r.tenones.as_ref())
        .expect("ten ones")
        .tally();
    assert_eq!(summary["tenones_tally"]["fail"], tally[2] as u64);
    assert_eq!(summary["tenones_tally"]["pass"], tally[0] as u64);
    assert_eq!(summary["town"], "清溪镇");
    assert!(
        summary["flags"]
            .as_array()
            .expect("flags")
            .iter()
            .any(|f| f.as_str().is_some_and(|t| t.contains("SYNTHETIC")))
    );
    let html = std::fs::read_to_string(dir.join("report.html")).expect("html");
    assert!(html.contains("十个一") && html.contains("清溪镇"));
    assert!(app.log.iter().any(|e| e.level == Level::Info
        && e.text == Lang::Zh.report_written(&dir.display().to_string(), 4)));
}

#[test]
fn another_shipped_profile_gives_its_own_tiers() {
    let Some(mut h) = demo_harness() else {
        eprintln!("no demo town in this checkout");
        return;
    };
    let ctx = h.ctx.clone();
    h.state_mut().apply(
        &ctx,
        towncircle::app::Command::SetProfile(ProfileChoice::Named("gb50180-2018".into())),
    );
    h.run_steps(2);
    assert!(h.state().analysis.profile.is_ok());
    assert_eq!(
        h.state().analysis.settings.profile_choice,
        ProfileChoice::Named("gb50180-2018".into())
    );
    h.get_by_label(tx::RUN.zh).click();
    h.step();
    wait_for_jobs(&mut h);
    let results = h.state().analysis.results.as_ref().expect("results");
    let minutes: Vec<u32> = results.report.tiers.iter().map(|t| t.minutes).collect();
    assert_eq!(minutes, vec![5, 10, 15], "GB 50180's walking circles");
    assert_eq!(results.runs.len(), 1, "all three tiers on foot");
}

#[test]
fn a_bad_profile_file_is_an_error_and_the_app_goes_on() {
    let (dir, f, r) = town();
    let mut h = harness(vec![f, r], Lang::En);
    let bad = dir.path().join("坏标准.toml");
    std::fs::write(&bad, "format_version = 1\nid = [").expect("write");
    let ctx = h.ctx.clone();
    h.state_mut().apply(
        &ctx,
        towncircle::app::Command::SetProfile(ProfileChoice::File(bad)),
    );
    h.run_steps(2);
    let app = h.state();
    assert!(app.analysis.profile.is_err());
    assert!(
        app.log
            .iter()
            .any(|e| e.level == Level::Error && e.text.contains("坏标准.toml")),
        "{:?}",
        app.log
    );
    assert!(h.query_all_by_label_contains("坏标准.toml").count() >= 1);
    // Back to the shipped profile: Run is possible again.
    h.state_mut().apply(
        &ctx,
        towncircle::app::Command::SetProfile(ProfileChoice::Shipped),
    );
    h.run_steps(2);
    assert!(h.state().analysis.profile.is_ok());
    h.get_by_label(tx::RUN.en).click();
    h.step();
    wait_for_jobs(&mut h);
    assert!(h.state().analysis.results.is_some());
}

#[test]
fn a_truncated_layer_is_marked_in_the_messages_the_layers_panel_and_the_checklist() {
    let Some(demo) = towncircle::app::find_demo_town() else {
        eprintln!("no demo town in this checkout");
        return;
    };
    let dir = tempfile::tempdir().expect("tempdir");
    for e in std::fs::read_dir(&demo).expect("demo") {
        let p = e.expect("entry").path();
        std::fs::copy(&p, dir.path().join(p.file_name().expect("name"))).expect("copy");
    }
    let shp = dir.path().join("行政村.shp");
    let bytes = std::fs::read(&shp).expect("read");
    std::fs::write(&shp, &bytes[..3000]).expect("truncate");
    let mut h = harness(vec![dir.path().to_path_buf()], Lang::Zh);
    h.run_steps(2);
    // The message panel: an error naming the file and the loss.
    let errors: Vec<String> = h
        .state()
        .log
        .iter()
        .filter(|e| e.level == Level::Error)
        .map(|e| e.text.clone())
        .collect();
    assert!(
        errors
            .iter()
            .any(|e| e.contains("行政村.shp") && e.contains("读取 7 个要素")),
        "{errors:?}"
    );
    // The layers panel: a marker on the layer.
    assert!(
        h.query_all_by_label_contains(tx::DATA_INCOMPLETE.zh)
            .count()
            >= 1,
        "a marker beside the truncated layer"
    );
    // The analysis: a warning above the results and beside the items that read the villages.
    h.get_by_label(tx::RUN.zh).click();
    h.step();
    h.step();
    wait_for_jobs(&mut h);
    let results = h.state().analysis.results.as_ref().expect("results");
    assert!(results.data_quality.iter().any(|q| q.loses_features));
    h.run_steps(2);
    assert!(h.query_by_label_contains("数据不完整：1 个图层").is_some());
    h.get_by_label(tx::TEN_ONES.zh).click();
    h.run_steps(2);
    // Layers panel marker + one per affected item (9 of the 10 read villages).
    let layer_and_items = 10;
    assert!(
        h.query_all_by_label_contains(tx::DATA_INCOMPLETE.zh)
            .count()
            >= layer_and_items,
        "markers beside the affected items"
    );
}

/// A population GeoTIFF opens as a raster layer drawn in a colour ramp, with a legend row per
/// class and its cell count (the classes' counts add up to the populated cells).
#[test]
fn a_population_raster_opens_with_a_colour_ramp_and_its_legend() {
    let tif = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/rasters/demo-town-pop-4326.tif");
    let mut h = harness(vec![tif], Lang::Zh);
    h.run_steps(3);
    let app = h.state();
    assert_eq!(app.doc.layers.len(), 1);
    let l = &app.doc.layers[0];
    assert_eq!(l.role(), Some(Role::Population));
    let legend = l.legend(&app.doc.taxonomy).to_vec();
    assert!(legend.len() >= 3, "{legend:?}");
    let fills: std::collections::HashSet<_> = legend.iter().map(|e| e.style.fill).collect();
    assert_eq!(fills.len(), legend.len(), "each class its own colour");
    assert_eq!(
        legend.iter().map(|e| e.count).sum::<usize>(),
        l.layer.features.len()
    );
    assert!(
        app.map.last_stats.chunks_drawn >= 1,
        "{:?}",
        app.map.last_stats
    );
    // The panel shows the classes with their counts.
    let first = &legend[0];
    let label = format!("{}  {}", first.group.expect("a class"), first.count);
    let _ = h.get_by_label(&label);
}

/// An age-band raster (its band from the file name) says its band in the layers panel.
#[test]
fn an_age_band_raster_shows_its_band_in_the_layers_panel() {
    let tif = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/rasters/demo-town-pop60plus-4326.tif");
    let mut h = harness(vec![tif], Lang::Zh);
    h.run_steps(3);
    let app = h.state();
    assert_eq!(app.doc.layers.len(), 1);
    assert_eq!(
        app.doc.layers[0].layer.age_band.map(|b| b.to_string()),
        Some("60+".into())
    );
    let _ = h.get_by_label("年龄段 60岁以上");
}

/// The text field holding `value`.
fn text_field<'a>(h: &'a Harness<'static, TownApp>, value: &'a str) -> egui_kittest::Node<'a> {
    h.query_all_by_value(value)
        .find(|n| n.accesskit_node().role() == egui::accesskit::Role::TextInput)
        .unwrap_or_else(|| panic!("a text field holding {value}"))
}

/// What a node says (a label's text is its value).
fn node_text(n: &egui_kittest::Node<'_>) -> String {
    let a = n.accesskit_node();
    a.label().or_else(|| a.value()).unwrap_or_default()
}

/// Each layer of the map from `file`: its name, role and extent (working CRS).
fn drawing_layers(
    app: &TownApp,
    file: &std::path::Path,
) -> Vec<(String, Option<Role>, geo_types::Rect<f64>)> {
    app.doc
        .layers
        .iter()
        .filter(|l| l.overlay.is_none() && l.layer.source.path == file)
        .filter_map(|l| {
            let ext = towncircle::io::load::extent(&l.layer)?;
            Some((l.layer.name.clone(), l.role(), ext))
        })
        .collect()
}

/// The layers lie where the same drawing made in CGCS2000 lies (within 3 m: arcs are cut in
/// the drawing's own frame), with its roles but the water's, which the planner made greenway.
fn assert_at_the_town(app: &TownApp, file: &std::path::Path) {
    let fixtures = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/dxf");
    let real = towncircle::io::load::load(
        &[fixtures.join("town_r2018.dxf")],
        &towncircle::io::LoadOptions::default(),
    );
    assert_eq!(app.doc.working_crs.as_ref(), Some(&real.working_crs));
    let ours = drawing_layers(app, file);
    let with_extent = real
        .layers
        .iter()
        .filter(|l| towncircle::io::load::extent(l).is_some())
        .count();
    assert_eq!(ours.len(), with_extent, "{ours:?}");
    for (name, role, ext) in &ours {
        let r = real
            .layers
            .iter()
            .find(|l| &l.name == name)
            .unwrap_or_else(|| panic!("{name} is in the real drawing"));
        let want = towncircle::io::load::extent(r).expect("extent");
        for (a, b) in [(ext.min(), want.min()), (ext.max(), want.max())] {
            let d = (a.x - b.x).hypot(a.y - b.y);
            assert!(d < 3.0, "{name}: {d} m from the real drawing");
        }
        let expected = if name == "水系" {
            Some(Role::Greenway)
        } else {
            r.role
        };
        assert_eq!(*role, expected, "{name}");
    }
}

/// A plan on a local site grid (独立坐标系), opened in the app: the CAD dialog lists its layers
/// with their counts; a role is changed; the control points are loaded from a CSV (a bad CSV,
/// a bad cell and a typo'd point are said, and change nothing); OK puts the drawing on the
/// town; the project keeps the roles and the points and brings both back.
#[test]
fn the_cad_dialog_places_a_local_drawing_by_control_points_and_the_project_keeps_them() {
    use egui::accesskit::Role as A11y;
    use towncircle::app::Command;
    let fixtures = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/dxf");
    let dir = tempfile::tempdir().expect("tempdir");
    let dxf = dir.path().join("town_local.dxf");
    std::fs::copy(fixtures.join("town_local.dxf"), &dxf).expect("copy");
    let mut h = harness(Vec::new(), Lang::Zh);
    let ctx = h.ctx.clone();
    h.state_mut()
        .apply(&ctx, Command::OpenFiles(vec![dxf.clone()]));
    wait_for_jobs(&mut h);

    // Coordinates of no known CRS: the file did not load, and the dialog says what it needs.
    assert!(h.state().doc.layers.is_empty());
    assert!(
        h.state()
            .log
            .iter()
            .any(|e| e.level == Level::Error && e.text.contains("town_local.dxf")),
        "{:?}",
        h.state().log
    );
    let read = towncircle::io::read(&dxf, &Default::default()).expect("read");
    {
        let d = h.state().cad.as_ref().expect("the CAD dialog is open");
        assert_eq!(d.rows.len(), read.len());
        for (row, layer) in d.rows.iter().zip(&read) {
            assert_eq!(row.layer, layer.name);
            assert_eq!(row.features, layer.features.len());
        }
    }
    assert!(h.query_all_by_label(tx::CAD_DIALOG.zh).next().is_some());
    h.get_by_label(tx::CAD_NEEDS_POINTS.zh);
    for layer in &read {
        let count = layer.features.len().to_string();
        let combo = h.get_by_role_and_label(A11y::ComboBox, &layer.name);
        // The count stands in the layer's row, left of its role.
        let row_y = combo.rect().center().y;
        assert!(
            h.query_all_by_label(&count)
                .any(|n| (n.rect().center().y - row_y).abs() < 4.0),
            "{}: {count}",
            layer.name
        );
    }

    // The water is made a greenway.
    h.get_by_role_and_label(A11y::ComboBox, "水系").click();
    h.run_steps(2);
    h.get_by_label(Lang::Zh.role(Role::Greenway)).click();
    h.run_steps(2);
    let water = |h: &Harness<'static, TownApp>| {
        h.state()
            .cad
            .as_ref()
            .and_then(|d| d.rows.iter().find(|r| r.layer == "水系").map(|r| r.role))
    };
    assert_eq!(water(&h), Some(Some(Role::Greenway)));

    // A CSV that does not parse names the file and the line; the table stays empty.
    let bad = dir.path().join("坏控制点.csv");
    std::fs::write(&bad, "本地X,本地Y,目标X,目标Y\n0,0,1,oops\n").expect("write");
    h.state_mut().apply(&ctx, Command::CadLoadCsv(bad));
    h.run_steps(2);
    let said = h.get_by_label_contains(tx::CAD_CSV_FAILED.zh);
    let said = node_text(&said);
    assert!(
        said.contains("坏控制点.csv") && said.contains("line 2"),
        "{said}"
    );
    assert!(h.state().cad.as_ref().is_some_and(|d| d.points.is_empty()));

    // The points of the CLI's CSV (as the file dialog hands it over): five rows, a fit of
    // scale 1.0003, rotation 2.5°.
    h.state_mut().apply(
        &ctx,
        Command::CadLoadCsv(fixtures.join("control_points.csv")),
    );
    h.run_steps(2);
    assert_eq!(h.state().cad.as_ref().map(|d| d.points.len()), Some(5));
    h.get_by_label_contains("比例 1.000300");
    h.get_by_label_contains("旋转 2.5000°");
    assert!(h.query_by_label_contains("很可能输入有误").is_none());

    // A typo in point 3's northing (40 m) is flagged with the point's number.
    text_field(&h, "3300638.8128").set_text_value_accesskit("3300678.8128");
    h.run_steps(2);
    let flag = h.get_by_label_contains("很可能输入有误");
    assert!(
        node_text(&flag).contains("第 3 个控制点"),
        "{}",
        node_text(&flag)
    );
    assert!(h.query_all_by_label_contains("⚠").count() >= 1);
    // A cell that is no number: said with its row and column; OK changes nothing.
    text_field(&h, "3300678.8128").set_text_value_accesskit("33006x8");
    h.run_steps(2);
    h.get_by_label("控制点第 3 行：目标Y「33006x8」不是数字");
    h.get_by_role_and_label(A11y::Button, tx::OK.zh).click();
    wait_for_jobs(&mut h);
    assert!(h.state().cad.is_some(), "the dialog stays");
    assert!(h.state().doc.layers.is_empty());
    // A row added and left blank does not count; the right value back, no flag.
    h.get_by_label(tx::CAD_ADD_POINT.zh).click();
    h.run_steps(2);
    text_field(&h, "33006x8").set_text_value_accesskit("3300638.8128");
    h.run_steps(2);
    assert_eq!(h.state().cad.as_ref().map(|d| d.points.len()), Some(6));
    assert!(h.query_by_label_contains("很可能输入有误").is_none());
    h.get_by_label_contains("5 个控制点");

    h.get_by_role_and_label(A11y::Button, tx::OK.zh).click();
    wait_for_jobs(&mut h);
    assert!(
        h.state().cad.is_none(),
        "{:?}",
        h.state().cad.as_ref().map(|d| &d.message)
    );
    assert_at_the_town(h.state(), &dxf);

    // Saved: the roles per CAD layer and the points in the project file itself.
    let project = dir.path().join("规划.towncircle");
    h.state_mut()
        .apply(&ctx, Command::SaveProjectTo(project.clone()));
    let saved = towncircle::project::Project::read(&project).expect("saved");
    let input = &saved.inputs[0];
    assert_eq!(input.path, "town_local.dxf");
    assert_eq!(
        input.layer_roles.get("水系").map(String::as_str),
        Some("greenway")
    );
    let want = towncircle::crs::parse_control_points(
        &std::fs::read_to_string(fixtures.join("control_points.csv")).expect("csv"),
    )
    .expect("points");
    assert_eq!(
        input.control_points,
        Some(towncircle::project::ControlPoints::inline(&want))
    );

    // Opened in a new window: the drawing at the town with the roles, and the dialog shows
    // the five points.
    let mut h = harness(Vec::new(), Lang::Zh);
    let ctx = h.ctx.clone();
    h.state_mut().apply(&ctx, Command::OpenProject(project));
    wait_for_jobs(&mut h);
    assert_at_the_town(h.state(), &dxf);
    assert!(h.state().cad.is_none(), "a project opens no dialog");
    h.state_mut().apply(&ctx, Command::CadDialog(dxf.clone()));
    wait_for_jobs(&mut h);
    let d = h.state().cad.as_ref().expect("dialog");
    assert_eq!(
        towncircle::app::cad_dialog::parse_point_rows(&d.points).expect("numbers"),
        want
    );
    assert!(!d.coords_changed());
    assert_eq!(water(&h), Some(Some(Role::Greenway)));
    // Cancel leaves everything as it is.
    h.get_by_role_and_label(A11y::Button, tx::CANCEL.zh).click();
    wait_for_jobs(&mut h);
    assert!(h.state().cad.is_none());
    assert_at_the_town(h.state(), &dxf);
}

/// A drawing already on the map: its layers' CAD button opens the dialog with the roles the
/// map has; a role changed there is set as the layers panel sets it (no reload: the same
/// layers). Cancel on opening left the guessed roles.
#[test]
fn the_cad_dialog_of_a_loaded_drawing_sets_its_roles() {
    use egui::accesskit::Role as A11y;
    let fixtures = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/dxf");
    let dxf = fixtures.join("town_r2018.dxf");
    let mut h = harness(vec![dxf.clone()], Lang::Zh);
    assert!(
        h.state().cad.is_some(),
        "opening a drawing shows the dialog"
    );
    h.get_by_role_and_label(A11y::Button, tx::CANCEL.zh).click();
    wait_for_jobs(&mut h);
    assert!(h.state().cad.is_none());
    let before = drawing_layers(h.state(), &dxf);
    let real = towncircle::io::load::load(
        std::slice::from_ref(&dxf),
        &towncircle::io::LoadOptions::default(),
    );
    for (name, role, _) in &before {
        let r = real.layers.iter().find(|l| &l.name == name).expect("layer");
        assert_eq!(*role, r.role, "{name}: the guessed role");
    }
    assert!(before.iter().all(|(_, r, _)| *r != Some(Role::Greenway)));
    let ids: Vec<_> = h.state().doc.layers.iter().map(|l| l.id).collect();

    h.query_all_by_label(tx::CAD_OPEN.zh)
        .next()
        .expect("a CAD button")
        .click();
    wait_for_jobs(&mut h);
    {
        let d = h.state().cad.as_ref().expect("dialog");
        for r in &d.rows {
            let on_map = before.iter().find(|(n, _, _)| *n == r.layer).map(|x| x.1);
            assert_eq!(Some(r.role), on_map, "{}", r.layer);
        }
    }
    // A CRS that is none is said in the dialog; nothing changes.
    h.get_by_role_and_label(A11y::TextInput, tx::CAD_CRS.zh)
        .set_text_value_accesskit("EPSG:abc");
    h.run_steps(2);
    h.get_by_role_and_label(A11y::Button, tx::OK.zh).click();
    wait_for_jobs(&mut h);
    assert!(
        h.query_by_label_contains("无法识别坐标系「EPSG:abc」")
            .is_some(),
        "{:?}",
        h.state().cad.as_ref().map(|d| &d.message)
    );
    assert_eq!(drawing_layers(h.state(), &dxf), before);
    h.get_by_role_and_label(A11y::TextInput, tx::CAD_CRS.zh)
        .set_text_value_accesskit("");
    h.run_steps(2);
    h.get_by_role_and_label(A11y::ComboBox, "用地红线").click();
    h.run_steps(2);
    h.get_by_label(Lang::Zh.role(Role::Greenway)).click();
    h.run_steps(2);
    h.get_by_role_and_label(A11y::Button, tx::OK.zh).click();
    wait_for_jobs(&mut h);
    assert!(h.state().cad.is_none());
    let after = drawing_layers(h.state(), &dxf);
    assert_eq!(after.len(), before.len());
    for (name, role, ext) in &after {
        let (_, was, ext_was) = before
            .iter()
            .find(|(n, _, _)| n == name)
            .expect("the same layer");
        let want = if name == "用地红线" {
            Some(Role::Greenway)
        } else {
            *was
        };
        assert_eq!(*role, want, "{name}");
        assert_eq!(ext, ext_was);
    }
    let mut same: Vec<_> = h.state().doc.layers.iter().map(|l| l.id).collect();
    let mut was = ids;
    same.sort_by_key(|i| i.0);
    was.sort_by_key(|i| i.0);
    assert_eq!(same, was, "the same layers, not reloaded");
}
