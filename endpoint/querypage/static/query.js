/* drugkg query page: runs queries against /sparql and shows their results.
 *
 * The editor is YASGUI's when the server serves its files (the page then loads them before
 * this script), else the built-in one; `body[data-editor]` says which. `?example=NAME` runs a
 * question of the gallery, `?query=TEXT` opens a query and `&run=1` runs it. Results: SELECT/ASK as SPARQL
 * JSON, CONSTRUCT/DESCRIBE as N-Triples (one Accept header asks for either), IRIs labelled by
 * one extra VALUES-batched query. Errors show the endpoint's message and the parser's position;
 * a timeout (503) and a truncated result (X-Drugkg-Truncated) get their own notices.
 */
"use strict";

(function () {
  const $ = (sel) => document.querySelector(sel);
  const esc = (t) => window.DrugkgEditor.escapeHtml(String(t));
  const V = window.DrugkgViews;
  const ACCEPT = "application/sparql-results+json, application/n-triples;q=0.9";
  const LABEL_BATCH = 200;
  let config = null;
  let editor = null;
  let current = null;
  let labels = new Map();
  let runId = 0;

  function prefixBlock() {
    return Object.entries(config.prefixes)
      .sort((a, b) => a[0].localeCompare(b[0]))
      .map(([p, ns]) => `PREFIX ${p}: <${ns}>`).join("\n");
  }

  function newQuery() {
    return `${prefixBlock()}\n\nSELECT ?thing ?label WHERE {\n  ?thing a dk:Substance ; rdfs:label ?label .\n}\nLIMIT 20\n`;
  }

  function setStatus(text) { $("#status").textContent = text; }

  function notice(kind, html) {
    const div = document.createElement("div");
    div.className = `notice ${kind}`;
    div.setAttribute("role", kind === "error" ? "alert" : "status");
    div.innerHTML = html;
    $("#notices").appendChild(div);
  }

  async function post(query, accept) {
    return fetch("/sparql", {
      method: "POST",
      headers: { "Content-Type": "application/x-www-form-urlencoded", Accept: accept },
      body: new URLSearchParams({ query }),
    });
  }

  async function showError(response) {
    let body = null;
    const text = await response.text();
    try { body = JSON.parse(text); } catch (_) { body = { status: response.status, error: "", message: text }; }
    const message = body.message || text || response.statusText;
    if (response.status === 503 && body.error === "QueryTimeoutError") {
      notice("timeout", `<strong>Timed out.</strong> ${esc(message)}`);
      setStatus("timed out");
      return;
    }
    const at = /error at (\d+):(\d+)/.exec(message);
    const where = at ? `<p class="where">at line ${at[1]}, column ${at[2]}</p>` : "";
    notice("error", `<strong>${esc(body.error || "Error")} (${response.status})</strong>${where}<pre>${esc(message)}</pre>`);
    if (at) editor.markError(Number(at[1]), Number(at[2]));
    setStatus("error");
  }

  async function fetchLabels(terms) {
    const iris = [...new Set(terms.filter((t) => t && t.type === "uri").map((t) => t.value))]
      .filter((iri) => !labels.has(iri) && !/[<>"{}|^`\\\s]/.test(iri));
    for (let i = 0; i < iris.length; i += LABEL_BATCH) {
      const values = iris.slice(i, i + LABEL_BATCH).map((iri) => `<${iri}>`).join(" ");
      const query = "SELECT ?iri ?label WHERE { VALUES ?iri { " + values +
        " } ?iri <http://www.w3.org/2000/01/rdf-schema#label> ?label }";
      try {
        const response = await post(query, "application/sparql-results+json");
        if (!response.ok) continue;
        const data = await response.json();
        for (const b of data.results.bindings) {
          const lang = b.label["xml:lang"];
          if (!labels.has(b.iri.value) || lang === "en" || !lang) labels.set(b.iri.value, b.label.value);
        }
      } catch (_) { /* labels are a nicety: the IRIs still show */ }
    }
  }

  async function run() {
    const query = editor.getValue();
    const id = ++runId;
    $("#notices").innerHTML = "";
    $("#results").innerHTML = "";
    $("#views").hidden = true;
    editor.clearError();
    setStatus("running…");
    const started = performance.now();
    let response;
    try {
      response = await post(query, ACCEPT);
    } catch (err) {
      notice("error", `<strong>The endpoint did not answer.</strong> ${esc(err.message)}`);
      setStatus("error");
      return;
    }
    if (id !== runId) return;
    if (!response.ok) { await showError(response); return; }
    const type = (response.headers.get("content-type") || "").split(";")[0].trim();
    const text = await response.text();
    let result;
    if (type === "application/sparql-results+json") {
      const data = JSON.parse(text);
      result = "boolean" in data ? { kind: "boolean", value: data.boolean }
        : { kind: "solutions", vars: data.head.vars, rows: data.results.bindings };
    } else {
      result = { kind: "graph", triples: V.parseNTriples(text) };
    }
    result.query = query;
    const truncated = response.headers.get("x-drugkg-truncated");
    if (truncated && truncated !== "false") {
      const limit = response.headers.get("x-drugkg-result-limit");
      notice("truncated", `<strong>Truncated.</strong> The result was cut at the server's limit of ${esc(limit || "?")} ${result.kind === "graph" ? "triples" : "rows"}; download or refine the query for the rest.`);
    }
    const terms = result.kind === "solutions" ? result.rows.flatMap((r) => Object.values(r))
      : result.kind === "graph" ? result.triples.flatMap((t) => [t.s, t.p, t.o]) : [];
    await fetchLabels(terms);
    if (id !== runId) return;
    current = result;
    const ms = Math.round(performance.now() - started);
    const size = result.kind === "solutions" ? `${result.rows.length} rows`
      : result.kind === "graph" ? `${result.triples.length} triples` : `${result.value}`;
    setStatus(`${size} in ${ms} ms`);
    showViews(result);
    show(result.kind === "graph" ? "graph" : "table");
  }

  function showViews(result) {
    $("#views").hidden = result.kind === "boolean";
    $("#views [data-view=graph]").disabled = result.kind !== "graph";
    current.routes = V.findRoutes(result);
    $("#views [data-view=route]").disabled = current.routes.length === 0;
    const formats = config.formats[result.kind === "graph" ? "graph" : "solutions"];
    $("#downloads").innerHTML = "Download: " + formats.map((f) => {
      const href = `/sparql?${new URLSearchParams({ query: result.query, format: f.name })}`;
      return `<a class="download" href="${esc(href)}" download="drugkg-result.${esc(f.name)}" title="${esc(f.media)}">${esc(f.name)}</a>`;
    }).join(" ");
  }

  function show(view) {
    const target = $("#results");
    const ctx = V.makeContext(config, labels);
    document.querySelectorAll("#views [data-view]").forEach((b) => b.classList.toggle("active", b.dataset.view === view));
    target.dataset.view = view;
    if (current.kind === "boolean") {
      target.innerHTML = `<p class="boolean">${current.value ? "true" : "false"}</p>`;
    } else if (view === "graph" && current.kind === "graph") {
      V.graph(target, current.triples, ctx);
    } else if (view === "route" && current.routes.length) {
      V.routeView(target, current.routes, ctx);
    } else if (current.kind === "graph") {
      V.triplesTable(target, current.triples, ctx);
    } else {
      V.table(target, current.vars, current.rows, ctx);
    }
  }

  function loadExample(name) {
    const example = config.examples.find((e) => e.name === name);
    if (!example) return;
    editor.setValue(example.query);
    document.querySelectorAll("#gallery .example").forEach((b) => b.classList.toggle("active", b.dataset.name === name));
    run();
  }

  function makeEditor() {
    const y = config.yasgui;
    const options = { terms: config.terms, onRun: run };
    if (y && window.Yasgui && window.Yasgui.Yasqe) {
      try {
        const made = window.DrugkgEditor.yasqe($("#editor"), window.Yasgui.Yasqe,
          { ...options, prefixes: config.prefixes, value: "", version: y.version });
        document.body.dataset.editor = "yasgui";
        return made;
      } catch (err) {
        $("#editor-kind").title = `YASGUI could not start: ${err.message}`;
      }
    } else if (y) {
      $("#editor-kind").title = `YASGUI ${y.version} did not load from ${y.js}`;
    }
    document.body.dataset.editor = "built-in";
    return window.DrugkgEditor.builtin($("#editor"), options);
  }

  async function start() {
    const response = await fetch("/query.json");
    config = await response.json();
    editor = makeEditor();
    $("#editor-kind").textContent = editor.kind;
    const params = new URLSearchParams(location.search);
    const given = params.get("query");
    editor.setValue(given || newQuery());
    $("#run").addEventListener("click", run);
    $("#new").addEventListener("click", () => { editor.setValue(newQuery()); editor.focus(); });
    $("#gallery").addEventListener("click", (ev) => {
      const button = ev.target.closest(".example");
      if (button) loadExample(button.dataset.name);
    });
    $("#views").addEventListener("click", (ev) => {
      const button = ev.target.closest("[data-view]");
      if (button && !button.disabled && current) show(button.dataset.view);
    });
    document.body.dataset.ready = "true";
    if (params.get("example")) loadExample(params.get("example"));
    else if (given && params.get("run")) run();
  }

  start().catch((err) => notice("error", `<strong>The page could not start.</strong> ${esc(err.message)}`));
})();
