"""Reading the shapes graph for the compiler: the values of a shape's parameters, RDF lists, severities,
messages, and the constraint parameters a shape has (refusing any the engine does not compile)."""

from __future__ import annotations

import pyoxigraph as ox

from kg.core.namespaces import RDF, SH, shorten
from kg.validation.fast.vocabulary import NODE_PARAMETERS, NON_CONSTRAINT, VIOLATION, Term, UnsupportedShapeError


class ShapesReader:
    """The shapes graph in ``store``, read as the compiler needs it; ``current`` is the top-level shape being
    compiled (an error about a blank-node shape names it)."""

    def __init__(self, store: ox.Store) -> None:
        self.store = store
        self.counter = 0
        self.probe = ox.Store()
        self.current: Term | None = None

    # ---- reading the shapes graph

    def objects(self, subject: Term, predicate: str) -> list[Term]:
        return [
            q.object  # type: ignore[misc]
            for q in self.store.quads_for_pattern(self.node(subject), ox.NamedNode(predicate), None, ox.DefaultGraph())
        ]

    def node(self, term: Term) -> ox.NamedNode | ox.BlankNode:
        """``term`` read as a subject of the shapes graph; a literal where a shape or a list is expected (``sh:property
        "text"``) is refused by name, not passed to the store, which cannot take it as a subject."""
        if isinstance(term, ox.Literal):
            where = self.name(self.current) if self.current is not None else "the shapes graph"
            raise UnsupportedShapeError(f"{where}: the literal {term} where a shape or a node is expected")
        return term

    def one(self, subject: Term, predicate: str, shape: Term) -> Term | None:
        found = self.objects(subject, predicate)
        if len(found) > 1:
            raise UnsupportedShapeError(f"{self.name(shape)}: several values of {shorten(predicate)}")
        return found[0] if found else None

    def items(self, node: Term, shape: Term) -> list[Term]:
        out: list[Term] = []
        seen: set[Term] = set()
        while node != ox.NamedNode(RDF + "nil"):
            if node in seen or not isinstance(node, ox.BlankNode | ox.NamedNode):
                raise UnsupportedShapeError(f"{self.name(shape)}: a malformed RDF list")
            seen.add(node)
            first = self.objects(node, RDF + "first")
            rest = self.objects(node, RDF + "rest")
            if len(first) != 1 or len(rest) != 1:
                raise UnsupportedShapeError(f"{self.name(shape)}: a malformed RDF list")
            out.append(first[0])
            node = rest[0]
        return out

    def name(self, shape: Term) -> str:
        """How an error names a shape: its IRI, or for a blank node the top-level shape it is part of."""
        if isinstance(shape, ox.NamedNode):
            return shorten(shape.value)
        where = f" in {shorten(self.current.value)}" if isinstance(self.current, ox.NamedNode) else ""
        return f"a blank-node shape{where}"

    def fresh(self) -> str:
        self.counter += 1
        return f"_sf{self.counter}"

    def severity(self, shape: Term) -> str:
        value = self.one(shape, SH + "severity", shape)
        if value is None:
            return VIOLATION
        if not isinstance(value, ox.NamedNode):
            raise UnsupportedShapeError(f"{self.name(shape)}: sh:severity must be an IRI")
        return value.value

    def deactivated(self, shape: Term) -> bool:
        value = self.one(shape, SH + "deactivated", shape)
        return isinstance(value, ox.Literal) and value.value in ("true", "1")

    def messages(self, shape: Term) -> tuple[str, ...]:
        return tuple(m.value for m in self.objects(shape, SH + "message") if isinstance(m, ox.Literal))

    def parameters(self, shape: Term) -> list[tuple[str, Term]]:
        """The constraint parameters of a shape, refusing any SHACL feature not compiled here."""
        found: list[tuple[str, Term]] = []
        for quad in self.store.quads_for_pattern(self.node(shape), None, None, ox.DefaultGraph()):
            predicate = quad.predicate.value
            if predicate in NON_CONSTRAINT or not predicate.startswith(SH):
                continue
            local = predicate[len(SH) :]
            if local not in NODE_PARAMETERS:
                raise UnsupportedShapeError(f"{self.name(shape)}: the fast engine does not compile sh:{local}")
            found.append((local, quad.object))  # type: ignore[arg-type]
        locals_ = [local for local, _ in found]
        for local in set(locals_):
            if locals_.count(local) > 1 and local not in ("property", "sparql"):
                raise UnsupportedShapeError(f"{self.name(shape)}: several values of sh:{local}")
        if self.objects(shape, SH + "qualifiedValueShapesDisjoint"):
            value = self.objects(shape, SH + "qualifiedValueShapesDisjoint")[0]
            if isinstance(value, ox.Literal) and value.value in ("true", "1"):
                raise UnsupportedShapeError(f"{self.name(shape)}: sh:qualifiedValueShapesDisjoint true")
        order = {name: i for i, name in enumerate(NODE_PARAMETERS)}
        return sorted(found, key=lambda pair: order[pair[0]])

    def integer(self, value: Term | None, shape: Term, local: str) -> int:
        if isinstance(value, ox.Literal):
            try:
                return int(value.value)
            except ValueError:
                pass
        raise UnsupportedShapeError(f"{self.name(shape)}: sh:{local} must be an integer")

    def term(self, term: Term, shape: Term) -> str:
        """A value of the shapes graph written into a query (a blank node cannot be)."""
        if isinstance(term, ox.BlankNode):
            raise UnsupportedShapeError(
                f"{self.name(shape)}: a blank node where the fast engine needs an IRI or literal"
            )
        return str(term)
