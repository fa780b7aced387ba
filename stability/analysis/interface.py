"""Interfacial reactions between two materials: chemical (closed) or with Li open at a voltage."""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import asdict, dataclass
from functools import lru_cache
from typing import TYPE_CHECKING

from pymatgen.core import Composition

from stability import config
from stability.analysis.chemistry import locate
from stability.errors import StabilityError
from stability.thermo.base import Engine, Kink

if TYPE_CHECKING:
    import pandas as pd


@dataclass(frozen=True)
class InterfaceKink:
    """One kink: mixing ratio x (atomic fraction of A), energy (meV/atom), products, reaction."""

    mixing_ratio: float
    reaction_energy_meV_per_atom: float
    products: list[str]
    reaction: str


@dataclass(frozen=True)
class Interface:
    """The reaction of A with B: the most negative kink and all kinks.

    Energies are meV per atom of the A+B mixture (pymatgen's ``InterfacialReactivity``
    normalisation); with Li open (``voltage_V`` set) per atom other than Li, and each
    reactant already in equilibrium with Li at that voltage, so the energy is what mixing
    adds. ``decomposition_meV_per_atom`` is each reactant's own decomposition energy there.
    """

    reactant_a: str
    reactant_b: str
    voltage_V: float | None
    mixing_ratio: float
    reaction_energy_meV_per_atom: float
    products: list[str]
    reaction: str
    kinks: list[InterfaceKink]
    reactant_energies: str
    decomposition_a_meV_per_atom: float
    decomposition_b_meV_per_atom: float
    dataset: str
    engine: str
    #: Set by ``uncertainty.with_reaction_uncertainty`` (meV/atom).
    reaction_energy_std_meV_per_atom: float | None = None
    reaction_energy_ci95_meV_per_atom: tuple[float, float] | None = None

    def to_dict(self) -> dict:
        return asdict(self)

    def to_dataframe(self) -> pd.DataFrame:
        """One row per kink: mixing_ratio (atomic fraction of A), reaction_energy_meV_per_atom,
        products (";"-joined reduced formulas), reaction."""
        import pandas as pd

        return pd.DataFrame([{**asdict(k), "products": ";".join(k.products)} for k in self.kinks])


@lru_cache(maxsize=4096)
def _amount_of(formula: str, element: str) -> float:
    return Composition(formula)[element]


def check_voltage(voltage: float | None) -> None:
    if voltage is not None and not (-1.0 <= voltage <= 10.0):
        raise StabilityError(f"voltage {voltage} V is outside the range -1 to 10 V vs Li/Li+")


def _denoise(value: float) -> float:
    return 0.0 if abs(value) < 1e-9 else value


def _fmt(x: float) -> str:
    return f"{x:.4g}"


def reaction_string(
    a: Composition, b: Composition, kink: Kink, open_el: str | None, names: tuple[str, str]
) -> str:
    """Balanced reaction at a kink, normalised to one formula unit of A (or of B at x = 0)."""
    x = kink.x
    mol_a, mol_b = x / a.num_atoms, (1 - x) / b.num_atoms
    # Product amounts are per atom of the mixture that the diagram counts (non-Li if open).
    counted = 1.0
    if open_el:
        counted = x * (1 - a.get_atomic_fraction(open_el)) + (1 - x) * (
            1 - b.get_atomic_fraction(open_el)
        )
    scale = 1 / mol_a if mol_a > 1e-12 else 1 / mol_b
    left = [(mol_a * scale, names[0]), (mol_b * scale, names[1])]
    right = [(p.amount * counted * scale, p.formula) for p in kink.phases]
    if open_el:
        li_in = (mol_a * a[open_el] + mol_b * b[open_el]) * scale
        li_out = sum(n * _amount_of(f, open_el) for n, f in right)
        if li_out - li_in > config.AMOUNT_TOL:
            left.append((li_out - li_in, open_el))
        elif li_in - li_out > config.AMOUNT_TOL:
            right.append((li_in - li_out, open_el))

    def side(terms: list[tuple[float, str]]) -> str:
        return " + ".join(f"{_fmt(n)} {f}" for n, f in terms if n > config.AMOUNT_TOL)

    return f"{side(left)} -> {side(right)}"


def compute_interface(
    engine: Engine,
    a: str,
    b: str,
    voltage: float | None = None,
    *,
    use_own_energy: bool = False,
) -> Interface:
    """Return the reaction of ``a`` with ``b``, closed, or with Li open at ``voltage`` (V)."""
    check_voltage(voltage)
    loc_a = locate(engine, a, need=None)
    loc_b = locate(engine, b, need=None)
    elements = set(loc_a.amounts) | set(loc_b.amounts)
    open_el = config.WORKING_ION if voltage is not None else None
    if open_el:
        if open_el not in elements:
            raise StabilityError(f"{a} | {b} has no Li: use the closed (no --voltage) reaction")
        for name, loc in ((a, loc_a), (b, loc_b)):
            if {str(e) for e in loc.composition.elements} == {open_el}:
                raise StabilityError(f"{name} is Li metal: with Li open it is the reservoir itself")
    system = engine.system(elements)
    mixing = system.mixing(
        loc_a.amounts,
        loc_b.amounts,
        mu_open=None if voltage is None else -voltage,
        open_element=config.WORKING_ION,
        use_own_energy=use_own_energy,
    )
    kinks = [
        InterfaceKink(
            mixing_ratio=k.x,
            # Below 1e-9 meV/atom is rounding noise: it must not pick the reported reaction.
            reaction_energy_meV_per_atom=_denoise(k.energy_eV_per_atom * 1000),
            products=[p.formula for p in k.phases],
            reaction=reaction_string(loc_a.composition, loc_b.composition, k, open_el, (a, b)),
        )
        for k in mixing.kinks
    ]
    best = min(kinks, key=lambda k: (k.reaction_energy_meV_per_atom, k.mixing_ratio))
    dec_a, dec_b = mixing.own_decomposition_eV_per_atom
    return Interface(
        reactant_a=a,
        reactant_b=b,
        voltage_V=voltage,
        mixing_ratio=best.mixing_ratio,
        reaction_energy_meV_per_atom=best.reaction_energy_meV_per_atom,
        products=best.products,
        reaction=best.reaction,
        kinks=kinks,
        reactant_energies="own" if use_own_energy else "hull",
        decomposition_a_meV_per_atom=dec_a * 1000 + 0.0,
        decomposition_b_meV_per_atom=dec_b * 1000 + 0.0,
        dataset=engine.table.name,
        engine=engine.name,
    )


@dataclass(frozen=True)
class InterfaceScan:
    """An interface at every voltage of a scan."""

    results: list[Interface]

    def to_dataframe(self) -> pd.DataFrame:
        """One row per voltage: voltage_V, mixing_ratio, reaction_energy_meV_per_atom,
        products (";"-joined), reaction, decomposition_a_meV_per_atom,
        decomposition_b_meV_per_atom (each reactant alone with Li at that voltage)."""
        import pandas as pd

        return pd.DataFrame(
            [
                {
                    "reactant_a": r.reactant_a,
                    "reactant_b": r.reactant_b,
                    "voltage_V": r.voltage_V,
                    "mixing_ratio": r.mixing_ratio,
                    "reaction_energy_meV_per_atom": r.reaction_energy_meV_per_atom,
                    "products": ";".join(r.products),
                    "reaction": r.reaction,
                    "decomposition_a_meV_per_atom": r.decomposition_a_meV_per_atom,
                    "decomposition_b_meV_per_atom": r.decomposition_b_meV_per_atom,
                }
                for r in self.results
            ]
        )


def parse_scan(text: str) -> list[float]:
    """Voltages of ``START:STOP:STEP`` (inclusive of STOP), e.g. ``0:5:0.1``."""
    try:
        start, stop, step = (float(p) for p in text.split(":"))
    except ValueError:
        raise StabilityError(f"bad scan {text!r}: write START:STOP:STEP, e.g. 0:5:0.1") from None
    if step <= 0 or stop < start:
        raise StabilityError(f"bad scan {text!r}: need STEP > 0 and STOP >= START")
    n = int(math.floor((stop - start) / step + 1e-9))  # never past STOP (0:5:0.3 ends at 4.8)
    if n > 10_000:
        raise StabilityError(f"bad scan {text!r}: more than 10000 voltages")
    return [round(start + i * step, 10) for i in range(n + 1)]


def scan_interface(engine: Engine, a: str, b: str, voltages: Iterable[float]) -> InterfaceScan:
    """The interface at each voltage; the system's hull and grand hulls are built once each."""
    return InterfaceScan([compute_interface(engine, a, b, v) for v in voltages])


@dataclass(frozen=True)
class InterfaceMatrix:
    """Every pair of a left and a right set, with the error of any pair that failed."""

    rows: list[dict]

    def to_dataframe(self) -> pd.DataFrame:
        """One row per pair: a_label, a_formula, b_label, b_formula, voltage_V (NaN: closed),
        mixing_ratio, reaction_energy_meV_per_atom, products (";"-joined), reaction, error."""
        import pandas as pd

        return pd.DataFrame(self.rows)


def interface_matrix(
    engine: Engine,
    left: list[tuple[str, str]],
    right: list[tuple[str, str]],
    voltage: float | None = None,
) -> InterfaceMatrix:
    """Interfaces of every (label, formula) on the left with every one on the right."""
    check_voltage(voltage)
    rows = []
    for a_label, a in left:
        for b_label, b in right:
            row = {
                "a_label": a_label,
                "a_formula": a,
                "b_label": b_label,
                "b_formula": b,
                "voltage_V": voltage,
                "error": "",
            }
            try:
                r = compute_interface(engine, a, b, voltage)
                row.update(
                    mixing_ratio=r.mixing_ratio,
                    reaction_energy_meV_per_atom=r.reaction_energy_meV_per_atom,
                    products=";".join(r.products),
                    reaction=r.reaction,
                )
            except StabilityError as exc:
                row["error"] = str(exc)
            rows.append(row)
    return InterfaceMatrix(rows)
