"""Practical windows and decomposition energies on mp2019 (read at run time from ../shared/data).

The review's statements (../shared/docs/seed-materials.md): LiPON's "narrow stable window of
0.69-1.07 V"; Li9N2Cl3's window "extended to 0-1.68 V" by electronically insulating phases;
Li3PS4, Li6PS5Cl and LiPON passivate against Li metal, LGPS (Li-Ge alloys), Li3InCl6 (In) and
LLZO (Zr3O) form electronic conductors. The decomposition energy is checked against plain
pymatgen (GrandPotentialPhaseDiagram on the snapshot's entries, built here independently).
"""

from __future__ import annotations

import json
import math

import pytest
from click.testing import CliRunner
from pymatgen.analysis.phase_diagram import GrandPotentialPhaseDiagram, PhaseDiagram
from pymatgen.core import Composition, Element

from stability.analysis.materials.sets import resolve_targets
from stability.analysis.screens.screen import run_screen
from stability.analysis.windows.decomposition import decomposition_energies
from stability.analysis.windows.practical import Passivation, compute_practical_window
from stability.cli import cli
from stability.entries.properties import default_gaps_path, load_band_gaps

from . import oracle
from .conftest import shared_file

LIPON_GLASSES = ("Li3.3PO3.9N0.17", "Li2.9PO3.3N0.46", "Li2.94PO3.5N0.31")


@pytest.fixture(scope="module")
def passivation(mp2019) -> Passivation:
    path = default_gaps_path(mp2019.meta["source"], mp2019.name)
    assert path.name == "mp2019_band_gaps.csv.gz"
    return Passivation(load_band_gaps(path), source=str(path))


def test_gap_table_fallbacks(passivation):
    gaps = passivation.gaps
    # Empty band_gap_eV (ground state not told apart): the smallest low-energy gap.
    assert gaps["LiF"] == pytest.approx(7.4778) and gaps["Li3PS4"] == pytest.approx(2.3921)
    assert gaps["In"] == 0.0 and gaps["Li3N"] == pytest.approx(0.984)


@pytest.mark.parametrize("formula", LIPON_GLASSES)
def test_lipon_glasses_tolerance_window_is_the_reviews(fast2019, formula):
    strict = compute_practical_window(fast2019, formula)
    assert strict.placed_on_hull and strict.window_width_V < 1e-9
    w = compute_practical_window(fast2019, formula, tolerance=0.02)
    assert w.reduction_limit_V == pytest.approx(0.69, abs=0.01)
    assert w.oxidation_limit_V == pytest.approx(1.07, abs=0.01)
    # Between 0.69 and 1.07 V the glasses exchange 0.001-0.010 Li per atom; just above
    # 1.07 V (N -> LiN3) 0.022-0.037: any tolerance from 0.011 to 0.021 gives 0.69-1.07 V.
    assert compute_practical_window(fast2019, formula, tolerance=0.011).window_width_V > 0.38
    wider = compute_practical_window(fast2019, formula, tolerance=0.04)
    assert wider.oxidation_limit_V > 1.5


def test_lipon_tolerance_boundary(fast2019):
    # Li2.9PO3.3N0.46 takes up 0.0104 Li per atom below 1.071 V: 0.01 is not enough.
    w = compute_practical_window(fast2019, "Li2.9PO3.3N0.46", tolerance=0.01)
    assert w.window_width_V < 1e-9


def test_li9n2cl3_passivated_window_is_the_reviews(fast2019, passivation):
    w = compute_practical_window(fast2019, "Li9N2Cl3", passivation=passivation)
    assert w.passivated_reduction_limit_V == 0.0
    assert w.passivation_reduction_stop == "Li metal reached"
    assert w.passivated_oxidation_limit_V == pytest.approx(1.68, abs=0.02)
    assert set(w.passivated_oxidation_products) == {"LiCl", "LiN3"}
    assert w.passivation_oxidation_stop == "N2: gas"


@pytest.mark.parametrize("formula", ["Li3PS4", "Li6PS5Cl", "Li2PO2N", *LIPON_GLASSES])
def test_passivating_against_li_metal(fast2019, passivation, formula):
    w = compute_practical_window(fast2019, formula, passivation=passivation)
    assert w.reduction_limit_V > 0.5  # reduced by Li metal ...
    assert w.passivated_reduction_limit_V == 0.0  # ... into an insulating interphase
    assert w.passivation_reduction_stop == "Li metal reached"
    assert set(w.passivated_reduction_products) <= {"Li2S", "Li3P", "LiCl", "Li3N", "Li2O"}


@pytest.mark.parametrize(
    ("formula", "conductor"),
    [("Li10GeP2S12", "Ge"), ("Li3InCl6", "In"), ("Li7La3Zr2O12", "Zr3O")],
)
def test_not_passivating_against_li_metal(fast2019, passivation, formula, conductor):
    w = compute_practical_window(fast2019, formula, passivation=passivation)
    assert w.passivated_reduction_limit_V > 0.0
    assert w.passivation_reduction_stop == f"{conductor}: metallic (0.00 eV)"


def test_lipon_gas_allowed_is_not_stopped(fast2019, passivation):
    allowed = Passivation(passivation.gaps, allow_gas=True)
    w = compute_practical_window(fast2019, "Li2.9PO3.3N0.46", passivation=allowed)
    assert w.passivated_reduction_limit_V == 0.0
    assert w.passivated_oxidation_limit_V is None  # nothing stops it on this dataset
    assert w.passivation_oxidation_stop.startswith("no further step")


def test_engines_agree_on_practical_windows(mp2019, fast2019, passivation):
    from stability.thermo.engines import make_engine

    ref = make_engine(mp2019, "pymatgen")
    for formula in ("Li3InCl6", "Li9N2Cl3", "Li3PS4"):
        a = compute_practical_window(fast2019, formula, tolerance=0.05, passivation=passivation)
        b = compute_practical_window(ref, formula, tolerance=0.05, passivation=passivation)
        assert a.reduction_limit_V == pytest.approx(b.reduction_limit_V, abs=1e-3)
        assert a.oxidation_limit_V == pytest.approx(b.oxidation_limit_V, abs=1e-3)
        assert a.passivated_reduction_limit_V == pytest.approx(
            b.passivated_reduction_limit_V, abs=1e-3
        )
        assert a.passivation_oxidation_stop == b.passivation_oxidation_stop


# ---------------------------------------------------------------------- decomposition energy

DECOMPOSED = [
    "Li3PS4",
    "Li6PS5Cl",
    "Li10GeP2S12",
    "Li7P3S11",
    "Li7La3Zr2O12",
    "Li3InCl6",
    "Li3YCl6",
    "Li2.9PO3.3N0.46",
    "Li3N",
    "Li9N2Cl3",
    "LiCoO2",
]
VOLTAGES = [0.0, 1.5, 3.0, 5.0]


def pymatgen_decomposition(csv: oracle.FormationCsv, formula: str, voltage: float) -> float:
    """E_D from GrandPotentialPhaseDiagram, independent of the package."""
    comp = Composition(formula)
    entries = csv.entries(frozenset(str(el) for el in comp.elements))
    closed = PhaseDiagram(entries)
    li = Element("Li")
    mu = closed.el_refs[li].energy_per_atom - voltage
    grand = GrandPotentialPhaseDiagram(entries, {li: mu})
    host = Composition({el: a for el, a in comp.items() if el != li})
    own = [e for e in entries if e.composition.reduced_formula == comp.reduced_formula]
    energy = (
        min(e.energy_per_atom for e in own) * comp.num_atoms
        if own
        else closed.get_hull_energy(comp)
    )
    return (grand.get_hull_energy(host) - (energy - comp[li] * mu)) / comp.num_atoms


@pytest.fixture(scope="module")
def formation_csv() -> oracle.FormationCsv:
    return oracle.FormationCsv(shared_file("mp2019_ground_states.csv.gz"))


def test_decomposition_energy_matches_pymatgen(fast2019, formation_csv):
    compared = 0
    for formula in DECOMPOSED:
        ours = decomposition_energies(fast2019, formula, VOLTAGES)
        for d, v in zip(ours, VOLTAGES, strict=True):
            ref = pymatgen_decomposition(formation_csv, formula, v)
            assert d.decomposition_energy_eV_per_atom == pytest.approx(ref, abs=1e-3), (
                formula,
                v,
            )
            compared += 1
    assert compared >= 20
    # Not trivially zero: each of these decomposes at 0 V or 5 V.
    at_5 = decomposition_energies(fast2019, "Li3PS4", [5.0])[0]
    assert at_5.decomposition_energy_eV_per_atom < -0.5


def test_decomposition_energy_inside_the_window_is_minus_the_hull_distance(fast2019):
    from stability.analysis.windows.window import compute_window

    w = compute_window(fast2019, "Li10GeP2S12")
    mid = (w.reduction_limit_V + w.oxidation_limit_V) / 2
    (d,) = decomposition_energies(fast2019, "Li10GeP2S12", [mid])
    assert d.decomposition_energy_eV_per_atom == pytest.approx(-w.e_above_hull_eV_per_atom)
    assert d.products == ["Li10GeP2S12"] or w.e_above_hull_eV_per_atom > 0


# ---------------------------------------------------------------------- command line and screens


def test_cli_window_tolerance_and_passivation_json(mp2019):
    data = str(shared_file("mp2019_ground_states.csv.gz"))
    res = CliRunner().invoke(
        cli,
        [
            "window",
            "Li2.9PO3.3N0.46",
            "Li3InCl6",
            "--data",
            data,
            "--tolerance",
            "0.02",
            "--passivation",
            "--format",
            "json",
        ],
    )
    assert res.exit_code == 0, res.output
    lipon, lic = json.loads(res.stdout)
    assert lipon["ion_tolerance_per_atom"] == 0.02
    assert lipon["reduction_limit_V"] == pytest.approx(0.689, abs=0.005)
    assert lipon["strict_reduction_limit_V"] == pytest.approx(1.071, abs=0.005)
    assert lic["passivation_reduction_stop"] == "In: metallic (0.00 eV)"
    for key in (
        "passivated_reduction_limit_V",
        "passivated_oxidation_limit_V",
        "passivated_reduction_products",
        "passivated_oxidation_products",
        "passivation_reduction_stop",
        "passivation_oxidation_stop",
    ):
        assert key in lipon and key in lic


def test_cli_zero_width_note_and_gaps_file(tmp_path):
    data = str(shared_file("mp2019_ground_states.csv.gz"))
    res = CliRunner().invoke(cli, ["window", "Li2.9PO3.3N0.46", "--data", data])
    assert res.exit_code == 0
    notes = [line for line in res.output.splitlines() if line.startswith("note:")]
    assert len(notes) == 1 and "--tolerance" in notes[0]
    gaps = tmp_path / "gaps.csv"
    gaps.write_text("formula,band_gap_eV\nLiCl,5.9\nLiN3,3.6\n")
    res = CliRunner().invoke(
        cli, ["window", "Li9N2Cl3", "--data", data, "--passivation", "--gaps", str(gaps)]
    )
    assert res.exit_code == 0, res.output
    assert "N2: gas" in res.output and "1.669" in res.output
    res = CliRunner().invoke(
        cli,
        ["window", "Li9N2Cl3", "--data", data, "--passivation", "--allow-gas", "--gaps", str(gaps)],
    )
    assert "no further step" in res.output  # N2 and NCl3 allowed, LiCl an insulator
    gaps.write_text("formula,band_gap_eV\nLiCl,5.9\n")
    res = CliRunner().invoke(
        cli, ["window", "Li9N2Cl3", "--data", data, "--passivation", "--gaps", str(gaps)]
    )
    assert "LiN3: band gap unknown" in res.output


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["window", "Li3N", "--tolerance", "-1"], "--tolerance must be"),
        (["window", "Li3N", "--allow-gas"], "need --passivation"),
        (["window", "Li3N", "--passivation", "--gaps", "/no/such.csv"], "does not exist"),
        (["window", "Li3N", "--passivation", "--min-gap", "-1"], "--min-gap"),
        (["decomposition", "Li3N", "--voltage", "inf"], "not a finite number"),
        (["decomposition", "Li3N", "Qq", "--voltage", "1"], "Error"),
        (["profile", "Li3N", "--decomposition-panel"], "--plot"),
    ],
)
def test_cli_bad_input_is_one_line(args, message):
    data = str(shared_file("mp2019_ground_states.csv.gz"))
    res = CliRunner().invoke(cli, [*args, "--data", data])
    assert res.exit_code != 0
    assert message in res.output and "Traceback" not in res.output


def test_cli_decomposition_json():
    data = str(shared_file("mp2019_ground_states.csv.gz"))
    res = CliRunner().invoke(
        cli,
        [
            "decomposition",
            "Li3PS4",
            "--voltage",
            "0",
            "--voltage",
            "5",
            "--data",
            data,
            "--format",
            "json",
        ],
    )
    assert res.exit_code == 0, res.output
    rows = json.loads(res.stdout)
    assert [r["voltage_V"] for r in rows] == [0.0, 5.0]
    assert {"formula", "voltage_V", "decomposition_energy_eV_per_atom", "products"} <= set(rows[0])
    assert set(rows[0]["products"]) == {"Li2S", "Li3P"}


def test_profile_plot_with_panel_and_marks(tmp_path):
    data = str(shared_file("mp2019_ground_states.csv.gz"))
    png = tmp_path / "p.png"
    res = CliRunner().invoke(
        cli,
        [
            "profile",
            "Li3InCl6",
            "--data",
            data,
            "--plot",
            str(png),
            "--decomposition-panel",
            "--mark-phases",
        ],
    )
    assert res.exit_code == 0, res.output
    assert png.read_bytes()[:4] == b"\x89PNG"
    assert "conductor" in res.output and "gas" in res.output


def test_screen_adds_practical_columns(fast2019, passivation):
    targets = [t for t in resolve_targets(fast2019.table, "seed") if t.formula in LIPON_GLASSES]
    targets += [t for t in resolve_targets(fast2019.table, "seed") if t.formula == "Li3InCl6"]
    frame = run_screen(fast2019, targets, tolerance=0.02, passivation=passivation).to_dataframe()
    assert len(frame) == 4
    for col in ("ion_tolerance_per_atom", "strict_reduction_limit_V", "passivation_reduction_stop"):
        assert col in frame.columns
    lipon = frame[frame["formula"].isin(LIPON_GLASSES)]
    assert (abs(lipon["reduction_limit_V"] - 0.689) < 0.005).all()
    assert (lipon["passivated_reduction_limit_V"] == 0.0).all()
    lic = frame[frame["formula"] == "Li3InCl6"].iloc[0]
    assert lic["passivation_reduction_stop"] == "In: metallic (0.00 eV)"
    plain = run_screen(fast2019, targets).to_dataframe()
    assert "ion_tolerance_per_atom" not in plain.columns


def test_window_bars_and_profile_figures_show_passivation(fast2019, passivation):
    from matplotlib.figure import Figure

    from stability.analysis.screens.review import bar_windows
    from stability.analysis.windows.practical import mark_profile
    from stability.analysis.windows.profile import compute_profile
    from stability.plotting.profile import plot_profile
    from stability.plotting.windows import plot_window_bars

    bars = bar_windows(fast2019, passivation=passivation).set_index("label")
    assert bars.loc["LGPS", "passivated_reduction_limit_V"] == pytest.approx(1.625, abs=0.01)
    assert math.isnan(bars.loc["LGPS", "passivated_oxidation_limit_V"])  # not stopped
    fig = plot_window_bars(bars.reset_index(), "bars")
    assert isinstance(fig, Figure)
    assert "passivated window" in [t.get_text() for t in fig.legends[0].get_texts()]
    prof = compute_profile(fast2019, "Li3InCl6")
    frame = prof.to_dataframe()
    frame["electronic"] = mark_profile(prof, passivation)
    assert frame.loc[frame["is_pristine"], "electronic"].tolist() == ["pristine"]
    assert {"conductor", "insulator", "gas"} <= set(frame["electronic"])
    fig = plot_profile(frame, "marked")
    labels = [t.get_text() for t in fig.axes[0].get_legend().get_texts()]
    assert labels == ["insulators", "electronic conductor", "gas"]
