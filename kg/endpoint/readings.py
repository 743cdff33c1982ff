"""Every reading of a SPARQL text at once, for the query guard (:mod:`kg.endpoint.guard`).

Oxigraph 0.5 parses SPARQL with a PEG grammar (rust-peg). Such a parser has no separate lexer: whether ``<`` opens
an IRI or is the less-than operator, whether ``trueSERVICE`` is one word or the keyword ``true`` followed by
``SERVICE``, depends on the rule being tried, and a rule that fails is backtracked and another tried. So the reader
here does not pick one reading: it follows *every* way the text can be cut into SPARQL terminals, as the grammar's
lexical rules (and Oxigraph's, where they differ: case-insensitive keywords matched without a word boundary,
``\\u`` escapes only inside IRIs and strings, one dotted group in a local name) allow. The readings share their
positions, so this is a walk over at most one node per character of the text: linear, with a hard cap; a text
past a limit (:data:`MAX_NESTING`, :data:`MAX_TOKENS`, :data:`MAX_OPERATORS`, :data:`MAX_POSITIONS`) is refused as
early as it is seen.
"""

from __future__ import annotations

import re
from bisect import bisect_right

from kg.endpoint.refused import Refused

MAX_NESTING = 256  # deeper brackets than any real query has; Oxigraph's recursive parser would overflow its stack
MAX_TOKENS = 50_000  # terminals in a query
MAX_OPERATORS = 2_000  # operators, groups, UNION, OPTIONAL, MINUS, BIND, FILTER in a query
MAX_POSITIONS = 150_000  # places where some reading of the text starts a terminal

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
WORD_CHARS = re.compile(r"[A-Za-z0-9_]+")
LOCAL_ESCAPE = re.compile(r"\\(.)")


# A terminal is a tuple (kind, start, end, value, next): ``kind`` is word (a keyword, upper-cased in ``value``),
# pname_ns or pname_ln (``value`` is the prefix), iri (``value`` is the IRI, escapes decoded), var, bnode, string,
# number, langtag or punct (``value`` is the character); ``next`` is where the next terminal can start.
Terminal = tuple
KIND, START, END, VALUE, NEXT = range(5)
_OPERAND_ENDS = frozenset({"var", "iri", "pname_ns", "pname_ln", "string", "number", "langtag", "bnode"})
_PUNCT = frozenset("{}()[].,;*+-/!=<>&|^?$@~:")
_SKIPPABLE = frozenset(" \t\r\n#")
_DIGITS = frozenset("0123456789")
_WEIGHT_KEYWORDS = frozenset({"UNION", "OPTIONAL", "MINUS", "BIND", "FILTER", "EXISTS", "NOT"})


class Reader:
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
        terms: dict[int, list[Terminal]] = {}
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
                q = term[NEXT]
                reach[q] = 1
                kind, value = term[KIND], term[VALUE]
                o2, d2 = o, d
                flag = 8
                if kind == "punct":
                    if value in "{([":
                        d2 += 1
                        o2 += value == "{"
                        if d2 > MAX_NESTING:
                            where = locate(text, p)
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
                        f"{locate(text, p)}: the query has more than {MAX_OPERATORS} operators, groups, UNIONs, "
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
        live: dict[int, list[Terminal]] = {}
        for p in reversed(list(terms)):
            kept = [t for t in terms[p] if t[NEXT] >= n or t[NEXT] in live]
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

    def terms_at(self, p: int) -> list[Terminal]:
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

    def _words(self, p: int) -> list[Terminal]:
        """Keywords (any that match at ``p``, glued to what follows or not) and prefixed names."""
        text, skip = self.text, self.skip
        found: list[Terminal] = []
        head = WORD_CHARS.match(text, p, min(self.n, p + _LONGEST_KEYWORD))
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


def locate(text: str, at: int) -> str:
    line = text.count("\n", 0, at) + 1
    column = at - (text.rfind("\n", 0, at) + 1) + 1
    return f"line {line}, column {column}"
