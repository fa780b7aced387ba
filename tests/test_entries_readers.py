"""Snapshot readers, EntryTable slicing and dataset resolution, on small synthetic files."""

from __future__ import annotations

import gzip
import json
import math
import os
from pathlib import Path

import numpy as np
import pytest
from pymatgen.entries.computed_entries import (
    CompositionEnergyAdjustment,
    ComputedEntry,
    ConstantEnergyAdjustment,
)

from stability import config
from stability.entries.load import load_dataset, pick_snapshot
from stability.entries.readers import (
    CORRECTED_CSV,
    ENTRIES_JSON,
    FORMATION_CSV,
    read_snapshot,
    sniff_format,
)
from stability.entries.table import FORMATION, TOTAL, EntryTable
from stability.errors import DataError

FORMATION_ROWS = [
    # formula, formation energy (eV/atom), decomposition energy (eV/atom)
    ("Li3N", -0.437, -0.021),
    ("LiCl", -1.834, -0.512),
    ("Li2.92N0.97", -0.401, 0.013),
    ("Li4NCl", -0.905, 0.0),
    ("Li3(PO4)", -2.611, -0.35),
]

CORRECTED_HEADER = (
    "material_id,formula,nsites,energy_per_atom,uncorrected_energy_per_atom,"
    "correction_per_atom,correction_uncertainty_per_atom,run_type"
)
CORRECTED_ROWS = [
    ("mp-901", "Li", 3, -1.9089, -1.9089, 0.0, 0.0, "GGA"),
    ("mp-902", "N2", 8, -8.3365, -8.3365, 0.0, 0.0, "GGA"),
    ("mp-903", "Li3N", 4, -4.3312, -4.1812, -0.15, 0.0066, "GGA"),
    ("mp-904", "LiCl", 8, -3.6851, -3.3701, -0.315, 0.0075, "GGA"),
]


@pytest.fixture(autouse=True)
def _private_cache(tmp_path, monkeypatch):
    monkeypatch.setenv(config.CACHE_ENV, str(tmp_path / "cache"))
    monkeypatch.delenv(config.DATA_ENV, raising=False)


def write(path: Path, text: str | bytes, gz: bool = False) -> Path:
    data = text.encode() if isinstance(text, str) else text
    path.write_bytes(gzip.compress(data) if gz else data)
    return path


def formation_csv(rows=FORMATION_ROWS, with_decomposition: bool = True) -> str:
    if with_decomposition:
        lines = ["formula,formation_energy_per_atom,decomposition_energy_per_atom"]
        lines += [f"{f},{e},{d}" for f, e, d in rows]
    else:
        lines = ["formula,formation_energy_per_atom"] + [f"{f},{e}" for f, e, _ in rows]
    return "\n".join(lines) + "\n"


def corrected_csv(rows=CORRECTED_ROWS) -> str:
    return "\n".join([CORRECTED_HEADER] + [",".join(map(str, r)) for r in rows]) + "\n"


def computed_entries() -> list[ComputedEntry]:
    """Synthetic pymatgen entries: plain, manual correction, and energy adjustments."""
    adjusted = ComputedEntry(
        "Li6N2",
        -35.2,
        energy_adjustments=[
            CompositionEnergyAdjustment(-0.12, 6, uncertainty_per_atom=0.011, name="Li fit"),
            CompositionEnergyAdjustment(-0.361, 2, uncertainty_per_atom=0.023, name="N anion"),
            ConstantEnergyAdjustment(0.05, uncertainty=0.004, name="constant"),
        ],
        entry_id="mp-2251-GGA",
        data={"e_above_hull": 0.0},
    )
    # Unknown (NaN) uncertainties and those of zero-valued adjustments do not count in pymatgen.
    mixed = ComputedEntry(
        "Li3Cl3",
        -22.1,
        energy_adjustments=[
            CompositionEnergyAdjustment(-0.614, 3, uncertainty_per_atom=0.0075, name="Cl anion"),
            ConstantEnergyAdjustment(-0.1, name="manual, no uncertainty"),
            CompositionEnergyAdjustment(0.0, 3, uncertainty_per_atom=0.5, name="zero"),
        ],
        entry_id="mp-22906-GGA",
    )
    return [
        ComputedEntry("Li2", -3.8, entry_id="mp-135-GGA"),
        ComputedEntry("Cl2", -3.6, correction=-0.2, entry_id="mp-22848-GGA"),
        adjusted,
        ComputedEntry("Li1Cl1", -7.4, entry_id="mp-22905-r2SCAN", data={"material_id": "mp-22905"}),
        mixed,
    ]


# ---------------------------------------------------------------- formation-energy CSV


@pytest.mark.parametrize("gz", [False, True], ids=["plain", "gzip"])
def test_formation_csv(tmp_path, gz):
    path = write(tmp_path / ("mp_synth.csv.gz" if gz else "mp_synth.csv"), formation_csv(), gz)
    assert sniff_format(path) == FORMATION_CSV
    table = read_snapshot(path)
    assert len(table) == len(FORMATION_ROWS)
    assert table.energy_kind == FORMATION
    assert table.name == "mp_synth"
    assert table.meta["format"] == FORMATION_CSV
    assert list(table.formula) == [f for f, _, _ in FORMATION_ROWS]
    np.testing.assert_array_equal(table.energy_per_atom, [e for _, e, _ in FORMATION_ROWS])
    np.testing.assert_array_equal(table.reported_hull_distance, [d for _, _, d in FORMATION_ROWS])
    # Elements are implicit at 0: no elemental rows are invented.
    assert not any(len(table.row_composition(i)) == 1 for i in range(len(table)))
    assert table.row_composition(0) == {"Li": 3.0, "N": 1.0}
    assert table.row_composition(2) == pytest.approx({"Li": 2.92, "N": 0.97})
    # A formula the fast parser does not take goes through pymatgen.
    assert table.row_composition(4) == {"Li": 3.0, "P": 1.0, "O": 4.0}
    assert table.element_set() == {"Li", "N", "Cl", "P", "O"}
    np.testing.assert_allclose(table.natoms(), [4, 2, 3.89, 6, 8])
    # No ids, no corrections in this format.
    assert not table.has_ids and not table.has_uncertainties
    assert np.isnan(table.uncorrected_energy_per_atom).all()


def test_formation_csv_without_decomposition_column(tmp_path):
    table = read_snapshot(write(tmp_path / "f.csv", formation_csv(with_decomposition=False)))
    np.testing.assert_array_equal(table.energy_per_atom, [e for _, e, _ in FORMATION_ROWS])
    assert np.isnan(table.reported_hull_distance).all()


def test_formation_csv_gzip_and_plain_agree(tmp_path):
    plain = read_snapshot(write(tmp_path / "a.csv", formation_csv()))
    zipped = read_snapshot(write(tmp_path / "a.csv.gz", formation_csv(), gz=True))
    for key, col in plain.columns().items():
        np.testing.assert_array_equal(col, zipped.columns()[key], err_msg=key)


# ---------------------------------------------------------------- corrected-energy CSV


@pytest.mark.parametrize("gz", [False, True], ids=["plain", "gzip"])
def test_corrected_csv(tmp_path, gz):
    path = write(tmp_path / ("c.csv.gz" if gz else "c.csv"), corrected_csv(), gz)
    assert sniff_format(path) == CORRECTED_CSV
    table = read_snapshot(path)
    assert table.energy_kind == TOTAL
    assert table.meta["format"] == CORRECTED_CSV
    assert list(table.material_id) == [r[0] for r in CORRECTED_ROWS]
    assert list(table.formula) == [r[1] for r in CORRECTED_ROWS]
    assert table.has_ids and table.has_uncertainties
    np.testing.assert_array_equal(table.energy_per_atom, [r[3] for r in CORRECTED_ROWS])
    np.testing.assert_array_equal(table.uncorrected_energy_per_atom, [r[4] for r in CORRECTED_ROWS])
    np.testing.assert_array_equal(table.correction_per_atom, [r[5] for r in CORRECTED_ROWS])
    np.testing.assert_array_equal(
        table.correction_uncertainty_per_atom, [r[6] for r in CORRECTED_ROWS]
    )
    # Elements are rows of their own in this format, written as a formula unit (N2: 2 atoms).
    assert table.row_composition(0) == {"Li": 1.0}
    assert table.row_composition(1) == {"N": 2.0}
    assert np.isnan(table.reported_hull_distance).all()


# ---------------------------------------------------------------- JSON entry lists


def entries_payload(wrapped: bool = False) -> str:
    dicts = [e.as_dict() for e in computed_entries()]
    return json.dumps({"entries": dicts} if wrapped else dicts)


@pytest.mark.parametrize("gz", [False, True], ids=["plain", "gzip"])
@pytest.mark.parametrize("wrapped", [False, True], ids=["list", "entries-key"])
def test_entries_json_matches_pymatgen(tmp_path, gz, wrapped):
    path = write(tmp_path / ("e.json.gz" if gz else "e.json"), entries_payload(wrapped), gz)
    assert sniff_format(path) == ENTRIES_JSON
    table = read_snapshot(path)
    entries = computed_entries()
    assert len(table) == len(entries)
    assert table.energy_kind == TOTAL and table.meta["format"] == ENTRIES_JSON
    assert table.name == "e"
    for i, entry in enumerate(entries):
        natoms = entry.composition.num_atoms
        assert table.row_composition(i) == {str(el): a for el, a in entry.composition.items()}
        assert table.energy_per_atom[i] == pytest.approx(entry.energy_per_atom, abs=1e-12)
        assert table.uncorrected_energy_per_atom[i] == pytest.approx(
            entry.uncorrected_energy_per_atom, abs=1e-12
        )
        assert table.correction_per_atom[i] == pytest.approx(entry.correction_per_atom, abs=1e-12)
        # pymatgen reports NaN when an entry has no uncertainty information.
        assert table.correction_uncertainty_per_atom[i] == pytest.approx(
            entry.correction_uncertainty_per_atom, abs=1e-12, nan_ok=True
        )
        assert table.correction_uncertainty_per_atom[i] == pytest.approx(
            entry.correction_uncertainty / natoms, abs=1e-12, nan_ok=True
        )
    # The adjusted entry really has a non-trivial correction and uncertainty.
    adjusted = entries[2]
    assert adjusted.correction_uncertainty_per_atom > 0.005
    assert table.correction_per_atom[2] == pytest.approx((-0.12 * 6 - 0.361 * 2 + 0.05) / 8)
    expected_unc = math.sqrt((0.011 * 6) ** 2 + (0.023 * 2) ** 2 + 0.004**2) / 8
    assert table.correction_uncertainty_per_atom[2] == pytest.approx(expected_unc)
    assert table.correction_uncertainty_per_atom[4] == pytest.approx(0.0075 * 3 / 6)
    assert table.correction_per_atom[4] == pytest.approx((-0.614 * 3 - 0.1) / 6)
    assert np.isnan(table.correction_uncertainty_per_atom[0])
    assert table.has_uncertainties
    # Ids: from data["material_id"], else the entry id without its functional suffix.
    assert list(table.material_id) == ["mp-135", "mp-22848", "mp-2251", "mp-22905", "mp-22906"]
    assert table.reported_hull_distance[2] == 0.0
    assert np.isnan(table.reported_hull_distance[0])


def test_entries_json_legacy_correction_without_adjustments(tmp_path):
    d = {"composition": {"Li": 3, "N": 1}, "energy": -16.0, "correction": -0.8, "entry_id": "x-1"}
    table = read_snapshot(write(tmp_path / "legacy.json", json.dumps([d])))
    assert table.energy_per_atom[0] == pytest.approx((-16.0 - 0.8) / 4)
    assert table.correction_per_atom[0] == pytest.approx(-0.2)
    assert np.isnan(table.correction_uncertainty_per_atom[0])  # no information, as pymatgen
    assert not table.has_uncertainties


# ---------------------------------------------------------------- EntryTable slicing


@pytest.fixture
def small_table(tmp_path) -> EntryTable:
    rows = [
        ("Li", 0.0),
        ("N", 0.0),
        ("Cl", 0.0),
        ("Li3N", -0.4),
        ("LiCl", -1.8),
        ("Li4NCl", -0.9),
        ("Li2O", -2.0),
        ("NCl3", 0.2),
    ]
    text = "formula,formation_energy_per_atom\n" + "".join(f"{f},{e}\n" for f, e in rows)
    return read_snapshot(write(tmp_path / "small.csv", text))


def test_mask_within(small_table):
    formulas = small_table.formula
    assert list(formulas[small_table.mask_within(["Li", "N"])]) == ["Li", "N", "Li3N"]
    assert list(formulas[small_table.mask_within({"Li", "N", "Cl"})]) == [
        "Li",
        "N",
        "Cl",
        "Li3N",
        "LiCl",
        "Li4NCl",
        "NCl3",
    ]
    # Unknown symbols are simply not in the vocabulary.
    assert list(formulas[small_table.mask_within(["Cl", "Xx"])]) == ["Cl"]
    assert not small_table.mask_within([]).any()
    assert small_table.mask_within(small_table.elements).all()
    assert small_table.mask_within(["O"]).sum() == 0


def test_take_by_indices_and_mask(small_table):
    sub = small_table.take(np.array([5, 0, 3]))
    assert len(sub) == 3
    assert list(sub.formula) == ["Li4NCl", "Li", "Li3N"]
    assert [sub.row_composition(i) for i in range(3)] == [
        {"Li": 4.0, "N": 1.0, "Cl": 1.0},
        {"Li": 1.0},
        {"Li": 3.0, "N": 1.0},
    ]
    np.testing.assert_array_equal(sub.energy_per_atom, [-0.9, 0.0, -0.4])
    np.testing.assert_array_equal(sub.natoms(), [6, 1, 4])
    assert sub.element_set() == {"Li", "N", "Cl"}
    assert sub.meta == small_table.meta

    mask = small_table.mask_within(["Li", "Cl"])
    by_mask = small_table.take(mask)
    assert list(by_mask.formula) == ["Li", "Cl", "LiCl"]
    assert [by_mask.row_composition(i) for i in range(len(by_mask))] == [
        small_table.row_composition(i) for i in np.flatnonzero(mask)
    ]
    assert by_mask.mask_within(["Li", "Cl"]).all()
    # Slicing never changes the original.
    assert len(small_table) == 8 and small_table.row_composition(5) == {
        "Li": 4.0,
        "N": 1.0,
        "Cl": 1.0,
    }


def test_take_nothing(small_table):
    empty = small_table.take(np.zeros(len(small_table), dtype=bool))
    assert len(empty) == 0 and len(empty.indices) == 0
    assert empty.natoms().shape == (0,)


# ---------------------------------------------------------------- bad files


def _gzip_truncated() -> bytes:
    data = gzip.compress(formation_csv().encode() * 50)
    return data[: len(data) // 2]


BAD_FILES = {
    "empty.csv": b"",
    "blank.csv": b"   \n\n  \n",
    "header_only.csv": b"formula,formation_energy_per_atom\n",
    "header_only.csv.gz": gzip.compress(b"material_id,formula,energy_per_atom\n"),
    "truncated.csv.gz": _gzip_truncated(),
    "gzip_magic_only.csv.gz": b"\x1f\x8b\x08",
    "garbage.csv": bytes(range(128, 256)) * 40,
    "garbage_random.json.gz": b"\x1f\x8b" + os.urandom(2000),
    "wrong_columns.csv": b"name,energy,volume\nLi3N,-1.0,10\n",
    "non_numeric.csv": b"formula,formation_energy_per_atom\nLi3N,-0.4\nLiCl,minus one\n",
    "non_numeric_total.csv": (CORRECTED_HEADER + "\nmp-1,Li,1,n/a,0,0,0,GGA\n").encode(),
    "no_energy_in_any_row.csv": b"formula,formation_energy_per_atom\nLi3N,\nLiCl,\n",
    "infinite_energy.csv": b"formula,formation_energy_per_atom\nLi3N,inf\n",
    "json_object.json": b'{"composition": {"Li": 1}, "energy": -1.9}',
    "json_numbers.json": b"[1, 2, 3]",
    "json_truncated.json": b'[{"composition": {"Li": 1}, "energy": ',
    "json_missing_keys.json": b'[{"energy": -1.0}]',
    "json_bad_composition.json": b'[{"composition": [["Li", 1]], "energy": -1.0}]',
    "json_bad_adjustment.json": b'[{"composition": {"Li": 1}, "energy": -1.0, "energy_adjustments": [3]}]',
    "json_no_atoms.json": b'[{"composition": {}, "energy": -1.0}]',
    "json_entries_null.json": b'{"entries": null}',
    "empty_list.json": b"[]",
    "empty_list.json.gz": gzip.compress(b"  []  "),
}


@pytest.mark.parametrize("name", sorted(BAD_FILES))
def test_bad_file_raises_data_error(tmp_path, name):
    path = write(tmp_path / name, BAD_FILES[name])
    with pytest.raises(DataError) as info:
        read_snapshot(path)
    assert str(path) in str(info.value)
    assert "\n" not in str(info.value)
    # Through the cached loader too, and nothing is cached for a bad file.
    with pytest.raises(DataError):
        load_dataset(path)
    cache = config.cache_dir()
    assert not cache.exists() or not list(cache.iterdir())


def test_missing_file_raises_data_error(tmp_path):
    missing = tmp_path / "nope.csv.gz"
    with pytest.raises(DataError, match="does not exist"):
        read_snapshot(missing)
    with pytest.raises(DataError, match="does not exist"):
        load_dataset(missing)


def test_error_messages_name_the_problem(tmp_path):
    with pytest.raises(DataError, match="empty"):
        read_snapshot(write(tmp_path / "e.csv", b""))
    with pytest.raises(DataError, match="no rows"):
        read_snapshot(write(tmp_path / "h.csv", b"formula,formation_energy_per_atom\n"))
    with pytest.raises(DataError, match="not a known snapshot format"):
        read_snapshot(write(tmp_path / "w.csv", BAD_FILES["wrong_columns.csv"]))
    with pytest.raises(DataError, match="non-numeric"):
        read_snapshot(write(tmp_path / "n.csv", BAD_FILES["non_numeric.csv"]))
    with pytest.raises(DataError, match="truncated or corrupt"):
        read_snapshot(write(tmp_path / "t.csv.gz", _gzip_truncated()))
    with pytest.raises(DataError, match="not a list of entry"):
        read_snapshot(write(tmp_path / "o.json", BAD_FILES["json_numbers.json"]))
    with pytest.raises(DataError, match="no entries"):
        read_snapshot(write(tmp_path / "l.json", b"[]"))


# ---------------------------------------------------------------- folder resolution


@pytest.fixture
def snapshot_folder(tmp_path) -> Path:
    folder = tmp_path / "data"
    folder.mkdir()
    write(folder / "mp2019_ground_states.csv.gz", formation_csv(FORMATION_ROWS[:2]), gz=True)
    write(folder / "mp2019_all_polymorphs.csv", formation_csv(FORMATION_ROWS[:3]))
    write(folder / "mp2022_hull.csv", corrected_csv())
    write(folder / "entries_Li-N.json.gz", entries_payload(), gz=True)
    write(folder / "README.md", "not a snapshot\n")
    return folder


def test_pick_snapshot_default_name(snapshot_folder):
    assert config.DEFAULT_DATASET == "mp2019_ground_states"
    assert pick_snapshot(snapshot_folder, None).name == "mp2019_ground_states.csv.gz"
    table = load_dataset(snapshot_folder)
    assert table.name == "mp2019_ground_states" and len(table) == 2
    assert list(table.formula) == ["Li3N", "LiCl"]


@pytest.mark.parametrize(
    ("dataset", "filename"),
    [
        ("mp2022_hull", "mp2022_hull.csv"),
        ("mp2019_all_polymorphs", "mp2019_all_polymorphs.csv"),
        ("entries_Li-N", "entries_Li-N.json.gz"),
        ("mp2022", "mp2022_hull.csv"),  # an unambiguous prefix
    ],
)
def test_pick_snapshot_by_name(snapshot_folder, dataset, filename):
    assert pick_snapshot(snapshot_folder, dataset).name == filename
    table = load_dataset(snapshot_folder, dataset=dataset)
    assert table.meta["source"] == str(snapshot_folder / filename)


def test_load_dataset_by_name_reads_that_file(snapshot_folder):
    table = load_dataset(snapshot_folder, dataset="mp2022_hull")
    assert table.energy_kind == TOTAL and list(table.material_id) == [r[0] for r in CORRECTED_ROWS]
    table = load_dataset(str(snapshot_folder), dataset="mp2019_all_polymorphs")
    assert len(table) == 3 and table.energy_kind == FORMATION


@pytest.mark.parametrize("dataset", ["mp2023_hull", "mp2019", "README"])
def test_pick_snapshot_unknown_or_ambiguous_name_lists_choices(snapshot_folder, dataset):
    with pytest.raises(DataError) as info:
        pick_snapshot(snapshot_folder, dataset)
    msg = str(info.value)
    assert repr(dataset) in msg
    for name in ("mp2019_ground_states", "mp2019_all_polymorphs", "mp2022_hull", "entries_Li-N"):
        assert name in msg
    with pytest.raises(DataError):
        load_dataset(snapshot_folder, dataset=dataset)


def test_several_snapshots_without_default_need_a_name(snapshot_folder):
    (snapshot_folder / "mp2019_ground_states.csv.gz").unlink()
    with pytest.raises(DataError, match="several datasets") as info:
        pick_snapshot(snapshot_folder, None)
    assert "mp2022_hull" in str(info.value)


def test_folder_with_one_snapshot(tmp_path):
    folder = tmp_path / "one"
    folder.mkdir()
    write(folder / "my_energies.csv", corrected_csv())
    write(folder / "notes.txt", "ignored")
    assert pick_snapshot(folder, None).name == "my_energies.csv"
    table = load_dataset(folder)
    assert table.name == "my_energies" and len(table) == len(CORRECTED_ROWS)


def test_data_env_var_and_missing_path(tmp_path, monkeypatch, snapshot_folder):
    monkeypatch.setenv(config.DATA_ENV, str(snapshot_folder))
    assert load_dataset().name == "mp2019_ground_states"
    assert load_dataset(dataset="mp2022_hull").name == "mp2022_hull"
    with pytest.raises(DataError, match="does not exist"):
        load_dataset(tmp_path / "elsewhere")


def test_empty_folder_says_how_to_get_data(tmp_path):
    folder = tmp_path / "empty"
    folder.mkdir()
    with pytest.raises(DataError, match="data pull"):
        load_dataset(folder)


def test_unknown_element_symbols_are_refused(tmp_path):
    path = tmp_path / "f.csv"
    path.write_text("formula,formation_energy_per_atom\nLi3N,-0.5\nQq2O,-1.0\n")
    with pytest.raises(DataError, match="unknown elements: Qq"):
        read_snapshot(path)


def test_temperature_adjustments_count(tmp_path):
    from pymatgen.entries.computed_entries import ComputedEntry, TemperatureEnergyAdjustment

    entry = ComputedEntry(
        "Li2O", -14.0,
        energy_adjustments=[TemperatureEnergyAdjustment(-0.001, 300, 3, uncertainty_per_deg=1e-4)],
    )
    path = tmp_path / "t.json"
    path.write_text(json.dumps([entry.as_dict()]))
    table = read_snapshot(path)
    assert table.energy_per_atom[0] == pytest.approx(entry.energy_per_atom, abs=1e-12)
    assert table.correction_uncertainty_per_atom[0] == pytest.approx(
        entry.correction_uncertainty_per_atom, abs=1e-12
    )
