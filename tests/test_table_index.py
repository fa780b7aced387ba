"""Rows of a chemical system by element-set lookup equal a scan of every row, and a system's
arrays equal those read row by row."""

from __future__ import annotations

import numpy as np
import pytest

from stability.entries.table import EntryTable

from .conftest import shared_file


def scan(table: EntryTable, elements) -> np.ndarray:
    wanted = set(elements)
    return np.array(
        [i for i in range(len(table)) if set(table.row_composition(i)) <= wanted], dtype=np.int64
    )


def test_rows_within_equals_a_scan(mp2019):
    rng = np.random.default_rng(3)
    common = ["Li", "N", "O", "S", "P", "Cl", "Br", "F", "Si", "Al", "Mg", "Na", "La", "Zr"]
    sets = [["Li"], ["Li", "N"], ["Li", "Xx"], [], common, common[:10], common[:9]]
    sets += [list(rng.choice(common, size=rng.integers(1, 8), replace=False)) for _ in range(40)]
    # Random rows' own element sets and supersets of them.
    for i in rng.choice(len(mp2019), 20):
        own = list(mp2019.row_composition(int(i)))
        sets += [own, [*own, "Li", "O"]]
    small = mp2019.take(np.arange(0, len(mp2019), 50))  # a scan in Python is slow on 85k rows
    for elements in sets:
        expected = scan(small, elements)
        for _ in range(2):  # the first calls scan, later ones look the element sets up
            got = small.rows_within(elements)
            assert np.array_equal(got, expected), elements
            assert np.array_equal(np.flatnonzero(small.mask_within(elements)), expected)
    for elements in sets[:10]:
        assert np.array_equal(
            mp2019.rows_within(elements), np.flatnonzero(mp2019.mask_within(elements))
        )


def reference_system(table: EntryTable, elements) -> dict[str, np.ndarray]:
    """A system's arrays built row by row from the table's compositions (what select_system
    gathers straight from the CSR columns), implicit elements appended."""
    els = tuple(sorted(set(elements)))
    rows = np.flatnonzero(table.mask_within(els))  # a scan of every row (tested above)
    dense = np.array(
        [[table.row_composition(int(i)).get(el, 0.0) for el in els] for i in rows], dtype=float
    ).reshape(len(rows), len(els))
    have = {els[int(np.argmax(r))] for r in dense if np.count_nonzero(r) == 1}
    absent = [el for el in els if el not in have]
    return {
        "amounts": np.vstack([dense, np.eye(len(els))[[els.index(el) for el in absent]]]),
        "energy_per_atom": np.concatenate([table.energy_per_atom[rows], np.zeros(len(absent))]),
        "formula": np.concatenate([table.formula[rows], np.array(absent, dtype=str)]),
        "rows": np.concatenate([rows, np.full(len(absent), -1)]),
    }


@pytest.mark.parametrize("dataset", ["mp2019_ground_states", "mp2019_all_polymorphs"])
def test_select_system_equals_rows_read_one_by_one(dataset):
    # Ground states leave every element implicit (no elemental rows: added at 0 eV/atom);
    # all polymorphs have elemental rows, so systems mix found and implicit elements.
    from stability.entries.load import load_dataset
    from stability.thermo.system import select_system

    table = load_dataset(shared_file(f"{dataset}.csv.gz"))
    rng = np.random.default_rng(5)
    common = ["Li", "N", "O", "S", "P", "Cl", "Br", "F", "Si", "Al", "Mg", "La", "Zr", "Xe"]
    sets = [["Li", "N"], ["Li", "Xe"], common[:6], common]
    sets += [list(rng.choice(common, size=rng.integers(2, 7), replace=False)) for _ in range(30)]
    implicit = found = 0
    for elements in sets:
        got = select_system(table, elements)
        want = reference_system(table, elements)
        assert got.elements == tuple(sorted(elements))
        for name, expected in want.items():
            assert np.array_equal(getattr(got, name), expected), (elements, name)
        implicit += int((got.rows < 0).sum())
        found += int(((got.amounts > 0).sum(axis=1) == 1)[got.rows >= 0].sum())
    assert implicit > 0
    assert (found > 0) == (dataset == "mp2019_all_polymorphs")


def test_an_empty_table_has_no_rows_within_any_system():
    # From the fourth lookup on, rows come from the index of element sets: built on no rows.
    table = EntryTable.from_records([], [], {"name": "empty", "energy_kind": "formation"})
    assert [table.rows_within(["Li", "O"]).tolist() for _ in range(5)] == [[]] * 5


def test_a_composition_amount_must_be_a_finite_number():
    from stability.errors import DataError

    with pytest.raises(DataError, match="not a finite number"):
        EntryTable.from_records(
            [{"Li": 2.0, "O": 1.0}, {"Li": float("nan"), "O": 1.0}],
            [-2.0, -1.0],
            {"name": "bad", "energy_kind": "total"},
        )
