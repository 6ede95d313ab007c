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
