"""``stability data``: list datasets, fetch entries from the Materials Project."""

from __future__ import annotations

from pathlib import Path

import click

from stability import config


@click.group()
def data() -> None:
    """Inspect datasets and fetch entries from the Materials Project."""


@data.command("info")
@click.option(
    "--data",
    "data",
    type=click.Path(path_type=Path),
    default=None,
    help=f"Snapshot file or folder (default: ${config.DATA_ENV}, else the entries cache).",
)
def data_info(data: Path | None) -> None:
    """List the datasets found at --data (or the default location)."""
    from stability.entries.info import describe

    click.echo(describe(config.data_path(data)))


@data.command("pull")
@click.argument("chemsys")
@click.option(
    "--thermo-type",
    type=click.Choice(["GGA_GGA+U", "R2SCAN"]),
    default="GGA_GGA+U",
    show_default=True,
)
def data_pull(chemsys: str, thermo_type: str) -> None:
    """Fetch CHEMSYS (e.g. Li-N-Cl, with subsystems) from MP into the entries cache."""
    from stability.entries.mp import MPSource

    table, path = MPSource(thermo_type=thermo_type).pull(chemsys)
    click.echo(
        f"cached {len(table)} entries of {table.meta['chemsys']} "
        f"(MP {table.meta['database_version']}) in {path}"
    )
