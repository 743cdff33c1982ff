"""Draws docs/architecture.svg from the layer declaration (kg/layers.py) and the modules in kg/.

    python docs/architecture.py

tests/test_architecture.py checks that the committed picture is the one this draws, so a new module or a change
of the layers shows up in the picture (run this again and commit the result).
"""

from __future__ import annotations

import sys
import textwrap
from pathlib import Path
from xml.sax.saxutils import escape

REPO = Path(__file__).resolve().parents[1]
TARGET = REPO / "docs" / "architecture.svg"

WIDTH = 1000
LABEL = 150  # the column of layer names
MARGIN = 16
GAP = 10
FONT = 12
LINE = 16
CHAR = 6.9  # px per character of the module lists, generous for DejaVu Sans / Verdana at 12 px
TITLE = 64
# One fill per layer, bottom to top (light tints, so the text stays readable); the border is the darker tone.
COLOURS = (
    ("#E8F1FA", "#0072B2"),
    ("#EAF6F1", "#009E73"),
    ("#FDF3E1", "#E69F00"),
    ("#F6EAF1", "#CC79A7"),
    ("#FBEBE3", "#D55E00"),
    ("#EEF7FC", "#56B4E9"),
    ("#F0F0F0", "#555555"),
)
NOTES = {
    "kg": "the public face, lazy",
    "kg.draw": "compatibility",
    "kg.remote": "compatibility",
    "kg.endpoint.web": "templates, vendored static files",
}


def _modules() -> list[tuple[str, bool]]:
    """``(dotted name, is a package)`` of every module in kg/."""
    found = []
    for path in sorted((REPO / "kg").rglob("*.py")):
        parts = path.relative_to(REPO).with_suffix("").parts
        if parts[-1] == "__main__":
            continue
        package = parts[-1] == "__init__"
        found.append((".".join(parts[:-1] if package else parts), package))
    return found


def _listing(prefixes: tuple[str, ...], owned: list[tuple[str, bool]]) -> list[str]:
    """The modules of a part as text: modules first, then one entry per subpackage with its modules."""
    packages = {name for name, package in owned if package}
    single = prefixes[0] if len(prefixes) == 1 else "kg"
    top: list[str] = []
    subs: dict[str, list[str]] = {}
    for name, package in owned:
        if name == single and package and len(prefixes) == 1:
            continue
        rel = name[len(single) + 1 :] if name.startswith(single + ".") else name
        head, _, rest = rel.partition(".")
        if f"{single}.{head}" in packages and (rest or package):
            subs.setdefault(head, [])
            if rest:
                subs[head].append(rest.replace(".", "/"))
        else:
            note = NOTES.get(name)
            top.append(f"{rel if name != 'kg' else '__init__'}" + (f" ({note})" if note else ""))
    entries = [", ".join(top)] if top else []
    for sub, members in subs.items():
        note = NOTES.get(f"{single}.{sub}")
        entries.append(f"{sub}/: {', '.join(members)}" if members else f"{sub}/" + (f" ({note})" if note else ""))
    return entries


def _path(prefix: str) -> str:
    """``kg/core/`` for a package, ``kg/facade.py`` for a module, ``kg/__init__.py`` for the package itself."""
    if prefix == "kg":
        return "kg/__init__.py"
    path = prefix.replace(".", "/")
    return f"{path}/" if (REPO / path).is_dir() else f"{path}.py"


def svg() -> str:
    """The picture, as SVG text."""
    from kg.layers import LAYERS, part_of

    modules = _modules()
    bands = []  # (layer index, [(part name, prefixes, wrapped lines)], height)
    for index, parts in enumerate(LAYERS):
        inner = WIDTH - LABEL - 2 * MARGIN - GAP * (len(parts) - 1)
        width = inner / len(parts)
        boxes = []
        for name, prefixes in parts:
            owned = [(m, p) for m, p in modules if part_of(m) == (index, name)]
            lines: list[str] = []
            for entry in _listing(prefixes, owned):
                lines += textwrap.wrap(entry, int((width - 20) / CHAR), subsequent_indent="   ") or [""]
            boxes.append((name, prefixes, lines, width))
        height = 30 + LINE * max(len(b[2]) for b in boxes) + 10
        bands.append((index, boxes, height))
    total = TITLE + sum(h + GAP for _, _, h in bands) + MARGIN + 20
    out = [
        '<?xml version="1.0" encoding="UTF-8"?>',
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{total}" viewBox="0 0 {WIDTH} {total}" '
        f'font-family="DejaVu Sans, Verdana, Arial, sans-serif" font-size="{FONT}">',
        "<title>The layers of the kg package</title>",
        "<desc>Drawn from kg/layers.py by docs/architecture.py.</desc>",
        f'<rect x="0" y="0" width="{WIDTH}" height="{total}" fill="#FFFFFF"/>',
        f'<text x="{MARGIN}" y="28" font-size="18" font-weight="bold" fill="#111111">'
        "The layers of the kg package</text>",
        f'<text x="{MARGIN}" y="48" font-size="12" fill="#444444">From the top down: a module imports only from its '
        "own box or from a layer below; boxes side by side do not import each other; no import circle.</text>",
    ]
    y = float(TITLE)
    for index, boxes, height in reversed(bands):
        fill, stroke = COLOURS[index % len(COLOURS)]
        for i, (name, _, _, _) in enumerate(boxes):
            label = f"{index + 1}. {name}" if i == 0 else f"{' ' * len(str(index + 1))}  {name}"
            out.append(
                f'<text x="{MARGIN}" y="{y + 24 + 18 * i:.0f}" font-size="14" font-weight="bold" fill="{stroke}" '
                f'xml:space="preserve">{escape(label)}</text>'
            )
        x = float(LABEL + MARGIN)
        for _, prefixes, lines, width in boxes:
            out.append(
                f'<rect x="{x:.1f}" y="{y:.1f}" width="{width:.1f}" height="{height}" rx="6" fill="{fill}" '
                f'stroke="{stroke}" stroke-width="1.5"/>'
            )
            heading = ", ".join(_path(p) for p in prefixes)
            out.append(
                f'<text x="{x + 10:.1f}" y="{y + 20:.1f}" font-weight="bold" fill="#111111">{escape(heading)}</text>'
            )
            for i, line in enumerate(lines):
                out.append(f'<text x="{x + 10:.1f}" y="{y + 40 + i * LINE:.1f}" fill="#222222">{escape(line)}</text>')
            x += width + GAP
        y += height + GAP
    out.append(
        f'<text x="{MARGIN}" y="{total - MARGIN:.0f}" font-size="11" fill="#666666">Each box lists its modules '
        "(a/: b, c is the subpackage a with its modules b and c). Drawn from kg/layers.py by docs/architecture.py; "
        "checked by tests/test_architecture.py.</text>"
    )
    out.append("</svg>")
    return "\n".join(out) + "\n"


if __name__ == "__main__":
    sys.path.insert(0, str(REPO))  # the kg of this checkout, whatever is installed
    TARGET.write_text(svg(), encoding="utf-8")
    print(f"wrote {TARGET.relative_to(REPO)}")
