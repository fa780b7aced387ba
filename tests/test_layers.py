"""The package's layers import one way only: a module may import its own layer and those
below it, never one above (the order the manual's layout page shows)."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

import stability

PACKAGE = Path(stability.__file__).resolve().parent

# Lowest first. A module belongs to the longest prefix listed; peers share a number.
LAYERS = {
    "stability.config": 0,
    "stability.errors": 0,
    "stability.files": 0,
    "stability.formula": 0,
    "stability.ions": 0,
    "stability.entries": 1,
    "stability.thermo": 2,
    "stability.analysis.materials": 3,
    "stability.analysis.runtime": 3,
    "stability.analysis.windows": 4,
    "stability.analysis.interfaces": 4,
    "stability.analysis.air": 4,
    "stability.analysis.uncertainty": 5,
    "stability.analysis.cells": 6,
    "stability.analysis.screens": 6,
    "stability.plotting": 7,
    "stability.io": 7,
    "stability.commands": 8,
    "stability.cli": 9,
}
# The curated API and ``python -m stability`` reach into every layer by design.
EXEMPT = {"stability", "stability.__main__", "stability.analysis"}


def layer_of(module: str) -> int | None:
    best = max(
        (p for p in LAYERS if module == p or module.startswith(p + ".")), key=len, default=None
    )
    return None if best is None else LAYERS[best]


def module_name(path: Path) -> str:
    parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def imported(tree: ast.AST) -> set[str]:
    """Every ``stability...`` module a file imports, at the top or inside a function."""
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            # ``from stability import config`` imports stability.config
            names.update(f"{node.module}.{a.name}" for a in node.names)
    return {n for n in names if n == "stability" or n.startswith("stability.")}


MODULES = sorted(p for p in PACKAGE.rglob("*.py"))


def test_every_module_has_a_layer():
    unplaced = [
        module_name(p)
        for p in MODULES
        if module_name(p) not in EXEMPT and layer_of(module_name(p)) is None
    ]
    assert not unplaced, f"modules outside every layer (add them to LAYERS): {unplaced}"


@pytest.mark.parametrize("path", MODULES, ids=lambda p: module_name(p))
def test_imports_go_down_only(path: Path):
    me = module_name(path)
    if me in EXEMPT:
        return
    mine = layer_of(me)
    tree = ast.parse(path.read_text(), filename=str(path))
    upward = []
    for target in imported(tree):
        theirs = layer_of(target)
        if theirs is not None and theirs > mine:
            upward.append(target)
    assert not upward, f"{me} (layer {mine}) imports from above: {sorted(upward)}"


def test_no_relative_imports_hide_from_this_check():
    relative = [
        module_name(p)
        for p in MODULES
        if any(
            isinstance(n, ast.ImportFrom) and n.level > 0
            for n in ast.walk(ast.parse(p.read_text()))
        )
    ]
    assert not relative, f"relative imports (use absolute ones): {relative}"


def _graph() -> dict[str, set[str]]:
    names = {module_name(p) for p in MODULES}
    graph = {}
    for p in MODULES:
        me = module_name(p)
        targets = set()
        for t in imported(ast.parse(p.read_text())):
            while t and t not in names:  # stability.formula.parse_formula -> stability.formula
                t = t.rpartition(".")[0]
            if t and t != me and t not in EXEMPT:
                targets.add(t)
        graph[me] = targets
    return graph


def test_no_import_cycles():
    """No two modules import each other, directly or round a loop (lazy imports count)."""
    graph = _graph()
    cycles = []
    state: dict[str, int] = {}

    def visit(node: str, path: list[str]) -> None:
        state[node] = 1
        for nxt in sorted(graph.get(node, ())):
            if state.get(nxt) == 1:
                cycles.append([*path[path.index(nxt) :], nxt])
            elif nxt not in state:
                visit(nxt, [*path, nxt])
        state[node] = 2

    for start in sorted(graph):
        if start not in state and start not in EXEMPT:
            visit(start, [start])
    assert not cycles, "import cycles: " + "; ".join(" -> ".join(c) for c in cycles)
