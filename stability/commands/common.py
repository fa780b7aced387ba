"""What the commands share: the data/engine options, output formats, exit codes, reporting."""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import click

from stability import config
from stability.errors import StabilityError
from stability.io.formats import FORMATS
from stability.ions import DEFAULT_ION, IONS, check_ion

#: Exit statuses (the README lists them).
EXIT_OK = 0
EXIT_ERROR = 1  # one-line error: nothing computed
EXIT_USAGE = 2  # click's status for bad options
EXIT_SOME_FAILED = 3  # results written or printed, but some items failed (see their errors)
EXIT_INTERRUPTED = 130


def _remember(ctx: click.Context, param: click.Parameter, value: Any) -> Any:
    ctx.meta[f"stability.{param.name}"] = value
    return value


def exclude_options(fn: Callable) -> Callable:
    """Add --exclude FORMULA (repeatable) and --exclude-flagged; ``load_engine`` reads them."""
    fn = click.option(
        "--exclude-flagged",
        is_flag=True,
        expose_value=False,
        callback=_remember,
        help="Leave out every flagged phase (docs/flags.md) from the hulls, until none is "
        "left on them.",
    )(fn)
    return click.option(
        "--exclude",
        multiple=True,
        metavar="FORMULA",
        expose_value=False,
        callback=_remember,
        help="Leave this phase (every polymorph) out of the hulls; repeatable.",
    )(fn)


def data_options(*, engine: bool = True) -> Callable:
    """Add --data, --dataset (and --engine, --exclude, --exclude-flagged) to a command."""

    def decorate(fn: Callable) -> Callable:
        if engine:
            fn = exclude_options(fn)
            fn = click.option(
                "--engine",
                type=click.Choice(["fast", "pymatgen"]),
                default="fast",
                show_default=True,
                help="fast: one hull per system; pymatgen: PhaseDiagram per composition (reference).",
            )(fn)
        fn = click.option(
            "--dataset",
            default=None,
            help=f"Dataset in a folder of snapshots (default {config.DEFAULT_DATASET}).",
        )(fn)
        return click.option(
            "--data",
            "data",
            type=click.Path(path_type=Path),
            default=None,
            help=f"Snapshot file or folder (default: ${config.DATA_ENV}, else entries pulled "
            "into the cache, else the embedded default).",
        )(fn)

    return decorate


format_option = click.option(
    "--format", "fmt", type=click.Choice(FORMATS), default="table", show_default=True
)
uncertainty_option = click.option(
    "--uncertainty/--no-uncertainty",
    default=None,
    help="Propagate MP2020 correction uncertainties (default: on when the data has them).",
)
draws_option = click.option(
    "--draws",
    type=click.IntRange(20, 100_000),
    default=200,
    show_default=True,
    help="Correlated correction draws for --uncertainty.",
)


def _ion(_ctx: Any, _param: Any, value: str) -> str:
    """The working ion ``--ion`` names (any case), or click's usage error listing them."""
    try:
        return check_ion(value)
    except StabilityError as exc:
        raise click.BadParameter(str(exc)) from None


ion_option = click.option(
    "--ion",
    metavar=f"[{'|'.join(IONS)}]",
    default=DEFAULT_ION,
    show_default=True,
    callback=_ion,
    help="Working ion open to its metal; voltages are V vs that metal per charge "
    "(z = 1 for Li, Na, K; 2 for Mg, Ca, Zn; 3 for Al).",
)


temperature_option = click.option(
    "--temperature",
    type=float,
    default=None,
    metavar="K",
    help="Every phase at this temperature (300-2000 K): solids with structures by Bartel's "
    "G^delta(T), gases by NIST-JANAF, elements at T; solids without structures (every CSV "
    "snapshot) keep their 0 K energies, as the output says. Default: 0 K energies.",
)


def at_temperature(eng: Any, temperature: float | None, uncertainty: bool | None) -> Any:
    """``eng``, or the engine at ``--temperature`` (refused with an explicit --uncertainty:
    the MP2020 correction errors are those of the 0 K energies)."""
    if temperature is None:
        return eng
    from stability.thermo.temperature import engine_at_temperature

    if uncertainty:
        raise StabilityError(
            "--uncertainty propagates the 0 K MP2020 corrections; drop it or --temperature"
        )
    return engine_at_temperature(eng, temperature)


def check_temperature_option(temperature: float | None) -> None:
    """A one-line error for a --temperature outside 300-2000 K, before any data is read."""
    if temperature is not None:
        from stability.thermo.temperature import check_temperature

        check_temperature(temperature)


scheduler_option = click.option(
    "--scheduler",
    envvar=config.SCHEDULER_ENV,
    default=None,
    metavar="ADDRESS",
    help=f"Run on the Dask cluster of this scheduler (e.g. tcp://node1:8786; "
    f"default ${config.SCHEDULER_ENV}) instead of --jobs local processes.",
)
jobs_option = click.option(
    "--jobs",
    type=click.IntRange(1, 256),
    default=1,
    show_default=True,
    help="Local worker processes (without --scheduler).",
)


def set_names_help(what: str, *, dataset_sets: bool = True) -> str:
    """Help text of an option that takes a set: ``what``, then every set name the code knows
    (from the catalogue's and the dataset sets' registries, so the list cannot drift)."""
    from stability.analysis.materials.catalogue import set_names
    from stability.analysis.materials.sets import DATASET_SET_NAMES

    names = [*set_names(), *(DATASET_SET_NAMES if dataset_sets else ())]
    return (
        f"{what}: {', '.join(names)}, a file of formulas, a material (formula or name), "
        "or several of these joined by commas."
    )


def plot_option(help_text: str = "Write the figure (PNG, PDF, SVG, ...).") -> Callable:
    return click.option("--plot", type=click.Path(path_type=Path), default=None, help=help_text)


def load_engine(data: Path | None, dataset: str | None, engine: str = "fast"):
    """The engine over the dataset the options name, without the phases --exclude and
    --exclude-flagged leave out (what was left out is said when the command ends)."""
    from stability.entries.load import load_dataset

    return engine_for(load_dataset(data, dataset), engine)


def engine_for(table: Any, engine: str = "fast", *, exclude: tuple[str, ...] | None = None):
    """An engine over ``table`` with the command's --exclude (or ``exclude``) and
    --exclude-flagged."""
    from stability.thermo.engines import make_engine

    ctx = click.get_current_context(silent=True)
    meta = ctx.meta if ctx is not None else {}
    if exclude is None:
        exclude = tuple(meta.get("stability.exclude") or ())
    flagged = None
    if meta.get("stability.exclude_flagged"):
        from stability.analysis.materials.flags import flag_predicate

        flagged = flag_predicate(table)
    eng = make_engine(table, engine, exclude=exclude, leave_out_flagged=flagged)
    if eng.leave_out is not None and ctx is not None:
        fmt = ctx.params.get("fmt", "table")
        ctx.call_on_close(lambda: say_left_out(eng, err=fmt not in (None, "table")))
    return eng


def excluded_per_table(tables: list[Any]) -> list[tuple[str, ...]]:
    """The --exclude phases each of several datasets holds (compare): a phase is left out
    where it is; one that no dataset holds is an error."""
    from stability.thermo.leave_out import LeaveOut

    ctx = click.get_current_context(silent=True)
    named = tuple((ctx.meta.get("stability.exclude") if ctx is not None else None) or ())
    held: list[tuple[str, ...]] = []
    errors: dict[str, str] = {}
    for table in tables:
        kept = []
        for text in named:
            try:
                LeaveOut.of(table, [text])
                kept.append(text)
            except StabilityError as exc:
                errors.setdefault(text, str(exc))
        held.append(tuple(kept))
    for text in named:
        if not any(text in h for h in held):
            raise StabilityError(errors[text])
    return held


def ctx_jobs() -> int:
    ctx = click.get_current_context(silent=True)
    return int((ctx.params.get("jobs") if ctx is not None else None) or 1)


def say_left_out(eng: Any, *, err: bool) -> None:
    """One line: the phases an engine left out of its hulls, and why."""
    left = eng.left_out
    if not left and eng.leave_out.flagged is not None and ctx_jobs() > 1:
        named = ", ".join(sorted(eng.leave_out.formulas))
        click.echo(
            f"left out of the hulls ({eng.table.name}): "
            + (f"{named} (--exclude) and " if named else "")
            + "every flagged phase on them (found in the worker processes: run with --jobs 1 "
            "to have them listed)",
            err=err,
        )
        return
    if not left:
        click.echo(
            f"left out of the hulls ({eng.table.name}): nothing in the systems computed", err=err
        )
        return
    parts = [
        f"{f} ({r if r == '--exclude' else 'flagged: ' + ', '.join(p.split(':')[0] for p in r.split('; '))})"
        for f, r in left.items()
    ]
    click.echo(f"left out of the hulls ({eng.table.name}): " + "; ".join(parts), err=err)


def check_plot_path(path: Path | None) -> None:
    """Refuse an unwritable figure format before any work is done."""
    if path is not None:
        from stability.plotting.export import figure_format

        figure_format(path)


def save(fig: Any, path: Path, *, close: bool = True) -> None:
    from stability.plotting.export import save_figure

    save_figure(fig, path, close=close)
    click.echo(f"wrote {path}", err=True)


def want_uncertainty(eng: Any, flag: bool | None) -> bool:
    """On when asked, or by default when the data has uncertainties; an explicit ask on data
    without them is an error that says why."""
    from stability.analysis.uncertainty.mp2020 import NO_UNCERTAINTY, has_uncertainties

    if flag is False:
        return False
    if has_uncertainties(eng.table):
        return True
    if flag:
        raise StabilityError(NO_UNCERTAINTY.format(name=eng.table.name))
    return False


def require_fast_engine(eng: Any, option: str) -> None:
    """Options that rebuild hulls many times run on the fast engine only: say so."""
    if eng.name != "fast":
        raise StabilityError(
            f"{option} rebuilds hulls many times and runs on the fast engine only; "
            "drop --engine pymatgen"
        )


def failure_status(failed: int, total: int) -> int:
    """The exit status when ``failed`` of ``total`` inputs failed: 1 when every one did
    (nothing computed), 3 when results were printed but some failed, else 0."""
    if not failed:
        return EXIT_OK
    return EXIT_ERROR if failed >= total else EXIT_SOME_FAILED


def report_failures(errors: dict[str, str], total: int) -> None:
    """One ``Error:`` line per failed item on stderr; exit 3 if some failed, 1 if all did."""
    for item, message in errors.items():
        click.echo(
            f"Error: {message if message.startswith(item) else f'{item}: {message}'}", err=True
        )
    if errors:
        click.echo(f"{len(errors)} of {total} failed", err=True)
        sys.exit(failure_status(len(errors), total))


def progress_bar(total: int, done: int, unit: str = "row"):
    from tqdm import tqdm

    # disable=None: a bar on a terminal, nothing in pipes and logs.
    return tqdm(total=total, initial=done, disable=None, unit=unit, file=sys.stderr)
