"""Property-based: a hull built without the phases a dataset reports above it is the hull.

``Hull(..., above=...)`` leaves the reported phases out of qhull's input and keeps the result
only if every one of them lies above it; wrong reports must fall back to qhull on all points.
"""

from __future__ import annotations

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pymatgen.analysis.phase_diagram import PDEntry, PhaseDiagram
from pymatgen.core import Composition

from stability.thermo.hull import HINT_GAP, Hull
from stability.thermo.walk import WalkHull

from .paths import hull_paths

ELEMENTS = ["Li", "N", "Cl", "O"]
amount = st.integers(min_value=0, max_value=4)
compound = st.tuples(amount, amount, amount, amount).filter(lambda t: sum(x > 0 for x in t) >= 2)
# Rounded energies: exact ties (coplanar phases) are drawn often.
energy = st.floats(min_value=-2.0, max_value=0.3, allow_nan=False).map(lambda e: round(e, 2))
systems = st.lists(st.tuples(compound, energy), min_size=4, max_size=24)
#: How each row's reported distance is made: the truth, or a wrong value.
reports = st.lists(st.sampled_from(["true", "true", "true", "zero", "far", "nan"]), max_size=30)


def arrays(system) -> tuple[np.ndarray, np.ndarray, list[PDEntry]]:
    amounts = [list(a) for a, _ in system] + np.eye(len(ELEMENTS)).tolist()
    energies = [e for _, e in system] + [0.0] * len(ELEMENTS)
    amounts = np.array(amounts, dtype=float)
    fractions = amounts / amounts.sum(axis=1, keepdims=True)
    entries = [
        PDEntry(Composition(dict(zip(ELEMENTS, a, strict=True))), e * a.sum())
        for a, e in zip(amounts, energies, strict=True)
    ]
    return fractions, np.array(energies), entries


def reported(entries: list[PDEntry], kinds: list[str]) -> np.ndarray:
    pd = PhaseDiagram(entries)
    truth = np.array([pd.get_e_above_hull(e, allow_negative=True) for e in entries])
    wrong = {"zero": 0.0, "far": 1.0, "nan": np.nan}
    out = truth.copy()
    for i, kind in enumerate(kinds[: len(out)]):
        if kind != "true":
            out[i] = wrong[kind]
    return out


def hull_energies(hull: Hull, points: np.ndarray) -> np.ndarray:
    return np.array([hull.energy(x) for x in points])


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(systems, reports, st.lists(st.lists(st.floats(0, 1), min_size=4, max_size=4), max_size=6))
def test_hinted_hull_is_the_hull(system, kinds, queries):
    fractions, energies, entries = arrays(system)
    distance = reported(entries, kinds)
    full = Hull(fractions, energies)
    hinted = Hull(fractions, energies, above=distance > HINT_GAP)
    points = np.vstack([fractions, [q for q in queries if sum(q) > 0.01] or fractions[:1]])
    assert np.allclose(hull_energies(hinted, points), hull_energies(full, points), atol=1e-9)
    # Every facet found supports every point: it is a facet of the lower hull of all of them.
    _, gaps = full._plane_gaps(hinted.facets)
    assert gaps.min() >= -1e-9
    # A hint that removes a phase which is on the hull must not be taken.
    stable = {int(r) for r in full.vertex_rows[np.unique(full.facets)]}
    if hinted.hinted:
        assert not any(distance[r] > HINT_GAP for r in stable if np.count_nonzero(fractions[r]) > 1)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(systems, reports, st.lists(st.lists(st.floats(0, 1), min_size=4, max_size=4), max_size=6))
def test_pivoting_hull_with_reports_answers_as_without(system, kinds, queries):
    """The pivoting hull (thermo/walk.py) leaves the reported rows out of its pivots, checks
    every facet it answers from, and finds the answer over all rows when a check fails."""
    fractions, energies, entries = arrays(system)
    distance = reported(entries, kinds)
    full = WalkHull(fractions, energies)
    hinted = WalkHull(fractions, energies, above=distance > HINT_GAP)
    points = [*fractions, *(np.array(q) for q in queries if sum(q) > 0.01)]
    for x in points:
        assert abs(hinted.energy(x) - full.energy(x)) < 1e-9
        assert_decomposes(hinted, x, full.energy(x))
    for x in points[: len(ELEMENTS) + 4]:
        host = x.copy()
        host[0] = 0.0
        if host.sum() <= 0:
            continue
        got, want = hinted.envelope(host, 0), full.envelope(host, 0)
        assert np.allclose(got[0], want[0], atol=1e-9) and np.allclose(got[1], want[1], atol=1e-9)
        near, *_ = hinted.around(x, 0)
        assert near == full.around(x, 0)[0] or _same_around(near, full.around(x, 0)[0])
    if all(k == "true" for k in kinds[: len(distance)]):
        assert hinted.fallbacks == 0


def assert_decomposes(hull: WalkHull, x: np.ndarray, energy: float) -> None:
    """The phases ``hull`` gives at ``x`` hold its atoms and have the hull's energy there.

    Not the same phases as the hull without reports: at an exact tie (a phase on a tie
    line) either decomposition is right, and which facet the pivots reach may differ.
    """
    verts, atoms = hull.decompose(x)
    assert (atoms >= 0).all()
    # Amounts below config.AMOUNT_TOL (1e-8 atoms) are not reported as phases.
    assert np.allclose(atoms @ hull.fractions[verts], x, atol=1e-7)
    assert abs(float(atoms @ hull.form[verts]) - energy) < 1e-7


def _same_around(a, b) -> bool:
    def close(u, v):
        return (u is None and v is None) or (u is not None and v is not None and abs(u - v) < 1e-9)

    return a.at_break == b.at_break and all(
        close(getattr(a, f), getattr(b, f))
        for f in ("slope_left", "slope_right", "left", "right", "slope_after")
    )


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(systems)
def test_true_reports_are_left_out(system):
    """With the true distances, the phases far above the hull are left out of qhull's input
    and of the pivots, and every check passes."""
    fractions, energies, entries = arrays(system)
    above = reported(entries, []) > HINT_GAP
    full = Hull(fractions, energies)
    # Only points a hull is built from (lowest per composition, below the elements) count.
    far = above[full.vertex_rows]
    pure = np.count_nonzero(fractions[full.vertex_rows], axis=1) == 1
    qhull, pivoting = (
        Hull(fractions, energies, above=above),
        WalkHull(fractions, energies, above=above),
    )
    if far.any() and len(full.vertex_rows) - far.sum() > len(ELEMENTS):
        assert qhull.hinted
    assert pivoting._left_out.size == int((far & ~pure).sum())
    for x in fractions:
        assert abs(qhull.energy(x) - full.energy(x)) < 1e-9
        assert abs(pivoting.energy(x) - full.energy(x)) < 1e-9
    assert pivoting.fallbacks == 0


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    systems,
    st.lists(st.floats(0.05, 1), min_size=4, max_size=4),
    st.floats(min_value=1e-5, max_value=1e-2),
)
def test_a_barely_stable_phase_reported_far_is_kept(system, where, depth):
    """A phase just below the hull of the others (1e-5 to 1e-2 eV/atom), reported far above
    it, must still be on the hull: the checks on left-out phases are strict."""
    fractions, energies, _ = arrays(system)
    others = Hull(fractions, energies)
    x = np.array(where) / sum(where)
    fractions = np.vstack([fractions, x])
    energies = np.append(energies, others.energy(x) + others.refs @ x - depth)
    above = np.zeros(len(energies), dtype=bool)
    above[-1] = True
    for hull_type in (Hull, WalkHull):
        hinted = hull_type(fractions, energies, above=above)
        want = others.energy(x) - depth
        assert abs(hinted.energy(x) - want) < 1e-9, hull_type.__name__


def test_reports_are_used_on_the_snapshot(mp2019):
    """mp2019_ground_states reports each phase's distance to the hull: hulls of both types
    leave phases out, and their answers pass the checks."""
    from stability.analysis.windows.window import compute_window
    from stability.thermo.engines import make_engine

    with hull_paths("qhull"):
        whole = make_engine(mp2019, "fast")
    with hull_paths("walk"):
        pivoting = make_engine(mp2019, "fast")
    for formula in ("Li10GeP2S12", "Li7La3Zr2O12", "Li6PS5Cl", "Li3InCl6"):
        a, b = compute_window(whole, formula), compute_window(pivoting, formula)
        assert abs(a.reduction_limit_V - b.reduction_limit_V) < 1e-9, formula
        assert abs(a.oxidation_limit_V - b.oxidation_limit_V) < 1e-9, formula
        assert (a.reduction_products, a.oxidation_products) == (
            b.reduction_products,
            b.oxidation_products,
        ), formula
    systems = (
        ["Li", "Ge", "P", "S"],
        ["Li", "La", "Zr", "O"],
        ["Li", "P", "S", "Cl"],
        ["Li", "In", "Cl"],
    )
    for elements in systems:
        qhull = whole.system(elements).hull
        assert isinstance(qhull, Hull) and qhull.hinted, elements
        walk = pivoting.system(elements).hull
        assert isinstance(walk, WalkHull), elements
        assert walk._left_out.size > 0 and walk.fallbacks == 0, elements
