"""The one function that turns result objects into JSON: the CLI's ``--format json`` prints exactly this."""

from __future__ import annotations

import dataclasses
import datetime as _dt
import enum
import json
from collections.abc import Mapping
from typing import Any

SCHEMA_VERSION = 1


def to_jsonable(obj: Any) -> Any:
    """Convert dataclasses, enums, tuples and dates recursively into JSON-ready values.

    Field names are kept as they are in the dataclasses, in declaration order, so the structure is the
    documented one (see README, "JSON output").

    >>> from kg.model.evidence import Reference
    >>> to_jsonable(Reference("https://w3id.org/sslmb/Ref17", 17, "Ref. 17"))
    {'iri': 'https://w3id.org/sslmb/Ref17', 'number': 17, 'label': 'Ref. 17'}
    """
    if dataclasses.is_dataclass(obj) and not isinstance(obj, type):
        out = {f.name: to_jsonable(getattr(obj, f.name)) for f in dataclasses.fields(obj)}
        for name in getattr(type(obj), "__json_properties__", ()):
            out[name] = to_jsonable(getattr(obj, name))
        return out
    if isinstance(obj, enum.Enum):
        return obj.value
    if isinstance(obj, Mapping):
        return {str(k): to_jsonable(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple, set, frozenset)):
        return [to_jsonable(v) for v in obj]
    if isinstance(obj, (_dt.date, _dt.datetime)):
        return obj.isoformat()
    return obj


def to_json(obj: Any, *, indent: int | None = 2) -> str:
    """Serialise a result object as JSON text (UTF-8, non-ASCII kept)."""
    return json.dumps(to_jsonable(obj), indent=indent, ensure_ascii=False)
