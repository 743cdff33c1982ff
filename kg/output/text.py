"""Plain-text rendering for terminals: aligned tables and fact sheets (the JSON form lives in kg.core.jsonout)."""

from __future__ import annotations

import shutil
from collections.abc import Sequence
from typing import Any


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        return f"{value:g}"
    if isinstance(value, (list, tuple)):
        return ", ".join(_cell(v) for v in value)
    return str(value).replace("\n", " ")


def table(headers: Sequence[str], rows: Sequence[Sequence[Any]], *, max_width: int | None = None) -> str:
    """An aligned text table; long cells are cut with an ellipsis to fit the terminal.

    >>> print(table(["a", "bb"], [[1, "x"], [22, "yy"]]))
    a   bb
    --  --
    1   x
    22  yy
    """
    cells = [[_cell(v) for v in row] for row in rows]
    widths = [len(h) for h in headers]
    for row in cells:
        for i, text in enumerate(row):
            widths[i] = max(widths[i], len(text))
    total = max_width or max(shutil.get_terminal_size((160, 24)).columns, 80)
    while sum(widths) + 2 * (len(widths) - 1) > total and max(widths) > 12:
        widest = widths.index(max(widths))
        widths[widest] -= 1

    def fit(text: str, width: int) -> str:
        return text if len(text) <= width else text[: max(width - 1, 0)] + "…"

    lines = [
        "  ".join(fit(h, w).ljust(w) for h, w in zip(headers, widths, strict=True)).rstrip(),
        "  ".join("-" * w for w in widths).rstrip(),
    ]
    for row in cells:
        lines.append("  ".join(fit(t, w).ljust(w) for t, w in zip(row, widths, strict=True)).rstrip())
    return "\n".join(lines)


def _evidence(evidence: Any) -> str:
    """``source: where | what it rests on``: ``wang2020: Table 2 | ref. 36``, ``obelix | doi:10.1038/nmat3066``."""
    parts = []
    whole = {s.iri for s in getattr(evidence, "sources", ())}
    places = [loc.number or loc.label for loc in evidence.locations if loc.iri not in whole]
    if places:
        parts.append("; ".join(places))
    cited = [str(r.number) if r.number is not None else r.label for r in evidence.references]
    if cited:
        numbered = all(r.number is not None for r in evidence.references)
        parts.append(("ref. " if numbered else "") + ", ".join(cited))
    keys = ", ".join(s.key for s in getattr(evidence, "sources", ()))
    text = " | ".join(parts)
    return f"{keys}: {text}" if keys and text else keys or text


def quantity_line(q: Any) -> str:
    text = f"{q.metric or q.label}: {q}"
    if q.printed_as:
        text += f"  [printed: {q.printed_as}]"
    if q.uncertain:
        text += "  (uncertain reading)"
    text += scope_note(q.scope, q.scope_as_printed, q.exceptions)
    return text


def support_line(support: Any) -> str:
    """``supported by 2 (obelix, wang2020): obelix + wang2020 (doi:10.1038/nmat3066); obelix (...)``."""
    lines = "; ".join(str(line) for line in support.support)
    return f"supported by {support.supported_by} ({', '.join(support.supporting)})" + (f": {lines}" if lines else "")


def scope_note(scope: str | None, printed: str | None, exceptions: Sequence[Any]) -> str:
    """How far a family-level statement reaches, in brackets: ``  {some members: "some inorganic SSEs"}``."""
    parts = []
    if scope:
        parts.append(scope + (f': "{printed}"' if printed else ""))
    if exceptions:
        parts.append("except " + ", ".join(getattr(x, "label", x) for x in exceptions))
    return f"  {{{'; '.join(parts)}}}" if parts else ""


def fact_sheet(sheet: Any) -> str:
    """A readable fact sheet for the terminal (``sslmb show``)."""
    out = [f"{sheet.label}  [{sheet.kind}]  <{sheet.iri}>"]
    if sheet.alt_labels:
        out.append(f"  also known as: {', '.join(sheet.alt_labels)}")
    if sheet.formula:
        out.append(f"  formula: {sheet.formula}")
    if sheet.family:
        out.append(f"  family: {' < '.join(f.label for f in sheet.family)}")
    elif sheet.types:
        out.append(f"  type: {', '.join(t.label for t in sheet.types)}")
    if sheet.definition:
        out.append(f"  definition: {sheet.definition}")
    for note in sheet.notes:
        out.append(f"  note: {note}")
    if sheet.annotations:
        out.append("\nProperties")
        for a in sheet.annotations:
            out.append(f"  {a.property}: {_cell(a.value)}")
    if sheet.quantities or sheet.family_quantities:
        out.append("\nNumbers")
        agreed, said = dict(getattr(sheet, "number_support", ())), set()
        for q in sheet.quantities:
            ev = _evidence(q.evidence)
            out.append(f"  {quantity_line(q)}" + (f"  ({ev})" if ev else ""))
            line = support_line(agreed[q.iri]) if q.iri in agreed else ""
            if line and line not in said:  # once per group of agreeing values
                said.add(line)
                out.append(f"    agreeing values: {line}")
        for fam, q in sheet.family_quantities:
            ev = _evidence(q.evidence)
            out.append(f"  {quantity_line(q)}  (as {fam.label})" + (f"  ({ev})" if ev else ""))
    own = [lk for lk in sheet.links if lk.via is None]
    inherited = [lk for lk in sheet.links if lk.via is not None]
    for title, links in (("Links", own), ("Through its family", inherited)):
        if not links:
            continue
        out.append(f"\n{title}")
        rows = []
        for lk in links:
            arrow = "->" if lk.direction == "out" else "<-"
            via = f" (as {lk.via.label})" if lk.via else ""
            scoped = scope_note(lk.scope, lk.scope_as_printed, lk.exceptions)
            backing = getattr(lk, "support", None)
            rows.append(
                [
                    f"{arrow} {lk.relation}",
                    f"{lk.other.label} [{lk.other.kind}]{via}{scoped}",
                    _evidence(lk.evidence),
                    backing.supported_by if backing is not None and backing.supporting else "",
                ]
            )
        headers = ["relation", "entity", "evidence", "sources"]
        out.append("\n".join("  " + line for line in table(headers, rows).splitlines()))
    if sheet.withheld:
        out.append("\nNot inherited from its family")
        rows = []
        for w in sheet.withheld:
            arrow = "->" if w.direction == "out" else "<-"
            why = w.reason + (f" ({w.detail})" if w.detail else "")
            rows.append([f"{arrow} {w.relation}", f"{w.other.label} [{w.other.kind}] (as {w.via.label})", why])
        out.append("\n".join("  " + line for line in table(["relation", "entity", "why not"], rows).splitlines()))
    if sheet.credited:
        out.append("\nCredited by the review")
        rows = [
            [
                c.subject.label if c.relation is None else f"{c.subject.label} -{c.relation}-> {c.other.label}",
                _evidence(c.evidence),
            ]
            for c in sheet.credited
        ]
        out.append("\n".join("  " + line for line in table(["finding", "evidence"], rows).splitlines()))
    if getattr(sheet, "support", None) is not None:
        out.append("\nSupport")
        out.append(f"  {sheet.support}")
        out.extend(f"  {line}" for line in sheet.support.details)
    ev = sheet.evidence
    if ev.locations or ev.references or ev.attributed_to:
        out.append("\nEvidence")
        if ev.locations:
            out.append("  read in: " + "; ".join(loc.label for loc in ev.locations))
        if ev.references:
            out.append("  rests on: " + "; ".join(r.label for r in ev.references))
        if ev.attributed_to:
            out.append("  reported by: " + "; ".join(ev.attributed_to))
    return "\n".join(out)
