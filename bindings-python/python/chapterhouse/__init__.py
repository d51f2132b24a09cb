"""chapterhouse: chapter hierarchy, permissions, group health and action
triage for distributed-organizing networks.

Every error raised is a subclass of :class:`chapterhouse.Error`, one per kind,
each with a ``code`` class attribute (``"not_found"``, ``"parse"``, ...) that is
the same string as the ``code`` of the JS binding and the C ``ch_error_code``.
"""

from ._chapterhouse import (
    AlreadyExistsError,
    Error,
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
    UnsupportedVersionError,
    version,
)

__version__: str = version()

__all__ = [
    "AlreadyExistsError",
    "Error",
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
    "UnsupportedVersionError",
    "__version__",
    "version",
]
