"""The SHACL vocabulary as the fast engine reads it: which constraint parameters it compiles (and the component of
each), which ones only a property shape takes, which are tested one value at a time, and how rdflib (under pySHACL)
reads literals; a shape that uses anything else is refused with :class:`UnsupportedShapeError`."""

from __future__ import annotations

import pyoxigraph as ox

from kg.core.errors import InputError
from kg.core.namespaces import RDF, RDFS, SH, XSD

Term = ox.NamedNode | ox.BlankNode | ox.Literal


class UnsupportedShapeError(InputError):
    """A shape uses a SHACL feature this engine does not compile; the message names the shape and the feature."""


RDF_TYPE = f"<{RDF}type>"
SUBCLASS = f"<{RDFS}subClassOf>"
INSTANCE_OF = f"{RDF_TYPE}/{SUBCLASS}*"  # SHACL instance: rdf:type/rdfs:subClassOf*


def sh(name: str) -> ox.NamedNode:
    return ox.NamedNode(SH + name)


VIOLATION = SH + "Violation"

# Predicates of a shape that carry no constraint of their own (or are read together with another one).
NON_CONSTRAINT = {
    RDF + "type",
    SH + "name",
    SH + "description",
    SH + "message",
    SH + "severity",
    SH + "deactivated",
    SH + "order",
    SH + "group",
    SH + "defaultValue",
    SH + "path",
    SH + "targetClass",
    SH + "targetNode",
    SH + "targetSubjectsOf",
    SH + "targetObjectsOf",
    SH + "target",
    SH + "flags",
    SH + "qualifiedMinCount",
    SH + "qualifiedMaxCount",
    SH + "qualifiedValueShapesDisjoint",
    SH + "declare",
    SH + "prefixes",
}

# The constraint parameters this engine compiles, and the component each belongs to.
NODE_PARAMETERS = {
    "class": "ClassConstraintComponent",
    "datatype": "DatatypeConstraintComponent",
    "nodeKind": "NodeKindConstraintComponent",
    "in": "InConstraintComponent",
    "hasValue": "HasValueConstraintComponent",
    "pattern": "PatternConstraintComponent",
    "minInclusive": "MinInclusiveConstraintComponent",
    "maxInclusive": "MaxInclusiveConstraintComponent",
    "minExclusive": "MinExclusiveConstraintComponent",
    "maxExclusive": "MaxExclusiveConstraintComponent",
    "minLength": "MinLengthConstraintComponent",
    "maxLength": "MaxLengthConstraintComponent",
    "languageIn": "LanguageInConstraintComponent",
    "uniqueLang": "UniqueLangConstraintComponent",
    "minCount": "MinCountConstraintComponent",
    "maxCount": "MaxCountConstraintComponent",
    "lessThanOrEquals": "LessThanOrEqualsConstraintComponent",
    "or": "OrConstraintComponent",
    "and": "AndConstraintComponent",
    "not": "NotConstraintComponent",
    "node": "NodeConstraintComponent",
    "property": "PropertyConstraintComponent",
    "qualifiedValueShape": "QualifiedValueShapeConstraintComponent",
    "sparql": "SPARQLConstraintComponent",
}
# Parameters that only make sense on a property shape (pySHACL ignores or rejects them on node shapes).
PATH_ONLY = {"minCount", "maxCount", "uniqueLang", "lessThanOrEquals", "qualifiedValueShape"}
# Parameters tested on one value node at a time by a SPARQL expression.
VALUE_TESTS = {
    "datatype",
    "nodeKind",
    "in",
    "hasValue",
    "pattern",
    "minInclusive",
    "maxInclusive",
    "minExclusive",
    "maxExclusive",
    "minLength",
    "maxLength",
    "languageIn",
}

# sh:datatype: pySHACL (through rdflib) also rejects an ill-formed literal of these datatypes. The patterns
# accept what rdflib's converters (int, float, Decimal, its boolean parser) accept.
_DIGITS = r"\\d+(_\\d+)*"
WELL_FORMED = {
    XSD + "integer": (rf"^\\s*[+-]?{_DIGITS}\\s*$", ""),
    XSD + "double": (
        rf"^\\s*[+-]?(({_DIGITS}(\\.({_DIGITS})?)?|\\.{_DIGITS})([eE][+-]?{_DIGITS})?|inf|infinity|nan)\\s*$",
        "i",
    ),
    XSD + "decimal": (
        rf"^\\s*[+-]?(({_DIGITS}(\\.({_DIGITS})?)?|\\.{_DIGITS})([eE][+-]?{_DIGITS})?|inf|infinity|s?nan\\d*)\\s*$",
        "i",
    ),
    XSD + "boolean": (r"^(true|false|1|0)$", ""),
}
WELL_FORMED[XSD + "float"] = WELL_FORMED[XSD + "double"]
# Datatypes whose literals rdflib never calls ill-formed: the datatype IRI alone decides. Every other datatype
# rdflib converts (dates, durations, bounded integers...) is refused rather than checked approximately.
RDFLIB_CONVERTED = {
    XSD + name
    for name in (
        "time date dateTime duration dayTimeDuration yearMonthDuration hexBinary base64Binary nonPositiveInteger "
        "long nonNegativeInteger negativeInteger int unsignedLong positiveInteger short unsignedInt byte "
        "unsignedShort unsignedByte"
    ).split()
} | {RDF + "XMLLiteral", RDF + "HTML"}

NODE_KINDS = {
    "IRI": "isIRI({v})",
    "BlankNode": "isBlank({v})",
    "Literal": "isLiteral({v})",
    "BlankNodeOrIRI": "!isLiteral({v})",
    "BlankNodeOrLiteral": "!isIRI({v})",
    "IRIOrLiteral": "!isBlank({v})",
}
