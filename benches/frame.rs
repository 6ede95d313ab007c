//! Per-frame cost of the map with 200,000 drawn features: geometry is prepared and tessellated
//! once (not measured; chunks denser than their pixels are rasterized once into textures), then
//! each frame culls chunks, moves the cached meshes by one affine (or draws one textured quad per
//! rasterized chunk) and builds egui's paint list. The `+tessellate` cases add egui's
//! tessellation of that paint list: everything a real frame does on the CPU before the upload.
//! Headless: egui's `Context::run_ui` with a fixed 1280×800 screen.
//!
//! cargo bench --bench frame --features gui

use std::hint::black_box;

use criterion::{Criterion, criterion_group, criterion_main};
use egui::{Pos2, Rect, vec2};

use towncircle::app::doc::{Document, PreparedLayer};
use towncircle::app::fonts;
use towncircle::app::i18n::Lang;
use towncircle::app::map::MapState;
use towncircle::io::synth;
use towncircle::model::{Role, Taxonomy};

const N_FEATURES: usize = 200_000;

fn screen() -> Rect {
    Rect::from_min_size(Pos2::ZERO, vec2(1280.0, 800.0))
}

fn input() -> egui::RawInput {
    egui::RawInput {
        screen_rect: Some(screen()),
        ..Default::default()
    }
}

/// One frame of the map filling the screen; returns the number of shapes painted.
fn frame(ctx: &egui::Context, map: &mut MapState, doc: &mut Document) -> usize {
    let mut out = ctx.run_ui(input(), |ui| {
        egui::CentralPanel::no_frame().show(ui, |ui| {
            let _ = map.ui(ui, doc, Lang::Zh, None);
        });
    });
    out.textures_delta.clear();
    out.shapes.len()
}

/// A town with `N_FEATURES` features of one layer, meshes built for the current view.
fn setup(
    layer: towncircle::model::Layer,
    role: Role,
    zoom_m_per_pt: Option<f64>,
) -> (egui::Context, MapState, Document) {
    let ctx = egui::Context::default();
    fonts::install_bundled(&ctx);
    let mut layer = layer;
    layer.role = Some(role);
    if role == Role::Facilities {
        let t = Taxonomy::default();
        layer.classification = Some(t.classify_layer(&mut layer));
    }
    let mut doc = Document::default();
    doc.add(PreparedLayer::new(layer));
    let mut map = MapState::default();
    frame(&ctx, &mut map, &mut doc); // fits the town
    if let Some(m) = zoom_m_per_pt {
        map.view.m_per_pt = m;
    }
    // Build every mesh the view needs (tessellation happens here, once, not in the loop).
    for _ in 0..1000 {
        frame(&ctx, &mut map, &mut doc);
        if map.last_stats.pending == 0 {
            break;
        }
    }
    (ctx, map, doc)
}

/// One full frame: the map's paint list plus egui's tessellation of it; returns the vertex count.
fn full_frame(ctx: &egui::Context, map: &mut MapState, doc: &mut Document) -> usize {
    let mut out = ctx.run_ui(input(), |ui| {
        egui::CentralPanel::no_frame().show(ui, |ui| {
            let _ = map.ui(ui, doc, Lang::Zh, None);
        });
    });
    out.textures_delta.clear();
    ctx.tessellate(out.shapes, out.pixels_per_point)
        .iter()
        .map(|p| match &p.primitive {
            egui::epaint::Primitive::Mesh(m) => m.vertices.len(),
            egui::epaint::Primitive::Callback(_) => 0,
        })
        .sum()
}

/// Every zoom from a whole-town view to 0.5 m/pt over 200k buildings: the one-off build time
/// when arriving at a zoom (spread over frames in the app) and the median of 21 full frames.
fn zoom_sweep() {
    let (ctx, mut map, mut doc) = setup(synth::buildings(N_FEATURES, 42), Role::Buildings, None);
    let town = map.view.m_per_pt;
    let mut m = town;
    while m >= 0.5 {
        map.view.m_per_pt = m;
        let t0 = std::time::Instant::now();
        for _ in 0..1000 {
            frame(&ctx, &mut map, &mut doc);
            if map.last_stats.pending == 0 {
                break;
            }
        }
        let build_ms = t0.elapsed().as_secs_f64() * 1e3;
        let mut vertices = 0;
        let mut times_ms: Vec<f64> = (0..21)
            .map(|_| {
                let t1 = std::time::Instant::now();
                vertices = full_frame(&ctx, &mut map, &mut doc);
                t1.elapsed().as_secs_f64() * 1e3
            })
            .collect();
        times_ms.sort_by(f64::total_cmp);
        let frame_ms = times_ms[times_ms.len() / 2];
        let s = map.last_stats;
        eprintln!(
            "sweep {m:7.2} m/pt: build {build_ms:7.1} ms once, full frame {frame_ms:6.2} ms (median), \
             {} chunks ({} textures), {vertices} vertices tessellated",
            s.chunks_drawn, s.images_drawn
        );
        m /= 1.5;
    }
}

fn bench(c: &mut Criterion) {
    zoom_sweep();
    let mut g = c.benchmark_group("map_frame");
    g.sample_size(20);
    let cases: [(&str, Role, Option<f64>); 4] = [
        ("200k_buildings_whole_town", Role::Buildings, None),
        ("200k_buildings_6m_per_pt", Role::Buildings, Some(6.0)),
        (
            "200k_buildings_zoomed_2m_per_pt",
            Role::Buildings,
            Some(2.0),
        ),
        ("200k_facility_points_whole_town", Role::Facilities, None),
    ];
    for (name, role, zoom) in cases {
        let layer = match role {
            Role::Facilities => synth::points(N_FEATURES, 42),
            _ => synth::buildings(N_FEATURES, 42),
        };
        let (ctx, mut map, mut doc) = setup(layer, role, zoom);
        let s = map.last_stats;
        eprintln!(
            "{name}: {} chunks drawn ({} as textures), {} vertices per frame, {} m/pt",
            s.chunks_drawn, s.images_drawn, s.vertices, map.view.m_per_pt
        );
        g.bench_function(name, |b| {
            b.iter(|| black_box(frame(&ctx, &mut map, &mut doc)));
        });
        // The same frame plus egui's tessellation of the paint list (what the renderer then uploads).
        g.bench_function(format!("{name}+tessellate"), |b| {
            b.iter(|| {
                let mut out = ctx.run_ui(input(), |ui| {
                    egui::CentralPanel::no_frame().show(ui, |ui| {
                        let _ = map.ui(ui, &mut doc, Lang::Zh, None);
                    });
                });
                out.textures_delta.clear();
                black_box(ctx.tessellate(out.shapes, out.pixels_per_point).len())
            });
        });
    }
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
