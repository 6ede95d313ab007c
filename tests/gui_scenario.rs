//! Scenario editing in the app, driven like a person would (egui_kittest, headless): run the
//! analysis on the demo town, start a scenario, add a kindergarten with a click where residents
//! have none within 15 minutes, see the coverage rise, undo and redo with the keyboard, drag the
//! new facility, and go back to the base.
#![cfg(feature = "gui")]

use std::time::{Duration, Instant};

use egui_kittest::Harness;
use egui_kittest::kittest::{NodeT, Queryable};
use towncircle::access::live::FacilityKey;
use towncircle::app::analysis::OverlayKind;
use towncircle::app::i18n::{Lang, tx};
use towncircle::app::state::Persisted;
use towncircle::app::{Level, StartOptions, TownApp, fonts};

fn demo_harness() -> Option<Harness<'static, TownApp>> {
    let demo = towncircle::app::find_demo_town()?;
    let mut h = Harness::builder()
        .with_size([1400.0, 900.0])
        .build_eframe(move |cc| {
            fonts::install_bundled(&cc.egui_ctx);
            TownApp::with_settings(
                &cc.egui_ctx,
                Persisted {
                    lang: Lang::Zh,
                    ..Persisted::default()
                },
                StartOptions {
                    files: vec![demo],
                    export_png: None,
                    no_demo: true,
                },
            )
        });
    settle(&mut h);
    Some(h)
}

/// Step frames until loading, the analysis and the scenario job are done.
fn settle(h: &mut Harness<'static, TownApp>) {
    // Let the frame take the last input in (a click starts its job at the end of the frame).
    h.run_steps(2);
    let start = Instant::now();
    while h.state().is_busy() || h.state().scenarios.job.is_some() {
        assert!(
            start.elapsed() < Duration::from_secs(90),
            "jobs took too long"
        );
        h.step();
        std::thread::sleep(Duration::from_millis(5));
    }
    h.run_steps(3);
}

/// People covered within `minutes` by `category` (whole town), as the panel shows them now.
fn covered(h: &Harness<'static, TownApp>, category: &str, minutes: u32) -> f64 {
    let r = h.state().analysis.results.as_ref().expect("results");
    r.report
        .categories
        .iter()
        .find(|c| c.id == category)
        .and_then(|c| c.tiers.iter().find(|t| t.minutes == minutes))
        .map_or(0.0, |t| t.town.covered_weight)
}

/// Every category × tier and all-required coverage, for exact comparisons.
fn all_figures(h: &Harness<'static, TownApp>) -> Vec<(String, u32, f64)> {
    let r = &h.state().analysis.results.as_ref().expect("results").report;
    let mut v: Vec<(String, u32, f64)> = r
        .categories
        .iter()
        .flat_map(|c| {
            c.tiers
                .iter()
                .map(|t| (c.id.clone(), t.minutes, t.town.covered_weight))
        })
        .collect();
    v.extend(
        r.all_required
            .iter()
            .map(|a| ("*".to_string(), a.minutes, a.coverage.town.covered_weight)),
    );
    v
}

fn click(h: &Harness<'static, TownApp>, pos: egui::Pos2) {
    h.hover_at(pos);
    for pressed in [true, false] {
        h.event(egui::Event::PointerButton {
            pos,
            button: egui::PointerButton::Primary,
            pressed,
            modifiers: egui::Modifiers::NONE,
        });
    }
}

fn key(h: &Harness<'static, TownApp>, key: egui::Key) {
    h.event(egui::Event::Key {
        key,
        physical_key: None,
        pressed: true,
        repeat: false,
        modifiers: egui::Modifiers::COMMAND,
    });
}

#[test]
fn a_kindergarten_added_by_a_click_raises_coverage_and_undo_restores_the_base_exactly() {
    let Some(mut h) = demo_harness() else {
        eprintln!("no demo town in this checkout");
        return;
    };
    h.get_by_label(tx::RUN.zh).click();
    settle(&mut h);
    let base_kg = covered(&h, "kindergarten", 15);
    let base = all_figures(&h);
    // Where to add: the most populous place without a kindergarten within 15 minutes.
    let target = {
        let r = h.state().analysis.results.as_ref().expect("results");
        let run = r
            .runs
            .iter()
            .find(|r| r.analysis.tiers.iter().any(|t| t.minutes == 15))
            .expect("15-minute run");
        let kg = run.analysis.taxonomy.by_id("kindergarten").expect("kg");
        let times = run
            .result
            .categories
            .iter()
            .find(|c| c.category == kg)
            .expect("kindergarten times");
        let snapped = |i: usize| {
            run.analysis
                .demand_snaps
                .get(i)
                .is_some_and(|s| s.is_some())
        };
        let (i, _) = run
            .analysis
            .demand
            .points
            .iter()
            .enumerate()
            .filter(|(i, _)| times.demand_time_s[*i] > 900.0 && snapped(*i))
            .max_by(|a, b| a.1.weight.total_cmp(&b.1.weight))
            .expect("someone without a kindergarten within 15 minutes");
        run.analysis.demand.points[i].xy
    };

    h.get_by_label(tx::SCENARIO_NEW.zh).click();
    settle(&mut h);
    assert_eq!(h.state().scenarios.active, Some(0));
    h.state_mut().scenarios.category = "kindergarten".into();
    h.get_by_label(tx::TOOL_ADD.zh).click();
    h.run_steps(2);
    let pos = {
        let app = h.state();
        let rect = app.map.rect.expect("map drawn");
        let p = app
            .map
            .view
            .to_screen(rect, geo_types::coord! {x: target[0], y: target[1]});
        assert!(rect.contains(p), "the place is on the map");
        p
    };
    click(&h, pos);
    h.run_steps(2);
    settle(&mut h);
    let after_kg = covered(&h, "kindergarten", 15);
    assert!(
        after_kg > base_kg,
        "15-minute kindergarten coverage rises: {base_kg} -> {after_kg}"
    );
    let app = h.state();
    let errors: Vec<&str> = app
        .log
        .iter()
        .filter(|e| e.level == Level::Error)
        .map(|e| e.text.as_str())
        .collect();
    assert!(errors.is_empty(), "{errors:?}");
    assert_eq!(app.scenarios.current().expect("scenario").changes.len(), 1);
    assert!(
        app.doc.layers.iter().any(|l| l
            .overlay
            .as_ref()
            .is_some_and(|o| o.kind == OverlayKind::Scenario)
            && l.layer.name.contains("新增")
            && l.layer.features.len() == 1),
        "the added facility is marked on the map"
    );
    assert!(
        app.doc.layers.iter().any(|l| l
            .overlay
            .as_ref()
            .is_some_and(|o| o.kind == OverlayKind::Difference)),
        "the coverage-change overlay is there"
    );
    assert!(
        app.analysis
            .results
            .as_ref()
            .is_some_and(|r| r.tenones.is_some())
    );
    let edited = all_figures(&h);

    // Undo (Ctrl+Z): the base figures, exactly; redo (Ctrl+Y): the edit again.
    key(&h, egui::Key::Z);
    h.run_steps(2);
    settle(&mut h);
    assert_eq!(all_figures(&h), base);
    key(&h, egui::Key::Y);
    h.run_steps(2);
    settle(&mut h);
    assert_eq!(all_figures(&h), edited);

    // Drag the new kindergarten far into the fields: coverage falls back towards the base.
    h.get_by_label(tx::TOOL_MOVE.zh).click();
    h.run_steps(2);
    let to = {
        let app = h.state();
        let rect = app.map.rect.expect("rect");
        rect.left_top() + egui::vec2(30.0, 60.0)
    };
    h.hover_at(pos);
    h.event(egui::Event::PointerButton {
        pos,
        button: egui::PointerButton::Primary,
        pressed: true,
        modifiers: egui::Modifiers::NONE,
    });
    h.run_steps(1);
    for k in 1..=10 {
        h.hover_at(pos + (to - pos) * (k as f32 / 10.0));
        h.run_steps(1);
    }
    h.event(egui::Event::PointerButton {
        pos: to,
        button: egui::PointerButton::Primary,
        pressed: false,
        modifiers: egui::Modifiers::NONE,
    });
    h.run_steps(2);
    settle(&mut h);
    let doc = h.state().scenarios.current().expect("scenario");
    assert_eq!(doc.changes.len(), 2, "{:?}", doc.changes);
    let moved = h
        .state()
        .scenarios
        .live()
        .and_then(|l| l.facility(FacilityKey::Added(0)))
        .expect("the added facility")
        .xy;
    assert!(
        (moved[0] - target[0]).hypot(moved[1] - target[1]) > 100.0,
        "it moved"
    );
    assert!(covered(&h, "kindergarten", 15) < after_kg);

    // Back to the base: its figures, and no scenario marks on the map.
    let base_button = h
        .query_all_by_label(tx::SCENARIO_BASE.zh)
        .find(|n| n.accesskit_node().role() == egui::accesskit::Role::Button)
        .expect("the base button");
    base_button.click();
    settle(&mut h);
    assert_eq!(all_figures(&h), base);
    assert!(!h.state().doc.layers.iter().any(|l| {
        l.overlay
            .as_ref()
            .is_some_and(|o| o.kind == OverlayKind::Scenario)
    }));
}
