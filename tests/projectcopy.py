"""A copy of the project's data for a test, and the two-document graph built from one.

    copy_real_data(target)        the article's seeds, facts, entities, links and shapes
    environment(data, store)      DRUGKG_* pointing drugkg at a copy (for subprocesses)
    build_two_documents(root)     the copy with the invented second document of
                                  tests/fixtures/curation added and curated (its README), built
                                  into a store: the settings of that store

The second document is a test fixture, never shipped as data.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

from fixturepaths import FIXTURES

from graph import paths
from graph.curation.sources import add_source
from graph.pipeline.build import build
from graph.settings import Settings

SECOND = "fixture-fentanyl-routes"
"""The invented second document's id."""
CURATION = FIXTURES / "curation"


def copy_real_data(target: Path) -> Path:
    """The article's seeds, facts, entities, links and shapes, copied under `target`."""
    folders = {
        "seeds": paths.SEEDS_DIR,
        "facts": paths.FACTS_DIR,
        "entities": paths.ENTITIES_DIR,
        "links": paths.LINKS_DIR,
        "shapes": paths.SHAPES_DIR,
    }
    for name, folder in folders.items():
        shutil.copytree(folder, target / name, ignore=shutil.ignore_patterns("*.md"))
    return target


def environment(data: Path, store: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("DRUGKG_")}
    env.update(
        DRUGKG_STORE=str(store),
        DRUGKG_ONTOLOGY_FILE=str(paths.ONTOLOGY_FILE),
        DRUGKG_SEEDS_DIR=str(data / "seeds"),
        DRUGKG_FACTS_DIR=str(data / "facts"),
        DRUGKG_ENTITIES_DIR=str(data / "entities"),
        DRUGKG_LINKS_DIR=str(data / "links"),
        DRUGKG_SHAPES_DIR=str(data / "shapes"),
    )
    return env


def build_two_documents(root: Path) -> Settings:
    """The article and the second document (its curated facts and entities from the fixture),
    built by the real build into `root/store`."""
    data = copy_real_data(root / "data")
    add_source(
        CURATION / f"{SECOND}.txt",
        doc_id=SECOND,
        title="Fentanyl routes and the border debate (test fixture)",
        publisher="Fixture Gazette",
        date="2019-03-04",
        url=None,
        language="en",
        seeds_dir=data / "seeds",
        entities_dir=data / "entities",
    )
    shutil.copy(CURATION / f"{SECOND}.trig", data / "facts")
    shutil.copy(CURATION / "entities.ttl", data / "entities" / "fixture-curation.ttl")
    shutil.copy(CURATION / "entities-okafor.ttl", data / "entities" / "fixture-okafor.ttl")
    settings = Settings(
        store=root / "store",
        dump=root / "drugkg.nq",
        ontology_file=paths.ONTOLOGY_FILE,
        seeds_dir=data / "seeds",
        facts_dir=data / "facts",
        entities_dir=data / "entities",
        links_dir=data / "links",
        shapes_dir=data / "shapes",
    )
    build(settings)
    return settings
