"""Small Li-N documents in the Materials Project's shapes, built at test time.

GGA entries are corrected with pymatgen's ``MaterialsProject2020Compatibility`` (the N anion
correction applies to the nitrides), carry ``oxidation_states`` in ``data`` as MP sends them,
and are turned into thermo documents by emmet's ``ThermoDoc.from_entries`` for three thermo
types: GGA_GGA+U, R2SCAN and the mixed GGA_GGA+U_R2SCAN (mixed here with pymatgen's
``MaterialsProjectDFTMixingScheme`` over the whole system, as MP's builder does). Energies are
made up but chemically shaped: Li3N is stable with a formation energy near MP's.
"""

from __future__ import annotations

import warnings
from typing import Any

from pymatgen.core import Lattice, Structure
from pymatgen.entries.computed_entries import ComputedStructureEntry

POTCARS = {
    "Li": "PAW_PBE Li_sv 10Sep2004",
    "N": "PAW_PBE N 08Apr2002",
    "Cl": "PAW_PBE Cl 06Sep2000",
}


def _structures() -> dict[str, Structure]:
    return {
        "Li": Structure(Lattice.cubic(3.44), ["Li", "Li"], [[0, 0, 0], [0.5, 0.5, 0.5]]),
        "N2": Structure(Lattice.cubic(8.0), ["N", "N"], [[0, 0, 0], [0.1375, 0, 0]]),
        "Li3N": Structure(
            Lattice.hexagonal(3.65, 3.87),
            ["Li", "Li", "Li", "N"],
            [[0, 0, 0.5], [1 / 3, 2 / 3, 0], [2 / 3, 1 / 3, 0], [0, 0, 0]],
        ),
        "Li3N-cubic": Structure(
            Lattice.cubic(4.9),
            ["Li", "Li", "Li", "N"],
            [[0.5, 0, 0], [0, 0.5, 0], [0, 0, 0.5], [0, 0, 0]],
        ),
        "Cl2": Structure(Lattice.cubic(8.0), ["Cl", "Cl"], [[0, 0, 0], [0.25, 0, 0]]),
        "LiCl": Structure(Lattice.cubic(3.2), ["Li", "Cl"], [[0, 0, 0], [0.5, 0.5, 0.5]]),
        "LiN3": Structure(
            Lattice.orthorhombic(3.3, 3.3, 5.6),
            ["Li", "N", "N", "N"],
            [[0, 0, 0], [0.5, 0.5, 0.3], [0.5, 0.5, 0.5], [0.5, 0.5, 0.7]],
        ),
    }


#: (key, material_id, GGA eV/atom, r2SCAN eV/atom or None, oxidation states, band gap eV)
MATERIALS = [
    ("Li", "mp-135", -1.909, -2.315, {"Li": 0.0}, 0.0),
    ("N2", "mp-25", -8.336, -9.802, {"N": 0.0}, 5.6),
    ("Li3N", "mp-2251", -3.856, -4.712, {"Li": 1.0, "N": -3.0}, 0.98),
    ("Li3N-cubic", "mp-2341", -3.791, None, {"Li": 1.0, "N": -3.0}, 1.21),
    ("LiN3", "mp-2627", -7.02, -8.47, {"Li": 1.0, "N": -1 / 3}, 3.5),
    ("Cl2", "mp-22848", -1.85, None, {"Cl": 0.0}, 2.4),
    ("LiCl", "mp-22905", -3.7, None, {"Li": 1.0, "Cl": -1.0}, 6.3),
]


def make_entry(key: str, mid: str, e_pa: float, ox: dict[str, float], run_type: str):
    s = _structures()[key]
    els = sorted({str(x) for x in s.species})
    params = {
        "run_type": run_type,
        "is_hubbard": False,
        "hubbards": {},
        "potcar_spec": [{"titel": POTCARS[e], "hash": None} for e in els],
    }
    data = {
        "oxidation_states": dict(ox),
        "material_id": mid,
        "task_id": mid,
        "run_type": run_type,
        "license": "BY-C",
    }
    return ComputedStructureEntry(
        s, e_pa * len(s), parameters=params, data=data, entry_id=f"{mid}-{run_type}"
    )


def gga_entries() -> list[ComputedStructureEntry]:
    """The GGA entries, with MP2020 corrections applied."""
    from pymatgen.entries.compatibility import MaterialsProject2020Compatibility

    raw = [make_entry(k, mid, e, ox, "GGA") for k, mid, e, _, ox, _ in MATERIALS]
    return MaterialsProject2020Compatibility().process_entries(raw)


def r2scan_entries() -> list[ComputedStructureEntry]:
    return [make_entry(k, mid, e, ox, "r2SCAN") for k, mid, _, e, ox, _ in MATERIALS if e]


def mix(entries: list[ComputedStructureEntry]) -> list[ComputedStructureEntry]:
    """pymatgen's MP GGA(+U)/r2SCAN mixing, as the oracle and the server's mixed documents."""
    try:
        from pymatgen.analysis.compatibility.mixing_scheme import MaterialsProjectDFTMixingScheme
    except ImportError:  # older pymatgen
        from pymatgen.entries.mixing_scheme import MaterialsProjectDFTMixingScheme
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return MaterialsProjectDFTMixingScheme().process_entries(
            [e.copy() for e in entries], verbose=False
        )


def _docs(entries: list[ComputedStructureEntry], thermo_type: str) -> list[dict[str, Any]]:
    from emmet.core.thermo import ThermoDoc
    from emmet.core.types.enums import ThermoType

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        docs = ThermoDoc.from_entries(entries, ThermoType(thermo_type))
    out = []
    for doc in docs:
        d = doc.model_dump(mode="json")
        # emmet writes ids in its new alphabetic form; MP's API still sends mp-NNN.
        mid = next(iter(doc.entries.values())).entry_id.rsplit("-", 1)[0]
        d["material_id"] = mid
        d["thermo_id"] = f"{mid}_{thermo_type}"
        for e in d["entries"].values():
            e["data"]["material_id"] = mid
            e["data"]["task_id"] = mid
        out.append(d)
    return out


def _chemsys(entry) -> str:
    return "-".join(sorted(str(el) for el in entry.composition.elements))


def thermo_docs() -> list[dict[str, Any]]:
    """Thermo documents of the three thermo types, as the server holds them.

    As MP's thermo builder: the documents of each chemical system come from the phase diagram
    of that system and its subsystems (mixed per system for GGA_GGA+U_R2SCAN).
    """
    gga = gga_entries()
    r2 = r2scan_entries()
    out: list[dict[str, Any]] = []
    for system in sorted({_chemsys(e) for e in gga}):
        els = set(system.split("-"))

        def within(entries, els=els):
            return [e for e in entries if set(_chemsys(e).split("-")) <= els]

        def own(docs, system=system):
            return [d for d in docs if d["chemsys"] == system]

        g, r = within(gga), within(r2)
        out += own(_docs(g, "GGA_GGA+U"))
        if r and {str(el) for e in r for el in e.composition.elements} == els:
            out += own(_docs(r, "R2SCAN"))
            out += own(_docs(mix(g + r), "GGA_GGA+U_R2SCAN"))
    return out


def summary_docs() -> list[dict[str, Any]]:
    """Summary documents: material_id, formula, chemsys, band gap, energy above hull."""
    from pymatgen.analysis.phase_diagram import PhaseDiagram

    gga = gga_entries()
    pd = PhaseDiagram(gga)
    out = []
    for (_key, mid, *_rest, gap), entry in zip(MATERIALS, gga, strict=True):
        comp = entry.composition
        out.append(
            {
                "material_id": mid,
                "formula_pretty": comp.reduced_formula,
                "chemsys": "-".join(sorted(str(el) for el in comp.elements)),
                "band_gap": gap,
                "energy_above_hull": pd.get_e_above_hull(entry),
                "is_stable": pd.get_e_above_hull(entry) < 1e-9,
                "deprecated": False,
            }
        )
    return out
