"""Window figures: side-by-side bars of chosen materials, and windows of whole classes."""

from __future__ import annotations

import math
from collections.abc import Iterable

import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch
from matplotlib.transforms import Bbox

from stability.plotting.axes import figure_and_axes, legend_below, panels
from stability.plotting.ions import frame_ion, voltage_label
from stability.plotting.labels import label_box, place_labels, point_boxes, settle
from stability.plotting.style import class_style

V_MIN_SPAN = 5.0


def voltage_limit(values: pd.Series | np.ndarray, v_min_span: float = V_MIN_SPAN) -> float:
    """Axis end: at least ``v_min_span`` and past every finite limit (e.g. 7 V for LiF's 6.36)."""
    arr = np.asarray(values, dtype=float)
    finite = arr[np.isfinite(arr)]
    top = float(finite.max()) if finite.size else 0.0
    return max(v_min_span, math.ceil((top + 0.25) * 2) / 2)


def _labels(frame: pd.DataFrame) -> list[str]:
    """Display names: ``label`` where present and non-empty, else ``formula``."""
    labels = frame["label"] if "label" in frame else pd.Series("", index=frame.index)
    formulas = frame["formula"] if "formula" in frame else pd.Series("", index=frame.index)
    return [
        str(lab) if isinstance(lab, str) and lab else str(f)
        for lab, f in zip(labels, formulas, strict=True)
    ]


def _classes(frame: pd.DataFrame) -> list[str] | None:
    if "class" not in frame:
        return None
    classes = ["" if pd.isna(c) else str(c) for c in frame["class"]]
    return classes if any(classes) else None


def plot_window_bars(
    frame: pd.DataFrame,
    title: str = "",
    v_max: float | None = None,
    *,
    ax: Axes | None = None,
) -> Figure:
    """Horizontal window bars, one per row of ``frame``, in its order.

    Takes ``WindowTable.to_dataframe()`` or the review's bar table: limits in V
    (``reduction_limit_V``, ``oxidation_limit_V``), named by ``label`` (else ``formula``).
    Bars are coloured by ``class`` when the frame has it (one colour otherwise);
    ``reduction_limit_std_V``/``oxidation_limit_std_V`` draw 95% error bars (1.96 sigma);
    rows without limits (an ``error``) are marked "no window"; rows ``placed_on_hull`` get a
    "*"; ``passivated_reduction_limit_V``/``passivated_oxidation_limit_V`` (NaN oxidation:
    not stopped, drawn to the axis end with an arrow) draw the passivated window as a lighter,
    thinner bar just below each strict window. Each limit is printed just outside its bar
    end; where one end has no room (a bar from 0 V), both go outside the other end
    ("0.00-0.48"), so no number is printed over a bar (inside it only when neither end has
    room). The axis runs to ``v_max`` (default: at least 5 V, past the highest limit). Draws
    into ``ax`` when given; returns the Figure.
    """
    rows = frame.reset_index(drop=True)
    n = len(rows)
    own = ax is None
    fig, ax = figure_and_axes(ax, (7.0, 1.2 + 0.3 * n))
    lows = rows["reduction_limit_V"].to_numpy(dtype=float)
    highs = rows["oxidation_limit_V"].to_numpy(dtype=float)
    top = voltage_limit(np.concatenate([lows, highs])) if v_max is None else v_max
    classes = _classes(rows)
    names = _labels(rows)
    placed = rows["placed_on_hull"].fillna(False).astype(bool) if "placed_on_hull" in rows else None
    if placed is not None:
        names = [f"{nm} *" if p else nm for nm, p in zip(names, placed, strict=True)]
    y = np.arange(n)[::-1]
    ax.set_xlim(0, top)
    ax.set_ylim(-0.7, n - 0.3)
    ax.set_yticks(y, names, fontsize=8)
    ax.set_xlabel(voltage_label(frame_ion(rows)))
    ax.grid(axis="x", color="0.88", lw=0.6)
    ax.set_axisbelow(True)
    if title:
        ax.set_title(title, fontsize=10)
    renderer = settle(ax)
    volts_per_pt = top / (ax.get_window_extent(renderer).width * 72 / fig.dpi)
    fontsize = 6.5
    label_w = 4.6 * 0.6 * fontsize * volts_per_pt  # "0.00" and its padding, in volts
    pad = 3 * volts_per_pt
    box = {"facecolor": "white", "edgecolor": "none", "alpha": 0.85, "pad": 0.6}
    for i, yi in enumerate(y):
        lo, hi = lows[i], highs[i]
        if not np.isfinite(lo):
            ax.text(0.05, yi, "no window", va="center", fontsize=7, style="italic", color="0.4")
            continue
        color, hatch = class_style(classes[i]) if classes else ("#0072B2", "")
        end = min(hi, top) if np.isfinite(hi) else top
        passivated = "passivated_reduction_limit_V" in rows and pd.notna(
            rows.at[i, "passivated_reduction_limit_V"]
        )
        centre, height = (yi + 0.08, 0.5) if passivated else (yi, 0.62)
        if passivated:
            # The passivated window: a lighter, thinner bar just below the strict one.
            p_lo = float(rows.at[i, "passivated_reduction_limit_V"])
            p_hi = rows.at[i, "passivated_oxidation_limit_V"]
            open_end = pd.isna(p_hi)
            p_hi = top if open_end else min(float(p_hi), top)
            ax.barh(
                yi - 0.3,
                max(p_hi - p_lo, 0.02),
                left=p_lo,
                height=0.14,
                color=color,
                alpha=0.35,
                edgecolor=color,
                lw=0.6,
                zorder=2,
            )
            if open_end:  # nothing stops the walk before the axis ends
                ax.annotate(
                    "",
                    xy=(top, yi - 0.3),
                    xytext=(top - 0.25, yi - 0.3),
                    arrowprops={"arrowstyle": "->", "color": color, "lw": 1.0},
                    annotation_clip=False,
                )
        ax.barh(
            centre,
            max(end - lo, 0.02),  # a zero-width window still shows as a line
            left=lo,
            height=height,
            color=color,
            hatch=hatch,
            edgecolor="black",
            lw=0.6,
            zorder=2,
        )
        err = {}
        for col, key in (("reduction_limit_std_V", "lo"), ("oxidation_limit_std_V", "hi")):
            if col in rows and pd.notna(rows.at[i, col]) and rows.at[i, col] > 0:
                err[key] = 1.96 * float(rows.at[i, col])
                x = lo if key == "lo" else hi
                ax.errorbar(x, centre, xerr=err[key], color="black", capsize=2, lw=0.8, zorder=3)
        lo_text = f"{lo:.2f}"
        hi_text = f"{hi:.2f}" if np.isfinite(hi) else "no limit"
        lo_out = lo - err.get("lo", 0) - pad - label_w >= 0
        hi_out = hi + err.get("hi", 0) + pad + label_w * len(hi_text) / 4 <= top
        both = f"{lo_text}-{hi_text}"
        both_w = label_w * len(both) / 4
        if np.isfinite(hi) and lo_out != hi_out:
            # One end has no room outside (a bar from 0 V, or to the axis end): both numbers
            # go outside the other end, as "0.00-0.48", never printed over a bar.
            if hi_out and hi + err.get("hi", 0) + pad + both_w <= top:
                x, ha = hi + err.get("hi", 0) + pad, "left"
            elif lo_out and lo - err.get("lo", 0) - pad - both_w >= 0:
                x, ha = lo - err.get("lo", 0) - pad, "right"
            else:
                x = None
            if x is not None:
                ax.text(x, centre, both, ha=ha, va="center", fontsize=fontsize, zorder=4)
                continue
        if not lo_out and not hi_out and end - lo < 2 * label_w + 3 * pad:
            # Too narrow for two numbers inside and no room outside: one label, centred.
            ax.text(
                (lo + end) / 2,
                centre,
                f"{lo_text}-{hi_text}",
                ha="center",
                va="center",
                fontsize=fontsize,
                bbox=box,
                zorder=4,
            )
            continue
        if lo_out:
            ax.text(
                lo - err.get("lo", 0) - pad,
                centre,
                lo_text,
                ha="right",
                va="center",
                fontsize=fontsize,
                zorder=4,
            )
        else:
            ax.text(
                lo + pad,
                centre,
                lo_text,
                ha="left",
                va="center",
                fontsize=fontsize,
                bbox=box,
                zorder=4,
            )
        if hi_out:
            ax.text(
                hi + err.get("hi", 0) + pad,
                centre,
                hi_text,
                ha="left",
                va="center",
                fontsize=fontsize,
                zorder=4,
            )
        else:
            ax.text(
                end - pad,
                centre,
                hi_text,
                ha="right",
                va="center",
                fontsize=fontsize,
                bbox=box,
                zorder=4,
            )
    handles = []
    if classes:
        handles = [
            Patch(facecolor=class_style(c)[0], hatch=class_style(c)[1], edgecolor="black", label=c)
            for c in dict.fromkeys(classes)
            if c
        ]
    if "passivated_reduction_limit_V" in rows:
        handles.append(
            Patch(facecolor="0.5", alpha=0.35, edgecolor="0.5", label="passivated window")
        )
    notes = []
    if placed is not None and placed.any():
        notes.append("* placed on the hull (off the hull or absent in the dataset)")
    if any(col in rows for col in ("reduction_limit_std_V", "oxidation_limit_std_V")):
        notes.append("error bars: 95% (1.96 sigma)")
    if handles or notes:
        legend_below(
            fig,
            ax,
            own,
            handles=handles or [Patch(visible=False)],
            labels=[h.get_label() for h in handles] or [""],
            ncol=max(len(handles), 1),
            fontsize=7.5,
            title="; ".join(notes) or None,
            title_fontsize=7,
        )
    return fig


def plot_windows_by_class(
    frame: pd.DataFrame,
    title: str = "",
    v_max: float | None = None,
    *,
    highlight: Iterable[str] = (),
    ax: Axes | None = None,
) -> Figure:
    """Windows of many compounds, one panel per class: oxidation against reduction limit.

    Each compound is a dot at (reduction limit, oxidation limit), so its window is the height
    above the diagonal (dotted lines: 1, 2, 3 ... V wide); compounds with the same limits
    share one dot whose area grows with their number. ``frame`` needs class, label,
    reduction_limit_V, oxidation_limit_V (V vs the metal of the ``ion`` column's working ion,
    Li without one); rows with ``is_binary`` True (e.g. Li3N, LiCl; Na3N, NaCl) are
    black stars, named; rows whose label or formula is in ``highlight`` (e.g. the catalogue
    materials) are ringed and named. Axes run to ``v_max`` (default: at least 5 V, past the
    highest limit: fluorides reach 7 V). In the space of ``ax`` when given; returns the Figure.
    """
    classes = list(dict.fromkeys(frame["class"]))
    ion = frame_ion(frame)
    binary = (
        frame["is_binary"].astype(bool) if "is_binary" in frame else pd.Series(False, frame.index)
    )
    wanted = set(highlight)
    top = (
        voltage_limit(pd.concat([frame["reduction_limit_V"], frame["oxidation_limit_V"]]))
        if v_max is None
        else v_max
    )
    ncols = min(4, len(classes))
    nrows = math.ceil(len(classes) / ncols)
    fig, axes = panels(ax, (2.9 * ncols + 0.6, 2.9 * nrows + 0.7), nrows, ncols)
    jobs = []  # labels go in after every panel is drawn: one layout pass measures them all
    for k, panel in enumerate(axes):
        if k >= len(classes):
            panel.axis("off")
            continue
        cls = classes[k]
        sub = frame[(frame["class"] == cls) & ~binary]
        refs = frame[(frame["class"] == cls) & binary]
        color = class_style(cls)[0]
        for w in range(int(top) + 1):
            panel.plot(
                [-1, top - w],
                [w - 1, top],
                color="0.55" if w == 0 else "0.88",
                lw=0.8 if w == 0 else 0.6,
                ls="-" if w == 0 else ":",
                zorder=0,
            )
        lo = sub["reduction_limit_V"].clip(upper=top).round(2)
        hi = sub["oxidation_limit_V"].clip(upper=top).round(2)
        counts = pd.DataFrame({"lo": lo, "hi": hi}).value_counts()
        panel.scatter(
            [a for a, _ in counts.index],
            [b for _, b in counts.index],
            s=[14 * c**0.8 for c in counts.to_numpy()],
            color=color,
            alpha=0.6,
            lw=0.3,
            edgecolor="black",
            zorder=2,
        )
        anchors, texts = [], []
        names = _labels(sub)
        for name, (_, r) in zip(names, sub.iterrows(), strict=True):
            if name in wanted or str(r.get("formula", "")) in wanted:
                anchors.append((min(r["reduction_limit_V"], top), min(r["oxidation_limit_V"], top)))
                texts.append(name)
        stars = []
        for name, (_, r) in zip(_labels(refs), refs.iterrows(), strict=True):
            point = (min(r["reduction_limit_V"], top), min(r["oxidation_limit_V"], top))
            panel.scatter(*point, s=90, marker="*", color="black", zorder=4)
            stars.append(
                (point, f"{name} {r['reduction_limit_V']:.2f}-{r['oxidation_limit_V']:.2f} V")
            )
        # Each panel zooms to its class (nitrides span 2 V, fluorides 7 V); the dotted
        # diagonals keep window widths comparable across panels.
        every = pd.concat([sub, refs])
        x0, x1 = every["reduction_limit_V"].min(), every["reduction_limit_V"].clip(upper=top).max()
        y0, y1 = every["oxidation_limit_V"].min(), every["oxidation_limit_V"].clip(upper=top).max()
        xpad, ypad = max(0.12 * (x1 - x0), 0.25), max(0.12 * (y1 - y0), 0.25)
        panel.set_xlim(max(x0 - xpad, -0.1), min(x1 + xpad, top))
        panel.set_ylim(max(y0 - ypad, 0), min(y1 + ypad, top + 0.1))
        panel.set_title(f"{cls} (n={len(sub)})", fontsize=9)
        panel.tick_params(labelsize=7.5)
        if k % ncols == 0:
            panel.set_ylabel(f"Oxidation limit (V vs {ion})", fontsize=8.5)
        if k + ncols >= len(classes):
            panel.set_xlabel(f"Reduction limit (V vs {ion})", fontsize=8.5)
        jobs.append((panel, counts, stars, anchors, texts))
    key = [
        Line2D(
            [], [], ls="none", marker="*", ms=9, color="black", label=f"{ion} binary of the class"
        ),
        Line2D(
            [], [], ls="none", marker="o", ms=6, mfc="none", mec="black", label="named material"
        ),
        Line2D(
            [],
            [],
            ls="none",
            marker="o",
            ms=4,
            color="0.5",
            label="compound (area: how many\nshare these limits)",
        ),
        Line2D([], [], color="0.55", lw=0.8, label="zero-width window"),
        Line2D([], [], color="0.7", lw=0.8, ls=":", label="window 1, 2, 3 ... V wide"),
    ]
    if len(axes) > len(classes):
        axes[-1].legend(handles=key, loc="center", frameon=False, fontsize=8)
    else:
        fig.legend(
            handles=key, loc="outside lower center", ncol=len(key), frameon=False, fontsize=7.5
        )
    if title:
        fig.suptitle(title, fontsize=10)
    renderer = settle(axes[0])
    for panel, counts, stars, anchors, texts in jobs:
        dots = point_boxes(
            panel,
            [a for a, _ in counts.index],
            [b for _, b in counts.index],
            size_pt=2.0,
            settled=True,
        )
        taken = list(dots)
        if stars:
            done = place_labels(
                panel,
                [p for p, _ in stars],
                [t for _, t in stars],
                obstacles=dots,
                fontsize=6.5,
                renderer=renderer,
            )
            taken += [label_box(a, renderer) for a in done if a is not None]
            r = 5 * fig.dpi / 72
            for x, y in panel.transData.transform([p for p, _ in stars]):
                taken.append(Bbox.from_extents(x - r, y - r, x + r, y + r))
        if anchors:
            # Catalogue materials are named where a clear spot is found (ringed when named);
            # in a dense cluster the rest stay unnamed rather than pile up.
            placed = place_labels(
                panel,
                anchors,
                texts,
                obstacles=taken,
                fontsize=6.5,
                required=False,
                renderer=renderer,
            )
            for point, ann in zip(anchors, placed, strict=True):
                if ann is not None:
                    panel.scatter(
                        *point, s=40, facecolor="none", edgecolor="black", lw=0.9, zorder=3
                    )
    return fig


def plot_paired_bars(
    frame: pd.DataFrame,
    title: str = "",
    v_max: float | None = None,
    *,
    ax: Axes | None = None,
) -> Figure:
    """Window bars of each material on several datasets, side by side, with 95% error bars.

    ``frame`` is ``Comparison.to_dataframe()``: label, dataset, limits, optional class (bar
    colour) and ``*_limit_std_V`` columns (error bars are 1.96 sigma where present). The axis
    runs to ``v_max`` (default: at least 5 V, past the highest limit). Draws into ``ax`` when
    given; returns the Figure.
    """
    datasets = list(dict.fromkeys(frame["dataset"]))
    labels = list(dict.fromkeys(frame["label"]))
    n, k = len(labels), len(datasets)
    height = 0.8 / k
    own = ax is None
    fig, ax = figure_and_axes(ax, (7.2, 0.9 + 0.42 * n * max(k, 2) / 2))
    top = (
        voltage_limit(pd.concat([frame["reduction_limit_V"], frame["oxidation_limit_V"]]))
        if v_max is None
        else v_max
    )
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
            color = class_style(str(r["class"]) if "class" in r else "")[0]
            ax.barh(
                y,
                max(min(hi, top) - lo, 0.02),
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
    ax.set_xlim(0, top)
    ax.set_xlabel(voltage_label(frame_ion(frame)))
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
    legend_below(fig, ax, own, handles=handles, ncol=k, fontsize=8)
    if title:
        ax.set_title(title, fontsize=10)
    return fig
