"""Network mutations and permission queries on the sample network."""

import json

import pytest

import chapterhouse as ch
from conftest import NOW


def test_hierarchy_queries(network):
    assert network.root == "cwa"
    ids = network.ids()
    assert ids[0] == "cwa" and len(ids) == len(network)
    assert network.subtree("new-england")[0] == "new-england"
    assert "ch-boston" in network.chapters_under("northeast")
    assert network.path_from_root("ch-boston")[0] == "cwa"
    assert network.path_from_root("ch-boston")[-1] == "ch-boston"
    assert network.is_ancestor("northeast", "ch-boston")
    assert not network.is_ancestor("ch-boston", "northeast")
    assert network.depth("cwa") == 0
    boston = network.node("ch-boston")
    assert boston["level"] == "chapter" and boston["status"] == "active"
    assert boston["territory"]["type"] in ("Polygon", "MultiPolygon", "Point")
    assert network.node("nowhere") is None
    with pytest.raises(ch.NotFoundError, match="nowhere"):
        network.subtree("nowhere")


def test_lifecycle_mutations_and_change_records(network):
    rev = network.revision
    change = network.apply(
        {"op": "apply_chapter", "id": "ch-new", "parent": "northeast", "name": "New Group",
         "slug": "new-group", "group_kind": "issue"},
        actor="host", now=NOW,
    )
    assert change["summary"].startswith("issue group ch-new")
    assert change["revision"] == rev + 1 and change["actor"] == "host"
    assert network.node("ch-new")["status"] == "applied"
    assert network.approve("ch-new", actor="host", now=NOW)["summary"] == \
        "approved chapter ch-new (applied → active)"
    network.archive("ch-new", "leaders moved away", actor="host", now=NOW)
    assert network.node("ch-new")["status_reason"] == "leaders moved away"
    network.restore("ch-new", actor="host", now=NOW)
    assert network.node("ch-new")["status"] == "active"
    # JSON text works as well as a dict.
    network.apply(json.dumps({"op": "archive", "id": "ch-new", "reason": "x"}), actor="host", now=NOW)
    # A refused step leaves the network as it was.
    before = network.to_json()
    with pytest.raises(ch.InvalidTransitionError):
        network.approve("ch-new", actor="host", now=NOW)
    with pytest.raises(ch.NotFoundError):
        network.approve("ch-404", actor="host", now=NOW)
    assert network.to_json() == before


def test_bad_operations(network):
    with pytest.raises(ch.ParseError, match="operation"):
        network.apply({"op": "fly", "id": "x"}, actor="host", now=NOW)
    with pytest.raises(ch.ParseError, match="operation"):
        network.apply("{not json", actor="host", now=NOW)
    with pytest.raises(ch.InvalidValueError, match="actor"):
        network.approve("ch-boston", actor="has space", now=NOW)
    with pytest.raises(ch.InvalidValueError, match="RFC 3339"):
        network.approve("ch-boston", actor="host", now="someday")


def test_grants_and_checks(network):
    d = network.check("p-0001", "members.export", "ch-boston", now=NOW)
    assert isinstance(d, ch.Decision)
    assert d and d.allowed and d.code == "allow"
    assert d.grant == "g-0001" and d.path[0] == "cwa" and d.path[-1] == "ch-boston"
    assert d.personal_data
    assert str(d).startswith("allowed: p-0001 may members.export at ch-boston")
    network.apply({"op": "set_person", "id": "p-new", "name": "New Person"}, actor="host", now=NOW)
    no = network.check("p-new", "members.export", "ch-boston", now=NOW)
    assert not no and no.code == "no_grant"
    assert "holds no grant" in no.explanation
    network.grant("g-new", "p-new", "co_leader", "ch-boston", actor="host", now=NOW)
    yes = network.check("p-new", "event.create", "ch-boston", now=NOW)
    assert yes.allowed and yes.grant == "g-new"
    reserved = network.check("p-new", "chapter.approve", "ch-boston", now=NOW)
    assert reserved.code == "reserved_to_central"
    assert network.nodes_where("p-new", "event.create", now=NOW) == (["ch-boston"], None)
    who = network.who_can("event.create", "ch-boston", now=NOW)
    assert any(w["person"] == "p-new" and w["grant"] == "g-new" for w in who)
    assert all(w["explanation"].startswith("allowed:") for w in who)
    caps = {c["capability"] for c in network.capabilities_at("p-new", "ch-boston", now=NOW)}
    assert "event.create" in caps and "chapter.approve" not in caps
    network.revoke("g-new", actor="host", now=NOW)
    assert not network.check("p-new", "event.create", "ch-boston", now=NOW)
    # Time-bounded grant: lapses on its own.
    network.grant("g-t", "p-new", "member", "ch-boston", actor="host", now=NOW,
                  valid_until="2026-12-01T00:00:00Z")
    assert network.check("p-new", "chapter.view", "ch-boston", now=NOW)
    late = network.check("p-new", "chapter.view", "ch-boston", now="2027-01-01T00:00:00Z")
    assert late.code == "expired" and late.grant == "g-t"


def test_a_person_actor_is_checked(network):
    network.apply({"op": "set_person", "id": "p-new"}, actor="host", now=NOW)
    with pytest.raises(ch.PermissionDeniedError):
        network.approve("ch-boston", actor="p-new", now=NOW)


def test_nodes_where_pages(network):
    ids, nxt = network.nodes_where("p-0001", "chapter.view", now=NOW, limit=5)
    assert len(ids) == 5 and nxt == ids[-1]
    more, _ = network.nodes_where("p-0001", "chapter.view", now=NOW, after=nxt, limit=5)
    assert more and not set(more) & set(ids)
    everything, end = network.nodes_where("p-0001", "chapter.view", now=NOW, limit=10_000)
    assert end is None and everything[:10] == ids + more


def test_audit(network):
    entries = network.audit("members.export", now=NOW)
    assert entries and {"person", "grant", "role", "scope", "blocked_by", "explanation"} <= set(entries[0])
    assert any(e["grant"] == "g-0002" for e in entries)
    with pytest.raises(ch.NotFoundError, match="no.such"):
        network.audit("no.such", now=NOW)


def test_unknown_ids_in_queries(network):
    with pytest.raises(ch.NotFoundError):
        network.check("p-0001", "members.export", "ch-nowhere", now=NOW)
    with pytest.raises(ch.NotFoundError):
        network.check("p-0001", "no.capability", "ch-boston", now=NOW)
    with pytest.raises(ch.NotFoundError):
        network.who_can("members.export", "ch-nowhere", now=NOW)
