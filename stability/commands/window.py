"""``stability window``: electrochemical windows of one or more materials."""

from __future__ import annotations

import click

from stability.commands.common import (
    at_temperature,
    check_temperature_option,
    data_options,
    draws_option,
    format_option,
    ion_option,
    load_engine,
    report_failures,
    require_fast_engine,
    temperature_option,
    uncertainty_option,
    want_uncertainty,
)
from stability.commands.practical import practical_options
from stability.errors import StabilityError


@click.command(short_help="Electrochemical window (V vs Li/Li+, or --ion's metal) of formulas.")
@click.argument("formulas", nargs=-1, required=True)
@data_options()
@ion_option
@temperature_option
@uncertainty_option
@draws_option
@click.option(
    "--explain",
    is_flag=True,
    help="Name the reaction and phases that set each limit, with margins.",
)
@practical_options
@format_option
def window(
    formulas: tuple[str, ...],
    data,
    dataset,
    engine,
    ion,
    temperature,
    uncertainty,
    draws,
    explain,
    tolerance,
    passivation,
    min_gap,
    allow_gas,
    gaps,
    fmt,
):
    """Print the electrochemical window (V vs Li/Li+) of each FORMULA.

    With --ion, the window of that working ion (Na, K, Mg, Ca, Zn, Al), in V vs its metal
    per charge. With --tolerance X, the window where it exchanges at most X ions per atom; with
    --passivation, also the window extended by insulating, gas-free interphases. With
    --temperature, every phase at that temperature (the header says which solids keep 0 K
    energies). Bad formulas are reported one per line on stderr; the others are still
    computed.
    """
    from dataclasses import replace

    from stability.analysis.windows.practical import compute_practical_window, zero_width_note
    from stability.analysis.windows.window import WindowTable, compute_windows, window_class
    from stability.commands.practical import (
        check_tolerance,
        passivation_lines,
        passivation_settings,
    )
    from stability.io.formats import to_csv, to_json
    from stability.io.render import windows_text

    check_tolerance(tolerance)
    check_temperature_option(temperature)
    if tolerance is not None and uncertainty:
        raise StabilityError("--uncertainty covers the strict limits only; drop --tolerance")
    eng = at_temperature(load_engine(data, dataset, engine), temperature, uncertainty)
    passive = passivation_settings(eng.table, passivation, min_gap, allow_gas, gaps)
    if tolerance is None and passive is None:
        table = compute_windows(eng, formulas, allow_errors=True, ion=ion)
    else:
        table = compute_windows(
            eng,
            formulas,
            allow_errors=True,
            compute=lambda e, f: compute_practical_window(
                e, f, tolerance=tolerance, passivation=passive, ion=ion
            ),
        )
    windows = table.windows
    if table.ok and tolerance is None and want_uncertainty(eng, uncertainty):
        from stability.analysis.uncertainty.mp2020 import with_window_uncertainty

        require_fast_engine(eng, "--uncertainty")
        windows = [w and with_window_uncertainty(w, eng, draws) for w in windows]
    explained = {}
    if explain and table.ok:
        from stability.analysis.uncertainty.sensitivity import limit_sensitivity

        require_fast_engine(eng, "--explain")
        explained = {
            i: limit_sensitivity(eng, w.formula, ion=ion) for i, w in enumerate(windows) if w
        }
    if tolerance is None and passive is None:
        from stability.analysis.uncertainty.releases import with_release_check

        # One more window on the other bundled release's small system (docs/flags.md).
        windows = [w and with_release_check(w, eng) for w in windows]
    table = replace(table, windows=windows)
    if fmt == "json":
        rows = []
        for i, (f, w, e) in enumerate(zip(table.inputs, windows, table.errors, strict=True)):
            if w is None:
                rows.append(
                    {
                        "label": f,
                        "ion": ion,
                        "dataset": eng.table.name,
                        "temperature_K": temperature,
                        "error": e,
                    }
                )
                continue
            d = w.to_dict()
            row = {"label": d.pop("label"), "formula": d.pop("formula"), "class": window_class(w)}
            row.update(d, error=None)
            if i in explained:
                red, ox = explained[i]
                row["reduction_sensitivity"], row["oxidation_sensitivity"] = (
                    red.to_dict(),
                    ox.to_dict(),
                )
            rows.append(row)
        click.echo(to_json(rows))
    elif fmt == "csv":
        frame = WindowTable.to_dataframe(table)
        frame["dataset"] = eng.table.name  # failed rows too
        frame["ion"] = ion
        frame["temperature_K"] = temperature
        click.echo(to_csv(frame), nl=False)
    elif table.ok:
        ok = [w for w in windows if w is not None]
        notes = [explained[i] for i, w in enumerate(windows) if w is not None and i in explained]
        if tolerance is not None:
            click.echo(f"limits: at most {tolerance:g} {ion} taken up or released per atom")
        click.echo(windows_text(ok, eng.table.display_name, eng.name, notes))
        if passive is not None:
            click.echo(
                f"\npassivated (band gap >= {passive.min_gap_eV:g} eV, "
                f"{'gas allowed' if passive.allow_gas else 'no gas'}; gaps {passive.source}):"
            )
            for line in passivation_lines([w.to_dict() for w in ok]):
                click.echo(line)
    for w in windows:
        note = w and zero_width_note(w)
        if note:
            click.echo(note, err=fmt != "table")
    report_failures(table.failures(), len(formulas))
