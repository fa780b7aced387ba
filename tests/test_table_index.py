"""Rows of a chemical system by element-set lookup equal a scan of every row."""

from __future__ import annotations

import numpy as np

from stability.entries.table import EntryTable


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
