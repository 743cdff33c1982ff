"""The graph behind any SPARQL 1.1 endpoint: a read-only, pyoxigraph-``Store``-like view over the SPARQL
Protocol, and ``push``, which uploads a graph with the SPARQL 1.1 Graph Store Protocol (standard library only).

The rest of the package talks to a store through four methods of ``pyoxigraph.Store``: ``query``,
``quads_for_pattern``, ``dump`` and ``len()``. :class:`RemoteStore` answers them over HTTP, and hands back the same
pyoxigraph objects (``QuerySolutions``, ``QueryBoolean``, ``QueryTriples``, ``Quad``) the embedded store does,
so nothing above this module knows where the graph lives.
"""

from __future__ import annotations

import re
import time
from collections.abc import Iterator, Mapping
from dataclasses import dataclass

import pyoxigraph as ox

from kg.errors import InputError, echo

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing at start-up
if TYPE_CHECKING:
    from typing import Any

    from kg.store import KnowledgeGraph

Term = ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple

_RESULT_TYPES = "application/sparql-results+json;q=1.0, application/sparql-results+xml;q=0.8"
_GRAPH_TYPES = "application/n-triples;q=1.0, text/turtle;q=0.8, application/rdf+xml;q=0.5"
_RDF_BY_MEDIA = {
    "application/n-triples": ox.RdfFormat.N_TRIPLES,
    "text/plain": ox.RdfFormat.N_TRIPLES,
    "text/turtle": ox.RdfFormat.TURTLE,
    "application/x-turtle": ox.RdfFormat.TURTLE,
    "application/rdf+xml": ox.RdfFormat.RDF_XML,
    "application/ld+json": ox.RdfFormat.JSON_LD,
}
_RESULTS_BY_MEDIA = {
    "application/sparql-results+json": ox.QueryResultsFormat.JSON,
    "application/json": ox.QueryResultsFormat.JSON,
    "application/sparql-results+xml": ox.QueryResultsFormat.XML,
    "application/xml": ox.QueryResultsFormat.XML,
    "text/tab-separated-values": ox.QueryResultsFormat.TSV,
}


# ------------------------------------------------------------------------------ SPARQL text (no parser needed)

# One token of SPARQL text as far as rewriting needs it: comments, strings and IRIs are skipped whole, so that
# a brace or a keyword inside them never counts.
_TOKEN = re.compile(
    r"""(?P<comment>\#[^\n]*)
      | (?P<string>\"\"\"(?:[^"\\]|\\.|"(?!""))*\"\"\"|'''(?:[^'\\]|\\.|'(?!''))*'''
                  |"(?:[^"\\\n]|\\.)*"|'(?:[^'\\\n]|\\.)*')
      | (?P<iri><[^<>"{}|^`\\\x00-\x20]*>)
      | (?P<punct>[{}()])
      | (?P<var>[?$][A-Za-z0-9_\u00b7-\uffff]+)
      | (?P<pname>(?:[A-Za-z_][\w.-]*)?:[\w.%:-]*)
      | (?P<word>[A-Za-z_][A-Za-z0-9_-]*)
      | (?P<other>.)""",
    re.X | re.S,
)
_FORMS = ("SELECT", "CONSTRUCT", "ASK", "DESCRIBE")


def _tokens(text: str) -> list[tuple[str, int, int]]:
    """``(token, start, end)`` for braces, parentheses, variables (``?x``) and bare words (upper-cased);
    comments, strings, IRIs, prefixed names and the rest are left out."""
    out = []
    for m in _TOKEN.finditer(text):
        kind = m.lastgroup
        if kind in ("punct", "var"):
            out.append((m.group(), m.start(), m.end()))
        elif kind == "word":
            out.append((m.group().upper(), m.start(), m.end()))
    return out


def query_form(text: str) -> str:
    """``SELECT``, ``CONSTRUCT``, ``ASK`` or ``DESCRIBE``: the form of a query, read past its prologue.

    >>> query_form('PREFIX select: <x:select> # CONSTRUCT\\nASK { ?select ?p "SELECT" }')
    'ASK'
    """
    for token, _, _ in _tokens(text):
        if token in _FORMS:
            return token
    raise InputError("not a SPARQL query (no SELECT, CONSTRUCT, ASK or DESCRIBE); updates are not sent to endpoints")


def _matching(tokens: list[tuple[str, int, int]], i: int) -> int:
    """Index of the token that closes the brace opened at ``tokens[i]``."""
    depth = 0
    for j in range(i, len(tokens)):
        if tokens[j][0] == "{":
            depth += 1
        elif tokens[j][0] == "}":
            depth -= 1
            if depth == 0:
                return j
    raise InputError("unbalanced braces in the query")


def substitute(text: str, bindings: Mapping[str, Term]) -> str:
    """Bind variables the way Oxigraph's ``substitutions=`` does (SPARQL-dev SEP-0007), in plain SPARQL 1.1 that
    any endpoint runs: each variable is replaced by its term throughout the WHERE clause, and bound to that term
    at the end of it (a one-row ``VALUES``), so that the projection, GROUP BY and ORDER BY still see it. (A
    ``VALUES`` block alone would do on paper, but Virtuoso then loses rows of property paths that start at the
    bound variable.)

    In a sub-query's projection the variable becomes ``(term AS ?var)``, and in its modifiers ``(term)``.

    >>> substitute("SELECT ?x ?l WHERE { ?x rdfs:label ?l }", {"x": ox.NamedNode("http://e/x")})
    'SELECT ?x ?l WHERE { <http://e/x> rdfs:label ?l  VALUES (?x) { (<http://e/x>) } }'
    >>> substitute("CONSTRUCT WHERE { ?x ?p ?o }", {"x": ox.NamedNode("http://e/x")})
    'CONSTRUCT { ?x ?p ?o } WHERE { <http://e/x> ?p ?o  VALUES (?x) { (<http://e/x>) } }'
    """
    if not bindings:
        return text
    terms: dict[str, str] = {}
    for name, term in bindings.items():
        if not isinstance(term, (ox.NamedNode, ox.Literal)):
            raise InputError(f"?{name}: only IRIs and literals can be bound on a SPARQL endpoint, not {term}")
        terms[name] = str(term)
    tokens = _tokens(text)
    form_at = next((i for i, t in enumerate(tokens) if t[0] in _FORMS), None)
    if form_at is None:
        raise InputError("not a SPARQL query (no SELECT, CONSTRUCT, ASK or DESCRIBE)")
    i = form_at + 1
    if tokens[form_at][0] == "CONSTRUCT":
        if i < len(tokens) and tokens[i][0] == "{":  # the template keeps its variables
            i = _matching(tokens, i) + 1
        elif i + 1 < len(tokens) and tokens[i][0] == "WHERE" and tokens[i + 1][0] == "{":
            close = _matching(tokens, i + 1)  # CONSTRUCT WHERE { T } is CONSTRUCT { T } WHERE { T }
            template = text[tokens[i + 1][1] : tokens[close][2]]
            return substitute(text[: tokens[i][1]] + template + " " + text[tokens[i][1] :], bindings)
    depth = 0  # parentheses: a SELECT expression may hold EXISTS { ... }
    while i < len(tokens):
        if tokens[i][0] == "(":
            depth += 1
        elif tokens[i][0] == ")":
            depth -= 1
        elif tokens[i][0] == "{" and depth == 0:
            break
        i += 1
    edits: list[tuple[int, int, str]] = []
    if i == len(tokens):  # DESCRIBE ?x without a WHERE clause
        for token, start, end in tokens:
            if token[0] in "?$" and token[1:] in terms:
                edits.append((start, end, terms[token[1:]]))
        return _apply(text, edits)
    close = _matching(tokens, i)
    _substitute_group(tokens, i + 1, close, terms, edits)
    binds = f"VALUES ({' '.join('?' + n for n in terms)}) {{ ({' '.join(terms.values())}) }}"
    open_end, close_start = tokens[i][2], tokens[close][1]
    if i + 1 < close and tokens[i + 1][0] == "SELECT":  # a sub-query must stand alone in its group
        edits += [(open_end, open_end, " {"), (close_start, close_start, f"}} {binds} ")]
    else:
        edits.append((close_start, close_start, f" {binds} "))
    return _apply(text, edits)


def _substitute_group(
    tokens: list[tuple[str, int, int]], first: int, last: int, terms: dict[str, str], edits: list[tuple[int, int, str]]
) -> None:
    """Replace the bound variables among ``tokens[first:last]``, minding sub-query projections and modifiers."""
    projection = False  # between a sub-query's SELECT and its WHERE group
    depth = 0  # parentheses within that projection
    modifier_until: list[int] = []  # after a sub-query's WHERE group: its GROUP BY / ORDER BY / HAVING
    closes: dict[int, bool] = {}  # token index of the "}" ending a sub-query's WHERE group
    previous = ""
    for k in range(first, last):
        token, start, end = tokens[k]
        if projection:
            if token == "(":
                depth += 1
            elif token == ")":
                depth -= 1
            elif token == "{" and depth == 0:
                projection = False
                closes[_matching(tokens, k)] = True
        elif token == "}" and closes.pop(k, False):
            modifier_until.append(k)
        elif token == "}" and modifier_until:
            modifier_until.pop()
        if token == "SELECT":
            projection, depth = True, 0
        elif token[0] in "?$" and token[1:] in terms and previous != "AS":
            term = terms[token[1:]]
            if projection and depth == 0:
                edits.append((start, end, f"({term} AS {token})"))
            elif modifier_until and not projection:
                edits.append((start, end, f"({term})"))
            else:
                edits.append((start, end, term))
        previous = token


def _apply(text: str, edits: list[tuple[int, int, str]]) -> str:
    for start, end, new in sorted(edits, key=lambda e: (e[0], e[1]), reverse=True):
        text = text[:start] + new + text[end:]
    return text


def with_prefixes(text: str, prefixes: Mapping[str, str] | None) -> str:
    """Declare the predeclared ``prefixes`` the query does not declare itself."""
    if not prefixes:
        return text
    declared = {m.lower() for m in re.findall(r"\bPREFIX\s+([A-Za-z][\w.-]*)?\s*:", text, re.I)}
    head = "".join(f"PREFIX {p}: <{iri}>\n" for p, iri in prefixes.items() if p.lower() not in declared)
    return head + text


# ------------------------------------------------------------------------------ HTTP


def _split_credentials(url: str) -> tuple[str, str | None, str | None]:
    """Take ``user:password@`` out of a URL (urllib does not use it)."""
    from urllib.parse import unquote, urlsplit, urlunsplit

    try:
        parts = urlsplit(url)
        hostname, port = parts.hostname, parts.port  # a bad port or IPv6 address raises here
    except ValueError as exc:
        raise InputError(f"{echo(url)} is not a URL ({exc})") from None
    if parts.scheme not in ("http", "https") or not hostname:
        raise InputError(f"{echo(url)} is not an http(s) URL of a SPARQL endpoint")
    if any(ch.isspace() or ord(ch) < 32 for ch in url):
        raise InputError(f"{echo(url)} is not a URL (it holds a space or a control character)")
    if parts.username is None:
        return url, None, None
    netloc = hostname + (f":{port}" if port else "")
    user, password = unquote(parts.username), unquote(parts.password or "")
    return urlunsplit((parts.scheme, netloc, parts.path, parts.query, parts.fragment)), user, password


class _Http:
    """An urllib opener with optional Basic/Digest credentials and errors turned into one-line messages."""

    def __init__(self, url: str, user: str | None, password: str | None, timeout: float) -> None:
        import urllib.request

        self.url, self.timeout = url, timeout
        self.passwords = urllib.request.HTTPPasswordMgrWithDefaultRealm()
        handlers: list[Any] = []
        if user is not None:
            self.passwords.add_password(None, url, user, password or "")
            handlers += [
                urllib.request.HTTPDigestAuthHandler(self.passwords),
                urllib.request.HTTPBasicAuthHandler(self.passwords),
            ]
        self.has_credentials = user is not None
        self.opener = urllib.request.build_opener(*handlers)

    def send(
        self,
        url: str,
        *,
        method: str,
        data: bytes | None = None,
        headers: Mapping[str, str] | None = None,
        authorize_first: bool = False,
    ) -> tuple[bytes, Any]:
        """One request. With ``authorize_first`` (an upload), the credentials go with the request itself: a
        server that answers 401 before reading a large body closes the connection under the sender."""
        import http.client
        import urllib.error
        import urllib.request

        request = urllib.request.Request(url, data=data, method=method, headers=dict(headers or {}))
        opener = self.opener
        try:
            if authorize_first and self.has_credentials:
                header = self._authorization(request)
                if header:
                    request.add_unredirected_header("Authorization", header)
                    opener = urllib.request.build_opener()
            with opener.open(request, timeout=self.timeout) as response:
                return response.read(), response.headers
        except urllib.error.HTTPError as exc:
            body = exc.read().decode("utf-8", "replace")
            raise InputError(f"{url.split('?')[0]}: HTTP {exc.code} {exc.reason}: {_first_line(body)}") from None
        except urllib.error.URLError as exc:
            if isinstance(exc.reason, (BrokenPipeError, ConnectionResetError)) and data:
                raise InputError(
                    f"{url.split('?')[0]}: the server closed the connection during the upload "
                    f"({exc.reason}); were credentials needed?"
                ) from None
            raise InputError(f"{url.split('?')[0]}: cannot reach the endpoint: {exc.reason}") from None
        except (TimeoutError, ConnectionError) as exc:
            raise InputError(f"{url.split('?')[0]}: the connection failed: {exc}") from None
        except (ValueError, UnicodeError, http.client.HTTPException) as exc:  # a URL urllib cannot send
            raise InputError(f"{echo(url.split('?')[0])}: cannot send the request: {exc}") from None

    def _authorization(self, request: Any) -> str | None:
        """The Authorization header for ``request``, from the challenge a body-less HEAD brings back."""
        import base64
        import urllib.error
        import urllib.request

        probe = urllib.request.Request(request.full_url, method="HEAD")
        try:
            with urllib.request.build_opener().open(probe, timeout=self.timeout):
                return None  # no challenge: the server does not ask for credentials here
        except urllib.error.HTTPError as exc:
            challenge = exc.headers.get("WWW-Authenticate", "") if exc.code == 401 else ""
        scheme, _, rest = challenge.partition(" ")
        user, password = self.passwords.find_user_password(None, request.full_url)
        if scheme.lower() == "digest":
            fields = urllib.request.parse_keqv_list(urllib.request.parse_http_list(rest))
            digest = urllib.request.HTTPDigestAuthHandler(self.passwords)
            make = lambda r: f"Digest {digest.get_authorization(r, fields)}"  # noqa: E731
        elif scheme.lower() == "basic" and user is not None:
            make = lambda r: "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode("ascii")  # noqa: E731
        else:
            return None
        # the credentials are tried on another HEAD first: refused ones must fail before the body is sent
        probe = urllib.request.Request(request.full_url, method="HEAD")
        probe.add_unredirected_header("Authorization", make(probe))
        try:
            with urllib.request.build_opener().open(probe, timeout=self.timeout):
                pass
        except urllib.error.HTTPError as exc:
            if exc.code in (401, 403):
                raise InputError(
                    f"{request.full_url.split('?')[0]}: HTTP {exc.code}: the credentials were refused"
                ) from None
        return make(request)


def _first_line(body: str) -> str:
    """The message of an error page: HTML tags dropped, the first non-empty lines, shortened."""
    text = re.sub(r"<(title|h1)>.*?</\1>", " ", body, flags=re.S | re.I)
    text = re.sub(r"<[^>]+>", " ", text)
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    message = " ".join(lines[:3])
    return message[:300] + ("..." if len(message) > 300 else "")


def _media(headers: Any) -> str:
    return (headers.get("Content-Type") or "").split(";")[0].strip().lower()


_BNODE_VALUE = re.compile(rb'("type"\s*:\s*"bnode"\s*,\s*"value"\s*:\s*")([^"]*)(")')


def _parse_results(data: bytes, media: str) -> ox.QuerySolutions | ox.QueryBoolean:
    """Parse SPARQL results. Blank node labels some servers send (Virtuoso: ``nodeID://b10000``) are not
    valid blank node identifiers; they are rewritten to ones that are, the same label to the same node."""
    fmt = _RESULTS_BY_MEDIA.get(media)
    if fmt is None:
        raise InputError(f"the endpoint answered with {media or 'no content type'}, not SPARQL results")
    if fmt == ox.QueryResultsFormat.JSON and b'"bnode"' in data:
        data = _BNODE_VALUE.sub(lambda m: m[1] + _bnode_id(m[2]) + m[3], data)
    elif fmt == ox.QueryResultsFormat.XML and b"<bnode>" in data:
        data = re.sub(rb"<bnode>([^<]*)</bnode>", lambda m: b"<bnode>" + _bnode_id(m[1]) + b"</bnode>", data)
    try:
        return ox.parse_query_results(data, format=fmt)
    except SyntaxError as exc:
        raise InputError(f"the endpoint's results cannot be read: {exc}") from None


def _bnode_id(label: bytes) -> bytes:
    if re.fullmatch(rb"[A-Za-z0-9_]+", label):
        return label
    return b"r" + re.sub(rb"[^A-Za-z0-9]", b"_", label)


_EMPTY = ox.Store()  # parses queries locally, so a syntax error reads file:line:column on every backend


class RemoteStore:
    """A read-only view of a SPARQL 1.1 endpoint with the parts of ``pyoxigraph.Store`` the package uses.

    ``graph`` names the graph to read (sent as ``default-graph-uri``); without it the endpoint's default graph
    is read (on Virtuoso that is the union of all graphs, its own system graphs included). Credentials may be
    given, or written into the URL (``http://user:pass@host/sparql``); Basic and Digest authentication work.

    The graph is taken not to change while the object lives: the triple count and each subject's description
    are fetched once, and once a caller reads every triple (``quads_for_pattern(None, None, None)``, as the
    network projection does) that copy answers every later pattern; SPARQL queries always go to the endpoint.

    A blank node cannot be named in a query, so the triples of a blank node are read with
    those of the node it was reached from (the object of a named subject: in the same request), or with every
    blank node met the same way (as the subject or object of a pattern: one more request for all of them).
    """

    def __init__(
        self,
        endpoint: str,
        *,
        graph: str | None = None,
        user: str | None = None,
        password: str | None = None,
        timeout: float = 60.0,
    ) -> None:
        url, url_user, url_password = _split_credentials(endpoint)
        self.endpoint = url
        self.graph = graph
        self.http = _Http(url, user if user is not None else url_user, password or url_password, timeout)
        self.requests = 0  # how many HTTP requests this view has made (for tests and benchmarks)
        self._len: int | None = None
        self._subjects: dict[str, list[tuple[ox.NamedNode, Term]]] = {}
        self._bnodes: dict[str, list[tuple[ox.NamedNode, Term]]] = {}
        self._origins: dict[str, tuple[str, tuple[ox.NamedNode | None, Term | None]]] = {}
        self._fetched: set[tuple[str, ox.NamedNode | None, Term | None]] = set()
        self._mirror: ox.Store | None = None  # the whole graph, once a caller has asked for all of it

    def __repr__(self) -> str:
        return f"<RemoteStore {self.endpoint}" + (f" graph <{self.graph}>>" if self.graph else ">")

    # -------------------------------------------------------------- the pyoxigraph.Store subset

    def query(
        self,
        query: str,
        *,
        prefixes: Mapping[str, str] | None = None,
        substitutions: Mapping[ox.Variable, Term] | None = None,
        base_iri: str | None = None,
    ) -> ox.QuerySolutions | ox.QueryBoolean | ox.QueryTriples:
        """Run a query on the endpoint; the answer is the pyoxigraph object ``Store.query`` would return."""
        subs = dict(substitutions) if substitutions else None
        _EMPTY.query(query, prefixes=dict(prefixes) if prefixes else None, substitutions=subs, base_iri=base_iri)
        text = query if base_iri is None else f"BASE <{base_iri}>\n{query}"
        text = with_prefixes(text, prefixes)
        if substitutions:
            text = substitute(text, {v.value: t for v, t in substitutions.items()})
        return self.run(text)

    def run(self, text: str) -> ox.QuerySolutions | ox.QueryBoolean | ox.QueryTriples:
        """Send SPARQL text as it is (no local syntax check, no prefixes added)."""
        form = query_form(text)
        graph_form = form in ("CONSTRUCT", "DESCRIBE")
        data, headers = self._post(text, _GRAPH_TYPES if graph_form else _RESULT_TYPES)
        media = _media(headers)
        if not graph_form:
            return _parse_results(data, media)
        fmt = _RDF_BY_MEDIA.get(media)
        if fmt is None:
            raise InputError(f"{self.endpoint}: a {form} answer came as {media or 'no content type'}, not RDF")
        # A graph is a set of triples: load it into a scratch store and read it back as pyoxigraph's QueryTriples.
        scratch = ox.Store()
        try:
            scratch.load(data, format=fmt)
        except SyntaxError as exc:
            raise InputError(f"{self.endpoint}: the {form} answer cannot be read: {exc}") from None
        return scratch.query("CONSTRUCT WHERE { ?s ?p ?o }")

    def _select(self, text: str) -> ox.QuerySolutions:
        solutions = self.run(text)
        assert isinstance(solutions, ox.QuerySolutions)
        return solutions

    def quads_for_pattern(
        self,
        subject: ox.NamedNode | ox.BlankNode | None,
        predicate: ox.NamedNode | None,
        object: Term | None,
        graph_name: ox.DefaultGraph | None = None,
    ) -> Iterator[ox.Quad]:
        """The triples matching a pattern (``None`` is a wildcard), as quads of the default graph."""
        if graph_name is not None and not isinstance(graph_name, ox.DefaultGraph):
            raise InputError("a remote store is read through its default graph only (use --graph to choose it)")
        if self._mirror is not None:  # the whole graph was read once already: answer from that copy
            yield from self._mirror.quads_for_pattern(subject, predicate, object, ox.DefaultGraph())
            return
        default = ox.DefaultGraph()
        if subject is not None:
            for p, o in self._describe(subject):
                if (predicate is None or p == predicate) and (object is None or o == object):
                    yield ox.Quad(subject, p, o, default)
            return
        if isinstance(object, ox.BlankNode):
            return  # a blank node cannot be named in a query
        if predicate is None and object is None:  # everything: keep it, later patterns are answered from it
            mirror = ox.Store()
            mirror.extend(ox.Quad(r["s"], r["p"], r["o"], default) for r in self._select(_ALL))
            self._mirror = mirror
            yield from mirror.quads_for_pattern(None, None, None, default)
            return
        bound = {name: term for name, term in (("p", predicate), ("o", object)) if term is not None}
        rows = [(r["s"], r["p"], r["o"]) for r in self._select(substitute(_ALL, bound))]
        key = (predicate, object)
        for s, _, o in rows:  # remember where blank nodes were met, to read their triples later in one request
            if isinstance(s, ox.BlankNode):
                self._origins.setdefault(s.value, ("subject", key))
            if isinstance(o, ox.BlankNode):
                self._origins.setdefault(o.value, ("object", key))
        for s, p, o in rows:
            yield ox.Quad(s, p, o, default)

    def __len__(self) -> int:
        if self._len is None:
            rows = list(self._select("SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"))
            self._len = int(rows[0]["n"].value) if rows else 0
        return self._len

    def __iter__(self) -> Iterator[ox.Quad]:
        return self.quads_for_pattern(None, None, None)

    def dump(
        self,
        output: Any = None,
        format: ox.RdfFormat | None = None,
        *,
        from_graph: ox.DefaultGraph | None = None,
        prefixes: Mapping[str, str] | None = None,
        base_iri: str | None = None,
    ) -> bytes | None:
        """Serialise the whole graph (fetched with one CONSTRUCT), like ``Store.dump``."""
        scratch = ox.Store()
        triples = self.run(_EVERYTHING)
        assert isinstance(triples, ox.QueryTriples)
        scratch.extend(ox.Quad(t.subject, t.predicate, t.object) for t in triples)
        return scratch.dump(
            output,
            format,
            from_graph=ox.DefaultGraph(),
            prefixes=dict(prefixes) if prefixes else None,
            base_iri=base_iri,
        )

    # -------------------------------------------------------------- internals

    def _describe(self, subject: ox.NamedNode | ox.BlankNode) -> list[tuple[ox.NamedNode, Term]]:
        """Every ``subject ?p ?o``, fetched once, with the triples of blank-node objects in the same request."""
        if isinstance(subject, ox.BlankNode):
            return self._blank(subject.value)
        found = self._subjects.get(subject.value)
        if found is not None:
            return found
        found, seen = [], set()
        blanks: dict[str, list[tuple[ox.NamedNode, Term]]] = {}
        for row in self._select(substitute(_DESCRIBE, {"s": subject})):
            p, o = row["p"], row["o"]
            if (p, o) not in seen:
                seen.add((p, o))
                found.append((p, o))
            if isinstance(o, ox.BlankNode):
                triples = blanks.setdefault(o.value, [])
                if row["bp"] is not None and (row["bp"], row["bo"]) not in triples:
                    triples.append((row["bp"], row["bo"]))
        for label, triples in blanks.items():
            self._bnodes.setdefault(label, triples)
        self._subjects[subject.value] = found
        return found

    def _blank(self, label: str) -> list[tuple[ox.NamedNode, Term]]:
        """The triples of a blank node met as the subject or object of an earlier pattern: one request reads the
        triples of every blank node met the same way. This relies on the endpoint keeping a blank node's label
        from one answer to the next (Oxigraph and Virtuoso do)."""
        if label not in self._bnodes and label in self._origins:
            role, (predicate, object) = self._origins[label]
            if (role, predicate, object) not in self._fetched:
                self._fetched.add((role, predicate, object))
                pattern = "?b ?xp ?xo" if role == "subject" else "?xs ?xp ?b"
                bound = {k: t for k, t in (("xp", predicate), ("xo", object)) if t is not None}
                text = substitute(f"SELECT ?b ?bp ?bo WHERE {{ {pattern} . ?b ?bp ?bo FILTER(isBlank(?b)) }}", bound)
                read: dict[str, list[tuple[ox.NamedNode, Term]]] = {}
                for row in self._select(text):
                    triples = read.setdefault(row["b"].value, [])
                    if (row["bp"], row["bo"]) not in triples:
                        triples.append((row["bp"], row["bo"]))
                for key, triples in read.items():
                    self._bnodes.setdefault(key, triples)
        return self._bnodes.get(label, [])

    def _post(self, text: str, accept: str) -> tuple[bytes, Any]:
        from urllib.parse import urlencode

        form = [("query", text)]
        if self.graph:
            form.append(("default-graph-uri", self.graph))
        self.requests += 1
        data, headers = self.http.send(
            self.endpoint,
            method="POST",
            data=urlencode(form).encode("utf-8"),
            headers={"Accept": accept, "Content-Type": "application/x-www-form-urlencoded; charset=utf-8"},
        )
        limit = headers.get("X-SPARQL-MaxRows")
        if limit is not None:  # Virtuoso cut the answer at its ResultSetMaxRows and says so only in this header
            raise InputError(
                f"{self.endpoint}: the endpoint returned only the first {limit} rows of an answer (Virtuoso's "
                "ResultSetMaxRows); raise that limit in the server's virtuoso.ini"
            )
        return data, headers


_EVERYTHING = "CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }"
_ALL = "SELECT ?s ?p ?o WHERE { ?s ?p ?o }"
_DESCRIBE = "SELECT ?s ?p ?o ?bp ?bo WHERE { ?s ?p ?o OPTIONAL { ?o ?bp ?bo FILTER(isBlank(?o)) } }"


def connect(
    endpoint: str,
    *,
    graph: str | None = None,
    user: str | None = None,
    password: str | None = None,
    timeout: float = 60.0,
) -> KnowledgeGraph:
    """The knowledge graph held by a SPARQL 1.1 endpoint; every read method works as on the embedded store.

    ``graph`` names the graph to read (``default-graph-uri``); give it for Virtuoso, whose default graph is the
    union of every graph it holds.
    """
    from kg.store import KnowledgeGraph

    store = RemoteStore(endpoint, graph=graph, user=user, password=password, timeout=timeout)
    return KnowledgeGraph(store)  # type: ignore[arg-type]


# ------------------------------------------------------------------------------ Graph Store Protocol


@dataclass(frozen=True)
class PushReport:
    """What :func:`push` did: where the graph went, how much was sent, and (when the query endpoint is known)
    how many triples the endpoint then holds in that graph."""

    gsp: str
    graph: str | None
    method: str
    triples: int
    bytes: int
    seconds: float
    triples_at_endpoint: int | None


def gsp_url(endpoint: str, *, user: str | None = None, http: _Http | None = None) -> str:
    """Guess the Graph Store Protocol URL from a query endpoint: Oxigraph serves ``/query`` and ``/store``;
    Virtuoso serves ``/sparql`` and ``/sparql-graph-crud`` (``/sparql-graph-crud-auth`` with credentials).

    >>> gsp_url("http://127.0.0.1:7878/query")
    'http://127.0.0.1:7878/store'
    """
    from urllib.parse import urlsplit, urlunsplit

    url, url_user, _ = _split_credentials(endpoint)
    parts = urlsplit(url)
    path = parts.path.rstrip("/")
    if path.endswith("/query"):
        path = path[: -len("query")] + "store"
    elif path.endswith("/sparql"):
        path = path + ("-graph-crud-auth" if (user or url_user) else "-graph-crud")
    else:
        raise InputError(
            f"cannot tell the Graph Store Protocol URL of {url}; give it with --gsp "
            "(Oxigraph: http://HOST/store, Virtuoso: http://HOST/sparql-graph-crud-auth, Fuseki: http://HOST/DATASET/data)"
        )
    return urlunsplit((parts.scheme, parts.netloc, path, "", ""))


def push(
    graph: KnowledgeGraph,
    *,
    endpoint: str | None = None,
    gsp: str | None = None,
    graph_iri: str | None = None,
    user: str | None = None,
    password: str | None = None,
    replace: bool = True,
    timeout: float = 600.0,
) -> PushReport:
    """Upload ``graph`` to a store with the SPARQL 1.1 Graph Store Protocol, as N-Triples.

    ``replace`` (the default) PUTs: the target graph then holds exactly this graph; otherwise POST adds to it.
    ``graph_iri`` names the target graph (``?graph=IRI``); without it the store's default graph is written
    (Virtuoso has no writable default graph: name one). The GSP URL is ``gsp``, or guessed from ``endpoint``
    (see :func:`gsp_url`); when ``endpoint`` is given the result is checked by counting the triples there.
    """
    from urllib.parse import urlencode

    if gsp is None and endpoint is None:
        raise InputError("push needs --endpoint URL or --gsp URL")
    endpoint_user = endpoint_password = None
    if endpoint is not None:
        _, endpoint_user, endpoint_password = _split_credentials(endpoint)
    user = user if user is not None else endpoint_user
    target, url_user, url_password = _split_credentials(gsp or gsp_url(endpoint or "", user=user))
    user = url_user if url_user is not None else user
    password = url_password if url_user is not None else (password if password is not None else endpoint_password)
    http = _Http(target, user, password, timeout)
    query = urlencode({"graph": graph_iri}) if graph_iri else "default"
    url = f"{target}{'&' if '?' in target else '?'}{query}"
    started = time.perf_counter()
    data = graph.store.dump(format=ox.RdfFormat.N_TRIPLES, from_graph=ox.DefaultGraph()) or b""
    method = "PUT" if replace else "POST"
    http.send(
        url,
        method=method,
        data=data,
        headers={"Content-Type": "application/n-triples; charset=utf-8"},
        authorize_first=True,
    )
    seconds = time.perf_counter() - started
    held = None
    if endpoint is not None:
        held = len(RemoteStore(endpoint, graph=graph_iri, user=user, password=password, timeout=timeout))
    return PushReport(target, graph_iri, method, len(graph), len(data), round(seconds, 3), held)
