//! What the city table keeps of one town's analysis: small, owned, and serialisable into the
//! town's manifest, so that the batch drops the town's data once its report is written and
//! `batch merge` needs nothing else.

use geo::Simplify;
use geo_types::{Coord, Geometry, LineString, Polygon};
use serde::{Deserialize, Serialize};

use crate::crs::{Crs, Transformer};
use crate::model::{Layer, Role};
use crate::report::ReportData;
use crate::standards::Scope;
use crate::tenones::Verdict;

/// One ten-ones item's verdict.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ItemVerdict {
    pub number: u8,
    pub id: String,
    pub zh: String,
    pub en: String,
    pub verdict: Verdict,
}

/// All-required coverage of one tier, in the tier's own scope.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TierShare {
    pub minutes: u32,
    /// "town" (镇域) or "built_up" (建成区): a built-up tier is judged in the 建成区.
    pub scope: String,
    /// Share of the scope's population covered by every required type (null: no one there).
    pub percent: Option<f64>,
}

/// Where the town lies, for the city map: lon/lat rings (WGS84, EPSG:4326).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Outline {
    /// "boundary" (the 镇域 polygons) or "extent" (the box around every layer, when the town has
    /// no boundary layer).
    pub kind: String,
    pub rings: Vec<Vec<[f64; 2]>>,
}

/// A town's row in the city table.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TownFacts {
    /// The boundary's 名称/name, else the folder's name (as report.html's title).
    pub display_name: String,
    /// Residents (or cells with a grid demand) in the analysis.
    pub population: f64,
    /// pass, partly, fail, no_data (null when the ten ones were not evaluated).
    pub tally: Option<[usize; 4]>,
    pub items: Vec<ItemVerdict>,
    pub all_required: Vec<TierShare>,
    /// summary.json `data_quality[]`: how many records, and how many lose features.
    pub data_quality: usize,
    pub data_quality_lost: usize,
    /// The report's flags (Euclidean fallback, synthetic data …).
    pub flags: Vec<String>,
    pub outline: Option<Outline>,
}

/// Metres: outlines are simplified to this before they go into the manifest.
const SIMPLIFY_M: f64 = 25.0;

impl TownFacts {
    /// The row of an analysed town.
    pub fn from_report(data: &ReportData<'_>) -> TownFacts {
        let tenones = data.tenones;
        TownFacts {
            display_name: data.town.clone(),
            population: data.population(),
            tally: tenones.map(|t| t.tally()),
            items: tenones
                .map(|t| {
                    t.rules
                        .iter()
                        .map(|r| ItemVerdict {
                            number: r.number,
                            id: r.id.clone(),
                            zh: r.zh.clone(),
                            en: r.en.clone(),
                            verdict: r.verdict,
                        })
                        .collect()
                })
                .unwrap_or_default(),
            all_required: data
                .report
                .all_required
                .iter()
                .map(|c| match (c.scope, &c.coverage.built_up) {
                    (Scope::BuiltUp, Some(b)) => TierShare {
                        minutes: c.minutes,
                        scope: "built_up".into(),
                        percent: b.percent,
                    },
                    _ => TierShare {
                        minutes: c.minutes,
                        scope: "town".into(),
                        percent: c.coverage.town.percent,
                    },
                })
                .collect(),
            data_quality: data.data_quality.len(),
            data_quality_lost: data.lost_features().count(),
            flags: data.flags.clone(),
            outline: outline(data.layers, &data.working_crs),
        }
    }

    /// The verdict of item `number` (1–10), if evaluated.
    pub fn verdict(&self, number: u8) -> Option<Verdict> {
        self.items
            .iter()
            .find(|i| i.number == number)
            .map(|i| i.verdict)
    }

    /// The all-required share at `minutes`, if that tier was computed.
    pub fn share(&self, minutes: u32) -> Option<&TierShare> {
        self.all_required.iter().find(|s| s.minutes == minutes)
    }
}

fn polygons(g: &Geometry<f64>) -> Vec<&Polygon<f64>> {
    match g {
        Geometry::Polygon(p) => vec![p],
        Geometry::MultiPolygon(mp) => mp.0.iter().collect(),
        Geometry::GeometryCollection(gc) => gc.0.iter().flat_map(polygons).collect(),
        _ => Vec::new(),
    }
}

/// The boundary polygons' outer rings, else the box around every layer, in lon/lat.
fn outline(layers: &[Layer], working: &Crs) -> Option<Outline> {
    let to_ll = Transformer::new(working, &Crs::WGS84).ok()?;
    let boundary: Vec<LineString<f64>> = layers
        .iter()
        .filter(|l| l.role == Some(Role::Boundary))
        .flat_map(|l| l.features.iter())
        .flat_map(|f| polygons(&f.geometry))
        .map(|p| p.exterior().simplify(SIMPLIFY_M))
        .filter(|r| r.0.len() >= 4)
        .collect();
    let (kind, rings) = if boundary.is_empty() {
        let rect = layers
            .iter()
            .filter_map(crate::io::load::extent)
            .reduce(crate::io::load::union_rect)?;
        let (lo, hi) = (rect.min(), rect.max());
        let ring = LineString(vec![
            lo,
            Coord { x: hi.x, y: lo.y },
            hi,
            Coord { x: lo.x, y: hi.y },
            lo,
        ]);
        ("extent", vec![ring])
    } else {
        ("boundary", boundary)
    };
    let rings: Vec<Vec<[f64; 2]>> = rings
        .iter()
        .filter_map(|r| {
            r.0.iter()
                .map(|c| {
                    to_ll.coord(*c).ok().map(|ll| {
                        // 1e-6 degrees (about 0.1 m) is plenty for a city map.
                        [(ll.x * 1e6).round() / 1e6, (ll.y * 1e6).round() / 1e6]
                    })
                })
                .collect::<Option<Vec<_>>>()
        })
        .collect();
    (!rings.is_empty()).then(|| Outline {
        kind: kind.into(),
        rings,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::access::test_support::homes;

    #[test]
    fn outline_is_the_boundary_else_the_extent_in_lon_lat() {
        // Homes only: the box around them.
        let h = homes(&[
            ([495_200.0, 3_325_650.0], 10.0),
            ([497_200.0, 3_327_650.0], 5.0),
        ]);
        let o = outline(std::slice::from_ref(&h), &Crs::Epsg(4549)).unwrap();
        assert_eq!(o.kind, "extent");
        assert_eq!(o.rings.len(), 1);
        assert_eq!(o.rings[0].len(), 5);
        let [lon, lat] = o.rings[0][0];
        assert!(
            (lon - 119.95).abs() < 0.01 && (lat - 30.05).abs() < 0.01,
            "{lon} {lat}"
        );
        // A boundary layer wins.
        let town = crate::demo::generate(crate::demo::DEFAULT_SEED);
        let mut b = town.boundary.clone();
        b.role = Some(Role::Boundary);
        let o = outline(&[h, b], &Crs::Epsg(4549)).unwrap();
        assert_eq!(o.kind, "boundary");
        assert!(o.rings[0].len() > 10, "{}", o.rings[0].len());
        assert!(
            o.rings[0]
                .iter()
                .all(|[x, y]| (119.8..120.1).contains(x) && (29.9..30.2).contains(y))
        );
    }
}
