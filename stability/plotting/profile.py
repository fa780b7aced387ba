"""Step plot of a voltage profile: Li uptake against voltage, each plateau labelled."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.figure import Figure

V_MAX = 5.0
#: How a step's phases are marked when the frame has an ``electronic`` column.
ELECTRONIC_STYLE = {
    "insulator": ("#009E73", "insulators"),
    "conductor": ("#D55E00", "electronic conductor"),
    "gas": ("#E69F00", "gas"),
    "unknown": ("#777777", "gap unknown"),
}


def _label(phases: str) -> str:
    # "0.333 LiN3;2.667 X" -> "LiN3 + X": amounts are in the table, names suffice on the plot.
    return " + ".join(p.split(" ", 1)[-1] for p in phases.split(";") if p)


def plot_profile(
    frame: pd.DataFrame,
    title: str = "",
    v_max: float = V_MAX,
    decomposition: pd.DataFrame | None = None,
) -> Figure:
    """Plot ``VoltageProfile.to_dataframe()``: Li per formula unit against V vs Li/Li+.

    An optional ``electronic`` column (insulator, conductor, gas, unknown per step; see
    ``practical.mark_steps``) colours each step's label and adds a legend. With
    ``decomposition`` (``DecompositionTable.to_dataframe()`` of this composition: voltage_V,
    decomposition_energy_eV_per_atom), a lower panel plots that energy against voltage.
    """
    if decomposition is None:
        fig, ax = plt.subplots(figsize=(6.4, 4.2), layout="constrained")
    else:
        fig, (ax, low) = plt.subplots(
            2,
            1,
            figsize=(6.4, 6.0),
            sharex=True,
            layout="constrained",
            gridspec_kw={"height_ratios": [2.2, 1]},
        )
    marked = "electronic" in frame.columns
    rows = frame.sort_values("voltage_low_V")
    lows = rows["voltage_low_V"].to_numpy()
    highs = np.nan_to_num(rows["voltage_high_V"].to_numpy(dtype=float), nan=v_max)
    highs = np.minimum(highs, v_max)
    li = rows["li_per_formula_unit"].to_numpy()
    xs, ys = [], []
    for lo, hi, y in zip(lows, highs, li, strict=True):
        xs += [lo, hi]
        ys += [y, y]
    ax.plot(xs, ys, color="black", lw=1.8, drawstyle="default")
    span = max(li.max() - li.min(), 1.0)
    kinds = rows["electronic"] if marked else [None] * len(rows)
    for lo, hi, y, phases, pristine, kind in zip(
        lows, highs, li, rows["phases"], rows["is_pristine"], kinds, strict=True
    ):
        if pristine:
            # The stability window: where the pristine material neither takes nor gives Li.
            ax.axvspan(lo, max(hi, lo + 0.01), color="tab:blue", alpha=0.12, lw=0)
        if hi - lo < 0.05 and not pristine:
            continue
        text = _label(phases) + (" (pristine)" if pristine else "")
        color = "tab:blue" if pristine else "0.15"
        if kind is not None and not pristine:
            color = ELECTRONIC_STYLE.get(str(kind), ("0.15", ""))[0]
            ax.plot([lo, hi], [y, y], color=color, lw=4.0, alpha=0.55, solid_capstyle="butt")
        ax.text(
            lo + 0.04,
            y + 0.03 * span,
            text,
            fontsize=7.5,
            ha="left",
            va="bottom",
            color=color,
            clip_on=True,
            bbox={"facecolor": "white", "edgecolor": "none", "alpha": 0.8, "pad": 0.5},
        )
    for v in lows[1:]:
        ax.axvline(v, color="0.75", lw=0.6, ls=":")
    ax.axhline(0, color="0.6", lw=0.8, ls=":")
    ax.set_xlim(0, v_max)
    ax.set_ylim(li.min() - 0.2 * span, li.max() + 0.2 * span)
    ax.set_ylabel("Li uptake per formula unit")
    if marked:
        from matplotlib.lines import Line2D

        present = [k for k in ELECTRONIC_STYLE if k in set(rows["electronic"])]
        handles = [
            Line2D(
                [], [], color=ELECTRONIC_STYLE[k][0], lw=4, alpha=0.55, label=ELECTRONIC_STYLE[k][1]
            )
            for k in present
        ]
        ax.legend(
            handles=handles, fontsize=7, loc="upper right", title="phases formed", title_fontsize=7
        )
    if title:
        ax.set_title(title)
    if decomposition is None:
        ax.set_xlabel("Voltage (V vs Li/Li$^+$)")
        return fig
    dec = decomposition.sort_values("voltage_V")
    low.plot(dec["voltage_V"], dec["decomposition_energy_eV_per_atom"], color="black", lw=1.5)
    low.axhline(0, color="0.6", lw=0.8, ls=":")
    for v in lows[1:]:
        low.axvline(v, color="0.75", lw=0.6, ls=":")
    low.set_xlim(0, v_max)
    low.set_ylabel("$E_D$ (eV/atom)")
    low.set_xlabel("Voltage (V vs Li/Li$^+$)")
    return fig
