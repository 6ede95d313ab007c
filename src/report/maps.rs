//! The report's maps, rendered with [`crate::render`] to PNG: an overview of the town, the
//! coverage of every tier (residents reaching all required types, and the gaps), and the gaps
//! with the places failing the ten ones.

use geo::BoundingRect;
use geo_types::{Coord, Geometry, Point, Rect};

use crate::io::load::{extent, union_rect};
use crate::model::{Layer, Role};
use crate::render::palette::{self, tier_colour};
use crate::render::{DrawItem, DrawLayer, MapSpec, PointSymbol, Rgba, Shape, Style, render_png};
use crate::tenones::Verdict;

use super::derive::covers_all_required;
use super::town::{Lang, ReportData};

/// Map image size in pixels (4:3; about 200 dpi across an A4 page).
pub const MAP_WIDTH_PX: u32 = 1600;
pub const MAP_HEIGHT_PX: u32 = 1200;
/// Gap areas labelled per map (largest population first).
const GAP_LABELS: usize = 8;

/// One rendered map.
#[derive(Debug, Clone, PartialEq)]
pub struct ReportMap {
    /// "overview", "tier_15", "gaps".
    pub id: String,
    pub title: String,
    pub caption: String,
    pub png: Vec<u8>,
}

fn layers_of<'a>(data: &'a ReportData<'_>, role: Role) -> impl Iterator<Item = &'a Layer> {
    data.layers.iter().filter(move |l| l.role == Some(role))
}

fn items_of(data: &ReportData<'_>, role: Role) -> Vec<DrawItem> {
    layers_of(data, role)
        .flat_map(|l| l.features.iter())
        .map(|f| DrawItem::new(f.geometry.clone()))
        .collect()
}

/// The map extent: the town boundary, else every layer, grown by 3 %.
fn town_extent(data: &ReportData<'_>) -> Option<Rect<f64>> {
    let boundary = layers_of(data, Role::Boundary)
        .filter_map(extent)
        .reduce(union_rect);
    let r = boundary.or_else(|| {
        data.layers
            .iter()
            .filter(|l| l.role.is_some() && l.role != Some(Role::AdminBoundaries))
            .filter_map(extent)
            .reduce(union_rect)
    })?;
    let (w, h) = (r.width(), r.height());
    let m = 0.03 * w.max(h).max(100.0);
    Some(Rect::new(
        Coord {
            x: r.min().x - m,
            y: r.min().y - m,
        },
        Coord {
            x: r.max().x + m,
            y: r.max().y + m,
        },
    ))
}

/// Boundary, water, built-up area, roads (light): the base of every map.
fn base_layers(data: &ReportData<'_>, lang: Lang, roads_px: f32) -> Vec<DrawLayer> {
    let mut out = vec![
        DrawLayer::new(
            lang.t("镇域", "Town boundary"),
            Style::area(
                Rgba::rgb(0xf7, 0xf5, 0xf0),
                Some(Rgba::rgb(0x55, 0x55, 0x55)),
                2.5,
            )
            .dashed(vec![10.0, 5.0]),
        )
        .with_items(items_of(data, Role::Boundary)),
        DrawLayer::new(
            lang.t("水系", "Water"),
            Style::area(Rgba::rgb(0xa6, 0xcb, 0xe3), None, 0.0),
        )
        .with_items(items_of(data, Role::Water)),
        DrawLayer::new(
            lang.t("建成区", "Built-up area"),
            Style::area(
                Rgba::rgb(0xe8, 0xdf, 0xd0),
                Some(Rgba::rgb(0x9a, 0x80, 0x60)),
                1.5,
            ),
        )
        .with_items(items_of(data, Role::BuiltUpArea)),
        DrawLayer::new(
            lang.t("道路", "Roads"),
            Style::line(Rgba::rgb(0x8c, 0x8c, 0x8c), roads_px),
        )
        .with_items(items_of(data, Role::Roads)),
    ];
    out.retain(|l| !l.items.is_empty());
    out
}

/// Village outlines with their names.
fn village_layer(data: &ReportData<'_>, lang: Lang) -> Option<DrawLayer> {
    let items: Vec<DrawItem> = data
        .base()
        .demand
        .villages
        .iter()
        .map(|v| {
            let g = match &v.polygon {
                Some(p) => Geometry::MultiPolygon(p.clone()),
                None => Geometry::Point(Point::new(v.xy[0], v.xy[1])),
            };
            DrawItem::new(g).labelled(v.name.clone())
        })
        .collect();
    (!items.is_empty()).then(|| {
        DrawLayer::new(
            lang.t("行政村", "Villages"),
            Style::line(Rgba::rgb(0x6a, 0x5a, 0x8a), 1.5).dashed(vec![4.0, 3.0]),
        )
        .with_items(items)
    })
}

fn group_label(group: &str, lang: Lang) -> String {
    match lang {
        Lang::Zh => palette::group_name_zh(group)
            .map(str::to_string)
            .unwrap_or_else(|| "其他".into()),
        Lang::En => {
            if group.is_empty() {
                "Other".into()
            } else {
                let g = group.replace('_', " & ");
                let mut c = g.chars();
                c.next()
                    .map(|f| f.to_uppercase().chain(c).collect())
                    .unwrap_or_default()
            }
        }
    }
}

/// Facilities, one legend row per category group.
fn facility_layers(data: &ReportData<'_>, lang: Lang) -> Vec<DrawLayer> {
    let a = data.base();
    let mut groups: Vec<String> = a
        .facilities
        .iter()
        .filter_map(|f| a.taxonomy.get(f.category).map(|c| c.group.clone()))
        .collect();
    groups.sort();
    groups.dedup();
    let shapes = [
        Shape::Circle,
        Shape::Square,
        Shape::Triangle,
        Shape::Diamond,
        Shape::Cross,
    ];
    groups
        .iter()
        .enumerate()
        .map(|(i, g)| {
            // Waste points and the like are many and small.
            let size = if g == "municipal" || g == "environment" {
                7.0
            } else {
                14.0
            };
            let items = a
                .facilities
                .iter()
                .filter(|f| a.taxonomy.get(f.category).is_some_and(|c| &c.group == g))
                .map(|f| DrawItem::new(Geometry::Point(Point::new(f.xy[0], f.xy[1]))))
                .collect();
            DrawLayer::new(
                group_label(g, lang),
                Style::points(PointSymbol::filled(
                    shapes[i % shapes.len()],
                    size,
                    palette::group_colour(g),
                )),
            )
            .with_items(items)
        })
        .collect()
}

fn spec(
    data: &ReportData<'_>,
    lang: Lang,
    title: String,
    subtitle: String,
    ext: Rect<f64>,
) -> MapSpec {
    let mut s = MapSpec::new(title, ext, MAP_WIDTH_PX, MAP_HEIGHT_PX);
    s.subtitle = Some(subtitle);
    s.legend_title = lang.t("图例", "Legend").into();
    if data
        .inputs
        .iter()
        .any(|i| i.format.to_ascii_lowercase().contains("osm"))
    {
        s.attribution = Some("© OpenStreetMap contributors".into());
    }
    s
}

fn gap_label(people: f64, lang: Lang) -> String {
    match lang {
        Lang::Zh => format!("{people:.0}人"),
        Lang::En => format!("{people:.0} people"),
    }
}

/// Render the overview, one coverage map per tier with requirements, and the gaps map.
pub fn report_maps(data: &ReportData<'_>, lang: Lang) -> crate::Result<Vec<ReportMap>> {
    let Some(ext) = town_extent(data) else {
        return Ok(Vec::new());
    };
    let mut maps = Vec::new();

    // Overview.
    let mut s = spec(
        data,
        lang,
        format!("{} {}", data.town, lang.t("现状总览", "overview")),
        lang.t(
            "镇域、建成区、行政村、道路与设施",
            "Boundary, built-up area, villages, roads and facilities",
        )
        .into(),
        ext,
    );
    s.layers = base_layers(data, lang, 2.0);
    let buildings = DrawLayer::new(
        lang.t("建筑", "Buildings"),
        Style::area(Rgba::rgb(0xb8, 0xb0, 0xa6), None, 0.0),
    )
    .with_items(items_of(data, Role::Buildings));
    if !buildings.items.is_empty() {
        s.layers.push(buildings);
    }
    let greenway = DrawLayer::new(
        lang.t("绿道", "Greenway"),
        Style::line(palette::GROUP_ENVIRONMENT, 4.0),
    )
    .with_items(items_of(data, Role::Greenway));
    if !greenway.items.is_empty() {
        s.layers.push(greenway);
    }
    s.layers.extend(village_layer(data, lang));
    s.layers.extend(facility_layers(data, lang));
    maps.push(ReportMap {
        id: "overview".into(),
        title: s.title.clone(),
        caption: lang
            .t(
                "图例中设施按类别分组；小点为垃圾分类收集点等数量较多的市政设施。",
                "Facilities are grouped by kind; small dots are numerous municipal points such as waste collection points.",
            )
            .into(),
        png: render_png(&s)?,
    });

    // Coverage per tier (all required types).
    let tiers = data.runs.iter().flat_map(|run| {
        run.analysis
            .tiers
            .iter()
            .enumerate()
            .map(move |(ti, t)| (*run, ti, t))
    });
    let mut tiers: Vec<_> = tiers.collect();
    tiers.sort_by_key(|(_, _, t)| t.minutes);
    for (run, ti, t) in tiers {
        if t.required.is_empty() {
            continue;
        }
        let a = run.analysis;
        let mode = lang.t(&a.mode_info.zh, &a.mode_info.en).to_string();
        let (mut yes, mut no) = (Vec::new(), Vec::new());
        for (i, p) in a.demand.points.iter().enumerate() {
            let item = DrawItem::new(Geometry::Point(Point::new(p.xy[0], p.xy[1])));
            if covers_all_required(a, run.result, ti, i) {
                yes.push(item);
            } else {
                no.push(item);
            }
        }
        let cov = data
            .report
            .all_required
            .iter()
            .find(|c| c.minutes == t.minutes)
            .and_then(|c| c.coverage.town.percent);
        let mut s = spec(
            data,
            lang,
            match lang {
                Lang::Zh => format!("{} {}分钟生活圈覆盖", data.town, t.minutes),
                Lang::En => format!("{} {}-minute living circle coverage", data.town, t.minutes),
            },
            format!(
                "{mode} · {} · {}",
                lang.t(
                    "居民点是否可达本圈层全部必需设施",
                    "residents reaching every required type"
                ),
                match cov {
                    Some(p) => format!("{} {p:.1}%", lang.t("覆盖率", "coverage")),
                    None => lang.t("无人口数据", "no demand").into(),
                }
            ),
            ext,
        );
        s.layers = base_layers(data, lang, 1.5);
        s.layers.extend(village_layer(data, lang));
        let col = tier_colour(f64::from(t.minutes));
        let gaps: Vec<DrawItem> = data
            .all_required_gaps()
            .filter(|g| g.minutes == t.minutes)
            .enumerate()
            .map(|(k, g)| {
                let item = DrawItem::new(Geometry::MultiPolygon(g.area.polygon.clone()));
                if k < GAP_LABELS {
                    item.labelled(gap_label(g.area.population, lang))
                } else {
                    item
                }
            })
            .collect();
        if !gaps.is_empty() {
            s.layers.push(
                DrawLayer::new(
                    lang.t("覆盖缺口（人口）", "Gap areas (people)"),
                    Style::area(
                        palette::VERDICT_FAIL.with_alpha(50),
                        Some(palette::VERDICT_FAIL),
                        2.0,
                    )
                    .dashed(vec![6.0, 4.0]),
                )
                .with_items(gaps),
            );
        }
        s.layers.push(
            DrawLayer::new(
                lang.t("已覆盖居民点", "Residents covered"),
                Style::points(PointSymbol {
                    shape: Shape::Circle,
                    size_px: 5.0,
                    fill: Some(col),
                    stroke: Some(Rgba::rgb(0x30, 0x30, 0x30)),
                }),
            )
            .with_items(yes),
        );
        s.layers.push(
            DrawLayer::new(
                lang.t("未覆盖居民点", "Residents not covered"),
                Style::points(PointSymbol::filled(
                    Shape::Circle,
                    6.0,
                    palette::VERDICT_FAIL,
                )),
            )
            .with_items(no),
        );
        maps.push(ReportMap {
            id: format!("tier_{}", t.minutes),
            title: s.title.clone(),
            caption: format!(
                "{}: {}",
                lang.t("本圈层必需设施", "Required types at this tier"),
                t.required
                    .iter()
                    .map(|(l, _)| l.as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
            png: render_png(&s)?,
        });
    }

    // Gaps and the places failing the ten ones.
    let mut s = spec(
        data,
        lang,
        format!(
            "{} {}",
            data.town,
            lang.t("缺口与问题点", "gaps and failing places")
        ),
        lang.t(
            "各圈层全部必需设施的覆盖缺口；十个一未达标的地点",
            "Gaps in reaching every required type per tier; places failing the ten ones",
        )
        .into(),
        ext,
    );
    s.layers = base_layers(data, lang, 1.5);
    s.layers.extend(village_layer(data, lang));
    let mut tiers: Vec<u32> = data.report.tiers.iter().map(|t| t.minutes).collect();
    tiers.sort_unstable_by(|x, y| y.cmp(x));
    for m in tiers {
        let items: Vec<DrawItem> = data
            .all_required_gaps()
            .filter(|g| g.minutes == m)
            .map(|g| DrawItem::new(Geometry::MultiPolygon(g.area.polygon.clone())))
            .collect();
        if items.is_empty() {
            continue;
        }
        let col = tier_colour(f64::from(m));
        s.layers.push(
            DrawLayer::new(
                match lang {
                    Lang::Zh => format!("{m}分钟缺口"),
                    Lang::En => format!("{m}-minute gaps"),
                },
                Style::area(col.with_alpha(110), Some(col), 1.5),
            )
            .with_items(items),
        );
    }
    if let Some(t) = data.tenones {
        let mut items = Vec::new();
        for r in &t.rules {
            for c in &r.checks {
                if !matches!(c.verdict, Verdict::Fail | Verdict::Partly) {
                    continue;
                }
                for p in &c.failing {
                    let g = p
                        .geometry
                        .clone()
                        .filter(|g| g.bounding_rect().is_some())
                        .or_else(|| p.xy.map(|xy| Geometry::Point(Point::new(xy[0], xy[1]))));
                    if let Some(g) = g {
                        let label = format!("{}·{}", r.number, lang.t(&p.zh, &p.en));
                        items.push(DrawItem::new(g).labelled(label));
                    }
                }
            }
        }
        if !items.is_empty() {
            let fail = Verdict::Fail.rgb();
            let col = Rgba::rgb(fail[0], fail[1], fail[2]);
            let mut st = Style::points(PointSymbol::filled(Shape::Star, 18.0, col));
            st.stroke = Some(col);
            st.stroke_width_px = 3.0;
            s.layers.push(
                DrawLayer::new(
                    lang.t(
                        "十个一未达标地点（编号·地点）",
                        "Ten ones: failing places (item·place)",
                    ),
                    st,
                )
                .with_items(items),
            );
        }
    }
    maps.push(ReportMap {
        id: "gaps".into(),
        title: s.title.clone(),
        caption: lang
            .t(
                "缺口为未覆盖居民点按格网合并的区域；星号为十个一各项检查中未达标的地点。",
                "Gap areas merge uncovered residents on a grid; stars mark places failing a ten-ones check.",
            )
            .into(),
        png: render_png(&s)?,
    });
    Ok(maps)
}
