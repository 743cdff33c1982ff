"""The ``sslmb`` command line: parses arguments, calls the library, prints.

Exit codes: 0 ok, 1 the check found problems (validation violations, an inconsistent ontology, a failed
quality check, no match), 2 usage or input error. Built on argparse from the standard library: a cold
``sslmb query`` is dominated by start-up, and click alone cost more to import than loading the whole graph.
"""

from __future__ import annotations

import argparse
import re
import sys

from kg.core.errors import KGError, WrongKindError, echo

EPILOG = "Exit codes: 0 success, 1 a check found problems, 2 usage or input error."
# A message is one line of at most this many characters, whatever the user typed.
_MESSAGE_LIMIT = 1000


def _one_line(message: str) -> str:
    """A message as one line: newlines folded, quoted values a user typed cut short, the whole bounded."""
    message = " ".join(str(message).split())
    message = re.sub(r"'([^']{100})[^']+'", lambda m: f"'{m.group(1)}…'", message)
    return message if len(message) <= _MESSAGE_LIMIT else message[: _MESSAGE_LIMIT - 1] + "…"


class _Parser(argparse.ArgumentParser):
    """argparse, with its errors as one line (``sslmb: error: ...`` and where help is), exit 2, like every
    other error of the command; never the usage block."""

    command: str | None = None  # the subcommand typed, for the top parser's errors (set by main)

    def error(self, message: str) -> None:  # type: ignore[override]
        command = self.prog.split()[1:2] or ([self.command] if self.command else [])
        see = " ".join(["sslmb", *command, "--help"])
        self.exit(2, f"sslmb: error: {_one_line(message)} (see: {see})\n")


def _count(minimum: int):
    """An argparse type: a whole number of at least ``minimum``."""

    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"not a whole number: {echo(text, 40)}") from None
        if value < minimum:
            raise argparse.ArgumentTypeError(f"must be at least {minimum}, got {value}")
        return value

    return parse


def _seconds(text: str) -> float:
    """An argparse type: a positive, finite number of seconds."""
    import math

    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number: {echo(text, 40)}") from None
    if not math.isfinite(value) or value <= 0:
        raise argparse.ArgumentTypeError(f"must be a positive number of seconds, got {echo(text, 40)}")
    return value


def _port(text: str) -> int:
    value = _count(0)(text)
    if value > 65535:
        raise argparse.ArgumentTypeError(f"a port is 0 to 65535, got {value}")
    return value


# Where the running command reads the graph: --store DIR / --endpoint URL [--graph IRI] (kg/backends.py), set
# by main() for every command that reads the graph; empty means the shipped graph, in memory.
_SOURCE: dict[str, str] = {}


def _graph():
    if _SOURCE:
        from kg.facade import open_graph

        return open_graph(**_SOURCE)
    from kg.facade import load

    return load()


def _json(obj) -> None:
    from kg.core.jsonout import to_json

    print(to_json(obj))


def _table(headers, rows) -> None:
    from kg.output.text import table

    print(table(headers, rows))


# ------------------------------------------------------------------------------------------ commands


def cmd_validate(args) -> int:
    report = _graph().validate(args.files, engine=args.engine)
    if args.format == "json":
        _json(report)
    else:
        if report.results:
            _table(
                ["severity", "focus", "path", "message"],
                [[r.severity, r.focus_label, r.path or "", r.message] for r in report.results],
            )
            print()
        verdict = "conforms" if report.conforms else "does NOT conform"
        print(
            f"{verdict}: {report.violations} violation(s), {report.warnings} warning(s); "
            f"{report.triples} triples, {len(report.shapes_files)} shape files, "
            f"{report.seconds:.1f} s ({report.engine})"
        )
    return 0 if report.conforms else 1


def cmd_stats(args) -> int:
    s = _graph().stats()
    if args.format == "json":
        _json(s)
        return 0
    summary = [
        ["triples", s.triples],
        ["named entities", s.entities],
        ["references (numbered)", s.references],
        ["mitigation strategies", s.strategies],
        ["failure modes", s.failure_modes],
        ["mechanisms", s.mechanisms],
        ["electrolytes", s.electrolytes],
        ["Table 2 rows", s.table2_rows],
        ["reported quantities", s.quantities],
        ["numbers with units (incl. conditions)", s.numbers_with_units],
        ["links with provenance", s.annotated_links],
        ["uncertain readings marked", s.uncertain_readings],
    ]
    _table(["what", "count"], summary)
    print()
    _table(["class", "individuals"], [[c.label, c.count] for c in s.classes])
    return 0


def cmd_find(args) -> int:
    from kg.core.namespaces import shorten

    matches = _graph().find(args.text, limit=args.limit, kinds=args.kind or None)
    if args.format == "json":
        _json(matches)
    elif matches:
        _table(
            ["label", "kind", "matched", "score", "iri"],
            [[m.label, m.kind, m.matched, m.score, shorten(m.iri)] for m in matches],
        )
    if not matches:
        if args.format != "json":
            print(f"no entity matches {echo(args.text)}", file=sys.stderr)
        return 1
    return 0


def cmd_show(args) -> int:
    sheet = _graph().describe(args.entity)
    if args.format == "json":
        _json(sheet)
    else:
        from kg.output.text import fact_sheet

        print(fact_sheet(sheet))
    return 0


def cmd_export(args) -> int:
    options = {"bibliographic": args.bibliographic, "schema": args.schema}
    if args.around is not None:
        options.update(around=args.around, hops=1 if args.hops is None else args.hops)
    elif args.hops is not None:
        raise KGError("--hops goes with --around TEXT")
    path = _graph().export(args.output, format=args.format, **options)
    if path is not None:  # None: written to standard output
        print(f"wrote {path} ({path.stat().st_size} bytes)", file=sys.stderr)
    return 0


def cmd_reason(args) -> int:
    report = _graph().reason()
    if args.format == "json":
        _json(report)
    else:
        print(f"{report.reasoner}: {report.message} ({report.triples} triples, {report.seconds:.1f} s)")
        for reason in report.reasons[1:]:
            print(f"  also: {reason}")
        for iri in report.unsatisfiable:
            print(f"  unsatisfiable: {iri}")
    return 0 if report.ok else 1


def cmd_queries(args) -> int:
    from kg.model.stored import stored_queries

    found = [q for q in stored_queries() if args.kind is None or q.kind == args.kind]
    if args.format == "json":
        from kg.core.jsonout import to_jsonable

        _json([{k: v for k, v in to_jsonable(q).items() if k != "text"} for q in found])
        return 0
    rows = [[q.name, q.kind, q.summary, "; ".join(f"{p.name}={p.default}" for p in q.params)] for q in found]
    _table(["name", "kind", "summary", "params (defaults)"], rows)
    return 0


def cmd_query(args) -> int:
    import time

    from kg.model import queries as sparql

    values = {}
    for item in args.param:
        key, sep, value = item.partition("=")
        if not sep or not key.strip():
            raise KGError(f"--param takes KEY=VALUE, got {echo(item)}")
        values[key.strip()] = value
    graph = _graph()
    started = time.perf_counter()
    prepared = sparql.prepare(graph, args.source, values, allow_service=args.allow_service)
    raw = sparql.execute(graph, prepared)
    is_check = prepared.stored is not None and prepared.stored.kind == "check"
    if args.format == "table":
        result = sparql.collect(raw, prepared.source, started)
        _print_result(result)
        count = len(result)
    else:
        data = sparql.serialize(raw, args.format)
        sys.stdout.buffer.write(data if data.endswith(b"\n") else data + b"\n")
        sys.stdout.flush()
        count = len(sparql.collect(sparql.execute(graph, prepared), prepared.source, started)) if is_check else 0
    return 1 if is_check and count else 0


def _print_result(result) -> None:
    from kg.model.queries import display

    if result.form == "ask":
        print("true" if result.boolean else "false")
    elif result.form == "graph":
        for s, p, o in result.triples:
            print(f"{display(s)}  {display(p)}  {display(o)}")
    else:
        rows = [[display(row.get(v, "")) for v in result.variables] for row in result.rows]
        _table(list(result.variables), rows)
        n = len(result.rows)
        print(f"({n} row{'s' if n != 1 else ''}, {result.seconds * 1000:.1f} ms)", file=sys.stderr)


def cmd_check(args) -> int:
    from kg.model import queries
    from kg.model.stored import stored_queries

    graph = _graph()
    outcome = []
    for stored in stored_queries():
        if stored.kind == "check":
            result = queries.run(graph, stored.name)
            outcome.append(
                {"check": stored.name, "summary": stored.summary, "rows": len(result), "sample": list(result.rows[:5])}
            )
    if args.format == "json":
        _json(outcome)
    else:
        _table(["check", "violations", "summary"], [[o["check"], o["rows"], o["summary"]] for o in outcome])
    return 1 if any(o["rows"] for o in outcome) else 0


def _hint(exc: WrongKindError, text: str) -> KGError:
    """The wrong-kind error with the command that takes that kind."""
    if exc.kind in ("electrolyte", "electrolyte family", "material"):
        other = "risks"
    elif exc.kind in ("mechanism", "failure mode"):
        other = "mitigations"
    else:
        return exc
    return KGError(f"{exc}; try: sslmb {other} {_quoted(text)}")


def _quoted(text: str) -> str:
    import shlex

    return shlex.quote(text if len(text) <= 80 else text[:80] + "…")


def _nothing(what: str) -> int:
    """An empty answer: said on stderr, exit 1 (as find and paths do)."""
    print(what, file=sys.stderr)
    return 1


def cmd_mitigations(args) -> int:
    graph = _graph()
    from kg.model.search import resolve_each

    try:
        targets = resolve_each(graph, args.target, kinds=["mechanism", "failure mode"])
        found = graph.mitigations(args.target, max_hops=args.max_hops)
    except WrongKindError as exc:
        raise _hint(exc, args.target) from None
    if args.format == "json":
        _json(found)
        return 0 if found else 1
    if not found:
        return _nothing(f"no strategy mitigates {echo(args.target)} or its causes up to {args.max_hops} hop(s)")
    for n, target in enumerate(targets):
        rows = [
            [
                m.score,
                m.hops,
                m.strategy_label,
                " -> ".join([m.path[0].target_label, *(s.target_label for s in m.path[1:])]) if m.hops else "(direct)",
                ", ".join(map(str, m.references)),
                "; ".join(m.outcomes),
            ]
            for m in found
            if m.target == target.iri
        ]
        print(("\n" if n else "") + f"{target.label} [{target.kind}] <{target.iri}>, from {args.target!r}:")
        if rows:
            _table(["score", "hops", "strategy", "through", "refs", "outcomes"], rows)
        else:
            print("  no strategy mitigates it or its causes within --max-hops")
    return 0 if found else 1


def cmd_risks(args) -> int:
    try:
        r = _graph().risks(args.electrolyte)
    except WrongKindError as exc:
        raise _hint(exc, args.electrolyte) from None
    empty = not r.exposures and not r.strategies
    if args.format == "json":
        _json(r)
        return 1 if empty else 0
    if empty:
        return _nothing(f"{r.electrolyte_label}: no failure mode, mechanism or applicable strategy is recorded")
    print(f"{r.electrolyte_label} <{r.electrolyte}>: families {', '.join(r.families) or '-'}")
    if r.constituents:
        print(f"made of: {', '.join(r.constituents)}")
    _table(
        ["failure mode", "via", "route", "refs", "mitigated by (uses it)"],
        [
            [
                e.failure_mode_label,
                e.via if not e.constituent
                else f"{e.constituent} (constituent)" if e.via == e.constituent
                else f"{e.via} (constituent {e.constituent})",
                " -> ".join(s.source_label for s in e.route) or "(stated)",
                ", ".join(map(str, e.references)),
                "; ".join(e.mitigated_by),
            ]
            for e in r.exposures
        ],
    )
    if r.withheld:
        print()
        _table(
            ["not inherited", "stated for", "why not"],
            [[w.target_label, w.via, w.reason + (f" ({w.detail})" if w.detail else "")] for w in r.withheld],
        )
    print()
    _table(["applicable strategy", "applies to", "refs"], [[s, h, ", ".join(map(str, n))] for s, h, n in r.strategies])
    return 0


def cmd_paths(args) -> int:
    found = _graph().paths(args.source, args.target, max_hops=args.max_hops, limit=args.limit)
    if args.format == "json":
        _json(found)
        return 0 if found else 1
    for path in found:
        refs = sorted({n for link in path.links for n in link.references})
        print(f"[{path.hops}] {path}" + (f"  (refs {', '.join(map(str, refs))})" if refs else ""))
    if not found:
        print(f"no path of at most {args.max_hops} link(s)", file=sys.stderr)
    return 0 if found else 1


def cmd_gaps(args) -> int:
    found = _graph().gaps()
    if args.format == "json":
        _json(found)
        return 0
    for title, items in (
        ("Mechanisms and failure modes no strategy mitigates directly", found.unmitigated),
        ("Strategies with no number reported", found.unquantified_strategies),
        ("Electrolyte families with no safety data", found.families_without_safety_data),
    ):
        print(f"{title} ({len(items)})")
        _table(["entity", "kind", "detail"], [[g.label, g.kind, g.detail] for g in items])
        print()
    return 0


def cmd_centrality(args) -> int:
    hubs = _graph().centrality()[: args.limit]
    if args.format == "json":
        _json(hubs)
        return 0 if hubs else 1
    if not hubs:
        return _nothing("no mechanism or failure mode has a causal link in this graph")
    _table(
        ["entity", "kind", "betweenness", "in", "out", "mitigated by"],
        [[h.label, h.kind, f"{h.betweenness:.4f}", h.in_degree, h.out_degree, h.mitigated_by] for h in hubs],
    )
    return 0


# ------------------------------------------------------------------------------------------ draw (kg/draw.py)


def cmd_draw(args) -> int:
    from kg.output.draw import draw

    try:
        drawing = draw(_graph(), args.target, args.output, max_hops=args.max_hops, format=args.format)
    except WrongKindError as exc:
        raise _hint(exc, args.target) from None
    where = "standard output" if args.output == "-" else args.output
    print(
        f"wrote {where}: {drawing.strategies} strateg{'y' if drawing.strategies == 1 else 'ies'}, "
        f"{len(drawing.boxes)} boxes, {drawing.width:.0f} x {drawing.height:.0f} px",
        file=sys.stderr,
    )
    return 0


# ------------------------------------------------------------------------------------------ serve (kg/endpoint/)


def cmd_serve(args) -> int:
    if getattr(args, "endpoint", None) or getattr(args, "graph", None):
        raise KGError("serve answers from the shipped graph or an on-disk --store, never from another endpoint")
    store = getattr(args, "store", None)
    if store is not None:
        from pathlib import Path

        from kg.core.backends.disk import read_info

        read_info(store)  # not a store: one line and exit 2 now, rather than workers that fail to start
        store = str(Path(store).resolve())
    from kg.endpoint.serve import serve
    from kg.endpoint.settings import Settings

    settings = Settings(
        host=args.host,
        port=args.port,
        query_timeout=args.query_timeout,
        max_rows=args.max_rows,
        cors=tuple(args.cors),
        workers=args.workers,
        store=store,
    )
    return serve(settings)


# ------------------------------------------------------------------------------------------ load, push


def cmd_load(args) -> int:
    from kg.ingest.bulk import ValidationFailed, bulk_load

    try:
        r = bulk_load(args.files, args.store, validate=args.validate, replace=args.replace, progress=args.progress)
    except ValidationFailed as exc:
        if args.format == "json":
            _json(exc.report)
        else:
            _table(
                ["severity", "focus", "path", "message"],
                [[v.severity, v.focus_label, v.path or "", v.message] for v in exc.report.results],
            )
        print(f"sslmb: error: {exc}", file=sys.stderr)
        return 1
    if args.format == "json":
        _json(r)
        return 0
    for path in r.skipped:
        print(f"skipped {path}: already in the store", file=sys.stderr)
    added = r.triples - r.triples_before
    print(
        f"{r.store}: {r.triples} triples ({added:+d}) from {len(r.loaded)} file(s), {r.bytes / 1e6:.1f} MB, "
        f"{'validated' if r.validated else 'not validated'}, {r.seconds:.2f} s"
    )
    return 0


def cmd_push(args) -> int:
    import os

    from kg.core.backends.push import push
    from kg.facade import open_graph

    password = args.password if args.password is not None else os.environ.get("SSLMB_PASSWORD")
    r = push(
        open_graph(store=args.store),
        endpoint=args.endpoint,
        gsp=args.gsp,
        graph_iri=args.graph,
        user=args.user,
        password=password,
        replace=not args.append,
    )
    if args.format == "json":
        _json(r)
        return 0
    target = f"<{r.graph}>" if r.graph else "the default graph"
    held = (
        f"; the endpoint now holds {r.triples_at_endpoint} triples there" if r.triples_at_endpoint is not None else ""
    )
    print(f"{r.method} {r.triples} triples ({r.bytes / 1e6:.1f} MB) to {target} at {r.gsp} in {r.seconds:.2f} s{held}")
    return 0


# ------------------------------------------------------------------------------------------ parser

COMMANDS = (
    "validate",
    "stats",
    "find",
    "show",
    "export",
    "reason",
    "queries",
    "query",
    "check",
    "mitigations",
    "risks",
    "paths",
    "gaps",
    "centrality",
    "draw",
    "serve",
    "load",
    "push",
)
# Commands that do not read the graph, so take no --store/--endpoint (push names its own source and target).
_NO_GRAPH = frozenset({"queries", "load", "push"})


def _source_options(p: argparse.ArgumentParser) -> None:
    where = p.add_argument_group("where the graph is (default: the shipped graph, loaded in memory)")
    one = where.add_mutually_exclusive_group()
    one.add_argument("--store", metavar="DIR", help="an on-disk store made by `sslmb load --store DIR`")
    one.add_argument(
        "--endpoint", metavar="URL", help="a SPARQL 1.1 query endpoint (credentials as http://USER:PASSWORD@HOST/...)"
    )
    where.add_argument("--graph", metavar="IRI", help="with --endpoint: the graph to read (sent as default-graph-uri)")


def build_parser(only: str | None = None) -> _Parser:
    """The argument parser; with ``only``, just that subcommand is built (start-up cost of a cold run)."""
    parser = _Parser(
        prog="sslmb",
        description="sslmb: the knowledge graph of solid-state lithium metal battery safety.",
        epilog=EPILOG,
    )
    from kg.core import __version__

    parser.add_argument("--version", action="version", version=f"sslmb {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)

    def command(name: str, func, help: str, formats=("table", "json")) -> argparse.ArgumentParser:
        if only is not None and name != only:
            return _Parser(add_help=False)  # a throw-away parser: not part of this run
        p = sub.add_parser(name, help=help, description=help, epilog=EPILOG)
        if formats:
            p.add_argument("--format", choices=formats, default=formats[0], help="output format (default: %(default)s)")
        p.set_defaults(func=func)
        if name not in _NO_GRAPH:
            _source_options(p)
        return p

    p = command(
        "validate",
        cmd_validate,
        "Validate the graph (plus FILES, if given) against the SHACL shapes; exit 1 on violations.",
    )
    p.add_argument("files", nargs="*", help="extra RDF files to validate with the graph")
    p.add_argument(
        "--engine",
        choices=("auto", "fast", "pyshacl"),
        default="auto",
        help="pyshacl (the reference), fast (the shapes compiled to SPARQL on Oxigraph), or auto: pySHACL below "
        "50,000 triples, fast above (default: %(default)s)",
    )
    command("stats", cmd_stats, "Counts: triples, entities per class, references, strategies, numbers with units.")
    p = command("find", cmd_find, "Entities whose label, abbreviation or formula matches TEXT, best match first.")
    p.add_argument("text")
    p.add_argument("--limit", type=_count(1), default=20, help="at most this many matches (default: %(default)s)")
    p.add_argument("--kind", action="append", help="only entities of this kind (repeatable), e.g. strategy")
    p = command("show", cmd_show, "The fact sheet of ENTITY (a label, abbreviation, formula, prefixed name or IRI).")
    p.add_argument("entity")
    p = command(
        "export",
        cmd_export,
        "Write the graph to a file, atomically: the whole RDF graph (ttl, nt, jsonld, rdf) or the entity network "
        "for Gephi and other network tools (gexf, graphml).",
        formats=(),
    )
    p.add_argument(
        "--format",
        choices=["ttl", "nt", "jsonld", "rdf", "gexf", "graphml"],
        default=None,
        help="serialisation (default: from the output file's extension)",
    )
    p.add_argument("-o", "--output", required=True, help="file to write (- for standard output, with --format)")
    p.add_argument(
        "--around",
        metavar="TEXT",
        help="only the neighbourhood of this entity (for RDF: the triples among those entities, with their "
        "labels, types and link evidence)",
    )
    p.add_argument(
        "--hops", type=_count(0), default=None, help="with --around: links to follow, either way (default: 1)"
    )
    p.add_argument(
        "--no-bibliographic",
        dest="bibliographic",
        action="store_false",
        help="network: leave out references, journals, authors and review parts",
    )
    p.add_argument("--schema", action="store_true", help="network: keep classes, units and outside terms")
    command(
        "reason",
        cmd_reason,
        "Check with the HermiT OWL reasoner that ontology and data are consistent (needs Java); exit 1 if not.",
    )
    p = command("queries", cmd_queries, "Every stored query: name, kind (cq/check/report), summary, parameters.")
    p.add_argument("--kind", choices=["cq", "check", "report"], default=None, help="only queries of this kind")
    p = command(
        "query",
        cmd_query,
        "Run SOURCE: a stored query's name, a .rq file, or - for standard input. json/xml/csv/tsv are the W3C "
        "SPARQL 1.1 result formats; ttl/nt/jsonld serve CONSTRUCT and DESCRIBE. A check query exits 1 when it "
        "returns rows.",
        formats=("table", "csv", "tsv", "json", "xml", "ttl", "nt", "jsonld"),
    )
    p.add_argument("source")
    p.add_argument(
        "--param",
        "-p",
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help="bind a parameter (repeatable); a label is resolved to its entity, numbers stay numbers",
    )
    p.add_argument(
        "--allow-service",
        action="store_true",
        help="let SERVICE send requests to other endpoints (refused by default)",
    )
    p = command(
        "mitigations",
        cmd_mitigations,
        "Strategies that mitigate TARGET (a mechanism or failure mode, as you know it: 'H2S', 'dendrite "
        "penetration'), directly or through its causes, best first.",
    )
    p.add_argument("target")
    p.add_argument(
        "--max-hops", type=_count(0), default=3, help="causal links to follow upstream, 0 for direct only (default: 3)"
    )
    p = command(
        "risks",
        cmd_risks,
        "Failure modes an ELECTROLYTE (or its family) is exposed to, through which mechanisms, and the strategies "
        "that apply to it.",
    )
    p.add_argument("electrolyte")
    p = command(
        "paths",
        cmd_paths,
        "Every simple path of at most --max-hops links between SOURCE and TARGET, shortest first, each step "
        "labelled with its relations (^relation runs against the path); exit 1 when there is none.",
    )
    p.add_argument("source")
    p.add_argument("target")
    p.add_argument("--max-hops", type=_count(1), default=4, help="longest path, in links (default: %(default)s)")
    p.add_argument("--limit", type=_count(1), default=50, help="at most this many paths (default: %(default)s)")
    command(
        "gaps",
        cmd_gaps,
        "Where research is missing: hazards no strategy mitigates directly, strategies with no number, "
        "electrolyte families with no safety data.",
    )
    p = command(
        "centrality",
        cmd_centrality,
        "Mechanisms and failure modes ranked as hubs of the causal graph (betweenness, then degree).",
    )
    p.add_argument("--limit", type=_count(1), default=20, help="show this many (default: %(default)s)")
    command(
        "check",
        cmd_check,
        "Run every stored quality check (queries/checks/*-violation.rq); exit 1 if any returns rows.",
    )
    # -------------------------------------------------------------- serve (kg/endpoint/)
    p = command(
        "serve",
        cmd_serve,
        "Serve the graph over HTTP: a read-only SPARQL 1.1 endpoint at /sparql, a query page at /, fact sheets at "
        "/entity/NAME, from the shipped graph or an on-disk --store. Updates, SERVICE, LOAD and outside graphs are "
        "refused; queries run in worker processes that are stopped at the timeout. Ctrl-C stops it (exit 0).",
        formats=(),
    )
    p.add_argument("--host", default="127.0.0.1", help="address to listen on (default: %(default)s)")
    p.add_argument("--port", type=_port, default=8000, help="port (default: %(default)s; 0 picks a free one)")
    p.add_argument(
        "--query-timeout",
        type=_seconds,
        default=10.0,
        metavar="SECONDS",
        help="stop a query after this long, answering 503 (default: %(default)s)",
    )
    p.add_argument(
        "--max-rows", type=_count(1), default=10_000, metavar="N", help="cut results at N rows (default: %(default)s)"
    )
    p.add_argument(
        "--cors", action="append", default=[], metavar="ORIGIN", help="allow this origin (repeatable; default: none)"
    )
    p.add_argument("--workers", type=_count(1), default=2, help="query worker processes (default: %(default)s)")
    # -------------------------------------------------------------- backends: load, push (kg/backends.py, kg/remote.py)
    p = command(
        "load",
        cmd_load,
        "Bulk-load RDF FILES (default: the shipped graph) into the on-disk store DIR, all or nothing: a file that "
        "does not parse, or a result that does not conform to the shapes, leaves the store as it was.",
    )
    p.add_argument("files", nargs="*", help="RDF files (.ttl .nt .nq .trig .jsonld .rdf, optionally .gz)")
    p.add_argument("--store", metavar="DIR", required=True, help="the store folder (created when missing)")
    p.add_argument("--no-validate", dest="validate", action="store_false", help="skip SHACL validation")
    p.add_argument("--replace", action="store_true", help="start from an empty store instead of adding to it")
    p.add_argument(
        "--progress",
        action=argparse.BooleanOptionalAction,
        default=None,
        help="a progress line on stderr (default: only when stderr is a terminal)",
    )
    p = command(
        "push",
        cmd_push,
        "Upload the graph (the shipped one, or --store DIR) to a triple store with the SPARQL 1.1 Graph Store "
        "Protocol: PUT replaces the target graph, --append POSTs into it.",
    )
    p.add_argument(
        "--endpoint",
        metavar="URL",
        help="the SPARQL query endpoint: the GSP URL is derived from it, "
        "and the upload is checked by counting the triples there",
    )
    p.add_argument("--gsp", metavar="URL", help="the Graph Store Protocol URL, when it cannot be derived")
    p.add_argument("--graph", metavar="IRI", help="the target graph (default: the store's default graph)")
    p.add_argument("--store", metavar="DIR", help="push this on-disk store instead of the shipped graph")
    p.add_argument("--user", help="user name for Basic or Digest authentication")
    p.add_argument("--password", help="password (default: the SSLMB_PASSWORD environment variable)")
    p.add_argument("--append", action="store_true", help="add to the target graph (POST) instead of replacing it")
    # -------------------------------------------------------------- draw (kg/draw.py)
    p = command(
        "draw",
        cmd_draw,
        "Draw what mitigates TARGET (a mechanism or failure mode, as for `sslmb mitigations`): its causes, the "
        "strategies acting on them and on it, coloured by kind. SVG, PNG (needs the draw extra: matplotlib) or a "
        "self-contained interactive HTML page.",
        formats=(),
    )
    p.add_argument("target")
    p.add_argument("-o", "--output", required=True, help="file to write: .svg, .png or .html (- for standard output)")
    p.add_argument("--format", choices=["svg", "png", "html"], default=None, help="default: the file's extension")
    p.add_argument(
        "--max-hops", type=_count(0), default=3, help="causal links to follow upstream, 0 for direct only (default: 3)"
    )
    return parser


def main(argv: list[str] | None = None) -> int:
    """Entry point of the ``sslmb`` console script."""
    argv = sys.argv[1:] if argv is None else argv
    first = argv[0] if argv else None
    only = first if first in COMMANDS and not any(a in ("-h", "--help") for a in argv[1:2]) else None
    parser = build_parser(only)
    parser.command = first if first in COMMANDS else None
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:  # --help, --version, or a usage error already reported in one line
        return exc.code if isinstance(exc.code, int) else 2
    _SOURCE.clear()
    _SOURCE.update({k: v for k in ("store", "endpoint", "graph") if (v := getattr(args, k, None)) is not None})
    if args.command in _NO_GRAPH:
        _SOURCE.clear()
    try:
        code = args.func(args)
    except KGError as exc:
        print(f"sslmb: error: {_one_line(str(exc))}", file=sys.stderr)
        code = exc.exit_code
    except BrokenPipeError:
        sys.stderr.close()
        code = 0
    except KeyboardInterrupt:
        print("sslmb: interrupted", file=sys.stderr)
        code = 130
    return code


def run() -> None:
    sys.exit(main())


if __name__ == "__main__":  # pragma: no cover
    run()
