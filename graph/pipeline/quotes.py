"""Quotes: every statement lies in the graph of a span of its source text, checked at build time.

A quote is `<…/source/DOC#char=S,E> a dk:Quote` with `oa:hasSource <…/source/DOC>`, one
`oa:TextQuoteSelector` (`oa:exact`) and one `oa:TextPositionSelector` (`oa:start`, `oa:end`),
described in the document graph `graph/facts/DOC`; the statement graph `graph/facts/DOC/q-S-E`
derived from it (`prov:wasDerivedFrom`) holds the triples it supports (graph.pipeline.statements).
Offsets count Unicode code points of the verbatim seed text (RFC 5147 `char=` fragments), which
is how Python indexes a `str`. `verify_quotes` checks that the IRI fragment equals the position
selector, that the source exists and that `text[S:E] == exact`; every mismatch is reported with
the statement graph derived from the quote and the facts it holds and, where the exact text does
occur, the offsets to use.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from pyoxigraph import BlankNode, Literal, NamedNode, Store

from graph.errors import QuoteError, QuoteNotFoundError
from graph.vocabulary.namespace import DK, GRAPH, OA, PROV, RDF, SOURCE

_FRAGMENT = re.compile(r"^(?P<source>[^#]+)#char=(?P<start>\d+),(?P<end>\d+)$")
_SHOWN = 60  # characters of text shown in a message before it is elided
_CONTEXT = 20  # characters shown before the place where two texts part

_TYPE = NamedNode(str(RDF.type))
_QUOTE = NamedNode(str(DK.Quote))
_HAS_SOURCE = NamedNode(str(OA.hasSource))
_HAS_SELECTOR = NamedNode(str(OA.hasSelector))
_QUOTE_SELECTOR = NamedNode(str(OA.TextQuoteSelector))
_POSITION_SELECTOR = NamedNode(str(OA.TextPositionSelector))
_EXACT = NamedNode(str(OA.exact))
_START = NamedNode(str(OA.start))
_END = NamedNode(str(OA.end))
_DERIVED_FROM = NamedNode(str(PROV.wasDerivedFrom))


def locate(text: str, exact: str, occurrence: int = 1) -> tuple[int, int]:
    """Code-point offsets `(start, end)` of the `occurrence`-th (1-based) match of `exact`.

    Matches may overlap (`"aa"` occurs twice in `"aaa"`). Raises QuoteNotFoundError when the
    text does not occur that often, saying how often it does occur.
    """
    if not exact:
        raise QuoteNotFoundError("the text to locate is empty")
    if occurrence < 1:
        raise QuoteNotFoundError(f"occurrence must be 1 or more, not {occurrence}")
    found = occurrences(text, exact)
    if len(found) < occurrence:
        raise QuoteNotFoundError(
            f"{_show(exact)} occurs {len(found)} time(s) in the source text, "
            f"so there is no occurrence {occurrence}"
        )
    start = found[occurrence - 1]
    return start, start + len(exact)


def occurrences(text: str, exact: str) -> list[int]:
    """Start offsets of every (possibly overlapping) occurrence of `exact` in `text`."""
    starts: list[int] = []
    at = text.find(exact)
    while at != -1 and exact:
        starts.append(at)
        at = text.find(exact, at + 1)
    return starts


def quote_iri(doc_id: str, start: int, end: int) -> str:
    """The IRI of a span of a source document's text (RFC 5147 `char=` fragment)."""
    return f"{SOURCE[doc_id]}#char={start},{end}"


def quote_id(start: int, end: int) -> str:
    """The id of the statement graph of the quote `#char=start,end`: `q-START-END`."""
    return f"q-{start}-{end}"


def statement_graph_iri(doc_id: str, start: int, end: int) -> str:
    """The statement graph of a quote: `…/graph/facts/DOC/q-START-END`."""
    return f"{GRAPH[f'facts/{doc_id}']}/{quote_id(start, end)}"


def quote_turtle(doc_id: str, text: str, start: int, end: int) -> str:
    """The TriG block a curator pastes into `graph/facts/DOC.trig` for the quote of
    `text[start:end]`: the quote and its statement graph described in the document graph, and
    the statement graph itself, empty, for the triples the quote supports.

    It uses the prefixes `dk:`, `oa:`, `prov:` and `xsd:` that every facts file declares.
    """
    exact = str(Literal(text[start:end]))
    quote = quote_iri(doc_id, start, end)
    statements = statement_graph_iri(doc_id, start, end)
    return (
        f"<{GRAPH[f'facts/{doc_id}']}> {{\n"
        f"    <{statements}> a dk:StatementGraph ;\n"
        f"        prov:wasDerivedFrom <{quote}> .\n"
        f"    <{quote}> a dk:Quote ;\n"
        f"        oa:hasSource <{SOURCE[doc_id]}> ;\n"
        f"        oa:hasSelector [ a oa:TextQuoteSelector ; oa:exact {exact} ] ,\n"
        f'            [ a oa:TextPositionSelector ; oa:start "{start}"^^xsd:nonNegativeInteger ;\n'
        f'              oa:end "{end}"^^xsd:nonNegativeInteger ] .\n'
        "}\n"
        f"<{statements}> {{\n"
        "    # the triples this quote supports\n"
        "}\n"
    )


@dataclass
class _QuoteNode:
    """What a graph says about one quote, gathered before it is judged."""

    iri: str
    sources: set[str] = field(default_factory=set)
    exact: list[str] = field(default_factory=list)
    start: list[str] = field(default_factory=list)
    end: list[str] = field(default_factory=list)
    facts: list[str] = field(default_factory=list)


def check_quotes(store: Store, graph: NamedNode, texts: Mapping[str, str]) -> list[str]:
    """Every problem with the quotes of one named graph, as readable sentences.

    `texts` maps each source document IRI to its verbatim text. An empty list means every
    quote of the graph occurs verbatim at its offsets.
    """
    problems: list[str] = []
    for node in _gather(store, graph):
        problems.extend(_judge(node, texts))
    return problems


def verify_quotes(store: Store, graphs: Iterable[NamedNode], texts: Mapping[str, str]) -> int:
    """Check the quotes of every graph; raise QuoteError listing every mismatch.

    Returns the number of quotes checked.
    """
    problems: list[str] = []
    count = 0
    for graph in graphs:
        count += count_quotes(store, graph)
        problems.extend(check_quotes(store, graph, texts))
    if problems:
        raise QuoteError(problems)
    return count


def count_quotes(store: Store, graph: NamedNode) -> int:
    """How many quotes one named graph holds."""
    return sum(1 for _ in store.quads_for_pattern(None, _TYPE, _QUOTE, graph))


def _gather(store: Store, graph: NamedNode) -> list[_QuoteNode]:
    nodes: list[_QuoteNode] = []
    for quad in store.quads_for_pattern(None, _TYPE, _QUOTE, graph):
        subject = quad.subject
        node = _QuoteNode(iri=_label(subject))
        nodes.append(node)
        for q in store.quads_for_pattern(subject, _HAS_SOURCE, None, graph):
            node.sources.add(_label(q.object))
        for q in store.quads_for_pattern(subject, _HAS_SELECTOR, None, graph):
            _gather_selector(store, q.object, graph, node)
        node.facts = sorted(
            _statement_graph(store, q.subject)
            for q in store.quads_for_pattern(None, _DERIVED_FROM, subject, None)
        )
    return sorted(nodes, key=lambda n: n.iri)


def _gather_selector(store: Store, selector: object, graph: NamedNode, node: _QuoteNode) -> None:
    if not isinstance(selector, NamedNode | BlankNode):
        return
    kinds = {q.object for q in store.quads_for_pattern(selector, _TYPE, None, graph)}
    values = {
        p: [_lexical(q.object) for q in store.quads_for_pattern(selector, p, None, graph)]
        for p in (_EXACT, _START, _END)
    }
    if _QUOTE_SELECTOR in kinds or values[_EXACT]:
        node.exact.extend(values[_EXACT])
    if _POSITION_SELECTOR in kinds or values[_START] or values[_END]:
        node.start.extend(values[_START])
        node.end.extend(values[_END])


def _statement_graph(store: Store, graph: object) -> str:
    """A statement graph and the resources its triples are about, for a message."""
    if not isinstance(graph, NamedNode):
        return _label(graph)
    subjects = sorted({_label(q.subject) for q in store.quads_for_pattern(None, None, None, graph)})
    return f"statement graph <{graph.value}>: " + (", ".join(subjects) or "no triple")


def _judge(node: _QuoteNode, texts: Mapping[str, str]) -> list[str]:
    who = f"quote <{node.iri}>"
    if node.facts:
        who += " (" + "; ".join(node.facts) + ")"
    else:
        who += " (no statement graph is derived from it)"
    match = _FRAGMENT.match(node.iri)
    if match is None:
        return [f"{who}: its IRI must be <source IRI>#char=START,END (RFC 5147)"]
    shape: list[str] = []
    for name, values in (("oa:exact", node.exact), ("oa:start", node.start), ("oa:end", node.end)):
        if len(values) != 1:
            shape.append(f"has {len(values)} {name} values, expected exactly 1")
    if len(node.sources) != 1:
        shape.append(f"has {len(node.sources)} oa:hasSource values, expected exactly 1")
    if shape:
        return [f"{who}: " + "; ".join(shape)]
    (source,) = node.sources
    exact, start_text, end_text = node.exact[0], node.start[0], node.end[0]
    if match["source"] != source:
        return [f"{who}: its IRI names source <{match['source']}> but oa:hasSource is <{source}>"]
    if (match["start"], match["end"]) != (start_text, end_text):
        return [
            f"{who}: IRI fragment char={match['start']},{match['end']} differs from the "
            f"position selector start={start_text}, end={end_text}"
        ]
    text = texts.get(source)
    if text is None:
        return [f"{who}: source <{source}> is not a known seed document"]
    start, end = int(start_text), int(end_text)
    if not 0 <= start <= end <= len(text):
        return [f"{who}: offsets {start},{end} lie outside the text (length {len(text)})"]
    actual = text[start:end]
    if actual == exact:
        return []
    at = first_difference(exact, actual)
    message = (
        f"{who}: expected {_around(exact, at)} at {start},{end} but the text there is "
        f"{_around(actual, at)}: they part at character {at + 1} of the quote (offset "
        f"{start + at}), after {_show(exact[max(0, at - _CONTEXT) : at])}"
    )
    found = occurrences(text, exact)
    if found:
        spans = ", ".join(f"#char={s},{s + len(exact)}" for s in found[:5])
        message += f"; the exact text occurs at {spans}"
    else:
        message += "; the exact text does not occur anywhere in the source"
    return [message]


def _lexical(term: object) -> str:
    return term.value if isinstance(term, Literal) else str(term)


def _label(term: object) -> str:
    if isinstance(term, NamedNode):
        return term.value
    return str(term)


def first_difference(one: str, other: str) -> int:
    """The index of the first character where two texts differ (the shorter's length when
    one begins the other)."""
    for index, (a, b) in enumerate(zip(one, other, strict=False)):
        if a != b:
            return index
    return min(len(one), len(other))


def _around(text: str, at: int) -> str:
    """The text as a literal; a long one cut to the part around `at`, where it parts from the
    text it is compared with, so that the difference is always in what is shown."""
    if len(text) <= _SHOWN:
        return str(Literal(text))
    begin = max(0, at - _CONTEXT)
    end = min(len(text), begin + _SHOWN - 2)
    part = ("…" if begin > 0 else "") + text[begin:end] + ("…" if end < len(text) else "")
    return str(Literal(part))


def _show(text: str) -> str:
    shown = text if len(text) <= _SHOWN else text[: _SHOWN - 1] + "…"
    return str(Literal(shown))
