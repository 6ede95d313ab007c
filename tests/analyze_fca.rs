//! `towncircle analyze` with capacities: a copy of the demo town whose POI file gets 床位 (beds)
//! for the 敬老院 and the 卫生院 and 学位 (places) for some kindergartens. The 2SFCA figures of
//! summary.json are checked against what must hold whatever the network: supply is conserved
//! (Σ capacity of the facilities anyone reaches = town index × population / 1000), the
//! overload flag is demand in reach > capacity, the supply ratio is capacity / demand, and a
//! category with one facility has exactly coverage's covered people in its reach. The
//! GeoPackage layer gives the same village indices and conserves supply too; the workbook and
//! report.html carry the tables. Without capacities: one line, no table, no layer, no sheet.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

use calamine::{Reader, Xlsx, open_workbook};
use serde_json::Value;

use towncircle::io::ReadOptions;
use towncircle::model::layer::AttrValue;

fn demo_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("sample-maps/qingxi-demo-town")
}

const POI: &str = "POI_高德导出.csv";

/// A copy of the demo town whose POI file has 床位 and 学位 columns.
fn town_with_capacities(to: &Path) {
    std::fs::create_dir_all(to).expect("dir");
    for e in std::fs::read_dir(demo_dir()).expect("demo") {
        let e = e.expect("entry");
        std::fs::copy(e.path(), to.join(e.file_name())).expect("copy");
    }
    let csv = std::fs::read_to_string(demo_dir().join(POI)).expect("poi");
    let mut kindergartens = 0;
    let lines: Vec<String> = csv
        .lines()
        .enumerate()
        .map(|(i, line)| {
            if i == 0 {
                return format!("{line},床位,学位");
            }
            let name = line.split(',').next().unwrap_or_default();
            let (beds, places) = if name == "清溪镇敬老院" {
                ("60", "")
            } else if name == "清溪镇卫生院" {
                ("100000床", "")
            } else if name.contains("幼儿园") {
                kindergartens += 1;
                // Every other kindergarten has places; the rest have none.
                if kindergartens % 2 == 1 {
                    ("", "180")
                } else {
                    ("", "")
                }
            } else {
                ("", "")
            };
            format!("{line},{beds},{places}")
        })
        .collect();
    assert!(kindergartens >= 2, "{kindergartens}");
    std::fs::write(to.join(POI), lines.join("\n") + "\n").expect("write poi");
}

fn analyze(input: &Path, out: &Path) {
    let o = Command::new(env!("CARGO_BIN_EXE_towncircle"))
        .arg("analyze")
        .arg(input)
        .arg("--out")
        .arg(out)
        .output()
        .expect("run");
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
}

fn f(v: &Value) -> f64 {
    v.as_f64().unwrap_or_else(|| panic!("not a number: {v}"))
}

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() <= 1e-6 * (1.0 + a.abs().max(b.abs()))
}

#[test]
fn capacities_give_a_2sfca_in_every_output() {
    let tmp = tempfile::tempdir().expect("tmp");
    let town = tmp.path().join("town");
    town_with_capacities(&town);
    let out = tmp.path().join("out");
    analyze(&town, &out);
    let summary: Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("summary.json")).expect("json"))
            .expect("parse");
    let population = f(&summary["population"]);
    let fca = summary["accessibility_2sfca"].as_array().expect("array");

    // The categories with a capacity, at the tiers of the default profile that require them
    // (the 5-minute tier accepts a 卫生院 as one of its health alternatives).
    let at: Vec<(String, u64)> = fca
        .iter()
        .map(|c| {
            (
                c["category"].as_str().expect("id").to_string(),
                c["minutes"].as_u64().expect("min"),
            )
        })
        .collect();
    let mut want = vec![
        ("health_center".to_string(), 5),
        ("health_center".to_string(), 15),
        ("health_center".to_string(), 30),
        ("kindergarten".to_string(), 5),
        ("kindergarten".to_string(), 30),
        ("nursing_home".to_string(), 30),
    ];
    want.sort();
    let mut got = at.clone();
    got.sort();
    assert_eq!(got, want, "{at:?}");
    assert!(fca.iter().all(|c| c["tier_basis"] == "required"));

    let categories = summary["access"]["categories"].as_array().expect("cats");
    let (mut overloaded, mut fine) = (0, 0);
    for c in fca {
        let id = c["category"].as_str().expect("id");
        let minutes = c["minutes"].as_u64().expect("min");
        let what = format!("{id} at {minutes} min");
        assert_eq!(c["persons_per_unit"], 1.0, "{what}");
        let facilities = c["facilities"].as_array().expect("facilities");
        assert!(!facilities.is_empty(), "{what}");
        let mut reached_capacity = 0.0;
        for fac in facilities {
            let (cap, demand) = (f(&fac["capacity"]), f(&fac["demand_in_reach"]));
            // Overloaded exactly when more people are in reach than there are beds/places.
            assert_eq!(fac["overloaded"], demand > cap, "{what}: {fac}");
            if demand > cap {
                overloaded += 1;
            } else {
                fine += 1;
            }
            if demand > 0.0 {
                reached_capacity += cap;
                assert!(
                    close(f(&fac["supply_per_1000"]), 1000.0 * cap / demand),
                    "{what}: {fac}"
                );
            } else {
                assert!(fac["supply_per_1000"].is_null(), "{what}: {fac}");
            }
        }
        assert_eq!(
            c["overloaded"].as_u64().expect("n") as usize,
            facilities
                .iter()
                .filter(|x| x["overloaded"] == true)
                .count()
        );
        // 2SFCA conserves supply: Σᵢ wᵢ Aᵢ = 1000 Σⱼ capacityⱼ (facilities anyone reaches).
        let town_index = f(&c["town_index_per_1000"]);
        assert!(
            close(town_index * population / 1000.0, reached_capacity),
            "{what}: index {town_index} × {population} / 1000 ≠ {reached_capacity}"
        );
        // The facilities without a capacity are those the coverage counts beyond the ones given.
        let cov = categories
            .iter()
            .find(|x| x["id"] == id)
            .unwrap_or_else(|| panic!("{id} in access.categories"));
        let count = cov["facility_count"].as_u64().expect("count") as usize;
        assert_eq!(
            c["facilities_without_capacity"].as_u64().expect("n") as usize,
            count - facilities.len(),
            "{what}"
        );
        // One facility: its catchment is what coverage finds within the tier.
        if count == 1 {
            let tier = cov["tiers"]
                .as_array()
                .expect("tiers")
                .iter()
                .find(|t| t["minutes"].as_u64() == Some(minutes))
                .expect("tier");
            assert!(
                close(
                    f(&facilities[0]["demand_in_reach"]),
                    f(&tier["town"]["covered_weight"])
                ),
                "{what}"
            );
        }
        assert_eq!(c["villages"].as_array().expect("v").len(), 14, "{what}");
    }
    // 60 beds for the 敬老院 are overloaded, 100,000 for the 卫生院 are not.
    assert!(overloaded > 0 && fine > 0, "{overloaded} {fine}");
    let kg = fca
        .iter()
        .find(|c| c["category"] == "kindergarten")
        .expect("kg");
    assert!(kg["facilities_without_capacity"].as_u64().expect("n") > 0);

    // results.gpkg: the demand points with their index per category and tier.
    let layers = towncircle::io::gpkg::read(&out.join("results.gpkg"), &ReadOptions::default())
        .expect("gpkg");
    let points = layers
        .iter()
        .find(|l| l.name == "accessibility_2sfca")
        .expect("layer");
    assert_eq!(
        points.features.len() as u64,
        summary["access"]["demand"]["points"].as_u64().expect("n")
    );
    let num = |a: Option<&AttrValue>| a.and_then(AttrValue::as_f64).unwrap_or(0.0);
    for c in fca {
        let col = format!(
            "{}_{}min",
            c["category"].as_str().expect("id"),
            c["minutes"].as_u64().expect("m")
        );
        let mut total = 0.0;
        let mut by_village: BTreeMap<String, (f64, f64)> = BTreeMap::new();
        for p in &points.features {
            let w = num(points.attr(p, "weight"));
            let x = num(points.attr(p, &col));
            total += w * x;
            if let Some(v) = points.attr(p, "village").and_then(AttrValue::as_text) {
                let e = by_village.entry(v.to_string()).or_default();
                e.0 += w;
                e.1 += w * x;
            }
        }
        assert!(
            close(total, f(&c["town_index_per_1000"]) * population),
            "{col}"
        );
        for v in c["villages"].as_array().expect("v") {
            let name = v["village"].as_str().expect("name");
            match (by_village.get(name), v["index_per_1000"].as_f64()) {
                (Some((w, s)), Some(idx)) if *w > 0.0 => {
                    assert!(close(s / w, idx), "{col} {name}: {} vs {idx}", s / w)
                }
                (None, None) => {}
                (found, idx) => panic!("{col} {name}: {found:?} vs {idx:?}"),
            }
        }
    }
    let fac_layer = layers
        .iter()
        .find(|l| l.name == "accessibility_2sfca_facilities")
        .expect("facility layer");
    let n_fac: usize = fca
        .iter()
        .map(|c| c["facilities"].as_array().expect("f").len())
        .sum();
    assert_eq!(fac_layer.features.len(), n_fac);

    // results.xlsx: a sheet with a town row, the facilities and the villages of each.
    let mut wb: Xlsx<_> = open_workbook(out.join("results.xlsx")).expect("xlsx");
    assert!(wb.sheet_names().contains(&"容量可达性".to_string()));
    let sheet = wb.worksheet_range("容量可达性").expect("sheet");
    let rows: usize = fca
        .iter()
        .map(|c| {
            1 + c["facilities"].as_array().expect("f").len()
                + c["villages"].as_array().expect("v").len()
        })
        .sum();
    assert_eq!(sheet.rows().count(), 1 + rows);

    // report.html: the section with its tables.
    let html = std::fs::read_to_string(out.join("report.html")).expect("html");
    let at = html.find("容量可达性（2SFCA）").expect("section");
    let section = &html[at..at + html[at..].find("</section>").expect("end")];
    assert_eq!(section.matches("<table>").count(), 3);
    assert!(section.contains("清溪镇敬老院") && section.contains("清溪镇卫生院"));
}

#[test]
fn without_capacities_one_line_and_nothing_else() {
    let tmp = tempfile::tempdir().expect("tmp");
    let out = tmp.path().join("out");
    analyze(&demo_dir(), &out);
    let summary: Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("summary.json")).expect("json"))
            .expect("parse");
    assert_eq!(summary["accessibility_2sfca"], Value::Array(vec![]));
    let html = std::fs::read_to_string(out.join("report.html")).expect("html");
    let at = html.find("容量可达性（2SFCA）").expect("section");
    let section = &html[at..at + html[at..].find("</section>").expect("end")];
    assert!(section.contains("没有设施带容量") && !section.contains("<table"));
    let layers = towncircle::io::gpkg::read(&out.join("results.gpkg"), &ReadOptions::default())
        .expect("gpkg");
    assert!(!layers.iter().any(|l| l.name.starts_with("accessibility")));
    let wb: Xlsx<_> = open_workbook(out.join("results.xlsx")).expect("xlsx");
    assert!(!wb.sheet_names().contains(&"容量可达性".to_string()));
}
