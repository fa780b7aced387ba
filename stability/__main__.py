"""Allow ``python -m stability``."""

from __future__ import annotations

from stability.cli import main

main()
