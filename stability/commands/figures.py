"""``stability figures``: the review's figures and the tables behind them."""

from __future__ import annotations

from pathlib import Path

import click

from stability.commands.common import data_options, load_engine


@click.command()
@data_options()
@click.option(
    "--out", type=click.Path(path_type=Path), default=Path("results/figures"), show_default=True
)
def figures(data, dataset, engine, out: Path) -> None:
    """Regenerate the review's figures (PNG and PDF) and their tables into OUT."""
    from stability.plotting.figures import make_figures

    written = make_figures(load_engine(data, dataset, engine), out)
    click.echo(
        f"wrote {len(written)} files to {out}: " + ", ".join(sorted({p.stem for p in written}))
    )
