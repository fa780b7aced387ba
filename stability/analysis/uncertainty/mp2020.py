"""How sure is each number: MP2020 correction uncertainties propagated by shared sampling.

Each draw samples every correction species once (oxide, N, Cl, U:Co:O, ...) from its fitted
normal error and applies it to every entry that carries it, so compounds sharing a species
move together (correlated), then recomputes the hull and the quantity. The spread of the
draws is the uncertainty. Draws use a fixed seed: results are reproducible, and every
material of a run sees the same correction errors.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

import numpy as np

from stability import config
from stability.analysis.materials.chemistry import locate, read_material
from stability.analysis.windows.window import read_limits
from stability.entries.corrections import system_corrections
from stability.entries.table import EntryTable
from stability.errors import StabilityError
from stability.ions import DEFAULT_ION, check_ion, ion_mu
from stability.thermo.base import Engine
from stability.thermo.fast import FastSystem
from stability.thermo.system import SystemData, select_system

if TYPE_CHECKING:
    from stability.analysis.interfaces.interface import Interface
    from stability.analysis.windows.window import Window

DRAWS = 200
SEED = 20151
NO_UNCERTAINTY = (
    "dataset {name} carries no correction uncertainties (legacy MP corrections have none): "
    "use MP2020 data (mp2022_hull, MP2020 entries, or an MP API pull) for error bars"
)


@dataclass(frozen=True)
class Spread:
    """Standard deviation and central 95% interval of a sampled quantity."""

    std: float
    lo95: float
    hi95: float

    @classmethod
    def of(cls, values: np.ndarray) -> Spread:
        lo, hi = np.percentile(values, [2.5, 97.5])
        return cls(float(np.std(values, ddof=1)), config.clean(lo, 0.0), config.clean(hi, 0.0))


def has_uncertainties(table: EntryTable) -> bool:
    return table.has_uncertainties


def require_uncertainties(table: EntryTable) -> None:
    if not has_uncertainties(table):
        raise StabilityError(NO_UNCERTAINTY.format(name=table.name))


def sampled_systems(
    table: EntryTable,
    elements: set[str],
    draws: int = DRAWS,
    seed: int = SEED,
    data: SystemData | None = None,
) -> Iterator[SystemData]:
    """The system of ``elements`` with energies shifted by ``draws`` shared correction draws.

    ``data``: the system's entries when an engine leaves phases out (``Engine.select``)."""
    data = select_system(table, elements) if data is None else data
    corr = system_corrections(table, data.rows)
    # Species draws come first from their own stream, so every system of a run sees the same
    # correction errors; entries whose species could not be decoded draw from another stream.
    n_species = len(corr.sigmas) - corr.undecoded
    shared = np.random.default_rng(seed).standard_normal((draws, n_species))
    own = np.random.default_rng([seed, 1]).standard_normal((draws, corr.undecoded))
    deltas = np.hstack([shared, own]) * corr.sigmas
    shifts = deltas @ corr.counts.T
    for shift in shifts:
        yield replace(data, energy_per_atom=data.energy_per_atom + shift, hull_distance=None)


def _sample(
    engine: Engine,
    elements: set[str],
    fn: Callable[[FastSystem], tuple[float, ...]],
    draws: int,
    seed: int,
) -> np.ndarray:
    systems = sampled_systems(engine.table, elements, draws, seed, engine.select(elements))
    return np.array([fn(FastSystem(d)) for d in systems])


def window_limits(
    system: FastSystem, amounts: dict[str, float], ion: str = DEFAULT_ION
) -> tuple[float, float]:
    """(reduction, oxidation) limits in V of a composition's ``ion`` window on ``system``."""
    lim = read_limits(system.ion_window_steps(amounts, ion))
    return lim.reduction_V, lim.oxidation_V


@dataclass(frozen=True)
class WindowSpread:
    reduction: Spread
    oxidation: Spread
    draws: int


def window_spread(
    engine: Engine, formula: str, draws: int = DRAWS, seed: int = SEED, *, ion: str = DEFAULT_ION
) -> WindowSpread:
    """Spread of the ``ion`` window limits of ``formula`` under the correction uncertainties."""
    require_uncertainties(engine.table)
    ion = check_ion(ion)
    loc = locate(engine, formula, need=ion)
    values = _sample(
        engine,
        set(loc.amounts),
        lambda s: window_limits(s, loc.amounts, ion),
        draws,
        seed,
    )
    return WindowSpread(Spread.of(values[:, 0]), Spread.of(values[:, 1]), draws)


def reaction_spread(
    engine: Engine,
    a: str,
    b: str,
    voltage: float | None,
    draws: int = DRAWS,
    seed: int = SEED,
    *,
    ion: str = DEFAULT_ION,
) -> Spread:
    """Spread (meV/atom) of the most negative reaction energy of A|B (``ion`` open at
    ``voltage``)."""
    require_uncertainties(engine.table)
    ion = check_ion(ion)
    mat_a, mat_b = read_material(a, engine.table), read_material(b, engine.table)
    mu = None if voltage is None else ion_mu(voltage, ion)

    def most_negative(system: FastSystem) -> tuple[float]:
        mix = system.mixing(mat_a.amounts, mat_b.amounts, mu_open=mu, open_element=ion)
        return (1000 * min(k.energy_eV_per_atom for k in mix.kinks),)

    values = _sample(engine, mat_a.elements | mat_b.elements, most_negative, draws, seed)
    return Spread.of(values[:, 0])


def with_window_uncertainty(
    window: Window, engine: Engine, draws: int = DRAWS, seed: int = SEED
) -> Window:
    """``window`` with the std and 95% interval of both limits filled in."""
    spread = window_spread(engine, window.formula, draws, seed, ion=window.ion)
    return replace(
        window,
        reduction_limit_std_V=spread.reduction.std,
        oxidation_limit_std_V=spread.oxidation.std,
        reduction_limit_ci95_V=(spread.reduction.lo95, spread.reduction.hi95),
        oxidation_limit_ci95_V=(spread.oxidation.lo95, spread.oxidation.hi95),
    )


def with_reaction_uncertainty(
    result: Interface, engine: Engine, draws: int = DRAWS, seed: int = SEED
) -> Interface:
    """``result`` with the std and 95% interval of its reaction energy filled in."""
    spread = reaction_spread(
        engine, result.reactant_a, result.reactant_b, result.voltage_V, draws, seed, ion=result.ion
    )
    return replace(
        result,
        reaction_energy_std_meV=spread.std,
        reaction_energy_ci95_meV=(spread.lo95, spread.hi95),
    )
