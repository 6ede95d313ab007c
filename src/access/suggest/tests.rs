//! Suggested sites on small towns built in code, checked against full coverage recomputes.

use geo_types::{Geometry, Point};

use super::*;
use crate::access::test_support::*;
use crate::access::{AccessInput, TownOptions, run_town};
use crate::model::layer::AttrValue;
use crate::model::{CategoryId, Layer, Role, Taxonomy};
use crate::standards::profile::Profile;

fn cat(id: &str) -> CategoryId {
    Taxonomy::default().by_id(id).expect("category")
}

/// A ladder of streets: two 2 km streets (y = 0 and y = 400) joined every 200 m; homes along
/// the southern street; a health centre at the west end; the built-up area around it all.
fn ladder(extra: &[[f64; 2]]) -> Vec<Layer> {
    let mut lines: Vec<Vec<[f64; 2]>> = vec![
        vec![[0.0, 0.0], [2000.0, 0.0]],
        vec![[0.0, 400.0], [2000.0, 400.0]],
    ];
    for k in 0..=10 {
        let x = 200.0 * f64::from(k);
        lines.push(vec![[x, 0.0], [x, 400.0]]);
    }
    let refs: Vec<(&[[f64; 2]], &str, &str)> = lines
        .iter()
        .map(|l| (l.as_slice(), "residential", ""))
        .collect();
    let h = cat("health_center");
    let mut fac = vec![([0.0, 5.0], h)];
    fac.extend(extra.iter().map(|xy| (*xy, h)));
    let homes_at: Vec<([f64; 2], f64)> = (0..20)
        .map(|k| {
            let x = 50.0 + 100.0 * f64::from(k);
            // Uneven weights so the optimum is unique-ish.
            ([x, 8.0], 10.0 + f64::from((k * 7) % 11))
        })
        .chain([([1000.0, 392.0], 40.0), ([1900.0, 392.0], 25.0)])
        .collect();
    vec![
        roads(&refs),
        facilities(&fac),
        homes(&homes_at),
        area(Role::BuiltUpArea, [-10.0, -10.0], [2010.0, 410.0]),
    ]
}

fn town(layers: &[Layer]) -> crate::access::TownAccess {
    run_town(
        &AccessInput::from_layers(layers),
        &Profile::default(),
        &Taxonomy::default(),
        &TownOptions {
            mode: None,
            minutes: Some(vec![5]),
        },
    )
    .expect("town")
}

fn covered(t: &crate::access::TownAccess, id: &str) -> f64 {
    t.report
        .categories
        .iter()
        .find(|c| c.id == id)
        .expect("category")
        .tiers[0]
        .town
        .covered_weight
}

fn run(layers: &[Layer], req: &SuggestRequest) -> Result<Suggestion> {
    let t = town(layers);
    suggest(&t, &AccessInput::from_layers(layers), req)
}

#[test]
fn suggested_sites_add_what_coverage_finds_and_match_brute_force() {
    let base = ladder(&[]);
    let t = town(&base);
    let h = cat("health_center");
    let req = SuggestRequest::new(h, 5, Model::Mclp, Goal::Count(2));
    let s = suggest(&t, &AccessInput::from_layers(&base), &req).expect("suggest");
    assert_eq!(s.candidates.area, CandidateArea::BuiltUp);
    assert_eq!(s.candidates.usable, 22);
    assert_eq!(s.sites.len(), 2);
    assert_eq!(s.before.town.covered_weight, covered(&t, "health_center"));
    // Adding the suggested sites as facilities and recomputing gives the same coverage.
    let xy: Vec<[f64; 2]> = s.sites.iter().map(|x| x.xy).collect();
    let with = town(&ladder(&xy));
    assert!((covered(&with, "health_center") - s.after.town.covered_weight).abs() < 1e-9);
    assert!(
        (s.after.town.covered_weight - s.before.town.covered_weight - s.added_weight).abs() < 1e-9
    );
    assert!(s.sites[0].added_weight >= s.sites[1].added_weight);
    // Brute force over every pair of candidate nodes, each by a full recompute.
    let p = Prepared::new(&t, &AccessInput::from_layers(&base), h, 5, &req.candidates)
        .expect("prepared");
    let mut best = 0.0f64;
    for a in 0..p.candidates.len() {
        for b in a + 1..p.candidates.len() {
            let w = covered(
                &town(&ladder(&[p.candidates[a].xy, p.candidates[b].xy])),
                "health_center",
            );
            best = best.max(w);
        }
    }
    assert!(
        (s.after.town.covered_weight - best).abs() < 1e-9,
        "{} vs {best}",
        s.after.town.covered_weight
    );
    let o = s.optimality.as_ref().expect("mclp");
    assert!(o.upper_bound_weight + s.before.town.covered_weight >= best - 1e-9);
}

#[test]
fn existing_coverage_is_not_a_gain() {
    let base = ladder(&[]);
    let h = cat("health_center");
    // Candidates: one at the existing health centre, one in the middle of the street.
    let req = SuggestRequest {
        candidates: CandidateInput::Given {
            file: "候选.geojson".into(),
            candidates: [[0.0, 0.0], [1000.0, 0.0], [9000.0, 9000.0]]
                .iter()
                .map(|xy| Candidate {
                    xy: *xy,
                    name: None,
                    capacity: None,
                    source: None,
                })
                .collect(),
        },
        ..SuggestRequest::new(h, 5, Model::Mclp, Goal::Count(2))
    };
    let s = run(&base, &req).expect("suggest");
    // The far candidate is skipped and said; the one at the health centre adds nobody.
    assert_eq!(s.candidates.beyond_snap, 1);
    assert!(
        s.warnings
            .iter()
            .any(|w| w.contains("1 of 3 candidate sites"))
    );
    assert_eq!(s.sites.len(), 1);
    assert_eq!(s.sites[0].candidate, 1);
    assert!(s.warnings.iter().any(|w| w.contains("only 1 of the 2")));
    // Homes at x = 750..1250 along y = 8 and the one at (1000, 392) are within 300 s of
    // (1000, 0)? 392 m + 8 m: no. Those within 300 m of the node: x in 750..1250 minus legs.
    let expect: f64 = (0..20)
        .map(|k| (50.0 + 100.0 * f64::from(k), 10.0 + f64::from((k * 7) % 11)))
        .filter(|(x, _)| (x - 1000.0).abs() + 8.0 <= 300.0)
        .map(|(_, w)| w)
        .sum();
    assert!((s.sites[0].added_weight - expect).abs() < 1e-9);
    assert!((s.added_weight - expect).abs() < 1e-9);
}

#[test]
fn target_percent_fewest_sites_and_unreachable_targets() {
    let base = ladder(&[]);
    let h = cat("health_center");
    let total: f64 = (0..20).map(|k| 10.0 + f64::from((k * 7) % 11)).sum::<f64>() + 65.0;
    let s = run(
        &base,
        &SuggestRequest::new(h, 5, Model::Mclp, Goal::TargetPercent(60.0)),
    )
    .expect("target");
    let pct = s.after.town.percent.expect("percent");
    assert!(pct >= 60.0 - 1e-9, "{pct}");
    assert!((s.after.town.demand_total - total).abs() < 1e-9);
    // One site fewer does not reach 60% (the best k−1 sites by the count model).
    let k = s.sites.len();
    assert!(k >= 1);
    if k > 1 {
        let fewer = run(
            &base,
            &SuggestRequest::new(h, 5, Model::Mclp, Goal::TargetPercent(1.0)),
        )
        .expect("small");
        assert!(fewer.sites.len() <= k);
        let s1 = run(
            &base,
            &SuggestRequest::new(h, 5, Model::Mclp, Goal::Count(k - 1)),
        )
        .expect("k-1");
        assert!(s1.after.town.percent.expect("pct") < 60.0);
    }
    // The northern homes sit 392 m up a side street from the nodes... every home is within
    // reach of some node, so 100% is reachable; an impossible one comes from a far home.
    let mut far = ladder(&[]);
    far[2] = homes(&[([1000.0, 8.0], 10.0), ([1000.0, 5000.0], 90.0)]);
    let e = run(
        &far,
        &SuggestRequest::new(h, 5, Model::Mclp, Goal::TargetPercent(50.0)),
    )
    .expect_err("unreachable");
    let msg = e.to_string();
    assert!(
        msg.contains("cannot be reached") && msg.contains("at most 10.00%"),
        "{msg}"
    );
    for bad in [0.0, -5.0, 100.5, f64::NAN] {
        let e = run(
            &base,
            &SuggestRequest::new(h, 5, Model::Mclp, Goal::TargetPercent(bad)),
        )
        .expect_err("bad percent");
        assert!(e.to_string().contains("--target-percent"), "{e}");
    }
    let e = run(
        &base,
        &SuggestRequest::new(h, 5, Model::Mclp, Goal::Count(0)),
    )
    .expect_err("0");
    assert!(e.to_string().contains("--count 0"));
}

#[test]
fn p_median_on_the_ladder_lowers_the_mean_time_and_is_a_local_optimum() {
    let base = ladder(&[]);
    let h = cat("health_center");
    let s = run(
        &base,
        &SuggestRequest::new(h, 5, Model::PMedian, Goal::Count(2)),
    )
    .expect("p-median");
    let m = s.p_median.as_ref().expect("figures");
    assert!(m.mean_time_after_s < m.mean_time_before_s);
    assert!(m.mean_time_after_s <= m.greedy_mean_time_s + 1e-9);
    assert_eq!(s.sites.len(), 2);
    // Brute force on the same instance.
    let t = town(&base);
    let p = Prepared::new(
        &t,
        &AccessInput::from_layers(&base),
        h,
        5,
        &SuggestRequest::new(h, 5, Model::PMedian, Goal::Count(2)).candidates,
    )
    .expect("prepared");
    let inst = p.median_problem();
    let total: f64 = inst.total_weight();
    let mut best = f64::INFINITY;
    for a in 0..p.candidates.len() as u32 {
        for b in a + 1..p.candidates.len() as u32 {
            best = best.min(inst.cost(&[a, b]));
        }
    }
    assert!((m.mean_time_after_s * total - best).abs() < 1e-6 * best.max(1.0));
    let e = run(
        &base,
        &SuggestRequest::new(h, 5, Model::PMedian, Goal::TargetPercent(50.0)),
    )
    .expect_err("p-median has no target");
    assert!(e.to_string().contains("--model mclp"));
}

#[test]
fn capacity_is_read_and_checked_with_2sfca() {
    let mut layers = ladder(&[]);
    let h = cat("health_center");
    let mut fac = layer("卫生院", Role::Facilities, &["名称", "床位"]);
    push(
        &mut fac,
        Geometry::Point(Point::new(0.0, 5.0)),
        vec![
            AttrValue::Text("清溪镇卫生院".into()),
            AttrValue::Text("20床".into()),
        ],
        Some(h),
    );
    layers[1] = fac;
    let t = town(&layers);
    let f = &t.runs[0].analysis.facilities[0];
    assert_eq!(f.capacity, Some(20.0));
    assert_eq!(f.name.as_deref(), Some("清溪镇卫生院"));
    let req = SuggestRequest {
        capacity: Some(500.0),
        ..SuggestRequest::new(h, 5, Model::Mclp, Goal::Count(1))
    };
    let s = suggest(&t, &AccessInput::from_layers(&layers), &req).expect("suggest");
    let c = s.capacity.as_ref().expect("capacity check");
    // The health centre (20 beds) has more than 20 people within 5 minutes: overloaded.
    assert_eq!(c.before.facilities.len(), 1);
    let before = &c.before.facilities[0];
    assert!(before.demand_in_reach > 20.0 && before.overloaded);
    assert_eq!(c.after.facilities.len(), 2);
    let site = &s.sites[0];
    assert_eq!(site.capacity, Some(500.0));
    assert_eq!(site.overloaded, Some(false));
    assert!((c.after.facilities[1].demand_in_reach - site.demand_in_reach).abs() < 1e-9);
    // The new site serves the people it brings in (nobody was covered there before).
    assert!((site.demand_served - site.added_weight).abs() < 1e-9);
    // The town index rises with the added supply.
    assert!(c.after.town_index_per_1000 > c.before.town_index_per_1000);
    assert_eq!(
        c.after.points_index_per_1000.len(),
        t.runs[0].analysis.demand.points.len()
    );
}

#[test]
fn no_network_and_no_tier_are_errors() {
    let mut layers = ladder(&[]);
    layers.remove(0);
    let h = cat("health_center");
    let e = run(
        &layers,
        &SuggestRequest::new(h, 5, Model::Mclp, Goal::Count(1)),
    )
    .expect_err("no roads");
    assert!(e.to_string().contains("no usable road network"), "{e}");
    let layers = ladder(&[]);
    let t = town(&layers);
    let e = suggest(
        &t,
        &AccessInput::from_layers(&layers),
        &SuggestRequest::new(h, 15, Model::Mclp, Goal::Count(1)),
    )
    .expect_err("no tier");
    assert!(e.to_string().contains("no 15-minute tier"), "{e}");
}
