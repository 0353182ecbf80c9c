"""Where a statement is said, as a page shows it: the sentence of each statement graph that
holds it, or else the kind of graph it comes from.

A statement taken from a source lies in the statement graph of the quote that supports it
(`graph/facts/DOC/q-S-E`); the page shows that quote in its sentence, whom the source
attributes it to, and links to the quote on the source page and to the statement graph. A
statement in no statement graph gets a badge instead: shared entity, link set, source
document, inferred, ontology, or a loaded dataset.
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


@dataclass(frozen=True, slots=True)
class Said:
    """Where one statement is said: sentences, and badges for the other graphs holding it."""

    sentences: tuple[Sentence, ...]
    badges: tuple[str, ...]


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
    )


def said(
    graphs: Iterable[str], support: Mapping[str, Support], texts: Mapping[str, str], base: str
) -> Said:
    """The provenance of one statement, from the graphs that hold it."""
    ordered = sorted(graphs)
    sentences = tuple(sentence(support[g], texts, base) for g in ordered if g in support)
    badges = sorted({kind_of_graph(g, base) for g in ordered if g not in support})
    return Said(sentences, tuple(badges))
