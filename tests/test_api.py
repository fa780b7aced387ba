"""The Python API speaks pymatgen: Compositions, entry lists, clear TypeErrors, DataFrames."""

from __future__ import annotations

import os
import stat

import pytest
from pymatgen.analysis.phase_diagram import PDEntry, PhaseDiagram
from pymatgen.core import Composition

import stability
from stability import compute_interface, compute_profile, compute_window, compute_windows


def _li_n_cl() -> list[PDEntry]:
    """A small Li-N-Cl system made here: elements at 0, a few binaries and one ternary."""
    rows = {
        "Li": 0.0,
        "N2": 0.0,
        "Cl2": 0.0,
        "Li3N": -0.40 * 4,
        "LiN3": -0.05 * 4,
        "LiCl": -1.85 * 2,
        "Li4NCl": -1.00 * 6,
        "NCl3": 0.10 * 4,
    }
    return [PDEntry(Composition(f), e, name=f) for f, e in rows.items()]


@pytest.fixture(scope="module")
def engine():
    return stability.make_engine(stability.load_dataset(_li_n_cl()))


def test_composition_and_string_give_the_same_window(engine):
    by_str = compute_window(engine, "Li4NCl")
    by_comp = compute_window(engine, Composition("Li4NCl"))
    assert by_comp.formula == "Li4NCl"
    assert by_comp.reduction_limit_V == by_str.reduction_limit_V
    assert by_comp.oxidation_limit_V == by_str.oxidation_limit_V
    assert by_comp.oxidation_products == by_str.oxidation_products


def test_window_equals_pymatgen_on_an_entry_list(engine):
    from tests import oracle

    expected = oracle.window(_li_n_cl(), "Li4NCl")
    got = compute_window(engine, "Li4NCl")
    assert got.reduction_limit_V == pytest.approx(expected["reduction_limit_V"], abs=1e-3)
    assert got.oxidation_limit_V == pytest.approx(expected["oxidation_limit_V"], abs=1e-3)
    assert sorted(got.oxidation_products) == expected["oxidation_products"]


def test_profile_and_interface_take_compositions(engine):
    prof = compute_profile(engine, Composition("Li3N"))
    assert prof.formula == "Li3N" and prof.to_dataframe()["is_pristine"].sum() == 1
    res = compute_interface(engine, Composition("Li3N"), Composition("NCl3"))
    assert res.reactant_a == "Li3N" and res.reaction_energy_meV_per_atom < 0


def test_every_result_has_a_dataframe(engine):
    w = compute_window(engine, "Li3N")
    frame = w.to_dataframe()
    assert len(frame) == 1 and frame.loc[0, "reduction_limit_V"] == w.reduction_limit_V
    table = compute_windows(engine, ["Li3N", "NCl3", "Li4NCl"], allow_errors=True)
    frame = table.to_dataframe()
    assert list(frame["label"]) == ["Li3N", "NCl3", "Li4NCl"]  # input order, errors kept
    assert frame.loc[1, "error"].startswith("NCl3 contains no Li")
    assert frame.loc[0, "error"] == "" and frame.loc[2, "error"] == ""


def test_compute_windows_raises_without_allow_errors(engine):
    with pytest.raises(stability.StabilityError, match="contains no Li"):
        compute_windows(engine, ["Li3N", "NCl3"])


@pytest.mark.parametrize("bad", [42, None, 3.5, ["Li3N"]])
def test_wrong_material_types_fail_at_once(engine, bad):
    with pytest.raises(TypeError, match="or a pymatgen Composition"):
        compute_window(engine, bad)


def test_wrong_dataset_types_fail_at_once():
    with pytest.raises(TypeError, match="EntryTable"):
        stability.make_engine(PhaseDiagram(_li_n_cl()))
    with pytest.raises(TypeError, match="pymatgen entries"):
        stability.load_dataset(["Li3N", "LiCl"])
    with pytest.raises(TypeError, match="path or a list"):
        stability.load_dataset(3.0)


def test_outputs_honour_the_umask(tmp_path):
    from stability.files import write_text_atomic

    old = os.umask(0o022)
    try:
        path = write_text_atomic(tmp_path / "out.csv", "a,b\n")
    finally:
        os.umask(old)
    assert stat.S_IMODE(path.stat().st_mode) == 0o644
    assert list(tmp_path.iterdir()) == [path]  # no temporary file left


def test_every_public_name_imports():
    for name in stability.__all__:
        assert getattr(stability, name) is not None, name
