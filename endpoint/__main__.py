"""`python -m endpoint [--host H] [--port N] [--workers N]`: serve with settings from DRUGKG_*.

`drugkg serve` is the usual way in (it also builds a missing store); this entry point only
serves, which is what tests and process managers want.
"""

from __future__ import annotations

import argparse

from endpoint.server import serve
from graph.settings import Settings


def main(argv: list[str] | None = None) -> None:
    settings = Settings()
    parser = argparse.ArgumentParser(prog="python -m endpoint", description=__doc__)
    parser.add_argument("--host", default=settings.host)
    parser.add_argument("--port", type=int, default=settings.port)
    parser.add_argument("--workers", type=int, default=settings.workers)
    args = parser.parse_args(argv)
    serve(settings, host=args.host, port=args.port, workers=args.workers)


if __name__ == "__main__":
    main()
