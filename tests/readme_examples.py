"""The worked examples of README.md: run them, check them, refresh them.

An example is a fenced block opened with ```` ```console ````; in it, each line starting with
``$ `` is a command (run with bash in the repository root, the venv's ``bin`` first on PATH,
on the embedded default data as a newcomer's fresh shell has it: no ``STABILITY_DATA``, a
cache folder of its own, so no pulled data) and the lines after it, up to the next command,
are its output (stdout and stderr together). A line ``...`` stands for any number of omitted
lines; trailing whitespace is ignored. Paths inside the checkout are shown relative to it
(``cached_entries/...``).

    python -m tests.readme_examples            # check every example, print the differences
    python -m tests.readme_examples --update   # rewrite the outputs in README.md from the commands

``--update`` keeps an example that still matches as it is (with its omissions); one that no
longer matches is rewritten from the command's output, keeping as many lines before the first
``...`` and after the last one as it had.
"""

from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
README = ROOT / "README.md"
#: The examples' own cache folder (converted snapshots), so no pulled data is read.
CACHE = ROOT / ".cache" / "readme-examples"
OMITTED = "..."
PROMPT = "$ "
_FENCE = re.compile(r"^```console\s*$")


@dataclass
class Example:
    """One command of a console block: where it is in README.md and what it shows."""

    command: str
    expected: list[str]
    line: int  # 0-based index of the ``$`` line in README.md
    end: int  # index one past its last output line

    @property
    def name(self) -> str:
        return self.command


def parse(text: str) -> list[Example]:
    """Every ``$`` command of every console block of ``text``, in order."""
    lines = text.splitlines()
    examples: list[Example] = []
    i = 0
    while i < len(lines):
        if not _FENCE.match(lines[i]):
            i += 1
            continue
        i += 1
        current: Example | None = None
        while i < len(lines) and not lines[i].startswith("```"):
            if lines[i].startswith(PROMPT):
                if current:
                    current.end = i
                current = Example(lines[i][len(PROMPT) :].strip(), [], i, i + 1)
                examples.append(current)
            elif current:
                current.expected.append(lines[i].rstrip())
            i += 1
        if current:
            current.end = i
        i += 1
    return examples


def environment() -> dict[str, str]:
    """A newcomer's shell: the venv's tools first, the embedded default data, no display."""
    env = dict(os.environ)
    env["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}"
    env.pop("STABILITY_DATA", None)  # the embedded default, as after `make demo`
    env["STABILITY_CACHE"] = str(CACHE)
    env["MPLBACKEND"] = "Agg"
    env["PYTHONUNBUFFERED"] = "1"  # stdout and stderr interleave as written
    env.pop("COLUMNS", None)
    return env


def _shown_paths() -> list[tuple[str, str]]:
    """(absolute path, as the README shows it) of the checkout: paths inside it (the embedded
    band gaps) read relative to it, the same on every machine."""
    pairs = [(f"{root}{os.sep}", "") for root in {str(ROOT), os.path.realpath(ROOT)}]
    return sorted(pairs, key=lambda p: -len(p[0]))  # longest first


def run(command: str, timeout: float = 600) -> list[str]:
    """The output lines (stdout and stderr together, trailing whitespace dropped) of ``command``."""
    done = subprocess.run(
        ["bash", "-c", command],
        cwd=ROOT,
        env=environment(),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        timeout=timeout,
    )
    text = done.stdout
    for folder, shown in _shown_paths():
        text = text.replace(folder, shown)
    out = [line.rstrip() for line in text.splitlines()]
    while out and not out[-1]:
        out.pop()
    return out


def _segments(expected: list[str]) -> list[list[str]]:
    segments: list[list[str]] = [[]]
    for line in expected:
        if line.strip() == OMITTED:
            segments.append([])
        else:
            segments[-1].append(line)
    return segments


def matches(expected: list[str], actual: list[str]) -> bool:
    """Whether ``actual`` shows ``expected``: its lines in order, each ``...`` any number of
    lines; without a ``...`` at its start (end), the output starts (ends) as shown."""
    expected = list(expected)
    while expected and not expected[-1]:
        expected.pop()
    segments = _segments(expected)
    if len(segments) == 1:
        return segments[0] == actual
    first, *middle, last = segments
    if actual[: len(first)] != first:
        return False
    pos = len(first)
    end = len(actual) - len(last)
    if end < pos or (last and actual[end:] != last):
        return False
    for seg in middle:
        if not seg:
            continue
        for start in range(pos, end - len(seg) + 1):
            if actual[start : start + len(seg)] == seg:
                pos = start + len(seg)
                break
        else:
            return False
    return True


def refreshed(expected: list[str], actual: list[str]) -> list[str]:
    """What an example should show now: as it is if it still matches, else the output,
    trimmed to as many lines before the first ``...`` and after the last as it had."""
    if matches(expected, actual):
        return expected
    segments = _segments(expected)
    if len(segments) == 1:
        return actual
    head, tail = len(segments[0]), len(segments[-1])
    if head + tail >= len(actual):
        return actual
    return [*actual[:head], OMITTED, *(actual[len(actual) - tail :] if tail else [])]


def update(path: Path = README) -> int:
    """Rewrite every example's output in ``path`` from its command; the number changed."""
    lines = path.read_text(encoding="utf-8").splitlines()
    examples = parse("\n".join(lines))
    changed = 0
    for ex in reversed(examples):  # from the end, so earlier indices stay valid
        shown = list(ex.expected)
        blanks = []
        while shown and not shown[-1]:  # the blank lines between two commands stay
            blanks.append(shown.pop())
        new = refreshed(shown, run(ex.command))
        if new != shown:
            changed += 1
            print(f"updated: $ {ex.command}")
        lines[ex.line + 1 : ex.end] = [*new, *blanks]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return changed


def check(path: Path = README) -> int:
    """Run every example of ``path``; print each mismatch; the number that failed."""
    import difflib

    failed = 0
    for ex in parse(path.read_text(encoding="utf-8")):
        actual = run(ex.command)
        if matches(ex.expected, actual):
            print(f"ok: $ {ex.command}")
            continue
        failed += 1
        print(f"FAILED: $ {ex.command}")
        diff = difflib.unified_diff(ex.expected, actual, "README.md", "output", lineterm="")
        print("\n".join(diff))
    return failed


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--update", action="store_true", help="rewrite the outputs in README.md")
    args = parser.parse_args(argv)
    if args.update:
        print(f"{update()} example(s) updated in {README.name}")
        return 0
    return 1 if check() else 0


if __name__ == "__main__":
    sys.exit(main())
