//! 文件 → 批量分析 in the app, driven like a person would (egui_kittest, headless): open the
//! batch window from the File menu, give a city folder of two demo towns and a broken one,
//! start, and see the city table written with the broken town's reason; then start again and
//! cancel: the child batch stops and the app says so.
#![cfg(feature = "gui")]

use std::path::{Path, PathBuf};
use std::process::Command as Process;
use std::time::{Duration, Instant};

use egui_kittest::Harness;
use egui_kittest::kittest::Queryable;
use towncircle::app::batch_work::EXE_VAR;
use towncircle::app::i18n::{Lang, tx};
use towncircle::app::state::Persisted;
use towncircle::app::{Level, StartOptions, TownApp, fonts};

fn harness() -> Harness<'static, TownApp> {
    // The app runs `towncircle batch` as a child: this build's binary.
    // SAFETY: set before any thread of this test reads the environment.
    unsafe { std::env::set_var(EXE_VAR, env!("CARGO_BIN_EXE_towncircle")) };
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
                    files: Vec::new(),
                    export_png: None,
                    no_demo: true,
                    recovery_dir: None,
                },
            )
        });
    h.run_steps(3);
    h
}

fn make_city(root: &Path) -> PathBuf {
    let city = root.join("city");
    for (name, seed) in [("甲镇", "1"), ("乙镇", "2")] {
        let dir = city.join(name);
        let out = Process::new(env!("CARGO_BIN_EXE_towncircle"))
            .args(["demo-town", dir.to_str().expect("utf-8"), "--seed", seed])
            .output()
            .expect("demo-town");
        assert!(out.status.success(), "{out:?}");
    }
    let bad = city.join("坏镇");
    std::fs::create_dir_all(&bad).expect("dir");
    std::fs::write(bad.join("道路.shp"), b"not a shapefile at all").expect("write");
    city
}

fn click(h: &mut Harness<'static, TownApp>, label: &str) {
    h.get_by_label(label).click();
    h.run_steps(2);
}

/// Step until the batch job ends (at most `limit`).
fn wait(h: &mut Harness<'static, TownApp>, limit: Duration) {
    let start = Instant::now();
    while h.state().batch.job.is_some() {
        assert!(start.elapsed() < limit, "the batch took too long");
        h.step();
        std::thread::sleep(Duration::from_millis(20));
    }
    h.run_steps(2);
}

#[test]
fn the_city_batch_runs_from_the_file_menu_and_can_be_cancelled() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let city = make_city(tmp.path());
    let mut h = harness();

    click(&mut h, Lang::Zh.t(tx::FILE));
    click(&mut h, Lang::Zh.t(tx::BATCH_MENU));
    assert!(h.state().batch.open, "the window opened");
    h.state_mut().batch.city = city.display().to_string();
    h.run_steps(2);
    click(&mut h, Lang::Zh.t(tx::BATCH_START));
    assert!(h.state().batch.job.is_some(), "started");
    wait(&mut h, Duration::from_secs(600));

    let Some(Ok(done)) = h.state().batch.last.clone() else {
        panic!("the batch ran: {:?}", h.state().batch.last)
    };
    let out = done.out.clone();
    assert_eq!(
        out,
        city.with_file_name("city-批量分析"),
        "the default output folder"
    );
    assert!(
        h.state().batch.out.is_empty(),
        "the default is not written back"
    );
    assert_eq!(done.towns, 3);
    assert_eq!(done.failed.len(), 1, "{:?}", done.failed);
    assert_eq!(done.failed[0].0, "坏镇");
    assert!(!done.failed[0].1.is_empty(), "with its reason");
    assert!(done.city_html().is_file());
    assert!(out.join("towns").join("甲镇").join("report.html").is_file());
    let html = std::fs::read_to_string(done.city_html()).expect("city.html");
    assert!(html.contains("甲镇") && html.contains("乙镇") && html.contains("坏镇"));
    // The window and the log tell it.
    h.get_by_label(&format!(
        "3 {}, 1 {} ({:.0} s)",
        Lang::Zh.t(tx::BATCH_TOWNS),
        Lang::Zh.t(tx::BATCH_FAILED),
        done.seconds
    ));
    assert!(
        h.state()
            .log
            .iter()
            .any(|e| e.level == Level::Warning && e.text.contains("city.html")),
        "the log names the city table"
    );

    // A city folder that is not there: said in the window, nothing started.
    h.state_mut().batch.city = tmp.path().join("无此城市").display().to_string();
    h.run_steps(2);
    click(&mut h, Lang::Zh.t(tx::BATCH_START));
    assert!(h.state().batch.job.is_none());
    let not_folder = Lang::Zh.t(tx::BATCH_NOT_FOLDER);
    assert!(
        matches!(&h.state().batch.last, Some(Err(e)) if e.contains(not_folder)),
        "{:?}",
        h.state().batch.last
    );
    h.state_mut().batch.city = city.display().to_string();

    // Again, into a new folder, cancelled at once: the child stops, nothing is claimed.
    let out2 = tmp.path().join("again");
    h.state_mut().batch.out = out2.display().to_string();
    h.run_steps(2);
    click(&mut h, Lang::Zh.t(tx::BATCH_START));
    assert!(h.state().batch.job.is_some(), "started again");
    click(&mut h, Lang::Zh.t(tx::CANCEL));
    wait(&mut h, Duration::from_secs(60));
    assert_eq!(h.state().batch.last, None, "a cancelled run claims nothing");
    assert!(!out2.join("city.html").exists(), "the child was stopped");
    let cancelled = format!("{}: {}", Lang::Zh.t(tx::BATCH), Lang::Zh.t(tx::CANCELLED));
    assert!(h.state().log.iter().any(|e| e.text == cancelled));
}
