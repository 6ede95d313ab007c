//! What a suggestion is asked for: category, tier, model, goal, candidates.

use serde::Serialize;

use crate::model::CategoryId;
use crate::model::layer::SourceId;

/// The location model.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Model {
    /// Maximal covering: the most people newly within the tier's minutes.
    Mclp,
    /// p-median: the least demand-weighted travel time (capped at the tier's minutes).
    PMedian,
}

impl Model {
    /// `mclp`, `p-median` (also `pmedian`, `p_median`).
    pub fn parse(text: &str) -> Option<Model> {
        match text.trim().to_ascii_lowercase().as_str() {
            "mclp" | "max-cover" | "maximal-covering" => Some(Model::Mclp),
            "p-median" | "pmedian" | "p_median" => Some(Model::PMedian),
            _ => None,
        }
    }
}

/// How many sites.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Goal {
    /// Exactly this many new sites (at most: sites that add nothing are not suggested).
    Count(usize),
    /// The fewest sites bringing coverage (existing facilities included) to this percent of all
    /// demand (MCLP only).
    TargetPercent(f64),
}

/// A candidate site.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Candidate {
    /// Position in the working CRS.
    pub xy: [f64; 2],
    pub name: Option<String>,
    pub capacity: Option<f64>,
    /// Where it came from: the candidate file's feature, or None for a network node.
    pub source: Option<SourceId>,
}

/// Where the candidates come from.
#[derive(Debug, Clone, PartialEq)]
pub enum CandidateInput {
    /// Network nodes inside the built-up area (else the town boundary, else the whole network),
    /// one per `cell_m` square (the node nearest the square's centre).
    Network { cell_m: f64, max_candidates: usize },
    /// A planner's candidates (points; polygons give their interior point), already in the
    /// working CRS; `file` names them in messages.
    Given {
        file: String,
        candidates: Vec<Candidate>,
    },
}

/// A request for suggested sites.
#[derive(Debug, Clone, PartialEq)]
pub struct SuggestRequest {
    pub category: CategoryId,
    /// A tier of the run (its minutes; the tier's travel mode).
    pub minutes: u32,
    pub model: Model,
    pub goal: Goal,
    pub candidates: CandidateInput,
    /// Capacity of a suggested site whose candidate has none (None: no capacity).
    pub capacity: Option<f64>,
    /// People one capacity unit serves, for the overload check (default 1).
    pub persons_per_unit: f64,
}

impl SuggestRequest {
    /// Default candidates (one per 50 m square, at most 20,000).
    pub fn new(category: CategoryId, minutes: u32, model: Model, goal: Goal) -> SuggestRequest {
        SuggestRequest {
            category,
            minutes,
            model,
            goal,
            candidates: CandidateInput::Network {
                cell_m: 50.0,
                max_candidates: 20_000,
            },
            capacity: None,
            persons_per_unit: 1.0,
        }
    }
}
