//! A whole town under scenario edits, updated incrementally: every mode's run keeps one
//! [`Scenario`] engine per edited category, so adding, moving, removing or re-categorising one
//! facility costs one bounded search (or a local repair), not a recompute of the town.
//!
//! Facilities are named by [`FacilityKey`]: an existing one by its index in
//! [`Analysis::facilities`] (the same in every mode's run: they are read from the same layers),
//! an added one by a key the caller chooses (the project file's `key`). The current times of every
//! category, the per-run results and the merged report are available after each edit; they equal
//! a full recompute of the edited town (tested below).

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

use super::scenario::Scenario;
use super::town::merge_reports;
use super::{AccessReport, AccessResult, Analysis};
use crate::model::CategoryId;

/// A facility of the scenario: an existing one (index in [`Analysis::facilities`]) or an added one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum FacilityKey {
    Existing(u32),
    Added(u32),
}

/// A facility as it stands in the scenario.
#[derive(Debug, Clone, PartialEq)]
pub struct LiveFacility {
    pub key: FacilityKey,
    pub category: CategoryId,
    /// Working-CRS metres.
    pub xy: [f64; 2],
    /// Whether it joins the network within the mode's snap distance, per run (network runs only;
    /// a straight-line run always reaches).
    pub reached: Vec<bool>,
}

/// What an edit did not do, in words for the user.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EditError {
    /// No such live facility (removed earlier, or never there).
    NoSuchFacility(FacilityKey),
    /// The key of an added facility is taken.
    KeyTaken(u32),
}

impl std::fmt::Display for EditError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            EditError::NoSuchFacility(k) => write!(f, "no such facility in the scenario: {k:?}"),
            EditError::KeyTaken(k) => write!(f, "an added facility already has key {k}"),
        }
    }
}

impl std::error::Error for EditError {}

/// One mode's run under edits.
struct LiveRun {
    analysis: Arc<Analysis>,
    base: Arc<AccessResult>,
    /// Engines of the categories edited so far (in category order: a category the base did not
    /// evaluate is appended to the results in that order).
    engines: BTreeMap<CategoryId, Scenario<Arc<Analysis>>>,
}

impl LiveRun {
    fn budget_s(&self) -> f64 {
        self.analysis.max_budget_s()
    }

    /// The engine of `category`, started from the base times when it was computed (no search),
    /// else from scratch.
    fn engine(&mut self, category: CategoryId) -> &mut Scenario<Arc<Analysis>> {
        let (analysis, base, budget) = (&self.analysis, &self.base, self.budget_s());
        self.engines.entry(category).or_insert_with(|| {
            let times = base
                .categories
                .iter()
                .find(|c| c.category == category && c.budget_s == budget);
            match times {
                Some(t) => Scenario::with_times(Arc::clone(analysis), t),
                None => Scenario::new(Arc::clone(analysis), category, budget),
            }
        })
    }

    /// The base result with the edited categories' times and coverage replaced: the others are
    /// shared with the base, their coverage taken from the base report.
    fn result(&self) -> AccessResult {
        let mut categories = self.base.categories.clone();
        // The base report has one coverage per category, in their order (Analysis::report).
        let mut coverage = if self.base.report.categories.len() == categories.len() {
            self.base.report.categories.clone()
        } else {
            let a = &self.analysis;
            categories.iter().map(|c| a.category_coverage(c)).collect()
        };
        for (cat, e) in &self.engines {
            let times = Arc::new(e.demand_times());
            let cov = self.analysis.category_coverage(&times);
            match categories.iter().position(|c| c.category == *cat) {
                Some(i) => {
                    categories[i] = times;
                    coverage[i] = cov;
                }
                None => {
                    categories.push(times);
                    coverage.push(cov);
                }
            }
        }
        let report = self.analysis.report_with(&categories, coverage);
        AccessResult { categories, report }
    }
}

/// A town under scenario edits (see the module doc).
pub struct TownScenario {
    runs: Vec<LiveRun>,
    facilities: Vec<LiveFacility>,
    /// Per run, the engine id of each facility whose id is not its existing index: added ones,
    /// and existing ones given another category (they joined another engine).
    ids: Vec<HashMap<FacilityKey, u32>>,
    /// Nodes touched by the last edit, summed over runs.
    pub last_updates: usize,
}

impl TownScenario {
    /// The base town: one (analysis, result) per mode run, as [`super::run_town`] made them.
    pub fn new(runs: Vec<(Arc<Analysis>, Arc<AccessResult>)>) -> TownScenario {
        let facilities = runs
            .first()
            .map(|(a, _)| {
                a.facilities
                    .iter()
                    .enumerate()
                    .map(|(i, f)| LiveFacility {
                        key: FacilityKey::Existing(i as u32),
                        category: f.category,
                        xy: f.xy,
                        reached: runs
                            .iter()
                            .map(|(a, _)| {
                                reached(a, a.facility_snaps.get(i).is_some_and(|s| s.is_some()))
                            })
                            .collect(),
                    })
                    .collect()
            })
            .unwrap_or_default();
        TownScenario {
            ids: vec![HashMap::new(); runs.len()],
            runs: runs
                .into_iter()
                .map(|(analysis, base)| LiveRun {
                    analysis,
                    base,
                    engines: BTreeMap::new(),
                })
                .collect(),
            facilities,
            last_updates: 0,
        }
    }

    /// The facilities as they stand (removed ones are gone).
    pub fn facilities(&self) -> &[LiveFacility] {
        &self.facilities
    }

    pub fn facility(&self, key: FacilityKey) -> Option<&LiveFacility> {
        self.facilities.iter().find(|f| f.key == key)
    }

    /// Add a facility of `category` at `xy` under `key`.
    pub fn add(&mut self, key: u32, category: CategoryId, xy: [f64; 2]) -> Result<(), EditError> {
        if self.facility(FacilityKey::Added(key)).is_some() {
            return Err(EditError::KeyTaken(key));
        }
        self.last_updates = 0;
        let mut reached_by = Vec::with_capacity(self.runs.len());
        for (r, ids) in self.runs.iter_mut().zip(&mut self.ids) {
            let e = r.engine(category);
            let id = e.add_facility(xy);
            self.last_updates += e.last_updates;
            reached_by.push(reached(e.analysis(), e.is_reached(id)));
            ids.insert(FacilityKey::Added(key), id);
        }
        self.facilities.push(LiveFacility {
            key: FacilityKey::Added(key),
            category,
            xy,
            reached: reached_by,
        });
        Ok(())
    }

    /// The engine id of `key` in run `r`.
    fn engine_id(&self, r: usize, key: FacilityKey) -> Option<u32> {
        self.ids[r].get(&key).copied().or(match key {
            FacilityKey::Existing(i) => Some(i),
            FacilityKey::Added(_) => None,
        })
    }

    fn position(&self, key: FacilityKey) -> Result<usize, EditError> {
        self.facilities
            .iter()
            .position(|f| f.key == key)
            .ok_or(EditError::NoSuchFacility(key))
    }

    /// Remove a facility.
    pub fn remove(&mut self, key: FacilityKey) -> Result<LiveFacility, EditError> {
        let at = self.position(key)?;
        let category = self.facilities[at].category;
        self.last_updates = 0;
        for r in 0..self.runs.len() {
            let id = self.engine_id(r, key);
            let e = self.runs[r].engine(category);
            if let Some(id) = id {
                e.remove_facility(id);
                self.last_updates += e.last_updates;
            }
        }
        for ids in &mut self.ids {
            ids.remove(&key);
        }
        Ok(self.facilities.remove(at))
    }

    /// Move a facility to `xy`.
    pub fn move_to(&mut self, key: FacilityKey, xy: [f64; 2]) -> Result<(), EditError> {
        let at = self.position(key)?;
        let category = self.facilities[at].category;
        self.last_updates = 0;
        let mut reached_by = Vec::with_capacity(self.runs.len());
        for r in 0..self.runs.len() {
            let id = self.engine_id(r, key);
            let e = self.runs[r].engine(category);
            if let Some(id) = id {
                e.move_facility(id, xy);
                self.last_updates += e.last_updates;
                reached_by.push(reached(e.analysis(), e.is_reached(id)));
            }
        }
        let f = &mut self.facilities[at];
        f.xy = xy;
        f.reached = reached_by;
        Ok(())
    }

    /// Give a facility another category (it leaves one engine and joins the other, same place).
    pub fn recategorize(
        &mut self,
        key: FacilityKey,
        category: CategoryId,
    ) -> Result<(), EditError> {
        let at = self.position(key)?;
        let old = self.facilities[at].category;
        if old == category {
            return Ok(());
        }
        let xy = self.facilities[at].xy;
        self.last_updates = 0;
        for r in 0..self.runs.len() {
            let id = self.engine_id(r, key);
            let e = self.runs[r].engine(old);
            if let Some(id) = id {
                e.remove_facility(id);
                self.last_updates += e.last_updates;
            }
            let e = self.runs[r].engine(category);
            let new_id = e.add_facility(xy);
            self.last_updates += e.last_updates;
            // From now on the facility is the new engine's `new_id`.
            self.ids[r].insert(key, new_id);
        }
        self.facilities[at].category = category;
        Ok(())
    }

    /// Each run's result with the edited categories' times and coverage replaced.
    pub fn results(&self) -> Vec<AccessResult> {
        self.runs.iter().map(LiveRun::result).collect()
    }

    /// The merged report of every run (as [`super::run_town`] reports a town).
    pub fn report(&self) -> Option<AccessReport> {
        merged_report(&self.results())
    }
}

/// The merged report of the runs' results (from [`TownScenario::results`]: when both are
/// wanted, they are computed once).
pub fn merged_report(results: &[AccessResult]) -> Option<AccessReport> {
    merge_reports(results.iter().map(|r| &r.report))
}

fn reached(a: &Analysis, snapped: bool) -> bool {
    match a.method {
        super::Method::Network => snapped,
        super::Method::Euclidean => true,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::access::test_support::{homes, layer, push};
    use crate::access::{AccessInput, TownOptions, run_town};
    use crate::io::synth::SplitMix64;
    use crate::model::{Layer, Role, Taxonomy};
    use crate::network::synth;
    use crate::standards::profile::Profile;
    use geo_types::{Geometry, Point};
    use proptest::prelude::*;

    const SPACING: f64 = 100.0;
    const X0: f64 = 480_000.0;
    const Y0: f64 = 3_300_000.0;

    fn cats() -> [CategoryId; 3] {
        let t = Taxonomy::default();
        ["kindergarten", "health_center", "park"].map(|c| t.by_id(c).expect("category"))
    }

    /// Roads, facilities of three categories and homes on a jittered grid.
    fn town(nx: usize, ny: usize, seed: u64) -> Vec<Layer> {
        let mut rng = SplitMix64(seed);
        let roads = synth::street_grid(nx, ny, SPACING, 15.0, seed);
        let fac = synth::facilities(nx, ny, SPACING, &cats(), 2, seed ^ 7);
        let pts: Vec<([f64; 2], f64)> = (0..40)
            .map(|_| {
                (
                    [
                        X0 + rng.range(0.0, (nx - 1) as f64 * SPACING),
                        Y0 + rng.range(0.0, (ny - 1) as f64 * SPACING),
                    ],
                    rng.range(1.0, 20.0).round(),
                )
            })
            .collect();
        vec![roads, fac, homes(&pts)]
    }

    /// 5 and 15 minutes on foot, 30 by e-bike: two runs with their own graphs and budgets.
    fn run(layers: &[Layer]) -> crate::access::TownAccess {
        run_town(
            &AccessInput::from_layers(layers),
            &Profile::default(),
            &Taxonomy::default(),
            &TownOptions {
                mode: None,
                minutes: Some(vec![5, 15, 30]),
            },
        )
        .expect("run")
    }

    fn live(layers: &[Layer]) -> TownScenario {
        TownScenario::new(
            run(layers)
                .runs
                .into_iter()
                .map(|r| (Arc::new(r.analysis), Arc::new(r.result)))
                .collect(),
        )
    }

    /// The town with the scenario's facilities as a plain layer, computed from scratch.
    fn recomputed(layers: &[Layer], s: &TownScenario) -> AccessReport {
        let mut fac = layer("facilities", Role::Facilities, &[]);
        for f in s.facilities() {
            push(
                &mut fac,
                Geometry::Point(Point::new(f.xy[0], f.xy[1])),
                vec![],
                Some(f.category),
            );
        }
        let mut edited = vec![layers[0].clone(), fac];
        edited.extend(layers[2..].iter().cloned());
        run(&edited).report
    }

    fn assert_same(live: &AccessReport, full: &AccessReport) {
        for c in &full.categories {
            let l = live
                .categories
                .iter()
                .find(|l| l.id == c.id)
                .expect("category in the live report");
            assert_eq!(l.facility_count, c.facility_count, "{}", c.id);
            for (a, b) in l.tiers.iter().zip(&c.tiers) {
                assert_eq!(a.minutes, b.minutes);
                assert!(
                    (a.town.covered_weight - b.town.covered_weight).abs() < 1e-9,
                    "{} {} min: live {} full {}",
                    c.id,
                    a.minutes,
                    a.town.covered_weight,
                    b.town.covered_weight
                );
            }
        }
        // A category every facility of which was removed has no coverage left.
        for l in &live.categories {
            if !full.categories.iter().any(|c| c.id == l.id) {
                assert!(l.tiers.iter().all(|t| t.town.covered_weight == 0.0));
            }
        }
        assert_eq!(live.all_required.len(), full.all_required.len());
        for (a, b) in live.all_required.iter().zip(&full.all_required) {
            assert!((a.coverage.town.covered_weight - b.coverage.town.covered_weight).abs() < 1e-9);
        }
    }

    #[test]
    fn each_kind_of_edit_equals_a_recompute_and_undoing_restores_the_base() {
        let layers = town(7, 6, 5);
        let mut s = live(&layers);
        let base = s.report().expect("report");
        assert_same(&base, &run(&layers).report);
        let [kg, clinic, _] = cats();
        s.add(1, kg, [X0 + 320.0, Y0 + 240.0]).expect("add");
        assert!(s.last_updates > 0, "an added facility improves some nodes");
        assert_same(&s.report().expect("r"), &recomputed(&layers, &s));
        s.move_to(FacilityKey::Added(1), [X0 + 50.0, Y0 + 450.0])
            .expect("move");
        assert_same(&s.report().expect("r"), &recomputed(&layers, &s));
        s.recategorize(FacilityKey::Existing(0), clinic)
            .expect("recategorize");
        assert_same(&s.report().expect("r"), &recomputed(&layers, &s));
        s.move_to(FacilityKey::Existing(0), [X0 + 500.0, Y0 + 100.0])
            .expect("move a recategorized one");
        assert_same(&s.report().expect("r"), &recomputed(&layers, &s));
        let removed = s.remove(FacilityKey::Existing(1)).expect("remove");
        assert_same(&s.report().expect("r"), &recomputed(&layers, &s));
        assert_eq!(
            s.remove(FacilityKey::Existing(1)),
            Err(EditError::NoSuchFacility(FacilityKey::Existing(1)))
        );
        assert_eq!(s.add(1, kg, [X0, Y0]), Err(EditError::KeyTaken(1)));
        // Undo everything in reverse: the base figures come back exactly.
        s.add(99, removed.category, removed.xy).expect("re-add");
        s.move_to(FacilityKey::Existing(0), layers_xy(&layers, 0))
            .expect("move back");
        s.recategorize(FacilityKey::Existing(0), removed_category(&layers, 0))
            .expect("category back");
        s.remove(FacilityKey::Added(1)).expect("remove the added");
        let back = s.report().expect("r");
        for (a, b) in back.categories.iter().zip(&base.categories) {
            for (x, y) in a.tiers.iter().zip(&b.tiers) {
                assert_eq!(x.town.covered_weight, y.town.covered_weight, "{}", a.id);
            }
        }
    }

    /// With a raster of children (3-5), the kindergartens' coverage counts them, live edits
    /// included, and equals a full recompute; the other categories count everyone.
    #[test]
    fn an_age_band_category_edited_live_equals_a_recompute() {
        let mut layers = town(6, 5, 11);
        let mut children = layer("age_3-5", Role::Population, &["population", "cell_size"]);
        children.age_band = crate::model::AgeBand::parse("3-5").ok();
        let mut rng = SplitMix64(3);
        let mut total = 0.0;
        for j in 0..4 {
            for i in 0..5 {
                let n = rng.range(0.0, 9.0).round();
                total += n;
                push(
                    &mut children,
                    Geometry::Point(Point::new(
                        X0 + 50.0 + 100.0 * f64::from(i),
                        Y0 + 50.0 + 100.0 * f64::from(j),
                    )),
                    vec![
                        crate::model::AttrValue::Float(n),
                        crate::model::AttrValue::Float(100.0),
                    ],
                    None,
                );
            }
        }
        layers.push(children);
        let mut s = live(&layers);
        let base = s.report().expect("report");
        let of = |r: &AccessReport, id: &str| {
            r.categories
                .iter()
                .find(|c| c.id == id)
                .cloned()
                .expect("category")
        };
        let k = of(&base, "kindergarten");
        assert_eq!(k.demand, "3-5");
        assert!((k.tiers[0].town.demand_total - total).abs() < 1e-9);
        assert_eq!(of(&base, "park").demand, "total");
        assert!(of(&base, "park").tiers[0].town.demand_total > total);
        let [kg, _, _] = cats();
        s.add(1, kg, [X0 + 320.0, Y0 + 240.0]).expect("add");
        s.remove(FacilityKey::Existing(0)).expect("remove");
        let edited = s.report().expect("r");
        assert_same(&edited, &recomputed(&layers, &s));
        assert_eq!(of(&edited, "kindergarten").demand, "3-5");
    }

    fn layers_xy(layers: &[Layer], i: usize) -> [f64; 2] {
        match &layers[1].features[i].geometry {
            Geometry::Point(p) => [p.x(), p.y()],
            _ => panic!("a point"),
        }
    }

    fn removed_category(layers: &[Layer], i: usize) -> CategoryId {
        layers[1].features[i].category.expect("classified")
    }

    #[test]
    fn a_facility_beyond_the_snap_distance_is_marked_unreached() {
        let layers = town(5, 5, 3);
        let mut s = live(&layers);
        s.add(7, cats()[0], [X0 + 50_000.0, Y0]).expect("add");
        let f = s.facility(FacilityKey::Added(7)).expect("added");
        assert!(f.reached.iter().all(|r| !r), "{:?}", f.reached);
        let inside = s.facility(FacilityKey::Existing(0)).expect("existing");
        assert!(inside.reached.iter().all(|r| *r));
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(16))]

        /// After any sequence of edits the live report equals a full recompute of the edited town.
        #[test]
        fn any_sequence_of_edits_equals_a_full_recompute(
            seed in 0u64..10_000,
            ops in proptest::collection::vec((0u8..4, 0.0f64..1.0, 0.0f64..1.0, 0usize..16), 1..8),
        ) {
            let (nx, ny) = (6, 5);
            let layers = town(nx, ny, seed);
            let mut s = live(&layers);
            let mut next_key = 0;
            for (op, fx, fy, pick) in ops {
                let xy = [X0 + fx * (nx - 1) as f64 * SPACING, Y0 + fy * (ny - 1) as f64 * SPACING];
                let keys: Vec<FacilityKey> = s.facilities().iter().map(|f| f.key).collect();
                let any = (!keys.is_empty()).then(|| keys[pick % keys.len()]);
                match (op, any) {
                    (1, Some(k)) => { s.remove(k).expect("remove"); }
                    (2, Some(k)) => { s.move_to(k, xy).expect("move"); }
                    (3, Some(k)) => { s.recategorize(k, cats()[pick % 3]).expect("recat"); }
                    _ => { s.add(next_key, cats()[pick % 3], xy).expect("add"); next_key += 1; }
                }
            }
            assert_same(&s.report().expect("r"), &recomputed(&layers, &s));
        }
    }
}
