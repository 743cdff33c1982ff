"""``sslmb release -o DIR``: the shipped graph in every format, with ``stats.json`` and an RO-Crate."""

from __future__ import annotations

import sys


def cmd_release(args) -> int:
    import kg
    from kg.output.release import build

    written = build(kg.load(), args.output)
    for name, size in written:
        print(f"wrote {args.output.rstrip('/')}/{name} ({size} bytes)", file=sys.stderr)
    return 0
