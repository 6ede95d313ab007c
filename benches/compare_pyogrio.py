#!/usr/bin/env python3
"""Side-by-side reading benchmark: towncircle vs pyogrio (GDAL) on the same files.

    python3 -m venv .venv && .venv/bin/pip install pyogrio geopandas pyarrow
    .venv/bin/python benches/compare_pyogrio.py [DATA_DIR]

Builds the towncircle example in release mode, writes the two files once (a 1,000,000-point
GeoJSON and a 100,000-polygon GBK shapefile, both EPSG:4549), then times each reader in its own
process (best of 3 reads) and reports the process's peak resident memory.
"""
import json
import os
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DATA = sys.argv[1] if len(sys.argv) > 1 else "/tmp/towncircle-bench-load"
FILES = ["points-1m.geojson", "buildings-100k.shp"]

PY_READER = r"""
import json, resource, sys, time
import pyogrio
path, how = sys.argv[1], sys.argv[2]
best, n = 1e9, 0
for _ in range(3):
    t = time.perf_counter()
    if how == "read_dataframe":
        df = pyogrio.read_dataframe(path, encoding="GBK" if path.endswith(".shp") else None)
        n = len(df)
    else:
        meta, table = pyogrio.read_arrow(path)
        n = table.num_rows
    best = min(best, time.perf_counter() - t)
print(json.dumps({"n": n, "s": best,
                  "rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
"""


def run(cmd):
    out = subprocess.run(cmd, check=True, capture_output=True, text=True, cwd=ROOT)
    return out.stdout.strip()


def main():
    env = dict(os.environ)
    run(["cargo", "build", "--release", "--example", "read_bench"])
    target = env.get("CARGO_TARGET_DIR", os.path.join(ROOT, "target"))
    exe = os.path.join(target, "release", "examples", "read_bench")
    if not all(os.path.exists(os.path.join(DATA, f)) for f in FILES):
        run([exe, "--make-data", DATA])
    rows = []
    for f in FILES:
        path = os.path.join(DATA, f)
        line = run([exe, path]).splitlines()[-1].split("\t")
        rows.append((f, "towncircle io::read", int(line[1]), float(line[2]), float(line[3])))
        for how in ("read_dataframe", "read_arrow"):
            r = json.loads(run([sys.executable, "-c", PY_READER, path, how]))
            rows.append((f, f"pyogrio.{how}", r["n"], r["s"], r["rss_mb"]))
    print("| file | reader | features | best of 3 (s) | peak RSS (MB) |")
    print("|---|---|---:|---:|---:|")
    for f, who, n, s, m in rows:
        print(f"| {f} | {who} | {n:,} | {s:.3f} | {m:.0f} |")


if __name__ == "__main__":
    main()
