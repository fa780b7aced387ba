"""What a solid becomes in a gas: one reactant gas in excess (H2O, CO2, O2) or air as a
whole, with released gases at their own chemical potentials.

Candidates are the dataset's solid phases of the elements involved, less (i) the molecular
phases made only of hydrogen and non-metals (ice, acid hydrates such as H13ClO6, H3S), the
solid forms of modelled gases (CO2, SO2, ...) and the single-element phases of gaseous
elements (O2, N2, H2, F2, Cl2): gases stand for those; (ii) flagged phases (the products
flags) unless ``leave_out_flagged=False``. Hydroxides and carbonates take the experimental
corrections of :mod:`.corrections`. Every gas of :func:`.gases.gas_species` made of those
elements is a pseudo-phase at its chemical potential: the reactant gas at its partial
pressure, O2 (and N2, only with ``reactive_n2``: N2 is
inert, neither taken up nor released, by default) at their air pressures; H2 is not released
unless ``reactive_h2`` (water reduction, as Zhu & Mo's hydrolysis reactions assume), every other gas at ``released_ppm`` of 1 bar.
Energies are linear programs (the hull energy at a composition, or the grand potential with
the air's elements open), solved by :mod:`.equilibrium`.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import cache
from typing import TYPE_CHECKING

import numpy as np

from stability.analysis.air import equilibrium
from stability.analysis.air.corrections import fit_group_corrections
from stability.analysis.air.gases import (
    ELEMENT_GASES,
    KB_EV,
    ROOM_K,
    TOXIC,
    gas_mu,
    gas_species,
    h2o_pressure_pa,
)
from stability.analysis.air.solids import Solids, solids_at
from stability.errors import StabilityError
from stability.formula import reduced_formula_and_factor

if TYPE_CHECKING:
    import pandas as pd

    from stability.entries.table import EntryTable

NONMETALS = frozenset({"H", "B", "C", "N", "O", "F", "Si", "P", "S", "Cl", "Se", "Br", "I"})
REACTANT_GASES = ("H2O", "CO2", "O2")
#: Gases held at air's own partial pressures, not at --released-ppm.
AIR_GASES = frozenset({*REACTANT_GASES, "N2"})
AIR_BAR = 1.0e5  # Pa: air at 1 bar
N2_FRACTION = 0.78
#: Gas molecules offered per atom of the solid: "in excess".
EXCESS_PER_ATOM = 50.0


@dataclass(frozen=True)
class Conditions:
    """Temperature (K) and partial pressures (Pa) of the air the solid meets.

    Attributes
    ----------
    temperature_K : float
        Temperature of the gases (K; 0-2000).
    h2o_Pa : float
        H2O partial pressure (Pa; :func:`.gases.h2o_pressure_pa` from RH or a dew point).
    co2_ppm, o2_fraction : float
        CO2 (ppm of 1 bar) and O2 (fraction of 1 bar); N2 is 0.78 bar.
    released_ppm : float
        Partial pressure of released gases (ppm of 1 bar).
    reactive_n2, reactive_h2 : bool
        Let N2 react and H2 be released (both off by default).

    Examples
    --------
    >>> import stability
    >>> from stability.analysis.air import h2o_pressure_pa
    >>> dry = stability.AirConditions(h2o_Pa=h2o_pressure_pa(dew_point=-50))
    >>> round(dry.h2o_Pa, 2), round(dry.pressure_Pa("CO2"), 6), round(dry.mu("O2"), 3)
    (3.94, 42.0, -0.678)
    """

    temperature_K: float = ROOM_K
    h2o_Pa: float = field(default_factory=h2o_pressure_pa)
    co2_ppm: float = 420.0
    o2_fraction: float = 0.21
    released_ppm: float = 1.0
    reactive_n2: bool = False
    reactive_h2: bool = False

    def __post_init__(self) -> None:
        if not 0 < self.temperature_K <= 2000:
            raise StabilityError(
                f"--temperature must be within 0 and 2000 K, got {self.temperature_K:g}"
            )
        if not 0 < self.co2_ppm < 1e6:
            raise StabilityError(f"--co2-ppm must be positive and below 1e6, got {self.co2_ppm:g}")
        if not 0 < self.o2_fraction <= 1:
            raise StabilityError(f"--o2-fraction must be within 0 and 1, got {self.o2_fraction:g}")
        if not 0 < self.released_ppm < 1e6:
            raise StabilityError(f"--released-ppm must be positive, got {self.released_ppm:g}")

    def pressure_Pa(self, gas: str) -> float:
        """The partial pressure of ``gas`` (Pa): air's for H2O, CO2, O2, N2; else released."""
        return {
            "H2O": self.h2o_Pa,
            "CO2": self.co2_ppm * 1e-6 * AIR_BAR,
            "O2": self.o2_fraction * AIR_BAR,
            "N2": N2_FRACTION * AIR_BAR,
        }.get(gas, self.released_ppm * 1e-6 * AIR_BAR)

    def allows(self, gas: str) -> bool:
        """Whether ``gas`` may be taken up or released: N2 and H2 are inert unless told."""
        return {"N2": self.reactive_n2, "H2": self.reactive_h2}.get(gas, True)

    def mu(self, gas: str) -> float:
        return gas_mu(gas, self.temperature_K, self.pressure_Pa(gas))


@dataclass(frozen=True)
class AirReaction:
    """The reaction of one solid with one reactant gas in excess, or with air.

    ``reaction_energy_eV_per_reactant_gas``: eV per gas molecule consumed (for ``air``: per
    molecule of H2O + CO2 + O2 taken up, net); ``reaction_energy_meV_per_atom``: meV per atom
    of the reactants as written (solid and gas consumed). A single gas is a mixing line of
    the solid with the gas: the point most negative per atom of the mixture (pymatgen's
    ``InterfacialReactivity`` normalisation). Air is a grand potential with O, H and C
    (and N with ``reactive_n2``) open at the chemical potentials O2, H2O and CO2 set.
    """

    formula: str
    reactant_gas: str
    reaction_energy_eV_per_reactant_gas: float | None
    reaction_energy_meV_per_atom: float
    reaction_energy_eV_per_formula_unit: float
    products: list[str]
    released_gases: list[str]
    reaction: str
    temperature_K: float
    partial_pressure_Pa: float | None
    dataset: str
    left_out: list[str] = field(default_factory=list)
    release_limit_ppm: float | None = None
    temperature_note: str = ""

    KEYS = (
        "formula", "reactant_gas", "reaction_energy_eV_per_reactant_gas",
        "reaction_energy_meV_per_atom", "reaction_energy_eV_per_formula_unit", "products",
        "released_gases", "toxic_released_gases", "release_limit_ppm", "reaction",
        "temperature_K", "temperature_note", "partial_pressure_Pa", "dataset",
    )  # fmt: skip

    def to_dict(self) -> dict:
        """Keys: formula, reactant_gas, reaction_energy_eV_per_reactant_gas,
        reaction_energy_meV_per_atom, reaction_energy_eV_per_formula_unit (of the formula as
        given), products (list), released_gases (list), toxic_released_gases (list),
        release_limit_ppm (None when nothing is released), reaction, temperature_K,
        temperature_note (what the temperature did to the solids), partial_pressure_Pa (None
        for air), dataset."""

        def num(v: float | None) -> float | None:
            return None if v is None else float(v) + 0.0

        return {
            "formula": self.formula,
            "reactant_gas": self.reactant_gas,
            "reaction_energy_eV_per_reactant_gas": num(self.reaction_energy_eV_per_reactant_gas),
            "reaction_energy_meV_per_atom": num(self.reaction_energy_meV_per_atom),
            "reaction_energy_eV_per_formula_unit": num(self.reaction_energy_eV_per_formula_unit),
            "products": list(self.products),
            "released_gases": list(self.released_gases),
            "toxic_released_gases": [g for g in self.released_gases if g in TOXIC],
            "release_limit_ppm": num(self.release_limit_ppm),
            "reaction": self.reaction,
            "temperature_K": num(self.temperature_K),
            "temperature_note": self.temperature_note,
            "partial_pressure_Pa": num(self.partial_pressure_Pa),
            "dataset": self.dataset,
        }


@dataclass(frozen=True)
class AirTable:
    """Rows of :class:`AirReaction`, the formulas that failed (formula -> message), the
    flagged phases left out, and a note on reactant gases left out (``skipped``)."""

    results: list[AirReaction]
    errors: dict[str, str]
    left_out: list[str]
    #: Reactant gases the dataset cannot make, left out for every formula ("" if none).
    skipped: str = ""

    def to_dataframe(self) -> pd.DataFrame:
        """Columns: formula, reactant_gas, reaction_energy_eV_per_reactant_gas (eV per
        molecule), reaction_energy_meV_per_atom (meV/atom), reaction_energy_eV_per_formula_unit (eV
        per formula unit of the solid as given), products, released_gases,
        toxic_released_gases (';'-joined), release_limit_ppm (ppm of 1 bar), reaction,
        temperature_K (K), temperature_note, partial_pressure_Pa (Pa), dataset."""
        import pandas as pd

        rows = [r.to_dict() for r in self.results]
        for row in rows:
            for k in ("products", "released_gases", "toxic_released_gases"):
                row[k] = ";".join(row[k])
        return pd.DataFrame(rows, columns=list(AirReaction.KEYS))


# -- candidates ---------------------------------------------------------------------------


def _reduced(comp: dict[str, float]) -> tuple[str, float]:
    """(reduced formula, atoms per reduced formula unit)."""
    name, factor = reduced_formula_and_factor(comp)
    return name, sum(comp.values()) / factor


@cache
def _gas_formulas() -> frozenset[tuple[frozenset[str], str]]:
    return frozenset((frozenset(c), _reduced(c)[0]) for c in gas_species().values())


def _gas_left_out(comp: dict[str, float], formula: str) -> bool:
    els = {e for e, a in comp.items() if a > 0}
    if els <= NONMETALS and els & {"H", "C"} and els != {"C"}:
        return True  # molecular: ice, acid hydrates, H3S, solid CO2, COS
    if len(els) == 1 and next(iter(els)) in ELEMENT_GASES.values():
        return True
    return (frozenset(els), formula) in _gas_formulas()


#: Per dataset and temperature (``Solids.key``), per row: (reduced formula, atoms per
#: formula unit, composition, corrected energy per atom), or None for a row gases stand for.
#: Rows of common elements (Li, O, H, C) are met again by every formula of a catalogue.
_ROWS: dict[str, dict[int, tuple[str, float, dict[str, float], float] | None]] = {}


def _row(solids: Solids, i: int) -> tuple[str, float, dict[str, float], float] | None:
    if solids.key not in _ROWS and len(_ROWS) >= 16:
        _ROWS.clear()  # a temperature scan must not keep every temperature's rows
    memo = _ROWS.setdefault(solids.key, {})
    if i not in memo:
        table = solids.table
        comp = {e: a for e, a in table.row_composition(i).items() if a > 0}
        name, n_atoms = _reduced(comp)
        if _gas_left_out(comp, name):
            memo[i] = None
        else:
            corr = fit_group_corrections(table).correction_eV(comp) / sum(comp.values())
            energy = float(table.energy_per_atom[i]) + corr + float(solids.shift[i])
            memo[i] = (name, n_atoms, comp, energy)
    return memo[i]


_SOLIDS: dict[tuple, tuple[list[tuple[str, float, dict[str, float], float]], frozenset[str]]] = {}


def _solids(
    table: EntryTable,
    temperature_K: float,
    elements: frozenset[str],
    exclude: frozenset[str],
    leave_out_flagged: bool,
) -> tuple[list[tuple[str, float, dict[str, float], float]], frozenset[str]]:
    """The solid candidates of ``elements`` (name, atoms, composition, eV/atom), lowest per
    formula, and the flagged formulas left out; remembered per dataset and element set."""
    solids = solids_at(table, temperature_K)
    key = (solids.key, elements, exclude, leave_out_flagged)
    if key not in _SOLIDS:
        if len(_SOLIDS) > 512:
            _SOLIDS.clear()
        _SOLIDS[key] = _build_solids(table, solids, elements, exclude, leave_out_flagged)
    return _SOLIDS[key]


def _build_solids(
    table: EntryTable,
    solids: Solids,
    elements: frozenset[str],
    exclude: frozenset[str],
    leave_out_flagged: bool,
) -> tuple[list[tuple[str, float, dict[str, float], float]], frozenset[str]]:
    from stability.analysis.materials.flags import flag_predicate

    flagged = flag_predicate(table) if leave_out_flagged else (lambda _f: None)
    best: dict[str, tuple[str, float, dict[str, float], float]] = {}
    for i in solids.table.rows_within(sorted(elements)):
        info = _row(solids, int(i))
        if info is None or info[0] in exclude:
            continue
        if info[0] not in best or info[3] < best[info[0]][3]:
            best[info[0]] = info
    for el in sorted(elements):  # formation energies: the elements are at 0 where no row says less
        if el not in ELEMENT_GASES.values() and (el not in best or best[el][3] > 0):
            best[el] = (el, 1.0, {el: 1.0}, 0.0)
    kept, left = [], set()
    for name, info in best.items():
        if len(info[2]) > 1 and flagged(name):
            left.add(name)
        else:
            kept.append(info)
    return kept, frozenset(left)


@dataclass
class _Phases:
    names: list[str]  # reduced formulas (gases: the gas name)
    atoms: list[float]  # atoms per reduced formula unit
    fractions: np.ndarray  # (phase, element) atomic fractions
    energy: np.ndarray  # eV/atom
    is_gas: list[bool]
    elements: list[str]


def _candidates(
    table: EntryTable,
    elements: set[str],
    cond: Conditions,
    exclude: set[str],
    left_out: set[str],
    leave_out_flagged: bool,
) -> _Phases:
    els = sorted(elements)
    solids, left = _solids(
        table, cond.temperature_K, frozenset(elements), frozenset(exclude), leave_out_flagged
    )
    left_out.update(left)
    names, atoms, fr, en, is_gas = [], [], [], [], []
    for name, n_atoms, comp, e in solids:
        total = sum(comp.values())
        names.append(name)
        atoms.append(n_atoms)
        fr.append([comp.get(el, 0.0) / total for el in els])
        en.append(e)
        is_gas.append(False)
    for gas, comp in gas_species().items():
        if set(comp) <= elements and cond.allows(gas):
            n = sum(comp.values())
            names.append(gas)
            atoms.append(n)
            fr.append([comp.get(el, 0.0) / n for el in els])
            en.append(cond.mu(gas) / n)
            is_gas.append(True)
    return _Phases(
        names, atoms, np.array(fr).reshape(len(names), len(els)), np.array(en), is_gas, els
    )


def _solve(
    ph: _Phases, target: np.ndarray, cost: np.ndarray, rows: np.ndarray
) -> tuple[float, np.ndarray]:
    """min cost.x subject to the element rows of fractions.T x = target, x >= 0."""
    return equilibrium.solve(ph.fractions, target, cost, rows)


def _solid_only(ph: _Phases, gases: bool = True) -> _Phases:
    """The solid's own equilibrium: the solid phases, and the elemental gases if ``gases``."""
    idx = [
        i
        for i, (g, n) in enumerate(zip(ph.is_gas, ph.names, strict=True))
        if not g or (gases and n in ELEMENT_GASES)
    ]
    return _Phases(
        [ph.names[i] for i in idx], [ph.atoms[i] for i in idx], ph.fractions[idx],
        ph.energy[idx], [ph.is_gas[i] for i in idx], ph.elements,
    )  # fmt: skip


_OWN: dict[tuple, float] = {}


def _own_energy(
    table: EntryTable,
    comp: dict[str, float],
    ph: _Phases,
    cond: Conditions,
    exclude: Sequence[str],
    leave_out_flagged: bool,
    gases: bool = True,
) -> float:
    """The solid's energy in its own equilibrium, eV per formula unit: its solid phases and,
    if ``gases``, the elemental gases at ``cond`` (the reference of one gas in excess: what
    the solid gives off alone is not the gas's doing); without them for air, whose row then
    holds all the solid becomes, an oxide giving off O2 when warmed included. Only phases
    of its own elements can take part, so the rows of every gas share it."""
    key = (
        table.fingerprint, tuple(sorted(comp.items())), cond, tuple(exclude),
        leave_out_flagged, gases,
    )  # fmt: skip
    if key not in _OWN:
        if len(_OWN) > 4096:
            _OWN.clear()
        _OWN[key], _ = _hull(_solid_only(ph, gases), _amounts(ph, comp))
    return _OWN[key]


def _hull(ph: _Phases, amounts: np.ndarray) -> tuple[float, np.ndarray]:
    return _solve(ph, amounts, ph.energy, np.arange(len(ph.elements)))


def _fmt(x: float) -> str:
    return f"{x:.4g}"


def _side(terms: list[tuple[float, str]]) -> str:
    return " + ".join(f"{_fmt(a)} {n}" for a, n in terms if a > 1e-6)


def _products(
    ph: _Phases, x: np.ndarray, skip: set[str]
) -> tuple[list[tuple[float, str]], list[str], list[str]]:
    terms, solids, released = [], [], []
    for amount, name, n, gas in zip(x, ph.names, ph.atoms, ph.is_gas, strict=False):
        if amount / n <= 1e-5 or name in skip:
            continue
        terms.append((amount / n, name))
        (released if gas else solids).append(name)
    return terms, solids, released


def release_limit_ppm(
    ph: _Phases,
    cost: np.ndarray,
    solve: Callable[[np.ndarray], tuple[float, np.ndarray]],
    cond: Conditions,
) -> float | None:
    """The partial pressure (ppm of 1 bar) of the released gases, all alike, above which the
    solid releases none of them: it may still react (to a hydrate, say), but no longer gains
    by releasing a gas. None when it releases none at ``cond.released_ppm``.

    ``solve(cost)`` minimises the reaction's linear program for phase energies ``cost``
    (eV per atom). Raising the released gases' pressure by a factor e^t raises their
    chemical potential by kT t per molecule; the optimum g(t) is concave and piecewise linear
    in t with slope kT n(t), n the molecules released, and flat at g0 (the optimum with no
    gas released) from the limit on. Each step follows the tangent to g0, which never
    overshoots a concave function, so the steps reach the limit exactly, one linear piece
    at a time.
    """
    kt = KB_EV * cond.temperature_K
    idx = [
        i
        for i, (g, n) in enumerate(zip(ph.is_gas, ph.names, strict=True))
        if g and n not in AIR_GASES
    ]
    if not idx:
        return None
    per_molecule = np.zeros(len(cost))
    per_molecule[idx] = 1.0 / np.array([ph.atoms[i] for i in idx], dtype=float)

    def at(t: float) -> tuple[float, float]:
        value, x = solve(cost + per_molecule * (kt * t))
        return value, float(x @ per_molecule)

    g0, _ = solve(cost + per_molecule * 1e3)  # no gas released: far too costly
    t = 0.0
    g, n = at(t)
    for _ in range(100):
        if n <= 1e-9 or g >= g0 - 1e-9:
            break
        t += (g0 - g) / (n * kt)
        g, n = at(t)
    if t == 0.0:
        return None
    return cond.released_ppm * math.exp(min(t, 700.0))


def _amounts(ph: _Phases, comp: dict[str, float]) -> np.ndarray:
    return np.array([comp.get(e, 0.0) for e in ph.elements])


def react_with_gas(
    table: EntryTable,
    formula: str,
    gas: str,
    cond: Conditions,
    *,
    exclude: Sequence[str] = (),
    leave_out_flagged: bool = True,
) -> AirReaction:
    """The reaction of ``formula`` with ``gas`` (H2O, CO2, O2, ...) in excess (class doc)."""
    from stability.formula import parse_formula

    comp = {str(e): float(a) for e, a in parse_formula(formula).items()}
    gas_comp = gas_species()[gas]
    elements = set(comp) | set(gas_comp)
    solids = solids_at(table, cond.temperature_K)
    missing = elements - set(solids.table.elements)
    if missing:
        raise StabilityError(f"{formula}: the dataset has no {', '.join(sorted(missing))}")
    left: set[str] = set()
    ph = _candidates(table, elements, cond, set(exclude), left, leave_out_flagged)
    n_s, n_g = sum(comp.values()), sum(gas_comp.values())
    e_s = _own_energy(table, comp, ph, cond, exclude, leave_out_flagged)
    mu_g = cond.mu(gas)
    pressure = cond.pressure_Pa(gas)
    # Gas in excess: far more gas than the solid can take up; what is left stays gas at
    # mu_g and costs nothing, so the energy is that of the molecules consumed.
    n_excess = EXCESS_PER_ATOM * n_s
    excess = _amounts(ph, comp) + n_excess * _amounts(ph, gas_comp)
    all_rows = np.arange(len(ph.elements))

    def excess_solve(cost: np.ndarray) -> tuple[float, np.ndarray]:
        return _solve(ph, excess, cost, all_rows)

    g, x = excess_solve(ph.energy)
    leftover = sum(a / at for a, nm, at in zip(x, ph.names, ph.atoms, strict=False) if nm == gas)
    consumed = float(n_excess - leftover)
    energy = g - e_s - n_excess * mu_g  # eV per formula unit of the solid
    if energy > -1e-7 or consumed < 1e-6:
        return AirReaction(
            formula, gas, 0.0, 0.0, 0.0, [formula], [], f"{formula} + {gas}: no reaction",
            cond.temperature_K, pressure, table.display_name, sorted(left),
            temperature_note=solids.note,
        )  # fmt: skip
    # the products: what is not the gas left over (which cost nothing: it stays at mu_g)
    terms, solid_products, released = _products(ph, x, {gas})
    meV_atom = 1000.0 * energy / (n_s + consumed * n_g)
    return AirReaction(
        formula=formula,
        reactant_gas=gas,
        reaction_energy_eV_per_reactant_gas=energy / consumed,
        reaction_energy_meV_per_atom=meV_atom,
        reaction_energy_eV_per_formula_unit=energy,
        products=solid_products,
        released_gases=released,
        reaction=f"1 {formula} + {_fmt(consumed)} {gas} -> {_side(terms)}",
        temperature_K=cond.temperature_K,
        partial_pressure_Pa=pressure,
        dataset=table.display_name,
        left_out=sorted(left),
        release_limit_ppm=release_limit_ppm(ph, ph.energy, excess_solve, cond)
        if released
        else None,
        temperature_note=solids.note,
    )


def react_with_air(
    table: EntryTable,
    formula: str,
    cond: Conditions,
    *,
    exclude: Sequence[str] = (),
    leave_out_flagged: bool = True,
) -> AirReaction:
    """The reaction of ``formula`` with air: O, H, C (and N if ``cond.reactive_n2``) open at
    mu_O = mu_O2/2, mu_H = (mu_H2O - mu_O)/2, mu_C = mu_CO2 - 2 mu_O (mu_N = mu_N2/2). Energy
    per formula unit of the solid divided by the net molecules of H2O + CO2 + O2 taken up."""
    from stability.formula import parse_formula

    comp = {str(e): float(a) for e, a in parse_formula(formula).items()}
    mu_o = cond.mu("O2") / 2
    mu = {"O": mu_o, "H": (cond.mu("H2O") - mu_o) / 2, "C": cond.mu("CO2") - 2 * mu_o}
    if cond.reactive_n2:
        mu["N"] = cond.mu("N2") / 2
    solids = solids_at(table, cond.temperature_K)
    held = set(solids.table.elements)
    mu = {e: v for e, v in mu.items() if e in held}  # a gas the data cannot hold
    elements = set(comp) | set(mu)
    missing = elements - held
    if missing:
        raise StabilityError(f"{formula}: the dataset has no {', '.join(sorted(missing))}")
    left: set[str] = set()
    ph = _candidates(table, elements, cond, set(exclude), left, leave_out_flagged)
    # before the reservoir's phases go: the solid's own may hold only air's elements (C)
    e_s = _own_energy(table, comp, ph, cond, exclude, leave_out_flagged, gases=False)
    # phases made only of air's elements are the reservoir itself (with N open, nitrogen
    # oxides would otherwise condense from air without bound): left out
    keep = [
        i
        for i, f in enumerate(ph.fractions)
        if any(f[j] > 0 for j, e in enumerate(ph.elements) if e not in mu)
    ]
    ph = _Phases(
        [ph.names[i] for i in keep], [ph.atoms[i] for i in keep], ph.fractions[keep],
        ph.energy[keep], [ph.is_gas[i] for i in keep], ph.elements,
    )  # fmt: skip
    mu_vec = np.array([mu.get(e, 0.0) for e in ph.elements])
    closed = np.array([i for i, e in enumerate(ph.elements) if e not in mu])
    if closed.size == 0:
        raise StabilityError(f"{formula}: made only of air's elements")
    omega_s = e_s - float(_amounts(ph, comp) @ mu_vec)
    grand = ph.energy - ph.fractions @ mu_vec
    omega, x = _solve(ph, _amounts(ph, comp), grand, closed)
    energy = omega - omega_s
    took = ph.fractions.T @ x - _amounts(ph, comp)  # element amounts taken up (+) per f.u.
    d = {e: float(v) for e, v in zip(ph.elements, took, strict=True)}
    uptake = {"CO2": d.get("C", 0.0), "H2O": d.get("H", 0.0) / 2}
    uptake["O2"] = (d.get("O", 0.0) - 2 * uptake["CO2"] - uptake["H2O"]) / 2
    if cond.reactive_n2:
        uptake["N2"] = d.get("N", 0.0) / 2
    terms, solid_products, released = _products(ph, x, set())
    ins = [(a, g) for g, a in uptake.items() if a > 1e-6]
    outs = [(-a, g) for g, a in uptake.items() if a < -1e-6]
    released = [r for r in released if r not in {g for _, g in outs}] + [g for _, g in outs]
    molecules = sum(a for a, _ in ins) - sum(a for a, _ in outs)
    gas_atoms = sum(a * sum(gas_species()[g].values()) for a, g in ins)
    reacts = energy < -1e-7
    return AirReaction(
        formula=formula,
        reactant_gas="air",
        reaction_energy_eV_per_reactant_gas=(energy / molecules)
        if reacts and molecules > 1e-6
        else (0.0 if not reacts else None),
        reaction_energy_meV_per_atom=1000.0 * energy / (sum(comp.values()) + gas_atoms)
        if reacts
        else 0.0,
        reaction_energy_eV_per_formula_unit=energy if reacts else 0.0,
        products=solid_products if reacts else [formula],
        released_gases=[g for g in released if g not in REACTANT_GASES or g in {o for _, o in outs}]
        if reacts
        else [],
        reaction=(
            f"1 {formula}" + (" + " + _side(ins) if ins else "") + f" -> {_side(terms + outs)}"
        )
        if reacts
        else f"{formula} + air: no reaction",
        temperature_K=cond.temperature_K,
        partial_pressure_Pa=None,
        dataset=table.display_name,
        left_out=sorted(left),
        release_limit_ppm=release_limit_ppm(
            ph, grand, lambda cost: _solve(ph, _amounts(ph, comp), cost, closed), cond
        )
        if reacts and any(g not in AIR_GASES for g in released)
        else None,
        temperature_note=solids.note,
    )


def compute_air(
    table: EntryTable,
    formulas: Sequence[str],
    cond: Conditions | None = None,
    *,
    gases: Sequence[str] = REACTANT_GASES,
    air: bool = True,
    exclude: Sequence[str] = (),
    leave_out_flagged: bool = True,
) -> AirTable:
    """For each formula, one row per reactant gas in ``gases`` and one for ``air``.

    Parameters
    ----------
    table : EntryTable
        The dataset (``stability.load_dataset()``).
    formulas : sequence of str
        The solids: formulas, catalogue labels or aliases, or mp-ids.
    cond : Conditions, optional
        Temperature and pressures (default 298.15 K, 50 % RH, 420 ppm CO2, 21 % O2,
        released gases at 1 ppm).
    gases : sequence of str
        Reactant gases, each in excess on its own.
    air : bool
        Add the row for air as a whole.
    exclude : sequence of str
        Reduced formulas of phases to leave out.
    leave_out_flagged : bool
        Leave flagged phases out (default); ``AirTable.left_out`` names those met.

    Returns
    -------
    AirTable
        ``results`` (rows of :class:`AirReaction`), ``errors``, ``left_out``.

    Examples
    --------
    >>> import stability
    >>> r = stability.compute_air(stability.load_dataset(), ["Li2O"], gases=["CO2"], air=False)
    >>> r.results[0].products, round(r.results[0].reaction_energy_eV_per_reactant_gas, 2)
    (['Li2CO3'], -1.47)
    """
    cond = cond or Conditions()
    results, errors, left = [], {}, set()
    from stability.analysis.materials.chemistry import read_material

    held = set(solids_at(table, cond.temperature_K).table.elements)
    skipped = [g for g in gases if not set(gas_species()[g]) <= held]
    gases = [g for g in gases if g not in skipped]
    for name in formulas:
        try:
            f = read_material(name, table).formula
            rows = [
                react_with_gas(
                    table, f, g, cond, exclude=exclude, leave_out_flagged=leave_out_flagged
                )
                for g in gases
            ]
            if air:
                rows.append(
                    react_with_air(
                        table, f, cond, exclude=exclude, leave_out_flagged=leave_out_flagged
                    )
                )
        except StabilityError as exc:
            errors[name] = str(exc)
            continue
        for r in rows:
            left.update(r.left_out)
        results.extend(rows)
    missing = sorted({e for g in skipped for e in gas_species()[g]} - held)
    note = (
        f"{', '.join(skipped)} rows left out: {table.name} has no {', '.join(missing)}"
        if skipped
        else ""
    )
    return AirTable(results, errors, sorted(left), note)


#: The public name of :class:`Conditions` (``stability.AirConditions``).
AirConditions = Conditions
