"""The working ions: the element open to a reservoir of its own metal, and its charge.

Voltages are against the ion's metal per charge carried: V = -(mu_M - mu_M(metal)) / z, with
z the charge of the ion (1 for Li, Na, K; 2 for Mg, Ca, Zn; 3 for Al: each element's one
common oxidation state, as pymatgen's ``Element.common_oxidation_states`` lists it; a test
checks the table against it). Every calculation takes the ion as a parameter (``ion=``,
``--ion``); nothing global changes with it.
"""

from __future__ import annotations

from stability.errors import StabilityError

#: The ion every calculation uses unless told otherwise.
DEFAULT_ION = "Li"
#: Working ion -> its charge z (the metal's one common oxidation state).
ION_CHARGES: dict[str, int] = {"Li": 1, "Na": 1, "K": 1, "Mg": 2, "Ca": 2, "Zn": 2, "Al": 3}
#: The working ions, in the order options list them.
IONS: tuple[str, ...] = tuple(ION_CHARGES)


def check_ion(ion: str | None) -> str:
    """The working ion ``ion`` names (``"na"`` and ``"Na"`` alike), ``DEFAULT_ION`` for None.

    Raises StabilityError (one line) for anything else.

    >>> check_ion("na"), check_ion(None)
    ('Na', 'Li')
    """
    if ion is None:
        return DEFAULT_ION
    if isinstance(ion, str):
        name = ion.strip().capitalize()
        if name in ION_CHARGES:
            return name
    raise StabilityError(f"unknown working ion {ion!r}; choose from {', '.join(IONS)}")


def ion_charge(ion: str) -> int:
    """The charge z of working ion ``ion`` (1, 2 or 3).

    >>> ion_charge("Mg"), ion_charge("Al")
    (2, 3)
    """
    return ION_CHARGES[check_ion(ion)]


def ion_volts(mu_eV: float, ion: str) -> float:
    """V vs the ion's metal of a chemical potential ``mu_eV`` relative to that metal:
    -mu / z. Not cleaned of rounding noise (``config.clean`` does that where reported).

    >>> ion_volts(-3.0, "Li"), ion_volts(-3.0, "Mg")
    (3.0, 1.5)
    """
    return -float(mu_eV) / ion_charge(ion)


def ion_mu(voltage_V: float, ion: str) -> float:
    """The chemical potential (eV, relative to the ion's metal) at ``voltage_V`` vs that
    metal: -z V, the inverse of :func:`ion_volts`.

    >>> ion_mu(1.5, "Mg")
    -3.0
    """
    return -ion_charge(ion) * float(voltage_V)


def reference(ion: str) -> str:
    """How voltages against the ion's metal are written: ``V vs Na/Na+``, ``V vs Mg/Mg2+``.

    >>> reference("Li"), reference("Al")
    ('V vs Li/Li+', 'V vs Al/Al3+')
    """
    ion = check_ion(ion)
    z = ION_CHARGES[ion]
    return f"V vs {ion}/{ion}{'' if z == 1 else z}+"
