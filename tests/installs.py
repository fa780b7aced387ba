"""Install the package as users do (``pip install .``, not editable) into a fresh venv."""

from __future__ import annotations

import shutil
import subprocess
import sys
import sysconfig
from pathlib import Path

from stability import config


def pip_install_copy(tmp_path: Path, env: dict[str, str] | None = None) -> tuple[Path, str]:
    """Build and install a copy of the sources (no compiled files carried over) into a venv
    under ``tmp_path``; return (its python, its site-packages).

    The venv (created without pip) sees the project venv's packages, pip and setuptools
    included, through a plain path line, which runs no editable finder; so nothing is
    downloaded. ``env``: pip's environment (compiler settings, say)."""
    root = config.project_root()
    src = tmp_path / "src"
    src.mkdir()
    for name in ("pyproject.toml", "setup.py", "README.md"):
        shutil.copy(root / name, src / name)
    ignore = shutil.ignore_patterns("__pycache__", "*.so")
    shutil.copytree(root / "stability", src / "stability", ignore=ignore)
    # The embedded default data (package stability._bundled), without the caches beside it.
    caches = shutil.ignore_patterns("*.npz", "*.tmp", "mp-api.*")
    shutil.copytree(root / "cached_entries", src / "cached_entries", ignore=caches)
    venv = tmp_path / "venv"
    subprocess.run([sys._base_executable, "-m", "venv", "--without-pip", str(venv)], check=True)
    py = venv / "bin" / "python"
    site = subprocess.run(
        [str(py), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout.strip()
    (Path(site) / "project_venv.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    pip = subprocess.run(
        [str(py), "-m", "pip", "install", "-q", "--no-deps", "--no-build-isolation", str(src)],
        capture_output=True,
        text=True,
        env=env,
    )
    assert pip.returncode == 0, pip.stderr[-2000:]
    return py, site
