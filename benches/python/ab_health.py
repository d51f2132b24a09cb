"""Two or more builds of the extension module scored against each other
in one process, on one Arrow table, called in turn with the order
reversed every round (so neither build always runs right after the
other): the comparison that holds up on a machine whose speed drifts.

    python benches/python/ab_health.py BUILD.so BUILD.so [...]

BUILD.so is a `_chapterhouse` extension (e.g. a copy of
`$CARGO_TARGET_DIR/release/lib_chapterhouse.so`); the first is the
baseline. ROUNDS (default 16) and ROWS / GROUP_COUNT (default the bench's
10,000,000 / 10,000) come from the environment. Prints each build's best
and median wall and CPU seconds and, against the first, the median of
the per-round wall ratios and how many rounds it was faster in.
"""

import importlib.util
import os
import statistics
import sys
import time

# bench_health reads its own arguments when imported: keep ours apart.
ARGS = sys.argv[1:]
del sys.argv[1:]
import bench_health as bh  # noqa: E402
import chapterhouse as ch  # noqa: E402


def load(path):
    spec = importlib.util.spec_from_file_location("_chapterhouse", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def main():
    paths = ARGS
    if len(paths) < 2:
        sys.exit(__doc__)
    builds = [load(p) for p in paths]
    rows = int(os.environ.get("ROWS", bh.ROWS))
    groups = int(os.environ.get("GROUP_COUNT", bh.GROUPS))
    rounds = int(os.environ.get("ROUNDS", "16"))
    table = ch._activity(bh.make_log(rows, groups))
    times = [[] for _ in builds]
    for r in range(rounds):
        order = list(range(len(builds)))
        if r % 2:
            order.reverse()
        for i in order:
            t0, c0 = time.perf_counter(), time.process_time()
            builds[i].score_health(table, now=bh.NOW)
            times[i].append((time.perf_counter() - t0, time.process_time() - c0))
    base = times[0]
    for path, ts in zip(paths, times):
        wall = [w for w, _ in ts]
        cpu = [c for _, c in ts]
        ratios = [w / b for (w, _), (b, _) in zip(ts, base)]
        print(f"{os.path.basename(path):24} wall best {min(wall):.3f} median {statistics.median(wall):.3f} s"
              f" | cpu best {min(cpu):.3f} median {statistics.median(cpu):.3f} s"
              f" | wall / first, median {statistics.median(ratios):.3f}, faster in {sum(x < 1 for x in ratios)} of {rounds}")
    print(f"{rows:,} rows, {groups:,} groups, {rounds} rounds; load average {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
