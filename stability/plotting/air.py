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
    reaction_energy_eV_per_reactant_gas, toxic_released_gases (';'-joined). Bars releasing a
    toxic gas are hatched and name it. Draws into ``ax`` when given; returns the Figure.
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
                ax.text(
                    value, y, f" {toxic.replace(';', ', ')}", va="center", ha="right", fontsize=7
                )
    ax.set_yticks(range(n), formulas)
    ax.invert_yaxis()
    ax.axvline(0.0, color="black", linewidth=0.6)
    ax.set_xlabel("reaction energy (eV per gas molecule consumed)")
    from matplotlib.patches import Patch

    handles = [Patch(facecolor=GAS_COLOURS[g], edgecolor="black", label=g) for g in gases]
    handles.append(Patch(facecolor="white", edgecolor="black", hatch="//", label="toxic gas out"))
    ax.legend(handles=handles, title="gas in excess", fontsize=8, loc="lower left")
    if title:
        ax.set_title(title, fontsize=9)
    return fig


def plot_dry_room(frame: pd.DataFrame, title: str = "", *, ax: Axes | None = None) -> Figure:
    """Materials (rows) x conditions (columns): the energy per H2O of the reaction with
    moisture (colour, eV; white: no reaction) and the toxic gas released (text).

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
    note = "text: toxic gas released; -: no reaction"
    ax.set_title(f"{title}\n{note}" if title else note, fontsize=9)
    return fig
