#!/usr/bin/env python3
"""The same maximal covering (MCLP) instance solved exactly by spopt (PySAL, pulp + CBC) and by
towncircle's greedy + swaps, side by side: objective, time, gap.

Input: a folder written by examples/export_mclp.rs (instance.json: demand weights, which points
the existing facilities cover, each candidate's coverage set, towncircle's solutions and times).

spopt gets the coverage as a 0/1 "cost" matrix (cost 0 = within the tier's minutes, 1 = not;
service radius 0.5) with one extra column for the existing facilities, forced into the solution
with `predefined_facilities_arr`, and p_facilities = K + 1, so both solve "the existing
facilities kept, K new sites". spopt's time is `MCLP.from_cost_matrix` + `solve` (model build
and CBC); the network distances are not part of it (towncircle's `prepare_s`, printed beside,
includes its own network searches).

    /work/venv-spopt/bin/python benches/compare_spopt.py /tmp/mclp-demo [--timeout 600]

Prints one JSON line per K, then a Markdown table row per K. Each spopt solve runs in a child
process killed after --timeout seconds (then reported as "timeout").
"""

import argparse
import json
import multiprocessing as mp
import sys
import time


def spopt_solve(inst, k, queue):
    import numpy as np
    import pulp
    from spopt.locate import MCLP

    n = len(inst["weights"])
    m = len(inst["sets"])
    cost = np.ones((n, m + 1), dtype=np.float64)
    for j, s in enumerate(inst["sets"]):
        if s:
            cost[np.asarray(s, dtype=np.int64), j] = 0.0
    existing = np.asarray(inst["existing"], dtype=bool)
    cost[existing, m] = 0.0
    predefined = np.zeros(m + 1, dtype=np.int64)
    predefined[m] = 1
    weights = np.asarray(inst["weights"], dtype=np.float64)
    t0 = time.perf_counter()
    model = MCLP.from_cost_matrix(
        cost, weights, service_radius=0.5, p_facilities=k + 1,
        predefined_facilities_arr=predefined, name=f"mclp_k{k}",
    )
    model.solve(pulp.PULP_CBC_CMD(msg=False), results=False)
    elapsed = time.perf_counter() - t0
    status = pulp.LpStatus[model.problem.status]
    objective = pulp.value(model.problem.objective)
    chosen = [j for j in range(m) if (model.fac_vars[j].value() or 0) > 0.5]
    queue.put({"status": status, "objective": objective, "seconds": elapsed, "chosen": chosen})


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("folder")
    ap.add_argument("--timeout", type=float, default=600.0)
    ap.add_argument("--k", type=str, default=None, help="comma-separated K (default: the exported ones)")
    a = ap.parse_args()
    with open(f"{a.folder}/instance.json") as f:
        inst = json.load(f)
    ks = [int(x) for x in a.k.split(",")] if a.k else inst["k"]
    ours = {s["k"]: s for s in inst["towncircle"]["solutions"]}
    import spopt
    import pulp
    rows = []
    for k in ks:
        q = mp.Queue()
        p = mp.Process(target=spopt_solve, args=(inst, k, q))
        t0 = time.perf_counter()
        p.start()
        p.join(a.timeout)
        if p.is_alive():
            p.kill()
            p.join()
            res = {"status": "timeout", "objective": None, "seconds": time.perf_counter() - t0}
        else:
            res = q.get() if not q.empty() else {"status": f"failed (exit {p.exitcode})", "objective": None, "seconds": None}
        o = ours.get(k)
        gap = None
        if o and res["objective"]:
            gap = 100.0 * (res["objective"] - o["objective"]) / res["objective"]
        line = {
            "instance": inst["name"], "category": inst["category"], "minutes": inst["minutes"],
            "candidates": inst["candidates"], "demand_points": inst["demand_points"],
            "exported_points": inst["exported_points"], "k": k,
            "spopt_status": res["status"], "spopt_objective": res["objective"],
            "spopt_s": res["seconds"],
            "ours_objective": o["objective"] if o else None,
            "ours_upper_bound": o["upper_bound"] if o else None,
            "ours_solve_s": o["solve_s"] if o else None,
            "ours_prepare_s": inst["towncircle"]["prepare_s"],
            "gap_to_spopt_percent": gap,
            "spopt": spopt.__version__, "pulp": pulp.__version__,
        }
        print(json.dumps(line), flush=True)
        rows.append(line)
    for r in rows:
        so = "—" if r["spopt_objective"] is None else f"{r['spopt_objective']:.1f}"
        st = "—" if r["spopt_s"] is None else f"{r['spopt_s']:.2f}"
        if r["spopt_status"] not in ("Optimal",):
            so = f"{r['spopt_status']}"
        gap = "—" if r["gap_to_spopt_percent"] is None else f"{r['gap_to_spopt_percent']:.3f}%"
        print(
            f"| {r['instance']} ({r['category']}, {r['minutes']} min) | {r['candidates']:,} | "
            f"{r['demand_points']:,} | {r['k']} | {so} | {st} | {r['ours_objective']:.1f} | "
            f"{r['ours_solve_s']:.4f} (+{r['ours_prepare_s']:.2f} prepare) | {gap} |"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
