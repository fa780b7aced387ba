"""Decomposition energy against voltage, with Li open (Zhu, He & Mo, ACS AMI 7, 23685 (2015)),
or any working ion: for an ion of charge z, mu = -z eV and dn counts that ion (the formulas
below with Li read as the ion and eV as z eV).

At a voltage V (V vs Li/Li+, Li chemical potential mu_Li = -eV relative to Li metal) a
composition C with N atoms per formula unit exchanges Li with the reservoir and reaches the
phase equilibrium of lowest grand potential. Its decomposition energy is that equilibrium's
grand potential relative to C's own, per atom of C (as written, Li included):

    E_D(V) = [E_eq(C + dn Li) - E(C) - dn * mu_Li] / N = [E_eq(C + dn Li) - E(C) + dn * eV] / N

where dn is the Li taken up (+) or released (-) per formula unit, E_eq the hull energy of
the equilibrium phases and E(C) the composition's own energy: the dataset's lowest entry of
that composition, or its hull energy when the dataset has none (a placed composition). All
energies are on the dataset's scale (formation energies for the mp2019 snapshots: elements
at 0, so Li metal at 0). E_D <= 0; it is 0 inside the window of a hull phase and equals
minus the energy above the hull inside the window of a metastable one. This is Zhu 2015's
convention: the reaction energy of the SSE with the Li reservoir at mu_Li, normalised per
atom of the SSE (their Tables 2-3 list it at 0 V and 5 V). It equals pymatgen's
``GrandPotentialPhaseDiagram(entries, {Li: mu}).get_hull_energy`` of C's non-Li part minus
C's grand energy E(C) - n_Li mu, divided by N.

The minimum over dn is taken over the critical compositions of the Li profile (the grand
potential is the Legendre transform of the convex hull along the Li axis, so its minimum
sits at a kink), and the products are the phases of the profile step that holds at V.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from stability.analysis.materials.chemistry import Located, locate
from stability.analysis.materials.flags import flag_phases, flags_text
from stability.errors import StabilityError
from stability.ions import DEFAULT_ION, check_ion, ion_charge
from stability.thermo.base import Engine, ProfileStep

if TYPE_CHECKING:
    import pandas as pd


@dataclass(frozen=True)
class Decomposition:
    """The decomposition energy of one composition at one voltage.

    ``label`` is the material as given (a name, alias or formula), ``formula`` the composition
    computed, ``dataset`` the dataset's name.
    """

    label: str
    formula: str
    dataset: str
    voltage_V: float
    ion: str
    decomposition_energy_eV_per_atom: float
    products: list[str]
    ion_per_formula_unit: float
    energy_reference: str  # "own" (the dataset's entry) or "hull" (placed composition)
    #: Products worth a second look: ``{formula, reason}`` (``materials.flags``).
    flagged_products: list[dict[str, str]] = field(default_factory=list)

    def to_dict(self) -> dict:
        return {
            "label": self.label,
            "formula": self.formula,
            "ion": self.ion,
            "voltage_V": self.voltage_V,
            "decomposition_energy_eV_per_atom": self.decomposition_energy_eV_per_atom,
            "products": list(self.products),
            "flagged_products": [dict(f) for f in self.flagged_products],
            "ion_per_formula_unit": self.ion_per_formula_unit,
            "energy_reference": self.energy_reference,
            "dataset": self.dataset,
        }


#: Columns of ``DecompositionTable.to_dataframe`` (and keys of ``Decomposition.to_dict``).
DECOMPOSITION_COLUMNS = [
    "label",
    "formula",
    "ion",
    "voltage_V",
    "decomposition_energy_eV_per_atom",
    "products",
    "flagged_products",
    "ion_per_formula_unit",
    "energy_reference",
    "dataset",
]


@dataclass(frozen=True)
class DecompositionTable:
    """Decomposition energies of several compositions and voltages.

    Made by :func:`compute_decompositions`.

    Attributes
    ----------
    results : list of Decomposition
        One per composition and voltage, in input order: ``formula``, ``voltage_V``,
        ``decomposition_energy_eV_per_atom``, ``products``, ``ion_per_formula_unit`` and
        ``energy_reference``, as in ``to_dataframe``.
    errors : dict of str to str
        ``{formula: error}`` of the inputs that failed (with ``allow_errors``).

    Examples
    --------
    >>> import stability
    >>> engine = stability.make_engine(stability.load_dataset())
    >>> table = stability.compute_decompositions(engine, ["Li3N"], [0.0, 5.0])
    >>> [(r.voltage_V, round(r.decomposition_energy_eV_per_atom, 3)) for r in table.results]
    [(0.0, 0.0), (5.0, -3.289)]
    """

    results: list[Decomposition]
    #: {formula: error} of the inputs that failed (with ``allow_errors``).
    errors: dict[str, str] = field(default_factory=dict)

    def to_dataframe(self) -> pd.DataFrame:
        """One row per composition and voltage (the table ``stability decomposition`` writes).

        Returns
        -------
        pandas.DataFrame
            Columns: label (as given), formula (the composition computed), ion (the working
            ion), voltage_V (V vs the ion's metal), decomposition_energy_eV_per_atom (eV per
            atom of the composition; <= 0, negative = decomposes), products (";"-joined
            reduced formulas, the ion's metal left out), flagged_products (those worth a second
            look, ``formula (reason)`` ";"-joined), ion_per_formula_unit (the ion taken up (+)
            or released (-) per formula unit), energy_reference ("own": dataset entry, "hull":
            placed), dataset.

        Examples
        --------
        >>> import stability
        >>> engine = stability.make_engine(stability.load_dataset())
        >>> table = stability.compute_decompositions(engine, ["Li3PS4"], [0.0, 5.0])
        >>> table.to_dataframe()[["voltage_V", "products", "ion_per_formula_unit"]]
           voltage_V   products  ion_per_formula_unit
        0        0.0  Li2S;Li3P                   8.0
        1        5.0     P2S7;S                  -3.0
        """
        import pandas as pd

        rows = [
            {
                **r.to_dict(),
                "products": ";".join(r.products),
                "flagged_products": flags_text(r.flagged_products),
            }
            for r in self.results
        ]
        return pd.DataFrame(
            rows,
            columns=DECOMPOSITION_COLUMNS,
        )


def _step_energies(loc: Located, steps: list[ProfileStep], li: str) -> list[float]:
    """Hull energy (eV per formula unit of the composition) at each critical composition
    along the axis of ion ``li``."""
    out = []
    for step in steps:
        amounts = dict(loc.amounts)
        amounts[li] = amounts.get(li, 0.0) + step.ion_change
        atoms = sum(amounts.values())
        if amounts[li] < -1e-9 or atoms <= 0:
            raise StabilityError(f"profile of {loc.formula} left the composition space")
        amounts[li] = max(amounts[li], 0.0)
        if amounts[li] == 0.0:
            amounts.pop(li)
        out.append(loc.system.hull_point(amounts).hull_energy_per_atom * atoms)
    return out


def decomposition_energies(
    engine: Engine, formula: str, voltages: Sequence[float], *, ion: str = DEFAULT_ION
) -> list[Decomposition]:
    """Decomposition energy of ``formula`` at each voltage (V vs the metal of ``ion``; see
    the module docstring)."""
    for v in voltages:
        if not v == v or v in (float("inf"), float("-inf")):
            raise StabilityError(f"voltage {v} is not a finite number")
    ion = check_ion(ion)
    z = ion_charge(ion)
    loc = locate(engine, formula, need=ion)
    steps = loc.system.ion_profile(loc.amounts, ion)
    energies = _step_energies(loc, steps, ion)
    n_atoms = loc.composition.num_atoms
    hull_e = loc.hull.hull_energy_per_atom
    if loc.e_above_hull_eV_per_atom is None:
        own, reference = hull_e * n_atoms, "hull"
    else:
        own, reference = (hull_e + loc.e_above_hull_eV_per_atom) * n_atoms, "own"
    out = []
    for v in voltages:
        # Grand energy of each critical composition relative to the metal at mu = -z v.
        grand = [e + s.ion_change * z * v for e, s in zip(energies, steps, strict=True)]
        best = min(grand)
        held = max((i for i, s in enumerate(steps) if s.voltage_V <= v + 1e-12), default=0)
        out.append(
            Decomposition(
                label=loc.label,
                formula=loc.formula,
                dataset=engine.table.name,
                voltage_V=float(v),
                ion=ion,
                decomposition_energy_eV_per_atom=min(0.0, (best - own) / n_atoms),
                products=[p.formula for p in steps[held].phases],
                ion_per_formula_unit=steps[held].ion_change + 0.0,
                energy_reference=reference,
                flagged_products=flag_phases(engine.table, [p.formula for p in steps[held].phases]),
            )
        )
    return out


def compute_decompositions(
    engine: Engine,
    formulas: Iterable[str],
    voltages: Sequence[float],
    *,
    allow_errors: bool = False,
    ion: str = DEFAULT_ION,
) -> DecompositionTable:
    """Decomposition energies of every formula at every voltage; with ``allow_errors`` a
    failing formula is recorded in ``errors`` and the others are still computed.

    The energy is that of Zhu, He & Mo (2015) with Li open (see the module docstring of
    ``stability.analysis.windows.decomposition``): 0 inside the window of a hull phase,
    negative where the composition decomposes.

    Parameters
    ----------
    engine : Engine
        From :func:`stability.make_engine`.
    formulas : iterable of str
        Formulas, catalogue labels or aliases.
    voltages : sequence of float
        Voltages (V vs Li/Li+) at which to evaluate each formula.
    allow_errors : bool, default False
        Record a failing formula in ``errors`` instead of raising.
    ion : str, default "Li"
        The working ion open to its metal (as :func:`stability.compute_window`).

    Returns
    -------
    DecompositionTable
        One result per formula and voltage, formula-major.

    Raises
    ------
    StabilityError
        A formula failed (without ``allow_errors``), or a voltage is not finite.

    Examples
    --------
    >>> import stability
    >>> engine = stability.make_engine(stability.load_dataset())
    >>> table = stability.compute_decompositions(engine, ["Li3N", "Li3PS4"], [0.0])
    >>> [round(r.decomposition_energy_eV_per_atom, 3) for r in table.results]
    [0.0, -1.424]
    """
    from stability.analysis.runtime.batch import map_items

    items = list(formulas)
    per_item: list[list[Decomposition]] = [[] for _ in items]
    errors: dict[str, str] = {}
    for out in map_items(
        lambda f: decomposition_energies(engine, f, voltages, ion=ion),
        items,
        allow_errors=allow_errors,
    ):
        if out.ok:
            per_item[out.index] = out.value
        else:
            errors[str(items[out.index])] = out.error
    return DecompositionTable([r for rows in per_item for r in rows], errors)


def decomposition_curve(
    engine: Engine, formula: str, v_max: float = 5.0, *, ion: str = DEFAULT_ION
) -> DecompositionTable:
    """E_D from 0 V to ``v_max``, exactly: it is linear between critical voltages, so it is
    evaluated at 0 V, at every critical voltage in between, and at ``v_max``."""
    ion = check_ion(ion)
    loc = locate(engine, formula, need=ion)
    steps = loc.system.ion_profile(loc.amounts, ion)
    voltages = sorted({0.0, float(v_max)} | {s.voltage_V for s in steps if 0 < s.voltage_V < v_max})
    return DecompositionTable(decomposition_energies(engine, formula, voltages, ion=ion))
