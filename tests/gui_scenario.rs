//! Scenario editing in the app, driven like a person would (egui_kittest, headless): run the
//! analysis on the demo town, start a scenario, add a kindergarten with a click where residents
//! have none within 15 minutes, see the coverage rise, undo and redo with the keyboard, drag the
//! new facility, and go back to the base.
#![cfg(feature = "gui")]

use std::path::Path;
use std::time::{Duration, Instant};

use egui_kittest::Harness;
use egui_kittest::kittest::{NodeT, Queryable};
use towncircle::access::live::FacilityKey;
use towncircle::app::analysis::OverlayKind;
use towncircle::app::i18n::{Lang, tx};
use towncircle::app::state::Persisted;
use towncircle::app::{Command, Level, StartOptions, TownApp, fonts};
use towncircle::model::Role;

fn demo_harness() -> Option<Harness<'static, TownApp>> {
    let demo = towncircle::app::find_demo_town()?;
    Some(harness(vec![demo], None))
}

/// The app opening `files` (none: an empty window), autosaving into `recovery_dir`.
fn harness(
    files: Vec<std::path::PathBuf>,
    recovery_dir: Option<std::path::PathBuf>,
) -> Harness<'static, TownApp> {
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
                    files: files.clone(),
                    export_png: None,
                    no_demo: true,
                    recovery_dir: recovery_dir.clone(),
                },
            )
        });
    settle(&mut h);
    h
}

/// Step frames until loading, the analysis and the scenario job are done.
fn settle(h: &mut Harness<'static, TownApp>) {
    // Let the frame take the last input in (a click starts its job at the end of the frame).
    h.run_steps(2);
    let start = Instant::now();
    while h.state().is_busy()
        || h.state().scenarios.job.is_some()
        || h.state().scenarios.suggest.job.is_some()
        || h.state().project.pending.is_some()
    {
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

/// The most populous place without a kindergarten within 15 minutes (working CRS).
fn kindergarten_gap(h: &Harness<'static, TownApp>) -> [f64; 2] {
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
}

/// Start a scenario and add a kindergarten with a click at `target`; returns where it clicked.
fn add_kindergarten_by_click(h: &mut Harness<'static, TownApp>, target: [f64; 2]) -> egui::Pos2 {
    h.get_by_label(tx::SCENARIO_NEW.zh).click();
    settle(h);
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
    click(h, pos);
    h.run_steps(2);
    settle(h);
    pos
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
    let target = kindergarten_gap(&h);
    let pos = add_kindergarten_by_click(&mut h, target);
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

/// Apply a command as the app would after drawing (saving and opening go through dialogs,
/// which a headless test cannot click).
fn command(h: &mut Harness<'static, TownApp>, cmd: Command) {
    let ctx = h.ctx.clone();
    h.state_mut().apply(&ctx, cmd);
    h.run_steps(2);
    settle(h);
}

/// Save the session with a scenario, open it in a new window: the same files, the scenario
/// with its edit, and the same figures. Then: an input moved away is asked for and found;
/// unsaved work is autosaved and offered for restoring in the next window.
#[test]
fn a_saved_project_reopens_with_its_scenario_and_unsaved_work_is_recovered() {
    let Some(demo) = towncircle::app::find_demo_town() else {
        eprintln!("no demo town in this checkout");
        return;
    };
    let tmp = tempfile::tempdir().unwrap();
    let town = tmp.path().join("清溪");
    std::fs::create_dir_all(&town).unwrap();
    for e in std::fs::read_dir(&demo).unwrap() {
        let e = e.unwrap();
        std::fs::copy(e.path(), town.join(e.file_name())).unwrap();
    }
    let mut h = harness(vec![town.clone()], None);
    h.get_by_label(tx::RUN.zh).click();
    settle(&mut h);
    let target = kindergarten_gap(&h);
    add_kindergarten_by_click(&mut h, target);
    let edited = all_figures(&h);
    let project = town.join("清溪方案.towncircle");
    command(&mut h, Command::SaveProjectTo(project.clone()));
    let text = std::fs::read_to_string(&project).expect("the project file");
    assert!(text.contains("op = \"add\""), "{text}");
    assert!(text.contains("category = \"kindergarten\""), "{text}");
    assert!(
        text.contains("path = \"道路.shp\""),
        "relative paths: {text}"
    );
    assert!(!h.state().project_changed(), "just saved");
    drop(h);

    // A new window opens the project: the files, the analysis, the scenario shown, the figures.
    let rec = tmp.path().join("recovery");
    let mut h = harness(Vec::new(), Some(rec.clone()));
    assert!(h.state().project.offer.is_none(), "nothing to recover yet");
    command(&mut h, Command::OpenProject(project.clone()));
    let app = h.state();
    assert_eq!(app.scenarios.scenarios.len(), 1);
    assert_eq!(app.scenarios.active, Some(0));
    assert_eq!(app.scenarios.current().unwrap().changes.len(), 1);
    assert_eq!(app.project.file.as_deref(), Some(project.as_path()));
    assert_eq!(all_figures(&h), edited);
    assert!(!h.state().project_changed());

    // Undo the edit and let the autosave run (as every minute): the copy is written.
    key(&h, egui::Key::Z);
    h.run_steps(2);
    settle(&mut h);
    assert!(h.state().project_changed());
    let ctx = h.ctx.clone();
    h.state_mut().autosave(&ctx);
    let copy = towncircle::project::recovery::recovery_path(&rec);
    assert!(copy.is_file());
    drop(h);

    // The next window offers it; restoring brings the undone state back under the project.
    let mut h = harness(Vec::new(), Some(rec.clone()));
    assert!(h.state().project.offer.is_some());
    h.get_by_label(tx::RESTORE.zh).click();
    h.run_steps(2);
    settle(&mut h);
    let app = h.state();
    assert_eq!(app.scenarios.scenarios.len(), 1);
    assert_eq!(app.scenarios.current().unwrap().changes.len(), 0);
    assert_eq!(app.project.file.as_deref(), Some(project.as_path()));
    assert!(app.project_changed(), "restored work is not saved yet");
    drop(h);

    // A moved input is asked for, not dropped: found again, the project opens whole.
    let moved = tmp.path().join("别处");
    std::fs::create_dir_all(&moved).unwrap();
    for ext in ["shp", "shx", "dbf", "prj", "cpg"] {
        let from = town.join(format!("道路.{ext}"));
        if from.exists() {
            std::fs::rename(&from, moved.join(format!("道路.{ext}"))).unwrap();
        }
    }
    let mut h = harness(Vec::new(), None);
    command(&mut h, Command::OpenProject(project.clone()));
    let missing = h.state().project.missing.as_ref().expect("asked for");
    assert_eq!(missing.missing.len(), 1);
    let index = missing.missing[0].index;
    assert!(h.state().doc.layers.is_empty(), "nothing opened yet");
    h.get_by_label(tx::PROJECT_MISSING_TITLE.zh);
    command(&mut h, Command::LocateInput(index, moved.join("道路.shp")));
    assert!(
        h.state()
            .project
            .missing
            .as_ref()
            .unwrap()
            .missing
            .is_empty()
    );
    command(&mut h, Command::OpenWithoutMissing);
    assert_eq!(all_figures(&h), edited);
    assert_eq!(h.state().scenarios.scenarios.len(), 1);
}

/// A project the app did not write (a drawing on a local grid with its control points, a CRS
/// and an encoding for one file, a key of a newer version) opened and saved elsewhere: the
/// drawing lies in the town, and the new file keeps every setting, its paths written from the new
/// place.
#[test]
fn saving_an_opened_project_keeps_what_the_app_does_not_edit() {
    let fixtures = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/dxf");
    let tmp = tempfile::tempdir().unwrap();
    let plans = tmp.path().join("规划");
    std::fs::create_dir_all(&plans).unwrap();
    for f in ["town_local.dxf", "control_points.csv"] {
        std::fs::copy(fixtures.join(f), plans.join(f)).unwrap();
    }
    let project = tmp.path().join("镇.towncircle");
    std::fs::write(
        &project,
        "format = \"towncircle-project\"\nversion = 1\n\n[[inputs]]\npath = \"规划/town_local.dxf\"\ncrs = \"EPSG:4528\"\nencoding = \"GBK\"\ncontrol_points = \"规划/control_points.csv\"\nsurveyor = \"王工\"\n",
    )
    .unwrap();
    let mut h = harness(Vec::new(), None);
    command(&mut h, Command::OpenProject(project.clone()));
    let app = h.state();
    assert!(
        !app.doc.layers.is_empty(),
        "the drawing opened: {:?}",
        app.log
    );
    let roads = app
        .doc
        .layers
        .iter()
        .find(|l| l.layer.name == "道路中心线")
        .expect("roads");
    // Moved by the control points into zone 40, worked in CM 120E: x near 500,000 m.
    let x = roads.prepared.extent.expect("extent").min().x;
    assert!((x - 500_000.0).abs() < 1_000.0, "{x}");
    assert!(
        roads
            .quality
            .iter()
            .any(|q| format!("{q:?}").contains("control points")),
        "{:?}",
        roads.quality
    );
    // The planner gives the parcels another role (the CAD rules make them parcels) and takes the
    // water away: each layer's role is saved and comes back.
    let id_of = |h: &Harness<'_, TownApp>, name: &str| {
        h.state()
            .doc
            .layers
            .iter()
            .find(|l| l.layer.name == name)
            .map(|l| l.id)
            .expect(name)
    };
    let (parcels, water) = (id_of(&h, "用地红线"), id_of(&h, "水系"));
    command(&mut h, Command::SetRole(parcels, Some(Role::BuiltUpArea)));
    command(&mut h, Command::SetRole(water, None));
    let elsewhere = tmp.path().join("另存");
    std::fs::create_dir_all(&elsewhere).unwrap();
    let saved = elsewhere.join("镇2.towncircle");
    command(&mut h, Command::SaveProjectTo(saved.clone()));
    let text = std::fs::read_to_string(&saved).expect("saved");
    assert!(text.contains("crs = \"EPSG:4528\""), "{text}");
    assert!(text.contains("encoding = \"GBK\""), "{text}");
    assert!(
        text.contains("control_points = \"../规划/control_points.csv\"")
            || text.contains(&format!(
                "control_points = \"{}\"",
                plans.join("control_points.csv").display()
            )),
        "{text}"
    );
    assert!(text.contains("surveyor = \"王工\""), "{text}");
    assert!(text.contains("\"用地红线\" = \"built_up_area\""), "{text}");
    assert!(text.contains("\"水系\" = \"none\""), "{text}");
    assert!(text.contains("\"道路中心线\" = \"roads\""), "{text}");
    drop(h);
    let mut h = harness(Vec::new(), None);
    command(&mut h, Command::OpenProject(saved.clone()));
    let role = |name: &str| {
        h.state()
            .doc
            .layers
            .iter()
            .find(|l| l.layer.name == name)
            .map(|l| l.layer.role)
            .expect(name)
    };
    assert_eq!(role("用地红线"), Some(Role::BuiltUpArea));
    assert_eq!(role("水系"), None);
    assert_eq!(role("道路中心线"), Some(Role::Roads));
}

/// Suggest two kindergarten sites in a scenario, see them numbered on the map, accept the first:
/// the 5-minute coverage rises by exactly the people it was said to add.
#[test]
fn two_suggested_sites_and_the_first_accepted() {
    let Some(mut h) = demo_harness() else {
        eprintln!("no demo town in this checkout");
        return;
    };
    h.get_by_label(tx::RUN.zh).click();
    settle(&mut h);
    h.get_by_label(tx::SCENARIO_NEW.zh).click();
    settle(&mut h);
    h.state_mut().scenarios.category = "kindergarten".into();
    h.state_mut().analysis.settings.overlay_minutes = 5;
    h.run_steps(2);
    let before = covered(&h, "kindergarten", 5);
    h.query_all_by_label(tx::SUGGEST.zh)
        .find(|n| n.accesskit_node().role() == egui::accesskit::Role::Button)
        .expect("the suggest button")
        .click();
    h.run_steps(2);
    settle(&mut h);
    let s = h
        .state()
        .scenarios
        .suggest
        .result
        .as_ref()
        .expect("a suggestion");
    assert_eq!(s.sites.len(), 2, "{:?}", s.warnings);
    assert_eq!(s.before.town.covered_weight, before);
    let first = s.sites[0].added_weight;
    assert!(first > 0.0);
    let markers = |h: &Harness<'static, TownApp>| {
        h.state()
            .doc
            .layers
            .iter()
            .filter(|l| {
                l.overlay
                    .as_ref()
                    .is_some_and(|o| o.kind == OverlayKind::Suggested)
            })
            .map(|l| l.layer.features.len())
            .sum::<usize>()
    };
    assert_eq!(markers(&h), 2, "two numbered markers");

    h.get_by_label(&format!("{} 1", tx::ACCEPT.zh)).click();
    h.run_steps(2);
    settle(&mut h);
    let after = covered(&h, "kindergarten", 5);
    assert!(
        (after - (before + first)).abs() < 0.5,
        "{before} + {first} != {after}"
    );
    assert_eq!(h.state().scenarios.current().unwrap().changes.len(), 1);
    assert_eq!(
        markers(&h),
        1,
        "the accepted site is now a facility, not a suggestion"
    );

    // A kindergarten with places: a capacity that is not a number is refused and said; 120 is
    // taken.
    let at = kindergarten_gap(&h);
    h.state_mut().scenarios.tool = Some(towncircle::app::map::EditTool::Add);
    h.state_mut().scenarios.capacity = "一百".into();
    command(&mut h, Command::ScenarioAdd(at));
    assert_eq!(h.state().scenarios.current().unwrap().changes.len(), 1);
    let error = h.state().scenarios.error.clone().unwrap_or_default();
    assert!(error.contains(tx::CAPACITY_INVALID.zh), "{error}");
    h.state_mut().scenarios.capacity = "120".into();
    command(&mut h, Command::ScenarioAdd(at));
    assert_eq!(h.state().scenarios.current().unwrap().changes.len(), 2);

    // The report exported now is the scenario's: its facility list has the two kindergartens
    // more than the base analysis, and its 2SFCA the one with 120 places.
    let base_kindergartens = {
        let base = h.state().scenarios.base.as_ref().expect("base");
        let a = &base.runs[0].analysis;
        let k = a.taxonomy.by_id("kindergarten").expect("k");
        a.facilities.iter().filter(|f| f.category == k).count()
    };
    let out = tempfile::tempdir().expect("tempdir");
    let dir = out.path().join("方案报告");
    command(&mut h, Command::ExportReport(dir.clone()));
    let summary: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("summary.json")).expect("summary"))
            .expect("json");
    assert_eq!(
        summary["scenario"]["edits"].as_array().map(Vec::len),
        Some(2)
    );
    let mut wb: calamine::Xlsx<_> =
        calamine::open_workbook(dir.join("results.xlsx")).expect("xlsx");
    use calamine::{DataType, Reader};
    let sheet = wb.worksheet_range("设施").expect("设施");
    let kindergartens = sheet
        .rows()
        .filter(|r| r.get(2).and_then(|c| c.get_string()) == Some("kindergarten"))
        .count();
    assert_eq!(kindergartens, base_kindergartens + 2);
    let fca = summary["accessibility_2sfca"].as_array().expect("2sfca");
    let k: Vec<&serde_json::Value> = fca
        .iter()
        .filter(|c| c["category"] == "kindergarten")
        .collect();
    assert!(!k.is_empty(), "{fca:?}");
    for c in k {
        let f = c["facilities"].as_array().expect("facilities");
        assert_eq!(f.len(), 1, "only the added one has a capacity");
        assert_eq!(f[0]["capacity"], 120.0);
        assert_eq!(f[0]["name"], "新增幼儿园");
    }
}
