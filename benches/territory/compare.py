"""Side-by-side: the same 1,000,000 points (make_points.py) assigned to the
3,231 US counties (examples/data/us-counties.geojson) by chapterhouse (the
`territory-assign` tool), shapely 2 (`STRtree.query(points, "intersects")`),
geopandas (`sjoin(..., predicate="intersects")`) and which-polygon (node).

Every (point, county) match of chapterhouse is compared with shapely's: the
two must find exactly the same set of counties for every point. A point on
a shared border or vertex is in every county that has it on its boundary
(both libraries use "intersects"/covers semantics), so such points have
several matches and the sets are compared whole. chapterhouse's single
assignment (`assign`) then picks the smallest county of the set; that pick
is checked to be a member of shapely's set.

    python compare.py [--rust-bin PATH] [--skip-node]

Prints a table and writes out/results.json. Figures are wall-clock on the
machine at hand; see README.md for the exact commands.
"""
import argparse
import json
import os
import platform
import subprocess
import sys
import time

import numpy as np
import shapely
import geopandas as gpd
import pandas as pd

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
COUNTIES = os.path.join(ROOT, "examples", "data", "us-counties.geojson")
OUT = os.path.join(HERE, "out")
POINTS = os.path.join(OUT, "points.f64")


def status_kib(field):
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith(field):
                return int(line.split()[1])
    return 0


def reset_peak():
    try:
        with open("/proc/self/clear_refs", "w") as f:
            f.write("5")
    except OSError:
        pass


def measure(fn):
    """Runs fn once; returns (result, wall seconds, cpu seconds, extra peak MiB)."""
    before = status_kib("VmRSS")
    reset_peak()
    c0, t0 = time.process_time(), time.perf_counter()
    res = fn()
    wall, cpu = time.perf_counter() - t0, time.process_time() - c0
    return res, wall, cpu, max(0, status_kib("VmHWM") - before) / 1024


def default_rust_bin():
    for d in (os.environ.get("CARGO_TARGET_DIR"), os.path.join(ROOT, "target")):
        if d and os.path.exists(os.path.join(d, "release", "territory-assign")):
            return os.path.join(d, "release", "territory-assign")
    return "territory-assign"


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--rust-bin", default=default_rust_bin())
    ap.add_argument("--skip-node", action="store_true")
    args = ap.parse_args()

    with open(COUNTIES) as f:
        fc = json.load(f)
    geoms = np.array(
        [shapely.geometry.shape(ft["geometry"]) if ft["geometry"] else None for ft in fc["features"]],
        dtype=object,
    )
    xy = np.fromfile(POINTS, dtype="<f8").reshape(-1, 2)
    n = len(xy)
    results = {"points": n, "machine": platform.processor() or platform.machine(),
               "cpus": os.cpu_count(), "shapely": shapely.__version__,
               "geopandas": gpd.__version__, "geos": shapely.geos_version_string}

    # --- chapterhouse (Rust) ------------------------------------------------
    run = subprocess.run([args.rust_bin, COUNTIES, POINTS, OUT], check=True,
                         capture_output=True, text=True)
    rust = json.loads(run.stdout)
    results["chapterhouse"] = rust
    rust_pairs = np.fromfile(os.path.join(OUT, "rust_pairs.u32"), dtype="<u4").reshape(-1, 2).astype(np.int64)
    rust_first = np.fromfile(os.path.join(OUT, "rust_first.i32"), dtype="<i4")

    # --- shapely 2 STRtree ---------------------------------------------------
    pts, make_s, _, _ = measure(lambda: shapely.points(xy))
    tree, build_s, _, _ = measure(lambda: shapely.STRtree(geoms))
    res, q_s, q_cpu, q_mib = measure(lambda: tree.query(pts, predicate="intersects"))
    results["shapely"] = {"make_points_s": make_s, "build_s": build_s, "query_s": q_s,
                          "query_cpu_s": q_cpu, "points_per_s": n / q_s, "extra_peak_mib": q_mib}
    shp = np.stack([res[0], res[1]], axis=1).astype(np.int64)

    # --- geopandas sjoin -----------------------------------------------------
    keep = [i for i, g in enumerate(geoms) if g is not None]
    cgdf = gpd.GeoDataFrame({"fi": keep}, geometry=list(geoms[keep]), crs=4326)
    pgdf = gpd.GeoDataFrame({"pi": np.arange(n)}, geometry=gpd.points_from_xy(xy[:, 0], xy[:, 1]), crs=4326)
    joined, sj_s, sj_cpu, sj_mib = measure(lambda: gpd.sjoin(pgdf, cgdf, predicate="intersects", how="inner"))
    results["geopandas"] = {"sjoin_s": sj_s, "sjoin_cpu_s": sj_cpu, "points_per_s": n / sj_s,
                            "extra_peak_mib": sj_mib}
    gp = np.stack([joined["pi"].to_numpy(), joined["fi"].to_numpy()], axis=1).astype(np.int64)

    # --- compare every assignment ------------------------------------------
    def canon(a):
        return a[np.lexsort((a[:, 1], a[:, 0]))]

    shp, rust_pairs, gp = canon(shp), canon(rust_pairs), canon(gp)

    def disagreeing_points(a, b):
        sa = pd.MultiIndex.from_arrays([a[:, 0], a[:, 1]])
        sb = pd.MultiIndex.from_arrays([b[:, 0], b[:, 1]])
        diff = sa.symmetric_difference(sb)
        return int(len(np.unique(diff.get_level_values(0)))) if len(diff) else 0

    counts = np.bincount(shp[:, 0], minlength=n)
    first_ok = True
    member = set(map(tuple, shp.tolist()))
    for i in np.nonzero(rust_first >= 0)[0]:
        if (int(i), int(rust_first[i])) not in member:
            first_ok = False
            break
    results["agreement"] = {
        "pairs_chapterhouse": int(len(rust_pairs)),
        "pairs_shapely": int(len(shp)),
        "points_disagreeing_chapterhouse_vs_shapely": disagreeing_points(rust_pairs, shp),
        "points_disagreeing_geopandas_vs_shapely": disagreeing_points(gp, shp),
        "points_in_no_county": int((counts == 0).sum()),
        "points_in_two_or_more_counties": int((counts >= 2).sum()),
        "chapterhouse_assign_pick_in_shapely_set": first_ok,
        "chapterhouse_unassigned_equals_shapely_empty": bool(((rust_first < 0) == (counts == 0)).all()),
    }

    # --- boundary points: every county vertex and edge midpoint -----------
    # Jittered points almost never land exactly on a border, so the tie rule
    # (a border point is in every county that has it on its boundary) is
    # checked on points that do: all vertices and edge midpoints.
    bxy = []
    for g in geoms:
        if g is None:
            continue
        for poly in getattr(g, "geoms", [g]):
            for ring in [poly.exterior, *poly.interiors]:
                c = np.asarray(ring.coords)
                bxy.append(c[:-1])
                bxy.append((c[:-1] + c[1:]) / 2)
    bxy = np.concatenate(bxy)
    bdir = os.path.join(OUT, "boundary")
    os.makedirs(bdir, exist_ok=True)
    bxy.astype("<f8").tofile(os.path.join(bdir, "points.f64"))
    subprocess.run([args.rust_bin, COUNTIES, os.path.join(bdir, "points.f64"), bdir], check=True,
                   capture_output=True, text=True)
    b_rust = canon(np.fromfile(os.path.join(bdir, "rust_pairs.u32"), dtype="<u4").reshape(-1, 2).astype(np.int64))
    bres = tree.query(shapely.points(bxy), predicate="intersects")
    b_shp = canon(np.stack([bres[0], bres[1]], axis=1).astype(np.int64))
    b_counts = np.bincount(b_shp[:, 0], minlength=len(bxy))
    results["agreement"]["boundary_points"] = int(len(bxy))
    results["agreement"]["boundary_points_in_two_or_more_counties"] = int((b_counts >= 2).sum())
    results["agreement"]["boundary_points_disagreeing_chapterhouse_vs_shapely"] = disagreeing_points(b_rust, b_shp)

    # --- which-polygon (node) ----------------------------------------------
    if not args.skip_node:
        run = subprocess.run(["node", os.path.join(HERE, "which_polygon.mjs"), COUNTIES, POINTS, OUT],
                             check=True, capture_output=True, text=True, cwd=HERE)
        wp = json.loads(run.stdout)
        wp_first = np.fromfile(os.path.join(OUT, "wp_first.i32"), dtype="<i4")
        agree = 0
        for i in range(n):
            f = int(wp_first[i])
            agree += ((i, f) in member) if f >= 0 else (counts[i] == 0)
        wp["points_agreeing_with_shapely"] = int(agree)
        results["which_polygon"] = wp

    os.makedirs(OUT, exist_ok=True)
    with open(os.path.join(OUT, "results.json"), "w") as f:
        json.dump(results, f, indent=2)

    r1 = rust["assign_1_thread_points_per_s"]
    def per_cpu(cpu_s):
        return n / cpu_s if cpu_s > 0 else float("nan")

    rows = [
        ("chapterhouse assign, 1 thread", r1, per_cpu(rust["assign_1_thread_cpu_s"]),
         rust["extra_peak_mib_1_thread"]),
        (f"chapterhouse assign, {rust['threads']} threads", rust["assign_parallel_points_per_s"],
         per_cpu(rust["assign_parallel_cpu_s"]), rust["extra_peak_mib_parallel"]),
        ("shapely STRtree.query intersects", results["shapely"]["points_per_s"], per_cpu(q_cpu), q_mib),
        ("geopandas sjoin intersects", results["geopandas"]["points_per_s"], per_cpu(sj_cpu), sj_mib),
    ]
    if "which_polygon" in results:
        wp = results["which_polygon"]
        rows.append(("which-polygon (node)", wp["points_per_s"], wp["points_per_cpu_s"], wp["extra_rss_mib"]))
    print(f"\n{n:,} points, {len(keep):,} county shapes\n")
    print("| tool | points/s (wall) | µs/point | vs shapely | points per CPU-second | extra memory MiB |")
    print("|---|---:|---:|---:|---:|---:|")
    base = results["shapely"]["points_per_s"]
    for name, pps, cpu, mib in rows:
        print(f"| {name} | {pps:,.0f} | {1e6 / pps:.3f} | {pps / base:.1f}× | {cpu:,.0f} | {mib:.1f} |")
    a = results["agreement"]
    print(f"\nchapterhouse vs shapely: {a['points_disagreeing_chapterhouse_vs_shapely']} points disagree "
          f"({a['pairs_chapterhouse']:,} vs {a['pairs_shapely']:,} matches; "
          f"{a['points_in_two_or_more_counties']} points on shared borders, {a['points_in_no_county']:,} in no county)")
    print(f"boundary points (all {a['boundary_points']:,} county vertices and edge midpoints, "
          f"{a['boundary_points_in_two_or_more_counties']:,} of them in two or more counties): "
          f"{a['boundary_points_disagreeing_chapterhouse_vs_shapely']} disagree")
    print(f"geopandas vs shapely: {a['points_disagreeing_geopandas_vs_shapely']} points disagree")
    print(f"chapterhouse's single pick is in shapely's set for every point: {a['chapterhouse_assign_pick_in_shapely_set']}")
    if "which_polygon" in results:
        print(f"which-polygon agrees with shapely on {results['which_polygon']['points_agreeing_with_shapely']:,} points")
    print(f"chapterhouse index build {rust['build_s'] * 1e3:.0f} ms; shapely STRtree build {build_s * 1e3:.0f} ms")
    if a["points_disagreeing_chapterhouse_vs_shapely"] or a["boundary_points_disagreeing_chapterhouse_vs_shapely"]:
        sys.exit(1)


if __name__ == "__main__":
    main()
