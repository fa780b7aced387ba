"""Practical windows: an ion-exchange tolerance, and windows extended by passivating
interphases. Written here for Li; every working ion (``ion=``) is treated the same way, with
the ion in place of Li and its metal in place of Li metal (tolerance per ion atom exchanged;
the ion's metal is never judged).

Both are read off the voltage profile (``PhaseSystem.ion_profile``: critical compositions,
Li-rich first; step ``i`` holds from its voltage to the next step's):

**Tolerance window** (``tolerance`` X, Li per atom of the composition). The largest voltage
range containing the strict window over which the composition takes up or releases at most
X Li per atom: every step crossed has ``|ion_change| / atoms per formula unit <= X``, where
``ion_change`` is the step's Li uptake (+) or release (-) per formula unit relative to the
pristine composition. Li exchange only grows away from the window, so the range is the run
of such steps around the pristine one. X = 0 is the strict window.

**Passivated window.** Starting at each strict limit, the walk crosses the next step outward
(towards 0 V below the reduction limit, towards higher voltage above the oxidation limit) as
long as every phase of that step is an electronic insulator (band gap >= ``min_gap_eV``) and,
unless gas is allowed, none is a gas at room temperature (``GASES``). Li metal itself is
never judged (it is the electrode). The first step that forms a conductor, a gas or a phase
of unknown gap stops the walk: the limit is where that step begins, and the reason names the
phases ("In: metallic (0.00 eV)", "N2: gas", "LiP7: band gap unknown"). A walk that reaches
0 V stops with "Li metal reached"; one that crosses every step above the window leaves the
oxidation limit unbounded (``None``) with "no further step". The passivated products are
the phases of the last step crossed (the interphase at the passivated limit; empty when
none was crossed). Gaps are GGA(+U) gaps, which underestimate experiment, hence the
default ``min_gap_eV`` of 0.5 eV rather than a larger one.

Gas list (``GAS_FORMULAS``): molecular phases that are gases at room temperature and that
a Li-M-X hull can produce (N2, O2, F2, Cl2, H2, NH3, H2S, HCl, HF, CO, CO2, SO2, NO, NO2,
N2O, ...). Two volatile molecular liquids are counted with them, as neither makes a solid
layer: Br2 (boils at 59 C, high vapour pressure) and NCl3 (boils at 71 C, explosive). I2 (a
solid melting at 114 C) is not: it is judged by its band gap like any solid.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from functools import cache

from stability.analysis.materials.chemistry import Located, locate
from stability.analysis.materials.flags import flag_phases, merge_flags
from stability.analysis.windows.profile import VoltageProfile
from stability.analysis.windows.window import Window, read_limits, window_from_steps
from stability.entries.table import EntryTable
from stability.errors import StabilityError
from stability.formula import composition_amounts, num_atoms, reduced_formula
from stability.ions import DEFAULT_ION, check_ion
from stability.thermo.base import Engine, Phase, ProfileStep

#: Gases at room temperature (and Br2, see the module docstring), as written; matched by
#: reduced formula.
GAS_FORMULAS = (
    "H2", "N2", "O2", "O3", "F2", "Cl2", "Br2", "NCl3",
    "NH3", "H2S", "H2Se", "H2Te", "HF", "HCl", "HBr", "HI",
    "CO", "CO2", "COS", "CH4", "C2H2", "C2H4", "C2H6", "CF4", "COF2", "COCl2", "CNCl",
    "NO", "NO2", "N2O", "N2O4", "NF3", "NOCl", "NOF", "NO2F", "FNO3",
    "SO2", "SF4", "SF6", "SO2F2", "SOF2", "SOF4",
    "PH3", "PF3", "PF5", "POF3",
    "SiH4", "SiF4", "GeH4", "GeF4", "AsH3", "AsF5", "BF3", "B2H6", "BCl3",
    "ClF", "ClF3", "ClF5", "BrF", "IF7", "OF2", "Cl2O", "ClO2",
    "SeF6", "TeF6", "WF6",
)  # fmt: skip
#: A strict window narrower than this is a point: the pymatgen engine's finite placement
#: offset (1e-6 eV/atom) opens a zero-width window to about 1e-5 V.
ZERO_WIDTH_V = 1e-3
#: Default smallest band gap (eV) of an electronic insulator.
MIN_GAP_EV = 0.5


@cache
def _reduced(formula: str) -> str:
    return reduced_formula(composition_amounts(formula))


GASES = frozenset(_reduced(f) for f in GAS_FORMULAS)


def is_gas(formula: str) -> bool:
    """Is this phase (any formula, matched by its reduced formula) in the gas list?"""
    return _reduced(formula) in GASES


@dataclass(frozen=True)
class Passivation:
    """How to judge the phases of a step: band gaps (eV, by reduced formula) and rules.

    Passed to :func:`compute_practical_window` (and ``run_screen``) for passivated windows;
    the module docstring of ``stability.analysis.windows.practical`` gives the rules.

    Parameters
    ----------
    gaps : mapping of str to float or None
        Band gaps (eV) by reduced formula; None or absent: unknown (the walk stops there).
        :func:`stability.load_band_gaps` reads them from the data.
    min_gap_eV : float, default 0.5
        Smallest gap of an electronic insulator (GGA gaps underestimate experiment).
    allow_gas : bool, default False
        Let the walk cross steps that form a gas.
    source : str, optional
        Where the gaps came from, for reports.

    Raises
    ------
    StabilityError
        ``min_gap_eV`` is negative or NaN.

    Examples
    --------
    >>> import stability
    >>> passivation = stability.Passivation({"LiN3": 1.5, "In": 0.0})
    >>> [passivation.kind(f) for f in ("LiN3", "In", "N2", "Li3P", "Li")]
    ['insulator', 'conductor', 'gas', 'unknown', 'metal']
    >>> passivation.kind("Na", ion="Na"), passivation.kind("Na")
    ('metal', 'unknown')
    """

    gaps: Mapping[str, float | None]
    min_gap_eV: float = MIN_GAP_EV
    allow_gas: bool = False
    source: str = ""

    def __post_init__(self) -> None:
        if not self.min_gap_eV >= 0:
            raise StabilityError(f"--min-gap must be a non-negative number, not {self.min_gap_eV}")

    def kind(self, formula: str, ion: str = DEFAULT_ION) -> str:
        """``metal`` (the metal of the working ion ``ion``, the electrode, never judged),
        ``gas``, ``insulator``, ``conductor`` or ``unknown``.

        A gas is reported as ``gas`` whether or not gas is allowed.
        """
        reduced = _reduced(formula)
        if reduced == ion:
            return "metal"
        if reduced in GASES:
            return "gas"
        gap = self.gaps.get(reduced)
        if gap is None:
            return "unknown"
        return "insulator" if gap >= self.min_gap_eV else "conductor"

    def blockers(self, phases: tuple[Phase, ...], ion: str = DEFAULT_ION) -> list[str]:
        """Why a step does not passivate, one reason per offending phase; empty if it does
        (the metal of ``ion`` is never judged)."""
        out = []
        for p in phases:
            kind = self.kind(p.formula, ion)
            if kind == "gas" and not self.allow_gas:
                out.append(f"{p.formula}: gas")
            elif kind == "unknown":
                out.append(f"{p.formula}: band gap unknown")
            elif kind == "conductor":
                gap = float(self.gaps[_reduced(p.formula)] or 0.0)
                if gap < 0.005:
                    out.append(f"{p.formula}: metallic ({gap:.2f} eV)")
                else:
                    out.append(f"{p.formula}: band gap {gap:.2f} eV < {self.min_gap_eV:.2f} eV")
        return out

    def step_kind(self, phases: tuple[Phase, ...], ion: str = DEFAULT_ION) -> str:
        """One word for a profile figure: conductor, gas, unknown (in that priority), else
        insulator. Gas is named even when allowed."""
        kinds = {self.kind(p.formula, ion) for p in phases} - {"metal"}
        for k in ("conductor", "gas", "unknown"):
            if k in kinds:
                return k
        return "insulator"


def tolerance_range(
    steps: list[ProfileStep], own: int, atoms_per_formula_unit: float, tolerance: float
) -> tuple[int, int]:
    """Indices of the lowest and highest steps within ``tolerance`` ion per atom around
    ``own``."""
    if not tolerance >= 0:
        raise StabilityError(f"--tolerance must be a non-negative number, not {tolerance}")
    limit = tolerance * atoms_per_formula_unit * (1 + 1e-9) + 1e-12  # rounding, not physics

    def within(i: int) -> bool:
        return abs(steps[i].ion_change) <= limit

    lo = own
    while lo > 0 and within(lo - 1):
        lo -= 1
    hi = own
    while hi + 1 < len(steps) and within(hi + 1):
        hi += 1
    return lo, hi


@dataclass(frozen=True)
class PassivatedLimits:
    reduction_limit_V: float
    oxidation_limit_V: float | None
    reduction_products: list[str]
    oxidation_products: list[str]
    reduction_stop: str
    oxidation_stop: str


def _names(phases: tuple[Phase, ...], ion: str = DEFAULT_ION) -> list[str]:
    return [p.formula for p in phases if _reduced(p.formula) != ion]


def passivated_limits(
    steps: list[ProfileStep], own: int, passivation: Passivation, ion: str = DEFAULT_ION
) -> PassivatedLimits:
    """Walk outward from the strict limits of step ``own`` (see the module docstring); the
    metal of ``ion`` is never judged."""
    red_products: list[str] = []
    metal_reached = f"{ion} metal reached"
    red_limit, red_stop = steps[0].voltage_V, metal_reached
    for i in range(own - 1, -1, -1):
        why = passivation.blockers(steps[i].phases, ion)
        if why:
            red_limit, red_stop = steps[i + 1].voltage_V, "; ".join(why)
            break
        red_products = _names(steps[i].phases, ion)
    if red_limit > 0 and red_stop == metal_reached:
        red_stop = "no further step"  # a profile that does not start at 0 V (not expected)

    ox_products: list[str] = []
    ox_limit: float | None = None
    ox_stop = "no further step"
    for i in range(own + 1, len(steps)):
        why = passivation.blockers(steps[i].phases, ion)
        if why:
            ox_limit, ox_stop = steps[i].voltage_V, "; ".join(why)
            break
        ox_products = _names(steps[i].phases, ion)
    if ox_limit is None and own + 1 < len(steps):
        ox_stop = (
            f"no further step: passivating beyond the last critical potential "
            f"({steps[-1].voltage_V:.3f} V)"
        )
    return PassivatedLimits(red_limit, ox_limit, red_products, ox_products, red_stop, ox_stop)


def practical_from_steps(
    window: Window,
    loc: Located,
    steps: list[ProfileStep],
    *,
    tolerance: float | None = None,
    passivation: Passivation | None = None,
    table: EntryTable | None = None,
) -> Window:
    """Add a tolerance and/or passivated window to the strict ``window`` read off ``steps``
    (a profile along the window's ion); the products it names are flagged on ``table`` (the
    engine's dataset)."""
    ion = window.ion
    own = read_limits(steps).own
    changes: dict = {}
    if tolerance is not None:
        lo, hi = tolerance_range(steps, own, num_atoms(loc.material.amounts), tolerance)
        changes.update(
            ion_tolerance_per_atom=float(tolerance),
            strict_reduction_limit_V=window.reduction_limit_V,
            strict_oxidation_limit_V=window.oxidation_limit_V,
            reduction_limit_V=steps[lo].voltage_V,
            oxidation_limit_V=steps[hi + 1].voltage_V if hi + 1 < len(steps) else float("inf"),
            reduction_products=_names(steps[lo - 1].phases, ion) if lo > 0 else [],
            oxidation_products=_names(steps[hi + 1].phases, ion) if hi + 1 < len(steps) else [],
        )
    if passivation is not None:
        lim = passivated_limits(steps, own, passivation, ion)
        changes.update(
            passivated_reduction_limit_V=lim.reduction_limit_V,
            passivated_oxidation_limit_V=lim.oxidation_limit_V,
            passivated_reduction_products=lim.reduction_products,
            passivated_oxidation_products=lim.oxidation_products,
            passivation_reduction_stop=lim.reduction_stop,
            passivation_oxidation_stop=lim.oxidation_stop,
            passivation_min_gap_eV=passivation.min_gap_eV,
            passivation_allows_gas=passivation.allow_gas,
        )
    if changes and table is not None:
        products = [
            *changes.get("reduction_products", window.reduction_products),
            *changes.get("oxidation_products", window.oxidation_products),
            *(changes.get("passivated_reduction_products") or []),
            *(changes.get("passivated_oxidation_products") or []),
        ]
        changes["flagged_products"] = merge_flags(
            window.flagged_products, flag_phases(table, products)
        )
    return replace(window, **changes)


def compute_practical_window(
    engine: Engine,
    formula: str,
    *,
    tolerance: float | None = None,
    passivation: Passivation | None = None,
    ion: str = DEFAULT_ION,
) -> Window:
    """The window of ``formula`` with an ion-exchange tolerance and/or passivation.

    With ``tolerance`` (ion atoms per atom), ``reduction_limit_V``/``oxidation_limit_V`` are the
    tolerant limits and the strict ones move to ``strict_*_limit_V``; with ``passivation``,
    the ``passivated_*`` and ``passivation_*_stop`` fields are set. With neither it equals
    ``compute_window``. The module docstring of ``stability.analysis.windows.practical``
    defines both.

    Parameters
    ----------
    engine : Engine
        From :func:`stability.make_engine`.
    formula : str or pymatgen.core.Composition
        What :func:`stability.compute_window` takes.
    tolerance : float, optional
        Atoms of the working ion exchanged per atom of the composition that are tolerated
        (0 gives the strict window).
    passivation : Passivation, optional
        Band gaps and rules for the passivated window.
    ion : str, default "Li"
        The working ion (as :func:`stability.compute_window`); its metal is never judged.

    Returns
    -------
    Window
        The window, with the tolerance and passivation fields set as asked; its
        ``to_dataframe`` has their columns.

    Raises
    ------
    StabilityError
        As :func:`stability.compute_window`, or a negative tolerance.

    Examples
    --------
    >>> import stability
    >>> engine = stability.make_engine(stability.load_dataset())
    >>> w = stability.compute_practical_window(engine, "Li7La3Zr2O12", tolerance=0.05)
    >>> round(w.strict_oxidation_limit_V, 3), round(w.oxidation_limit_V, 3)
    (2.914, 3.175)

    Passivated: here the gaps are given by hand; ``stability.load_band_gaps()`` reads the
    data's table (all of MP's; parsed once, then cached).

    >>> gaps = stability.Passivation({"LiN3": 1.5})
    >>> w = stability.compute_practical_window(engine, "Li3N", passivation=gaps)
    >>> round(w.passivated_oxidation_limit_V, 3), w.passivation_oxidation_stop
    (1.669, 'N2: gas')
    """
    ion = check_ion(ion)
    loc = locate(engine, formula, need=ion)
    steps = loc.system.ion_profile(loc.amounts, ion)
    window = window_from_steps(loc, steps, engine, ion)
    return practical_from_steps(
        window, loc, steps, tolerance=tolerance, passivation=passivation, table=engine.table
    )


def zero_width_note(window: Window) -> str | None:
    """One line for a placed composition whose strict window is a single voltage."""
    strict_lo = (
        window.strict_reduction_limit_V
        if window.strict_reduction_limit_V is not None
        else window.reduction_limit_V
    )
    strict_hi = (
        window.strict_oxidation_limit_V
        if window.strict_oxidation_limit_V is not None
        else window.oxidation_limit_V
    )
    if not window.placed_on_hull or strict_hi - strict_lo > ZERO_WIDTH_V:
        return None
    if window.ion_tolerance_per_atom:
        return None
    return (
        f"note: {window.formula} (placed on the hull) has a zero-width strict window at "
        f"{strict_lo:.3f} V: any {window.ion} exchange decomposes it; --tolerance X "
        f"({window.ion} per atom, "
        "e.g. 0.02) gives the range where it exchanges at most X."
    )


def mark_profile(profile: VoltageProfile, passivation: Passivation) -> list[str]:
    """One word per profile step for its ``electronic`` column: ``pristine`` for the
    composition itself, else ``Passivation.step_kind`` of the phases (insulator, conductor,
    gas, unknown)."""
    ion = profile.ion
    return [
        "pristine" if s.is_pristine else passivation.step_kind(s.phases, ion) for s in profile.steps
    ]
