"""A laid-out drawing as SVG 1.1 text (no dependency): boxes, arrows with their evidence as tooltips, a legend."""

from __future__ import annotations

from xml.sax.saxutils import escape

from kg.output import palette
from kg.output.draw.layout import (
    EDGE_STYLES,
    FONT,
    FONT_FAMILY,
    LINE,
    MARGIN,
    OTHER_EDGE,
    PAD_X,
    PAD_Y,
    Drawing,
    edge_path,
    legend_item_widths,
    refs,
)


def _a(value: object) -> str:
    return '"' + escape(str(value), {'"': "&quot;", "\n": "&#10;"}) + '"'


def _marker_id(relation: str) -> str:
    return "arrow-" + "".join(c if c.isalnum() else "-" for c in relation)


def to_svg(d: Drawing, *, standalone: bool = True) -> str:
    """The drawing as SVG 1.1 text. Each entity is a ``<g class="node">`` carrying ``data-iri`` and
    ``data-kind``; each link a ``<path class="edge">`` with ``data-source``/``data-target`` box ids. Hovering
    shows a ``<title>`` with the evidence in any SVG viewer."""
    out = []
    if standalone:
        out.append('<?xml version="1.0" encoding="UTF-8"?>')
    out.append(
        f'<svg xmlns="http://www.w3.org/2000/svg" id="drawing" width="{d.width}" height="{d.height}" '
        f'viewBox="0 0 {d.width} {d.height}" font-family={_a(FONT_FAMILY)} font-size="{FONT}">'
    )
    out.append(f"<title>{escape(d.title)}</title>")
    out.append(f"<desc>{escape(d.subtitle)}. Drawn by sslmb-kg (sslmb draw).</desc>")
    out.append("<defs>")
    for relation in d.relations:
        colour, _, _ = EDGE_STYLES.get(relation, OTHER_EDGE)
        out.append(
            f'<marker id="{_marker_id(relation)}" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" '
            f'markerHeight="7" orient="auto"><path d="M0,0 L10,5 L0,10 z" fill="{colour}"/></marker>'
        )
    out.append("</defs>")
    out.append(f'<rect class="background" x="0" y="0" width="{d.width}" height="{d.height}" fill="#FFFFFF"/>')
    out.append(
        f'<text class="title" x="{MARGIN}" y="{MARGIN + 12}" font-size="17" font-weight="bold" '
        f'fill="#111111">{escape(d.title)}</text>'
    )
    out.append(
        f'<text class="subtitle" x="{MARGIN}" y="{MARGIN + 32}" font-size="11" fill="#444444">'
        f"{escape(d.subtitle)}</text>"
    )
    out.append('<g class="edges" fill="none">')
    for arrow in d.arrows:
        colour, dash, width = EDGE_STYLES.get(arrow.relation, OTHER_EDGE)
        x1, y1, x2, y2 = edge_path(d, arrow)
        bend = (x2 - x1) / 2
        evidence = "; ".join(x for x in (refs(arrow.references), "; ".join(arrow.sections)) if x)
        tip = f"{d.box(arrow.source).label} {arrow.relation} {d.box(arrow.target).label}"
        out.append(
            f'<path class="edge" id="{arrow.id}" data-source="{arrow.source}" data-target="{arrow.target}" '
            f"data-relation={_a(arrow.relation)} "
            f'd="M{x1:.1f},{y1:.1f} C{x1 + bend:.1f},{y1:.1f} {x2 - bend:.1f},{y2:.1f} {x2:.1f},{y2:.1f}" '
            f'stroke="{colour}" stroke-width="{width}"' + (f' stroke-dasharray="{dash}"' if dash else "") + " "
            f'marker-end="url(#{_marker_id(arrow.relation)})">'
            f"<title>{escape(tip + (f' ({evidence})' if evidence else ''))}</title></path>"
        )
    out.append("</g>")
    out.append('<g class="nodes">')
    for b in d.boxes:
        out.append(f'<g class="node" id="{b.id}" data-iri={_a(b.iri)} data-kind={_a(b.kind)}>')
        out.append(f"<title>{escape(b.label + chr(10) + chr(10).join(b.details))}</title>")
        out.append(
            f'<rect x="{b.x}" y="{b.y}" width="{b.width}" height="{b.height}" rx="5" '
            f'fill="{palette.tint(b.colour, 0.22)}" stroke="{b.colour}" stroke-width="2"/>'
        )
        out.append(f'<text x="{b.x + PAD_X}" fill="#111111">')
        for i, line in enumerate(b.lines):
            baseline = b.y + PAD_Y + FONT * 0.95 + i * LINE
            out.append(f'<tspan x="{b.x + PAD_X}" y="{baseline:.1f}">{escape(line)}</tspan>')
        out.append("</text></g>")
    out.append("</g>")
    out.append(_svg_legend(d))
    out.append("</svg>")
    return "\n".join(out) + "\n"


def _svg_legend(d: Drawing) -> str:
    kinds, edges = legend_item_widths(d.legend, d.relations)
    out = ['<g class="legend" font-size="11" fill="#222222">']
    x, y = float(MARGIN), d.legend_y
    for (kind, colour), w in zip(d.legend, kinds, strict=True):
        out.append(
            f'<rect x="{x}" y="{y}" width="12" height="12" rx="2" fill="{palette.tint(colour, 0.22)}" '
            f'stroke="{colour}" stroke-width="2"/><text x="{x + 18}" y="{y + 10}">{escape(kind)}</text>'
        )
        x += w
    x, y = float(MARGIN), d.legend_y + 22
    for relation, w in zip(d.relations, edges, strict=True):
        colour, dash, width = EDGE_STYLES.get(relation, OTHER_EDGE)
        out.append(
            f'<path d="M{x},{y + 6} L{x + 26},{y + 6}" stroke="{colour}" stroke-width="{width}"'
            + (f' stroke-dasharray="{dash}"' if dash else "")
            + f' marker-end="url(#{_marker_id(relation)})"/><text x="{x + 34}" y="{y + 10}">{escape(relation)}</text>'
        )
        x += w
    out.append("</g>")
    return "\n".join(out)
