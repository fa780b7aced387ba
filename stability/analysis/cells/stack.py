"""Does a cell stack hold together? Every adjacent pair's reaction at the voltages it sees, and
every layer's window against the potentials it must withstand.

Potentials (V vs Li/Li+) each face of the stack sees:

- Li metal | first layer: 0 V (the closed Li | layer reaction is the layer's reduction by Li);
- layer | layer (inside the separator): anywhere from 0 V to the cutoff, so the whole range;
- last layer | cathode, last layer | catholyte, catholyte | cathode: the cathode's potentials
  from its nominal voltage up to the top of charge (``cutoff_V``).

Interfaces are evaluated closed and with Li open at each of those voltages (grid of
``VOLTAGE_STEP_V`` plus both ends); the worst (most negative) energy decides the verdict.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, field
from functools import lru_cache
from typing import TYPE_CHECKING

from stability.analysis.cells.cell import CellSpec, resolve_material
from stability.analysis.interfaces.interface import Interface, compute_interface
from stability.analysis.materials.flags import flag_phases
from stability.analysis.windows.practical import MIN_GAP_EV, Passivation, compute_practical_window
from stability.analysis.windows.window import Window
from stability.errors import StabilityError
from stability.thermo.base import Engine

if TYPE_CHECKING:
    import pandas as pd

#: A reaction energy above -STABLE_TOL_meV is numerical noise: "stable".
STABLE_TOL_meV = 1.0
#: Voltage grid for the Li-open reactions of a face (V); both ends are always included.
VOLTAGE_STEP_V = 0.1
#: A window "covers" a potential within this margin (V).
WINDOW_TOL_V = 1e-3


def ion_open_energy(result: Interface) -> float:
    """The mutual Li-open reaction energy of ``result`` (meV per non-Li atom; each side
    first equilibrated with Li, as pymatgen's include_no_mixing_energy=False).

    The one place this module reads that value.
    """
    return result.reaction_energy_meV_per_non_ion_atom


def default_passivation(engine: Engine) -> Passivation | None:
    """Passivation settings for layer windows (``stability.analysis.windows.practical``: default
    minimum gap, no gas) from the band gaps beside the dataset; None when there are none."""
    from stability.entries.properties import default_gaps_path
    from stability.errors import DataError

    try:
        path = default_gaps_path(engine.table.meta.get("source", ""), engine.table.name)
        gaps = _band_gaps(str(path))
    except DataError:
        return None
    return Passivation(gaps, MIN_GAP_EV, False, source=str(path))


@lru_cache(maxsize=2)
def _band_gaps(path: str) -> dict[str, float | None]:
    from stability.entries.properties import load_band_gaps

    return load_band_gaps(path)


def voltage_grid(lo: float, hi: float, step: float = VOLTAGE_STEP_V) -> list[float]:
    """lo, lo+step, ..., hi (hi always included), rounded to 1e-6 V."""
    if hi <= lo:
        return [round(lo, 6)]
    n = int(math.floor((hi - lo) / step + 1e-9))
    values = [round(lo + i * step, 6) for i in range(n + 1)]
    return values if values[-1] >= hi - 1e-9 else [*values, round(hi, 6)]


def verdict(worst_meV: float | None) -> str:
    if worst_meV is None:
        return "unknown"
    return "stable" if worst_meV >= -STABLE_TOL_meV else "reacts"


@dataclass(frozen=True)
class InterfaceCheck:
    """One face of the stack. Energies: closed in meV per atom of the mixture, each Li-open
    one in meV per non-Li atom (``ion_open``) and per atom of the reactants as written;
    ``worst_reaction_energy_meV_per_atom`` is the lowest per atom (closed or Li open: one
    unit), ``at_voltage_V`` where (None: closed), ``products`` there."""

    left: str
    right: str
    left_formula: str
    right_formula: str
    voltages_V: list[float]
    closed_reaction_energy_meV_per_atom: float | None
    closed_products: list[str]
    ion_open: list[dict]
    worst_reaction_energy_meV_per_atom: float | None
    at_voltage_V: float | None
    products: list[str]
    verdict: str
    error: str | None = None  # why it was not computed; None when it was
    #: Products (closed, at every voltage, and of its window) worth a second look:
    #: ``{formula, reason}`` (``materials.flags``).
    flagged_products: list[dict[str, str]] = field(default_factory=list)

    def to_dict(self) -> dict:
        return asdict(self)


@dataclass(frozen=True)
class LayerCheck:
    """One layer's strict (and, when available, passivated) window against the potentials
    its faces are fixed at (``must_withstand_V``: [low, high], None where a face is internal)."""

    layer: str
    material: str
    formula: str
    role: str
    must_withstand_V: list[float | None]
    reduction_limit_V: float | None
    oxidation_limit_V: float | None
    reduction_products: list[str]
    oxidation_products: list[str]
    e_above_hull_eV_per_atom: float | None
    placed_on_hull: bool | None
    covers: bool | None
    passivated_reduction_limit_V: float | None = None
    passivated_oxidation_limit_V: float | None = None
    covers_passivated: bool | None = None
    error: str | None = None  # why it was not computed; None when it was
    #: Products (closed, at every voltage, and of its window) worth a second look:
    #: ``{formula, reason}`` (``materials.flags``).
    flagged_products: list[dict[str, str]] = field(default_factory=list)

    def to_dict(self) -> dict:
        return asdict(self)


@dataclass(frozen=True)
class StackStability:
    """Interfaces and layers of a stack (anode side first), with the potential gaps that no
    adjacent windows bridge and an overall verdict.

    Made by :func:`stack_stability`.

    Attributes
    ----------
    name : str
        The spec's name.
    interfaces : list of InterfaceCheck
        Every face, Li side first: the closed and Li-open reactions and the worst of them
        (the rows of ``to_dataframe``).
    layers : list of LayerCheck
        Every layer's window against the potentials it must hold (``layers_dataframe``).
    gaps, passivated_gaps : list of dict
        Potential ranges (``between``, ``after``, ``low_V``, ``high_V``) that no adjacent
        strict (passivated) windows hold; ``passivated_gaps`` is None without band gaps.
    passivated_windows_available : bool
        Whether band gaps were found beside the data.
    verdict : str
        ``stable``, ``reacts`` or ``unknown`` (a face or layer failed).
    dataset, engine, cathode : str
        Where the numbers come from, and the cathode.
    cathode_range_V : tuple of float
        The cathode's nominal and cutoff voltages.
    notes : list of str
        What was left out.

    Examples
    --------
    >>> import stability
    >>> engine = stability.make_engine(stability.load_dataset())
    >>> import pathlib, tempfile
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "cell.toml"
    >>> _ = path.write_text('''
    ... [cathode]
    ... material = "LiCoO2"
    ... cutoff_V = 4.2
    ... voltage_V = 3.9
    ...
    ... [[electrolyte]]
    ... material = "Li3PS4"
    ... thickness_um = 30
    ... density_g_cm3 = 1.88
    ... ''')
    >>> stack = stability.stack_stability(engine, stability.load_cell_spec(path))
    >>> stack.verdict, [(g["between"], round(g["low_V"], 3), round(g["high_V"], 3)) for g in stack.gaps]
    ('reacts', [('Li | Li3PS4', 0.0, 1.721), ('Li3PS4 | cathode', 2.361, 4.2)])
    """

    name: str
    interfaces: list[InterfaceCheck]
    layers: list[LayerCheck]
    gaps: list[dict]
    passivated_gaps: list[dict] | None
    passivated_windows_available: bool
    verdict: str
    dataset: str
    engine: str
    cathode: str = ""
    cathode_range_V: tuple[float, float] = (0.0, 0.0)
    notes: list[str] = field(default_factory=list)

    def to_dict(self) -> dict:
        return asdict(self)

    def figure_frame(self) -> pd.DataFrame:
        """The table behind the stack figure (``plotting.cell.plot_stack``): one row per
        column, Li side first (label, kind, windows and pinned potentials in V), then one
        row of kind "gap" per gap (position: layers on its Li side, gap_low_V, gap_high_V)."""
        import pandas as pd

        lo, hi = self.cathode_range_V
        rows: list[dict] = [{"label": "Li metal", "kind": "anode", "must_withstand_low_V": 0.0}]
        for x in self.layers:
            rows.append(
                {
                    "label": x.material,
                    "kind": "catholyte" if x.role == "catholyte" else "electrolyte",
                    "reduction_limit_V": x.reduction_limit_V,
                    "oxidation_limit_V": x.oxidation_limit_V,
                    "passivated_reduction_limit_V": x.passivated_reduction_limit_V,
                    "passivated_oxidation_limit_V": x.passivated_oxidation_limit_V,
                    "must_withstand_low_V": x.must_withstand_V[0],
                    "must_withstand_high_V": x.must_withstand_V[1],
                }
            )
        rows.append(
            {
                "label": self.cathode,
                "kind": "cathode",
                "must_withstand_low_V": lo,
                "must_withstand_high_V": hi,
            }
        )
        for g in self.gaps:
            rows.append(
                {
                    "label": g["between"],
                    "kind": "gap",
                    "position": g["after"],
                    "gap_low_V": g["low_V"],
                    "gap_high_V": g["high_V"],
                }
            )
        return pd.DataFrame(rows)

    def to_dataframe(self) -> pd.DataFrame:
        """One row per interface, anode side first.

        Returns
        -------
        pandas.DataFrame
            Columns: left, right, voltages_V (";"-joined, V),
            closed_reaction_energy_meV_per_atom, worst_reaction_energy_meV_per_atom (closed:
            meV/atom, Li open: meV per non-Li atom), at_voltage_V (V; NaN: closed), products
            (";"-joined), verdict, error. ``layers_dataframe`` has the layers.

        Examples
        --------
        >>> import stability
        >>> engine = stability.make_engine(stability.load_dataset())
        >>> import pathlib, tempfile
        >>> path = pathlib.Path(tempfile.mkdtemp()) / "cell.toml"
        >>> _ = path.write_text('''
        ... [cathode]
        ... material = "LiCoO2"
        ... cutoff_V = 4.2
        ... voltage_V = 3.9
        ...
        ... [[electrolyte]]
        ... material = "Li3PS4"
        ... thickness_um = 30
        ... density_g_cm3 = 1.88
        ... ''')
        >>> frame = stability.stack_stability(engine, stability.load_cell_spec(path)).to_dataframe()
        >>> frame[["left", "right", "worst_reaction_energy_meV_per_atom", "at_voltage_V"]].round(1)
             left   right  worst_reaction_energy_meV_per_atom  at_voltage_V
        0      Li  Li3PS4                              -712.1           NaN
        1  Li3PS4  LiCoO2                              -531.1           4.1
        """
        import pandas as pd

        return pd.DataFrame(
            [
                {
                    "left": i.left,
                    "right": i.right,
                    "voltages_V": ";".join(f"{v:g}" for v in i.voltages_V),
                    "closed_reaction_energy_meV_per_atom": i.closed_reaction_energy_meV_per_atom,
                    "worst_reaction_energy_meV_per_atom": i.worst_reaction_energy_meV_per_atom,
                    "at_voltage_V": i.at_voltage_V,
                    "products": ";".join(i.products),
                    "verdict": i.verdict,
                    "error": i.error,
                }
                for i in self.interfaces
            ]
        )

    def layers_dataframe(self) -> pd.DataFrame:
        """One row per layer (anode side first, then the catholyte): layer, material, role,
        must_withstand_low_V / must_withstand_high_V (NaN: internal face), reduction_limit_V,
        oxidation_limit_V, passivated_* limits (NaN until available), covers, error."""
        import pandas as pd

        rows = []
        for x in self.layers:
            d = x.to_dict()
            lo, hi = d.pop("must_withstand_V")
            d["must_withstand_low_V"], d["must_withstand_high_V"] = lo, hi
            d["reduction_products"] = ";".join(x.reduction_products)
            d["oxidation_products"] = ";".join(x.oxidation_products)
            rows.append(d)
        return pd.DataFrame(rows)


def check_interface(
    engine: Engine, left: str, right: str, voltages: list[float], *, li_metal: bool = False
) -> InterfaceCheck:
    """React ``left`` with ``right`` closed and with Li open at each voltage (none when
    ``li_metal``: Li metal is then the reservoir itself, and the closed reaction covers it)."""
    lf, rf = resolve_material(left), resolve_material(right)
    try:
        closed = compute_interface(engine, lf, rf)
        candidates = [(closed.reaction_energy_meV_per_atom, None, closed.products)]
        ion_open = []
        if not li_metal:
            for v in voltages:
                r = compute_interface(engine, lf, rf, v)
                per_atom, kink = r.worst_kink_per_reactant_atom()
                ion_open.append(
                    {
                        "voltage_V": v,
                        "reaction_energy_meV_per_non_ion_atom": ion_open_energy(r),
                        "ion_open_reaction_energy_meV_per_atom": per_atom,
                        "products": r.products,
                    }
                )
                # the worst per atom and the products of that same kink
                candidates.append((per_atom, v, kink.products))
    except StabilityError as exc:
        return InterfaceCheck(
            left, right, lf, rf, voltages, None, [], [], None, None, [], "unknown", str(exc)
        )
    worst, at, products = min(candidates, key=lambda c: (c[0], -1 if c[1] is None else c[1]))
    return InterfaceCheck(
        left=left,
        right=right,
        left_formula=lf,
        right_formula=rf,
        voltages_V=voltages,
        closed_reaction_energy_meV_per_atom=closed.reaction_energy_meV_per_atom,
        closed_products=closed.products,
        ion_open=ion_open,
        worst_reaction_energy_meV_per_atom=worst,
        at_voltage_V=at,
        products=products,
        verdict=verdict(worst),
        flagged_products=flag_phases(
            engine.table, [*closed.products, *(p for r in ion_open for p in r["products"])]
        ),
    )


def _covers(lo: float | None, hi: float | None, need: list[float | None]) -> bool | None:
    fixed = [v for v in need if v is not None]
    if lo is None and hi is None:
        return None
    low = -math.inf if lo is None else lo
    high = math.inf if hi is None else hi
    return all(low - WINDOW_TOL_V <= v <= high + WINDOW_TOL_V for v in fixed)


def check_layer(
    engine: Engine, layer: str, material: str, role: str, need: list[float | None]
) -> LayerCheck:
    formula = resolve_material(material)
    passivation = default_passivation(engine)
    try:
        # One profile gives the strict window and, with band gaps, the passivated one.
        w: Window = compute_practical_window(engine, formula, passivation=passivation)
    except StabilityError as exc:
        return LayerCheck(
            layer, material, formula, role, need, None, None, [], [], None, None, None,
            error=str(exc),
        )  # fmt: skip
    p_lo, p_hi = w.passivated_reduction_limit_V, w.passivated_oxidation_limit_V
    return LayerCheck(
        layer=layer,
        material=material,
        formula=formula,
        role=role,
        must_withstand_V=need,
        reduction_limit_V=w.reduction_limit_V,
        oxidation_limit_V=w.oxidation_limit_V,
        reduction_products=w.reduction_products,
        oxidation_products=w.oxidation_products,
        e_above_hull_eV_per_atom=w.e_above_hull_eV_per_atom,
        placed_on_hull=w.placed_on_hull,
        covers=_covers(w.reduction_limit_V, w.oxidation_limit_V, need),
        passivated_reduction_limit_V=p_lo,
        passivated_oxidation_limit_V=p_hi,
        covers_passivated=None if passivation is None else _covers(p_lo, p_hi, need),
        flagged_products=w.flagged_products,
    )


def potential_gaps(
    windows: list[tuple[str, float, float]], nominal_V: float, cutoff_V: float
) -> list[dict]:
    """Potential ranges that no layer can hold, for a separator whose windows (name, low,
    high) run from the Li side to the cathode side.

    The Li chemical potential falls monotonically from the Li metal (0 V) to the cathode
    (``nominal_V``..``cutoff_V``); layer i must hold [phi_{i-1}, phi_i] inside its window.
    The lowest feasible potential of each internal face is followed from the Li side; where
    none exists, the gap (low, high) records the range one of the two layers would have to
    hold outside its window; ``after`` counts the layers on its Li side (0: at the Li).
    """
    gaps = []
    if not windows:
        return [{"between": "Li | cathode", "after": 0, "low_V": 0.0, "high_V": cutoff_V}]
    name0, lo0, _ = windows[0]
    phi = 0.0
    if lo0 > phi + WINDOW_TOL_V:
        gaps.append({"between": f"Li | {name0}", "after": 0, "low_V": 0.0, "high_V": lo0})
        phi = lo0
    for i, ((n1, _, h1), (n2, l2, h2)) in enumerate(zip(windows, windows[1:], strict=False)):
        need = max(phi, l2)
        limit = min(h1, h2)
        if need > limit + WINDOW_TOL_V:
            gaps.append({"between": f"{n1} | {n2}", "after": i + 1, "low_V": limit, "high_V": need})
        phi = need
    name_n, _, hi_n = windows[-1]
    n = len(windows)
    if phi > nominal_V + WINDOW_TOL_V:
        gaps.append(
            {"between": f"{name_n} | cathode", "after": n, "low_V": nominal_V, "high_V": phi}
        )
    if hi_n < cutoff_V - WINDOW_TOL_V:
        gaps.append(
            {"between": f"{name_n} | cathode", "after": n, "low_V": hi_n, "high_V": cutoff_V}
        )
    return gaps


def stack_stability(engine: Engine, spec: CellSpec) -> StackStability:
    """Check every face and layer of ``spec`` on ``engine``'s dataset (anode side first).

    Each face reacts closed and with Li open at the potentials it sees (the module
    docstring of ``stability.analysis.cells.stack``); each layer's strict window, and its
    passivated window when band gaps lie beside the data, is checked against the
    potentials its faces are pinned at.

    Parameters
    ----------
    engine : Engine
        From :func:`stability.make_engine`.
    spec : CellSpec
        From :func:`stability.load_cell_spec`.

    Returns
    -------
    StackStability
        The faces, layers, potential gaps and verdict.

    Examples
    --------
    >>> import stability
    >>> engine = stability.make_engine(stability.load_dataset())
    >>> import pathlib, tempfile
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "cell.toml"
    >>> _ = path.write_text('''
    ... [cathode]
    ... material = "LiCoO2"
    ... cutoff_V = 4.2
    ... voltage_V = 3.9
    ...
    ... [[electrolyte]]
    ... material = "Li3PS4"
    ... thickness_um = 30
    ... density_g_cm3 = 1.88
    ... ''')
    >>> stack = stability.stack_stability(engine, stability.load_cell_spec(path))
    >>> [(i.left, i.right, i.verdict) for i in stack.interfaces]
    [('Li', 'Li3PS4', 'reacts'), ('Li3PS4', 'LiCoO2', 'reacts')]
    >>> [(x.material, round(x.reduction_limit_V, 3), round(x.oxidation_limit_V, 3)) for x in stack.layers]
    [('Li3PS4', 1.721, 2.361)]
    """
    c = spec.cathode
    layers = list(reversed(spec.electrolytes))  # anode side first
    names = [e.material for e in layers]
    cathode_V = voltage_grid(c.voltage_V, c.cutoff_V)
    full_V = voltage_grid(0.0, c.cutoff_V)
    catholyte = spec.catholyte
    same_catholyte = resolve_material(catholyte) == resolve_material(names[-1])

    pairs: list[tuple[str, str, list[float], bool]] = [("Li", names[0], [0.0], True)]
    pairs += [(a, b, full_V, False) for a, b in zip(names, names[1:], strict=False)]
    pairs.append((names[-1], c.material, cathode_V, False))
    if not same_catholyte:
        pairs.append((names[-1], catholyte, cathode_V, False))
        pairs.append((catholyte, c.material, cathode_V, False))
    interfaces = [check_interface(engine, a, b, v, li_metal=li) for a, b, v, li in pairs]

    checks = []
    n = len(names)
    for i, e in enumerate(layers):
        need = [0.0 if i == 0 else None, c.cutoff_V if i == n - 1 else None]
        role = "separator" if n == 1 else ("anode side" if i == 0 else "cathode side")
        if 0 < i < n - 1:
            role = "middle"
        if i == n - 1 and n > 1:
            need = [c.voltage_V, c.cutoff_V]
        if n == 1:
            need = [0.0, c.cutoff_V]
        checks.append(check_layer(engine, f"electrolyte {n - i}", e.material, role, need))
    if not same_catholyte:
        checks.append(
            check_layer(engine, "catholyte", catholyte, "catholyte", [c.voltage_V, c.cutoff_V])
        )

    sep = checks[:n]
    gaps = passivated_gaps = None
    if all(x.reduction_limit_V is not None for x in sep):
        gaps = potential_gaps(
            [(x.material, x.reduction_limit_V, x.oxidation_limit_V) for x in sep],
            c.voltage_V,
            c.cutoff_V,
        )
    available = any(
        x.passivated_reduction_limit_V is not None or x.passivated_oxidation_limit_V is not None
        for x in checks
    )
    if available:
        passivated_gaps = potential_gaps(
            [
                (
                    x.material,
                    0.0
                    if x.passivated_reduction_limit_V is None
                    else x.passivated_reduction_limit_V,
                    math.inf
                    if x.passivated_oxidation_limit_V is None
                    else x.passivated_oxidation_limit_V,
                )
                for x in sep
            ],
            c.voltage_V,
            c.cutoff_V,
        )
    notes = []
    if not available:
        notes.append("no band gaps found beside the data: strict windows only")
    errors = [x.error for x in [*interfaces, *checks] if x.error]
    if errors:
        overall = "unknown"
    elif (
        any(i.verdict == "reacts" for i in interfaces) or gaps or not all(x.covers for x in checks)
    ):
        overall = "reacts"
    else:
        overall = "stable"
    return StackStability(
        name=spec.name,
        interfaces=interfaces,
        layers=checks,
        gaps=gaps or [],
        passivated_gaps=passivated_gaps,
        passivated_windows_available=available,
        verdict=overall,
        dataset=engine.table.name,
        engine=engine.name,
        cathode=c.material,
        cathode_range_V=(c.voltage_V, c.cutoff_V),
        notes=notes,
    )
