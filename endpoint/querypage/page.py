"""The query page: a SPARQL editor, the example gallery and readable results, all offline.

    /query          the page (HTML); the built-in editor and result views are its default
    /query.json     what the page needs: prefixes, the examples of queries/, the ontology's
                    terms (for autocompletion), the download formats per result kind, the CDN
    /static/query/  the page's own script and style sheet

The page works with no network: its editor, results table, graph and route views, error
display and downloads are hand-written (endpoint/querypage/static). When the pinned YASGUI
release loads from its CDN (checked with subresource integrity, given a few seconds), its
editor replaces the built-in one; everything else stays the page's own.

The examples are the competency questions the tests run, read once from graph.paths.QUERIES_DIR
when the page is first asked for; a file that cannot be read stops the page with its name.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass
from functools import lru_cache
from html import escape
from pathlib import Path
from typing import Any

from fastapi import APIRouter, FastAPI
from pyoxigraph import Literal, NamedNode, Quad
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response
from starlette.staticfiles import StaticFiles

from endpoint.http import caching
from endpoint.settings import ServerSettings
from graph.errors import DrugkgError
from graph.paths import ONTOLOGY_FILE, QUERIES_DIR
from graph.pipeline.inputs import default_prefixes, parse_turtle
from graph.query import formats
from graph.query.formats import Kind
from graph.query.questions import read_header
from graph.vocabulary.namespace import OWL, RDF, RDFS

STATIC_DIR = Path(__file__).resolve().parent / "static"
STATIC_PREFIX = "/static/query"

YASGUI_VERSION = "4.2.28"
"""The pinned @triply/yasgui release; the hashes below are of its npm package's build/ files."""
_CDN = f"https://cdn.jsdelivr.net/npm/@triply/yasgui@{YASGUI_VERSION}/build"
YASGUI = {
    "version": YASGUI_VERSION,
    "js": f"{_CDN}/yasgui.min.js",
    "jsIntegrity": "sha384-QmjBmzRqk7JDGhGYmjP89IdwnsVo/+1by9ZDF50Nc1rgDCte3t6US8lSCPoS1/bx",
    "css": f"{_CDN}/yasgui.min.css",
    "cssIntegrity": "sha384-EC5HLUY/3wgJiDkRgDRkUNjG7+YD6CIw8Ba7ew5GtmQlMYf1yfT5+Sg7sii3SRFO",
    "timeoutMs": 4000,
}

_TERM_KINDS = {
    str(OWL.Class): "class",
    str(OWL.ObjectProperty): "property",
    str(OWL.DatatypeProperty): "property",
    str(OWL.AnnotationProperty): "property",
    str(RDF.Property): "property",
    str(OWL.NamedIndividual): "individual",
}


class ExampleError(DrugkgError):
    """A competency question the gallery cannot show (unreadable, or without a title)."""

    def __init__(self, message: str, *, file: Path) -> None:
        self.file = file
        super().__init__(f"{file}: {message}")


@dataclass(frozen=True)
class Example:
    name: str
    title: str
    question: str
    description: str
    query: str


def read_example(path: Path) -> Example:
    """One `.rq` file with its `# title:`, `# question:`, `# description:` header lines."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ExampleError(f"cannot read the query: {exc}", file=path) from exc
    fields = read_header(text)
    if "title" not in fields:
        raise ExampleError("no `# title:` line at the top of the query", file=path)
    return Example(
        name=path.stem,
        title=fields["title"],
        question=fields.get("question", ""),
        description=fields.get("description", ""),
        query=text,
    )


def read_examples(folder: Path = QUERIES_DIR) -> list[Example]:
    """Every `.rq` file of `folder`, sorted by name."""
    return [read_example(p) for p in sorted(folder.glob("*.rq"))]


def ontology_terms(quads: Iterable[Quad], prefixes: dict[str, str]) -> list[dict[str, str]]:
    """The ontology's declared terms as {curie, iri, label, kind}, for autocompletion."""
    kinds: dict[str, str] = {}
    labels: dict[str, str] = {}
    type_, label = NamedNode(str(RDF.type)), NamedNode(str(RDFS.label))
    for triple in quads:
        if not isinstance(triple.subject, NamedNode):
            continue
        iri, obj = triple.subject.value, triple.object
        if triple.predicate == type_ and isinstance(obj, NamedNode) and obj.value in _TERM_KINDS:
            kinds.setdefault(iri, _TERM_KINDS[obj.value])
        elif (
            triple.predicate == label and isinstance(obj, Literal) and obj.language in (None, "en")
        ):
            labels.setdefault(iri, obj.value)
    terms = []
    for iri, kind in kinds.items():
        curie = _curie(iri, prefixes)
        if curie is not None:
            terms.append({"curie": curie, "iri": iri, "label": labels.get(iri, ""), "kind": kind})
    return sorted(terms, key=lambda t: t["curie"].lower())


def _curie(iri: str, prefixes: dict[str, str]) -> str | None:
    best: tuple[str, str] | None = None
    for prefix, ns in prefixes.items():
        if iri.startswith(ns) and (best is None or len(ns) > len(best[1])):
            best = (prefix, ns)
    return None if best is None else f"{best[0]}:{iri[len(best[1]) :]}"


@lru_cache(maxsize=4)
def page_config(base_iri: str) -> dict[str, Any]:
    """Everything the page's script reads from /query.json."""
    quads, declared = parse_turtle(ONTOLOGY_FILE)
    prefixes = default_prefixes(declared, base_iri)
    prefixes.setdefault("rdfs", str(RDFS))
    return {
        "prefixes": prefixes,
        "base": base_iri,
        "examples": [asdict(e) for e in read_examples()],
        "terms": ontology_terms(quads, prefixes),
        "formats": {
            kind.value: [{"name": r.name, "media": r.media_type} for r in formats.offered(kind)]
            for kind in Kind
        },
        "yasgui": YASGUI,
    }


def query_page(config: dict[str, Any]) -> str:
    """The HTML page: the gallery is in the markup, so it reads even before the script runs."""
    gallery = "\n".join(
        f'<li><button type="button" class="example" data-name="{escape(e["name"])}">'
        f"{escape(e['title'])}</button><p>{escape(e['description'] or e['question'])}</p></li>"
        for e in config["examples"]
    )
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>drugkg: query</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<link rel="stylesheet" href="{STATIC_PREFIX}/query.css">
</head>
<body>
<header><a href="/">drugkg</a> · <strong>SPARQL query</strong>
<span id="editor-kind" class="muted">built-in editor</span></header>
<main>
<section id="workspace">
<div id="editor"></div>
<div class="bar">
<button type="button" id="run" title="Ctrl+Enter">Run ▶</button>
<button type="button" id="new">New query</button>
<span id="status" role="status"></span>
</div>
<div id="notices"></div>
<nav id="views" hidden>
<button type="button" data-view="table" class="active">Table</button>
<button type="button" data-view="graph">Graph</button>
<button type="button" data-view="route">Routes</button>
<span id="downloads"></span>
</nav>
<div id="results"></div>
</section>
<aside id="gallery"><h2>Examples</h2>
<p class="muted">The competency questions: one click loads and runs one.</p>
<ul>
{gallery}
</ul></aside>
</main>
<script src="{STATIC_PREFIX}/editor.js"></script>
<script src="{STATIC_PREFIX}/views.js"></script>
<script src="{STATIC_PREFIX}/query.js"></script>
</body></html>
"""


router = APIRouter()


@router.get("/query", response_class=HTMLResponse, summary="The query page")
async def query(request: Request) -> Response:
    settings: ServerSettings = request.app.state.drugkg.settings
    return _cached(request, "query-page", lambda: HTMLResponse(query_page(_config(settings))))


@router.get("/query.json", summary="What the query page reads: prefixes, examples, terms")
async def query_config(request: Request) -> Response:
    settings: ServerSettings = request.app.state.drugkg.settings
    return _cached(request, "query-config", lambda: JSONResponse(_config(settings)))


def _config(settings: ServerSettings) -> dict[str, Any]:
    return page_config(settings.base_iri)


def _cached(request: Request, what: str, make: Callable[[], Response]) -> Response:
    state = request.app.state.drugkg
    tag = caching.etag(state.stats.build_id, what, YASGUI_VERSION)
    headers = caching.cache_headers(tag, state.settings.cache_max_age)
    if caching.matches(request.headers.get("if-none-match"), tag):
        return caching.not_modified(headers)
    response = make()
    response.headers.update(headers)
    return response


def install(app: FastAPI) -> None:
    """Add the page's routes and its static files to `app`."""
    app.include_router(router)
    app.mount(STATIC_PREFIX, StaticFiles(directory=STATIC_DIR), name="query-static")
