"""Stack stability on tiny synthetic systems whose answers are known by hand."""

from __future__ import annotations

import pytest

from stability.analysis.cells.cell import Cathode, CellSpec, Electrolyte
from stability.analysis.cells.stack import check_interface, potential_gaps, stack_stability
from stability.entries.table import FORMATION, EntryTable
from stability.thermo.engines import make_engine

# Formation energies (eV/atom). Windows by hand: Li3N -> 3 Li + 1/2 N2 at 4 x 0.3 / 3 = 0.4 V;
# LiCl -> Li + 1/2 Cl2 at 2 x 1.0 = 2.0 V; LiF at 2 x 2.0 = 4.0 V. Both reduce only to Li metal.
BASE = {"Li3N": -0.3, "LiCl": -1.0, "LiF": -2.0}


def engine_of(compounds: dict[str, float]):
    from pymatgen.core import Composition

    comps, energies = [], []
    for formula, e in compounds.items():
        comps.append({str(el): float(a) for el, a in Composition(formula).items()})
        energies.append(e)
    for el in ("Li", "N", "Cl", "F"):
        comps.append({el: 1.0})
        energies.append(0.0)
    table = EntryTable.from_records(
        comps, energies, {"name": "synthetic", "energy_kind": FORMATION}
    )
    return make_engine(table, "fast")


def spec(voltage: float, cutoff: float) -> CellSpec:
    return CellSpec(
        name="Al | LiF | LiCl | Li3N | Li | Cu",
        cathode=Cathode(material="LiF", cutoff_V=cutoff, voltage_V=voltage, catholyte="LiCl"),
        electrolytes=(Electrolyte("LiCl", 10.0, 2.0), Electrolyte("Li3N", 10.0, 1.27)),
    )


def test_stable_stack():
    st = stack_stability(engine_of(BASE), spec(1.5, 1.8))
    assert [(i.left, i.right) for i in st.interfaces] == [
        ("Li", "Li3N"),
        ("Li3N", "LiCl"),
        ("LiCl", "LiF"),
    ]
    assert all(i.verdict == "stable" for i in st.interfaces), st.to_dataframe()
    assert st.gaps == [] and all(x.covers for x in st.layers)
    assert st.verdict == "stable"
    li3n, licl = st.layers
    assert li3n.oxidation_limit_V == pytest.approx(0.4) and licl.oxidation_limit_V == pytest.approx(
        2.0
    )
    assert li3n.must_withstand_V == [0.0, None] and licl.must_withstand_V == [1.5, 1.8]
    assert st.interfaces[1].voltages_V[0] == 0.0 and st.interfaces[1].voltages_V[-1] == 1.8


def test_reacting_pair_by_hand():
    """Li3N + LiCl -> Li4NCl at x(Li3N) = 4/6: -0.9 - (4 x -0.3 + 2 x -1.0) / 6 eV/atom."""
    eng = engine_of({**BASE, "Li4NCl": -0.9})
    face = check_interface(eng, "Li3N", "LiCl", [0.0, 0.2])
    expected = (-0.9 - (4 * -0.3 + 2 * -1.0) / 6) * 1000
    assert face.closed_reaction_energy_meV_per_atom == pytest.approx(expected)
    assert face.worst_reaction_energy_meV_per_atom <= expected + 1e-9
    assert face.verdict == "reacts"
    st = stack_stability(eng, spec(1.5, 1.8))
    assert st.interfaces[1].verdict == "reacts" and st.verdict == "reacts"
    assert "Li4NCl" in st.interfaces[1].closed_products


def test_face_energies_share_one_unit():
    """Li3N + LiCl -> Li4NCl takes up or gives off no Li, so with Li open inside both windows
    it is the closed reaction: per atom of the reactants the two energies agree, while per
    non-Li atom the Li-open one is larger (Li is 5/8 of Li4NCl's atoms)."""
    eng = engine_of({**BASE, "Li4NCl": -0.9})
    face = check_interface(eng, "Li3N", "LiCl", [0.0, 0.2])
    closed = face.closed_reaction_energy_meV_per_atom
    for row in face.ion_open:
        assert row["ion_open_reaction_energy_meV_per_atom"] == pytest.approx(closed, abs=1e-9)
        assert row["reaction_energy_meV_per_non_ion_atom"] < closed - 1.0
    assert face.worst_reaction_energy_meV_per_atom == pytest.approx(closed, abs=1e-9)


def test_window_short_of_the_cathode_is_a_gap():
    st = stack_stability(engine_of(BASE), spec(3.0, 3.5))
    licl = st.layers[1]
    assert licl.covers is False
    assert st.gaps == [
        {"between": "LiCl | cathode", "after": 2, "low_V": pytest.approx(2.0), "high_V": 3.5}
    ]
    assert st.verdict == "reacts"
    frame = st.figure_frame()
    assert list(frame["kind"]) == ["anode", "electrolyte", "electrolyte", "cathode", "gap"]


def test_missing_element_is_recorded_not_raised():
    s = CellSpec(
        name="x",
        cathode=Cathode(material="LiCoO2", cutoff_V=1.8, voltage_V=1.5, catholyte="LiCl"),
        electrolytes=(Electrolyte("LiCl", 10.0, 2.0),),
    )
    st = stack_stability(engine_of(BASE), s)
    assert st.interfaces[0].verdict == "stable"
    assert st.interfaces[-1].error and st.verdict == "unknown"


def test_potential_gaps():
    # Li3N-like then halide-like: the Li3InCl6 situation.
    gaps = potential_gaps([("N", 0.0, 0.48), ("Cl", 2.62, 4.30)], 3.75, 4.3)
    assert gaps == [{"between": "N | Cl", "after": 1, "low_V": 0.48, "high_V": 2.62}]
    # Overlapping windows bridge; a staircase of three works.
    assert potential_gaps([("a", 0.0, 1.0), ("b", 0.5, 3.0), ("c", 2.0, 4.5)], 3.7, 4.3) == []
    # Reduced at 0 V; a window entirely below what the Li side already pins.
    assert potential_gaps([("a", 0.3, 5.0)], 3.7, 4.3)[0]["high_V"] == 0.3
    gaps = potential_gaps([("a", 0.0, 1.0), ("b", 0.9, 5.0), ("c", 0.0, 0.5)], 0.2, 0.4)
    assert gaps[0]["between"] == "b | c" and gaps[0]["low_V"] == 0.5


def test_worst_energy_and_products_come_from_one_kink(fast2019):
    """A face's worst energy per atom of the reactants, its voltage and its products belong
    to the same kink (the kink most negative per non-Li atom can be another one)."""
    from stability.analysis.interfaces.interface import compute_interface

    face = check_interface(fast2019, "Li10GeP2S12", "LiNi0.8Mn0.1Co0.1O2", [3.75, 4.15, 4.3])
    assert face.at_voltage_V is not None
    r = compute_interface(fast2019, "Li10GeP2S12", "LiNi0.8Mn0.1Co0.1O2", face.at_voltage_V)
    energy, kink = r.worst_kink_per_reactant_atom()
    assert face.worst_reaction_energy_meV_per_atom == pytest.approx(energy)
    assert face.products == kink.products
    assert energy == min(r.energy_per_reactant_atom(k) for k in r.kinks)
    # here the two normalisations pick different kinks (Ni3S2 per atom, Ni9S8 per non-Li atom)
    assert kink.mixing_ratio != pytest.approx(r.mixing_ratio) and face.products != r.products
