"""Parse and validate user formulas into pymatgen Compositions with one-line errors.

What is read beyond pymatgen's own syntax (see ``normalize_formula``): Unicode subscripts and
fullwidth characters (``Li₃N``, ``Ｌｉ３Ｎ``), any whitespace (``Li3 N``), and hydrate dots
(``Li2SO4·H2O``, ``CuSO4·5H2O``, also ``•``, ``∙``, ``⋅``, ``・`` and ``*``). A formula in the
wrong case (``li3n``, ``LI3N``) is refused with a suggestion (``did you mean Li3N?``).

Importing pymatgen costs about 0.2 s, more than a whole window, so the hot path does without
it: ``formula_amounts`` (the validated amounts of a formula), ``composition_amounts`` (the
amounts ``Composition(text)`` holds), ``reduced_formula_and_factor``, ``reduced_composition``
and ``formula_string`` repeat pymatgen's own parser and reduction (same regular expressions,
same float operations in the same order, same electronegativity ordering, polyanion brackets
and special formulas such as O2 and Li2O2), so they return exactly what pymatgen returns
(tests/test_formula_fast.py compares them on every formula of a dataset). Whatever they do
not handle (an unknown symbol, a species, a parse error) goes to pymatgen itself.
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections.abc import Mapping
from functools import lru_cache
from itertools import islice
from typing import TYPE_CHECKING

from stability.errors import FormulaError

if TYPE_CHECKING:
    from pymatgen.core import Composition

_TOKEN = re.compile(r"([A-Z][a-z]?)(\d*\.?\d*)")
#: Characters that join the parts of a hydrate or adduct (after NFKC normalisation).
HYDRATE_DOTS = "·•∙⋅・*"
_HYDRATE_SPLIT = re.compile("[" + re.escape(HYDRATE_DOTS) + "]")
_LEADING_COUNT = re.compile(r"^(\d+(?:\.\d+)?)(?=[A-Za-z(\[])")

#: Symbol and Pauling electronegativity (pymatgen's ``Element.X``; nan where it has none) of
#: the elements Z = 1..103, in order of Z.
_ELEMENT_TEXT = """
H 2.2 He nan Li 0.98 Be 1.57 B 2.04 C 2.55 N 3.04 O 3.44 F 3.98 Ne nan Na 0.93 Mg 1.31 Al
1.61 Si 1.9 P 2.19 S 2.58 Cl 3.16 Ar nan K 0.82 Ca 1 Sc 1.36 Ti 1.54 V 1.63 Cr 1.66 Mn 1.55
Fe 1.83 Co 1.88 Ni 1.91 Cu 1.9 Zn 1.65 Ga 1.81 Ge 2.01 As 2.18 Se 2.55 Br 2.96 Kr 3 Rb 0.82
Sr 0.95 Y 1.22 Zr 1.33 Nb 1.6 Mo 2.16 Tc 1.9 Ru 2.2 Rh 2.28 Pd 2.2 Ag 1.93 Cd 1.69 In 1.78
Sn 1.96 Sb 2.05 Te 2.1 I 2.66 Xe 2.6 Cs 0.79 Ba 0.89 La 1.1 Ce 1.12 Pr 1.13 Nd 1.14 Pm 1.13
Sm 1.17 Eu 1.2 Gd 1.2 Tb 1.1 Dy 1.22 Ho 1.23 Er 1.24 Tm 1.25 Yb 1.1 Lu 1.27 Hf 1.3 Ta 1.5 W
2.36 Re 1.9 Os 2.2 Ir 2.2 Pt 2.28 Au 2.54 Hg 2 Tl 1.62 Pb 2.33 Bi 2.02 Po 2 At 2.2 Rn 2.2 Fr
0.7 Ra 0.9 Ac 1.1 Th 1.3 Pa 1.5 U 1.38 Np 1.36 Pu 1.28 Am 1.3 Cm 1.3 Bk 1.3 Cf 1.3 Es 1.3 Fm
1.3 Md 1.3 No 1.3 Lr 1.3
"""
_ELEMENT_DATA = _ELEMENT_TEXT.split()
#: Element symbol -> atomic number (Z <= 103, as parse_formula accepts).
ATOMIC_NUMBER = {sym: z for z, sym in enumerate(_ELEMENT_DATA[::2], start=1)}
#: Element symbol -> electronegativity, as pymatgen orders formulas by it.
ELECTRONEGATIVITY = {
    sym: float(x) for sym, x in zip(_ELEMENT_DATA[::2], _ELEMENT_DATA[1::2], strict=True)
}
#: Element symbols a formula may use (Z <= 103, as parse_formula accepts).
SYMBOLS = frozenset(ATOMIC_NUMBER)

# pymatgen's formula grammar (pymatgen.core.composition), repeated for the fast path.
_PMG_INVALID = re.compile(r"[\s\d.*/]*$")
_PMG_GROUP = re.compile(r"([A-Z][a-z]*)\s*([-*\.e\d]*)")
_PMG_PAREN = re.compile(r"\(([^\(\)]+)\)\s*([\.e\d]*)")
#: Formulas of element symbols and plain amounts only (``Li3PS4``, ``Li2.9PO3.3N0.46``), which
#: pymatgen's grammar reads token by token: read in one pass (most of a screen's formulas).
_PLAIN_FORMULA = re.compile(r"(?:[A-Z][a-z]?(?:\d+(?:\.\d+)?)?)+")
_PLAIN_TOKEN = re.compile(r"([A-Z][a-z]?)(\d+(?:\.\d+)?)?")
#: pymatgen's ``Composition.amount_tolerance``.
AMOUNT_TOL = 1e-8
#: pymatgen's ``Composition.special_formulas``: peroxides and diatomic elements kept whole.
SPECIAL_FORMULAS = {
    "LiO": "Li2O2",
    "NaO": "Na2O2",
    "KO": "K2O2",
    "HO": "H2O2",
    "CsO": "Cs2O2",
    "RbO": "Rb2O2",
    "O": "O2",
    "N": "N2",
    "F": "F2",
    "Cl": "Cl2",
    "H": "H2",
}


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
        if amount.strip(".") and float(amount) == 0:
            raise FormulaError(f"formula {formula!r} has a zero amount of {symbol}")
    from pymatgen.core import Composition, Element

    try:
        comp = Composition(text)
    except (ValueError, KeyError, TypeError) as exc:
        raise FormulaError(f"cannot parse formula {formula!r}: {_reason(exc)}") from None
    for el, amt in comp.items():
        if not isinstance(el, Element) or el.Z > 103 or getattr(el, "is_dummy", False):
            symbol = getattr(el, "symbol", str(el))
            if isinstance(el, Element) and not getattr(el, "is_dummy", False):
                raise FormulaError(
                    f"{symbol} is an element (Z = {el.Z}), but the dataset has no phases with "
                    f"{symbol}: only elements up to Lr (Z = 103) are read"
                )
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
        if not _plausible_spelling(text, cand):
            continue
        try:
            _parse_plain(cand, cand)
        except FormulaError:
            continue
        n_symbols = len(re.findall(r"[A-Z]", cand))
        z_max = max(ATOMIC_NUMBER[s] for s in re.findall(r"[A-Z][a-z]?", cand))
        found.append((n_symbols, z_max, cand))
    return [c for *_, c in sorted(set(found))[:limit]]


def _plausible_spelling(text: str, cand: str) -> bool:
    """Whether ``cand`` (``text`` re-capitalised) is a formula someone meant by ``text``.

    Not when it writes one element twice in a row (``FOOBAr`` for ``FooBar``, ``CO3O4``: a
    formula says ``O2``), nor, for text typed in mixed case (its capitals chosen), when it
    changes the case of more than one letter (``Li3n`` -> ``Li3N`` yes, ``FooBar`` no).
    """
    symbols = re.findall(r"[A-Z][a-z]?", cand)
    if any(a == b for a, b in zip(symbols, symbols[1:], strict=False)):
        return False
    letters = [c for c in text if c.isalpha()]
    if any(c.isupper() for c in letters) and any(c.islower() for c in letters):
        return sum(a != b for a, b in zip(text, cand, strict=True)) <= 1
    return True


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


def written_formula(comp: Composition | Mapping[str, float]) -> str:
    """The formula unit that amounts refer to, compactly: Li6N2 stays Li6N2, Li3 N1 is Li3N.

    ``comp`` is a pymatgen Composition or amounts by element symbol (``formula_amounts``).
    """
    text = comp.formula if hasattr(comp, "formula") else formula_string(comp)
    tokens = text.split()
    return "".join(
        t.rstrip("0123456789.")
        if t.lstrip("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz") == "1"
        else t
        for t in tokens
    )


def formula_amounts(formula: str) -> dict[str, float]:
    """Amounts by element symbol of a user formula, as ``parse_formula(formula).items()``.

    Same checks and errors as ``parse_formula``, without importing pymatgen when the formula
    is plain (elements, amounts, brackets); anything else is parsed by pymatgen.
    """
    return dict(_formula_amounts(formula or ""))


@lru_cache(maxsize=8192)
def _formula_amounts(formula: str) -> tuple[tuple[str, float], ...]:
    text = normalize_formula(formula)
    fast = None
    if text and not any(
        amount.strip(".") and float(amount) == 0 for _, amount in _TOKEN.findall(text)
    ):
        fast = _plain_amounts(text)
    if fast and all(a > 0 for a in fast.values()):
        return tuple(fast.items())
    return tuple((str(el), float(a)) for el, a in _parse(formula).items())


def composition_amounts(formula: str) -> dict[str, float]:
    """Amounts by element symbol of ``Composition(formula)`` (no checks beyond pymatgen's)."""
    return dict(_composition_amounts(formula))


@lru_cache(maxsize=8192)
def _composition_amounts(formula: str) -> tuple[tuple[str, float], ...]:
    fast = _plain_amounts(formula)
    if fast is not None:
        return tuple(fast.items())
    from pymatgen.core import Composition

    return tuple((str(el), float(a)) for el, a in Composition(formula).items())


def _plain_amounts(text: str) -> dict[str, float] | None:
    """pymatgen's ``Composition(text)`` amounts when every symbol is an element of Z <= 103
    and no amount is negative; None where pymatgen must decide (and say what is wrong)."""
    try:
        parsed = _pmg_parse(text)
    except (ValueError, OverflowError):
        return None
    out = {}
    for sym, amount in parsed.items():
        if sym not in SYMBOLS or amount < -AMOUNT_TOL or math.isnan(amount):
            return None
        if abs(amount) >= AMOUNT_TOL:
            out[sym] = amount
    return out


def _pmg_parse(formula: str) -> dict[str, float]:
    """pymatgen's ``Composition._parse_formula(formula, strict=True)``, step for step."""
    if _PLAIN_FORMULA.fullmatch(formula):
        # The same sums as sym_dict below, which finds these tokens one at a time.
        plain: dict[str, float] = {}
        for symbol, amount in _PLAIN_TOKEN.findall(formula):
            plain[symbol] = plain.get(symbol, 0.0) + (float(amount) if amount else 1.0) * 1
        return plain
    if _PMG_INVALID.match(formula):
        raise ValueError(f"Invalid formula={formula!r}")
    formula = formula.replace("@", "").translate(str.maketrans("[]{}", "()()"))

    def sym_dict(form: str, factor: float) -> dict[str, float]:
        out: dict[str, float] = {}
        for match in _PMG_GROUP.finditer(form):
            amount = 1.0
            if match[2].strip() != "":
                amount = float(match[2])
            out[match[1]] = out.get(match[1], 0.0) + amount * factor
            form = form.replace(match.group(), "", 1)
        if form.strip():
            raise ValueError(f"{form} is an invalid formula")
        return out

    match = _PMG_PAREN.search(formula)
    while match:
        factor = 1.0
        if match[2] != "":
            factor = float(match[2])
        unit = sym_dict(match[1], factor)
        expanded = "".join(f"{el}{amount}" for el, amount in unit.items())
        formula = formula.replace(match.group(), expanded, 1)
        match = _PMG_PAREN.search(formula)
    return sym_dict(formula, 1)


def _pmg_amounts(amounts: Mapping[str, float]) -> dict[str, float] | None:
    """The amounts a Composition built from ``amounts`` holds (tiny ones dropped), or None
    when a key is not a plain element symbol (pymatgen decides those)."""
    out = {}
    for sym, amount in amounts.items():
        if sym not in SYMBOLS or amount < -AMOUNT_TOL:
            return None
        if abs(amount) >= AMOUNT_TOL:
            out[sym] = amount
    return out


def _sort_symbols(symbols) -> tuple[str, ...]:
    """pymatgen's order: electronegativity (none: last), then symbol."""
    return _sorted_symbols(tuple(symbols))


@lru_cache(maxsize=8192)
def _sorted_symbols(symbols: tuple[str, ...]) -> tuple[str, ...]:
    # A screen reduces tens of thousands of formulas over far fewer element sets.
    return tuple(
        sorted(
            symbols,
            key=lambda s: [math.inf if math.isnan(x := ELECTRONEGATIVITY[s]) else x, s],
        )
    )


def _double_format(x: float, ignore_ones: bool = True) -> float | int | str:
    """pymatgen's ``formula_double_format``."""
    if type(x) is float:  # remembered for plain floats only: Decimal("2.5") == 2.5 formats apart
        return _double_format_float(x, ignore_ones)
    return _format_amount(x, ignore_ones)


def _format_amount(x: float, ignore_ones: bool) -> float | int | str:
    if ignore_ones and math.isclose(x, 1, abs_tol=1e-8):
        return ""
    if math.isclose(x, round(x), abs_tol=1e-8, rel_tol=0):
        return round(x)
    return round(x, 8)


_double_format_float = lru_cache(maxsize=4096)(_format_amount)


def formula_string(amounts: Mapping[str, float]) -> str:
    """``Composition(amounts).formula``: ``{"N": 1, "Li": 3}`` -> ``"Li3 N1"``."""
    comp = _pmg_amounts(amounts)
    if comp is None:
        return _pymatgen_composition(amounts).formula
    return " ".join(f"{s}{_double_format(comp[s], ignore_ones=False)}" for s in _sort_symbols(comp))


def _reduce(sym_amt: Mapping[str, float]) -> tuple[str, int]:
    """pymatgen's ``reduce_formula`` (no IUPAC ordering)."""
    syms = [s for s in _sort_symbols(sym_amt) if abs(sym_amt[s]) > AMOUNT_TOL]
    factor = 1
    if all(int(i) == i for i in sym_amt.values()):
        factor = abs(math.gcd(*(int(i) for i in sym_amt.values())))
    poly_anions = []
    if len(syms) >= 3 and ELECTRONEGATIVITY[syms[-1]] - ELECTRONEGATIVITY[syms[-2]] < 1.65:
        poly_form, poly_factor = _reduce({syms[i]: sym_amt[syms[i]] / factor for i in (-2, -1)})
        if poly_factor != 1:
            poly_anions.append(f"({poly_form}){poly_factor}")
    syms = syms[: len(syms) - 2 if poly_anions else len(syms)]
    reduced = []
    for sym in syms:
        reduced.extend((sym, str(_double_format(sym_amt[sym] * 1.0 / factor))))
    return "".join([*reduced, *poly_anions]), factor


def reduced_formula_and_factor(amounts: Mapping[str, float]) -> tuple[str, float]:
    """``Composition(amounts).get_reduced_formula_and_factor()``: ("LiFePO4", 4) of Li4Fe4P4O16."""
    try:
        key = tuple(sorted(amounts.items()))
    except TypeError:  # keys pymatgen must read (Element, Species): not remembered
        return _reduced_formula_and_factor(amounts)
    return _remembered_reduction(key)


@lru_cache(maxsize=32768)
def _remembered_reduction(items: tuple[tuple[str, float], ...]) -> tuple[str, float]:
    # A screen asks for the same composition's formula several times per row.
    return _reduced_formula_and_factor(dict(items))


def _reduced_formula_and_factor(amounts: Mapping[str, float]) -> tuple[str, float]:
    comp = _pmg_amounts(amounts)
    if comp is None:
        return _pymatgen_composition(amounts).get_reduced_formula_and_factor()
    if not all(abs(v - round(v)) < AMOUNT_TOL for v in comp.values()):
        return formula_string(comp).replace(" ", ""), 1
    formula, factor = _reduce({k: round(v) for k, v in comp.items()})
    if formula in SPECIAL_FORMULAS:
        return SPECIAL_FORMULAS[formula], factor / 2
    return formula, factor


def reduced_formula(amounts: Mapping[str, float]) -> str:
    """``Composition(amounts).reduced_formula``."""
    return reduced_formula_and_factor(amounts)[0]


def reduced_composition(amounts: Mapping[str, float]) -> tuple[dict[str, float], float]:
    """``Composition(amounts).get_reduced_composition_and_factor()`` as (amounts, factor)."""
    comp = _pmg_amounts(amounts)
    if comp is None:
        reduced, factor = _pymatgen_composition(amounts).get_reduced_composition_and_factor()
        return {str(el): float(a) for el, a in reduced.items()}, factor
    factor = reduced_formula_and_factor(comp)[1]
    return _pmg_amounts({el: a / factor for el, a in comp.items()}) or {}, factor


def num_atoms(amounts: Mapping[str, float]) -> float:
    """``Composition(amounts).num_atoms``: the sum of the amounts pymatgen keeps."""
    total: float = 0
    for a in amounts.values():
        if abs(a) >= AMOUNT_TOL:
            total += abs(a)
    return total


def _pymatgen_composition(amounts: Mapping[str, float]) -> Composition:
    from pymatgen.core import Composition

    return Composition(dict(amounts))
