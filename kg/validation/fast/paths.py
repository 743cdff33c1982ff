"""SHACL property paths (``sh:path``: an IRI, a sequence, ``sh:inversePath``, ``sh:alternativePath``,
``sh:zeroOrMorePath``...) written as SPARQL property paths."""

from __future__ import annotations

import re

import pyoxigraph as ox

from kg.core.namespaces import RDF, SH
from kg.validation.fast.reading import ShapesReader
from kg.validation.fast.vocabulary import Term, UnsupportedShapeError


class PathTranslator(ShapesReader):
    """Adds the translation of ``sh:path`` values to the shapes reader."""

    def path(self, node: Term, shape: Term) -> str:
        """A SHACL property path as a SPARQL property path."""
        if isinstance(node, ox.NamedNode):
            return str(node)
        if not isinstance(node, ox.BlankNode):
            raise UnsupportedShapeError(f"{self.name(shape)}: sh:path is a literal")
        if self.objects(node, RDF + "first"):
            steps = [self.path(step, shape) for step in self.items(node, shape)]
            return "(" + "/".join(steps) + ")" if len(steps) > 1 else steps[0]
        for local, template in (
            ("inversePath", "^({})"),
            ("zeroOrMorePath", "({})*"),
            ("oneOrMorePath", "({})+"),
            ("zeroOrOnePath", "({})?"),
        ):
            inner = self.objects(node, SH + local)
            if inner:
                return template.format(self.path(inner[0], shape))
        alternatives = self.objects(node, SH + "alternativePath")
        if alternatives:
            return "(" + "|".join(self.path(step, shape) for step in self.items(alternatives[0], shape)) + ")"
        raise UnsupportedShapeError(f"{self.name(shape)}: a property path the fast engine does not compile")

    @staticmethod
    def bounded(path: str) -> bool:
        """Can ``?s path ?o`` be evaluated with both ends open at the cost of reading the predicates? True for
        an IRI, its inverse and alternatives of those; sequences and repetitions may multiply."""
        return (
            re.fullmatch(r"\^?\(?(<[^<>\s]*>(\|<[^<>\s]*>)*)\)?|\^\(\(?<[^<>\s]*>(\|<[^<>\s]*>)*\)?\)", path)
            is not None
        )
