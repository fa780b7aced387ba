"""``stability cell SPEC``: energy density, stack stability and design sweeps of a cell stack."""

from __future__ import annotations

from dataclasses import asdict
from pathlib import Path

import click

from stability.commands.common import data_options, load_engine, save
from stability.errors import StabilityError

ENERGY_HEADERS = {
    "layer": "layer",
    "material": "material",
    "mass_mg_cm2": "mg/cm2",
    "mass_percent": "%",
    "thickness_um": "um",
}
INTERFACE_HEADERS = {
    "left": "left",
    "right": "right",
    "voltages": "Li open at (V)",
    "closed_reaction_energy_meV_per_atom": "closed",
    "worst_reaction_energy_meV_per_atom": "worst",
    "at": "at",
    "products": "products there",
    "verdict": "verdict",
}
LAYER_HEADERS = {
    "layer": "layer",
    "material": "material",
    "pins": "face potentials (V)",
    "window": "strict window (V)",
    "passivated": "passivated (V)",
    "covers": "covers",
}
SWEEP_HEADERS = {
    "value": "value",
    "gravimetric_energy_density_Wh_kg": "Wh/kg",
    "volumetric_energy_density_Wh_L": "Wh/L",
}


def _range(values: list[float]) -> str:
    if len(values) <= 2:
        return ", ".join(f"{v:g}" for v in values)
    return f"{values[0]:g}-{values[-1]:g}"


def _fmt_v(v: float | None) -> str:
    return "-" if v is None else f"{v:.2f}"


def _fmt_window(lo: float | None, hi: float | None) -> str:
    """``1.63-2.29``; a side nothing limits is open: ``≥1.63`` (no upper limit), ``≤2.29``."""
    if lo is None and hi is None:
        return "-"
    if hi is None:
        return f"≥{lo:.2f}"
    if lo is None:
        return f"≤{hi:.2f}"
    return f"{lo:.2f}-{hi:.2f}"


@click.command(short_help="Energy density and stack stability of a cell (TOML).")
@click.argument("spec_path", metavar="SPEC", type=click.Path(path_type=Path))
@click.option(
    "--format", "fmt", type=click.Choice(["table", "json"]), default="table", show_default=True
)
@click.option(
    "--plot",
    type=click.Path(path_type=Path),
    default=None,
    help="Write the stack figure, or with --sweep the energy-density figure (PNG, PDF, SVG).",
)
@click.option(
    "--sweep",
    "sweeps",
    multiple=True,
    metavar="NAME=A:B[:STEP]",
    help="Vary sse-thickness, np-ratio, areal-capacity, al-foil, cu-foil or foils (repeatable).",
)
@click.option(
    "--energy-only", is_flag=True, help="Only the energy model: no data, no stack stability."
)
@data_options()
def cell(spec_path: Path, fmt, plot, sweeps, energy_only, data, dataset, engine) -> None:
    """Energy density and stack stability of the cell stack in SPEC (TOML)."""
    from stability.analysis.cells.cell import cell_energy, load_cell_spec, parse_sweep, sweep_cell
    from stability.io.formats import to_json

    spec = load_cell_spec(spec_path)
    parsed = [parse_sweep(s) for s in sweeps]
    energy = cell_energy(spec)
    results = [sweep_cell(spec, *p) for p in parsed]
    stack = None
    if not energy_only:
        from stability.analysis.cells.stack import stack_stability

        stack = stack_stability(load_engine(data, dataset, engine), spec)
    if fmt == "json":
        payload = {**energy.to_dict(), "spec": spec.to_dict()}
        if stack is not None:
            # Each SSE layer (and the composite's catholyte) carries its window check.
            checks = {x.layer: x.to_dict() for x in stack.layers}
            checks.setdefault("catholyte", checks.get("electrolyte 1"))  # same material
            for row in payload["layers"]:
                key = "catholyte" if row["layer"].startswith("cathode composite") else row["layer"]
                row["stability"] = checks.get(key)
            payload["interfaces"] = [i.to_dict() for i in stack.interfaces]
            payload["gaps"] = stack.gaps
            payload["passivated_gaps"] = stack.passivated_gaps
            payload["passivated_windows_available"] = stack.passivated_windows_available
            payload["verdict"] = stack.verdict
            payload["dataset"] = stack.dataset
            payload["notes"] = energy.notes + stack.notes
        payload["sweeps"] = [r.to_dict() for r in results]
        click.echo(to_json(payload))
    else:
        _print_table(spec, energy, stack, results)
    if plot:
        if results:
            from stability.plotting.cell import plot_sweeps

            frame = _sweep_frame(results)
            save(plot_sweeps(frame, spec.name), plot)
        elif stack is not None:
            from stability.plotting.cell import plot_stack

            save(plot_stack(stack.figure_frame(), f"{spec.name} ({stack.dataset})"), plot)
        else:
            raise StabilityError("--plot needs --sweep, or the stack stability (no --energy-only)")
    if stack is not None:
        # a face or layer that could not be computed: printed, then one Error: line each
        failed = [f"{i.left} | {i.right}: {i.error}" for i in stack.interfaces if i.error]
        failed += [f"{x.layer} ({x.material}): {x.error}" for x in stack.layers if x.error]
        for line in dict.fromkeys(failed):
            click.echo(f"Error: {line}", err=True)
        if failed:
            raise SystemExit(3)


def _sweep_frame(results):
    import pandas as pd

    frames = []
    for r in results:
        f = r.to_dataframe()
        f["critical_value_350_Wh_kg"] = r.critical["critical_value_350_Wh_kg"]
        frames.append(f)
    return pd.concat(frames, ignore_index=True)


def _print_table(spec, energy, stack, results) -> None:
    from stability.io.formats import to_table
    from stability.io.render import flag_lines, marked

    q = spec.areal_capacity_mAh_cm2
    vol = energy.volumetric_energy_density_Wh_L
    click.echo(
        f"{spec.name}: {q:g} mAh/cm2 at {spec.cathode.voltage_V:g} V\n"
        f"  {energy.gravimetric_energy_density_Wh_kg:.0f} Wh/kg, "
        + (f"{vol:.0f} Wh/L" if vol is not None else "Wh/L unknown")
        + f" ({energy.energy_mWh_cm2:.2f} mWh/cm2 in {energy.mass_mg_cm2:.2f} mg/cm2"
        + (f", {energy.thickness_um:.1f} um)" if energy.thickness_um is not None else ")")
    )
    click.echo(to_table([asdict(x) for x in energy.layers], ENERGY_HEADERS, digits=2))
    for note in energy.notes:
        click.echo(f"note: {note}")
    if stack is not None:
        click.echo(
            f"\nInterfaces, Li side first ({stack.dataset}; meV per atom of the reactants; Li "
            "open: each side first equilibrated with Li):"
        )
        rows = []
        for i in stack.interfaces:
            d = i.to_dict()
            d["voltages"] = "closed only" if not i.ion_open else _range(i.voltages_V)
            d["at"] = "closed" if i.at_voltage_V is None else f"{i.at_voltage_V:g} V"
            d["products"] = marked(i.products, i.flagged_products)
            if i.error:
                d["verdict"], d["products"] = "error", i.error
            rows.append(d)
        click.echo(to_table(rows, INTERFACE_HEADERS, digits=1))
        for line in flag_lines(
            *(
                [f for f in i.flagged_products if f["formula"] in i.products]
                for i in stack.interfaces
            )
        ):
            click.echo(line)
        click.echo("\nLayers against the potentials their faces pin (Li side first):")
        rows = []
        for x in stack.layers:
            lo, hi = x.must_withstand_V
            pins = " and ".join(
                p
                for p in (
                    None if lo is None else f"{lo:g}",
                    None if hi is None else f"{hi:g}",
                )
                if p
            )
            rows.append(
                {
                    "layer": f"{x.layer} ({x.role})",
                    "material": x.material,
                    "pins": (f"{lo:g}-{hi:g}" if lo is not None and hi is not None else pins)
                    or "-",
                    "window": x.error or _fmt_window(x.reduction_limit_V, x.oxidation_limit_V),
                    "passivated": "n/a"
                    if not stack.passivated_windows_available
                    else _fmt_window(
                        x.passivated_reduction_limit_V, x.passivated_oxidation_limit_V
                    ),
                    "covers": x.covers,
                }
            )
        click.echo(to_table(rows, LAYER_HEADERS, digits=2))
        if any(r["passivated"].startswith("≥") for r in rows):
            click.echo(
                "passivated ≥V: no upper limit (nothing stops the passivated window from V up "
                "to the last critical potential)"
            )
        for g in stack.gaps:
            click.echo(
                f"gap at {g['between']}: {g['low_V']:.2f}-{g['high_V']:.2f} V is held by "
                "neither neighbour (strict windows)"
            )
        for note in stack.notes:
            click.echo(f"note: {note}")
        click.echo(f"verdict: {stack.verdict}")
    for r in results:
        unit = f" ({r.unit})" if r.unit else ""
        click.echo(f"\nSweep {r.parameter}{unit}:")
        rows = r.rows
        step = max(1, (len(rows) - 1) // 10)
        shown = rows[::step]
        if shown[-1] is not rows[-1]:
            shown.append(rows[-1])
        click.echo(to_table(shown, SWEEP_HEADERS, digits=1))
        for target, value in r.critical.items():
            t = target.split("_")[2]
            click.echo(
                f"{t} Wh/kg reached at {r.parameter} = {value:.3g}{unit}"
                if value is not None
                else f"{t} Wh/kg not crossed between {rows[0]['value']:g} and {rows[-1]['value']:g}"
            )
