"""The shared vectors in tests/conformance/, run one to one as the core's
runner (core/tests/conformance.rs) does."""

import json

import pytest

import chapterhouse as ch
from conftest import CONFORMANCE

FILES = sorted(CONFORMANCE.glob("*.json"))


def test_vectors_are_there():
    assert len(FILES) >= 8


def snapshot_text(case):
    if "snapshot" in case:
        assert "snapshot_text" not in case
        return json.dumps(case["snapshot"])
    return case["snapshot_text"]


def actor_of(actor):
    return "host" if actor == "host" else actor["person"]


def run_step(net, step, name):
    expect = step.get("expect")
    if "apply" in step:
        before = net.to_json()
        if "error" in expect:
            with pytest.raises(ch.Error) as e:
                net.apply(step["apply"], actor=actor_of(step["actor"]), now=step["now"])
            assert e.value.code == expect["error"], f"{name}: {e.value}"
            assert net.to_json() == before, f"{name}: a rejected step changed the network"
        else:
            change = net.apply(step["apply"], actor=actor_of(step["actor"]), now=step["now"])
            if "summary" in expect:
                assert change["summary"] == expect["summary"], name
        return
    query = step["query"]
    if query == "subtree":
        got = net.subtree(step["id"])
    elif query == "status":
        got = net.node(step["id"])["status"]
    elif query == "is_ancestor":
        got = net.is_ancestor(step["ancestor"], step["node"])
    else:
        pytest.fail(f"{name}: unknown query {query!r}; every runner must know every step kind")
    assert got == expect, f"{name}: query {query}"


@pytest.mark.parametrize("path", FILES, ids=[p.name for p in FILES])
def test_vector(path):
    case = json.loads(path.read_text(encoding="utf-8"))
    text = snapshot_text(case)
    if "load_error" in case:
        with pytest.raises(ch.Error) as e:
            ch.Network.from_json(text)
        assert e.value.code == case["load_error"], f"{path.name}: {e.value}"
        return
    net = ch.Network.from_json(text)
    for step in case["steps"]:
        run_step(net, step, path.name)
