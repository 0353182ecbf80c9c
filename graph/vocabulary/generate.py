"""Generate `graph/vocabulary/namespace.py` from the ontology: code reaches terms only through it.

Run `python -m graph.vocabulary.generate` after editing `ontology/drugkg.ttl`;
`tests/graph/vocabulary/test_namespace.py` fails when the module and the ontology drift apart. The
module is a closed rdflib `DefinedNamespace` per vocabulary, so a misspelt term fails at import, not
at query time.
"""

import keyword
import sys
from pathlib import Path

import rdflib
from rdflib.namespace import OWL, RDF

from graph.paths import ONTOLOGY_FILE

MODULE_PATH = Path(__file__).resolve().parent / "namespace.py"
DK_NS = "https://w3id.org/drugkg/ontology#"
OA_NS = "http://www.w3.org/ns/oa#"

_DECLARATIONS = (
    OWL.Class,
    OWL.ObjectProperty,
    OWL.DatatypeProperty,
    OWL.AnnotationProperty,
    OWL.NamedIndividual,
)


def ontology_terms(ontology: Path, namespace: str) -> list[str]:
    """Local names of every term the ontology declares in `namespace`, sorted."""
    g = rdflib.Graph().parse(ontology, format="turtle")
    names: set[str] = set()
    for kind in _DECLARATIONS:
        for s in g.subjects(RDF.type, kind):
            if isinstance(s, rdflib.URIRef) and str(s).startswith(namespace):
                names.add(str(s)[len(namespace) :])
    return sorted(names)


def _class_body(names: list[str]) -> str:
    lines = []
    for name in names:
        if not name.isidentifier() or keyword.iskeyword(name):
            raise ValueError(f"ontology term {name!r} is not a Python identifier")
        lines.append(f"    {name}: URIRef")
    return "\n".join(lines)


def render(ontology: Path = ONTOLOGY_FILE) -> str:
    dk = ontology_terms(ontology, DK_NS)
    oa = ontology_terms(ontology, OA_NS)
    return f'''"""Do not edit: generated from ontology/drugkg.ttl
by `python -m graph.vocabulary.generate`.

Closed namespaces of the terms the ontology declares; a misspelt term fails at import.
"""

from rdflib import Namespace, URIRef
from rdflib.namespace import (
    DCTERMS,
    FOAF,
    ORG,
    OWL,
    PROV,
    RDF,
    RDFS,
    SDO,
    SKOS,
    VOID,
    XSD,
    DefinedNamespace,
)

BASE = "https://w3id.org/drugkg/"
DKID = Namespace(BASE + "id/")
SOURCE = Namespace(BASE + "source/")
GRAPH = Namespace(BASE + "graph/")
ONTOLOGY_IRI = URIRef(BASE + "ontology")
SD = Namespace("http://www.w3.org/ns/sparql-service-description#")


class DK(DefinedNamespace):
    """The drugkg ontology, {DK_NS}"""

    _NS = Namespace("{DK_NS}")
    _fail = True

{_class_body(dk)}


class OA(DefinedNamespace):
    """The W3C Web Annotation terms drugkg uses, {OA_NS}"""

    _NS = Namespace("{OA_NS}")
    _fail = True

{_class_body(oa)}


__all__ = [
    "BASE",
    "DCTERMS",
    "DK",
    "DKID",
    "FOAF",
    "GRAPH",
    "OA",
    "ONTOLOGY_IRI",
    "ORG",
    "OWL",
    "PROV",
    "RDF",
    "RDFS",
    "SD",
    "SDO",
    "SKOS",
    "SOURCE",
    "VOID",
    "XSD",
]
'''


def main() -> int:
    MODULE_PATH.write_text(render(), encoding="utf-8")
    print(f"wrote {MODULE_PATH}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
