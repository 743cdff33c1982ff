"""Paths and the CLI runner shared by the tests (importable because pytest puts tests/ on sys.path)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
DATA = Path(__file__).resolve().parent / "data"
# The instance files the shipped graph must contain, one per concern.
INSTANCE_FILE_NAMES = frozenset(
    {
        "references.ttl",
        "review.ttl",
        "electrolytes.ttl",
        "materials.ttl",
        "mechanisms.ttl",
        "strategies.ttl",
        "quantities.ttl",
    }
)


def run_cli(*args: str, stdin: str | None = None, cwd: Path | None = None) -> subprocess.CompletedProcess:
    """Run the real ``sslmb`` entry point in a subprocess, as a user would."""
    env = {**os.environ, "PYTHONIOENCODING": "utf-8", "COLUMNS": "200"}
    return subprocess.run(
        [sys.executable, "-m", "kg.cli", *args],
        input=stdin,
        capture_output=True,
        text=True,
        cwd=cwd or REPO,
        env=env,
        timeout=300,
    )


def require_tool(*names: str, why: str = "") -> list[str]:
    """The full paths of the external programs ``names`` (node, npm, chromium...). When one is missing the
    calling test is skipped, or fails when ``SSLMB_REQUIRE_ALL=1`` (CI sets it: nothing may be skipped there)."""
    import shutil

    import pytest

    found = [shutil.which(name) for name in names]
    missing = [name for name, path in zip(names, found, strict=True) if path is None]
    if missing:
        message = f"{', '.join(missing)} not found on PATH" + (f" ({why})" if why else "")
        if os.environ.get("SSLMB_REQUIRE_ALL") == "1":
            pytest.fail(message + "; SSLMB_REQUIRE_ALL=1 forbids skipping")
        pytest.skip(message)
    return [path for path in found if path is not None]
