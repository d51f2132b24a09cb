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
    if isinstance(expect, dict) and set(expect) == {"error"}:
        with pytest.raises(ch.Error) as e:
            run_query(net, step, query, name)
        assert e.value.code == expect["error"], f"{name}: query {query}: {e.value}"
        return
    got = run_query(net, step, query, name)
    if query == "check":
        got = {k: getattr(got, k) for k in expect}
    if query == "nearest":
        assert [g["id"] for g in got] == [x["id"] for x in expect], f"{name}: {step}"
        for g, x in zip(got, expect):
            assert abs(g["distance_m"] - x["distance_m"]) <= 1, f"{name}: {step}: {got}"
        return
    assert got == expect, f"{name}: query {query}: {step}"


def run_query(net, step, query, name):
    if query == "subtree":
        return net.subtree(step["id"])
    if query == "status":
        return net.node(step["id"])["status"]
    if query == "is_ancestor":
        return net.is_ancestor(step["ancestor"], step["node"])
    if query == "check":
        return net.check(step["person"], step["capability"], step["node"], now=step["now"])
    if query == "nodes_where":
        # Every page, in order, two at a time (as the core runner reads them).
        ids, after = [], None
        while True:
            page, after = net.nodes_where(step["person"], step["capability"], now=step["now"],
                                          after=after, limit=2)
            ids += page
            if after is None:
                return ids
    if query == "who_can":
        return sorted(w["person"] for w in net.who_can(step["capability"], step["node"], now=step["now"]))
    if query == "lookup":
        return net.lookup(step["lon"], step["lat"])
    if query == "nearest":
        return [{"id": i, "distance_m": d} for i, d in net.nearest(step["lon"], step["lat"], k=step["k"])]
    pytest.fail(f"{name}: unknown query {query!r}; every runner must know every step kind")


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
