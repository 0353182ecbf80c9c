"""HTML or RDF for a linked-data IRI, and the headers that name the other representations.

People get HTML, machines RDF: HTML is chosen when the Accept header names `text/html` (or XHTML)
explicitly with a q-value at least as high as any RDF type it names; `*/*`, an absent header and RDF
types get RDF (Turtle by default, through `endpoint.sparql.negotiation`). The `format` parameter
(`html`, `ttl`, `nt`, `rdf`, `jsonld`...) or a file extension on the path (`/graph/links.ttl`)
overrides the header.
"""

from __future__ import annotations

from endpoint.sparql.negotiation import TABLE, ResultKind

HTML_TYPES = ("text/html", "application/xhtml+xml")

ALTERNATES: tuple[tuple[str, str], ...] = (
    ("text/turtle", "ttl"),
    ("application/n-triples", "nt"),
    ("application/rdf+xml", "rdf"),
    ("application/ld+json", "jsonld"),
)
"""The RDF representations every linked-data IRI offers, with the format name that selects
each one (also the file extension of a named graph's download)."""

EXTENSIONS = {ext: ext for _, ext in ALTERNATES} | {"nq": "nq", "trig": "trig", "html": "html"}


def _rdf_types() -> set[str]:
    found: set[str] = set()
    for rep in TABLE[ResultKind.GRAPH]:
        found.add(rep.media_type)
        found.update(rep.aliases)
    return found


_RDF_TYPES = _rdf_types()


def _ranges(accept: str) -> list[tuple[str, float]]:
    ranges = []
    for part in accept.split(","):
        fields = [f.strip() for f in part.split(";")]
        if not fields[0]:
            continue
        quality = 1.0
        for param in fields[1:]:
            name, _, value = param.partition("=")
            if name.strip().lower() == "q":
                try:
                    quality = float(value)
                except ValueError:
                    quality = 0.0
        ranges.append((fields[0].lower(), quality))
    return ranges


def wants_html(accept: str | None, fmt: str | None) -> bool:
    if fmt is not None:
        return fmt.lower() == "html"
    if not accept:
        return False
    ranges = _ranges(accept)
    html = max((q for t, q in ranges if t in HTML_TYPES), default=0.0)
    rdf = max((q for t, q in ranges if t in _RDF_TYPES), default=0.0)
    return html > 0 and html >= rdf


def link_header(url: str, *, html: bool = True) -> str:
    """RFC 8288 alternates of `url` (the page's path, without query): one per format."""
    links = [f'<{url}?format={n}>; rel="alternate"; type="{media}"' for media, n in ALTERNATES]
    if html:
        links.append(f'<{url}?format=html>; rel="alternate"; type="text/html"')
    return ", ".join(links)
