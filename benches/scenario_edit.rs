//! One scenario edit (add, move, remove a health centre) on the 100k-node grid town with 3
//! facility categories (40 kindergartens, 40 health centres, 40 parks; 50,000 buildings; the
//! profile's tiers: 5 and 15 min on foot, 30 min by e-bike), timed through the app's own code:
//! - `coverage/*`: the edit in the incremental engine and the figures the analysis panel shows
//!   (every run's edited result and the merged report: `ScenarioState::edit` + `figures`);
//! - `ui_thread/*`: everything the app does on the UI thread after the edit
//!   (`ScenarioState::edit` + `update`: the above, the edited town's layers, the markers and
//!   the difference areas);
//! - `overlays/*`: from the edit until its overlays are drawn on the map: the above, the first
//!   background job (`EditUpdate::redraw_map`: isochrones, gaps and uncovered buildings of the
//!   edited category, the markers and difference areas), putting them into the map's document,
//!   and the map's frames until every mesh of the view is built (whole town, 1280×800).
//!
//! Before criterion, one pass per edit prints the stages apart, and the second job (the
//! travel-time grid, the 2SFCA and the ten ones, which follow).
//!
//! Every iteration starts from the same state: the edit is undone after it (untimed) as the app's
//! undo does it (the engine restarts from the base), the shapes its overlays traced are dropped
//! from the analysis's memo and the base's overlays are put back and drawn, so each edit is the
//! first one of the scenario, traced and drawn afresh where it changed things; then the bench
//! waits until every thread is idle (the replaced overlays freed in the background).
//!
//! cargo bench --bench scenario_edit

use std::hint::black_box;
use std::sync::Arc;
use std::time::{Duration, Instant};

use criterion::{Criterion, criterion_group, criterion_main};
use egui::{Pos2, Rect, vec2};

use towncircle::access::live::FacilityKey;
use towncircle::app::analysis::{
    AnalysisOutput, AnalysisSettings, OverlayKind, OverlayRequest, OverlayStage, ProfileChoice,
    build_overlay_stage, run_analysis,
};
use towncircle::app::doc::{Document, PreparedLayer, ReadyOverlay, prepare_overlays};
use towncircle::app::fonts;
use towncircle::app::i18n::Lang;
use towncircle::app::map::MapState;
use towncircle::app::scenario::{Change, EditUpdate, ScenarioState};
use towncircle::job::NoProgress;
use towncircle::model::{Layer, Taxonomy};
use towncircle::network::synth;
use towncircle::standards::profile::Profile;

/// The three facility categories of the town (40 of each). The edits are on the health centres,
/// the category the app's overlays show by default.
const CATEGORIES: [&str; 3] = ["kindergarten", "health_center", "park"];
const EDITED: &str = "health_center";

struct Town {
    layers: Vec<Arc<Layer>>,
    profile: Profile,
    taxonomy: Taxonomy,
    settings: AnalysisSettings,
    base: AnalysisOutput,
    ctx: egui::Context,
    map: MapState,
    doc: Document,
    /// The memo's stamp once the base is traced.
    memo_stamp: u64,
}

fn input() -> egui::RawInput {
    egui::RawInput {
        screen_rect: Some(Rect::from_min_size(Pos2::ZERO, vec2(1280.0, 800.0))),
        ..Default::default()
    }
}

fn frame(t: &mut Town) {
    let mut out = t.ctx.run_ui(input(), |ui| {
        egui::CentralPanel::no_frame().show(ui, |ui| {
            let _ = t.map.ui(ui, &mut t.doc, Lang::Zh, None);
        });
    });
    out.textures_delta.clear();
}

/// Frames until the map has built every mesh of the view (the app spreads this over frames, a
/// 30 ms budget each, but one chunk is built whole); returns the frames and the longest one.
fn frames_until_drawn(t: &mut Town) -> (usize, Duration) {
    let mut longest = Duration::ZERO;
    for n in 1..=10_000 {
        let t0 = Instant::now();
        frame(t);
        longest = longest.max(t0.elapsed());
        if t.map.last_stats.pending == 0 {
            return (n, longest);
        }
    }
    (10_000, longest)
}

/// What `TownApp::put_overlays` does when the job's overlays arrive (the kinds a first run
/// hides, the travel-time grid, stay hidden as in the app).
fn put_overlays(doc: &mut Document, overlays: Vec<ReadyOverlay>) {
    doc.remove_overlays();
    for o in overlays {
        doc.add_overlay(o);
    }
    for k in OverlayKind::ALL {
        if !k.shown_at_first() {
            doc.set_overlay_visible(k, false);
        }
    }
}

fn setup() -> Town {
    let taxonomy = Taxonomy::default();
    let profile = Profile::default();
    let (n, s) = (synth::GRID_TOWN_SIDE, synth::GRID_TOWN_SPACING_M);
    let cats: Vec<_> = CATEGORIES
        .iter()
        .map(|c| taxonomy.by_id(c).expect("category"))
        .collect();
    let raw = [
        synth::street_grid(n, n, s, 10.0, 42),
        synth::facilities(n, n, s, &cats, 40, 7),
        synth::buildings(n, n, s, 50_000, 9),
    ];
    let ctx = egui::Context::default();
    fonts::install_bundled(&ctx);
    let mut doc = Document::default();
    for l in raw {
        doc.add(PreparedLayer::new(l));
    }
    let layers: Vec<Arc<Layer>> = doc.layers.iter().map(|l| Arc::clone(&l.layer)).collect();
    let settings = AnalysisSettings::for_profile(&profile, ProfileChoice::Shipped);
    assert_eq!(settings.overlay_category, EDITED);
    let t0 = Instant::now();
    let mut base = run_analysis(
        &layers,
        &profile,
        &taxonomy,
        &settings,
        doc.town_extent(),
        &NoProgress,
    )
    .expect("not cancelled")
    .expect("analysis");
    eprintln!(
        "base analysis: {:.2} s; {} runs; {} overlays",
        t0.elapsed().as_secs_f64(),
        base.runs.len(),
        base.overlays.len()
    );
    put_overlays(&mut doc, std::mem::take(&mut base.overlays));
    let mut t = Town {
        layers,
        profile,
        taxonomy,
        settings,
        base,
        ctx,
        map: MapState::default(),
        doc,
        memo_stamp: 0,
    };
    frame(&mut t); // fits the town
    let t0 = Instant::now();
    let (frames, longest) = frames_until_drawn(&mut t);
    eprintln!(
        "base overlays drawn: {frames} frames, {:.0} ms (longest frame {:.0} ms)",
        t0.elapsed().as_secs_f64() * 1e3,
        longest.as_secs_f64() * 1e3
    );
    t.memo_stamp = t.base.runs[0].analysis.shape_memo.now();
    t
}

/// The edits: a health centre added 1.7 km from the town centre, the one nearest the centre
/// moved by 1.4 km, and that one removed.
fn changes(t: &Town) -> Vec<(&'static str, Change)> {
    let a = &t.base.runs[0].analysis;
    let cat = t.taxonomy.by_id(EDITED).expect("category");
    let centre = [
        480_000.0 + 158.0 * synth::GRID_TOWN_SPACING_M,
        3_300_000.0 + 158.0 * synth::GRID_TOWN_SPACING_M,
    ];
    let d = |xy: [f64; 2]| (xy[0] - centre[0]).hypot(xy[1] - centre[1]);
    let (i, f) = a
        .facilities
        .iter()
        .enumerate()
        .filter(|(_, f)| f.category == cat)
        .min_by(|(_, f), (_, g)| d(f.xy).total_cmp(&d(g.xy)))
        .expect("a health centre");
    let key = FacilityKey::Existing(i as u32);
    vec![
        (
            "add",
            Change::Add {
                key: 1000,
                category: cat,
                xy: [centre[0] + 1_500.0, centre[1] - 900.0],
                capacity: None,
            },
        ),
        (
            "move",
            Change::Move {
                key,
                to: [f.xy[0] + 1_200.0, f.xy[1] + 700.0],
            },
        ),
        ("remove", Change::Remove { key }),
    ]
}

/// The edit and the panel's figures.
fn coverage(t: &Town, state: &mut ScenarioState, change: &Change) -> impl Sized {
    state.edit(change.clone()).expect("edit");
    state.figures(&t.base.runs).expect("figures")
}

/// The edit and everything the UI thread does after it.
fn ui_thread(t: &Town, state: &mut ScenarioState, change: &Change) -> EditUpdate {
    state.edit(change.clone()).expect("edit");
    state
        .update(
            &t.base.runs,
            &t.layers,
            &t.settings.overlay_category,
            t.settings.overlay_minutes,
        )
        .expect("update")
}

/// The first background job after the edit (with what the map shows, as the app starts it):
/// its overlays, prepared for drawing.
fn job(t: &Town, update: &mut EditUpdate) -> Vec<ReadyOverlay> {
    let shown = t.doc.shown_chunks(&EditUpdate::MAP_KINDS);
    let overlays = update
        .redraw_map(t.doc.town_extent(), Some(&shown), &NoProgress)
        .expect("not cancelled");
    prepare_overlays(overlays)
}

/// Put the first job's overlays on the map, as the app does; every chunk left out is found.
fn put_edit(t: &mut Town, overlays: Vec<ReadyOverlay>) {
    let incomplete = t.doc.replace_overlays(&EditUpdate::MAP_KINDS, overlays);
    assert_eq!(incomplete, 0, "chunks left out are on the map");
}

/// The second: the time grid, the 2SFCA and the ten ones.
fn job_rest(t: &Town, update: &EditUpdate) -> Vec<ReadyOverlay> {
    let (overlays, tenones) = update
        .redraw_rest(&t.profile, &t.taxonomy, t.doc.town_extent(), &NoProgress)
        .expect("not cancelled");
    assert!(tenones.is_some(), "the ten ones");
    prepare_overlays(overlays)
}

/// Undo the edit, forget what its overlays traced, and put the base's overlays back on the map,
/// drawn.
fn undo(t: &mut Town, state: &mut ScenarioState) {
    assert!(state.undo(&t.base.runs), "undo");
    t.base.runs[0]
        .analysis
        .shape_memo
        .forget_since(t.memo_stamp);
    let request = OverlayRequest {
        stage: OverlayStage::All,
        category: &t.settings.overlay_category,
        minutes: t.settings.overlay_minutes,
        shown: None,
    };
    let overlays = build_overlay_stage(
        &request,
        &t.base.runs,
        &t.layers,
        t.doc.town_extent(),
        &NoProgress,
    )
    .expect("not cancelled");
    t.doc
        .replace_overlays(&OverlayKind::ALL, prepare_overlays(overlays));
    frames_until_drawn(t);
    settle();
}

/// Wait (at most a second) until the process's threads are idle: the overlays an undo replaced
/// are freed on a thread of their own, which would otherwise run into the next edit's timing
/// (a planner's next edit does not come within milliseconds of an undo's redraw).
fn settle() {
    let idle = Duration::from_millis(1);
    for _ in 0..100 {
        let Some(a) = cpu_time() else {
            return;
        };
        std::thread::sleep(Duration::from_millis(10));
        let Some(b) = cpu_time() else {
            return;
        };
        if b.saturating_sub(a) < idle {
            return;
        }
    }
}

/// CPU time of every thread of this process so far (Linux: /proc/self/task/*/schedstat), or None
/// elsewhere: on a shared machine the CPU an edit takes says more than its wall time.
fn cpu_time() -> Option<Duration> {
    let mut ns = 0u64;
    for t in std::fs::read_dir("/proc/self/task").ok()? {
        let s = std::fs::read_to_string(t.ok()?.path().join("schedstat")).ok()?;
        ns += s.split_whitespace().next()?.parse::<u64>().ok()?;
    }
    Some(Duration::from_nanos(ns))
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1e3
}

/// One pass per edit with the stages apart.
fn breakdown(t: &mut Town, state: &mut ScenarioState, edits: &[(&str, Change)]) {
    for (name, change) in edits {
        let t0 = Instant::now();
        black_box(coverage(t, state, change));
        let t_cov = t0.elapsed();
        let touched = state.live().map_or(0, |l| l.last_updates);
        undo(t, state);
        let cpu0 = cpu_time();
        let t0 = Instant::now();
        let mut update = ui_thread(t, state, change);
        let t_ui = t0.elapsed();
        let t0 = Instant::now();
        let overlays = job(t, &mut update);
        let t_job = t0.elapsed();
        let t0 = Instant::now();
        put_edit(t, overlays);
        let t_put = t0.elapsed();
        let t0 = Instant::now();
        let (frames, longest) = frames_until_drawn(t);
        let t_frames = t0.elapsed();
        let cpu = cpu0
            .zip(cpu_time())
            .map_or(f64::NAN, |(a, b)| ms(b.saturating_sub(a)));
        let t0 = Instant::now();
        let rest = job_rest(t, &update);
        let t_rest = t0.elapsed();
        let t0 = Instant::now();
        t.doc.replace_overlays(OverlayStage::Rest.kinds(), rest);
        let t_put_rest = t0.elapsed();
        undo(t, state);
        eprintln!(
            "{name}: {touched} nodes changed; coverage {:.1} ms; UI thread {:.1} ms; map job {:.1} ms; \
             put on the map {:.1} ms; {frames} frames until drawn {:.1} ms (longest {:.1} ms); \
             edit to drawn {:.1} ms (CPU of all threads {cpu:.1} ms); then the time grid, 2SFCA and ten ones {:.0} ms, put {:.0} ms",
            ms(t_cov),
            ms(t_ui),
            ms(t_job),
            ms(t_put),
            ms(t_frames),
            ms(longest),
            ms(t_ui + t_job + t_put + t_frames),
            ms(t_rest),
            ms(t_put_rest),
        );
    }
}

/// Time `f` over `iters` edits, each undone after (untimed).
fn per_edit(
    t: &Town,
    state: &mut ScenarioState,
    iters: u64,
    mut f: impl FnMut(&Town, &mut ScenarioState) -> Duration,
) -> Duration {
    let mut total = Duration::ZERO;
    for _ in 0..iters {
        total += f(t, state);
        assert!(state.undo(&t.base.runs), "undo");
    }
    total
}

fn bench(c: &mut Criterion) {
    let mut t = setup();
    let mut state = ScenarioState::default();
    let i = state.create("方案 1".into());
    state.start(i, &t.base.runs);
    let edits = changes(&t);
    // TC_BREAKDOWN_REPS=N repeats the staged pass (to profile the edits, e.g. under perf).
    let reps: usize = std::env::var("TC_BREAKDOWN_REPS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(1);
    for _ in 0..reps {
        breakdown(&mut t, &mut state, &edits);
    }

    let mut g = c.benchmark_group("scenario_edit_100k_nodes");
    g.sample_size(20);
    for (name, change) in &edits {
        g.bench_function(format!("coverage/{name}"), |b| {
            b.iter_custom(|iters| {
                per_edit(&t, &mut state, iters, |t, state| {
                    let t0 = Instant::now();
                    let out = coverage(t, state, change);
                    let d = t0.elapsed();
                    drop(black_box(out));
                    d
                })
            })
        });
        g.bench_function(format!("ui_thread/{name}"), |b| {
            b.iter_custom(|iters| {
                per_edit(&t, &mut state, iters, |t, state| {
                    let t0 = Instant::now();
                    let out = ui_thread(t, state, change);
                    let d = t0.elapsed();
                    drop(black_box(out));
                    d
                })
            })
        });
    }
    g.sample_size(10);
    for (name, change) in &edits {
        g.bench_function(format!("overlays/{name}"), |b| {
            b.iter_custom(|iters| {
                let mut total = Duration::ZERO;
                for _ in 0..iters {
                    let t0 = Instant::now();
                    let mut update = ui_thread(&t, &mut state, change);
                    let overlays = job(&t, &mut update);
                    put_edit(&mut t, overlays);
                    frames_until_drawn(&mut t);
                    total += t0.elapsed();
                    undo(&mut t, &mut state);
                }
                total
            })
        });
    }
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
