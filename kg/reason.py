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
    from kg.store import KnowledgeGraph


@dataclass(frozen=True)
class ReasonerReport:
    """``consistent`` is false when HermiT finds a contradiction; ``unsatisfiable`` lists classes that can
    have no member (each one a modelling error)."""

    reasoner: str
    consistent: bool
    unsatisfiable: tuple[str, ...]
    triples: int
    seconds: float
    message: str

    @property
    def ok(self) -> bool:
        return self.consistent and not self.unsatisfiable


def check(graph: KnowledgeGraph) -> ReasonerReport:
    """Run HermiT over the whole graph. owlready2 does not read Turtle, so the store is handed over as
    N-Triples. Needs a Java runtime on the PATH.

    >>> import kg
    >>> check(kg.load()).ok  # doctest: +SKIP
    True
    """
    import owlready2

    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="sslmb-hermit-") as tmp:
        path = Path(tmp) / "graph.nt"
        graph.store.dump(str(path), format=ox.RdfFormat.N_TRIPLES, from_graph=ox.DefaultGraph())
        world = owlready2.World()
        onto = world.get_ontology(path.as_uri()).load()
        try:
            with onto:
                owlready2.sync_reasoner_hermit(world, infer_property_values=False, debug=0)
        except owlready2.OwlReadyInconsistentOntologyError as exc:
            return ReasonerReport(
                "HermiT",
                False,
                (),
                len(graph),
                round(time.perf_counter() - started, 3),
                f"inconsistent: {exc}".strip(),
            )
        unsat = tuple(sorted(c.iri for c in world.inconsistent_classes()))
        world.close()
    message = "consistent" + (f"; {len(unsat)} unsatisfiable class(es)" if unsat else ", every class satisfiable")
    return ReasonerReport("HermiT", True, unsat, len(graph), round(time.perf_counter() - started, 3), message)
