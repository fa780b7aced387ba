"""What a user may type where a formula goes: a formula, a catalogue label, an acronym, an id.

``resolve_material(text, table)`` turns it into a ``Material`` (label, formula, material_id):

1. A material id (``mp-2251``, ``mvc-123``) is looked up in ``table``: the formula of that row.
   A dataset without ids (e.g. mp2019_ground_states) says so.
2. A catalogue label (``LiPON (Li3.3PO3.9N0.17)``, ``beta-Li3N``) or an alias of ``ALIASES``
   (``LGPS``, ``LiPON``, ``NMC811``, ...) gives its formula; case and spacing are ignored
   (``lgps``, ``Beta-Li3N``), unless the text in its own case is a formula (``NCa``,
   ``LiPoN``): that is refused as ambiguous. An alias in its own case wins over reading the
   text as a formula, so ``LiPON`` is Li2PO2N, never Li:P:O:N = 1:1:1:1
   (``FORMULA_LIKE_ALIASES`` lists such acronyms). To mean the literal formula, write its
   1s: ``Li1P1O1N1``.
3. Anything else is a formula (``stability.formula``: Unicode subscripts, hydrate dots and odd
   whitespace are read; ``li3n`` is refused with "did you mean Li3N?").

Acronyms that name several materials (``NMC``, ``NCM``) are refused with the choices.
"""

from __future__ import annotations

import difflib
import re
import unicodedata
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from stability.analysis.materials.catalogue import CATALOGUE
from stability.entries.table import EntryTable
from stability.errors import FormulaError, StabilityError
from stability.formula import formula_amounts, normalize_formula, parse_formula, reduced_formula

if TYPE_CHECKING:
    from pymatgen.core import Composition

#: alias -> (formula, where the composition comes from). "review": the review's catalogue
#: (/work/shared/docs/seed-materials.md); "common": a usual literature composition of a
#: material the review does not list.
ALIASES: dict[str, tuple[str, str]] = {
    # Review: oxides and sulfides it names by acronym.
    "LLZO": ("Li7La3Zr2O12", "review"),
    "LLZT": ("Li6.5La3Zr1.5Ta0.5O12", "review"),
    "LATP": ("Li1.3Al0.3Ti1.7(PO4)3", "review"),
    "LGPS": ("Li10GeP2S12", "review"),
    "LPS": ("Li3PS4", "review: Li3PS4, the 75Li2S-25P2S5 composition"),
    "LPSCl": ("Li6PS5Cl", "review: argyrodite Li6PS5Cl"),
    "LiPSCl": ("Li6PS5Cl", "review: argyrodite Li6PS5Cl"),
    "argyrodite": ("Li6PS5Cl", "review: argyrodite Li6PS5Cl"),
    # Review: LiPON is its crystalline Li2PO2N (the review's bar chart "LiPON (Li2PO2N)");
    # the glasses have their own labels, e.g. "LiPON (Li2.9PO3.3N0.46)".
    "LiPON": ("Li2PO2N", "review: crystalline LiPON"),
    # Review: the first of its two LiSiPON films; the other is "LiSiPON (Li2.9Si0.35PO1.5N1.26)".
    "LiSiPON": ("Li1.35Si0.79P0.21O1.96N0.96", "review: first LiSiPON composition listed"),
    "beta-Li3N": ("Li3N", "review"),
    "β-Li3N": ("Li3N", "review"),
    "alpha-Li3N": ("Li3N", "review (same composition as beta-Li3N)"),
    "α-Li3N": ("Li3N", "review (same composition as beta-Li3N)"),
    # Review: halide catholytes, by their usual acronyms.
    "LIC": ("Li3InCl6", "review"),
    "LYC": ("Li3YCl6", "review"),
    "LEC": ("Li3ErCl6", "review"),
    "LSC": ("Li3ScCl6", "review"),
    "LYB": ("Li3YBr6", "review"),
    # Review: cathodes.
    "NMC811": ("LiNi0.8Mn0.1Co0.1O2", "review"),
    "NCM811": ("LiNi0.8Mn0.1Co0.1O2", "review (NMC811)"),
    "NCM83": ("LiNi0.83Co0.11Mn0.06O2", "review"),
    "NMC83": ("LiNi0.83Co0.11Mn0.06O2", "review (NCM83)"),
    "LNMO": ("LiNi0.5Mn1.5O4", "review"),
    "LMO": ("LiMn2O4", "review"),
    "LFP": ("LiFePO4", "review"),
    "LCO": ("LiCoO2", "review"),
    # Common compositions of materials the review does not list.
    "NMC111": ("Li3NiMnCoO6", "common: LiNi1/3Mn1/3Co1/3O2"),
    "NCM111": ("Li3NiMnCoO6", "common: LiNi1/3Mn1/3Co1/3O2"),
    "NMC532": ("LiNi0.5Mn0.3Co0.2O2", "common"),
    "NCM523": ("LiNi0.5Mn0.3Co0.2O2", "common (NMC532)"),
    "NMC622": ("LiNi0.6Mn0.2Co0.2O2", "common"),
    "NCM622": ("LiNi0.6Mn0.2Co0.2O2", "common (NMC622)"),
    "NCA": ("LiNi0.8Co0.15Al0.05O2", "common"),
    "LTO": ("Li4Ti5O12", "common"),
    "LAGP": ("Li1.5Al0.5Ge1.5(PO4)3", "common"),
}
#: Aliases that also read as formulas: the alias wins (write the 1s for the formula).
FORMULA_LIKE_ALIASES = frozenset({"LiPON", "LiSiPON", "LiPSCl"})
#: Acronyms of several materials: refused, naming the choices.
AMBIGUOUS: dict[str, tuple[str, ...]] = {
    "NMC": ("NMC111", "NMC532", "NMC622", "NMC811", "NCM83"),
    "NCM": ("NCM111", "NCM523", "NCM622", "NCM811", "NCM83"),
}
_ID = re.compile(r"^(mp|mvc)-\d+$")


@dataclass(frozen=True)
class Material:
    """A resolved input: ``label`` to show, ``formula`` to compute, ``material_id`` or None.

    ``label`` is what the user typed (a formula or an id) or the canonical spelling of a
    catalogue label or alias; ``formula`` is plain ASCII pymatgen reads.

    Attributes
    ----------
    label : str
        What to show.
    formula : str
        What to compute.
    material_id : str or None
        The dataset's id, when the input was one.

    Examples
    --------
    >>> import stability
    >>> m = stability.resolve_material("beta-Li3N")
    >>> m.label, m.formula, m.reduced_formula, sorted(m.elements)
    ('beta-Li3N', 'Li3N', 'Li3N', ['Li', 'N'])
    """

    label: str
    formula: str
    material_id: str | None = None

    @property
    def composition(self) -> Composition:
        return parse_formula(self.formula)

    @property
    def amounts(self) -> dict[str, float]:
        """Atoms of each element per formula unit, as ``composition.items()`` (no pymatgen)."""
        return formula_amounts(self.formula)

    @property
    def elements(self) -> set[str]:
        return set(formula_amounts(self.formula))

    @property
    def reduced_formula(self) -> str:
        """``composition.reduced_formula``, computed without pymatgen."""
        return reduced_formula(self.amounts)


def _fold(text: str) -> str:
    """Key for label lookups: NFKC, spaces collapsed, case ignored."""
    return " ".join(unicodedata.normalize("NFKC", text).split()).casefold()


def _names() -> dict[str, tuple[str, str]]:
    """Folded name -> (label, formula): catalogue labels, then aliases (aliases win)."""
    out: dict[str, tuple[str, str]] = {}
    for items in CATALOGUE.values():
        for label, formula in items:
            if label != formula:
                out.setdefault(_fold(label), (label, formula))
    for alias, (formula, _) in ALIASES.items():
        out[_fold(alias)] = (alias, formula)
    return out


_NAMES = _names()


def alias_table() -> list[tuple[str, str, str]]:
    """(alias, formula, source) of every alias, for documentation and ``--help``."""
    return [(alias, formula, src) for alias, (formula, src) in ALIASES.items()]


def resolve_material(text: str, table: EntryTable | None = None) -> Material:
    """Resolve what a user typed where a formula goes; raise StabilityError saying why not.

    ``table`` is needed only for material ids. See the module docstring for the rules.

    Parameters
    ----------
    text : str
        A formula (``Li3PS4``), a catalogue label or alias (``LGPS``, ``NMC811``,
        ``beta-Li3N``) or a material id (``mp-2251``).
    table : EntryTable, optional
        The dataset that resolves material ids.

    Returns
    -------
    Material
        The label to show and the formula to compute.

    Raises
    ------
    StabilityError
        Empty, ambiguous (``NMC``), unknown, or an id without ``table``.

    Examples
    --------
    >>> import stability
    >>> stability.resolve_material("LGPS")
    Material(label='LGPS', formula='Li10GeP2S12', material_id=None)
    >>> stability.resolve_material("Li3PS4").formula
    'Li3PS4'
    """
    typed = " ".join(unicodedata.normalize("NFKC", text or "").split())
    if not typed:
        raise FormulaError("empty formula")
    if _ID.match(typed.lower()):
        return _by_id(typed.lower(), table)
    folded = _fold(typed)
    if folded in _NAMES:
        label, formula = _NAMES[folded]
        if typed == label or not _is_formula(typed):
            return Material(label, formula)
        raise StabilityError(
            f"{typed} is ambiguous: write {label} for {formula}, or the formula with its 1s "
            f"({_with_ones(typed)}) for the composition {typed}"
        )
    for acronym, choices in AMBIGUOUS.items():
        if folded == acronym.casefold():
            raise StabilityError(
                f"{typed} names several materials; say which: {', '.join(choices)}"
            )
    try:
        formula_amounts(typed)
    except FormulaError as exc:
        close = difflib.get_close_matches(folded, _NAMES, n=3, cutoff=0.75)
        if close and "did you mean" not in str(exc):
            names = " or ".join(_NAMES[c][0] for c in close)
            raise FormulaError(f"{exc}; not a known name either: did you mean {names}?") from None
        if str(exc).startswith("cannot parse") and "did you mean" not in str(exc):
            raise FormulaError(f"{exc}; not a known material name either") from None
        raise
    return Material(" ".join((text or "").split()), normalize_formula(typed))


def _is_formula(text: str) -> bool:
    try:
        formula_amounts(text)
    except FormulaError:
        return False
    return True


def formula_spelling(formula: str) -> str:
    """``formula`` spelled so that ``resolve_material`` reads it as the composition it is:
    unchanged unless it would be read as a name (an alias or catalogue label written like a
    formula: ``LiPON``), then with its 1s (``Li1P1O1N1``). For a dataset's own formulas."""
    # A plain ASCII formula folds to itself casefolded (no NFKC or whitespace to undo).
    key = formula.casefold() if formula.isascii() and " " not in formula else _fold(formula)
    return _with_ones(formula) if key in _NAMES else formula


def _with_ones(text: str) -> str:
    """``LiPON`` -> ``Li1P1O1N1``: the spelling that is always read as a formula."""
    return re.sub(r"([A-Z][a-z]?)(?![a-z\d.])", r"\g<1>1", normalize_formula(text))


def _by_id(material_id: str, table: EntryTable | None) -> Material:
    if table is None:
        raise StabilityError(f"{material_id} is a material id: it needs a dataset to look it up")
    if not table.has_ids:
        raise StabilityError(
            f"dataset {table.name} has no material ids: give {material_id}'s formula instead"
        )
    rows = np.flatnonzero(table.material_id == material_id)
    if rows.size == 0:
        raise StabilityError(f"{material_id} is not in dataset {table.name}")
    comp = table.row_composition(int(rows[0]))
    return Material(material_id, _formula_of(comp), material_id)


def _formula_of(comp: dict[str, float]) -> str:
    """``{"Li": 3.0, "N": 1.0}`` -> ``Li3N`` (amounts of 1 left out, as usually written)."""
    return "".join(f"{el}{'' if a == 1 else f'{a:g}'}" for el, a in comp.items())
