"""Type stubs of the extension module ``chapterhouse._chapterhouse``."""

import datetime
from typing import Any, ClassVar, Dict, List, Mapping, Optional, Sequence, Tuple, Union

import numpy as np
import numpy.typing as npt

# A point in time: RFC 3339 text, a datetime (naive = UTC), a date (midnight
# UTC), a pandas Timestamp or a NumPy datetime64.
When = Union[str, datetime.datetime, datetime.date, np.datetime64]
# A coordinate column: a NumPy array (float64 is read in place), an Arrow
# array or chunked array, a pandas or polars Series, a list of numbers.
Coords = Union[npt.ArrayLike, Any]
# A territory filter: None (active, public), "all", or a dict with
# statuses, visibilities, kinds and tags.
Filter = Union[None, str, Mapping[str, Any]]
# A JSON document: a dict or list, or JSON text.
JsonLike = Union[str, Mapping[str, Any], Sequence[Any]]

def version() -> str:
    """The library version, e.g. ``"0.1.0"``."""

class Network:
    """A chapter network: the organization, its regions and chapters, the
    policy, people and grants."""

    @staticmethod
    def from_json(json: str) -> "Network":
        """Loads a network from a ``chapterhouse/1`` snapshot (JSON text).

        Raises ``ParseError`` for malformed JSON, ``UnsupportedVersionError``
        for another format, or the ``Error`` subclass of the rule a node breaks.
        """
    def to_json(self) -> str:
        """Saves the network as a canonical ``chapterhouse/1`` snapshot."""
    def __len__(self) -> int:
        """The number of nodes, the organization included."""
    @property
    def revision(self) -> int:
        """How many changes the network has seen."""
    @property
    def root(self) -> str:
        """The organization's id."""
    def node(self, id: str) -> Optional[Dict[str, Any]]:
        """The node with this id as a dict, or ``None``."""
    def ids(self) -> List[str]:
        """Every node id, in preorder."""
    def subtree(self, id: str) -> List[str]:
        """The ids of a node and all its descendants, in preorder."""
    def chapters_under(self, id: str) -> List[str]:
        """The ids of the chapters at or below a node."""
    def path_from_root(self, id: str) -> List[str]:
        """The ids from the organization down to the node."""
    def is_ancestor(self, ancestor: str, node: str) -> bool:
        """True when ``ancestor`` is ``node`` or one of its ancestors."""
    def depth(self, id: str) -> int:
        """The node's depth (the organization is 0)."""
    def apply(self, op: JsonLike, *, actor: str, now: When) -> Dict[str, Any]:
        """Applies one operation (a dict or JSON with an ``"op"`` key)
        completely or not at all; returns the change record. ``actor`` is
        ``"host"`` or a person id (checked against the policy)."""
    def approve(self, id: str, *, actor: str, now: When) -> Dict[str, Any]:
        """Approves a chapter application (applied → active)."""
    def reject(self, id: str, reason: str, *, actor: str, now: When) -> Dict[str, Any]:
        """Rejects a chapter application (applied → rejected)."""
    def archive(self, id: str, reason: str, *, actor: str, now: When) -> Dict[str, Any]:
        """Archives a chapter (active → archived), reversibly."""
    def restore(self, id: str, *, actor: str, now: When) -> Dict[str, Any]:
        """Restores an archived chapter (archived → active)."""
    def grant(
        self,
        id: str,
        person: str,
        role: str,
        scope: Union[str, Mapping[str, str]],
        *,
        actor: str,
        now: When,
        valid_from: Optional[When] = None,
        valid_until: Optional[When] = None,
    ) -> Dict[str, Any]:
        """Gives ``person`` the ``role`` at ``scope`` (a node id or
        ``{"tag": name}``) as grant ``id``."""
    def revoke(self, id: str, *, actor: str, now: When) -> Dict[str, Any]:
        """Withdraws a grant."""
    def check(self, person: str, capability: str, node: str, *, now: When) -> "Decision":
        """May ``person`` use ``capability`` at ``node``? With the explanation."""
    def nodes_where(
        self,
        person: str,
        capability: str,
        *,
        now: When,
        after: Optional[str] = None,
        limit: int = 1000,
    ) -> Tuple[List[str], Optional[str]]:
        """Node ids where ``person`` may use ``capability``, a page at a
        time: ``(ids, next)``; pass ``next`` as ``after`` for the next page."""
    def who_can(self, capability: str, node: str, *, now: When) -> List[Dict[str, Any]]:
        """Everyone who may use ``capability`` at ``node``, nearest grant first."""
    def capabilities_at(self, person: str, node: str, *, now: When) -> List[Dict[str, Any]]:
        """Every capability ``person`` may use at ``node``."""
    def audit(self, capability: str, *, now: When) -> List[Dict[str, Any]]:
        """Everyone who holds ``capability`` anywhere, by grant."""
    def lookup(self, lon: float, lat: float, filter: Filter = None) -> List[str]:
        """Ids of the chapters covering the point, most specific first."""
    def nearest(self, lon: float, lat: float, k: int = 1, filter: Filter = None) -> List[Tuple[str, float]]:
        """The ``k`` nearest chapters as ``(id, metres)``, nearest first."""
    def assign(self, lon: Coords, lat: Coords, filter: Filter = None) -> "Assignment":
        """The most specific covering chapter of each point (GIL released, all cores)."""
    def public_view(self) -> Dict[str, Any]:
        """The public GeoJSON FeatureCollection of listed chapters."""

class Decision:
    """A permission decision; true when allowed; ``str()`` explains it."""

    allowed: bool
    person: str
    capability: str
    node: Optional[str]
    personal_data: bool
    code: str
    grant: Optional[str]
    path: List[str]
    rule: Optional[str]
    explanation: str
    def __bool__(self) -> bool: ...

class ChapterFinder:
    """A territory index built from a GeoJSON FeatureCollection."""

    @staticmethod
    def from_geojson(collection: JsonLike) -> "ChapterFinder":
        """Builds the index; feature ids become chapter ids."""
    @property
    def ids(self) -> List[str]:
        """The indexed ids, most specific first."""
    @property
    def warnings(self) -> List[str]:
        """Problems that did not prevent indexing."""
    def __len__(self) -> int: ...
    def lookup(self, lon: float, lat: float, filter: Filter = None) -> List[str]:
        """Ids covering the point, most specific first."""
    def nearest(self, lon: float, lat: float, k: int = 1, filter: Filter = None) -> List[Tuple[str, float]]:
        """The ``k`` nearest as ``(id, metres)``."""
    def assign(self, lon: Coords, lat: Coords, filter: Filter = None) -> "Assignment":
        """The most specific covering id of each point (GIL released, all cores)."""

class Assignment:
    """Per point, the assigned chapter: ``codes`` into ``ids`` (-1: none)."""

    @property
    def codes(self) -> "npt.NDArray[np.int32]": ...
    @property
    def ids(self) -> List[str]: ...
    @property
    def matched(self) -> int:
        """How many points found a chapter."""
    def __len__(self) -> int: ...
    def __arrow_c_array__(self, requested_schema: Any = None) -> Tuple[Any, Any]: ...
    def arrow(self) -> "ArrowArray":
        """The assignment as an Arrow dictionary array."""
    def to_numpy(self) -> "npt.NDArray[np.object_]":
        """Chapter id per point (``None`` where none)."""
    def to_pandas(self) -> Any:
        """A categorical ``pandas.Series``."""
    def to_pyarrow(self) -> Any:
        """A ``pyarrow.DictionaryArray``."""
    def to_polars(self) -> Any:
        """A categorical ``polars.Series``."""

class Table:
    """An Arrow table made by chapterhouse (Arrow PyCapsule interface)."""

    @property
    def num_rows(self) -> int: ...
    @property
    def column_names(self) -> List[str]: ...
    @property
    def metadata(self) -> Dict[str, str]: ...
    def __len__(self) -> int: ...
    def __arrow_c_stream__(self, requested_schema: Any = None) -> Any: ...
    def __arrow_c_schema__(self) -> Any: ...
    def to_pyarrow(self) -> Any:
        """A ``pyarrow.Table`` (no copy)."""
    def to_pandas(self) -> Any:
        """A ``pandas.DataFrame`` (through pyarrow)."""
    def to_polars(self) -> Any:
        """A ``polars.DataFrame`` (no copy)."""

class ArrowArray:
    """One Arrow array made by chapterhouse (Arrow PyCapsule interface)."""

    def __len__(self) -> int: ...
    def __arrow_c_array__(self, requested_schema: Any = None) -> Tuple[Any, Any]: ...
    def __arrow_c_stream__(self, requested_schema: Any = None) -> Any: ...

class HealthModel:
    """The health model; ``HealthModel()`` is the default."""

    def __init__(self) -> None: ...
    @staticmethod
    def from_json(json: str) -> "HealthModel":
        """Reads a model (missing fields keep their defaults)."""
    def to_json(self) -> str: ...

class TriagePlan:
    """Today's review queue."""

    @property
    def rows(self) -> Table:
        """One row per request, in plan order."""
    @property
    def line(self) -> Dict[str, Any]: ...
    @property
    def alerts(self) -> List[Dict[str, Any]]: ...
    @property
    def metrics(self) -> Dict[str, Any]: ...
    @property
    def staff(self) -> List[Dict[str, Any]]: ...
    @property
    def fairness(self) -> Dict[str, Any]:
        """Pass to tomorrow's ``triage(fairness=...)``."""
    def to_json(self) -> str: ...
    def to_text(self, below: int = 10) -> str: ...
    def __len__(self) -> int: ...

def score_health(
    activity: Any,
    *,
    now: When,
    groups: Optional[str] = None,
    model: Optional[HealthModel] = None,
) -> Table: ...
def calibrate(
    activity: Any,
    *,
    now: When,
    groups: Optional[str] = None,
    model: Optional[HealthModel] = None,
) -> Tuple[HealthModel, List[str]]: ...
def triage(
    requests: Any,
    *,
    staff: str,
    now: When,
    chapters: Optional[str] = None,
    fairness: Optional[str] = None,
    config: Optional[JsonLike] = None,
) -> TriagePlan: ...

class Error(Exception):
    """Base class of every error chapterhouse raises."""

    code: ClassVar[Optional[str]]

class ParseError(Error):
    """Input could not be parsed: malformed JSON or CSV, wrong value types."""

    code: ClassVar[str]

class UnsupportedVersionError(Error):
    """A snapshot declares a format version this library does not read."""

    code: ClassVar[str]

class NotFoundError(Error):
    """An id (node, person, role, capability, tag, request) does not exist."""

    code: ClassVar[str]

class AlreadyExistsError(Error):
    """An id is already taken."""

    code: ClassVar[str]

class InvalidValueError(Error):
    """A field's value is malformed or out of range."""

    code: ClassVar[str]

class InvalidStructureError(Error):
    """The change would break the tree: a cycle, a second root, a wrong parent."""

    code: ClassVar[str]

class InvalidTransitionError(Error):
    """The chapter status machine does not allow this transition."""

    code: ClassVar[str]

class InvalidGeometryError(Error):
    """A territory's geometry is invalid."""

    code: ClassVar[str]

class InvalidPolicyError(Error):
    """The policy (roles, capabilities, rules, grants) is inconsistent."""

    code: ClassVar[str]

class PermissionDeniedError(Error):
    """The acting person may not do this."""

    code: ClassVar[str]

class LimitExceededError(Error):
    """Input exceeds a configured limit."""

    code: ClassVar[str]
