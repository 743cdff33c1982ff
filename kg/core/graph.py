"""The graph as every layer reads it: a store (any backend, :mod:`kg.core.backends.protocol`) and typed access to
it: SPARQL SELECT with bound values, labels, asserted types, class ancestors, the kind of an entity, and a memo for
values derived from the (read-only) graph.

This class knows nothing of the layers above it. Functions there take a :class:`Graph` as their first argument
(``search.resolve(graph, text)``); :class:`kg.facade.KnowledgeGraph` adds the friendly methods on top.
"""

from __future__ import annotations

from functools import cached_property
from pathlib import Path

import pyoxigraph as ox

from kg.core.errors import InputError, echo
from kg.core.namespaces import OWL, PREFIXES, RDF, RDFS, SSLMB
from kg.core.terms import Entity, Term, to_python

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing at start-up
if TYPE_CHECKING:
    from collections.abc import Callable, Iterable, Iterator
    from typing import Any

    from kg.core.backends.protocol import Store

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


class Graph:
    """A graph held in a store: an in-memory or on-disk ``pyoxigraph.Store``, or a
    :class:`~kg.core.backends.remote.RemoteStore` (anything with the :class:`~kg.core.backends.protocol.Store`
    methods). ``sources`` are the files it was read from.
    """

    # For a generation of an on-disk store (kg.core.backends.disk.open_store): the path prefix beside it where
    # indexes derived from its (unchanging) data may be kept from one process to the next; None elsewhere.
    derived: Path | None = None

    def __init__(self, store: Store | ox.Store, sources: Iterable[Path] = ()) -> None:
        if isinstance(store, ox.Store):  # one named graph per source, read as their union (kg.core.backends.union)
            from kg.core.backends.union import UnionStore

            store = UnionStore(store)
        self.store = store
        self.sources: tuple[Path, ...] = tuple(sources)
        self._memo: dict[str, Any] = {}

    def memo(self, key: str, build: Callable[[Graph], Any]) -> Any:
        """A value derived from the (read-only) graph, built on first use and kept: search index, link
        evidence, causal projection."""
        if key not in self._memo:
            self._memo[key] = build(self)
        return self._memo[key]

    # ------------------------------------------------------------------ SPARQL access

    def __len__(self) -> int:
        """The triples of the graph, each once: a triple that several sources state counts once."""
        return len(self.store)

    def statement_count(self) -> int:
        """The statements the store holds: a triple counts once per graph (source) that states it. This is what
        ``SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }`` answers over a union default graph (``sslmb serve``,
        ``oxigraph serve --union-default-graph``), and at least ``len(graph)``.

        >>> import kg
        >>> g = kg.load()
        >>> g.statement_count() >= len(g)
        True
        """
        count = getattr(self.store, "statement_count", None)
        if callable(count):
            return int(count())
        raw = getattr(self.store, "store", None)  # a UnionStore: the raw pyoxigraph store counts quads
        return len(raw) if isinstance(raw, ox.Store) else len(self.store)

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

    # One entity's label and classes are read from the store's index when asked for, and kept; the dicts of every
    # label and every class above are read whole only by code that asks for them (a scan of a large store), or for
    # a remote store, where a lookup per entity would be a request per entity.
    @cached_property
    def _indexed(self) -> bool:
        return isinstance(getattr(self.store, "store", self.store), ox.Store)

    def _objects(self, iri: str, predicate: str) -> list[Term]:
        try:
            node = ox.NamedNode(iri)
        except ValueError:
            return []
        return [q.object for q in self.store.quads_for_pattern(node, ox.NamedNode(predicate), None)]

    def _objects_of(self, cache: str, iri: str, predicate: str) -> list[Term]:
        kept = self.__dict__.setdefault(cache, {})
        if iri not in kept:
            kept[iri] = self._objects(iri, predicate)
        return kept[iri]

    def _label_of(self, iri: str) -> str | None:
        """Read, not kept: :meth:`label` keeps what it makes of it."""
        if "_labels" in self.__dict__ or not self._indexed:
            return self._labels.get(iri)
        found = None
        for label in self._objects(iri, RDFS + "label"):
            if isinstance(label, ox.Literal) and (found is None or label.language in ("en", None)):
                found = label.value
        return found

    def _types_of(self, iri: str) -> list[str]:
        if "_types" in self.__dict__ or not self._indexed:
            return self._types.get(iri, [])
        return [
            t.value
            for t in self._objects_of("_type_cache", iri, RDF + "type")
            if isinstance(t, ox.NamedNode) and t.value != OWL + "NamedIndividual"
        ]

    def label(self, iri: str) -> str:
        """The English label of an IRI, or its local name when it has none."""
        known = self.__dict__.setdefault("_label_final", {})  # asked tens of thousands of times by a traversal
        found = known.get(iri)
        if found is None:
            label = self._label_of(iri)
            found = known[iri] = label if label is not None else iri.rsplit("/", 1)[-1].rsplit("#", 1)[-1]
        return found

    def labelled(self, text: str) -> str | None:
        """The one IRI whose English label is exactly ``text``, found by an index lookup; None when there is no
        such IRI, or several.

        >>> from kg.core.backends.memory import load
        >>> g = load()
        >>> g.labelled("LGPS"), g.labelled("lgps")
        ('https://w3id.org/sslmb/LGPS', None)
        """
        label = ox.Literal(text.strip(), language="en")
        found = {
            q.subject.value
            for q in self.store.quads_for_pattern(None, ox.NamedNode(RDFS + "label"), label)
            if isinstance(q.subject, ox.NamedNode)
        }
        return found.pop() if len(found) == 1 else None

    def types(self, iri: str) -> list[str]:
        """The asserted classes of an IRI (``owl:NamedIndividual`` left out)."""
        return list(self._types_of(iri))

    def is_class(self, iri: str) -> bool:
        return OWL + "Class" in self._types_of(iri)

    def kind(self, iri: str) -> str:
        """A short, human name for what an entity is: ``electrolyte``, ``failure mode``, ``strategy``, ...

        Electrolyte families are OWL classes that also carry facts; their kind is ``electrolyte family``.
        """
        classes = [t for t in self._types_of(iri) if t != OWL + "Class"]
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
        if iri.startswith(SSLMB) and self._types_of(iri):
            return "term"
        return "resource"

    def entity(self, iri: str) -> Entity:
        return Entity(iri=iri, label=self.label(iri), kind=self.kind(iri))
