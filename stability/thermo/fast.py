"""The fast engine: one hull per chemical system, windows and profiles read off its facets.

A composition placed just below the hull (Zhu, He & Mo) becomes a breakpoint of the hull
along the Li axis; in the limit of a vanishing offset its window is bounded by the slopes
of the hull on either side, which are Li chemical potentials of existing facets. So no hull
is rebuilt per composition, and the limits do not depend on the offset at all.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache, lru_cache, partial
from typing import TYPE_CHECKING

import numpy as np

from stability import config
from stability.formula import composition_amounts, num_atoms, reduced_composition, reduced_formula
from stability.ions import DEFAULT_ION
from stability.thermo.base import (
    Engine,
    HullPoint,
    Kink,
    Mixing,
    Phase,
    PhaseSystem,
    ProfileStep,
    charge_of,
    same_composition,
)
from stability.thermo.hull import (
    FORMATION_TOL,
    HINT_GAP,
    Hull,
    HullInput,
    element_refs,
    envelope_around,
    hull_points,
)
from stability.thermo.system import SystemData
from stability.thermo.walk import WalkError, WalkHull, c_pivots_available

if TYPE_CHECKING:
    from stability.entries.table import EntryTable
    from stability.thermo.leave_out import LeaveOut


@cache
def _reduced(formula: str) -> tuple[str, float]:
    """(reduced formula, atoms per reduced formula unit) of a dataset formula."""
    amounts = composition_amounts(formula)
    reduced, _ = reduced_composition(amounts)
    # The reduced composition's formula is the composition's (reducing again is a waste).
    return reduced_formula(amounts), num_atoms(reduced)


@lru_cache(maxsize=4096)
def _reduced_amounts(items: tuple[tuple[str, float], ...]) -> tuple[str, float]:
    """(reduced formula, formula units) of a composition given as sorted (element, amount)."""
    amounts = dict(items)
    _, units = reduced_composition(amounts)
    return reduced_formula(amounts), float(units)


@dataclass(frozen=True)
class HullPaths:
    """Which hulls qhull builds: closed hulls of ``qhull_closed`` elements (first, last + 1)
    and grand hulls of ``qhull_grand`` closed elements; every other hull pivots, in C or
    numpy (``pivots``: "c" or "numpy", as ``config.PIVOTS``)."""

    qhull_closed: tuple[int, int]
    qhull_grand: tuple[int, int]
    pivots: str = "c"

    @classmethod
    def configured(cls) -> HullPaths:
        """The ranges and pivots in ``stability.config`` now; grand-hull bounds left unset
        are (6, 6), none, where the pivots run in C, else (3, 6)."""
        pivots = config.PIVOTS if c_pivots_available() else "numpy"
        unset = (6, 6) if pivots == "c" else (3, 6)
        grand = (config.GRAND_QHULL_MIN_ELEMENTS, config.GRAND_WALK_MIN_ELEMENTS)
        return cls(
            (config.QHULL_MIN_ELEMENTS, config.WALK_MIN_ELEMENTS),
            tuple(d if v is None else v for v, d in zip(grand, unset, strict=True)),
            pivots,
        )

    def walks(self, k: int) -> tuple[bool, bool]:
        """Whether the closed hull and the grand hulls (one element open) of a k-element
        system pivot."""
        lo, hi = self.qhull_closed
        grand_lo, grand_hi = self.qhull_grand
        return not lo <= k < hi, not grand_lo <= k - 1 < grand_hi


class FastSystem(PhaseSystem):
    def __init__(
        self, data: SystemData, walk: bool | None = None, paths: HullPaths | None = None
    ) -> None:
        """``walk``: answer by pivoting (thermo/walk.py) instead of qhull hulls, closed and
        grand alike; by default as ``paths`` say (default: ``HullPaths.configured()``).

        The choice depends on the system alone, never on what was built before, so every
        answer (to the last bit) is a function of the system and the query.
        """
        super().__init__(data)
        paths = paths or HullPaths.configured()
        grand_walk = walk
        if walk is None:
            walk, grand_walk = paths.walks(len(data.elements))
        self.walk = walk
        self._walk_type = partial(WalkHull, c_pivots=paths.pivots != "numpy")
        self._grand_type = self._walk_type if grand_walk else Hull
        self._references = element_refs(data.fractions, data.energy_per_atom)
        #: Elemental reference energies (eV/atom), the closed hull's ``refs``.
        self.refs = self._references[0]
        self._hull: Hull | WalkHull | None = None
        self.index = {el: j for j, el in enumerate(data.elements)}
        self._grand: dict[tuple[str, float], tuple[Hull, np.ndarray]] = {}
        self._last_grand: dict[str, Hull] = {}
        self._vertices: tuple[np.ndarray, np.ndarray] | None = None
        self._grand_input: dict[str, _GrandInput] = {}
        #: Per system row met in an equilibrium: (reduced formula, atoms per reduced formula
        #: unit, label), read once (each answer names two or three phases).
        self._named: dict[int, tuple[str, float, str]] = {}
        #: Atomic fractions of compositions mixed here (``_fractions_of``).
        self._fractions: dict[int, tuple[dict, dict, np.ndarray]] = {}

    @property
    def hull(self) -> Hull | WalkHull:
        """The closed hull, built on first use: with an element open only grand hulls are."""
        if self._hull is None:
            data = self.data
            points = hull_points(data.fractions, data.energy_per_atom, self._references)
            # Phases the dataset reports far above the hull are left out (and checked).
            distance = data.hull_distance
            above = None if distance is None else distance > HINT_GAP
            hull_type = self._walk_type if self.walk else Hull
            self._hull = hull_type(data.fractions, data.energy_per_atom, points=points, above=above)
        return self._hull

    def _vector(self, amounts: dict[str, float]) -> np.ndarray:
        x = np.zeros(len(self.data.elements))
        for el, a in amounts.items():
            x[self.index[str(el)]] += a
        return x

    def _phases(
        self,
        x: np.ndarray,
        hull: Hull | None = None,
        rows: np.ndarray | None = None,
        facet: object = None,
    ) -> tuple[Phase, ...]:
        """Equilibrium phases at ``x`` on ``hull`` (default: the closed hull).

        ``rows`` maps the hull's input rows to system rows (grand hulls drop some); amounts
        are moles per the atoms ``x`` counts (all atoms, or only the closed ones).
        ``facet``: a facet known to hold ``x`` (a pivoting hull's), or expected to (a qhull
        hull's, checked there).
        """
        hull = hull or self.hull
        verts, atoms = hull.decompose(x) if facet is None else hull.decompose(x, facet)
        picked = hull.vertex_rows[verts] if rows is None else rows[hull.vertex_rows[verts]]
        counted = self._counted(hull)
        out = []
        for row, n_atoms in zip(picked.tolist(), atoms, strict=True):
            formula, size, label = self._named_row(row)
            out.append(Phase(formula, label, float(n_atoms / (size * counted[row]))))
        return tuple(sorted(out, key=lambda p: p.formula))

    def _named_row(self, row: int) -> tuple[str, float, str]:
        """(reduced formula, atoms per reduced formula unit, label) of a system row."""
        named = self._named.get(row)
        if named is None:
            named = self._named[row] = (
                *_reduced(str(self.data.formula[row])),
                self.data.label(row),
            )
        return named

    def _counted(self, hull: Hull) -> np.ndarray:
        """Per system row, the fraction of its atoms that ``hull`` counts (kept on the hull)."""
        if hull.counted is None:
            hull.counted = self.data.fractions[:, self.closed_mask(hull)].sum(axis=1)
        return hull.counted

    def closed_mask(self, hull: Hull) -> np.ndarray:
        """Which elements ``hull`` counts: all for the closed hull, the non-open for grand ones."""
        if hull.closed is None:
            return np.ones(len(self.data.elements), dtype=bool)
        return hull.closed

    def hull_point(self, amounts: dict[str, float]) -> HullPoint:
        x = self._vector(amounts)
        total = x.sum()
        frac = x / total
        e_form = self.hull.energy(x) / total
        vertex = self._walk_vertex if self.walk else self._qhull_vertex
        own = dict(amounts)  # read later: a caller's dict may change by then
        return HullPoint(
            float(e_form + self.hull.refs @ frac),
            lambda: self._phases(x),
            lambda: vertex(own, x, frac, e_form),
        )

    def _walk_vertex(
        self, amounts: dict[str, float], x: np.ndarray, frac: np.ndarray, e_form: float
    ) -> bool:
        """Whether a row of this composition (atomic fractions ``frac``, hull formation energy
        ``e_form`` per atom) is on the hull: decomposed only then."""
        same = same_composition(self.data.fractions, frac)
        form = self.data.energy_per_atom[same] - self.data.fractions[same] @ self.hull.refs
        if not (same.size and form.min() <= e_form + config.ENERGY_TOL):
            return False
        # One phase alone at x, of this reduced formula (as ``_phases`` would give).
        verts, _ = self.hull.decompose(x)
        if len(verts) != 1:
            return False
        row = self.hull.vertex_rows[verts[0]]
        own, _ = _reduced_amounts(tuple(sorted(amounts.items())))
        return self._named_row(int(row))[0] == own

    def _qhull_vertex(
        self, amounts: dict[str, float], x: np.ndarray, frac: np.ndarray, e_form: float
    ) -> bool:
        return self._vertex_at(amounts, frac) is not None

    def _vertex_at(self, amounts: dict[str, float], frac: np.ndarray) -> int | None:
        """The system row of the closed hull's vertex that is ``amounts`` (at atomic fractions
        ``frac``), if any.

        A vertex is a corner of a facet, so its equilibrium is itself alone: the same test as
        decomposing and finding one phase with this reduced formula (a composition written
        with fractions, Li1Mn1.5Ni0.5O4, is not the phase Li2Mn3NiO8, as in pymatgen).
        """
        if self._vertices is None:
            rows = self.hull.vertex_rows[np.unique(self.hull.facets)]
            self._vertices = (rows, self.data.fractions[rows])
        rows, fractions = self._vertices
        same = same_composition(fractions, frac)
        if same.size == 0:
            return None
        row = int(rows[same[0]])
        own, _ = _reduced_amounts(tuple(sorted(amounts.items())))
        return row if self._named_row(row)[0] == own else None

    def ion_profile(
        self, amounts: dict[str, float], element: str = DEFAULT_ION
    ) -> list[ProfileStep]:
        return self._ion_steps(amounts, element, window_only=False)

    def ion_window_steps(
        self, amounts: dict[str, float], element: str = DEFAULT_ION
    ) -> list[ProfileStep]:
        return self._window_steps(amounts, element)

    def _window_steps(self, amounts: dict[str, float], element: str) -> list[ProfileStep]:
        """The window's three steps off the hull's facets next to the composition alone
        (``envelope_around``): the same steps ``_ion_steps`` finds walking the whole line."""
        z = charge_of(element)
        x = self._vector(amounts)
        axis = self.index[element]
        n_c = float(x[axis])
        host = x.copy()
        host[axis] = 0.0
        own_facet = None
        if isinstance(self.hull, WalkHull):
            try:
                near, own_facet, left_facet, right_facet = self.hull.around(x, axis)
            except WalkError:
                # Phases ~1e-9 apart in composition can make a pivot singular from this
                # start; the walk from no Li on does not meet them.
                return self._ion_steps(amounts, element, window_only=True)
        else:
            mu = self.hull.mu
            tol = config.ENERGY_TOL * max(1.0, float(np.abs(host).sum()))
            near = envelope_around(mu @ host, mu[:, axis], n_c, tol)
            left_facet, right_facet = near.left_facet, near.right_facet
        formula, units = _reduced_amounts(tuple(sorted(amounts.items())))
        steps = []
        if near.right is not None:
            y = host.copy()
            y[axis] = near.right
            phases = self._phases(y, facet=right_facet)
            steps.append(ProfileStep(near.slope_after, near.right - n_c, phases, charge=z))
        label = "placed"
        if near.at_break and own_facet is not None:
            # The composition alone at x, of its reduced formula (as ``_phases`` would give).
            verts, _ = self.hull.decompose(x, own_facet)
            if len(verts) == 1:
                found, _, found_label = self._named_row(int(self.hull.vertex_rows[verts[0]]))
                label = found_label if found == formula else label
        elif near.at_break:
            vertex = self._vertex_at(amounts, x / x.sum())
            label = label if vertex is None else self._named_row(vertex)[2]
        phases = (Phase(formula, label, float(units)),)
        steps.append(ProfileStep(near.slope_right, 0.0, phases, own=True, charge=z))
        if near.left is not None:
            y = host.copy()
            y[axis] = near.left
            phases = self._phases(y, facet=left_facet)
            steps.append(ProfileStep(near.slope_left, near.left - n_c, phases, charge=z))
        return steps

    def _ion_steps(
        self, amounts: dict[str, float], element: str, *, window_only: bool
    ) -> list[ProfileStep]:
        """The profile from the whole line walked from no ``element`` on; ``window_only``:
        only the three steps around the composition (the reference ``_window_steps`` is
        tested against)."""
        z = charge_of(element)
        x = self._vector(amounts)
        axis = self.index[element]
        n_c = float(x[axis])
        host = x.copy()
        host[axis] = 0.0
        facets: list = []
        if isinstance(self.hull, WalkHull):
            # Each breakpoint's facet comes with it: no second walk to find its phases.
            breaks, slopes, facets = self.hull.envelope_facets(host, axis)
        else:
            breaks, slopes = self.hull.envelope(host, axis)
        tol = config.ENERGY_TOL * max(1.0, n_c)
        hit = (np.abs(breaks - n_c) <= tol).nonzero()[0]
        formula, units = _reduced_amounts(tuple(sorted(amounts.items())))
        placed = hit.size == 0
        if placed:
            # The composition becomes a breakpoint of its own; both sides keep the old slope.
            j = int(np.searchsorted(breaks, n_c)) - 1
            breaks = np.insert(breaks, j + 1, n_c)
            slopes = np.insert(slopes, j + 1, slopes[j])
            if facets:
                facets.insert(j + 1, None)
            own = int(j + 1)
        else:
            own = int(hit[0])
        wanted = range(len(breaks) - 1, -1, -1)
        if window_only:
            wanted = [i for i in wanted if abs(i - own) <= 1]
        steps = []
        for i in wanted:
            phases: tuple[Phase, ...] = ()
            if not placed or i != own:
                y = host.copy()
                y[axis] = breaks[i]
                phases = self._phases(y, facet=facets[i] if facets else None)
            if i == own and not (len(phases) == 1 and phases[0].formula == formula):
                # Off the hull, or exactly on a tie line: the composition is placed there.
                phases = (Phase(formula, "placed", float(units)),)
            change = 0.0 if i == own else float(breaks[i] - n_c)
            steps.append(ProfileStep(float(slopes[i]), change, phases, own=i == own, charge=z))
        return steps

    def grand_hull(self, element: str, mu: float) -> tuple[Hull, np.ndarray]:
        """The grand-potential hull with ``element`` open at ``mu`` (eV, relative to its metal).

        Built from the cached system arrays: Phi = E - mu * N_open per atom of the other
        elements, as pymatgen's GrandPotentialPhaseDiagram, from every phase with another
        element (as pymatgen; no closed hull is needed). Returns (hull, system rows of its
        input rows).
        """
        key = (element, float(mu))
        if key in self._grand:
            return self._grand[key]
        inp = self._grand_input.get(element)
        if inp is None:
            inp = self._grand_input[element] = _GrandInput(self, element)
        phi = (inp.form_total - mu * inp.n_open) / inp.n_closed
        # The previous voltage's facets are reused when still valid (see Hull._plane_gaps).
        template = self._last_grand.get(element)
        hull = self._grand_type(inp.points.fractions, phi, template, inp.points.points(phi))
        hull.closed = inp.closed
        hull.counted = inp.counted
        self._last_grand[element] = hull
        if len(self._grand) > 256:
            self._grand.clear()
        self._grand[key] = (hull, inp.rows)
        return hull, inp.rows

    def _own_form_energy(self, frac: np.ndarray, hull_e: float) -> float:
        """Lowest entry energy at ``frac`` among entries below their elements, else the hull."""
        data = self.data
        same = same_composition(data.fractions, frac)
        if same.size == 0:
            return hull_e
        form = data.energy_per_atom[same] - data.fractions[same] @ self.refs
        pure = frac.max() > 1 - config.ENERGY_NOISE
        usable = form[(form < -FORMATION_TOL) | pure]
        return float(usable.min()) if usable.size else hull_e

    def mixing(
        self,
        a: dict[str, float],
        b: dict[str, float],
        *,
        mu_open: float | None = None,
        open_element: str = DEFAULT_ION,
        use_own_energy: bool = False,
        hull_energies: tuple[float, float] | None = None,
        phases: bool = True,
    ) -> Mixing:
        """See ``PhaseSystem.mixing``. ``hull_energies``: each reactant's closed hull energy
        (eV/atom, dataset scale) when already known (e.g. from its own system's hull): with
        an element open, the closed hull of this system is then never built. ``phases``:
        False leaves each kink's phases to ``Mixing.phases_of`` (a table row needs only
        those of its most negative kink)."""
        xa, xb = self._vector(a), self._vector(b)
        fa_all, fb_all = xa / xa.sum(), xb / xb.sum()
        same = bool(np.all(np.abs(fa_all - fb_all) <= 1e-8 + 1e-5 * np.abs(fb_all)))
        walked = None
        if mu_open is not None and hull_energies is not None:
            ea_all = float(hull_energies[0] - self.refs @ fa_all)
            eb_all = float(hull_energies[1] - self.refs @ fb_all)
        elif mu_open is None and not same and isinstance(self.hull, WalkHull):
            # Closed on a pivoting hull: the walk along the mixing line starts on the facet
            # at B (the one ``energy`` reads) and ends on one holding A, so both reactants'
            # hull energies come with it: one walk, not three.
            walked = self._segment(self.hull, fb_all, fa_all, phases)
            eb_all, ea_all = float(walked[1][0]), float(walked[1][-1])
        else:
            ea_all, eb_all = self.hull.energy(fa_all), self.hull.energy(fb_all)
        if use_own_energy:
            own_a = self._own_form_energy(fa_all, ea_all)
            own_b = self._own_form_energy(fb_all, eb_all)
        else:
            own_a, own_b = ea_all, eb_all
        if mu_open is None:
            hull, rows = self.hull, None
            fa, fb, ea, eb = fa_all, fb_all, own_a, own_b
            convert = None
        else:
            hull, rows = self.grand_hull(open_element, mu_open)
            closed = self.closed_mask(hull)
            ya, yb = xa[closed], xb[closed]
            fa, fb = ya / ya.sum(), yb / yb.sum()
            convert = (ya.sum() / xa.sum(), yb.sum() / xb.sum())
        facets: list | None = None
        if walked is not None:
            xs, energies, facets = walked
        elif np.all(np.abs(fa - fb) <= 1e-8 + 1e-5 * np.abs(fb)):  # np.allclose, cheaper
            if mu_open is not None:
                ea, eb = hull.energy(fa), hull.energy(fb)
            xs, energies = np.array([0.0, 1.0]), np.array([eb, ea])
        elif isinstance(hull, WalkHull):
            # The facet holding each kink comes with the walk: no walk per kink for its
            # phases, and the ends' grand energies are read off the same facets.
            xs, energies, facets = self._segment(hull, fb, fa, phases)
            if mu_open is not None:
                eb, ea = float(energies[0]), float(energies[-1])
        else:
            if mu_open is not None:
                ea, eb = hull.energy(fa), hull.energy(fb)
            # Each kink's facet (checked in decompose) spares a search of all facets.
            xs, energies, facets = hull.segment_facets(fb, fa)
        if mu_open is None:
            own = (ea_all - own_a, eb_all - own_b)
        else:
            axis = self.index[open_element]
            # Each reactant's own grand potential per closed atom, vs the grand hull there.
            phi_a = (own_a * xa.sum() - mu_open * xa[axis]) / ya.sum() - hull.refs @ fa
            phi_b = (own_b * xb.sum() - mu_open * xb[axis]) / yb.sum() - hull.refs @ fb
            own = (ea - phi_a, eb - phi_b)

        def phases_at(i: int) -> tuple[Phase, ...]:
            x = xs[i]
            facet = facets[i] if facets is not None else None
            if isinstance(facet, tuple):  # (basis, inverse, potentials): ``_segment``'s
                facet = hull.facet_from(facet)
            return self._phases((1 - x) * fb + x * fa, hull, rows, facet)

        kinks = []
        for i, (x, h) in enumerate(zip(xs, energies, strict=True)):
            e_rxn = float(h - x * ea - (1 - x) * eb)
            kink_phases = phases_at(i) if phases else ()
            if convert is not None:
                f1, f2 = convert
                x = x * f2 / ((1 - x) * f1 + x * f2)
            kinks.append(
                Kink(
                    float(x),
                    min(e_rxn, 0.0) if abs(e_rxn) < config.ENERGY_NOISE else e_rxn,
                    kink_phases,
                )
            )
        return Mixing(kinks, (float(own[0]), float(own[1])), None if phases else phases_at)

    def mixing_minimum(self, a: dict[str, float], b: dict[str, float]) -> float:
        """See ``PhaseSystem.mixing_minimum``. On a pivoting hull with the C pivots the line is
        walked in one call (``WalkHull.segment_kinks``), which computes the kinks' energies as
        ``mixing`` does (closed): the same number, to the bit."""
        hull = self.hull
        if isinstance(hull, WalkHull):
            found = hull.segment_kinks(self._fractions_of(b), self._fractions_of(a))
            if found is not None:
                e_rxn = found[2]
                # ``mixing``'s rounding of each kink, which keeps the order of the kinks.
                return min(e_rxn, 0.0) if abs(e_rxn) < config.ENERGY_NOISE else e_rxn
        return super().mixing_minimum(a, b)

    def _fractions_of(self, amounts: dict[str, float]) -> np.ndarray:
        """Atomic fractions of ``amounts`` over this system's elements (``mixing``'s), kept for
        the next line: a screen mixes each partner with every row of its group."""
        # Keyed by the dict itself (a material's amounts are one dict, ``interface._facts``),
        # which the entry holds, so that its id cannot be another's while kept.
        found = self._fractions.get(id(amounts))
        if found is None or found[0] is not amounts or found[1] != amounts:
            if len(self._fractions) >= 256:
                self._fractions.clear()
            x = self._vector(amounts)
            found = self._fractions[id(amounts)] = (amounts, dict(amounts), x / x.sum())
        return found[2]

    @staticmethod
    def _segment(
        hull: WalkHull, start: np.ndarray, end: np.ndarray, phases: bool
    ) -> tuple[np.ndarray, np.ndarray, list]:
        """``hull.segment_facets``; without ``phases`` (a table row reads the phases of one
        kink, if any), its kinks' energies with their facets' (basis, inverse, potentials),
        made into facets only when asked (``phases_at``)."""
        return hull.segment_facets(start, end) if phases else hull.segment_energies(start, end)


class _GrandInput:
    """What every grand hull of a system with one element open shares, whatever its mu:
    the rows with another element, their compositions over the closed elements (grouped
    once, ``HullInput``), their formation energies and atom counts."""

    def __init__(self, system: FastSystem, element: str) -> None:
        data = system.data
        axis = system.index[element]
        amounts = data.amounts
        self.closed = np.ones(amounts.shape[1], dtype=bool)
        self.closed[axis] = False
        n_closed = amounts[:, self.closed].sum(axis=1)
        self.rows = (n_closed > 0).nonzero()[0]
        rows = self.rows
        self.n_closed = n_closed[rows]
        self.n_open = amounts[rows, axis]
        form = data.energy_per_atom[rows] - data.fractions[rows] @ system.refs
        self.form_total = form * amounts[rows].sum(axis=1)
        self.points = HullInput(amounts[rows][:, self.closed] / self.n_closed[:, None])
        #: Per system row, the fraction of its atoms a grand hull counts.
        self.counted = data.fractions[:, self.closed].sum(axis=1)


class FastEngine(Engine):
    name = "fast"

    def __init__(self, table: EntryTable, leave_out: LeaveOut | None = None) -> None:
        super().__init__(table, leave_out)
        # Read once: every system this engine builds, now or later, takes the same paths.
        self.paths = HullPaths.configured()

    def _build(self, data: SystemData) -> PhaseSystem:
        return FastSystem(data, paths=self.paths)
