"""The ``compare`` command: one property of a material, or of a family's members, across every source."""

from __future__ import annotations

import sys

from kg.cli.common import source_graph, wrong_kind_hint
from kg.core.errors import WrongKindError


def _conditions(v) -> str:
    parts = [v.temperature or "temperature not stated"]
    if v.phase:
        parts.append(f"phase {v.phase}")
    parts += [
        c for c in v.conditions if not c.startswith(("at room temperature", "phase ", "at " + (v.temperature or "-")))
    ]
    return "; ".join(parts)


def _where(v) -> str:
    return f"{v.source} {v.location}".strip()


def render(c, *, every: bool = False) -> str:
    """The comparison as the table output shows it."""
    from kg.output.text import table

    out = [
        f"{c.subject_label} <{c.subject}>: {c.metric_label}, in {c.unit}"
        + (
            f", of the family's members ({len({v.material for v in c.values})} with values)"
            if c.mode == "family"
            else ""
        )
    ]
    placed = {p.value: p for p in c.placements}
    if c.mode == "material":
        ranged = any(p.range for p in c.placements)
        out += [
            "",
            table(
                ["value", c.unit, "as given", "conditions", "where", "original"] + (["range"] if ranged else []),
                [
                    [
                        v.id,
                        v.shown,
                        "" if v.as_given == f"{v.shown} {v.unit}" else v.as_given,
                        _conditions(v),
                        v.location,
                        v.original,
                    ]
                    + ([placed[v.id].position] if ranged else [])
                    for v in c.values
                ],
            ),
        ]
        if c.pairs:
            out += [
                "",
                f"Pairs (agree: {c.tolerance}):",
                table(
                    ["a", "b", "verdict", "ratio", "why"],
                    [[p.a, p.b, p.verdict, "" if p.ratio is None else f"{p.ratio:g}", p.reason] for p in c.pairs],
                ),
            ]
    out.append("")
    for r in c.ranges:
        note = "; uncertain reading" if r.uncertain else ""
        printed = f", printed {r.printed_as}" if r.printed_as else ""
        out.append(f"range: {r.family_label} {r} ({r.source}, {r.location}{printed}{note})")
    if c.mode == "material":
        for reason in sorted({p.reason for p in c.placements if p.position == "not covered"}):
            out.append(f"no range for {c.subject_label}: {reason}")
    if c.mode == "family":
        counts = ", ".join(f"{n} {k}" for k, n in c.summary.positions.items())
        out.append(f"counts: {counts} ({len(c.values)} values)")
        shown = [v for v in c.values if every or placed[v.id].position != "inside"]
        why = any(placed[v.id].position == "not covered" for v in shown)
        shown.sort(key=lambda v: (placed[v.id].position, -(placed[v.id].factor or 0), v.material_label))
        out += [
            "",
            ("All values" if every else f"Outside the range, or not covered by one ({len(shown)}):"),
            table(
                ["position", "material", c.unit, "factor", "conditions", "where", "original"]
                + (["why"] if why else []),
                [
                    [
                        placed[v.id].position,
                        v.material_label,
                        v.shown,
                        ""
                        if placed[v.id].factor is None
                        else ("≥" if v.value is None else "") + f"{placed[v.id].factor:g}",
                        _conditions(v),
                        _where(v),
                        v.original,
                    ]
                    + ([placed[v.id].reason if placed[v.id].position == "not covered" else ""] if why else [])
                    for v in shown
                ],
            ),
        ]
    out += ["", c.summary.line]
    return "\n".join(out)


def cmd_compare(args) -> int:
    if args.output and args.output != "-":
        from kg.core.files import output_file

        output_file(args.output)  # a folder or a device is refused before any work is done
    if args.plot:
        from kg.output.draw.strip import plot_format

        plot_format(args.plot)
    graph = source_graph()
    try:
        c = graph.compare(args.subject, args.property)
    except WrongKindError as exc:
        if "metric" in exc.expected:  # the property named something else: no other command to suggest
            raise
        raise wrong_kind_hint(exc, args.subject) from None
    if args.plot:
        from kg.output.draw.strip import draw_strip

        picture = draw_strip(c, args.plot)
        print(f"wrote {args.plot}: {picture}", file=sys.stderr)
    if args.format == "json":
        from kg.core.jsonout import to_json

        text = to_json(c)
    else:
        text = render(c, every=args.all)
    if args.output and args.output != "-":
        from kg.core.files import write_output

        write_output(args.output, (text + "\n").encode("utf-8"))
        print(f"wrote {args.output}", file=sys.stderr)
    else:
        print(text)
    return 0
