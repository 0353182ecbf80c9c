"""`python -m endpoint [--host H] [--port N] [--workers N] [--remote URL]`: serve with settings
from DRUGKG_*.

`drugkg serve` is the usual way in (it builds a missing store first, then runs this); this
entry point only serves, which is what tests and process managers want. With `--remote URL`
(DRUGKG_REMOTE) it answers from that SPARQL endpoint instead of the store: it refuses to
start when the URL answers, but not as a SPARQL endpoint, and starts (answering 502) when
nothing answers there yet.
"""

from __future__ import annotations

import argparse
import sys

from pydantic import ValidationError

from endpoint.errors import EndpointError
from endpoint.server import serve
from endpoint.settings import REMOTE_WRITABLE, ServerSettings
from endpoint.writes.auth import TokenFileError, WriteAccess
from graph.errors import EXIT_USAGE, StoreMissingError


def main(argv: list[str] | None = None) -> int:
    try:
        settings = ServerSettings()
    except ValidationError as exc:
        print(f"drugkg serve: invalid DRUGKG_* setting:\n{exc}", file=sys.stderr)
        return EXIT_USAGE
    parser = argparse.ArgumentParser(prog="python -m endpoint", description=__doc__)
    parser.add_argument("--host", default=settings.host)
    parser.add_argument("--port", type=int, default=settings.port)
    parser.add_argument("--workers", type=int, default=settings.workers)
    parser.add_argument(
        "--writable",
        action="store_true",
        default=settings.writable,
        help="accept writes from clients with the write token (DRUGKG_WRITE_TOKEN_FILE)",
    )
    parser.add_argument(
        "--remote",
        metavar="QUERY_URL",
        default=settings.remote,
        help="answer from this remote SPARQL 1.1 query endpoint instead of the store",
    )
    args = parser.parse_args(argv)
    try:
        settings = ServerSettings.model_validate(
            {**settings.model_dump(), "writable": args.writable, "remote": args.remote}
        )
    except ValidationError as exc:
        print(f"drugkg serve: invalid setting:\n{exc}", file=sys.stderr)
        return EXIT_USAGE
    if settings.remote is not None:
        return _serve_remote(settings, args)
    if settings.writable:
        try:
            WriteAccess.from_file(settings.write_token_file)
        except TokenFileError as exc:
            print(f"drugkg serve: error: {exc}", file=sys.stderr)
            return EXIT_USAGE
    if not settings.store.exists():
        print(f"drugkg serve: error: {StoreMissingError(settings.store)}", file=sys.stderr)
        return EXIT_USAGE
    serve(settings, host=args.host, port=args.port, workers=args.workers)
    return 0


def _serve_remote(settings: ServerSettings, args: argparse.Namespace) -> int:
    from endpoint.execution.remote.client import misconfigured

    assert settings.remote is not None
    if settings.writable:
        print(f"drugkg serve: error: {REMOTE_WRITABLE}", file=sys.stderr)
        return EXIT_USAGE
    try:
        problem = misconfigured(settings.remote)
    except EndpointError as error:  # not up yet, or failing: serve, and say so
        warning = f"{error.message}; serving 502 until it answers"
        print(f"drugkg serve: warning: {warning}", file=sys.stderr)
        problem = None
    if problem is not None:
        print(f"drugkg serve: error: {problem} (DRUGKG_REMOTE, --remote)", file=sys.stderr)
        return EXIT_USAGE
    serve(settings, host=args.host, port=args.port, workers=args.workers)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
