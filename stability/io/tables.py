"""Write result tables to disk atomically (temporary file, then rename)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from stability.files import write_text_atomic
from stability.io.formats import to_json

if TYPE_CHECKING:
    import pandas as pd


def write_atomic(path: Path, text: str) -> None:
    """Replace ``path`` with ``text`` so readers see the old or the new file, never half."""
    write_text_atomic(path, text)


def write_frame(frame: pd.DataFrame, stem: Path) -> list[Path]:
    """Write ``stem.csv`` and ``stem.json`` (records; NaN as null); full float precision."""
    csv = stem.with_suffix(".csv")
    js = stem.with_suffix(".json")
    write_atomic(csv, frame.to_csv(index=False, lineterminator="\n"))
    records = frame.astype(object).where(frame.notna(), None).to_dict("records")
    write_atomic(js, to_json(records) + "\n")
    return [csv, js]
