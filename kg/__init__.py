"""sslmb-kg: a validated, queryable knowledge graph of the safety of solid-state lithium metal batteries.

>>> import kg
>>> g = kg.load()
>>> g.resolve("LGPS").kind
'electrolyte'
"""

from __future__ import annotations

from kg.errors import AmbiguousError, InputError, KGError, NotFoundError
from kg.formats import Format
from kg.jsonout import to_json, to_jsonable
from kg.store import Entity, KnowledgeGraph, load

__version__ = "0.1.0"

__all__ = [
    "AmbiguousError",
    "Entity",
    "Format",
    "InputError",
    "KGError",
    "KnowledgeGraph",
    "NotFoundError",
    "load",
    "to_json",
    "to_jsonable",
    "__version__",
]
