"""Intrinsic electrochemical windows (V vs Li/Li+) and the products beyond each limit."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import asdict, dataclass
from typing import TYPE_CHECKING

from stability import config
from stability.analysis.chemistry import Located, locate
from stability.thermo.base import Engine, ProfileStep

if TYPE_CHECKING:
    import pandas as pd


@dataclass(frozen=True)
class Window:
    """The window of one composition, following Zhu, He & Mo (2015).

    Voltages are V vs Li/Li+ (minus the Li chemical potential relative to Li metal).
    Products are reduced formulas of the phases formed just beyond each limit, Li metal left
    out; an empty list at a 0 V reduction limit means stable against Li metal.
    """

    formula: str
    reduced_formula: str
    reduction_limit_V: float
    oxidation_limit_V: float
    reduction_products: list[str]
    oxidation_products: list[str]
    e_above_hull_eV_per_atom: float | None
    placed_on_hull: bool
    material_id: str | None
    dataset: str
    engine: str
    #: Set by ``uncertainty.with_window_uncertainty``: 1-sigma and central 95% interval (V).
    reduction_limit_std_V: float | None = None
    oxidation_limit_std_V: float | None = None
    reduction_limit_ci95_V: tuple[float, float] | None = None
    oxidation_limit_ci95_V: tuple[float, float] | None = None
    #: Set by ``practical.compute_practical_window`` with a tolerance (Li per atom): the
    #: limits above are then the tolerant ones, and the strict ones are kept here.
    li_tolerance_per_atom: float | None = None
    strict_reduction_limit_V: float | None = None
    strict_oxidation_limit_V: float | None = None
    #: Set with passivation (see ``stability.analysis.practical``); an oxidation limit of
    #: None with a stop reason means nothing stops the walk.
    passivated_reduction_limit_V: float | None = None
    passivated_oxidation_limit_V: float | None = None
    passivated_reduction_products: list[str] | None = None
    passivated_oxidation_products: list[str] | None = None
    passivation_reduction_stop: str | None = None
    passivation_oxidation_stop: str | None = None
    passivation_min_gap_eV: float | None = None
    passivation_allows_gas: bool | None = None

    @property
    def window_width_V(self) -> float:
        return self.oxidation_limit_V - self.reduction_limit_V

    def to_dict(self) -> dict:
        """All fields and ``window_width_V``; the tolerance and passivation fields only when
        they were computed."""
        d = asdict(self)
        d["window_width_V"] = self.window_width_V
        if self.li_tolerance_per_atom is None:
            for k in TOLERANCE_FIELDS:
                d.pop(k)
        if self.passivation_reduction_stop is None:
            for k in PASSIVATION_FIELDS:
                d.pop(k)
        return d

    def to_row(self) -> dict:
        """Flat table row: products ";"-joined, intervals left out (std columns kept)."""
        d = self.to_dict()
        for k in (
            "reduction_products",
            "oxidation_products",
            "passivated_reduction_products",
            "passivated_oxidation_products",
        ):
            if k in d:
                d[k] = ";".join(d[k])
        d.pop("reduction_limit_ci95_V")
        d.pop("oxidation_limit_ci95_V")
        return d


TOLERANCE_FIELDS = ("li_tolerance_per_atom", "strict_reduction_limit_V", "strict_oxidation_limit_V")
PASSIVATION_FIELDS = (
    "passivated_reduction_limit_V",
    "passivated_oxidation_limit_V",
    "passivated_reduction_products",
    "passivated_oxidation_products",
    "passivation_reduction_stop",
    "passivation_oxidation_stop",
    "passivation_min_gap_eV",
    "passivation_allows_gas",
)


def own_step(steps: list[ProfileStep], reduced_formula: str) -> int:
    """Index of the profile step that is the composition itself."""
    for i, step in enumerate(steps):
        if len(step.phases) == 1 and step.phases[0].formula == reduced_formula:
            return i
    return min(range(len(steps)), key=lambda i: abs(steps[i].li_change))


def window_from_steps(loc: Located, steps: list[ProfileStep], engine: Engine) -> Window:
    """Read the window off a Li profile (Li-rich first) of a located composition."""
    k = own_step(steps, loc.composition.reduced_formula)
    below = steps[k - 1].phases if k > 0 else ()
    above = steps[k + 1].phases if k + 1 < len(steps) else ()
    return Window(
        formula=loc.formula,
        reduced_formula=loc.composition.reduced_formula,
        reduction_limit_V=steps[k].voltage_V,
        oxidation_limit_V=steps[k + 1].voltage_V if k + 1 < len(steps) else float("inf"),
        reduction_products=[p.formula for p in below],
        oxidation_products=[p.formula for p in above],
        e_above_hull_eV_per_atom=loc.e_above_hull_eV_per_atom,
        placed_on_hull=loc.placed_on_hull,
        material_id=loc.material_id,
        dataset=engine.table.name,
        engine=engine.name,
    )


def compute_window(engine: Engine, formula: str) -> Window:
    """Return the electrochemical window of ``formula`` on ``engine``'s dataset."""
    loc = locate(engine, formula)
    return window_from_steps(
        loc, loc.system.li_window_steps(loc.amounts, config.WORKING_ION), engine
    )


@dataclass(frozen=True)
class WindowTable:
    """Windows of several compositions, with the errors of those that failed."""

    windows: list[Window]
    errors: dict[str, str]

    def to_dataframe(self) -> pd.DataFrame:
        """One row per formula.

        Columns: formula, reduced_formula, reduction_limit_V, oxidation_limit_V,
        window_width_V (V vs Li/Li+), reduction_products, oxidation_products (";"-joined
        reduced formulas), e_above_hull_eV_per_atom (eV/atom, NaN if not in the dataset),
        placed_on_hull, material_id, dataset, engine, error. Windows computed with a
        tolerance add li_tolerance_per_atom (Li per atom) and strict_reduction_limit_V,
        strict_oxidation_limit_V (the limits above are then the tolerant ones); with
        passivation, the passivated_* limits (V), products and passivation_*_stop reasons.
        """
        import pandas as pd

        rows = [{**w.to_row(), "error": ""} for w in self.windows]
        rows += [{"formula": f, "error": e} for f, e in self.errors.items()]
        return pd.DataFrame(rows)


def compute_windows(
    engine: Engine, formulas: Iterable[str], *, allow_errors: bool = False
) -> WindowTable:
    """Windows of many formulas; with ``allow_errors`` a failing formula is recorded, not raised."""
    from stability.errors import StabilityError

    windows, errors = [], {}
    for f in formulas:
        try:
            windows.append(compute_window(engine, f))
        except StabilityError as exc:
            if not allow_errors:
                raise
            errors[f] = str(exc)
    return WindowTable(windows, errors)
