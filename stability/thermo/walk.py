"""Hull queries without building the hull: facets found and walked by simplex pivots.

qhull's cost grows steeply with the number of elements (an 11-element system did not finish
in 12 minutes at 2.3 GB), yet every query the engine makes is about a point or a line: the
hull energy and decomposition at a composition, and the facets a line crosses (the Li axis
for windows and profiles, a mixing segment for interfaces). Each is a linear program over
the phases, ``min e . a`` subject to ``F^T a = y, a >= 0``: a facet of the lower hull is an
optimal basis (k phases), its chemical potentials ``mu`` the dual solution, and moving along
a line is the parametric dual simplex: when a phase's amount reaches zero it leaves, and the
phase that enters is the first one met by the facet's plane rotated about the remaining face
(the dual ratio test). The first facet comes from a primal simplex started on the elements.

Pivots solve k x k systems exactly, and the points are chosen as ``Hull`` chooses them
(``hull_points``), so breakpoints, slopes and decompositions are the hull's; only the
triangulation among exactly coplanar points may differ, as it may between qhull runs. Work
is a few matrix-vector products over the phases per pivot. The pivots run in C
(``_pivots.c``, built at install where a C compiler is found) or, without it or with
``STABILITY_PIVOTS=numpy``, in numpy, by the same rules. A line walk in C returns to Python
every CHUNK pivots; the first facet and the walk around a composition are one call each, of
a few pivots (at most the hull's pivot budget), and a mixing line walked for its energies
alone (``segment_kinks``) is one call that looks for a signal every 16 pivots, so a long
computation stops at once on Ctrl-C.
"""

from __future__ import annotations

from functools import cached_property

import numpy as np

from stability import config
from stability.errors import StabilityError
from stability.thermo.hull import MERGE_TOL, PRUNE_GAP, Around, element_rows, hull_points

try:
    from stability.thermo import _pivots
except ImportError:  # built without a C compiler: the pivots run in numpy
    _pivots = None
#: What the C pivots must offer; a build older than this source (a checkout updated without
#: ``make install``) lacks some, and the pivots then run in numpy rather than fail mid-run.
C_FUNCTIONS = ("first_facet", "walk", "segment", "around")
if _pivots is not None and not all(hasattr(_pivots, f) for f in C_FUNCTIONS):
    _pivots = None

#: Reduced costs above this (eV/atom) count as positive: a point on or above the plane.
COST_TOL = 1e-12
#: Pivot elements smaller than this are numerical zeros.
PIVOT_TOL = 1e-9
#: Points whose facet a hull remembers (each walked to from the same start, so a
#: remembered facet is the one a new walk would find).
MEMO_POINTS = 64
#: Pivots a hull remembers (facet and leaving position -> the facet entered).
MEMO_PIVOTS = 4096
#: Pivots the C walk makes per call, at most (Python reads them between calls); a walk's
#: first call makes FIRST_CHUNK (most callers stop at the next breakpoint, a few pivots on).
CHUNK = 16
FIRST_CHUNK = 4
#: Kinks a mixing line's walk in one C call (``segment_kinks``) has room for; a line with
#: more is walked by ``segment_energies``.
KINKS = 256
#: The C walk's status codes (``_pivots.c``).
_SETTLED, _MORE, _UNSUPPORTED = 0, 1, 5
_FAILURES = {
    2: "the walk along a line did not settle",
    3: "the line leaves the composition space",
    4: "a singular basis met while walking the hull",
    6: "a number that is not finite met while walking the hull",
}


def c_pivots_available() -> bool:
    """Whether the C pivots (``_pivots.c``) were built with this install."""
    return _pivots is not None


def _line_tolerances(
    y0: np.ndarray, d: np.ndarray, t_end: float
) -> tuple[np.ndarray, float, float]:
    """The line ``y0 + t d`` as one float64 array (rows y0, d); the rate below which a basis
    amount counts as shrinking; and the t from which ``t_end`` counts as reached (NaN when
    it is +inf: never)."""
    line = np.array([y0, d], dtype=float)
    return line, -1e-13 * max(1.0, float(np.abs(line).sum())), t_end - 1e-12 * max(1.0, t_end)


def _element_starts(fractions: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Which rows are pure, and each element's first pure row (``element_rows``'s): read
    directly where each element has one pure row, as the rows ``hull_points`` keeps do."""
    k = fractions.shape[1]
    pure = np.count_nonzero(fractions > 0, axis=1) == 1
    pure_rows = pure.nonzero()[0]
    if len(pure_rows) == k:
        starts = np.full(k, -1, dtype=np.int64)
        starts[fractions[pure_rows].argmax(axis=1)] = pure_rows
        if (starts >= 0).all():  # one pure row of each element
            return pure, starts
    pure, ref_rows = element_rows(fractions)
    return pure, np.array([rows[0] for rows in ref_rows], dtype=np.int64)


class WalkError(StabilityError):
    """The pivots did not settle (cycling among exactly coplanar points)."""


def _copies(basis: np.ndarray, inv: np.ndarray, mu: np.ndarray) -> tuple:
    """(basis, inverse, potentials) copied out of the C walk's buffers."""
    return basis.copy(), inv.copy(), mu.copy()


class _Facet:
    """A basis of k phases: their fraction matrix's inverse and the plane's chemical potentials."""

    __slots__ = ("basis", "inv", "mu", "supported")

    def __init__(self, basis: np.ndarray, fractions: np.ndarray, form: np.ndarray) -> None:
        self.basis = basis
        try:
            self.inv = np.linalg.inv(fractions[basis])
        except np.linalg.LinAlgError:
            raise WalkError("a singular basis met while walking the hull") from None
        self.mu = self.inv @ form[basis]
        #: Whether the rows a hull left out lie above this facet (``WalkHull._supports``),
        #: once known: facets come back from the memos, and answers check them again.
        self.supported: bool | None = None

    @classmethod
    def made(cls, basis: np.ndarray, inv: np.ndarray, mu: np.ndarray) -> _Facet:
        """A facet whose inverse and potentials the C pivots computed."""
        fac = cls.__new__(cls)
        fac.basis, fac.inv, fac.mu, fac.supported = basis, inv, mu, None
        return fac

    def amounts(self, y: np.ndarray) -> np.ndarray:
        """Atoms of each basis phase in the extensive composition ``y`` (negative: outside)."""
        return self.inv.T @ y


class WalkHull:
    """The same queries as ``Hull`` (energy, decompose, envelope, segment), by pivoting."""

    def __init__(
        self,
        fractions: np.ndarray,
        energy_per_atom: np.ndarray,
        template: object = None,
        points: tuple[np.ndarray, np.ndarray, np.ndarray] | None = None,
        above: np.ndarray | None = None,
        *,
        c_pivots: bool | None = None,
    ) -> None:
        """``points``: ``hull_points`` of the arguments when already known, as for ``Hull``;
        ``above``: per row, whether it is expected to lie above the hull (a dataset's
        reported distance). Such rows are left out of the pivots; every facet an answer is
        read from is then checked to lie below each of them by more than PRUNE_GAP, and an
        answer that fails the check is found again over all rows. ``c_pivots``: pivot in C
        where it was built (default: unless ``config.PIVOTS`` is "numpy"); False: numpy."""
        self.k = fractions.shape[1]
        if c_pivots is None:
            c_pivots = config.PIVOTS != "numpy"
        self._c = _pivots if c_pivots and _pivots is not None and self.k <= _pivots.KMAX else None
        #: As on ``Hull``: set by grand-potential users.
        self.closed: np.ndarray | None = None
        self.counted: np.ndarray | None = None
        self.refs, form, keep = points or hull_points(fractions, energy_per_atom)
        self.vertex_rows = keep
        # float64 and int64 throughout: the C pivots read them as such (and check).
        self.fractions = np.ascontiguousarray(fractions[keep], dtype=float)
        self.form = np.ascontiguousarray(form[keep], dtype=float)
        pure, self._elements = _element_starts(self.fractions)
        self._facet: dict[bool, _Facet] = {}
        #: Facets found for points queried before (the same point again: hull energy then
        #: phases, or the same reactant mixed with several partners in this system).
        self._memo: dict[tuple[bool, bytes], _Facet] = {}
        self.pivots = 0
        self._pivoted: dict[tuple[bool, bytes, int], _Facet] = {}
        self._bases: dict[bytes, _Facet] = {}
        self._budget = 200 * self.k + 2 * len(keep) + 1000
        #: Rows left out (positions), and whether pivots now see them (during a fallback).
        self._left_out = np.zeros(0, dtype=np.int64)
        if above is not None:
            self._left_out = (above[keep] & ~pure).nonzero()[0]
        # What every check compares facets with (``_supports``), taken out once.
        self._out_fractions = self.fractions[self._left_out]
        self._out_form = self.form[self._left_out]
        self.fallbacks = 0
        self._use(everything=self._left_out.size == 0)
        if self._c is not None:  # the left-out rows when none are
            self._empty_out = (np.empty((0, self.k)), np.empty(0))
        #: Where ``segment_kinks``' C call writes (made on first use).
        self._kinks: tuple[np.ndarray, np.ndarray] | None = None

    # Made on first use: most hulls of an interface screen meet only ``segment_kinks``.
    @cached_property
    def _events(self) -> dict[int, tuple[np.ndarray, ...]]:
        """Where the C walk writes its pivots (read at once), per chunk size."""
        k = self.k
        return {
            n: (
                np.empty(n),
                np.empty((n, k), dtype=np.int64),
                np.empty((n, k, k)),
                np.empty((n, k)),
            )
            for n in (FIRST_CHUNK, CHUNK)
        }

    @cached_property
    def _sides(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Where ``around``'s C call writes its left and right facets."""
        k = self.k
        return np.empty((2, k), dtype=np.int64), np.empty((2, k, k)), np.empty((2, k))

    def _use(self, everything: bool) -> None:
        """Pivot over every row, or only over those not left out."""
        self._everything = everything
        kept = np.ones(len(self.form), dtype=bool)
        if not everything:
            kept[self._left_out] = False
        self._rows = kept.nonzero()[0].astype(np.int64, copy=False)
        if self._c is None:  # what the numpy pivots compute on (the C ones read ``_rows``)
            self._sub_fractions = self.fractions[self._rows]
            self._sub_form = self.form[self._rows]

    def _supports(self, facets) -> bool:
        """Whether every left-out row lies above each of ``facets`` by more than PRUNE_GAP,
        so that they are facets of the hull of all rows."""
        if self._everything:
            return True
        fr, fo = self._out_fractions, self._out_form
        for f in facets:
            if f is None:
                continue
            if f.supported is None:
                f.supported = bool((fo - fr @ f.mu).min() > PRUNE_GAP)
            if not f.supported:
                return False
        return True

    def _checked(self, compute, facets_of):
        """``compute()`` over the rows kept, if ``facets_of(result)`` pass ``_supports``;
        else (or if the pivots over the rows kept fail, or ``facets_of`` gives None: a check
        already failed) over every row."""
        try:
            result = compute()
            facets = facets_of(result)
            if facets is not None and self._supports(facets):
                return result
        except WalkError:
            if self._everything:
                raise
        self.fallbacks += 1
        self._use(everything=True)
        try:
            return compute()
        finally:
            self._use(everything=False)

    # ------------------------------------------------------------------ finding a facet

    def _first_facet(self) -> _Facet:
        """A lower facet, by primal simplex from the element basis at a generic composition."""
        k = self.k
        # Generic (no ties between elements) and fixed; numpy.random costs an import.
        z = 0.5 + np.modf(np.arange(1, k + 1) * 0.6180339887498949)[0]
        z /= z.sum()
        if self._c is not None:
            basis, inv, mu = self._elements.copy(), np.empty((k, k)), np.empty(k)
            status, used = self._c.first_facet(
                self.fractions, self.form, self._rows, k, basis, z, self._budget, inv, mu
            )
            self.pivots += used
            if status == _SETTLED:
                return self._made(basis, inv, mu)
            unsettled = status == 2 or status not in _FAILURES
            raise WalkError("the hull search did not settle" if unsettled else _FAILURES[status])
        basis = self._elements.copy()
        fac = self._facet_of(basis)
        rows, fractions, form = self._rows, self._sub_fractions, self._sub_form
        for it in range(self._budget):
            cost = form - fractions @ fac.mu
            if it < self._budget // 2:
                p = int(cost.argmin())
                if cost[p] >= -COST_TOL:
                    return fac
            else:  # Bland's rule: lowest index, which cannot cycle
                below = (cost < -COST_TOL).nonzero()[0]
                if below.size == 0:
                    return fac
                p = int(below[0])
            p = int(rows[p])
            # Amounts of z and of phase p in the basis; the ratio test on k plain floats.
            lam, w = (np.array([z, self.fractions[p]]) @ fac.inv).tolist()
            j = min(
                (i for i in range(k) if w[i] > PIVOT_TOL),
                key=lambda i: (max(lam[i], 0.0) / w[i], i),
                default=None,
            )
            if j is None:
                break
            basis = fac.basis.copy()
            basis[j] = p
            fac = self._facet_of(basis)
            self.pivots += 1
        raise WalkError("the hull search did not settle")

    def _once(self, basis: np.ndarray, make) -> _Facet:
        """The facet of ``basis``, made (``make()``) once per hull: walks meet the same bases
        again, and a facet keeps whether it passed ``_supports``."""
        key = basis.tobytes()
        found = self._bases.get(key)
        if found is None:
            if len(self._bases) >= MEMO_PIVOTS:
                self._bases.clear()
            found = self._bases[key] = make()
        return found

    def _facet_of(self, basis: np.ndarray) -> _Facet:
        """The facet of ``basis``, its inverse by numpy."""
        return self._once(basis, lambda: _Facet(basis, self.fractions, self.form))

    def _made(self, basis: np.ndarray, inv: np.ndarray, mu: np.ndarray) -> _Facet:
        """The facet of ``basis`` the C pivots computed (copied: they reuse their buffers)."""
        return self._once(basis, lambda: _Facet.made(basis.copy(), inv.copy(), mu.copy()))

    def _pivot(self, fac: _Facet, j: int) -> _Facet:
        """Replace basis position ``j`` by the phase the plane meets first (dual ratio test).

        Remembered per facet and position: walks from the same first facet share their first
        pivots (the same facet object comes back, so answers are unchanged to the bit)."""
        key = (self._everything, fac.basis.tobytes(), j)
        found = self._pivoted.get(key)
        if found is None:
            if len(self._pivoted) >= MEMO_PIVOTS:
                self._pivoted.clear()
            found = self._pivoted[key] = self._pivot_anew(fac, j)
        return found

    def _pivot_anew(self, fac: _Facet, j: int) -> _Facet:
        fractions = self._sub_fractions
        rise = fractions @ -fac.inv[:, j]  # how fast each phase nears the rotating plane
        cand = (rise > PIVOT_TOL).nonzero()[0]
        if cand.size == 0:
            raise WalkError("the line leaves the composition space")
        # Reduced costs of every row (one product over all beats gathering the candidates).
        cost = np.maximum(self._sub_form - fractions @ fac.mu, 0.0)
        ratio = cost[cand] / rise[cand]
        p = int(self._rows[cand[ratio.argmin()]])  # ties: the lowest index
        basis = fac.basis.copy()
        basis[j] = p
        self.pivots += 1
        return self._facet_of(basis)

    def _walk(self, fac: _Facet, y0: np.ndarray, d: np.ndarray, t_end: float, events: list | None):
        """Follow ``y0 + t d`` from t = 0 (where ``fac`` holds) to ``t_end``.

        Returns the facet holding just after ``t_end`` is reached (or at +inf); with
        ``events``, appends (t, facet) for every pivot.
        """
        if events is None and self._c is not None:
            return self._c_walk_to(fac, y0, d, t_end)
        steps = self._pivots(fac, y0, d, t_end)
        while True:
            try:
                t, fac = next(steps)
            except StopIteration as done:
                return done.value
            if events is not None:
                events.append((t, fac))

    def _pivots(self, fac: _Facet, y0: np.ndarray, d: np.ndarray, t_end: float):
        """Yield (t, facet entered) at each pivot along ``y0 + t d`` up to ``t_end``, lazily
        (a caller may stop early); return the facet holding at ``t_end``."""
        t = 0.0
        line, shrinks, end = _line_tolerances(y0, d, t_end)
        if self._c is not None:
            return (yield from self._c_pivots(fac, line, shrinks, end))
        for _ in range(self._budget):
            # The ratio test on k numbers in plain floats: a dozen numpy calls on arrays this
            # small cost more than the arithmetic.
            lam0, dl = (line @ fac.inv).tolist()  # basis amounts at y0 and their rates
            exits = [
                (max(-lam / rate, t), i)
                for i, (lam, rate) in enumerate(zip(lam0, dl, strict=True))
                if rate < shrinks
            ]
            if not exits:
                return fac
            t_next = min(exits)[0]
            if t_next >= end:
                return fac  # (a facet that ends at t_end on the boundary holds there)
            tie = t_next + 1e-12 * max(1.0, t_next)
            tied = [i for when, i in exits if when <= tie]
            # Bland: the lowest phase index leaves.
            j = tied[0] if len(tied) == 1 else min(tied, key=fac.basis.__getitem__)
            fac = self._pivot(fac, j)
            t = t_next
            yield t, fac
        raise WalkError("the walk along a line did not settle")

    def _c_pivots(self, fac: _Facet, line: np.ndarray, shrinks: float, end: float):
        """``_pivots`` in C, CHUNK pivots per call (each call starts where the last ended)."""
        k, (y0, d), t, left = self.k, line, 0.0, self._budget
        chunk = FIRST_CHUNK
        while True:
            ev_t, ev_basis, ev_inv, ev_mu = events = self._events[chunk]
            basis, inv, mu = fac.basis.copy(), np.empty((k, k)), np.empty(k)
            status, n, t, used = self._c.walk(
                self.fractions, self.form, self._rows, k, basis, inv, mu,
                y0, d, t, shrinks, end, min(left, chunk), True, *events,
            )  # fmt: skip
            chunk = CHUNK
            left -= used
            self.pivots += used
            # Made before the first yield: the next call (this walk's or another's) reuses
            # the buffers.
            made = [self._made(ev_basis[e], ev_inv[e], ev_mu[e]) for e in range(n)]
            yield from zip(ev_t[:n].tolist(), made, strict=True)
            fac = made[-1] if made else fac
            if status == _SETTLED:
                return fac
            if status != _MORE or left <= 0:
                raise WalkError(_FAILURES.get(status, _FAILURES[2]))

    def _c_walk_to(self, fac: _Facet, y0: np.ndarray, d: np.ndarray, t_end: float) -> _Facet:
        """``_walk`` without events, in C: only the facet at the end is made."""
        k, t, left = self.k, 0.0, self._budget
        (y0, d), shrinks, end = _line_tolerances(y0, d, t_end)
        basis, inv, mu = fac.basis.copy(), np.empty((k, k)), np.empty(k)
        moved = False
        while True:
            status, _, t, used = self._c.walk(
                self.fractions, self.form, self._rows, k, basis, inv, mu,
                y0, d, t, shrinks, end, min(left, CHUNK), False, *self._events[CHUNK],
            )  # fmt: skip
            left -= used
            self.pivots += used
            moved = moved or used > 0
            if status == _SETTLED:
                return self._made(basis, inv, mu) if moved else fac
            # Out of this call's pivots (not the walk's budget): go on where it stopped.
            if status != 2 or left <= 0:
                raise WalkError(_FAILURES.get(status, _FAILURES[2]))

    def _facet_at(self, y: np.ndarray) -> _Facet:
        """A lower facet whose cone holds ``y``, walked to from the first facet.

        Always from the same start, never from the last facet used: where several facets
        hold ``y`` (on a shared face), which one is reached, and so the last bits of the
        numbers read off it, must not depend on the order of earlier queries.
        """
        key = (self._everything, y.tobytes())
        found = self._memo.get(key)
        if found is not None:
            return found
        fac = self._facet.get(self._everything)
        if fac is None:
            fac = self._facet[self._everything] = self._first_facet()
        z = self.fractions[fac.basis].mean(axis=0) * float(y.sum())
        found = self._walk(fac, z, y - z, 1.0, None)
        if len(self._memo) >= MEMO_POINTS:
            self._memo.clear()
        self._memo[key] = found
        return found

    # ------------------------------------------------------------------ Hull's queries

    def energy(self, x: np.ndarray) -> float:
        """Hull formation energy (eV) of the extensive composition ``x``."""
        return float(self._checked(lambda: self._facet_at(x), lambda f: [f]).mu @ x)

    def decompose(
        self, x: np.ndarray, facet: _Facet | None = None
    ) -> tuple[np.ndarray, np.ndarray]:
        """Return (vertex indices, atoms of each) of the equilibrium at composition ``x``.

        ``facet``: one known to hold ``x`` (a breakpoint's, from ``envelope_facets``).
        """
        fac = facet or self._checked(lambda: self._facet_at(x), lambda f: [f])
        lam = np.maximum(fac.amounts(x), 0.0)
        keep = lam > config.AMOUNT_TOL
        return fac.basis[keep], lam[keep]

    def _line(
        self, y0: np.ndarray, d: np.ndarray, t1: float
    ) -> tuple[np.ndarray, list[_Facet], _Facet]:
        """``_line_of``, its breakpoints' facets and the last one checked (``_checked``):
        between checked facets that hold consecutive breakpoints the hull is the line's."""
        return self._checked(lambda: self._line_of(y0, d, t1), lambda r: [*r[1], r[2]])

    def _line_of(
        self, y0: np.ndarray, d: np.ndarray, t1: float
    ) -> tuple[np.ndarray, list[_Facet], _Facet]:
        """Breakpoints of the hull along ``y0 + t d`` on [0, t1], as ``upper_envelope``.

        Returns (breaks ascending from 0, the facet right of each, the facet at t1).
        Breakpoints closer than MERGE_TOL are one; a pivot that leaves the slope along the
        line unchanged (within 1e-12) is no breakpoint.
        """
        fac = self._facet_at(y0)
        limit = t1 - MERGE_TOL * max(1.0, abs(t1)) if np.isfinite(t1) else np.inf
        if self._c is not None:
            return self._c_line_of(fac, y0, d, t1, limit)
        events: list = []
        last = self._walk(fac, y0, d, t1, events)
        breaks, facets = [0.0], [fac]
        slope = float(fac.mu @ d)
        for t, f in events:
            s = float(f.mu @ d)
            if t >= limit:
                break
            if s <= slope + 1e-12:
                continue
            slope = s
            if t > breaks[-1] + MERGE_TOL * max(1.0, abs(t)):
                breaks.append(t)
                facets.append(f)
            else:
                facets[-1] = f
        return np.array(breaks), facets, last

    def _c_line_of(
        self, fac: _Facet, y0: np.ndarray, d: np.ndarray, t1: float, limit: float
    ) -> tuple[np.ndarray, list[_Facet], _Facet]:
        """``_line_of`` in C: the pivots of ``_c_pivots`` (the same calls, so the same
        numbers), read off the event buffers; a facet is made only for a breakpoint and for
        the end, not for every pivot."""
        breaks, facets, last = self._c_line_raw(fac, y0, d, t1, limit, fac, self._made)
        return np.array(breaks), facets, fac if last is None else last

    def _c_line_raw(
        self, fac: _Facet, y0: np.ndarray, d: np.ndarray, t1: float, limit: float, first, make
    ) -> tuple[list[float], list, object]:
        """The breakpoints of ``_line_of`` and, for each, ``make(basis, inverse, potentials)``
        of the facet right of it (the first: ``first``, for ``fac``), read off the C walk's
        buffers (``make`` copies what it keeps); and ``make`` of the facet at ``t1`` (None:
        ``fac``)."""
        k, t, left = self.k, 0.0, self._budget
        (line_y0, line_d), shrinks, end = _line_tolerances(y0, d, t1)
        breaks, raw = [0.0], [first]
        slope = float(fac.mu @ d)
        chunk, basis, last, done = FIRST_CHUNK, fac.basis, None, False
        while True:
            ev_t, ev_basis, ev_inv, ev_mu = events = self._events[chunk]
            inv, mu = np.empty((k, k)), np.empty(k)
            status, n, t, used = self._c.walk(
                self.fractions, self.form, self._rows, k, basis.copy(), inv, mu,
                line_y0, line_d, t, shrinks, end, min(left, chunk), True, *events,
            )  # fmt: skip
            chunk = CHUNK
            left -= used
            self.pivots += used
            for e, te in enumerate(ev_t[:n].tolist()):
                if done or te >= limit:
                    done = True  # past the end's merge window: only the last facet counts
                    break
                s = float(ev_mu[e] @ d)
                if s <= slope + 1e-12:
                    continue
                slope = s
                here = make(ev_basis[e], ev_inv[e], ev_mu[e])
                if te > breaks[-1] + MERGE_TOL * max(1.0, abs(te)):
                    breaks.append(te)
                    raw.append(here)
                else:
                    raw[-1] = here
            if n:  # (the buffers' rows: the next call writes its own buffer or none)
                basis = ev_basis[n - 1]
                last = (basis, ev_inv[n - 1], ev_mu[n - 1])
            if status == _SETTLED:
                return breaks, raw, None if last is None else make(*last)
            if status != _MORE or left <= 0:
                raise WalkError(_FAILURES.get(status, _FAILURES[2]))

    def segment_energies(
        self, start: np.ndarray, end: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray, list[tuple]]:
        """As ``segment``, with the (basis, inverse, potentials) of a facet holding each kink
        for ``facet_from`` (made only when asked): the kink energies without a facet object
        per kink, every kink's facet checked against the left-out rows at once. Without the
        C pivots: ``segment_facets``'s."""
        if self._c is None:
            xs, energies, facets = self.segment_facets(start, end)
            return xs, energies, [(f.basis, f.inv, f.mu) for f in facets]
        d = end - start

        def compute():
            fac = self._facet_at(start)
            breaks, raw, last = self._c_line_raw(
                fac, start, d, 1.0, 1.0 - MERGE_TOL, (fac.basis, fac.inv, fac.mu), _copies
            )
            raw.append((fac.basis, fac.inv, fac.mu) if last is None else last)
            return breaks, raw, fac

        def supported(result) -> list | None:
            _, raw, fac = result
            if self._everything or len(raw) == 1:
                return [fac]
            mus = np.array([r[2] for r in raw[1:]])
            gaps = self._out_form[:, None] - self._out_fractions @ mus.T
            return [fac] if bool((gaps.min(axis=0) > PRUNE_GAP).all()) else None

        breaks, raw, _ = self._checked(compute, supported)
        energies = [float(r[2] @ (start + t * d)) for t, r in zip(breaks, raw, strict=False)]
        energies.append(float(raw[-1][2] @ end))
        return np.append(breaks, 1.0), np.array(energies), raw

    def segment_kinks(
        self, start: np.ndarray, end: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray, float] | None:
        """``segment_energies``'s kinks and energies (the same numbers) without their facets,
        and the most negative reaction energy among them (``FastSystem.mixing``'s, closed),
        from one C call that walks the whole line and checks every facet it reads against
        the left-out rows: a screen's reaction column needs nothing else, and the Python
        between ``_c_line_raw``'s calls cost more than the pivots. The arrays are this
        hull's buffers, valid until its next call. None where that call does not answer (no
        C pivots, ``start`` and ``end`` one composition, a facet fails the check, a walk
        fails, over KINKS kinks): ``segment_energies`` then does, with its fallbacks."""
        if self._c is None:
            return None
        try:
            fac = self._facet_at(start)
        except WalkError:
            return None
        if not self._supports([fac]):
            return None
        out = self._empty_out if self._everything else (self._out_fractions, self._out_form)
        if self._kinks is None:
            self._kinks = (np.empty(KINKS), np.empty(KINKS))
        ts, energies = self._kinks
        status, n, e_min, used = self._c.segment(
            self.fractions, self.form, self._rows, self.k, *out, fac.basis, fac.mu, start, end,
            MERGE_TOL, PRUNE_GAP, self._budget, ts, energies,
        )  # fmt: skip
        self.pivots += used
        if status != _SETTLED:
            return None
        return ts[:n], energies[:n], e_min

    def facet_from(self, raw: tuple) -> _Facet:
        """The facet of a (basis, inverse, potentials) from ``segment_energies``."""
        basis, inv, mu = raw
        return self._once(basis, lambda: _Facet.made(basis, inv, mu))

    def envelope(self, host: np.ndarray, axis: int) -> tuple[np.ndarray, np.ndarray]:
        """Breakpoints along ``host + n * e_axis`` for n >= 0, and the slope right of each."""
        breaks, slopes, _ = self.envelope_facets(host, axis)
        return breaks, slopes

    def envelope_facets(
        self, host: np.ndarray, axis: int
    ) -> tuple[np.ndarray, np.ndarray, list[_Facet]]:
        """As ``envelope``, with the facet right of each breakpoint (it holds the point)."""
        d = np.zeros(self.k)
        d[axis] = 1.0
        breaks, facets, _ = self._line(host, d, np.inf)
        return breaks, np.array([f.mu[axis] for f in facets]), facets

    def around(
        self, x: np.ndarray, axis: int
    ) -> tuple[Around, _Facet, _Facet | None, _Facet | None]:
        """The envelope along ``axis`` next to ``x`` (``hull.envelope_around``), by walking
        from the facet at ``x`` in both directions only as far as needed.

        Returns (the breakpoints and slopes, the facet at ``x``, the facets holding the left
        and right breakpoints).
        """
        if self._c is not None:
            # None: a facet met failed the check (made in C, against the left-out rows).
            return self._checked(lambda: self._c_around(x, axis), lambda r: r and [r[1]])
        seen: list[_Facet] = []
        return self._checked(lambda: self._around(x, axis, seen), lambda _: seen)

    def _c_around(
        self, x: np.ndarray, axis: int
    ) -> tuple[Around, _Facet, _Facet | None, _Facet | None] | None:
        """``_around`` in C, from the facet at ``x``; None if a facet met (other than that
        one, which the caller checks) lies above a left-out row."""
        fac = self._facet_at(x)
        n = float(x[axis])
        d = np.zeros(self.k)
        d[axis] = 1.0
        # Both ways as ``_pivots``: the same shrink tolerance, and the walk back ends at n.
        (x, _), shrinks, end_left = _line_tolerances(x, d, n)
        out = self._empty_out if self._everything else (self._out_fractions, self._out_form)
        status, used, near = self._c.around(
            self.fractions, self.form, self._rows, self.k, *out, fac.basis, x, axis,
            shrinks, end_left, MERGE_TOL, PRUNE_GAP, config.ENERGY_TOL,
            self._budget, self._sides,
        )  # fmt: skip
        self.pivots += used
        if status == _UNSUPPORTED:
            return None
        if status != _SETTLED:
            raise WalkError(_FAILURES.get(status, _FAILURES[2]))
        at_break, slope_left, slope_right, left, right, after, has_left, has_right = near
        bases, invs, mus = self._sides
        left_facet = self._made(bases[0], invs[0], mus[0]) if has_left else None
        right_facet = self._made(bases[1], invs[1], mus[1]) if has_right else None
        if not has_right:
            right = after = None
        near = Around(at_break, slope_left, slope_right, left if has_left else None, right, after)
        return near, fac, left_facet, right_facet

    def _around(
        self, x: np.ndarray, axis: int, seen: list[_Facet]
    ) -> tuple[Around, _Facet, _Facet | None, _Facet | None]:
        """``around``; every facet met is put in ``seen`` (each may give a slope)."""
        seen.clear()
        n = float(x[axis])
        d = np.zeros(self.k)
        d[axis] = 1.0
        fac = self._facet_at(x)
        seen.append(fac)
        start = n <= config.ENERGY_TOL * max(1.0, n)
        # Li-rich side: slopes rise at breakpoints; one within MERGE_TOL of n is n's own.
        slope_right = float(fac.mu[axis])
        right = slope_after = right_facet = None
        for t, f in self._pivots(fac, x, d, np.inf):  # only as far as the next breakpoint
            seen.append(f)
            s = float(f.mu[axis])
            if right is not None:
                # Further pivots at the same breakpoint: the last one is the slope beyond it.
                if n + t > right + MERGE_TOL * max(1.0, n + t):
                    break
                if s > slope_after + 1e-12:
                    slope_after, right_facet = s, f
                continue
            if s <= slope_right + 1e-12:
                continue  # a pivot among coplanar phases: no breakpoint
            if n + t > n + MERGE_TOL * max(1.0, n + t):
                right, slope_after, right_facet = n + t, s, f
                continue
            slope_right = s
        # Li-poor side, back to n = 0: slopes fall at breakpoints; none: the start, 0.
        slope_left = slope_right if start else float(fac.mu[axis])
        left: float | None = None
        left_facet: _Facet | None = None
        if not start:
            steps = self._pivots(fac, x, -d, n)
            left, cur = 0.0, fac
            while True:
                try:
                    t, f = next(steps)
                except StopIteration as done:
                    left_facet = done.value  # no breakpoint before the start: it holds there
                    break
                seen.append(f)
                s = float(f.mu[axis])
                if s >= slope_left - 1e-12:
                    cur = f
                    continue
                where = n - t
                if where <= MERGE_TOL * max(1.0, abs(where)):
                    left_facet = cur  # at the start of the line
                    break
                if where < n - MERGE_TOL * max(1.0, n):
                    left, left_facet = where, cur  # cur is the facet right of it
                    break
                slope_left, cur = s, f  # n is this breakpoint
        at_break = start or slope_right > slope_left + 1e-12
        near = Around(at_break, slope_left, slope_right, left, right, slope_after)
        return near, fac, left_facet, right_facet

    def segment(self, start: np.ndarray, end: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Kinks of the hull along ``(1 - x) * start + x * end`` for x in [0, 1]."""
        xs, energies, _ = self.segment_facets(start, end)
        return xs, energies

    def segment_facets(
        self, start: np.ndarray, end: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray, list[_Facet]]:
        """As ``segment``, with a facet holding each kink (the one right of it; at x = 1 the
        one reached there), for ``decompose``."""
        d = end - start
        breaks, facets, last = self._line(start, d, 1.0)
        energies = [float(f.mu @ (start + t * d)) for t, f in zip(breaks, facets, strict=True)]
        energies.append(float(last.mu @ end))
        return np.append(breaks, 1.0), np.array(energies), [*facets, last]
