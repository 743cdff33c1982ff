"""The knowledge graph held in an embedded Oxigraph store, and the typed access every other module builds on."""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

import pyoxigraph as ox

from kg import resources
from kg.errors import InputError, echo
from kg.namespaces import OWL, PREFIXES, RDF, SSLMB, XSD

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing at start-up
if TYPE_CHECKING:
    from collections.abc import Callable
    from typing import Any

    import networkx as nx

    from kg.describe import FactSheet
    from kg.formats import Format
    from kg.paths import Gaps, Hub, Mitigation, Risks
    from kg.paths import Path as EntityPath
    from kg.reason import ReasonerReport
    from kg.search import Match
    from kg.sparql import QueryResult
    from kg.stats import Stats
    from kg.validate import ValidationReport

Term = ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple

_RDF_FORMATS = {
    ".ttl": ox.RdfFormat.TURTLE,
    ".nt": ox.RdfFormat.N_TRIPLES,
    ".jsonld": ox.RdfFormat.JSON_LD,
    ".rdf": ox.RdfFormat.RDF_XML,
    ".owl": ox.RdfFormat.RDF_XML,
    ".xml": ox.RdfFormat.RDF_XML,
}

# The kind of an entity is named after the first of its classes' ancestors found in this list.
_KINDS: list[tuple[str, str]] = [
    (SSLMB + "Electrolyte", "electrolyte"),
    (SSLMB + "Material", "material"),
    (SSLMB + "FailureMode", "failure mode"),
    (SSLMB + "Mechanism", "mechanism"),
    (SSLMB + "MitigationStrategy", "strategy"),
    (SSLMB + "ResearchMethod", "research method"),
    (SSLMB + "SafetyAspect", "safety aspect"),
    (SSLMB + "StrategyCategory", "strategy category"),
    (SSLMB + "Theory", "theory"),
    (SSLMB + "Claim", "claim"),
    (SSLMB + "OpenProblem", "open problem"),
    (SSLMB + "Trait", "trait"),
    (SSLMB + "Metric", "metric"),
    (SSLMB + "Cell", "cell"),
    (SSLMB + "ReviewPart", "review part"),
    (SSLMB + "Review", "review"),
    (SSLMB + "CitedWork", "reference"),
    (SSLMB + "Journal", "journal"),
    (SSLMB + "Agent", "agent"),
    ("http://qudt.org/schema/qudt/QuantityValue", "quantity"),
    ("http://qudt.org/schema/qudt/Unit", "unit"),
    ("http://qudt.org/schema/qudt/QuantityKind", "quantity kind"),
]


def to_python(term: Term | None) -> Any:
    """Turn an RDF term into a plain Python value: IRIs and blank nodes become strings, typed literals
    become ``int``, ``float``, ``bool`` or ``datetime.date`` where the datatype says so.

    >>> to_python(ox.Literal("8.7e-4", datatype=ox.NamedNode(XSD + "double")))
    0.00087
    >>> to_python(ox.NamedNode("https://w3id.org/sslmb/LLZO"))
    'https://w3id.org/sslmb/LLZO'
    """
    if term is None:
        return None
    if isinstance(term, ox.NamedNode):
        return term.value
    if isinstance(term, ox.BlankNode):
        return f"_:{term.value}"
    if not isinstance(term, ox.Literal):  # an RDF 1.2 triple term
        return str(term)
    datatype = term.datatype.value
    text = term.value
    try:
        if datatype in _INTEGER_TYPES:
            return int(text)
        if datatype in (XSD + "double", XSD + "float", XSD + "decimal"):
            return float(text)
        if datatype == XSD + "boolean":
            return text.strip() in ("true", "1")
        if datatype == XSD + "date":
            import datetime

            return datetime.date.fromisoformat(text)
        if datatype == XSD + "gYear":
            return int(text)
    except ValueError:
        return text
    return text


_INTEGER_TYPES = {XSD + t for t in ("integer", "int", "long", "short", "nonNegativeInteger", "positiveInteger")}


@dataclass(frozen=True)
class Entity:
    """A resource of the graph as users see it: IRI, label and kind."""

    iri: str
    label: str
    kind: str


class KnowledgeGraph:
    """The sslmb knowledge graph: ontology plus instance data in an Oxigraph store.

    Build it with :func:`kg.load` (in memory), :func:`kg.open_store` (an on-disk store) or :func:`kg.connect`
    (a SPARQL endpoint; ``store`` is then a :class:`kg.remote.RemoteStore`, see :mod:`kg.backends`). Every read
    method accepts what a user would type for an entity: a label, an abbreviation, a formula, a prefixed name
    or a full IRI.

    >>> import kg
    >>> g = kg.load()
    >>> g.resolve("llzo").label
    'LLZO'
    """

    def __init__(self, store: ox.Store, sources: Iterable[Path] = ()) -> None:
        self.store = store
        self.sources: tuple[Path, ...] = tuple(sources)
        self._memo: dict[str, Any] = {}

    def memo(self, key: str, build: Callable[[KnowledgeGraph], Any]) -> Any:
        """A value derived from the (read-only) graph, built on first use and kept: search index, link
        evidence, causal projection."""
        if key not in self._memo:
            self._memo[key] = build(self)
        return self._memo[key]

    # ------------------------------------------------------------------ construction

    @classmethod
    def from_files(cls, paths: Iterable[str | Path]) -> KnowledgeGraph:
        """Parse RDF files into a fresh in-memory store; a syntax error names the file, line and column."""
        store = ox.Store()
        sources = [Path(p) for p in paths]
        for path in sources:
            load_file(store, path)
        return cls(store, sources)

    # ------------------------------------------------------------------ SPARQL access

    def __len__(self) -> int:
        return len(self.store)

    def select(self, sparql: str, **bindings: Term | str) -> list[dict[str, Any]]:
        """Run a SELECT query with the graph's prefixes predeclared; keyword arguments are bound by the
        engine (a ``str`` value is taken as an IRI; Oxigraph requires a bound variable to be projected).
        Rows map variable names to Python values.

        >>> import kg
        >>> rows = kg.load().select("SELECT ?x ?l WHERE { ?x rdfs:label ?l }", x="https://w3id.org/sslmb/LGPS")
        >>> rows[0]["l"]
        'LGPS'
        """
        return [
            {name: to_python(value) for name, value in row.items()} for row in self.select_terms(sparql, **bindings)
        ]

    def select_terms(self, sparql: str, **bindings: Term | str) -> list[dict[str, Term]]:
        """Like :meth:`select`, but rows keep the RDF terms (unbound variables are left out)."""
        subs = {}
        for k, v in bindings.items():
            try:
                subs[ox.Variable(k)] = ox.NamedNode(v) if isinstance(v, str) else v
            except ValueError as exc:
                raise InputError(f"{k}: {echo(v)} is not a valid IRI ({exc})") from None
        try:
            solutions = self.store.query(sparql, prefixes=PREFIXES, substitutions=subs or None)
            if not isinstance(solutions, ox.QuerySolutions):
                raise InputError("select() runs SELECT queries; use query() for ASK, CONSTRUCT and DESCRIBE")
            names = [v.value for v in solutions.variables]
            out = []
            for solution in solutions:
                row = {}
                for name in names:
                    value = solution[name]
                    if value is not None:
                        row[name] = value
                out.append(row)
        except SyntaxError as exc:
            raise InputError(f"select: {exc.msg if exc.msg else exc}") from None
        except (OSError, RuntimeError, ValueError) as exc:
            raise InputError(f"select: {exc}") from None
        return out

    def objects(self, subject: str, predicate: str) -> Iterator[Term]:
        """The objects of ``subject predicate ?o`` in the default graph."""
        for quad in self.store.quads_for_pattern(ox.NamedNode(subject), ox.NamedNode(predicate), None):
            yield quad.object

    def value(self, subject: str, predicate: str) -> Any:
        """One object of ``subject predicate ?o`` as a Python value, or ``None``."""
        for obj in self.objects(subject, predicate):
            return to_python(obj)
        return None

    # ------------------------------------------------------------------ schema knowledge (cached)

    @cached_property
    def _superclasses(self) -> dict[str, set[str]]:
        parents: dict[str, set[str]] = {}
        rows = self.store.query(
            "SELECT ?c ?s WHERE { ?c rdfs:subClassOf ?s FILTER(isIRI(?c) && isIRI(?s)) }", prefixes=PREFIXES
        )
        for row in rows:  # type: ignore[union-attr]
            parents.setdefault(row["c"].value, set()).add(row["s"].value)
        return parents

    def ancestors(self, cls: str) -> list[str]:
        """``cls`` and all its superclasses, nearest first (breadth-first over ``rdfs:subClassOf``)."""
        seen = [cls]
        i = 0
        while i < len(seen):
            for parent in sorted(self._superclasses.get(seen[i], ())):
                if parent not in seen:
                    seen.append(parent)
            i += 1
        return seen

    @cached_property
    def _labels(self) -> dict[str, str]:
        labels: dict[str, str] = {}
        rows = self.store.query("SELECT ?x ?l WHERE { ?x rdfs:label ?l FILTER(isIRI(?x)) }", prefixes=PREFIXES)
        for row in rows:  # type: ignore[union-attr]
            iri, label = row["x"].value, row["l"]
            if iri not in labels or label.language in ("en", None):
                labels[iri] = label.value
        return labels

    @cached_property
    def _types(self) -> dict[str, list[str]]:
        types: dict[str, list[str]] = {}
        for quad in self.store.quads_for_pattern(None, ox.NamedNode(RDF + "type"), None):
            if isinstance(quad.subject, ox.NamedNode) and isinstance(quad.object, ox.NamedNode):
                if quad.object.value != OWL + "NamedIndividual":
                    types.setdefault(quad.subject.value, []).append(quad.object.value)
        return types

    def label(self, iri: str) -> str:
        """The English label of an IRI, or its local name when it has none."""
        label = self._labels.get(iri)
        if label is not None:
            return label
        return iri.rsplit("/", 1)[-1].rsplit("#", 1)[-1]

    def types(self, iri: str) -> list[str]:
        """The asserted classes of an IRI (``owl:NamedIndividual`` left out)."""
        return list(self._types.get(iri, []))

    def is_class(self, iri: str) -> bool:
        return OWL + "Class" in self._types.get(iri, [])

    def kind(self, iri: str) -> str:
        """A short, human name for what an entity is: ``electrolyte``, ``failure mode``, ``strategy``, ...

        Electrolyte families are OWL classes that also carry facts; their kind is ``electrolyte family``.
        """
        classes = [t for t in self._types.get(iri, []) if t != OWL + "Class"]
        if self.is_class(iri):
            if SSLMB + "Electrolyte" in self.ancestors(iri):
                return "electrolyte family"
            if not classes:
                return "class"
        ranks = {cls: i for i, (cls, _) in enumerate(_KINDS)}
        best: tuple[int, str] | None = None
        for cls in classes:
            for ancestor in self.ancestors(cls):
                if ancestor in ranks and (best is None or ranks[ancestor] < best[0]):
                    best = (ranks[ancestor], _KINDS[ranks[ancestor]][1])
        if best:
            return best[1]
        if iri.startswith(SSLMB) and self._types.get(iri):
            return "term"
        return "resource"

    def entity(self, iri: str) -> Entity:
        return Entity(iri=iri, label=self.label(iri), kind=self.kind(iri))

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
        value is bound by the engine, never pasted into the text. Returns a :class:`~kg.sparql.QueryResult`
        (iterate it for rows of typed Python values), or with ``raw=True`` the W3C SPARQL results JSON.
        Updates are refused, and so is ``SERVICE`` (a request to another endpoint) unless ``allow_service``.

        >>> import kg
        >>> rows = kg.load().query("cq-05-single-ion-transference", min_t=0.95, max_temp=80).rows
        >>> [(r["ref"], r["t"]) for r in rows]
        [(36, 0.97)]
        """
        from kg import sparql as queries

        values = {**(params or {}), **kwparams}
        if raw:
            prepared = queries.prepare(self, text_or_name, values, allow_service=allow_service)
            return queries.to_sparql_json(queries.execute(self, prepared))
        return queries.run(self, text_or_name, values, allow_service=allow_service)

    def mitigations(self, target: str, *, max_hops: int = 3) -> list[Mitigation]:
        """Strategies that mitigate a mechanism or failure mode, directly or through its causes, best first."""
        from kg.paths import mitigations

        return mitigations(self, target, max_hops=max_hops)

    def risks(self, electrolyte: str, *, max_hops: int = 2) -> Risks:
        """Failure modes an electrolyte or its families is exposed to, how, and the strategies that apply."""
        from kg.paths import risks

        return risks(self, electrolyte, max_hops=max_hops)

    def paths(self, source: str, target: str, *, max_hops: int = 4, limit: int = 200) -> list[EntityPath]:
        """All simple paths of at most ``max_hops`` links between two entities, shortest first, labelled."""
        from kg.paths import paths

        return paths(self, source, target, max_hops=max_hops, limit=limit)

    def gaps(self) -> Gaps:
        """Where research is missing: unmitigated hazards, unquantified strategies, families without safety data."""
        from kg.paths import gaps

        return gaps(self)

    def centrality(self) -> list[Hub]:
        """Mechanisms and failure modes ranked as hubs of the causal graph (betweenness, degree)."""
        from kg.paths import centrality

        return centrality(self)

    def to_networkx(self, *, bibliographic: bool = True, schema: bool = False) -> nx.MultiDiGraph:
        """The graph as a networkx MultiDiGraph: one node per entity, one edge per link (see :mod:`kg.network`)."""
        from kg.network import to_networkx

        return to_networkx(self, bibliographic=bibliographic, schema=schema)

    def find(self, text: str, *, limit: int = 20, kinds: Iterable[str] | None = None) -> list[Match]:
        """Entities whose label, abbreviation or formula matches ``text``, best first (see :mod:`kg.search`)."""
        from kg.search import find

        return find(self, text, limit=limit, kinds=kinds)

    def resolve(self, text: str, *, kinds: Iterable[str] | None = None) -> Entity:
        """The one entity ``text`` names; raises :class:`~kg.errors.NotFoundError` with the nearest labels,
        or :class:`~kg.errors.AmbiguousError` with the candidates."""
        from kg.search import resolve

        return resolve(self, text, kinds=kinds)

    def describe(self, text_or_iri: str) -> FactSheet:
        """The fact sheet of an entity: types, labels, values, quantities, links and evidence."""
        from kg.describe import describe

        return describe(self, self.resolve(text_or_iri).iri)

    def stats(self) -> Stats:
        """Counts per class, triples, references, numbers with units."""
        from kg.stats import stats

        return stats(self)

    def validate(self, extra: Iterable[str | Path] = (), *, engine: str = "auto") -> ValidationReport:
        """Validate the graph (plus ``extra`` files) against the SHACL shapes; ``engine`` is ``"pyshacl"``,
        ``"fast"`` (shapes compiled to SPARQL on this store) or ``"auto"`` (see :mod:`kg.validate`)."""
        from kg.validate import validate

        return validate(self, extra, engine=engine)

    def reason(self) -> ReasonerReport:
        """Check with HermiT that the ontology and all data are consistent and every class satisfiable."""
        from kg.reason import check

        return check(self)

    def export(self, path: str | Path, *, format: Format | str | None = None, **options: Any) -> Path | None:
        """Write the whole graph to ``path`` atomically (``"-"``: standard output, and None is returned); the
        format defaults to the file's extension.
        ``options`` (``around``, ``hops``, ``bibliographic``, ``schema``) are those of :func:`kg.export.serialize`."""
        from kg.export import export

        return export(self, path, format=format, **options)

    def serialize(self, format: Format | str) -> bytes:
        """The whole graph as bytes in ``format``."""
        from kg.export import serialize

        return serialize(self, format)


def load_file(store: ox.Store, path: Path) -> None:
    """Parse one RDF file into ``store``, raising :class:`InputError` that says where parsing failed."""
    from kg.files import input_file, name, token_too_long

    fmt = _RDF_FORMATS.get(path.suffix.lower())
    if fmt is None:
        raise InputError(
            f"{name(path)}: unknown RDF file extension {echo(path.suffix)} (use .ttl, .nt, .jsonld or .rdf)"
        )
    input_file(path)  # a FIFO would block the parser; a symbolic link loop, a folder...: one line each
    try:
        store.load(path=str(path), format=fmt, base_iri=path.resolve().as_uri())
    except FileNotFoundError:
        raise InputError(f"{path}: no such file") from None
    except IsADirectoryError:
        raise InputError(f"{path}: is a directory, not an RDF file") from None
    except MemoryError as exc:
        raise token_too_long(path, exc) from None
    except SyntaxError as exc:
        line, col = exc.lineno or 0, exc.offset or 0
        message = str(exc.msg) if exc.msg else str(exc)
        message = re.sub(r"^Parser error (at|between) line .*? column \d+: ", "", message)
        raise InputError(f"{path}:{line}:{col}: {message}") from None
    except (OSError, ValueError) as exc:
        raise InputError(f"{path}: {exc}") from None


def load(*paths: str | Path, data: bool = True) -> KnowledgeGraph:
    """Load the shipped graph (ontology and all instance data), plus any ``paths`` given.

    With ``data=False`` only the given paths are loaded (with the ontology when none are given).

    >>> import kg
    >>> g = kg.load()
    >>> len(g) > 1000
    True
    """
    files: list[Path] = []
    if data:
        files.extend(resources.graph_files())
    elif not paths:
        files.append(resources.ontology_file())
    files.extend(Path(p) for p in paths)
    return KnowledgeGraph.from_files(files)
