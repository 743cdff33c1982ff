"""Side by side, at growing scale: ours (the kg API) against the floor (a bare pyoxigraph script doing the same
work) and against what a user would otherwise use (rdflib's memory store and pySHACL).

    python benchmarks/scale.py [--scales 1e4,1e5,1e6] [--repeat 3] [--budget 900] [--out benchmarks/results]

At each scale the full graph is the shipped ontology and instance data plus synthetic data from
benchmarks/synth.py (seed 0), so that it totals about that many triples (at 1e4, the shipped graph alone). Tasks:

- load: every file into an in-memory store, and into an on-disk store; each load runs in a fresh subprocess
  (``--repeat`` times) so that its peak memory (``ru_maxrss``) is its own;
- every stored query (queries/**.rq) with its default parameters, on the in-memory and the on-disk store;
- ``mitigations``/``risks`` (the floor and rdflib run one SPARQL query that follows the same causal links and
  reads the evidence of the mitigation link, without ranking: a lower bound, not the same work);
- export to N-Triples;
- SHACL validation of the graph plus a small file of deliberate faults, so that the verdicts compared are not
  empty: ours (``engine="fast"`` when the package has it) against pySHACL, the reference.

Times are medians of ``--repeat`` warm runs (one warm-up first); a run longer than ``--once-above`` seconds is not
repeated. rdflib's queries share a time budget per scale (``--budget``); a query past ``--query-timeout`` or past
the budget is marked "> budget". pySHACL runs once per scale, and not above ``--pyshacl-max`` triples.

Writes ``scale.md`` (tables), ``scale.csv`` (every measurement) and ``scale.png`` (log-log plot of time against
triples, one line per task and implementation; needs matplotlib, the ``bench`` extra) to ``--out``, and prints
the ratios.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
SYNTH = HERE / "synth.py"
IMPLEMENTATIONS = ("ours", "floor", "rdflib")
VALIDATE_NAMES = {"ours": "ours (kg, fast engine)", "floor": "floor (its compiled queries, bare)", "rdflib": "pySHACL"}
IMPL_NAMES = {"ours": "ours (kg)", "floor": "floor (bare pyoxigraph)", "rdflib": "rdflib (memory store)"}

# A few deliberate faults, each breaking one shape, so that the validation verdicts compared are not empty.
FAULTS = """\
@prefix sslmb: <https://w3id.org/sslmb/> .
@prefix owl: <http://www.w3.org/2002/07/owl#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix skos: <http://www.w3.org/2004/02/skos/core#> .
@prefix prov: <http://www.w3.org/ns/prov#> .
@prefix qudt: <http://qudt.org/schema/qudt/> .
@prefix unit: <http://qudt.org/vocab/unit/> .
@prefix quantitykind: <http://qudt.org/vocab/quantitykind/> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .

# a strategy that mitigates nothing and has no category
sslmb:FaultStrategy a owl:NamedIndividual, sslmb:MitigationStrategy ;
    rdfs:label "fault: strategy without target"@en ;
    skos:definition "A deliberate fault for the benchmark."@en ;
    prov:wasDerivedFrom sslmb:Section1 .
# a material with two English labels and a link without its axiom
sslmb:FaultMaterial a owl:NamedIndividual, sslmb:GarnetElectrolyte ;
    rdfs:label "fault: garnet one"@en, "fault: garnet two"@en ;
    prov:wasDerivedFrom sslmb:Section1 ;
    sslmb:susceptibleTo sslmb:Combustion ;
    sslmb:hasQuantity sslmb:FaultMaterial_IonicConductivity .
# a negative conductivity whose unit does not measure its kind
sslmb:FaultMaterial_IonicConductivity a owl:NamedIndividual, qudt:QuantityValue ;
    rdfs:label "fault: negative conductivity"@en ;
    sslmb:metric sslmb:IonicConductivity ;
    qudt:hasQuantityKind quantitykind:ElectricConductivity ;
    qudt:value "-1e-4"^^xsd:double ;
    qudt:hasUnit unit:DEG_C ;
    sslmb:printedAs "-10⁻⁴" ;
    prov:wasDerivedFrom sslmb:Ref3 .
# an individual of a class the ontology does not have
sslmb:FaultThing a owl:NamedIndividual, sslmb:GarnetElectrolite ;
    rdfs:label "fault: misspelt class"@en .
"""

# The traversal the floor and rdflib run for `mitigations`: strategies that mitigate the target or one of its
# causes up to three links upstream, with the references of the mitigation link (no ranking, no paths).
MITIGATIONS_SPARQL = """
SELECT ?target ?strategy (MIN(?hops) AS ?distance) (GROUP_CONCAT(DISTINCT STR(?ref); separator=", ") AS ?refs)
WHERE {
  { ?strategy sslmb:mitigates ?target . BIND(?target AS ?via) BIND(0 AS ?hops) }
  UNION { ?via (sslmb:causes|sslmb:contributesTo|sslmb:leadsTo) ?target .
          ?strategy sslmb:mitigates ?via . BIND(1 AS ?hops) }
  UNION { ?via (sslmb:causes|sslmb:contributesTo|sslmb:leadsTo)/(sslmb:causes|sslmb:contributesTo|sslmb:leadsTo)
          ?target . ?strategy sslmb:mitigates ?via . BIND(2 AS ?hops) }
  UNION { ?via (sslmb:causes|sslmb:contributesTo|sslmb:leadsTo)/(sslmb:causes|sslmb:contributesTo|sslmb:leadsTo)
          /(sslmb:causes|sslmb:contributesTo|sslmb:leadsTo) ?target . ?strategy sslmb:mitigates ?via .
          BIND(3 AS ?hops) }
  ?strategy a sslmb:MitigationStrategy .
  OPTIONAL { ?axiom owl:annotatedSource ?strategy ; owl:annotatedProperty sslmb:mitigates ;
                    owl:annotatedTarget ?via ; prov:hadPrimarySource/sslmb:referenceNumber ?ref }
}
GROUP BY ?strategy ?target
ORDER BY ?distance ?strategy
"""
RISKS_SPARQL = """
SELECT DISTINCT ?electrolyte ?failure ?via WHERE {
  ?electrolyte (rdf:type/rdfs:subClassOf*)? ?via .
  { ?via sslmb:susceptibleTo ?failure }
  UNION { ?via sslmb:exhibitsMechanism ?m . ?m sslmb:contributesTo?/sslmb:causes/sslmb:leadsTo? ?failure }
}
"""
TRAVERSALS = [
    ("mitigations", "dendrite penetration", "LithiumDendritePenetration", "target"),
    ("mitigations", "H2S", "HydrogenSulfideRelease", "target"),
    ("risks", "LGPS", "LGPS", "electrolyte"),
]


# ------------------------------------------------------------------------------------------------ helpers


def peak_mb() -> float:
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def rdf_format(path: Path):
    import pyoxigraph as ox

    return {".nt": ox.RdfFormat.N_TRIPLES, ".nq": ox.RdfFormat.N_QUADS, ".trig": ox.RdfFormat.TRIG}.get(
        path.suffix, ox.RdfFormat.TURTLE
    )


def rdflib_graph(files: list[Path]):
    """The files' triples in one rdflib graph: the union of every named graph (sources, synthetic sources)."""
    import rdflib

    formats = {".nt": "nt", ".nq": "nquads", ".trig": "trig"}
    graph = rdflib.Graph()
    for f in files:  # one dataset per file: parsing N-Quads into a dataset that holds Turtle files dropped those
        dataset = rdflib.Dataset(default_union=True)
        dataset.parse(str(f), format=formats.get(f.suffix, "turtle"))
        for triple in dataset.triples((None, None, None)):
            graph.add(triple)
    return graph


class Timeout(Exception):
    pass


def time_limited(seconds: float):
    """A context that raises :class:`Timeout` after ``seconds`` (SIGALRM; pure-Python work is interrupted)."""
    import contextlib
    import signal

    @contextlib.contextmanager
    def limit():
        def fire(*_):
            raise Timeout()

        old = signal.signal(signal.SIGALRM, fire)
        signal.setitimer(signal.ITIMER_REAL, seconds)
        try:
            yield
        finally:
            signal.setitimer(signal.ITIMER_REAL, 0)
            signal.signal(signal.SIGALRM, old)

    return limit()


def measure(fn, repeat: int, once_above: float, warmup: bool = True) -> tuple[list[float], object]:
    """Times of ``fn()`` (a warm-up run first); a run longer than ``once_above`` seconds is not repeated."""
    result = None
    if warmup:
        started = time.perf_counter()
        result = fn()
        first = time.perf_counter() - started
        if first > once_above:
            return [first], result
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - started)
        if times[-1] > once_above:
            break
    return times, result


# ------------------------------------------------------------------------------------------------ children

# Each implementation runs in its own process, so that one's memory and caches do not affect another's. The
# parent starts `scale.py --child SPEC.json` and reads one JSON document from its stdout.


def child_load(spec: dict) -> dict:
    """Load every file, once, into the store kind asked for; report seconds, peak memory and triples."""
    impl, kind = spec["impl"], spec["store"]
    files = [Path(f) for f in spec["files"]]
    target = Path(spec["target"]) if spec.get("target") else None
    if impl == "ours":
        import kg
        from kg import facade  # noqa: F401  (imports are not part of the load)
        from kg.core import resources
        from kg.ingest import bulk  # noqa: F401

        extra = [f for f in files if f not in set(resources.graph_files())]
        started = time.perf_counter()
        if kind == "memory":
            triples = len(kg.load(*extra))
        else:
            report = kg.bulk_load(files, target, validate=False, progress=False)
            triples = report.triples
        seconds = time.perf_counter() - started
    elif impl == "floor":
        import pyoxigraph as ox

        started = time.perf_counter()
        store = ox.Store() if kind == "memory" else ox.Store(str(target))
        for f in files:
            if kind == "memory":
                store.load(path=str(f), format=rdf_format(f), base_iri=f.resolve().as_uri())
            else:
                store.bulk_load(path=str(f), format=rdf_format(f), base_iri=f.resolve().as_uri())
        if kind == "disk":  # what kg.bulk_load leaves: flushed and compacted (queries on disk are then as fast)
            store.flush()
            store.optimize()
        triples = len(store)
        seconds = time.perf_counter() - started
    else:
        import rdflib  # noqa: F401  (imported before the clock starts, so the load's time leaves the import out)

        started = time.perf_counter()
        graph = rdflib_graph(files)
        triples = len(graph)
        seconds = time.perf_counter() - started
    return {"seconds": seconds, "peak_mb": peak_mb(), "triples": triples}


def _bindings_ox(bindings: dict):
    import pyoxigraph as ox

    out = {}
    for name, b in bindings.items():
        term = ox.NamedNode(b["iri"]) if "iri" in b else ox.Literal(b["literal"], datatype=ox.NamedNode(b["dt"]))
        out[ox.Variable(name)] = term
    return out


def _bindings_rdflib(bindings: dict):
    from rdflib import Literal, URIRef, Variable

    return {
        Variable(n): URIRef(b["iri"]) if "iri" in b else Literal(b["literal"], datatype=URIRef(b["dt"]))
        for n, b in bindings.items()
    }


def child_work(spec: dict) -> dict:
    """Open the graph as the implementation would, then run the asked tasks; one record per measurement."""
    impl, kind, repeat, once = spec["impl"], spec["store"], spec["repeat"], spec["once_above"]
    files = [Path(f) for f in spec["files"]]
    prefixes = spec["prefixes"]
    records: list[dict] = []

    def record(task: str, item: str, times: list[float], rows=None, status="ok", note="") -> None:
        records.append(
            {
                "task": task,
                "item": item,
                "seconds": statistics.median(times) if times else None,
                "runs": len(times),
                "rows": rows,
                "status": status,
                "note": note,
            }
        )

    # ---- open the graph (not timed here: loads are measured by child_load)
    if impl == "ours":
        import networkx  # noqa: F401  (imported by mitigations on first use; not part of the figures)

        import kg
        from kg.core import resources

        extra = [f for f in files if f not in set(resources.graph_files())]
        graph = kg.load(*extra) if kind == "memory" else kg.open_store(spec["target"])
    elif impl == "floor":
        import pyoxigraph as ox

        if kind == "memory":
            store = ox.Store()
            for f in files:
                store.load(path=str(f), format=rdf_format(f), base_iri=f.resolve().as_uri())
        else:
            store = ox.Store.read_only(spec["target"])
    else:
        import rdflib

        graph = rdflib_graph(files)
    opened_mb = peak_mb()

    # ---- stored queries
    if "queries" in spec["tasks"]:
        budget = spec.get("budget")
        spent = 0.0
        for q in spec["queries"]:
            name, text = q["name"], q["text"]
            if impl == "ours":

                def fn(name=name):
                    return len(graph.query(name).rows)

            elif impl == "floor":
                subs = _bindings_ox(q["bindings"]) or None

                def fn(text=text, subs=subs):
                    rows = store.query(text, prefixes=prefixes, substitutions=subs, use_default_graph_as_union=True)
                    return len([tuple(s) for s in rows])

            else:
                init = _bindings_rdflib(q["bindings"])

                def fn(text=text, init=init):
                    return len(list(graph.query(text, initNs=prefixes, initBindings=init)))

            if impl == "rdflib" and budget is not None:
                left = budget - spent
                if left <= 0:
                    record("query", name, [], status="> budget", note=f"budget of {budget:.0f} s used up")
                    continue
                limit = min(spec["query_timeout"], left)
                try:
                    with time_limited(limit):
                        times, rows = measure(fn, repeat, once)
                except Timeout:
                    spent += limit
                    record("query", name, [], status="> budget", note=f"stopped after {limit:.0f} s")
                    continue
                except Exception as exc:  # rdflib refuses GRAPH on a plain graph: that query only, not the run
                    record("query", name, [], status="error", note=f"{type(exc).__name__}: {str(exc)[:120]}")
                    continue
                spent += sum(times)
            else:
                times, rows = measure(fn, repeat, once)
            record("query", name, times, rows=rows)

    # ---- traversals
    if "traversal" in spec["tasks"]:
        for task, text, local, var in TRAVERSALS:
            iri = "https://w3id.org/sslmb/" + local
            if impl == "ours":
                call = graph.mitigations if task == "mitigations" else graph.risks

                def fn(call=call, text=text, task=task):
                    result = call(text)
                    return len(result) if task == "mitigations" else len(result.exposures)

                started = time.perf_counter()
                rows = fn()
                record(f"{task} (cold)", text, [time.perf_counter() - started], rows=rows)
                times, rows = measure(fn, repeat, once, warmup=False)
            else:
                sparql = MITIGATIONS_SPARQL if task == "mitigations" else RISKS_SPARQL
                if impl == "floor":
                    subs = {ox.Variable(var): ox.NamedNode(iri)}

                    def fn(sparql=sparql, subs=subs):
                        rows = store.query(
                            sparql, prefixes=prefixes, substitutions=subs, use_default_graph_as_union=True
                        )
                        return len([tuple(s) for s in rows])

                else:
                    init = {rdflib.Variable(var): rdflib.URIRef(iri)}

                    def fn(sparql=sparql, init=init):
                        return len(list(graph.query(sparql, initNs=prefixes, initBindings=init)))

                try:
                    with time_limited(spec["query_timeout"]):
                        times, rows = measure(fn, repeat, once)
                except Timeout:
                    record(task, text, [], status="> budget", note=f"stopped after {spec['query_timeout']:.0f} s")
                    continue
            record(task, text, times, rows=rows)

    # ---- export to N-Triples
    if "export" in spec["tasks"]:
        out = Path(spec["workdir"]) / f"export-{impl}.nt"
        if impl == "ours":

            def fn():
                graph.export(out)

        elif impl == "floor":

            def fn():  # the union's triples, each once, as ours writes them (dumping the default graph alone
                # would write only the ontology)
                found = store.query("CONSTRUCT WHERE { ?s ?p ?o }", use_default_graph_as_union=True)
                found.serialize(output=str(out), format=ox.RdfFormat.N_TRIPLES)

        else:

            def fn():
                graph.serialize(destination=str(out), format="nt", encoding="utf-8")

        times, _ = measure(fn, repeat, once, warmup=impl != "rdflib")
        record("export", "N-Triples", times, rows=os.path.getsize(out))
        out.unlink()

    return {"records": records, "opened_peak_mb": opened_mb, "final_peak_mb": peak_mb()}


def _result_key(focus: str, path: str | None, constraint: str | None) -> tuple[str, str, str]:
    from kg.core.namespaces import shorten

    focus = focus if not focus.startswith("_:") else "_:blank"
    return (shorten(focus), shorten(path) if path else "", (constraint or "").rsplit("#", 1)[-1].replace("sh:", ""))


def child_validate(spec: dict) -> dict:
    """Validate the graph plus the faults: ours through the kg API, the user's way with rdflib + pySHACL."""
    files = [Path(f) for f in spec["files"]]
    if spec["impl"] == "ours":
        import inspect

        import kg
        from kg.core import resources

        extra = [f for f in files if f not in set(resources.graph_files())]
        graph = kg.load(*extra)
        fast = "engine" in inspect.signature(graph.validate).parameters
        # the first run compiles the shapes (cached for the process): it is reported apart
        started = time.perf_counter()
        report = graph.validate(engine="fast") if fast else graph.validate()
        first = time.perf_counter() - started
        times = [first]
        if fast and first < spec["once_above"]:
            times, report = measure(lambda: graph.validate(engine="fast"), spec["repeat"], spec["once_above"], False)
        keys = [_result_key(r.focus, r.path, r.constraint) + (r.severity,) for r in report.results]
        return {
            "seconds": statistics.median(times),
            "first": first,
            "conforms": report.conforms,
            "keys": sorted(keys),
            "engine": "fast" if fast else "pyshacl (no fast engine yet)",
            "peak_mb": peak_mb(),
        }
    if spec["impl"] == "floor":
        # the same compiled queries, run on a bare store: the floor under the fast engine's own work
        import pyoxigraph as ox

        store = ox.Store()
        for f in files:
            store.load(path=str(f), format=rdf_format(f), base_iri=f.resolve().as_uri())
        checks = json.loads(Path(spec["checks"]).read_text(encoding="utf-8"))

        def run() -> int:
            # over the union of the sources' named graphs, as ours reads them (kg.core.backends.union)
            return sum(
                len([tuple(row) for row in store.query(text, use_default_graph_as_union=True)]) for text in checks
            )

        times, rows = measure(run, spec["repeat"], spec["once_above"])
        return {
            "seconds": statistics.median(times),
            "first": None,
            "conforms": None,
            "keys": None,
            "rows": rows,
            "engine": f"{len(checks)} compiled queries",
            "peak_mb": peak_mb(),
        }
    import pyshacl
    import rdflib
    from rdflib.namespace import SH

    from kg.core import resources

    data = rdflib_graph(files)
    shapes = rdflib.Graph()
    for f in resources.shape_files():
        shapes.parse(str(f), format="turtle")
    started = time.perf_counter()
    conforms, report, _ = pyshacl.validate(
        data, shacl_graph=shapes, inference="none", advanced=True, allow_warnings=True
    )
    seconds = time.perf_counter() - started
    keys = []
    for result in report.subjects(SH.resultSeverity, None):
        focus = report.value(result, SH.focusNode)
        path = report.value(result, SH.resultPath)
        component = report.value(result, SH.sourceConstraintComponent)
        severity = str(report.value(result, SH.resultSeverity)).rsplit("#", 1)[-1]
        focus_text = str(focus) if isinstance(focus, rdflib.URIRef) else "_:blank"
        path_text = str(path) if isinstance(path, rdflib.URIRef) else None
        keys.append(_result_key(focus_text, path_text, str(component) if component else None) + (severity,))
    return {
        "seconds": seconds,
        "conforms": bool(conforms),
        "keys": sorted(keys),
        "engine": "pyshacl",
        "peak_mb": peak_mb(),
    }


def run_child(kind: str, spec: dict, timeout: float | None = None) -> dict:
    spec_path = Path(spec["workdir"]) / f"spec-{os.getpid()}.json"
    spec_path.write_text(json.dumps({**spec, "child": kind}), encoding="utf-8")
    try:
        done = subprocess.run(
            [sys.executable, str(Path(__file__).resolve()), "--child", str(spec_path)],
            capture_output=True,
            text=True,
            timeout=timeout,
            cwd=REPO,
        )
    except subprocess.TimeoutExpired:
        return {"error": f"> {timeout:.0f} s"}
    finally:
        spec_path.unlink(missing_ok=True)
    if done.returncode != 0:
        tail = done.stderr.strip().splitlines()[-3:]
        return {"error": " | ".join(tail) or f"exit {done.returncode}"}
    return json.loads(done.stdout.strip().splitlines()[-1])


# ------------------------------------------------------------------------------------------------ the parent


def scale_label(value: float) -> str:
    exponent = len(str(int(value))) - 1
    return f"1e{exponent}" if int(value) == 10**exponent else f"{value:g}"


def prepare_data(scale: int, workdir: Path, shipped: int) -> Path | None:
    """The synthetic file for a scale (generated once and kept in the work folder), or None at the review's size."""
    extra = scale - shipped
    if extra <= 0:
        return None
    out = workdir / f"synth-{scale_label(scale)}.nq"
    if not out.exists():
        subprocess.run([sys.executable, str(SYNTH), "--triples", str(scale), "--seed", "0", "-o", str(out)], check=True)
    return out


def stored_queries_spec() -> list[dict]:
    """Name, text and default bindings (resolved once, on the shipped graph) of every stored query."""
    import kg
    from kg.model import queries as sparql

    g = kg.load()
    out = []
    for q in kg.queries():
        prepared = sparql.prepare(g, q.name)
        bindings = {}
        for name, term in prepared.bindings.items():
            if hasattr(term, "datatype"):
                bindings[name] = {"literal": term.value, "dt": term.datatype.value}
            else:
                bindings[name] = {"iri": term.value}
        out.append({"name": q.name, "kind": q.kind, "text": prepared.text, "bindings": bindings})
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--scales", default="1e4,1e5,1e6", help="comma-separated graph sizes (triples)")
    parser.add_argument("--repeat", type=int, default=3, help="timed runs per measurement (median reported)")
    parser.add_argument("--rounds", type=int, default=2, help="alternating rounds of ours and the floor")
    parser.add_argument("--once-above", type=float, default=10.0, help="do not repeat a run longer than this (s)")
    parser.add_argument("--budget", type=float, default=900.0, help="rdflib's time for all queries, per scale (s)")
    parser.add_argument("--query-timeout", type=float, default=180.0, help="rdflib's time for one query (s)")
    parser.add_argument("--pyshacl-max", type=float, default=1.1e6, help="largest graph given to pySHACL")
    parser.add_argument("--pyshacl-timeout", type=float, default=3600.0, help="pySHACL's time for one run (s)")
    parser.add_argument("--rdflib-max", type=float, default=1.1e6, help="largest graph given to rdflib")
    parser.add_argument("--tasks", default="load,queries,traversal,export,validate", help="what to measure")
    parser.add_argument("--workdir", type=Path, default=Path("/tmp/sslmb-scale"))
    parser.add_argument("--out", type=Path, default=HERE / "results")
    parser.add_argument(
        "--from-csv",
        nargs="+",
        type=Path,
        help="measure nothing: render the tables and plot from these CSV files (a later file's rows replace an "
        "earlier one's for the same scale, task, item, implementation and store)",
    )
    parser.add_argument("--child", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)

    if args.child:
        spec = json.loads(args.child.read_text(encoding="utf-8"))
        fn = {"load": child_load, "work": child_work, "validate": child_validate}[spec["child"]]
        print(json.dumps(fn(spec)))
        return 0

    import kg
    from kg.core import resources
    from kg.core.namespaces import PREFIXES

    if args.from_csv:
        args.out.mkdir(parents=True, exist_ok=True)
        write_results(read_csv(args.from_csv), args, len(kg.load()), final=True)
        return 0

    args.workdir.mkdir(parents=True, exist_ok=True)
    args.out.mkdir(parents=True, exist_ok=True)
    shipped_files = [Path(p) for p in resources.graph_files()]
    shipped = len(kg.load())
    queries = stored_queries_spec()
    faults = args.workdir / "faults.ttl"
    faults.write_text(FAULTS, encoding="utf-8")
    checks_file = args.workdir / "compiled-checks.json"
    checks_file.unlink(missing_ok=True)
    try:  # the fast engine's compiled queries, for the validation floor
        from kg.validation.fast import compile_shapes

        checks_file.write_text(json.dumps([c.sparql for c in compile_shapes().checks]), encoding="utf-8")
    except ImportError:
        pass
    scales = [int(float(s)) for s in args.scales.split(",")]
    wanted = {t.strip() for t in args.tasks.split(",")}
    rows: list[dict] = []
    started_all = time.perf_counter()

    def add(scale, triples, task, item, impl, store, seconds, runs=None, rows_=None, peak=None, status="ok", note=""):
        rows.append(
            {
                "scale": scale_label(scale),
                "triples": triples,
                "task": task,
                "item": item,
                "impl": impl,
                "store": store,
                "seconds": None if seconds is None else round(seconds, 6),
                "runs": runs,
                "rows": rows_,
                "peak_mb": None if peak is None else round(peak),
                "status": status,
                "note": note,
            }
        )

    def log(text: str) -> None:
        print(f"[{time.perf_counter() - started_all:7.1f} s] {text}", file=sys.stderr, flush=True)

    for scale in scales:
        synthetic = prepare_data(scale, args.workdir, shipped)
        files = shipped_files + ([synthetic] if synthetic else [])
        triples = shipped + (sum(1 for _ in open(synthetic, "rb")) if synthetic else 0)
        label = scale_label(scale)
        log(f"scale {label}: {triples} triples")
        base = {
            "files": [str(f) for f in files],
            "workdir": str(args.workdir),
            "prefixes": PREFIXES,
            "repeat": args.repeat,
            "once_above": args.once_above,
            "query_timeout": args.query_timeout,
        }
        rdflib_ok = triples <= args.rdflib_max

        # ---- loads, each in a fresh process, the implementations in alternation (repeat after repeat); without
        # "load" in --tasks, only the on-disk stores the queries need are made
        combos = [("ours", "memory"), ("floor", "memory"), ("ours", "disk"), ("floor", "disk"), ("rdflib", "memory")]
        if "load" not in wanted:
            for impl, store in combos:
                if store == "disk" and wanted & {"queries", "traversal"}:
                    target = args.workdir / f"store-{impl}"
                    shutil.rmtree(target, ignore_errors=True)
                    run_child("load", {**base, "impl": impl, "store": store, "target": str(target)})
            combos = []
        if not rdflib_ok and ("rdflib", "memory") in combos:
            combos.remove(("rdflib", "memory"))
            note = f"rdflib not run above {args.rdflib_max:g} triples"
            add(scale, triples, "load", "all files", "rdflib", "memory", None, status="> budget", note=note)
        samples: dict[tuple, list] = {c: [] for c in combos}
        errors: dict[tuple, str] = {}
        for _ in range(args.repeat):
            for impl, store in combos:
                taken = samples[(impl, store)]
                if (impl, store) in errors or (taken and taken[-1]["seconds"] > args.once_above):
                    continue
                target = args.workdir / f"store-{impl}"
                if store == "disk":  # (a load into memory must not remove the store a disk load left)
                    shutil.rmtree(target, ignore_errors=True)
                out = run_child("load", {**base, "impl": impl, "store": store, "target": str(target)})
                if "error" in out:
                    errors[(impl, store)] = out["error"]
                else:
                    taken.append(out)
        for (impl, store), taken in samples.items():
            if (impl, store) in errors:
                add(scale, triples, "load", "all files", impl, store, None, status="error", note=errors[(impl, store)])
                log(f"  load {impl}/{store}: {errors[(impl, store)]}")
                continue
            seconds = statistics.median(o["seconds"] for o in taken)
            peak = max(o["peak_mb"] for o in taken)
            add(
                scale,
                triples,
                "load",
                "all files",
                impl,
                store,
                seconds,
                runs=len(taken),
                rows_=taken[-1]["triples"],
                peak=peak,
            )
            log(f"  load {impl}/{store}: {seconds:.3f} s, {peak:.0f} MB, {taken[-1]['triples']} triples")

        # ---- queries, traversals, export (the on-disk stores are those the last load left). Ours and the floor
        # run in alternation for --rounds rounds and keep each measurement's best median, so that a burst of
        # load from elsewhere on the machine does not fall on one implementation only.
        best: dict[tuple, dict] = {}
        order = [(i, st) for st in ("memory", "disk") for i in ("ours", "floor")] * args.rounds
        order += [("rdflib", "memory")] if rdflib_ok else []
        for impl, store in order:
            tasks = [t for t in ("queries", "traversal", "export") if t in wanted]
            if store == "disk" and "export" in tasks:
                tasks.remove("export")
            if not tasks:
                continue
            spec = {
                **base,
                "impl": impl,
                "store": store,
                "target": str(args.workdir / f"store-{impl}"),
                "tasks": tasks,
                "queries": queries,
                "budget": args.budget if impl == "rdflib" else None,
            }
            out = run_child("work", spec)
            if "error" in out:
                add(scale, triples, "work", "", impl, store, None, status="error", note=out["error"])
                log(f"  work {impl}/{store}: {out['error']}")
                continue
            for r in out["records"]:
                key = (r["task"], r["item"], impl, store)
                kept = best.get(key)
                if kept is None or (
                    r["seconds"] is not None and (kept["seconds"] is None or r["seconds"] < kept["seconds"])
                ):
                    best[key] = r
            done = [r for r in out["records"] if r["task"] == "query" and r["seconds"] is not None]
            log(f"  work {impl}/{store}: {len(done)} queries in {sum(r['seconds'] for r in done):.2f} s")
        for (task, item, impl, store), r in best.items():
            add(
                scale,
                triples,
                task,
                item,
                impl,
                store,
                r["seconds"],
                runs=r["runs"],
                rows_=r["rows"],
                status=r["status"],
                note=r["note"],
            )
        for line in slowest_queries(best):
            log(line)

        # ---- validation: ours against pySHACL on the graph plus the faults
        vfiles = {**base, "files": base["files"] + [str(faults)], "checks": str(checks_file)}
        verdicts = {}
        for impl in ("ours", "floor", "rdflib") if "validate" in wanted else ():
            if impl == "floor" and not checks_file.exists():
                continue
            if impl == "rdflib" and triples > args.pyshacl_max:
                add(
                    scale,
                    triples,
                    "validate",
                    "shapes + faults",
                    impl,
                    "memory",
                    None,
                    status="> budget",
                    note=f"pySHACL not run above {args.pyshacl_max:g} triples",
                )
                continue
            out = run_child(
                "validate", {**vfiles, "impl": impl}, timeout=args.pyshacl_timeout if impl == "rdflib" else None
            )
            if "error" in out:
                add(
                    scale,
                    triples,
                    "validate",
                    "shapes + faults",
                    impl,
                    "memory",
                    None,
                    status="error",
                    note=out["error"],
                )
                log(f"  validate {impl}: {out['error']}")
                continue
            verdicts[impl] = out
            results = len(out["keys"]) if out["keys"] is not None else out["rows"]
            first = f"; first run, compiling the shapes: {out['first']:.3f} s" if out.get("first") else ""
            add(
                scale,
                triples,
                "validate",
                "shapes + faults",
                impl,
                "memory",
                out["seconds"],
                rows_=results,
                peak=out["peak_mb"],
                note=out["engine"] + first,
            )
            log(f"  validate {impl} ({out['engine']}): {out['seconds']:.2f} s, {results} results{first}")
        if "ours" in verdicts and "rdflib" in verdicts:
            same = verdicts["ours"]["keys"] == verdicts["rdflib"]["keys"] and (
                verdicts["ours"]["conforms"] == verdicts["rdflib"]["conforms"]
            )
            add(
                scale,
                triples,
                "verdicts",
                "ours == pySHACL",
                "ours",
                "memory",
                None,
                status="identical" if same else "DIFFERENT",
                note="" if same else _diff(verdicts["ours"]["keys"], verdicts["rdflib"]["keys"]),
            )

        write_results(rows, args, shipped)  # after each scale, so that a long run leaves partial results

    write_results(rows, args, shipped, final=True)
    return 0


def slowest_queries(best: dict, count: int = 5) -> list[str]:
    """The ``count`` slowest stored queries of one scale, ours on each store, with the floor's time beside them."""
    lines = []
    for store in ("memory", "disk"):
        ours = [
            (r["seconds"], item)
            for (task, item, impl, st), r in best.items()
            if task == "query" and impl == "ours" and st == store and r["seconds"] is not None
        ]
        if not ours:
            continue
        lines.append(f"  the {count} slowest stored queries, ours/{store} (floor beside):")
        for seconds, item in sorted(ours, reverse=True)[:count]:
            floor = best.get(("query", item, "floor", store))
            beside = f"{floor['seconds']:.3f} s" if floor and floor["seconds"] is not None else "-"
            lines.append(f"    {seconds:8.3f} s  (floor {beside})  {item}")
    return lines


def _diff(a: list, b: list) -> str:
    from collections import Counter

    ca, cb = Counter(map(tuple, a)), Counter(map(tuple, b))
    only_a, only_b = list((ca - cb).elements())[:3], list((cb - ca).elements())[:3]
    return f"only ours: {only_a}; only pySHACL: {only_b}"


# ------------------------------------------------------------------------------------------------ reporting


def summary(rows: list[dict]) -> dict:
    """(scale, task, impl, store) -> aggregated seconds (queries summed), with peak memory and status."""
    out: dict = {}
    for r in rows:
        if r["task"] == "query":
            key = (r["scale"], "queries", r["impl"], r["store"])
            entry = out.setdefault(
                key, {"seconds": 0.0, "missing": 0, "failed": 0, "triples": r["triples"], "peak_mb": None}
            )
            if r["seconds"] is None and r["status"] == "error":
                entry["failed"] += 1  # the implementation refused the query (rdflib: GRAPH on a plain graph)
            elif r["seconds"] is None:
                entry["missing"] += 1
            else:
                entry["seconds"] += r["seconds"]
        elif r["task"] in ("load", "mitigations", "mitigations (cold)", "risks", "risks (cold)", "export", "validate"):
            key = (r["scale"], r["task"], r["impl"], r["store"])
            entry = out.setdefault(
                key, {"seconds": 0.0, "missing": 0, "triples": r["triples"], "peak_mb": r["peak_mb"]}
            )
            if r["seconds"] is None:
                entry["missing"] += 1
                entry["error"] = entry.get("error") or r["status"] == "error"
                if r["status"].startswith(">"):
                    entry["bound"] = r["status"]  # a lower bound, e.g. "> 370 s"
            else:
                entry["seconds"] += r["seconds"]
    return out


def ratios(rows: list[dict]) -> list[tuple[str, str, float | None, str]]:
    """The target ratios at each scale: (scale, what, value, target)."""
    found = []
    by = {(r["scale"], r["task"], r["item"], r["impl"], r["store"]): r for r in rows}
    for scale in dict.fromkeys(r["scale"] for r in rows):
        for store in ("memory", "disk"):
            names = [
                r["item"]
                for r in rows
                if r["scale"] == scale
                and r["task"] == "query"
                and r["impl"] == "ours"
                and r["store"] == store
                and r["seconds"] is not None
            ]
            pairs = [
                (by[(scale, "query", n, "ours", store)], by.get((scale, "query", n, "floor", store))) for n in names
            ]
            pairs = [(o, f) for o, f in pairs if f is not None and f["seconds"] is not None]
            if pairs:
                found.append(
                    (
                        scale,
                        f"stored queries ({store}), ours / floor, sum of {len(pairs)}",
                        sum(o["seconds"] for o, _ in pairs) / sum(f["seconds"] for _, f in pairs),
                        "<= 1.2",
                    )
                )
                each = sorted((o["seconds"] / f["seconds"], o["item"]) for o, f in pairs if f["seconds"])
                found.append(
                    (
                        scale,
                        f"stored queries ({store}), ours / floor, per query: median (highest: {each[-1][1]})",
                        statistics.median(v for v, _ in each),
                        f"highest {each[-1][0]:.2f}",
                    )
                )
                slow = sorted((o["seconds"], o["item"]) for o, _ in pairs if o["seconds"] > 1.0)
                found.append(
                    (
                        scale,
                        f"stored queries ({store}) over 1 s, ours"
                        + (f" (slowest: {slow[-1][1]}, {slow[-1][0]:.2f} s)" if slow else ""),
                        len(slow),
                        "0 (issue 16, on disk)" if store == "disk" else "",
                    )
                )
        pairs = []
        for n in [
            r["item"]
            for r in rows
            if r["scale"] == scale and r["task"] == "query" and r["impl"] == "rdflib" and r["seconds"] is not None
        ]:
            o = by.get((scale, "query", n, "ours", "memory"))
            if o and o["seconds"]:
                pairs.append((o, by[(scale, "query", n, "rdflib", "memory")]))
        if pairs:
            found.append(
                (
                    scale,
                    f"stored queries, rdflib / ours, sum of the {len(pairs)} rdflib finished",
                    sum(r["seconds"] for _, r in pairs) / sum(o["seconds"] for o, _ in pairs),
                    ">= 50",
                )
            )
            each = sorted((r["seconds"] / o["seconds"], o["item"]) for o, r in pairs)
            found.append(
                (
                    scale,
                    f"stored queries, rdflib / ours, per query: median (lowest: {each[0][1]})",
                    statistics.median(v for v, _ in each),
                    f"lowest {each[0][0]:.2f}",
                )
            )
            not_run = [
                r["status"]
                for r in rows
                if r["scale"] == scale and r["task"] == "query" and r["impl"] == "rdflib" and r["seconds"] is None
            ]
            unfinished = sum(1 for status in not_run if status != "error")
            if unfinished:
                found.append((scale, "stored queries rdflib did not finish within the budget", unfinished, ""))
            if len(not_run) > unfinished:  # GRAPH on rdflib's plain graph of the union
                found.append((scale, "stored queries rdflib refused (GRAPH)", len(not_run) - unfinished, ""))
        ours_v = by.get((scale, "validate", "shapes + faults", "ours", "memory"))
        ref_v = by.get((scale, "validate", "shapes + faults", "rdflib", "memory"))
        if ours_v and ref_v and ours_v["seconds"] and ref_v["seconds"]:
            found.append(
                (
                    scale,
                    f"validation, pySHACL / ours ({ours_v['note'].split(';')[0]})",
                    ref_v["seconds"] / ours_v["seconds"],
                    ">= 10",
                )
            )
        stopped = ref_v["status"][2:].split()[0] if ref_v and ref_v["status"].startswith("> ") else ""
        if ours_v and ref_v and ours_v["seconds"] and ref_v["seconds"] is None and stopped.replace(".", "").isdigit():
            bound = float(stopped)  # pySHACL was stopped after this long, unfinished (not: skipped above --pyshacl-max)
            found.append(
                (
                    scale,
                    "validation, pySHACL / ours, lower bound (pySHACL unfinished)",
                    bound / ours_v["seconds"],
                    ">= 10",
                )
            )
        floor_v = by.get((scale, "validate", "shapes + faults", "floor", "memory"))
        if ours_v and floor_v and ours_v["seconds"] and floor_v["seconds"]:
            found.append((scale, "validation, ours / floor", ours_v["seconds"] / floor_v["seconds"], "<= 1.3"))
        for store, target in (("disk", "<= 1.3"), ("memory", "")):
            o = by.get((scale, "load", "all files", "ours", store))
            f = by.get((scale, "load", "all files", "floor", store))
            if o and f and o["seconds"] and f["seconds"]:
                found.append((scale, f"load ({store}), ours / floor", o["seconds"] / f["seconds"], target))
        for item in ("dendrite penetration", "H2S"):
            o = by.get((scale, "mitigations", item, "ours", "memory"))
            c = by.get((scale, "mitigations (cold)", item, "ours", "memory"))
            if o and o["seconds"] is not None:
                found.append((scale, f"mitigations({item!r}) warm, seconds", o["seconds"], "< 1 s"))
            if c and c["seconds"] is not None:
                found.append((scale, f"mitigations({item!r}) first call, seconds", c["seconds"], "< 1 s"))
    return found


def fmt_seconds(entry: dict | None) -> str:
    if entry is None:
        return "—"
    if entry["missing"] and not entry["seconds"]:
        return "error" if entry.get("error") else entry.get("bound", "> budget")
    s = entry["seconds"]
    text = f"{s * 1000:.1f} ms" if s < 1 else f"{s:.2f} s"
    if entry["missing"]:
        text += f" (+{entry['missing']} > budget)"
    if entry.get("failed"):
        text += f" (+{entry['failed']} refused)"
    if entry.get("peak_mb"):
        text += f", {entry['peak_mb']} MB"
    return text


TASK_ORDER = [
    ("load", "memory"),
    ("load", "disk"),
    ("queries", "memory"),
    ("queries", "disk"),
    ("mitigations (cold)", "memory"),
    ("mitigations", "memory"),
    ("mitigations", "disk"),
    ("risks", "memory"),
    ("export", "memory"),
    ("validate", "memory"),
]


def read_csv(paths: list[Path]) -> list[dict]:
    """Rows of earlier runs' scale.csv files, typed again; a later file's row replaces an earlier one's."""
    merged: dict[tuple, dict] = {}
    for path in paths:
        with open(path, newline="", encoding="utf-8") as fh:
            for row in csv.DictReader(fh):
                for name, cast in (
                    ("triples", int),
                    ("seconds", float),
                    ("runs", int),
                    ("rows", int),
                    ("peak_mb", int),
                ):
                    row[name] = cast(row[name]) if row[name] not in ("", None) else None
                row["source"] = path.name if len(paths) > 1 else ""
                merged[(row["scale"], row["task"], row["item"], row["impl"], row["store"])] = row
    return list(merged.values())


def write_results(rows: list[dict], args, shipped: int, final: bool = False) -> None:
    out = args.out
    with open(out / "scale.csv", "w", newline="", encoding="utf-8") as fh:
        writer = csv.DictWriter(fh, fieldnames=list(rows[0].keys()) if rows else ["scale"])
        writer.writeheader()
        writer.writerows(rows)
    agg = summary(rows)
    scales = list(dict.fromkeys(r["scale"] for r in rows))
    triples = {r["scale"]: r["triples"] for r in rows}
    lines = [
        "# Scale benchmark",
        "",
        f"`python benchmarks/scale.py --scales {args.scales} --repeat {args.repeat}` on this machine:"
        f" {os.cpu_count()} cores, Python {platform.python_version()}, {platform.system()}; "
        f"{time.strftime('%Y-%m-%d')}. Shipped graph: {shipped} triples; the rest is `benchmarks/synth.py` (seed 0).",
        "Medians of warm runs. Memory is the peak resident set of the process (ru_maxrss) after the task.",
        *(
            [
                f"Merged from {', '.join(str(p) for p in args.from_csv)}: "
                + "; ".join(
                    sorted(
                        {
                            f"{r['task']} at {r['scale']} from {r['source']}"
                            for r in rows
                            if r.get("source") and r["source"] != Path(args.from_csv[0]).name
                        }
                    )
                )
            ]
            if getattr(args, "from_csv", None) and len(args.from_csv) > 1
            else []
        ),
        "",
        "| task | store | implementation | " + " | ".join(f"{s} ({triples[s]:,} triples)" for s in scales) + " |",
        "|---|---|---|" + "---|" * len(scales),
    ]
    names = {
        "load": "load all files",
        "queries": "every stored query (sum)",
        "mitigations (cold)": "mitigations + risks, first call",
        "mitigations": "mitigations (2 targets, warm)",
        "risks": "risks (warm)",
        "export": "export N-Triples",
        "validate": "SHACL validation (+ faults)",
    }
    for task, store in TASK_ORDER:
        for impl in IMPLEMENTATIONS:
            cells = [agg.get((s, task, impl, store)) for s in scales]
            if task == "mitigations (cold)":
                cells = [
                    _plus(agg.get((s, task, impl, store)), agg.get((s, "risks (cold)", impl, store))) for s in scales
                ]
            if all(c is None for c in cells):
                continue
            impl_name = VALIDATE_NAMES[impl] if task == "validate" else IMPL_NAMES[impl]
            lines.append(
                f"| {names.get(task, task)} | {store} | {impl_name} | "
                + " | ".join(fmt_seconds(c) for c in cells)
                + " |"
            )
    lines += ["", "## Ratios (same machine, same run)", "", "| scale | ratio | value | target |", "|---|---|---|---|"]
    for scale, what, value, target in ratios(rows):
        lines.append(f"| {scale} | {what} | {value:.2f} | {target} |")
    verdicts = [r for r in rows if r["task"] == "verdicts"]
    if verdicts:
        lines += [
            "",
            "Validation verdicts, ours against pySHACL: "
            + "; ".join(f"{r['scale']}: {r['status']}" + (f" ({r['note']})" if r["note"] else "") for r in verdicts),
        ]
    lines += [
        "",
        "## Every stored query",
        "",
        "| scale | query | "
        + " | ".join(
            f"{i} {st}" for i in IMPLEMENTATIONS for st in ("memory", "disk") if not (i == "rdflib" and st == "disk")
        )
        + " | rows |",
        "|---|---|" + "---|" * 6,
    ]
    by = {(r["scale"], r["item"], r["impl"], r["store"]): r for r in rows if r["task"] == "query"}
    for scale in scales:
        for name in dict.fromkeys(r["item"] for r in rows if r["task"] == "query" and r["scale"] == scale):
            cells = []
            for impl in IMPLEMENTATIONS:
                for st in ("memory", "disk"):
                    if impl == "rdflib" and st == "disk":
                        continue
                    r = by.get((scale, name, impl, st))
                    cells.append(
                        "—" if r is None else (r["status"] if r["seconds"] is None else f"{r['seconds'] * 1000:.1f} ms")
                    )
            ours = by.get((scale, name, "ours", "memory"))
            counted = ours["rows"] if ours else None
            # every implementation must return as many rows as ours: a difference is shown
            others = [
                f"{i} {st}: {r['rows']}"
                for (s, n, i, st), r in by.items()
                if s == scale and n == name and r["rows"] is not None and r["rows"] != counted
            ]
            lines.append(
                f"| {scale} | {name} | "
                + " | ".join(cells)
                + f" | {counted if counted is not None else ''}"
                + (f" (≠ {'; '.join(others)})" if others else "")
                + " |"
            )
    (out / "scale.md").write_text("\n".join(lines) + "\n", encoding="utf-8")
    if final:
        plot(agg, scales, triples, out / "scale.png")
        print(
            "\n".join(
                f"{scale:>4}  {what:<70} {value:8.2f}   target {target}" for scale, what, value, target in ratios(rows)
            )
        )


def _plus(a: dict | None, b: dict | None) -> dict | None:
    if a is None or b is None:
        return a or b
    return {**a, "seconds": a["seconds"] + b["seconds"], "missing": a["missing"] + b["missing"],
            "failed": a.get("failed", 0) + b.get("failed", 0)}


def plot(agg: dict, scales: list[str], triples: dict, path: Path) -> None:
    try:
        import matplotlib
    except ImportError:
        print("matplotlib is missing (pip install -e '.[bench]'): no plot written", file=sys.stderr)
        return
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(11, 7))
    colours = {
        "load": "tab:blue",
        "queries": "tab:orange",
        "mitigations": "tab:green",
        "export": "tab:purple",
        "validate": "tab:red",
    }
    styles = {"ours": "-", "floor": "--", "rdflib": ":"}
    markers = {"memory": "o", "disk": "s"}
    for task, store in TASK_ORDER:
        if task not in colours:
            continue
        for impl in IMPLEMENTATIONS:
            points = [
                (triples[s], agg[(s, task, impl, store)]["seconds"])
                for s in scales
                if (s, task, impl, store) in agg
                and agg[(s, task, impl, store)]["seconds"]
                and not agg[(s, task, impl, store)]["missing"]
            ]
            if not points:
                continue
            xs, ys = zip(*points, strict=True)
            name = VALIDATE_NAMES[impl] if task == "validate" else IMPL_NAMES[impl]
            ax.plot(
                xs, ys, styles[impl], marker=markers[store], color=colours[task], label=f"{task} ({store}) — {name}"
            )
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlabel("triples in the graph")
    ax.set_ylabel("seconds")
    ax.set_title("sslmb-kg at scale: ours vs bare pyoxigraph vs rdflib + pySHACL")
    ax.grid(True, which="both", alpha=0.3)
    ax.legend(fontsize=7, ncol=2)
    fig.tight_layout()
    fig.savefig(path, dpi=120)


if __name__ == "__main__":
    sys.exit(main())
