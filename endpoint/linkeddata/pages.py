"""What the linked-data pages share: terms as they are shown, links onward, the 404 page.

Every page stands alone (inline CSS from `templates/base.html`, no scripts, no external
assets). An IRI under the dataset's base links to its page on this server
(`https://w3id.org/drugkg/id/x` -> `/id/x`); any other IRI links to itself. The markup is the
templates' (`endpoint.templating`); this module prepares the data they show.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import quote

from endpoint.linkeddata.query import Term
from endpoint.templating import render

FORMATS = (("Turtle", "ttl"), ("N-Triples", "nt"), ("RDF/XML", "rdf"), ("JSON-LD", "jsonld"))
"""The machine-readable representations a page links to, with their `format` names."""


@dataclass(frozen=True, slots=True)
class Shown:
    """An RDF term as a page shows it (`terms.html`): an IRI as a link with its label, a
    literal with its language or datatype, a blank node as such."""

    text: str
    href: str | None = None
    """Where an IRI links to; None for a literal or a blank node."""
    iri: str | None = None
    lang: str | None = None
    """The literal's language, when the page shows it."""
    datatype: str | None = None
    """The local name of the literal's datatype, when it is not a plain string."""


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


def shown(term: Term, label: Term | None, base: str, *, languages: bool = True) -> Shown:
    """How a term is shown; `languages=False` leaves out language tags (a page whose every
    tagged literal is English)."""
    if term.kind == "uri":
        text = label.value if label is not None else local_name(term.value)
        return Shown(text, local_url(term.value, base), term.value)
    if term.kind == "bnode":
        return Shown("(a blank node)")
    if term.lang:
        return Shown(term.value, lang=term.lang if languages else None)
    if term.datatype and not term.datatype.endswith("#string"):
        return Shown(term.value, datatype=local_name(term.datatype))
    return Shown(term.value)


def only_english(terms: list[Term]) -> bool:
    """Whether every language-tagged literal among `terms` is English."""
    return all(t.lang in (None, "", "en") or t.lang.startswith("en-") for t in terms)


@dataclass(frozen=True, slots=True)
class Onward:
    """The links below a resource or source page: to the endpoint and to the query page."""

    describe: str
    select: str | None


def onward(iri: str, *, query_page: bool) -> Onward:
    describe = "/sparql?query=" + quote(f"DESCRIBE <{iri}>", safe="")
    select = None
    if query_page:
        select = "/query?query=" + quote(f"SELECT ?p ?o WHERE {{ <{iri}> ?p ?o }}", safe="")
    return Onward(describe, select)


def not_found_page(message: str) -> str:
    return render("not_found.html", title="Not found", message=message)
