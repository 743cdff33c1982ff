"""The remote backend: the graph behind any SPARQL 1.1 endpoint, as a read-only, pyoxigraph-``Store``-like view over
the SPARQL Protocol (standard library only; uploading a graph is :mod:`kg.core.backends.push`).

The rest of the package talks to a store through four methods of ``pyoxigraph.Store``: ``query``,
``quads_for_pattern``, ``dump`` and ``len()``. :class:`RemoteStore` answers them over HTTP, and hands back the same
pyoxigraph objects (``QuerySolutions``, ``QueryBoolean``, ``QueryTriples``, ``Quad``) the embedded store does,
so nothing above this module knows where the graph lives.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping

import pyoxigraph as ox

from kg.core.backends import dataset
from kg.core.backends.http import Http, media_type, split_credentials
from kg.core.backends.sparqltext import query_form, substitute, with_prefixes
from kg.core.errors import InputError
from kg.core.graph import Graph
from kg.core.terms import Term

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing at start-up
if TYPE_CHECKING:
    from typing import Any

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

    ``graph`` names the one graph to read (sent as ``default-graph-uri``: a graph pushed with ``--graph``).
    Without it the sources' named graphs are read as one union, as on the embedded store, with ``GRAPH ?g``
    seeing each source apart (:mod:`.dataset`): ``oxigraph serve`` must then run with ``--union-default-graph``
    (a one-line error says so otherwise); any other server (Virtuoso) is sent the ontology's graph
    (``ontology_graph``, by default :data:`.dataset.ONTOLOGY_GRAPH`) and the sources' graphs with every request,
    which keeps its system graphs out. Credentials may be given, or written into the URL
    (``http://user:pass@host/sparql``); Basic and Digest authentication work.

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
        ontology_graph: str | None = None,
    ) -> None:
        url, url_user, url_password = split_credentials(endpoint)
        self.endpoint = url
        self.graph = graph
        self.ontology_graph = ontology_graph or dataset.ONTOLOGY_GRAPH
        self.server = ""  # "oxigraph", "virtuoso" or "" (from the Server header of the first answer)
        self._fields: list[tuple[str, str]] | None = None  # the graphs every request names (see _dataset)
        self._statements: int | None = None
        self.http = Http(url, user if user is not None else url_user, password or url_password, timeout)
        self.requests = 0  # how many HTTP requests this view has made (for tests and benchmarks)
        self._len: int | None = None
        self._subjects: dict[str, list[tuple[ox.NamedNode, Term, str | None]]] = {}
        self._bnode_graph: dict[str, str | None] = {}  # the graph of the triple a blank node was met through
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
        media = media_type(headers)
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
        """The triples matching a pattern (``None`` is a wildcard). A named subject's triples (and those of its
        blank-node objects) come as quads of the sources' graphs that state them (of the default graph when none
        does); any other pattern, as quads of the default graph."""
        if graph_name is not None and not isinstance(graph_name, ox.DefaultGraph):
            raise InputError("a remote store is read through the union of its graphs only")
        if self._mirror is not None:  # the whole graph was read once already: answer from that copy
            yield from self._mirror.quads_for_pattern(subject, predicate, object, ox.DefaultGraph())
            return
        default = ox.DefaultGraph()
        if subject is not None:
            for p, o, g in self._describe(subject):
                if (predicate is None or p == predicate) and (object is None or o == object):
                    yield ox.Quad(subject, p, o, default if g is None else ox.NamedNode(g))
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
        """The triples of the union, each once (as ``len()`` of the embedded store's graph)."""
        if self._len is None:
            self._len = self._count("SELECT (COUNT(*) AS ?n) WHERE { SELECT DISTINCT ?s ?p ?o WHERE { ?s ?p ?o } }")
        return self._len

    def statement_count(self) -> int:
        """The statements: a triple counts once per source graph stating it (``COUNT(*)`` over the union)."""
        if self._statements is None:
            self._statements = self._count("SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }")
        return self._statements

    def count_graph(self, iri: str) -> int:
        """The triples the endpoint holds in the named graph ``iri`` (whatever graphs this view reads)."""
        return self._count(f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{iri}> {{ ?s ?p ?o }} }}", named=False)

    def probe(self) -> str:
        """Which server answers (``"oxigraph"``, ``"virtuoso"`` or ``""``), asked with one empty ``ASK``."""
        if not self.server:
            self._post("ASK {}", _RESULT_TYPES, dataset=False)
        return self.server

    def _count(self, text: str, *, named: bool = True) -> int:
        data, headers = self._post(text, _RESULT_TYPES, dataset=named)
        rows = list(_parse_results(data, media_type(headers)))  # type: ignore[arg-type]
        return int(rows[0]["n"].value) if rows else 0

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

    def _describe(self, subject: ox.NamedNode | ox.BlankNode) -> list[tuple[ox.NamedNode, Term, str | None]]:
        """Every ``subject ?p ?o`` with the graphs stating it, fetched once, with the triples of blank-node objects
        in the same request (a blank node's triples are taken to be in the graph of the triple that reaches it:
        a blank node belongs to the file, so the source, it was read from)."""
        if isinstance(subject, ox.BlankNode):
            graph = self._bnode_graph.get(subject.value)
            return [(p, o, graph) for p, o in self._blank(subject.value)]
        known = self._subjects.get(subject.value)
        if known is not None:
            return known
        graphs: dict[tuple[ox.NamedNode, Term], list[str]] = {}
        blanks: dict[str, list[tuple[ox.NamedNode, Term]]] = {}
        for row in self._select(substitute(_DESCRIBE, {"s": subject})):
            p, o, g = row["p"], row["o"], row["g"]
            named = graphs.setdefault((p, o), [])
            if g is not None and g.value not in named:
                named.append(g.value)
            if isinstance(o, ox.BlankNode):
                triples = blanks.setdefault(o.value, [])
                if row["bp"] is not None and (row["bp"], row["bo"]) not in triples:
                    triples.append((row["bp"], row["bo"]))
        found: list[tuple[ox.NamedNode, Term, str | None]] = []
        for (p, o), named in graphs.items():
            found += [(p, o, g) for g in sorted(named)] if named else [(p, o, None)]
        for _, o, g in found:
            if isinstance(o, ox.BlankNode):
                self._bnode_graph.setdefault(o.value, g)
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

    def _dataset(self) -> list[tuple[str, str]]:
        """The graphs every request names (protocol fields), found with the first request (see the class)."""
        if self._fields is not None:
            return self._fields
        if self.graph:
            self._fields = [("default-graph-uri", self.graph)]
            return self._fields
        data, headers = self._post(dataset.SOURCE_GRAPHS, _RESULT_TYPES, dataset=False)
        answer = _parse_results(data, media_type(headers))
        assert isinstance(answer, ox.QuerySolutions)
        rows = [(r["g"].value, r["union"]) for r in answer]
        sources = sorted({g for g, _ in rows})
        union = all(u is not None and u.value in ("true", "1") for _, u in rows)
        # the default graph as it is: on Oxigraph, and on any server whose default graph is already the sources'
        # union (`sslmb serve` among them); Virtuoso's default graph holds its system graphs too, so it is named
        if not sources or self.server == "oxigraph" or (union and self.server != "virtuoso"):
            if sources and not union:
                raise InputError(
                    f"{self.endpoint}: this Oxigraph server keeps the sources' named graphs out of its default "
                    "graph; start it with `oxigraph serve --union-default-graph`, or read one graph with --graph IRI"
                )
            self._fields = []
        else:
            self._fields = [
                ("default-graph-uri", self.ontology_graph),
                *(("default-graph-uri", g) for g in sources),
                *(("named-graph-uri", g) for g in sources),
            ]
        return self._fields

    def _post(self, text: str, accept: str, *, dataset: bool = True) -> tuple[bytes, Any]:
        from urllib.parse import urlencode

        from kg.core.backends.dataset import server_kind

        form = [("query", text), *(self._dataset() if dataset else [])]
        self.requests += 1
        data, headers = self.http.send(
            self.endpoint,
            method="POST",
            data=urlencode(form).encode("utf-8"),
            headers={"Accept": accept, "Content-Type": "application/x-www-form-urlencoded; charset=utf-8"},
        )
        self.server = self.server or server_kind(headers)
        limit = headers.get("X-SPARQL-MaxRows")
        if limit is not None:  # Virtuoso cut the answer at its ResultSetMaxRows and says so only in this header
            raise InputError(
                f"{self.endpoint}: the endpoint returned only the first {limit} rows of an answer (Virtuoso's "
                "ResultSetMaxRows); raise that limit in the server's virtuoso.ini"
            )
        return data, headers


_EVERYTHING = "CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }"
_ALL = "SELECT ?s ?p ?o WHERE { ?s ?p ?o }"
_DESCRIBE = (
    "SELECT ?s ?p ?o ?g ?bp ?bo WHERE { ?s ?p ?o OPTIONAL { GRAPH ?g { ?s ?p ?o } } "
    "OPTIONAL { ?o ?bp ?bo FILTER(isBlank(?o)) } }"
)


def connect(
    endpoint: str,
    *,
    graph: str | None = None,
    user: str | None = None,
    password: str | None = None,
    timeout: float = 60.0,
    ontology_graph: str | None = None,
) -> Graph:
    """The graph held by a SPARQL 1.1 endpoint; every read works as on the embedded store (:func:`kg.connect`
    gives it the friendly methods).

    ``graph`` names the one graph to read (``default-graph-uri``: a graph pushed with ``--graph``); without it
    the sources' graphs are read as their union (:class:`RemoteStore`), with the ontology from ``ontology_graph``
    on servers other than Oxigraph.
    """
    store = RemoteStore(
        endpoint, graph=graph, user=user, password=password, timeout=timeout, ontology_graph=ontology_graph
    )
    return Graph(store)
