"""The compiler: every shape that selects its own focus nodes becomes one SPARQL query per constraint, whose rows
are the validation results; compiled once per set of shape files."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox

from kg.core import resources
from kg.core.namespaces import RDF, RDFS, SH
from kg.validation.fast.constraints import ConstraintTranslator, Dom, project
from kg.validation.fast.sparqlparse import (
    Elem,
    Group,
    Parser,
    Tok,
    lateral_joins,
    not_exists_as_minus,
    refuse_correlated_subselects,
    render_items,
)
from kg.validation.fast.vocabulary import INSTANCE_OF, NODE_PARAMETERS, PATH_ONLY, Term, UnsupportedShapeError, sh


@dataclass(frozen=True)
class Check:
    """One compiled query and how to read its rows.

    ``kind``: ``value`` rows (?this ?value) and ``focus`` rows (?this) are results as they come; ``count``
    rows (?this ?n) are compared with ``bounds`` (min, max; of conforming values when ``qualified``);
    ``sparql`` rows carry every projected variable of a SHACL-SPARQL constraint, which fill the message.
    """

    shape: Term
    component: str
    severity: str
    messages: tuple[str, ...]
    path: Term | None
    sparql: str
    kind: str
    bounds: tuple[int | None, int | None] = (None, None)
    qualified: bool = False
    source_constraint: Term | None = None
    extra_messages: tuple[str, ...] = ()


@dataclass(frozen=True)
class CompiledShapes:
    """The shapes graph compiled for one set of shape files (compiled once per set, then cached)."""

    files: tuple[str, ...]
    checks: tuple[Check, ...]
    shapes: int


class Compiler(ConstraintTranslator):
    """Compiles the shapes of ``store`` into :class:`Check` queries (``checks``)."""

    def __init__(self, store: ox.Store) -> None:
        super().__init__(store)
        self.checks: list[Check] = []

    # ---- the top-level checks: one query per constraint, rows are results

    def parse_select(self, shape: Term, node: Term, what: str) -> tuple[str, list[Tok], Group]:
        selects = self.objects(node, SH + "select")
        if len(selects) != 1 or not isinstance(selects[0], ox.Literal):
            raise UnsupportedShapeError(
                f"{self.name(shape)}: {what} without exactly one sh:select (sh:ask is not compiled)"
            )
        where = f"{self.name(shape)} ({what})"
        # a sub-select only in a target: nothing is pre-bound there, so none can see a $this from outside
        target = what == "SPARQL target"
        prefixes, select, group = Parser(selects[0].value, where, subselects=target).query()
        if target:
            refuse_correlated_subselects(group, set(), where)
        lines = self.prologue(shape, node) + [f"PREFIX {name} {iri}" for name, iri in prefixes]
        for special in ("PATH", "currentShape", "shapesGraph"):
            if special in group.variables() or any(t.var == special for t in select):
                raise UnsupportedShapeError(f"{where}: ${special} is not compiled")
        return "\n".join(dict.fromkeys(lines)), select, group

    def prologue(self, shape: Term, node: Term) -> list[str]:
        lines = []
        for ontology in self.objects(node, SH + "prefixes"):
            for declaration in self.objects(ontology, SH + "declare"):
                prefix = self.one(declaration, SH + "prefix", shape)
                namespace = self.one(declaration, SH + "namespace", shape)
                if prefix is None or namespace is None:
                    raise UnsupportedShapeError(f"{self.name(shape)}: an sh:declare without prefix or namespace")
                lines.append(f"PREFIX {prefix.value}: <{namespace.value}>")
        return lines

    def targets(self, shape: Term) -> tuple[str, str] | None:
        """The focus nodes of a shape as a sub-select binding ``?this``, with the prefixes it needs."""
        if ox.NamedNode(RDFS + "Class") in self.objects(shape, RDF + "type"):
            raise UnsupportedShapeError(f"{self.name(shape)}: an implicit class target (the shape is a class)")
        branches: list[str] = []
        header: list[str] = []
        classes = self.objects(shape, SH + "targetClass")
        if classes:
            branches.append(
                f"VALUES ?_sfc {{ {' '.join(self.term(c, shape) for c in classes)} }} ?this {INSTANCE_OF} ?_sfc"
            )
        nodes = self.objects(shape, SH + "targetNode")
        if nodes:
            branches.append(f"VALUES ?this {{ {' '.join(self.term(n, shape) for n in nodes)} }}")
        for predicate in self.objects(shape, SH + "targetSubjectsOf"):
            branches.append(f"?this {self.term(predicate, shape)} ?_sft")
        for predicate in self.objects(shape, SH + "targetObjectsOf"):
            branches.append(f"?_sft {self.term(predicate, shape)} ?this")
        for target in self.objects(shape, SH + "target"):
            types = self.objects(target, RDF + "type")
            if types and ox.NamedNode(SH + "SPARQLTarget") not in types:
                raise UnsupportedShapeError(f"{self.name(shape)}: a target of type {types[0]} (only SPARQL targets)")
            prologue, select, group = self.parse_select(shape, target, "SPARQL target")
            if "this" not in {t.var for t in select} and not any(t.text == "*" for t in select):
                raise UnsupportedShapeError(f"{self.name(shape)}: the SPARQL target does not select ?this")
            group = not_exists_as_minus(lateral_joins(group, set()), set())
            branches.append(f"{{ SELECT DISTINCT ?this WHERE {group.render()} }}")
            header.extend(prologue.splitlines())
        if not branches:
            return None
        union = " UNION ".join(f"{{ {b} }}" for b in branches)
        return f"{{ SELECT DISTINCT ?this WHERE {{ {union} }} }}", "\n".join(dict.fromkeys(header))

    def compile_shape(self, shape: Term) -> None:
        self.current = shape
        if self.deactivated(shape):
            return
        found = self.targets(shape)
        if found is None:
            return
        focus, header = found
        if self.one(shape, SH + "path", shape) is not None:
            self.compile_property(shape, (), focus, header)
            return
        dom = Dom(focus, ("this",))
        for local, value in self.parameters(shape):
            if local == "property":
                if self.deactivated(value):
                    continue
                if self.one(value, SH + "path", value) is None:
                    raise UnsupportedShapeError(f"{self.name(value)}: sh:property points at a shape without sh:path")
                self.compile_property(value, (shape,), focus, header)
            elif local == "sparql":
                self.compile_sparql(shape, value, focus, header)
            elif local in PATH_ONLY:
                raise UnsupportedShapeError(f"{self.name(shape)}: sh:{local} on a shape without sh:path")
            else:
                self.refuse_top_level_node(shape, local)
                bad = self.unsat_param(shape, local, value, dom, "this", (shape,))
                self.add(
                    shape, local, "value", f"SELECT DISTINCT ?this (?this AS ?value) WHERE {{ {bad.text} }}", header
                )

    def add(self, shape: Term, local: str, kind: str, query: str, header: str, **more) -> None:
        self.checks.append(
            Check(
                shape=shape,
                component=SH + NODE_PARAMETERS[local],
                severity=self.severity(shape),
                messages=self.messages(shape),
                path=self.one(shape, SH + "path", shape),
                sparql=(header + "\n" if header else "") + query,
                kind=kind,
                **more,
            )
        )

    def compile_property(self, shape: Term, parents: tuple[Term, ...], focus: str, header: str) -> None:
        """The checks of a property shape for the focus nodes of the shape that holds it (or its own)."""
        path = self.path(self.one(shape, SH + "path", shape), shape)  # type: ignore[arg-type]
        stack = (*parents, shape)
        reach = Dom(f"{focus} . ?this {path} ?value", ("this", "value"))
        params = self.parameters(shape)
        counts = {
            local: self.integer(value, shape, local) for local, value in params if local in ("minCount", "maxCount")
        }
        low, high = counts.get("minCount") or None, counts.get("maxCount")
        tests = ([f"COUNT(DISTINCT ?value) < {low}"] if low else []) + (
            [f"COUNT(DISTINCT ?value) > {high}"] if high is not None else []
        )
        if tests:
            query = (
                f"SELECT ?this (COUNT(DISTINCT ?value) AS ?n) WHERE {{ {focus} OPTIONAL {{ ?this {path} ?value }} }} "
                f"GROUP BY ?this HAVING ({' || '.join(tests)})"
            )
            self.add(shape, "minCount", "count", query, header, bounds=(low, high))
        for local, value in params:
            if local in ("minCount", "maxCount"):
                continue
            if local in ("property", "sparql"):
                raise UnsupportedShapeError(f"{self.name(shape)}: sh:{local} on a property shape")
            if local == "hasValue":
                where = (
                    f"{focus} MINUS {{ ?this {path} {self.term(value, shape)} }}"
                    if self.bounded(path)
                    else f"{focus} MINUS {project(('this',), f'{focus} . ?this {path} {self.term(value, shape)}')}"
                )
                self.add(shape, local, "focus", f"SELECT DISTINCT ?this WHERE {{ {where} }}", header)
            elif local == "uniqueLang":
                if isinstance(value, ox.Literal) and value.value in ("true", "1"):
                    # one result per language tag (compared in lower case) that two values share
                    query = (
                        f"SELECT ?this ?lang WHERE {{ {reach.text} "
                        f'FILTER (isLiteral(?value) && LANG(?value) != "") }} '
                        f"GROUP BY ?this (LCASE(LANG(?value)) AS ?lang) HAVING (COUNT(DISTINCT ?value) > 1)"
                    )
                    self.add(shape, local, "focus", query, header)
            elif local == "qualifiedValueShape":
                lo_node = self.one(shape, SH + "qualifiedMinCount", shape)
                hi_node = self.one(shape, SH + "qualifiedMaxCount", shape)
                lo = self.integer(lo_node, shape, "qualifiedMinCount") if lo_node is not None else None
                hi = self.integer(hi_node, shape, "qualifiedMaxCount") if hi_node is not None else None
                w = self.fresh()
                good = self.sat(value, Dom(f"{focus} . ?this {path} ?{w}", ("this", w)), w, stack)
                tests = ([f"?n < {lo}"] if lo is not None else []) + ([f"?n > {hi}"] if hi is not None else [])
                if tests:
                    query = (
                        f"SELECT ?this ?n WHERE {{ {focus} OPTIONAL {{ SELECT ?this (COUNT(DISTINCT ?{w}) AS ?k) "
                        f"WHERE {{ {good.text} }} GROUP BY ?this }} BIND (COALESCE(?k, 0) AS ?n) "
                        f"FILTER ({' || '.join(tests)}) }}"
                    )
                    self.add(shape, local, "count", query, header, bounds=(lo, hi), qualified=True)
            else:
                self.refuse_top_level_node(shape, local)
                bad = self.bad_values(shape, path, local, value, reach, "this", "value", stack)
                # sh:lessThanOrEquals reports a value once per value it exceeds, as pySHACL does
                distinct = "" if local == "lessThanOrEquals" else "DISTINCT "
                self.add(shape, local, "value", f"SELECT {distinct}?this ?value WHERE {{ {bad.text} }}", header)

    def compile_sparql(self, shape: Term, constraint: Term, focus: str, focus_header: str) -> None:
        """A SHACL-SPARQL constraint: its query with the shape's focus nodes joined in front as ``$this``."""
        if self.deactivated(constraint):
            return
        header, select, group = self.parse_select(shape, constraint, "SPARQL constraint")
        if "this" not in {t.var for t in select} and not any(t.text == "*" for t in select):
            raise UnsupportedShapeError(f"{self.name(shape)}: the SPARQL constraint does not select $this")
        group = not_exists_as_minus(lateral_joins(group, {"this"}), {"this"})
        focus_element = Elem("triples", [Tok("raw", focus)])
        query = f"SELECT {render_items(select)} WHERE {Group([focus_element, *group.elements]).render()}"
        header = "\n".join(dict.fromkeys([*focus_header.splitlines(), *header.splitlines()]))
        self.checks.append(
            Check(
                shape=shape,
                component=SH + "SPARQLConstraintComponent",
                severity=self.severity(shape),
                messages=self.messages(shape),
                path=None,
                sparql=(header + "\n" if header else "") + query,
                kind="sparql",
                source_constraint=constraint,
                extra_messages=self.messages(constraint),
            )
        )


def _shape_nodes(store: ox.Store) -> list[Term]:
    """The shapes that select their own focus nodes (every other shape is reached through one of them)."""
    found: dict[str, Term] = {}
    for local in ("targetClass", "targetNode", "targetSubjectsOf", "targetObjectsOf", "target"):
        for quad in store.quads_for_pattern(None, sh(local), None, ox.DefaultGraph()):
            found[str(quad.subject)] = quad.subject  # type: ignore[assignment]
    return [found[k] for k in sorted(found)]


_CACHE: dict[tuple, CompiledShapes] = {}


def compile_shapes(paths: Iterable[str | Path] | None = None) -> CompiledShapes:
    """Compile the shape files (the shipped ones by default) into checks; cached per set of files and their
    modification times, so the shapes are read and compiled once per process."""
    from kg.core.backends.memory import load_file

    files = [Path(p) for p in paths] if paths is not None else resources.shape_files()
    key = tuple((str(p.resolve()), p.stat().st_mtime_ns, p.stat().st_size) for p in files if p.exists())
    if len(key) == len(files) and key in _CACHE:
        return _CACHE[key]
    store = ox.Store()
    for path in files:
        load_file(store, path)
    compiler = Compiler(store)
    shapes = _shape_nodes(store)
    for shape in shapes:
        compiler.compile_shape(shape)
    compiled = CompiledShapes(files=tuple(p.name for p in files), checks=tuple(compiler.checks), shapes=len(shapes))
    _CACHE[key] = compiled
    return compiled
