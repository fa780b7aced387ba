"""Lower convex hull of one chemical system from arrays, and queries on it.

Construction follows pymatgen's ``PhaseDiagram`` (lowest entry per composition, only
entries below the elemental references, qhull "Qt i" with an extra point above the hull),
on formation energies, so the hull and every answer are the same; only the triangulation
chosen among exactly tied (coplanar) points may differ, as it may between qhull runs. Each facet carries its chemical
potentials mu (eV, relative to the elements), so the hull energy of any composition x
(atoms, extensive) is ``max_f mu_f . x``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from stability import config
from stability.errors import MissingDataError

FORMATION_TOL = 1e-11  # pymatgen's PhaseDiagram.formation_energy_tol
DET_TOL = 1e-14
MERGE_TOL = 1e-9
#: Points further above another voltage's facet planes than this (eV/atom) are not fed to
#: qhull (they are above the hull; see Hull._pruned_facets).
PRUNE_GAP = 1e-6
#: Phases a dataset reports further above the hull than this (eV/atom) are left out of
#: qhull's input, then checked to lie above the hull found (see Hull._facets_without).
HINT_GAP = 1e-4


def hull_points(
    fractions: np.ndarray,
    energy_per_atom: np.ndarray,
    references: tuple[np.ndarray, list[np.ndarray], np.ndarray] | None = None,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The points a lower hull is built from, as pymatgen's ``PhaseDiagram`` picks them.

    Returns (elemental reference energies (k,), formation energies of every row (n,),
    sorted rows kept: the lowest entry per composition if below its elements, and the
    lowest pure entry of each element). ``references``: ``element_refs`` of the arguments
    when already known.
    """
    refs, ref_rows, pure = references or element_refs(fractions, energy_per_atom)
    form = energy_per_atom - fractions @ refs
    # Lowest entry per composition (pymatgen groups by reduced formula).
    keys = np.round(fractions, 10)
    if _distinct(keys):
        best = np.arange(len(keys))  # every composition once: each row is its own lowest
    else:
        order = np.lexsort((form, *keys.T[::-1]))
        # Sorted by composition, then energy: the first row of each run of equal keys.
        ordered = keys[order]
        first = np.ones(len(order), dtype=bool)
        first[1:] = (ordered[1:] != ordered[:-1]).any(axis=1)
        best = np.sort(order[first])
    keep = best[(form[best] < -FORMATION_TOL) | pure[best]]
    # One reference per element: the lowest pure entry.
    refs_kept = np.array(
        [c[0] if len(c) == 1 else c[form[c].argmin()] for c in ref_rows], dtype=np.int64
    )
    # Compounds and one pure row per element: no row twice, so a sort is np.unique.
    keep = np.sort(np.concatenate([keep[~pure[keep]], refs_kept]))
    return refs, form, keep


#: Weights of ``_distinct``'s fingerprint: square roots of primes, independent over the
#: rationals, so that two compositions share one only through rounding (which costs the
#: sort, not the answer).
_WEIGHTS = np.sqrt(
    np.array([p for p in range(2, 1620) if all(p % q for q in range(2, int(p**0.5) + 1))], float)
)


def _distinct(keys: np.ndarray) -> bool:
    """Whether no two rows of ``keys`` are equal, decided by one number per row (rows equal
    to the bit have equal fingerprints, each row's computed alike); False where two
    fingerprints meet, which the caller settles by sorting the rows themselves. A system's
    rows rarely repeat a composition, and one sort of a column costs less than the sort of
    every column (``np.lexsort``), the larger part of a hull's set-up."""
    if len(keys) < 2 or keys.shape[1] > len(_WEIGHTS):
        return len(keys) < 2
    fingerprint = np.sort((keys * _WEIGHTS[: keys.shape[1]]).sum(axis=1))
    return bool((fingerprint[1:] != fingerprint[:-1]).all())


def element_refs(
    fractions: np.ndarray, energy_per_atom: np.ndarray
) -> tuple[np.ndarray, list[np.ndarray], np.ndarray]:
    """Elemental reference energies (k,) as ``hull_points`` picks them (the lowest pure entry
    of each element), the pure rows of each element, and which rows are pure."""
    pure, ref_rows = element_rows(fractions)
    refs = np.empty(len(ref_rows))
    for j, candidates in enumerate(ref_rows):
        if candidates.size == 0:
            raise MissingDataError(f"no elemental entry for element index {j}")
        refs[j] = energy_per_atom[candidates].min()
    return refs, ref_rows, pure


def element_rows(fractions: np.ndarray) -> tuple[np.ndarray, list[np.ndarray]]:
    """Which rows are pure, and each element's pure rows (ascending; empty where none)."""
    k = fractions.shape[1]
    pure = np.count_nonzero(fractions > 0, axis=1) == 1  # exactly one element, not ~0.99999
    pure_rows = pure.nonzero()[0]
    # A pure row's one element (no elements: no pure rows either).
    element_of = fractions[pure_rows].argmax(axis=1) if k else pure_rows
    if len(pure_rows) == k:  # usually one pure row per element: each is its element's
        order = element_of.argsort()
        if (element_of[order] == np.arange(k)).all():
            return pure, [pure_rows[i : i + 1] for i in order.tolist()]
    return pure, [pure_rows[element_of == j] for j in range(k)]


class HullInput:
    """``hull_points`` for many energy vectors over the same compositions (the grand hulls
    of a voltage scan): equal compositions and elemental rows are found once, here."""

    def __init__(self, fractions: np.ndarray) -> None:
        self.fractions = fractions
        self.pure, self.ref_rows = element_rows(fractions)
        _, inverse = np.unique(np.round(fractions, 10), axis=0, return_inverse=True)
        self.group = inverse.ravel()
        counts = np.bincount(self.group)
        #: Where each composition's block starts once rows are sorted by group.
        self.starts = np.concatenate([[0], np.cumsum(counts)[:-1]])

    def points(self, energy_per_atom: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Exactly ``hull_points(self.fractions, energy_per_atom)``."""
        for j, c in enumerate(self.ref_rows):
            if c.size == 0:
                raise MissingDataError(f"no elemental entry for element index {j}")
        refs = np.array([energy_per_atom[c].min() for c in self.ref_rows])
        form = energy_per_atom - self.fractions @ refs
        # Per composition the lowest entry, ties to the first row, as hull_points' lexsort.
        best = np.lexsort((form, self.group))[self.starts]
        keep = best[(form[best] < -FORMATION_TOL) | self.pure[best]]
        refs_kept = np.array([c[form[c].argmin()] for c in self.ref_rows], dtype=np.int64)
        keep = np.sort(np.concatenate([keep[~self.pure[keep]], refs_kept]))  # no row twice
        return refs, form, keep


def remap_facets(template_rows: np.ndarray, facets: np.ndarray, keep: np.ndarray):
    """``facets`` (positions in ``template_rows``) as positions in ``keep`` (sorted rows), or
    None when a vertex of theirs is not kept."""
    rows = template_rows[facets]
    pos = np.minimum(np.searchsorted(keep, rows), len(keep) - 1)
    return pos if np.array_equal(keep[pos], rows) else None


class Hull:
    """The hull of ``fractions`` (n, k) with energies (n,) in eV/atom."""

    def __init__(
        self,
        fractions: np.ndarray,
        energy_per_atom: np.ndarray,
        template: Hull | None = None,
        points: tuple[np.ndarray, np.ndarray, np.ndarray] | None = None,
        above: np.ndarray | None = None,
    ) -> None:
        """``template``: a hull of the same rows at other energies (a scan's previous
        voltage) whose facets are reused when still valid; ``points``: ``hull_points`` of
        the arguments when already known (``HullInput``); ``above``: per row, whether it is
        expected to lie above the hull (a dataset's reported distance): such rows are left
        out of qhull's input if the hull found supports them, else qhull sees every row."""
        n, k = fractions.shape
        self.k = k
        #: Set by grand-potential users: which system elements this hull counts, and per
        #: system row the fraction of its atoms counted (None: a closed hull, all of them).
        self.closed: np.ndarray | None = None
        self.counted: np.ndarray | None = None
        self._inverse: np.ndarray | None = None
        self.hinted = False
        self.refs, form, keep = points or hull_points(fractions, energy_per_atom)
        self.vertex_rows = keep
        self.fractions = fractions[keep]
        self.form = form[keep]
        reused, pruned = None, None
        if template is None and above is not None:
            pruned = self._facets_without(above[keep])
            #: Whether qhull saw only the points not reported above the hull.
            self.hinted = pruned is not None
        elif template is not None:
            if np.array_equal(template.vertex_rows, keep):
                old = template.facets
            else:  # phases came or went: the old facets may still be the lower hull
                old = remap_facets(template.vertex_rows, template.facets, keep)
            if old is not None:
                mu, gaps = self._plane_gaps(old)
                if gaps.min() >= -1e-9:
                    reused = mu
                else:
                    pruned = self._pruned_facets(gaps)
        if reused is not None:
            self.facets, self.mu = old, reused
        elif pruned is not None:
            self.facets, self.mu = pruned
        else:
            self.facets = self._facets()
            self.mu = self._chempots(self.facets)

    def _chempots(self, facets: np.ndarray) -> np.ndarray:
        """Chemical potentials of each facet: fractions[f] @ mu = form[f]."""
        return np.linalg.solve(self.fractions[facets], self.form[facets][..., None])[..., 0]

    def _plane_gaps(self, facets: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Chemical potentials of ``facets`` and how far each point lies above all their
        planes (eV/atom; min over facets).

        A triangulation of the same points whose every facet plane lies on or below every
        point (all gaps >= 0) is the lower convex hull (its planes support all points), so
        qhull can be skipped; used between the voltages of a scan, where the topology
        rarely changes.
        """
        mu = self._chempots(facets)
        return mu, (self.form[:, None] - self.fractions @ mu.T).min(axis=1)

    def _pruned_facets(self, gaps: np.ndarray) -> tuple[np.ndarray, np.ndarray] | None:
        """qhull on the points that can be on the hull, given their ``gaps`` above the planes
        of a triangulation of these points (``_plane_gaps`` of another voltage's facets).

        Those planes interpolate the points, so the lower hull lies on or below them: a point
        above them by more than PRUNE_GAP is above the hull and is left out. The facets found
        are checked as in ``_facets_without``; None if they fail (qhull on all).
        """
        return self._facets_without(gaps > PRUNE_GAP)

    def _facets_without(self, drop: np.ndarray) -> tuple[np.ndarray, np.ndarray] | None:
        """qhull without the points ``drop`` marks (elements always kept), and the facets'
        chemical potentials; None unless every dropped point lies above the facets found by
        more than PRUNE_GAP (one matrix product), so that they are the hull of all points."""
        pure = np.count_nonzero(self.fractions > 0, axis=1) == 1
        drop = drop & ~pure
        rows = (~drop).nonzero()[0]
        if len(rows) == len(drop) or len(rows) <= self.k:
            return None
        facets = rows[self._facets(rows)]
        if len(facets) == 0:
            return None
        mu, gaps = self._plane_gaps(facets)
        if gaps[rows].min() < -1e-9 or gaps[drop].min() <= PRUNE_GAP:
            return None
        return facets, mu

    def _facets(self, rows: np.ndarray | None = None) -> np.ndarray:
        """Lower facets by qhull, as positions in ``rows`` (default: all points)."""
        k = self.k
        if k == 1:
            return np.zeros((1, 1), dtype=int)
        # Imported here: scipy.spatial costs about 0.35 s at start-up.
        from scipy.spatial import ConvexHull, QhullError

        fractions = self.fractions if rows is None else self.fractions[rows]
        form = self.form if rows is None else self.form[rows]
        data = np.column_stack([fractions[:, 1:], form])
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

    def decompose(self, x: np.ndarray, facet: int | None = None) -> tuple[np.ndarray, np.ndarray]:
        """Return (vertex indices, atoms of each) of the equilibrium at composition ``x``.

        ``facet``: one expected to hold ``x`` (a breakpoint's or a kink's), taken if it does
        (barycentric weights >= -1e-8), else the facets are searched as without it.
        """
        total = x.sum()
        if facet is not None:
            if self._inverse is None:
                # Every facet's inverse at once: measured cheaper than two single solves.
                self._inverse = np.linalg.inv(self.fractions[self.facets])
            lam = self._inverse[facet].T @ (x / total)
            if lam.min() >= -1e-8:
                lam = np.maximum(lam, 0.0)
                keep = lam * total > config.AMOUNT_TOL
                return self.facets[facet][keep], lam[keep] * total
        values = self.mu @ x
        near = (values >= values.max() - config.ENERGY_TOL * max(1.0, total)).nonzero()[0]
        near = near[np.argsort(-values[near], kind="stable")]
        # All candidate facets at once: the first whose barycentric weights are all >= 0,
        # else the least negative (a point just outside every facet by rounding).
        lams = np.linalg.solve(
            self.fractions[self.facets[near]].transpose(0, 2, 1),
            np.broadcast_to(x / total, (len(near), self.k))[..., None],
        )[..., 0]
        worst = lams.min(axis=1)
        ok = (worst >= -1e-8).nonzero()[0]
        pick = int(ok[0]) if ok.size else int(worst.argmax())
        best = (near[pick], lams[pick])
        f, lam = best
        lam = np.maximum(lam, 0.0)
        keep = lam * total > config.AMOUNT_TOL
        return self.facets[f][keep], lam[keep] * total

    def envelope(self, host: np.ndarray, axis: int) -> tuple[np.ndarray, np.ndarray]:
        """Breakpoints along ``host + n * e_axis`` for n >= 0, and the slope right of each.

        The hull energy along this line is the upper envelope of the lines
        ``mu_f . host + n * mu_f[axis]``; its slopes are the open element's chemical
        potentials. Returns (n_breaks ascending from 0, mu_axis on the right of each).
        """
        tol = config.ENERGY_TOL * max(1.0, float(np.abs(host).sum()))
        breaks, lines = upper_envelope(self.mu @ host, self.mu[:, axis], 0.0, np.inf, tol)
        return breaks, self.mu[lines, axis]

    def segment(self, start: np.ndarray, end: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Kinks of the hull along ``(1 - x) * start + x * end`` for x in [0, 1].

        Returns (x of every kink including both ends, hull energy there), energies in the
        hull's formation scale for the extensive compositions on the segment.
        """
        xs, energies, _ = self.segment_facets(start, end)
        return xs, energies

    def segment_facets(
        self, start: np.ndarray, end: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray, list[int]]:
        """As ``segment``, with the facet right of each kink (at x = 1, the last one) for
        ``decompose``."""
        a = self.mu @ start
        b = self.mu @ (end - start)
        tol = config.ENERGY_TOL * max(1.0, float(np.abs(start).sum() + np.abs(end).sum()))
        breaks, lines = upper_envelope(a, b, 0.0, 1.0, tol)
        xs = np.append(breaks, 1.0)
        energies = np.array([(a + b * x).max() for x in xs])
        return xs, energies, [*(int(f) for f in lines), int(lines[-1])]


@dataclass(frozen=True)
class Around:
    """The upper envelope of lines next to one abscissa ``n`` (see ``envelope_around``).

    ``at_break``: ``n`` is a breakpoint (the slope changes there); ``slope_left`` and
    ``slope_right`` are the slopes on either side of ``n`` (equal when it is not a breakpoint).
    ``left``: the breakpoint before ``n`` (0.0 at the start of the line; None when ``n`` is the
    start itself); ``right``: the breakpoint after ``n`` and ``slope_after`` the slope right of
    it (None when the envelope has no further breakpoint).
    """

    at_break: bool
    slope_left: float
    slope_right: float
    left: float | None
    right: float | None
    slope_after: float | None
    #: Facets (line indices) that hold the left and right breakpoints.
    left_facet: int = -1
    right_facet: int = -1


def envelope_around(a: np.ndarray, b: np.ndarray, n: float, tol: float) -> Around:
    """The envelope ``max_f (a_f + b_f t)`` for t >= 0 around ``t = n``, without walking it
    from 0: the breakpoints and slopes ``upper_envelope`` finds next to ``n``.

    As there, breakpoints are crossings of lines, those closer than MERGE_TOL are one (at the
    first, with the slope after the last), and ``n`` is a breakpoint when one lies within
    ``ENERGY_TOL * max(1, n)`` of it (``FastSystem._ion_steps``). ``tol`` is the tolerance on
    values for lines that meet at the start of the line (as ``upper_envelope``'s).
    """
    hit = config.ENERGY_TOL * max(1.0, n)
    if n <= hit:  # the start of the line
        near = (a >= a.max() - tol).nonzero()[0]
        line = int(near[b[near].argmax()])
        right, after, right_facet, line = _next_right(a, b, line, 0.0)
        return Around(True, float(b[line]), float(b[line]), None, right, after, -1, right_facet)
    values = a + b * n
    # The line on top at n (of lines tied there to rounding, the flattest); a breakpoint
    # at or next to n is then a crossing with it, found below on either side.
    near = (values >= values.max() - 1e-14 * max(1.0, abs(values.max()))).nonzero()[0]
    top = int(near[b[near].argmin()])
    # The crossings on either side of the line on top at n, in Li amount.
    first_right = _crossing_right(a, b, top, n)
    first_left = _crossing_left(a, b, top, n)
    t_right, t_left = first_right[0], first_left[0]
    right, after, right_facet, right_line = _next_right(a, b, top, n, first_right)
    if t_right is not None and t_right - n <= hit:
        # n is the breakpoint just right of it: the line on top is the one left of n.
        left, left_line = _next_left(a, b, top, n, first_left)
        at_break, slopes = True, (b[left_line], b[right_line])
    elif t_left is not None and n - t_left <= hit:
        # n is the breakpoint just left of it: the line on top is the one right of n.
        left, left_line = _next_left(a, b, first_left[1], t_left)
        at_break, slopes = True, (b[left_line], b[right_line])
    else:
        # Inside a segment: both sides of n have the slope of the line on top.
        left, left_line = _next_left(a, b, top, n, first_left)
        at_break, slopes = False, (b[top], b[top])
    return Around(
        at_break,
        float(slopes[0]),
        float(slopes[1]),
        left,
        right,
        after,
        left_line,
        right_facet,
    )


#: (crossing, the line that takes over there, whether other crossings lie within MERGE_TOL)
_Crossing = tuple[float | None, int, bool]


def _crossing_right(a: np.ndarray, b: np.ndarray, line: int, t: float) -> _Crossing:
    """First crossing of ``line`` with a steeper line at or after ``t``, and the steepest
    line there; whether more crossings follow within MERGE_TOL (a line that crosses the one
    taking over that close also crosses ``line`` that close). (None, -1, False): none."""
    steeper = (b > b[line] + 1e-12).nonzero()[0]
    if steeper.size == 0:
        return None, -1, False
    cross = (a[line] - a[steeper]) / (b[steeper] - b[line])
    t_next = max(float(cross.min()), t)
    tie = cross <= t_next + 1e-10 * max(1.0, abs(t_next))
    close = cross <= t_next + 2 * MERGE_TOL * max(1.0, abs(t_next))
    ties = steeper[tie]
    return t_next, int(ties[b[ties].argmax()]), bool((close & ~tie).any())


def _crossing_left(a: np.ndarray, b: np.ndarray, line: int, t: float) -> _Crossing:
    """Last crossing of ``line`` with a flatter line before ``t``, the flattest line there,
    and whether more crossings precede it within MERGE_TOL. (None, -1, False): none."""
    flatter = (b < b[line] - 1e-12).nonzero()[0]
    if flatter.size == 0:
        return None, -1, False
    cross = (a[flatter] - a[line]) / (b[line] - b[flatter])
    t_prev = min(float(cross.max()), t)
    tie = cross >= t_prev - 1e-10 * max(1.0, abs(t_prev))
    close = cross >= t_prev - 2 * MERGE_TOL * max(1.0, abs(t_prev))
    ties = flatter[tie]
    return t_prev, int(ties[b[ties].argmin()]), bool((close & ~tie).any())


def _next_right(
    a: np.ndarray, b: np.ndarray, line: int, t: float, first: _Crossing | None = None
) -> tuple[float | None, float | None, int, int]:
    """From ``line`` on top at breakpoint (or point) ``t``, merging crossings within
    MERGE_TOL of it: (the next breakpoint, the slope right of it after merging its own close
    crossings, that line, the line right of ``t``). None, None, -1 where there is none.
    ``first``: ``_crossing_right`` of ``line`` at ``t``, if known."""
    t_next, steeper, close = first or _crossing_right(a, b, line, t)
    while t_next is not None and t_next <= t + MERGE_TOL * max(1.0, abs(t_next)):
        line = steeper  # t's own crossing
        t_next, steeper, close = _crossing_right(a, b, line, t)
    if t_next is None:
        return None, None, -1, line
    right, after_line = t_next, steeper
    while close:  # crossings within MERGE_TOL of the next breakpoint are its own
        t_more, more, close = _crossing_right(a, b, after_line, right)
        if t_more is None or t_more > right + MERGE_TOL * max(1.0, abs(t_more)):
            break
        after_line = more
    return right, float(b[after_line]), int(after_line), int(line)


def _next_left(
    a: np.ndarray, b: np.ndarray, line: int, t: float, first: _Crossing | None = None
) -> tuple[float, int]:
    """From ``line``, on top just left of breakpoint (or point) ``t``: the breakpoint before
    it (0.0: the start of the line) and the line right of that breakpoint.

    A cluster of crossings within MERGE_TOL is one breakpoint, at its first (leftmost) one,
    as the walk from 0 records it. ``first``: ``_crossing_left`` of ``line`` at ``t``.
    """
    t_prev, flatter, close = first or _crossing_left(a, b, line, t)
    while t_prev is not None and t_prev >= t - MERGE_TOL * max(1.0, abs(t)):
        line = flatter  # within MERGE_TOL of t itself: t's own crossing
        t_prev, flatter, close = _crossing_left(a, b, line, t)
    if t_prev is None or t_prev <= MERGE_TOL * max(1.0, abs(t_prev)):
        return 0.0, line
    position, current = t_prev, flatter
    while close:  # crossings within MERGE_TOL before it: one breakpoint, at the first
        t_more, more, close = _crossing_left(a, b, current, position)
        if t_more is None or t_more < position - MERGE_TOL * max(1.0, abs(position)):
            break
        if t_more <= MERGE_TOL * max(1.0, abs(t_more)):
            return 0.0, line  # the cluster reaches the start of the line
        position, current = t_more, more
    return position, line


def upper_envelope(
    a: np.ndarray, b: np.ndarray, t0: float, t1: float, tol: float
) -> tuple[np.ndarray, np.ndarray]:
    """Breakpoints of ``max_f (a_f + b_f t)`` on [t0, t1] and the line active right of each.

    Walks from t0: at each breakpoint the next line is the steepest of those that cross the
    current one first. Ties (several lines through one point) are resolved to the steepest,
    which is the one that stays on top to the right.
    """
    values = a + b * t0
    current = (values >= values.max() - tol).nonzero()[0]
    line = current[b[current].argmax()]
    breaks, lines = [t0], [line]
    t = t0
    while True:
        steeper = (b > b[line] + 1e-12).nonzero()[0]
        if steeper.size == 0:
            break
        cross = (a[line] - a[steeper]) / (b[steeper] - b[line])
        valid = cross >= t - 1e-12
        if not valid.any():
            break
        cross, steeper = cross[valid], steeper[valid]
        t_next = cross.min()
        if t_next >= t1 - MERGE_TOL * max(1.0, abs(t1) if np.isfinite(t1) else 0.0):
            break
        ties = steeper[cross <= t_next + 1e-10 * max(1.0, abs(t_next))]
        line = ties[b[ties].argmax()]
        t = max(t_next, t)
        # Breakpoints closer than this are one (pymatgen merges critical compositions alike).
        if t > breaks[-1] + MERGE_TOL * max(1.0, abs(t)):
            breaks.append(t)
            lines.append(line)
        else:
            lines[-1] = line
    return np.array(breaks), np.array(lines)
