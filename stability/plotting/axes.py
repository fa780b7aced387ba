"""Where a figure draws: a new Figure, the caller's Axes, or panels carved out of it."""

from __future__ import annotations

import matplotlib.pyplot as plt
from matplotlib.axes import Axes
from matplotlib.figure import Figure


def figure_and_axes(ax: Axes | None, figsize: tuple[float, float]) -> tuple[Figure, Axes]:
    """The caller's ``ax`` and its Figure, or a new constrained-layout Figure of ``figsize``."""
    if ax is not None:
        return ax.figure, ax
    fig, new = plt.subplots(figsize=figsize, layout="constrained")
    return fig, new


def panels(
    ax: Axes | None,
    figsize: tuple[float, float],
    nrows: int,
    ncols: int,
    **gridspec_kw,
) -> tuple[Figure, list[Axes]]:
    """``nrows`` x ``ncols`` panels (row-major): in a new Figure, or in the space of ``ax``.

    A given ``ax`` must be a subplot (e.g. from ``plt.subplots``); it is replaced by the
    panels, so several multi-panel figures can share one Figure.
    """
    if ax is None:
        fig = plt.figure(figsize=figsize, layout="constrained")
        grid = fig.add_gridspec(nrows, ncols, **gridspec_kw)
    else:
        spec = ax.get_subplotspec()
        if spec is None:
            raise ValueError("ax must be a subplot (made by plt.subplots or fig.add_subplot)")
        fig = ax.figure
        ax.remove()
        grid = spec.subgridspec(nrows, ncols, **gridspec_kw)
    return fig, [fig.add_subplot(grid[i, j]) for i in range(nrows) for j in range(ncols)]


def legend_below(fig: Figure, ax: Axes, own_figure: bool, **kwargs):
    """A legend under the plot when the figure is ours; inside ``ax`` (best spot) otherwise."""
    if own_figure:
        return fig.legend(loc="outside lower center", frameon=False, **kwargs)
    kwargs.pop("ncol", None)
    return ax.legend(loc="best", frameon=True, framealpha=0.9, **kwargs)
