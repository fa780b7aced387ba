"""Shared steps of every analysis: parse a formula, check it against a dataset, get its system."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from pymatgen.core import Composition

from stability import config
from stability.errors import MissingDataError, StabilityError
from stability.formula import parse_formula
from stability.thermo.base import Engine, HullPoint, PhaseSystem

MEMO_SIZE = 256


@dataclass(frozen=True)
class Located:
    """A composition located on the hull of its chemical system."""

    formula: str
    composition: Composition
    amounts: dict[str, float]
    system: PhaseSystem
    hull: HullPoint
    e_above_hull_eV_per_atom: float | None
    material_id: str | None

    @property
    def placed_on_hull(self) -> bool:
        return not self.hull.is_vertex


def locate(engine: Engine, formula: str, *, need: str | None = config.WORKING_ION) -> Located:
    """Parse ``formula``, build (or reuse) its system's hull and place the composition on it.

    ``need`` only validates the composition; the located result does not depend on it, so
    it is memoised per engine by formula alone: scans and matrices locate the same reactants
    at every voltage, and a screen locates a row for its hull energy and its window.
    """
    comp = parse_formula(formula)
    elements = {str(el) for el in comp.elements}
    if need and need not in elements:
        raise StabilityError(f"{formula} contains no {need}: its {need} window is undefined")
    if need and elements == {need}:
        raise StabilityError(f"{formula} is {need} metal itself: it has no {need} window")
    key = ("locate", formula)
    memo = engine.memo
    if key in memo:
        memo.move_to_end(key)
        return memo[key]
    memo[key] = found = _locate(engine, formula, comp, elements)
    if len(memo) > MEMO_SIZE:
        memo.popitem(last=False)
    return found


def _locate(engine: Engine, formula: str, comp: Composition, elements: set[str]) -> Located:
    known = set(engine.table.elements)
    missing = sorted(el for el in elements if el not in known)
    if missing:
        raise MissingDataError(
            f"dataset {engine.table.name} has no entries with {', '.join(missing)}"
        )
    system = engine.system(elements)
    amounts = {str(el): float(a) for el, a in comp.items()}
    point = system.hull_point(amounts)
    e_above, mid = _own_entry(system, amounts, point.hull_energy_per_atom)
    return Located(formula, comp, amounts, system, point, e_above, mid)


def _own_entry(
    system: PhaseSystem, amounts: dict[str, float], hull_e: float
) -> tuple[float | None, str | None]:
    """Energy above hull of the dataset's lowest entry with this composition, and its id."""
    data = system.data
    x = np.array([amounts.get(el, 0.0) for el in data.elements])
    frac = x / x.sum()
    same = np.flatnonzero(np.abs(data.fractions - frac).max(axis=1) < 1e-8)
    same = same[data.rows[same] >= 0]  # implicit elements are not dataset entries
    if same.size == 0:
        return None, None
    best = same[np.argmin(data.energy_per_atom[same])]
    e_above = float(data.energy_per_atom[best] - hull_e)
    e_above = 0.0 if e_above < 1e-12 else e_above  # hull phases: rounding noise is not energy
    return e_above, (str(data.material_id[best]) or None)
