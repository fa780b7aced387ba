"""``stability figures``: the review's figures and the tables behind them."""

from __future__ import annotations

from pathlib import Path

import click

from stability.commands.common import data_options, load_engine


@click.command(short_help="Regenerate the review's figures and their tables.")
@data_options()
@click.option(
    "--out", type=click.Path(path_type=Path), default=Path("results/figures"), show_default=True
)
@click.option(
    "--gaps",
    type=click.Path(path_type=Path),
    default=None,
    help="Band gaps CSV for the passivated bars and the profile marks "
    "(default: properties/ beside the data; without gaps they are left out).",
)
def figures(data, dataset, engine, out: Path, gaps) -> None:
    """Regenerate the review's figures (PNG and PDF) and their tables into OUT."""
    from stability.commands.practical import passivation_settings
    from stability.errors import DataError
    from stability.plotting.figures import make_figures

    eng = load_engine(data, dataset, engine)
    try:
        passive = passivation_settings(eng.table, True, None, False, gaps)
    except DataError as exc:
        if gaps is not None:
            raise
        click.echo(f"no passivated windows or phase marks: {exc}", err=True)
        passive = None
    written = make_figures(eng, out, passive)
    click.echo(
        f"wrote {len(written)} files to {out}: " + ", ".join(sorted({p.stem for p in written}))
    )
