"""The server's settings: the knowledge graph's (`graph.settings`) and the service's own.

One typed object, read once at start-up from `DRUGKG_*` variables (the README lists them
all); handlers never read the environment.
"""

import json
from pathlib import Path
from typing import Annotated, Any

from pydantic import Field, field_validator
from pydantic_settings import NoDecode

from endpoint.execution.remote.engines import AUTO, ENGINES
from graph.settings import Settings

REMOTE_WRITABLE = (
    "a remote store (--remote, DRUGKG_REMOTE) cannot be served writable (--writable, "
    "DRUGKG_WRITABLE): writes go to the embedded store only; the remote's graphs are written "
    "to the remote itself (`drugkg publish`)"
)


class ServerSettings(Settings):
    host: str = Field(default="127.0.0.1", description="Address `serve` listens on.")
    port: int = Field(default=8000, ge=0, le=65535, description="TCP port `serve` listens on.")
    workers: int = Field(
        default=1, ge=1, description="HTTP server processes; each opens the store read-only."
    )
    query_workers: int = Field(
        default=2,
        ge=1,
        description="Query-evaluation processes per server process; a query over its time "
        "limit is stopped by killing its process, so the others keep answering.",
    )
    query_workers_max: int = Field(
        default=8,
        ge=1,
        description="Most query processes per server process: when every process is busy "
        "(with costly queries, say), more are started up to this many, so a cheap query "
        "does not wait for them.",
    )
    cpu_affinity: bool = Field(
        default=True,
        description="Pin each server process and its query processes to one CPU (the "
        "server processes take the CPUs in turn); a query running long is let onto every "
        "CPU. Saves the cross-CPU wake-up of every hand-off to a query process.",
    )
    inline_evaluation: bool = Field(
        default=False,
        description="Let each server process evaluate a query itself while it is cheap "
        "(one at a time, its answer up to 1 MiB) and hand the rest to its query processes, "
        "which saves the hand-off to a query process (endpoint.execution.inline). A query "
        "that runs past its time limit there is answered 503 and its server process retires "
        "and is replaced (uvicorn's supervisor, for one process too), which reclaims the CPU. "
        "Off: every query goes to a query process.",
    )
    query_memory_mb: int | None = Field(
        default=2048,
        ge=16,
        description="Resident memory one query process may use, in MiB; a query over it is "
        "stopped (503) and its process replaced. Default: 8 processes of 2 GiB fit a "
        "24 GiB machine. Empty: unlimited.",
    )
    query_timeout: float = Field(
        default=30.0,
        gt=0,
        description="Time limit of one query, in seconds, from arrival to the last byte; a "
        "query over it is stopped and answered with 503.",
    )
    result_limit: int | None = Field(
        default=None,
        ge=1,
        description="Most solutions (SELECT) or triples (CONSTRUCT/DESCRIBE) one response "
        "carries; a truncated result says so in the X-Drugkg-Truncated header. "
        "Default: unlimited.",
    )
    max_request_bytes: int = Field(
        default=1_000_000,
        ge=1024,
        description="Largest request (query string or body) /sparql accepts; larger gets 413.",
    )
    header_timeout: float = Field(
        default=10.0,
        gt=0,
        description="Seconds a client has to send a request's headers, from its first byte "
        "(or from connecting); slower connections are closed.",
    )
    body_timeout: float = Field(
        default=30.0,
        gt=0,
        description="Seconds a client has to send a request body once its headers arrived.",
    )
    keep_alive_timeout: float = Field(
        default=5.0,
        gt=0,
        description="Seconds an idle kept-alive connection stays open.",
    )
    max_header_bytes: int = Field(
        default=32 * 1024,
        ge=1024,
        description="Largest total of a request's header fields (431 beyond); the request "
        "line, which carries GET queries, is bounded by DRUGKG_MAX_REQUEST_BYTES instead.",
    )
    max_connections: int = Field(
        default=2000,
        ge=1,
        description="Most open connections (and requests in progress) per server process; "
        "beyond, 503 at once.",
    )
    federation_allowlist: Annotated[list[str], NoDecode] = Field(
        default_factory=list,
        description="SERVICE endpoints (exact IRIs) queries may call; as a JSON list or "
        "comma-separated. Empty: no federation.",
    )
    result_cache_mb: int = Field(
        default=64,
        ge=0,
        description="Memory per server process for whole answers of repeated queries (each "
        "up to 1 MiB; the store is read-only, so they stay valid); 0 turns the cache off.",
    )
    cache_max_age: int = Field(
        default=60,
        ge=0,
        description="Seconds clients and proxies may reuse a GET response (Cache-Control).",
    )

    remote_engine: str = Field(
        default=AUTO,
        description="The remote store's engine, whose behaviours drugkg allows for "
        f"(`endpoint.execution.remote.engines`): {AUTO} (from its Server header), "
        + ", ".join(ENGINES)
        + ".",
    )
    remote_refresh: float = Field(
        default=60.0,
        gt=0,
        description="Seconds between two looks at the remote store's graphs and their sizes; "
        "when they changed, its counts are taken anew and caches and ETags follow.",
    )

    writable: bool = Field(
        default=False,
        description="Accept writes (SPARQL Update at /sparql, the Graph Store Protocol at "
        "/store) from clients that send the write token; `drugkg serve --writable`.",
    )
    write_token_file: Path | None = Field(
        default=None,
        description="A file holding the write token (at least 32 characters); required when "
        "writable. Writers send `Authorization: Bearer <token>`.",
    )
    max_write_bytes: int = Field(
        default=256 * 1024 * 1024,
        ge=1024,
        description="Largest write request (an update or a Graph Store Protocol payload); "
        "larger gets 413.",
    )
    write_timeout: float = Field(
        default=120.0,
        gt=0,
        description="Time limit of one write, in seconds, waiting for another writer "
        "included; a write over it is stopped and changes nothing (503).",
    )

    @field_validator("remote_engine")
    @classmethod
    def _check_engine(cls, value: str) -> str:
        name = value.strip().lower()
        if name != AUTO and name not in ENGINES:
            raise ValueError(f"unknown engine {value!r}; known: {AUTO}, {', '.join(ENGINES)}")
        return name

    @field_validator("federation_allowlist", mode="before")
    @classmethod
    def _split_allowlist(cls, value: Any) -> Any:
        if isinstance(value, str):
            text = value.strip()
            if text.startswith("["):
                return json.loads(text)
            return [item.strip() for item in text.split(",") if item.strip()]
        return value
