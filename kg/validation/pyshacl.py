"""The pySHACL runner, the reference engine: the graph and the shapes handed to pySHACL as rdflib graphs, and its
report read back into a :class:`~kg.validation.report.ValidationReport`. pySHACL and rdflib are imported only
here, when it runs."""

from __future__ import annotations

import re
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING

import pyoxigraph as ox

from kg.core import resources
from kg.core.backends.memory import load_file
from kg.core.errors import InputError
from kg.core.namespaces import SH, shorten
from kg.validation.report import ValidationReport, ValidationResult, report

if TYPE_CHECKING:
    from kg.core.graph import Graph


class _SameBlankNodeLabels(dict):
    """rdflib's N-Triples parser renames blank nodes unless a mapping says otherwise; this one keeps the store's
    labels, so that a result names a blank node as the store (and the fast engine) does."""

    def get(self, key, default=None):  # noqa: ARG002
        return key


def _rdflib_conversions() -> None:
    """Validate with rdflib's own lexical conversions, as a fresh process would. owlrl (pySHACL's inference engine,
    also used on its own) swaps in its conversions process-wide and, switching back, leaves the ones rdflib lacks
    (xsd:gYear among them), after which pySHACL calls "20x6"^^xsd:gYear ill-formed where it otherwise would not."""
    import sys

    handling = sys.modules.get("owlrl.DatatypeHandling")
    if handling is None:
        return
    from rdflib.term import XSDToPython, _toPythonMapping

    for datatype, convert in getattr(handling, "AltXSDToPYTHON", {}).items():
        if _toPythonMapping.get(datatype) is convert:
            if datatype in XSDToPython:
                _toPythonMapping[datatype] = XSDToPython[datatype]
            else:
                del _toPythonMapping[datatype]


_TRIPLE_TERM = re.compile(rb"> <<\( (<|_:)")


class TripleTermsError(InputError):
    """The data holds RDF 1.2 triple terms, which rdflib (and so pySHACL) cannot read."""


def _to_rdflib(data: bytes, fmt: str):  # -> rdflib.Graph
    import rdflib

    # Oxigraph writes a triple term, in object position, as <<( s p o )>>: looked for before rdflib parses, which
    # would log a warning per term and then fail. (A literal holding that very text would also send the auto
    # engine to the fast one, which reads the store itself; no harm.)
    if _TRIPLE_TERM.search(data):
        raise TripleTermsError(
            "the data holds RDF 1.2 triple terms, which pySHACL cannot read: use the fast engine (--engine fast)"
        )
    graph = rdflib.Graph()
    graph.parse(data=data, format=fmt, bnode_context=_SameBlankNodeLabels())
    return graph


def validate(
    graph: Graph,
    extra_paths: list[Path],
    store: ox.Store,
    shapes: Iterable[str | Path] | None,
    started: float,
) -> ValidationReport:
    import pyshacl
    from rdflib.namespace import RDFS as R_RDFS

    _rdflib_conversions()
    from rdflib.term import BNode, Literal, URIRef

    data_nt = graph.store.dump(format=ox.RdfFormat.N_TRIPLES, from_graph=ox.DefaultGraph()) or b""
    from kg.core.backends.union import UnionStore

    # the extra files' triples in every graph they name (a data set in N-Quads or TriG keeps its sources apart)
    extra_nt = UnionStore(store).dump(format=ox.RdfFormat.N_TRIPLES, from_graph=ox.DefaultGraph()) or b""
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
