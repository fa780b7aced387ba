"""Parse and validate user formulas into pymatgen Compositions with one-line errors.

What is read beyond pymatgen's own syntax (see ``normalize_formula``): Unicode subscripts and
fullwidth characters (``Li₃N``, ``Ｌｉ３Ｎ``), any whitespace (``Li3 N``), and hydrate dots
(``Li2SO4·H2O``, ``CuSO4·5H2O``, also ``•``, ``∙``, ``⋅``, ``・`` and ``*``). A formula in the
wrong case (``li3n``, ``LI3N``) is refused with a suggestion (``did you mean Li3N?``).
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache
from itertools import islice

from pymatgen.core import Composition, Element

from stability.errors import FormulaError

_TOKEN = re.compile(r"([A-Z][a-z]?)(\d*\.?\d*)")
#: Characters that join the parts of a hydrate or adduct (after NFKC normalisation).
HYDRATE_DOTS = "·•∙⋅・*"
_HYDRATE_SPLIT = re.compile("[" + re.escape(HYDRATE_DOTS) + "]")
_LEADING_COUNT = re.compile(r"^(\d+(?:\.\d+)?)(?=[A-Za-z(\[])")
#: Element symbols a formula may use (Z <= 103, as parse_formula accepts).
SYMBOLS = frozenset(Element.from_Z(z).symbol for z in range(1, 104))


def normalize_formula(text: str) -> str:
    """Return ``text`` as a plain ASCII formula pymatgen reads, without validating it.

    NFKC turns subscripts and fullwidth characters into ASCII; all whitespace goes; each
    hydrate part after a dot becomes a bracketed group with its count:
    ``Li2SO4·H2O`` -> ``Li2SO4(H2O)``, ``CuSO4·5H2O`` -> ``CuSO4(H2O)5``.
    """
    flat = "".join(unicodedata.normalize("NFKC", text or "").split())
    head, *rest = _HYDRATE_SPLIT.split(flat)
    parts = [head]
    for part in rest:
        m = _LEADING_COUNT.match(part)
        count, body = (m.group(1), part[m.end() :]) if m else ("", part)
        parts.append(f"({body}){'' if count in ('', '1') else count}" if body else "")
    return "".join(parts)


def parse_formula(formula: str) -> Composition:
    """Return the Composition of ``formula`` or raise FormulaError saying what is wrong."""
    return _parse(formula or "")


@lru_cache(maxsize=8192)
def _parse(formula: str) -> Composition:
    text = normalize_formula(formula)
    if not text:
        raise FormulaError("empty formula")
    try:
        return _parse_plain(text, formula)
    except FormulaError as exc:
        hint = suggest_case(text) if len(text) <= 40 else []
        if hint:
            raise FormulaError(f"{exc}; did you mean {' or '.join(hint)}?") from None
        raise


def _parse_plain(text: str, formula: str) -> Composition:
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


def suggest_case(text: str, limit: int = 3) -> list[str]:
    """Spellings of ``text`` with element symbols re-capitalised that parse as formulas.

    ``li3n`` -> ``["Li3N"]``; ``co3o4`` -> ``["Co3O4", "CO3O4"]`` (fewest symbols first).
    Returns [] when the text is already a formula or no re-spelling parses.
    """
    found = []
    for cand in islice(_spellings(text), 200):
        if cand == text:
            return []
        try:
            _parse_plain(cand, cand)
        except FormulaError:
            continue
        n_symbols = len(re.findall(r"[A-Z]", cand))
        z_max = max(Element(s).Z for s in re.findall(r"[A-Z][a-z]?", cand))
        found.append((n_symbols, z_max, cand))
    return [c for *_, c in sorted(set(found))[:limit]]


def _spellings(text: str):
    """Every way to read the letters of ``text`` as element symbols (case ignored), lazily;
    branches that cannot reach the end are cut (``ok``), so a long dead end costs O(n)."""
    n = len(text)
    ok = [False] * n + [True]
    for i in range(n - 1, -1, -1):
        ok[i] = (not text[i].isalpha() and ok[i + 1]) or any(
            i + k <= n
            and text[i : i + k].isalpha()
            and text[i : i + k].capitalize() in SYMBOLS
            and ok[i + k]
            for k in (1, 2)
        )

    def walk(i: int):
        if i == n:
            yield ""
        elif not text[i].isalpha():
            for rest in walk(i + 1):
                yield text[i] + rest
        else:
            for k in (2, 1):
                piece = text[i : i + k]
                symbol = piece.capitalize()
                if len(piece) == k and piece.isalpha() and symbol in SYMBOLS and ok[i + k]:
                    for rest in walk(i + k):
                        yield symbol + rest

    if ok[0]:
        yield from walk(0)


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
