// The ask box: the question goes to /ask on this server; the answer shows the command that asks the same (so the
// reader learns the form), then the result as tables. Nothing here requests anything off this server.
(function () {
  "use strict";
  var SSLMB = "https://w3id.org/sslmb/";
  var form = document.getElementById("ask-form");
  var input = document.getElementById("ask-input");
  var out = document.getElementById("ask-answer");
  if (!form || !input || !out) return;

  function el(tag, text, cls) {
    var e = document.createElement(tag);
    if (text !== undefined && text !== null) e.textContent = String(text);
    if (cls) e.className = cls;
    return e;
  }

  function cell(value) {
    var td = el("td");
    if (typeof value === "string" && value.indexOf(SSLMB) === 0 && value.indexOf("/", SSLMB.length) < 0) {
      var a = el("a", "sslmb:" + value.substring(SSLMB.length));
      a.href = "/entity/" + encodeURIComponent(value.substring(SSLMB.length));
      td.appendChild(a);
    } else if (Array.isArray(value)) {
      td.textContent = value.map(function (v) { return typeof v === "object" ? JSON.stringify(v) : v; }).join("; ");
    } else if (value !== null && typeof value === "object") {
      td.textContent = value.label || value.target_label || value.strategy_label || JSON.stringify(value);
    } else {
      td.textContent = value === null || value === undefined ? "" : String(value);
    }
    return td;
  }

  function table(rows, columns) {
    var t = el("table");
    var head = el("tr");
    columns.forEach(function (c) { head.appendChild(el("th", c)); });
    t.appendChild(head);
    rows.forEach(function (row) {
      var tr = el("tr");
      columns.forEach(function (c) { tr.appendChild(cell(row[c])); });
      t.appendChild(tr);
    });
    var wrap = el("div", null, "scroll");
    wrap.appendChild(t);
    return wrap;
  }

  function columnsOf(rows) {
    var seen = [];
    rows.forEach(function (r) { Object.keys(r).forEach(function (k) { if (seen.indexOf(k) < 0) seen.push(k); }); });
    return seen;
  }

  function show(value, into) {
    if (Array.isArray(value)) {
      if (value.length && typeof value[0] === "object") into.appendChild(table(value, columnsOf(value)));
      else into.appendChild(el("p", value.length ? value.join(", ") : "(nothing)"));
      return;
    }
    if (value && typeof value === "object") {
      if (value.form === "select") { into.appendChild(table(value.rows, value.variables)); return; }
      Object.keys(value).forEach(function (k) {
        var v = value[k];
        if (Array.isArray(v) && v.length && typeof v[0] === "object") {
          into.appendChild(el("h4", k.replace(/_/g, " ")));
          show(v, into);
        } else if (!(Array.isArray(v) && !v.length)) {
          var p = el("p");
          p.appendChild(el("strong", k.replace(/_/g, " ") + ": "));
          p.appendChild(document.createTextNode(Array.isArray(v) ? v.join(", ") : (v && typeof v === "object" ? JSON.stringify(v) : v)));
          into.appendChild(p);
        }
      });
      return;
    }
    into.appendChild(el("p", String(value)));
  }

  function render(a) {
    out.textContent = "";
    if (!a.sure) {
      out.appendChild(el("p", "Not sure which question this is (confidence " + a.confidence + "). The closest:", "unsure"));
      var ol = el("ol");
      a.suggestions.forEach(function (s) {
        var li = el("li");
        li.appendChild(el("code", s.command, "command"));
        li.appendChild(el("div", s.summary, "meta"));
        ol.appendChild(li);
      });
      out.appendChild(ol);
      return;
    }
    out.appendChild(el("code", a.command, "command"));
    out.appendChild(el("p", a.target + (a.query ? " (" + a.query + ")" : "") + ", confidence " + a.confidence, "meta"));
    show(a.answer, out);
  }

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    var q = input.value.trim();
    if (!q) return;
    out.textContent = "asking…";
    fetch("/ask?q=" + encodeURIComponent(q), { headers: { Accept: "application/json" } })
      .then(function (r) {
        if (!r.ok) return r.text().then(function (t) { throw new Error(t); });
        return r.json();
      })
      .then(render)
      .catch(function (e) { out.textContent = String(e.message || e); });
  });
})();
