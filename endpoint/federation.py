"""Federation out: a query's SERVICE clauses may only call allow-listed endpoints.

The check runs before evaluation, so nothing is sent for a refused query. The endpoints come
from the lexical scan (`endpoint.lexer`), which resolves prefixed names and BASE; texts
without a SERVICE keyword pay nothing more.

An endpoint is allowed when its IRI is exactly on the allow-list. Anything else is refused
with a message saying why: a variable endpoint (it could be bound to anything), an endpoint
that cannot be resolved, a scheme other than http/https, a host that is (or resolves to) a
loopback, private, link-local or otherwise non-public address, or simply an endpoint not on
the list.
"""

from __future__ import annotations

import ipaddress
import socket
from collections.abc import Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from urllib.parse import urlsplit

from endpoint.errors import FederationRefusedError
from endpoint.lexer import QueryShape, ServiceTarget, scan

RESOLVE_TIMEOUT = 2.0
"""Seconds a host name may take to resolve; the answer only shapes the refusal message."""


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


def refusal(call: ServiceTarget, allowlist: Sequence[str]) -> str | None:
    """Why a SERVICE call is refused, or None when it is allowed."""
    if call.is_variable:
        return (
            f"SERVICE {call.written}: a variable endpoint could be bound to any address "
            "and is refused; name an allow-listed endpoint IRI"
        )
    if call.endpoint is None:
        return (
            f"SERVICE {call.written or '(nothing)'}: the endpoint cannot be resolved to an "
            "IRI (undeclared prefix?) and is refused"
        )
    if call.endpoint in allowlist:
        return None
    parts = urlsplit(call.endpoint)
    if parts.scheme.lower() not in ("http", "https"):
        return (
            f"SERVICE <{call.endpoint}>: only http and https endpoints can be called, "
            f"not {parts.scheme or 'a relative IRI'!r}"
        )
    host = parts.hostname or ""
    private = [addr for addr in _addresses(host) if not _is_public(addr)] if host else []
    listed = (
        f"allow-listed endpoints: {', '.join(allowlist)}"
        if allowlist
        else ("the allow-list is empty (DRUGKG_FEDERATION_ALLOWLIST)")
    )
    if private:
        return (
            f"SERVICE <{call.endpoint}>: host {host!r} is a loopback, private or link-local "
            f"address ({', '.join(private)}) and that endpoint is not allow-listed; {listed}"
        )
    return f"SERVICE <{call.endpoint}>: the endpoint is not on the allow-list; {listed}"


def check(query: str | QueryShape, allowlist: Iterable[str]) -> None:
    """Raise FederationRefusedError naming every SERVICE endpoint the query may not call.

    `query` is the text, or its scan when the caller has it already."""
    allowed = list(allowlist)
    shape = scan(query) if isinstance(query, str) else query
    problems = [reason for call in shape.services if (reason := refusal(call, allowed)) is not None]
    if problems:
        raise FederationRefusedError("federated query refused: " + "; ".join(problems))
