"""The user's files (kg/files.py): what a command reads must be a regular file (a FIFO would hang it), what it
writes is written atomically and never over something that is not a regular file (a device, a folder, a link to
a terminal), `-o -` writes to standard output, and each refusal is one line on stderr with exit 2."""

from __future__ import annotations

import gzip
import os
import stat
import subprocess
import sys

import pytest
from helpers import DATA, REPO, run_cli

import kg
from kg.core import files
from kg.core.errors import InputError


def one_line_error(done: subprocess.CompletedProcess, *expected: str, code: int = 2) -> str:
    """The command failed as a user's mistake must: the exit code, one line on stderr, no traceback."""
    assert done.returncode == code, (done.returncode, done.stdout[-500:], done.stderr[-2000:])
    lines = done.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("sslmb: error: "), done.stderr[-2000:]
    for text in expected:
        assert text in lines[0], lines[0]
    return lines[0]


@pytest.fixture
def good_nt(tmp_path):
    path = tmp_path / "good.nt"
    path.write_text('<https://example.org/a> <https://example.org/b> "c" .\n', encoding="utf-8")
    return path


# ------------------------------------------------------------------------------ writing


@pytest.mark.parametrize("command", [["export", "--format", "ttl"], ["draw", "dendrite", "--format", "svg"]])
def test_an_existing_folder_is_refused_as_output(tmp_path, command):
    for target in (tmp_path, tmp_path / "named.ttl"):
        target.mkdir(exist_ok=True)
        one_line_error(run_cli(*command, "-o", str(target)), f"{target}: is a directory")
        assert target.is_dir()
    # and with no --format, the extension of a folder's name is no reason to try
    folder = tmp_path / "picture.svg"
    folder.mkdir()
    one_line_error(run_cli(command[0], *command[1:-2], "-o", str(folder)), "is a directory")


@pytest.mark.parametrize("device", ["/dev/full", "/dev/null"])
def test_a_device_is_never_replaced(device):
    """Run as root, the atomic rename replaced /dev/full with a regular file: a non-regular target is refused
    before anything is written."""
    before = os.stat(device)
    one_line_error(run_cli("export", "-o", device, "--format", "nt"), "character device", "-o -")
    one_line_error(run_cli("draw", "H2S", "-o", device, "--format", "svg"), "character device")
    after = os.stat(device)
    assert stat.S_ISCHR(after.st_mode) and (after.st_ino, after.st_rdev) == (before.st_ino, before.st_rdev)


def test_links_to_what_is_not_a_regular_file_are_refused_and_kept(tmp_path):
    terminal = tmp_path / "stdout.ttl"
    terminal.symlink_to("/dev/stdout")
    one_line_error(run_cli("export", "-o", str(terminal)), "not a regular file")
    assert terminal.is_symlink() and os.readlink(terminal) == "/dev/stdout"

    fifo = tmp_path / "pipe.ttl"
    os.mkfifo(fifo)
    one_line_error(run_cli("export", "-o", str(fifo)), "FIFO")
    assert stat.S_ISFIFO(os.lstat(fifo).st_mode)

    dangling = tmp_path / "dangling.ttl"
    dangling.symlink_to(tmp_path / "nowhere" / "x.ttl")
    one_line_error(run_cli("export", "-o", str(dangling)), "symbolic link to nothing")

    loop = tmp_path / "loop.ttl"
    loop.symlink_to(loop)
    one_line_error(run_cli("export", "-o", str(loop)), "symbolic link loop")


def test_a_link_to_a_regular_file_is_written_through(graph, tmp_path):
    real = tmp_path / "real.nt"
    real.write_text("old\n")
    link = tmp_path / "link.nt"
    link.symlink_to(real)
    assert graph.export(link) == link
    assert link.is_symlink() and len(kg.load(real, data=False)) == len(graph)


def test_unwritable_places_are_one_line(tmp_path):
    one_line_error(run_cli("export", "-o", "/proc/x.ttl"), "/proc/x.ttl: cannot write in /proc")
    one_line_error(run_cli("export", "-o", str(tmp_path / "no" / "x.ttl")), "does not exist")
    one_line_error(run_cli("draw", "H2S", "-o", "/proc/x.svg"), "cannot write")


def test_dash_writes_to_standard_output(graph, tmp_path):
    done = run_cli("export", "-o", "-", "--format", "nt")
    assert done.returncode == 0, done.stderr
    assert len(done.stdout.splitlines()) == len(graph) and done.stderr == ""
    assert not (REPO / "-").exists()
    one_line_error(run_cli("export", "-o", "-"), "give the format")

    svg = run_cli("draw", "H2S", "-o", "-", "--format", "svg")
    assert svg.returncode == 0, svg.stderr
    assert svg.stdout.startswith("<svg") or svg.stdout.startswith("<?xml"), svg.stdout[:100]
    assert "wrote standard output" in svg.stderr
    one_line_error(run_cli("draw", "H2S", "-o", "-"), "give the format")


def test_atomic_write_refuses_in_python_too(tmp_path):
    with pytest.raises(InputError, match="is a directory"):
        files.atomic_write(tmp_path, b"x")
    with pytest.raises(InputError, match="character device"):
        files.atomic_write("/dev/full", b"x")
    assert [p.name for p in tmp_path.iterdir()] == []  # no temporary file left behind


# ------------------------------------------------------------------------------ reading


def test_validate_on_a_fifo_answers_at_once_as_load_does(tmp_path):
    """validate hung forever on a FIFO (nothing writes to it); load said "not a file"."""
    fifo = tmp_path / "data.ttl"
    os.mkfifo(fifo)
    for args in (["validate", str(fifo)], ["load", str(fifo), "--store", str(tmp_path / "s")]):
        one_line_error(run_cli(*args), f"{fifo}: is a FIFO")
    assert not (tmp_path / "s").exists()


def test_a_symlink_loop_and_a_folder_are_named_as_such(tmp_path):
    loop = tmp_path / "a.ttl"
    (tmp_path / "b.ttl").symlink_to(loop)
    loop.symlink_to(tmp_path / "b.ttl")
    for args in (["validate", str(loop)], ["load", str(loop), "--store", str(tmp_path / "s")]):
        one_line_error(run_cli(*args), "symbolic link loop")
    folder = tmp_path / "folder.ttl"
    folder.mkdir()
    one_line_error(run_cli("validate", str(folder)), "is a directory")


def test_a_gzip_file_with_a_bad_body(tmp_path):
    bad = tmp_path / "bad.nt.gz"
    bad.write_bytes(gzip.compress(b"<https://e.org/a> <https://e.org/b> <https://e.org/c> .\n" * 100)[:20] + b"junk")
    one_line_error(run_cli("load", str(bad), "--store", str(tmp_path / "s"), "--no-validate"), "gzip")
    truncated = tmp_path / "cut.nt.gz"
    truncated.write_bytes(gzip.compress(b"<https://e.org/a> <https://e.org/b> <https://e.org/c> .\n" * 100)[:-12])
    one_line_error(run_cli("load", str(truncated), "--store", str(tmp_path / "s"), "--no-validate"), "cut.nt.gz")


@pytest.mark.parametrize("where", ["literal", "iri"])
def test_a_term_over_16_mib(tmp_path, where):
    """Oxigraph's parsers stop at 16 MiB per token with a MemoryError: the file's fault, said in one line."""
    big = tmp_path / "big.nt"
    term = "x" * (17 * 1024 * 1024)
    line = (
        f'<https://e.org/a> <https://e.org/b> "{term}" .\n'
        if where == "literal"
        else f"<https://e.org/{term}> <https://e.org/b> <https://e.org/c> .\n"
    )
    big.write_text(line, encoding="ascii")
    one_line_error(run_cli("validate", str(big)), "longer than 16 MiB")
    one_line_error(run_cli("load", str(big), "--store", str(tmp_path / "s"), "--no-validate"), "longer than 16 MiB")
    assert not (tmp_path / "s" / "sslmb-store.json").exists()


def test_input_file_in_python(tmp_path):
    with pytest.raises(InputError, match="no such file"):
        files.input_file(DATA / "nope.ttl")
    (tmp_path / "folder.ttl").mkdir()
    with pytest.raises(InputError, match="is a directory"):
        kg.load(tmp_path / "folder.ttl", data=False)
    assert files.input_file(DATA / "cli" / "broken.ttl").name == "broken.ttl"


def test_load_into_an_impossible_folder(good_nt):
    one_line_error(run_cli("load", str(good_nt), "--store", "/proc/x"), "/proc/x: cannot create the store folder")
    one_line_error(run_cli("load", str(good_nt), "--store", str(good_nt)), "not a directory")


if sys.platform != "linux":  # pragma: no cover - /proc and /dev/full are Linux's
    pytestmark = pytest.mark.skip("Linux devices and /proc")


def test_a_streamed_write_that_fails_leaves_the_old_file_and_no_temporary(tmp_path):
    """AtomicWriter (the streamed exports): the file appears only when the block ends well."""
    target = tmp_path / "out.gexf"
    target.write_bytes(b"old")
    with pytest.raises(RuntimeError), files.AtomicWriter(target) as out:
        out.write(b"half of a new")
        raise RuntimeError("the store went away")
    assert target.read_bytes() == b"old" and sorted(p.name for p in tmp_path.iterdir()) == ["out.gexf"]
    with files.AtomicWriter(target) as out:
        out.write(b"new")
    assert target.read_bytes() == b"new" and sorted(p.name for p in tmp_path.iterdir()) == ["out.gexf"]


def test_a_streamed_export_to_standard_output_is_the_file(graph, tmp_path):
    """The whole network is streamed to a file and to standard output alike: the same bytes."""
    for fmt in ("gexf", "graphml"):
        target = tmp_path / f"kg.{fmt}"
        assert run_cli("export", "--format", fmt, "-o", str(target)).returncode == 0
        piped = subprocess.run(
            [sys.executable, "-m", "kg.cli", "export", "--format", fmt, "-o", "-"], capture_output=True, cwd=REPO
        )
        assert piped.returncode == 0 and piped.stdout == target.read_bytes()
