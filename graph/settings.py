"""One typed settings object, read once at start-up.

Every field is set by an environment variable with the `DRUGKG_` prefix (for example
`DRUGKG_STORE`); the README lists them all. Handlers and commands take a `Settings`, they
never read the environment themselves.
"""

import json
from functools import lru_cache
from pathlib import Path
from typing import Annotated, Any

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="DRUGKG_", extra="ignore")

    store: Path = Field(
        default=Path("var/store"),
        description="Path of the pyoxigraph store that `build` writes and `serve` reads.",
    )
    dump: Path | None = Field(
        default=None,
        description="Path of the N-Quads dump `build` writes; default: beside the store.",
    )
    base_iri: str = Field(
        default="https://w3id.org/drugkg/",
        description="Base of every IRI drugkg mints; the data is rewritten to it at build time.",
    )
    union_default_graph: bool = Field(
        default=True,
        description="Queries see the union of the named graphs as their default graph.",
    )
    java: str | None = Field(
        default=None,
        description="The java executable HermiT runs on; default: `java` on the PATH.",
    )
    java_memory_mb: int = Field(default=1000, description="Heap for HermiT, in MiB.")
    shared_dir: Path = Field(
        default=Path("../shared"),
        description="The shared folder holding the W3C SPARQL 1.1 test suite (tests only).",
    )

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

    @field_validator("federation_allowlist", mode="before")
    @classmethod
    def _split_allowlist(cls, value: Any) -> Any:
        if isinstance(value, str):
            text = value.strip()
            if text.startswith("["):
                return json.loads(text)
            return [item.strip() for item in text.split(",") if item.strip()]
        return value

    ontology_file: Path | None = Field(
        default=None,
        description="The ontology (Turtle) the build reads; default: ontology/drugkg.ttl.",
    )
    seeds_dir: Path | None = Field(
        default=None, description="Folder of seed documents (DOC.txt + DOC.json); default: seeds/."
    )
    facts_dir: Path | None = Field(
        default=None, description="Folder of curated facts (DOC.trig); default: graph/facts/."
    )
    entities_dir: Path | None = Field(
        default=None, description="Folder of shared entities (*.ttl); default: graph/entities/."
    )
    links_dir: Path | None = Field(
        default=None, description="Folder of link sets (*.ttl); default: graph/links/."
    )
    shapes_dir: Path | None = Field(
        default=None, description="Folder of SHACL shapes (*.ttl); default: shapes/."
    )

    @property
    def dump_path(self) -> Path:
        return self.dump if self.dump is not None else self.store.with_name("drugkg.nq")


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return Settings()
