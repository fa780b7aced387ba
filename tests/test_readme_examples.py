"""Every worked example of README.md prints what the README shows (tests/readme_examples.py).

Refresh them all with ``python -m tests.readme_examples --update``.
"""

from __future__ import annotations

import difflib

import pytest

from tests.readme_examples import README, matches, parse, run

EXAMPLES = parse(README.read_text(encoding="utf-8"))


def test_readme_has_examples():
    assert len(EXAMPLES) >= 6


@pytest.mark.parametrize("example", EXAMPLES, ids=[e.command for e in EXAMPLES])
def test_readme_example(example):
    actual = run(example.command)
    if not matches(example.expected, actual):
        diff = "\n".join(
            difflib.unified_diff(example.expected, actual, "README.md", "output", lineterm="")
        )
        pytest.fail(
            f"README.md line {example.line + 1}: `$ {example.command}` prints otherwise "
            f"(refresh: python -m tests.readme_examples --update)\n{diff}"
        )


def test_matching_rules():
    assert matches(["a", "b"], ["a", "b"])
    assert not matches(["a"], ["a", "b"])
    assert matches(["a", "...", "d"], ["a", "b", "c", "d"])
    assert matches(["a", "...", "c", "...", "e"], ["a", "b", "c", "d", "e"])
    assert not matches(["a", "...", "x", "...", "e"], ["a", "b", "c", "d", "e"])
    assert matches(["...", "d"], ["a", "d"])
    assert matches(["a", "..."], ["a", "b"])
    assert not matches(["b", "..."], ["a", "b"])
    assert matches(["a", ""], ["a"])  # blank lines before the next command


def test_readme_python_block_prints_what_its_comments_say():
    """The README's Python block runs in the checkout on the embedded default data, and each
    ``print(...)  # VALUE`` line prints VALUE (a trailing ``(unit)`` aside)."""
    import re
    import subprocess
    import sys

    from tests.readme_examples import README, ROOT, environment

    text = README.read_text(encoding="utf-8")
    [block] = re.findall(r"```python\n(.*?)```", text, flags=re.S)
    expected = [
        re.sub(r"\s*\(.*\)$", "", line.split("# ", 1)[1]).strip()
        for line in block.splitlines()
        if line.startswith("print(") and "# " in line
    ]
    assert expected, "the Python block prints nothing to check"
    done = subprocess.run(
        [sys.executable, "-c", block], cwd=ROOT, env=environment(), capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.split("\n")[:-1] == expected
