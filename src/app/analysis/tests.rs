use super::*;
use crate::app::test_support::{SamplePlaces, sample_tenones};
use egui_kittest::Harness;
use egui_kittest::kittest::Queryable;

#[test]
fn the_checklist_lists_ten_items_and_clicking_one_shows_its_evidence() {
    let report = sample_tenones(SamplePlaces::Points);
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
