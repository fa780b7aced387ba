"""Regenerate the review's figures into a folder, as PNG and PDF."""

from __future__ import annotations

from pathlib import Path

from pymatgen.core import Composition

from stability.analysis.cells.cell import review_cell, review_critical_values, review_energy_sweeps
from stability.analysis.interfaces.interface import interface_matrix
from stability.analysis.materials.catalogue import CATALOGUE, ION_SECTION_CLASS, SEED_SECTIONS
from stability.analysis.materials.sets import resolve_set
from stability.analysis.screens.review import bar_windows, class_windows
from stability.analysis.windows.practical import Passivation, mark_profile
from stability.analysis.windows.profile import compute_profile
from stability.io.tables import write_frame
from stability.plotting.cell import plot_stack, plot_sweeps
from stability.plotting.export import save_figure
from stability.plotting.heatmap import plot_matrix
from stability.plotting.profile import plot_profile
from stability.plotting.windows import plot_window_bars, plot_windows_by_class
from stability.thermo.base import Engine

FIGURES = (
    "windows_by_class",
    "windows_by_class_Na",
    "window_bars",
    "profile_Li3N",
    "profile_Li9N2Cl3",
    "interface_matrix",
    "cell_energy_Li3InCl6",
    "cell_energy_LGPS",
    "cell_stack_Li3InCl6",
    "cell_stack_LGPS",
    "dry_room",
)
#: Extra tables written beside the figures (no figure of their own).
TABLES = ("cell_critical_values",)


def catalogue_formulas() -> set[str]:
    """Reduced formulas of the catalogue's materials: the ones named in the class figures
    (the review's sections, and the Na, K and Mg electrolytes and cathodes)."""
    return {
        Composition(formula).reduced_formula
        for name in (*SEED_SECTIONS, *ION_SECTION_CLASS)
        for _, formula in CATALOGUE[name]
    }


def _save(fig, out: Path, name: str) -> list[Path]:
    return [
        save_figure(fig, out / f"{name}.png", close=False),
        save_figure(fig, out / f"{name}.pdf"),
    ]


def make_figures(engine: Engine, out: Path, passivation: Passivation | None = None) -> list[Path]:
    """Write every figure of ``FIGURES`` (PNG and PDF) and the table behind each (CSV, JSON).

    With ``passivation`` (band gaps), the window bars add each material's passivated window
    as a lighter bar, and the profiles mark each step's phases (insulator, conductor, gas).
    """
    out.mkdir(parents=True, exist_ok=True)
    ds = engine.table.name
    written: list[Path] = []

    frame = class_windows(engine)
    written += write_frame(frame.assign(dataset=ds), out / "windows_by_class")
    written += _save(
        plot_windows_by_class(
            frame,
            f"Windows of Li-M-X ternaries, M at highest valence, and the Li binaries (stars) ({ds})",
            highlight=catalogue_formulas(),
        ),
        out,
        "windows_by_class",
    )
    # The same for sodium: Na-M-X ternaries and the Na binaries, V vs Na/Na+.
    frame = class_windows(engine, ion="Na")
    written += write_frame(frame.assign(dataset=ds), out / "windows_by_class_Na")
    written += _save(
        plot_windows_by_class(
            frame,
            f"Windows of Na-M-X ternaries, M at highest valence, and the Na binaries (stars), "
            f"V vs Na/Na+ ({ds})",
            highlight=catalogue_formulas(),
        ),
        out,
        "windows_by_class_Na",
    )

    frame = bar_windows(engine, passivation=passivation)
    written += write_frame(frame.assign(dataset=ds), out / "window_bars")
    title = f"Electrochemical windows ({ds})"
    if passivation is not None:
        title += (
            f"\nlight bars: extended by insulating (gap >= {passivation.min_gap_eV:g} eV), "
            "gas-free interphases"
        )
    written += _save(plot_window_bars(frame, title), out, "window_bars")

    for formula in ("Li3N", "Li9N2Cl3"):
        profile = compute_profile(engine, formula)
        prof = profile.to_dataframe()
        if passivation is not None:
            prof["electronic"] = mark_profile(profile, passivation)
        written += write_frame(prof.assign(dataset=ds), out / f"profile_{formula}")
        written += _save(
            plot_profile(prof, f"{formula}: equilibrium voltage profile ({ds})"),
            out,
            f"profile_{formula}",
        )

    left = resolve_set("nitride-sses")
    right = resolve_set("cathodes") + resolve_set("catholytes")
    frame = interface_matrix(engine, left, right).to_dataframe()
    written += write_frame(frame, out / "interface_matrix")
    written += _save(
        plot_matrix(frame, f"Nitride | cathode and catholyte reaction energy, closed ({ds})"),
        out,
        "interface_matrix",
    )

    # The review's Fig. 17 pouch cells: energy density (no data needed), then the stack's
    # windows on this dataset (the review's Fig. 12A idea).
    import pandas as pd

    from stability.analysis.cells.stack import stack_stability

    critical = []
    for sse in ("Li3InCl6", "LGPS"):
        spec = review_cell(sse)
        frame = review_energy_sweeps(spec)
        written += write_frame(frame, out / f"cell_energy_{sse}")
        written += _save(
            plot_sweeps(
                frame,
                f"{spec.name}: energy density of one stack (NMC811 200 mAh/g, 3.75 V)\n"
                "circles: where 350 Wh/kg is reached",
            ),
            out,
            f"cell_energy_{sse}",
        )
        critical.append(review_critical_values(spec))
        stack = stack_stability(engine, spec)
        frame = stack.figure_frame()
        written += write_frame(frame.assign(dataset=ds), out / f"cell_stack_{sse}")
        written += _save(
            plot_stack(frame, f"{spec.name}: strict windows and what each face sees ({ds})"),
            out,
            f"cell_stack_{sse}",
        )
    written += write_frame(pd.concat(critical, ignore_index=True), out / "cell_critical_values")

    # The review's section 4.2: the electrolytes of the window bars with moisture, from a
    # dry room (dew point -60 C) to ambient air (50 % RH); flagged phases left out.
    from stability.analysis.air.dryroom import dry_room_map
    from stability.plotting.air import plot_dry_room

    names = list(dict.fromkeys(formula for _, formula in resolve_set("window-bars")))
    frame = dry_room_map(engine.table, names, leave_out_flagged=True).to_dataframe()
    written += write_frame(frame, out / "dry_room")
    written += _save(
        plot_dry_room(frame, f"Moisture from a dry room to ambient air ({ds})"), out, "dry_room"
    )
    return written
