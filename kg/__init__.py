"""sslmb-kg: a validated, queryable knowledge graph of the safety of solid-state lithium metal batteries.

>>> import kg
>>> g = kg.load()
>>> g.resolve("LGPS").kind
'electrolyte'
"""

from __future__ import annotations

from importlib import import_module

from kg.core import __version__

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing (6 ms of start-up)

# Public names are imported on first use, so that `import kg` (and `sslmb --help`) stays cheap.
_LAZY = {
    "AmbiguousError": "kg.core.errors",
    "InputError": "kg.core.errors",
    "KGError": "kg.core.errors",
    "NotFoundError": "kg.core.errors",
    "Format": "kg.core.formats",
    "to_json": "kg.core.jsonout",
    "to_jsonable": "kg.core.jsonout",
    "Entity": "kg.core.terms",
    "KnowledgeGraph": "kg.facade",
    "load": "kg.facade",
    # backends: an on-disk store, a SPARQL endpoint
    "bulk_load": "kg.ingest.bulk",
    "open_store": "kg.facade",
    "connect": "kg.facade",
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
    from kg.core.errors import AmbiguousError, InputError, KGError, NotFoundError
    from kg.core.formats import Format
    from kg.core.jsonout import to_json, to_jsonable
    from kg.core.terms import Entity
    from kg.facade import KnowledgeGraph, connect, load, open_store
    from kg.ingest.bulk import bulk_load
    from kg.model.stored import StoredQuery


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
    from kg.model.stored import stored_queries

    return list(stored_queries())
