"""Where the data the code reads lives: in the repository, or bundled inside the wheel.

A non-editable install carries ontology/, shapes/, seeds/ and queries/ under graph/_data/;
an editable install or a checkout reads them from the repository root. Facts, entities and
links are package data of `graph` in both cases.
"""

from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parent
_BUNDLED = PACKAGE_DIR / "_data"
DATA_ROOT = _BUNDLED if _BUNDLED.is_dir() else PACKAGE_DIR.parent

ONTOLOGY_DIR = DATA_ROOT / "ontology"
ONTOLOGY_FILE = ONTOLOGY_DIR / "drugkg.ttl"
SHAPES_DIR = DATA_ROOT / "shapes"
SEEDS_DIR = DATA_ROOT / "seeds"
QUERIES_DIR = DATA_ROOT / "queries"
FACTS_DIR = PACKAGE_DIR / "facts"
ENTITIES_DIR = PACKAGE_DIR / "entities"
LINKS_DIR = PACKAGE_DIR / "links"
