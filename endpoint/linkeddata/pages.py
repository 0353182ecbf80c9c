"""HTML for the linked-data pages: the layout, links to terms, and the pages of not-found IRIs.

Every page stands alone (inline CSS, no scripts, no external assets). An IRI under the
dataset's base links to its page on this server (`https://w3id.org/drugkg/id/x` -> `/id/x`);
any other IRI links to itself.
"""

from __future__ import annotations

from html import escape
from urllib.parse import quote

from endpoint.linkeddata.query import Term

STYLE = """
body { font-family: system-ui, sans-serif; max-width: 60rem; margin: 1.5rem auto;
       padding: 0 1rem; line-height: 1.5; color: #1d1d1d; }
header.top { font-size: .9rem; border-bottom: 1px solid #ddd; padding-bottom: .4rem; }
h1 { margin: .6rem 0 .2rem; } .iri { font-family: monospace; color: #555; word-break: break-all; }
table { border-collapse: collapse; width: 100%; } td, th { padding: .25rem .6rem;
       text-align: left; vertical-align: top; border-bottom: 1px solid #eee; }
th { background: #f4f4f4; } td.n { text-align: right; font-variant-numeric: tabular-nums; }
.types a, .badge { display: inline-block; background: #eef3fb; border-radius: .3rem;
       padding: 0 .4rem; margin-right: .3rem; }
.badge { background: #f4efe4; font-size: .8rem; color: #6a5420; }
.lit { color: #333; } .lang, .dt { color: #888; font-size: .8rem; }
blockquote { margin: .4rem 0; padding: .3rem .8rem; border-left: 3px solid #c9a227;
       background: #fbf8ef; }
mark { background: #ffe58a; }
.text { white-space: pre-wrap; font-family: Georgia, serif; font-size: 1.05rem;
       line-height: 1.7; }
a.q { color: inherit; text-decoration: none; border-bottom: 1px dotted #7a6000; }
a.q.d1 { background: #fff1b3; } a.q.d2 { background: #ffd966; } a.q.d3 { background: #f4b400; }
:target { outline: 2px solid #d9534f; } .anchor:target + a.q { outline: 2px solid #d9534f; }
nav.formats a { margin-right: .6rem; }
"""


def local_url(iri: str, base: str) -> str:
    """Where an IRI is shown: its page here when it is one of ours, else the IRI itself."""
    if iri.startswith(base):
        return "/" + iri[len(base) :]
    return iri


def local_name(iri: str) -> str:
    for sep in ("#", "/"):
        _head, found, tail = iri.rstrip("/").rpartition(sep)
        if found and tail:
            return tail
    return iri


def term_html(term: Term, label: Term | None, base: str) -> str:
    """A term as HTML: an IRI as a link with its label, a literal with its language or type."""
    if term.kind == "uri":
        text = label.value if label is not None else local_name(term.value)
        return (
            f'<a href="{escape(local_url(term.value, base))}" title="{escape(term.value)}">'
            f"{escape(text)}</a>"
        )
    if term.kind == "bnode":
        return '<span class="lit">(a blank node)</span>'
    extra = ""
    if term.lang:
        extra = f' <span class="lang">@{escape(term.lang)}</span>'
    elif term.datatype and not term.datatype.endswith("#string"):
        extra = f' <span class="dt">{escape(local_name(term.datatype))}</span>'
    return f'<span class="lit">{escape(term.value)}</span>{extra}'


def page(title: str, body: str, *, iri: str | None = None, formats: str = "") -> str:
    """A whole HTML page."""
    heading = f'<div class="iri">{escape(iri)}</div>' if iri else ""
    return (
        "<!doctype html>\n<html lang=en><head><meta charset=utf-8>"
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{escape(title)} · drugkg</title><style>{STYLE}</style></head><body>"
        '<header class="top"><a href="/">drugkg</a> · <a href="/ontology">ontology</a> · '
        '<a href="/sparql">SPARQL endpoint</a> · <a href="/.well-known/void">VoID</a></header>'
        f"<h1>{escape(title)}</h1>{heading}{formats}{body}</body></html>\n"
    )


def formats_nav(path: str) -> str:
    """Links to the page's machine-readable representations."""
    names = (("Turtle", "ttl"), ("N-Triples", "nt"), ("RDF/XML", "rdf"), ("JSON-LD", "jsonld"))
    links = " ".join(f'<a href="{escape(path)}?format={n}">{label}</a>' for label, n in names)
    return f'<nav class="formats">Download: {links}</nav>'


def query_links(iri: str, *, query_page: bool) -> str:
    describe = quote(f"DESCRIBE <{iri}>", safe="")
    links = [f'<a href="/sparql?query={describe}">DESCRIBE it at the SPARQL endpoint</a>']
    if query_page:
        select = quote(f"SELECT ?p ?o WHERE {{ <{iri}> ?p ?o }}", safe="")
        links.append(f'<a href="/query?query={select}">open a query about it</a>')
    return "<p>" + " · ".join(links) + "</p>"


def not_found_page(message: str) -> str:
    body = (
        f"<p>{escape(message)}</p><p>Try the <a href='/'>home page</a> or ask the "
        "<a href='/sparql'>SPARQL endpoint</a>.</p>"
    )
    return page("Not found", body)
