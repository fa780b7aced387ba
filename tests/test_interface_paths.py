"""The fast paths of interface matrices and scans give the answers of the plain ones.

- ``HullInput.points`` (compositions grouped once per system) is exactly ``hull_points``;
- a hull whose facets were reused from another voltage's (also after phases came or went)
  is the hull built from scratch;
- with Li open the combined system's closed hull is never built (the reactants' hull
  energies come from their own systems), and the kinks and own decompositions are those
  of the closed-hull path;
- matrix and scan rows (products of the reported kink only, pairs grouped by system,
  facets reused across voltages) equal ``compute_interface`` at each voltage, and pymatgen.
"""

from __future__ import annotations

import re

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pymatgen.core import Composition

from stability.analysis.interfaces.interface import (
    compute_interface,
    iter_interface_rows,
    summary_row,
)
from stability.thermo.engines import make_engine
from stability.thermo.hull import Hull, HullInput, hull_points

from . import oracle
from .conftest import shared_file
from .test_engine_properties import ELEMENTS, formula_of, query, systems, table_of
from .test_walk_properties import formula_of as walk_formula_of
from .test_walk_properties import systems as walk_systems
from .test_walk_properties import table_of as walk_table_of

SETTINGS = settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@st.composite
def point_sets(draw):
    """(fractions (n, k) with repeated compositions, two energy vectors), elements included."""
    k = draw(st.integers(min_value=2, max_value=4))
    amounts = st.lists(st.integers(0, 3), min_size=k, max_size=k).filter(lambda a: sum(a) > 0)
    rows = draw(st.lists(amounts, min_size=1, max_size=25))
    rows += [list(r) for r in np.eye(k, dtype=int)] * draw(st.integers(1, 2))
    amounts_ = np.array(rows, dtype=float)
    fractions = amounts_ / amounts_.sum(axis=1, keepdims=True)
    energy = st.floats(min_value=-2.0, max_value=0.5, allow_nan=False).map(lambda e: round(e, 2))
    e1 = np.array(draw(st.lists(energy, min_size=len(rows), max_size=len(rows))))
    shift = np.array(draw(st.lists(energy, min_size=len(rows), max_size=len(rows))))
    return fractions, e1, e1 + 0.1 * shift


@SETTINGS
@given(point_sets())
def test_hull_input_is_hull_points(case):
    fractions, e1, e2 = case
    inp = HullInput(fractions)
    for e in (e1, e2):
        for got, want in zip(inp.points(e), hull_points(fractions, e), strict=True):
            assert np.array_equal(got, want)


@SETTINGS
@given(point_sets())
def test_reused_facets_are_the_hull(case):
    fractions, e1, e2 = case
    if fractions.shape[1] < 2:
        return
    first = Hull(fractions, e1)
    reused = Hull(fractions, e2, first)
    fresh = Hull(fractions, e2)
    rng = np.random.default_rng(0)
    probes = np.vstack([fractions, rng.dirichlet(np.ones(fractions.shape[1]), 20)])
    for x in probes:
        assert reused.energy(x) == pytest.approx(fresh.energy(x), abs=1e-9)
        # Every phase of the reused hull's decomposition is at the hull there.
        verts, atoms = reused.decompose(x)
        assert atoms.sum() == pytest.approx(x.sum(), abs=1e-9)


def test_pruned_qhull_is_the_hull(monkeypatch):
    """Where another voltage's facets are no longer the hull, qhull gets only the points that
    can be on it: the hull is the one built from all points (energies and decompositions)."""
    used = []
    pruned_facets = Hull._pruned_facets

    def spy(self, gaps):
        found = pruned_facets(self, gaps)
        used.append(found is not None)
        return found

    monkeypatch.setattr(Hull, "_pruned_facets", spy)
    rng = np.random.default_rng(1)
    for case in range(150):
        k = 3 + case % 2
        amounts = rng.integers(0, 4, size=(60, k)).astype(float)
        amounts = np.vstack([amounts[amounts.sum(axis=1) > 0], np.eye(k)])
        fractions = amounts / amounts.sum(axis=1, keepdims=True)
        e1 = rng.uniform(-1.5, 0.2, len(fractions))
        e2 = e1 + rng.normal(0.0, 0.03, len(fractions))
        reused, fresh = Hull(fractions, e2, Hull(fractions, e1)), Hull(fractions, e2)
        for x in np.vstack([fractions, rng.dirichlet(np.ones(k), 10)]):
            assert reused.energy(x) == pytest.approx(fresh.energy(x), abs=1e-9)
            v1, a1 = reused.decompose(x)
            v2, a2 = fresh.decompose(x)
            assert dict(zip(reused.vertex_rows[v1], a1, strict=True)) == pytest.approx(
                dict(zip(fresh.vertex_rows[v2], a2, strict=True)), abs=1e-9
            )
    assert sum(used) > 20  # the pruned path was taken (and held) many times


@SETTINGS
@given(systems, query, query, st.sampled_from([0.0, 0.7, 1.5, 3.0, 4.5]))
def test_li_open_needs_no_closed_hull(system, qa, qb, volts):
    table, _ = table_of(system)
    a = dict(Composition(formula_of(qa)).as_dict())
    b = dict(Composition(formula_of(qb)).as_dict())
    if "Li" not in a and "Li" not in b:
        return
    if set(a) == {"Li"} or set(b) == {"Li"}:
        return
    lean, plain = make_engine(table, "fast"), make_engine(table, "fast")
    energies = tuple(lean.locate(m).hull.hull_energy_per_atom for m in (a, b))
    system_lean = lean.system(set(ELEMENTS))
    got = system_lean.mixing(a, b, mu_open=-volts, hull_energies=energies, phases=False)
    if len(a) < len(ELEMENTS) and len(b) < len(ELEMENTS):
        # Neither reactant's own system is the combined one: its closed hull was not built.
        assert system_lean._hull is None
    want = plain.system(set(ELEMENTS)).mixing(a, b, mu_open=-volts)
    assert got.own_decomposition_eV_per_atom == pytest.approx(
        want.own_decomposition_eV_per_atom, abs=1e-9
    )
    assert len(got.kinks) == len(want.kinks)
    for i, (k1, k2) in enumerate(zip(got.kinks, want.kinks, strict=True)):
        assert k1.x == pytest.approx(k2.x, abs=1e-9)
        assert k1.energy_eV_per_atom == pytest.approx(k2.energy_eV_per_atom, abs=1e-9)
        assert [p.formula for p in got.phases_of(i)] == [p.formula for p in k2.phases]
        for p1, p2 in zip(got.phases_of(i), k2.phases, strict=True):
            assert p1.amount == pytest.approx(p2.amount, abs=1e-9)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(walk_systems(rounded=False), st.sampled_from([0.0, 1.5, 3.0, 4.5]))
def test_li_open_interfaces_of_4_to_7_elements_equal_pymatgen(system, volts):
    """Default hull choices: qhull (4-5 elements), a pivoting closed hull with a qhull grand
    hull (6), pivoting throughout (7); reactants' hull energies from their own systems."""
    elements, entries, q = system
    table, pd_entries = walk_table_of(elements, entries)
    a = walk_formula_of(elements, q)
    b = walk_formula_of(elements[1:], q[::-1][: len(elements) - 1])  # a Li-free partner
    got = compute_interface(make_engine(table, "fast"), a, b, volts)
    expected = oracle.interface(pd_entries, a, b, volts)
    total = oracle.interface(pd_entries, a, b, volts, total=True)
    assert got.reaction_energy_meV_per_non_ion_atom == pytest.approx(
        expected["energy_meV"], abs=1e-3
    )
    assert got.total_reaction_energy_meV_per_non_ion_atom == pytest.approx(
        total["energy_meV"], abs=1e-3
    )


# ------------------------------------------------------------------ the MP snapshot

LEFT = [("Li3N", "Li3N"), ("Li2PO2N", "Li2PO2N"), ("Li9N2Cl3", "Li9N2Cl3"), ("BN", "BN")]
RIGHT = [
    ("LiCoO2", "LiCoO2"),
    ("NMC811", "LiNi0.8Mn0.1Co0.1O2"),  # 7 elements with Li9N2Cl3: the pivoting path
    ("Li3InCl6", "Li3InCl6"),
    ("Li6PS5Cl", "Li6PS5Cl"),
    ("Li", "Li"),  # Li metal: an error row with Li open, a reaction closed
]
VOLTAGES = [None, 0.0, 0.1, 1.5, 2.9, 3.0, 4.5]


def _numbers_out(reaction: str) -> str:
    return re.sub(r"\d+(\.\d+)?(?= )", "#", reaction)


def test_scan_rows_equal_compute_interface(mp2019):
    rows = list(iter_interface_rows(make_engine(mp2019, "fast"), LEFT, RIGHT, VOLTAGES))
    assert len(rows) == len(LEFT) * len(RIGHT) * len(VOLTAGES)
    single = make_engine(mp2019, "fast")
    it = iter(rows)
    for _, a in LEFT:
        for _, b in RIGHT:
            for v in VOLTAGES:
                row = next(it)
                assert (row["formula_a"], row["formula_b"], row["voltage_V"]) == (a, b, v)
                try:
                    want = summary_row(compute_interface(single, a, b, v))
                except Exception as exc:  # the same error in the row
                    assert row["error"] == str(exc)
                    continue
                assert row["error"] == ""
                for key, value in want.items():
                    if isinstance(value, float):
                        assert row[key] == pytest.approx(value, abs=1e-9), (a, b, v, key)
                    elif key == "reaction":
                        # Amounts are printed to 4 digits: a rounding tie may print either way.
                        assert _numbers_out(row[key]) == _numbers_out(value)
                    else:
                        assert row[key] == value, (a, b, v, key)


@pytest.fixture(scope="module")
def csv2019():
    return oracle.FormationCsv(shared_file("mp2019_ground_states.csv.gz"))


@pytest.mark.parametrize(("a", "b"), [("Li3N", "LiCoO2"), ("Li2PO2N", "Li3InCl6")])
def test_scan_rows_equal_pymatgen(mp2019, csv2019, a, b):
    voltages = [0.0, 1.5, 3.0, 4.5]
    rows = list(iter_interface_rows(make_engine(mp2019, "fast"), [(a, a)], [(b, b)], voltages))
    elements = frozenset(str(e) for e in (Composition(a) + Composition(b)).elements)
    entries = csv2019.entries(elements)
    for row, v in zip(rows, voltages, strict=True):
        expected = oracle.interface(entries, a, b, v)
        total = oracle.interface(entries, a, b, v, total=True)
        assert row["reaction_energy_meV_per_non_ion_atom"] == pytest.approx(
            expected["energy_meV"], abs=1.0
        )
        assert row["total_reaction_energy_meV_per_non_ion_atom"] == pytest.approx(
            total["energy_meV"], abs=1.0
        )
        if expected["energy_meV"] < -1.0:
            products = sorted(p for p in row["products"].split(";") if p != "Li")
            assert products == expected["products"]
