"""A non-editable install (the wheel) carries ontology/, shapes/ and queries/ and works on its own."""

from __future__ import annotations

import subprocess
import sys
import sysconfig
import venv
import zipfile
from pathlib import Path

import pytest
from helpers import REPO

import kg

pytestmark = pytest.mark.slow


def test_wheel_installs_and_loads_the_graph(tmp_path):
    wheels = tmp_path / "wheels"
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--no-deps",
            "--no-build-isolation",
            "-q",
            "-w",
            str(wheels),
            str(REPO),
        ],
        check=True,
        capture_output=True,
        text=True,
    )
    wheel = next(wheels.glob("sslmb_kg-*.whl"))
    names = zipfile.ZipFile(wheel).namelist()
    assert "kg/_data/ontology/sslmb.ttl" in names
    assert any(n.startswith("kg/_data/ontology/instances/") for n in names)
    assert any(n.startswith("kg/_data/shapes/") and n.endswith(".shacl.ttl") for n in names)

    env_dir = tmp_path / "venv"
    venv.EnvBuilder(with_pip=False).create(env_dir)
    python = env_dir / ("Scripts/python.exe" if sys.platform == "win32" else "bin/python")
    target = subprocess.run(
        [str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    # Install the wheel alone; its dependencies come from this environment through a .pth line placed
    # after the wheel's own files, so the wheel's kg (not the checkout's) is the one imported.
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "install",
            "--no-deps",
            "--no-compile",
            "-q",
            "--target",
            target,
            str(wheel),
        ],
        check=True,
        capture_output=True,
        text=True,
    )
    Path(target, "zz_outer_env.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    code = (
        "import kg, kg.core.resources as r; g = kg.load(); "
        "print(kg.__file__); print(r.data_root()); print(len(g)); print(g.stats().references); "
        "print(' '.join(sorted(s.key for s in g.sources_info())))"
    )
    out = subprocess.run([str(python), "-c", code], capture_output=True, text=True, cwd=tmp_path, check=True)
    kg_file, data_root, triples, refs, sources = out.stdout.split("\n")[:5]
    assert kg_file.startswith(target)
    assert data_root.endswith("_data") and data_root.startswith(target)
    # the whole graph travels in the wheel: the review and the sources `sslmb add` built
    shipped = kg.load()
    assert int(triples) == len(shipped)
    assert sources == "dendrite_md2025 obelix wang2020 yersak2022"
    assert refs == str(shipped.stats().references)  # the review's 95 and the other sources' cited works
    cli = subprocess.run(
        [str(python), "-m", "kg.cli", "show", "LGPS", "--format", "json"],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        check=True,
    )
    assert '"label": "LGPS"' in cli.stdout
