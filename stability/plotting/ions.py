"""The working ion a plotted table belongs to, and the axis words that name it."""

from __future__ import annotations

from typing import TYPE_CHECKING

from stability.ions import DEFAULT_ION, check_ion, ion_charge

if TYPE_CHECKING:
    import pandas as pd


def frame_ion(frame: pd.DataFrame) -> str:
    """The working ion of a table: its ``ion`` column (every row names it), else Li."""
    if "ion" in frame:
        ions = frame["ion"].dropna()
        if len(ions):
            return check_ion(str(ions.iloc[0]))
    return DEFAULT_ION


def voltage_label(ion: str = DEFAULT_ION) -> str:
    """``Voltage (V vs Li/Li$^+$)``, ``Voltage (V vs Mg/Mg$^{2+}$)``, ..."""
    z = ion_charge(ion)
    charge = "+" if z == 1 else f"{{{z}+}}"
    return f"Voltage (V vs {ion}/{ion}$^{charge}$)"
