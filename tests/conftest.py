"""Shared fixtures: a store built once from the real data, and copies of the fixture data.

`built_store` runs the real build (ontology, seeds, facts, links, shapes of this checkout, with
HermiT and pySHACL) once per test session into a temporary directory and yields its Settings;
any test that needs the real graph queries `Store.read_only(str(settings.store))` or uses
`graph.storage.versions.open_read_only`.

`two_documents` builds, once per session, the real data with the invented second document of
tests/fixtures/curation added and curated (tests/projectcopy.py), for the pages across
documents.

`shared_dir` is the shared folder beside the checkout (DRUGKG_SHARED_DIR): tests that need it
are skipped with the reason when it is absent, and fail when it is absent in CI (CI=true).

`fixture_sources` is a fresh copy of tests/fixtures/build (a tiny seed with its facts, entities,
a link set and shapes) that a test may break on purpose; `fixture_settings` points a store and
the data settings at that copy.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from liveservers import unavailable
from projectcopy import build_two_documents

from graph.paths import ONTOLOGY_FILE
from graph.pipeline.build import build
from graph.pipeline.inputs import Sources
from graph.settings import Settings

FIXTURES = Path(__file__).resolve().parent / "fixtures"


@pytest.fixture(scope="session")
def shared_dir() -> Path:
    """The shared folder: skipped when absent, a failure when absent in CI."""
    path = Settings().shared_dir
    if not path.is_dir():
        message = f"no shared folder at {path.resolve()} (set DRUGKG_SHARED_DIR)"
        unavailable(message)
    return path


@pytest.fixture(scope="session")
def built_store(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    """Settings of a store built once from the real data (the build must pass its checks)."""
    root = tmp_path_factory.mktemp("built")
    settings = Settings(store=root / "store", dump=root / "drugkg.nq")
    build(settings)
    return settings


@pytest.fixture(scope="session")
def two_documents(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    """Settings of a store built once from the article and the second, invented document."""
    return build_two_documents(tmp_path_factory.mktemp("two-documents"))


def copy_fixture_data(target: Path) -> Sources:
    """Copy tests/fixtures/build under `target`; Sources reading the copy and the real ontology."""
    shutil.copytree(FIXTURES / "build", target)
    return Sources(
        ontology=ONTOLOGY_FILE,
        seeds=target / "seeds",
        facts=target / "facts",
        links=target / "links",
        shapes=target / "shapes",
        entities=target / "entities",
    )


def settings_for(sources: Sources, store: Path) -> Settings:
    """Settings that build `sources` into `store` (the dump beside it)."""
    return Settings(
        store=store,
        dump=store.with_name("drugkg.nq"),
        ontology_file=sources.ontology,
        seeds_dir=sources.seeds,
        facts_dir=sources.facts,
        links_dir=sources.links,
        shapes_dir=sources.shapes,
        entities_dir=sources.entities,
    )


@pytest.fixture
def fixture_sources(tmp_path: Path) -> Sources:
    """A fresh, writable copy of the fixture data."""
    return copy_fixture_data(tmp_path / "data")


@pytest.fixture
def fixture_settings(fixture_sources: Sources, tmp_path: Path) -> Settings:
    """Settings building the fixture copy into tmp_path/var/store."""
    return settings_for(fixture_sources, tmp_path / "var" / "store")
