"""How deep a remote engine must recurse for a query, estimated from its tokens, and the bound.

The Oxigraph server parses, optimises and evaluates a query by recursion on the thread that
answers it, whose stack is the platform's default for a thread (2 MiB), and a stack overflow
there aborts the whole server, every client's query with it. drugkg's own query processes run
each query on a stack sized for its text (`graph.query.text`), so a query they answer can
still abort the remote: chains that no bracket count sees, and nestings well within
drugkg's own MAX_NESTING. Measured with `oxigraph serve` 0.5 on loopback (the smallest
query that aborted it): 6,840 terms of one sum `1+1+...`, 9,289 of one `||` chain, 6,503
groups in one UNION chain, 6,502 OPTIONALs in a row, 8,017 BINDs in a row, 8,129 triple
patterns joined by `;`; nested, 947 function calls `STR(STR(...))`, 831 FILTER EXISTS or NOT
EXISTS, 1,174 subqueries, 2,185 groups `{{...}}`, 2,599 MINUS, 2,805 quoted triples `<<`,
2,815 OPTIONALs, 2,920 GRAPHs, 4,642 parentheses. Long VALUES blocks, IN lists and argument
lists are flat (50,000 VALUES rows, 20,000 IN or CONCAT items answered).

`depth` walks the tokens and counts, for each one, what encloses it: BRACKET for each open
bracket, and for each open level every link before it on that level (LINK for an operator,
`.`, `;`, `,` or an opening bracket, WORD for a keyword or function name): a chain's
algebra is one level deeper per link, however it is bracketed. Terms (IRIs, variables,
literals) are leaves and count nothing, and so does anything inside a VALUES data block and
the commas of an argument list. By this count the shapes above aborted the server at 4,735
(function calls) to 24,000 (BINDs); an engine's `max_depth` (1,000 by default: a margin of
more than four) is what drugkg sends it (`endpoint.execution.remote.evaluator`), and a query
over it is refused with a 400 naming the place, before anything is sent.
"""

from __future__ import annotations

from dataclasses import dataclass

from graph.query.text import where
from graph.query.tokens import tokens

BRACKET = 2
LINK = 1
WORD = 2
_OPENING = frozenset({"(", "{", "[", "<<", "{|"})
_CLOSING = frozenset({")", "}", "]", ">>", "|}"})


@dataclass(frozen=True, slots=True)
class Depth:
    value: int
    """The estimate: the most any token of the text is enclosed by."""
    offset: int
    """Where the text first reaches it."""


def depth(text: str) -> Depth:
    """How deep the text's structure goes, by the count of the module's docstring."""
    total = deepest = deepest_at = 0
    links = [0]  # per open level: the links counted on it so far
    openers = [""]  # per open level: the bracket that opened it
    data = 0  # >0: inside a VALUES data block, this many brackets deep
    values_next = False  # a VALUES keyword was read; its data block is the next `{`
    for token in tokens(text):
        kind, written = token.kind, token.text
        if data:
            if written in _OPENING:
                data += 1
            elif written in _CLOSING:
                data -= 1
            continue
        if written in _OPENING:
            if values_next and written == "{":
                values_next, data = False, 1
                continue
            total += LINK
            links[-1] += LINK
            total += BRACKET
            links.append(0)
            openers.append(written)
        elif written in _CLOSING:
            if len(links) > 1:
                total -= BRACKET + links.pop()
                openers.pop()
        elif kind == "word":
            values_next = token.keyword == "VALUES" or (values_next and token.keyword == "UNDEF")
            total += WORD
            links[-1] += WORD
        elif kind in ("punct", "other"):
            if written == "," and openers[-1] == "(":
                continue  # an argument or IN list: flat
            total += LINK
            links[-1] += LINK
        if total > deepest:
            deepest, deepest_at = total, token.start
    return Depth(deepest, deepest_at)


def too_deep_for(text: str, engine: str, limit: int) -> str | None:
    """Why the text is too deep for the remote `engine` to take safely, or None."""
    found = depth(text)
    if found.value <= limit:
        return None
    return where(
        text,
        found.offset,
        f"its structure reaches a depth of {found.value} (each bracket, and each link of a "
        "chain of operators, UNION, OPTIONAL, BIND or triple patterns, counts), more than "
        f"the {limit} the remote store ({engine}) is sent",
    )
