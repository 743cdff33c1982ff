"""Pictures of what mitigates a hazard: the cause -> failure -> mitigation subgraph of a mechanism or failure
mode, as SVG (written here, no dependency), PNG (matplotlib, the ``draw`` extra) or a self-contained HTML page
that pans, zooms and shows the evidence of what the pointer is on (no network access needed).

The layout reads left to right, the way the causal links run: each cause one column further left of the
hazard per causal step (as ``sslmb mitigations`` follows them), every strategy that acts on a cause one column
left of that cause, and the strategies that act on the hazard itself in one column to its right, pointing back
at it. So causes and what blocks them read towards the hazard, the direct remedies stand beside it, and every
arrow spans one gap. Each strategy is drawn on its best route, the one ``sslmb mitigations`` ranks first (the
routes form a tree, laid out as a tidy tree: each cause centred on what feeds it); no two boxes overlap and no
arrow crosses a box. Colours are those of
:mod:`kg.palette`, shared with the GEXF export.
"""

from __future__ import annotations

import json
import textwrap
from dataclasses import dataclass, field
from pathlib import Path
from xml.sax.saxutils import escape

from kg import palette
from kg.core.errors import InputError, KGError, echo

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing at start-up
if TYPE_CHECKING:
    from kg.analysis.mitigations import Mitigation
    from kg.core.graph import Graph

FONT = 12  # px, labels
LINE = 15  # px between baselines
CHAR = 0.62 * FONT  # a generous average glyph width, so labels fit in DejaVu Sans, Verdana or Arial
WRAP = 26  # characters per label line
PAD_X, PAD_Y = 8, 6
COLUMN_GAP = 64
ROW_GAP = 10
MARGIN = 20
TITLE_HEIGHT = 52
FONT_FAMILY = "DejaVu Sans, Verdana, Arial, Helvetica, sans-serif"

#: How each relation is drawn: (colour, SVG dash pattern or "" for solid, width).
EDGE_STYLES: dict[str, tuple[str, str, float]] = {
    "mitigates": ("#009E73", "", 1.4),
    "causes": ("#333333", "", 1.6),
    "contributes to": ("#333333", "6 3", 1.6),
    "leads to": ("#333333", "2 3", 1.8),
}
_OTHER_EDGE = ("#777777", "", 1.2)


@dataclass(frozen=True)
class Box:
    """An entity's box: ``x``, ``y`` are its top-left corner; ``details`` are the lines of its tooltip."""

    id: str
    iri: str
    label: str
    kind: str
    colour: str
    lines: tuple[str, ...]
    column: int
    x: float
    y: float
    width: float
    height: float
    details: tuple[str, ...] = ()

    @property
    def right(self) -> float:
        return self.x + self.width

    @property
    def bottom(self) -> float:
        return self.y + self.height

    @property
    def middle(self) -> float:
        return self.y + self.height / 2


@dataclass(frozen=True)
class Arrow:
    """A link between two boxes (by id) with its evidence."""

    id: str
    source: str
    target: str
    relation: str
    references: tuple[int, ...]
    sections: tuple[str, ...]


@dataclass(frozen=True)
class Drawing:
    """A laid-out picture: every coordinate in px, the canvas ``width`` x ``height`` fits the content."""

    title: str
    subtitle: str
    target: str
    width: float
    height: float
    boxes: tuple[Box, ...]
    arrows: tuple[Arrow, ...]
    legend: tuple[tuple[str, str], ...]  # (kind, colour) of the kinds shown
    relations: tuple[str, ...]  # relations shown, for the legend
    legend_y: float = 0.0
    strategies: int = field(default=0)

    def box(self, box_id: str) -> Box:
        return next(b for b in self.boxes if b.id == box_id)


def _wrap(label: str, width: int = WRAP) -> tuple[str, ...]:
    return tuple(textwrap.wrap(label, width, break_long_words=True, break_on_hyphens=False)) or ("",)


def _refs(numbers) -> str:
    numbers = list(numbers)
    if not numbers:
        return ""
    return ("ref. " if len(numbers) == 1 else "refs ") + ", ".join(map(str, numbers))


def layout(graph: Graph, target: str, *, max_hops: int = 3) -> Drawing:
    """Lay out the strategies that mitigate ``target`` (resolved like ``sslmb mitigations``) and the causal
    routes they act through.

    >>> import kg
    >>> d = layout(kg.load(), "H2S")
    >>> d.box("n0").label, d.box("n0").kind
    ('hydrogen sulfide release', 'failure mode')
    >>> hazard = d.box("n0")   # causes and their remedies to the left, direct remedies to the right
    >>> sorted({b.column - hazard.column for b in d.boxes})
    [-4, -3, -2, -1, 0, 1]
    """
    from kg.analysis.mitigations import HAZARD_KINDS, mitigations
    from kg.model import evidence as ev

    entity = graph.resolve(target, kinds=list(HAZARD_KINDS))
    found: list[Mitigation] = mitigations(graph, entity.iri, max_hops=max_hops)

    # the routes as a tree: parent[x] is what x acts on; children in drawing order (ranked strategies, then causes)
    parent: dict[str, str] = {}
    links: dict[tuple[str, str], tuple[str, tuple[int, ...], tuple[str, ...]]] = {}
    children: dict[str, list[str]] = {entity.iri: []}
    by_strategy = {m.strategy: m for m in found}
    for m in found:
        for step in m.path:
            if step.source in parent:
                continue
            parent[step.source] = step.target
            children.setdefault(step.target, []).append(step.source)
            children.setdefault(step.source, [])
            links[(step.source, step.target)] = (
                step.relation,
                tuple(step.evidence.reference_numbers),
                tuple(loc.label for loc in step.evidence.locations),
            )
    # every direct cause of the hazard is drawn, also those no strategy reaches: a figure reads as the full list
    from kg.analysis.causal import projection

    causal = projection(graph).causal
    unreached: set[str] = set()
    if entity.iri in causal:
        for cause in sorted(causal.predecessors(entity.iri), key=graph.label):
            if cause in parent:
                continue
            unreached.add(cause)
            parent[cause] = entity.iri
            children[entity.iri].append(cause)
            children.setdefault(cause, [])
            step = ev.of_link(graph, cause, causal.edges[cause, entity.iri]["relation"], entity.iri)
            links[(cause, entity.iri)] = (
                graph.label(causal.edges[cause, entity.iri]["relation"]),
                tuple(step.reference_numbers),
                tuple(loc.label for loc in step.locations),
            )
    rank = {m.strategy: i for i, m in enumerate(found)}
    for kids in children.values():
        kids.sort(key=lambda k: (k not in rank, rank.get(k, 0), graph.label(k)))
    # the strategies that act on the hazard itself go to its right; the causal tree stays on its left
    direct = [k for k in children[entity.iri] if k in by_strategy]
    children[entity.iri] = [k for k in children[entity.iri] if k not in by_strategy]
    depth = {entity.iri: 0}
    order = [entity.iri]
    for node in order:  # breadth first
        for kid in children[node]:
            depth[kid] = depth[node] + 1
            order.append(kid)
    deepest = max(depth.values())
    column_of = {n: deepest - depth[n] for n in order}
    column_of.update({n: deepest + 1 for n in direct})
    order += direct

    # sizes: every box of a column has the column's width; the right-hand column, alone on its side, wraps wider
    lines = {n: _wrap(graph.label(n), WRAP + 12 if n in direct else WRAP) for n in order}
    heights = {n: len(lines[n]) * LINE + 2 * PAD_Y for n in order}
    widths = [0.0] * (deepest + (2 if direct else 1))
    for n in order:
        need = max(len(line) for line in lines[n]) * CHAR + 2 * PAD_X
        widths[column_of[n]] = max(widths[column_of[n]], need, 110.0)
    lefts, x = [], float(MARGIN)
    for w in widths:
        lefts.append(x)
        x += w + COLUMN_GAP
    content_right = x - COLUMN_GAP

    # tidy tree: leaves stacked top to bottom, each inner node centred on its children
    middle: dict[str, float] = {}

    def place(node: str, top: float) -> float:
        kids = children[node]
        if not kids:
            middle[node] = top + heights[node] / 2
            return top + heights[node] + ROW_GAP
        below = top
        for kid in kids:
            below = place(kid, below)
        middle[node] = (middle[kids[0]] + middle[kids[-1]]) / 2
        return max(below, middle[node] + heights[node] / 2 + ROW_GAP)

    content_top = float(TITLE_HEIGHT + MARGIN)
    place(entity.iri, content_top)
    tops = {n: middle[n] - heights[n] / 2 for n in middle}
    # the right-hand column is centred on the hazard; if it would reach above the top, everything moves down
    stack = sum(heights[n] for n in direct) + ROW_GAP * max(len(direct) - 1, 0)
    y = middle[entity.iri] - stack / 2
    if y < content_top:
        tops = {n: t + content_top - y for n, t in tops.items()}
        y = content_top
    for n in direct:
        tops[n] = y
        y += heights[n] + ROW_GAP
    # an inner node taller than its children's band may touch its neighbour: push it down (per column)
    bottom = content_top
    for column in range(len(widths)):
        previous_bottom = None
        for n in sorted((n for n in order if column_of[n] == column), key=lambda n: tops[n]):
            if previous_bottom is not None and tops[n] < previous_bottom + ROW_GAP:
                tops[n] = previous_bottom + ROW_GAP
            previous_bottom = tops[n] + heights[n]
            bottom = max(bottom, previous_bottom + ROW_GAP)

    ids = {n: f"n{i}" for i, n in enumerate(order)}
    boxes = []
    for n in order:
        kind = graph.kind(n)
        if n in by_strategy:
            m = by_strategy[n]
            details = [f"{kind}, score {m.score}: {m.score_explained}"]
            if m.references:
                details.append(_refs(m.references))
            details += [f"outcome: {o}" for o in m.outcomes]
            if m.outcomes and not m.counted_outcomes:
                details.append("(no outcome bears on this hazard or its route)")
            if m.applies_to:
                details.append("applies to: " + ", ".join(m.applies_to))
        else:
            own = ev.of_entity(graph, n)
            details = [kind] + (["no strategy in the graph reaches this cause"] if n in unreached else [])
            if own.locations:
                details.append("read in: " + "; ".join(loc.label for loc in own.locations))
            if own.reference_numbers:
                details.append(_refs(own.reference_numbers))
        boxes.append(
            Box(
                ids[n],
                n,
                graph.label(n),
                kind,
                palette.colour(kind),
                lines[n],
                column_of[n],
                lefts[column_of[n]],
                round(tops[n], 1),
                round(widths[column_of[n]], 1),
                float(heights[n]),
                tuple(details),
            )
        )
    arrows = tuple(
        Arrow(f"e{i}", ids[s], ids[t], relation, refs, sections)
        for i, ((s, t), (relation, refs, sections)) in enumerate(links.items())
    )
    kinds_shown = []
    for b in boxes:
        if b.kind not in kinds_shown:
            kinds_shown.append(b.kind)
    legend = tuple((k, palette.colour(k)) for k in sorted(kinds_shown, key=_legend_order))
    relations = tuple(r for r in EDGE_STYLES if any(a.relation == r for a in arrows)) + tuple(
        sorted({a.relation for a in arrows} - set(EDGE_STYLES))
    )
    title = f"What mitigates {entity.label}"
    subtitle = (
        f"{len(found)} strateg{'y' if len(found) == 1 else 'ies'}, directly or through causes up to {max_hops} "
        f"causal step{'s' if max_hops != 1 else ''} upstream; each on its best-ranked route (sslmb mitigations)"
        if found
        else f"No strategy in the graph mitigates it or its causes (up to {max_hops} causal steps upstream)"
    )
    legend_y = bottom + 6
    width = max(content_right + MARGIN, _legend_width(legend, relations) + 2 * MARGIN, len(subtitle) * 0.6 * 11)
    return Drawing(
        title,
        subtitle,
        entity.iri,
        round(width, 1),
        round(legend_y + 2 * 22 + MARGIN, 1),
        tuple(boxes),
        arrows,
        legend,
        relations,
        round(legend_y, 1),
        len(found),
    )


def _legend_order(kind: str) -> int:
    names = [name for name, _, _ in palette.GROUPS]
    group = palette.group(kind)
    return names.index(group) if group in names else len(names)


def _legend_item_widths(legend, relations) -> tuple[list[float], list[float]]:
    kinds = [18 + len(k) * CHAR + 24 for k, _ in legend]
    edges = [34 + len(r) * CHAR + 24 for r in relations]
    return kinds, edges


def _legend_width(legend, relations) -> float:
    kinds, edges = _legend_item_widths(legend, relations)
    return max(sum(kinds), sum(edges))


# ------------------------------------------------------------------------------------------ SVG


def _a(value: object) -> str:
    return '"' + escape(str(value), {'"': "&quot;", "\n": "&#10;"}) + '"'


def _edge_path(d: Drawing, arrow: Arrow) -> tuple[float, float, float, float]:
    """From the side of the source facing the target to the facing side of the target (2 px short, for the
    arrowhead)."""
    s, t = d.box(arrow.source), d.box(arrow.target)
    if s.x > t.x:  # a strategy right of the hazard it mitigates
        return s.x, s.middle, t.right + 2, t.middle
    return s.right, s.middle, t.x - 2, t.middle


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
        colour, _, _ = EDGE_STYLES.get(relation, _OTHER_EDGE)
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
        colour, dash, width = EDGE_STYLES.get(arrow.relation, _OTHER_EDGE)
        x1, y1, x2, y2 = _edge_path(d, arrow)
        bend = (x2 - x1) / 2
        evidence = "; ".join(x for x in (_refs(arrow.references), "; ".join(arrow.sections)) if x)
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
    kinds, edges = _legend_item_widths(d.legend, d.relations)
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
        colour, dash, width = EDGE_STYLES.get(relation, _OTHER_EDGE)
        out.append(
            f'<path d="M{x},{y + 6} L{x + 26},{y + 6}" stroke="{colour}" stroke-width="{width}"'
            + (f' stroke-dasharray="{dash}"' if dash else "")
            + f' marker-end="url(#{_marker_id(relation)})"/><text x="{x + 34}" y="{y + 10}">{escape(relation)}</text>'
        )
        x += w
    out.append("</g>")
    return "\n".join(out)


# ------------------------------------------------------------------------------------------ HTML

_CSS = """
html, body { margin: 0; height: 100%; font-family: DejaVu Sans, Verdana, Arial, sans-serif; background: #f6f6f6; }
header { padding: 8px 14px; font-size: 13px; color: #333; background: #fff; border-bottom: 1px solid #ddd; }
header button { margin-left: 10px; }
#view { position: absolute; top: 40px; left: 0; right: 0; bottom: 0; overflow: hidden; cursor: grab; }
#view.dragging { cursor: grabbing; }
#view svg { width: 100%; height: 100%; display: block; }
svg.focus .edge:not(.hl) { opacity: 0.12; }
svg.focus .node:not(.hl) { opacity: 0.3; }
.edge.hl { stroke-width: 3; }
.node { cursor: pointer; }
#tip { position: fixed; max-width: 420px; padding: 8px 10px; background: #fff; border: 1px solid #888;
       border-radius: 4px; box-shadow: 0 2px 6px rgba(0,0,0,.2); font-size: 12px; pointer-events: none; }
#tip b { display: block; margin-bottom: 4px; }
#tip div { margin-top: 2px; color: #333; }
"""

# Pan (drag), zoom (wheel, +/- buttons), reset; hovering a box highlights its links and shows its evidence.
_JS = """
(function () {
  var svg = document.getElementById('drawing');
  var view = document.getElementById('view');
  var tip = document.getElementById('tip');
  var data = JSON.parse(document.getElementById('evidence').textContent);
  var full = svg.viewBox.baseVal;
  var home = [full.x, full.y, full.width, full.height];
  var box = home.slice();
  function apply() { svg.setAttribute('viewBox', box.join(' ')); }
  function toSvg(clientX, clientY) {
    var r = svg.getBoundingClientRect();
    var s = Math.max(box[2] / r.width, box[3] / r.height);
    var ox = (r.width * s - box[2]) / 2, oy = (r.height * s - box[3]) / 2;
    return [box[0] - ox + (clientX - r.left) * s, box[1] - oy + (clientY - r.top) * s, s];
  }
  function zoom(factor, clientX, clientY) {
    var p = toSvg(clientX, clientY);
    box = [p[0] - (p[0] - box[0]) * factor, p[1] - (p[1] - box[1]) * factor, box[2] * factor, box[3] * factor];
    apply();
  }
  view.addEventListener('wheel', function (e) {
    e.preventDefault();
    zoom(e.deltaY > 0 ? 1.15 : 1 / 1.15, e.clientX, e.clientY);
  }, { passive: false });
  var drag = null;
  view.addEventListener('pointerdown', function (e) {
    drag = { x: e.clientX, y: e.clientY, box: box.slice(), s: toSvg(e.clientX, e.clientY)[2] };
    view.classList.add('dragging');
  });
  window.addEventListener('pointermove', function (e) {
    if (!drag) return;
    box = [drag.box[0] - (e.clientX - drag.x) * drag.s, drag.box[1] - (e.clientY - drag.y) * drag.s,
           drag.box[2], drag.box[3]];
    apply();
  });
  window.addEventListener('pointerup', function () { drag = null; view.classList.remove('dragging'); });
  function centre() { var r = view.getBoundingClientRect(); return [r.left + r.width / 2, r.top + r.height / 2]; }
  document.getElementById('zoom-in').onclick = function () { var c = centre(); zoom(1 / 1.4, c[0], c[1]); };
  document.getElementById('zoom-out').onclick = function () { var c = centre(); zoom(1.4, c[0], c[1]); };
  document.getElementById('reset').onclick = function () { box = home.slice(); apply(); };

  function show(info, e) {
    tip.textContent = '';
    var title = document.createElement('b');
    title.textContent = info.title;
    tip.appendChild(title);
    info.lines.forEach(function (line) {
      var div = document.createElement('div');
      div.textContent = line;
      tip.appendChild(div);
    });
    tip.hidden = false;
    move(e);
  }
  function move(e) {
    var x = e.clientX + 14, y = e.clientY + 14;
    if (x + tip.offsetWidth > window.innerWidth) x = e.clientX - tip.offsetWidth - 14;
    if (y + tip.offsetHeight > window.innerHeight) y = e.clientY - tip.offsetHeight - 14;
    tip.style.left = x + 'px';
    tip.style.top = y + 'px';
  }
  function clear() {
    svg.classList.remove('focus');
    svg.querySelectorAll('.hl').forEach(function (el) { el.classList.remove('hl'); });
    tip.hidden = true;
  }
  svg.querySelectorAll('.node').forEach(function (node) {
    node.addEventListener('mouseenter', function (e) {
      svg.classList.add('focus');
      node.classList.add('hl');
      svg.querySelectorAll('.edge').forEach(function (edge) {
        var s = edge.getAttribute('data-source'), t = edge.getAttribute('data-target');
        if (s === node.id || t === node.id) {
          edge.classList.add('hl');
          document.getElementById(s === node.id ? t : s).classList.add('hl');
        }
      });
      show(data.nodes[node.id], e);
    });
    node.addEventListener('mousemove', move);
    node.addEventListener('mouseleave', clear);
  });
  svg.querySelectorAll('.edge').forEach(function (edge) {
    edge.addEventListener('mouseenter', function (e) { edge.classList.add('hl'); show(data.edges[edge.id], e); });
    edge.addEventListener('mousemove', move);
    edge.addEventListener('mouseleave', clear);
  });
  // native <title> tooltips would double ours
  svg.querySelectorAll('.node > title, .edge > title').forEach(function (t) { t.remove(); });
})();
"""


def _evidence(d: Drawing) -> dict:
    nodes = {b.id: {"title": b.label, "lines": [*b.details, b.iri]} for b in d.boxes}
    edges = {}
    for a in d.arrows:
        lines = []
        if a.references:
            lines.append(_refs(a.references))
        if a.sections:
            lines.append("read in: " + "; ".join(a.sections))
        edges[a.id] = {
            "title": f"{d.box(a.source).label} {a.relation} {d.box(a.target).label}",
            "lines": lines or ["no evidence recorded for this link"],
        }
    return {"nodes": nodes, "edges": edges}


def to_html(d: Drawing) -> str:
    """One self-contained HTML page: the SVG inline, styles and script inline, nothing fetched."""
    data = json.dumps(_evidence(d), ensure_ascii=False).replace("</", "<\\/")
    return (
        "<!DOCTYPE html>\n"
        '<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{escape(d.title)}</title>\n<style>{_CSS}</style>\n</head>\n<body>\n"
        f"<header><b>{escape(d.title)}</b> &#8212; scroll to zoom, drag to pan, point at a box or arrow for its "
        'evidence <button id="zoom-in" type="button">+</button><button id="zoom-out" type="button">&#8722;'
        '</button><button id="reset" type="button">reset</button></header>\n'
        f'<div id="view">\n{to_svg(d, standalone=False)}</div>\n<div id="tip" role="tooltip" hidden></div>\n'
        f'<script type="application/json" id="evidence">{data}</script>\n'
        f"<script>{_JS}</script>\n</body>\n</html>\n"
    )


# ------------------------------------------------------------------------------------------ PNG


def to_png(d: Drawing, *, dpi: int = 150) -> bytes:
    """The same drawing rendered by matplotlib (the ``draw`` extra): same boxes, arrows and legend."""
    try:
        from matplotlib.backends.backend_agg import FigureCanvasAgg
        from matplotlib.figure import Figure
        from matplotlib.patches import FancyArrowPatch, FancyBboxPatch
        from matplotlib.path import Path as MplPath
    except ImportError:
        raise KGError(
            "PNG output needs matplotlib: pip install 'sslmb-kg[draw]' (or write .svg or .html, which need nothing)"
        ) from None
    import io

    px = 72 / 100  # 1 px of the layout is 1/100 inch; font sizes are in points
    fig = Figure(figsize=(d.width / 100, d.height / 100), dpi=dpi, facecolor="white")
    FigureCanvasAgg(fig)
    ax = fig.add_axes((0, 0, 1, 1))
    ax.set_xlim(0, d.width)
    ax.set_ylim(d.height, 0)
    ax.axis("off")
    family = ["DejaVu Sans", "sans-serif"]
    ax.text(MARGIN, MARGIN + 12, d.title, fontsize=17 * px, fontweight="bold", family=family, color="#111111")
    ax.text(MARGIN, MARGIN + 32, d.subtitle, fontsize=11 * px, family=family, color="#444444")

    def dashes(dash: str, width: float):
        return (0, tuple(float(v) / width for v in dash.split())) if dash else "solid"

    for arrow in d.arrows:
        colour, dash, width = EDGE_STYLES.get(arrow.relation, _OTHER_EDGE)
        x1, y1, x2, y2 = _edge_path(d, arrow)
        bend = (x2 - x1) / 2
        path = MplPath(
            [(x1, y1), (x1 + bend, y1), (x2 - bend, y2), (x2, y2)],
            [MplPath.MOVETO, MplPath.CURVE4, MplPath.CURVE4, MplPath.CURVE4],
        )
        ax.add_patch(
            FancyArrowPatch(
                path=path,
                arrowstyle="-|>",
                mutation_scale=9,
                color=colour,
                linewidth=width * px,
                linestyle=dashes(dash, width),
                shrinkA=0,
                shrinkB=0,
            )
        )
    for b in d.boxes:
        ax.add_patch(
            FancyBboxPatch(
                (b.x, b.y),
                b.width,
                b.height,
                boxstyle="round,pad=0,rounding_size=5",
                facecolor=palette.tint(b.colour, 0.22),
                edgecolor=b.colour,
                linewidth=2 * px,
            )
        )
        for i, line in enumerate(b.lines):
            ax.text(
                b.x + PAD_X,
                b.y + PAD_Y + FONT * 0.95 + i * LINE,
                line,
                fontsize=FONT * px,
                family=family,
                color="#111111",
                va="baseline",
            )
    kinds, edges = _legend_item_widths(d.legend, d.relations)
    x = float(MARGIN)
    for (kind, colour), w in zip(d.legend, kinds, strict=True):
        ax.add_patch(
            FancyBboxPatch(
                (x, d.legend_y),
                12,
                12,
                boxstyle="round,pad=0,rounding_size=2",
                facecolor=palette.tint(colour, 0.22),
                edgecolor=colour,
                linewidth=2 * px,
            )
        )
        ax.text(x + 18, d.legend_y + 10, kind, fontsize=11 * px, family=family, color="#222222", va="baseline")
        x += w
    x, y = float(MARGIN), d.legend_y + 22
    for relation, w in zip(d.relations, edges, strict=True):
        colour, dash, width = EDGE_STYLES.get(relation, _OTHER_EDGE)
        ax.add_patch(
            FancyArrowPatch(
                (x, y + 6),
                (x + 26, y + 6),
                arrowstyle="-|>",
                mutation_scale=9,
                color=colour,
                linewidth=width * px,
                linestyle=dashes(dash, width),
                shrinkA=0,
                shrinkB=0,
            )
        )
        ax.text(x + 34, y + 10, relation, fontsize=11 * px, family=family, color="#222222", va="baseline")
        x += w
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=dpi, facecolor="white")
    return buffer.getvalue()


# ------------------------------------------------------------------------------------------ files

FORMATS = ("svg", "png", "html")


def draw(
    graph: Graph, target: str, path: str | Path, *, max_hops: int = 3, format: str | None = None
) -> Drawing:
    """Draw what mitigates ``target`` into ``path`` (atomically; ``"-"`` is standard output); the format is the
    file's extension (``.svg``, ``.png``, ``.html``/``.htm``) unless given."""
    from kg.core.files import STDOUT, output_file, write_output

    if str(path) != STDOUT:
        output_file(path)  # a folder or a device is refused before the drawing is made
    fmt = (format or ("" if str(path) == STDOUT else Path(path).suffix.lstrip("."))).lower()
    fmt = {"htm": "html"}.get(fmt, fmt)
    if fmt not in FORMATS:
        if str(path) == STDOUT:
            raise InputError("-o - writes to standard output: give the format too (--format svg, png or html)")
        raise InputError(f"cannot draw to {echo(str(path))}: use a .svg, .png or .html file (or --format)")
    drawing = layout(graph, target, max_hops=max_hops)
    if fmt == "svg":
        data = to_svg(drawing).encode("utf-8")
    elif fmt == "html":
        data = to_html(drawing).encode("utf-8")
    else:
        data = to_png(drawing)
    write_output(path, data)
    return drawing
