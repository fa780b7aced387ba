"""``stability interlayer A B``: rank materials C that keep A and B apart in A | C | B."""

from __future__ import annotations

import sys

import click

from stability.commands.common import (
    data_options,
    load_engine,
    scheduler_option,
    set_names_help,
)
from stability.errors import StabilityError

#: Without --jobs, a search over this many candidates or more runs in one process per usable
#: core, at most AUTO_JOBS_MAX (a dataset-wide search: about 1.6x faster on 2 cores); a
#: smaller one in this process (forking costs more than it saves). The answers are the same.
AUTO_JOBS_MIN_CANDIDATES = 2000
AUTO_JOBS_MAX = 8


def auto_jobs(candidates: int) -> int:
    """Worker processes for a search over ``candidates`` when --jobs is not given."""
    import os

    if candidates < AUTO_JOBS_MIN_CANDIDATES:
        return 1
    try:
        cores = len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        cores = os.cpu_count() or 1
    return max(1, min(cores, AUTO_JOBS_MAX))


HEADERS = {
    "rank": "#",
    "reduced_formula": "C",
    "score_meV_per_atom": "score",
    "reaction_energy_with_a_meV_per_atom": "C|A closed",
    "reaction_energy_with_b_meV_per_atom": "C|B closed",
    "ion_open_reaction_energy_with_a_meV_per_non_ion_atom": "C|A Li open",
    "ion_open_reaction_energy_with_b_meV_per_non_ion_atom": "C|B Li open",
    "window": "window (V)",
    "e_above_hull_eV_per_atom": "E_hull",
    "note": "note",
}


@click.command(short_help="Rank interlayers C that keep A and B apart (A | C | B).")
@click.argument("a")
@click.argument("b")
@click.option(
    "--candidates",
    "candidate_set",
    default="all-li",
    show_default=True,
    help=set_names_help("The candidates C"),
)
@click.option("--voltage", type=float, default=None, help="Both faces of C at this voltage (V).")
@click.option("--scan", default=None, help="Both faces of C at every voltage START:STOP:STEP.")
@click.option(
    "--max-ehull",
    type=float,
    default=None,
    help="Leave out candidates further above the hull (eV/atom; default 0.025).",
)
@click.option("--top", type=click.IntRange(1, None), default=20, show_default=True)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["table", "json", "csv"]),
    default="table",
    show_default=True,
)
@data_options()
@click.option(
    "--jobs",
    type=click.IntRange(1, 256),
    default=None,
    help="Local worker processes (without --scheduler). Default: one per usable core (at "
    f"most {AUTO_JOBS_MAX}) from {AUTO_JOBS_MIN_CANDIDATES:,} candidates on, else 1.",
)
@scheduler_option
def interlayer(
    a, b, candidate_set, voltage, scan, max_ehull, top, fmt, data, dataset, engine, jobs, scheduler
) -> None:
    """Rank candidates C for an interlayer between A (Li side) and B (cathode side).

    Without --voltage/--scan, face C|A sits at A's oxidation limit and face C|B at B's
    reduction limit, so C must hold the potentials between A's and B's windows.
    """
    from stability.analysis.cells.interlayer import MAX_EHULL_EV, rank_interlayers
    from stability.analysis.interfaces.interface import parse_scan
    from stability.analysis.materials.sets import resolve_targets
    from stability.io.formats import to_csv, to_json, to_table

    if voltage is not None and scan:
        raise StabilityError("give --voltage or --scan, not both")
    voltages = parse_scan(scan) if scan else ([voltage] if voltage is not None else None)
    max_ehull = MAX_EHULL_EV if max_ehull is None else max_ehull
    eng = load_engine(data, dataset, engine)
    targets = resolve_targets(eng.table, candidate_set)
    candidates = [(t.key, t.formula) for t in targets]
    if jobs is None:
        jobs = auto_jobs(len(candidates))
    bar = _progress(len(candidates))
    try:
        result = rank_interlayers(
            eng,
            a,
            b,
            candidates,
            voltages=voltages,
            max_ehull=max_ehull,
            progress=bar.update,
            jobs=jobs,
            executor=scheduler or None,
        )
    finally:
        bar.close()
    if fmt == "json":
        click.echo(to_json(result.to_dict(top)))
        return
    if fmt == "csv":
        click.echo(to_csv(result.to_dataframe(top)), nl=False)
        return
    c = result.counts

    def where(volts: list[float]) -> str:
        return f"Li open at {_volts(volts)}" if volts else "closed only"

    need = f"C must hold {_volts(result.required_V)}" if result.required_V else "no window check"
    click.echo(
        f"Interlayers C for {a} | C | {b} ({result.dataset}): face C|{a} {where(result.voltages_a_V)}, "
        f"face C|{b} {where(result.voltages_b_V)}; {need}"
    )
    click.echo(
        f"{c['candidates']} candidates: {c['above_max_ehull']} above {max_ehull:g} eV/atom left "
        f"out, {c['window_does_not_cover']} whose window does not cover (unscored, ranked last), "
        f"{c['reacted']} reacted with A and B, {c['errors']} errors"
    )
    rows = []
    for r in result.top(top):
        d = dict(r)
        if r.get("reduction_limit_V") is not None:
            d["window"] = f"{r['reduction_limit_V']:.2f}-{r['oxidation_limit_V']:.2f}"
        if r.get("error"):
            d["note"] = r["error"]
        elif not r.get("covers_voltages"):
            d["note"] = f"window short by {r['window_shortfall_V']:.2f} V"
        rows.append(d)
    click.echo(to_table(rows, HEADERS, digits=1))
    click.echo(
        "score (meV per atom of the reactants as written): the most negative of C's closed and "
        "Li-open reaction energies with A and B (Li open: per non-Li atom x non-Li atoms per "
        "atom) and -1000 x E_hull (eV/atom); 0 is best."
    )
    for note in result.notes:
        click.echo(f"note: {note}")


def _volts(values: list[float]) -> str:
    if len(values) > 4:
        return f"{values[0]:.2f}-{values[-1]:.2f} V ({len(values)} voltages)"
    return ", ".join(f"{v:.2f}" for v in values) + " V"


def _progress(total: int):
    from tqdm import tqdm

    return tqdm(total=total, disable=None, unit="candidate", file=sys.stderr, leave=False)
