// The query page: YASGUI on this server's /sparql, the stored queries as examples, entity IRIs linked to
// their fact sheets. Nothing here (nor in the YASGUI bundle as configured) requests anything off this server.
(function () {
  "use strict";
  var SSLMB = "https://w3id.org/sslmb/";
  var stored = JSON.parse(document.getElementById("stored-queries").textContent);
  var endpoint = window.location.origin + "/sparql";
  var firstName = Object.keys(stored)[0];

  var yasgui = new Yasgui(document.getElementById("yasgui"), {
    requestConfig: { endpoint: endpoint, method: "POST" },
    copyEndpointOnNewTab: true,
    persistenceId: null,
    populateFromUrl: true,
    autofocus: false,
    endpointCatalogueOptions: { getData: function () { return [{ endpoint: endpoint }]; } },
    yasqe: {
      value: firstName ? stored[firstName].text : "SELECT * WHERE { ?s ?p ?o } LIMIT 10",
      autocompleters: ["variables", "prefixes"],
      prefixCcApi: null,
      collapsePrefixesOnLoad: false,
      persistenceId: null,
      editorHeight: "320px",
    },
    // Result tables show IRIs and datatypes with the graph's prefixes (xsd:integer, sslmb:LLZO).
    yasr: { persistenceId: null, prefixes: JSON.parse(document.getElementById("prefixes").textContent) },
  });
  window.sslmbYasgui = yasgui;

  // Tables start in YASR's simple view (values without datatypes and row numbers); its checkbox shows them.
  function simpleView(tab) {
    var plugins = tab && tab.getYasr().config.plugins;
    if (plugins && plugins.table && !(plugins.table.dynamicConfig && "compact" in plugins.table.dynamicConfig)) {
      plugins.table.dynamicConfig = Object.assign({ compact: true }, plugins.table.dynamicConfig || {});
    }
  }
  simpleView(yasgui.getTab());
  yasgui.on("tabSelect", function (instance, tabId) { simpleView(instance.getTab(tabId)); });

  function entityHref(iri) {
    if (iri.indexOf(SSLMB) !== 0) return null;
    var local = iri.substring(SSLMB.length);
    if (!local || local.indexOf("/") >= 0 || local.indexOf("#") >= 0) return null;
    return "/entity/" + encodeURIComponent(local);
  }

  // Result tables are drawn (and re-drawn on paging) by YASR; rewrite graph IRIs to point at fact sheets.
  function relink(root) {
    var anchors = root.querySelectorAll("a.iri");
    for (var i = 0; i < anchors.length; i++) {
      var a = anchors[i];
      var href = a.getAttribute("href") || "";
      var target = entityHref(href);
      if (target) {
        a.setAttribute("href", target);
        a.setAttribute("data-iri", href);
        a.classList.add("entity-link");
      }
    }
  }
  // Long variable names may break after an underscore (min_|hours), never inside a word, so no header is cut.
  function breakable(root) {
    var titles = root.querySelectorAll(".dataTable .dt-column-title");
    for (var i = 0; i < titles.length; i++) {
      var text = titles[i].textContent;
      if (text.indexOf("_") >= 0 && text.indexOf("\u200b") < 0) titles[i].textContent = text.replace(/_/g, "_\u200b");
    }
  }
  new MutationObserver(function () {
    var root = document.getElementById("yasgui");
    relink(root);
    breakable(root);
  }).observe(
    document.getElementById("yasgui"), { childList: true, subtree: true }
  );

  function load(name) {
    var entry = stored[name];
    if (!entry) return;
    var tab = yasgui.getTab();
    tab.setEndpoint(endpoint);
    tab.setQuery(entry.text);
    var buttons = document.querySelectorAll("button.example");
    for (var i = 0; i < buttons.length; i++) {
      buttons[i].classList.toggle("selected", buttons[i].getAttribute("data-name") === name);
    }
    tab.getYasqe().query();
  }

  document.getElementById("examples").addEventListener("click", function (event) {
    var button = event.target.closest("button.example");
    if (button) load(button.getAttribute("data-name"));
  });

  var filter = document.getElementById("example-filter");
  filter.addEventListener("input", function () {
    var words = filter.value.toLowerCase().split(/\s+/).filter(Boolean);
    var items = document.querySelectorAll("#examples li");
    for (var i = 0; i < items.length; i++) {
      var text = items[i].textContent.toLowerCase();
      var show = words.every(function (w) { return text.indexOf(w) >= 0; });
      items[i].style.display = show ? "" : "none";
    }
  });
})();
