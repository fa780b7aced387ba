"""Plain pymatgen, written independently of the package: the oracle the tests compare with.

Entries come straight from the snapshot CSV with pandas and pymatgen; windows follow Zhu,
He & Mo: place the composition 1e-6 eV/atom below the hull if it is not a stable phase,
then read the limits off ``PhaseDiagram.get_element_profile``. Another working ion than Li:
the profile of that element, its chemical potentials divided by the ion's charge z (pymatgen's
one common oxidation state of the element), and with the ion open at mu_metal - z V.
"""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path

import pandas as pd
from pymatgen.analysis.phase_diagram import PDEntry, PhaseDiagram
from pymatgen.core import Composition, Element

OFFSET = 1e-6
_EL = re.compile(r"[A-Z][a-z]?")


class FormationCsv:
    """A formation-energy snapshot (elements implicit at 0) as pymatgen entries on demand."""

    def __init__(self, path: Path) -> None:
        df = pd.read_csv(path)
        self.formulas = df["formula"].astype(str).tolist()
        self.energies = df["formation_energy_per_atom"].astype(float).tolist()
        self.elsets = [frozenset(_EL.findall(f)) for f in self.formulas]

    @lru_cache(maxsize=256)  # noqa: B019 - one oracle per test session
    def entries(self, elements: frozenset[str]) -> list[PDEntry]:
        out = [PDEntry(Composition(el), 0.0, name=el) for el in elements]
        for f, e, s in zip(self.formulas, self.energies, self.elsets, strict=True):
            if s <= elements:
                comp = Composition(f)
                out.append(PDEntry(comp, e * comp.num_atoms, name=f))
        return out


def charge(ion: str) -> int:
    """The ion's charge z: pymatgen's one common oxidation state of the element."""
    (z,) = Element(ion).common_oxidation_states
    return int(z)


def _profile_window(entries: list[PDEntry], formula: str, offset: float, ion: str) -> dict:
    comp = Composition(formula)
    pd_ = PhaseDiagram(entries)
    stable = {e.composition.reduced_formula for e in pd_.stable_entries}
    placed = comp.reduced_formula not in stable
    if placed:
        energy = (pd_.get_hull_energy_per_atom(comp) - offset) * comp.num_atoms
        pd_ = PhaseDiagram([*entries, PDEntry(comp, energy, name="placed")])
    li = Element(ion)
    z = charge(ion)
    mu0 = pd_.el_refs[li].energy_per_atom
    prof = pd_.get_element_profile(li, comp)

    def own(step: dict) -> bool:
        # Within ~1e-3 Li of a tie line, pymatgen's step of a placed composition also lists
        # its neighbours: it is the step that holds the placed entry.
        if placed:
            return any(e.name == "placed" for e in step["entries"])
        return (
            len(step["entries"]) == 1
            and step["entries"][0].composition.reduced_formula == comp.reduced_formula
        )

    k = min((i for i, p in enumerate(prof) if own(p)), key=lambda i: abs(prof[i]["evolution"]))

    def names(step: dict) -> list[str]:
        return sorted(e.composition.reduced_formula for e in step["entries"])

    return {
        "reduction_limit_V": -(prof[k]["chempot"] - mu0) / z,
        "oxidation_limit_V": -(prof[k + 1]["chempot"] - mu0) / z,
        "reduction_products": names(prof[k - 1]) if k > 0 else [],
        "oxidation_products": names(prof[k + 1]),
        "placed_on_hull": placed,
        "profile_V": [-(p["chempot"] - mu0) / z for p in prof],
        "profile_li": [p["evolution"] for p in prof],
    }


def window(entries: list[PDEntry], formula: str, ion: str = "Li") -> dict:
    """Window (V), products and placement of ``formula`` by plain pymatgen, zero-offset limit.

    The placed composition's limits are slopes of hull facets through it, exactly linear in
    the offset; so pymatgen at offsets d and d/2 extrapolates exactly to d -> 0, the value
    that does not depend on the offset (a fixed 1e-6 eV/atom moves limits by d*N/dn, tens of
    mV for compositions within 1e-4 Li per formula unit of a stable phase).
    """
    full = _profile_window(entries, formula, OFFSET, ion)
    if not full["placed_on_hull"]:
        return full
    half = _profile_window(entries, formula, OFFSET / 2, ion)
    for key in ("reduction_limit_V", "oxidation_limit_V"):
        full[key] = 2 * half[key] - full[key]
    full["profile_V"] = [
        2 * h - f for h, f in zip(half["profile_V"], full["profile_V"], strict=True)
    ]
    return full


def interface(
    entries: list[PDEntry],
    a: str,
    b: str,
    voltage: float | None,
    *,
    total: bool = False,
    ion: str = "Li",
) -> dict:
    """Most negative reaction of A|B by pymatgen's (GrandPotential)InterfacialReactivity;
    with ``total``, including each reactant's own decomposition (include_no_mixing_energy);
    ``ion`` open at mu_metal - z V."""
    import warnings

    from pymatgen.analysis.interface_reactions import (
        GrandPotentialInterfacialReactivity,
        InterfacialReactivity,
    )
    from pymatgen.analysis.phase_diagram import GrandPotentialPhaseDiagram

    ca, cb = Composition(a), Composition(b)
    pd_ = PhaseDiagram(entries)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        if voltage is None:
            rxn = InterfacialReactivity(ca, cb, pd_, norm=True, use_hull_energy=True)
        else:
            li = Element(ion)
            gpd = GrandPotentialPhaseDiagram(
                entries, {li: pd_.el_refs[li].energy_per_atom - charge(ion) * voltage}
            )
            rxn = GrandPotentialInterfacialReactivity(
                ca, cb, gpd, pd_, include_no_mixing_energy=total, norm=True, use_hull_energy=True
            )
        kinks = rxn.get_kinks()
    _, x, energy, reaction, _ = min(kinks, key=lambda k: (k[2], k[1]))
    products = sorted(c.reduced_formula for c in reaction.products if c.reduced_formula != ion)
    return {
        "mixing_ratio": x,
        "energy_meV": energy * 1000,
        "products": products,
        "n_kinks": len(kinks),
    }
