"""``stability interface`` (one pair) and ``stability interfaces`` (a matrix of pairs)."""

from __future__ import annotations

from pathlib import Path

import click

from stability.commands.common import (
    EXIT_SOME_FAILED,
    check_plot_path,
    data_options,
    draws_option,
    format_option,
    load_engine,
    plot_option,
    require_fast_engine,
    save,
    uncertainty_option,
    want_uncertainty,
)
from stability.errors import StabilityError


@click.command()
@click.argument("reactant_a")
@click.argument("reactant_b")
@click.option("--voltage", type=float, default=None, help="Open Li at this voltage (V vs Li/Li+).")
@click.option("--scan", default=None, help="Voltages START:STOP:STEP, e.g. 0:5:0.1.")
@click.option(
    "--own-energy",
    is_flag=True,
    help="Use each reactant's own energy where the data has it (default: hull energy).",
)
@data_options()
@uncertainty_option
@draws_option
@format_option
@plot_option()
def interface(
    reactant_a, reactant_b, voltage, scan, own_energy, data, dataset, engine, uncertainty, draws,
    fmt, plot,
) -> None:  # fmt: skip
    """Print the reaction of REACTANT_A with REACTANT_B: energy, mixing ratio, products.

    Closed, energies are meV per atom; with Li open (--voltage, --scan) meV per non-Li atom.
    """
    from stability.analysis.interface import compute_interface, parse_scan, scan_interface
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
    voltages = parse_scan(scan) if scan else None
    eng = load_engine(data, dataset, engine)
    if voltages is not None:
        result = scan_interface(eng, reactant_a, reactant_b, voltages)
        frame = result.to_dataframe()
        if fmt == "json":
            click.echo(to_json([r.to_dict() for r in result.results]))
        elif fmt == "csv":
            click.echo(to_csv(frame), nl=False)
        else:
            click.echo(scan_text(reactant_a, reactant_b, eng.table.name, frame.to_dict("records")))
        if plot:
            from stability.plotting.interface import plot_scan

            save(plot_scan(frame, f"{reactant_a} | {reactant_b} ({eng.table.name})"), plot)
        return
    res = compute_interface(eng, reactant_a, reactant_b, voltage, use_own_energy=own_energy)
    if not own_energy and want_uncertainty(eng, uncertainty):
        from stability.analysis.uncertainty import with_reaction_uncertainty

        require_fast_engine(eng, "--uncertainty")
        res = with_reaction_uncertainty(res, eng, draws)
    if fmt == "json":
        click.echo(to_json(res.to_dict()))
    elif fmt == "csv":
        click.echo(to_csv(res.to_dataframe()), nl=False)
    else:
        click.echo(interface_text(res))
    if plot:
        from stability.plotting.interface import plot_mixing

        where = "closed" if voltage is None else f"{voltage:g} V"
        fig = plot_mixing(
            res.to_dataframe(), reactant_a, reactant_b, f"{reactant_a} | {reactant_b}, {where}"
        )
        save(fig, plot)


@click.command()
@click.option("--left", "left_set", required=True, help="Named set or file for the rows (A).")
@click.option("--right", "right_set", required=True, help="Named set or file for the columns (B).")
@click.option(
    "--voltage", type=float, default=None, help="Open Li at this voltage (default: closed)."
)
@data_options()
@click.option("--out", type=click.Path(path_type=Path), default=Path("results"), show_default=True)
def interfaces(left_set, right_set, voltage, data, dataset, engine, out: Path) -> None:
    """Compute every LEFT x RIGHT interface; write OUT/interfaces.csv and a heatmap."""
    from stability.analysis.interface import check_voltage, interface_matrix
    from stability.analysis.sets import resolve_set
    from stability.io.formats import to_csv
    from stability.io.tables import write_atomic
    from stability.plotting.heatmap import plot_matrix

    check_voltage(voltage)
    eng = load_engine(data, dataset, engine)
    left, right = resolve_set(left_set, eng.table), resolve_set(right_set, eng.table)
    frame = interface_matrix(eng, left, right, voltage).to_dataframe()
    write_atomic(out / "interfaces.csv", to_csv(frame))
    failed = frame[frame["error"] != ""]
    if len(failed) == len(frame):
        first = frame["error"].iloc[0]
        raise StabilityError(f"every pair failed (see {out / 'interfaces.csv'}), e.g.: {first}")
    where = "closed" if voltage is None else f"Li open at {voltage:g} V"
    fig = plot_matrix(frame, f"Interface reaction energy, {where} ({eng.table.name})")
    save(fig, out / "interfaces.png", close=False)
    save(fig, out / "interfaces.pdf")
    click.echo(
        f"wrote {out / 'interfaces.csv'} and interfaces.png/.pdf: {len(frame)} pairs "
        f"({len(failed)} failed)"
    )
    if len(failed):
        for row in failed.head(5).itertuples():
            click.echo(f"Error: {row.a_label} | {row.b_label}: {row.error}", err=True)
        raise SystemExit(EXIT_SOME_FAILED)
