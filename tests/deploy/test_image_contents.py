"""What an image installs is the packages' wheels (`pip install ./services/<name>`, not the
editable checkout the tests run): every template, static file and schema must be in them."""
from __future__ import annotations

import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
DISTRIBUTIONS = ["libs/common", *sorted(
    p.parent.relative_to(REPO).as_posix()
    for p in [*REPO.glob("services/*/pyproject.toml"), *REPO.glob("tools/*/pyproject.toml")])]


def _data_files(distribution: Path) -> set[str]:
    """Files a process may open at run time: everything in the package that is not code."""
    src = distribution / "src"
    return {p.relative_to(src).as_posix() for p in src.rglob("*") if p.is_file()
            and p.suffix not in (".py", ".pyc") and "__pycache__" not in p.parts
            and not any(part.endswith(".egg-info") for part in p.parts)}


@pytest.mark.parametrize("distribution", [d for d in DISTRIBUTIONS if _data_files(REPO / d)])
def test_the_wheel_holds_every_file_the_package_reads(distribution: str, tmp_path: Path) -> None:
    # Built from a copy: setuptools leaves build/ behind, and a stale one leaks into wheels.
    source = tmp_path / "source"
    shutil.copytree(REPO / distribution, source, ignore=shutil.ignore_patterns(
        "tests", "build", "*.egg-info", "__pycache__"))
    done = subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps",
                           "--no-build-isolation", "-q", "-w", str(tmp_path / "wheels"),
                           str(source)], capture_output=True, text=True, timeout=180,
                          check=False)
    assert done.returncode == 0, done.stderr[-2000:]
    (wheel,) = (tmp_path / "wheels").glob("*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    assert _data_files(REPO / distribution) - names == set()
