"""Atomic file writes that honour the umask, for every layer (caches, tables, figures), and
where the installed pymatgen keeps its data files."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import BinaryIO


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def atomic_write(path: Path, write: Callable[[BinaryIO], None], *, sync: bool = False) -> Path:
    """Replace ``path`` with what ``write`` writes to a binary file handle (opened for
    reading too).

    Readers see the old file or the new one, never half of it; the new file gets the
    permissions an ordinary ``open`` would give it (0666 less the umask, typically 0644).
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=path.name + ".", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w+b") as fh:  # readable too: a zip archive appends to itself
            write(fh)
            fh.flush()
            if sync:
                os.fsync(fh.fileno())
        os.chmod(tmp, 0o666 & ~_umask())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path


def write_text_atomic(path: Path, text: str) -> Path:
    """Replace ``path`` with ``text`` (UTF-8) atomically."""
    return atomic_write(path, lambda fh: fh.write(text.encode("utf-8")))


class AtomicPath:
    """A temporary file beside ``path`` to write at leisure; ``commit`` puts it in place
    (readers see the old file or the new one, never half), ``discard`` removes it."""

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=self.path.name + ".", suffix=".tmp", dir=self.path.parent)
        os.close(fd)
        self.tmp = Path(tmp)

    def commit(self) -> Path:
        os.chmod(self.tmp, 0o666 & ~_umask())
        os.replace(self.tmp, self.path)
        return self.path

    def discard(self) -> None:
        self.tmp.unlink(missing_ok=True)


def pymatgen_data(*parts: str) -> Path:
    """A data file of the installed pymatgen, found without importing it (importing
    ``pymatgen.analysis.compatibility`` costs seconds)."""
    from importlib.util import find_spec

    from stability.errors import StabilityError

    spec = find_spec("pymatgen")
    if spec is None or not spec.submodule_search_locations:
        raise StabilityError("pymatgen is not installed")
    return Path(next(iter(spec.submodule_search_locations))).joinpath(*parts)
