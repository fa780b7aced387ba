"""The plain-pymatgen engine: PhaseDiagram per system, rebuilt with each placed composition.

This is the reference the fast engine is tested against (``--engine pymatgen``).
"""

from __future__ import annotations

from dataclasses import replace

from pymatgen.analysis.phase_diagram import PDEntry, PhaseDiagram
from pymatgen.core import Composition

from stability import config
from stability.ions import DEFAULT_ION
from stability.thermo.base import (
    Engine,
    HullPoint,
    Kink,
    Mixing,
    Phase,
    PhaseSystem,
    ProfileStep,
    charge_of,
)
from stability.thermo.system import SystemData, pd_entries


def _phases(decomp: dict, comp: Composition) -> tuple[Phase, ...]:
    """Decomposition {entry: atom fraction} as phases with moles per formula unit of ``comp``."""
    out = []
    for entry, frac in sorted(decomp.items(), key=lambda kv: kv[0].composition.reduced_formula):
        if frac < config.AMOUNT_TOL:
            continue
        reduced, factor = entry.composition.get_reduced_composition_and_factor()
        moles = frac * comp.num_atoms / reduced.num_atoms
        out.append(Phase(reduced.reduced_formula, entry.name, moles))
    return tuple(out)


class PymatgenSystem(PhaseSystem):
    def __init__(self, data: SystemData) -> None:
        super().__init__(data)
        self.entries = pd_entries(data)
        self.pd = PhaseDiagram(self.entries)

    def hull_point(self, amounts: dict[str, float]) -> HullPoint:
        comp = Composition(amounts)
        decomp = self.pd.get_decomposition(comp)
        e_hull = sum(e.energy_per_atom * f for e, f in decomp.items())
        phases = _phases(decomp, comp)
        vertex = (
            len(phases) == 1
            and Composition(phases[0].formula).reduced_formula == comp.reduced_formula
        )
        return HullPoint(e_hull, lambda: phases, lambda: vertex)

    def ion_profile(
        self, amounts: dict[str, float], element: str = DEFAULT_ION
    ) -> list[ProfileStep]:
        comp = Composition(amounts)
        point = self.hull_point(amounts)
        pd = self.pd
        if not point.is_vertex:
            energy = (point.hull_energy_per_atom - config.PLACEMENT_OFFSET_EV) * comp.num_atoms
            placed = PDEntry(comp, energy, name="placed")
            pd = PhaseDiagram([*self.entries, placed])
        ref = pd.el_refs[pd.elements[[str(e) for e in pd.elements].index(element)]].energy_per_atom
        steps = []
        for item in pd.get_element_profile(element, comp):
            decomp = dict.fromkeys(item["entries"], 1.0)
            cc = item["critical_composition"]
            # Amounts of each phase at this critical composition, per formula unit of comp.
            fractions = pd.get_decomposition(cc)
            host = sum(a for el, a in cc.items() if str(el) != element)
            scale = cc.num_atoms * (comp.num_atoms - comp[element]) / host
            phases = []
            for entry in sorted(decomp, key=lambda e: e.composition.reduced_formula):
                frac = fractions.get(entry, 0.0)
                reduced = entry.composition.reduced_composition
                name = comp.reduced_formula if entry.name == "placed" else entry.name
                phases.append(
                    Phase(reduced.reduced_formula, name, frac * scale / reduced.num_atoms)
                )
            steps.append(
                ProfileStep(
                    item["chempot"] - ref,
                    float(item["evolution"]),
                    tuple(phases),
                    charge=charge_of(element),
                )
            )
        # The composition itself is the critical composition that needs no Li exchanged.
        own = min(range(len(steps)), key=lambda i: abs(steps[i].ion_change))
        steps[own] = replace(steps[own], own=True)
        return steps

    def mixing(
        self,
        a: dict[str, float],
        b: dict[str, float],
        *,
        mu_open: float | None = None,
        open_element: str = DEFAULT_ION,
        use_own_energy: bool = False,
        hull_energies: tuple[float, float] | None = None,
        phases: bool = True,
    ) -> Mixing:
        from pymatgen.analysis.interface_reactions import (
            GrandPotentialInterfacialReactivity,
            InterfacialReactivity,
        )
        from pymatgen.analysis.phase_diagram import GrandPotentialPhaseDiagram
        from pymatgen.core import Element

        ca, cb = Composition(a), Composition(b)
        if mu_open is None:
            rxn = InterfacialReactivity(
                ca, cb, self.pd, norm=True, use_hull_energy=not use_own_energy
            )
            own = (0.0, 0.0)
            if use_own_energy:
                own = tuple(
                    self.pd.get_hull_energy_per_atom(c)
                    - rxn._get_entry_energy(self.pd, c.fractional_composition)
                    for c in (ca, cb)
                )
            mix_pd = self.pd
        else:
            el = Element(open_element)
            mu_abs = mu_open + self.pd.el_refs[el].energy_per_atom
            mix_pd = GrandPotentialPhaseDiagram(self.entries, {el: mu_abs})
            rxn = GrandPotentialInterfacialReactivity(
                ca,
                cb,
                mix_pd,
                self.pd,
                include_no_mixing_energy=False,
                norm=True,
                use_hull_energy=not use_own_energy,
            )
            own = tuple(e for _, e in rxn.get_no_mixing_energy())
        kinks = []
        for _, x, energy, _reaction, _ in rxn.get_kinks():
            # Products of the mixture at this kink, from the diagram the reaction used.
            x_proc = rxn._reverse_convert(x, rxn.factor1, rxn.factor2)
            mix = rxn.comp1 * x_proc + rxn.comp2 * (1 - x_proc)
            decomp = mix_pd.get_decomposition(mix)
            phases = []
            for entry, frac in decomp.items():
                if frac < config.AMOUNT_TOL:
                    continue
                original = getattr(entry, "original_entry", entry)
                reduced = original.composition.reduced_composition
                counted = sum(v for k, v in reduced.items() if k in mix_pd.elements)
                phases.append(Phase(reduced.reduced_formula, original.name, frac / counted))
            kinks.append(
                Kink(float(x), float(energy), tuple(sorted(phases, key=lambda p: p.formula)))
            )
        return Mixing(kinks, (float(own[0]), float(own[1])))


class PymatgenEngine(Engine):
    name = "pymatgen"

    def _build(self, data: SystemData) -> PhaseSystem:
        return PymatgenSystem(data)
