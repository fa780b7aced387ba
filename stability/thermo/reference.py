"""The plain-pymatgen engine: PhaseDiagram per system, rebuilt with each placed composition.

This is the reference the fast engine is tested against (``--engine pymatgen``).
"""

from __future__ import annotations

from pymatgen.analysis.phase_diagram import PDEntry, PhaseDiagram
from pymatgen.core import Composition

from stability import config
from stability.thermo.base import Engine, HullPoint, Phase, PhaseSystem, ProfileStep
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
        return HullPoint(e_hull, phases, vertex)

    def li_profile(self, amounts: dict[str, float], element: str = "Li") -> list[ProfileStep]:
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
                ProfileStep(item["chempot"] - ref, float(item["evolution"]), tuple(phases))
            )
        return steps


class PymatgenEngine(Engine):
    name = "pymatgen"

    def _build(self, data: SystemData) -> PhaseSystem:
        return PymatgenSystem(data)
