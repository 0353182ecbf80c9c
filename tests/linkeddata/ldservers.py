"""Real servers and engines on loopback for the linked-data tests: drugkg and the `oxigraph`
server (from tests/liveservers.py), and Comunica from npm, installed on first use.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest
from liveservers import LiveServer, free_port, in_ci, start_drugkg, start_oxigraph

Server = LiveServer
__all__ = [
    "COMUNICA",
    "WIKIDATA_SAMPLE",
    "Server",
    "comunica",
    "free_port",
    "start_drugkg",
    "start_oxigraph",
]

ROOT = Path(__file__).resolve().parents[2]
NODE_PREFIX = ROOT / "var" / "node"
COMUNICA = "@comunica/query-sparql@4"
WIKIDATA_SAMPLE = Path(__file__).resolve().parent / "fixtures" / "wikidata-sample.ttl"
"""The Wikidata-shaped fixture (see its header)."""


def comunica() -> Path:
    """The comunica-sparql command, installed with npm into var/node/ on first use."""
    command = NODE_PREFIX / "node_modules" / ".bin" / "comunica-sparql"
    if not command.exists():
        npm = shutil.which("npm")
        if npm is None:
            message = "npm is not installed: Comunica cannot be installed"
            if in_ci():
                pytest.fail(message)
            pytest.skip(message)
        NODE_PREFIX.mkdir(parents=True, exist_ok=True)
        subprocess.run(
            [npm, "install", "--prefix", str(NODE_PREFIX), COMUNICA],
            check=True,
            capture_output=True,
            timeout=600,
        )
    return command
