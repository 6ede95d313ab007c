//! The built-up area's buildings and facilities, block by block (the planted gaps G3, G4, G6
//! included).

use geo_types::Coord;

use crate::demo::data::*;
use crate::demo::geom::*;
use crate::io::synth::SplitMix64;

use super::places::{
    BlockUse, Fac, Footprints, OtherPoi, RoadIndex, TOWN_WALK_RULES_M, block_use, exempt_rule,
    other_poi, poi,
};
use super::plan::*;

pub(super) fn make_town_buildings(t: &mut Town, g: &Grid, rng: &mut SplitMix64) -> Footprints {
    let roads = RoadIndex::new(&t.roads);
    let mut fp = Footprints::default();
    let n = GRID_N;
    let i = |a: usize, b: usize| g.i(a, b);
    let off = |p: Coord, dx: f64, dy: f64| add(p, c(dx, dy));
    let lao_y = -85.0;
    let b = |name: &str,
             cat: &'static str,
             street: &str,
             no: u32,
             p: Coord,
             w: f64,
             h: f64,
             floors: i64,
             use_: Use| Fac {
        name: name.to_string(),
        cat,
        addr: format!("清溪镇{street}{no}号"),
        p,
        size: Some((w, h, floors, use_)),
    };
    let pt = |name: &str, cat: &'static str, addr: &str, p: Coord| Fac {
        name: name.to_string(),
        cat,
        addr: format!("清溪镇{addr}"),
        p,
        size: None,
    };
    let mut facs = vec![
        // South-west and west: park, central primary school, civic buildings, a market.
        pt(
            "清溪公园",
            "park",
            "西环路南端",
            lerp(i(0, 0), i(1, 2), 0.5),
        ),
        b(
            "清溪镇中心小学",
            "primary_school",
            "和平路",
            18,
            off(i(1, 1), 65.0, -23.0),
            40.0,
            16.0,
            4,
            Use::Public,
        ),
        b(
            "西街菜市场",
            "fresh_market",
            "西环路",
            31,
            off(i(0, 2), 40.0, 30.0),
            30.0,
            22.0,
            1,
            Use::Commercial,
        ),
        b(
            "清溪镇敬老院",
            "nursing_home",
            "西环路",
            9,
            off(i(0, 3), 57.0, 70.0),
            36.0,
            14.0,
            3,
            Use::Public,
        ),
        b(
            "清溪镇综合文化站",
            "culture_station",
            "解放路",
            2,
            off(i(1, 2), 45.0, 35.0),
            30.0,
            16.0,
            3,
            Use::Public,
        ),
        b(
            "清溪镇图书馆",
            "library",
            "解放路",
            4,
            off(i(1, 2), 70.0, 80.0),
            24.0,
            14.0,
            2,
            Use::Public,
        ),
        b(
            "清溪派出所",
            "police_station",
            "中山路",
            3,
            off(i(1, 3), 40.0, 30.0),
            24.0,
            14.0,
            3,
            Use::Public,
        ),
        b(
            "清溪镇便民服务中心",
            "town_service_center",
            "中山路",
            5,
            off(i(1, 3), 70.0, 80.0),
            30.0,
            18.0,
            3,
            Use::Public,
        ),
        b(
            "清溪镇人民政府",
            "town_government",
            "解放路",
            8,
            off(i(2, 2), 22.0, 72.0),
            28.0,
            16.0,
            4,
            Use::Public,
        ),
        // Centre: the health centre, the town's home-care centre, the middle school.
        b(
            "清溪镇卫生院",
            "health_center",
            "人民路",
            56,
            off(i(2, 3), 57.0, 40.0),
            44.0,
            18.0,
            4,
            Use::Public,
        ),
        b(
            "清溪镇居家养老服务中心",
            "elderly_service_center",
            "人民路",
            60,
            off(i(2, 3), 57.0, 85.0),
            30.0,
            14.0,
            2,
            Use::Public,
        ),
        b(
            "清溪镇初级中学",
            "middle_school",
            "中山路",
            41,
            off(i(3, 2), 75.0, 90.0),
            50.0,
            16.0,
            4,
            Use::Public,
        ),
        // North-west: the north campus of the primary school and a market.
        b(
            "清溪镇中心小学北校区",
            "primary_school",
            "文化路",
            50,
            off(i(2, 5), -40.0, -25.0),
            40.0,
            16.0,
            4,
            Use::Public,
        ),
        b(
            "北街菜场",
            "fresh_market",
            "振兴路",
            8,
            off(i(2, 5), 20.0, 20.0),
            20.0,
            16.0,
            1,
            Use::Commercial,
        ),
        // North-east: commerce, sport, a garden, the east campus of the primary school.
        b(
            "清溪商贸中心",
            "commercial_complex",
            "青年路",
            50,
            off(i(4, 4), 27.0, 80.0),
            30.0,
            24.0,
            3,
            Use::Commercial,
        ),
        b(
            "清溪惠民超市",
            "supermarket",
            "振兴路",
            30,
            off(i(5, 5), 30.0, 70.0),
            24.0,
            16.0,
            2,
            Use::Commercial,
        ),
        b(
            "清溪镇全民健身中心",
            "sports_venue",
            "东环路",
            12,
            off(i(5, 4), 57.0, 57.0),
            40.0,
            24.0,
            2,
            Use::Public,
        ),
        b(
            "清溪镇中心小学东校区",
            "primary_school",
            "东环路",
            26,
            off(i(6, 5), -25.0, 35.0),
            16.0,
            40.0,
            4,
            Use::Public,
        ),
        pt("北苑游园", "park", "北环路", off(i(5, 5), 20.0, 100.0)),
        // The east market (none near the north-east compound: G4).
        b(
            "和平路菜场",
            "fresh_market",
            "建设路",
            22,
            off(i(5, 2), 20.0, 18.0),
            20.0,
            16.0,
            1,
            Use::Commercial,
        ),
        // Old quarter: the town market and services.
        b(
            "清溪农贸市场",
            "fresh_market",
            "老街",
            40,
            c(g.xs[3] + 40.0, lao_y + 10.0),
            44.0,
            30.0,
            1,
            Use::Commercial,
        ),
        b(
            "清溪镇中心幼儿园老街分园",
            "kindergarten",
            "老街",
            15,
            c(g.xs[2] - 22.0, lao_y + 18.0),
            18.0,
            14.0,
            2,
            Use::Public,
        ),
        b(
            "老街社区卫生服务站",
            "community_health_station",
            "老街",
            22,
            c(g.xs[2] + 22.0, lao_y - 18.0),
            16.0,
            12.0,
            2,
            Use::Public,
        ),
        b(
            "老街社区居家养老服务照料中心",
            "elderly_day_care",
            "老街",
            26,
            c(g.xs[2] + 22.0, lao_y + 18.0),
            18.0,
            12.0,
            2,
            Use::Public,
        ),
        pt(
            "老街便利店",
            "convenience_store",
            "老街28号",
            c(g.xs[2] - 12.0, lao_y - 6.0),
        ),
        pt(
            "老街健身点",
            "fitness_spot",
            "老街",
            c(g.xs[2] - 8.0, lao_y - 35.0),
        ),
        pt("老街游园", "park", "沿溪路", c(g.xs[2] + 40.0, -160.0)),
        pt(
            "老街公共厕所",
            "public_toilet",
            "老街",
            c(g.xs[3] - 10.0, lao_y + 8.0),
        ),
        // Municipal services in the industrial park.
        b(
            "清溪镇垃圾中转站",
            "waste_transfer_station",
            "工业四路",
            3,
            c(g.xs[6] + 20.0 + 125.0 * 3.5, -100.0),
            30.0,
            20.0,
            1,
            Use::Industrial,
        ),
        b(
            "清溪再生资源回收站",
            "recycling_point",
            "工业三路",
            5,
            c(g.xs[6] + 20.0 + 125.0 * 2.5, -100.0),
            20.0,
            16.0,
            1,
            Use::Industrial,
        ),
        b(
            "清溪镇污水处理厂",
            "wwtp",
            "沿溪路",
            99,
            c(WWTP_X, -100.0),
            60.0,
            40.0,
            1,
            Use::Industrial,
        ),
        b(
            "清溪大药房",
            "pharmacy",
            "人民路",
            31,
            off(i(3, 3), 20.0, 60.0),
            12.0,
            10.0,
            2,
            Use::Commercial,
        ),
        pt(
            "清溪公园公共厕所",
            "public_toilet",
            "清溪公园内",
            off(i(0, 1), 30.0, 15.0),
        ),
        // Bus stops.
        pt("清溪汽车站", "bus_stop", "南街2号", off(i(1, 0), 25.0, 8.0)),
        pt(
            "清溪镇政府(公交站)",
            "bus_stop",
            "解放路",
            off(i(1, 2), 60.0, 8.0),
        ),
        pt(
            "北环路(公交站)",
            "bus_stop",
            "北环路",
            off(i(2, 6), 40.0, -8.0),
        ),
        pt(
            "人民路(公交站)",
            "bus_stop",
            "人民路",
            off(i(3, 4), 8.0, 50.0),
        ),
        pt(
            "东环路(公交站)",
            "bus_stop",
            "东环路",
            off(i(6, 2), 8.0, 50.0),
        ),
        pt(
            "老街(公交站)",
            "bus_stop",
            "沿溪路",
            c(g.xs[2] + 30.0, -170.0 + 8.0),
        ),
        pt(
            "工业区(公交站)",
            "bus_stop",
            "中山路",
            c(g.xs[6] + 180.0, g.ys[3] - 8.0),
        ),
        pt(
            "东苑小区(公交站)",
            "bus_stop",
            "东苑路",
            c(G4_LANE_X - 50.0, g.ys[6] + 8.0),
        ),
        pt(
            "溪西新村(公交站)",
            "bus_stop",
            "溪西路",
            c(G3_LANE_X + 40.0, g.ys[0] - 8.0),
        ),
    ];
    // Neighbourhood centres: kindergarten, day care, health station, shop, fitness spot and a
    // pocket park at the crossing in the middle of each residential cluster.
    let hoods: [(&str, &str, Coord, &str); 4] = [
        ("文昌", "清溪镇中心幼儿园文昌分园", i(1, 5), "文化路"),
        ("溪北", "清溪镇小太阳幼儿园", i(3, 5), "人民路"),
        ("南街", "清溪镇中心幼儿园", i(3, 1), "和平路"),
        ("新华", "清溪镇阳光幼儿园", i(5, 3), "中山路"),
    ];
    for (k, (hood, kg, p, street)) in hoods.iter().enumerate() {
        let no = 10 + 2 * k as u32;
        facs.push(b(
            kg,
            "kindergarten",
            street,
            no,
            off(*p, 18.0, 18.0),
            20.0,
            16.0,
            2,
            Use::Public,
        ));
        facs.push(b(
            &format!("{hood}社区居家养老服务照料中心"),
            "elderly_day_care",
            street,
            no + 1,
            off(*p, -18.0, 18.0),
            18.0,
            12.0,
            2,
            Use::Public,
        ));
        facs.push(b(
            &format!("{hood}社区卫生服务站"),
            "community_health_station",
            street,
            no + 20,
            off(*p, 18.0, -18.0),
            16.0,
            12.0,
            2,
            Use::Public,
        ));
        facs.push(pt(
            &format!("{hood}便利店"),
            "convenience_store",
            &format!("{street}{}号", no + 21),
            off(*p, -14.0, -14.0),
        ));
        facs.push(pt(
            &format!("{hood}社区健身点"),
            "fitness_spot",
            street,
            off(*p, -30.0, 8.0),
        ));
        facs.push(pt(
            &format!("{hood}口袋公园"),
            "park",
            street,
            off(*p, -30.0, -30.0),
        ));
    }
    // The compounds: services except, in each, the one that is planted missing.
    let g3c = c(G3_LANE_X, g.ys[1]);
    facs.push(b(
        "溪西社区居家养老服务照料中心",
        "elderly_day_care",
        "溪西一弄",
        2,
        off(g3c, 22.0, 18.0),
        16.0,
        12.0,
        2,
        Use::Public,
    ));
    facs.push(b(
        "溪西社区卫生服务站",
        "community_health_station",
        "溪西一弄",
        4,
        off(g3c, -22.0, 18.0),
        16.0,
        12.0,
        1,
        Use::Public,
    ));
    facs.push(pt(
        "溪西便利店",
        "convenience_store",
        "溪西一弄5号",
        off(g3c, 10.0, -14.0),
    ));
    facs.push(pt(
        "溪西健身点",
        "fitness_spot",
        "溪西一弄",
        off(g3c, -9.0, -20.0),
    ));
    let g4c = c(G4_LANE_X, g.ys[5]);
    facs.push(b(
        "清溪镇东苑幼儿园",
        "kindergarten",
        "东苑一弄",
        1,
        c(G4_LANE_X + 18.0, (g.ys[5] + g.ys[6]) / 2.0),
        16.0,
        12.0,
        2,
        Use::Public,
    ));
    facs.push(b(
        "东苑社区居家养老服务照料中心",
        "elderly_day_care",
        "东苑一弄",
        3,
        c(G4_LANE_X - 18.0, (g.ys[5] + g.ys[6]) / 2.0),
        16.0,
        12.0,
        2,
        Use::Public,
    ));
    facs.push(b(
        "东苑社区卫生服务站",
        "community_health_station",
        "振兴路",
        65,
        off(g4c, -22.0, -25.0),
        16.0,
        12.0,
        1,
        Use::Public,
    ));
    facs.push(pt(
        "东苑便利店",
        "convenience_store",
        "东苑路8号",
        c(G4_LANE_X + 20.0, g.ys[6] - 10.0),
    ));
    facs.push(pt(
        "东苑健身点",
        "fitness_spot",
        "振兴路",
        off(g4c, 20.0, -20.0),
    ));
    facs.push(pt("东苑公园", "park", "振兴路东段", off(g4c, 60.0, -30.0)));

    for fc in facs {
        if let Some((w, h, floors, use_)) = fc.size {
            let ring = rect_ring(fc.p, w, h, 0.0);
            fp.add(&ring);
            t.buildings.push(Building {
                ring,
                use_,
                floors,
                residents: 0,
                front: fc.p,
                area: None,
                village: None,
            });
        }
        t.pois.push(poi(fc.name, fc.cat, fc.addr, fc.p));
    }
    // Other POIs of an Amap export. Catering and retail are categories of newer taxonomies
    // (assets/categories.toml: `catering`, `retail`); banks, petrol stations and scenic spots
    // are in none.
    let other: [OtherPoi; 4] = [
        (
            "清溪农商银行",
            None,
            "金融保险服务;银行;农村商业银行",
            "160138",
            "人民路18号",
            off(i(3, 2), -10.0, 30.0),
        ),
        (
            "老街面馆",
            Some("catering"),
            "餐饮服务;中餐厅;中餐厅",
            "050100",
            "老街9号",
            c(g.xs[3] - 30.0, lao_y - 8.0),
        ),
        (
            "老街南货商店",
            Some("retail"),
            "购物服务;购物相关场所;购物相关场所",
            "060000",
            "老街12号",
            c(g.xs[2] + 30.0, lao_y - 8.0),
        ),
        (
            "清溪加油站",
            None,
            "汽车服务;加油站;中国石化",
            "010101",
            "溪富线",
            lerp(i(5, 5), i(6, 6), 0.5),
        ),
    ];
    for (name, category, ty, code, a, p) in other {
        let mut o = other_poi(name, ty, code, format!("清溪镇{a}"), add(p, c(6.0, -6.0)));
        o.category = category;
        t.pois.push(o);
    }

    // --- Candidate homes: slabs in the blocks, houses in the old quarter, the compounds ---
    let mut cands: Vec<Building> = Vec::new();
    for a in 0..n {
        for bb in 0..n {
            let (x0, x1, y0, y1) = (g.xs[a], g.xs[a + 1], g.ys[bb], g.ys[bb + 1]);
            for part in 0..if a == bb { 2 } else { 1 } {
                let upper = part == 1;
                let use_ = block_use(a, bb, upper);
                if use_ == BlockUse::Commerce {
                    for (cx, cy) in [(0.3, 0.3), (0.7, 0.7)] {
                        let p = c(x0 + (x1 - x0) * cx, y0 + (y1 - y0) * cy);
                        let ring = rect_ring(p, rng.range(28.0, 36.0), rng.range(18.0, 24.0), 0.0);
                        if fp.free(&ring) {
                            fp.add(&ring);
                            t.buildings.push(Building {
                                ring,
                                use_: Use::Commercial,
                                floors: 2 + (rng.next_u64() % 2) as i64,
                                residents: 0,
                                front: p,
                                area: None,
                                village: None,
                            });
                        }
                    }
                }
                if use_ != BlockUse::Flats {
                    continue;
                }
                for (cx, cy) in [
                    (0.27, 0.2),
                    (0.73, 0.2),
                    (0.27, 0.5),
                    (0.73, 0.5),
                    (0.27, 0.8),
                    (0.73, 0.8),
                ] {
                    let p = c(
                        x0 + (x1 - x0) * cx + jit(rng, 1.5),
                        y0 + (y1 - y0) * cy + jit(rng, 1.5),
                    );
                    let ring = rect_ring(p, rng.range(30.0, 34.0), 11.0, 0.0);
                    if a == bb {
                        let side = |q: &Coord| (q.y - y0) / (y1 - y0) - (q.x - x0) / (x1 - x0);
                        if ring
                            .iter()
                            .any(|q| (side(q) > 0.0) != upper || side(q).abs() < 0.12)
                        {
                            continue;
                        }
                    }
                    let floors = 4 + (rng.next_u64() % 3) as i64;
                    cands.push(Building {
                        front: add(p, c(0.0, -9.0)),
                        ring,
                        use_: Use::Residential,
                        floors,
                        residents: floors * 8 + (rng.next_u64() % 8) as i64,
                        area: None,
                        village: None,
                    });
                }
            }
        }
    }
    t.areas.push((
        OLD_QUARTER,
        c(g.xs[1] - 10.0, -175.0),
        c(g.xs[3] + 10.0, 0.0),
    ));
    for a in 1..3 {
        for (y0, y1) in [(lao_y, 0.0), (-170.0, lao_y)] {
            let (x0, x1) = (g.xs[a], g.xs[a + 1]);
            let mut x = x0 + 15.0;
            while x < x1 - 12.0 {
                for (yy, front_y) in [(y0 + 13.0, y0 + 4.0), (y1 - 13.0, y1 - 4.0)] {
                    let p = c(x + jit(rng, 1.0), yy);
                    let ring = rect_ring(p, rng.range(8.5, 10.0), rng.range(9.0, 11.0), 0.0);
                    cands.push(Building {
                        ring,
                        use_: Use::Residential,
                        floors: 2 + (rng.next_u64() % 2) as i64,
                        residents: 3 + (rng.next_u64() % 4) as i64,
                        front: c(p.x, front_y),
                        area: Some(OLD_QUARTER),
                        village: None,
                    });
                }
                x += 11.5;
            }
        }
    }
    let slab = |p: Coord, area: &'static str, rng: &mut SplitMix64| {
        let floors = 5 + (rng.next_u64() % 2) as i64;
        Building {
            ring: rect_ring(p, 30.0, 11.0, 0.0),
            use_: Use::Residential,
            floors,
            residents: floors * 8 + (rng.next_u64() % 6) as i64,
            front: add(p, c(0.0, -9.0)),
            area: Some(area),
            village: None,
        }
    };
    for y in [
        g.ys[0] + 38.0,
        g.ys[1] - 38.0,
        g.ys[1] + 38.0,
        g.ys[2] - 38.0,
    ] {
        for x in [G3_LANE_X - 35.0, G3_LANE_X + 35.0] {
            cands.push(slab(c(x + jit(rng, 1.5), y + jit(rng, 1.5)), G3_AREA, rng));
        }
    }
    for y in [g.ys[6] - 35.0, g.ys[5] + 38.0] {
        for x in [G4_LANE_X - 35.0, G4_LANE_X + 35.0] {
            cands.push(slab(c(x + jit(rng, 1.5), y + jit(rng, 1.5)), G4_AREA, rng));
        }
    }

    // --- Keep the homes the services reach (the compounds are kept whatever, the tests check) ---
    let net = crate::demo::net::Net::new(&t.roads, crate::demo::net::Mode::Walk);
    let fields: Vec<(Vec<f64>, f64, &[&str])> = TOWN_WALK_RULES_M
        .iter()
        .map(|(cats, max_m)| {
            let pts: Vec<Coord> = t
                .pois
                .iter()
                .filter(|p| p.category.is_some_and(|c| cats.contains(&c)))
                .map(|p| p.p)
                .collect();
            (net.dijkstra(&net.sources(&pts)), *max_m, *cats)
        })
        .collect();
    for bld in cands {
        let ctr = bld.centre();
        if roads.dist(ctr) < 12.0 || !fp.free(&bld.ring) {
            continue;
        }
        let compound = matches!(bld.area, Some(G3_AREA) | Some(G4_AREA));
        let served = fields.iter().all(|(d, max_m, cats)| {
            exempt_rule(bld.area).is_some_and(|r| cats.contains(&r))
                || net.cost_to(d, ctr) <= *max_m
        });
        if served || compound {
            fp.add(&bld.ring);
            t.buildings.push(bld);
        } else if bld.area.is_none() && rng.next_u64().is_multiple_of(2) {
            // Where homes would be too far from the services: shops and offices instead.
            fp.add(&bld.ring);
            t.buildings.push(Building {
                use_: Use::Commercial,
                floors: 2 + (rng.next_u64() % 2) as i64,
                residents: 0,
                ..bld
            });
        }
    }

    // --- Industry: sheds in the industrial park ---
    for k in 0..IND_STREETS {
        let xa = g.xs[6] + 20.0 + 125.0 * k as f64;
        for bb in 0..3 {
            for (fx, fy) in [(0.3, 0.3), (0.7, 0.3), (0.3, 0.72), (0.7, 0.72)] {
                let p = c(xa + 125.0 * fx, g.ys[bb] + (g.ys[bb + 1] - g.ys[bb]) * fy);
                let ring = rect_ring(p, rng.range(30.0, 40.0), rng.range(24.0, 30.0), 0.0);
                if roads.dist(p) < 20.0 || !fp.free(&ring) {
                    continue;
                }
                fp.add(&ring);
                t.buildings.push(Building {
                    ring,
                    use_: Use::Industrial,
                    floors: 1 + (rng.next_u64() % 2) as i64,
                    residents: 0,
                    front: p,
                    area: None,
                    village: None,
                });
            }
        }
    }
    fp
}
