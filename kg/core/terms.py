"""RDF terms as users and the rest of the package see them: plain Python values, and entities (IRI, label, kind)."""

from __future__ import annotations

import pyoxigraph as ox

from kg.core.namespaces import XSD
from kg.core.record import record

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing at start-up
if TYPE_CHECKING:
    from typing import Any

Term = ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple


def to_python(term: Term | None) -> Any:
    """Turn an RDF term into a plain Python value: IRIs and blank nodes become strings, typed literals
    become ``int``, ``float``, ``bool`` or ``datetime.date`` where the datatype says so.

    >>> to_python(ox.Literal("8.7e-4", datatype=ox.NamedNode(XSD + "double")))
    0.00087
    >>> to_python(ox.NamedNode("https://w3id.org/sslmb/LLZO"))
    'https://w3id.org/sslmb/LLZO'
    """
    if term is None:
        return None
    if isinstance(term, ox.NamedNode):
        return term.value
    if isinstance(term, ox.BlankNode):
        return f"_:{term.value}"
    if not isinstance(term, ox.Literal):  # an RDF 1.2 triple term
        return str(term)
    datatype = term.datatype.value
    text = term.value
    try:
        if datatype in _INTEGER_TYPES:
            return int(text)
        if datatype in (XSD + "double", XSD + "float", XSD + "decimal"):
            return float(text)
        if datatype == XSD + "boolean":
            return text.strip() in ("true", "1")
        if datatype == XSD + "date":
            import datetime

            return datetime.date.fromisoformat(text)
        if datatype == XSD + "gYear":
            return int(text)
    except ValueError:
        return text
    return text


_INTEGER_TYPES = {XSD + t for t in ("integer", "int", "long", "short", "nonNegativeInteger", "positiveInteger")}


@record
class Entity:
    """A resource of the graph as users see it: IRI, label and kind."""

    iri: str
    label: str
    kind: str
