//! Tests of the demo town: determinism, the committed sample, and geometric self-checks of
//! every planted gap (straight-line distances and a small network of our own).

use std::path::{Path, PathBuf};

use std::collections::HashMap;

use geo::{Area, Contains, Intersects};
use geo_types::Geometry;
use geo_types::{Coord, Point};

use super::geom::*;
use super::net::{Mode, Net};
use super::town::*;
use super::*;
use crate::crs::{Crs, Transformer};
use crate::model::Taxonomy;

fn sample_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("sample-maps")
        .join(SAMPLE_DIR_NAME)
}

// ---------------------------------------------------------------------------------------------
// A small routable network over the generated roads (local metres)
// ---------------------------------------------------------------------------------------------

fn pois_of<'a>(t: &'a Town, cats: &[&str]) -> Vec<&'a Poi> {
    t.pois
        .iter()
        .filter(|p| p.category.is_some_and(|c| cats.contains(&c)))
        .collect()
}

fn poi_points(t: &Town, cats: &[&str]) -> Vec<Coord> {
    pois_of(t, cats).iter().map(|p| p.p).collect()
}

fn in_area(t: &Town, name: &str, p: Coord) -> bool {
    t.areas
        .iter()
        .find(|(n, _, _)| *n == name)
        .is_some_and(|(_, lo, hi)| p.x >= lo.x && p.x <= hi.x && p.y >= lo.y && p.y <= hi.y)
}

fn town() -> &'static Town {
    static T: std::sync::OnceLock<Town> = std::sync::OnceLock::new();
    T.get_or_init(|| build(DEFAULT_SEED))
}

fn demo() -> &'static DemoTown {
    static D: std::sync::OnceLock<DemoTown> = std::sync::OnceLock::new();
    D.get_or_init(|| generate(DEFAULT_SEED))
}

/// Residential buildings of the built-up area (centroids) with their area tag.
fn town_homes(t: &Town) -> Vec<(Coord, Option<&'static str>)> {
    let built = polygon(&t.built_up);
    t.buildings
        .iter()
        .filter(|b| b.use_ == Use::Residential && built.contains(&Point(b.centre())))
        .map(|b| (b.centre(), b.area))
        .collect()
}

/// Walking distance from every built-up home to the nearest facility of `cats`:
/// (max over homes outside `gap_area`, min over homes inside it).
fn town_walk(t: &Town, net: &Net, cats: &[&str], gap_area: Option<&str>) -> (f64, f64) {
    let d = net.dijkstra(&net.sources(&poi_points(t, cats)));
    let mut worst_other = 0.0_f64;
    let mut best_gap = f64::INFINITY;
    for (p, _) in town_homes(t) {
        let m = net.cost_to(&d, p);
        if gap_area.is_some_and(|a| in_area(t, a, p)) {
            best_gap = best_gap.min(m);
        } else {
            worst_other = worst_other.max(m);
        }
    }
    (worst_other, best_gap)
}

// ---------------------------------------------------------------------------------------------
// Diagnostics (run with --ignored --nocapture while tuning the plan)
// ---------------------------------------------------------------------------------------------

#[test]
#[ignore]
fn print_diagnostics() {
    let t = town();
    let walk = Net::new(&t.roads, Mode::Walk);
    let car = Net::new(&t.roads, Mode::Car);
    println!(
        "township {:.2} km2, built-up {:.3} km2",
        ring_area(&t.boundary) / 1e6,
        ring_area(&t.built_up) / 1e6
    );
    println!(
        "buildings {}, waste points {}, roads {}, sewers {}",
        t.buildings.len(),
        t.waste_points.len(),
        t.roads.len(),
        t.sewers.len()
    );
    let homes = town_homes(t);
    let built_pop: i64 = t
        .buildings
        .iter()
        .filter(|b| b.village.is_none())
        .map(|b| b.residents)
        .sum();
    let vill_pop: i64 = t.villages.iter().map(|v| v.population).sum();
    println!(
        "town homes {}, built-up residents {built_pop}, village residents {vill_pop}",
        homes.len()
    );
    for v in &t.villages {
        let n = t
            .buildings
            .iter()
            .filter(|b| {
                b.village.is_some()
                    && b.use_ == Use::Residential
                    && v.polygon.contains(&Point(b.centre()))
            })
            .count();
        println!(
            "  {} pop {} hh {} houses {} parts {}",
            v.name,
            v.population,
            v.households,
            n,
            v.polygon.0.len()
        );
    }
    for (cats, gap) in [
        (&["kindergarten"][..], Some(G3_AREA)),
        (&["fresh_market"][..], Some(G4_AREA)),
        (&["primary_school"][..], None),
        (&["middle_school"][..], None),
        (&["health_center"][..], None),
        (&["park"][..], None),
        (&["culture_station", "sports_venue"][..], None),
        (&["convenience_store"][..], None),
        (&["elderly_day_care", "elderly_service_center"][..], None),
        (&["bus_stop"][..], None),
    ] {
        let (w, g) = town_walk(t, &walk, cats, gap);
        println!("{cats:?}: worst other {w:.0} m, best in gap area {g:.0} m");
        let d = walk.dijkstra(&walk.sources(&poi_points(t, cats)));
        let mut all: Vec<(f64, Coord, Option<&str>)> = homes
            .iter()
            .map(|(p, a)| (walk.cost_to(&d, *p), *p, *a))
            .collect();
        all.sort_by(|a, b| b.0.total_cmp(&a.0));
        for (m, p, a) in all.iter().take(4) {
            println!("     {m:.0} m at ({:.0}, {:.0}) {a:?}", p.x, p.y);
        }
    }
    let hc = car.dijkstra(&car.sources(&poi_points(t, &["health_center"])));
    let clinics = walk.dijkstra(&walk.sources(&poi_points(
        t,
        &[
            "village_clinic",
            "community_health_station",
            "health_center",
        ],
    )));
    let stops = walk.dijkstra(&walk.sources(&poi_points(t, &["bus_stop"])));
    for v in &t.villages {
        println!(
            "  {}: car to 卫生院 {:.1} min, walk to clinic {:.0} m, walk to stop {:.0} m",
            v.name,
            car.cost_to(&hc, v.centre) / 60.0,
            walk.cost_to(&clinics, v.centre),
            walk.cost_to(&stops, v.centre)
        );
    }
    println!(
        "walk components {}, car components {}",
        walk.components(),
        car.components()
    );
}

// ---------------------------------------------------------------------------------------------
// Determinism and the committed sample
// ---------------------------------------------------------------------------------------------

fn layers(d: &DemoTown) -> Vec<&Layer> {
    vec![
        &d.boundary,
        &d.built_up,
        &d.villages,
        &d.roads,
        &d.water,
        &d.buildings,
        &d.sewers,
        &d.pois,
        &d.waste_points,
        &d.greenways,
    ]
}

#[test]
fn same_seed_same_town_other_seed_other_town() {
    let a = generate(DEFAULT_SEED);
    let b = demo();
    for (la, lb) in layers(&a).into_iter().zip(layers(b)) {
        assert_eq!(la.fields, lb.fields, "{}", la.name);
        assert_eq!(la.features, lb.features, "{}", la.name);
    }
    assert_eq!(a.gaps, b.gaps);
    assert_eq!(a.answer_key, b.answer_key);
    let c = generate(DEFAULT_SEED + 1);
    assert_ne!(c.buildings.features, b.buildings.features);
    assert_eq!(c.villages.features.len(), b.villages.features.len());
}

/// Every file of `dir`, sorted by name.
fn files_in(dir: &Path) -> Vec<PathBuf> {
    let mut v: Vec<PathBuf> = std::fs::read_dir(dir)
        .map(|rd| rd.filter_map(|e| e.ok().map(|e| e.path())).collect())
        .unwrap_or_default();
    v.sort();
    v
}

#[test]
fn committed_sample_matches_a_fresh_generation() {
    let dir = tempfile::tempdir().expect("tempdir");
    write(demo(), dir.path()).expect("write");
    let fresh = files_in(dir.path());
    let committed = files_in(&sample_dir());
    let names = |v: &[PathBuf]| -> Vec<String> {
        v.iter()
            .filter_map(|p| p.file_name().map(|n| n.to_string_lossy().into_owned()))
            .collect()
    };
    assert_eq!(
        names(&fresh),
        names(&committed),
        "the files differ; regenerate with `cargo test --lib demo::tests::regenerate_sample -- --ignored`"
    );
    for (f, c) in fresh.iter().zip(&committed) {
        let (mut a, mut b) = (
            std::fs::read(f).expect("read fresh"),
            std::fs::read(c).expect("read committed"),
        );
        if f.extension().is_some_and(|e| e == "dbf") && a.len() > 4 && b.len() > 4 {
            // The DBF header holds the date it was written.
            a[1..4].copy_from_slice(&[0, 0, 0]);
            b[1..4].copy_from_slice(&[0, 0, 0]);
        }
        assert!(
            a == b,
            "{} differs from a fresh generation; regenerate with `cargo test --lib demo::tests::regenerate_sample -- --ignored`",
            c.display()
        );
    }
    let total: u64 = committed
        .iter()
        .filter_map(|p| std::fs::metadata(p).ok())
        .map(|m| m.len())
        .sum();
    assert!(total < 2_000_000, "the sample is {total} bytes");
}

/// Rewrite `sample-maps/qingxi-demo-town/` (run after changing the generator).
#[test]
#[ignore]
fn regenerate_sample() {
    let dir = sample_dir();
    for f in files_in(&dir) {
        std::fs::remove_file(f).expect("remove old file");
    }
    write(demo(), &dir).expect("write the sample");
}

// ---------------------------------------------------------------------------------------------
// Sizes, containment, consistency
// ---------------------------------------------------------------------------------------------

#[test]
fn sizes_and_populations_are_plausible_and_consistent() {
    check_sizes_and_populations_are_plausible_and_consistent(town());
}

fn check_sizes_and_populations_are_plausible_and_consistent(t: &Town) {
    let township_km2 = ring_area(&t.boundary) / 1e6;
    assert!((40.0..=60.0).contains(&township_km2), "{township_km2}");
    let built_km2 = ring_area(&t.built_up) / 1e6;
    assert!((2.0..=3.0).contains(&built_km2), "{built_km2}");
    assert!((12..=16).contains(&t.villages.len()));
    assert!(
        (2000..=3000).contains(&t.buildings.len()),
        "{}",
        t.buildings.len()
    );
    for v in &t.villages {
        assert!((600..=3500).contains(&v.population), "{}", v.name);
        let homes: i64 = t
            .buildings
            .iter()
            .filter(|b| b.use_ == Use::Residential && v.polygon.contains(&Point(b.centre())))
            .map(|b| b.residents)
            .sum();
        assert_eq!(
            homes, v.population,
            "{}: residents of its buildings",
            v.name
        );
        assert!(v.households * 2 < v.population && v.households * 4 > v.population);
    }
    let built_area = polygon(&t.built_up);
    let built: i64 = t
        .buildings
        .iter()
        .filter(|b| built_area.contains(&Point(b.centre())))
        .map(|b| b.residents)
        .sum();
    let total: i64 = t.buildings.iter().map(|b| b.residents).sum();
    let villages: i64 = t.villages.iter().map(|v| v.population).sum();
    assert_eq!(built + villages, total);
    assert!((12_000..=20_000).contains(&total), "{total}");
    assert!(
        t.buildings
            .iter()
            .all(|b| (b.residents > 0) == (b.use_ == Use::Residential))
    );
}

#[test]
fn everything_lies_inside_the_township() {
    check_everything_lies_inside_the_township(town());
}

fn check_everything_lies_inside_the_township(t: &Town) {
    let township = polygon(&t.boundary);
    let built = polygon(&t.built_up);
    assert!(t.built_up.iter().all(|p| township.contains(&Point(*p))));
    let mut tiled = built.unsigned_area();
    for v in &t.villages {
        assert!(v.polygon.contains(&Point(v.centre)), "{}", v.name);
        for p in &v.polygon.0 {
            assert!(p.exterior().0.iter().all(|q| {
                township.contains(&Point(*q)) || polyline_dist(*q, &township.exterior().0) < 0.01
            }));
        }
        assert!(!built.contains(&Point(v.centre)));
        tiled += v.polygon.unsigned_area();
    }
    // The villages and the built-up area tile the township.
    assert!((tiled - township.unsigned_area()).abs() < 1.0, "{tiled}");
    for b in &t.buildings {
        assert!(b.ring.iter().all(|q| township.contains(&Point(*q))));
    }
    // Local roads stay inside (the expressway, the provincial and county roads run on).
    for r in &t.roads {
        if matches!(
            r.class,
            RoadClass::Village
                | RoadClass::Footway
                | RoadClass::TownBranch
                | RoadClass::TownSecondary
                | RoadClass::TownMain
        ) {
            assert!(
                r.pts.iter().all(|q| township.contains(&Point(*q))),
                "{}",
                r.name
            );
        }
    }
    for p in &t.pois {
        if p.category != Some("expressway_interchange") {
            assert!(township.contains(&Point(p.p)), "{}", p.name);
        }
    }
    // Built-up buildings are in the built-up area, village buildings in their village.
    for b in &t.buildings {
        match b.village {
            Some(v) => assert!(t.villages[v].polygon.contains(&Point(b.centre()))),
            None => assert!(built.contains(&Point(b.centre()))),
        }
    }
}

#[test]
fn no_building_overlaps_another_or_a_road_or_the_river() {
    check_no_building_overlaps_another_or_a_road_or_the_river(town());
}

fn check_no_building_overlaps_another_or_a_road_or_the_river(t: &Town) {
    let river = polygon(&t.river);
    let polys: Vec<_> = t.buildings.iter().map(|b| polygon(&b.ring)).collect();
    let mut grid: HashMap<(i64, i64), Vec<usize>> = HashMap::new();
    for (i, b) in t.buildings.iter().enumerate() {
        let c0 = b.centre();
        grid.entry(((c0.x / 100.0).floor() as i64, (c0.y / 100.0).floor() as i64))
            .or_default()
            .push(i);
    }
    for (i, b) in t.buildings.iter().enumerate() {
        assert!(!river.intersects(&polys[i]));
        let c0 = b.centre();
        let k = ((c0.x / 100.0).floor() as i64, (c0.y / 100.0).floor() as i64);
        for dx in -1..=1 {
            for dy in -1..=1 {
                for &j in grid
                    .get(&(k.0 + dx, k.1 + dy))
                    .map(Vec::as_slice)
                    .unwrap_or(&[])
                {
                    assert!(
                        j == i || !polys[i].intersects(&polys[j]),
                        "buildings {i} and {j}"
                    );
                }
            }
        }
    }
    for r in &t.roads {
        let line = geo_types::LineString(r.pts.clone());
        for w in r.pts.windows(2) {
            let mid = lerp(w[0], w[1], 0.5);
            let k = (
                (mid.x / 100.0).floor() as i64,
                (mid.y / 100.0).floor() as i64,
            );
            for dx in -2..=2 {
                for dy in -2..=2 {
                    for &j in grid
                        .get(&(k.0 + dx, k.1 + dy))
                        .map(Vec::as_slice)
                        .unwrap_or(&[])
                    {
                        assert!(
                            !polys[j].intersects(&line),
                            "road {} crosses building {j}",
                            r.name
                        );
                    }
                }
            }
        }
    }
}

// ---------------------------------------------------------------------------------------------
// The road network
// ---------------------------------------------------------------------------------------------

#[test]
fn roads_meet_only_at_shared_vertices_except_bridges() {
    check_roads_meet_only_at_shared_vertices_except_bridges(town());
}

fn check_roads_meet_only_at_shared_vertices_except_bridges(t: &Town) {
    let segs: Vec<(usize, Coord, Coord)> = t
        .roads
        .iter()
        .enumerate()
        .flat_map(|(i, r)| r.pts.windows(2).map(move |w| (i, w[0], w[1])))
        .collect();
    let mut grid: HashMap<(i64, i64), Vec<usize>> = HashMap::new();
    for (k, (_, a, b)) in segs.iter().enumerate() {
        let n = (dist(*a, *b) / 50.0).ceil().max(1.0) as usize;
        let mut keys: Vec<(i64, i64)> = (0..=n)
            .map(|j| {
                let p = lerp(*a, *b, j as f64 / n as f64);
                ((p.x / 100.0).floor() as i64, (p.y / 100.0).floor() as i64)
            })
            .collect();
        keys.sort();
        keys.dedup();
        for key in keys {
            grid.entry(key).or_default().push(k);
        }
    }
    let mut flyovers = 0;
    for ids in grid.values() {
        for (x, &i) in ids.iter().enumerate() {
            for &j in &ids[x + 1..] {
                let ((ri, a1, a2), (rj, b1, b2)) = (segs[i], segs[j]);
                if ri == rj {
                    continue;
                }
                let shared = [a1, a2].iter().any(|p| *p == b1 || *p == b2);
                if shared {
                    continue;
                }
                if let Some((ta, tb)) = seg_intersect(a1, a2, b1, b2) {
                    let (r1, r2) = (&t.roads[ri], &t.roads[rj]);
                    let separated = r1.layer != r2.layer;
                    assert!(
                        separated,
                        "{} and {} cross at ({:.1}, {:.1}) without a shared vertex (t={ta:.3}, u={tb:.3})",
                        r1.name,
                        r2.name,
                        lerp(a1, a2, ta).x,
                        lerp(a1, a2, ta).y
                    );
                    if r1.class == RoadClass::Motorway || r2.class == RoadClass::Motorway {
                        flyovers += 1;
                    }
                }
            }
        }
    }
    assert!(
        flyovers >= 2,
        "the expressway passes over local roads ({flyovers})"
    );
    // Roads cross the river only on bridges, and there are exactly three river bridges.
    let river = polygon(&t.river);
    let mut river_bridges = 0;
    for r in &t.roads {
        let line = geo_types::LineString(r.pts.clone());
        if river.intersects(&line) {
            assert!(r.bridge && r.layer == 1, "{} enters the river", r.name);
            river_bridges += 1;
            // Both ends on land, shared with the road continuing on each bank.
            for end in [r.pts[0], r.pts[r.pts.len() - 1]] {
                assert!(!river.contains(&Point(end)));
                assert!(
                    t.roads.iter().any(|o| !o.bridge && o.pts.contains(&end)),
                    "{}",
                    r.name
                );
            }
        }
    }
    assert_eq!(river_bridges, 3);
    // The expressway's bridges share no vertex with other roads.
    for r in t
        .roads
        .iter()
        .filter(|r| r.class == RoadClass::Motorway && r.bridge)
    {
        for p in &r.pts[1..r.pts.len() - 1] {
            let on: Vec<&str> = t
                .roads
                .iter()
                .filter(|o| o.pts.contains(p))
                .map(|o| o.name.as_str())
                .collect();
            assert!(on.len() == 1, "{on:?} at {p:?}");
        }
    }
}

#[test]
fn network_is_connected_and_the_interchange_is_outside() {
    check_network_is_connected_and_the_interchange_is_outside(town());
}

fn check_network_is_connected_and_the_interchange_is_outside(t: &Town) {
    assert_eq!(Net::new(&t.roads, Mode::Walk).components(), 1);
    assert_eq!(Net::new(&t.roads, Mode::Car).components(), 1);
    let township = polygon(&t.boundary);
    let ramps: Vec<&Road> = t
        .roads
        .iter()
        .filter(|r| r.class == RoadClass::MotorwayLink)
        .collect();
    assert_eq!(ramps.len(), 2);
    for r in &ramps {
        assert!(r.pts.iter().all(|p| !township.contains(&Point(*p))));
    }
    let ic = pois_of(t, &["expressway_interchange"]);
    assert_eq!(ic.len(), 1);
    assert!(!township.contains(&Point(ic[0].p)));
    // The link road joins the ramps to the provincial road.
    let link = t
        .roads
        .iter()
        .find(|r| r.name == "清溪互通连接线")
        .expect("link road");
    let (a, b) = (link.pts[0], link.pts[link.pts.len() - 1]);
    assert!(
        t.roads
            .iter()
            .any(|r| r.name == "溪富线" && r.pts.contains(&a))
    );
    assert!(ramps.iter().all(|r| r.pts.contains(&b)));
    // Two one-way streets in the town grid, and a street grid of ~115 m blocks.
    assert!(t.roads.iter().filter(|r| r.oneway).count() >= 2);
}

// ---------------------------------------------------------------------------------------------
// POIs and the taxonomy
// ---------------------------------------------------------------------------------------------

/// Categories of assets/categories.toml the demo does not have, and why.
const NOT_IN_THE_DEMO: [&str; 3] = [
    "high_school", // a town of this size sends its pupils to the county's high schools
    "school",      // only for schools of unknown level; the demo's are all known
    "waste_point", // in 垃圾分类收集点.geojson, not in the Amap export
];

#[test]
fn every_poi_classifies_as_intended_and_every_category_appears() {
    let tax = Taxonomy::default();
    let mut pois = demo().pois.clone();
    tax.classify_layer(&mut pois);
    let mut wrong = Vec::new();
    for (f, (name, want)) in pois.features.iter().zip(&demo().answer_key) {
        let got = f.category.and_then(|c| tax.get(c)).map(|c| c.id.clone());
        // An intended category the taxonomy in use does not define is expected unmapped.
        let want = want.clone().filter(|id| tax.by_id(id).is_some());
        if got != want {
            wrong.push(format!("{name}: got {got:?}, want {want:?}"));
        }
    }
    assert!(wrong.is_empty(), "{wrong:#?}");
    let names: std::collections::BTreeSet<&str> =
        demo().answer_key.iter().map(|(n, _)| n.as_str()).collect();
    assert_eq!(names.len(), demo().answer_key.len(), "POI names are unique");
    for c in &tax.categories {
        let present = demo()
            .answer_key
            .iter()
            .any(|(_, k)| k.as_deref() == Some(&c.id));
        assert_eq!(
            present,
            !NOT_IN_THE_DEMO.contains(&c.id.as_str()),
            "{}",
            c.id
        );
    }
    let mut waste = demo().waste_points.clone();
    let report = tax.classify_layer(&mut waste);
    assert_eq!(
        report.counts.get("waste_point"),
        Some(&waste.features.len())
    );
    assert!(
        demo()
            .answer_key
            .iter()
            .any(|(n, k)| n == "清溪镇中心幼儿园" && k.as_deref() == Some("kindergarten"))
    );
}

// ---------------------------------------------------------------------------------------------
// The planted gaps, and that everything else complies
// ---------------------------------------------------------------------------------------------

#[test]
fn g1_chashan_has_no_clinic_within_a_15_minute_walk() {
    check_g1_chashan_has_no_clinic_within_a_15_minute_walk(town());
}

fn check_g1_chashan_has_no_clinic_within_a_15_minute_walk(t: &Town) {
    let v = &t.villages[V_CHASHAN];
    let clinics = [
        "village_clinic",
        "community_health_station",
        "health_center",
    ];
    assert!(
        pois_of(t, &clinics)
            .iter()
            .all(|p| !v.polygon.contains(&Point(p.p)))
    );
    let walk = Net::new(&t.roads, Mode::Walk);
    let d = walk.dijkstra(&walk.sources(&poi_points(t, &clinics)));
    let m = walk.cost_to(&d, v.centre);
    assert!(m > 1_800.0, "{m}");
    // Every other village has its clinic within 300 m of its centre.
    for (i, v) in t
        .villages
        .iter()
        .enumerate()
        .filter(|(i, _)| *i != V_CHASHAN)
    {
        let m = walk.cost_to(&d, v.centre);
        assert!(m < 300.0, "{}: {m}", v.name);
        assert!(
            pois_of(t, &["village_clinic"])
                .iter()
                .any(|p| v.polygon.contains(&Point(p.p))),
            "{i}"
        );
    }
}

#[test]
fn g2_gaoling_is_more_than_30_minutes_from_the_health_centre() {
    check_g2_gaoling_is_more_than_30_minutes_from_the_health_centre(town());
}

fn check_g2_gaoling_is_more_than_30_minutes_from_the_health_centre(t: &Town) {
    let car = Net::new(&t.roads, Mode::Car);
    let d = car.dijkstra(&car.sources(&poi_points(t, &["health_center"])));
    for (i, v) in t.villages.iter().enumerate() {
        let min = car.cost_to(&d, v.centre) / 60.0;
        if i == V_GAOLING {
            assert!(min > 32.0, "{}: {min:.1} min", v.name);
        } else {
            assert!(min <= 18.0, "{}: {min:.1} min", v.name);
        }
    }
}

#[test]
fn g3_g4_town_gaps_and_town_compliance() {
    check_g3_g4_town_gaps_and_town_compliance(town());
}

fn check_g3_g4_town_gaps_and_town_compliance(t: &Town) {
    let walk = Net::new(&t.roads, Mode::Walk);
    let homes = town_homes(t);
    assert!(homes.iter().filter(|(_, a)| *a == Some(G3_AREA)).count() >= 6);
    assert!(homes.iter().filter(|(_, a)| *a == Some(G4_AREA)).count() >= 4);
    for (cats, max_m) in TOWN_WALK_RULES_M {
        let d = walk.dijkstra(&walk.sources(&poi_points(t, cats)));
        for (p, area) in &homes {
            assert_eq!(in_area(t, G3_AREA, *p), *area == Some(G3_AREA));
            assert_eq!(in_area(t, G4_AREA, *p), *area == Some(G4_AREA));
            let m = walk.cost_to(&d, *p);
            if exempt_rule(*area).is_some_and(|r| cats.contains(&r)) {
                // The planted gap: clearly beyond the radius (300 m kindergarten, 500 m market).
                let radius = if cats.contains(&"kindergarten") {
                    300.0
                } else {
                    500.0
                };
                assert!(m > radius + 80.0, "{area:?} {cats:?}: {m:.0} m");
            } else {
                assert!(
                    m <= max_m,
                    "{area:?} at ({:.0}, {:.0}) {cats:?}: {m:.0} m",
                    p.x,
                    p.y
                );
            }
        }
    }
}

#[test]
fn g5_baisha_stop_is_across_the_river() {
    check_g5_baisha_stop_is_across_the_river(town());
}

fn check_g5_baisha_stop_is_across_the_river(t: &Town) {
    let v = &t.villages[V_BAISHA];
    let stops = pois_of(t, &["bus_stop"]);
    let own: Vec<_> = stops
        .iter()
        .filter(|p| p.name.starts_with("白沙村"))
        .collect();
    assert_eq!(own.len(), 1);
    let straight = dist(own[0].p, v.centre);
    assert!((300.0..480.0).contains(&straight), "{straight}");
    // The river lies between them.
    let river = polygon(&t.river);
    assert!(river.intersects(&geo_types::Line::new(v.centre, own[0].p)));
    let walk = Net::new(&t.roads, Mode::Walk);
    let d = walk.dijkstra(&walk.sources(&poi_points(t, &["bus_stop"])));
    let m = walk.cost_to(&d, v.centre);
    assert!(m > 2_000.0, "{m}");
    // Every other village has a stop within 300 m of its centre.
    for (i, v) in t
        .villages
        .iter()
        .enumerate()
        .filter(|(i, _)| *i != V_BAISHA)
    {
        let m = walk.cost_to(&d, v.centre);
        assert!(m <= 300.0, "{i} {}: {m}", v.name);
    }
}

#[test]
fn g6_one_hamlet_lacks_a_waste_point() {
    check_g6_one_hamlet_lacks_a_waste_point(town());
}

fn check_g6_one_hamlet_lacks_a_waste_point(t: &Town) {
    let mut hamlet = 0;
    for b in t.buildings.iter().filter(|b| b.use_ == Use::Residential) {
        let near = t
            .waste_points
            .iter()
            .map(|w| dist(w.p, b.centre()))
            .fold(f64::INFINITY, f64::min);
        if b.area == Some(G6_AREA) {
            hamlet += 1;
            assert!(near > 150.0, "{near}");
            assert!(in_area(t, G6_AREA, b.centre()));
        } else {
            assert!(near <= 60.0, "{near}");
        }
    }
    assert!(hamlet >= 8);
}

#[test]
fn g7_the_greenway_has_one_break() {
    check_g7_the_greenway_has_one_break(town());
}

fn check_g7_the_greenway_has_one_break(t: &Town) {
    let gw = &t.greenways;
    let total: f64 = gw
        .iter()
        .map(|g| Polyline::new(g.pts.clone()).len_m())
        .sum();
    assert!((6_000.0..=10_000.0).contains(&total), "{total}");
    // Join segments that share an end point; there must be two groups.
    let n = gw.len();
    let mut group: Vec<usize> = (0..n).collect();
    fn find(g: &mut [usize], i: usize) -> usize {
        let mut r = i;
        while g[r] != r {
            r = g[r];
        }
        g[i] = r;
        r
    }
    for i in 0..n {
        for j in i + 1..n {
            let ends = |k: usize| [gw[k].pts[0], gw[k].pts[gw[k].pts.len() - 1]];
            if ends(i).iter().any(|p| gw[j].pts.contains(p))
                || ends(j).iter().any(|p| gw[i].pts.contains(p))
            {
                let (a, b) = (find(&mut group, i), find(&mut group, j));
                group[a] = b;
            }
        }
    }
    let roots: std::collections::BTreeSet<usize> = (0..n).map(|i| find(&mut group, i)).collect();
    assert_eq!(roots.len(), 2);
    let (a, b) = t.greenway_break;
    let gap = dist(a, b);
    assert!((50.0..=200.0).contains(&gap), "{gap}");
    // The break's ends are loose ends of two different groups.
    let owner = |p: Coord| {
        gw.iter()
            .position(|g| g.pts[0] == p || g.pts[g.pts.len() - 1] == p)
    };
    let (ia, ib) = (owner(a).expect("end a"), owner(b).expect("end b"));
    assert_ne!(find(&mut group, ia), find(&mut group, ib));
    // It starts in the built-up area and reaches the park, the scenic spot and two villages.
    let built = polygon(&t.built_up);
    assert!(gw.iter().any(|g| built.contains(&Point(g.pts[0]))));
    let reaches = |p: Coord| gw.iter().any(|g| polyline_dist(p, &g.pts) < 60.0);
    assert!(reaches(t.villages[V_XIKOU].centre) && reaches(t.villages[V_SHIQIAO].centre));
    assert!(reaches(pois_of(t, &["park"])[0].p));
    assert!(
        t.pois
            .iter()
            .any(|p| p.name == "清溪十八湾景区" && reaches(p.p))
    );
}

#[test]
fn g8_five_combined_sewers_in_the_old_quarter() {
    check_g8_five_combined_sewers_in_the_old_quarter(town());
}

fn check_g8_five_combined_sewers_in_the_old_quarter(t: &Town) {
    let built = polygon(&t.built_up);
    let combined: Vec<_> = t.sewers.iter().filter(|s| s.kind == "合流").collect();
    assert_eq!(combined.len(), 5);
    for s in &combined {
        assert!(
            s.pts
                .iter()
                .all(|p| built.contains(&Point(*p)) && in_area(t, OLD_QUARTER, *p))
        );
    }
    assert!(
        t.sewers
            .iter()
            .all(|s| ["污水", "雨水", "合流"].contains(&s.kind))
    );
    assert!(
        t.sewers
            .iter()
            .all(|s| s.pts.iter().all(|p| built.contains(&Point(*p))))
    );
}

#[test]
fn villages_have_their_services_at_the_centre() {
    check_villages_have_their_services_at_the_centre(town());
}

fn check_villages_have_their_services_at_the_centre(t: &Town) {
    for (i, v) in t.villages.iter().enumerate() {
        for cat in [
            "elderly_day_care",
            "village_service_station",
            "culture_hall",
            "convenience_store",
            "fitness_spot",
        ] {
            let near = pois_of(t, &[cat])
                .iter()
                .map(|p| dist(p.p, v.centre))
                .fold(f64::INFINITY, f64::min);
            assert!(near < 150.0, "{i} {} {cat}: {near}", v.name);
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Files
// ---------------------------------------------------------------------------------------------

#[test]
fn origin_is_near_119_95_e_30_05_n() {
    let tr = Transformer::new(&Crs::Epsg(CRS_EPSG), &Crs::WGS84).expect("transformer");
    let ll = tr
        .coord(geo_types::coord! { x: ORIGIN_E_M, y: ORIGIN_N_M })
        .expect("project");
    assert!(
        (ll.x - 119.95).abs() < 0.01 && (ll.y - 30.05).abs() < 0.01,
        "{ll:?}"
    );
}

#[test]
fn written_files_have_the_promised_encodings_and_crs() {
    let dir = tempfile::tempdir().expect("tempdir");
    write(demo(), dir.path()).expect("write");
    let csv = std::fs::read(dir.path().join(files::POI_CSV)).expect("csv");
    assert!(csv.starts_with(b"\xEF\xBB\xBF\xE5\x90\x8D\xE7\xA7\xB0,")); // BOM + 名称
    let text = String::from_utf8(csv[3..].to_vec()).expect("utf-8");
    let mut lines = text.lines();
    assert_eq!(lines.next(), Some("名称,类型,类型编码,地址,经度,纬度"));
    let row: Vec<&str> = lines.next().expect("a row").split(',').collect();
    let (lon, lat): (f64, f64) = (row[4].parse().expect("lon"), row[5].parse().expect("lat"));
    assert!(
        (119.88..120.02).contains(&lon) && (29.99..30.11).contains(&lat),
        "{lon} {lat}"
    );
    // GCJ-02, not WGS84: the first POI is shifted by a few hundred metres.
    let p = match &demo().pois.features[0].geometry {
        Geometry::Point(p) => p.0,
        _ => panic!("a point"),
    };
    let ll = Transformer::new(&Crs::Epsg(CRS_EPSG), &Crs::WGS84)
        .expect("tr")
        .coord(p)
        .expect("ll");
    let shift_m = ((lon - ll.x) * 96_000.0).hypot((lat - ll.y) * 111_000.0);
    assert!((100.0..1_000.0).contains(&shift_m), "{shift_m}");
    let gw = std::fs::read_to_string(dir.path().join(files::GREENWAYS)).expect("greenway");
    assert!(!gw.contains("\"crs\"") && gw.contains("[119.9"));
    let wp = std::fs::read_to_string(dir.path().join(files::WASTE_POINTS)).expect("waste");
    assert!(wp.contains("urn:ogc:def:crs:EPSG::4549"));
    // Both GeoJSON files read back with their CRS and every feature.
    let opts = crate::io::ReadOptions::default();
    let back =
        crate::io::geojson::read(&dir.path().join(files::WASTE_POINTS), &opts).expect("read");
    assert_eq!(back.crs.crs, Some(Crs::Epsg(CRS_EPSG)));
    assert_eq!(back.features.len(), demo().waste_points.features.len());
    let back = crate::io::geojson::read(&dir.path().join(files::GREENWAYS), &opts).expect("read");
    // No crs member: RFC 7946 lon/lat, which the loader assumes.
    assert!(matches!(back.crs.crs, None | Some(Crs::Epsg(4326))));
    assert_eq!(back.features.len(), demo().greenways.features.len());
    for shp in [files::ROADS, files::BUILDINGS, files::VILLAGES] {
        let stem = dir.path().join(shp);
        let cpg = std::fs::read_to_string(stem.with_extension("cpg")).expect("cpg");
        assert!(
            cpg.to_ascii_uppercase().contains("GBK") || cpg.contains("936"),
            "{cpg}"
        );
        let prj = std::fs::read_to_string(stem.with_extension("prj")).expect("prj");
        assert!(prj.contains("CGCS2000") && prj.contains("120"), "{prj}");
    }
    let meta: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(dir.path().join(files::METADATA)).expect("json"),
    )
    .expect("parse");
    assert_eq!(meta["synthetic"], true);
    assert_eq!(meta["seed"], DEFAULT_SEED);
    assert_eq!(meta["crs"], "EPSG:4549");
    assert_eq!(meta["planted_gaps"].as_array().map(Vec::len), Some(8));
    assert_eq!(
        meta["poi_answer_key"]["茶山村卫生室"],
        serde_json::Value::Null
    );
    let readme = std::fs::read_to_string(dir.path().join(files::README)).expect("readme");
    assert!(readme.contains("SYNTHETIC") && readme.contains("虚构") && readme.contains("CC0"));
}

/// The plan holds for other seeds too (the seed only moves things within checked margins).
#[test]
fn other_seeds_keep_every_invariant() {
    for seed in [1, 7, 20_240_101] {
        let t = build(seed);
        check_sizes_and_populations_are_plausible_and_consistent(&t);
        check_everything_lies_inside_the_township(&t);
        check_no_building_overlaps_another_or_a_road_or_the_river(&t);
        check_roads_meet_only_at_shared_vertices_except_bridges(&t);
        check_network_is_connected_and_the_interchange_is_outside(&t);
        check_g1_chashan_has_no_clinic_within_a_15_minute_walk(&t);
        check_g2_gaoling_is_more_than_30_minutes_from_the_health_centre(&t);
        check_g3_g4_town_gaps_and_town_compliance(&t);
        check_g5_baisha_stop_is_across_the_river(&t);
        check_g6_one_hamlet_lacks_a_waste_point(&t);
        check_g7_the_greenway_has_one_break(&t);
        check_g8_five_combined_sewers_in_the_old_quarter(&t);
        check_villages_have_their_services_at_the_centre(&t);
    }
}
