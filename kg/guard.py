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

The cost is bounded by the text's length (at most ``MAX_REQUEST_BYTES``) and by :data:`MAX_POSITIONS`.
"""

from __future__ import annotations

import hashlib
import re
import threading
from bisect import bisect_right
from collections import OrderedDict
from dataclasses import dataclass
from urllib.parse import urljoin

from kg.core.namespaces import PREFIXES

MAX_NESTING = 256  # deeper brackets than any real query has; Oxigraph's recursive parser would overflow its stack
MAX_TOKENS = 50_000  # terminals in a query
MAX_OPERATORS = 2_000  # operators, groups, UNION, OPTIONAL, MINUS, BIND, FILTER in a query
MAX_POSITIONS = 150_000  # places where some reading of the text starts a terminal

QUERY_FORMS = ("SELECT", "ASK", "CONSTRUCT", "DESCRIBE")
UPDATE_WORDS = frozenset(
    {"INSERT", "DELETE", "LOAD", "CLEAR", "CREATE", "DROP", "COPY", "MOVE", "ADD", "WITH", "USING"}
)
# Every keyword of Oxigraph 0.5's grammar (its ``i("...")`` terminals, matched case-insensitively and without a
# word boundary), with ``a``, ``true`` and ``false``, which it matches case-sensitively (treated here as if not).
KEYWORDS = frozenset(
    """ABS ADD ADJUST ALL AS ASC ASK AVG BASE BIND BNODE BOUND BY CEIL CLEAR COALESCE CONCAT CONSTRUCT CONTAINS
    COPY COUNT CREATE DATA DATATYPE DAY DEFAULT DELETE DESC DESCRIBE DISTINCT DROP ENCODE_FOR_URI EXISTS FILTER
    FLOOR FROM GRAPH GROUP GROUP_CONCAT HAVING HOURS IF IN INSERT INTO IRI LANG LANGDIR LANGMATCHES LATERAL LCASE
    LIMIT LOAD MAX MD5 MIN MINUS MINUTES MONTH MOVE NAMED NOT NOW OBJECT OFFSET OPTIONAL ORDER PREDICATE PREFIX
    RAND REDUCED REGEX REPLACE ROUND SAMPLE SECONDS SELECT SEPARATOR SERVICE SHA1 SHA256 SHA384 SHA512 SILENT STR
    STRAFTER STRBEFORE STRDT STRENDS STRLANG STRLANGDIR STRLEN STRSTARTS STRUUID SUBJECT SUBSTR SUM TIMEZONE TO
    TRIPLE TZ UCASE UNDEF UNION URI USING UUID VALUES VERSION WHERE WITH YEAR HASLANG HASLANGDIR ISBLANK ISIRI
    ISLITERAL ISNUMERIC ISTRIPLE ISURI SAMETERM A TRUE FALSE""".split()
)
_LONGEST_KEYWORD = max(map(len, KEYWORDS))
_OPERATORS = frozenset({"+", "-", "*", "/", "|", "||", "&&", "=", "!=", "<", ">", "<=", ">=", "!", "^"})


class Refused(Exception):
    """A request the endpoint will not run: ``status`` is the HTTP status, the message says why."""

    def __init__(self, status: int, message: str, headers: dict[str, str] | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.headers = headers or {}


@dataclass(frozen=True)
class Checked:
    """A query the guard let through: ``form`` is select, ask, construct or describe (None when the text does
    not start like a query; Oxigraph will then say what is wrong)."""

    form: str | None


# ------------------------------------------------------------------------------------------ lexical rules
#
# SPARQL 1.1 section 19.8, as Oxigraph 0.5 implements it (lib/spargebra/src/parser.rs).

_PN_CHARS_BASE = (
    "A-Za-z\u00c0-\u00d6\u00d8-\u00f6\u00f8-\u02ff\u0370-\u037d\u037f-\u1fff\u200c-\u200d"
    "\u2070-\u218f\u2c00-\u2fef\u3001-\ud7ff\uf900-\ufdcf\ufdf0-\ufffd\U00010000-\U000effff"
)
_PN_CHARS_U = _PN_CHARS_BASE + "_"
_PN_CHARS = _PN_CHARS_U + "\\-0-9\u00b7\u0300-\u036f\u203f-\u2040"
_HEX = "[0-9A-Fa-f]"
_UCHAR = rf"\\u{_HEX}{{4}}|\\U{_HEX}{{8}}"
_ECHAR = r"""\\[tbnrf"'\\]"""
_PLX = rf"%{_HEX}{{2}}|\\[_~.\-!$&'()*+,;=/?#@%]"

_WS = re.compile(r"[ \t\r\n]*")
_NEWLINE = re.compile(r"[\r\n]")
# IRIREF: Oxigraph takes everything up to the next '>' and then requires a valid IRI once \u escapes are decoded.
# No valid IRI holds one of these characters, so stopping at them reads no fewer IRIs than Oxigraph does.
_IRI = re.compile(rf"<((?:[^<>\"{{}}|^`\\\x00-\x20]|{_UCHAR})*)>")
_IRI_EXCLUDED = re.compile(r"[<>\"{}|^`\\\x00-\x20]")
_UCHAR_RE = re.compile(_UCHAR)
_STRINGS = {
    "'": re.compile(rf"'(?:[^'\\\n\r]|{_ECHAR}|{_UCHAR})*'"),
    '"': re.compile(rf'"(?:[^"\\\n\r]|{_ECHAR}|{_UCHAR})*"'),
    "'''": re.compile(rf"'''(?:(?:''|')?(?:[^'\\]|{_ECHAR}|{_UCHAR}))*'''"),
    '"""': re.compile(rf'"""(?:(?:""|")?(?:[^"\\]|{_ECHAR}|{_UCHAR}))*"""'),
}
_VAR = re.compile(rf"[?$][0-9{_PN_CHARS_U}][0-9\u00b7\u0300-\u036f\u203f-\u2040{_PN_CHARS_U}]*")
_BNODE = re.compile(rf"_:[0-9{_PN_CHARS_U}][{_PN_CHARS}]*(?:\.+[{_PN_CHARS}]+)*")
_LANGDIR = re.compile(r"@[A-Za-z]+(?:-[A-Za-z0-9]+)*(?:--[A-Za-z]+)?")
_NUMBERS = (
    re.compile(r"(?:[0-9]+\.[0-9]*|\.[0-9]+|[0-9]+)[eE][+-]?[0-9]+"),  # DOUBLE
    re.compile(r"[0-9]*\.[0-9]+"),  # DECIMAL
    re.compile(r"[0-9]+"),  # INTEGER
)
_NAME_RUN = re.compile(rf"[{_PN_CHARS}.]+")  # where a prefix name can run
_PN_PREFIX_START = re.compile(rf"[{_PN_CHARS_BASE}]")
# PN_LOCAL as Oxigraph 0.5 has it: a single dotted group (``ex:a.b.c`` is ``ex:a.b`` then ``.c``).
_PN_LOCAL = re.compile(rf"(?:[{_PN_CHARS_U}:0-9]|{_PLX})(?:[{_PN_CHARS}:]|{_PLX})*(?:\.+(?:[{_PN_CHARS}:]|{_PLX})+)?")
_WORD_CHARS = re.compile(r"[A-Za-z0-9_]+")
_LOCAL_ESCAPE = re.compile(r"\\(.)")


# A terminal is a tuple (kind, start, end, value, next): ``kind`` is word (a keyword, upper-cased in ``value``),
# pname_ns or pname_ln (``value`` is the prefix), iri (``value`` is the IRI, escapes decoded), var, bnode, string,
# number, langtag or punct (``value`` is the character); ``next`` is where the next terminal can start.
_Term = tuple
_KIND, _START, _END, _VALUE, _NEXT = range(5)
_OPERAND_ENDS = frozenset({"var", "iri", "pname_ns", "pname_ln", "string", "number", "langtag", "bnode"})
_PUNCT = frozenset("{}()[].,;*+-/!=<>&|^?$@~:")
_SKIPPABLE = frozenset(" \t\r\n#")
_DIGITS = frozenset("0123456789")
_WEIGHT_KEYWORDS = frozenset({"UNION", "OPTIONAL", "MINUS", "BIND", "FILTER", "EXISTS", "NOT"})


class _Reader:
    """Every reading of ``text`` at once. ``live[p]`` lists the terminals that start at position ``p`` on some
    reading that gets through the whole text (Oxigraph's, if it parses the query, is one of them)."""

    def __init__(self, text: str, max_positions: int = MAX_POSITIONS) -> None:
        self.text = text
        n = self.n = len(text)
        self.newlines = [m.start() for m in _NEWLINE.finditer(text)]
        self._run = (0, 0)
        reach = bytearray(n + 1)
        # How readings arrive at each place: 1 right after an operand, 2 right after '<', 4 right after '/',
        # 8 after anything but '/'. A '<' after an operand or a '<' may be an operator rather than an IRI; no
        # SPARQL text has '/' right after '/' (this ends, early, the operator reading of every 'http://').
        self._after = after = bytearray(n + 1)
        terms: dict[int, list[_Term]] = {}
        start = self.start = self.skip(0)
        # Along the way, the most terminals, operators and the deepest nesting any reading has reached each place
        # with (an upper bound on Oxigraph's reading: a query past a limit is refused as early as it is seen).
        count, deep, depth = {start: 0}, {start: 0}, {start: 0}
        p = start
        reach[p] = 1
        while p < n:
            if len(terms) >= max_positions:
                raise Refused(400, f"the query is too long for this endpoint (over {max_positions} terms)")
            found = terms[p] = self.terms_at(p)
            c, o, d = count[p] + 1, deep[p], depth[p]
            if c > MAX_TOKENS:
                raise Refused(400, f"the query has more than {MAX_TOKENS} terms; this endpoint runs smaller queries")
            for term in found:
                q = term[_NEXT]
                reach[q] = 1
                kind, value = term[_KIND], term[_VALUE]
                o2, d2 = o, d
                flag = 8
                if kind == "punct":
                    if value in "{([":
                        d2 += 1
                        o2 += value == "{"
                        if d2 > MAX_NESTING:
                            where = _where(text, p)
                            raise Refused(400, f"{where}: brackets nested deeper than {MAX_NESTING} levels")
                    elif value in "})]":
                        d2 -= 1
                        if value != "}":
                            flag = 9
                    elif value in _OPERATORS:
                        o2 += 1
                        if value == "<":
                            flag = 10
                        elif value == ">":
                            flag = 9
                        elif value == "/":
                            flag = 4
                elif kind == "word":
                    if value in _WEIGHT_KEYWORDS:
                        o2 += 1
                    elif value in ("TRUE", "FALSE"):
                        flag = 9
                else:
                    flag = 9  # an operand: a '<' right after it may be the less-than operator
                after[q] |= flag
                if o2 > MAX_OPERATORS:
                    raise Refused(
                        400,
                        f"{_where(text, p)}: the query has more than {MAX_OPERATORS} operators, groups, UNIONs, "
                        "OPTIONALs, MINUSes, BINDs and FILTERs; longer chains would overflow the query engine's stack",
                    )
                if count.get(q, -1) < c:
                    count[q] = c
                if deep.get(q, -1) < o2:
                    deep[q] = o2
                if depth.get(q, -(1 << 30)) < d2:
                    depth[q] = d2
            p = reach.find(1, p + 1)
            if p < 0:
                break
        self.furthest = max(terms, default=start)  # where no reading goes on: where a refusal points
        # Backwards: keep the readings that get through the whole text (Oxigraph's, if it parses, is one of them).
        live: dict[int, list[_Term]] = {}
        for p in reversed(list(terms)):
            kept = [t for t in terms[p] if t[_NEXT] >= n or t[_NEXT] in live]
            if kept:
                live[p] = kept
        self.live = live
        self.complete = start >= n or start in live
        self.positions = list(reversed(live))

    # -------------------------------------------------------------------------------- lexing one position

    def skip(self, p: int) -> int:
        """Past whitespace and comments (Oxigraph's ``_`` rule: space, tab, CR, LF and ``#`` to the line end)."""
        text, n = self.text, self.n
        while p < n and text[p] in _SKIPPABLE:
            p = _WS.match(text, p).end()  # type: ignore[union-attr]
            if p < n and text[p] == "#":
                k = bisect_right(self.newlines, p)
                p = self.newlines[k] if k < len(self.newlines) else n
        return p

    def name_run_end(self, p: int) -> int:
        """The end of the run of name characters (PN_CHARS and dots) holding position ``p``; positions come in
        increasing order, so the last run found is reused for the places inside it."""
        start, end = self._run
        if not start <= p < end:
            m = _NAME_RUN.match(self.text, p)
            end = m.end() if m else p
            self._run = (p, end)
        return end

    def terms_at(self, p: int) -> list[_Term]:
        text, skip = self.text, self.skip
        ch = text[p]
        if ch in _DIGITS or (ch == "." and text[p + 1 : p + 2] in _DIGITS and p + 1 < self.n):
            found = []
            for number in _NUMBERS:
                m = number.match(text, p)
                if m:
                    found.append(("number", p, m.end(), "", skip(m.end())))
            if ch == ".":
                found.append(("punct", p, p + 1, ".", skip(p + 1)))
            return found
        if ch == "<":
            m = _IRI.match(text, p)
            if m and _valid_iri(m.group(1)):
                # '<' is also the less-than operator (after an operand) and starts '<<' and '<<('
                iri = ("iri", p, m.end(), _unescape_iri(m.group(1)), skip(m.end()))
                if not self._after[p] & 3:
                    return [iri]
                return [iri, ("punct", p, p + 1, "<", skip(p + 1))]
            return [("punct", p, p + 1, "<", skip(p + 1))]
        if ch in "'\"":
            found = []
            for quote in (ch * 3, ch):
                if text.startswith(quote, p):
                    m = _STRINGS[quote].match(text, p)
                    if m:
                        found.append(("string", p, m.end(), "", skip(m.end())))
            return found
        if ch in "?$":
            m = _VAR.match(text, p)
            if m:
                return [("var", p, m.end(), "", skip(m.end()))]
            return [("punct", p, p + 1, ch, skip(p + 1))]
        if ch == "_":
            m = _BNODE.match(text, p)
            return [("bnode", p, m.end(), "", skip(m.end()))] if m else []
        if ch == "@":
            m = _LANGDIR.match(text, p)
            if m:
                return [("langtag", p, m.end(), "", skip(m.end()))]
            return []
        if ch == ":" or _PN_PREFIX_START.match(ch):
            return self._words(p)  # a letter starts a keyword or a prefixed name, or nothing
        if ch in _PUNCT:
            if ch == "/" and not self._after[p] & 8:
                return []
            return [("punct", p, p + 1, ch, skip(p + 1))]
        return []  # a backslash (Oxigraph takes no \u escape outside IRIs and strings), a control character...

    def _words(self, p: int) -> list[_Term]:
        """Keywords (any that match at ``p``, glued to what follows or not) and prefixed names."""
        text, skip = self.text, self.skip
        found: list[_Term] = []
        head = _WORD_CHARS.match(text, p, min(self.n, p + _LONGEST_KEYWORD))
        if head:
            upper = head.group().upper()
            for size in range(1, len(upper) + 1):
                if upper[:size] in KEYWORDS:
                    found.append(("word", p, p + size, upper[:size], skip(p + size)))
        # PNAME_NS is PN_PREFIX? ':'; PN_PREFIX cannot end with a dot, and PEG repetition is greedy.
        end = p if text[p] == ":" else self.name_run_end(p)
        if end < self.n and text[end] == ":" and (end == p or text[end - 1] != "."):
            prefix = text[p:end]
            found.append(("pname_ns", p, end + 1, prefix, skip(end + 1)))
            m = _PN_LOCAL.match(text, end + 1)
            if m and m.end() > end + 1:
                found.append(("pname_ln", p, m.end(), prefix, skip(m.end())))
        return found


def _unescape_iri(raw: str) -> str:
    if "\\" not in raw:
        return raw
    return _UCHAR_RE.sub(lambda m: chr(int(m.group()[2:], 16)), raw)


def _valid_iri(raw: str) -> bool:
    """Could Oxigraph read ``<raw>`` as an IRI? (It decodes \\u escapes first; no valid IRI then holds a space,
    a bracket, a quote...)."""
    if "\\" not in raw:
        return True  # the pattern already excludes those characters
    try:
        decoded = _unescape_iri(raw)
    except (ValueError, OverflowError):  # a code point beyond U+10FFFF
        return False
    return not _IRI_EXCLUDED.search(decoded) and not any(0xD800 <= ord(c) <= 0xDFFF for c in decoded)


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
    kg.guard.Refused: line 1, column 12: SERVICE is not allowed: this endpoint makes no outbound requests
    >>> check_query('SELECT * WHERE { BIND(<http://a\\\\u0041#> AS ?x) SERVICE <http://127.0.0.1:9/> { } }')
    Traceback (most recent call last):
    ...
    kg.guard.Refused: line 1, column 48: SERVICE is not allowed: this endpoint makes no outbound requests
    """
    return _CACHE.check(text, graphs)


def _check(text: str, graphs: frozenset[str]) -> Checked:
    reader = _Reader(text)
    if not reader.complete:
        at = reader.furthest
        raise Refused(400, f"{_where(text, at)}: cannot read the query here: {_describe_stop(text, at)}")
    live = reader.live
    words = [t for p in reader.positions for t in live[p] if t[_KIND] == "word"]
    for term in words:  # updates and LOAD, as whole words (the workers' query parser cannot run them anyway)
        value = term[_VALUE]
        if value in UPDATE_WORDS and _whole_word(text, term):
            where = _where(text, term[_START])
            if value == "LOAD":
                raise Refused(400, f"{where}: LOAD is not allowed: this endpoint reads no URL and no file")
            raise Refused(403, f"{where}: {value}: SPARQL Update is not allowed: the endpoint is read-only")
    prefixes, bases = _declarations(reader, words)
    for term in words:
        if term[_VALUE] == "SERVICE" and _service_follows(reader, term):
            where = _where(text, term[_START])
            raise Refused(400, f"{where}: SERVICE is not allowed: this endpoint makes no outbound requests")
        if term[_VALUE] in ("FROM", "GRAPH"):
            _check_graph_name(reader, term, prefixes, bases, graphs)
    return Checked(_form(reader))


def _whole_word(text: str, term: _Term) -> bool:
    after = text[term[_END] : term[_END] + 1]
    before = text[term[_START] - 1 : term[_START]] if term[_START] else ""
    return not (after.isalnum() or after in ("_", ":")) and not (before.isalnum() or before in ("_", ":"))


def _following(reader: _Reader, term: _Term) -> list[_Term]:
    return reader.live.get(term[_NEXT], [])


def _opens_group(reader: _Reader, term: _Term) -> bool:
    return any(t[_KIND] == "punct" and t[_VALUE] == "{" for t in _following(reader, term))


def _service_follows(reader: _Reader, service: _Term) -> bool:
    """Does this ``SERVICE`` continue, in some reading, as ``[SILENT] VarOrIri {``?"""
    targets = _following(reader, service)
    targets = targets + [t2 for t in targets if t[_VALUE] == "SILENT" for t2 in _following(reader, t)]
    return any(t[_KIND] in ("var", "iri", "pname_ns", "pname_ln") and _opens_group(reader, t) for t in targets)


def _check_graph_name(
    reader: _Reader, keyword: _Term, prefixes: dict[str, set[str]], bases: set[str | None], graphs: frozenset[str]
) -> None:
    """``FROM [NAMED] iri`` and ``GRAPH iri {``: the IRI, however it may be read, must be one of ``graphs``."""
    text, word = reader.text, keyword[_VALUE]
    targets = _following(reader, keyword)
    if word == "FROM":
        targets = targets + [t2 for t in targets if t[_VALUE] == "NAMED" for t2 in _following(reader, t)]
    named = False
    for target in targets:
        if target[_KIND] not in ("iri", "pname_ns", "pname_ln"):
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
                    f"{_where(text, target[_START])}: {word} <{shown}> is not allowed: only this store's own "
                    f"named graphs can be named ({own})",
                )
    if word == "FROM" and not named and _whole_word(text, keyword):
        raise Refused(400, f"{_where(text, keyword[_START])}: FROM must name a graph of this store")


def _declarations(reader: _Reader, words: list[_Term]) -> tuple[dict[str, set[str]], set[str | None]]:
    """Every prefix and base any reading declares (``PREFIX p: <iri>``, ``BASE <iri>``), with the predeclared
    prefixes: a name is checked against each meaning it could have."""
    prefixes: dict[str, set[str]] = {p: {iri} for p, iri in PREFIXES.items()}
    bases: set[str | None] = {None}
    for term in words:
        if term[_VALUE] not in ("PREFIX", "BASE"):
            continue
        for declared in _following(reader, term):
            if term[_VALUE] == "BASE" and declared[_KIND] == "iri":
                bases.add(declared[_VALUE])
            if term[_VALUE] == "PREFIX" and declared[_KIND] == "pname_ns":
                for iri in _following(reader, declared):
                    if iri[_KIND] == "iri":
                        prefixes.setdefault(declared[_VALUE], set()).add(iri[_VALUE])
    # a base or a prefix IRI may itself be relative to a base
    known = [b for b in bases if b]
    for base in known:
        bases.update(urljoin(other, base) for other in known)
    known = [b for b in bases if b]
    for name, iris in prefixes.items():
        prefixes[name] = iris | {urljoin(b, i) for i in iris for b in known}
    return prefixes, bases


def _iris_of(text: str, term: _Term, prefixes: dict[str, set[str]], bases: set[str | None]) -> set[str]:
    if term[_KIND] == "iri":
        iri = term[_VALUE]
        known = [b for b in bases if b]
        absolute = re.match(r"[A-Za-z][A-Za-z0-9+.-]*:", iri) is not None
        return {urljoin(b, iri) for b in known} | ({iri} if absolute or not known else set())
    name = term[_VALUE]
    if name not in prefixes:
        return set()  # an undeclared prefix: no reading can use this name (Oxigraph fails on it)
    local = ""
    if term[_KIND] == "pname_ln":
        local = _LOCAL_ESCAPE.sub(r"\1", text[term[_START] + len(name) + 1 : term[_END]])
    return {namespace + local for namespace in prefixes[name]}


def _form(reader: _Reader) -> str | None:
    """The query form, read past the prologue (BASE, PREFIX, VERSION) along the complete reading that prefers
    IRIs, strings and the longest names."""
    p, skip = reader.start, 0
    while p < reader.n:
        term = max(reader.live[p], key=lambda t: ({"iri": 3, "string": 3, "pname_ns": 2}.get(t[_KIND], 0), t[_END]))
        if skip:
            skip -= 1
        elif term[_KIND] == "word" and term[_VALUE] in ("BASE", "VERSION"):
            skip = 1
        elif term[_KIND] == "word" and term[_VALUE] == "PREFIX":
            skip = 2
        else:
            return term[_VALUE].lower() if term[_KIND] == "word" and term[_VALUE] in QUERY_FORMS else None
        p = term[_NEXT]
    return None


def _where(text: str, at: int) -> str:
    line = text.count("\n", 0, at) + 1
    column = at - (text.rfind("\n", 0, at) + 1) + 1
    return f"line {line}, column {column}"


def _describe_stop(text: str, at: int) -> str:
    if at >= len(text):
        return "the text ends too early"
    ch = text[at]
    if ch in "'\"":
        return "unterminated string (or one with an escape other than \\t \\b \\n \\r \\f \\\" \\' \\\\ \\uXXXX)"
    if ch == "\\":
        return "a backslash outside a string or an IRI"
    word = _WORD_CHARS.match(text, at)
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
