"""Virtuoso Open Source 7 (Debian's package) on a fresh database, for the tests and the bench.

    binaries()                       (virtuoso-t, isql-vt), or None when not installed
    configure(root, ...)             the ini (bench/virtuoso.ini) written under `root` with
                                     free loopback ports: the command line and the URLs
    user_statements(users)           the SQL that makes users and grants their roles
    run_sql(isql, sql_port, sql)     those statements through isql-vt, as the administrator
    sparql_over_sql(isql, ...)       seconds to run SPARQL queries one after another in one
                                     isql-vt session (no HTTP): the bench's reference check

Starting, awaiting and stopping the process is the caller's (tests/liveservers.py with its
own readiness checks, bench/remote_bench.py with bench.common.running). A fresh database has
the administrator dba, password dba, who may use every endpoint: queries at /sparql, the
Graph Store Protocol (Digest) at /sparql-graph-crud-auth, updates (Digest) at /sparql-auth.
"""

from __future__ import annotations

import shutil
import socket
import string
import subprocess
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

INI = Path(__file__).resolve().parent / "virtuoso.ini"
USER = "dba"
PASSWORD = "dba"
"""The administrator of a fresh database."""


@dataclass(frozen=True)
class Configured:
    args: list[str]
    """The command line: `virtuoso-t +foreground +configfile INI`."""
    url: str
    """Base URL, http://127.0.0.1:PORT."""
    sql_port: int

    @property
    def sparql(self) -> str:
        return self.url + "/sparql"

    @property
    def gsp(self) -> str:
        return self.url + "/sparql-graph-crud-auth"

    @property
    def update(self) -> str:
        return self.url + "/sparql-auth"


def binaries() -> tuple[str, str] | None:
    binary, isql = shutil.which("virtuoso-t"), shutil.which("isql-vt")
    return None if binary is None or isql is None else (binary, isql)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def configure(
    root: Path,
    binary: str,
    *,
    threads: int = 10,
    buffers: int = 10_000,
    max_rows: int = 1_000_000,
) -> Configured:
    """Write the ini for a database in `root` (made when absent): `threads` HTTP threads and
    connections (the SQL server's connections too), `buffers` pages of 8 KiB in memory,
    `max_rows` its ResultSetMaxRows (where it cuts every answer)."""
    root.mkdir(parents=True, exist_ok=True)
    (root / "vsp").mkdir(exist_ok=True)
    sql_port, http_port = _free_port(), _free_port()
    ini = root / "virtuoso.ini"
    template = string.Template(INI.read_text(encoding="utf-8"))
    ini.write_text(
        template.substitute(
            ROOT=str(root),
            SQL_PORT=sql_port,
            HTTP_PORT=http_port,
            THREADS=threads,
            BUFFERS=buffers,
            DIRTY=buffers * 3 // 5,
            MAX_ROWS=max_rows,
        ),
        encoding="utf-8",
    )
    url = f"http://127.0.0.1:{http_port}"
    return Configured([binary, "+foreground", "+configfile", str(ini)], url, sql_port)


def user_statements(users: Sequence[tuple[str, str, Sequence[str]]]) -> list[str]:
    """SQL making each (name, password, roles) user and granting its roles."""
    statements = []
    for name, password, roles in users:
        statements.append(f"DB.DBA.USER_CREATE('{name}', '{password}');")
        statements += [f'GRANT {role} TO "{name}";' for role in roles]
    return statements


def run_sql(isql: str, sql_port: int, statements: Sequence[str]) -> str | None:
    """Run `statements` as the administrator; None when they ran, else what isql-vt said."""
    done = subprocess.run(
        [isql, f"127.0.0.1:{sql_port}", USER, PASSWORD, "exec=" + " ".join(statements)],
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
    )
    output = done.stdout + done.stderr
    return output if done.returncode != 0 or "Error" in output else None


def sparql_over_sql(isql: str, sql_port: int, queries: Sequence[str], scratch: Path) -> float:
    """Seconds isql-vt takes to run `queries` (each on one line) one after another in one
    session over the SQL port, their results printed to a pipe that is thrown away."""
    script = scratch / "queries.sql"
    script.write_text("".join(f"SPARQL {q.replace(chr(10), ' ')};\n" for q in queries))
    started = time.perf_counter()
    done = subprocess.run(
        [isql, f"127.0.0.1:{sql_port}", USER, PASSWORD, str(script)],
        capture_output=True,
        text=True,
        check=False,
        timeout=600,
    )
    seconds = time.perf_counter() - started
    if done.returncode != 0 or "*** Error" in done.stdout + done.stderr:
        raise RuntimeError(f"isql-vt failed: {(done.stdout + done.stderr)[-1000:]}")
    return seconds
