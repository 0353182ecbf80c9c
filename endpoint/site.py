"""The human-facing pages: the home page and the API docs, with no external assets.

FastAPI's default /docs page loads Swagger UI from a CDN; here its files come from the
`swagger-ui-bundle` package and are served under /static/swagger-ui, so the docs work
offline. ReDoc (CDN only) is switched off.
"""

from __future__ import annotations

from html import escape

from fastapi.openapi.docs import get_swagger_ui_html
from starlette.responses import HTMLResponse

from graph.storage.statistics import StoreStats

SWAGGER_PREFIX = "/static/swagger-ui"

_STYLE = """
body { font-family: system-ui, sans-serif; max-width: 46rem; margin: 2rem auto; padding: 0 1rem;
       line-height: 1.5; color: #222; }
table { border-collapse: collapse; } td, th { padding: .2rem .8rem; text-align: left; }
td.n { text-align: right; font-variant-numeric: tabular-nums; }
tr:nth-child(even) { background: #f3f3f3; } code { background: #f3f3f3; padding: 0 .2rem; }
"""


def home_page(stats: StoreStats, *, union_default_graph: bool) -> str:
    rows = "\n".join(
        f"<tr><td><code>{escape(g.name or '')}</code></td><td class=n>{g.triples:,}</td>"
        f"<td class=n>{g.entities:,}</td></tr>"
        for g in stats.graphs
    )
    default = (
        "the union of the named graphs" if union_default_graph else "the store's default graph"
    )
    example = "/sparql?query=" + escape(
        "SELECT%20%3Fclass%20(COUNT(*)%20AS%20%3Fn)%20WHERE%20%7B%20%3Fs%20a%20%3Fclass%20%7D"
        "%20GROUP%20BY%20%3Fclass%20ORDER%20BY%20DESC(%3Fn)%20LIMIT%2010"
    )
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>drugkg</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>{_STYLE}</style></head>
<body>
<h1>drugkg</h1>
<p>An open drug-policy knowledge graph: curated facts and attributed claims, each with the
quote of its source text. {stats.union.triples:,} distinct triples in {len(stats.graphs)}
named graphs (build <code>{escape(stats.build_id)}</code>); queries see {default} as their
default graph.</p>
<table><thead><tr><th>named graph</th><th>triples</th><th>entities</th></tr></thead>
<tbody>
{rows}
</tbody></table>
<h2>Use it</h2>
<ul>
<li><a href="/query">/query</a>: the query page: an editor, the example questions, and
results you can read (labels, links, graph and route views, downloads).</li>
<li><a href="/sparql">/sparql</a>: the SPARQL 1.1 query endpoint (GET or POST); without a
query it returns its service description. Try <a href="{example}">the ten largest
classes</a>.</li>
<li><a href="/.well-known/void">/.well-known/void</a>: the VoID description of the dataset,
its named graphs and link sets.</li>
<li><a href="/docs">/docs</a>: the HTTP API (<a href="/openapi.json">OpenAPI</a>).</li>
</ul>
</body></html>
"""


def docs_page() -> HTMLResponse:
    return get_swagger_ui_html(
        openapi_url="/openapi.json",
        title="drugkg API",
        swagger_js_url=f"{SWAGGER_PREFIX}/swagger-ui-bundle.js",
        swagger_css_url=f"{SWAGGER_PREFIX}/swagger-ui.css",
        swagger_favicon_url=f"{SWAGGER_PREFIX}/favicon-32x32.png",
    )
