"""Window figures: side-by-side bars of chosen materials, and windows of whole classes."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.patches import Patch

from stability.plotting.style import class_style

V_MAX = 5.0


def plot_window_bars(frame: pd.DataFrame, title: str = "", v_max: float = V_MAX) -> Figure:
    """Horizontal window bars, one per row of ``frame`` (label, class, limits in V).

    Optional columns ``reduction_std_V``/``oxidation_std_V`` draw error bars; optional
    ``passivated_reduction_limit_V``/``passivated_oxidation_limit_V`` (NaN oxidation: not
    stopped, drawn to the frame with an arrow) draw the passivated window as a lighter,
    thinner bar just below each strict window.
    """
    rows = frame.reset_index(drop=True)
    n = len(rows)
    fig, ax = plt.subplots(figsize=(7.0, 0.8 + 0.32 * n), layout="constrained")
    y = np.arange(n)[::-1]
    for yi, (_, r) in zip(y, rows.iterrows(), strict=True):
        color, hatch = class_style(str(r["class"]))
        lo, hi = float(r["reduction_limit_V"]), float(r["oxidation_limit_V"])
        width = max(hi - lo, 0.02)  # a zero-width window still shows as a line
        passivated = "passivated_reduction_limit_V" in r and pd.notna(
            r["passivated_reduction_limit_V"]
        )
        height, centre = (0.46, yi + 0.1) if passivated else (0.62, yi)
        if passivated:
            p_lo = float(r["passivated_reduction_limit_V"])
            p_hi = r["passivated_oxidation_limit_V"]
            open_end = pd.isna(p_hi)
            p_hi = v_max if open_end else min(float(p_hi), v_max)
            ax.barh(
                yi - 0.27,
                max(p_hi - p_lo, 0.02),
                left=p_lo,
                height=0.16,
                color=color,
                alpha=0.35,
                edgecolor=color,
                lw=0.6,
            )
            if open_end:
                ax.annotate(
                    "",
                    xy=(v_max, yi - 0.27),
                    xytext=(v_max - 0.25, yi - 0.27),
                    arrowprops={"arrowstyle": "->", "color": color, "lw": 1.0},
                    annotation_clip=False,
                )
        ax.barh(
            centre,
            width,
            left=lo,
            height=height,
            color=color,
            hatch=hatch,
            edgecolor="black",
            lw=0.6,
        )
        # Limits printed inside the bar ends, so they never meet the axis labels.
        box = {"facecolor": "white", "edgecolor": "none", "alpha": 0.85, "pad": 0.8}
        ax.text(lo + 0.03, centre, f"{lo:.2f}", ha="left", va="center", fontsize=6.5, bbox=box)
        ax.text(
            max(hi - 0.03, lo + 0.35),
            centre,
            f"{hi:.2f}",
            ha="right",
            va="center",
            fontsize=6.5,
            bbox=box,
        )
        for col, x in (("reduction_std_V", lo), ("oxidation_std_V", hi)):
            if col in r and pd.notna(r[col]):
                ax.errorbar(x, centre, xerr=1.96 * float(r[col]), color="black", capsize=2, lw=0.8)
    ax.set_yticks(y, rows["label"], fontsize=8)
    ax.set_xlim(0, v_max)
    ax.set_xlabel("Voltage (V vs Li/Li$^+$)")
    ax.grid(axis="x", color="0.85", lw=0.6)
    ax.set_axisbelow(True)
    classes = list(dict.fromkeys(rows["class"]))
    handles = [
        Patch(facecolor=class_style(c)[0], hatch=class_style(c)[1], edgecolor="black", label=c)
        for c in classes
    ]
    if "passivated_reduction_limit_V" in rows:
        handles.append(
            Patch(facecolor="0.5", alpha=0.35, edgecolor="0.5", label="passivated window")
        )
    fig.legend(
        handles=handles, loc="outside lower center", ncol=len(handles), fontsize=7, frameon=False
    )
    if title:
        ax.set_title(title, fontsize=10)
    return fig


def plot_windows_by_class(frame: pd.DataFrame, title: str = "", v_max: float = V_MAX) -> Figure:
    """Windows of many compounds grouped by anion class: one panel per class, a bar each.

    ``frame`` needs columns class, label, reduction_limit_V, oxidation_limit_V; rows with
    ``is_binary`` True (e.g. Li3N, LiCl) are drawn as dashed reference lines in their panel.
    Bars are sorted by oxidation limit; bars above ``v_max`` are cut at the frame.
    """
    classes = list(dict.fromkeys(frame["class"]))
    binary = (
        frame["is_binary"].astype(bool) if "is_binary" in frame else pd.Series(False, frame.index)
    )
    sizes = [max(int(((frame["class"] == c) & ~binary).sum()), 1) for c in classes]
    fig, axes = plt.subplots(
        1,
        len(classes),
        figsize=(10.0, 4.4),
        sharey=True,
        layout="constrained",
        gridspec_kw={"width_ratios": [max(n, 42) for n in sizes], "wspace": 0.02},
    )
    axes = np.atleast_1d(axes)
    for ax, cls in zip(axes, classes, strict=True):
        sub = frame[(frame["class"] == cls) & ~binary].sort_values(
            ["oxidation_limit_V", "reduction_limit_V"]
        )
        color, hatch = class_style(cls)
        xs = np.arange(len(sub))
        heights = (sub["oxidation_limit_V"].clip(upper=v_max) - sub["reduction_limit_V"]).clip(
            lower=0.02
        )
        ax.bar(
            xs,
            heights,
            bottom=sub["reduction_limit_V"],
            width=0.85,
            color=color,
            edgecolor=color,
            lw=0.2,
        )
        refs = []
        for _, b in frame[(frame["class"] == cls) & binary].iterrows():
            for v in (b["reduction_limit_V"], b["oxidation_limit_V"]):
                if v <= v_max:
                    ax.axhline(v, color="black", ls="--", lw=0.9)
            refs.append(
                f"{b['label']}\n{b['reduction_limit_V']:.2f}-{b['oxidation_limit_V']:.2f} V"
            )
        ax.set_xlim(-1, max(len(sub), 42))
        ax.set_xticks([])
        ax.set_xlabel("\n".join([cls, f"n={len(sub)}", *refs]), fontsize=7.5)
        ax.grid(axis="y", color="0.88", lw=0.6)
        ax.set_axisbelow(True)
    axes[0].set_ylim(0, v_max)
    axes[0].set_ylabel("Voltage (V vs Li/Li$^+$)")
    if title:
        fig.suptitle(title, fontsize=10)
    return fig


def plot_paired_bars(frame: pd.DataFrame, title: str = "", v_max: float = V_MAX) -> Figure:
    """Window bars of each material on several datasets, side by side, with 95% error bars.

    ``frame`` is ``Comparison.to_dataframe()``: label, class, dataset, limits, and optional
    ``*_std_V`` columns (error bars are 1.96 sigma where present).
    """
    datasets = list(dict.fromkeys(frame["dataset"]))
    labels = list(dict.fromkeys(frame["label"]))
    n, k = len(labels), len(datasets)
    height = 0.8 / k
    fig, ax = plt.subplots(figsize=(7.2, 0.9 + 0.42 * n * max(k, 2) / 2), layout="constrained")
    styles = [("white", "////"), (None, ""), ("0.85", ".."), ("0.6", "xx")]
    for j, ds in enumerate(datasets):
        sub = frame[frame["dataset"] == ds].set_index("label")
        face, hatch = styles[j % len(styles)]
        for i, label in enumerate(labels):
            if label not in sub.index or pd.isna(sub.loc[label, "reduction_limit_V"]):
                continue
            r = sub.loc[label]
            y = (n - 1 - i) + (k - 1 - 2 * j) * height / 2
            lo, hi = float(r["reduction_limit_V"]), float(r["oxidation_limit_V"])
            color = class_style(str(r["class"]))[0]
            ax.barh(
                y,
                max(hi - lo, 0.02),
                left=lo,
                height=height * 0.9,
                color=face or color,
                hatch=hatch,
                edgecolor=color if face else "black",
                lw=0.8,
            )
            for col, x in (("reduction_limit_std_V", lo), ("oxidation_limit_std_V", hi)):
                if col in r and pd.notna(r[col]) and r[col] > 0:
                    ax.errorbar(x, y, xerr=1.96 * float(r[col]), color="black", capsize=2, lw=0.9)
    ax.set_yticks(range(n - 1, -1, -1), labels, fontsize=8)
    ax.set_xlim(0, v_max)
    ax.set_xlabel("Voltage (V vs Li/Li$^+$)")
    ax.grid(axis="x", color="0.88", lw=0.6)
    ax.set_axisbelow(True)
    handles = [
        Patch(
            facecolor=styles[j % len(styles)][0] or "0.3",
            hatch=styles[j % len(styles)][1],
            edgecolor="black",
            label=ds,
        )
        for j, ds in enumerate(datasets)
    ]
    fig.legend(handles=handles, loc="outside lower center", ncol=k, fontsize=8, frameon=False)
    if title:
        ax.set_title(title, fontsize=10)
    return fig
