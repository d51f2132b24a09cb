"""Tests of the Python package: Network load/save and the exception hierarchy."""

import json

import pytest

import chapterhouse
from chapterhouse import Network

SNAPSHOT = json.dumps(
    {
        "format": "chapterhouse/1",
        "organization": {
            "id": "org",
            "name": "Org",
            "slug": "org",
            "created": "2026-01-01T00:00:00Z",
            "updated": "2026-01-01T00:00:00Z",
        },
        "nodes": [],
    }
)

KIND_CODES = {
    "ParseError": "parse",
    "UnsupportedVersionError": "unsupported_version",
    "NotFoundError": "not_found",
    "AlreadyExistsError": "already_exists",
    "InvalidValueError": "invalid_value",
    "InvalidStructureError": "invalid_structure",
    "InvalidTransitionError": "invalid_transition",
    "InvalidGeometryError": "invalid_geometry",
    "InvalidPolicyError": "invalid_policy",
    "PermissionDeniedError": "permission_denied",
    "LimitExceededError": "limit_exceeded",
}


def test_version_matches_the_package():
    from importlib.metadata import version

    assert chapterhouse.__version__ == chapterhouse.version() == version("chapterhouse")


def test_round_trip_through_the_core():
    net = Network.from_json(SNAPSHOT)
    assert len(net) == 1
    saved = net.to_json()
    assert json.loads(saved)["organization"]["id"] == "org"
    # Saving is canonical: load(save(x)) saves to the same text.
    assert Network.from_json(saved).to_json() == saved


def test_malformed_json_raises_parse_error_with_position():
    with pytest.raises(chapterhouse.ParseError, match="line 1") as info:
        Network.from_json('{"format":')
    assert isinstance(info.value, chapterhouse.Error)
    assert info.value.code == "parse"


def test_future_format_raises_unsupported_version():
    with pytest.raises(chapterhouse.UnsupportedVersionError, match="chapterhouse/9"):
        Network.from_json('{"format":"chapterhouse/9"}')


def test_a_broken_rule_raises_that_rules_subclass():
    doc = json.loads(SNAPSHOT)
    doc["nodes"] = [
        {
            "id": "r",
            "kind": "region",
            "parent": "nowhere",
            "name": "R",
            "slug": "r",
            "created": "2026-01-01T00:00:00Z",
            "updated": "2026-01-01T00:00:00Z",
        }
    ]
    with pytest.raises(chapterhouse.Error, match="nowhere") as info:
        Network.from_json(json.dumps(doc))
    assert type(info.value) is not chapterhouse.Error
    assert type(info.value).code not in (None, "parse")


def test_wrong_argument_type_is_a_type_error():
    with pytest.raises(TypeError):
        Network.from_json(b"{}")  # type: ignore[arg-type]


def test_one_subclass_per_kind_each_with_its_code():
    assert chapterhouse.Error.code is None
    assert issubclass(chapterhouse.Error, Exception)
    for name, code in KIND_CODES.items():
        cls = getattr(chapterhouse, name)
        assert issubclass(cls, chapterhouse.Error), name
        assert cls is not chapterhouse.Error
        assert cls.code == code
        assert cls.__module__ == "chapterhouse"


def test_package_ships_stubs_and_py_typed():
    from importlib.resources import files

    pkg = files("chapterhouse")
    assert pkg.joinpath("py.typed").is_file()
    assert pkg.joinpath("_chapterhouse.pyi").is_file()
