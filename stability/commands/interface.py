"""``stability interface`` (one pair) and ``stability interfaces`` (a matrix of pairs)."""

from __future__ import annotations

from pathlib import Path

import click

from stability.commands.common import (
    EXIT_SOME_FAILED,
    at_temperature,
    check_plot_path,
    check_temperature_option,
    data_options,
    draws_option,
    format_option,
    ion_option,
    jobs_option,
    load_engine,
    plot_option,
    progress_bar,
    require_fast_engine,
    save,
    scheduler_option,
    set_names_help,
    temperature_option,
    uncertainty_option,
    want_uncertainty,
)
from stability.errors import StabilityError


@click.command(short_help="Reaction of two materials: energy, ratio, products.")
@click.argument("reactant_a")
@click.argument("reactant_b")
@click.option(
    "--voltage",
    type=float,
    default=None,
    help="Open the working ion (Li, or --ion) at this voltage (V vs its metal).",
)
@click.option("--scan", default=None, help="Voltages START:STOP:STEP, e.g. 0:5:0.1.")
@click.option(
    "--own-energy",
    is_flag=True,
    help="Use each reactant's own energy where the data has it (default: hull energy).",
)
@data_options()
@ion_option
@temperature_option
@uncertainty_option
@draws_option
@format_option
@plot_option()
def interface(
    reactant_a, reactant_b, voltage, scan, own_energy, data, dataset, engine, ion, temperature,
    uncertainty, draws, fmt, plot,
) -> None:  # fmt: skip
    """Print the reaction of REACTANT_A with REACTANT_B: energy, mixing ratio, products.

    Closed, energies are meV per atom; with the working ion open (--voltage, --scan; Li, or
    --ion Na, K, Mg, Ca, Zn, Al at mu = mu_metal - z V) meV per non-ion atom. With
    --temperature, every phase at that temperature (e.g. co-sintering at 1000 K; the header
    says which solids keep 0 K energies).
    """
    from stability.analysis.interfaces.interface import (
        compute_interface,
        parse_scan,
        scan_interface,
    )
    from stability.io.formats import to_csv, to_json
    from stability.io.render import interface_text, scan_text

    if voltage is not None and scan:
        raise StabilityError("give --voltage or --scan, not both")
    if scan and (own_energy or uncertainty):
        flag = "--own-energy" if own_energy else "--uncertainty"
        raise StabilityError(f"{flag} applies to single reactions, not to --scan")
    if own_energy and uncertainty:
        raise StabilityError("--uncertainty covers hull-energy reactants only; drop --own-energy")
    check_plot_path(plot)
    check_temperature_option(temperature)
    voltages = parse_scan(scan) if scan else None
    eng = at_temperature(load_engine(data, dataset, engine), temperature, uncertainty)
    if voltages is not None:
        result = scan_interface(eng, reactant_a, reactant_b, voltages, ion=ion)
        frame = result.to_dataframe()
        if fmt == "json":
            click.echo(to_json([r.to_dict() for r in result.results]))
        elif fmt == "csv":
            click.echo(to_csv(frame), nl=False)
        else:
            records = frame.to_dict("records")
            click.echo(scan_text(reactant_a, reactant_b, eng.table.name, records, ion))
            if result.results and result.results[0].temperature_note:
                click.echo(f"temperature {result.results[0].temperature_note}")
        if plot:
            from stability.plotting.interface import plot_scan

            title = f"{reactant_a} | {reactant_b}, {ion} open ({eng.table.name})"
            save(plot_scan(frame, title), plot)
        return
    res = compute_interface(
        eng, reactant_a, reactant_b, voltage, use_own_energy=own_energy, ion=ion
    )
    if not own_energy and want_uncertainty(eng, uncertainty):
        from stability.analysis.uncertainty.mp2020 import with_reaction_uncertainty

        require_fast_engine(eng, "--uncertainty")
        res = with_reaction_uncertainty(res, eng, draws)
    from stability.analysis.uncertainty.releases import interface_release_check

    res = interface_release_check(res, eng)
    if fmt == "json":
        click.echo(to_json(res.to_dict()))
    elif fmt == "csv":
        click.echo(to_csv(res.to_dataframe()), nl=False)
    else:
        click.echo(interface_text(res))
    if plot:
        from stability.plotting.interface import plot_mixing

        where = "closed" if voltage is None else f"{ion} open at {voltage:g} V"
        fig = plot_mixing(
            res.to_dataframe(),
            reactant_a,
            reactant_b,
            f"{reactant_a} | {reactant_b}, {where} ({res.dataset})",
            voltage=voltage,
        )
        save(fig, plot)


#: Tables of more rows than this are written as Parquet only under --table-format auto.
CSV_MAX_ROWS = 100_000
#: Matrices of more pairs than this get no heatmap (unreadable, and kept out of memory).
HEATMAP_MAX_PAIRS = 2_500


@click.command(short_help="Every LEFT x RIGHT interface: a table and a heatmap.")
@click.option("--left", "left_set", required=True, help=set_names_help("The rows (A)"))
@click.option("--right", "right_set", required=True, help=set_names_help("The columns (B)"))
@click.option(
    "--voltage",
    type=float,
    default=None,
    help="Open the working ion (Li, or --ion) at this voltage (default: closed).",
)
@click.option(
    "--scan",
    default=None,
    metavar="START:STOP:STEP",
    help="The working ion open at each voltage of a scan: one row per pair and voltage.",
)
@data_options()
@ion_option
@jobs_option
@scheduler_option
@click.option(
    "--table-format",
    type=click.Choice(["auto", "csv", "parquet", "both"]),
    default="auto",
    show_default=True,
    help=f"auto: CSV up to {CSV_MAX_ROWS:,} rows, Parquet beyond.",
)
@click.option("--out", type=click.Path(path_type=Path), default=Path("results"), show_default=True)
def interfaces(
    left_set, right_set, voltage, scan, data, dataset, engine, ion, jobs, scheduler, table_format,
    out,
) -> None:  # fmt: skip
    """Compute every LEFT x RIGHT interface; write OUT/interfaces.csv (or .parquet) and a heatmap.

    Rows are written as pairs finish (in LEFT x RIGHT order), so tables of any size fit.
    """
    from stability.analysis.interfaces.interface import (
        TEXT_COLUMNS,
        check_voltage,
        iter_interface_rows,
        matrix_columns,
        parse_scan,
    )
    from stability.analysis.materials.sets import resolve_set
    from stability.io.tables import RowWriter

    if voltage is not None and scan:
        raise StabilityError("give --voltage or --scan, not both")
    check_voltage(voltage)
    voltages = parse_scan(scan) if scan else [voltage]
    eng = load_engine(data, dataset, engine)
    left, right = resolve_set(left_set, eng.table), resolve_set(right_set, eng.table)
    pairs = len(left) * len(right)
    total = pairs * len(voltages)
    if table_format == "auto":
        formats = ["csv"] if total <= CSV_MAX_ROWS else ["parquet"]
    else:
        formats = ["csv", "parquet"] if table_format == "both" else [table_format]
    ion_open = scan is not None or voltage is not None
    columns = matrix_columns(ion_open)
    writer = RowWriter(out / "interfaces", columns, TEXT_COLUMNS, formats)
    plot_rows: list[dict] | None = [] if not scan and pairs <= HEATMAP_MAX_PAIRS else None
    failed, examples = 0, []
    bar = progress_bar(pairs, 0, unit="pair")
    try:
        for row in iter_interface_rows(
            eng,
            left,
            right,
            voltages,
            jobs=jobs,
            executor=scheduler or None,
            progress=bar.update,
            ion=ion,
        ):
            writer.add(row)
            if row["error"]:
                failed += 1
                if len(examples) < 5:
                    examples.append(row)
            if plot_rows is not None:
                plot_rows.append(row)
    except BaseException:
        writer.discard()
        raise
    finally:
        bar.close()
    paths = writer.close()
    names = " and ".join(str(p) for p in paths)
    if total and failed == total:
        raise StabilityError(f"every pair failed (see {names}), e.g.: {examples[0]['error']}")
    what = f"{pairs} pairs" + (f" x {len(voltages)} voltages" if scan else "")
    if plot_rows is not None:
        import pandas as pd

        from stability.plotting.heatmap import plot_matrix

        where = "closed" if voltage is None else f"{ion} open at {voltage:g} V"
        frame = pd.DataFrame(plot_rows, columns=columns)
        fig = plot_matrix(frame, f"Interface reaction energy, {where} ({eng.table.name})")
        save(fig, out / "interfaces.png", close=False)
        fig.set_layout_engine("none")  # the PDF keeps the PNG's layout: not solved twice
        save(fig, out / "interfaces.pdf")
        total_key = "total_reaction_energy_meV_per_non_ion_atom"
        if total_key in frame:  # the ion open: the total (own decompositions + mutual) too
            title = f"Total reaction energy, {where} ({eng.table.name})"
            fig = plot_matrix(frame, title, value=total_key)
            save(fig, out / "interfaces_total.png", close=False)
            fig.set_layout_engine("none")
            save(fig, out / "interfaces_total.pdf")
        names += " and the heatmaps"
    click.echo(f"wrote {names}: {what} ({failed} {'rows ' if scan else ''}failed)")
    if failed:
        for row in examples:
            where = "" if row["voltage_V"] is None else f" at {row['voltage_V']:g} V"
            click.echo(
                f"Error: {row['reactant_a']} | {row['reactant_b']}{where}: {row['error']}", err=True
            )
        raise SystemExit(EXIT_SOME_FAILED)
