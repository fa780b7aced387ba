"""``stability data``: list datasets, fetch entries from the Materials Project."""

from __future__ import annotations

from pathlib import Path

import click

from stability import config


@click.group(short_help="List datasets; fetch Materials Project entries.")
def data() -> None:
    """Inspect datasets and fetch entries from the Materials Project."""


@data.command("info", short_help="List the datasets found, and what was skipped.")
@click.option(
    "--data",
    "data",
    type=click.Path(path_type=Path),
    default=None,
    help=f"Snapshot file or folder (default: ${config.DATA_ENV}, else entries pulled "
    "into the cache, else the embedded default).",
)
def data_info(data: Path | None) -> None:
    """List the datasets found at --data (or the default location), and what was skipped."""
    from stability.entries.info import describe

    click.echo(describe(data))


@data.command("pull", short_help="Fetch a chemical system from MP into the cache.")
@click.argument("chemsys")
@click.option(
    "--thermo-type",
    type=click.Choice(["GGA_GGA+U", "GGA_GGA+U_R2SCAN", "R2SCAN"]),
    default="GGA_GGA+U",
    show_default=True,
    help="GGA_GGA+U: MP2020-corrected GGA/GGA+U. GGA_GGA+U_R2SCAN (or R2SCAN): GGA/GGA+U and "
    "r2SCAN entries mixed here with pymatgen's MaterialsProjectDFTMixingScheme.",
)
@click.option(
    "--endpoint",
    default=None,
    metavar="URL",
    help="Materials Project API URL, e.g. a mirror or proxy "
    "(default: $MP_API_ENDPOINT, else https://api.materialsproject.org/).",
)
def data_pull(chemsys: str, thermo_type: str, endpoint: str | None) -> None:
    """Fetch CHEMSYS (e.g. Li-N-Cl, with subsystems) from MP into the entries cache.

    Needs MP_API_KEY. Also caches the band gaps of the system's materials (from MP's summary
    documents) in the cache's properties/ folder.
    """
    from stability.entries.mp import MPSource

    res = MPSource(thermo_type=thermo_type, endpoint=endpoint).pull(chemsys)
    click.echo(
        f"cached {len(res.table)} entries of {res.table.meta['chemsys']} ({res.thermo_type}, "
        f"MP {res.database_version}) in {res.path}"
    )
    click.echo(f"cached {res.n_band_gaps} band gaps in {res.band_gaps_path}")
