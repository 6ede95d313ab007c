//! Classifying a layer's features into facility categories (the taxonomy's rules over names,
//! types, Amap type codes and OSM tags), with a report of what matched nothing.

use super::category::{
    CATEGORY_FIELDS, CategoryId, ClassifyReport, CompiledCond, Cond, NAME_FIELDS, TYPE_FIELDS,
    TYPECODE_FIELDS, Taxonomy,
};
use super::layer::Layer;

impl Taxonomy {
    /// Classify every feature of a layer, setting `feature.category`.
    pub fn classify_layer(&self, layer: &mut Layer) -> ClassifyReport {
        let find = |names: &[&str]| -> Vec<usize> {
            names.iter().filter_map(|n| layer.field_index(n)).collect()
        };
        let category_cols = find(CATEGORY_FIELDS);
        let name_cols = find(NAME_FIELDS);
        let type_cols = find(TYPE_FIELDS);
        let code_cols = find(TYPECODE_FIELDS);
        let field_names: Vec<String> = layer.fields.iter().map(|f| f.name.clone()).collect();
        let col = |name: &str| field_names.iter().position(|f| f == name);
        // Compile OSM rules to column indices once.
        let osm: Vec<(CategoryId, Vec<CompiledCond<'_>>)> = self
            .osm
            .iter()
            .filter_map(|(id, conds)| {
                let mut out = Vec::new();
                for c in conds {
                    match c {
                        Cond::Eq(k, v) => out.push((col(k)?, Some(v.as_str()), true)),
                        Cond::Any(k) => out.push((col(k)?, None, true)),
                        Cond::Ne(k, v) => {
                            if let Some(i) = col(k) {
                                out.push((i, Some(v.as_str()), false));
                            }
                        }
                    }
                }
                Some((*id, out))
            })
            .collect();
        let mut report = ClassifyReport::default();
        for f in &mut layer.features {
            let text_of = |i: &usize| {
                f.attrs
                    .get(*i)
                    .and_then(|v| v.as_text())
                    .map(|s| s.into_owned())
            };
            let mut cat = category_cols
                .iter()
                .filter_map(text_of)
                .find_map(|t| self.by_name(&t));
            if cat.is_none() {
                cat = osm
                    .iter()
                    .find(|(_, conds)| {
                        conds.iter().all(|(i, v, eq)| {
                            let value = f.attrs.get(*i).and_then(|a| a.as_text());
                            match (v, eq) {
                                (None, _) => value.is_some_and(|s| !s.is_empty() && s != "no"),
                                (Some(v), true) => value.is_some_and(|s| s == *v),
                                (Some(v), false) => value.is_none_or(|s| s != *v),
                            }
                        })
                    })
                    .map(|(id, _)| *id);
            }
            if cat.is_none() {
                cat = code_cols
                    .iter()
                    .filter_map(text_of)
                    .find_map(|c| self.by_typecode(&c));
            }
            let generic = cat.and_then(|c| self.get(c)).is_some_and(|c| c.generic);
            if cat.is_none() || generic {
                let kw = name_cols
                    .iter()
                    .chain(&type_cols)
                    .filter_map(text_of)
                    .find_map(|t| self.by_keyword(&t));
                if kw.is_some() {
                    cat = kw;
                }
            }
            f.category = cat;
            match cat.and_then(|c| self.get(c)) {
                Some(c) => *report.counts.entry(c.id.clone()).or_default() += 1,
                None => {
                    report.unmapped += 1;
                    if report.unmapped_examples.len() < 20 {
                        let text = name_cols
                            .iter()
                            .chain(&type_cols)
                            .filter_map(text_of)
                            .collect::<Vec<_>>()
                            .join(" / ");
                        report.unmapped_examples.push((f.source_id, text));
                    }
                }
            }
        }
        report
    }
}
