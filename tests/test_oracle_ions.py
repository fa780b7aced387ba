"""Every working ion (Na, K, Mg, Ca, Zn, Al): windows, profiles and interfaces equal plain
pymatgen with that element open, volts per charge z, on the MP snapshot (through the command
line) and on random synthetic systems; the ion's errors name ``--ion``."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from pymatgen.analysis.phase_diagram import PDEntry
from pymatgen.core import Composition

from stability.analysis.interfaces.interface import compute_interface
from stability.analysis.materials.catalogue import CATALOGUE
from stability.analysis.windows.profile import compute_profile
from stability.analysis.windows.window import compute_window
from stability.cli import cli
from stability.entries.table import FORMATION, EntryTable
from stability.ions import ION_CHARGES, IONS
from stability.thermo.engines import make_engine

from . import oracle
from .conftest import shared_file
from .steps import assert_window_steps_match_whole_line

MV = 1e-3
#: The issue's examples, one per ion (NaAlCl4 with Al open).
DONE_WHEN = [
    ("Na3PS4", "Na"),
    ("K3SbS4", "K"),
    ("MgSc2Se4", "Mg"),
    ("Ca3N2", "Ca"),
    ("ZnAl2O4", "Zn"),
    ("NaAlCl4", "Al"),
]
#: The catalogue's electrolytes and cathodes of the other ions (Mo6S8 has no Mg).
CATALOGUE_IONS = [
    (formula, name[:2].rstrip("-").capitalize())
    for name in (
        "na-electrolytes",
        "na-cathodes",
        "k-electrolytes",
        "k-cathodes",
        "mg-electrolytes",
        "mg-cathodes",
    )
    for _, formula in CATALOGUE[name]
    if formula != "Mo6S8"
]


def run(*args: str):
    return CliRunner().invoke(cli, [*args])


@pytest.fixture(scope="module")
def data() -> str:
    return str(shared_file("mp2019_ground_states.csv.gz"))


@pytest.fixture(scope="module")
def csv2019():
    return oracle.FormationCsv(shared_file("mp2019_ground_states.csv.gz"))


def elements_of(*formulas: str) -> frozenset[str]:
    return frozenset(str(e) for f in formulas for e in Composition(f).elements)


def test_charges_are_pymatgen_common_oxidation_states():
    assert set(IONS) == {"Li", "Na", "K", "Mg", "Ca", "Zn", "Al"}
    assert {ion: oracle.charge(ion) for ion in IONS} == ION_CHARGES


@pytest.mark.parametrize(("formula", "ion"), DONE_WHEN + CATALOGUE_IONS, ids=str)
def test_cli_window_equals_pymatgen(data, csv2019, formula, ion):
    res = run("window", formula, "--ion", ion, "--data", data, "--format", "json")
    assert res.exit_code == 0, res.output
    (row,) = json.loads(res.stdout)
    expected = oracle.window(csv2019.entries(elements_of(formula)), formula, ion)
    assert row["ion"] == ion
    assert row["reduction_limit_V"] == pytest.approx(expected["reduction_limit_V"], abs=MV)
    assert row["oxidation_limit_V"] == pytest.approx(expected["oxidation_limit_V"], abs=MV)
    assert row["placed_on_hull"] == expected["placed_on_hull"]
    if row["placed_on_hull"] and row["window_width_V"] < MV:
        # A zero-width window of a placed composition (P2-Na2/3Ni1/3Mn2/3O2 sits on a tie
        # plane): pymatgen's finite offset keeps the placed entry in its neighbouring step,
        # so its products there are not the phases beyond the limit (docs/conventions.md).
        return
    assert sorted(row["reduction_products"]) == expected["reduction_products"]
    assert sorted(row["oxidation_products"]) == expected["oxidation_products"]


@pytest.mark.parametrize(
    ("formula", "ion"), [("Na3PS4", "Na"), ("MgSc2S4", "Mg"), ("NaAlCl4", "Al"), ("Ca3N2", "Ca")]
)
def test_profile_equals_pymatgen(fast2019, csv2019, formula, ion):
    expected = oracle.window(csv2019.entries(elements_of(formula)), formula, ion)
    prof = compute_profile(fast2019, formula, ion=ion)
    assert prof.ion == ion
    assert [s.voltage_low_V for s in prof.steps] == pytest.approx(expected["profile_V"], abs=MV)
    assert [s.ion_per_formula_unit for s in prof.steps] == pytest.approx(
        expected["profile_li"], abs=1e-6
    )
    assert all(f" {ion}" in s.reaction for s in prof.steps if not s.is_pristine)


@pytest.mark.parametrize(
    ("a", "b", "ion", "voltage"),
    [
        ("Na3PS4", "NaCoO2", "Na", 3.0),
        ("Na3PS4", "NaCoO2", "Na", None),
        ("Na3PS4", "Na", "Na", None),
        ("NaAlCl4", "NaCoO2", "Na", 4.0),
        ("Na3Zr2Si2PO12", "NaFePO4", "Na", 2.5),
        ("K3SbS4", "KCoO2", "K", 2.0),
        ("MgSc2Se4", "Mo6S8", "Mg", 1.0),
        ("MgSc2S4", "MgMn2O4", "Mg", 2.5),
        ("Ca3N2", "CaO", "Ca", 0.5),
        ("ZnAl2O4", "ZnS", "Zn", 1.0),
        ("NaAlCl4", "AlN", "Al", 1.0),
    ],
    ids=str,
)
def test_cli_interface_equals_pymatgen(data, csv2019, a, b, ion, voltage):
    args = ["interface", a, b, "--ion", ion, "--data", data, "--format", "json"]
    res = run(*args, *([] if voltage is None else ["--voltage", str(voltage)]))
    assert res.exit_code == 0, res.output
    got = json.loads(res.stdout)
    entries = csv2019.entries(elements_of(a, b))
    expected = oracle.interface(entries, a, b, voltage, ion=ion)
    key = (
        "reaction_energy_meV_per_atom"
        if voltage is None
        else ("reaction_energy_meV_per_non_ion_atom")
    )
    assert got["ion"] == ion
    assert got[key] == pytest.approx(expected["energy_meV"], abs=1.0)
    assert len(got["kinks"]) == expected["n_kinks"]
    if expected["energy_meV"] < -1.0:
        assert got["mixing_ratio"] == pytest.approx(expected["mixing_ratio"], abs=0.005)
        assert sorted(got["products"]) == expected["products"]
    if voltage is not None:
        total = oracle.interface(entries, a, b, voltage, ion=ion, total=True)
        got_total = got["total_reaction_energy_meV_per_non_ion_atom"]
        assert got_total == pytest.approx(total["energy_meV"], abs=1.0)


def test_volts_are_per_charge_by_hand():
    """MgCl2 at -2 eV/atom (-6 eV per formula unit): it gives off Mg at mu_Mg = -6 eV,
    3 V vs Mg/Mg2+; LiCl at -2 eV/atom (-4 eV) at 4 V vs Li/Li+; AlCl3 (-8 eV) at 8/3 V."""
    comps = [{"Mg": 1.0, "Cl": 2.0}, {"Li": 1.0, "Cl": 1.0}, {"Al": 1.0, "Cl": 3.0}]
    comps += [{el: 1.0} for el in ("Mg", "Li", "Al", "Cl")]
    energies = [-2.0, -2.0, -2.0, 0.0, 0.0, 0.0, 0.0]
    table = EntryTable.from_records(comps, energies, {"name": "hand", "energy_kind": FORMATION})
    engine = make_engine(table)
    for formula, ion, volts in (("MgCl2", "Mg", 3.0), ("LiCl", "Li", 4.0), ("AlCl3", "Al", 8 / 3)):
        w = compute_window(engine, formula, ion=ion)
        assert (w.reduction_limit_V, w.ion) == (0.0, ion)
        assert w.oxidation_limit_V == pytest.approx(volts, abs=1e-12)
        assert w.oxidation_products == ["Cl2"]


# ------------------------------------------------------------------ random synthetic systems

ANIONS = ["N", "Cl"]
amount = st.integers(min_value=0, max_value=4)
compound = st.tuples(amount, amount, amount).filter(lambda t: sum(x > 0 for x in t) >= 2)
energy = st.floats(min_value=-2.0, max_value=0.3, allow_nan=False).map(lambda e: round(e, 3))
systems = st.lists(st.tuples(compound, energy), min_size=1, max_size=12)
query = st.tuples(
    st.floats(min_value=0.05, max_value=4), st.floats(min_value=0, max_value=4), st.floats(0, 4)
).filter(lambda t: t[1] + t[2] > 0.05)
ions = st.sampled_from([ion for ion in IONS if ion != "Li"])


def table_of(ion: str, system) -> tuple[EntryTable, list[PDEntry], list[str]]:
    elements = [ion, *ANIONS]
    comps = [
        {el: float(a) for el, a in zip(elements, amts, strict=True) if a} for amts, _ in system
    ]
    energies = [e for _, e in system]
    comps += [{el: 1.0} for el in elements]
    energies += [0.0] * len(elements)
    table = EntryTable.from_records(
        comps, energies, {"name": "synthetic", "energy_kind": FORMATION}
    )
    entries = [
        PDEntry(Composition(c), e * sum(c.values())) for c, e in zip(comps, energies, strict=True)
    ]
    return table, entries, elements


def formula_of(elements: list[str], q) -> str:
    return "".join(f"{el}{a:.4f}" for el, a in zip(elements, q, strict=True) if round(a, 4) > 0)


def distinct(volts) -> list[float]:
    """Voltages in order with repeats within 1 mV collapsed (zero-width steps)."""
    out: list[float] = []
    for v in sorted(float(x) for x in volts):
        if not out or v - out[-1] >= MV:
            out.append(v)
    return out


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@example(ion="Na", system=[((0, 1, 4), -1.0), ((3, 1, 1), -1.0)], q=(0.5, 0.5, 1.0))
@given(ions, systems, query)
def test_window_and_profile_match_pymatgen(ion, system, q):
    table, entries, elements = table_of(ion, system)
    formula = formula_of(elements, q)
    expected = oracle.window(entries, formula, ion)
    engine = make_engine(table, "fast")
    got = compute_window(engine, formula, ion=ion)
    assert abs(got.reduction_limit_V - expected["reduction_limit_V"]) < MV
    assert abs(got.oxidation_limit_V - expected["oxidation_limit_V"]) < MV
    assert got.placed_on_hull == expected["placed_on_hull"]
    prof = compute_profile(engine, formula, ion=ion)
    # The same breakpoints. Where rounded energies tie exactly (a step of zero width, e.g.
    # one that starts exactly at the metal), pymatgen may list a step more or less at the
    # same voltage: zero-width steps hold at no voltage, so breakpoints are compared as a set.
    got_v = distinct([s.voltage_low_V for s in prof.steps])
    assert got_v == pytest.approx(distinct(expected["profile_V"]), abs=MV)
    comp = Composition(formula)
    for step in prof.steps:  # each equilibrium holds the other atoms and the ion's change
        total = sum((Composition(p.formula) * p.amount for p in step.phases), Composition())
        for el in ANIONS:
            assert abs(total[el] - comp[el]) < 1e-6
        assert abs(total[ion] - (comp[ion] + step.ion_per_formula_unit)) < 1e-6
    amounts = {str(el): float(a) for el, a in comp.items()}
    assert_window_steps_match_whole_line(engine.system(set(amounts)), amounts, elements, ion)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(ions, systems, query, st.sampled_from([None, 0.0, 0.7, 1.5, 3.0]))
def test_interfaces_match_pymatgen(ion, system, q, voltage):
    table, entries, elements = table_of(ion, system)
    a = formula_of(elements, q)
    b = formula_of(ANIONS, q[1:][::-1])  # an ion-free partner
    if not b or set(Composition(a).as_dict()) == {ion}:
        return
    expected = oracle.interface(entries, a, b, voltage, ion=ion)
    got = compute_interface(make_engine(table, "fast"), a, b, voltage, ion=ion)
    assert abs(got.reaction_energy_meV - expected["energy_meV"]) < 1e-3
    if voltage is not None:
        total = oracle.interface(entries, a, b, voltage, ion=ion, total=True)
        assert abs(got.total_reaction_energy_meV - total["energy_meV"]) < 1e-3


# ------------------------------------------------------------------ errors name --ion


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["window", "Na3PS4"], "Na3PS4 contains no Li: choose the working ion with --ion Na"),
        (
            ["window", "NaAlCl4", "--ion", "K"],
            "NaAlCl4 contains no K: choose the working ion with --ion Na or --ion Al",
        ),
        (["profile", "K3SbS4"], "K3SbS4 contains no Li: choose the working ion with --ion K"),
        (
            ["interface", "Na3PS4", "NaCoO2", "--voltage", "3"],
            "Na3PS4 | NaCoO2 has no Li: choose the working ion with --ion Na, or use the "
            "closed (no --voltage) reaction",
        ),
        (["window", "Na", "--ion", "Na"], "Na is Na metal itself: it has no Na window"),
        (
            ["interface", "Na", "Na3PS4", "--ion", "Na", "--voltage", "1"],
            "Na is Na metal: with Na open it is the reservoir itself",
        ),
    ],
)
def test_missing_ion_is_one_line_naming_ion(data, args, message):
    res = CliRunner().invoke(cli, [*args, "--data", data])
    assert res.exit_code == 1
    assert message in res.output
    assert "Traceback" not in res.output


def test_unknown_ion_is_a_usage_error(data):
    res = run("window", "Na3PS4", "--ion", "Xe", "--data", data)
    assert res.exit_code == 2
    assert "unknown working ion 'Xe'; choose from Li, Na, K, Mg, Ca, Zn, Al" in res.output
    # any case is the ion
    assert run("window", "Na3PS4", "--ion", "na", "--data", data).exit_code == 0
