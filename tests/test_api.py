"""The Python API speaks pymatgen: Compositions, entry lists, clear TypeErrors, DataFrames."""

from __future__ import annotations

import doctest
import fnmatch
import inspect
import os
import re
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


# --- The public API explains itself (issue 24) ------------------------------------------------

#: Names a user must find in ``dir(stability)`` (with everything else in ``__all__``).
REQUIRED_API = {
    "compute_practical_window",
    "Passivation",
    "load_band_gaps",
    "compute_decompositions",
    "DecompositionTable",
    "load_cell_spec",
    "CellSpec",
    "cell_energy",
    "CellEnergy",
    "stack_stability",
    "StackStability",
    "rank_interlayers",
    "InterlayerRanking",
    "Window",
    "WindowTable",
    "VoltageProfile",
    "Interface",
    "InterfaceScan",
    "InterfaceMatrix",
    "ScreenResult",
}


def test_dir_lists_exactly_the_public_api():
    names = set(dir(stability))
    assert names >= set(stability.__all__)
    assert names == {*stability.__all__, "__version__"}  # no Any, annotations, submodules
    assert len(stability.__all__) >= 10 and set(stability.__all__) >= REQUIRED_API
    for junk in ("Any", "annotations", "import_module", "_API"):
        assert junk not in names, junk
    for junk in ("Any", "annotations", "import_module"):
        assert not hasattr(stability, junk), junk


def _public_objects():
    return [(name, getattr(stability, name)) for name in stability.__all__]


def _sections(doc: str) -> set[str]:
    """numpydoc section titles: a line followed by a line of dashes as long."""
    lines = inspect.cleandoc(doc).splitlines()
    return {
        a.strip()
        for a, b in zip(lines, lines[1:], strict=False)
        if b.strip() and set(b.strip()) == {"-"} and len(b.strip()) == len(a.strip())
    }


@pytest.mark.parametrize("name", sorted(stability.__all__))
def test_every_public_name_has_a_numpy_docstring(name):
    obj = getattr(stability, name)
    doc = inspect.getdoc(obj)
    assert doc, f"{name} has no docstring"
    summary = doc.splitlines()[0]
    assert summary.strip() and not summary.startswith(" "), name
    sections = _sections(doc)
    assert "Examples" in sections, f"{name}: no Examples section"
    if inspect.isclass(obj):
        assert sections & {"Parameters", "Attributes"}, f"{name}: no Parameters/Attributes"
    else:
        assert {"Parameters", "Returns"} <= sections, f"{name}: sections {sorted(sections)}"
    examples = doctest.DocTestParser().get_examples(obj.__doc__)
    assert examples, f"{name}: the Examples section has no doctest"


@pytest.fixture(scope="module")
def mp_engine(mp2019):
    return stability.make_engine(mp2019)


def _spec(tmp_path):
    path = tmp_path / "cell.toml"
    path.write_text(
        '[cathode]\nmaterial = "LiCoO2"\ncutoff_V = 4.2\nvoltage_V = 3.9\n\n'
        '[[electrolyte]]\nmaterial = "Li3PS4"\nthickness_um = 30\ndensity_g_cm3 = 1.88\n'
    )
    return stability.load_cell_spec(path)


def _results(engine, tmp_path):
    """One instance of every result class, from its public function."""
    spec = _spec(tmp_path)
    gaps = stability.Passivation({"LiN3": 1.5})
    return {
        "Window": stability.compute_window(engine, "Li3N"),
        "practical Window": stability.compute_practical_window(
            engine, "Li3N", tolerance=0.05, passivation=gaps
        ),
        "WindowTable": stability.compute_windows(engine, ["Li3N", "NCl3"], allow_errors=True),
        "VoltageProfile": stability.compute_profile(engine, "Li3N"),
        "Interface": stability.compute_interface(engine, "Li3N", "LiCoO2"),
        "Li-open Interface": stability.compute_interface(engine, "Li3PS4", "LiCoO2", 3.0),
        "InterfaceScan": stability.scan_interface(engine, "Li3PS4", "LiCoO2", [3.0, 4.0]),
        "InterfaceMatrix": stability.interface_matrix(
            engine, [("LPS", "Li3PS4")], [("LCO", "LiCoO2")]
        ),
        "Li-open InterfaceMatrix": stability.interface_matrix(
            engine, [("LPS", "Li3PS4")], [("LCO", "LiCoO2")], 3.0
        ),
        "ScreenResult": stability.run_screen(
            engine, stability.resolve_targets(None, "nitride-sses"), partners=[("LCO", "LiCoO2")]
        ),
        "DecompositionTable": stability.compute_decompositions(engine, ["Li3N"], [0.0, 5.0]),
        "CellEnergy": stability.cell_energy(spec),
        "StackStability": stability.stack_stability(engine, spec),
        "InterlayerRanking": stability.rank_interlayers(
            engine, "Li3N", "LiCoO2", [("LiF", "LiF"), ("Li2O", "Li2O")]
        ),
    }


def _documented(doc: str) -> list[str]:
    """Column names a ``to_dataframe`` docstring names: identifiers with an underscore or
    known single words, and ``*`` patterns (``passivated_*``)."""
    return re.findall(r"[A-Za-z][A-Za-z0-9_*]*", doc)


def test_every_result_has_a_documented_dataframe(mp_engine, tmp_path):
    import pandas as pd

    results = _results(mp_engine, tmp_path)
    classes = {type(r).__name__ for r in results.values()}
    inputs = {
        "EntryTable",
        "Material",
        "Passivation",
        "CellSpec",
        "StabilityError",
        "AirConditions",
    }
    public_results = {
        n for n in stability.__all__ if inspect.isclass(getattr(stability, n))
    } - inputs
    assert public_results <= classes, public_results - classes
    for what, result in results.items():
        frame = result.to_dataframe()
        assert isinstance(frame, pd.DataFrame), what
        assert len(frame) > 0, what
        doc = inspect.getdoc(type(result).to_dataframe)
        assert "Returns" in _sections(doc) and "Examples" in _sections(doc), what
        words = _documented(doc.split("Examples")[0])
        patterns = [w for w in words if "*" in w]
        missing = [
            c
            for c in frame.columns
            if c not in words
            and not any(fnmatch.fnmatch(c, p) for p in patterns)
            and not c.startswith("reaction_with_")  # reaction_with_<label>_meV_per_atom
        ]
        assert not missing, f"{what}.to_dataframe does not document {missing}"
