"""Select the entries of one chemical system from a dataset, as arrays or pymatgen entries."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace
from functools import cached_property
from typing import TYPE_CHECKING

import numpy as np

from stability.entries.table import FORMATION, EntryTable
from stability.errors import MissingDataError

if TYPE_CHECKING:
    from pymatgen.analysis.phase_diagram import PDEntry


@dataclass(frozen=True)
class SystemData:
    """The entries of a chemical system as dense arrays.

    ``amounts`` is (n, k) atoms per formula unit over ``elements``; ``energy_per_atom`` is in
    eV/atom on the dataset's energy scale; ``rows`` index the dataset (-1: implicit element).
    ``hull_distance``: each row's energy above the hull as the dataset reports it (eV/atom,
    NaN where unknown), a hint that lets the hull leave out phases far above it (checked
    there); None once the energies or rows differ from the dataset's.
    """

    elements: tuple[str, ...]
    amounts: np.ndarray
    energy_per_atom: np.ndarray
    formula: np.ndarray
    material_id: np.ndarray
    rows: np.ndarray
    hull_distance: np.ndarray | None = None

    @cached_property
    def fractions(self) -> np.ndarray:
        return self.amounts / self.amounts.sum(axis=1, keepdims=True)

    def label(self, i: int) -> str:
        return str(self.material_id[i] or self.formula[i])

    def take(self, keep: np.ndarray, hull_distance: np.ndarray | None) -> SystemData:
        """The rows ``keep`` (a mask or indices) with ``hull_distance`` for them (None once
        the remaining rows' distances are no longer the dataset's)."""
        return replace(
            self,
            amounts=self.amounts[keep],
            energy_per_atom=self.energy_per_atom[keep],
            formula=self.formula[keep],
            material_id=self.material_id[keep],
            rows=self.rows[keep],
            hull_distance=hull_distance,
        )


def chemsys_key(elements: Iterable[str]) -> tuple[str, ...]:
    return tuple(sorted(set(elements)))


def select_system(table: EntryTable, elements: Iterable[str]) -> SystemData:
    """Return every entry of ``table`` made only of ``elements``.

    Formation-energy datasets leave elements implicit at 0 eV/atom, so those are added here;
    a total-energy dataset without an element's own entry cannot place that element.
    """
    els = chemsys_key(elements)
    index = table.element_index
    missing = [el for el in els if el not in index]
    if missing and table.energy_kind != FORMATION:
        raise MissingDataError(f"dataset {table.name} has no entries with {', '.join(missing)}")
    rows = table.rows_within(els)
    # Gathered straight from the CSR columns (no sub-table: this runs once per system).
    gather, counts = table.entry_positions(rows)
    # The system column of each table element (-1: not in the system; none is gathered).
    column_of = np.full(len(table.elements), -1, dtype=np.int64)
    present = [k for k, el in enumerate(els) if el in index]
    column_of[np.array([index[els[k]] for k in present], dtype=np.int64)] = present
    cols = column_of[table.indices[gather]]
    amounts = table.amounts[gather]
    row_of = np.repeat(np.arange(len(rows)), counts)
    # Elements with an elemental row here (one positive amount); the others are added below,
    # in the same array (a formation-energy dataset may have no elemental rows at all).
    positive = amounts > 0
    single = np.bincount(row_of[positive], minlength=len(rows)) == 1
    have = np.zeros(len(els), dtype=bool)
    have[cols[positive & single[row_of]]] = True
    absent = (~have).nonzero()[0]
    if absent.size and table.energy_kind != FORMATION:
        names = ", ".join(els[k] for k in absent)
        raise MissingDataError(f"dataset {table.name} has no elemental entry for {names}")
    dense = np.zeros((len(rows) + absent.size, len(els)))
    dense[row_of, cols] = amounts
    dense[len(rows) + np.arange(absent.size), absent] = 1.0
    energies = table.energy_per_atom[rows]
    formulas, ids = table.formula[rows], table.material_id[rows]
    distance = table.reported_hull_distance[rows]
    if absent.size:
        names = [els[k] for k in absent]
        energies = np.concatenate([energies, np.zeros(absent.size)])
        formulas = np.concatenate([formulas, np.array(names, dtype=str)])
        ids = np.concatenate([ids, np.full(absent.size, "", dtype=str)])
        rows = np.concatenate([rows, np.full(absent.size, -1)])
        distance = np.concatenate([distance, np.full(absent.size, np.nan)])
    return SystemData(els, dense, np.asarray(energies, float), formulas, ids, rows, distance)


def pd_entries(system: SystemData) -> list[PDEntry]:
    """The system as pymatgen PDEntries (total energy per formula unit), for pymatgen's path."""
    from pymatgen.analysis.phase_diagram import PDEntry
    from pymatgen.core import Composition

    out = []
    for i in range(len(system.energy_per_atom)):
        comp = Composition(dict(zip(system.elements, system.amounts[i], strict=True)))
        comp = Composition({el: a for el, a in comp.items() if a > 0})
        entry = PDEntry(
            comp, float(system.energy_per_atom[i]) * comp.num_atoms, name=system.label(i)
        )
        entry.entry_id = system.label(i)
        out.append(entry)
    return out
