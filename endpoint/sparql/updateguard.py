"""The federation guard for updates: LOAD and SERVICE go only to allow-listed endpoints.

An update reaches out in two ways: `LOAD <iri>` fetches a document, and a SERVICE clause in a
WHERE pattern queries an endpoint. Both are checked as the query guard checks SERVICE
(`endpoint.sparql.federation`), with pyoxigraph itself confirming every step, and never on a
text that still holds a LOAD or SERVICE keyword:

1. Neither word anywhere (any case): nothing to check.
2. The lexer's LOAD and SERVICE clauses are rewritten into text of the same grammar that
   reaches nothing (`LOAD SILENT? iri (INTO GRAPH iri)?` becomes `CLEAR SILENT GRAPH iri`,
   `SERVICE SILENT? iri` becomes `VALUES ?v { iri }` before its group), every other
   occurrence of the words is altered, and the text must still parse (it is run on an empty
   in-memory store, which holds nothing and calls nothing): a keyword the lexer missed is
   left a bare word the grammar refuses, and an endpoint token it cut wrongly leaves text
   the grammar refuses too.
3. Each endpoint is resolved by pyoxigraph in the context it has in the update: the text up
   to the operation that holds it, its prologue included (rewritten as in step 2), followed
   by `INSERT DATA { <probe> <probe> endpoint }`, run on an empty store; the object of the
   one triple that store then holds is the IRI the engine would call. A token whose extent
   the lexer misjudged leaves text the grammar refuses.

An endpoint is allowed when its IRI is exactly on the allow-list (`federation.refusal`);
anything the guard cannot establish is refused with the reason.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from pyoxigraph import NamedNode, Store

from endpoint.errors import FederationRefusedError, MalformedQueryError
from endpoint.sparql.federation import ServiceCall, altered, edited, refusal
from graph.query.text import explain
from graph.query.tokens import Token, tokens

WORDS = re.compile("service|load", re.IGNORECASE)
"""The letters of the two keywords, in any case (with Python's extra case matches)."""

_PROBE = "urn:drugkg:probe"
_PROLOGUE = frozenset({"PREFIX", "BASE", "VERSION"})


@dataclass(frozen=True, slots=True)
class _Clause:
    keyword: Token
    silent: Token | None
    endpoint: Token
    end: int
    """Where the clause's rewritten span ends (after `INTO GRAPH iri` for a LOAD)."""
    operation_start: int
    """Where the operation holding it starts (after the `;` before it, or 0)."""
    form_start: int
    """Where that operation's first keyword after its prologue is."""


def _clauses(text: str) -> list[_Clause]:
    scanned = list(tokens(text))
    clauses: list[_Clause] = []
    depth = 0
    operation_start = 0
    form_start: int | None = None
    for i, token in enumerate(scanned):
        if token.text in ("{", "(", "[", "{|", "<<"):
            depth += 1
        elif token.text in ("}", ")", "]", "|}", ">>"):
            depth -= 1
        elif depth == 0 and token.text == ";":
            operation_start, form_start = token.end, None
            continue
        if form_start is None and token.keyword and token.keyword not in _PROLOGUE:
            form_start = token.start
        if token.keyword not in ("SERVICE", "LOAD"):
            continue
        j = i + 1
        silent = None
        if j < len(scanned) and scanned[j].keyword == "SILENT":
            silent = scanned[j]
            j += 1
        if j >= len(scanned):
            raise MalformedQueryError(f"malformed update: {token.text} has no IRI after it")
        endpoint = scanned[j]
        end = endpoint.end
        if (
            token.keyword == "LOAD"
            and j + 3 < len(scanned)
            and scanned[j + 1].keyword == "INTO"
            and scanned[j + 2].keyword == "GRAPH"
        ):
            end = scanned[j + 3].end
        clauses.append(
            _Clause(
                token,
                silent,
                endpoint,
                end,
                operation_start,
                token.start if form_start is None else form_start,
            )
        )
    return clauses


def _neutral(text: str, clauses: Sequence[_Clause], upto: int | None = None) -> str:
    """The text (up to `upto`) with each clause made harmless and each other occurrence of
    the words altered (step 2 of the module)."""
    limit = len(text) if upto is None else upto
    edits: list[tuple[int, int, str]] = []
    covered: list[tuple[int, int]] = []
    for clause in clauses:
        if clause.keyword.start >= limit:
            continue
        row = edited(clause.endpoint.text, _alterations(clause.endpoint.text))
        if clause.keyword.keyword == "LOAD":
            replacement = f"CLEAR SILENT GRAPH {row}"
        elif clause.endpoint.kind == "var":
            replacement = f"GRAPH {row}"
        else:  # a VALUES row in the group: the endpoint's extent must be one IRI token
            replacement = f"VALUES ?drugkg_endpoint {{ {row} }}"
        edits.append((clause.keyword.start, clause.end, replacement))
        covered.append((clause.keyword.start, clause.end))
    for match in WORDS.finditer(text, 0, limit):
        start, end = match.span()
        if not any(a <= start < b for a, b in covered):
            edits.append((start, end, altered(text, start, end)))
    return edited(text[:limit], edits)


def _alterations(text: str) -> list[tuple[int, int, str]]:
    return [(m.start(), m.end(), altered(text, m.start(), m.end())) for m in WORDS.finditer(text)]


def _proven(clause: _Clause, text: str) -> str:
    """The endpoint token for step 3, as written (step 2 proved it one IRI token, so the
    letters it may hold are no keyword); but a prefixed name whose prefix label holds the
    letters gets its label altered as step 2 altered the label's declarations in the context,
    so that it still names the namespace they declare. An update that itself spells the
    altered label could declare it for another namespace: it is refused."""
    endpoint = clause.endpoint
    label, colon, local = endpoint.text.partition(":")
    if endpoint.kind != "pname" or not colon or WORDS.search(label) is None:
        return endpoint.text
    renamed = edited(label, _alterations(label))
    if f"{renamed}:" in text:
        raise FederationRefusedError(
            f"update refused: the IRI of {clause.keyword.keyword} {endpoint.text} could not be "
            f"read unambiguously (the update also declares or uses the prefix {renamed}:)"
        )
    return f"{renamed}:{local}"


class UpdateGuard:
    """Checks the LOAD and SERVICE calls of an update before it runs."""

    def __init__(self, allowlist: Sequence[str], prefixes: dict[str, str]) -> None:
        self.allowlist = list(allowlist)
        self.prefixes = dict(prefixes)

    def _run(self, text: str, base_iri: str | None, proven: str = "") -> Store:
        """Run `text` + `proven` + ` }` on an empty store. It holds no LOAD or SERVICE
        keyword: the letters may only stand in `proven`, an endpoint token step 2 proved
        to be one IRI."""
        if WORDS.search(text) is not None:  # never: each occurrence was rewritten
            raise FederationRefusedError(
                "update refused: its LOAD and SERVICE calls could not be isolated"
            )
        probe = Store()  # empty and in memory: the update runs on nothing, calls nothing
        whole = f"{text}{proven} }}" if proven else text
        probe.update(whole, base_iri=base_iri, prefixes=self.prefixes or None)
        return probe

    def calls(self, text: str, base_iri: str | None) -> list[ServiceCall]:
        """The LOAD and SERVICE calls pyoxigraph would make; MalformedQueryError or
        FederationRefusedError when that cannot be established."""
        if WORDS.search(text) is None:
            return []
        clauses = _clauses(text)
        try:
            self._run(_neutral(text, clauses), base_iri)
        except SyntaxError as exc:
            problem = explain(text, exc, self.prefixes)
            raise MalformedQueryError(f"malformed update: {problem.located}") from exc
        calls = []
        for clause in clauses:
            keyword = clause.keyword.keyword
            if clause.endpoint.kind == "var":
                calls.append(ServiceCall(clause.endpoint.text, None, keyword))
                continue
            context = _neutral(text, clauses, upto=clause.form_start)
            probe_text = f"{context}\nINSERT DATA {{ <{_PROBE}> <{_PROBE}> "
            try:
                proven = _proven(clause, text)
                probe = self._run(probe_text, base_iri, proven=proven)
            except SyntaxError as exc:
                raise FederationRefusedError(
                    f"update refused: the IRI of {keyword} {clause.endpoint.text} could not be "
                    f"read unambiguously ({exc})"
                ) from exc
            probe_node = NamedNode(_PROBE)
            objects = [q.object for q in probe if q.subject == probe_node]
            if len(objects) != 1 or not isinstance(objects[0], NamedNode):
                raise FederationRefusedError(
                    f"update refused: {keyword} {clause.endpoint.text} does not name one IRI"
                )
            calls.append(ServiceCall(clause.endpoint.text, objects[0].value, keyword))
        return calls

    def check(self, text: str, base_iri: str | None) -> str:
        """The update to run: FederationRefusedError naming every LOAD or SERVICE it may not
        make. A LOAD SILENT the allow-list refuses fails, and SILENT turns that failure into
        success (SPARQL 1.1 Update, section 3.1.1): it is replaced by `INSERT DATA { }`, which
        changes nothing, and nothing is fetched."""
        calls = self.calls(text, base_iri)
        if not calls:
            return text
        problems, quiet = [], []
        for clause, call in zip(_clauses(text), calls, strict=True):
            reason = refusal(call, self.allowlist)
            if reason is None:
                continue
            if clause.keyword.keyword == "LOAD" and clause.silent is not None:
                quiet.append((clause.keyword.start, clause.end, "INSERT DATA { }"))
            else:
                problems.append(reason)
        if problems:
            raise FederationRefusedError("update refused: " + "; ".join(problems))
        return edited(text, quiet) if quiet else text
