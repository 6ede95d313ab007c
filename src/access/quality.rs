//! The data-quality records of an analysis run: facilities and residents the road network does
//! not reach, and the straight-line fallback when there is no usable road layer.

use crate::model::{QualityKind, QualityRecord, Role};

use super::{AccessReport, Method};

/// Records about the analysis as a whole (no single file): one per finding.
pub fn records(report: &AccessReport) -> Vec<QualityRecord> {
    let mut out = Vec::new();
    let s = &report.snapping;
    if report.method == Method::Euclidean {
        let mut r = QualityRecord::new("", "道路 / roads", QualityKind::EuclideanFallback);
        r.role = Some(Role::Roads);
        r.details = report.flags.clone();
        out.push(r);
    }
    let off = s.facilities_unreachable + s.facilities_off_main_network;
    if off > 0 {
        let mut r = QualityRecord::new("", "设施 / facilities", QualityKind::FacilitiesOffNetwork);
        r.role = Some(Role::Facilities);
        r.features_affected = Some(off);
        r.features_read = Some(s.facilities);
        if s.facilities_unreachable > 0 {
            r.details.push(format!(
                "{} facilities lie farther than {:.0} m from any usable road: they serve no one",
                s.facilities_unreachable, s.max_snap_m
            ));
        }
        if s.facilities_off_main_network > 0 {
            r.details.push(format!(
                "{} facilities are on a road fragment cut off from the main network: they serve only that fragment",
                s.facilities_off_main_network
            ));
        }
        out.push(r);
    }
    let d = &report.demand;
    if !d.rasters.is_empty() {
        let mut r = QualityRecord::new(
            d.rasters.join(", "),
            "人口栅格 / population raster",
            QualityKind::PopulationRaster,
        );
        r.role = Some(Role::Population);
        if d.raster_total.is_none() {
            r.details.push(
                "no cell of the population raster lies inside the town boundary: the raster is not used (wrong CRS?)".into(),
            );
        }
        if let Some(people) = d.raster_outside_boundary {
            r.details.push(format!(
                "{people:.0} people of the raster lie in cells outside the town boundary (镇域) and are left out"
            ));
        }
        if d.buildings_without_raster_people > 0 {
            r.details.push(format!(
                "{} residential buildings lie in raster cells without people: they carry no demand",
                d.buildings_without_raster_people
            ));
        }
        if !r.details.is_empty() {
            out.push(r);
        }
    }
    if !d.age_bands.is_empty() {
        // Categories serving a band without a raster: their coverage is the total's.
        let missing: Vec<String> = report
            .categories
            .iter()
            .filter_map(|c| {
                let b = c.age_band?;
                (c.demand != b.to_string()).then(|| format!("{} {} ({b})", c.id, c.zh))
            })
            .collect();
        if !missing.is_empty() {
            let loaded: Vec<String> = d.age_bands.iter().map(|b| b.band.to_string()).collect();
            let mut r = QualityRecord::new(
                "",
                "人口栅格 / population raster",
                QualityKind::AgeBandMissing,
            );
            r.role = Some(Role::Population);
            r.features_affected = Some(missing.len());
            r.details.push(format!(
                "{}: no population raster of their age band (loaded: {}); coverage counts the total population",
                missing.join(", "),
                loaded.join(", ")
            ));
            out.push(r);
        }
    }
    if s.demand_unreachable > 0 {
        let mut r = QualityRecord::new("", "居民点 / demand", QualityKind::DemandOffNetwork);
        r.role = Some(Role::Buildings);
        r.features_affected = Some(s.demand_unreachable);
        r.features_read = Some(s.demand_points);
        r.details.push(format!(
            "{} demand points ({:.0} people) lie farther than {:.0} m from any usable road",
            s.demand_unreachable, s.demand_unreachable_weight, s.max_snap_m
        ));
        out.push(r);
    }
    out
}
