"""bench.common.running: a server that talks a lot on stderr still runs, and one that fails
to start is reported with its own last words."""

from __future__ import annotations

import sys

import httpx
import pytest

from bench.common import BenchError, free_port, running

# writes 1 MiB to stderr before it serves, and again on every request: more than a pipe
# holds, so a launcher that does not read it would see the server stop
CHATTY = """
import http.server, sys
sys.stderr.write("x" * (1 << 20)); sys.stderr.flush()
class H(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        sys.stderr.write("y" * (1 << 20)); sys.stderr.flush()
        self.send_response(200); self.send_header("content-length", "2"); self.end_headers()
        self.wfile.write(b"ok")
http.server.HTTPServer(("127.0.0.1", int(sys.argv[1])), H).serve_forever()
"""


def test_a_server_chatty_on_stderr_keeps_answering() -> None:
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    with running("chatty", [sys.executable, "-c", CHATTY, str(port)], base, base) as server:
        for _ in range(3):
            assert httpx.get(base, timeout=10).text == "ok"
        assert server.process.poll() is None
    assert server.process.poll() is not None  # stopped on the way out


def test_a_server_that_cannot_start_is_reported_with_its_message() -> None:
    code = "import sys; sys.stderr.write('the store is gone\\n'); sys.exit(3)"
    with (
        pytest.raises(BenchError, match="broken exited: the store is gone"),
        running("broken", [sys.executable, "-c", code], "http://127.0.0.1:1", "http://127.0.0.1:1"),
    ):
        pass
