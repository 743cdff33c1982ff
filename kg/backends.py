"""Where the graph lives: in memory (the default), in an on-disk Oxigraph store, or behind a SPARQL endpoint.

Every module reads the graph through ``graph.store``, using four methods of ``pyoxigraph.Store``: ``query``,
``quads_for_pattern``, ``dump`` and ``len()``. That is the one seam between the package and its storage. In
memory and on disk, ``graph.store`` is a ``pyoxigraph.Store``; for an endpoint it is a
:class:`kg.remote.RemoteStore`, which answers the same four calls over HTTP.

An on-disk store is a directory::

    DIR/sslmb-store.json   what the store is: format, version, the generation in use, sources, triple count
    DIR/data-0003/         the Oxigraph (RocksDB) database of that generation

:func:`bulk_load` never writes into the generation in use. It copies it (a RocksDB checkpoint: hard links),
loads the new files into the copy, validates the result, and only then points ``sslmb-store.json`` at the new
generation, with one atomic rename. A file that fails to parse or to validate leaves the store as it was.
"""

from __future__ import annotations

import hashlib
import sys
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox

from kg.errors import InputError, KGError

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing at start-up
if TYPE_CHECKING:
    from typing import Any

    from kg.store import KnowledgeGraph
    from kg.validate import ValidationReport

STORE_FORMAT = "sslmb-kg store"
STORE_VERSION = 1
METADATA = "sslmb-store.json"
_LOCK = ".sslmb-store.lock"
_GENERATION = "data-"

# What a file name ends with -> the RDF format bulk_load reads; ".gz" may follow any of them.
_FORMATS = {
    ".ttl": ox.RdfFormat.TURTLE,
    ".nt": ox.RdfFormat.N_TRIPLES,
    ".nq": ox.RdfFormat.N_QUADS,
    ".trig": ox.RdfFormat.TRIG,
    ".jsonld": ox.RdfFormat.JSON_LD,
    ".rdf": ox.RdfFormat.RDF_XML,
    ".owl": ox.RdfFormat.RDF_XML,
    ".xml": ox.RdfFormat.RDF_XML,
}


class ValidationFailed(KGError):
    """Loading stopped because the result does not conform to the SHACL shapes; the store is unchanged."""

    exit_code = 1

    def __init__(self, store: Path, report: ValidationReport) -> None:
        self.report = report
        super().__init__(
            f"{store}: not loaded, the result would not conform to the shapes ({report.violations} violation(s)); "
            "the store is unchanged"
        )


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
    sources: tuple[Source, ...]
    validated: bool
    created: str
    updated: str
    oxigraph: str


@dataclass(frozen=True)
class LoadReport:
    """What :func:`bulk_load` did. ``skipped`` lists files already in the store (same SHA-256)."""

    store: str
    data: str
    loaded: tuple[str, ...]
    skipped: tuple[str, ...]
    bytes: int
    triples_before: int
    triples: int
    validated: bool
    seconds: float


# ------------------------------------------------------------------------------ reading a store


def read_info(path: str | Path) -> StoreInfo:
    """The metadata of the store in ``path``; a clear :class:`~kg.errors.InputError` if it is not one."""
    import json

    folder = Path(path)
    hint = f"create one with: sslmb load --store {folder}"
    if not folder.exists():
        raise InputError(f"{folder}: no such store; {hint}")
    if not folder.is_dir():
        raise InputError(f"{folder}: not a directory, so not an sslmb store")
    meta = folder / METADATA
    if not meta.is_file():
        if _only_leftovers(folder):
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
        raise InputError(f"{folder}: store format version {version!r}; this sslmb-kg reads up to {STORE_VERSION}")
    try:
        return StoreInfo(
            path=str(folder),
            format=raw["format"],
            version=version,
            data=str(raw["data"]),
            triples=int(raw["triples"]),
            sources=tuple(Source(**s) for s in raw.get("sources", [])),
            validated=bool(raw.get("validated", False)),
            created=str(raw.get("created", "")),
            updated=str(raw.get("updated", "")),
            oxigraph=str(raw.get("oxigraph", "")),
        )
    except (KeyError, TypeError, ValueError) as exc:
        raise InputError(f"{meta}: incomplete store metadata ({exc})") from None


def open_store(path: str | Path, *, generation: str | None = None) -> KnowledgeGraph:
    """The knowledge graph held in the on-disk store ``path``, opened read-only without re-parsing anything.

    ``generation`` (a ``data-NNNN`` folder of the store, leased with :func:`lease_current`) opens that one
    rather than the current one: ``sslmb serve`` keeps all its workers on the generation it leased.

    >>> import kg, tempfile
    >>> tmp = tempfile.TemporaryDirectory()
    >>> _ = bulk_load([], tmp.name + "/store", validate=False, progress=False)   # no files: the shipped graph
    >>> g = open_store(tmp.name + "/store")
    >>> len(g) == len(kg.load()), g.resolve("llzo").label
    (True, 'LLZO')
    >>> tmp.cleanup()
    """
    from kg.store import KnowledgeGraph

    info = read_info(path)
    data = Path(path) / (generation or info.data)
    if not data.is_dir():
        raise InputError(f"{path}: the store's data folder {generation or info.data} is missing")
    try:
        store = ox.Store.read_only(str(data))
    except OSError as exc:
        raise InputError(f"{path}: cannot open the store: {exc}") from None
    return KnowledgeGraph(store, [Path(s.path) for s in info.sources])


def open_graph(
    *, store: str | Path | None = None, endpoint: str | None = None, graph: str | None = None
) -> KnowledgeGraph:
    """The graph a command reads: the shipped graph in memory (neither given), an on-disk ``store``, or a SPARQL
    ``endpoint`` (``graph`` names the graph to read there)."""
    if store is not None and endpoint is not None:
        raise InputError("give --store or --endpoint, not both")
    if graph is not None and endpoint is None:
        raise InputError("--graph names a graph of a SPARQL endpoint; give --endpoint too")
    if store is not None:
        return open_store(store)
    if endpoint is not None:
        from kg.remote import connect

        return connect(endpoint, graph=graph)
    from kg.store import load

    return load()


# ------------------------------------------------------------------------------ writing a store


def _now() -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%S%z")


def _format_of(path: Path) -> tuple[ox.RdfFormat, bool]:
    name = path.name.lower()
    compressed = name.endswith(".gz")
    suffix = Path(name[:-3] if compressed else name).suffix
    fmt = _FORMATS.get(suffix)
    if fmt is None:
        known = ", ".join(_FORMATS)
        raise InputError(f"{path}: unknown RDF file extension {suffix!r} (use {known}, optionally with .gz)")
    return fmt, compressed


class _Reader:
    """A binary file as pyoxigraph reads it, reporting how far it got for the progress line."""

    def __init__(self, handle: Any, position: Callable[[], int], on_read: Callable[[int], None]) -> None:
        self.handle, self.position, self.on_read = handle, position, on_read

    def read(self, size: int = -1) -> bytes:
        chunk = self.handle.read(size)
        self.on_read(self.position())
        return chunk


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()


class Progress:
    """One line on stderr, rewritten in place: file i/n, bytes read of the total, throughput."""

    def __init__(self, total_bytes: int, files: int, enabled: bool, stream: Any = None) -> None:
        self.total, self.files, self.enabled = total_bytes, files, enabled
        self.stream = stream or sys.stderr
        self.done = 0
        self.started = time.perf_counter()
        self._shown = 0.0
        self._label = ""

    def file(self, index: int, name: str) -> None:
        self._label = f"loading {index}/{self.files} {name}"
        self.show(force=True)

    def advance(self, n: int) -> None:
        self.done += n
        self.show()

    def note(self, text: str) -> None:
        self._label = text
        self.show(force=True)

    def show(self, force: bool = False) -> None:
        if not self.enabled:
            return
        now = time.perf_counter()
        if not force and now - self._shown < 0.1:
            return
        self._shown = now
        rate = self.done / max(now - self.started, 1e-9) / 1e6
        pct = f"{100 * self.done / self.total:3.0f}%" if self.total else ""
        line = f"{self._label}  {self.done / 1e6:.1f}/{self.total / 1e6:.1f} MB {pct}  {rate:.1f} MB/s"
        self.stream.write("\r" + line[:118].ljust(118))
        self.stream.flush()

    def close(self) -> None:
        if self.enabled:
            self.stream.write("\r" + " " * 118 + "\r")
            self.stream.flush()


def _load_one(store: ox.Store, path: Path, progress: Progress) -> None:
    """Bulk-load one file (gzipped or not). A syntax error names the file, line and column."""
    import re
    import zlib

    from kg.files import token_too_long

    fmt, compressed = _format_of(path)
    start = progress.done
    try:
        with path.open("rb") as raw:
            handle: Any = raw
            if compressed:
                import gzip

                handle = gzip.open(raw, "rb")
            # progress in bytes of the file on disk (compressed or not): its size is the known total
            reader = _Reader(handle, raw.tell, lambda pos: progress.advance(start + pos - progress.done))
            store.bulk_load(reader, format=fmt, base_iri=path.resolve().as_uri())  # type: ignore[arg-type]
    except SyntaxError as exc:
        line, col = exc.lineno or 0, exc.offset or 0
        message = str(exc.msg) if exc.msg else str(exc)
        message = re.sub(r"^Parser error (at|between) line .*? column \d+: ", "", message)
        raise InputError(f"{path}:{line}:{col}: {message}") from None
    except FileNotFoundError:
        raise InputError(f"{path}: no such file") from None
    except MemoryError as exc:
        raise token_too_long(path, exc) from None
    except (OSError, ValueError, EOFError) as exc:
        raise InputError(f"{path}: {exc}") from None
    except zlib.error as exc:  # a gzip file whose body is not deflate data
        raise InputError(f"{path}: not valid gzip data ({exc})") from None


def bulk_load(
    paths: Iterable[str | Path],
    store: str | Path,
    *,
    validate: bool = True,
    replace: bool = False,
    progress: bool | None = None,
    engine: str | None = None,
) -> LoadReport:
    """Load RDF files into the on-disk store ``store`` (created when missing), all or nothing.

    With no ``paths``, the shipped graph (ontology and instance data) is loaded. The files go into a new
    generation of the store (a copy of the current one, or an empty one with ``replace=True``), which is
    validated against the project's SHACL shapes (``validate=False`` skips it; ``engine`` is handed to
    :meth:`KnowledgeGraph.validate` when it takes one) and only then becomes the store's current generation.
    A file already loaded (same SHA-256) is skipped: loading it again would duplicate its blank nodes.

    ``progress``: a progress line on stderr; by default only when stderr is a terminal.

    Raises :class:`~kg.errors.InputError` (file:line:column) for a file that cannot be read, and
    :class:`ValidationFailed` when the result does not conform; in both cases the store is unchanged.
    """
    import json
    import shutil

    from kg import resources
    from kg.files import atomic_write, input_file

    started = time.perf_counter()
    folder = Path(store)
    files = [Path(p) for p in paths] or resources.graph_files()
    for path in files:
        _format_of(path)
        input_file(path)  # a FIFO, a folder, a symbolic link loop...: refused before the store is touched
    if folder.exists() and (not folder.is_dir() or not _only_leftovers(folder)):
        read_info(folder)  # refuses a folder that is not a store: nothing in it is touched
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise InputError(f"{folder}: cannot create the store folder: {exc.strerror or exc}") from None
    with _locked(folder):
        # Read under the lock: another load may have finished meanwhile. A folder holding only what a failed
        # first load leaves (the lock, unfinished generations) is a new store.
        info = read_info(folder) if (folder / METADATA).exists() else None
        _remove_stale(folder, keep=info.data if info else None)
        kept = info if info is not None and not replace else None  # the generation the new one starts from
        known = {s.sha256 for s in kept.sources} if kept else set()
        number = 1 + max([int(p.name[len(_GENERATION) :]) for p in _generations(folder)] or [0])
        generation = f"{_GENERATION}{number:04d}"
        target = folder / generation
        loaded: list[Source] = []
        skipped: list[str] = []
        for path in files:  # a file already in the store is skipped: its blank nodes would be duplicated
            try:
                digest = _sha256(path)
            except OSError as exc:
                raise InputError(f"{path}: {exc.strerror or exc}") from None
            if digest in known:
                skipped.append(str(path))
            else:
                known.add(digest)
                loaded.append(Source(str(path.resolve()), path.stat().st_size, digest, _now()))
        if not loaded and kept is not None:  # nothing new: the store stays as it is
            seconds = round(time.perf_counter() - started, 3)
            return LoadReport(str(folder), kept.data, (), tuple(skipped), 0, kept.triples, kept.triples, False, seconds)
        base = folder / kept.data if kept else None
        sources = [*(kept.sources if kept else ()), *loaded]
        show = sys.stderr.isatty() if progress is None else progress
        meter = Progress(sum(s.bytes for s in loaded), len(loaded), show)
        try:
            before, triples = _build(target, base, loaded, sources, meter, validate, engine, folder)
            meter.close()
            now = _now()
            meta = {
                "format": STORE_FORMAT,
                "version": STORE_VERSION,
                "data": generation,
                "triples": triples,
                "sources": [s.__dict__ for s in sources],
                "validated": validate,  # the whole new generation was checked, old triples and new
                "created": info.created if info else now,
                "updated": now,
                "oxigraph": ox.__version__,
            }
            atomic_write(folder / METADATA, (json.dumps(meta, indent=2) + "\n").encode("utf-8"))
        except BaseException as exc:
            meter.close()
            import gc
            import traceback

            traceback.clear_frames(exc.__traceback__)  # the frames hold the new generation's open database
            gc.collect()
            shutil.rmtree(target, ignore_errors=True)
            raise
        if info is not None and not _leased(folder, info.data):  # a server still reading it keeps it
            _remove_generation(folder / info.data)
    return LoadReport(
        store=str(folder),
        data=generation,
        loaded=tuple(s.path for s in loaded),
        skipped=tuple(skipped),
        bytes=sum(s.bytes for s in loaded),
        triples_before=before,
        triples=triples,
        validated=validate,
        seconds=round(time.perf_counter() - started, 3),
    )


def _build(
    target: Path,
    base: Path | None,
    loaded: list[Source],
    sources: list[Source],
    meter: Progress,
    validate: bool,
    engine: str | None,
    folder: Path,
) -> tuple[int, int]:
    """Make the new generation in ``target``: a checkpoint of ``base`` (or empty), the new files, validation.
    Returns the triple counts before and after. The database is closed when this returns or raises."""
    if base is not None:
        meter.note("copying the current generation")
        ox.Store.read_only(str(base)).backup(str(target))
    db = ox.Store(str(target))
    before = len(db)
    for index, source in enumerate(loaded, start=1):
        meter.file(index, Path(source.path).name)
        _load_one(db, Path(source.path), meter)
    db.flush()
    triples = len(db)
    if validate:
        meter.note(f"validating {triples} triples against the shapes")
        report = _validate(db, [Path(s.path) for s in sources], engine)
        if not report.conforms:
            raise ValidationFailed(folder, report)
    db.optimize()
    return before, triples


def _validate(db: ox.Store, sources: list[Path], engine: str | None) -> ValidationReport:
    import inspect

    from kg.store import KnowledgeGraph

    graph = KnowledgeGraph(db, sources)
    if engine is not None and "engine" in inspect.signature(graph.validate).parameters:
        return graph.validate(engine=engine)  # type: ignore[call-arg]
    return graph.validate()


def _generations(folder: Path) -> list[Path]:
    return [p for p in folder.iterdir() if p.is_dir() and p.name.startswith(_GENERATION) and p.name[5:].isdigit()]


def _is_leftover(path: Path) -> bool:
    """What a load leaves behind when it fails or is killed: the lock, a generation, an unrenamed metadata file."""
    name = path.name
    if name == _LOCK or (name.startswith(f".{_GENERATION}") and name.endswith(".lease")):
        return True
    if name.startswith(_GENERATION) and name[len(_GENERATION) :].isdigit():
        return path.is_dir()
    return name.startswith(f".{METADATA}.") and name.endswith(".tmp")


def _only_leftovers(folder: Path) -> bool:
    """Whether ``folder`` holds nothing but what failed loads leave (an empty folder included): a new store."""
    try:
        return all(_is_leftover(p) for p in folder.iterdir())
    except OSError as exc:
        raise InputError(f"{folder}: cannot read the folder: {exc.strerror or exc}") from None


def _remove_stale(folder: Path, keep: str | None) -> None:
    """Remove generations a crashed load left behind, and old ones no server reads any more (never the one in
    use, never one that ``sslmb serve`` holds a lease on), and a crashed load's unrenamed metadata file."""
    for path in _generations(folder):
        if path.name != keep and not _leased(folder, path.name):
            _remove_generation(path)
    for path in folder.glob(f".{METADATA}.*.tmp"):
        path.unlink(missing_ok=True)


def _remove_generation(path: Path) -> None:
    import shutil

    shutil.rmtree(path, ignore_errors=True)
    (path.parent / f".{path.name}.lease").unlink(missing_ok=True)


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


def _leased(folder: Path, generation: str) -> bool:
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


class _locked:
    """An exclusive lock on the store folder while a load writes to it (POSIX ``flock``)."""

    def __init__(self, folder: Path) -> None:
        self.path = folder / _LOCK

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


def describe_store(path: str | Path) -> dict[str, Any]:
    """The store's metadata as a plain dict (what ``sslmb load`` prints with ``--format json``)."""
    info = read_info(path)
    return {**info.__dict__, "sources": [s.__dict__ for s in info.sources]}
