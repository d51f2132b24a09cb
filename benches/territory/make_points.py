"""Writes out/points.f64: 1,000,000 points made by jittering real US ZIP
centroids (PyPI `zipcodes==3.0.0`), as little-endian float64 (lon, lat) pairs.

Every non-military ZIP code with coordinates is a centre; each point picks
a centre uniformly (seeded) and moves it by a normal jitter of 0.02 degrees
(about 2 km) in each axis, so points fall inside counties, across county
lines and, near coasts, in the sea.

    python make_points.py [N] [OUT]
"""
import os
import sys

import numpy as np
import zipcodes

N = int(sys.argv[1]) if len(sys.argv) > 1 else 1_000_000
OUT = sys.argv[2] if len(sys.argv) > 2 else os.path.join(os.path.dirname(__file__), "out", "points.f64")
SIGMA_DEG = 0.02
SEED = 20260101


def main():
    rows = [
        (float(r["long"]), float(r["lat"]))
        for r in zipcodes.list_all()
        if r["zip_code_type"] != "MILITARY" and r.get("lat") and r.get("long")
    ]
    centres = np.array(sorted(set(rows)), dtype=np.float64)
    rng = np.random.default_rng(SEED)
    pick = rng.integers(0, len(centres), size=N)
    pts = centres[pick] + rng.normal(0.0, SIGMA_DEG, size=(N, 2))
    pts[:, 1] = np.clip(pts[:, 1], -90.0, 90.0)
    os.makedirs(os.path.dirname(OUT) or ".", exist_ok=True)
    pts.astype("<f8").tofile(OUT)
    print(f"{N} points from {len(centres)} ZIP centroids (zipcodes {zipcodes.__version__}) -> {OUT}")


if __name__ == "__main__":
    main()
