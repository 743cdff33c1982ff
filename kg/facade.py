"""The friendly way in: :class:`KnowledgeGraph`, a :class:`~kg.core.graph.Graph` with one method per question
(``kg.load().mitigations("H2S")``), and the functions that build one: :func:`load` (in memory), :func:`open_store`
(an on-disk store), :func:`connect` (a SPARQL endpoint). (:func:`kg.bulk_load`, which fills an on-disk store, is
:func:`kg.ingest.bulk.bulk_load`.)

Each method is a thin call of the function that does the work, in the layer where it belongs
(:mod:`kg.analysis.mitigations`, :mod:`kg.model.describe`, :mod:`kg.validation.shacl`...); those functions take
any :class:`~kg.core.graph.Graph` and never call back into this module. Each imports its module when first
called, so that ``import kg`` stays cheap.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from pathlib import Path

from kg.core.backends import memory
from kg.core.graph import Graph

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing at start-up
if TYPE_CHECKING:
    from typing import Any

    import networkx as nx

    from kg.analysis.ask import Answer
    from kg.analysis.centrality import Hub
    from kg.analysis.compare import Comparison
    from kg.analysis.gaps import Gaps
    from kg.analysis.mitigations import Mitigation
    from kg.analysis.paths import Path as EntityPath
    from kg.analysis.risks import Risks
    from kg.core.formats import Format
    from kg.core.terms import Entity
    from kg.model.describe import FactSheet
    from kg.model.queries import QueryResult
    from kg.model.search import Match
    from kg.model.sources import SourceInfo
    from kg.model.stats import Stats
    from kg.validation.reason import ReasonerReport
    from kg.validation.report import ValidationReport


class KnowledgeGraph(Graph):
    """The sslmb knowledge graph: ontology plus instance data in an Oxigraph store.

    Build it with :func:`kg.load` (in memory), :func:`kg.open_store` (an on-disk store) or :func:`kg.connect`
    (a SPARQL endpoint; ``store`` is then a :class:`kg.core.backends.remote.RemoteStore`, see
    :mod:`kg.core.backends`). Every read method accepts what a user would type for an entity: a label, an
    abbreviation, a formula, a prefixed name or a full IRI.

    >>> import kg
    >>> g = kg.load()
    >>> g.resolve("llzo").label
    'LLZO'
    """

    @classmethod
    def from_files(cls, paths: Iterable[str | Path]) -> KnowledgeGraph:
        """Parse RDF files into a fresh in-memory store; a syntax error names the file, line and column."""
        sources = [Path(p) for p in paths]
        return cls(memory.read_files(sources), sources)

    @classmethod
    def of(cls, graph: Graph) -> KnowledgeGraph:
        """The same store and sources, with the friendly methods."""
        if isinstance(graph, cls):
            return graph
        friendly = cls(graph.store, graph.sources)
        friendly.derived = graph.derived  # the same data: the same saved indexes
        return friendly

    # ------------------------------------------------------------------ the public operations

    def query(
        self,
        text_or_name: str,
        /,
        *,
        params: Mapping[str, Any] | None = None,
        raw: bool = False,
        allow_service: bool = False,
        **kwparams: Any,
    ) -> QueryResult | dict[str, Any]:
        """Run a stored query (by name or a unique prefix of it), a ``.rq`` file or SPARQL text on Oxigraph.

        Parameters come as ``params={...}`` or keyword arguments; labels are resolved to entities and every
        value is bound by the engine, never pasted into the text. Returns a :class:`~kg.model.queries.QueryResult`
        (iterate it for rows of typed Python values), or with ``raw=True`` the W3C SPARQL results JSON.
        Updates are refused, and so is ``SERVICE`` (a request to another endpoint) unless ``allow_service``.

        >>> import kg
        >>> rows = kg.load().query("cq-05-single-ion-transference", min_t=0.95, max_temp=80).rows
        >>> [(r["ref"], r["t"]) for r in rows]
        [(36, 0.97)]
        """
        from kg.model import queries

        values = {**(params or {}), **kwparams}
        if raw:
            prepared = queries.prepare(self, text_or_name, values, allow_service=allow_service)
            return queries.to_sparql_json(queries.execute(self, prepared))
        return queries.run(self, text_or_name, values, allow_service=allow_service)

    def mitigations(self, target: str, *, max_hops: int = 3) -> list[Mitigation]:
        """Strategies that mitigate a mechanism or failure mode, directly or through its causes, best first."""
        from kg.analysis.mitigations import mitigations
        from kg.core.notebook import Rows

        return Rows(mitigations(self, target, max_hops=max_hops))  # a list that Jupyter shows as a table

    def risks(self, electrolyte: str, *, max_hops: int = 2) -> Risks:
        """Failure modes an electrolyte or its families is exposed to, how, and the strategies that apply."""
        from kg.analysis.risks import risks

        return risks(self, electrolyte, max_hops=max_hops)

    def compare(self, subject: str, metric: str) -> Comparison:
        """The values of ``metric`` for ``subject`` (a material, or a family's members) across every source, in one
        unit, with pairwise verdicts or the family's ranges (see :mod:`kg.analysis.compare`)."""
        from kg.analysis.compare import compare

        return compare(self, subject, metric)

    def paths(self, source: str, target: str, *, max_hops: int = 4, limit: int = 200) -> list[EntityPath]:
        """All simple paths of at most ``max_hops`` links between two entities, shortest first, labelled."""
        from kg.analysis.paths import paths
        from kg.core.notebook import Rows

        return Rows(paths(self, source, target, max_hops=max_hops, limit=limit))

    def gaps(self) -> Gaps:
        """Where research is missing: unmitigated hazards, unquantified strategies, families without safety data."""
        from kg.analysis.gaps import gaps

        return gaps(self)

    def centrality(self) -> list[Hub]:
        """Mechanisms and failure modes ranked as hubs of the causal graph (betweenness, degree)."""
        from kg.analysis.centrality import centrality
        from kg.core.notebook import Rows

        return Rows(centrality(self))

    def ask(self, question: str, *, run: bool = True) -> Answer:
        """Answer a question asked in words: routed to the stored question or traversal that answers it, its
        parameters filled from the entities the question names, and run (see :mod:`kg.analysis.ask`).

        >>> import kg
        >>> kg.load().ask("which failure modes is LGPS exposed to?", run=False).command
        'sslmb query cq-01-failure-modes-of-electrolyte -p electrolyte=LGPS'
        """
        from kg.analysis.ask import ask

        return ask(self, question, run=run)

    def to_networkx(self, *, bibliographic: bool = True, schema: bool = False) -> nx.MultiDiGraph:
        """The graph as a networkx MultiDiGraph: one node per entity, one edge per link (see
        :mod:`kg.analysis.network`)."""
        from kg.analysis.network import to_networkx

        return to_networkx(self, bibliographic=bibliographic, schema=schema)

    def find(self, text: str, *, limit: int = 20, kinds: Iterable[str] | None = None) -> list[Match]:
        """Entities whose label, abbreviation or formula matches ``text``, best first (see :mod:`kg.model.search`)."""
        from kg.core.notebook import Rows
        from kg.model.search import find

        return Rows(find(self, text, limit=limit, kinds=kinds))

    def resolve(self, text: str, *, kinds: Iterable[str] | None = None) -> Entity:
        """The one entity ``text`` names; raises :class:`~kg.core.errors.NotFoundError` with the nearest labels,
        or :class:`~kg.core.errors.AmbiguousError` with the candidates."""
        from kg.model.search import resolve

        return resolve(self, text, kinds=kinds)

    def describe(self, text_or_iri: str) -> FactSheet:
        """The fact sheet of an entity: types, labels, values, quantities, links and evidence."""
        from kg.model.describe import describe
        from kg.model.search import resolve

        return describe(self, resolve(self, text_or_iri).iri)

    def sources_info(self) -> list[SourceInfo]:
        """The sources the graph holds (key, kind, title, year, DOI or URL, licence, statements), by key."""
        from kg.model.sources import sources

        return sources(self)

    def view(self, *keys: str) -> KnowledgeGraph:
        """The graph restricted to the ontology and the named graphs of the sources ``keys``."""
        from kg.model.sources import view

        return view(self, keys)

    def stats(self) -> Stats:
        """Counts per class, triples, references, numbers with units."""
        from kg.model.stats import stats

        return stats(self)

    def validate(self, extra: Iterable[str | Path] = (), *, engine: str = "auto") -> ValidationReport:
        """Validate the graph (plus ``extra`` files) against the SHACL shapes; ``engine`` is ``"pyshacl"``,
        ``"fast"`` (shapes compiled to SPARQL on this store) or ``"auto"`` (see :mod:`kg.validation.shacl`)."""
        from kg.validation.shacl import validate

        return validate(self, extra, engine=engine)

    def reason(self) -> ReasonerReport:
        """Check with HermiT that the ontology and all data are consistent and every class satisfiable."""
        from kg.validation.reason import check

        return check(self)

    def export(self, path: str | Path, *, format: Format | str | None = None, **options: Any) -> Path | None:
        """Write the whole graph to ``path`` atomically (``"-"``: standard output, and None is returned); the
        format defaults to the file's extension. ``options`` (``around``, ``hops``, ``bibliographic``, ``schema``) are
        those of :func:`kg.output.rdf.serialize`."""
        from kg.output.rdf import export

        return export(self, path, format=format, **options)

    def serialize(self, format: Format | str) -> bytes:
        """The whole graph as bytes in ``format``."""
        from kg.output.rdf import serialize

        return serialize(self, format)


# ---------------------------------------------------------------------- building one


def load(*paths: str | Path, data: bool = True) -> KnowledgeGraph:
    """Load the shipped graph (ontology and all instance data), plus any ``paths`` given.

    With ``data=False`` only the given paths are loaded (with the ontology when none are given).

    >>> import kg
    >>> g = kg.load()
    >>> len(g) > 1000
    True
    """
    return KnowledgeGraph.from_files(memory.files_to_load(*paths, data=data))


def open_store(path: str | Path, *, generation: str | None = None) -> KnowledgeGraph:
    """The knowledge graph held in the on-disk store ``path``, opened read-only without re-parsing anything.

    ``generation`` (a ``data-NNNN`` folder of the store, leased with :func:`kg.core.backends.disk.lease_current`)
    opens that one rather than the current one: ``sslmb serve`` keeps all its workers on the generation it leased.

    >>> import kg, tempfile
    >>> tmp = tempfile.TemporaryDirectory()
    >>> _ = kg.bulk_load([], tmp.name + "/store", validate=False, progress=False)   # no files: the shipped graph
    >>> g = open_store(tmp.name + "/store")
    >>> len(g) == len(kg.load()), g.resolve("llzo").label
    (True, 'LLZO')
    >>> tmp.cleanup()
    """
    from kg.core.backends import disk

    return KnowledgeGraph.of(disk.open_store(path, generation=generation))


def connect(
    endpoint: str,
    *,
    graph: str | None = None,
    user: str | None = None,
    password: str | None = None,
    timeout: float = 60.0,
    ontology_graph: str | None = None,
) -> KnowledgeGraph:
    """The knowledge graph held by a SPARQL 1.1 endpoint; every read method works as on the embedded store.

    Without ``graph``, the sources' named graphs are read as their union, with the ontology from ``ontology_graph``
    on servers other than Oxigraph (:class:`kg.core.backends.remote.RemoteStore`); ``graph`` reads that one graph
    (``default-graph-uri``) instead.
    """
    from kg.core.backends import remote

    store = remote.connect(
        endpoint, graph=graph, user=user, password=password, timeout=timeout, ontology_graph=ontology_graph
    )
    return KnowledgeGraph.of(store)


def open_graph(
    *,
    store: str | Path | None = None,
    endpoint: str | None = None,
    graph: str | None = None,
    sources: Iterable[str] = (),
    ontology_graph: str | None = None,
) -> KnowledgeGraph:
    """The graph a command reads: the shipped graph in memory (neither given), an on-disk ``store``, or a SPARQL
    ``endpoint`` (``graph`` names the one graph to read there, ``ontology_graph`` the ontology's: see
    :func:`connect`); with ``sources`` (keys, as ``sslmb sources`` lists them), only the ontology and those
    sources' graphs (:func:`kg.model.sources.view`).

    >>> g = open_graph(sources=["wang2020"])
    >>> [s.key for s in g.sources_info()]
    ['wang2020']
    """
    from kg.core.errors import InputError

    if store is not None and endpoint is not None:
        raise InputError("give --store or --endpoint, not both")
    if (graph is not None or ontology_graph is not None) and endpoint is None:
        option = "--graph" if graph is not None else "--ontology-graph"
        raise InputError(f"{option} names a graph of a SPARQL endpoint; give --endpoint too")
    chosen = list(sources)
    if graph is not None and chosen:
        raise InputError("--graph reads one graph of the endpoint, --source reads sources' graphs: give one of them")
    if store is not None:
        found = open_store(store)
    elif endpoint is not None:
        found = connect(endpoint, graph=graph, ontology_graph=ontology_graph)
    else:
        found = load()
    if not chosen:
        return found
    from kg.model.sources import view

    return view(found, chosen)
