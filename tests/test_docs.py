"""The README stays short, and every relative link of the README and the manual resolves.

The manual itself is built by ``make docs`` (``mkdocs build --strict``), which also fails on a
broken link; this test needs no MkDocs.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
README = ROOT / "README.md"
DOCS = ROOT / "docs"
MAX_README_LINES = 200

#: [text](target) and ![alt](target), target up to a space or ")"; code spans and blocks removed.
_LINK = re.compile(r"!?\[[^\]]*\]\(\s*<?([^)\s>]+)>?(?:\s+\"[^\"]*\")?\s*\)")
_FENCED = re.compile(r"^(```|~~~).*?^\1", re.M | re.S)
_CODE = re.compile(r"`[^`\n]*`")


def relative_links(path: Path) -> list[str]:
    """Link targets of a Markdown file that point into the repository (not URLs or anchors)."""
    text = _CODE.sub("", _FENCED.sub("", path.read_text(encoding="utf-8")))
    targets = []
    for target in _LINK.findall(text):
        if re.match(r"^[a-z][a-z0-9+.-]*:", target, re.I) or target.startswith("#"):
            continue  # http:, mailto:, ... and links within the page
        targets.append(target)
    return targets


def markdown_files() -> list[Path]:
    pages = [p for p in DOCS.rglob("*.md") if "tutorials" not in p.relative_to(DOCS).parts]
    return [README, *sorted(pages)]  # docs/tutorials is notebooks/ (a link)


def test_readme_is_short():
    lines = README.read_text(encoding="utf-8").splitlines()
    assert len(lines) <= MAX_README_LINES, (
        f"README.md has {len(lines)} lines (at most {MAX_README_LINES}): "
        "move details into the manual (docs/)"
    )


def test_manual_pages_exist():
    assert (ROOT / "mkdocs.yml").is_file()
    assert (DOCS / "index.md").is_file()


@pytest.mark.parametrize("path", markdown_files(), ids=lambda p: str(p.relative_to(ROOT)))
def test_relative_links_resolve(path):
    missing = []
    for target in relative_links(path):
        file = target.split("#", 1)[0].split("?", 1)[0]
        if file and not (path.parent / file).exists():
            missing.append(target)
    assert not missing, f"{path.relative_to(ROOT)} links to missing files: {missing}"


def test_link_finder():
    page = DOCS / "index.md"
    assert "installation.md" in relative_links(page)
