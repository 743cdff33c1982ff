"""The commands that check the graph: ``validate`` (SHACL), ``reason`` (HermiT), ``check`` (the stored quality
checks)."""

from __future__ import annotations

from kg.cli.common import print_json, print_table, source_graph


def cmd_validate(args) -> int:
    report = source_graph().validate(args.files, engine=args.engine)
    if args.format == "json":
        print_json(report)
    else:
        if report.results:
            print_table(
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


def cmd_reason(args) -> int:
    report = source_graph().reason()
    if args.format == "json":
        print_json(report)
    else:
        print(f"{report.reasoner}: {report.message} ({report.triples} triples, {report.seconds:.1f} s)")
        for reason in report.reasons[1:]:
            print(f"  also: {reason}")
        for iri in report.unsatisfiable:
            print(f"  unsatisfiable: {iri}")
    return 0 if report.ok else 1


def cmd_check(args) -> int:
    from kg.model import queries
    from kg.model.stored import stored_queries

    graph = source_graph()
    outcome = []
    for stored in stored_queries():
        if stored.kind == "check":
            result = queries.run(graph, stored.name)
            outcome.append(
                {"check": stored.name, "summary": stored.summary, "rows": len(result), "sample": list(result.rows[:5])}
            )
    if args.format == "json":
        print_json(outcome)
    else:
        print_table(["check", "violations", "summary"], [[o["check"], o["rows"], o["summary"]] for o in outcome])
    return 1 if any(o["rows"] for o in outcome) else 0
