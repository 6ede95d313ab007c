//! Candidate sites: network nodes of the built-up area (建成区), thinned to one per square, or
//! a planner's file of points/parcels; snapped onto the network as facilities are.

use std::collections::HashMap;

use serde::Serialize;

use crate::access::analysis::{NAME_FIELDS, point_of};
use crate::access::demand::Region;
use crate::access::dijkstra::SourcePoint;
use crate::access::input::{AccessInput, capacity_of};
use crate::access::prepared::Network;
use crate::model::layer::{AttrValue, Layer};

use super::request::Candidate;

/// Where the candidates came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum CandidateArea {
    /// Network nodes inside the built-up area (建成区).
    BuiltUp,
    /// Network nodes inside the town boundary (镇域): no built-up area layer, or asked for.
    Boundary,
    /// Every network node: neither a built-up area nor a boundary layer.
    WholeNetwork,
    /// The planner's candidate file.
    File,
}

impl CandidateArea {
    pub fn describe(self, zh: bool) -> &'static str {
        match (self, zh) {
            (CandidateArea::BuiltUp, true) => "建成区内的路网节点",
            (CandidateArea::BuiltUp, false) => "network nodes inside the built-up area",
            (CandidateArea::Boundary, true) => "镇域内的路网节点",
            (CandidateArea::Boundary, false) => "network nodes inside the town boundary",
            (CandidateArea::WholeNetwork, true) => "全部路网节点（无建成区、镇域图层）",
            (CandidateArea::WholeNetwork, false) => {
                "every network node (no built-up area or boundary layer)"
            }
            (CandidateArea::File, true) => "候选点文件",
            (CandidateArea::File, false) => "the candidate file",
        }
    }
}

/// How the candidates were found.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CandidateStats {
    pub area: CandidateArea,
    /// The candidate file, for [`CandidateArea::File`].
    pub file: Option<String>,
    /// Nodes in the area (network) or features read (file).
    pub found: usize,
    /// The square size used to thin network nodes (grown when there were too many).
    pub cell_m: Option<f64>,
    /// Candidates kept (after thinning).
    pub kept: usize,
    /// Kept candidates farther than the maximum snap distance from a usable road: skipped.
    pub beyond_snap: usize,
    /// Up to five of them, named.
    pub beyond_snap_examples: Vec<String>,
    /// Candidates on the network: the ones considered.
    pub usable: usize,
}

/// Network nodes (usable by the mode) inside the built-up area, else the boundary, else all;
/// one per `cell_m` square, the square grown (doubled) until at most `max` remain.
pub fn network_candidates(
    network: &Network,
    input: &AccessInput<'_>,
    cell_m: f64,
    max: usize,
) -> (Vec<Candidate>, CandidateStats) {
    let built_up = Region::from_layers(&input.built_up);
    let boundary = Region::from_layers(&input.boundary);
    let (area, region) = if !built_up.is_empty() {
        (CandidateArea::BuiltUp, Some(built_up))
    } else if !boundary.is_empty() {
        (CandidateArea::Boundary, Some(boundary))
    } else {
        (CandidateArea::WholeNetwork, None)
    };
    let mg = &network.mode_graph;
    let nodes: Vec<[f64; 2]> = network
        .graph
        .node_xy
        .iter()
        .enumerate()
        .filter(|(n, _)| {
            let n = *n as u32;
            !mg.fwd.range(n).is_empty() || !mg.rev.range(n).is_empty()
        })
        .map(|(_, xy)| *xy)
        .filter(|xy| region.as_ref().is_none_or(|r| r.contains(*xy)))
        .collect();
    let mut cell = if cell_m.is_finite() && cell_m > 0.0 {
        cell_m
    } else {
        50.0
    };
    let max = max.max(1);
    let thin = |cell: f64| -> Vec<[f64; 2]> {
        let mut best: HashMap<(i64, i64), ([f64; 2], f64)> = HashMap::new();
        for xy in &nodes {
            let key = ((xy[0] / cell).floor() as i64, (xy[1] / cell).floor() as i64);
            let centre = [(key.0 as f64 + 0.5) * cell, (key.1 as f64 + 0.5) * cell];
            let d = (xy[0] - centre[0]).powi(2) + (xy[1] - centre[1]).powi(2);
            let e = best.entry(key).or_insert((*xy, d));
            if d < e.1 || (d == e.1 && (xy[0], xy[1]) < (e.0[0], e.0[1])) {
                *e = (*xy, d);
            }
        }
        let mut out: Vec<[f64; 2]> = best.into_values().map(|(xy, _)| xy).collect();
        out.sort_by(|a, b| a[1].total_cmp(&b[1]).then(a[0].total_cmp(&b[0])));
        out
    };
    let mut kept = thin(cell);
    while kept.len() > max {
        cell *= 2.0;
        kept = thin(cell);
    }
    let stats = CandidateStats {
        area,
        file: None,
        found: nodes.len(),
        cell_m: Some(cell),
        kept: kept.len(),
        beyond_snap: 0,
        beyond_snap_examples: Vec::new(),
        usable: 0,
    };
    let candidates = kept
        .into_iter()
        .map(|xy| Candidate {
            xy,
            name: None,
            capacity: None,
            source: None,
        })
        .collect();
    (candidates, stats)
}

/// Candidates from the features of a planner's layers (points; polygons → interior point;
/// lines → centroid), with their name and capacity when given.
pub fn layer_candidates(layers: &[&Layer]) -> Vec<Candidate> {
    candidates_where(layers, |_, _| true)
}

/// Candidates from the public-service parcels (用地地块 of class 公共管理与公共服务: 08…, A…,
/// C1–C4; see [`crate::model::landuse`]) of parcel layers: land planned for public services,
/// where a new facility would go.
pub fn public_service_parcel_candidates(layers: &[&Layer]) -> Vec<Candidate> {
    use crate::model::landuse::{LandUseClass, ParcelCode, parcel_code};
    candidates_where(
        layers,
        |l, f| matches!(parcel_code(l, f), ParcelCode::Known(u) if u.class == LandUseClass::PublicService),
    )
}

/// Candidates from the features of `layers` that `keep` accepts.
fn candidates_where(
    layers: &[&Layer],
    keep: impl Fn(&Layer, &crate::model::layer::Feature) -> bool,
) -> Vec<Candidate> {
    let mut out = Vec::new();
    for l in layers {
        for f in l.features.iter().filter(|f| keep(l, f)) {
            let Some(xy) = point_of(&f.geometry) else {
                continue;
            };
            let name = NAME_FIELDS.iter().find_map(|n| {
                l.attr(f, n)
                    .and_then(AttrValue::as_text)
                    .map(|s| s.trim().to_string())
                    .filter(|s| !s.is_empty())
            });
            out.push(Candidate {
                xy,
                name,
                capacity: capacity_of(l, f),
                source: Some(f.source_id),
            });
        }
    }
    out
}

/// Snap each candidate as a facility is snapped (nearest usable edge within `max_snap_m`);
/// None beyond it. Fills the stats' `beyond_snap`, examples and `usable`.
pub fn snap_candidates(
    network: &Network,
    candidates: &[Candidate],
    max_snap_m: f64,
    stats: &mut CandidateStats,
) -> Vec<Option<SourcePoint>> {
    let mg = &network.mode_graph;
    let sites: Vec<Option<SourcePoint>> = candidates
        .iter()
        .enumerate()
        .map(|(j, c)| {
            network
                .index
                .snap(c.xy, max_snap_m, |e| mg.usable(e))
                .map(|s| SourcePoint::from_snap(j as u32, &s, mg))
        })
        .collect();
    stats.beyond_snap = sites.iter().filter(|s| s.is_none()).count();
    stats.usable = sites.len() - stats.beyond_snap;
    stats.beyond_snap_examples = candidates
        .iter()
        .zip(&sites)
        .filter(|(_, s)| s.is_none())
        .take(5)
        .map(|(c, _)| describe(c))
        .collect();
    sites
}

/// "名称 feature 3 at (x, y)".
pub fn describe(c: &Candidate) -> String {
    let mut s = String::new();
    if let Some(n) = &c.name {
        s.push_str(n);
        s.push(' ');
    }
    if let Some(src) = &c.source {
        s.push_str(&src.to_string());
        s.push(' ');
    }
    s.push_str(&format!("at ({:.0}, {:.0})", c.xy[0], c.xy[1]));
    s
}
