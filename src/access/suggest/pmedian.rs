//! p-median with fixed facilities: choose p candidate sites to minimise the demand-weighted
//! travel time to the nearest facility, where the existing facilities stay and every time is
//! capped (at the search budget: a point farther than that counts as the budget). Greedy
//! start, then the Teitz–Bart interchange (each candidate in turn swapped with the chosen site
//! whose removal costs least, when that lowers the total), with Whitaker's fast evaluation from
//! each point's nearest and second-nearest times.

/// Weights, each point's capped time to the fixed facilities, and each candidate's reach.
#[derive(Debug, Clone, PartialEq)]
pub struct MedianInstance {
    weights: Vec<f64>,
    /// Per demand point: min(time to the existing facilities, cap).
    fixed_s: Vec<f64>,
    offsets: Vec<usize>,
    demand: Vec<u32>,
    time_s: Vec<f64>,
}

impl MedianInstance {
    /// `fixed_s[i]`: point i's time to the fixed facilities (infinite when none reaches it),
    /// capped at `cap_s`; `reach[j]`: (point, time) of candidate j within the cap.
    pub fn new(
        weights: Vec<f64>,
        fixed_s: &[f64],
        cap_s: f64,
        reach: &[(Vec<u32>, Vec<f64>)],
    ) -> MedianInstance {
        let n = weights.len();
        let fixed_s: Vec<f64> = (0..n)
            .map(|i| fixed_s.get(i).copied().unwrap_or(f64::INFINITY).min(cap_s))
            .collect();
        let mut offsets = vec![0];
        let (mut demand, mut time_s) = (Vec::new(), Vec::new());
        for (d, t) in reach {
            for (i, t) in d.iter().zip(t) {
                if (*i as usize) < n && *t < fixed_s[*i as usize] {
                    demand.push(*i);
                    time_s.push(*t);
                }
            }
            offsets.push(demand.len());
        }
        MedianInstance {
            weights,
            fixed_s,
            offsets,
            demand,
            time_s,
        }
    }

    pub fn candidate_count(&self) -> usize {
        self.offsets.len() - 1
    }

    fn reach(&self, j: usize) -> (&[u32], &[f64]) {
        match (self.offsets.get(j), self.offsets.get(j + 1)) {
            (Some(a), Some(b)) => (&self.demand[*a..*b], &self.time_s[*a..*b]),
            _ => (&[], &[]),
        }
    }

    /// Σ wᵢ · (capped time to the nearest of the fixed facilities and `chosen`).
    pub fn cost(&self, chosen: &[u32]) -> f64 {
        let mut best = self.fixed_s.clone();
        for j in chosen {
            let (d, t) = self.reach(*j as usize);
            for (i, t) in d.iter().zip(t) {
                let b = &mut best[*i as usize];
                *b = b.min(*t);
            }
        }
        self.weights.iter().zip(&best).map(|(w, t)| w * t).sum()
    }

    /// The total weight.
    pub fn total_weight(&self) -> f64 {
        self.weights.iter().sum()
    }
}

/// A solution of [`solve`].
#[derive(Debug, Clone, PartialEq)]
pub struct MedianSolution {
    /// The chosen candidates, in greedy order (each lowers the total the most of those left).
    pub chosen: Vec<u32>,
    /// How much each lowers the weighted time (weight × seconds) after those before it.
    pub saved: Vec<f64>,
    /// Weighted time with the fixed facilities only, and with the chosen ones added.
    pub cost_before: f64,
    pub cost: f64,
    pub greedy_cost: f64,
    pub swaps: usize,
}

const FIXED: u32 = u32::MAX;

/// Each point's nearest (time, slot in `chosen` or FIXED) and second-nearest time.
fn nearest(inst: &MedianInstance, chosen: &[u32]) -> (Vec<f64>, Vec<u32>, Vec<f64>) {
    let n = inst.weights.len();
    let mut d1 = inst.fixed_s.clone();
    let mut who = vec![FIXED; n];
    let mut d2 = vec![f64::INFINITY; n];
    for (slot, j) in chosen.iter().enumerate() {
        let (d, t) = inst.reach(*j as usize);
        for (i, t) in d.iter().zip(t) {
            let i = *i as usize;
            if *t < d1[i] {
                d2[i] = d1[i];
                d1[i] = *t;
                who[i] = slot as u32;
            } else if *t < d2[i] {
                d2[i] = *t;
            }
        }
    }
    (d1, who, d2)
}

fn greedy(inst: &MedianInstance, p: usize) -> (Vec<u32>, Vec<f64>) {
    let m = inst.candidate_count();
    let mut best = inst.fixed_s.clone();
    let mut taken = vec![false; m];
    let (mut chosen, mut saved) = (Vec::new(), Vec::new());
    while chosen.len() < p.min(m) {
        let mut pick: Option<(f64, usize)> = None;
        for (j, done) in taken.iter().enumerate() {
            if *done {
                continue;
            }
            let (d, t) = inst.reach(j);
            let s: f64 = d
                .iter()
                .zip(t)
                .map(|(i, t)| inst.weights[*i as usize] * (best[*i as usize] - t).max(0.0))
                .sum();
            if pick.is_none_or(|(b, _)| s > b) {
                pick = Some((s, j));
            }
        }
        let Some((s, j)) = pick else { break };
        if s <= 0.0 {
            break;
        }
        taken[j] = true;
        let (d, t) = inst.reach(j);
        for (i, t) in d.iter().zip(t) {
            let b = &mut best[*i as usize];
            *b = b.min(*t);
        }
        chosen.push(j as u32);
        saved.push(s);
    }
    (chosen, saved)
}

/// Teitz–Bart: for each candidate not chosen, the best chosen site to give up for it; swap
/// when that lowers the total; until a full round finds no improving swap.
fn interchange(inst: &MedianInstance, chosen: &mut [u32]) -> usize {
    let m = inst.candidate_count();
    let p = chosen.len();
    if p == 0 {
        return 0;
    }
    let tol = 1e-9 * inst.cost(&[]).max(1.0);
    let mut in_sol = vec![false; m];
    for j in chosen.iter() {
        in_sol[*j as usize] = true;
    }
    let (mut d1, mut who, mut d2) = nearest(inst, chosen);
    let mut base = vec![0.0f64; p];
    let fill_base = |base: &mut Vec<f64>, d1: &[f64], who: &[u32], d2: &[f64]| {
        base.fill(0.0);
        for i in 0..d1.len() {
            if who[i] != FIXED {
                base[who[i] as usize] += inst.weights[i] * (d2[i] - d1[i]);
            }
        }
    };
    fill_base(&mut base, &d1, &who, &d2);
    let mut corr = vec![0.0f64; p];
    let mut swaps = 0;
    let mut since_swap = 0;
    let mut j_in = 0;
    // A round of m candidates without a swap ends it; each swap lowers the cost.
    while since_swap < m && swaps < 100_000 {
        let j = j_in;
        j_in = (j_in + 1) % m;
        since_swap += 1;
        if in_sol[j] {
            continue;
        }
        let (d, t) = inst.reach(j);
        // Gain from adding j with everything kept, and per slot the correction for the points
        // that slot serves.
        let mut g = 0.0;
        corr.fill(0.0);
        for (i, t) in d.iter().zip(t) {
            let i = *i as usize;
            let w = inst.weights[i];
            g += w * (t.min(d1[i]) - d1[i]);
            if who[i] != FIXED {
                let with_in = t.min(d2[i]) - d1[i];
                corr[who[i] as usize] += w * (with_in - (d2[i] - d1[i]) - (t.min(d1[i]) - d1[i]));
            }
        }
        let mut best: Option<(f64, usize)> = None;
        for slot in 0..p {
            let delta = base[slot] + g + corr[slot];
            if best.is_none_or(|(b, _)| delta < b) {
                best = Some((delta, slot));
            }
        }
        let Some((delta, slot)) = best else { continue };
        if delta < -tol {
            in_sol[chosen[slot] as usize] = false;
            in_sol[j] = true;
            chosen[slot] = j as u32;
            (d1, who, d2) = nearest(inst, chosen);
            fill_base(&mut base, &d1, &who, &d2);
            swaps += 1;
            since_swap = 0;
        }
    }
    swaps
}

/// Deterministic pseudo-random numbers (SplitMix64) for the restarts.
struct Rng(u64);

impl Rng {
    fn below(&mut self, n: usize) -> usize {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        ((z ^ (z >> 31)) % n.max(1) as u64) as usize
    }
}

/// Choose `p` candidates: greedy, then Teitz–Bart interchange; then the interchange again from
/// a few seeded random starts (an interchange optimum need not be the optimum), the best kept.
pub fn solve(inst: &MedianInstance, p: usize) -> MedianSolution {
    let cost_before = inst.cost(&[]);
    let (mut chosen, saved) = greedy(inst, p);
    let greedy_cost = cost_before - saved.iter().sum::<f64>();
    let mut swaps = interchange(inst, &mut chosen);
    let mut best_cost = inst.cost(&chosen);
    // Restarts: fewer on large instances (each costs about one interchange).
    let useful: Vec<u32> = (0..inst.candidate_count() as u32)
        .filter(|j| !inst.reach(*j as usize).0.is_empty())
        .collect();
    let restarts = if inst.demand.len() < 2_000_000 { 8 } else { 2 };
    let mut rng = Rng(0x5EED);
    if chosen.len() < useful.len() {
        for _ in 0..restarts {
            let mut pool = useful.clone();
            let mut start = Vec::with_capacity(chosen.len());
            while start.len() < chosen.len() && !pool.is_empty() {
                let k = rng.below(pool.len());
                start.push(pool.swap_remove(k));
            }
            let more = interchange(inst, &mut start);
            let c = inst.cost(&start);
            if c < best_cost - 1e-9 * best_cost.abs().max(1.0) {
                best_cost = c;
                chosen = start;
                swaps += more;
            }
        }
    }
    // Greedy order of the final set, dropping sites that lower nothing.
    let mut best = inst.fixed_s.clone();
    let mut left = chosen;
    let (mut order, mut saved) = (Vec::new(), Vec::new());
    while !left.is_empty() {
        let gains: Vec<f64> = left
            .iter()
            .map(|j| {
                let (d, t) = inst.reach(*j as usize);
                d.iter()
                    .zip(t)
                    .map(|(i, t)| inst.weights[*i as usize] * (best[*i as usize] - t).max(0.0))
                    .sum()
            })
            .collect();
        let mut k = 0;
        for (i, g) in gains.iter().enumerate() {
            if *g > gains[k] || (*g == gains[k] && left[i] < left[k]) {
                k = i;
            }
        }
        if gains[k] <= 0.0 {
            break;
        }
        let j = left.swap_remove(k);
        let (d, t) = inst.reach(j as usize);
        for (i, t) in d.iter().zip(t) {
            let b = &mut best[*i as usize];
            *b = b.min(*t);
        }
        order.push(j);
        saved.push(gains[k]);
    }
    let cost = inst.cost(&order);
    MedianSolution {
        chosen: order,
        saved,
        cost_before,
        cost,
        greedy_cost,
        swaps,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A path of 7 points 60 s apart (weights 1..7), candidates at every point reaching the
    /// others within 240 s; no fixed facility; cap 300 s.
    fn path() -> MedianInstance {
        let n = 7;
        let weights: Vec<f64> = (1..=n).map(|w| w as f64).collect();
        let reach: Vec<(Vec<u32>, Vec<f64>)> = (0..n)
            .map(|j| {
                (0..n)
                    .filter(|i| (*i as i64 - j as i64).abs() * 60 <= 240)
                    .map(|i| (i as u32, (i as i64 - j as i64).abs() as f64 * 60.0))
                    .unzip()
            })
            .collect();
        MedianInstance::new(weights, &vec![f64::INFINITY; n], 300.0, &reach)
    }

    fn brute(inst: &MedianInstance, p: usize) -> f64 {
        let m = inst.candidate_count();
        let mut best = f64::INFINITY;
        for mask in 0u32..(1 << m) {
            if mask.count_ones() as usize == p {
                let c: Vec<u32> = (0..m as u32).filter(|j| mask & (1 << j) != 0).collect();
                best = best.min(inst.cost(&c));
            }
        }
        best
    }

    #[test]
    fn tiny_graph_matches_brute_force() {
        let inst = path();
        for p in 1..=3 {
            let s = solve(&inst, p);
            let opt = brute(&inst, p);
            assert!((s.cost - opt).abs() < 1e-6, "p {p}: {} vs {opt}", s.cost);
            assert!((s.cost_before - s.saved.iter().sum::<f64>() - s.cost).abs() < 1e-6);
        }
        // One site: the weighted median of weights 1..7 is point 4 (index 4, weight 5)?
        // Σ w·|i−j|·60 is least at j = 4 (cumulative weight crosses half at index 4).
        assert_eq!(solve(&inst, 1).chosen, vec![4]);
        // Every point alone costs its cap: 28 × 300.
        assert_eq!(inst.cost(&[]), 28.0 * 300.0);
    }

    #[test]
    fn fixed_facilities_stay_and_a_candidate_there_adds_nothing() {
        let n = 7;
        let mut fixed = vec![f64::INFINITY; n];
        // An existing facility at point 6 serves points 5, 6 within 60 s.
        fixed[6] = 0.0;
        fixed[5] = 60.0;
        let base = path();
        let reach: Vec<(Vec<u32>, Vec<f64>)> = (0..base.candidate_count())
            .map(|j| {
                let (d, t) = base.reach(j);
                (d.to_vec(), t.to_vec())
            })
            .collect();
        let inst = MedianInstance::new(base.weights.clone(), &fixed, 300.0, &reach);
        let s = solve(&inst, 1);
        assert!((s.cost - brute(&inst, 1)).abs() < 1e-6);
        // The best new site moves west of the median without the fixed one.
        assert!(s.chosen[0] < 4, "{:?}", s.chosen);
        // A candidate where the facility stands improves nothing for points 5 and 6.
        let s = solve(&inst, 3);
        assert!((s.cost - brute(&inst, 3)).abs() < 1e-6);
    }

    #[test]
    fn random_instances_match_brute_force() {
        let mut z = 12345u64;
        let mut next = || {
            z = z
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            (z >> 33) as f64 / (1u64 << 31) as f64
        };
        for _ in 0..30 {
            let n = 12;
            let pos: Vec<[f64; 2]> = (0..n).map(|_| [next() * 1000.0, next() * 1000.0]).collect();
            let weights: Vec<f64> = (0..n).map(|_| 1.0 + (next() * 9.0).floor()).collect();
            let cap = 500.0;
            let reach: Vec<(Vec<u32>, Vec<f64>)> = (0..8)
                .map(|j| {
                    (0..n)
                        .filter_map(|i| {
                            let d = ((pos[i][0] - pos[j][0]).powi(2)
                                + (pos[i][1] - pos[j][1]).powi(2))
                            .sqrt();
                            (d <= cap).then_some((i as u32, d))
                        })
                        .unzip()
                })
                .collect();
            let fixed: Vec<f64> = (0..n).map(|i| if i == 11 { 0.0 } else { 800.0 }).collect();
            let inst = MedianInstance::new(weights, &fixed, cap, &reach);
            for p in 1..=3 {
                let s = solve(&inst, p);
                let opt = brute(&inst, p);
                assert!(s.cost >= opt - 1e-6);
                assert!(s.cost <= opt * 1.02 + 1e-6, "p {p}: {} vs {opt}", s.cost);
            }
        }
    }
}
