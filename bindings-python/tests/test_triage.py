"""triage: the same plan from a list of dicts and from pandas, polars and
pyarrow tables; errors name the request, row and column."""

import json
from datetime import datetime, timedelta, timezone

import pandas as pd
import polars as pl
import pyarrow as pa
import pytest

import chapterhouse as ch

NOW = datetime(2026, 11, 2, 9, 0, tzinfo=timezone.utc)
KINDS = ["event_approval", "leader_application", "campaign_review", "support_request"]


def make_requests(n=60):
    out = []
    for i in range(n):
        created = NOW - timedelta(hours=5 + 7 * i)
        r = {
            "id": f"r-{i:03}",
            "kind": KINDS[i % 4],
            "chapter": f"ch-{i % 7}",
            "tier": 1 + i % 3,
            "created": created,
            "minutes": 15 + (i * 13) % 90,
        }
        if i % 2 == 0:
            r["due"] = NOW + timedelta(hours=6 + 11 * i)
        if i % 11 == 0:
            r["safety_legal"] = True
        if i % 5 == 0:
            r["day_of_action"] = True
            r["reach"] = 50 * i
        if i % 3 == 0:
            r["title"] = f"request {i}"
        out.append(r)
    return out


STAFF = [
    {"id": "ana", "name": "Ana", "minutes": 240, "cohorts": ["north"]},
    {"id": "bo", "minutes": 180},
]
CHAPTERS = [{"id": "ch-1", "cohort": "north", "health": "at_risk", "mentor": "ana"}]


def as_frame(requests):
    df = pd.DataFrame(requests)
    df["created"] = pd.to_datetime(df["created"], utc=True)
    df["due"] = pd.to_datetime(df["due"], utc=True)
    return df


@pytest.fixture(scope="module")
def plan():
    return ch.triage(make_requests(), STAFF, chapters=CHAPTERS, now=NOW)


def test_plan_shape(plan):
    assert isinstance(plan, ch.TriagePlan)
    rows = plan.rows.to_pandas()
    assert len(rows) == len(plan) == 60
    assert list(rows["rank"]) == list(range(1, 61))
    assert rows["request"].is_unique
    assert rows["reason"].str.len().gt(0).all()
    assert rows["today"].iloc[0]
    above = rows[rows["today"]]
    assert above["minutes_today"].sum() <= plan.line["capacity_minutes"] + plan.line["escalated_minutes"]
    assert plan.line["after_rank"] == len(above)
    assert {a["alert"] for a in plan.alerts} >= {"escalate_now"}
    assert all(a["message"] for a in plan.alerts)
    assert "rank" in plan.to_text(5)
    assert json.loads(plan.to_json())["rows"][0]["rank"] == 1
    assert isinstance(plan.fairness, dict) and isinstance(plan.metrics, dict)
    assert isinstance(plan.staff, list) and len(plan.staff) == 2


def test_every_input_form_gives_the_same_plan(plan):
    reqs = make_requests()
    df = as_frame(reqs)
    forms = {
        "pandas": df,
        "pyarrow": pa.Table.from_pandas(df, preserve_index=False),
        "polars": pl.from_pandas(df),
        "json text dates": [{k: (v.isoformat() if isinstance(v, datetime) else v) for k, v in r.items()} for r in reqs],
    }
    want = plan.to_json()
    for name, r in forms.items():
        got = ch.triage(r, pd.DataFrame(STAFF), chapters=pl.DataFrame(CHAPTERS), now=NOW)
        assert got.to_json() == want, name


def test_tomorrow_takes_the_fairness_state(plan):
    tomorrow = ch.triage(make_requests(), STAFF, chapters=CHAPTERS, now=NOW + timedelta(days=1),
                         fairness=plan.fairness)
    assert len(tomorrow) == 60


def test_errors_name_the_request_and_field():
    reqs = make_requests(5)
    reqs[2]["minutes"] = 0
    with pytest.raises(ch.InvalidValueError, match="r-002.*minutes"):
        ch.triage(reqs, STAFF, now=NOW)
    df = as_frame(make_requests(5))
    df.loc[3, "kind"] = "party"
    with pytest.raises(ch.InvalidValueError, match='row 3, column kind: "party" is not a request kind'):
        ch.triage(df, STAFF, now=NOW)
    with pytest.raises(ch.ParseError, match='no column named "tier"'):
        ch.triage(as_frame(make_requests(5)).drop(columns="tier"), STAFF, now=NOW)
    with pytest.raises(ch.ParseError, match='unknown column "priority"'):
        ch.triage(as_frame(make_requests(5)).assign(priority=1), STAFF, now=NOW)
    with pytest.raises(ch.ParseError, match="column created has type"):
        ch.triage(as_frame(make_requests(5)).assign(created=1.5), STAFF, now=NOW)
    bad = as_frame(make_requests(5))
    bad.loc[1, "tier"] = 9
    with pytest.raises(ch.InvalidValueError, match="row 1, column tier"):
        ch.triage(bad, STAFF, now=NOW)
    with pytest.raises(ch.AlreadyExistsError, match="r-000"):
        ch.triage(make_requests(3) + make_requests(1), STAFF, now=NOW)
    with pytest.raises(ch.NotFoundError, match="mentor"):
        ch.triage(make_requests(3), STAFF, chapters=[{"id": "ch-1", "mentor": "zed"}], now=NOW)
    with pytest.raises(ch.InvalidValueError, match="after now"):
        ch.triage(make_requests(3), STAFF, now=NOW - timedelta(days=30))
    with pytest.raises(ch.ParseError, match="triage config"):
        ch.triage(make_requests(3), STAFF, now=NOW, config={"speed": 3})
