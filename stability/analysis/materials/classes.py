"""The one class vocabulary of sets, table columns and figures (singular nouns).

A material's ``class`` is one of ``CLASSES``:

- its role in the review's catalogue where it has one: ``cathode``, ``coating``;
- else its catalogue section's chemistry where the catalogue lists it: ``nitride`` (with the
  review's oxynitrides LiPON and LiSiPON, nitride halides such as Li9N2Cl3 and nitride
  chalcogenides such as Li9S3N), ``sulfide``, ``oxide``, and for the catalogue's halides the
  halide of their anion (``chloride`` for LiCl and Li3YCl6, ``bromide`` for Li3YBr6, ...);
- else (any other composition, e.g. a dataset row) the class of its most electronegative
  anion, ``ANION_CLASSES`` in ``ANION_ORDER`` (LiNO3 is an ``oxide``: N is not its anion),
  or ``other``.

Halides keep their anion (``fluoride``, ``chloride``, ``bromide``, ``iodide``) so the review's
windows-by-anion figure and a ``li-ternaries:Cl`` screen name them alike; ``halide`` is their
family (``family``), which the set name ``halides`` selects.
"""

from __future__ import annotations

#: Anion -> class of compounds whose most electronegative anion it is.
ANION_CLASSES: dict[str, str] = {
    "N": "nitride",
    "F": "fluoride",
    "Cl": "chloride",
    "Br": "bromide",
    "I": "iodide",
    "O": "oxide",
    "S": "sulfide",
    "Se": "selenide",
    "P": "phosphide",
    "C": "carbide",
}
#: Most electronegative first: a compound is classed by the first of these it contains.
ANION_ORDER = ("F", "O", "Cl", "N", "Br", "I", "S", "Se", "C", "P")
ROLE_CLASSES = ("cathode", "coating")
HALIDES = ("fluoride", "chloride", "bromide", "iodide")
OTHER = "other"
CLASSES: tuple[str, ...] = (*dict.fromkeys(ANION_CLASSES.values()), *ROLE_CLASSES, OTHER)
#: Families of classes: the set name ``halides`` means all four.
FAMILIES: dict[str, tuple[str, ...]] = {"halide": HALIDES}


def anion_class(elements: set[str] | dict[str, float]) -> str:
    """The class of a composition by its most electronegative anion, or ``other``."""
    for el in ANION_ORDER:
        if el in elements:
            return ANION_CLASSES[el]
    return OTHER


def family(cls: str) -> str:
    """The family of a class (``chloride`` -> ``halide``); a class without one is its own."""
    for name, members in FAMILIES.items():
        if cls in members:
            return name
    return cls
