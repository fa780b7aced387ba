"""Intrinsic electrochemical windows (V vs the working ion's metal) and the products beyond
each limit."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, fields
from functools import partial
from typing import TYPE_CHECKING

from stability.analysis.materials.chemistry import Located, MaterialLike, locate, read_material
from stability.analysis.materials.flags import flag_phases, flags_text
from stability.entries.table import EntryTable
from stability.formula import written_formula
from stability.ions import DEFAULT_ION, check_ion
from stability.thermo.base import Engine, ProfileStep, own_index
from stability.thermo.temperature import engine_at_temperature, temperature_note, temperature_of

if TYPE_CHECKING:
    import pandas as pd


#: Columns of a window as a table row, in order.
WINDOW_COLUMNS = [
    "label",
    "formula",
    "reduced_formula",
    "ion",
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
    "flagged_products",
    "temperature_K",
    "temperature_note",
]

#: The window's own columns, as screens and comparisons copy them into their rows.
LIMIT_COLUMNS = [
    "reduced_formula",
    "ion",
    "placed_on_hull",
    "reduction_limit_V",
    "oxidation_limit_V",
    "window_width_V",
    "reduction_products",
    "oxidation_products",
    "flagged_products",
]
STD_COLUMNS = ["reduction_limit_std_V", "oxidation_limit_std_V"]


@dataclass(frozen=True)
class Window:
    """The window of one composition, following Zhu, He & Mo (2015).

    Voltages are V vs the working ion's metal (``ion``; V vs Li/Li+ for Li): minus the ion's
    chemical potential relative to its metal, per charge z. Products are reduced formulas of
    the phases formed just beyond each limit, the ion's metal left out; an empty list at a
    0 V reduction limit means stable against the metal. Made by
    :func:`compute_window` (and, with more fields set, ``compute_practical_window`` and
    ``with_window_uncertainty``).

    Attributes
    ----------
    label : str
        The input as given, or the catalogue's name for it.
    formula, reduced_formula : str
        The composition computed, as written and reduced.
    ion : str
        The working ion (Li, Na, K, Mg, Ca, Zn or Al) whose chemical potential is open.
    reduction_limit_V, oxidation_limit_V : float
        The limits (V vs the ion's metal); ``window_width_V`` is their difference. The oxidation
        limit is ``inf`` when no step lies above the window.
    reduction_products, oxidation_products : list of str
        Phases formed just below the reduction and just above the oxidation limit.
    e_above_hull_eV_per_atom : float or None
        Energy above the hull (eV/atom) of the dataset's lowest entry of this composition;
        None when the dataset has none.
    placed_on_hull : bool
        True when the composition is not in the dataset and was placed on the hull.
    material_id : str or None
        The id of the dataset's lowest entry of this composition, when known.
    dataset, engine : str
        The dataset's name and the engine's.
    reduction_limit_std_V, oxidation_limit_std_V : float or None
        1-sigma of the limits (V) under the MP2020 correction uncertainties, when computed.
    flagged_products : list of dict
        ``{formula, reason}`` of the products worth a second look (likely dataset
        artefacts; ``stability.analysis.materials.flags``, the manual's flags page).
    other_release, other_release_reduction_limit_V, other_release_oxidation_limit_V : str, float or None
        Set by ``with_release_check``: the other bundled MP release and the limits there;
        ``release_note`` says in one line where it disagrees (None: it agrees).
    temperature_K : float or None
        The temperature (K) of the energies (``compute_window(..., temperature_K=...)``);
        None: the dataset's 0 K energies. ``temperature_note`` says in one line what moved
        (``stability.thermo.temperature.temperature_note``): how many solids took G^delta(T),
        and plainly when solids keep 0 K energies.
    ion_tolerance_per_atom, strict_reduction_limit_V, strict_oxidation_limit_V : float or None
        Set with an ion-exchange tolerance (see ``compute_practical_window``).
    passivated_reduction_limit_V, passivated_oxidation_limit_V : float or None
        Set with passivation, with ``passivated_*_products``, ``passivation_*_stop`` (why
        each side stops), ``passivation_min_gap_eV`` and ``passivation_allows_gas``.

    Examples
    --------
    >>> import stability
    >>> engine = stability.make_engine(stability.load_dataset())
    >>> w = stability.compute_window(engine, "Li3N")
    >>> round(w.reduction_limit_V, 3), round(w.oxidation_limit_V, 3)
    (0.0, 0.482)
    >>> w.oxidation_products
    ['LiN3']
    >>> f"{w.window_width_V:.3f} V"
    '0.482 V'
    """

    label: str
    formula: str
    reduced_formula: str
    ion: str
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
    #: Set by ``practical.compute_practical_window`` with a tolerance (ion per atom): the
    #: limits above are then the tolerant ones, and the strict ones are kept here.
    ion_tolerance_per_atom: float | None = None
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
    #: Products worth a second look: ``{formula, reason}`` (``flags.flag_phases``).
    flagged_products: list[dict[str, str]] = field(default_factory=list)
    #: Set by ``releases.with_release_check``: the window on the other bundled release.
    other_release: str | None = None
    other_release_reduction_limit_V: float | None = None
    other_release_oxidation_limit_V: float | None = None
    release_note: str | None = None
    #: The temperature of the energies (K; None: 0 K) and what it moved (one line).
    temperature_K: float | None = None
    temperature_note: str | None = None

    @property
    def window_width_V(self) -> float:
        return self.oxidation_limit_V - self.reduction_limit_V

    def to_dict(self) -> dict:
        """All fields and ``window_width_V``; the tolerance and passivation fields only when
        they were computed."""
        # Shallow: asdict deep-copies every product list, a tenth of a screen's time.
        d = {f.name: getattr(self, f.name) for f in fields(self)}
        d["window_width_V"] = self.window_width_V
        if self.ion_tolerance_per_atom is None:
            for k in TOLERANCE_FIELDS:
                d.pop(k)
        if self.passivation_reduction_stop is None:
            for k in PASSIVATION_FIELDS:
                d.pop(k)
        if self.other_release is None:
            for k in RELEASE_FIELDS:
                d.pop(k)
        d["flagged_products"] = [dict(f) for f in self.flagged_products]
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
        d["flagged_products"] = flags_text(self.flagged_products)
        extra = [k for k in (*TOLERANCE_FIELDS, *PASSIVATION_FIELDS, *RELEASE_FIELDS) if k in d]
        return {k: d[k] for k in WINDOW_COLUMNS + extra}

    def to_dataframe(self) -> pd.DataFrame:
        """The window as a one-row table (the row ``stability window --format csv`` writes).

        Returns
        -------
        pandas.DataFrame
            Columns: label, formula, reduced_formula, ion (the working ion),
            reduction_limit_V, oxidation_limit_V, window_width_V (V vs the ion's metal),
            reduction_products, oxidation_products (";"-joined
            reduced formulas), e_above_hull_eV_per_atom (eV/atom; None if not in the
            dataset), placed_on_hull, material_id, dataset, engine, reduction_limit_std_V,
            oxidation_limit_std_V (V; None without uncertainties), flagged_products
            (``formula (reason)``, ";"-joined). With a release check: other_release,
            other_release_reduction_limit_V, other_release_oxidation_limit_V (V),
            release_note. temperature_K (K; None: 0 K), temperature_note. With a tolerance:
            ion_tolerance_per_atom (ion per atom), strict_reduction_limit_V,
            strict_oxidation_limit_V (V). With passivation: passivated_reduction_limit_V,
            passivated_oxidation_limit_V (V; None: nothing stops the walk),
            passivated_reduction_products, passivated_oxidation_products (";"-joined),
            passivation_reduction_stop, passivation_oxidation_stop (why each side stops),
            passivation_min_gap_eV (eV), passivation_allows_gas.

        Examples
        --------
        >>> import stability
        >>> engine = stability.make_engine(stability.load_dataset())
        >>> frame = stability.compute_window(engine, "Li3PS4").to_dataframe()
        >>> frame[["reduction_limit_V", "oxidation_limit_V"]].round(3).values.tolist()
        [[1.721, 2.361]]
        """
        import pandas as pd

        row = self.to_row()
        return pd.DataFrame([row], columns=list(row))


TOLERANCE_FIELDS = (
    "ion_tolerance_per_atom",
    "strict_reduction_limit_V",
    "strict_oxidation_limit_V",
)
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
RELEASE_FIELDS = (
    "other_release",
    "other_release_reduction_limit_V",
    "other_release_oxidation_limit_V",
    "release_note",
)


@dataclass(frozen=True)
class Limits:
    """The window read off an ion profile (ion-rich first): the only place limits are read.

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


def window_from_steps(
    loc: Located, steps: list[ProfileStep], engine: Engine, ion: str = DEFAULT_ION
) -> Window:
    """Read the window off an ``ion`` profile (ion-rich first) of a located composition."""
    lim = read_limits(steps)
    reduction, oxidation = _products(lim.below), _products(lim.above)
    return Window(
        label=loc.label,
        formula=loc.formula,
        reduced_formula=loc.reduced_formula,
        ion=ion,
        reduction_limit_V=lim.reduction_V,
        oxidation_limit_V=lim.oxidation_V,
        reduction_products=reduction,
        oxidation_products=oxidation,
        e_above_hull_eV_per_atom=loc.e_above_hull_eV_per_atom,
        placed_on_hull=loc.placed_on_hull,
        material_id=loc.material_id,
        dataset=engine.table.name,
        engine=engine.name,
        flagged_products=flag_phases(engine.table, reduction + oxidation),
        temperature_K=temperature_of(engine.table),
        temperature_note=temperature_note(engine.table),
    )


def limit_row(
    loc: Located, steps: list[ProfileStep], table: EntryTable, ion: str = DEFAULT_ION
) -> dict:
    """The window's own columns (``LIMIT_COLUMNS``) off an ``ion`` profile of a located
    composition, as ``window_from_steps(...).to_row()`` gives them.

    A screen row needs no more: the Window's other fields (the lowest entry of this
    composition, its id) cost a search of the system that a dataset row does not need.
    """
    lim = read_limits(steps)
    reduction, oxidation = _products(lim.below), _products(lim.above)
    return {
        "reduced_formula": loc.reduced_formula,
        "ion": ion,
        "placed_on_hull": loc.placed_on_hull,
        "reduction_limit_V": lim.reduction_V,
        "oxidation_limit_V": lim.oxidation_V,
        "window_width_V": lim.oxidation_V - lim.reduction_V,
        "reduction_products": ";".join(reduction),
        "oxidation_products": ";".join(oxidation),
        "flagged_products": flags_text(flag_phases(table, reduction + oxidation)),
    }


def compute_window(
    engine: Engine,
    formula: MaterialLike,
    *,
    ion: str = DEFAULT_ION,
    temperature_K: float | None = None,
) -> Window:
    """Return the electrochemical window of ``formula`` on ``engine``'s dataset.

    Parameters
    ----------
    engine : Engine
        From :func:`stability.make_engine`; its dataset gives the phase diagram.
    formula : str or pymatgen.core.Composition
        A formula (``"Li3N"``), a catalogue label or alias (``"LGPS"``, ``"beta-Li3N"``), a
        material id of the dataset, or a Composition. A composition the dataset lacks is
        placed on the hull.
    ion : str, default "Li"
        The working ion open to its metal: Li, Na, K, Mg, Ca, Zn or Al. Voltages are
        against its metal, per charge (z = 1 for Li, Na, K; 2 for Mg, Ca, Zn; 3 for Al).
    temperature_K : float, optional
        300-2000 K: every phase at this temperature (``stability.thermo.temperature``):
        solids with structures by Bartel's G^delta(T), gases by NIST-JANAF, the ion's metal
        at T; solids without structures keep their 0 K energies (``Window.temperature_note``
        says so). None (default): the dataset's 0 K energies.

    Returns
    -------
    Window
        The limits (V vs the ion's metal) and the products beyond each.

    Raises
    ------
    StabilityError
        The formula does not read, has no ``ion`` (the message names the ions it has), the
        ion is not a working ion, or the dataset lacks one of its elements.
    TypeError
        ``formula`` is neither a string nor a Composition.

    Examples
    --------
    >>> import stability
    >>> engine = stability.make_engine(stability.load_dataset())
    >>> w = stability.compute_window(engine, "Li3N")
    >>> round(w.oxidation_limit_V, 3)
    0.482
    >>> w = stability.compute_window(engine, "LGPS")
    >>> w.formula, f"{w.reduction_limit_V:.3f}-{w.oxidation_limit_V:.3f} V"
    ('Li10GeP2S12', '1.721-2.291 V')
    >>> w = stability.compute_window(engine, "Na3PS4", ion="Na")
    >>> w.ion, f"{w.reduction_limit_V:.3f}-{w.oxidation_limit_V:.3f} V"
    ('Na', '1.246-2.130 V')
    """
    ion = check_ion(ion)
    if temperature_K is not None:
        engine = engine_at_temperature(engine, temperature_K)
    loc = locate(engine, formula, need=ion)
    return window_from_steps(loc, loc.system.ion_window_steps(loc.amounts, ion), engine, ion)


@dataclass(frozen=True)
class WindowTable:
    """Windows of several inputs, in input order; a failed input has its error instead.

    Made by :func:`compute_windows`.

    Attributes
    ----------
    inputs : list of str
        The inputs as given.
    windows : list of Window or None
        The window of each input; None where it failed.
    errors : list of str or None
        Why each input failed; None where it was computed.

    Examples
    --------
    >>> import stability
    >>> engine = stability.make_engine(stability.load_dataset())
    >>> table = stability.compute_windows(engine, ["Li3N", "NCl3"], allow_errors=True)
    >>> [round(w.oxidation_limit_V, 3) for w in table.ok]
    [0.482]
    >>> list(table.failures())
    ['NCl3']
    """

    inputs: list[str]
    windows: list[Window | None]
    errors: list[str | None]

    @property
    def ok(self) -> list[Window]:
        return [w for w in self.windows if w is not None]

    def failures(self) -> dict[str, str]:
        """``{input: error}`` of the inputs that failed."""
        return {f: e for f, e in zip(self.inputs, self.errors, strict=True) if e is not None}

    def to_dataframe(self) -> pd.DataFrame:
        """One row per input, in input order (the table ``stability window`` writes).

        Returns
        -------
        pandas.DataFrame
            Columns: label (as given, or the catalogue's name for it), formula (the
            composition computed), class (``stability.analysis.materials.classes``),
            reduced_formula, ion (the working ion), reduction_limit_V, oxidation_limit_V,
            window_width_V (V vs the ion's metal), reduction_products, oxidation_products (";"-joined reduced formulas),
            e_above_hull_eV_per_atom (eV/atom, NaN if not in the dataset), placed_on_hull,
            material_id, dataset, engine, reduction_limit_std_V, oxidation_limit_std_V (V,
            NaN without uncertainties); windows computed with a tolerance add
            ion_tolerance_per_atom (ion per atom) and strict_reduction_limit_V,
            strict_oxidation_limit_V (the limits above are then the tolerant ones); with
            passivation, passivated_reduction_limit_V, passivated_oxidation_limit_V (V),
            passivated_reduction_products, passivated_oxidation_products,
            passivation_reduction_stop, passivation_oxidation_stop (why each side stops),
            passivation_min_gap_eV (eV) and passivation_allows_gas; flagged_products
            (``formula (reason)``, ";"-joined); with a release check other_release,
            other_release_reduction_limit_V, other_release_oxidation_limit_V (V) and
            release_note; temperature_K (K; NaN: the dataset's 0 K energies) and
            temperature_note (what the temperature moved); then error (empty when computed).

        Examples
        --------
        >>> import stability
        >>> engine = stability.make_engine(stability.load_dataset())
        >>> frame = stability.compute_windows(engine, ["Li3N", "Li3InCl6"]).to_dataframe()
        >>> frame[["label", "class", "oxidation_limit_V"]].round(3).values.tolist()
        [['Li3N', 'nitride', 0.482], ['Li3InCl6', 'chloride', 4.305]]
        """
        import pandas as pd

        rows = [
            {**w.to_row(), "error": ""} if w is not None else {"label": f, "error": e}
            for f, w, e in zip(self.inputs, self.windows, self.errors, strict=True)
        ]
        for row, w in zip(rows, self.windows, strict=True):
            if w is not None:
                row["class"] = window_class(w)
        extra = [k for k in dict.fromkeys(k for r in rows for k in r) if k not in WINDOW_COLUMNS]
        extra = [k for k in extra if k not in ("error", "class")]
        columns = [*WINDOW_COLUMNS[:2], "class", *WINDOW_COLUMNS[2:], *extra, "error"]
        return pd.DataFrame(rows, columns=columns)


def window_class(w: Window) -> str:
    """The ``class`` of a window's composition (``stability.analysis.materials.classes``), as
    its CSV and JSON rows give it."""
    from stability.analysis.materials.sets import classify

    return classify(w.formula, dict(read_material(w.formula).amounts))


def compute_windows(
    engine: Engine,
    formulas: Iterable[MaterialLike],
    *,
    allow_errors: bool = False,
    jobs: int = 1,
    compute: Callable[[Engine, MaterialLike], Window] | None = None,
    ion: str = DEFAULT_ION,
    temperature_K: float | None = None,
) -> WindowTable:
    """Windows of many materials; with ``allow_errors`` a failing one is recorded, not raised.

    Parameters
    ----------
    engine : Engine
        From :func:`stability.make_engine`.
    formulas : iterable of str or pymatgen.core.Composition
        What :func:`compute_window` takes, one per window.
    allow_errors : bool, default False
        Record a failing input's error in the table instead of raising it.
    jobs : int, default 1
        Local worker processes (see :func:`stability.map_items`).
    compute : callable, optional
        ``compute(engine, formula) -> Window`` in place of :func:`compute_window` (e.g.
        ``compute_practical_window`` with its settings, through ``functools.partial``).
    ion : str, default "Li"
        The working ion of :func:`compute_window` (not used with ``compute``, which sets its
        own).
    temperature_K : float, optional
        The temperature of :func:`compute_window` (300-2000 K); with ``compute``, that is
        given the engine at this temperature. None: 0 K.

    Returns
    -------
    WindowTable
        The windows in input order, with the errors of the inputs that failed.

    Raises
    ------
    StabilityError
        An input failed and ``allow_errors`` is False.

    Examples
    --------
    >>> import stability
    >>> engine = stability.make_engine(stability.load_dataset())
    >>> table = stability.compute_windows(engine, ["Li3N", "Li3PS4", "Li3InCl6"])
    >>> [(w.label, round(w.reduction_limit_V, 3), round(w.oxidation_limit_V, 3)) for w in table.ok]
    [('Li3N', 0.0, 0.482), ('Li3PS4', 1.721, 2.361), ('Li3InCl6', 2.621, 4.305)]
    """
    from stability.analysis.runtime.batch import map_items

    ion = check_ion(ion)
    if temperature_K is not None:
        engine = engine_at_temperature(engine, temperature_K)
    one = compute or partial(compute_window, ion=ion)
    items = list(formulas)
    windows: list[Window | None] = [None] * len(items)
    errors: list[str | None] = [None] * len(items)
    for out in map_items(lambda f: one(engine, f), items, jobs=jobs, allow_errors=allow_errors):
        windows[out.index], errors[out.index] = out.value, out.error
    return WindowTable(
        [str(f) if isinstance(f, str) else written_formula(f) for f in items], windows, errors
    )
