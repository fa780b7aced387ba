"""Air, moisture and heat: what a solid becomes in a gas (H2O, CO2, O2, air), with gas
chemical potentials from NIST-JANAF and released gases at their own."""

from __future__ import annotations

from stability.analysis.air.gases import gas_mu, h2o_pressure_pa, saturation_pressure_pa
from stability.analysis.air.reaction import (
    AirReaction,
    AirTable,
    Conditions,
    compute_air,
    react_with_air,
    react_with_gas,
)

__all__ = [
    "AirReaction",
    "AirTable",
    "Conditions",
    "compute_air",
    "gas_mu",
    "h2o_pressure_pa",
    "react_with_air",
    "react_with_gas",
    "saturation_pressure_pa",
]
