"""HTML pages of ``sslmb serve``: the query page (YASGUI with the stored queries as examples) and fact sheets.

Every value that comes from the graph or a request is escaped; the pages load nothing but ``/static`` files.
"""

from __future__ import annotations

import json
import re
from html import escape
from string import Template
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

from kg.core.namespaces import PREFIXES, SSLMB, shorten
from kg.endpoint.web import TEMPLATES_DIR
from kg.output.text import scope_note

if TYPE_CHECKING:
    from collections.abc import Iterable

    from kg.model.describe import FactSheet
    from kg.model.stored import StoredQuery

KIND_TITLES = {"cq": "Competency questions", "report": "Reports", "check": "Quality checks (no row = pass)"}
_TEMPLATES: dict[str, Template] = {}


def _template(name: str) -> Template:
    if name not in _TEMPLATES:
        _TEMPLATES[name] = Template((TEMPLATES_DIR / name).read_text(encoding="utf-8"))
    return _TEMPLATES[name]


def render(title: str, body: str, *, head: str = "", scripts: str = "", footer: str = "", body_class: str = "") -> str:
    """A whole page in the site's frame (``templates/page.html``); ``title`` is escaped, the rest is HTML."""
    return _template("page.html").substitute(
        title=escape(title), head=head, body=body, scripts=scripts, footer=footer, body_class=body_class
    )


def entity_href(iri: str) -> str | None:
    """The fact-sheet URL of a graph entity, or None for an IRI outside the graph's namespace.

    >>> entity_href("https://w3id.org/sslmb/LLZO")
    '/entity/LLZO'
    >>> entity_href("http://qudt.org/vocab/unit/S-PER-CentiM") is None
    True
    """
    if not iri.startswith(SSLMB):
        return None
    local = iri[len(SSLMB) :]
    if not local or "/" in local or "#" in local:
        return None
    return "/entity/" + quote(local, safe="")


def example_text(query: StoredQuery) -> str:
    """A stored query as the page offers it: its ``#+`` header first (the endpoint binds the parameters it
    declares, so editing a default there changes the answer), then PREFIX lines for the prefixes it uses,
    which the server also predeclares but the editor's checker wants to see.

    >>> from kg.model.stored import stored_query
    >>> text = example_text(stored_query("cq-09-long-cycling"))
    >>> text.splitlines()[0].startswith("#+ summary:"), "PREFIX sslmb: <https://w3id.org/sslmb/>" in text
    (True, True)
    """
    lines = query.text.splitlines()
    head = 0
    while head < len(lines) and (lines[head].startswith("#") or not lines[head].strip()):
        head += 1
    rest = "\n".join(lines[head:])
    declared = set(re.findall(r"(?im)^\s*PREFIX\s+([A-Za-z][\w.-]*)?:", rest))
    used = [p for p in PREFIXES if p not in declared and re.search(rf"(?<![\w:?$.-]){re.escape(p)}:", rest)]
    prefix_lines = [f"PREFIX {p}: <{PREFIXES[p]}>" for p in used]
    header = [line for line in lines[:head]]
    while header and not header[-1].strip():
        header.pop()
    parts = ["\n".join(header)] if header else []
    if prefix_lines:
        parts.append("\n".join(prefix_lines))
    parts.append(rest.strip("\n"))
    return "\n\n".join(parts) + "\n"


# The ask box above the query page (static/ask.js sends the question to /ask and shows the answer).
ASK_BOX = """
<section id="ask" class="ask-box" aria-label="ask a question">
  <form id="ask-form" autocomplete="off">
    <label for="ask-input">Ask in words</label>
    <input id="ask-input" name="q" type="search" maxlength="1000"
      placeholder="what stops dendrites in garnet electrolytes?">
    <button type="submit">Ask</button>
  </form>
  <div id="ask-answer" aria-live="polite"></div>
</section>
"""


def index_html(queries: Iterable[StoredQuery], settings: Any) -> str:
    """The query page: YASGUI on ``/sparql`` and the stored queries as examples, grouped by kind."""
    queries = list(queries)
    groups = []
    for kind, title in KIND_TITLES.items():
        items = []
        for q in queries:
            if q.kind != kind:
                continue
            params = "; ".join(f"{p.name} = {p.default}" for p in q.params if p.default is not None)
            items.append(
                f'<li><button type="button" class="example" data-name="{escape(q.name)}" '
                f'title="load and run {escape(q.name)}">{escape(q.name)}</button>'
                f'<p class="summary">{escape(q.summary)}</p>'
                + (f'<p class="params">parameters: {escape(params)}</p>' if params else "")
                + "</li>"
            )
        if items:
            groups.append(f'<section class="group"><h3>{escape(title)}</h3><ul>{"".join(items)}</ul></section>')
    data = {q.name: {"kind": q.kind, "summary": q.summary, "text": example_text(q)} for q in queries}
    payload = json.dumps(data, ensure_ascii=False).replace("</", "<\\/")
    limits = (
        f"Read-only endpoint at <code>/sparql</code>: queries stop after {settings.query_timeout:g} s, results "
        f"stop at {settings.max_rows:,} rows (header <code>X-Rows-Truncated</code>), no SERVICE, LOAD or update. "
        'It reads the union of the graphs of the <a href="/sources">sources</a>.'
    )
    body = ASK_BOX + f"""
<main class="query-page">
  <aside id="examples" aria-label="stored queries">
    <h2>Stored queries</h2>
    <p class="hint">Pick one to load it into the editor and run it. A <code>#+ params:</code> line sets a
    parameter: edit its value (a label such as <code>"LLZO"</code>, or a number) and run again.</p>
    <input id="example-filter" type="search" placeholder="filter by name or summary" aria-label="filter">
    {"".join(groups)}
  </aside>
  <section id="editor">
    <div id="yasgui"></div>
  </section>
</main>
<script type="application/json" id="stored-queries">{payload}</script>
<script type="application/json" id="prefixes">{json.dumps(PREFIXES)}</script>
"""
    return render(
        "sslmb-kg: SPARQL query page",
        body,
        head='<link rel="stylesheet" href="/static/yasgui/yasgui.min.css">\n'
        '<link rel="stylesheet" href="/static/ask.css">',
        scripts='<script src="/static/yasgui/yasgui.min.js"></script>\n<script src="/static/app.js"></script>'
        '\n<script src="/static/ask.js"></script>',
        footer=limits,
        body_class="index",
    )


# ------------------------------------------------------------------------------------------ fact sheets


def _link(iri: str, label: str | None = None) -> str:
    text = escape(label if label is not None else shorten(iri))
    href = entity_href(iri)
    if href:
        return f'<a href="{escape(href)}">{text}</a>'
    return f'<span title="{escape(iri)}">{text}</span>'


def _evidence(evidence: Any) -> str:
    parts = []
    whole = {s.iri for s in getattr(evidence, "sources", ())}
    places = [loc for loc in evidence.locations if loc.iri not in whole]
    if places:
        parts.append("; ".join(_link(loc.iri, loc.number or loc.label) for loc in places))
    refs = [r for r in evidence.references]
    if refs:
        numbered = all(r.number is not None for r in refs)
        parts.append(
            ("ref. " if numbered else "")
            + ", ".join(_link(r.iri, str(r.number) if r.number is not None else r.label) for r in refs)
        )
    keys = ", ".join(_link(s.iri, s.key) if s.iri else escape(s.key) for s in getattr(evidence, "sources", ()))
    text = " | ".join(parts)
    return f"{keys}: {text}" if keys and text else keys or text


def _table(headers: list[str], rows: list[list[str]], css: str) -> str:
    head = "".join(f"<th>{escape(h)}</th>" for h in headers)
    body = "".join("<tr>" + "".join(f"<td>{cell}</td>" for cell in row) + "</tr>" for row in rows)
    return f'<table class="{css}"><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>'


def _quantity_text(q: Any) -> str:
    text = escape(str(q))
    if q.printed_as:
        text += f' <span class="printed">[printed: {escape(q.printed_as)}]</span>'
    if q.uncertain:
        text += ' <span class="uncertain">(uncertain reading)</span>'
    return text


def entity_html(sheet: FactSheet) -> str:
    """The fact sheet as a page: the same content as ``sslmb show``, with every entity a link."""
    out = [f'<main class="sheet"><h1>{escape(sheet.label)} <span class="kind">[{escape(sheet.kind)}]</span></h1>']
    out.append(
        f'<p class="iri"><code>{escape(sheet.iri)}</code> &middot; '
        f'<a href="?format=ttl">Turtle</a> &middot; <a href="?format=jsonld">JSON-LD</a></p>'
    )
    facts = []
    if sheet.alt_labels:
        facts.append(("also known as", escape(", ".join(sheet.alt_labels))))
    if sheet.formula:
        facts.append(("formula", escape(sheet.formula)))
    if sheet.family:
        facts.append(("family", " &lt; ".join(_link(f.iri, f.label) for f in sheet.family)))
    elif sheet.types:
        facts.append(("type", ", ".join(_link(t.iri, t.label) for t in sheet.types)))
    if sheet.definition:
        facts.append(("definition", escape(sheet.definition)))
    for note in sheet.notes:
        facts.append(("note", escape(note)))
    if sheet.uncertain:
        facts.append(("reading", '<span class="uncertain">uncertain (see the note)</span>'))
    if facts:
        out.append('<dl class="facts">' + "".join(f"<dt>{k}</dt><dd>{v}</dd>" for k, v in facts) + "</dl>")
    if sheet.annotations:
        out.append("<h2>Properties</h2>")
        rows = [[_link(a.property_iri, a.property), escape(str(a.value))] for a in sheet.annotations]
        out.append(_table(["property", "value"], rows, "properties"))
    if sheet.quantities or sheet.family_quantities:
        out.append("<h2>Numbers</h2>")
        rows = [
            [
                escape(q.metric or q.label),
                _quantity_text(q) + escape(scope_note(q.scope, q.scope_as_printed, q.exceptions)),
                "",
                _evidence(q.evidence),
            ]
            for q in sheet.quantities
        ]
        rows += [
            [escape(q.metric or q.label), _quantity_text(q), _link(fam.iri, fam.label), _evidence(q.evidence)]
            for fam, q in sheet.family_quantities
        ]
        out.append(_table(["what", "value", "as member of", "evidence"], rows, "numbers"))
    own = [lk for lk in sheet.links if lk.via is None]
    inherited = [lk for lk in sheet.links if lk.via is not None]
    for title, links in (("Links", own), ("Through its family", inherited)):
        if not links:
            continue
        out.append(f"<h2>{title}</h2>")
        rows = []
        for lk in links:
            arrow = "&rarr;" if lk.direction == "out" else "&larr;"
            via = f' <span class="via">(as {_link(lk.via.iri, lk.via.label)})</span>' if lk.via else ""
            rows.append(
                [
                    f"{arrow} {_link(lk.relation_iri, lk.relation)}",
                    f'{_link(lk.other.iri, lk.other.label)} <span class="kind">[{escape(lk.other.kind)}]</span>{via}',
                    _evidence(lk.evidence),
                    str(lk.support.supported_by) if lk.support is not None and lk.support.supporting else "",
                ]
            )
        out.append(_table(["relation", "entity", "evidence", "sources"], rows, "links"))
    if sheet.withheld:
        out.append("<h2>Not inherited from its family</h2>")
        rows = []
        for w in sheet.withheld:
            arrow = "&rarr;" if w.direction == "out" else "&larr;"
            rows.append(
                [
                    f"{arrow} {_link(w.relation_iri, w.relation)}",
                    f'{_link(w.other.iri, w.other.label)} <span class="kind">[{escape(w.other.kind)}]</span>'
                    f' <span class="via">(as {_link(w.via.iri, w.via.label)})</span>',
                    escape(w.reason + (f" ({w.detail})" if w.detail else "")),
                ]
            )
        out.append(_table(["relation", "entity", "why not"], rows, "withheld"))
    if sheet.credited:
        out.append("<h2>Credited by the review</h2>")
        rows = [
            [
                _link(c.subject.iri, c.subject.label)
                if c.relation is None or c.other is None
                else f"{_link(c.subject.iri, c.subject.label)} &rarr; {escape(c.relation)} &rarr; "
                f"{_link(c.other.iri, c.other.label)}",
                _evidence(c.evidence),
            ]
            for c in sheet.credited
        ]
        out.append(_table(["finding", "evidence"], rows, "credited"))
    if sheet.support is not None:  # a claim: who is for it and who against, independent lines
        out.append(f'<h2>Support</h2><p class="support">{escape(str(sheet.support))}</p>')
        if sheet.support.details:
            items = "".join(f"<li>{escape(d)}</li>" for d in sheet.support.details)
            out.append(f"<ul class='support'>{items}</ul>")
    ev = sheet.evidence
    if ev.locations or ev.references or ev.attributed_to:
        out.append("<h2>Evidence</h2><dl class='facts'>")
        if ev.locations:
            out.append("<dt>read in</dt><dd>" + "; ".join(_link(loc.iri, loc.label) for loc in ev.locations) + "</dd>")
        if ev.references:
            out.append("<dt>rests on</dt><dd>" + "; ".join(_link(r.iri, r.label) for r in ev.references) + "</dd>")
        if ev.attributed_to:
            out.append("<dt>reported by</dt><dd>" + escape("; ".join(ev.attributed_to)) + "</dd>")
        if ev.sources:
            out.append(
                "<dt>sources</dt><dd>"
                + ", ".join(_link(x.iri, x.key) if x.iri else escape(x.key) for x in ev.sources)
                + "</dd>"
            )
        out.append("</dl>")
    out.append("</main>")
    return render(f"{sheet.label} [{sheet.kind}]: sslmb-kg", "\n".join(out), body_class="entity")


def _web_link(url: str | None) -> str:
    """A link to an outside address; anything but http(s) is shown as text only."""
    if not url:
        return ""
    if not re.match(r"https?://", url):
        return escape(url)
    return f'<a href="{escape(url, quote=True)}" rel="noreferrer">{escape(url)}</a>'


def sources_html(sources: Iterable[Any]) -> str:
    """The sources the server reads (``sslmb sources`` as a page): key, kind, title, year, DOI or address, licence
    and statements; ``?format=json`` gives the same as ``sslmb sources --format json``."""
    rows = []
    for x in sources:
        where = (
            f'<a href="https://doi.org/{escape(x.doi, quote=True)}">doi:{escape(x.doi)}</a>'
            if x.doi
            else _web_link(x.url)
        )
        licence = _web_link(x.licence)
        rows.append(
            [
                _link(x.iri, x.key),
                escape(x.kind),
                escape(x.title),
                escape(str(x.year or "")),
                where,
                licence,
                f"<code>{escape(x.graph)}</code>",
                f"{x.statements:,}",
            ]
        )
    headers = ["key", "kind", "title", "year", "DOI or address", "licence", "named graph", "statements"]
    body = (
        '<main class="sheet"><h1>Sources</h1><p>Each source\'s facts are in a named graph of its own; queries at '
        "<code>/sparql</code> read their union, and <code>GRAPH</code>, <code>FROM</code>, <code>FROM NAMED</code> "
        "or the protocol's <code>default-graph-uri</code>/<code>named-graph-uri</code> choose among them. "
        '<a href="?format=json">JSON</a></p>' + _table(headers, rows, "sources") + "</main>"
    )
    return render("sources: sslmb-kg", body, body_class="entity")


def not_found_html(name: str, graph: Any) -> str:
    """A 404 page that offers the nearest entities by label."""
    matches = _nearest(graph, name)
    items = "".join(f"<li>{_link(m.iri, m.label)} <span class='kind'>[{escape(m.kind)}]</span></li>" for m in matches)
    hint = f"<p>Nearest by label:</p><ul>{items}</ul>" if items else ""
    body = (
        f'<main class="sheet"><h1>No entity <code>{escape(name)}</code></h1>'
        f"<p>There is no <code>{escape(SSLMB + name)}</code> in the graph.</p>{hint}</main>"
    )
    return render("not found: sslmb-kg", body, body_class="entity")


def _nearest(graph: Any, name: str) -> list[Any]:
    """Entities near a local name that is not in the graph: by label search, then by spelling."""
    from kg.core.errors import KGError
    from kg.model.search import find, resolve

    text = re.sub(r"(?<=[a-z0-9])(?=[A-Z])|[_-]+", " ", name).strip()  # LithiumDendrite -> Lithium Dendrite
    if not text:
        return []
    try:
        matches = find(graph, text, limit=5)
        if matches:
            return matches
        resolve(graph, text)
    except KGError as exc:
        labels = [c if isinstance(c, str) else c[0] for c in getattr(exc, "candidates", [])]
        found = [find(graph, label, limit=1) for label in labels[:5]]
        return [f[0] for f in found if f]
    except ValueError:
        return []
    return []
