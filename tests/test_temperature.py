"""--temperature (issue 27, heat): energies at T equal pymatgen's GibbsComputedStructureEntry
(Bartel's G^delta(T), NIST-JANAF gases) on the MP entry files, and windows and interfaces at T
equal plain pymatgen on those entries; no temperature is exactly the 0 K answer."""

from __future__ import annotations

import gzip
import json
import math
import warnings

import numpy as np
import pytest
from click.testing import CliRunner
from pymatgen.analysis.phase_diagram import PhaseDiagram
from pymatgen.core import Composition, Lattice, Structure
from pymatgen.entries.computed_entries import (
    ComputedStructureEntry,
    GibbsComputedStructureEntry,
)

from stability.analysis.interfaces.interface import compute_interface
from stability.analysis.windows.window import compute_window, compute_windows
from stability.cli import cli
from stability.entries.load import load_dataset
from stability.errors import StabilityError
from stability.thermo.engines import make_engine
from stability.thermo.temperature import (
    engine_at_temperature,
    table_at_temperature,
    temperature_note,
)

from . import oracle
from .conftest import shared_file

FILES = ["mp2020_entries_Li-Co-Ni-O.json.gz", "mp2020_entries_Li-Fe-P-O.json.gz"]
TEMPERATURES = [300, 1000, 1500]


class EntryFile:
    """An entry file as pymatgen ComputedStructureEntries (file order) and as a dataset."""

    def __init__(self, name: str) -> None:
        path = shared_file(name)
        with gzip.open(path, "rt", encoding="utf-8") as fh:
            dicts = json.load(fh)
        self.ids = [d["entry_id"] for d in dicts]
        self.entries = [ComputedStructureEntry.from_dict(d) for d in dicts]
        self.table = load_dataset(path)
        self.path = path
        self._gibbs: dict[float, list[GibbsComputedStructureEntry]] = {}

    def gibbs(self, temperature: float) -> list[GibbsComputedStructureEntry]:
        if temperature not in self._gibbs:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                self._gibbs[temperature] = GibbsComputedStructureEntry.from_entries(
                    self.entries, temp=temperature
                )
        return self._gibbs[temperature]

    def gibbs_within(self, temperature: float, formulas: list[str]) -> list:
        elements = set().union(*(Composition(f).chemical_system.split("-") for f in formulas))
        return [
            e
            for e in self.gibbs(temperature)
            if {str(el) for el in e.composition.elements} <= elements
        ]


@pytest.fixture(scope="module", params=FILES, ids=["Co-Ni", "Fe-P"])
def entry_file(request) -> EntryFile:
    return EntryFile(request.param)


@pytest.fixture(scope="module")
def co_ni() -> EntryFile:
    return EntryFile(FILES[0])


@pytest.fixture(scope="module")
def fe_p() -> EntryFile:
    return EntryFile(FILES[1])


def _entry_row(entry, ids: list[str]) -> int:
    return ids.index(str(entry.entry_id).replace(" (Experimental)", ""))


# ---------------------------------------------------------------- energies: pymatgen oracle


@pytest.mark.parametrize("temperature", [*TEMPERATURES, 1234.5])
def test_formation_energies_equal_gibbs_entries(entry_file, temperature):
    """Every entry GibbsComputedStructureEntry.from_entries keeps: its formation energy per
    atom at T (PhaseDiagram of the Gibbs entries) within 1e-6 eV/atom; 1234.5 K interpolates
    the elements' G(T) between table points."""
    gibbs = entry_file.gibbs(temperature)
    pd_ = PhaseDiagram(gibbs)
    hot = table_at_temperature(entry_file.table, temperature)
    got = hot.table.energy_per_atom
    deviation = max(
        abs(pd_.get_form_energy_per_atom(e) - got[_entry_row(e, entry_file.ids)]) for e in gibbs
    )
    assert deviation < 1e-6
    # Every entry of these files has a structure: every compound moved, none kept 0 K.
    compounds = sum(not e.composition.is_element for e in entry_file.entries)
    assert (hot.solids, hot.gases, hot.zero_kelvin) == (compounds, 0, 0)
    assert hot.elements == len(entry_file.entries) - compounds
    # ... and moved for real: G^delta(T) is no small change.
    zero = table_at_temperature(entry_file.table, 300).table.energy_per_atom
    if temperature >= 1000:
        assert np.max(np.abs(got - zero)) > 0.1


def test_g_delta_and_the_elements_term_are_pymatgens(co_ni):
    """Each solid's energy at T, plus sum x_i G_i(T), is its 0 K formation enthalpy plus
    pymatgen's own G^delta(V, reduced mass, T): the scale the air module's gases are on."""
    from stability.thermo.temperature import element_gibbs_per_atom, formation_enthalpies

    hot = table_at_temperature(co_ni.table, 1000).table
    enthalpy, has = formation_enthalpies(co_ni.table)
    assert has.all()
    shifted = hot.energy_per_atom + element_gibbs_per_atom(hot, 1000)
    solids = [i for i, e in enumerate(co_ni.entries) if not e.composition.is_element]
    for i in solids[::50]:
        s = co_ni.entries[i].structure
        g = GibbsComputedStructureEntry._g_delta_sisso(
            s.volume / len(s), GibbsComputedStructureEntry._reduced_mass(s), 1000
        )
        assert shifted[i] == pytest.approx(enthalpy[i] + g, abs=1e-9)


def test_gases_take_nist_janaf_as_pymatgen():
    """Compounds whose formula is a NIST-JANAF gas (CO2) take the tabulated value, solids
    (Li2CO3) G^delta(T): both as GibbsComputedStructureEntry; entries made in memory keep
    their structures' volumes."""

    def entry(species, coords, energy, entry_id, scale=1.0):
        structure = Structure(Lattice.cubic(4.0 * scale), species, coords)
        return ComputedStructureEntry(structure, energy, entry_id=entry_id)

    entries = [
        entry(["C"], [[0, 0, 0]], -9.2, "c"),
        entry(["O", "O"], [[0, 0, 0], [0.3, 0, 0]], -9.9, "o"),
        entry(["Li"], [[0, 0, 0]], -1.9, "li"),
        entry(["C", "O", "O"], [[0, 0, 0], [0.3, 0, 0], [0.7, 0, 0]], -23.0, "co2", 1.3),
        entry(
            ["Li", "Li", "C", "O", "O", "O"],
            [[0, 0, 0], [0.5, 0.5, 0.5], [0.2, 0.2, 0.2], [0.4, 0, 0], [0, 0.4, 0], [0, 0, 0.4]],
            -40.0,
            "li2co3",
            1.5,
        ),
    ]
    table = load_dataset(entries, "synthetic")
    np.testing.assert_allclose(
        table.volume_per_atom, [e.structure.volume / len(e.structure) for e in entries]
    )
    for temperature in (500, 1000, 1750):
        gibbs = GibbsComputedStructureEntry.from_entries(entries, temp=temperature)
        pd_ = PhaseDiagram(gibbs)
        hot = table_at_temperature(table, temperature)
        assert (hot.solids, hot.gases, hot.elements) == (1, 1, 3)
        expected = {str(e.entry_id).split(" ")[0]: pd_.get_form_energy_per_atom(e) for e in gibbs}
        got = dict(zip(table.material_id, hot.table.energy_per_atom, strict=True))
        for key, value in expected.items():
            assert got[key] == pytest.approx(value, abs=1e-9), (key, temperature)
        assert "1 gases" in temperature_note(hot.table)


# ---------------------------------------------------------------- windows and interfaces


WINDOWS = {
    FILES[0]: ["LiCoO2", "LiNiO2", "Li2O", "Li6CoO4", "LiNi0.5Co0.5O2"],
    FILES[1]: ["LiFePO4", "Li3PO4", "Li2O", "Li4P2O7"],
}


@pytest.mark.parametrize("temperature", TEMPERATURES)
def test_windows_at_temperature_equal_pymatgen(entry_file, temperature):
    engine = make_engine(entry_file.table)
    name = next(f for f in FILES if str(entry_file.path).endswith(f))
    for formula in WINDOWS[name]:
        want = oracle.window(entry_file.gibbs_within(temperature, [formula]), formula)
        got = compute_window(engine, formula, temperature_K=temperature)
        assert got.temperature_K == temperature
        assert got.reduction_limit_V == pytest.approx(want["reduction_limit_V"], abs=1e-3)
        assert got.oxidation_limit_V == pytest.approx(want["oxidation_limit_V"], abs=1e-3)
        assert sorted(got.oxidation_products) == [
            p for p in want["oxidation_products"] if p != "Li"
        ], formula
        assert got.placed_on_hull == want["placed_on_hull"], formula


def test_windows_move_with_temperature(co_ni):
    """LiCoO2's oxidation limit at 1000 K is not the 0 K one (the option does something)."""
    engine = make_engine(co_ni.table)
    cold = compute_window(engine, "LiCoO2")
    hot = compute_window(engine, "LiCoO2", temperature_K=1000)
    assert abs(hot.oxidation_limit_V - cold.oxidation_limit_V) > 0.1


INTERFACES = [
    (FILES[1], "FePO4", "Li2O", None),
    (FILES[1], "FePO4", "Li2O", 3.0),
    (FILES[0], "CoO2", "Li2O", None),
    (FILES[0], "LiCoO2", "LiNiO2", 1.0),
]


@pytest.mark.parametrize("temperature", [300, 1000])
@pytest.mark.parametrize(("name", "a", "b", "voltage"), INTERFACES)
def test_interfaces_at_temperature_equal_pymatgen(co_ni, fe_p, name, a, b, voltage, temperature):
    data = co_ni if name == FILES[0] else fe_p
    entries = data.gibbs_within(temperature, [a, b])
    want = oracle.interface(entries, a, b, voltage)
    got = compute_interface(make_engine(data.table), a, b, voltage, temperature_K=temperature)
    assert got.reaction_energy_meV == pytest.approx(want["energy_meV"], abs=1e-3)
    assert got.mixing_ratio == pytest.approx(want["mixing_ratio"], abs=1e-6)
    assert sorted(got.products) == want["products"]
    assert got.temperature_K == temperature and got.to_dict()["temperature_K"] == temperature


def test_pymatgen_engine_agrees_at_temperature(fe_p):
    fast, ref = make_engine(fe_p.table), make_engine(fe_p.table, "pymatgen")
    for formula in ("LiFePO4", "Li3PO4"):
        a = compute_window(fast, formula, temperature_K=1000)
        b = compute_window(ref, formula, temperature_K=1000)
        assert a.reduction_limit_V == pytest.approx(b.reduction_limit_V, abs=1e-6)
        assert a.oxidation_limit_V == pytest.approx(b.oxidation_limit_V, abs=1e-6)


# ---------------------------------------------------------------- no temperature: 0 K


def test_no_temperature_is_the_zero_kelvin_answer(co_ni, fast2019):
    """temperature_K=None is today's answer: equal to the call without it, equal to plain
    pymatgen on the 0 K entries, and the temperature fields empty."""
    engine = make_engine(co_ni.table)
    for formula in ("LiCoO2", "LiNiO2"):
        plain = compute_window(engine, formula)
        assert compute_window(engine, formula, temperature_K=None).to_dict() == plain.to_dict()
        assert plain.temperature_K is None and plain.temperature_note is None
        entries = [
            e
            for e in co_ni.entries
            if {str(el) for el in e.composition.elements} <= set(Composition(formula).as_dict())
        ]
        want = oracle.window(entries, formula)
        assert plain.reduction_limit_V == pytest.approx(want["reduction_limit_V"], abs=1e-6)
        assert plain.oxidation_limit_V == pytest.approx(want["oxidation_limit_V"], abs=1e-6)
    r = compute_interface(fast2019, "Li3N", "LiCoO2")
    assert compute_interface(fast2019, "Li3N", "LiCoO2", temperature_K=None) == r
    assert r.to_dict()["temperature_K"] is None
    assert round(r.reaction_energy_meV_per_atom, 1) == -449.9  # the doctest's number


def test_a_dataset_without_structures_gives_the_zero_kelvin_answer(fast2019):
    """mp2019 has no structures: at 800 K every solid keeps its 0 K energy, the limits are
    the 0 K ones, and the note says so."""
    table = compute_windows(fast2019, ["Li3N", "Li3PS4", "LiCoO2"], temperature_K=800)
    for w in table.ok:
        cold = compute_window(fast2019, w.formula)
        assert (w.reduction_limit_V, w.oxidation_limit_V) == (
            cold.reduction_limit_V,
            cold.oxidation_limit_V,
        )
        assert w.temperature_K == 800
        assert "no structures" in w.temperature_note and "0 K answer" in w.temperature_note


def test_engine_at_temperature_is_built_once_and_checked(fast2019):
    hot = engine_at_temperature(fast2019, 900)
    assert engine_at_temperature(fast2019, 900) is hot
    assert engine_at_temperature(hot, 900) is hot
    with pytest.raises(StabilityError, match="already at 900 K"):
        engine_at_temperature(hot, 1000)
    for bad in (50, 299.9, 2000.5, math.nan):
        with pytest.raises(StabilityError, match="within 300 and 2000 K"):
            compute_window(fast2019, "Li3N", temperature_K=bad)


# ---------------------------------------------------------------- the CLI


def run(*args):
    return CliRunner().invoke(cli, [str(a) for a in args])


def test_cli_window_at_temperature(co_ni):
    res = run("window", "LiCoO2", "--temperature", 1000, "--data", co_ni.path)
    assert res.exit_code == 0, res.output
    head = res.stdout.splitlines()[1]
    assert head.startswith("temperature 1000 K: G^delta(T)") and "keep" not in head
    rows = json.loads(
        run(
            "window", "LiCoO2", "--temperature", 1000, "--data", co_ni.path, "--format", "json"
        ).stdout
    )
    want = compute_window(make_engine(co_ni.table), "LiCoO2", temperature_K=1000)
    assert rows[0]["temperature_K"] == 1000
    assert rows[0]["oxidation_limit_V"] == pytest.approx(want.oxidation_limit_V, abs=1e-12)
    csv = run("window", "LiCoO2", "--data", co_ni.path, "--format", "csv").stdout
    header, row = csv.splitlines()[:2]
    assert "temperature_K" in header.split(",")
    assert row.split(",")[header.split(",").index("temperature_K")] == ""


def test_cli_says_when_solids_keep_zero_kelvin_energies():
    data = shared_file("mp2019_ground_states.csv.gz")
    hot = run("window", "Li3N", "--temperature", 800, "--data", data)
    cold = run("window", "Li3N", "--data", data)
    assert hot.exit_code == 0, hot.output
    assert "has no structures" in hot.stdout and "this is the 0 K answer" in hot.stdout
    # apart from that line, the 0 K output
    assert [ln for ln in hot.stdout.splitlines() if not ln.startswith("temperature ")] == (
        cold.stdout.splitlines()
    )


def test_cli_interface_at_temperature(fe_p):
    res = run("interface", "FePO4", "Li2O", "--temperature", 1000, "--data", fe_p.path)
    assert res.exit_code == 0, res.output
    assert "temperature 1000 K: G^delta(T)" in res.stdout
    payload = json.loads(
        run(
            "interface", "FePO4", "Li2O", "--temperature", 1000, "--data", fe_p.path,
            "--format", "json",
        ).stdout
    )  # fmt: skip
    assert payload["temperature_K"] == 1000 and "G^delta" in payload["temperature_note"]
    want = oracle.interface(fe_p.gibbs_within(1000, ["FePO4", "Li2O"]), "FePO4", "Li2O", None)
    assert payload["reaction_energy_meV_per_atom"] == pytest.approx(want["energy_meV"], abs=1e-3)
    frame = run("interface", "FePO4", "Li2O", "--data", fe_p.path, "--format", "csv").stdout
    assert "temperature_K" in frame.splitlines()[0].split(",")


@pytest.mark.parametrize("bad", ["50", "2500", "-3"])
def test_cli_bad_temperature_is_one_line(bad):
    for command in (["window", "Li3N"], ["interface", "Li3N", "LiCoO2"]):
        res = run(*command, "--temperature", bad)
        assert res.exit_code == 1, res.output
        lines = res.output.strip().splitlines()
        assert len(lines) == 1 and lines[0].startswith("Error: temperature must be within 300")


def test_cli_refuses_uncertainty_at_temperature(co_ni):
    res = run("window", "LiCoO2", "--temperature", 1000, "--uncertainty", "--data", co_ni.path)
    assert res.exit_code == 1 and "--uncertainty" in res.output
    # by default no 0 K error bars are put on limits at T
    rows = json.loads(
        run(
            "window", "LiCoO2", "--temperature", 1000, "--data", co_ni.path, "--format", "json"
        ).stdout
    )
    assert rows[0]["reduction_limit_std_V"] is None


def test_formation_datasets_without_structures_are_unchanged():
    """Every energy of a CSV snapshot (no structures) is its 0 K one at T, elemental
    polymorph rows included (mp2019_all_polymorphs has them)."""
    table = load_dataset(shared_file("mp2019_all_polymorphs.csv.gz"))
    hot = table_at_temperature(table, 1500)
    np.testing.assert_array_equal(hot.table.energy_per_atom, table.energy_per_atom)
    assert (hot.solids, hot.gases, hot.dropped) == (0, 0, 0)
    assert hot.zero_kelvin + hot.elements == len(table) and hot.elements > 0
    assert "0 K answer" in hot.note
