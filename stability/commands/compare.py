"""``stability compare``: windows of the same materials on two or more datasets."""

from __future__ import annotations

from pathlib import Path

import click

from stability.commands.common import (
    draws_option,
    engine_for,
    exclude_options,
    excluded_per_table,
    failure_status,
    format_option,
    ion_option,
    jobs_option,
    save,
    scheduler_option,
    set_names_help,
    uncertainty_option,
)
from stability.errors import StabilityError

#: The table: one row per material and dataset.
TABLE_HEADERS = {
    "label": "material",
    "dataset": "dataset",
    "reduction_limit_V": "reduction (V)",
    "oxidation_limit_V": "oxidation (V)",
    "reduction_shift_V": "red. shift (V)",
    "oxidation_shift_V": "ox. shift (V)",
    "reduction_products_changed": "reduction products changed",
    "oxidation_products_changed": "oxidation products changed",
    "error": "error",
}


@click.command(short_help="Compare windows across datasets: shifts, changed phases.")
@click.argument("formulas", nargs=-1)
@click.option(
    "--set",
    "set_name",
    default=None,
    help=set_names_help("Instead of FORMULAS, a set", dataset_sets=False),
)
@click.option(
    "--data",
    "data_paths",
    multiple=True,
    type=click.Path(path_type=Path),
    help="A snapshot file or folder; once per dataset, or once with several --dataset.",
)
@click.option("--dataset", "datasets", multiple=True, help="Dataset names in the --data folder.")
@ion_option
@exclude_options
@uncertainty_option
@draws_option
@format_option
@jobs_option
@scheduler_option
@click.option(
    "--out",
    type=click.Path(path_type=Path),
    default=None,
    help="Also write OUT/compare.csv/.json (one row per material and dataset) and the "
    "paired-bar figure.",
)
def compare(
    formulas, set_name, data_paths, datasets, ion, uncertainty, draws, fmt, jobs, scheduler, out
) -> None:
    """Compare windows of FORMULAS (or --set) across datasets: shifts and changed phases."""
    from stability.analysis.materials.sets import resolve_set
    from stability.analysis.screens.compare import compare_windows
    from stability.entries.load import load_datasets
    from stability.io.formats import frame_records, to_csv, to_json, to_table
    from stability.io.schema import headers

    if bool(formulas) == bool(set_name):
        raise StabilityError("give FORMULAS or --set, not both or neither")
    items = resolve_set(set_name) if set_name else [(f, f) for f in formulas]
    tables = load_datasets(data_paths, datasets)
    # a phase named with --exclude is left out of each dataset that holds it
    held = excluded_per_table(tables)
    engines = [engine_for(t, exclude=x) for t, x in zip(tables, held, strict=True)]
    result = compare_windows(
        engines,
        items,
        uncertainty=uncertainty is not False,
        draws=draws,
        jobs=jobs,
        executor=scheduler or None,
        ion=ion,
    )
    frame = result.to_dataframe()
    if fmt == "json":
        click.echo(to_json(frame_records(frame)))
    elif fmt == "csv":
        click.echo(to_csv(frame), nl=False)
    else:
        click.echo(f"shifts from {result.datasets[0]}; '-' where a window was not computed")
        click.echo(to_table(frame.to_dict("records"), headers(TABLE_HEADERS)))
    if out:
        from stability.io.tables import write_frame
        from stability.plotting.windows import plot_paired_bars

        write_frame(frame, out / "compare")
        names = " vs ".join(result.datasets)
        fig = plot_paired_bars(
            frame, f"Windows: {names}\n(error bars: 95% from MP2020 correction uncertainties)"
        )
        save(fig, out / "compare.png", close=False)
        save(fig, out / "compare.pdf")
    failed = result.failures()
    for key, error in failed.items():
        click.echo(f"Error: {key}: {error}", err=True)
    if failed:
        raise SystemExit(failure_status(len(failed), len(result.rows)))
