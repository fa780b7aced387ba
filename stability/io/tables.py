"""Write result tables to disk atomically (temporary file, then rename)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from stability.files import write_text_atomic
from stability.io.formats import frame_records, to_json

if TYPE_CHECKING:
    import pandas as pd


def write_atomic(path: Path, text: str) -> None:
    """Replace ``path`` with ``text`` so readers see the old or the new file, never half."""
    write_text_atomic(path, text)


def write_frame(frame: pd.DataFrame, stem: Path) -> list[Path]:
    """Write ``stem.csv`` and ``stem.json`` (records; NaN as null, products as lists); full
    float precision."""
    csv = stem.with_suffix(".csv")
    js = stem.with_suffix(".json")
    write_atomic(csv, frame.to_csv(index=False, lineterminator="\n"))
    write_atomic(js, to_json(frame_records(frame)) + "\n")
    return [csv, js]


#: Rows per CSV chunk and Parquet row group.
BATCH_ROWS = 10_000


class RowWriter:
    """Write rows to ``stem.csv`` and/or ``stem.parquet`` as they come, never all held.

    ``columns`` in order; those in ``text`` are strings, the others floats (None: empty in
    CSV, null in Parquet). CSV as ``formats.to_csv`` writes it (6 decimals). The files
    appear only at ``close`` (atomically); ``discard`` drops them.
    """

    def __init__(
        self, stem: Path, columns: list[str], text: set[str] | frozenset[str], formats: list[str]
    ) -> None:
        from stability.files import AtomicPath

        self.columns, self.text = columns, text
        self.rows: list[dict] = []
        self.count = 0
        self.targets = {fmt: AtomicPath(stem.with_suffix(f".{fmt}")) for fmt in formats}
        self._csv = None
        self._parquet = None
        if "csv" in self.targets:
            self._csv = open(self.targets["csv"].tmp, "w", encoding="utf-8", newline="")  # noqa: SIM115
        if "parquet" in self.targets:
            import pyarrow as pa
            import pyarrow.parquet as pq

            self._schema = pa.schema(
                [(c, pa.string() if c in text else pa.float64()) for c in columns]
            )
            self._parquet = pq.ParquetWriter(self.targets["parquet"].tmp, self._schema)

    def add(self, row: dict) -> None:
        self.rows.append(row)
        if len(self.rows) >= BATCH_ROWS:
            self._flush()

    def _flush(self) -> None:
        import pandas as pd

        if not self.rows and self.count:
            return
        frame = pd.DataFrame(self.rows, columns=self.columns)
        for c in self.columns:
            frame[c] = (
                frame[c].astype(object).where(frame[c].notna(), None)
                if c in self.text
                else pd.to_numeric(frame[c], errors="coerce").astype(float)
            )
        if self._csv is not None:
            frame.to_csv(
                self._csv,
                index=False,
                header=self.count == 0,
                lineterminator="\n",
                float_format="%.6f",
            )
        if self._parquet is not None:
            import pyarrow as pa

            self._parquet.write_table(
                pa.Table.from_pandas(frame, schema=self._schema, preserve_index=False)
            )
        self.count += len(self.rows)
        self.rows = []

    def close(self) -> list[Path]:
        """Write what is left and put the files in place; their paths."""
        self._flush()
        if self._csv is not None:
            self._csv.close()
        if self._parquet is not None:
            self._parquet.close()
        return [target.commit() for target in self.targets.values()]

    def discard(self) -> None:
        if self._csv is not None:
            self._csv.close()
        if self._parquet is not None:
            self._parquet.close()
        for target in self.targets.values():
            target.discard()
