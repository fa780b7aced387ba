"""Which material C, placed between A and B, keeps them apart best?

Every candidate C is judged by the reactions it would itself undergo in the stack A | C | B:

- C | A and C | B closed (meV per atom of the mixture);
- C | A and C | B with Li open at each voltage that face sees (meV per non-Li atom; each side
  first equilibrated with Li, the mutual energy); a face against Li metal is closed only;
- C's own window against every potential it must hold (0 V at a Li-metal face, the given
  voltages at the others);
- C's energy above the hull (a metastable C decomposes on its own).

Score (``score_meV_per_atom``: meV per atom of the reactants as written, <= 0, 0 is best): the
most negative of C's reaction energies with A and with B, closed and with Li open, and of
-1000 x C's energy above hull (eV/atom). Every term is per atom of what reacts, Li included,
as written (before any Li is exchanged with the reservoir), the normalisation of the closed
energies, the energy above hull and the decomposition energy (Zhu, He & Mo 2015): a Li-open
energy, reported per non-Li atom (``ion_open_reaction_energy_with_*_meV_per_non_ion_atom``), enters
the score times the non-Li atoms per atom of its reactant mixture at its kink
(``Interface.worst_kink_per_reactant_atom``), the most negative over the kinks and voltages. Per non-Li atom
would instead inflate the closed energies and the energy above hull of Li-rich candidates by
their Li content, and a single per-atom scale keeps the ranking comparable with the closed
reaction energies it is mostly decided by. Candidates whose
window covers every required potential are ranked first, by score (closest to 0 first), then
by the margin of their window around the required potentials; the others follow, by how far
their window falls short (V), unscored: their interfaces are not computed (the prefilter that
makes a dataset-wide search fast).

The work is two per-candidate functions (``candidate_window``, then ``candidate_reactions``
for the candidates the first keeps), each ``fn(engine, item) -> dict`` on plain picklable
items, run by ``_map`` through the batch primitive ``map_items`` (local processes or a Dask
cluster).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from functools import partial
from typing import TYPE_CHECKING, Any

from stability.analysis.cells.cell import resolve_material
from stability.analysis.cells.stack import WINDOW_TOL_V
from stability.analysis.interfaces.interface import check_voltage, compute_interface
from stability.analysis.materials.chemistry import locate
from stability.analysis.materials.flags import flag_phases, flags_text
from stability.analysis.runtime.batch import Executor
from stability.analysis.windows.window import compute_window, window_from_steps
from stability.errors import StabilityError
from stability.formula import formula_amounts, parse_formula, reduced_formula
from stability.ions import DEFAULT_ION  # cells are Li-only
from stability.thermo.base import Engine

if TYPE_CHECKING:
    import pandas as pd

    from stability.analysis.windows.window import Window

#: Default --max-ehull (eV/atom): "on or near the hull".
MAX_EHULL_EV = 0.025


@dataclass(frozen=True)
class Faces:
    """The two materials to keep apart and the Li-open voltages each face of C sees."""

    a: str
    b: str
    a_formula: str
    b_formula: str
    voltages_a_V: tuple[float, ...]
    voltages_b_V: tuple[float, ...]
    a_is_li: bool
    b_is_li: bool

    def voltages_at(self, side: str) -> tuple[float, ...]:
        """Li-open voltages of face C | side (none against Li metal: closed only)."""
        if side == "a":
            return () if self.a_is_li else self.voltages_a_V
        return () if self.b_is_li else self.voltages_b_V

    @property
    def required_V(self) -> tuple[float, ...]:
        """Every potential C must hold: 0 V at a Li-metal face, the voltages at the others."""
        need = set(self.voltages_at("a")) | set(self.voltages_at("b"))
        if self.a_is_li or self.b_is_li:
            need.add(0.0)
        return tuple(sorted(need))


def _is_li_metal(formula: str) -> bool:
    return {str(e) for e in parse_formula(formula).elements} == {DEFAULT_ION}


def make_faces(
    a: str, b: str, voltages_a: Iterable[float] = (), voltages_b: Iterable[float] | None = None
) -> Faces:
    """Faces of C between ``a`` and ``b`` (names or catalogue labels): the Li-open voltages
    (V) of face C | A, and of face C | B (default: the same)."""
    va = tuple(sorted({float(v) for v in voltages_a}))
    vb = va if voltages_b is None else tuple(sorted({float(v) for v in voltages_b}))
    for v in (*va, *vb):
        check_voltage(v)
    af, bf = resolve_material(a), resolve_material(b)
    a_li, b_li = _is_li_metal(af), _is_li_metal(bf)
    if a_li and b_li:
        raise StabilityError("A and B are both Li metal: nothing to separate")
    return Faces(a, b, af, bf, va, vb, a_li, b_li)


def gap_voltages(engine: Engine, a: str, b: str) -> tuple[float, float]:
    """The potentials of C's faces between A (Li side) and B (cathode side) when none are
    given: A's oxidation limit at face C | A and B's reduction limit at face C | B (Li
    metal's "window" is 0 V), so C must hold the range between them. Where A's and B's
    windows overlap, C holds their overlap and each face is at one end of it."""

    def limits(name: str) -> tuple[float, float]:
        formula = resolve_material(name)
        if _is_li_metal(formula):
            return 0.0, 0.0
        w = compute_window(engine, formula)
        return w.reduction_limit_V, w.oxidation_limit_V

    (_, ox_a), (red_b, _) = limits(a), limits(b)
    return round(ox_a, 6), round(red_b, 6)


def _reduced(formula: str) -> str:
    # parse_formula(formula).reduced_formula, without building a pymatgen Composition
    # (stability.formula repeats its parser and reduction step for step).
    return reduced_formula(formula_amounts(formula))


def candidate_window(engine: Engine, item: tuple[str, str, Faces, float]) -> dict:
    """Stage 1 for one candidate ``(key, formula, faces, max_ehull)``: energy above hull,
    window, whether it covers the required potentials, and whether to react it (stage 2).

    A candidate further above the hull than ``max_ehull`` is left out whatever its window,
    so its window is not computed (its hull energy decides; a composition the dataset lacks
    has none and is kept): ``within_max_ehull`` is then False and the window fields absent.
    """
    key, formula, faces, max_ehull = item
    row: dict[str, Any] = {"key": key, "formula": formula, "error": ""}
    try:
        # What compute_window does, in two steps: the window only where it is needed.
        loc = locate(engine, formula, need=DEFAULT_ION)
        e_hull = loc.e_above_hull_eV_per_atom
        if e_hull is not None and not e_hull <= max_ehull + 1e-12:
            return {**row, "e_above_hull_eV_per_atom": e_hull, "within_max_ehull": False}
        steps = loc.system.ion_window_steps(loc.amounts, DEFAULT_ION)
        w = window_from_steps(loc, steps, engine, DEFAULT_ION)
    except StabilityError as exc:
        return {**row, "error": str(exc), "stage": "window"}
    return window_row(row, w, faces, max_ehull)


def window_row(row: dict[str, Any], w: Window, faces: Faces, max_ehull: float) -> dict:
    """``row`` with stage 1's window fields from candidate window ``w``: limits, margin and
    shortfall against the faces' required potentials, and the energy-above-hull test."""
    need = faces.required_V
    short = 0.0
    if need:
        short = max(0.0, w.reduction_limit_V - min(need), max(need) - w.oxidation_limit_V)
    e_hull = w.e_above_hull_eV_per_atom
    margin = (
        min(min(need) - w.reduction_limit_V, w.oxidation_limit_V - max(need))
        if need
        else w.window_width_V
    )
    return {
        **row,
        "reduced_formula": w.reduced_formula,
        "e_above_hull_eV_per_atom": e_hull,
        "placed_on_hull": w.placed_on_hull,
        "reduction_limit_V": w.reduction_limit_V,
        "oxidation_limit_V": w.oxidation_limit_V,
        "window_margin_V": margin,
        "window_shortfall_V": short,
        "covers_voltages": short <= WINDOW_TOL_V,
        "within_max_ehull": e_hull is None or e_hull <= max_ehull + 1e-12,
    }


def _face(engine: Engine, c: str, other: str, voltages: tuple[float, ...]) -> dict:
    closed = compute_interface(engine, c, other)
    # The Li-open reaction worst per atom of the reactants, over kinks and voltages; its
    # energy per non-Li atom, voltage and products are those of that same kink.
    worst_per_atom, worst_open, at, open_products = None, None, None, []
    for v in voltages:
        r = compute_interface(engine, c, other, v)
        per_atom, kink = r.worst_kink_per_reactant_atom()
        if worst_per_atom is None or per_atom < worst_per_atom:
            worst_per_atom, worst_open, at = per_atom, kink.reaction_energy_meV, v
            open_products = kink.products
    return {
        "open_per_atom": worst_per_atom,
        "closed": closed.reaction_energy_meV_per_atom,
        "closed_products": closed.products,
        "open": worst_open,
        "at": at,
        "open_products": open_products,
    }


def candidate_reactions(engine: Engine, item: tuple[str, str, Faces, float | None]) -> dict:
    """Stage 2 for one candidate ``(key, formula, faces, e_above_hull)``: its reactions with
    A and B, closed and at the Li-open voltages of each face, and its score."""
    key, formula, faces, e_hull = item
    row: dict[str, Any] = {"key": key, "error": ""}
    try:
        fa = _face(engine, formula, faces.a_formula, faces.voltages_at("a"))
        fb = _face(engine, formula, faces.b_formula, faces.voltages_at("b"))
    except StabilityError as exc:
        return {**row, "error": str(exc), "stage": "reactions"}
    terms = [fa["closed"], fb["closed"], -1000.0 * (e_hull or 0.0)]
    terms += [f["open_per_atom"] for f in (fa, fb) if f["open_per_atom"] is not None]
    return {
        **row,
        "reaction_energy_with_a_meV_per_atom": fa["closed"],
        "products_with_a": fa["closed_products"],
        "reaction_energy_with_b_meV_per_atom": fb["closed"],
        "products_with_b": fb["closed_products"],
        "ion_open_reaction_energy_with_a_meV_per_non_ion_atom": fa["open"],
        "ion_open_with_a_at_voltage_V": fa["at"],
        "ion_open_products_with_a": fa["open_products"],
        "ion_open_reaction_energy_with_b_meV_per_non_ion_atom": fb["open"],
        "ion_open_with_b_at_voltage_V": fb["at"],
        "ion_open_products_with_b": fb["open_products"],
        # every product listed above that is worth a second look (docs/flags.md)
        "flagged_products": flag_phases(
            engine.table,
            [
                *fa["closed_products"],
                *fb["closed_products"],
                *fa["open_products"],
                *fb["open_products"],
            ],
        ),  # fmt: skip
        "score_meV_per_atom": min(terms) + 0.0,
    }


def _map(
    fn: Callable[[Engine, Any], dict],
    engine: Engine,
    items: list,
    *,
    jobs: int = 1,
    executor: Executor = None,
    groups: list[list[int]] | None = None,
) -> list[dict]:
    """One result per item, in order, through the batch primitive (errors raised): in
    ``jobs`` local processes or on the Dask cluster of ``executor``; ``groups`` as in
    ``map_items`` (item indices run together in one process)."""
    from stability.analysis.runtime.batch import map_items

    out: list[dict] = [{} for _ in items]
    task = partial(fn, engine)  # picklable: the engine travels as a reference
    for outcome in map_items(
        task, items, allow_errors=False, jobs=jobs, executor=executor, groups=groups
    ):
        out[outcome.index] = outcome.value
    return out


#: Columns of the ranking, in order (see ``InterlayerRanking.to_dataframe``).
COLUMNS = [
    "rank",
    "formula",
    "reduced_formula",
    "score_meV_per_atom",
    "reaction_energy_with_a_meV_per_atom",
    "reaction_energy_with_b_meV_per_atom",
    "ion_open_reaction_energy_with_a_meV_per_non_ion_atom",
    "ion_open_with_a_at_voltage_V",
    "ion_open_reaction_energy_with_b_meV_per_non_ion_atom",
    "ion_open_with_b_at_voltage_V",
    "reduction_limit_V",
    "oxidation_limit_V",
    "covers_voltages",
    "window_margin_V",
    "window_shortfall_V",
    "e_above_hull_eV_per_atom",
    "placed_on_hull",
    "products_with_a",
    "products_with_b",
    "ion_open_products_with_a",
    "ion_open_products_with_b",
    "flagged_products",
    "dataset",
    "error",
]


@dataclass(frozen=True)
class InterlayerRanking:
    """Candidates for C in A | C | B, best first (see the module docstring for the score).

    Made by :func:`rank_interlayers`.

    Attributes
    ----------
    a, b : str
        The two materials to keep apart.
    voltages_a_V, voltages_b_V : list of float
        The Li-open voltages (V vs Li/Li+) of faces C | A and C | B.
    required_V : list of float
        Every potential C must hold.
    max_ehull_eV_per_atom : float
        Candidates further above the hull (eV/atom) were left out.
    candidates : list of dict
        One per candidate kept, best first (the rows of ``to_dataframe``).
    counts : dict of str to int
        How many candidates were given, evaluated, left out (and why), reacted, failed.
    dataset, engine : str
        Where the numbers come from.
    notes : list of str
        What was left out.

    Examples
    --------
    >>> import stability
    >>> engine = stability.make_engine(stability.load_dataset())
    >>> candidates = [("LiF", "LiF"), ("Li3PO4", "Li3PO4"), ("Li2O", "Li2O")]
    >>> ranking = stability.rank_interlayers(engine, "Li3N", "LiCoO2", candidates)
    >>> ranking.required_V
    [0.482365, 1.807604]
    >>> ranking.counts["reacted"], ranking.counts["window_does_not_cover"]
    (2, 1)
    """

    a: str
    b: str
    voltages_a_V: list[float]
    voltages_b_V: list[float]
    required_V: list[float]
    max_ehull_eV_per_atom: float
    candidates: list[dict]
    counts: dict[str, int]
    dataset: str
    engine: str
    notes: list[str] = field(default_factory=list)

    def top(self, n: int | None) -> list[dict]:
        return self.candidates if n is None else self.candidates[:n]

    def to_dict(self, top: int | None = None) -> dict:
        return {
            "a": self.a,
            "b": self.b,
            "voltages_a_V": self.voltages_a_V,
            "voltages_b_V": self.voltages_b_V,
            "required_V": self.required_V,
            "max_ehull_eV_per_atom": self.max_ehull_eV_per_atom,
            "counts": self.counts,
            "dataset": self.dataset,
            "engine": self.engine,
            "notes": self.notes,
            # none is null in JSON, as in every command's rows ("" in the CSV)
            "candidates": [{**r, "error": r.get("error") or None} for r in self.top(top)],
        }

    def to_dataframe(self, top: int | None = None) -> pd.DataFrame:
        """One row per candidate, best first (the table ``stability interlayer`` writes).

        Parameters
        ----------
        top : int, optional
            Only the best ``top`` candidates; None: all.

        Returns
        -------
        pandas.DataFrame
            Columns: rank, formula, reduced_formula, score_meV_per_atom (meV per atom of the
            reactants as written; <= 0, 0 best; NaN when not scored),
            reaction_energy_with_a_meV_per_atom, reaction_energy_with_b_meV_per_atom
            (closed, meV/atom), ion_open_reaction_energy_with_a_meV_per_non_ion_atom,
            ion_open_reaction_energy_with_b_meV_per_non_ion_atom (the worst Li-open ones, meV
            per non-Li atom) and where: ion_open_with_a_at_voltage_V,
            ion_open_with_b_at_voltage_V (V), reduction_limit_V, oxidation_limit_V (V vs
            Li/Li+), covers_voltages, window_margin_V, window_shortfall_V (V),
            e_above_hull_eV_per_atom (eV/atom), placed_on_hull, products_with_a,
            products_with_b, ion_open_products_with_a, ion_open_products_with_b (";"-joined),
            flagged_products (those worth a second look, ``formula (reason)`` ";"-joined),
            dataset, error.

        Examples
        --------
        >>> import stability
        >>> engine = stability.make_engine(stability.load_dataset())
        >>> candidates = [("LiF", "LiF"), ("Li3PO4", "Li3PO4"), ("Li2O", "Li2O")]
        >>> ranking = stability.rank_interlayers(engine, "Li3N", "LiCoO2", candidates)
        >>> ranking.to_dataframe(top=2)[["rank", "formula", "covers_voltages"]]
           rank formula  covers_voltages
        0     1     LiF             True
        1     2    Li2O             True
        """
        import pandas as pd

        rows = []
        for c in self.top(top):
            r = {k: c.get(k) for k in COLUMNS}
            r["flagged_products"] = flags_text(r["flagged_products"] or [])
            for k in COLUMNS:
                if isinstance(r[k], list):
                    r[k] = ";".join(r[k])
            rows.append(r)
        return pd.DataFrame(rows, columns=COLUMNS)


def _groups(items: list, systems: dict[str, tuple[str, ...]]) -> list[list[int]]:
    """Indices of ``items`` (sorted by chemical system) in runs of one chemical system each,
    as a screen's groups: a process builds each system's hull once."""
    groups: list[list[int]] = []
    last: tuple[str, ...] | None = None
    for i, item in enumerate(items):
        chemsys = systems[item[1]]
        if chemsys != last or not chemsys:
            groups.append([])
            last = chemsys
        groups[-1].append(i)
    return groups


def _order(row: dict) -> tuple:
    if row.get("error"):
        return (3, 0.0, 0.0, row["formula"])
    if not row["covers_voltages"]:
        return (2, row["window_shortfall_V"], 0.0, row["formula"])
    return (1, -row["score_meV_per_atom"], -row["window_margin_V"], row["formula"])


def rank_interlayers(
    engine: Engine,
    a: str,
    b: str,
    candidates: list[tuple[str, str]],
    *,
    voltages: Iterable[float] | None = None,
    max_ehull: float = MAX_EHULL_EV,
    progress: Callable[[int], Any] | None = None,
    jobs: int = 1,
    executor: Executor = None,
) -> InterlayerRanking:
    """Rank ``candidates`` [(key, formula)] as interlayers between ``a`` and ``b``.

    ``voltages``: the Li-open voltages both of C's faces see; None: face C | A at A's
    oxidation limit and face C | B at B's reduction limit (``gap_voltages``); empty: closed
    reactions only. A face against Li metal always sees 0 V, closed. Candidates above ``max_ehull`` (eV/atom) and
    A and B themselves are left out; ``progress(n)`` is called after each candidate.
    ``jobs`` and ``executor`` (a Dask scheduler address or Client) as in ``map_items``.

    Parameters
    ----------
    engine : Engine
        From :func:`stability.make_engine`.
    a, b : str
        The materials to keep apart, A on the Li side (``"Li"`` for Li metal), B on the
        cathode side: formulas, catalogue labels or aliases.
    candidates : list of (str, str)
        ``(key, formula)`` of each candidate C, e.g. :func:`stability.resolve_set` of a set.
    voltages : iterable of float, optional
        See above (V vs Li/Li+).
    max_ehull : float, default 0.025
        Largest energy above the hull of a candidate (eV/atom).
    progress : callable, optional
        ``progress(n)`` after each candidate.
    jobs : int, default 1
        Local worker processes.
    executor : str or distributed.Client, optional
        Run on this Dask cluster instead.

    Returns
    -------
    InterlayerRanking
        The candidates kept, best first.

    Raises
    ------
    StabilityError
        A negative ``max_ehull``, a voltage out of range, or A and B both Li metal.

    Examples
    --------
    >>> import stability
    >>> engine = stability.make_engine(stability.load_dataset())
    >>> candidates = [("LiF", "LiF"), ("Li3PO4", "Li3PO4"), ("Li2O", "Li2O")]
    >>> ranking = stability.rank_interlayers(engine, "Li3N", "LiCoO2", candidates)
    >>> [(c["rank"], c["formula"], c["covers_voltages"]) for c in ranking.candidates]
    [(1, 'LiF', True), (2, 'Li2O', True), (3, 'Li3PO4', False)]
    """
    if not max_ehull >= 0:  # also NaN
        raise StabilityError(f"--max-ehull must be >= 0 eV/atom, got {max_ehull:g}")
    if voltages is None:
        at_a, at_b = gap_voltages(engine, a, b)
        faces = make_faces(a, b, [at_a], [at_b])
    else:
        faces = make_faces(a, b, voltages)
    own = {_reduced(faces.a_formula), _reduced(faces.b_formula)}
    seen: set[str] = set()
    items = []
    skipped_same = 0
    # Each candidate's formula read once (its reduced formula and chemical system): a
    # dataset-wide set holds more formulas than the parsers' caches.
    systems: dict[str, tuple[str, ...]] = {}
    for key, formula in candidates:
        try:
            amounts = formula_amounts(formula)
            red, chemsys = reduced_formula(amounts), tuple(sorted(amounts))
        except StabilityError:
            red, chemsys = formula, ()
        if red in own:
            skipped_same += 1
            continue
        if red in seen:  # the same composition listed twice is judged once
            continue
        seen.add(red)
        systems[formula] = chemsys
        items.append((key, formula, faces, max_ehull))

    items.sort(key=lambda it: (systems[it[1]], it[1]))
    stage1 = []
    for row in _map(
        candidate_window,
        engine,
        items,
        jobs=jobs,
        executor=executor,
        groups=_groups(items, systems),
    ):
        stage1.append(row)
        if progress:
            progress(1)
    kept = [r for r in stage1 if r["error"] or r["within_max_ehull"]]
    react = [r for r in kept if not r["error"] and r["covers_voltages"]]
    # Grouped by chemical system: consecutive candidates reuse the hulls of C+A and C+B.
    react.sort(key=lambda r: (systems[r["formula"]], r["formula"]))
    by_key = {r["key"]: r for r in kept}
    items2 = [(r["key"], r["formula"], faces, r["e_above_hull_eV_per_atom"]) for r in react]
    for out in _map(candidate_reactions, engine, items2, jobs=jobs, executor=executor):
        base = by_key[out["key"]]
        if out["error"]:
            base["error"] = out["error"]
        else:
            base.update(out)
    rows = sorted(kept, key=_order)
    for i, r in enumerate(rows, 1):
        r["rank"] = i
        r.setdefault("score_meV_per_atom", None)
        r["dataset"] = engine.table.name
    notes = []
    if not faces.required_V:
        notes.append(
            "closed reactions only: give --voltage or --scan for the Li-open reactions and "
            "the window check"
        )
    counts = {
        "candidates": len(candidates),
        "same_as_a_or_b": skipped_same,
        "evaluated": len(stage1),
        "above_max_ehull": len(stage1) - len(kept),
        "window_does_not_cover": sum(
            1 for r in kept if not r["error"] and not r["covers_voltages"]
        ),
        "reacted": len(react),
        "errors": sum(1 for r in kept if r["error"]),
    }
    return InterlayerRanking(
        a=a,
        b=b,
        voltages_a_V=list(faces.voltages_at("a")),
        voltages_b_V=list(faces.voltages_at("b")),
        required_V=list(faces.required_V),
        max_ehull_eV_per_atom=max_ehull,
        candidates=rows,
        counts=counts,
        dataset=engine.table.name,
        engine=engine.name,
        notes=notes,
    )
