"""Equilibrium voltage profiles: phase equilibria and working-ion content at every voltage
from 0 V (vs the ion's metal)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from stability import config
from stability.analysis.materials.chemistry import MaterialLike, locate
from stability.analysis.materials.flags import flag_phases, flags_text
from stability.analysis.windows.window import Window, read_limits, window_from_steps
from stability.formula import written_formula
from stability.ions import DEFAULT_ION, check_ion
from stability.thermo.base import Engine, Phase, ProfileStep

if TYPE_CHECKING:
    import pandas as pd


def _num(x: float) -> str:
    return f"{x:.4g}"


def reaction_string(
    formula: str, ion_change: float, phases: tuple[Phase, ...], ion: str = DEFAULT_ION
) -> str:
    """Balanced reaction from the pristine composition to this equilibrium (per formula unit)."""
    right = " + ".join(f"{_num(p.amount)} {p.formula}" for p in phases)
    if abs(ion_change) < config.AMOUNT_TOL:
        return f"{formula} -> {right}"
    if ion_change > 0:
        return f"{formula} + {_num(ion_change)} {ion} -> {right}"
    return f"{formula} -> {right} + {_num(-ion_change)} {ion}"


@dataclass(frozen=True)
class VoltageStep:
    """An equilibrium that holds from ``voltage_low_V`` to ``voltage_high_V`` (V vs the
    working ion's metal)."""

    voltage_low_V: float
    voltage_high_V: float | None
    ion_per_formula_unit: float
    phases: tuple[Phase, ...]
    reaction: str
    is_pristine: bool


@dataclass(frozen=True)
class VoltageProfile:
    """The voltage profile of one composition, with its window.

    Made by :func:`compute_profile`.

    Attributes
    ----------
    formula : str
        The composition computed.
    window : Window
        Its window, read off the same profile.
    steps : list of VoltageStep
        The equilibria from 0 V upwards: each holds from ``voltage_low_V`` to
        ``voltage_high_V`` (V vs the ion's metal; None for the last), with its ion uptake
        (+) or release (-) per formula unit (``ion_per_formula_unit``), ``phases``, balanced
        ``reaction`` and ``is_pristine`` (the composition's own step).

    Examples
    --------
    >>> import stability
    >>> engine = stability.make_engine(stability.load_dataset())
    >>> profile = stability.compute_profile(engine, "Li3N")
    >>> [(round(s.voltage_low_V, 3), s.reaction) for s in profile.steps]
    [(0.0, 'Li3N -> 1 Li3N'), (0.482, 'Li3N -> 0.3333 LiN3 + 2.667 Li'), (1.669, 'Li3N -> 0.5 N2 + 3 Li')]
    """

    formula: str
    window: Window
    steps: list[VoltageStep]
    #: Phases of any step worth a second look: ``{formula, reason}`` (``materials.flags``).
    flagged_products: list[dict[str, str]] = field(default_factory=list)

    def step_flags(self, step: VoltageStep) -> list[dict[str, str]]:
        """The flags of ``step``'s phases."""
        names = {p.formula for p in step.phases}
        return [f for f in self.flagged_products if f["formula"] in names]

    @property
    def label(self) -> str:
        return self.window.label

    @property
    def ion(self) -> str:
        """The working ion of the profile (its window's)."""
        return self.window.ion

    def to_dataframe(self) -> pd.DataFrame:
        """One row per equilibrium, lowest voltage first.

        Returns
        -------
        pandas.DataFrame
            Columns: label, formula, dataset (the same in every row, as ``profile --format
            csv`` writes them), ion (the working ion), voltage_low_V, voltage_high_V (V vs the
            ion's metal; NaN: no upper bound), ion_per_formula_unit (the ion taken up (+) or
            released (-) per formula unit relative to the pristine composition), phases
            (";"-joined "amount formula"), reaction, is_pristine, flagged_products (the
            step's phases worth a second look, ``formula (reason)`` ";"-joined).

        Examples
        --------
        >>> import stability
        >>> engine = stability.make_engine(stability.load_dataset())
        >>> frame = stability.compute_profile(engine, "Li3PS4").to_dataframe()
        >>> frame.loc[frame["is_pristine"], ["voltage_low_V", "voltage_high_V"]].round(3)
           voltage_low_V  voltage_high_V
        5          1.721           2.361
        """
        import pandas as pd

        head = {"label": self.label, "formula": self.formula, "dataset": self.window.dataset}
        return pd.DataFrame([{**head, **row} for row in self.rows()])

    def rows(self) -> list[dict]:
        """The rows of ``to_dataframe`` as dicts (no pandas needed)."""
        return [
            {
                "ion": self.ion,
                "voltage_low_V": s.voltage_low_V,
                "voltage_high_V": float("nan") if s.voltage_high_V is None else s.voltage_high_V,
                "ion_per_formula_unit": s.ion_per_formula_unit,
                "phases": ";".join(f"{_num(p.amount)} {p.formula}" for p in s.phases),
                "reaction": s.reaction,
                "is_pristine": s.is_pristine,
                "flagged_products": flags_text(self.step_flags(s)),
            }
            for s in self.steps
        ]

    def to_dict(self) -> dict:
        return {
            "label": self.label,
            "formula": self.formula,
            "ion": self.ion,
            "dataset": self.window.dataset,
            "window": self.window.to_dict(),
            "steps": [
                {
                    "voltage_low_V": s.voltage_low_V,
                    "voltage_high_V": s.voltage_high_V,
                    "ion_per_formula_unit": s.ion_per_formula_unit,
                    "phases": [{"formula": p.formula, "amount": p.amount} for p in s.phases],
                    "reaction": s.reaction,
                    "is_pristine": s.is_pristine,
                    "flagged_products": self.step_flags(s),
                }
                for s in self.steps
            ],
            "flagged_products": [dict(f) for f in self.flagged_products],
        }


def steps_to_profile(
    formula: str, steps: list[ProfileStep], own: int, ion: str = DEFAULT_ION
) -> list[VoltageStep]:
    """Turn critical compositions (ion-rich first) into equilibria ordered by voltage."""
    out = []
    for i, step in enumerate(steps):
        high = steps[i + 1].voltage_V if i + 1 < len(steps) else None
        out.append(
            VoltageStep(
                voltage_low_V=step.voltage_V,
                voltage_high_V=high,
                ion_per_formula_unit=config.clean(step.ion_change, 0.0),
                phases=step.phases,
                reaction=reaction_string(formula, step.ion_change, step.phases, ion),
                is_pristine=i == own,
            )
        )
    return out


def compute_profile(
    engine: Engine, formula: MaterialLike, *, ion: str = DEFAULT_ION
) -> VoltageProfile:
    """Return the voltage profile (0 V up to the last critical voltage) of ``formula``.

    Parameters
    ----------
    engine : Engine
        From :func:`stability.make_engine`.
    formula : str or pymatgen.core.Composition
        What :func:`stability.compute_window` takes.
    ion : str, default "Li"
        The working ion (as :func:`stability.compute_window`).

    Returns
    -------
    VoltageProfile
        Every equilibrium the composition passes through with the ion open, from 0 V up,
        and its window.

    Examples
    --------
    >>> import stability
    >>> engine = stability.make_engine(stability.load_dataset())
    >>> profile = stability.compute_profile(engine, "Li3N")
    >>> [round(s.ion_per_formula_unit, 3) for s in profile.steps]
    [0.0, -2.667, -3.0]
    >>> round(profile.window.oxidation_limit_V, 3)
    0.482
    """
    ion = check_ion(ion)
    loc = locate(engine, formula, need=ion)
    steps = loc.system.ion_profile(loc.amounts, ion)
    window = window_from_steps(loc, steps, engine, ion)
    own = read_limits(steps).own
    written = written_formula(loc.material.amounts)
    profile = steps_to_profile(written, steps, own, ion)
    phases = [p.formula for step in profile for p in step.phases]
    return VoltageProfile(loc.formula, window, profile, flag_phases(engine.table, phases))
