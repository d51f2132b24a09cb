"""score_health and calibrate: every input kind gives the same table, the
table has one explained row per group, and bad input names the column."""

import json

import numpy as np
import pandas as pd
import polars as pl
import pyarrow as pa
import pytest

import chapterhouse as ch
from conftest import NOW

COMPONENTS = ["activity", "leadership", "impact", "growth", "conversation"]
STATUSES = {"new", "thriving", "steady", "at_risk", "dormant"}


@pytest.fixture(scope="module")
def from_csv(activity_csv, groups_json):
    return pa.table(ch.score_health(activity_csv, groups_json, now=NOW))


def test_one_explained_row_per_group(from_csv, groups):
    t = from_csv
    assert t.num_rows == len(groups["groups"]) == 69
    df = t.to_pandas()
    assert list(df["group"]) == sorted(df["group"])
    assert set(df["status"]) <= STATUSES
    assert df["score"].between(0, 100).all()
    # The contributions add up to the score exactly.
    total = sum(df[f"{c}_contribution"] for c in COMPONENTS)
    assert (total == df["score"]).all()
    for c in COMPONENTS:
        assert df[f"{c}_score"].between(0, 100).all()
        assert df[f"{c}_facts"].str.len().gt(0).all()
    assert all(e.startswith(g + ": ") for g, e in zip(df["group"], df["explanation"]))
    assert set(df["intervention"]) <= {
        "onboarding_call", "recognition_and_buddying", "monthly_check_in",
        "check_in_and_grow_host", "mentor_contact", "call_for_new_leader",
    }
    assert df["bus_factor"].dtype == bool
    assert t.schema.metadata[b"as_of"].startswith(b"2026-11-01T00:00:00")


def test_pandas_polars_pyarrow_and_csv_agree(from_csv, activity_pandas, groups_json):
    pdf = activity_pandas
    inputs = {
        "pandas": pdf,
        "pyarrow": pa.Table.from_pandas(pdf, preserve_index=False),
        "polars": pl.from_pandas(pdf),
        "pyarrow record batch": pa.RecordBatch.from_pandas(pdf, preserve_index=False),
        "pyarrow batch reader": pa.RecordBatchReader.from_batches(
            *(lambda t: (t.schema, t.to_batches(max_chunksize=5000)))(pa.Table.from_pandas(pdf, preserve_index=False))
        ),
    }
    for name, table in inputs.items():
        got = pa.table(ch.score_health(table, groups_json, now=NOW))
        assert got.equals(from_csv), name


def test_column_layouts_agree(from_csv, activity_pandas, groups_json):
    """Categorical (dictionary) text, kind codes, text times, polars' string
    views, float32 values and int time units all read the same."""
    pdf = activity_pandas.copy()
    variants = {}
    cat = pdf.copy()
    for c in ("group", "kind", "actor"):
        cat[c] = cat[c].astype("category")
    variants["categorical"] = cat
    codes = pdf.copy()
    kinds = ["event_held", "member_joined", "member_left", "leader_action", "post",
             "petition_started", "action_reported", "win"]
    codes["kind"] = codes["kind"].map(kinds.index).astype("uint8")
    variants["kind codes"] = codes
    text_times = pdf.copy()
    text_times["time"] = text_times["time"].dt.strftime("%Y-%m-%dT%H:%M:%SZ")
    variants["text times"] = text_times
    f32 = pdf.copy()
    f32["value"] = f32["value"].astype("float32")
    variants["float32 values"] = f32
    secs = pa.Table.from_pandas(pdf, preserve_index=False)
    secs = secs.set_column(1, "time", secs["time"].cast(pa.timestamp("s", tz="UTC")))
    variants["seconds"] = secs
    naive = pdf.copy()
    naive["time"] = naive["time"].dt.tz_localize(None)
    variants["naive times (UTC)"] = naive
    variants["polars categorical"] = pl.from_pandas(pdf).with_columns(pl.col("group").cast(pl.Categorical))
    variants["large strings"] = pa.Table.from_pandas(pdf, preserve_index=False).cast(
        pa.schema([("group", pa.large_string()), ("time", pa.timestamp("ns", tz="UTC")),
                   ("kind", pa.large_string()), ("value", pa.float64()), ("actor", pa.large_string())])
    )
    variants["extra columns"] = pdf.assign(note="x", __index_level_0__=1)
    for name, table in variants.items():
        got = pa.table(ch.score_health(table, groups_json, now=NOW))
        assert got.equals(from_csv), name


def test_output_converts_to_every_library(activity_csv, groups_json):
    t = ch.score_health(activity_csv, groups_json, now=NOW)
    assert isinstance(t, ch.Table)
    assert len(t) == t.num_rows == 69
    assert "score" in t.column_names
    assert t.metadata["as_of"].startswith("2026-11-01T00:00:00")
    assert "69 rows" in repr(t)
    pdf, pldf, patab = t.to_pandas(), t.to_polars(), t.to_pyarrow()
    assert isinstance(pdf, pd.DataFrame) and isinstance(pldf, pl.DataFrame)
    assert pldf.shape == pdf.shape == (patab.num_rows, patab.num_columns)
    assert pl.DataFrame(t).equals(pldf)
    assert pldf["score"].to_list() == pdf["score"].tolist()
    # Export twice: each consumer gets its own stream.
    assert pa.table(t).equals(pa.table(t))


def test_groups_as_dict_path_and_text_agree(from_csv, activity_csv, groups, data_dir):
    for g in (groups, json.dumps(groups), str(data_dir / "groups.json"), data_dir / "groups.json"):
        assert pa.table(ch.score_health(activity_csv, g, now=NOW)).equals(from_csv)


def test_now_as_datetime_kinds(from_csv, activity_csv, groups_json):
    from datetime import date, datetime, timezone

    for now in (
        datetime(2026, 11, 1, tzinfo=timezone.utc),
        datetime(2026, 11, 1),  # naive: UTC
        date(2026, 11, 1),
        pd.Timestamp("2026-11-01", tz="UTC"),
        np.datetime64("2026-11-01T00:00:00"),
        "2026-11-01T01:00:00+01:00",
    ):
        assert pa.table(ch.score_health(activity_csv, groups_json, now=now)).equals(from_csv), now


def test_a_group_depends_only_on_its_own_rows(from_csv, activity_pandas, groups):
    some = sorted(activity_pandas["group"].unique())[::3]
    part = activity_pandas[activity_pandas["group"].isin(some)]
    facts = {"staff": groups["staff"], "groups": [g for g in groups["groups"] if g["group"] in some]}
    got = pa.table(ch.score_health(part, facts, now=NOW)).to_pandas()
    want = from_csv.to_pandas().set_index("group").loc[some].reset_index()
    pd.testing.assert_frame_equal(got, want)


def test_without_facts_and_without_optional_columns(activity_pandas):
    # Without actors, leader actions cannot be told apart: leave them out.
    log = activity_pandas[activity_pandas["kind"] != "leader_action"][["group", "time", "kind"]]
    t = ch.score_health(log, now=NOW)
    df = t.to_pandas()
    assert len(df) == log["group"].nunique()
    assert (df["leadership_score"] == 0).all()
    with pytest.raises(ch.InvalidValueError, match="column actor: is required for leader_action"):
        ch.score_health(activity_pandas[["group", "time", "kind"]], now=NOW)
    assert df["score"].between(0, 100).all()


def test_model_and_calibration(activity_csv, groups_json, from_csv):
    model, notes = ch.calibrate(activity_csv, groups_json, now=NOW)
    assert isinstance(model, ch.HealthModel)
    assert any("attendance cap" in n for n in notes)
    cal = pa.table(ch.score_health(activity_csv, groups_json, now=NOW, model=model))
    assert cal.num_rows == from_csv.num_rows
    assert not cal.column("score").equals(from_csv.column("score"))
    # A model round-trips through JSON and dicts.
    again = ch.HealthModel.from_json(model.to_json())
    assert again.to_json() == model.to_json()
    as_dict = pa.table(ch.score_health(activity_csv, groups_json, now=NOW, model=json.loads(model.to_json())))
    assert as_dict.equals(cal)
    default = pa.table(ch.score_health(activity_csv, groups_json, now=NOW, model=ch.HealthModel()))
    assert default.equals(from_csv)


# ------------------------------------------------------------------ errors


def test_missing_column_is_named(activity_pandas):
    with pytest.raises(ch.ParseError, match='no column named "kind"') as e:
        ch.score_health(activity_pandas.rename(columns={"kind": "type"}), now=NOW)
    assert "type" in str(e.value)  # lists the columns found


def test_wrong_column_type_is_named(activity_pandas):
    bad = activity_pandas.assign(group=np.arange(len(activity_pandas)))
    with pytest.raises(ch.ParseError, match="column group has type int64; expected text"):
        ch.score_health(bad, now=NOW)
    bad = activity_pandas.assign(time=np.arange(len(activity_pandas)))
    with pytest.raises(ch.ParseError, match="column time has type int64"):
        ch.score_health(bad, now=NOW)
    bad = activity_pandas.assign(value="x")
    with pytest.raises(ch.ParseError, match="column value has type .*; expected numbers"):
        ch.score_health(bad, now=NOW)


def test_bad_values_name_row_and_column(activity_pandas):
    bad = activity_pandas.copy()
    bad.loc[7, "kind"] = "meeting"
    with pytest.raises(ch.InvalidValueError, match="row 7, column kind"):
        ch.score_health(bad, now=NOW)
    bad = activity_pandas.copy()
    bad.loc[3, "group"] = None
    with pytest.raises(ch.InvalidValueError, match="row 3, column group: is missing"):
        ch.score_health(bad, now=NOW)
    bad = activity_pandas.copy()
    bad.loc[11, "value"] = -2.0
    with pytest.raises(ch.InvalidValueError, match="row 11, column value"):
        ch.score_health(bad, now=NOW)
    text = activity_pandas.assign(time=activity_pandas["time"].dt.strftime("%Y-%m-%dT%H:%M:%SZ"))
    text.loc[5, "time"] = "yesterday"
    with pytest.raises(ch.InvalidValueError, match='row 5, column time: "yesterday" is not an RFC 3339'):
        ch.score_health(text, now=NOW)


def test_row_numbers_count_across_batches(activity_pandas):
    bad = activity_pandas.copy()
    bad.loc[12_345, "kind"] = "meeting"
    reader = pa.Table.from_pandas(bad, preserve_index=False).to_batches(max_chunksize=1000)
    with pytest.raises(ch.Error, match="row 12345, column kind"):
        ch.score_health(pa.Table.from_batches(reader), now=NOW)


def test_bad_csv_names_line_and_column(tmp_path):
    p = tmp_path / "a.csv"
    p.write_text("group,time,kind,value,actor\nch-1,2026-10-01T00:00:00Z,post,,ana\nch-1,never,post,,ana\n")
    with pytest.raises(ch.ParseError, match="csv line 3, column time"):
        ch.score_health(p, now=NOW)
    with pytest.raises(OSError, match="cannot read"):
        ch.score_health(tmp_path / "missing.csv", now=NOW)


def test_bad_arguments(activity_csv):
    with pytest.raises(ch.InvalidValueError, match="not an RFC 3339 time"):
        ch.score_health(activity_csv, now="tomorrow")
    with pytest.raises(TypeError):
        ch.score_health(activity_csv, now=12)
    with pytest.raises(TypeError, match="Arrow PyCapsule"):
        ch.score_health([{"group": "x"}], now=NOW)
    with pytest.raises(ch.ParseError, match="group facts"):
        ch.score_health(activity_csv, {"groups": [{"group": "g", "created": "soon"}]}, now=NOW)
    with pytest.raises(ch.ParseError):
        ch.score_health(activity_csv, "not json and not a file", now=NOW)
    with pytest.raises(ch.AlreadyExistsError, match="twice"):
        ch.score_health(activity_csv, {"groups": [{"group": "g"}, {"group": "g"}]}, now=NOW)
    with pytest.raises(ch.InvalidValueError, match="posts_per_author_per_day"):
        ch.score_health(activity_csv, now=NOW, model={"posts_per_author_per_day": 0})


# ------------------------------------------------------------------ pandas layouts


def _layouts(df):
    """The same log as categoricals (one with an unused and one with a
    missing category), naive and zoned datetimes, NaN values."""
    cat = df.copy()
    for c in ("group", "kind"):
        cat[c] = cat[c].astype("category")
    cat["actor"] = pd.Categorical(cat["actor"], categories=sorted(set(cat["actor"].dropna())) + ["nobody"])
    naive = cat.copy()
    naive["time"] = naive["time"].dt.tz_localize(None).astype("datetime64[ms]")
    return [cat, naive, cat.assign(extra=np.arange(len(cat)))]


def test_pandas_layouts_score_as_arrow(activity_pandas):
    want = pa.table(ch.score_health(pa.Table.from_pandas(activity_pandas), now=NOW))
    for df in _layouts(activity_pandas):
        assert pa.table(ch.score_health(df, now=NOW)).equals(want)
        assert pa.table(ch.score_health(pa.Table.from_pandas(df), now=NOW)).equals(want)


def test_pandas_wide_categoricals_score_as_arrow(activity_pandas):
    """Categoricals of more than 127 categories have 16-bit codes, which are
    read in place: the same scores, and a missing group is still named."""
    want = pa.table(ch.score_health(pa.Table.from_pandas(activity_pandas), now=NOW))
    df = activity_pandas.copy()
    for c in ("group", "actor"):
        used = sorted(set(df[c].dropna()))
        df[c] = pd.Categorical(df[c], categories=[f"unused-{i:03d}" for i in range(200)] + used)
        assert df[c].cat.codes.dtype == np.int16
    assert df["actor"].isna().any()
    assert pa.table(ch.score_health(df, now=NOW)).equals(want)
    df.loc[3, "group"] = None
    with pytest.raises(ch.InvalidValueError, match="row 3, column group.*missing"):
        ch.score_health(df, now=NOW)


def test_pandas_missing_values_are_refused_by_row(activity_pandas):
    df = _layouts(activity_pandas)[0]
    df.loc[3, "group"] = None
    with pytest.raises(ch.InvalidValueError, match="row 3, column group"):
        ch.score_health(df, now=NOW)
    df = _layouts(activity_pandas)[0]
    df.loc[4, "kind"] = None
    with pytest.raises(ch.InvalidValueError, match="row 4, column kind.*missing"):
        ch.score_health(df, now=NOW)
    df = _layouts(activity_pandas)[0]
    df.loc[2, "time"] = pd.NaT
    with pytest.raises(ch.Error, match="row 2, column time"):
        ch.score_health(df, now=NOW)
