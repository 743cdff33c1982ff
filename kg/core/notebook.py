"""Result objects in a notebook: an escaped HTML table for Jupyter (``_repr_html_``) and a pandas DataFrame
(``to_pandas``) whose rows are the rows of the documented JSON form (:func:`kg.core.jsonout.to_jsonable`).

The result classes of ``kg.model`` and ``kg.analysis`` inherit :class:`Display`; the facade returns lists of
results as :class:`Rows`, a list that shows itself as one table. This module sits in the core layer so that both
can use it; it knows the result classes by their fields (duck typing), never by importing them. pandas is an
optional extra (``pip install 'sslmb-kg[notebook]'``), imported only by ``to_pandas``.

>>> from kg.analysis.gaps import Gap, Gaps
>>> gaps = Gaps((Gap("https://w3id.org/sslmb/X", "<script>x</script>", "failure mode", "direct mitigation"),), (), ())
>>> "<script>" in gaps._repr_html_(), "&lt;script&gt;" in gaps._repr_html_()
(False, True)
"""

from __future__ import annotations

from kg.core.namespaces import shorten

# Every result class inherits Display, so this module is imported by most commands: it imports nothing at start-up
# that only a notebook needs (typing, html, json through kg.core.jsonout).
TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing at start-up
if TYPE_CHECKING:
    from collections.abc import Callable, Iterable, Sequence
    from typing import Any

    #: One column of an HTML table: its header and how to read its cell from a result object (or a row).
    Column = tuple[str, Callable[[Any], Any]]


def escape(text: str) -> str:
    """``html.escape`` (quotes too), without importing :mod:`html` and its entity tables."""
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return text.replace('"', "&quot;").replace("'", "&#x27;")


# Notebook front ends style tables themselves (JupyterLab right-aligns every cell), hence the !important.
_STYLE = (
    "<style>table.sslmb-result{border-collapse:collapse;margin:.3em 0}"
    "table.sslmb-result th,table.sslmb-result td{border:1px solid #d0d7de;padding:.25em .5em;vertical-align:top;"
    "text-align:left!important;white-space:normal}"
    "table.sslmb-result th{background:#f3f5f7}"
    "table.sslmb-result td.num{text-align:right!important;font-variant-numeric:tabular-nums;white-space:nowrap}"
    "table.sslmb-result caption{text-align:left;font-weight:600;padding:.2em 0}</style>"
)


class MissingExtra(ImportError):
    """pandas is not installed: ``to_pandas`` needs the ``notebook`` extra."""


class Display:
    """Mixin for a result class: ``_repr_html_`` (Jupyter shows the result as tables) and ``to_pandas``."""

    __slots__ = ()

    def _repr_html_(self) -> str:
        return html(self)

    def to_pandas(self, part: str | None = None) -> Any:
        """The result as a :class:`pandas.DataFrame` with one row per row of its JSON form.

        A result that holds several lists (the exposures and strategies of ``risks``, the numbers and links of
        a fact sheet) gives one of them; ``part`` names which (see :func:`parts`)."""
        return dataframe(self, part)


class Rows(list):
    """A list of results (mitigations, paths, hubs, matches) that Jupyter shows as one table.

    It is a plain list in every other way: ``kg.to_json`` and ``--format json`` print it as a list; a slice
    (``found[:5]``) is a :class:`Rows` again."""

    def __getitem__(self, index: Any) -> Any:
        item = super().__getitem__(index)
        return Rows(item) if isinstance(index, slice) else item

    def _repr_html_(self) -> str:
        return html(self)

    def to_pandas(self, part: str | None = None) -> Any:
        """One DataFrame row per item, with the item's JSON fields as columns."""
        return dataframe(self, part)


# ------------------------------------------------------------------ cells


def number(value: Any) -> str:
    """A number as a table shows it: integers whole, others with up to six significant digits."""
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, int):
        return str(value)
    return f"{value:g}"


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, (list, tuple)):
        return ", ".join(_text(v) for v in value)
    if isinstance(value, str) and value.startswith(("http://", "https://")):
        return shorten(value)
    return str(value)


def _cell(value: Any) -> str:
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return f'<td class="num">{escape(number(value))}</td>'
    return f"<td>{escape(_text(value))}</td>"


def table(columns: Sequence[Column], items: Iterable[Any], *, caption: str = "") -> str:
    """An HTML table, every header and cell escaped; numbers right-aligned.

    >>> html = table([("name", lambda r: r[0]), ("value", lambda r: r[1])], [("<b>", 1.5)])
    >>> html[html.index("<tbody>"):]
    '<tbody><tr><td>&lt;b&gt;</td><td class="num">1.5</td></tr></tbody></table>'
    """
    head = "".join(f"<th>{escape(h)}</th>" for h, _ in columns)
    head = f"<thead><tr>{head}</tr></thead>" if any(h for h, _ in columns) else ""
    body = "".join("<tr>" + "".join(_cell(read(item)) for _, read in columns) + "</tr>" for item in items)
    cap = f"<caption>{escape(caption)}</caption>" if caption else ""
    return f'<table class="sslmb-result">{cap}{head}<tbody>{body}</tbody></table>'


def evidence_text(evidence: Any) -> str:
    """Where a fact was read and what it rests on: ``wang2020: Fig. 4a; 3 | ref. 48``."""
    whole = {s.iri for s in evidence.sources}
    places = [loc.number or loc.label for loc in evidence.locations if loc.iri not in whole]
    cited = [str(r.number) if r.number is not None else r.label for r in evidence.references]
    parts = ["; ".join(places)] if places else []
    if cited:
        parts.append(("ref. " if all(r.number is not None for r in evidence.references) else "") + ", ".join(cited))
    keys = ", ".join(s.key for s in evidence.sources)
    text = " | ".join(parts)
    return f"{keys}: {text}" if keys and text else keys or text


def _refs(numbers: Sequence[int]) -> str:
    return ", ".join(str(n) for n in numbers)


def _route(steps: Sequence[Any]) -> str:
    if not steps:
        return ""
    out = steps[0].source_label
    for step in steps:
        out += f" -{step.relation}-> {step.target_label}"
    return out


def _path(path: Any) -> str:
    out = path.labels[0]
    for link, label in zip(path.links, path.labels[1:], strict=False):
        out += f" -{'/'.join(link.relations)}-> {label}"
    return out


# ------------------------------------------------------------------ the views, by result class

_MITIGATION: list[Column] = [
    ("strategy", lambda m: m.strategy_label),
    ("mitigates", lambda m: m.target_label),
    ("hops", lambda m: m.hops),
    ("route", lambda m: _route(m.path)),
    ("outcomes", lambda m: "; ".join(m.outcomes)),
    ("applies to", lambda m: m.applies_to),
    ("refs.", lambda m: _refs(m.references)),
    ("sources", lambda m: m.sources),
    ("score", lambda m: m.score),
]
_PATH: list[Column] = [
    ("hops", lambda p: len(p.links)),
    ("route", _path),
    ("refs.", lambda p: _refs(sorted({n for link in p.links for n in link.references}))),
]
_HUB: list[Column] = [
    ("entity", lambda h: h.label),
    ("kind", lambda h: h.kind),
    ("betweenness", lambda h: h.betweenness),
    ("in-degree", lambda h: h.in_degree),
    ("out-degree", lambda h: h.out_degree),
    ("mitigated by", lambda h: h.mitigated_by),
]
_MATCH: list[Column] = [
    ("label", lambda m: m.label),
    ("kind", lambda m: m.kind),
    ("IRI", lambda m: m.iri),
    ("matched", lambda m: f"{m.matched} ({m.field})"),
    ("score", lambda m: m.score),
]
_GAP: list[Column] = [
    ("entity", lambda g: g.label),
    ("kind", lambda g: g.kind),
    ("missing", lambda g: g.missing),
    ("detail", lambda g: g.detail),
]
_EXPOSURE: list[Column] = [
    ("failure mode", lambda e: e.failure_mode_label),
    ("via", lambda e: e.via + (f" (constituent {e.constituent})" if e.constituent else "")),
    ("route", lambda e: _route(e.route)),
    ("mitigated by", lambda e: "; ".join(e.mitigated_by)),
    ("refs.", lambda e: _refs(e.references)),
]
_STRATEGY: list[Column] = [
    ("strategy", lambda s: s[0]),
    ("applies to", lambda s: s[1]),
    ("refs.", lambda s: _refs(s[2])),
]
_QUANTITY: list[Column] = [
    ("measures", lambda q: q.metric or q.label),
    ("value (unit, conditions)", str),
    ("normalised", lambda q: f"{number(q.normalized['value'])} {q.normalized['unit']}" if q.normalized else ""),
    ("printed", lambda q: q.printed_as),
    ("evidence", lambda q: evidence_text(q.evidence)),
]
_LINK: list[Column] = [
    ("relation", lambda lk: ("→ " if lk.direction == "out" else "← ") + lk.relation),
    ("entity", lambda lk: f"{lk.other.label} [{lk.other.kind}]"),
    ("through family", lambda lk: lk.via.label if lk.via else ""),
    ("evidence", lambda lk: evidence_text(lk.evidence)),
]
_ITEMS = {"Mitigation": _MITIGATION, "Path": _PATH, "Hub": _HUB, "Match": _MATCH, "Gap": _GAP}

#: The lists a container result gives to ``to_pandas(part=...)``, the first being the default.
PARTS = {
    "QueryResult": ("rows",),
    "Risks": ("exposures", "strategies", "withheld"),
    "Gaps": ("all", "unmitigated", "unquantified_strategies", "families_without_safety_data"),
    "FactSheet": ("quantities", "links", "family_quantities", "annotations"),
}


def parts(obj: Any) -> tuple[str, ...]:
    """The names ``to_pandas(part=...)`` accepts for this result (empty for a list or a one-table result)."""
    return PARTS.get(type(obj).__name__, ())


def _query_html(result: Any) -> str:
    if result.form == "ask":
        return table([("answer", lambda b: b)], [result.boolean], caption="ASK")
    if result.form != "select":
        triples = [("subject", lambda t: t[0]), ("predicate", lambda t: t[1]), ("object", lambda t: t[2])]
        return table(triples, result.triples, caption=f"{len(result.triples)} triples")
    columns = [(v.replace("_", " "), lambda row, v=v: row.get(v)) for v in result.variables]
    return table(columns, result.rows, caption=f"{len(result.rows)} rows ({result.seconds:.3f} s)")


def _risks_html(risks: Any) -> str:
    title = f"Risks of {risks.electrolyte_label}"
    if risks.families:
        title += f" (as {', '.join(risks.families)})"
    out = [table(_EXPOSURE, risks.exposures, caption=title + ": failure modes")]
    if risks.strategies:
        out.append(table(_STRATEGY, risks.strategies, caption="strategies that involve it"))
    if risks.withheld:
        withheld = [
            ("not inherited", lambda w: w.target_label),
            ("from", lambda w: w.via),
            ("why", lambda w: w.reason + (f" ({w.detail})" if w.detail else "")),
        ]
        out.append(table(withheld, risks.withheld, caption="said of its family, not of it"))
    return "".join(out)


def _gaps_html(gaps: Any) -> str:
    return "".join(
        table(_GAP, getattr(gaps, name), caption=f"{name.replace('_', ' ')} ({len(getattr(gaps, name))})")
        for name in PARTS["Gaps"][1:]
    )


def _sheet_html(sheet: Any) -> str:
    head = f"<h4>{escape(sheet.label)} <small>[{escape(sheet.kind)}] {escape(shorten(sheet.iri))}</small></h4>"
    facts = []
    if sheet.alt_labels:
        facts.append(("also known as", ", ".join(sheet.alt_labels)))
    if sheet.formula:
        facts.append(("formula", sheet.formula))
    if sheet.family:
        facts.append(("family", " < ".join(f.label for f in sheet.family)))
    if sheet.definition:
        facts.append(("definition", sheet.definition))
    out = [head]
    if facts:
        out.append(table([("", lambda f: f[0]), ("", lambda f: f[1])], facts))
    if sheet.quantities:
        out.append(table(_QUANTITY, sheet.quantities, caption=f"numbers ({len(sheet.quantities)})"))
    if sheet.family_quantities:
        columns = [("family", lambda fq: fq[0].label)] + [(h, lambda fq, r=r: r(fq[1])) for h, r in _QUANTITY]
        out.append(table(columns, sheet.family_quantities, caption="numbers of its family"))
    if sheet.links:
        out.append(table(_LINK, sheet.links, caption=f"links ({len(sheet.links)})"))
    return "".join(out)


def html(obj: Any) -> str:
    """The HTML a notebook shows for a result object or a :class:`Rows` list of them."""
    name = type(obj).__name__
    if isinstance(obj, list):
        columns = _ITEMS.get(type(obj[0]).__name__) if obj else None
        body = table(columns, obj, caption=f"{len(obj)} results") if columns else escape(repr(list(obj)))
    elif name in _ITEMS:
        body = table(_ITEMS[name], [obj])
    else:
        body = {"QueryResult": _query_html, "Risks": _risks_html, "Gaps": _gaps_html, "FactSheet": _sheet_html}[name](
            obj
        )
    return _STYLE + body


# ------------------------------------------------------------------ DataFrames


def json_rows(obj: Any, part: str | None = None) -> tuple[list[str], list[dict[str, Any]]]:
    """The column names and rows of a result's table, read from its JSON form (what ``to_pandas`` holds)."""
    name = type(obj).__name__
    known = parts(obj)
    if part is not None and part not in known:
        raise ValueError(f"{name}.to_pandas: part is one of {', '.join(known)}" if known else f"{name}: no parts")
    from kg.core.jsonout import to_jsonable

    data = to_jsonable(obj)
    if isinstance(obj, list) or name in _ITEMS:
        rows = data if isinstance(obj, list) else [data]
        columns = list(rows[0]) if rows else []
    elif name == "QueryResult":
        if obj.form == "select":
            return list(obj.variables), data["rows"]
        if obj.form == "ask":
            return ["boolean"], [{"boolean": obj.boolean}]
        spo = ["subject", "predicate", "object"]
        return spo, [dict(zip(spo, t, strict=True)) for t in data["triples"]]
    elif name == "Gaps" and (part or "all") == "all":
        rows = [{"category": key, **gap} for key in known[1:] for gap in data[key]]
        columns = ["category", "iri", "label", "kind", "missing", "detail"]
    else:
        rows = data[part or known[0]]
        if rows and not isinstance(rows[0], dict):  # a list of tuples: risks' strategies, a family's numbers
            keys = {"strategies": ("strategy", "applies_to", "references"), "family_quantities": ("family", "quantity")}
            rows = [dict(zip(keys[part or known[0]], r, strict=True)) for r in rows]
        columns = list(rows[0]) if rows else []
    return columns, rows


def dataframe(obj: Any, part: str | None = None) -> Any:
    """A :class:`pandas.DataFrame` of :func:`json_rows`; a clear error when pandas is not installed."""
    try:
        import pandas as pd
    except ImportError as exc:
        raise MissingExtra(
            "to_pandas needs pandas, which sslmb-kg installs as an extra: pip install 'sslmb-kg[notebook]'"
        ) from exc
    columns, rows = json_rows(obj, part)
    return pd.DataFrame(rows, columns=columns)
