"""A real headless Chromium against a real server: fixtures for the browser tests.

    live_server        base URL of `python -m endpoint` serving the store the real build wrote
                       (the session's `built_store`); started once per session
    start_live_server  starts a further server on the same store with other settings
                       (e.g. `query_timeout="1"`); each is stopped at the end of the session
    browser            Debian's Chromium (/usr/bin/chromium) driven by Playwright, headless
    page               a fresh page that can reach loopback only: every request to another
                       host is aborted and listed in `page.blocked` (the pages need none);
                       a screenshot of it is kept under tests/artifacts/ after the test

Without Chromium the browser tests are skipped with the reason, and fail in CI (CI=true).
Playwright's own browser downloads are never used: `executable_path` points at Debian's.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from liveservers import LiveServer, start_drugkg, unavailable

from graph.settings import Settings

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
ARTIFACTS = Path(__file__).resolve().parents[1] / "artifacts"
LOOPBACK = {"127.0.0.1", "localhost", "[::1]", "::1"}

StartServer = Callable[..., str]


@pytest.fixture(scope="session")
def start_live_server(
    built_store: Settings, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[StartServer]:
    """A factory: `start_live_server(query_timeout="1")` returns the base URL of a new server."""
    log_dir = tmp_path_factory.mktemp("browser-servers")
    servers: list[LiveServer] = []

    def start(**settings: str) -> str:
        server = start_drugkg(built_store.store, log_dir, **settings)
        servers.append(server)
        return server.url

    yield start
    for server in servers:
        server.stop()


@pytest.fixture(scope="session")
def live_server(start_live_server: StartServer) -> str:
    """Base URL (http://127.0.0.1:PORT) of a server on the built store, default settings."""
    return start_live_server()


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    if not CHROMIUM.exists():
        message = f"no Chromium at {CHROMIUM}: run `make browser` (installs Debian's chromium)"
        unavailable(message)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True
        )
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser: Any, request: pytest.FixtureRequest) -> Iterator[Any]:
    """A page reaching loopback only; other hosts are aborted and listed in .blocked."""
    context = browser.new_context(accept_downloads=True, viewport={"width": 1400, "height": 1000})
    blocked: list[str] = []

    def offline(route: Any) -> None:
        host = urlsplit(route.request.url).hostname or ""
        if host in LOOPBACK:
            route.continue_()
        else:
            blocked.append(route.request.url)
            route.abort("internetdisconnected")

    context.route("**/*", offline)
    page = context.new_page()
    page.blocked = blocked
    yield page
    ARTIFACTS.mkdir(exist_ok=True)
    name = re.sub(r"[^A-Za-z0-9_.-]+", "_", request.node.name)
    try:
        page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)
    finally:
        context.close()
