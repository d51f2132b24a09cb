"""Group health of a large network on a Dask cluster with worker processes.

    python examples/python/dask_health.py [COPIES] [PARTS]

Builds a large activity log by copying the sample network's 13 months of
activity COPIES times under new group and person ids (default 100 copies:
2.6 million rows, 6,900 groups), partitions it by group on a
`distributed.LocalCluster` with two worker processes, scores every partition
with `chapterhouse.score_health` where it lives, and checks the result is
identical to scoring the whole log in this process. On a real cluster only
the `Client(...)` line changes (see docs/python.md).
"""

import json
import pathlib
import sys
import time
import zlib

import dask.dataframe as dd
import pandas as pd
from distributed import Client, LocalCluster

import chapterhouse as ch

DATA = pathlib.Path(__file__).resolve().parents[1] / "data"
NOW = "2026-11-01T00:00:00Z"
COPIES = int(sys.argv[1]) if len(sys.argv) > 1 else 100
PARTS = int(sys.argv[2]) if len(sys.argv) > 2 else 8


def part_of(group: str) -> int:
    """A stable partition per group: the same in every process."""
    return zlib.crc32(group.encode()) % PARTS


def score_partition(pdf, groups, model_json, now):
    """On a worker: score one partition's groups with their facts."""
    parts = set(pdf.index.unique())
    facts = {"staff": groups["staff"],
             "groups": [g for g in groups["groups"] if part_of(g["group"]) in parts]}
    model = ch.HealthModel.from_json(model_json)
    return ch.score_health(pdf.reset_index(drop=True), facts, now=now, model=model).to_pandas()


def big_log(copies):
    """The sample log and facts, copied under new ids (c00-, c01-, ...)."""
    base = pd.read_csv(DATA / "activity.csv", dtype={"group": "string", "kind": "string", "actor": "string"})
    base["time"] = pd.to_datetime(base["time"], utc=True)
    facts = json.loads((DATA / "groups.json").read_text())
    staff = set(facts["staff"])
    frames, groups = [], []
    for c in range(copies):
        prefix = f"c{c:03d}-"
        df = base.copy()
        df["group"] = prefix + df["group"]
        # Staff stay the same people; volunteers are new in each copy.
        df["actor"] = df["actor"].where(df["actor"].isin(staff) | df["actor"].isna(), prefix + df["actor"])
        frames.append(df)
        for g in facts["groups"]:
            g = dict(g, group=prefix + g["group"])
            if "leaders" in g:
                g["leaders"] = [prefix + p for p in g["leaders"]]
            groups.append(g)
    log = pd.concat(frames, ignore_index=True)
    for col in ("group", "kind", "actor"):
        log[col] = log[col].astype("category")
    return log, {"staff": facts["staff"], "groups": groups}


def main():
    t = time.perf_counter()
    log, groups = big_log(COPIES)
    print(f"{len(log):,} rows, {len(groups['groups']):,} groups (made in {time.perf_counter() - t:.1f} s)")

    # One model for every partition: calibrated once, on the driver.
    model, _ = ch.calibrate(log, groups, now=NOW)

    t = time.perf_counter()
    want = ch.score_health(log, groups, now=NOW, model=model).to_pandas()
    single = time.perf_counter() - t
    print(f"single process: {len(want):,} groups scored in {single:.2f} s")

    log["part"] = log["group"].astype(str).map(part_of)
    log = log.sort_values("part", kind="stable").set_index("part")
    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None) as cluster, \
            Client(cluster) as client:
        ddf = dd.from_pandas(log, npartitions=PARTS, sort=True)
        ddf = client.persist(ddf)  # the log lives on the workers, as it would be read there
        t = time.perf_counter()
        out = ddf.map_partitions(score_partition, groups, model.to_json(), NOW, meta=want.iloc[:0])
        got = out.compute()
        dask_s = time.perf_counter() - t
        print(f"dask, {ddf.npartitions} partitions on {len(client.scheduler_info()['workers'])} worker "
              f"processes: {len(got):,} groups scored in {dask_s:.2f} s")

    got = got.sort_values("group").reset_index(drop=True)
    pd.testing.assert_frame_equal(got, want)
    print("identical to the single-process run: yes")
    print(want.groupby("status").size().rename("groups").to_string())


if __name__ == "__main__":
    main()
