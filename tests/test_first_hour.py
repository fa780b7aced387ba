"""What a new user met in the first hour (issue 24, item 5): readable open limits, exit
statuses, suggestions, help texts, resumed screens, and figures that show what they claim."""

from __future__ import annotations

import json
import re
from pathlib import Path

import matplotlib
import pytest
from click.testing import CliRunner

from stability.cli import COMMANDS, cli

from .conftest import shared_file

matplotlib.use("Agg")

EXAMPLES = Path(__file__).resolve().parents[1] / "examples" / "cells"


def run(*args: str):
    return CliRunner().invoke(cli, [*args])


@pytest.fixture(scope="module")
def data() -> str:
    return str(shared_file("mp2019_ground_states.csv.gz"))


# 1. An open limit reads as one, not "1.63--".
def test_cell_table_prints_an_open_passivated_limit_readably(data):
    res = run("cell", str(EXAMPLES / "LGPS_pouch.toml"), "--data", data)
    assert res.exit_code == 0, res.output
    assert "1.63--" not in res.stdout
    layers = [
        ln for ln in res.stdout.splitlines() if ln.startswith("electrolyte ") and "side)" in ln
    ]
    assert len(layers) == 2 and not any(re.search(r"\d-(\s|$)", ln) for ln in layers)
    assert "≥1.63" in next(ln for ln in layers if ln.startswith("electrolyte 1"))
    assert "passivated ≥V: no upper limit" in res.stdout


# 2. Every input bad: nothing computed, status 1; some bad: status 3.
def test_every_input_bad_is_status_1_some_bad_is_3(data, tmp_path):
    res = run("window", "FooBar", "--data", data)
    assert res.exit_code == 1 and res.stderr.startswith("Error: FooBar")
    assert run("window", "FooBar", "Li3N", "--data", data).exit_code == 3
    res = run("decomposition", "Co3O4", "NaCl", "--voltage", "1", "--data", data)
    assert res.exit_code == 1 and res.stderr.count("Error: ") == 2
    listing = tmp_path / "bad.txt"
    listing.write_text("LiXx2\nLi(\n")
    res = run("screen", "--set", str(listing), "--data", data, "--out", str(tmp_path / "o"))
    assert res.exit_code == 1 and "2 rows failed" in res.stderr


def test_failure_status():
    from stability.commands.common import failure_status

    assert failure_status(0, 3) == 0
    assert failure_status(2, 3) == 3
    assert failure_status(3, 3) == 1


# 3. Suggestions are real formulas or names, or none.
def test_no_nonsense_suggestion(data):
    from stability.formula import suggest_case

    res = run("window", "FooBar", "--data", data)
    assert "did you mean" not in res.stderr and "FOOBAr" not in res.stderr
    assert "not a known material name" in res.stderr
    assert suggest_case("FooBar") == [] and suggest_case("banana") == []
    assert suggest_case("li3n") == ["Li3N"] and suggest_case("Li3n") == ["Li3N"]
    assert suggest_case("co3o4") == ["Co3O4"]  # not CO3O4: one element twice in a row
    assert "did you mean LGPS" in run("window", "lgsp", "--data", data).stderr


# 4. An element without data is not an "unknown element".
def test_element_without_data_is_named_as_an_element(data):
    res = run("window", "Li3Og", "--data", data)
    assert res.exit_code == 1
    assert "Og is an element" in res.stderr and "no phases with Og" in res.stderr
    assert "unknown element" not in res.stderr
    assert "unknown element 'Xx'" in run("window", "LiXx2", "--data", data).stderr


# 5. --set help lists every set of the registries.
@pytest.mark.parametrize(
    ("command", "option", "dataset_sets"),
    [
        ("screen", "set_name", True),
        ("compare", "set_name", False),
        ("interfaces", "left_set", True),
        ("interfaces", "right_set", True),
        ("interlayer", "candidate_set", True),
    ],
)
def test_set_options_list_every_set(command, option, dataset_sets):
    from stability.analysis.materials.catalogue import set_names
    from stability.analysis.materials.sets import DATASET_SET_NAMES

    cmd = cli.get_command(None, command)  # type: ignore[arg-type]
    (param,) = [p for p in cmd.params if p.name == option]
    names = set_names() + list(DATASET_SET_NAMES if dataset_sets else [])
    assert {"coatings", "nitride-sses", "catholytes", "window-bars"} <= set(names)
    missing = [n for n in names if n not in param.help]
    assert not missing, f"{command} --{option} help omits {missing}"


# 6. Short helps are complete.
def _command_entries(help_text: str) -> dict[str, str]:
    """name -> short help of the Commands section of a --help page (wrapped lines joined)."""
    section = help_text.split("Commands:\n", 1)[1]
    entries: dict[str, str] = {}
    name = None
    for line in section.splitlines():
        m = re.match(r"  (\S+)\s{2,}(.*)", line)
        if m:
            name = m.group(1)
            entries[name] = m.group(2)
        elif name and line.strip():
            entries[name] += " " + line.strip()
    return entries


@pytest.mark.parametrize("group", [[], ["data"]])
def test_short_helps_are_complete(group):
    res = run(*group, "--help")
    assert res.exit_code == 0, res.output
    entries = _command_entries(res.stdout)
    if not group:
        assert set(entries) == set(COMMANDS)
    else:
        assert set(entries) == {"info", "pull"}
    for name, text in entries.items():
        assert not text.endswith("..."), f"{name}: {text!r} is cut"
        assert not re.search(r"\be\.?g\.?$", text), f"{name}: {text!r} stops at e.g."
        assert text.count("(") == text.count(")"), f"{name}: {text!r} leaves a ( open"


# 7. A resumed screen says what it kept.
def test_resumed_screen_says_how_many_rows_it_kept(data, tmp_path):
    out = tmp_path / "o"
    assert run("screen", "--set", "nitride-sses", "--data", data, "--out", str(out)).exit_code == 0
    journal = out / "screen.journal.jsonl"
    lines = journal.read_text().splitlines()
    assert len(lines) == 5  # the header and four rows
    journal.write_text("\n".join(lines[:3]) + "\n")  # as if stopped after two rows
    res = run("screen", "--set", "nitride-sses", "--data", data, "--out", str(out))
    assert res.exit_code == 0, res.output
    assert f"resumed: kept 2 rows from {journal}, computing 2 more" in res.stderr
    res = run("screen", "--set", "nitride-sses", "--data", data, "--out", str(out), "--restart")
    assert "resumed" not in res.stderr


# 8. The E_D panel spans the whole voltage axis.
def test_decomposition_panel_spans_the_voltage_axis(data, tmp_path, monkeypatch):
    import stability.commands.profile as profile_cmd

    figures = []
    monkeypatch.setattr(profile_cmd, "save", lambda fig, path: figures.append(fig))
    res = run(
        "profile", "LiF", "--data", data, "--plot", str(tmp_path / "f.png"),
        "--decomposition-panel",
    )  # fmt: skip
    assert res.exit_code == 0, res.output
    _, low = figures[0].axes[:2]
    (curve,) = [ln for ln in low.get_lines() if ln.get_color() == "black"]
    x, y = curve.get_xdata(), curve.get_ydata()
    assert low.get_xlim()[1] == pytest.approx(7.0) and max(x) == pytest.approx(7.0)
    assert min(y) < -0.1  # LiF's oxidation at 6.36 V shows


# 9. Window bar labels never sit on a bar.
def test_window_bar_labels_do_not_overlap_bars():
    import pandas as pd
    from matplotlib.patches import Rectangle

    from stability.plotting.windows import plot_window_bars

    frame = pd.DataFrame(
        {
            "label": ["beta-Li3N", "Li2S", "LLZO", "LGPS", "LiCl", "LiPON"],
            "reduction_limit_V": [0.0, 0.0, 0.05, 1.72, 0.0, 0.68],
            "oxidation_limit_V": [0.48, 2.14, 2.91, 2.29, 4.26, 2.64],
            "class": ["nitride", "sulfide", "oxide", "sulfide", "chloride", "nitride"],
        }
    )
    fig = plot_window_bars(frame, "bars")
    ax = fig.axes[0]
    renderer = fig.canvas.get_renderer()
    bars = [p.get_window_extent(renderer) for p in ax.patches if isinstance(p, Rectangle)]
    texts = [t for t in ax.texts if t.get_text()]
    assert len(bars) == 6 and texts
    for t in texts:
        box = t.get_window_extent(renderer)
        assert not any(box.overlaps(b) for b in bars), f"{t.get_text()!r} sits on a bar"
    shown = {t.get_text() for t in texts}
    assert {"0.00-0.48", "0.05-2.91", "1.72", "2.29"} <= shown


# 10. The scan's total is visible.
def test_scan_total_is_drawn_on_top_in_its_own_colour(fast2019):
    from matplotlib.colors import to_rgba

    from stability.analysis.interfaces.interface import scan_interface
    from stability.plotting.interface import plot_scan

    frame = scan_interface(fast2019, "Li3N", "LiCoO2", [0.0, 1.0, 2.0, 3.0]).to_dataframe()
    fig = plot_scan(frame, "scan")
    bottom = fig.axes[1]
    lines = {ln.get_label(): ln for ln in bottom.get_lines() if not ln.get_label().startswith("_")}
    total = lines.pop("total (own + mutual)")
    assert lines, "the reactants' own curves are drawn too"
    for other in lines.values():
        assert total.get_zorder() > other.get_zorder()
        assert to_rgba(total.get_color())[:3] != to_rgba(other.get_color())[:3]
        assert total.get_linewidth() > other.get_linewidth()


# 11. The stack legend says what its marks mean.
def test_stack_legend_explains_the_face_marks(data, tmp_path, monkeypatch):
    import stability.commands.cell as cell_cmd

    figures = []
    monkeypatch.setattr(cell_cmd, "save", lambda fig, path: figures.append(fig))
    res = run(
        "cell", str(EXAMPLES / "LGPS_pouch.toml"), "--data", data, "--plot",
        str(tmp_path / "s.png"),
    )  # fmt: skip
    assert res.exit_code == 0, res.output
    texts = [t.get_text() for t in figures[0].axes[0].get_legend().get_texts()]
    assert not any("held" in t and "sees" in t for t in texts)
    assert any("at its faces" in t and "inside its window" in t for t in texts)
    assert any("at its faces" in t and "outside its window" in t for t in texts)


def test_json_window_of_all_bad_inputs_still_lists_them(data):
    res = run("window", "FooBar", "Li3Og", "--data", data, "--format", "json")
    assert res.exit_code == 1
    assert [r["label"] for r in json.loads(res.stdout)] == ["FooBar", "Li3Og"]


# A cell whose material cannot be computed prints what it could, then says so: status 3.
def test_cell_with_an_unknown_material_fails_visibly(data, tmp_path):
    text = (EXAMPLES / "LGPS_pouch.toml").read_text()
    spec = tmp_path / "foo.toml"
    spec.write_text(text.replace('material = "LGPS"', 'material = "Foo"', 1))
    assert spec.read_text() != text
    res = run("cell", str(spec), "--data", data)
    assert res.exit_code == 3, res.output
    assert "verdict: unknown" in res.stdout
    errors = [ln for ln in res.stderr.splitlines() if ln.startswith("Error: ")]
    assert errors and all("Foo" in ln for ln in errors)
    assert "Traceback" not in res.output


# An output path that cannot be written is the user's input: one line naming it, status 1.
def test_unwritable_output_path_is_a_one_line_error(data, tmp_path):
    blocker = tmp_path / "a_file"
    blocker.write_text("")
    for args in (
        ["profile", "Li3N", "--data", data, "--plot", str(blocker / "x.png")],
        ["screen", "--set", "nitride-sses", "--data", data, "--out", str(blocker / "out")],
    ):
        res = run(*args)
        assert res.exit_code == 1, (args, res.output)
        [line] = res.stderr.strip().splitlines()
        assert line.startswith("Error: ") and str(blocker) in line, line
        assert "internal error" not in line
