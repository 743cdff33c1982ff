"""Time and peak memory of `sslmb export` (the entity network: gexf, graphml, kgx, neo4j) on an on-disk store,
side by side with an anchor: networkx reading every IRI-to-IRI triple of the same store into a MultiDiGraph and
writing it with ``nx.write_gexf`` (the whole graph in memory before a byte is written). Each run is a fresh
process; its peak resident memory is read with ``resource.getrusage(RUSAGE_CHILDREN)`` by a small wrapper process
of its own, so that runs do not share the figure. With ``--before DIR`` (a checkout of another version of the
package) the same exports run with that version's ``kg`` too, in alternation with ours.

    python benchmarks/export.py --store DIR [--formats gexf,kgx] [--runs N] [--before DIR] [--no-anchor]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

# Runs COMMAND and prints its wall time, CPU time and peak RSS (the only child of this wrapper) as JSON.
WRAPPER = """
import json, resource, subprocess, sys, time
started = time.perf_counter()
subprocess.run(sys.argv[1:], check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
used = resource.getrusage(resource.RUSAGE_CHILDREN)
print(json.dumps({"seconds": time.perf_counter() - started, "cpu": used.ru_utime + used.ru_stime,
                  "peak_mb": used.ru_maxrss / 1024}))
"""

# The anchor: networkx holding the IRI links of the store, then writing GEXF.
ANCHOR = """
import sys, networkx as nx, pyoxigraph as ox, kg
store = kg.open_store(sys.argv[1]).store  # the store's current generation, every named graph
g = nx.MultiDiGraph()
for q in store.quads_for_pattern(None, None, None, None):
    if isinstance(q.subject, ox.NamedNode) and isinstance(q.object, ox.NamedNode):
        g.add_edge(q.subject.value, q.object.value, key=q.predicate.value)
nx.write_gexf(g, sys.argv[2])
"""


def measure(cmd: list[str], root: Path) -> dict[str, float]:
    """One run of ``cmd`` with ``root``'s ``kg`` (run from there: ``python -m`` puts the working folder first)."""
    env = {**os.environ, "PYTHONPATH": str(root)}
    done = subprocess.run(
        [sys.executable, "-c", WRAPPER, *cmd], check=True, capture_output=True, text=True, env=env, cwd=root
    )
    return json.loads(done.stdout)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument(
        "--store",
        required=True,
        type=lambda p: str(Path(p).resolve()),
        help="an on-disk store made by `sslmb load --store DIR`",
    )
    parser.add_argument("--formats", default="gexf,kgx", help="comma-separated export formats (default: gexf,kgx)")
    parser.add_argument("--runs", type=int, default=1, help="runs of each (default: 1)")
    parser.add_argument("--before", type=Path, help="a checkout of another version, run in alternation with ours")
    parser.add_argument("--no-anchor", action="store_true", help="leave out the networkx anchor")
    args = parser.parse_args()

    versions = {"ours": ROOT}
    if args.before:
        versions = {"before": args.before.resolve(), **versions}
    results: dict[tuple[str, str], list[dict[str, float]]] = {}
    with tempfile.TemporaryDirectory() as tmp:
        for _ in range(args.runs):
            for fmt in args.formats.split(","):
                for name, root in versions.items():
                    out = Path(tmp) / f"{name}.{fmt}"
                    cmd = [sys.executable, "-m", "kg.cli", "export", "--store", args.store, "--format", fmt, "-o"]
                    results.setdefault((fmt, name), []).append(measure([*cmd, str(out)], root))
            if not args.no_anchor:
                anchor = [sys.executable, "-c", ANCHOR, args.store, str(Path(tmp) / "anchor.gexf")]
                results.setdefault(("gexf", "networkx anchor"), []).append(measure(anchor, ROOT))
    print(f"store: {args.store}, {args.runs} run(s) each (medians)")
    print(f"{'format':8s} {'what':18s} {'wall s':>8s} {'CPU s':>8s} {'peak MB':>9s}")
    for (fmt, name), runs in results.items():
        wall, cpu, peak = (statistics.median(r[k] for r in runs) for k in ("seconds", "cpu", "peak_mb"))
        print(f"{fmt:8s} {name:18s} {wall:8.1f} {cpu:8.1f} {peak:9.0f}")


if __name__ == "__main__":
    main()
