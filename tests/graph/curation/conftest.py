"""Running the installed `drugkg` command on a copy of the data, for the curation commands.

`run` starts the console script as a subprocess with DRUGKG_* pointing at a copy: the fixture
data of tests/fixtures/build (`fixture_env`, small and fast) or the real data of this checkout
(`real_env`: the article's seed, facts, entities, links and shapes).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest
from fixturepaths import FIXTURES

from graph import paths

DRUGKG = Path(sys.executable).with_name("drugkg")


@dataclass(frozen=True)
class Run:
    code: int
    out: str
    err: str


def run(env: dict[str, str], *args: str) -> Run:
    done = subprocess.run(
        [str(DRUGKG), *args], env=env, capture_output=True, text=True, check=False
    )
    assert "Traceback" not in done.stderr, done.stderr
    return Run(done.returncode, done.stdout, done.stderr)


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


@pytest.fixture
def fixture_env(tmp_path: Path) -> dict[str, str]:
    """A copy of tests/fixtures/build, and the environment that points drugkg at it."""
    shutil.copytree(FIXTURES / "build", tmp_path / "data")
    return environment(tmp_path / "data", tmp_path / "var" / "store")


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
