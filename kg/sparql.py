"""Stored SPARQL queries (competency questions, checks, reports) and running any query with bound parameters."""

from __future__ import annotations

import os
import re
import sys
import time
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

import pyoxigraph as ox

from kg.core import resources
from kg.core.errors import AmbiguousError, InputError, KGError, NotFoundError, echo
from kg.core.namespaces import PREFIXES, XSD, expand, shorten

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing at start-up
if TYPE_CHECKING:
    from typing import Any

    from kg.core.graph import Graph

KINDS = {"cq": "cq", "checks": "check", "reports": "report"}
_HEADER = re.compile(r"^#\+\s*(?P<key>[a-z_]+)\s*:\s*(?P<value>.*?)\s*$")
_PARAM = re.compile(r"^(?P<name>[A-Za-z_][A-Za-z0-9_]*)\s*(?::\s*(?P<type>[a-z]+))?\s*(?:=\s*(?P<default>.+))?$")
PARAM_TYPES = ("entity", "number", "integer", "string", "iri")


@dataclass(frozen=True)
class Param:
    """A query parameter: the variable it binds, its type and the default written in the header."""

    name: str
    type: str
    default: str | None

    def __str__(self) -> str:
        return f"{self.name} ({self.type}" + (f", default {self.default})" if self.default is not None else ")")


@dataclass(frozen=True)
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
                ptype = pm["type"] or _infer_type(default)
                if ptype not in PARAM_TYPES:
                    raise InputError(
                        f"{source}:{number}: unknown parameter type {ptype!r}; use {', '.join(PARAM_TYPES)}"
                    )
                params.append(Param(pm["name"], ptype, default))
    return summary, tags, tuple(params)


def _infer_type(default: str | None) -> str:
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
    root = resources.queries_dir()
    found: list[StoredQuery] = []
    for folder in KINDS:
        found.extend(_read(folder, path) for path in sorted((root / folder).glob("*.rq")))
    return tuple(found)


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
    found = _stored_exactly(key)
    if found is not None:
        return found
    names = [q.name for q in stored_queries()]
    starting = [n for n in names if n.startswith(key)]
    if len(starting) == 1:
        return _stored_exactly(starting[0])  # type: ignore[return-value]
    if starting:
        shown = ", ".join(starting[:12]) + (f" (and {len(starting) - 12} more)" if len(starting) > 12 else "")
        raise InputError(f"{echo(name)} begins the names of {len(starting)} stored queries: {shown}; give more of it")
    import difflib

    close = difflib.get_close_matches(key[:200], names, n=5, cutoff=0.4)
    close += [n for n in names if key and key in n and n not in close][: 5 - len(close)]
    raise NotFoundError(name, close, what="stored query")


def _stored_exactly(key: str) -> StoredQuery | None:
    if len(key) <= 200 and "\0" not in key and "/" not in key:
        root = resources.queries_dir()
        for folder in KINDS:  # a direct look-up first: a cold run should not parse every stored query
            path = root / folder / f"{key}.rq"
            if path.is_file():
                return _read(folder, path)
    return next((q for q in stored_queries() if q.name == key), None)


@dataclass(frozen=True)
class QueryResult:
    """What a query returned: ``rows`` (SELECT), ``boolean`` (ASK) or ``triples`` (CONSTRUCT/DESCRIBE).

    Rows map variable names to Python values (IRIs as strings, typed literals as numbers, booleans, dates);
    unbound variables are absent from a row. A result iterates over its rows.
    """

    form: str
    variables: tuple[str, ...]
    rows: tuple[dict[str, Any], ...]
    boolean: bool | None
    triples: tuple[tuple[str, str, Any], ...]
    source: str
    seconds: float

    def __iter__(self) -> Iterator[dict[str, Any]]:
        return iter(self.rows)

    def __len__(self) -> int:
        return len(self.rows) if self.form == "select" else len(self.triples)

    def __getitem__(self, index: int) -> dict[str, Any]:
        return self.rows[index]


@dataclass(frozen=True)
class Prepared:
    """A query ready to run: its text, where it came from, and the RDF terms bound to its parameters."""

    text: str
    source: str
    bindings: dict[str, ox.NamedNode | ox.Literal]
    stored: StoredQuery | None


# ------------------------------------------------------------------ what a query does, read from its tokens

# SPARQL's lexical tokens as the grammar writes them (SPARQL 1.1, section 19.8): IRIs with their \u escapes, the
# four kinds of string, comments, prefixed names with their escapes (there \' and \# start no string and no
# comment), variables, blank nodes, language tags. Text that none of them matches is read one character at a
# time, so a malformed string or IRI leaves the rest of the text counted as code: the check may then see a
# keyword that is not one (it errs towards refusing), never miss one.
_UCHAR = r"\\u[0-9A-Fa-f]{4}|\\U[0-9A-Fa-f]{8}"
_NAME = "[A-Za-z0-9_\\-\u00b7\u00c0-\U000effff]"
_TOKEN = re.compile(
    "|".join(
        [
            r"(?P<space>\s+)",
            r"(?P<comment>#[^\r\n]*)",
            rf"(?P<iri><(?:[^\x00-\x20<>\"{{}}|^`\\]|{_UCHAR})*>)",
            r"(?P<string>'''(?:(?:'|'')?(?:[^'\\]|\\.))*'''"
            r'|"""(?:(?:"|"")?(?:[^"\\]|\\.))*"""'
            r"|'(?:[^'\\\r\n]|\\.)*'"
            r'|"(?:[^"\\\r\n]|\\.)*")',
            rf"(?P<var>[?$]{_NAME}*)",
            rf"(?P<bnode>_:(?:{_NAME}|\.)*)",
            r"(?P<lang>@[A-Za-z]+(?:-[A-Za-z0-9]+)*)",
            rf"(?P<pname>(?:[A-Za-z\u00c0-\U000effff](?:{_NAME}|\.)*)?:"
            rf"(?:{_NAME}|[.:]|%[0-9A-Fa-f]{{2}}|\\[_~.\-!$&'()*+,;=/?#@%])*)",
            rf"(?P<word>[A-Za-z_]{_NAME}*)",
            r"(?P<other>.)",
        ]
    ),
    re.S,
)
UPDATE_WORDS = ("INSERT", "DELETE", "LOAD", "CLEAR", "CREATE", "DROP", "COPY", "MOVE", "ADD", "WITH")


def keywords(text: str) -> Iterator[tuple[str, int]]:
    r"""The bare words of a SPARQL text (keywords, function names, ``a``), upper-cased, with their offsets:
    nothing inside an IRI, a string, a comment, a prefixed name or a variable counts.

    >>> [w for w, _ in keywords('SELECT * { ?s ?p "SERVICE" ; ex:a\\#b <x#y> } # SERVICE')]
    ['SELECT']
    """
    for match in _TOKEN.finditer(text):
        if match.lastgroup == "word":
            yield match.group().upper(), match.start()


def check_query(text: str, *, allow_service: bool = False) -> None:
    """Refuse, with one line, what ``sslmb query`` does not do: an update (INSERT, CLEAR, LOAD...), and unless
    ``allow_service``, a query with ``SERVICE``, which would send a request to another endpoint.

    >>> check_query("SELECT * { SERVICE <http://example.org/s> { ?s ?p ?o } }")
    Traceback (most recent call last):
    kg.core.errors.InputError: line 1: SERVICE would send a request to another endpoint; allow it with --allow-service ...
    """
    words = list(keywords(text))
    first = next((w for w, _ in words if w not in ("BASE", "PREFIX")), None)
    if first in UPDATE_WORDS:
        raise InputError(f"{first}: updates are not supported; sslmb query only reads the graph")
    if allow_service:
        return
    for word, at in words:
        if word == "SERVICE":
            raise InputError(
                f"line {text.count(chr(10), 0, at) + 1}: SERVICE would send a request to another endpoint; "
                "allow it with --allow-service (in Python: allow_service=True)"
            )


def _looks_like_sparql(text: str) -> bool:
    return bool(re.search(r"\b(SELECT|ASK|CONSTRUCT|DESCRIBE|PREFIX|BASE|INSERT|DELETE|LOAD|CLEAR)\b", text, re.I))


def load_source(source: str) -> tuple[str, str, StoredQuery | None]:
    """Return ``(text, label for messages, stored query or None)`` for a stored name (or a unique prefix of
    one), a file (a name ending in ``.rq`` or holding a ``/``), ``-`` (standard input) or query text."""
    from kg.core.files import name, read_text

    if source == "-":
        try:
            return sys.stdin.read(), "<stdin>", None
        except UnicodeDecodeError as exc:
            raise InputError(f"<stdin>: not UTF-8 text (byte {exc.start})") from None
    if _looks_like_sparql(source) and ("{" in source or "\n" in source):
        return source, "<query>", None
    path = Path(source)
    as_file = source.endswith(".rq") or "/" in source or (os.sep != "/" and os.sep in source)
    try:
        exists = os.path.lexists(source)
    except (ValueError, OSError):
        exists = False
    if as_file and exists:
        return read_text(path), name(source), None
    if as_file:  # no such file: a stored query of that name is meant (sslmb query cq-01-....rq, from any folder)
        key = path.name.removesuffix(".rq")
        stored = _stored_exactly(key) if key else None
        if stored is None:
            raise InputError(f"{name(source)}: no such file")
        return stored.text, stored.file, stored
    try:
        query = stored_query(source)
    except NotFoundError:
        if exists:  # a file or folder in this folder with no .rq: what it is, said plainly
            return read_text(path), name(source), None
        raise
    return query.text, query.file, query


def _literal_number(text: str, integer: bool) -> ox.Literal:
    try:
        int(text) if integer else float(text)
    except ValueError:
        raise InputError(f"{echo(text)} is not {'an integer' if integer else 'a number'}") from None
    return ox.Literal(text.strip(), datatype=ox.NamedNode(XSD + ("integer" if integer else "decimal")))


def to_term(graph: Graph, value: Any, ptype: str | None) -> ox.NamedNode | ox.Literal:
    """Turn a parameter value (a label, an IRI, a number, an RDF term) into the RDF term to bind.

    Labels of entities are resolved to their IRIs; the text itself never reaches the query string.
    """
    if isinstance(value, (ox.NamedNode, ox.Literal)):
        return value
    if hasattr(value, "iri") and isinstance(value.iri, str):  # kg.Entity, Match
        return ox.NamedNode(value.iri)
    if isinstance(value, bool):
        return ox.Literal("true" if value else "false", datatype=ox.NamedNode(XSD + "boolean"))
    if isinstance(value, int):
        return ox.Literal(str(value), datatype=ox.NamedNode(XSD + ("decimal" if ptype == "number" else "integer")))
    if isinstance(value, float):
        return ox.Literal(repr(value), datatype=ox.NamedNode(XSD + "decimal"))
    text = str(value).strip()
    if ptype is None:  # an undeclared parameter of an ad-hoc query: infer from the text
        if len(text) >= 2 and text[0] == text[-1] and text[0] in "\"'":
            return ox.Literal(text[1:-1])
        ptype = _infer_type(text)
    if ptype in ("number", "integer"):
        return _literal_number(text, ptype == "integer")
    if ptype == "string":
        return ox.Literal(text[1:-1] if len(text) >= 2 and text[0] == text[-1] and text[0] in "\"'" else text)
    if ptype == "iri":
        iri = expand(text)
        if not re.match(r"^[a-z][a-z0-9+.-]*:", iri):
            raise InputError(f"{echo(text)} is not an IRI or a known prefixed name")
        try:
            return ox.NamedNode(iri)
        except ValueError as exc:
            raise InputError(f"{echo(text)} is not a valid IRI ({exc})") from None
    label = text[1:-1] if len(text) >= 2 and text[0] == text[-1] and text[0] in "\"'" else text
    from kg.search import exact_label

    return ox.NamedNode(exact_label(graph, label) or graph.resolve(label).iri)


def prepare(
    graph: Graph, source: str, params: Mapping[str, Any] | None = None, *, allow_service: bool = False
) -> Prepared:
    """Load the query and bind its parameters: given values first, header defaults for the rest. An update,
    or a query with ``SERVICE`` (unless ``allow_service``), is refused (:func:`check_query`)."""
    text, label, stored = load_source(source)
    check_query(text, allow_service=allow_service)
    if stored is not None:
        declared = stored.params
    else:
        _, _, declared = parse_header(text, label)
    given = dict(params or {})
    bindings: dict[str, ox.NamedNode | ox.Literal] = {}
    by_name = {p.name: p for p in declared}
    if declared:
        unknown = [k for k in given if k not in by_name]
        if unknown:
            expected = "; ".join(str(p) for p in declared)
            raise InputError(
                f"{label}: unknown parameter {', '.join(k if len(k) <= 40 else echo(k, 40) for k in unknown)}; "
                f"this query takes: {expected}"
            )
    for name, value in given.items():
        try:
            ox.Variable(name)
        except (ValueError, TypeError):
            raise InputError(
                f"{label}: parameter {echo(name, 40)} is not a variable name (letters, digits, _)"
            ) from None
        param = by_name.get(name)
        try:
            bindings[name] = to_term(graph, value, param.type if param else None)
        except NotFoundError as exc:
            raise NotFoundError(f"{value} (parameter {name})", exc.candidates) from None
        except AmbiguousError as exc:
            raise AmbiguousError(f"{value} (parameter {name})", exc.candidates) from None
        except KGError as exc:
            raise InputError(f"parameter {name}: {exc}") from None
    for param in declared:
        if param.name in bindings:
            continue
        if param.default is None:
            raise InputError(f"{label}: missing parameter {param}; pass it as --param {param.name}=VALUE")
        bindings[param.name] = to_term(graph, param.default, param.type)
    return Prepared(text, label, bindings, stored)


_SYNTAX = re.compile(r"^error at (?P<line>\d+):(?P<col>\d+): (?P<msg>.*)$", re.S)


def execute(graph: Graph, prepared: Prepared) -> Any:
    """Run a prepared query on Oxigraph; returns pyoxigraph's result object."""
    substitutions: dict[ox.Variable, ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple] = {
        ox.Variable(k): v for k, v in prepared.bindings.items()
    }
    try:
        return graph.store.query(prepared.text, prefixes=PREFIXES, substitutions=substitutions or None)
    except SyntaxError as exc:
        message = str(exc.msg if exc.msg else exc)
        match = _SYNTAX.match(message)
        if match:
            raise InputError(f"{prepared.source}:{match['line']}:{match['col']}: {match['msg']}") from None
        raise InputError(f"{prepared.source}: {message}") from None
    except (RuntimeError, ValueError, OSError) as exc:
        message = str(exc)
        projection = re.search(r"variable \?(\w+) in its SELECT projection", message)
        if projection:
            raise InputError(
                f"{prepared.source}: parameter {projection.group(1)} must appear in the SELECT clause: Oxigraph "
                f"binds parameters by substitution, so project the variable (SELECT ... ?{projection.group(1)})"
            ) from None
        raise InputError(f"{prepared.source}: {message}") from None


def collect(raw: Any, source: str, started: float) -> QueryResult:
    """Turn pyoxigraph's result into a :class:`QueryResult` of plain Python values."""
    try:
        return _collect(raw, source, started)
    except (OSError, RuntimeError, ValueError) as exc:  # raised while the answer is read: SERVICE, an endpoint
        raise InputError(f"{source}: {_one_line(exc)}") from None


def _one_line(exc: BaseException) -> str:
    return " ".join(str(exc).split())[:500]


def _collect(raw: Any, source: str, started: float) -> QueryResult:
    from kg.core.terms import to_python

    if isinstance(raw, ox.QueryBoolean):
        return QueryResult("ask", (), (), bool(raw), (), source, round(time.perf_counter() - started, 6))
    if isinstance(raw, ox.QueryTriples):
        triples = tuple((to_python(t.subject), to_python(t.predicate), to_python(t.object)) for t in raw)
        return QueryResult("graph", (), (), None, triples, source, round(time.perf_counter() - started, 6))
    variables = tuple(v.value for v in raw.variables)
    rows = []
    for solution in raw:
        row = {}
        for name in variables:
            value = solution[name]
            if value is not None:
                row[name] = to_python(value)
        rows.append(row)
    return QueryResult("select", variables, tuple(rows), None, (), source, round(time.perf_counter() - started, 6))


def run(
    graph: Graph, source: str, params: Mapping[str, Any] | None = None, *, allow_service: bool = False
) -> QueryResult:
    """Run a stored query (by name), a ``.rq`` file or query text, with parameters bound by the engine.

    >>> import kg
    >>> result = run(kg.load(), "SELECT ?l ?x WHERE { ?x rdfs:label ?l }", {"x": "sslmb:LGPS"})
    >>> result.rows[0]["l"]
    'LGPS'
    """
    started = time.perf_counter()
    prepared = prepare(graph, source, params, allow_service=allow_service)
    return collect(execute(graph, prepared), prepared.source, started)


RESULT_FORMATS = {
    "json": ox.QueryResultsFormat.JSON,
    "xml": ox.QueryResultsFormat.XML,
    "csv": ox.QueryResultsFormat.CSV,
    "tsv": ox.QueryResultsFormat.TSV,
}
GRAPH_FORMATS = {"ttl": ox.RdfFormat.TURTLE, "nt": ox.RdfFormat.N_TRIPLES, "jsonld": ox.RdfFormat.JSON_LD}


def serialize(raw: Any, fmt: str) -> bytes:
    """Write pyoxigraph's result in a W3C SPARQL results format (SELECT/ASK) or an RDF format (CONSTRUCT)."""
    try:
        return _serialize(raw, fmt)
    except (OSError, RuntimeError, ValueError) as exc:  # raised while the answer is read: SERVICE, an endpoint
        raise InputError(_one_line(exc)) from None


def _serialize(raw: Any, fmt: str) -> bytes:
    if isinstance(raw, ox.QueryTriples):
        if fmt not in GRAPH_FORMATS:
            raise InputError(f"a CONSTRUCT or DESCRIBE result is a graph: use --format {'|'.join(GRAPH_FORMATS)}")
        prefixes = PREFIXES if fmt == "ttl" else None
        if prefixes:
            store = ox.Store()
            store.extend(ox.Quad(t.subject, t.predicate, t.object) for t in raw)
            return store.dump(format=GRAPH_FORMATS[fmt], from_graph=ox.DefaultGraph(), prefixes=prefixes) or b""
        return raw.serialize(format=GRAPH_FORMATS[fmt]) or b""
    if fmt not in RESULT_FORMATS:
        kind = "an ASK" if isinstance(raw, ox.QueryBoolean) else "a SELECT"
        raise InputError(f"{kind} result is a table: use --format table|{'|'.join(RESULT_FORMATS)}")
    return raw.serialize(format=RESULT_FORMATS[fmt]) or b""


def to_sparql_json(raw: Any) -> dict[str, Any]:
    """The W3C SPARQL 1.1 results JSON of a SELECT or ASK result, as a dict."""
    import json

    return json.loads(serialize(raw, "json"))


def display(value: Any) -> str:
    """A compact text form of a row value for tables: IRIs as prefixed names."""
    if isinstance(value, str) and re.match(r"^https?://", value):
        return shorten(value)
    if isinstance(value, float):
        return f"{value:g}"
    return str(value)
