//! 2 串珠成链的美丽生态绿道: a connected greenway (segments joined where their ends are within
//! the join gap) starting in the 建成区, linking enough nodes (parks, 行政村, the 建成区), long
//! enough; breaks between segments (ends farther apart than the join gap but within the search
//! distance) are reported as places to close.

use geo::{Distance, Euclidean, Intersects, Length};
use geo_types::{Geometry, LineString, Point};

use super::{Item, check, finish, measure, no_data, root, threshold};
use crate::tenones::context::{Context, text_of};
use crate::tenones::result::{Place, RuleResult, Verdict};

pub const ITEM: Item = Item {
    number: 2,
    id: "greenway",
    zh: "串珠成链的美丽生态绿道",
    en: "Connected scenic greenways",
};

struct Segment {
    line: LineString<f64>,
    name: Option<String>,
    layer: String,
}

/// A gap between an end of one piece and another piece.
struct Break {
    /// (the piece whose end it is, the other piece), indices into the segments.
    pieces: (usize, usize),
    gap_m: f64,
    from: [f64; 2],
    to: [f64; 2],
}

fn ends(l: &LineString<f64>) -> Option<[[f64; 2]; 2]> {
    let a = l.0.first()?;
    let b = l.0.last()?;
    Some([[a.x, a.y], [b.x, b.y]])
}

/// The shortest distance between an end of `a` and the line `b`, with the points.
fn end_gap(a: &LineString<f64>, b: &LineString<f64>) -> Option<(f64, [f64; 2])> {
    ends(a)?
        .iter()
        .map(|e| (Euclidean.distance(&Point::new(e[0], e[1]), b), *e))
        .min_by(|x, y| x.0.total_cmp(&y.0))
}

pub fn evaluate(ctx: &Context<'_>) -> RuleResult {
    let r = &ctx.cfg.greenway;
    let thresholds = vec![
        threshold(
            "greenway.join_gap_m",
            "视为连通的间隙",
            "gap still joined",
            &r.join_gap_m,
            "m",
        ),
        threshold(
            "greenway.break_search_m",
            "断点搜索距离",
            "break search distance",
            &r.break_search_m,
            "m",
        ),
        threshold(
            "greenway.min_length_km",
            "连通绿道长度",
            "connected greenway length",
            &r.min_length_km,
            "km",
        ),
        threshold(
            "greenway.min_nodes_count",
            "串联节点数",
            "nodes linked",
            &r.min_nodes_count,
            "个",
        ),
        threshold(
            "greenway.node_distance_m",
            "节点距绿道距离",
            "node distance to the greenway",
            &r.node_distance_m,
            "m",
        ),
    ];
    let (k1, zh1, en1) = (
        "connected",
        "建成区出发、串联节点的连通绿道",
        "a connected greenway from the built-up area linking nodes",
    );
    let (k2, zh2, en2) = ("continuity", "绿道无断点", "no breaks in the greenway");
    let segments: Vec<Segment> = ctx
        .greenways
        .iter()
        .flat_map(|l| {
            l.features.iter().flat_map(move |f| {
                let name = text_of(l, f, &["名称".to_string(), "name".to_string()]);
                let lines = match &f.geometry {
                    Geometry::LineString(s) => vec![s.clone()],
                    Geometry::MultiLineString(m) => m.0.clone(),
                    _ => vec![],
                };
                lines
                    .into_iter()
                    .filter(|s| s.0.len() >= 2)
                    .map(move |line| Segment {
                        line,
                        name: name.clone(),
                        layer: l.name.clone(),
                    })
            })
        })
        .collect();
    if segments.is_empty() {
        let missing = if ctx.greenways.is_empty() {
            ("没有绿道图层", "no greenway layer")
        } else {
            ("绿道图层没有线要素", "the greenway layer has no lines")
        };
        let checks = vec![
            no_data(k1, zh1, en1, missing.0, missing.1),
            no_data(k2, zh2, en2, missing.0, missing.1),
        ];
        return finish(
            &ITEM,
            checks,
            thresholds,
            "建设串联节点的绿道",
            "Build a greenway linking the nodes",
        );
    }
    // Join segments whose end lies within the join gap of another segment.
    let n = segments.len();
    let mut group: Vec<usize> = (0..n).collect();
    let mut gaps: Vec<Break> = Vec::new();
    for i in 0..n {
        for j in 0..n {
            if i == j {
                continue;
            }
            let Some((d, e)) = end_gap(&segments[i].line, &segments[j].line) else {
                continue;
            };
            if d <= r.join_gap_m.value {
                let (a, b) = (root(&mut group, i), root(&mut group, j));
                group[a] = b;
            } else if d <= r.break_search_m.value {
                let p =
                    geo::ClosestPoint::closest_point(&segments[j].line, &Point::new(e[0], e[1]));
                let q = match p {
                    geo::Closest::Intersection(q) | geo::Closest::SinglePoint(q) => [q.x(), q.y()],
                    geo::Closest::Indeterminate => e,
                };
                gaps.push(Break {
                    pieces: (i, j),
                    gap_m: d,
                    from: e,
                    to: q,
                });
            }
        }
    }
    let roots: Vec<usize> = (0..n).map(|i| root(&mut group, i)).collect();
    // Breaks: the shortest gap between each pair of distinct components.
    let mut breaks: Vec<((usize, usize), Break)> = Vec::new();
    for g in gaps {
        let (i, j) = g.pieces;
        let key = (roots[i].min(roots[j]), roots[i].max(roots[j]));
        if key.0 == key.1 {
            continue;
        }
        match breaks.iter_mut().find(|x| x.0 == key) {
            Some(x) if x.1.gap_m > g.gap_m => x.1 = g,
            Some(_) => {}
            None => breaks.push((key, g)),
        }
    }
    // Components: length, start in the built-up area, nodes linked.
    let parks: Vec<[f64; 2]> = ctx
        .facilities(&r.node_categories)
        .iter()
        .map(|f| f.xy)
        .collect();
    let mut comps: Vec<usize> = roots.clone();
    comps.sort_unstable();
    comps.dedup();
    let near = |c: usize, xy: [f64; 2]| {
        (0..n).filter(|i| roots[*i] == c).any(|i| {
            Euclidean.distance(&Point::new(xy[0], xy[1]), &segments[i].line)
                <= r.node_distance_m.value
        })
    };
    let touches = |c: usize, m: &geo_types::MultiPolygon<f64>| {
        (0..n)
            .filter(|i| roots[*i] == c)
            .any(|i| segments[i].line.intersects(m))
    };
    let mut best: Option<(f64, usize, bool)> = None; // (km, nodes, starts in built-up)
    for &c in &comps {
        let km: f64 = (0..n)
            .filter(|i| roots[*i] == c)
            .map(|i| Euclidean.length(&segments[i].line))
            .sum::<f64>()
            / 1000.0;
        let in_built_up = ctx.built_up_polygons().iter().any(|m| touches(c, m));
        let mut nodes = parks.iter().filter(|p| near(c, **p)).count();
        nodes += ctx
            .villages()
            .iter()
            .filter(|v| {
                v.polygon
                    .as_ref()
                    .map_or(near(c, v.centre), |m| touches(c, m))
            })
            .count();
        if in_built_up {
            nodes += 1;
        }
        let better = match best {
            None => true,
            Some((bkm, _, bin)) => (in_built_up, km) > (bin, bkm),
        };
        if better {
            best = Some((km, nodes, in_built_up));
        }
    }
    let total_km: f64 = segments
        .iter()
        .map(|s| Euclidean.length(&s.line))
        .sum::<f64>()
        / 1000.0;
    let mut c1 = check(k1, zh1, en1);
    let (km, nodes, in_built_up) = best.unwrap_or((0.0, 0, false));
    c1.measures.push(measure(
        "total_km",
        "绿道总长",
        "greenway total",
        total_km,
        "km",
    ));
    c1.measures.push(measure(
        "connected_km",
        "最长连通段",
        "longest connected greenway",
        km,
        "km",
    ));
    c1.measures.push(measure(
        "nodes",
        "串联节点",
        "nodes linked",
        nodes as f64,
        "个",
    ));
    c1.measures.push(measure(
        "components",
        "互不连通的段数",
        "separate pieces",
        comps.len() as f64,
        "个",
    ));
    let ok = in_built_up && km >= r.min_length_km.value && nodes as f64 >= r.min_nodes_count.value;
    if !ok {
        c1.verdict = Verdict::Fail;
    }
    if ctx.built_up_polygons().is_empty() {
        c1.missing_zh
            .push("没有建成区图层：无法判断绿道是否从建成区出发".into());
        c1.missing_en
            .push("no built-up area: cannot tell whether the greenway starts there".into());
    }
    let mut c2 = check(k2, zh2, en2);
    c2.measures.push(measure(
        "breaks",
        "断点",
        "breaks",
        breaks.len() as f64,
        "处",
    ));
    for (_, b) in &breaks {
        let (d, e, q, i) = (&b.gap_m, b.from, b.to, &b.pieces.0);
        let mid = [(e[0] + q[0]) / 2.0, (e[1] + q[1]) / 2.0];
        let (place, place_en) = ctx.place_name(mid);
        let name = segments[*i].name.clone().unwrap_or_else(|| "绿道".into());
        c2.failing.push(Place {
            zh: format!("{name}断点({place})：约{d:.0}米"),
            en: format!("break in {name} ({place_en}): about {d:.0} m"),
            layer: Some(segments[*i].layer.clone()),
            source: None,
            xy: Some(mid),
            geometry: Some(Geometry::LineString(LineString::from(vec![
                (e[0], e[1]),
                (q[0], q[1]),
            ]))),
            value: Some(*d),
            unit: "m".into(),
            population: None,
        });
    }
    if !c2.failing.is_empty() {
        c2.verdict = if ok { Verdict::Partly } else { Verdict::Fail };
    }
    finish(
        &ITEM,
        vec![c1, c2],
        thresholds,
        "连通绿道断点",
        "Close the greenway breaks",
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Role;
    use crate::tenones::test_town::{Town, check_verdict};

    /// A 5 km greenway from the built-up area through 甲村 to a park, in `pieces`.
    fn town(pieces: &[(&[[f64; 2]], &str)]) -> Town {
        Town::new(None)
            .village()
            .facilities(&[([4000.0, 30.0], "park", "湿地公园")])
            .lines(Role::Greenway, "名称", pieces)
    }

    #[test]
    fn pass_when_connected_long_and_linking_three_nodes() {
        // Two pieces with a 20 m gap (a road crossing) still join.
        let r = town(&[
            (&[[500.0, 50.0], [2980.0, 50.0]], "绿道"),
            (&[[3000.0, 50.0], [5600.0, 50.0]], "绿道"),
        ])
        .run(evaluate);
        assert_eq!(check_verdict(&r, "connected"), Verdict::Pass);
        assert_eq!(check_verdict(&r, "continuity"), Verdict::Pass);
        let m = |k: &str| {
            r.checks[0]
                .measures
                .iter()
                .find(|m| m.key == k)
                .expect(k)
                .value
        };
        assert!((m("connected_km") - 5.08).abs() < 0.01);
        assert_eq!(m("nodes"), 3.0);
        assert_eq!(r.verdict, Verdict::Pass);
    }

    #[test]
    fn partly_when_a_side_piece_has_a_break() {
        let r = town(&[
            (&[[500.0, 50.0], [5600.0, 50.0]], "绿道"),
            (&[[5720.0, 50.0], [6500.0, 50.0]], "绿道支线"),
        ])
        .run(evaluate);
        assert_eq!(check_verdict(&r, "connected"), Verdict::Pass);
        assert_eq!(check_verdict(&r, "continuity"), Verdict::Partly);
        assert_eq!(r.verdict, Verdict::Partly);
        let p = &r.checks[1].failing[0];
        assert!((p.value.expect("gap") - 120.0).abs() < 0.01);
        assert_eq!(p.xy, Some([5660.0, 50.0]));
    }

    #[test]
    fn fail_when_a_break_leaves_no_piece_long_enough() {
        let r = town(&[
            (&[[500.0, 50.0], [3000.0, 50.0]], "绿道"),
            (&[[3120.0, 50.0], [5600.0, 50.0]], "绿道"),
        ])
        .run(evaluate);
        assert_eq!(check_verdict(&r, "connected"), Verdict::Fail);
        assert_eq!(check_verdict(&r, "continuity"), Verdict::Fail);
        assert_eq!(r.verdict, Verdict::Fail);
        assert_eq!(r.checks[1].failing.len(), 1);
        assert!(r.checks[1].failing[0].zh.contains("断点"));
    }

    #[test]
    fn no_data_without_a_greenway_layer() {
        let r = Town::new(None).run(evaluate);
        assert_eq!(r.verdict, Verdict::NoData);
        assert_eq!(r.checks[0].missing_zh, vec!["没有绿道图层".to_string()]);
    }
}
