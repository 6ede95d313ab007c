//! What the ten-ones rules share: the town's layers by role, the access analyses per mode (built
//! lazily, once), facilities by category, 行政村 and their centres, travel times from any set of
//! points, and place naming (the 行政村 containing a point, or the 建成区).
//!
//! Built on the public API of `access` (Analysis, SourceSet, NodeTimes, point_time, SnapIndex);
//! [`Timer`] generalises `Analysis::times_for` to arbitrary source points (road nodes, hamlets),
//! which the access engine does not offer.

use std::cell::OnceCell;

use geo::{Centroid, Contains, InteriorPoint};
use geo_types::{Geometry, MultiPolygon, Point};

use crate::access::dijkstra::{self, NodeTimes, SourcePoint, SourceSet, Workspace};
use crate::access::euclid::EuclidIndex;
use crate::access::{AccessInput, AccessOptions, AccessReport, Analysis, Method, PreparedTown};
use crate::model::layer::{AttrValue, Feature, Layer, SourceId};
use crate::model::{Role, Taxonomy};
use crate::standards::Profile;
use crate::standards::tenones::TenOnesProfile;

/// A facility of the town, read from the facility layers.
#[derive(Debug, Clone, PartialEq)]
pub struct FacilityPoint {
    pub xy: [f64; 2],
    pub name: Option<String>,
    /// Category id (assets/categories.toml).
    pub category: String,
    pub layer: String,
    pub source: SourceId,
}

/// A 行政村 with its centre.
#[derive(Debug, Clone, PartialEq)]
pub struct VillageRef {
    pub name: String,
    pub polygon: Option<MultiPolygon<f64>>,
    /// The village's service station (village_centre_categories) inside it, else a point inside.
    pub centre: [f64; 2],
    pub population: Option<f64>,
    pub layer: String,
    pub source: SourceId,
}

/// A residential building (or other demand point) with its weight.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Home {
    pub xy: [f64; 2],
    pub weight: f64,
    pub built_up: bool,
    /// Index into the walk analysis's demand points.
    pub index: usize,
    /// The building it came from: (index in the building layers, feature).
    pub origin: Option<(u32, SourceId)>,
}

/// Everything the rules read.
pub struct Context<'a> {
    pub profile: &'a Profile,
    pub cfg: TenOnesProfile,
    pub taxonomy: &'a Taxonomy,
    pub coverage: &'a AccessReport,
    pub input: AccessInput<'a>,
    pub greenways: Vec<&'a Layer>,
    pub sewers: Vec<&'a Layer>,
    pub grids: Vec<&'a Layer>,
    built_up: Vec<MultiPolygon<f64>>,
    boundary: Vec<MultiPolygon<f64>>,
    /// The road graph and demand of every analysis here: the caller's ([`Context::sharing`]),
    /// else built once on first use.
    shared: Option<&'a PreparedTown>,
    prepared: OnceCell<PreparedTown>,
    walk: OnceCell<Option<Analysis>>,
    drive: OnceCell<Option<Analysis>>,
    villages: OnceCell<Vec<VillageRef>>,
}

/// A point of any geometry (interior point of polygons, centroid of lines).
pub fn point_of(g: &Geometry<f64>) -> Option<[f64; 2]> {
    let p: Option<Point<f64>> = match g {
        Geometry::Point(p) => Some(*p),
        Geometry::Polygon(_) | Geometry::MultiPolygon(_) => g.interior_point(),
        other => other.centroid(),
    };
    let p = p?;
    (p.x().is_finite() && p.y().is_finite()).then_some([p.x(), p.y()])
}

/// The polygons of a geometry (empty for points and lines).
pub fn polygons_of(g: &Geometry<f64>) -> Option<MultiPolygon<f64>> {
    match g {
        Geometry::Polygon(p) => Some(MultiPolygon::new(vec![p.clone()])),
        Geometry::MultiPolygon(m) => Some(m.clone()),
        _ => None,
    }
}

/// Straight-line distance in metres.
pub fn dist_m(a: [f64; 2], b: [f64; 2]) -> f64 {
    (a[0] - b[0]).hypot(a[1] - b[1])
}

/// The first non-empty text of `fields` on a feature.
pub fn text_of(layer: &Layer, f: &Feature, fields: &[String]) -> Option<String> {
    fields.iter().find_map(|n| {
        layer
            .attr(f, n)
            .and_then(AttrValue::as_text)
            .map(|s| s.trim().to_string())
            .filter(|s| !s.is_empty())
    })
}

/// Travel times from a set of source points to any point, in one mode.
pub struct Timer<'a> {
    analysis: &'a Analysis,
    network: Option<(NodeTimes, SourceSet)>,
    euclid: Option<EuclidIndex>,
    budget_s: f64,
    sources: usize,
}

impl Timer<'_> {
    /// Seconds from `xy` to the nearest source (infinite beyond the budget or off the network).
    pub fn time_s(&self, xy: [f64; 2]) -> f64 {
        if self.sources == 0 {
            return f64::INFINITY;
        }
        let a = self.analysis;
        let snap = a.network.as_ref().and_then(|n| {
            n.index
                .snap(xy, a.mode.max_snap_m, |e| n.mode_graph.usable(e))
        });
        a.point_time(
            xy,
            snap.as_ref(),
            self.network.as_ref(),
            self.euclid.as_ref(),
            self.budget_s,
        )
        .0
    }

    /// Seconds from demand point `i` of the analysis (its snap is already known).
    pub fn demand_time_s(&self, i: usize) -> f64 {
        let a = self.analysis;
        let (Some(p), Some(snap)) = (a.demand.points.get(i), a.demand_snaps.get(i)) else {
            return f64::INFINITY;
        };
        if self.sources == 0 {
            return f64::INFINITY;
        }
        a.point_time(
            p.xy,
            snap.as_ref(),
            self.network.as_ref(),
            self.euclid.as_ref(),
            self.budget_s,
        )
        .0
    }

    /// Metres walked (or driven) in `time_s` at the mode's base speed.
    pub fn metres(&self, time_s: f64) -> f64 {
        time_s * self.analysis.mode.speed_m_per_s
    }
}

impl<'a> Context<'a> {
    pub fn new(
        layers: &'a [Layer],
        profile: &'a Profile,
        cfg: TenOnesProfile,
        taxonomy: &'a Taxonomy,
        coverage: &'a AccessReport,
    ) -> Context<'a> {
        let by =
            |r: Role| -> Vec<&'a Layer> { layers.iter().filter(|l| l.role == Some(r)).collect() };
        let polys = |r: Role| -> Vec<MultiPolygon<f64>> {
            by(r)
                .iter()
                .flat_map(|l| l.features.iter().filter_map(|f| polygons_of(&f.geometry)))
                .collect()
        };
        Context {
            profile,
            cfg,
            taxonomy,
            coverage,
            input: AccessInput::from_layers(layers),
            greenways: by(Role::Greenway),
            sewers: by(Role::Sewers),
            grids: by(Role::Grid),
            built_up: polys(Role::BuiltUpArea),
            boundary: polys(Role::Boundary),
            shared: None,
            prepared: OnceCell::new(),
            walk: OnceCell::new(),
            drive: OnceCell::new(),
            villages: OnceCell::new(),
        }
    }

    /// Use the road graph and demand the caller built from the same layers (a scenario's base:
    /// only its facilities differ) instead of building them again.
    pub fn sharing(mut self, prepared: &'a PreparedTown) -> Context<'a> {
        self.shared = Some(prepared);
        self
    }

    /// The road graph and demand, built once for every mode.
    fn prepared(&self) -> &PreparedTown {
        match self.shared {
            Some(p) => p,
            None => self
                .prepared
                .get_or_init(|| PreparedTown::new(&self.input, self.profile)),
        }
    }

    fn analysis(&self, mode: &str) -> Option<Analysis> {
        self.analysis_of(mode, None)
    }

    /// An analysis in `mode` (the profile's tiers, or `minutes`); None for an unknown mode.
    fn analysis_of(&self, mode: &str, minutes: Option<Vec<u32>>) -> Option<Analysis> {
        // The mode first: an unknown one builds nothing.
        crate::network::TravelMode::from_profile(self.profile, mode).ok()?;
        Analysis::with_prepared(
            self.prepared(),
            &self.input,
            self.profile,
            self.taxonomy,
            &AccessOptions {
                mode: mode.to_string(),
                minutes,
            },
        )
        .ok()
    }

    /// The coverage of the profile's tiers defined for `mode`: the caller's report when it was
    /// computed in that mode, else computed here (None when the mode is unknown).
    pub fn tier_coverage(&self, mode: &str) -> Option<std::borrow::Cow<'_, AccessReport>> {
        let minutes: Vec<u32> = self
            .profile
            .tiers
            .iter()
            .filter(|t| t.mode == mode)
            .map(|t| t.minutes)
            .collect();
        if minutes.is_empty() {
            return None;
        }
        // The caller's report serves when it computed every one of these tiers in this mode
        // (`access::run_town` gives each tier its profile mode).
        let computed_here = |m: &u32| {
            self.coverage
                .tiers
                .iter()
                .any(|ti| ti.minutes == *m && ti.mode == mode)
        };
        if minutes.iter().all(computed_here) {
            return Some(std::borrow::Cow::Borrowed(self.coverage));
        }
        let a = self.analysis_of(mode, Some(minutes))?;
        Some(std::borrow::Cow::Owned(a.run().report))
    }

    /// The walking analysis (built once).
    pub fn walk(&self) -> Option<&Analysis> {
        self.walk
            .get_or_init(|| self.analysis(&self.cfg.walk_mode))
            .as_ref()
    }

    /// The driving analysis (built once).
    pub fn drive(&self) -> Option<&Analysis> {
        self.drive
            .get_or_init(|| self.analysis(&self.cfg.drive_mode))
            .as_ref()
    }

    /// Whether travel times are straight-line estimates (no usable road network).
    pub fn euclidean(&self) -> bool {
        self.walk().is_some_and(|a| a.method == Method::Euclidean)
    }

    /// The search cap in seconds.
    pub fn search_s(&self) -> f64 {
        self.cfg.search_max_min.value * 60.0
    }

    /// Times from `points` in the analysis's mode, searched up to the cap.
    pub fn timer<'b>(&self, analysis: &'b Analysis, points: &[[f64; 2]]) -> Timer<'b> {
        let budget_s = self.search_s();
        let network = analysis.network.as_ref().map(|n| {
            let sources = SourceSet::new(
                points
                    .iter()
                    .enumerate()
                    .filter_map(|(i, p)| {
                        n.index
                            .snap(*p, analysis.mode.max_snap_m, |e| n.mode_graph.usable(e))
                            .map(|s| SourcePoint::from_snap(i as u32, &s, &n.mode_graph))
                    })
                    .collect(),
            );
            let mut times = NodeTimes::new(n.graph.node_count());
            let mut ws = Workspace::default();
            dijkstra::multi_source(
                &n.mode_graph,
                &sources.seeds(&n.graph, &n.mode_graph),
                budget_s,
                &mut times,
                &mut ws,
            );
            (times, sources)
        });
        let euclid = match analysis.method {
            Method::Euclidean => Some(EuclidIndex::new(
                &points
                    .iter()
                    .enumerate()
                    .map(|(i, p)| (*p, i as u32))
                    .collect::<Vec<_>>(),
            )),
            Method::Network => None,
        };
        Timer {
            analysis,
            network,
            euclid,
            budget_s,
            sources: points.len(),
        }
    }

    /// Facilities of any of these categories.
    pub fn facilities(&self, categories: &[String]) -> Vec<FacilityPoint> {
        let ids: Vec<_> = categories
            .iter()
            .filter_map(|c| self.taxonomy.by_id(c))
            .collect();
        let mut out = Vec::new();
        for l in &self.input.facilities {
            for f in &l.features {
                let Some(c) = f.category.filter(|c| ids.contains(c)) else {
                    continue;
                };
                let Some(xy) = point_of(&f.geometry) else {
                    continue;
                };
                out.push(FacilityPoint {
                    xy,
                    name: text_of(l, f, &self.name_fields()),
                    category: self
                        .taxonomy
                        .get(c)
                        .map(|c| c.id.clone())
                        .unwrap_or_default(),
                    layer: l.name.clone(),
                    source: f.source_id,
                });
            }
        }
        out
    }

    fn name_fields(&self) -> Vec<String> {
        let mut v = self.profile.demand.name_fields.clone();
        for n in ["名称", "name", "NAME"] {
            if !v.iter().any(|x| x == n) {
                v.push(n.into());
            }
        }
        v
    }

    /// Whether the town has any facility layer.
    pub fn has_facilities(&self) -> bool {
        !self.input.facilities.is_empty()
    }

    /// Whether the town has a 建成区 polygon.
    pub fn has_built_up(&self) -> bool {
        !self.built_up.is_empty()
    }

    pub fn in_built_up(&self, xy: [f64; 2]) -> bool {
        let p = Point::new(xy[0], xy[1]);
        self.built_up.iter().any(|m| m.contains(&p))
    }

    pub fn in_town(&self, xy: [f64; 2]) -> bool {
        let p = Point::new(xy[0], xy[1]);
        self.boundary.is_empty() || self.boundary.iter().any(|m| m.contains(&p))
    }

    pub fn built_up_polygons(&self) -> &[MultiPolygon<f64>] {
        &self.built_up
    }

    pub fn boundary_polygons(&self) -> &[MultiPolygon<f64>] {
        &self.boundary
    }

    /// The 行政村 of the village layers, each with its centre.
    pub fn villages(&self) -> &[VillageRef] {
        self.villages.get_or_init(|| {
            let centres = self.facilities(&self.cfg.village_centre_categories);
            let mut fields = self.profile.demand.name_fields.clone();
            fields.push("name".into());
            let mut out = Vec::new();
            for l in &self.input.villages {
                for f in &l.features {
                    let Some(inner) = point_of(&f.geometry) else {
                        continue;
                    };
                    let polygon = polygons_of(&f.geometry);
                    let name = text_of(l, f, &fields).unwrap_or_else(|| format!("{}", f.source_id));
                    let centre = polygon
                        .as_ref()
                        .and_then(|m| {
                            centres
                                .iter()
                                .find(|c| m.contains(&Point::new(c.xy[0], c.xy[1])))
                                .map(|c| c.xy)
                        })
                        .unwrap_or(inner);
                    let population = self
                        .profile
                        .demand
                        .population_fields
                        .iter()
                        .find_map(|n| l.attr(f, n).and_then(AttrValue::as_f64));
                    out.push(VillageRef {
                        name,
                        polygon,
                        centre,
                        population,
                        layer: l.name.clone(),
                        source: f.source_id,
                    });
                }
            }
            out
        })
    }

    /// Residential demand points of the walk analysis (buildings, village points or cells).
    pub fn homes(&self) -> Vec<Home> {
        self.walk()
            .map(|a| {
                a.demand
                    .points
                    .iter()
                    .enumerate()
                    .map(|(i, p)| Home {
                        xy: p.xy,
                        weight: p.weight,
                        built_up: p.built_up,
                        index: i,
                        origin: p.origin,
                    })
                    .collect()
            })
            .unwrap_or_default()
    }

    /// Whether demand comes from buildings (not only village points or a grid).
    pub fn has_buildings(&self) -> bool {
        !self.input.buildings.is_empty()
    }

    /// The name of the place at `xy`: (zh, en) — the 建成区, else the 行政村 containing it, else
    /// the nearest 行政村's surroundings, else the town.
    pub fn place_name(&self, xy: [f64; 2]) -> (String, String) {
        if self.in_built_up(xy) {
            return ("建成区".into(), "built-up area".into());
        }
        let p = Point::new(xy[0], xy[1]);
        let villages = self.villages();
        if let Some(v) = villages
            .iter()
            .find(|v| v.polygon.as_ref().is_some_and(|m| m.contains(&p)))
        {
            return (v.name.clone(), v.name.clone());
        }
        match villages
            .iter()
            .min_by(|a, b| dist_m(a.centre, xy).total_cmp(&dist_m(b.centre, xy)))
        {
            Some(v) => (format!("{}附近", v.name), format!("near {}", v.name)),
            None => ("镇域".into(), "the town".into()),
        }
    }
}
