"""The commands that traverse the graph: ``mitigations``, ``risks``, ``paths``, ``gaps``, ``centrality``."""

from __future__ import annotations

import sys

from kg.cli.common import nothing, print_json, print_table, source_graph, wrong_kind_hint
from kg.core.errors import WrongKindError, echo


def cmd_mitigations(args) -> int:
    graph = source_graph()
    from kg.model.search import resolve_each

    try:
        targets = resolve_each(graph, args.target, kinds=["mechanism", "failure mode"])
        found = graph.mitigations(args.target, max_hops=args.max_hops)
    except WrongKindError as exc:
        raise wrong_kind_hint(exc, args.target) from None
    if args.format == "json":
        print_json(found)
        return 0 if found else 1
    if not found:
        return nothing(f"no strategy mitigates {echo(args.target)} or its causes up to {args.max_hops} hop(s)")
    for n, target in enumerate(targets):
        shown = [m for m in found if m.target == target.iri]
        rows = [
            [
                m.score,
                m.grade,
                m.hops,
                m.strategy_label,
                " -> ".join([m.path[0].target_label, *(s.target_label for s in m.path[1:])]) if m.hops else "(direct)",
                f"{m.support.supported_by} ({', '.join(m.sources)})"
                if m.support and m.sources
                else ", ".join(m.sources),
                ", ".join(map(str, m.references)),
                "; ".join(m.outcomes),
            ]
            for m in shown
        ]
        print(("\n" if n else "") + f"{target.label} [{target.kind}] <{target.iri}>, from {args.target!r}:")
        if rows:
            print_table(["score", "grade", "hops", "strategy", "through", "supported by", "refs", "outcomes"], rows)
            if getattr(args, "explain", False):
                for m in shown:
                    print(f"\n{m.strategy_label}: grade {m.grade}, score {m.score}")
                    print("\n".join(f"  {factor}" for factor in m.grade_factors))
        else:
            print("  no strategy mitigates it or its causes within --max-hops")
    return 0 if found else 1


def cmd_risks(args) -> int:
    try:
        r = source_graph().risks(args.electrolyte)
    except WrongKindError as exc:
        raise wrong_kind_hint(exc, args.electrolyte) from None
    empty = not r.exposures and not r.strategies
    if args.format == "json":
        print_json(r)
        return 1 if empty else 0
    if empty:
        return nothing(f"{r.electrolyte_label}: no failure mode, mechanism or applicable strategy is recorded")
    print(f"{r.electrolyte_label} <{r.electrolyte}>: families {', '.join(r.families) or '-'}")
    if r.constituents:
        print(f"made of: {', '.join(r.constituents)}")
    print_table(
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
        print_table(
            ["not inherited", "stated for", "why not"],
            [[w.target_label, w.via, w.reason + (f" ({w.detail})" if w.detail else "")] for w in r.withheld],
        )
    print()
    print_table(
        ["applicable strategy", "applies to", "refs"], [[s, h, ", ".join(map(str, n))] for s, h, n in r.strategies]
    )
    return 0


def cmd_paths(args) -> int:
    found = source_graph().paths(args.source, args.target, max_hops=args.max_hops, limit=args.limit)
    if args.format == "json":
        print_json(found)
        return 0 if found else 1
    for path in found:
        refs = sorted({n for link in path.links for n in link.references})
        print(f"[{path.hops}] {path}" + (f"  (refs {', '.join(map(str, refs))})" if refs else ""))
    if not found:
        print(f"no path of at most {args.max_hops} link(s)", file=sys.stderr)
    return 0 if found else 1


def cmd_gaps(args) -> int:
    found = source_graph().gaps()
    if args.format == "json":
        print_json(found)
        return 0
    for title, items in (
        ("Mechanisms and failure modes no strategy mitigates directly", found.unmitigated),
        ("Strategies with no number reported", found.unquantified_strategies),
        ("Electrolyte families with no safety data", found.families_without_safety_data),
    ):
        print(f"{title} ({len(items)})")
        print_table(["entity", "kind", "detail"], [[g.label, g.kind, g.detail] for g in items])
        print()
    return 0


def cmd_centrality(args) -> int:
    hubs = source_graph().centrality()[: args.limit]
    if args.format == "json":
        print_json(hubs)
        return 0 if hubs else 1
    if not hubs:
        return nothing("no mechanism or failure mode has a causal link in this graph")
    print_table(
        ["entity", "kind", "betweenness", "in", "out", "mitigated by"],
        [[h.label, h.kind, f"{h.betweenness:.4f}", h.in_degree, h.out_degree, h.mitigated_by] for h in hubs],
    )
    return 0
