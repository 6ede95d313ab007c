#!/usr/bin/env python3
"""towncircle vs networkx, pandana and cityseer on the SAME graph: times checked, build and query timed.

    cargo build --release --no-default-features --example export_graph
    target/release/examples/export_graph /tmp/g-helsinki sample-maps/helsinki-centre/helsinki-centre.osm.pbf
    target/release/examples/export_graph /tmp/g-grid            # the generated 100,000-node grid town
    python benches/compare_peers.py /tmp/g-grid --peer networkx --peer cityseer
    timeout 900 python benches/compare_peers.py /tmp/g-grid --peer pandana   # CH build can take very long

The export (format in examples/export_graph.rs) holds the mode's directed travel seconds per edge,
the seeds of one facility category (node + seconds to the facility, which sits on an edge) and
towncircle's own node times (`expected_time_s`, bounded by `budget_s`), plus towncircle's build and
query timings in meta.json (medians of 5). Peers' builds are timed once, their queries best of 3.
Each peer answers the same question — seconds from every node to the nearest facility, up to the
budget — the way it is meant to be used:

- networkx: a DiGraph with the reversed arcs and a virtual sink joined to every seed;
  `single_source_dijkstra_path_length(sink, cutoff=budget)` (a multi-source Dijkstra).
- pandana: `Network(...)` (contraction hierarchy build), then `set_pois` + `nearest_pois`; each seed
  is a virtual POI node joined to its network node by an edge of the seed's seconds.
- cityseer: a rust `NetworkStructure` with one virtual source node joined to the seeds;
  `dijkstra_tree_shortest(source, budget, speed)` (cityseer measures edges by their geometry, so
  every edge is written as a straight line whose length is its travel seconds × speed).

pandana and cityseer have no one-way streets in this use, so only exports of two-way modes (walk,
bike, ebike) compare; the script refuses others. Every node's time must agree with towncircle's
within 0.5 s; the script prints one JSON line per peer:
{"peer", "nodes", "edges", "build_s", "query_s", "max_abs_diff_s", "mismatches", "checked"}.
"""
import argparse
import csv
import json
import math
import os
import time

TOL_S = 0.5


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


def run_networkx(meta, nodes, edges, seeds):
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
    return build, query, lambda n: dist.get(n)


def run_pandana(meta, nodes, edges, seeds):
    import pandas as pd
    import pandana

    budget = float(meta["budget_s"])
    n0 = len(nodes)
    xs = [x for _, x, _, _ in nodes]
    ys = [y for _, _, y, _ in nodes]
    fr = [a for a, _, _ in edges]
    to = [b for _, b, _ in edges]
    w = [c for _, _, c in edges]
    # One virtual POI node per seed, far from the town and from each other.
    px, py = [], []
    for k, (n, t) in enumerate(seeds):
        v = n0 + k
        x, y = 1e8 + 1000.0 * k, 1e8
        xs.append(x)
        ys.append(y)
        px.append(x)
        py.append(y)
        fr.append(n)
        to.append(v)
        w.append(t)
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

    return build, query, get


def run_cityseer(meta, nodes, edges, seeds):
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
        ns.add_street_edge(idx[n], src, k, str(n), "source", wkt)
        k += 1
    ns.validate()
    build = time.perf_counter() - t0
    query, (visited, tree) = best_of(3, lambda: ns.dijkstra_tree_shortest(src, int(math.ceil(budget)), speed))

    def get(n):
        v = tree[idx[n]]
        t = v.agg_seconds
        return None if not v.visited or t is None or not math.isfinite(t) else float(t)

    return build, query, get


PEERS = {"networkx": run_networkx, "pandana": run_pandana, "cityseer": run_cityseer}


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("dir", help="an export_graph output folder")
    ap.add_argument("--peer", action="append", choices=sorted(PEERS), help="repeatable; default: all")
    a = ap.parse_args()
    meta, nodes, edges, seeds = load(a.dir)
    budget = float(meta["budget_s"])
    tc = {
        "peer": "towncircle",
        "nodes": len(nodes),
        "edges": len(edges),
        "build_s": meta.get("towncircle_build_s"),
        "csr_s": meta.get("towncircle_csr_s"),
        "query_s": meta.get("towncircle_query_s"),
        "reached": sum(1 for *_, t in nodes if t is not None),
    }
    print(json.dumps(tc), flush=True)
    for p in a.peer or sorted(PEERS):
        build, query, get = PEERS[p](meta, nodes, edges, seeds)
        worst, bad, checked = compare(nodes, budget, get)
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
                }
            ),
            flush=True,
        )


if __name__ == "__main__":
    main()
