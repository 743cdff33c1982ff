"""Declarations of the newer commands' arguments (compare, release, draw, heatmap, ask, docs), kept apart from
:mod:`kg.cli.app` so that the parser module stays readable; each function takes app's ``command`` helper."""

from __future__ import annotations

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing at start-up
if TYPE_CHECKING:
    from collections.abc import Callable
    from typing import Any


def compare(command: Callable[..., Any]) -> None:
    """``sslmb compare`` (kg/cli/compare.py)."""
    p = command(
        "compare",
        "kg.cli.compare:cmd_compare",
        "The values of PROPERTY (a metric: 'ionic conductivity') for SUBJECT across every source, in one unit, with "
        "conditions and original papers; for a material, pairwise verdicts (agree, disagree, not comparable, same "
        "evidence); for a family, its members' values against the ranges stated for it.",
    )
    p.add_argument("subject", help="a material or electrolyte family")
    p.add_argument("property", help="a metric, e.g. 'ionic conductivity'")
    p.add_argument("-o", "--output", metavar="FILE", help="write the table or JSON to FILE instead of standard output")
    p.add_argument("--all", action="store_true", help="family: list every value, not only those outside the range")
    p.add_argument("--plot", metavar="FILE", help="also draw a strip plot: FILE.svg, or FILE.png (the draw extra)")


def pictures_and_release(command: Callable[..., Any], _count: Callable[[int], Any]) -> None:
    """``sslmb release``, ``sslmb draw`` and ``sslmb heatmap``."""
    # -------------------------------------------------------------- release (kg/output/release.py)
    p = command(
        "release",
        "kg.cli.release:cmd_release",
        "Write a release of the shipped graph into DIR: TriG (named graphs kept), Turtle, N-Triples, JSON-LD, GEXF, "
        "KGX, stats.json (counts, commit, SHA-256 of the inputs, library versions) and ro-crate-metadata.json. "
        "Reproducible: the date is the commit's (or SOURCE_DATE_EPOCH), and two builds are the same bytes.",
        formats=(),
    )
    p.add_argument("-o", "--output", required=True, metavar="DIR", help="the folder to write (created when missing)")
    # -------------------------------------------------------------- draw (kg/output/draw/)
    p = command(
        "draw",
        "kg.cli.output:cmd_draw",
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
    # -------------------------------------------------------------- heatmap (kg/analysis/coverage, kg/output/heatmap)
    p = command(
        "heatmap",
        "kg.cli.heatmap:cmd_heatmap",
        "Electrolyte families x failure modes: which are known (the family or a member is exposed), mitigated (a "
        "strategy that applies to the family mitigates it) or a gap. A text grid, JSON, or a picture with -o.",
        formats=("table", "json", "svg", "png"),
    )
    p.add_argument(
        "-o", "--output", help="picture to write: .svg or .png (PNG needs the draw extra; - for standard output)"
    )
    p.add_argument(
        "--max-hops",
        type=_count(0),
        default=0,
        help="count a strategy that mitigates a cause up to N causal links upstream (default: 0, direct only)",
    )


def ask_and_docs(command: Callable[..., Any]) -> None:
    """``sslmb ask`` (kg/cli/ask.py) and ``sslmb docs`` (kg/cli/docs.py)."""
    p = command(
        "ask",
        "kg.cli.ask:cmd_ask",
        "Answer QUESTION, asked in words: it is routed to the stored question or traversal that answers it, whose "
        "command is shown, then run. Exit 1 when not sure (the three closest questions are listed) or the answer is "
        "empty.",
    )
    p.add_argument("question", nargs="+", help="the question (quoted, or as several words)")
    p = command(
        "docs",
        "kg.cli.docs:cmd_docs",
        "Write the HTML documentation of the ontology (pyLODE, with a picture of the class hierarchy) to DIR.",
        formats=(),
    )
    p.add_argument("-o", "--output", required=True, metavar="DIR", help="folder to write (created when missing)")
