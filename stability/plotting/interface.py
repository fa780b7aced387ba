"""Interface figures: reaction energy against mixing ratio, and against voltage."""

from __future__ import annotations

import matplotlib.pyplot as plt
import pandas as pd
from matplotlib.figure import Figure


def energy_column(frame: pd.DataFrame) -> str:
    """The reaction-energy column of a frame: per atom (closed) or per non-Li atom (Li open)."""
    for col in ("reaction_energy_meV_per_non_li_atom", "reaction_energy_meV_per_atom"):
        if col in frame:
            return col
    raise KeyError("no reaction_energy_meV_per_(non_li_)atom column in the frame")


def plot_mixing(frame: pd.DataFrame, reactant_a: str, reactant_b: str, title: str = "") -> Figure:
    """Plot ``Interface.to_dataframe()``: reaction energy (meV/atom) against x.

    Kinks are numbered on the curve and their products listed beside it, so labels never
    collide however close the kinks are.
    """
    fig, (ax, side) = plt.subplots(
        1, 2, figsize=(9.6, 4.2), layout="constrained", gridspec_kw={"width_ratios": [2.1, 1]}
    )
    x = frame["mixing_ratio"].to_numpy()
    li_open = "reaction_energy_meV_per_non_li_atom" in frame
    unit = "meV per non-Li atom" if li_open else "meV/atom"
    e = frame[energy_column(frame)].to_numpy() + 0.0
    ax.plot(x, e, "-o", color="black", ms=4, lw=1.5)
    low = int(e.argmin())
    ax.plot([x[low]], [e[low]], "s", color="tab:red", ms=8, zorder=3, label="most negative")
    lines = []
    for i, (xi, ei, prods) in enumerate(zip(x, e, frame["products"], strict=True), start=1):
        ax.annotate(str(i), (xi, ei), xytext=(4, -10), textcoords="offset points", fontsize=8)
        lines.append(f"{i}. x={xi:.3f}, {round(ei) + 0} {unit}\n    {prods.replace(';', ' + ')}")
    side.axis("off")
    side.text(
        0,
        1,
        "\n".join(lines),
        va="top",
        ha="left",
        fontsize=7.5,
        family="monospace",
        transform=side.transAxes,
    )
    span = max(abs(e.min()), 1.0)
    ax.axhline(0, color="0.6", lw=0.8, ls=":")
    ax.set_xlim(-0.02, 1.02)
    ax.set_ylim(e.min() - 0.15 * span, 0.1 * span)
    ax.set_xlabel(f"x in x {reactant_a} + (1-x) {reactant_b} (atomic fraction)")
    ax.set_ylabel(f"Reaction energy ({unit})")
    ax.legend(loc="upper right", frameon=False, fontsize=8)
    if title:
        ax.set_title(title)
    return fig


def plot_scan(frame: pd.DataFrame, title: str = "") -> Figure:
    """Plot ``InterfaceScan.to_dataframe()`` against voltage, in two panels.

    Top: the mutual reaction energy of the interface (what mixing adds). Bottom: each
    reactant's own decomposition energy with Li at that voltage, which is often far larger
    and would flatten the top curve on a shared axis.
    """
    fig, (top, bottom) = plt.subplots(
        2,
        1,
        figsize=(6.4, 5.6),
        sharex=True,
        layout="constrained",
        gridspec_kw={"height_ratios": [3, 2]},
    )
    v = frame["voltage_V"]
    top.plot(v, frame[energy_column(frame)], "-", color="black", lw=1.8, drawstyle="steps-mid")
    top.axhline(0, color="0.6", lw=0.8)
    top.set_ylabel("Interface reaction\n(meV per non-Li atom)")
    a, b = frame["reactant_a"].iloc[0], frame["reactant_b"].iloc[0]
    bottom.plot(
        v,
        frame["decomposition_a_meV_per_non_li_atom"],
        "--",
        color="tab:blue",
        lw=1.4,
        label=f"{a} alone",
    )
    bottom.plot(
        v,
        frame["decomposition_b_meV_per_non_li_atom"],
        ":",
        color="tab:orange",
        lw=1.8,
        label=f"{b} alone",
    )
    bottom.axhline(0, color="0.6", lw=0.8)
    bottom.set_ylabel("Decomposition with Li\n(meV per non-Li atom)")
    bottom.set_xlabel("Voltage (V vs Li/Li$^+$)")
    bottom.legend(frameon=False, fontsize=8)
    if title:
        top.set_title(title)
    return fig
