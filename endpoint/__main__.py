"""`python -m endpoint [--host H] [--port N] [--workers N]`: serve with settings from DRUGKG_*.

`drugkg serve` is the usual way in (it builds a missing store first, then runs this); this
entry point only serves, which is what tests and process managers want.
"""

from __future__ import annotations

import argparse
import sys

from pydantic import ValidationError

from endpoint.server import serve
from endpoint.settings import ServerSettings
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
    args = parser.parse_args(argv)
    settings = settings.model_copy(update={"writable": args.writable})
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


if __name__ == "__main__":
    raise SystemExit(main())
