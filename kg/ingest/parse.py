"""Reading RDF files into a store for a bulk load: the format from the file name (``.gz`` too), a progress line,
and a syntax error named by file, line and column."""

from __future__ import annotations

import hashlib
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pyoxigraph as ox

from kg.core.errors import InputError

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing at start-up
if TYPE_CHECKING:
    from typing import Any

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


def format_of(path: Path) -> tuple[ox.RdfFormat, bool]:
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


def sha256(path: Path) -> str:
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


def load_one(store: ox.Store, path: Path, progress: Progress, *, shown: str | None = None) -> None:
    """Bulk-load one file (gzipped or not). A syntax error names the file (as ``shown``, the path the user gave,
    when known), line and column."""
    import re
    import zlib

    from kg.core.files import token_too_long

    fmt, compressed = format_of(path)
    name = shown or str(path)
    start = progress.done
    try:
        with path.open("rb") as raw:
            handle: Any = raw
            if compressed:
                import gzip

                handle = gzip.open(raw, "rb")
            # progress in bytes of the file on disk (compressed or not): its size is the known total
            reader = _Reader(handle, raw.tell, lambda pos: progress.advance(start + pos - progress.done))
            # a shipped Turtle file of the review goes into the review's named graph (kg.core.resources)
            from kg.core import resources

            graph = (
                resources.target_graph(path.resolve()) if fmt not in (ox.RdfFormat.TRIG, ox.RdfFormat.N_QUADS) else None
            )
            store.bulk_load(
                reader,  # type: ignore[arg-type]  # pyoxigraph reads any object with read(); its stub asks for IO
                format=fmt,
                base_iri=path.resolve().as_uri(),
                to_graph=ox.NamedNode(graph) if graph else None,
            )
    except SyntaxError as exc:
        line, col = exc.lineno or 0, exc.offset or 0
        message = str(exc.msg) if exc.msg else str(exc)
        message = re.sub(r"^Parser error (at|between) line .*? column \d+: ", "", message)
        raise InputError(f"{name}:{line}:{col}: {message}") from None
    except FileNotFoundError:
        raise InputError(f"{name}: no such file") from None
    except MemoryError as exc:
        raise token_too_long(name, exc) from None
    except (OSError, ValueError, EOFError) as exc:
        raise InputError(f"{name}: {exc}") from None
    except zlib.error as exc:  # a gzip file whose body is not deflate data
        raise InputError(f"{name}: not valid gzip data ({exc})") from None
