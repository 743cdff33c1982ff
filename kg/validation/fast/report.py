"""Running the compiled checks on a store and writing their results as pySHACL does: the same focus nodes,
values, messages and labels, in the same :class:`~kg.validation.report.ValidationReport`."""

from __future__ import annotations

import re
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from pathlib import Path

import pyoxigraph as ox

from kg.core import resources
from kg.core.backends.union import UnionStore
from kg.core.errors import KGError
from kg.core.namespaces import OWL, RDFS, SH, XSD, shorten
from kg.validation.fast.compiler import Check, CompiledShapes, compile_shapes
from kg.validation.fast.vocabulary import RDFLIB_CONVERTED, Term

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing at start-up
if TYPE_CHECKING:
    from kg.core.backends.protocol import Store
    from kg.core.graph import Graph
    from kg.validation.report import ValidationReport


@dataclass(frozen=True)
class RawResult:
    """One validation result as RDF terms (before it is written for people)."""

    focus: Term
    path: Term | None
    value: Term | None
    shape: Term
    component: str
    severity: str
    messages: tuple[str, ...]
    source_constraint: Term | None = None


_INTEGER_TYPES = {
    XSD + name
    for name in (
        "integer nonPositiveInteger long nonNegativeInteger negativeInteger int unsignedLong positiveInteger "
        "short unsignedInt byte unsignedShort unsignedByte"
    ).split()
}


_REWRITTEN = (
    _INTEGER_TYPES
    | RDFLIB_CONVERTED
    | {XSD + name for name in ("double", "float", "decimal", "boolean", "normalizedString", "token")}
)


def _text(term: Term) -> str:
    """``str()`` of the rdflib term pySHACL holds for ``term``. rdflib rewrites the lexical form of a literal
    whose datatype it converts to a Python value ("1500"^^xsd:double reads "1500.0", "yes"^^xsd:boolean
    "false"); results and messages are written from that form."""
    if not isinstance(term, ox.Literal):
        return term.value
    lexical, datatype = term.value, term.datatype.value
    try:
        if datatype in _INTEGER_TYPES:
            return str(int(lexical))
        if datatype in (XSD + "double", XSD + "float"):
            return str(float(lexical))
        if datatype == XSD + "decimal":
            return f"{Decimal(lexical):f}"
    except (ValueError, InvalidOperation):
        return lexical
    if datatype == XSD + "boolean":
        return "true" if lexical.lower() in ("true", "1") else "false"
    if datatype in (XSD + "normalizedString", XSD + "token"):
        lexical = lexical.replace("\t", " ").replace("\n", " ").replace("\r", " ")
        return re.sub(" +", " ", lexical.strip()) if datatype == XSD + "token" else lexical
    if datatype in RDFLIB_CONVERTED:  # dates, durations, binaries: rare enough to ask rdflib itself
        import rdflib

        return str(rdflib.Literal(lexical, datatype=rdflib.URIRef(datatype)))
    return lexical


def _fill(message: str, bindings: dict[str, Term]) -> str:
    for name, term in bindings.items():
        message = re.sub(f"{{[?$]{name}}}", _text(term), message)
    return message


def run_checks(store: Store | ox.Store, compiled: CompiledShapes) -> Iterator[RawResult]:
    """Run every compiled check on ``store`` (its default graph) and yield the results."""
    for check in compiled.checks:
        rows = store.query(check.sparql)
        assert isinstance(rows, ox.QuerySolutions)  # every compiled check is a SELECT
        if check.kind == "value":
            for row in rows:
                yield RawResult(
                    row["this"], check.path, row["value"], check.shape, check.component, check.severity, check.messages
                )
        elif check.kind == "focus":
            for row in rows:
                yield RawResult(
                    row["this"], check.path, None, check.shape, check.component, check.severity, check.messages
                )
        elif check.kind == "count":
            low, high = check.bounds
            prefix = "Qualified" if check.qualified else ""
            for row in rows:
                n = int(row["n"].value)
                for broken, bound in ((low is not None and n < low, "Min"), (high is not None and n > high, "Max")):
                    if broken:
                        component = f"{SH}{prefix}{bound}CountConstraintComponent"
                        yield RawResult(
                            row["this"], check.path, None, check.shape, component, check.severity, check.messages
                        )
        else:
            yield from _sparql_results(check, rows)


def _sparql_results(check: Check, rows) -> Iterator[RawResult]:
    """As pySHACL reads a SHACL-SPARQL result row: ?this, ?path and ?value (the focus node when unbound) are
    the result; every bound variable fills the message placeholders; identical rows count once."""
    names = [v.value for v in rows.variables]
    seen: set[tuple] = set()
    for row in rows:
        bound = {name: row[name] for name in names if row[name] is not None}
        focus = bound.pop("this")
        path = bound.pop("path", None)
        value = bound.pop("value", None)
        key = (focus, path, value, tuple(sorted(bound.items(), key=lambda kv: kv[0])))
        if key in seen:
            continue
        seen.add(key)
        if value is None:
            value = focus
        fill = {**bound, "this": focus, **({"path": path} if path is not None else {}), "value": value}
        messages = [
            _fill(m, fill) for m in (*check.messages, *[m for m in check.extra_messages if m not in check.messages])
        ]
        yield RawResult(
            focus, path, value, check.shape, check.component, check.severity, tuple(messages), check.source_constraint
        )


def validate(
    graph: Graph,
    extra: Iterable[str | Path] = (),
    *,
    shapes: Iterable[str | Path] | None = None,
    extra_store: ox.Store | None = None,
    started: float | None = None,
    triples: int | None = None,
) -> ValidationReport:
    """Validate ``graph`` plus the ``extra`` files against the shipped shapes (or ``shapes``) on Oxigraph.

    Returns the same :class:`~kg.validation.report.ValidationReport` as the pySHACL engine, with ``engine="fast"``.
    Raises :class:`UnsupportedShapeError` when a shape uses a feature this engine does not compile.
    ``triples``, the distinct triples of ``graph`` when the caller has just counted them
    (:func:`kg.ingest.bulk.bulk_load` has), saves counting them again; it is ignored when ``extra`` files are added.

    On a SPARQL endpoint (:mod:`kg.core.backends.remote`) the compiled checks run there, so nothing but their
    results travels; an endpoint that refuses one of them (Virtuoso cannot run a path such as
    ``rdf:type/rdfs:subClassOf*`` with both ends open) gets the graph read once and every check run here instead.
    """
    from kg.core.backends.memory import load_file
    from kg.validation.report import ValidationResult, report

    started = time.perf_counter() if started is None else started
    extra_paths = [Path(p) for p in extra]
    if extra_store is None:
        extra_store = ox.Store()
        for path in extra_paths:
            load_file(extra_store, path)
    shape_paths = [Path(p) for p in shapes] if shapes is not None else resources.shape_files()
    compiled = compile_shapes(shape_paths)
    store = graph.store
    if len(extra_store):
        triples = None
        store = UnionStore(ox.Store())
        store.extend(graph.store.quads_for_pattern(None, None, None))
        store.extend(extra_store.quads_for_pattern(None, None, None))

    try:
        raws = list(run_checks(store, compiled))
    except KGError:
        if isinstance(store, (ox.Store, UnionStore)):
            raise
        # An endpoint that cannot run a compiled check (Virtuoso: "transitive start not given" for a class
        # target's rdf:type/rdfs:subClassOf*) would not run the rest faithfully either: read the graph once and
        # run every check here, as pySHACL would have to.
        local = UnionStore(ox.Store())
        local.extend(store.quads_for_pattern(None, None, None, ox.DefaultGraph()))
        store = local
        raws = list(run_checks(store, compiled))
    if not isinstance(store, (ox.Store, UnionStore)) and any(isinstance(r.focus, ox.BlankNode) for r in raws):
        # A remote store (kg.core.backends.remote) runs the checks at the endpoint but cannot name a blank node in a
        # query: read the graph once (the store keeps that copy), so a blank-node focus gets its label and owner as
        # here.
        next(iter(store.quads_for_pattern(None, None, None)), None)
    describe = _Describer(store)
    results = []
    for raw in raws:
        messages = sorted(raw.messages) or [_generic_message(raw.component)]
        results.append(
            ValidationResult(
                severity=raw.severity.rsplit("#", 1)[-1],
                focus=shorten(raw.focus.value) if isinstance(raw.focus, ox.NamedNode) else "_:" + _text(raw.focus),
                focus_label=describe.label(raw.focus),
                subject=describe.owner(raw.focus),
                path=shorten(raw.path.value) if isinstance(raw.path, ox.NamedNode) else None,
                message=messages[0],
                value=(_text(raw.value) if isinstance(raw.value, ox.Literal) else shorten(raw.value.value))
                if raw.value is not None
                else None,
                shape=shorten(raw.shape.value) if isinstance(raw.shape, ox.NamedNode) else None,
                constraint=shorten(raw.component).replace(SH, "sh:"),
            )
        )
    return report(results, _triples(store, triples), shape_paths, graph, extra_paths, "fast", started)


# Up to this many triples the report counts them as pySHACL's rdflib graph would (see _triples); above it, the
# distinct triples as Oxigraph holds them. pySHACL is not run at that size (kg.validation.shacl.AUTO_FAST_FROM), and
# the exact count reads every literal: about 8 s at 1e6 triples, a sixth of the validation.
EXACT_COUNT_UP_TO = 200_000


def _triples(store: Store | ox.Store, known: int | None = None) -> int:
    """The triples of the default graph, counted as pySHACL's rdflib graph holds them: rdflib merges two
    literals of one subject and predicate that it writes alike ("TRUE"^^xsd:boolean and true). ``known`` is the
    count of distinct triples when the caller has it. Above :data:`EXACT_COUNT_UP_TO` triples the merged literals
    are not looked for, and the count is that of the distinct triples."""
    if known is not None:
        total = known
    elif isinstance(store, UnionStore) or not hasattr(store, "named_graphs"):
        # a UnionStore counts each triple of the union once; a remote store (kg.core.backends.remote) reads one graph
        total = len(store)
    elif not any(True for _ in store.named_graphs()):
        total = len(store)
    else:
        # several sources may state one triple: the union counts it once, as rdflib's graph of the union does
        total = len(UnionStore(store))  # type: ignore[arg-type]
    if total > EXACT_COUNT_UP_TO:
        return total
    rewritten = ", ".join(f"<{d}>" for d in sorted(_REWRITTEN))
    # the subject, predicate and datatype with more than one literal, found in one pass over the triples (a
    # self-join of every typed literal took 8 s at 1e5 triples), then those literals
    query = (
        "SELECT ?s ?p ?o WHERE { { SELECT ?s ?p ?d WHERE { ?s ?p ?o FILTER (isLiteral(?o)) "
        f"BIND (DATATYPE(?o) AS ?d) FILTER (?d IN ({rewritten})) }} GROUP BY ?s ?p ?d "
        "HAVING (COUNT(DISTINCT ?o) > 1) } ?s ?p ?o FILTER (isLiteral(?o) && DATATYPE(?o) = ?d) }"
    )
    groups: dict[tuple, set[ox.Literal]] = {}
    for row in store.query(query):  # type: ignore[union-attr]
        groups.setdefault((row["s"], row["p"], row["o"].datatype), set()).add(row["o"])
    return total - sum(len(same) - len({_text(lit) for lit in same}) for same in groups.values())


def _generic_message(component: str) -> str:
    return f"{component.rsplit('#', 1)[-1]} not satisfied"


class _Describer:
    """The label and owning entity of a focus node, read as kg.validation.pyshacl reads them from pySHACL's data
    graph."""

    def __init__(self, store: Store | ox.Store) -> None:
        self.store = store

    def first(self, s: Term | None, p: str | None, o: Term | None, position: int) -> Term | None:
        predicate = ox.NamedNode(p) if p else None
        for quad in self.store.quads_for_pattern(s, predicate, o, ox.DefaultGraph()):  # type: ignore[arg-type]
            return (quad.subject, quad.predicate, quad.object)[position]  # type: ignore[return-value]
        return None

    def label(self, node: Term) -> str:
        if isinstance(node, ox.NamedNode):
            label = self.first(node, RDFS + "label", None, 2)
            return label.value if label is not None else shorten(node.value)
        if isinstance(node, ox.BlankNode):
            for quad in self.store.quads_for_pattern(None, None, node, ox.DefaultGraph()):
                return f"{self.label(quad.subject)} / {shorten(quad.predicate.value)}"  # type: ignore[arg-type]
            return "(blank node)"
        return _text(node)

    def owner(self, node: Term, depth: int = 0) -> str | None:
        if isinstance(node, ox.NamedNode):
            return node.value
        if not isinstance(node, ox.BlankNode) or depth > 4:
            return None
        source = self.first(node, OWL + "annotatedSource", None, 2)
        if source is not None:
            return self.owner(source, depth + 1)
        parent = self.first(None, None, node, 0)
        return self.owner(parent, depth + 1) if parent is not None else None
