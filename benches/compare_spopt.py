#!/usr/bin/env python3
"""The same maximal covering (MCLP) instance solved exactly by spopt (PySAL, pulp + CBC) and by
towncircle's greedy + swaps, side by side: objective, time, gap.

Input: a folder written by examples/export_mclp.rs (instance.json: demand weights, which points
the existing facilities cover, each candidate's coverage set, towncircle's solutions and times).

spopt gets the coverage as a 0/1 "cost" matrix (cost 0 = within the tier's minutes, 1 = not;
service radius 0.5) with one extra column for the existing facilities, forced into the solution
with `predefined_facilities_arr`, and p_facilities = K + 1, so both solve "the existing
facilities kept, K new sites". spopt's time is `MCLP.from_cost_matrix` (model build) + `solve`
(CBC, pulp's bundled binary, default options: one thread, no time limit); the network distances
are not part of it (towncircle's `prepare_s`, printed beside, includes its own network searches).

    /root/venv-spopt/bin/python benches/compare_spopt.py /tmp/mclp-demo [--timeout 600] [--k 2,5]
        [--peer spopt|pulp-sparse]

`--peer pulp-sparse` solves the same MCLP written directly in pulp from the coverage sets (no
dense matrix, one constraint per uncovered point over the candidates reaching it) with the same
CBC: what the exact solver itself takes once spopt's dense model build is out of the way.

Each spopt solve runs in a child process (its own process group, so CBC dies with it) killed
after --timeout seconds, then reported as "timeout" with how far it got (model built or not);
--mem-gb caps the child's address space. Both sides' chosen sites are re-evaluated here on the
exported sets, so neither objective is taken on trust.

Prints one JSON line per K, then a Markdown table row per K: instance, candidates, demand points,
(candidate, point) pairs, K, the peer's objective, its seconds (model build + CBC), towncircle's
objective, its own bound gap %, its prepare seconds / solve time, the gap to the peer's optimum %,
and the speed-up of the solve (peer total / towncircle solve; in brackets CBC alone / solve).
"""

import argparse
import json
import multiprocessing as mp
import os
import resource
import signal
import sys
import time


def covered_weight(inst, chosen):
    """People covered by the existing facilities and the exported sets `chosen`."""
    seen = [bool(e) for e in inst["existing"]]
    for j in chosen:
        for i in inst["sets"][j]:
            seen[i] = True
    return sum(w for w, s in zip(inst["weights"], seen) if s)


def spopt_solve(inst, k, queue, mem_gb):
    os.setsid()
    if mem_gb:
        lim = int(mem_gb * 2**30)
        resource.setrlimit(resource.RLIMIT_AS, (lim, lim))
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
    build = time.perf_counter() - t0
    queue.put({"phase": "built", "build_s": build})
    model.solve(pulp.PULP_CBC_CMD(msg=False), results=False)
    elapsed = time.perf_counter() - t0
    status = pulp.LpStatus[model.problem.status]
    objective = pulp.value(model.problem.objective)
    chosen = [j for j in range(m) if (model.fac_vars[j].value() or 0) > 0.5]
    queue.put({"phase": "done", "status": status, "objective": objective, "seconds": elapsed,
               "build_s": build, "chosen": chosen})


def sparse_solve(inst, k, queue, mem_gb):
    """The same MCLP written directly in pulp from the sets (no dense matrix): what CBC itself
    takes, without spopt's model build."""
    os.setsid()
    if mem_gb:
        lim = int(mem_gb * 2**30)
        resource.setrlimit(resource.RLIMIT_AS, (lim, lim))
    import pulp

    n = len(inst["weights"])
    m = len(inst["sets"])
    t0 = time.perf_counter()
    by_point = [[] for _ in range(n)]
    for j, s in enumerate(inst["sets"]):
        for i in s:
            by_point[i].append(j)
    prob = pulp.LpProblem(f"mclp_sparse_k{k}", pulp.LpMaximize)
    x = [pulp.LpVariable(f"x_{j}", cat="Binary") for j in range(m)]
    y = {}
    const = 0.0
    for i in range(n):
        if inst["existing"][i]:
            const += inst["weights"][i]
        elif by_point[i]:
            y[i] = pulp.LpVariable(f"y_{i}", cat="Binary")
    prob += pulp.lpSum(inst["weights"][i] * v for i, v in y.items()) + const
    for i, v in y.items():
        prob += pulp.lpSum(x[j] for j in by_point[i]) >= v
    prob += pulp.lpSum(x) == k
    build = time.perf_counter() - t0
    queue.put({"phase": "built", "build_s": build})
    prob.solve(pulp.PULP_CBC_CMD(msg=False))
    elapsed = time.perf_counter() - t0
    status = pulp.LpStatus[prob.status]
    objective = pulp.value(prob.objective)
    chosen = [j for j in range(m) if (x[j].value() or 0) > 0.5]
    queue.put({"phase": "done", "status": status, "objective": objective, "seconds": elapsed,
               "build_s": build, "chosen": chosen})


def run_spopt(inst, k, timeout, mem_gb, target=spopt_solve):
    q = mp.Queue()
    p = mp.Process(target=target, args=(inst, k, q, mem_gb))
    t0 = time.perf_counter()
    p.start()
    msgs = []
    deadline = t0 + timeout
    while True:
        left = deadline - time.perf_counter()
        try:
            msg = q.get(timeout=max(0.0, min(left, 1.0)))
            msgs.append(msg)
            if msg["phase"] == "done":
                break
            continue
        except Exception:
            pass
        if not p.is_alive() and q.empty():
            break
        if time.perf_counter() >= deadline:
            break
    elapsed = time.perf_counter() - t0
    timed_out = p.is_alive() and not any(m["phase"] == "done" for m in msgs)
    if p.is_alive():
        try:
            os.killpg(p.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
    p.join()
    done = [m for m in msgs if m["phase"] == "done"]
    built = [m for m in msgs if m["phase"] == "built"]
    if done:
        return done[0]
    build_s = built[0]["build_s"] if built else None
    if timed_out:
        status = "timeout (CBC running)" if built else "timeout (model build)"
    else:
        status = f"failed (exit {p.exitcode})"
    return {"status": status, "objective": None, "seconds": elapsed, "build_s": build_s,
            "chosen": None}


def ms(seconds):
    """Seconds as milliseconds, three significant figures."""
    v = 1000.0 * seconds
    return f"{v:.3g} ms" if v < 1000 else f"{v:,.0f} ms"


def sec(seconds):
    return f"{seconds:.2f}" if seconds < 10 else f"{seconds:,.0f}"


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("folder")
    ap.add_argument("--timeout", type=float, default=600.0)
    ap.add_argument("--mem-gb", type=float, default=18.0, help="address-space cap of the spopt child")
    ap.add_argument("--k", type=str, default=None, help="comma-separated K (default: the exported ones)")
    ap.add_argument("--label", type=str, default=None, help="instance name in the table")
    ap.add_argument("--peer", choices=["spopt", "pulp-sparse"], default="spopt",
                    help="spopt's MCLP.from_cost_matrix (default), or the same model written "
                         "sparsely in pulp (CBC alone, without spopt's dense build)")
    a = ap.parse_args()
    with open(f"{a.folder}/instance.json") as f:
        inst = json.load(f)
    ks = [int(x) for x in a.k.split(",")] if a.k else inst["k"]
    ours = {s["k"]: s for s in inst["towncircle"]["solutions"]}
    import spopt
    import pulp
    cbc = pulp.PULP_CBC_CMD()
    rows = []
    for k in ks:
        res = run_spopt(inst, k, a.timeout, a.mem_gb,
                        spopt_solve if a.peer == "spopt" else sparse_solve)
        o = ours.get(k)
        gap = None
        if o and res["objective"]:
            gap = 100.0 * (res["objective"] - o["objective"]) / res["objective"]
        ours_check = covered_weight(inst, o["chosen"]) if o and "chosen" in o else None
        spopt_check = covered_weight(inst, res["chosen"]) if res["chosen"] is not None else None
        line = {
            "instance": a.label or inst["name"], "category": inst["category"],
            "minutes": inst["minutes"], "mode": inst["mode"],
            "candidates": inst["candidates"], "demand_points": inst["demand_points"],
            "exported_points": inst["exported_points"], "pairs": inst["pairs"], "k": k,
            "spopt_status": res["status"], "spopt_objective": res["objective"],
            "spopt_check": spopt_check, "spopt_s": res["seconds"], "spopt_build_s": res["build_s"],
            "ours_objective": o["objective"] if o else None,
            "ours_check": ours_check,
            "ours_upper_bound": o["upper_bound"] if o else None,
            "ours_bound_gap_percent": o["gap_percent"] if o else None,
            "ours_solve_s": o["solve_s"] if o else None,
            "ours_prepare_s": inst["towncircle"]["prepare_s"],
            "gap_to_spopt_percent": gap,
            "speedup": (res["seconds"] / o["solve_s"]) if o and res["seconds"] and o["solve_s"] > 0 else None,
            "speedup_solver_only": ((res["seconds"] - res["build_s"]) / o["solve_s"])
            if o and res["status"] == "Optimal" and o["solve_s"] > 0 else None,
            "peer": a.peer, "spopt": spopt.__version__, "pulp": pulp.__version__, "cbc": cbc.path,
        }
        print(json.dumps(line), flush=True)
        rows.append(line)
    for r in rows:
        done = r["spopt_status"] == "Optimal"
        so = f"{r['spopt_objective']:,.1f}" if done else r["spopt_status"]
        st = f"{sec(r['spopt_build_s'])} + {sec(r['spopt_s'] - r['spopt_build_s'])}" if done else (
            f"> {a.timeout:.0f}" if r["spopt_status"].startswith("timeout") else "—")
        g = r["gap_to_spopt_percent"]
        gap = "—" if g is None else f"{(0.0 if abs(g) < 5e-4 else g):.3f}"
        if done:
            sp = f"{r['speedup']:,.0f}× ({r['speedup_solver_only']:,.0f}×)"
        elif r["spopt_status"].startswith("timeout"):
            sp = f"> {a.timeout / r['ours_solve_s']:,.0f}×"
        else:
            sp = "—"
        print(
            f"| {r['instance']} ({r['category']}, {r['minutes']} min {r['mode']}) | "
            f"{r['candidates']:,} | {r['demand_points']:,} | {r['pairs']:,} | {r['k']} | {so} | {st} | "
            f"{r['ours_objective']:,.1f} | {r['ours_bound_gap_percent']:.3f} | "
            f"{r['ours_prepare_s']:.2f} / {ms(r['ours_solve_s'])} | {gap} | {sp} |"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
