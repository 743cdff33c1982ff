"""The layout of a picture of what mitigates a hazard: boxes and arrows placed in columns, every coordinate in px.

The layout reads left to right, the way the causal links run: each cause one column further left of the
hazard per causal step (as ``sslmb mitigations`` follows them), every strategy that acts on a cause one column
left of that cause, and the strategies that act on the hazard itself in one column to its right, pointing back
at it. So causes and what blocks them read towards the hazard, the direct remedies stand beside it, and every
arrow spans one gap. Each strategy is drawn on its best route, the one ``sslmb mitigations`` ranks first (the
routes form a tree, laid out as a tidy tree: each cause centred on what feeds it); no two boxes overlap and no
arrow crosses a box. Colours are those of :mod:`kg.output.palette`, shared with the GEXF export.
"""

from __future__ import annotations

import textwrap
from dataclasses import dataclass, field

from kg.analysis.mitigations import HAZARD_KINDS, mitigations
from kg.model.search import resolve
from kg.output import palette

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
OTHER_EDGE = ("#777777", "", 1.2)


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


def refs(numbers) -> str:
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
    from kg.model import evidence as ev

    entity = resolve(graph, target, kinds=list(HAZARD_KINDS))
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
            evidence = ev.of_link(graph, cause, causal.edges[cause, entity.iri]["relation"], entity.iri)
            links[(cause, entity.iri)] = (
                graph.label(causal.edges[cause, entity.iri]["relation"]),
                tuple(evidence.reference_numbers),
                tuple(loc.label for loc in evidence.locations),
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
                details.append(refs(m.references))
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
                details.append(refs(own.reference_numbers))
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


def legend_item_widths(legend, relations) -> tuple[list[float], list[float]]:
    kinds = [18 + len(k) * CHAR + 24 for k, _ in legend]
    edges = [34 + len(r) * CHAR + 24 for r in relations]
    return kinds, edges


def _legend_width(legend, relations) -> float:
    kinds, edges = legend_item_widths(legend, relations)
    return max(sum(kinds), sum(edges))


def edge_path(d: Drawing, arrow: Arrow) -> tuple[float, float, float, float]:
    """From the side of the source facing the target to the facing side of the target (2 px short, for the
    arrowhead)."""
    s, t = d.box(arrow.source), d.box(arrow.target)
    if s.x > t.x:  # a strategy right of the hazard it mitigates
        return s.x, s.middle, t.right + 2, t.middle
    return s.right, s.middle, t.x - 2, t.middle
