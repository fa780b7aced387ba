"""Shared steps of every analysis: read what the user gave, check it, place it on the hull.

Reading (a formula, a catalogue name, a pymatgen ``Composition``) and checking (does the
working ion make sense here?) happen here; placing on the hull is the engine's
(``Engine.locate``, memoised per engine).
"""

from __future__ import annotations

import sys
from dataclasses import dataclass
from typing import TYPE_CHECKING, Union

from stability.analysis.materials.names import Material, resolve_material
from stability.entries.table import EntryTable
from stability.errors import StabilityError
from stability.formula import parse_formula, written_formula
from stability.ions import DEFAULT_ION, IONS
from stability.thermo.base import Engine, HullPoint, Location, PhaseSystem

if TYPE_CHECKING:
    from pymatgen.core import Composition

#: What every ``compute_*`` accepts for a material (pymatgen is imported only where used).
MaterialLike = Union[str, "Composition"]  # noqa: UP007 - a runtime alias, read on Python 3.10


def _is_composition(obj: object) -> bool:
    """Is ``obj`` a pymatgen Composition? (One exists only once pymatgen is imported.)"""
    module = sys.modules.get("pymatgen.core.composition")
    return module is not None and isinstance(obj, module.Composition)


class NotApplicableError(StabilityError):
    """The question has no answer for this material (e.g. a window of a Li-free compound)."""


def read_material(material: MaterialLike | Material, table: EntryTable | None = None) -> Material:
    """Return the Material named by a formula, a catalogue label or alias, an mp-id (needs
    ``table``), a pymatgen Composition, or a Material.

    Raises TypeError for other types, StabilityError (one line) for names that don't resolve.
    """
    if isinstance(material, Material):
        return material
    if _is_composition(material):
        if material.num_atoms <= 0:
            raise StabilityError("the composition has no atoms")
        text = written_formula(material)
        parse_formula(text)  # the same checks as a typed formula
        return Material(text, text)
    if isinstance(material, str):
        return resolve_material(material, table)
    raise TypeError(
        "a material is a formula string (or a name) or a pymatgen Composition, "
        f"not {type(material).__name__}"
    )


def require_ion(material: Material, ion: str = DEFAULT_ION) -> None:
    """Raise NotApplicableError where an ``ion`` window is undefined for ``material``.

    A material without ``ion`` is told which working ions it holds (``--ion``); one that
    holds several is analysed with the ion asked for (Li by default), the others closed.
    """
    if ion not in material.elements:
        others = [i for i in IONS if i in material.elements and material.elements != {i}]
        hint = (
            f": choose the working ion with --ion {' or --ion '.join(others)}"
            if others
            else f": its {ion} window is undefined"
        )
        raise NotApplicableError(f"{material.label} contains no {ion}{hint}")
    if material.elements == {ion}:
        raise NotApplicableError(f"{material.label} is {ion} metal itself: it has no {ion} window")


@dataclass(frozen=True)
class Located:
    """A material placed on the hull of its chemical system."""

    material: Material
    location: Location

    @property
    def label(self) -> str:
        return self.material.label

    @property
    def formula(self) -> str:
        return self.material.formula

    @property
    def composition(self) -> Composition:
        return self.material.composition

    @property
    def reduced_formula(self) -> str:
        return self.material.reduced_formula

    @property
    def amounts(self) -> dict[str, float]:
        return self.location.amounts

    @property
    def system(self) -> PhaseSystem:
        return self.location.system

    @property
    def hull(self) -> HullPoint:
        return self.location.hull

    @property
    def e_above_hull_eV_per_atom(self) -> float | None:
        return self.location.e_above_hull_eV_per_atom

    @property
    def material_id(self) -> str | None:
        return self.location.material_id

    @property
    def placed_on_hull(self) -> bool:
        return self.location.placed_on_hull


def locate(
    engine: Engine, material: MaterialLike | Material, *, need: str | None = DEFAULT_ION
) -> Located:
    """Read ``material``, check it has ``need`` (if given), and place it on its hull."""
    mat = read_material(material, engine.table)
    if need:
        require_ion(mat, need)
    return Located(mat, engine.locate(mat.amounts))
