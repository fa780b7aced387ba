"""The ``stability`` command line: thin commands over the library."""

from __future__ import annotations

import logging
import os
import sys
from pathlib import Path

import click

from stability import __version__, config
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
        except (click.ClickException, click.exceptions.Exit, click.Abort, BrokenPipeError):
            raise
        except Exception as exc:  # a bug: still one line, the traceback behind --debug
            if ctx.meta.get("debug"):
                raise
            raise click.ClickException(
                f"internal error ({type(exc).__name__}: {exc}); rerun with --debug and report it"
            ) from None


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
format_option = click.option(
    "--format", "fmt", type=click.Choice(FORMATS), default="table", show_default=True
)


def _want_uncertainty(eng, flag: bool | None) -> bool:
    """On when asked, or by default when the data has uncertainties; an explicit ask on data
    without them is an error that says why."""
    from stability.analysis.uncertainty import NO_UNCERTAINTY, has_uncertainties

    if flag is False:
        return False
    if has_uncertainties(eng.table):
        return True
    if flag:
        raise StabilityError(NO_UNCERTAINTY.format(name=eng.table.name))
    return False


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
@uncertainty_option
@draws_option
@click.option(
    "--explain",
    is_flag=True,
    help="Name the reaction and phases that set each limit, with margins.",
)
@format_option
def window(
    formulas: tuple[str, ...], data, dataset, engine, uncertainty, draws, explain, fmt
) -> None:
    """Print the electrochemical window (V vs Li/Li+) of each FORMULA."""
    from stability.analysis.window import compute_window
    from stability.io.formats import to_csv, to_json, to_table

    eng = _engine(data, dataset, engine)
    results = [compute_window(eng, f) for f in formulas]
    if _want_uncertainty(eng, uncertainty):
        from stability.analysis.uncertainty import with_window_uncertainty

        results = [with_window_uncertainty(w, eng, draws) for w in results]
    rows = [w.to_dict() for w in results]
    explained = []
    if explain:
        from stability.analysis.sensitivity import limit_sensitivity

        explained = [limit_sensitivity(eng, f) for f in formulas]
        for row, (red, ox) in zip(rows, explained, strict=True):
            row["reduction_sensitivity"], row["oxidation_sensitivity"] = red.to_dict(), ox.to_dict()
    if fmt == "json":
        click.echo(to_json(rows))
    elif fmt == "csv":
        from stability.analysis.window import WindowTable

        click.echo(to_csv(WindowTable(results, {}).to_dataframe()), nl=False)
    else:
        click.echo(f"dataset: {eng.table.name} (engine {eng.name})")
        headers = dict(WINDOW_HEADERS)
        if results and results[0].reduction_limit_std_V is not None:
            headers.update(
                reduction_limit_std_V="red. std (V)", oxidation_limit_std_V="ox. std (V)"
            )
        click.echo(to_table(rows, headers))
        for formula, limits in zip(formulas, explained, strict=False):  # empty without --explain
            click.echo(f"\n{formula}:")
            for lim in limits:
                click.echo(f"  {lim.limit} limit {lim.voltage_V:.3f} V: {lim.reaction}")
                for c in lim.competitors:
                    if c.margin_meV_per_atom is None:
                        click.echo(f"    {c.phase}: {c.note}")
                    else:
                        click.echo(
                            f"    without {c.phase}: {c.limit_V:.3f} V into {', '.join(c.products)}; "
                            f"{c.phase} decides by {c.margin_meV_per_atom:.1f} meV/atom"
                        )
        if any(w.placed_on_hull for w in results):
            how = (
                "in the limit of a vanishing offset"
                if eng.name == "fast"
                else f"{config.PLACEMENT_OFFSET_EV:g} eV/atom below it"
            )
            click.echo(
                "placed: off the hull or absent from the dataset, so placed on the hull "
                f"({how}) before its window was computed (Zhu, He & Mo 2015)."
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
@click.option(
    "--set",
    "set_name",
    required=True,
    help="seed, nitrides, sulfides, halides, oxides, cathodes, li-ternaries:X, all-li, all, or a file of formulas.",
)
@data_option
@dataset_option
@engine_option
@click.option("--out", type=click.Path(path_type=Path), default=Path("results"), show_default=True)
@click.option(
    "--jobs", type=click.IntRange(1, 256), default=1, show_default=True, help="Worker processes."
)
@click.option(
    "--interfaces-with",
    "partners",
    default=None,
    help="Also react every row with this set (closed).",
)
@click.option("--restart", is_flag=True, help="Discard rows saved by an earlier run into --out.")
@click.option("--uncertainty", is_flag=True, help="Add std of both limits (MP2020 data only).")
@draws_option
def screen(
    set_name: str,
    data,
    dataset,
    engine,
    out: Path,
    jobs: int,
    partners,
    restart: bool,
    uncertainty: bool,
    draws: int,
) -> None:
    """Screen a set: windows and hull energies, one row each, into OUT/screen.csv and .json.

    Finished rows are saved as they come: an interrupted run resumes where it stopped.
    """
    from stability.analysis.catalogue import resolve_set
    from stability.analysis.screen import run_screen
    from stability.analysis.sets import resolve_targets
    from stability.io.tables import write_frame

    eng = _engine(data, dataset, engine)
    targets = resolve_targets(eng.table, set_name)
    partner_items = resolve_set(partners) if partners else []
    if uncertainty:
        from stability.analysis.uncertainty import require_uncertainties

        require_uncertainties(eng.table)
    header = {
        "dataset": eng.table.name,
        "source_sha256": eng.table.meta.get("source_sha256", ""),
        "set": set_name,
        "engine": eng.name,
        "partners": partner_items,
        "uncertainty_draws": draws if uncertainty else 0,
        "tool_version": __version__,
    }
    result = run_screen(
        eng,
        targets,
        out,
        jobs=jobs,
        partners=partner_items,
        header=header,
        restart=restart,
        draws=draws if uncertainty else 0,
        progress=_progress,
    )
    frame = result.to_dataframe()
    paths = write_frame(frame, out / "screen")
    failed = int((frame["error"] != "").sum())
    click.echo(
        f"wrote {paths[0]} and {paths[1].name}: {len(frame)} rows, {failed} without a window "
        f"(see the error column)"
    )


def _progress(total: int, done: int):
    from tqdm import tqdm

    # disable=None: a bar on a terminal, nothing in pipes and logs.
    return tqdm(total=total, initial=done, disable=None, unit="row", file=sys.stderr)


INTERFACE_HEADERS = {
    "mixing_ratio": "x (A)",
    "reaction_energy_meV_per_atom": "E_rxn (meV/atom)",
    "reaction": "reaction",
}
SCAN_HEADERS = {
    "voltage_V": "V",
    "mixing_ratio": "x (A)",
    "reaction_energy_meV_per_atom": "E_rxn (meV/atom)",
    "decomposition_a_meV_per_atom": "A alone",
    "decomposition_b_meV_per_atom": "B alone",
    "products": "products",
}


@cli.command()
@click.argument("reactant_a")
@click.argument("reactant_b")
@click.option("--voltage", type=float, default=None, help="Open Li at this voltage (V vs Li/Li+).")
@click.option("--scan", default=None, help="Voltages START:STOP:STEP, e.g. 0:5:0.1.")
@click.option(
    "--own-energy",
    is_flag=True,
    help="Use each reactant's own energy where the data has it (default: hull energy).",
)
@data_option
@dataset_option
@engine_option
@uncertainty_option
@draws_option
@format_option
@click.option(
    "--plot",
    type=click.Path(path_type=Path),
    default=None,
    help="Write the figure (PNG, PDF, SVG).",
)
def interface(
    reactant_a,
    reactant_b,
    voltage,
    scan,
    own_energy,
    data,
    dataset,
    engine,
    uncertainty,
    draws,
    fmt,
    plot,
) -> None:
    """Print the reaction of REACTANT_A with REACTANT_B: energy, mixing ratio, products."""
    from stability.analysis.interface import compute_interface, parse_scan, scan_interface
    from stability.io.formats import to_csv, to_json, to_table

    if voltage is not None and scan:
        raise StabilityError("give --voltage or --scan, not both")
    voltages = parse_scan(scan) if scan else None
    eng = _engine(data, dataset, engine)
    if voltages is not None:
        if own_energy:
            raise StabilityError("--own-energy applies to single reactions, not to --scan")
        if uncertainty:
            raise StabilityError("--uncertainty applies to single reactions, not to --scan")
        result = scan_interface(eng, reactant_a, reactant_b, voltages)
        frame = result.to_dataframe()
        if fmt == "json":
            click.echo(to_json([r.to_dict() for r in result.results]))
        elif fmt == "csv":
            click.echo(to_csv(frame), nl=False)
        else:
            click.echo(
                f"{reactant_a} | {reactant_b}, Li open ({eng.table.name}); energies per non-Li atom"
            )
            click.echo(to_table(frame.to_dict("records"), SCAN_HEADERS, digits=2))
        if plot:
            from stability.plotting.interface import plot_scan

            _save(plot_scan(frame, f"{reactant_a} | {reactant_b} ({eng.table.name})"), plot)
        return
    res = compute_interface(eng, reactant_a, reactant_b, voltage, use_own_energy=own_energy)
    if own_energy and uncertainty:
        raise StabilityError("--uncertainty covers hull-energy reactants only; drop --own-energy")
    if not own_energy and _want_uncertainty(eng, uncertainty):
        from stability.analysis.uncertainty import with_reaction_uncertainty

        res = with_reaction_uncertainty(res, eng, draws)
    frame = res.to_dataframe()
    if fmt == "json":
        click.echo(to_json(res.to_dict()))
    elif fmt == "csv":
        click.echo(to_csv(frame), nl=False)
    else:
        where = "closed (no Li exchange)" if voltage is None else f"Li open at {voltage:g} V"
        if own_energy and voltage is not None:
            # As pymatgen (include_no_mixing_energy=False): each side is first equilibrated
            # with Li, so own energies change only the 'each alone' numbers.
            where += " (own energies change only each reactant's own decomposition here)"
        click.echo(
            f"{reactant_a} | {reactant_b}, {where}, reactants at {res.reactant_energies} energies "
            f"({res.dataset}):\n  most negative: {res.reaction_energy_meV_per_atom:.1f}"
            + (
                f" ± {res.reaction_energy_std_meV_per_atom:.1f}"
                if res.reaction_energy_std_meV_per_atom is not None
                else ""
            )
            + " meV/atom at "
            f"x = {res.mixing_ratio:.3f}: {res.reaction}"
        )
        if voltage is not None:
            click.echo(
                f"  each alone with Li at {voltage:g} V: {reactant_a} {res.decomposition_a_meV_per_atom:.1f}, "
                f"{reactant_b} {res.decomposition_b_meV_per_atom:.1f} meV per non-Li atom"
            )
        click.echo(to_table(frame.to_dict("records"), INTERFACE_HEADERS, digits=3))
    if plot:
        from stability.plotting.interface import plot_mixing

        where = "closed" if voltage is None else f"{voltage:g} V"
        _save(
            plot_mixing(frame, reactant_a, reactant_b, f"{reactant_a} | {reactant_b}, {where}"),
            plot,
        )


@cli.command()
@click.option("--left", "left_set", required=True, help="Named set or file for the rows (A).")
@click.option("--right", "right_set", required=True, help="Named set or file for the columns (B).")
@click.option(
    "--voltage", type=float, default=None, help="Open Li at this voltage (default: closed)."
)
@data_option
@dataset_option
@engine_option
@click.option("--out", type=click.Path(path_type=Path), default=Path("results"), show_default=True)
def interfaces(left_set, right_set, voltage, data, dataset, engine, out: Path) -> None:
    """Compute every LEFT x RIGHT interface; write OUT/interfaces.csv and a heatmap."""
    from stability.analysis.catalogue import resolve_set
    from stability.analysis.interface import interface_matrix
    from stability.io.formats import to_csv
    from stability.plotting.heatmap import plot_matrix

    left, right = resolve_set(left_set), resolve_set(right_set)
    eng = _engine(data, dataset, engine)
    frame = interface_matrix(eng, left, right, voltage).to_dataframe()
    out.mkdir(parents=True, exist_ok=True)
    _atomic_write(out / "interfaces.csv", to_csv(frame))
    failed = int((frame["error"] != "").sum())
    if failed == len(frame):
        first = frame["error"].iloc[0]
        raise StabilityError(f"every pair failed (see {out / 'interfaces.csv'}), e.g.: {first}")
    where = "closed" if voltage is None else f"Li open at {voltage:g} V"
    fig = plot_matrix(frame, f"Interface reaction energy, {where} ({eng.table.name})")
    _save(fig, out / "interfaces.png", close=False)
    _save(fig, out / "interfaces.pdf")
    click.echo(
        f"wrote {out / 'interfaces.csv'} and interfaces.png/.pdf: {len(frame)} pairs ({failed} failed)"
    )


@cli.command()
@data_option
@dataset_option
@engine_option
@click.option(
    "--out", type=click.Path(path_type=Path), default=Path("results/figures"), show_default=True
)
def figures(data, dataset, engine, out: Path) -> None:
    """Regenerate the review's figures (PNG and PDF) and their tables into OUT."""
    from stability.plotting.figures import make_figures

    written = make_figures(_engine(data, dataset, engine), out)
    click.echo(
        f"wrote {len(written)} files to {out}: " + ", ".join(sorted({p.stem for p in written}))
    )


@cli.command()
@click.argument("formulas", nargs=-1)
@click.option("--set", "set_name", default=None, help="A named set or file instead of FORMULAS.")
@click.option(
    "--data",
    "data_paths",
    multiple=True,
    type=click.Path(path_type=Path),
    help="A snapshot file or folder; once per dataset, or once with several --dataset.",
)
@click.option("--dataset", "datasets", multiple=True, help="Dataset names in the --data folder.")
@uncertainty_option
@draws_option
@format_option
@click.option(
    "--out",
    type=click.Path(path_type=Path),
    default=None,
    help="Also write OUT/compare.csv/.json, differences.csv/.json and the paired-bar figure.",
)
def compare(formulas, set_name, data_paths, datasets, uncertainty, draws, fmt, out) -> None:
    """Compare windows of FORMULAS (or --set) across datasets: shifts and changed phases."""
    from stability.analysis.catalogue import resolve_set
    from stability.analysis.compare import compare_windows
    from stability.entries.load import load_dataset
    from stability.io.formats import to_csv, to_json, to_table
    from stability.thermo.engines import make_engine

    if bool(formulas) == bool(set_name):
        raise StabilityError("give FORMULAS or --set, not both or neither")
    items = resolve_set(set_name) if set_name else [(f, f) for f in formulas]
    if len(data_paths) > 1 and len(datasets) > 1 and len(datasets) != len(data_paths):
        raise StabilityError("give one --dataset per --data, or a single --dataset for all")
    if len(data_paths) > 1:
        names = (
            datasets if len(datasets) > 1 else [datasets[0] if datasets else None] * len(data_paths)
        )
        tables = [load_dataset(p, n) for p, n in zip(data_paths, names, strict=True)]
    else:
        where = data_paths[0] if data_paths else None
        tables = [load_dataset(where, name) for name in datasets]
    if len(tables) < 2:
        raise StabilityError(
            "compare needs two datasets: --data A --data B, or --dataset X --dataset Y"
        )
    keys = [(t.name, t.meta.get("source_sha256")) for t in tables]
    if len({name for name, _ in keys}) < len(keys):
        raise StabilityError(
            f"the datasets to compare must differ and have distinct names: {[k[0] for k in keys]}"
        )
    engines = [make_engine(t) for t in tables]
    result = compare_windows(engines, items, uncertainty=uncertainty is not False, draws=draws)
    diff = result.differences()
    if fmt == "json":
        click.echo(to_json(diff.astype(object).where(diff.notna(), None).to_dict("records")))
    elif fmt == "csv":
        click.echo(to_csv(diff), nl=False)
    else:
        first = result.datasets[0]
        headers = {"label": "material"}
        for ds in result.datasets[1:]:
            headers[f"reduction_shift_V[{ds}]"] = f"red. shift (V) {first} -> {ds}"
            headers[f"oxidation_shift_V[{ds}]"] = "ox. shift (V)"
            headers[f"oxidation_products_changed[{ds}]"] = "oxidation products changed"
        click.echo(to_table(diff.to_dict("records"), headers))
    if out:
        from stability.io.tables import write_frame
        from stability.plotting.windows import plot_paired_bars

        write_frame(result.to_dataframe(), out / "compare")
        write_frame(diff, out / "differences")
        names = " vs ".join(result.datasets)
        fig = plot_paired_bars(
            result.to_dataframe(),
            f"Windows: {names}\n(error bars: 95% from MP2020 correction uncertainties)",
        )
        _save(fig, out / "compare.png", close=False)
        _save(fig, out / "compare.pdf")


def _save(fig, path: Path, *, close: bool = True) -> None:
    from stability.plotting.export import save_figure

    save_figure(fig, path, close=close)
    click.echo(f"wrote {path}", err=True)


def _atomic_write(path: Path, text: str) -> None:
    from stability.io.tables import write_atomic

    write_atomic(path, text)


@cli.group()
def data() -> None:
    """Inspect datasets and fetch entries from the Materials Project."""


@data.command("info")
@data_option
def data_info(data: Path | None) -> None:
    """List the datasets found at --data (or the default location), and what was skipped."""
    from stability.entries.info import describe

    click.echo(describe(config.data_path(data)))


@data.command("pull")
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


def main() -> None:
    try:
        cli()
    except BrokenPipeError:
        # The reader (e.g. head) went away: stop quietly, as Unix tools do.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        sys.exit(1)
