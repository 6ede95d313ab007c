//! Running an analysis: building the mode graph, snapping facilities and demand, the per-category
//! multi-source Dijkstra, and coverage per scope (town, 建成区, villages) and tier.

use std::collections::BTreeMap;
use std::sync::Arc;

use geo::{Centroid, InteriorPoint};
use geo_types::Geometry;
use rayon::prelude::*;

use crate::error::{Error, Result};
use crate::model::layer::AttrValue;
use crate::model::{CategoryId, Taxonomy};
use crate::network::components::{Component, Components};
use crate::network::mode::{ModeGraph, TravelMode};
use crate::standards::profile::{Profile, Scope};

use super::coverage::{self, CategoryCoverage, TierSpec};
use super::demand::{self, DemandSource};
use super::dijkstra::{self, NO_SOURCE, NodeTimes, SourcePoint, SourceSet, Workspace};
use super::euclid;
use super::input::{AccessInput, AccessOptions, Facility, Method};
use super::prepared::{Network, PreparedTown};
use super::result::{
    AccessReport, AccessResult, Analysis, CategoryTimes, ModeInfo, ModeRunInfo, NetworkStats,
    SnapStats, TierInfo,
};
use super::snap::Snap;

pub(crate) const NAME_FIELDS: &[&str] = &["名称", "设施名称", "name", "名字"];

/// A feature's point: itself, a polygon's interior point, else the centroid.
pub(crate) fn point_of(g: &Geometry<f64>) -> Option<[f64; 2]> {
    let p = match g {
        Geometry::Point(p) => Some(*p),
        Geometry::Polygon(_) | Geometry::MultiPolygon(_) => g.interior_point(),
        other => other.centroid(),
    }?;
    (p.x().is_finite() && p.y().is_finite()).then_some([p.x(), p.y()])
}

/// When age-band rasters are loaded but some categories serve a band without one: which, in one
/// warning (their coverage counts the total population).
fn band_missing_warning(
    demand: &demand::Demand,
    taxonomy: &Taxonomy,
    categories: &[CategoryId],
) -> Option<String> {
    if demand.bands.is_empty() {
        return None;
    }
    let missing: Vec<String> = categories
        .iter()
        .filter_map(|c| taxonomy.get(*c))
        .filter_map(|c| {
            let b = c.age_band?;
            demand
                .band_weights(b)
                .is_none()
                .then(|| format!("{} {} ({b})", c.id, c.zh))
        })
        .collect();
    let loaded: Vec<String> = demand.bands.iter().map(|b| b.band.to_string()).collect();
    (!missing.is_empty()).then(|| {
        format!(
            "{}: no population raster of the age band they serve (loaded: {}); their coverage counts the total population",
            missing.join(", "),
            loaded.join(", ")
        )
    })
}

fn fmt_xy(p: [f64; 2]) -> String {
    format!("({:.0}, {:.0})", p[0], p[1])
}

impl Analysis {
    /// Prepare a town for analysis with one mode for every tier. Errors only for a bad
    /// profile/mode; bad data gives warnings (no roads: the Euclidean fallback, flagged).
    /// [`run_town`](super::run_town) gives each tier its profile mode and builds the graph once for
    /// all of them.
    pub fn new(
        input: &AccessInput<'_>,
        profile: &Profile,
        taxonomy: &Taxonomy,
        options: &AccessOptions,
    ) -> Result<Analysis> {
        TravelMode::from_profile(profile, &options.mode)?;
        let prepared = PreparedTown::new(input, profile);
        Analysis::with_prepared(&prepared, input, profile, taxonomy, options)
    }

    /// [`Analysis::new`] on a graph and demand already built (shared between modes).
    pub fn with_prepared(
        prepared: &PreparedTown,
        input: &AccessInput<'_>,
        profile: &Profile,
        taxonomy: &Taxonomy,
        options: &AccessOptions,
    ) -> Result<Analysis> {
        let mode = TravelMode::from_profile(profile, &options.mode)?;
        let mut warnings = Vec::new();

        // Tiers.
        let resolved = profile.resolve_requirements(taxonomy)?;
        let minutes: Vec<u32> = match &options.minutes {
            Some(m) => {
                let mut m = m.clone();
                m.sort_unstable();
                m.dedup();
                if m.is_empty() || m.contains(&0) {
                    return Err(Error::Config(
                        "tier minutes must be positive numbers, e.g. 5,15,30".into(),
                    ));
                }
                m
            }
            None => profile.tiers.iter().map(|t| t.minutes).collect(),
        };
        let mut tiers = Vec::new();
        let mut tier_info = Vec::new();
        for m in &minutes {
            let pt = profile.tiers.iter().position(|t| t.minutes == *m);
            let required: Vec<(String, Vec<CategoryId>)> = match pt {
                Some(i) => profile.tiers[i]
                    .required
                    .iter()
                    .zip(&resolved[i])
                    .map(|(r, ids)| (r.label.clone(), ids.clone()))
                    .collect(),
                None => Vec::new(),
            };
            let t = pt.map(|i| &profile.tiers[i]);
            let speed = mode.speed_m_per_s;
            let limited = |r: &crate::standards::profile::Requirement| {
                (r.max_m.is_some() || r.max_min.is_some())
                    .then(|| t.map(|t| t.requirement_budget_s(r, speed)))
                    .flatten()
            };
            tiers.push(TierSpec {
                minutes: *m,
                scope: t.map_or(Scope::Town, |t| t.scope),
                required: required.clone(),
                required_budget_s: t
                    .map_or_else(Vec::new, |t| t.required.iter().map(limited).collect()),
            });
            tier_info.push(TierInfo {
                minutes: *m,
                budget_s: f64::from(*m) * 60.0,
                id: t.map(|t| t.id.clone()),
                zh: t.map(|t| t.zh.clone()),
                scope: t.map_or(Scope::Town, |t| t.scope),
                profile_mode: t.map(|t| t.mode.clone()),
                mode: mode.id.clone(),
                required: required.into_iter().map(|(l, _)| l).collect(),
                required_limits: t.map_or_else(Vec::new, |t| {
                    t.required.iter().map(|r| r.limit_text()).collect()
                }),
                source: t.map(|t| t.source),
                cite: t.map(|t| t.cite.clone()),
            });
            if t.is_some_and(|t| t.mode != mode.id) {
                warnings.push(format!(
                    "the profile defines the {m}-minute tier for mode \"{}\"; this run uses \"{}\"",
                    t.map(|t| t.mode.as_str()).unwrap_or(""),
                    mode.id
                ));
            }
        }

        // Network.
        let mut network = None;
        if let Some(roads) = &prepared.roads {
            let built = roads;
            let mode_graph = ModeGraph::new(&built.graph, &mode);
            let features: usize = input.roads.iter().map(|l| l.features.len()).sum();
            if features == 0 {
                let skipped: usize = input.roads.iter().map(|l| l.issues.len()).sum();
                warnings.push(format!(
                    "the road layer has no line features ({skipped} skipped on reading: see `towncircle info`): EUCLIDEAN FALLBACK for {}",
                    mode.id
                ));
            } else if built.graph.edge_count() == 0 || mode_graph.fwd.arc_count() == 0 {
                warnings.push(format!(
                    "the road layer gives no usable network for {} ({} nodes, {} edges from {} lines; {} skipped, {} not roads): EUCLIDEAN FALLBACK",
                    mode.id,
                    built.graph.node_count(),
                    built.graph.edge_count(),
                    built.build.lines_read,
                    built.build.lines_skipped,
                    built.build.lines_ignored
                ));
            } else {
                let components = Components::of_mode(&built.graph, &mode_graph);
                if components.count() > 1 {
                    let others: Vec<&Component> = components.list.iter().skip(1).collect();
                    let len: f64 = others.iter().map(|c| c.length_m).sum();
                    warnings.push(format!(
                        "the {} network has {} disconnected fragments besides the main one ({:.1} km in all; largest at {}): people and facilities on a fragment reach only that fragment",
                        mode.id,
                        others.len(),
                        len / 1000.0,
                        others.first().map(|c| fmt_xy(c.location)).unwrap_or_default()
                    ));
                }
                if !built.build.unknown_class_values.is_empty() {
                    let list: Vec<String> = built
                        .build
                        .unknown_class_values
                        .iter()
                        .take(8)
                        .map(|(k, v)| format!("{k} ({v})"))
                        .collect();
                    warnings.push(format!(
                        "road class values not in the profile were treated as \"{}\": {}",
                        profile
                            .class(profile.default_class)
                            .map(|c| c.id.as_str())
                            .unwrap_or(""),
                        list.join(", ")
                    ));
                }
                network = Some(Network {
                    graph: Arc::clone(&built.graph),
                    build: built.build.clone(),
                    mode_graph,
                    components,
                    index: Arc::clone(&built.index),
                });
            }
        } else {
            warnings.push(format!(
                "no road layer: travel times are straight-line distance × {} (detour factor) — EUCLIDEAN FALLBACK, give --roads for network times",
                profile.network.detour_factor.value
            ));
        }
        let method = if network.is_some() {
            Method::Network
        } else {
            Method::Euclidean
        };

        // Demand.
        let demand = prepared.demand.clone();
        warnings.extend(demand.warnings.iter().cloned());
        if demand.points.is_empty() {
            warnings.push(
                "no demand: give residential buildings, villages with population, a built-up area or a boundary".into(),
            );
        }

        // Facilities.
        let mut facilities = Vec::new();
        let mut unclassified = 0;
        for (li, l) in input.facilities.iter().enumerate() {
            for f in &l.features {
                let Some(category) = f.category else {
                    unclassified += 1;
                    continue;
                };
                let Some(xy) = point_of(&f.geometry) else {
                    continue;
                };
                let name = NAME_FIELDS.iter().find_map(|n| {
                    l.attr(f, n)
                        .and_then(AttrValue::as_text)
                        .map(|s| s.trim().to_string())
                        .filter(|s| !s.is_empty())
                });
                facilities.push(Facility {
                    xy,
                    category,
                    name,
                    layer: li as u32,
                    source: f.source_id,
                    capacity: super::input::capacity_of(l, f),
                });
            }
        }
        if facilities.is_empty() {
            let features: usize = input.facilities.iter().map(|l| l.features.len()).sum();
            warnings.push(if input.facilities.is_empty() {
                "no facility layer: every category has 0 facilities (give --facilities FILE)".into()
            } else if features == 0 {
                "the facility layer is empty: every category has 0 facilities".into()
            } else {
                format!(
                    "the facility layer has no classified facilities ({unclassified} features match no category; see `towncircle info` and assets/categories.toml)"
                )
            });
        } else if unclassified > 0 {
            warnings.push(format!(
                "{unclassified} facility features match no category and are left out"
            ));
        }

        // Snapping.
        let max_snap_m = mode.max_snap_m;
        let (demand_snaps, facility_snaps): (Vec<Option<Snap>>, Vec<Option<Snap>>) = match &network
        {
            Some(n) => {
                let snap = |xy: [f64; 2]| n.index.snap(xy, max_snap_m, |e| n.mode_graph.usable(e));
                (
                    demand.points.par_iter().map(|p| snap(p.xy)).collect(),
                    facilities.iter().map(|f| snap(f.xy)).collect(),
                )
            }
            None => (
                vec![None; demand.points.len()],
                vec![None; facilities.len()],
            ),
        };
        if let Some(n) = &network {
            let far: Vec<&Facility> = facilities
                .iter()
                .zip(&facility_snaps)
                .filter(|(_, s)| s.is_none())
                .map(|(f, _)| f)
                .collect();
            if !far.is_empty() {
                let ex: Vec<String> = far
                    .iter()
                    .take(5)
                    .map(|f| {
                        format!(
                            "{} {} at {}",
                            f.name.as_deref().unwrap_or("(no name)"),
                            f.source,
                            fmt_xy(f.xy)
                        )
                    })
                    .collect();
                warnings.push(format!(
                    "{} facilities are more than {max_snap_m} m from any road usable by {} and are not reachable (outside the town or missing roads?): {}",
                    far.len(),
                    mode.id,
                    ex.join("; ")
                ));
            }
            let off: Vec<String> = facilities
                .iter()
                .zip(&facility_snaps)
                .filter_map(|(f, s)| {
                    let c = n.components.of_edge(&n.graph, s.as_ref()?.edge)?;
                    (c != 0).then(|| {
                        format!(
                            "{} {} at {}",
                            f.name.as_deref().unwrap_or("(no name)"),
                            f.source,
                            fmt_xy(f.xy)
                        )
                    })
                })
                .collect();
            if !off.is_empty() {
                warnings.push(format!(
                    "{} facilities are on a disconnected fragment of the network and serve only it: {}",
                    off.len(),
                    off.iter().take(5).cloned().collect::<Vec<_>>().join("; ")
                ));
            }
            let unreachable = demand_snaps.iter().filter(|s| s.is_none()).count();
            if unreachable > 0 {
                warnings.push(format!(
                    "{unreachable} of {} demand points are more than {max_snap_m} m from a usable road: counted as not covered",
                    demand.points.len()
                ));
            }
        }
        // Facilities far outside the town (boundary, else the demand's extent).
        let town_region = demand::Region::from_layers(&input.boundary);
        let outside: usize = if !town_region.is_empty() {
            facilities
                .iter()
                .filter(|f| !town_region.contains(f.xy))
                .count()
        } else {
            0
        };
        if outside > 0 {
            warnings.push(format!(
                "{outside} facilities lie outside the town boundary (they still count if reachable)"
            ));
        }

        // Categories: those with facilities and those required.
        let mut categories: Vec<CategoryId> = facilities.iter().map(|f| f.category).collect();
        for t in &tiers {
            for (_, ids) in &t.required {
                categories.extend(ids.iter().copied());
            }
        }
        categories.sort_unstable();
        categories.dedup();

        let class_id = |c: crate::standards::profile::RoadClassId| {
            profile.class(c).map(|c| c.id.clone()).unwrap_or_default()
        };
        let mp = profile.mode(&mode.id);
        let mode_info = ModeInfo {
            id: mode.id.clone(),
            zh: mode.zh.clone(),
            en: mode.en.clone(),
            speed_m_per_s: mode.speed_m_per_s,
            speed_source: mode.speed_source,
            speed_cite: mode.speed_cite.clone(),
            class_speed_km_h: mp
                .map(|m| {
                    m.class_speed_km_h
                        .iter()
                        .map(|(c, v)| (class_id(*c), v.value))
                        .collect()
                })
                .unwrap_or_default(),
            forbidden_classes: mp
                .map(|m| m.forbidden_classes.iter().map(|c| class_id(*c)).collect())
                .unwrap_or_default(),
            oneway: mode.oneway,
            access_speed_m_per_s: mode.access_speed_m_per_s,
            max_snap_m: mode.max_snap_m,
        };
        Ok(Analysis {
            mode_info,
            profile_id: profile.id.clone(),
            profile_name: profile.name.clone(),
            profile_version: profile.version.clone(),
            mode,
            method,
            network,
            detour_factor: profile.network.detour_factor.value,
            detour_source: profile.network.detour_factor.source,
            demand,
            demand_snaps,
            facilities,
            facility_snaps,
            tiers,
            tier_info,
            categories,
            taxonomy: taxonomy.clone(),
            shapes: profile.shapes.clone(),
            warnings,
            grid_snaps: Default::default(),
            shape_memo: Default::default(),
        })
    }

    /// The largest tier budget in seconds.
    pub fn max_budget_s(&self) -> f64 {
        self.tiers
            .iter()
            .map(TierSpec::search_budget_s)
            .fold(0.0, f64::max)
    }

    /// The facilities of a category (indices into [`Analysis::facilities`]).
    pub fn facilities_of(&self, category: CategoryId) -> Vec<u32> {
        self.facilities
            .iter()
            .enumerate()
            .filter(|(_, f)| f.category == category)
            .map(|(i, _)| i as u32)
            .collect()
    }

    /// The snapped sources of the given facilities (those that reach the network).
    pub fn source_set(&self, facilities: &[u32]) -> SourceSet {
        let Some(n) = &self.network else {
            return SourceSet::default();
        };
        SourceSet::new(
            facilities
                .iter()
                .filter_map(|i| {
                    self.facility_snaps
                        .get(*i as usize)?
                        .as_ref()
                        .map(|s| SourcePoint::from_snap(*i, s, &n.mode_graph))
                })
                .collect(),
        )
    }

    /// Node times from the given facilities (network method), bounded by `budget_s`.
    pub fn node_times(
        &self,
        facilities: &[u32],
        budget_s: f64,
        ws: &mut Workspace,
    ) -> Option<(NodeTimes, SourceSet)> {
        let n = self.network.as_ref()?;
        let sources = self.source_set(facilities);
        let mut times = NodeTimes::new(n.graph.node_count());
        dijkstra::multi_source(
            &n.mode_graph,
            &sources.seeds(&n.graph, &n.mode_graph),
            budget_s,
            &mut times,
            ws,
        );
        Some((times, sources))
    }

    /// Time from any point to the nearest of `facilities`, given their node times.
    pub fn point_time(
        &self,
        xy: [f64; 2],
        snap: Option<&Snap>,
        times: Option<&(NodeTimes, SourceSet)>,
        euclid: Option<&euclid::EuclidIndex>,
        budget_s: f64,
    ) -> (f64, u32) {
        match (&self.network, times) {
            (Some(n), Some((t, s))) => match snap {
                Some(sn) => dijkstra::point_time(&n.graph, &n.mode_graph, t, s, sn, budget_s),
                None => (f64::INFINITY, NO_SOURCE),
            },
            _ => match euclid {
                Some(idx) => idx.time(xy, self.mode.speed_m_per_s, self.detour_factor, budget_s),
                None => (f64::INFINITY, NO_SOURCE),
            },
        }
    }

    /// A Euclidean index of the given facilities.
    pub fn euclid_index(&self, facilities: &[u32]) -> euclid::EuclidIndex {
        let pts: Vec<([f64; 2], u32)> = facilities
            .iter()
            .filter_map(|i| self.facilities.get(*i as usize).map(|f| (f.xy, *i)))
            .collect();
        euclid::EuclidIndex::new(&pts)
    }

    /// Times of every demand point to the nearest facility of `category`.
    pub fn category_times(
        &self,
        category: CategoryId,
        budget_s: f64,
        ws: &mut Workspace,
    ) -> CategoryTimes {
        let facilities = self.facilities_of(category);
        self.times_for(category, facilities, budget_s, ws)
    }

    /// Times of every demand point to the nearest of `facilities` (labelled `category`).
    pub fn times_for(
        &self,
        category: CategoryId,
        facilities: Vec<u32>,
        budget_s: f64,
        ws: &mut Workspace,
    ) -> CategoryTimes {
        if facilities.is_empty() {
            return CategoryTimes {
                category,
                facilities,
                node_times: None,
                demand_time_s: vec![f64::INFINITY; self.demand.points.len()],
                demand_facility: vec![NO_SOURCE; self.demand.points.len()],
                budget_s,
            };
        }
        let times = self.node_times(&facilities, budget_s, ws);
        let euclid = match self.method {
            Method::Euclidean => Some(self.euclid_index(&facilities)),
            Method::Network => None,
        };
        let (demand_time_s, demand_facility): (Vec<f64>, Vec<u32>) = self
            .demand
            .points
            .iter()
            .zip(&self.demand_snaps)
            .map(|(p, s)| {
                self.point_time(p.xy, s.as_ref(), times.as_ref(), euclid.as_ref(), budget_s)
            })
            .unzip();
        CategoryTimes {
            category,
            facilities,
            node_times: times.map(|t| t.0),
            demand_time_s,
            demand_facility,
            budget_s,
        }
    }

    /// Compute times for every category (in parallel) and the coverage report.
    pub fn run(&self) -> AccessResult {
        let budget_s = self.max_budget_s();
        let categories: Vec<Arc<CategoryTimes>> = self
            .categories
            .par_iter()
            .map_init(Workspace::default, |ws, c| {
                Arc::new(self.category_times(*c, budget_s, ws))
            })
            .collect();
        let report = self.report(&categories);
        AccessResult { categories, report }
    }

    /// The report for computed category times.
    pub fn report(&self, categories: &[Arc<CategoryTimes>]) -> AccessReport {
        let cat_cov: Vec<CategoryCoverage> = categories
            .iter()
            .map(|ct| self.category_coverage(ct))
            .collect();
        self.report_with(categories, cat_cov)
    }

    /// The people `category`'s coverage counts at each demand point: its age band's where that
    /// raster was loaded, else everyone ([`demand::Demand::counted`]).
    pub fn counted(&self, category: CategoryId) -> demand::Counted<'_> {
        let band = self.taxonomy.get(category).and_then(|c| c.age_band);
        self.demand.counted(band)
    }

    /// The coverage of one category at every tier, with its facility counts.
    /// A category serving an age band whose raster was loaded counts that band's people (see
    /// [`demand::Demand::bands`]); any other the total.
    pub fn category_coverage(&self, ct: &CategoryTimes) -> CategoryCoverage {
        let c = self.taxonomy.get(ct.category);
        let age_band = c.and_then(|c| c.age_band);
        let band_weights = age_band.and_then(|b| self.demand.band_weights(b));
        CategoryCoverage {
            id: c.map(|c| c.id.clone()).unwrap_or_default(),
            zh: c.map(|c| c.zh.clone()).unwrap_or_default(),
            en: c.map(|c| c.en.clone()).unwrap_or_default(),
            age_band,
            demand: match (age_band, band_weights) {
                (Some(b), Some(_)) => b.to_string(),
                _ => "total".into(),
            },
            facility_count: ct.facilities.len(),
            facilities_unreachable: match self.method {
                Method::Network => ct
                    .facilities
                    .iter()
                    .filter(|i| {
                        self.facility_snaps
                            .get(**i as usize)
                            .is_some_and(|s| s.is_none())
                    })
                    .count(),
                Method::Euclidean => 0,
            },
            tiers: coverage::category_coverage_weighted(
                &self.demand,
                band_weights,
                &ct.demand_time_s,
                &self.tiers,
            ),
        }
    }

    /// [`Analysis::report`] with each category's coverage already computed (`cat_cov[i]` of
    /// `categories[i]`, by [`Analysis::category_coverage`]): a scenario recomputes only the
    /// categories it edited.
    pub fn report_with(
        &self,
        categories: &[Arc<CategoryTimes>],
        cat_cov: Vec<CategoryCoverage>,
    ) -> AccessReport {
        let all_required = coverage::all_required(&self.demand, &self.tiers, |c| {
            categories
                .iter()
                .find(|ct| ct.category == c && !ct.facilities.is_empty())
                .map(|ct| ct.demand_time_s.as_slice())
        });
        AccessReport {
            method: self.method,
            flags: self.flags(),
            profile: BTreeMap::from([
                ("id", self.profile_id.clone()),
                ("name", self.profile_name.clone()),
                ("version", self.profile_version.clone()),
            ]),
            mode: self.mode_info.clone(),
            network: self.network_stats(),
            snapping: self.snap_stats(),
            demand: self.demand.summary.clone(),
            tiers: self.tier_info.clone(),
            categories: cat_cov,
            all_required,
            // Said once: from the categories every run of a town evaluates (see `run_town`).
            warnings: self
                .warnings
                .iter()
                .cloned()
                .chain(band_missing_warning(
                    &self.demand,
                    &self.taxonomy,
                    &self.categories,
                ))
                .collect(),
            modes: vec![self.mode_run_info()],
        }
    }

    /// This analysis's mode, tiers, network components and snapping, as reported.
    pub fn mode_run_info(&self) -> ModeRunInfo {
        let stats = self.network_stats();
        ModeRunInfo {
            mode: self.mode_info.clone(),
            method: self.method,
            tiers: self.tiers.iter().map(|t| t.minutes).collect(),
            components: stats.as_ref().map(|n| n.components),
            largest_component_percent: stats.as_ref().map(|n| n.largest_component_percent),
            snapping: self.snap_stats(),
        }
    }

    /// Conditions every output must carry.
    pub fn flags(&self) -> Vec<String> {
        let mut f = Vec::new();
        if self.method == Method::Euclidean {
            f.push(format!(
                "EUCLIDEAN FALLBACK: no usable road network; times = straight-line distance × {} (detour factor, {}) at {} m/s ({})",
                self.detour_factor,
                String::from(self.detour_source),
                self.mode.speed_m_per_s,
                self.mode.id
            ));
        }
        if matches!(
            self.demand.summary.source,
            DemandSource::BuiltUpGrid | DemandSource::BoundaryGrid | DemandSource::NetworkGrid
        ) {
            f.push(format!(
                "NO POPULATION DATA: demand is {}",
                self.demand.summary.source.describe()
            ));
        }
        f
    }

    pub(super) fn network_stats(&self) -> Option<NetworkStats> {
        let n = self.network.as_ref()?;
        let usable_len: f64 = n.components.list.iter().map(|c| c.length_m).sum();
        let mut build = n.build.clone();
        build.issues.truncate(20);
        Some(NetworkStats {
            nodes: n.graph.node_count(),
            edges: n.graph.edge_count(),
            length_km: n.graph.total_length_m() / 1000.0,
            components: n.components.count(),
            largest_component_percent: match n.components.list.first() {
                Some(c) if usable_len > 0.0 => 100.0 * c.length_m / usable_len,
                _ => 0.0,
            },
            fragments: n.components.list.iter().skip(1).take(10).cloned().collect(),
            build,
        })
    }

    pub(super) fn snap_stats(&self) -> SnapStats {
        let network = self.method == Method::Network;
        let snapped: Vec<&Snap> = self.demand_snaps.iter().flatten().collect();
        let unreachable_weight = if network {
            self.demand
                .points
                .iter()
                .zip(&self.demand_snaps)
                .filter(|(_, s)| s.is_none())
                .map(|(p, _)| p.weight)
                .sum::<f64>()
                + 0.0 // an empty f64 sum is -0.0
        } else {
            0.0
        };
        let off_main = match &self.network {
            Some(n) => self
                .facility_snaps
                .iter()
                .flatten()
                .filter(|s| {
                    n.components
                        .of_edge(&n.graph, s.edge)
                        .is_some_and(|c| c != 0)
                })
                .count(),
            None => 0,
        };
        SnapStats {
            max_snap_m: self.mode.max_snap_m,
            demand_points: self.demand.points.len(),
            demand_snapped: snapped.len(),
            demand_unreachable: if network {
                self.demand.points.len() - snapped.len()
            } else {
                0
            },
            demand_unreachable_weight: unreachable_weight,
            demand_mean_access_m: (!snapped.is_empty())
                .then(|| snapped.iter().map(|s| s.access_m).sum::<f64>() / snapped.len() as f64),
            facilities: self.facilities.len(),
            facilities_snapped: self.facility_snaps.iter().flatten().count(),
            facilities_unreachable: if network {
                self.facility_snaps.iter().filter(|s| s.is_none()).count()
            } else {
                0
            },
            facilities_off_main_network: off_main,
        }
    }
}
