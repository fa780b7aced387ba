"""The solids' energies air reactions read, on the gases' scale (the elements' 298 K
enthalpies at 0): 0 K formation enthalpies, and at a temperature G(T) where the dataset has
structures.

A formation-energy dataset is read as it is; a total-energy one (``mp2022_hull``, the MP
entry files, pulled MP data) as formation energies against its own lowest elemental phases.
Where rows carry a structure (a volume per atom), a solid takes Bartel's G^delta(T), as
pymatgen's ``GibbsComputedStructureEntry`` does, at every temperature of the air (at least
300 K, the descriptor's lowest; the gases' tables start there too): on the gases' scale
dH_f + G^delta(T), which holds the solid's own entropy, and an element its G(T) - H(298 K).
Rows without a structure keep their 0 K formation energies, and every output says which.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from stability.entries.table import EntryTable
from stability.thermo.temperature import (
    T_MIN_K,
    element_gibbs_per_atom,
    formation_table,
    table_at_temperature,
)


@dataclass(frozen=True)
class Solids:
    """A dataset's solids at a temperature, for air reactions.

    Attributes
    ----------
    table : EntryTable
        0 K formation energies per atom (rows with one).
    shift : numpy.ndarray
        eV/atom added to each row at the temperature: dG_f(T) - dH_f + sum x_i G_i(T) for
        rows with a structure, 0 for the others.
    moved, kept : int
        Rows given G(T), and compounds that keep 0 K energies.
    key : str
        Names the dataset and temperature for caches.
    note : str
        One plain line on what the temperature did to the solids.
    """

    table: EntryTable
    shift: np.ndarray
    moved: int
    kept: int
    key: str
    note: str


_MEMO: dict[tuple[str, float], Solids] = {}


def solids_at(table: EntryTable, temperature_K: float) -> Solids:
    """``table``'s solids at ``temperature_K`` (module docstring), remembered."""
    memo_key = (table.fingerprint, float(temperature_K))
    if memo_key not in _MEMO:
        if len(_MEMO) > 16:
            _MEMO.clear()
        _MEMO[memo_key] = _solids_at(table, float(temperature_K))
    return _MEMO[memo_key]


def _solids_at(table: EntryTable, temperature_K: float) -> Solids:
    base = formation_table(table)
    volume = np.asarray(base.volume_per_atom, dtype=float)
    compounds = np.diff(base.indptr) > 1
    if not np.isfinite(volume).any():
        note = f"solids: 0 K formation energies ({table.name} has no structures, so no G^delta(T))"
        return Solids(base, np.zeros(len(base)), 0, int(compounds.sum()), base.fingerprint, note)
    t = max(temperature_K, T_MIN_K)
    hot = table_at_temperature(base, t).table
    scale = element_gibbs_per_atom(base, t)
    moved = np.isfinite(volume) & np.isfinite(scale)
    shift = np.where(moved, hot.energy_per_atom - base.energy_per_atom + scale, 0.0)
    kept = int((compounds & ~moved).sum())
    note = (
        f"solids: G^delta(T) (Bartel 2018) at {t:g} K for {int(moved.sum())} phases with structures"
    )
    if kept:
        note += f"; {kept} compounds without structures keep their 0 K energies"
    return Solids(base, shift, int(moved.sum()), kept, f"{base.fingerprint}@{t:g}", note)
