"""The tutorials in docs/tutorials/ run on a real Jupyter kernel (nbclient + ipykernel), cell by cell, so they
never rot: every code cell asserts what it shows, and an error or a failed assertion fails the test. The
notebooks are kept in git without outputs; each run leaves a rendered copy with its outputs in
tests/artifacts/tutorials/<name>.html (nbconvert)."""

from __future__ import annotations

import ast
import json
import os
import subprocess

import pytest
from helpers import REPO

TUTORIALS = sorted((REPO / "docs" / "tutorials").glob("*.ipynb"))
RENDERED = REPO / "tests" / "artifacts" / "tutorials"


def _cells(path):
    return json.loads(path.read_text(encoding="utf-8"))["cells"]


def _asserts(source: str) -> int:
    return sum(isinstance(node, ast.Assert) for node in ast.walk(ast.parse(source)))


def test_there_are_three_tutorials_and_git_tracks_them():
    assert len(TUTORIALS) == 3
    tracked = subprocess.run(
        ["git", "ls-files", "docs/tutorials"], cwd=REPO, capture_output=True, text=True, check=True
    ).stdout.split()
    assert {f"docs/tutorials/{p.name}" for p in TUTORIALS} <= set(tracked)


@pytest.mark.parametrize("path", TUTORIALS, ids=lambda p: p.stem)
def test_no_outputs_are_committed(path):
    for cell in _cells(path):
        if cell["cell_type"] == "code":
            assert cell["outputs"] == [] and cell["execution_count"] is None, f"{path.name}: clear the outputs"
        assert "attachments" not in cell


@pytest.mark.parametrize("path", TUTORIALS, ids=lambda p: p.stem)
def test_every_code_cell_asserts_something(path):
    code = [c for c in _cells(path) if c["cell_type"] == "code"]
    assert len(code) >= 5
    for cell in code:
        assert _asserts("".join(cell["source"])) > 0, "".join(cell["source"])[:200]


@pytest.mark.slow
@pytest.mark.parametrize("path", TUTORIALS, ids=lambda p: p.stem)
def test_tutorial_runs_on_a_real_kernel(path, monkeypatch):
    nbformat = pytest.importorskip("nbformat")
    nbclient = pytest.importorskip("nbclient")
    pytest.importorskip("ipykernel")
    pytest.importorskip("pandas")
    from nbconvert import HTMLExporter

    # the kernel imports this checkout's kg, whatever else the environment has installed
    monkeypatch.setenv("PYTHONPATH", os.pathsep.join(filter(None, [str(REPO), os.environ.get("PYTHONPATH")])))
    monkeypatch.setenv("MPLBACKEND", "module://matplotlib_inline.backend_inline")
    book = nbformat.read(path, as_version=4)
    client = nbclient.NotebookClient(
        book, timeout=600, kernel_name="python3", resources={"metadata": {"path": str(REPO)}}
    )
    client.execute()  # raises CellExecutionError, with the cell and its traceback, on any error

    code = [c for c in book.cells if c.cell_type == "code"]
    assert all(c.execution_count is not None for c in code)
    shown = [o for c in code for o in c.outputs]
    assert not [o for o in shown if o.output_type == "error"]
    # the result objects show themselves as HTML tables, and each tutorial draws a picture
    html = [o["data"]["text/html"] for o in shown if "text/html" in o.get("data", {})]
    assert any('class="sslmb-result"' in h for h in html) or any("dataframe" in h for h in html)
    assert any("image/png" in o.get("data", {}) for o in shown)

    RENDERED.mkdir(parents=True, exist_ok=True)
    body, _ = HTMLExporter().from_notebook_node(book)
    (RENDERED / f"{path.stem}.html").write_text(body, encoding="utf-8")
