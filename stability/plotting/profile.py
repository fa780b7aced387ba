"""Step plot of a voltage profile: Li uptake against voltage, each plateau numbered."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from stability.plotting.axes import figure_and_axes, panels
from stability.plotting.ions import frame_ion, voltage_label
from stability.plotting.labels import key_below, place_labels, segment_boxes

V_MIN_SPAN = 5.0  # the x-axis shows at least 0-5 V, and extends to the last critical voltage
LIST_WRAP = 62  # characters per line of the step list
#: How a step's phases are marked when the frame has an ``electronic`` column.
ELECTRONIC_STYLE = {
    "insulator": ("#009E73", "insulators"),
    "conductor": ("#D55E00", "electronic conductor"),
    "gas": ("#E69F00", "gas"),
    "unknown": ("#777777", "gap unknown"),
}


def _label(phases: str, flagged: str = "") -> str:
    # "0.333 LiN3;2.667 X" -> "LiN3 + X": amounts are in the table, names suffice on the plot;
    # a phase flagged as worth a second look (``flagged_products``: "LiN3 (reason); ...") gets *.
    marked = {f.split(" (", 1)[0] for f in str(flagged or "").split("; ") if f}
    names = [p.split(" ", 1)[-1] for p in phases.split(";") if p]
    return " + ".join(n + "*" if n in marked else n for n in names)


def voltage_axis_max(frame: pd.DataFrame, v_min_span: float = V_MIN_SPAN) -> float:
    """Upper end of the voltage axis: at least ``v_min_span``, past every critical voltage."""
    finite = pd.concat([frame["voltage_low_V"], frame["voltage_high_V"]]).dropna()
    top = float(finite.max()) if len(finite) else 0.0
    return max(v_min_span, math.ceil((top + 0.3) * 2) / 2)


def _step_list(rows: pd.DataFrame, ncols: int) -> list[str]:
    """The numbered key under the plot, split into ``ncols`` columns."""
    lines = []
    flags = rows["flagged_products"] if "flagged_products" in rows else [""] * len(rows)
    for i, (lo, hi, phases, pristine, flagged) in enumerate(
        zip(
            rows["voltage_low_V"],
            rows["voltage_high_V"],
            rows["phases"],
            rows["is_pristine"],
            flags,
            strict=True,
        ),
        start=1,
    ):
        span = f"{lo:.3f}-{hi:.3f} V" if pd.notna(hi) else f"> {lo:.3f} V"
        text = f"{i:>2}  {span:<14} {_label(phases, flagged)}"
        if pristine:
            text += "  (pristine)"
        while len(text) > LIST_WRAP:
            cut = text.rfind(" + ", 0, LIST_WRAP)
            cut = cut if cut > 20 else LIST_WRAP
            lines.append(text[:cut])
            text = " " * 20 + text[cut:]
        lines.append(text)
    if any("*" in line for line in lines):
        lines.append("    * worth a second look: a likely dataset artefact (flagged_products)")
    per = math.ceil(len(lines) / ncols)
    return ["\n".join(lines[k * per : (k + 1) * per]) for k in range(ncols)]


def plot_profile(
    frame: pd.DataFrame,
    title: str = "",
    v_max: float | None = None,
    *,
    ax: Axes | None = None,
    decomposition: pd.DataFrame | None = None,
) -> Figure:
    """Plot ``VoltageProfile.to_dataframe()``: Li (the ``ion`` column's working ion) per
    formula unit against V vs its metal.

    Each plateau is numbered on the curve and listed under the plot with its voltage range
    and phases, so many steps never pile up. The pristine step (the stability window) is
    shaded. The voltage axis runs from 0 to ``v_max`` (default: at least 5 V, extended past
    the last critical voltage, e.g. to 7 V for LiF's 6.36 V oxidation limit). Draws into
    ``ax`` when given; returns the Figure.

    An optional ``electronic`` column (insulator, conductor, gas, unknown per step; see
    ``practical.mark_profile``) colours each step and adds a legend. With ``decomposition``
    (``DecompositionTable.to_dataframe()`` of this composition: voltage_V,
    decomposition_energy_eV_per_atom), a lower panel plots that energy against voltage.
    """
    ion = frame_ion(frame)
    rows = frame.sort_values("voltage_low_V").reset_index(drop=True)
    n = len(rows)
    ncols = 1 if n <= 10 else 2
    list_lines = math.ceil(n / ncols) + 1
    size = (7.0, 4.0 + 0.14 * list_lines + (2.2 if decomposition is not None else 0.0))
    low = None
    if decomposition is None:
        fig, ax = figure_and_axes(ax, size)
    else:
        fig, (ax, low) = panels(ax, size, 2, 1, height_ratios=[2.4, 1])
    top = voltage_axis_max(rows) if v_max is None else v_max
    lows = rows["voltage_low_V"].to_numpy(dtype=float)
    highs = np.minimum(np.nan_to_num(rows["voltage_high_V"].to_numpy(dtype=float), nan=top), top)
    li = rows["ion_per_formula_unit"].to_numpy(dtype=float)
    xs, ys = [], []
    for lo, hi, y in zip(lows, highs, li, strict=True):
        xs += [lo, hi]
        ys += [y, y]
    # Guides first and below the data (zorder), so the curve is never drawn over.
    for v in lows[1:]:
        ax.axvline(v, color="0.85", lw=0.6, ls=":", zorder=0)
    ax.axhline(0, color="0.6", lw=0.8, ls=":", zorder=0)
    for lo, hi, pristine in zip(lows, highs, rows["is_pristine"], strict=True):
        if pristine:
            # The stability window: where the pristine material neither takes nor gives Li.
            ax.axvspan(lo, max(hi, lo + 0.01), color="tab:blue", alpha=0.12, lw=0, zorder=0)
    ax.plot(xs, ys, color="black", lw=1.8, zorder=3, solid_joinstyle="miter")
    marked = "electronic" in rows.columns
    if marked:
        for lo, hi, y, kind, pristine in zip(
            lows, highs, li, rows["electronic"], rows["is_pristine"], strict=True
        ):
            if not pristine and str(kind) in ELECTRONIC_STYLE:
                color = ELECTRONIC_STYLE[str(kind)][0]
                ax.plot([lo, hi], [y, y], color=color, lw=5.0, alpha=0.55, zorder=2)
        from matplotlib.lines import Line2D

        present = [k for k in ELECTRONIC_STYLE if k in set(rows["electronic"].astype(str))]
        handles = [
            Line2D(
                [], [], color=ELECTRONIC_STYLE[k][0], lw=5, alpha=0.55, label=ELECTRONIC_STYLE[k][1]
            )
            for k in present
        ]
        ax.legend(
            handles=handles, fontsize=7, loc="upper right", title="phases formed", title_fontsize=7
        )
    span = max(float(li.max() - li.min()), 1.0)
    ax.set_xlim(0, top)
    ax.set_ylim(li.min() - 0.12 * span, li.max() + 0.15 * span)
    ax.set_xlabel(voltage_label(ion))
    ax.set_ylabel(f"{ion} uptake per formula unit")
    if title:
        ax.set_title(title, fontsize=10)
    columns = _step_list(rows, ncols)
    for k, text in enumerate(columns):
        key_below(ax, text, k / ncols)
    anchors = [((lo + hi) / 2, y) for lo, hi, y in zip(lows, highs, li, strict=True)]
    place_labels(
        ax,
        anchors,
        [str(i) for i in range(1, n + 1)],
        obstacles=segment_boxes(ax, xs, ys),
        fontsize=7.5,
        color="0.1",
    )
    if low is not None:
        dec = decomposition.sort_values("voltage_V")
        low.plot(dec["voltage_V"], dec["decomposition_energy_eV_per_atom"], color="black", lw=1.5)
        low.axhline(0, color="0.6", lw=0.8, ls=":", zorder=0)
        for v in lows[1:]:
            low.axvline(v, color="0.85", lw=0.6, ls=":", zorder=0)
        low.set_xlim(0, top)
        low.set_ylabel("$E_D$ (eV/atom)")
        low.set_xlabel(voltage_label(ion))
    return fig
