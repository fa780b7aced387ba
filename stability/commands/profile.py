"""``stability profile``: the voltage profile of one material."""

from __future__ import annotations

from pathlib import Path

import click

from stability.commands.common import (
    check_plot_path,
    data_options,
    format_option,
    ion_option,
    load_engine,
    plot_option,
    save,
)
from stability.errors import StabilityError


@click.command(short_help="Voltage profile of a formula: its equilibria from 0 V.")
@click.argument("formula")
@data_options()
@ion_option
@format_option
@plot_option("Write the step plot (PNG, PDF, SVG, ...).")
@click.option(
    "--decomposition-panel",
    is_flag=True,
    help="With --plot, add a panel of the decomposition energy (eV/atom) against voltage.",
)
@click.option(
    "--mark-phases",
    is_flag=True,
    help="Mark each step's phases as insulator, conductor, gas or gap unknown (band gaps).",
)
@click.option(
    "--gaps",
    type=click.Path(path_type=Path),
    default=None,
    help="Band gaps CSV for --mark-phases (default: properties/ beside the data).",
)
def profile(
    formula: str, data, dataset, engine, ion, fmt, plot, decomposition_panel, mark_phases, gaps
) -> None:
    """Print the voltage profile of FORMULA: the equilibrium at every voltage from 0 V
    (V vs the metal of --ion, Li by default)."""
    from stability.analysis.windows.profile import compute_profile
    from stability.io.formats import to_csv, to_json
    from stability.io.render import profile_text

    if decomposition_panel and not plot:
        raise StabilityError("--decomposition-panel draws into the --plot figure: give --plot")
    if gaps is not None and not mark_phases:
        raise StabilityError("--gaps needs --mark-phases")
    check_plot_path(plot)
    eng = load_engine(data, dataset, engine)
    prof = compute_profile(eng, formula, ion=ion)
    rows = prof.rows()  # a DataFrame (pandas) only for CSV and plots
    if mark_phases:
        from stability.analysis.windows.practical import mark_profile
        from stability.commands.practical import passivation_settings

        passive = passivation_settings(eng.table, True, None, False, gaps)
        for row, mark in zip(rows, mark_profile(prof, passive), strict=True):
            row["electronic"] = mark
    if fmt == "json":
        click.echo(to_json(prof.to_dict()))
    elif fmt == "csv":
        head = {"label": prof.label, "formula": prof.formula, "dataset": prof.window.dataset}
        # "ion" is in every row already (VoltageProfile.rows)
        click.echo(to_csv(_frame([{**head, **r} for r in rows])), nl=False)
    else:
        click.echo(profile_text(prof, rows))
    if plot:
        from stability.plotting.profile import plot_profile, voltage_axis_max

        frame = _frame(rows)
        panel = None
        if decomposition_panel:
            from stability.analysis.windows.decomposition import decomposition_curve

            # E_D over the whole voltage axis (to 7 V for LiF, oxidised at 6.36 V), not 5 V.
            top = voltage_axis_max(frame)
            panel = decomposition_curve(eng, formula, v_max=top, ion=ion).to_dataframe()
        title = f"{prof.label} ({prof.window.dataset})"
        save(plot_profile(frame, title=title, decomposition=panel), plot)


def _frame(rows: list[dict]):
    """``VoltageProfile.to_dataframe()`` with the columns added to ``rows``."""
    import pandas as pd

    return pd.DataFrame(rows)
