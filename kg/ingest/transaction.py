"""One named graph of an on-disk store replaced in a new generation that becomes current in one rename.

The current generation is copied (a RocksDB checkpoint: hard links), the graph is cleared and refilled in the copy,
and the store's metadata file is renamed over the old one: a reader sees the old graph or the new one, never a
mixture, and a failure (or a kill) leaves the store as it was. The caller validates the result before calling.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterable
from pathlib import Path

import pyoxigraph as ox

from kg.core.backends import disk
from kg.core.errors import InputError


def replace_graph(store: str | Path, graph: str, quads: Iterable[ox.Quad], *, note: str) -> int:
    """Replace the named graph ``graph`` of the on-disk store with ``quads`` (none: remove it); the triples after."""
    folder = Path(store)
    if not (folder / disk.METADATA).exists():
        raise InputError(f"{folder}: not an sslmb store; create one with: sslmb load --store {folder}")
    with disk.locked(folder):
        info = disk.read_info(folder)
        disk.remove_stale(folder, keep=info.data)
        generation = disk.next_generation(folder)
        target = folder / generation
        try:
            ox.Store.read_only(str(folder / info.data)).backup(str(target))
            db = ox.Store(str(target))
            name = ox.NamedNode(graph)
            if any(g == name for g in db.named_graphs()):
                db.remove_graph(name)
            db.extend(quads)
            db.flush()
            triples, statements = disk.counts(db)
            db.optimize()
            del db
            sources = [*info.sources, disk.Source(note, 0, "", disk.now())]
            disk.write_info(
                folder,
                data=generation,
                triples=triples,
                statements=statements,
                sources=sources,
                validated=info.validated,
                created=info.created,
            )
        except BaseException:
            import gc

            gc.collect()
            shutil.rmtree(target, ignore_errors=True)
            raise
        if not disk.leased(folder, info.data):
            disk.remove_generation(folder / info.data)
    return triples
