/* drugkg query page: result views, hand-written (no external library).
 *
 * Terms are SPARQL JSON terms ({type: "uri"|"literal"|"bnode", value, "xml:lang", datatype});
 * graph results arrive as N-Triples and are parsed here into the same shape. An IRI is shown
 * by its rdfs:label (the `labels` map) and linked to its resource page when it is drugkg's; a
 * literal's language tag only when some literal of the result is not English.
 */
"use strict";

(function () {
  const esc = (t) => window.DrugkgEditor.escapeHtml(String(t));
  const SVG = "http://www.w3.org/2000/svg";
  const DK = "https://w3id.org/drugkg/ontology#";

  function makeContext(config, labels) {
    const base = config.base;
    const prefixes = Object.entries(config.prefixes).sort((a, b) => b[1].length - a[1].length);
    function curie(iri) {
      for (const [p, ns] of prefixes) if (iri.startsWith(ns)) return `${p}:${iri.slice(ns.length)}`;
      return iri;
    }
    function href(iri) {
      for (const kind of ["id/", "source/"]) {
        if (iri.startsWith(base + kind)) return "/" + kind + iri.slice(base.length + kind.length);
      }
      return /^https?:/.test(iri) ? iri : null;
    }
    function name(term) {
      if (!term) return "";
      if (term.type === "uri") return labels.get(term.value) || curie(term.value);
      if (term.type === "bnode") return "_:" + term.value.slice(0, 8);
      return term.value;
    }
    function cell(term, languages = true) {
      if (!term) return "";
      if (term.type === "uri") {
        const link = href(term.value);
        const text = esc(name(term));
        const title = esc(term.value);
        return link ? `<a class="iri" href="${esc(link)}" title="${title}">${text}</a>`
          : `<span class="iri" title="${title}">${text}</span>`;
      }
      if (term.type === "bnode") return `<span class="bnode">_:${esc(term.value)}</span>`;
      if (term.type === "triple") return `<span class="bnode">&lt;&lt; … &gt;&gt;</span>`;
      const lang = languages && term["xml:lang"] ? `<sub>@${esc(term["xml:lang"])}</sub>` : "";
      const dt = term.datatype && !term.datatype.endsWith("#string") && !term.datatype.endsWith("#langString")
        ? `<sub>${esc(curie(term.datatype))}</sub>` : "";
      return `<span class="lit">${esc(term.value)}</span>${lang}${dt}`;
    }
    return { curie, href, name, cell };
  }

  const QUOTE = /quote|exact/i;

  /* Whether a language tag tells the reader anything: not when every tagged literal is English. */
  function anyNotEnglish(rows) {
    return rows.some((row) => Object.values(row).some((t) =>
      t && t["xml:lang"] && !/^en(-|$)/i.test(t["xml:lang"])));
  }

  function table(target, vars, rows, ctx) {
    const languages = anyNotEnglish(rows);
    const quoteVars = vars.filter((v) => QUOTE.test(v) && rows.some((r) => r[v] && r[v].type === "literal"));
    const plain = vars.filter((v) => !quoteVars.includes(v));
    let html = '<table class="results"><thead><tr>' + plain.map((v) => `<th>?${esc(v)}</th>`).join("");
    if (quoteVars.length) html += `<th class="prov">provenance (${quoteVars.map((v) => "?" + esc(v)).join(", ")})</th>`;
    html += "</tr></thead><tbody>";
    for (const row of rows) {
      html += "<tr>" + plain.map((v) => `<td>${ctx.cell(row[v], languages)}</td>`).join("");
      if (quoteVars.length) {
        html += '<td class="prov">' + quoteVars.filter((v) => row[v])
          .map((v) => `<blockquote class="quote">${esc(row[v].value)}</blockquote>`).join("") + "</td>";
      }
      html += "</tr>";
    }
    target.innerHTML = html + "</tbody></table>";
  }

  function triplesTable(target, triples, ctx) {
    const rows = triples.map((t) => ({ subject: t.s, predicate: t.p, object: t.o }));
    table(target, ["subject", "predicate", "object"], rows, ctx);
  }

  /* N-Triples (one triple per line) into {s, p, o} SPARQL JSON terms. */
  function parseNTriples(text) {
    const TERM = /\s*(?:<([^>]*)>|_:(\S+)|"((?:[^"\\]|\\.)*)"(?:@([A-Za-z0-9-]+)|\^\^<([^>]*)>)?)/y;
    const unescape = (s) => s.replace(/\\(u[0-9A-Fa-f]{4}|U[0-9A-Fa-f]{8}|.)/g, (_, e) => {
      if (e[0] === "u" || e[0] === "U") return String.fromCodePoint(parseInt(e.slice(1), 16));
      return { t: "\t", n: "\n", r: "\r", b: "\b", f: "\f" }[e] || e;
    });
    const triples = [];
    for (const line of text.split("\n")) {
      if (!line.trim() || line.trim().startsWith("#")) continue;
      TERM.lastIndex = 0;
      const terms = [];
      for (let i = 0; i < 3; i += 1) {
        const m = TERM.exec(line);
        if (!m) throw new Error(`cannot read this N-Triples line: ${line}`);
        if (m[1] !== undefined) terms.push({ type: "uri", value: unescape(m[1]) });
        else if (m[2] !== undefined) terms.push({ type: "bnode", value: m[2] });
        else {
          const t = { type: "literal", value: unescape(m[3]) };
          if (m[4]) t["xml:lang"] = m[4];
          if (m[5]) t.datatype = m[5];
          terms.push(t);
        }
      }
      triples.push({ s: terms[0], p: terms[1], o: terms[2] });
    }
    return triples;
  }

  function key(term) { return term ? `${term.type}|${term.value}|${term["xml:lang"] || ""}|${term.datatype || ""}` : ""; }

  function svgEl(tag, attrs, text) {
    const el = document.createElementNS(SVG, tag);
    for (const [k, v] of Object.entries(attrs)) el.setAttribute(k, v);
    if (text !== undefined) el.textContent = text;
    return el;
  }

  function clip(text, n) { return text.length > n ? text.slice(0, n - 1) + "…" : text; }

  /* A graph of triples: a circle layout relaxed by a few hundred steps of a simple force model. */
  function graph(target, triples, ctx) {
    const nodes = new Map();
    const edges = [];
    const node = (t) => {
      const k = key(t);
      if (!nodes.has(k)) nodes.set(k, { term: t, x: 0, y: 0, dx: 0, dy: 0 });
      return nodes.get(k);
    };
    for (const t of triples.slice(0, 400)) edges.push({ a: node(t.s), b: node(t.o), p: t.p });
    const list = [...nodes.values()];
    const W = 960;
    const H = Math.max(480, Math.min(1400, 120 + list.length * 14));
    list.forEach((n, i) => {
      const angle = (2 * Math.PI * i) / list.length;
      n.x = W / 2 + (W / 2.6) * Math.cos(angle);
      n.y = H / 2 + (H / 2.6) * Math.sin(angle);
    });
    // Fruchterman-Reingold: repulsion k^2/d between all nodes, attraction d^2/k along edges,
    // a weak pull to the centre, and a temperature that bounds each step and cools to zero.
    const k = 0.8 * Math.sqrt((W * H) / Math.max(1, list.length));
    const STEPS = 300;
    for (let step = 0; step < STEPS; step += 1) {
      for (const n of list) { n.dx = (W / 2 - n.x) * 0.01; n.dy = (H / 2 - n.y) * 0.01; }
      for (let i = 0; i < list.length; i += 1) {
        for (let j = i + 1; j < list.length; j += 1) {
          const a = list[i], b = list[j];
          const dx = a.x - b.x, dy = a.y - b.y;
          const d = Math.max(Math.sqrt(dx * dx + dy * dy), 0.5);
          const f = (k * k) / d / d;
          a.dx += dx * f; a.dy += dy * f; b.dx -= dx * f; b.dy -= dy * f;
        }
      }
      for (const e of edges) {
        const dx = e.b.x - e.a.x, dy = e.b.y - e.a.y;
        const d = Math.max(Math.sqrt(dx * dx + dy * dy), 0.5);
        const f = d / k;
        e.a.dx += dx * f; e.a.dy += dy * f; e.b.dx -= dx * f; e.b.dy -= dy * f;
      }
      const t = (W / 10) * (1 - step / STEPS);
      for (const n of list) {
        const len = Math.max(Math.sqrt(n.dx * n.dx + n.dy * n.dy), 0.01);
        const move = Math.min(len, t);
        n.x = Math.min(W - 160, Math.max(20, n.x + (n.dx / len) * move));
        n.y = Math.min(H - 20, Math.max(20, n.y + (n.dy / len) * move));
      }
    }
    const svg = svgEl("svg", { class: "graph", viewBox: `0 0 ${W} ${H}`, width: "100%", role: "img",
      "aria-label": `graph of ${triples.length} triples` });
    svg.appendChild(arrowHead());
    for (const e of edges) {
      svg.appendChild(svgEl("line", { x1: e.a.x, y1: e.a.y, x2: e.b.x, y2: e.b.y, class: "edge", "marker-end": "url(#arrow)" }));
      svg.appendChild(svgEl("text", { x: (e.a.x + e.b.x) / 2, y: (e.a.y + e.b.y) / 2 - 3, class: "edge-label" },
        clip(ctx.curie(e.p.value), 28)));
    }
    for (const n of list) {
      const g = svgEl("g", { class: `node ${n.term.type}`, transform: `translate(${n.x},${n.y})` });
      g.appendChild(svgEl(n.term.type === "literal" ? "rect" : "circle",
        n.term.type === "literal" ? { x: -5, y: -5, width: 10, height: 10 } : { r: 7 }));
      const label = svgEl("text", { x: 10, y: 4 }, clip(ctx.name(n.term), 40));
      g.appendChild(svgEl("title", {}, n.term.value));
      if (n.term.type === "uri" && ctx.href(n.term.value)) {
        const a = svgEl("a", { href: ctx.href(n.term.value) });
        a.appendChild(label);
        g.appendChild(a);
      } else {
        g.appendChild(label);
      }
      svg.appendChild(g);
    }
    target.innerHTML = "";
    target.appendChild(svg);
  }

  function arrowHead() {
    const defs = svgEl("defs", {});
    const marker = svgEl("marker", { id: "arrow", viewBox: "0 0 10 10", refX: 17, refY: 5,
      markerWidth: 6, markerHeight: 6, orient: "auto-start-reverse" });
    marker.appendChild(svgEl("path", { d: "M 0 0 L 10 5 L 0 10 z" }));
    defs.appendChild(marker);
    return defs;
  }

  /* Routes (origin -> transit -> destination) from a SELECT's columns or a graph's dk:origin... */
  function findRoutes(result) {
    const routes = [];
    if (result.kind === "solutions") {
      const pick = (re) => {
        const cols = result.vars.filter((v) => re.test(v));
        return cols.find((v) => result.rows.some((r) => r[v] && r[v].type === "uri")) || cols[0];
      };
      const origin = pick(/^origin/i), destination = pick(/^destination/i);
      const transit = pick(/^transit/i), mode = pick(/mode/i);
      if (!origin && !destination) return routes;
      for (const r of result.rows) {
        routes.push({ origin: r[origin], transit: transit && r[transit], destination: r[destination], mode: mode && r[mode] });
      }
    } else if (result.kind === "graph") {
      const bySubject = new Map();
      for (const t of result.triples) {
        const local = t.p.value.startsWith(DK) ? t.p.value.slice(DK.length) : null;
        if (!["origin", "transit", "destination", "transportMode"].includes(local)) continue;
        if (!bySubject.has(t.s.value)) bySubject.set(t.s.value, {});
        bySubject.get(t.s.value)[local === "transportMode" ? "mode" : local] = t.o;
      }
      routes.push(...bySubject.values());
    }
    const seen = new Set();
    return routes.filter((r) => {
      const k = [r.origin, r.transit, r.destination, r.mode].map(key).join(" ");
      if (seen.has(k)) return false;
      seen.add(k);
      return true;
    });
  }

  function routeView(target, routes, ctx) {
    const lane = 70, W = 960;
    const xs = [110, W / 2, W - 140];
    const svg = svgEl("svg", { class: "routes", viewBox: `0 0 ${W} ${40 + routes.length * lane}`, width: "100%",
      role: "img", "aria-label": `${routes.length} trafficking routes` });
    svg.appendChild(arrowHead());
    ["origin", "transit", "destination"].forEach((h, i) => svg.appendChild(svgEl("text", { x: xs[i], y: 18, class: "route-head" }, h)));
    routes.forEach((r, i) => {
      const y = 50 + i * lane;
      const stops = [[r.origin, xs[0]], [r.transit, xs[1]], [r.destination, xs[2]]].filter(([t]) => t);
      const g = svgEl("g", { class: "route" });
      for (let k = 0; k + 1 < stops.length; k += 1) {
        g.appendChild(svgEl("line", { x1: stops[k][1], y1: y, x2: stops[k + 1][1], y2: y, class: "edge", "marker-end": "url(#arrow)" }));
      }
      if (r.mode) g.appendChild(svgEl("text", { x: (xs[0] + xs[2]) / 2, y: y + 22, class: "edge-label" }, `by ${ctx.name(r.mode)}`));
      for (const [t, x] of stops) {
        g.appendChild(svgEl("circle", { cx: x, cy: y, r: 8, class: "stop" }));
        g.appendChild(svgEl("text", { x, y: y - 13, class: "stop-label" }, clip(ctx.name(t), 34)));
      }
      svg.appendChild(g);
    });
    target.innerHTML = "";
    target.appendChild(svg);
  }

  window.DrugkgViews = { makeContext, table, triplesTable, parseNTriples, graph, findRoutes, routeView };
})();
