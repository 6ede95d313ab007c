#!/usr/bin/env python3
"""Independent per-layer counts for an OSM PBF, to check src/io/osm.rs against.

Uses pyosmium (libosmium), not osmpbf: `python3 -m venv /work/venv && /work/venv/bin/pip install osmium`,
then `/work/venv/bin/python scripts/osm_expected_counts.py sample-maps/helsinki-centre/helsinki-centre.osm.pbf`.
The rules restate the module doc of src/io/osm.rs; multipolygon relations are assembled by
libosmium's own area assembler.
"""
import sys
import tomllib
from pathlib import Path

import osmium

ROOT = Path(__file__).resolve().parent.parent
SKIPPED_HIGHWAYS = {"proposed", "construction", "abandoned", "platform", "raceway"}
STREET_FURNITURE = {
    "bench", "waste_basket", "bicycle_parking", "motorcycle_parking", "parking_space",
    "parking_entrance", "vending_machine", "post_box", "letter_box", "telephone", "clock",
    "drinking_water", "bbq", "grit_bin", "loading_dock", "lounger", "hunting_stand", "fountain",
}
MINOR_LEISURE = {"picnic_table", "outdoor_seating", "bleachers", "firepit"}

RULES = []
for cat in tomllib.loads((ROOT / "assets/categories.toml").read_text())["category"]:
    for rule in cat.get("osm", []):
        conds = []
        for part in rule.split("&"):
            if "!=" in part:
                k, v = part.split("!=", 1)
                conds.append(("ne", k.strip(), v.strip()))
            else:
                k, v = part.split("=", 1)
                conds.append(("any" if v.strip() == "*" else "eq", k.strip(), v.strip()))
        if any(c[0] != "ne" for c in conds):
            RULES.append(conds)


def present(t, k):
    v = t.get(k)
    return v if v not in (None, "", "no") else None


def is_facility(t):
    a = present(t, "amenity")
    if a and a not in STREET_FURNITURE:
        return True
    s, l = present(t, "shop"), present(t, "leisure")
    if (s and s != "vacant") or (l and l not in MINOR_LEISURE) or present(t, "healthcare") \
            or present(t, "social_facility") or t.get("office") == "government" \
            or t.get("highway") == "bus_stop" \
            or (t.get("public_transport") in ("platform", "stop_position") and t.get("bus") == "yes"):
        return True
    for conds in RULES:
        ok = True
        for op, k, v in conds:
            if op == "eq":
                ok = ok and t.get(k) == v
            elif op == "any":
                ok = ok and present(t, k) is not None
            else:
                ok = ok and t.get(k) != v
        if ok:
            return True
    return False


class Counter(osmium.SimpleHandler):
    def __init__(self):
        super().__init__()
        self.roads = self.roads_skipped = self.not_roads = 0
        self.fac = {"node": 0, "way": 0, "relation": 0}
        self.bld_ways = self.bld_ways_skipped = 0
        self.bld_rel_areas = 0
        self.admin_areas = 0
        self.fac_rel_candidates = set()

    def node(self, n):
        t = dict(n.tags)
        if t and is_facility(t) and n.location.valid():
            self.fac["node"] += 1

    def way(self, w):
        t = dict(w.tags)
        locs = [nd.location.valid() for nd in w.nodes]
        if "highway" in t:
            if t["highway"] in SKIPPED_HIGHWAYS:
                self.not_roads += 1
            else:
                run, best = 0, 0
                for ok in locs:
                    run = run + 1 if ok else 0
                    best = max(best, run)
                if best >= 2:
                    self.roads += 1
                else:
                    self.roads_skipped += 1
        if is_facility(t) and any(locs):
            self.fac["way"] += 1
        if present(t, "building"):
            closed = len(w.nodes) >= 4 and w.nodes[0].ref == w.nodes[len(w.nodes) - 1].ref
            if closed and all(locs):
                self.bld_ways += 1
            else:
                self.bld_ways_skipped += 1

    def relation(self, r):
        t = dict(r.tags)
        if t.get("type") == "multipolygon" and is_facility(t):
            self.fac_rel_candidates.add(r.id)

    def area(self, a):
        if a.from_way():
            return
        t = dict(a.tags)  # libosmium drops the relation's "type" tag from areas
        if present(t, "building"):
            self.bld_rel_areas += 1
        if t.get("boundary") == "administrative":
            self.admin_areas += 1


path = sys.argv[1]
c = Counter()
c.apply_file(path, locations=True)
# Facility relations: those with at least one member node in the extract.
rel_ways = {}
class Members(osmium.SimpleHandler):
    def relation(self, r):
        if r.id in c.fac_rel_candidates:
            rel_ways[r.id] = [m.ref for m in r.members if m.type == "w"]
Members().apply_file(path)
wanted = {w for ws in rel_ways.values() for w in ws}
way_has_loc = {}
class WayLocs(osmium.SimpleHandler):
    def way(self, w):
        if w.id in wanted:
            way_has_loc[w.id] = any(nd.location.valid() for nd in w.nodes)
WayLocs().apply_file(path, locations=True)
c.fac["relation"] = sum(1 for ws in rel_ways.values() if any(way_has_loc.get(w) for w in ws))

print(f"roads: {c.roads} (skipped <2 nodes: {c.roads_skipped}, not roads: {c.not_roads})")
print(f"facilities: {sum(c.fac.values())} {c.fac}")
print(f"buildings: {c.bld_ways + c.bld_rel_areas} (ways {c.bld_ways}, relations {c.bld_rel_areas}, "
      f"ways skipped {c.bld_ways_skipped})")
print(f"admin_boundaries: {c.admin_areas}")
