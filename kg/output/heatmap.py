"""The coverage matrix (:mod:`kg.analysis.coverage`) as a heat map: electrolyte families down, failure modes across,
each cell coloured known, mitigated or gap. SVG is written directly (no dependency); PNG is drawn by matplotlib
(the ``draw`` extra), from the same geometry."""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path
from xml.sax.saxutils import escape

from kg.core.errors import InputError, echo

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing at start-up
if TYPE_CHECKING:
    from kg.analysis.coverage import Cell, Coverage
    from kg.core.graph import Graph

FORMATS = ("svg", "png")
FONT = 12
CHAR = 0.62 * FONT  # generous average glyph width (DejaVu Sans, Verdana, Arial)
FONT_FAMILY = "DejaVu Sans, Verdana, Arial, Helvetica, sans-serif"
CELL_W, CELL_H = 28, 22
INDENT = 14
MARGIN = 16
ANGLE = 50  # degrees: column labels rise to the right
TITLE = 28
LEGEND = 30

#: Fill of each state (Okabe-Ito, as the rest of the project's pictures): green as the strategies, vermillion as the
#: failure modes; a paler green where a strategy applies but no exposure is recorded.
COLOURS = {
    "mitigated": "#009E73",
    "mitigated, no exposure recorded": "#9AD9C6",
    "known": "#D55E00",
    "gap": "#F0F0F0",
}


@dataclass(frozen=True)
class Geometry:
    """Where everything goes, in px: the grid's top-left corner, the canvas size."""

    left: float
    top: float
    width: float
    height: float


def fill_of(cell: Cell) -> tuple[str, str]:
    """The legend name and colour of a cell."""
    name = cell.state if cell.state != "mitigated" or cell.exposed else "mitigated, no exposure recorded"
    return name, COLOURS[name]


def geometry(cov: Coverage) -> Geometry:
    label_w = max((r.depth * INDENT + len(r.label) * CHAR for r in cov.rows), default=0)
    longest = max((len(label) for _, label in cov.columns), default=0) * CHAR
    rise = longest * math.sin(math.radians(ANGLE))
    run = longest * math.cos(math.radians(ANGLE))
    left = MARGIN + label_w + 10
    top = MARGIN + TITLE + rise + 8
    width = left + len(cov.columns) * CELL_W + max(run - len(cov.columns) * CELL_W / 2, 0) + MARGIN
    width = max(width, MARGIN * 2 + 4 * 250)  # the legend's four items
    height = top + len(cov.rows) * CELL_H + LEGEND + MARGIN + 10
    return Geometry(left, top, math.ceil(width), math.ceil(height))


def _tooltip(cov: Coverage, i: int, j: int) -> str:
    cell, row, (_, fm) = cov.cells[i][j], cov.rows[i], cov.columns[j]
    lines = [f"{row.label} x {fm}: {fill_of(cell)[0]}"]
    lines += [f"exposed: {v}" for v in cell.known_via[:8]]
    if len(cell.known_via) > 8:
        lines.append(f"... and {len(cell.known_via) - 8} more")
    lines += [f"mitigated by: {m}" for m in cell.mitigated_by]
    return "\n".join(lines)


def _a(value: object) -> str:
    return '"' + escape(str(value), {'"': "&quot;", "\n": "&#10;"}) + '"'


def title_of(cov: Coverage) -> str:
    how = "directly" if cov.max_hops == 0 else f"directly or up to {cov.max_hops} causal step(s) upstream"
    return f"Electrolyte families x failure modes: known, mitigated ({how}) or a gap"


def to_svg(cov: Coverage) -> str:
    """The heat map as SVG 1.1 text; every cell has a ``<title>`` tooltip saying why it has its colour."""
    g = geometry(cov)
    out = [
        '<?xml version="1.0" encoding="UTF-8"?>',
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{g.width}" height="{g.height}" '
        f'viewBox="0 0 {g.width} {g.height}" font-family={_a(FONT_FAMILY)} font-size="{FONT}">',
        f'<rect width="{g.width}" height="{g.height}" fill="#ffffff"/>',
        f'<text x="{MARGIN}" y="{MARGIN + 14}" font-size="15" font-weight="bold">{escape(title_of(cov))}</text>',
    ]
    for j, (iri, label) in enumerate(cov.columns):
        x, y = g.left + (j + 0.5) * CELL_W, g.top - 6
        out.append(
            f'<text class="column" data-iri={_a(iri)} x="{x:.1f}" y="{y:.1f}" '
            f'transform="rotate(-{ANGLE} {x:.1f} {y:.1f})">{escape(label)}</text>'
        )
    for i, row in enumerate(cov.rows):
        y = g.top + i * CELL_H
        out.append(
            f'<text class="row" data-iri={_a(row.iri)} x="{MARGIN + row.depth * INDENT}" y="{y + CELL_H * 0.7:.1f}">'
            f"{escape(row.label)}</text>"
        )
        for j, cell in enumerate(cov.cells[i]):
            name, colour = fill_of(cell)
            out.append(
                f'<rect class="cell" data-state={_a(name)} data-family={_a(cell.family)} '
                f'data-failure-mode={_a(cell.failure_mode)} x="{g.left + j * CELL_W + 1}" y="{y + 1}" '
                f'width="{CELL_W - 2}" height="{CELL_H - 2}" fill="{colour}" stroke="#cccccc">'
                f"<title>{escape(_tooltip(cov, i, j))}</title></rect>"
            )
    counts = _legend_counts(cov)
    x, y = MARGIN, g.top + len(cov.rows) * CELL_H + 18
    for name, colour in COLOURS.items():
        out.append(f'<rect x="{x}" y="{y}" width="16" height="14" fill="{colour}" stroke="#cccccc"/>')
        out.append(f'<text x="{x + 22}" y="{y + 12}">{escape(name)} ({counts[name]})</text>')
        x += 250
    out.append("</svg>")
    return "\n".join(out) + "\n"


def _legend_counts(cov: Coverage) -> dict[str, int]:
    counts = dict.fromkeys(COLOURS, 0)
    for row in cov.cells:
        for cell in row:
            counts[fill_of(cell)[0]] += 1
    return counts


def to_png(cov: Coverage, *, dpi: int = 150) -> bytes:
    """The same heat map drawn by matplotlib (the ``draw`` extra)."""
    from kg.output.draw.mpl import page, png

    g = geometry(cov)
    fig, ax = page(g.width, g.height, dpi, "or write .svg, which needs nothing")
    from matplotlib.patches import Rectangle

    pt = 72 / 100  # 1 px of the geometry is 1/100 inch; font sizes are in points
    font = {"family": "DejaVu Sans", "size": FONT * pt}
    ax.text(MARGIN, MARGIN + 14, title_of(cov), fontdict={**font, "size": 15 * pt, "weight": "bold"})
    for j, (_, label) in enumerate(cov.columns):
        ax.text(
            g.left + (j + 0.5) * CELL_W,
            g.top - 6,
            label,
            rotation=ANGLE,
            rotation_mode="anchor",
            ha="left",
            va="baseline",
            fontdict=font,
        )
    for i, row in enumerate(cov.rows):
        y = g.top + i * CELL_H
        ax.text(MARGIN + row.depth * INDENT, y + CELL_H * 0.7, row.label, fontdict=font)
        for j, cell in enumerate(cov.cells[i]):
            ax.add_patch(
                Rectangle(
                    (g.left + j * CELL_W + 1, y + 1),
                    CELL_W - 2,
                    CELL_H - 2,
                    facecolor=fill_of(cell)[1],
                    edgecolor="#cccccc",
                    linewidth=0.5,
                )
            )
    counts = _legend_counts(cov)
    x, y = MARGIN, g.top + len(cov.rows) * CELL_H + 18
    for name, colour in COLOURS.items():
        ax.add_patch(Rectangle((x, y), 16, 14, facecolor=colour, edgecolor="#cccccc", linewidth=0.5))
        ax.text(x + 22, y + 12, f"{name} ({counts[name]})", fontdict=font)
        x += 250
    return png(fig, dpi)


def heatmap(graph: Graph, path: str | Path, *, max_hops: int = 0, format: str | None = None) -> Coverage:
    """Write the heat map of ``graph`` to ``path`` (atomically; ``"-"`` is standard output), as SVG or PNG by the
    file's extension unless ``format`` is given; returns the matrix drawn."""
    from kg.analysis.coverage import coverage
    from kg.core.files import STDOUT, output_file, write_output

    if str(path) != STDOUT:
        output_file(path)  # a folder or a device is refused before anything is computed
    fmt = (format or ("" if str(path) == STDOUT else Path(path).suffix.lstrip("."))).lower()
    if fmt not in FORMATS:
        if str(path) == STDOUT:
            raise InputError("-o - writes to standard output: give the format too (--format svg or png)")
        raise InputError(f"cannot write a heat map to {echo(str(path))}: use a .svg or .png file (or --format)")
    cov = coverage(graph, max_hops=max_hops)
    write_output(path, to_svg(cov).encode("utf-8") if fmt == "svg" else to_png(cov))
    return cov
