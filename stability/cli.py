"""The ``stability`` command line: thin commands over the library."""

from __future__ import annotations

import logging
import sys
from pathlib import Path

import click

from stability import config
from stability.errors import StabilityError
from stability.io.formats import FORMATS

WINDOW_HEADERS = {
    "formula": "formula",
    "reduction_limit_V": "reduction (V)",
    "oxidation_limit_V": "oxidation (V)",
    "window_width_V": "width (V)",
    "reduction_products": "reduction products",
    "oxidation_products": "oxidation products",
    "e_above_hull_eV_per_atom": "E_hull (eV/atom)",
    "placed_on_hull": "placed",
}
PROFILE_HEADERS = {
    "voltage_low_V": "from (V)",
    "voltage_high_V": "to (V)",
    "li_per_formula_unit": "Li per f.u.",
    "reaction": "equilibrium (per formula unit)",
}


class Cli(click.Group):
    """Turn library errors into one-line messages; ``--debug`` shows tracebacks."""

    def invoke(self, ctx: click.Context):  # type: ignore[override]
        try:
            return super().invoke(ctx)
        except StabilityError as exc:
            if ctx.meta.get("debug"):
                raise
            raise click.ClickException(str(exc)) from None
        except KeyboardInterrupt:
            click.echo("Interrupted.", err=True)
            sys.exit(130)


data_option = click.option(
    "--data",
    "data",
    type=click.Path(path_type=Path),
    default=None,
    help=f"Snapshot file or folder (default: ${config.DATA_ENV}, else cached_entries/).",
)
dataset_option = click.option(
    "--dataset",
    default=None,
    help=f"Dataset in a folder of snapshots (default {config.DEFAULT_DATASET}).",
)
engine_option = click.option(
    "--engine",
    type=click.Choice(["fast", "pymatgen"]),
    default="fast",
    show_default=True,
    help="fast: one hull per system; pymatgen: PhaseDiagram per composition (reference).",
)
format_option = click.option(
    "--format", "fmt", type=click.Choice(FORMATS), default="table", show_default=True
)


def _engine(data: Path | None, dataset: str | None, engine: str):
    from stability.entries.load import load_dataset
    from stability.thermo.engines import make_engine

    return make_engine(load_dataset(data, dataset), engine)


@click.group(cls=Cli, context_settings={"help_option_names": ["-h", "--help"]})
@click.option("--debug", is_flag=True, help="Show tracebacks of errors.")
@click.version_option(package_name="stability")
@click.pass_context
def cli(ctx: click.Context, debug: bool) -> None:
    """Electrochemical stability of solid-state electrolytes from Materials Project data."""
    ctx.meta["debug"] = debug
    logging.basicConfig(level=logging.DEBUG if debug else logging.WARNING, format="%(message)s")


@cli.command()
@click.argument("formulas", nargs=-1, required=True)
@data_option
@dataset_option
@engine_option
@format_option
def window(formulas: tuple[str, ...], data, dataset, engine, fmt) -> None:
    """Print the electrochemical window (V vs Li/Li+) of each FORMULA."""
    from stability.analysis.window import compute_window
    from stability.io.formats import to_csv, to_json, to_table

    eng = _engine(data, dataset, engine)
    results = [compute_window(eng, f) for f in formulas]
    rows = [w.to_dict() for w in results]
    if fmt == "json":
        click.echo(to_json(rows))
    elif fmt == "csv":
        from stability.analysis.window import WindowTable

        click.echo(to_csv(WindowTable(results, {}).to_dataframe()), nl=False)
    else:
        click.echo(f"dataset: {eng.table.name} (engine {eng.name})")
        click.echo(to_table(rows, WINDOW_HEADERS))
        if any(w.placed_on_hull for w in results):
            click.echo(
                f"placed: off the hull or absent from the dataset; placed {config.PLACEMENT_OFFSET_EV:g} "
                "eV/atom below the hull before its window was computed (Zhu, He & Mo 2015)."
            )


@cli.command()
@click.argument("formula")
@data_option
@dataset_option
@engine_option
@format_option
@click.option(
    "--plot",
    type=click.Path(path_type=Path),
    default=None,
    help="Write the step plot (PNG, PDF, SVG).",
)
def profile(formula: str, data, dataset, engine, fmt, plot) -> None:
    """Print the voltage profile of FORMULA: the equilibrium at every voltage from 0 V."""
    from stability.analysis.profile import compute_profile
    from stability.io.formats import to_csv, to_json, to_table

    prof = compute_profile(_engine(data, dataset, engine), formula)
    frame = prof.to_dataframe()
    if fmt == "json":
        click.echo(to_json(prof.to_dict()))
    elif fmt == "csv":
        click.echo(to_csv(frame), nl=False)
    else:
        w = prof.window
        click.echo(
            f"{formula}: window {w.reduction_limit_V:.3f} - {w.oxidation_limit_V:.3f} V vs Li/Li+ "
            f"({w.dataset}{', placed on the hull' if w.placed_on_hull else ''})"
        )
        click.echo(to_table(frame.to_dict("records"), PROFILE_HEADERS))
    if plot:
        from stability.plotting.profile import plot_profile

        fig = plot_profile(frame, title=f"{formula} ({prof.window.dataset})")
        plot.parent.mkdir(parents=True, exist_ok=True)
        fig.savefig(plot, dpi=200)
        click.echo(f"wrote {plot}", err=True)


@cli.command()
@click.option("--set", "set_name", default="all", show_default=True, help="Which entries: all.")
@data_option
@dataset_option
@engine_option
@click.option("--out", type=click.Path(path_type=Path), default=Path("results"), show_default=True)
def screen(set_name: str, data, dataset, engine, out: Path) -> None:
    """Screen a set of entries and write OUT/screen.csv."""
    from stability.analysis.screen import screen_rows
    from stability.io.formats import to_csv

    if set_name != "all":
        raise StabilityError(f"unknown set {set_name!r}; available: all")
    eng = _engine(data, dataset, engine)
    frame = screen_rows(eng).to_dataframe()
    out.mkdir(parents=True, exist_ok=True)
    target = out / "screen.csv"
    tmp = target.with_suffix(".csv.tmp")
    tmp.write_text(to_csv(frame))
    tmp.replace(target)
    failed = int((frame["error"] != "").sum())
    click.echo(f"wrote {target}: {len(frame)} rows ({failed} without a window)")


@cli.group()
def data() -> None:
    """Inspect datasets and fetch entries from the Materials Project."""


@data.command("info")
@data_option
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
    """Fetch CHEMSYS (e.g. Li-N-Cl, with subsystems) from MP into cached_entries/."""
    from stability.entries.mp import MPSource

    table, path = MPSource(thermo_type=thermo_type).pull(chemsys)
    click.echo(
        f"cached {len(table)} entries of {table.meta['chemsys']} (MP {table.meta['database_version']}) in {path}"
    )


def main() -> None:
    cli()
