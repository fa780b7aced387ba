"""Property-based: on random synthetic systems the fast engine equals plain pymatgen."""

from __future__ import annotations

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from pymatgen.analysis.phase_diagram import PDEntry
from pymatgen.core import Composition

from stability.analysis.windows.profile import compute_profile
from stability.analysis.windows.window import compute_window
from stability.entries.table import FORMATION, EntryTable
from stability.thermo.engines import make_engine

from . import oracle
from .paths import hull_paths
from .steps import assert_window_steps_match_whole_line

ELEMENTS = ["Li", "N", "Cl"]
amount = st.integers(min_value=0, max_value=4)
compound = st.tuples(amount, amount, amount).filter(lambda t: sum(x > 0 for x in t) >= 2)
energy = st.floats(min_value=-2.0, max_value=0.3, allow_nan=False).map(lambda e: round(e, 3))
systems = st.lists(st.tuples(compound, energy), min_size=1, max_size=12)
query = st.tuples(
    st.floats(min_value=0.05, max_value=4), st.floats(min_value=0, max_value=4), st.floats(0, 4)
).filter(lambda t: t[1] + t[2] > 0.05)


def table_of(system) -> tuple[EntryTable, list[PDEntry]]:
    comps = [
        {el: float(a) for el, a in zip(ELEMENTS, amts, strict=True) if a} for amts, _ in system
    ]
    energies = [e for _, e in system]
    comps += [{el: 1.0} for el in ELEMENTS]
    energies += [0.0] * len(ELEMENTS)
    table = EntryTable.from_records(
        comps, energies, {"name": "synthetic", "energy_kind": FORMATION}
    )
    entries = [
        PDEntry(Composition(c), e * sum(c.values())) for c, e in zip(comps, energies, strict=True)
    ]
    return table, entries


def formula_of(q) -> str:
    return "".join(f"{el}{a:.4f}" for el, a in zip(ELEMENTS, q, strict=True) if round(a, 4) > 0)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(systems, query)
# Found by hypothesis: 0.0004 Li per formula unit from the Li2NCl2 + N2 tie line, where
# pymatgen's step of the placed composition also lists its neighbours.
@example(
    system=[((0, 1, 1), -0.5), ((2, 1, 2), -1.0)],
    q=(2.1949848120785864, 4.0, 2.195436866944306),
)
def test_window_matches_pymatgen(system, q):
    table, entries = table_of(system)
    formula = formula_of(q)
    expected = oracle.window(entries, formula)
    got = compute_window(make_engine(table, "fast"), formula)
    assert abs(got.reduction_limit_V - expected["reduction_limit_V"]) < 1e-3
    assert abs(got.oxidation_limit_V - expected["oxidation_limit_V"]) < 1e-3
    assert got.reduction_limit_V <= got.oxidation_limit_V + 1e-12
    assert got.placed_on_hull == expected["placed_on_hull"]


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(systems, query)
def test_profile_balances_and_is_monotonic(system, q):
    table, _ = table_of(system)
    formula = formula_of(q)
    comp = Composition(formula)
    prof = compute_profile(make_engine(table, "fast"), formula)
    volts = [s.voltage_low_V for s in prof.steps]
    li = [s.ion_per_formula_unit for s in prof.steps]
    assert volts == sorted(volts) and volts[0] == 0.0
    assert li == sorted(li, reverse=True)
    for step in prof.steps:
        # Every equilibrium holds the pristine non-Li atoms, and Li changed by the step's amount.
        total = sum((Composition(p.formula) * p.amount for p in step.phases), Composition())
        for el in ("N", "Cl"):
            assert abs(total[el] - comp[el]) < 1e-6
        assert abs(total["Li"] - (comp["Li"] + step.ion_per_formula_unit)) < 1e-6


def qhull_path():
    """Every system on a whole qhull hull (the 3-element ones of these tests would pivot)."""
    return hull_paths("qhull")


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(systems, query)
def test_qhull_window_matches_pymatgen(system, q):
    """Windows read off the facets next to the composition (``envelope_around``)."""
    table, entries = table_of(system)
    formula = formula_of(q)
    expected = oracle.window(entries, formula)
    with qhull_path():
        engine = make_engine(table, "fast")
        got = compute_window(engine, formula)
        assert not engine.system(set(Composition(formula).as_dict())).walk
    assert abs(got.reduction_limit_V - expected["reduction_limit_V"]) < 1e-3
    assert abs(got.oxidation_limit_V - expected["oxidation_limit_V"]) < 1e-3
    assert got.placed_on_hull == expected["placed_on_hull"]


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(systems, query)
def test_window_steps_equal_the_whole_line(system, q):
    """The three steps next to the composition equal those of the envelope walked from 0."""
    table, _ = table_of(system)
    comp = Composition(formula_of(q))
    amounts = {str(el): float(a) for el, a in comp.items()}
    with qhull_path():
        fast = make_engine(table, "fast").system(set(amounts))
    assert_window_steps_match_whole_line(fast, amounts, ELEMENTS)
