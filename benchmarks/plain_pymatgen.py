"""What a researcher writes with pandas and pymatgen alone: the baseline of the benchmarks.

Nothing here imports ``stability``. Entries come straight from a formation-energy snapshot
CSV (``formula,formation_energy_per_atom``; elements implicit at 0 eV/atom). A window
follows Zhu, He & Mo (2015): build ``PhaseDiagram`` on the entries of the composition's
chemical system, place the composition 1e-6 eV/atom below the hull if it is not a stable
phase, and read the limits off ``get_element_profile``. Interfaces use pymatgen's
``InterfacialReactivity`` (closed) and ``GrandPotentialInterfacialReactivity`` (Li open).

Run as a script it prints one window, which is job (a) of ``benchmarks/run.py``::

    python benchmarks/plain_pymatgen.py SNAPSHOT.csv.gz Li3N
"""

from __future__ import annotations

import re
import sys
import warnings

import pandas as pd
from pymatgen.analysis.phase_diagram import PDEntry, PhaseDiagram
from pymatgen.core import Composition, Element

OFFSET = 1e-6  # eV/atom below the hull for a composition that is not a stable phase
_EL = re.compile(r"[A-Z][a-z]?")
LI = Element("Li")


class Snapshot:
    """The snapshot CSV read with pandas; pymatgen entries of any chemical system on demand."""

    def __init__(self, path: str) -> None:
        df = pd.read_csv(path)
        self.formulas: list[str] = df["formula"].astype(str).tolist()
        self.energies: list[float] = df["formation_energy_per_atom"].astype(float).tolist()
        self.elsets = [frozenset(_EL.findall(f)) for f in self.formulas]

    def li_compounds(self) -> list[int]:
        """Rows with Li and at least one other element."""
        return [i for i, s in enumerate(self.elsets) if "Li" in s and len(s) > 1]

    def entries(self, elements: frozenset[str]) -> list[PDEntry]:
        """PDEntries of every row within ``elements``, plus the elements at 0 eV/atom."""
        out = [PDEntry(Composition(el), 0.0, name=el) for el in sorted(elements)]
        for f, e, s in zip(self.formulas, self.energies, self.elsets, strict=True):
            if s <= elements:
                comp = Composition(f)
                out.append(PDEntry(comp, e * comp.num_atoms, name=f))
        return out


def _names(step: dict) -> list[str]:
    return sorted(
        e.composition.reduced_formula
        for e in step["entries"]
        if e.composition.reduced_formula != "Li"
    )


def window(entries: list[PDEntry], formula: str, offset: float = OFFSET) -> dict:
    """Window (V vs Li/Li+) of ``formula`` and the phases just beyond each limit."""
    comp = Composition(formula)
    pd_ = PhaseDiagram(entries)
    stable = {e.composition.reduced_formula for e in pd_.stable_entries}
    placed = comp.reduced_formula not in stable
    if placed:
        energy = (pd_.get_hull_energy_per_atom(comp) - offset) * comp.num_atoms
        pd_ = PhaseDiagram([*entries, PDEntry(comp, energy, name="placed")])
    mu0 = pd_.el_refs[LI].energy_per_atom
    prof = pd_.get_element_profile(LI, comp)
    k = next(
        i
        for i, p in enumerate(prof)
        if len(p["entries"]) == 1
        and p["entries"][0].composition.reduced_formula == comp.reduced_formula
    )
    return {
        "reduction_limit_V": -(prof[k]["chempot"] - mu0) + 0.0,
        "oxidation_limit_V": -(prof[k + 1]["chempot"] - mu0) + 0.0,
        "reduction_products": _names(prof[k - 1]) if k > 0 else [],
        "oxidation_products": _names(prof[k + 1]),
        "placed_on_hull": placed,
    }


def windows_of_system(entries: list[PDEntry], formulas: list[str]) -> dict[str, dict]:
    """Windows of several compositions of one chemical system: the competent baseline.

    One ``PhaseDiagram`` for the system; a composition that is not a stable phase is not
    placed in a rebuilt diagram but read off this one, in the limit of a vanishing offset:
    inside a segment of its Li profile both limits are that segment's Li potential; at a
    critical composition they are the potentials on either side of it. Products are the
    phases at the neighbouring critical compositions, as in a placed diagram.
    """
    pd_ = PhaseDiagram(entries)
    stable = {e.composition.reduced_formula for e in pd_.stable_entries}
    mu0 = pd_.el_refs[LI].energy_per_atom
    out = {}
    for formula in formulas:
        comp = Composition(formula)
        prof = pd_.get_element_profile(LI, comp)
        if comp.reduced_formula in stable:
            k = next(
                i
                for i, p in enumerate(prof)
                if len(p["entries"]) == 1
                and p["entries"][0].composition.reduced_formula == comp.reduced_formula
            )
            red, ox = prof[k]["chempot"], prof[k + 1]["chempot"]
            richer, poorer = (prof[k - 1] if k > 0 else None), prof[k + 1]
        else:
            # Li taken up (+) or given off (-) to reach each critical composition.
            amounts = [p["evolution"] for p in prof]
            tol = 1e-6 * max(1.0, comp.num_atoms)
            at = [i for i, a in enumerate(amounts) if abs(a) <= tol]
            if at:  # on a critical composition: its two sides
                k = at[0]
                red, ox = prof[k]["chempot"], prof[k + 1]["chempot"]
                richer, poorer = (prof[k - 1] if k > 0 else None), prof[k + 1]
            else:  # inside a segment: the Li-poorer end's potential holds on both sides
                j = next(i for i, a in enumerate(amounts) if a < -tol)
                red = ox = prof[j]["chempot"]
                richer, poorer = (prof[j - 1] if j > 0 else None), prof[j]
        out[formula] = {
            "reduction_limit_V": -(red - mu0) + 0.0,
            "oxidation_limit_V": -(ox - mu0) + 0.0,
            "reduction_products": _names(richer) if richer is not None else [],
            "oxidation_products": _names(poorer),
            "placed_on_hull": comp.reduced_formula not in stable,
        }
    return out


def interfaces(entries: list[PDEntry], a: str, b: str, voltages: list[float | None]) -> list[dict]:
    """Most negative reaction of A|B at each voltage (None: closed), reactants at hull energy.

    One ``PhaseDiagram`` per pair; with Li open, one ``GrandPotentialPhaseDiagram`` per voltage.
    Energies are meV per atom of the mixture (per non-Li atom with Li open).
    """
    from pymatgen.analysis.interface_reactions import (
        GrandPotentialInterfacialReactivity,
        InterfacialReactivity,
    )
    from pymatgen.analysis.phase_diagram import GrandPotentialPhaseDiagram

    ca, cb = Composition(a), Composition(b)
    pd_ = PhaseDiagram(entries)
    mu_li = pd_.el_refs[LI].energy_per_atom
    out = []
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for v in voltages:
            if v is None:
                rxn = InterfacialReactivity(ca, cb, pd_, norm=True, use_hull_energy=True)
            else:
                gpd = GrandPotentialPhaseDiagram(entries, {LI: mu_li - v})
                rxn = GrandPotentialInterfacialReactivity(
                    ca,
                    cb,
                    gpd,
                    pd_,
                    include_no_mixing_energy=False,
                    norm=True,
                    use_hull_energy=True,
                )
            kinks = rxn.get_kinks()
            _, x, energy, reaction, _ = min(kinks, key=lambda k: (k[2], k[1]))
            products = sorted(
                c.reduced_formula for c in reaction.products if c.reduced_formula != "Li"
            )
            out.append(
                {
                    "voltage_V": v,
                    "mixing_ratio": float(x),
                    "energy_meV": float(energy) * 1000,
                    "products": products,
                }
            )
    return out


def main(argv: list[str]) -> int:
    if len(argv) != 2:
        print("usage: plain_pymatgen.py SNAPSHOT.csv[.gz] FORMULA", file=sys.stderr)
        return 2
    path, formula = argv
    snap = Snapshot(path)
    elements = frozenset(str(e) for e in Composition(formula).elements)
    w = window(snap.entries(elements), formula)
    print(
        f"{formula}: {w['reduction_limit_V']:.6f} - {w['oxidation_limit_V']:.6f} V vs Li/Li+; "
        f"reduction: {', '.join(w['reduction_products']) or '-'}; "
        f"oxidation: {', '.join(w['oxidation_products']) or '-'}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
