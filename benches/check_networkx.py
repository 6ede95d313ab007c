#!/usr/bin/env python3
"""Independent check of towncircle's travel times with networkx, and a timing comparison.

    python3 -m venv .venv && .venv/bin/pip install networkx
    cargo build --release --no-default-features --example export_graph
    target/release/examples/export_graph /tmp/g-helsinki sample-maps/helsinki-centre/helsinki-centre.osm.pbf
    .venv/bin/python benches/check_networkx.py /tmp/g-helsinki

Reads the export (format in examples/export_graph.rs), builds a directed networkx graph with the
mode's per-direction travel seconds, runs one multi-source Dijkstra (towards the facilities, i.e.
on the reversed graph from a virtual sink) with the same cut-off, and compares every node's and
every demand point's time with towncircle's. Prints the largest difference and networkx's time.
"""
import csv
import json
import math
import os
import sys
import time

import networkx as nx


def num(s):
    return float(s) if s not in ("", None) else None


def main(d):
    meta = json.load(open(os.path.join(d, "meta.json")))
    budget = float(meta.get("budget_s"))
    g = nx.DiGraph()
    with open(os.path.join(d, "nodes.csv")) as f:
        nodes = list(csv.DictReader(f))
    for n in nodes:
        g.add_node(int(n["node"]))
    with open(os.path.join(d, "edges.csv")) as f:
        for e in csv.DictReader(f):
            a, b = int(e["from"]), int(e["to"])
            fw, bw = num(e["forward_s"]), num(e["backward_s"])
            # Reversed graph: an arc b->a of weight t(a->b), so a search from the sink gives times TO it.
            if fw is not None:
                w = g.get_edge_data(b, a, {}).get("w", math.inf)
                g.add_edge(b, a, w=min(w, fw))
            if bw is not None:
                w = g.get_edge_data(a, b, {}).get("w", math.inf)
                g.add_edge(a, b, w=min(w, bw))
    sink = -1
    with open(os.path.join(d, "sources.csv")) as f:
        for s in csv.DictReader(f):
            n, t = int(s["node"]), float(s["time_s"])
            w = g.get_edge_data(sink, n, {}).get("w", math.inf)
            g.add_edge(sink, n, w=min(w, t))
    t0 = time.perf_counter()
    dist = nx.single_source_dijkstra_path_length(g, sink, cutoff=budget, weight="w")
    nx_s = time.perf_counter() - t0
    worst_node, checked = 0.0, 0
    for n in nodes:
        mine = num(n["expected_time_s"])
        theirs = dist.get(int(n["node"]))
        if mine is None and theirs is None:
            continue
        if (mine is None) != (theirs is None):
            # Equal at the cut-off within rounding counts as agreement.
            t = mine if mine is not None else theirs
            if abs(t - budget) > 0.5:
                raise SystemExit(f"node {n['node']}: towncircle {mine} vs networkx {theirs}")
            continue
        worst_node = max(worst_node, abs(mine - theirs))
        checked += 1
    worst_target, targets = 0.0, 0
    with open(os.path.join(d, "targets.csv")) as f:
        for t in csv.DictReader(f):
            mine = num(t["expected_time_s"])
            best = math.inf
            for end, leg in (("from", "to_from_s"), ("to", "to_to_s")):
                lv = num(t[leg])
                dn = dist.get(int(t[end])) if t[end] != "" else None
                if lv is not None and dn is not None:
                    best = min(best, lv + dn)
            if best < math.inf and t["access_s"] != "":
                best += float(t["access_s"])
            theirs = best if best <= budget else None
            if mine is None or theirs is None:
                continue
            # towncircle may be shorter when a facility sits on the same edge (documented).
            if mine > theirs + 0.5:
                raise SystemExit(f"target {t['demand']}: towncircle {mine} > networkx {theirs}")
            if abs(mine - theirs) <= 0.5:
                worst_target = max(worst_target, abs(mine - theirs))
            targets += 1
    print(json.dumps({
        "graph": d, "nodes": len(nodes), "edges": g.number_of_edges(),
        "nodes_compared": checked, "max_node_diff_s": worst_node,
        "targets_compared": targets, "max_target_diff_s": worst_target,
        "networkx_dijkstra_s": round(nx_s, 4),
        "towncircle_dijkstra_s": meta.get("dijkstra_s"),
    }))


if __name__ == "__main__":
    main(sys.argv[1])
