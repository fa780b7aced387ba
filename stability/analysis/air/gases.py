"""Gas chemical potentials at a temperature and partial pressure, and the water vapour
pressure of humid air.

Convention: every energy is relative to the elements' enthalpies at 298 K (the dataset's
fitted references, formation energies at 0). Solids keep their dataset energy (their
entropy is left out); a gas takes its free energy

    mu(T, p) = dGf(T) + sum_e n_e g_e(T) + kT ln(p / p0),   p0 = 1 bar,

with dGf(T) from NIST-JANAF (pymatgen's ``core/data/nist_gas_gf.json``, eV per molecule)
and g_e(T) = G_e(T) - H_e(298 K) of each element in its standard state (pymatgen's
``core/data/g_els.json``, eV per atom, the elemental Gibbs energies of Bartel et al. 2018).
O2, N2, H2, F2 and Cl2 are elements: mu = 2 g_e(T) + kT ln(p / p0). Both tables start at
300 K; below it the 300 K values are used (pymatgen does the same), between table points
they are interpolated linearly.
"""

from __future__ import annotations

import math
from functools import cache

from stability.errors import StabilityError
from stability.thermo.temperature import gibbs_tables

#: Boltzmann constant (eV/K).
KB_EV = 8.617333262e-5
#: Standard pressure of the JANAF tables (Pa).
P0_PA = 1.0e5
#: Room temperature (K): the default, and where --humidity is read.
ROOM_K = 298.15
#: Diatomic elemental gases (standard state a gas).
ELEMENT_GASES = {"H2": "H", "N2": "N", "O2": "O", "F2": "F", "Cl2": "Cl"}
#: Released gases marked toxic in outputs (exposure limits of a few ppm or below).
TOXIC = frozenset(
    {"H2S", "HCl", "HF", "NH3", "PH3", "SO2", "HCN", "CO", "NO", "NO2", "Cl2", "F2", "HBr",
     "SiH4", "BF3", "BCl3", "SF4", "PF5", "NF3", "CS2", "SiF4", "WF6"}
)  # fmt: skip


def _tables() -> tuple[dict[str, dict[str, float]], dict[str, dict[str, float]]]:
    """(NIST-JANAF dGf per molecule by pymatgen's formula, g_els per atom by temperature)."""
    g_els, gases = gibbs_tables()
    return gases, g_els


def _interpolate(table: dict[str, float], temperature: float) -> float:
    points = sorted((float(t), v) for t, v in table.items())
    lo, hi = points[0][0], points[-1][0]
    if not 0 < temperature <= hi:
        raise StabilityError(f"temperature {temperature:g} K is outside 0-{hi:g} K (NIST-JANAF)")
    t = max(temperature, 300.0 if lo < 300.0 else lo)
    for (t0, v0), (t1, v1) in zip(points[:-1], points[1:], strict=True):
        if t0 <= t <= t1:
            return v0 + (v1 - v0) * (t - t0) / (t1 - t0) if t1 > t0 else v0
    return points[-1][1]


def element_g(element: str, temperature: float) -> float:
    """G_e(T) - H_e(298 K) of an element in its standard state (eV/atom)."""
    _, gels = _tables()
    by_t = {t: row[element] for t, row in gels.items() if element in row}
    if not by_t:
        raise StabilityError(f"no elemental Gibbs energy for {element}")
    return _interpolate(by_t, temperature)


#: Names written the usual way (pymatgen's reduced formulas order by electronegativity).
DISPLAY = {"H3N": "NH3", "H4C": "CH4", "HC": "CH", "H3CF": "CH3F"}


@cache
def gas_species() -> dict[str, dict[str, float]]:
    """Gas (reduced formula) -> element amounts per molecule: the JANAF gases and the
    diatomic elements."""
    from pymatgen.core import Composition

    gf, _ = _tables()
    out: dict[str, dict[str, float]] = {}
    for name in gf:
        comp = Composition(name)
        out[DISPLAY.get(comp.reduced_formula, comp.reduced_formula)] = {
            str(e): float(a) for e, a in comp.items()
        }
    for gas, el in ELEMENT_GASES.items():
        out[gas] = {el: 2.0}
    return out


@cache
def _gf_name(gas: str) -> str:
    from pymatgen.core import Composition

    gf, _ = _tables()
    for name in gf:
        if DISPLAY.get(Composition(name).reduced_formula, Composition(name).reduced_formula) == gas:
            return name
    raise StabilityError(f"no NIST-JANAF free energy for {gas}")


def gas_mu(gas: str, temperature: float, pressure_pa: float) -> float:
    """Chemical potential of ``gas`` (eV per molecule) at ``temperature`` (K) and partial
    pressure ``pressure_pa``, relative to the elements' 298 K enthalpies (module docstring).

    >>> round(gas_mu("O2", 298.15, 1e5), 3)
    -0.638
    >>> round(gas_mu("H2O", 298.15, 1e5) - gas_mu("H2O", 298.15, 1e4), 4)  # kT ln 10
    0.0592
    """
    if pressure_pa <= 0:
        raise StabilityError(f"partial pressure of {gas} must be positive, got {pressure_pa:g} Pa")
    species = gas_species()
    if gas not in species:
        raise StabilityError(f"unknown gas {gas}; known: {', '.join(sorted(species))}")
    if gas in ELEMENT_GASES:
        g = 2.0 * element_g(ELEMENT_GASES[gas], temperature)
    else:
        gf, _ = _tables()
        g = _interpolate(gf[_gf_name(gas)], temperature)
        g += sum(n * element_g(e, temperature) for e, n in species[gas].items())
    return g + KB_EV * temperature * math.log(pressure_pa / P0_PA)


def saturation_pressure_pa(celsius: float) -> float:
    """Water vapour saturation pressure (Pa) by the Buck (1996) equations: over water at or
    above 0 C, over ice below (so a dew point below 0 C is a frost point).

    >>> round(saturation_pressure_pa(25.0))
    3169
    >>> round(saturation_pressure_pa(-50.0), 2)
    3.94
    """
    if celsius >= 0:
        kpa = 0.61121 * math.exp((18.678 - celsius / 234.5) * (celsius / (257.14 + celsius)))
    else:
        kpa = 0.61115 * math.exp((23.036 - celsius / 333.7) * (celsius / (279.82 + celsius)))
    return 1000.0 * kpa


def h2o_pressure_pa(
    humidity: float | None = None, dew_point: float | None = None, pressure: float | None = None
) -> float:
    """The H2O partial pressure (Pa) from one of: relative humidity (%) of air at 25 C (the
    air's water content: warming it with --temperature keeps the pressure), a dew (frost)
    point (C), or the pressure itself (Pa). None of them: 50 % RH."""
    given = [v is not None for v in (humidity, dew_point, pressure)]
    if sum(given) > 1:
        raise StabilityError("give one of --humidity, --dew-point, --h2o-pressure")
    if pressure is not None:
        if pressure <= 0:
            raise StabilityError(f"--h2o-pressure must be positive, got {pressure:g} Pa")
        return pressure
    if dew_point is not None:
        if not -100.0 <= dew_point <= 25.0:
            raise StabilityError(f"--dew-point must be within -100 and 25 C, got {dew_point:g}")
        return saturation_pressure_pa(dew_point)
    rh = 50.0 if humidity is None else humidity
    if not 0 < rh <= 100:
        raise StabilityError(f"--humidity must be within 0 (excluded) and 100 %, got {rh:g}")
    return rh / 100.0 * saturation_pressure_pa(ROOM_K - 273.15)
