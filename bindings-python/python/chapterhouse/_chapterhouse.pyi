"""Type stubs of the extension module ``chapterhouse._chapterhouse``."""

from typing import ClassVar, Optional

def version() -> str:
    """The library version, e.g. ``"0.1.0"``."""

class Network:
    """A chapter network: the organization, its regions and chapters."""

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
