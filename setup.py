"""Build hook for what pyproject.toml cannot say: the package list.

It is every package under stability/ (as ``packages.find`` would give) plus
``stability._bundled`` (and its ``properties``), the embedded default data, which
pyproject.toml maps onto the top-level cached_entries/ folder; ``packages.find`` cannot add a
mapped package.
"""

from __future__ import annotations

from setuptools import find_namespace_packages, setup

setup(
    packages=[
        *find_namespace_packages(include=["stability", "stability.*"], exclude=["*.__pycache__"]),
        "stability._bundled",
        "stability._bundled.properties",
    ]
)
