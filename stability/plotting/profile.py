"""Step plot of a voltage profile: Li uptake against voltage, each plateau labelled."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.figure import Figure

V_MAX = 5.0


def _label(phases: str) -> str:
    # "0.333 LiN3;2.667 X" -> "LiN3 + X": amounts are in the table, names suffice on the plot.
    return " + ".join(p.split(" ", 1)[-1] for p in phases.split(";") if p)


def plot_profile(frame: pd.DataFrame, title: str = "", v_max: float = V_MAX) -> Figure:
    """Plot ``VoltageProfile.to_dataframe()``: Li per formula unit against V vs Li/Li+."""
    fig, ax = plt.subplots(figsize=(6.4, 4.2), layout="constrained")
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
    for lo, hi, y, phases, pristine in zip(
        lows, highs, li, rows["phases"], rows["is_pristine"], strict=True
    ):
        if pristine:
            # The stability window: where the pristine material neither takes nor gives Li.
            ax.axvspan(lo, max(hi, lo + 0.01), color="tab:blue", alpha=0.12, lw=0)
        if hi - lo < 0.05 and not pristine:
            continue
        text = _label(phases) + (" (pristine)" if pristine else "")
        ax.text(
            lo + 0.04,
            y + 0.03 * span,
            text,
            fontsize=7.5,
            ha="left",
            va="bottom",
            color="tab:blue" if pristine else "0.15",
            clip_on=True,
            bbox={"facecolor": "white", "edgecolor": "none", "alpha": 0.8, "pad": 0.5},
        )
    for v in lows[1:]:
        ax.axvline(v, color="0.75", lw=0.6, ls=":")
    ax.axhline(0, color="0.6", lw=0.8, ls=":")
    ax.set_xlim(0, v_max)
    ax.set_ylim(li.min() - 0.2 * span, li.max() + 0.2 * span)
    ax.set_xlabel("Voltage (V vs Li/Li$^+$)")
    ax.set_ylabel("Li uptake per formula unit")
    if title:
        ax.set_title(title)
    return fig
