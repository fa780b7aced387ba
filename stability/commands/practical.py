"""Practical windows on the command line: the shared options and ``stability decomposition``.

- ``practical_options``: ``--tolerance``, ``--passivation``, ``--min-gap``, ``--allow-gas``,
  ``--gaps`` for ``window`` and ``screen``;
- ``passivation_settings``: those options -> a ``Passivation`` (band gaps loaded once);
- ``decomposition``: the ``stability decomposition`` command.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import click

from stability.commands.common import (
    data_options,
    format_option,
    ion_option,
    load_engine,
    report_failures,
)
from stability.errors import StabilityError

DECOMPOSITION_HEADERS = {
    "formula": "formula",
    "voltage_V": "V",
    "decomposition_energy_eV_per_atom": "E_D (eV/atom)",
    "ion_per_formula_unit": "ion per f.u.",
    "products": "products",
    "energy_reference": "relative to",
}
PASSIVATION_HEADERS = {
    "label": "material",
    "reduction_limit_V": "strict red. (V)",
    "oxidation_limit_V": "strict ox. (V)",
    "passivated_reduction_limit_V": "passivated red. (V)",
    "passivated_oxidation_limit_V": "passivated ox. (V)",
    "passivation_reduction_stop": "reduction side stops at",
    "passivation_oxidation_stop": "oxidation side stops at",
}


def practical_options(fn: Callable) -> Callable:
    """Add the tolerance and passivation options to a click command."""
    options = [
        click.option(
            "--tolerance",
            type=float,
            default=None,
            help="Atoms of the working ion (--ion, Li by default) taken up or released per atom "
            "of the composition that still count as stable (e.g. 0.02); the limits become the "
            "tolerant ones. Default: strict (0).",
        ),
        click.option(
            "--passivation",
            is_flag=True,
            help="Also give the window extended across steps that form only electronic "
            "insulators and no gas (passivating interphases; the ion's metal is not judged).",
        ),
        click.option(
            "--min-gap",
            type=float,
            default=None,
            help="Smallest band gap (eV, GGA) of an insulator for --passivation [default 0.5].",
        ),
        click.option(
            "--allow-gas",
            is_flag=True,
            help="With --passivation, let gas-forming steps extend the window too.",
        ),
        click.option(
            "--gaps",
            type=click.Path(path_type=Path),
            default=None,
            help="Band gaps CSV (formula,band_gap_eV) for --passivation "
            "(default: properties/*_band_gaps.csv.gz beside the data).",
        ),
    ]
    for option in reversed(options):
        fn = option(fn)
    return fn


def passivation_settings(
    table: Any, passivation: bool, min_gap: float | None, allow_gas: bool, gaps: Path | None
):
    """A ``Passivation`` for ``table``'s dataset, or None without ``--passivation``."""
    from stability.analysis.windows.practical import MIN_GAP_EV, Passivation
    from stability.entries.properties import default_gaps_path, load_band_gaps

    if not passivation:
        if min_gap is not None or allow_gas or gaps is not None:
            raise StabilityError("--min-gap, --allow-gas and --gaps need --passivation")
        return None
    if min_gap is not None and not min_gap >= 0:
        raise StabilityError(f"--min-gap must be a non-negative number of eV, not {min_gap}")
    path = gaps or default_gaps_path(table.meta.get("source", ""), table.name)
    return Passivation(
        load_band_gaps(path),
        MIN_GAP_EV if min_gap is None else min_gap,
        allow_gas,
        source=str(path),
    )


def check_tolerance(tolerance: float | None) -> None:
    if tolerance is not None and not tolerance >= 0:
        raise StabilityError(f"--tolerance must be a non-negative number, not {tolerance}")


def passivation_lines(rows: list[dict]) -> list[str]:
    """Table lines of the passivated windows, with the reason each side stops."""
    from stability.io.formats import to_table

    rows = [
        {
            **r,
            "reduction_limit_V": r.get("strict_reduction_limit_V", r["reduction_limit_V"]),
            "oxidation_limit_V": r.get("strict_oxidation_limit_V", r["oxidation_limit_V"]),
        }
        for r in rows
    ]
    lines = [to_table(rows, PASSIVATION_HEADERS)]
    unbounded = [r["label"] for r in rows if r.get("passivated_oxidation_limit_V") is None]
    if unbounded:
        lines.append(
            f"passivated oxidation limit '-': nothing stops the walk up to the last critical "
            f"potential ({', '.join(unbounded)})."
        )
    return lines


def parse_voltages(values: tuple[float, ...]) -> list[float]:
    if not values:
        raise StabilityError("give at least one --voltage V (V vs the working ion's metal)")
    for v in values:
        if not (v == v and abs(v) != float("inf")):
            raise StabilityError(f"--voltage {v} is not a finite number")
    return list(values)


@click.command(short_help="Decomposition energy of formulas at given voltages.")
@click.argument("formulas", nargs=-1, required=True)
@click.option(
    "--voltage",
    "voltages",
    type=float,
    multiple=True,
    required=True,
    help="Voltage (V vs Li/Li+, or vs the metal of --ion); repeat for several.",
)
@data_options()
@ion_option
@format_option
def decomposition(formulas, voltages, data, dataset, engine, ion, fmt) -> None:
    """Decomposition energy of each FORMULA with Li (or --ion) open at each --voltage.

    Per atom of the composition, the energy of its phase equilibrium with a Li reservoir
    at V relative to the composition itself (its own energy in the dataset, else its hull
    energy); Zhu, He & Mo (2015). Negative: it decomposes at that voltage.
    """
    from stability.analysis.windows.decomposition import compute_decompositions
    from stability.io.formats import to_csv, to_json, to_table
    from stability.io.render import flag_lines, marked

    volts = parse_voltages(voltages)
    eng = load_engine(data, dataset, engine)
    table = compute_decompositions(eng, formulas, volts, allow_errors=True, ion=ion)
    if fmt == "json":
        click.echo(to_json([r.to_dict() for r in table.results]))
    elif fmt == "csv":
        click.echo(to_csv(table.to_dataframe()), nl=False)
    else:
        click.echo(
            f"dataset: {eng.table.display_name} (engine {eng.name}); E_D per atom of the "
            f"composition, {ion} open at V (Zhu, He & Mo 2015)"
        )
        if table.results:
            heads = {**DECOMPOSITION_HEADERS, "ion_per_formula_unit": f"{ion} per f.u."}
            if any(r.label != r.formula for r in table.results):
                heads = {"label": "material", **heads}
            rows = table.to_dataframe().to_dict("records")
            for row, r in zip(rows, table.results, strict=True):
                row["products"] = marked(r.products, r.flagged_products)
            click.echo(to_table(rows, heads))
            for line in flag_lines(*(r.flagged_products for r in table.results)):
                click.echo(line)
    report_failures(table.errors, len(formulas))
