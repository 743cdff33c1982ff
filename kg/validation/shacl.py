"""SHACL validation of the graph (ontology + data + optional extra files) by either engine: pySHACL, the reference
(:mod:`kg.validation.pyshacl`), or the fast engine (:mod:`kg.validation.fast`: the same shapes compiled to SPARQL
and run on Oxigraph)."""

from __future__ import annotations

import time
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING

import pyoxigraph as ox

from kg.core.backends.memory import load_file
from kg.core.errors import InputError

if TYPE_CHECKING:
    from kg.core.graph import Graph
    from kg.validation.report import ValidationReport

ENGINES = ("auto", "fast", "pyshacl")
# engine="auto" runs pySHACL, the reference, up to this many triples (about 20 s there on this machine) and
# the fast engine above it; tests/test_shaclfast.py shows both give the same results.
AUTO_FAST_FROM = 20_000


def validate(
    graph: Graph,
    extra: Iterable[str | Path] = (),
    *,
    shapes: Iterable[str | Path] | None = None,
    engine: str = "auto",
    triples: int | None = None,
) -> ValidationReport:
    """Validate ``graph`` plus the ``extra`` files against the shipped shapes (or ``shapes``).

    ``engine`` is ``"pyshacl"`` (the reference), ``"fast"`` (:mod:`kg.validation.fast`, which refuses a shape that
    uses a feature it does not compile) or ``"auto"``: pySHACL up to ``AUTO_FAST_FROM`` triples, the fast
    engine above (pySHACL again if the fast engine refuses a shape). Extra files are parsed with Oxigraph
    first so that a syntax error is reported as file:line:column. ``triples``, the distinct triples of ``graph``
    when the caller has just counted them, spares the fast engine counting them again for its report.

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
        size = triples if triples is not None else len(graph.store)  # a caller's count spares counting again
        engine = "fast" if size + len(store) >= AUTO_FAST_FROM else "pyshacl"
        if engine == "pyshacl":
            from kg.validation.pyshacl import TripleTermsError

            try:
                return _pyshacl(graph, extra_paths, store, shapes, started)
            except TripleTermsError:  # rdflib cannot read them; the fast engine reads the store itself
                engine = "fast"
        if engine == "fast":
            from kg.validation.fast.vocabulary import UnsupportedShapeError

            try:
                return _fast(graph, extra_paths, store, shapes, started, triples)
            except UnsupportedShapeError:
                engine = "pyshacl"
    if engine == "fast":
        return _fast(graph, extra_paths, store, shapes, started, triples)
    return _pyshacl(graph, extra_paths, store, shapes, started)


def _fast(graph, extra_paths, store, shapes, started, triples=None) -> ValidationReport:
    from kg.validation import fast

    return fast.validate(graph, extra_paths, shapes=shapes, extra_store=store, started=started, triples=triples)


def _pyshacl(graph, extra_paths, store, shapes, started) -> ValidationReport:
    from kg.validation import pyshacl

    return pyshacl.validate(graph, extra_paths, store, shapes, started)
