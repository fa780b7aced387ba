"""The fast engine: one hull per chemical system, windows and profiles read off its facets.

A composition placed just below the hull (Zhu, He & Mo) becomes a breakpoint of the hull
along the Li axis; in the limit of a vanishing offset its window is bounded by the slopes
of the hull on either side, which are Li chemical potentials of existing facets. So no hull
is rebuilt per composition, and the limits do not depend on the offset at all.
"""

from __future__ import annotations

from functools import cache

import numpy as np
from pymatgen.core import Composition

from stability.thermo.base import Engine, HullPoint, Phase, PhaseSystem, ProfileStep
from stability.thermo.hull import Hull
from stability.thermo.system import SystemData


@cache
def _reduced(formula: str) -> tuple[str, float]:
    reduced = Composition(formula).reduced_composition
    return reduced.reduced_formula, reduced.num_atoms


class FastSystem(PhaseSystem):
    def __init__(self, data: SystemData) -> None:
        super().__init__(data)
        self.hull = Hull(data.fractions, data.energy_per_atom)
        self.index = {el: j for j, el in enumerate(data.elements)}

    def _vector(self, amounts: dict[str, float]) -> np.ndarray:
        x = np.zeros(len(self.data.elements))
        for el, a in amounts.items():
            x[self.index[str(el)]] += a
        return x

    def _phases(self, x: np.ndarray) -> tuple[Phase, ...]:
        verts, atoms = self.hull.decompose(x)
        rows = self.hull.vertex_rows[verts]
        out = []
        for row, n_atoms in zip(rows, atoms, strict=True):
            formula, size = _reduced(str(self.data.formula[row]))
            out.append(Phase(formula, self.data.label(row), float(n_atoms / size)))
        return tuple(sorted(out, key=lambda p: p.formula))

    def hull_point(self, amounts: dict[str, float]) -> HullPoint:
        x = self._vector(amounts)
        total = x.sum()
        e_form = self.hull.energy(x) / total
        phases = self._phases(x)
        own = Composition(amounts).reduced_formula
        vertex = len(phases) == 1 and phases[0].formula == own
        return HullPoint(float(e_form + self.hull.refs @ (x / total)), phases, vertex)

    def li_profile(self, amounts: dict[str, float], element: str = "Li") -> list[ProfileStep]:
        x = self._vector(amounts)
        axis = self.index[element]
        n_c = float(x[axis])
        host = x.copy()
        host[axis] = 0.0
        breaks, slopes = self.hull.envelope(host, axis)
        tol = 1e-9 * max(1.0, n_c)
        hit = np.flatnonzero(np.abs(breaks - n_c) <= tol)
        formula = Composition(amounts).reduced_formula
        placed = hit.size == 0
        if placed:
            # The composition becomes a breakpoint of its own; both sides keep the old slope.
            j = int(np.searchsorted(breaks, n_c)) - 1
            breaks = np.insert(breaks, j + 1, n_c)
            slopes = np.insert(slopes, j + 1, slopes[j])
            own = int(j + 1)
        else:
            own = int(hit[0])
        steps = []
        for i in range(len(breaks) - 1, -1, -1):
            phases: tuple[Phase, ...] = ()
            if not placed or i != own:
                y = host.copy()
                y[axis] = breaks[i]
                phases = self._phases(y)
            if i == own and not (len(phases) == 1 and phases[0].formula == formula):
                # Off the hull, or exactly on a tie line: the composition is placed there.
                phases = (Phase(formula, "placed", 1.0),)
            change = 0.0 if i == own else float(breaks[i] - n_c)
            steps.append(ProfileStep(float(slopes[i]), change, phases))
        return steps


class FastEngine(Engine):
    name = "fast"

    def _build(self, data: SystemData) -> PhaseSystem:
        return FastSystem(data)
