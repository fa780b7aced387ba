"""The pivoting path (thermo/walk.py: every closed hull by default) equals pymatgen.

On small systems, so pymatgen can answer too: random synthetic systems of 4-7 elements
against PhaseDiagram + get_element_profile, and against an engine made on whole qhull hulls
(``tests/paths.py``; windows, whole profiles, interfaces closed and with Li open); then real
compositions of the MP snapshot, and high-entropy ones that only this path can answer.
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pymatgen.analysis.phase_diagram import PDEntry
from pymatgen.core import Composition

from stability import config
from stability.analysis.interfaces.interface import compute_interface
from stability.analysis.materials.sets import formula_elements
from stability.analysis.windows.profile import compute_profile
from stability.analysis.windows.window import compute_window
from stability.entries.table import FORMATION, EntryTable
from stability.thermo.engines import make_engine
from stability.thermo.walk import WalkHull

from . import oracle
from .paths import hull_paths
from .steps import assert_window_steps_match_whole_line

POOL = ["Li", "N", "Cl", "O", "S", "P", "Mg"]
PRIMES = [2, 3, 5, 7, 11, 13, 17, 19, 23, 29, 31, 37, 41, 43, 47, 53, 59, 61, 67, 71, 73]
PRIMES += [79, 83, 89, 97, 101, 103, 107, 109, 113]
PRIME_ROOTS = [float(np.sqrt(p)) for p in PRIMES]


@st.composite
def systems(draw, rounded: bool):
    """(elements, [(amounts, formation energy eV/atom)]) with 4-7 elements, Li first."""
    k = draw(st.integers(min_value=4, max_value=7))
    elements = POOL[:k]
    amount = st.integers(min_value=0, max_value=3)
    compound = st.lists(amount, min_size=k, max_size=k).filter(lambda t: sum(x > 0 for x in t) >= 2)
    # Formation energies within tolerances of zero (1e-11) make pymatgen's own choices noise.
    energy = st.floats(min_value=-2.0, max_value=0.3, allow_nan=False).filter(
        lambda e: abs(e) > 1e-4
    )
    if rounded:  # exact ties: coplanar points, where only limits are unique
        energy = energy.map(lambda e: round(e, 2))
    entries = draw(st.lists(st.tuples(compound, energy), min_size=1, max_size=30))
    if not rounded:
        # Hypothesis favours simple floats (-1.0 for every entry), which puts phases exactly
        # on one plane: there either decomposition is right and products need not match
        # pymatgen's. Offsets by square roots of distinct primes obey no such relation; at
        # 1e-3 eV/atom they also stay far above the oracle's 1e-6 eV/atom placement, which
        # cannot resolve facets closer than that (offsets of 1e-6 made windows 6e-7 V wide).
        entries = [(c, e - 1e-3 * PRIME_ROOTS[i]) for i, (c, e) in enumerate(entries)]
    query = draw(
        st.lists(st.floats(min_value=0.05, max_value=4), min_size=k, max_size=k).map(
            lambda q: [round(a, 4) for a in q]
        )
    )
    return elements, entries, query


def table_of(elements, entries) -> tuple[EntryTable, list[PDEntry]]:
    comps = [
        {el: float(a) for el, a in zip(elements, amts, strict=True) if a} for amts, _ in entries
    ]
    energies = [e for _, e in entries]
    comps += [{el: 1.0} for el in elements]
    energies += [0.0] * len(elements)
    table = EntryTable.from_records(
        comps, energies, {"name": "synthetic", "energy_kind": FORMATION}
    )
    pd_entries = [
        PDEntry(Composition(c), e * sum(c.values())) for c, e in zip(comps, energies, strict=True)
    ]
    return table, pd_entries


def formula_of(elements, query) -> str:
    return "".join(f"{el}{a:.4f}" for el, a in zip(elements, query, strict=True))


def engines(table, pivots: str = "c"):
    """(qhull engine, pivoting engine) over the same table, grand hulls alike; ``pivots``:
    where the pivoting engine pivots ("c" or "numpy")."""
    with hull_paths("qhull"):
        hull = make_engine(table, "fast")
        assert not isinstance(hull.system(table.elements).hull, WalkHull)
    with hull_paths("walk", pivots):
        walk = make_engine(table, "fast")
        walk_hull = walk.system(table.elements).hull
        assert isinstance(walk_hull, WalkHull)
        assert (walk_hull._c is not None) is (pivots == "c")
    return hull, walk


#: Both places the walk pivots: the C extension and numpy (first argument: hypothesis
#: fills the rightmost).
PIVOTS = pytest.mark.parametrize("pivots", ["c", "numpy"])


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(systems(rounded=False))
@pytest.mark.slow
@PIVOTS
def test_walk_window_matches_pymatgen(pivots, system):
    elements, entries, query = system
    table, pd_entries = table_of(elements, entries)
    formula = formula_of(elements, query)
    expected = oracle.window(pd_entries, formula)
    _, walk = engines(table, pivots)
    got = compute_window(walk, formula)
    assert abs(got.reduction_limit_V - expected["reduction_limit_V"]) < 1e-6
    assert abs(got.oxidation_limit_V - expected["oxidation_limit_V"]) < 1e-6
    assert got.placed_on_hull == expected["placed_on_hull"]
    assert sorted(got.reduction_products) == expected["reduction_products"]
    assert sorted(got.oxidation_products) == expected["oxidation_products"]
    # The whole profile: the same critical voltages as pymatgen's get_element_profile.
    prof = compute_profile(walk, formula)
    volts = [s.voltage_low_V for s in prof.steps]
    assert np.allclose(sorted(volts), sorted(expected["profile_V"]), atol=1e-6, rtol=0)


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(systems(rounded=True))
@PIVOTS
def test_walk_profile_equals_qhull_path(pivots, system):
    """Ties included: limits, Li amounts and mass balance equal the qhull path's."""
    elements, entries, query = system
    table, _ = table_of(elements, entries)
    formula = formula_of(elements, query)
    hull, walk = engines(table, pivots)
    a, b = compute_profile(hull, formula), compute_profile(walk, formula)
    assert len(a.steps) == len(b.steps)
    for sa, sb in zip(a.steps, b.steps, strict=True):
        assert abs(sa.voltage_low_V - sb.voltage_low_V) < 1e-9
        assert abs(sa.ion_per_formula_unit - sb.ion_per_formula_unit) < 1e-9
        assert sa.is_pristine == sb.is_pristine
    comp = Composition(formula)
    for step in b.steps:
        total = sum((Composition(p.formula) * p.amount for p in step.phases), Composition())
        for el in elements[1:]:
            assert abs(total[el] - comp[el]) < 1e-6
        assert abs(total["Li"] - (comp["Li"] + step.ion_per_formula_unit)) < 1e-6


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(systems(rounded=True))
@PIVOTS
def test_window_steps_equal_the_whole_line(pivots, system):
    """On both paths, the steps read next to the composition (walked from it both ways, or
    ``envelope_around``) are the steps of the whole line walked from 0, ties included
    (products: the same where unique, see test_engine_properties)."""
    elements, entries, query = system
    table, _ = table_of(elements, entries)
    amounts = dict(zip(elements, [float(a) for a in query], strict=True))
    for engine in engines(table, pivots):
        fast = engine.system(elements)
        assert_window_steps_match_whole_line(fast, amounts, elements)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(systems(rounded=False), st.sampled_from([None, 0.0, 1.5, 3.0, 4.5]))
@pytest.mark.slow
@PIVOTS
def test_walk_interfaces_match_pymatgen(pivots, system, voltage):
    elements, entries, query = system
    table, pd_entries = table_of(elements, entries)
    a = formula_of(elements, query)
    b = formula_of(elements[1:], query[::-1][: len(elements) - 1])  # a Li-free partner
    hull, walk = engines(table, pivots)
    expected = oracle.interface(pd_entries, a, b, voltage)
    got = compute_interface(walk, a, b, voltage)
    assert abs(got.reaction_energy_meV - expected["energy_meV"]) < 1e-3
    energies = sorted(k.reaction_energy_meV for k in got.kinks)
    unique = len(energies) < 2 or energies[1] > energies[0] + 1e-3  # else a tie decides
    if expected["energy_meV"] < -1.0 and unique:
        assert sorted(p for p in got.products if p != "Li") == expected["products"]
    # Every kink, products included, equals the qhull path's.
    same = compute_interface(hull, a, b, voltage)
    assert len(same.kinks) == len(got.kinks)
    for k1, k2 in zip(same.kinks, got.kinks, strict=True):
        assert abs(k1.mixing_ratio - k2.mixing_ratio) < 1e-9
        assert abs(k1.reaction_energy_meV - k2.reaction_energy_meV) < 1e-6
        assert abs(k1.total_reaction_energy_meV - k2.total_reaction_energy_meV) < 1e-6
        assert k1.products == k2.products


# ------------------------------------------------------------------ the MP snapshot


@pytest.fixture(scope="module")
def both2019(mp2019):
    # Each engine keeps the paths it was made with, for every system it builds later.
    with hull_paths("qhull"):
        hull = make_engine(mp2019, "fast")
    with hull_paths("walk"):
        walk = make_engine(mp2019, "fast")
    rows = [
        i
        for i in range(len(mp2019))
        if "Li" in (c := mp2019.row_composition(i)) and 4 <= len(c) <= 6
    ]
    formulas = [str(mp2019.formula[i]) for i in np.random.default_rng(7).choice(rows, 60)]
    pairs = [(compute_window(hull, f), compute_window(walk, f)) for f in formulas]
    for f in formulas:
        elements = formula_elements(f)
        assert not hull.system(elements).walk and walk.system(elements).walk
    return pairs


def test_walk_equals_qhull_on_mp_compounds(both2019):
    for a, b in both2019:
        assert abs(a.reduction_limit_V - b.reduction_limit_V) < 1e-6, a.formula
        assert abs(a.oxidation_limit_V - b.oxidation_limit_V) < 1e-6, a.formula
        assert a.reduction_products == b.reduction_products, a.formula
        assert a.oxidation_products == b.oxidation_products, a.formula
        assert a.placed_on_hull == b.placed_on_hull, a.formula


HIGH_ENTROPY = [
    "Li1Mg0.1Al0.1Si0.2P0.1S0.4O0.5N0.2Cl0.3",  # 9 elements
    "Li0.5Na0.5Mg0.1Al0.1Si0.2P0.1S0.4Cl0.3Br0.2O0.5N0.2",  # 11 elements
    "Li6.4La3Zr1.4Ta0.3Nb0.2Al0.1Ga0.05O12",  # doped LLZO, 8 elements
    "Li5.4P1Ge0.2S4.4Se0.2Cl0.7Br0.3I0.2",  # mixed-anion argyrodite, 8 elements
]


@pytest.mark.parametrize("formula", HIGH_ENTROPY)
def test_high_entropy_profiles_balance(fast2019, formula):
    """Large systems take the pivoting path; every equilibrium holds the pristine atoms."""
    comp = Composition(formula)
    system = fast2019.system({str(e) for e in comp.elements})
    assert isinstance(system.hull, WalkHull)
    prof = compute_profile(fast2019, formula)
    w = prof.window
    assert 0.0 <= w.reduction_limit_V <= w.oxidation_limit_V < 10.0
    volts = [s.voltage_low_V for s in prof.steps]
    assert volts == sorted(volts) and volts[0] == 0.0
    for step in prof.steps:
        total = sum((Composition(p.formula) * p.amount for p in step.phases), Composition())
        for el in comp.elements:
            if str(el) != "Li":
                assert abs(total[el] - comp[el]) < 1e-6
        assert abs(total["Li"] - (comp["Li"] + step.ion_per_formula_unit)) < 1e-6
    # The hull energy at the composition is that of its decomposition, and no entry lies
    # below the facet found there (it is a lower-hull facet).
    hull = system.hull
    x = system._vector(dict(comp.as_dict()))
    fac = hull._facet_at(x)
    assert (hull.form - hull.fractions @ fac.mu).min() > -1e-9
    assert fac.amounts(x).min() > -1e-9


@pytest.mark.parametrize("pivots", ["c", "numpy"])
def test_default_hull_paths(mp2019, monkeypatch, pivots):
    """By default every closed hull pivots; so does every grand hull where the pivots run in
    C, while with numpy pivots grand hulls of 3-5 closed elements are qhull's (a voltage scan
    reuses their facets)."""
    monkeypatch.setattr(config, "PIVOTS", pivots)
    engine = make_engine(mp2019, "fast")
    assert engine.paths.pivots == pivots
    cases = [
        (["Li", "N"], False),
        (["Li", "P", "S"], False),
        (["Li", "Ge", "P", "S"], True),
        (["Li", "La", "Zr", "Ta", "O"], True),
        (["Li", "P", "S", "Cl", "Br", "I"], True),
        (["Li", "La", "Zr", "Ta", "Nb", "Al", "O"], False),
    ]
    for elements, by_qhull_in_numpy in cases:
        system = engine.system(elements)
        assert isinstance(system.hull, WalkHull), elements
        assert (system.hull._c is not None) is (pivots == "c"), elements
        grand, _ = system.grand_hull("Li", -3.0)
        grand_by_qhull = by_qhull_in_numpy and pivots == "numpy"
        assert isinstance(grand, WalkHull) is not grand_by_qhull, elements
