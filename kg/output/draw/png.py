"""A laid-out drawing rendered by matplotlib as PNG (the ``draw`` extra): the same boxes, arrows and legend."""

from __future__ import annotations

from kg.output import palette
from kg.output.draw.layout import (
    EDGE_STYLES,
    FONT,
    LINE,
    MARGIN,
    OTHER_EDGE,
    PAD_X,
    PAD_Y,
    Drawing,
    edge_path,
    legend_item_widths,
)


def to_png(d: Drawing, *, dpi: int = 150) -> bytes:
    """The same drawing rendered by matplotlib (the ``draw`` extra): same boxes, arrows and legend."""
    from kg.output.draw.mpl import page, png

    fig, ax = page(d.width, d.height, dpi, "or write .svg or .html, which need nothing")
    from matplotlib.patches import FancyArrowPatch, FancyBboxPatch
    from matplotlib.path import Path as MplPath

    px = 72 / 100  # 1 px of the layout is 1/100 inch; font sizes are in points
    family = ["DejaVu Sans", "sans-serif"]
    ax.text(MARGIN, MARGIN + 12, d.title, fontsize=17 * px, fontweight="bold", family=family, color="#111111")
    ax.text(MARGIN, MARGIN + 32, d.subtitle, fontsize=11 * px, family=family, color="#444444")

    def dashes(dash: str, width: float):
        return (0, tuple(float(v) / width for v in dash.split())) if dash else "solid"

    for arrow in d.arrows:
        colour, dash, width = EDGE_STYLES.get(arrow.relation, OTHER_EDGE)
        x1, y1, x2, y2 = edge_path(d, arrow)
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
    kinds, edges = legend_item_widths(d.legend, d.relations)
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
        colour, dash, width = EDGE_STYLES.get(relation, OTHER_EDGE)
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
    return png(fig, dpi)
