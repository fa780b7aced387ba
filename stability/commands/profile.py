"""``stability profile``: the voltage profile of one material."""

from __future__ import annotations

import click

from stability.commands.common import (
    check_plot_path,
    data_options,
    format_option,
    load_engine,
    plot_option,
    save,
)


@click.command()
@click.argument("formula")
@data_options()
@format_option
@plot_option("Write the step plot (PNG, PDF, SVG, ...).")
def profile(formula: str, data, dataset, engine, fmt, plot) -> None:
    """Print the voltage profile of FORMULA: the equilibrium at every voltage from 0 V."""
    from stability.analysis.profile import compute_profile
    from stability.io.formats import to_csv, to_json
    from stability.io.render import profile_text

    check_plot_path(plot)
    prof = compute_profile(load_engine(data, dataset, engine), formula)
    if fmt == "json":
        click.echo(to_json(prof.to_dict()))
    elif fmt == "csv":
        click.echo(to_csv(prof.to_dataframe()), nl=False)
    else:
        click.echo(profile_text(prof))
    if plot:
        from stability.plotting.profile import plot_profile

        save(plot_profile(prof.to_dataframe(), title=f"{formula} ({prof.window.dataset})"), plot)
