"""Heatmap of an interface matrix: rows A, columns B, colour the reaction energy."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.figure import Figure


def plot_matrix(frame: pd.DataFrame, title: str = "", value: str | None = None) -> Figure:
    """Plot a long table (columns a_label, b_label, ``value``) as an annotated heatmap."""
    if value is None:
        from stability.plotting.interface import energy_column

        value = energy_column(frame)
    grid = frame.pivot_table(index="a_label", columns="b_label", values=value, sort=False)
    rows, cols = list(grid.index), list(grid.columns)
    data = grid.to_numpy(dtype=float)
    fig, ax = plt.subplots(
        figsize=(1.2 + 0.95 * len(cols), 1.0 + 0.5 * len(rows)), layout="constrained"
    )
    vmax = max(float(np.nanmax(-data)) if np.isfinite(data).any() else 1.0, 1.0)
    # A sequential map (white = no reaction, dark = strong) reads in greyscale too.
    # pcolormesh draws cells as quads: no image resampling, so large matrices stay cheap.
    im = ax.pcolormesh(
        np.arange(len(cols) + 1) - 0.5,
        np.arange(len(rows) + 1) - 0.5,
        -data,
        cmap="magma_r",
        vmin=0,
        vmax=vmax,
    )
    ax.invert_yaxis()
    for i in range(len(rows)):
        for j in range(len(cols)):
            v = data[i, j]
            text = "err" if np.isnan(v) else f"{round(v) + 0:.0f}"  # + 0: no "-0"
            dark = not np.isnan(v) and -v > 0.55 * vmax
            ax.text(
                j, i, text, ha="center", va="center", fontsize=8, color="white" if dark else "black"
            )
    ax.set_xticks(range(len(cols)), cols, rotation=35, ha="right", fontsize=8)
    ax.set_yticks(range(len(rows)), rows, fontsize=8)
    cbar = fig.colorbar(im, ax=ax, shrink=0.9)
    li_open = "voltage_V" in frame and frame["voltage_V"].notna().any()
    cbar.set_label(f"-(reaction energy) (meV per {'non-Li ' if li_open else ''}atom)")
    if title:
        ax.set_title(title, fontsize=10)
    return fig
