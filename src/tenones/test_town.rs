//! A small hand-made town for the rule tests.
//!
//! Main street along y = 0 from x = -200 to 3,200 (residential); the 建成区 is the box
//! (0, -200)–(1000, 200); homes of 50 people at x = 300..700, y = 20 (within 220 m of x = 500
//! on foot); a "far" home at (950, 150), 600 m on foot from x = 500; the village 甲村 is the box
//! (2000, -300)–(3000, 300) with its service station (its centre) at (2500, 0).

use geo_types::{Geometry, LineString, Point, Polygon};

use crate::access::test_support::{self as ts, push};
use crate::access::{AccessInput, AccessOptions, Analysis};
use crate::model::layer::{AttrValue, Layer};
use crate::model::{Role, Taxonomy};
use crate::standards::Profile;
use crate::standards::tenones::TenOnesProfile;

use super::context::Context;
use super::result::{RuleResult, Verdict};

pub const CENTRE: [f64; 2] = [500.0, 0.0];
pub const VILLAGE_CENTRE: [f64; 2] = [2500.0, 0.0];
pub const FAR_HOME: [f64; 2] = [950.0, 150.0];

pub struct Town {
    pub layers: Vec<Layer>,
    pub profile: Profile,
    pub taxonomy: Taxonomy,
}

fn rect(lo: [f64; 2], hi: [f64; 2]) -> Geometry<f64> {
    Geometry::Polygon(Polygon::new(
        LineString::from(vec![
            (lo[0], lo[1]),
            (hi[0], lo[1]),
            (hi[0], hi[1]),
            (lo[0], hi[1]),
            (lo[0], lo[1]),
        ]),
        vec![],
    ))
}

impl Town {
    /// Roads, boundary, built-up area and homes (the far home with `far_pop` people, if any).
    pub fn new(far_pop: Option<f64>) -> Town {
        let mut homes: Vec<([f64; 2], f64)> = (3..=7)
            .map(|i| ([f64::from(i) * 100.0, 20.0], 50.0))
            .collect();
        if let Some(p) = far_pop {
            homes.push((FAR_HOME, p));
        }
        let mut boundary = ts::layer("镇域", Role::Boundary, &[]);
        push(
            &mut boundary,
            rect([-5000.0, -5000.0], [15000.0, 5000.0]),
            vec![],
            None,
        );
        Town {
            layers: vec![
                ts::roads(&[(&[[-200.0, 0.0], [3200.0, 0.0]], "residential", "no")]),
                ts::area(Role::BuiltUpArea, [0.0, -200.0], [1000.0, 200.0]),
                boundary,
                ts::homes(&homes),
            ],
            profile: Profile::default(),
            taxonomy: Taxonomy::default(),
        }
    }

    pub fn cfg(&mut self) -> &mut TenOnesProfile {
        self.profile
            .ten_ones
            .as_mut()
            .expect("default profile has [ten_ones]")
    }

    pub fn without(mut self, role: Role) -> Town {
        self.layers.retain(|l| l.role != Some(role));
        self
    }

    pub fn road(mut self, coords: &[[f64; 2]], highway: &str) -> Town {
        self.layers.push(ts::roads(&[(coords, highway, "no")]));
        self
    }

    /// Facilities: (position, category id, name).
    pub fn facilities(mut self, list: &[([f64; 2], &str, &str)]) -> Town {
        let mut l = ts::layer("poi", Role::Facilities, &["名称", "类型"]);
        for (xy, cat, name) in list {
            let c = self.taxonomy.by_id(cat).expect(cat);
            push(
                &mut l,
                Geometry::Point(Point::new(xy[0], xy[1])),
                vec![
                    AttrValue::Text(name.to_string()),
                    AttrValue::Text(String::new()),
                ],
                Some(c),
            );
        }
        self.layers.push(l);
        self
    }

    /// Waste collection points with a type (e.g. 四分类).
    pub fn waste_points(mut self, list: &[([f64; 2], &str)]) -> Town {
        let c = self.taxonomy.by_id("waste_point").expect("waste_point");
        let mut l = ts::layer("垃圾分类收集点", Role::Facilities, &["名称", "类型"]);
        for (xy, kind) in list {
            push(
                &mut l,
                Geometry::Point(Point::new(xy[0], xy[1])),
                vec![
                    AttrValue::Text("收集点".into()),
                    AttrValue::Text(kind.to_string()),
                ],
                Some(c),
            );
        }
        self.layers.push(l);
        self
    }

    /// Villages as boxes: (name, lower-left, upper-right, population).
    pub fn villages(mut self, list: &[(&str, [f64; 2], [f64; 2], f64)]) -> Town {
        let mut l = ts::layer("行政村", Role::Villages, &["村名", "人口"]);
        for (name, lo, hi, pop) in list {
            push(
                &mut l,
                rect(*lo, *hi),
                vec![AttrValue::Text(name.to_string()), AttrValue::Float(*pop)],
                None,
            );
        }
        self.layers.push(l);
        self
    }

    /// The village 甲村 around (2500, 0).
    pub fn village(self) -> Town {
        self.villages(&[("甲村", [2000.0, -300.0], [3000.0, 300.0], 200.0)])
    }

    /// Lines of a role with one text field.
    pub fn lines(mut self, role: Role, field: &str, list: &[(&[[f64; 2]], &str)]) -> Town {
        let fields: Vec<&str> = if field.is_empty() {
            vec![]
        } else {
            vec![field]
        };
        let mut l = ts::layer("lines", role, &fields);
        for (coords, value) in list {
            let attrs = if field.is_empty() {
                vec![]
            } else {
                vec![AttrValue::Text(value.to_string())]
            };
            push(
                &mut l,
                Geometry::LineString(LineString::from(
                    coords.iter().map(|p| (p[0], p[1])).collect::<Vec<_>>(),
                )),
                attrs,
                None,
            );
        }
        self.layers.push(l);
        self
    }

    /// Polygons of a role (grid cells).
    pub fn boxes(mut self, role: Role, list: &[([f64; 2], [f64; 2])]) -> Town {
        let mut l = ts::layer("boxes", role, &[]);
        for (lo, hi) in list {
            push(&mut l, rect(*lo, *hi), vec![], None);
        }
        self.layers.push(l);
        self
    }

    /// Run one rule as `evaluate` does (with the walking coverage of the profile's tiers).
    pub fn run(&self, rule: fn(&Context<'_>) -> RuleResult) -> RuleResult {
        let input = AccessInput::from_layers(&self.layers);
        let analysis = Analysis::new(
            &input,
            &self.profile,
            &self.taxonomy,
            &AccessOptions::default(),
        )
        .expect("analysis");
        let coverage = analysis.run().report;
        let cfg = self.profile.ten_ones.clone().expect("section");
        let ctx = Context::new(&self.layers, &self.profile, cfg, &self.taxonomy, &coverage);
        rule(&ctx)
    }
}

/// The verdict of a check of a result.
pub fn check_verdict(r: &RuleResult, key: &str) -> Verdict {
    r.checks
        .iter()
        .find(|c| c.key == key)
        .unwrap_or_else(|| {
            panic!(
                "no check {key} in {:?}",
                r.checks.iter().map(|c| &c.key).collect::<Vec<_>>()
            )
        })
        .verdict
}
