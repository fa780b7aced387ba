"""Practical windows (tolerance, passivation) and decomposition energy, on hand-solved systems.

The synthetic Li-N system below has, per formula unit, N2 at 0, LiN at -2 eV, Li2N at
-3.2 eV and Li3N at -4 eV (formation energies; elements at 0). Along the Li axis the hull
slopes give the critical voltages: N2 | LiN at 2.0 V, LiN | Li2N at 1.2 V, Li2N | Li3N at
0.8 V. So LiN's profile is: Li3N (+2 Li) from 0 V, Li2N (+1 Li) from 0.8 V, LiN itself from
1.2 V, N2 (-1 Li) from 2.0 V; with 2 atoms per formula unit, that is 1.0, 0.5, 0 and 0.5 Li
per atom.
"""

from __future__ import annotations

import math

import pytest

from stability.analysis.windows.decomposition import decomposition_curve, decomposition_energies
from stability.analysis.windows.practical import (
    Passivation,
    compute_practical_window,
    is_gas,
    zero_width_note,
)
from stability.analysis.windows.window import compute_window
from stability.entries.properties import default_gaps_path, load_band_gaps
from stability.entries.table import FORMATION, EntryTable
from stability.errors import DataError, StabilityError
from stability.thermo.engines import make_engine

ENGINES = ("fast", "pymatgen")


def li_n_table() -> EntryTable:
    comps = [{"Li": 1.0}, {"N": 1.0}, {"Li": 1.0, "N": 1.0}, {"Li": 2.0, "N": 1.0}]
    comps.append({"Li": 3.0, "N": 1.0})
    per_fu = [0.0, 0.0, -2.0, -3.2, -4.0]
    energies = [e / sum(c.values()) for c, e in zip(comps, per_fu, strict=True)]
    return EntryTable.from_records(comps, energies, {"name": "synthetic", "energy_kind": FORMATION})


@pytest.fixture(scope="module", params=ENGINES)
def engine(request):
    return make_engine(li_n_table(), request.param)


def gaps(**kw) -> Passivation:
    return Passivation(kw)


# ---------------------------------------------------------------------- the hand-solved profile


def test_strict_window_by_hand(engine):
    w = compute_window(engine, "LiN")
    assert w.reduction_limit_V == pytest.approx(1.2, abs=1e-9)
    assert w.oxidation_limit_V == pytest.approx(2.0, abs=1e-9)


# ---------------------------------------------------------------------- tolerance


@pytest.mark.parametrize(
    ("tolerance", "low", "high", "below", "above"),
    [
        (0.0, 1.2, 2.0, ["Li2N"], ["N2"]),
        (0.49, 1.2, 2.0, ["Li2N"], ["N2"]),
        (0.5, 0.8, math.inf, ["Li3N"], []),  # exactly 0.5 Li per atom is within
        (0.999, 0.8, math.inf, ["Li3N"], []),
        (1.0, 0.0, math.inf, [], []),
    ],
)
def test_tolerance_boundaries(engine, tolerance, low, high, below, above):
    w = compute_practical_window(engine, "LiN", tolerance=tolerance)
    assert w.ion_tolerance_per_atom == tolerance
    assert w.reduction_limit_V == pytest.approx(low, abs=1e-9)
    assert w.oxidation_limit_V == pytest.approx(high, abs=1e-9)
    assert (w.strict_reduction_limit_V, w.strict_oxidation_limit_V) == pytest.approx((1.2, 2.0))
    assert w.reduction_products == below and w.oxidation_products == above


def test_tolerance_counts_atoms_of_the_formula_as_written(engine):
    # Li2N2 is LiN written twice: 4 atoms and twice the Li per formula unit, same ratio.
    a = compute_practical_window(engine, "Li2N2", tolerance=0.5)
    assert (a.reduction_limit_V, a.oxidation_limit_V) == pytest.approx((0.8, math.inf))


def test_zero_width_window_of_a_placed_composition(engine):
    # Li1.5N lies inside the LiN-Li2N segment: placed, its strict window is the point 1.2 V;
    # it takes up or releases 0.5 Li per 2.5 atoms (0.2 per atom) on either side.
    w = compute_window(engine, "Li1.5N")
    assert w.placed_on_hull and w.window_width_V == pytest.approx(0.0, abs=1e-4)
    note = zero_width_note(w)
    assert note is not None and "--tolerance" in note and "\n" not in note
    t = compute_practical_window(engine, "Li1.5N", tolerance=0.2)
    assert (t.reduction_limit_V, t.oxidation_limit_V) == pytest.approx((0.8, 2.0), abs=1e-4)
    assert zero_width_note(t) is None
    narrow = compute_practical_window(engine, "Li1.5N", tolerance=0.19)
    assert narrow.window_width_V == pytest.approx(0.0, abs=1e-4)
    assert zero_width_note(compute_window(engine, "LiN")) is None  # a finite window: no note


def test_negative_tolerance_is_an_error(engine):
    with pytest.raises(StabilityError, match="tolerance"):
        compute_practical_window(engine, "LiN", tolerance=-0.1)


# ---------------------------------------------------------------------- passivation


def test_insulators_all_the_way_to_li_metal(engine):
    w = compute_practical_window(
        engine, "LiN", passivation=gaps(Li2N=1.0, Li3N=2.0), tolerance=None
    )
    assert w.passivated_reduction_limit_V == 0.0
    assert w.passivation_reduction_stop == "Li metal reached"
    assert w.passivated_reduction_products == ["Li3N"]
    # The strict limits are untouched by passivation.
    assert (w.reduction_limit_V, w.oxidation_limit_V) == pytest.approx((1.2, 2.0))


def test_conductor_stops_the_walk_after_an_insulating_step(engine):
    w = compute_practical_window(engine, "LiN", passivation=gaps(Li2N=1.0, Li3N=0.0))
    assert w.passivated_reduction_limit_V == pytest.approx(0.8)
    assert w.passivated_reduction_products == ["Li2N"]
    assert w.passivation_reduction_stop == "Li3N: metallic (0.00 eV)"


def test_small_gap_is_a_conductor_unless_min_gap_is_lowered(engine):
    p = gaps(Li2N=0.3, Li3N=2.0)
    w = compute_practical_window(engine, "LiN", passivation=p)
    assert w.passivated_reduction_limit_V == pytest.approx(1.2)
    assert w.passivated_reduction_products == []
    assert w.passivation_reduction_stop == "Li2N: band gap 0.30 eV < 0.50 eV"
    low = Passivation(p.gaps, min_gap_eV=0.3)  # gap >= min_gap is an insulator
    assert (
        compute_practical_window(engine, "LiN", passivation=low).passivated_reduction_limit_V == 0
    )


def test_unknown_gap_stops_never_guessed(engine):
    w = compute_practical_window(engine, "LiN", passivation=gaps(Li3N=2.0))  # Li2N missing
    assert w.passivated_reduction_limit_V == pytest.approx(1.2)
    assert w.passivation_reduction_stop == "Li2N: band gap unknown"
    w = compute_practical_window(engine, "LiN", passivation=gaps(Li2N=None, Li3N=2.0))
    assert w.passivation_reduction_stop == "Li2N: band gap unknown"


def test_gas_stops_oxidation_unless_allowed(engine):
    # N2 has a large gap, but it is a gas: it stops the walk at 2.0 V.
    p = gaps(N2=7.3, Li2N=1.0, Li3N=1.0)
    w = compute_practical_window(engine, "LiN", passivation=p)
    assert w.passivated_oxidation_limit_V == pytest.approx(2.0)
    assert w.passivation_oxidation_stop == "N2: gas"
    assert w.passivated_oxidation_products == []
    allowed = Passivation(p.gaps, allow_gas=True)
    w = compute_practical_window(engine, "LiN", passivation=allowed)
    assert w.passivated_oxidation_limit_V is None
    assert w.passivation_oxidation_stop.startswith("no further step")
    assert w.passivated_oxidation_products == ["N2"]
    assert w.to_dict()["passivated_oxidation_limit_V"] is None


def test_li_metal_is_never_judged():
    p = gaps(Li=0.0)
    assert p.kind("Li") == "metal" and p.blockers(()) == []


def test_gas_list_matches_reduced_formulas():
    for f in ("N2", "O2", "F2", "Cl2", "H2", "NH3", "H2S", "HCl", "HF", "CO", "CO2", "SO2"):
        assert is_gas(f), f
    assert is_gas("NO") and is_gas("NO2") and is_gas("N2O") and is_gas("Br2")
    assert is_gas("N4O8")  # N2O4 written as a multiple: matched by reduced formula
    assert not is_gas("I2") and not is_gas("S") and not is_gas("LiCl") and not is_gas("P2O5")


def test_fields_only_appear_when_computed(engine):
    plain = compute_window(engine, "LiN").to_dict()
    assert "ion_tolerance_per_atom" not in plain and "passivation_reduction_stop" not in plain
    both = compute_practical_window(
        engine, "LiN", tolerance=0.1, passivation=gaps(Li2N=1.0, Li3N=1.0)
    )
    d = both.to_dict()
    for key in (
        "ion_tolerance_per_atom",
        "passivated_reduction_limit_V",
        "passivated_oxidation_limit_V",
        "passivated_reduction_products",
        "passivated_oxidation_products",
        "passivation_reduction_stop",
        "passivation_oxidation_stop",
    ):
        assert key in d
    row = both.to_row()
    assert row["passivated_reduction_products"] == "Li3N"


# ---------------------------------------------------------------------- decomposition energy


@pytest.mark.parametrize(
    ("voltage", "energy", "products"),
    [
        (0.0, -1.0, ["Li3N"]),  # (-4 - (-2)) / 2
        (1.0, -0.1, ["Li2N"]),  # (-3.2 + 1 * 1.0 + 2) / 2
        (1.5, 0.0, ["LiN"]),
        (3.0, -0.5, ["N2"]),  # (0 - 1 * 3.0 + 2) / 2
    ],
)
def test_decomposition_energy_by_hand(engine, voltage, energy, products):
    (d,) = decomposition_energies(engine, "LiN", [voltage])
    assert d.decomposition_energy_eV_per_atom == pytest.approx(energy, abs=1e-9)
    assert d.products == products and d.energy_reference == "own"


def test_decomposition_of_a_placed_composition_is_relative_to_its_hull_energy(engine):
    # Li1.5N: hull energy -2.6 eV per formula unit (half LiN, half Li2N), 2.5 atoms.
    (d0, d12) = decomposition_energies(engine, "Li1.5N", [0.0, 1.2])
    assert d0.energy_reference == "hull"
    assert d0.decomposition_energy_eV_per_atom == pytest.approx((-4.0 + 2.6) / 2.5)
    assert d12.decomposition_energy_eV_per_atom == pytest.approx(0.0, abs=1e-9)


def test_decomposition_curve_has_every_kink(engine):
    curve = decomposition_curve(engine, "LiN", v_max=5.0).to_dataframe()
    assert list(curve["voltage_V"]) == pytest.approx([0.0, 0.8, 1.2, 2.0, 5.0])
    assert curve["decomposition_energy_eV_per_atom"].max() <= 0.0


def test_decomposition_rejects_bad_voltages(engine):
    with pytest.raises(StabilityError):
        decomposition_energies(engine, "LiN", [float("nan")])


# ---------------------------------------------------------------------- band gaps


def test_load_band_gaps_plain_csv(tmp_path):
    path = tmp_path / "gaps.csv"
    path.write_text("formula,band_gap_eV\nLi6N2,1.0\nN2,7.3\nIn,0\nLiX3,\nLi2N,0.8\nLi4N2,0.6\n")
    gaps_ = load_band_gaps(path)
    assert gaps_["Li3N"] == 1.0 and gaps_["N2"] == 7.3 and gaps_["In"] == 0.0
    assert gaps_["Li2N"] == 0.6  # the same reduced formula twice: the smaller gap
    with pytest.raises(DataError):
        load_band_gaps(tmp_path / "missing.csv")
    (tmp_path / "bad.csv").write_text("formula,gap\nLi3N,1\n")
    with pytest.raises(DataError, match="band_gap_eV"):
        load_band_gaps(tmp_path / "bad.csv")
    (tmp_path / "neg.csv").write_text("formula,band_gap_eV\nLi3N,-1\n")
    with pytest.raises(DataError, match="line 2"):
        load_band_gaps(tmp_path / "neg.csv")


def test_default_gaps_path_is_beside_the_snapshots(tmp_path):
    (tmp_path / "properties").mkdir()
    snap = tmp_path / "mp2019_x.csv.gz"
    with pytest.raises(DataError, match="--gaps"):
        default_gaps_path(snap, "mp2019_x")
    for name in ("mp2019_band_gaps.csv.gz", "mp2022_band_gaps.csv.gz"):
        (tmp_path / "properties" / name).write_text("formula,band_gap_eV\n")
    assert default_gaps_path(snap, "mp2022_hull").name == "mp2022_band_gaps.csv.gz"
    assert default_gaps_path(tmp_path, "mp2019_ground_states").name == "mp2019_band_gaps.csv.gz"
