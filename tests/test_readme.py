"""The README starts with the install and test commands, and CI runs exactly those."""

from __future__ import annotations

import re

from helpers import REPO


def _first_code_block(text: str) -> list[str]:
    block = re.search(r"```(?:sh|bash|console)?\n(.*?)```", text, re.S)
    assert block, "README has no code block"
    return [line.strip() for line in block.group(1).splitlines() if line.strip()]


def test_ci_runs_the_readme_commands():
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    commands = _first_code_block(readme)
    assert commands == ['python -m pip install -e ".[test]"', "python -m pytest"]
    ci = (REPO / ".ci" / "run").read_text(encoding="utf-8")
    for command in commands:
        assert command in ci.splitlines()
