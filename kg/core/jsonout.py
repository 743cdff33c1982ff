"""The one function that turns result objects into JSON: the CLI's ``--format json`` prints exactly this."""

from __future__ import annotations

import dataclasses
import datetime as _dt
import enum
import json
from collections.abc import Mapping
from json.encoder import encode_basestring as _string  # the C encoder of a string (non-ASCII kept)
from typing import Any

SCHEMA_VERSION = 1
_LEAVES = frozenset({str, int, float, bool, type(None)})
_FIELDS: dict[type, tuple[str, ...]] = {}  # a dataclass's field names (then its JSON properties), by class
_INFINITY = float("inf")


def to_jsonable(obj: Any) -> Any:
    """Convert dataclasses, enums, tuples and dates recursively into JSON-ready values.

    Field names are kept as they are in the dataclasses, in declaration order, so the structure is the
    documented one (see README, "JSON output").

    >>> from kg.model.evidence import Reference
    >>> to_jsonable(Reference("https://w3id.org/sslmb/Ref17", 17, "Ref. 17"))
    {'iri': 'https://w3id.org/sslmb/Ref17', 'number': 17, 'label': 'Ref. 17'}
    """
    kind = type(obj)
    if kind in _LEAVES:  # most values of a large answer: returned before the slower tests below
        return obj
    names = _FIELDS.get(kind)
    if names is None and dataclasses.is_dataclass(obj) and not isinstance(obj, type):
        names = _FIELDS[kind] = (
            *(f.name for f in dataclasses.fields(obj)), *getattr(kind, "__json_properties__", ())
        )
    if names is not None:
        return {name: to_jsonable(getattr(obj, name)) for name in names}
    if kind is tuple or kind is list:
        return [to_jsonable(v) for v in obj]
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
    """Serialise a result object as JSON text (UTF-8, non-ASCII kept): the text of
    ``json.dumps(to_jsonable(obj), indent=indent, ensure_ascii=False)``, written faster when indented (the
    standard library indents in pure Python, one generator per level).

    >>> to_json({"a": [1, 2.5, None], "b": {}, "c": "é"})
    '{\\n  "a": [\\n    1,\\n    2.5,\\n    null\\n  ],\\n  "b": {},\\n  "c": "é"\\n}'
    """
    value = to_jsonable(obj)
    if indent is None or not isinstance(indent, int):
        return json.dumps(value, indent=indent, ensure_ascii=False)
    parts: list[str] = []
    _write(value, "", " " * indent, parts)
    return "".join(parts)


def _write(value: Any, pad: str, step: str, out: list[str]) -> None:
    """Append ``value`` (what :func:`to_jsonable` returns) as ``json.dumps`` would indent it."""
    kind = type(value)
    if kind is str:
        out.append(_string(value))
    elif kind is dict:
        if not value:
            out.append("{}")
            return
        inner = pad + step
        head = "{\n" + inner
        for key, item in value.items():
            # json.dumps turns keys other than text into text its own way
            out.append(head + (_string(key) if type(key) is str else json.dumps({key: None})[1:-7]) + ": ")
            head = ",\n" + inner
            _write(item, inner, step, out)
        out.append("\n" + pad + "}")
    elif kind is list:
        if not value:
            out.append("[]")
            return
        inner = pad + step
        out.append("[\n" + inner)
        comma = ",\n" + inner
        for i, item in enumerate(value):
            if i:
                out.append(comma)
            _write(item, inner, step, out)
        out.append("\n" + pad + "]")
    elif kind is float and value == value and value not in (_INFINITY, -_INFINITY):
        out.append(float.__repr__(value))
    elif kind is int:
        out.append(int.__repr__(value))
    else:  # true, false, null, NaN, Infinity, and the errors of what JSON cannot hold
        out.append(json.dumps(value, ensure_ascii=False))
