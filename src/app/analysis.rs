//! The analysis side of the app: settings (profile, mode, tiers), the background run of the access
//! engine on the open layers, the results (coverage charts, the ten-ones checklist with its
//! evidence) and the map overlays (isochrones, travel-time grid, gaps, uncovered buildings), which
//! are layers of the document drawn with an overlay style.

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::mpsc::{Receiver, Sender, channel};

use egui::{Color32, RichText};
use geo_types::{Geometry, Rect as GeoRect, coord};

use super::Command;
use super::i18n::{Lang, tx};
use super::jobs::Job;
use super::map::style::FeatureStyle;
use crate::access::gaps::gap_areas;
use crate::access::{AccessInput, AccessReport, AccessResult, Analysis, TownOptions, run_town};
use crate::crs::{Crs, CrsInfo};
use crate::job::{Cancelled, Progress};
use crate::model::layer::{AttrValue, Field, FieldKind, Format, SourceId, SourceInfo};
use crate::model::{CategoryId, Layer, Role, Taxonomy};
use crate::standards::profile::{Profile, Provenance};
use crate::tenones::evaluate;
use crate::tenones::result::{Place, RuleResult, TenOnesReport, Verdict};

/// Which profile to use.
#[derive(Debug, Clone, PartialEq)]
pub enum ProfileChoice {
    /// The default profile shipped with towncircle.
    Shipped,
    /// Another shipped profile, by name (`standards::profile::SHIPPED_PROFILES`).
    Named(String),
    /// A profile TOML file chosen by the user.
    File(PathBuf),
}

/// Which travel mode(s).
#[derive(Debug, Clone, PartialEq)]
pub enum ModeChoice {
    /// Each tier with the mode the profile defines for it (5/15 min walk, 30 min e-bike).
    PerTier,
    /// Every tier with one mode (a profile mode id).
    One(String),
}

/// What the user set in the analysis panel.
#[derive(Debug, Clone, PartialEq)]
pub struct AnalysisSettings {
    pub profile_choice: ProfileChoice,
    pub mode: ModeChoice,
    /// The profile's tier minutes with whether each is on.
    pub tiers: Vec<(u32, bool)>,
    /// The facility category the overlays show (a taxonomy id).
    pub overlay_category: String,
    /// The tier whose gaps and uncovered buildings are shown.
    pub overlay_minutes: u32,
}

/// The kinds of analysis overlay, each toggled as one group.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum OverlayKind {
    Isochrone,
    TimeGrid,
    Gaps,
    UncoveredBuildings,
}

impl OverlayKind {
    pub const ALL: [OverlayKind; 4] = [
        OverlayKind::Isochrone,
        OverlayKind::TimeGrid,
        OverlayKind::Gaps,
        OverlayKind::UncoveredBuildings,
    ];

    /// Whether a first run shows it (the grid hides the isochrones under it: off until asked).
    pub fn shown_at_first(self) -> bool {
        self != OverlayKind::TimeGrid
    }

    pub fn label(self, lang: Lang) -> &'static str {
        lang.t(match self {
            OverlayKind::Isochrone => tx::OV_ISOCHRONES,
            OverlayKind::TimeGrid => tx::OV_GRID,
            OverlayKind::Gaps => tx::OV_GAPS,
            OverlayKind::UncoveredBuildings => tx::OV_UNCOVERED,
        })
    }
}

/// An overlay layer, ready to join the document.
pub struct OverlayLayer {
    pub kind: OverlayKind,
    pub layer: Layer,
    pub style: FeatureStyle,
    /// Text drawn on the map at points (working CRS), e.g. a gap's population.
    pub labels: Vec<([f64; 2], String)>,
}

/// One run of the engine: one mode, the tiers using it.
pub struct Run {
    pub analysis: Analysis,
    pub result: AccessResult,
}

/// What an analysis job hands back.
pub struct AnalysisOutput {
    pub runs: Vec<Arc<Run>>,
    /// The coverage of every tier (runs merged).
    pub report: AccessReport,
    pub tenones: Option<TenOnesReport>,
    pub overlays: Vec<OverlayLayer>,
    pub seconds: f64,
    /// What the run's inputs lost, guessed or left out, and what the access run could not reach.
    pub data_quality: Vec<crate::model::QualityRecord>,
}

/// What an overlay-only job (another category or tier) hands back.
pub struct OverlayOutput {
    pub overlays: Vec<OverlayLayer>,
}

/// A report export's end: the folder and the files written, or the error.
pub type ReportWritten = Result<(PathBuf, Vec<PathBuf>), String>;

/// What the report export needs from the last analysis (owned: it runs on a worker thread).
pub struct ReportInput {
    pub layers: Vec<Arc<Layer>>,
    pub working_crs: Crs,
    pub runs: Vec<Arc<Run>>,
    pub report: AccessReport,
    pub tenones: Option<TenOnesReport>,
    pub profile: Arc<Profile>,
    pub lang: crate::report::Lang,
    pub dir: PathBuf,
}

/// Write the four report files of `towncircle analyze` for the last analysis.
pub fn write_report(
    input: &ReportInput,
    progress: &dyn Progress,
) -> Result<ReportWritten, Cancelled> {
    Cancelled::check(progress)?;
    let layers: Vec<Layer> = input.layers.iter().map(|l| Layer::clone(l)).collect();
    let sources: Vec<PathBuf> = layers.iter().map(|l| l.source.path.clone()).collect();
    let town = crate::report::town_name(&layers, &sources);
    let runs = input
        .runs
        .iter()
        .map(|r| crate::report::Run {
            analysis: &r.analysis,
            result: &r.result,
        })
        .collect();
    let data = crate::report::ReportData::new(
        town,
        &layers,
        input.working_crs.clone(),
        runs,
        &input.report,
        input.tenones.as_ref(),
        &input.profile,
    );
    let mut data = match data {
        Ok(d) => d,
        Err(e) => return Ok(Err(e.to_string())),
    };
    if let Some(flag) = crate::report::synthetic_flag(&sources, input.lang) {
        data.flags.push(flag);
    }
    Cancelled::check(progress)?;
    Ok(crate::report::write_all(&data, input.lang, &input.dir)
        .map(|files| (input.dir.clone(), files))
        .map_err(|e| e.to_string()))
}

/// Load the chosen profile.
pub fn load_profile(choice: &ProfileChoice) -> Result<Profile, String> {
    match choice {
        ProfileChoice::Shipped => Ok(Profile::default()),
        ProfileChoice::Named(n) => {
            crate::standards::profile::resolve_profile(n).map_err(|e| e.to_string())
        }
        ProfileChoice::File(p) => Profile::from_file(p).map_err(|e| e.to_string()),
    }
}

/// The town's layers sorted by role, for the engine.
pub fn access_input(layers: &[Arc<Layer>]) -> AccessInput<'_> {
    let mut input = AccessInput::default();
    for l in layers {
        let l = l.as_ref();
        match l.role {
            Some(Role::Roads) => input.roads.push(l),
            Some(Role::Facilities) => input.facilities.push(l),
            Some(Role::Buildings) => input.buildings.push(l),
            Some(Role::Villages) => input.villages.push(l),
            Some(Role::BuiltUpArea) => input.built_up.push(l),
            Some(Role::Boundary) => input.boundary.push(l),
            _ => {}
        }
    }
    input
}

/// Run the access engine on `layers` (working CRS) with `settings` (each tier in its mode, or one
/// mode for all: [`run_town`]), then the ten ones and the overlays. Stops between steps when
/// cancelled; a bad profile or mode is an error message.
pub fn run_analysis(
    layers: &[Arc<Layer>],
    profile: &Profile,
    taxonomy: &Taxonomy,
    settings: &AnalysisSettings,
    town: Option<GeoRect<f64>>,
    progress: &dyn Progress,
) -> Result<Result<AnalysisOutput, String>, Cancelled> {
    let started = std::time::Instant::now();
    let minutes: Vec<u32> = settings
        .tiers
        .iter()
        .filter(|(_, on)| *on)
        .map(|(m, _)| *m)
        .collect();
    if minutes.is_empty() {
        return Ok(Err(Lang::En.t(tx::NO_TIERS).into()));
    }
    let options = TownOptions {
        mode: match &settings.mode {
            ModeChoice::PerTier => None,
            ModeChoice::One(m) => Some(m.clone()),
        },
        minutes: Some(minutes),
    };
    progress.set_message("access");
    progress.set_fraction(0.05);
    let input = access_input(layers);
    let town_access = match run_town(&input, profile, taxonomy, &options) {
        Ok(t) => t,
        Err(e) => return Ok(Err(e.to_string())),
    };
    Cancelled::check(progress)?;
    progress.set_message("十个一");
    progress.set_fraction(0.6);
    // The rules read plain layers: a copy for this thread.
    let owned: Vec<Layer> = layers.iter().map(|l| Layer::clone(l)).collect();
    let tenones = match evaluate(&owned, profile, taxonomy, &town_access.report) {
        Ok(t) => Some(t),
        Err(e) => return Ok(Err(e.to_string())),
    };
    let mut data_quality: Vec<crate::model::QualityRecord> = owned
        .iter()
        .flat_map(crate::io::quality::layer_records)
        .collect();
    data_quality.extend(crate::access::quality::records(&town_access.report));
    drop(owned);
    Cancelled::check(progress)?;
    progress.set_message("overlays");
    progress.set_fraction(0.8);
    let report = town_access.report;
    let runs: Vec<Arc<Run>> = town_access
        .runs
        .into_iter()
        .map(|r| {
            Arc::new(Run {
                analysis: r.analysis,
                result: r.result,
            })
        })
        .collect();
    let overlays = build_overlays(
        &runs,
        layers,
        &settings.overlay_category,
        settings.overlay_minutes,
        town,
        progress,
    )?;
    progress.set_fraction(1.0);
    Ok(Ok(AnalysisOutput {
        runs,
        report,
        tenones,
        overlays,
        seconds: started.elapsed().as_secs_f64(),
        data_quality,
    }))
}

/// Sequential ramp for the tiers, darkest for the shortest (YlGnBu), semi-transparent.
pub fn tier_colour(rank: usize, n: usize) -> Color32 {
    const RAMP: [[u8; 3]; 3] = [[0x25, 0x34, 0x94], [0x2c, 0x7f, 0xb8], [0x41, 0xb6, 0xc4]];
    let i = if n <= 1 {
        0
    } else {
        (rank * (RAMP.len() - 1) / (n - 1)).min(RAMP.len() - 1)
    };
    let [r, g, b] = RAMP[i];
    Color32::from_rgba_unmultiplied(r, g, b, 100)
}

/// Travel-time band colours (viridis reversed: short is yellow, long is purple), semi-transparent.
pub fn band_colour(band: usize, n_bands: usize) -> Color32 {
    const RAMP: [[u8; 3]; 5] = [
        [0xfd, 0xe7, 0x25],
        [0x5e, 0xc9, 0x62],
        [0x21, 0x91, 0x8c],
        [0x3b, 0x52, 0x8b],
        [0x44, 0x01, 0x54],
    ];
    let i = if n_bands <= 1 {
        0
    } else {
        (band * (RAMP.len() - 1) / (n_bands - 1)).min(RAMP.len() - 1)
    };
    let [r, g, b] = RAMP[i];
    Color32::from_rgba_unmultiplied(r, g, b, 110)
}

fn overlay_style(fill: Color32, stroke: Color32, width: f32) -> FeatureStyle {
    FeatureStyle {
        fill,
        stroke,
        stroke_width_pt: width,
        symbol: super::map::style::Symbol::Square,
        symbol_size_pt: 5.0,
    }
}

fn overlay_layer(name: String, fields: &[(&str, FieldKind)]) -> Layer {
    let mut l = Layer::new(
        name.clone(),
        SourceInfo {
            path: PathBuf::from(format!("analysis://{name}")),
            format: Format::GeoJson,
            table: None,
            encoding: None,
        },
        CrsInfo::declared(Crs::WGS84, "analysis"),
    );
    l.fields = fields.iter().map(|(n, k)| Field::new(*n, *k)).collect();
    l
}

fn push(layer: &mut Layer, geometry: Geometry<f64>, attrs: Vec<AttrValue>) {
    let n = layer.features.len();
    layer.features.push(crate::model::layer::Feature {
        geometry,
        attrs,
        source_id: SourceId::Feature(n as u64),
        category: None,
    });
}

/// The overlays for one category: an isochrone per tier, the travel-time grid in bands, the gaps
/// of the `minutes` tier with their population, and the buildings not covered at that tier.
pub fn build_overlays(
    runs: &[Arc<Run>],
    layers: &[Arc<Layer>],
    category: &str,
    minutes: u32,
    town: Option<GeoRect<f64>>,
    progress: &dyn Progress,
) -> Result<Vec<OverlayLayer>, Cancelled> {
    let mut out = Vec::new();
    let Some(first) = runs.first() else {
        return Ok(out);
    };
    let taxonomy = &first.analysis.taxonomy;
    let Some(cat) = taxonomy.by_id(category) else {
        return Ok(out);
    };
    let cat_zh = taxonomy.get(cat).map(|c| c.zh.clone()).unwrap_or_default();
    let mut all_minutes: Vec<u32> = runs
        .iter()
        .flat_map(|r| r.analysis.tiers.iter().map(|t| t.minutes))
        .collect();
    all_minutes.sort_unstable();
    let run_of = |m: u32| {
        runs.iter()
            .find(|r| r.analysis.tiers.iter().any(|t| t.minutes == m))
    };
    let times_of = |r: &Run, c: CategoryId| {
        r.result
            .categories
            .iter()
            .find(|ct| ct.category == c)
            .cloned()
    };

    // Isochrones, the longest first (drawn below the shorter ones).
    for (rank, m) in all_minutes.iter().enumerate().rev() {
        Cancelled::check(progress)?;
        let Some(r) = run_of(*m) else { continue };
        let Some(ct) = times_of(r, cat) else { continue };
        let poly = r.analysis.category_isochrone(&ct, *m);
        let mut l = overlay_layer(
            format!("等时圈 {m} 分钟 · {cat_zh}"),
            &[("minutes", FieldKind::Int), ("mode", FieldKind::Text)],
        );
        if !poly.0.is_empty() {
            push(
                &mut l,
                poly.into(),
                vec![
                    AttrValue::Int(i64::from(*m)),
                    AttrValue::Text(r.analysis.mode.id.clone()),
                ],
            );
        }
        let fill = tier_colour(rank, all_minutes.len());
        out.push(OverlayLayer {
            kind: OverlayKind::Isochrone,
            layer: l,
            style: overlay_style(fill, fill.to_opaque(), 1.2),
            labels: Vec::new(),
        });
    }

    // The travel-time grid, from the run with the longest tier (its budget covers all bands).
    Cancelled::check(progress)?;
    progress.set_message("grid");
    if let (Some(m_max), Some(ext)) = (all_minutes.last(), town)
        && let Some(r) = run_of(*m_max)
        && let Some(ct) = times_of(r, cat)
    {
        let cell = r.analysis.shapes.time_grid_cell_m.value;
        let extent = ([ext.min().x, ext.min().y], [ext.max().x, ext.max().y]);
        if let Some(grid) = r.analysis.time_grid(&ct, extent, cell) {
            let edges: Vec<u32> = all_minutes.clone();
            let n_bands = edges.len() + 1;
            let mut bands: Vec<Layer> = (0..n_bands)
                .map(|b| {
                    let name = if b < edges.len() {
                        let lo = if b == 0 { 0 } else { edges[b - 1] };
                        format!("出行时间 {lo}–{} 分钟 · {cat_zh}", edges[b])
                    } else {
                        format!("出行时间 >{} 分钟或不可达 · {cat_zh}", edges[b - 1])
                    };
                    overlay_layer(name, &[("minutes", FieldKind::Float)])
                })
                .collect();
            let half = grid.cell_m / 2.0;
            for j in 0..grid.ny {
                for i in 0..grid.nx {
                    let t = grid.get(i, j).unwrap_or(f32::NAN);
                    let min = f64::from(t) / 60.0;
                    let b = if t.is_nan() {
                        n_bands - 1
                    } else {
                        edges
                            .iter()
                            .position(|e| min <= f64::from(*e))
                            .unwrap_or(n_bands - 1)
                    };
                    let c = grid.centre(i, j);
                    let rect = GeoRect::new(
                        coord! { x: c[0] - half, y: c[1] - half },
                        coord! { x: c[0] + half, y: c[1] + half },
                    );
                    let v = if t.is_nan() {
                        AttrValue::Null
                    } else {
                        AttrValue::Float((min * 10.0).round() / 10.0)
                    };
                    push(&mut bands[b], rect.to_polygon().into(), vec![v]);
                }
            }
            for (b, l) in bands.into_iter().enumerate() {
                // Beyond the longest tier: a light grey veil, not a colour of the ramp.
                let fill = if b + 1 == n_bands {
                    Color32::from_rgba_unmultiplied(90, 90, 90, 60)
                } else {
                    band_colour(b, n_bands - 1)
                };
                out.push(OverlayLayer {
                    kind: OverlayKind::TimeGrid,
                    layer: l,
                    style: overlay_style(fill, Color32::TRANSPARENT, 0.0),
                    labels: Vec::new(),
                });
            }
        }
    }

    // Gaps and uncovered buildings at the chosen tier.
    Cancelled::check(progress)?;
    progress.set_message("gaps");
    let tier = if all_minutes.contains(&minutes) {
        Some(minutes)
    } else {
        all_minutes.first().copied()
    };
    if let Some(m) = tier
        && let Some(r) = run_of(m)
        && let Some(ct) = times_of(r, cat)
    {
        let budget = f64::from(m) * 60.0;
        let a = &r.analysis;
        let uncovered: Vec<usize> = (0..a.demand.points.len())
            .filter(|i| !ct.demand_time_s.get(*i).is_some_and(|t| *t <= budget))
            .collect();
        let pts: Vec<([f64; 2], f64)> = uncovered
            .iter()
            .map(|i| (a.demand.points[*i].xy, a.demand.points[*i].weight))
            .collect();
        let mut gl = overlay_layer(
            format!("服务缺口 {m} 分钟 · {cat_zh}"),
            &[
                ("population", FieldKind::Float),
                ("points", FieldKind::Int),
                ("area_m2", FieldKind::Float),
            ],
        );
        let mut labels = Vec::new();
        for g in gap_areas(&pts, a.shapes.gap_cell_m.value) {
            labels.push((g.centre, format!("{:.0} 人", g.population)));
            push(
                &mut gl,
                g.polygon.into(),
                vec![
                    AttrValue::Float(g.population.round()),
                    AttrValue::Int(g.points as i64),
                    AttrValue::Float(g.area_m2.round()),
                ],
            );
        }
        out.push(OverlayLayer {
            kind: OverlayKind::Gaps,
            layer: gl,
            style: overlay_style(
                Color32::from_rgba_unmultiplied(213, 94, 0, 70),
                Color32::from_rgb(213, 94, 0),
                1.8,
            ),
            labels,
        });

        // Buildings: demand points keep their building (input building layer, feature).
        let input = access_input(layers);
        let mut index: HashMap<(u32, SourceId), usize> = HashMap::new();
        for (li, l) in input.buildings.iter().enumerate() {
            for (fi, f) in l.features.iter().enumerate() {
                index.insert((li as u32, f.source_id), fi);
            }
        }
        let mut bl = overlay_layer(
            format!("未覆盖建筑 {m} 分钟 · {cat_zh}"),
            &[
                ("population", FieldKind::Float),
                ("minutes", FieldKind::Float),
            ],
        );
        for i in &uncovered {
            let p = &a.demand.points[*i];
            let Some((li, sid)) = p.origin else { continue };
            let Some(fi) = index.get(&(li, sid)) else {
                continue;
            };
            let Some(f) = input
                .buildings
                .get(li as usize)
                .and_then(|l| l.features.get(*fi))
            else {
                continue;
            };
            let t = ct.demand_time_s.get(*i).copied().unwrap_or(f64::INFINITY);
            push(
                &mut bl,
                f.geometry.clone(),
                vec![
                    AttrValue::Float((p.weight * 10.0).round() / 10.0),
                    if t.is_finite() {
                        AttrValue::Float((t / 6.0).round() / 10.0)
                    } else {
                        AttrValue::Null
                    },
                ],
            );
        }
        out.push(OverlayLayer {
            kind: OverlayKind::UncoveredBuildings,
            layer: bl,
            style: overlay_style(
                Color32::from_rgb(0xcc, 0x1f, 0x6a),
                Color32::from_rgb(0x7a, 0x0f, 0x3e),
                0.8,
            ),
            labels: Vec::new(),
        });
    }
    Ok(out)
}

/// The box around a place: its geometry's, or 150 m around its point.
pub fn place_extent(p: &Place) -> Option<GeoRect<f64>> {
    use geo::BoundingRect;
    if let Some(r) = p.geometry.as_ref().and_then(|g| g.bounding_rect()) {
        return Some(r);
    }
    p.xy.map(|[x, y]| {
        GeoRect::new(
            coord! { x: x - 150.0, y: y - 150.0 },
            coord! { x: x + 150.0, y: y + 150.0 },
        )
    })
}

/// The geometry to highlight for a place: its shape or its point.
pub fn place_geometry(p: &Place) -> Option<Geometry<f64>> {
    p.geometry
        .clone()
        .or_else(|| p.xy.map(|[x, y]| geo_types::Point::new(x, y).into()))
}

/// The failing places of an item, over all its checks.
pub fn failing_places(rule: &RuleResult) -> Vec<&Place> {
    rule.checks.iter().flat_map(|c| c.failing.iter()).collect()
}

pub fn verdict_colour(v: Verdict) -> Color32 {
    let [r, g, b] = v.rgb();
    Color32::from_rgb(r, g, b)
}

fn verdict_label(v: Verdict, lang: Lang) -> &'static str {
    match lang {
        Lang::Zh => v.zh(),
        Lang::En => v.en(),
    }
}

/// A coloured verdict badge.
pub fn verdict_badge(ui: &mut egui::Ui, v: Verdict, lang: Lang) {
    ui.label(
        RichText::new(format!(" {} ", verdict_label(v, lang)))
            .color(Color32::WHITE)
            .background_color(verdict_colour(v))
            .strong(),
    );
}

/// What the checklist asks the app to do.
#[derive(Debug, Clone, PartialEq)]
pub enum ChecklistAction {
    /// Show this item's evidence (index into the rules) and highlight its failing places.
    SelectRule(usize),
    /// Zoom to one failing place (rule, check, place).
    ZoomPlace(usize, usize, usize),
}

fn provenance_text(p: Provenance, lang: Lang) -> String {
    let tag = String::from(p);
    match lang {
        Lang::Zh => format!("[{tag}]"),
        Lang::En => format!("[{tag}: {}]", p.meaning()),
    }
}

/// The ten-ones checklist: one row per item with its coloured verdict; the selected item's checks,
/// measures, failing places and thresholds (with provenance) below.
pub fn checklist_ui(
    ui: &mut egui::Ui,
    report: &TenOnesReport,
    quality: &[crate::model::QualityRecord],
    selected: Option<usize>,
    lang: Lang,
) -> Vec<ChecklistAction> {
    let mut actions = Vec::new();
    let tally = report.tally();
    ui.horizontal_wrapped(|ui| {
        for (v, n) in Verdict::ALL.iter().zip(tally) {
            ui.label(
                RichText::new(format!("{} {n}", verdict_label(*v, lang))).color(verdict_colour(*v)),
            );
        }
    });
    for f in &report.flags {
        ui.label(RichText::new(format!("⚠ {f}")).color(ui.visuals().warn_fg_color));
    }
    for (i, r) in report.rules.iter().enumerate() {
        ui.horizontal(|ui| {
            verdict_badge(ui, r.verdict, lang);
            let name = match lang {
                Lang::Zh => &r.zh,
                Lang::En => &r.en,
            };
            let score = r.score.map(|s| format!("  {s:.0}")).unwrap_or_default();
            let text = format!("{}. {name}{score}", r.number);
            if ui.selectable_label(selected == Some(i), text).clicked() {
                actions.push(ChecklistAction::SelectRule(i));
            }
            // The verdict rests on a layer with lost features: say so beside it.
            let affecting = crate::tenones::quality_affecting(r, quality);
            if !affecting.is_empty() {
                let lines: Vec<String> = affecting.iter().map(|q| lang.quality_line(q)).collect();
                ui.label(
                    RichText::new(format!("⚠ {}", lang.t(tx::DATA_INCOMPLETE)))
                        .color(Color32::from_rgb(0xc0, 0x10, 0x30))
                        .small(),
                )
                .on_hover_text(lines.join("\n\n"));
            }
        });
    }
    let Some(r) = selected.and_then(|i| report.rules.get(i).map(|r| (i, r))) else {
        return actions;
    };
    let (ri, r) = r;
    ui.separator();
    ui.strong(match lang {
        Lang::Zh => format!("{}. {}", r.number, r.zh),
        Lang::En => format!("{}. {}", r.number, r.en),
    });
    for (ci, c) in r.checks.iter().enumerate() {
        ui.horizontal_wrapped(|ui| {
            verdict_badge(ui, c.verdict, lang);
            ui.label(match lang {
                Lang::Zh => &c.zh,
                Lang::En => &c.en,
            });
        });
        ui.indent(("check", ri, ci), |ui| {
            for m in &c.measures {
                let name = match lang {
                    Lang::Zh => &m.zh,
                    Lang::En => &m.en,
                };
                ui.label(format!("{name}: {} {}", fmt_num(m.value), m.unit));
            }
            let missing = match lang {
                Lang::Zh => &c.missing_zh,
                Lang::En => &c.missing_en,
            };
            for s in missing {
                ui.label(RichText::new(format!("{}: {s}", lang.t(tx::MISSING))).weak());
            }
            if !c.failing.is_empty() {
                ui.label(RichText::new(lang.t(tx::FAILING_PLACES)).strong());
            }
            for (pi, p) in c.failing.iter().enumerate() {
                let name = match lang {
                    Lang::Zh => &p.zh,
                    Lang::En => &p.en,
                };
                let mut text = name.clone();
                if let Some(v) = p.value {
                    text.push_str(&format!(" — {} {}", fmt_num(v), p.unit));
                }
                if let Some(pop) = p.population {
                    text.push_str(&format!(" ({:.0} {})", pop, lang.t(tx::PEOPLE)));
                }
                let zoomable = place_extent(p).is_some();
                if ui
                    .add_enabled(zoomable, egui::Button::new(text).small())
                    .on_hover_text(lang.t(tx::ZOOM_SELECTION))
                    .clicked()
                {
                    actions.push(ChecklistAction::ZoomPlace(ri, ci, pi));
                }
            }
        });
    }
    if !r.thresholds.is_empty() {
        ui.label(RichText::new(lang.t(tx::THRESHOLDS)).strong());
        for t in &r.thresholds {
            let name = match lang {
                Lang::Zh => &t.zh,
                Lang::En => &t.en,
            };
            ui.label(format!(
                "{name}: {} {} {}",
                fmt_num(t.value),
                t.unit,
                provenance_text(t.source, lang)
            ))
            .on_hover_text(format!("{}\n{}", t.key, t.cite));
        }
    }
    let rec = match lang {
        Lang::Zh => &r.recommendation_zh,
        Lang::En => &r.recommendation_en,
    };
    if !rec.is_empty() {
        ui.label(RichText::new(format!("{}: {rec}", lang.t(tx::RECOMMENDATION))).italics());
    }
    actions
}

fn fmt_num(v: f64) -> String {
    if (v - v.round()).abs() < 1e-9 {
        format!("{v:.0}")
    } else {
        format!("{v:.1}")
    }
}

/// Coverage bars of every facility type at one tier: town and built-up area (建成区), percent.
pub fn coverage_chart_ui(ui: &mut egui::Ui, report: &AccessReport, minutes: u32, lang: Lang) {
    use egui_plot::{Bar, BarChart, Legend, Plot};
    let rows: Vec<(String, Option<f64>, Option<f64>)> = report
        .categories
        .iter()
        .filter(|c| {
            c.facility_count > 0
                || report
                    .tiers
                    .iter()
                    .any(|t| t.required.iter().any(|r| r.split('|').any(|id| id == c.id)))
        })
        .filter_map(|c| {
            let t = c.tiers.iter().find(|t| t.minutes == minutes)?;
            let name = match lang {
                Lang::Zh => c.zh.clone(),
                Lang::En => c.en.clone(),
            };
            Some((name, t.town.percent, t.built_up.and_then(|b| b.percent)))
        })
        .collect();
    if rows.is_empty() {
        ui.label(RichText::new(lang.t(tx::NO_RESULTS)).weak());
        return;
    }
    let n = rows.len();
    let town: Vec<Bar> = rows
        .iter()
        .enumerate()
        .map(|(i, (name, p, _))| {
            Bar::new((n - 1 - i) as f64 + 0.2, p.unwrap_or(0.0))
                .width(0.38)
                .name(name)
        })
        .collect();
    let built: Vec<Bar> = rows
        .iter()
        .enumerate()
        .map(|(i, (name, _, p))| {
            Bar::new((n - 1 - i) as f64 - 0.2, p.unwrap_or(0.0))
                .width(0.38)
                .name(name)
        })
        .collect();
    let names: Vec<String> = rows.iter().rev().map(|r| r.0.clone()).collect();
    let height = n as f32 * 22.0 + 60.0;
    Plot::new(("coverage", minutes))
        .height(height)
        .legend(Legend::default())
        .allow_zoom(false)
        .allow_drag(false)
        .allow_scroll(false)
        .include_x(0.0)
        .include_x(100.0)
        .y_grid_spacer(move |input| {
            let (lo, hi) = input.bounds;
            (lo.ceil().max(0.0) as i64..=hi.floor() as i64)
                .map(|v| egui_plot::GridMark {
                    value: v as f64,
                    step_size: 1.0,
                })
                .collect()
        })
        .custom_y_axes(vec![
            egui_plot::AxisHints::new_y()
                .formatter(move |mark, _| {
                    let i = mark.value.round();
                    if (mark.value - i).abs() < 1e-6 && i >= 0.0 {
                        names.get(i as usize).cloned().unwrap_or_default()
                    } else {
                        String::new()
                    }
                })
                .label_spacing(12.0..=14.0)
                .min_thickness(110.0),
        ])
        .x_axis_formatter(|mark, _| format!("{:.0}%", mark.value))
        .show(ui, |p| {
            p.bar_chart(
                BarChart::new(lang.t(tx::TOWN), town)
                    .horizontal()
                    .color(Color32::from_rgb(0x1f, 0x77, 0xb4)),
            );
            p.bar_chart(
                BarChart::new(lang.t(tx::BUILT_UP), built)
                    .horizontal()
                    .color(Color32::from_rgb(0xe6, 0x7e, 0x22)),
            );
        });
}

/// The "all required types" coverage per tier as a small table.
pub fn all_required_ui(ui: &mut egui::Ui, report: &AccessReport, lang: Lang) {
    let pct = |p: Option<f64>| p.map_or("—".to_string(), |p| format!("{p:.1}%"));
    egui::Grid::new("all-required")
        .striped(true)
        .show(ui, |ui| {
            ui.strong(lang.t(tx::TIERS));
            ui.strong(lang.t(tx::TOWN));
            ui.strong(lang.t(tx::BUILT_UP));
            ui.strong(lang.t(tx::MISSING));
            ui.end_row();
            for a in &report.all_required {
                ui.label(format!("{} {}", a.minutes, lang.t(tx::MINUTES)));
                ui.label(pct(a.coverage.town.percent));
                ui.label(pct(a.coverage.built_up.and_then(|b| b.percent)));
                ui.label(a.missing.join(", "));
                ui.end_row();
            }
        });
}

/// The analysis panel's state: settings, the running job, the last results.
pub struct AnalysisState {
    pub settings: AnalysisSettings,
    pub profile: Result<Arc<Profile>, String>,
    pub results: Option<AnalysisOutput>,
    pub job: Option<Job<Result<AnalysisOutput, String>>>,
    pub overlay_job: Option<Job<OverlayOutput>>,
    /// Writing the report: the folder and the files written, or the error.
    pub report_job: Option<Job<ReportWritten>>,
    /// The ten-ones item whose evidence is shown.
    pub selected_rule: Option<usize>,
    /// The tier the coverage chart shows.
    pub chart_minutes: u32,
    /// Show the ten-ones checklist (else the coverage).
    pub show_tenones: bool,
    profile_tx: Sender<PathBuf>,
    profile_rx: Receiver<PathBuf>,
}

impl Default for AnalysisState {
    fn default() -> Self {
        let profile = Profile::default();
        let (profile_tx, profile_rx) = channel();
        AnalysisState {
            settings: AnalysisSettings::for_profile(&profile, ProfileChoice::Shipped),
            chart_minutes: profile.tiers.first().map_or(5, |t| t.minutes),
            profile: Ok(Arc::new(profile)),
            results: None,
            job: None,
            overlay_job: None,
            report_job: None,
            selected_rule: None,
            show_tenones: false,
            profile_tx,
            profile_rx,
        }
    }
}

impl AnalysisSettings {
    /// Every tier of the profile on, each with its own mode; overlays for the health centre.
    pub fn for_profile(profile: &Profile, choice: ProfileChoice) -> Self {
        AnalysisSettings {
            profile_choice: choice,
            mode: ModeChoice::PerTier,
            tiers: profile.tiers.iter().map(|t| (t.minutes, true)).collect(),
            overlay_category: "health_center".into(),
            overlay_minutes: profile
                .tiers
                .iter()
                .map(|t| t.minutes)
                .find(|m| *m == 15)
                .or_else(|| profile.tiers.first().map(|t| t.minutes))
                .unwrap_or(15),
        }
    }
}

impl AnalysisState {
    pub fn is_busy(&self) -> bool {
        self.job.is_some() || self.overlay_job.is_some() || self.report_job.is_some()
    }

    /// Use another profile: its tiers replace the settings' tiers.
    pub fn set_profile(&mut self, choice: ProfileChoice) {
        match load_profile(&choice) {
            Ok(p) => {
                let keep = (
                    self.settings.overlay_category.clone(),
                    self.settings.mode.clone(),
                );
                self.settings = AnalysisSettings::for_profile(&p, choice);
                self.settings.overlay_category = keep.0;
                if let ModeChoice::One(m) = &keep.1
                    && p.mode(m).is_some()
                {
                    self.settings.mode = keep.1;
                }
                self.profile = Ok(Arc::new(p));
            }
            Err(e) => {
                self.settings.profile_choice = choice;
                self.profile = Err(e);
            }
        }
    }

    /// A profile file picked in the dialog, if one arrived.
    pub fn take_picked_profile(&mut self) -> Option<PathBuf> {
        self.profile_rx.try_recv().ok()
    }

    /// Ask for a profile file on a dialog thread (the frame loop goes on).
    pub fn spawn_profile_dialog(&self, title: &str) {
        let tx = self.profile_tx.clone();
        let title = title.to_string();
        let run = move || {
            if let Some(p) = rfd::FileDialog::new()
                .set_title(title)
                .add_filter("TOML", &["toml"])
                .pick_file()
            {
                let _ = tx.send(p);
            }
        };
        if cfg!(target_os = "macos") {
            run();
        } else {
            let _ = std::thread::Builder::new()
                .name("profile dialog".into())
                .spawn(run);
        }
    }

    /// Category ids the overlays can show: those with facilities, else those required.
    pub fn overlay_categories(&self) -> Vec<(String, String, String)> {
        if let Some(r) = &self.results {
            return r
                .report
                .categories
                .iter()
                .filter(|c| c.facility_count > 0)
                .map(|c| (c.id.clone(), c.zh.clone(), c.en.clone()))
                .collect();
        }
        Vec::new()
    }

    /// The analysis panel. Returns what the app should do.
    pub fn ui(&mut self, ui: &mut egui::Ui, lang: Lang, has_layers: bool) -> Vec<Command> {
        let mut commands = Vec::new();
        ui.heading(lang.t(tx::ANALYSIS));
        let busy = self.is_busy();
        ui.add_enabled_ui(!busy, |ui| {
            egui::Grid::new("analysis-settings")
                .num_columns(2)
                .show(ui, |ui| {
                    let label = ui.label(lang.t(tx::PROFILE));
                    let current = match &self.settings.profile_choice {
                        ProfileChoice::Shipped => lang.t(tx::PROFILE_SHIPPED).to_string(),
                        ProfileChoice::Named(n) => n.clone(),
                        ProfileChoice::File(p) => p
                            .file_name()
                            .map(|n| n.to_string_lossy().into_owned())
                            .unwrap_or_default(),
                    };
                    egui::ComboBox::from_id_salt("profile")
                        .selected_text(current)
                        .show_ui(ui, |ui| {
                            if ui
                                .selectable_label(
                                    self.settings.profile_choice == ProfileChoice::Shipped,
                                    lang.t(tx::PROFILE_SHIPPED),
                                )
                                .clicked()
                            {
                                commands.push(Command::SetProfile(ProfileChoice::Shipped));
                            }
                            // The other shipped profiles (the first is the default above).
                            for (name, _) in
                                crate::standards::profile::SHIPPED_PROFILES.iter().skip(1)
                            {
                                let choice = ProfileChoice::Named((*name).to_string());
                                if ui
                                    .selectable_label(self.settings.profile_choice == choice, *name)
                                    .clicked()
                                {
                                    commands.push(Command::SetProfile(choice));
                                }
                            }
                            if ui
                                .selectable_label(false, lang.t(tx::PROFILE_FROM_FILE))
                                .clicked()
                            {
                                commands.push(Command::ProfileDialog);
                            }
                        })
                        .response
                        .labelled_by(label.id);
                    ui.end_row();

                    let label = ui.label(lang.t(tx::MODE));
                    let profile = self.profile.as_ref().ok().cloned();
                    let mode_name = |id: &str| -> String {
                        match (id, lang) {
                            ("walk", _) => lang.t(tx::MODE_WALK).into(),
                            ("bike", _) => lang.t(tx::MODE_BIKE).into(),
                            ("ebike", _) => lang.t(tx::MODE_EBIKE).into(),
                            ("car", _) => lang.t(tx::MODE_CAR).into(),
                            (other, Lang::Zh) => profile
                                .as_ref()
                                .and_then(|p| p.mode(other))
                                .map_or(other.to_string(), |m| m.zh.clone()),
                            (other, Lang::En) => profile
                                .as_ref()
                                .and_then(|p| p.mode(other))
                                .map_or(other.to_string(), |m| m.en.clone()),
                        }
                    };
                    let current = match &self.settings.mode {
                        ModeChoice::PerTier => lang.t(tx::MODE_PER_TIER).to_string(),
                        ModeChoice::One(id) => mode_name(id),
                    };
                    egui::ComboBox::from_id_salt("mode")
                        .selected_text(current)
                        .show_ui(ui, |ui| {
                            ui.selectable_value(
                                &mut self.settings.mode,
                                ModeChoice::PerTier,
                                lang.t(tx::MODE_PER_TIER),
                            );
                            if let Some(p) = &profile {
                                for m in &p.modes {
                                    ui.selectable_value(
                                        &mut self.settings.mode,
                                        ModeChoice::One(m.id.clone()),
                                        mode_name(&m.id),
                                    );
                                }
                            }
                        })
                        .response
                        .labelled_by(label.id);
                    ui.end_row();

                    ui.label(lang.t(tx::TIERS));
                    ui.horizontal(|ui| {
                        for (m, on) in &mut self.settings.tiers {
                            let per_tier_mode = match (&self.settings.mode, &profile) {
                                (ModeChoice::PerTier, Some(p)) => {
                                    p.tier(*m).map(|t| mode_name(&t.mode))
                                }
                                _ => None,
                            };
                            let r = ui.checkbox(on, format!("{m} {}", lang.t(tx::MINUTES)));
                            if let Some(mode) = per_tier_mode {
                                r.on_hover_text(mode);
                            }
                        }
                    });
                    ui.end_row();
                });
            if let Err(e) = &self.profile {
                ui.label(RichText::new(e).color(ui.visuals().error_fg_color));
            }
            let can_run = has_layers && self.profile.is_ok();
            let run = ui
                .add_enabled(can_run, egui::Button::new(lang.t(tx::RUN)))
                .on_hover_text("F5")
                .on_disabled_hover_text(lang.t(tx::NEEDS_LAYERS));
            if run.clicked() {
                commands.push(Command::RunAnalysis);
            }
        });
        let Some(results) = &self.results else {
            return commands;
        };

        // Overlays: category and tier.
        let cats = self.overlay_categories();
        ui.separator();
        ui.add_enabled_ui(!busy, |ui| {
            ui.horizontal(|ui| {
                let label = ui.label(lang.t(tx::OVERLAY_FOR));
                let name = |id: &str| {
                    cats.iter()
                        .find(|c| c.0 == id)
                        .map(|c| match lang {
                            Lang::Zh => c.1.clone(),
                            Lang::En => c.2.clone(),
                        })
                        .unwrap_or_else(|| id.to_string())
                };
                let mut chosen = self.settings.overlay_category.clone();
                egui::ComboBox::from_id_salt("overlay-category")
                    .selected_text(name(&chosen))
                    .show_ui(ui, |ui| {
                        for c in &cats {
                            ui.selectable_value(&mut chosen, c.0.clone(), name(&c.0));
                        }
                    })
                    .response
                    .labelled_by(label.id);
                if chosen != self.settings.overlay_category {
                    self.settings.overlay_category = chosen;
                    commands.push(Command::RebuildOverlays);
                }
            });
            ui.horizontal(|ui| {
                ui.label(lang.t(tx::OVERLAY_TIER));
                for t in &results.report.tiers {
                    if ui
                        .selectable_label(
                            self.settings.overlay_minutes == t.minutes,
                            format!("{} {}", t.minutes, lang.t(tx::MINUTES)),
                        )
                        .clicked()
                        && self.settings.overlay_minutes != t.minutes
                    {
                        self.settings.overlay_minutes = t.minutes;
                        commands.push(Command::RebuildOverlays);
                    }
                }
            });
        });

        // Coverage.
        let report = &results.report;
        let incomplete: std::collections::BTreeSet<&str> = results
            .data_quality
            .iter()
            .filter(|q| q.loses_features)
            .map(|q| q.file.as_str())
            .collect();
        if !incomplete.is_empty() {
            ui.label(
                RichText::new(lang.data_incomplete(incomplete.len()))
                    .color(Color32::from_rgb(0xc0, 0x10, 0x30))
                    .strong(),
            );
        }
        for f in &report.flags {
            ui.label(RichText::new(format!("⚠ {f}")).color(ui.visuals().warn_fg_color));
        }
        ui.separator();
        ui.horizontal(|ui| {
            ui.selectable_value(&mut self.show_tenones, false, lang.t(tx::COVERAGE));
            ui.selectable_value(&mut self.show_tenones, true, lang.t(tx::TEN_ONES));
        });
        if !self.show_tenones {
            ui.horizontal(|ui| {
                for t in &report.tiers {
                    let mode = t.profile_mode.clone().unwrap_or_default();
                    ui.selectable_value(
                        &mut self.chart_minutes,
                        t.minutes,
                        format!("{} {}", t.minutes, lang.t(tx::MINUTES)),
                    )
                    .on_hover_text(mode);
                }
            });
            coverage_chart_ui(ui, report, self.chart_minutes, lang);
            ui.label(RichText::new(lang.t(tx::ALL_REQUIRED)).strong());
            all_required_ui(ui, report, lang);
            if !report.warnings.is_empty() {
                egui::CollapsingHeader::new(format!(
                    "{} ({})",
                    lang.t(tx::WARNINGS),
                    report.warnings.len()
                ))
                .show(ui, |ui| {
                    for w in &report.warnings {
                        ui.label(RichText::new(w).small());
                    }
                });
            }
        } else {
            match &results.tenones {
                Some(t) => {
                    for a in checklist_ui(ui, t, &results.data_quality, self.selected_rule, lang) {
                        commands.push(match a {
                            ChecklistAction::SelectRule(i) => Command::SelectRule(i),
                            ChecklistAction::ZoomPlace(r, c, p) => Command::ZoomPlace(r, c, p),
                        });
                    }
                }
                None => {
                    ui.label(
                        RichText::new(lang.t(tx::TENONES_PENDING))
                            .color(ui.visuals().warn_fg_color),
                    );
                }
            }
        }
        commands
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tenones::result::{Check, Measure, ProfileRef, ThresholdUsed};
    use egui_kittest::Harness;
    use egui_kittest::kittest::Queryable;

    pub(crate) fn sample_report() -> TenOnesReport {
        let rules = (1..=10u8)
            .map(|n| RuleResult {
                number: n,
                id: format!("rule{n}"),
                zh: format!("第{n}项"),
                en: format!("Item {n}"),
                verdict: Verdict::ALL[usize::from(n) % 4],
                score: Some(f64::from(n) * 10.0),
                checks: vec![Check {
                    key: format!("c{n}"),
                    zh: format!("检查{n}"),
                    en: format!("Check {n}"),
                    verdict: Verdict::Fail,
                    measures: vec![Measure {
                        key: "m".into(),
                        zh: "最远步行距离".into(),
                        en: "Farthest walk".into(),
                        value: 462.0,
                        unit: "m".into(),
                    }],
                    failing: vec![Place {
                        zh: format!("茶山村{n}"),
                        en: format!("Chashan {n}"),
                        layer: None,
                        source: None,
                        xy: Some([1000.0 * f64::from(n), 500.0]),
                        geometry: None,
                        value: Some(34.5),
                        unit: "min".into(),
                        population: Some(120.0),
                    }],
                    missing_zh: vec![],
                    missing_en: vec![],
                }],
                thresholds: vec![ThresholdUsed {
                    key: "education.kindergarten_walk_m".into(),
                    zh: "幼儿园服务半径".into(),
                    en: "Kindergarten radius".into(),
                    value: 300.0,
                    unit: "m".into(),
                    source: Provenance::Proposed,
                    cite: "proposed".into(),
                }],
                recommendation_zh: "增设幼儿园".into(),
                recommendation_en: "Add a kindergarten".into(),
            })
            .collect();
        TenOnesReport {
            profile: ProfileRef {
                id: "p".into(),
                name: "p".into(),
                version: "1".into(),
                path: String::new(),
            },
            rules,
            flags: vec!["synthetic data".into()],
        }
    }

    #[test]
    fn the_checklist_lists_ten_items_and_clicking_one_shows_its_evidence() {
        let report = sample_report();
        let state = (None::<usize>, Vec::<ChecklistAction>::new());
        let mut h = Harness::builder()
            .with_size([500.0, 900.0])
            .with_context_setup(super::super::fonts::install_bundled)
            .build_ui_state(
                move |ui, st: &mut (Option<usize>, Vec<ChecklistAction>)| {
                    let acts = checklist_ui(ui, &report, &[], st.0, Lang::Zh);
                    for a in &acts {
                        if let ChecklistAction::SelectRule(i) = a {
                            st.0 = Some(*i);
                        }
                    }
                    st.1.extend(acts);
                },
                state,
            );
        h.run();
        for n in 1..=10 {
            let label = format!("{n}. 第{n}项  {}", n * 10);
            assert!(h.query_by_label(&label).is_some(), "{label}");
        }
        assert!(h.query_by_label("茶山村3 — 34.5 min (120 人)").is_none());
        h.get_by_label("3. 第3项  30").click();
        h.run();
        assert_eq!(h.state().0, Some(2));
        assert!(h.query_by_label("最远步行距离: 462 m").is_some());
        assert!(h.query_by_label("幼儿园服务半径: 300 m [P]").is_some());
        h.get_by_label("茶山村3 — 34.5 min (120 人)").click();
        h.run();
        assert!(h.state().1.contains(&ChecklistAction::ZoomPlace(2, 0, 0)));
    }

    #[test]
    fn colour_ramps_go_from_dark_to_light_and_stay_see_through() {
        let l = |c: Color32| u32::from(c.r()) + u32::from(c.g()) + u32::from(c.b());
        assert!(l(tier_colour(0, 3)) < l(tier_colour(1, 3)));
        assert!(l(tier_colour(1, 3)) < l(tier_colour(2, 3)));
        assert!(tier_colour(2, 3).a() < 255);
        assert_ne!(band_colour(0, 4), band_colour(3, 4));
    }
}
