"""Plot functions: ``ax=``, the DataFrames the results give, honest labels, no collisions."""

from __future__ import annotations

import itertools
import re

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest
from matplotlib.text import Text

from stability.analysis.interfaces.interface import (
    compute_interface,
    interface_matrix,
    scan_interface,
)
from stability.analysis.screens.review import bar_windows, class_windows
from stability.analysis.windows.profile import compute_profile
from stability.analysis.windows.window import compute_windows
from stability.plotting.heatmap import MAX_ANNOTATED_CELLS, plot_matrix
from stability.plotting.interface import plot_mixing, plot_scan
from stability.plotting.labels import label_box, settle
from stability.plotting.profile import plot_profile
from stability.plotting.windows import plot_paired_bars, plot_window_bars, plot_windows_by_class


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


def _colorbar(fig):
    """The colour bar's mappable of a heatmap figure (its only QuadMesh with a colorbar)."""
    (mesh,) = [c for a in fig.axes for c in a.collections if getattr(c, "colorbar", None)]
    return mesh


def _cell_texts(fig) -> list[str]:
    return [t.get_text() for t in fig.axes[0].texts]


def _matrix(rows: int, cols: int, column: str, voltage: float | None = None) -> pd.DataFrame:
    return pd.DataFrame(
        [
            {
                "reactant_a": f"A{i}",
                "reactant_b": f"B{j}",
                "voltage_V": voltage,
                "mixing_ratio": (i + 1) / (rows + 1),
                column: -float(10 * i + j),
                "error": "",
            }
            for i in range(rows)
            for j in range(cols)
        ]
    )


def _overlaps(boxes) -> list[tuple[int, int]]:
    return [
        (i, j)
        for (i, a), (j, b) in itertools.combinations(enumerate(boxes), 2)
        if a.overlaps(b) and min(a.x1, b.x1) - max(a.x0, b.x0) > 0.5
    ]


# --- every plot function takes ax= and returns that axes' Figure ----------------------------


def test_every_plot_function_draws_into_a_given_axes(fast2019):
    eng = fast2019
    windows = compute_windows(eng, ["Li3N", "Li6PS5Cl", "LiF"]).to_dataframe()
    matrix = interface_matrix(eng, [("Li3N", "Li3N")], [("LiCoO2", "LiCoO2")]).to_dataframe()
    kinks = compute_interface(eng, "Li3N", "LiCoO2").to_dataframe()
    scan = scan_interface(eng, "Li3N", "LiCoO2", [0.0, 1.0, 2.0]).to_dataframe()
    profile = compute_profile(eng, "Li3N").to_dataframe()
    classes = pd.DataFrame(
        [
            {"class": "nitride", "label": "Li3N", "reduction_limit_V": 0.0,
             "oxidation_limit_V": 0.48, "is_binary": True},
            {"class": "nitride", "label": "Li3BN2", "reduction_limit_V": 0.0,
             "oxidation_limit_V": 0.87, "is_binary": False},
        ]
    )  # fmt: skip
    paired = pd.concat(
        [windows.assign(dataset=name, label=windows["formula"]) for name in ("a", "b")]
    )
    calls = [
        lambda ax: plot_window_bars(windows, ax=ax),
        lambda ax: plot_matrix(matrix, ax=ax),
        lambda ax: plot_mixing(kinks, "Li3N", "LiCoO2", ax=ax),
        lambda ax: plot_scan(scan, ax=ax),
        lambda ax: plot_profile(profile, ax=ax),
        lambda ax: plot_windows_by_class(classes, ax=ax),
        lambda ax: plot_paired_bars(paired, ax=ax),
    ]
    for call in calls:
        before = set(plt.get_fignums())
        fig, (left, right) = plt.subplots(1, 2, figsize=(14, 5))
        right.plot([0, 1], [0, 1])
        out = call(left)
        assert out is fig
        # Drawn into the given space: the other subplot is untouched, nothing new was opened.
        assert right in fig.axes and len(right.lines) == 1
        assert set(plt.get_fignums()) == before | {fig.number}
        assert any(a.has_data() for a in fig.axes if a is not right)
        plt.close(fig)


def test_window_bars_take_compute_windows_frames_without_class_or_label(fast2019):
    frame = compute_windows(
        fast2019, ["Li3N", "Li6PS5Cl", "NaCl"], allow_errors=True
    ).to_dataframe()
    assert list(frame["class"][:2]) == ["nitride", "sulfide"]
    frame = frame.drop(columns=["class"])  # the plot does not need it
    fig = plot_window_bars(frame)
    ax = fig.axes[0]
    assert [t.get_text() for t in ax.get_yticklabels()] == ["Li3N", "Li6PS5Cl *", "NaCl"]
    assert "no window" in [t.get_text() for t in ax.texts]  # the failed row is marked
    # No class legend without classes; only the note on the "*".
    entries = [t.get_text() for leg in fig.legends for t in leg.get_texts() if t.get_text()]
    assert entries == []
    assert "placed on the hull" in fig.legends[0].get_title().get_text()
    # With classes the bars are coloured by class and a legend names them.
    fig = plot_window_bars(frame.assign(**{"class": ["nitride", "sulfide", ""]}))
    names = {t.get_text() for leg in fig.legends for t in leg.get_texts()}
    assert names == {"nitride", "sulfide"}


def test_window_bar_limits_never_collide(fast2019):
    """Li6PS5Cl (1.72-2.14 V) read "1.722.14" when both numbers sat inside its bar."""
    fig = plot_window_bars(bar_windows(fast2019))
    ax = fig.axes[0]
    renderer = settle(ax)
    # Each limit once: alone ("2.14"), or both beside a bar from 0 V ("0.00-0.48").
    numbers = [t for t in ax.texts if re.fullmatch(r"\d+\.\d+(-\d+\.\d+)?", t.get_text())]
    assert sum(1 + ("-" in t.get_text()) for t in numbers) == 2 * 19
    boxes = [t.get_window_extent(renderer) for t in numbers]
    assert _overlaps(boxes) == []
    frame = ax.get_window_extent(renderer)
    assert all(frame.x0 - 1 <= b.x0 and b.x1 <= frame.x1 + 1 for b in boxes)


def test_window_axes_extend_to_the_data(fast2019):
    frame = compute_windows(fast2019, ["LiF", "Li3N"]).to_dataframe()
    assert frame["oxidation_limit_V"].max() > 6.3
    ax = plot_window_bars(frame).axes[0]
    assert ax.get_xlim()[1] >= 6.5
    ax = plot_window_bars(compute_windows(fast2019, ["Li3N"]).to_dataframe()).axes[0]
    assert ax.get_xlim() == (0.0, 5.0)


# --- profiles ---------------------------------------------------------------------------------


def test_profile_axis_reaches_lif_oxidation_limit(fast2019):
    frame = compute_profile(fast2019, "LiF").to_dataframe()
    limit = frame["voltage_low_V"].max()
    assert limit > 6.3
    ax = plot_profile(frame).axes[0]
    assert ax.get_xlim()[0] == 0 and ax.get_xlim()[1] > limit
    ax = plot_profile(compute_profile(fast2019, "Li3N").to_dataframe()).axes[0]
    assert ax.get_xlim() == (0.0, 5.0)


@pytest.mark.parametrize("formula", ["Li2.9PO3.3N0.46", "Li1.3Al0.3Ti1.7(PO4)3"])
def test_profile_labels_of_many_steps_do_not_pile_up(fast2019, formula):
    frame = compute_profile(fast2019, formula).to_dataframe()
    assert len(frame) >= 15
    fig = plot_profile(frame)
    ax = fig.axes[0]
    renderer = settle(ax)
    numbers = [t for t in ax.texts if t.get_text().isdigit()]
    assert sorted(int(t.get_text()) for t in numbers) == list(range(1, len(frame) + 1))
    boxes = [label_box(t, renderer) for t in numbers]
    assert _overlaps(boxes) == []
    inside = ax.get_window_extent(renderer)
    assert all(inside.contains(b.x0, b.y0) and inside.contains(b.x1, b.y1) for b in boxes)
    # The key under the plot names every step's phases, and lies inside the figure.
    key = "\n".join(t.get_text() for t in ax.texts if "\n" in t.get_text())
    for i in range(1, len(frame) + 1):
        assert f"{i:>2}  " in key
    page = fig.bbox
    for t in ax.texts:
        b = t.get_window_extent(renderer)
        assert page.x0 - 1 <= b.x0 and b.x1 <= page.x1 + 1 and b.y0 >= page.y0 - 1


def test_guides_are_drawn_under_the_data(fast2019):
    ax = plot_profile(compute_profile(fast2019, "Li9N2Cl3").to_dataframe()).axes[0]
    (curve,) = [ln for ln in ax.lines if ln.get_color() == "black"]
    guides = [ln for ln in ax.lines if ln is not curve]
    assert guides and all(g.get_zorder() < curve.get_zorder() for g in guides)
    scan = scan_interface(fast2019, "Li3N", "LiCoO2", [0.0, 0.5, 1.0, 1.5]).to_dataframe()
    for panel in plot_scan(scan).axes:
        data = [ln for ln in panel.lines if len(ln.get_xdata()) == len(scan)]
        guides = [ln for ln in panel.lines if ln not in data]
        assert data and all(g.get_zorder() < min(d.get_zorder() for d in data) for g in guides)


# --- interfaces -------------------------------------------------------------------------------


def test_scan_joins_samples_instead_of_centring_steps_on_them(fast2019):
    """The Li-open energy is continuous and piecewise linear in voltage: no step drawing."""
    volts = [2.9, 3.0, 3.1, 3.2]
    scan = scan_interface(fast2019, "Li3N", "LiCoO2", volts).to_dataframe()
    fig = plot_scan(scan)
    top = fig.axes[0]
    (line,) = [ln for ln in top.lines if len(ln.get_xdata()) == len(volts)]
    assert line.get_drawstyle() == "default"
    assert list(line.get_xdata()) == volts
    # Linear between kinks: a sample in between lies on the drawn segment (here no kink).
    mid = scan_interface(fast2019, "Li3N", "LiCoO2", [3.05]).to_dataframe()
    column = "reaction_energy_meV_per_non_ion_atom"
    column = column if column in mid else "reaction_energy_meV_per_atom"
    drawn = np.interp(3.05, line.get_xdata(), line.get_ydata())
    assert drawn == pytest.approx(mid[column].iloc[0], abs=1e-6)
    for panel in fig.axes:
        assert "non-Li atom" in panel.get_ylabel()


def test_mixing_plot_is_one_full_width_axes_and_says_its_normalisation(fast2019):
    closed = compute_interface(fast2019, "Li3N", "LiCoO2").to_dataframe()
    fig = plot_mixing(closed, "Li3N", "LiCoO2")
    assert len(fig.axes) == 1  # no side column of text
    ax = fig.axes[0]
    assert "meV per atom" in ax.get_ylabel() and "non-Li" not in ax.get_ylabel()
    renderer = settle(ax)
    assert ax.get_window_extent(renderer).width > 0.8 * fig.bbox.width
    opened = compute_interface(fast2019, "Li3N", "LiCoO2", 3.0).to_dataframe()
    ax = plot_mixing(opened, "Li3N", "LiCoO2", voltage=3.0).axes[0]
    assert "meV per non-Li atom" in ax.get_ylabel()
    # A frame that carries the Li-open key says so without being told the voltage.
    renamed = opened.rename(
        columns={"reaction_energy_meV_per_atom": "reaction_energy_meV_per_non_ion_atom"}
    )
    ax = plot_mixing(renamed, "Li3N", "LiCoO2").axes[0]
    assert "meV per non-Li atom" in ax.get_ylabel()


# --- heatmaps ---------------------------------------------------------------------------------


def test_matrix_colour_bar_has_the_sign_of_its_cells():
    frame = _matrix(3, 4, "reaction_energy_meV_per_atom")
    fig = plot_matrix(frame)
    mesh = _colorbar(fig)
    vmin, vmax = mesh.get_clim()
    assert vmin == pytest.approx(frame["reaction_energy_meV_per_atom"].min()) and vmax == 0.0
    label = mesh.colorbar.ax.get_ylabel()
    assert "-(" not in label and "meV per atom" in label and "non-Li" not in label
    cells = [float(t) for t in _cell_texts(fig)]
    assert min(cells) < 0 and all(vmin <= c <= vmax for c in cells)
    # The darkest colour is the most negative number, white-ish is 0 (no reaction).
    cmap = mesh.get_cmap()
    dark = np.mean(cmap(mesh.norm(vmin))[:3])
    light = np.mean(cmap(mesh.norm(0.0))[:3])
    assert dark < 0.2 < 0.8 < light


def test_matrix_labels_li_open_columns_by_name():
    mutual = plot_matrix(_matrix(2, 2, "reaction_energy_meV_per_non_ion_atom", 3.0))
    label = _colorbar(mutual).colorbar.ax.get_ylabel()
    assert "Mutual" in label and "meV per non-Li atom" in label
    assert "Li open at 3 V" in mutual.axes[0].get_xlabel()
    both = _matrix(2, 2, "reaction_energy_meV_per_non_ion_atom", 3.0)
    both["total_reaction_energy_meV_per_non_ion_atom"] = (
        both["reaction_energy_meV_per_non_ion_atom"] - 5000.0
    )
    total = plot_matrix(both, value="total_reaction_energy_meV_per_non_ion_atom")
    mesh = _colorbar(total)
    assert "Total" in mesh.colorbar.ax.get_ylabel()
    assert "meV per non-Li atom" in mesh.colorbar.ax.get_ylabel()
    assert mesh.get_clim()[0] <= -5000
    # Before the key rename an open frame carries the closed name: its voltage decides.
    old = plot_matrix(_matrix(2, 2, "reaction_energy_meV_per_atom", 3.0))
    assert "meV per non-Li atom" in _colorbar(old).colorbar.ax.get_ylabel()


def test_matrix_of_mixing_ratio_has_its_own_scale_and_label(fast2019):
    frame = interface_matrix(
        fast2019, [("Li3N", "Li3N"), ("LiPON", "Li2PO2N")], [("LiCoO2", "LiCoO2")]
    ).to_dataframe()
    fig = plot_matrix(frame, value="mixing_ratio")
    mesh = _colorbar(fig)
    assert mesh.get_clim() == (0.0, 1.0)
    assert mesh.get_cmap().name.startswith("viridis")
    label = mesh.colorbar.ax.get_ylabel()
    assert "Mixing ratio" in label and "meV" not in label
    cells = _cell_texts(fig)
    expected = [f"{v:.2f}" for v in frame["mixing_ratio"]]
    assert cells == expected and any(c not in ("0", "0.00") for c in cells)


def test_matrix_cell_labels_are_capped():
    big = plot_matrix(_matrix(62, 23, "reaction_energy_meV_per_atom"))
    assert _cell_texts(big) == []
    assert "not printed" in big.axes[0].get_xlabel()
    edge = int(MAX_ANNOTATED_CELLS**0.5)
    assert len(_cell_texts(plot_matrix(_matrix(edge, edge, "reaction_energy_meV_per_atom")))) == (
        edge * edge
    )
    forced = plot_matrix(_matrix(30, 20, "reaction_energy_meV_per_atom"), annotate=True)
    assert len(_cell_texts(forced)) == 600


def test_small_matrix_labels_fit_in_the_figure():
    fig = plot_matrix(_matrix(4, 7, "reaction_energy_meV_per_non_ion_atom", 3.0), "4 x 7")
    renderer = settle(fig.axes[0])
    page = fig.bbox
    texts = [t for a in fig.axes for t in a.findobj(Text) if t.get_text() and t.get_visible()]
    for t in texts:
        b = t.get_window_extent(renderer)
        assert page.x0 - 1 <= b.x0 and b.x1 <= page.x1 + 1, t.get_text()
        assert page.y0 - 1 <= b.y0 and b.y1 <= page.y1 + 1, t.get_text()


def test_matrix_rejects_an_unknown_value():
    with pytest.raises(ValueError, match="not in the frame"):
        plot_matrix(_matrix(2, 2, "reaction_energy_meV_per_atom"), value="nope")


# --- windows by class -------------------------------------------------------------------------


def test_windows_by_class_names_catalogue_materials(fast2019):
    frame = class_windows(fast2019)
    fig = plot_windows_by_class(frame, highlight={"Li3InCl6", "Li3PS4"})
    texts = [t.get_text() for a in fig.axes for t in a.texts]
    assert "Li3InCl6" in texts and "Li3PS4" in texts
    assert any(t.startswith("LiF 0.00-6.36 V") for t in texts)
    titles = [a.get_title() for a in fig.axes if a.get_title()]
    assert len(titles) == frame["class"].nunique()
    # Fluorides reach 7 V: their panel is not cut at 5 V.
    (fluoride,) = [a for a in fig.axes if a.get_title().startswith("fluoride")]
    assert fluoride.get_ylim()[1] > frame.query("`class` == 'fluoride'")["oxidation_limit_V"].max()
