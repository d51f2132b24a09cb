"""chapterhouse: chapter hierarchy, permissions, group health and action
triage for distributed-organizing networks.

Every error raised is a subclass of :class:`chapterhouse.Error`, one per kind,
each with a ``code`` class attribute (``"not_found"``, ``"parse"``, ...) that is
the same string as the ``code`` of the JS binding and the C ``ch_error_code``.

Quickstart (a notebook)::

    import chapterhouse as ch
    scores = ch.score_health("activity.csv", groups="groups.json", now="2026-11-01T00:00:00Z")
    df = scores.to_pandas()
    df.sort_values("score")[["group", "score", "status", "intervention"]]
"""

from __future__ import annotations

import json as _json
import os as _os
import sys as _sys
from datetime import date as _date
from datetime import datetime as _datetime
from typing import Any, Optional, Tuple, Union

from . import _chapterhouse
from ._chapterhouse import (
    AlreadyExistsError,
    ArrowArray,
    Assignment,
    ChapterFinder,
    Decision,
    Error,
    HealthModel,
    InvalidGeometryError,
    InvalidPolicyError,
    InvalidStructureError,
    InvalidTransitionError,
    InvalidValueError,
    LimitExceededError,
    Network,
    NotFoundError,
    ParseError,
    PermissionDeniedError,
    Table,
    TriagePlan,
    UnsupportedVersionError,
    version,
)

__version__: str = version()

_PathLike = Union[str, "_os.PathLike[str]"]


def _json_default(value: Any) -> Any:
    """JSON for the values a DataFrame row or a dict may hold."""
    if isinstance(value, _datetime):
        if value.tzinfo is None:
            return value.isoformat() + "Z"
        return value.isoformat()
    if isinstance(value, _date):
        return value.isoformat() + "T00:00:00Z"
    if hasattr(value, "item"):  # NumPy scalars
        return value.item()
    if hasattr(value, "tolist"):  # NumPy arrays (a staff member's cohorts)
        return value.tolist()
    raise TypeError(f"cannot convert {type(value).__name__} to JSON")


def _is_missing(value: Any) -> bool:
    try:
        return value is None or value != value  # NaN, NaT
    except (TypeError, ValueError):
        return False


def _records(data: Any) -> Any:
    """A list of dicts from a DataFrame (pandas, polars, pyarrow) or records
    as given. Missing values (None, NaN, NaT) are dropped from each record,
    so the field takes its default."""
    if hasattr(data, "to_dicts"):  # polars
        rows = data.to_dicts()
    elif hasattr(data, "to_pylist"):  # pyarrow
        rows = data.to_pylist()
    elif hasattr(data, "to_dict") and hasattr(data, "columns"):  # pandas
        rows = data.to_dict("records")
    else:
        return data
    return [{k: v for k, v in row.items() if not _is_missing(v)} for row in rows]


def _json_doc(data: Any, what: str) -> str:
    """JSON text of `data`: text that starts like JSON as is, a path's file
    contents, or Python objects (dicts, lists, DataFrames) serialized."""
    if isinstance(data, _os.PathLike):
        with open(data, encoding="utf-8") as f:
            return f.read()
    if isinstance(data, str):
        if data.lstrip()[:1] in ("{", "["):
            return data
        if _os.path.exists(data):
            with open(data, encoding="utf-8") as f:
                return f.read()
        raise ParseError(f"{what}: {data[:80]!r} is neither JSON nor the path of a file")
    return _json.dumps(_records(data), default=_json_default)


_ACTIVITY_COLUMNS = ("group", "time", "kind", "value", "actor")


def _activity(activity: Any) -> Any:
    """A pandas DataFrame's activity columns as a pyarrow Table that shares
    their memory wherever pandas' layout already is Arrow's: categorical
    codes become dictionary indices, datetime64 values timestamps, float64
    values floats with NaN kept (NaN is a missing value to the scorer).
    Other activity columns go through pyarrow's own conversion, columns the
    scorer does not read become null columns of the same name, and anything
    that is not a pandas DataFrame is returned as it is. pandas' own Arrow export
    copies every column and turns NaN into nulls, which for millions of rows
    costs more than the scoring."""
    pd = _sys.modules.get("pandas")
    if pd is None or not isinstance(activity, pd.DataFrame) or not activity.columns.is_unique:
        return activity
    import numpy as np
    import pyarrow as pa

    def shared(pa_type: Any, values: Any) -> Any:
        values = np.ascontiguousarray(values)
        return pa.Array.from_buffers(pa_type, len(values), [None, pa.py_buffer(values)])

    def column(s: Any) -> Any:
        dtype = s.dtype
        if isinstance(dtype, pd.CategoricalDtype):
            codes = s.array.codes  # the Categorical's own codes (a view, not a copy)
            categories = pa.array(dtype.categories)
            # The scorer checks every key against the dictionary itself and
            # reads pandas' -1 (a missing value) as a null key.
            return pa.DictionaryArray.from_arrays(shared(pa.from_numpy_dtype(codes.dtype), codes),
                                                  categories, safe=False)
        if isinstance(dtype, pd.DatetimeTZDtype) or (isinstance(dtype, np.dtype) and dtype.kind == "M"):
            ints = s.array.asi8
            if len(ints) and ints.min() == np.iinfo(np.int64).min:  # NaT
                return pa.array(s)
            unit = np.datetime_data(s.array.dtype if isinstance(dtype, np.dtype) else
                                    np.dtype(f"M8[{dtype.unit}]"))[0]
            tz = getattr(dtype, "tz", None)
            return shared(pa.timestamp(unit, tz=None if tz is None else str(tz)), ints)
        if isinstance(dtype, np.dtype) and dtype == np.float64:
            return shared(pa.float64(), s.to_numpy())
        return pa.array(s)

    # Columns the scorer does not read are only named (for its errors).
    names = [str(c) for c in activity.columns]
    arrays = [column(activity[c]) if c in _ACTIVITY_COLUMNS else pa.nulls(len(activity))
              for c in activity.columns]
    return pa.Table.from_arrays(arrays, names=names)


def _model(model: Any) -> Optional[HealthModel]:
    if model is None or isinstance(model, HealthModel):
        return model
    return HealthModel.from_json(_json_doc(model, "model"))


def score_health(
    activity: Any,
    groups: Any = None,
    *,
    now: Any,
    model: Any = None,
) -> Table:
    """Scores every group's health as of ``now``: one row per group.

    ``activity`` is any table that speaks the Arrow PyCapsule interface (a
    pyarrow Table, a pandas or polars DataFrame, a DuckDB result) or the path
    of a CSV file, with the columns ``group`` (text), ``time`` (timestamps,
    dates or RFC 3339 text; naive times are UTC), ``kind`` (text such as
    ``event_held``, or codes 0-7), ``value`` (numbers, optional) and
    ``actor`` (text, optional). Other columns are ignored. The columns are
    read in place: no Python object is made per row.

    ``groups`` are the per-group facts (created, leaders, pauses, cohort,
    previous status) and the staff list: a dict, JSON text or the path of a
    JSON file, as ``examples/data/groups.json``. ``model`` is a
    :class:`HealthModel`, a dict or JSON (default: ``HealthModel()``).

    Returns a :class:`Table` (Arrow; ``.to_pandas()``, ``.to_polars()``,
    ``pyarrow.table(t)``) with, per group: ``score``, ``status``,
    ``previous_status``, ``status_reason``, ``intervention``,
    ``intervention_text``, for each component (activity, leadership,
    impact, growth, conversation) ``<c>_score``, ``<c>_contribution``,
    ``<c>_headroom`` and ``<c>_facts``, the flags ``bus_factor``,
    ``low_data``, ``paused``, ``active_leaders``, ``age_days``, the trend
    and ``explanation`` (the whole report in plain words). The schema's
    metadata holds ``as_of``.

    A group's row depends only on its own activity and facts, so scoring
    partitions split by group gives the same rows as scoring everything at
    once (see docs/python.md for Dask and Spark). Releases the GIL.
    """
    facts = None if groups is None else _json_doc(groups, "groups")
    return _chapterhouse.score_health(_activity(activity), now=now, groups=facts, model=_model(model))


def calibrate(
    activity: Any,
    groups: Any = None,
    *,
    now: Any,
    model: Any = None,
) -> Tuple[HealthModel, list]:
    """Fits the model's calibration (attendance caps, saturation constants)
    to the network's own history. Returns ``(model, notes)``: the model to
    pass to :func:`score_health`, and what was fitted from what, in words.

    Calibrate once on the whole log, then score with the fitted model: for a
    distributed run, pass the same fitted model to every partition.
    """
    facts = None if groups is None else _json_doc(groups, "groups")
    return _chapterhouse.calibrate(_activity(activity), now=now, groups=facts, model=_model(model))


def triage(
    requests: Any,
    staff: Any,
    *,
    now: Any,
    chapters: Any = None,
    fairness: Any = None,
    config: Any = None,
) -> TriagePlan:
    """Plans today's review queue: which requests central staff handle
    today, in one strict order, each with its reason.

    ``requests`` is a table that speaks the Arrow PyCapsule interface (a
    pandas, polars or pyarrow table with the columns ``id``, ``kind``,
    ``chapter``, ``tier``, ``created``, ``minutes`` and optionally ``due``,
    ``safety_legal``, ``day_of_action``, ``reach``, ``title``) or a list of
    dicts with the same fields. ``staff`` (``id``, ``minutes``, optional
    ``name``, ``cohorts``, ``mentoring_minutes``) and ``chapters`` (``id``,
    optional ``cohort``, ``health``, ``mentor``) are lists of dicts or
    DataFrames; ``fairness`` is the previous plan's ``plan.fairness``;
    ``config`` a dict of :class:`TriageConfig` settings.

    Returns a :class:`TriagePlan`: ``rows`` (a :class:`Table`), ``line``,
    ``alerts``, ``metrics``, ``staff``, ``fairness``, ``to_text()``.
    """
    is_arrow = hasattr(requests, "__arrow_c_stream__") or hasattr(requests, "__arrow_c_array__")
    reqs = requests if is_arrow else _json.dumps(_records(list(requests)), default=_json_default)
    return _chapterhouse.triage(
        reqs,
        staff=_json.dumps(_records(staff), default=_json_default),
        now=now,
        chapters=None if chapters is None else _json.dumps(_records(chapters), default=_json_default),
        fairness=None if fairness is None else _json.dumps(fairness, default=_json_default),
        config=config,
    )


__all__ = [
    "AlreadyExistsError",
    "ArrowArray",
    "Assignment",
    "ChapterFinder",
    "Decision",
    "Error",
    "HealthModel",
    "InvalidGeometryError",
    "InvalidPolicyError",
    "InvalidStructureError",
    "InvalidTransitionError",
    "InvalidValueError",
    "LimitExceededError",
    "Network",
    "NotFoundError",
    "ParseError",
    "PermissionDeniedError",
    "Table",
    "TriagePlan",
    "UnsupportedVersionError",
    "__version__",
    "calibrate",
    "score_health",
    "triage",
    "version",
]
