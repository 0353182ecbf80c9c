"""HTML from Jinja2 templates: Python passes data, the templates (endpoint/templates/) make the
markup, and every value is escaped on the way in (autoescape), so no page escapes by hand.

    render(name, **data)   a template filled in, as a string
    VENDOR_DIR             the browser libraries installed from npm by the set-up (`make`):
                           `yasgui/` for the query page, `swagger-ui/` for /docs; absent in a
                           checkout that has not run it, and then each page falls back

Templates extend `base.html` (the layout and its inline style sheet) and show RDF terms with
the macros of `terms.html`, from `Shown` values (`endpoint.linkeddata.pages.shown`).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined
from markupsafe import Markup

TEMPLATES_DIR = Path(__file__).resolve().parent / "templates"
VENDOR_DIR = Path(__file__).resolve().parent / "vendor"

_environment = Environment(
    loader=FileSystemLoader(TEMPLATES_DIR),
    autoescape=True,
    undefined=StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
    keep_trailing_newline=True,
)


def render(name: str, **data: Any) -> str:
    """The template `name` of endpoint/templates, filled in with `data`."""
    return _environment.get_template(name).render(**data)


def macro(template: str, name: str) -> Callable[..., Markup]:
    """A macro of a template, to call from Python: its output is markup the template made."""
    found: Callable[..., Markup] = getattr(_environment.get_template(template).module, name)
    return found
