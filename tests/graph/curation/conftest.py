"""The fixture of the curation tests; their helpers are in curation_support."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from fixturepaths import FIXTURES
from projectcopy import environment


@pytest.fixture
def fixture_env(tmp_path: Path) -> dict[str, str]:
    """A copy of tests/fixtures/build, and the environment that points drugkg at it."""
    shutil.copytree(FIXTURES / "build", tmp_path / "data")
    return environment(tmp_path / "data", tmp_path / "var" / "store")
