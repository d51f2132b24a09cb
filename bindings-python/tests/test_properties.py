"""Properties of score_health across input layouts (hypothesis): any row
order and any split into record batches gives the same table, and scoring
any set of groups alone gives exactly their rows of the full run."""

import pyarrow as pa
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import chapterhouse as ch
from conftest import NOW

SETTINGS = settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


@pytest.fixture(scope="module")
def log(activity_pandas):
    return pa.Table.from_pandas(activity_pandas.iloc[:6000], preserve_index=False)


@pytest.fixture(scope="module")
def full(log, groups):
    return pa.table(ch.score_health(log, groups, now=NOW))


@SETTINGS
@given(seed=st.integers(0, 2**32 - 1), chunk=st.integers(1, 7000))
def test_row_order_and_batches_do_not_matter(log, groups, full, seed, chunk):
    import numpy as np

    order = np.random.default_rng(seed).permutation(log.num_rows)
    shuffled = log.take(pa.array(order))
    batches = pa.Table.from_batches(shuffled.to_batches(max_chunksize=chunk))
    assert pa.table(ch.score_health(batches, groups, now=NOW)).equals(full)


@SETTINGS
@given(data=st.data())
def test_a_subset_of_groups_scores_the_same(log, groups, full, data):
    names = sorted(set(log.column("group").to_pylist()))
    some = data.draw(st.lists(st.sampled_from(names), min_size=1, max_size=8, unique=True))
    part = log.filter(pa.compute.is_in(log.column("group"), pa.array(some)))
    facts = {"staff": groups["staff"], "groups": [g for g in groups["groups"] if g["group"] in some]}
    got = pa.table(ch.score_health(part, facts, now=NOW))
    want = full.filter(pa.compute.is_in(full.column("group"), pa.array(some)))
    assert got.equals(want)
