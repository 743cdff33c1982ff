"""SHACL validation, fast engine (shapes compiled to SPARQL on Oxigraph) against pySHACL, at growing size.

    python benchmarks/validate.py                     # shipped graph, 1e5 and 1e6 (pySHACL up to 1e5)
    python benchmarks/validate.py --pyshacl-max 1e6 --pyshacl-repeat 1 --pyshacl-timeout 2700   # pySHACL at 1e6
    python benchmarks/validate.py --disk synth-1e6.nq [--rounds 2]   # on disk: ours against the bare floor

Each graph is the shipped graph plus, for a size N, synthetic data grown to N triples by benchmarks/synth.py
(deterministic; it passes the shapes). Both engines run through ``validate(engine=...)``, as a user calls them:
the pySHACL time includes handing the store to rdflib; the fast time is warm (the shapes are compiled once per
process; that one-off time is printed too). Medians of ``--repeat`` runs. pySHACL runs in a forked child that
is stopped after ``--pyshacl-timeout`` seconds; the table then shows "> limit", a lower bound. Wherever both
engines finished, their results are compared in full (severity, focus, path, value, shape, component, message).
"""

from __future__ import annotations

import argparse
import multiprocessing
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))  # this checkout's kg, not an installed one

import kg  # noqa: E402
from kg.validation import fast as shaclfast  # noqa: E402


def _count(text: str) -> int:
    return int(float(text))


def median_time(run, repeat: int):
    times, report = [], None
    for _ in range(repeat):
        started = time.perf_counter()
        report = run()
        times.append(time.perf_counter() - started)
    return statistics.median(times), report


def key(result) -> tuple:
    return (
        result.severity,
        result.focus,
        result.path,
        result.value,
        result.shape,
        result.constraint,
        result.message,
    )


def _pyshacl_child(graph: kg.KnowledgeGraph, repeat: int, pipe) -> None:
    seconds, report = median_time(lambda: graph.validate(engine="pyshacl"), repeat)
    pipe.send((seconds, report.conforms, report.triples, Counter(map(key, report.results))))


def pyshacl_time(graph: kg.KnowledgeGraph, repeat: int, timeout: float):
    """(median seconds, conforms, triples, results) of pySHACL; None when it outlives ``timeout``. A child that
    ends without an answer (killed from outside) is an error, never read as a timeout."""
    context = multiprocessing.get_context("fork")  # the child works on the graph already loaded
    receive, send = context.Pipe(duplex=False)
    child = context.Process(target=_pyshacl_child, args=(graph, repeat, send))
    started = time.perf_counter()
    child.start()
    answer = None
    while time.perf_counter() - started < timeout:
        if receive.poll(5):
            answer = receive.recv()
            break
        if not child.is_alive() and not receive.poll(0):
            raise SystemExit(
                f"the pySHACL process ended without a result after {time.perf_counter() - started:.0f} s "
                f"(exit code {child.exitcode})"
            )
    child.terminate()
    child.join()
    return answer


def measure(name: str, graph: kg.KnowledgeGraph, args, pyshacl: bool) -> dict:
    fast_s, fast = median_time(lambda: graph.validate(engine="fast"), args.repeat)
    row = {"graph": name, "triples": fast.triples, "fast": fast_s, "conforms": fast.conforms}
    row["results"] = len(fast.results)
    if pyshacl:
        answer = pyshacl_time(graph, args.pyshacl_repeat, args.pyshacl_timeout)
        if answer is None:
            row["pyshacl_over"] = args.pyshacl_timeout
        else:
            seconds, conforms, triples, results = answer
            row["pyshacl"] = seconds
            row["same"] = (Counter(map(key, fast.results)), fast.conforms, fast.triples) == (
                results,
                conforms,
                triples,
            )
    return row


def line(row: dict) -> str:
    ref, over = row.get("pyshacl"), row.get("pyshacl_over")
    if ref is not None:
        timing = f"{ref:8.1f}s {ref / row['fast']:8.0f}x"
    elif over is not None:
        ratio = over / row["fast"]
        timing = f"{f'>{over:.0f}s':>9} {f'>{ratio:.0f}x':>9}"
    else:
        timing = f"{'-':>9} {'-':>9}"
    same = {True: f"yes ({row['results']} results)", False: "NO"}.get(row.get("same"), "not compared")
    verdict = "conforms" if row["conforms"] else "VIOLATES"
    return f"{row['graph']:15} {row['triples']:9d} {row['fast']:8.2f}s {timing}  {verdict:10} {same}"


def disk(extra: Path, rounds: int) -> int:
    """On disk, the shipped graph plus ``extra``, ours and the floor in alternation, ``rounds`` times: a validated
    ``kg.bulk_load`` against a bare pyoxigraph ``bulk_load`` + ``optimize``, and ``validate(engine="fast")`` on the
    store against the same compiled checks run bare (``use_default_graph_as_union``, as ours reads the sources).

    Each step is timed on the wall clock and in CPU seconds of this process (all its threads): on a machine
    other jobs share, the wall clock of one step can double from one round to the next, the CPU time hardly."""
    import pyoxigraph as ox

    from kg.core import resources

    files = [*resources.graph_files(), extra]
    checks = [c.sparql for c in shaclfast.compile_shapes().checks]
    fmt = {".nt": ox.RdfFormat.N_TRIPLES, ".nq": ox.RdfFormat.N_QUADS, ".trig": ox.RdfFormat.TRIG}
    best: dict[str, float] = {}
    cpu: dict[str, float] = {}
    clocks = [0.0, 0.0]

    def start() -> None:
        clocks[:] = [time.perf_counter(), time.process_time()]

    def keep(name: str) -> None:
        seconds, used = time.perf_counter() - clocks[0], time.process_time() - clocks[1]
        best[name] = min(seconds, best.get(name, seconds))
        cpu[name] = min(used, cpu.get(name, used))
        print(f"  {name:28} {seconds:8.2f} s wall {used:8.2f} s CPU", flush=True)

    with tempfile.TemporaryDirectory() as tmp:
        for _ in range(rounds):
            folder = Path(tmp) / "floor"
            start()
            store = ox.Store(str(folder))
            for f in files:
                store.bulk_load(
                    path=str(f), format=fmt.get(f.suffix, ox.RdfFormat.TURTLE), base_iri=f.resolve().as_uri()
                )
            store.flush()
            store.optimize()
            keep("floor: bulk_load+optimize")
            start()
            rows = sum(len(list(store.query(text, use_default_graph_as_union=True))) for text in checks)
            keep("floor: compiled checks")
            del store
            start()
            kg.bulk_load(files, Path(tmp) / "ours", validate=True, replace=True, progress=False)
            keep("ours: load, validated")
            graph = kg.open_store(Path(tmp) / "ours")
            start()
            report = graph.validate(engine="fast")
            keep("ours: validate --engine fast")
            del graph
            shutil.rmtree(folder)
            shutil.rmtree(Path(tmp) / "ours")
    print(f"\n{len(checks)} compiled checks ({rows} rows); {report.triples} triples; best of {rounds} round(s)")
    for clock, got in (("wall", best), ("CPU", cpu)):
        ours, checks_alone = got["ours: validate --engine fast"], got["floor: compiled checks"]
        floor_load = got["floor: bulk_load+optimize"] + checks_alone
        print(
            f"{clock:4} validate: ours {ours:.2f} s, floor (compiled checks) {checks_alone:.2f} s, "
            f"ratio {ours / checks_alone:.2f}; validated load: ours {got['ours: load, validated']:.2f} s, floor "
            f"(bulk_load+optimize+checks) {floor_load:.2f} s, ratio {got['ours: load, validated'] / floor_load:.2f}"
        )
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default="1e5,1e6", help="synthetic graph sizes in triples (default: %(default)s)")
    parser.add_argument("--repeat", type=int, default=5, help="fast-engine runs per graph (default: %(default)s)")
    parser.add_argument("--pyshacl-repeat", type=int, default=3, help="pySHACL runs per graph (default: %(default)s)")
    parser.add_argument(
        "--pyshacl-max", type=_count, default=100_000, help="time pySHACL up to this size (default: %(default)s)"
    )
    parser.add_argument(
        "--pyshacl-timeout",
        type=float,
        default=1800,
        help="stop pySHACL after this many seconds (default: %(default)s)",
    )
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--disk", type=Path, help="on disk, the shipped graph plus this file: ours against the floor")
    parser.add_argument("--rounds", type=int, default=2, help="alternating rounds with --disk (default: %(default)s)")
    args = parser.parse_args(argv)
    if args.disk:
        return disk(args.disk, args.rounds)
    sizes = [_count(s) for s in args.sizes.split(",") if s]

    started = time.perf_counter()
    compiled = shaclfast.compile_shapes()
    print(
        f"shapes compiled once: {compiled.shapes} shapes with targets -> {len(compiled.checks)} SPARQL queries in "
        f"{(time.perf_counter() - started) * 1000:.0f} ms",
        flush=True,
    )
    rows = [measure("shipped", kg.load(), args, pyshacl=True)]
    print(f"  {line(rows[-1])}", flush=True)
    with tempfile.TemporaryDirectory() as tmp:
        for size in sizes:
            path = Path(tmp) / f"synth-{size}.nt"
            command = [sys.executable, str(HERE / "synth.py"), "--triples", str(size), "--seed", str(args.seed)]
            subprocess.run([*command, "-o", str(path)], check=True, capture_output=True)
            graph = kg.load(path)
            name = f"synthetic {size:.0e}".replace("+0", "")
            rows.append(measure(name, graph, args, pyshacl=size <= args.pyshacl_max))
            print(f"  {line(rows[-1])}", flush=True)
            del graph

    print()
    print(f"{'graph':15} {'triples':>9} {'fast':>9} {'pySHACL':>9} {'speed-up':>9}  {'verdict':10} same results")
    for row in rows:
        print(line(row))
    python = sys.version.split()[0]
    print(f"\nfast: median of {args.repeat} warm runs; pySHACL: median of {args.pyshacl_repeat} (Python {python})")
    return 0 if all(row.get("same", True) for row in rows) else 1


if __name__ == "__main__":
    raise SystemExit(main())
