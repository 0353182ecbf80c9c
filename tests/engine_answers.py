"""The competency questions an engine answers otherwise than the embedded store, and why: the
one list for the tests that ask Virtuoso 7 directly (tests/graph/storage/test_publish.py) and
through drugkg (tests/endpoint/execution/remote/test_remote_virtuoso.py).

    VIRTUOSO_DIFFERS       questions whose answer Virtuoso changes however it is asked
    VIRTUOSO_JSON_DIFFERS  questions whose answer differs only as Virtuoso writes it in SPARQL
                           JSON results, asked directly; its XML results, which drugkg asks
                           for, are right

The questions are written so that every engine answers them alike where a form exists that
keeps their answer on the embedded store (`xsd:boolean(EXISTS {...})` for a computed boolean,
DISTINCT over path alternatives, a count for "no narrower kind"; the README's "Published data:
engine quirks" says what each form avoids), so VIRTUOSO_DIFFERS is empty. Measured on Debian's
virtuoso-opensource 7.2.5 with the article's build. A test fails when a question listed here
starts to match, so the lists stay true.
"""

from __future__ import annotations

from pyoxigraph import Literal, NamedNode

from bench.competency import Answer, Solutions, Term

VIRTUOSO_DIFFERS: dict[str, str] = {}
"""Question -> why Virtuoso answers it differently (asked directly and through drugkg)."""

_JSON_BOOLEAN = (
    'Virtuoso\'s JSON results write xsd:boolean true as "1" (a lexical form of true, not the '
    'term "true" the store holds or the query computes)'
)
VIRTUOSO_JSON_DIFFERS: dict[str, str] = {
    "agreement-and-disagreement": f"?disputed: {_JSON_BOOLEAN}",
    "indictment": f"the stored ?firstOfItsKind: {_JSON_BOOLEAN}",
    "people-and-roles": f"?acting (stored) and ?asPresident: {_JSON_BOOLEAN}",
    "policy-pursuers": f"?proposedOnly and ?inForce: {_JSON_BOOLEAN}",
}
"""Question -> how Virtuoso's JSON results change its answer (asked directly)."""


def canonical_booleans(answer: Answer) -> Answer:
    """The answer with every xsd:boolean in its canonical form ("1" is "true", "0" "false"):
    what a VIRTUOSO_JSON_DIFFERS answer must equal."""
    if not isinstance(answer, Solutions):
        return answer
    rows = tuple(tuple(_canonical(term) for term in row) for row in answer.rows)
    return Solutions(answer.variables, rows)


_BOOLEAN = NamedNode("http://www.w3.org/2001/XMLSchema#boolean")
_CANONICAL = {"1": "true", "0": "false"}


def _canonical(term: Term | None) -> Term | None:
    if isinstance(term, Literal) and term.datatype == _BOOLEAN and term.value in _CANONICAL:
        return Literal(_CANONICAL[term.value], datatype=_BOOLEAN)
    return term
