"""The commands that write files: ``export`` (RDF, GEXF, GraphML) and ``draw`` (SVG, PNG, HTML)."""

from __future__ import annotations

import sys

from kg.cli.common import source_graph, wrong_kind_hint
from kg.core.errors import KGError, WrongKindError


def cmd_export(args) -> int:
    options = {"bibliographic": args.bibliographic, "schema": args.schema}
    if args.around is not None:
        options.update(around=args.around, hops=1 if args.hops is None else args.hops)
    elif args.hops is not None:
        raise KGError("--hops goes with --around TEXT")
    path = source_graph().export(args.output, format=args.format, **options)
    if args.format in ("kgx", "neo4j"):  # a folder of files
        from kg.output import kgx, neo4j

        for name in kgx.FILES if args.format == "kgx" else neo4j.FILES:
            print(f"wrote {path / name} ({(path / name).stat().st_size} bytes)", file=sys.stderr)
    elif path is not None:  # None: written to standard output
        print(f"wrote {path} ({path.stat().st_size} bytes)", file=sys.stderr)
    return 0


def cmd_draw(args) -> int:
    from kg.output.draw import draw

    try:
        drawing = draw(source_graph(), args.target, args.output, max_hops=args.max_hops, format=args.format)
    except WrongKindError as exc:
        raise wrong_kind_hint(exc, args.target) from None
    where = "standard output" if args.output == "-" else args.output
    print(
        f"wrote {where}: {drawing.strategies} strateg{'y' if drawing.strategies == 1 else 'ies'}, "
        f"{len(drawing.boxes)} boxes, {drawing.width:.0f} x {drawing.height:.0f} px",
        file=sys.stderr,
    )
    return 0
