"""The query guard of ``sslmb serve``: what the endpoint refuses before a query reaches a worker.

Oxigraph 0.5 parses SPARQL with a PEG grammar (rust-peg). Such a parser has no separate lexer: whether ``<`` opens
an IRI or is the less-than operator, whether ``trueSERVICE`` is one word or the keyword ``true`` followed by
``SERVICE``, depends on the rule being tried, and a rule that fails is backtracked and another tried. A single
left-to-right tokenizer therefore reads some texts differently from Oxigraph, and every such difference can hide a
``SERVICE`` from it (``<http://a\\u0041#>``, ``SERVICESILENT<...>``, ``ex:o.b.SERVICE``, ``FILTER(?a<'>')``...).

So the guard does not pick one reading: it follows *every* way the text can be cut into SPARQL terminals, as the
grammar's lexical rules (and Oxigraph's, where they differ: case-insensitive keywords matched without a word
boundary, ``\\u`` escapes only inside IRIs and strings, one dotted group in a local name) allow. The readings
share their positions, so this is a walk over at most one node per character of the text: linear, with a hard
cap. A query is refused when any reading holds a forbidden construct:

- ``SERVICE [SILENT] <var or IRI> {`` (an outbound call): 400;
- ``FROM [NAMED] <iri>`` or ``GRAPH <iri> {`` naming anything but the store's own named graphs: 400;
- SPARQL Update keywords (403) and ``LOAD`` (400), as whole words, for a clear message (Oxigraph's query
  parser, which the workers use, cannot run an update in any case);
- brackets nested deeper than :data:`MAX_NESTING` in any reading, more than :data:`MAX_TOKENS` terminals, or
  more than :data:`MAX_OPERATORS` operators and keywords that Oxigraph turns into one deep tree (``+``,
  ``||``, ``UNION``, ``OPTIONAL``...): 400, since such text overflows a worker's stack;
- text that no reading gets through (an unterminated string, a backslash outside a string or an IRI): 400.

The cost is bounded by the text's length (at most ``MAX_REQUEST_BYTES``) and by :data:`MAX_POSITIONS`. How the
text is read, every way at once, is :mod:`kg.endpoint.readings`; this module decides on what it finds.
"""

from __future__ import annotations

import hashlib
import re
import threading
from collections import OrderedDict
from dataclasses import dataclass
from urllib.parse import urljoin

from kg.core.namespaces import PREFIXES
from kg.endpoint.readings import (
    END,
    KIND,
    LOCAL_ESCAPE,
    MAX_NESTING,
    MAX_OPERATORS,
    MAX_POSITIONS,
    MAX_TOKENS,
    NEXT,
    START,
    VALUE,
    WORD_CHARS,
    Reader,
    Terminal,
    locate,
)
from kg.endpoint.refused import Refused

QUERY_FORMS = ("SELECT", "ASK", "CONSTRUCT", "DESCRIBE")
UPDATE_WORDS = frozenset(
    {"INSERT", "DELETE", "LOAD", "CLEAR", "CREATE", "DROP", "COPY", "MOVE", "ADD", "WITH", "USING"}
)


@dataclass(frozen=True)
class Checked:
    """A query the guard let through: ``form`` is select, ask, construct or describe (None when the text does
    not start like a query; Oxigraph will then say what is wrong)."""

    form: str | None


# ------------------------------------------------------------------------------------------ the checks


def check_query(text: str, *, graphs: frozenset[str] = frozenset()) -> Checked:
    """Refuse what the endpoint must never run; return the query form.

    Keywords inside strings, IRIs, prefixed names, variables and comments do not count; keywords are
    case-insensitive. Results are cached by the text's digest (see :class:`GuardCache`).

    >>> check_query('SELECT * WHERE { ?s ?p "SERVICE" } # LOAD').form
    'select'
    >>> check_query('select * { service <http://127.0.0.1:9/> { ?s ?p ?o } }')
    Traceback (most recent call last):
    ...
    kg.endpoint.refused.Refused: line 1, column 12: SERVICE is not allowed: this endpoint makes no outbound requests
    >>> check_query('SELECT * WHERE { BIND(<http://a\\\\u0041#> AS ?x) SERVICE <http://127.0.0.1:9/> { } }')
    Traceback (most recent call last):
    ...
    kg.endpoint.refused.Refused: line 1, column 48: SERVICE is not allowed: this endpoint makes no outbound requests
    """
    return _CACHE.check(text, graphs)


def _check(text: str, graphs: frozenset[str]) -> Checked:
    reader = Reader(text)
    if not reader.complete:
        at = reader.furthest
        raise Refused(400, f"{locate(text, at)}: cannot read the query here: {_describe_stop(text, at)}")
    live = reader.live
    words = [t for p in reader.positions for t in live[p] if t[KIND] == "word"]
    for term in words:  # updates and LOAD, as whole words (the workers' query parser cannot run them anyway)
        value = term[VALUE]
        if value in UPDATE_WORDS and _whole_word(text, term):
            where = locate(text, term[START])
            if value == "LOAD":
                raise Refused(400, f"{where}: LOAD is not allowed: this endpoint reads no URL and no file")
            raise Refused(403, f"{where}: {value}: SPARQL Update is not allowed: the endpoint is read-only")
    prefixes, bases = _declarations(reader, words)
    for term in words:
        if term[VALUE] == "SERVICE" and _service_follows(reader, term):
            where = locate(text, term[START])
            raise Refused(400, f"{where}: SERVICE is not allowed: this endpoint makes no outbound requests")
        if term[VALUE] in ("FROM", "GRAPH"):
            _check_graph_name(reader, term, prefixes, bases, graphs)
    return Checked(_form(reader))


def _whole_word(text: str, term: Terminal) -> bool:
    after = text[term[END] : term[END] + 1]
    before = text[term[START] - 1 : term[START]] if term[START] else ""
    return not (after.isalnum() or after in ("_", ":")) and not (before.isalnum() or before in ("_", ":"))


def _following(reader: Reader, term: Terminal) -> list[Terminal]:
    return reader.live.get(term[NEXT], [])


def _opens_group(reader: Reader, term: Terminal) -> bool:
    return any(t[KIND] == "punct" and t[VALUE] == "{" for t in _following(reader, term))


def _service_follows(reader: Reader, service: Terminal) -> bool:
    """Does this ``SERVICE`` continue, in some reading, as ``[SILENT] VarOrIri {``?"""
    targets = _following(reader, service)
    targets = targets + [t2 for t in targets if t[VALUE] == "SILENT" for t2 in _following(reader, t)]
    return any(t[KIND] in ("var", "iri", "pname_ns", "pname_ln") and _opens_group(reader, t) for t in targets)


def _check_graph_name(
    reader: Reader, keyword: Terminal, prefixes: dict[str, set[str]], bases: set[str | None], graphs: frozenset[str]
) -> None:
    """``FROM [NAMED] iri`` and ``GRAPH iri {``: the IRI, however it may be read, must be one of ``graphs``."""
    text, word = reader.text, keyword[VALUE]
    targets = _following(reader, keyword)
    if word == "FROM":
        targets = targets + [t2 for t in targets if t[VALUE] == "NAMED" for t2 in _following(reader, t)]
    named = False
    for target in targets:
        if target[KIND] not in ("iri", "pname_ns", "pname_ln"):
            continue
        if word == "GRAPH" and not _opens_group(reader, target):
            continue
        named = True
        for iri in _iris_of(text, target, prefixes, bases):
            if iri not in graphs:
                own = ", ".join(f"<{g}>" for g in sorted(graphs)) or "none: the graph is the default graph"
                shown = iri if len(iri) <= 200 else iri[:200] + "..."
                raise Refused(
                    400,
                    f"{locate(text, target[START])}: {word} <{shown}> is not allowed: only this store's own "
                    f"named graphs can be named ({own})",
                )
    if word == "FROM" and not named and _whole_word(text, keyword):
        raise Refused(400, f"{locate(text, keyword[START])}: FROM must name a graph of this store")


def _declarations(reader: Reader, words: list[Terminal]) -> tuple[dict[str, set[str]], set[str | None]]:
    """Every prefix and base any reading declares (``PREFIX p: <iri>``, ``BASE <iri>``), with the predeclared
    prefixes: a name is checked against each meaning it could have."""
    prefixes: dict[str, set[str]] = {p: {iri} for p, iri in PREFIXES.items()}
    bases: set[str | None] = {None}
    for term in words:
        if term[VALUE] not in ("PREFIX", "BASE"):
            continue
        for declared in _following(reader, term):
            if term[VALUE] == "BASE" and declared[KIND] == "iri":
                bases.add(declared[VALUE])
            if term[VALUE] == "PREFIX" and declared[KIND] == "pname_ns":
                for iri in _following(reader, declared):
                    if iri[KIND] == "iri":
                        prefixes.setdefault(declared[VALUE], set()).add(iri[VALUE])
    # a base or a prefix IRI may itself be relative to a base
    known = [b for b in bases if b]
    for base in known:
        bases.update(urljoin(other, base) for other in known)
    known = [b for b in bases if b]
    for name, iris in prefixes.items():
        prefixes[name] = iris | {urljoin(b, i) for i in iris for b in known}
    return prefixes, bases


def _iris_of(text: str, term: Terminal, prefixes: dict[str, set[str]], bases: set[str | None]) -> set[str]:
    if term[KIND] == "iri":
        iri = term[VALUE]
        known = [b for b in bases if b]
        absolute = re.match(r"[A-Za-z][A-Za-z0-9+.-]*:", iri) is not None
        return {urljoin(b, iri) for b in known} | ({iri} if absolute or not known else set())
    name = term[VALUE]
    if name not in prefixes:
        return set()  # an undeclared prefix: no reading can use this name (Oxigraph fails on it)
    local = ""
    if term[KIND] == "pname_ln":
        local = LOCAL_ESCAPE.sub(r"\1", text[term[START] + len(name) + 1 : term[END]])
    return {namespace + local for namespace in prefixes[name]}


def _form(reader: Reader) -> str | None:
    """The query form, read past the prologue (BASE, PREFIX, VERSION) along the complete reading that prefers
    IRIs, strings and the longest names."""
    p, skip = reader.start, 0
    while p < reader.n:
        term = max(reader.live[p], key=lambda t: ({"iri": 3, "string": 3, "pname_ns": 2}.get(t[KIND], 0), t[END]))
        if skip:
            skip -= 1
        elif term[KIND] == "word" and term[VALUE] in ("BASE", "VERSION"):
            skip = 1
        elif term[KIND] == "word" and term[VALUE] == "PREFIX":
            skip = 2
        else:
            return term[VALUE].lower() if term[KIND] == "word" and term[VALUE] in QUERY_FORMS else None
        p = term[NEXT]
    return None


def _describe_stop(text: str, at: int) -> str:
    if at >= len(text):
        return "the text ends too early"
    ch = text[at]
    if ch in "'\"":
        return "unterminated string (or one with an escape other than \\t \\b \\n \\r \\f \\\" \\' \\\\ \\uXXXX)"
    if ch == "\\":
        return "a backslash outside a string or an IRI"
    word = WORD_CHARS.match(text, at)
    if word:
        return f"{word.group()!r} is neither a SPARQL keyword nor a prefixed name"
    return f"unexpected character {ch!r} (U+{ord(ch):04X})"


def check_graph_parameters(names: list[str], graphs: frozenset[str]) -> None:
    """The protocol's ``default-graph-uri``/``named-graph-uri`` parameters obey the same rule as FROM."""
    for iri in names:
        if iri not in graphs:
            raise Refused(400, f"graph <{iri}> is not allowed: only this store's own named graphs can be named")


# ------------------------------------------------------------------------------------------ the cache


class GuardCache:
    """The guard's verdicts, keyed by a digest of the text (never the text itself: a client sending many large
    queries must not make the server hold them) and bounded by the bytes the verdicts take."""

    def __init__(self, max_bytes: int = 4 << 20) -> None:
        self.max_bytes = max_bytes
        self._lock = threading.Lock()
        self._items: OrderedDict[bytes, tuple[int, Checked | Refused]] = OrderedDict()
        self.bytes = 0

    def check(self, text: str, graphs: frozenset[str]) -> Checked:
        key = hashlib.blake2b(text.encode("utf-8", "surrogatepass"), digest_size=16)
        for graph in sorted(graphs):
            key.update(b"\x00" + graph.encode("utf-8", "surrogatepass"))
        digest = key.digest()
        with self._lock:
            hit = self._items.get(digest)
            if hit is not None:
                self._items.move_to_end(digest)
        if hit is not None:
            verdict = hit[1]
        else:
            try:
                verdict = _check(text, graphs)
            except Refused as exc:
                verdict = exc
            size = 200 + (len(verdict.message) if isinstance(verdict, Refused) else 0)
            with self._lock:
                if digest not in self._items:
                    self._items[digest] = (size, verdict)
                    self.bytes += size
                    while self.bytes > self.max_bytes:
                        _, (old, _) = self._items.popitem(last=False)
                        self.bytes -= old
        if isinstance(verdict, Refused):
            raise Refused(verdict.status, verdict.message, verdict.headers)
        return verdict

    def __len__(self) -> int:
        return len(self._items)


_CACHE = GuardCache()


__all__ = [
    "MAX_NESTING",
    "MAX_OPERATORS",
    "MAX_POSITIONS",
    "MAX_TOKENS",
    "Checked",
    "GuardCache",
    "Refused",
    "check_graph_parameters",
    "check_query",
]
