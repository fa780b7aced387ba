"""Heatmap of an interface matrix: rows A, columns B, colour and number of one value per pair."""

from __future__ import annotations

import textwrap
from dataclasses import dataclass

import matplotlib as mpl
import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from stability.plotting.axes import figure_and_axes
from stability.plotting.ions import frame_ion

#: Cells are numbered only up to this many; a larger matrix is colour only (numbers in its CSV).
MAX_ANNOTATED_CELLS = 400

#: Which energy a matrix shows by default, first present wins (Li open first: a Li-open
#: frame may also carry closed-looking columns from before the key rename).
DEFAULT_VALUES = ("reaction_energy_meV_per_non_ion_atom", "reaction_energy_meV_per_atom")


@dataclass(frozen=True)
class ValueStyle:
    """How one column is drawn: colour-bar label, colormap, limits and cell number format."""

    label: str
    note: str
    cmap: str
    vmin: float
    vmax: float
    fmt: str
    energy: bool


def _ion_open(frame: pd.DataFrame) -> bool:
    return "voltage_V" in frame and bool(frame["voltage_V"].notna().any())


def _voltage_text(frame: pd.DataFrame) -> str:
    volts = frame["voltage_V"].dropna().unique() if "voltage_V" in frame else []
    return f" at {volts[0]:g} V" if len(volts) == 1 else ""


def energy_label(column: str, frame: pd.DataFrame) -> tuple[str, str]:
    """What an energy column holds: a short axis/colour-bar label with its unit, and a note."""
    ion_open = _ion_open(frame) or column.endswith("_non_ion_atom")
    ion = frame_ion(frame)
    if not ion_open:
        return (
            "Reaction energy\n(meV per atom)",
            f"Closed (no {ion} exchange); per atom of the A + B mixture; negative = reacts.",
        )
    where = f"{ion} open{_voltage_text(frame)}"
    if column.startswith("total_reaction_energy"):
        what, how = "Total reaction energy", f"each side's own decomposition with {ion} plus mutual"
    elif column.startswith("decomposition_a"):
        what, how = "Decomposition of A alone", f"A alone with {ion}"
    elif column.startswith("decomposition_b"):
        what, how = "Decomposition of B alone", f"B alone with {ion}"
    else:
        what, how = (
            "Mutual reaction energy",
            f"each side first equilibrated with {ion}, own decomposition excluded",
        )
    return (
        f"{what}\n(meV per non-{ion} atom)",
        f"{where}; {what.lower()}: {how}; per non-{ion} atom; negative = reacts.",
    )


def value_style(column: str, frame: pd.DataFrame, data: np.ndarray) -> ValueStyle:
    """Colour bar label, colormap and limits for ``column`` of an interface matrix."""
    finite = data[np.isfinite(data)]
    if column in ("mixing_ratio", "total_mixing_ratio"):
        what = "Total mixing ratio" if column.startswith("total") else "Mixing ratio"
        return ValueStyle(
            f"{what} x\n(atomic fraction of A)",
            "x of the most negative reaction, in x A + (1-x) B.",
            "viridis",
            0.0,
            1.0,
            "{:.2f}",
            energy=False,
        )
    if "meV" in column:
        low = float(finite.min()) if finite.size else -1.0
        high = float(finite.max()) if finite.size else 0.0
        # Same sign as the numbers: 0 (no reaction) white at the top, more negative darker.
        return ValueStyle(
            *energy_label(column, frame), "magma", min(low, -1.0), max(high, 0.0), "{:.0f}", True
        )
    low = float(finite.min()) if finite.size else 0.0
    high = float(finite.max()) if finite.size else 1.0
    return ValueStyle(column, "", "viridis", low, max(high, low + 1e-12), "{:.3g}", energy=False)


def default_value(frame: pd.DataFrame) -> str:
    for column in DEFAULT_VALUES:
        if column in frame:
            return column
    raise ValueError(f"no reaction-energy column in the frame; give value= (one of {list(frame)})")


def plot_matrix(
    frame: pd.DataFrame,
    title: str = "",
    value: str | None = None,
    *,
    ax: Axes | None = None,
    annotate: bool | None = None,
) -> Figure:
    """Plot a long table (columns reactant_a, reactant_b, ``value``) as a heatmap, rows A, columns B.

    ``value`` defaults to the interface energy present (``reaction_energy_meV_per_non_ion_atom``
    with Li open, else ``reaction_energy_meV_per_atom``); any numeric column can be drawn,
    e.g. ``mixing_ratio`` (0-1, its own colour map) or
    ``total_reaction_energy_meV_per_non_ion_atom``. The colour bar is labelled with what is
    drawn and its unit, with the same sign as the numbers in the cells (energies are negative
    when the pair reacts). Cells are numbered when ``annotate`` is True, or by default when the
    matrix has at most ``MAX_ANNOTATED_CELLS`` cells; failed pairs (NaN) are grey.
    Draws into ``ax`` when given; returns the Figure.
    """
    value = value or default_value(frame)
    if value not in frame:
        raise ValueError(f"column {value!r} is not in the frame (columns: {list(frame)})")
    grid = frame.pivot_table(
        index="reactant_a", columns="reactant_b", values=value, sort=False, dropna=False
    )
    rows, cols = list(grid.index), list(grid.columns)
    data = grid.to_numpy(dtype=float)
    style = value_style(value, frame, data)
    show = annotate if annotate is not None else data.size <= MAX_ANNOTATED_CELLS
    # Numbered cells need room for "-731"; colour-only cells can be small.
    cell_w, cell_h = (0.62, 0.36) if show else (0.3, 0.2)
    longest_col = max((len(str(c)) for c in cols), default=1)
    longest_row = max((len(str(r)) for r in rows), default=1)
    width = 2.6 + 0.07 * longest_row + max(cell_w * len(cols), 3.0)
    height = 1.8 + 0.055 * longest_col + max(cell_h * len(rows), 1.6)
    fig, ax = figure_and_axes(ax, (width, height))
    cmap = mpl.colormaps[style.cmap].with_extremes(bad="0.82")
    # pcolormesh draws cells as quads: no image resampling, so large matrices stay cheap.
    im = ax.pcolormesh(
        np.arange(len(cols) + 1) - 0.5,
        np.arange(len(rows) + 1) - 0.5,
        np.ma.masked_invalid(data),
        cmap=cmap,
        vmin=style.vmin,
        vmax=style.vmax,
    )
    ax.set_xlim(-0.5, len(cols) - 0.5)
    ax.set_ylim(len(rows) - 0.5, -0.5)
    if show:
        norm = im.norm
        for i in range(len(rows)):
            for j in range(len(cols)):
                v = data[i, j]
                if np.isnan(v):
                    text, dark = "err", False
                else:
                    text = style.fmt.format(v + 0.0)
                    text = "0" if text in ("-0", "-0.00") else text.replace("-0.00", "0.00")
                    r, g, b, _ = cmap(norm(v))
                    dark = 0.299 * r + 0.587 * g + 0.114 * b < 0.5
                ax.text(
                    j,
                    i,
                    text,
                    ha="center",
                    va="center",
                    fontsize=7.5,
                    color="white" if dark else "black",
                )
    ax.set_xticks(range(len(cols)), cols, rotation=40, ha="right", rotation_mode="anchor")
    ax.set_yticks(range(len(rows)), rows)
    ax.tick_params(labelsize=8 if len(rows) <= 30 else 6.5, length=2)
    cbar = fig.colorbar(im, ax=ax, shrink=1.0 if len(rows) < 8 else 0.9, aspect=max(10, len(rows)))
    cbar.set_label(style.label, fontsize=8)
    cbar.ax.tick_params(labelsize=8)
    notes = [style.note] if style.note else []
    if np.isnan(data).any():
        notes.append("Grey: failed (see the error column).")
    if not show:
        notes.append(f"{data.size} cells: values are in the table, not printed.")
    # The note is the x label: constrained layout keeps it under the axes, wrapped to fit.
    chars = max(40, int(0.6 * fig.get_figwidth() * 72 / (0.55 * 7.5)))
    ax.set_xlabel(
        "\n".join(textwrap.wrap(" ".join(notes), chars)), fontsize=7.5, color="0.25", loc="left"
    )
    if title:
        ax.set_title(title, fontsize=10)
    return fig
