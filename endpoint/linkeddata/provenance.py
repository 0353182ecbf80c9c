"""Where a statement is said, as a page shows it: the sentence of each statement graph that
holds it, or else the kind of graph it comes from.

A statement taken from a source lies in the statement graph of the quote that supports it
(`graph/facts/DOC/q-S-E`); the page shows that quote in its sentence, whom the source
attributes it to, and links to the quote on the source page and to the statement graph. A
statement in no statement graph gets a badge instead: shared entity, link set, source
document, inferred, ontology, or a loaded dataset.

A statement several documents support is shown by document, side by side (`Said.documents`):
each document with its sentences and in whose voice it says them: its own, the words of a
source it quotes (`prov:wasQuotedFrom`), or a source's account in its own words
(`dk:accordingTo`).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from markupsafe import Markup

from endpoint.linkeddata.pages import Shown, local_url, shown
from endpoint.linkeddata.query import Term
from endpoint.linkeddata.text import OffsetError, in_sentence


@dataclass
class Support:
    """The quote of a statement graph: where in which source, and whom it is attributed to."""

    graph: str
    source: str
    start: int
    end: int
    according_to: list[tuple[Term, Term | None]] = field(default_factory=list)
    """Whom the quote is attributed to or quoted from (either way)."""
    quoted: bool = False
    """Whether the quote holds their words in quotation marks (`prov:wasQuotedFrom`)."""
    title: Term | None = None
    """The source document's title."""


@dataclass(frozen=True, slots=True)
class Sentence:
    """A quote in its sentence, with where to read it and whose words they are."""

    sentence: Markup | None
    """The sentence with the quote marked; None when it cannot be shown (then `problem`)."""
    problem: str
    href: str
    """The quote's anchor on the source page."""
    start: int
    end: int
    graph: str
    """The statement graph's page."""
    according_to: tuple[Shown, ...]
    document: Shown
    """The source document, linked to its page."""
    quoted: bool


@dataclass(frozen=True, slots=True)
class Source:
    """One source document's sentences that support a statement."""

    document: Shown
    sentences: tuple[Sentence, ...]


@dataclass(frozen=True, slots=True)
class Said:
    """Where one statement is said: sentences, and badges for the other graphs holding it."""

    sentences: tuple[Sentence, ...]
    badges: tuple[str, ...]
    documents: tuple[Source, ...] = ()
    """The sentences by source document, in the documents' order."""

    @property
    def several(self) -> bool:
        """Whether more than one source document supports the statement."""
        return len(self.documents) > 1


_GRAPH_KINDS = {
    "entities": "shared entity",
    "links": "link set",
    "inferred": "inferred",
    "ontology": "ontology",
}


def kind_of_graph(graph: str, base: str) -> str:
    """What a graph that is not a statement graph is, for a badge."""
    name = graph.removeprefix(base + "graph/")
    if name == graph:
        return "loaded dataset"
    if name.startswith("facts/"):
        return "source document"
    return _GRAPH_KINDS.get(name, "loaded dataset")


def sentence(support: Support, texts: Mapping[str, str], base: str) -> Sentence:
    text = texts.get(support.source)
    marked, problem = None, ""
    try:
        if text is None:
            raise OffsetError("the source has no text")
        marked = in_sentence(text, support.start, support.end)
    except OffsetError as error:
        problem = f"(the quote cannot be shown: {error})"
    return Sentence(
        marked,
        problem,
        local_url(support.source, base) + f"#char={support.start},{support.end}",
        support.start,
        support.end,
        local_url(support.graph, base),
        tuple(shown(t, label, base) for t, label in support.according_to),
        shown(Term("uri", support.source), support.title, base),
        support.quoted,
    )


def said(
    graphs: Iterable[str], support: Mapping[str, Support], texts: Mapping[str, str], base: str
) -> Said:
    """The provenance of one statement, from the graphs that hold it."""
    ordered = sorted(graphs)
    sentences = tuple(sentence(support[g], texts, base) for g in ordered if g in support)
    badges = sorted({kind_of_graph(g, base) for g in ordered if g not in support})
    by_document: dict[str, list[Sentence]] = {}
    for s in sorted(sentences, key=lambda s: (s.document.text, s.start, s.end)):
        by_document.setdefault(s.document.iri or "", []).append(s)
    documents = tuple(Source(found[0].document, tuple(found)) for found in by_document.values())
    return Said(sentences, tuple(badges), documents)
