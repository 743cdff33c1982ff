"""SHACL validation of the graph (ontology + data + optional extra files): pySHACL, the reference engine, or the
fast engine of :mod:`kg.shaclfast` (the same shapes compiled to SPARQL and run on Oxigraph)."""

from __future__ import annotations

import time
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import pyoxigraph as ox

from kg.core import resources
from kg.core.backends.memory import load_file
from kg.core.errors import InputError
from kg.core.namespaces import SH, shorten

if TYPE_CHECKING:
    from kg.core.graph import Graph

_SEVERITY_ORDER = {"Violation": 0, "Warning": 1, "Info": 2}

ENGINES = ("auto", "fast", "pyshacl")
# engine="auto" runs pySHACL, the reference, up to this many triples (about 20 s there on this machine) and
# the fast engine above it; tests/test_shaclfast.py shows both give the same results.
AUTO_FAST_FROM = 50_000


@dataclass(frozen=True)
class ValidationResult:
    """One SHACL result: how bad, which node (and its label), which property path, and why."""

    severity: str
    focus: str
    focus_label: str
    subject: str | None
    path: str | None
    message: str
    value: str | None
    shape: str | None
    constraint: str | None


@dataclass(frozen=True)
class ValidationReport:
    """The outcome of :func:`validate`. ``conforms`` is false when there is at least one violation
    (warnings alone do not fail validation)."""

    conforms: bool
    violations: int
    warnings: int
    triples: int
    shapes_files: tuple[str, ...]
    data_files: tuple[str, ...]
    engine: str
    seconds: float
    results: tuple[ValidationResult, ...]


class _SameBlankNodeLabels(dict):
    """rdflib's N-Triples parser renames blank nodes unless a mapping says otherwise; this one keeps the store's
    labels, so that a result names a blank node as the store (and the fast engine) does."""

    def get(self, key, default=None):  # noqa: ARG002
        return key


def _to_rdflib(data: bytes, fmt: str):  # -> rdflib.Graph
    import rdflib

    graph = rdflib.Graph()
    graph.parse(data=data, format=fmt, bnode_context=_SameBlankNodeLabels())
    return graph


def validate(
    graph: Graph,
    extra: Iterable[str | Path] = (),
    *,
    shapes: Iterable[str | Path] | None = None,
    engine: str = "auto",
) -> ValidationReport:
    """Validate ``graph`` plus the ``extra`` files against the shipped shapes (or ``shapes``).

    ``engine`` is ``"pyshacl"`` (the reference), ``"fast"`` (:mod:`kg.shaclfast`, which refuses a shape that
    uses a feature it does not compile) or ``"auto"``: pySHACL up to ``AUTO_FAST_FROM`` triples, the fast
    engine above (pySHACL again if the fast engine refuses a shape). Extra files are parsed with Oxigraph
    first so that a syntax error is reported as file:line:column.

    >>> import kg
    >>> kg.load().validate().conforms
    True
    """
    if engine not in ENGINES:
        raise InputError(f"unknown validation engine {engine!r} (use one of {', '.join(ENGINES)})")
    started = time.perf_counter()
    extra_paths = [Path(p) for p in extra]
    store = ox.Store()
    for path in extra_paths:
        load_file(store, path)
    if engine == "auto":
        engine = "fast" if len(graph.store) + len(store) >= AUTO_FAST_FROM else "pyshacl"
        if engine == "fast":
            from kg.shaclfast import UnsupportedShapeError

            try:
                return _fast(graph, extra_paths, store, shapes, started)
            except UnsupportedShapeError:
                engine = "pyshacl"
    if engine == "fast":
        return _fast(graph, extra_paths, store, shapes, started)
    return _pyshacl(graph, extra_paths, store, shapes, started)


def _fast(graph, extra_paths, store, shapes, started) -> ValidationReport:
    from kg import shaclfast

    return shaclfast.validate(graph, extra_paths, shapes=shapes, extra_store=store, started=started)


def _pyshacl(
    graph: Graph,
    extra_paths: list[Path],
    store: ox.Store,
    shapes: Iterable[str | Path] | None,
    started: float,
) -> ValidationReport:
    import pyshacl
    from rdflib.namespace import RDFS as R_RDFS
    from rdflib.term import BNode, Literal, URIRef

    data_nt = graph.store.dump(format=ox.RdfFormat.N_TRIPLES, from_graph=ox.DefaultGraph()) or b""
    extra_nt = store.dump(format=ox.RdfFormat.N_TRIPLES, from_graph=ox.DefaultGraph()) or b""
    data = _to_rdflib(data_nt + b"\n" + extra_nt, "nt")

    shape_paths = [Path(p) for p in shapes] if shapes is not None else resources.shape_files()
    shapes_store = ox.Store()
    for path in shape_paths:
        load_file(shapes_store, path)
    shapes_graph = _to_rdflib(
        shapes_store.dump(format=ox.RdfFormat.N_TRIPLES, from_graph=ox.DefaultGraph()) or b"", "nt"
    )

    _, report_graph, report_text = pyshacl.validate(
        data, shacl_graph=shapes_graph, inference="none", advanced=True, allow_warnings=True
    )
    if not hasattr(report_graph, "subjects"):  # pySHACL returns a failure object when a shape is malformed
        raise InputError(f"the shapes cannot be applied: {report_text or report_graph}")
    sh = lambda name: URIRef(SH + name)  # noqa: E731

    def label_of(node) -> str:
        if isinstance(node, URIRef):
            label = data.value(node, R_RDFS.label)
            return str(label) if label is not None else shorten(str(node))
        if isinstance(node, BNode):
            for parent, predicate in data.subject_predicates(node):
                return f"{label_of(parent)} / {shorten(str(predicate))}"
            return "(blank node)"
        return str(node)

    annotated_source = URIRef("http://www.w3.org/2002/07/owl#annotatedSource")

    def owner(node, depth: int = 0) -> str | None:
        """The IRI a blank node belongs to: an axiom's source, or the subject that points to it."""
        if isinstance(node, URIRef):
            return str(node)
        if not isinstance(node, BNode) or depth > 4:
            return None
        source = data.value(node, annotated_source)
        if source is not None:
            return owner(source, depth + 1)
        for parent in data.subjects(None, node):
            return owner(parent, depth + 1)
        return None

    results = []
    for result in report_graph.subjects(sh("resultSeverity"), None):
        severity = str(report_graph.value(result, sh("resultSeverity"))).rsplit("#", 1)[-1]
        focus = report_graph.value(result, sh("focusNode"))
        path = report_graph.value(result, sh("resultPath"))
        value = report_graph.value(result, sh("value"))
        shape = report_graph.value(result, sh("sourceShape"))
        component = report_graph.value(result, sh("sourceConstraintComponent"))
        messages = sorted(str(m) for m in report_graph.objects(result, sh("resultMessage")))
        results.append(
            ValidationResult(
                severity=severity,
                focus=shorten(str(focus)) if isinstance(focus, URIRef) else "_:" + str(focus),
                focus_label=label_of(focus),
                subject=owner(focus),
                path=shorten(str(path)) if isinstance(path, URIRef) else None,
                message=messages[0] if messages else "",
                value=(str(value) if isinstance(value, Literal) else shorten(str(value)))
                if value is not None
                else None,
                shape=shorten(str(shape)) if isinstance(shape, URIRef) else None,
                constraint=shorten(str(component)).replace(SH, "sh:") if component is not None else None,
            )
        )
    return report(results, len(data), shape_paths, graph, extra_paths, "pyshacl", started)


def report(results, triples, shape_paths, graph, extra_paths, engine, started) -> ValidationReport:
    """The report both engines return: results sorted by severity, focus label, path and message."""
    results = sorted(
        results, key=lambda r: (_SEVERITY_ORDER.get(r.severity, 9), r.focus_label, r.path or "", r.message)
    )
    violations = sum(r.severity == "Violation" for r in results)
    return ValidationReport(
        conforms=violations == 0,
        violations=violations,
        warnings=sum(r.severity == "Warning" for r in results),
        triples=triples,
        shapes_files=tuple(p.name for p in shape_paths),
        data_files=tuple([*(p.name for p in graph.sources), *(str(p) for p in extra_paths)]),
        engine=engine,
        seconds=round(time.perf_counter() - started, 3),
        results=tuple(results),
    )
