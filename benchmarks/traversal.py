"""How long `mitigations` and `risks` take, cold (a fresh `sslmb` process, as a user runs it) and warm (in-process),
beside the floor: a fresh Python process that loads the graph into bare pyoxigraph (or opens the on-disk store) and
runs one SPARQL query following the same causal links (``MITIGATIONS_SPARQL``/``RISKS_SPARQL`` of
benchmarks/scale.py). Runs alternate (ours, floor, ours...) so that a busy machine weighs on both alike; medians.
Also the medians of `paths`, `gaps`, `centrality` and the networkx projections on the shipped graph (warm).

    python benchmarks/traversal.py [--runs N] [--store DIR]   # DIR: an on-disk store made by `sslmb load`
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))  # this checkout's kg, not an installed one

import kg  # noqa: E402
from kg.analysis import causal  # noqa: E402

TASKS = (("mitigations", "dendrite penetration", "LithiumDendritePenetration", "target"),
         ("risks", "LGPS", "LGPS", "electrolyte"))
# The floor imports pyoxigraph and nothing else of ours: the query text, prefixes and files come on its command line.
_FLOOR = """
import json, sys
import pyoxigraph as ox
store_dir, text, prefixes, files, var, iri = sys.argv[1:7]
if store_dir:
    store = ox.Store.read_only(store_dir)
else:
    store = ox.Store()
    for path, target in json.loads(files):
        fmt = ox.RdfFormat.TRIG if path.endswith(".trig") else ox.RdfFormat.TURTLE
        store.bulk_load(path=path, format=fmt, **({"to_graph": ox.NamedNode(target)} if target else {}))
rows = list(store.query(text, prefixes=json.loads(prefixes), use_default_graph_as_union=True,
                        substitutions={ox.Variable(var): ox.NamedNode(iri)}))
print(len(rows))
"""


def median_ms(fn, runs: int) -> float:
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        fn()
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times)


def _timed(cmd: list[str]) -> tuple[float, str]:
    started = time.perf_counter()
    done = subprocess.run(cmd, capture_output=True, text=True, cwd=REPO)
    ms = (time.perf_counter() - started) * 1000
    if done.returncode not in (0, 1):
        raise SystemExit(f"{' '.join(cmd)}: {done.stderr.strip()}")
    return ms, done.stdout


def cold(store: str | None, runs: int) -> None:
    """Cold CLI against the floor, alternating."""
    import json

    from benchmarks.scale import MITIGATIONS_SPARQL, RISKS_SPARQL
    from kg.core import resources
    from kg.core.namespaces import PREFIXES

    where = ["--store", store] if store else []
    data = ""
    if store:  # the current generation's pyoxigraph folder
        data = str(sorted(p for p in Path(store).iterdir() if p.name.startswith("data-"))[-1])
    files = json.dumps([(str(f), resources.target_graph(f)) for f in resources.graph_files()])
    for task, text, local, var in TASKS:
        ours, bare = [], []
        for _ in range(runs):
            ms, out = _timed([sys.executable, "-m", "kg.cli", task, text, "--format", "json", *where])
            ours.append(ms)
            text_ = MITIGATIONS_SPARQL if task == "mitigations" else RISKS_SPARQL
            ms, rows = _timed([sys.executable, "-c", _FLOOR, data, text_, json.dumps(PREFIXES), files, var,
                               "https://w3id.org/sslmb/" + local])
            bare.append(ms)
        a, b = statistics.median(ours), statistics.median(bare)
        print(f"cold `sslmb {task} {text!r}`: {a:8.0f} ms | floor (load + one query, {rows.strip()} rows): "
              f"{b:8.0f} ms | ratio {a / b:5.2f}  (medians of {runs})")


def warm(graph, runs: int) -> None:
    for task, text, _, _ in TASKS:
        call = graph.mitigations if task == "mitigations" else graph.risks
        started = time.perf_counter()
        call(text)
        first = (time.perf_counter() - started) * 1000
        again = median_ms(lambda c=call, t=text: c(t), runs)
        print(f"in-process {task}({text!r}): first call {first:8.1f} ms, warm {again:8.1f} ms (median of {runs})")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--store", help="an on-disk store (e.g. the 1e6 synthetic graph); default: the shipped graph")
    parser.add_argument("--more", action="store_true", help="also paths, gaps, centrality and the projections")
    args = parser.parse_args()
    graph = kg.open_store(args.store) if args.store else kg.load()
    print(f"graph: {'the on-disk store ' + args.store if args.store else 'the shipped graph'}, {len(graph)} triples")
    cold(args.store, args.runs)
    warm(graph if not args.store else kg.open_store(args.store), args.runs)
    if args.more and not args.store:
        more(args.runs * 10 + 1)
        network_exports()


def more(runs: int) -> None:
    import networkx  # noqa: F401  (import cost is not part of the figures below)

    def projection() -> None:
        g = kg.load()
        causal.projection(g).causal  # noqa: B018

    proj = median_ms(projection, 11)
    load = median_ms(kg.load, 11)
    g = kg.load()
    print(f"load graph                          : {load:7.2f} ms (median of 11)")
    print(f"load + causal projection (networkx) : {proj:7.2f} ms (median of 11)")
    ms = median_ms(lambda: g.paths("LiF addition to LiBH4", "dendrite penetration", max_hops=4), runs)
    print(f"paths(LiF in LiBH4 -> dendrites, 4) : {ms:7.2f} ms (warm median, 200 paths)")
    print(f"gaps()                              : {median_ms(g.gaps, 11):7.2f} ms (warm median of 11)")
    print(f"centrality()                        : {median_ms(g.centrality, runs):7.2f} ms (warm median)")
    full = median_ms(g.to_networkx, 11)
    net = g.to_networkx()
    print(
        f"to_networkx() full projection       : {full:7.2f} ms (median of 11; "
        f"{net.number_of_nodes()} nodes, {net.number_of_edges()} edges)"
    )



# ------------------------------------------------------------------------------------------ network exports, drawings


def network_exports(runs: int = 11) -> None:
    """Medians of the projection on a fresh graph, the GEXF/GraphML writers and `sslmb draw`'s layout."""
    import tempfile
    from pathlib import Path

    from kg.analysis.network import to_networkx
    from kg.output import draw, gexf

    def fresh_projection() -> None:
        to_networkx(kg.load())

    g = kg.load()
    net = to_networkx(g)
    folder = Path(tempfile.mkdtemp())
    g.export(folder / "kg.gexf")
    g.export(folder / "kg.graphml")
    cold = median_ms(fresh_projection, runs) - median_ms(kg.load, runs)
    print(f"to_networkx() on a fresh load       : {cold:7.2f} ms (median of {runs}, load time subtracted)")
    print(f"to_networkx() warm                  : {median_ms(lambda: to_networkx(g), runs):7.2f} ms (median of {runs})")
    ms = median_ms(lambda: gexf.to_gexf(net), runs)
    print(
        f"to_gexf(projection)                 : {ms:7.2f} ms (median of {runs}; "
        f"{(folder / 'kg.gexf').stat().st_size / 1e6:.2f} MB)"
    )
    ms = median_ms(lambda: g.export(folder / "kg.gexf"), runs)
    print(f"export kg.gexf (projection + write) : {ms:7.2f} ms (median of {runs})")
    ms = median_ms(lambda: g.export(folder / "kg.graphml"), runs)
    print(
        f"export kg.graphml                   : {ms:7.2f} ms (median of {runs}; "
        f"{(folder / 'kg.graphml').stat().st_size / 1e6:.2f} MB)"
    )
    ms = median_ms(lambda: g.export(folder / "lgps.gexf", around="LGPS", hops=2), runs)
    print(f"export --around LGPS --hops 2       : {ms:7.2f} ms (median of {runs})")
    ms = median_ms(lambda: draw.to_svg(draw.layout(g, "dendrite penetration")), runs)
    print(f"draw 'dendrite penetration' (SVG)   : {ms:7.2f} ms (median of {runs}; layout + SVG text)")


if __name__ == "__main__":
    main()
