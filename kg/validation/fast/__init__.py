"""Fast SHACL validation: the shapes compiled once into SPARQL queries that run on the Oxigraph store itself.

pySHACL (:mod:`kg.validation.pyshacl`) is the reference engine; this one exists because pySHACL needs an rdflib
copy of the graph and evaluates constraints node by node: 75 s at 1e5 triples with our shapes, over half an hour at
1e6. Here every constraint of every shape becomes one set-at-a-time SPARQL SELECT over all focus nodes of its
shape, and the rows it returns are the validation results: focus node, path, value, source shape, constraint
component, severity and message, exactly as pySHACL reports them (``tests/test_shaclfast.py`` proves it on the
shipped graph, every shape fixture, a damaged copy of the graph and one shape per constraint kind).

Only the SHACL features our shapes use are compiled (see ``NODE_PARAMETERS`` in :mod:`.vocabulary`); a shape
that uses anything else makes the compiler raise :class:`UnsupportedShapeError` naming the shape and the feature,
so nothing is ever silently accepted.

How the queries are written, because Oxigraph evaluates ``FILTER (NOT) EXISTS`` row by row, slowly unless the
pattern is one triple from a bound node (``../shared/MEASURED.md``): a node that must *not* be an instance of
a class is found with ``MINUS`` against the class's instances; a nested shape (``sh:or``, ``sh:not``,
``sh:and``, ``sh:node``, ``sh:property``, ``sh:qualifiedValueShape``) becomes a FILTER expression when each
of its tests reads at most one triple pattern, and otherwise a set of conforming nodes built from joins and
``MINUS``; counts use ``GROUP BY``. The ``sh:select`` text of SHACL-SPARQL constraints and targets is parsed
and rewritten only in ways that keep its meaning under pySHACL: ``$this`` comes from joining the shape's focus
nodes in front of the query body (pySHACL binds it before evaluation), a nested group after a pattern is
joined ``LATERAL`` (rdflib, under pySHACL, evaluates such a group with the outer bindings already in place),
and a ``FILTER NOT EXISTS`` over several self-contained triple patterns becomes ``MINUS``. A sub-select (with
``GROUP BY`` and ``HAVING``) is compiled in a SPARQL target only, and only where nothing before it binds one of its
variables, so that no engine can evaluate it with outer bindings in place.

>>> import kg
>>> report = validate(kg.load())
>>> report.conforms, report.engine
(True, 'fast')

The engine in its rooms: :mod:`.vocabulary` (the SHACL terms, and which constraint kinds are compiled),
:mod:`.sparqlparse` (reading the ``sh:select`` text of SHACL-SPARQL constraints), :mod:`.reading` (the shapes
graph), :mod:`.paths` (SHACL property paths as SPARQL paths), :mod:`.constraints` (each constraint kind as SPARQL,
and conformance to nested shapes), :mod:`.compiler` (one query per constraint of every shape) and :mod:`.report`
(running the queries, and the results as pySHACL writes them).
"""

from __future__ import annotations

from kg.validation.fast.compiler import Check, CompiledShapes, compile_shapes
from kg.validation.fast.report import RawResult, run_checks, validate
from kg.validation.fast.vocabulary import UnsupportedShapeError

__all__ = ["Check", "CompiledShapes", "RawResult", "UnsupportedShapeError", "compile_shapes", "run_checks", "validate"]
