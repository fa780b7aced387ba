"""Correction uncertainties: decoding, a hand-computed case, and brute force with pymatgen."""

from __future__ import annotations

import numpy as np
import pytest
from pymatgen.analysis.phase_diagram import PDEntry
from pymatgen.core import Composition

from stability.analysis.uncertainty.mp2020 import (
    SEED,
    sampled_systems,
    window_limits,
    window_spread,
)
from stability.entries.corrections import mp2020_species, system_corrections
from stability.entries.table import TOTAL, EntryTable
from stability.errors import StabilityError
from stability.thermo.engines import make_engine
from stability.thermo.fast import FastSystem

from . import oracle
from .conftest import shared_file

SPECIES = mp2020_species()


def corrected_table(rows: list[tuple[str, float, dict[str, float]]]) -> EntryTable:
    """Entries (formula, uncorrected eV/atom, {species: count per formula unit}) with MP2020
    corrections and uncertainties summed as MP stores them."""
    comps, energies, corr, unc = [], [], [], []
    for formula, e_unc, species in rows:
        comp = {str(el): float(a) for el, a in Composition(formula).items()}
        natoms = sum(comp.values())
        c = sum(SPECIES.values[SPECIES.index(s)] * n for s, n in species.items())
        u = np.sqrt(sum((SPECIES.sigmas[SPECIES.index(s)] * n) ** 2 for s, n in species.items()))
        comps.append(comp)
        energies.append(e_unc + c / natoms)
        corr.append(c / natoms)
        unc.append(u / natoms if species else 0.0)
    return EntryTable.from_records(
        comps,
        energies,
        {"name": "synthetic", "energy_kind": TOTAL},
        correction_per_atom=corr,
        correction_uncertainty_per_atom=unc,
        uncorrected_energy_per_atom=[e for _, e, _ in rows],
    )


LI_N = [("Li", -1.9, {}), ("N2", -8.3, {}), ("Li3N", -4.0, {"N": 1.0}), ("LiN3", -7.6, {"N": 3.0})]


def test_decoding_recovers_species():
    table = corrected_table(
        [
            ("Li", -1.9, {}),
            ("O2", -4.9, {}),
            ("Co", -7.1, {}),
            ("Li2O", -4.8, {"oxide": 1}),
            ("Li2O2", -4.5, {"peroxide": 2}),
            ("LiCoO2", -5.8, {"oxide": 2, "U:Co:O": 1}),
        ]
    )
    sc = system_corrections(table, np.arange(len(table)))
    assert sc.undecoded == 0
    licoo2 = sc.counts[5]
    assert licoo2[SPECIES.index("oxide")] == pytest.approx(2 / 4)
    assert licoo2[SPECIES.index("U:Co:O")] == pytest.approx(1 / 4)
    assert sc.counts[4][SPECIES.index("peroxide")] == pytest.approx(2 / 4)
    assert sc.counts[4][SPECIES.index("oxide")] == 0


def test_hand_computed_li3n():
    """Li3N -> 3 Li + 1/2 N2: V_ox = -dG/3, and only Li3N's one N correction moves dG, so
    sigma(V_ox) = sigma_N / 3 (0.0093 / 3 = 3.1 mV); Li3N is stable against Li: 0 V, exact."""
    table = corrected_table(LI_N[:3])
    spread = window_spread(make_engine(table), "Li3N", draws=4000)
    sigma_n = SPECIES.sigmas[SPECIES.index("N")]
    assert spread.oxidation.std == pytest.approx(sigma_n / 3, rel=0.05)
    assert spread.reduction.std == 0.0
    assert spread.oxidation.hi95 - spread.oxidation.lo95 == pytest.approx(
        2 * 1.96 * sigma_n / 3, rel=0.08
    )


def test_shared_species_cancel():
    """With LiN3 present, Li3N oxidises to LiN3: both carry the N correction per N atom, so
    the error of dG is sigma_N * (1 - 3 * 1/3 * ...) per reaction: recomputed, not assumed."""
    table = corrected_table(LI_N)
    spread = window_spread(make_engine(table), "Li3N", draws=2000)
    # Li3N -> 1/3 LiN3 + 8/3 Li: N atoms: 1 on each side, so the N error cancels exactly.
    assert spread.oxidation.std < 1e-9


def test_brute_force_with_pymatgen_same_draws():
    """Each draw, rebuilt from scratch with pymatgen on independently shifted entries, gives
    the same limits as ours: so the spread is the sampling's, not an artefact of the engine."""
    rows = [
        ("Li", -1.9, {}),
        ("N2", -8.3, {}),
        ("Cl2", -1.8, {}),
        ("Li3N", -4.0, {"N": 1}),
        ("LiCl", -3.6, {"Cl": 1}),
        ("Li4NCl", -3.9, {"N": 1, "Cl": 1}),
        ("NCl3", -1.9, {"Cl": 3}),
        ("Li5NCl2", -3.75, {"N": 1, "Cl": 2}),
    ]
    table = corrected_table(rows)
    draws = 60
    ours = [
        window_limits(FastSystem(d), {"Li": 9, "N": 2, "Cl": 3})
        for d in sampled_systems(table, {"Li", "N", "Cl"}, draws, SEED)
    ]
    # Brute force: the same species draws, applied entry by entry, pymatgen from scratch.
    deltas = (
        np.random.default_rng(SEED).standard_normal((draws, len(SPECIES.names))) * SPECIES.sigmas
    )
    for d in range(draws):
        entries = []
        for formula, e_unc, species in rows:
            comp = Composition(formula)
            total = e_unc * comp.num_atoms + sum(
                (SPECIES.values[SPECIES.index(s)] + deltas[d, SPECIES.index(s)]) * n
                for s, n in species.items()
            )
            entries.append(PDEntry(comp, total))
        expected = oracle.window(entries, "Li9N2Cl3")
        assert ours[d][0] == pytest.approx(expected["reduction_limit_V"], abs=1e-3)
        assert ours[d][1] == pytest.approx(expected["oxidation_limit_V"], abs=1e-3)
    assert np.std([o[1] for o in ours]) > 1e-4  # the draws really moved the limit


def test_mp2019_has_no_uncertainties(mp2019):
    with pytest.raises(StabilityError, match="no correction uncertainties"):
        window_spread(make_engine(mp2019), "Li3N")


def test_mp2022_li3n_spread():
    from stability.entries.load import load_dataset

    engine = make_engine(load_dataset(shared_file("mp2022_hull.csv.gz")))
    spread = window_spread(engine, "Li3N")
    assert spread.oxidation.std == pytest.approx(SPECIES.sigmas[SPECIES.index("N")] / 3, rel=0.15)
