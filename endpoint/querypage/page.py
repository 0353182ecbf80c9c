"""The query page: a SPARQL editor, the example gallery and readable results, all offline.

    /query          the page (HTML, `templates/query.html`); `?example=NAME` runs a question
                    of the gallery, `?query=TEXT` opens a query (`&run=1` runs it)
    /query.json     what the page needs: prefixes, the examples of queries/, the ontology's
                    terms (for autocompletion), the download formats per result kind, YASGUI
    /static/query/  the page's own scripts and style sheet
    /static/yasgui/ YASGUI (`@triply/yasgui` from npm, endpoint/vendor/yasgui), when installed

The editor is YASGUI's (Yasqe: highlighting, syntax check, completion of the graph's prefixes
and the ontology's terms, never of anything fetched from elsewhere), served by this server;
where the set-up did not install it, or it fails to load, the built-in editor takes its place.
The results are the page's own (endpoint/querypage/static): a table with labels, links and
the quotes as provenance, graph and route views, downloads, error and time-out notices.

The examples are the competency questions the tests run, read once from graph.paths.QUERIES_DIR
when the page is first asked for, in reading order (their `# order:`); a file that cannot be
read stops the page with its name.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from fastapi import APIRouter, FastAPI
from pyoxigraph import Literal, NamedNode, Quad
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response
from starlette.staticfiles import StaticFiles

from endpoint import templating
from endpoint.http import caching
from endpoint.settings import ServerSettings
from endpoint.sparql.negotiation import TABLE, ResultKind
from endpoint.sparql.openapi import NOT_MODIFIED, representations
from graph.errors import DrugkgError
from graph.paths import ONTOLOGY_FILE, QUERIES_DIR
from graph.pipeline.inputs import default_prefixes, parse_turtle
from graph.query.questions import read_header
from graph.vocabulary.namespace import OWL, RDF, RDFS

STATIC_DIR = Path(__file__).resolve().parent / "static"
STATIC_PREFIX = "/static/query"

YASGUI_PREFIX = "/static/yasgui"
YASGUI_DIR = templating.VENDOR_DIR / "yasgui"


def yasgui(folder: Path = YASGUI_DIR) -> dict[str, str] | None:
    """YASGUI's files as the page loads them, with the installed release; None when the
    set-up did not install them (the page then keeps its built-in editor)."""
    try:
        version = json.loads((folder / "package.json").read_text(encoding="utf-8"))["version"]
    except (OSError, ValueError, KeyError):
        return None
    if not all((folder / name).is_file() for name in ("yasgui.min.js", "yasgui.min.css")):
        return None
    return {
        "version": str(version),
        "js": f"{YASGUI_PREFIX}/yasgui.min.js",
        "css": f"{YASGUI_PREFIX}/yasgui.min.css",
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
    order: int | None = None


def read_example(path: Path) -> Example:
    """One `.rq` file with its `# title:`, `# question:`, `# description:`, `# order:`
    header lines."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ExampleError(f"cannot read the query: {exc}", file=path) from exc
    fields = read_header(text)
    if "title" not in fields:
        raise ExampleError("no `# title:` line at the top of the query", file=path)
    order = fields.get("order")
    if order is not None and not order.isdigit():
        raise ExampleError(f"`# order: {order}` is not a whole number", file=path)
    return Example(
        name=path.stem,
        title=fields["title"],
        question=fields.get("question", ""),
        description=fields.get("description", ""),
        query=text,
        order=None if order is None else int(order),
    )


def read_examples(folder: Path = QUERIES_DIR) -> list[Example]:
    """Every `.rq` file of `folder` in reading order: by `# order:`, then by name; those
    without an order last."""
    examples = [read_example(p) for p in folder.glob("*.rq")]
    return sorted(examples, key=lambda e: (e.order is None, e.order or 0, e.name))


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
            kind.value: [{"name": r.names[0], "media": r.media_type} for r in TABLE[kind]]
            for kind in ResultKind
        },
        "yasgui": yasgui(),
    }


def query_page(config: dict[str, Any]) -> str:
    """The HTML page: the gallery is in the markup, so it reads even before the script runs."""
    return templating.render(
        "query.html", examples=config["examples"], yasgui=config["yasgui"], static=STATIC_PREFIX
    )


router = APIRouter()


@router.get(
    "/query",
    response_class=HTMLResponse,
    summary="The query page",
    responses=representations((), html=True),
)
async def query(request: Request) -> Response:
    settings: ServerSettings = request.app.state.drugkg.settings
    return _cached(request, "query-page", lambda: HTMLResponse(query_page(_config(settings))))


@router.get(
    "/query.json",
    summary="What the query page reads: prefixes, examples, terms",
    responses={304: NOT_MODIFIED},
)
async def query_config(request: Request) -> Response:
    settings: ServerSettings = request.app.state.drugkg.settings
    return _cached(request, "query-config", lambda: JSONResponse(_config(settings)))


def _config(settings: ServerSettings) -> dict[str, Any]:
    return page_config(settings.base_iri)


def _cached(request: Request, what: str, make: Callable[[], Response]) -> Response:
    state = request.app.state.drugkg
    found = _config(state.settings)["yasgui"]
    tag = caching.etag(state.stats.build_id, what, found["version"] if found else "built-in")
    headers = caching.cache_headers(tag, state.settings.cache_max_age)
    if caching.matches(request.headers.get("if-none-match"), tag):
        return caching.not_modified(headers)
    response = make()
    response.headers.update(headers)
    return response


def install(app: FastAPI) -> None:
    """Add the page's routes, its static files and YASGUI's (when installed) to `app`."""
    app.include_router(router)
    app.mount(STATIC_PREFIX, StaticFiles(directory=STATIC_DIR), name="query-static")
    app.mount(YASGUI_PREFIX, StaticFiles(directory=YASGUI_DIR, check_dir=False), name="yasgui")
