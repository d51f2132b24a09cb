"""Assign 1,000,000 points to the 3,231 US counties
(examples/data/us-counties.geojson): chapterhouse's ChapterFinder.assign
from Python (NumPy in, codes out, GIL released, every core) against
shapely 2's STRtree.query(points, predicate="intersects"), the idiomatic
shapely answer, in the same process on the same points.

    python benches/python/bench_assign.py [POINTS_FILE]

The points are benches/territory/make_points.py's (jittered real ZIP
centroids; run it first, it writes benches/territory/out/points.f64). Every
chapterhouse assignment is checked to be one of shapely's matches for that
point, and points shapely finds in no county must be unassigned.
"""

import json
import os
import pathlib
import platform
import sys
import time

import numpy as np
import shapely

import chapterhouse as ch
from measure import measure

HERE = pathlib.Path(__file__).resolve().parent
ROOT = HERE.parents[1]
COUNTIES = ROOT / "examples" / "data" / "us-counties.geojson"
POINTS = pathlib.Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT / "benches" / "territory" / "out" / "points.f64"


def main():
    if not POINTS.exists():
        sys.exit(f"{POINTS} is missing: run benches/territory/make_points.py first")
    xy = np.fromfile(POINTS, dtype="<f8").reshape(-1, 2)
    lon, lat = np.ascontiguousarray(xy[:, 0]), np.ascontiguousarray(xy[:, 1])
    n = len(lon)
    text = COUNTIES.read_text()
    fc = json.loads(text)

    finder, ch_build, _, _ = measure(lambda: ch.ChapterFinder.from_geojson(text))
    assigned, ch_wall, ch_cpu, ch_mib = measure(lambda: finder.assign(lon, lat), repeat=3)
    codes = assigned.codes

    geoms = np.array([shapely.geometry.shape(f["geometry"]) if f["geometry"] else None
                      for f in fc["features"]], dtype=object)
    ids = [str(f["id"]) for f in fc["features"]]
    tree, sh_build, _, _ = measure(lambda: shapely.STRtree(geoms))
    pts, sh_pts, _, _ = measure(lambda: shapely.points(lon, lat))
    pairs, sh_wall, sh_cpu, sh_mib = measure(lambda: tree.query(pts, predicate="intersects"), repeat=3)

    # Every chapterhouse pick is one of shapely's matches; no match, no pick.
    our_id = np.array(assigned.ids + [None], dtype=object)[codes]
    their = {}
    for p, g in zip(pairs[0].tolist(), pairs[1].tolist()):
        their.setdefault(p, set()).add(ids[g])
    wrong = sum(1 for i in range(n) if (our_id[i] is None) != (i not in their)
                or (our_id[i] is not None and our_id[i] not in their[i]))
    print(f"{n:,} points: chapterhouse assigned {assigned.matched:,}, shapely matched {len(their):,}; "
          f"disagreements: {wrong}")
    assert wrong == 0

    sh_total = sh_wall + sh_pts
    rows = [
        ("chapterhouse ChapterFinder.assign", ch_wall, ch_cpu, ch_mib),
        ("shapely STRtree.query intersects", sh_wall, sh_cpu, sh_mib),
        ("shapely incl. shapely.points()", sh_total, None, None),
    ]
    print(f"\n{'':36} {'wall s':>8} {'cpu s':>8} {'points/s':>12} {'vs shapely':>11} {'extra MiB':>10}")
    for name, wall, cpu, mib in rows:
        cpu_s = f"{cpu:8.3f}" if cpu is not None else f"{'':8}"
        mib_s = f"{mib:10.1f}" if mib is not None else ""
        print(f"{name:36} {wall:8.3f} {cpu_s} {n / wall:12,.0f} {sh_wall / wall:10.1f}x {mib_s}")
    print(f"\nindex build: chapterhouse {ch_build * 1000:.0f} ms, shapely STRtree {sh_build * 1000:.0f} ms; "
          f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cpus")
    print(f"ratio: {sh_wall / ch_wall:.1f}x wall, {sh_cpu / ch_cpu:.1f}x cpu "
          f"(chapterhouse runs on every core; cpu is the total of all threads)")
    result = {
        "points": n, "cpus": os.cpu_count(), "machine": platform.machine(), "load_average": os.getloadavg(),
        "shapely": shapely.__version__, "geos": shapely.geos_version_string, "chapterhouse": ch.__version__,
        "disagreements": wrong,
        "runs": [{"name": r[0], "wall_s": r[1], "cpu_s": r[2], "extra_peak_mib": r[3]} for r in rows],
        "build_s": {"chapterhouse": ch_build, "shapely": sh_build},
        "ratio_wall": sh_wall / ch_wall, "ratio_cpu": sh_cpu / ch_cpu,
    }
    (HERE / "out").mkdir(exist_ok=True)
    (HERE / "out" / "assign.json").write_text(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
