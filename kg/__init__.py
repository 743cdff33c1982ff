"""sslmb-kg: a validated, queryable knowledge graph of the safety of solid-state lithium metal batteries.

>>> import kg
>>> g = kg.load()
>>> g.resolve("LGPS").kind
'electrolyte'
"""

from __future__ import annotations

from importlib import import_module

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing (6 ms of start-up)

__version__ = "0.1.0"

# Public names are imported on first use, so that `import kg` (and `sslmb --help`) stays cheap.
_LAZY = {
    "AmbiguousError": "kg.errors",
    "InputError": "kg.errors",
    "KGError": "kg.errors",
    "NotFoundError": "kg.errors",
    "Format": "kg.formats",
    "to_json": "kg.jsonout",
    "to_jsonable": "kg.jsonout",
    "Entity": "kg.store",
    "KnowledgeGraph": "kg.store",
    "load": "kg.store",
    # backends: an on-disk store, a SPARQL endpoint
    "bulk_load": "kg.backends",
    "open_store": "kg.backends",
    "connect": "kg.remote",
}

__all__ = [
    "AmbiguousError",
    "Entity",
    "Format",
    "InputError",
    "KGError",
    "KnowledgeGraph",
    "NotFoundError",
    "bulk_load",
    "connect",
    "load",
    "open_store",
    "queries",
    "to_json",
    "to_jsonable",
    "__version__",
]

if TYPE_CHECKING:
    from kg.backends import bulk_load, open_store
    from kg.errors import AmbiguousError, InputError, KGError, NotFoundError
    from kg.formats import Format
    from kg.jsonout import to_json, to_jsonable
    from kg.remote import connect
    from kg.sparql import StoredQuery
    from kg.store import Entity, KnowledgeGraph, load


def __getattr__(name: str) -> object:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'kg' has no attribute {name!r}")
    value = getattr(import_module(module), name)
    globals()[name] = value
    return value


def queries() -> list[StoredQuery]:
    """The stored queries shipped with the package (competency questions, checks, reports).

    >>> len([q for q in queries() if q.kind == "cq"]) >= 25
    True
    """
    from kg.sparql import stored_queries

    return list(stored_queries())
