"""A strip plot of a comparison (``sslmb compare ... --plot FILE``): one strip per family and source (per source for
one material), every value a point on a logarithmic axis, and the ranges stated for the family drawn as bands
over the points. SVG is written directly; PNG is rendered by matplotlib (the ``draw`` extra), from the same shapes.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path
from xml.sax.saxutils import escape

from kg.core.errors import InputError, KGError, echo

TYPE_CHECKING = False
if TYPE_CHECKING:
    from kg.analysis.compare import Comparison, Value

FONT_FAMILY = "DejaVu Sans, Verdana, Arial, sans-serif"
WIDTH, LEFT, RIGHT, TOP, STRIP, AXIS, LEGEND = 960, 300, 40, 78, 54, 46, 40
#: Okabe-Ito colours (as kg.output.palette): inside the range, outside it, no range reaches the value; the band.
COLOURS = {
    "inside": "#0072B2",
    "below": "#D55E00",
    "above": "#D55E00",
    "undetermined": "#999999",
    "not covered": "#999999",
}
BAND = "#009E73"
_SUPER = str.maketrans("-0123456789", "⁻⁰¹²³⁴⁵⁶⁷⁸⁹")


@dataclass(frozen=True)
class Shape:
    """One thing drawn: ``kind`` is rect, line, circle, diamond, left, right (a bound's triangle) or text."""

    kind: str
    x: float
    y: float
    w: float = 0.0  # rect: width; line: x2; circle and markers: radius
    h: float = 0.0  # rect: height; line: y2
    fill: str = "none"
    stroke: str = "none"
    opacity: float = 1.0
    text: str = ""  # text: the text; points: the tooltip
    size: float = 12.0
    anchor: str = "start"
    dash: str = ""


@dataclass(frozen=True)
class Strip:
    """The picture: its shapes and size, and what it shows."""

    shapes: tuple[Shape, ...]
    width: float
    height: float
    strips: int
    points: int
    left_out: int

    def __str__(self) -> str:
        out = f"{self.strips} strip(s), {self.points} point(s), {self.width:.0f} x {self.height:.0f} px"
        return out + (f"; {self.left_out} value(s) not positive, left out of the log axis" if self.left_out else "")


def _where(v: Value) -> float | None:
    """Where a value sits on the axis: the number, a range's middle (geometric), a bound's end."""
    if v.value is not None:
        return v.value if v.value > 0 else None
    if v.minimum is not None and v.maximum is not None and v.minimum > 0:
        return math.sqrt(v.minimum * v.maximum)
    end = v.maximum if v.maximum is not None else v.minimum
    return end if end is not None and end > 0 else None


def layout(c: Comparison) -> Strip:
    """Place every strip, point, band, tick and label of the comparison ``c``."""
    placed = {p.value: p for p in c.placements}
    ranges = {r.id: r for r in c.ranges}
    groups: dict[str, list[Value]] = {}
    for v in c.values:
        key = f"{v.family} · {v.source}" if c.mode == "family" else f"{v.material_label} · {v.source}"
        groups.setdefault(key, []).append(v)
    order = sorted(groups, key=lambda k: (-len(groups[k]), k))
    xs = [x for v in c.values if (x := _where(v)) is not None]
    xs += [e for r in c.ranges for e in (r.minimum, r.maximum) if e is not None and e > 0]
    if not xs:
        raise KGError("nothing to plot: no value is a positive number")
    lo, hi = math.floor(math.log10(min(xs))), math.ceil(math.log10(max(xs)))
    hi = hi if hi > lo else lo + 1
    left = max(LEFT, 24 + 7 * max(len(f"{k} ({len(groups[k])})") for k in order))
    width = left + WIDTH - LEFT
    span = width - left - RIGHT

    def x_of(value: float) -> float:
        return left + (math.log10(value) - lo) / (hi - lo) * span

    height = TOP + STRIP * len(order) + AXIS + LEGEND
    s: list[Shape] = [Shape("rect", 0, 0, width, height, fill="#FFFFFF")]
    title = f"{c.metric_label} of {c.subject_label}" + (" and its members" if c.mode == "family" else "")
    s.append(Shape("text", 16, 26, text=title, size=17, fill="#111111", anchor="start"))
    sub = f"{len(c.values)} values in {c.unit}, one strip per {'family and ' if c.mode == 'family' else ''}source; "
    sub += "bands: the ranges stated for the family" if c.ranges else "no range is stated for it"
    s.append(Shape("text", 16, 46, text=sub, size=11, fill="#444444"))
    bottom = TOP + STRIP * len(order)
    for k in range(lo, hi + 1):  # decades, with a faint grid line
        x = x_of(10.0**k)
        s.append(Shape("line", x, TOP - 6, x, bottom, stroke="#DDDDDD"))
        s.append(
            Shape(
                "text", x, bottom + 18, text=f"10{str(k).translate(_SUPER)}", size=11, anchor="middle", fill="#333333"
            )
        )
    s.append(Shape("line", left, bottom, width - RIGHT, bottom, stroke="#333333"))
    s.append(
        Shape(
            "text",
            left + span / 2,
            bottom + 36,
            text=f"{c.metric_label} ({c.unit}, log scale)",
            size=11,
            anchor="middle",
            fill="#333333",
        )
    )
    points = 0
    for i, key in enumerate(order):
        top = TOP + i * STRIP
        if i % 2:
            s.append(Shape("rect", 0, top, width, STRIP, fill="#F6F6F6"))
        s.append(
            Shape(
                "text",
                left - 10,
                top + STRIP / 2 + 4,
                text=f"{key} ({len(groups[key])})",
                size=12,
                anchor="end",
                fill="#111111",
            )
        )
        for rid in sorted({rid for v in groups[key] if (rid := placed[v.id].range) is not None}):
            r = ranges[rid]
            a = x_of(r.minimum) if r.minimum and r.minimum > 0 else left
            b = x_of(r.maximum) if r.maximum and r.maximum > 0 else width - RIGHT
            tip = f"{r.family_label}: {r} ({r.source}, {r.location})"
            s.append(Shape("rect", a, top + 3, b - a, STRIP - 6, fill=BAND, opacity=0.16, stroke=BAND, text=tip))
        for j, v in enumerate(sorted(groups[key], key=lambda v: v.id)):
            x = _where(v)
            if x is None:
                continue
            points += 1
            y = top + STRIP / 2 + ((j * 0.6180339887) % 1 - 0.5) * (STRIP - 18)
            colour = COLOURS.get(placed[v.id].position, "#999999")
            kind = "diamond" if v.source_kind == "review" else "circle"
            if v.value is None and (v.minimum is None) != (v.maximum is None):
                kind = "left" if v.maximum is not None else "right"
            tip = f"{v.material_label}: {v.shown} {c.unit} ({v.source} {v.location}; {v.original or 'no paper'})"
            s.append(Shape(kind, x_of(x), y, 4.5, fill=colour, stroke="#FFFFFF", opacity=0.85, text=tip))
    y = height - LEGEND + 18
    x = 16.0
    for label, colour, kind in (
        ("inside the range", COLOURS["inside"], "circle"),
        ("outside it", COLOURS["below"], "circle"),
        ("no range reaches it", COLOURS["not covered"], "circle"),
        ("the review's own value", "#555555", "diamond"),
        ("a bound (less than)", "#555555", "left"),
    ):
        s.append(Shape(kind, x + 5, y - 4, 4.5, fill=colour, stroke="#FFFFFF"))
        s.append(Shape("text", x + 14, y, text=label, size=11, fill="#222222"))
        x += 14 + 6.2 * len(label) + 18
    if c.ranges:
        s.append(Shape("rect", x, y - 10, 16, 12, fill=BAND, opacity=0.16, stroke=BAND))
        s.append(Shape("text", x + 22, y, text="range stated for the family", size=11, fill="#222222"))
    return Strip(tuple(s), width, height, len(order), points, len(c.values) - points)


def _marker(sh: Shape) -> str:
    r, x, y = sh.w, sh.x, sh.y
    if sh.kind == "diamond":
        return f"{x},{y - r * 1.3} {x + r * 1.3},{y} {x},{y + r * 1.3} {x - r * 1.3},{y}"
    if sh.kind == "left":
        return f"{x - r * 1.4},{y} {x + r},{y - r * 1.2} {x + r},{y + r * 1.2}"
    return f"{x + r * 1.4},{y} {x - r},{y - r * 1.2} {x - r},{y + r * 1.2}"


def to_svg(p: Strip) -> str:
    """The picture as SVG 1.1 text; every point and band has a tooltip."""
    out = [
        '<?xml version="1.0" encoding="UTF-8"?>',
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{p.width:.0f}" height="{p.height:.0f}" '
        f'viewBox="0 0 {p.width:.0f} {p.height:.0f}" font-family="{FONT_FAMILY}">',
    ]
    for sh in p.shapes:
        tip = f"<title>{escape(sh.text)}</title>" if sh.text and sh.kind != "text" else ""
        point = ' class="point"' if tip else ""  # a value, not a legend marker
        paint = f'fill="{sh.fill}" stroke="{sh.stroke}"' + (f' fill-opacity="{sh.opacity}"' if sh.opacity < 1 else "")
        if sh.kind == "rect":
            out.append(
                f'<rect x="{sh.x:.1f}" y="{sh.y:.1f}" width="{sh.w:.1f}" height="{sh.h:.1f}" {paint}>{tip}</rect>'
            )
        elif sh.kind == "line":
            out.append(f'<line x1="{sh.x:.1f}" y1="{sh.y:.1f}" x2="{sh.w:.1f}" y2="{sh.h:.1f}" stroke="{sh.stroke}"/>')
        elif sh.kind == "circle":
            out.append(f'<circle{point} cx="{sh.x:.1f}" cy="{sh.y:.1f}" r="{sh.w}" {paint}>{tip}</circle>')
        elif sh.kind == "text":
            out.append(
                f'<text x="{sh.x:.1f}" y="{sh.y:.1f}" font-size="{sh.size}" text-anchor="{sh.anchor}" '
                f'fill="{sh.fill}">{escape(sh.text)}</text>'
            )
        else:
            out.append(f'<polygon{point} points="{_marker(sh)}" {paint}>{tip}</polygon>')
    out.append("</svg>")
    return "\n".join(out) + "\n"


def to_png(p: Strip, *, dpi: int = 150) -> bytes:
    """The same shapes rendered by matplotlib (the ``draw`` extra)."""
    from kg.output.draw.mpl import page, png

    fig, ax = page(p.width, p.height, dpi, "or write .svg")
    from matplotlib.patches import Circle, Polygon, Rectangle

    px = 72 / 100
    ha = {"start": "left", "middle": "center", "end": "right"}
    for sh in p.shapes:
        face = None if sh.fill == "none" else sh.fill
        edge = None if sh.stroke == "none" else sh.stroke
        if sh.kind == "rect":
            ax.add_patch(
                Rectangle((sh.x, sh.y), sh.w, sh.h, facecolor=face or "none", edgecolor="none", alpha=sh.opacity)
            )
        elif sh.kind == "line":
            ax.plot([sh.x, sh.w], [sh.y, sh.h], color=sh.stroke, linewidth=1 * px)
        elif sh.kind == "text":
            ax.text(
                sh.x,
                sh.y,
                sh.text,
                fontsize=sh.size * px,
                color=sh.fill,
                ha=ha[sh.anchor],
                va="baseline",
                family=["DejaVu Sans", "sans-serif"],
            )
        elif sh.kind == "circle":
            ax.add_patch(
                Circle((sh.x, sh.y), sh.w, facecolor=face, edgecolor=edge, alpha=sh.opacity, linewidth=0.8 * px)
            )
        else:
            points = [tuple(map(float, xy.split(","))) for xy in _marker(sh).split()]
            ax.add_patch(
                Polygon(points, closed=True, facecolor=face, edgecolor=edge, alpha=sh.opacity, linewidth=0.8 * px)
            )
    return png(fig, dpi)


def plot_format(path: str | Path, format: str | None = None) -> str:
    """``svg`` or ``png``, from ``format`` or the file's extension; an :class:`InputError` for anything else, or for
    a path that is a folder or a device (checked before any work is done)."""
    from kg.core.files import output_file

    fmt = (format or Path(path).suffix.lstrip(".")).lower()
    if fmt not in ("svg", "png"):
        raise InputError(f"cannot plot to {echo(str(path))}: use a .svg or .png file")
    output_file(path)
    return fmt


def draw_strip(c: Comparison, path: str | Path, *, format: str | None = None) -> Strip:
    """Draw the comparison ``c`` into ``path`` (atomically): ``.svg``, or ``.png`` with matplotlib."""
    from kg.core.files import write_output

    fmt = plot_format(path, format)
    picture = layout(c)
    write_output(path, to_svg(picture).encode("utf-8") if fmt == "svg" else to_png(picture))
    return picture
