"""Releases side by side: a window or interface on one bundled MP release, checked on the other.

The two bundled releases (``mp2019_ground_states``, ``mp2022_hull``) disagree on which phases
sit on the hull: Li3N oxidises to LiN3 at 0.48 V on mp2019 and to N2 at 0.61 V on mp2022. A
result on one release gets the same calculation on the other (one more window or interface,
on the other release's small system: a few ms after the first load of its table, about
20 ms), a one-line ``release_note`` where they disagree (a limit moved by more than
``LIMIT_SHIFT_V`` or other products), and flags on the products the other release does not
form there. Results on any other dataset are returned as they are.
"""

from __future__ import annotations

from dataclasses import replace

from stability.analysis.interfaces.interface import Interface, compute_interface
from stability.analysis.materials.flags import exempt, merge_flags, other_release
from stability.analysis.windows.window import Window, compute_window
from stability.entries.table import EntryTable
from stability.errors import StabilityError
from stability.thermo.base import Engine

#: A limit that moves by more than this (V) between releases is reported.
LIMIT_SHIFT_V = 0.1

_ENGINES: dict[int, tuple[EntryTable, Engine]] = {}


def other_engine(engine: Engine) -> Engine | None:
    """A fast engine over the other bundled release of ``engine``'s dataset (None: not a
    bundled release, or one whose energies a temperature moved: the other release is at
    0 K), built once per process."""
    moved = engine.table.meta.get("temperature_rows") or {}
    if moved.get("solids") or moved.get("gases"):
        return None
    other = other_release(engine.table)
    if other is None:
        return None
    found = _ENGINES.get(id(other))
    if found is None:
        from stability.thermo.engines import make_engine

        found = _ENGINES[id(other)] = (other, make_engine(other))
    return found[1]


def _volts(v: float) -> str:
    return "no limit" if v == float("inf") else f"{v:.3f} V"


def _into(products: list[str], ion: str) -> str:
    return ", ".join(products) if products else f"nothing (stable against {ion} metal)"


def with_release_check(window: Window, engine: Engine) -> Window:
    """``window`` with the same window on the other bundled release beside it: its limits,
    a one-line ``release_note`` where they disagree and flags on the products only this
    release forms there.

    Parameters
    ----------
    window : Window
        From :func:`stability.compute_window` on ``engine``.
    engine : Engine
        The engine ``window`` was computed on.

    Returns
    -------
    Window
        With ``other_release`` and its limits set when ``engine``'s dataset is a bundled
        release whose counterpart holds the material's elements; else ``window`` unchanged.

    Examples
    --------
    >>> import stability
    >>> engine = stability.make_engine(stability.load_dataset())
    >>> w = stability.with_release_check(stability.compute_window(engine, "Li3N"), engine)
    >>> w.other_release, round(w.other_release_oxidation_limit_V, 3)
    ('mp2022_hull', 0.606)
    >>> w.release_note
    'mp2022_hull: oxidation limit 0.606 V into N2 (here 0.482 V into LiN3)'
    """
    other = other_engine(engine)
    if other is None:
        return window
    try:
        there = compute_window(other, window.formula, ion=window.ion)
    except StabilityError:
        return window  # the other release lacks an element: nothing to compare
    name = other.table.name
    notes, flags = [], []
    sides = (
        ("reduction", window.reduction_limit_V, there.reduction_limit_V,
         window.reduction_products, there.reduction_products),
        ("oxidation", window.oxidation_limit_V, there.oxidation_limit_V,
         window.oxidation_products, there.oxidation_products),
    )  # fmt: skip
    for side, here_v, there_v, here_p, there_p in sides:
        moved = here_v != there_v and not abs(here_v - there_v) <= LIMIT_SHIFT_V
        if not moved and set(here_p) == set(there_p):
            continue
        notes.append(
            f"{side} limit {_volts(there_v)} into {_into(there_p, window.ion)} "
            f"(here {_volts(here_v)} into {_into(here_p, window.ion)})"
        )
        for p in here_p:
            if p not in there_p and not exempt(p):
                flags.append(
                    {
                        "formula": p,
                        "reason": f"release: on {name} the {side} limit is {_volts(there_v)} "
                        f"into {_into(there_p, window.ion)} (here {_volts(here_v)})",
                    }
                )
    return replace(
        window,
        other_release=name,
        other_release_reduction_limit_V=there.reduction_limit_V,
        other_release_oxidation_limit_V=there.oxidation_limit_V,
        release_note=f"{name}: " + "; ".join(notes) if notes else None,
        flagged_products=merge_flags(window.flagged_products, flags),
    )


def interface_release_check(result: Interface, engine: Engine) -> Interface:
    """``result`` with the same reaction on the other bundled release: a one-line
    ``release_note`` where its products differ, with both energies, and flags on the
    products only this release forms.

    Parameters
    ----------
    result : Interface
        From :func:`stability.compute_interface` on ``engine``.
    engine : Engine
        The engine ``result`` was computed on.

    Returns
    -------
    Interface
        With ``other_release`` and ``other_release_reaction_energy_meV`` (same
        normalisation) set when ``engine``'s dataset is a bundled release whose counterpart
        holds the elements; else ``result`` unchanged.

    Examples
    --------
    >>> import stability
    >>> engine = stability.make_engine(stability.load_dataset())
    >>> r = stability.compute_interface(engine, "Li3N", "LiCoO2")
    >>> stability.interface_release_check(r, engine).release_note.split(":")[0]
    'mp2022_hull'
    """
    other = other_engine(engine)
    if other is None:
        return result
    try:
        there = compute_interface(
            other, result.formula_a, result.formula_b, result.voltage_V, ion=result.ion
        )
    except StabilityError:
        return result
    name = other.table.name
    unit = f"meV/non-{result.ion} atom" if result.ion_open else "meV/atom"
    note = None
    flags = []
    if set(there.products) != set(result.products):
        note = (
            f"{name}: {there.reaction_energy_meV:.1f} {unit} into {', '.join(there.products)} "
            f"(here {result.reaction_energy_meV:.1f} {unit} into {', '.join(result.products)})"
        )
        flags = [
            {
                "formula": p,
                "reason": f"release: not a product on {name}, which gives "
                f"{', '.join(there.products)} ({there.reaction_energy_meV:.1f} {unit})",
            }
            for p in result.products
            if p not in there.products and not exempt(p)
        ]
    return replace(
        result,
        other_release=name,
        other_release_reaction_energy_meV=there.reaction_energy_meV,
        release_note=note,
        flagged_products=merge_flags(result.flagged_products, flags),
    )
