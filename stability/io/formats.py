"""Render result rows as an aligned table (people), JSON or CSV (scripts)."""

from __future__ import annotations

import io
import json
import math
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import pandas as pd


FORMATS = ("table", "json", "csv")


def clean(value: Any) -> Any:
    """Make a value JSON-safe: NaN and infinities become null, containers are walked."""
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, dict):
        return {k: clean(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [clean(v) for v in value]
    return value


def frame_records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    """A table's rows for JSON: NaN as null, the ";"-joined product columns of CSV
    (``*products``) as lists of formulas, and an empty ``error`` or ``material_id`` as null:
    the shapes every command's JSON gives them."""
    records = frame.astype(object).where(frame.notna(), None).to_dict("records")
    for row in records:
        for key, value in row.items():
            if key.endswith("products") and isinstance(value, str):
                row[key] = [p for p in value.split(";") if p]
            elif key in NULL_WHEN_EMPTY and value == "":
                row[key] = None
    return records


#: Text columns whose empty CSV cell means "none" and is null in JSON, as window's JSON has
#: them (``error`` of a computed row, ``material_id`` of a dataset without ids).
NULL_WHEN_EMPTY = frozenset({"error", "material_id"})


def to_json(payload: Any) -> str:
    return json.dumps(clean(payload), indent=2, sort_keys=False)


def _cell(value: Any, digits: int) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "-"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float):
        return f"{value:.{digits}f}"
    if isinstance(value, list | tuple):
        return ", ".join(map(str, value)) or "-"
    return str(value)


def to_table(rows: Sequence[dict[str, Any]], headers: dict[str, str], digits: int = 3) -> str:
    """Align ``rows`` under ``headers`` ({key: header with unit}) as fixed-width text."""
    cells = [[_cell(r.get(k), digits) for k in headers] for r in rows]
    titles = list(headers.values())
    widths = [
        max(len(t), *(len(c[i]) for c in cells)) if cells else len(t) for i, t in enumerate(titles)
    ]
    lines = ["  ".join(t.ljust(w) for t, w in zip(titles, widths, strict=True)).rstrip()]
    lines.append("  ".join("-" * w for w in widths))
    lines += [
        "  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)).rstrip() for row in cells
    ]
    return "\n".join(lines)


def to_csv(frame: pd.DataFrame) -> str:
    buf = io.StringIO()
    frame.to_csv(buf, index=False, lineterminator="\n", float_format="%.6f")
    return buf.getvalue()
