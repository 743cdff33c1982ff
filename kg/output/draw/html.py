"""A laid-out drawing as one self-contained HTML page: the SVG inline, with pan, zoom and the evidence of what
the pointer is on (styles and script inline, nothing fetched)."""

from __future__ import annotations

import json
from xml.sax.saxutils import escape

from kg.output.draw.layout import Drawing, refs
from kg.output.draw.svg import to_svg

_CSS = """
html, body { margin: 0; height: 100%; font-family: DejaVu Sans, Verdana, Arial, sans-serif; background: #f6f6f6; }
header { padding: 8px 14px; font-size: 13px; color: #333; background: #fff; border-bottom: 1px solid #ddd; }
header button { margin-left: 10px; }
#view { position: absolute; top: 40px; left: 0; right: 0; bottom: 0; overflow: hidden; cursor: grab; }
#view.dragging { cursor: grabbing; }
#view svg { width: 100%; height: 100%; display: block; }
svg.focus .edge:not(.hl) { opacity: 0.12; }
svg.focus .node:not(.hl) { opacity: 0.3; }
.edge.hl { stroke-width: 3; }
.node { cursor: pointer; }
#tip { position: fixed; max-width: 420px; padding: 8px 10px; background: #fff; border: 1px solid #888;
       border-radius: 4px; box-shadow: 0 2px 6px rgba(0,0,0,.2); font-size: 12px; pointer-events: none; }
#tip b { display: block; margin-bottom: 4px; }
#tip div { margin-top: 2px; color: #333; }
"""

# Pan (drag), zoom (wheel, +/- buttons), reset; hovering a box highlights its links and shows its evidence.
_JS = """
(function () {
  var svg = document.getElementById('drawing');
  var view = document.getElementById('view');
  var tip = document.getElementById('tip');
  var data = JSON.parse(document.getElementById('evidence').textContent);
  var full = svg.viewBox.baseVal;
  var home = [full.x, full.y, full.width, full.height];
  var box = home.slice();
  function apply() { svg.setAttribute('viewBox', box.join(' ')); }
  function toSvg(clientX, clientY) {
    var r = svg.getBoundingClientRect();
    var s = Math.max(box[2] / r.width, box[3] / r.height);
    var ox = (r.width * s - box[2]) / 2, oy = (r.height * s - box[3]) / 2;
    return [box[0] - ox + (clientX - r.left) * s, box[1] - oy + (clientY - r.top) * s, s];
  }
  function zoom(factor, clientX, clientY) {
    var p = toSvg(clientX, clientY);
    box = [p[0] - (p[0] - box[0]) * factor, p[1] - (p[1] - box[1]) * factor, box[2] * factor, box[3] * factor];
    apply();
  }
  view.addEventListener('wheel', function (e) {
    e.preventDefault();
    zoom(e.deltaY > 0 ? 1.15 : 1 / 1.15, e.clientX, e.clientY);
  }, { passive: false });
  var drag = null;
  view.addEventListener('pointerdown', function (e) {
    drag = { x: e.clientX, y: e.clientY, box: box.slice(), s: toSvg(e.clientX, e.clientY)[2] };
    view.classList.add('dragging');
  });
  window.addEventListener('pointermove', function (e) {
    if (!drag) return;
    box = [drag.box[0] - (e.clientX - drag.x) * drag.s, drag.box[1] - (e.clientY - drag.y) * drag.s,
           drag.box[2], drag.box[3]];
    apply();
  });
  window.addEventListener('pointerup', function () { drag = null; view.classList.remove('dragging'); });
  function centre() { var r = view.getBoundingClientRect(); return [r.left + r.width / 2, r.top + r.height / 2]; }
  document.getElementById('zoom-in').onclick = function () { var c = centre(); zoom(1 / 1.4, c[0], c[1]); };
  document.getElementById('zoom-out').onclick = function () { var c = centre(); zoom(1.4, c[0], c[1]); };
  document.getElementById('reset').onclick = function () { box = home.slice(); apply(); };

  function show(info, e) {
    tip.textContent = '';
    var title = document.createElement('b');
    title.textContent = info.title;
    tip.appendChild(title);
    info.lines.forEach(function (line) {
      var div = document.createElement('div');
      div.textContent = line;
      tip.appendChild(div);
    });
    tip.hidden = false;
    move(e);
  }
  function move(e) {
    var x = e.clientX + 14, y = e.clientY + 14;
    if (x + tip.offsetWidth > window.innerWidth) x = e.clientX - tip.offsetWidth - 14;
    if (y + tip.offsetHeight > window.innerHeight) y = e.clientY - tip.offsetHeight - 14;
    tip.style.left = x + 'px';
    tip.style.top = y + 'px';
  }
  function clear() {
    svg.classList.remove('focus');
    svg.querySelectorAll('.hl').forEach(function (el) { el.classList.remove('hl'); });
    tip.hidden = true;
  }
  svg.querySelectorAll('.node').forEach(function (node) {
    node.addEventListener('mouseenter', function (e) {
      svg.classList.add('focus');
      node.classList.add('hl');
      svg.querySelectorAll('.edge').forEach(function (edge) {
        var s = edge.getAttribute('data-source'), t = edge.getAttribute('data-target');
        if (s === node.id || t === node.id) {
          edge.classList.add('hl');
          document.getElementById(s === node.id ? t : s).classList.add('hl');
        }
      });
      show(data.nodes[node.id], e);
    });
    node.addEventListener('mousemove', move);
    node.addEventListener('mouseleave', clear);
  });
  svg.querySelectorAll('.edge').forEach(function (edge) {
    edge.addEventListener('mouseenter', function (e) { edge.classList.add('hl'); show(data.edges[edge.id], e); });
    edge.addEventListener('mousemove', move);
    edge.addEventListener('mouseleave', clear);
  });
  // native <title> tooltips would double ours
  svg.querySelectorAll('.node > title, .edge > title').forEach(function (t) { t.remove(); });
})();
"""


def _evidence(d: Drawing) -> dict:
    nodes = {b.id: {"title": b.label, "lines": [*b.details, b.iri]} for b in d.boxes}
    edges = {}
    for a in d.arrows:
        lines = []
        if a.references:
            lines.append(refs(a.references))
        if a.sections:
            lines.append("read in: " + "; ".join(a.sections))
        edges[a.id] = {
            "title": f"{d.box(a.source).label} {a.relation} {d.box(a.target).label}",
            "lines": lines or ["no evidence recorded for this link"],
        }
    return {"nodes": nodes, "edges": edges}


def to_html(d: Drawing) -> str:
    """One self-contained HTML page: the SVG inline, styles and script inline, nothing fetched."""
    data = json.dumps(_evidence(d), ensure_ascii=False).replace("</", "<\\/")
    return (
        "<!DOCTYPE html>\n"
        '<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{escape(d.title)}</title>\n<style>{_CSS}</style>\n</head>\n<body>\n"
        f"<header><b>{escape(d.title)}</b> &#8212; scroll to zoom, drag to pan, point at a box or arrow for its "
        'evidence <button id="zoom-in" type="button">+</button><button id="zoom-out" type="button">&#8722;'
        '</button><button id="reset" type="button">reset</button></header>\n'
        f'<div id="view">\n{to_svg(d, standalone=False)}</div>\n<div id="tip" role="tooltip" hidden></div>\n'
        f'<script type="application/json" id="evidence">{data}</script>\n'
        f"<script>{_JS}</script>\n</body>\n</html>\n"
    )
