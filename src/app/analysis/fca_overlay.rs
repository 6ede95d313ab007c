//! The capacity accessibility (容量可达性, 2SFCA) of the overlay category at the overlay tier as
//! map layers: every building coloured by its residents' index against the town's, and the
//! facilities with a capacity, the overloaded ones apart. The figures are
//! [`crate::access::fca::category_fca`]'s, the ones `towncircle analyze` reports.

use super::*;
use crate::access::CategoryTimes;
use crate::access::fca::{FcaReport, PERSONS_PER_UNIT, category_fca};
use crate::app::map::style::Symbol;
use geo_types::Point;

/// The index bands against the town's mean T: none in reach, < T/2, T/2–T, T–1.5T, > 1.5T
/// (RdYlBu, red for the least served; none in reach dark grey).
const BAND_RGB: [[u8; 3]; 5] = [
    [0x63, 0x63, 0x63],
    [0xd7, 0x19, 0x1c],
    [0xfd, 0xae, 0x61],
    [0xab, 0xd9, 0xe9],
    [0x2c, 0x7b, 0xb6],
];

/// The band of an index against the town's mean.
fn band(index: f64, town: f64) -> usize {
    if index <= 0.0 {
        0
    } else if index < 0.5 * town {
        1
    } else if index < town {
        2
    } else if index <= 1.5 * town {
        3
    } else {
        4
    }
}

fn band_name(b: usize, town: f64) -> String {
    let t = |f: f64| format!("{:.1}", f * town);
    match b {
        0 => "无容量可达".into(),
        1 => format!("< {} /千人 (低于全镇一半)", t(0.5)),
        2 => format!("{}–{} /千人", t(0.5), t(1.0)),
        3 => format!("{}–{} /千人", t(1.0), t(1.5)),
        _ => format!("> {} /千人", t(1.5)),
    }
}

/// The category's 2SFCA layers at `minutes`: nothing when none of its facilities has a
/// capacity, or when the times are not of the analysis' own facilities of the category (a
/// scenario edited it: an added facility's catchment is not in the analysis; the report
/// exported from the scenario computes it afresh). `building` gives a demand point's building
/// geometry (None: drawn as a point).
pub fn accessibility_overlays(
    a: &Analysis,
    ct: &CategoryTimes,
    cat_zh: &str,
    minutes: u32,
    building: &dyn Fn(usize) -> Option<Geometry<f64>>,
) -> Vec<OverlayLayer> {
    if ct.facilities != a.facilities_of(ct.category) {
        return Vec::new();
    }
    let Some(r) = category_fca(a, ct.category, minutes, PERSONS_PER_UNIT) else {
        return Vec::new();
    };
    let mut out = demand_layers(a, &r, cat_zh, minutes, building);
    out.extend(facility_layers(&r, cat_zh, minutes));
    out
}

fn demand_layers(
    a: &Analysis,
    r: &FcaReport,
    cat_zh: &str,
    minutes: u32,
    building: &dyn Fn(usize) -> Option<Geometry<f64>>,
) -> Vec<OverlayLayer> {
    let town = r.town_index_per_1000.unwrap_or(0.0);
    let fields = [
        ("index_per_1000", FieldKind::Float),
        ("population", FieldKind::Float),
    ];
    let mut layers: Vec<Layer> = (0..BAND_RGB.len())
        .map(|b| {
            overlay_layer(
                format!(
                    "容量可达性 {minutes} 分钟 · {cat_zh}: {}",
                    band_name(b, town)
                ),
                &fields,
            )
        })
        .collect();
    for (i, (p, idx)) in a
        .demand
        .points
        .iter()
        .zip(&r.points_index_per_1000)
        .enumerate()
    {
        if p.weight <= 0.0 {
            continue;
        }
        let geometry = building(i).unwrap_or_else(|| Point::new(p.xy[0], p.xy[1]).into());
        push(
            &mut layers[band(*idx, town)],
            geometry,
            vec![
                AttrValue::Float((idx * 100.0).round() / 100.0),
                AttrValue::Float((p.weight * 10.0).round() / 10.0),
            ],
        );
    }
    layers
        .into_iter()
        .zip(BAND_RGB)
        .map(|(layer, [r, g, b])| OverlayLayer {
            kept: Vec::new(),
            chunks: None,
            kind: OverlayKind::Accessibility,
            layer,
            style: overlay_style(
                Color32::from_rgb(r, g, b),
                Color32::from_rgb(r / 2, g / 2, b / 2),
                0.6,
            ),
            labels: Vec::new(),
        })
        .collect()
}

fn facility_layers(r: &FcaReport, cat_zh: &str, minutes: u32) -> Vec<OverlayLayer> {
    let fields = [
        ("name", FieldKind::Text),
        ("capacity", FieldKind::Float),
        ("demand_in_reach", FieldKind::Float),
        ("supply_per_1000", FieldKind::Float),
        ("overloaded", FieldKind::Bool),
    ];
    let mut fine = overlay_layer(format!("容量设施 {minutes} 分钟 · {cat_zh}"), &fields);
    let mut over = overlay_layer(
        format!("超载设施 {minutes} 分钟 · {cat_zh} (可达人口 > 容量)"),
        &fields,
    );
    for f in &r.facilities {
        let attrs = vec![
            f.name.clone().map_or(AttrValue::Null, AttrValue::Text),
            AttrValue::Float(f.capacity),
            AttrValue::Float(f.demand_in_reach.round()),
            f.supply_per_1000.map_or(AttrValue::Null, |s| {
                AttrValue::Float((s * 100.0).round() / 100.0)
            }),
            AttrValue::Bool(f.overloaded),
        ];
        let to = if f.overloaded { &mut over } else { &mut fine };
        push(to, Point::new(f.xy[0], f.xy[1]).into(), attrs);
    }
    let style = |fill: Color32| FeatureStyle {
        symbol: Symbol::Circle,
        symbol_size_pt: 9.0,
        ..overlay_style(fill, Color32::WHITE, 1.5)
    };
    vec![
        OverlayLayer {
            kept: Vec::new(),
            chunks: None,
            kind: OverlayKind::Accessibility,
            layer: fine,
            style: style(Color32::from_rgb(0x2c, 0x7b, 0xb6)),
            labels: Vec::new(),
        },
        OverlayLayer {
            kept: Vec::new(),
            chunks: None,
            kind: OverlayKind::Accessibility,
            layer: over,
            style: style(Color32::from_rgb(0xd7, 0x19, 0x1c)),
            labels: Vec::new(),
        },
    ]
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::access::test_support::{facilities, homes, roads};
    use crate::access::{AccessInput, AccessOptions};
    use crate::standards::profile::Profile;

    /// The 5-minute walking analysis of `layers`.
    fn walk_5(layers: &[Layer]) -> Analysis {
        Analysis::new(
            &AccessInput::from_layers(layers),
            &Profile::default(),
            &Taxonomy::default(),
            &AccessOptions {
                mode: "walk".into(),
                minutes: Some(vec![5]),
            },
        )
        .expect("analysis")
    }

    fn features(o: &[OverlayLayer]) -> Vec<usize> {
        o.iter().map(|l| l.layer.features.len()).collect()
    }

    /// A road 1 km long; kindergarten A (30 places) with 100 people beside it, B (500 places)
    /// with 50 people beside it, 20 people 3 km off the road. At 5 minutes on foot A serves its
    /// 100 (overloaded), B its 50: indices 300 and 10,000 per 1,000, the town's
    /// (100·300 + 50·10000)/170 ≈ 3,118; the far 20 reach nothing.
    #[test]
    fn buildings_by_band_and_the_overloaded_facility_apart() {
        let k = Taxonomy::default().by_id("kindergarten").expect("k");
        let mut kg = facilities(&[([0.0, 10.0], k), ([900.0, 10.0], k)]);
        kg.fields.push(Field::new("学位", FieldKind::Text));
        for (f, places) in kg.features.iter_mut().zip(["30", "500"]) {
            f.attrs.push(AttrValue::Text(places.into()));
        }
        let layers = vec![
            roads(&[(&[[0.0, 0.0], [1000.0, 0.0]], "residential", "")]),
            kg,
            homes(&[
                ([10.0, -10.0], 100.0),
                ([890.0, -10.0], 50.0),
                ([500.0, 3000.0], 20.0),
            ]),
        ];
        let a = walk_5(&layers);
        let result = a.run();
        let ct = result
            .categories
            .iter()
            .find(|c| c.category == k)
            .expect("times");
        let o = accessibility_overlays(&a, ct, "幼儿园", 5, &|_| None);
        // Five bands, then the facilities that are fine and the overloaded ones.
        assert_eq!(features(&o), [1, 1, 0, 0, 1, 1, 1]);
        assert!(o.iter().all(|l| l.kind == OverlayKind::Accessibility));
        let over = &o[6].layer.features[0];
        assert_eq!(over.attrs[1], AttrValue::Float(30.0));
        assert_eq!(over.attrs[2], AttrValue::Float(100.0));
        assert_eq!(over.attrs[4], AttrValue::Bool(true));
        assert_eq!(o[1].layer.features[0].attrs[0], AttrValue::Float(300.0));
        assert_eq!(o[4].layer.features[0].attrs[0], AttrValue::Float(10000.0));
        assert!(o[1].layer.name.contains("< 1558.8"), "{}", o[1].layer.name);

        // Times of other facilities than the analysis' own (a scenario's edit): nothing.
        let mut edited = CategoryTimes::clone(ct);
        edited.facilities.pop();
        assert!(accessibility_overlays(&a, &edited, "幼儿园", 5, &|_| None).is_empty());
        // Without a capacity: nothing.
        let plain = vec![
            layers[0].clone(),
            facilities(&[([0.0, 10.0], k)]),
            layers[2].clone(),
        ];
        let b = walk_5(&plain);
        let rb = b.run();
        let ct = rb.categories.iter().find(|c| c.category == k).expect("k");
        assert_eq!(ct.facilities, b.facilities_of(k));
        assert!(accessibility_overlays(&b, ct, "幼儿园", 5, &|_| None).is_empty());
    }

    #[test]
    fn bands_against_the_town_mean() {
        let t = 40.0;
        let got: Vec<usize> = [0.0, 5.0, 19.9, 20.0, 39.9, 40.0, 60.0, 60.1]
            .iter()
            .map(|i| band(*i, t))
            .collect();
        assert_eq!(got, [0, 1, 1, 2, 2, 3, 3, 4]);
        assert_eq!(band_name(1, t), "< 20.0 /千人 (低于全镇一半)");
    }
}
