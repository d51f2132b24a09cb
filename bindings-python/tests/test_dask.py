"""score_health on a Dask cluster with worker processes: the activity log is
partitioned by group, each partition is scored where it lives, and the
union of the partitions' rows equals the single-process run exactly."""

import sys
import zlib

import pandas as pd
import pyarrow as pa
import pytest

import chapterhouse as ch
from conftest import NOW

dd = pytest.importorskip("dask.dataframe")
distributed = pytest.importorskip("distributed")

PARTS = 4

# Worker processes cannot import this test module: ship its functions by value.
cloudpickle = pytest.importorskip("cloudpickle")
cloudpickle.register_pickle_by_value(sys.modules[__name__])


def part_of(group: str) -> int:
    """A stable partition for a group (the same in every process)."""
    return zlib.crc32(group.encode()) % PARTS


def score_partition(pdf: pd.DataFrame, groups: dict, now: str) -> pd.DataFrame:
    """Runs on a worker: scores the groups of one partition, with the facts
    of those groups (and every staff member)."""
    parts = set(pdf.index.unique())
    facts = {
        "staff": groups["staff"],
        "groups": [g for g in groups["groups"] if part_of(g["group"]) in parts],
    }
    return ch.score_health(pdf.reset_index(drop=True), facts, now=now).to_pandas()


def test_dask_partitions_by_group_match_the_single_process_run(activity_pandas, groups, activity_csv):
    want = ch.score_health(activity_csv, groups, now=NOW).to_pandas()

    log = activity_pandas.copy()
    log["part"] = log["group"].map(part_of)
    assert log["part"].nunique() == PARTS  # every partition has activity
    log = log.sort_values(["part", "time"]).set_index("part")

    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                  dashboard_address=None) as cluster, \
            distributed.Client(cluster) as client:
        ddf = dd.from_pandas(log, npartitions=PARTS, sort=True)
        # A group never spans two partitions.
        assert ddf.known_divisions
        out = ddf.map_partitions(score_partition, groups, NOW, meta=want.iloc[:0])
        got = out.compute()
        workers = client.run(lambda: __import__("os").getpid())
        assert len(set(workers.values())) == 2  # two worker processes

    got = got.sort_values("group").reset_index(drop=True)
    assert len(got) == len(want)
    pd.testing.assert_frame_equal(got, want)
    assert pa.Table.from_pandas(got).equals(pa.Table.from_pandas(want))
