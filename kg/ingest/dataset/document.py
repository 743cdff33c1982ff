"""The curation document the reader makes: what ``sources/schema.json`` allows in it (the condition names,
lengths and patterns), and :class:`Curation`, the document with the :class:`Origin` of every generated fact."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, NamedTuple

# sources/schema.json, $defs/conditions: the names a measurement's conditions may have (tests/test_dataset.py
# checks that the two lists agree).
CONDITIONS = (
    "temperature",
    "current_density",
    "areal_capacity",
    "duration",
    "cycles",
    "c_rate",
    "pressure",
    "voltage",
    "atmosphere",
)

# Lengths and patterns of sources/schema.json ($defs: local_id, name, text, refs, key).
_ID_LENGTH = 60
_NAME_LENGTH = 200
_TEXT_LENGTH = 2000
_KEY = re.compile(r"[a-z][a-z0-9_]{1,39}")
_IDENTIFIER_NAME = re.compile(r"[a-z][a-z0-9_]{0,39}")
_DOI = re.compile(r"10\.\d{4,9}/\S+")
_DOI_PREFIX = re.compile(r"(?i)^(?:doi:\s*|https?://(?:dx\.)?doi\.org/)")


class Origin(NamedTuple):
    """Where a generated fact came from: a file as messages show it, a 1-based line, and the table's column
    (``None`` for a constant of the mapping file)."""

    file: str
    line: int
    column: str | None

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}"
        return f"{where}: column {self.column!r}" if self.column is not None else where


@dataclass(frozen=True)
class Curation:
    """A source as a curation document, and where each generated fact of it came from.

    ``origins`` maps ``(local id, field)`` to an :class:`Origin`: ``field`` is a key of the entity (``value``,
    ``of``, ``refs``, ``family``...), a dotted key inside one (``conditions.temperature``,
    ``identifiers.icsd``), or ``None`` for the row the entity was made from. Facts written by hand in the source
    file itself have no origin here.
    """

    document: dict[str, Any]
    origins: Mapping[tuple[str, str | None], Origin]

    def origin(self, local_id: str, field: str | None = None) -> Origin | None:
        """The origin of ``field`` of the entity ``local_id``, else of the nearest enclosing key, else of its row."""
        while True:
            found = self.origins.get((local_id, field))
            if found is not None or field is None:
                return found
            field = field.rpartition(".")[0] or None
