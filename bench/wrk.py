"""`wrk`, the native HTTP load generator, driven over many distinct requests.

A run rotates through a list of request paths (a Lua script written for the run: each wrk
thread starts at its own offset and sends the prebuilt requests in turn), so a server sees
many distinct queries rather than one repeated query that only measures a cache. The script's
`done` hook prints the figures as one JSON line, which `run` reads back: requests, seconds,
socket errors, non-2xx answers, and latency percentiles in milliseconds.

`ensure_wrk` finds `wrk`, or installs Debian's package with apt-get when run as root.
Every request goes to 127.0.0.1 and every run is bounded in time.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from urllib.parse import quote

from bench.common import BenchError

SCRIPT = """
local requests = {}
local index = 0
local counter = 0
local threads = {}

function setup(thread)
  thread:set("offset", counter)
  counter = counter + 1
  table.insert(threads, thread)
end

function init(args)
  local headers = { ["Accept"] = ACCEPT }
  for _, path in ipairs(PATHS) do
    table.insert(requests, wrk.format("GET", path, headers))
  end
  index = (offset * 7919) % #requests
end

function request()
  index = index % #requests + 1
  return requests[index]
end

function done(summary, latency, requests)
  local errors = summary.errors
  io.write(string.format(
    '{"requests": %d, "seconds": %.6f, "socket_errors": %d, "non_2xx": %d, '
    .. '"p50_ms": %.4f, "p90_ms": %.4f, "p99_ms": %.4f, "mean_ms": %.4f, "max_ms": %.4f}\\n',
    summary.requests, summary.duration / 1e6,
    errors.connect + errors.read + errors.write + errors.timeout, errors.status,
    latency:percentile(50) / 1000, latency:percentile(90) / 1000,
    latency:percentile(99) / 1000, latency.mean / 1000, latency.max / 1000))
end
"""


@dataclass(frozen=True)
class WrkResult:
    requests: int
    seconds: float
    socket_errors: int
    non_2xx: int
    p50_ms: float
    p90_ms: float
    p99_ms: float
    mean_ms: float
    max_ms: float

    @property
    def rate(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0


def ensure_wrk() -> str:
    """The path of `wrk`; installed from Debian (apt-get) when missing and run as root."""
    found = shutil.which("wrk")
    if found is not None:
        return found
    if os.geteuid() == 0 and shutil.which("apt-get") is not None:
        print("installing wrk (apt-get install wrk)", flush=True)
        env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
        subprocess.run(["apt-get", "update", "-qq"], check=True, env=env)
        subprocess.run(["apt-get", "install", "-y", "-qq", "wrk"], check=True, env=env)
        found = shutil.which("wrk")
    if found is None:
        raise BenchError("this benchmark needs wrk: install Debian's `wrk` package (as root)")
    return found


def query_paths(path: str, queries: list[str]) -> list[str]:
    """GET request paths, `path?query=...`, one per query."""
    return [f"{path}?query={quote(q, safe='')}" for q in queries]


def _lua_string(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def run(
    base_url: str,
    paths: list[str],
    *,
    connections: int,
    seconds: float,
    accept: str,
    threads: int | None = None,
) -> WrkResult:
    """Load `base_url` (http://127.0.0.1:PORT) with `connections` kept-alive connections for
    `seconds`, rotating through `paths`."""
    if not base_url.startswith("http://127.0.0.1:"):
        raise BenchError(f"wrk is only pointed at 127.0.0.1, not {base_url}")
    if seconds != int(seconds) or seconds < 1:
        raise BenchError(f"wrk runs for whole seconds, not {seconds:g}")
    wrk = ensure_wrk()
    threads = threads or min(connections, 2)
    prelude = (
        f"ACCEPT = {_lua_string(accept)}\nPATHS = {{\n"
        + ",\n".join(_lua_string(p) for p in paths)
        + "\n}\n"
    )
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as script:
        script.write(prelude + SCRIPT)
    try:
        completed = subprocess.run(
            [
                wrk,
                f"-t{threads}",
                f"-c{connections}",
                f"-d{seconds:g}s",
                "--timeout",
                "10s",
                "-s",
                script.name,
                base_url,
            ],
            capture_output=True,
            text=True,
            timeout=seconds + 60,
            check=False,
        )
    finally:
        os.unlink(script.name)
    if completed.returncode != 0:
        raise BenchError(f"wrk failed: {completed.stderr[-2000:]}")
    for line in reversed(completed.stdout.splitlines()):
        if line.startswith("{"):
            return WrkResult(**json.loads(line))
    raise BenchError(f"wrk printed no figures: {completed.stdout[-2000:]}")
