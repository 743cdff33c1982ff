"""The stored SPARQL queries shipped with the package (competency questions, checks, reports): their ``#+`` headers
(summary, tags, parameters with types and defaults) and finding one by name or a unique prefix of its name."""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path

from kg.core import resources
from kg.core.errors import InputError, NotFoundError, echo
from kg.core.record import field, record

KINDS = {"cq": "cq", "checks": "check", "reports": "report"}
_HEADER = re.compile(r"^#\+\s*(?P<key>[a-z_]+)\s*:\s*(?P<value>.*?)\s*$")
_PARAM = re.compile(r"^(?P<name>[A-Za-z_][A-Za-z0-9_]*)\s*(?::\s*(?P<type>[a-z]+))?\s*(?:=\s*(?P<default>.+))?$")
PARAM_TYPES = ("entity", "number", "integer", "string", "iri")


@record
class Param:
    """A query parameter: the variable it binds, its type and the default written in the header."""

    name: str
    type: str
    default: str | None

    def __str__(self) -> str:
        return f"{self.name} ({self.type}" + (f", default {self.default})" if self.default is not None else ")")


@record
class StoredQuery:
    """A query file with its ``#+`` header. ``name`` is the file name without ``.rq``."""

    name: str
    kind: str
    summary: str
    tags: tuple[str, ...]
    params: tuple[Param, ...]
    file: str
    text: str = field(repr=False, compare=False)


def parse_header(text: str, source: str = "<query>") -> tuple[str, tuple[str, ...], tuple[Param, ...]]:
    """Read the grlc-style header: ``#+ summary:``, ``#+ tags:``, ``#+ params: name[: type] = default``.

    An untyped default in quotes is an entity label; an unquoted number is a number.

    >>> parse_header('#+ summary: demo\\n#+ params: electrolyte = "LGPS"\\n#+ params: min_t = 0.9\\nSELECT ...')[2]
    (Param(name='electrolyte', type='entity', default='"LGPS"'), Param(name='min_t', type='number', default='0.9'))
    """
    summary: str = ""
    tags: tuple[str, ...] = ()
    params: list[Param] = []
    for number, line in enumerate(text.splitlines(), start=1):
        match = _HEADER.match(line)
        if not match:
            continue
        key, value = match["key"], match["value"]
        if key == "summary":
            summary = value
        elif key == "tags":
            tags = tuple(t.strip() for t in value.split(",") if t.strip())
        elif key in ("params", "param"):
            for part in value.split(";"):
                part = part.strip()
                if not part:
                    continue
                pm = _PARAM.match(part)
                if not pm:
                    raise InputError(f"{source}:{number}: cannot read parameter {part!r} (write: name = default)")
                default = pm["default"].strip() if pm["default"] else None
                ptype = pm["type"] or infer_type(default)
                if ptype not in PARAM_TYPES:
                    raise InputError(
                        f"{source}:{number}: unknown parameter type {ptype!r}; use {', '.join(PARAM_TYPES)}"
                    )
                params.append(Param(pm["name"], ptype, default))
    return summary, tags, tuple(params)


def infer_type(default: str | None) -> str:
    if default is None:
        return "entity"
    if re.fullmatch(r"[+-]?\d+", default):
        return "integer"
    if re.fullmatch(r"[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?", default):
        return "number"
    if default.startswith("<") or re.fullmatch(r"[a-z]+:[A-Za-z0-9_.-]+", default):
        return "iri"
    return "entity"


@cache
def stored_queries() -> tuple[StoredQuery, ...]:
    """Every stored query shipped with the package, competency questions first.

    >>> [q.kind for q in stored_queries()][:1]
    ['cq']
    """
    return tuple(_read(folder, path) for folder, path in _files())


def _files() -> list[tuple[str, Path]]:
    """``(folder, path)`` of every stored query, in the order of :func:`stored_queries`."""
    root = resources.queries_dir()
    return [(folder, path) for folder in KINDS for path in sorted((root / folder).glob("*.rq"))]


def _read(folder: str, path: Path) -> StoredQuery:
    text = path.read_text(encoding="utf-8")
    summary, tags, params = parse_header(text, f"queries/{folder}/{path.name}")
    return StoredQuery(path.stem, KINDS[folder], summary, tags, params, f"queries/{folder}/{path.name}", text)


def stored_query(name: str) -> StoredQuery:
    """The stored query called ``name`` (``cq-01-...``, with or without ``.rq`` or its folder), or the one
    query whose name starts with ``name`` (``cq-05``); a prefix of several is an :class:`InputError` listing them.

    >>> stored_query("cq-05").name
    'cq-05-single-ion-transference'
    """
    key = Path(name).name.removesuffix(".rq") if name.strip() else ""
    if not key:
        raise InputError("an empty query name: give a stored query's name (sslmb queries lists them), a .rq file or -")
    found = stored_exactly(key)
    if found is not None:
        return found
    names = [path.stem for _, path in _files()]  # the names alone: a cold run parses only the query it runs
    starting = [n for n in names if n.startswith(key)]
    if len(starting) == 1:
        return stored_exactly(starting[0])  # type: ignore[return-value]
    if starting:
        shown = ", ".join(starting[:12]) + (f" (and {len(starting) - 12} more)" if len(starting) > 12 else "")
        raise InputError(f"{echo(name)} begins the names of {len(starting)} stored queries: {shown}; give more of it")
    import difflib

    close = difflib.get_close_matches(key[:200], names, n=5, cutoff=0.4)
    close += [n for n in names if key and key in n and n not in close][: 5 - len(close)]
    raise NotFoundError(name, close, what="stored query")


def stored_exactly(key: str) -> StoredQuery | None:
    if len(key) <= 200 and "\0" not in key and "/" not in key:
        root = resources.queries_dir()
        for folder in KINDS:  # a direct look-up first: a cold run should not parse every stored query
            path = root / folder / f"{key}.rq"
            if path.is_file():
                return _read(folder, path)
    return next((_read(folder, path) for folder, path in _files() if path.stem == key), None)
