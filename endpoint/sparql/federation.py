"""Federation out: a query's SERVICE clauses may only call allow-listed endpoints.

The check runs in the query process before evaluation, so nothing is sent for a refused
query. It must see the query exactly as the engine does, so pyoxigraph itself has the last
word at each step. A text is only ever handed to pyoxigraph's parser in a form that holds no
SERVICE keyword at all, on an empty in-memory store, so checking can never call anything:

1. No letters S-E-R-V-I-C-E anywhere (any case): pyoxigraph cannot call a SERVICE (it reads
   keywords in ASCII only and decodes `\\u` escapes only inside IRIs and strings; both are
   pinned by tests). Nothing more to do: the common case costs one regular-expression scan.
2. Otherwise the lexer (`endpoint.sparql.lexer`) says which occurrences are SERVICE keywords. The
   text is rewritten with each of those keywords replaced by `GRAPH` (same grammar:
   `GRAPH VarOrIri GroupGraphPattern`) and SILENT by blanks, and every other occurrence
   altered (`service` -> `zervice`, inside whatever IRI, string, name or comment it is in).
   The rewrite has the text's length, so pyoxigraph's parse of it reports a malformed query
   at the place it is. If the lexer took a real keyword for part of another token, that
   keyword is now the bare word `zervice`, which the grammar never allows: the parse fails
   and the query is refused. A parse that succeeds proves the lexer found every keyword.
3. For each keyword, the endpoint token the lexer found is wrapped as `VALUES ?e { token }`
   in place of `SERVICE SILENT? token`; this text must parse too, which proves the token's
   extent (a token cut short or run on leaves text the grammar refuses).
4. pyoxigraph resolves the endpoint tokens itself: the query's prologue (BASE, PREFIX),
   followed by `SELECT * { VALUES ?e { tokens } }`, evaluated with the same pre-declared
   prefixes and base IRI as the query. What comes back are the IRIs the engine would call,
   after every escape, prefix, BASE and relative-IRI rule.

A resolved endpoint is allowed when its IRI is exactly on the allow-list. Anything else is
refused with a message saying why: a variable endpoint (it could be bound to anything), a
scheme other than http/https, a loopback, private, link-local or otherwise non-public
address, or simply an endpoint not on the list. When a step cannot be completed the query
is refused (400) with the reason; it is never let through on a guess.
"""

from __future__ import annotations

import ipaddress
import socket
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from dataclasses import dataclass
from urllib.parse import urlsplit

from pyoxigraph import NamedNode, QuerySolutions, Store

from endpoint.errors import FederationRefusedError, MalformedQueryError
from endpoint.sparql.lexer import SERVICE_WORD, QueryShape, ServiceClause
from graph.query.text import explain

RESOLVE_TIMEOUT = 2.0
"""Seconds a host name may take to resolve; the answer only shapes the refusal message."""

_PROBE = "drugkg_endpoint"
"""The variable of the probes; it must not hold the letters S-E-R-V-I-C-E itself."""


@dataclass(frozen=True, slots=True)
class ServiceCall:
    """One SERVICE clause, its endpoint resolved by pyoxigraph."""

    written: str
    """The endpoint as written in the query (`<...>`, `ex:sparql`, `?var`)."""
    endpoint: str | None
    """The absolute IRI pyoxigraph would call; None for a variable."""
    keyword: str = "SERVICE"
    """What calls it: SERVICE (a query's or an update's), or LOAD (an update's)."""


def _is_public(address: str) -> bool:
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return ip.is_global and not ip.is_multicast


def _addresses(host: str) -> list[str]:
    try:
        return [str(ipaddress.ip_address(host.strip("[]")))]
    except ValueError:
        pass
    pool = ThreadPoolExecutor(max_workers=1)  # not `with`: a hung lookup must not block us
    try:
        infos = pool.submit(socket.getaddrinfo, host, None).result(timeout=RESOLVE_TIMEOUT)
    except (OSError, FutureTimeout, UnicodeError):
        return []
    finally:
        pool.shutdown(wait=False, cancel_futures=True)
    return sorted({str(info[4][0]) for info in infos})


def refusal(call: ServiceCall, allowlist: Sequence[str]) -> str | None:
    """Why a SERVICE call is refused, or None when it is allowed."""
    if call.endpoint is None:
        return (
            f"{call.keyword} {call.written}: a variable endpoint could be bound to any address "
            "and is refused; name an allow-listed endpoint IRI"
        )
    if call.endpoint in allowlist:
        return None
    listed = (
        f"allow-listed endpoints: {', '.join(f'<{e}>' for e in allowlist)}"
        if allowlist
        else "the allow-list is empty (DRUGKG_FEDERATION_ALLOWLIST)"
    )
    parts = urlsplit(call.endpoint)
    if parts.scheme.lower() not in ("http", "https"):
        return (
            f"{call.keyword} <{call.endpoint}>: only http and https endpoints can be called, "
            f"not {parts.scheme!r}; {listed}"
        )
    host = parts.hostname or ""
    private = [addr for addr in _addresses(host) if not _is_public(addr)] if host else []
    if private:
        return (
            f"{call.keyword} <{call.endpoint}>: host {host!r} is a loopback, private or link-local "
            f"address ({', '.join(private)}) and that endpoint is not allow-listed; {listed}"
        )
    return f"{call.keyword} <{call.endpoint}>: the endpoint is not on the allow-list; {listed}"


def altered(text: str, start: int, end: int) -> str:
    """The occurrence text[start:end] of a keyword's letters, no longer a keyword."""
    return ("Z" if text[start].isupper() else "z") + text[start + 1 : end]


class ServiceGuard:
    """Checks the SERVICE calls of query texts for one query process (see the module)."""

    def __init__(self, allowlist: Sequence[str], prefixes: dict[str, str]) -> None:
        self.allowlist = list(allowlist)
        self.prefixes = dict(prefixes)
        self._probe = Store()  # empty and in memory: it parses and resolves, holds nothing

    def calls(self, text: str, shape: QueryShape, base_iri: str | None) -> list[ServiceCall]:
        """The SERVICE calls the engine would make; MalformedQueryError or
        FederationRefusedError when that cannot be established."""
        if not shape.mentions_service:
            return []
        keywords = {clause.keyword.start: clause for clause in shape.services}
        for clause in shape.services:
            if clause.endpoint is None:
                raise MalformedQueryError(
                    "malformed query: SERVICE must be followed by its endpoint and a group"
                )
        # step 2: every keyword as GRAPH, every other occurrence altered; same length
        edits: list[tuple[int, int, str]] = []
        for match in SERVICE_WORD.finditer(text):
            start, end = match.span()
            found = keywords.get(start)
            edits.append((start, end, "GRAPH  " if found else altered(text, start, end)))
            if found is not None and found.silent is not None:
                edits.append((found.silent.start, found.silent.end, " " * 6))
        as_graph = edited(text, edits)
        self._parse(as_graph, base_iri, malformed=True)
        if not shape.services:
            return []
        # step 3: each endpoint token as a VALUES row in place of the SERVICE clause
        self._parse(self._as_values(text, shape.services), base_iri, malformed=False)
        # step 4: the endpoints as pyoxigraph resolves them
        return [*self._resolve(text, shape, base_iri)]

    def check(self, text: str, shape: QueryShape, base_iri: str | None) -> bool:
        """Raise FederationRefusedError naming every SERVICE endpoint the query may not call;
        return whether it calls any."""
        calls = self.calls(text, shape, base_iri)
        problems = [r for call in calls if (r := refusal(call, self.allowlist)) is not None]
        if problems:
            raise FederationRefusedError("federated query refused: " + "; ".join(problems))
        return bool(calls)

    def _parse(self, text: str, base_iri: str | None, *, malformed: bool) -> None:
        if SERVICE_WORD.search(text) is not None:  # never: each occurrence was rewritten
            raise FederationRefusedError(
                "federated query refused: its SERVICE clauses could not be isolated"
            )
        try:
            self._probe.query(text, base_iri=base_iri, prefixes=self.prefixes)
        except SyntaxError as exc:
            if malformed:
                problem = explain(text, exc, self.prefixes)
                raise MalformedQueryError(f"malformed query: {problem.located}") from exc
            raise FederationRefusedError(
                "federated query refused: the endpoint of a SERVICE clause could not be "
                f"read unambiguously ({exc})"
            ) from exc
        except (OSError, RuntimeError, ValueError, TypeError):
            pass  # parsed: an evaluation error on the empty probe store is beside the point

    def _as_values(self, text: str, services: Sequence[ServiceClause]) -> str:
        edits: list[tuple[int, int, str]] = []
        for index, clause in enumerate(services):
            assert clause.endpoint is not None
            if clause.is_variable:
                raise FederationRefusedError(
                    "federated query refused: "
                    + (refusal(ServiceCall(clause.endpoint.text, None), self.allowlist) or "")
                )
            # the token's own letters altered too: this parse checks its extent, not its value
            row = _rewritten(clause.endpoint.text)
            edits.append(
                (clause.keyword.start, clause.endpoint.end, f"VALUES ?{_PROBE}{index} {{ {row} }}")
            )
        covered = [(start, end) for start, end, _ in edits]
        for match in SERVICE_WORD.finditer(text):
            start, end = match.span()
            if not any(a <= start < b for a, b in covered):
                edits.append((start, end, altered(text, start, end)))
        return edited(text, edits)

    def _resolve(self, text: str, shape: QueryShape, base_iri: str | None) -> list[ServiceCall]:
        rows = " ".join(
            clause.endpoint.text for clause in shape.services if clause.endpoint is not None
        )
        prologue = text[: shape.form_start]
        probe = f"{prologue}\nSELECT ?{_PROBE} WHERE {{ VALUES ?{_PROBE} {{ {rows} }} }}"
        try:
            result = self._probe.query(probe, base_iri=base_iri, prefixes=self.prefixes)
            assert isinstance(result, QuerySolutions)
            values = [solution[_PROBE] for solution in result]
        except (SyntaxError, OSError, RuntimeError, ValueError) as exc:
            raise FederationRefusedError(
                f"federated query refused: its SERVICE endpoints could not be resolved ({exc})"
            ) from exc
        if len(values) != len(shape.services):
            raise FederationRefusedError(
                "federated query refused: its SERVICE endpoints could not be resolved one by one"
            )
        calls = []
        for clause, value in zip(shape.services, values, strict=True):
            assert clause.endpoint is not None
            if not isinstance(value, NamedNode):
                raise FederationRefusedError(
                    f"federated query refused: SERVICE {clause.endpoint.text} does not name an IRI"
                )
            calls.append(ServiceCall(clause.endpoint.text, value.value))
        return calls


def edited(text: str, edits: list[tuple[int, int, str]]) -> str:
    """The text with each span (start, end) replaced; the spans do not overlap."""
    pieces: list[str] = []
    at = 0
    for start, end, replacement in sorted(edits):
        pieces.append(text[at:start])
        pieces.append(replacement)
        at = end
    pieces.append(text[at:])
    return "".join(pieces)


def _rewritten(text: str) -> str:
    """A stretch of text between SERVICE clauses, every occurrence of the word altered."""
    return SERVICE_WORD.sub(lambda m: altered(m.string, m.start(), m.end()), text)
