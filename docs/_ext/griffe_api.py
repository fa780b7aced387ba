"""Griffe extension for the manual: show ``stability``'s curated API on the API page.

``stability/__init__.py`` exports its public names lazily (``_API``: name -> module, and
``__all__ = sorted(_API)``), which static analysis cannot follow. This extension reads the
``_API`` literal and turns each name into an alias of its definition, so that ``::: stability``
documents exactly the curated list, whatever it holds.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import griffe


def curated_api(init: Path) -> dict[str, str]:
    """The ``_API`` mapping (public name -> defining module) of a package's ``__init__.py``."""
    for node in ast.parse(init.read_text(encoding="utf-8")).body:
        if isinstance(node, ast.Assign | ast.AnnAssign):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            if any(isinstance(t, ast.Name) and t.id == "_API" for t in targets):
                return ast.literal_eval(node.value)
    raise ValueError(f"no _API mapping in {init}")


#: Sphinx cross-reference roles (:func:`x`, :class:`~a.b`), which Markdown would show as typed.
_ROLE = re.compile(r":(?:py:)?(?:func|class|meth|mod|attr|data|exc|obj|const):`~?([^`]+)`")


def plain_roles(obj: griffe.Object) -> None:
    """Turn the Sphinx roles of ``obj``'s docstrings, and its members', into code spans."""
    if obj.docstring is not None:
        obj.docstring.value = _ROLE.sub(r"`\1`", obj.docstring.value)
    for member in obj.members.values():
        if not member.is_alias:
            plain_roles(member)


class CuratedApi(griffe.Extension):
    """Make every name of ``_API`` a documented member of the package; Sphinx roles in its
    docstrings read as code."""

    def on_package(self, *, pkg: griffe.Module, **kwargs: object) -> None:
        if pkg.name != "stability" or pkg.filepath is None:
            return
        api = curated_api(Path(str(pkg.filepath)))
        for name, module in api.items():
            pkg.set_member(name, griffe.Alias(name, f"{module}.{name}", parent=pkg))
        pkg.exports = sorted(api)
        plain_roles(pkg)
