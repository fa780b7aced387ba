"""Interfacial reactions between two materials: chemical (closed) or with the working ion
(Li by default; Na, K, Mg, Ca, Zn, Al) open at a voltage against its metal."""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from functools import lru_cache, partial
from typing import TYPE_CHECKING, Any

from stability import config
from stability.analysis.materials.chemistry import Material, MaterialLike, read_material
from stability.analysis.materials.flags import flag_phases, flags_text
from stability.analysis.runtime.batch import Executor
from stability.errors import StabilityError
from stability.formula import parse_formula
from stability.ions import DEFAULT_ION, IONS, check_ion, ion_mu
from stability.thermo.base import Engine, Kink, Mixing
from stability.thermo.temperature import engine_at_temperature, temperature_note, temperature_of

if TYPE_CHECKING:
    import pandas as pd
    from pymatgen.core import Composition


def energy_key(name: str, ion_open: bool) -> str:
    """The key of an energy in meV, named by its normalisation: per atom of the mixture when
    closed, per atom other than the working ion when it is open (e.g.
    ``reaction_energy_meV_per_atom``)."""
    return f"{name}_meV_per_{'non_ion_atom' if ion_open else 'atom'}"


class _Normalised:
    """Energy attributes that exist only under their own normalisation."""

    voltage_V: float | None

    def _energy(self, field: str, name: str, ion_open: bool) -> float | None:
        if (self.voltage_V is not None) != ion_open:
            ion = getattr(self, "ion", DEFAULT_ION)
            raise AttributeError(
                f"{energy_key(name, not ion_open)} is the key here: "
                + (
                    f"{ion} is open, energies are per non-{ion} atom"
                    if not ion_open
                    else "closed reaction"
                )
            )
        return getattr(self, field)


@dataclass(frozen=True)
class InterfaceKink(_Normalised):
    """One kink: mixing ratio x (atomic fraction of A), energies (meV), products, reaction.

    ``reaction_energy_meV`` is the mutual reaction energy; ``total_reaction_energy_meV``
    adds each reactant's own decomposition (equal to it when closed with hull energies).
    """

    voltage_V: float | None
    mixing_ratio: float
    reaction_energy_meV: float
    total_reaction_energy_meV: float
    products: list[str]
    reaction: str

    def to_row(self) -> dict:
        ion_open = self.voltage_V is not None
        row = {
            "mixing_ratio": self.mixing_ratio,
            energy_key("reaction_energy", ion_open): self.reaction_energy_meV,
        }
        if ion_open:
            row[energy_key("total_reaction_energy", True)] = self.total_reaction_energy_meV
        return {**row, "products": ";".join(self.products), "reaction": self.reaction}


@dataclass(frozen=True)
class Interface(_Normalised):
    """The reaction of A with B: the most negative kink and all kinks.

    Closed (``voltage_V`` None), energies are meV per atom of the A+B mixture (pymatgen's
    ``InterfacialReactivity`` normalisation). With the working ion ``ion`` (Li, unless told)
    open at ``voltage_V`` (V vs its metal; mu = -z V) they are per atom other than the ion,
    written here for Li: ``reaction_energy`` is what mixing adds to each reactant already in
    equilibrium with Li (``GrandPotentialInterfacialReactivity``,
    ``include_no_mixing_energy=False``); ``total_reaction_energy`` adds each reactant's own
    decomposition with Li (``include_no_mixing_energy=True``), most negative at
    ``total_mixing_ratio``; ``decomposition_a/b`` are those own decompositions. ``to_dict``
    names every energy by its normalisation (``..._meV_per_atom`` or
    ``..._meV_per_non_ion_atom``); so do the attributes of the same names.

    Made by :func:`compute_interface`.

    Attributes
    ----------
    reactant_a, reactant_b : str
        The reactants as given (or their catalogue names); ``formula_a``, ``formula_b``
        are the compositions computed.
    voltage_V : float or None
        The voltage (V vs the ion's metal) at which the ion is open; None: closed.
    ion : str
        The working ion (open when ``voltage_V`` is set).
    mixing_ratio : float
        Atomic fraction of A in the mixture at the most negative kink.
    reaction_energy_meV_per_atom, reaction_energy_meV_per_non_ion_atom : float
        The most negative reaction energy (the one of the two that matches ``voltage_V``;
        the other raises AttributeError naming the right one).
    products : list of str
        Reduced formulas of the products at that kink; ``reaction`` balances it.
    kinks : list of InterfaceKink
        Every kink of the mixing curve, A-poor first (the rows of ``to_dataframe``).
    flagged_products : list of dict
        ``{formula, reason}`` of the products (at any kink) worth a second look.
    other_release, release_note : str or None
        Set by ``interface_release_check``: the other bundled MP release, and where its
        reaction differs (None: the same products).
    temperature_K : float or None
        The temperature (K) of the energies (``compute_interface(..., temperature_K=...)``);
        None: the dataset's 0 K energies. ``temperature_note`` says what moved.

    Examples
    --------
    >>> import stability
    >>> engine = stability.make_engine(stability.load_dataset())
    >>> r = stability.compute_interface(engine, "Li3N", "LiCoO2")
    >>> round(r.reaction_energy_meV_per_atom, 1), r.products
    (-449.9, ['Co', 'Li2O', 'LiN3'])
    >>> r.reaction
    '1 Li3N + 0.8889 LiCoO2 -> 0.8889 Co + 1.778 Li2O + 0.3333 LiN3'
    """

    reactant_a: str
    reactant_b: str
    formula_a: str
    formula_b: str
    voltage_V: float | None
    mixing_ratio: float
    reaction_energy_meV: float
    products: list[str]
    reaction: str
    kinks: list[InterfaceKink]
    reactant_energies: str
    decomposition_a_meV: float
    decomposition_b_meV: float
    total_reaction_energy_meV: float
    total_mixing_ratio: float
    dataset: str
    engine: str
    #: Set by ``uncertainty.with_reaction_uncertainty`` (meV, same normalisation).
    reaction_energy_std_meV: float | None = None
    reaction_energy_ci95_meV: tuple[float, float] | None = None
    #: Products at any kink worth a second look: ``{formula, reason}``.
    flagged_products: list[dict[str, str]] = field(default_factory=list)
    #: Set by ``releases.interface_release_check``.
    other_release: str | None = None
    other_release_reaction_energy_meV: float | None = None
    release_note: str | None = None
    ion: str = DEFAULT_ION
    #: The temperature of the energies (K; None: 0 K) and what it moved (one line).
    temperature_K: float | None = None
    temperature_note: str | None = None

    @property
    def ion_open(self) -> bool:
        return self.voltage_V is not None

    @property
    def reaction_energy_meV_per_atom(self) -> float:
        return self._energy("reaction_energy_meV", "reaction_energy", False)

    @property
    def reaction_energy_meV_per_non_ion_atom(self) -> float:
        return self._energy("reaction_energy_meV", "reaction_energy", True)

    @property
    def total_reaction_energy_meV_per_non_ion_atom(self) -> float:
        return self._energy("total_reaction_energy_meV", "total_reaction_energy", True)

    def energy_per_reactant_atom(self, kink: InterfaceKink) -> float:
        """``kink``'s mutual energy in meV per atom of the reactants as written (the ion
        counted as in A and B, before any exchange with the reservoir): closed, its energy as
        it is; with the ion open, its meV per non-ion atom times the non-ion atoms per atom of
        the mixture at its x (the atomic fraction of A, both reactants normalised to one
        atom). Closed and ion-open energies so share one unit."""
        if not self.ion_open:
            return kink.reaction_energy_meV
        fa, fb = (
            1.0 - parse_formula(f).get_atomic_fraction(self.ion)
            for f in (self.formula_a, self.formula_b)
        )
        x = kink.mixing_ratio
        return kink.reaction_energy_meV * (x * fa + (1 - x) * fb) + 0.0

    def worst_kink_per_reactant_atom(self) -> tuple[float, InterfaceKink]:
        """The kink most negative per atom of the reactants (ties: the smaller x) and that
        energy (meV): what a face of a cell or an interlayer reports, products included."""
        energies = [(self.energy_per_reactant_atom(k), k.mixing_ratio, k) for k in self.kinks]
        energy, _, kink = min(energies, key=lambda e: (e[0], e[1]))
        return energy, kink

    def to_dict(self) -> dict:
        """Keys: reactant_a, reactant_b, formula_a, formula_b, ion, voltage_V, mixing_ratio, reaction_energy_meV_per_atom
        (closed) or reaction_energy_meV_per_non_ion_atom, total_reaction_energy_meV_per_non_ion_atom
        and total_mixing_ratio (Li open), products, reaction, kinks, reactant_energies,
        decomposition_a/b_meV_per_(non_ion_)atom, reaction_energy_std_meV_per_..., dataset,
        engine, flagged_products, temperature_K, temperature_note; after a release check
        other_release, other_release_reaction_energy_meV_per_(non_ion_)atom and release_note."""
        li = self.ion_open
        d = {
            "reactant_a": self.reactant_a,
            "reactant_b": self.reactant_b,
            "formula_a": self.formula_a,
            "formula_b": self.formula_b,
            "ion": self.ion,
            "voltage_V": self.voltage_V,
            "mixing_ratio": self.mixing_ratio,
            energy_key("reaction_energy", li): self.reaction_energy_meV,
        }
        if li:
            d[energy_key("total_reaction_energy", li)] = self.total_reaction_energy_meV
            d["total_mixing_ratio"] = self.total_mixing_ratio
        d.update(
            products=list(self.products),
            reaction=self.reaction,
            kinks=[{**k.to_row(), "products": k.products} for k in self.kinks],
            reactant_energies=self.reactant_energies,
            **{
                energy_key("decomposition_a", li): self.decomposition_a_meV,
                energy_key("decomposition_b", li): self.decomposition_b_meV,
                energy_key("reaction_energy_std", li): self.reaction_energy_std_meV,
            },
            dataset=self.dataset,
            engine=self.engine,
            flagged_products=[dict(f) for f in self.flagged_products],
            temperature_K=self.temperature_K,
            temperature_note=self.temperature_note,
        )
        if self.other_release is not None:
            d["other_release"] = self.other_release
            d[energy_key("other_release_reaction_energy", li)] = (
                self.other_release_reaction_energy_meV
            )
            d["release_note"] = self.release_note
        if self.reaction_energy_ci95_meV is not None:
            d[energy_key("reaction_energy_ci95", li)] = list(self.reaction_energy_ci95_meV)
        return d

    def to_dataframe(self) -> pd.DataFrame:
        """One row per kink of the mixing curve, A-poor first.

        Returns
        -------
        pandas.DataFrame
            Columns: reactant_a, reactant_b (as given), formula_a, formula_b, ion (the
            working ion), voltage_V (V vs the ion's metal; NaN: closed), mixing_ratio
            (atomic fraction of A), reaction_energy_meV_per_atom (closed, meV per atom of the
            mixture) or reaction_energy_meV_per_non_ion_atom and
            total_reaction_energy_meV_per_non_ion_atom (ion open, meV per non-ion atom),
            products (";"-joined reduced formulas), reaction, flagged_products (the
            kink's products worth a second look, ``formula (reason)`` ";"-joined), dataset,
            temperature_K (K; NaN: 0 K).

        Examples
        --------
        >>> import stability
        >>> engine = stability.make_engine(stability.load_dataset())
        >>> frame = stability.compute_interface(engine, "Li3N", "Li3PS4").to_dataframe()
        >>> frame[["mixing_ratio", "reaction_energy_meV_per_atom", "products"]].round(1)
           mixing_ratio  reaction_energy_meV_per_atom     products
        0           0.0                           0.0       Li3PS4
        1           0.5                        -557.9   Li2S;LiPN2
        2           0.7                        -472.5  Li2S;Li7PN4
        3           1.0                           0.0         Li3N
        """
        import pandas as pd

        head = {
            "reactant_a": self.reactant_a,
            "reactant_b": self.reactant_b,
            "formula_a": self.formula_a,
            "formula_b": self.formula_b,
            "ion": self.ion,
            "voltage_V": self.voltage_V,
        }
        rows = [
            {
                **head,
                **k.to_row(),
                "flagged_products": flags_text(flag_phases_of(self, k.products)),
                "dataset": self.dataset,
                "temperature_K": self.temperature_K,
            }
            for k in self.kinks
        ]
        return pd.DataFrame(rows)


@lru_cache(maxsize=4096)
def _amount_of(formula: str, element: str) -> float:
    # Imported here: a screen imports this module, and pymatgen costs 0.2 s at start-up.
    from pymatgen.core import Composition

    return Composition(formula)[element]


def check_voltage(voltage: float | None) -> None:
    if voltage is not None and not (-1.0 <= voltage <= 10.0):
        raise StabilityError(
            f"voltage {voltage} V is outside the range -1 to 10 V vs the working ion's metal"
        )


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


@dataclass(frozen=True)
class _Reaction:
    """What an interface and its table row are both read from: the materials, the engine's
    kinks and per kink (x, mutual energy meV, total energy meV)."""

    mat_a: Material
    mat_b: Material
    open_el: str | None
    mixing: Mixing
    energies: list[tuple[float, float, float]]
    dec_a: float
    dec_b: float

    def best(self) -> tuple[int, int]:
        """Indices of the most negative mutual and total kinks (ties: the smaller x)."""
        e = self.energies
        i = min(range(len(e)), key=lambda j: (e[j][1], e[j][0]))
        t = min(range(len(e)), key=lambda j: (e[j][2], e[j][0]))
        return i, t

    def products(self, i: int) -> tuple[list[str], str]:
        """Products and balanced reaction at kink ``i``."""
        k = self.mixing.kinks[i]
        phases = self.mixing.phases_of(i)
        if phases is not k.phases:
            k = Kink(k.x, k.energy_eV_per_atom, phases)
        names = (self.mat_a.label, self.mat_b.label)
        reaction = reaction_string(
            self.mat_a.composition, self.mat_b.composition, k, self.open_el, names
        )
        return [p.formula for p in phases], reaction


@lru_cache(maxsize=4096)
def _facts(mat: Material) -> tuple[dict[str, float], frozenset[str]]:
    """A material's amounts and elements, parsed once (a scan asks at every voltage)."""
    return mat.amounts, frozenset(mat.elements)


@lru_cache(maxsize=4096)
def _atomic_fraction(mat: Material, element: str) -> float:
    return mat.composition.get_atomic_fraction(element)


def _react(
    engine: Engine,
    a: MaterialLike | Material,
    b: MaterialLike | Material,
    voltage: float | None,
    use_own_energy: bool,
    phases: bool,
    ion: str = DEFAULT_ION,
) -> _Reaction:
    check_voltage(voltage)
    mat_a, mat_b = read_material(a, engine.table), read_material(b, engine.table)
    (amounts_a, elements_a), (amounts_b, elements_b) = _facts(mat_a), _facts(mat_b)
    elements = elements_a | elements_b
    open_el = ion if voltage is not None else None
    if open_el:
        if open_el not in elements:
            others = [i for i in IONS if i in elements]
            hint = (
                f"choose the working ion with --ion {' or --ion '.join(others)}, or "
                if others
                else ""
            )
            raise StabilityError(
                f"{mat_a.label} | {mat_b.label} has no {open_el}: "
                f"{hint}use the closed (no --voltage) reaction"
            )
        for mat, els in ((mat_a, elements_a), (mat_b, elements_b)):
            if els == {open_el}:
                raise StabilityError(
                    f"{mat.label} is {open_el} metal: with {open_el} open it is the reservoir "
                    "itself"
                )
    engine.check_elements(elements)
    hull_energies = None
    if open_el:
        # Each reactant's hull energy from its own (smaller, shared) system: with the ion open
        # the combined system needs only its grand hull, never its closed one.
        hull_energies = tuple(
            engine.locate(amounts).hull.hull_energy_per_atom for amounts in (amounts_a, amounts_b)
        )
    system = engine.system(elements)
    mixing = system.mixing(
        amounts_a,
        amounts_b,
        mu_open=None if voltage is None else ion_mu(voltage, ion),
        open_element=ion,
        use_own_energy=use_own_energy,
        hull_energies=hull_energies,
        phases=phases,
    )
    dec_a, dec_b = (1000 * e for e in mixing.own_decomposition_eV_per_atom)
    # Non-ion atoms per atom of each reactant: the weights of the own decompositions.
    fa = 1 - _atomic_fraction(mat_a, open_el) if open_el else 1.0
    fb = 1 - _atomic_fraction(mat_b, open_el) if open_el else 1.0
    energies = []
    for k in mixing.kinks:
        energy = config.clean(k.energy_eV_per_atom * 1000)
        counted_a = k.x * fa / (k.x * fa + (1 - k.x) * fb)
        total = energy + counted_a * dec_a + (1 - counted_a) * dec_b if open_el else energy
        # Below 1e-9 meV/atom is rounding noise: it must not pick the reported reaction.
        energies.append((k.x, energy, config.clean(total)))
    return _Reaction(mat_a, mat_b, open_el, mixing, energies, dec_a, dec_b)


def compute_interface(
    engine: Engine,
    a: MaterialLike,
    b: MaterialLike,
    voltage: float | None = None,
    *,
    use_own_energy: bool = False,
    ion: str = DEFAULT_ION,
    temperature_K: float | None = None,
) -> Interface:
    """Return the reaction of ``a`` with ``b``, closed, or with the working ion open at
    ``voltage`` (V vs its metal).

    Parameters
    ----------
    engine : Engine
        From :func:`stability.make_engine`.
    a, b : str or pymatgen.core.Composition
        The reactants: what :func:`stability.compute_window` takes.
    voltage : float, optional
        Open the system to the working ion at this voltage (V vs its metal, -1 to 10; its
        chemical potential is then mu_metal - z V); energies are then per non-ion atom.
        None (default): closed, per atom of the mixture.
    use_own_energy : bool, default False
        Start from each reactant's own (dataset) energy instead of its hull energy.
    ion : str, default "Li"
        The working ion open at ``voltage``: Li, Na, K, Mg, Ca, Zn or Al.
    temperature_K : float, optional
        300-2000 K: every phase at this temperature, as :func:`stability.compute_window`
        takes it (solids without structures keep 0 K energies; ``temperature_note``).
        None (default): the dataset's 0 K energies.

    Returns
    -------
    Interface
        The most negative reaction and every kink of the mixing curve.

    Raises
    ------
    StabilityError
        A reactant does not read, a voltage is out of range, the ion is open but neither
        side has it, or the dataset lacks an element.

    Examples
    --------
    >>> import stability
    >>> engine = stability.make_engine(stability.load_dataset())
    >>> closed = stability.compute_interface(engine, "Li3PS4", "LiCoO2")
    >>> round(closed.reaction_energy_meV_per_atom, 1)
    -402.3
    >>> at_3V = stability.compute_interface(engine, "Li3PS4", "LiCoO2", 3.0)
    >>> round(at_3V.reaction_energy_meV_per_non_ion_atom, 1), at_3V.products
    (-608.4, ['Co3S4', 'Li2SO4', 'Li4P2O7'])
    """
    ion = check_ion(ion)
    if temperature_K is not None:
        engine = engine_at_temperature(engine, temperature_K)
    r = _react(engine, a, b, voltage, use_own_energy, phases=True, ion=ion)
    kinks = []
    for i, (x, energy, total) in enumerate(r.energies):
        products, reaction = r.products(i)
        kinks.append(
            InterfaceKink(
                voltage_V=voltage,
                mixing_ratio=x,
                reaction_energy_meV=energy,
                total_reaction_energy_meV=total,
                products=products,
                reaction=reaction,
            )
        )
    i, t = r.best()
    best, best_total = kinks[i], kinks[t]
    return Interface(
        reactant_a=r.mat_a.label,
        reactant_b=r.mat_b.label,
        formula_a=r.mat_a.formula,
        formula_b=r.mat_b.formula,
        voltage_V=voltage,
        mixing_ratio=best.mixing_ratio,
        reaction_energy_meV=best.reaction_energy_meV,
        products=best.products,
        reaction=best.reaction,
        kinks=kinks,
        reactant_energies="own" if use_own_energy else "hull",
        decomposition_a_meV=config.clean(r.dec_a),
        decomposition_b_meV=config.clean(r.dec_b),
        total_reaction_energy_meV=best_total.total_reaction_energy_meV,
        total_mixing_ratio=best_total.mixing_ratio,
        dataset=engine.table.name,
        engine=engine.name,
        flagged_products=flag_phases(engine.table, [p for k in kinks for p in k.products]),
        ion=ion,
        temperature_K=temperature_of(engine.table),
        temperature_note=temperature_note(engine.table),
    )


def interface_row(
    engine: Engine,
    a: MaterialLike | Material,
    b: MaterialLike | Material,
    voltage: float | None,
    ion: str = DEFAULT_ION,
) -> dict:
    """``summary_row(compute_interface(engine, a, b, voltage, ion=ion))``, computing the
    products of the reported kink only (a matrix or scan row needs no others)."""
    r = _react(engine, a, b, voltage, False, phases=False, ion=ion)
    i, t = r.best()
    x, energy, _ = r.energies[i]
    products, reaction = r.products(i)
    ion_open = voltage is not None
    row = {
        "ion": ion,
        "voltage_V": voltage,
        "mixing_ratio": x,
        energy_key("reaction_energy", ion_open): energy,
    }
    if ion_open:
        row[energy_key("total_reaction_energy", True)] = r.energies[t][2]
        row["total_mixing_ratio"] = r.energies[t][0]
    row[energy_key("decomposition_a", ion_open)] = config.clean(r.dec_a)
    row[energy_key("decomposition_b", ion_open)] = config.clean(r.dec_b)
    row["products"] = ";".join(products)
    row["reaction"] = reaction
    row["flagged_products"] = flags_text(flag_phases(engine.table, products))
    return row


def reaction_energy(
    engine: Engine,
    a: MaterialLike | Material,
    b: MaterialLike | Material,
    voltage: float | None,
    ion: str = DEFAULT_ION,
) -> float:
    """``compute_interface(engine, a, b, voltage, ion=ion).reaction_energy_meV`` (the most
    negative mutual reaction energy, meV per atom closed, per non-ion atom with the ion open),
    the same number, without the products and reactions of any kink (a screen's column needs
    none)."""
    if voltage is not None:
        r = _react(engine, a, b, voltage, False, phases=False, ion=ion)
        return r.energies[r.best()[0]][1]
    # Closed: ``_react``'s steps that matter here, and the most negative kink's energy
    # alone (``clean`` keeps the order of the kinks, so it is the one ``best`` reports).
    mat_a, mat_b = read_material(a, engine.table), read_material(b, engine.table)
    (amounts_a, elements_a), (amounts_b, elements_b) = _facts(mat_a), _facts(mat_b)
    elements = elements_a | elements_b
    engine.check_elements(elements)
    return config.clean(engine.system(elements).mixing_minimum(amounts_a, amounts_b) * 1000)


def summary_columns(ion_open: bool) -> list[str]:
    """Columns of one interface as a table row (``Interface.to_row``)."""
    cols = ["ion", "voltage_V", "mixing_ratio", energy_key("reaction_energy", ion_open)]
    if ion_open:
        cols += [energy_key("total_reaction_energy", True), "total_mixing_ratio"]
    return [
        *cols,
        energy_key("decomposition_a", ion_open),
        energy_key("decomposition_b", ion_open),
        "products",
        "reaction",
        "flagged_products",
    ]


def summary_row(result: Interface) -> dict:
    """The headline of an interface as a flat row: ``summary_columns`` (products ";"-joined)."""
    d = result.to_dict()
    d["products"] = ";".join(result.products)
    d["flagged_products"] = flags_text(flag_phases_of(result, result.products))
    return {k: d[k] for k in summary_columns(result.ion_open)}


def flag_phases_of(result: Interface, products: list[str]) -> list[dict[str, str]]:
    """The flags of ``result`` on the given products (those of its reported kink), in the
    products' order, as ``flag_phases`` gives them for those products alone."""
    by_formula = {f["formula"]: f for f in result.flagged_products}
    return [by_formula[p] for p in dict.fromkeys(products) if p in by_formula]


@dataclass(frozen=True)
class InterfaceScan:
    """An interface at every voltage of a scan (the working ion open at each).

    Made by :func:`scan_interface`.

    Attributes
    ----------
    results : list of Interface
        One per voltage, in the order given.

    Examples
    --------
    >>> import stability
    >>> engine = stability.make_engine(stability.load_dataset())
    >>> scan = stability.scan_interface(engine, "Li3PS4", "LiCoO2", [3.0, 4.0])
    >>> [round(r.reaction_energy_meV_per_non_ion_atom, 1) for r in scan.results]
    [-608.4, -731.1]
    """

    results: list[Interface]

    def to_dataframe(self) -> pd.DataFrame:
        """One row per voltage of the scan.

        Returns
        -------
        pandas.DataFrame
            Columns: reactant_a, reactant_b, formula_a, formula_b, ion (the working ion),
            voltage_V (V vs the ion's metal), mixing_ratio,
            reaction_energy_meV_per_non_ion_atom (mutual, meV per non-ion atom),
            total_reaction_energy_meV_per_non_ion_atom and total_mixing_ratio (with each
            reactant's own decomposition), decomposition_a_meV_per_non_ion_atom and
            decomposition_b_meV_per_non_ion_atom (each reactant alone with the ion at that
            voltage), products (";"-joined), reaction, flagged_products, dataset,
            temperature_K (K; NaN: 0 K).

        Examples
        --------
        >>> import stability
        >>> engine = stability.make_engine(stability.load_dataset())
        >>> scan = stability.scan_interface(engine, "Li3PS4", "LiCoO2", [3.0, 4.0])
        >>> scan.to_dataframe()[["voltage_V", "reaction_energy_meV_per_non_ion_atom"]].round(1)
           voltage_V  reaction_energy_meV_per_non_ion_atom
        0        3.0                                -608.4
        1        4.0                                -731.1
        """
        import pandas as pd

        return pd.DataFrame(
            [
                {
                    "reactant_a": r.reactant_a,
                    "reactant_b": r.reactant_b,
                    "formula_a": r.formula_a,
                    "formula_b": r.formula_b,
                    **summary_row(r),
                    "dataset": r.dataset,
                    "temperature_K": r.temperature_K,
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


def scan_interface(
    engine: Engine,
    a: MaterialLike,
    b: MaterialLike,
    voltages: Iterable[float],
    *,
    ion: str = DEFAULT_ION,
    temperature_K: float | None = None,
) -> InterfaceScan:
    """The interface at each voltage; the system's hull and grand hulls are built once each.

    Parameters
    ----------
    engine : Engine
        From :func:`stability.make_engine`.
    a, b : str or pymatgen.core.Composition
        The reactants, as :func:`compute_interface` takes them.
    voltages : iterable of float
        Voltages (V vs the ion's metal) at which the ion is open, e.g.
        ``numpy.arange(0, 5.01, 0.1)``.
    ion : str, default "Li"
        The working ion (as :func:`compute_interface`).
    temperature_K : float, optional
        The temperature of the energies (as :func:`compute_interface`).

    Returns
    -------
    InterfaceScan
        One :class:`Interface` per voltage.

    Raises
    ------
    StabilityError
        As :func:`compute_interface`, at the first voltage that fails.

    Examples
    --------
    >>> import stability
    >>> engine = stability.make_engine(stability.load_dataset())
    >>> scan = stability.scan_interface(engine, "Li3N", "Li3PS4", [0.5, 1.0])
    >>> [(r.voltage_V, r.products) for r in scan.results]
    [(0.5, ['Li2S', 'Li7PN4']), (1.0, ['Li2S', 'LiPN2'])]
    """
    ion = check_ion(ion)
    if temperature_K is not None:
        engine = engine_at_temperature(engine, temperature_K)
    return InterfaceScan([compute_interface(engine, a, b, v, ion=ion) for v in voltages])


@dataclass(frozen=True)
class InterfaceMatrix:
    """Every pair of a left and a right set, with the error of any pair that failed.

    Made by :func:`interface_matrix`.

    Attributes
    ----------
    rows : list of dict
        One per pair, left-major: the rows of ``to_dataframe``.
    ion_open : bool
        Whether the working ion was open (energies per non-ion atom) or not (per atom).

    Examples
    --------
    >>> import stability
    >>> engine = stability.make_engine(stability.load_dataset())
    >>> left, right = [("LPS", "Li3PS4"), ("beta-Li3N", "Li3N")], [("LCO", "LiCoO2")]
    >>> matrix = stability.interface_matrix(engine, left, right)
    >>> [(r["reactant_a"], round(r["reaction_energy_meV_per_atom"], 1)) for r in matrix.rows]
    [('LPS', -402.3), ('beta-Li3N', -449.9)]
    """

    rows: list[dict]
    ion_open: bool

    def to_dataframe(self) -> pd.DataFrame:
        """One row per pair, left-major (the table ``stability interfaces`` writes).

        Returns
        -------
        pandas.DataFrame
            Columns: reactant_a (as given), formula_a, reactant_b, formula_b, then
            ``summary_columns``:
            ion (the working ion), voltage_V (NaN: closed), mixing_ratio, then closed:
            reaction_energy_meV_per_atom, decomposition_a_meV_per_atom,
            decomposition_b_meV_per_atom (meV per atom); the ion open: reaction_energy_meV_per_non_ion_atom,
            total_reaction_energy_meV_per_non_ion_atom, total_mixing_ratio,
            decomposition_a_meV_per_non_ion_atom, decomposition_b_meV_per_non_ion_atom (meV per
            non-ion atom); then products (";"-joined), reaction, flagged_products, dataset, and error (empty
            when the pair was computed).

        Examples
        --------
        >>> import stability
        >>> engine = stability.make_engine(stability.load_dataset())
        >>> matrix = stability.interface_matrix(engine, [("LPS", "Li3PS4")], [("LCO", "LiCoO2")])
        >>> matrix.to_dataframe()[["reactant_a", "reactant_b", "reaction_energy_meV_per_atom"]].round(1)
          reactant_a reactant_b  reaction_energy_meV_per_atom
        0        LPS        LCO                        -402.3
        """
        import pandas as pd

        return pd.DataFrame(self.rows, columns=matrix_columns(self.ion_open))


def matrix_columns(ion_open: bool) -> list[str]:
    """Columns of interface matrix and scan rows (``InterfaceMatrix.to_dataframe``)."""
    return [*PAIR_COLUMNS, *summary_columns(ion_open), "dataset", "error"]


#: The pair of a matrix or scan row: labels as given and compositions.
PAIR_COLUMNS = ("reactant_a", "formula_a", "reactant_b", "formula_b")

#: Columns of matrix rows that hold text; the others are floats.
TEXT_COLUMNS = frozenset(
    {*PAIR_COLUMNS, "products", "reaction", "flagged_products", "dataset", "error"}
)


def pair_rows(
    engine: Engine,
    voltages: Sequence[float | None],
    pair: tuple[str, str, str, str],
    ion: str = DEFAULT_ION,
) -> list[dict]:
    """Rows of one pair ``(a_label, a, b_label, b)``, one per voltage (None: closed) with
    ``ion`` open; a voltage that fails keeps its row, with the reason in ``error``."""
    a_label, a, b_label, b = pair
    rows = []
    try:  # once per pair, not per voltage
        mat_a, mat_b = read_material(a, engine.table), read_material(b, engine.table)
    except StabilityError:
        mat_a, mat_b = a, b  # each voltage's row reports the error
    for v in voltages:
        row = dict(zip(PAIR_COLUMNS, (a_label, a, b_label, b), strict=True))
        try:
            row.update(
                interface_row(engine, mat_a, mat_b, v, ion), dataset=engine.table.name, error=""
            )
        except StabilityError as exc:
            row.update(ion=ion, voltage_V=v, dataset=engine.table.name, error=str(exc))
        rows.append(row)
    return rows


class _Pairs(Sequence):
    """Every (left, right) pair, left-major, computed on demand (never all held)."""

    def __init__(self, left: list[tuple[str, str]], right: list[tuple[str, str]]) -> None:
        self.left, self.right = left, right

    def __len__(self) -> int:
        return len(self.left) * len(self.right)

    def __getitem__(self, i):  # type: ignore[override]
        (a_label, a), (b_label, b) = (
            self.left[i // len(self.right)],
            self.right[i % len(self.right)],
        )
        return a_label, a, b_label, b


#: Pairs run grouped by chemical system within blocks of about this many rows (pairs x
#: voltages), so that each system's hulls are built once per block (and per worker); rows
#: still come out in order, and at most a block of them waits.
GROUP_ROWS = 16384


def system_groups(
    engine: Engine, pairs: Sequence[tuple[str, str, str, str]], block: int
) -> list[list[int]]:
    """Indices of ``pairs`` grouped by the chemical system of A + B, within blocks of
    ``block`` pairs, groups in order of first appearance; a pair whose materials do not
    read is a group of its own (it fails with its own error)."""
    elements: dict[str, frozenset[str] | None] = {}

    def of(formula: str) -> frozenset[str] | None:
        if formula not in elements:
            try:
                elements[formula] = _facts(read_material(formula, engine.table))[1]
            except StabilityError:
                elements[formula] = None
        return elements[formula]

    groups: list[list[int]] = []
    for start in range(0, len(pairs), block):
        by_system: dict[object, list[int]] = {}
        for i in range(start, min(start + block, len(pairs))):
            _, a, _, b = pairs[i]
            ea, eb = of(a), of(b)
            key = ea | eb if ea is not None and eb is not None else i
            by_system.setdefault(key, []).append(i)
        groups += by_system.values()
    return groups


def iter_interface_rows(
    engine: Engine,
    left: list[tuple[str, str]],
    right: list[tuple[str, str]],
    voltages: Sequence[float | None] = (None,),
    *,
    jobs: int = 1,
    executor: Executor = None,
    progress: Callable[[int], Any] | None = None,
    ion: str = DEFAULT_ION,
) -> Iterator[dict]:
    """Rows of every left x right pair at every voltage, in that order (left-major, then
    right, then voltage), whatever order the pairs finish in.

    Pairs run through ``map_items`` (``jobs`` processes, or the Dask cluster of
    ``executor``), grouped by chemical system (``system_groups``); a pair is yielded once it
    and every pair before it are done, so only the pairs finished ahead of the first
    unfinished one (at most a block of about ``GROUP_ROWS`` rows) are held. ``progress(n)`` is
    called as pairs finish. ``ion``: the working ion open at each voltage.
    """
    from stability.analysis.runtime.batch import map_items

    voltages = list(voltages)
    for v in voltages:
        check_voltage(v)
    ion = check_ion(ion)
    pairs = _Pairs(left, right)
    ahead: dict[int, list[dict]] = {}
    cursor = 0
    task = partial(pair_rows, engine, voltages, ion=ion)
    groups = system_groups(engine, pairs, max(64, GROUP_ROWS // max(1, len(voltages))))
    for outcome in map_items(task, pairs, jobs=jobs, executor=executor, groups=groups):
        rows = outcome.value
        if not outcome.ok:  # a bug in one pair: its rows say so, the others go on
            head = dict(zip(PAIR_COLUMNS, pairs[outcome.index], strict=True))
            rows = [
                {
                    **head,
                    "ion": ion,
                    "voltage_V": v,
                    "dataset": engine.table.name,
                    "error": outcome.error,
                }
                for v in voltages
            ]
        ahead[outcome.index] = rows
        if progress is not None:
            progress(1)
        while cursor in ahead:
            yield from ahead.pop(cursor)
            cursor += 1


def interface_matrix(
    engine: Engine,
    left: list[tuple[str, str]],
    right: list[tuple[str, str]],
    voltage: float | None = None,
    *,
    jobs: int = 1,
    executor: Executor = None,
    ion: str = DEFAULT_ION,
) -> InterfaceMatrix:
    """Interfaces of every (label, formula) on the left with every one on the right.

    A pair that fails keeps its row, with the reason in ``error``. For matrices too large
    to hold, stream ``iter_interface_rows`` instead.

    Parameters
    ----------
    engine : Engine
        From :func:`stability.make_engine`.
    left, right : list of (str, str)
        ``(label, formula)`` pairs, e.g. from :func:`stability.resolve_set`.
    voltage : float, optional
        Open the working ion at this voltage (V vs its metal); None (default): closed.
    jobs : int, default 1
        Local worker processes.
    executor : str or distributed.Client, optional
        Run on this Dask cluster instead (see :func:`stability.map_items`).
    ion : str, default "Li"
        The working ion (as :func:`compute_interface`).

    Returns
    -------
    InterfaceMatrix
        One row per pair, left-major.

    Examples
    --------
    >>> import stability
    >>> engine = stability.make_engine(stability.load_dataset())
    >>> left = stability.resolve_set("nitride-sses")
    >>> matrix = stability.interface_matrix(engine, left, [("LCO", "LiCoO2")], 3.0)
    >>> frame = matrix.to_dataframe()
    >>> frame[["reactant_a", "reaction_energy_meV_per_non_ion_atom", "products"]].round(1)
      reactant_a  reaction_energy_meV_per_non_ion_atom          products
    0  beta-Li3N                                 -37.2       Co3O4;LiNO3
    1   Li9N2Cl3                                 -33.7  Co3O4;LiCl;LiNO3
    2      LiPON                                -332.8        LiCoPO4;N2
    3     Li7N2I                                 -22.6     Co3O4;I;LiNO3
    """
    rows = iter_interface_rows(
        engine, left, right, [voltage], jobs=jobs, executor=executor, ion=ion
    )
    return InterfaceMatrix(list(rows), voltage is not None)
