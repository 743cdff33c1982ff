"""Pictures (`sslmb draw`): what the SVG shows against kg.analysis.mitigations, the layout's geometry, PNG, and the
interactive HTML page in a real browser."""

from __future__ import annotations

import itertools
import json
import re
import struct
import sys
import xml.etree.ElementTree as ET

import pytest
from helpers import REPO, require_tool, run_cli

from kg.analysis.mitigations import mitigations
from kg.core.errors import KGError
from kg.output import draw, palette

SVG = "{http://www.w3.org/2000/svg}"
TARGETS = ["dendrite penetration", "H2S", "thermal runaway", "low shear modulus"]


def expected(graph, target: str):
    """What the picture must show: the routes of kg.analysis.mitigations, and every direct cause of the hazard read
    from the store (also those no strategy reaches), as entities and (source, relation, target)."""
    found = mitigations(graph, target)
    nodes = {found[0].target} if found else set()
    links = set()
    for m in found:
        for step in m.path:
            nodes |= {step.source, step.target}
            links.add((step.source, step.relation, step.target))
    hazard = graph.resolve(target, kinds=["mechanism", "failure mode"]).iri
    causes = graph.select(
        "SELECT ?c ?label ?h WHERE { ?c ?p ?h . ?p rdfs:label ?label VALUES ?p { sslmb:causes sslmb:contributesTo "
        "sslmb:leadsTo } }",
        h=hazard,
    )
    linked = {source for source, _, _ in links}
    for row in causes:
        nodes.add(row["c"])
        if row["c"] not in linked:  # a cause on a route keeps the link of its route
            links.add((row["c"], row["label"], hazard))
    return found, nodes, links


def parse(svg_text: str):
    root = ET.fromstring(svg_text.encode("utf-8"))
    nodes = {}
    for g in root.iter(f"{SVG}g"):
        if g.get("class") == "node":
            rect = g.find(f"{SVG}rect")
            text = " ".join(t.text or "" for t in g.find(f"{SVG}text").iter(f"{SVG}tspan"))
            box = tuple(float(rect.get(k)) for k in ("x", "y", "width", "height"))
            nodes[g.get("id")] = {
                "iri": g.get("data-iri"),
                "kind": g.get("data-kind"),
                "text": text,
                "stroke": rect.get("stroke"),
                "box": box,
            }
    edges = [
        {
            "id": p.get("id"),
            "source": p.get("data-source"),
            "target": p.get("data-target"),
            "relation": p.get("data-relation"),
            "d": p.get("d"),
        }
        for p in root.iter(f"{SVG}path")
        if p.get("class") == "edge"
    ]
    return root, nodes, edges


@pytest.fixture(scope="module")
def drawings(graph):
    return {t: draw.layout(graph, t) for t in TARGETS}


@pytest.mark.parametrize("target", TARGETS)
def test_svg_shows_the_mitigation_subgraph(graph, drawings, target):
    found, want_nodes, want_links = expected(graph, target)
    assert found, target
    root, nodes, edges = parse(draw.to_svg(drawings[target]))
    assert root.tag == f"{SVG}svg"
    # one box per entity, labelled and coloured by kind
    assert sorted(n["iri"] for n in nodes.values()) == sorted(want_nodes)
    for n in nodes.values():
        assert n["text"] == graph.label(n["iri"])
        assert n["kind"] == graph.kind(n["iri"])
        assert n["stroke"] == palette.colour(n["kind"])
    # one arrow per step of the routes, between boxes that exist
    assert all(e["source"] in nodes and e["target"] in nodes for e in edges)
    got = {(nodes[e["source"]]["iri"], e["relation"], nodes[e["target"]]["iri"]) for e in edges}
    assert got == want_links
    assert len(edges) == len(got)
    # the title names the hazard
    assert graph.label(found[0].target) in root.find(f"{SVG}title").text


@pytest.mark.parametrize("target", TARGETS)
def test_layout_columns_and_arrows(graph, drawings, target):
    d = drawings[target]
    hazard = d.box("n0")
    assert hazard.iri == graph.resolve(target, kinds=["mechanism", "failure mode"]).iri
    found = {m.strategy: m for m in mitigations(graph, target)}
    for a in d.arrows:
        s, t = d.box(a.source), d.box(a.target)
        if t.id == hazard.id and s.iri in found and found[s.iri].hops == 0:
            assert s.column == hazard.column + 1  # direct remedies stand right of the hazard
            assert s.x > t.right
        else:
            assert s.column == t.column - 1  # causes and their remedies read left to right, one gap per arrow
            assert s.right < t.x
    # the arrow's ends touch the facing sides of its two boxes
    _, nodes, edges = parse(draw.to_svg(d))
    for e in edges:
        numbers = [float(v) for v in re.findall(r"-?\d+(?:\.\d+)?", e["d"])]
        (x1, y1), (x2, y2) = numbers[:2], numbers[-2:]
        sx, sy, sw, sh = nodes[e["source"]]["box"]
        tx, ty, tw, th = nodes[e["target"]]["box"]
        assert x1 in (pytest.approx(sx + sw, abs=0.1), pytest.approx(sx, abs=0.1))
        assert sy <= y1 <= sy + sh and ty <= y2 <= ty + th
        assert x2 in (pytest.approx(tx - 2, abs=0.1), pytest.approx(tx + tw + 2, abs=0.1))


@pytest.mark.parametrize("target", TARGETS)
def test_no_two_boxes_overlap_and_all_fit_the_canvas(drawings, target):
    d = drawings[target]
    for a, b in itertools.combinations(d.boxes, 2):
        apart = a.right <= b.x or b.right <= a.x or a.bottom <= b.y or b.bottom <= a.y
        assert apart, (a.label, b.label)
    for b in d.boxes:
        assert 0 < b.x and b.right < d.width and draw.TITLE_HEIGHT < b.y and b.bottom < d.legend_y
    assert d.legend_y + 40 < d.height


def test_labels_fit_their_boxes_in_a_real_font(drawings):
    """Measured with DejaVu Sans (matplotlib's font, and the SVG's first choice), not with the layout's estimate."""
    from matplotlib.font_manager import FontProperties
    from matplotlib.textpath import TextPath

    font = FontProperties(family="DejaVu Sans")
    for d in drawings.values():
        for b in d.boxes:
            assert " ".join(b.lines) == b.label
            for line in b.lines:
                width = TextPath((0, 0), line, size=draw.FONT, prop=font).get_extents().width
                assert width <= b.width - draw.PAD_X, (line, width, b.width)
            assert len(b.lines) * draw.LINE + 2 * draw.PAD_Y <= b.height


def test_text_is_escaped():
    box = draw.Box(
        "n0", "urn:x:a&b", 'a <b> & "c"', "strategy", "#009E73", ('a <b> & "c"',), 0, 20, 80, 120, 30, ("refs 1 < 2",)
    )
    d = draw.Drawing(
        'What mitigates <x> & "y"',
        "sub & title",
        "urn:x:a&b",
        300,
        200,
        (box,),
        (),
        (("strategy", "#009E73"),),
        (),
        130,
    )
    root, nodes, _ = parse(draw.to_svg(d))
    assert nodes["n0"]["text"] == 'a <b> & "c"' and nodes["n0"]["iri"] == "urn:x:a&b"
    assert root.find(f"{SVG}title").text == 'What mitigates <x> & "y"'
    page = draw.to_html(d)
    data = re.search(r'<script type="application/json" id="evidence">(.*?)</script>', page, re.S).group(1)
    assert json.loads(data)["nodes"]["n0"]["title"] == 'a <b> & "c"'


# ------------------------------------------------------------------------------------------ files and CLI


def png_size(data: bytes) -> tuple[int, int]:
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    assert data[12:16] == b"IHDR"
    return struct.unpack(">II", data[16:24])


def test_cli_draws_svg_png_and_html(graph, tmp_path):
    found, want_nodes, _ = expected(graph, "thermal runaway")
    for suffix in ("svg", "png", "html"):
        target = tmp_path / f"runaway.{suffix}"
        result = run_cli("draw", "thermal runaway", "-o", str(target))
        assert result.returncode == 0, result.stderr
        assert f"{len(found)} strategies" in result.stderr
    _, nodes, _ = parse((tmp_path / "runaway.svg").read_text())
    assert {n["iri"] for n in nodes.values()} == want_nodes
    d = draw.layout(graph, "thermal runaway")
    width, height = png_size((tmp_path / "runaway.png").read_bytes())
    # 150 dpi, 1 px = 1/100 inch; matplotlib truncates a fractional pixel (391.5 -> 391), round() would not
    assert abs(width - d.width * 1.5) < 1 and abs(height - d.height * 1.5) < 1, (width, height, d.width, d.height)
    # the PNG shows the kind colours: the hazard's vermillion border and the strategies' green one
    from matplotlib.image import imread

    pixels = {tuple(int(round(c * 255)) for c in p[:3]) for row in imread(tmp_path / "runaway.png") for p in row}
    assert palette.rgb("#D55E00") in pixels and palette.rgb("#009E73") in pixels


def test_cli_errors(tmp_path):
    unknown = run_cli("draw", "unobtainium", "-o", str(tmp_path / "x.svg"))
    assert unknown.returncode == 2 and "no" in unknown.stderr and "Traceback" not in unknown.stderr
    not_a_hazard = run_cli("draw", "LLZO nanofibre reinforcement of PEO", "-o", str(tmp_path / "x.svg"))
    assert not_a_hazard.returncode == 2 and "Traceback" not in not_a_hazard.stderr
    wrong_file = run_cli("draw", "H2S", "-o", str(tmp_path / "x.pdf"))
    assert wrong_file.returncode == 2 and ".svg, .png or .html" in wrong_file.stderr
    assert list(tmp_path.iterdir()) == []


def test_png_without_matplotlib_names_the_extra(graph, drawings, monkeypatch):
    for name in [m for m in sys.modules if m == "matplotlib" or m.startswith("matplotlib.")]:
        monkeypatch.delitem(sys.modules, name)
    monkeypatch.setitem(sys.modules, "matplotlib", None)  # import matplotlib -> ImportError
    with pytest.raises(KGError, match=r"sslmb-kg\[draw\]"):
        draw.to_png(drawings["H2S"])


# ------------------------------------------------------------------------------------------ HTML


def test_html_is_self_contained(drawings):
    page = draw.to_html(drawings["dendrite penetration"])
    assert not re.search(r"""(src|href)\s*=\s*["']?\s*(https?:)?//""", page, re.I)
    assert not re.search(r"<link\b|@import|url\(\s*['\"]?(https?:)?//", page, re.I)
    assert page.count("<svg") == 1 and "<script>" in page
    data = json.loads(re.search(r'<script type="application/json" id="evidence">(.*?)</script>', page, re.S).group(1))
    d = drawings["dendrite penetration"]
    assert set(data["nodes"]) == {b.id for b in d.boxes} and set(data["edges"]) == {a.id for a in d.arrows}


@pytest.mark.slow
def test_html_in_a_browser(graph, tmp_path):
    """Headless chromium: nothing but the file is requested, no script error, hovering a strategy highlights its
    arrow and shows its references, the wheel zooms."""
    (chromium,) = require_tool("chromium", why="the interactive page is checked in a real browser")
    from playwright.sync_api import sync_playwright

    target = tmp_path / "dendrites.html"
    assert run_cli("draw", "dendrite penetration", "-o", str(target)).returncode == 0
    best = mitigations(graph, "dendrite penetration")[0]
    d = draw.layout(graph, "dendrite penetration")
    box = next(b for b in d.boxes if b.iri == best.strategy)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium, args=["--no-sandbox"])
        try:
            page = browser.new_page(viewport={"width": 1280, "height": 900})
            errors, requests = [], []
            page.on("pageerror", lambda e: errors.append(str(e)))
            page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
            page.on("request", lambda r: requests.append(r.url))
            page.goto(target.as_uri())
            assert page.title() == d.title
            page.locator(f"#{box.id}").hover()
            tip = page.locator("#tip")
            assert tip.is_visible()
            assert best.strategy_label in tip.inner_text()
            if best.references:
                assert ", ".join(map(str, best.references)) in tip.inner_text()
            lit = page.evaluate("[...document.querySelectorAll('.edge.hl')].map(e => e.getAttribute('data-source'))")
            assert lit == [box.id]
            before = page.get_attribute("#drawing", "viewBox")
            page.mouse.move(640, 450)
            page.mouse.wheel(0, -400)
            page.wait_for_timeout(50)
            assert page.get_attribute("#drawing", "viewBox") != before
            assert errors == []
            assert requests == [target.as_uri()]
        finally:
            browser.close()


# ------------------------------------------------------------------------------------------ the README's picture


def test_readme_picture_is_the_commands_output(graph):
    picture = REPO / "docs" / "dendrite-mitigations.svg"
    assert "docs/dendrite-mitigations.svg" in (REPO / "README.md").read_text()
    assert picture.read_text() == draw.to_svg(draw.layout(graph, "dendrite penetration")), (
        'docs/dendrite-mitigations.svg is stale: sslmb draw "dendrite penetration" -o docs/dendrite-mitigations.svg'
    )


def test_a_hazard_nothing_mitigates_is_drawn_alone(graph):
    """Taken from g.gaps(): a hazard that no strategy reaches, even through its causes."""
    lonely = next(g for g in graph.gaps().unmitigated if g.detail.startswith("no strategy"))
    d = draw.layout(graph, lonely.iri)
    assert [b.iri for b in d.boxes] == [lonely.iri] and d.arrows == () and d.strategies == 0
    root, nodes, edges = parse(draw.to_svg(d))
    assert [n["iri"] for n in nodes.values()] == [lonely.iri] and edges == []
    assert "No strategy" in root.find(f"{SVG}desc").text
    assert png_size(draw.to_png(d))[0] > 300
