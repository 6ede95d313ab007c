//! Suggested sites in the app: K new sites of one category at one tier (maximal covering,
//! existing facilities kept — those of the scenario shown when one is), computed in a
//! background job, shown as numbered markers with the people each adds; "accept" makes one a
//! scenario edit.

use std::sync::Arc;

use egui::Color32;
use geo_types::{Geometry, Point};

use crate::access::suggest::{Goal, Model, SuggestRequest, Suggestion, suggest};
use crate::access::{AccessReport, ModeRun, TownAccess};
use crate::model::layer::{AttrValue, FieldKind};
use crate::model::{CategoryId, Layer};

use super::super::Command;
use super::super::analysis::{
    OverlayKind, OverlayLayer, Run, access_input, overlay_layer, overlay_style, push,
};
use super::super::doc::MapLabel;
use super::super::i18n::{Lang, tx};
use super::super::jobs::Job;
use super::super::map::style::Symbol;

/// The suggestion asked for and its answer.
pub struct SuggestState {
    /// How many sites (K).
    pub count: usize,
    /// The tier the sites are for (the overlay tier, set by the app each frame).
    pub minutes: u32,
    pub job: Option<Job<Result<Suggestion, String>>>,
    pub result: Option<Suggestion>,
    /// Ranks of the sites accepted into the scenario.
    pub accepted: Vec<usize>,
    /// The last suggestion that failed, in words.
    pub error: Option<String>,
}

impl Default for SuggestState {
    fn default() -> Self {
        SuggestState {
            count: 2,
            minutes: 15,
            job: None,
            result: None,
            accepted: Vec::new(),
            error: None,
        }
    }
}

/// Sites for `category` at `minutes` on the town of `runs` (with their report), candidates from
/// the built-up area of `layers` (the town boundary without one).
pub fn run_suggest(
    runs: &[Arc<Run>],
    report: &AccessReport,
    layers: &[Arc<Layer>],
    category: CategoryId,
    minutes: u32,
    count: usize,
) -> Result<Suggestion, String> {
    let town = TownAccess {
        runs: runs
            .iter()
            .map(|r| ModeRun {
                analysis: crate::access::Analysis::clone(&r.analysis),
                result: r.result.clone(),
            })
            .collect(),
        report: report.clone(),
    };
    let input = access_input(layers);
    let request = SuggestRequest::new(category, minutes, Model::Mclp, Goal::Count(count));
    suggest(&town, &input, &request).map_err(|e| e.to_string())
}

/// The sites as numbered markers (orange; accepted ones hollow), labelled with the people each
/// adds.
pub fn site_overlay(s: &Suggestion, accepted: &[usize]) -> OverlayLayer {
    let fields = [("rank", FieldKind::Int), ("added", FieldKind::Float)];
    let mut layer = overlay_layer(format!("建议选址：{}", s.category.zh), &fields);
    let mut labels = Vec::new();
    for site in s.sites.iter().filter(|x| !accepted.contains(&x.rank)) {
        push(
            &mut layer,
            Geometry::Point(Point::new(site.xy[0], site.xy[1])),
            vec![
                AttrValue::Int(site.rank as i64),
                AttrValue::Float(site.added_weight),
            ],
        );
        labels.push((
            site.xy,
            MapLabel::Site {
                rank: site.rank,
                people: site.added_weight,
            },
        ));
    }
    let mut style = overlay_style(Color32::from_rgb(0xf5, 0x8a, 0x07), Color32::BLACK, 1.5);
    style.symbol = Symbol::Hexagon;
    style.symbol_size_pt = 16.0;
    OverlayLayer {
        kept: Vec::new(),
        chunks: None,
        kind: OverlayKind::Suggested,
        layer,
        style,
        labels,
    }
}

impl SuggestState {
    /// The suggestion's part of the scenario panel: K, the button, the sites with "accept".
    pub fn ui(&mut self, ui: &mut egui::Ui, lang: Lang) -> Vec<Command> {
        let minutes = self.minutes;
        let mut commands = Vec::new();
        ui.horizontal(|ui| {
            let label = ui.label(lang.t(tx::SUGGEST_COUNT));
            ui.add(egui::DragValue::new(&mut self.count).range(1..=20))
                .labelled_by(label.id);
            let busy = self.job.is_some();
            if ui
                .add_enabled(!busy, egui::Button::new(lang.t(tx::SUGGEST)))
                .on_hover_text(format!("{minutes} {}", lang.t(tx::MINUTES)))
                .clicked()
            {
                commands.push(Command::Suggest);
            }
            if busy {
                ui.spinner();
            }
        });
        if let Some(e) = &self.error {
            ui.label(egui::RichText::new(e).color(ui.visuals().error_fg_color));
        }
        let Some(s) = &self.result else {
            return commands;
        };
        ui.label(
            egui::RichText::new(lang.suggest_summary(
                match lang {
                    Lang::Zh => &s.category.zh,
                    Lang::En => &s.category.en,
                },
                s.minutes,
                s.before.town.percent,
                s.after.town.percent,
            ))
            .weak(),
        );
        for site in &s.sites {
            ui.horizontal(|ui| {
                ui.label(format!(
                    "{}. +{:.0} {}",
                    site.rank,
                    site.added_weight,
                    lang.t(tx::PEOPLE)
                ));
                if self.accepted.contains(&site.rank) {
                    ui.label(egui::RichText::new(lang.t(tx::ACCEPTED)).weak());
                } else if ui
                    .button(format!("{} {}", lang.t(tx::ACCEPT), site.rank))
                    .clicked()
                {
                    commands.push(Command::AcceptSite(site.rank));
                }
            });
        }
        for w in &s.warnings {
            ui.label(egui::RichText::new(w).small().weak());
        }
        commands
    }
}
