"""Lower convex hull of one chemical system from arrays, and queries on it.

Construction mirrors pymatgen's ``PhaseDiagram`` (lowest entry per composition, only
entries below the elemental references, qhull "Qt i" with an extra point above the hull) so
that the facets, and hence every answer, are the same. Each facet carries its chemical
potentials mu (eV, relative to the elements), so the hull energy of any composition x
(atoms, extensive) is ``max_f mu_f . x``.
"""

from __future__ import annotations

import numpy as np
from scipy.spatial import ConvexHull, QhullError

from stability import config
from stability.errors import MissingDataError

FORMATION_TOL = 1e-11  # pymatgen's PhaseDiagram.formation_energy_tol
DET_TOL = 1e-14


class Hull:
    """The hull of ``fractions`` (n, k) with energies (n,) in eV/atom."""

    def __init__(self, fractions: np.ndarray, energy_per_atom: np.ndarray) -> None:
        n, k = fractions.shape
        self.k = k
        pure = np.isclose(fractions.max(axis=1), 1.0)
        refs = np.empty(k)
        for j in range(k):
            candidates = np.flatnonzero(pure & (fractions[:, j] > 0.5))
            if candidates.size == 0:
                raise MissingDataError(f"no elemental entry for element index {j}")
            refs[j] = energy_per_atom[candidates].min()
        self.refs = refs
        form = energy_per_atom - fractions @ refs

        # Lowest entry per composition (pymatgen groups by reduced formula).
        keys = np.round(fractions, 10)
        order = np.lexsort((form, *keys.T[::-1]))
        _, first = np.unique(keys[order], axis=0, return_index=True)
        best = order[first]
        keep = best[(form[best] < -FORMATION_TOL) | pure[best]]
        # One reference per element: the lowest pure entry.
        keep = np.unique(np.concatenate([keep[~pure[keep]], self._ref_rows(fractions, form, pure)]))
        self.vertex_rows = keep
        self.fractions = fractions[keep]
        self.form = form[keep]
        self.facets = self._facets()
        # Chemical potentials of each facet: fractions[f] @ mu = form[f].
        mats = self.fractions[self.facets]
        self.mu = np.linalg.solve(mats, self.form[self.facets][..., None])[..., 0]

    @staticmethod
    def _ref_rows(fractions: np.ndarray, form: np.ndarray, pure: np.ndarray) -> np.ndarray:
        rows = []
        for j in range(fractions.shape[1]):
            cand = np.flatnonzero(pure & (fractions[:, j] > 0.5))
            rows.append(cand[np.argmin(form[cand])])
        return np.array(rows)

    def _facets(self) -> np.ndarray:
        k = self.k
        if k == 1:
            return np.zeros((1, 1), dtype=int)
        data = np.column_stack([self.fractions[:, 1:], self.form])
        extra = np.full(k, 1.0 / k)
        extra[-1] = data.max() + 1
        data = np.vstack([data, extra])
        try:
            simplices = ConvexHull(data, qhull_options="Qt i").simplices
        except QhullError:
            simplices = ConvexHull(data, qhull_options="QJ i").simplices
        simplices = simplices[(simplices != len(data) - 1).all(axis=1)]
        m = data[simplices]
        m[..., -1] = 1.0
        ok = np.abs(np.linalg.det(m)) > DET_TOL
        return simplices[ok]

    def energy(self, x: np.ndarray) -> float:
        """Hull formation energy (eV) of the extensive composition ``x``."""
        return float((self.mu @ x).max())

    def decompose(self, x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Return (vertex indices, atoms of each) of the equilibrium at composition ``x``."""
        values = self.mu @ x
        top = values.max()
        total = x.sum()
        best = None
        for f in np.flatnonzero(values >= top - config.ENERGY_TOL * max(1.0, total))[
            np.argsort(-values[values >= top - config.ENERGY_TOL * max(1.0, total)])
        ]:
            lam = np.linalg.solve(self.fractions[self.facets[f]].T, x / total)
            if lam.min() >= -1e-8:
                best = (f, lam)
                break
            if best is None or lam.min() > best[1].min():
                best = (f, lam)
        f, lam = best
        lam = np.clip(lam, 0.0, None)
        keep = lam * total > config.AMOUNT_TOL
        return self.facets[f][keep], lam[keep] * total

    def envelope(self, host: np.ndarray, axis: int) -> tuple[np.ndarray, np.ndarray]:
        """Breakpoints along ``host + n * e_axis`` for n >= 0, and the slope right of each.

        The hull energy along this line is the upper envelope of the lines
        ``mu_f . host + n * mu_f[axis]``; its slopes are the open element's chemical
        potentials. Returns (n_breaks ascending from 0, mu_axis on the right of each).
        """
        a = self.mu @ host
        b = self.mu[:, axis]
        tol = config.ENERGY_TOL * max(1.0, float(np.abs(host).sum()))
        current = np.flatnonzero(a >= a.max() - tol)
        line = current[np.argmax(b[current])]
        breaks, slopes = [0.0], [b[line]]
        n = 0.0
        while True:
            steeper = b > b[line] + 1e-12
            if not steeper.any():
                break
            cross = (a[line] - a[steeper]) / (b[steeper] - b[line])
            idx = np.flatnonzero(steeper)
            valid = cross >= n - 1e-12
            if not valid.any():
                break
            cross, idx = cross[valid], idx[valid]
            n_next = cross.min()
            ties = idx[cross <= n_next + 1e-10 * max(1.0, abs(n_next))]
            line = ties[np.argmax(b[ties])]
            n = max(n_next, n)
            if n > breaks[-1] + 1e-12:
                breaks.append(n)
                slopes.append(b[line])
            else:
                slopes[-1] = b[line]
        return np.array(breaks), np.array(slopes)
