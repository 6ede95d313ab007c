//! The scenario panel (方案): the scenario list, the edit tools, the edits made, and the
//! comparison of base and scenario (coverage per type and tier, people newly covered, verdicts
//! that change).

use egui::{Color32, RichText};

use crate::access::AccessReport;
use crate::tenones::result::{TenOnesReport, Verdict};

use super::super::Command;
use super::super::i18n::{Lang, tx};
use super::{Change, ScenarioState, Tool, parse_capacity};

/// One row of the comparison: a facility type (or all required types) at one tier.
#[derive(Debug, Clone, PartialEq)]
pub struct CompareRow {
    /// The type's id, or "" for all required types together.
    pub id: String,
    pub zh: String,
    pub en: String,
    pub minutes: u32,
    pub base_percent: Option<f64>,
    pub scenario_percent: Option<f64>,
    /// People covered in the scenario minus in the base (town scope).
    pub people_gained: f64,
}

/// Base against scenario, for every type and tier whose figures differ, and for all required
/// types at every tier (always listed).
pub fn compare_rows(base: &AccessReport, scenario: &AccessReport) -> Vec<CompareRow> {
    let mut rows = Vec::new();
    for (b, s) in base.all_required.iter().zip(&scenario.all_required) {
        rows.push(CompareRow {
            id: String::new(),
            zh: "全部必需设施".into(),
            en: "All required types".into(),
            minutes: b.minutes,
            base_percent: b.coverage.town.percent,
            scenario_percent: s.coverage.town.percent,
            people_gained: s.coverage.town.covered_weight - b.coverage.town.covered_weight,
        });
    }
    for s in &scenario.categories {
        let b = base.categories.iter().find(|b| b.id == s.id);
        for (k, st) in s.tiers.iter().enumerate() {
            let bt = b.and_then(|b| b.tiers.get(k));
            let before = bt.map_or(0.0, |t| t.town.covered_weight);
            let gained = st.town.covered_weight - before;
            if gained.abs() < 1e-9 && b.is_some_and(|b| b.facility_count == s.facility_count) {
                continue;
            }
            rows.push(CompareRow {
                id: s.id.clone(),
                zh: s.zh.clone(),
                en: s.en.clone(),
                minutes: st.minutes,
                base_percent: bt.and_then(|t| t.town.percent),
                scenario_percent: st.town.percent,
                people_gained: gained,
            });
        }
    }
    rows
}

/// Ten-ones items whose verdict differs: (number, item name zh, en, base, scenario).
pub fn verdict_changes(
    base: &TenOnesReport,
    scenario: &TenOnesReport,
) -> Vec<(u8, String, String, Verdict, Verdict)> {
    base.rules
        .iter()
        .filter_map(|b| {
            let s = scenario.rules.iter().find(|s| s.number == b.number)?;
            (s.verdict != b.verdict)
                .then(|| (b.number, b.zh.clone(), b.en.clone(), b.verdict, s.verdict))
        })
        .collect()
}

fn pct(p: Option<f64>) -> String {
    p.map_or("—".into(), |p| format!("{p:.1}%"))
}

impl ScenarioState {
    /// The panel. `categories`: (id, zh, en) of the types a facility can be given;
    /// `reports`: base and scenario reports when a scenario is shown.
    pub fn ui(
        &mut self,
        ui: &mut egui::Ui,
        lang: Lang,
        categories: &[(String, String, String)],
        reports: Option<(&AccessReport, &AccessReport)>,
        tenones: Option<(&TenOnesReport, &TenOnesReport)>,
        has_analysis: bool,
    ) -> Vec<Command> {
        let mut commands = Vec::new();
        ui.separator();
        ui.heading(lang.t(tx::SCENARIOS));
        if !has_analysis {
            ui.label(RichText::new(lang.t(tx::SCENARIO_NEEDS_ANALYSIS)).weak());
            return commands;
        }
        ui.horizontal_wrapped(|ui| {
            if ui
                .selectable_label(self.active.is_none(), lang.t(tx::SCENARIO_BASE))
                .clicked()
                && self.active.is_some()
            {
                commands.push(Command::SelectScenario(None));
            }
            for (i, s) in self.scenarios.iter().enumerate() {
                if ui
                    .selectable_label(self.active == Some(i), &s.name)
                    .clicked()
                    && self.active != Some(i)
                {
                    commands.push(Command::SelectScenario(Some(i)));
                }
            }
            if ui.button(lang.t(tx::SCENARIO_NEW)).clicked() {
                commands.push(Command::NewScenario);
            }
        });
        let Some(doc) = self.current() else {
            return commands;
        };
        let (n_changes, n_redo) = (doc.changes.len(), doc.redo.len());
        ui.horizontal_wrapped(|ui| {
            for (tool, label) in [
                (Tool::Add, tx::TOOL_ADD),
                (Tool::Move, tx::TOOL_MOVE),
                (Tool::Remove, tx::TOOL_REMOVE),
                (Tool::Recategorize, tx::TOOL_RECATEGORIZE),
            ] {
                let on = self.tool == Some(tool);
                if ui.selectable_label(on, lang.t(label)).clicked() {
                    commands.push(Command::ScenarioTool(if on { None } else { Some(tool) }));
                }
            }
        });
        ui.horizontal(|ui| {
            let label = ui.label(lang.t(tx::SCENARIO_CATEGORY));
            let name = |id: &str| {
                categories
                    .iter()
                    .find(|c| c.0 == id)
                    .map(|c| match lang {
                        Lang::Zh => c.1.clone(),
                        Lang::En => c.2.clone(),
                    })
                    .unwrap_or_else(|| id.to_string())
            };
            egui::ComboBox::from_id_salt("scenario-category")
                .selected_text(name(&self.category))
                .show_ui(ui, |ui| {
                    for c in categories {
                        ui.selectable_value(&mut self.category, c.0.clone(), name(&c.0));
                    }
                })
                .response
                .labelled_by(label.id);
        });
        if self.tool == Some(Tool::Add) {
            ui.horizontal(|ui| {
                let label = ui.label(lang.t(tx::CAPACITY));
                let bad = parse_capacity(&self.capacity).is_err();
                let mut edit = egui::TextEdit::singleline(&mut self.capacity)
                    .hint_text(lang.t(tx::CAPACITY_HINT))
                    .desired_width(80.0);
                if bad {
                    edit = edit.text_color(ui.visuals().error_fg_color);
                }
                ui.add(edit).labelled_by(label.id);
            });
        }
        commands.extend(self.suggest.ui(ui, lang));
        ui.horizontal(|ui| {
            if ui
                .add_enabled(n_changes > 0, egui::Button::new(lang.t(tx::UNDO)))
                .on_hover_text("Ctrl+Z")
                .clicked()
            {
                commands.push(Command::Undo);
            }
            if ui
                .add_enabled(n_redo > 0, egui::Button::new(lang.t(tx::REDO)))
                .on_hover_text("Ctrl+Y")
                .clicked()
            {
                commands.push(Command::Redo);
            }
            ui.label(RichText::new(lang.scenario_edits(n_changes, self.last_update_ms)).weak());
        });
        if let Some(e) = &self.error {
            ui.label(RichText::new(e).color(ui.visuals().error_fg_color));
        }
        if let Some(doc) = self.current() {
            for c in doc.changes.iter().rev().take(3) {
                ui.label(RichText::new(change_text(c, lang, categories)).small());
            }
        }
        if let Some((base, scenario)) = reports {
            ui.label(RichText::new(lang.t(tx::SCENARIO_COMPARE)).strong());
            egui::Grid::new("scenario-compare")
                .striped(true)
                .num_columns(5)
                .show(ui, |ui| {
                    for h in [
                        tx::TYPE,
                        tx::TIER,
                        tx::SCENARIO_BASE,
                        tx::SCENARIO,
                        tx::PEOPLE_GAINED,
                    ] {
                        ui.label(RichText::new(lang.t(h)).strong());
                    }
                    ui.end_row();
                    for r in compare_rows(base, scenario) {
                        ui.label(match lang {
                            Lang::Zh => &r.zh,
                            Lang::En => &r.en,
                        });
                        ui.label(format!("{} {}", r.minutes, lang.t(tx::MINUTES)));
                        ui.label(pct(r.base_percent));
                        ui.label(pct(r.scenario_percent));
                        let colour = if r.people_gained > 0.5 {
                            Color32::from_rgb(0x1b, 0x7e, 0x3b)
                        } else if r.people_gained < -0.5 {
                            ui.visuals().error_fg_color
                        } else {
                            ui.visuals().text_color()
                        };
                        ui.label(RichText::new(format!("{:+.0}", r.people_gained)).color(colour));
                        ui.end_row();
                    }
                });
        }
        if let Some((b, s)) = tenones {
            let changes = verdict_changes(b, s);
            if changes.is_empty() {
                ui.label(RichText::new(lang.t(tx::NO_VERDICT_CHANGE)).weak());
            }
            for (n, zh, en, before, after) in changes {
                let name = match lang {
                    Lang::Zh => zh,
                    Lang::En => en,
                };
                let (bv, av) = match lang {
                    Lang::Zh => (before.zh(), after.zh()),
                    Lang::En => (before.en(), after.en()),
                };
                ui.label(format!("{n}. {name}: {bv} → {av}"));
            }
        }
        commands
    }
}

/// One edit in words.
fn change_text(c: &Change, lang: Lang, categories: &[(String, String, String)]) -> String {
    let _ = categories;
    let at = |xy: [f64; 2]| format!("({:.0}, {:.0})", xy[0], xy[1]);
    let key = |k: &crate::access::live::FacilityKey| match k {
        crate::access::live::FacilityKey::Existing(i) => format!("#{}", i + 1),
        crate::access::live::FacilityKey::Added(k) => format!("+{}", k + 1),
    };
    match (c, lang) {
        (Change::Add { key: k, xy, .. }, Lang::Zh) => format!("新增 +{} {}", k + 1, at(*xy)),
        (Change::Add { key: k, xy, .. }, Lang::En) => format!("added +{} at {}", k + 1, at(*xy)),
        (Change::Move { key: k, to }, Lang::Zh) => format!("移动 {} 到 {}", key(k), at(*to)),
        (Change::Move { key: k, to }, Lang::En) => format!("moved {} to {}", key(k), at(*to)),
        (Change::Remove { key: k }, Lang::Zh) => format!("移除 {}", key(k)),
        (Change::Remove { key: k }, Lang::En) => format!("removed {}", key(k)),
        (Change::Recategorize { key: k, .. }, Lang::Zh) => format!("改类型 {}", key(k)),
        (Change::Recategorize { key: k, .. }, Lang::En) => format!("recategorized {}", key(k)),
    }
}
