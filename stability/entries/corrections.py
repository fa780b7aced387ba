"""Which fitted MP2020 corrections each entry carries, so their errors can be shared.

MP2020 corrects energies per species (an anion type, or a GGA/GGA+U mixing metal), with a
fitted uncertainty per species. An entry stores only the sums: its correction and its
correction uncertainty. Both are sums over the same species counts, so the species are
recovered by matching both sums against the candidate species the composition allows.
Entries that match no combination keep their own, uncorrelated, uncertainty.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import numpy as np

from stability.entries.table import EntryTable

U_METALS = ("V", "Cr", "Mn", "Fe", "Co", "Ni", "W", "Mo")
ANION_SPECIES = ("S", "F", "Cl", "Br", "I", "N", "Se", "Si", "Sb", "Te", "H")
OXIDE_TYPES = ("oxide", "peroxide", "superoxide", "ozonide")


@dataclass(frozen=True)
class Species:
    """The MP2020 correction species: names, values and 1-sigma uncertainties (eV/atom)."""

    names: tuple[str, ...]
    values: np.ndarray
    sigmas: np.ndarray

    def index(self, name: str) -> int:
        return self.names.index(name)


@cache
def mp2020_species() -> Species:
    """Read MP2020's corrections and uncertainties from pymatgen's own parameter file."""
    import yaml
    from pymatgen.entries import compatibility

    path = Path(compatibility.__file__).parent / "MP2020Compatibility.yaml"
    if not path.exists():  # newer pymatgen keeps it beside the analysis package
        import pymatgen.analysis.compatibility as alt

        path = Path(alt.__file__).parent / "MP2020Compatibility.yaml"
    cfg = yaml.safe_load(path.read_text())
    corr, unc = cfg["Corrections"], cfg["Uncertainties"]
    names, values, sigmas = [], [], []
    for name, value in corr["CompositionCorrections"].items():
        names.append(name)
        values.append(float(value))
        sigmas.append(float(unc["CompositionCorrections"][name]))
    for anion in ("O", "F"):
        for metal, value in corr["GGAUMixingCorrections"][anion].items():
            names.append(f"U:{metal}:{anion}")
            values.append(float(value))
            sigmas.append(float(unc["GGAUMixingCorrections"][anion][metal]))
    return Species(tuple(names), np.array(values), np.array(sigmas))


def _options(comp: dict[str, float], species: Species) -> list[list[tuple[int, float]]]:
    """Mutually exclusive choices (species index, count) per correction slot of ``comp``."""
    slots: list[list[tuple[int, float]]] = []
    if "O" in comp:
        slots.append([(-1, 0.0)] + [(species.index(t), comp["O"]) for t in OXIDE_TYPES])
    for el in ANION_SPECIES:
        if el in comp and el in species.names:
            slots.append([(-1, 0.0), (species.index(el), comp[el])])
    for metal in U_METALS:
        if metal in comp:
            choice = [(-1, 0.0)]
            for anion in ("O", "F"):
                if anion in comp:
                    choice.append((species.index(f"U:{metal}:{anion}"), comp[metal]))
            if len(choice) > 1:
                slots.append(choice)
    return slots


def decode(
    comp: dict[str, float], correction: float, uncertainty: float, species: Species
) -> dict[int, float] | None:
    """Species counts (per formula unit) whose sums give ``correction`` and ``uncertainty``.

    ``correction`` and ``uncertainty`` are per formula unit (eV). Returns None when no
    combination matches both within 1e-4 eV.
    """
    if abs(correction) < 1e-9:
        return {}
    tol = 1e-4 * max(1.0, abs(correction))
    for combo in itertools.product(*_options(comp, species)):
        picked = [(i, n) for i, n in combo if i >= 0]
        value = sum(species.values[i] * n for i, n in picked)
        if abs(value - correction) > tol:
            continue
        sigma = float(np.sqrt(sum((species.sigmas[i] * n) ** 2 for i, n in picked)))
        if np.isnan(uncertainty) or abs(sigma - uncertainty) <= max(1e-4, 1e-3 * uncertainty):
            return dict(picked)
    return None


@dataclass(frozen=True)
class SystemCorrections:
    """Correction counts of the rows of one system: ``counts`` (rows x columns) in atoms per
    atom of each row, ``sigmas`` (columns) in eV/atom. Columns are MP2020 species followed by
    one column per undecoded row (its own uncertainty, shared with nothing)."""

    counts: np.ndarray
    sigmas: np.ndarray
    names: tuple[str, ...]
    undecoded: int


def system_corrections(table: EntryTable, rows: np.ndarray) -> SystemCorrections:
    """Decode the corrections of dataset ``rows`` (-1: an implicit element, no correction)."""
    species = mp2020_species()
    n_sp = len(species.names)
    counts = np.zeros((len(rows), n_sp))
    extra_sigmas: list[float] = []
    extra_rows: list[int] = []
    for k, row in enumerate(rows):
        if row < 0:
            continue
        comp = table.row_composition(int(row))
        natoms = sum(comp.values())
        corr = float(table.correction_per_atom[row]) * natoms
        unc = float(table.correction_uncertainty_per_atom[row]) * natoms
        if np.isnan(corr) or abs(corr) < 1e-9:
            continue
        found = decode(comp, corr, unc, species)
        if found is None:
            if not np.isnan(unc) and unc > 0:
                extra_rows.append(k)
                extra_sigmas.append(unc / natoms)
            continue
        for i, n in found.items():
            counts[k, i] = n / natoms
    extra = np.zeros((len(rows), len(extra_rows)))
    for j, k in enumerate(extra_rows):
        extra[k, j] = 1.0
    names = species.names + tuple(f"entry:{rows[k]}" for k in extra_rows)
    return SystemCorrections(
        np.hstack([counts, extra]),
        np.concatenate([species.sigmas, extra_sigmas]),
        names,
        len(extra_rows),
    )
