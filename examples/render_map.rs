//! Render a synthetic town (≈3,000 buildings, ≈500 road segments, 5/15/30-minute isochrones,
//! facilities and labelled gaps) at 1600×1200, print the render time and write
//! docs/images/render-example.png (or the path given as the first argument).
//!
//! `cargo run --release --no-default-features --example render_map [out.png]`

use std::time::Instant;

use geo_types::{Coord, Geometry, LineString, MultiPolygon, Point, Polygon, Rect};
use towncircle::io::synth::SplitMix64;
use towncircle::render::palette::{self, tier_colour};
use towncircle::render::{
    DrawItem, DrawLayer, MapSpec, PointSymbol, Rgba, Shape, Style, render, save_png,
};

const CX: f64 = 500_000.0;
const CY: f64 = 3_320_000.0;

fn c(x: f64, y: f64) -> Coord<f64> {
    Coord {
        x: CX + x,
        y: CY + y,
    }
}

/// A wobbly closed ring around (x, y) with mean radius r.
fn blob(rng: &mut SplitMix64, x: f64, y: f64, r: f64, n: usize) -> Polygon<f64> {
    let phase = rng.range(0.0, std::f64::consts::TAU);
    let ring: Vec<Coord<f64>> = (0..=n)
        .map(|i| {
            let a = i as f64 / n as f64 * std::f64::consts::TAU;
            let k = 1.0 + 0.18 * (3.0 * a + phase).sin() + 0.08 * (7.0 * a).cos();
            c(x + r * k * a.cos(), y + r * k * a.sin())
        })
        .collect();
    Polygon::new(LineString(ring), vec![])
}

fn scene() -> MapSpec {
    let mut rng = SplitMix64(42);
    // Roads: a jittered grid of ~500 segments over 3.2 × 2.4 km, plus a main road.
    let mut roads = Vec::new();
    let step = 120.0;
    for i in -13..=13 {
        for j in -10..=9 {
            let x = i as f64 * step + rng.range(-15.0, 15.0);
            let y = j as f64 * step + rng.range(-15.0, 15.0);
            if rng.next_f64() < 0.55 {
                roads.push(LineString(vec![
                    c(x, y),
                    c(x + step, y + rng.range(-20.0, 20.0)),
                ]));
            }
            if rng.next_f64() < 0.45 {
                roads.push(LineString(vec![
                    c(x, y),
                    c(x + rng.range(-20.0, 20.0), y + step),
                ]));
            }
        }
    }
    let main_road = LineString(vec![
        c(-1700.0, -300.0),
        c(-400.0, -80.0),
        c(300.0, 60.0),
        c(1700.0, 420.0),
    ]);
    // Buildings: ~3,000 small rotated rectangles clustered around the centre.
    let mut buildings = Vec::new();
    while buildings.len() < 3000 {
        let (x, y) = (rng.range(-1500.0, 1500.0), rng.range(-1100.0, 1100.0));
        let d = (x * x + y * y).sqrt();
        if rng.next_f64() > (1.3 - d / 1400.0).clamp(0.05, 1.0) {
            continue;
        }
        let (w, h) = (rng.range(8.0, 22.0), rng.range(8.0, 18.0));
        let (s, co) = rng.range(0.0, 0.3).sin_cos();
        let corner = |dx: f64, dy: f64| c(x + dx * co - dy * s, y + dx * s + dy * co);
        buildings.push(Polygon::new(
            LineString(vec![
                corner(-w / 2.0, -h / 2.0),
                corner(w / 2.0, -h / 2.0),
                corner(w / 2.0, h / 2.0),
                corner(-w / 2.0, h / 2.0),
                corner(-w / 2.0, -h / 2.0),
            ]),
            vec![],
        ));
    }
    // Isochrones of a facility near the centre: 30, 15, 5 minutes (drawn largest first).
    let iso: Vec<(f64, Polygon<f64>)> = [(30.0, 1250.0), (15.0, 700.0), (5.0, 260.0)]
        .into_iter()
        .map(|(min, r)| (min, blob(&mut rng, -100.0, 50.0, r, 96)))
        .collect();
    // A town boundary with a hole (a neighbouring enclave), to show even-odd filling.
    let mut boundary = blob(&mut rng, 0.0, 0.0, 1450.0, 160);
    boundary.interiors_push(LineString(
        blob(&mut rng, 1000.0, -700.0, 160.0, 40)
            .exterior()
            .0
            .clone(),
    ));

    let mut spec = MapSpec::new(
        "双浦镇 15分钟社区生活圈覆盖",
        Rect::new(c(-1600.0, -1150.0), c(1600.0, 1150.0)),
        1600,
        1200,
    );
    spec.subtitle = Some("步行 · 幼儿园与卫生服务站 · 合成示例数据".into());
    spec.attribution = Some("© OpenStreetMap contributors · 合成数据".into());
    spec.layers.push(
        DrawLayer::new(
            "镇域",
            Style::area(
                Rgba::rgb(0xf4, 0xf1, 0xea),
                Some(Rgba::rgb(0x55, 0x55, 0x55)),
                2.0,
            )
            .dashed(vec![10.0, 5.0]),
        )
        .with_items(vec![DrawItem::new(Geometry::Polygon(boundary))]),
    );
    for (min, poly) in &iso {
        let col = tier_colour(*min);
        spec.layers.push(
            DrawLayer::new(
                format!("{min} 分钟步行圈"),
                Style::area(col.with_alpha(90), Some(col), 2.0),
            )
            .with_items(vec![DrawItem::new(Geometry::Polygon(poly.clone()))]),
        );
    }
    spec.layers.push(
        DrawLayer::new(
            "建筑",
            Style::area(
                Rgba::rgb(0xb8, 0xb0, 0xa6),
                Some(Rgba::rgb(0x8a, 0x82, 0x78)),
                0.6,
            ),
        )
        .with_items(
            buildings
                .into_iter()
                .map(|p| DrawItem::new(Geometry::Polygon(p)))
                .collect(),
        ),
    );
    spec.layers.push(
        DrawLayer::new("道路", Style::line(Rgba::rgb(0x9a, 0x9a, 0x9a), 2.0)).with_items(
            roads
                .into_iter()
                .map(|l| DrawItem::new(Geometry::LineString(l)))
                .collect(),
        ),
    );
    spec.layers.push(
        DrawLayer::new("主干道", Style::line(Rgba::rgb(0xe0, 0x8a, 0x2c), 5.0)).with_items(vec![
            DrawItem::new(Geometry::LineString(main_road)).labelled("江滨大道"),
        ]),
    );
    let gaps = [
        (1050.0, 650.0, "缺口 G1 · 860人"),
        (-1150.0, -700.0, "缺口 G2 · 310人"),
        (700.0, -850.0, "缺口 G3 · 420人"),
    ];
    spec.layers.push(
        DrawLayer::new(
            "覆盖缺口",
            Style::area(
                palette::VERDICT_FAIL.with_alpha(70),
                Some(palette::VERDICT_FAIL),
                2.0,
            )
            .dashed(vec![6.0, 4.0]),
        )
        .with_items(
            gaps.iter()
                .map(|&(x, y, t)| {
                    DrawItem::new(Geometry::Polygon(blob(&mut rng, x, y, 170.0, 48))).labelled(t)
                })
                .collect(),
        ),
    );
    let kind = |group: &str, shape| {
        Style::points(PointSymbol::filled(
            shape,
            16.0,
            palette::group_colour(group),
        ))
    };
    spec.layers.push(
        DrawLayer::new("幼儿园", kind("education", Shape::Circle)).with_items(vec![
            DrawItem::new(Geometry::Point(Point(c(-100.0, 50.0)))).labelled("双浦镇中心幼儿园"),
            DrawItem::new(Geometry::Point(Point(c(-900.0, 500.0)))).labelled("清溪村幼儿园"),
        ]),
    );
    spec.layers.push(
        DrawLayer::new("卫生服务站", kind("health", Shape::Cross)).with_items(vec![
            DrawItem::new(Geometry::Point(Point(c(250.0, -300.0)))).labelled("灵桥村卫生服务站"),
            DrawItem::new(Geometry::Point(Point(c(-500.0, -350.0)))).labelled("溪口村卫生室"),
        ]),
    );
    spec.layers.push(
        DrawLayer::new("养老服务中心", kind("elderly", Shape::Diamond)).with_items(vec![
            DrawItem::new(Geometry::Point(Point(c(550.0, 300.0)))).labelled("居家养老服务中心"),
        ]),
    );
    spec.layers.push(
        DrawLayer::new("文体设施", kind("culture_sport", Shape::Triangle)).with_items(vec![
            DrawItem::new(Geometry::Point(Point(c(-300.0, 420.0)))).labelled("文化礼堂"),
        ]),
    );
    spec.layers.push(
        DrawLayer::new("候选点", kind("governance", Shape::Star)).with_items(vec![
            DrawItem::new(Geometry::Point(Point(c(900.0, 600.0)))).labelled("建议新增 S1"),
            DrawItem::new(Geometry::Point(Point(c(-1100.0, -650.0)))).labelled("建议新增 S2"),
        ]),
    );
    spec.layers.push(
        DrawLayer::new("公交站", kind("transport", Shape::Square))
            .with_items(vec![DrawItem::new(Geometry::Point(Point(c(0.0, -30.0))))]),
    );
    // A multipolygon item with its own style, not in the legend.
    let mut ponds = DrawLayer::new("水面", Style::area(Rgba::rgb(0xa6, 0xcb, 0xe3), None, 0.0));
    ponds.in_legend = false;
    ponds
        .items
        .push(DrawItem::new(Geometry::MultiPolygon(MultiPolygon(vec![
            blob(&mut rng, -1250.0, 700.0, 90.0, 32),
            blob(&mut rng, -1050.0, 820.0, 60.0, 32),
        ]))));
    spec.layers.insert(1, ponds);
    spec
}

fn main() -> towncircle::Result<()> {
    let out = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "docs/images/render-example.png".into());
    let build = Instant::now();
    let spec = scene();
    let items: usize = spec.layers.iter().map(|l| l.items.len()).sum();
    println!(
        "scene: {} layers, {items} items, built in {:.1} ms",
        spec.layers.len(),
        build.elapsed().as_secs_f64() * 1e3
    );
    // Warm-up, then the median of five renders.
    render(&spec)?;
    let mut times: Vec<f64> = (0..5)
        .map(|_| {
            let t = Instant::now();
            let r = render(&spec);
            let ms = t.elapsed().as_secs_f64() * 1e3;
            r.map(|_| ms)
        })
        .collect::<towncircle::Result<_>>()?;
    times.sort_by(f64::total_cmp);
    println!(
        "render {}×{}: median {:.1} ms (min {:.1}, max {:.1})",
        spec.width_px, spec.height_px, times[2], times[0], times[4]
    );
    let t = Instant::now();
    if let Some(dir) = std::path::Path::new(&out).parent() {
        std::fs::create_dir_all(dir).map_err(|e| towncircle::error::IoError::open(dir, e))?;
    }
    save_png(&spec, std::path::Path::new(&out))?;
    println!(
        "render + PNG encode + write: {:.1} ms -> {out}",
        t.elapsed().as_secs_f64() * 1e3
    );
    Ok(())
}
