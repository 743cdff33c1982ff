"""The user's files: reading one only when it is a regular file, and writing one atomically, never over
something that is not a regular file (a device, a FIFO, a folder), each refusal one clear line."""

from __future__ import annotations

import errno
import os
import stat
import sys
from pathlib import Path

from kg.core.errors import InputError, echo

# The -o value that means standard output.
STDOUT = "-"

_KINDS = (
    (stat.S_ISDIR, "is a directory"),
    (stat.S_ISFIFO, "is a FIFO (named pipe), not a regular file"),
    (stat.S_ISCHR, "is a character device, not a regular file"),
    (stat.S_ISBLK, "is a block device, not a regular file"),
    (stat.S_ISSOCK, "is a socket, not a regular file"),
)


def name(path: str | Path) -> str:
    """A path as messages show it: whole when short, cut when a user typed something huge."""
    text = str(path)
    return text if len(text) <= 200 else echo(text, 200)


def _not_regular(mode: int) -> str:
    for test, what in _KINDS:
        if test(mode):
            return what
    return "is not a regular file"


def _stat_error(path: Path, exc: OSError) -> InputError:
    """The one-line reason a path cannot be used, from the error of ``os.stat``."""
    if exc.errno == errno.ELOOP:
        return InputError(f"{name(path)}: a symbolic link loop")
    if exc.errno in (errno.ENOENT, errno.ENOTDIR):
        if os.path.islink(path):
            return InputError(f"{name(path)}: a symbolic link to nothing ({name(os.readlink(path))})")
        return InputError(f"{name(path)}: no such file")
    if exc.errno == errno.ENAMETOOLONG:
        return InputError(f"{name(path)}: file name too long")
    return InputError(f"{name(path)}: {exc.strerror or exc}")


def input_file(path: str | Path) -> Path:
    """``path`` when it is a regular file that can be read; otherwise :class:`InputError` saying what it is
    (missing, a directory, a FIFO that would block the reader, a symbolic link loop...).

    >>> input_file("/")
    Traceback (most recent call last):
    kg.core.errors.InputError: /: is a directory
    """
    path = Path(path)
    try:
        mode = os.stat(path).st_mode
    except OSError as exc:
        raise _stat_error(path, exc) from None
    except ValueError:  # an embedded NUL byte
        raise InputError(f"{echo(str(path))}: not a valid file name") from None
    if not stat.S_ISREG(mode):
        raise InputError(f"{name(path)}: {_not_regular(mode)}")
    if not os.access(path, os.R_OK):
        raise InputError(f"{name(path)}: permission denied")
    return path


def read_text(path: str | Path) -> str:
    """The UTF-8 text of a user's file, with :func:`input_file`'s checks and one-line errors."""
    path = input_file(path)
    try:
        return path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise InputError(f"{name(path)}: not UTF-8 text (byte {exc.start})") from None
    except OSError as exc:
        raise InputError(f"{name(path)}: {exc.strerror or exc}") from None


def token_too_long(path: str | Path, exc: MemoryError) -> InputError:
    """Oxigraph's parsers stop at a term (IRI, literal, name) of more than 16 MiB with a MemoryError: that is
    the file's fault, not the machine's. Any other MemoryError is raised again."""
    if "buffer maximal size" not in str(exc):
        raise exc
    return InputError(f"{name(path)}: a term (IRI, literal or name) longer than 16 MiB, more than the parser reads")


def output_file(path: str | Path) -> Path:
    """Where :func:`atomic_write` will write for ``path``: the path itself, or the file a symbolic link points
    to (the link is kept). Refuses, before any work is done, a target that is not a regular file: a rename
    would replace a device such as ``/dev/full`` or a link such as ``/dev/stdout`` with a plain file.

    >>> output_file("/dev/null")
    Traceback (most recent call last):
    kg.core.errors.InputError: /dev/null: is a character device, not a regular file; write to a file, or use -o - ...
    """
    if str(path) == "":
        raise InputError("an empty output file name")
    try:
        mode: int | None = os.stat(path).st_mode  # through symbolic links, /proc's magic ones included
    except ValueError:
        raise InputError(f"{echo(str(path))}: not a valid file name") from None
    except OSError as exc:
        if exc.errno not in (errno.ENOENT, errno.ENOTDIR) or os.path.islink(path):
            raise _stat_error(Path(path), exc) from None
        mode = None
    if mode is not None and not stat.S_ISREG(mode):
        raise InputError(f"{name(path)}: {_not_regular(mode)}; write to a file, or use -o - for standard output")
    target = Path(os.path.realpath(path)) if os.path.islink(path) else Path(path)
    folder = target.parent if str(target.parent) else Path(".")
    if not folder.is_dir():
        raise InputError(f"{name(path)}: folder {name(folder)} does not exist")
    return target


def atomic_write(path: str | Path, data: bytes) -> Path:
    """Write ``data`` to a temporary file beside ``path`` and rename it into place: a failed write never
    leaves a half-written file. ``path`` must be a regular file or not exist yet (:func:`output_file`).

    >>> import tempfile, pathlib
    >>> target = pathlib.Path(tempfile.mkdtemp()) / "x.txt"
    >>> atomic_write(target, b"ok").read_bytes()
    b'ok'
    """
    with AtomicWriter(path) as handle:
        handle.write(data)
    return Path(path)


class AtomicWriter:
    """A binary file written as a stream and renamed into place only when the ``with`` block ends without an error
    (:func:`atomic_write` for data written as it is made: an export whose size grows with the graph).

    >>> import tempfile, pathlib
    >>> target = pathlib.Path(tempfile.mkdtemp()) / "x.txt"
    >>> with AtomicWriter(target) as out:
    ...     _ = out.write(b"o"); _ = out.write(b"k")
    >>> target.read_bytes()
    b'ok'
    """

    def __init__(self, path: str | Path, *, buffering: int = 1 << 20) -> None:
        self.path, self.buffering = path, buffering

    def __enter__(self):
        import tempfile

        self.target = output_file(self.path)
        try:
            fd, self.tmp = tempfile.mkstemp(prefix=f".{self.target.name}.", suffix=".tmp", dir=self.target.parent)
        except OSError as exc:
            raise InputError(
                f"{name(self.path)}: cannot write in {name(self.target.parent)}: {exc.strerror or exc}"
            ) from None
        self.handle = os.fdopen(fd, "wb", buffering=self.buffering)
        return self.handle

    def __exit__(self, kind, exc, traceback) -> None:
        try:
            if exc is None:
                self.handle.flush()
                os.fsync(self.handle.fileno())
            self.handle.close()
            if exc is None:
                os.chmod(self.tmp, _file_mode(self.target))  # mkstemp makes the file private (0600): not a written one
                output_file(self.path)  # still a regular file (or nothing)? it may have changed while being written
                os.replace(self.tmp, self.target)
                return
        except BaseException as failed:
            Path(self.tmp).unlink(missing_ok=True)
            if isinstance(failed, OSError):
                raise InputError(f"{name(self.path)}: cannot write: {failed.strerror or failed}") from None
            raise
        Path(self.tmp).unlink(missing_ok=True)
        if isinstance(exc, OSError):
            raise InputError(f"{name(self.path)}: cannot write: {exc.strerror or exc}") from None


def write_output(path: str | Path, data: bytes) -> Path | None:
    """Write ``data`` to ``path`` atomically, or to standard output when ``path`` is ``-`` (returns None)."""
    if str(path) == STDOUT:
        sys.stdout.flush()
        sys.stdout.buffer.write(data)
        sys.stdout.buffer.flush()
        return None
    return atomic_write(path, data)


def _file_mode(target: Path) -> int:
    """The mode ``open()`` would give a new file (0666 less the umask), or the mode of the file replaced."""
    try:
        return target.stat().st_mode & 0o7777
    except OSError:
        umask = os.umask(0o22)
        os.umask(umask)
        return 0o666 & ~umask
