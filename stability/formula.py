"""Parse and validate user formulas into pymatgen Compositions with one-line errors."""

from __future__ import annotations

import re
from functools import lru_cache

from pymatgen.core import Composition, Element

from stability.errors import FormulaError

_TOKEN = re.compile(r"([A-Z][a-z]?)(\d*\.?\d*)")


def parse_formula(formula: str) -> Composition:
    """Return the Composition of ``formula`` or raise FormulaError saying what is wrong."""
    return _parse(formula or "")


@lru_cache(maxsize=8192)
def _parse(formula: str) -> Composition:
    text = (formula or "").strip()
    if not text:
        raise FormulaError("empty formula")
    for symbol, amount in _TOKEN.findall(text):
        if amount and float(amount) == 0:
            raise FormulaError(f"formula {formula!r} has a zero amount of {symbol}")
    try:
        comp = Composition(text)
    except (ValueError, KeyError, TypeError) as exc:
        raise FormulaError(f"cannot parse formula {formula!r}: {_reason(exc)}") from None
    for el, amt in comp.items():
        if not isinstance(el, Element) or el.Z > 103 or getattr(el, "is_dummy", False):
            symbol = getattr(el, "symbol", str(el))
            raise FormulaError(f"unknown element {symbol!r} in formula {formula!r}")
        if amt <= 0:
            raise FormulaError(f"formula {formula!r} has a non-positive amount of {el}")
    if comp.num_atoms <= 0:
        raise FormulaError(f"formula {formula!r} has no atoms")
    return comp


def _reason(exc: Exception) -> str:
    msg = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    return msg[:120]


def written_formula(comp: Composition) -> str:
    """The formula unit that amounts refer to, compactly: Li6N2 stays Li6N2, Li3 N1 is Li3N."""
    tokens = comp.formula.split()
    return "".join(
        t.rstrip("0123456789.")
        if t.lstrip("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz") == "1"
        else t
        for t in tokens
    )
