"""Pictures of what mitigates a hazard: the cause -> failure -> mitigation subgraph of a mechanism or failure
mode, as SVG (no dependency), PNG (matplotlib, the ``draw`` extra) or a self-contained HTML page
that pans, zooms and shows the evidence of what the pointer is on (no network access needed).

:mod:`.layout` places the boxes and arrows; :mod:`.svg`, :mod:`.html` and :mod:`.png` render a laid-out
:class:`~.layout.Drawing`; :func:`draw` writes one to a file.
"""

from __future__ import annotations

from pathlib import Path

from kg.core.errors import InputError, echo
from kg.output.draw.html import to_html
from kg.output.draw.layout import (
    CHAR,
    COLUMN_GAP,
    EDGE_STYLES,
    FONT,
    FONT_FAMILY,
    LINE,
    MARGIN,
    PAD_X,
    PAD_Y,
    ROW_GAP,
    TITLE_HEIGHT,
    WRAP,
    Arrow,
    Box,
    Drawing,
    layout,
)
from kg.output.draw.png import to_png
from kg.output.draw.svg import to_svg

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing at start-up
if TYPE_CHECKING:
    from kg.core.graph import Graph

FORMATS = ("svg", "png", "html")


def draw(graph: Graph, target: str, path: str | Path, *, max_hops: int = 3, format: str | None = None) -> Drawing:
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


__all__ = [
    "CHAR",
    "COLUMN_GAP",
    "EDGE_STYLES",
    "FONT",
    "FONT_FAMILY",
    "FORMATS",
    "LINE",
    "MARGIN",
    "PAD_X",
    "PAD_Y",
    "ROW_GAP",
    "TITLE_HEIGHT",
    "WRAP",
    "Arrow",
    "Box",
    "Drawing",
    "draw",
    "layout",
    "to_html",
    "to_png",
    "to_svg",
]
