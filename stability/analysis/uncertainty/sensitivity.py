"""Which phases decide a window limit, and how fragile it is.

A limit is set by one reaction (the composition taking up or giving off Li into its
products). For each product phase p, removing p from the dataset gives the reaction that
would set the limit instead (the runner-up) and its voltage V'. If p's energy rises, the
limit follows it (V = -dG / n_Li) until, past the margin

    margin_p = |V - V'| * n_Li / (nu_p * N_p)     (eV per atom of p),

the runner-up reaction takes over and p no longer forms there. n_Li is the Li exchanged per
formula unit (for another working ion of charge z: V = -dG / (z n) and the margin is
multiplied by z), nu_p the moles of p formed, N_p its atoms per formula unit. A margin of a few
meV/atom means the deciding reaction itself is fragile. For a composition placed on the hull
the placed energy also depends on p's, so the margin is then an estimate (tests check it on
dataset phases).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

import numpy as np
from pymatgen.core import Composition

from stability import config
from stability.analysis.materials.chemistry import locate
from stability.analysis.windows.profile import reaction_string
from stability.analysis.windows.window import read_limits
from stability.errors import StabilityError
from stability.formula import written_formula
from stability.ions import DEFAULT_ION, check_ion, ion_charge
from stability.thermo.base import Engine, ProfileStep, same_composition
from stability.thermo.fast import FastSystem
from stability.thermo.system import SystemData


@dataclass(frozen=True)
class Competitor:
    """What sets the limit if ``phase`` is taken away, and the energy margin that keeps it out."""

    phase: str
    margin_meV_per_atom: float | None
    limit_V: float | None
    products: list[str]
    note: str = ""


@dataclass(frozen=True)
class LimitSensitivity:
    """One limit: its reaction, products and, per product, the runner-up and margin."""

    limit: str
    voltage_V: float
    reaction: str
    products: list[str]
    competitors: list[Competitor]

    @property
    def decisive(self) -> Competitor | None:
        scored = [c for c in self.competitors if c.margin_meV_per_atom is not None]
        return min(scored, key=lambda c: c.margin_meV_per_atom) if scored else None

    def to_dict(self) -> dict:
        d = asdict(self)
        dec = self.decisive
        d["decisive_phase"] = dec.phase if dec else None
        d["margin_meV_per_atom"] = dec.margin_meV_per_atom if dec else None
        return d


def _without(data: SystemData, formula: str) -> SystemData:
    """The system with every entry of ``formula``'s composition (all polymorphs) removed."""
    comp = Composition(formula)
    target = np.array([comp.get_atomic_fraction(el) for el in data.elements])
    keep = np.ones(len(data.fractions), dtype=bool)
    keep[same_composition(data.fractions, target)] = False
    return data.take(keep, None)  # removing phases changes the others' distances


def _limit(steps: list[ProfileStep], which: str) -> tuple[float, ProfileStep | None]:
    lim = read_limits(steps)
    if which == "reduction":
        return lim.reduction_V, lim.below
    return lim.oxidation_V, lim.above


def limit_sensitivity(
    engine: Engine, formula: str, *, ion: str = DEFAULT_ION
) -> tuple[LimitSensitivity, LimitSensitivity]:
    """Reaction, products and competitor margins of the reduction and oxidation limits of
    the ``ion`` window."""
    ion = check_ion(ion)
    z = ion_charge(ion)
    loc = locate(engine, formula, need=ion)
    data = loc.system.data
    # The engine's hull paths for the systems rebuilt here too (pymatgen's: the defaults).
    paths = getattr(engine, "paths", None)
    base = loc.system if isinstance(loc.system, FastSystem) else FastSystem(data, paths=paths)
    steps = base.ion_window_steps(loc.amounts, ion)
    out = []
    for which in ("reduction", "oxidation"):
        volts, step = _limit(steps, which)
        if step is None:
            out.append(LimitSensitivity(which, volts, f"stable against {ion} metal", [], []))
            continue
        n_li = abs(step.ion_change)
        competitors = []
        for phase in step.phases:
            comp = Composition(phase.formula)
            if comp.is_element:
                competitors.append(
                    Competitor(phase.formula, None, None, [], "an element: always present")
                )
                continue
            try:
                alt = FastSystem(_without(data, phase.formula), paths=paths)
                alt_volts, alt_step = _limit(alt.ion_window_steps(loc.amounts, ion), which)
            except StabilityError as exc:
                competitors.append(
                    Competitor(phase.formula, None, None, [], f"no alternative: {exc}")
                )
                continue
            alt_products = [p.formula for p in alt_step.phases] if alt_step else []
            if abs(volts - alt_volts) < config.SAME_LIMIT_V:
                # Another phase takes its place at the same voltage: p does not set the limit.
                competitors.append(
                    Competitor(
                        phase.formula,
                        None,
                        alt_volts,
                        alt_products,
                        "spectator: the limit does not depend on it",
                    )
                )
                continue
            margin = abs(volts - alt_volts) * z * n_li / (phase.amount * comp.num_atoms)
            competitors.append(
                Competitor(
                    phase.formula,
                    1000 * margin,
                    alt_volts,
                    alt_products,
                )
            )
        rxn = reaction_string(written_formula(loc.composition), step.ion_change, step.phases, ion)
        out.append(
            LimitSensitivity(which, volts, rxn, [p.formula for p in step.phases], competitors)
        )
    return out[0], out[1]
