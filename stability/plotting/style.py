"""One look for every figure: class colours (colour-blind safe) with hatches for greyscale."""

from __future__ import annotations

# Okabe-Ito colours; hatches keep classes apart when printed in grey.
CLASS_STYLE: dict[str, tuple[str, str]] = {
    "nitride": ("#0072B2", ""),
    "fluoride": ("#56B4E9", "//"),
    "chloride": ("#009E73", "\\\\"),
    "bromide": ("#F0E442", "xx"),
    "iodide": ("#CC79A7", ".."),
    "oxide": ("#D55E00", "--"),
    "sulfide": ("#E69F00", "++"),
    "cathode": ("#555555", "oo"),
    "coating": ("#999999", "||"),
}


def class_style(cls: str) -> tuple[str, str]:
    """Colour and hatch of a class of ``stability.analysis.materials.classes`` (grey when unknown)."""
    return CLASS_STYLE.get(cls, ("#888888", ""))
