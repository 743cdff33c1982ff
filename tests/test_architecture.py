"""The package reads as its layers (kg/layers.py): no module imports from a higher layer or from another part of
its own layer, no import circle, no module over the line budget, ``import kg`` stays lazy, and
docs/architecture.svg is drawn from the declaration as it is.

Every import counts, wherever it is written: at module level, inside a function, under ``if TYPE_CHECKING``, and
the modules named as strings for a lazy import (``"kg.facade"`` in kg/__init__.py, ``"kg.cli.reading:cmd_find"``
in kg/cli/app.py).
"""

from __future__ import annotations

import ast
import importlib.util
import re
import subprocess
import sys
from pathlib import Path

import pytest
from helpers import REPO

from kg.layers import LAYERS, part_of

KG = REPO / "kg"
LINE_BUDGET = 500
# Modules allowed over the budget, each with the reason it must be.
OVER_BUDGET: dict[str, str] = {}
_DYNAMIC = re.compile(r"kg(\.[A-Za-z_]\w*)+(:[A-Za-z_]\w*)?")


def module_name(path: Path, root: Path = KG) -> str:
    parts = path.relative_to(root.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def package_sources() -> dict[str, tuple[Path, str]]:
    """Every module of kg/: its dotted name -> (file, source)."""
    return {module_name(p): (p, p.read_text(encoding="utf-8")) for p in sorted(KG.rglob("*.py"))}


def imports(module: str, source: str, known: set[str], *, is_package: bool = False) -> list[tuple[str, int]]:
    """``(imported kg module, line)`` for every import of a kg module in ``source``: ``from kg.x import y`` is an
    import of ``kg.x.y`` when that is a module, of ``kg.x`` otherwise; in a module that calls ``import_module``, a
    string naming a kg module (``"kg.facade"``, ``"kg.cli.reading:cmd_find"``) is an import too."""
    found: list[tuple[str, int]] = []
    package = module if is_package else module.rpartition(".")[0]
    lazy = "import_module" in source  # a module that imports lazily names its targets as strings

    def add(name: str, line: int) -> None:
        while name and name not in known:  # kg.x.y.Name: the module is the longest known prefix
            name = name.rpartition(".")[0]
        if name.startswith("kg") and name:
            found.append((name, line))

    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name == "kg" or alias.name.startswith("kg."):
                    add(alias.name, node.lineno)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.rsplit(".", node.level - 1)[0] if node.level > 1 else package
                target = f"{base}.{node.module}" if node.module else base
            else:
                target = node.module or ""
            if target != "kg" and not target.startswith("kg."):
                continue
            for alias in node.names:
                add(f"{target}.{alias.name}" if f"{target}.{alias.name}" in known else target, node.lineno)
        elif lazy and isinstance(node, ast.Constant) and isinstance(node.value, str) and _DYNAMIC.fullmatch(node.value):
            name = node.value.partition(":")[0]
            if name in known:
                add(name, node.lineno)
    return found


def import_graph(sources: dict[str, tuple[Path, str]]) -> dict[str, list[tuple[str, int]]]:
    known = set(sources)
    return {
        module: [
            (target, line)
            for target, line in imports(module, text, known, is_package=path.name == "__init__.py")
            if target != module
        ]
        for module, (path, text) in sources.items()
    }


def layer_violations(graph: dict[str, list[tuple[str, int]]], where: dict[str, str]) -> list[str]:
    names = {index: "/".join(name for name, _ in parts) for index, parts in enumerate(LAYERS)}
    problems = []
    for module, targets in graph.items():
        layer, part = part_of(module)
        for target, line in targets:
            target_layer, target_part = part_of(target)
            if target_layer > layer:
                problems.append(
                    f"{where[module]}:{line}: {module} ({part}, layer {names[layer]}) imports {target} "
                    f"({target_part}, layer {names[target_layer]}): an import that goes up"
                )
            elif target_layer == layer and target_part != part:
                problems.append(
                    f"{where[module]}:{line}: {module} ({part}) imports {target} ({target_part}): the two parts of "
                    f"layer {names[layer]} must not import each other"
                )
    return problems


def cycles(graph: dict[str, list[tuple[str, int]]]) -> list[list[str]]:
    """The import circles: strongly connected components of more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for target, _ in graph.get(node, []):
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in on_stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    sys.setrecursionlimit(max(sys.getrecursionlimit(), 10_000))
    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


def describe_cycle(component: list[str], graph: dict[str, list[tuple[str, int]]], where: dict[str, str]) -> str:
    members = set(component)
    edges = [
        f"{where[module]}:{line}: {module} imports {target}"
        for module in component
        for target, line in graph[module]
        if target in members
    ]
    return "import circle among " + ", ".join(component) + ":\n  " + "\n  ".join(edges)


# ---------------------------------------------------------------------------------------------- the package


@pytest.fixture(scope="module")
def package():
    sources = package_sources()
    where = {module: str(path.relative_to(REPO)) for module, (path, _) in sources.items()}
    return sources, where, import_graph(sources)


def test_every_module_belongs_to_a_declared_layer(package):
    sources, where, _ = package
    missing = []
    for module in sources:
        try:
            part_of(module)
        except LookupError as exc:
            missing.append(f"{where[module]}: {exc}")
    assert not missing, "\n".join(missing)


def test_no_import_goes_up_a_layer_or_across_to_a_sibling(package):
    _, where, graph = package
    problems = layer_violations(graph, where)
    assert not problems, "\n".join(problems)


def test_no_import_circle(package):
    _, where, graph = package
    found = cycles(graph)
    assert not found, "\n\n".join(describe_cycle(c, graph, where) for c in found)


def test_no_module_over_the_line_budget(package):
    sources, where, _ = package
    over = [
        f"{where[module]}: {text.count(chr(10))} lines (budget {LINE_BUDGET})"
        for module, (_, text) in sources.items()
        if text.count("\n") > LINE_BUDGET and module not in OVER_BUDGET
    ]
    assert not over, "split these, or say in OVER_BUDGET why one must be this long:\n" + "\n".join(over)


def test_import_kg_imports_nothing_heavy():
    """``import kg`` loads the package's face and the core package's version, nothing else (public names are
    imported on first use)."""
    code = "import sys, kg; print(sorted(m for m in sys.modules if m == 'kg' or m.startswith(('kg.', 'pyoxigraph'))))"
    out = subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "['kg', 'kg.core']"


def test_the_architecture_picture_is_drawn_from_the_declaration():
    spec = importlib.util.spec_from_file_location("architecture_picture", REPO / "docs" / "architecture.py")
    assert spec is not None and spec.loader is not None
    picture = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(picture)
    committed = (REPO / "docs" / "architecture.svg").read_text(encoding="utf-8")
    assert committed == picture.svg(), "docs/architecture.svg is out of date: run python docs/architecture.py"


# ---------------------------------------------------------------------------------------------- the checker itself


def test_the_checker_names_an_upward_import_and_a_circle(tmp_path):
    """The checks above are not vacuous: a core module importing the CLI, and two model modules importing each
    other, are reported with file and line."""
    fake = {
        "kg.core.x": (tmp_path / "x.py", "from kg.core import y\n\ndef f():\n    from kg.cli import app\n"),
        "kg.core.y": (tmp_path / "y.py", "import kg.core.x\n"),
        "kg.cli.app": (tmp_path / "app.py", ""),
        "kg.model.a": (tmp_path / "a.py", "from kg.output import text\n"),
        "kg.output.text": (tmp_path / "text.py", ""),
        "kg.validation.v": (tmp_path / "v.py", "from kg.output.text import table\n"),
    }
    where = {module: path.name for module, (path, _) in fake.items()}
    graph = import_graph(fake)
    problems = layer_violations(graph, where)
    assert any(p.startswith("x.py:4: kg.core.x") and "goes up" in p for p in problems), problems
    assert any(p.startswith("a.py:1: kg.model.a") and "goes up" in p for p in problems), problems
    assert any(p.startswith("v.py:1: kg.validation.v") and "must not import each other" in p for p in problems)
    found = cycles(graph)
    assert found == [["kg.core.x", "kg.core.y"]]
    assert "x.py:1: kg.core.x imports kg.core.y" in describe_cycle(found[0], graph, where)
