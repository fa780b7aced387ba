"""``stability screen``: windows (and reactions) of every material of a set, resumable."""

from __future__ import annotations

from pathlib import Path

import click

from stability import __version__
from stability.commands.common import (
    data_options,
    draws_option,
    failure_status,
    ion_option,
    jobs_option,
    load_engine,
    progress_bar,
    require_fast_engine,
    scheduler_option,
    set_names_help,
)
from stability.commands.practical import practical_options
from stability.errors import StabilityError


@click.command(short_help="Windows of every material of a set, resumable.")
@click.option(
    "--set",
    "set_name",
    required=True,
    help=set_names_help("The materials to screen"),
)
@data_options()
@ion_option
@click.option("--out", type=click.Path(path_type=Path), default=Path("results"), show_default=True)
@jobs_option
@scheduler_option
@click.option(
    "--interfaces-with",
    "partners",
    default=None,
    help="Also react every row with this set (closed).",
)
@click.option(
    "--max-ehull",
    type=click.FloatRange(min=0),
    default=None,
    help="Leave out materials more than this far above the hull (eV/atom); absent ones stay.",
)
@click.option("--restart", is_flag=True, help="Discard rows saved by an earlier run into --out.")
@click.option("--uncertainty", is_flag=True, help="Add std of both limits (MP2020 data only).")
@draws_option
@practical_options
def screen(
    set_name: str,
    data,
    dataset,
    engine,
    ion: str,
    out: Path,
    jobs: int,
    scheduler: str | None,
    partners,
    max_ehull: float | None,
    restart: bool,
    uncertainty: bool,
    draws: int,
    tolerance,
    passivation,
    min_gap,
    allow_gas,
    gaps,
) -> None:
    """Screen a set: windows and hull energies, one row each, into OUT/screen.csv and .json.

    Windows are those of --ion (Li by default; e.g. --set all-na --ion Na); rows without
    that ion have no window (their error column says so).

    Every finished row is saved at once: an interrupted run resumes where it stopped, here
    or on any cluster (--scheduler).
    """
    from stability.analysis.materials.sets import filter_by_ehull, resolve_set, resolve_targets
    from stability.analysis.screens.screen import JOURNAL, run_screen, screen_failures
    from stability.commands.practical import check_tolerance, passivation_settings
    from stability.io.tables import write_frame

    check_tolerance(tolerance)
    if tolerance is not None and uncertainty:
        raise StabilityError("--uncertainty covers the strict limits only; drop --tolerance")
    eng = load_engine(data, dataset, engine)
    passive = passivation_settings(eng.table, passivation, min_gap, allow_gas, gaps)
    targets = resolve_targets(eng.table, set_name)
    dropped = 0
    if max_ehull is not None:
        kept = filter_by_ehull(targets, eng, max_ehull)
        dropped, targets = len(targets) - len(kept), kept
    partner_items = resolve_set(partners, eng.table) if partners else []
    if uncertainty:
        from stability.analysis.uncertainty.mp2020 import require_uncertainties

        require_fast_engine(eng, "--uncertainty")
        require_uncertainties(eng.table)
    header = {
        "dataset": eng.table.name,
        "source_sha256": eng.table.meta.get("source_sha256", ""),
        "set": set_name,
        "engine": eng.name,
        "partners": partner_items,
        "uncertainty_draws": draws if uncertainty else 0,
        "max_ehull_eV_per_atom": max_ehull,
        "tool_version": __version__,
    }
    if ion != "Li":  # a Li journal of an earlier version resumes as before
        header["ion"] = ion
    if tolerance is not None:
        header["ion_tolerance_per_atom"] = tolerance
    if passive is not None:
        header["passivation"] = {
            "min_gap_eV": passive.min_gap_eV,
            "allow_gas": passive.allow_gas,
            "gaps": passive.source,
        }

    def progress(total: int, kept: int):
        if kept:  # resumed from the journal of an earlier run
            more = f"computing {total - kept} more" if total > kept else "nothing left to compute"
            click.echo(f"resumed: kept {kept} rows from {out / JOURNAL}, {more}", err=True)
        return progress_bar(total, kept)

    result = run_screen(
        eng,
        targets,
        out,
        jobs=jobs,
        executor=scheduler or None,
        partners=partner_items,
        header=header,
        restart=restart,
        draws=draws if uncertainty else 0,
        progress=progress,
        tolerance=tolerance,
        passivation=passive,
        ion=ion,
    )
    frame = result.to_dataframe()
    frame.insert(frame.columns.get_loc("error"), "dataset", eng.table.name)
    paths = write_frame(frame, out / "screen")
    failed = screen_failures(frame)
    no_window = int((frame["error"] != "").sum()) - len(failed)
    click.echo(
        f"wrote {paths[0]} and {paths[1].name}: {len(frame)} rows"
        + (
            f" ({dropped} more than {max_ehull:g} eV/atom above the hull left out)"
            if dropped
            else ""
        )
        + (f", {no_window} without a window (no {ion}, or {ion} metal)" if no_window else "")
    )
    if failed:
        for formula, error in list(failed.items())[:5]:
            click.echo(f"Error: {formula}: {error}", err=True)
        click.echo(f"{len(failed)} rows failed (see the error column)", err=True)
        raise SystemExit(failure_status(len(failed), len(frame)))
