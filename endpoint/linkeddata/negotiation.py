"""HTML or RDF for a linked-data IRI, and the headers that name the other representations.

People get HTML, machines RDF: HTML is chosen when the Accept header names `text/html` (or XHTML)
explicitly with a q-value at least as high as any RDF type it names; `*/*`, an absent header and RDF
types get RDF (Turtle by default, through `endpoint.sparql.negotiation`). The `format` parameter
(`html`, `ttl`, `nt`, `rdf`, `jsonld`...) or a file extension on the path (`/graph/links.ttl`)
overrides the header.
"""

from __future__ import annotations

from endpoint.http.accept import parse_accept
from graph.query import formats
from graph.query.formats import Kind

HTML_TYPES = ("text/html", "application/xhtml+xml")

ALTERNATES: tuple[tuple[str, str], ...] = tuple(
    (f.media_type, f.extension) for f in formats.alternates()
)
"""The RDF representations every linked-data IRI offers (the formats table's `alternate`
ones), with the format name that selects each one (also the file extension of a named
graph's download)."""

_RDF_TYPES = {media for f in formats.offered(Kind.GRAPH) for media in (f.media_type, *f.aliases)}


def wants_html(accept: str | None, fmt: str | None) -> bool:
    if fmt is not None:
        return fmt.lower() == "html"
    if not accept:
        return False
    ranges = [(r.media_type, r.q) for r in parse_accept(accept)]
    html = max((q for t, q in ranges if t in HTML_TYPES), default=0.0)
    rdf = max((q for t, q in ranges if t in _RDF_TYPES), default=0.0)
    return html > 0 and html >= rdf


def link_header(url: str, *, html: bool = True) -> str:
    """RFC 8288 alternates of `url` (the page's path, without query): one per format."""
    links = [f'<{url}?format={n}>; rel="alternate"; type="{media}"' for media, n in ALTERNATES]
    if html:
        links.append(f'<{url}?format=html>; rel="alternate"; type="text/html"')
    return ", ".join(links)
