"""``kg.draw`` as it was before the package was layered (issue 12), kept because the README documents
``kg.draw.draw(g, "H2S", "h2s.svg")`` and ``kg.draw.layout(g, "H2S")``: the pictures are
:mod:`kg.output.draw` (:mod:`~kg.output.draw.layout`, :mod:`~kg.output.draw.svg`, :mod:`~kg.output.draw.html`,
:mod:`~kg.output.draw.png`)."""

from __future__ import annotations

from kg.output.draw import FORMATS, Arrow, Box, Drawing, draw, layout, to_html, to_png, to_svg

__all__ = ["FORMATS", "Arrow", "Box", "Drawing", "draw", "layout", "to_html", "to_png", "to_svg"]
