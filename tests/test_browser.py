"""The query page in a real browser: Debian's headless Chromium driven by Playwright, against ``sslmb serve`` on
loopback. The page must load and run a stored query with no request leaving 127.0.0.1."""

from __future__ import annotations

import urllib.parse
from dataclasses import dataclass, field
from typing import Any

import pytest
from helpers import REPO, require_tool
from test_server import Server

import kg

pytestmark = pytest.mark.slow

ARTIFACTS = REPO / "tests" / "artifacts"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
QUERY = "cq-09-long-cycling"


@pytest.fixture(scope="module")
def chromium() -> str:
    # Debian's package (/usr/bin/chromium); Playwright's own browser download is never used.
    (path,) = require_tool("chromium", why="apt-get install chromium")
    return path


@pytest.fixture(scope="module")
def server():
    srv = Server()
    yield srv
    srv.stop()


@dataclass
class Session:
    page: Any
    requests: list[str] = field(default_factory=list)  # every request the page made
    outside: list[str] = field(default_factory=list)  # those not to 127.0.0.1 (refused)
    problems: list[str] = field(default_factory=list)  # page errors and console errors


@pytest.fixture()
def browser(chromium, server):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        chrome = p.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)
        context = chrome.new_context(viewport={"width": 1400, "height": 950})
        session = Session(context.new_page())

        def route(r):  # record and refuse anything off loopback, so that even a failing run leaks nothing
            if urllib.parse.urlsplit(r.request.url).hostname == "127.0.0.1" or r.request.url.startswith("data:"):
                r.continue_()
            else:
                session.outside.append(r.request.url)
                r.abort()

        context.route("**/*", route)
        session.page.on("request", lambda request: session.requests.append(request.url))
        session.page.on("pageerror", lambda error: session.problems.append(f"page error: {error}"))
        session.page.on(
            "console", lambda m: session.problems.append(f"console: {m.text}") if m.type == "error" else None
        )
        yield session
        context.close()
        chrome.close()


def test_page_runs_a_stored_query_offline_and_links_entities(browser, server, graph):
    page = browser.page
    expected = graph.query(QUERY).rows
    assert len(expected) >= 2

    page.goto(server.url)
    page.wait_for_selector(".yasqe .CodeMirror")
    buttons = page.locator("#examples button.example")
    assert buttons.count() == len(kg.queries())

    # pick the stored query from the examples list; the page loads it into the editor and runs it
    page.fill("#example-filter", "long cycling")
    assert page.locator("#examples li:visible").count() == 1
    page.click(f"#examples button.example[data-name='{QUERY}']")
    rows = page.locator(".yasr .dataTable tbody tr")
    rows.first.wait_for()
    assert rows.count() == len(expected)
    table = page.inner_text(".yasr .dataTable")
    for row in expected:
        assert row["strategy_label"][:20] in table
    editor = page.evaluate("window.sslmbYasgui.getTab().getQuery()")
    assert editor.startswith("#+ summary:") and "PREFIX sslmb:" in editor

    page.fill("#example-filter", "")  # the whole list again, for the screenshot
    page.locator(f"#examples button.example[data-name='{QUERY}']").scroll_into_view_if_needed()
    ARTIFACTS.mkdir(exist_ok=True)
    shot = ARTIFACTS / "endpoint.png"
    page.screenshot(path=str(shot))
    assert shot.stat().st_size > 20_000

    # entity IRIs in the result table point at their fact sheets on this server
    links = page.locator(".yasr a.entity-link")
    assert links.count() >= len(expected)
    href = links.first.get_attribute("href")
    iri = links.first.get_attribute("data-iri")
    assert href == "/entity/" + iri.rsplit("/", 1)[1]
    page.goto(server.url.rstrip("/") + href)
    assert page.inner_text("h1").startswith(graph.label(iri))

    loopback = [u for u in browser.requests if not u.startswith("data:")]
    assert loopback and all(urllib.parse.urlsplit(u).hostname == "127.0.0.1" for u in loopback)
    assert browser.outside == []
    assert browser.problems == []


def test_page_shows_the_endpoints_refusal(browser, server):
    page = browser.page
    page.goto(server.url)
    page.wait_for_selector(".yasqe .CodeMirror")
    page.evaluate(
        "(q) => { const tab = window.sslmbYasgui.getTab(); tab.setQuery(q); tab.getYasqe().query(); }",
        "SELECT * WHERE { SERVICE <http://example.org/sparql> { ?s ?p ?o } }",
    )
    page.locator(".yasr", has_text="SERVICE is not allowed").wait_for()
    assert browser.outside == []


def test_readme_screenshot_is_a_png_of_the_page():
    # docs/endpoint.png is a copy of tests/artifacts/endpoint.png, the screenshot the test above takes
    shot = REPO / "docs" / "endpoint.png"
    data = shot.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = int.from_bytes(data[16:20], "big"), int.from_bytes(data[20:24], "big")
    assert (width, height) == (1400, 950)


# The boxes of a result table, read in the page: for each header its cell, its title and whether the title is
# clipped; for each body cell its box, the box of what it shows, and its alignment.
TABLE_GEOMETRY = """() => {
  const box = (el) => { const r = el.getBoundingClientRect(); return [r.left, r.top, r.right, r.bottom]; };
  const table = document.querySelector('.yasr table.dataTable');
  const headers = Array.from(table.querySelectorAll('thead th')).map((th) => {
    const title = th.querySelector('.dt-column-title');
    return { cell: box(th), title: box(title), text: title.textContent.replace(/\\u200b/g, ''),
             clipped: title.scrollWidth > title.clientWidth + 1 || th.scrollWidth > th.clientWidth + 1 };
  });
  const rows = Array.from(table.querySelectorAll('tbody tr')).map((tr) => Array.from(tr.children).map((td) => {
    const shown = td.firstElementChild || td;
    const style = getComputedStyle(td);
    return { cell: box(td), shown: box(shown), numeric: td.classList.contains('dt-type-numeric'),
             align: style.textAlign, padLeft: parseFloat(style.paddingLeft), padRight: parseFloat(style.paddingRight) };
  }));
  return { headers, rows, width: table.getBoundingClientRect().width,
           room: table.closest('.yasr').getBoundingClientRect().width };
}"""


def _run_stored(page, server, name):
    page.goto(server.url)
    page.wait_for_selector(".yasqe .CodeMirror")
    page.click(f"#examples button.example[data-name='{name}']")
    page.locator(".yasr .dataTable tbody tr").first.wait_for()
    page.wait_for_function("document.querySelector('.yasr .dataTable .dt-column-title') !== null")


@pytest.mark.parametrize("name", [QUERY, "cq-05-single-ion-transference"])
def test_result_cells_stay_apart_and_headers_are_whole(browser, server, graph, name):
    # Before the fix a number ran into its neighbour ("1000sslmb:InSitu...", "25" beside "0.92 (25 °C)" read
    # "250.92") and headers were clipped ("_hours", "er_cm2").
    page = browser.page
    _run_stored(page, server, name)
    geometry = page.evaluate(TABLE_GEOMETRY)
    variables = list(graph.query(name).variables)

    assert [h["text"] for h in geometry["headers"]] == variables  # every header whole, none cut
    for header in geometry["headers"]:
        assert not header["clipped"], header["text"]
        left, top, right, bottom = header["title"]
        cl, ct, cr, cb = header["cell"]
        assert cl <= left and right <= cr and ct <= top and bottom <= cb, header["text"]
    assert geometry["width"] <= geometry["room"] + 1  # the table fits beside the examples

    rows = geometry["rows"]
    assert len(rows) == len(graph.query(name).rows)
    for row in rows:
        assert len(row) == len(variables)
        for cell in row:
            left, _, right, _ = cell["shown"]
            cl, _, cr, _ = cell["cell"]
            # what a cell shows stays inside its padding, so neighbours' texts never touch
            assert cell["padLeft"] >= 6 and cell["padRight"] >= 6
            assert cl + cell["padLeft"] - 1 <= left and right <= cr - cell["padRight"] + 1
            if cell["numeric"]:
                assert cell["align"] == "right"
        for a, b in zip(row, row[1:], strict=False):
            assert a["cell"][2] <= b["cell"][0] + 1  # cells side by side, never overlapping
            assert b["shown"][0] - a["shown"][2] >= 12  # a visible gap between neighbouring texts


def test_entity_names_redirect_to_the_canonical_page(browser, server, graph):
    llzo = graph.resolve("llzo")
    local = llzo.iri.rsplit("/", 1)[1]
    for name in ("llzo", "Li7La3Zr2O12"):
        assert graph.resolve(name).iri == llzo.iri  # the CLI's reading of the name
        status, headers, _ = server.request("GET", f"/entity/{name}", headers={"Accept": "text/html"})
        assert status == 303 and headers["location"] == f"/entity/{local}"
        browser.page.goto(server.url.rstrip("/") + f"/entity/{name}")
        assert browser.page.url.endswith(f"/entity/{local}")
        assert browser.page.inner_text("h1").startswith(llzo.label)
    status, headers, _ = server.request("GET", "/entity/llzo?format=ttl")
    assert status == 303 and headers["location"] == f"/entity/{local}?format=ttl"
    status, _, _ = server.request("GET", "/entity/LLZ0", headers={"Accept": "text/html"})
    assert status == 404  # a near miss is not redirected: the page offers the nearest names instead
