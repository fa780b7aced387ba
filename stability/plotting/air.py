"""The reactions of materials with H2O, CO2, O2 and air as grouped bars."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from stability.plotting.axes import figure_and_axes

if TYPE_CHECKING:
    import pandas as pd
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

GAS_COLOURS = {"H2O": "#1f77b4", "CO2": "#7f7f7f", "O2": "#d62728", "air": "#2ca02c"}


def plot_air(frame: pd.DataFrame, title: str = "", *, ax: Axes | None = None) -> Figure:
    """Reaction energy per gas molecule of each material (rows) with each gas (bars).

    ``frame`` is ``AirTable.to_dataframe()``: formula, reactant_gas,
    reaction_energy_eV_per_reactant_gas, toxic_released_gases (';'-joined), and
    release_limit_ppm when present. Bars releasing a toxic gas are hatched and name it, with
    the pressure up to which it is released when that is below 1 bar ("HCl < 1.4 ppm").
    Draws into ``ax`` when given; returns the Figure.
    """
    formulas = list(dict.fromkeys(frame["formula"]))
    gases = [g for g in GAS_COLOURS if g in set(frame["reactant_gas"])]
    n, k = len(formulas), max(len(gases), 1)
    fig, ax = figure_and_axes(ax, (7.2, 1.0 + 0.5 * n * k / 2))
    height = 0.8 / k
    rows = frame.set_index(["formula", "reactant_gas"])
    for j, gas in enumerate(gases):
        for i, formula in enumerate(formulas):
            if (formula, gas) not in rows.index:
                continue
            row = rows.loc[(formula, gas)]
            value = row["reaction_energy_eV_per_reactant_gas"]
            value = 0.0 if value is None or np.isnan(value) else float(value)
            toxic = str(row.get("toxic_released_gases", "") or "")
            y = i + (j - (k - 1) / 2) * height
            ax.barh(
                y, value, height=height * 0.9, color=GAS_COLOURS[gas],
                hatch="//" if toxic else "", edgecolor="black", linewidth=0.4,
            )  # fmt: skip
            if toxic:
                label = toxic.replace(";", ", ")
                limit = row.get("release_limit_ppm")
                if limit is not None and np.isfinite(limit) and limit < 1e6:
                    label += " < " + _pressure(float(limit))
                ax.text(value, y, f"{label} ", va="center", ha="right", fontsize=7)
    ax.set_yticks(range(n), formulas)
    ax.invert_yaxis()
    low = min(0.0, float(np.nanmin(frame["reaction_energy_eV_per_reactant_gas"].astype(float))))
    ax.set_xlim(left=low * 1.45 if low < 0 else -0.1, right=0.0)  # room for the gas labels
    ax.axvline(0.0, color="black", linewidth=0.6)
    ax.set_xlabel("reaction energy (eV per gas molecule consumed)")
    from matplotlib.patches import Patch

    handles = [Patch(facecolor=GAS_COLOURS[g], edgecolor="black", label=g) for g in gases]
    handles.append(Patch(facecolor="white", edgecolor="black", hatch="//", label="toxic gas out"))
    # beside the axes: inside, it would cover the bars of some material
    ax.legend(
        handles=handles, title="gas in excess", fontsize=8, loc="upper left",
        bbox_to_anchor=(1.01, 1.0),
    )  # fmt: skip
    if title:
        ax.set_title(title, fontsize=9)
    return fig


def _pressure(ppm: float) -> str:
    """A pressure in ppm of 1 bar, as a person writes it: 1.4 ppm, 480 ppm, 0.19 bar."""
    if ppm >= 1e4:
        return f"{float(f'{ppm / 1e6:.2g}'):g} bar"
    return f"{float(f'{ppm:.2g}'):g} ppm"


def plot_dry_room(frame: pd.DataFrame, title: str = "", *, ax: Axes | None = None) -> Figure:
    """Materials (rows) x conditions (columns): the energy per H2O of the reaction with
    moisture (colour, eV; white: no reaction) and the toxic gas released (text), with the
    pressure up to which it is released when that is below 1 bar.

    ``frame`` is ``DryRoomMap.to_dataframe()``. Draws into ``ax`` when given; returns the
    Figure.
    """
    formulas = list(dict.fromkeys(frame["formula"]))
    conditions = list(dict.fromkeys(frame["condition"]))
    grid = np.zeros((len(formulas), len(conditions)))
    text = [["" for _ in conditions] for _ in formulas]
    for r in frame.itertuples(index=False):
        i, j = formulas.index(r.formula), conditions.index(r.condition)
        grid[i, j] = r.reaction_energy_eV_per_reactant_gas or 0.0
        text[i][j] = str(r.toxic_released_gases or "").replace(";", ", ")
        limit = getattr(r, "release_limit_ppm", None)
        if text[i][j] and limit is not None and np.isfinite(limit) and limit < 1e6:
            text[i][j] += "\n< " + _pressure(float(limit))  # released only in traces
    fig, ax = figure_and_axes(ax, (1.6 + 1.3 * len(conditions), 1.0 + 0.4 * len(formulas)))
    low = min(float(grid.min()), -0.1)
    image = ax.imshow(grid, cmap="Reds_r", vmin=low, vmax=0.0, aspect="auto")
    for i in range(len(formulas)):
        for j in range(len(conditions)):
            label = text[i][j] or ("-" if grid[i, j] == 0 else "")
            ax.text(j, i, label, ha="center", va="center", fontsize=7)
    ax.set_xticks(range(len(conditions)), conditions, rotation=30, ha="right")
    ax.set_yticks(range(len(formulas)), formulas)
    fig.colorbar(image, ax=ax, label="eV per H2O")
    note = "text: toxic gas released (< p: only up to that pressure); -: no reaction"
    ax.set_title(f"{title}\n{note}" if title else note, fontsize=9)
    return fig
