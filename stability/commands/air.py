"""``stability air``: what a solid becomes in a dry room, in ambient air, and when warmed."""

from __future__ import annotations

import click

from stability.commands.common import (
    check_plot_path,
    data_options,
    format_option,
    plot_option,
    report_failures,
    save,
    set_names_help,
)
from stability.errors import StabilityError

TABLE_HEADERS = {
    "formula": "formula",
    "reactant_gas": "gas",
    "reaction_energy_eV_per_reactant_gas": "eV/gas molecule",
    "reaction_energy_meV_per_atom": "meV/atom",
    "products": "products",
    "released_gases": "released",
    "reaction": "reaction",
}


@click.command(short_help="Reactions with H2O, CO2, O2 and air: energies, products, gases.")
@click.argument("formulas", nargs=-1)
@click.option("--set", "set_name", default=None, help=set_names_help("Instead of FORMULAS, a set"))
@click.option(
    "--temperature",
    type=float,
    default=298.15,
    show_default=True,
    help="Temperature (K) of the gases, and of the solids where the dataset has structures.",
)
@click.option(
    "--humidity",
    type=float,
    default=None,
    help="Relative humidity (%%) of air at 25 C [default 50].",
)
@click.option(
    "--dew-point", type=float, default=None, help="Dew (frost) point (C), e.g. -50 for a dry room."
)
@click.option("--h2o-pressure", type=float, default=None, help="H2O partial pressure (Pa).")
@click.option("--co2-ppm", type=float, default=420.0, show_default=True, help="CO2 in air (ppm).")
@click.option(
    "--o2-fraction", type=float, default=0.21, show_default=True, help="O2 mole fraction."
)
@click.option(
    "--released-ppm",
    type=float,
    default=1.0,
    show_default=True,
    help="Partial pressure of released gases (ppm of 1 bar).",
)
@click.option("--reactive-n2", is_flag=True, help="Let N2 react (and be released); default inert.")
@click.option(
    "--reactive-h2",
    is_flag=True,
    help="Let H2 be released (water reduction); default not, as in Zhu & Mo's hydrolysis.",
)
@click.option(
    "--keep-flagged",
    is_flag=True,
    help="Keep flagged phases (docs/flags.md) among the products; by default left out.",
)
@click.option(
    "--dry-room-map",
    is_flag=True,
    help="Instead: H2O rows at dew points -60, -40, -20 C and 25, 50 %% RH (--plot: the map).",
)
@data_options(engine=False)
@format_option
@plot_option("Write the figure: energy per gas molecule, toxic releases hatched.")
def air(
    formulas, set_name, temperature, humidity, dew_point, h2o_pressure, co2_ppm, o2_fraction,
    released_ppm, reactive_n2, reactive_h2, keep_flagged, dry_room_map, data, dataset, fmt, plot,
) -> None:  # fmt: skip
    """Reactions of FORMULAS (or --set) with H2O, CO2, O2, each in excess, and with air.

    Gases at mu = dGf(T) + kT ln(p/p0) (NIST-JANAF), released gases at --released-ppm;
    energies per gas molecule consumed and per atom of the reactants (docs/air.md).
    """
    from stability.analysis.air import Conditions, compute_air, h2o_pressure_pa
    from stability.analysis.materials.sets import resolve_set
    from stability.entries.load import load_dataset
    from stability.io.formats import to_csv, to_json, to_table
    from stability.io.schema import headers

    if bool(formulas) == bool(set_name):
        raise StabilityError("give FORMULAS or --set, not both or neither")
    check_plot_path(plot)
    cond = Conditions(
        temperature_K=temperature,
        h2o_Pa=h2o_pressure_pa(humidity, dew_point, h2o_pressure),
        co2_ppm=co2_ppm,
        o2_fraction=o2_fraction,
        released_ppm=released_ppm,
        reactive_n2=reactive_n2,
        reactive_h2=reactive_h2,
    )
    table = load_dataset(data, dataset)
    names = [label for label, _ in resolve_set(set_name, table)] if set_name else list(formulas)
    if dry_room_map:
        _dry_room(table, names, cond, keep_flagged, fmt, plot)
        return
    result = compute_air(table, names, cond, leave_out_flagged=not keep_flagged)
    frame = result.to_dataframe()
    if fmt == "json":
        click.echo(to_json([r.to_dict() for r in result.results]))
    elif fmt == "csv":
        click.echo(to_csv(frame), nl=False)
    else:
        click.echo(
            f"dataset: {table.display_name}; {cond.temperature_K:g} K, H2O {cond.h2o_Pa:.4g} Pa, "
            f"CO2 {cond.co2_ppm:g} ppm, O2 {cond.o2_fraction:g}, released gases at "
            f"{cond.released_ppm:g} ppm; eV per gas molecule consumed (air: per molecule "
            "taken up)"
        )
        if result.results:
            click.echo(result.results[0].temperature_note)
        if result.results:
            click.echo(to_table(_listed(frame.to_dict("records")), headers(TABLE_HEADERS)))
    _say_left_out(table, result.left_out, fmt)
    if result.skipped:
        click.echo(result.skipped, err=fmt != "table")
    if plot and result.results:
        from stability.plotting.air import plot_air

        title = (
            f"{table.display_name}: {cond.temperature_K:g} K, H2O {cond.h2o_Pa:.3g} Pa, "
            f"CO2 {cond.co2_ppm:g} ppm; released gases at {cond.released_ppm:g} ppm"
        )
        save(plot_air(frame, title), plot)
    report_failures(result.errors, len(names))


def _dry_room(table, names, cond, keep_flagged, fmt, plot) -> None:
    from stability.analysis.air.dryroom import dry_room_map
    from stability.io.formats import to_csv, to_json, to_table
    from stability.io.schema import headers

    result = dry_room_map(table, names, cond, leave_out_flagged=not keep_flagged)
    frame = result.to_dataframe()
    if fmt == "json":
        click.echo(to_json(result.rows))
    elif fmt == "csv":
        click.echo(to_csv(frame), nl=False)
    else:
        click.echo(f"dataset: {table.display_name}; H2O in excess, eV per H2O consumed")
        if result.rows:
            click.echo(to_table(_listed(frame.to_dict("records")), headers(MAP_HEADERS)))
    if plot and result.rows:
        from stability.plotting.air import plot_dry_room

        save(plot_dry_room(frame, f"{table.display_name}: moisture from dry room to air"), plot)
    _say_left_out(table, result.left_out, fmt)
    report_failures(result.errors, len(names))


MAP_HEADERS = {
    "formula": "formula",
    "condition": "condition",
    "partial_pressure_Pa": "H2O (Pa)",
    "reaction_energy_eV_per_reactant_gas": "eV/H2O",
    "toxic_released_gases": "toxic gas",
    "products": "products",
}


def _say_left_out(table, left_out: list[str], fmt: str) -> None:
    if left_out:
        click.echo(
            f"left out as flagged ({table.name}; --keep-flagged keeps them): "
            + ", ".join(left_out),
            err=fmt != "table",
        )


def _listed(rows: list[dict]) -> list[dict]:
    """Rows for a table: ";"-joined phases and gases shown as lists, as every table shows them;
    released gases with the pressure up to which the reaction releases them."""
    keys = ("products", "released_gases", "toxic_released_gases")
    out = []
    for r in rows:
        row = {
            **r,
            **{
                k: [x for x in str(r[k]).split(";") if x] for k in keys if isinstance(r.get(k), str)
            },
        }
        limit = r.get("release_limit_ppm")
        if row.get("released_gases") and limit is not None and limit == limit:  # not NaN
            upto = "> 1 bar" if limit > 1e6 else f"{limit:.3g} ppm"
            row["released_gases"] = [f"{', '.join(row['released_gases'])} (to {upto})"]
        out.append(row)
    return out
