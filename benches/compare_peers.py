#!/usr/bin/env python3
"""towncircle vs networkx, pandana and cityseer on the SAME graph: times checked, build, query and all categories x tiers timed.

    cargo build --release --example export_graph   # (examples need the default features' dev-dependencies)
    target/release/examples/export_graph /tmp/g-helsinki sample-maps/helsinki-centre/helsinki-centre.osm.pbf
    target/release/examples/export_graph /tmp/g-grid            # the generated 100,000-node grid town
    python benches/compare_peers.py /tmp/g-grid --peer networkx --peer cityseer
    timeout 1800 python benches/compare_peers.py /tmp/g-grid --peer pandana   # the CH build takes 5-15+ minutes

The export (format in examples/export_graph.rs) holds the mode's directed travel seconds per edge,
the seeds of one facility category (node + seconds to the facility, which sits on an edge) and
towncircle's own node times (`expected_time_s`, bounded by `budget_s`), plus towncircle's build and
query timings in meta.json (medians of 5). Peers' builds are timed once, their queries best of 3.
Each peer answers the same question — seconds from every node to the nearest facility, up to the
budget — the way it is meant to be used:

- networkx: an undirected Graph (two-way modes only) and a virtual sink joined to every seed;
  `single_source_dijkstra_path_length(sink, cutoff=budget)` (a multi-source Dijkstra).
- pandana: `Network(...)` (contraction hierarchy build), then `set_pois` + `nearest_pois`; each seed
  is a virtual POI node joined to its network node by an edge of the seed's seconds.
- cityseer: a rust `NetworkStructure` with one virtual source node joined to the seeds (edges out
  of the source only); `dijkstra_tree_shortest(source, budget, speed)` (cityseer measures edges by their geometry, so
  every edge is written as a straight line whose length is its travel seconds × speed).

All categories x tiers (`all_s`, best of 3): for EVERY category with facilities
(category_sources.csv), one multi-source search the same way (networkx: a virtual sink added and
removed per category; pandana: one `set_pois` + `nearest_pois` per category, every category's
virtual POI nodes being in the network built once; cityseer: one virtual source node per category,
joined to its seeds by outgoing edges only, one `dijkstra_tree_shortest` each), then each demand
point's time — `access_s + min(to_from_s + t(from), to_to_s + t(to))`, and towncircle's same-edge
rule from facilities.csv (a facility on the point's own edge: along the edge, or straight across)
— with numpy, and per tier (meta `tiers_min`, one mode for all tiers) the weight of the points
with time <= tier. Each covered weight must be within 0.1 % of towncircle's own (coverage.csv,
from `Analysis::run`, timed in meta.json as `towncircle_all_s`).

pandana and cityseer have no one-way streets in this use, so only exports of two-way modes (walk,
bike, ebike) compare; the script refuses others. Every node's time must agree with towncircle's
within 0.5 s; the script prints one JSON line per peer:
{"peer", "nodes", "edges", "build_s", "query_s", "max_abs_diff_s", "mismatches", "checked",
 "all_s", "categories", "tiers_min", "covered_max_rel_diff", "covered_mismatches", "peak_rss_mb"}
(peak_rss_mb: the whole process's peak so far — run one peer per process for a peer's own figure).
"""
import argparse
import csv
import json
import math
import os
import resource
import time

import numpy as np

TOL_S = 0.5
COVER_REL_TOL = 1e-3


def num(s):
    return float(s) if s not in ("", None) else None


def load(d):
    meta = json.load(open(os.path.join(d, "meta.json")))
    with open(os.path.join(d, "nodes.csv")) as f:
        nodes = [(int(r["node"]), float(r["x"]), float(r["y"]), num(r["expected_time_s"])) for r in csv.DictReader(f)]
    edges = []
    with open(os.path.join(d, "edges.csv")) as f:
        for r in csv.DictReader(f):
            fw, bw = num(r["forward_s"]), num(r["backward_s"])
            if fw is None and bw is None:
                continue
            if fw is None or bw is None or abs(fw - bw) > 1e-9:
                raise SystemExit("the export has one-way arcs: export a two-way mode (walk, bike, ebike)")
            edges.append((int(r["from"]), int(r["to"]), fw))
    with open(os.path.join(d, "sources.csv")) as f:
        seeds = [(int(r["node"]), float(r["time_s"])) for r in csv.DictReader(f)]
    return meta, nodes, edges, seeds


class Town:
    """Every category's seeds, the demand points and towncircle's covered weights, as numpy arrays."""

    def __init__(self, d, meta, n_nodes):
        inf = math.inf
        self.n = n_nodes
        self.tiers = [int(m) for m in meta.get("tiers_min", [5, 15, 30])]
        self.budget = float(meta["budget_s"])
        self.access_speed = float(meta["access_speed_m_per_s"])
        self.seeds = {}  # category -> [(node, time_s)]
        with open(os.path.join(d, "category_sources.csv")) as f:
            for r in csv.DictReader(f):
                self.seeds.setdefault(r["category"], []).append((int(r["node"]), float(r["time_s"])))
        self.cats = sorted(self.seeds)
        self.facilities = {}  # category -> [(edge, offset_m, access_s, x, y)]
        with open(os.path.join(d, "facilities.csv")) as f:
            for r in csv.DictReader(f):
                self.facilities.setdefault(r["category"], []).append(
                    (int(r["edge"]), float(r["offset_m"]), float(r["access_s"]), float(r["x"]), float(r["y"]))
                )
        cols = {k: [] for k in ("frm", "to", "to_from", "to_to", "access_s", "w", "edge", "off", "k", "access_m", "x", "y", "expected")}
        with open(os.path.join(d, "targets.csv")) as f:
            for r in csv.DictReader(f):
                cols["frm"].append(int(r["from"]))
                cols["to"].append(int(r["to"]))
                tf, tt, e = num(r["to_from_s"]), num(r["to_to_s"]), num(r["expected_time_s"])
                cols["to_from"].append(inf if tf is None else tf)
                cols["to_to"].append(inf if tt is None else tt)
                cols["expected"].append(inf if e is None else e)
                cols["access_s"].append(float(r["access_s"]))
                cols["w"].append(float(r["weight"]))
                cols["edge"].append(int(r["edge"]))
                cols["off"].append(float(r["offset_m"]))
                cols["k"].append(float(r["s_per_m"]))
                cols["access_m"].append(float(r["access_m"]))
                cols["x"].append(float(r["x"]))
                cols["y"].append(float(r["y"]))
        for k, v in cols.items():
            setattr(self, k, np.asarray(v, dtype=np.int64 if k in ("frm", "to", "edge") else np.float64))
        self.fwd = np.isfinite(self.to_to)  # the mode may go from the point towards `to`
        self.bwd = np.isfinite(self.to_from)
        # Demand points by edge (as towncircle's sources are sorted by edge), for the same-edge rule.
        order = np.argsort(self.edge, kind="stable")
        edges, starts = np.unique(self.edge[order], return_index=True)
        ends = list(starts[1:]) + [len(order)]
        self.by_edge = {int(e): order[a:b] for e, a, b in zip(edges, starts, ends)}
        self.covered_tc = {}  # (category, minutes) -> towncircle's covered weight
        with open(os.path.join(d, "coverage.csv")) as f:
            for r in csv.DictReader(f):
                self.covered_tc[(r["category"], int(r["minutes"]))] = float(r["covered_weight"])

    def demand_times(self, t, cat):
        """Each demand point's seconds to the nearest facility of `cat`, from node times `t` (inf = not reached)."""
        dt = self.access_s + np.minimum(self.to_from + t[self.frm], self.to_to + t[self.to])
        for e, off, acc, fx, fy in self.facilities.get(cat, ()):
            idx = self.by_edge.get(e)
            if idx is None:
                continue
            d = off - self.off[idx]
            ok = ((d >= 0) & self.fwd[idx]) | ((d <= 0) & self.bwd[idx])
            along = np.where(ok, np.abs(d) * self.k[idx] + acc, math.inf) + self.access_s[idx]
            direct_m = np.hypot(self.x[idx] - fx, self.y[idx] - fy)
            legs_m = self.access_m[idx] + acc * self.access_speed
            direct = np.where(direct_m <= legs_m + 1e-9, direct_m / self.access_speed, math.inf)
            dt[idx] = np.minimum(dt[idx], np.minimum(along, direct))
        dt[dt > self.budget] = math.inf
        return dt

    def covered(self, t, cat):
        """Covered weight per tier from node times `t`."""
        dt = self.demand_times(t, cat)
        return [float(self.w[dt <= 60.0 * m].sum()) for m in self.tiers]

    def all_categories(self, node_times):
        """node_times(category, seeds) -> numpy node times; returns {(category, minutes): covered}."""
        out = {}
        for c in self.cats:
            for m, v in zip(self.tiers, self.covered(node_times(c, self.seeds[c]), c)):
                out[(c, m)] = v
        return out

    def check(self, covered):
        """Largest relative difference from towncircle's covered weights, and how many exceed the tolerance."""
        worst, bad = 0.0, 0
        for key, mine in self.covered_tc.items():
            theirs = covered.get(key, 0.0)
            d = abs(theirs - mine) / mine if mine > 0 else (0.0 if theirs == 0 else math.inf)
            worst = max(worst, d)
            bad += d > COVER_REL_TOL
        return worst, bad


def peak_rss_mb():
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


def best_of(runs, f):
    """The shortest wall time of `runs` calls of f, and f's last result."""
    best, out = math.inf, None
    for _ in range(runs):
        t0 = time.perf_counter()
        out = f()
        best = min(best, time.perf_counter() - t0)
    return best, out


def compare(nodes, budget, theirs):
    """theirs: node -> seconds (None / >= budget: not reached)."""
    worst, bad, checked = 0.0, 0, 0
    for n, _, _, mine in nodes:
        t = theirs(n)
        if t is not None and t > budget + 1e-6:
            t = None
        if mine is None and t is None:
            continue
        checked += 1
        if mine is None or t is None:
            # Reached by one side only: counts unless it sits on the cut-off.
            v = mine if mine is not None else t
            if abs(v - budget) > TOL_S:
                bad += 1
            continue
        d = abs(mine - t)
        worst = max(worst, d)
        if d > TOL_S:
            bad += 1
    return worst, bad, checked


def run_networkx(meta, nodes, edges, seeds, town):
    import networkx as nx

    budget = float(meta["budget_s"])
    t0 = time.perf_counter()
    g = nx.Graph()
    g.add_nodes_from(n for n, *_ in nodes)
    for a, b, w in edges:
        if g.has_edge(a, b):
            w = min(w, g[a][b]["w"])
        g.add_edge(a, b, w=w)
    sink = -1
    for n, t in seeds:
        if g.has_edge(sink, n):
            t = min(t, g[sink][n]["w"])
        g.add_edge(sink, n, w=t)
    build = time.perf_counter() - t0
    query, dist = best_of(3, lambda: nx.single_source_dijkstra_path_length(g, sink, cutoff=budget, weight="w"))

    def category(_cat, cat_seeds):
        # A virtual sink of this category, searched from, then taken away again.
        if g.has_node(sink):
            g.remove_node(sink)
        for n, t in cat_seeds:
            if g.has_edge(sink, n):
                t = min(t, g[sink][n]["w"])
            g.add_edge(sink, n, w=t)
        d = nx.single_source_dijkstra_path_length(g, sink, cutoff=budget, weight="w")
        g.remove_node(sink)
        d.pop(sink, None)
        out = np.full(len(nodes), math.inf)
        out[np.fromiter(d.keys(), dtype=np.int64, count=len(d))] = np.fromiter(d.values(), dtype=np.float64, count=len(d))
        return out

    return build, query, lambda n: dist.get(n), category


def run_pandana(meta, nodes, edges, seeds, town):
    import pandas as pd
    import pandana

    budget = float(meta["budget_s"])
    n0 = len(nodes)
    xs = [x for _, x, _, _ in nodes]
    ys = [y for _, _, y, _ in nodes]
    fr = [a for a, _, _ in edges]
    to = [b for _, b, _ in edges]
    w = [c for _, _, c in edges]
    # One virtual POI node per seed (of the one category, then of every category), far from the
    # town and from each other, joined to its node by an edge of the seed's seconds.
    pois = {}
    groups = [("fac", seeds)] + ([("cat:" + c, town.seeds[c]) for c in town.cats] if town else [])
    k = 0
    for name, group in groups:
        px, py = pois.setdefault(name, ([], []))
        for n, t in group:
            v = n0 + k
            x, y = 1e8 + 1000.0 * k, 1e8
            k += 1
            xs.append(x)
            ys.append(y)
            px.append(x)
            py.append(y)
            fr.append(n)
            to.append(v)
            w.append(t)
    px, py = pois["fac"]
    t0 = time.perf_counter()
    node_df = pd.DataFrame({"x": xs, "y": ys})
    edge_df = pd.DataFrame({"from": fr, "to": to, "w": w})
    net = pandana.Network(node_df["x"], node_df["y"], edge_df["from"], edge_df["to"], edge_df[["w"]], twoway=True)
    build = time.perf_counter() - t0
    def q():
        net.set_pois("fac", budget, 1, pd.Series(px), pd.Series(py))
        return net.nearest_pois(budget, "fac", num_pois=1, max_distance=math.inf)

    query, res = best_of(3, q)
    col = res[1] if 1 in res.columns else res.iloc[:, 0]
    dist = col.to_dict()

    def get(n):
        t = dist.get(n)
        return None if t is None or not math.isfinite(t) else float(t)

    if not np.array_equal(np.asarray(net.node_ids), np.arange(len(xs))):
        raise SystemExit("pandana numbered the nodes differently")

    def category(cat, _seeds):
        name = "cat:" + cat
        cx, cy = pois[name]
        net.set_pois(name, budget, 1, pd.Series(cx), pd.Series(cy))
        r = net.nearest_pois(budget, name, num_pois=1, max_distance=math.inf)
        return r[1].to_numpy(dtype=np.float64)[:n0]

    return build, query, get, category


def run_cityseer(meta, nodes, edges, seeds, town):
    from cityseer import rustalgos

    budget = float(meta["budget_s"])
    speed = 1.0  # edges are written as lines of length = seconds, so cost = length / 1 m/s
    t0 = time.perf_counter()
    ns = rustalgos.graph.NetworkStructure()
    idx = {}
    for n, x, y, _ in nodes:
        idx[n] = ns.add_street_node(str(n), x, y, True, 1.0)
    src = ns.add_street_node("source", 0.0, 0.0, True, 1.0)
    k = 0
    for a, b, w in edges:
        wkt = f"LINESTRING (0 0, {w!r} 0)"
        ns.add_street_edge(idx[a], idx[b], k, str(a), str(b), wkt)
        ns.add_street_edge(idx[b], idx[a], k, str(b), str(a), wkt)
        k += 1
    for n, t in seeds:
        wkt = f"LINESTRING (0 0, {max(t, 1e-9)!r} 0)"
        ns.add_street_edge(src, idx[n], k, "source", str(n), wkt)
        k += 1
    # One virtual source per category too. Every virtual source has edges OUT to its seeds only,
    # so no search passes through another one (seed -> source -> seed would be a shortcut).
    cat_src = {}
    for c in town.cats if town else []:
        s = cat_src[c] = ns.add_street_node("source:" + c, 0.0, 0.0, True, 1.0)
        for n, t in town.seeds[c]:
            ns.add_street_edge(s, idx[n], k, "source:" + c, str(n), f"LINESTRING (0 0, {max(t, 1e-9)!r} 0)")
            k += 1
    ns.validate()
    build = time.perf_counter() - t0
    query, (visited, tree) = best_of(3, lambda: ns.dijkstra_tree_shortest(src, int(math.ceil(budget)), speed))

    def get(n):
        v = tree[idx[n]]
        t = v.agg_seconds
        return None if not v.visited or t is None or not math.isfinite(t) else float(t)

    ids = np.fromiter((idx[n] for n, *_ in nodes), dtype=np.int64, count=len(nodes))
    if not np.array_equal(ids, np.arange(len(nodes))):
        raise SystemExit("cityseer numbered the nodes differently")

    def category(cat, _seeds):
        visited, tree = ns.dijkstra_tree_shortest(cat_src[cat], int(math.ceil(budget)), speed)
        out = np.full(len(nodes), math.inf)
        for i in visited:
            if i < len(nodes):
                v = tree[i]
                if v.visited and v.agg_seconds is not None:
                    out[i] = v.agg_seconds
        return out

    return build, query, get, category


PEERS = {"networkx": run_networkx, "pandana": run_pandana, "cityseer": run_cityseer}


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("dir", help="an export_graph output folder")
    ap.add_argument("--peer", action="append", choices=sorted(PEERS), help="repeatable; default: all")
    a = ap.parse_args()
    meta, nodes, edges, seeds = load(a.dir)
    budget = float(meta["budget_s"])
    town = Town(a.dir, meta, len(nodes)) if os.path.exists(os.path.join(a.dir, "coverage.csv")) else None
    tc = {
        "peer": "towncircle",
        "nodes": len(nodes),
        "edges": len(edges),
        "build_s": meta.get("towncircle_build_s"),
        "csr_s": meta.get("towncircle_csr_s"),
        "query_s": meta.get("towncircle_query_s"),
        "reached": sum(1 for *_, t in nodes if t is not None),
        "all_s": meta.get("towncircle_all_s"),
        "all_1thread_s": meta.get("towncircle_all_1thread_s"),
        "threads": meta.get("towncircle_threads"),
    }
    if town:
        # The demand-point formula of this script on towncircle's OWN node times of the one
        # category must give towncircle's demand times (expected_time_s in targets.csv).
        own = np.array([math.inf if t is None else t for *_, t in nodes])
        dt = town.demand_times(own, meta["category"])
        both = np.isfinite(dt) & np.isfinite(town.expected)
        tc["categories"] = len(town.cats)
        tc["tiers_min"] = town.tiers
        tc["demand_points"] = len(town.w)
        tc["covered_total"] = round(sum(town.covered_tc.values()), 3)
        tc["formula_max_diff_s"] = float(np.max(np.abs(dt[both] - town.expected[both]), initial=0.0))
        tc["formula_reach_mismatches"] = int(np.sum(np.isfinite(dt) != np.isfinite(town.expected)))
    print(json.dumps(tc), flush=True)
    for p in a.peer or sorted(PEERS):
        build, query, get, category = PEERS[p](meta, nodes, edges, seeds, town)
        worst, bad, checked = compare(nodes, budget, get)
        extra = {}
        if town:
            all_s, covered = best_of(3, lambda: town.all_categories(category))
            cworst, cbad = town.check(covered)
            extra = {
                "all_s": round(all_s, 4),
                "categories": len(town.cats),
                "tiers_min": town.tiers,
                "covered_total": round(sum(covered.values()), 3),
                "covered_max_rel_diff": cworst,
                "covered_mismatches": cbad,
            }
        print(
            json.dumps(
                {
                    "peer": p,
                    "nodes": len(nodes),
                    "edges": len(edges),
                    "build_s": round(build, 4),
                    "query_s": round(query, 4),
                    "max_abs_diff_s": round(worst, 6),
                    "mismatches": bad,
                    "checked": checked,
                    **extra,
                    "peak_rss_mb": round(peak_rss_mb(), 1),
                }
            ),
            flush=True,
        )


if __name__ == "__main__":
    main()
