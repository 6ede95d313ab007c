//! 3 健全的雨污分流收集处理网: no combined or direct-discharge segment in the 建成区 (the pipes'
//! type field), and the 建成区's homes within a distance of a separated sewage pipe (or flagged
//! 零直排).

use std::collections::{HashMap, HashSet};

use geo::{Centroid, Distance, Euclidean};
use geo_types::{Geometry, LineString, MultiLineString, Point};

use super::{Item, check, finish, homes_check, measure, no_data, root, threshold};
use crate::model::layer::{Layer, SourceId};
use crate::tenones::context::{Context, text_of};
use crate::tenones::result::{Check, Place, RuleResult, Verdict};

pub const ITEM: Item = Item {
    number: 3,
    id: "sewer",
    zh: "健全的雨污分流收集处理网",
    en: "Separated sewer collection and treatment",
};

struct Pipe<'a> {
    lines: Vec<LineString<f64>>,
    kind: Option<String>,
    centre: [f64; 2],
    layer: &'a Layer,
    source: SourceId,
}

fn lines_of(g: &Geometry<f64>) -> Vec<LineString<f64>> {
    match g {
        Geometry::LineString(l) => vec![l.clone()],
        Geometry::MultiLineString(m) => m.0.clone(),
        _ => vec![],
    }
}

pub fn evaluate(ctx: &Context<'_>) -> RuleResult {
    let r = &ctx.cfg.sewer;
    let thresholds = vec![
        threshold(
            "sewer.combined_max_count",
            "建成区合流/直排管段",
            "combined or direct-discharge segments in the built-up area",
            &r.combined_max_count,
            "段",
        ),
        threshold(
            "sewer.home_sewer_m",
            "住宅至污水管距离",
            "home to a sewage pipe",
            &r.home_sewer_m,
            "m",
        ),
        threshold(
            "sewer.home_pass_percent",
            "接管住宅比例(达标)",
            "homes connected (pass)",
            &r.home_pass_percent,
            "%",
        ),
        threshold(
            "sewer.home_partly_percent",
            "接管住宅比例(基本达标)",
            "homes connected (partly)",
            &r.home_partly_percent,
            "%",
        ),
    ];
    let (k1, zh1, en1) = (
        "combined_segments",
        "建成区无雨污合流或直排管段",
        "no combined or direct-discharge segment in the built-up area",
    );
    let (k2, zh2, en2) = (
        "homes_connected",
        "建成区住宅接入污水管网",
        "built-up homes near a separated sewage pipe",
    );
    if ctx.sewers.is_empty() {
        let checks = vec![
            no_data(k1, zh1, en1, "没有污水管网图层", "no sewer layer"),
            no_data(k2, zh2, en2, "没有污水管网图层", "no sewer layer"),
        ];
        return finish(
            &ITEM,
            checks,
            thresholds,
            "雨污分流改造",
            "Separate the sewers",
        );
    }
    let has_type = ctx
        .sewers
        .iter()
        .any(|l| r.type_fields.iter().any(|f| l.field_index(f).is_some()));
    if !has_type {
        let checks = vec![
            no_data(
                k1,
                zh1,
                en1,
                "污水管网图层没有类型字段(污水/雨水/合流)",
                "the sewer layer has no type field (sewage/storm/combined)",
            ),
            no_data(
                k2,
                zh2,
                en2,
                "污水管网图层没有类型字段(污水/雨水/合流)",
                "the sewer layer has no type field (sewage/storm/combined)",
            ),
        ];
        return finish(
            &ITEM,
            checks,
            thresholds,
            "雨污分流改造",
            "Separate the sewers",
        );
    }
    let pipes: Vec<Pipe<'_>> = ctx
        .sewers
        .iter()
        .flat_map(|l| {
            l.features.iter().filter_map(move |f| {
                let lines = lines_of(&f.geometry);
                let c = f.geometry.centroid()?;
                (!lines.is_empty()).then(|| Pipe {
                    lines,
                    kind: text_of(l, f, &r.type_fields),
                    centre: [c.x(), c.y()],
                    layer: l,
                    source: f.source_id,
                })
            })
        })
        .collect();
    let is = |p: &Pipe<'_>, values: &[String]| {
        p.kind
            .as_deref()
            .is_some_and(|k| values.iter().any(|v| k.trim() == v.as_str()))
    };
    let checks = vec![combined(ctx, &pipes, &is), connected(ctx, &pipes, &is)];
    finish(
        &ITEM,
        checks,
        thresholds,
        "对合流、直排管段实施雨污分流改造",
        "Separate the combined and direct-discharge pipes",
    )
}

fn combined(
    ctx: &Context<'_>,
    pipes: &[Pipe<'_>],
    is: &dyn Fn(&Pipe<'_>, &[String]) -> bool,
) -> Check {
    let r = &ctx.cfg.sewer;
    let mut c = check(
        "combined_segments",
        "建成区无雨污合流或直排管段",
        "no combined or direct-discharge segment in the built-up area",
    );
    let bad: Vec<&Pipe<'_>> = pipes
        .iter()
        .filter(|p| is(p, &r.combined_values) || is(p, &r.direct_discharge_values))
        .filter(|p| !ctx.has_built_up() || ctx.in_built_up(p.centre))
        .collect();
    c.measures.push(measure(
        "segments",
        "合流/直排管段",
        "combined/direct segments",
        bad.len() as f64,
        "段",
    ));
    c.measures.push(measure(
        "pipes",
        "管段总数",
        "pipes",
        pipes.len() as f64,
        "段",
    ));
    if bad.len() as f64 > r.combined_max_count.value {
        c.verdict = Verdict::Fail;
    }
    // Neighbouring bad pipes (within the gap cell) form one place.
    let link_m = ctx.profile.shapes.gap_cell_m.value;
    let mut group: Vec<usize> = (0..bad.len()).collect();
    for i in 0..bad.len() {
        for j in i + 1..bad.len() {
            let near = bad[i].lines.iter().any(|a| {
                bad[j]
                    .lines
                    .iter()
                    .any(|b| Euclidean.distance(a, b) <= link_m)
            });
            if near {
                let (a, b) = (root(&mut group, i), root(&mut group, j));
                group[a] = b;
            }
        }
    }
    let mut groups: HashMap<usize, Vec<&Pipe<'_>>> = HashMap::new();
    for (i, p) in bad.iter().enumerate() {
        let g = root(&mut group, i);
        groups.entry(g).or_default().push(p);
    }
    let mut groups: Vec<Vec<&Pipe<'_>>> = groups.into_values().collect();
    groups.sort_by_key(|g| std::cmp::Reverse(g.len()));
    for g in groups {
        let n = g.len() as f64;
        let xy = [
            g.iter().map(|p| p.centre[0]).sum::<f64>() / n,
            g.iter().map(|p| p.centre[1]).sum::<f64>() / n,
        ];
        let (zh, en) = ctx.place_name(xy);
        let kinds: Vec<&str> = {
            let mut k: Vec<&str> = g.iter().filter_map(|p| p.kind.as_deref()).collect();
            k.sort_unstable();
            k.dedup();
            k
        };
        c.failing.push(Place {
            zh: format!("{zh}：{}段{}管", g.len(), kinds.join("/")),
            en: format!("{en}: {} {} segments", g.len(), kinds.join("/")),
            layer: (g.len() == 1).then(|| g[0].layer.name.clone()),
            source: (g.len() == 1).then(|| g[0].source),
            xy: Some(xy),
            geometry: Some(Geometry::MultiLineString(MultiLineString::new(
                g.iter().flat_map(|p| p.lines.iter().cloned()).collect(),
            ))),
            value: Some(n),
            unit: "段".into(),
            population: None,
        });
    }
    c
}

fn connected(
    ctx: &Context<'_>,
    pipes: &[Pipe<'_>],
    is: &dyn Fn(&Pipe<'_>, &[String]) -> bool,
) -> Check {
    let r = &ctx.cfg.sewer;
    let key = "homes_connected";
    let zh = format!("建成区住宅{}米内有污水管", r.home_sewer_m.value);
    let en = format!(
        "built-up homes within {} m of a separated sewage pipe",
        r.home_sewer_m.value
    );
    if !ctx.has_buildings() {
        return no_data(key, &zh, &en, "没有建筑(住宅)图层", "no building layer");
    }
    let sewage: Vec<&LineString<f64>> = pipes
        .iter()
        .filter(|p| is(p, &r.sewage_values))
        .flat_map(|p| p.lines.iter())
        .collect();
    let homes: Vec<_> = ctx
        .homes()
        .into_iter()
        .filter(|h| h.built_up || !ctx.has_built_up())
        .collect();
    let flagged = zero_discharge_homes(ctx);
    let reach = r.home_sewer_m.value;
    homes_check(
        ctx,
        check(key, &zh, &en),
        &homes,
        |h| {
            if h.origin.is_some_and(|o| flagged.contains(&o)) {
                return 0.0;
            }
            let p = Point::new(h.xy[0], h.xy[1]);
            sewage
                .iter()
                .map(|l| Euclidean.distance(&p, *l))
                .fold(f64::INFINITY, f64::min)
        },
        reach,
        "m",
        r.home_pass_percent.value,
        r.home_partly_percent.value,
        &format!("{}米内无污水管", reach),
        &format!("with no sewage pipe within {reach} m"),
    )
}

/// Buildings flagged 零直排: (index in the building layers, feature), as demand points record them.
fn zero_discharge_homes(ctx: &Context<'_>) -> HashSet<(u32, SourceId)> {
    let r = &ctx.cfg.sewer;
    let mut out = HashSet::new();
    for (li, l) in ctx.input.buildings.iter().enumerate() {
        if !r
            .zero_discharge_fields
            .iter()
            .any(|f| l.field_index(f).is_some())
        {
            continue;
        }
        for f in &l.features {
            let yes = text_of(l, f, &r.zero_discharge_fields)
                .is_some_and(|t| r.true_values.iter().any(|v| t.eq_ignore_ascii_case(v)));
            if yes {
                out.insert((li as u32, f.source_id));
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Role;
    use crate::tenones::test_town::{Town, check_verdict};

    fn town(far_pop: Option<f64>, pipes: &[(&[[f64; 2]], &str)]) -> Town {
        Town::new(far_pop).lines(Role::Sewers, "类型", pipes)
    }

    const SEWAGE: &[[f64; 2]] = &[[0.0, 30.0], [1000.0, 30.0]];

    #[test]
    fn pass_when_separated_and_every_home_is_near_a_sewage_pipe() {
        let r = town(
            None,
            &[(SEWAGE, "污水"), (&[[0.0, -30.0], [1000.0, -30.0]], "雨水")],
        )
        .run(evaluate);
        assert_eq!(check_verdict(&r, "combined_segments"), Verdict::Pass);
        assert_eq!(check_verdict(&r, "homes_connected"), Verdict::Pass);
        assert_eq!(r.verdict, Verdict::Pass);
    }

    #[test]
    fn partly_when_a_few_homes_are_far_from_the_sewage_pipes() {
        // 10 of 260 residents are 120 m from the pipe: 96% ≥ 90%.
        let r = town(Some(10.0), &[(SEWAGE, "污水")]).run(evaluate);
        assert_eq!(check_verdict(&r, "homes_connected"), Verdict::Partly);
        assert_eq!(r.verdict, Verdict::Partly);
        let p = &r.checks[1].failing[0];
        assert_eq!(p.population, Some(10.0));
        assert!((p.value.expect("m") - 120.0).abs() < 0.01);
    }

    #[test]
    fn a_home_flagged_zero_discharge_counts_as_connected() {
        let mut t = town(Some(10.0), &[(SEWAGE, "污水")]);
        let homes = t
            .layers
            .iter_mut()
            .find(|l| l.role == Some(Role::Buildings))
            .expect("homes");
        homes.fields.push(crate::model::layer::Field::new(
            "零直排",
            crate::model::layer::FieldKind::Text,
        ));
        for (i, f) in homes.features.iter_mut().enumerate() {
            let flag = if i == 5 { "是" } else { "" };
            f.attrs
                .push(crate::model::layer::AttrValue::Text(flag.into()));
        }
        let r = t.run(evaluate);
        assert_eq!(check_verdict(&r, "homes_connected"), Verdict::Pass);
    }

    #[test]
    fn fail_on_combined_pipes_in_the_built_up_area_merged_into_one_place() {
        let r = town(
            None,
            &[
                (SEWAGE, "污水"),
                (&[[100.0, -100.0], [200.0, -100.0]], "合流"),
                (&[[200.0, -100.0], [300.0, -100.0]], "合流"),
                // Outside the built-up area: not counted.
                (&[[2000.0, -100.0], [2100.0, -100.0]], "合流"),
            ],
        )
        .run(evaluate);
        assert_eq!(check_verdict(&r, "combined_segments"), Verdict::Fail);
        let c = &r.checks[0];
        assert_eq!(c.failing.len(), 1);
        assert_eq!(c.failing[0].value, Some(2.0));
        assert!(c.failing[0].zh.starts_with("建成区"));
        assert_eq!(r.verdict, Verdict::Fail);
    }

    #[test]
    fn no_data_without_a_sewer_layer_or_its_type_field() {
        let r = Town::new(None).run(evaluate);
        assert_eq!(r.verdict, Verdict::NoData);
        assert_eq!(r.checks[0].missing_en, vec!["no sewer layer".to_string()]);
        let r = Town::new(None)
            .lines(Role::Sewers, "", &[(SEWAGE, "")])
            .run(evaluate);
        assert_eq!(r.verdict, Verdict::NoData);
        assert!(r.checks[0].missing_en[0].contains("no type field"));
    }
}
