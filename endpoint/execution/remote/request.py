"""What a query becomes on the remote: its text, and the dataset it is asked over.

`dataset` gives the Protocol parameters that show a query drugkg's dataset on an engine
(`endpoint.execution.remote.engines`): the client's own dataset as it asked, the query's own
FROM clauses left alone, else the union of drugkg's graphs by the engine's parameter or by
each graph named. `with_from` writes such a listing into the query as FROM / FROM NAMED
clauses instead, for an engine that echoes a Protocol dataset (Virtuoso). `written_out` gives
the query the prologue drugkg gives every query (`BASE` the endpoint's own URL, `PREFIX` each
pre-declared prefix the query does not declare itself), all on its first line so the
engine's line numbers stay the query's.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from itertools import pairwise

from endpoint.execution.remote.engines import EMPTY_GRAPH, Engine
from graph.query.tokens import Token, tokens


@dataclass(frozen=True, slots=True)
class Dataset:
    """What shows a query its dataset on an engine: Protocol parameters, which may be
    drugkg's own listing of its graphs (an engine may take those as FROM clauses instead)."""

    params: list[tuple[str, str]] = field(default_factory=list)
    listed: bool = False
    """The parameters name drugkg's graphs (not a dataset the client asked for)."""


def dataset(
    engine: Engine,
    graphs: Sequence[str],
    *,
    default_graphs: Sequence[str] | None,
    named_graphs: Sequence[str] | None,
    union: bool,
    own_dataset: bool,
) -> Dataset:
    """What shows a query drugkg's dataset on this engine.

    `graphs` are drugkg's graphs on the remote (`endpoint.execution.remote.follower`); a
    protocol dataset (`default_graphs`, `named_graphs`, either not None) is passed as it is,
    and a query with FROM / FROM NAMED (`own_dataset`) names its own. Otherwise the default
    graph is the union of drugkg's graphs (`union`) or the store's own, and the named graphs
    are drugkg's: on an engine that lists them, each graph is named once."""
    if default_graphs is not None or named_graphs is not None:
        return Dataset(
            [("default-graph-uri", g) for g in default_graphs or ()]
            + [("named-graph-uri", g) for g in named_graphs or ()]
        )
    if own_dataset:
        return Dataset()
    listed = list(graphs) or [EMPTY_GRAPH]
    named = [("named-graph-uri", g) for g in listed]
    if union:
        if not engine.lists_graphs and engine.union_parameter is not None:
            return Dataset([engine.union_parameter])
        return Dataset([("default-graph-uri", g) for g in listed] + named, listed=True)
    if engine.own_default_graph:  # no name in the Protocol: the store's own, as it is
        return Dataset()
    return Dataset([("default-graph-uri", EMPTY_GRAPH), *named], listed=True)


_CLAUSE = {"default-graph-uri": "FROM", "named-graph-uri": "FROM NAMED"}
_AFTER_DESCRIBE = frozenset({"WHERE", "ORDER", "GROUP", "HAVING", "LIMIT", "OFFSET", "VALUES"})


def with_from(text: str, form_start: int, params: Sequence[tuple[str, str]]) -> str | None:
    """The query with `params` (a dataset as Protocol parameters) written as FROM / FROM
    NAMED clauses where the grammar puts them: after ASK, the SELECT clause, the CONSTRUCT
    template or the DESCRIBE terms, before the WHERE clause. Placed between tokens, never in
    a string or a comment; None where the place is not found. The caller has pyoxigraph parse
    the result: a clause anywhere else does not parse."""
    scanned = [t for t in tokens(text) if t.start >= form_start]
    if len(scanned) < 2 or any(name not in _CLAUSE for name, _ in params):
        return None
    form = scanned[0].keyword
    at = _dataset_place(form, scanned[1:])
    if at is None:
        return None
    clauses = " ".join(f"{_CLAUSE[name]} <{iri}>" for name, iri in params)
    return f"{text[:at]} {clauses} {text[at:]}"


def _dataset_place(form: str, rest: Sequence[Token]) -> int | None:
    """Where the dataset clauses of a query of this form go, among the tokens after it."""
    if form == "ASK" or (form == "CONSTRUCT" and rest[0].text != "{"):
        return rest[0].start  # ASK {, ASK WHERE, CONSTRUCT WHERE
    depth = 0
    stops = _AFTER_DESCRIBE if form == "DESCRIBE" else frozenset({"WHERE"})
    for token in rest:
        if token.text in ("(", "{"):
            if depth == 0 and token.text == "{" and form != "CONSTRUCT":
                return token.start
            depth += 1
        elif token.text in (")", "}"):
            depth -= 1
            if depth == 0 and form == "CONSTRUCT":
                return token.end  # the end of the template
        elif depth == 0 and token.keyword in stops:
            return token.start
    return rest[-1].end if form == "DESCRIBE" else None  # DESCRIBE <x>, no WHERE clause


def declared_prefixes(prologue: str) -> set[str]:
    """The prefix names a query's prologue declares."""
    names: set[str] = set()
    scanned = list(tokens(prologue))
    for token, following in pairwise(scanned):
        if token.keyword == "PREFIX" and following.kind == "pname":
            names.add(following.text.split(":", 1)[0])
    return names


def written_out(
    text: str, form_start: int, prefixes: Mapping[str, str], base_iri: str | None
) -> str:
    """The query as the remote must read it to mean what drugkg's parser read: the endpoint's
    base IRI and the pre-declared prefixes it does not declare, on its first line."""
    declared = declared_prefixes(text[:form_start])
    parts = [f"BASE <{base_iri}>"] if base_iri else []
    parts += [f"PREFIX {name}: <{iri}>" for name, iri in prefixes.items() if name not in declared]
    return " ".join([*parts, text]) if parts else text
