"""Every SHACL shape accepts its valid fixture and rejects its invalid fixtures for the reason they test.

Fixtures live in tests/data/shapes/ and are named after the shape or SPARQL constraint they exercise:
``<LocalName>.valid.ttl`` and ``<LocalName>.invalid[.<variant>].ttl``, where ``<LocalName>`` is the local
name of an IRI in https://w3id.org/sslmb/shapes/ (``StrategyShape-mitigates`` -> ``sslmbsh:StrategyShape-mitigates``).
Each fixture is validated together with the ontology and quantities.ttl, never with the rest of the data.

An invalid fixture must produce a result whose sh:sourceShape (or, for a SPARQL constraint,
sh:sourceConstraint) is the expected shape, and no result from any other shape unless the fixture lists
that shape on an ``# also-reports:`` header line (for defects that by nature trip two shapes).
"""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path

import pyoxigraph
import pytest
from pyshacl import validate
from rdflib import RDF, Graph, Namespace, URIRef
from rdflib.term import Node

ROOT = Path(__file__).parents[1]
SHAPES_DIR = ROOT / "shapes"
FIXTURE_DIR = ROOT / "tests" / "data" / "shapes"
BASE_FILES = (ROOT / "ontology" / "sslmb.ttl", ROOT / "ontology" / "instances" / "quantities.ttl")

SH = Namespace("http://www.w3.org/ns/shacl#")
SSLMBSH = Namespace("https://w3id.org/sslmb/shapes/")

FIXTURE_NAME = re.compile(
    r"^(?P<shape>[A-Za-z][A-Za-z0-9_-]*)\.(?P<kind>valid|invalid)(?:\.(?P<variant>[a-z0-9]+))?\.ttl$"
)

# Predicates of a node shape that are not node-level constraints.
NON_CONSTRAINT = {
    RDF.type,
    SH.targetClass,
    SH.targetNode,
    SH.targetSubjectsOf,
    SH.targetObjectsOf,
    SH.target,
    SH.property,
    SH.sparql,
    SH.name,
    SH.description,
    SH.severity,
    SH.message,
    SH.deactivated,
}


@lru_cache(maxsize=1)
def shapes_graph() -> Graph:
    graph = Graph()
    for path in sorted(SHAPES_DIR.glob("*.shacl.ttl")):
        graph.parse(path, format="turtle")
    return graph


@lru_cache(maxsize=1)
def base_graph() -> Graph:
    graph = Graph()
    for path in BASE_FILES:
        graph.parse(path, format="turtle")
    return graph


@lru_cache(maxsize=1)
def named_shapes() -> frozenset[URIRef]:
    """Every node shape, property shape and SPARQL constraint with an IRI in the shapes namespace."""
    graph = shapes_graph()
    found: set[URIRef] = set()
    for cls in (SH.NodeShape, SH.PropertyShape, SH.SPARQLConstraint):
        found |= {s for s in graph.subjects(RDF.type, cls) if isinstance(s, URIRef)}
    found |= {o for o in graph.objects(None, SH.property) if isinstance(o, URIRef)}
    found |= {o for o in graph.objects(None, SH.sparql) if isinstance(o, URIRef)}
    return frozenset(s for s in found if str(s).startswith(str(SSLMBSH)))


def fixtures() -> list[Path]:
    return sorted(FIXTURE_DIR.glob("*.ttl"))


def parse_name(path: Path) -> tuple[URIRef, str]:
    match = FIXTURE_NAME.match(path.name)
    assert match, f"{path.name}: fixture names are <Shape>.valid.ttl or <Shape>.invalid[.<variant>].ttl"
    return SSLMBSH[match["shape"]], match["kind"]


def also_reported(path: Path) -> set[URIRef]:
    extra: set[URIRef] = set()
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.startswith("# also-reports:"):
            extra |= {SSLMBSH[name] for name in line.split(":", 1)[1].split()}
    return extra


def data_graph(path: Path, backend: str) -> Graph | pyoxigraph.Store:
    """The ontology, quantities.ttl and one fixture, in an rdflib Graph or a pyoxigraph Store.

    pyshacl accepts both and must give the same answers: through a Store, plain literals reach pyshacl typed
    xsd:string (which is why the qualifier shape uses sh:pattern rather than sh:in).
    """
    if backend == "oxigraph":
        store = pyoxigraph.Store()
        for source in (*BASE_FILES, path):
            store.load(path=source, format=pyoxigraph.RdfFormat.TURTLE)
        return store
    graph = Graph()
    graph += base_graph()
    graph.parse(path, format="turtle")
    return graph


def run(path: Path, backend: str = "rdflib") -> tuple[bool, Graph]:
    data = data_graph(path, backend)
    conforms, report, _ = validate(
        data,  # type: ignore[arg-type]  # pyshacl accepts a pyoxigraph Store but does not declare it
        shacl_graph=shapes_graph(),
        inference="none",
        advanced=True,
        allow_warnings=False,
    )
    return conforms, report


def results(report: Graph) -> list[dict[str, Node | None]]:
    return [
        {
            "shape": report.value(r, SH.sourceShape),
            "constraint": report.value(r, SH.sourceConstraint),
            "component": report.value(r, SH.sourceConstraintComponent),
            "focus": report.value(r, SH.focusNode),
            "message": report.value(r, SH.resultMessage),
        }
        for r in report.subjects(RDF.type, SH.ValidationResult)
    ]


def explained_by(result: dict[str, Node | None], expected: URIRef) -> bool:
    """Does the result come from the expected shape, one of its property shapes or its SPARQL constraint?"""
    if expected in (result["shape"], result["constraint"]):
        return True
    return (expected, SH.property, result["shape"]) in shapes_graph()


def has_node_level_constraint(shape: URIRef) -> bool:
    graph = shapes_graph()
    return (shape, RDF.type, SH.NodeShape) in graph and any(
        p not in NON_CONSTRAINT for p in graph.predicates(shape, None)
    )


def describe(found: list[dict[str, Node | None]]) -> str:
    return "\n".join(
        f"  {r['shape']} {r['constraint'] or ''} {r['component']} focus={r['focus']}: {r['message']}" for r in found
    )


# kg.validation.pyshacl hands pySHACL an rdflib Graph (over ten times quicker than a pyoxigraph Store here), so the
# fixtures are checked the same way.
BACKENDS = [pytest.param("rdflib")]


@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize("path", fixtures(), ids=lambda p: p.name)
def test_fixture(path: Path, backend: str) -> None:
    expected, kind = parse_name(path)
    assert expected in named_shapes(), f"{path.name}: no shape or constraint {expected} in shapes/"
    conforms, report = run(path, backend)
    found = results(report)
    if kind == "valid":
        assert conforms and not found, f"{path.name} should conform but got:\n{describe(found)}"
        return
    assert not conforms, f"{path.name} should not conform"
    own = [r for r in found if explained_by(r, expected)]
    assert own, f"{path.name}: nothing reported by {expected}; got:\n{describe(found)}"
    if has_node_level_constraint(expected):
        # The fixture of a node shape with constraints of its own must trip one of those constraints.
        assert any(r["shape"] == expected and r["constraint"] is None for r in own), (
            f"{path.name}: expected a node-level result of {expected}; got:\n{describe(found)}"
        )
    allowed = also_reported(path)
    stray = [r for r in found if not explained_by(r, expected) and not any(explained_by(r, a) for a in allowed)]
    assert not stray, f"{path.name}: reported by other shapes too (fix the fixture or list them):\n{describe(stray)}"


def test_every_shape_has_fixtures() -> None:
    present: dict[URIRef, set[str]] = {}
    for path in fixtures():
        shape, kind = parse_name(path)
        present.setdefault(shape, set()).add(kind)
    missing = sorted(
        f"{s.removeprefix(str(SSLMBSH))}: {', '.join(sorted({'valid', 'invalid'} - present.get(s, set())))}"
        for s in named_shapes()
        if present.get(s, set()) != {"valid", "invalid"}
    )
    assert not missing, "shapes without fixtures:\n" + "\n".join(missing)


def test_constraints_are_addressable() -> None:
    """Property shapes and SPARQL constraints hanging off a top-level shape have IRIs, so fixtures can name them."""
    graph = shapes_graph()
    anonymous = [
        (shape, p)
        for p in (SH.property, SH.sparql)
        for shape, value in graph.subject_objects(p)
        if isinstance(shape, URIRef) and not isinstance(value, URIRef)
    ]
    assert not anonymous, f"anonymous constraints on named shapes: {anonymous}"


def test_shapes_are_documented() -> None:
    graph = shapes_graph()
    problems = []
    for shape in named_shapes():
        for predicate in (SH.name, SH.description, SH.severity):
            if graph.value(shape, predicate) is None:
                problems.append(f"{shape} lacks {predicate}")
        is_constraint = (shape, RDF.type, SH.NodeShape) not in graph
        if (is_constraint or has_node_level_constraint(shape)) and graph.value(shape, SH.message) is None:
            problems.append(f"{shape} lacks sh:message")
        if (shape, SH.sparql, None) in graph and (shape, SH.message, None) in graph:
            # pyshacl would append the node shape's message to every SPARQL result
            problems.append(f"{shape} has both sh:sparql and sh:message")
    assert not problems, "\n".join(sorted(problems))


def test_shapes_graph_is_valid_shacl() -> None:
    """The shapes pass SHACL's own shapes (meta-SHACL), and the ontology with quantities.ttl satisfies them."""
    conforms, _, text = validate(
        base_graph(), shacl_graph=shapes_graph(), inference="none", advanced=True, meta_shacl=True
    )
    assert conforms, text
