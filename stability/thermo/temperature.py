"""A dataset's energies at a temperature, as pymatgen's ``GibbsComputedStructureEntry``.

At temperature T (300-2000 K) every energy becomes a formation free energy per atom relative
to the elements in their standard states at T (so every element sits at 0 and voltages are
against the ion's metal at T):

- a compound with a structure (``EntryTable.volume_per_atom`` known) takes Bartel et al.'s
  descriptor (Nat. Commun. 9, 4168 (2018), Eq. 4), as ``GibbsComputedStructureEntry.gf_sisso``:

      dG_f(T) = dH_f + G^delta(T) - sum_i x_i G_i(T),
      G^delta(T) = (-2.48e-4 ln V - 8.94e-5 m / V) T + 0.181 ln T - 0.882   (eV/atom),

  with V the volume per atom (Å^3), m the reduced mass (amu, Eq. 6), G_i(T) the elements'
  Gibbs energies (pymatgen's ``g_els.json``, interpolated linearly between its 100 K points)
  and dH_f the 0 K formation enthalpy: the dataset's formation energy, or for a total-energy
  dataset (the MP entry files, pulled MP data) its energy against the dataset's own lowest
  elemental phases, as ``GibbsComputedStructureEntry.from_pd`` takes it from the T = 0 phase
  diagram;
- a compound with a structure whose formula is a NIST-JANAF gas (CO2, H2O, NH3, ...;
  pymatgen's ``nist_gas_gf.json``) takes the tabulated dG_f(T), as pymatgen does;
- an element's lowest phase is 0; its other polymorphs keep their 0 K energy above it
  (``from_pd`` leaves them out; above the hull either way); a formation-energy dataset's
  elemental rows keep their energies;
- a compound without a structure keeps its 0 K formation energy. A dataset without any
  structure (every CSV snapshot, e.g. mp2019_ground_states) so gives the 0 K answer, which
  :func:`temperature_note` says plainly.

G^delta is a fitted descriptor (about 0.05 eV/atom mean absolute error against experiment,
Bartel 2018) for ordered solids; it knows nothing of melting, disorder or defects.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, replace
from functools import cache
from typing import TYPE_CHECKING, Any

import numpy as np

from stability.entries.table import FORMATION, EntryTable
from stability.errors import StabilityError
from stability.files import pymatgen_data

if TYPE_CHECKING:
    from stability.thermo.base import Engine

#: The range of the descriptor and of the tables (K), as ``GibbsComputedStructureEntry``.
T_MIN_K, T_MAX_K = 300.0, 2000.0


def check_temperature(temperature_K: float) -> float:
    """``temperature_K`` as a float, or a one-line StabilityError outside 300-2000 K."""
    try:
        t = float(temperature_K)
    except (TypeError, ValueError):
        raise StabilityError(
            f"temperature must be a number of kelvin, got {temperature_K!r}"
        ) from None
    if not T_MIN_K <= t <= T_MAX_K:
        raise StabilityError(
            f"temperature must be within {T_MIN_K:g} and {T_MAX_K:g} K (the range of Bartel's "
            f"G^delta(T) and the NIST-JANAF tables), got {t:g} K"
        )
    return t


@dataclass(frozen=True)
class TemperatureTable:
    """A dataset at a temperature and what moved: made by :func:`table_at_temperature`.

    Attributes
    ----------
    table : EntryTable
        Formation free energies per atom at ``temperature_K`` (``energy_kind`` "formation";
        ``meta["temperature_K"]`` and ``meta["temperature_rows"]`` hold the counts below).
        Reported hull distances and MP2020 correction columns are NaN (they are 0 K facts).
    temperature_K : float
        The temperature (K).
    solids : int
        Compounds given G^delta(T) from their structures.
    gases : int
        Compounds given NIST-JANAF free energies (gas formulas, with a structure).
    elements : int
        Elemental rows (their lowest phase at 0; other polymorphs keep their 0 K height).
    zero_kelvin : int
        Compounds without a structure (or with an element pymatgen has no G_i(T) for) that
        keep their 0 K formation energies.
    dropped : int
        Rows of a total-energy dataset left out for want of an elemental phase of one of
        their elements (no formation energy exists).
    """

    table: EntryTable
    temperature_K: float
    solids: int
    gases: int
    elements: int
    zero_kelvin: int
    dropped: int = 0

    @property
    def note(self) -> str:
        """One line for headers (:func:`temperature_note`)."""
        return temperature_note(self.table) or ""


@cache
def gibbs_tables() -> tuple[dict[str, dict[str, float]], dict[str, dict[str, float]]]:
    """(g_els by temperature, NIST-JANAF gases by pymatgen integer formula): pymatgen's
    ``core/data/g_els.json`` and ``nist_gas_gf.json``, the tables ``GibbsComputedStructureEntry``
    reads (its module ships the same bytes), read without importing that module (seconds)."""
    tables = []
    for name in ("g_els.json", "nist_gas_gf.json"):
        with open(pymatgen_data("core", "data", name), "rb") as fh:
            tables.append(json.load(fh))
    return tables[0], tables[1]


def _interp(points: dict[str, float], t: float) -> float:
    xs = np.array([float(k) for k in points])
    ys = np.array(list(points.values()), dtype=float)
    order = np.argsort(xs)
    return float(np.interp(t, xs[order], ys[order]))


@cache
def element_gibbs(element: str, temperature_K: float) -> float | None:
    """G_i(T) of an element (eV/atom, pymatgen's ``g_els.json``, linear between its
    points); None when the table has no value for it."""
    g_elems, _ = gibbs_tables()
    points = {t: row[element] for t, row in g_elems.items() if element in row}
    if len(points) != len(g_elems):
        return None
    return _interp(points, temperature_K)


@cache
def _gas_element_sets() -> frozenset[frozenset[str]]:
    from pymatgen.core import Composition

    _, g_gases = gibbs_tables()
    return frozenset(frozenset(str(e) for e in Composition(f).elements) for f in g_gases)


def gas_gibbs_per_atom(composition: dict[str, float], temperature_K: float) -> float | None:
    """The NIST-JANAF formation free energy per atom (eV) of a composition that pymatgen
    reads as a gas (its integer formula is in ``nist_gas_gf.json``); None otherwise."""
    if frozenset(composition) not in _gas_element_sets():
        return None
    from pymatgen.core import Composition

    comp = Composition(composition)
    formula, factor = comp.get_integer_formula_and_factor()
    _, g_gases = gibbs_tables()
    if formula not in g_gases:
        return None
    return _interp(g_gases[formula], temperature_K) * factor / comp.num_atoms


@cache
def _mass(element: str) -> float:
    from pymatgen.core import Composition

    return float(Composition(element).weight)


def reduced_mass(composition: dict[str, float]) -> float:
    """Bartel's reduced mass (amu, Eq. 6), as ``GibbsComputedStructureEntry._reduced_mass``:
    sum over element pairs of (a_i + a_j) m_i m_j / (m_i + m_j), over (n - 1) atoms."""
    items = list(composition.items())
    total = sum(a for _, a in items)
    mass_sum = 0.0
    for k, (el_i, a_i) in enumerate(items):
        for el_j, a_j in items[k + 1 :]:
            m_i, m_j = _mass(el_i), _mass(el_j)
            mass_sum += (a_i + a_j) * m_i * m_j / (m_i + m_j)
    return mass_sum / ((len(items) - 1) * total)


def g_delta(volume_per_atom: float, reduced_mass_amu: float, temperature_K: float) -> float:
    """Bartel's G^delta(T) (eV/atom, Eq. 4), as ``GibbsComputedStructureEntry._g_delta_sisso``."""
    v, t = volume_per_atom, temperature_K
    return (-2.48e-4 * np.log(v) - 8.94e-5 * reduced_mass_amu / v) * t + 0.181 * np.log(t) - 0.882


def formation_enthalpies(table: EntryTable) -> tuple[np.ndarray, np.ndarray]:
    """(0 K formation energy per atom of every row, whether it has one). A formation-energy
    dataset's own; a total-energy dataset's against its lowest elemental phase of each
    element (pymatgen's ``PhaseDiagram.el_refs``); rows with an element that has no
    elemental phase have none."""
    energies = np.asarray(table.energy_per_atom, dtype=float)
    if table.energy_kind == FORMATION:
        return energies.copy(), np.ones(len(table), dtype=bool)
    counts = np.diff(table.indptr)
    natoms = table.natoms()
    row_of = np.repeat(np.arange(len(table)), counts)
    elemental = (counts == 1) & (natoms > 0)
    refs = np.full(len(table.elements), np.inf)
    el_rows = np.flatnonzero(elemental)
    np.minimum.at(refs, table.indices[table.indptr[el_rows]], energies[el_rows])
    known = np.isfinite(refs)
    term = table.amounts * np.where(known, refs, 0.0)[table.indices]
    reference = np.bincount(row_of, weights=term, minlength=len(table)) / np.where(
        natoms > 0, natoms, 1.0
    )
    has = np.ones(len(table), dtype=bool)
    missing = ~known[table.indices]
    has[np.unique(row_of[missing])] = False
    return energies - reference, has


def element_gibbs_per_atom(table: EntryTable, temperature_K: float) -> np.ndarray:
    """Per row, sum_i x_i G_i(T) of its elements (eV/atom; NaN where pymatgen has no G_i).

    Added to a formation free energy at T (:func:`table_at_temperature`) it puts the row on
    the scale of ``stability.analysis.air.gases`` (the elements' 298 K enthalpies at 0):
    dH_f + G^delta(T) for a solid, the NIST-JANAF G(T) of the molecule per atom for a gas.
    """
    t = check_temperature(temperature_K)
    per_element = np.array(
        [np.nan if (g := element_gibbs(el, t)) is None else g for el in table.elements]
    )
    counts = np.diff(table.indptr)
    row_of = np.repeat(np.arange(len(table)), counts)
    natoms = table.natoms()
    total = np.bincount(
        row_of, weights=table.amounts * per_element[table.indices], minlength=len(table)
    )
    return total / np.where(natoms > 0, natoms, 1.0)


def table_at_temperature(table: EntryTable, temperature_K: float) -> TemperatureTable:
    """``table``'s energies at ``temperature_K`` (module docstring), and what moved.

    Parameters
    ----------
    table : EntryTable
        Any dataset; only rows with ``volume_per_atom`` (entries with structures) move.
    temperature_K : float
        300-2000 K.

    Returns
    -------
    TemperatureTable
        The new table (formation free energies per atom at T) with the counts of rows given
        G^delta(T), NIST gas values and 0 K energies. On the scale of the air module's gas
        chemical potentials (elements' 298 K enthalpies at 0), a row's energy is its energy
        here plus :func:`element_gibbs_per_atom`.

    Raises
    ------
    StabilityError
        A temperature outside 300-2000 K, or a table already at a temperature.

    Examples
    --------
    >>> import stability
    >>> from stability.thermo.temperature import table_at_temperature
    >>> hot = table_at_temperature(stability.load_dataset(), 1000)
    >>> hot.solids, hot.zero_kelvin == len(hot.table)  # the CSV snapshots have no structures
    (0, True)
    """
    t = check_temperature(temperature_K)
    if table.meta.get("temperature_K") is not None:
        raise StabilityError(
            f"dataset {table.name} is already at {table.meta['temperature_K']:g} K"
        )
    # Elements: a total-energy dataset's lowest phase of each exactly at 0 (pymatgen: its
    # reference, energy 0 at any T), the others at their 0 K height above it; a formation-
    # energy dataset's keep their energies (its implicit elements are at 0, as at 0 K).
    base = formation_table(table)
    dropped = len(table) - len(base)
    enthalpy = np.asarray(base.energy_per_atom, dtype=float)
    energy = enthalpy.copy()
    counts = np.diff(base.indptr)
    volume = np.asarray(base.volume_per_atom, dtype=float)
    elemental = counts == 1
    solids = gases = zero_kelvin = 0
    for i in np.flatnonzero(~elemental):
        if not np.isfinite(volume[i]):
            zero_kelvin += 1
            continue
        comp = base.row_composition(int(i))
        gas = gas_gibbs_per_atom(comp, t)
        if gas is not None:
            energy[i] = gas
            gases += 1
            continue
        natoms = sum(comp.values())
        gels = [element_gibbs(el, t) for el in comp]
        if any(g is None for g in gels):
            zero_kelvin += 1
            continue
        sum_g = sum(a * g for a, g in zip(comp.values(), gels, strict=True)) / natoms
        energy[i] = enthalpy[i] + g_delta(float(volume[i]), reduced_mass(comp), t) - sum_g
        solids += 1
    rows = {
        "solids": solids,
        "gases": gases,
        "elements": int(elemental.sum()),
        "zero_kelvin": zero_kelvin,
        "dropped": dropped,
    }
    nan = np.full(len(base), np.nan)
    hot = replace(
        base,
        energy_per_atom=energy,
        uncorrected_energy_per_atom=nan,
        correction_per_atom=nan.copy(),
        correction_uncertainty_per_atom=nan.copy(),
        reported_hull_distance=nan.copy(),
        meta={
            **base.meta,
            "energy_kind": FORMATION,
            "temperature_K": t,
            "temperature_rows": rows,
            "zero_kelvin_energy_kind": table.energy_kind,
        },
    )
    return TemperatureTable(hot, t, **rows)


def formation_table(table: EntryTable) -> EntryTable:
    """``table`` as 0 K formation energies per atom: itself when it holds them, else a
    total-energy dataset against its own lowest elemental phases (``formation_enthalpies``),
    rows with an element that has none left out. Volumes and names are kept."""
    if table.energy_kind == FORMATION:
        return table
    enthalpy, has = formation_enthalpies(table)
    kept = _compact(table.take(has)) if not has.all() else table
    nan = np.full(len(kept), np.nan)
    return replace(
        kept,
        energy_per_atom=enthalpy[has],
        uncorrected_energy_per_atom=nan,
        correction_per_atom=nan.copy(),
        correction_uncertainty_per_atom=nan.copy(),
        reported_hull_distance=nan.copy(),
        meta={**kept.meta, "energy_kind": FORMATION, "zero_kelvin_energy_kind": table.energy_kind},
    )


def _compact(table: EntryTable) -> EntryTable:
    """``table`` with only the elements its rows hold (after rows were left out)."""
    used = np.unique(table.indices)
    if len(used) == len(table.elements):
        return table
    new = np.full(len(table.elements), -1, dtype=np.int32)
    new[used] = np.arange(len(used), dtype=np.int32)
    return replace(
        table,
        elements=tuple(table.elements[k] for k in used),
        indices=new[table.indices],
    )


def temperature_of(table: EntryTable) -> float | None:
    """The temperature (K) a table's energies are at; None: the dataset's 0 K energies."""
    t = table.meta.get("temperature_K")
    return None if t is None else float(t)


def temperature_note(table: EntryTable) -> str | None:
    """One plain line on what a temperature did to ``table`` (None: no temperature).

    Says how many compounds took G^delta(T) and NIST-JANAF values, and plainly when solids
    keep 0 K energies (every one of them, when the dataset has no structures: the answer is
    then the 0 K one)."""
    t = temperature_of(table)
    if t is None:
        return None
    rows: dict[str, Any] = table.meta.get("temperature_rows") or {}
    solids, gases = int(rows.get("solids", 0)), int(rows.get("gases", 0))
    cold, dropped = int(rows.get("zero_kelvin", 0)), int(rows.get("dropped", 0))
    if solids == 0 and gases == 0:
        return (
            f"{t:g} K: {table.name} has no structures, so every solid keeps its 0 K energy "
            "(no G^delta(T)): this is the 0 K answer"
        )
    parts = [f"{t:g} K: G^delta(T) (Bartel 2018) for {solids} solids with structures"]
    if gases:
        parts.append(f"NIST-JANAF for {gases} gases")
    parts.append("elements at T")
    line = ", ".join(parts)
    if cold:
        line += f"; {cold} compounds without structures keep their 0 K energies"
    if dropped:
        line += f"; {dropped} rows without an elemental phase left out"
    return line


def engine_at_temperature(engine: Engine, temperature_K: float) -> Engine:
    """An engine of the same kind over ``engine``'s dataset at ``temperature_K``
    (:func:`table_at_temperature`), leaving out what ``engine`` leaves out; built once per
    engine and temperature.

    Examples
    --------
    >>> import stability
    >>> from stability.thermo.temperature import engine_at_temperature, temperature_of
    >>> hot = engine_at_temperature(stability.make_engine(stability.load_dataset()), 800)
    >>> temperature_of(hot.table)
    800.0
    """
    t = check_temperature(temperature_K)
    if temperature_of(engine.table) is not None:
        if temperature_of(engine.table) == t:
            return engine
        raise StabilityError(
            f"the engine's dataset is already at {temperature_of(engine.table):g} K"
        )
    built: dict[float, Engine] = engine.__dict__.setdefault("_at_temperature", {})
    if t not in built:
        built[t] = type(engine)(table_at_temperature(engine.table, t).table, engine.leave_out)
    return built[t]


__all__ = [
    "T_MAX_K",
    "T_MIN_K",
    "TemperatureTable",
    "check_temperature",
    "element_gibbs_per_atom",
    "engine_at_temperature",
    "g_delta",
    "reduced_mass",
    "table_at_temperature",
    "temperature_note",
    "temperature_of",
]
