"""The settings of the knowledge graph: one typed object, read once at start-up.

Every field is set by an environment variable with the `DRUGKG_` prefix (for example
`DRUGKG_STORE`); the README lists them all. Commands take a `Settings`, they never read the
environment themselves. The server's own settings (addresses, limits, federation) extend
these in `endpoint.settings`.
"""

from pathlib import Path
from urllib.parse import urlsplit

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict


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
    remote: str | None = Field(
        default=None,
        description="The query URL of a remote SPARQL 1.1 server holding drugkg's graphs, "
        "which `serve` answers from instead of the store (`drugkg serve --remote URL`).",
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
        description="The shared folder: the W3C SPARQL 1.1 test suite (tests), and the verified "
        "identifiers `drugkg draft` suggests links from (linking/verified-ids.tsv).",
    )

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

    @field_validator("remote")
    @classmethod
    def _check_remote(cls, value: str | None) -> str | None:
        if value is None or not value.strip():
            return None
        parts = urlsplit(value.strip())
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ValueError(f"not an http(s) URL of a SPARQL query endpoint: {value!r}")
        return value.strip()

    @property
    def dump_path(self) -> Path:
        return self.dump if self.dump is not None else self.store.with_name("drugkg.nq")

    @property
    def verified_ids(self) -> Path:
        """The verified identifiers, the one source of external identifiers (DESIGN.md)."""
        return self.shared_dir / "linking" / "verified-ids.tsv"
