"""Cell figures: energy density against a design parameter, and a stack's windows side by side."""

from __future__ import annotations

import math

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.patches import Rectangle

from stability.analysis.cells.cell import TARGETS_WH_KG

#: x-axis labels of the sweepable parameters.
AXIS_LABELS = {
    "sse-thickness": "SSE thickness, each layer (µm)",
    "np-ratio": "N/P ratio",
    "areal-capacity": "Areal capacity (mAh cm$^{-2}$)",
    "al-foil": "Al foil thickness (µm)",
    "cu-foil": "Cu foil thickness (µm)",
    "foils": "Al and Cu foil thickness (µm)",
}
_TARGET_STYLE = {350.0: ("#D55E00", "--"), 500.0: ("#0072B2", ":")}
_SERIES_COLOURS = ["#000000", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#999999"]


def _draw_targets(ax: Axes) -> None:
    for t in TARGETS_WH_KG:
        color, ls = _TARGET_STYLE.get(t, ("0.4", "--"))
        ax.axhline(t, color=color, ls=ls, lw=1.0, zorder=1, label=f"{t:.0f} Wh/kg target")


def _pretty(text: str) -> str:
    return text.replace(" um", " µm").replace("mAh/cm2", "mAh cm$^{-2}$")


def plot_sweep_panel(frame: pd.DataFrame, ax: Axes, title: str = "") -> Axes:
    """One panel: gravimetric energy density (Wh/kg) against ``value``, one line per
    ``series`` (optional column), the 350/500 Wh/kg targets, and a dot where each line
    reaches 350 Wh/kg (column ``critical_value_350_Wh_kg`` when present)."""
    series = frame["series"] if "series" in frame else pd.Series("", index=frame.index)
    for k, name in enumerate(dict.fromkeys(series)):
        part = frame[series == name]
        color = _SERIES_COLOURS[k % len(_SERIES_COLOURS)]
        ax.plot(
            part["value"],
            part["gravimetric_energy_density_Wh_kg"],
            color=color,
            lw=1.6,
            label=_pretty(str(name)) or None,
            zorder=3,
        )
        crit = part.get("critical_value_350_Wh_kg")
        if crit is not None and crit.notna().any():
            x = float(crit.dropna().iloc[0])
            ax.plot([x], [TARGETS_WH_KG[0]], "o", ms=4.5, mfc="white", mec=color, zorder=4)
            if len(dict.fromkeys(series)) == 1:
                e = part["gravimetric_energy_density_Wh_kg"].to_numpy()
                rising = e[-1] > e[0]  # label on the side of the dot the curve leaves empty
                ax.annotate(
                    f"{x:.3g}",
                    (x, TARGETS_WH_KG[0]),
                    xytext=(6, -12 if rising else 5),
                    textcoords="offset points",
                    fontsize=7,
                    color=color,
                )
    _draw_targets(ax)
    parameter = str(frame["parameter"].iloc[0])
    ax.set_xlabel(AXIS_LABELS.get(parameter, parameter), fontsize=8)
    ax.set_ylabel("Gravimetric energy density (Wh kg$^{-1}$)", fontsize=8)
    ax.set_xlim(float(frame["value"].min()), float(frame["value"].max()))
    top = max(float(frame["gravimetric_energy_density_Wh_kg"].max()), max(TARGETS_WH_KG))
    ax.set_ylim(0, math.ceil(top * 1.08 / 50) * 50)
    ax.tick_params(labelsize=7)
    ax.grid(color="0.9", lw=0.6)
    ax.set_axisbelow(True)
    # Curves fall with every parameter but the areal capacity: the legend goes where they are not.
    ax.legend(
        fontsize=6.5,
        loc="lower right" if parameter == "areal-capacity" else "upper right",
        framealpha=0.9,
        edgecolor="none",
    )
    if title:
        ax.set_title(_pretty(title), fontsize=8.5, loc="left")
    return ax


def plot_sweeps(frame: pd.DataFrame, title: str = "", ax: Axes | None = None) -> Figure:
    """Energy density against each swept parameter: one panel per ``panel`` (or
    ``parameter``) of ``frame`` (rows of ``CellSweep.to_dataframe`` plus optional ``series``,
    ``panel`` and ``critical_value_350_Wh_kg`` columns). With ``ax``, one panel on it."""
    key = "panel" if "panel" in frame else "parameter"
    panels = list(dict.fromkeys(frame[key]))
    if ax is not None:
        plot_sweep_panel(frame, ax, title)
        return ax.figure
    ncols = min(len(panels), 2)
    nrows = math.ceil(len(panels) / ncols)
    fig, axes = plt.subplots(
        nrows, ncols, figsize=(4.2 * ncols, 3.3 * nrows + 0.4), layout="constrained", squeeze=False
    )
    for a, name in zip(axes.flat, panels, strict=False):
        plot_sweep_panel(frame[frame[key] == name], a, "" if key == "parameter" else str(name))
    for a in list(axes.flat)[len(panels) :]:
        a.set_visible(False)
    if title:
        fig.suptitle(title, fontsize=10)
    return fig


def plot_stack(frame: pd.DataFrame, title: str = "", ax: Axes | None = None) -> Figure:
    """A stack's layers side by side (Li side on the left) with their windows.

    ``frame``: one row per column of the figure with ``label``, ``kind`` ("anode",
    "electrolyte", "catholyte", "cathode"), ``reduction_limit_V``, ``oxidation_limit_V``
    (strict window), optional ``passivated_reduction_limit_V`` /
    ``passivated_oxidation_limit_V`` (drawn lighter behind the strict bar when present),
    ``must_withstand_low_V`` / ``must_withstand_high_V`` (the potentials a face pins; drawn
    as a black bracket), and optional ``gap_low_V``/``gap_high_V`` rows of kind "gap" (a
    potential range no adjacent windows bridge, shaded between the bars).
    """
    n_cols = int((frame["kind"] != "gap").sum())
    if ax is None:
        fig, ax = plt.subplots(figsize=(2.2 + 1.3 * n_cols, 4.4), layout="constrained")
    else:
        fig = ax.figure
    cols = frame[frame["kind"] != "gap"].reset_index(drop=True)
    x = np.arange(len(cols))
    v_top = 5.0
    pins: set[tuple[bool, bool]] = set()  # (inside the window, one potential) of each mark
    for xi, (_, r) in zip(x, cols.iterrows(), strict=True):
        kind = r["kind"]
        if kind == "anode":
            ax.plot([xi - 0.3, xi + 0.3], [0, 0], color="black", lw=3, solid_capstyle="butt")
            continue
        if kind == "cathode":
            lo, hi = r["must_withstand_low_V"], r["must_withstand_high_V"]
            ax.bar(xi, hi - lo, bottom=lo, width=0.6, color="0.55", edgecolor="black", lw=0.6)
            ax.text(
                xi,
                hi + 0.08,
                f"{lo:.2f}–{hi:.2f} V\ncycling",
                ha="center",
                va="bottom",
                fontsize=6.5,
            )
            continue
        p_lo, p_hi = r.get("passivated_reduction_limit_V"), r.get("passivated_oxidation_limit_V")
        if pd.notna(p_lo) or pd.notna(p_hi):
            lo = 0.0 if pd.isna(p_lo) else float(p_lo)
            hi = v_top if pd.isna(p_hi) else float(p_hi)
            ax.bar(xi, hi - lo, bottom=lo, width=0.62, color="#56B4E9", alpha=0.35, lw=0)
        lo, hi = r["reduction_limit_V"], r["oxidation_limit_V"]
        if pd.isna(lo):
            ax.text(xi, 2.5, "no window\n(error)", ha="center", va="center", fontsize=6.5)
            continue
        lo, hi = float(lo), float(min(hi, v_top))
        color = "#0072B2" if kind == "electrolyte" else "#009E73"
        ax.bar(
            xi, max(hi - lo, 0.02), bottom=lo, width=0.42, color=color, edgecolor="black", lw=0.6
        )
        box = {"facecolor": "white", "edgecolor": "none", "alpha": 0.85, "pad": 0.5}
        ax.text(xi + 0.24, lo, f"{lo:.2f}", ha="left", va="center", fontsize=6.5, bbox=box)
        ax.text(xi + 0.24, hi, f"{hi:.2f}", ha="left", va="center", fontsize=6.5, bbox=box)
        need = [v for v in (r["must_withstand_low_V"], r["must_withstand_high_V"]) if pd.notna(v)]
        if need:
            n_lo, n_hi = min(need), max(need)
            ok = lo - 1e-3 <= n_lo and n_hi <= r["oxidation_limit_V"] + 1e-3
            c = "black" if ok else "#D55E00"
            pins.add((ok, n_hi - n_lo < 0.05))
            if n_hi - n_lo < 0.05:  # one pinned potential: an arrowhead pointing at the bar
                ax.plot([xi - 0.3], [n_lo], marker=">", color=c, ms=6)
            else:
                ax.plot([xi - 0.3, xi - 0.3], [n_lo, n_hi], color=c, lw=2.2)
                ax.plot([xi - 0.34, xi - 0.26], [n_lo, n_lo], color=c, lw=1.2)
                ax.plot([xi - 0.34, xi - 0.26], [n_hi, n_hi], color=c, lw=1.2)
    gaps = frame[frame["kind"] == "gap"]
    for _, g in gaps.iterrows():
        i = int(g["position"])
        ax.add_patch(
            Rectangle(
                (i + 0.22, g["gap_low_V"]),
                0.44,  # between this column's bar and the next column's bar or bracket
                g["gap_high_V"] - g["gap_low_V"],
                facecolor="#D55E00",
                alpha=0.15,
                lw=0,
            )
        )
        ax.annotate(
            f"gap {g['gap_low_V']:.2f}–{g['gap_high_V']:.2f} V",
            (i + 0.44, 0.5 * (g["gap_low_V"] + g["gap_high_V"])),
            ha="center",
            va="center",
            fontsize=6.5,
            color="#D55E00",
            rotation=90,
        )
    ax.set_xticks(x, [str(s).replace(" (", "\n(") for s in cols["label"]], fontsize=7.5)
    ax.set_xlim(-0.6, len(cols) - 0.4)
    ax.set_ylim(-0.15, v_top + 0.45)
    ax.set_ylabel("Potential (V vs Li/Li$^+$)", fontsize=8.5)
    ax.tick_params(axis="y", labelsize=7.5)
    ax.grid(axis="y", color="0.9", lw=0.6)
    ax.set_axisbelow(True)
    from matplotlib.legend_handler import HandlerTuple
    from matplotlib.lines import Line2D
    from matplotlib.patches import Patch

    handles = [
        Patch(facecolor="#0072B2", edgecolor="black", label="strict window (separator layer)")
    ]
    for ok, c, where in ((True, "black", "inside"), (False, "#D55E00", "outside")):
        # The marks left of a bar: ▶ one potential, I a range, that its neighbours pin at
        # the layer's faces; the legend shows the shapes drawn.
        shapes = sorted(one for inside, one in pins if inside == ok)
        if shapes:
            marks = tuple(
                Line2D([], [], ls="none", color=c, marker=">" if one else "|", ms=6 if one else 9,
                       mew=1.0 if one else 2.2)
                for one in shapes
            )  # fmt: skip
            handles.append(
                (marks, f"potential{'' if shapes == [True] else 's'} at its faces "
                 f"(set by its neighbours): {where} its window")
            )  # fmt: skip
    handles.append(
        Patch(facecolor="#D55E00", alpha=0.15, label="gap: potentials neither neighbour holds")
    )
    if (cols["kind"] == "catholyte").any():
        handles.insert(
            1, Patch(facecolor="#009E73", edgecolor="black", label="strict window (catholyte)")
        )
    if "passivated_reduction_limit_V" in frame and (
        frame["passivated_reduction_limit_V"].notna().any()
        or frame["passivated_oxidation_limit_V"].notna().any()
    ):
        handles.append(Patch(facecolor="#56B4E9", alpha=0.35, label="passivated window"))
    else:
        ax.text(
            0.99,
            0.01,
            "strict windows only (no passivated windows given)",
            transform=ax.transAxes,
            ha="right",
            va="bottom",
            fontsize=6.5,
            color="0.35",
        )
    labels = [h[1] if isinstance(h, tuple) else h.get_label() for h in handles]
    handles = [h[0] if isinstance(h, tuple) else h for h in handles]
    ax.legend(
        handles=handles,
        labels=labels,
        handler_map={tuple: HandlerTuple(ndivide=None, pad=0.6)},
        fontsize=6.5,
        frameon=False,
        loc="upper left",
        ncol=2,
    )
    if title:
        ax.set_title(title, fontsize=9.5)
    return fig
