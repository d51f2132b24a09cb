"""Shared fixtures: the sample network, activity and group facts in
examples/data/, read from the repository."""

import json
import pathlib

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[2]
DATA = ROOT / "examples" / "data"
CONFORMANCE = ROOT / "tests" / "conformance"
NOW = "2026-11-01T00:00:00Z"


@pytest.fixture(scope="session")
def data_dir():
    return DATA


@pytest.fixture(scope="session")
def network_json():
    return (DATA / "network.json").read_text(encoding="utf-8")


@pytest.fixture()
def network(network_json):
    import chapterhouse

    return chapterhouse.Network.from_json(network_json)


@pytest.fixture(scope="session")
def activity_csv():
    return DATA / "activity.csv"


@pytest.fixture(scope="session")
def groups_json():
    return (DATA / "groups.json").read_text(encoding="utf-8")


@pytest.fixture(scope="session")
def groups(groups_json):
    return json.loads(groups_json)


@pytest.fixture(scope="session")
def activity_pandas(activity_csv):
    """The sample activity as an analyst loads it: times parsed, kinds as text."""
    import pandas as pd

    df = pd.read_csv(activity_csv, dtype={"group": "string", "kind": "string", "actor": "string"})
    df["time"] = pd.to_datetime(df["time"], utc=True)
    return df
