//! The attribute table of one layer: sort by a column, filter by text, select rows in step with
//! the map.

use std::cmp::Ordering;

use egui::RichText;
use egui_extras::{Column, TableBuilder};

use super::Command;
use super::doc::{Document, LayerId, Selection};
use super::i18n::{Lang, tx};
use crate::model::{AttrValue, Feature, Layer};

/// What the rows were computed from: layer, filter, sort, feature count.
type RowsKey = (LayerId, String, Option<(usize, bool)>, usize);

/// The table's state: which layer, filter, sort, and the rows that pass (feature indices).
#[derive(Debug, Default)]
pub struct TableState {
    pub layer: Option<LayerId>,
    pub filter: String,
    /// Column (0 = the feature number, k = field k − 1) and ascending.
    pub sort: Option<(usize, bool)>,
    rows: Vec<u32>,
    built_for: Option<RowsKey>,
    /// Scroll to the selected row at the next frame.
    pub scroll_to_selection: bool,
}

fn compare(a: &AttrValue, b: &AttrValue) -> Ordering {
    match (a.as_f64(), b.as_f64()) {
        (Some(x), Some(y)) => x.total_cmp(&y),
        (Some(_), None) if !matches!(b, AttrValue::Null) => Ordering::Less,
        (None, Some(_)) if !matches!(a, AttrValue::Null) => Ordering::Greater,
        _ => match (a, b) {
            (AttrValue::Null, AttrValue::Null) => Ordering::Equal,
            (AttrValue::Null, _) => Ordering::Greater,
            (_, AttrValue::Null) => Ordering::Less,
            _ => a.as_text().cmp(&b.as_text()),
        },
    }
}

fn source_key(f: &Feature) -> (u8, i64) {
    use crate::model::layer::SourceId;
    match f.source_id {
        SourceId::Feature(n) | SourceId::Line(n) | SourceId::Row(n) => (0, n as i64),
        SourceId::OsmNode(id) => (1, id),
        SourceId::OsmWay(id) => (2, id),
        SourceId::OsmRelation(id) => (3, id),
    }
}

/// The features of `layer` whose number or any attribute contains `filter` (case-insensitive),
/// sorted by `sort`.
pub fn filtered_rows(layer: &Layer, filter: &str, sort: Option<(usize, bool)>) -> Vec<u32> {
    let needle = filter.trim().to_lowercase();
    let mut rows: Vec<u32> = layer
        .features
        .iter()
        .enumerate()
        .filter(|(_, f)| {
            needle.is_empty()
                || f.source_id.to_string().to_lowercase().contains(&needle)
                || f.attrs.iter().any(|a| {
                    a.as_text()
                        .is_some_and(|t| t.to_lowercase().contains(&needle))
                })
        })
        .map(|(i, _)| i as u32)
        .collect();
    if let Some((col, ascending)) = sort {
        let feats = &layer.features;
        rows.sort_by(|&a, &b| {
            let (fa, fb) = (&feats[a as usize], &feats[b as usize]);
            let o = if col == 0 {
                source_key(fa).cmp(&source_key(fb))
            } else {
                let null = AttrValue::Null;
                compare(
                    fa.attrs.get(col - 1).unwrap_or(&null),
                    fb.attrs.get(col - 1).unwrap_or(&null),
                )
            };
            if ascending { o } else { o.reverse() }
        });
    }
    rows
}

impl TableState {
    /// Show `id`'s table.
    pub fn show_layer(&mut self, id: LayerId) {
        if self.layer != Some(id) {
            self.layer = Some(id);
            self.filter.clear();
            self.sort = None;
        }
    }

    /// The rows shown (feature indices), after the last refresh.
    pub fn rows(&self) -> &[u32] {
        &self.rows
    }

    /// Recompute the rows when the layer, filter or sort changed.
    pub fn refresh(&mut self, doc: &Document) {
        let Some(ml) = self.layer.and_then(|id| doc.get(id)) else {
            self.layer = None;
            self.rows.clear();
            self.built_for = None;
            return;
        };
        let key = (
            ml.id,
            self.filter.clone(),
            self.sort,
            ml.layer.features.len(),
        );
        if self.built_for.as_ref() != Some(&key) {
            self.rows = filtered_rows(&ml.layer, &self.filter, self.sort);
            self.built_for = Some(key);
        }
    }

    /// The table, filling `ui`.
    pub fn ui(&mut self, ui: &mut egui::Ui, doc: &Document, lang: Lang) -> Vec<Command> {
        let mut commands = Vec::new();
        self.refresh(doc);
        let Some(ml) = self.layer.and_then(|id| doc.get(id)) else {
            ui.label(RichText::new(lang.t(tx::NO_ACTIVE_LAYER)).weak());
            return commands;
        };
        let layer = &ml.layer;
        let id = ml.id;
        ui.horizontal(|ui| {
            ui.strong(format!("{}{}", lang.t(tx::TABLE_OF), ml.title()));
            ui.separator();
            let label = ui.label(lang.t(tx::FILTER));
            ui.add(
                egui::TextEdit::singleline(&mut self.filter)
                    .hint_text(lang.t(tx::FILTER_HINT))
                    .desired_width(220.0),
            )
            .labelled_by(label.id);
            ui.label(RichText::new(lang.rows_shown(self.rows.len(), layer.features.len())).weak());
        });
        self.refresh(doc);

        let selected = doc.selection.filter(|s| s.layer == id).map(|s| s.feature);
        let scroll_row = if self.scroll_to_selection {
            self.scroll_to_selection = false;
            selected.and_then(|f| self.rows.iter().position(|&r| r as usize == f))
        } else {
            None
        };
        let n_fields = layer.fields.len();
        let text_height = egui::TextStyle::Body.resolve(ui.style()).size + 6.0;
        egui::ScrollArea::horizontal()
            .id_salt("table-h")
            .auto_shrink([false, false])
            .show(ui, |ui| {
                let mut builder = TableBuilder::new(ui)
                    .id_salt(("attr-table", id.0))
                    .striped(true)
                    .resizable(true)
                    .auto_shrink([false, false])
                    .sense(egui::Sense::click())
                    .cell_layout(egui::Layout::left_to_right(egui::Align::Center))
                    .column(Column::auto().at_least(60.0))
                    .columns(Column::auto().at_least(60.0).clip(true), n_fields)
                    .min_scrolled_height(0.0)
                    .max_scroll_height(f32::INFINITY);
                if let Some(r) = scroll_row {
                    builder = builder.scroll_to_row(r, Some(egui::Align::Center));
                }
                builder
                    .header(text_height, |mut header| {
                        let names = std::iter::once("#")
                            .chain(layer.fields.iter().map(|f| f.name.as_str()));
                        for (col, name) in names.enumerate() {
                            header.col(|ui| {
                                let arrow = match self.sort {
                                    Some((c, true)) if c == col => " ⬆",
                                    Some((c, false)) if c == col => " ⬇",
                                    _ => "",
                                };
                                if ui
                                    .button(RichText::new(format!("{name}{arrow}")).strong())
                                    .clicked()
                                {
                                    self.sort = match self.sort {
                                        Some((c, true)) if c == col => Some((col, false)),
                                        Some((c, false)) if c == col => None,
                                        _ => Some((col, true)),
                                    };
                                }
                            });
                        }
                    })
                    .body(|body| {
                        let rows = &self.rows;
                        body.rows(text_height, rows.len(), |mut row| {
                            let Some(&fi) = rows.get(row.index()) else {
                                return;
                            };
                            let fi = fi as usize;
                            let Some(f) = layer.features.get(fi) else {
                                return;
                            };
                            row.set_selected(selected == Some(fi));
                            row.col(|ui| {
                                ui.add(egui::Label::new(f.source_id.to_string()).selectable(false));
                            });
                            for k in 0..n_fields {
                                row.col(|ui| {
                                    let text = f
                                        .attrs
                                        .get(k)
                                        .and_then(AttrValue::as_text)
                                        .map(|t| t.into_owned())
                                        .unwrap_or_default();
                                    ui.add(egui::Label::new(text).selectable(false).truncate());
                                });
                            }
                            if row.response().clicked() {
                                commands.push(Command::Select {
                                    selection: Some(Selection {
                                        layer: id,
                                        feature: fi,
                                    }),
                                    zoom: true,
                                });
                            }
                        });
                    });
            });
        // The sort may have changed in the header.
        self.refresh(doc);
        commands
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::io::synth;

    #[test]
    fn filter_and_sort_rows() {
        let layer = synth::points(300, 2);
        // Names are 清溪村0号 … with six village names in turn.
        let rows = filtered_rows(&layer, "溪口村", None);
        assert_eq!(rows.len(), 50);
        assert!(rows.iter().all(|&r| r % 6 == 1));
        let rows = filtered_rows(&layer, "", Some((3, false)));
        let values: Vec<f64> = rows
            .iter()
            .map(|&r| {
                layer.features[r as usize].attrs[2]
                    .as_f64()
                    .expect("number")
            })
            .collect();
        assert!(
            values.windows(2).all(|w| w[0] >= w[1]),
            "descending by value"
        );
        let rows = filtered_rows(&layer, "feature 299", Some((0, true)));
        assert_eq!(rows, vec![298], "the feature number is searchable");
    }

    #[test]
    fn numbers_sort_as_numbers_and_nulls_last() {
        let mut v = vec![
            AttrValue::Text("10".into()),
            AttrValue::Null,
            AttrValue::Int(9),
            AttrValue::Text("abc".into()),
        ];
        v.sort_by(compare);
        assert_eq!(
            v,
            vec![
                AttrValue::Int(9),
                AttrValue::Text("10".into()),
                AttrValue::Text("abc".into()),
                AttrValue::Null
            ]
        );
    }
}
