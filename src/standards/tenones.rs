//! The `[ten_ones]` section of a standards profile: the thresholds (each with its provenance),
//! category ids, field names and verdict bands of the ten-ones rules (`tenones`).
//!
//! Units are in the key names: `_m` metres, `_min` minutes, `_km` kilometres, `_percent` per cent,
//! `_count` a count. Values are checked on reading; an invalid one is reported with its line.
//! A profile without the section uses the default profile's (see [`ten_ones_of`]).

use std::path::Path;

use serde::{Deserialize, Serialize};
use toml::Spanned;
use toml::de::{DeTable, DeValue};

use super::cited::{Cited, config_error, line_of};
use crate::error::Result;

/// A threshold with its provenance.
pub type Threshold = Cited<f64>;

/// The whole `[ten_ones]` section.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TenOnesProfile {
    /// Mode id for walking distances (metres = seconds × its speed).
    pub walk_mode: String,
    /// Mode id for driving times.
    pub drive_mode: String,
    /// Categories marking a 行政村's centre (村委会/便民服务站).
    pub village_centre_categories: Vec<String>,
    pub search_max_min: Threshold,
    /// Failing homes within this distance of each other (chained) form one place.
    pub place_merge_m: Threshold,
    pub transport: TransportRule,
    pub greenway: GreenwayRule,
    pub sewer: SewerRule,
    pub waste: WasteRule,
    pub commerce: CommerceRule,
    pub culture_sport: CultureSportRule,
    pub education: EducationRule,
    pub health_care: HealthCareRule,
    pub living_circle: LivingCircleRule,
    pub governance: GovernanceRule,
}

/// 1 快速便捷的对外交通通道.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TransportRule {
    pub gateway_categories: Vec<String>,
    pub gateway_road_classes: Vec<String>,
    pub seat_categories: Vec<String>,
    pub sample_cell_m: Threshold,
    pub drive_pass_min: Threshold,
    pub drive_partly_min: Threshold,
    pub bus_stop_categories: Vec<String>,
    pub bus_stop_walk_m: Threshold,
}

/// 2 串珠成链的美丽生态绿道.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GreenwayRule {
    pub join_gap_m: Threshold,
    pub break_search_m: Threshold,
    pub min_length_km: Threshold,
    pub min_nodes_count: Threshold,
    pub node_categories: Vec<String>,
    pub node_distance_m: Threshold,
}

/// 3 健全的雨污分流收集处理网.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SewerRule {
    pub type_fields: Vec<String>,
    pub combined_values: Vec<String>,
    pub direct_discharge_values: Vec<String>,
    pub sewage_values: Vec<String>,
    pub zero_discharge_fields: Vec<String>,
    pub true_values: Vec<String>,
    pub combined_max_count: Threshold,
    pub home_sewer_m: Threshold,
    pub home_pass_percent: Threshold,
    pub home_partly_percent: Threshold,
}

/// 4 完善的垃圾分类收集处置网.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WasteRule {
    pub collection_categories: Vec<String>,
    pub collection_m: Threshold,
    pub collection_pass_percent: Threshold,
    pub collection_partly_percent: Threshold,
    pub type_fields: Vec<String>,
    pub sorted_values: Vec<String>,
    pub sorting_percent: Threshold,
    pub transfer_categories: Vec<String>,
    pub transfer_min_count: Threshold,
}

/// 5 功能复合的商贸场所.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CommerceRule {
    pub venue_categories: Vec<String>,
    pub function_groups: Vec<Vec<String>>,
    pub venue_functions_min_count: Threshold,
    pub venue_radius_m: Threshold,
    pub market_categories: Vec<String>,
    pub market_walk_m: Threshold,
    pub market_pass_percent: Threshold,
    pub market_partly_percent: Threshold,
}

/// 6 开放多元的文体场所.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CultureSportRule {
    pub centre_categories: Vec<String>,
    pub centre_min_count: Threshold,
    pub access_categories: Vec<String>,
    pub walk_min: Threshold,
    pub pass_percent: Threshold,
    pub partly_percent: Threshold,
}

/// 7 优质均衡的学前+义务教育.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EducationRule {
    pub kindergarten_categories: Vec<String>,
    pub kindergarten_walk_m: Threshold,
    pub primary_categories: Vec<String>,
    pub primary_walk_m: Threshold,
    pub middle_categories: Vec<String>,
    pub middle_walk_m: Threshold,
    pub pass_percent: Threshold,
    pub partly_percent: Threshold,
    pub village_school_drive_min: Threshold,
    pub central_kindergarten_names: Vec<String>,
    pub central_kindergarten_min_count: Threshold,
}

/// 8 覆盖城乡的医疗卫生+养老.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HealthCareRule {
    pub health_centre_categories: Vec<String>,
    pub health_centre_min_count: Threshold,
    pub health_centre_walk_m: Threshold,
    pub pass_percent: Threshold,
    pub partly_percent: Threshold,
    pub clinic_categories: Vec<String>,
    pub village_clinic_walk_min: Threshold,
    pub care_categories: Vec<String>,
    pub village_care_walk_min: Threshold,
    pub village_health_centre_drive_min: Threshold,
}

/// 9 高品质的镇村生活圈体系.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LivingCircleRule {
    pub pass_percent: Threshold,
    pub partly_percent: Threshold,
}

/// 10 现代化的基层社会治理.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GovernanceRule {
    pub service_centre_categories: Vec<String>,
    pub service_centre_min_count: Threshold,
    pub station_categories: Vec<String>,
    pub station_percent: Threshold,
    pub station_partly_percent: Threshold,
    pub grid_gap_max_percent: Threshold,
    pub grid_overlap_max_percent: Threshold,
}

impl TenOnesProfile {
    /// Every category id the section names, with the key naming it (for checks against a taxonomy).
    pub fn category_ids<'a>(&'a self) -> Vec<(&'static str, &'a str)> {
        let mut out: Vec<(&'static str, &str)> = Vec::new();
        fn push<'a>(out: &mut Vec<(&'static str, &'a str)>, key: &'static str, ids: &'a [String]) {
            out.extend(ids.iter().map(|s| (key, s.as_str())));
        }
        let mut add = |key: &'static str, ids: &'a [String]| push(&mut out, key, ids);
        add("village_centre_categories", &self.village_centre_categories);
        add(
            "transport.gateway_categories",
            &self.transport.gateway_categories,
        );
        add("transport.seat_categories", &self.transport.seat_categories);
        add(
            "transport.bus_stop_categories",
            &self.transport.bus_stop_categories,
        );
        add("greenway.node_categories", &self.greenway.node_categories);
        add(
            "waste.collection_categories",
            &self.waste.collection_categories,
        );
        add("waste.transfer_categories", &self.waste.transfer_categories);
        add("commerce.venue_categories", &self.commerce.venue_categories);
        for g in &self.commerce.function_groups {
            add("commerce.function_groups", g);
        }
        add(
            "commerce.market_categories",
            &self.commerce.market_categories,
        );
        add(
            "culture_sport.centre_categories",
            &self.culture_sport.centre_categories,
        );
        add(
            "culture_sport.access_categories",
            &self.culture_sport.access_categories,
        );
        let e = &self.education;
        add(
            "education.kindergarten_categories",
            &e.kindergarten_categories,
        );
        add("education.primary_categories", &e.primary_categories);
        add("education.middle_categories", &e.middle_categories);
        let h = &self.health_care;
        add(
            "health_care.health_centre_categories",
            &h.health_centre_categories,
        );
        add("health_care.clinic_categories", &h.clinic_categories);
        add("health_care.care_categories", &h.care_categories);
        let g = &self.governance;
        add(
            "governance.service_centre_categories",
            &g.service_centre_categories,
        );
        add("governance.station_categories", &g.station_categories);
        out
    }
}

pub(super) fn empty_fallback() -> TenOnesProfile {
    let p = |v: f64| Cited::proposed(v, "");
    TenOnesProfile {
        walk_mode: "walk".into(),
        drive_mode: "car".into(),
        village_centre_categories: vec![],
        search_max_min: p(120.0),
        place_merge_m: p(100.0),
        transport: TransportRule {
            gateway_categories: vec![],
            gateway_road_classes: vec![],
            seat_categories: vec![],
            sample_cell_m: p(200.0),
            drive_pass_min: p(10.0),
            drive_partly_min: p(30.0),
            bus_stop_categories: vec![],
            bus_stop_walk_m: p(500.0),
        },
        greenway: GreenwayRule {
            join_gap_m: p(50.0),
            break_search_m: p(300.0),
            min_length_km: p(5.0),
            min_nodes_count: p(3.0),
            node_categories: vec![],
            node_distance_m: p(100.0),
        },
        sewer: SewerRule {
            type_fields: vec![],
            combined_values: vec![],
            direct_discharge_values: vec![],
            sewage_values: vec![],
            zero_discharge_fields: vec![],
            true_values: vec![],
            combined_max_count: p(0.0),
            home_sewer_m: p(50.0),
            home_pass_percent: p(100.0),
            home_partly_percent: p(90.0),
        },
        waste: WasteRule {
            collection_categories: vec![],
            collection_m: p(70.0),
            collection_pass_percent: p(100.0),
            collection_partly_percent: p(95.0),
            type_fields: vec![],
            sorted_values: vec![],
            sorting_percent: p(100.0),
            transfer_categories: vec![],
            transfer_min_count: p(1.0),
        },
        commerce: CommerceRule {
            venue_categories: vec![],
            function_groups: vec![],
            venue_functions_min_count: p(3.0),
            venue_radius_m: p(150.0),
            market_categories: vec![],
            market_walk_m: p(500.0),
            market_pass_percent: p(100.0),
            market_partly_percent: p(90.0),
        },
        culture_sport: CultureSportRule {
            centre_categories: vec![],
            centre_min_count: p(1.0),
            access_categories: vec![],
            walk_min: p(15.0),
            pass_percent: p(100.0),
            partly_percent: p(90.0),
        },
        education: EducationRule {
            kindergarten_categories: vec![],
            kindergarten_walk_m: p(300.0),
            primary_categories: vec![],
            primary_walk_m: p(500.0),
            middle_categories: vec![],
            middle_walk_m: p(1000.0),
            pass_percent: p(100.0),
            partly_percent: p(90.0),
            village_school_drive_min: p(30.0),
            central_kindergarten_names: vec![],
            central_kindergarten_min_count: p(1.0),
        },
        health_care: HealthCareRule {
            health_centre_categories: vec![],
            health_centre_min_count: p(1.0),
            health_centre_walk_m: p(1000.0),
            pass_percent: p(100.0),
            partly_percent: p(90.0),
            clinic_categories: vec![],
            village_clinic_walk_min: p(15.0),
            care_categories: vec![],
            village_care_walk_min: p(15.0),
            village_health_centre_drive_min: p(30.0),
        },
        living_circle: LivingCircleRule {
            pass_percent: p(90.0),
            partly_percent: p(75.0),
        },
        governance: GovernanceRule {
            service_centre_categories: vec![],
            service_centre_min_count: p(1.0),
            station_categories: vec![],
            station_percent: p(100.0),
            station_partly_percent: p(90.0),
            grid_gap_max_percent: p(1.0),
            grid_overlap_max_percent: p(1.0),
        },
    }
}

fn number(v: &DeValue<'_>) -> Option<f64> {
    match v {
        DeValue::Integer(i) => i
            .as_str()
            .replace('_', "")
            .parse::<i64>()
            .ok()
            .map(|i| i as f64),
        DeValue::Float(f) => f.as_str().replace('_', "").parse::<f64>().ok(),
        _ => None,
    }
}

/// Check every threshold of the section (`{ value = .. }` tables): finite, not negative, per cent
/// at most 100, counts whole, distances and times above zero; modes and road classes known.
/// Errors name the line and the key.
pub fn validate(
    text: &str,
    path: &Path,
    section: &TenOnesProfile,
    modes: &[&str],
    road_classes: &[&str],
) -> Result<()> {
    let doc = DeTable::parse(text).map_err(|e| {
        let line = e.span().map(|s| line_of(text, s.start)).unwrap_or(0);
        config_error(path, line, e.message().trim())
    })?;
    fn find<'t, 'i>(text: &str, t: &'t DeTable<'i>, key: &str) -> Option<(usize, &'t DeValue<'i>)> {
        t.iter().find(|(k, _)| k.get_ref().as_ref() == key).map(
            |(_, v): (_, &'t Spanned<DeValue<'i>>)| (line_of(text, v.span().start), v.get_ref()),
        )
    }
    let Some((section_line, DeValue::Table(root))) = find(text, doc.get_ref(), "ten_ones") else {
        return Ok(());
    };
    check_table(text, path, root, "ten_ones", section_line)?;
    for (key, mode) in [
        ("walk_mode", &section.walk_mode),
        ("drive_mode", &section.drive_mode),
    ] {
        if !modes.contains(&mode.as_str()) {
            let line = find(text, root, key).map_or(section_line, |(l, _)| l);
            return Err(config_error(
                path,
                line,
                format!(
                    "ten_ones.{key}: unknown mode \"{mode}\" (modes: {})",
                    modes.join(", ")
                ),
            ));
        }
    }
    for c in &section.transport.gateway_road_classes {
        if !road_classes.contains(&c.as_str()) {
            let line = match find(text, root, "transport") {
                Some((_, DeValue::Table(t))) => {
                    find(text, t, "gateway_road_classes").map_or(section_line, |(l, _)| l)
                }
                _ => section_line,
            };
            return Err(config_error(
                path,
                line,
                format!(
                    "ten_ones.transport.gateway_road_classes: unknown road class \"{c}\" (classes: {})",
                    road_classes.join(", ")
                ),
            ));
        }
    }
    Ok(())
}

fn check_table(
    text: &str,
    path: &Path,
    table: &DeTable<'_>,
    prefix: &str,
    _line: usize,
) -> Result<()> {
    for (k, v) in table.iter() {
        let key = format!("{prefix}.{}", k.get_ref());
        let line = line_of(text, v.span().start);
        let DeValue::Table(t) = v.get_ref() else {
            continue;
        };
        let value = t.iter().find(|(k, _)| k.get_ref().as_ref() == "value");
        let Some((_, value)) = value else {
            check_table(text, path, t, &key, line)?;
            continue;
        };
        let Some(x) = number(value.get_ref()) else {
            return Err(config_error(
                path,
                line,
                format!("{key}: value must be a number"),
            ));
        };
        let unit_key = k.get_ref().as_ref();
        let problem = if !x.is_finite() || x < 0.0 {
            Some("must be a finite number, zero or more")
        } else if unit_key.ends_with("_percent") && x > 100.0 {
            Some("is a percentage: at most 100")
        } else if unit_key.ends_with("_count") && x.fract() != 0.0 {
            Some("is a count: a whole number")
        } else if (unit_key.ends_with("_m")
            || unit_key.ends_with("_min")
            || unit_key.ends_with("_km"))
            && x <= 0.0
        {
            Some("is a distance or time: above zero")
        } else {
            None
        };
        if let Some(p) = problem {
            return Err(config_error(path, line, format!("{key} = {x} {p}")));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::standards::profile::{DEFAULT_PROFILE_TOML, Provenance};
    use crate::standards::profile::{Profile, ten_ones_of};

    #[test]
    fn default_profile_has_the_section_with_cited_values() {
        let p = Profile::default();
        let t = p.ten_ones.as_ref().expect("section");
        assert_eq!(t.transport.drive_pass_min.value, 10.0);
        assert_eq!(
            t.transport.drive_pass_min.source,
            Provenance::Source(Some(6))
        );
        assert_eq!(t.waste.collection_m.value, 70.0);
        assert_eq!(t.waste.collection_m.source, Provenance::Known);
        assert_eq!(t.education.kindergarten_walk_m.value, 300.0);
        assert_eq!(t.greenway.min_length_km.source, Provenance::Proposed);
        assert!(!t.category_ids().is_empty());
        let (_, defaulted) = ten_ones_of(&p);
        assert!(!defaulted);
    }

    #[test]
    fn a_profile_without_the_section_uses_the_default() {
        let start = DEFAULT_PROFILE_TOML.find("[ten_ones]").expect("section");
        let text = &DEFAULT_PROFILE_TOML[..start];
        let p = Profile::from_toml(text, Path::new("mine.toml")).expect("valid");
        assert!(p.ten_ones.is_none());
        let (t, defaulted) = ten_ones_of(&p);
        assert!(defaulted);
        assert_eq!(t.education.middle_walk_m.value, 1000.0);
    }

    fn with(old: &str, new: &str) -> String {
        assert!(DEFAULT_PROFILE_TOML.contains(old), "{old}");
        DEFAULT_PROFILE_TOML.replacen(old, new, 1)
    }

    fn err(text: &str) -> String {
        Profile::from_toml(text, Path::new("p.toml"))
            .expect_err("invalid")
            .to_string()
    }

    fn line_with(text: &str, needle: &str) -> usize {
        text.lines().position(|l| l.contains(needle)).expect("line") + 1
    }

    #[test]
    fn invalid_values_are_rejected_with_their_line() {
        let t = with(
            "collection_m = { value = 70.0",
            "collection_m = { value = -70.0",
        );
        let e = err(&t);
        assert!(
            e.contains(&format!(
                "line {}",
                line_with(&t, "collection_m = { value = -70.0")
            )) && e.contains("waste.collection_m"),
            "{e}"
        );
        let t = with(
            "pass_percent = { value = 90.0, source = \"P\", cite = \"proposed; comparators",
            "pass_percent = { value = 190.0, source = \"P\", cite = \"proposed; comparators",
        );
        let e = err(&t);
        assert!(
            e.contains("percentage") && e.contains("living_circle.pass_percent"),
            "{e}"
        );
        let t = with(
            "min_nodes_count = { value = 3.0",
            "min_nodes_count = { value = 2.5",
        );
        assert!(err(&t).contains("whole number"));
        let t = with("drive_mode = \"car\"", "drive_mode = \"horse\"");
        let e = err(&t);
        assert!(
            e.contains(&format!("line {}", line_with(&t, "drive_mode = \"horse\"")))
                && e.contains("unknown mode"),
            "{e}"
        );
        let t = with(
            "\"national\", \"provincial\"]",
            "\"national\", \"motorway\"]",
        );
        assert!(err(&t).contains("unknown road class \"motorway\""));
        // A misspelt key is named with its line by the TOML reader.
        let t = with("bus_stop_walk_m =", "bus_stop_walk_metres =");
        let e = err(&t);
        assert!(
            e.contains("bus_stop_walk_metres")
                && e.contains(&format!("line {}", line_with(&t, "bus_stop_walk_metres"))),
            "{e}"
        );
        let t = with(
            "bus_stop_walk_m = { value = 500.0, source = \"K\"",
            "bus_stop_walk_m = { value = 500.0, source = \"Q\"",
        );
        assert!(err(&t).contains("provenance"));
    }
}
