"""The one colour scheme of every picture and network export: a colour per group of entity kinds, from the
Okabe-Ito palette (distinguishable with the common forms of colour blindness) plus two greys.

Colour carries the entity's role in the safety story (hazard, cause, remedy, material...), so there are nine
colours, not one per kind: more than about nine hues stop being told apart, by anyone. The exact kind is
always there as well, as the ``kind`` attribute of a GEXF/GraphML node and the legend of a drawing.

>>> colour("failure mode"), colour("mechanism"), colour("strategy")
('#D55E00', '#E69F00', '#009E73')
>>> group("journal")
'source'
"""

from __future__ import annotations

#: (group, colour, kinds), in legend order. Colours: Okabe & Ito (2008), "Color Universal Design".
GROUPS: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    ("failure mode", "#D55E00", ("failure mode",)),  # vermillion
    ("mechanism", "#E69F00", ("mechanism",)),  # orange
    ("strategy", "#009E73", ("strategy", "strategy category")),  # bluish green
    ("electrolyte", "#0072B2", ("electrolyte", "electrolyte family")),  # blue
    ("material", "#56B4E9", ("material", "cell", "trait")),  # sky blue
    ("argument", "#CC79A7", ("claim", "theory", "open problem", "research method", "safety aspect")),  # reddish purple
    ("number", "#F0E442", ("quantity", "metric")),  # yellow
    ("source", "#999999", ("reference", "journal", "agent", "review", "review part")),  # grey
    ("schema", "#555555", ("class", "term", "resource", "unit", "quantity kind")),  # dark grey
)
#: Colour of a kind that no group names (none in the shipped graph).
OTHER = "#000000"

_BY_KIND = {kind: (name, hex_) for name, hex_, kinds in GROUPS for kind in kinds}


def colour(kind: str) -> str:
    """The ``#RRGGBB`` colour of an entity kind."""
    return _BY_KIND.get(kind, ("other", OTHER))[1]


def group(kind: str) -> str:
    """The colour group a kind belongs to (``strategy`` for ``strategy category``...)."""
    return _BY_KIND.get(kind, ("other", OTHER))[0]


def rgb(hex_colour: str) -> tuple[int, int, int]:
    """``#D55E00`` as ``(213, 94, 0)``."""
    value = hex_colour.lstrip("#")
    return int(value[0:2], 16), int(value[2:4], 16), int(value[4:6], 16)


def tint(hex_colour: str, share: float) -> str:
    """The colour mixed with white, keeping ``share`` of it: a light fill that dark text stays readable on."""
    r, g, b = (round(255 - (255 - c) * share) for c in rgb(hex_colour))
    return f"#{r:02X}{g:02X}{b:02X}"
