//! Dasymetric spread of a population raster (人口栅格) for demand (`access::demand`): each
//! cell's count is shared by the residential buildings in it (by their weight, floor area); a
//! cell without buildings is shared by the housing parcels (用地地块 with a dwelling code:
//! 07/0701/0703, R/R1–R3, see [`crate::model::landuse`]) that overlap it, by the area of each
//! overlap, one point per overlap (people live on residential land); a cell with neither is a
//! point at its centre. Every cell's count is given out, so the total equals the raster's.

use geo::{Area, BoundingRect, InteriorPoint};
use geo_types::{Geometry, Polygon, Rect};

use crate::model::layer::Layer;

/// The housing parcels (用地地块 whose code is a dwelling's) of parcel layers, indexed by their
/// bounding boxes.
#[derive(Debug, Default)]
pub struct HousingParcels {
    polys: Vec<Polygon<f64>>,
    tree: rstar::RTree<
        rstar::primitives::GeomWithData<rstar::primitives::Rectangle<[f64; 2]>, usize>,
    >,
}

impl HousingParcels {
    /// The parcels of `layers` whose land-use code is a dwelling's.
    pub fn from_layers(layers: &[&Layer]) -> HousingParcels {
        use crate::model::landuse::{ParcelCode, parcel_code};
        let mut polys = Vec::new();
        for l in layers {
            for f in &l.features {
                let housing = matches!(parcel_code(l, f), ParcelCode::Known(u) if u.housing);
                if !housing {
                    continue;
                }
                match &f.geometry {
                    Geometry::Polygon(p) => polys.push(p.clone()),
                    Geometry::MultiPolygon(mp) => polys.extend(mp.0.iter().cloned()),
                    _ => {}
                }
            }
        }
        let boxes = polys
            .iter()
            .enumerate()
            .filter_map(|(i, p)| {
                let r = p.bounding_rect()?;
                Some(rstar::primitives::GeomWithData::new(
                    rstar::primitives::Rectangle::from_corners(
                        [r.min().x, r.min().y],
                        [r.max().x, r.max().y],
                    ),
                    i,
                ))
            })
            .collect();
        HousingParcels {
            polys,
            tree: rstar::RTree::bulk_load(boxes),
        }
    }

    pub fn is_empty(&self) -> bool {
        self.polys.is_empty()
    }

    /// The parts of the housing parcels inside `cell`: (a point inside the part, its area in m²),
    /// in the order of the parcels.
    fn parts_in(&self, cell: &Rect<f64>) -> Vec<([f64; 2], f64)> {
        use geo::BooleanOps;
        let q =
            rstar::AABB::from_corners([cell.min().x, cell.min().y], [cell.max().x, cell.max().y]);
        let mut hits: Vec<usize> = self
            .tree
            .locate_in_envelope_intersecting(&q)
            .map(|h| h.data)
            .collect();
        hits.sort_unstable();
        let square = cell.to_polygon();
        hits.into_iter()
            .filter_map(|i| {
                let part = self.polys[i].intersection(&square);
                let area = part.unsigned_area();
                let p = part.interior_point()?;
                (area > 0.0 && p.x().is_finite() && p.y().is_finite())
                    .then_some(([p.x(), p.y()], area))
            })
            .collect()
    }
}

/// The spacing of raster cell centres along x and along y: the medians of the distances to the
/// nearest neighbours lying more across than along (and the other way round); either falls back
/// to the median of all nearest distances, `spacing`. None when there is no spacing (one cell).
fn cell_size(
    cells: &[([f64; 2], f64)],
    tree: &rstar::RTree<rstar::primitives::GeomWithData<[f64; 2], usize>>,
    spacing: f64,
) -> Option<[f64; 2]> {
    if !spacing.is_finite() || spacing <= 0.0 {
        return None;
    }
    let (mut dx, mut dy) = (Vec::new(), Vec::new());
    for c in cells {
        for n in tree.nearest_neighbor_iter(&c.0).skip(1).take(4) {
            let [x, y] = *n.geom();
            let (ax, ay) = ((x - c.0[0]).abs(), (y - c.0[1]).abs());
            // Only the neighbours in the next row or column (not across the diagonal, not
            // beyond a gap of empty cells).
            if ax.min(ay) > 0.3 * ax.max(ay) || ax.hypot(ay) > 2.0 * spacing {
                continue;
            }
            if ax > ay {
                dx.push(ax);
            } else {
                dy.push(ay);
            }
        }
    }
    let median = |mut v: Vec<f64>| {
        v.sort_by(f64::total_cmp);
        v.get(v.len() / 2).copied().unwrap_or(spacing)
    };
    Some([median(dx), median(dy)])
}

/// What [`spread_cells`] gives: each building's share as (index into the buildings, people) in
/// the order of the cells, and the people of cells without buildings as points: a housing
/// parcel's part of the cell, else the cell's centre.
pub(super) struct Spread {
    pub(super) shares: Vec<(usize, f64)>,
    pub(super) cells: Vec<CellPeople>,
    /// Buildings in no populated cell (left out).
    pub(super) dropped: usize,
    /// Cells without buildings whose people went to housing parcels.
    pub(super) cells_on_parcels: usize,
}

/// People of a raster cell without buildings at one point.
pub(super) struct CellPeople {
    pub(super) xy: [f64; 2],
    pub(super) people: f64,
    /// On a housing parcel's part of the cell (else at the cell's centre).
    pub(super) on_parcel: bool,
}

/// Dasymetric spread of raster `cells` (centre, count) over `buildings` (where, weight): each
/// building goes to the cell whose centre is nearest, if within the cells' spacing (the median
/// distance between neighbouring centres, found from the cells themselves, so a raster in
/// degrees works once reprojected); a cell's count is shared by its buildings in proportion to
/// their weights (floor area); a cell without buildings is shared by the `parcels` overlapping
/// its square (sides from the spacing of the centres along x and y) by area, else it is a point
/// at its centre. Every cell's count is given out: the total equals the cells'. Also returns the
/// buildings dropped (in no populated cell).
pub(super) fn spread_cells(
    cells: &[([f64; 2], f64)],
    buildings: &[([f64; 2], f64)],
    parcels: &HousingParcels,
) -> Spread {
    use rstar::RTree;
    use rstar::primitives::GeomWithData;
    let tree: RTree<GeomWithData<[f64; 2], usize>> = RTree::bulk_load(
        cells
            .iter()
            .enumerate()
            .map(|(i, c)| GeomWithData::new(c.0, i))
            .collect(),
    );
    let spacing = {
        let mut d: Vec<f64> = cells
            .iter()
            .filter_map(|c| {
                tree.nearest_neighbor_iter(&c.0)
                    .nth(1)
                    .map(|n| crate::network::graph::dist_m(c.0, *n.geom()))
            })
            .collect();
        d.sort_by(f64::total_cmp);
        d.get(d.len() / 2).copied().unwrap_or(f64::INFINITY)
    };
    // Within a cell: at most half the spacing along each axis, so at most √½ of it away
    // (a little more for cells reprojected from degrees).
    let reach = spacing * 0.75;
    let mut members: Vec<Vec<usize>> = vec![Vec::new(); cells.len()];
    let mut dropped = 0;
    for (bi, b) in buildings.iter().enumerate() {
        match tree.nearest_neighbor(&b.0) {
            Some(n) if crate::network::graph::dist_m(b.0, *n.geom()) <= reach => {
                members[n.data].push(bi);
            }
            _ => dropped += 1,
        }
    }
    let mut out = Spread {
        shares: Vec::with_capacity(buildings.len()),
        cells: Vec::new(),
        dropped,
        cells_on_parcels: 0,
    };
    let size = if parcels.is_empty() {
        None
    } else {
        cell_size(cells, &tree, spacing)
    };
    for (ci, (centre, count)) in cells.iter().enumerate() {
        let m = &members[ci];
        if m.is_empty() {
            let parts = size.map_or_else(Vec::new, |[sx, sy]| {
                parcels.parts_in(&Rect::new(
                    (centre[0] - sx / 2.0, centre[1] - sy / 2.0),
                    (centre[0] + sx / 2.0, centre[1] + sy / 2.0),
                ))
            });
            let area: f64 = parts.iter().map(|p| p.1).sum();
            if area > 0.0 {
                out.cells_on_parcels += 1;
                out.cells
                    .extend(parts.into_iter().map(|(xy, a)| CellPeople {
                        xy,
                        people: count * a / area,
                        on_parcel: true,
                    }));
            } else {
                out.cells.push(CellPeople {
                    xy: *centre,
                    people: *count,
                    on_parcel: false,
                });
            }
            continue;
        }
        let sum: f64 = m.iter().map(|i| buildings[*i].1.max(0.0)).sum();
        for i in m {
            let share = if sum > 0.0 {
                buildings[*i].1.max(0.0) / sum
            } else {
                1.0 / m.len() as f64
            };
            out.shares.push((*i, count * share));
        }
    }
    out
}
