"""Running SPARQL: a stored query (by name), a ``.rq`` file or query text, with parameters bound by the engine
(labels resolved to entities first), updates and ``SERVICE`` refused; results as plain Python values or in the
W3C result formats."""

from __future__ import annotations

import os
import re
import sys
import time
from collections.abc import Iterator, Mapping
from pathlib import Path

import pyoxigraph as ox

from kg.core.errors import AmbiguousError, InputError, KGError, NotFoundError, echo
from kg.core.namespaces import PREFIXES, XSD, expand, shorten
from kg.core.notebook import Display
from kg.core.record import record
from kg.model.stored import StoredQuery, infer_type, parse_header, stored_exactly, stored_query

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing at start-up
if TYPE_CHECKING:
    from typing import Any

    from kg.core.graph import Graph


@record
class QueryResult(Display):
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


@record
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


def _token_pattern(_NAME: str, initial: str) -> str:  # noqa: N803 (read as the grammar's name)
    """The token pattern, with ``_NAME`` the characters of a name and ``initial`` those that may start a prefix."""
    return "|".join(
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
            rf"(?P<pname>(?:{initial}(?:{_NAME}|\.)*)?:"
            rf"(?:{_NAME}|[.:]|%[0-9A-Fa-f]{{2}}|\\[_~.\-!$&'()*+,;=/?#@%])*)",
            rf"(?P<word>[A-Za-z_]{_NAME}*)",
            r"(?P<other>.)",
        ]
    )


_TOKENS: dict[bool, re.Pattern[str]] = {}
# The characters of a name with those beyond ASCII, [A-Za-z0-9_\-\u00b7\u00c0-\U000effff], and those that may start a
# prefix, [A-Za-z\u00c0-\U000effff], written as what they are not: re compiles a class holding a range of the Basic
# Multilingual Plane by visiting each of its code points, which made the pattern for a text with one non-ASCII
# character (a "°C" in a comment) take 18 ms to compile instead of under one.
_BEYOND_EFFFF = r"(?![\U000f0000-\U0010ffff])"
_NON_ASCII_NAME = _BEYOND_EFFFF + r"[^\x00-\x2c\x2e\x2f\x3a-\x40\x5b-\x5e\x60\x7b-\xb6\xb8-\xbf]"
_NON_ASCII_INITIAL = _BEYOND_EFFFF + r"[^\x00-\x40\x5b-\x60\x7b-\xbf]"


def _tokens(text: str) -> re.Pattern[str]:
    """The token pattern for a text, compiled on first use. A text in plain ASCII (nearly every query) gets the
    pattern without the non-ASCII name characters, which reads it the same and matches faster."""
    ascii_only = text.isascii()
    if ascii_only not in _TOKENS:
        if ascii_only:
            _TOKENS[True] = re.compile(_token_pattern("[A-Za-z0-9_\\-]", "[A-Za-z]"), re.S)
        else:
            name, initial = f"(?:{_NON_ASCII_NAME})", f"(?:{_NON_ASCII_INITIAL})"
            _TOKENS[False] = re.compile(_token_pattern(name, initial), re.S)
    return _TOKENS[ascii_only]


UPDATE_WORDS = ("INSERT", "DELETE", "LOAD", "CLEAR", "CREATE", "DROP", "COPY", "MOVE", "ADD", "WITH")


def keywords(text: str) -> Iterator[tuple[str, int]]:
    r"""The bare words of a SPARQL text (keywords, function names, ``a``), upper-cased, with their offsets:
    nothing inside an IRI, a string, a comment, a prefixed name or a variable counts.

    >>> [w for w, _ in keywords('SELECT * { ?s ?p "SERVICE" ; ex:a\\#b <x#y> } # SERVICE')]
    ['SELECT']
    """
    for match in _tokens(text).finditer(text):
        if match.lastgroup == "word":
            yield match.group().upper(), match.start()


def check_query(text: str, *, allow_service: bool = False) -> None:
    """Refuse, with one line, what ``sslmb query`` does not do: an update (INSERT, CLEAR, LOAD...), and unless
    ``allow_service``, a query with ``SERVICE``, which would send a request to another endpoint.

    >>> check_query("SELECT * { SERVICE <http://example.org/s> { ?s ?p ?o } }")
    Traceback (most recent call last):
    kg.core.errors.InputError: line 1: SERVICE would send a request to another endpoint; allow it with ...
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
    if ("{" in source or "\n" in source) and _looks_like_sparql(source):
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
        stored = stored_exactly(key) if key else None
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
        ptype = infer_type(text)
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
    named = graph.labelled(label)  # an exact label, the usual case, needs no search
    if named is None:
        from kg.model.search import resolve

        named = resolve(graph, label).iri
    return ox.NamedNode(named)


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
    from kg.model.binding import leading_values

    # a leading VALUES block where it gives the same answer (Oxigraph plans before it substitutes), else substitution
    # (on the embedded store only: a remote store writes its bindings into the text its own way, which every server
    # it was tested with reads correctly)
    local = isinstance(getattr(graph.store, "store", graph.store), ox.Store)
    text = leading_values(prepared.text, prepared.bindings) if prepared.bindings and local else None
    substitutions: dict[ox.Variable, ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple] = (
        {} if text is not None else {ox.Variable(k): v for k, v in prepared.bindings.items()}
    )
    try:
        return graph.store.query(text or prepared.text, prefixes=PREFIXES, substitutions=substitutions or None)
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
