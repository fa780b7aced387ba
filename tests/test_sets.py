"""Set names: one path for every command, li-ternaries:X, set files, classes, --max-ehull."""

from __future__ import annotations

import re

import pytest
from click.testing import CliRunner
from pymatgen.analysis.phase_diagram import PhaseDiagram
from pymatgen.core import Composition

from stability.analysis.materials.catalogue import CATALOGUE, SEED_SECTIONS, material_class
from stability.analysis.materials.classes import CLASSES, HALIDES, anion_class, family
from stability.analysis.materials.sets import (
    LI_TERNARY_ANIONS,
    filter_by_ehull,
    resolve_set,
    resolve_targets,
    target_e_above_hull,
)
from stability.analysis.screens.screen import screen_target
from stability.cli import cli
from stability.errors import StabilityError

from . import oracle
from .conftest import shared_file


def test_dataset_sets_work_for_interfaces(mp2019, tmp_path):
    pairs = resolve_set("li-ternaries:N", mp2019)
    assert len(pairs) > 20 and all(len(p) == 2 for p in pairs)
    with pytest.raises(StabilityError, match="needs one dataset"):
        resolve_set("li-ternaries:N")
    (tmp_path / "bn.txt").write_text("BN\n")
    data = str(shared_file("mp2019_ground_states.csv.gz"))
    args = ["interfaces", "--left", "li-ternaries:I", "--right", str(tmp_path / "bn.txt")]
    res = CliRunner().invoke(cli, [*args, "--data", data, "--out", str(tmp_path / "o")])
    assert res.exit_code == 0, res.output
    n_iodides = len(resolve_targets(mp2019, "li-ternaries:I"))
    assert f"{n_iodides} pairs (0 failed)" in res.output


def test_li_ternaries_accepts_exactly_what_its_message_lists(mp2019):
    with pytest.raises(StabilityError) as info:
        resolve_targets(mp2019, "li-ternaries:Xx")
    listed = re.search(r"one of (.*)$", str(info.value)).group(1).split(", ")
    assert listed == list(LI_TERNARY_ANIONS)
    for anion in listed:
        targets = resolve_targets(mp2019, f"li-ternaries:{anion}")
        assert targets and all(anion in mp2019.row_composition(t.row) for t in targets)
    for refused in ("Te", "Na", "n", ""):
        with pytest.raises(StabilityError, match="unknown anion"):
            resolve_targets(mp2019, f"li-ternaries:{refused}")


def test_commas_combine_any_sets_with_unique_keys(mp2019):
    br = resolve_targets(mp2019, "li-ternaries:Br")
    both = resolve_targets(mp2019, "li-ternaries:Br,cathodes,cathodes")
    assert len(both) == len(br) + 2 * len(CATALOGUE["cathodes"])
    assert len({t.key for t in both}) == len(both)
    assert [t.formula for t in both[: len(br)]] == [t.formula for t in br]


def test_unknown_set_suggests(mp2019):
    with pytest.raises(StabilityError, match="did you mean sulfides"):
        resolve_targets(mp2019, "sulfide")


def test_set_files_resolve_names_and_keep_bad_lines(tmp_path):
    from stability.entries.load import load_dataset

    mp2022 = load_dataset(shared_file("mp2022_hull.csv.gz"))
    listing = tmp_path / "mine.txt"
    listing.write_text("LGPS\nLiPON  # crystalline\nbeta-Li3N\nLi₃N\nli3n\nmp-2251\nLi2SO4·H2O\n")
    targets = resolve_targets(mp2022, str(listing))
    got = [(t.label, t.formula, t.error != "") for t in targets]
    assert got == [
        ("LGPS", "Li10GeP2S12", False),
        ("LiPON", "Li2PO2N", False),
        ("beta-Li3N", "Li3N", False),
        ("Li₃N", "Li3N", False),
        ("li3n", "li3n", True),
        ("mp-2251", "Li3N", False),
        ("Li2SO4·H2O", "Li2SO4(H2O)", False),
    ]
    assert "did you mean Li3N?" in targets[4].error
    assert len({t.key for t in targets}) == len(targets)  # Li3N three times, three keys
    assert [t.cls for t in targets[:3]] == ["sulfide", "nitride", "nitride"]
    # The bad line becomes a row with its error; the others are computed.
    from stability.thermo.engines import make_engine

    engine = make_engine(mp2022)
    rows = [screen_target(engine, t, []) for t in targets[3:6]]
    assert rows[0]["error"] == "" and rows[2]["error"] == ""
    assert rows[0]["oxidation_limit_V"] == rows[2]["oxidation_limit_V"] > 0
    assert "did you mean Li3N?" in rows[1]["error"]
    assert [r["label"] for r in rows] == ["Li₃N", "li3n", "mp-2251"]
    # Without a dataset, the id line alone fails.
    no_ids = resolve_targets(None, str(listing))
    assert [t.error != "" for t in no_ids] == [False] * 4 + [True, True, False]


def test_one_class_vocabulary(mp2019):
    from stability.analysis.screens.review import WINDOW_BARS
    from stability.plotting.style import CLASS_STYLE

    seed = resolve_targets(None, "seed")
    assert {t.cls for t in seed} <= set(CLASSES)
    assert set(CLASS_STYLE) <= set(CLASSES)
    assert {t.cls for t in seed} <= set(CLASS_STYLE)  # every catalogue class has a colour
    assert {cls for *_, cls in WINDOW_BARS} <= set(CLASS_STYLE)
    # Set names are the plural of their members' class; halides are the halide family.
    for name in SEED_SECTIONS:
        classes = {t.cls for t in resolve_targets(None, name)}
        if name == "halides":
            assert classes == set(HALIDES) and {family(c) for c in classes} == {"halide"}
        else:
            assert classes == {name.removesuffix("s")}, name
    # The review's oxynitrides are nitrides, as are LiPON and LiSiPON by alias.
    for label, formula in CATALOGUE["nitrides"]:
        if label.startswith(("LiPON", "LiSiPON")):
            assert material_class(formula) == "nitride", label
    assert material_class("Li2PO2N") == "nitride" and anion_class({"Li", "P", "O", "N"}) == "oxide"
    # A dataset row of a catalogue compound has the catalogue's class, however it is written.
    for t in resolve_targets(mp2019, "li-ternaries:Cl"):
        if Composition(t.formula).reduced_formula in ("Li3YCl6", "Li3InCl6", "Li4NCl"):
            assert t.cls == material_class(Composition(t.formula).reduced_formula), t.formula
    assert material_class("Cl3Li9N2") == material_class("Li9N2Cl3") == "nitride"
    assert material_class("Cl6Li3Y1") == "chloride" and material_class("LiNO3") == ""


def test_filter_by_ehull_drops_unstable_rows(fast2019, csv2019):
    targets = resolve_targets(fast2019.table, "li-ternaries:N")
    energies = {t.key: target_e_above_hull(fast2019, t) for t in targets}
    libr = [t for t in targets if Composition(t.formula) == Composition("LiBrN")]
    assert libr and energies[libr[0].key] > 1.0  # LiBrN, about 1.65 eV/atom above the hull
    kept = filter_by_ehull(targets, fast2019, 0.1)
    assert libr[0] not in kept
    assert [t.key for t in kept] == [t.key for t in targets if energies[t.key] <= 0.1]
    assert 0 < len(kept) < len(targets)
    assert filter_by_ehull(targets, fast2019, 10.0) == targets
    # The energies are pymatgen's for the same entries ...
    pd = PhaseDiagram(csv2019.entries(frozenset({"Li", "N", "Br"})))
    comp = Composition(libr[0].formula)
    own = fast2019.table.energy_per_atom[libr[0].row]
    expected = own - pd.get_hull_energy_per_atom(comp)
    assert energies[libr[0].key] == pytest.approx(expected, abs=1e-6)
    # ... and the screen's column.
    for t in targets[:5]:
        row = screen_target(fast2019, t, [])
        assert row["e_above_hull_eV_per_atom"] == pytest.approx(energies[t.key], abs=1e-12)
    with pytest.raises(StabilityError, match=">= 0"):
        filter_by_ehull(targets, fast2019, -0.1)


def test_filter_by_ehull_keeps_compositions_without_an_entry(fast2019):
    targets = resolve_targets(None, "nitrides")
    glass = [t for t in targets if t.formula == "Li2.9PO3.3N0.46"]
    assert target_e_above_hull(fast2019, glass[0]) is None
    assert glass[0] in filter_by_ehull(targets, fast2019, 0.0)


@pytest.fixture(scope="module")
def csv2019():
    return oracle.FormationCsv(shared_file("mp2019_ground_states.csv.gz"))


def test_every_dataset_row_has_the_class_classify_gives(mp2019):
    """``dataset_targets`` classifies by element set first; each row's class must still be what
    ``classify`` says of its composition (catalogue compounds however written included)."""
    from stability.analysis.materials.sets import classify

    targets = resolve_targets(mp2019, "all")
    assert len(targets) == len(mp2019)
    catalogue_rows = 0
    for t in targets:
        expected = classify(t.formula, mp2019.row_composition(t.row))
        assert t.cls == expected, t.formula
        catalogue_rows += expected != anion_class(set(mp2019.row_composition(t.row)))
    assert catalogue_rows > 0  # some rows take the catalogue's class (LiPON-like: nitride)


def test_a_set_option_takes_materials_too():
    """``--left Li3N,LLZO``: a member that is no set name but a material is that material."""
    from stability.analysis.materials.sets import resolve_set

    assert resolve_set("Li3N,LLZO,nitride-sses")[:2] == [
        ("Li3N", "Li3N"),
        ("LLZO", "Li7La3Zr2O12"),
    ]
    with pytest.raises(StabilityError, match="unknown set 'nitrdes'.*did you mean nitrides"):
        resolve_set("nitrdes")
