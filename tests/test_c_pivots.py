"""The walk's pivots in C (thermo/_pivots.c) equal its pivots in numpy.

Both follow the same rules, so they meet the same bases: the same phases in every answer,
numbers equal to rounding (the inverses are computed apart). Only among points exactly on a
common plane may a rounding pick another of the tied bases, with the same energies. Random
systems of 3-8 elements query by query, and the all-Li screen's windows on the MP snapshot.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from stability import compute_window, resolve_targets, run_screen
from stability.thermo import walk
from stability.thermo.engines import make_engine
from stability.thermo.walk import WalkHull, c_pivots_available

from .conftest import SHARED_DATA
from .installs import pip_install_copy
from .paths import hull_paths


def test_the_c_pivots_are_built():
    # ``make install`` compiles them; a failed build would leave the slow path in silence.
    assert c_pivots_available(), "stability/thermo/_pivots.c was not built (no C compiler?)"
    # One set of tolerances: the C file's own copies are walk.py's.
    assert (walk._pivots.COST_TOL, walk._pivots.PIVOT_TOL) == (walk.COST_TOL, walk.PIVOT_TOL)


@st.composite
def hulls(draw, ties: bool):
    """(fractions, formation energies eV/atom, a query composition) with 3-8 elements.

    ``ties``: energies rounded to 0.01 eV/atom, so that points lie exactly on common planes;
    else offset by square roots of distinct primes, which obey no such relation."""
    k = draw(st.integers(min_value=3, max_value=8))
    amount = st.integers(min_value=0, max_value=4)
    compound = st.lists(amount, min_size=k, max_size=k).filter(lambda t: sum(x > 0 for x in t) >= 2)
    energy = st.floats(min_value=-2.0, max_value=0.3).map(lambda e: round(e, 2))
    entries = draw(st.lists(st.tuples(compound, energy), min_size=1, max_size=40))
    amounts = np.array([np.eye(k)[i] for i in range(k)] + [c for c, _ in entries], dtype=float)
    fractions = amounts / amounts.sum(axis=1, keepdims=True)
    energies = np.array([0.0] * k + [e for _, e in entries])
    if not ties:
        energies[k:] -= 1e-3 * np.sqrt(PRIMES[: len(entries)])
    query = draw(st.lists(st.integers(min_value=1, max_value=9), min_size=k, max_size=k))
    return fractions, energies, np.array(query, dtype=float)


PRIMES = np.array([p for p in range(2, 200) if all(p % q for q in range(2, p))], dtype=float)


def pair(fractions, energies) -> tuple[WalkHull, WalkHull]:
    c, py = (
        WalkHull(fractions, energies, c_pivots=True),
        WalkHull(fractions, energies, c_pivots=False),
    )
    assert c._c is not None and py._c is None
    return c, py


def same_facet(a, b) -> None:
    """The same facet: the same set of phases (a basis is a set; the order a walk lists it in
    follows its pivots, which float noise in a degenerate step can reorder), the same
    potentials, and the same inverse with its columns in the phases' order."""
    oa, ob = np.argsort(a.basis), np.argsort(b.basis)
    assert a.basis[oa].tolist() == b.basis[ob].tolist()
    assert np.allclose(a.mu, b.mu, rtol=0, atol=1e-9)
    scale = 1e-9 * max(1.0, np.abs(b.inv).max())
    assert np.allclose(a.inv[:, oa], b.inv[:, ob], rtol=0, atol=scale)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(hulls(ties=False), st.integers(min_value=0, max_value=7))
def test_every_query_meets_the_same_facets(system, axis):
    """Without ties every facet is unique: both walks meet the same bases."""
    fractions, energies, x = system
    axis %= fractions.shape[1]
    c, py = pair(fractions, energies)
    same_facet(c._facet_at(x), py._facet_at(x))
    assert abs(c.energy(x) - py.energy(x)) < 1e-9
    for (va, aa), (vb, ab) in [(c.decompose(x), py.decompose(x))]:
        assert va.tolist() == vb.tolist()
        assert np.allclose(aa, ab, rtol=0, atol=1e-9)
    # The whole line along an element, as a profile walks it, and the steps next to x.
    host = x.copy()
    host[axis] = 0.0
    (b1, s1, f1), (b2, s2, f2) = c.envelope_facets(host, axis), py.envelope_facets(host, axis)
    assert np.allclose(b1, b2, rtol=0, atol=1e-9) and np.allclose(s1, s2, rtol=0, atol=1e-9)
    for a, b in zip(f1, f2, strict=True):
        same_facet(a, b)
    (near1, *facets1), (near2, *facets2) = c.around(x, axis), py.around(x, axis)
    for field in ("at_break", "slope_left", "slope_right", "left", "right", "slope_after"):
        v1, v2 = getattr(near1, field), getattr(near2, field)
        assert v1 == v2 if v1 is None or isinstance(v1, bool) else abs(v1 - v2) < 1e-9
    for a, b in zip(facets1, facets2, strict=True):
        assert (a is None) is (b is None)
        if a is not None:
            same_facet(a, b)
    # A mixing segment, as an interface walks it.
    start = np.roll(x, 1)
    (x1, e1, g1), (x2, e2, g2) = c.segment_facets(start, x), py.segment_facets(start, x)
    assert np.allclose(x1, x2, rtol=0, atol=1e-9) and np.allclose(e1, e2, rtol=0, atol=1e-9)
    assert [f.basis.tolist() for f in g1] == [f.basis.tolist() for f in g2]


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(hulls(ties=True), st.integers(min_value=0, max_value=7))
def test_ties_give_the_same_answers(system, axis):
    """Points exactly on common planes: the rounding of a ratio test may pick another of the
    tied bases (as qhull may triangulate such a face either way); the hull energies,
    breakpoints and slopes are still the same."""
    fractions, energies, x = system
    axis %= fractions.shape[1]
    c, py = pair(fractions, energies)
    assert abs(c.energy(x) - py.energy(x)) < 1e-9
    (_, e1), (_, e2) = c.decompose(x), py.decompose(x)
    assert abs(e1.sum() - e2.sum()) < 1e-9  # atoms of x in either equilibrium
    host = x.copy()
    host[axis] = 0.0
    (b1, s1), (b2, s2) = c.envelope(host, axis), py.envelope(host, axis)
    assert np.allclose(b1, b2, rtol=0, atol=1e-9) and np.allclose(s1, s2, rtol=0, atol=1e-9)
    near1, near2 = c.around(x, axis)[0], py.around(x, axis)[0]
    for field in ("at_break", "slope_left", "slope_right", "left", "right", "slope_after"):
        v1, v2 = getattr(near1, field), getattr(near2, field)
        assert v1 == v2 if v1 is None or isinstance(v1, bool) else abs(v1 - v2) < 1e-9
    start = np.roll(x, 1)
    (x1, en1), (x2, en2) = c.segment(start, x), py.segment(start, x)
    assert np.allclose(x1, x2, rtol=0, atol=1e-9) and np.allclose(en1, en2, rtol=0, atol=1e-9)


@pytest.mark.parametrize("ties", [False, True])
@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_a_mixing_line_in_one_call_is_segment_energies(ties, data):
    """``segment_kinks`` (a mixing line in one C call, as a screen's reaction column walks
    it) gives ``segment_energies``' kinks and energies to the bit, and the most negative
    reaction energy ``FastSystem.mixing`` computes from them; with rows left out by true
    hints and by wrong ones, where it answers (a wrong hint: ``segment_energies`` does)."""
    fractions, energies, x = data.draw(hulls(ties=ties))
    start = np.roll(x, 1)
    whole = WalkHull(fractions, energies, c_pivots=True)
    on_hull = np.array([whole.energy(f) for f in fractions])
    hints = [None, energies - on_hull > 1e-4]
    hints.append(np.array(data.draw(st.lists(st.booleans(), min_size=len(x), max_size=len(x)))))
    hints[-1] = np.resize(hints[-1], len(energies))
    answered = 0
    for above in hints:
        found = WalkHull(fractions, energies, above=above, c_pivots=True).segment_kinks(start, x)
        xs, es, _ = WalkHull(fractions, energies, above=above).segment_energies(start, x)
        if found is None:
            assert above is hints[-1] or np.allclose(start, x)
            continue
        answered += 1
        ts, kink_energies, e_min = found
        assert ts.tolist() == xs.tolist() and kink_energies.tolist() == es.tolist()
        eb, ea = float(es[0]), float(es[-1])
        assert e_min == min(h - t * ea - (1 - t) * eb for t, h in zip(xs, es, strict=True))
    assert answered or np.allclose(start, x)
    one = x / x.sum()
    assert WalkHull(fractions, energies, c_pivots=True).segment_kinks(one, one) is None  # no line


def test_the_all_li_screen_is_the_same(mp2019):
    """Every fourth chemical system of the all-Li screen: the same rows (products, labels),
    limits equal to rounding."""
    rows = {}
    for pivots in ("c", "numpy"):
        with hull_paths("walk", pivots):
            engine = make_engine(mp2019, "fast")
        targets = resolve_targets(mp2019, "all-li")
        systems = sorted({tuple(sorted(mp2019.row_composition(t.row))) for t in targets})
        keep = set(systems[::4])
        chosen = [t for t in targets if tuple(sorted(mp2019.row_composition(t.row))) in keep]
        rows[pivots] = run_screen(engine, chosen, jobs=1).rows
    assert len(rows["c"]) == len(rows["numpy"]) > 1500
    for a, b in zip(rows["c"], rows["numpy"], strict=True):
        for key, value in a.items():
            if isinstance(value, float):
                assert abs(value - b[key]) < 1e-9, (a["formula"], key)
            else:
                assert value == b[key], (a["formula"], key)


def test_bad_buffers_are_refused():
    fractions = np.eye(3)
    form = np.zeros(3)
    rows = np.arange(3)
    inv, mu = np.empty((3, 3)), np.empty(3)
    with pytest.raises(ValueError, match="basis"):
        walk._pivots.facet(fractions, form, rows, 3, np.arange(2), inv, mu)
    with pytest.raises(ValueError, match="outside"):
        walk._pivots.facet(fractions, form, rows, 3, np.array([0, 1, 7]), inv, mu)
    with pytest.raises(ValueError, match="k must be"):
        walk._pivots.facet(fractions, form, rows, 0, np.arange(3), inv, mu)
    assert walk._pivots.facet(fractions, form, rows, 3, np.arange(3), inv, mu)
    assert np.array_equal(inv, np.eye(3))
    # A singular basis is reported, not inverted.
    assert not walk._pivots.facet(fractions, form, rows, 3, np.array([0, 0, 1]), inv, mu)
    # Items of another type are refused, not read as float64 / int64 of the same size.
    with pytest.raises(TypeError, match="float64"):
        walk._pivots.facet(np.eye(3, dtype=np.int64), form, rows, 3, np.arange(3), inv, mu)
    with pytest.raises(TypeError, match="int64"):
        walk._pivots.facet(fractions, form, rows, 3, np.arange(3.0), inv, mu)
    with pytest.raises(TypeError, match="float64"):
        walk._pivots.facet(fractions, form.astype(np.float32), rows, 3, np.arange(3), inv, mu)


def test_integer_and_float32_inputs_are_read_as_floats():
    """WalkHull hands the C pivots float64 copies of whatever it is given."""
    fractions = np.array([[1, 0, 0], [0, 1, 0], [0, 0, 1], [1, 1, 0]], dtype=np.int64)
    energies = np.array([0, 0, 0, -2], dtype=np.float32)
    c, py = (WalkHull(fractions / 1, energies, c_pivots=on) for on in (True, False))
    int_hull = WalkHull(np.eye(3, dtype=np.int64), np.zeros(3, dtype=np.int64), c_pivots=True)
    assert int_hull.energy(np.array([1, 2, 3])) == 0.0
    x = np.array([1, 1, 1])  # integers along the segment too
    assert np.allclose(c.segment(np.array([2, 0, 0]), x)[1], py.segment(np.array([2, 0, 0]), x)[1])
    assert c.energy(x) == pytest.approx(py.energy(x)) == pytest.approx(-2.0)


def test_systems_beyond_the_c_size_pivot_in_numpy():
    k = walk._pivots.KMAX + 1
    hull = WalkHull(np.eye(k), np.zeros(k), c_pivots=True)
    assert hull._c is None
    assert hull.energy(np.ones(k)) == 0.0


def test_long_walks_come_back_to_python_between_chunks(monkeypatch):
    """A line walk returns to Python every CHUNK pivots (Ctrl-C is seen there)."""
    rng = np.random.default_rng(3)
    k, n = 4, 400
    amounts = rng.integers(0, 9, size=(n, k)).astype(float)
    amounts = amounts[(amounts > 0).sum(axis=1) >= 2]
    fractions = np.vstack([np.eye(k), amounts / amounts.sum(axis=1, keepdims=True)])
    # Energies on a paraboloid (0 at the elements): every point is a vertex, so a line
    # crosses many facets.
    energies = (fractions**2).sum(axis=1) - 1.0
    calls = []
    real = walk._pivots.walk

    def counted(*args):
        out = real(*args)
        calls.append(out[3])  # pivots made by this call
        return out

    monkeypatch.setattr(walk._pivots, "walk", counted)
    hull = WalkHull(fractions, energies, c_pivots=True)
    breaks, _, _ = hull.envelope_facets(np.array([0.0, 1.0, 1.7, 2.3]), 0)
    assert sum(calls) >= len(breaks) - 1 > walk.CHUNK
    assert max(calls) <= walk.CHUNK


@pytest.mark.slow
def test_an_install_without_a_c_compiler_pivots_in_numpy(tmp_path, fast2019):
    """``pip install .`` where the compiler fails: the install succeeds without the C pivots,
    and windows come out of the numpy walk. CC and LDSHARED "false": every compile and link
    fails."""
    import os
    import subprocess

    env = {k: v for k, v in os.environ.items() if not k.startswith("STABILITY_")}
    py, site = pip_install_copy(tmp_path, {**env, "CC": "false", "LDSHARED": "false"})
    env["STABILITY_DATA"] = str(SHARED_DATA)
    code = (
        "import stability.thermo.walk as w; print(w.c_pivots_available()); "
        "from stability import load_dataset, make_engine, compute_window; "
        "e = make_engine(load_dataset(None, 'mp2019_ground_states'), 'fast'); "
        "win = compute_window(e, 'Li3PS4'); print(repr(win.reduction_limit_V), repr(win.oxidation_limit_V))"
    )
    out = subprocess.run(
        [py, "-c", code], cwd=tmp_path, env=env, capture_output=True, text=True, check=True
    ).stdout.split()
    assert out[0] == "False"
    assert not list(Path(site).rglob("_pivots*.so"))
    here = compute_window(fast2019, "Li3PS4")  # with the C pivots
    assert abs(float(out[1]) - here.reduction_limit_V) < 1e-9, out
    assert abs(float(out[2]) - here.oxidation_limit_V) < 1e-9, out
