"""Phases left out of every hull an engine builds: named ones (``--exclude``) and, with a
predicate, every hull phase it flags (``--exclude-flagged``).

Applied to each chemical system as the engine selects it, before any hull is built, so every
answer (windows, profiles, interfaces, uncertainties) is that of the dataset without them.
A dataset's reported hull distances (hints that let a hull skip phases far above it) are
dropped for every row whose elements include those of a phase left out: with the phase gone
such a row may sit on the hull, and a stale hint must not hide it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

import numpy as np

from stability import config
from stability.entries.table import EntryTable
from stability.errors import StabilityError
from stability.formula import formula_amounts, reduced_formula
from stability.thermo.hull import HINT_GAP, Hull
from stability.thermo.system import SystemData

#: Why a phase named on the command line was left out.
BY_NAME = "--exclude"


@dataclass
class LeaveOut:
    """What to leave out: ``formulas`` (reduced formulas, every polymorph) and, when
    ``flagged`` is given, every hull phase for which it returns a reason.

    ``left_out`` collects {reduced formula: reason} of the phases actually removed from the
    systems built so far (what the output says was left out)."""

    formulas: frozenset[str] = frozenset()
    flagged: Callable[[str], str | None] | None = None
    left_out: dict[str, str] = field(default_factory=dict)

    @classmethod
    def of(
        cls,
        table: EntryTable,
        exclude: Iterable[str] = (),
        flagged: Callable[[str], str | None] | None = None,
    ) -> LeaveOut | None:
        """Check every named phase (a compound the dataset holds) and return the LeaveOut;
        None when there is nothing to leave out."""
        names = []
        for text in exclude:
            amounts = formula_amounts(text)
            if len(amounts) < 2:
                raise StabilityError(
                    f"--exclude {text}: an element cannot be left out (it is every hull's corner)"
                )
            missing = [el for el in amounts if el not in table.element_index]
            if missing or not table.rows_with(amounts).size:
                raise StabilityError(
                    f"--exclude {text}: dataset {table.name} has no phase {reduced_formula(amounts)}"
                )
            names.append(reduced_formula(amounts))
        if not names and flagged is None:
            return None
        return cls(frozenset(names), flagged)

    def apply(self, data: SystemData) -> SystemData:
        """``data`` without the phases to leave out (hints of the rows they affect dropped)."""
        named = self._named_rows(data)
        drop = np.zeros(len(data.rows), dtype=bool)
        for formula, rows in named.items():
            if rows.size:
                drop[rows] = True
                self.left_out.setdefault(formula, BY_NAME)
        if self.flagged is not None:
            checked: set[int] = set()
            while True:  # a phase left out can leave another flagged one on the hull
                found = self._flagged_vertices(_without(data, drop), drop, checked)
                if not found.any():
                    break
                drop |= found
        return _without(data, drop) if drop.any() else data

    def _named_rows(self, data: SystemData) -> dict[str, np.ndarray]:
        out = {}
        for formula in self.formulas:
            amounts = formula_amounts(formula)
            if not set(amounts) <= set(data.elements):
                continue
            x = np.array([amounts.get(el, 0.0) for el in data.elements])
            out[formula] = _same(data.fractions, x / x.sum(), data.rows)
        return out

    def _flagged_vertices(
        self, data: SystemData, dropped: np.ndarray, checked: set[int]
    ) -> np.ndarray:
        """Rows (of the full system) of every composition whose phase is on the hull of
        ``data`` (the system without ``dropped``) and flagged."""
        found = np.zeros(len(dropped), dtype=bool)
        kept = (~dropped).nonzero()[0]
        if len(data.elements) < 2 or len(kept) <= len(data.elements):
            return found
        distance = data.hull_distance
        above = None if distance is None else distance > HINT_GAP
        hull = Hull(data.fractions, data.energy_per_atom, above=above)
        vertices = np.unique(hull.vertex_rows[np.unique(hull.facets)])
        for v in vertices.tolist():
            row = int(kept[v])
            if row in checked or np.count_nonzero(data.amounts[v]) < 2:
                continue
            checked.add(row)
            amounts = dict(zip(data.elements, data.amounts[v].tolist(), strict=True))
            formula = reduced_formula({el: a for el, a in amounts.items() if a > 0})
            reason = self.flagged(formula)
            if reason:
                self.left_out.setdefault(formula, reason)
                frac = data.fractions[v]
                found[_same(full_fractions(data, dropped, kept), frac, None)] = True
        return found


def full_fractions(data: SystemData, dropped: np.ndarray, kept: np.ndarray) -> np.ndarray:
    """The fractions of the full system's rows (``data`` holds only the ``kept`` ones)."""
    out = np.full((len(dropped), data.fractions.shape[1]), -1.0)
    out[kept] = data.fractions
    return out


def _same(fractions: np.ndarray, frac: np.ndarray, rows: np.ndarray | None) -> np.ndarray:
    """Rows of ``fractions`` with the composition ``frac`` (dataset rows only)."""
    same = (np.abs(fractions - frac).max(axis=1) < config.COMPOSITION_TOL).nonzero()[0]
    return same if rows is None else same[rows[same] >= 0]


def _without(data: SystemData, drop: np.ndarray) -> SystemData:
    """``data`` without the rows ``drop`` marks; hints dropped for rows whose elements include
    those of a row left out."""
    if not drop.any():
        return data
    keep = ~drop
    distance = None
    if data.hull_distance is not None:
        distance = data.hull_distance.copy()
        present = data.amounts > 0
        for mask in np.unique(present[drop], axis=0):
            distance[(present[:, mask]).all(axis=1)] = np.nan
        distance = distance[keep]
    return data.take(keep, distance)
