"""The commands that read the graph's content: ``stats``, ``find``, ``show``."""

from __future__ import annotations

import sys

from kg.cli.common import print_json, print_table, source_graph
from kg.core.errors import echo


def cmd_stats(args) -> int:
    s = source_graph().stats()
    if args.format == "json":
        print_json(s)
        return 0
    summary = [
        ["triples", s.triples],
        ["named entities", s.entities],
        ["sources", len(s.sources)],
        ["cited works", s.references],
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
    print_table(["what", "count"], summary)
    print()
    print_table(
        ["source", "statements", "entities", "numbers", "cited works"],
        [[c.key, c.statements, c.entities, c.quantities, c.cited_works] for c in s.sources],
    )
    print()
    print_table(["class", "individuals"], [[c.label, c.count] for c in s.classes])
    return 0


def cmd_find(args) -> int:
    from kg.core.namespaces import shorten

    matches = source_graph().find(args.text, limit=args.limit, kinds=args.kind or None)
    if args.format == "json":
        print_json(matches)
    elif matches:
        print_table(
            ["label", "kind", "matched", "score", "iri"],
            [[m.label, m.kind, m.matched, m.score, shorten(m.iri)] for m in matches],
        )
    if not matches:
        if args.format != "json":
            print(f"no entity matches {echo(args.text)}", file=sys.stderr)
        return 1
    return 0


def cmd_show(args) -> int:
    sheet = source_graph().describe(args.entity)
    if args.format == "json":
        print_json(sheet)
    else:
        from kg.output.text import fact_sheet

        print(fact_sheet(sheet))
    return 0
