"""Text that commands print for people: tables and explanations of results."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from stability import config
from stability.io.formats import to_table
from stability.ions import DEFAULT_ION, reference

if TYPE_CHECKING:
    import pandas as pd

    from stability.analysis.interfaces.interface import Interface
    from stability.analysis.windows.profile import VoltageProfile
    from stability.analysis.windows.window import Window

WINDOW_HEADERS = {
    "formula": "formula",
    "reduction_limit_V": "reduction (V)",
    "oxidation_limit_V": "oxidation (V)",
    "window_width_V": "width (V)",
    "reduction_products": "reduction products",
    "oxidation_products": "oxidation products",
    "e_above_hull_eV_per_atom": "E_hull (eV/atom)",
    "placed_on_hull": "placed",
}
STD_HEADERS = {"reduction_limit_std_V": "red. std (V)", "oxidation_limit_std_V": "ox. std (V)"}
#: Beside the spread: the limits on the other bundled release (``--uncertainty``).
RELEASE_HEADERS = {
    "other_release_reduction_limit_V": "red. other release (V)",
    "other_release_oxidation_limit_V": "ox. other release (V)",
}
#: The footnote of a table whose products carry a ``*``.
FLAG_MARK = "*"


def marked(products: list[str], flags: list[dict[str, str]]) -> str:
    """Products joined for a table, each flagged one with a trailing ``*``."""
    flagged = {f["formula"] for f in flags}
    return ", ".join(p + FLAG_MARK if p in flagged else p for p in products) or "-"


def flag_lines(*flag_lists: list[dict[str, str]]) -> list[str]:
    """One footnote per flagged product, however many results list it (docs/flags.md says
    what the reasons mean). A result's own answer on the other release is its ``release:``
    line, so those reasons are not repeated here."""
    reasons: dict[str, list[str]] = {}
    for flags in flag_lists:
        for f in flags:
            kept = reasons.setdefault(f["formula"], [])
            for r in f["reason"].split("; "):
                if not r.startswith(PER_RESULT) and r not in kept:
                    kept.append(r)
    return [
        f"{FLAG_MARK} {formula}: {'; '.join(r) if r else 'a product on this release only'}"
        for formula, r in reasons.items()
    ]


#: Flag reasons that restate one result's answer on the other release (its release: line).
PER_RESULT = ("release: on ", "release: not a product")


PROFILE_HEADERS = {
    "voltage_low_V": "from (V)",
    "voltage_high_V": "to (V)",
    "ion_per_formula_unit": "Li per f.u.",
    "reaction": "equilibrium (per formula unit)",
}
KINK_HEADERS = {
    "mixing_ratio": "x (A)",
    "reaction_energy_meV_per_atom": "E_rxn (meV/atom)",
    "reaction_energy_meV_per_non_ion_atom": "E_mutual (meV/non-Li atom)",
    "total_reaction_energy_meV_per_non_ion_atom": "E_total (meV/non-Li atom)",
    "reaction": "reaction",
}
SCAN_HEADERS = {
    "voltage_V": "V",
    "mixing_ratio": "x (A)",
    "reaction_energy_meV_per_non_ion_atom": "E_mutual",
    "total_reaction_energy_meV_per_non_ion_atom": "E_total",
    "decomposition_a_meV_per_non_ion_atom": "A alone",
    "decomposition_b_meV_per_non_ion_atom": "B alone",
    "products": "products",
}


def placement_note(engine_name: str) -> str:
    how = (
        "in the limit of a vanishing offset"
        if engine_name == "fast"
        else f"{config.PLACEMENT_OFFSET_EV:g} eV/atom below it"
    )
    return (
        "placed: off the hull or absent from the dataset, so placed on the hull "
        f"({how}) before its window was computed (Zhu, He & Mo 2015)."
    )


def windows_text(
    windows: list[Window], dataset: str, engine: str, explained: list[tuple[Any, Any]]
) -> str:
    """The window table, each explanation below it, and the placement note if needed."""
    lines = [f"dataset: {dataset} (engine {engine})"]
    notes = {w.temperature_note for w in windows} - {None}
    lines += [f"temperature {note}" for note in sorted(notes)]
    ions = sorted({w.ion for w in windows} - {DEFAULT_ION})
    if ions:
        lines.append(f"working ion: {', '.join(ions)} (voltages {reference(ions[0])})")
    headers = dict(WINDOW_HEADERS)
    if any(w.label != w.formula for w in windows):
        headers = {"label": "material", **headers}
    if any(w.reduction_limit_std_V is not None for w in windows):
        headers.update(STD_HEADERS)
        if any(w.other_release is not None for w in windows):
            headers.update(RELEASE_HEADERS)
    rows = []
    for w in windows:
        d = w.to_dict()
        for k in ("reduction_products", "oxidation_products"):
            d[k] = marked(d[k], w.flagged_products)
        rows.append(d)
    lines.append(to_table(rows, headers))
    lines += flag_lines(*(w.flagged_products for w in windows))
    for w in windows:
        if w.release_note:
            where = f"{w.label}: " if len(windows) > 1 else ""
            lines.append(f"release: {where}{w.release_note}")
    for w, limits in zip(windows, explained, strict=False):  # empty without --explain
        lines.append(f"\n{w.label}:")
        for lim in limits:
            lines.append(f"  {lim.limit} limit {lim.voltage_V:.3f} V: {lim.reaction}")
            for c in lim.competitors:
                if c.margin_meV_per_atom is None:
                    lines.append(f"    {c.phase}: {c.note}")
                else:
                    lines.append(
                        f"    without {c.phase}: {c.limit_V:.3f} V into {', '.join(c.products)}; "
                        f"{c.phase} decides by {c.margin_meV_per_atom:.1f} meV/atom"
                    )
    if any(w.placed_on_hull for w in windows):
        lines.append(placement_note(engine))
    return "\n".join(lines)


def profile_text(
    prof: VoltageProfile, frame: pd.DataFrame | list[dict[str, Any]] | None = None
) -> str:
    """The window line and the profile table (``frame``, a DataFrame or ``prof.rows()``-like
    records, adds columns, e.g. phase marks)."""
    w = prof.window
    head = (
        f"{prof.label}{'' if prof.label == prof.formula else f' ({prof.formula})'}: window "
        f"{w.reduction_limit_V:.3f} - {w.oxidation_limit_V:.3f} {reference(w.ion)} "
        f"({w.dataset}{', placed on the hull' if w.placed_on_hull else ''})"
    )
    if frame is None:
        records = prof.rows()
    elif isinstance(frame, list):
        records = frame
    else:
        records = frame.to_dict("records")
    headers = {**PROFILE_HEADERS, "ion_per_formula_unit": f"{w.ion} per f.u."}
    if any("electronic" in r for r in records):
        headers["electronic"] = "phases formed"
    flagged = {f["formula"] for f in prof.flagged_products}
    records = [{**r, "reaction": _mark_reaction(r["reaction"], flagged)} for r in records]
    return "\n".join([head, to_table(records, headers), *flag_lines(prof.flagged_products)])


def interface_text(res: Interface) -> str:
    """Headline energies (named by their normalisation), each reactant alone, the kinks."""
    a, b, ion = res.reactant_a, res.reactant_b, res.ion
    std = f" ± {res.reaction_energy_std_meV:.1f}" if res.reaction_energy_std_meV is not None else ""
    if not res.ion_open:
        lines = [
            f"{a} | {b}, closed (no {ion} exchange), reactants at {res.reactant_energies} energies "
            f"({res.dataset}):",
            f"  most negative: {res.reaction_energy_meV:.1f}{std} meV/atom at "
            f"x = {res.mixing_ratio:.3f}: {res.reaction}",
        ]
    else:
        v = res.voltage_V
        lines = [
            f"{a} | {b}, {ion} open at {v:g} "
            f"{'V' if ion == DEFAULT_ION else reference(ion)}, reactants at "
            f"{res.reactant_energies} energies ({res.dataset}); energies per non-{ion} atom:",
            f"  mutual (each side first in equilibrium with {ion}): "
            f"{res.reaction_energy_meV:.1f}{std} "
            f"meV at x = {res.mixing_ratio:.3f}: {res.reaction}",
            f"  total (with each side's own decomposition): {res.total_reaction_energy_meV:.1f} "
            f"meV at x = {res.total_mixing_ratio:.3f}",
            f"  each alone with {ion} at {v:g} V: {a} {res.decomposition_a_meV:.1f}, "
            f"{b} {res.decomposition_b_meV:.1f} meV",
        ]
        if res.reactant_energies == "own":
            # As pymatgen (include_no_mixing_energy=False): each side is first equilibrated
            # with the ion, so own energies change only the 'each alone' numbers.
            lines.append("  (own energies change only each reactant's own decomposition here)")
    if res.temperature_note:
        lines.append(f"  temperature {res.temperature_note}")
    frame = res.to_dataframe()
    headers = {
        k: h.replace("non-Li", f"non-{ion}") for k, h in KINK_HEADERS.items() if k in frame.columns
    }
    records = frame.to_dict("records")
    flagged = {f["formula"] for f in res.flagged_products}
    for r in records:  # the reaction names each flagged product with a *
        r["reaction"] = _mark_reaction(r["reaction"], flagged)
    lines[1] = _mark_reaction(lines[1], flagged)
    lines.append(to_table(records, headers, digits=3))
    lines += flag_lines(res.flagged_products)
    if res.release_note:
        lines.append(f"release: {res.release_note}")
    return "\n".join(lines)


def _mark_reaction(text: str, flagged: set[str]) -> str:
    """``text`` with each flagged formula after the arrow marked ``*`` (whole words only)."""
    if not flagged or "->" not in text:
        return text
    head, _, tail = text.partition("->")
    words = [w + FLAG_MARK if w in flagged else w for w in tail.split(" ")]
    return head + "->" + " ".join(words)


def scan_text(a: str, b: str, dataset: str, records: list[dict], ion: str = DEFAULT_ION) -> str:
    head = f"{a} | {b}, {ion} open ({dataset}); energies in meV per non-{ion} atom"
    if ion != DEFAULT_ION:
        head += f"; voltages {reference(ion)}"
    notes = []
    for r in records:
        flags = r.get("flagged_products") or ""
        if flags:
            names = [f.split(" (")[0] for f in flags.split("; ") if f]
            products = str(r["products"]).split(";")
            r.update(products=";".join(p + FLAG_MARK if p in names else p for p in products))
            notes.append(flags)
    lines = [head, to_table(records, SCAN_HEADERS, digits=2)]
    lines += [f"{FLAG_MARK} {n}" for n in dict.fromkeys(notes)]
    return "\n".join(lines)
