"""Write result tables to disk atomically (temporary file, then rename)."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING

from stability.io.formats import to_json

if TYPE_CHECKING:
    import pandas as pd


def write_atomic(path: Path, text: str) -> None:
    """Replace ``path`` with ``text`` so readers see the old or the new file, never half."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=path.name + ".", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(text)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def write_frame(frame: pd.DataFrame, stem: Path) -> list[Path]:
    """Write ``stem.csv`` and ``stem.json`` (records; NaN as null); full float precision."""
    csv = stem.with_suffix(".csv")
    js = stem.with_suffix(".json")
    write_atomic(csv, frame.to_csv(index=False, lineterminator="\n"))
    records = frame.astype(object).where(frame.notna(), None).to_dict("records")
    write_atomic(js, to_json(records) + "\n")
    return [csv, js]
