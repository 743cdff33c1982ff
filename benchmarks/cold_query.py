"""Cold-process cost of `sslmb query NAME` against the floor: a bare script that imports pyoxigraph, loads the
same files into the same graphs (the review's Turtle files into its named graph, as `sslmb` reads them) and runs the
same query with the same bound values. Prints medians and their ratio.

    python benchmarks/cold_query.py [NAME] [--runs N]
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))  # this checkout's kg (and its files, which the floor loads), not an installed one

import kg  # noqa: E402
from kg.core import namespaces, resources  # noqa: E402
from kg.model import queries  # noqa: E402

FLOOR = """
import sys, pyoxigraph as ox
files, query_file, bindings = sys.argv[1].split("|"), sys.argv[2], sys.argv[3:]
store = ox.Store()
for f in files:
    f, graph = f.split("\t")
    if f.endswith(".trig"):
        store.load(path=f, format=ox.RdfFormat.TRIG)
    else:
        store.load(path=f, format=ox.RdfFormat.TURTLE, to_graph=ox.NamedNode(graph) if graph else None)
subs = {}
for b in bindings:
    name, kind, value, datatype = b.split("\\t")
    term = ox.NamedNode(value) if kind == "iri" else ox.Literal(value, datatype=ox.NamedNode(datatype))
    subs[ox.Variable(name)] = term
prefixes = dict(p.split("=", 1) for p in PREFIXES)
result = store.query(
    open(query_file).read(), prefixes=prefixes, substitutions=subs or None, use_default_graph_as_union=True
)
sys.stdout.buffer.write(result.serialize(format=ox.QueryResultsFormat.CSV))
"""


# Measure as an installed tool runs: with bytecode caching on (pip compiles a wheel's modules at install time),
# even when the calling shell sets PYTHONDONTWRITEBYTECODE.
# The checkout's `kg` is the one measured (the console script would otherwise import the installed one).
ENV = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
ENV["PYTHONPATH"] = os.pathsep.join([str(REPO), *filter(None, [ENV.get("PYTHONPATH")])])


def timed(cmd: list[str]) -> tuple[float, float]:
    """Wall-clock and CPU (user + system) time of one run of ``cmd``, in ms. On a busy machine the CPU time moves
    less: it leaves out the time the process waited for a core."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, env=ENV)
    wall = (time.perf_counter() - started) * 1000
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, (after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime) * 1000


def medians(runs: list[tuple[float, float]]) -> tuple[float, float]:
    return statistics.median(r[0] for r in runs), statistics.median(r[1] for r in runs)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("name", nargs="?", default="cq-01-failure-modes-of-electrolyte")
    parser.add_argument("--runs", type=int, default=21)
    args = parser.parse_args()

    graph = kg.load()
    prepared = queries.prepare(graph, args.name)
    bindings = []
    for name, term in prepared.bindings.items():
        if hasattr(term, "datatype"):
            bindings.append(f"{name}\tliteral\t{term.value}\t{term.datatype.value}")
        else:
            bindings.append(f"{name}\tiri\t{term.value}\t-")
    query_file = resources.queries_dir() / prepared.stored.file.split("/", 1)[1]
    files = "|".join(f"{p}\t{resources.target_graph(p) or ''}" for p in resources.graph_files())
    prefixes = [f"{k}={v}" for k, v in namespaces.PREFIXES.items()]
    with tempfile.TemporaryDirectory() as tmp:
        floor = Path(tmp) / "floor.py"
        floor.write_text(f"PREFIXES = {prefixes!r}\n" + FLOOR)
        sslmb = shutil.which("sslmb") or str(Path(sys.executable).with_name("sslmb"))
        ours_cmd = [sslmb, "query", args.name, "--format", "csv"]
        floor_cmd = [sys.executable, str(floor), files, str(query_file), *bindings]
        bare_cmd = [sys.executable, "-c", "pass"]
        # warm the OS file cache and write bytecode; both print the same rows
        cmds = (ours_cmd, floor_cmd)
        ours_out, floor_out = (subprocess.run(c, check=True, capture_output=True, env=ENV).stdout for c in cmds)
        if ours_out.rstrip(b"\n") != floor_out.rstrip(b"\n"):
            sys.exit(f"sslmb query and the floor print different results for {args.name}")
        bare = medians([timed(bare_cmd) for _ in range(args.runs)])
        floor_runs, our_runs = [], []
        for _ in range(args.runs):  # alternated, one run at a time, so that load from elsewhere falls on both
            floor_runs.append(timed(floor_cmd))
            our_runs.append(timed(ours_cmd))
        floor_ms, ours = medians(floor_runs), medians(our_runs)
    print(f"query: {args.name} ({len(graph)} triples, {len(resources.graph_files())} files), {args.runs} runs each")
    print("                          wall (median)   CPU (median)")
    for label, (wall, cpu) in (("python -c pass", bare), ("floor (bare pyoxigraph)", floor_ms), ("sslmb query", ours)):
        print(f"{label:24s}: {wall:8.1f} ms     {cpu:8.1f} ms")
    print(
        f"ratio sslmb / floor     : {ours[0] / floor_ms[0]:8.2f}x     {ours[1] / floor_ms[1]:8.2f}x  (target <= 1.5x)"
    )


if __name__ == "__main__":
    main()
