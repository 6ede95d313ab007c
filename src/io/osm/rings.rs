//! Joining way members into closed rings and assembling multipolygons.

use super::pbf::{Raw, RelRec, WayRec};
use super::*;

/// Join node-id sequences end to end (reversing as needed) into closed rings.
pub(super) fn join_rings(mut parts: Vec<Vec<i64>>) -> std::result::Result<Vec<Vec<i64>>, String> {
    let mut rings = Vec::new();
    parts.retain(|p| p.len() >= 2);
    // Closed ways are rings already.
    let (closed, mut open): (Vec<_>, Vec<_>) =
        parts.into_iter().partition(|p| p.first() == p.last());
    rings.extend(closed);
    while let Some(mut ring) = open.pop() {
        while let (Some(&first), Some(&last)) = (ring.first(), ring.last()) {
            if first == last {
                break;
            }
            let next = open
                .iter()
                .position(|p| p.first() == Some(&last) || p.last() == Some(&last));
            let Some(i) = next else {
                return Err(format!(
                    "its outline is not closed (it stops at node {last})"
                ));
            };
            let mut part = open.swap_remove(i);
            if part.first() != Some(&last) {
                part.reverse();
            }
            ring.extend_from_slice(&part[1..]);
        }
        rings.push(ring);
    }
    Ok(rings)
}

/// Assemble a multipolygon relation from its member ways: rings joined from outer and inner ways
/// separately, then nested by containment (a ring inside an odd number of rings is a hole).
pub(super) fn assemble(
    raw: &Raw,
    r: &RelRec,
    ways: &HashMap<i64, &WayRec>,
) -> std::result::Result<MultiPolygon<f64>, String> {
    if r.ways.is_empty() {
        return Err("the relation has no member ways".into());
    }
    let absent = r
        .ways
        .iter()
        .filter(|(id, _)| !ways.contains_key(id))
        .count();
    if absent > 0 {
        return Err(format!(
            "{absent} of its {} member ways are not in the extract (it crosses the extract's edge)",
            r.ways.len()
        ));
    }
    let group = |inner: bool| -> Vec<Vec<i64>> {
        r.ways
            .iter()
            .filter(|(_, i)| *i == inner)
            .filter_map(|(id, _)| ways.get(id))
            .map(|w| w.refs.clone())
            .collect()
    };
    let mut rings = join_rings(group(false))?;
    rings.extend(join_rings(group(true))?);
    let mut polys: Vec<(f64, Polygon<f64>)> = Vec::new();
    for ring in &rings {
        let coords: Vec<Coord<f64>> = ring.iter().filter_map(|n| raw.coord(*n)).collect();
        if coords.len() < ring.len() {
            return Err(missing_nodes_message(raw, ring, coords.len()));
        }
        if coords.len() < 4 {
            continue;
        }
        let p = Polygon::new(LineString::new(coords), Vec::new());
        polys.push((p.unsigned_area(), p));
    }
    if polys.is_empty() {
        return Err("no ring with at least 3 distinct nodes".into());
    }
    polys.sort_by(|a, b| b.0.total_cmp(&a.0));
    // For each ring, the smallest larger ring containing it, and its depth.
    let mut parent: Vec<Option<usize>> = vec![None; polys.len()];
    let mut depth = vec![0usize; polys.len()];
    for i in 0..polys.len() {
        let Some(probe) = polys[i].1.interior_point() else {
            continue;
        };
        for j in (0..i).rev() {
            if polys[j].1.intersects(&probe) {
                parent[i] = Some(j);
                depth[i] = depth[j] + 1;
                break;
            }
        }
    }
    let mut out: Vec<Option<Polygon<f64>>> = Vec::with_capacity(polys.len());
    let mut holes: Vec<(usize, LineString<f64>)> = Vec::new();
    for (i, (_, p)) in polys.into_iter().enumerate() {
        match parent[i] {
            Some(j) if depth[i] % 2 == 1 => {
                holes.push((j, p.into_inner().0));
                out.push(None);
            }
            _ => out.push(Some(p)),
        }
    }
    for (j, hole) in holes {
        if let Some(Some(p)) = out.get_mut(j) {
            p.interiors_push(hole);
        }
    }
    Ok(MultiPolygon::new(out.into_iter().flatten().collect()))
}

pub(super) fn missing_nodes_message(raw: &Raw, refs: &[i64], found: usize) -> String {
    let invalid = refs.iter().filter(|r| raw.is_invalid(**r)).count();
    if invalid > 0 {
        format!(
            "{invalid} of its {} nodes have coordinates outside lon -180..180 / lat -90..90",
            refs.len()
        )
    } else {
        format!(
            "{} of its {} nodes are not in the extract (it crosses the extract's edge)",
            refs.len() - found,
            refs.len()
        )
    }
}
