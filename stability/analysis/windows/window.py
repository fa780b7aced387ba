"""Intrinsic electrochemical windows (V vs Li/Li+) and the products beyond each limit."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, fields
from typing import TYPE_CHECKING

from stability import config
from stability.analysis.materials.chemistry import Located, MaterialLike, locate, read_material
from stability.formula import written_formula
from stability.thermo.base import Engine, ProfileStep, own_index

if TYPE_CHECKING:
    import pandas as pd


#: Columns of a window as a table row, in order.
WINDOW_COLUMNS = [
    "label",
    "formula",
    "reduced_formula",
    "reduction_limit_V",
    "oxidation_limit_V",
    "window_width_V",
    "reduction_products",
    "oxidation_products",
    "e_above_hull_eV_per_atom",
    "placed_on_hull",
    "material_id",
    "dataset",
    "engine",
    "reduction_limit_std_V",
    "oxidation_limit_std_V",
]

#: The window's own columns, as screens and comparisons copy them into their rows.
LIMIT_COLUMNS = [
    "reduced_formula",
    "placed_on_hull",
    "reduction_limit_V",
    "oxidation_limit_V",
    "window_width_V",
    "reduction_products",
    "oxidation_products",
]
STD_COLUMNS = ["reduction_limit_std_V", "oxidation_limit_std_V"]


@dataclass(frozen=True)
class Window:
    """The window of one composition, following Zhu, He & Mo (2015).

    Voltages are V vs Li/Li+ (minus the Li chemical potential relative to Li metal).
    Products are reduced formulas of the phases formed just beyond each limit, Li metal left
    out; an empty list at a 0 V reduction limit means stable against Li metal.
    """

    label: str
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
    #: Set with passivation (see ``stability.analysis.windows.practical``); an oxidation limit of
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
        # Shallow: asdict deep-copies every product list, a tenth of a screen's time.
        d = {f.name: getattr(self, f.name) for f in fields(self)}
        d["window_width_V"] = self.window_width_V
        if self.li_tolerance_per_atom is None:
            for k in TOLERANCE_FIELDS:
                d.pop(k)
        if self.passivation_reduction_stop is None:
            for k in PASSIVATION_FIELDS:
                d.pop(k)
        return d

    def to_row(self) -> dict:
        """Flat table row (WINDOW_COLUMNS): products ";"-joined, intervals left out."""
        d = self.to_dict()
        for k in (
            "reduction_products",
            "oxidation_products",
            "passivated_reduction_products",
            "passivated_oxidation_products",
        ):
            if d.get(k) is not None:
                d[k] = ";".join(d[k])
        extra = [k for k in (*TOLERANCE_FIELDS, *PASSIVATION_FIELDS) if k in d]
        return {k: d[k] for k in WINDOW_COLUMNS + extra}

    def to_dataframe(self) -> pd.DataFrame:
        """One row: the columns of ``WindowTable.to_dataframe`` without error."""
        import pandas as pd

        row = self.to_row()
        return pd.DataFrame([row], columns=list(row))


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


@dataclass(frozen=True)
class Limits:
    """The window read off a Li profile (Li-rich first): the only place limits are read.

    ``own`` is the composition's step; ``below``/``above`` the equilibria just beyond the
    reduction and oxidation limits (None where there is none).
    """

    own: int
    reduction_V: float
    oxidation_V: float
    below: ProfileStep | None
    above: ProfileStep | None


def read_limits(steps: list[ProfileStep]) -> Limits:
    """Return the window limits of a profile whose engine marked the composition's step."""
    k = own_index(steps)
    below = steps[k - 1] if k > 0 else None
    above = steps[k + 1] if k + 1 < len(steps) else None
    return Limits(
        own=k,
        reduction_V=steps[k].voltage_V,
        oxidation_V=above.voltage_V if above is not None else float("inf"),
        below=below,
        above=above,
    )


def _products(step: ProfileStep | None) -> list[str]:
    return [p.formula for p in step.phases] if step is not None else []


def window_from_steps(loc: Located, steps: list[ProfileStep], engine: Engine) -> Window:
    """Read the window off a Li profile (Li-rich first) of a located composition."""
    lim = read_limits(steps)
    return Window(
        label=loc.label,
        formula=loc.formula,
        reduced_formula=loc.reduced_formula,
        reduction_limit_V=lim.reduction_V,
        oxidation_limit_V=lim.oxidation_V,
        reduction_products=_products(lim.below),
        oxidation_products=_products(lim.above),
        e_above_hull_eV_per_atom=loc.e_above_hull_eV_per_atom,
        placed_on_hull=loc.placed_on_hull,
        material_id=loc.material_id,
        dataset=engine.table.name,
        engine=engine.name,
    )


def limit_row(loc: Located, steps: list[ProfileStep]) -> dict:
    """The window's own columns (``LIMIT_COLUMNS``) off a Li profile of a located
    composition, as ``window_from_steps(...).to_row()`` gives them.

    A screen row needs no more: the Window's other fields (the lowest entry of this
    composition, its id) cost a search of the system that a dataset row does not need.
    """
    lim = read_limits(steps)
    return {
        "reduced_formula": loc.reduced_formula,
        "placed_on_hull": loc.placed_on_hull,
        "reduction_limit_V": lim.reduction_V,
        "oxidation_limit_V": lim.oxidation_V,
        "window_width_V": lim.oxidation_V - lim.reduction_V,
        "reduction_products": ";".join(_products(lim.below)),
        "oxidation_products": ";".join(_products(lim.above)),
    }


def compute_window(engine: Engine, formula: MaterialLike) -> Window:
    """Return the electrochemical window of ``formula`` on ``engine``'s dataset."""
    loc = locate(engine, formula)
    return window_from_steps(
        loc, loc.system.li_window_steps(loc.amounts, config.WORKING_ION), engine
    )


@dataclass(frozen=True)
class WindowTable:
    """Windows of several inputs, in input order; a failed input has its error instead."""

    inputs: list[str]
    windows: list[Window | None]
    errors: list[str | None]

    @property
    def ok(self) -> list[Window]:
        return [w for w in self.windows if w is not None]

    def failures(self) -> dict[str, str]:
        """{input: error} of the inputs that failed."""
        return {f: e for f, e in zip(self.inputs, self.errors, strict=True) if e is not None}

    def to_dataframe(self) -> pd.DataFrame:
        """One row per input.

        Columns: label (as given, or the catalogue's name for it), formula (the composition
        computed), class (``stability.analysis.materials.classes``), reduced_formula, reduction_limit_V, oxidation_limit_V,
        window_width_V (V vs Li/Li+), reduction_products, oxidation_products (";"-joined
        reduced formulas), e_above_hull_eV_per_atom (eV/atom, NaN if not in the dataset),
        placed_on_hull, material_id, dataset, engine, reduction_limit_std_V,
        oxidation_limit_std_V (V, NaN without uncertainties); windows computed with a
        tolerance add li_tolerance_per_atom (Li per atom) and strict_reduction_limit_V,
        strict_oxidation_limit_V (the limits above are then the tolerant ones); with
        passivation, the passivated_* limits (V), products and passivation_*_stop reasons;
        then error (empty when computed).
        """
        import pandas as pd

        rows = [
            {**w.to_row(), "error": ""} if w is not None else {"label": f, "error": e}
            for f, w, e in zip(self.inputs, self.windows, self.errors, strict=True)
        ]
        from stability.analysis.materials.sets import classify

        for row, w in zip(rows, self.windows, strict=True):
            if w is not None:
                row["class"] = classify(w.formula, dict(read_material(w.formula).amounts))
        extra = [k for k in dict.fromkeys(k for r in rows for k in r) if k not in WINDOW_COLUMNS]
        extra = [k for k in extra if k not in ("error", "class")]
        columns = [*WINDOW_COLUMNS[:2], "class", *WINDOW_COLUMNS[2:], *extra, "error"]
        return pd.DataFrame(rows, columns=columns)


def compute_windows(
    engine: Engine,
    formulas: Iterable[MaterialLike],
    *,
    allow_errors: bool = False,
    jobs: int = 1,
    compute: Callable[[Engine, MaterialLike], Window] | None = None,
) -> WindowTable:
    """Windows of many materials; with ``allow_errors`` a failing one is recorded, not raised.

    ``compute`` replaces ``compute_window`` (e.g. practical windows with their settings).
    """
    from stability.analysis.runtime.batch import map_items

    one = compute or compute_window
    items = list(formulas)
    windows: list[Window | None] = [None] * len(items)
    errors: list[str | None] = [None] * len(items)
    for out in map_items(lambda f: one(engine, f), items, jobs=jobs, allow_errors=allow_errors):
        windows[out.index], errors[out.index] = out.value, out.error
    return WindowTable(
        [str(f) if isinstance(f, str) else written_formula(f) for f in items], windows, errors
    )
