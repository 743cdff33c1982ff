"""The on-disk backend: an Oxigraph (RocksDB) store in a folder, kept in generations, opened read-only.

An on-disk store is a directory::

    DIR/sslmb-store.json   what the store is: format, version, the generation in use, sources, triple and
                           statement counts
    DIR/data-0003/         the Oxigraph (RocksDB) database of that generation

This module holds the storage mechanics: reading and writing the metadata (the switch to a new generation is one
atomic rename of ``sslmb-store.json``), numbering, leasing, locking and removing generations, and opening a
generation read-only. The load pipeline that fills a new generation (parse, validate, commit) is
:mod:`kg.ingest.bulk`.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox

from kg.core.errors import InputError
from kg.core.graph import Graph

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing at start-up
if TYPE_CHECKING:
    from typing import Any

STORE_FORMAT = "sslmb-kg store"
# Version 2 (issue 13): the sources' named graphs are kept, and the metadata records both counts: ``triples``, each
# distinct triple of the union once (``len(graph)``), and ``statements``, the quads (a triple stated by several
# sources counts once per source). Version 1 recorded only ``triples``, counted as quads; it is read with
# ``statements`` equal to it (true of the stores it wrote, which held one graph).
STORE_VERSION = 2
METADATA = "sslmb-store.json"
LOCK = ".sslmb-store.lock"
GENERATION = "data-"


@dataclass(frozen=True)
class Source:
    """A file loaded into a store: its path when loaded, size and SHA-256 (a file is loaded once)."""

    path: str
    bytes: int
    sha256: str
    loaded: str


@dataclass(frozen=True)
class StoreInfo:
    """The metadata of an on-disk store (``DIR/sslmb-store.json``)."""

    path: str
    format: str
    version: int
    data: str
    triples: int
    statements: int
    sources: tuple[Source, ...]
    validated: bool
    created: str
    updated: str
    oxigraph: str


# ------------------------------------------------------------------------------ reading a store


def read_info(path: str | Path) -> StoreInfo:
    """The metadata of the store in ``path``; a clear :class:`~kg.core.errors.InputError` if it is not one."""
    import json

    folder = Path(path)
    hint = f"create one with: sslmb load --store {folder}"
    if not folder.exists():
        raise InputError(f"{folder}: no such store; {hint}")
    if not folder.is_dir():
        raise InputError(f"{folder}: not a directory, so not an sslmb store")
    meta = folder / METADATA
    if not meta.is_file():
        if only_leftovers(folder):
            raise InputError(f"{folder}: no store yet (a first load did not finish); {hint}")
        raise InputError(f"{folder}: not an sslmb store (it has no {METADATA}); {hint}")
    try:
        raw = json.loads(meta.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise InputError(f"{meta}: unreadable store metadata: {exc}") from None
    if not isinstance(raw, dict) or raw.get("format") != STORE_FORMAT:
        raise InputError(f"{meta}: not the metadata of an sslmb store (format is not {STORE_FORMAT!r})")
    version = raw.get("version")
    if not isinstance(version, int) or version > STORE_VERSION:
        raise InputError(
            f"{folder}: store format version {version!r}; this sslmb-kg reads up to version {STORE_VERSION} "
            "(upgrade sslmb-kg, or load the files into a new store with this one)"
        )
    try:
        return StoreInfo(
            path=str(folder),
            format=raw["format"],
            version=version,
            data=str(raw["data"]),
            triples=int(raw["triples"]),
            statements=int(raw["statements"] if "statements" in raw else raw["triples"]),
            sources=tuple(Source(**s) for s in raw.get("sources", [])),
            validated=bool(raw.get("validated", False)),
            created=str(raw.get("created", "")),
            updated=str(raw.get("updated", "")),
            oxigraph=str(raw.get("oxigraph", "")),
        )
    except (KeyError, TypeError, ValueError) as exc:
        raise InputError(f"{meta}: incomplete store metadata ({exc})") from None


def open_store(path: str | Path, *, generation: str | None = None) -> Graph:
    """The graph held in the on-disk store ``path``, opened read-only without re-parsing anything.

    ``generation`` (a ``data-NNNN`` folder of the store, leased with :func:`lease_current`) opens that one
    rather than the current one: ``sslmb serve`` keeps all its workers on the generation it leased.
    (:func:`kg.open_store` gives the graph the friendly methods.)
    """
    info = read_info(path)
    data = Path(path) / (generation or info.data)
    if not data.is_dir():
        raise InputError(f"{path}: the store's data folder {generation or info.data} is missing")
    try:
        store = ox.Store.read_only(str(data))
    except OSError as exc:
        raise InputError(f"{path}: cannot open the store: {exc}") from None
    from kg.core.backends.union import UnionStore

    # read-only, so the distinct triples the metadata records for its current generation stay true (version 1
    # recorded quads: its graph is counted)
    known = info.triples if data.name == info.data and info.version >= 2 else None
    graph = Graph(UnionStore(store, triples=known), [Path(s.path) for s in info.sources])
    # where indexes derived from this generation may be kept, beside it (kg.model.search saves its names there)
    graph.derived = Path(path) / f".{data.name}"
    return graph


def describe_store(path: str | Path) -> dict[str, Any]:
    """The store's metadata as a plain dict (what ``sslmb load`` prints with ``--format json``)."""
    info = read_info(path)
    return {**info.__dict__, "sources": [s.__dict__ for s in info.sources]}


# ------------------------------------------------------------------------------ writing a store


def now() -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%S%z")


def counts(db: ox.Store) -> tuple[int, int]:
    """What a store's metadata records of a generation: its distinct triples (``len`` of the graph, a triple two
    sources state once) and its statements (quads)."""
    from kg.core.backends.union import UnionStore

    return len(UnionStore(db)), len(db)


def write_info(
    folder: Path,
    *,
    data: str,
    triples: int,
    statements: int,
    sources: list[Source],
    validated: bool,
    created: str | None,
) -> None:
    """Point the store at the generation ``data``: one atomic rename of the metadata file."""
    import json

    from kg.core.files import atomic_write

    stamp = now()
    meta = {
        "format": STORE_FORMAT,
        "version": STORE_VERSION,
        "data": data,
        "triples": triples,  # distinct triples of the union: len(graph)
        "statements": statements,  # quads: a triple counts once per named graph holding it
        "sources": [s.__dict__ for s in sources],
        "validated": validated,  # the whole new generation was checked, old triples and new
        "created": created if created is not None else stamp,
        "updated": stamp,
        "oxigraph": ox.__version__,
    }
    atomic_write(folder / METADATA, (json.dumps(meta, indent=2) + "\n").encode("utf-8"))


def generations(folder: Path) -> list[Path]:
    return [p for p in folder.iterdir() if p.is_dir() and p.name.startswith(GENERATION) and p.name[5:].isdigit()]


def next_generation(folder: Path) -> str:
    """The name of a generation not used yet: one more than the highest there."""
    number = 1 + max([int(p.name[len(GENERATION) :]) for p in generations(folder)] or [0])
    return f"{GENERATION}{number:04d}"


def _is_leftover(path: Path) -> bool:
    """What a load leaves behind when it fails or is killed: the lock, a generation, an unrenamed metadata file."""
    name = path.name
    if name == LOCK or name.startswith(f".{GENERATION}"):  # a lease, or an index derived from a generation
        return True
    if name.startswith(GENERATION) and name[len(GENERATION) :].isdigit():
        return path.is_dir()
    return name.startswith(f".{METADATA}.") and name.endswith(".tmp")


def only_leftovers(folder: Path) -> bool:
    """Whether ``folder`` holds nothing but what failed loads leave (an empty folder included): a new store."""
    try:
        return all(_is_leftover(p) for p in folder.iterdir())
    except OSError as exc:
        raise InputError(f"{folder}: cannot read the folder: {exc.strerror or exc}") from None


def remove_stale(folder: Path, keep: str | None) -> None:
    """Remove generations a crashed load left behind, and old ones no server reads any more (never the one in
    use, never one that ``sslmb serve`` holds a lease on), and a crashed load's unrenamed metadata file."""
    for path in generations(folder):
        if path.name != keep and not leased(folder, path.name):
            remove_generation(path)
    for path in folder.glob(f".{METADATA}.*.tmp"):
        path.unlink(missing_ok=True)


def remove_generation(path: Path) -> None:
    import shutil

    shutil.rmtree(path, ignore_errors=True)
    for derived in path.parent.glob(f".{path.name}.*"):  # its lease, and the indexes derived from it
        derived.unlink(missing_ok=True)


class locked:
    """An exclusive lock on the store folder while a load writes to it (POSIX ``flock``)."""

    def __init__(self, folder: Path) -> None:
        self.path = folder / LOCK

    def __enter__(self) -> None:
        try:
            self.handle = self.path.open("a")
        except OSError as exc:
            raise InputError(f"{self.path.parent}: cannot lock the store: {exc.strerror or exc}") from None
        try:
            import fcntl
        except ImportError:  # pragma: no cover - not POSIX: no lock
            return
        try:
            fcntl.flock(self.handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            self.handle.close()
            raise InputError(f"{self.path.parent}: another load is writing to this store") from None

    def __exit__(self, *exc: object) -> None:
        self.handle.close()


# ------------------------------------------------------------------------------ leases: a generation being served


class Lease:
    """A shared ``flock`` on ``DIR/.data-NNNN.lease``: while one is held, loads do not delete that generation.
    The kernel drops it when the holder exits, however it exits, so no lease outlives its server."""

    def __init__(self, folder: Path, generation: str, handle: Any) -> None:
        self.folder, self.generation, self._handle = folder, generation, handle

    def release(self) -> None:
        if self._handle is not None:
            self._handle.close()
            self._handle = None


def lease_current(path: str | Path) -> Lease:
    """Lease the store's current generation (read again after the lease is taken, so a load that switched
    meanwhile is followed rather than missed)."""
    import fcntl

    folder = Path(path)
    for _ in range(100):
        generation = read_info(folder).data
        handle = (folder / f".{generation}.lease").open("a")
        fcntl.flock(handle.fileno(), fcntl.LOCK_SH)
        if read_info(folder).data == generation and (folder / generation).is_dir():
            return Lease(folder, generation, handle)
        handle.close()  # a load made another generation current meanwhile: lease that one
    raise InputError(f"{folder}: the store keeps changing; try again")


def leased(folder: Path, generation: str) -> bool:
    import fcntl

    lease = folder / f".{generation}.lease"
    if not lease.exists():
        return False
    with lease.open("a") as handle:
        try:
            fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            return True
    return False


def metadata_stamp(path: str | Path) -> tuple[int, int] | None:
    """What changes when a load rewrites the store's metadata (its inode and time: the file is replaced)."""
    try:
        st = (Path(path) / METADATA).stat()
    except OSError:
        return None
    return st.st_ino, st.st_mtime_ns
