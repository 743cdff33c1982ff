"""The ``sslmb`` command line: the argument parser and the dispatch; each command is a small function in the module
of its group (:mod:`kg.cli.reading`, :mod:`kg.cli.analysis`...), imported only when that command runs.

Exit codes: 0 ok, 1 the check found problems (validation violations, an inconsistent ontology, a failed
quality check, no match), 2 usage or input error. Built on argparse from the standard library: a cold
``sslmb query`` is dominated by start-up, and click alone cost more to import than loading the whole graph.
"""

from __future__ import annotations

import argparse
import re
import sys
from importlib import import_module

from kg.cli import declare
from kg.core.errors import KGError, echo

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

    def __init__(self, *args, **kwargs) -> None:
        kwargs.setdefault("formatter_class", _Formatter)
        super().__init__(*args, **kwargs)

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


class _Ignored:
    """Stands in for the parser of a subcommand that is not being run: every declaration on it is dropped, which
    spares a cold run building two dozen parsers (and argparse's help formatters) it never reads."""

    def __getattr__(self, name: str):
        return self._ignore

    def _ignore(self, *args, **kwargs) -> _Ignored:
        return self


_IGNORED = _Ignored()


class _Formatter(argparse.HelpFormatter):
    """argparse's help formatter, measuring the terminal as :func:`shutil.get_terminal_size` does without importing
    :mod:`shutil` (with bz2, lzma and fnmatch): argparse makes one for every argument declared."""

    def __init__(self, prog: str, indent_increment: int = 2, max_help_position: int = 24, width=None) -> None:
        if width is None:
            width = _columns() - 2
        super().__init__(prog, indent_increment, max_help_position, width)


def _columns() -> int:
    import os

    try:
        columns = int(os.environ["COLUMNS"])
    except (KeyError, ValueError):
        columns = 0
    if columns <= 0:
        try:
            columns = os.get_terminal_size(sys.__stdout__.fileno()).columns  # type: ignore[union-attr]
        except (AttributeError, ValueError, OSError):
            columns = 0
    return columns or 80


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
    "compare",
    "paths",
    "gaps",
    "centrality",
    "draw",
    "heatmap",
    "serve",
    "load",
    "push",
    "sources",
    "add",
    "remove",
    "ask",
    "docs",
    "release",
)
# Commands that do not read the graph, so take no --store/--endpoint (push names its own source and target; add and
# remove write the project's sources or a --store of their own).
_NO_GRAPH = frozenset({"queries", "load", "push", "add", "remove", "docs", "release"})


def _source_options(p: argparse.ArgumentParser) -> None:
    where = p.add_argument_group("where the graph is (default: the shipped graph, loaded in memory)")
    one = where.add_mutually_exclusive_group()
    one.add_argument("--store", metavar="DIR", help="an on-disk store made by `sslmb load --store DIR`")
    one.add_argument(
        "--endpoint", metavar="URL", help="a SPARQL 1.1 query endpoint (credentials as http://USER:PASSWORD@HOST/...)"
    )
    where.add_argument(
        "--graph",
        metavar="IRI",
        help="with --endpoint: the one graph to read, sent as default-graph-uri (default: the union of the sources' "
        "graphs and the ontology)",
    )
    where.add_argument(
        "--ontology-graph",
        metavar="IRI",
        help="with --endpoint, on a server other than Oxigraph: the graph holding the ontology "
        "(default: https://w3id.org/sslmb/graph/ontology, where push puts it on Virtuoso)",
    )
    where.add_argument(
        "--source",
        metavar="KEY",
        action="append",
        dest="sources",
        help="read only the ontology and this source's graph (repeatable; keys as `sslmb sources` lists them)",
    )


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

    def command(name: str, func: str, help: str, formats=("table", "json")) -> argparse.ArgumentParser:
        """A subcommand; ``func`` is ``module:function``, imported only when the command runs."""
        if only is not None and name != only:
            return _IGNORED  # type: ignore[return-value]  # not part of this run: its arguments are not declared
        p = sub.add_parser(name, help=help, description=help, epilog=EPILOG)
        if formats:
            p.add_argument("--format", choices=formats, default=formats[0], help="output format (default: %(default)s)")
        p.set_defaults(func=func)
        if name not in _NO_GRAPH:
            _source_options(p)
        return p

    p = command(
        "validate",
        "kg.cli.checking:cmd_validate",
        "Validate the graph (plus FILES, if given) against the SHACL shapes; exit 1 on violations.",
    )
    p.add_argument("files", nargs="*", help="extra RDF files to validate with the graph")
    p.add_argument(
        "--engine",
        choices=("auto", "fast", "pyshacl"),
        default="auto",
        help="pyshacl (the reference), fast (the shapes compiled to SPARQL on Oxigraph), or auto: pySHACL below "
        "20,000 triples, fast above (default: %(default)s)",
    )
    command(
        "stats",
        "kg.cli.reading:cmd_stats",
        "Counts: triples, entities per class, references, strategies, numbers with units.",
    )
    p = command(
        "find",
        "kg.cli.reading:cmd_find",
        "Entities whose label, abbreviation or formula matches TEXT, best match first.",
    )
    p.add_argument("text")
    p.add_argument("--limit", type=_count(1), default=20, help="at most this many matches (default: %(default)s)")
    p.add_argument("--kind", action="append", help="only entities of this kind (repeatable), e.g. strategy")
    p = command(
        "show",
        "kg.cli.reading:cmd_show",
        "The fact sheet of ENTITY (a label, abbreviation, formula, prefixed name or IRI).",
    )
    p.add_argument("entity")
    p = command(
        "export",
        "kg.cli.output:cmd_export",
        "Write the graph to a file, atomically: the whole RDF graph (ttl, nt, jsonld, rdf; trig and nq keep each "
        "source's named graph) or the entity network for Gephi and other network tools (gexf, graphml), or as "
        "flat files in a folder (kgx: KGX TSV; neo4j: CSV for neo4j-admin import).",
        formats=(),
    )
    p.add_argument(
        "--format",
        choices=["ttl", "nt", "jsonld", "rdf", "trig", "nq", "gexf", "graphml", "kgx", "neo4j"],
        default=None,
        help="serialisation (default: from the output file's extension)",
    )
    p.add_argument(
        "-o", "--output", required=True, help="file to write (- for standard output, with --format); kgx, neo4j: folder"
    )
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
        "kg.cli.checking:cmd_reason",
        "Check with the HermiT OWL reasoner that ontology and data are consistent (needs Java); exit 1 if not.",
    )
    p = command(
        "queries",
        "kg.cli.queries:cmd_queries",
        "Every stored query: name, kind (cq/check/report), summary, parameters.",
    )
    p.add_argument("--kind", choices=["cq", "check", "report"], default=None, help="only queries of this kind")
    p = command(
        "query",
        "kg.cli.queries:cmd_query",
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
        "kg.cli.analysis:cmd_mitigations",
        "Strategies that mitigate TARGET (a mechanism or failure mode, as you know it: 'H2S', 'dendrite "
        "penetration'), directly or through its causes, best first.",
    )
    p.add_argument("target")
    p.add_argument(
        "--max-hops", type=_count(0), default=3, help="causal links to follow upstream, 0 for direct only (default: 3)"
    )
    p.add_argument("--explain", action="store_true", help="after the table, what counted in each evidence grade")
    p = command(
        "risks",
        "kg.cli.analysis:cmd_risks",
        "Failure modes an ELECTROLYTE (or its family) is exposed to, through which mechanisms, and the strategies "
        "that apply to it.",
    )
    p.add_argument("electrolyte")
    declare.compare(command)
    p = command(
        "paths",
        "kg.cli.analysis:cmd_paths",
        "Every simple path of at most --max-hops links between SOURCE and TARGET, shortest first, each step "
        "labelled with its relations (^relation runs against the path); exit 1 when there is none.",
    )
    p.add_argument("source")
    p.add_argument("target")
    p.add_argument("--max-hops", type=_count(1), default=4, help="longest path, in links (default: %(default)s)")
    p.add_argument("--limit", type=_count(1), default=50, help="at most this many paths (default: %(default)s)")
    command(
        "gaps",
        "kg.cli.analysis:cmd_gaps",
        "Where research is missing: hazards no strategy mitigates directly, strategies with no number, "
        "electrolyte families with no safety data.",
    )
    p = command(
        "centrality",
        "kg.cli.analysis:cmd_centrality",
        "Mechanisms and failure modes ranked as hubs of the causal graph (betweenness, then degree).",
    )
    p.add_argument("--limit", type=_count(1), default=20, help="show this many (default: %(default)s)")
    command(
        "check",
        "kg.cli.checking:cmd_check",
        "Run every stored quality check (queries/checks/*-violation.rq); exit 1 if any returns rows.",
    )
    # -------------------------------------------------------------- serve (kg/endpoint/)
    p = command(
        "serve",
        "kg.cli.stores:cmd_serve",
        "Serve the graph over HTTP: a read-only SPARQL 1.1 endpoint at /sparql, a query page at /, fact sheets at "
        "/entity/NAME, the ontology's documentation at /ontology, questions in words at /ask, from the shipped graph "
        "or an on-disk --store. Updates, SERVICE, LOAD and outside graphs are refused; queries run in worker "
        "processes that are stopped at the timeout. Ctrl-C stops it (exit 0).",
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
    cache_help = "keep up to MB of complete answers for repeated requests (default: %(default)s; 0: no cache)"
    p.add_argument("--cache-mb", type=_count(0), default=32, metavar="MB", help=cache_help)
    # -------------------------------------------------------------- stores: load, push (kg/ingest/, kg/core/backends/)
    command(
        "sources",
        "kg.cli.sources:cmd_sources",
        "Every source of the graph (the review, articles, data sets): key, kind, title, year, DOI or URL, licence, "
        "and the facts its named graph holds.",
    )
    p = command(
        "add",
        "kg.cli.sources:cmd_add",
        "Add (or replace) the source a curation file describes (sources/<key>.yaml, see docs/curation.md): convert it, "
        "resolve its names against the graph, validate the union, and only then write its graph, all or nothing. An "
        "ambiguous name stops the run and says which line to annotate. Exit 1 when the union does not validate.",
    )
    p.add_argument("file", help="the curation file (YAML)")
    p.add_argument(
        "--dry-run", action="store_true", help="say what would happen (matches, new entities), write nothing"
    )
    p.add_argument("--store", metavar="DIR", help="add to this on-disk store instead of the project's sources/ folder")
    p = command(
        "remove",
        "kg.cli.sources:cmd_remove",
        "Take a source out by its key (validated: what remains must still conform), all or nothing.",
    )
    p.add_argument("key", help="the source's key, as `sslmb sources` lists it")
    p.add_argument("--store", metavar="DIR", help="remove it from this on-disk store instead of the project's sources/")
    p = command(
        "load",
        "kg.cli.stores:cmd_load",
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
        "kg.cli.stores:cmd_push",
        "Upload the graph (the shipped one, or --store DIR) to a triple store with the SPARQL 1.1 Graph Store "
        "Protocol, one request per graph: PUT replaces each target graph, --append POSTs into it. Then each graph "
        "is counted at the endpoint.",
    )
    p.add_argument(
        "--endpoint",
        metavar="URL",
        help="the SPARQL query endpoint: the GSP URL is derived from it, "
        "and the upload is checked by counting the triples there",
    )
    p.add_argument("--gsp", metavar="URL", help="the Graph Store Protocol URL, when it cannot be derived")
    p.add_argument(
        "--graph",
        metavar="IRI",
        help="put everything into this one graph (default: each source's named graph to the graph of the same "
        "name, the ontology to the default graph)",
    )
    p.add_argument(
        "--ontology-graph",
        metavar="IRI",
        help="the graph for the ontology (default: the server's default graph; on Virtuoso, which cannot write "
        "it, https://w3id.org/sslmb/graph/ontology)",
    )
    p.add_argument("--store", metavar="DIR", help="push this on-disk store instead of the shipped graph")
    p.add_argument("--user", help="user name for Basic or Digest authentication")
    p.add_argument("--password", help="password (default: the SSLMB_PASSWORD environment variable)")
    p.add_argument("--append", action="store_true", help="add to the target graph (POST) instead of replacing it")
    declare.pictures_and_release(command, _count)
    declare.ask_and_docs(command)
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
    from kg.cli.common import SOURCE

    SOURCE.clear()
    where = ("store", "endpoint", "graph", "ontology_graph", "sources")
    SOURCE.update({k: v for k in where if (v := getattr(args, k, None)) is not None})
    if args.command in _NO_GRAPH:
        SOURCE.clear()
    try:
        module, _, name = args.func.partition(":")  # the command's function, imported only now
        code = getattr(import_module(module), name)(args)
    except KGError as exc:
        if getattr(exc, "listing", False):  # a curation file's problems: one line each, each with its file:line
            head, *items = str(exc).splitlines()
            items = [" ".join(i.split())[:_MESSAGE_LIMIT] for i in items]
            print("\n".join([f"sslmb: error: {_one_line(head)}", *items]), file=sys.stderr)
        else:
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
