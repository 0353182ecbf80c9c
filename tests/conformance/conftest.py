"""Options and fixtures of the W3C SPARQL 1.1 conformance run.

`--sparql-server=drugkg` (default) runs the suite against our endpoint; `--sparql-server=oxigraph`
runs the same harness against the oxigraph server from PyPI, to check the harness itself;
`--sparql-server=drugkg-remote` runs it against our endpoint answering from that oxigraph server
(`drugkg serve --remote`).
"""

from __future__ import annotations

import importlib.util
from collections.abc import Iterator

import pytest
from liveservers import unavailable

from .runner import Runner


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--sparql-server",
        choices=("drugkg", "oxigraph", "drugkg-remote"),
        default="drugkg",
        help="the SPARQL server the W3C conformance tests send their queries to",
    )


@pytest.fixture(scope="session")
def sparql_runner(request: pytest.FixtureRequest) -> Iterator[Runner]:
    kind = str(request.config.getoption("--sparql-server"))
    if kind.startswith("drugkg") and importlib.util.find_spec("endpoint.app") is None:
        message = "endpoint.app is not there yet: no drugkg server to test"
        unavailable(message)
    runner = Runner(kind)
    yield runner
    runner.close()
