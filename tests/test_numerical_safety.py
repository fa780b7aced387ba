"""Numerical safety on random and degenerate synthetic systems: interfaces equal pymatgen,
reactions balance, minima are <= 0 with x in [0, 1], hulls lie below every entry."""

from __future__ import annotations

import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pymatgen.core import Composition

from stability.analysis.interfaces.interface import compute_interface
from stability.analysis.materials.chemistry import NotApplicableError
from stability.analysis.windows.window import compute_window
from stability.cli import cli
from stability.entries.table import FORMATION, EntryTable
from stability.thermo.engines import make_engine

from . import oracle
from .conftest import shared_file
from .test_engine_properties import ELEMENTS, formula_of, query, systems, table_of

SETTINGS = settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
voltage = st.one_of(st.none(), st.floats(min_value=0.0, max_value=5.0).map(lambda v: round(v, 2)))


def counted(formula: str, open_el: str | None) -> Composition:
    comp = Composition(formula)
    return Composition({el: a for el, a in comp.items() if str(el) != open_el})


@SETTINGS
@given(systems, query, query, voltage)
def test_interface_matches_pymatgen_and_balances(system, qa, qb, volts):
    table, entries = table_of(system)
    a, b = formula_of(qa), formula_of(qb)
    engine = make_engine(table, "fast")
    got = compute_interface(engine, a, b, volts)
    expected = oracle.interface(entries, a, b, volts)
    assert got.reaction_energy_meV == pytest.approx(expected["energy_meV"], abs=1.0)
    assert got.reaction_energy_meV <= 1e-9
    assert 0.0 <= got.mixing_ratio <= 1.0
    if volts is not None:
        # The total (own decompositions included) is pymatgen's include_no_mixing_energy=True.
        total = oracle.interface(entries, a, b, volts, total=True)
        assert got.total_reaction_energy_meV_per_non_ion_atom == pytest.approx(
            total["energy_meV"], abs=1.0
        )
    # Every kink's products hold exactly the mixture's atoms (those not exchanged with Li).
    open_el = None if volts is None else "Li"
    mixing = engine.system(set(ELEMENTS)).mixing(
        dict(Composition(a).as_dict()),
        dict(Composition(b).as_dict()),
        mu_open=None if volts is None else -volts,
    )
    for kink in mixing.kinks:
        ca, cb = counted(a, open_el), counted(b, open_el)
        x_counted = kink.x
        if open_el:  # kink.x is in all atoms; the diagram mixes counted atoms
            fa = ca.num_atoms / Composition(a).num_atoms
            fb = cb.num_atoms / Composition(b).num_atoms
            x_counted = kink.x * fa / (kink.x * fa + (1 - kink.x) * fb)
        mix = ca.fractional_composition * x_counted + cb.fractional_composition * (1 - x_counted)
        made = sum((counted(p.formula, open_el) * p.amount for p in kink.phases), Composition())
        for el in ELEMENTS:
            if el != open_el:
                assert made[el] == pytest.approx(mix[el], abs=1e-6)


@SETTINGS
@given(systems)
def test_hull_never_above_an_entry(system):
    table, _ = table_of(system)
    engine = make_engine(table, "fast")
    for i in range(len(table)):
        amounts = table.row_composition(i)
        point = engine.system(set(amounts)).hull_point(amounts)
        assert point.hull_energy_per_atom <= table.energy_per_atom[i] + 1e-9


def synthetic(rows: list[tuple[str, float]]) -> EntryTable:
    comps = [{str(e): float(a) for e, a in Composition(f).items()} for f, _ in rows]
    return EntryTable.from_records(
        comps, [e for _, e in rows], {"name": "s", "energy_kind": FORMATION}
    )


BASE = [("Li", 0.0), ("N2", 0.0), ("Li3N", -0.5), ("LiN3", -0.2)]


def window_pair(rows, formula):
    fast = compute_window(make_engine(synthetic(rows), "fast"), formula)
    ref = compute_window(make_engine(synthetic(rows), "pymatgen"), formula)
    return fast, ref


def test_single_element_system():
    engine = make_engine(synthetic(BASE), "fast")
    point = engine.system({"N"}).hull_point({"N": 2.0})
    assert point.hull_energy_per_atom == 0.0 and point.is_vertex
    with pytest.raises(NotApplicableError, match="Li metal"):
        compute_window(engine, "Li")


def test_duplicates_change_nothing():
    once, _ = window_pair(BASE, "Li3N")
    twice, _ = window_pair([*BASE, ("Li3N", -0.5), ("Li6N2", -0.5)], "Li3N")
    assert (once.reduction_limit_V, once.oxidation_limit_V) == (
        twice.reduction_limit_V,
        twice.oxidation_limit_V,
    )
    assert once.oxidation_products == twice.oxidation_products


def test_equal_energy_polymorphs_and_coplanar_phase():
    # Li2N2 (= LiN) sits exactly on the Li3N-LiN3 tie line? Put it there: a coplanar phase.
    e_li3n, e_lin3 = -0.5, -0.2  # eV/atom; Li3N 4 atoms, LiN3 4 atoms
    # LiN at x: 1/2 Li3N + 1/2 LiN3 per 8 atoms gives Li4N4 -> energy per atom is the mean.
    rows = [*BASE, ("LiN", (e_li3n + e_lin3) / 2), ("LiN", (e_li3n + e_lin3) / 2)]
    fast, ref = window_pair(rows, "LiN")
    assert fast.reduction_limit_V == pytest.approx(ref.reduction_limit_V, abs=1e-3)
    assert fast.oxidation_limit_V == pytest.approx(ref.oxidation_limit_V, abs=1e-3)
    assert fast.reduction_limit_V == pytest.approx(
        fast.oxidation_limit_V, abs=1e-9
    )  # on a tie line


def test_exactly_on_a_tie_line_is_placed():
    fast, ref = window_pair(BASE, "Li4N4")  # = 1/2 (Li3N + LiN3) exactly
    assert fast.placed_on_hull and ref.placed_on_hull
    assert fast.reduction_limit_V == pytest.approx(ref.reduction_limit_V, abs=1e-3)
    assert fast.oxidation_limit_V == pytest.approx(ref.oxidation_limit_V, abs=1e-3)


def test_outputs_are_byte_identical_across_runs():
    data = str(shared_file("mp2019_ground_states.csv.gz"))
    runner = CliRunner()
    for args in (
        ["window", "Li3N", "Li9N2Cl3", "Li3.3PO3.9N0.17", "--format", "json"],
        ["window", "Li6PS5Cl", "--format", "csv"],
        ["interface", "Li3N", "LiCoO2", "--voltage", "3", "--format", "json"],
        ["profile", "Li2PO2N", "--format", "csv"],
    ):
        results = [runner.invoke(cli, [*args, "--data", data]) for _ in range(3)]
        assert all(r.exit_code == 0 for r in results), results[0].output
        outs = {r.output for r in results}
        assert len(outs) == 1 and len(outs.pop()) > 100, args
