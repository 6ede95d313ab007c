use super::test_support::*;
use super::*;
use super::{input::*, result::*};
use crate::model::layer::Layer;
use crate::model::{CategoryId, Role, Taxonomy};
use crate::standards::profile::Profile;

fn cat(id: &str) -> CategoryId {
    Taxonomy::default().by_id(id).expect("category")
}

fn analyse(layers: &[Layer], mode: &str, minutes: &[u32]) -> (Analysis, AccessResult) {
    let input = AccessInput::from_layers(layers);
    let a = Analysis::new(
        &input,
        &Profile::default(),
        &Taxonomy::default(),
        &AccessOptions {
            mode: mode.into(),
            minutes: Some(minutes.to_vec()),
        },
    )
    .expect("analysis");
    let r = a.run();
    (a, r)
}

fn coverage_of<'r>(r: &'r AccessResult, id: &str) -> &'r CategoryCoverage {
    r.report
        .categories
        .iter()
        .find(|c| c.id == id)
        .expect("category in report")
}

/// Banks 200 m apart across a river, one bridge (a bridge=yes line) 500 m east. The school is
/// 200 m across, 1.2 km away by the bridge: not within 15 minutes' walk, within 30.
#[test]
fn river_with_one_bridge_from_layers() {
    let school = cat("primary_school");
    let layers = vec![
        roads(&[
            (&[[0.0, 0.0], [1000.0, 0.0]], "residential", ""),
            (&[[0.0, 200.0], [1000.0, 200.0]], "residential", ""),
            (&[[500.0, 0.0], [500.0, 200.0]], "residential", "yes"),
        ]),
        facilities(&[([0.0, 210.0], school)]),
        homes(&[([0.0, -10.0], 50.0)]),
    ];
    let (a, r) = analyse(&layers, "walk", &[15, 30]);
    assert_eq!(a.method, Method::Network);
    let ct = r
        .categories
        .iter()
        .find(|c| c.category == school)
        .expect("times");
    assert!(
        (ct.demand_time_s[0] - 1220.0).abs() < 1e-6,
        "{:?}",
        ct.demand_time_s
    );
    let c = coverage_of(&r, "primary_school");
    assert_eq!(c.tiers[0].town.covered_weight, 0.0);
    assert_eq!(c.tiers[1].town.covered_weight, 50.0);
    // The Euclidean fallback would have covered it at once: 220 m × 1.3.
    let (e, re) = analyse(&layers[1..], "walk", &[5]);
    assert_eq!(e.method, Method::Euclidean);
    assert_eq!(
        coverage_of(&re, "primary_school").tiers[0]
            .town
            .covered_weight,
        50.0
    );
    assert!(
        re.report
            .flags
            .iter()
            .any(|f| f.contains("EUCLIDEAN FALLBACK"))
    );
    assert!(r.report.flags.is_empty());
}

#[test]
fn facility_on_a_disconnected_fragment_is_warned_and_unreachable() {
    let k = cat("kindergarten");
    let layers = vec![
        roads(&[
            (&[[0.0, 0.0], [1000.0, 0.0]], "residential", ""),
            (&[[3000.0, 0.0], [3100.0, 0.0]], "residential", ""),
        ]),
        facilities(&[([3050.0, 5.0], k)]),
        homes(&[([100.0, 5.0], 10.0), ([3010.0, 5.0], 4.0)]),
    ];
    let (a, r) = analyse(&layers, "walk", &[30]);
    let net = r.report.network.as_ref().expect("network");
    assert_eq!(net.components, 2);
    assert_eq!(net.fragments[0].location, [3000.0, 0.0]);
    assert_eq!(r.report.snapping.facilities_off_main_network, 1);
    assert!(
        a.warnings
            .iter()
            .any(|w| w.contains("disconnected fragment"))
    );
    // Only the home on the fragment is covered.
    assert_eq!(
        coverage_of(&r, "kindergarten").tiers[0].town.covered_weight,
        4.0
    );
}

#[test]
fn max_snap_distance_makes_points_unreachable() {
    let k = cat("kindergarten");
    let layers = vec![
        roads(&[(&[[0.0, 0.0], [1000.0, 0.0]], "residential", "")]),
        facilities(&[([500.0, 10.0], k), ([500.0, 900.0], k)]),
        homes(&[([400.0, 100.0], 10.0), ([400.0, 600.0], 5.0)]),
    ];
    let (_, r) = analyse(&layers, "walk", &[30]);
    let s = &r.report.snapping;
    assert_eq!((s.demand_snapped, s.demand_unreachable), (1, 1));
    assert_eq!(s.demand_unreachable_weight, 5.0);
    assert_eq!((s.facilities_snapped, s.facilities_unreachable), (1, 1));
    assert_eq!(coverage_of(&r, "kindergarten").facilities_unreachable, 1);
    assert!(
        r.report
            .warnings
            .iter()
            .any(|w| w.contains("not reachable"))
    );
    assert_eq!(
        coverage_of(&r, "kindergarten").tiers[0].town.covered_weight,
        10.0
    );
}

#[test]
fn bad_inputs_give_messages_not_panics() {
    let k = cat("kindergarten");
    // A graph of one node: a road of zero length.
    let layers = vec![
        roads(&[(&[[0.0, 0.0], [0.0, 0.0]], "residential", "")]),
        facilities(&[([0.0, 0.0], k)]),
        homes(&[([10.0, 0.0], 1.0)]),
    ];
    let (a, r) = analyse(&layers, "walk", &[5]);
    assert_eq!(a.method, Method::Euclidean);
    assert!(
        a.warnings.iter().any(|w| w.contains("no usable network")),
        "{:?}",
        a.warnings
    );
    assert_eq!(
        coverage_of(&r, "kindergarten").tiers[0].town.covered_weight,
        1.0
    );
    // An empty facility layer: every category at 0, required ones listed as missing.
    let mut empty = facilities(&[]);
    empty.features.clear();
    let layers = vec![
        roads(&[(&[[0.0, 0.0], [100.0, 0.0]], "residential", "")]),
        empty,
        homes(&[([10.0, 0.0], 1.0)]),
    ];
    let input = AccessInput::from_layers(&layers);
    let a = Analysis::new(
        &input,
        &Profile::default(),
        &Taxonomy::default(),
        &AccessOptions::default(),
    )
    .expect("analysis");
    let r = a.run();
    assert!(
        a.warnings
            .iter()
            .any(|w| w.contains("facility layer is empty"))
    );
    assert_eq!(r.report.all_required.len(), 3);
    assert!(r.report.all_required.iter().all(|t| !t.missing.is_empty()));
    assert!(r.report.categories.iter().all(|c| c.facility_count == 0));
    // Nothing at all.
    let a = Analysis::new(
        &AccessInput::default(),
        &Profile::default(),
        &Taxonomy::default(),
        &AccessOptions::default(),
    )
    .expect("analysis");
    let r = a.run();
    assert_eq!(r.report.demand.points, 0);
    assert!(
        r.report
            .all_required
            .iter()
            .all(|t| t.coverage.town.percent.is_none())
    );
    // An unknown mode is an error, not a panic.
    assert!(
        Analysis::new(
            &AccessInput::default(),
            &Profile::default(),
            &Taxonomy::default(),
            &AccessOptions {
                mode: "plane".into(),
                minutes: None
            },
        )
        .is_err()
    );
}

#[test]
fn facilities_outside_the_town_are_warned_and_far_ones_unreachable() {
    let k = cat("kindergarten");
    // The town is the box 0..1000 × -100..100; the road runs on to x = 1500.
    let layers = vec![
        roads(&[(&[[0.0, 0.0], [1500.0, 0.0]], "residential", "")]),
        facilities(&[([1400.0, 5.0], k), ([80_000.0, 90_000.0], k)]),
        homes(&[([900.0, 5.0], 3.0)]),
        area(Role::Boundary, [0.0, -100.0], [1000.0, 100.0]),
    ];
    let (a, r) = analyse(&layers, "walk", &[15]);
    assert!(
        a.warnings
            .iter()
            .any(|w| w.contains("2 facilities lie outside the town boundary")),
        "{:?}",
        a.warnings
    );
    // The one 80 km away is not reachable and named by its position.
    let far = a
        .warnings
        .iter()
        .find(|w| w.contains("not reachable"))
        .expect("warning");
    assert!(far.contains("(80000, 90000)"), "{far}");
    assert_eq!(r.report.snapping.facilities_unreachable, 1);
    // The one just outside still serves the home 500 m away (505 + 5 s).
    assert_eq!(
        coverage_of(&r, "kindergarten").tiers[0].town.covered_weight,
        3.0
    );
}

#[test]
fn cars_keep_off_footways_walkers_off_expressways() {
    let k = cat("kindergarten");
    // A footway shortcut (100 m) and a long road round (300 m); an expressway shortcut too.
    let layers = vec![
        roads(&[
            (&[[0.0, 0.0], [100.0, 0.0]], "footway", ""),
            (
                &[[0.0, 0.0], [0.0, 100.0], [100.0, 100.0], [100.0, 0.0]],
                "residential",
                "",
            ),
        ]),
        facilities(&[([100.0, 0.0], k)]),
        homes(&[([0.0, 0.0], 1.0)]),
    ];
    let (_, rw) = analyse(&layers, "walk", &[30]);
    let (_, rc) = analyse(&layers, "car", &[30]);
    let tw = rw.categories[0].demand_time_s[0];
    let tc = rc.categories[0].demand_time_s[0];
    assert!((tw - 100.0).abs() < 1e-6, "{tw}");
    assert!((tc - 300.0 / (30.0 / 3.6)).abs() < 1e-6, "{tc}");
}
