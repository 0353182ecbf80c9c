"""The layout's rules, checked on the import graph (grimp reads every import statement,
those under `if TYPE_CHECKING:` too): no import cycles within a package, and dependencies
one way only: `endpoint` uses `graph`, never the reverse; neither uses `bench`.
"""

from __future__ import annotations

import grimp
import pytest

PACKAGES = ("graph", "endpoint", "bench")
FORBIDDEN = [("graph", "endpoint"), ("graph", "bench"), ("endpoint", "bench")]


@pytest.fixture(scope="module")
def imports() -> grimp.ImportGraph:
    return grimp.build_graph(*PACKAGES, include_external_packages=False, cache_dir=None)


def _package(module: str) -> str:
    return module.split(".", 1)[0]


@pytest.mark.parametrize(("importer", "imported"), FORBIDDEN)
def test_dependencies_run_one_way(imports: grimp.ImportGraph, importer: str, imported: str) -> None:
    wrong = sorted(
        f"{module} imports {target}"
        for module in imports.modules
        if _package(module) == importer
        for target in imports.find_modules_directly_imported_by(module)
        if _package(target) == imported
    )
    assert wrong == [], f"{importer} must not import {imported}:\n" + "\n".join(wrong)


def test_no_import_cycles(imports: grimp.ImportGraph) -> None:
    cycles: set[tuple[str, ...]] = set()
    for module in sorted(imports.modules):
        for target in imports.find_modules_directly_imported_by(module):
            back = imports.find_shortest_chain(importer=target, imported=module)
            if back is not None:
                cycle = (module, *back)
                start = cycle.index(min(cycle[:-1]))
                cycles.add(cycle[start:-1] + cycle[:start])
    assert not cycles, "import cycles:\n" + "\n".join(" -> ".join(c) for c in sorted(cycles))
