"""Interface figures: reaction energy against mixing ratio, and against voltage."""

from __future__ import annotations

import math

import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.lines import Line2D

from stability.plotting.axes import figure_and_axes, panels
from stability.plotting.ions import frame_ion, voltage_label
from stability.plotting.labels import key_below, place_labels, segment_boxes

LIST_WRAP = 70  # characters per line of the kink list


def _first(frame: pd.DataFrame, *columns: str) -> str | None:
    return next((c for c in columns if c in frame), None)


def mutual_energy_column(frame: pd.DataFrame) -> str:
    """The interface energy column: the Li-open name when present, else the closed one."""
    column = _first(frame, "reaction_energy_meV_per_non_ion_atom", "reaction_energy_meV_per_atom")
    if column is None:
        raise ValueError(f"no reaction-energy column in the frame (columns: {list(frame)})")
    return column


def _kink_list(frame: pd.DataFrame, column: str, unit: str) -> str:
    total = _first(frame, "total_reaction_energy_meV_per_non_ion_atom")
    lines = []
    for i, (_, r) in enumerate(frame.iterrows(), start=1):
        energy = f"{round(float(r[column])) + 0} {unit}"
        if total is not None and pd.notna(r[total]):
            energy += f" (total {round(float(r[total])) + 0})"
        text = f"{i:>2}  x = {float(r['mixing_ratio']):.3f}  {energy}:  " + str(
            r["products"]
        ).replace(";", " + ")
        while len(text) > LIST_WRAP:
            cut = text.rfind(" + ", 0, LIST_WRAP)
            cut = cut if cut > 20 else LIST_WRAP
            lines.append(text[:cut])
            text = " " * 6 + text[cut:]
        lines.append(text)
    return "\n".join(lines)


def plot_mixing(
    frame: pd.DataFrame,
    reactant_a: str,
    reactant_b: str,
    title: str = "",
    *,
    voltage: float | None = None,
    ax: Axes | None = None,
) -> Figure:
    """Plot ``Interface.to_dataframe()``: reaction energy against the mixing ratio x.

    Kinks are numbered on the curve and listed under it (x, energy, products), so labels
    never collide however close the kinks are. The energy axis says per atom (closed) or per
    non-ion atom (the ion, the ``ion`` column's or Li, open: a ``*_non_ion_atom`` column, or
    ``voltage`` given). Draws into ``ax``
    when given; returns the Figure.
    """
    column = mutual_energy_column(frame)
    ion = frame_ion(frame)
    ion_open = voltage is not None or column.endswith("_non_ion_atom")
    unit = f"meV per non-{ion} atom" if ion_open else "meV per atom"
    n = len(frame)
    fig, ax = figure_and_axes(ax, (7.0, 4.2 + 0.14 * (n + 1)))
    x = frame["mixing_ratio"].to_numpy(dtype=float)
    e = frame[column].to_numpy(dtype=float) + 0.0
    ax.axhline(0, color="0.6", lw=0.8, ls=":", zorder=0)
    ax.plot(x, e, "-o", color="black", ms=4, lw=1.5, zorder=3)
    low = int(e.argmin())
    ax.plot([x[low]], [e[low]], "s", color="tab:red", ms=8, zorder=4, label="most negative")
    span = max(abs(float(e.min())), 1.0)
    ax.set_xlim(-0.03, 1.03)
    ax.set_ylim(e.min() - 0.18 * span, 0.14 * span)
    ax.set_xlabel(f"x in x {reactant_a} + (1-x) {reactant_b} (atomic fraction)")
    what = "Mutual reaction energy" if ion_open else "Reaction energy"
    ax.set_ylabel(f"{what}\n({unit})")
    ax.legend(loc="upper center", frameon=False, fontsize=8)
    if title or voltage is not None:
        where = f"{ion} open at {voltage:g} V" if voltage is not None else ""
        ax.set_title(title or where, fontsize=10)
    key_below(ax, _kink_list(frame, column, unit))
    place_labels(
        ax,
        list(zip(x, e, strict=True)),
        [str(i) for i in range(1, n + 1)],
        obstacles=segment_boxes(ax, list(x), list(e)),
        fontsize=8,
    )
    return fig


#: Colour of the total (own + mutual) band of ``plot_scan``: none of the other curves' colours.
TOTAL_COLOR = "#CC79A7"


def plot_scan(frame: pd.DataFrame, title: str = "", *, ax: Axes | None = None) -> Figure:
    """Plot ``InterfaceScan.to_dataframe()`` against voltage, in two panels.

    Top: the mutual reaction energy of the interface (what mixing adds). Bottom: each
    reactant's own decomposition energy with Li at that voltage (and the total, own + mutual,
    when the frame has it), which is often far larger and would flatten the top curve on a
    shared axis. All per non-Li atom (non-ion atom: the ``ion`` column's), negative = reacts.

    With Li open every energy is continuous and piecewise linear in the voltage (each grand
    potential is linear in the Li chemical potential between critical voltages), so the
    samples are joined by straight lines, exact between kinks, and marked; nothing is drawn
    as steps. Where the products change between two samples, a light guide is drawn halfway.
    In ``ax`` when given (it is split into the two panels); returns the Figure.
    """
    fig, (top, bottom) = panels(ax, (6.6, 5.8), 2, 1, height_ratios=[3, 2])
    ion = frame_ion(frame)
    bottom.sharex(top)
    v = frame["voltage_V"].to_numpy(dtype=float)
    mutual = mutual_energy_column(frame)
    products = frame["products"].astype(str).tolist() if "products" in frame else []
    for k in range(1, len(products)):
        if products[k] != products[k - 1]:
            for panel in (top, bottom):
                panel.axvline((v[k] + v[k - 1]) / 2, color="0.88", lw=0.7, zorder=0)
    for panel in (top, bottom):
        panel.axhline(0, color="0.6", lw=0.8, zorder=0)
    ms = 2.5 if len(v) <= 120 else 0
    top.plot(v, frame[mutual], "-o", color="black", lw=1.6, ms=ms, zorder=3)
    top.set_ylabel(f"Mutual interface reaction\n(meV per non-{ion} atom)")
    top.tick_params(labelbottom=False)
    a, b = frame["reactant_a"].iloc[0], frame["reactant_b"].iloc[0]
    dec_a = _first(frame, "decomposition_a_meV_per_non_ion_atom", "decomposition_a_meV_per_atom")
    dec_b = _first(frame, "decomposition_b_meV_per_non_ion_atom", "decomposition_b_meV_per_atom")
    total = _first(frame, "total_reaction_energy_meV_per_non_ion_atom")
    if dec_a:
        bottom.plot(v, frame[dec_a], "--", color="tab:blue", lw=1.4, label=f"{a} alone", zorder=3)
    if dec_b:
        bottom.plot(v, frame[dec_b], ":", color="tab:orange", lw=1.8, label=f"{b} alone", zorder=3)
    if total:
        # The total is the lowest of the curves, so it lies on one of them: drawn on top as a
        # wide translucent band of its own colour, the curve under it still shows through.
        bottom.plot(
            v,
            frame[total],
            "-",
            color=TOTAL_COLOR,
            lw=6.0,
            alpha=0.45,
            solid_capstyle="round",
            label="total (own + mutual)",
            zorder=4,
        )
    bottom.set_ylabel(f"With {ion}, each alone\n(meV per non-{ion} atom)")
    bottom.set_xlabel(voltage_label(ion))
    handles, _ = bottom.get_legend_handles_labels()
    if any(products[k] != products[k - 1] for k in range(1, len(products))):
        handles.append(Line2D([], [], color="0.8", lw=0.7, label="products change"))
    if handles:
        bottom.legend(handles=handles, frameon=False, fontsize=8)
    lo, hi = float(v.min()), float(v.max())
    pad = 0.02 * max(hi - lo, 0.1)
    top.set_xlim(lo - pad, hi + pad)
    if math.isfinite(lo) and title:
        top.set_title(title, fontsize=10)
    return fig
