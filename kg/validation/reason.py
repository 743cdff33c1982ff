"""OWL reasoning with HermiT (bundled with owlready2): is the ontology with all its data consistent, and is
every class satisfiable?"""

from __future__ import annotations

import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import pyoxigraph as ox

if TYPE_CHECKING:
    from kg.core.graph import Graph


@dataclass(frozen=True)
class ReasonerReport:
    """``consistent`` is false when HermiT finds a contradiction, and ``reasons`` then says where (HermiT itself
    says nothing more): each individual that falls in two classes the ontology declares disjoint, and why it is
    in each. ``unsatisfiable`` lists classes that can have no member (each one a modelling error)."""

    reasoner: str
    consistent: bool
    unsatisfiable: tuple[str, ...]
    triples: int
    seconds: float
    message: str
    reasons: tuple[str, ...] = ()

    @property
    def ok(self) -> bool:
        return self.consistent and not self.unsatisfiable


def check(graph: Graph) -> ReasonerReport:
    """Run HermiT over the whole graph. owlready2 does not read Turtle, so the store is handed over as
    N-Triples. Needs a Java runtime on the PATH.

    >>> import kg
    >>> check(kg.load()).ok  # doctest: +SKIP
    True
    """
    import owlready2

    from kg.core.errors import KGError

    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="sslmb-hermit-") as tmp:
        path = Path(tmp) / "graph.nt"
        graph.store.dump(str(path), format=ox.RdfFormat.N_TRIPLES, from_graph=ox.DefaultGraph())
        world = owlready2.World()
        onto = world.get_ontology(path.as_uri()).load()
        try:
            with onto:
                owlready2.sync_reasoner_hermit(world, infer_property_values=False, debug=0)
        except owlready2.OwlReadyInconsistentOntologyError:
            world.close()
            reasons = tuple(explain(graph))
            if reasons:
                more = f" (and {len(reasons) - 1} more)" if len(reasons) > 1 else ""
                message = f"inconsistent: {reasons[0]}{more}"
            else:
                message = (
                    "inconsistent (HermiT names no cause, and no individual is in two disjoint classes: look at "
                    "functional properties and restrictions)"
                )
            seconds = round(time.perf_counter() - started, 3)
            return ReasonerReport("HermiT", False, (), len(graph), seconds, message, reasons)
        except FileNotFoundError:
            raise KGError("reason runs HermiT, which needs Java: install a Java runtime (java on the PATH)") from None
        except owlready2.OwlReadyJavaError as exc:
            lines = [line for line in str(exc).splitlines() if line.strip() and "Java error message" not in line]
            raise KGError(f"HermiT failed: {lines[0].strip() if lines else exc}") from None
        unsat = tuple(sorted(c.iri for c in world.inconsistent_classes()))
        world.close()
    message = "consistent" + (f"; {len(unsat)} unsatisfiable class(es)" if unsat else ", every class satisfiable")
    return ReasonerReport("HermiT", True, unsat, len(graph), round(time.perf_counter() - started, 3), message)


def explain(graph: Graph, *, limit: int = 20) -> list[str]:
    """Why the graph is inconsistent, as far as disjoint classes tell: every individual that falls in two
    classes declared disjoint (``owl:disjointWith``, ``owl:AllDisjointClasses``), through an asserted type, a
    subclass, or the domain or range of a property it is used with; at most ``limit`` of them.

    >>> import kg
    >>> explain(kg.load())
    []
    """
    from kg.core.namespaces import OWL, RDF, RDFS, shorten

    pairs: set[tuple[str, str]] = set()
    rows = graph.store.query(
        "SELECT ?a ?b WHERE { { ?a owl:disjointWith ?b } UNION { ?all a owl:AllDisjointClasses ; owl:members ?m . "
        "?m rdf:rest*/rdf:first ?a, ?b FILTER (?a != ?b) } FILTER (isIRI(?a) && isIRI(?b)) }",
        prefixes={"owl": OWL, "rdf": RDF},
    )
    assert isinstance(rows, ox.QuerySolutions)
    for row in rows:
        a, b = row["a"].value, row["b"].value
        pairs.add((a, b) if a < b else (b, a))
    if not pairs:
        return []
    members = {c for pair in pairs for c in pair}
    why: dict[str, dict[str, str]] = {}

    def note(node: ox.NamedNode | ox.BlankNode, cls: str, reason: str) -> None:
        for ancestor in graph.ancestors(cls):
            if ancestor in members:
                why.setdefault(_key(node), {}).setdefault(ancestor, reason)

    for quad in graph.store.quads_for_pattern(None, ox.NamedNode(RDF + "type"), None):
        if isinstance(quad.object, ox.NamedNode):
            note(quad.subject, quad.object.value, f"typed {shorten(quad.object.value)}")  # type: ignore[arg-type]
    for side in ("domain", "range"):
        for decl in graph.store.quads_for_pattern(None, ox.NamedNode(RDFS + side), None):
            prop, cls = decl.subject, decl.object
            if not isinstance(prop, ox.NamedNode) or not isinstance(cls, ox.NamedNode):
                continue
            for quad in graph.store.quads_for_pattern(None, prop, None):
                node = quad.subject if side == "domain" else quad.object
                if isinstance(node, (ox.NamedNode, ox.BlankNode)):
                    role = "subject" if side == "domain" else "object"
                    note(node, cls.value, f"{role} of {shorten(prop.value)}, whose {side} is {shorten(cls.value)}")
    found = []
    for key, classes in sorted(why.items()):
        for a, b in sorted(pairs):
            if a in classes and b in classes:
                name = graph.label(key) if not key.startswith("_:") else key
                found.append(
                    f"{name} ({shorten(key)}) is both a {graph.label(a)} ({classes[a]}) and a {graph.label(b)} "
                    f"({classes[b]}), which the ontology declares disjoint"
                )
                if len(found) >= limit:
                    return found
    return found


def _key(node: ox.NamedNode | ox.BlankNode) -> str:
    return node.value if isinstance(node, ox.NamedNode) else f"_:{node.value}"
